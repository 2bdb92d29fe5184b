"""Forest, distributions, adjusted means, love and pre/post figures draw the results'
numbers (and the data's), nothing else."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from peereval import figures
from peereval._format import fmt
from peereval.errors import PeerevalError
from peereval.outcomes import ancova, compare_many, meta_analysis, pre_post

SITES = ["Tabriz", "Shiraz", "Mashhad", "Isfahan", "Tehran", "Kerman"]
EFFECTS = [0.21, 0.38, 0.12, 0.47, 0.30, 0.25]
VARIANCES = [0.021, 0.030, 0.052, 0.041, 0.018, 0.035]


def lines_by_gid(ax) -> dict:
    return {line.get_gid(): line for line in ax.lines if line.get_gid()}


# ------------------------------------------------------------------ forest


@pytest.fixture(scope="module")
def many(records):
    return compare_many(records, ["gpa_year1", "exam_score", "passed"], "mentored",
                        binary=["passed"])


def test_forest_of_many_comparisons(many):
    fig = figures.forest(many)
    ax = fig.axes[0]
    table = many.to_frame()
    lines = lines_by_gid(ax)
    for i, row in table.iterrows():
        np.testing.assert_array_equal(lines[f"ci_{i}"].get_xdata(), [row.ci_low, row.ci_high])
        np.testing.assert_array_equal(lines[f"estimate_{i}"].get_xdata(), [row.estimate])
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["Hedges' g", "gpa_year1", "exam_score", "Risk difference", "passed"]
    assert [lines[f"ci_{i}"].get_ydata()[0] for i in range(3)] == [1, 2, 4]
    assert ax.get_xlabel() == "Effect size (Hedges' g; risk difference)"
    values = [t.get_text() for t in ax.texts if (t.get_gid() or "").startswith("value_")]
    assert values == [f"{fmt(r.estimate)} [{fmt(r.ci_low)}, {fmt(r.ci_high)}]"
                      for r in table.itertuples()]
    assert lines["null"].get_xdata()[0] == 0


def test_forest_of_a_meta_analysis_has_a_pooled_diamond():
    result = meta_analysis(EFFECTS, VARIANCES, labels=SITES, measure="SMD", knha=True)
    fig = figures.forest(result)
    ax = fig.axes[0]
    table = result.to_frame()
    lines = lines_by_gid(ax)
    for i in range(6):
        np.testing.assert_allclose(lines[f"ci_{i}"].get_xdata(),
                                   table.loc[i, ["ci_low", "ci_high"]].to_numpy(dtype=float))
    sizes = [lines[f"estimate_{i}"].get_markersize() for i in range(6)]
    assert np.argmax(sizes) == np.argmax(result.weights)  # area follows weight
    diamond = next(p for p in ax.patches if p.get_gid() == "pooled")
    xy = diamond.get_xy()
    assert xy[:, 0].min() == pytest.approx(result.ci_low)
    assert xy[:, 0].max() == pytest.approx(result.ci_high)
    assert xy[1, 0] == pytest.approx(result.estimate)
    np.testing.assert_allclose(lines["prediction"].get_xdata(), [result.pi_low, result.pi_high])
    assert lines["prediction"].get_linestyle() == "--"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [*SITES, "Pooled (REML, Hartung-Knapp)", "Prediction interval"]
    assert ax.get_xscale() == "linear"


def test_forest_of_odds_ratios_is_on_the_ratio_scale():
    result = meta_analysis(EFFECTS, VARIANCES, labels=SITES, measure="OR", knha=True)
    fig = figures.forest(result)
    ax = fig.axes[0]
    lines = lines_by_gid(ax)
    np.testing.assert_allclose(lines["ci_0"].get_xdata(),
                               np.exp([EFFECTS[0] - 1.959963984540054 * np.sqrt(VARIANCES[0]),
                                       EFFECTS[0] + 1.959963984540054 * np.sqrt(VARIANCES[0])]))
    assert ax.get_xscale() == "log"
    assert lines["null"].get_xdata()[0] == 1
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.75", "1", "1.5", "2"]
    assert ax.get_xlabel() == "Odds ratio (log scale)"


def test_forest_of_a_plain_table_and_errors():
    table = pd.DataFrame({"outcome": ["GPA", "معدل ترم"], "estimate": [0.4, 0.1],
                          "ci_low": [0.1, -0.2], "ci_high": [0.7, 0.4]})
    fig = figures.forest(table, xlabel="Cohen's d", values=False)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "Cohen's d"
    assert not ax.texts
    assert [t.get_text() for t in ax.get_yticklabels()][1] == figures.display_text("معدل ترم")
    np.testing.assert_array_equal(lines_by_gid(ax)["ci_1"].get_xdata(), [-0.2, 0.4])
    with pytest.raises(PeerevalError, match="ci_high"):
        figures.forest(table.drop(columns="ci_high"))
    with pytest.raises(PeerevalError, match="cannot draw"):
        figures.forest([1, 2, 3])


# ------------------------------------------------------------ distributions


def test_distributions_points_are_the_data_with_seeded_jitter(records):
    fig = figures.distributions(records, "gpa_year1", "mentored", seed=7)
    ax = fig.axes[0]
    points = {c.get_gid(): c.get_offsets() for c in ax.collections}
    for k, group in enumerate(["no", "yes"]):
        values = records.loc[records["mentored"] == group, "gpa_year1"].dropna().to_numpy()
        offsets = points[f"points_{k}"]
        np.testing.assert_array_equal(offsets[:, 1], values)
        assert np.all(np.abs(offsets[:, 0] - k) <= 0.18)
    again = figures.distributions(records, "gpa_year1", "mentored", seed=7)
    np.testing.assert_array_equal(again.axes[0].collections[0].get_offsets(),
                                  ax.collections[0].get_offsets())
    other = figures.distributions(records, "gpa_year1", "mentored", seed=8)
    assert not np.array_equal(other.axes[0].collections[0].get_offsets(),
                              ax.collections[0].get_offsets())
    medians = [line for line in ax.lines if line.get_linewidth() == 1.8]
    assert [line.get_ydata()[0] for line in medians] == pytest.approx(
        [records.loc[records["mentored"] == g, "gpa_year1"].median() for g in ("no", "yes")])


def test_distributions_count_what_they_leave_out(records):
    data = records.copy()
    data.loc[data.index[:4], "exam_score"] = np.nan
    data.loc[data.index[4], "mentored"] = pd.NA
    fig = figures.distributions(data, "exam_score", "mentored", order=["yes", "no"])
    ax = fig.axes[0]
    assert "5 rows without exam_score or mentored not shown" in ax.get_xlabel()
    n_yes = int(((data["mentored"] == "yes") & data["exam_score"].notna()).sum())
    assert ax.get_xticklabels()[0].get_text() == f"yes\n(n = {n_yes})"
    with pytest.raises(PeerevalError, match="no group"):
        figures.distributions(data, "exam_score", "mentored", order=["maybe"])
    with pytest.raises(PeerevalError, match="not numbers"):
        figures.distributions(data.assign(x="a"), "x", "mentored")


# ----------------------------------------------------------- adjusted means


def test_adjusted_means_are_the_ancova_table(records):
    result = ancova(records, "gpa_year1", "mentored", ["gpa_entry"])
    fig = figures.adjusted_means(result)
    lines = lines_by_gid(fig.axes[0])
    for k, row in enumerate(result.adjusted_means.itertuples()):
        np.testing.assert_array_equal(lines[f"ci_{row.group}"].get_ydata(),
                                      [row.ci_low, row.ci_high])
        assert lines[f"adjusted_{row.group}"].get_ydata()[0] == row.adjusted_mean
        assert lines[f"raw_{row.group}"].get_ydata()[0] == row.mean
        assert lines[f"ci_{row.group}"].get_xdata()[0] == k
    assert fmt(result.difference) in fig.axes[0].get_title(loc="left")
    plain = figures.adjusted_means(result, raw=False)
    assert not any(g.startswith("raw_") for g in lines_by_gid(plain.axes[0]))
    with pytest.raises(PeerevalError, match="AncovaResult"):
        figures.adjusted_means(records)


# ---------------------------------------------------------------- love plot


def test_love_plot_points_are_the_smds(matched):
    fig = figures.love(matched)
    ax = fig.axes[0]
    table = matched.balance.table
    order = np.argsort(-table["smd_before"].abs().to_numpy(), kind="stable")
    points = {c.get_gid(): c.get_offsets() for c in ax.collections if c.get_gid()}
    np.testing.assert_array_equal(points["smd_before"][:, 0],
                                  table["smd_before"].abs().to_numpy()[order])
    np.testing.assert_array_equal(points["smd_after"][:, 0],
                                  table["smd_after"].abs().to_numpy()[order])
    assert [t.get_text() for t in ax.get_yticklabels()] == list(table["covariate"].iloc[order])
    thresholds = [line.get_xdata()[0] for line in ax.lines if line.get_gid() == "threshold"]
    assert thresholds == [0.1]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Before matching", "After matching"]


def test_love_plot_signed_from_a_table(matched):
    table = matched.balance.table
    fig = figures.love(table, absolute=False, distance=False, order="table", threshold=0.2)
    ax = fig.axes[0]
    rows = table[table["kind"] != "distance"]
    points = {c.get_gid(): c.get_offsets() for c in ax.collections if c.get_gid()}
    np.testing.assert_array_equal(points["smd_after"][:, 0], rows["smd_after"].to_numpy())
    thresholds = sorted(line.get_xdata()[0] for line in ax.lines if line.get_gid() == "threshold")
    assert thresholds == [-0.2, 0.2]
    only_before = figures.love(rows[["covariate", "smd_before"]])
    gids = {c.get_gid() for c in only_before.axes[0].collections}
    assert "smd_before" in gids
    assert "smd_after" not in gids


def test_love_old_first_argument_name_warns(matched):
    with pytest.warns(DeprecationWarning, match=r"^love\(balance=\.\.\.\) is deprecated "
                      r"since peereval 0\.1: use result=\.\.\.$"):
        old = figures.love(balance=matched)
    new = figures.love(result=matched)
    assert len(old.axes[0].get_yticklabels()) == len(new.axes[0].get_yticklabels())


# ----------------------------------------------------------------- pre/post


def test_pre_post_lines_are_the_pairs():
    data = pd.DataFrame({"pre": [50, 55, 61, 48, 70, np.nan],
                         "post": [58, 57, 66, 55, 71, 60]})
    result = pre_post(data, "pre", "post")
    fig = figures.pre_post(data, "pre", "post", result=result, labels=["Before", "After"])
    ax = fig.axes[0]
    people = next(c for c in ax.collections if c.get_gid() == "people")
    segments = np.array(people.get_segments())
    np.testing.assert_array_equal(segments[:, 0, 1], [50, 55, 61, 48, 70])
    np.testing.assert_array_equal(segments[:, 1, 1], [58, 57, 66, 55, 71])
    np.testing.assert_array_equal(segments[:, :, 0], [[0, 1]] * 5)
    means = lines_by_gid(ax)["means"]
    np.testing.assert_array_equal(means.get_ydata(), [result.mean_before, result.mean_after])
    assert "1 student missing" in ax.get_xlabel()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Before", "After"]
    assert f"n = {result.n}" in ax.get_title(loc="left")
    computed = figures.pre_post(data, "pre", "post")  # the analysis is run when not given
    assert computed.axes[0].get_title(loc="left") == ax.get_title(loc="left")
    with pytest.raises(PeerevalError, match="complete pairs"):
        figures.pre_post(data.iloc[:3], "pre", "post", result=result)
    with pytest.raises(PeerevalError, match="compares"):
        figures.pre_post(data, "post", "pre", result=result)


# ------------------------------------------------------------- shared axes


def test_every_figure_draws_on_given_axes(records, matched, many):
    result = ancova(records, "gpa_year1", "mentored", ["gpa_entry"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        calls = [
            lambda ax: figures.forest(many, ax=ax),
            lambda ax: figures.distributions(records, "gpa_year1", "mentored", ax=ax),
            lambda ax: figures.adjusted_means(result, ax=ax),
            lambda ax: figures.love(matched, ax=ax),
            lambda ax: figures.pre_post(records, "gpa_entry", "gpa_year1", ax=ax),
        ]
        fig = Figure(figsize=(12, 8), layout="constrained")
        axes = fig.subplots(2, 3).ravel()
        for ax, call in zip(axes, calls, strict=False):
            assert call(ax) is fig
            assert ax.has_data()
