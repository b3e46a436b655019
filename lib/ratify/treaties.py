"""Treaty participation: who had signed and who was bound, on any date.

Works on the long participant frame of :func:`ratify.sources.untc.read_untc_participants`
(one row per dated action). "Bound" means the earliest consent action of the kinds
counted (all consent actions by default; a chapter may restrict them). Withdrawals
are not in the scraped tables, so a state once bound stays bound.
"""

from __future__ import annotations

from collections.abc import Collection

import pandas as pd

KEY = ["mtdsg_no", "participant"]

#: How a participant's name becomes a COW code. One rule per chapter, named on its page.
MATCH_RULES = {
    "action_year": "the COW code the name has in the year of the action; a participant with none that "
                   "year (an organisation, a territory, a state before it entered the COW system) gets none",
    "action_year_or_later": "as action_year, but an action dated before the state entered the COW system "
                            "(a colony's adhesion, a Soviet republic's ratification) gets the state's later "
                            "code, so a risk set sees that the state was bound before it entered",
}


def participants_with_cow(actions: pd.DataFrame, rule: str = "action_year") -> pd.DataFrame:
    """Dated treaty actions with the COW code (``ccode``) of each participant under ``rule``.

    Every row is kept; ``match`` says how its code was found (``action year``, ``later code``
    or ``none``). ``attrs["matching"]`` counts actions and names per outcome, so a page can
    show what the chapter's rule matched and what it left out; ``attrs["unmatched"]`` lists
    the names left without a code.
    """
    from .concord import to_cow

    if rule not in MATCH_RULES:
        raise ValueError(f"rule={rule!r} is not a participant-matching rule; use one of {sorted(MATCH_RULES)}")
    acts = actions.dropna(subset=["date"]).drop(columns=[c for c in ("ccode", "match") if c in actions.columns])
    keys = acts[["participant"]].assign(year=acts.date.dt.year).drop_duplicates(ignore_index=True)
    keys["ccode"] = pd.array(to_cow(keys.participant, keys.year).ccode, dtype="Int64")
    keys["match"] = keys.ccode.notna().map({True: "action year", False: "none"})
    if rule == "action_year_or_later":
        names = keys.loc[keys.ccode.isna(), "participant"].drop_duplicates()
        latest = pd.Series(pd.array(to_cow(names, None).ccode, dtype="Int64"), index=names.to_numpy())
        later = keys.ccode.isna() & keys.participant.map(latest).notna()
        keys.loc[later, "ccode"] = keys.loc[later, "participant"].map(latest)
        keys.loc[later, "match"] = "later code"
    out = acts.assign(year=acts.date.dt.year).merge(keys, on=["participant", "year"], how="left").drop(columns="year")
    out.index = acts.index
    counts = out.groupby("match").participant.agg(actions="size", names="nunique")
    out.attrs = {**actions.attrs, "unmatched": sorted(out.loc[out.match == "none", "participant"].unique()),
                 "matching": {"rule": rule, "description": MATCH_RULES[rule],
                              "later_names": sorted(out.loc[out.match == "later code", "participant"].unique()),
                              **{f"{kind}_{what}".replace(" ", "_"): int(counts.loc[kind, what]) if kind in counts.index
                                 else 0 for kind in ("action year", "later code", "none")
                                 for what in ("actions", "names")}}}
    return out


def matching_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """The chapter's participant-matching record as a small table for its page."""
    m = frame.attrs.get("matching")
    if not m:
        raise ValueError("this frame carries no participant-matching record (attrs['matching'])")
    rows = [("matched in the year of the action", m["action_year_actions"], m["action_year_names"]),
            ("given the state's later code", m["later_code_actions"], m["later_code_names"]),
            ("left without a COW code", m["none_actions"], m["none_names"])]
    table = pd.DataFrame(rows, columns=["participants", "actions", "names"]).set_index("participants")
    table.attrs["rule"] = f"{m['rule']}: {m['description']}"
    return table


def first_actions(participants: pd.DataFrame, consent_types: Collection[str] | None = None) -> pd.DataFrame:
    """Per treaty and participant: first signature, first consent and that consent's type."""
    consent = participants[participants.action == "consent"]
    if consent_types is not None:
        unknown = set(consent_types) - set(participants.consent_type)
        if unknown:
            raise ValueError(f"consent_types {sorted(unknown)} never occur; types present: "
                             f"{sorted(consent.consent_type.unique())}")
        consent = consent[consent.consent_type.isin(consent_types)]
    first_consent = (consent.sort_values("date").drop_duplicates(KEY)
                     [KEY + ["date", "consent_type"]].rename(columns={"date": "consent_date"}))
    signed = (participants[participants.action == "signature"].groupby(KEY).date.min()
              .rename("signature_date").reset_index())
    everyone = participants[KEY].drop_duplicates()
    return (everyone.merge(signed, on=KEY, how="left").merge(first_consent, on=KEY, how="left")
            .sort_values(KEY, ignore_index=True))


def treaty_status(participants: pd.DataFrame, treaty: str, as_of, consent_types=None) -> pd.DataFrame:
    """Each participant's status in ``treaty`` on ``as_of``: party, signatory (not yet bound) or none."""
    if treaty not in set(participants.mtdsg_no):
        raise KeyError(f"Treaty {treaty!r} is not in these participant data")
    as_of = pd.Timestamp(as_of)
    first = first_actions(participants[participants.mtdsg_no == treaty], consent_types)
    bound = first.consent_date.le(as_of)
    signed = first.signature_date.le(as_of)
    first["status"] = "none"
    first.loc[signed & ~bound, "status"] = "signatory"
    first.loc[bound, "status"] = "party"
    first.attrs = {"treaty": treaty, "as_of": str(as_of.date()),
                   "parties": int(bound.sum()), "signatories": int((signed & ~bound).sum())}
    return first


def compare_sources(a: pd.DataFrame, b: pd.DataFrame, treaty: str, labels: tuple[str, str] = ("a", "b"),
                    tolerance_days: int = 0) -> pd.DataFrame:
    """Where two participation sources disagree on one treaty's first consent dates.

    Participants are matched through :func:`ratify.concord.to_cow` (so "Viet Nam" and
    "Vietnam" meet); a name with no COW code is compared as written. Returns one row
    per participant whose status is not ``same``: ``date differs`` (by more than
    ``tolerance_days``), ``only in <label>``. Counts of every status are in ``attrs``.
    """
    from .concord import to_cow

    def first(frame: pd.DataFrame, label: str) -> pd.DataFrame:
        sub = first_actions(frame[frame.mtdsg_no == treaty]).dropna(subset=["consent_date"])
        codes = to_cow(sub.participant)
        key = codes.ccode.astype("string").fillna("name:" + sub.participant.astype("string").reset_index(drop=True))
        return pd.DataFrame({"key": key.to_numpy(), f"participant_{label}": sub.participant.to_numpy(),
                             f"consent_{label}": sub.consent_date.to_numpy()})

    la, lb = labels
    both = first(a, la).merge(first(b, lb), on="key", how="outer")
    gap = (both[f"consent_{la}"] - both[f"consent_{lb}"]).dt.days.abs()
    both["days_apart"] = gap
    both["status"] = "same"
    both.loc[gap > tolerance_days, "status"] = "date differs"
    both.loc[both[f"consent_{lb}"].isna(), "status"] = f"only in {la}"
    both.loc[both[f"consent_{la}"].isna(), "status"] = f"only in {lb}"
    out = both[both.status != "same"].sort_values(["status", "key"], ignore_index=True)
    out.attrs = {"treaty": treaty, "counts": both.status.value_counts().to_dict()}
    return out


def first_action_years(actions: pd.DataFrame, treaty: str, action: str) -> pd.DataFrame:
    """First year of ``action`` ("signature" or "consent") per treaty and state (``ccode``), on a long
    action frame with COW codes (:func:`participants_with_cow`); rows without a code are left out."""
    acts = actions[(actions.action == action)].dropna(subset=["ccode"])
    out = acts.groupby([treaty, "ccode"]).date.min().dt.year.rename(f"{action}_year").reset_index()
    out["ccode"] = out.ccode.astype("int64")
    return out


def bound_by_previous_year(actions: pd.DataFrame, treaty: str, years: pd.DataFrame,
                           states: Collection[int] | None = None) -> pd.DataFrame:
    """``bound``: how many states (of ``states``, COW codes; all when ``None``) had first consented to
    the treaty by the end of the year before, for each treaty and year of ``years`` (``treaty``, ``year``)."""
    bound = first_action_years(actions, treaty, "consent")
    if states is not None:
        bound = bound[bound.ccode.isin(list(states))]
    grid = years[[treaty, "year"]].drop_duplicates()
    merged = grid.merge(bound[[treaty, "consent_year"]], on=treaty, how="left")
    merged["bound"] = (merged.consent_year < merged.year).astype(int)
    return merged.groupby([treaty, "year"], as_index=False).bound.sum()
