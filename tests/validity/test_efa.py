"""Factorability, EFA and factor retention against psych and GPArotation.

Tolerances. Closed forms (KMO, Bartlett, eigenvalues, MAP, principal axis with psych's
stopping rule, principal components): 1e-9. Iterative extraction (minres, ML): psych's
L-BFGS-B stops within about 1e-6 of the optimum, so loadings 1e-5. Rotations are
compared twice: with R run to tight convergence (1e-6), and with R's defaults, which
stop early (stats::varimax at a relative criterion change of 1e-5, GPArotation at a
projected gradient of 1e-5): 2e-3 for varimax-based rotations, 3e-4 for the others.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import peereval
from peereval._factor import (
    geomin_criterion,
    gpa_oblique,
    gpa_orthogonal,
    oblimin_criterion,
    promax,
    quartimax_criterion,
    varimax,
)
from peereval.errors import PeerevalError, PeerevalWarning
from peereval.validity import efa, factor_retention, factorability, map_test, parallel_analysis
from peereval.validity._retention import simulate_null_correlations
from reference_data import reference

REF = reference("efa")
CLOSED = 1e-9
DEFAULT_TOLERANCE = {"none": 1e-5, "varimax": 2e-3, "promax": 2e-3, "quartimax": 1e-3,
                     "oblimin": 3e-4, "geominQ": 3e-4}


def _data(name, bfi25, sample18):
    return (bfi25, 5) if name == "bfi" else (sample18, 3)


@pytest.mark.parametrize("key", sorted(k for k in REF["efa"] if "_pc_" not in k))
def test_efa_matches_psych_fa(key, bfi25, sample18):
    name, method, rotation = key.split("_")
    data, n_factors = _data(name, bfi25, sample18)
    expected = REF["efa"][key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        result = efa(data, n_factors=n_factors, method=method,
                     rotation="geomin" if rotation == "geominQ" else rotation)
    extraction = CLOSED if method == "pa" else 1e-5
    np.testing.assert_allclose(result.communalities, expected["communality"], atol=extraction)
    np.testing.assert_allclose(result.uniquenesses, expected["uniquenesses"], atol=extraction)
    np.testing.assert_allclose(result.eigenvalues, expected["values"], atol=extraction)
    tol = max(DEFAULT_TOLERANCE[rotation], extraction)
    np.testing.assert_allclose(result.loadings, expected["loadings"], atol=tol)
    np.testing.assert_allclose(result.structure, expected["structure"], atol=tol)
    np.testing.assert_allclose(result.phi, expected["phi"], atol=tol)
    fit = result.fit
    assert fit["dof"] == expected["dof"]
    assert fit["chi_square"] == pytest.approx(expected["statistic"], abs=1e-3)
    assert fit["tli"] == pytest.approx(expected["tli"], abs=1e-6)
    assert fit["rmsea"] == pytest.approx(expected["rmsea"][0], abs=1e-7)
    assert fit["rmsea_low"] == pytest.approx(expected["rmsea"][1], abs=1e-5)
    assert fit["rmsea_high"] == pytest.approx(expected["rmsea"][2], abs=1e-5)
    assert fit["bic"] == pytest.approx(expected["bic"], abs=1e-3)  # = chi-square - df ln n
    assert fit["rms"] == pytest.approx(expected["rms"], abs=1e-6)
    np.testing.assert_allclose(result.weights("regression"), expected["weights"], atol=tol * 10)
    np.testing.assert_allclose(result.weights("bartlett"), expected["bartlett_weights"],
                               atol=tol * 10)


@pytest.mark.parametrize("rotation", ["none", "varimax", "oblimin"])
def test_principal_components_match_psych_principal(rotation, bfi25):
    expected = REF["efa"][f"bfi_pc_{rotation}"]
    result = efa(bfi25, n_factors=5, method="pc", rotation=rotation)
    np.testing.assert_allclose(result.communalities, expected["communality"], atol=CLOSED)
    np.testing.assert_allclose(result.eigenvalues, expected["values"], atol=CLOSED)
    np.testing.assert_allclose(result.loadings, expected["loadings"],
                               atol=max(DEFAULT_TOLERANCE[rotation], CLOSED))


def test_rotations_match_tightly_converged_r():
    a = np.array(REF["rotations"]["input"])
    tight = REF["rotations_tight"]
    np.testing.assert_allclose(varimax(a)[0], tight["varimax"], atol=1e-6)
    np.testing.assert_allclose(gpa_orthogonal(a, quartimax_criterion)[0], tight["quartimax"],
                               atol=1e-6)
    pattern, phi, converged = gpa_oblique(a, oblimin_criterion(0.0))
    assert converged
    np.testing.assert_allclose(pattern, tight["oblimin"], atol=1e-6)
    np.testing.assert_allclose(phi, tight["oblimin_phi"], atol=1e-6)
    pattern, phi, _ = gpa_oblique(a, geomin_criterion(0.01))
    np.testing.assert_allclose(pattern, tight["geominQ"], atol=1e-6)
    np.testing.assert_allclose(phi, tight["geominQ_phi"], atol=1e-6)
    pattern, phi = promax(a)
    np.testing.assert_allclose(pattern, tight["promax"], atol=1e-6)
    np.testing.assert_allclose(phi, tight["promax_phi"], atol=1e-6)


@pytest.mark.parametrize("name", ["bfi", "sample"])
def test_factorability_matches_psych(name, bfi25, sample18):
    data, _ = _data(name, bfi25, sample18)
    expected = REF["factorability"][name]
    result = factorability(data)
    assert result.kmo == pytest.approx(expected["msa"], abs=CLOSED)
    np.testing.assert_allclose(result.msa["msa"], expected["msai"], atol=CLOSED)
    assert result.chi_square == pytest.approx(expected["chisq"], rel=1e-12)
    assert result.df == expected["df"]
    assert result.determinant == pytest.approx(expected["determinant"], rel=1e-9)
    assert result.p_value == pytest.approx(expected["p"], abs=1e-12)
    assert result.n == len(data)


@pytest.mark.parametrize(("value", "label"), [(0.95, "marvelous"), (0.85, "meritorious"),
                                              (0.75, "middling"), (0.65, "mediocre"),
                                              (0.55, "miserable"), (0.45, "unacceptable")])
def test_kaiser_labels(value, label):
    from peereval.validity._factorability import kaiser_label

    assert kaiser_label(value) == label


@pytest.mark.parametrize("name", ["bfi", "sample"])
def test_parallel_analysis_observed_eigenvalues(name, bfi25, sample18):
    data, _ = _data(name, bfi25, sample18)
    expected = REF["parallel"][name]
    smc = parallel_analysis(data, n_iter=50, seed=1)
    np.testing.assert_allclose(smc.table["pc_observed"], expected["pc_values"], atol=CLOSED)
    np.testing.assert_allclose(smc.table["fa_observed"], expected["fa_values_smc"],
                               atol=CLOSED)
    minres_values = parallel_analysis(data, n_iter=10, seed=1, factor_method="minres")
    np.testing.assert_allclose(minres_values.table["fa_observed"],
                               expected["fa_values_minres"], atol=1e-5)


def test_wishart_draws_match_simulating_raw_data():
    """Eigenvalue distributions of the direct draw equal those of simulated data."""
    from scipy import stats

    n, p, iterations = 120, 8, 3000
    direct = np.linalg.eigvalsh(simulate_null_correlations(np.random.default_rng(1), n, p,
                                                           iterations))[:, ::-1]
    rng = np.random.default_rng(2)
    naive = np.empty((iterations, p))
    for i in range(iterations):
        naive[i] = np.linalg.eigvalsh(np.corrcoef(rng.standard_normal((n, p)),
                                                  rowvar=False))[::-1]
    for k in range(p):
        assert stats.ks_2samp(direct[:, k], naive[:, k]).pvalue > 0.001
        se = naive[:, k].std() / np.sqrt(iterations)
        assert abs(direct[:, k].mean() - naive[:, k].mean()) < 4 * np.sqrt(2) * se
        assert abs(np.quantile(direct[:, k], 0.95) - np.quantile(naive[:, k], 0.95)) < 0.05


def test_parallel_analysis_is_reproducible_and_suggests_the_planted_three(sample18):
    a = parallel_analysis(sample18, n_iter=300, seed=9)
    b = parallel_analysis(sample18, n_iter=300, seed=9)
    pd.testing.assert_frame_equal(a.table, b.table)
    assert (a.n_components, a.n_factors) == (3, 3)
    assert a.seed == "9"


@pytest.mark.parametrize("name", ["bfi", "sample"])
def test_map_matches_psych_vss(name, bfi25, sample18):
    data, _ = _data(name, bfi25, sample18)
    result = map_test(data)
    expected = np.array(REF["map"][name], dtype=float)
    # psych's vector starts at one component removed; ours at zero
    np.testing.assert_allclose(result.table["average_squared"].iloc[1:].to_numpy(),
                               expected[: len(result.table) - 1], atol=1e-12)
    assert result.n_factors == (5 if name == "bfi" else 3)


def test_retention_recommends_with_reasons(sample18):
    result = factor_retention(sample18, n_iter=300, seed=3)
    assert result.recommended == 3
    assert any("MAP agrees" in r for r in result.reasons)
    assert "Kaiser" in result.apa()
    table = result.to_frame().set_index("criterion")
    assert table.loc["recommended", "suggests"] == 3


def test_sorted_display_and_scores(sample18):
    result = efa(sample18, n_factors=3)
    display = result.sorted(cutoff=0.3)
    assert list(display.columns) == ["MR1", "MR2", "MR3", "h2"]
    first = display.iloc[0]
    assert sum(cell != "" for cell in first[:3]) >= 1
    scores = result.scores(sample18)
    assert scores.shape == (len(sample18), 3)
    # regression scores correlate with the factors' own scale sums
    support = sample18[[f"Q1_{i}" for i in range(1, 7)]].sum(axis=1)
    assert abs(np.corrcoef(scores["MR1"], support)[0, 1]) > 0.9
    assert result.variance["cumulative"].iloc[-1] < 1


def test_heywood_and_bad_requests():
    rng = np.random.default_rng(4)
    common = rng.standard_normal((300, 1))
    data = pd.DataFrame(common + 0.01 * rng.standard_normal((300, 4)),
                        columns=list("abcd"))
    data["e"] = rng.standard_normal(300)
    data["f"] = rng.standard_normal(300)
    with pytest.warns(PeerevalWarning, match="Heywood"):
        result = efa(data, n_factors=2, method="ml")
    assert result.heywood
    with pytest.raises(PeerevalError, match="cannot be estimated"):
        efa(data, n_factors=4)
    with pytest.raises(PeerevalError, match="rotation must be one of"):
        efa(data, n_factors=2, rotation="equamax")
    with pytest.raises(PeerevalError, match="method must be one of"):
        efa(data, n_factors=2, method="alpha")


def test_sample_study_recovers_its_three_scales():
    study = peereval.load_sample()
    result = efa(study.scores.items, n_factors=3)
    main = result.loadings.abs().idxmax(axis=1)
    for prefix in ("Q1", "Q2", "Q3"):
        owners = main[[c for c in main.index if c.startswith(prefix)]]
        assert owners.nunique() == 1
    assert result.apa().startswith("3 factors extracted by minimum residual")
