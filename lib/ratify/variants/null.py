"""Inference under the null for a chapter's stored multiverse, stored with it and shown on the page.

Simonsohn, Simmons & Nelson (2020) ask whether a whole specification curve could have arisen
if the focal effect were zero. :func:`ratify.variants.specification.null_test` answers it by
refitting the multiverse's universes on datasets where the effect is zero by construction;
this module declares which effect, runs the test on the *stored* multiverse results, stores
the answer beside them and shows it on the robustness page (the book never recomputes it).

A chapter declares the test in ``variants.yaml``::

    null_test:
      quantity: hr_sending   # a key quantity of the multiverse
      column: sending        # the focal covariate: each unit's history of it moves to another unit
      unit: ccode            # whose histories are permuted (block permutation)
      time: year             # the column that lines the histories up
      draws: 40              # datasets under the null (each refits every universe tested)
      universes: 96          # optional: test the first K universes only (default: all)

``ratify null CHAPTER [--jobs N] [--scheduler ADDRESS] [--draws K]`` runs it and writes
``variants/null-test.json``. The stored answer records the multiverse stamp it was computed
from, so a refreshed multiverse (or a changed declaration) marks it stale on the page.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import yaml

from . import multiverse as engine, specification
from .schema import Chapter, load as load_chapter
from .universes import MultiverseError, load

BLOCK = "null_test"
ALPHA = specification.ALPHA  # a permutation p-value at or below it rejects (19 draws can reach exactly .05)
RESULT_FILE = "null-test.json"


@dataclass(frozen=True)
class NullDeclaration:
    """The ``null_test:`` block, checked."""

    quantity: str
    column: str
    unit: str
    time: str
    draws: int = 40
    universes: int | None = None


def declared(chapter: str | Path | Chapter) -> NullDeclaration | None:
    """The chapter's null test (None when it declares none); a malformed block is a MultiverseError."""
    chapter = chapter if isinstance(chapter, Chapter) else load_chapter(chapter)
    raw = (yaml.safe_load(chapter.spec_file.read_text(encoding="utf-8")) or {}).get(BLOCK)
    if raw is None:
        return None
    where = f"{chapter.spec_file}: {BLOCK}"
    if not isinstance(raw, dict):
        raise MultiverseError(f"{where} must map quantity, column, unit, time (and draws, universes) to values")
    fields = set(NullDeclaration.__dataclass_fields__)
    problems = [f"unknown keys {sorted(set(raw) - fields)}"] if set(raw) - fields else []
    problems += [f"needs {k!r}" for k in ("quantity", "column", "unit", "time") if not isinstance(raw.get(k), str)]
    for k in ("draws", "universes"):
        v = raw.get(k)
        if v is not None and (not isinstance(v, int) or isinstance(v, bool) or v < 1):
            problems.append(f"{k!r} must be a whole number >= 1, got {v!r}")
    quantities = [q.id for q in chapter.key_quantities]
    if isinstance(raw.get("quantity"), str) and raw["quantity"] not in quantities:
        problems.append(f"quantity {raw['quantity']!r} is not a key quantity; they are {quantities}")
    if problems:
        raise MultiverseError(f"{where}: " + "; ".join(problems))
    return NullDeclaration(**raw)


def run(chapter: str | Path | Chapter, *, draws: int | None = None, jobs: int = 1, scheduler: str | None = None,
        progress: bool = True) -> dict:
    """Run the declared null test on the stored multiverse results and store it; the stored record."""
    multiverse = load(chapter)
    spec = multiverse.chapter
    declaration = declared(spec)
    if declaration is None:
        raise MultiverseError(f"{spec.spec_file}: no '{BLOCK}:' block; see ratify.variants.null")
    results = engine.stored(spec)
    if results is None:
        raise MultiverseError(f"{spec.slug}: no stored multiverse; run `ratify multiverse {spec.slug}` first")
    tested = results
    if declaration.universes:
        keep = (results[(results.quantity == declaration.quantity) & (results.status == "ok")]
                .drop_duplicates("universe").sort_values("index").universe.head(declaration.universes))
        tested = results[results.universe.isin(set(keep))]
    n = draws or declaration.draws
    perturbations = [specification.null_perturbation(declaration.column, declaration.unit, declaration.time, seed=k)
                     for k in range(n)]
    start = time.perf_counter()
    test = specification.null_test(multiverse, tested, declaration.quantity, perturbations, jobs=jobs,
                                   scheduler=scheduler, progress=progress)
    record = {"declaration": asdict(declaration), "draws": test["draws"], "direction": test["direction"],
              "observed": test["observed"], "p_median": test["p_median"],
              "p_share_significant": test["p_share_significant"],
              "universes": int(tested.loc[tested.quantity == declaration.quantity, "universe"].nunique()),
              "table": test["table"].to_dict(orient="records"),
              "multiverse_sha256": (engine.read_stamp(spec) or {}).get("sha256"),
              "computed": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "jobs": jobs, "scheduler": "dask" if scheduler else "local",
              "seconds": round(time.perf_counter() - start, 1)}
    path = result_path(spec)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return record


def result_path(chapter: Chapter) -> Path:
    return engine.store_dir(chapter) / RESULT_FILE


def stored(chapter: Chapter) -> dict | None:
    """The stored null test (None when none was run)."""
    path = result_path(chapter)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def staleness(chapter: Chapter) -> str:
    """``absent``, ``stale`` (the multiverse or the declaration changed since) or ``fresh``."""
    record = stored(chapter)
    if record is None:
        return "absent"
    declaration = declared(chapter)
    current = (engine.read_stamp(chapter) or {}).get("sha256")
    same = declaration is not None and record["declaration"] == asdict(declaration)
    return "fresh" if same and record.get("multiverse_sha256") == current else "stale"


def sentence(record: dict, label: str, scale: str) -> str:
    """What the test found, in words written from its numbers."""
    observed, n = record["observed"], record["draws"]
    table = pd.DataFrame(record["table"])
    median = math.exp(observed["median"]) if scale == "hr" else observed["median"]
    null_median = table["median"].abs().median()
    null_shown = math.exp(null_median) if scale == "hr" else null_median
    what = "hazard ratio" if scale == "hr" else "estimate"
    side = ({1: "a hazard ratio above 1", -1: "a hazard ratio below 1"} if scale == "hr"
            else {1: "a positive estimate", -1: "a negative estimate"})[record["direction"]]
    below = {"the median": record["p_median"] <= ALPHA, "the share significant": record["p_share_significant"] <= ALPHA}
    verdict = ("distinguishable from no effect at the .05 level on both statistics" if all(below.values())
               else "not distinguishable from no effect at the .05 level" if not any(below.values())
               else f"distinguishable from no effect at the .05 level on {next(k for k, v in below.items() if v)} only")
    spread = (f"within a factor of {null_shown:.3g} of 1" if scale == "hr" else f"within {null_shown:.3g} of 0")
    return (f"*{label}*: across the {record['universes']} universes tested, the median {what} is {median:.3g} and "
            f"{100 * observed['share_significant']:.0f}% are significant at .05 with {side}. In {n} datasets where each "
            f"country's history of `{record['declaration']['column']}` was given to another country (so its true "
            f"effect is zero), the curve's median was typically {spread} and a median "
            f"{100 * table.share_significant.median():.0f}% of universes were significant in that direction; "
            f"p = {record['p_median']:.3f} for the median and p = {record['p_share_significant']:.3f} for the share "
            f"significant. The curve as a whole is {verdict}.")


def show(chapter: Chapter) -> None:
    """The null-test part of the robustness page (nothing when the chapter declares none)."""
    import matplotlib.pyplot as plt
    from IPython.display import Markdown, display

    declaration = declared(chapter)
    if declaration is None:
        return
    command = f"ratify null {chapter.slug} --jobs 2"
    display(Markdown(
        "**Inference under the null.** Could a curve like this one arise if the effect were zero? Following "
        "Simonsohn, Simmons and Nelson (2020), each universe is refitted on datasets in which the effect is zero "
        "by construction, and the observed curve's median and share of significant results are set against "
        f"their distribution over those datasets. Computed by `{command}` and stored with the chapter."))
    state = staleness(chapter)
    if state == "absent":
        display(Markdown(f"```{{admonition}} No stored null test\n:class: attention\nRun `{command}` from the "
                         "repository root after the multiverse.\n```"))
        return
    if state == "stale":
        display(Markdown(f"```{{admonition}} The stored null test is stale\n:class: warning\nThe multiverse or the "
                         f"`{BLOCK}:` declaration changed since it was computed; rerun `{command}`.\n```"))
    record = stored(chapter)
    q = specification.quantity(load(chapter), declaration.quantity)
    display(Markdown(sentence(record, q.label, q.scale)))
    table = pd.DataFrame(record["table"])
    fig, axes = plt.subplots(1, 2, figsize=(9, 3))
    for ax, column, observed, title in ((axes[0], "median", record["observed"]["median"], "Median (coefficient scale)"),
                                        (axes[1], "share_significant", record["observed"]["share_significant"],
                                         "Share significant at .05")):
        ax.hist(table[column], bins=15, color="0.7")
        ax.axvline(observed, color="C3", label="observed")
        ax.set_title(title)
    axes[0].legend(frameon=False)
    axes[0].set_ylabel("datasets under the null")
    fig.tight_layout()
    display(fig)
    plt.close(fig)
