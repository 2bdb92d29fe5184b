"""The one style every peereval figure shares.

* **Colour.** Categories (cohorts, groups) take the Okabe-Ito palette (Okabe & Ito
  2008), distinguishable with the common colour-vision deficiencies and in greyscale
  by lightness. Ordered responses (Likert options) and signed values (factor
  loadings) take ColorBrewer's diverging RdBu scheme (Brewer 2003; rated
  colour-blind safe), disagreement red and agreement blue, with a neutral grey
  middle. Decisions (keep / revise / drop) use Okabe-Ito green, orange and
  vermillion and also differ by marker shape.
* **Type.** DejaVu Sans, which ships with matplotlib (so every machine draws the same
  glyphs) and covers Latin, Greek and the Persian presentation forms; 8-10 pt at the
  default sizes, which stay legible when a figure is printed at column width.
* **No chart junk** (Tufte 1983): no top and right spines, no background grid
  except faint reference lines where values are read off an axis, no frames around
  legends, no 3-D, no shadows.
* **Layout.** matplotlib's constrained layout, so long item texts fit without
  ``bbox_inches="tight"`` and the saved size is exactly the figure size.

Styling is applied with :func:`matplotlib.rc_context` while a figure is drawn, so a
user's own rcParams are never changed.

References
----------
Brewer, C. A. (2003). A transition in improving maps: The ColorBrewer example.
*Cartography and Geographic Information Science*, 30, 159-162.

Okabe, M., & Ito, K. (2008). *Color Universal Design (CUD): How to make figures and
presentations that are friendly to colorblind people*. J*Fly.

Tufte, E. R. (1983). *The Visual Display of Quantitative Information*. Graphics Press.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable
from typing import Any, TypeVar

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

from peereval.figures._text import arabic_font, has_arabic, is_shaped

__all__ = ["CATEGORICAL", "DECISION", "NEUTRAL", "OKABE_ITO", "STYLE", "PeerevalFigure",
           "diverging", "figure_and_axes", "styled"]

#: The eight colours of Okabe & Ito (2008).
OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}
#: Order in which categories (groups, cohorts) take Okabe-Ito colours: the most
#: distinct first, yellow (weak on white) late.
CATEGORICAL: tuple[str, ...] = tuple(OKABE_ITO[name] for name in (
    "blue", "orange", "bluish_green", "vermillion", "reddish_purple", "sky_blue",
    "yellow", "black"))
#: Colours of content-validity decisions.
DECISION: dict[str, str] = {"keep": OKABE_ITO["bluish_green"], "revise": OKABE_ITO["orange"],
                            "drop": OKABE_ITO["vermillion"]}
#: Grey for neutral options, reference lines and individual trajectories.
NEUTRAL = "#BDBDBD"
INK = "#333333"
DIVERGING_MAP = "RdBu"

STYLE: dict[str, Any] = {
    "font.family": ["DejaVu Sans"],
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "axes.linewidth": 0.8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": False,
    "axes.axisbelow": True,
    "axes.prop_cycle": mpl.cycler(color=list(CATEGORICAL)),
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.major.width": 0.8,
    "ytick.major.width": 0.8,
    "legend.fontsize": 8,
    "legend.frameon": False,
    "legend.title_fontsize": 8,
    "lines.linewidth": 1.3,
    "lines.markersize": 5,
    "patch.linewidth": 0.5,
    "grid.color": "#E0E0E0",
    "grid.linewidth": 0.6,
    "figure.facecolor": "white",
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.facecolor": "white",
    "svg.fonttype": "path",
    "svg.hashsalt": "peereval",
    "image.cmap": "viridis",
    "axes.unicode_minus": True,
}


def diverging(k: int) -> list[str]:
    """``k`` colours for ordered options, lowest (red) to highest (blue).

    Sampled symmetrically from ColorBrewer's RdBu, skipping its darkest ends; when
    ``k`` is odd the middle (neutral) option is grey rather than RdBu's near-white,
    so it stays visible on a white page.

    Parameters
    ----------
    k
        Number of response options.

    Returns
    -------
    list[str]
        ``k`` hex colour strings, lowest option first.

    Examples
    --------
    >>> diverging(5)[2], len(diverging(4))
    ('#bdbdbd', 4)
    """
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    cmap = colormaps[DIVERGING_MAP]
    colours = [to_hex(cmap(x)) for x in np.linspace(0.08, 0.92, k)]
    if k % 2:
        colours[k // 2] = NEUTRAL.lower()
    return colours


class PeerevalFigure(Figure):
    """A matplotlib Figure that shows itself in notebooks without pyplot.

    Figures are built without :mod:`matplotlib.pyplot` (no global figure registry
    to leak memory, no GUI window); ``_repr_png_`` lets Jupyter display one that is
    the value of a cell even when pyplot's inline backend was never loaded.
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        with mpl.rc_context(STYLE):
            self.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()


def new_figure(size: tuple[float, float], ncols: int = 1, **kwargs: Any
               ) -> tuple[Figure, Any]:
    """A new figure with constrained layout and ``ncols`` axes side by side.

    The padding (6 pt) leaves room for glyphs that overhang their advance width, such
    as final Persian letters at the left edge of a label column.
    """
    fig = PeerevalFigure(figsize=size, layout="constrained")
    fig.get_layout_engine().set(w_pad=6 / 72, h_pad=6 / 72)
    axes = fig.subplots(1, ncols, **kwargs)
    return fig, axes


def figure_and_axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    """The caller's axes and its figure, or a new figure of ``size`` inches."""
    if ax is None:
        return new_figure(size)
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None, not {type(ax).__name__}")
    return ax.get_figure(root=True), ax


def apply_fonts(fig: Figure) -> None:
    """Give every Persian label (shaped, or in logical order for matplotlib's own
    layout) a font with its glyphs."""
    for text in fig.findobj(Text):
        value = text.get_text()
        if value and (has_arabic(value) or is_shaped(value)):
            family = arabic_font(value)
            if text.get_fontfamily()[:1] != [family]:
                text.set_fontfamily([family])


def reference_grid(ax: Axes, axis: str = "x") -> None:
    """Faint grid lines along ``axis`` to read values off, behind the data."""
    ax.grid(True, axis=axis, color=STYLE["grid.color"], linewidth=STYLE["grid.linewidth"])
    ax.set_axisbelow(True)


F = TypeVar("F", bound=Callable[..., Figure])


def styled(func: F) -> F:
    """Draw inside the shared style; give Persian labels their font."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Figure:
        with mpl.rc_context(STYLE):
            fig = func(*args, **kwargs)
            apply_fonts(fig)
            for axes in fig.axes:  # create tick labels now, in the style
                axes.xaxis.get_major_ticks()
                axes.yaxis.get_major_ticks()
        return fig

    return wrapper  # type: ignore[return-value]
