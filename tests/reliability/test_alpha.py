"""Cronbach's alpha and item analysis against psych::alpha and boot::boot.ci."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import peereval
from peereval._bootstrap import bca_interval, percentile_interval, resample_counts
from peereval.errors import PeerevalError, PeerevalWarning
from peereval.reliability import alpha, item_analysis
from peereval.reliability._alpha import _alphas_from_counts, _jackknife_listwise
from reference_data import reference

REF = reference("alpha")
CLOSED = 1e-9  # closed forms: R and numpy agree to rounding


def _data(name, agree, conscientious, sample_items):
    return {"agree": agree, "conscientious": conscientious,
            "support": sample_items[[f"Q1_{i}" for i in range(1, 7)]]}[name]


@pytest.mark.parametrize("case", ["agree_listwise", "agree_pairwise", "conscientious_listwise",
                                  "support_listwise", "support_pairwise"])
def test_alpha_matches_psych(case, agree, conscientious, sample_items):
    name, rule = case.split("_")
    data = _data(name, agree, conscientious, sample_items)
    expected = REF["alpha"][case]
    result = alpha(data, missing=rule)
    assert result.alpha == pytest.approx(expected["raw_alpha"], abs=CLOSED)
    assert result.alpha_std == pytest.approx(expected["std_alpha"], abs=CLOSED)
    assert result.average_r == pytest.approx(expected["average_r"], abs=CLOSED)
    assert result.median_r == pytest.approx(expected["median_r"], abs=CLOSED)
    if rule == "listwise":
        assert result.n == expected["n"]
        assert result.n_dropped == len(data) - expected["n"]
        assert result.se == pytest.approx(expected["ase"], abs=CLOSED)
        # psych returns the bounds as one-cell data frames: [[value]]
        assert result.feldt_ci_low == pytest.approx(expected["feldt_low"][0][0], abs=CLOSED)
        assert result.feldt_ci_high == pytest.approx(expected["feldt_high"][0][0], abs=CLOSED)
        assert (result.ci_low, result.ci_high) == (result.feldt_ci_low, result.feldt_ci_high)


@pytest.mark.parametrize("case", ["agree_listwise", "agree_pairwise", "support_listwise"])
def test_item_analysis_matches_psych(case, agree, conscientious, sample_items):
    name, rule = case.split("_")
    data = _data(name, agree, conscientious, sample_items)
    expected = REF["alpha"][case]
    table = item_analysis(data, missing=rule).table
    np.testing.assert_allclose(table["item_rest_r"], expected["item_r_drop"], atol=CLOSED)
    np.testing.assert_allclose(table["alpha_if_deleted"], expected["drop_raw_alpha"],
                               atol=CLOSED)
    np.testing.assert_allclose(table["alpha_std_if_deleted"], expected["drop_std_alpha"],
                               atol=CLOSED)
    if rule == "listwise":
        np.testing.assert_allclose(table["item_total_r"], expected["item_raw_r"], atol=CLOSED)
    else:  # psych reports item means and SDs of every answer (na.rm)
        np.testing.assert_allclose(table["mean"], expected["item_mean"], atol=CLOSED)
        np.testing.assert_allclose(table["sd"], expected["item_sd"], atol=CLOSED)


def test_item_flags_and_rules():
    data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3, 2], "b": [2, 2, 3, 5, 4, 3, 1],
                         "c": [1, 3, 3, 4, 5, 2, 2], "d": [5, 4, 3, 1, 1, 3, 5]})
    result = item_analysis(data, response_range=(1, 5))
    flags = result.table.set_index("item")["flags"]
    assert "negative item-rest r" in flags["d"]
    assert "alpha rises without it" in flags["d"]
    assert "negative" not in flags["a"]
    assert result.flagged[-1] == "d"
    assert "Nunnally" in result.rules["item-rest r"]
    assert result.rules["alpha rises without it"].endswith("by .01 or more")
    counts = result.table.set_index("item")
    assert counts.loc["d", "ceiling_pct"] == pytest.approx(2 / 7)
    assert counts.loc["a", "floor_pct"] == pytest.approx(1 / 7)


def test_bootstrap_intervals_match_boot_ci_on_the_same_replicates():
    boot = REF["bootstrap"]
    replicates = np.array(boot["t"])
    low, high = percentile_interval(replicates, 0.95)
    assert (low, high) == pytest.approx(boot["perc"], abs=1e-12)
    low, high = bca_interval(boot["t0"], replicates, np.array(boot["L"]), 0.95)
    assert (low, high) == pytest.approx(boot["bca"], abs=1e-12)


def test_weighted_sums_reproduce_alpha_on_r_resamples(sample_items):
    """The one-matrix-product alphas equal R's alphas on R's own resamples."""
    support = sample_items[[f"Q1_{i}" for i in range(1, 7)]].dropna().to_numpy()
    indices = np.array(REF["bootstrap"]["first_indices"]) - 1  # R counts from 1
    counts = np.stack([np.bincount(row, minlength=support.shape[0]) for row in indices])
    centred = support - support.mean(axis=0)
    total = centred.sum(axis=1)
    columns = np.column_stack([centred, (centred**2).sum(axis=1), total, total**2])
    got = _alphas_from_counts(counts.astype(float), columns, support.shape[1])
    np.testing.assert_allclose(got, REF["bootstrap"]["t"][:5], atol=1e-12)


def test_jackknife_closed_form_equals_leaving_out(sample_items):
    x = sample_items[[f"Q1_{i}" for i in range(1, 7)]].dropna().to_numpy()[:40]
    fast = _jackknife_listwise(x - x.mean(axis=0))
    slow = [alpha(pd.DataFrame(np.delete(x, i, axis=0))).alpha for i in range(len(x))]
    np.testing.assert_allclose(fast, slow, atol=1e-12)


def test_vectorised_bootstrap_equals_a_plain_loop(agree):
    """Each block of at most 250 resamples draws from its own child of the seed;
    a plain loop over those children's streams sees the same resamples."""
    data = agree.dropna().iloc[:300]
    fast = alpha(data, ci="percentile", n_boot=600, seed=11)
    x = data.to_numpy()
    loop = []
    for child, size in zip(np.random.default_rng(11).spawn(3), (250, 250, 100),
                           strict=True):
        for _ in range(size):
            sample = x[child.integers(0, len(x), len(x))]
            cov = np.cov(sample, rowvar=False)
            loop.append(5 / 4 * (1 - np.trace(cov) / cov.sum()))
    np.testing.assert_allclose(fast.replicates, loop, atol=1e-12)


def test_resample_counts_follow_the_generator_stream():
    counts = resample_counts(np.random.default_rng(3), 50, 30)
    rng = np.random.default_rng(3)
    loop = np.array([np.bincount(rng.integers(0, 50, 50), minlength=50) for _ in range(30)])
    np.testing.assert_array_equal(counts, loop)
    assert counts.sum(axis=1).tolist() == [50] * 30


def test_same_seed_same_interval(agree):
    a = alpha(agree, ci="bca", n_boot=500, seed=5)
    b = alpha(agree, ci="bca", n_boot=500, seed=np.random.default_rng(5))
    assert (a.ci_low, a.ci_high) == (b.ci_low, b.ci_high)
    assert a.seed == "5"
    assert a.ci_low < a.alpha < a.ci_high


def test_pairwise_bootstrap_runs(sample_items):
    data = sample_items[[f"Q1_{i}" for i in range(1, 7)]]
    result = alpha(data, missing="pairwise", ci="bca", n_boot=200, seed=2)
    assert result.ci_low < result.alpha < result.ci_high
    assert result.n_boot == 200


def test_negative_alpha_warns_and_names_the_item():
    data = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3], "b": [2, 2, 3, 5, 4, 3],
                         "c": [5, 4, 3, 1, 1, 3], "d": [5, 5, 3, 2, 1, 4]})
    with pytest.warns(PeerevalWarning, match="reverse-keyed") as record:
        result = alpha(data)
    assert result.alpha < 0
    assert "c" in str(record[0].message)
    assert "d" in str(record[0].message)


def test_total_without_variance_warns_once_and_plainly():
    # two items that cancel: the total score is constant, so alpha is undefined
    data = pd.DataFrame({"a": [1, 2, 3, 4], "b": [4, 3, 2, 1]})
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        result = alpha(data)
    assert np.isnan(result.alpha)
    assert np.isnan(result.se)
    assert [w.category for w in record] == [PeerevalWarning]  # no numpy RuntimeWarning
    assert "total score has no variance" in str(record[0].message)


def test_bad_input_is_named():
    data = pd.DataFrame({"a": [1, 2, 3], "b": [2, 2, 2], "c": ["x", "2", "3"]})
    with pytest.raises(PeerevalError, match="'c' is not numeric") as err:
        alpha(data, items=["a", "c"])
    assert err.value.value == "x"
    with pytest.raises(PeerevalError, match="no variance") as err:
        alpha(data, items=["a", "b"])
    assert err.value.column == "b"
    with pytest.raises(PeerevalError, match="no column"):
        alpha(data, items=["a", "z"])
    with pytest.raises(PeerevalError, match="at least 2 items"):
        alpha(data, items=["a"])
    with pytest.raises(PeerevalError, match="at least 3"):
        alpha(pd.DataFrame({"a": [1, 2, None], "b": [1, None, 3]}))
    with pytest.raises(PeerevalError, match="n_boot"):
        alpha(pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 3, 4]}), ci="bca", n_boot=10)


def test_accepts_scores_and_responses():
    study = peereval.load_sample()
    scale = study.instrument.scale("support")
    from_scores = alpha(study.scores, items=list(scale.items))
    from_frame = alpha(study.scores.items[list(scale.items)])
    assert from_scores.alpha == from_frame.alpha
    assert alpha(study.screened, items=["Q1_1", "Q1_2", "Q1_3"]).n_items == 3


def test_result_table_and_sentence(agree):
    result = alpha(agree)
    frame = result.to_frame()
    assert list(frame.columns[:3]) == ["alpha", "alpha_std", "average_r"]
    assert frame.loc[0, "n"] == REF["alpha"]["agree_listwise"]["n"]
    assert result.apa() == "α = .70, 95% CI [.69, .72] (5 items, n = 2709)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert "Cronbach" in repr(result)
        assert "<table" in result._repr_html_()


def test_a_rise_in_alpha_too_small_to_show_is_not_a_flag():
    """An item whose deletion raises alpha by less than .01 is not called weak."""
    import peereval

    scores = peereval.load_sample().scores
    belonging = list(scores.instrument.scale("belonging").items)
    default = item_analysis(scores.items, belonging).table.set_index("item")
    every = item_analysis(scores.items, belonging, min_alpha_gain=0).table.set_index("item")
    full = alpha(scores.items, belonging).alpha
    gain = every.loc["Q3_6", "alpha_if_deleted"] - full
    assert 0 < gain < 0.01                                   # .008 in the sample
    assert "alpha rises without it" in every.loc["Q3_6", "flags"]
    assert "alpha rises without it" not in default.loc["Q3_6", "flags"]
    strict = item_analysis(scores.items, belonging, min_alpha_gain=0.005)
    assert "alpha rises without it" in strict.table.set_index("item").loc["Q3_6", "flags"]
