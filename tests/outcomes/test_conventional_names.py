"""The outcomes comparisons in the conventional vocabulary (docs/conventions.md).

Old names keep working for one release with a DeprecationWarning that names the new
one and give the same value; the tables that became properties answer to their old
method call with a warning where the name changed; ``methods()`` is built from each
result's own settings, so changing a setting changes the sentence.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import peereval
from helpers import assert_old_name_warns
from peereval.errors import PeerevalWarning
from peereval.outcomes import (
    adjust_p,
    ancova,
    compare,
    compare_binary,
    compare_many,
    describe,
    diff_in_diff,
    mixed_model,
    pre_post,
)


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    return peereval.load_sample().records.data


@pytest.fixture(scope="module")
def results(records) -> dict:
    mentored = records[records["mentored"] == "yes"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        return {
            "compare": compare(records, "gpa_year1", "mentored"),
            "binary": compare_binary(records, "passed", "mentored", covariates=["gpa_entry"]),
            "many": compare_many(records, ["gpa_year1", "passed"], "mentored"),
            "describe": describe(records, "mentored", ["gpa_entry", "sex"]),
            "ancova": ancova(records, "gpa_year1", "mentored", ["gpa_entry"]),
            "prepost": pre_post(mentored, "gpa_entry", "gpa_year1"),
            "did": diff_in_diff(records, group="mentored", before="gpa_entry",
                                after="gpa_year1"),
            "mixed": mixed_model(records, "gpa_year1", "mentored", "mentor_group",
                                 ["gpa_entry"]),
        }


ALIASES = [
    ("compare", "Comparison", "level", "ci_level"),
    ("compare", "Comparison", "levene_p", "levene_p_value"),
    ("compare", "Comparison", "shapiro_p_treated", "shapiro_treated_p_value"),
    ("compare", "Comparison", "shapiro_p_control", "shapiro_control_p_value"),
    ("binary", "BinaryComparison", "level", "ci_level"),
    ("binary", "BinaryComparison", "adjusted_or_low", "adjusted_or_ci_low"),
    ("binary", "BinaryComparison", "adjusted_or_high", "adjusted_or_ci_high"),
    ("binary", "BinaryComparison", "adjusted_p", "adjusted_or_p_value"),
    ("binary", "BinaryComparison", "chisq_p", "chisq_p_value"),
    ("binary", "BinaryComparison", "chisq_yates_p", "chisq_yates_p_value"),
    ("binary", "BinaryComparison", "fisher_p", "fisher_p_value"),
    ("binary", "BinaryComparison", "or_conditional_low", "or_conditional_ci_low"),
    ("binary", "BinaryComparison", "rd_newcombe_high", "rd_newcombe_ci_high"),
    ("binary", "BinaryComparison", "rd_wald_low", "rd_wald_ci_low"),
    ("binary", "BinaryComparison", "risk_treated_low", "risk_treated_ci_low"),
    ("binary", "BinaryComparison", "risk_control_high", "risk_control_ci_high"),
    ("many", "ManyComparisons", "level", "ci_level"),
    ("ancova", "AncovaResult", "level", "ci_level"),
    ("ancova", "AncovaResult", "p", "f_p_value"),
    ("ancova", "AncovaResult", "p_difference", "p_value"),
    ("ancova", "AncovaResult", "robust_p", "robust_p_value"),
    ("prepost", "PrePostResult", "level", "ci_level"),
    ("prepost", "PrePostResult", "p", "p_value"),
    ("prepost", "PrePostResult", "wilcoxon_p", "wilcoxon_p_value"),
    ("did", "DiffInDiffResult", "level", "ci_level"),
    ("did", "DiffInDiffResult", "p", "p_value"),
    ("mixed", "MixedModelResult", "level", "ci_level"),
    ("mixed", "MixedModelResult", "p", "p_value"),
]


@pytest.mark.parametrize(("key", "cls", "old", "new"), ALIASES)
def test_old_attribute_warns_and_gives_the_new_value(results, key, cls, old, new):
    assert_old_name_warns(results[key], cls, old, new)


def test_the_effect_sizes_and_checks_warn_too(results):
    effect = results["compare"].effect("hedges_g")
    with pytest.warns(DeprecationWarning, match=r"^Effect\.level is deprecated"):
        assert effect.level == effect.ci_level == 0.95
    check = results["ancova"].checks[0]
    with pytest.warns(DeprecationWarning, match=r"^AssumptionCheck\.p is deprecated"):
        assert check.p == check.p_value


@pytest.mark.parametrize(("key", "cls", "old", "new"), [
    ("compare", "Comparison", "groups", "descriptives"),
    ("compare", "Comparison", "summary", "summary_row"),
    ("binary", "BinaryComparison", "table", "crosstab"),
    ("binary", "BinaryComparison", "summary", "summary_row"),
    ("ancova", "AncovaResult", "checks_frame", "assumptions"),
])
def test_old_table_methods_warn_and_give_the_property(results, key, cls, old, new):
    result = results[key]
    with pytest.warns(DeprecationWarning, match=rf"^{cls}\.{old}\(\) is deprecated since "
                      rf"peereval 0\.1: use {cls}\.{new}$"):
        frame = getattr(result, old)()
    pd.testing.assert_frame_equal(frame, getattr(result, new))


def test_tables_are_properties(results):
    assert list(results["compare"].assumptions["check"]) == ["normality", "normality",
                                                            "equal variances"]
    assert list(results["compare"].descriptives["role"]) == ["treated", "control"]
    assert results["binary"].crosstab["total"].sum() == results["binary"].n
    assert list(results["binary"].tests["test"]) == ["chisq", "yates", "fisher"]
    assert list(results["prepost"].descriptives["time"]) == ["before", "after"]
    assert "residual" in set(results["mixed"].variance_components["component"])
    clustering = results["mixed"].clustering.set_index("quantity")["value"]
    assert clustering["clusters"] == results["mixed"].n_clusters


def test_old_keywords_and_positions_still_work(records):
    with pytest.warns(DeprecationWarning, match=r"compare\(level=\.\.\.\) is deprecated"):
        old = compare(records, "gpa_year1", "mentored", level=0.9)
    assert old.ci_level == 0.9
    assert old == compare(records, "gpa_year1", "mentored", confidence=0.9)
    with pytest.warns(DeprecationWarning, match="method"):
        positional = adjust_p([0.01, 0.04, 0.03], "bh")
    np.testing.assert_array_equal(positional, adjust_p([0.01, 0.04, 0.03], method="bh"))


def test_counts(results, records):
    compared = results["compare"]
    assert compared.n == compared.n_treated + compared.n_control == len(records)
    binary = results["binary"]
    assert binary.n == binary.a + binary.b + binary.c + binary.d
    many = results["many"]
    assert (many.n, many.n_dropped) == (len(records), 0)
    assert results["describe"].n == len(records)
    ancova_fit = results["ancova"]
    assert ancova_fit.estimate == ancova_fit.difference
    assert ancova_fit.n_dropped == sum(ancova_fit.dropped.values()) == 0
    assert results["prepost"].estimate == results["prepost"].mean_change
    assert results["did"].n == results["did"].n_units == len(records)
    assert results["mixed"].estimate == results["mixed"].effect


def test_rows_left_out_are_counted(records):
    data = records.copy()
    data.loc[data.index[:4], "gpa_year1"] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        fit = ancova(data, "gpa_year1", "mentored", ["gpa_entry"])
        change = pre_post(data, "gpa_entry", "gpa_year1")
        many = compare_many(data, ["gpa_year1"], "mentored")
    assert fit.n_dropped == 4
    assert "4 students were left out" in fit.methods()
    assert change.n_dropped == 4
    assert (many.n, many.n_dropped) == (len(data) - 4, 4)


def test_to_frame_columns_use_the_vocabulary(results):
    assert "ci_level" in results["compare"].to_frame().columns
    assert "ci_level" in results["binary"].to_frame().columns
    assert "ci_level" in results["many"].to_frame().columns
    assert "category" in results["describe"].to_frame().columns
    for key in ("ancova", "prepost", "did", "mixed"):
        columns = set(results[key].to_frame().columns)
        assert "p_value" in columns, key
        assert not {"p", "level"} & columns, key


# ------------------------------------------------------------------ methods()


def test_compare_methods_follow_the_test(records):
    welch = compare(records, "gpa_year1", "mentored").methods()
    assert "Welch's t-test" in welch
    assert "JZS Bayes factor" in welch
    student = compare(records, "gpa_year1", "mentored", test="student",
                      confidence=0.9).methods()
    assert "Student's t-test" in student
    assert "90% Student's t interval" in student
    ranks = compare(records, "gpa_year1", "mentored", test="mann_whitney").methods()
    assert "Wilcoxon-Mann-Whitney" in ranks
    assert "rank-biserial r" in ranks
    assert "Bayes factor" not in ranks


def test_binary_and_many_methods_follow_the_test(records, results):
    fisher = compare_binary(records, "passed", "mentored", test="fisher").methods()
    assert "Fisher's exact test" in fisher
    assert "logistic regression" in results["binary"].methods()
    bh = compare_many(records, ["gpa_year1", "exam_score"], "mentored", adjust="bh")
    assert "the Benjamini-Hochberg adjustment" in bh.methods()
    assert "the continuous ones by" in bh.methods()
    none = compare_many(records, ["gpa_year1"], "mentored", adjust="none").methods()
    assert "not adjusted for multiplicity" in none


def test_model_methods_follow_their_settings(records, results):
    default = results["ancova"].methods()
    assert "(HC3) standard errors" in default
    assert "type II sums of squares" in default
    classical = ancova(records, "gpa_year1", "mentored", ["gpa_entry"], robust=None).methods()
    assert "classical standard errors;" in classical
    robust = ancova(records, "gpa_year1", "mentored", ["gpa_entry"], robust="HC1",
                    type=3).methods()
    assert "(HC1) standard errors" in robust
    assert "type III" in robust
    assert "Wilcoxon signed-rank test" in results["prepost"].methods()
    assert "parallel trends" in results["did"].methods()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        ml = mixed_model(records, "gpa_year1", "mentored", "mentor_group", reml=False)
    assert "maximum likelihood" in ml.methods()
    assert "REML" in results["mixed"].methods()
    assert "1 continuous variable" in results["describe"].methods()
