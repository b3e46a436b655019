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
