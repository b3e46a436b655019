"""Chapter 1 (Western 2020): sample rules, outcome, signing-rate proxies, and the rebuilt frame."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ratify.design import ParameterError, design_fields
from ratify.studies import bargaining as b


def _index(rows):
    """A tiny MTDSG index in the reader's shape."""
    df = pd.DataFrame(rows, columns=["mtdsg_no", "chapter", "title", "adoption_place", "adoption_date"])
    df["adoption_date"] = pd.to_datetime(df.adoption_date)
    df["has_participants"] = True
    return df


INDEX = _index([
    ("IV-4", 4, "International Covenant on Civil and Political Rights", "New York", "1966-12-16"),
    ("VI-2", 6, "International Opium Convention", "The Hague", "1912-01-23"),
    ("VII-1", 7, "Protocol to amend the Convention for the Suppression of the Traffic in Women and Children, "
                 "concluded at Geneva on 30 September 1921", "Lake Success", "1947-11-12"),
    ("IX-1", 9, "Constitution of the World Health Organization", "New York", "1946-07-22"),
    ("IX-1-a", 9, "Amendments to articles 24 and 25 of the Constitution of the World Health Organization",
     "Geneva", "1959-05-28"),
    ("XIX-37", 19, "International Sugar Agreement, 1992", "Geneva", "1992-03-20"),
    ("XXII-2", 22, "European Convention on International Commercial Arbitration", "Geneva", "1961-04-21"),
    ("XXVII-1-b", 27, "Protocol to the 1979 Convention on Long-Range Transboundary Air pollution", "Helsinki",
     "1985-07-08"),
    ("XXVII-10", 27, "United Nations Convention to Combat Desertification ... Particularly in Africa", "Paris",
     "1994-10-14"),
    ("VI-18", 6, "Single Convention on Narcotic Drugs, 1961, as amended by the Protocol", "New York", "1975-08-08"),
    ("XXVI-2-b", 26, "Protocol II as amended on 3 May 1996", "Geneva", "1996-05-03"),
    ("XXII-3", 22, "United Nations Convention on Transparency", "New York", "2015-01-10"),
])


def test_each_rule_removes_what_it_says_and_nothing_universal():
    ruled = b.apply_rules(INDEX).set_index("mtdsg_no").excluded_by  # the paper's rules alone
    assert ruled["VI-2"] == "post_1945"
    assert ruled["XIX-37"] == "no_commodities"
    assert ruled["VII-1"] == "no_league_era"
    assert ruled["IX-1"] == "no_io_charters"
    assert ruled["XXII-2"] == "universal_only"
    assert ruled["XXII-3"] == "adopted_after_window_or_undated"
    # amendments of a charter, a UNECE protocol and a consolidated text: only the book's options drop them
    for kept in ("IV-4", "XXVII-10", "XXVI-2-b", "IX-1-a", "XXVII-1-b", "VI-18"):
        assert ruled[kept] is None
    booked = b.apply_rules(INDEX, b.DEFAULT_RULES + b.BOOK_RULES).set_index("mtdsg_no").excluded_by
    assert booked["IX-1-a"] == "no_io_amendments"  # the whole family of a constitution
    assert booked["XXVII-1-b"] == "named_regional"  # a UNECE family, no regional word in the title
    assert booked["VI-18"] == "no_consolidated_texts"
    for kept in ("IV-4", "XXVII-10", "XXVI-2-b"):  # "Africa" alone and "as amended on" are not exclusions
        assert booked[kept] is None


def test_every_default_rule_quotes_the_paper_and_every_other_rule_is_an_option():
    assert b.Design().sample_rules == b.DEFAULT_RULES
    for name, rule in b.SAMPLE_RULES.items():
        assert (name in b.DEFAULT_RULES) == bool(rule.quote), name
        assert rule.quote or rule.reason, f"{name}: a book option says why one might apply it"
    assert set(b.EARLIER_BOOK_RULES) <= set(b.SAMPLE_RULES)


def _paper_text():
    from pathlib import Path

    here = Path(__file__).resolve()
    for root in (here.parents[1], *here.parents[1].parents):
        path = root / "shared" / "papers" / "western-2020-bargaining-power.txt"
        if path.exists():
            return " ".join(path.read_text(encoding="utf-8").split())
    return None


def test_the_quoted_reasons_are_the_papers_words():
    text = _paper_text()
    if text is None:
        pytest.skip("the paper's text is not beside the repository (../shared/papers)")
    for name, rule in b.SAMPLE_RULES.items():
        if rule.quote:
            assert rule.quote in text, f"{name}: {rule.quote!r} is not in the paper"
    for quote in b.POPULATION_QUOTES:
        assert quote in text, quote


def test_switching_a_rule_off_keeps_its_instruments_and_typos_raise():
    ruled = b.apply_rules(INDEX, rules=("post_1945",)).set_index("mtdsg_no")
    assert ruled.kept["XIX-37"] and ruled.kept["IX-1"]
    with pytest.raises(ParameterError, match="post_1954"):
        b.Design(sample_rules=("post_1954",))


def test_waterfall_accounts_for_every_instrument():
    steps = b.waterfall(b.apply_rules(INDEX))
    assert steps.removed.sum() + steps.remaining.iloc[-1] == len(INDEX)
    assert steps.remaining.is_monotonic_decreasing


def test_family_of_mtdsg_numbers():
    assert b.family("IX-1-b") == "IX-1"
    assert b.family("XI-A-12") == "XI-A-12"
    assert b.family("IV-4") == "IV-4"


FIRST = pd.DataFrame({
    "mtdsg_no": ["T-1"] * 4 + ["T-2"] * 2,
    "participant": ["A", "B", "C", "D", "A", "B"],
    "signature_date": pd.to_datetime(["2000-01-10", "2001-06-01", "2005-01-01", None, None, None]),
    "consent_date": pd.to_datetime(["2002-01-01", None, "2006-01-01", "2003-01-01", "2010-01-01", None]),
})


def test_signing_proxies_count_windows_and_leave_unsigned_treaties_missing():
    adoption = pd.Series(pd.to_datetime(["2000-01-01", "2000-01-01"]), index=["T-1", "T-2"])
    members = pd.Series([4] * 70, index=pd.RangeIndex(1945, 2015))
    out = b.signing_rates(FIRST, adoption, "2014-12-31", members, window_years=2.0)
    assert out.loc["T-1", "sign_window"] == pytest.approx(2 / 4)
    assert out.loc["T-1", "sign_first_year"] == pytest.approx(1 / 4)
    assert out.loc["T-1", "sign_ever"] == pytest.approx(3 / 4)
    assert np.isnan(out.loc["T-2", "sign_window"])  # accession only: no proxy rather than zero


def test_proxies_are_capped_at_one_when_non_members_sign():
    adoption = pd.Series(pd.to_datetime(["2000-01-01", "2000-01-01"]), index=["T-1", "T-2"])
    members = pd.Series([2] * 70, index=pd.RangeIndex(1945, 2015))
    out = b.signing_rates(FIRST, adoption, "2014-12-31", members)
    assert out.sign_ever.max() == 1.0


def test_members_at_clamps_years_outside_the_count():
    counts = pd.Series([51, 60], index=[1945, 1950])
    assert b.members_at(pd.Series([1940, 1950, 1990]), counts).tolist() == [51, 60, 60]


def test_dv_shares_and_formulas():
    shares = b.dv_shares(pd.Series([0.1, 0.3, 0.6, 0.95]))
    assert shares == {"below_0.2": 0.25, "below_0.5": 0.5, "above_0.9": 0.25}
    assert "C(chapter_label)" in b.model_formula("model2")
    assert b.model_formula("model1", controls=True).endswith("amendment_or_protocol")


@pytest.mark.parametrize("field, value", [("consent_set", "everything"), ("participants", "states"),
                                          ("signing_proxy", "negotiators"), ("denominator", 300),
                                          ("cutoff", "2020-12-31")])
def test_the_design_names_a_bad_value_and_what_is_allowed(field, value):
    with pytest.raises(ParameterError, match=field):
        b.Design(**{field: value})


def test_the_designs_choices_are_the_modules_tables():
    fields = {f.name: f for f in design_fields(b.Design)}
    assert set(fields["sample_rules"].choices) == set(b.SAMPLE_RULES)
    assert set(fields["consent_set"].choices) == set(b.CONSENT_SETS)
    assert set(fields["participants"].choices) == set(b.PARTICIPANT_SETS)
    assert set(fields["signing_proxy"].choices) == set(b.SIGNING_PROXIES)
    assert b.Design().sample_rules == b.DEFAULT_RULES


def test_model_options_share_one_frame():
    d = b.Design(se_type="model", estimator="beta", controls=True, signing_proxy="ever")
    assert d.data_choices() == b.Design()
    assert b.Design(consent_set="fn2").data_choices() != b.Design()


# --- real data ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def frame(real_mirror):
    return b.treaty_frame(b.Design())


def test_rebuilt_frame_is_a_valid_cross_section(frame):
    kept = frame[frame.kept]
    assert kept.mtdsg_no.is_unique
    assert kept.rate.between(0, 1).all()
    assert (kept.adoption_date.dt.year >= 1945).all() and not (kept.chapter == 19).any()
    assert kept.has_participants.all() and len(kept) < frame.has_participants.sum()
    booked = b.treaty_frame(b.Design(sample_rules=b.EARLIER_BOOK_RULES))
    assert set(booked.mtdsg_no[booked.kept]) < set(kept.mtdsg_no)  # the book's options only take away
    sample = b.with_proxy(frame).dropna(subset=["sign_rate"])
    assert sample.sign_rate.between(0, 1).all() and len(sample) < len(kept)


def test_known_party_counts_at_end_2014(frame):
    parties = frame.set_index("mtdsg_no").parties
    assert parties["XXIV-2"] == 16  # Moon Agreement
    assert parties["IV-13"] == 47  # Migrant Workers Convention


def test_signing_proxy_predicts_the_rate(frame):
    from ratify.models import fit_fractional_logit

    sample = b.with_proxy(frame).dropna(subset=["sign_rate"])
    fit = fit_fractional_logit(sample, b.model_formula("model1"), se="stata")
    row = fit.result.terms.set_index("term").loc["sign_rate"]
    assert row.estimate > 0 and row.p_value < 0.01


def test_fit_key_models_fits_the_named_models_under_a_design(real_mirror):
    one = b.fit_key_models(b.Design(), models=["ch1_model1"])
    assert list(one) == ["ch1_model1"]
    both = b.fit_key_models(b.Design(se_type="model"))
    assert set(both) == set(b.TABLE1)
    robust = one["ch1_model1"].terms.set_index("term")
    model = both["ch1_model1"].terms.set_index("term")
    assert robust.estimate["sign_rate"] == pytest.approx(model.estimate["sign_rate"])  # SEs differ, not estimates
    assert robust.std_error["sign_rate"] != pytest.approx(model.std_error["sign_rate"])
    with pytest.raises(KeyError, match="ch1_model3"):
        b.fit_key_models(b.Design(), models=["ch1_model3"])


def test_perturb_is_applied_to_the_sample_before_fitting(real_mirror):
    def shuffle(d):
        return d.assign(sign_rate=d.sign_rate.sample(frac=1, random_state=1).to_numpy())

    plain = b.fit_key_models(b.Design(), models=["ch1_model1"])["ch1_model1"]
    null = b.fit_key_models(b.Design(), models=["ch1_model1"], perturb=shuffle)["ch1_model1"]
    assert null.n == plain.n
    assert abs(null.terms.set_index("term").estimate["sign_rate"]) < plain.terms.set_index("term").estimate["sign_rate"]


def test_sample_sizes_start_from_the_papers_rules_and_count_each_option(frame):
    sizes = b.sample_sizes(b.Design()).set_index("rules")
    first = sizes.iloc[0]
    assert first.coded == frame.kept.sum() and first.coded_change == 0
    assert len(sizes) == len(b.BOOK_RULES) + 2
    assert (sizes.coded_change <= 0).all() and (sizes.modelled <= sizes.coded).all()  # options only take away
    table = b.rules_table()
    assert table.loc[table.default, "origin"].eq("paper").all() and table.loc[~table.default, "origin"].eq("book").all()


def test_ieadb_agreements_are_counted_against_every_rule(real_mirror):
    table = b.ieadb_admissibility(b.Design()).set_index("rule")
    assert ((table["pass"] + table["fail"]) == table.attrs["multilateral"]).all()
    assert table.loc["all of the above", "pass"] <= table["pass"].min()  # every rule at once passes fewest
    assert table["pass"].iloc[0] == table.attrs["paired"]  # the population rule: deposited with the UN
    assert set(table.attrs["passing_without_table"]) <= set(table.attrs["paired_without_table"])
