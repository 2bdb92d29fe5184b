"""Polychoric and polyserial correlations, and the bivariate normal CDF under them.

Expected values come from R (tests/reference/polychoric.R -> polychoric.json), from
closed forms, or from independent numerical integration; never from peereval itself.

Tolerances, and why:
* Bivariate normal CDF: 1e-14 against Genz's Fortran bvnd (mnormt), closed forms and
  adaptive quadrature; the method is accurate to about 1e-15.
* Thresholds: 1e-10 (closed form, normal quantiles of proportions).
* Correlations against psych as shipped: 1e-4. psych stops optimize() at its default
  tolerance (about 1.2e-4) and takes cell probabilities from mnormt::sadmvn (absolute
  error 1e-6), so it is only that close to the maximum; observed differences <= 2.1e-5.
* Correlations against "tight" psych (psych's own functions with optimize(tol = 1e-12)
  and exact rectangle probabilities): 1e-7. optimize() compares function values and so
  locates a maximum only to about sqrt(machine eps) = 1.5e-8 times a small factor;
  observed differences <= 3.3e-8.
* Polyserial: 1e-12 against psych applied to each pair's complete rows (a closed form).
"""

from __future__ import annotations

import math
import time
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats
from scipy.special import ndtr

from peereval._bivariate import bvn_cdf, bvn_pdf, bvn_pdf_drho
from peereval.errors import PeerevalError, PeerevalWarning
from peereval.reliability import PolychoricResult, polychoric, polyserial
from peereval.reliability._polychoric import cor_smooth
from reference_data import reference, reference_csv

PSYCH = 1e-4   # psych as shipped (optimize's default tolerance)
TIGHT = 1e-7   # psych with optimize(tol = 1e-12) and exact cell probabilities
TAU = 1e-10    # thresholds: closed form


def arr(value) -> np.ndarray:
    """A JSON vector or matrix from jsonlite (na = "string": Inf, -Inf, NA as text)."""
    def num(v):
        if isinstance(v, str):
            return {"Inf": math.inf, "-Inf": -math.inf, "NA": math.nan, "NaN": math.nan}[v]
        return float(v)
    if not isinstance(value, list):
        return np.array(num(value))
    if value and isinstance(value[0], list):
        return np.array([[num(v) for v in row] for row in value])
    return np.array([num(v) for v in value])


@pytest.fixture(scope="module")
def ref() -> dict:
    return reference("polychoric")


def quiet(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return fn(*args, **kwargs)


def check_against(result: PolychoricResult, entry: dict, *, tau: bool = True) -> None:
    got = result.correlation.to_numpy()
    np.testing.assert_allclose(got, arr(entry["tight"]["rho"]), rtol=0, atol=TIGHT)
    np.testing.assert_allclose(got, arr(entry["psych"]["rho"]), rtol=0, atol=PSYCH)
    if tau:
        np.testing.assert_allclose(result.thresholds.to_numpy(), arr(entry["psych"]["tau"]),
                                   rtol=0, atol=TAU)


# ====================================================================== bivariate normal


def test_bvn_matches_genz_fortran_in_r(ref):
    # R: mnormt::pmnorm(c(h, k), varcov = matrix(c(1, r, r, 1), 2)); infinite limits and
    # rho = ±1 (closed forms in the script) included
    b = ref["bvn"]
    got = bvn_cdf(arr(b["h"]), arr(b["k"]), arr(b["rho"]))
    np.testing.assert_allclose(got, arr(b["p"]), rtol=0, atol=1e-14)


@pytest.mark.parametrize("rho", [-1.0, -0.9999, -0.95, -0.926, -0.924, -0.76, -0.74, -0.31,
                                 -0.29, -1e-9, 0.0, 0.1, 0.5, 0.8, 0.925, 0.93, 0.99, 1.0])
def test_bvn_at_the_origin_is_sheppards_formula(rho):
    # Φ2(0, 0; ρ) = 1/4 + arcsin(ρ)/(2π) (Sheppard 1898)
    assert bvn_cdf(0.0, 0.0, rho) == pytest.approx(0.25 + math.asin(rho) / (2 * math.pi),
                                                   abs=1e-15)


def test_bvn_closed_forms_independence_and_limits():
    h = np.array([-3.0, -1.0, -0.2, 0.0, 0.7, 2.0, 4.0])
    H, K = np.meshgrid(h, h, indexing="ij")
    np.testing.assert_allclose(bvn_cdf(H, K, 0.0), ndtr(H) * ndtr(K), rtol=0, atol=1e-16)
    np.testing.assert_allclose(bvn_cdf(H, K, 1.0), ndtr(np.minimum(H, K)), rtol=0, atol=1e-16)
    np.testing.assert_allclose(bvn_cdf(H, K, -1.0), np.maximum(0, ndtr(H) + ndtr(K) - 1),
                               rtol=0, atol=3e-16)
    # approaching the limits continuously, from both branches of the method
    np.testing.assert_allclose(bvn_cdf(H, K, 1 - 1e-13), ndtr(np.minimum(H, K)), atol=1e-6)
    np.testing.assert_allclose(bvn_cdf(H, K, -1 + 1e-13),
                               np.maximum(0, ndtr(H) + ndtr(K) - 1), atol=1e-6)


def test_bvn_infinite_limits():
    k = np.array([-2.0, 0.0, 1.5])
    for rho in (-0.97, -0.5, 0.2, 0.95):
        np.testing.assert_array_equal(bvn_cdf(-np.inf, k, rho), 0.0)
        np.testing.assert_allclose(bvn_cdf(np.inf, k, rho), ndtr(k), rtol=0, atol=1e-16)
        np.testing.assert_allclose(bvn_cdf(k, np.inf, rho), ndtr(k), rtol=0, atol=1e-16)
        assert bvn_cdf(np.inf, np.inf, rho) == 1.0
        assert bvn_cdf(np.inf, -np.inf, rho) == 0.0


# quad reports round-off near |ρ| = 1 while still meeting 1e-14, which is what is checked
@pytest.mark.filterwarnings("ignore::scipy.integrate.IntegrationWarning")
def test_bvn_matches_plackett_quadrature():
    # Φ2(h, k; ρ) = Φ(h)Φ(k) + ∫_0^ρ φ2(h, k; r) dr (Plackett 1954), by adaptive
    # quadrature with the density written out here
    def density(h, k, r):
        return math.exp(-(h * h - 2 * r * h * k + k * k) / (2 * (1 - r * r))) / (
            2 * math.pi * math.sqrt(1 - r * r))
    worst = 0.0
    for h in (-2.7, -1.1, 0.0, 0.45, 1.9):
        for k in (-1.6, -0.3, 0.8, 2.4):
            for rho in (-0.98, -0.93, -0.6, -0.2, 0.25, 0.7, 0.9, 0.94, 0.985):
                extra, _ = integrate.quad(lambda r, h=h, k=k: density(h, k, r), 0.0, rho,
                                          epsabs=1e-16, epsrel=1e-14, limit=200)
                expected = ndtr(h) * ndtr(k) + extra
                worst = max(worst, abs(float(bvn_cdf(h, k, rho)) - expected))
    assert worst < 1e-14


def test_bvn_matches_scipy():
    rng = np.random.default_rng(20040251)  # fixed points, not a random test
    points = np.column_stack([rng.uniform(-3, 3, 40), rng.uniform(-3, 3, 40),
                              rng.uniform(-0.999, 0.999, 40)])
    for h, k, rho in points:
        expected = stats.multivariate_normal.cdf(
            [h, k], [0, 0], [[1, rho], [rho, 1]], abseps=1e-13, releps=0,
            maxpts=2_000_000, rng=np.random.default_rng(1))
        assert float(bvn_cdf(h, k, rho)) == pytest.approx(expected, abs=1e-12)


def test_bvn_symmetries():
    h = np.linspace(-3, 3, 13)
    H, K = np.meshgrid(h, h, indexing="ij")
    for rho in (-0.99, -0.8, -0.4, 0.1, 0.6, 0.93, 0.999):
        np.testing.assert_allclose(bvn_cdf(H, K, rho), bvn_cdf(K, H, rho), atol=1e-15)
        # P(X ≤ h, Y ≤ k) + P(X ≤ h, -Y < -k) = Φ(h)
        np.testing.assert_allclose(bvn_cdf(H, K, rho) + bvn_cdf(H, -K, -rho), ndtr(H),
                                   atol=2e-15)


def test_bvn_broadcasts_and_propagates_nan():
    out = bvn_cdf(np.zeros((3, 1)), np.zeros((1, 4)), np.array([0.5]))
    assert out.shape == (3, 4)
    np.testing.assert_allclose(out, 1 / 3, atol=1e-16)
    assert bvn_cdf(0.0, 0.0, 0.5).shape == ()
    assert np.isnan(bvn_cdf(np.nan, 0.0, 0.5))
    assert np.isnan(bvn_cdf(0.0, 0.0, 1.5))


def test_bvn_density_and_its_derivatives():
    h = np.array([-1.7, -0.2, 0.4, 2.1])
    H, K = np.meshgrid(h, h[::-1], indexing="ij")
    for rho in (-0.95, -0.3, 0.0, 0.5, 0.97):
        expected = stats.multivariate_normal.pdf(np.dstack([H, K]), [0, 0],
                                                 [[1, rho], [rho, 1]])
        # relative 1e-12: exponents near -90 carry their rounding into the result
        np.testing.assert_allclose(bvn_pdf(H, K, rho), expected, rtol=1e-12)
        # ∂Φ2/∂ρ = φ2 (Plackett), checked by a central difference of the CDF
        step = 1e-5
        slope = (bvn_cdf(H, K, rho + step) - bvn_cdf(H, K, rho - step)) / (2 * step)
        np.testing.assert_allclose(slope, bvn_pdf(H, K, rho), rtol=1e-7, atol=1e-10)
        slope2 = (bvn_pdf(H, K, rho + step) - bvn_pdf(H, K, rho - step)) / (2 * step)
        np.testing.assert_allclose(bvn_pdf_drho(H, K, rho), slope2, rtol=1e-6, atol=1e-9)
    assert bvn_pdf(np.inf, 0.0, 0.5) == 0.0
    assert bvn_pdf_drho(-np.inf, 1.0, 0.5) == 0.0


# ====================================================================== polychoric vs R


def test_bfi_global_thresholds_pairwise(ref, bfi):
    # R: psych::polychoric(bfi[, c(paste0("A", 1:5), paste0("C", 1:5))], smooth = FALSE)
    entry = ref["bfi10"]
    result = polychoric(bfi, entry["items"])
    check_against(result, entry["global"])
    assert result.positive_definite is True
    assert result.smoothed is None
    assert result.missing == "pairwise"
    # pairwise n: respondents who answered both items (R: crossprod(!is.na(x)))
    answered = bfi[entry["items"]].notna().to_numpy().astype(int)
    np.testing.assert_array_equal(result.n_pairwise.to_numpy(), answered.T @ answered)
    assert len(set(result.n_pairwise.to_numpy()[np.triu_indices(10, 1)])) > 1
    assert result.n_pairwise_min == (answered.T @ answered).min()
    assert result.n_rows == 2800


def test_bfi_pair_thresholds_with_and_without_correction(ref, bfi):
    # R: psych::polychoric(x, smooth = FALSE, global = FALSE[, correct = 0])
    entry = ref["bfi10"]
    check_against(quiet(polychoric, bfi, entry["items"], global_thresholds=False),
                  entry["local"])
    check_against(quiet(polychoric, bfi, entry["items"], global_thresholds=False, correct=0),
                  entry["local_nocorrect"])


def test_bfi_listwise(ref, bfi):
    # R: psych::polychoric(na.omit(x), smooth = FALSE)
    entry = ref["bfi10"]
    result = polychoric(bfi, entry["items"], missing="listwise")
    check_against(result, entry["listwise"])
    assert result.n_dropped == 2800 - entry["n_complete"]
    assert (result.n_pairwise.to_numpy() == entry["n_complete"]).all()
    assert f"{result.n_dropped} of 2800 rows dropped" in result.dropped


def test_not_positive_definite_is_flagged_and_smoothed_as_psych(ref, bfi):
    # R: psych::polychoric(bfi[1:60, 1:25], smooth = FALSE) and smooth = TRUE (cor.smooth)
    entry = ref["bfi60"]
    with pytest.warns(PeerevalWarning, match="not positive definite"):
        result = polychoric(bfi.iloc[:60], entry["items"])
    check_against(result, entry["raw"])
    assert result.positive_definite is False
    assert result.min_eigenvalue < 0
    np.testing.assert_allclose(result.smoothed.to_numpy(), arr(entry["smoothed"]["tight"]["rho"]),
                               rtol=0, atol=TIGHT)
    np.testing.assert_allclose(result.smoothed.to_numpy(), arr(entry["smoothed"]["psych"]["rho"]),
                               rtol=0, atol=PSYCH)
    assert result.matrix is result.smoothed
    assert "smoothing was done" in str(entry["smoothed"]["psych"]["warnings"])
    assert np.linalg.eigvalsh(result.smoothed.to_numpy())[0] > 0
    with pytest.warns(PeerevalWarning, match="not positive definite"):
        plain = polychoric(bfi.iloc[:60], entry["items"], smooth=False)
    assert plain.smoothed is None
    assert plain.matrix is plain.correlation


def test_cor_smooth_matches_psych(ref):
    # R: psych::cor.smooth(m) on a fixed indefinite matrix
    entry = ref["cor_smooth"]
    np.testing.assert_allclose(cor_smooth(arr(entry["input"])), arr(entry["smoothed"]),
                               rtol=0, atol=1e-12)


def test_unequal_categories_psych_switches_to_pair_thresholds(ref, bfi):
    # A2's answer 6 merged into 5: psych warns and sets global = FALSE for every pair;
    # peereval reproduces that with global_thresholds=False ...
    entry = ref["ragged"]
    assert "global set to FALSE" in str(entry["psych"]["psych"]["warnings"])
    ragged = bfi[entry["items"]].copy()
    ragged.loc[ragged["A2"] == 6, "A2"] = 5
    result = quiet(polychoric, ragged, global_thresholds=False)
    check_against(result, entry["psych"])
    assert result.thresholds.loc["A2", "5|6"] == np.inf
    # ... and by default keeps global thresholds (A2's unused category adds nothing)
    default = polychoric(ragged)
    assert default.global_thresholds is True
    diff = np.abs(default.correlation.to_numpy() - arr(entry["psych"]["tight"]["rho"]))
    assert diff.max() > 1e-4


def test_hand_made_table_global(ref):
    # R: psych::polychoric(raw3, smooth = FALSE): empty cells need no correction here
    entry = ref["table3"]
    raw3 = reference_csv("polychoric_table3")
    result = polychoric(raw3)
    check_against(result, entry["global"])
    assert int(result.corrected_cells.iloc[0, 1]) == 0
    expected = np.array(entry["table"]).sum()
    assert result.n_pairwise_min == expected == 110


def test_hand_made_table_correction_for_empty_cell(ref):
    # R: psych::polychoric(raw3, smooth = FALSE, global = FALSE): one cell set to .5,
    # thresholds from the corrected margins; the same as psych's table method
    # psych::polychoric(as.table(table3)) (polytab)
    entry = ref["table3"]
    raw3 = reference_csv("polychoric_table3")
    with pytest.warns(PeerevalWarning, match="1 empty cell"):
        result = polychoric(raw3, global_thresholds=False)
    check_against(result, entry["local"], tau=False)
    r = float(result.correlation.iloc[0, 1])
    assert r == pytest.approx(entry["polytab"]["tight"], abs=TIGHT)
    assert r == pytest.approx(entry["polytab"]["psych"], abs=PSYCH)
    assert int(result.corrected_cells.iloc[0, 1]) == 1
    assert entry["local"]["psych"]["pairs_corrected"] == 1
    assert result.to_frame()["corrected_cells"].tolist() == [1]
    # without the correction the empty cell counts for nothing: the global estimate
    no_fix = polychoric(raw3, global_thresholds=False, correct=0)
    assert float(no_fix.correlation.iloc[0, 1]) == pytest.approx(
        arr(entry["global"]["tight"]["rho"])[0, 1], abs=TIGHT)


def test_two_by_two_with_empty_cell(ref):
    # R: psych::polychoric(raw2, smooth = FALSE, global = FALSE)
    raw2 = reference_csv("polychoric_table2")
    result = quiet(polychoric, raw2, global_thresholds=False)
    check_against(result, ref["table2"]["local"], tau=False)
    # With the margins' thresholds, ρ = 1 reproduces the table exactly (the cell that
    # vanishes is the empty one), so the likelihood is at its supremum on the boundary.
    with pytest.warns(PeerevalWarning, match="at ±1"), \
            pytest.warns(PeerevalWarning, match="not positive definite"):
        boundary = polychoric(raw2)
    assert float(boundary.correlation.iloc[0, 1]) == 1.0


def test_polyserial_matches_psych(ref, bfi):
    entry = ref["polyserial"]
    items = entry["items"]
    result = polyserial(bfi, "age", items)
    got = result.correlation["age"].to_numpy()
    # R: psych::polyserial(age[ok], item[ok]) for each item's complete rows
    np.testing.assert_allclose(got, arr(entry["age_pairwise"]), rtol=0, atol=1e-12)
    # R: psych::polyserial(bfi$age, x): its sqrt((n - 1)/n) uses all 2800 rows rather
    # than those answering the item, a relative difference below (1/n_i - 1/2800)/2
    # < 1e-5 here
    np.testing.assert_allclose(got, arr(entry["age"]), rtol=1e-5, atol=0)
    np.testing.assert_array_equal(result.n_pairwise["age"].to_numpy(), arr(entry["n_age"]))
    assert result.method == "polyserial"
    assert list(result.correlation.index) == items


def test_polyserial_with_missing_x(ref, bfi):
    entry = ref["polyserial"]
    data = bfi.copy()
    data.loc[(np.arange(len(data)) + 1) % 7 == 0, "age"] = np.nan  # as in the R script
    result = polyserial(data, "age", entry["items"])
    got = result.correlation["age"].to_numpy()
    np.testing.assert_allclose(got, arr(entry["age_na_pairwise"]), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(result.n_pairwise["age"].to_numpy(), arr(entry["n_age_na"]))
    # psych mixes rows (r from complete pairs, the item's SD and thresholds from all its
    # answers): with 1 row in 7 missing, that moves estimates by up to ~4e-4
    np.testing.assert_allclose(got, arr(entry["age_na"]), rtol=0, atol=1e-3)


# ====================================================================== properties


def test_reversing_an_item_flips_its_signs(bfi):
    items = ["A1", "A2", "A3", "C1"]
    base = polychoric(bfi, items).correlation
    flipped = bfi[items].copy()
    flipped["A1"] = 7 - flipped["A1"]
    got = polychoric(flipped).correlation
    sign = np.where(np.array(items) == "A1", -1.0, 1.0)
    np.testing.assert_allclose(got.to_numpy(), base.to_numpy() * np.outer(sign, sign),
                               atol=1e-10)


def test_shifted_codes_give_the_same_correlations(bfi):
    items = ["A1", "A2", "C4"]
    base = polychoric(bfi, items)
    shifted = polychoric(bfi[items] - 1)
    np.testing.assert_allclose(shifted.correlation, base.correlation, atol=1e-12)
    np.testing.assert_allclose(shifted.thresholds.to_numpy(), base.thresholds.to_numpy(),
                               atol=1e-15)
    assert shifted.thresholds.columns[0] == "0|1"
    assert shifted.categories == (0.0, 1.0, 2.0, 3.0, 4.0, 5.0)


def test_recovers_latent_correlation_by_simulation():
    # Large sample from a known bivariate normal cut into 5 categories: the estimate is
    # within sampling error of the true .55 (SE about .005 at n = 40,000).
    rng = np.random.default_rng(7)
    latent = rng.multivariate_normal([0, 0], [[1, 0.55], [0.55, 1]], size=40_000)
    cuts = [-1.5, -0.5, 0.4, 1.3]
    data = pd.DataFrame(np.digitize(latent, cuts) + 1, columns=["a", "b"])
    result = polychoric(data)
    assert float(result.correlation.iloc[0, 1]) == pytest.approx(0.55, abs=0.02)
    np.testing.assert_allclose(result.thresholds.loc["a"], cuts, atol=0.03)


def test_input_is_not_modified(bfi):
    data = bfi[["A1", "A2", "A3"]].copy()
    before = data.copy()
    polychoric(data)
    polyserial(bfi.assign(x=data["A1"] * 1.5 + bfi["age"]), "x", ["A2", "A3"])
    pd.testing.assert_frame_equal(data, before)


def test_pair_without_overlap_is_missing_and_reported():
    data = pd.DataFrame({"a": [1, 2, 3, 1, 2, 3, 2, 1] + [np.nan] * 6,
                         "b": [np.nan] * 8 + [1, 2, 2, 1, 2, 1],
                         "c": [1, 2, 3, 2, 2, 3, 1, 3, 2, 1, 2, 2, 3, 1]})
    with pytest.warns(PeerevalWarning, match="could not be estimated"):
        result = polychoric(data)
    assert np.isnan(result.correlation.loc["a", "b"])
    assert result.n_pairwise.loc["a", "b"] == 0
    assert result.positive_definite is None
    assert np.isfinite(result.correlation.loc["a", "c"])


def test_result_frame_and_repr(bfi):
    result = polychoric(bfi, ["A1", "A2", "A3"])
    frame = result.to_frame()
    assert list(frame.columns) == ["variable_1", "variable_2", "method", "r", "n",
                                   "corrected_cells"]
    assert list(zip(frame["variable_1"], frame["variable_2"], strict=True)) == [
        ("A1", "A2"), ("A1", "A3"), ("A2", "A3")]
    assert frame["r"].tolist() == [result.correlation.loc["A1", "A2"],
                                   result.correlation.loc["A1", "A3"],
                                   result.correlation.loc["A2", "A3"]]
    assert "Polychoric correlations ranged from −.41 to .56" in result.apa()
    assert "pairwise" in result.dropped
    assert "Polychoric correlations" in repr(result)
    with pytest.raises(AttributeError):
        result.method = "x"  # frozen


# ====================================================================== input checks


def test_non_integer_answer_names_column_and_value():
    data = pd.DataFrame({"a": [1, 2, 3, 2], "b": [1, 2.5, 3, 1]})
    with pytest.raises(PeerevalError, match="whole-number") as info:
        polychoric(data)
    assert info.value.column == "b"
    assert info.value.value == 2.5


def test_too_many_categories():
    data = pd.DataFrame({"a": [1, 2, 3, 2, 1, 3], "b": [0, 4, 11, 7, 3, 2]})
    with pytest.raises(PeerevalError, match="12 answer codes") as info:
        polychoric(data)
    assert info.value.column == "b"
    assert info.value.value == 11
    assert abs(float(quiet(polychoric, data, max_categories=12).correlation.iloc[0, 1])) < 1
    # each item is short but together they span too many codes
    apart = pd.DataFrame({"a": [1, 2, 3, 2], "b": [9, 10, 11, 9]})
    with pytest.raises(PeerevalError, match="together span 11") as info:
        polychoric(apart)
    assert info.value.column == "b"


def test_constant_and_empty_items():
    data = pd.DataFrame({"a": [1, 2, 3, 2], "b": [4, 4, np.nan, 4], "c": [np.nan] * 4})
    with pytest.raises(PeerevalError, match="one answer only") as info:
        polychoric(data, ["a", "b"])
    assert (info.value.column, info.value.value) == ("b", 4.0)
    with pytest.raises(PeerevalError, match="no answers") as info:
        polychoric(data, ["a", "c"])
    assert info.value.column == "c"


def test_fewer_than_two_items_and_bad_options():
    data = pd.DataFrame({"a": [1, 2, 3, 2], "b": [1, 2, 2, 3]})
    with pytest.raises(PeerevalError, match="at least 2 items"):
        polychoric(data, ["a"])
    with pytest.raises(PeerevalError, match="no column"):
        polychoric(data, ["a", "zz"])
    with pytest.raises(PeerevalError, match="missing must be"):
        polychoric(data, missing="everything")
    with pytest.raises(PeerevalError, match="correct must be"):
        polychoric(data, correct=-1)
    gaps = pd.DataFrame({"a": [1, 2, np.nan, np.nan], "b": [np.nan, np.nan, 1, 2]})
    with pytest.raises(PeerevalError, match="only 0 of 4 respondents answered every item"):
        polychoric(gaps, missing="listwise")


def test_polyserial_input_checks():
    data = pd.DataFrame({"x": [1.0, 1.0, 1.0, 1.0], "z": [0.3, 1.2, 2.2, 0.1],
                         "y": [1, 2, 2, 3], "w": [1, 2.5, 2, 3]})
    with pytest.raises(PeerevalError, match="no variance") as info:
        polyserial(data, "x", "y")
    assert info.value.column == "x"
    with pytest.raises(PeerevalError, match="whole-number") as info:
        polyserial(data, "z", ["y", "w"])
    assert info.value.column == "w"
    with pytest.raises(PeerevalError, match="both x and y"):
        polyserial(data, "z", ["y", "z"])


# ====================================================================== speed


@pytest.mark.slow
def test_fifty_thousand_by_sixty_takes_seconds():
    rng = np.random.default_rng(3)
    n, p = 50_000, 60
    factor = rng.standard_normal((n, 1))
    latent = factor * rng.uniform(0.4, 0.8, p) + rng.standard_normal((n, p)) * 0.7
    codes = np.digitize(latent, [-1.2, -0.4, 0.3, 1.0]).astype(float) + 1
    codes[rng.random((n, p)) < 0.03] = np.nan
    data = pd.DataFrame(codes, columns=[f"q{i}" for i in range(p)])
    start = time.perf_counter()
    result = polychoric(data)
    elapsed = time.perf_counter() - start
    assert result.correlation.shape == (60, 60)
    assert np.isfinite(result.correlation.to_numpy()).all()
    assert elapsed < 20, f"{elapsed:.1f} s"
