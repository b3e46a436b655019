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
