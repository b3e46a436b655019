"""A study's design: the one typed place where every choice of a chapter is declared.

Each study module defines one frozen dataclass (``Design``) whose fields are the choices
a reader may change: a ``Literal`` for a choice among named options, ``Annotated[...,
Between(lo, hi)]`` for a bounded number, ``tuple[...]`` for a list, and a one-line comment
after each field saying what it does. Everything else is derived from that class, so a
parameter's name, type, allowed values, default and help live in exactly one place:

- validation when a design is made (``Design(pts_source="stat")`` fails with the one
  message every parameter error in the book uses, naming the value and what is allowed);
- the ``parameters`` block of the chapter's ``variants.yaml`` (:func:`parameters_block`,
  written by ``ratify variants CHAPTER --sync`` and checked by a test);
- the notebook's parameters cell, which holds only ``design_changes = {}`` (the variant
  runner fills it) and builds ``design = Design(**design_changes)``;
- the panel cache, whose key is the design's ``repr``. Fields marked ``MODEL`` change only
  how models are fitted, not the data: :meth:`StudyDesign.data_choices` resets them, so
  builders keyed by it are shared by every design that differs only in model options.

Usage::

    @dataclass(frozen=True, repr=False)
    class Design(StudyDesign):
        end_year: Annotated[int, Between(2005, 2020)] = 2015  # last year; spells censored on 31 Dec
        democracy: Literal["bmr", "polity"] = "bmr"  # democracy measure
        ties: Annotated[Literal["efron", "breslow"], MODEL] = "efron"  # tied years in the partial likelihood
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import math
import tokenize
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal, get_args, get_origin, get_type_hints

__all__ = ["MODEL", "Between", "DesignField", "ParameterError", "StudyDesign", "check_value", "design_fields",
           "parameters_block"]


class ParameterError(ValueError):
    """A parameter value (or name) that the chapter does not allow."""


@dataclass(frozen=True)
class Between:
    """Inclusive bounds of a numeric field (either may be ``None``)."""

    low: float | None = None
    high: float | None = None


class _Model:
    """Marker: the field changes how models are fitted, not the data they are fitted to."""

    def __repr__(self) -> str:
        return "MODEL"


MODEL = _Model()

_SCALARS = {int: "int", float: "float", str: "str", bool: "bool"}


@dataclass(frozen=True)
class DesignField:
    """What the dataclass says about one field, in the terms of ``variants.yaml``."""

    name: str
    type: str                      # int | float | str | bool | list
    default: Any
    help: str
    choices: tuple | None = None   # allowed values (of each element, for lists)
    low: float | None = None
    high: float | None = None
    item_type: str | None = None   # element type of a list
    model_only: bool = False       # MODEL: does not change the data


def _scalar(tp) -> tuple[str, tuple | None]:
    """(type name, choices) of a scalar annotation: ``int``, ``str``, ``Literal[...]``."""
    if get_origin(tp) is Literal:
        values = get_args(tp)
        kinds = {type(v) for v in values}
        if len(kinds) != 1 or next(iter(kinds)) not in _SCALARS:
            raise TypeError(f"Literal{list(values)} mixes types; use values of one type")
        return _SCALARS[next(iter(kinds))], tuple(values)
    if tp in _SCALARS:
        return _SCALARS[tp], None
    raise TypeError(f"unsupported design field type {tp!r}: use int, float, str, bool, Literal[...] or tuple[...]")


def _field_comments(cls) -> dict[str, str]:
    """The trailing ``# comment`` of each ``name: type = default`` line in the class body."""
    try:
        source = inspect.getsource(cls)
    except (OSError, TypeError):
        return {}
    comments, line_name = {}, {}
    for line_no, line in enumerate(source.splitlines(), start=1):
        head = line.strip().split(":", 1)[0]
        if head.isidentifier():
            line_name[line_no] = head
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT and tok.start[0] in line_name:
            comments.setdefault(line_name[tok.start[0]], tok.string.lstrip("#").strip())
    return comments


@lru_cache(maxsize=None)
def design_fields(cls) -> tuple[DesignField, ...]:
    """The fields of a design class, read from its annotations, defaults and comments."""
    if not (dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen):
        raise TypeError(f"{cls.__name__} must be a frozen dataclass")
    hints = get_type_hints(cls, include_extras=True)
    comments = _field_comments(cls)
    out = []
    for f in dataclasses.fields(cls):
        tp, extras = hints[f.name], ()
        if get_origin(tp) is Annotated:
            tp, *extras = get_args(tp)
        bounds = next((e for e in extras if isinstance(e, Between)), Between())
        model_only = any(e is MODEL for e in extras)
        if get_origin(tp) is tuple:
            inner = get_args(tp)
            if len(inner) != 2 or inner[1] is not Ellipsis:
                raise TypeError(f"{cls.__name__}.{f.name}: use tuple[X, ...] for a list")
            item_type, choices = _scalar(inner[0])
            kind = "list"
        else:
            kind, choices = _scalar(tp)
            item_type = None
        if f.default is dataclasses.MISSING:
            raise TypeError(f"{cls.__name__}.{f.name} needs a default: the book's choice")
        help_text = comments.get(f.name, "")
        if not help_text:
            raise TypeError(f"{cls.__name__}.{f.name} needs a one-line comment saying what it does")
        out.append(DesignField(f.name, kind, f.default, help_text, choices, bounds.low, bounds.high,
                               item_type, model_only))
    return tuple(out)


def _allowed(field: DesignField) -> str:
    if field.choices is not None:
        return (f"a list drawn from {list(field.choices)}" if field.type == "list"
                else f"one of {list(field.choices)}")
    what = field.item_type if field.type == "list" else field.type
    text = f"a list of {what} values" if field.type == "list" else ("an int" if what == "int" else f"a {what}")
    bounds = " and ".join(b for b in (f">= {field.low}" if field.low is not None else "",
                                      f"<= {field.high}" if field.high is not None else "") if b)
    return text + (f" {bounds}" if bounds else "")


def _check_scalar(field: DesignField, value, kind: str):
    """The value, widened (int -> float), or raise ParameterError with the book's wording."""
    bad = f"parameter {field.name!r}: {value!r} is not allowed; expected {_allowed(field)}"
    py = {"int": int, "float": float, "str": str, "bool": bool}[kind]
    if kind == "float" and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, py) or (py in (int, float) and isinstance(value, bool)):
        raise ParameterError(f"{bad} (got a {type(value).__name__})")
    if kind == "float" and not math.isfinite(value):
        raise ParameterError(f"{bad} (not a finite number)")
    if field.choices is not None and value not in field.choices:
        raise ParameterError(f"{bad} ({value!r} is not a choice)")
    if kind in ("int", "float") and ((field.low is not None and value < field.low)
                                     or (field.high is not None and value > field.high)):
        raise ParameterError(f"{bad} (outside the range)")
    return value


def check_value(field: DesignField, value):
    """A checked (and normalised: lists become tuples) value for ``field``."""
    if field.type != "list":
        return _check_scalar(field, value, field.type)
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ParameterError(f"parameter {field.name!r}: {value!r} is not allowed; expected {_allowed(field)}"
                             f" (got a {type(value).__name__})")
    return tuple(_check_scalar(field, v, field.item_type) for v in value)


class StudyDesign:
    """Base of every study's frozen design dataclass: checks each value when a design is made.

    Subclass with ``@dataclass(frozen=True, repr=False)``: the ``repr`` below lists every field
    in declaration order (stable across runs, so it can key the panel cache).
    """

    def __post_init__(self):
        for field in design_fields(type(self)):
            object.__setattr__(self, field.name, check_value(field, getattr(self, field.name)))

    def __repr__(self) -> str:
        inside = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in design_fields(type(self)))
        return f"{type(self).__module__}.{type(self).__qualname__}({inside})"

    @classmethod
    def from_changes(cls, changes: dict | None = None):
        """The book's design with ``changes`` applied; an unknown name is a ParameterError."""
        changes = dict(changes or {})
        names = [f.name for f in design_fields(cls)]
        unknown = sorted(set(changes) - set(names))
        if unknown:
            raise ParameterError(f"unknown parameter {unknown[0]!r} for {cls.__qualname__}; the parameters are {names}")
        return cls(**changes)

    def replace(self, **changes):
        """A copy with ``changes`` (checked)."""
        return dataclasses.replace(self, **changes)

    def changes(self) -> dict:
        """The fields that differ from the book's defaults (what a variant run changed)."""
        return {f.name: getattr(self, f.name) for f in design_fields(type(self))
                if getattr(self, f.name) != (tuple(f.default) if f.type == "list" else f.default)}

    def data_choices(self):
        """This design with every ``MODEL`` field at its default: the key of data builders, so
        designs that differ only in how models are fitted share one panel."""
        return dataclasses.replace(self, **{f.name: f.default for f in design_fields(type(self)) if f.model_only})

    def describe(self) -> typing.Any:
        """A table of the design (parameter, value, default, what it does) for the page."""
        import pandas as pd

        rows = [{"parameter": f.name, "value": getattr(self, f.name), "book's choice": f.default, "what it does": f.help}
                for f in design_fields(type(self))]
        return pd.DataFrame(rows).set_index("parameter")


def parameters_block(cls) -> dict:
    """The ``parameters:`` block of ``variants.yaml``, generated from the design class."""
    block = {}
    for f in design_fields(cls):
        spec: dict[str, Any] = {"type": f.type, "default": list(f.default) if f.type == "list" else f.default}
        rules = {**({"choices": list(f.choices)} if f.choices is not None else {}),
                 **({"min": f.low} if f.low is not None else {}), **({"max": f.high} if f.high is not None else {})}
        if f.type == "list":  # a list's allowed values and bounds are its elements' (variants.yaml: items)
            spec["items"] = {"type": f.item_type, **rules}
        else:
            spec.update(rules)
        if f.model_only:
            spec["model_only"] = True
        spec["help"] = f.help
        block[f.name] = spec
    return block
