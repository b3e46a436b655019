"""The comparison engine on hand-written files and fake results: every row kind and flag, the
star conventions, the scores, the file checks and the agreement phrases."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
import pytest

from ratify import comparison as cmp
from ratify import phrases, tables
from ratify.models import ModelResult, terms_table

PUBLISHED = """
paper: demo2020
stars: {"***": 0.001, "**": 0.01, "*": 0.05}
items:
  - {id: hr_x, label: "x (hazard ratio)", model: m1, term: x, scale: hr, estimate: 2.55, conf_low: 1.04,
     conf_high: 6.27, where: "fn 25"}
  - {id: b_z, label: "z", model: m1, term: z, estimate: -0.40, std_error: 0.10, where: "Table 1"}
  - {id: b_w, label: "w, starred", model: m1, term: w, estimate: 0.30, stars: "**", where: "Table 1"}
  - {id: both, label: "x in two fits", models: [m1, m2], term: x, scale: hr, estimate: 2.0, conf_low: 1.2,
     conf_high: 3.3, where: "text: 'Models 1 and 2'"}
  - {id: half, label: "about half", model: m1, term: h, scale: hr, estimate: 0.5, approximate: true, stars: "*",
     where: "text"}
  - {id: sig, label: "significant, no number", model: m1, term: w, sign: "+", p_below: 0.05, where: "text"}
  - {id: gone, label: "not in our model", model: m1, term: chair, estimate: 0.1, std_error: 0.2, where: "Table 1",
     inconsistency: "the text calls it significant"}
  - {id: n, label: "observations", quantity: n, value: 520, where: "Table 1", reason: "from the YAML"}
  - {id: or_x, label: "odds ratio (derived)", quantity: or_x, value: 12.8, derived: true, where: "Table 1 (derived)"}
  - {id: contrast, label: "a contrast with CI", quantity: contrast, scale: hr, value: 1.3, conf_low: 1.04,
     conf_high: 1.65, where: "fn 27"}
"""

CLAIMS = """
paper: demo2013
claims:
  - {id: C1, claim: "x raises y", cites: [A 2001], where: "section 1", test: {model: m1, term: z}, predict: "-"}
  - {id: C2, claim: "x does not raise y", where: "section 1", test: {model: m1, term: x}, predict: "not +",
     scale: hr}
  - {id: C3, claim: "sum", where: "section 2", test: {model: m1, terms: {x: 1, z: 1}}, predict: "+",
     scale: hr, rests_on: [C6]}
  - {id: C4, claim: "both", where: "section 2", test: {claims: [C1, C3]}, predict: "+"}
  - {id: C5, claim: "no data", where: "section 3", untestable: {needs: "aid flows", source: "OECD CRS"}}
  - id: C6
    claim: "the cases split as the text says"
    where: "note 3"
    test: {quantity: cases_matched}
    calibrated: "the rule was tuned to the cases"
  - {id: C7, claim: "absent model", where: "section 4", test: {model: m9, term: x}, predict: "+"}
  - {id: M1, claim: "our own spec", where: "not in the text", added: true, test: {model: m1, term: z},
     predict: "-"}
placements:
  - {case: "IMF and Russia", initiator: external, initiator_from: ours, mechanism: coercion,
     mechanism_from: text, where: "typology"}
"""


def _write(folder, published=PUBLISHED, claims=None):
    (folder / "published.yaml").write_text(textwrap.dedent(published), encoding="utf-8")
    if claims is not None:
        (folder / "claims.yaml").write_text(textwrap.dedent(claims), encoding="utf-8")
    return folder


@pytest.fixture
def models():
    # x: HR 2.0 (p = 0.021); z: -0.05 (n.s.); w: 0.30 (p = 0.0027); h: HR 0.55 (p = 0.03)
    cov = np.diag([0.30, 0.10, 0.10, 0.28]) ** 2
    cov[0, 1] = cov[1, 0] = -0.01
    m1 = ModelResult(name="m1", label="Model 1", model="cox", n=500, events=40,
                     terms=terms_table(["x", "z", "w", "h"], [np.log(2.0), -0.05, 0.30, np.log(0.55)],
                                       [0.30, 0.10, 0.10, 0.28], exponentiate=True),
                     specification={"vcov": cov.tolist()})
    m2 = ModelResult(name="m2", label="Model 2", model="cox", n=480,
                     terms=terms_table(["x"], [np.log(5.0)], [0.20], exponentiate=True))
    return {"m1": m1, "m2": m2}


@pytest.fixture
def table(tmp_path, models):
    _write(tmp_path, claims=CLAIMS)
    quantities = {"n": 500, "or_x": 12.0, "contrast": {"estimate": 1.2, "conf_low": 1.01, "conf_high": 1.43},
                  "cases_matched": {"estimate": 9, "n": 9}}
    return cmp.compare(tmp_path, models, quantities, reasons={"hr_x": "proxy", "both@m2": "no H3"}).set_index("id")


# --- coefficients and quantities -----------------------------------------------------------------

def test_coefficient_rows_read_the_papers_convention(table):
    x = table.loc["hr_x"]
    assert x.kind == "coefficient" and x.ours == pytest.approx(2.0) and x.reason == "proxy"
    assert x.same_sign and x.ci_covers_paper and x.difference == pytest.approx(-0.55)
    assert x.paper_band == "p<0.05" == x.ours_band and x.same_band and x.verdict == cmp.SUPPORTED
    z = table.loc["b_z"]                           # paper: z = -4, p < 0.001; ours n.s.
    assert z.paper_band == "p<0.001" and z.ours_band == "n.s." and not z.same_band
    assert z.same_sign and not z.ci_covers_paper and z.verdict == cmp.INCONCLUSIVE
    w = table.loc["b_w"]                           # stars read in the paper's own convention
    assert w.paper_band == "p<0.01" == w.ours_band and w.verdict == cmp.SUPPORTED


def test_one_number_for_several_fits_is_compared_with_each(table):
    rows = table[table.item == "both"]
    assert list(rows.index) == ["both@m1", "both@m2"] and list(rows.model) == ["m1", "m2"]
    assert rows.loc["both@m1", "ci_covers_paper"] and not rows.loc["both@m2", "ci_covers_paper"]
    assert rows.loc["both@m2", "reason"] == "no H3"


def test_approximate_items_are_compared_by_direction_and_band_only(table):
    half = table.loc["half"]
    assert half.approximate and half.same_sign and half.same_band
    assert pd.isna(half.difference) and pd.isna(half.ci_covers_paper)


def test_a_stated_band_without_a_number(table):
    sig = table.loc["sig"]
    assert pd.isna(sig.paper) and sig.same_sign and sig.same_band and sig.paper_band == "p<0.05"
    assert pd.isna(sig.ci_covers_paper) and sig.verdict == cmp.SUPPORTED


def test_missing_terms_stay_as_rows_with_the_papers_inconsistency(table):
    gone = table.loc["gone"]
    assert gone.verdict == cmp.NOT_ESTIMATED and "not estimated" in gone.note and pd.isna(gone.ours)
    assert gone.inconsistency == "the text calls it significant"


def test_quantities_plain_derived_and_with_an_interval(table):
    n = table.loc["n"]
    assert n.kind == "quantity" and n.difference == -20 and n.reason == "from the YAML" and pd.isna(n.verdict)
    assert table.loc["or_x", "derived"]
    c = table.loc["contrast"]
    assert c.same_sign and c.ci_covers_paper and c.paper_band == "p<0.05" and c.ours_band == "p<0.05"


# --- claims and placements -----------------------------------------------------------------------

def test_claim_verdicts_tests_and_flags(table):
    assert table.loc["C1", "verdict"] == cmp.INCONCLUSIVE and table.loc["C1", "cites"] == "A 2001"
    c2 = table.loc["C2"]                         # "not +" with an interval above the null
    assert c2.verdict == cmp.CONTRADICTED and c2.ours == pytest.approx(2.0) and c2.scale == "hr"
    c3 = table.loc["C3"]                         # log 2 - 0.05 with the covariance of the two terms
    se = np.sqrt(0.30**2 + 0.10**2 - 2 * 0.01)
    assert np.log(c3.ours) == pytest.approx(np.log(2.0) - 0.05)
    assert np.log(c3.conf_high) == pytest.approx(np.log(2.0) - 0.05 + cmp.Z95 * se)
    assert c3.verdict == cmp.SUPPORTED and c3.rests_on == f"C6 ({cmp.CALIBRATED})"
    assert table.loc["C4", "verdict"] == cmp.INCONCLUSIVE and table.loc["C4", "ours"] == 1
    c5 = table.loc["C5"]
    assert c5.verdict == cmp.UNTESTABLE and c5.source_needed == "OECD CRS" and c5.needs == "aid flows"
    c6 = table.loc["C6"]
    assert c6.verdict == cmp.CALIBRATED and c6.ours == 9 and c6.n == 9 and "tuned" in c6.reason
    assert table.loc["C7", "verdict"] == cmp.NOT_ESTIMATED
    assert table.loc["M1", "added"]
    p = table.loc["P1"]
    assert p.kind == "placement" and p.mechanism == "coercion" and p.placed_by == "initiator: ours; mechanism: the text"


def test_every_verdict_is_in_the_vocabulary(table):
    assert set(table.verdict.dropna()) <= set(cmp.VERDICTS)


def test_linear_combination_needs_the_covariance(tmp_path, models):
    _write(tmp_path, claims=CLAIMS)
    models["m1"].specification = {}
    with pytest.raises(ValueError, match="m1.*covariance"):
        cmp.compare(tmp_path, models)


def test_verdict_rules():
    assert cmp.verdict("+", 0.1, 0.5) == cmp.SUPPORTED and cmp.verdict("+", -0.5, -0.1) == cmp.CONTRADICTED
    assert cmp.verdict("+", -0.1, 0.5) == cmp.INCONCLUSIVE and cmp.verdict("-", -0.5, -0.1) == cmp.SUPPORTED
    assert cmp.verdict("not +", -0.1, 0.5) == cmp.SUPPORTED and cmp.verdict("not -", -0.5, -0.1) == cmp.CONTRADICTED
    assert cmp.coefficient_verdict(1, False, -1, True) == cmp.CONTRADICTED      # paper n.s., ours significant
    assert cmp.coefficient_verdict(1, True, -1, True) == cmp.CONTRADICTED
    assert cmp.coefficient_verdict(None, None, 1, False) == cmp.INCONCLUSIVE


# --- star conventions ----------------------------------------------------------------------------

def test_star_conventions():
    book = cmp.Stars.from_mapping({"***": 0.01, "**": 0.05, "*": 0.10})
    paper = cmp.Stars.from_mapping({"*": 0.05, "**": 0.01, "***": 0.001})
    assert book.band(0.07) == "p<0.10" and paper.band(0.07) == "n.s." and paper.band(0.0005) == "p<0.001"
    assert paper.stars(0.005) == "**" and paper.band_of("**") == "p<0.01" and paper.band_of("") == "n.s."
    assert paper.note() == "* p<0.05, ** p<0.01, *** p<0.001 (two-sided)"
    with pytest.raises(cmp.ComparisonFileError, match="cut-off"):
        cmp.Stars.from_mapping({"*": 1.5})


def test_the_same_estimate_gets_each_papers_band(tmp_path, models):
    loose = PUBLISHED.replace('{"***": 0.001, "**": 0.01, "*": 0.05}', '{"***": 0.01, "**": 0.05, "*": 0.10}')
    _write(tmp_path, loose)
    assert cmp.compare(tmp_path, models).set_index("id").loc["b_w", "paper_band"] == "p<0.05"


# --- scores --------------------------------------------------------------------------------------

def test_scores_count_items_once_and_leave_derived_out(table, tmp_path):
    score = cmp.reproduction_score(table.reset_index())
    # items: hr_x, b_z, b_w, both, half, sig, gone, n, contrast (or_x derived, left out)
    assert score["published_numbers"] == 9 and score["not_estimated"] == 1
    assert score["estimates_compared"] == 7            # n has no interval, gone is not estimated
    assert score["ci_covers_paper"] == 3               # hr_x, b_w, contrast: "both" fails in m2; half, sig not asked
    claims = cmp.claims_score(table.reset_index())
    assert claims["claims"] == 7 and claims["tested"] == 4 and claims[cmp.UNTESTABLE] == 1
    assert claims[cmp.CALIBRATED] == 1 and claims["untestable_sources"] == {"C5": "OECD CRS"}
    saved = pd.read_csv(cmp.record_comparison(table.reset_index(), "02-demo", tmp_path))
    assert set(saved.chapter) == {"02-demo"}
    assert cmp.reproduction_score(saved) == score and cmp.claims_score(saved) == claims


# --- checking the files ------------------------------------------------------------------------------

@pytest.mark.parametrize("change, message", [
    (lambda s: s.replace('where: "fn 25"', 'where: ""'), "'hr_x'.*no 'where'"),
    (lambda s: s.replace("stars: {", "sterne: {"), r"unknown key\(s\) \['sterne'\]"),
    (lambda s: s.replace('stars: {"***": 0.001, "**": 0.01, "*": 0.05}\n', ""), "no 'stars'"),
    (lambda s: s.replace('stars: "**"', 'stars: "****"'), "'b_w'.*not in the paper's convention"),
    (lambda s: s.replace("models: [m1, m2]", "models: [m1]"), "'both'.*two or more"),
    (lambda s: s.replace("estimate: 0.30, stars", "esimate: 0.30, stars"), r"'b_w'.*unknown key\(s\) \['esimate'\]"),
    (lambda s: s.replace("value: 520", "value: '520'"), "'n'.*not a number"),
    (lambda s: s.replace("approximate: true, stars: \"*\",", "approximate: true,"), "'half'.*band"),
])
def test_published_files_fail_with_clear_errors(tmp_path, change, message):
    _write(tmp_path, change(PUBLISHED))
    with pytest.raises(cmp.ComparisonFileError, match=message):
        cmp.read_published(tmp_path / "published.yaml")


@pytest.mark.parametrize("change, message", [
    (lambda s: s.replace('where: "section 3", untestable', 'untestable'), "'C5'.*no 'where'"),
    (lambda s: s.replace('predict: "-"}', 'predict: "down"}', 1), "'C1'.*predict='down'"),
    (lambda s: s.replace("claims: [C1, C3]", "claims: [C1, C99]"), "'C4'.*unknown claims"),
    (lambda s: s.replace("untestable: {needs: \"aid flows\", source: \"OECD CRS\"}", "predict: \"+\""),
     "'C5'.*exactly one of 'test'"),
    (lambda s: s.replace("mechanism_from: text", "mechanism_from: us"), "mechanism_from='us'"),
    (lambda s: s.replace(', where: "typology"', ""), r"placement 0.*missing \['where'\]"),
    (lambda s: s.replace("test: {quantity: cases_matched}\n    calibrated: \"the rule was tuned to the cases\"",
                         "test: {quantity: cases_matched}"), "'C6'.*only a calibrated claim"),
])
def test_claims_files_fail_with_clear_errors(tmp_path, change, message):
    _write(tmp_path, claims=change(CLAIMS))
    with pytest.raises(cmp.ComparisonFileError, match=message):
        cmp.read_claims(tmp_path / "claims.yaml")


def test_a_folder_without_files_is_an_error(tmp_path):
    with pytest.raises(cmp.ComparisonFileError, match="neither published.yaml nor claims.yaml"):
        cmp.compare(tmp_path, {})


@pytest.mark.parametrize("path", ["book/chapters/01-bargaining-power/published.yaml",
                                  "book/chapters/02-migrant-workers/published.yaml",
                                  "book/chapters/04-soft-balancing/published.yaml", "book/toolkit/published.yaml"])
def test_the_books_published_files_are_valid(path):
    data = cmp.read_published(path)
    assert data["items"] and all(item["where"] for item in data["items"])


@pytest.mark.parametrize("chapter", ["03-spiral-model", "05-proper-authorities"])
def test_the_books_claims_files_are_valid(chapter):
    data = cmp.read_claims(f"book/chapters/{chapter}/claims.yaml")
    assert data["claims"] and all(c["where"] for c in data["claims"])


def test_chapter_three_marks_the_calibrated_claim_and_what_rests_on_it():
    claims = {c["id"]: c for c in cmp.read_claims("book/chapters/03-spiral-model/claims.yaml")["claims"]}
    assert claims["C6"]["calibrated"] and "untestable" in claims["C29"]
    assert {k for k, c in claims.items() if "C6" in c.get("rests_on", [])} == {"C10", "C11", "C24a", "C24b",
                                                                                  "C24c", "C28"}


# --- phrases ---------------------------------------------------------------------------------------

def test_agreement_phrases(table):
    assert phrases.agreement(table.loc["hr_x"]) == "close to the paper's"
    assert phrases.agreement(table.loc["both@m2"]) == "same sign, stronger than the paper's"
    assert phrases.agreement(table.loc["b_z"]) == "same sign, weaker than the paper's"
    assert phrases.agreement(table.loc["gone"]) == "not estimated"
    assert phrases.agreement(table.loc["half"]).startswith("in the direction the paper reports, and in the same")
    assert phrases.agreement(table.loc["n"]) == "close to the paper's"
    assert phrases.agreement({"ours": -0.3, "paper": 0.2, "same_sign": False}) == "opposite in sign to the paper's"
    assert phrases.agreement({"ours": 138.0, "paper": 138, "same_sign": None}) == "the same as the paper's"
    assert phrases.agreement({"ours": 0.2500, "paper": 0.25003, "same_sign": None}) == "close to the paper's"
    assert phrases.agreement({"ours": 90.0, "paper": 59, "same_sign": None}) == "higher than the paper's"
    assert phrases.agreement({"ours": 0.64, "paper": 0.6, "same_sign": None}) == "close to the paper's"
    assert phrases.agreement({"ours": 0.604, "paper": 0.6, "same_sign": None}) == "the same as the paper's"


def test_claim_phrases_and_tallies(table):
    assert phrases.claim_result(table.loc["C3"]) == "supported, as the text predicts"
    assert phrases.claim_result(table.loc["C2"]) == "contradicted, against the text's prediction"
    assert phrases.tally(table[table.kind == "claim"]) == "1 supported, 3 inconclusive and 1 contradicted"
    with pytest.raises(ValueError, match="not one of"):
        phrases.claim_result({"verdict": "as predicted"})


def test_comparison_tables_render_checks_as_words(table):
    html = tables.comparison_html(table.reset_index(), ["id", "ours", "same_sign", "verdict"], caption="c").data
    assert "<td>yes</td>" in html and "Same sign" in html and "supported" in html
