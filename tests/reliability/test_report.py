"""scale_reliability: one table for every scale of an instrument."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import peereval
from peereval.errors import PeerevalError, PeerevalWarning
from peereval.instrument import Instrument
from peereval.reliability import alpha, omega, scale_reliability, split_half


@pytest.fixture(scope="module")
def study():
    return peereval.load_sample()


def test_rows_equal_the_single_analyses(study):
    table = scale_reliability(study.scores).to_frame().set_index("scale")
    assert list(table.index) == ["support", "adjustment", "belonging"]
    for scale in study.instrument.scales:
        items = list(scale.items)
        row = table.loc[scale.name]
        a = alpha(study.scores.items, items)
        assert row["alpha"] == a.alpha
        assert (row["alpha_ci_low"], row["alpha_ci_high"]) == (a.feldt_ci_low, a.feldt_ci_high)
        assert row["n"] == a.n
        assert row["n_dropped"] == len(study.scores.items) - a.n
        assert row["omega_total"] == omega(study.scores.items, items, n_factors=1).omega_total
        assert row["split_half_sb"] == split_half(study.scores.items, items).odd_even_sb
        assert row["label"] == scale.title


def test_floor_ceiling_and_flags(study):
    table = scale_reliability(study.scores).to_frame().set_index("scale")
    support = study.scores.scales["support"].dropna()
    assert table.loc["support", "ceiling_pct"] == pytest.approx((support == 5).mean())
    assert table.loc["support", "floor_pct"] == pytest.approx((support == 1).mean())
    # the sample's reverse-keyed belonging item has the weakest loading (.57), but its
    # item-rest r is above .30 and alpha rises by only .008 without it: not weak
    assert "Q3_6" not in table.loc["belonging", "flagged_items"]
    for name, detail in scale_reliability(study.scores).details.items():
        assert table.loc[name, "flagged_items"] == ", ".join(detail.items.flagged_weak)
    assert table["alpha_at_least_70"].all()


def test_bootstrap_table_is_reproducible(study):
    a = scale_reliability(study.scores, ci="bca", n_boot=500, seed=3).to_frame()
    b = scale_reliability(study.scores, ci="bca", n_boot=500, seed=3).to_frame()
    pd.testing.assert_frame_equal(a, b)
    assert (a["alpha_ci_low"] < a["alpha"]).all()
    assert (a["alpha"] < a["alpha_ci_high"]).all()


def test_sentence_names_every_scale(study):
    sentence = scale_reliability(study.scores).apa()
    for scale in study.instrument.scales:
        assert scale.title in sentence
    assert sentence.count("α = ") == 3


def test_dataframe_with_instrument_and_single_item_scales():
    rng = np.random.default_rng(0)
    common = rng.normal(size=(50, 1))
    items = pd.DataFrame(np.clip(np.round(3 + common + rng.normal(size=(50, 4))), 1, 5),
                         columns=["a", "b", "c", "d"])
    inst = Instrument.from_dict({"scales": {"two": {"items": ["a", "b", "c"]},
                                            "one": {"items": ["d"]}}})
    with pytest.warns(PeerevalWarning, match="one item"):
        result = scale_reliability(items, inst)
    assert list(result.to_frame()["scale"]) == ["two"]
    with pytest.raises(PeerevalError, match="no instrument"):
        scale_reliability(items)


def test_ordinal_columns(study):
    table = scale_reliability(study.scores, ordinal=True).to_frame().set_index("scale")
    support = list(study.instrument.scale("support").items)
    expected = omega(study.scores.items[support].dropna(), n_factors=1, polychoric=True)
    assert table.loc["support", "ordinal_omega"] == pytest.approx(expected.omega_total)
    assert table.loc["support", "ordinal_alpha"] == pytest.approx(expected.alpha)
    assert (table["ordinal_alpha"] > table["alpha"] - 0.05).all()
