"""UN Treaty Collection (MTDSG, March 2015 scrape): the treaty index and participant tables.

Each participant table keeps the UN's own column headers, which say what each marker
means ("Ratification, Accession(a), Succession(d)"): an unmarked date is the
header's unmarked action, a date followed by ``a`` an accession, and so on. We read
the markers from each column's own header rather than from one global list, because
the same letter can mean different things (``d`` is succession to a *signature* in a
signature column). Footnotes were not scraped, so withdrawals are not in these data.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from .. import data
from .provenance import stamp

SOURCE = "untc_mtdsg_2015"

#: What UNTC markers mean when a header does not say (it nearly always does).
MARKERS = {"a": "accession", "A": "acceptance", "AA": "approval", "d": "succession",
           "s": "definitive signature", "c": "formal confirmation", "P": "consent to be bound",
           "n": "provisional application", "p": "simplified procedure",
           "C": "confirmation of signature ad referendum"}
CONSENT_WORDS = ("ratification", "accession", "acceptance", "approval", "succession", "consent to be bound",
                 "definitive signature", "formal confirmation", "application", "simplified procedure",
                 "notification in respect")
#: Tables that are not treaty participation: GA resolutions (I-2) and ICJ declarations without dates (I-4).
NOT_PARTICIPATION = {"I-2": "cells are General Assembly resolutions, not dates",
                     "I-4": "optional-clause declarations with no dates"}

_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50}
_CELL = re.compile(r"^\s*(\d{1,2} [A-Z][a-z]{2} \d{4})\s*([A-Za-z]{1,2})?\s*$")
_ITEM = re.compile(r"^(.*?)\s*\(([A-Za-z]{1,2})\)\s*$")
_ADOPTED = re.compile(r"^(?P<title>.*)\.\s+(?P<place>[^.]+?),\s+(?P<date>\d{1,2} [A-Z][a-z]+ \d{4})\s*$")


def roman_to_int(numeral: str) -> int:
    values = [_ROMAN[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and values[i + 1] > v else v for i, v in enumerate(values))


def file_key(mtdsg_no: str) -> str:
    """MTDSG number -> participant file name: IV-9 -> 4-9, X-11-a -> 10-11-a, XI-A-1 -> 11-1."""
    chapter, *rest = mtdsg_no.split("-")
    number = roman_to_int(chapter)
    if number == 11 and rest and rest[0] == "A":  # the scrape has only chapter XI part A, unprefixed
        rest = rest[1:]
    return "-".join([str(number), *rest])


def _file(name: str, folder: Path | None) -> Path:
    """A file of the scrape: from ``folder`` (a copy laid out like the repository) or the cache."""
    return Path(folder) / name if folder is not None else data.path(SOURCE, name)


def read_untc_index(folder: Path | str | None = None) -> pd.DataFrame:
    """One row per MTDSG treaty: number, chapter, title, place and date of adoption."""
    raw = pd.read_csv(_file("index.csv", folder), dtype=str)
    df = pd.DataFrame({
        "mtdsg_no": raw.url.str.extract(r"mtdsg_no=([^&]+)", expand=False),
        "chapter": raw.chapter_no.astype(int),
        "chapter_name": raw.chapter_name,
        "name": raw.treaty_name.str.strip(),
    })
    parts = df.name.str.extract(_ADOPTED)
    df["title"] = parts.title.fillna(df.name)
    df["adoption_place"] = parts.place
    df["adoption_date"] = pd.to_datetime(parts.date, format="%d %B %Y", errors="coerce")
    df["file"] = "treaties/" + df.mtdsg_no.map(file_key) + ".csv"
    if folder is None:
        available = {f.file for f in data.registry().source_files(SOURCE)}
    else:
        available = {str(p.relative_to(folder)) for p in Path(folder).glob("treaties/*.csv")}
    df["has_participants"] = df.file.isin(available) & ~df.mtdsg_no.isin(list(NOT_PARTICIPATION))
    return stamp(df, SOURCE, "index.csv", undated=df.loc[df.adoption_date.isna(), "mtdsg_no"].tolist())


def classify_column(header: str) -> str:
    """signature / provisional / consent / other, from a participant-table header."""
    low = header.lower()
    if "provisional application" in low:
        return "provisional"
    if low.startswith("signature") or low.startswith("confirmation of signature"):
        return "signature"
    if any(word in low for word in CONSENT_WORDS):
        return "consent"
    return "other"


def header_markers(header: str) -> tuple[dict[str, str], str]:
    """The header's own marker meanings, and the meaning of an unmarked date."""
    markers, unmarked = {}, []
    for item in (i.strip() for i in header.split(",")):
        m = _ITEM.match(item)
        if m:
            markers[m.group(2)] = m.group(1).strip().lower()
        elif item:
            unmarked.append(item.lower())
    plain = "ratification" if "ratification" in unmarked or not unmarked else unmarked[0]
    return markers, plain


#: Signature-column markers: ``d`` is succession to a signature, ``s`` a signature ad referendum.
SIGNATURE_MARKERS = {"d": "succession to signature", "s": "signature ad referendum"}
#: Canonical consent types, tried in order against the header's wording.
CANONICAL = ("ratification", "accession", "acceptance", "approval", "succession", "definitive signature",
             "formal confirmation", "consent to be bound", "simplified procedure", "provisional application",
             "application", "participation", "notification")


def action_type(kind: str, marker, meaning: tuple[dict[str, str], str]) -> str:
    """What one dated cell records, in the words of its column's header."""
    markers, plain = meaning
    if not isinstance(marker, str):
        return {"signature": "signature", "provisional": "provisional application"}.get(kind, plain)
    if kind == "signature":
        return SIGNATURE_MARKERS.get(marker) or markers.get(marker) or f"signature ({marker})"
    return markers.get(marker) or MARKERS.get(marker) or f"unknown marker {marker}"


def canonical(action: str) -> str:
    """One of :data:`CANONICAL` (or ``signature``/``other``) for a header's wording."""
    if action.startswith(("signature", "succession to signature", "confirmation of signature")):
        return "signature"
    return next((c for c in CANONICAL if c in action), "other")


def parse_participants(table: pd.DataFrame, mtdsg_no: str) -> pd.DataFrame:
    """Long form of one participant table: one row per participant, column and dated action."""
    table = table.rename(columns={table.columns[0]: "participant"})
    long = table.melt(id_vars="participant", var_name="column", value_name="raw").dropna(subset=["raw"])
    long = long[long.raw.str.strip() != ""]
    cells = long.raw.str.extract(_CELL)
    long["date"] = pd.to_datetime(cells[0], format="%d %b %Y", errors="coerce")
    long["marker"] = cells[1]
    long["action"] = long.column.map(classify_column)
    meanings = {c: header_markers(c) for c in long.column.unique()}
    long["action_type"] = [action_type(k, m, meanings[c]) for k, m, c in zip(long.action, long.marker, long.column)]
    long["consent_type"] = long.action_type.map(canonical)
    # a header split mid-phrase ("..., as amended(A)") still has a standard marker
    fallback = (long.consent_type == "other") & long.marker.isin(list(MARKERS))
    long.loc[fallback, "consent_type"] = long.loc[fallback, "marker"].map(MARKERS).map(canonical)
    long.insert(0, "mtdsg_no", mtdsg_no)
    return long[["mtdsg_no", "participant", "action", "consent_type", "action_type", "date", "marker",
                 "column", "raw"]].reset_index(drop=True)


def read_untc_participants(treaties: list[str] | None = None, folder: Path | str | None = None) -> pd.DataFrame:
    """Every dated action in the participant tables (all treaties, or the MTDSG numbers given)."""
    index = read_untc_index(folder)
    chosen = index[index.has_participants]
    if treaties is not None:
        unknown = sorted(set(treaties) - set(index.mtdsg_no))
        if unknown:
            raise KeyError(f"Unknown MTDSG number(s) {unknown}; e.g. {index.mtdsg_no.head(3).tolist()}")
        chosen = chosen[chosen.mtdsg_no.isin(treaties)]
    frames = [parse_participants(pd.read_csv(_file(f, folder), dtype=str), m)
              for m, f in zip(chosen.mtdsg_no, chosen.file)]
    out = pd.concat(frames, ignore_index=True)
    undated = out[out.date.isna()]
    return stamp(out, SOURCE, "index.csv", not_participation=NOT_PARTICIPATION,
                 undated_cells=len(undated), treaties=len(frames))
