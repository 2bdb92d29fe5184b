"""The JZS Bayes factor of compare() (pingouin.bayesfactor_ttest), against R's BayesFactor,
and the assumption checks reported with the comparison, against shapiro.test and car.

Reference values: tests/reference/bayes_factor.json, written by
tests/reference/bayes_factor.R (BayesFactor 0.9.12-4.4, ``ttestBF(x, y, rscale =
"medium")`` and ``ttest.tstat``) from data/bayes_factor.csv (seeded, written by
tests/reference/make_bayes_data.py: small groups, unequal n and SDs, missing values,
no effect, a large effect), the sample study's records and R's mtcars. The script also
integrates Rouder et al.'s (2009) eq. 1 itself with ``integrate(rel.tol = 1e-12)``.

Tolerances, on BF10 (relative):

* 1e-9 against the script's tight integral of the same formula: pingouin integrates
  with scipy's ``quad`` (default ``epsrel`` 1.5e-8, in practice about 1e-11 here);
* 1e-7 against ``ttestBF`` itself: BayesFactor integrates with R's ``integrate`` at its
  default ``rel.tol`` (about 1.2e-4); on these cases it is within 5e-9 of the tight
  integral (largest on ``large_wide``), and reports a proportional error up to 1e-4,
  which bounds its own quadrature error, not the distance from the exact value.

Observed: within 5e-11 of the tight integral and 5e-9 of ttestBF. Shapiro-Wilk and
Levene: see test_assumption_checks_match_r.
"""

from __future__ import annotations

import functools
import math
import warnings

import numpy as np
import pandas as pd
import pytest

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes import compare
from peereval.outcomes._compare import BF_PRIOR, fmt_bf

TIGHT = {"rtol": 1e-9, "atol": 0}
BAYESFACTOR = {"rtol": 1e-7, "atol": 0}


@functools.cache
def r_cases() -> dict:
    from reference_data import reference

    return reference("bayes_factor")["cases"]


@functools.cache
def data(name: str) -> pd.DataFrame:
    from reference_data import reference_csv

    return reference_csv(name)


def run(case: str) -> object:
    """compare() on the data R read, with the prior scale R used."""
    ref = r_cases()[case]
    base = case.removesuffix("_wide").removesuffix("_r05")
    if base.startswith("sample_"):
        frame, outcome, group, treated = data("outcomes_sample"), base[7:], "mentored", "yes"
    elif base == "mtcars_mpg":
        frame, outcome, group, treated = data("outcomes_mtcars"), "mpg", "am", 1
    else:
        long = data("bayes_factor")
        frame, outcome, group, treated = long[long["case"] == base], "score", "group", "yes"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)  # small groups
        return compare(frame, outcome, group, treated=treated, bf_prior=ref["rscale"])


CASES = ["tiny", "unequal", "missing", "no_effect", "large", "sample_gpa_year1",
         "sample_exam_score", "mtcars_mpg", "unequal_wide", "unequal_r05", "large_wide",
         "large_r05"]


def test_reference_covers_the_cases():
    assert sorted(r_cases()) == sorted(CASES)


@pytest.mark.parametrize("case", CASES)
def test_bf10_matches_bayesfactor(case):
    ref, result = r_cases()[case], run(case)
    assert (result.n_treated, result.n_control) == (ref["n1"], ref["n2"])
    np.testing.assert_allclose(result.bf_t, ref["t_student"], rtol=1e-9)
    np.testing.assert_allclose(result.bf10, math.exp(ref["log_bf10_rouder"]), **TIGHT)
    np.testing.assert_allclose(result.bf10, ref["bf10"], **BAYESFACTOR)
    np.testing.assert_allclose(result.bf10, ref["bf10_tstat"], **BAYESFACTOR)
    assert result.bf_prior == pytest.approx(ref["rscale"], rel=1e-14)


def test_missing_values_are_dropped_before_the_bayes_factor():
    result = run("missing")
    assert result.n_dropped == r_cases()["missing"]["n_dropped"] == 5


def test_welch_test_keeps_student_t_for_the_bayes_factor():
    """JASP and ttestBF build the JZS Bayes factor on the pooled-variance t."""
    ref = r_cases()["unequal"]
    welch = run("unequal")
    assert welch.test == "welch"
    np.testing.assert_allclose(welch.statistic, ref["t_welch"], rtol=1e-9)
    assert abs(ref["t_welch"] - ref["t_student"]) > 0.1  # the two t differ here
    long = data("bayes_factor")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        frame = long[long["case"] == "unequal"]
        student = compare(frame, "score", "group", treated="yes", test="student")
        rank = compare(frame, "score", "group", treated="yes", test="mann_whitney")
    assert student.statistic == pytest.approx(welch.bf_t, rel=1e-12)
    assert student.bf10 == welch.bf10 == rank.bf10


def test_default_prior_is_the_medium_cauchy_scale():
    assert math.sqrt(2) / 2 == BF_PRIOR
    long = data("bayes_factor")
    result = compare(long[long["case"] == "no_effect"], "score", "group", treated="yes")
    assert result.bf_prior == BF_PRIOR
    np.testing.assert_allclose(result.bf10, r_cases()["no_effect"]["bf10"], **BAYESFACTOR)
    assert result.bf10 < 1  # no effect: the data favour H0


def test_bayes_factor_in_frame_summary_and_sentence():
    result = run("large")
    frame = result.to_frame()
    assert frame.columns[-2:].tolist() == ["bf10", "bf_prior"]
    assert (frame["bf10"] == result.bf10).all()
    summary = result.summary_row
    assert summary.loc[0, "bf10"] == result.bf10
    assert summary.loc[0, "bf_prior"] == pytest.approx(BF_PRIOR, rel=1e-14)
    assert f", BF10 = {fmt_bf(result.bf10)}, g = " in result.apa()
    assert "BF10 = 45.40" in result.apa()
    assert "JZS, Cauchy prior r = 0.707, from Student's t = 4.0666" in repr(result)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        long = data("bayes_factor")
        rank = compare(long[long["case"] == "large"], "score", "group", treated="yes",
                       test="mann_whitney")
    assert "BF10" not in rank.apa()  # a rank test makes no normal model
    assert rank.summary_row.loc[0, "bf10"] == pytest.approx(result.bf10, rel=1e-12)


def test_bayes_factor_beyond_the_float_range_is_infinite():
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"g": ["yes"] * 400 + ["no"] * 400,
                          "y": np.r_[rng.normal(5, 1, 400), rng.normal(0, 1, 400)]})
    result = compare(frame, "y", "g", treated="yes")
    assert result.bf10 == math.inf
    assert "BF10 > 10³⁰⁸" in result.apa()


@pytest.mark.parametrize("value", [0, -1, math.inf, math.nan, "medium", True])
def test_bad_prior_scale_is_refused(value):
    frame = pd.DataFrame({"g": ["yes"] * 3 + ["no"] * 3, "y": [1.0, 2, 3, 2, 3, 5]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        with pytest.raises(PeerevalError, match="bf_prior"):
            compare(frame, "y", "g", treated="yes", bf_prior=value)


@pytest.mark.parametrize(("value", "text"), [
    (3.6488, "3.65"), (0.593, "0.59"), (0.01, "0.01"), (999.99, "999.99"),
    (999.996, "1.00 × 10³"), (45387166560.4, "4.54 × 10¹⁰"), (0.00021, "2.10 × 10⁻⁴"),
    (math.inf, "> 10³⁰⁸"), (math.nan, "NA")])
def test_bayes_factor_text(value, text):
    assert fmt_bf(value) == text


def test_bayesfactor_ttest_reproduces_pingouins_published_example():
    """pingouin's docstring: bayesfactor_ttest(3.5, 20, 20) prints 26.743."""
    from pingouin import bayesfactor_ttest

    assert f"{bayesfactor_ttest(3.5, 20, 20):.3f}" == "26.743"


# ---------------------------------------------------------- assumption checks


@pytest.mark.parametrize("case", CASES)
def test_assumption_checks_match_r(case):
    """shapiro.test and car::leveneTest(center = median).

    Levene's F is a closed form (1e-9; observed 4e-14). scipy's Shapiro-Wilk is a port
    of the same Royston (1995) routine (swilk) as R's, computed in single precision, so
    W and p are compared at 1e-6 relative (observed 4e-8).
    """
    ref, result = r_cases()[case], run(case)
    np.testing.assert_allclose(
        [result.shapiro_w_treated, result.shapiro_treated_p_value,
         result.shapiro_w_control, result.shapiro_control_p_value],
        [ref["shapiro_w1"], ref["shapiro_p1"], ref["shapiro_w2"], ref["shapiro_p2"]],
        rtol=1e-6)
    np.testing.assert_allclose([result.levene_f, result.levene_p_value],
                               [ref["levene_f"], ref["levene_p"]], rtol=1e-9)
    table = result.assumptions
    assert table["check"].tolist() == ["normality", "normality", "equal variances"]
    assert table.loc[2, "df2"] == ref["levene_df2"]
    assert table.loc[0, "n"] == ref["n1"]


def test_assumption_checks_undefined_for_tiny_or_constant_groups():
    frame = pd.DataFrame({"g": ["yes"] * 2 + ["no"] * 4, "y": [1.0, 2, 2, 3, 3, 5]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        result = compare(frame, "y", "g", treated="yes")
        constant = compare(pd.DataFrame({"g": ["yes"] * 4 + ["no"] * 4,
                                         "y": [2.0, 2, 2, 2, 3, 4, 6, 5]}),
                           "y", "g", treated="yes")
    assert math.isnan(result.shapiro_w_treated)
    assert not math.isnan(result.shapiro_w_control)
    assert math.isnan(constant.shapiro_treated_p_value)
    assert np.isfinite(constant.levene_f)
