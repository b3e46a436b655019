"""UNTC scrape: headers decide what markers mean; status on a date follows first actions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from ratify.sources.untc import file_key, read_untc_index, read_untc_participants
from ratify.treaties import first_actions, treaty_status

UNTC = Path(__file__).parent / "fixtures" / "untc"


@pytest.fixture(scope="module")
def parts():
    return read_untc_participants(folder=UNTC)


@pytest.mark.parametrize("mtdsg, key", [("IV-9", "4-9"), ("X-11-a", "10-11-a"), ("XI-A-1", "11-1"),
                                        ("XXVII-8", "27-8"), ("XIX-40", "19-40")])
def test_file_key(mtdsg, key):
    assert file_key(mtdsg) == key


def test_index_splits_title_place_and_date():
    idx = read_untc_index(UNTC).set_index("mtdsg_no")
    assert idx.loc["IV-9", "adoption_place"] == "New York"
    assert idx.loc["IV-9", "adoption_date"] == pd.Timestamp("1984-12-10")
    assert idx.loc["IV-9", "title"].startswith("Convention against Torture")
    assert pd.isna(idx.loc["XIX-1", "adoption_date"])  # "Geneva, 1954": no day, so no date
    # I-2 has a file but holds GA resolutions, not participation; XIX-1 has no file
    assert idx.has_participants.to_dict() == {"I-2": False, "IV-9": True, "XI-A-1": True, "XIX-1": False}


def test_markers_mean_what_each_column_header_says(parts):
    cat = parts[parts.mtdsg_no == "IV-9"].set_index(["participant", "action"])
    assert cat.loc[("Albania", "consent"), "consent_type"] == "accession"
    assert cat.loc[("Algeria", "consent"), "consent_type"] == "ratification"  # unmarked
    assert cat.loc[("Czech Republic", "consent"), "consent_type"] == "succession"
    # d in a signature column is succession to a signature, still a signature
    assert cat.loc[("Montenegro", "signature"), "action_type"] == "succession to signature"
    tir = parts[parts.mtdsg_no == "XI-A-1"].set_index(["participant", "action"])
    assert tir.loc[("Austria", "provisional"), "consent_type"] == "provisional application"
    assert tir.loc[("Austria", "consent"), "consent_type"] == "acceptance"
    assert tir.loc[("France", "consent"), "consent_type"] == "ratification"
    assert parts.date.notna().all()


def test_status_on_a_date(parts):
    st = treaty_status(parts, "IV-9", "1990-01-01").set_index("participant").status
    assert st.to_dict() == {"Albania": "none", "Algeria": "party", "Angola": "none",
                            "Czech Republic": "none", "Montenegro": "none"}
    later = treaty_status(parts, "IV-9", "2014-12-31")
    assert later.attrs["parties"] == 3 and later.attrs["signatories"] == 2


def test_consent_types_can_be_restricted_and_typos_are_refused(parts):
    only_rat = treaty_status(parts, "IV-9", "2014-12-31", consent_types={"ratification"})
    assert only_rat.attrs["parties"] == 1
    with pytest.raises(ValueError, match="ratificaton"):
        first_actions(parts, consent_types={"ratificaton"})


@pytest.mark.realdata
def test_real_scrape(real_mirror, monkeypatch):
    if real_mirror:
        monkeypatch.setenv("RATIFY_DATA_MIRROR", str(real_mirror))
    idx = read_untc_index()
    assert len(idx) == 401 and idx.has_participants.sum() == 322  # 324 files less I-2 and I-4
    parts = read_untc_participants(["IV-9", "IV-13", "XXIV-2"])
    assert parts.date.notna().all()
    moon = treaty_status(parts, "XXIV-2", "2015-03-01")
    assert moon.attrs["parties"] == 16 and moon.attrs["signatories"] == 4  # as the manifest records
