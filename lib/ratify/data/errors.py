"""Errors raised by the data layer.

Each message names the file, where it should come from and what to do next, so a
reader who meets one in a notebook can fix their set-up without reading our code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from .registry import DataFile

MIRROR_ENV = "RATIFY_DATA_MIRROR"
CACHE_ENV = "RATIFY_DATA_CACHE"

HOW_TO_SUPPLY = (
    "To supply the files, either\n"
    f"  * point {MIRROR_ENV} at a directory laid out like the URLs (host/owner/repo/commit/path),\n"
    f"    e.g. `export {MIRROR_ENV}=../shared/data/mirror`, or\n"
    "  * run on a machine that can reach the URLs, or\n"
    "  * download each URL by hand into the cache path shown.\n"
    "Then run `ratify data fetch` (or `make data`)."
)


class DataError(Exception):
    """Base class: anything that stops us from handing out a verified file."""


class UnknownSourceError(DataError, KeyError):
    """A source id (or a file within a source) that the registry does not know."""

    def __init__(self, what: str, bad: str, suggestions: Sequence[str], valid_hint: str = ""):
        self.bad = bad
        self.suggestions = list(suggestions)
        msg = f"Unknown {what} {bad!r}."
        if self.suggestions:
            msg += " Did you mean: " + ", ".join(self.suggestions) + "?"
        if valid_hint:
            msg += f" {valid_hint}"
        super().__init__(msg)

    def __str__(self) -> str:  # KeyError would repr() the message otherwise
        return self.args[0]


@dataclass
class Failure:
    """Why one registered file could not be had."""

    file: "DataFile"
    reason: str
    target: str


class RegistryError(DataError):
    """The registry file is missing, unreadable or not laid out as a registry."""


class CacheNotWritableError(DataError):
    """A corrupt cached copy that cannot be removed, because the cache is read-only."""

    def __init__(self, key: str, target: str, reason: str):
        super().__init__(
            f"The cached copy of {key} at {target} is corrupt (its SHA-256 is not the registered one) and "
            f"cannot be removed ({reason}). Make the cache writable, or point {CACHE_ENV} at a writable "
            f"folder, then run `ratify data fetch {key}`.")


class DataUnavailableError(DataError):
    """One or more files could be had neither from the mirror nor from their URL."""

    def __init__(self, failures: Sequence[Failure]):
        self.failures = list(failures)
        lines = [f"{len(self.failures)} data file(s) could not be fetched and verified:"]
        for f in self.failures:
            lines.append(f"  - {f.file.key}")
            lines.append(f"      url:   {f.file.url}")
            lines.append(f"      cache: {f.target}")
            lines.append(f"      why:   {f.reason}")
        lines.append(HOW_TO_SUPPLY)
        super().__init__("\n".join(lines))


class OfflineError(DataUnavailableError):
    """A file could not be had and the network could not be reached (the fetch stops trying it)."""


class CorruptFileError(DataError):
    """A file whose SHA-256 is not the registered one. The bad copy is never kept."""

    def __init__(self, key: str, origin: str, expected: str, actual: str):
        self.key, self.origin, self.expected, self.actual = key, origin, expected, actual
        super().__init__(
            f"Hash mismatch for {key} (from {origin}): expected sha256 {expected}, "
            f"got {actual}. The file was not kept. Replace the copy at its origin "
            "(mirror or download) with the registered version; if the registry is "
            "out of date, refresh it with `python scripts/build_registry.py`."
        )
