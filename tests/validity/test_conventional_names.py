"""The validity results in the conventional vocabulary (docs/conventions.md).

Old names keep working for one release with a DeprecationWarning that names the new
one and give the same value; methods() is built from each result's own settings.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from helpers import assert_old_name_warns
from peereval.errors import PeerevalWarning
from peereval.validity import (
    ContentValidityRules,
    cfa,
    content_validity,
    discriminant_validity,
    efa,
    factor_retention,
    factorability,
    invariance,
    map_test,
    parallel_analysis,
)
from reference_data import reference_csv

HS3 = ("visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\n"
       "speed =~ x7 + x8 + x9")


@pytest.fixture(scope="module")
def hs() -> pd.DataFrame:
    return reference_csv("hs1939")


@pytest.fixture(scope="module")
def results(hs, sample18) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        fit = cfa(hs, HS3)
        return {
            "cfa": fit,
            "discriminant": discriminant_validity(fit),
            "invariance": invariance(hs, HS3, "school", levels=("configural", "metric")),
            "efa": efa(sample18, n_factors=3),
            "factorability": factorability(sample18),
            "parallel": parallel_analysis(sample18, n_iter=20, seed=1),
            "map": map_test(sample18),
            "content": content_validity(_ratings()),
        }


def _ratings() -> pd.DataFrame:
    rows = ["444444", "434434", "444444", "444444", "344444", "214113"]
    return pd.DataFrame([[int(c) for c in r] for r in rows],
                        index=[f"item{i}" for i in range(1, 7)],
                        columns=[f"e{j}" for j in range(1, 7)])


ALIASES = [
    ("cfa", "CFAResult", "pvalue", "p_value"),
    ("cfa", "CFAResult", "baseline_pvalue", "baseline_p_value"),
    ("cfa", "CFAResult", "rmsea_ci_lower", "rmsea_ci_low"),
    ("cfa", "CFAResult", "rmsea_ci_upper", "rmsea_ci_high"),
    ("cfa", "CFAResult", "rmsea_pvalue", "rmsea_p_value"),
    ("cfa", "CFAResult", "n_obs", "n"),
    ("discriminant", "DiscriminantValidity", "n_obs", "n"),
    ("invariance", "InvarianceResult", "n_obs", "n"),
    ("efa", "EFAResult", "n_obs", "n"),
    ("factorability", "Factorability", "n_obs", "n"),
    ("factorability", "Factorability", "p", "p_value"),
    ("parallel", "ParallelAnalysis", "n_obs", "n"),
    ("map", "MAPResult", "n_obs", "n"),
    ("content", "ContentValidity", "dropped", "eliminated"),
]


@pytest.mark.parametrize(("key", "cls", "old", "new"), ALIASES)
def test_old_attribute_warns_and_gives_the_new_value(results, key, cls, old, new):
    assert_old_name_warns(results[key], cls, old, new)


def test_old_methods_warn_and_give_what_they_gave(results):
    fit = results["cfa"]
    with pytest.warns(DeprecationWarning, match=r"^CFAResult\.fit_frame is deprecated "
                      r"since peereval 0.1: use CFAResult\.fit_indices$"):
        frame = fit.fit_frame()
    # the old table, under its old column names
    assert {"pvalue", "rmsea_ci_lower", "rmsea_ci_upper", "rmsea_pvalue", "n_obs"} <= set(
        frame.columns)
    pd.testing.assert_frame_equal(
        frame.rename(columns={"pvalue": "p_value", "rmsea_ci_lower": "rmsea_ci_low",
                              "rmsea_ci_upper": "rmsea_ci_high",
                              "rmsea_pvalue": "rmsea_p_value", "n_obs": "n"}),
        fit.fit_indices)
    with pytest.warns(DeprecationWarning, match=r"^CFAResult\.fit_verdict is deprecated "
                      r"since peereval 0.1: use CFAResult\.apa\(verdict=True\)$"):
        verdict = fit.fit_verdict
    assert fit.apa(verdict=True) == fit.apa() + ". " + verdict
    type_ = type(fit)
    assert type_.fit_verdict.fget.__deprecated__.startswith("CFAResult.fit_verdict")
    assert type_.fit_frame.__deprecated__.startswith("CFAResult.fit_frame")
    mapped = results["map"]
    with pytest.warns(DeprecationWarning, match=r"^MAPResult\.rule_text is deprecated "
                      r"since peereval 0.1: use MAPResult\.methods\(\)$"):
        rule = mapped.rule_text
    assert rule in mapped.apa()
    assert "Velicer's original rule" in mapped.methods()


def test_fit_indices_and_hu_bentler_are_properties(results):
    fit = results["cfa"]
    row = fit.fit_indices.iloc[0]
    assert row["p_value"] == fit.p_value
    assert (row["rmsea_ci_low"], row["rmsea_ci_high"]) == (fit.rmsea_ci_low,
                                                           fit.rmsea_ci_high)
    assert row["n"] == fit.n
    assert list(fit.hu_bentler["index"]) == ["CFI", "TLI", "RMSEA", "SRMR"]


def test_invariance_table_columns(results):
    columns = results["invariance"].to_frame().columns
    assert {"p_value", "rmsea_ci_low", "rmsea_ci_high", "delta_p_value"} <= set(columns)
    assert not {"pvalue", "rmsea_ci_lower", "rmsea_ci_upper", "delta_pvalue"} & set(columns)


# ------------------------------------------------------------------ old arguments


def test_efa_old_positional_order_still_works(sample18):
    new = efa(sample18, n_factors=2)
    items = list(sample18.columns[:9])
    message = (r"^efa\(data, n_factors, items\) is deprecated since peereval 0.1: use "
               r"efa\(data, items, n_factors=\.\.\.\)$")
    with pytest.warns(DeprecationWarning, match=message):
        old = efa(sample18, 2)
    pd.testing.assert_frame_equal(old.loadings, new.loadings)
    with pytest.warns(DeprecationWarning, match=message):
        old_items = efa(sample18, 2, items)
    pd.testing.assert_frame_equal(old_items.loadings, efa(sample18, items, n_factors=2).loadings)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        efa(sample18, items, n_factors=2)
    with pytest.raises(TypeError):
        efa(sample18, items)


def test_discriminant_and_content_old_first_arguments(results):
    fit = results["cfa"]
    with pytest.warns(DeprecationWarning, match=r"discriminant_validity\(fit=\.\.\.\) is "
                      "deprecated since peereval 0.1: use data="):
        old = discriminant_validity(fit=fit)
    pd.testing.assert_frame_equal(old.factors, results["discriminant"].factors)
    with pytest.warns(DeprecationWarning, match=r"content_validity\(ratings=\.\.\.\) is "
                      "deprecated since peereval 0.1: use data="):
        old = content_validity(ratings=_ratings())
    pd.testing.assert_frame_equal(old.items, results["content"].items)


# ------------------------------------------------------------------ n and n_dropped


def test_counts(results, sample18, hs):
    assert results["cfa"].n == len(hs)
    assert results["discriminant"].n == results["cfa"].n
    assert results["discriminant"].n_dropped == results["cfa"].n_dropped == 0
    assert results["map"].n == len(sample18)
    assert results["map"].n_dropped == 0
    content = results["content"]
    assert content.n == content.n_experts == 6
    assert content.n_dropped == 0
    assert content.eliminated == ["item6"]


def test_map_and_retention_count_rows_dropped(sample18):
    data = sample18.copy()
    data.iloc[:3, 0] = np.nan
    assert map_test(data).n_dropped == 3
    retention = factor_retention(data, n_iter=10, seed=1)
    assert (retention.n, retention.n_dropped) == (len(data) - 3, 3)


def test_an_expert_without_any_rating_is_counted_as_dropped():
    ratings = _ratings().astype(float)
    ratings["e7"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        result = content_validity(ratings)
    assert (result.n, result.n_dropped) == (7, 1)
    assert "7 experts, 1 of whom gave no valid rating" in result.methods()


# ------------------------------------------------------------------ methods()


def test_cfa_methods_follow_the_settings(hs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        marker = cfa(hs, HS3).methods()
        unit = cfa(hs, HS3, std_lv=True).methods()
        grouped = cfa(hs, HS3, group="school").methods()
    assert "first item at 1" in marker
    assert "factor variances fixed at 1" in unit
    assert "9 items on 3 factors" in marker
    assert "n = 301; 0 rows dropped" in marker
    assert "in 2 groups (Pasteur: n = 156, Grant-White: n = 145)" in grouped
    assert "in 2 groups" not in marker


def test_efa_methods_follow_the_settings(sample18):
    default = efa(sample18, n_factors=3).methods()
    other = efa(sample18, n_factors=2, method="pa", rotation="varimax",
                missing="pairwise").methods()
    assert "A 3-factor solution" in default
    assert "minimum residual" in default
    assert "oblimin (oblique)" in default
    assert "listwise deletion" in default
    assert "A 2-factor solution" in other
    assert "principal axis" in other
    assert "varimax (orthogonal)" in other
    assert "pairwise deletion" in other


def test_parallel_analysis_methods_follow_the_settings(sample18):
    default = parallel_analysis(sample18, n_iter=20, seed=3).methods()
    other = parallel_analysis(sample18, n_iter=30, quantile=0.99,
                              factor_method="minres").methods()
    assert "95th quantile" in default
    assert "20 simulated" in default
    assert "seed 3" in default
    assert "squared multiple correlations" in default
    assert "99th quantile" in other
    assert "30 simulated" in other
    assert "no seed, so not reproducible" in other
    assert "one-factor minimum residual communalities" in other


def test_map_and_retention_methods_follow_the_rule(sample18):
    assert "minimum over 1 or more" in map_test(sample18, rule="psych").methods()
    assert "minimum over 0 or more" in map_test(sample18).methods()
    retention = factor_retention(sample18, n_iter=10, seed=5, map_rule="psych")
    assert "seed 5" in retention.methods()
    assert "minimum over 1 or more" in retention.methods()


def test_factorability_methods_follow_the_settings(sample18):
    assert "listwise deletion" in factorability(sample18).methods()
    assert "pairwise deletion" in factorability(sample18, missing="pairwise").methods()
    assert "polychoric" in factorability(sample18, polychoric=True).methods()


def test_discriminant_and_invariance_methods(results, hs):
    assert "Pearson item correlations" in results["discriminant"].methods()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        absolute = discriminant_validity(hs, HS3, absolute=True)
    assert "absolute Pearson item correlations" in absolute.methods()
    text = results["invariance"].methods()
    assert "across school" in text
    assert "(configural, metric)" in text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        configural = invariance(hs, HS3, "school", levels=("configural",))
    assert "(configural)" in configural.methods()
    assert "Chen 2007" not in configural.methods()


def test_content_methods_follow_the_rules():
    default = content_validity(_ratings()).methods()
    lynn = content_validity(_ratings(), rules=ContentValidityRules(icvi_threshold="lynn"))
    assert "A panel of 6 experts rated 6 items for relevance (on a 4-point scale)" in default
    assert default != lynn.methods()
    assert "Lynn 1986" in lynn.methods()
