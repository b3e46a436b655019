"""pip users (pyproject.toml) and conda/Binder users (environment.yml) get the same packages."""

from __future__ import annotations

import re
import tomllib

import yaml
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

from ratify.data.locations import PROJECT_ROOT


def pyproject_requirements() -> dict[str, SpecifierSet]:
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]
    reqs = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    return {canonicalize_name(r.name): r.specifier for r in map(Requirement, reqs)}


def conda_requirements() -> tuple[dict[str, SpecifierSet], str]:
    env = yaml.safe_load((PROJECT_ROOT / "environment.yml").read_text())
    out, python = {}, None
    for dep in env["dependencies"]:
        if not isinstance(dep, str):
            raise AssertionError(f"environment.yml: unexpected entry {dep!r}; list conda packages only")
        name, _, spec = dep.partition(" ")
        if name.startswith("python="):
            python = name.split("=", 1)[1]
            continue
        if name == "pip":
            continue
        out[canonicalize_name(name)] = SpecifierSet(spec.replace(" ", ""))
    return out, python


def drift(pip: dict[str, SpecifierSet], conda: dict[str, SpecifierSet]) -> list[str]:
    """Every difference between the two declarations, one readable line each."""
    out = [f"{n}: only in pyproject.toml" for n in sorted(set(pip) - set(conda))]
    out += [f"{n}: only in environment.yml" for n in sorted(set(conda) - set(pip))]
    out += [f"{n}: pyproject {pip[n]} vs environment.yml {conda[n]}"
            for n in sorted(set(pip) & set(conda)) if pip[n] != conda[n]]
    return out


def test_same_packages_and_version_ranges():
    assert drift(pyproject_requirements(), conda_requirements()[0]) == []


def test_same_python():
    requires = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    _, python = conda_requirements()
    assert python and re.fullmatch(r"3\.\d+", python)
    assert f"{python}.0" in SpecifierSet(requires) and f"{python}.99" in SpecifierSet(requires)


def test_drift_names_each_difference():
    pip = pyproject_requirements()
    conda = dict(conda_requirements()[0])
    conda.pop("lifelines")
    conda["pandas"] = SpecifierSet(">=2.0")
    conda["polars"] = SpecifierSet(">=1")
    assert drift(pip, conda) == [
        "lifelines: only in pyproject.toml",
        "polars: only in environment.yml",
        f"pandas: pyproject {pip['pandas']} vs environment.yml >=2.0",
    ]
