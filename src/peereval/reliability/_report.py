"""Every scale of an instrument in one reliability table."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval._format import fmt, fmt_ci, interval_words
from peereval._options import Interval, checked, deprecated_alias, renamed
from peereval._random import SeedLike, as_generator, describe_seed
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel
from peereval.reliability._alpha import AlphaResult, ItemAnalysis, alpha, item_analysis
from peereval.reliability._omega import OmegaResult, omega
from peereval.reliability._split_half import SplitHalfResult, split_half

__all__ = ["ScaleReliability", "scale_reliability"]

#: Conventional minimum for group comparisons (Nunnally & Bernstein 1994).
ALPHA_THRESHOLD = 0.70


@dataclass(frozen=True)
class ScaleDetail:
    """The full results behind one row of :class:`ScaleReliability`."""

    alpha: AlphaResult
    items: ItemAnalysis
    split_half: SplitHalfResult
    omega: OmegaResult | None
    ordinal_alpha: float | None = None
    ordinal_omega: float | None = None


@dataclass(frozen=True, repr=False)
class ScaleReliability(Result):
    """Reliability of every scale of an instrument.

    ``table`` has one row per scale: items, n used and dropped, alpha with its
    interval, standardised alpha, mean inter-item r, omega total (one factor),
    Spearman-Brown split half, Guttman's lambda 6, ordinal alpha and omega when
    requested, floor and ceiling shares of the scale score, the items flagged by the
    item analysis, and whether alpha reaches .70. ``details`` holds the full result
    objects per scale. ``n`` counts the respondents who answered at least one item
    of the scales analysed and ``n_dropped`` those who answered none; each scale's
    own ``n`` and ``n_dropped`` (after its missing-data rule) are in the table.

    Examples
    --------
    >>> import peereval
    >>> from peereval.reliability import scale_reliability
    >>> result = scale_reliability(peereval.load_sample().scores)
    >>> result.to_frame()[["scale", "n_items", "alpha"]].round(2)
            scale  n_items  alpha
    0     support        6   0.85
    1  adjustment        6   0.78
    2   belonging        6   0.80
    """

    table: pd.DataFrame
    details: dict[str, ScaleDetail] = field(repr=False)
    ci_method: str
    ci_level: float
    missing: str
    n: int = 0
    n_dropped: int = 0
    seed: str = ""
    title: str = "Scale reliability"

    level = deprecated_alias("ci_level")

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def apa(self) -> str:
        parts = []
        for row in self.table.itertuples():
            interval = fmt_ci(row.alpha_ci_low, row.alpha_ci_high, leading_zero=False,
                              level=self.ci_level)
            text = f"{row.label}: α = {fmt(row.alpha, leading_zero=False)}, {interval}"
            if np.isfinite(row.omega_total):
                text += f", ω = {fmt(row.omega_total, leading_zero=False)}"
            parts.append(text + f" ({row.n_items} items, n = {row.n})")
        return "; ".join(parts) + "."

    def methods(self) -> str:
        """The methods sentence, from the coefficients and settings of this table.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> from peereval.reliability import scale_reliability
        >>> print(scale_reliability(peereval.load_sample().scores).methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        Internal consistency of each of 3 scales: Cronbach's alpha with a 95% Feldt
        (F-based) interval, McDonald's omega total (one factor), the odd-even split
        half (Spearman-Brown) and Guttman's λ6; listwise deletion within each scale.
        """
        first = next(iter(self.details.values())).alpha
        interval = interval_words(self.ci_method, self.ci_level, n_boot=first.n_boot,
                                  seed=self.seed)
        parts = [f"Cronbach's alpha with {interval}"]
        if any(detail.omega is not None for detail in self.details.values()):
            parts.append("McDonald's omega total (one factor)")
        parts.append("the odd-even split half (Spearman-Brown)")
        parts.append("Guttman's λ6")
        if any(detail.ordinal_alpha is not None for detail in self.details.values()):
            parts.append("ordinal alpha and omega from polychoric correlations")
        listed = ", ".join(parts[:-1]) + " and " + parts[-1]
        scales = len(self.table)
        return (f"Internal consistency of each of {scales} "
                f"scale{'s' if scales != 1 else ''}: {listed}; {self.missing} deletion "
                f"within each scale.")


@renamed(level="confidence", scored="data")
@checked(n_boot=Interval(1, None, integer=True), confidence=Interval(0, 1, closed="neither"))
def scale_reliability(
    data: Any,
    instrument: Any = None,
    *,
    missing: Literal["listwise", "pairwise"] = "listwise",
    ci: Literal["feldt", "percentile", "bca"] = "feldt",
    n_boot: int = 2000,
    confidence: float = 0.95,
    seed: SeedLike = None,
    with_omega: bool = True,
    ordinal: bool = False,
    n_jobs: int | None = None,
) -> ScaleReliability:
    """Alpha, omega, split-half and item analysis for every scale, in one table.

    Parameters
    ----------
    data
        The :class:`~peereval.instrument.Scores` from ``instrument.score(...)``, or a
        DataFrame of reverse-keyed item scores together with ``instrument``.
        (Called ``scored=`` before 0.1; the old keyword still works and warns.)
    instrument
        The :class:`~peereval.instrument.Instrument`; taken from ``data`` by
        default.
    missing, ci, n_boot, confidence, seed
        As for :func:`peereval.reliability.alpha`; with a bootstrap interval, each
        scale draws from one generator made from ``seed``, so the table is
        reproducible.
    with_omega
        Add one-factor omega total for each scale of three or more items.
    ordinal
        Add ordinal alpha and omega from polychoric correlations.
    n_jobs
        Workers for the bootstrap (see :func:`peereval.reliability.alpha`).

    Returns
    -------
    ScaleReliability

    Examples
    --------
    >>> import peereval
    >>> from peereval.reliability import scale_reliability
    >>> study = peereval.load_sample()
    >>> table = scale_reliability(study.scores).to_frame()
    >>> table[["scale", "n_items", "n"]].to_dict("records")[0]
    {'scale': 'support', 'n_items': 6, 'n': 131}
    """
    scored = data
    if instrument is None:
        instrument = getattr(scored, "instrument", None)
    if instrument is None:
        raise PeerevalError("no instrument given",
                            hint="pass the Scores from instrument.score(...), or "
                            "scale_reliability(items, instrument)")
    items = scored.items if hasattr(scored, "items") and hasattr(scored, "scales") else scored
    if not isinstance(items, pd.DataFrame):
        raise PeerevalError(f"expected Scores or a DataFrame, not {type(scored).__name__}")
    scale_scores = getattr(scored, "scales", None)
    rng = as_generator(seed)
    rows = []
    details: dict[str, ScaleDetail] = {}
    for scale in instrument.scales:
        codes = list(scale.items)
        if len(codes) < 2:
            warnings.warn(f"scale '{scale.name}' has one item: reliability is not defined "
                          "for it and it is left out of the table", PeerevalWarning,
                          stacklevel=user_stacklevel())
            continue
        low, high = instrument.range_of(scale)
        a = alpha(items, codes, missing=missing, ci=ci, n_boot=n_boot, confidence=confidence,
                  seed=rng, n_jobs=n_jobs)
        analysis = item_analysis(items, codes, missing=missing, response_range=(low, high))
        halves = split_half(items, codes, missing=missing, seed=rng)
        om = omega(items, codes, n_factors=1, missing=missing) if (
            with_omega and len(codes) >= 3) else None
        ord_alpha = ord_omega = None
        if ordinal:
            ordinal_result = omega(items, codes, n_factors=1, missing=missing,
                                   polychoric=True)
            ord_alpha, ord_omega = ordinal_result.alpha, ordinal_result.omega_total
        floor = ceiling = np.nan
        if scale_scores is not None and scale.name in scale_scores:
            score = scale_scores[scale.name].dropna()
            scoring = scale.scoring or instrument.scoring
            factor = len(codes) if scoring == "sum" else 1
            floor = float((np.isclose(score, low * factor)).mean())
            ceiling = float((np.isclose(score, high * factor)).mean())
        details[scale.name] = ScaleDetail(a, analysis, halves, om, ord_alpha, ord_omega)
        rows.append({
            "scale": scale.name, "label": scale.title, "n_items": len(codes),
            "n": a.n, "n_dropped": a.n_dropped, "alpha": a.alpha,
            "alpha_ci_low": a.ci_low, "alpha_ci_high": a.ci_high,
            "alpha_std": a.alpha_std, "average_r": a.average_r,
            "omega_total": om.omega_total if om else np.nan,
            "split_half_sb": halves.odd_even_sb, "lambda6": halves.lambda6,
            "ordinal_alpha": np.nan if ord_alpha is None else ord_alpha,
            "ordinal_omega": np.nan if ord_omega is None else ord_omega,
            "floor_pct": floor, "ceiling_pct": ceiling,
            "flagged_items": ", ".join(analysis.flagged_weak),
            "alpha_at_least_70": bool(a.alpha >= ALPHA_THRESHOLD),
        })
    if not rows:
        raise PeerevalError("no scale has two or more items",
                            hint="reliability needs at least two items per scale")
    used_items = [code for scale in instrument.scales if scale.name in details
                  for code in scale.items]
    answered = int(items[used_items].notna().any(axis=1).sum())
    return ScaleReliability(pd.DataFrame(rows), details, ci, confidence, missing,
                            n=answered, n_dropped=len(items) - answered,
                            seed=describe_seed(seed) if ci != "feldt" else "")
