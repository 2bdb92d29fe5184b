"""EFA, factorability, parallel analysis and MAP against psych on unseen data with
answers missing here and there (issue 13, item 8).

Data: tests/reference/data/drift_pairwise.csv (9 five-point items, n = 90, 12% of
answers missing at random) and drift_weak.csv (6 items, n = 40, weak correlations),
written by tests/reference/make_drift_data.py; expected values from
tests/reference/drift.R -> drift.json (psych 2.2.9). With ``missing="pairwise"`` psych
correlates each pair on its own complete cases (``cor(use = "pairwise")``) and takes n
as the number of rows, for chi-square, Bartlett's test and the simulations.

Tolerances: closed forms (KMO, MSA, Bartlett, determinant, eigenvalues, MAP) 1e-9.
minres and ML: psych's L-BFGS-B stops within about 1e-6 of the optimum and GPArotation
at a projected gradient of 1e-5, so loadings and communalities 1e-4 (observed 3e-5),
chi-square 1e-3 (as in test_efa.py), TLI and RMSEA 1e-5.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.validity import efa, factor_retention, factorability, map_test, parallel_analysis
from reference_data import reference, reference_csv

REF = reference("drift")
CLOSED = 1e-9


@pytest.fixture(scope="module")
def pairwise():
    return reference_csv("drift_pairwise")


@pytest.mark.parametrize("method", ["minres", "ml"])
def test_pairwise_efa_matches_psych_fa(method, pairwise):
    expected = REF["efa"][method]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        result = efa(pairwise, n_factors=3, method=method, missing="pairwise")
    assert result.n == expected["n_obs"] == len(pairwise)
    np.testing.assert_allclose(result.loadings, expected["loadings"], atol=1e-4)
    np.testing.assert_allclose(result.phi, expected["phi"], atol=1e-4)
    np.testing.assert_allclose(result.communalities, expected["communality"], atol=1e-4)
    fit = result.fit
    assert fit["dof"] == expected["dof"]
    assert fit["objective"] == pytest.approx(expected["objective"], abs=1e-5)
    assert fit["chi_square"] == pytest.approx(expected["statistic"], abs=1e-3)
    assert fit["tli"] == pytest.approx(expected["tli"], abs=1e-5)
    assert fit["rmsea"] == pytest.approx(expected["rmsea"], abs=1e-5)
    assert fit["bic"] == pytest.approx(expected["bic"], abs=1e-3)
    # psych's ML rms is not the rms of its own residuals (about 1e-4 away); compared
    # with that rms, computed in R from psych's solution
    assert fit["rms"] == pytest.approx(expected["rms_of_loadings"], abs=1e-5)
    if method == "minres":
        assert fit["rms"] == pytest.approx(expected["rms"], abs=1e-5)


def test_pairwise_factorability_matches_kmo_and_bartlett(pairwise):
    expected = REF["factorability"]
    result = factorability(pairwise, missing="pairwise")
    assert result.n == len(pairwise)
    assert result.kmo == pytest.approx(expected["msa"], abs=CLOSED)
    np.testing.assert_allclose(result.msa["msa"], expected["msai"], atol=CLOSED)
    assert result.chi_square == pytest.approx(expected["chisq"], rel=1e-12)
    assert result.df == expected["df"]
    assert result.p_value == pytest.approx(expected["p"], rel=1e-9)
    assert result.determinant == pytest.approx(expected["determinant"], rel=1e-9)


def test_pairwise_parallel_analysis_observed_eigenvalues(pairwise):
    expected = REF["parallel"]
    result = parallel_analysis(pairwise, n_iter=20, seed=1, missing="pairwise")
    assert result.n == len(pairwise)
    np.testing.assert_allclose(result.table["pc_observed"], expected["pc_values"],
                               atol=CLOSED)
    np.testing.assert_allclose(result.table["fa_observed"], expected["fa_values_smc"],
                               atol=CLOSED)


@pytest.mark.parametrize("name", ["weak", "pairwise"])
def test_map_values_and_both_counting_rules(name):
    data = reference_csv(f"drift_{name}")
    expected = REF["map"][name]
    velicer = map_test(data, missing="pairwise")
    psych = map_test(data, missing="pairwise", rule="psych")
    values = velicer.table["average_squared"].to_numpy()
    assert values[0] == pytest.approx(expected["map0"], abs=CLOSED)
    np.testing.assert_allclose(values[1:], np.array(expected["map"])[: len(values) - 1],
                               atol=CLOSED)
    assert psych.n_factors == expected["psych_n"]
    assert (velicer.rule, psych.rule) == ("velicer", "psych")
    assert "Velicer's rule" in velicer.apa()
    assert "psych::VSS" in psych.apa()
    if name == "weak":  # the correlations themselves are the smallest: Velicer says 0
        assert velicer.n_factors == 0
        assert psych.n_factors == 1
    with pytest.raises(PeerevalError, match="rule must be"):
        map_test(data, rule="nfactors")


def test_retention_table_names_the_map_rule(pairwise):
    result = factor_retention(pairwise, n_iter=50, seed=1, missing="pairwise")
    assert "Velicer's MAP (squared partial correlations)" in result.to_frame()["criterion"].tolist()
    psych = factor_retention(pairwise, n_iter=50, seed=1, missing="pairwise",
                             map_rule="psych")
    assert psych.map.rule == "psych"
    assert any("counted as psych::VSS" in reason for reason in psych.reasons)
    assert ("Velicer's MAP (squared partial correlations, counted as psych::VSS)"
            in psych.to_frame()["criterion"].tolist())
    assert not any("psych" in reason for reason in result.reasons)


def test_pairwise_pair_without_enough_common_respondents_is_refused():
    data = reference_csv("drift_pairwise").iloc[:40].copy()
    data.loc[data.index[3:], "x1"] = np.nan  # x1 answered by three respondents only
    data.loc[data.index[:2], "x2"] = np.nan  # of whom one answered x2
    with pytest.raises(PeerevalError, match="'x1' and 'x2' have"):
        efa(data, n_factors=1, missing="pairwise")


def test_pairwise_rows_without_any_answer_are_dropped_from_n(pairwise):
    padded = pairwise.reindex([*pairwise.index, 900])
    result = factorability(padded, missing="pairwise")
    assert (result.n, result.n_dropped) == (len(pairwise), 1)
    assert result.chi_square == pytest.approx(REF["factorability"]["chisq"], rel=1e-12)
