"""Omega against psych::omega.

Tolerances: omega total depends on the minres communalities only and agrees to 1e-7;
loadings, omega hierarchical and ECV pass through the oblimin rotation, which
GPArotation stops at a projected gradient of 1e-5 (ours at 1e-8), so they agree to
2e-5.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.reliability import omega
from reference_data import as_list, reference

REF = reference("omega")
TOTAL, ROTATED = 1e-7, 2e-5


def _case(name, bfi, sample_items):
    items25 = bfi.iloc[:, :25]
    return {
        "sample_3": (sample_items.dropna(), 3, "listwise"),
        "sample_support_1": (sample_items.iloc[:, :6].dropna(), 1, "listwise"),
        "sample_2": (sample_items.iloc[:, :12].dropna(), 2, "listwise"),
        "bfi_5": (items25.dropna(), 5, "listwise"),
        "bfi_pairwise_5": (items25, 5, "pairwise"),
        "bfi_agree_1": (items25.iloc[:, :5].dropna(), 1, "listwise"),
    }[name]


@pytest.mark.parametrize("name", ["sample_3", "sample_support_1", "sample_2", "bfi_5",
                                  "bfi_pairwise_5", "bfi_agree_1"])
def test_matches_psych(name, bfi, sample_items):
    data, n_factors, missing = _case(name, bfi, sample_items)
    expected = REF[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)  # the two-factor case warns
        result = omega(data, n_factors=n_factors, missing=missing)
    assert result.omega_total == pytest.approx(expected["omega_total"], abs=TOTAL)
    assert result.omega_hierarchical == pytest.approx(expected["omega_h"], abs=ROTATED)
    assert result.omega_limit == pytest.approx(expected["omega_limit"], abs=ROTATED)
    assert result.alpha == pytest.approx(expected["alpha"], abs=1e-10)
    assert result.ecv == pytest.approx(expected["ecv"], abs=ROTATED)
    np.testing.assert_allclose(result.loadings["g"], expected["g"], atol=ROTATED)
    np.testing.assert_allclose(result.loadings["h2"], expected["h2"], atol=ROTATED)
    if n_factors > 1:
        group = result.loadings[[f"F{j}*" for j in range(1, n_factors + 1)]].to_numpy()
        np.testing.assert_allclose(group, np.array(expected["group"]), atol=ROTATED)
        np.testing.assert_allclose(result.group["omega_total"], expected["group_total"],
                                   atol=ROTATED)
        np.testing.assert_allclose(result.group["omega_group"], expected["group_group"],
                                   atol=ROTATED)
    assert sorted(result.flipped) == sorted(as_list(expected["flipped"]))


def test_two_factors_warn_that_g_is_not_identified(sample_items):
    with pytest.warns(PeerevalWarning, match="not identified"):
        omega(sample_items.iloc[:, :12].dropna(), n_factors=2)


def test_one_factor_sentence(sample_items):
    result = omega(sample_items.iloc[:, :6], n_factors=1)
    assert result.apa().startswith("ω = .8")
    assert result.n_dropped == len(sample_items) - len(sample_items.iloc[:, :6].dropna())


def test_too_many_factors_for_the_items(sample_items):
    """Up to the factors the items identify (3 from 6, as psych; see
    test_drift_reference.py); beyond, psych fits a model with negative df, peereval
    refuses."""
    with pytest.raises(PeerevalError, match="cannot be estimated from 6 items"):
        omega(sample_items.iloc[:, :6], n_factors=4)


ORDINAL = reference("omega_ordinal")


@pytest.mark.parametrize(("name", "columns", "n_factors"), [
    ("sample_3", slice(None), 3), ("support_1", slice(0, 6), 1), ("bfi_agree_1", None, 1)])
def test_ordinal_omega_and_alpha_match_psych_poly(name, columns, n_factors, bfi, sample_items):
    """psych's polychoric optimiser stops at about 1e-4 in rho; omega inherits ~1e-5."""
    data = bfi.iloc[:, :5] if columns is None else sample_items.iloc[:, columns]
    expected = ORDINAL[name]
    result = omega(data.dropna(), n_factors=n_factors, polychoric=True)
    assert result.correlation == "polychoric"
    assert result.n == expected["n"]
    assert result.omega_total == pytest.approx(expected["omega_total"], abs=5e-5)
    assert result.omega_hierarchical == pytest.approx(expected["omega_h"], abs=5e-5)
    assert result.alpha == pytest.approx(expected["alpha_ordinal"], abs=5e-5)
    assert result.apa().startswith("ordinal ")
