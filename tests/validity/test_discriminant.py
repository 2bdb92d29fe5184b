"""Composite reliability, AVE, Fornell-Larcker and HTMT against R (tests/reference/cfa.R).

semTools is not installable here, so the R script computes CR and AVE by their
formulas from lavaan 0.6.14's standardizedSolution (CR with the residual covariances
among a factor's items), and HTMT with an implementation of Henseler, Ringle &
Sarstedt's (2015) formula written in the script on cor() of the items. CR and AVE pass
through the ML estimates (1e-6); HTMT is a closed form of the sample correlations
(1e-10).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.validity import DiscriminantValidity, cfa, discriminant_validity
from reference_data import reference, reference_csv

REF = reference("cfa")
MODELS = REF["models"]


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return reference_csv("hs1939")


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return reference_csv("sample_items")


def _check(result: DiscriminantValidity, expected: dict) -> None:
    factors = result.factors
    assert factors["factor"].tolist() == expected["factors"]
    np.testing.assert_allclose(factors["cr"], expected["cr"], rtol=1e-6)
    np.testing.assert_allclose(factors["ave"], expected["ave"], rtol=1e-6)
    np.testing.assert_allclose(factors["sqrt_ave"], expected["sqrt_ave"], rtol=1e-6)
    phi = np.array(expected["factor_correlations"])
    off = ~np.eye(len(phi), dtype=bool)
    np.testing.assert_allclose(result.fornell_larcker.to_numpy()[off], phi[off], atol=1e-7)
    np.testing.assert_allclose(np.diag(result.fornell_larcker), expected["sqrt_ave"],
                               rtol=1e-6)
    np.testing.assert_allclose(result.htmt, expected["htmt"], rtol=1e-10)


@pytest.mark.parametrize(("name", "model", "data"), [
    ("hs3", "hs3", "hs"), ("hs3_resid", "resid", "hs"), ("sample", "sample", "sample")])
def test_matches_r(name, model, data, request):
    frame = request.getfixturevalue(data)
    result = discriminant_validity(frame, MODELS[model])
    _check(result, REF[name]["discriminant"])
    assert result.correlation == "pearson"
    assert result.n == REF[name]["n"]


def test_residual_covariance_enters_cr(hs):
    plain = discriminant_validity(hs, MODELS["hs3"]).factors.set_index("factor")
    resid = discriminant_validity(hs, MODELS["resid"]).factors.set_index("factor")
    # x7 ~~ x8 (positive) adds to the error of the speed composite
    assert resid.loc["speed", "cr"] < plain.loc["speed", "cr"] - 0.1


def test_from_fitted_cfa_equals_from_data(hs):
    fit = cfa(hs, MODELS["hs3"])
    a = discriminant_validity(fit)
    b = discriminant_validity(hs, MODELS["hs3"])
    pd.testing.assert_frame_equal(a.factors, b.factors)
    pd.testing.assert_frame_equal(a.pairs, b.pairs)
    assert a.cfa is fit


def test_tables_and_verdicts(hs):
    result = discriminant_validity(hs, MODELS["hs3"])
    expected = REF["hs3"]["discriminant"]
    factors = result.to_frame()
    assert list(factors.columns) == ["factor", "n_items", "cr", "ave", "sqrt_ave",
                                     "max_correlation", "with_factor", "cr_ok", "ave_ok",
                                     "fornell_larcker_ok"]
    # R: CR .626/.885/.691, AVE .371/.720/.430; largest correlation .471 (visual-speed)
    assert factors["cr_ok"].tolist() == [c >= 0.70 for c in expected["cr"]]
    assert factors["ave_ok"].tolist() == [a >= 0.50 for a in expected["ave"]]
    assert factors["fornell_larcker_ok"].all()
    assert factors.set_index("factor").loc["visual", "with_factor"] == "speed"
    pairs = result.pairs
    assert list(pairs.columns) == ["factor_1", "factor_2", "correlation", "htmt",
                                   "htmt_below_85", "htmt_below_90", "fornell_larcker_ok",
                                   "verdict"]
    assert pairs[["factor_1", "factor_2"]].to_numpy().tolist() == [
        ["visual", "textual"], ["visual", "speed"], ["textual", "speed"]]
    assert pairs["htmt_below_85"].all()
    assert pairs["verdict"].iloc[0] == ("HTMT = .42 is below .85: distinct; √AVE of both "
                                        "exceeds their correlation")
    assert result.apa() == ("Composite reliability .63 to .89, AVE .37 to .72; largest "
                            "HTMT = .42 (visual–textual); Fornell-Larcker criterion met "
                            "for 3 of 3 factors")
    assert repr(result).startswith("Convergent and discriminant validity\n")


def _exact(corr: np.ndarray, n: int, names: list[str]) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    z = rng.standard_normal((n, len(corr)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False, ddof=0))).T
    return pd.DataFrame(z @ np.linalg.cholesky(corr).T, columns=names)


@pytest.mark.parametrize(("between", "below_85", "below_90", "words"), [
    (0.24, True, True, "below .85: distinct"),
    (0.26, False, True, "distinct only by the liberal cut-off"),
    (0.28, False, False, "may measure the same thing"),
])
def test_htmt_cut_offs(between, below_85, below_90, words):
    # items correlate .30 within and `between` across: HTMT = between / .30
    corr = np.full((6, 6), between)
    corr[:3, :3] = corr[3:, 3:] = 0.3
    np.fill_diagonal(corr, 1)
    data = _exact(corr, 300, [f"i{k}" for k in range(6)])
    result = discriminant_validity(data, "f =~ i0 + i1 + i2\ng =~ i3 + i4 + i5")
    pair = result.pairs.iloc[0]
    assert pair["htmt"] == pytest.approx(between / 0.3, rel=1e-12)
    assert bool(pair["htmt_below_85"]) is below_85
    assert bool(pair["htmt_below_90"]) is below_90
    assert words in pair["verdict"]
    # the factor correlation is the same ratio; sqrt(AVE) = sqrt(.3) is below it
    assert not result.factors["fornell_larcker_ok"].any()
    assert "Fornell-Larcker not met" in pair["verdict"]


def test_reversed_item_and_absolute(hs):
    reversed_ = hs.assign(x2=-hs["x2"], x3=-hs["x3"])
    with pytest.warns(PeerevalWarning, match="correlate negatively on average"):
        raw = discriminant_validity(reversed_, MODELS["hs3"])
    assert np.isnan(raw.htmt.loc["visual", "textual"])
    absolute = discriminant_validity(reversed_, MODELS["hs3"], absolute=True)
    assert np.isfinite(absolute.htmt.loc["visual", "textual"])


def test_ordinal_uses_polychorics(sample):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        result = discriminant_validity(sample, MODELS["sample"], ordinal=True)
    assert result.correlation == "polychoric"
    polychoric = np.array(REF["sample_ordinal"]["polychoric"])
    # HTMT of support (items 0-5) and adjustment (6-11) from R's polychoric matrix
    hetero = polychoric[:6, 6:12].mean()
    mono = [polychoric[a:a + 6, a:a + 6][np.triu_indices(6, 1)].mean() for a in (0, 6)]
    assert result.htmt.loc["support", "adjustment"] == pytest.approx(
        hetero / np.sqrt(mono[0] * mono[1]), abs=1e-4)


def test_bad_input(hs):
    with pytest.raises(PeerevalError, match="without a model"):
        discriminant_validity(hs)
    fit = cfa(hs, MODELS["hs3"])
    with pytest.raises(PeerevalError, match="together with a model"):
        discriminant_validity(fit, MODELS["hs3"])
    grouped = cfa(hs, MODELS["hs3"], group="school")
    with pytest.raises(PeerevalError, match="this CFA has 2 groups"):
        discriminant_validity(grouped)


def test_one_factor_has_no_pairs(hs):
    result = discriminant_validity(hs, "visual =~ x1 + x2 + x3")
    assert result.pairs.empty
    assert result.htmt.shape == (1, 1)
    assert not result.factors["fornell_larcker_ok"].iloc[0]
    assert result.apa().startswith("Composite reliability = .")
    assert "HTMT" not in result.apa()
