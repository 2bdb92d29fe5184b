"""ANCOVA against R: car::Anova, effectsize, sandwich, emmeans, leveneTest, shapiro.test.

Reference values: tests/reference/outcomes_models.json, written by
tests/reference/outcomes_models.R from tests/reference/data/models_*.csv (the sample
study's records, written by ``python tests/outcomes/test_ancova.py
--write-reference-data``, and R's mtcars). Everything here is a closed form and is
compared at 1e-6 (relative). effectsize finds the eta-squared bounds with optim(),
so they are compared at 1e-6 absolute (they agree to about 2e-8); the same bounds found
by uniroot in the R script agree to about 1e-8 relative.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.outcomes import AncovaResult, ancova

if __name__ == "__main__":  # run as a script: tests/ is not on the path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from reference_data import REFERENCE, reference_csv

TOL = {"rtol": 1e-6, "atol": 1e-10}
SAMPLE_COLUMNS = ["sex", "age", "gpa_entry", "mentored", "mentor_group", "gpa_year1",
                  "exam_score"]


def write_reference_data() -> None:
    """tests/reference/data/models_sample.csv: the sample records, one row per student."""
    import peereval

    records = peereval.load_sample().records.data.reset_index(drop=True)
    out = records[SAMPLE_COLUMNS].copy()
    out.insert(0, "id", range(1, len(out) + 1))
    path = REFERENCE / "data" / "models_sample.csv"
    out.to_csv(path, index=False, na_rep="")
    print(f"wrote {path}: {out.shape}")


@pytest.fixture(scope="module")
def cars() -> pd.DataFrame:
    return reference_csv("models_mtcars")


def quiet(*args, **kwargs) -> AncovaResult:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return ancova(*args, **kwargs)


@pytest.fixture(scope="module")
def gpa(sample) -> AncovaResult:
    return quiet(sample, "gpa_year1", "mentored", ["gpa_entry", "sex"])


@pytest.fixture(scope="module")
def gpa3(sample) -> AncovaResult:
    return quiet(sample, "gpa_year1", "mentored", ["gpa_entry", "sex"], type=3)


@pytest.fixture(scope="module")
def mtcars_fit(cars) -> AncovaResult:
    return quiet(cars, "mpg", "am", ["wt", "cyl"], treated=1, categorical=["cyl"])


def assert_table(table: pd.DataFrame, expected: dict, *, eta: bool = True) -> None:
    assert list(table["term"]) == expected["term"]
    np.testing.assert_allclose(table["ss"], expected["ss"], **TOL)
    np.testing.assert_allclose(table["df"], expected["df"], **TOL)
    np.testing.assert_allclose(table["f"].iloc[:-1], expected["f"][:-1], **TOL)
    np.testing.assert_allclose(table["p_value"].iloc[:-1], expected["p"][:-1], **TOL)
    effects = table.set_index("term").loc[expected["eta_terms"]]
    np.testing.assert_allclose(effects["eta_sq_ci_low"], expected["eta_exact_low"],
                               rtol=1e-6, atol=1e-9)
    if eta:
        np.testing.assert_allclose(effects["eta_sq_partial"], expected["effectsize_eta"], **TOL)
        # effectsize's optim() bounds: close (about 2e-8 here), not exact
        np.testing.assert_allclose(effects["eta_sq_ci_low"], expected["effectsize_low"],
                                   atol=1e-6)
        np.testing.assert_allclose(effects["eta_sq_ci_high"], expected["effectsize_high"])


# ------------------------------------------------------------------ tables


@pytest.mark.parametrize(("fixture", "key"), [("gpa", "ancova_sample_gpa"),
                                              ("mtcars_fit", "ancova_mtcars")])
def test_type2_and_type3_tables_match_car(fixture, key, ref, request):
    result = request.getfixturevalue(fixture)
    r = ref[key]
    assert result.n == r["n"]
    assert_table(result.anova_type2, r["type2"])
    assert_table(result.anova_type3, r["type3"])


def test_type_chooses_the_table(gpa, gpa3, ref):
    assert list(gpa.to_frame()["term"]) == ["mentored", "gpa_entry", "sex", "Residuals"]
    assert gpa3.to_frame()["term"].iloc[0] == "(Intercept)"
    assert gpa3.table is gpa3.anova_type3
    # without interactions types II and III agree on every term but the intercept
    np.testing.assert_allclose(gpa.anova_type2["ss"], gpa3.anova_type3["ss"].iloc[1:], **TOL)
    assert gpa.f == gpa3.f


def test_group_f_and_eta_squared(gpa, ref):
    row = ref["ancova_sample_gpa"]["type2"]
    assert gpa.f == pytest.approx(row["f"][0], rel=1e-9)
    assert gpa.df1 == 1
    assert gpa.df2 == row["df"][-1]
    assert gpa.eta_sq_partial == pytest.approx(row["effectsize_eta"][0], rel=1e-9)
    assert gpa.eta_sq_ci_low == pytest.approx(row["eta_exact_low"][0], rel=1e-6)
    assert gpa.eta_sq_ci_high == 1.0


def test_two_sided_eta_interval(sample, ref):
    result = quiet(sample, "gpa_year1", "mentored", ["gpa_entry", "sex"],
                   eta_alternative="two-sided")
    r = ref["ancova_sample_gpa"]["type2"]
    table = result.anova_type2.set_index("term").loc[r["eta_terms"]]
    np.testing.assert_allclose(table["eta_sq_ci_low"], r["eta_exact_two_low"], rtol=1e-6,
                               atol=1e-9)
    np.testing.assert_allclose(table["eta_sq_ci_high"], r["eta_exact_two_high"], rtol=1e-6)
    ninety = quiet(sample, "gpa_year1", "mentored", ["gpa_entry", "sex"],
                   eta_alternative="two-sided", confidence=0.90)
    table = ninety.anova_type2.set_index("term").loc[r["eta_terms"]]
    np.testing.assert_allclose(table["eta_sq_ci_high"], r["effectsize90_high"], atol=1e-6)


def test_slopes_model_tables_types_2_and_3(sample, gpa, gpa3, ref):
    r = ref["ancova_sample_gpa"]
    assert_table(gpa.slopes_table, r["slopes_type2"], eta=False)
    assert_table(gpa3.slopes_table, r["slopes_type3"], eta=False)
    # in the slopes model type III tests the group at covariate 0: unlike type II
    ss2 = gpa.slopes_table.set_index("term").loc["mentored", "ss"]
    ss3 = gpa3.slopes_table.set_index("term").loc["mentored", "ss"]
    assert abs(ss2 - ss3) > 1e-3


# ------------------------------------------------------------------ regression


@pytest.mark.parametrize(("fixture", "key"), [("gpa", "ancova_sample_gpa"),
                                              ("mtcars_fit", "ancova_mtcars")])
def test_coefficients_and_hc3(fixture, key, ref, request):
    result = request.getfixturevalue(fixture)
    r = ref[key]
    c = result.coefficients
    for ours, theirs in (("estimate", "estimate"), ("se", "se"), ("t", "t"), ("p_value", "p"),
                         ("ci_low", "ci_low"), ("ci_high", "ci_high"),
                         ("robust_se", "hc3_se"), ("robust_t", "hc3_t"),
                         ("robust_p_value", "hc3_p"), ("robust_ci_low", "hc3_ci_low"),
                         ("robust_ci_high", "hc3_ci_high")):
        np.testing.assert_allclose(c[ours], r[theirs], **TOL, err_msg=ours)
    assert result.r_squared == pytest.approx(r["r_squared"], rel=1e-9)
    assert result.sigma == pytest.approx(r["sigma"], rel=1e-9)
    assert result.difference == pytest.approx(r["estimate"][1], rel=1e-9)
    assert result.robust_se == pytest.approx(r["hc3_se"][1], rel=1e-6)


def test_hc0_and_no_robust(sample, ref):
    hc0 = quiet(sample, "gpa_year1", "mentored", ["gpa_entry", "sex"], robust="HC0")
    np.testing.assert_allclose(hc0.coefficients["robust_se"], ref["ancova_sample_gpa"]["hc0_se"],
                               **TOL)
    plain = quiet(sample, "gpa_year1", "mentored", ["gpa_entry", "sex"], robust=None)
    assert plain.robust is None
    assert np.isnan(plain.robust_se)


def test_mtcars_term_names(mtcars_fit):
    assert list(mtcars_fit.coefficients["term"]) == ["(Intercept)", "am[1]", "wt", "cyl[6]",
                                                     "cyl[8]"]
    assert mtcars_fit.anova_type2.set_index("term").loc["cyl", "df"] == 2


def test_covariate_kinds(sample, gpa):
    data = sample.assign(entry_text=sample["gpa_entry"].astype(str).astype(object),
                         female=sample["sex"] == "F")
    result = quiet(data, "gpa_year1", "mentored", ["entry_text", "female"], type="III")
    assert result.type == 3
    assert list(result.coefficients["term"]) == ["(Intercept)", "mentored[yes]", "entry_text",
                                                 "female[True]"]
    assert result.difference == pytest.approx(gpa.difference, rel=1e-12)


# ------------------------------------------------------------------ adjusted means


@pytest.mark.parametrize(("fixture", "key"), [("gpa", "ancova_sample_gpa"),
                                              ("mtcars_fit", "ancova_mtcars")])
def test_adjusted_means_at_covariate_means(fixture, key, ref, request):
    result = request.getfixturevalue(fixture)
    r = ref[key]
    m = result.adjusted_means
    np.testing.assert_allclose(m["adjusted_mean"], r["adjusted_mean"], **TOL)
    np.testing.assert_allclose(m["se"], r["adjusted_se"], **TOL)
    np.testing.assert_allclose(m["ci_low"], r["adjusted_low"], **TOL)
    np.testing.assert_allclose(m["ci_high"], r["adjusted_high"], **TOL)
    np.testing.assert_allclose(m["mean"], r["raw_mean"], **TOL)
    np.testing.assert_allclose(m["sd"], r["raw_sd"], **TOL)
    # emmeans with weights = "proportional" is the same prediction
    by_level = dict(zip(r["emmeans_levels"], r["emmeans_proportional"], strict=True))
    treated, control = str(result.treated), str(result.control)
    np.testing.assert_allclose(m["adjusted_mean"], [by_level[treated], by_level[control]],
                               **TOL)
    assert m["adjusted_mean"].iloc[0] - m["adjusted_mean"].iloc[1] == pytest.approx(
        result.difference, rel=1e-9)


@pytest.mark.parametrize(("key", "args", "kwargs"), [
    ("ancova_sample_gpa", ("gpa_year1", "mentored", ["gpa_entry", "sex"]), {}),
    ("ancova_mtcars", ("mpg", "am", ["wt", "cyl"]), {"treated": 1, "categorical": "cyl"}),
])
def test_equal_weights_match_emmeans_default(key, args, kwargs, sample, cars, ref):
    data = cars if key == "ancova_mtcars" else sample
    result = quiet(data, *args, weights="equal", **kwargs)
    r = ref[key]
    by_level = dict(zip(r["emmeans_levels"], zip(r["emmeans_equal"], r["emmeans_equal_se"],
                                                 strict=True), strict=True))
    m = result.adjusted_means
    for i, label in enumerate((result.treated, result.control)):
        est, se = by_level[str(label)]
        assert m["adjusted_mean"].iloc[i] == pytest.approx(est, rel=1e-6)
        assert m["se"].iloc[i] == pytest.approx(se, rel=1e-6)


def test_adjusted_hedges_g(gpa, ref):
    r = ref["ancova_sample_gpa"]
    n1, n0 = gpa.n_treated, gpa.n_control
    s1, s0 = r["raw_sd"]
    pooled = np.sqrt(((n1 - 1) * s1**2 + (n0 - 1) * s0**2) / (n1 + n0 - 2))
    omega = 1 - 3 / (4 * (n1 + n0) - 9)
    assert gpa.g == pytest.approx(omega * r["estimate"][1] / pooled, rel=1e-9)
    assert gpa.g_ci_low == pytest.approx(omega * r["ci_low"][1] / pooled, rel=1e-9)


# ------------------------------------------------------------------ checks


@pytest.mark.parametrize("key", ["ancova_sample_gpa", "ancova_sample_exam", "ancova_mtcars"])
def test_assumption_checks_match_r(key, sample, cars, ref):
    if key == "ancova_mtcars":
        result = quiet(cars, "mpg", "am", ["wt", "cyl"], treated=1, categorical=["cyl"])
    elif key == "ancova_sample_exam":
        result = quiet(sample, "exam_score", "mentored", "gpa_entry")
    else:
        result = quiet(sample, "gpa_year1", "mentored", ["gpa_entry", "sex"])
    r = ref[key]
    slopes, levene, normal = result.checks
    assert slopes.statistic == pytest.approx(r["slopes_f"], rel=1e-6)
    assert (slopes.df1, slopes.df2) == (r["slopes_df1"], r["slopes_df2"])
    assert slopes.p_value == pytest.approx(r["slopes_p"], rel=1e-6)
    assert levene.statistic == pytest.approx(r["levene_f"], rel=1e-6)
    assert (levene.df1, levene.df2) == (r["levene_df1"], r["levene_df2"])
    assert levene.p_value == pytest.approx(r["levene_p"], rel=1e-6)
    assert normal.statistic == pytest.approx(r["shapiro_w"], rel=1e-6)
    assert normal.p_value == pytest.approx(r["shapiro_p"], rel=1e-6)
    frame = result.assumptions
    assert list(frame["assumption"]) == ["homogeneity of regression slopes",
                                         "equal residual variance across groups",
                                         "normal residuals"]


def test_sample_exam_table(sample, ref):
    result = quiet(sample, "exam_score", "mentored", "gpa_entry")
    assert_table(result.anova_type2, ref["ancova_sample_exam"]["type2"])
    assert_table(result.anova_type3, ref["ancova_sample_exam"]["type3"])


def _synthetic(n: int, seed: int, *, slope_gap: float = 0.0, sd_ratio: float = 1.0
               ) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    group = np.repeat(["yes", "no"], n // 2)
    x = rng.normal(size=n)
    treated = group == "yes"
    noise = rng.normal(size=n) * np.where(treated, sd_ratio, 1.0)
    y = 1 + 0.5 * treated + (1 + slope_gap * treated) * x + noise
    return pd.DataFrame({"y": y, "g": group, "x": x})


def test_unequal_slopes_warn():
    data = _synthetic(200, 1, slope_gap=1.5)
    with pytest.warns(PeerevalWarning, match="slopes differ"):
        result = ancova(data, "y", "g", "x")
    assert result.checks[0].met is False


def test_unequal_residual_variance_warns_and_points_to_hc3():
    data = _synthetic(200, 2, sd_ratio=3.0)
    with pytest.warns(PeerevalWarning, match="robust"):
        result = ancova(data, "y", "g", "x")
    assert result.checks[1].met is False


def test_no_shapiro_above_5000():
    data = _synthetic(5002, 3)
    result = quiet(data, "y", "g", "x")
    normal = result.checks[2]
    assert normal.met is None
    assert np.isnan(normal.p_value)
    assert "5000" in normal.note
    assert "skewness" in normal.note


# ------------------------------------------------------------------ bookkeeping


def test_dropped_rows_are_counted(sample):
    data = sample.copy()
    data.loc[[0, 1, 2], "gpa_year1"] = np.nan
    data.loc[[5], "gpa_entry"] = np.nan
    result = quiet(data, "gpa_year1", "mentored", ["gpa_entry"])
    assert result.n == len(sample) - 4
    assert result.dropped == {"missing 'gpa_year1'": 3, "missing 'gpa_entry'": 1}
    assert any("4 rows dropped" in note for note in result.notes)


def test_apa_sentence(gpa):
    text = gpa.apa()
    assert text.startswith("Adjusted for gpa_entry and sex, the difference in gpa_year1")
    assert "F(1, 296) = " in text
    assert "ηp² = ." in text
    assert "95% CI [" in text


def test_input_is_not_modified(sample):
    before = sample.copy()
    quiet(sample, "gpa_year1", "mentored", ["gpa_entry", "sex"])
    pd.testing.assert_frame_equal(sample, before)


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"outcome": "gpa_y1"}, "no outcome column 'gpa_y1'"),
    ({"group": "mentor"}, "no group column 'mentor'"),
    ({"covariates": ["gpa_entry", "sat"]}, "no covariate column 'sat'"),
    ({"outcome": "sex"}, "not a number"),
    ({"covariates": []}, "at least one covariate"),
    ({"group": "mentor_group"}, "exactly two groups"),
    ({"type": 1}, "type must be one of 2, 3"),
    ({"robust": "HC4"}, "robust must be"),
    ({"covariates": ["mentored"]}, "two roles"),
    ({"categorical": ["age"]}, "not a covariate"),
    ({"confidence": 95}, "confidence must be"),
])
def test_bad_input(sample, kwargs, match):
    args = {"outcome": "gpa_year1", "group": "mentored", "covariates": ["gpa_entry"]}
    args.update(kwargs)
    with pytest.raises(PeerevalError, match=match):
        ancova(sample, **args)


def test_constant_outcome(sample):
    with pytest.raises(PeerevalError, match="outcome 'flat' is constant"):
        ancova(sample.assign(flat=3.0), "flat", "mentored", "gpa_entry")


def test_one_group_left(sample):
    data = sample[sample["mentored"] == "yes"]
    with pytest.raises(PeerevalError, match="exactly two groups"):
        ancova(data, "gpa_year1", "mentored", "gpa_entry")


def test_constant_and_collinear_covariates(sample):
    data = sample.assign(cohort=2024, entry_pct=sample["gpa_entry"] * 25)
    with pytest.raises(PeerevalError, match="'cohort' is constant"):
        ancova(data, "gpa_year1", "mentored", ["gpa_entry", "cohort"])
    with pytest.raises(PeerevalError, match="'entry_pct' is a linear combination"):
        ancova(data, "gpa_year1", "mentored", ["gpa_entry", "entry_pct"])
    one_sex = data.assign(sex="F")
    with pytest.raises(PeerevalError, match="'sex' takes one value"):
        ancova(one_sex, "gpa_year1", "mentored", ["gpa_entry", "sex"])


if __name__ == "__main__":
    if "--write-reference-data" in sys.argv:
        write_reference_data()
    else:
        print(__doc__)
        print(f"usage: python {Path(__file__).name} --write-reference-data")
