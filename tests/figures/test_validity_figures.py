"""Scree, loadings heatmap and CVR/CVI figures draw exactly the results' numbers."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure

import peereval
from peereval import figures
from peereval._format import fmt
from peereval.errors import PeerevalError
from peereval.figures._style import DECISION
from peereval.figures._text import display_text
from peereval.validity import content_validity, efa, parallel_analysis


@pytest.fixture(scope="module")
def parallel(study):
    return parallel_analysis(study.scores.items, n_iter=40, seed=3)


@pytest.fixture(scope="module")
def solution(study):
    return efa(study.scores.items, n_factors=3, rotation="oblimin")


@pytest.fixture(scope="module")
def panel():
    panel = peereval.read_expert_panel(peereval.sample_path("expert_panel"),
                                       relevance_sheet="relevance",
                                       essentiality_sheet="essentiality")
    return content_validity(panel.relevance, essentiality=panel.essentiality)


# ------------------------------------------------------------------- scree


def test_scree_lines_are_the_parallel_analysis_columns(parallel):
    fig = figures.scree(parallel, simulated="both")
    lines = {line.get_gid(): line for line in fig.axes[0].lines}
    table = parallel.table
    for column in ("pc_observed", "pc_quantile", "pc_mean", "fa_observed", "fa_quantile",
                   "fa_mean"):
        np.testing.assert_array_equal(lines[column].get_ydata(), table[column].to_numpy())
        np.testing.assert_array_equal(lines[column].get_xdata(), table["position"].to_numpy())
    assert lines["pc_quantile"].get_linestyle() == "--"
    assert lines["pc_mean"].get_linestyle() == ":"
    assert lines["pc_observed"].get_marker() == "o"
    title = fig.axes[0].get_legend().get_title().get_text()
    assert title == (f"Retained: {parallel.n_components} components, "
                     f"{parallel.n_factors} factors")


def test_scree_of_a_factor_retention_is_that_of_its_parallel_analysis(study, parallel):
    from peereval.validity import factor_retention

    retention = factor_retention(study.scores.items, n_iter=50, seed=1)
    lines = figures.scree(retention).axes[0].lines
    np.testing.assert_array_equal(lines[0].get_ydata(),
                                  retention.parallel.table["pc_observed"].to_numpy())
    with pytest.raises(PeerevalError, match="cannot draw a scree plot of a Scores"):
        figures.scree(study.scores)


def test_scree_of_components_only(parallel):
    fig = figures.scree(parallel, kind="pc")
    assert [line.get_gid() for line in fig.axes[0].lines] == ["pc_observed", "pc_quantile"]
    with pytest.raises(ValueError, match="kind"):
        figures.scree(parallel, kind="both ")


# ---------------------------------------------------------------- loadings


def test_heatmap_is_the_sorted_loadings(solution):
    fig = figures.loadings(solution)
    ax = fig.axes[0]
    order = list(solution.sorted().index)
    image = ax.images[0]
    np.testing.assert_array_equal(image.get_array(), solution.loadings.loc[order].to_numpy())
    assert image.get_clim() == (-1, 1)
    assert [t.get_text() for t in ax.get_yticklabels()] == order
    assert [t.get_text() for t in ax.get_xticklabels()] == list(solution.loadings.columns)
    texts = {t.get_gid(): t for t in ax.texts}
    for i, item in enumerate(order):
        for j, factor in enumerate(solution.loadings.columns):
            value = solution.loadings.loc[item, factor]
            text = texts[f"loading_{i}_{j}"]
            assert text.get_text() == fmt(value, 2, leading_zero=False)
            assert (text.get_fontweight() == "bold") == (abs(value) >= 0.30)
    assert len(fig.axes) == 2  # the colour bar


def test_heatmap_with_item_texts_unsorted(solution, study):
    texts = {**study.instrument.item_text, "Q1_1": "منتور من در دسترس بود"}
    fig = figures.loadings(solution, labels=texts, sort=False, colorbar=False, wrap=200)
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), solution.loadings.to_numpy())
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == display_text("منتور من در دسترس بود")
    assert labels[1] == "My mentor listened to my concerns"
    assert len(fig.axes) == 1


# --------------------------------------------------------------- CVR / CVI


def _points(ax, name: str) -> tuple[np.ndarray, np.ndarray, list]:
    xs, ys, colours = [], [], []
    for collection in ax.collections:
        if (collection.get_gid() or "").startswith(f"{name}_points"):
            offsets = collection.get_offsets()
            xs.extend(offsets[:, 0])
            ys.extend(offsets[:, 1])
            colours.extend(map(tuple, collection.get_facecolors()))
    order = np.argsort(ys)
    return np.array(xs)[order], np.array(ys)[order], [colours[i] for i in order]


def test_cvr_and_icvi_points_lines_and_colours(panel):
    fig = figures.content_validity(panel)
    cvr_ax, icvi_ax = fig.axes
    items = panel.items
    for ax, name, critical in ((cvr_ax, "cvr", "cvr_crit"), (icvi_ax, "icvi", "icvi_threshold")):
        x, y, colours = _points(ax, name)
        np.testing.assert_array_equal(x, items[name].to_numpy(dtype=float))
        np.testing.assert_array_equal(y, np.arange(len(items)))
        assert colours == [to_rgba(DECISION[d]) for d in items["decision"]]
        line = next(line for line in ax.lines if line.get_gid() == f"{name}_critical")
        assert set(line.get_xdata()) == {float(items[critical].iloc[0])}
    assert [t.get_text() for t in cvr_ax.get_yticklabels()] == list(items["item"])
    assert set(items["decision"]) == {"keep", "revise", "drop"}
    legend = [t.get_text() for t in fig.axes[-1].get_legend().get_texts()]
    assert legend == ["keep", "revise", "drop", "critical"]


def test_critical_values_that_differ_by_item_are_marked_per_item(panel):
    items = panel.items.copy()
    items.loc[0, "cvr_crit"] = 0.6
    fig = figures.content_validity(dataclasses.replace(panel, items=items), index="cvr")
    marks = next(c for c in fig.axes[0].collections if c.get_gid() == "cvr_critical")
    xs = [segment[0][0] for segment in marks.get_segments()]
    np.testing.assert_allclose(xs, items["cvr_crit"])


def test_one_index_on_given_axes(panel):
    fig = Figure()
    ax = fig.add_subplot()
    assert figures.content_validity(panel, ax=ax, index="icvi") is fig
    assert ax.get_xlabel().startswith("I-CVI")
    with pytest.raises(PeerevalError, match="2 panel"):
        figures.content_validity(panel, ax=ax)
    no_cvr = dataclasses.replace(panel, items=panel.items.assign(cvr=np.nan))
    assert len(figures.content_validity(no_cvr).axes) == 1
    with pytest.raises(PeerevalError, match="CVR"):
        figures.content_validity(no_cvr, index="cvr")


def test_saved_cvr_figure_has_one_group_per_marker_set(panel, tmp_path):
    svg, _ = figures.save(figures.content_validity(panel), tmp_path / "cvi")
    root = ET.parse(svg).getroot()
    ids = [g.get("id") for g in root.iter("{http://www.w3.org/2000/svg}g")]
    assert sorted(i for i in ids if i and "_points_" in i) == sorted(
        f"{name}_points_{m}" for name in ("cvr", "icvi") for m in ("o", "D", "X"))
    assert ids.count("cvr_critical") == ids.count("icvi_critical") == 1
