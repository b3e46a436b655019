"""One pinned environment: pyproject.toml declares ranges, requirements.txt pins them (with hashes),
and make, CI and Binder (environment.yml) all install that lock."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from ratify import lockfile
from ratify.data.locations import PROJECT_ROOT

PYPROJECT = """\
[project]
name = "toy"
requires-python = ">=3.11,<3.12"
dependencies = ["pandas>=2.2,<3", "numpy>=1.26,<3"]
[project.optional-dependencies]
test = ["pytest>=8,<10"]
"""
COMPILED = """\
numpy==2.1.0 \\
    --hash=sha256:{h}
pandas==2.2.3 \\
    --hash=sha256:{h}
pytest==8.3.0 \\
    --hash=sha256:{h}
colorama==0.4.6 ; sys_platform == 'win32' \\
    --hash=sha256:{h}
""".format(h="0" * 64)


@pytest.fixture
def toy_project(tmp_path):
    pyproject, lock = tmp_path / "pyproject.toml", tmp_path / "requirements.txt"
    pyproject.write_text(PYPROJECT)
    lock.write_text(lockfile.stamped(COMPILED, lockfile.declared_digest(pyproject)))
    return pyproject, lock


def test_the_lock_is_in_step_with_pyproject():
    assert lockfile.out_of_step() == []


def test_every_pin_carries_a_hash():
    text = lockfile.LOCKFILE.read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 5)[-1])
    pinned = [b for b in blocks if lockfile.PIN.match(b.splitlines()[0])]
    assert len(pinned) == sum(len(v) for v in lockfile.pins(text).values()) > 50
    assert [b.splitlines()[0] for b in pinned if "--hash=sha256:" not in b] == []


def test_toy_lock_in_step(toy_project):
    assert lockfile.out_of_step(*toy_project) == []
    assert lockfile.pins(toy_project[1].read_text())["colorama"] == [("0.4.6", "sys_platform == 'win32'")]


def test_a_new_dependency_without_relocking_is_named(toy_project):
    pyproject, lock = toy_project
    pyproject.write_text(PYPROJECT.replace('"numpy>=1.26,<3"', '"numpy>=1.26,<3", "pyarrow>=15"'))
    problems = lockfile.out_of_step(pyproject, lock)
    assert len(problems) == 2
    assert "was locked from other dependencies" in problems[0] and "make lock" in problems[0]
    assert problems[1].startswith("pyarrow>=15 is declared but not pinned in requirements.txt")


def test_a_pin_outside_the_declared_range_is_named(toy_project):
    pyproject, lock = toy_project
    pyproject.write_text(PYPROJECT.replace('"pytest>=8,<10"', '"pytest>=9,<10"'))
    lock.write_text(lockfile.stamped(COMPILED, lockfile.declared_digest(pyproject)))  # stamped, yet stale
    assert lockfile.out_of_step(pyproject, lock) == [
        "[test] pytest<10,>=9 is declared but requirements.txt pins pytest==8.3.0; "
        "run `make lock` and commit requirements.txt"]


def test_the_stamp_ignores_layout_but_not_content(toy_project):
    pyproject, _ = toy_project
    before = lockfile.declared_digest(pyproject)
    pyproject.write_text(PYPROJECT.replace('["pandas', '[  # a comment\n  "pandas'))
    assert lockfile.declared_digest(pyproject) == before
    pyproject.write_text(PYPROJECT.replace("<3.12", "<3.13"))
    assert lockfile.declared_digest(pyproject) != before


def test_a_missing_lock_is_reported(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    assert lockfile.out_of_step(tmp_path / "pyproject.toml", tmp_path / "requirements.txt") == [
        "requirements.txt is missing; run `make lock` and commit requirements.txt"]


# --- everyone installs the lock --------------------------------------------------------------------

def test_environment_yml_installs_exactly_the_lock():
    """Conda supplies Python and pip only; the packages come from the lock, hashes checked."""
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d["pip"] for d in env["dependencies"] if isinstance(d, dict)]
    assert sorted(conda) == ["pip", "python=3.11"]
    assert pip == [["--require-hashes", "-r requirements.txt"]]


def test_environment_yml_python_is_the_declared_one():
    requires = tomllib.loads(lockfile.PYPROJECT.read_text())["project"]["requires-python"]
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    version = python.split("=", 1)[1]
    assert f"{version}.0" in SpecifierSet(requires) and f"{version}.99" in SpecifierSet(requires)


def test_make_and_binder_install_the_lock_with_hashes():
    makefile = (PROJECT_ROOT / "Makefile").read_text()
    assert "LOCK       := requirements.txt" in makefile
    assert re.search(r"^\$\(STAMP\): \$\(LOCK\)", makefile, re.M), "the install stamp must depend on the lock"
    assert "pip install --quiet --require-hashes -r $(LOCK)" in makefile
    post_build = (PROJECT_ROOT / "postBuild").read_text()
    assert "pip install --no-deps" in post_build  # the lock is installed already: nothing else may come in
    assert "ratify data fetch" in post_build and "ratify book build" in post_build  # data verified, caches warm


def test_installed_versions_are_the_locked_ones():
    """In the environment `make install` built, every package the lock pins for this platform is
    installed at exactly its pinned version (other environments, e.g. a developer's, are skipped)."""
    if Path(sys.prefix).resolve() != (PROJECT_ROOT / ".venv").resolve():
        pytest.skip(f"not the project's .venv (running in {sys.prefix}); `make test` checks it")
    wrong = []
    for name, pinned in lockfile.pins(lockfile.LOCKFILE.read_text()).items():
        for version, marker in pinned:
            if marker and not Marker(marker).evaluate():
                continue
            try:
                have = metadata.version(name)
            except metadata.PackageNotFoundError:
                have = "not installed"
            if have != version:
                wrong.append(f"{name}: locked {version}, installed {have}")
    assert wrong == []
