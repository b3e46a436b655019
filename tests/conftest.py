"""Shared fixtures: a throw-away registry + mirror, and access to the real data.

Real-data tests run against the mirror named by RATIFY_DATA_MIRROR (CI sets it to
../shared/data/mirror) or, failing that, the network. When neither can supply data
they are skipped with a banner at the end of the run; under CI (CI=true) that is a
failure instead, because CI always has the mirror.
"""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path

import pytest
from urllib.parse import unquote

from ratify.data import Registry
from ratify.data.manifest import registry_table

ROOT = Path(__file__).resolve().parents[1]
SHARED_MANIFEST = ROOT.parent / "shared" / "data" / "MANIFEST.tsv"


def _network_reachable(host: str = "raw.githubusercontent.com") -> bool:
    try:
        socket.create_connection((host, 443), timeout=3).close()
        return True
    except OSError:
        return False


def _cache_complete() -> bool:
    """Every registered file already verified-size in the cache (e.g. after `make data`)."""
    from ratify import data
    return all(s.state == "present" for s in data.inspect(data.registry().files))


@pytest.fixture(scope="session")
def real_mirror() -> Path | None:
    """The real data mirror, or None when the network must serve the files instead."""
    value = os.environ.get("RATIFY_DATA_MIRROR")
    if value and Path(value).is_dir():
        return Path(value)
    reason = (f"NO DATA: RATIFY_DATA_MIRROR={value!r} is not a directory" if value
              else "NO DATA: RATIFY_DATA_MIRROR is not set") + ", the network is unreachable and the cache is incomplete"
    if _network_reachable() or _cache_complete():
        return None
    if os.environ.get("CI"):
        pytest.fail(reason + " — CI must have the mirror (../shared/data/mirror).")
    pytest.skip(reason)


def pytest_terminal_summary(terminalreporter):
    """Make skipped real-data tests impossible to miss."""
    skipped = [r for r in terminalreporter.stats.get("skipped", []) if "NO DATA" in str(r.longrepr)]
    if skipped:
        terminalreporter.section("REAL-DATA TESTS SKIPPED", sep="!", red=True, bold=True)
        terminalreporter.write_line(
            f"{len(skipped)} test(s) needing upstream data did not run (no mirror, no network). "
            "Set RATIFY_DATA_MIRROR to a mirror directory (e.g. ../shared/data/mirror) to run them.")


# --- a tiny, hand-made registry and mirror -------------------------------------------------

COMMIT = "0123456789abcdef0123456789abcdef01234567"
TOY_FILES = {
    # (source, path in repo): content in the upstream format
    ("toy_states", "data/states.csv"): b"ccode,statenme,styear\n2,United States of America,1816\n20,Canada,1920\n",
    ("toy_treaties", "treaties/4-9.csv"): b"Participant,Signature,Ratification\nCanada,,24 Jun 1987 a\n",
    ("toy_treaties", "treaties/4-13.csv"): b"Participant,Signature\nMexico,22 May 1991\n",
    ("toy_xlsx", "data/MIP Dataset 2022 OG.xlsx"): b"PK\x03\x04 not really a workbook, only bytes",
}


def toy_url(base: str, source: str, path: str) -> str:
    from urllib.parse import quote
    return f"{base}/owner/{source}/{COMMIT}/{quote(path)}"


def make_toy(tmp_path: Path, base: str = "https://raw.githubusercontent.com", *,
             write_mirror: bool = True) -> tuple[Registry, Path, Path, Path]:
    """A registry (TOML on disk), an URL-shaped mirror and an empty cache under tmp_path."""
    import tomli_w

    mirror, cache = tmp_path / "mirror", tmp_path / "cache"
    rows = []
    for (source, path), content in TOY_FILES.items():
        url = toy_url(base, source, path)
        rows.append({
            "source": source, "file": path, "url": url,
            "sha256": hashlib.sha256(content).hexdigest(), "bytes": len(content),
            "format": "csv", "licence": "CC0", "citation": f"Toy data {source}",
            "coverage": "a few rows", "notes": "",
        })
        if write_mirror:
            target = mirror / unquote(url.split("://", 1)[1])  # the mirror decodes %20 etc.
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
    registry_path = tmp_path / "sources.toml"
    registry_path.write_text(tomli_w.dumps(registry_table(rows)))
    return Registry.load(registry_path), registry_path, mirror, cache


@pytest.fixture
def toy(tmp_path):
    return make_toy(tmp_path)


def free_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused at once."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def files_under(path: Path) -> list[Path]:
    return sorted(p for p in path.rglob("*") if p.is_file()) if path.exists() else []


# --- R, the second implementation the model tests compare against ---------------------------

@pytest.fixture(scope="session")
def rscript() -> str:
    """Path to Rscript with survival and sandwich; skip loudly without it, fail under CI."""
    import shutil
    import subprocess

    exe = shutil.which("Rscript")
    ok = exe and subprocess.run([exe, "-e", "library(survival); library(sandwich)"],
                                capture_output=True).returncode == 0
    if ok:
        return exe
    reason = "NO R: Rscript with survival and sandwich is needed (apt-get install r-base-core r-cran-survival r-cran-sandwich)"
    if os.environ.get("CI"):
        pytest.fail(reason + " — .ci/run installs them.")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def rscript_ordinal(rscript) -> str:
    """Rscript that also has MASS (polr) and ordinal (clm) for the ordered-logit check."""
    import subprocess

    if subprocess.run([rscript, "-e", "library(MASS); library(ordinal)"], capture_output=True).returncode == 0:
        return rscript
    reason = "NO R: the ordered-logit check needs MASS and ordinal (apt-get install r-cran-mass r-cran-ordinal)"
    if os.environ.get("CI"):
        pytest.fail(reason + " — .ci/run installs them.")
    pytest.skip(reason)


# --- the real book, built once per session (test_book.py checks the build, test_site.py the site) --

@pytest.fixture(scope="session")
def built_book(real_mirror):
    """The real book: its appendix pages read the data, so it needs the mirror (or cache).

    Built as `make book` builds it (`ratify book build`, warnings are errors); returns the
    html folder and the build log.
    """
    import subprocess
    import sys

    book = ROOT / "book"
    ratify = str(Path(sys.executable).parent / "ratify")
    proc = subprocess.run([ratify, "book", "build", "--book", str(book)], capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    return book / "_build" / "html", proc.stdout + proc.stderr


def flip_random_bit(path: Path, rng) -> None:
    """Flip one bit of ``path`` at a place drawn from ``rng`` (the fuzz tests of every cached artefact)."""
    data = bytearray(path.read_bytes())
    bit = rng.randrange(len(data) * 8)
    data[bit // 8] ^= 1 << (bit % 8)
    path.write_bytes(bytes(data))
