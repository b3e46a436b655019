"""Fetching: mirror copies, downloads, hash checks, offline failure, nothing half-written."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading

import pytest

from ratify.data import (CorruptFileError, DataUnavailableError, fetch, inspect, retrieve)

from conftest import TOY_FILES, files_under, free_port, make_toy


def test_fetch_from_mirror_copies_and_verifies_every_file(toy):
    reg, _, mirror, cache = toy
    paths = fetch(reg.files, cache=cache, mirror=mirror, progress=False)
    assert len(paths) == len(TOY_FILES)
    for f, p in zip(reg.files, paths):
        assert p == cache / f.source / f.file
        assert p.read_bytes() == TOY_FILES[(f.source, f.file)]
    assert {s.state for s in inspect(reg.files, cache=cache, rehash=True)} == {"present"}


def test_corrupt_mirror_file_is_rejected_with_both_hashes_and_not_kept(toy):
    reg, _, mirror, cache = toy
    f = reg.resolve("toy_states")
    (mirror / f.mirror_relpath).write_bytes(b"ccode,statenme\n2,Tampered\n")
    with pytest.raises(CorruptFileError) as err:
        retrieve(f, cache=cache, mirror=mirror)
    msg = str(err.value)
    assert f.sha256 in msg
    assert err.value.actual != f.sha256 and err.value.actual in msg
    assert files_under(cache) == []  # neither the bad copy nor a temporary file is left


def test_corrupted_cache_entry_is_detected_and_replaced(toy):
    reg, _, mirror, cache = toy
    f = reg.resolve("toy_states")
    path = retrieve(f, cache=cache, mirror=mirror)
    good = path.read_bytes()
    path.write_bytes(good.replace(b"Canada", b"Kanada"))  # same size: only a hash notices
    assert inspect([f], cache=cache)[0].state == "present"
    state = inspect([f], cache=cache, rehash=True)[0]
    assert state.state == "corrupt" and f.sha256 in state.detail
    assert retrieve(f, cache=cache, mirror=mirror).read_bytes() == good


def test_offline_without_mirror_lists_every_missing_file_and_leaves_cache_empty(tmp_path):
    reg, _, _, cache = make_toy(tmp_path, base=f"http://127.0.0.1:{free_port()}", write_mirror=False)
    with pytest.raises(DataUnavailableError) as err:
        fetch(reg.files, cache=cache, mirror=None, progress=False)
    msg = str(err.value)
    assert len(err.value.failures) == len(TOY_FILES)
    for f in reg.files:
        assert f.key in msg and f.url in msg
    assert "RATIFY_DATA_MIRROR" in msg
    assert not cache.exists() or list(cache.rglob("*")) == []  # not even empty folders


@pytest.fixture
def loopback_server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/served; yields (base URL, root folder)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", root
    server.shutdown()


def test_file_missing_from_mirror_falls_back_to_its_url(tmp_path, loopback_server):
    """A mirror may be partial: a file it lacks is downloaded (here from a loopback server)."""
    base, served = loopback_server
    reg, _, mirror, cache = make_toy(tmp_path / "toy", base=base)
    shutil.copytree(mirror / base.split("://", 1)[1], served, dirs_exist_ok=True)  # serve every file
    gone = reg.resolve("toy_states")
    (mirror / gone.mirror_relpath).unlink()
    paths = fetch(reg.files, cache=cache, mirror=mirror, progress=False)
    assert [p.read_bytes() for p in paths] == [TOY_FILES[(f.source, f.file)] for f in reg.files]


def test_download_with_wrong_hash_is_rejected(tmp_path, loopback_server):
    base, served = loopback_server
    reg, _, _, cache = make_toy(tmp_path / "toy", base=base)
    f = reg.resolve("toy_states")
    target = served / str(f.mirror_relpath).split("/", 1)[1]
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not the registered bytes")
    with pytest.raises(CorruptFileError, match=f.sha256):
        retrieve(f, cache=cache, mirror=None)
    assert files_under(cache) == []
