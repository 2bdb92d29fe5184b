"""Lawshe's content validity ratio and its critical values.

With :math:`n_e` of :math:`N` experts rating an item essential,
:math:`\\mathrm{CVR} = (n_e - N/2)/(N/2)` (Lawshe 1975). The item is essential when
:math:`n_e` reaches :math:`n_\\text{crit}`, the smallest count that is significant by
the chosen method: the exact one-tailed binomial test (Ayre & Scally 2014), Lawshe's
printed table, or the normal approximation of Wilson, Pan & Schumsky (2012). Decisions
compare whole counts, never binary floats.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import Any

import pandas as pd

from peereval._format import fmt
from peereval.errors import PeerevalWarning
from peereval.validity._content_rules import ContentValidityRules, printed, round2

__all__ = ["LAWSHE_TABLE"]

#: Lawshe (1975), minimum CVR for one-tailed p = .05, as printed. N = 5-7 print .99
#: for unanimity, and N = 13 prints .54 where the normal approximation gives .533.
LAWSHE_TABLE: Mapping[int, str] = {
    5: ".99", 6: ".99", 7: ".99", 8: ".75", 9: ".78", 10: ".62", 11: ".59", 12: ".56",
    13: ".54", 14: ".51", 15: ".49", 20: ".42", 25: ".37", 30: ".33", 35: ".31", 40: ".29",
}


def tail(n_e: int, n: int) -> Fraction:
    """P(X >= n_e) for X ~ Binomial(n, 1/2), exactly."""
    return Fraction(sum(math.comb(n, k) for k in range(max(n_e, 0), n + 1)), 2**n)


def _z(alpha: float) -> float:
    from scipy.stats import norm

    return float(norm.isf(alpha))


@dataclass(frozen=True)
class Critical:
    """The critical CVR for one panel size."""

    n: int
    n_crit: int | None  # None: no count of n experts reaches significance
    cvr_crit: float
    p_crit: float
    note: str


@cache
def critical(n: int, method: str, alpha: float) -> Critical:
    """Critical CVR and the smallest number of "essential" votes for n experts."""
    if method == "ayre_scally":
        return _ayre_scally(n, alpha)
    if method == "wilson":
        return _wilson(n, alpha)
    return _lawshe(n)


def _ayre_scally(n: int, alpha: float) -> Critical:
    """Exact: the smallest n_e with P(X >= n_e) <= alpha."""
    limit = Fraction(repr(alpha))
    for n_e in range(n // 2 + 1, n + 1):
        p = tail(n_e, n)
        if p <= limit:
            return Critical(n, n_e, (2 * n_e - n) / n, float(p), "")
    return Critical(n, None, math.nan, math.nan,
                    f"with {n} experts even unanimity has one-tailed exact p = "
                    f"{fmt(float(tail(n, n)), 3, leading_zero=False)} > "
                    f"{fmt(alpha, 3, leading_zero=False)}")


def _wilson(n: int, alpha: float) -> Critical:
    """Normal approximation without continuity correction, z / sqrt(n)."""
    crit = _z(alpha) / math.sqrt(n)
    # CVR >= z / sqrt(n)  <=>  n_e >= (n + z sqrt(n)) / 2 (never a whole number)
    n_e = max(math.ceil((n + _z(alpha) * math.sqrt(n)) / 2), n // 2 + 1)
    if n_e > n:
        return Critical(n, None, crit, math.nan,
                        f"with {n} experts no CVR reaches {fmt(crit, 3, leading_zero=False)}")
    return Critical(n, n_e, crit, float(tail(n_e, n)), "")


def _lawshe(n: int) -> Critical:
    """Lawshe's printed table: CVR as printed (two decimals) against the entry."""
    note = ""
    if n in LAWSHE_TABLE:
        entry = Decimal(LAWSHE_TABLE[n])
    elif n < min(LAWSHE_TABLE):
        return Critical(n, None, math.nan, math.nan,
                        f"Lawshe's table starts at 5 experts; it has no value for {n}")
    else:
        approx = _z(0.05) / math.sqrt(n) + 1 / n
        entry = printed(approx)
        note = (f"Lawshe's table has no entry for {n} experts; used his normal "
                f"approximation z/sqrt(N) + 1/N = {fmt(approx, 3, leading_zero=False)}")
    for n_e in range(n // 2 + 1, n + 1):
        if round2(2 * n_e - n, n) >= entry:
            return Critical(n, n_e, float(entry), float(tail(n_e, n)), note)
    return Critical(n, None, float(entry), math.nan, note)  # pragma: no cover


def essentiality(row: dict[str, Any], ratings: pd.Series, essential_value: int,
                 rules: ContentValidityRules, used: dict[int, Critical],
                 ) -> tuple[str, str] | None:
    """CVR of one item into ``row``; its (status, reason), or None when not assessed."""
    valid = ratings.dropna()
    n = len(valid)
    n_e = int((valid == essential_value).sum())
    crit = critical(n, rules.cvr_method, rules.alpha)
    used[n] = crit
    cvr = (2 * n_e - n) / n
    row.update(n_cvr=n, n_essential=n_e, cvr=cvr, cvr_p=float(tail(n_e, n)),
               n_crit=crit.n_crit, cvr_crit=crit.cvr_crit)
    if crit.n_crit is None:
        row["essentiality_status"] = "not assessed"
        return None
    status, reason = _essentiality_status(n_e, n, cvr, crit, rules.cvr_revise)
    row["essentiality_status"] = status
    return status, reason


def _essentiality_status(n_e: int, n: int, cvr: float, crit: Critical,
                         revise: float | None) -> tuple[str, str]:
    assert crit.n_crit is not None
    needed = (f"CVR {fmt(cvr, leading_zero=False)} below critical "
              f"{fmt(crit.cvr_crit, leading_zero=False)} "
              f"(n_e = {n_e}, {crit.n_crit} of {n} needed)")
    if revise is None:
        band = ""
    elif revise == 0:
        band = "more than half of the experts rated it essential"
    else:
        band = f"CVR above {fmt(revise, leading_zero=False)}"
    if n_e >= crit.n_crit:
        return "pass", ""
    if revise is not None and Fraction(2 * n_e - n, n) > Fraction(repr(float(revise))):
        return "marginal", f"{needed}; {band}, so revise"
    if revise is not None:
        return "fail", f"{needed}; not {band}"
    return "fail", needed


def warn_critical(used: dict[int, Critical], *, stacklevel: int) -> None:
    """A warning for each panel size whose critical value needed a note."""
    for crit in sorted(used.values(), key=lambda c: c.n):
        if crit.note:
            text = crit.note
            if crit.n_crit is None:
                text += f"; the essentiality criterion is not applied to items rated by {crit.n}"
            warnings.warn(text, PeerevalWarning, stacklevel=stacklevel + 1)


def critical_table(used: dict[int, Critical], rules: ContentValidityRules) -> pd.DataFrame:
    """One row per panel size met: ``n_experts``, ``method``, ``alpha``, ``n_crit``,
    ``p_crit``, ``cvr_crit``."""
    columns = ["n_experts", "method", "alpha", "n_crit", "p_crit", "cvr_crit"]
    table = pd.DataFrame(
        [{"n_experts": c.n, "method": rules.cvr_method, "alpha": rules.alpha,
          "n_crit": c.n_crit, "p_crit": c.p_crit, "cvr_crit": c.cvr_crit}
         for _, c in sorted(used.items())],
        columns=columns)
    table["n_experts"] = table["n_experts"].astype("Int64")
    table["n_crit"] = table["n_crit"].astype("Int64")
    for column in ("alpha", "p_crit", "cvr_crit"):
        table[column] = table[column].astype(float)
    return table
