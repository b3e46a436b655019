"""The robustness page of a chapter: the stored sweep as specification curves and a table.

Each chapter's ``robustness.md`` is two or three cells that call :func:`show`. The page
never reruns the sweep (that would make every book build run every variant); it reads
``variants/results.csv`` through :mod:`.stored`, which checks it against its stamp, and says
plainly, in an admonition with the command that refreshes them, when those results are absent,
damaged (then no number is shown) or older than the notebook, parameters, data or library
they came from.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib.pyplot as plt
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, MaxNLocator, NullFormatter
import pandas as pd
from IPython.display import Markdown, display

from .. import figures, tables
from . import collect, stored
from .schema import CHAPTERS, SPEC_FILE, Chapter, load

PAGE_FILE = "robustness.md"
SUFFIX = {"paper": " (paper)", "ours": ""}  # marks the study's own robustness checks on the curves
WHAT_CHANGED = {"notebook": "the analysis notebook", "variants": f"`{SPEC_FILE}` (parameters or variants)",
                "data": "the data registry (a source file's hash)", "library": "the `ratify` library"}


def refresh_command(chapter: Chapter) -> str:
    return f"ratify variants {chapter.slug} --jobs 2"


def resolve(slug: str) -> Chapter:
    """The chapter being built: the page's own folder when it is that chapter (one-chapter
    builds copy the book elsewhere), else ``book/chapters/<slug>``."""
    here = Path.cwd()
    return load(here if here.name == slug and (here / SPEC_FILE).exists() else CHAPTERS / slug)


def notice(chapter: Chapter, state: stored.Stored) -> str | None:
    """The admonition (MyST) for absent, damaged or stale results; None when they are current."""
    command = refresh_command(chapter)
    if state.state == "absent":
        return ("```{admonition} No stored variant results\n:class: attention\n"
                f"The variants declared in `{SPEC_FILE}` have not been run yet. From the repository root, run\n"
                f"`{command}`; it executes each variant and stores the table this page shows.\n```")
    if state.state == "damaged":
        return ("```{admonition} The stored variant results cannot be shown\n:class: warning\n"
                f"They fail their check: {state.problem}. Rather than show numbers that may not be the ones the "
                f"sweep computed, this page shows none. Rerun the sweep with `{command}` from the repository root.\n```")
    if state.state == "stale":
        names = [WHAT_CHANGED[k] for k in state.changed]
        changed = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
        computed = (state.stamp or {}).get("computed")
        try:
            when = pd.Timestamp(computed).strftime("%d %B %Y, %H:%M UTC")
        except (TypeError, ValueError):
            when = "an earlier run"
        return ("```{admonition} These results may be out of date\n:class: attention\n"
                f"They were computed on {when}; since then {changed} changed, so rerunning could give other numbers.\n"
                f"Refresh them with `{command}`.\n```")
    return None


def curve(chapter: Chapter, results: pd.DataFrame, quantity_id: str):
    """Specification curve of one key quantity over the variants that estimated it (log axis for
    hazard ratios); None when none did."""
    q = next(k for k in chapter.key_quantities if k.id == quantity_id)
    data = collect.long(chapter, results)
    data = data[data.quantity == q.id].dropna(subset=list(collect.BOUNDS))
    if data.empty:
        return None
    data = data.assign(label=data.label + data.origin.map(SUFFIX))
    longest = int(data.label.str.len().max())  # room for the labels, so the curve keeps its width
    _, ax = plt.subplots(figsize=(4.5 + 0.065 * longest, 0.35 * len(data) + 1.5))
    figures.spec_curve(data, label="label", reference=1.0 if q.scale == "hr" else 0.0, ax=ax)
    if q.scale == "hr":
        ax.set_xscale("log")
        low, high = ax.get_xlim()
        narrow = [t for t in MaxNLocator(nbins=5).tick_values(low, high) if low <= t <= high and t > 0]
        ax.xaxis.set_major_locator(FixedLocator(narrow) if high / low < 5 else LogLocator(subs=(1, 2, 5)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # 0.5, 1, 2 rather than 5×10^-1
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("Hazard ratio (95% CI, log scale); coloured = CI excludes 1")
    defaults = {v.label + SUFFIX[v.origin] for v in chapter.variants if not v.parameters}
    for tick in ax.get_yticklabels():
        if tick.get_text() in defaults:
            tick.set_fontweight("bold")  # the book's own specification
    ax.set_title(q.label)
    ax.figure.tight_layout()
    return ax


def _interval(est: float, low: float, high: float) -> str:
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (est, low, high)):
        return ""
    return f"{est:.3g} [{low:.3g}, {high:.3g}]"


def readable(chapter: Chapter, results: pd.DataFrame) -> pd.DataFrame:
    """The table as a reader sees it: one column per key quantity, estimate [95% CI]."""
    out = pd.DataFrame({"Variant": results.label, "Origin": results.origin,
                        "Parameters changed": results.parameters})
    for q in chapter.key_quantities:
        out[q.label] = [_interval(*r) for r in results[[f"{q.id}_{b}" for b in collect.BOUNDS]].itertuples(index=False)]
    out["N"] = results.n.map(lambda v: "" if pd.isna(v) else f"{int(v):,}")
    out["Events"] = results.events.map(lambda v: "" if pd.isna(v) else f"{int(v):,}")
    out["Status"] = [s if s == "ok" else f"{s}: {e}" for s, e in zip(results.status, results.error)]
    return out


def show(slug: str, chapter: Chapter | None = None) -> None:
    """Display the robustness section of ``slug``: notice if needed, one curve per key quantity, the table."""
    chapter = chapter or resolve(slug)
    state = stored.read(chapter)
    text = notice(chapter, state)
    if text:
        display(Markdown(text))
    results = state.table
    if results is None:
        return
    ok, partial = int((results.status == "ok").sum()), int((results.status == "partial").sum())
    failed = len(results) - ok - partial
    counts = [f"{ok} gave every key estimate"] + ([f"{partial} only some of them"] if partial else []) + (
        [f"{failed} failed"] if failed else [])
    display(Markdown(f"{len(results)} variants were run: " + ", ".join(counts)
                     + ("; the table says what went wrong in each." if partial or failed else ".")
                     + (" Labels ending in *(paper)* are robustness checks the study itself reports; the others are ours."
                        if (results.origin == "paper").any() else " None of them is a check the study itself reports.")))
    if ok or partial:
        for q in chapter.key_quantities:
            ax = curve(chapter, results, q.id)
            if ax is None:
                display(Markdown(f"*{q.label}*: no variant produced this estimate."))
                continue
            display(ax.figure)
            plt.close(ax.figure)
    display(tables.to_html(readable(chapter, results), caption=f"Variants of {chapter.notebook.name}", index=False,
                            note="Estimate [95% confidence interval]; N and events of the first key quantity's model."))


TEMPLATE = """\
---
jupytext:
  text_representation: {{extension: .md, format_name: myst}}
kernelspec: {{name: python3, display_name: Python 3}}
---

({slug}-robustness)=
# Robustness

How much do the chapter's main estimates move when the analysis is run with other,
defensible choices? Each variant below reruns the analysis notebook, `{notebook}`, with
the parameters shown changed and everything else as in the chapter. The curves sort the
variants by their estimate, with 95% confidence intervals; the table gives the numbers,
the sample size and any variant that failed. The results are computed by `{command}`
and stored with the chapter, so building the book does not rerun them.

```{{code-cell}} ipython3
:tags: [remove-cell]

from ratify.variants import show_robustness
```

```{{code-cell}} ipython3
:tags: [remove-input]

show_robustness("{slug}")
```
"""


def write_page(chapter: Chapter, overwrite: bool = False) -> Path | None:
    """Create the chapter's ``robustness.md`` from the template; None if one already exists."""
    path = chapter.folder / PAGE_FILE
    if path.exists() and not overwrite:
        return None
    path.write_text(TEMPLATE.format(slug=chapter.slug, notebook=chapter.notebook.name,
                                    command=refresh_command(chapter)), encoding="utf-8")
    return path
