"""figures.likert: the bars are the summary's percentages, placed as Heiberger & Robbins
(2014) describe, with the summary's top-two-box shares printed."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from PIL import Image

from peereval import figures
from peereval._format import fmt
from peereval.errors import PeerevalError
from peereval.figures._likert import _segments, likert_layout
from peereval.figures._style import diverging
from peereval.figures._text import display_text
from peereval.perception import summarise

K = 5


def bar_patches(fig: Figure) -> list:
    return [p for p in fig.axes[0].patches if (p.get_gid() or "").startswith("likert_")]


def expected_widths(summary, rows) -> np.ndarray:
    dist = summary.distribution[summary.distribution["level"] == "item"]
    out = []
    for row in rows:
        block = dist[dist["item"] == row.item]
        if summary.by is not None:
            block = block[block["group"] == row.group]
        out.append(block.sort_values("code")["percent"].to_numpy())
    return np.array(out)


def test_one_patch_per_item_and_option_with_the_summarys_widths(perception):
    fig = figures.likert(perception)
    patches = bar_patches(fig)
    assert len(patches) == 18 * K == len(fig.axes[0].patches)
    rows = [r for r in likert_layout(perception) if r.kind == "bar"]
    widths = np.array([[p.get_width() for p in patches[j * 18:(j + 1) * 18]]
                       for j in range(K)]).T  # barh draws option by option
    np.testing.assert_allclose(widths, expected_widths(perception, rows), rtol=1e-12)
    np.testing.assert_allclose(widths.sum(axis=1), 100)


def test_bars_diverge_around_the_neutral_option(perception):
    fig = figures.likert(perception)
    patches = bar_patches(fig)
    n = 18
    for b in range(n):
        seg = [patches[j * n + b] for j in range(K)]
        lefts = np.array([p.get_x() for p in seg])
        widths = np.array([p.get_width() for p in seg])
        assert lefts[2] == pytest.approx(-widths[2] / 2)  # neutral straddles zero
        assert lefts[3] == pytest.approx(widths[2] / 2)  # agreement starts where it ends
        assert lefts[1] + widths[1] == pytest.approx(lefts[2])  # disagreement to its left
        assert lefts[0] + widths[0] == pytest.approx(lefts[1])
        assert lefts[4] == pytest.approx(lefts[3] + widths[3])
        y = {p.get_y() + p.get_height() / 2 for p in seg}
        assert len(y) == 1
    colours = [patches[j * n].get_facecolor() for j in range(K)]
    np.testing.assert_allclose(colours, [to_rgba(c) for c in diverging(K)])


def test_segments_for_even_scales_meet_at_zero():
    lefts = _segments(np.array([10.0, 20.0, 30.0, 40.0]))
    np.testing.assert_allclose(lefts, [-30, -20, 0, 30])


def test_percent_labels_are_the_top_two_box(perception):
    fig = figures.likert(perception)
    texts = {t.get_gid(): t.get_text() for t in fig.axes[0].texts}
    assert texts["likert_header"] == "Agree"
    shares = perception.items["agree_pct"].to_numpy()
    assert [texts[f"likert_pct_{b}"] for b in range(18)] == [f"{fmt(v, 0)}%" for v in shares]


def test_labels_headings_and_reverse_marks(perception):
    fig = figures.likert(perception, wrap=200)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == 18 + 3
    assert labels[0] == "Mentor support"
    assert labels[1] == "My mentor was available when I needed help"
    assert labels[6] == "My mentor was often hard to reach †"
    bold = [t.get_text() for t in fig.axes[0].get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["Mentor support", "Academic adjustment", "Wellbeing and belonging"]
    legend = fig.axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == [
        "Strongly\ndisagree", "Disagree", "Neither agree\nnor disagree", "Agree",
        "Strongly agree"]
    assert "reverse-keyed" in legend.get_title().get_text()
    codes = figures.likert(perception, labels="code", scales=["adjustment"])
    assert [t.get_text() for t in codes.axes[0].get_yticklabels()][1] == "Q2_1"


def test_split_by_cohort(perception_by_cohort):
    summary = perception_by_cohort
    fig = figures.likert(summary, scales=["support"])
    rows = [r for r in likert_layout(summary, scales=["support"]) if r.kind == "bar"]
    patches = bar_patches(fig)
    assert len(patches) == 6 * 3 * K
    widths = np.array([[p.get_width() for p in patches[j * 18:(j + 1) * 18]]
                       for j in range(K)]).T
    np.testing.assert_allclose(widths, expected_widths(summary, rows), rtol=1e-12)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    q1_1 = summary.items[(summary.items["item"] == "Q1_1")].set_index("group")["n"]
    assert labels[:5] == ["Mentor support", "My mentor was available when I needed help",
                          f"Both (n = {q1_1['Both']})", f"In person (n = {q1_1['In person']})",
                          f"Messaging app (n = {q1_1['Messaging app']})"]
    texts = {t.get_gid(): t.get_text() for t in fig.axes[0].texts}
    shares = summary.items.set_index(["item", "group"])["agree_pct"]
    expected = [f"{fmt(shares[(row.item, row.group)], 0)}%" for row in rows]
    assert [texts[f"likert_pct_{b}"] for b in range(18)] == expected
    one = figures.likert(summary, scales=["support"], items=["Q1_1"], groups=["In person"])
    assert len(bar_patches(one)) == K


def test_empty_category_has_a_zero_width_segment(persian_summary):
    frame, instrument = persian_summary
    summary = summarise(frame, instrument)
    fig = figures.likert(summary)
    patches = bar_patches(fig)
    assert len(patches) == 3 * K
    top_option_of_p3 = patches[4 * 3 + 2]
    assert top_option_of_p3.get_width() == 0


def test_persian_labels_are_shaped(persian_summary, monkeypatch):
    # for a matplotlib that draws letters one by one (before 3.11); a newer one lays
    # the labels out itself, which test_style checks on the drawn figure
    from peereval.figures import _text

    monkeypatch.setattr(_text, "matplotlib_lays_out_text", lambda: False)
    frame, instrument = persian_summary
    summary = summarise(frame, instrument, by="year")
    fig = figures.likert(summary, wrap=1000)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[0] == display_text("حمایت منتور")
    assert labels[1] == display_text(instrument.item_text["p1"])
    assert labels[2] == display_text("سال اول (n = 6)")
    assert labels[2].startswith("(n = 6) ")
    assert labels[-3] == display_text(instrument.item_text["p3"] + " †")
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[-1] == display_text("کاملاً موافقم")
    assert all(not re.search("[\u0600-\u06ff]", label) for label in labels + legend)
    texts = {t.get_gid(): t.get_text() for t in fig.axes[0].texts}
    assert texts["likert_header"] == "Agree"


def test_saved_likert_svg_and_png(perception, tmp_path):
    fig = figures.likert(perception, scales=["support"])
    svg_path, png_path = figures.save(fig, tmp_path / "likert")
    root = ET.parse(svg_path).getroot()
    groups = [g for g in root.iter("{http://www.w3.org/2000/svg}g")
              if (g.get("id") or "").startswith("likert_")]
    bars = [g for g in groups if re.fullmatch(r"likert_\d+_\d+", g.get("id"))]
    percents = [g for g in groups if g.get("id").startswith("likert_pct_")]
    assert len(bars) == 6 * K
    assert all(len(g.findall("{http://www.w3.org/2000/svg}path")) == 1 for g in bars)
    assert len(percents) == 6
    width, height = fig.get_size_inches()
    with Image.open(png_path) as image:
        assert image.size == (round(width * 300), round(height * 300))
    again = figures.save(figures.likert(perception, scales=["support"]), tmp_path / "again")
    assert again[0].read_bytes() == svg_path.read_bytes()
    assert again[1].read_bytes() == png_path.read_bytes()


def test_draws_on_given_axes(perception):
    fig = Figure()
    ax = fig.add_subplot()
    assert figures.likert(perception, ax=ax, scales=["belonging"]) is fig
    assert len(ax.patches) == 6 * K


def test_bad_requests_are_explained(perception, perception_by_cohort):
    with pytest.raises(PeerevalError, match="no scale"):
        figures.likert(perception, scales=["nope"])
    with pytest.raises(PeerevalError, match="not split"):
        figures.likert(perception, groups=["Both"])
    with pytest.raises(PeerevalError, match="no group"):
        figures.likert(perception_by_cohort, groups=["Online"])


def test_scales_with_different_options_are_refused():
    import pandas as pd

    from peereval.instrument import Instrument

    instrument = Instrument.from_dict({
        "name": "mixed", "response_range": [1, 5],
        "scales": {"a": {"items": ["x"]}, "b": {"items": ["y"], "response_range": [1, 4]}}})
    summary = summarise(pd.DataFrame({"x": [1, 5, 4], "y": [1, 4, 3]}), instrument)
    with pytest.raises(PeerevalError, match="different response options"):
        figures.likert(summary)
    assert len(bar_patches(figures.likert(summary, scales=["b"]))) == 4


def test_old_first_argument_name_warns(perception):
    with pytest.warns(DeprecationWarning, match=r"^likert\(summary=\.\.\.\) is deprecated "
                      r"since peereval 0\.1: use result=\.\.\.$"):
        old = figures.likert(summary=perception)
    new = figures.likert(result=perception)
    assert len(bar_patches(old)) == len(bar_patches(new))
