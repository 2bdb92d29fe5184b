"""Validity evidence for a questionnaire.

* :func:`content_validity`: Lawshe's CVR with critical values, I-CVI, S-CVI/Ave,
  S-CVI/UA, modified kappa, impact score, and a decision per item, by the thresholds
  of a :class:`ContentValidityRules`.
* :func:`factorability`: KMO and per-item MSA, Bartlett's test, determinant.
* :func:`efa`: exploratory factor analysis (minres, ML, principal axis, principal
  components; varimax, quartimax, promax, oblimin, geomin), factor scores.
* :func:`parallel_analysis`, :func:`map_test`, :func:`factor_retention`: how many
  factors, with one recommendation and its reasons.
* :func:`cfa`: confirmatory factor analysis from lavaan-style syntax, ML estimation,
  fit indices, standardised loadings, modification indices.
* :func:`invariance`: configural, metric and scalar invariance across groups.
* :func:`discriminant_validity`: composite reliability, AVE, Fornell-Larcker, HTMT.

Implementation modules are private (``_efa``, ``_cfa``, ...) so that no module shadows
the function of the same name.
"""

from __future__ import annotations

from peereval._lazy import lazy_attributes

_NAMES = {
    "content_validity": "peereval.validity._content",
    "ContentValidity": "peereval.validity._content",
    "ContentValidityRules": "peereval.validity._content_rules",
    "factorability": "peereval.validity._factorability",
    "Factorability": "peereval.validity._factorability",
    "efa": "peereval.validity._efa",
    "EFAResult": "peereval.validity._efa",
    "parallel_analysis": "peereval.validity._retention",
    "ParallelAnalysis": "peereval.validity._retention",
    "map_test": "peereval.validity._retention",
    "MAPResult": "peereval.validity._retention",
    "factor_retention": "peereval.validity._retention",
    "FactorRetention": "peereval.validity._retention",
    "cfa": "peereval.validity._cfa",
    "CFAResult": "peereval.validity._cfa",
    "invariance": "peereval.validity._invariance",
    "InvarianceResult": "peereval.validity._invariance",
    "discriminant_validity": "peereval.validity._discriminant",
    "DiscriminantValidity": "peereval.validity._discriminant",
}

__all__ = sorted(_NAMES)


__getattr__, __dir__ = lazy_attributes("peereval.validity", _NAMES, globals())
