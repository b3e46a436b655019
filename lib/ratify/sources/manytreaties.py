"""The manytreaties R package (globalgov): treaties and their parties from the GGO database.

``parties.rda`` and ``agreements.rda`` are R *lists* of data frames, which pyreadr
cannot read; the ``rdata`` package can, but parsing the parties list takes ~35 s. The
parsed lists are therefore cached under ``<data cache>/_derived/parsed/``, keyed by the SHA-256
of the file actually read and ``READER_VERSION`` (bump it when the parsing changes), in the
derived cache's checked, pickle-free format (:mod:`ratify.cache.store`), so a second call
takes ~1 s.

Dates are ``messydates`` strings; a plain ``YYYY-MM-DD`` becomes a date, ``YYYY-MM-DD?``
becomes that date flagged uncertain, and anything vaguer (ranges, years only, days
before 1677) stays missing with the raw text kept. The sentinels ``9999-12-31`` and
``0001-01-01`` mean "no such action" and give no row. The known errors the manifest
lists are fixed from the table :data:`DATE_FIXES`, each fix reported in ``attrs``.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from .. import data
from ..cache import store
from ..cache.keys import derived_dir
from ..data.fetch import sha256 as _sha256
from .provenance import registered_path, stamp

#: Version of what ``_read_list`` caches; bump when the parsing changes (old caches are then ignored).
READER_VERSION = 1

#: rdata warns once per R class it has no Python constructor for. In these files those are
#: the tibble, date-time, messydates and citation classes; the columns we use arrive as plain
#: strings, so these notices carry nothing. Any *other* warning (a new class, a real problem)
#: is let through.
KNOWN_RDATA_CLASSES = ("tbl_df", "tbl", "mdate", "POSIXct", "POSIXt", "Date", "person", "BibEntry", "bibentry")
_KNOWN_WARNING = r'Missing constructor for R class "(?:{})"'.format("|".join(KNOWN_RDATA_CLASSES))

MOON = "GASMCB_1979A"
OUTER_SPACE = "TP09CB_1967A"
IACPPT = "INAPPT_1985A"  # Inter-American Convention to Prevent and Punish Torture


class Fix(NamedTuple):
    """One known error: in ``column`` of the row (treaty, state), ``coded`` becomes
    ``corrected`` (``None``: the action is removed). ``state=None`` is the agreement row."""
    treaty: str
    state: str | None
    column: str
    coded: str
    corrected: str | None
    why: str


#: Every date this reader changes, and why. The OAS publishes its signature tables as
#: mm/dd/yy; GGO read some of them as dd/mm/yy. The year never changes, so yearly
#: analyses are unaffected, but each known case is corrected here.
DATE_FIXES = (
    Fix(MOON, "GTM", "StateRatification", "1993-01-21", None,
        "signatory only (UNTC XXIV-2); the date is Morocco's ratification"),
    Fix(MOON, "IND", "StateRatification", "2005-11-23", None,
        "signatory only (UNTC XXIV-2); the date is Peru's ratification"),
    Fix(MOON, "ROU", "StateRatification", "1981-11-12", None,
        "signatory only (UNTC XXIV-2); the date is Chile's ratification"),
    Fix(IACPPT, "MEX", "StateSignature", "1986-10-02", "1986-02-10",
        "OAS table 02/10/86 (mm/dd/yy) read as day/month (manifest caveat)"),
    Fix(IACPPT, None, "Signature", "1985-09-12", "1985-12-09",
        "adopted at Cartagena de Indias on 9 December 1985 (OAS 12/09/85 read as day/month)"),
    *(Fix(IACPPT, s, "StateSignature", "1985-09-12", "1985-12-09",
          "signed on the day of adoption; GGO coded its own (swapped) adoption date")
      for s in ("BOL", "COL", "URY", "VEN")),
)
#: The Moon Agreement "parties" GGO lists that are signatories only (from DATE_FIXES).
MOON_NOT_PARTIES = tuple(f.state for f in DATE_FIXES if f.treaty == MOON and f.corrected is None)

#: GGO ids of the Inter-American (OAS-system) instruments in this vintage: what the title
#: rule of ``read_manytreaties_agreements`` (``oas_candidate``) finds, fixed here so the
#: parties reader needs no second file (a real-data test checks the two agree). The
#: Protocol of San Salvador (SLV_1988P04) has no party rows in GGO.
OAS_INSTRUMENTS = {
    "INAIAS_1944A": "Convention on the Inter-American Institute of Agricultural Sciences (1944)",
    "CHROAS_1948A": "Charter of the Organization of American States (1948)",
    "INAIAS_1958P:INAIAS_1944A": "Protocol amending the 1944 IICA convention (1958)",
    "INAICA_1979A": "Convention on the Inter-American Institute for Cooperation on Agriculture (1979)",
    IACPPT: "Inter-American Convention to Prevent and Punish Torture (1985)",
    "SLV_1988P04": "Additional Protocol to the American Convention on Human Rights (San Salvador, 1988)",
    "IA04VW_1994A": "Convention of Belém do Pará on violence against women (1994)",
    "IA04PD_1999A": "Inter-American Convention on discrimination against persons with disabilities (1999)",
}
#: Titles that mark an Inter-American (OAS-system) instrument; see ``read_manytreaties_agreements``.
OAS_TITLE = r"Inter-American|Interamerican|American Convention|Organization Of American States"
#: One row per key in the parties frame. GGO's treatyID alone is not unique (e.g. the Montreal
#: Protocol adjustments to annexes A and B share one), so the title is part of it; a state can
#: have several dated actions of one kind (two ratification dates), which ``raw`` keeps apart.
KEY = ["treaty_id", "title", "participant", "action", "raw"]
#: messydates sentinels for "never" / "unknown": no action, no row.
SENTINELS = ("9999-12-31", "0001-01-01")
#: GGO state ids that are not (current) ISO3 codes: old codes get their ISO3, dissolved
#: states their COW code (ISO3 has none). Other unmatched ids (IOs, territories, German
#: Länder) are reported, not guessed.
GGO_TO_ISO3 = {"ALG": "DZA", "ROM": "ROU"}
GGO_TO_COW = {"YUG": 345, "SCG": 345, "CSK": 315, "DDR": 265, "YAR": 678, "YMD": 680, "KOS": 347}


def _parse_list(file: Path, object_name: str) -> dict[str, pd.DataFrame]:
    """The named R list ``object_name`` in ``file`` as {name: data frame} (slow: ~35 s for parties)."""
    import rdata

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=_KNOWN_WARNING, category=UserWarning)
        objects = rdata.read_rda(str(file))
    if object_name not in objects:
        raise KeyError(f"{file} has no R object {object_name!r}; it has {sorted(map(str, objects))}")
    return {str(k): v for k, v in objects[object_name].items()}


def cache_file(source: str, sha256: str) -> Path:
    """Where the parsed list of a file with this hash is kept (a folder: see :mod:`ratify.cache.store`)."""
    return derived_dir() / "parsed" / f"{source}-{sha256[:16]}-v{READER_VERSION}"


def _read_list(source: str, object_name: str, path: Path | None) -> dict[str, pd.DataFrame]:
    """The parsed R list, from the derived-data cache when this exact file was parsed before."""
    file = registered_path(source, path=path)
    # a registered file was verified against its registry hash on fetch: no need to hash it again
    digest = data.registry().resolve(source).sha256 if path is None else _sha256(file)
    about = {"kind": "parsed", "source": source, "file_sha256": digest, "reader_version": READER_VERSION}
    return store.reuse_or_build(cache_file(source, digest), lambda: _parse_list(file, object_name), about,
                                label=f"parsed {source}")


def _day(values: pd.Series) -> pd.Series:
    """A date where the messydate is a single day (``YYYY-MM-DD``, or with a trailing ``?``), else missing."""
    s = values.astype("string").str.strip().str.removesuffix("?")
    exact = s.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False)
    return pd.to_datetime(s.where(exact), format="%Y-%m-%d", errors="coerce")


def _apply_fixes(raw: pd.DataFrame, agreement_level: bool) -> tuple[pd.DataFrame, list[dict], list[dict]]:
    """``raw`` with the applicable :data:`DATE_FIXES` made; the fixes applied and those not found."""
    raw = raw.copy()
    applied, missing = [], []
    for fix in DATE_FIXES:
        if (fix.state is None) != agreement_level:
            continue
        hit = (raw.treatyID == fix.treaty) & (raw[fix.column] == fix.coded)
        if fix.state is not None:
            hit &= raw.stateID == fix.state
        hit = hit.fillna(False)
        record = {**fix._asdict(), "rows": int(hit.sum())}
        if hit.any():
            raw.loc[hit, fix.column] = pd.NA if fix.corrected is None else fix.corrected
            applied.append(record)
        else:
            missing.append(record)
    return raw, applied, missing


def read_manytreaties_agreements(database: str = "GGO", path: Path | str | None = None) -> pd.DataFrame:
    """Agreements of one manytreaties database (default GGO): one row per agreement, keyed by
    ``(treaty_id, title, signature_raw)`` because GGO gives some distinct instruments one id
    (annexes of one adjustment; four bilateral amendments even share the title), counted in
    ``attrs["shared_ids"]``.

    ``adoption_date`` is GGO's ``Signature`` (the day the text was adopted / opened for
    signature), so the frame plugs into ``risksets.treaty_risk_set(treaty="treaty_id")``;
    ``force_date`` is entry into force. Also depositary, ambit, geography, subject,
    agreement type, and ``oas_candidate``: an Inter-American instrument by title (see
    ``OAS_TITLE``) unless another depositary is named or it is bilateral.
    """
    frames = _read_list("manytreaties_agreements", "agreements", None if path is None else Path(path))
    if database not in frames:
        raise ValueError(f"database={database!r}; the file has {sorted(frames)}")
    raw, fixes, not_found = _apply_fixes(frames[database], agreement_level=True)
    df = pd.DataFrame({"treaty_id": raw.treatyID.astype("string"), "title": raw.Title.astype("string"),
                       "signature_date": _day(raw.Signature), "force_date": _day(raw.Force),
                       "signature_raw": raw.Signature.astype("string")})
    df.insert(2, "adoption_date", df.signature_date)
    for col, name in (("Depository", "depositary"), ("TypeAmbit", "ambit"), ("TypeGeo", "geography"),
                      ("TypeSubject", "subject"), ("TypeAgree", "agreement_type")):
        df[name] = raw[col].astype("string") if col in raw else pd.Series(pd.NA, index=df.index, dtype="string")
    # An Inter-American instrument by its title, unless another depositary is named (the
    # 1949 tuna commission, deposited with the United States, is not an OAS treaty). A
    # heuristic: Chapter 4 lists what it keeps.
    other_depositary = df.depositary.notna() & ~df.depositary.str.contains("OAS|American States", na=False)
    multilateral = df.ambit.fillna("") != "Bilateral"
    df["oas_candidate"] = df.title.str.contains(OAS_TITLE, case=False, na=False) & ~other_depositary & multilateral
    return stamp(df, "manytreaties_agreements", database=database, fixes=fixes, fixes_not_found=not_found,
                 n_fixes=sum(f["rows"] for f in fixes), shared_ids=int(df.treaty_id.duplicated(keep=False).sum()))


def read_manytreaties_parties(database: str = "GGO", path: Path | str | None = None) -> pd.DataFrame:
    """Party records of one manytreaties database, in the long action form of the UN readers.

    One row per state, treaty and action (``signature`` / ``consent``) with the day-level
    date where the source has one; ``consent_type`` is "signature" or "ratification or
    accession" (the database does not say which). ``participant`` is GGO's state id (ISO3
    for states); ``ccode``, ``iso3c`` and ``country`` come from the concordance in the
    year of the action (old ids and dissolved states by ``GGO_TO_ISO3``/``GGO_TO_COW``).

    Flags, not fixes: ``date_uncertain`` (a ``?`` date); ``signature_after_consent``
    (6,547 signature rows: for accessions GGO puts the entry-into-force date in the signature
    column, and the Outer Space Treaty uses UK-depositary dates); ``oas`` (an instrument
    in ``OAS_INSTRUMENTS``) and ``day_month_ambiguous`` (an OAS date whose day and month
    could be swapped and that no fix covers; the year is right either way). Fixes from
    ``DATE_FIXES`` are in ``attrs["fixes"]``. One row per ``KEY``: repeated GGO rows are
    dropped and counted in ``attrs["dropped_duplicates"]``; a state with two dates for one
    action keeps both (take the first, as ``treaties.first_actions`` does).
    """
    from ..concord import to_cow, unmatched

    frames = _read_list("manytreaties_parties", "parties", None if path is None else Path(path))
    if database not in frames:
        raise ValueError(f"database={database!r}; the file has {sorted(frames)}")
    raw, fixes, not_found = _apply_fixes(frames[database], agreement_level=False)
    fixed_cells = {(f["treaty"], f["state"], f["column"]) for f in fixes if f["corrected"] is not None}
    base = pd.DataFrame({"treaty_id": raw.treatyID.astype("string"), "title": raw.Title.astype("string"),
                         "participant": raw.stateID.astype("string")})
    sig, con = _day(raw.StateSignature), _day(raw.StateRatification)
    after = (sig > con).to_numpy()
    parts = []
    for action, col, date in (("signature", "StateSignature", sig), ("consent", "StateRatification", con)):
        text = raw[col].astype("string").str.strip()
        fixed = [(t, s, col) in fixed_cells for t, s in zip(raw.treatyID, raw.stateID, strict=True)]
        parts.append(base.assign(action=action, date=date, raw=text, date_uncertain=text.str.endswith("?"),
                                 signature_after_consent=after, _fixed=fixed))
    long = pd.concat(parts, ignore_index=True)
    sentinel = long.raw.isin(SENTINELS).fillna(False)
    long = long[long.raw.notna() & ~sentinel]
    # GGO repeats state-treaty rows (10,969 repeated actions): one row per KEY, flagged if any copy was
    long["signature_after_consent"] = long.groupby(KEY, dropna=False).signature_after_consent.transform("any")
    n = len(long)
    long = long.drop_duplicates(subset=KEY).reset_index(drop=True)
    dropped = n - len(long)
    long["action"] = long.action.astype("string")
    long["consent_type"] = long.action.map({"signature": "signature", "consent": "ratification or accession"}
                                           ).astype("string")
    long["date_uncertain"] = long.date_uncertain.fillna(False).astype(bool)
    long["oas"] = long.treaty_id.isin(list(OAS_INSTRUMENTS))
    d = long.date
    long["day_month_ambiguous"] = (long.oas & d.notna() & (d.dt.day <= 12) & (d.dt.day != d.dt.month)
                                   & ~long._fixed).astype(bool)
    long = long.drop(columns="_fixed")

    years = long.date.dt.year.fillna(long.raw.str.extract(r"^(\d{4})", expand=False).astype(float))
    codes = to_cow(long.participant.replace(GGO_TO_ISO3), years.astype("Int64"), by="iso3c")
    direct = long.participant.map(GGO_TO_COW).astype("Int64").to_numpy()
    long["ccode"] = pd.array(codes.ccode, dtype="Int64")
    long["ccode"] = long.ccode.fillna(pd.Series(direct, index=long.index))
    long["iso3c"] = pd.array(codes.iso3c, dtype="string")
    long["country"] = pd.array(codes.country, dtype="string")
    codes = codes[~long.participant.isin(list(GGO_TO_COW)).to_numpy()]
    out = long[["treaty_id", "title", "participant", "country", "iso3c", "ccode", "action", "consent_type", "date",
                "raw", "date_uncertain", "signature_after_consent", "oas", "day_month_ambiguous"]]
    return stamp(out, "manytreaties_parties", database=database, fixes=fixes, fixes_not_found=not_found,
                 n_fixes=sum(f["rows"] for f in fixes), dropped_duplicates=dropped,
                 sentinel_dates=int(sentinel.sum()), vague_dates=int(out.date.isna().sum()),
                 signature_after_consent=int(out.signature_after_consent[out.action == "signature"].sum()),
                 day_month_ambiguous=int(out.day_month_ambiguous.sum()),
                 unmatched=unmatched(codes, "manytreaties_parties").to_dict("records"))
