"""The multiverse section of a robustness page: stored results, never recomputed by the book.

It says (as the variant sweep does) when the results are absent or stale, then for each key
quantity a specification curve with the panel of choices and a sentence of counts, one table
of how much each decision explains, and the explorer (``explorer.py``).
"""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display

from .. import figures, tables
from . import explorer, multiverse, null, specification
from .page import notice
from .schema import Chapter
from .universes import MultiverseError, load, value_key, value_labels


def refresh_command(chapter: Chapter) -> str:
    return f"ratify multiverse {chapter.slug} --jobs 2"


def _pct(x) -> str:
    return "–" if x is None or pd.isna(x) else f"{100 * x:.0f}%"


def counts_sentence(summary: dict) -> str:
    """One sentence per key quantity, written from its numbers."""
    sign = ("no published sign to compare with" if summary["paper_sign"] is None
            else f"{_pct(summary['share_paper_sign'])} have the paper's sign")
    undefined = (f" ({summary['undefined']} more leave it out by design)" if summary.get("undefined") else "")
    return (f"*{summary['label']}*: {summary['estimated']} of {summary['universes']} universes estimated it{undefined}; "
            f"median {summary['median']:.3g}; p < .05 in {_pct(summary['share_significant'])}; {sign}.")


def importance_table(spec, results: pd.DataFrame) -> pd.DataFrame:
    """Share of each estimate's variance explained by each decision, and the largest interaction."""
    columns = {}
    for q in spec.chapter.key_quantities:
        shares = specification.importance(spec, results, q.id)
        main = shares[shares.kind == "main"].set_index("term").share
        inter = shares[shares.kind == "interaction"].head(1)
        column = {d: _pct(main.get(d)) for d in spec.decisions}
        column["largest two-way interaction"] = (f"{inter.term.iloc[0]}: {_pct(inter.share.iloc[0])}"
                                                 if len(inter) else "–")
        columns[q.label] = column
    return pd.DataFrame(columns)


def show(chapter: Chapter) -> None:
    """Display the chapter's multiverse section."""
    try:
        spec = load(chapter)
    except MultiverseError as err:
        display(Markdown(f"```{{admonition}} The multiverse cannot be read\n:class: attention\n{err}\n```"))
        return
    universes = spec.universes()
    display(Markdown(
        f"**The multiverse.** The variants above change one choice at a time. The multiverse crosses the "
        f"choices instead: {len(universes)} universes, every combination of {len(spec.decisions)} decisions "
        f"({', '.join(f'`{d}`' for d in spec.decisions)}) except those the exclusion rules in `variants.yaml` "
        f"rule out, each fitted through the study's Python API by `{refresh_command(chapter)}`."))
    rules = [f"- {n} ruled out where {rule}: {rule.why}" for rule, n in spec.excluded().items()]
    if rules:
        display(Markdown("Exclusion rules:\n\n" + "\n".join(rules)))
    undefined = [f"- *{next(q.label for q in chapter.key_quantities if q.id == rule.quantity)}* does not exist "
                 f"where {rule}: {rule.why}" for rule in spec.undefined]
    if undefined:
        display(Markdown("Quantities some universes leave out (recorded as undefined, not as failures):\n\n"
                         + "\n".join(undefined)))
    text = notice(chapter, multiverse.staleness(chapter), command=refresh_command(chapter), what="multiverse")
    if text:
        display(Markdown(text))
    results = multiverse.stored(chapter)
    if results is None:
        return
    status = multiverse.universe_status(results)
    missing = len(universes) - len(status)
    display(Markdown(
        f"{len(status)} universes were computed"
        + (f" ({missing} of the declared {len(universes)} not yet: `{refresh_command(chapter)} --resume` "
           "finishes them)" if missing > 0 else "")
        + (f"; {int((status != 'ok').sum())} lack at least one key estimate (a fit that failed or did not "
           "converge: each sentence below counts the universes that estimated its quantity)"
           if (status != "ok").any() else "") + "."))
    published = specification.load_published(chapter.folder)
    fields = spec.fields()
    labels = {d: value_labels(spec.vary[d]) for d in spec.decisions}
    keys = {d: value_key(fields[d].default) for d in spec.decisions}
    default = {d: labels[d].get(key, key) for d, key in keys.items()}  # the book's choices, as labelled
    sets = [f"- `{d}` {label}: {', '.join(f'`{x}`' for x in json.loads(key))}"
            for d, by_key in labels.items() for key, label in by_key.items() if label != key]
    if sets:
        display(Markdown("Decisions whose values are lists are labelled by set:\n\n" + "\n".join(sets)))
    for q in chapter.key_quantities:
        data = specification.curve(spec, results, q.id)
        if data.empty:
            display(Markdown(f"*{q.label}*: no universe produced this estimate."))
            continue
        data = data.assign(**{d: data[d].astype(str).map(by_key) for d, by_key in labels.items()})
        fig = figures.multiverse_curve(data, {d: list(by_key.values()) for d, by_key in labels.items()},
                                       reference=1.0 if q.scale == "hr" else 0.0, log=q.scale == "hr",
                                       default=default, title=q.label,
                                       ylabel="Hazard ratio (95% CI)" if q.scale == "hr" else "Estimate (95% CI)")
        display(fig)
        plt.close(fig)
        display(Markdown(counts_sentence(specification.summary(spec, results, q.id, published))))
    display(tables.to_html(importance_table(spec, results), caption="Which decisions move the estimates",
                           note="Share of the variance of each estimate across universes (log hazard ratios for "
                                "hazard ratios) explained by each decision: type-II sums of squares of a "
                                "least-squares fit on the decisions as categories, over the total."))
    display(Markdown("**Explore the multiverse.** Pick a value for any decision; the count, the summary and "
                     "the curve show the universes that match (computed in advance, nothing is refitted)."))
    display(HTML(explorer.explorer_html(explorer.explorer_data(spec, results, published),
                                        f"mv-{chapter.slug}")))
    null.show(chapter)  # inference under the null, where the chapter declares it
