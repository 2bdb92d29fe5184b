"""compare_binary() against R: 2 × 2 measures, tests, NNT and the logistic model.

Reference values (tests/reference/outcomes_compare.json, from outcomes_compare.R):
prop.test(correct = FALSE) Wilson limits and Newcombe's interval built from them;
epiR::epi.2by2 (Wald RR, OR and RD, chi-square with and without Yates' correction);
chisq.test(correct = TRUE/FALSE); fisher.test; effectsize::cohens_h and oddsratio;
glm(binomial) with confint.default; and, from the formulas, the Haldane-corrected
ratios and the conditional odds ratio solved to 1e-12.

Cases: the sample study (passed by mentored; sex = F by mentored, whose risk difference
interval contains 0), mtcars (vs by am), Fisher's tea-tasting table, and a small
hand-made set with a zero cell.

Tolerances: closed forms 1e-9 relative; the logistic fit 1e-6 (IRLS in both, run to
tight tolerances). Exceptions: fisher.test's conditional MLE and limits come from
uniroot with its default tolerance (about 1e-4 on the odds-ratio scale), off by up to
0.7% (the tea table's upper limit, 621.93 against 626.24); they are compared at 1e-2,
and the same quantities solved to 1e-12 in R at 1e-9. effectsize 0.8.3's riskratio
interval uses a different (non-standard) standard error, so only its estimate is used.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes import BinaryComparison, compare_binary
from reference_data import reference, reference_csv

CLOSED = {"rtol": 1e-9, "atol": 1e-12}
REF = reference("outcomes_compare")
SAMPLE = reference_csv("outcomes_sample")
CARS = reference_csv("outcomes_mtcars")
SMALL = reference_csv("outcomes_small")
TEA = pd.DataFrame({"poured": ["milk"] * 4 + ["tea"] * 4,
                    "guess": ["milk", "milk", "milk", "tea", "milk", "tea", "tea", "tea"]})

#: case -> (data, outcome, group, treated, event)
CASES = {
    "sample_passed": (SAMPLE, "passed", "mentored", "yes", None),
    "sample_sex_f": (SAMPLE, "sex", "mentored", "yes", "F"),
    "small_passed": (SMALL, "passed", "group", "yes", None),
    "mtcars_vs": (CARS, "vs", "am", 1, None),
    "tea": (TEA, "guess", "poured", "milk", "milk"),
}


def number(value):
    """jsonlite writes infinities as strings."""
    if isinstance(value, list):
        return [number(v) for v in value]
    return {"Inf": math.inf, "-Inf": -math.inf}.get(value, value)


def run(case: str, **options) -> BinaryComparison:
    data, outcome, group, treated, event = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return compare_binary(data, outcome, group, treated=treated, event=event, **options)


def close(actual, expected, tol=CLOSED) -> None:
    np.testing.assert_allclose(actual, number(expected), **tol)


@pytest.mark.parametrize("case", CASES)
def test_table_risks_and_risk_difference(case):
    ref, result = REF["binary"][case], run(case)
    assert (result.a, result.b, result.c, result.d) == (ref["a"], ref["b"], ref["c"], ref["d"])
    close([result.risk_treated_ci_low, result.risk_treated_ci_high], ref["wilson1"])
    close([result.risk_control_ci_low, result.risk_control_ci_high], ref["wilson2"])
    close(result.risk_difference, ref["rd"])
    close([result.rd_ci_low, result.rd_ci_high], ref["rd_newcombe"])
    close([result.rd_newcombe_ci_low, result.rd_newcombe_ci_high], ref["rd_newcombe"])
    close([result.rd_wald_ci_low, result.rd_wald_ci_high], ref["rd_wald"])
    assert result.rd_method.startswith("Newcombe")
    wald = run(case, rd_ci="wald")
    close([wald.rd_ci_low, wald.rd_ci_high], ref["rd_wald"])


@pytest.mark.parametrize("case", CASES)
def test_ratios_with_haldane_only_when_a_cell_is_zero(case):
    ref, result = REF["binary"][case], run(case)
    assert result.haldane == ref["haldane"]
    close([result.risk_ratio, result.rr_ci_low, result.rr_ci_high], [ref["rr"], *ref["rr_ci"]])
    close([result.odds_ratio, result.or_ci_low, result.or_ci_high], [ref["or"], *ref["or_ci"]])
    if "epi" in ref:
        close([result.risk_ratio, result.rr_ci_low, result.rr_ci_high], ref["epi"]["rr"])
        close([result.odds_ratio, result.or_ci_low, result.or_ci_high], ref["epi"]["or"])
        close([result.risk_difference, result.rd_wald_ci_low, result.rd_wald_ci_high],
              ref["epi"]["rd_wald"])
        close([result.odds_ratio, result.or_ci_low, result.or_ci_high],
              [ref["effectsize_or"][k] for k in ("estimate", "ci_low", "ci_high")])


def test_zero_cell_corrections():
    with pytest.warns(PeerevalWarning) as caught:
        auto = compare_binary(SMALL, "passed", "group", treated="yes")
    messages = " ".join(str(w.message) for w in caught)
    assert "zero cell" in messages
    assert "expected count is 1.87" in messages
    assert auto.haldane
    assert auto.b == 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        none = compare_binary(SMALL, "passed", "group", treated="yes", correction="none")
        always = compare_binary(SAMPLE, "passed", "mentored", correction="always")
    assert not none.haldane
    assert none.odds_ratio == math.inf
    assert always.haldane
    close(always.odds_ratio, (145.5 * 55.5) / (18.5 * 82.5))
    frame = auto.to_frame().set_index("measure")
    assert "0.5 added" in frame.loc["odds_ratio", "ci_method"]


@pytest.mark.parametrize("case", CASES)
def test_chi_square_and_fisher(case):
    ref, result = REF["binary"][case], run(case)
    close([result.chisq, result.chisq_p_value, result.chisq_yates, result.chisq_yates_p_value],
          [ref["chisq"], ref["chisq_p"], ref["yates"], ref["yates_p"]])
    close(result.min_expected, ref["min_expected"])
    if "epi" in ref:
        close([result.chisq, result.chisq_yates], [ref["epi"]["chisq"], ref["epi"]["yates"]])
    close(result.fisher_p_value, ref["fisher_p"])
    tight = ref["conditional_or"]
    got = [result.or_conditional, result.or_conditional_ci_low, result.or_conditional_ci_high]
    close(got, [tight["estimate"], tight["ci_low"], tight["ci_high"]])
    close(got, [ref["fisher_or"], *ref["fisher_ci"]], {"rtol": 1e-2, "atol": 0})


@pytest.mark.parametrize("case", CASES)
def test_cohens_h(case):
    ref, result = REF["binary"][case]["cohens_h"], run(case)
    h = result.effects[0]
    close([h.estimate, h.ci_low, h.ci_high], [ref["estimate"], ref["ci_low"], ref["ci_high"]])


# --------------------------------------------------------------------- NNT


@pytest.mark.parametrize("case", CASES)
def test_nnt_limits_are_reciprocals_of_the_risk_difference_limits(case):
    ref, result = REF["binary"][case], run(case)
    close(result.nnt, 1 / abs(ref["rd"]))
    close([result.nnt_ci_low, result.nnt_ci_high], ref["nnt_limits_newcombe"])
    low, high = ref["rd_newcombe"]
    assert result.nnt_through_infinity == (low <= 0 <= high)


def test_nnt_interval_through_infinity_altman_style():
    result = run("sample_sex_f")
    ref = REF["binary"]["sample_sex_f"]
    low, high = ref["rd_newcombe"]
    assert result.nnt_kind == "NNTH"
    assert result.nnt_through_infinity
    assert result.nnt_text == (f"NNTH {abs(1 / ref['rd']):.1f} (95% CI NNTH {abs(1 / low):.1f} "
                               f"to ∞ to NNTB {1 / high:.1f})")


def test_nnt_benefit_or_harm_follows_the_meaning_of_the_event():
    good = run("sample_passed")
    bad = run("sample_passed", event_is_good=False)
    assert good.nnt_kind == "NNTB"
    assert bad.nnt_kind == "NNTH"
    assert good.nnt == bad.nnt
    assert good.nnt_text.startswith("NNTB 3.4")
    assert bad.nnt_text.startswith("NNTH 3.4")
    assert good.nnt_ci_low > 0
    assert bad.nnt_ci_low < 0
    # in the table the estimate is signed like its limits (+ NNTB, - NNTH)
    rows = {kind: r.to_frame().set_index("measure").loc["nnt"] for kind, r in
            (("good", good), ("bad", bad))}
    assert rows["good"]["estimate"] == good.nnt
    assert rows["bad"]["estimate"] == -bad.nnt
    for row in rows.values():
        assert row["ci_low"] <= row["estimate"] <= row["ci_high"] or \
            row["ci_high"] <= row["estimate"] <= row["ci_low"]


# ---------------------------------------------------------------- logistic


def test_logistic_regression_matches_glm():
    ref = REF["logistic"]
    result = run("sample_passed", covariates=["gpa_entry", "sex", "age"])
    model = result.logistic
    assert model["term"].tolist() == ["(Intercept)", "mentored[yes]", "gpa_entry", "sex[M]",
                                      "age"]
    tol = {"rtol": 1e-6, "atol": 1e-9}
    close(model["estimate"], ref["estimate"], tol)
    close(model["se"], ref["se"], tol)
    close(model["z"], ref["z"], tol)
    close(model["p_value"], ref["p"], tol)
    close(model["ci_low"], ref["ci_low"], tol)
    close(model["ci_high"], ref["ci_high"], tol)
    close([result.adjusted_or, result.adjusted_or_ci_low, result.adjusted_or_ci_high],
          [ref["or"][1], ref["ci_low"][1], ref["ci_high"][1]], tol)
    assert not result.separation
    assert "adjusted OR = " in result.apa()
    assert "odds_ratio_adjusted" in result.to_frame()["measure"].tolist()


def test_logistic_on_mtcars_and_few_events_per_predictor():
    ref = REF["logistic_mtcars"]
    with pytest.warns(PeerevalWarning, match="events"):
        result = compare_binary(CARS, "vs", "am", treated=1, covariates=["wt"])
    tol = {"rtol": 1e-6, "atol": 1e-9}
    close(result.logistic["estimate"], ref["estimate"], tol)
    close(result.logistic["se"], ref["se"], tol)
    close(result.logistic["ci_low"], ref["ci_low"], tol)


def test_separation_is_detected_and_named():
    with pytest.warns(PeerevalWarning) as caught:
        result = compare_binary(SMALL, "passed", "group", treated="yes", covariates=["sex"])
    messages = " ".join(str(w.message) for w in caught)
    assert "separation" in messages
    assert "group[yes]" in messages
    assert result.separation == ("group[yes]",)
    assert result.logistic.set_index("term").loc["group[yes]", "separated"]
    # a covariate that splits the outcome perfectly
    data = SAMPLE.assign(score_band=np.where(SAMPLE["exam_score"] >= 55, "high", "low"))
    with pytest.warns(PeerevalWarning, match="separation"):
        result = compare_binary(data, "passed", "mentored", covariates=["score_band"])
    assert "score_band[low]" in result.separation
    with warnings.catch_warnings():
        warnings.simplefilter("error", PeerevalWarning)
        clean = compare_binary(SAMPLE, "passed", "mentored", covariates=["gpa_entry"])
    assert clean.separation == ()


def test_covariate_rows_are_dropped_for_every_estimate():
    data = SAMPLE.copy()
    data.loc[:9, "gpa_entry"] = np.nan
    result = compare_binary(data, "passed", "mentored", covariates=["gpa_entry"])
    assert result.n_treated + result.n_control == 290
    assert result.dropped == {"missing 'gpa_entry'": 10}


# ------------------------------------------------------------ the result


def test_frames_and_sentence():
    result = run("sample_passed", labels=("mentored students", "non-mentored students"))
    assert result.crosstab.to_numpy().tolist() == [[145, 18, 163], [82, 55, 137]]
    assert result.tests["test"].tolist() == ["chisq", "yates", "fisher"]
    frame = result.to_frame()
    assert frame.columns.tolist() == ["outcome", "measure", "estimate", "ci_low", "ci_high",
                                      "ci_level", "ci_method"]
    assert result.summary_row.loc[0, "effect"] == "risk_difference"
    sentence = result.apa()
    assert sentence.startswith("Mentored students: 145 of 163 (89.0%) had passed = 1; "
                               "non-mentored students: 82 of 137 (59.9%)")
    assert "χ²(1, N = 300) = 34.24, p < .001" in sentence
    fisher = run("tea", test="fisher")
    assert "Fisher's exact test, p = .486" in fisher.apa()
    assert fisher.p_value == fisher.fisher_p_value
    yates = run("mtcars_vs", test="yates")
    assert "(Yates' correction)" in yates.apa()
    assert "Binary outcome comparison" in repr(result)


def test_event_coding():
    text = SAMPLE.assign(result=np.where(SAMPLE["passed"] == 1, "pass", "fail"))
    coded = compare_binary(text, "result", "mentored")
    assert (coded.a, coded.c) == (145, 82)
    assert coded.event == "pass"
    flipped = compare_binary(SAMPLE, "passed", "mentored", event=0)
    assert (flipped.a, flipped.c) == (18, 55)


# ------------------------------------------------------------------ errors


def test_bad_inputs():
    with pytest.raises(PeerevalError, match="must be binary"):
        compare_binary(SAMPLE, "exam_score", "mentored")
    with pytest.raises(PeerevalError, match="which value"):
        compare_binary(SAMPLE, "sex", "mentored")
    with pytest.raises(PeerevalError, match="event = 'X'"):
        compare_binary(SAMPLE, "sex", "mentored", event="X")
    with pytest.raises(PeerevalError, match="one value"):
        compare_binary(SAMPLE.assign(passed=1), "passed", "mentored")
    with pytest.raises(PeerevalError, match="no analysis column"):
        compare_binary(SAMPLE, "passed", "mentored", covariates=["gpa"])
    with pytest.raises(PeerevalError, match="correction must be one of"):
        compare_binary(SAMPLE, "passed", "mentored", correction="yates")
    with pytest.raises(PeerevalError, match="test must be one of"):
        compare_binary(SAMPLE, "passed", "mentored", test="mcnemar")
    with pytest.raises(PeerevalError, match="different"):
        compare_binary(SAMPLE, "passed", "mentored", covariates=["mentored"])
    with pytest.raises(PeerevalError, match="collinear"):
        compare_binary(SAMPLE.assign(gpa2=2 * SAMPLE["gpa_entry"]), "passed", "mentored",
                       covariates=["gpa_entry", "gpa2"])
    with pytest.raises(PeerevalError, match="constant"):
        compare_binary(SAMPLE.assign(k=1.0), "passed", "mentored", covariates=["k"])


def test_sparse_table_warns():
    with pytest.warns(PeerevalWarning, match="expected count"):
        compare_binary(TEA, "guess", "poured", event="milk")
