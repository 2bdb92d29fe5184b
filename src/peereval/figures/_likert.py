"""Diverging stacked bars of Likert items (Heiberger & Robbins 2014).

Each item is one horizontal bar, 100% wide, split into its response options. The
bar is placed so that disagreement extends to the left of zero and agreement to the
right; a neutral middle option (odd number of options) straddles zero, half on each
side. Items can then be compared by where their bars sit, which a 100% stacked bar
starting at zero hides. The share agreeing (top-two box) is printed at the right.

References
----------
Heiberger, R. M., & Robbins, N. B. (2014). Design of diverging stacked bar charts for
Likert scales and other applications. *Journal of Statistical Software*, 57(5), 1-32.

Robbins, N. B., & Heiberger, R. M. (2011). Plotting Likert and other rating scales.
*Proceedings of the Survey Research Methods Section, American Statistical
Association*, 1058-1066.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MultipleLocator

from peereval._format import fmt
from peereval._options import renamed
from peereval.errors import PeerevalError
from peereval.figures._style import INK, NEUTRAL, diverging, figure_and_axes, styled
from peereval.figures._text import display_text
from peereval.labels import normalize_label

__all__ = ["likert", "likert_layout"]

REVERSE_MARK = " †"


@dataclass(frozen=True)
class Row:
    """One row of the chart: a scale heading, an item heading or a bar."""

    kind: str  # "scale", "item" or "bar"
    label: str
    scale: str
    item: str | None = None
    group: Any = None


def likert_layout(summary: Any, *, scales: Sequence[str] | None = None,
                  items: Sequence[str] | None = None, groups: Sequence[Any] | None = None,
                  labels: str = "text") -> list[Row]:
    """The rows of :func:`likert`, top to bottom (scale headings, items, bars)."""
    frame = summary.items
    wanted_scales = list(dict.fromkeys(frame["scale"])) if scales is None else list(scales)
    unknown = set(wanted_scales) - set(frame["scale"])
    if unknown:
        raise PeerevalError(f"no scale(s) {sorted(unknown)} in the summary",
                            hint="scales: " + ", ".join(dict.fromkeys(frame["scale"])))
    if items is not None:
        missing = set(items) - set(frame["item"])
        if missing:
            raise PeerevalError(f"no item(s) {sorted(missing)} in the summary")
    split = summary.by is not None
    shown_groups = list(summary.groups if groups is None else groups)
    if split:
        stray = [g for g in shown_groups if g not in summary.groups]
        if stray:
            raise PeerevalError(f"no group(s) {stray} in the summary",
                                hint=f"groups: {list(summary.groups)}")
    elif groups is not None:
        raise PeerevalError("the summary is not split by cohort; leave groups out")
    scale_labels = dict(zip(summary.scales["scale"], summary.scales["label"], strict=False))
    rows: list[Row] = []
    for scale in wanted_scales:
        block = frame[frame["scale"] == scale].drop_duplicates("item")
        if items is not None:
            block = block[block["item"].isin(items)]
        if block.empty:
            continue
        rows.append(Row("scale", str(scale_labels.get(scale, scale)), scale))
        for record in block.to_dict("records"):
            text = record["text"] if labels == "text" else record["item"]
            text = str(text) + (REVERSE_MARK if record["reverse"] else "")
            if split:
                rows.append(Row("item", text, scale, record["item"]))
                for g in shown_groups:
                    n = frame.loc[(frame["item"] == record["item"]) & (frame["group"] == g), "n"]
                    rows.append(Row("bar", f"{g} (n = {int(n.iloc[0])})", scale,
                                    record["item"], g))
            else:
                rows.append(Row("bar", text, scale, record["item"]))
    if not rows:
        raise PeerevalError("nothing to plot: no item of the summary was selected")
    return rows


def _options(summary: Any, scales: list[str]) -> tuple[tuple[float, str], ...]:
    sets = {scale: summary.options[scale] for scale in scales}
    first = next(iter(sets.values()))
    for scale, options in sets.items():
        if [normalize_label(label) for _, label in options] != [
                normalize_label(label) for _, label in first]:
            raise PeerevalError(
                f"scales {scales[0]!r} and {scale!r} have different response options; "
                "one chart needs one set of options",
                hint="draw them separately: likert(summary, scales=[...])")
    return first


def _segments(percent: np.ndarray) -> np.ndarray:
    """Left edges of the option segments of one bar, centred on the neutral option."""
    k = len(percent)
    lefts = np.zeros(k)
    middle = k // 2
    if k % 2:
        lefts[middle] = -percent[middle] / 2
        start_left, start_right = -percent[middle] / 2, percent[middle] / 2
        below, above = range(middle - 1, -1, -1), range(middle + 1, k)
    else:
        start_left = start_right = 0.0
        below, above = range(middle - 1, -1, -1), range(middle, k)
    edge = start_left
    for j in below:
        edge -= percent[j]
        lefts[j] = edge
    edge = start_right
    for j in above:
        lefts[j] = edge
        edge += percent[j]
    return lefts


@renamed(summary="result")
@styled
def likert(result: Any, *, ax: Axes | None = None, scales: Sequence[str] | None = None,
           items: Sequence[str] | None = None, groups: Sequence[Any] | None = None,
           labels: str = "text", wrap: int = 48, percent: bool = True,
           legend: bool = True) -> Figure:
    """Diverging stacked bars of every item's responses, grouped by scale.

    Parameters
    ----------
    result
        A :class:`~peereval.perception.PerceptionSummary`; when it is split by
        cohort, each item gets one bar per group under the item's text. (Formerly
        ``summary=``, which still works with a :class:`DeprecationWarning`.)
    ax
        Axes to draw on; a new figure (7.5 in wide, height by rows) when None.
    scales, items, groups
        Which scales, items and groups to show, in this order (default: all).
    labels
        Label items by their ``"text"`` (default) or their ``"code"``.
    wrap
        Wrap item texts to lines of this many characters.
    percent
        Print the share agreeing (the summary's top-two box) right of each bar.
    legend
        Show the response options above the chart.

    Returns
    -------
    matplotlib.figure.Figure

    Notes
    -----
    Segment widths are the percentages of respondents who answered the item
    (missing answers excluded), as in ``summary.distribution``; every option has a
    segment, zero-width when nobody chose it. With an odd number of options the
    neutral one is centred on zero (Heiberger & Robbins 2014). Reverse-keyed items
    are drawn as worded and marked with a dagger (†), like the summary reports
    them. Persian texts and option labels are shaped and drawn right to left.

    Examples
    --------
    >>> import peereval
    >>> from peereval.perception import summarise
    >>> study = peereval.load_sample()
    >>> fig = likert(summarise(study.screened, study.instrument))
    >>> len(fig.axes[0].patches)  # 18 items x 5 options
    90
    """
    summary = result
    rows = likert_layout(summary, scales=scales, items=items, groups=groups, labels=labels)
    shown = list(dict.fromkeys(row.scale for row in rows))
    options = _options(summary, shown)
    k = len(options)
    colours = diverging(k)
    n_rows = len(rows)
    fig, ax = figure_and_axes(ax, (7.5, 1.2 + 0.3 * n_rows))

    dist = summary.distribution
    dist = dist[dist["level"] == "item"]
    key = ["item", "group"] if summary.by is not None else ["item"]
    by_bar = {tuple(name) if isinstance(name, tuple) else (name,): block
              for name, block in dist.groupby(key, sort=False)}
    agree = summary.items.set_index(key)["agree_pct"]

    bars = [(y, row) for y, row in enumerate(rows) if row.kind == "bar"]
    widths = np.zeros((len(bars), k))
    for b, (_, row) in enumerate(bars):
        block = by_bar[(row.item, row.group) if summary.by is not None else (row.item,)]
        values = block.set_index("code")["percent"].reindex([c for c, _ in options])
        widths[b] = np.nan_to_num(values.to_numpy(dtype=float))
    lefts = np.array([_segments(w) for w in widths]) if len(bars) else widths
    ys = np.array([y for y, _ in bars], dtype=float)
    handles = []
    for j, (_, label) in enumerate(options):
        container = ax.barh(ys, widths[:, j], left=lefts[:, j], height=0.72, color=colours[j],
                            edgecolor="white", linewidth=0.6,
                            label=display_text(label, 16))
        for b, patch in enumerate(container.patches):
            patch.set_gid(f"likert_{b}_{j}")
        handles.append(container)

    extent = float(max(np.max(-lefts[:, 0], initial=0), np.max(lefts[:, -1] + widths[:, -1],
                                                              initial=0)))
    limit = max(50.0, 10 * math.ceil(extent / 10))
    ax.set_xlim(-limit, limit)
    ax.set_ylim(n_rows - 0.4, -0.6)
    ax.axvline(0, color=INK, linewidth=0.8, zorder=3)
    ax.xaxis.set_major_locator(MultipleLocator(25 if limit > 60 else 10))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{abs(v):g}%"))
    ax.set_xlabel("Respondents (% of those who answered)")
    ax.grid(True, axis="x", color=NEUTRAL, linewidth=0.4, alpha=0.6)
    ax.set_axisbelow(True)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    ax.set_yticks(range(n_rows))
    ticks = ax.set_yticklabels([display_text(row.label, wrap) for row in rows])
    for row, tick in zip(rows, ticks, strict=True):
        if row.kind == "scale":
            tick.set_fontweight("bold")
        elif row.kind == "bar" and summary.by is not None:
            tick.set_color("#555555")

    if percent:
        header = "Agree" if _agreement(summary, shown) else "Top"
        ax.annotate(header, xy=(1, 0), xycoords=("axes fraction", "data"), xytext=(6, 0),
                    textcoords="offset points", ha="left", va="center", fontweight="bold",
                    fontsize="small", annotation_clip=False, gid="likert_header")
        for b, (y, row) in enumerate(bars):
            index = (row.item, row.group) if summary.by is not None else row.item
            value = agree.loc[index]
            text = "–" if value != value else f"{fmt(float(value), 0)}%"
            ax.annotate(text, xy=(1, y), xycoords=("axes fraction", "data"), xytext=(6, 0),
                        textcoords="offset points", ha="left", va="center",
                        fontsize="small", annotation_clip=False, gid=f"likert_pct_{b}")
    if legend:
        labels_text = [display_text(label, 16) for _, label in options]
        ncol = k if sum(len(t) for t in labels_text) <= 80 else math.ceil(k / 2)
        title = "† reverse-keyed item, shown as worded" if any(
            row.label.endswith(REVERSE_MARK) for row in rows) else None
        ax.legend(handles, labels_text, loc="lower center", bbox_to_anchor=(0.5, 1.0),
                  ncol=ncol, handlelength=1.2, columnspacing=1.0, title=title,
                  borderaxespad=0.3)
    return fig


def _agreement(summary: Any, scales: list[str]) -> bool:
    for scale in scales:
        labels = [normalize_label(label) for code, label in summary.options[scale]
                  if code in summary.agree[scale]]
        if not labels or not all(("agree" in t and "disagree" not in t) or "موافق" in t
                                 for t in labels):
            return False
    return True
