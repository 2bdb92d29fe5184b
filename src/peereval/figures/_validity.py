"""Figures of questionnaire validity: scree with parallel analysis, loadings, CVR/CVI.

References
----------
Horn, J. L. (1965). A rationale and test for the number of factors in factor
analysis. *Psychometrika*, 30, 179-185.

Cattell, R. B. (1966). The scree test for the number of factors. *Multivariate
Behavioral Research*, 1, 245-276.

Lawshe, C. H. (1975). A quantitative approach to content validity. *Personnel
Psychology*, 28, 563-575.

Polit, D. F., & Beck, C. T. (2006). The content validity index: Are you sure you know
what's being reported? *Research in Nursing & Health*, 29, 489-497.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, MultipleLocator

from peereval._format import fmt
from peereval.errors import PeerevalError
from peereval.figures._style import (
    CATEGORICAL,
    DECISION,
    DIVERGING_MAP,
    INK,
    NEUTRAL,
    figure_and_axes,
    new_figure,
    reference_grid,
    styled,
)
from peereval.figures._text import display_text

__all__ = ["content_validity", "loadings", "scree"]

_KINDS = {"pc": ("components", CATEGORICAL[0], "o"), "fa": ("factors", CATEGORICAL[1], "s")}


@styled
def scree(result: Any, *, ax: Axes | None = None, kind: str = "both",
          simulated: str = "quantile") -> Figure:
    """Scree plot with the parallel-analysis reference curves (Horn 1965).

    Parameters
    ----------
    result
        A :class:`~peereval.validity.ParallelAnalysis`, or the
        :class:`~peereval.validity.FactorRetention` that holds one.
    ax
        Axes to draw on (a new 5.5 x 3.8 in figure when None).
    kind
        ``"pc"`` (eigenvalues of the correlation matrix, for components), ``"fa"``
        (of the reduced matrix, for common factors) or ``"both"``.
    simulated
        Which simulated curve to draw: ``"quantile"`` (the one the retention rule
        compares with), ``"mean"`` or ``"both"``.

    Returns
    -------
    matplotlib.figure.Figure
        Observed eigenvalues as solid lines with markers (Cattell's 1966 scree),
        simulated ones dashed (quantile) or dotted (mean); the line ids (``gid``) are
        the table's column names. The legend title gives the number of components and
        factors the analysis retained.

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import parallel_analysis
    >>> study = peereval.load_sample()
    >>> result = parallel_analysis(study.scores.items, n_iter=50, seed=1)
    >>> fig = scree(result)
    >>> [line.get_gid() for line in fig.axes[0].lines]
    ['pc_observed', 'pc_quantile', 'fa_observed', 'fa_quantile', 'zero']
    """
    if kind not in ("pc", "fa", "both"):
        raise ValueError("kind must be 'pc', 'fa' or 'both'")
    if simulated not in ("quantile", "mean", "both"):
        raise ValueError("simulated must be 'quantile', 'mean' or 'both'")
    result = getattr(result, "parallel", result)  # a FactorRetention holds its analysis
    table = getattr(result, "table", None)
    if not isinstance(table, pd.DataFrame) or "pc_observed" not in table.columns:
        raise PeerevalError(
            f"cannot draw a scree plot of a {type(result).__name__}",
            hint="pass the result of peereval.validity.parallel_analysis(...) or "
                 "factor_retention(...)")
    fig, ax = figure_and_axes(ax, (5.5, 3.8))
    x = table["position"].to_numpy()
    prefixes = ["pc", "fa"] if kind == "both" else [kind]
    curves = {"quantile": ("--", f"simulated ({result.quantile:.0%} quantile)"),
              "mean": (":", "simulated (mean)")}
    which = ["quantile", "mean"] if simulated == "both" else [simulated]
    for prefix in prefixes:
        name, colour, marker = _KINDS[prefix]
        ax.plot(x, table[f"{prefix}_observed"].to_numpy(), color=colour, marker=marker,
                label=f"Observed, {name}", gid=f"{prefix}_observed", zorder=3)
        for curve in which:
            style, text = curves[curve]
            ax.plot(x, table[f"{prefix}_{curve}"].to_numpy(), color=colour, linestyle=style,
                    label=f"{text[0].upper()}{text[1:]}, {name}", gid=f"{prefix}_{curve}")
    low = min(float(table[[f"{p}_{c}" for p in prefixes for c in ["observed", *which]]]
                    .to_numpy().min()), 0.0)
    if low < 0:
        ax.axhline(0, color=NEUTRAL, linewidth=0.8, zorder=1, gid="zero")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Position (component or factor number)")
    ax.set_ylabel("Eigenvalue")
    retained = []
    if "pc" in prefixes:
        retained.append(f"{result.n_components} component{'s' * (result.n_components != 1)}")
    if "fa" in prefixes:
        retained.append(f"{result.n_factors} factor{'s' * (result.n_factors != 1)}")
    ax.legend(title="Retained: " + ", ".join(retained), loc="upper right")
    reference_grid(ax, "y")
    return fig


@styled
def loadings(result: Any, *, ax: Axes | None = None, cutoff: float = 0.30,
             labels: Mapping[str, str] | None = None, wrap: int = 40, sort: bool = True,
             colorbar: bool = True) -> Figure:
    """Heatmap of factor loadings, items sorted by factor, values printed in the cells.

    Parameters
    ----------
    result
        An :class:`~peereval.validity.EFAResult`.
    ax
        Axes to draw on (a new figure sized by items and factors when None).
    cutoff
        Loadings with smaller absolute value are printed in grey (the colour still
        shows them); the order is that of :meth:`EFAResult.sorted` at this cutoff.
    labels
        Item code -> text to show instead of the code (e.g. ``instrument.item_text``);
        Persian texts are shaped.
    wrap
        Wrap item texts to lines of this many characters.
    sort
        Order items by the factor they load on most, then by loading
        (``EFAResult.sorted``); False keeps the analysis order.
    colorbar
        Draw the colour scale (-1 to 1, ColorBrewer RdBu: negative red, positive blue).

    Returns
    -------
    matplotlib.figure.Figure
        The image's array is the loadings matrix in the displayed order.

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import efa
    >>> study = peereval.load_sample()
    >>> fig = loadings(efa(study.scores.items, n_factors=3, rotation="oblimin"))
    >>> fig.axes[0].images[0].get_array().shape
    (18, 3)
    """
    matrix = result.loadings
    order = list(result.sorted(cutoff).index) if sort else list(matrix.index)
    shown = matrix.loc[order]
    values = shown.to_numpy(dtype=float)
    n_items, n_factors = values.shape
    fig, ax = figure_and_axes(ax, (2.6 + 0.75 * n_factors + (1.6 if labels else 0),
                                   1.0 + 0.26 * n_items))
    image = ax.imshow(values, cmap=DIVERGING_MAP, vmin=-1, vmax=1, aspect="auto",
                      interpolation="nearest")
    image.set_gid("loadings")
    for i in range(n_items):
        for j in range(n_factors):
            value = values[i, j]
            strong = abs(value) >= cutoff
            colour = ("white" if abs(value) >= 0.6 else INK) if strong else "#8C8C8C"
            ax.text(j, i, fmt(value, 2, leading_zero=False), ha="center", va="center",
                    fontsize=7.5, color=colour, fontweight="bold" if strong else "normal",
                    gid=f"loading_{i}_{j}")
    ax.set_xticks(range(n_factors))
    ax.set_xticklabels([str(c) for c in shown.columns])
    ax.xaxis.tick_top()
    ax.set_yticks(range(n_items))
    names = [labels.get(code, code) if labels else code for code in order]
    ax.set_yticklabels([display_text(name, wrap) for name in names])
    ax.tick_params(length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if colorbar:
        bar = fig.colorbar(image, ax=ax, shrink=min(1.0, 4 / max(n_items / 4, 1)),
                           aspect=20, pad=0.02)
        bar.set_label("Loading")
        bar.outline.set_visible(False)
        bar.ax.tick_params(length=2)
    return fig


@styled
def content_validity(result: Any, *, ax: Axes | Sequence[Axes] | None = None,
                     index: str = "both", labels: Mapping[str, str] | None = None,
                     wrap: int = 40) -> Figure:
    """Each item's CVR and I-CVI against its critical value, coloured by decision.

    Parameters
    ----------
    result
        A :class:`~peereval.validity.ContentValidity`.
    ax
        One Axes (with ``index="cvr"`` or ``"icvi"``), two Axes (CVR, I-CVI) or None
        (a new figure with a panel per index the panel rated).
    index
        ``"cvr"`` (Lawshe's content validity ratio, -1 to 1), ``"icvi"`` (item-level
        content validity index, 0 to 1) or ``"both"``. Indices the panel was not
        asked for (all missing) are left out.
    labels
        Item code -> text shown instead of the code.
    wrap
        Wrap item texts to lines of this many characters.

    Returns
    -------
    matplotlib.figure.Figure
        Points at each item's index (gid ``cvr_points`` / ``icvi_points``), coloured
        and shaped by the decision (keep: green circle, revise: orange diamond, drop:
        vermillion cross); dashed lines at the critical CVR (Lawshe 1975, as computed
        for the panel) and the I-CVI threshold (Polit & Beck 2006), one line when every
        item shares it, else a short mark per item.

    Examples
    --------
    >>> import peereval
    >>> from peereval.validity import content_validity as cv
    >>> panel = peereval.read_expert_panel(peereval.sample_path("expert_panel"),
    ...     relevance_sheet="relevance", essentiality_sheet="essentiality")
    >>> fig = content_validity(cv(panel.relevance, essentiality=panel.essentiality))
    >>> [a.get_xlabel() for a in fig.axes]
    ['CVR (content validity ratio)', 'I-CVI (item content validity index)']
    """
    if index not in ("cvr", "icvi", "both"):
        raise ValueError("index must be 'cvr', 'icvi' or 'both'")
    items = result.items
    available = [name for name in ("cvr", "icvi")
                 if name in items and items[name].notna().any()]
    wanted = [name for name in available if index in (name, "both")]
    if not wanted:
        raise PeerevalError(f"the panel gave no {index.upper()} ratings to plot"
                            if index != "both" else "the result holds neither CVR nor I-CVI")
    n_items = len(items)
    if ax is None:
        fig, axes = new_figure((2.4 + 2.6 * len(wanted) + (1.6 if labels else 0),
                                1.1 + 0.26 * n_items), ncols=len(wanted), sharey=True,
                               squeeze=False)
        axes = list(axes[0])
    else:
        axes = [ax] if isinstance(ax, Axes) else list(ax)
        if len(axes) != len(wanted):
            raise PeerevalError(
                f"{len(wanted)} panel(s) to draw ({', '.join(wanted)}) but {len(axes)} "
                "Axes given", hint="pass index='cvr' or index='icvi' with one Axes, or two "
                "Axes for both")
        fig = axes[0].get_figure(root=True)
    y = np.arange(n_items)
    codes = items["item"].astype(str).tolist()
    names = [labels.get(code, code) if labels else code for code in codes]
    decisions = items["decision"].astype(str).tolist()
    for axis, name in zip(axes, wanted, strict=True):
        _index_panel(axis, items, name, y, decisions)
    first = axes[0]
    first.set_yticks(y)
    first.set_yticklabels([display_text(n, wrap) for n in names])
    first.set_ylim(n_items - 0.5, -0.5)
    for axis in axes:
        axis.tick_params(axis="y", length=0)
        axis.spines["left"].set_visible(False)
    handles = [Line2D([], [], linestyle="none", marker=_MARKERS[d], color=DECISION[d],
                      markersize=6, label=d) for d in ("keep", "revise", "drop")]
    handles.append(Line2D([], [], color=INK, linestyle="--", linewidth=1, label="critical"))
    axes[-1].legend(handles=handles, loc="lower left", bbox_to_anchor=(1.0, 0.0),
                    title="Decision")
    return fig


_MARKERS = {"keep": "o", "revise": "D", "drop": "X"}
_TITLES = {"cvr": ("CVR (content validity ratio)", "cvr_crit", (-1.05, 1.05)),
           "icvi": ("I-CVI (item content validity index)", "icvi_threshold", (-0.02, 1.05))}


def _index_panel(ax: Axes, items: pd.DataFrame, name: str, y: np.ndarray,
                 decisions: list[str]) -> None:
    label, critical_column, limits = _TITLES[name]
    x = items[name].to_numpy(dtype=float)
    colours = [DECISION.get(d, NEUTRAL) for d in decisions]
    markers = [_MARKERS.get(d, "o") for d in decisions]
    for marker in dict.fromkeys(markers):
        chosen = [i for i, m in enumerate(markers) if m == marker]
        ax.scatter(x[chosen], y[chosen], c=[colours[i] for i in chosen], marker=marker,
                   s=34, zorder=3, gid=f"{name}_points_{marker}", edgecolors="none")
    critical = items[critical_column].to_numpy(dtype=float)
    present = critical[~np.isnan(critical)]
    if present.size and np.allclose(present, present[0]):
        ax.axvline(present[0], color=INK, linestyle="--", linewidth=1, zorder=2,
                   gid=f"{name}_critical")
        ax.annotate(fmt(present[0], 2, leading_zero=False), xy=(present[0], 1),
                    xycoords=("data", "axes fraction"), xytext=(0, 2),
                    textcoords="offset points", ha="center", va="bottom", fontsize="small")
    elif present.size:
        ax.vlines(critical, y - 0.4, y + 0.4, color=INK, linestyle="--", linewidth=1,
                  zorder=2, gid=f"{name}_critical")
    if name == "cvr":
        ax.axvline(0, color=NEUTRAL, linewidth=0.8, zorder=1)
    ax.set_xlim(*limits)
    ax.xaxis.set_major_locator(MultipleLocator(0.5 if name == "cvr" else 0.2))
    ax.set_xlabel(label)
    reference_grid(ax, "x")
