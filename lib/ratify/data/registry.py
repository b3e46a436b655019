"""The registry of upstream files: what we use, where it lives, and its SHA-256.

``data/sources.toml`` is generated from the shared manifest (see
:mod:`ratify.data.manifest`). A *source* is a dataset (``polity5``); a source holds
one or more *files*, named by their path inside the upstream repository.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .errors import RegistryError, UnknownSourceError
from .locations import REGISTRY_ENV, registry_file

#: Fields every file entry carries after source-level defaults are merged in.
FIELDS = ("url", "sha256", "bytes", "format", "licence", "citation", "coverage", "notes")


@dataclass(frozen=True)
class DataFile:
    """One registered upstream file."""

    source: str
    file: str
    url: str
    sha256: str
    bytes: int
    format: str
    licence: str
    citation: str
    coverage: str = ""
    notes: str = ""

    @property
    def key(self) -> str:
        """``source:file``, the id the CLI accepts and error messages print."""
        return f"{self.source}:{self.file}"

    @property
    def mirror_relpath(self) -> Path:
        """Path inside a mirror: the URL without its scheme, percent-decoding undone."""
        parts = urlsplit(self.url)
        return Path(parts.netloc, unquote(parts.path).lstrip("/"))

    @property
    def cache_relpath(self) -> Path:
        """Path inside the cache: one folder per source, then the upstream path."""
        return Path(self.source, self.file)


def file_in_repo(url: str) -> str:
    """The path after ``owner/repo/<commit>/`` in a commit-pinned raw GitHub URL."""
    parts = unquote(urlsplit(url).path).lstrip("/").split("/")
    if len(parts) < 4 or len(parts[2]) != 40:
        raise ValueError(f"Not a commit-pinned raw URL (owner/repo/<40-hex commit>/path): {url}")
    return "/".join(parts[3:])


def closest(bad: str, choices: list[str], n: int = 5) -> list[str]:
    """Valid ids that look like ``bad``: those containing it, then fuzzy matches."""
    low = bad.lower()
    contains = [c for c in choices if low and low in c.lower()]
    fuzzy = difflib.get_close_matches(bad, choices, n=n, cutoff=0.5)
    return list(dict.fromkeys(contains + fuzzy))[:n]


class Registry:
    """All registered files, looked up by source id and file name."""

    def __init__(self, files: list[DataFile], origin: Path | None = None):
        self.files = files
        self.origin = origin

    @classmethod
    def load(cls, path: Path | str | None = None) -> "Registry":
        """Read a registry; a missing or malformed one raises :class:`RegistryError` saying which and how to fix it."""
        path = Path(path) if path else registry_file()
        where = f"{path} (named by {REGISTRY_ENV})" if os.environ.get(REGISTRY_ENV) else str(path)
        fix = (f"Point {REGISTRY_ENV} at a registry (a sources.toml built by scripts/build_registry.py), "
               "or unset it to use the repository's data/sources.toml.")
        try:
            with open(path, "rb") as fh:
                table = tomllib.load(fh)
        except FileNotFoundError:
            raise RegistryError(f"There is no data registry at {where}. {fix}") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
            raise RegistryError(f"The data registry {where} cannot be read ({err}). {fix}") from None
        files = []
        for source, spec in table.items():
            entries = spec.get("files") if isinstance(spec, dict) else None
            if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
                raise RegistryError(f"The data registry {where}: source {source!r} has no [[{source}.files]] list. {fix}")
            defaults = {k: v for k, v in spec.items() if k != "files"}
            for i, entry in enumerate(entries):
                merged = {**defaults, **entry}
                try:
                    files.append(DataFile(source=source, **merged))
                except TypeError as err:
                    missing = [k for k in FIELDS + ("file",) if k not in merged]
                    unknown = sorted(set(merged) - set(FIELDS) - {"file"})
                    what = (f"lacks {missing}" if missing else f"has unknown fields {unknown}") if missing or unknown \
                        else str(err)
                    raise RegistryError(f"The data registry {where}: file {i + 1} of source {source!r} {what}. {fix}") \
                        from None
        return cls(files, origin=path)

    @cached_property
    def by_source(self) -> dict[str, list[DataFile]]:
        out: dict[str, list[DataFile]] = {}
        for f in self.files:
            out.setdefault(f.source, []).append(f)
        return out

    @property
    def sources(self) -> list[str]:
        return sorted(self.by_source)

    def source_files(self, source: str) -> list[DataFile]:
        """Every file of ``source``; unknown ids raise with the closest valid ones."""
        try:
            return self.by_source[source]
        except KeyError:
            raise UnknownSourceError(
                "data source", source, closest(source, self.sources),
                "See `ratify data status` for every registered source.",
            ) from None

    def resolve(self, source: str, file: str | None = None) -> DataFile:
        """The one file meant by ``source`` (and ``file``: upstream path or base name)."""
        files = self.source_files(source)
        if file is None:
            if len(files) == 1:
                return files[0]
            names = [f.file for f in files]
            shown = ", ".join(names[:8]) + (" ..." if len(names) > 8 else "")
            raise UnknownSourceError(
                f"file for source {source!r}: it has {len(files)} files and none was named;"
                " pass file=... — got", "None", [], f"Files: {shown}",
            )
        exact = [f for f in files if f.file == file]
        by_name = [f for f in files if Path(f.file).name == file]
        match = exact or by_name
        if len(match) == 1:
            return match[0]
        names = [f.file for f in files]
        raise UnknownSourceError(
            f"file in source {source!r}", file,
            closest(file, names) if not match else [m.file for m in match],
        )

    def select(self, ids: list[str] | None) -> list[DataFile]:
        """Files for CLI ids: ``source`` (all its files) or ``source:file``; none = all."""
        if not ids:
            return list(self.files)
        chosen: list[DataFile] = []
        for ident in ids:
            source, _, file = ident.partition(":")
            chosen.extend([self.resolve(source, file)] if file else self.source_files(source))
        return list(dict.fromkeys(chosen))
