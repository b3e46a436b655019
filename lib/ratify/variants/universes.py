"""The ``multiverse:`` block of a chapter's ``variants.yaml``: which choices vary, which
combinations make no sense, and the universes that follow.

A universe is a design (``ratify.design``): the study's ``Design`` with some fields changed.
The block names the fields that vary and their values, and exclusion rules as data::

    design: ratify.studies.soft_balancing:Design
    fit: ratify.studies.soft_balancing:fit_key_models
    multiverse:
      vary:
        constraints:              # empty: every declared choice (Literal or bool fields)
        intervention_window: [1, 2, 3]   # numbers (and free text) must be listed
      exclude:
        - why: V-Dem legislative constraints start in 1970.
          constraints: legcon
          end_year: {max: 1979}   # a value, a list of values, or {min, max}

A key quantity that a universe's choices leave out of its model (the diffusion term when
the design has no diffusion) is declared under ``undefined:``, each rule with its ``why``
and the ``quantity`` it concerns::

      undefined:
        - why: With no diffusion term the models have no share already bound.
          quantity: hr_diffusion
          diffusion: none

Such a universe records that quantity as ``undefined`` (with the reason), not as a failed
fit; the engine checks the claim, so a model that does estimate it is an error.

A universe is excluded when it matches every entry of some rule. Universes are the
cartesian product of the varied values in the order written (the first parameter varies
slowest), minus the excluded ones; each has a stable id (a hash of its changes), so a run
that stops can resume and a result can be traced back to its choices.

Everything is checked before anything runs, with the book's one wording for a bad
parameter (``ratify.design.check_value``): an unknown name, a value the Design does not
allow, a rule naming an unknown parameter or value, a multiverse with no universe left.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path

import yaml

from ..design import DesignField, ParameterError, StudyDesign, check_value, design_fields
from .schema import SPEC_FILE, Chapter, VariantsFileError, import_reference, load as load_chapter

BLOCK = "multiverse"


class MultiverseError(VariantsFileError):
    """A ``multiverse:`` block that cannot be run (every problem listed)."""


@dataclass(frozen=True)
class Condition:
    """One entry of an exclusion rule: the field's value is one of ``values``, or within [low, high]."""

    name: str
    values: tuple | None = None
    low: float | None = None
    high: float | None = None

    def holds(self, value) -> bool:
        if self.values is not None:
            return value in self.values
        return (self.low is None or value >= self.low) and (self.high is None or value <= self.high)

    def __str__(self) -> str:
        if self.values is not None:
            return f"{self.name} in {list(self.values)}" if len(self.values) > 1 else f"{self.name} = {self.values[0]!r}"
        bounds = [f">= {self.low}" if self.low is not None else "", f"<= {self.high}" if self.high is not None else ""]
        return f"{self.name} " + " and ".join(b for b in bounds if b)


@dataclass(frozen=True)
class Rule:
    """Exclude the universes that meet every condition (or, for an ``undefined:`` rule, say that they
    lack the key quantity ``quantity``); ``why`` is shown on the page."""

    conditions: tuple[Condition, ...]
    why: str
    quantity: str | None = None

    def matches(self, design: StudyDesign) -> bool:
        return all(c.holds(getattr(design, c.name)) for c in self.conditions)

    def __str__(self) -> str:
        return " and ".join(map(str, self.conditions))


@dataclass(frozen=True)
class Universe:
    """One combination of choices: its place in the declared order, a stable id and its design."""

    index: int
    id: str
    design: StudyDesign

    def changes(self) -> dict:
        return self.design.changes()


def value_key(value) -> str:
    """A decision's value as the results store it and as pages match it: a list as JSON text
    (the Parquet column's form), anything else as ``str``."""
    return json.dumps(list(value)) if isinstance(value, (tuple, list)) else str(value)


def value_labels(values) -> dict[str, str]:
    """Short labels for a decision's values (key -> label): a list value, too long for a tick or a
    menu, is "set k (n items)" in the declared order; others are their own text."""
    return {value_key(v): f"set {i} ({len(v)} items)" if isinstance(v, (tuple, list)) else str(v)
            for i, v in enumerate(values, start=1)}


def universe_id(design: StudyDesign) -> str:
    """``u`` + 10 hex digits of the design's changes: stable across runs and declaration orders."""
    changes = json.dumps(design.changes(), sort_keys=True, default=list)
    return "u" + hashlib.sha256(changes.encode()).hexdigest()[:10]


@dataclass(frozen=True)
class Multiverse:
    """A chapter's declared multiverse, checked."""

    chapter: Chapter
    design: type                      # the study's Design class
    vary: dict[str, tuple]            # field -> values, in the declared order
    rules: tuple[Rule, ...]
    undefined: tuple[Rule, ...] = ()

    def undefined_reason(self, quantity_id: str, design: StudyDesign) -> str | None:
        """Why ``design`` has no ``quantity_id`` (None: it should estimate it)."""
        rule = next((r for r in self.undefined if r.quantity == quantity_id and r.matches(design)), None)
        return None if rule is None else rule.why

    @property
    def decisions(self) -> list[str]:
        """The fields that vary (at least two values)."""
        return [name for name, values in self.vary.items() if len(values) > 1]

    def fields(self) -> dict[str, DesignField]:
        return {f.name: f for f in design_fields(self.design)}

    def combinations(self) -> list[StudyDesign]:
        """Every combination of the varied values (before exclusions), first field slowest."""
        names = list(self.vary)
        return [self.design(**dict(zip(names, values, strict=True)))
                for values in itertools.product(*self.vary.values())]

    def universes(self) -> list[Universe]:
        """The combinations no rule excludes, numbered in order."""
        kept = [d for d in self.combinations() if not any(rule.matches(d) for rule in self.rules)]
        return [Universe(i, universe_id(d), d) for i, d in enumerate(kept)]

    def excluded(self) -> dict[Rule, int]:
        """How many combinations each rule removes (the first rule that matches counts)."""
        counts = dict.fromkeys(self.rules, 0)
        for d in self.combinations():
            rule = next((r for r in self.rules if r.matches(d)), None)
            if rule is not None:
                counts[rule] += 1
        return counts


def _values(field: DesignField, given, problems: list[str]) -> tuple:
    """The checked values of one varied field (its declared choices when ``given`` is empty)."""
    if given is None:
        if field.type == "bool":
            return (field.default, not field.default)
        if field.choices is not None and field.type != "list":
            return (field.default, *[c for c in field.choices if c != field.default])
        problems.append(f"multiverse: {field.name!r} has no declared choices ({field.type}); list its values")
        return ()
    if not isinstance(given, list) or not given:
        problems.append(f"multiverse: {field.name!r} needs a non-empty list of values, got {given!r}")
        return ()
    out = []
    for value in given:
        try:
            value = check_value(field, value)
        except ParameterError as err:
            problems.append(f"multiverse: {err}")
            continue
        if value in out:
            problems.append(f"multiverse: {field.name!r} lists {value!r} twice")
        out.append(value)
    return tuple(out)


def _condition(fields: dict[str, DesignField], name: str, given, problems: list[str], where: str):
    if name not in fields:
        problems.append(f"{where}: unknown parameter {name!r}; the parameters are {sorted(fields)}")
        return None
    field = fields[name]
    if isinstance(given, dict):
        extra = set(given) - {"min", "max"}
        if extra or not given or field.type not in ("int", "float"):
            problems.append(f"{where}: {name!r}: a range is {{min, max}} on a number, got {given!r}")
            return None
        try:
            bounds = {k: check_value(field, v) for k, v in given.items()}
        except ParameterError as err:
            problems.append(f"{where}: {err}")
            return None
        return Condition(name, low=bounds.get("min"), high=bounds.get("max"))
    values = given if isinstance(given, list) and field.type != "list" else [given]
    checked = []
    for value in values:
        try:
            checked.append(check_value(field, value))
        except ParameterError as err:
            problems.append(f"{where}: {err}")
    return Condition(name, values=tuple(checked)) if len(checked) == len(values) else None


def _rules(raw, fields: dict[str, DesignField], problems: list[str], *, key: str = "exclude",
           quantities: tuple[str, ...] | None = None) -> tuple[Rule, ...]:
    """The rules of ``exclude:`` (or, with ``quantities``, of ``undefined:``, each naming a quantity)."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(f"multiverse: '{key}' must be a list of rules, got {raw!r}")
        return ()
    rules = []
    for i, entry in enumerate(raw):
        where = f"multiverse: {key}[{i}]"
        if not isinstance(entry, dict) or not str(entry.get("why") or "").strip():
            problems.append(f"{where}: each rule needs a 'why:' saying why " + (
                "those combinations make no sense" if quantities is None else "the quantity does not exist there"))
            continue
        named = entry.get("quantity")
        if quantities is not None and named not in quantities:
            problems.append(f"{where}: 'quantity' must name a key quantity, one of {list(quantities)}; got {named!r}")
            continue
        conditions = [_condition(fields, k, v, problems, where) for k, v in entry.items() if k not in ("why", "quantity")]
        if not conditions:
            problems.append(f"{where}: names no parameter")
        elif all(conditions):
            why = str(entry["why"]).strip()
            rules.append(Rule(tuple(conditions), why, quantity=named if quantities is not None else None))
    return tuple(rules)


def load(chapter: str | Path | Chapter) -> Multiverse:
    """Read and check a chapter's multiverse; every problem is reported at once (MultiverseError)."""
    chapter = chapter if isinstance(chapter, Chapter) else load_chapter(chapter)
    path = chapter.spec_file
    if not chapter.design:
        raise MultiverseError(f"{path}: names no study design; a multiverse needs 'design:' and 'fit:' "
                              "(the study contract in CONTRIBUTING.md)")
    design = import_reference(chapter.design)
    if not (isinstance(design, type) and issubclass(design, StudyDesign)):
        raise MultiverseError(f"{path}: design {chapter.design!r} is not a ratify.design.StudyDesign subclass")
    if not callable(import_reference(chapter.fit)):
        raise MultiverseError(f"{path}: fit {chapter.fit!r} is not a function")
    raw = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(BLOCK)
    if not isinstance(raw, dict):
        raise MultiverseError(f"{path}: no '{BLOCK}:' block (with 'vary:' and optionally 'exclude:'); "
                              "see CONTRIBUTING.md")
    problems: list[str] = []
    extra = set(raw) - {"vary", "exclude", "undefined"}
    if extra:
        problems.append(f"multiverse: unknown keys {sorted(extra)}; use 'vary', 'exclude' and 'undefined'")
    fields = {f.name: f for f in design_fields(design)}
    vary = raw.get("vary") or {}
    if not isinstance(vary, dict):
        problems.append(f"multiverse: 'vary' must map parameters to values, got {vary!r}")
        vary = {}
    unknown = [name for name in vary if name not in fields]
    for name in unknown:
        problems.append(f"multiverse: unknown parameter {name!r}; the parameters are {sorted(fields)}")
    values = {name: _values(fields[name], given, problems) for name, given in vary.items() if name in fields}
    rules = _rules(raw.get("exclude"), fields, problems)
    undefined = _rules(raw.get("undefined"), fields, problems, key="undefined",
                       quantities=tuple(q.id for q in chapter.key_quantities))
    multiverse = Multiverse(chapter, design, values, rules, undefined)
    if not problems:
        if not multiverse.decisions:
            problems.append("multiverse: no parameter varies (list at least one with two or more values)")
        elif not multiverse.universes():
            problems.append("multiverse: the exclusion rules leave no universe")
    if problems:
        raise MultiverseError(f"{path}: " + problems[0] if len(problems) == 1
                              else f"{path}:\n  - " + "\n  - ".join(problems))
    return multiverse


def describe(multiverse: Multiverse) -> str:
    """A few lines for ``--list`` and the page: decisions, values, rules and counts."""
    lines = [f"{len(multiverse.universes())} universes from {len(multiverse.combinations())} combinations of:"]
    lines += [f"  {name}: {', '.join(map(repr, values))}" for name, values in multiverse.vary.items()]
    for rule, n in multiverse.excluded().items():
        lines.append(f"  excluded ({n}): {rule} — {rule.why}")
    for rule in multiverse.undefined:
        lines.append(f"  {rule.quantity} undefined where {rule} — {rule.why}")
    return "\n".join(lines)
