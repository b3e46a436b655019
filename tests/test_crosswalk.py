"""IEADB agreements paired with MTDSG entries: one to one, best first, by stated rules."""

from __future__ import annotations

import pandas as pd
import pytest

from ratify.crosswalk import KNOWN_PAIRS, ieadb_actions, ieadb_mtdsg_pairs, title_words


def _index(rows):
    return pd.DataFrame(rows, columns=["mtdsg_no", "title", "adoption_date"]).astype({"adoption_date": "datetime64[ns]"})


def _agreements(rows):
    return pd.DataFrame(rows, columns=["iea_id", "name", "concluded_date"]).astype({"concluded_date": "datetime64[ns]"})


def test_same_day_pairs_are_one_to_one_and_best_first():
    index = _index([("XXI-2", "Convention on the High Seas", "1958-04-29"),
                    ("XXI-3", "Convention on Fishing and Conservation of the Living Resources of the High Seas",
                     "1958-04-29"),
                    ("XXVII-2-a", "Montreal Protocol on Substances that Deplete the Ozone Layer", "1987-09-16")])
    agreements = _agreements([(2675, "Convention On Fishing And Conservation Of The Living Resources Of The High Seas",
                               "1958-04-29"),
                              (2674, "Convention On The High Seas", "1958-04-29"),
                              (3021, "Montreal Protocol On Substances That Deplete The Ozone Layer", "1987-09-16"),
                              (9999, "Montreal Protocol On Substances That Deplete The Ozone Layer", "1987-09-17")])
    pairs = ieadb_mtdsg_pairs(index, agreements).set_index("mtdsg_no")
    # "High Seas" is contained in the fishing convention's title too; the exact namesake wins
    assert pairs.iea_id.to_dict() == {"XXI-2": 2674, "XXI-3": 2675, "XXVII-2-a": 3021}
    assert set(pairs.rule) == {"same day"}


def test_same_year_needs_a_closer_title_and_known_pairs_cover_renamed_instruments():
    index = _index([("XXVII-10", "United Nations Convention to Combat Desertification in those Countries "
                                 "Experiencing Serious Drought", "1994-10-14"),
                    ("XXVII-7-c", "Doha amendment to the Kyoto Protocol", "2012-12-08"),
                    ("XXVII-99", "Convention on Wetlands of the Americas", "1994-03-01")])
    agreements = _agreements([(3188, "Convention To Combat Desertification In Those Countries Experiencing Serious "
                                     "Drought", "1994-06-17"),
                              (4923, "Amendment to Articles 3 and 4 and Annexes A and B to the Protocol To The United "
                                     "Nations Framework Convention On Climate Change", "2012-12-08"),
                              (5000, "Convention on Wetlands of International Importance especially as Waterfowl Habitat", "1994-11-30")])
    pairs = ieadb_mtdsg_pairs(index, agreements).set_index("mtdsg_no")
    assert pairs.loc["XXVII-10", "rule"] == "same year" and pairs.loc["XXVII-10", "iea_id"] == 3188
    assert pairs.loc["XXVII-7-c", "rule"] == "known pair" and ("XXVII-7-c", 4923) in KNOWN_PAIRS
    assert "XXVII-99" not in pairs.index        # 3 of 5 words in another year: not the same instrument


def test_title_words_drop_case_punctuation_and_stop_words():
    assert title_words("Protocol on the Office international d'hygiène publique.") == {
        "protocol", "office", "international", "d", "hygi", "ne", "publique"}


def test_ieadb_actions_keep_dated_signatures_and_consents_in_the_long_form():
    m = pd.DataFrame({"iea_id": [7, 7, 7, 8], "participant": ["Chile", "Peru", "Chile", "Chile"],
                      "action": ["signature", "consent", "entry_into_force", "consent"],
                      "consent_type": ["signature", "ratification", "entry into force", "accession"],
                      "date": pd.to_datetime(["1990-01-01", None, "1991-01-01", "1995-05-05"]),
                      "ccode": pd.array([155, 135, 155, 155], dtype="Int64")})
    out = ieadb_actions(m, [7])
    assert out.treaty.tolist() == ["IEA-7"] and out.action.tolist() == ["signature"]
    assert out.attrs["undated"] == 1
    with pytest.raises(AttributeError):
        ieadb_actions(m.drop(columns="action"), [7])
