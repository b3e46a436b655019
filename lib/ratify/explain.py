"""Where a row of a chapter's paper-vs-ours table comes from, in one printout.

``ratify explain CHAPTER ID`` answers a reader who stops at one number: what the paper printed
and where (the ``published.yaml`` or ``claims.yaml`` entry), what we got and how it was judged
(the comparison the chapter's last build recorded), and, for a model term, the whole trail to the
upstream files (:func:`ratify.provenance.trace`: the study function that built the frame, each
covariate's merge record, every source with its SHA-256 and reader). A computed quantity has no
model behind it; its row names the page and cell that compute it instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import jupytext
import pandas as pd
import yaml

from .comparison import CLAIMS_FILE, COMPARISON_FILE, PUBLISHED_FILE
from .provenance import BOOK_DIR, TraceError, chapter_slug, results_folder, trace

__all__ = ["explain", "row_ids"]


def _entries(folder: Path) -> dict[str, dict]:
    """Every published item, claim and placement of the chapter, by id (placements: ``P<n>``)."""
    out: dict[str, dict] = {}
    published, claims = folder / PUBLISHED_FILE, folder / CLAIMS_FILE
    if published.exists():
        for item in yaml.safe_load(published.read_text(encoding="utf-8")).get("items") or []:
            out[item["id"]] = {"file": PUBLISHED_FILE, **item}
    if claims.exists():
        data = yaml.safe_load(claims.read_text(encoding="utf-8")) or {}
        for claim in data.get("claims") or []:
            out[claim["id"]] = {"file": CLAIMS_FILE, **claim}
    return out


def _recorded(results: Path) -> pd.DataFrame:
    path = results / COMPARISON_FILE
    if not path.is_file():
        raise TraceError(f"the chapter's last build recorded no comparison ({path} is missing); "
                         "rebuild the chapter with `ratify book chapter <slug>`")
    table = pd.read_csv(path, keep_default_na=False, na_values=[""])
    missing = sorted({"kind", "id", "item", "what", "verdict"} - set(table.columns))
    if missing:
        raise TraceError(f"{path} was written by an older build (no column(s) {', '.join(missing)}); "
                         "rebuild the chapter with `ratify book chapter <slug>`")
    return table


def row_ids(chapter: str, folder: Path | str | None = None) -> list[str]:
    """The ids of every row the chapter's last build compared (what ``explain`` accepts)."""
    results = Path(folder) if folder is not None else results_folder(chapter)
    return list(_recorded(results).id)


def _where_computed(chapter_dir: Path, name: str) -> list[str]:
    """``page.md, cell N`` for each code cell that names the quantity ``name`` in a string."""
    hits = []
    pattern = re.compile(rf"[\"']{re.escape(name)}[\"']")
    for page in sorted(chapter_dir.glob("*.md")):
        nb = jupytext.read(str(page))
        code = [c for c in nb.cells if c.cell_type == "code"]
        hits += [f"{page.name}, code cell {i}" for i, c in enumerate(code, start=1) if pattern.search(c.source)]
    return hits


def _show(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def explain(chapter: str, row_id: str, *, folder: Path | str | None = None, book: Path | None = None) -> str:
    """The printout for one row (or, for an item compared with several fits, each of its rows)."""
    book = book or BOOK_DIR
    slug = chapter_slug(chapter, book)
    chapter_dir = book / "chapters" / slug
    results = Path(folder) if folder is not None else results_folder(slug, book)
    table = _recorded(results)
    rows = table[(table.id == row_id) | (table["item"] == row_id)]
    if rows.empty:
        known = ", ".join(table.id.astype(str).tolist()[:40])
        raise TraceError(f"no row {row_id!r} in {slug}'s comparison; rows: {known}"
                         + (" ..." if len(table) > 40 else ""))
    entries = _entries(chapter_dir)
    out: list[str] = []
    for row in rows.to_dict("records"):
        item_id = row.get("item") if isinstance(row.get("item"), str) else row["id"]
        entry = entries.get(item_id, entries.get(row["id"]))
        out += [f"== {row['id']} ({row['kind']}): {row['what']}", ""]
        if entry:
            shown = {k: v for k, v in entry.items() if k not in ("file", "id")}
            out += [f"  as transcribed in book/chapters/{slug}/{entry['file']}:"]
            out += [f"    {k}: {v}" for k, v in shown.items()]
            out.append("")
        out += [f"  paper {_show(row.get('paper'))}   ours {_show(row.get('ours'))}"
                f" [{_show(row.get('conf_low'))}, {_show(row.get('conf_high'))}]   verdict: {row.get('verdict') or '-'}"]
        for key in ("same_sign", "same_band", "ci_covers_paper", "rests_on", "needs", "source_needed", "note",
                    "reason"):
            if isinstance(row.get(key), str | bool) and row.get(key) != "":
                out.append(f"  {key.replace('_', ' ')}: {row[key]}")
        out.append("")
        model, term = row.get("model"), row.get("term")
        if isinstance(model, str) and isinstance(term, str):
            for name in [t.strip() for t in term.split("+")]:
                try:
                    out.append(trace(slug, model, name, folder=results))
                except TraceError as err:  # a row the paper reports and this build did not estimate
                    out.append(f"  not estimated in this build: {err}")
                out.append("")
        elif row["kind"] == "quantity" and entry and entry.get("quantity"):
            places = _where_computed(chapter_dir, entry["quantity"])
            out.append(f"  computed, not fitted: '{entry['quantity']}' is made on "
                       + ("; ".join(places) if places else "no page (it is not computed in this build)"))
            out.append("")
    return "\n".join(out).rstrip() + "\n"
