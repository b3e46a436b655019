"""A chapter's ``variants.yaml``: its parameters, key quantities and declared variants.

Everything a run could get wrong about its parameters is caught here, before a kernel
starts: an unknown name, a value of the wrong type, a value outside the declared choices
or range. The error names the parameter, the bad value and what is allowed, because the
alternative is a traceback from cell 14 of someone else's notebook.
"""

from __future__ import annotations

import ast
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from ..data.locations import PROJECT_ROOT
from ..design import ParameterError  # one error class for designs and the runner

CHAPTERS = PROJECT_ROOT / "book" / "chapters"
SPEC_FILE = "variants.yaml"
TYPES = {"int": int, "float": float, "str": str, "bool": bool, "list": list, "file": str}
ITEM_TYPES = ("int", "float", "str", "bool")  # what a list's items may be
SCALES = ("hr", "coef")
ORIGINS = ("paper", "ours")
RESERVED = "results_dir"


class VariantsFileError(ValueError):
    """A ``variants.yaml`` that does not follow the contract in CONTRIBUTING.md."""


@dataclass(frozen=True)
class Parameter:
    """One declared parameter. A list parameter declares its elements in ``items`` (a Parameter
    of a scalar type with its own choices or range): ``tuple[int, ...]`` in a typed design is
    ``items: {type: int}``, ``tuple[Literal["a", "b"], ...]`` is ``items: {type: str, choices: [a, b]}``.
    A ``file`` parameter is the path of a local file (empty = none); relative paths are read from
    where the command runs (a variant's, from the chapter folder)."""

    name: str
    type: str
    default: object
    help: str = ""
    choices: tuple | None = None
    min: float | None = None
    max: float | None = None
    items: "Parameter | None" = None

    def allowed(self) -> str:
        """What this parameter accepts, in words (for error messages and ``--list``)."""
        if self.type == "list":
            return f"a list, each item {self.items.allowed()}" if self.items else "a list"
        if self.type == "file":
            return "the path of a local file, or empty for none"
        if self.choices is not None:
            what = f"one of {list(self.choices)}"
        else:
            what = f"an {self.type}" if self.type == "int" else f"a {self.type}"
            what += " (finite)" if self.type == "float" and self.min is None and self.max is None else ""
        bounds = [f">= {self.min}" if self.min is not None else "", f"<= {self.max}" if self.max is not None else ""]
        bounds = " and ".join(b for b in bounds if b)
        return what + (f" {bounds}" if bounds else "")

    def _why_not(self, value) -> tuple[object, str | None]:
        """``(value, None)`` with an int widened to float for float parameters, or ``(value, reason)``."""
        kind = TYPES[self.type]
        if self.type == "float" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return value, f"got a {type(value).__name__}"
        if self.type == "float" and not math.isfinite(value):
            return value, "not a finite number"
        if self.choices is not None and value not in self.choices:
            return value, f"{value!r} is not a choice"
        if self.min is not None and value < self.min or self.max is not None and value > self.max:
            return value, "outside the range"
        return value, None

    def check(self, value, base: Path | None = None):
        """Return ``value`` checked (ints widened for floats, lists with checked items, a file's
        path made absolute against ``base`` or the working directory) or raise ParameterError."""
        bad = f"parameter {self.name!r}: {value!r} is not allowed; expected {self.allowed()}"
        if self.type == "list":
            if not isinstance(value, list | tuple):
                raise ParameterError(f"{bad} (got a {type(value).__name__})")
            out = []
            for item in value:
                checked, why = self.items._why_not(item) if self.items else (item, None)
                if why:
                    raise ParameterError(f"{bad} (item {item!r}: {why})")
                out.append(checked)
            return out
        if self.type == "file":
            return self._file(value, bad, base)
        value, why = self._why_not(value)
        if why:
            raise ParameterError(f"{bad} ({why})")
        return value

    def _file(self, value, bad: str, base: Path | None) -> str:
        from ..cache import is_url

        if not isinstance(value, str):
            raise ParameterError(f"{bad} (got a {type(value).__name__})")
        if not value:
            return value
        if is_url(value):
            raise ParameterError(f"parameter {self.name!r}: {value!r} is a URL; only local files are accepted. "
                                 "Download it and pass the local path.")
        path = Path(value).expanduser()
        path = path if path.is_absolute() else (base or Path.cwd()) / path
        if not path.is_file():
            raise ParameterError(f"parameter {self.name!r}: there is no file {value!r} (looked for {path}); "
                                 "relative paths are read from the folder the command runs in.")
        return str(path.resolve())

    def parse(self, text: str):
        """Turn a command-line string into a checked value of this parameter's type (a list is
        ``a, b, c`` or YAML ``[a, b, c]``)."""
        cannot = f"parameter {self.name!r}: {text!r} is not allowed; expected {self.allowed()}"
        try:
            if self.type in ("str", "file"):
                value = text
            elif self.type == "list":
                value = yaml.safe_load(text) if text.strip().startswith("[") else [
                    self.items.read(t.strip()) if self.items else yaml.safe_load(t.strip())
                    for t in text.split(",") if t.strip()]
            else:
                value = self.read(text)
        except (ValueError, KeyError, yaml.YAMLError) as err:
            item = f"item {err.args[0]!r}: " if isinstance(err, _Unreadable) and self.type == "list" else ""
            kind = self.items.type if item else self.type
            raise ParameterError(f"{cannot} ({item}cannot read it as a{'n' if kind == 'int' else ''} {kind})") from None
        return self.check(value)

    def read(self, text: str):
        """A scalar from its command-line text (unchecked); :class:`_Unreadable` if it is not one."""
        try:
            if self.type == "bool":
                return {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}[text.lower()]
            return TYPES[self.type](text)
        except (ValueError, KeyError):
            raise _Unreadable(text) from None


class _Unreadable(ValueError):
    """Command-line text that is not a value of the declared type (the text is the argument)."""


@dataclass(frozen=True)
class KeyQuantity:
    id: str
    label: str
    model: str
    term: str
    scale: str = "coef"


@dataclass(frozen=True)
class Variant:
    name: str
    label: str
    origin: str
    parameters: dict = field(default_factory=dict)

    def overrides(self) -> str:
        """``name=value; ...`` for a table cell (empty for the defaults)."""
        return "; ".join(f"{k}={json.dumps(v) if not isinstance(v, str) else v}" for k, v in self.parameters.items())


@dataclass(frozen=True)
class Chapter:
    """A chapter folder with a valid ``variants.yaml``."""

    folder: Path
    notebook: Path
    parameters: dict[str, Parameter]
    key_quantities: tuple[KeyQuantity, ...]
    variants: tuple[Variant, ...]

    @property
    def slug(self) -> str:
        return self.folder.name

    @property
    def spec_file(self) -> Path:
        return self.folder / SPEC_FILE

    def defaults(self) -> dict:
        return {name: p.default for name, p in self.parameters.items()}

    def validate(self, values: dict) -> dict:
        """The full parameter set for a run: defaults updated by ``values``, every value checked."""
        unknown = sorted(set(values) - set(self.parameters))
        if unknown:
            raise ParameterError(f"unknown parameter {unknown[0]!r} for {self.slug}; "
                                 f"the parameters are {sorted(self.parameters)}")
        return {**self.defaults(), **{k: self.parameters[k].check(v) for k, v in values.items()}}

    def parse(self, pairs: list[tuple[str, str]]) -> dict:
        """Command-line ``NAME VALUE`` pairs to checked values (names checked first, each given once)."""
        self.validate({name: self.parameters[name].default for name, _ in pairs if name in self.parameters}
                      | {name: None for name, _ in pairs if name not in self.parameters})  # unknown names first
        for name in dict.fromkeys(n for n, _ in pairs):
            given = [text for n, text in pairs if n == name]
            if len(given) > 1:
                raise ParameterError(f"parameter {name!r} is given {len(given)} times "
                                     f"({', '.join(f'-p {name} {t}' for t in given)}); give each parameter once")
        return {name: self.parameters[name].parse(text) for name, text in pairs}

    def variant(self, name: str) -> Variant:
        for v in self.variants:
            if v.name == name:
                return v
        raise ParameterError(f"no variant {name!r} in {self.spec_file}; variants are {[v.name for v in self.variants]}")


def chapter_folder(chapter: str | Path) -> Path:
    """A chapter slug (``02-migrant-workers``) or a folder holding a ``variants.yaml``."""
    path = Path(chapter)
    for candidate in (path, CHAPTERS / str(chapter)):
        if (candidate / SPEC_FILE).is_file():
            return candidate.resolve()
    have = sorted(p.parent.name for p in CHAPTERS.glob(f"*/{SPEC_FILE}"))
    raise VariantsFileError(f"no {SPEC_FILE} for {str(chapter)!r} (looked in {path} and {CHAPTERS / str(chapter)}); "
                            f"chapters with variants: {have}")


def _items(name: str, spec: dict, problems: list[str]) -> Parameter | None:
    """The element declaration of a list parameter (``items: {type: ..., choices | min | max}``)."""
    misplaced = sorted({"choices", "min", "max"} & set(spec))
    if misplaced:
        problems.append(f"parameter {name!r}: a list declares {misplaced} for its elements, under 'items'")
    raw = spec.get("items")
    if not isinstance(raw, dict) or raw.get("type") not in ITEM_TYPES:
        problems.append(f"parameter {name!r}: a list needs 'items' with a 'type' in {list(ITEM_TYPES)}, "
                        "e.g. items: {type: int} or items: {type: str, choices: [a, b]}")
        return None
    if extra := set(raw) - {"type", "choices", "min", "max"}:
        problems.append(f"parameter {name!r}: unknown keys in 'items': {sorted(extra)}")
    choices = raw.get("choices")
    return Parameter(f"{name} item", raw["type"], None, choices=tuple(choices) if choices is not None else None,
                     min=raw.get("min"), max=raw.get("max"))


def _parameter(name: str, spec: dict, problems: list[str], folder: Path) -> Parameter | None:
    if not isinstance(spec, dict) or spec.get("type") not in TYPES:
        problems.append(f"parameter {name!r}: 'type' must be one of {list(TYPES)}")
        return None
    if "default" not in spec:
        problems.append(f"parameter {name!r}: no 'default'")
        return None
    extra = set(spec) - {"type", "default", "help", "choices", "min", "max", "items", "model_only"}
    if extra:
        problems.append(f"parameter {name!r}: unknown keys {sorted(extra)}")
    items = None
    if spec["type"] == "list":
        if (items := _items(name, spec, problems)) is None:
            return None
    elif "items" in spec:
        problems.append(f"parameter {name!r}: 'items' is only for lists")
    choices = spec.get("choices")
    param = Parameter(name, spec["type"], spec["default"], str(spec.get("help", "")),
                      tuple(choices) if choices is not None else None, spec.get("min"), spec.get("max"), items)
    try:
        checked = param.check(param.default, base=folder)
        if param.type != "file":  # a file's default stays as written (the notebook's cell says the same)
            param = Parameter(**{**param.__dict__, "default": checked})
    except ParameterError as err:
        problems.append(f"default of {err}")
    return param


def load(chapter: str | Path) -> Chapter:
    """Read and check a chapter's ``variants.yaml``; every problem is reported at once."""
    folder = chapter_folder(chapter)
    path = folder / SPEC_FILE
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    problems: list[str] = []
    notebook = folder / str(raw.get("notebook", ""))
    if not raw.get("notebook") or not notebook.is_file():
        problems.append(f"'notebook' must name the analysis notebook in {folder} (got {raw.get('notebook')!r})")
    params = {}
    for name, spec in (raw.get("parameters") or {}).items():
        if name == RESERVED:
            problems.append(f"{RESERVED!r} is set by the runner; do not declare it")
        elif (p := _parameter(name, spec, problems, folder)) is not None:
            params[name] = p
    quantities = []
    for i, q in enumerate(raw.get("key_quantities") or []):
        missing = [k for k in ("id", "label", "model", "term") if not (isinstance(q, dict) and q.get(k))]
        if missing or q.get("scale", "coef") not in SCALES:
            problems.append(f"key_quantities[{i}]: needs id, label, model, term and scale in {list(SCALES)}"
                            f" (missing {missing})" if missing else f"key_quantities[{i}]: scale must be one of {list(SCALES)}")
            continue
        quantities.append(KeyQuantity(q["id"], q["label"], q["model"], q["term"], q.get("scale", "coef")))
    if not quantities:
        problems.append("'key_quantities' must list at least one quantity to collect")
    variants, names = [], set()
    for i, v in enumerate(raw.get("variants") or []):
        if not isinstance(v, dict) or not v.get("name"):
            problems.append(f"variants[{i}]: needs a 'name'")
            continue
        if v["name"] in names:
            problems.append(f"variant {v['name']!r} is declared twice")
        names.add(v["name"])
        if v.get("origin", "ours") not in ORIGINS:
            problems.append(f"variant {v['name']!r}: origin must be one of {list(ORIGINS)}, got {v.get('origin')!r}")
        overrides = v.get("parameters") or {}
        for key, value in overrides.items():
            try:
                if key not in params:
                    raise ParameterError(f"unknown parameter {key!r}; the parameters are {sorted(params)}")
                overrides[key] = params[key].check(value, base=folder)
            except ParameterError as err:
                problems.append(f"variant {v['name']!r}: {err}")
        variants.append(Variant(v["name"], str(v.get("label") or v["name"]), v.get("origin", "ours"), dict(overrides)))
    if not variants:
        problems.append("'variants' must declare at least one variant")
    if problems:
        raise VariantsFileError(f"{path}:\n  - " + "\n  - ".join(problems))
    return Chapter(folder, notebook, params, tuple(quantities), tuple(variants))


# --- the notebook's parameters cell -----------------------------------------------------------

def parameters_cell(notebook: Path | str) -> dict:
    """The literal assignments of the notebook's cell tagged ``parameters`` (name -> value)."""
    import jupytext

    nb = jupytext.read(str(notebook))
    for cell in nb.cells:
        if cell.cell_type == "code" and "parameters" in cell.metadata.get("tags", []):
            values = {}
            for node in ast.parse(cell.source).body:
                if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    values[node.targets[0].id] = ast.literal_eval(node.value)
            return values
    raise VariantsFileError(f"{notebook}: no code cell tagged 'parameters'")


def check_defaults(chapter: Chapter) -> list[str]:
    """Differences between ``variants.yaml`` and the notebook's parameters cell (empty when in step)."""
    cell = parameters_cell(chapter.notebook)
    problems = []
    if RESERVED not in cell:
        problems.append(f"the parameters cell does not set {RESERVED}")
    cell.pop(RESERVED, None)
    for name in sorted(set(cell) | set(chapter.parameters)):
        if name not in chapter.parameters:
            problems.append(f"{name!r} is in the parameters cell but not declared in {SPEC_FILE}")
        elif name not in cell:
            problems.append(f"{name!r} is declared in {SPEC_FILE} but not set in the parameters cell")
        elif (cell[name] != (default := chapter.parameters[name].default)
              or isinstance(cell[name], bool) != isinstance(default, bool)):
            problems.append(f"{name!r}: the parameters cell says {cell[name]!r}, "
                            f"{SPEC_FILE} says {chapter.parameters[name].default!r}")
    return problems
