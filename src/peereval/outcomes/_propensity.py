"""Former home of the propensity-score methods, kept so that old imports keep working.

The code now lives in one module per concern:

* :mod:`peereval.outcomes._propensity_model`: the propensity score model and the
  overlap of the scores;
* :mod:`peereval.outcomes._matching`: nearest-neighbour matching
  (:func:`~peereval.outcomes.propensity_match`);
* :mod:`peereval.outcomes._weighting`: inverse probability weighting
  (:func:`~peereval.outcomes.propensity_weight`);
* :mod:`peereval.outcomes._balance`: covariate balance
  (:func:`~peereval.outcomes.balance`);
* :mod:`peereval.outcomes._propensity_effect`: the effect after matching or weighting;
* :mod:`peereval.outcomes._sensitivity`: the E-value
  (:func:`~peereval.outcomes.e_value`), which is not a propensity-score method;
* :mod:`peereval.outcomes._design`: covariates as a design matrix, shared by every
  model.

Import the public names from :mod:`peereval.outcomes`.
"""

from __future__ import annotations

from peereval.outcomes._balance import BalanceTable, balance
from peereval.outcomes._matching import MatchResult, _nearest_neighbours, propensity_match
from peereval.outcomes._propensity_effect import PropensityEffect
from peereval.outcomes._propensity_model import Overlap, PropensityModel
from peereval.outcomes._sensitivity import EValue, e_value
from peereval.outcomes._weighting import WeightResult, propensity_weight

__all__ = [
    "BalanceTable",
    "EValue",
    "MatchResult",
    "Overlap",
    "PropensityEffect",
    "PropensityModel",
    "WeightResult",
    "balance",
    "e_value",
    "propensity_match",
    "propensity_weight",
]
__all__ += ["_nearest_neighbours"]  # tests reach the matching core through this path
