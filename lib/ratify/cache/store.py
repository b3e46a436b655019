"""One derived value on disk: a folder written whole or not at all, and checked on every read.

An entry is a folder holding ``entry.json`` (the value's tree, see :mod:`.codec`, plus what it
was made from) and the Parquet and ``.npy`` files the tree names. ``entry.json`` records the
SHA-256 of each of those files and of its own content, so a flipped bit anywhere is caught on
the next read: the entry is rebuilt and a one-line warning says so, instead of a changed
number being served.

Writes go to a temporary folder beside the entry, which is renamed into place when complete:
parallel variants racing to fill one entry both compute, one rename wins, nobody reads half an
entry. A folder that cannot be written (read-only disk, no permission) costs the caching, not
the result: the value is returned and one warning per folder says so.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from . import codec
from .keys import sha256_file

ENTRY = "entry.json"
FORMAT = 1
#: Suffix of folders still being written (or left behind by a process that was killed).
PARTIAL = ".partial"

log = logging.getLogger("ratify.cache")
_warned: set[str] = set()


class Damaged(ValueError):
    """An entry that is there but fails its checks (the reason is the message)."""


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


MISSING = _Missing()  # "no entry there"


def _digest(body: dict) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def warn(message: str, *, once: str | None = None) -> None:
    """One line on stderr (``ratify cache: ...``); with ``once``, only the first time per process."""
    if once is not None:
        if once in _warned:
            return
        _warned.add(once)
    log.warning("ratify cache: %s", message)


def read_entry(folder: Path) -> dict:
    """``entry.json`` of ``folder`` after its own checksum and every file's SHA-256 are checked."""
    try:
        entry = json.loads((folder / ENTRY).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise Damaged(f"{ENTRY} is missing") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Damaged(f"{ENTRY} is not valid JSON") from None
    if not isinstance(entry, dict) or not isinstance(entry.get("files"), dict) or "value" not in entry:
        raise Damaged(f"{ENTRY} does not have the layout of an entry")
    body = {k: v for k, v in entry.items() if k != "sha256"}
    if entry.get("sha256") != _digest(body):
        raise Damaged(f"{ENTRY} does not match its checksum")
    if entry.get("format") != FORMAT:
        raise Damaged(f"format {entry.get('format')!r}, this library reads format {FORMAT}")
    for name, expected in entry["files"].items():
        path = folder / codec._blob(name)
        if not path.is_file():
            raise Damaged(f"{name} is missing")
        if sha256_file(path) != expected:
            raise Damaged(f"{name} does not match its SHA-256")
    return entry


def load(folder: Path):
    """The value stored in ``folder``, ``MISSING`` when there is none; :class:`Damaged` if it fails a check."""
    if not folder.exists():
        return MISSING
    entry = read_entry(folder)
    try:
        value = codec.decode(entry["value"], folder)
    except Exception as err:  # noqa: BLE001 - whatever a damaged tree makes the readers raise
        raise Damaged(f"cannot be read back ({type(err).__name__}: {str(err)[:200]})") from None
    try:
        os.utime(folder)  # last used: what `ratify cache clear --older-than` goes by
    except OSError:
        pass  # a read-only cache is still a cache
    return value


def save(folder: Path, value, about: dict) -> None:
    """Write ``value`` as the entry ``folder``, whole or not at all.

    Raises :class:`codec.Unstorable` (nothing written) when the value would not come back
    the same, and ``OSError`` when the folder cannot be written."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.", suffix=PARTIAL))
    try:
        tree = codec.encode(value, codec.Blobs(staging))
        files = {p.name: sha256_file(p) for p in sorted(staging.iterdir())}
        body = {"format": FORMAT, "about": about, "files": files, "value": tree,
                "created": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        (staging / ENTRY).write_text(json.dumps({**body, "sha256": _digest(body)}) + "\n", encoding="utf-8")
        if (difference := codec.same(value, codec.decode(tree, staging))) is not None:
            raise codec.Unstorable(f"it does not come back the same ({difference})")
        staging.chmod(0o755)
        move_into_place(staging, folder, keep=_sound)  # a sound entry a parallel process wrote meanwhile stays
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # gone already when it was moved into place


def _sound(folder: Path) -> bool:
    try:
        read_entry(folder)
        return True
    except Damaged:
        return False


def move_into_place(staging: Path, target: Path, keep=lambda existing: False) -> bool:
    """Rename the folder ``staging`` to ``target``, replacing what is there unless ``keep(target)``
    says to keep it (then ``staging`` stays where it is); True when ``staging`` took its place.

    Another process may be doing the same to ``target`` at the same moment: whoever renames last wins,
    and nobody sees a half-replaced folder. Shared with the variant runner's output folders."""
    for _ in range(10):
        try:
            os.rename(staging, target)  # also replaces an empty folder
            return True
        except OSError:
            if not target.exists():
                raise
        if keep(target):
            return False
        trash = target.with_name(f".{target.name}.{secrets.token_hex(4)}{PARTIAL}")
        try:
            os.rename(target, trash)
        except FileNotFoundError:
            continue
        try:
            os.rename(staging, target)
            return True
        except OSError:
            continue
        finally:
            shutil.rmtree(trash, ignore_errors=True)
    raise OSError(f"could not move {staging} into {target}: other processes kept replacing it")


def reuse_or_build(folder: Path, build, about: dict, label: str):
    """The stored value of ``folder`` if it passes its checks, else ``build()`` (stored for next time).

    A damaged entry is rebuilt with one warning; a value that cannot be stored, or a folder that
    cannot be written, is returned uncached with one warning (per label or folder)."""
    try:
        value = load(folder)
    except Damaged as err:
        warn(f"{label}: the stored entry {folder} failed its check ({err}); rebuilding it")
        value = MISSING
    except OSError as err:
        warn(f"cannot read {folder} ({err.strerror or err}); computing without the cache", once=str(folder.parent))
        value = MISSING
    if value is not MISSING:
        return value
    value = build()
    try:
        save(folder, value, about)
    except codec.Unstorable as err:
        warn(f"{label}: cannot store its result ({err}); computed without caching", once=label)
    except OSError as err:
        where = folder.parent
        warn(f"cannot write to {where} ({err.strerror or err}); computing without caching", once=str(where))
    return value
