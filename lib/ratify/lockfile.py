"""The pinned environment: ``requirements.txt`` holds exact versions and hashes of every package.

``pyproject.toml`` declares version *ranges*; a replication needs the exact versions that built
the book. ``make lock`` resolves the ranges once (``uv pip compile --generate-hashes``) and
stamps the lockfile with a SHA-256 of the declared dependency list, so a test can tell,
without the network, when someone changed ``pyproject.toml`` and forgot to relock:

- the stamp no longer matches the declared list, or
- a declared requirement (extras included) is missing from the lock, or pinned at a version
  its declared range does not admit.

Only the standard library is imported at module level: ``make lock`` runs this with a bare
Python before any virtual environment exists.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from pathlib import Path

# the repository root (as ratify.data.locations has it; importing that package needs pooch)
PROJECT_ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = PROJECT_ROOT / "pyproject.toml"
LOCKFILE = PROJECT_ROOT / "requirements.txt"
STAMP = "pyproject-dependencies-sha256"
HEADER = """\
# The pinned environment of *Ratification*: exact versions and SHA-256 hashes of every package the
# book and its tests install (pyproject.toml's dependencies and extras), resolved for Python 3.11
# on Linux, macOS and Windows. Do not edit: regenerate with `make lock` after changing pyproject.toml.
# `make install`, CI and Binder install it with `pip install --require-hashes -r requirements.txt`.
# {stamp}: {digest}
"""
#: ``name==version`` at the start of a requirement line, optionally followed by ``; marker``.
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def declared(pyproject: Path = PYPROJECT) -> dict:
    """What the lock is made from: requires-python, the dependencies and every extra."""
    project = tomllib.loads(pyproject.read_text())["project"]
    return {"requires-python": project.get("requires-python", ""),
            "dependencies": project.get("dependencies", []),
            "optional-dependencies": project.get("optional-dependencies", {})}


def declared_digest(pyproject: Path = PYPROJECT) -> str:
    """SHA-256 of the declared lists (canonical JSON: comments and layout in pyproject do not count)."""
    return hashlib.sha256(json.dumps(declared(pyproject), sort_keys=True).encode()).hexdigest()


def stamped(compiled: str, digest: str) -> str:
    """The lockfile text: our header (with the stamp) above the resolver's output."""
    return HEADER.format(stamp=STAMP, digest=digest) + compiled


def recorded_digest(lock_text: str) -> str | None:
    """The stamp written by ``make lock``, or None if the file has none."""
    found = re.search(rf"^# {STAMP}: ([0-9a-f]{{64}})$", lock_text, re.M)
    return found.group(1) if found else None


def pins(lock_text: str) -> dict[str, list[tuple[str, str | None]]]:
    """Canonical package name -> [(version, environment marker or None)] for every pin in the lock."""
    from packaging.utils import canonicalize_name

    out: dict[str, list[tuple[str, str | None]]] = {}
    for line in lock_text.splitlines():
        if (m := PIN.match(line)):
            out.setdefault(canonicalize_name(m.group(1)), []).append((m.group(2), m.group(3)))
    return out


def out_of_step(pyproject: Path = PYPROJECT, lockfile: Path = LOCKFILE) -> list[str]:
    """Every way the lock disagrees with pyproject.toml, one line each; [] when in step."""
    from packaging.markers import Marker
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    fix = "run `make lock` and commit requirements.txt"
    if not lockfile.exists():
        return [f"{lockfile.name} is missing; {fix}"]
    text = lockfile.read_text()
    problems = []
    if (recorded := recorded_digest(text)) != (current := declared_digest(pyproject)):
        problems.append(f"{lockfile.name} was locked from other dependencies (stamp {str(recorded)[:12]}, "
                        f"pyproject.toml now {current[:12]}); {fix}")
    locked = pins(text)
    spec = declared(pyproject)
    python = "3.11"  # the one Python the book supports (requires-python); extras are evaluated as requested
    for extra, reqs in [("", spec["dependencies"]), *spec["optional-dependencies"].items()]:
        for req in map(Requirement, reqs):
            env = {"python_version": python, "python_full_version": python + ".0", "extra": extra}
            if req.marker and not req.marker.evaluate(env):
                continue
            where = f"[{extra}] " if extra else ""
            found = [(v, m) for v, m in locked.get(canonicalize_name(req.name), [])
                     if m is None or Marker(m).evaluate({"python_version": python,
                                                         "python_full_version": python + ".0"})]
            if not found:
                problems.append(f"{where}{req} is declared but not pinned in {lockfile.name}; {fix}")
            problems += [f"{where}{req} is declared but {lockfile.name} pins {req.name}=={v}; {fix}"
                         for v, _ in found if not req.specifier.contains(v, prereleases=True)]
    return problems
