"""Split-half coefficients against psych::splitHalf and a brute-force R enumeration."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from peereval.errors import PeerevalError
from peereval.reliability import split_half
from reference_data import reference

REF = reference("alpha")["split_half"]
CLOSED = 1e-12


@pytest.fixture
def support(sample_items):
    return sample_items[[f"Q1_{i}" for i in range(1, 7)]]


@pytest.mark.parametrize("name", ["agree", "support", "all18"])
def test_lambdas_match_psych(name, agree, support, sample_items):
    data = {"agree": agree, "support": support, "all18": sample_items}[name]
    result = split_half(data, n_splits=100_000)
    expected = REF[name]
    assert result.lambda2 == pytest.approx(expected["lambda2"], abs=CLOSED)
    assert result.lambda6 == pytest.approx(expected["lambda6"], abs=CLOSED)
    assert result.alpha == pytest.approx(expected["alpha"], abs=CLOSED)
    assert result.n == len(data.dropna())


@pytest.mark.parametrize("name", ["agree", "conscientious", "support", "all18"])
def test_every_split_matches_brute_force(name, agree, conscientious, support, sample_items):
    data = {"agree": agree, "conscientious": conscientious, "support": support,
            "all18": sample_items}[name]
    result = split_half(data, n_splits=100_000)
    expected = REF[f"{name}_all"]
    assert result.exhaustive
    assert result.lambda4 == pytest.approx(expected["max"], abs=CLOSED)
    assert result.beta == pytest.approx(expected["min"], abs=CLOSED)
    assert result.mean_rulon == pytest.approx(expected["mean"], abs=CLOSED)
    k = data.shape[1]
    distinct = math.comb(k, k // 2) // (2 if k % 2 == 0 else 1)
    assert result.n_splits == distinct


def test_even_scales_agree_with_psych_on_best_and_worst_split(agree, support):
    for name, data in (("agree", agree), ("support", support)):
        result = split_half(data)
        assert result.lambda4 == pytest.approx(REF[name]["maxrb"], abs=CLOSED)
        assert result.beta == pytest.approx(REF[name]["minrb"], abs=CLOSED)


def test_mean_of_all_splits_is_standardised_alpha(support):
    """Over every equal split of an even-length scale the mean coefficient is alpha."""
    result = split_half(support)
    assert result.mean_rulon == pytest.approx(result.alpha, abs=CLOSED)


def test_odd_even_by_hand(support):
    x = support.dropna()
    odd = x.iloc[:, 0::2].sum(axis=1)
    even = x.iloc[:, 1::2].sum(axis=1)
    r = np.corrcoef(odd, even)[0, 1]
    raw = split_half(support, standardised=False)
    assert raw.odd_even_r == pytest.approx(r, abs=CLOSED)
    assert raw.odd_even_sb == pytest.approx(2 * r / (1 + r), abs=CLOSED)
    total = odd + even
    rulon = 2 * (1 - (odd.var() + even.var()) / total.var())
    assert raw.odd_even_rulon == pytest.approx(rulon, abs=CLOSED)


def test_random_splits_are_reproducible(sample_items):
    a = split_half(sample_items, n_splits=500, seed=4)
    b = split_half(sample_items, n_splits=500, seed=4)
    assert not a.exhaustive
    assert a.n_splits == 500
    assert (a.lambda4, a.mean_sb) == (b.lambda4, b.mean_sb)
    exhaustive = split_half(sample_items, n_splits=100_000)
    assert a.lambda4 <= exhaustive.lambda4 + CLOSED


def test_table_and_errors(support):
    frame = split_half(support).to_frame()
    assert set(frame["coefficient"]) >= {"lambda2", "lambda4", "lambda6", "odd_even_sb"}
    with pytest.raises(PeerevalError, match="n_splits"):
        split_half(support, n_splits=0)
    with pytest.raises(PeerevalError, match="at least 2 items"):
        split_half(pd.DataFrame({"a": [1, 2, 3]}))


def test_split_half_methods_follow_settings_and_old_name_warns():
    import warnings

    import numpy as np
    import pandas as pd

    from peereval.reliability import split_half

    rng = np.random.default_rng(0)
    data = pd.DataFrame(rng.integers(1, 6, size=(40, 8)), columns=list("abcdefgh"))
    sampled = split_half(data, n_splits=20, seed=3, standardised=False)
    assert "20 random splits" in sampled.methods()
    assert "seed 3" in sampled.methods()
    assert "covariance" in sampled.methods()
    assert "all 35 splits" in split_half(data).methods()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        old = sampled.n_obs
    assert old == sampled.n
    assert "SplitHalfResult.n_obs is deprecated since peereval 0.1: use SplitHalfResult.n" \
        in str(caught[0].message)
    assert "n" in sampled.to_frame().columns
