"""Polychoric, alpha, item analysis and omega against R on unseen data (issue 13, item 8).

The data (tests/reference/make_drift_data.py, seeded) are of the kind on which peereval
had drifted from R: small n, sparse and empty categories, answers missing here and
there. Expected values: tests/reference/drift.R -> drift.json (psych 2.2.9, polycor
0.8.1). Tolerances:

* closed forms (alpha, its SE and Feldt interval, item statistics): 1e-9;
* polychoric correlations against R's likelihood maximised with optimize(tol = 1e-12)
  and exact rectangle probabilities ("tight"): 1e-6 (optimize() locates a maximum only
  to about 1.5e-8, the square root of machine epsilon; the agreement is about 3e-8).
  Against polycor and psych as shipped: 1e-4 (their optimise() stops at its default
  tolerance, about 1.2e-4 in rho; the agreement is about 2e-5);
* omega against psych's own omega with optim() tightened (see drift.R: with 3 factors
  from 6 items the model has 0 degrees of freedom and the minres objective is so flat
  that psych as shipped stops with communalities up to 3e-3 away). omega total: 1e-6
  (observed 4e-7). Communalities: 1e-5 (observed 5e-6: even tightened, L-BFGS-B in R
  and in scipy stop where the objective, about 1e-14, no longer changes in double
  precision, and along the flat direction that leaves the uniquenesses a few 1e-6
  apart). Loadings, omega_h and group omegas pass through the oblimin rotation, which
  GPArotation stops at a projected gradient of 1e-5: 3e-5 (as test_omega.py's 2e-5,
  plus the communalities' 1e-5).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from peereval.errors import PeerevalWarning
from peereval.reliability import alpha, item_analysis, omega, polychoric
from peereval.reliability._polychoric import _maximise
from reference_data import reference, reference_csv

REF = reference("drift")
CLOSED = 1e-9
TIGHT, SHIPPED = 1e-6, 1e-4


def _quiet(function, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return function(*args, **kwargs)


# ------------------------------------------------------------------ polychoric


@pytest.mark.parametrize("name", ["ordinal5", "ordinal8", "omega6"])
def test_pair_thresholds_without_correction_are_polycors_two_step(name):
    data = reference_csv(f"drift_{name}")
    expected = REF["polychoric"][name]
    i, j = np.array(expected["i"]), np.array(expected["j"])
    result = _quiet(polychoric, data, global_thresholds=False, correct=0, smooth=False)
    rho = result.correlation.to_numpy()[i, j]
    np.testing.assert_allclose(rho, expected["tight_raw"], atol=TIGHT)
    np.testing.assert_allclose(rho, expected["polycor_raw"], atol=SHIPPED)
    np.testing.assert_array_equal(result.n_pairwise.to_numpy()[i, j], expected["n"])


@pytest.mark.parametrize("name", ["ordinal5", "ordinal8", "omega6"])
def test_corrected_pairs_are_finite_and_match_r(name):
    """Issue 13: with n = 25 (5 points) and n = 60 (8 points) the corrected cumulative
    proportions passed 1, a threshold below an observed category became +inf and the
    estimate was -0.9995 for most pairs, silently. psych fails on these data; the pairs
    it cannot estimate are compared with polycor's two-step estimate of the corrected
    table, the others with psych."""
    data = reference_csv(f"drift_{name}")
    expected = REF["polychoric"][name]
    i, j = np.array(expected["i"]), np.array(expected["j"])
    renormalised = np.array(expected["renormalised"], dtype=bool)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = polychoric(data, global_thresholds=False, smooth=False)
    rho = result.correlation.to_numpy()[i, j]
    assert np.all(np.isfinite(rho))
    assert np.all(np.abs(rho) < 0.99)
    np.testing.assert_allclose(rho, expected["corrected_tight"], atol=TIGHT)
    np.testing.assert_allclose(rho, expected["corrected_shipped"], atol=SHIPPED)
    np.testing.assert_array_equal(result.corrected_cells.to_numpy()[i, j],
                                  expected["corrected_cells"])
    messages = " ".join(str(w.message) for w in caught)
    assert bool(expected["psych_fails"]) == renormalised.any()
    if renormalised.any():
        pairs = [f"i{a + 1}-i{b + 1}" for a, b in zip(i[renormalised], j[renormalised],
                                                       strict=True)]
        assert "reached 1 below an observed category" in messages
        assert pairs[0] in messages
    else:
        assert "reached 1" not in messages


def test_issue_example_is_no_longer_minus_one():
    """The 8-point set of the issue: two-step estimates about .15 to .45, none at -1."""
    data = reference_csv("drift_ordinal8")
    result = _quiet(polychoric, data, global_thresholds=False, smooth=False)
    off = result.correlation.to_numpy()[np.triu_indices(6, 1)]
    assert off.min() > -0.5


def test_likelihood_impossible_everywhere_gives_nan_not_a_boundary_value():
    """A threshold of +inf below an observed category: no rho has a finite likelihood,
    so the estimate is NaN (reported), not wherever the search stopped."""
    table = np.array([[[5.0, 2.0], [1.0, 4.0]]])
    tau = np.array([[np.inf]])  # category 2 of the rows has probability 0
    rho, impossible = _maximise(table, tau, np.array([[0.0]]))
    assert impossible.tolist() == [True]
    assert np.isnan(rho[0])


@pytest.mark.filterwarnings("ignore:the polychoric matrix is not positive definite")
def test_value_at_the_search_boundary_warns_and_names_the_pair():
    table = np.array([[20, 0], [0, 15]])
    q1, q2 = np.indices(table.shape)
    data = pd.DataFrame({"q1": np.repeat(q1.ravel() + 1, table.ravel()),
                         "q2": np.repeat(q2.ravel() + 1, table.ravel())})
    with pytest.warns(PeerevalWarning, match=r"boundary of the search\) for q1-q2"):
        result = polychoric(data)
    assert result.correlation.loc["q1", "q2"] == 1.0


# ------------------------------------------------------------------ alpha, items


def test_pairwise_alpha_uses_the_number_of_respondents_as_psych():
    data = reference_csv("drift_pairwise")
    expected = REF["alpha"]["pairwise"]
    result = alpha(data, missing="pairwise")
    assert result.n == expected["n"] == len(data)
    assert result.n_pairwise_min < result.n
    assert result.alpha == pytest.approx(expected["raw_alpha"], abs=CLOSED)
    assert result.alpha_std == pytest.approx(expected["std_alpha"], abs=CLOSED)
    assert result.average_r == pytest.approx(expected["average_r"], abs=CLOSED)
    assert result.se == pytest.approx(expected["ase"], abs=CLOSED)
    assert result.feldt_ci_low == pytest.approx(expected["feldt_low"], abs=CLOSED)
    assert result.feldt_ci_high == pytest.approx(expected["feldt_high"], abs=CLOSED)


def test_pairwise_item_analysis_matches_psych():
    """item-total r: psych's raw.r, the correlation with the person-mean total."""
    data = reference_csv("drift_pairwise")
    expected = REF["alpha"]["pairwise"]
    result = item_analysis(data, missing="pairwise")
    table = result.table
    np.testing.assert_allclose(table["item_total_r"], expected["item_raw_r"], atol=CLOSED)
    np.testing.assert_allclose(table["item_rest_r"], expected["item_r_drop"], atol=CLOSED)
    np.testing.assert_allclose(table["mean"], expected["item_mean"], atol=CLOSED)
    np.testing.assert_allclose(table["sd"], expected["item_sd"], atol=CLOSED)
    np.testing.assert_allclose(table["alpha_if_deleted"], expected["drop_raw_alpha"],
                               atol=CLOSED)
    np.testing.assert_array_equal(table["n"], expected["item_n"])
    assert result.n == len(data)
    assert "pairwise" in result.basis


def test_listwise_item_analysis_uses_the_complete_rows_throughout():
    """Means, SDs and correlations all on the complete rows (psych on na.omit)."""
    data = reference_csv("drift_pairwise")
    expected = REF["alpha"]["listwise"]
    result = item_analysis(data)
    table = result.table
    np.testing.assert_allclose(table["mean"], expected["item_mean"], atol=CLOSED)
    np.testing.assert_allclose(table["sd"], expected["item_sd"], atol=CLOSED)
    np.testing.assert_allclose(table["item_total_r"], expected["item_raw_r"], atol=CLOSED)
    np.testing.assert_allclose(table["item_rest_r"], expected["item_r_drop"], atol=CLOSED)
    assert table["n"].tolist() == [expected["n_complete"]] * data.shape[1]
    assert table["n_answered"].tolist() == data.notna().sum().tolist()
    assert result.n == expected["n_complete"]
    assert f"{expected['n_complete']} respondents" in result.basis


# ------------------------------------------------------------------ omega


@pytest.mark.filterwarnings("ignore:Heywood case")
@pytest.mark.parametrize(("key", "name"), [("heywood", "drift_omega6"),
                                           ("proper", "drift_omega6_proper")])
def test_three_group_factors_from_six_items_as_psych(key, name):
    data = reference_csv(name)
    expected = REF["omega"][key]["tight"]
    with pytest.warns(PeerevalWarning, match="0 degrees of freedom"):
        result = omega(data, n_factors=3, missing="pairwise")
    assert result.omega_total == pytest.approx(expected["omega_total"], abs=1e-6)
    assert result.omega_hierarchical == pytest.approx(expected["omega_h"], abs=3e-5)
    assert result.alpha == pytest.approx(expected["alpha"], abs=CLOSED)
    np.testing.assert_allclose(result.loadings["h2"], expected["h2"], atol=1e-5)
    np.testing.assert_allclose(result.loadings["g"], expected["g"], atol=3e-5)
    group = result.loadings[["F1*", "F2*", "F3*"]].to_numpy()
    np.testing.assert_allclose(group, np.array(expected["group"]), atol=3e-5)
    np.testing.assert_allclose(result.group["omega_total"], expected["group_total"],
                               atol=3e-5)
    # psych as shipped stops early on this flat objective (see the module docstring)
    shipped = REF["omega"][key]["psych"]
    assert result.omega_total == pytest.approx(shipped["omega_total"], abs=1e-4)


def test_pairwise_rows_without_any_answer_are_dropped_and_counted():
    """psych counts them in n; peereval drops them (documented divergence)."""
    data = reference_csv("drift_pairwise")
    padded = pd.concat([data, pd.DataFrame(np.nan, index=[900, 901], columns=data.columns)])
    result = alpha(padded, missing="pairwise")
    reference_result = alpha(data, missing="pairwise")
    assert (result.n, result.n_dropped) == (len(data), 2)
    assert result.feldt_ci_low == reference_result.feldt_ci_low
    assert item_analysis(padded, missing="pairwise").n == len(data)
