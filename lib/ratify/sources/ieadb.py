"""The International Environmental Agreements Database (IEADB; Mitchell et al. 2020).

The export is a zip of four semicolon-separated CSV files, each opening with three lines
of citation text (two quoted sentences and a blank line) before the header. Two are read:

* ``db_treaties.csv``: one row per agreement (IEA#): type, conclusion and entry-into-force
  dates, membership eligibility (bilateral, multilateral, ...), UNTS citation where known;
* ``db_members.csv``: one row per state action (signature, ratification, accession, ...,
  entry into force for that state, withdrawal), with year, month and day.

The database uses 1111 (``1111-11-11``) for an unknown date: it becomes missing here and
the count is kept in ``attrs``. It covers environmental agreements only, in force or not,
registered with the UN or not; chapters filter it by their own rules.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd

from .provenance import registered_path, stamp

SOURCE = "ieadb_2026"
HEADER_LINES = 3  # two citation sentences and a blank line before each file's header
UNKNOWN_YEAR = "1111"

#: Action types (lower case, trailing " 2"/" 3" removed) that bind a state; the rest are
#: signatures, withdrawals, entry into force for the state, or procedural records.
CONSENT_ACTIONS = {"ratification", "accession", "acceptance", "approval", "approbation", "adherence", "adhesion",
                   "succession", "definitive signature", "consent to be bound", "definitive accession",
                   "deposit (ratification)", "deposit (accession)", "deposit (acceptance)", "deposit (adhesion)",
                   "deposit (adherence)", "deposit (instrument)"}
WITHDRAWAL_ACTIONS = {"withdrawal", "denunciation", "denunciation (effective date)"}
#: Official names the concordance's regexes miss: the name to match instead.
NAME_RULES = {"Micronesia": "Micronesia, Federated States of", "Vietnam, South": "South Vietnam",
              "Germany, Former GDR": "German Democratic Republic"}
#: The official-name column files Czechoslovakia's actions under "Czechia"; where the name as
#: entered is the predecessor's, match that instead (150 actions before 1993).
PREDECESSOR_AS_ENTERED = r"Czechoslovakia"


def _csv(zip_path: Path, member: str, usecols=None) -> pd.DataFrame:
    with zipfile.ZipFile(zip_path) as z, z.open(member) as fh:
        return pd.read_csv(fh, sep=";", skiprows=HEADER_LINES, encoding="utf-8-sig", dtype=str, usecols=usecols)


def _date(values: pd.Series) -> pd.Series:
    """ISO dates with the 1111 placeholder (unknown) as missing."""
    s = values.astype("string").str.strip()
    return pd.to_datetime(s.where(~s.str.startswith(UNKNOWN_YEAR, na=False)), format="%Y-%m-%d", errors="coerce")


def action_kind(action_type: pd.Series) -> pd.Series:
    """``signature``, ``consent``, ``withdrawal``, ``entry_into_force`` or ``other`` for each IEADB action type."""
    t = action_type.astype("string").str.strip().str.lower().str.replace(r"\s+\d$", "", regex=True)
    kind = pd.Series("other", index=action_type.index, dtype="string")
    kind[t.str.startswith("entry into force", na=False)] = "entry_into_force"
    kind[t.isin(WITHDRAWAL_ACTIONS)] = "withdrawal"
    kind[t == "signature"] = "signature"
    kind[t.isin(CONSENT_ACTIONS)] = "consent"
    return kind


def read_ieadb_agreements(path: Path | str | None = None) -> pd.DataFrame:
    """One row per agreement: ``iea_id``, name, type, ``inclusion`` code (MEA = multilateral
    environmental agreement, BEA = bilateral, ...), ``multilateral`` (eligibility is "3 or more
    governments"), ``concluded_date``, ``force_date`` (missing if never in force or unknown),
    ``termination_date``, ``unts`` citation, subject and lineage."""
    file = registered_path(SOURCE, path=path)
    raw = _csv(file, "db_treaties.csv")
    eligibility = raw["Membership eligibility (multilateral, bilateral, etc)"].astype("string")
    df = pd.DataFrame({
        "iea_id": raw["IEA#"].astype("int64"), "name": raw["Agreement Name"].astype("string").str.strip(),
        "agreement_type": raw["Agreement Type Level 3"].astype("string"),
        "inclusion": raw["Inclusion (type of agreements)"].astype("string"), "eligibility": eligibility,
        "multilateral": eligibility.str.startswith("Multilateral", na=False),
        "concluded_date": _date(raw["Date IEA was concluded"]), "force_date": _date(raw["Date IEA entered into force"]),
        "termination_date": _date(raw["Term Date"]), "unts": raw["UNTS"].astype("string"),
        "subject": raw["Issue area (subject)"].astype("string"), "lineage": raw["Lineage"].astype("string"),
        "place": raw["Place IEA was concluded"].astype("string")})
    unknown = {c: int(raw[c].str.startswith(UNKNOWN_YEAR, na=False).sum())
               for c in ("Date IEA was concluded", "Date IEA entered into force")}
    return stamp(df, SOURCE, "all-csv-files.zip", member="db_treaties.csv", unknown_dates=unknown)


def read_ieadb_memberships(path: Path | str | None = None) -> pd.DataFrame:
    """State actions in the long form of the other treaty readers: ``iea_id``, ``participant``
    (the official country name), ``action`` (:func:`action_kind`), ``consent_type`` (the
    IEADB action type, lower case), ``date`` (missing when year, month or day is unknown),
    ``year`` (kept when only the day is unknown), and ``ccode``: the concordance's COW
    code for the name in the action's year.

    Sub-national parties ("Germany (Bavaria)", "Belgium (Flemish)"), international
    organisations ("IO-…"), territories and states before independence get no code; they
    are kept with a missing ``ccode`` and listed in ``attrs["unmatched"]``. Names the
    concordance misses are matched by :data:`NAME_RULES`; Czechoslovakia's actions, filed
    under "Czechia", by the name as entered.
    """
    from ..concord import to_cow, unmatched

    file = registered_path(SOURCE, path=path)
    raw = _csv(file, "db_members.csv", usecols=["Mitch ID", "Country (official name)", "Country (as entered)",
                                                "Action Type", "Year", "Month", "Day"])
    year = pd.to_numeric(raw.Year, errors="coerce").where(raw.Year != UNKNOWN_YEAR).astype("Int64")
    month, day = pd.to_numeric(raw.Month, errors="coerce"), pd.to_numeric(raw.Day, errors="coerce")
    parts = pd.DataFrame({"year": year, "month": month.where(month.between(1, 12)), "day": day.where(day >= 1)})
    date = pd.to_datetime(parts.astype("float"), errors="coerce")
    name = raw["Country (official name)"].astype("string").str.strip()
    entered = raw["Country (as entered)"].astype("string").str.strip()
    to_match = name.replace(NAME_RULES).where(~entered.str.contains(PREDECESSOR_AS_ENTERED, na=False), entered)
    # "Country (qualifier)": a sub-national unit, unless the qualifier is a period ("pre-1960",
    # "Soviet period"), which the year-specific concordance already handles
    qualifier = name.str.extract(r"\(([^)]*)\)\s*$", expand=False)
    subnational = qualifier.notna() & ~qualifier.str.contains(r"^pre-\d{4}$|period|\d{4}", na=False)
    organisation = name.str.startswith("IO-", na=False)
    matchable = ~(subnational | organisation)
    codes = to_cow(to_match.where(matchable), year)
    codes.loc[(subnational & name.notna()).to_numpy(), "status"] = "sub-national unit"
    codes.loc[organisation.to_numpy(), "status"] = "international organisation"
    codes["name"] = name.to_numpy()
    df = pd.DataFrame({"iea_id": raw["Mitch ID"].astype("int64"), "participant": name,
                       "participant_entered": entered,
                       "action": action_kind(raw["Action Type"]),
                       "consent_type": raw["Action Type"].astype("string").str.strip().str.lower(),
                       "date": date, "year": year, "ccode": pd.array(codes.ccode, dtype="Int64")})
    return stamp(df, SOURCE, "all-csv-files.zip", member="db_members.csv",
                 unknown_years=int((raw.Year == UNKNOWN_YEAR).sum()), name_rules=NAME_RULES,
                 unmatched=unmatched(codes, SOURCE).to_dict("records"))


def entry_into_force(agreements: pd.DataFrame, memberships: pd.DataFrame) -> pd.Series:
    """Whether each agreement (by ``iea_id``) entered into force, reading the 1111 placeholder explicitly.

    The export has no blank entry-into-force dates: an agreement never in force and one in
    force on a date the database does not know both carry 1111. So: ``dated`` when the
    agreement's date is known; ``undated`` when it is 1111 but some member's own entry into
    force is dated (so the agreement was in force); ``unknown`` otherwise (never in force, or
    no record of when: the two cannot be told apart).
    """
    members_in_force = memberships.loc[(memberships.action == "entry_into_force") & memberships.year.notna(), "iea_id"]
    status = pd.Series("unknown", index=agreements.iea_id.to_numpy(), name="entry_into_force", dtype="string")
    status[agreements.iea_id.isin(set(members_in_force)).to_numpy()] = "undated"
    status[agreements.force_date.notna().to_numpy()] = "dated"
    return status
