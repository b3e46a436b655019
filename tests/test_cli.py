"""`ratify data fetch | status | verify` as a user meets them: output and exit codes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from ratify.cli import app

from conftest import TOY_FILES, free_port, make_toy

runner = CliRunner()


def run(args, registry, cache, mirror=None):
    env = {"RATIFY_REGISTRY": str(registry), "RATIFY_DATA_CACHE": str(cache),
           "RATIFY_DATA_MIRROR": str(mirror) if mirror else ""}
    return runner.invoke(app, args, env=env)


def test_fetch_then_status_then_verify(toy):
    reg, registry, mirror, cache = toy
    before = run(["data", "status"], registry, cache, mirror)
    assert before.exit_code == 0
    assert f"total: {len(TOY_FILES)} files; 0 present" in before.output

    fetched = run(["data", "fetch", "--quiet"], registry, cache, mirror)
    assert fetched.exit_code == 0, fetched.output
    assert f"OK: {len(TOY_FILES)} file(s)" in fetched.output

    status = run(["data", "status"], registry, cache, mirror)
    assert f"{len(TOY_FILES)} present" in status.output and "0 missing, 0 corrupt" in status.output
    assert run(["data", "verify"], registry, cache, mirror).exit_code == 0


def test_verify_fails_on_a_tampered_file_and_names_it(toy):
    reg, registry, mirror, cache = toy
    assert run(["data", "fetch", "-q", "toy_states"], registry, cache, mirror).exit_code == 0
    f = reg.resolve("toy_states")
    (cache / f.cache_relpath).write_bytes(b"x" * f.bytes)
    result = run(["data", "verify", "toy_states"], registry, cache, mirror)
    assert result.exit_code == 1
    assert f"corrupt: {f.key}" in result.output


def test_fetch_one_file_of_a_source(toy):
    reg, registry, mirror, cache = toy
    result = run(["data", "fetch", "-q", "toy_treaties:4-13.csv"], registry, cache, mirror)
    assert result.exit_code == 0
    assert [p.name for p in cache.rglob("*.csv")] == ["4-13.csv"]


def test_unknown_source_exits_2_with_suggestions(toy):
    _, registry, mirror, cache = toy
    result = run(["data", "fetch", "toy_state"], registry, cache, mirror)
    assert result.exit_code == 2
    assert "Unknown data source 'toy_state'" in result.output
    assert "Did you mean: toy_states" in result.output


def test_installed_command_offline_exits_nonzero_with_instructions(tmp_path):
    """The real console script, with no mirror and nothing listening at the URLs."""
    reg, registry, _, cache = make_toy(tmp_path, base=f"http://127.0.0.1:{free_port()}", write_mirror=False)
    exe = shutil.which("ratify", path=str(Path(sys.executable).parent)) or "ratify"
    env = {**os.environ, "RATIFY_REGISTRY": str(registry), "RATIFY_DATA_CACHE": str(cache),
           "RATIFY_DATA_MIRROR": ""}
    proc = subprocess.run([exe, "data", "fetch", "-q"], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert f"{len(TOY_FILES)} data file(s) could not be fetched" in proc.stderr
    assert "export RATIFY_DATA_MIRROR=" in proc.stderr
    assert all(f.url in proc.stderr for f in reg.files)
    assert not cache.exists() or not any(p.is_file() for p in cache.rglob("*"))


# --- faults a user meets: a bad registry, a read-only cache, a missing mirror, a killed fetch (issue 19) ---

def _no_traceback(result) -> None:
    assert "Traceback" not in result.output and not isinstance(result.exception, Exception) \
        or isinstance(result.exception, SystemExit), result.output


def test_missing_or_malformed_registry_is_one_message(toy, tmp_path):
    _, registry, mirror, cache = toy
    missing = run(["data", "status"], tmp_path / "nope.toml", cache, mirror)
    assert missing.exit_code == 2 and "There is no data registry at" in missing.output
    assert "RATIFY_REGISTRY" in missing.output and "nope.toml" in missing.output
    bad = tmp_path / "bad.toml"
    bad.write_text("[polity5\nurl = 'x'\n")
    malformed = run(["data", "fetch"], bad, cache, mirror)
    assert malformed.exit_code == 2 and "cannot be read" in malformed.output
    incomplete = tmp_path / "incomplete.toml"
    incomplete.write_text(registry.read_text().replace("sha256 = ", "sha = ", 1))
    result = run(["data", "verify"], incomplete, cache, mirror)
    assert result.exit_code == 2 and "lacks ['sha256']" in result.output
    for r in (missing, malformed, result):
        _no_traceback(r)


def test_read_only_cache_with_a_corrupt_file_is_one_message(toy, monkeypatch):
    reg, registry, mirror, cache = toy
    assert run(["data", "fetch", "-q", "toy_states"], registry, cache, mirror).exit_code == 0
    f = reg.resolve("toy_states")
    target = cache / f.cache_relpath
    target.write_bytes(b"x" * f.bytes)
    real_unlink = Path.unlink

    def read_only(self, *args, **kwargs):
        if cache in self.parents:
            raise PermissionError(13, "Permission denied", str(self))  # as on a read-only mount (root ignores chmod)
        return real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", read_only)
    result = run(["data", "fetch", "-q", "toy_states"], registry, cache, mirror)
    assert result.exit_code == 1, result.output
    assert "is corrupt" in result.output and "cannot be removed (Permission denied)" in result.output
    assert "RATIFY_DATA_CACHE" in result.output
    _no_traceback(result)


def test_file_missing_from_the_mirror_says_so_even_offline(tmp_path):
    reg, registry, mirror, cache = make_toy(tmp_path, base=f"http://127.0.0.1:{free_port()}")
    gone = reg.resolve("toy_states")
    (mirror / gone.mirror_relpath).unlink()
    result = run(["data", "fetch", "-q"], registry, cache, mirror)
    assert result.exit_code == 1
    assert f"not in the mirror {mirror} (looked for {mirror / gone.mirror_relpath})" in result.output
    assert "could not connect" in result.output
    assert "1 data file(s) could not be fetched" in result.output  # the others came from the mirror


def test_a_misspelt_mirror_is_named_as_missing(tmp_path):
    _, registry, mirror, cache = make_toy(tmp_path, base=f"http://127.0.0.1:{free_port()}")
    misspelt = mirror.with_name("mirorr")
    result = run(["data", "fetch", "-q"], registry, cache, misspelt)
    assert result.exit_code == 1
    assert f"the mirror folder {misspelt} (RATIFY_DATA_MIRROR) does not exist; is it misspelt?" in result.output
    assert f"the mirror folder {misspelt} (RATIFY_DATA_MIRROR) does not exist; URL" in result.output


def test_a_fetch_killed_outright_leaves_a_temporary_that_status_reports_and_clean_removes(tmp_path):
    """A loopback server sends half a file and stalls; the real command is killed with SIGKILL mid-download."""
    import http.server
    import signal
    import threading
    import time

    class Stalling(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"x" * 50000)
            self.wfile.flush()
            time.sleep(20)  # until the client is killed (bounded: the server thread is a daemon)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stalling)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        reg, registry, _, cache = make_toy(tmp_path, base=f"http://127.0.0.1:{server.server_address[1]}",
                                           write_mirror=False)
        exe = shutil.which("ratify", path=str(Path(sys.executable).parent)) or "ratify"
        env = {**os.environ, "RATIFY_REGISTRY": str(registry), "RATIFY_DATA_CACHE": str(cache), "RATIFY_DATA_MIRROR": ""}
        proc = subprocess.Popen([exe, "data", "fetch", "-q", "toy_states"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        folder = cache / reg.resolve("toy_states").cache_relpath.parent
        deadline = time.time() + 60
        while time.time() < deadline and not (folder.is_dir() and any(
                p.stat().st_size > 0 for p in folder.iterdir())):
            time.sleep(0.1)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        server.shutdown()
    leftovers = list(folder.iterdir())
    assert len(leftovers) == 1 and leftovers[0].name.startswith("tmp")
    recent = run(["data", "status"], registry, cache)
    assert "1 temporary file(s) written in the last 10 minutes" in recent.output
    old = time.time() - 3600
    os.utime(leftovers[0], (old, old))
    stale = run(["data", "status"], registry, cache)
    assert "1 stale temporary file(s)" in stale.output and str(leftovers[0]) in stale.output
    cleaned = run(["data", "clean"], registry, cache)
    assert cleaned.exit_code == 0 and "removed 1 temporary file(s)" in cleaned.output
    assert not leftovers[0].exists()
    assert "temporary" not in run(["data", "status"], registry, cache).output
