"""compare() and the effect sizes of peereval._effects, against R and published values.

Reference values:
* tests/reference/outcomes_compare.json, written by tests/reference/outcomes_compare.R
  from the CSV files in tests/reference/data (the sample study's records, R's mtcars
  and sleep, and a small hand-made set with and without ties): t.test (Welch and
  Student), wilcox.test (default, correct = FALSE, exact = FALSE, exact = TRUE),
  effectsize 0.8.3 (cohens_d, hedges_g, glass_delta, rank_biserial, cliffs_delta,
  p_superiority), and, written in R from the formulas, the noncentral-t limits by
  uniroot, Cliff's delta with its consistent-variance interval, and the exact
  permutation p by enumeration.
* REFERENCES.md section 1.7: Hedges' J (exact and approximate), the noncentral-t and
  normal intervals of d, effectsize's published mtcars example.

Tolerances: closed forms (means, t, df, p, U, rank-biserial, Cliff's delta) 1e-9
relative; noncentral-t limits 1e-6 against uniroot (both solve the same equation, to
about 1e-10). Exception: effectsize's own noncentral-t limits are found by
Nelder-Mead with abstol 1e-9 on the probability scale; they differ from the uniroot
limits by up to 6e-7 here, so they are compared at 1e-5 absolute (and so is
p_superiority(parametric = TRUE), which transforms them).

The sample study's records are written for R by this module:
``python tests/outcomes/test_compare.py --write-reference-data``.
"""

from __future__ import annotations

import functools
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import peereval
from peereval import _effects
from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes import Comparison, compare

DATA = Path(__file__).resolve().parents[1] / "reference" / "data"
SAMPLE_COLUMNS = ["mentored", "sex", "age", "gpa_entry", "gpa_year1", "exam_score", "passed",
                  "mentor_group", "sessions_attended"]
CLOSED = {"rtol": 1e-9, "atol": 1e-12}
NCP = {"rtol": 1e-6, "atol": 1e-9}
NELDER_MEAD = {"rtol": 0, "atol": 1e-5}


def write_reference_data() -> Path:
    """The sample study's records as plain CSV, for outcomes_compare.R."""
    records = peereval.load_sample().records.data
    path = DATA / "outcomes_sample.csv"
    records[SAMPLE_COLUMNS].reset_index(drop=True).to_csv(path, index=False, na_rep="")
    return path


@functools.cache
def r_values() -> dict:
    """The R values (read on first use, so that this module also runs as a script)."""
    from reference_data import reference

    return reference("outcomes_compare")


@functools.cache
def frames() -> dict[str, pd.DataFrame]:
    """The data sets R read."""
    from reference_data import reference_csv

    return {name: reference_csv(f"outcomes_{name}")
            for name in ("sample", "mtcars", "sleep", "small")}

#: case in the JSON -> (data set, outcome, group, treated)
CASES = {
    "sample_gpa_year1": ("sample", "gpa_year1", "mentored", "yes"),
    "sample_exam_score": ("sample", "exam_score", "mentored", "yes"),
    "mtcars_mpg": ("mtcars", "mpg", "am", 1),
    "mtcars_mpg_reversed": ("mtcars", "mpg", "am", 0),
    "sleep_extra": ("sleep", "extra", "group", 2),
    "small_noties": ("small", "score_noties", "group", "yes"),
    "small_ties": ("small", "score_ties", "group", "yes"),
}


def run(case: str, **options) -> Comparison:
    name, outcome, group, treated = CASES[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)  # small groups in some cases
        return compare(frames()[name], outcome, group, treated=treated, **options)


def close(actual, expected, tol) -> None:
    np.testing.assert_allclose(actual, expected, **tol)


# ------------------------------------------------------------------ inputs


def test_reference_input_is_the_sample_study():
    records = peereval.load_sample().records.data[SAMPLE_COLUMNS].reset_index(drop=True)
    written = frames()["sample"]
    for column in SAMPLE_COLUMNS:
        left, right = records[column], written[column]
        if pd.api.types.is_numeric_dtype(right):
            np.testing.assert_allclose(left.to_numpy(float), right.to_numpy(float))
        else:
            assert left.fillna("").astype(str).tolist() == right.fillna("").astype(str).tolist()


# -------------------------------------------------------------- descriptives


@pytest.mark.parametrize("case", CASES)
def test_group_statistics_match_r(case):
    ref, result = r_values()["continuous"][case], run(case)
    assert (result.n_treated, result.n_control) == (ref["n1"], ref["n2"])
    got = [result.mean_treated, result.mean_control, result.sd_treated, result.sd_control,
           result.median_treated, result.median_control, result.q1_treated, result.q3_treated,
           result.q1_control, result.q3_control]
    want = [ref[k] for k in ("mean1", "mean2", "sd1", "sd2", "median1", "median2", "q1_1",
                             "q3_1", "q1_2", "q3_2")]
    close(got, want, CLOSED)


# -------------------------------------------------------------------- tests


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("test", ["welch", "student"])
def test_t_tests_match_r_t_test(case, test):
    ref, result = r_values()["continuous"][case][test], run(case, test=test)
    close([result.statistic, result.df, result.p_value, result.difference_ci_low,
           result.difference_ci_high],
          [ref["t"], ref["df"], ref["p"], ref["ci_low"], ref["ci_high"]], CLOSED)
    assert result.statistic_name == "t"


@pytest.mark.parametrize("case", CASES)
def test_mann_whitney_defaults_match_wilcox_test(case):
    ref = r_values()["continuous"][case]
    result = run(case, test="mann_whitney")
    close([result.statistic, result.p_value],
          [ref["wilcox_default"]["W"], ref["wilcox_default"]["p"]], CLOSED)
    assert result.exact == ("exact" in ref["wilcox_default"]["method"])


@pytest.mark.parametrize("case", CASES)
def test_mann_whitney_normal_approximation_with_and_without_correction(case):
    ref = r_values()["continuous"][case]
    corrected = run(case, test="mann_whitney", exact=False)
    plain = run(case, test="mann_whitney", exact=False, correct=False)
    close(corrected.p_value, ref["wilcox_normal"]["p"], CLOSED)
    if not ref["wilcox_default"]["method"].endswith("exact test"):
        close(plain.p_value, ref["wilcox_nocorrect"]["p"], CLOSED)
    assert "continuity correction" in corrected.method
    assert "without continuity correction" in plain.method


def test_mann_whitney_exact_without_ties():
    ref = r_values()["continuous"]["small_noties"]["wilcox_exact"]
    result = run("small_noties", test="mann_whitney", exact=True)
    assert result.exact
    close([result.statistic, result.p_value], [ref["W"], ref["p"]], CLOSED)
    assert math.isnan(result.z)


def test_mann_whitney_exact_with_ties_falls_back_with_a_warning():
    data = frames()["small"]
    with pytest.warns(PeerevalWarning, match="ties"):
        result = compare(data, "score_ties", "group", treated="yes", test="mann_whitney",
                         exact=True)
    assert not result.exact
    close(result.p_value, r_values()["continuous"]["small_ties"]["wilcox_default"]["p"], CLOSED)


@pytest.mark.parametrize("case", ["small_noties", "small_ties"])
def test_exact_permutation_p_matches_enumeration_in_r(case):
    ref = r_values()["continuous"][case]["permutation"]
    result = run(case, test="permutation")
    assert result.exact
    assert result.n_perm == ref["splits"]
    close(result.p_value, ref["p"], {"rtol": 1e-12, "atol": 0})
    assert result.seed == ""


def test_monte_carlo_permutation_is_reproducible_and_near_the_exact_p():
    exact = r_values()["continuous"]["small_noties"]["permutation"]["p"]
    first = run("small_noties", test="permutation", n_perm=4000, seed=11)
    second = run("small_noties", test="permutation", n_perm=4000, seed=11)
    other = run("small_noties", test="permutation", n_perm=4000,
                seed=np.random.default_rng(11))
    assert not first.exact
    assert first.n_perm == 4000
    assert first.seed == "11"
    assert first.p_value == second.p_value == other.p_value
    # binomial standard error of a p near .03 from 4000 splits is about .003
    assert abs(first.p_value - exact) < 0.012
    assert first.p_value >= 1 / 4001


# -------------------------------------------------------------- effect sizes


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", ["cohens_d", "hedges_g", "glass_delta"])
def test_standardised_differences_and_noncentral_limits(case, name):
    ref = r_values()["continuous"][case]
    effect = run(case).effect(name)
    exact = ref[f"{name}_exact"]
    close(effect.estimate, ref[name]["estimate"], CLOSED)
    close(effect.estimate, exact["estimate"], CLOSED)
    close([effect.ci_low, effect.ci_high], [exact["ci_low"], exact["ci_high"]], NCP)
    close([effect.ci_low, effect.ci_high], [ref[name]["ci_low"], ref[name]["ci_high"]],
          NELDER_MEAD)


@pytest.mark.parametrize("case", CASES)
def test_rank_biserial_matches_effectsize(case):
    ref = r_values()["continuous"][case]["rank_biserial"]
    effect = run(case).effect("rank_biserial")
    close([effect.estimate, effect.ci_low, effect.ci_high],
          [ref["estimate"], ref["ci_low"], ref["ci_high"]], CLOSED)


@pytest.mark.parametrize("case", CASES)
def test_cliffs_delta_matches_the_dominance_matrix(case):
    ref = r_values()["continuous"][case]
    effect = run(case).effect("cliffs_delta")
    formula = ref["cliffs_delta"]
    close([effect.estimate, effect.ci_low, effect.ci_high],
          [formula["estimate"], formula["ci_low"], formula["ci_high"]], CLOSED)
    # effectsize's cliffs_delta is the rank-biserial r (same estimate, other interval)
    close(effect.estimate, ref["cliffs_delta_effectsize"]["estimate"], CLOSED)


@pytest.mark.parametrize("case", CASES)
def test_common_language_effect_sizes_match_p_superiority(case):
    ref = r_values()["continuous"][case]
    result = run(case)
    nonparametric, normal = result.effect("cles"), result.effect("cles_normal")
    want = ref["p_superiority_np"]
    close([nonparametric.estimate, nonparametric.ci_low, nonparametric.ci_high],
          [want["estimate"], want["ci_low"], want["ci_high"]], CLOSED)
    want = ref["p_superiority_normal"]
    close(normal.estimate, want["estimate"], CLOSED)
    close([normal.ci_low, normal.ci_high], [want["ci_low"], want["ci_high"]], NELDER_MEAD)


def test_effectsize_readme_example_mtcars():
    """REFERENCES §1.7: cohens_d(mpg ~ am, mtcars) = −1.4779 [−2.2660, −0.6706]."""
    result = run("mtcars_mpg_reversed")
    d, g = result.effect("cohens_d"), result.effect("hedges_g")
    close([d.estimate, d.ci_low, d.ci_high], [-1.4779, -2.2660, -0.6706], {"atol": 5e-5})
    close([g.estimate, g.ci_low, g.ci_high], [-1.4406, -2.2088, -0.6536], {"atol": 5e-5})
    assert d.interpretation == g.interpretation == "large"


def test_sign_follows_the_treated_group():
    forward, backward = run("mtcars_mpg"), run("mtcars_mpg_reversed")
    for name in ("cohens_d", "hedges_g", "rank_biserial", "cliffs_delta"):
        close(forward.effect(name).estimate, -backward.effect(name).estimate, CLOSED)
    close(forward.effect("cles").estimate, 1 - backward.effect("cles").estimate, CLOSED)


# -------------------------------------------------------- _effects directly


@pytest.mark.parametrize(("df", "exact", "approximate"),
                         [(5, 0.8407487, 0.8421053), (10, 0.9227456, 0.9230769),
                          (17, 0.9551115, 0.9552239)])
def test_hedges_j_published_values(df, exact, approximate):
    assert _effects.hedges_j(df) == pytest.approx(exact, abs=5e-8)
    assert _effects.hedges_j(df, exact=False) == pytest.approx(approximate, abs=5e-8)


@pytest.mark.parametrize(("n", "d", "ncp_ci", "normal_ci"),
                         [(30, 0.5, (-0.0162, 1.0121), (-0.0139, 1.0139)),
                          (20, 0.8, (0.1499, 1.4403), (0.1559, 1.4441))])
def test_d_intervals_published_pairs(n, d, ncp_ci, normal_ci):
    scale = math.sqrt(2 / n)
    low, high = _effects.noncentral_t_interval(d / scale, 2 * n - 2)
    close([low * scale, high * scale], ncp_ci, {"atol": 5e-5})
    _, low, high = _effects.d_normal_interval(d, n, n)
    close([low, high], normal_ci, {"atol": 5e-5})


def test_noncentral_interval_at_other_levels_and_extreme_t():
    low, high = _effects.noncentral_t_interval(25.0, 8, level=0.90)
    assert low < 25 < high
    from scipy import stats

    close([stats.nct.cdf(25.0, 8, low), stats.nct.cdf(25.0, 8, high)], [0.95, 0.05],
          {"atol": 1e-9})


@pytest.mark.parametrize(("value", "d_label", "r_label"),
                         [(0.0, "very small", "very small"), (0.1, "very small", "small"),
                          (0.2, "small", "small"), (0.3, "small", "moderate"),
                          (-0.5, "medium", "large"), (0.8, "large", "large"),
                          (float("nan"), "not available", "not available")])
def test_cohen_bands(value, d_label, r_label):
    assert _effects.interpret_d(value) == d_label
    assert _effects.interpret_r(value) == r_label


def test_cliffs_delta_complete_separation_has_a_degenerate_interval():
    effect = _effects.cliffs_delta(np.array([5.0, 6, 7]), np.array([1.0, 2, 3]))
    assert (effect.estimate, effect.ci_low, effect.ci_high) == (1.0, 1.0, 1.0)


# ------------------------------------------------------------- the result


def test_result_frame_summary_and_sentence():
    ref = r_values()["continuous"]["mtcars_mpg"]
    result = run("mtcars_mpg", labels=("manual cars", "automatic cars"))
    frame = result.to_frame()
    assert frame.columns.tolist() == ["outcome", "effect", "label", "estimate", "ci_low",
                                      "ci_high", "ci_level", "ci_method", "interpretation",
                                      "bf10", "bf_prior"]
    assert frame["effect"].tolist() == ["cohens_d", "hedges_g", "glass_delta",
                                        "rank_biserial", "cliffs_delta", "cles", "cles_normal"]
    summary = result.summary_row
    assert summary.loc[0, "effect"] == "hedges_g"
    assert summary.loc[0, "kind"] == "continuous"
    g = ref["hedges_g_exact"]
    from peereval._format import fmt, fmt_ci, fmt_p
    from reference_data import reference

    bf10 = reference("bayes_factor")["cases"]["mtcars_mpg"]["bf10"]  # 86.59, ttestBF

    expected = (f"Manual cars (M = {fmt(ref['mean1'])}, SD = {fmt(ref['sd1'])}, n = 13) "
                f"scored higher on mpg than automatic cars (M = {fmt(ref['mean2'])}, "
                f"SD = {fmt(ref['sd2'])}, n = 19), t({fmt(ref['welch']['df'])}) = "
                f"{fmt(ref['welch']['t'])}, {fmt_p(ref['welch']['p'])}, "
                f"BF10 = {fmt(bf10)}, g = {fmt(g['estimate'])}, "
                f"{fmt_ci(g['ci_low'], g['ci_high'])}.")
    assert result.apa() == expected
    assert "Two-group comparison" in repr(result)
    assert "<table" in result._repr_html_()
    groups = result.descriptives
    assert groups["role"].tolist() == ["treated", "control"]


def test_sentences_for_other_tests():
    mann = run("sample_exam_score", test="mann_whitney")
    assert "Mdn = " in mann.apa()
    assert "U = " in mann.apa()
    assert "r_rb = ." in mann.apa()
    student = run("sample_exam_score", test="student")
    assert "t(298) = " in student.apa()
    exact = run("small_noties", test="permutation")
    assert "permutation test (exact)" in exact.apa()
    chosen = run("sample_exam_score", effect="cliffs_delta")
    assert "δ = ." in chosen.apa()
    default = compare(frames()["sample"], "gpa_year1", "mentored")
    assert default.apa().startswith("The mentored = yes group (M = 3.24")


def test_records_object_and_dropped_rows_are_reported():
    records = peereval.load_sample().records
    result = compare(records, "gpa_year1", "mentored")
    assert result.n_treated + result.n_control == 300
    assert result.n_dropped == 0
    data = frames()["sample"].copy()
    data.loc[:4, "gpa_year1"] = np.nan
    data.loc[5, "mentored"] = None
    result = compare(data, "gpa_year1", "mentored")
    assert result.n_dropped == 6
    assert result.dropped == {"missing 'mentored'": 1, "missing 'gpa_year1'": 5}
    assert "yes" in result.rule


def test_input_is_not_modified():
    data = frames()["small"].copy()
    before = data.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        compare(data, "score_ties", "group", test="permutation", seed=1)
    pd.testing.assert_frame_equal(data, before)


# ------------------------------------------------------------------ errors


def test_bad_inputs_raise_peereval_errors():
    data = frames()["sample"]
    with pytest.raises(PeerevalError, match="no analysis column"):
        compare(data, "gpa_year2", "mentored")
    with pytest.raises(PeerevalError, match="no group column"):
        compare(data, "gpa_year1", "mentoring")
    with pytest.raises(PeerevalError, match="not a number") as caught:
        compare(data, "sex", "mentored")
    assert caught.value.column == "sex"
    with pytest.raises(PeerevalError, match="test must be one of"):
        compare(data, "gpa_year1", "mentored", test="anova")
    with pytest.raises(PeerevalError, match="confidence"):
        compare(data, "gpa_year1", "mentored", confidence=95)
    with pytest.raises(PeerevalError, match="exactly two groups"):
        compare(data, "gpa_year1", "mentor_group")
    with pytest.raises(PeerevalError, match="same column"):
        compare(data, "mentored", "mentored")
    with pytest.raises(PeerevalError, match="n_perm"):
        compare(data, "gpa_year1", "mentored", test="permutation", n_perm=0)
    with pytest.raises(PeerevalError, match="unknown effect"):
        compare(data, "gpa_year1", "mentored", effect="eta")


def test_empty_tiny_and_constant_groups():
    data = frames()["small"].copy()
    empty = data.copy()
    empty.loc[empty["group"] == "no", "score_ties"] = np.nan
    with pytest.raises(PeerevalError, match="no rows with complete data"):
        compare(empty, "score_ties", "group")
    single = data.copy()
    single.loc[single.index[single["group"] == "no"][1:], "score_ties"] = np.nan
    with pytest.raises(PeerevalError, match="at least 2 per group"):
        compare(single, "score_ties", "group")
    constant = data.assign(score_ties=4.0)
    with pytest.raises(PeerevalError, match="constant"):
        compare(constant, "score_ties", "group")
    within = data.assign(score_ties=np.where(data["group"] == "yes", 5.0, 3.0))
    with pytest.raises(PeerevalError, match="within either group"):
        compare(within, "score_ties", "group")


def test_red_flags_warn():
    data = frames()["small"]
    with pytest.warns(PeerevalWarning, match="small group"):
        compare(data, "score_noties", "group")
    two_valued = frames()["sample"].assign(flag=frames()["sample"]["passed"])
    with pytest.warns(PeerevalWarning, match="compare_binary"):
        compare(two_valued, "flag", "mentored")
    one_constant = frames()["sample"].copy()
    one_constant.loc[one_constant["mentored"] == "no", "gpa_year1"] = 2.0
    with pytest.warns(PeerevalWarning, match="constant in the comparison group"):
        result = compare(one_constant, "gpa_year1", "mentored")
    assert math.isnan(result.effect("glass_delta").estimate)


if __name__ == "__main__":
    if "--write-reference-data" in sys.argv:
        print(f"wrote {write_reference_data()}")
