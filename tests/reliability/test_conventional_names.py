"""The reliability results in the conventional vocabulary (docs/conventions.md).

Old names keep working for one release with a DeprecationWarning that names the new
one and give the same value; new counts (``n``, ``n_dropped``) count what they say;
``methods()`` is built from each result's own settings, so changing a setting changes
the sentence.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import peereval
from helpers import assert_old_name_warns
from peereval.errors import PeerevalWarning
from peereval.reliability import (
    alpha,
    cohen_kappa,
    fleiss_kappa,
    icc,
    item_analysis,
    krippendorff_alpha,
    omega,
    polychoric,
    scale_reliability,
    test_retest,
)

JUDGES = pd.DataFrame({"J1": [9, 6, 8, 7, 10, 6], "J2": [2, 1, 4, 1, 5, 2],
                       "J3": [5, 3, 6, 2, 6, 4], "J4": [8, 2, 8, 6, 9, 7]})
ITEMS = pd.DataFrame({"a": [1, 2, 3, 4, 5, 3, 2, 4], "b": [2, 2, 3, 5, 4, 3, 1, 4],
                      "c": [1, 3, 3, 4, 5, 2, 2, 5], "d": [2, 3, 2, 5, 5, 3, 1, 4]})
GRADES = pd.DataFrame({"a": [3, 3, 2, 1, 3, 2, 2, 3, 1, 3, None],
                       "b": [3, 2, 2, 1, 3, 2, 3, 3, 1, 3, 2]})
CODES = pd.DataFrame({"c1": [1, 2, 3, 3, 2, 1, None], "c2": [1, 2, 3, 3, 2, 2, 1],
                      "c3": [None, 2, 3, 3, 2, 1, None]})


@pytest.fixture(scope="module")
def results() -> dict:
    first = pd.DataFrame({"support": [3.2, 4.0, 2.5, 3.8, 4.4]}, index=list("abcde"))
    second = pd.DataFrame({"support": [3.4, 3.9, 2.9, 3.5, 4.6, 3.0]}, index=list("abcdef"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return {
            "alpha": alpha(ITEMS),
            "items": item_analysis(ITEMS),
            "omega": omega(ITEMS, n_factors=1),
            "polychoric": polychoric(ITEMS),
            "scales": scale_reliability(peereval.load_sample().scores),
            "icc": icc(JUDGES),
            "retest": test_retest(first, second),
            "kappa": cohen_kappa(GRADES, "a", "b"),
            "fleiss": fleiss_kappa(JUDGES.clip(upper=5).iloc[:, :3]),
            "krippendorff": krippendorff_alpha(CODES, metric="ordinal", n_boot=200, seed=2),
        }


ALIASES = [
    ("alpha", "AlphaResult", "level", "ci_level"),
    ("alpha", "AlphaResult", "feldt_low", "feldt_ci_low"),
    ("alpha", "AlphaResult", "feldt_high", "feldt_ci_high"),
    ("alpha", "AlphaResult", "n_obs", "n"),
    ("items", "ItemAnalysis", "n_obs", "n"),
    ("omega", "OmegaResult", "n_obs", "n"),
    ("scales", "ScaleReliability", "level", "ci_level"),
    ("icc", "ICCResult", "level", "ci_level"),
    ("retest", "RetestResult", "level", "ci_level"),
    ("kappa", "KappaResult", "level", "ci_level"),
    ("kappa", "KappaResult", "p", "p_value"),
    ("fleiss", "FleissKappaResult", "level", "ci_level"),
    ("fleiss", "FleissKappaResult", "p", "p_value"),
    ("krippendorff", "KrippendorffAlphaResult", "level", "metric"),
    ("krippendorff", "KrippendorffAlphaResult", "confidence", "ci_level"),
    ("krippendorff", "KrippendorffAlphaResult", "n_units_dropped", "n_dropped"),
]


@pytest.mark.parametrize(("key", "cls", "old", "new"), ALIASES)
def test_old_attribute_warns_and_gives_the_new_value(results, key, cls, old, new):
    assert_old_name_warns(results[key], cls, old, new)


def test_the_parts_of_a_result_warn_too(results):
    form = results["icc"].selected
    with pytest.warns(DeprecationWarning, match=r"^ICCForm\.p is deprecated"):
        assert form.p == form.p_value
    category = results["fleiss"].categories[0]
    with pytest.warns(DeprecationWarning, match=r"^FleissCategory\.p is deprecated"):
        assert category.p == category.p_value


def test_polychoric_n_is_the_rows_used_and_the_old_n_obs_the_smallest_pair():
    data = ITEMS.astype(float)
    data.iloc[0, 0] = data.iloc[1, 1] = np.nan
    data.iloc[2] = np.nan                      # a row with no answer at all
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        result = polychoric(data, missing="pairwise")
    assert (result.n, result.n_dropped, result.n_rows) == (7, 1, 8)
    pairs = result.n_pairwise.to_numpy()
    assert result.n_pairwise_min == pairs[np.triu_indices(4, 1)].min() == 5
    with pytest.warns(DeprecationWarning, match=r"use PolychoricResult\.n_pairwise_min"):
        assert result.n_obs == result.n_pairwise_min


def test_old_keywords_still_work():
    study = peereval.load_sample()
    with pytest.warns(DeprecationWarning, match=r"scale_reliability\(scored=\.\.\.\) is "
                      "deprecated since peereval 0.1: use data="):
        old = scale_reliability(scored=study.scores)
    pd.testing.assert_frame_equal(old.to_frame(), scale_reliability(study.scores).to_frame())
    with pytest.warns(DeprecationWarning, match="level"):
        assert cohen_kappa(GRADES, "a", "b", level=0.9).ci_level == 0.9
    with pytest.warns(DeprecationWarning, match="level"):
        assert krippendorff_alpha(CODES, level="interval", n_boot=0).metric == "interval"


def test_tables_are_properties(results):
    assert list(results["icc"].anova["source"]) == ["between targets", "within targets",
                                                    "between raters", "residual"]
    assert results["kappa"].crosstab.to_numpy().sum() == results["kappa"].n
    coincidences = results["krippendorff"].coincidence_matrix
    assert coincidences.to_numpy().sum() == results["krippendorff"].n_values
    retest = results["retest"]
    assert list(retest.linkage["matched"]) == [5, 5]
    assert set(retest.all_forms["measure"]) == {"support"}


def test_estimate_n_and_n_dropped(results):
    assert results["alpha"].estimate == results["alpha"].alpha
    assert results["icc"].estimate == results["icc"].icc
    assert results["icc"].n == len(JUDGES)
    assert results["icc"].p_value == results["icc"].selected.p_value
    kappa = results["kappa"]
    assert (kappa.estimate, kappa.n, kappa.n_dropped) == (kappa.kappa, 10, 1)
    fleiss = results["fleiss"]
    assert (fleiss.estimate, fleiss.n) == (fleiss.kappa, len(JUDGES))
    kripp = results["krippendorff"]
    assert (kripp.estimate, kripp.n, kripp.n_dropped) == (kripp.alpha, 6, 1)
    retest = results["retest"]
    assert (retest.n, retest.n_dropped) == (5, 1)


def test_item_analysis_and_scale_table_count_rows_dropped():
    data = ITEMS.astype(float)
    data.iloc[0, 0] = np.nan
    data.iloc[1] = np.nan
    listwise = item_analysis(data)
    pairwise = item_analysis(data, missing="pairwise")
    assert (listwise.n, listwise.n_dropped) == (6, 2)
    assert (pairwise.n, pairwise.n_dropped) == (7, 1)
    study = peereval.load_sample()
    table = scale_reliability(study.scores)
    items = study.scores.items
    answered = int(items.notna().any(axis=1).sum())
    assert (table.n, table.n_dropped) == (answered, len(items) - answered)
    assert "n" in table.to_frame().columns
    assert "n_obs" not in table.to_frame().columns


# ------------------------------------------------------------------ methods()


def test_alpha_methods_follow_its_settings():
    feldt = alpha(ITEMS).methods()
    assert "95% Feldt (F-based) interval" in feldt
    assert "listwise deletion, n = 8" in feldt
    boot = alpha(ITEMS, ci="percentile", n_boot=300, seed=5, confidence=0.8).methods()
    assert "80% percentile bootstrap interval (300 resamples, seed 5)" in boot
    pairwise = alpha(ITEMS, missing="pairwise").methods()
    assert "pairwise covariances (pairwise deletion" in pairwise


def test_item_analysis_methods_state_the_rules_used():
    text = item_analysis(ITEMS, min_item_rest=0.2, floor_ceiling=0.25,
                         response_range=(1, 7)).methods()
    assert "below 0.20" in text
    assert "more than 25%" in text
    assert "range 1-7" in text


def test_omega_methods_name_the_model():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        one = omega(ITEMS, n_factors=1).methods()
        three = omega(peereval.load_sample().scores.items, n_factors=3).methods()
    assert "one factor extracted by minimum residual" in one
    assert "3 group factors" in three
    assert "Schmid-Leiman" in three
    assert "(n = 111, 27 dropped)" in three


def test_scale_table_methods_follow_its_settings():
    scores = peereval.load_sample().scores
    plain = scale_reliability(scores, with_omega=False).methods()
    assert "omega" not in plain
    assert "95% Feldt" in plain
    boot = scale_reliability(scores, ci="bca", n_boot=200, seed=4, confidence=0.9,
                             missing="pairwise").methods()
    assert "90% bias-corrected and accelerated (BCa) bootstrap interval (200 resamples" in boot
    assert "pairwise deletion within each scale" in boot


def test_agreement_methods_follow_their_settings(results):
    assert "ICC(C,k) (two-way mixed effects, consistency, mean of 4 raters" in icc(
        JUDGES, form="C,k", confidence=0.9).methods()
    assert "one-way ANOVA" in results["icc"].methods("ICC(1)")
    assert "90% normal interval" in cohen_kappa(GRADES, "a", "b", confidence=0.9,
                                                weights="linear").methods()
    assert "linear weights over 3 categories" in cohen_kappa(GRADES, "a", "b",
                                                             weights="linear").methods()
    assert "unweighted" in results["kappa"].methods()
    assert "Fleiss' kappa (Fleiss 1971)" in results["fleiss"].methods()
    kripp = results["krippendorff"].methods()
    assert "ordinal data" in kripp
    assert "(200 resamples, seed 2)" in kripp
    assert "1 unit with fewer than two values was left out" in kripp
    retest = results["retest"].methods()
    assert "5 respondents were linked" in retest
    assert "1 who could not be linked" in retest


def test_polychoric_methods_follow_its_settings():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        pooled = polychoric(ITEMS).methods()
        own = polychoric(ITEMS, global_thresholds=False, correct=0.5,
                         missing="listwise").methods()
        serial = peereval.reliability.polyserial(ITEMS, ["d"], ["a", "b"]).methods()
    assert "each item's thresholds from all its answers" in pooled
    assert "pairwise deletion (n = 8)" in pooled
    assert "each pair's thresholds and correlation from its own table" in own
    assert "listwise deletion" in own
    assert serial.startswith("Polyserial correlations of 2 ordinal items with 1 "
                             "continuous variable")
