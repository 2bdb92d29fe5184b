r"""Content validity index (I-CVI, S-CVI/Ave, S-CVI/UA), modified kappa, impact score.

With :math:`N` experts rating an item's relevance and :math:`A` of them rating it in
the upper half of the scale (3 or 4 of 4; Lynn 1986),
:math:`\mathrm{I\text{-}CVI} = A/N`, :math:`p_c = \binom{N}{A} 0.5^N` and the modified
kappa :math:`\kappa^* = (\mathrm{I\text{-}CVI} - p_c)/(1 - p_c)` (Polit, Beck & Owen
2007). Over items, S-CVI/Ave is the mean I-CVI and S-CVI/UA the share of items with
I-CVI = 1 (Polit & Beck 2006). The item impact score is frequency x importance
(Juniper et al. 1997; Lacasse, Godbout & Sériès 2002).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pandas as pd

from peereval._format import fmt
from peereval.errors import PeerevalError
from peereval.validity._content_rules import ContentValidityRules, dec, printed, round2

__all__: list[str] = []


def min_count(n: int, threshold: Decimal) -> int | None:
    """Smallest count whose proportion of n, as printed, meets the threshold."""
    for count in range(n + 1):
        if round2(count, n) >= threshold:
            return count
    return None


def relevance(row: dict[str, Any], ratings: pd.Series, points: int,
              rules: ContentValidityRules) -> tuple[str, str]:
    """I-CVI, p_c and modified kappa of one item into ``row``; its (status, reason)."""
    valid = ratings.dropna()
    n = len(valid)
    relevant_min = points // 2 + 1
    a = int((valid >= relevant_min).sum())
    icvi = a / n
    p_c = math.comb(n, a) / 2**n
    kappa = (icvi - p_c) / (1 - p_c)
    threshold = rules._icvi_cutoff(n)
    a_min = min_count(n, threshold)
    row.update(n_experts=n, n_missing=len(ratings) - n, n_relevant=a, icvi=icvi, p_c=p_c,
               kappa=kappa, kappa_label=rules.kappa_label(kappa),
               icvi_threshold=float(threshold), n_relevant_min=a_min)
    status, reason = _relevance_status(a, n, a_min, threshold, rules.icvi_revise)
    row["relevance_status"] = status
    return status, reason


def _relevance_status(a: int, n: int, a_min: int | None, threshold: Decimal,
                      revise: float | None) -> tuple[str, str]:
    shown = fmt(a / n, leading_zero=False)
    needed = f"{fmt(float(threshold), leading_zero=False)} needed: {a_min} of {n} experts"
    if a_min is not None and a >= a_min:
        return "pass", ""
    if revise is not None and round2(a, n) >= dec(revise):
        return "marginal", (f"I-CVI {shown} below threshold ({needed}), in the revise band "
                            f"from {fmt(revise, leading_zero=False)}")
    if revise is not None:
        return "fail", (f"I-CVI {shown} below the revise band from "
                        f"{fmt(revise, leading_zero=False)} ({needed})")
    return "fail", f"I-CVI {shown} below threshold ({needed})"


def impact(row: dict[str, Any], ratings: pd.Series, points: int,
           rules: ContentValidityRules) -> tuple[str, str]:
    """Impact score (frequency x importance) of one item into ``row``; (status, reason)."""
    threshold, revise = rules.impact_threshold, rules.impact_revise
    valid = ratings.dropna().astype(int)
    n = len(valid)
    k = int((valid >= points - 1).sum())
    total = int(valid.sum())
    exact = Fraction(k * total, n * n)
    row.update(n_impact=n, frequency=k / n, importance=total / n, impact=float(exact))
    shown = fmt(float(exact))
    if exact >= Fraction(repr(float(threshold))):
        status, reason = "pass", ""
    elif revise is not None and exact >= Fraction(repr(float(revise))):
        status = "marginal"
        reason = (f"impact score {shown} below {fmt(threshold)}, in the revise band from "
                  f"{fmt(revise)}")
    else:
        status, reason = "fail", f"impact score {shown} below {fmt(threshold)}"
    row["impact_status"] = status
    return status, reason


def scale_table(items: pd.DataFrame, scales: Mapping[str, Sequence[str]] | None,
                rules: ContentValidityRules, n_experts: int) -> pd.DataFrame:
    """S-CVI/Ave, S-CVI/UA and mean CVR over all, the retained and each scale's items."""
    groups = _groups(items, scales)
    indexed = items.set_index("item")
    rows = [_scale_row(indexed, name, members, rules, n_experts) for name, members in groups]
    out = pd.DataFrame(rows)
    out["n_items"] = out["n_items"].astype("Int64")
    out["n_experts"] = out["n_experts"].astype("Int64")
    for column in ("scvi_ave_ok", "scvi_ua_ok"):
        out[column] = out[column].astype("boolean")
    return out


def _groups(items: pd.DataFrame, scales: Mapping[str, Sequence[str]] | None,
            ) -> list[tuple[str, list[str]]]:
    groups: list[tuple[str, list[str]]] = [
        ("all items", list(items["item"])),
        ("retained items", list(items.loc[items["decision"] != "drop", "item"])),
    ]
    rated = set(items["item"])
    for name, members in (scales or {}).items():
        absent = [m for m in members if m not in rated]
        if absent:
            raise PeerevalError(f"scale '{name}' lists item '{absent[0]}', which was not rated",
                                hint="scales= maps each scale to rated item codes")
        groups.append((str(name), [str(m) for m in members]))
    return groups


def _scale_row(indexed: pd.DataFrame, name: str, members: list[str],
               rules: ContentValidityRules, n_experts: int) -> dict[str, Any]:
    part = indexed.loc[members]
    has_relevance = part["icvi"].notna().any() and len(part)
    ave = float(part["icvi"].mean()) if has_relevance else math.nan
    ua = (float((part["n_relevant"] == part["n_experts"]).mean())
          if has_relevance else math.nan)
    mean_cvr = float(part["cvr"].mean()) if part["cvr"].notna().any() else math.nan
    ave_threshold, ua_threshold = rules.scvi_ave_threshold, rules.scvi_ua_threshold
    return {
        "scale": name, "n_items": len(members), "n_experts": n_experts,
        "scvi_ave": ave, "scvi_ua": ua, "mean_cvr": mean_cvr,
        "scvi_ave_threshold": float(ave_threshold), "scvi_ua_threshold": float(ua_threshold),
        "scvi_ave_ok": _meets(ave, ave_threshold), "scvi_ua_ok": _meets(ua, ua_threshold),
    }


def _meets(value: float, threshold: float) -> bool | None:
    if math.isnan(value):
        return None
    return bool(printed(value) >= dec(threshold))
