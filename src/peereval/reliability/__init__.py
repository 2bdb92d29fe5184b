"""Reliability of scales and raters.

* :func:`alpha`: Cronbach's alpha, raw and standardised, Feldt and bootstrap
  (percentile, BCa) intervals; :func:`item_analysis`: item statistics and flags.
* :func:`omega`: McDonald's omega total (one factor) and, from a Schmid-Leiman
  bifactor solution, omega hierarchical and total; ordinal versions from
  :func:`polychoric` correlations (:func:`polyserial` for item-total pairs).
* :func:`split_half`: Spearman-Brown for odd-even and random splits, Guttman's
  lambda 2, 4 and 6.
* :func:`icc`: the six Shrout-Fleiss intraclass correlations with McGraw-Wong names;
  :func:`test_retest` compares two scored administrations matched by a common key.
* :func:`cohen_kappa`, :func:`fleiss_kappa`, :func:`krippendorff_alpha`: agreement.
* :func:`scale_reliability`: every scale of an instrument in one table.

Every function takes a DataFrame and column names, never modifies it, reports the n
it used and what it dropped, and returns a result with ``.to_frame()`` and ``.apa()``.
The implementation modules are private (``_alpha``, ``_omega``, ...) so that a module
never shadows the function of the same name.
"""

from __future__ import annotations

from peereval._lazy import lazy_attributes

_NAMES = {
    "alpha": "peereval.reliability._alpha",
    "AlphaResult": "peereval.reliability._alpha",
    "item_analysis": "peereval.reliability._alpha",
    "ItemAnalysis": "peereval.reliability._alpha",
    "omega": "peereval.reliability._omega",
    "OmegaResult": "peereval.reliability._omega",
    "polychoric": "peereval.reliability._polychoric",
    "polyserial": "peereval.reliability._polychoric",
    "PolychoricResult": "peereval.reliability._polychoric",
    "split_half": "peereval.reliability._split_half",
    "SplitHalfResult": "peereval.reliability._split_half",
    "icc": "peereval.reliability._icc",
    "ICCResult": "peereval.reliability._icc",
    "test_retest": "peereval.reliability._icc",
    "cohen_kappa": "peereval.reliability._agreement",
    "fleiss_kappa": "peereval.reliability._agreement",
    "krippendorff_alpha": "peereval.reliability._agreement",
    "KappaResult": "peereval.reliability._agreement",
    "scale_reliability": "peereval.reliability._report",
    "ScaleReliability": "peereval.reliability._report",
}

__all__ = sorted(_NAMES)


__getattr__, __dir__ = lazy_attributes("peereval.reliability", _NAMES, globals())
