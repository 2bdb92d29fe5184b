"""compare_many() and adjust_p(), against R's p.adjust.

Reference values (tests/reference/outcomes_compare.json, section "adjust", from
outcomes_compare.R): p.adjust(method = "holm", "BH", "bonferroni") on a fixed vector
with ties and on the sample study's three raw p-values as R computes them (Welch
t-tests of gpa_year1 and exam_score, Pearson's chi-square of passed). Tolerance 1e-9
relative (closed forms; the sample study's p-values are near 1e-13, where R's and
scipy's t tails agree to about 1e-13 relative).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import peereval
from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes import BinaryComparison, Comparison, ManyComparisons, compare_many
from peereval.outcomes._many import adjust_p
from reference_data import reference, reference_csv

CLOSED = {"rtol": 1e-9, "atol": 1e-15}
REF = reference("outcomes_compare")["adjust"]
SAMPLE = reference_csv("outcomes_sample")
OUTCOMES = ["gpa_year1", "exam_score", "passed"]


@pytest.mark.parametrize(("ours", "theirs"), [("holm", "holm"), ("bh", "bh"),
                                              ("bonferroni", "bonferroni")])
def test_adjust_p_matches_p_adjust(ours, theirs):
    np.testing.assert_allclose(adjust_p(REF["fixed_p"], method=ours), REF[f"fixed_{theirs}"],
                               **CLOSED)
    np.testing.assert_allclose(adjust_p(REF["sample_p"], method=ours), REF[f"sample_{theirs}"],
                               **CLOSED)
    assert adjust_p(REF["fixed_p"], method="none").tolist() == REF["fixed_p"]


def test_adjust_p_keeps_missing_values_out():
    got = adjust_p([0.01, float("nan"), 0.04], method="holm")
    np.testing.assert_allclose(got[[0, 2]], [0.02, 0.04])
    assert np.isnan(got[1])


@pytest.mark.parametrize(("adjust", "theirs"), [("holm", "holm"), ("bh", "bh"),
                                                ("bonferroni", "bonferroni")])
def test_sample_study_table(adjust, theirs):
    many = compare_many(SAMPLE, OUTCOMES, "mentored", adjust=adjust)
    frame = many.to_frame()
    assert frame["outcome"].tolist() == OUTCOMES
    assert frame["kind"].tolist() == ["continuous", "continuous", "binary"]
    np.testing.assert_allclose(frame["p_value"], REF["sample_p"], **CLOSED)
    np.testing.assert_allclose(frame["p_adjusted"], REF[f"sample_{theirs}"], **CLOSED)
    assert frame["reject"].all()
    assert frame["effect"].tolist() == ["hedges_g", "hedges_g", "risk_difference"]
    assert frame.columns.tolist()[:6] == ["outcome", "kind", "treated", "control",
                                          "n_treated", "n_control"]
    assert np.isnan(frame.loc[2, "mean_treated"])
    assert np.isnan(frame.loc[0, "risk_treated"])


def test_each_outcome_keeps_its_full_result():
    many = compare_many(SAMPLE, OUTCOMES, "mentored")
    assert isinstance(many["gpa_year1"], Comparison)
    assert isinstance(many["passed"], BinaryComparison)
    assert many["passed"].a == 145
    with pytest.raises(KeyError):
        many["age"]
    assert isinstance(many, ManyComparisons)
    assert many.kinds[2] == "binary"


def test_binary_detection_and_overrides():
    data = SAMPLE.assign(result=np.where(SAMPLE["passed"] == 1, "pass", "fail"),
                         sex_f=SAMPLE["sex"])
    many = compare_many(data, ["result", "sex_f", "exam_score"], "mentored",
                        events={"sex_f": "F"})
    assert many.kinds == ("binary", "binary", "continuous")
    assert many["sex_f"].event == "F"
    with pytest.warns(PeerevalWarning, match="only two values"):
        forced = compare_many(SAMPLE, ["passed", "exam_score"], "mentored", binary=[])
    assert forced.kinds == ("continuous", "continuous")
    explicit = compare_many(SAMPLE, ["passed"], "mentored", binary=["passed"],
                            binary_test="fisher")
    assert explicit.to_frame().loc[0, "test"] == "fisher"
    assert explicit.to_frame().loc[0, "p_value"] == explicit["passed"].fisher_p_value


def test_permutation_tests_share_one_seeded_generator():
    first = compare_many(SAMPLE, ["gpa_year1", "exam_score"], "mentored", test="permutation",
                         n_perm=500, seed=3, adjust="none")
    second = compare_many(SAMPLE, ["gpa_year1", "exam_score"], "mentored",
                          test="permutation", n_perm=500, seed=3, adjust="none")
    pd.testing.assert_frame_equal(first.to_frame(), second.to_frame())
    assert first.seed == "3"
    assert (first.to_frame()["p_value"] == first.to_frame()["p_adjusted"]).all()


def test_sentence_and_records_input():
    many = compare_many(peereval.load_sample().records, OUTCOMES, "mentored")
    sentence = many.apa()
    assert sentence.startswith("3 of 3 outcomes differed between the groups at α = .05 "
                               "after Holm's adjustment (gpa_year1: g = 0.90")
    assert "passed: RD = .29, 95% CI [.19, .38], adjusted p < .001" in sentence
    assert "Outcomes compared" in repr(many)


def test_one_outcome_is_not_counted_or_adjusted():
    # "1 of 1 outcomes differed ... after Holm's adjustment (..., adjusted p < .001)"
    # was what a study with one outcome read
    records = peereval.load_sample().records.data
    one = compare_many(records, ["gpa_year1"], "mentored", treated="yes")
    assert one.apa().startswith("The outcome differed between the groups at α = .05 (")
    assert "adjusted p" not in one.apa()
    assert "of 1" not in one.apa()
    assert one.methods().endswith("With one outcome the p-value was not adjusted for "
                                  "multiplicity (α = .05).")
    assert one.to_frame()["p_adjusted"].tolist() == one.to_frame()["p_value"].tolist()


def test_mann_whitney_headline_and_tiny_groups_warn():
    many = compare_many(SAMPLE, ["gpa_year1"], "mentored", test="mann_whitney")
    assert many.to_frame().loc[0, "effect"] == "rank_biserial"
    small = reference_csv("outcomes_small")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        compare_many(small, ["score_ties", "passed"], "group", treated="yes")
    assert any(issubclass(w.category, PeerevalWarning) for w in caught)


def test_bad_inputs():
    with pytest.raises(PeerevalError, match="no outcome column"):
        compare_many(SAMPLE, ["gpa_year1", "gpa_year2"], "mentored")
    with pytest.raises(PeerevalError, match="twice"):
        compare_many(SAMPLE, ["gpa_year1", "gpa_year1"], "mentored")
    with pytest.raises(PeerevalError, match="no outcomes"):
        compare_many(SAMPLE, [], "mentored")
    with pytest.raises(PeerevalError, match="adjust must be one of"):
        compare_many(SAMPLE, OUTCOMES, "mentored", adjust="hochberg")
    with pytest.raises(PeerevalError, match="not among the outcomes"):
        compare_many(SAMPLE, ["gpa_year1"], "mentored", binary=["passed"])
    with pytest.raises(PeerevalError, match="alpha"):
        compare_many(SAMPLE, OUTCOMES, "mentored", alpha=5)
    with pytest.raises(PeerevalError, match="not a number"):
        compare_many(SAMPLE, ["sex"], "mentored")
