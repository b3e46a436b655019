"""Which instrument in one treaty source is which in another: IEADB agreements against MTDSG.

The UN's MTDSG and the IEADB overlap (the Montreal Protocol and its amendments, the
desertification convention, GATT, ...). A chapter that widens its treaty universe with
IEADB agreements must not count an instrument twice, so each MTDSG entry is paired with at
most one IEADB agreement, and the other way round, by these rules in order:

1. ``same day``: concluded on the MTDSG adoption date, the shorter title's words (without
   "the", "of", ...) at least :data:`SAME_DAY` [0] contained in the longer one's, and the two
   word sets at least :data:`SAME_DAY` [1] alike (Jaccard), so a one-word title cannot pair
   with every longer title that happens to contain its word;
2. ``same year``: concluded in the adoption year (the sources sometimes date one instrument by
   its adoption and the other by its opening for signature), with the stricter :data:`SAME_YEAR`;
3. ``known pair``: :data:`KNOWN_PAIRS`, instruments the two sources name too differently for
   words to find, each with the reason.

Candidates are taken best first (overlap, then Jaccard similarity of the word sets), one to
one, so "Convention on the High Seas" pairs with its namesake, not with the fishing
convention adopted the same day.
"""

from __future__ import annotations

import re

import pandas as pd

SAME_DAY = (0.8, 0.3)    # (overlap of the shorter title, Jaccard similarity)
SAME_YEAR = (0.9, 0.6)
STOPWORDS = frozenset({"the", "of", "on", "and", "to", "for", "in", "a", "an", "at", "by", "with", "concerning",
                       "relating", "its", "their", "between"})
#: (MTDSG number, IEADB id) pairs the word rules cannot find, and why they are one instrument.
KNOWN_PAIRS = {
    ("XXVII-7-c", 4923): "the Doha Amendment to the Kyoto Protocol (8 December 2012); IEADB names it by the "
                         "articles and annexes it amends",
}


def title_words(title: str) -> frozenset[str]:
    """The words of a title that identify it (lower case, no punctuation, no stop words)."""
    return frozenset(w for w in re.findall(r"[a-z0-9]+", str(title).lower()) if w not in STOPWORDS)


def _scores(a: frozenset, b: frozenset) -> tuple[float, float]:
    """(overlap of the shorter word set, Jaccard similarity)."""
    shared = len(a & b)
    return shared / max(1, min(len(a), len(b))), shared / max(1, len(a | b))


def ieadb_mtdsg_pairs(index: pd.DataFrame, agreements: pd.DataFrame) -> pd.DataFrame:
    """One row per paired instrument: ``mtdsg_no``, ``iea_id``, ``rule``, ``overlap``, ``jaccard``.

    ``index`` is :func:`ratify.sources.read_untc_index` (``mtdsg_no``, ``title``,
    ``adoption_date``); ``agreements`` is :func:`ratify.sources.read_ieadb_agreements`
    (``iea_id``, ``name``, ``concluded_date``), multilateral ones or all.
    """
    un = index.dropna(subset=["adoption_date"])[["mtdsg_no", "title", "adoption_date"]]
    ie = agreements.dropna(subset=["concluded_date"])[["iea_id", "name", "concluded_date"]]
    pairs = un.assign(year=un.adoption_date.dt.year).merge(ie.assign(year=ie.concluded_date.dt.year), on="year")
    words_un = {t: title_words(t) for t in pairs.title.unique()}
    words_ie = {t: title_words(t) for t in pairs.name.unique()}
    scores = [_scores(words_un[a], words_ie[b]) for a, b in zip(pairs.title, pairs.name, strict=True)]
    pairs["overlap"] = [s[0] for s in scores]
    pairs["jaccard"] = [s[1] for s in scores]
    same_day = pairs.adoption_date == pairs.concluded_date
    pairs["rule"] = pd.Series(pd.NA, index=pairs.index, dtype="string")
    passes = {name: (pairs.overlap >= cut[0]) & (pairs.jaccard >= cut[1])
              for name, cut in (("same day", SAME_DAY), ("same year", SAME_YEAR))}
    pairs.loc[~same_day & passes["same year"], "rule"] = "same year"
    pairs.loc[same_day & passes["same day"], "rule"] = "same day"
    known = pd.Series([KNOWN_PAIRS.get((m, i)) for m, i in zip(pairs.mtdsg_no, pairs.iea_id, strict=True)],
                      index=pairs.index)
    pairs.loc[known.notna() & pairs.rule.isna(), "rule"] = "known pair"
    candidates = pairs[pairs.rule.notna()].assign(first=pairs.rule.map({"same day": 0, "known pair": 0,
                                                                        "same year": 1}))
    candidates = candidates.sort_values(["first", "overlap", "jaccard"], ascending=[True, False, False])
    taken_un, taken_ie, rows = set(), set(), []
    for r in candidates.itertuples(index=False):
        if r.mtdsg_no in taken_un or r.iea_id in taken_ie:
            continue
        taken_un.add(r.mtdsg_no)
        taken_ie.add(r.iea_id)
        rows.append({"mtdsg_no": r.mtdsg_no, "iea_id": r.iea_id, "rule": r.rule, "overlap": r.overlap,
                     "jaccard": r.jaccard, "mtdsg_title": r.title, "ieadb_name": r.name})
    out = pd.DataFrame(rows, columns=["mtdsg_no", "iea_id", "rule", "overlap", "jaccard", "mtdsg_title",
                                      "ieadb_name"])
    out.attrs["rules"] = {"same day": SAME_DAY, "same year": SAME_YEAR,
                          "known pairs": {f"{m} = IEA {i}": why for (m, i), why in KNOWN_PAIRS.items()}}
    return out


#: IEADB action kinds in the long form the UN readers use (``signature`` / ``consent``).
def ieadb_actions(memberships: pd.DataFrame, iea_ids) -> pd.DataFrame:
    """Signatures and consents of the given IEADB agreements, dated to the day, in the long
    action form of :func:`ratify.sources.read_untc_participants` (``treaty`` = ``"IEA-<id>"``,
    ``participant``, ``action``, ``consent_type``, ``date``, ``ccode``); actions without a full
    date are left out and counted in ``attrs["undated"]``."""
    sub = memberships[memberships.iea_id.isin(list(iea_ids)) & memberships.action.isin(["signature", "consent"])]
    undated = int(sub.date.isna().sum())
    out = sub.dropna(subset=["date"]).assign(treaty="IEA-" + sub.iea_id.astype(str))
    out = out[["treaty", "iea_id", "participant", "action", "consent_type", "date", "ccode"]].reset_index(drop=True)
    out.attrs = {**memberships.attrs, "undated": undated}
    return out
