"""Writing figures: SVG text and 300-dpi PNG, byte-identical for identical input.

matplotlib's defaults make two saves of the same figure differ: the SVG carries the
date in its metadata and random ids for clip paths and glyph definitions, and the
PNG records the matplotlib version as "Software". Here the SVG gets no date and a
fixed hash salt (``svg.hashsalt``), so its ids are hashes of the content, and the PNG
gets no text chunks, so the same figure on the same matplotlib and FreeType gives the
same bytes. Text is written as paths in the SVG: it shows identically, Persian
included, on a machine without the font.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib as mpl
from matplotlib.figure import Figure

from peereval.figures._style import STYLE

__all__ = ["render", "save"]

_SVG_METADATA = {"Date": None, "Creator": None}
_PNG_METADATA = {"Software": None}


def render(fig: Figure, *, dpi: int = 300) -> tuple[str, bytes]:
    """The figure as SVG text and PNG bytes (``dpi`` dots per inch), deterministically.

    The report stores figures this way (:class:`peereval.report._model.Figure`).
    The PNG measures exactly the figure size times ``dpi`` (no tight bounding box:
    the figures use constrained layout instead).

    Parameters
    ----------
    fig
        A matplotlib figure.
    dpi
        Resolution of the PNG, in dots per inch.

    Returns
    -------
    svg : str
        The SVG document.
    png : bytes
        The PNG image.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> _ = fig.add_subplot().plot([0, 1], [1, 0])
    >>> svg, png = render(fig)
    >>> svg.startswith("<?xml"), png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    (True, True)
    >>> render(fig) == (svg, png)
    True
    """
    svg_buffer = io.BytesIO()
    png_buffer = io.BytesIO()
    with mpl.rc_context({**STYLE, "svg.hashsalt": STYLE["svg.hashsalt"],
                         "svg.fonttype": "path"}):
        fig.savefig(svg_buffer, format="svg", metadata=_SVG_METADATA)
        fig.savefig(png_buffer, format="png", dpi=dpi, metadata=_PNG_METADATA)
    return svg_buffer.getvalue().decode("utf-8"), png_buffer.getvalue()


def save(fig: Figure, path_stem: str | Path, *, dpi: int = 300) -> tuple[Path, Path]:
    """Write ``<path_stem>.svg`` and ``<path_stem>.png`` (300 dpi); return both paths.

    A ``.svg`` or ``.png`` ending on ``path_stem`` is dropped; missing folders are
    created. Saving the same figure twice writes identical bytes (see
    :func:`render`).

    Parameters
    ----------
    fig
        A matplotlib figure.
    path_stem
        The path without its extension; folders that do not exist are created.
    dpi
        Resolution of the PNG, in dots per inch.

    Returns
    -------
    svg, png : pathlib.Path
        The two files written.

    Examples
    --------
    >>> import tempfile
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     svg, png = save(fig, Path(folder) / "figures" / "empty")
    ...     svg.name, png.name
    ('empty.svg', 'empty.png')
    """
    stem = Path(path_stem)
    if stem.suffix.lower() in (".svg", ".png"):
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    svg, png = render(fig, dpi=dpi)
    svg_path = stem.with_name(stem.name + ".svg")
    png_path = stem.with_name(stem.name + ".png")
    svg_path.write_bytes(svg.encode("utf-8"))
    png_path.write_bytes(png)
    return svg_path, png_path
