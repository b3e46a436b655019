"""manytreaties readers: the R-list parse, its derived-data cache, the date-fix table and
the long party frame.

The fixture is typed here in the layout of the package's ``parties``/``agreements``
objects (a named R list of data frames, one per database, GGO's column order,
messydates as strings) and written as a real ``.rda`` list at test time with the
``rdata`` package's writer; the rows are made up, except the coded values the fix table
must recognise.
"""

from __future__ import annotations

import time
import warnings

import pandas as pd
import pytest

from ratify import concord
from ratify.sources import manytreaties
from ratify.sources.countrycodes import read_countrycode_panel

from conftest import flip_random_bit
from fixtures.rdata import COUNTRYCODE_PANEL, write_rda

GGO_COLUMNS = ["stateID", "treatyID", "Title", "Begin", "End", "Signature", "StateSignature", "StateRatification",
               "Force", "StateForce", "Term", "StateEnd", "Coder", "Comments"]
NA = None
PARTIES = [  # stateID, treatyID, Title, Signature, StateSignature, StateRatification, StateForce
    ("DEU", "TOYAGR_1990A", "Toy Agreement", "1990-03-01", "1990-03-01", "1991-05-14", "1991-06-13"),
    ("DEU", "TOYAGR_1990A", "Toy Agreement", "1990-03-01", "1990-03-01", "1991-05-14", "1991-06-13"),  # repeated row
    # an accession: GGO puts the entry-into-force date in the signature column
    ("VNM", "TOYAGR_1990A", "Toy Agreement", "1990-03-01", "1993-07-20", "1993-06-20", "1993-07-20"),
    ("COG", "TOYAGR_1990A", "Toy Agreement", "1990-03-01", "1990-03-01", "1991-04-30?", NA),   # uncertain date
    ("COD", "TOYAGR_1990A", "Toy Agreement", "1990-03-01", "1990-03-01", "9999-12-31", "9999-12-31"),  # never ratified
    ("YUG", "TOYAGR_1990A", "Toy Agreement", "1990-03-01", "1990-01..1990-03", NA, NA),        # range: not a day
    ("ABC", "TOYAGR_1990A", "Toy Agreement", "1990-03-01", "1990-03-01", NA, NA),              # no such state
    ("ROU", manytreaties.MOON, "Moon Agreement", "1979-12-05", "1980-02-02", "1981-11-12", "9999-12-31"),
    ("MEX", manytreaties.IACPPT, "Inter-American Torture Convention", "1985-09-12", "1986-10-02", "1987-03-03", NA),
    ("VEN", manytreaties.IACPPT, "Inter-American Torture Convention", "1985-09-12", "1985-09-12", "1990-05-04", NA),
    ("COL", manytreaties.IACPPT, "Inter-American Torture Convention", "1985-09-12", "1986-03-04", NA, NA),
]
AGREEMENTS = pd.DataFrame({
    "treatyID": ["TOYAGR_1990A", manytreaties.IACPPT, "TOYTUNA_1950A", "TOYAGR_1990A"],
    "Title": ["Toy Agreement", "Inter-American Convention To Prevent And Punish Torture",
              "Convention For An Inter-American Toy Fish Commission", "Toy Agreement Annex B"],
    "Signature": ["1990-03-01", "1985-09-12", "1950-02-03", "1990"], "Force": ["1992-06-13", NA, NA, NA],
    "TypeAmbit": ["Multilateral", "Regional", "Regional", "Multilateral"],
    "Depository": [NA, NA, "United States of America", NA]}).astype("string")


def ggo_parties() -> pd.DataFrame:
    rows = [dict(zip(["stateID", "treatyID", "Title", "Signature", "StateSignature", "StateRatification",
                      "StateForce"], r, strict=True)) for r in PARTIES]
    df = pd.DataFrame(rows).reindex(columns=GGO_COLUMNS)
    df["Coder"] = "toy"
    df["Term"] = float("nan")
    return df.astype({c: "string" for c in GGO_COLUMNS if c != "Term"})


@pytest.fixture
def toy_files(tmp_path, monkeypatch):
    """parties.rda / agreements.rda written as R lists, a private derived-data cache, and the
    toy countrycode panel as the concordance."""
    import rdata

    monkeypatch.setenv("RATIFY_DATA_CACHE", str(tmp_path / "cache"))
    panel = read_countrycode_panel(write_rda(tmp_path, "codelist_panel", COUNTRYCODE_PANEL))
    monkeypatch.setattr(concord, "_panel", lambda: panel)
    parties, agreements = tmp_path / "parties.rda", tmp_path / "agreements.rda"
    ieadb = ggo_parties()[["stateID", "treatyID"]].head(2)
    rdata.write_rda(str(parties), {"parties": {"GGO": ggo_parties(), "IEADB": ieadb}}, compression="bzip2")
    rdata.write_rda(str(agreements), {"agreements": {"GGO": AGREEMENTS}}, compression="bzip2")
    return parties, agreements


def test_parties_long_frame_fixes_and_flags(toy_files):
    df = manytreaties.read_manytreaties_parties(path=toy_files[0])
    assert df.columns.tolist() == ["treaty_id", "title", "participant", "country", "iso3c", "ccode", "action",
                                   "consent_type", "date", "raw", "date_uncertain", "signature_after_consent",
                                   "oas", "day_month_ambiguous"]
    assert not df.duplicated(manytreaties.KEY).any() and df.attrs["dropped_duplicates"] == 2
    one = df.set_index(["treaty_id", "participant", "action"])
    deu = one.loc[("TOYAGR_1990A", "DEU", "consent")]
    assert deu.date == pd.Timestamp("1991-05-14") and deu.ccode == 255 and deu.iso3c == "DEU"
    assert deu.consent_type == "ratification or accession"
    assert one.loc[("TOYAGR_1990A", "DEU", "signature"), "consent_type"] == "signature"
    # a '?' date is kept and flagged; the 9999-12-31 sentinel is no action at all
    cog = one.loc[("TOYAGR_1990A", "COG", "consent")]
    assert cog.date == pd.Timestamp("1991-04-30") and cog.date_uncertain
    assert ("TOYAGR_1990A", "COD", "consent") not in one.index and df.attrs["sentinel_dates"] == 1
    assert one.loc[("TOYAGR_1990A", "VNM", "signature"), "signature_after_consent"]
    yug = one.loc[("TOYAGR_1990A", "YUG", "signature")]
    assert pd.isna(yug.date) and yug.raw == "1990-01..1990-03" and yug.ccode == 345   # dissolved: by rule
    assert {u["name"] for u in df.attrs["unmatched"]} >= {"ABC"}
    # the fix table: Moon Agreement ratification removed, OAS day/month swaps corrected
    assert (manytreaties.MOON, "ROU", "consent") not in one.index
    assert one.loc[(manytreaties.IACPPT, "MEX", "signature"), "date"] == pd.Timestamp("1986-02-10")
    assert one.loc[(manytreaties.IACPPT, "VEN", "signature"), "date"] == pd.Timestamp("1985-12-09")
    assert [(f["treaty"], f["state"]) for f in df.attrs["fixes"]] == [
        (manytreaties.MOON, "ROU"), (manytreaties.IACPPT, "MEX"), (manytreaties.IACPPT, "VEN")]
    assert df.attrs["n_fixes"] == 3 and len(df.attrs["fixes_not_found"]) == 5   # GTM, IND, BOL, COL, URY
    # an OAS date that could be swapped and that no fix covers is flagged; a fixed one is not
    assert one.loc[(manytreaties.IACPPT, "COL", "signature"), "day_month_ambiguous"]
    assert not one.loc[(manytreaties.IACPPT, "MEX", "signature"), "day_month_ambiguous"]
    assert not one.loc[("TOYAGR_1990A", "DEU", "signature"), "oas"]
    with pytest.raises(ValueError, match="GGO"):
        manytreaties.read_manytreaties_parties("DESTA", path=toy_files[0])


def test_agreements_adoption_date_fix_and_oas_rule(toy_files):
    agr = manytreaties.read_manytreaties_agreements(path=toy_files[1])
    assert agr.attrs["shared_ids"] == 2 and agr.attrs["n_fixes"] == 1
    by_title = agr.set_index("title")
    torture = by_title.loc["Inter-American Convention To Prevent And Punish Torture"]
    assert torture.adoption_date == pd.Timestamp("1985-12-09") and torture.oas_candidate
    assert not by_title.loc["Convention For An Inter-American Toy Fish Commission", "oas_candidate"]  # US depositary
    assert pd.isna(by_title.loc["Toy Agreement Annex B", "adoption_date"])            # a year is not a day
    assert agr.force_date.dtype == "datetime64[ns]"


def test_cache_is_keyed_by_file_hash_and_version(toy_files, monkeypatch):
    parties = toy_files[0]
    first = manytreaties.read_manytreaties_parties(path=parties)
    sha = manytreaties._sha256(parties)
    cached = manytreaties.cache_file("manytreaties_parties", sha)
    assert (cached / "entry.json").exists() and cached.name.endswith(f"-v{manytreaties.READER_VERSION}")
    assert [p.name for p in cached.parent.iterdir()] == [cached.name]   # written to a temporary name, then renamed

    def no_parse(*args):
        raise AssertionError("parsed again although the cache holds this file")

    monkeypatch.setattr(manytreaties, "_parse_list", no_parse)
    again = manytreaties.read_manytreaties_parties(path=parties)
    pd.testing.assert_frame_equal(first, again)
    # a new reader version ignores the old entry
    monkeypatch.setattr(manytreaties, "READER_VERSION", manytreaties.READER_VERSION + 1)
    with pytest.raises(AssertionError, match="parsed again"):
        manytreaties.read_manytreaties_parties(path=parties)


def test_corrupt_cache_is_reparsed(toy_files, caplog):
    parties = toy_files[0]
    cached = manytreaties.cache_file("manytreaties_parties", manytreaties._sha256(parties))
    cached.mkdir(parents=True)
    (cached / "entry.json").write_bytes(b"not a cache entry")
    assert len(manytreaties.read_manytreaties_parties(path=parties)) > 0
    assert "parsed manytreaties_parties: the stored entry" in caplog.text and "rebuilding it" in caplog.text
    assert (cached / "entry.json").stat().st_size > 100


def test_fuzz_flipped_bits_in_the_parse_cache_are_caught(toy_files, monkeypatch, caplog):
    """Each file of the parsed list's entry, one random bit at a time: the same frames or a reparse
    with a warning, never other frames (issue 19)."""
    import random
    import shutil

    from ratify.cache import codec

    parties = toy_files[0]
    first = manytreaties._read_list("manytreaties_parties", "parties", parties)
    cached = manytreaties.cache_file("manytreaties_parties", manytreaties._sha256(parties))
    backup = cached.with_name("backup")
    shutil.copytree(cached, backup)
    files = sorted(p.name for p in backup.iterdir())
    parses = []
    real = manytreaties._parse_list
    monkeypatch.setattr(manytreaties, "_parse_list", lambda *a: parses.append(1) or real(*a))
    rng = random.Random(19)
    for i in range(60):
        shutil.rmtree(cached)
        shutil.copytree(backup, cached)
        target = cached / files[i % len(files)]
        flip_random_bit(target, rng)
        before, warned = len(parses), caplog.text.count("rebuilding it")
        again = manytreaties._read_list("manytreaties_parties", "parties", parties)
        assert codec.same(first, again) is None, f"flip {i} in {target.name} changed the parsed list silently"
        assert (len(parses) > before) == (caplog.text.count("rebuilding it") > warned)


def test_only_known_rdata_warnings_are_silenced(toy_files, monkeypatch):
    import rdata

    real = rdata.read_rda

    def noisy(path):
        warnings.warn('Missing constructor for R class "mdate". The underlying R object is returned instead.',
                      UserWarning, stacklevel=2)
        warnings.warn('Missing constructor for R class "tbl_df". The constructor for class "tbl" will be used',
                      UserWarning, stacklevel=2)
        return real(path)

    monkeypatch.setattr(rdata, "read_rda", noisy)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        manytreaties._parse_list(toy_files[0], "parties")    # known classes: silent

    def unknown(path):
        warnings.warn('Missing constructor for R class "sf".', UserWarning, stacklevel=2)
        return real(path)

    monkeypatch.setattr(rdata, "read_rda", unknown)
    with pytest.warns(UserWarning, match='"sf"'):
        manytreaties._parse_list(toy_files[0], "parties")
    monkeypatch.setattr(rdata, "read_rda", real)
    with pytest.raises(KeyError, match="parties"):
        manytreaties._parse_list(toy_files[1], "parties")


@pytest.mark.realdata
def test_real_manytreaties(real_mirror, monkeypatch):
    """Cheap once the derived cache holds the parse (the first run parses for ~35 s)."""
    from ratify.sources.untc import read_untc_participants

    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    parties = manytreaties.read_manytreaties_parties()
    t0 = time.perf_counter()
    parties = manytreaties.read_manytreaties_parties()
    assert time.perf_counter() - t0 < 10                      # from the cache
    assert len(parties) == 97851 and not parties.duplicated(manytreaties.KEY).any()
    assert parties.attrs["n_fixes"] == 8 and parties.attrs["fixes_not_found"] == []
    assert parties.attrs["dropped_duplicates"] == 11148 and parties.attrs["sentinel_dates"] == 148
    # Moon Agreement after the fixes: exactly UNTC's 16 parties, on UNTC's dates
    moon = parties[(parties.treaty_id == manytreaties.MOON) & (parties.action == "consent")]
    untc = read_untc_participants(["XXIV-2"]).query("action == 'consent'")
    assert len(moon) == len(untc) == 16
    ours = dict(zip(moon.country, moon.date, strict=True))
    theirs = dict(zip(untc.participant, untc.date, strict=True))
    assert ours == theirs
    mex = parties.query("treaty_id == @manytreaties.IACPPT and participant == 'MEX' and action == 'signature'")
    assert mex.date.item() == pd.Timestamp("1986-02-10") and mex.ccode.item() == 70
    assert parties.loc[parties.participant == "YUG", "ccode"].eq(345).all()
    agreements = manytreaties.read_manytreaties_agreements()
    assert len(agreements) == 4532 and not agreements.duplicated(["treaty_id", "title", "signature_raw"]).any()
    assert set(agreements.treaty_id[agreements.oas_candidate]) == set(manytreaties.OAS_INSTRUMENTS)
    torture = agreements.set_index("treaty_id").loc[manytreaties.IACPPT]
    assert torture.adoption_date == pd.Timestamp("1985-12-09") and torture.force_date == pd.Timestamp("1987-02-28")
