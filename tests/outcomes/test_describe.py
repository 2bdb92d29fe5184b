"""describe() (Table 1) and the standardised differences, against R.

Reference values (tests/reference/outcomes_compare.json, section "describe", from
outcomes_compare.R): group n, mean, SD, median and type-7 quartiles by R; counts and
percentages by table(); the SMDs written in R from the formulas, independently of the
Python code: Austin (2009) for continuous and binary variables and Yang & Dalton
(2012) for categorical ones (solve() on the averaged covariance of the category
indicators, first category left out). The multi-level cases are mtcars' cyl, gear and
carb by am (carb has categories absent from one group) and a hand-made 3-level table,
also with its categories reordered. Tolerance 1e-9 relative (closed forms).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import peereval
from peereval import _effects
from peereval.errors import PeerevalError
from peereval.outcomes import Describe, describe
from reference_data import reference, reference_csv

CLOSED = {"rtol": 1e-9, "atol": 1e-12}
REF = reference("outcomes_compare")["describe"]
SAMPLE = reference_csv("outcomes_sample")
CARS = reference_csv("outcomes_mtcars")


def close(actual, expected) -> None:
    np.testing.assert_allclose(actual, expected, **CLOSED)


def rows(table: Describe, variable: str) -> pd.DataFrame:
    frame = table.to_frame()
    return frame[frame["variable"] == variable].reset_index(drop=True)


def check_continuous(table: Describe, variable: str, ref: dict) -> None:
    row = rows(table, variable).iloc[0]
    assert row["kind"] == "continuous"
    assert row["category"] is None
    assert (row["n_treated"], row["n_control"]) == (ref["n1"], ref["n2"])
    close([row[f"{s}_{g}"] for g in ("treated", "control")
           for s in ("mean", "sd", "median", "q1", "q3")],
          [ref[k] for k in ("mean1", "sd1", "median1", "q1_1", "q3_1",
                            "mean2", "sd2", "median2", "q1_2", "q3_2")])
    close(row["smd"], ref["smd"])


def check_categorical(table: Describe, variable: str, ref: dict) -> None:
    block = rows(table, variable)
    head, levels = block.iloc[0], block.iloc[1:]
    assert head["category"] is None
    assert (levels["kind"] == "categorical").all()
    assert [str(int(v)) if isinstance(v, float) else str(v) for v in levels["category"]] == \
        [str(v) for v in ref["levels"]]
    close(levels["count_treated"].to_numpy(float), ref["count1"])
    close(levels["count_control"].to_numpy(float), ref["count2"])
    close(levels["pct_treated"].to_numpy(float), ref["pct1"])
    close(levels["pct_control"].to_numpy(float), ref["pct2"])
    close(levels["smd"].to_numpy(float), ref["smd_levels"])
    close(head["smd"], ref["smd"])


def test_sample_study_table_matches_r():
    table = describe(SAMPLE, "mentored", ["gpa_entry", "age", "sessions_attended", "sex",
                                          "passed"])
    for name in ("gpa_entry", "age", "sessions_attended"):
        check_continuous(table, name, REF["sample"][name])
    for name in ("sex", "passed"):
        check_categorical(table, name, REF["sample"][name])
    assert table.categorical == ("sex", "passed")
    assert (table.n_treated, table.n_control) == (163, 137)


def test_mtcars_multilevel_categorical_smd_matches_yang_dalton_in_r():
    table = describe(CARS, "am", ["mpg", "wt", "cyl", "gear", "carb", "vs"], treated=1,
                     categorical=["cyl", "gear", "carb"])
    for name in ("mpg", "wt"):
        check_continuous(table, name, REF["mtcars"][name])
    for name in ("cyl", "gear", "carb", "vs"):
        check_categorical(table, name, REF["mtcars"][name])


def test_yang_dalton_hand_example_and_invariance():
    hand = REF["hand"]
    value = _effects.smd_categorical(np.array(hand["counts1"]), np.array(hand["counts2"]))
    close(value, hand["smd"])
    close(hand["smd_reordered"], hand["smd"])
    reordered = _effects.smd_categorical(np.array(hand["counts1"])[[2, 0, 1]],
                                         np.array(hand["counts2"])[[2, 0, 1]])
    close(reordered, value)
    # it is not the mean nor the largest per-level SMD
    p1 = np.array(hand["counts1"]) / 100
    p2 = np.array(hand["counts2"]) / 100
    levels = [abs(_effects.smd_binary(a, b)) for a, b in zip(p1, p2, strict=True)]
    assert value not in (pytest.approx(np.mean(levels)), pytest.approx(max(levels)))


def test_binary_smd_is_the_absolute_categorical_smd():
    for p1, p2 in ((0.3, 0.5), (0.9, 0.6), (0.5, 0.5)):
        counts1, counts2 = np.array([1 - p1, p1]) * 200, np.array([1 - p2, p2]) * 150
        close(_effects.smd_categorical(counts1, counts2), abs(_effects.smd_binary(p1, p2)))


def test_degenerate_smds():
    assert _effects.smd_binary(0.0, 0.0) == 0.0
    assert _effects.smd_binary(1.0, 0.0) == math.inf
    assert _effects.smd_categorical(np.array([5, 0]), np.array([0, 7])) == math.inf
    assert _effects.smd_categorical(np.array([5, 0]), np.array([6, 0])) == 0.0
    assert _effects.smd_continuous(np.array([1.0, 1.0]), np.array([2.0, 2.0])) == -math.inf
    assert math.isnan(_effects.smd_continuous(np.array([1.0]), np.array([2.0, 3.0])))
    # the Austin denominator averages variances; Cohen's d weights them by df
    x, y = np.array([1.0, 2, 3, 4, 9]), np.array([0.0, 1, 2])
    austin = (x.mean() - y.mean()) / math.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2)
    close(_effects.smd_continuous(x, y), austin)
    assert _effects.cohens_d(x, y).estimate != pytest.approx(austin)


def test_missing_values_are_counted_per_variable_and_group():
    data = SAMPLE.copy()
    data.loc[data.index[:4], "gpa_entry"] = np.nan  # first rows: all treated
    data.loc[data.index[-3:], "sex"] = None
    treated_last = (data["mentored"].iloc[-3:] == "yes").sum()
    table = describe(data, "mentored", ["gpa_entry", "sex"])
    gpa = rows(table, "gpa_entry").iloc[0]
    assert gpa["missing_treated"] == (data["mentored"].iloc[:4] == "yes").sum()
    assert gpa["n_treated"] + gpa["missing_treated"] == 163
    sex = rows(table, "sex").iloc[0]
    assert sex["missing_treated"] == treated_last
    assert sex["missing_control"] == 3 - treated_last
    printed = table.table()
    assert (printed["variable"] == "    missing").sum() == 2
    # the categorical variable's missing row comes after its levels
    labels = printed["variable"].tolist()
    assert labels.index("    M") < len(labels) - 1
    assert labels[-1] == "    missing"
    # nothing dropped listwise: the other variable keeps its rows
    assert rows(table, "sex").iloc[0]["n_treated"] + sex["missing_treated"] == 163


def test_default_variables_types_and_all_missing_group():
    table = describe(peereval.load_sample().records, "mentored")
    assert table.variables == ("sex", "age", "gpa_entry", "mentor_group",
                               "sessions_attended", "gpa_year1", "exam_score", "passed")
    assert table.categorical == ("sex", "mentor_group", "passed")
    group = rows(table, "mentor_group")
    assert group.iloc[0]["n_control"] == 0
    assert group.iloc[0]["missing_control"] == 137
    assert math.isnan(group.iloc[0]["smd"])
    assert "0 (—)" in table.table().to_string()
    assert table.apa().startswith("Largest standardised difference: sessions_attended")
    assert "Table 1" in repr(table)


def test_nonnormal_shows_median_and_quartiles():
    table = describe(SAMPLE, "mentored", ["sessions_attended"], nonnormal=["sessions_attended"])
    line = table.table().iloc[0]
    assert line["variable"] == "sessions_attended, median [Q1, Q3]"
    ref = REF["sample"]["sessions_attended"]
    assert line["mentored = yes (n = 163)"] == (f"{ref['median1']:.2f} [{ref['q1_1']:.2f}, "
                                                f"{ref['q3_1']:.2f}]")


def test_small_cell_suppression():
    table = describe(SAMPLE, "mentored", ["mentor_group", "gpa_entry"], min_cell=10)
    group = rows(table, "mentor_group").iloc[1:]
    small = group[group["count_treated"].isna()]
    # M03, M08, M09, M12 have 9, 9, 8 and 9 mentees: hidden, with their percentages
    assert sorted(small["category"]) == ["M03", "M08", "M09", "M12"]
    assert small["pct_treated"].isna().all()
    assert small["suppressed"].all()
    assert (group["count_treated"].dropna() >= 10).all()
    printed = table.table().to_string()
    assert "<10" in printed
    assert " 9 (" not in printed
    # a variable with a single small cell: a second cell is hidden so that it cannot
    # be recovered from the group total
    rare = SAMPLE.index[SAMPLE["mentored"] == "yes"][:3]
    data = SAMPLE.assign(flag=np.where(SAMPLE.index.isin(rare), "rare", "common"))
    table = describe(data, "mentored", ["flag"], min_cell=10)
    flag = rows(table, "flag").iloc[1:].set_index("category")
    assert flag["count_treated"].isna().all()  # 3 (primary) and 160 (secondary)
    assert flag["count_control"].tolist() == [137, 0]  # zeros are not suppressed
    # the SMD, with the other group's proportion, would give the hidden one back
    assert describe(data, "mentored", ["flag"]).frame["smd"].notna().all()
    assert rows(table, "flag")["smd"].isna().all()
    assert (table.table()["SMD"] == "").all()


def test_a_hidden_missing_count_cannot_be_worked_out_from_the_levels():
    # 4 of the mentored have no sex recorded: the levels' counts add up to n - 4 and
    # each percentage (of those recorded) gives n - 4 too, so both must go
    data = SAMPLE.copy()
    data.loc[data.index[data["mentored"] == "yes"][:4], "sex"] = np.nan
    table = describe(data, "mentored", ["sex"], min_cell=10)
    sex = rows(table, "sex")
    header, levels = sex.iloc[0], sex.iloc[1:]
    assert math.isnan(header["missing_treated"])
    assert levels["count_treated"].isna().sum() == 1  # the complement of the 4
    assert levels["pct_treated"].isna().all()
    assert levels["count_control"].notna().all()  # nothing of the other group is hidden
    assert levels["pct_control"].notna().all()
    printed = table.table()
    column = next(c for c in printed.columns if c.startswith("mentored = yes"))
    shown = [cell for cell in printed[column] if cell and cell[0].isdigit()]
    n_treated = int((data["mentored"] == "yes").sum())
    assert all(cell.endswith("(—)") for cell in shown)
    assert sum(int(cell.split()[0]) for cell in shown) < n_treated - 10


def test_small_cell_suppression_of_continuous_summaries():
    data = SAMPLE.copy()
    data.loc[data["mentored"] == "no", "age"] = np.nan
    data.loc[data.index[data["mentored"] == "no"][:4], "age"] = 19.0
    table = describe(data, "mentored", ["age"], min_cell=5)
    row = rows(table, "age").iloc[0]
    assert math.isnan(row["mean_control"])
    assert math.isnan(row["n_control"])
    assert row["suppressed"]
    assert "n <5" in table.table().to_string()


def test_a_group_below_min_cell_shows_nothing_not_even_zeros_or_the_smd():
    # 7 mentored students who all passed: "0 (0.0)" failed would say so, and the SMD
    # with the other group's mean and SD would give their mean back
    data = pd.DataFrame({"mentored": ["yes"] * 7 + ["no"] * 40,
                         "gpa": np.linspace(2.0, 4.0, 47),
                         "passed": [1] * 7 + [0, 1] * 20})
    table = describe(data, "mentored", min_cell=10)
    printed = table.table()
    small = "mentored = yes (n = <10)"
    assert set(printed[small]) <= {"n <10", "<10", ""}
    assert (printed["SMD"] == "").all()
    assert table.frame["smd"].isna().all()
    assert table.frame["suppressed"].all()
    assert "0 (0.0)" not in printed[small].tolist()
    # the other group is still described
    assert "20 (50.0)" in printed["mentored = no (n = 40)"].tolist()


def test_bad_inputs():
    with pytest.raises(PeerevalError, match="no variable column"):
        describe(SAMPLE, "mentored", ["gpa"])
    with pytest.raises(PeerevalError, match="group column"):
        describe(SAMPLE, "mentored", ["mentored", "age"])
    with pytest.raises(PeerevalError, match="min_cell"):
        describe(SAMPLE, "mentored", min_cell=0)
    with pytest.raises(PeerevalError, match="categorical"):
        describe(SAMPLE, "mentored", ["sex"], nonnormal=["sex"])
    with pytest.raises(PeerevalError, match="exactly two groups"):
        describe(SAMPLE, "sessions_attended")
    with pytest.raises(PeerevalError, match="expected a DataFrame"):
        describe([1, 2, 3], "mentored")
