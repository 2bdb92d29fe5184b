"""Measurement invariance against lavaan 0.6.14 (tests/reference/cfa.R).

* HolzingerSwineford1939 by school: configural, metric (group.equal = "loadings") and
  scalar (+ "intercepts") models; chi-square, df, CFI, TLI, RMSEA (and its interval),
  SRMR, AIC, BIC, every estimate and SE, and lavTestLRT's differences. The reference
  fits stop at lavaan's BFGS tolerance (see cfa.R); estimates agree to 1e-6 relative.
* The sample study by sex (data/cfa_sample_sex.csv), written by this module:
  ``python tests/validity/test_invariance.py --write-reference-data`` (before
  ``Rscript tests/reference/cfa.R``).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.validity import CFAResult, InvarianceResult, invariance
from peereval.validity._cfa import _prepare
from peereval.validity._syntax import parse_model

try:
    from reference_data import reference, reference_csv
except ModuleNotFoundError:  # run as a script to write the reference data
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from reference_data import reference, reference_csv

REF = reference("cfa")
INV = REF["invariance"]
HS3 = REF["models"]["hs3"]
REL = 1e-6  # estimates, SEs and fit measures (both optimisers at gradient < 1e-8)
DATA = Path(__file__).resolve().parents[1] / "reference" / "data"


def write_reference_data() -> Path:
    """The sample study's items with each respondent's sex (from the linked records)."""
    import peereval

    study = peereval.load_sample()
    linked = peereval.link(study.screened, study.records, key="x" * 32)
    items = study.instrument.score(linked.responses).items
    sex = linked.records.data["sex"].reindex(items.index)
    path = DATA / "cfa_sample_sex.csv"
    items.assign(sex=sex).reset_index(drop=True).to_csv(path, index=False, na_rep="")
    return path


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return reference_csv("hs1939")


@pytest.fixture(scope="module")
def school(hs) -> InvarianceResult:
    return invariance(hs, HS3, "school")


def _close(actual, expected, rel=REL, floor=1e-3):
    actual = np.asarray(actual, dtype=float)
    expected = np.asarray(expected, dtype=float)
    scale = np.maximum(np.abs(expected), floor)
    worst = np.nanmax(np.abs(actual - expected) / scale)
    assert worst < rel, worst


FIT = {"chisq": "chisq", "df": "df", "p_value": "pvalue", "cfi": "cfi", "tli": "tli",
       "rmsea": "rmsea", "rmsea_ci_low": "rmsea.ci.lower",
       "rmsea_ci_high": "rmsea.ci.upper", "srmr": "srmr", "aic": "aic", "bic": "bic"}


def test_groups_in_order_of_appearance(school):
    assert school.groups == tuple(INV["groups"]) == ("Pasteur", "Grant-White")
    assert school.n_by_group == (156, 145)
    assert school.n == 301
    assert school.n_dropped == 0


@pytest.mark.parametrize("level", ["configural", "metric", "scalar"])
def test_fit_measures_match_lavaan(school, level):
    row = school.table.set_index("level").loc[level]
    expected = INV[level]["fit"]
    for ours, theirs in FIT.items():
        # RMSEA interval: R's uniroot stops at |d lambda| ~ 1e-4 (its default tol)
        rel = 1e-5 if ours.startswith("rmsea_ci") else REL
        _close(row[ours], expected[theirs], rel=rel)
    fit = school.fits[level]
    assert fit.n_parameters == expected["npar"]
    assert fit.baseline_chisq == pytest.approx(expected["baseline.chisq"], rel=1e-9)
    assert fit.loglik == pytest.approx(expected["logl"], rel=1e-9)


@pytest.mark.parametrize("level", ["configural", "metric", "scalar"])
def test_estimates_and_se_match_lavaan(school, level):
    ours = school.fits[level].estimates
    theirs = pd.DataFrame(INV[level]["estimates"])
    theirs["group"] = [INV["groups"][g - 1] for g in theirs["group"]]
    theirs["rhs"] = theirs["rhs"].fillna("")
    merged = ours.merge(theirs, on=["lhs", "op", "rhs", "group"], suffixes=("", "_r"))
    assert len(merged) == len(ours) == len(theirs)
    _close(merged["estimate"], merged["est"])
    _close(merged["se"], merged["se_r"])
    std = school.fits[level].standardized
    theirs_std = pd.DataFrame(INV[level]["standardized"])
    theirs_std["group"] = [INV["groups"][g - 1] for g in theirs_std["group"]]
    theirs_std["rhs"] = theirs_std["rhs"].fillna("")
    merged = std.merge(theirs_std, on=["lhs", "op", "rhs", "group"], suffixes=("", "_r"))
    assert len(merged) == len(std)
    np.testing.assert_allclose(merged["est_std"], merged["est.std"], atol=1e-6)
    np.testing.assert_allclose(merged["se"], merged["se_r"], atol=1e-6)


def test_constraints_follow_lavaan(school):
    metric = school.fits["metric"].estimates
    loadings = metric[metric["op"] == "=~"].pivot(index=["lhs", "rhs"], columns="group",
                                                  values="estimate")
    np.testing.assert_array_equal(loadings["Pasteur"], loadings["Grant-White"])
    scalar = school.fits["scalar"].estimates
    means = scalar[(scalar["op"] == "~1") & scalar["lhs"].isin(["visual", "textual",
                                                                 "speed"])]
    first = means[means["group"] == "Pasteur"]
    assert (first["estimate"] == 0).all()
    assert not first["free"].any()
    assert means[means["group"] == "Grant-White"]["free"].all()


def test_lrt_matches_lavtestlrt(school):
    lrt = INV["lrt"]
    table = school.table
    np.testing.assert_array_equal(table["df"], lrt["df"])
    _close(table["chisq"], lrt["chisq"])
    _close(table["delta_chisq"].iloc[1:], lrt["chisq_diff"][1:])
    np.testing.assert_array_equal(table["delta_df"].iloc[1:], lrt["df_diff"][1:])
    _close(table["delta_p_value"].iloc[1:], lrt["pvalue"][1:], rel=1e-5, floor=1e-12)


def test_deltas_and_verdicts(school):
    table = school.table.set_index("level")
    fits = {k: INV[k]["fit"] for k in ("configural", "metric", "scalar")}
    delta_cfi = fits["scalar"]["cfi"] - fits["metric"]["cfi"]
    assert table.loc["scalar", "delta_cfi"] == pytest.approx(delta_cfi, abs=1e-8)
    assert table.loc["metric", "delta_rmsea"] == pytest.approx(
        fits["metric"]["rmsea"] - fits["configural"]["rmsea"], abs=1e-8)
    # metric: CFI changes by less than .010, RMSEA falls -> holds; scalar: CFI drops
    # by more than .010 -> does not hold (the well-known HS result)
    assert fits["metric"]["cfi"] - fits["configural"]["cfi"] > -0.010
    assert table.loc["metric", "chen"] is True
    assert table.loc["metric", "cheung_rensvold"] is True
    assert delta_cfi < -0.010
    assert table.loc["scalar", "chen"] is False
    assert school.highest == "metric"
    verdicts = school.verdicts
    assert "metric invariance (equal loadings) holds" in verdicts["metric"]
    assert "does not hold" in verdicts["scalar"]
    assert "CFI drops by more than .010" in verdicts["scalar"]
    assert "Δχ²(6) = 40.06, p < .001" in verdicts["scalar"]
    assert "poorly fitting baseline" in verdicts["configural"]
    sentence = school.apa()
    assert sentence.startswith("Metric invariance held (Δχ²(6) = 8.19, p = .224")
    assert "scalar invariance did not hold" in sentence


@pytest.mark.parametrize("level", ["metric", "scalar"])
def test_std_lv_frees_later_group_variances(hs, level):
    result = invariance(hs, HS3, "school", levels=["configural", level], std_lv=True)
    expected = INV[f"{level}_stdlv"]
    fit = result.fits[level]
    _close(fit.chisq, expected["fit"]["chisq"])
    assert fit.df == expected["fit"]["df"]
    est = fit.estimates
    variances = est[(est["op"] == "~~") & (est["lhs"] == est["rhs"])
                    & est["lhs"].isin(["visual", "textual", "speed"])]
    assert not variances[variances["group"] == "Pasteur"]["free"].any()
    assert variances[variances["group"] == "Grant-White"]["free"].all()
    theirs = pd.DataFrame(expected["estimates"])
    theirs["group"] = [INV["groups"][g - 1] for g in theirs["group"]]
    theirs["rhs"] = theirs["rhs"].fillna("")
    merged = est.merge(theirs, on=["lhs", "op", "rhs", "group"], suffixes=("", "_r"))
    assert len(merged) == len(est)
    _close(merged["estimate"], merged["est"])
    _close(merged["se"], merged["se_r"])


def test_configural_cfa_with_group_gives_modification_indices(hs):
    from peereval.validity import cfa

    fit = cfa(hs, HS3, group="school")
    assert isinstance(fit, CFAResult)
    assert fit.meanstructure
    assert fit.chisq == pytest.approx(INV["configural"]["fit"]["chisq"], rel=REL)
    theirs = pd.DataFrame(INV["configural_mi"])
    theirs["group"] = [INV["groups"][g - 1] for g in theirs["group"]]
    merged = fit.modification_indices.merge(theirs, on=["lhs", "op", "rhs", "group"],
                                            suffixes=("", "_r"))
    assert len(merged) == len(theirs) == len(fit.modification_indices)
    np.testing.assert_allclose(merged["mi"], merged["mi_r"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(merged["epc"], merged["epc_r"], rtol=1e-5, atol=1e-6)


def test_sample_study_by_sex():
    data = reference_csv("cfa_sample_sex")
    expected = REF["sample_sex"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = invariance(data, REF["models"]["sample"], "sex")
    assert result.groups == tuple(expected["groups"])
    assert result.n_by_group == tuple(expected["nobs"])
    assert result.n_dropped == len(data) - sum(expected["nobs"])
    for level in ("configural", "metric", "scalar"):
        row = result.table.set_index("level").loc[level]
        for ours in ("chisq", "df", "cfi", "tli", "rmsea", "srmr", "aic", "bic"):
            _close(row[ours], expected[level][FIT[ours]], rel=1e-5)
    # each group has fewer than 100 respondents: said once per group, not per model
    small = [w for w in caught if "small sample" in str(w.message)]
    assert len(small) == 2
    assert all(issubclass(w.category, PeerevalWarning) for w in caught)


def test_group_as_series_and_list(hs):
    by_column = invariance(hs, HS3, "school", levels=["configural"])
    by_series = invariance(hs.drop(columns="school"), HS3, hs["school"],
                           levels=["configural"])
    by_list = invariance(hs, HS3, hs["school"].tolist(), levels=["configural"])
    assert by_series.table["chisq"].iloc[0] == pytest.approx(by_column.table["chisq"].iloc[0])
    assert by_list.table["chisq"].iloc[0] == pytest.approx(by_column.table["chisq"].iloc[0])


def test_group_series_aligned_by_index(hs):
    by_column = invariance(hs, HS3, "school", levels=["configural"])
    shuffled = hs["school"].sample(frac=1, random_state=1)
    aligned = invariance(hs, HS3, shuffled, levels=["configural"])
    assert aligned.table["chisq"].iloc[0] == pytest.approx(by_column.table["chisq"].iloc[0])
    assert aligned.group == "school"
    other = hs["school"].set_axis(range(1000, 1301))
    with pytest.raises(PeerevalError, match="indexed differently from the data"):
        invariance(hs, HS3, other)


def test_missing_groups_dropped_and_counted(hs):
    data = hs.copy()
    data.loc[[0, 5], "school"] = None
    result = invariance(data, HS3, "school", levels=["configural"])
    assert result.n_dropped == 2
    assert result.n == 299
    assert "2 of 301 rows dropped" in result.dropped


def test_bad_input(hs):
    with pytest.raises(PeerevalError, match="no column 'campus'"):
        invariance(hs, HS3, "campus")
    with pytest.raises(PeerevalError, match="at least two are needed"):
        invariance(hs.assign(one="a"), HS3, "one")
    with pytest.raises(PeerevalError, match="unknown invariance level"):
        invariance(hs, HS3, "school", levels=["strict"])
    with pytest.raises(PeerevalError, match="groups have 3 values"):
        invariance(hs, HS3, ["a", "b", "a"])
    tiny = hs.iloc[:160]  # 156 Pasteur, 4 Grant-White
    with pytest.raises(PeerevalError, match="too few observations in group 'Grant-White'"):
        invariance(tiny, HS3, "school")
    spec = parse_model(HS3)
    with pytest.raises(PeerevalError, match="one group only"):
        _prepare(hs, spec, group="school", ordinal=True)


def test_input_not_modified(hs):
    before = hs.copy()
    invariance(hs, HS3, "school", levels=["configural", "metric"])
    pd.testing.assert_frame_equal(hs, before)


if __name__ == "__main__":
    if "--write-reference-data" in sys.argv:
        print(f"wrote {write_reference_data()}")
