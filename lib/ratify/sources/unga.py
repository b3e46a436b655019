"""UN General Assembly ideal points (Bailey, Strezhnev & Voeten), by COW state and year."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .provenance import registered_path, stamp


def read_ideal_points(path: Path | str | None = None) -> pd.DataFrame:
    """Ideal points from all UNGA votes (June 2024 release), sessions 1–78; ``year`` =
    session + 1945 (the session opens in September of that year). Also each state's
    share of votes agreeing with the United States."""
    raw = pd.read_csv(registered_path("ideal_points_2024", path=path))
    df = pd.DataFrame({"ccode": raw.ccode.astype("Int64"), "session": raw.session.astype("Int64"),
                       "year": (raw.session + 1945).astype("Int64"),
                       "ideal_point": raw.IdealPointAll.astype(float),
                       "n_votes": raw.NVotesAll.astype("Int64"),
                       "agree_usa": raw.USAgree.astype(float)})
    return stamp(df, "ideal_points_2024")


ISSUES = {"me": "Palestinian conflict", "nu": "Nuclear weapons and nuclear material",
          "di": "Arms control and disarmament", "hr": "Human rights", "co": "Colonialism",
          "ec": "Economic development"}


def read_unvotes(folder: Path | str | None = None) -> pd.DataFrame:
    """Every recorded UNGA roll-call vote by country (Voeten's data via the ``unvotes`` R
    package): one row per roll call × country, with the vote (yes/abstain/no), the roll
    call's date, session and "important vote" flag, and one 0/1 column per issue
    (``issue_hr`` = human rights, ...; a roll call can carry several).

    Countries are matched to COW codes by name in the year of the vote (the file's
    ISO2 codes have no entry for dissolved states); "Taiwan" before 1949 is the Republic of
    China in China's seat (COW 710). Unmatched names (e.g. the Byelorussian and Ukrainian
    SSRs, members before they were states) are in ``attrs["unmatched"]`` and their rows
    dropped; the ``rows`` of that record count country-years, ``attrs["dropped_rows"]`` the votes.
    """
    from ..concord import to_cow, unmatched
    from .provenance import read_rdata

    def part(name):
        return read_rdata(registered_path("unvotes", f"data/{name}.rda",
                                          path=None if folder is None else Path(folder) / f"{name}.rda"), name)

    votes, calls, issues = part("un_votes"), part("un_roll_calls"), part("un_roll_call_issues")
    calls = pd.DataFrame({"rcid": calls.rcid.astype("int64"), "session": calls.session.astype("Int64"),
                          "date": pd.to_datetime(calls.date), "important_vote": calls.importantvote.astype("Int64"),
                          "resolution": calls.unres.astype("string")})
    flags = (pd.crosstab(issues.rcid.astype("int64"), issues.short_name.astype(str)).clip(upper=1)
             .reindex(columns=list(ISSUES), fill_value=0).add_prefix("issue_").reset_index())
    df = pd.DataFrame({"rcid": votes.rcid.astype("int64"), "country": votes.country.astype("string"),
                       "iso2c": votes.country_code.astype("string"),
                       "vote": pd.Categorical(votes.vote.astype(str), categories=["yes", "abstain", "no"])})
    df = df.merge(calls, on="rcid", how="left").merge(flags, on="rcid", how="left")
    issue_cols = [f"issue_{k}" for k in ISSUES]
    df[issue_cols] = df[issue_cols].fillna(0).astype("int8")
    df["year"] = df.date.dt.year.astype("int64")
    pairs = df[["country", "year"]].drop_duplicates().reset_index(drop=True)
    codes = to_cow(pairs.country, pairs.year)
    pairs["ccode"] = pd.array(codes.ccode, dtype="Int64")
    # The Republic of China held China's seat; the file calls it "Taiwan" throughout. Before
    # 1949 it was China (COW 710); from 1949 COW has it as Taiwan (713), as the concordance gives.
    roc = (pairs.country == "Taiwan") & (pairs.year < 1949)
    pairs.loc[roc, "ccode"] = 710
    df = df.merge(pairs, on=["country", "year"], how="left")
    lost = unmatched(codes[~roc.to_numpy()], "unvotes").to_dict("records")
    out = df.dropna(subset=["ccode"]).reset_index(drop=True)
    return stamp(out, "unvotes", "data/un_votes.rda", unmatched=lost, issues=ISSUES,
                 dropped_rows=len(df) - len(out))
