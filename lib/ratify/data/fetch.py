"""Fetch registered files into the cache, verified by SHA-256.

Each file comes from the local mirror when ``RATIFY_DATA_MIRROR`` names one that
holds it, otherwise from its pinned URL. Downloads and copies go through
:func:`pooch.retrieve`, which writes to a temporary file beside the target, checks
the hash and only then moves it into place, so the cache never holds a partial or
unverified file.
"""

from __future__ import annotations

import re
import shutil
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import requests
from tqdm import TqdmWarning, tqdm

# pooch imports tqdm.auto, which inside a Jupyter kernel without ipywidgets warns that it cannot
# draw a widget bar. pooch never draws a bar here (progressbar=False; ours is a console bar), so
# that one warning says nothing about the book and would otherwise land in a page's output.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="IProgress not found", category=TqdmWarning)
    import pooch

from .errors import CacheNotWritableError, CorruptFileError, DataError, DataUnavailableError, Failure, OfflineError
from .locations import cache_dir, mirror_dir
from .registry import DataFile

pooch.get_logger().setLevel("WARNING")  # our own progress bar says what is happening

HTTP_TIMEOUT_S = 60
_GOT_HASH = re.compile(r"but got ([0-9a-f]{64})")
#: pooch downloads into ``tempfile.NamedTemporaryFile(dir=<target folder>)``: ``tmp`` + 8 characters.
#: A fetch killed outright (SIGKILL, power cut) leaves that file behind.
TEMPORARY = re.compile(r"tmp[a-z0-9_]{8}")
#: A temporary untouched this long is left over: a live download writes to it all the time, and
#: gives up after HTTP_TIMEOUT_S without data.
STALE_TEMPORARY_S = 10 * 60


def sha256(path: Path) -> str:
    return pooch.file_hash(str(path), alg="sha256")


def _copy_from(source: Path):
    """A pooch downloader that copies a mirror file instead of using the network."""

    def download(url: str, output_file, pooch_obj) -> None:  # noqa: ARG001 (pooch's signature)
        shutil.copyfile(source, output_file)

    return download


def _prune_empty_dirs(start: Path, stop: Path) -> None:
    """Remove folders we created for a file that never arrived (up to the cache root)."""
    stop = stop.resolve()
    here = start.resolve()
    while here != stop and stop in here.parents:
        try:
            here.rmdir()
        except OSError:
            return
        here = here.parent


@dataclass
class Origin:
    """Where one attempt gets a file from: a mirror path or the network."""

    label: str
    downloader: object


def _origins(f: DataFile, mirror: Path | None, network: bool) -> tuple[list[Origin], list[str]]:
    origins, notes = [], []
    if mirror is not None:
        candidate = mirror / f.mirror_relpath
        if candidate.is_file():
            origins.append(Origin(f"mirror {candidate}", _copy_from(candidate)))
        elif not mirror.is_dir():
            notes.append(f"the mirror folder {mirror} (RATIFY_DATA_MIRROR) does not exist")
        else:
            notes.append(f"not in the mirror {mirror} (looked for {candidate})")
    if network:
        origins.append(Origin(f"URL {f.url}", pooch.HTTPDownloader(progressbar=False, timeout=HTTP_TIMEOUT_S)))
    else:
        notes.append("network not tried (an earlier download could not connect)")
    return origins, notes


def retrieve(f: DataFile, *, cache: Path | None = None, mirror: Path | None = None,
             network: bool = True) -> Path:
    """Return the verified cached copy of ``f``, fetching it first if needed.

    Raises :class:`CorruptFileError` when a copy's hash is wrong (the copy is
    deleted), :class:`DataUnavailableError` when no origin can supply it, and its
    subclass :class:`OfflineError` (with every origin's note) when the network could
    not be reached.
    """
    cache = Path(cache) if cache else cache_dir()
    target = cache / f.cache_relpath
    if target.is_file():
        if sha256(target) == f.sha256:
            return target
        try:
            target.unlink()  # a corrupted cache entry is never served; fetch a fresh copy
        except OSError as err:
            raise CacheNotWritableError(f.key, str(target), err.strerror or str(err)) from None
    origins, notes = _origins(f, mirror, network)
    for origin in origins:
        try:
            pooch.retrieve(f.url, known_hash=f"sha256:{f.sha256}", fname=target.name,
                           path=target.parent, downloader=origin.downloader, progressbar=False)
            return target
        except ValueError as err:  # pooch: hash mismatch, temporary file already deleted
            _prune_empty_dirs(target.parent, cache)
            found = _GOT_HASH.search(str(err))
            raise CorruptFileError(f.key, origin.label, f.sha256,
                                   found.group(1) if found else "unknown") from None
        except (requests.ConnectionError, requests.Timeout) as err:
            _prune_empty_dirs(target.parent, cache)
            notes.append(f"{origin.label}: could not connect ({type(err).__name__})")
            raise OfflineError([Failure(f, "; ".join(notes), str(target))]) from None
        except (OSError, requests.RequestException) as err:
            notes.append(f"{origin.label}: {err}")
    _prune_empty_dirs(target.parent, cache)
    raise DataUnavailableError([Failure(f, "; ".join(notes) or "no origin", str(target))])


def fetch(files: Iterable[DataFile], *, cache: Path | None = None, mirror: Path | None = None,
          progress: bool = True) -> list[Path]:
    """Fetch many files with one progress bar; report every failure at the end.

    After the first failed connection the network is not tried again, so an
    offline machine gets its full list of missing files at once, not one timeout
    per file.
    """
    files = list(files)
    cache = Path(cache) if cache else cache_dir()
    mirror = mirror if mirror is not None else mirror_dir()
    network = True
    paths, failures = [], []
    with tqdm(total=sum(f.bytes for f in files), unit="B", unit_scale=True, unit_divisor=1024,
              desc="ratify data fetch", disable=not progress) as bar:
        for f in files:
            bar.set_postfix_str(f.key[-40:], refresh=False)
            try:
                paths.append(retrieve(f, cache=cache, mirror=mirror, network=network))
            except DataUnavailableError as err:
                network = network and not isinstance(err, OfflineError)
                failures.extend(err.failures)
            except DataError as err:  # a corrupt copy (from the origin, or stuck in a read-only cache)
                failures.append(Failure(f, str(err), str(cache / f.cache_relpath)))
            bar.update(f.bytes)
    if failures:
        raise DataUnavailableError(failures)
    return paths


@dataclass(frozen=True)
class FileState:
    """What the cache holds for one registered file."""

    file: DataFile
    state: str  # "present", "missing" or "corrupt"
    detail: str = ""


def inspect(files: Iterable[DataFile], *, cache: Path | None = None, rehash: bool = False,
            progress: bool = False) -> list[FileState]:
    """Check the cache without changing it: by size (fast) or by SHA-256 (``rehash``)."""
    cache = Path(cache) if cache else cache_dir()
    out = []
    for f in tqdm(list(files), desc="ratify data verify", disable=not progress):
        path = cache / f.cache_relpath
        if not path.is_file():
            out.append(FileState(f, "missing"))
            continue
        size = path.stat().st_size
        if size != f.bytes:
            out.append(FileState(f, "corrupt", f"{size} bytes, expected {f.bytes}"))
        elif rehash and (actual := sha256(path)) != f.sha256:
            out.append(FileState(f, "corrupt", f"sha256 {actual}, expected {f.sha256}"))
        else:
            out.append(FileState(f, "present"))
    return out


@dataclass(frozen=True)
class Temporary:
    """A download's temporary file in the cache (pooch's ``tmpXXXXXXXX``)."""

    path: Path
    bytes: int
    age_s: float

    @property
    def stale(self) -> bool:
        return self.age_s > STALE_TEMPORARY_S


def temporaries(files: Iterable[DataFile], *, cache: Path | None = None) -> list[Temporary]:
    """Temporary files of downloads in the folders of ``files`` (registered files themselves excluded)."""
    cache = Path(cache) if cache else cache_dir()
    registered = {cache / f.cache_relpath for f in files}
    folders = {p.parent for p in registered}
    now, out = time.time(), []
    for folder in sorted(folders):
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and TEMPORARY.fullmatch(path.name) and path not in registered:
                stat = path.stat()
                out.append(Temporary(path, stat.st_size, now - stat.st_mtime))
    return out


def remove_stale_temporaries(files: Iterable[DataFile], *, cache: Path | None = None,
                             min_age_s: float = STALE_TEMPORARY_S) -> list[Temporary]:
    """Delete the temporaries untouched for ``min_age_s`` (left by killed fetches); return them."""
    gone = [t for t in temporaries(files, cache=cache) if t.age_s >= min_age_s]
    for t in gone:
        t.path.unlink(missing_ok=True)
    return gone
