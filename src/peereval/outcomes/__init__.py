"""Did mentoring help? Comparing cohorts on academic indicators, honestly.

* :func:`describe`: Table 1 by cohort with standardised mean differences.
* :func:`compare`, :func:`compare_binary`, :func:`compare_many`: two-group
  comparisons with effect sizes and intervals; several outcomes with adjusted p-values.
* :func:`ancova`: adjustment for baseline and covariates, with assumption checks.
* :func:`propensity_match`, :func:`propensity_weight`, :func:`balance`:
  self-selection handled by propensity scores; E-values.
* :func:`pre_post`, :func:`diff_in_diff`: change over time, with a comparison cohort.
* :func:`mixed_model`: mentees nested in mentor groups; ICC and design effect.
* :func:`power`: sample size, minimum detectable effect, achieved power;
  :func:`simulate_power`: power of the test actually run, on skewed or unequal data.
* :func:`meta_analysis`, :func:`from_groups`: synthesis across sites, cohorts or
  years; per-site group summaries to effect sizes (Hedges' g, log OR/RR, RD).

Implementation modules are private so that no module shadows its function.
"""

from __future__ import annotations

from peereval._lazy import lazy_attributes

_NAMES = {
    "describe": "peereval.outcomes._describe",
    "Describe": "peereval.outcomes._describe",
    "compare": "peereval.outcomes._compare",
    "Comparison": "peereval.outcomes._compare",
    "compare_binary": "peereval.outcomes._binary",
    "BinaryComparison": "peereval.outcomes._binary",
    "compare_many": "peereval.outcomes._many",
    "ManyComparisons": "peereval.outcomes._many",
    "adjust_p": "peereval.outcomes._many",
    "ancova": "peereval.outcomes._ancova",
    "AncovaResult": "peereval.outcomes._ancova",
    "propensity_match": "peereval.outcomes._matching",
    "propensity_weight": "peereval.outcomes._weighting",
    "balance": "peereval.outcomes._balance",
    "e_value": "peereval.outcomes._sensitivity",
    "MatchResult": "peereval.outcomes._matching",
    "WeightResult": "peereval.outcomes._weighting",
    "BalanceTable": "peereval.outcomes._balance",
    "EValue": "peereval.outcomes._sensitivity",
    "Overlap": "peereval.outcomes._propensity_model",
    "PropensityEffect": "peereval.outcomes._propensity_effect",
    "PropensityModel": "peereval.outcomes._propensity_model",
    "pre_post": "peereval.outcomes._prepost",
    "PrePostResult": "peereval.outcomes._prepost",
    "diff_in_diff": "peereval.outcomes._prepost",
    "DiffInDiffResult": "peereval.outcomes._prepost",
    "mixed_model": "peereval.outcomes._mixed",
    "MixedModelResult": "peereval.outcomes._mixed",
    "power": "peereval.outcomes._power",
    "PowerResult": "peereval.outcomes._power",
    "simulate_power": "peereval.outcomes._simpower",
    "SimulatedPower": "peereval.outcomes._simpower",
    "meta_analysis": "peereval.outcomes._meta",
    "MetaAnalysis": "peereval.outcomes._meta",
    "from_groups": "peereval.outcomes._meta",
}

__all__ = sorted(_NAMES)

__getattr__, __dir__ = lazy_attributes("peereval.outcomes", _NAMES, globals())
