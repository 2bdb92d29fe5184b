"""Figures of outcomes: forest, cohort distributions, adjusted means, balance, pre/post.

Each figure draws numbers an analysis already computed (the result objects of
:mod:`peereval.outcomes`) or, for the distribution and pre/post plots, the data
themselves; none estimates anything of its own.

References
----------
Ahmed, A., Husain, A., Love, T. E., et al. (2006). Heart failure, chronic diuretic use,
and increase in mortality and hospitalization: an observational study using
propensity score methods. *European Heart Journal*, 27, 1431-1439 (the "Love plot").

Austin, P. C. (2009). Balance diagnostics for comparing the distribution of baseline
covariates between treatment groups in propensity-score matched samples. *Statistics
in Medicine*, 28, 3083-3107.

Lewis, S., & Clarke, M. (2001). Forest plots: trying to see the wood and the trees.
*BMJ*, 322, 1479-1480.

Weissgerber, T. L., Milic, N. M., Winham, S. J., & Garovic, V. D. (2015). Beyond bar
and line graphs: time for a new data presentation paradigm. *PLoS Biology*, 13,
e1002128.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon

from peereval._format import count_of, fmt, fmt_ci
from peereval._frames import frame_of
from peereval._options import renamed
from peereval._random import SeedLike, as_generator
from peereval.errors import PeerevalError
from peereval.figures._style import (
    CATEGORICAL,
    INK,
    NEUTRAL,
    OKABE_ITO,
    figure_and_axes,
    reference_grid,
    styled,
)
from peereval.figures._text import display_text

__all__ = ["adjusted_means", "distributions", "forest", "forest_table", "love", "pre_post"]

EFFECT_LABELS = {
    "hedges_g": "Hedges' g", "cohens_d": "Cohen's d", "glass_delta": "Glass's Δ",
    "rank_biserial": "rank-biserial r", "cliffs_delta": "Cliff's δ", "cohens_h": "Cohen's h",
    "risk_difference": "risk difference", "risk_ratio": "risk ratio",
    "odds_ratio": "odds ratio", "cles": "P(X > Y)", "mean_difference": "mean difference",
}


def _require(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise PeerevalError(f"{what} has no column(s) {missing}", column=missing[0],
                            hint="columns available: " + ", ".join(map(str, frame.columns[:40])))


# ----------------------------------------------------------------------- forest


def forest_table(data: Any) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The rows a forest plot draws, and how to draw them.

    Accepts a :class:`~peereval.outcomes.MetaAnalysis` (its ``to_frame()``: studies,
    pooled row, prediction interval; ratio measures on the ratio scale), a
    :class:`~peereval.outcomes.ManyComparisons` (one row per outcome, its headline
    effect) or a DataFrame with ``estimate``, ``ci_low``, ``ci_high`` and ``label``
    (or ``outcome``); optional ``row`` (``"study"``, ``"pooled"``,
    ``"prediction"``), ``weight`` and ``effect`` columns.

    Parameters
    ----------
    data
        A :class:`~peereval.outcomes.MetaAnalysis`, a
        :class:`~peereval.outcomes.ManyComparisons` or a DataFrame as above.

    Returns
    -------
    rows : pandas.DataFrame
        One row per drawn line, top to bottom: ``label``, ``estimate``, ``ci_low``,
        ``ci_high`` and whichever of ``row``, ``se``, ``weight`` and ``effect`` apply.
    style : dict
        ``null`` (the no-effect line), ``log`` (whether the axis is logarithmic),
        ``xlabel`` and ``level`` (the confidence level, None when unknown).

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.figures import forest_table
    >>> effects = pd.DataFrame({"label": ["GPA", "Exam"], "estimate": [0.90, 1.00],
    ...                         "ci_low": [0.66, 0.75], "ci_high": [1.13, 1.24]})
    >>> rows, style = forest_table(effects)
    >>> rows["label"].tolist(), style["null"], style["log"]
    (['GPA', 'Exam'], 0.0, False)
    """
    info: dict[str, Any] = {"null": 0.0, "log": False, "xlabel": "Effect size", "level": None}
    if hasattr(data, "to_frame") and hasattr(data, "pi_low"):  # MetaAnalysis
        frame = data.to_frame()
        info["level"] = data.ci_level
        if "ratio" in frame:
            frame = frame.assign(estimate=frame["ratio"], ci_low=frame["ratio_ci_low"],
                                 ci_high=frame["ratio_ci_high"])
            info.update(null=1.0, log=True, xlabel=(data.measure_name.replace("log ", "")
                                                    .capitalize() + " (log scale)"))
        else:
            info["xlabel"] = data.measure_name[:1].upper() + data.measure_name[1:]
        return frame, info
    if hasattr(data, "to_frame") and hasattr(data, "outcomes") and hasattr(data, "adjust"):
        frame = data.to_frame().rename(columns={"outcome": "label"})
        info["level"] = data.ci_level
    elif isinstance(data, pd.DataFrame):
        frame = data.copy()
        if "label" not in frame and "outcome" in frame:
            frame = frame.rename(columns={"outcome": "label"})
        if "ci_level" in frame and frame["ci_level"].nunique() == 1:
            info["level"] = float(frame["ci_level"].iloc[0])
    else:
        raise PeerevalError(f"cannot draw a forest plot of a {type(data).__name__}",
                            hint="pass a MetaAnalysis, a ManyComparisons or a DataFrame with "
                            "label, estimate, ci_low and ci_high")
    _require(frame, ["label", "estimate", "ci_low", "ci_high"], "the forest table")
    if "effect" in frame:
        names = list(dict.fromkeys(frame["effect"].astype(str)))
        labels = [EFFECT_LABELS.get(n, n.replace("_", " ")) for n in names]
        info["xlabel"] = labels[0][:1].upper() + labels[0][1:] if len(labels) == 1 else (
            "Effect size (" + "; ".join(labels) + ")")
    return frame.reset_index(drop=True), info


@styled
def forest(data: Any, *, ax: Axes | None = None, null: float | None = None,
           log: bool | None = None, xlabel: str | None = None, values: bool = True) -> Figure:
    """Forest plot: each estimate with its interval, a pooled diamond for meta-analyses.

    Parameters
    ----------
    data
        A :class:`~peereval.outcomes.MetaAnalysis`, a
        :class:`~peereval.outcomes.ManyComparisons` or a table with ``label``,
        ``estimate``, ``ci_low``, ``ci_high`` (see :func:`forest_table`).
    ax
        Axes to draw on (a new 7 in wide figure when None).
    null
        Where "no effect" lies (a dashed vertical line): 0, or 1 for ratios.
    log
        Logarithmic x axis (default: for odds and risk ratios of a meta-analysis).
    xlabel
        Axis label (default: the effect measure).
    values
        Print "estimate [low, high]" right of the plot.

    Returns
    -------
    matplotlib.figure.Figure
        Interval lines have the gid ``ci_<row>`` and end at ``ci_low`` and
        ``ci_high``; study markers are squares whose area follows the weight
        (meta-analysis), the pooled estimate a diamond (gid ``pooled``) spanning its
        interval and the prediction interval a dashed line (gid ``prediction``)
        (Lewis & Clarke 2001). Rows of different effect measures (a ManyComparisons
        mixing continuous and binary outcomes) are grouped under headings.

    Examples
    --------
    >>> from peereval.outcomes import meta_analysis
    >>> sites = ["Tabriz", "Shiraz", "Mashhad", "Isfahan", "Tehran", "Kerman"]
    >>> result = meta_analysis([0.21, 0.38, 0.12, 0.47, 0.30, 0.25],
    ...                        [0.021, 0.030, 0.052, 0.041, 0.018, 0.035], labels=sites,
    ...                        measure="SMD", knha=True)
    >>> fig = forest(result)
    >>> [tick.get_text() for tick in fig.axes[0].get_yticklabels()][-2:]
    ['Pooled (REML, Hartung-Knapp)', 'Prediction interval']
    """
    frame, info = forest_table(data)
    null = info["null"] if null is None else null
    log = info["log"] if log is None else log
    rows: list[tuple[str, int | None]] = []  # (label, index in frame or None = heading)
    kinds = frame["row"].astype(str) if "row" in frame else pd.Series("study", index=frame.index)
    if "effect" in frame and frame["effect"].nunique() > 1:
        for effect, block in frame.groupby("effect", sort=False):
            name = EFFECT_LABELS.get(str(effect), str(effect).replace("_", " "))
            rows.append((name[:1].upper() + name[1:], None))
            rows.extend((str(frame.at[i, "label"]), i) for i in block.index)
    else:
        rows = [(str(frame.at[i, "label"]), i) for i in frame.index]
    n_rows = len(rows)
    fig, ax = figure_and_axes(ax, (7.0, 1.1 + 0.32 * n_rows))
    weights = frame["weight"].to_numpy(dtype=float) if "weight" in frame else None
    study_weights = (weights[(kinds == "study").to_numpy()] if weights is not None
                     else np.array([]))
    biggest = np.nanmax(study_weights) if study_weights.size else np.nan
    for y, (_, i) in enumerate(rows):
        if i is None:
            continue
        est, low, high = (float(frame.at[i, c]) for c in ("estimate", "ci_low", "ci_high"))
        kind = kinds.iloc[i]
        if kind == "pooled":
            diamond = Polygon([(low, y), (est, y - 0.32), (high, y), (est, y + 0.32)],
                              closed=True, facecolor=INK, edgecolor=INK, zorder=3)
            diamond.set_gid("pooled")
            ax.add_patch(diamond)
            ax.plot([low, high], [y, y], color=INK, linewidth=0, gid=f"ci_{i}")
        elif kind == "prediction":
            ax.plot([low, high], [y, y], color=INK, linestyle="--", linewidth=1.2,
                    gid="prediction")
        else:
            ax.plot([low, high], [y, y], color=INK, linewidth=1.2, gid=f"ci_{i}", zorder=2)
            size = 6.0
            if weights is not None and np.isfinite(biggest) and biggest > 0:
                size = 4 + 8 * np.sqrt(max(weights[i], 0) / biggest)
            ax.plot([est], [y], marker="s", markersize=size, color=CATEGORICAL[0],
                    linestyle="none", zorder=3, gid=f"estimate_{i}")
        if values:
            text = f"{fmt(est)} [{fmt(low)}, {fmt(high)}]"
            ax.annotate(text, xy=(1, y), xycoords=("axes fraction", "data"), xytext=(8, 0),
                        textcoords="offset points", ha="left", va="center",
                        fontsize="small", annotation_clip=False, gid=f"value_{y}")
    if values:
        level = info["level"]
        header = f"Estimate [{level:.0%} CI]" if level else "Estimate [CI]"
        ax.annotate(header, xy=(1, 1), xycoords="axes fraction", xytext=(8, 4),
                    textcoords="offset points", ha="left", va="bottom", fontsize="small",
                    fontweight="bold", annotation_clip=False)
    if (kinds == "pooled").any():
        first = next(y for y, (_, i) in enumerate(rows) if i is not None and kinds.iloc[i]
                     == "pooled")
        ax.axhline(first - 0.5, color=NEUTRAL, linewidth=0.6)
    ax.axvline(null, color=INK, linestyle=":", linewidth=1, zorder=1, gid="null")
    if log:
        ax.set_xscale("log")
        _ratio_ticks(ax)
    ax.set_yticks(range(n_rows))
    ticks = ax.set_yticklabels([display_text(label, 40) for label, _ in rows])
    for (_, i), tick in zip(rows, ticks, strict=True):
        if i is None or kinds.iloc[i] == "pooled":
            tick.set_fontweight("bold")
    ax.set_ylim(n_rows - 0.5, -0.7)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_xlabel(xlabel or info["xlabel"])
    return fig


_RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 10, 20, 50,
                100)


def _ratio_ticks(ax: Axes) -> None:
    """Plain ticks (0.5, 1, 2...) on a logarithmic ratio axis instead of powers of ten."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullLocator

    low, high = ax.get_xlim()
    ticks = [t for t in _RATIO_TICKS if low <= t <= high]
    if len(ticks) < 3:
        ticks = sorted({*ticks, *np.round(np.geomspace(low, high, 4)[1:-1], 2)})
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_locator(NullLocator())


# ---------------------------------------------------------------- distributions


def _group_order(values: pd.Series, order: Sequence[Any] | None) -> list[Any]:
    present = list(dict.fromkeys(values.dropna()))
    if order is not None:
        stray = [g for g in order if g not in present]
        if stray:
            raise PeerevalError(f"no group(s) {stray} in the data",
                                hint=f"groups: {present}")
        return list(order)
    if isinstance(values.dtype, pd.CategoricalDtype):
        return [c for c in values.cat.categories if c in present]
    try:
        return sorted(present)
    except TypeError:
        return present


@styled
def distributions(data: Any, value: str, group: str, *, ax: Axes | None = None,
                  order: Sequence[Any] | None = None, seed: SeedLike = 0,
                  jitter: float = 0.18, ylabel: str | None = None) -> Figure:
    """Each cohort's values: a box plot over every student's point (Weissgerber et al. 2015).

    Parameters
    ----------
    data
        One row per student (DataFrame or Records).
    value, group
        The numeric column and the cohort column.
    ax
        Axes to draw on (a new figure, wider with more groups, when None).
    order
        Groups in display order (default: category order, else sorted).
    seed
        Seed of the horizontal jitter (the points' x positions), so that the same data
        give the same figure.
    jitter
        Half-width of the jitter, in group spacings.
    ylabel
        Axis label (default: ``value``).

    Returns
    -------
    matplotlib.figure.Figure
        One box per group (median, quartiles, whiskers to the furthest point within
        1.5 IQR; no outlier markers, since every point is drawn) and the points (gid
        ``points_<k>``). Tick labels give each group's n; rows missing the value or the
        group are counted under the axis.

    Examples
    --------
    >>> import peereval
    >>> records = peereval.load_sample().records
    >>> fig = distributions(records, "gpa_year1", "mentored")
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['no\\n(n = 137)', 'yes\\n(n = 163)']
    """
    frame = frame_of(data)
    _require(frame, [value, group], "the data")
    numbers = pd.to_numeric(frame[value], errors="coerce")
    bad = numbers.isna() & frame[value].notna()
    if bad.any():
        raise PeerevalError(f"column '{value}' holds values that are not numbers",
                            column=value, value=frame.loc[bad, value].iloc[0],
                            hint="clean the column or pass a numeric one")
    keep = numbers.notna() & frame[group].notna()
    groups = _group_order(frame.loc[keep, group], order)
    fig, ax = figure_and_axes(ax, (1.6 + 1.1 * len(groups), 3.8))
    rng = as_generator(seed)
    arrays = []
    for k, name in enumerate(groups):
        values = numbers[keep & (frame[group] == name)].to_numpy(dtype=float)
        arrays.append(values)
        x = k + rng.uniform(-jitter, jitter, size=values.size)
        ax.scatter(x, values, s=10, color=CATEGORICAL[k % len(CATEGORICAL)], alpha=0.55,
                   edgecolors="none", zorder=1, gid=f"points_{k}")
    ax.boxplot(arrays, positions=range(len(groups)), widths=0.5, showfliers=False,
               patch_artist=True, zorder=2,
               boxprops={"facecolor": "none", "edgecolor": INK, "linewidth": 1},
               medianprops={"color": INK, "linewidth": 1.8},
               whiskerprops={"color": INK, "linewidth": 1},
               capprops={"color": INK, "linewidth": 1})
    ax.set_xticks(range(len(groups)))
    ax.set_xticklabels([display_text(f"{name}\n(n = {a.size})")
                        for name, a in zip(groups, arrays, strict=True)])
    ax.set_xlim(-0.6, len(groups) - 0.4)
    dropped = int((~keep).sum())
    ax.set_xlabel(display_text(group) + (f"\n{count_of(dropped, 'row')} without {value} or {group} "
                                         "not shown" if dropped else ""))
    ax.set_ylabel(display_text(ylabel or value))
    reference_grid(ax, "y")
    return fig


# --------------------------------------------------------------- adjusted means


@styled
def adjusted_means(result: Any, *, ax: Axes | None = None, raw: bool = True,
                   ylabel: str | None = None) -> Figure:
    """Adjusted means with their intervals from an ANCOVA, beside the raw means.

    Parameters
    ----------
    result
        An :class:`~peereval.outcomes.AncovaResult` (its ``adjusted_means`` table).
    ax
        Axes to draw on (a new 4 x 3.8 in figure when None).
    raw
        Also mark each group's unadjusted mean (hollow circle), to show what the
        adjustment changed.
    ylabel
        Axis label (default: the outcome).

    Returns
    -------
    matplotlib.figure.Figure
        Filled circles at the adjusted means, interval lines (gid ``ci_<group>``)
        from ``ci_low`` to ``ci_high``; the adjusted difference and its interval are
        printed above.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import ancova
    >>> records = peereval.load_sample().records
    >>> fig = adjusted_means(ancova(records, "gpa_year1", "mentored", ["gpa_entry"]))
    >>> [t.get_text() for t in fig.axes[0].get_xticklabels()]
    ['yes\\n(n = 163)', 'no\\n(n = 137)']
    """
    table = getattr(result, "adjusted_means", None)
    if not isinstance(table, pd.DataFrame):
        raise PeerevalError(f"expected an AncovaResult, not {type(result).__name__}",
                            hint="pass the result of peereval.outcomes.ancova(...)")
    fig, ax = figure_and_axes(ax, (4.0, 3.8))
    x = np.arange(len(table))
    for k, row in enumerate(table.itertuples()):
        colour = CATEGORICAL[k % len(CATEGORICAL)]
        ax.plot([k, k], [row.ci_low, row.ci_high], color=colour, linewidth=2,
                gid=f"ci_{row.group}", solid_capstyle="butt")
        ax.plot([k], [row.adjusted_mean], marker="o", markersize=8, color=colour,
                linestyle="none", gid=f"adjusted_{row.group}",
                label="Adjusted mean" if k == 0 else None)
        if raw:
            ax.plot([k + 0.18], [row.mean], marker="o", markersize=6, markerfacecolor="white",
                    markeredgecolor=colour, linestyle="none", gid=f"raw_{row.group}",
                    label="Unadjusted mean" if k == 0 else None)
    ax.set_xticks(x)
    ax.set_xticklabels([display_text(f"{g}\n(n = {n})")
                        for g, n in zip(table["group"], table["n"], strict=True)])
    ax.set_xlim(-0.6, len(table) - 0.4)
    ax.set_xlabel(display_text(str(result.group)))
    ax.set_ylabel(display_text(ylabel or str(result.outcome)))
    covariates = ", ".join(result.covariates)
    note = (f"Difference adjusted for {covariates}: {fmt(result.difference)}, "
            f"{fmt_ci(result.ci_low, result.ci_high, level=result.ci_level)}")
    ax.set_title(display_text(note, 44), fontsize="small", fontweight="normal", loc="left")
    handles = [Line2D([], [], marker="o", color=INK, linestyle="-", markersize=6,
                      label=f"Adjusted mean, {result.ci_level:.0%} CI")]
    if raw:
        handles.append(Line2D([], [], marker="o", markerfacecolor="white",
                              markeredgecolor=INK, linestyle="none", label="Unadjusted mean"))
    # below the axes: inside, it would cover the hollow unadjusted means
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.22), ncols=2,
              frameon=False, handletextpad=0.4, columnspacing=1.0)
    reference_grid(ax, "y")
    return fig


# -------------------------------------------------------------------- love plot


def balance_table(balance: Any) -> tuple[pd.DataFrame, float, str]:
    """The SMD table of a BalanceTable, a MatchResult / WeightResult or a DataFrame."""
    inner = getattr(balance, "balance", None)
    if inner is not None and not callable(inner):
        balance = inner
    if hasattr(balance, "table") and hasattr(balance, "threshold"):
        return balance.table, float(balance.threshold), str(balance.adjustment)
    if isinstance(balance, pd.DataFrame):
        _require(balance, ["covariate", "smd_before"], "the balance table")
        return balance, 0.1, "adjustment"
    raise PeerevalError(f"cannot draw the balance of a {type(balance).__name__}",
                        hint="pass a BalanceTable (MatchResult.balance) or a DataFrame with "
                        "covariate, smd_before and smd_after")


@renamed(balance="result")
@styled
def love(result: Any, *, ax: Axes | None = None, absolute: bool = True,
         threshold: float | None = None, distance: bool = True, order: str = "before"
         ) -> Figure:
    """Love plot: each covariate's standardised mean difference before and after.

    Parameters
    ----------
    result
        A :class:`~peereval.outcomes.BalanceTable`, a result holding one
        (:class:`~peereval.outcomes.MatchResult`, ``WeightResult``) or a DataFrame with
        ``covariate``, ``smd_before`` and optionally ``smd_after``. (Formerly
        ``balance=``, which still works with a :class:`DeprecationWarning`.)
    ax
        Axes to draw on (a new figure when None).
    absolute
        Plot |SMD| (Austin 2009), else signed SMDs with lines at ±threshold.
    threshold
        The reference line (default: the table's, 0.1).
    distance
        Include the distance measure (propensity score) row.
    order
        ``"before"``: largest imbalance before adjustment at the top; ``"table"``:
        the table's order.

    Returns
    -------
    matplotlib.figure.Figure
        Hollow vermillion circles before (gid ``smd_before``), filled blue circles
        after (gid ``smd_after``), a grey segment joining each pair and dashed lines
        at the threshold (Ahmed et al. 2006; Austin 2009).

    Examples
    --------
    >>> import warnings, peereval
    >>> from peereval.outcomes import propensity_match
    >>> records = peereval.load_sample().records
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")
    ...     matched = propensity_match(records, "mentored", ["gpa_entry", "sex", "age"],
    ...                                replace=True, seed=1)
    >>> fig = love(matched)
    >>> len(fig.axes[0].get_yticklabels())
    5
    """
    table, default_threshold, adjustment = balance_table(result)
    threshold = default_threshold if threshold is None else threshold
    if order not in ("before", "table"):
        raise ValueError("order must be 'before' or 'table'")
    rows = table
    if not distance and "kind" in rows:
        rows = rows[rows["kind"] != "distance"]
    before = rows["smd_before"].to_numpy(dtype=float)
    after = rows["smd_after"].to_numpy(dtype=float) if "smd_after" in rows else None
    if absolute:
        before = np.abs(before)
        after = np.abs(after) if after is not None else None
    index = np.arange(len(rows))
    if order == "before":
        index = np.argsort(-np.abs(before), kind="stable")
    names = rows["covariate"].astype(str).to_numpy()[index]
    before = before[index]
    after = after[index] if after is not None else None
    fig, ax = figure_and_axes(ax, (5.5, 1.2 + 0.32 * len(rows)))
    y = np.arange(len(rows))
    if after is not None:
        ax.add_collection(LineCollection([[(b, k), (a, k)] for k, (b, a) in
                                          enumerate(zip(before, after, strict=True))],
                                         colors=NEUTRAL, linewidths=1, zorder=1))
    word = {"matching": "matching", "weighting": "weighting"}.get(adjustment, "adjustment")
    ax.scatter(before, y, s=36, facecolors="white", edgecolors=OKABE_ITO["vermillion"],
               linewidths=1.4, zorder=3, gid="smd_before", label=f"Before {word}")
    if after is not None:
        ax.scatter(after, y, s=36, color=CATEGORICAL[0], zorder=4, gid="smd_after",
                   label=f"After {word}")
    for line in ([threshold] if absolute else [-threshold, threshold]):
        ax.axvline(line, color=INK, linestyle="--", linewidth=1, gid="threshold")
    ax.axvline(0, color=NEUTRAL, linewidth=0.8, zorder=0)
    ax.set_yticks(y)
    ax.set_yticklabels([display_text(name, 30) for name in names])
    ax.set_ylim(len(rows) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    values = np.concatenate([before, after if after is not None else []])
    reach = max(float(np.nanmax(np.abs(values))) if values.size else 0.0, threshold) * 1.1
    ax.set_xlim(0 if absolute else -reach, reach)
    ax.set_xlabel(("Absolute standardised" if absolute else "Standardised")
                  + " mean difference")
    ax.legend(loc="lower right")
    reference_grid(ax, "x")
    return fig


# ------------------------------------------------------------------- pre / post


@styled
def pre_post(data: Any, before: str, after: str, *, result: Any = None,
             ax: Axes | None = None, labels: Sequence[str] | None = None,
             ylabel: str | None = None) -> Figure:
    """Paired measurements: one line per student, the means on top.

    Parameters
    ----------
    data
        One row per student with the two measurements (DataFrame or Records).
    before, after
        The two columns.
    result
        The :class:`~peereval.outcomes.PrePostResult` of the same data, whose means
        and mean change are drawn; computed with :func:`peereval.outcomes.pre_post`
        when not given.
    ax
        Axes to draw on (a new 4 x 4 in figure when None).
    labels
        Names of the two occasions on the x axis (default: the column names).
    ylabel
        Axis label.

    Returns
    -------
    matplotlib.figure.Figure
        Grey lines from each student's ``before`` to ``after`` value (a LineCollection
        with gid ``people``; students missing either value are not drawn and are
        counted under the axis), the means joined by a thick line (gid ``means``) and
        the mean change with its interval as the title.

    Examples
    --------
    >>> import pandas as pd
    >>> scores = pd.DataFrame({"pre": [50, 55, 61, 48, 70], "post": [58, 57, 66, 55, 71]})
    >>> fig = pre_post(scores, "pre", "post")
    >>> len(fig.axes[0].collections[0].get_segments())
    5
    """
    frame = frame_of(data)
    _require(frame, [before, after], "the data")
    if result is None:
        from peereval.outcomes import pre_post as analyse

        result = analyse(frame, before, after)
    elif (getattr(result, "before", None), getattr(result, "after", None)) != (before, after):
        raise PeerevalError(
            f"the result compares {getattr(result, 'before', '?')!r} and "
            f"{getattr(result, 'after', '?')!r}, not {before!r} and {after!r}",
            hint="pass the PrePostResult of these two columns")
    b = pd.to_numeric(frame[before], errors="coerce").to_numpy(dtype=float)
    a = pd.to_numeric(frame[after], errors="coerce").to_numpy(dtype=float)
    both = ~(np.isnan(b) | np.isnan(a))
    if int(both.sum()) != result.n:
        raise PeerevalError(
            f"the result used {result.n} students but the data have {int(both.sum())} "
            "complete pairs", hint="pass the data the result was computed from")
    fig, ax = figure_and_axes(ax, (4.0, 4.0))
    segments = [[(0.0, bv), (1.0, av)] for bv, av in zip(b[both], a[both], strict=True)]
    people = LineCollection(segments, colors=NEUTRAL, linewidths=0.8,
                            alpha=max(0.15, min(0.7, 12 / max(len(segments), 1))), zorder=1)
    people.set_gid("people")
    ax.add_collection(people)
    ax.plot([0, 1], [result.mean_before, result.mean_after], color=INK, linewidth=2.6,
            marker="o", markersize=7, zorder=3, gid="means", label="Mean")
    ax.set_xticks([0, 1])
    names = list(labels) if labels is not None else [before, after]
    ax.set_xticklabels([display_text(name) for name in names])
    ax.set_xlim(-0.35, 1.35)
    ax.autoscale_view(scalex=False)
    dropped = int((~both).sum())
    if dropped:
        ax.set_xlabel(f"{count_of(dropped, 'student')} missing a measurement not shown")
    ax.set_ylabel(display_text(ylabel or "Value"))
    ax.set_title(f"n = {result.n}; mean change {fmt(result.mean_change)}, "
                 f"{fmt_ci(result.ci_low, result.ci_high, level=result.ci_level)}",
                 fontsize="small", fontweight="normal", loc="left")
    ax.legend(handles=[Line2D([], [], color=INK, linewidth=2.6, marker="o", label="Mean"),
                       Line2D([], [], color=NEUTRAL, linewidth=1, label="One student")],
              loc="best")
    reference_grid(ax, "y")
    return fig
