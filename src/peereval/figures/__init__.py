"""Publication-quality figures of peereval's results, in one shared style.

Every function takes a result object (or the table or data it names) and ``ax=None``:
it draws on the given matplotlib Axes, or on a new figure, and returns the
:class:`matplotlib.figure.Figure`. Figures compute no statistics of their own.

Perception

* :func:`likert`: diverging stacked bars of a
  :class:`~peereval.perception.PerceptionSummary`, grouped by scale, optionally by
  cohort, with the top-two-box percentage (Heiberger & Robbins 2014).

Validity

* :func:`scree`: eigenvalues with the parallel-analysis curves
  (:class:`~peereval.validity.ParallelAnalysis`).
* :func:`loadings`: heatmap of an :class:`~peereval.validity.EFAResult`, sorted,
  values printed.
* :func:`content_validity`: CVR and I-CVI per item with critical lines and decision
  colours (:class:`~peereval.validity.ContentValidity`).

Outcomes

* :func:`forest`: effect sizes with intervals (ManyComparisons, MetaAnalysis with a
  pooled diamond, or a table).
* :func:`distributions`: box plot and seeded jittered points per cohort.
* :func:`adjusted_means`: ANCOVA adjusted means with intervals.
* :func:`love`: covariate balance before and after matching or weighting.
* :func:`pre_post`: paired measurements, one line per student, and the means.

Output

* :func:`save`: ``<stem>.svg`` and a 300-dpi ``<stem>.png``, byte-identical for the same
  figure; :func:`render` returns the same as text and bytes.
* :func:`display_text`: shape a Persian string for matplotlib (used for every label).

The style (:data:`STYLE`, Okabe-Ito categories, ColorBrewer RdBu for ordered
responses, DejaVu Sans) is applied while drawing, without touching the user's
rcParams. Nothing here imports :mod:`matplotlib.pyplot`: no window opens, and figures
display in notebooks as PNG.

Implementation modules are private so that no module shadows its function.
"""

from __future__ import annotations

from peereval._lazy import lazy_attributes

_NAMES = {
    "likert": "peereval.figures._likert",
    "scree": "peereval.figures._validity",
    "loadings": "peereval.figures._validity",
    "content_validity": "peereval.figures._validity",
    "forest": "peereval.figures._outcomes",
    "forest_table": "peereval.figures._outcomes",
    "distributions": "peereval.figures._outcomes",
    "adjusted_means": "peereval.figures._outcomes",
    "love": "peereval.figures._outcomes",
    "pre_post": "peereval.figures._outcomes",
    "save": "peereval.figures._save",
    "render": "peereval.figures._save",
    "display_text": "peereval.figures._text",
    "STYLE": "peereval.figures._style",
    "OKABE_ITO": "peereval.figures._style",
    "CATEGORICAL": "peereval.figures._style",
    "DECISION": "peereval.figures._style",
    "diverging": "peereval.figures._style",
}

__all__ = sorted(_NAMES)

__getattr__, __dir__ = lazy_attributes("peereval.figures", _NAMES, globals())
