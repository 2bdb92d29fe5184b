r"""Content validity from an expert panel: CVR, I-CVI, S-CVI, modified kappa, impact.

Three questions are put to a panel about each item of a draft questionnaire, and
each answer feeds one index:

* **relevance** on a 4-point scale (1 not relevant ... 4 highly relevant): the
  item-level content validity index I-CVI, its chance-corrected form, the modified
  kappa :math:`\kappa^*`, and the scale-level S-CVI/Ave and S-CVI/UA (Lynn 1986;
  Polit & Beck 2006; Polit, Beck & Owen 2007);
* **essentiality** on Lawshe's 3-point scale (essential / useful but not essential /
  not necessary): the content validity ratio CVR with a critical value for the
  panel size (Lawshe 1975; Wilson, Pan & Schumsky 2012; Ayre & Scally 2014);
* **importance** on a 5-point scale, often asked of people from the target group:
  the item impact score, frequency x importance (Juniper et al. 1997; Lacasse et
  al. 2002), the quantitative face-validity step of many Iranian instrument studies.

:func:`content_validity` computes them all, decides keep / revise / drop for each
item by stated rules, and returns a :class:`ContentValidity`.

Every threshold quoted in the literature is a two-decimal figure, so every
comparison with one is made on the index as published, rounded half-up to two
decimals (7 of 9 experts, .778, meets Lynn's .78), or on whole counts of experts
(CVR: ``n_e >= n_crit``); no decision rests on comparing binary floats.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval._format import fmt
from peereval._results import Result
from peereval.errors import LabelError, Location, OutOfRangeError, PeerevalError, PeerevalWarning

__all__ = ["ContentValidity", "content_validity"]

CvrMethod = Literal["ayre_scally", "lawshe", "wilson"]
_METHODS = ("ayre_scally", "lawshe", "wilson")
_MIN_EXPERTS = 3

#: Lawshe (1975), minimum CVR for one-tailed p = .05, as printed. N = 5-7 print .99
#: for unanimity, and N = 13 prints .54 where the normal approximation gives .533.
LAWSHE_TABLE: Mapping[int, str] = {
    5: ".99", 6: ".99", 7: ".99", 8: ".75", 9: ".78", 10: ".62", 11: ".59", 12: ".56",
    13: ".54", 14: ".51", 15: ".49", 20: ".42", 25: ".37", 30: ".33", 35: ".31", 40: ".29",
}

_ICVI_PRESETS = ("polit_beck", "lynn")
_KAPPA_BANDS = ((Decimal("0.40"), "poor"), (Decimal("0.60"), "fair"), (Decimal("0.75"), "good"))

_SOURCES = {
    "polit_beck": "Polit & Beck (2006); Polit, Beck & Owen (2007); Lynn (1986)",
    "lynn": "Lynn (1986)",
    "ayre_scally": "Ayre & Scally (2014)",
    "lawshe": "Lawshe (1975)",
    "wilson": "Wilson, Pan & Schumsky (2012)",
}


# ------------------------------------------------------------------ vocabularies

def _key(text: object) -> str:
    """Lookup key of a label: normalised, without spaces or punctuation."""
    from peereval.loaders.labels import normalize_label

    return re.sub(r"[\W_]+", "", normalize_label(text))


# Lawshe's essentiality scale, coded so that a higher code means more essential
# (3 = essential), the direction of the relevance and importance scales.
_ESSENTIALITY_WORDS: dict[int, tuple[str, ...]] = {
    3: ("essential", "is essential", "ضروری است", "ضروری", "ضروریست", "لازم است"),
    2: ("useful but not essential", "useful, but not essential", "useful not essential",
        "useful", "مفید است ولی ضروری نیست", "مفید است اما ضروری نیست",
        "مفید ولی ضروری نیست", "مفید اما ضروری نیست", "مفید است ولی ضرورتی ندارد",
        "مفید است"),
    1: ("not necessary", "not essential", "unnecessary", "not needed", "ضرورتی ندارد",
        "ضروری نیست", "غیر ضروری", "غیرضروری", "لازم نیست"),
}

# Wordings of CVI and impact-score forms that the shared vocabularies lack: Davis
# (1992) anchors, and the Persian "مربوط" and "اهمیت" forms of Iranian studies.
_RELEVANCE_EXTRA: dict[int, tuple[str, ...]] = {
    1: ("مربوط نیست", "اصلا مربوط نیست", "غیر مربوط", "نامربوط"),
    2: ("تا حدودی مربوط است", "تا حدودی مربوط", "نسبتا مربوط است", "نسبتا مربوط",
        "نسبتا مرتبط است", "item needs some revision"),
    3: ("مربوط است", "مربوط", "relevant but needs minor alteration",
        "relevant but needs minor revision"),
    4: ("کاملا مربوط است", "کاملا مربوط", "کاملا مرتبط است", "very relevant and succinct",
        "completely relevant"),
}
_IMPORTANCE_EXTRA: dict[int, tuple[str, ...]] = {
    1: ("not important at all", "اصلا مهم نیست", "اهمیت ندارد", "مهم نیست"),
    2: ("of little importance", "اهمیت کمی دارد", "کمی مهم است", "کم اهمیت است"),
    3: ("moderately important", "اهمیت متوسطی دارد", "اهمیت متوسط", "تا حدودی مهم است"),
    4: ("important", "مهم است"),
    5: ("completely important", "کاملا مهم است", "کاملا مهم", "بسیار مهم است",
        "خیلی مهم است"),
}


@cache
def _lookup(family: str, points: int) -> dict[str, int]:
    """Label key -> code for a scale (English and Persian)."""
    if family == "essentiality":
        return {_key(w): code for code, words in _ESSENTIALITY_WORDS.items() for w in words}
    from peereval.loaders.labels import VOCABULARIES

    out: dict[str, int] = {}
    for vocab in VOCABULARIES:
        if vocab.family == family and vocab.points == points and vocab.language in ("en", "fa"):
            for code, spellings in enumerate(vocab.levels, start=1):
                for spelling in spellings:
                    out.setdefault(_key(spelling), code)
    extra = {("relevance", 4): _RELEVANCE_EXTRA,
             ("importance", 5): _IMPORTANCE_EXTRA}.get((family, points), {})
    for code, words in extra.items():
        for word in words:
            out.setdefault(_key(word), code)
    return out


@cache
def _non_substantive() -> frozenset[str]:
    from peereval.loaders.labels import NON_SUBSTANTIVE

    return frozenset(re.sub(r"[\W_]+", "", k) for k in NON_SUBSTANTIVE)


# ------------------------------------------------------------------ arithmetic

def _round2(numerator: int, denominator: int) -> Decimal:
    """A ratio of counts rounded half-up to two decimals, as papers print it."""
    exact = Decimal(numerator) / Decimal(denominator)
    return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _dec(value: float) -> Decimal:
    return Decimal(repr(float(value)))


def _tail(n_e: int, n: int) -> Fraction:
    """P(X >= n_e) for X ~ Binomial(n, 1/2), exactly."""
    return Fraction(sum(math.comb(n, k) for k in range(max(n_e, 0), n + 1)), 2**n)


def _z(alpha: float) -> float:
    from scipy.stats import norm

    return float(norm.isf(alpha))


def _kappa_label(kappa: float) -> str:
    """Cicchetti & Sparrow's words, on kappa as printed (two decimals, half-up)."""
    shown = _dec(kappa).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    for upper, label in _KAPPA_BANDS:
        if shown < upper:
            return label
    return "excellent"


@dataclass(frozen=True)
class _Critical:
    n: int
    n_crit: int | None  # None: no count of n experts reaches significance
    cvr_crit: float
    p_crit: float
    note: str


@cache
def _critical(n: int, method: str, alpha: float) -> _Critical:
    """Critical CVR and the smallest number of "essential" votes for n experts."""
    if method == "ayre_scally":
        limit = Fraction(repr(alpha))
        for n_e in range(n // 2 + 1, n + 1):
            p = _tail(n_e, n)
            if p <= limit:
                return _Critical(n, n_e, (2 * n_e - n) / n, float(p), "")
        return _Critical(n, None, math.nan, math.nan,
                         f"with {n} experts even unanimity has one-tailed exact p = "
                         f"{fmt(float(_tail(n, n)), 3, leading_zero=False)} > "
                         f"{fmt(alpha, 3, leading_zero=False)}")
    if method == "wilson":
        crit = _z(alpha) / math.sqrt(n)
        # CVR >= z / sqrt(n)  <=>  n_e >= (n + z sqrt(n)) / 2 (never a whole number)
        n_e = max(math.ceil((n + _z(alpha) * math.sqrt(n)) / 2), n // 2 + 1)
        if n_e > n:
            return _Critical(n, None, crit, math.nan,
                             f"with {n} experts no CVR reaches {fmt(crit, 3, leading_zero=False)}")
        return _Critical(n, n_e, crit, float(_tail(n_e, n)), "")
    # Lawshe's printed table: compare CVR as printed (two decimals) with the entry
    note = ""
    if n in LAWSHE_TABLE:
        entry = Decimal(LAWSHE_TABLE[n])
    elif n < min(LAWSHE_TABLE):
        return _Critical(n, None, math.nan, math.nan,
                         f"Lawshe's table starts at 5 experts; it has no value for {n}")
    else:
        approx = _z(0.05) / math.sqrt(n) + 1 / n
        entry = _dec(approx).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        note = (f"Lawshe's table has no entry for {n} experts; used his normal "
                f"approximation z/sqrt(N) + 1/N = {fmt(approx, 3, leading_zero=False)}")
    for n_e in range(n // 2 + 1, n + 1):
        if _round2(2 * n_e - n, n) >= entry:
            return _Critical(n, n_e, float(entry), float(_tail(n_e, n)), note)
    return _Critical(n, None, float(entry), math.nan, note)  # pragma: no cover


def _icvi_threshold(n: int, rule: float | str) -> Decimal:
    if isinstance(rule, str):
        if n <= 5:
            return Decimal("1.00")
        if rule == "lynn" and n <= 8:
            return Decimal("0.83")
        return Decimal("0.78")
    return _dec(rule)


def _min_count(n: int, threshold: Decimal) -> int | None:
    """Smallest count whose proportion of n, as printed, meets the threshold."""
    for count in range(n + 1):
        if _round2(count, n) >= threshold:
            return count
    return None


# ------------------------------------------------------------------ input checks

def _source(frame: pd.DataFrame) -> dict[str, Any]:
    from peereval.loaders.panel import SOURCE_ATTR

    info = frame.attrs.get(SOURCE_ATTR)
    return info if isinstance(info, dict) else {}


def _prepare(frame: Any, role: str, item: str | None,
             experts: Sequence[str] | None) -> pd.DataFrame:
    """Items as index (text), experts as columns; descriptive columns set aside."""
    from peereval.loaders.labels import label_key
    from peereval.loaders.panel import DESCRIPTIVE_HEADERS, ITEM_HEADERS

    if not isinstance(frame, pd.DataFrame):
        raise PeerevalError(
            f"the {role} ratings must be a pandas DataFrame, not {type(frame).__name__}",
            hint="one row per item, one column per expert; read a panel workbook with "
            "peereval.loaders.panel.read_expert_panel")
    attrs = dict(frame.attrs)
    data = frame
    keys = {label_key(c): c for c in data.columns}
    if item is not None:
        if item not in data.columns:
            raise PeerevalError(f"the {role} ratings have no column '{item}' (item=)",
                                hint="columns: " + ", ".join(map(str, data.columns)))
        data = data.set_index(item)
    elif isinstance(data.index, pd.RangeIndex):
        found = [c for k, c in keys.items() if k in ITEM_HEADERS]
        if found:
            data = data.set_index(found[0])
    if experts is not None:
        absent = [e for e in experts if e not in data.columns]
        if absent:
            raise PeerevalError(f"the {role} ratings have no expert column '{absent[0]}'",
                                hint="columns: " + ", ".join(map(str, data.columns)))
        data = data[list(experts)]
    else:
        data = data[[c for c in data.columns if label_key(c) not in DESCRIPTIVE_HEADERS]]
    data = data.copy()
    data.index = pd.Index([str(i).strip() for i in data.index], name="item")
    data.columns = [str(c) for c in data.columns]
    data.attrs = attrs
    if data.shape[0] == 0:
        raise PeerevalError(f"the {role} ratings have no items", hint="one row per item")
    duplicated = sorted(set(data.index[data.index.duplicated()]))
    if duplicated:
        raise PeerevalError(
            f"the {role} ratings list item '{duplicated[0]}' more than once",
            value=duplicated[0], hint="give each item one row")
    if data.shape[1] < _MIN_EXPERTS:
        who = "respondents" if role == "importance" else "experts"
        raise PeerevalError(
            f"the {role} ratings come from {data.shape[1]} {who}; at least {_MIN_EXPERTS} "
            "are needed",
            hint="Lynn (1986) and Polit & Beck (2006) ask for at least 3 experts, "
            "preferably 6 to 10; check that the table is items (rows) x experts (columns)")
    return data


def _code(data: pd.DataFrame, role: str, family: str, points: int,
          ) -> tuple[pd.DataFrame, int, bool]:
    """Numbers for every cell; labels looked up; bad cells raise, all listed.

    Returns the coded frame (NaN for missing), the number of non-substantive
    answers ("not applicable") and whether any cell was a bare number.
    """
    from peereval.loaders.labels import normalize_label, split_numbered_label

    lookup = _lookup(family, points)
    skip = _non_substantive()
    source = _source(data)
    rows = source.get("rows", {})
    out = np.full(data.shape, np.nan)
    unknown: list[tuple[str, str, Any]] = []
    outside: list[tuple[str, str, Any]] = []
    non_substantive = 0
    numeric_seen = False
    cells = data.to_numpy(dtype=object)
    for i, item in enumerate(data.index):
        for j, expert in enumerate(data.columns):
            value = cells[i, j]
            if value is None or (not isinstance(value, str) and pd.isna(value)):
                continue
            if isinstance(value, bool | np.bool_):
                unknown.append((item, expert, value))
                continue
            number: float | None = None
            if isinstance(value, int | float | np.integer | np.floating):
                number = float(value)
                numeric_seen = True
            else:
                text = normalize_label(value)
                if not text:
                    continue
                try:
                    number = float(text)
                    numeric_seen = True
                except ValueError:
                    key = _key(value)
                    if key in lookup:
                        out[i, j] = lookup[key]
                        continue
                    if key in skip:
                        non_substantive += 1
                        continue
                    printed, words = split_numbered_label(value)
                    code = lookup.get(_key(words)) if words else None
                    if printed is not None and (code is None or code == printed):
                        number = printed
                    else:
                        unknown.append((item, expert, value))
                        continue
            if not number.is_integer() or not 1 <= number <= points:
                outside.append((item, expert, value))
                continue
            out[i, j] = number
    where = {"file": source.get("file"), "sheet": source.get("sheet")}

    def locations(cells: list[tuple[str, str, Any]]) -> list[Location]:
        return [Location(where["file"], where["sheet"], rows.get(item), expert, value)
                for item, expert, value in cells]

    if unknown:
        item, expert, value = unknown[0]
        raise LabelError(
            f"{len(unknown)} {role} rating(s) are not on the {_scale_words(family, points)} "
            f"(first: item '{item}', expert '{expert}')",
            **where, problems=locations(unknown),
            hint=_label_hint(family, points))
    if outside:
        item, expert, value = outside[0]
        raise OutOfRangeError(
            f"{len(outside)} {role} rating(s) are not whole numbers from 1 to {points} "
            f"(first: item '{item}', expert '{expert}')",
            **where, problems=locations(outside),
            hint=f"correct the ratings; the {_scale_words(family, points)} runs from 1 to "
            f"{points}" + ("" if family != "relevance" else
                           "; pass relevance_scale= if the panel used another scale"))
    coded = pd.DataFrame(out, index=data.index, columns=data.columns)
    return coded, non_substantive, numeric_seen


def _scale_words(family: str, points: int) -> str:
    if family == "essentiality":
        return "essentiality scale (Essential / Useful but not essential / Not necessary)"
    return f"{points}-point {family} scale"


def _label_hint(family: str, points: int) -> str:
    if family == "essentiality":
        return ("use Essential / Useful but not essential / Not necessary (or ضروری است / "
                "مفید است ولی ضروری نیست / ضرورتی ندارد), or the codes 3 / 2 / 1")
    if family == "relevance":
        return ("use the numbers 1 to 4 or the labels Not relevant / Somewhat relevant / "
                "Quite relevant / Highly relevant (or their Persian forms, e.g. "
                "مرتبط نیست ... کاملاً مرتبط)")
    return (f"use the numbers 1 to {points} or importance labels (Not at all important ... "
            "Extremely important; اصلاً مهم نیست ... بسیار مهم)")


def _check_same_items(reference: pd.Index, other: pd.Index, what: str, against: str) -> None:
    other_set, reference_set = set(other), set(reference)
    missing = [i for i in reference if i not in other_set]
    extra = [i for i in other if i not in reference_set]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing from the {what} table: {', '.join(missing[:10])}")
        if extra:
            parts.append(f"only in the {what} table: {', '.join(extra[:10])}")
        raise PeerevalError(
            f"the {what} ratings list different items from the {against} ratings ("
            + "; ".join(parts) + ")",
            hint="rate the same items in every table, with the same item codes")


# ------------------------------------------------------------------ result


@dataclass(frozen=True, repr=False)
class ContentValidity(Result):
    """Content validity indices of each item, of the scale, and a decision per item.

    Attributes
    ----------
    items
        One row per item (columns below). Columns of a question not asked (no
        essentiality or importance table) hold missing values.

        * ``n_experts``, ``n_missing``: experts who rated the item's relevance and
          who did not (missing or "not applicable" answers).
        * ``n_relevant`` (A), ``icvi``, ``p_c``, ``kappa``, ``kappa_label``: relevance.
        * ``icvi_threshold``, ``n_relevant_min``: what the item needed.
        * ``n_cvr``, ``n_essential`` (n_e), ``cvr``, ``cvr_p`` (exact one-tailed
          binomial p of n_e), ``n_crit``, ``cvr_crit``: essentiality.
        * ``n_impact``, ``frequency``, ``importance``, ``impact``: impact score.
        * ``relevance_status``, ``essentiality_status``, ``impact_status``: ``"pass"``,
          ``"marginal"``, ``"fail"`` or ``"not assessed"``.
        * ``decision`` (``"keep"``, ``"revise"``, ``"drop"``) and ``reason``.
    scale
        S-CVI/Ave, S-CVI/UA and the mean CVR over all items, over the retained items
        (those not dropped) and over each scale given, with the thresholds.
    critical
        The critical CVR for each panel size met: ``n_experts``, ``method``,
        ``alpha``, ``n_crit``, ``p_crit`` (exact one-tailed p at n_crit),
        ``cvr_crit``.
    rules
        Each rule applied, in words, with its source: ``criterion``, ``rule``,
        ``source``.
    n_experts, n_items
        Panel size (expert columns of the relevance table, or of the essentiality
        table when there is none) and number of items.
    scvi_ave, scvi_ua
        Scale-level indices over all items (NaN without relevance ratings).
    cvr_method, alpha
        How critical CVRs were found.

    Examples
    --------
    Six experts rate six items on the 4-point relevance scale:

    >>> import pandas as pd
    >>> from peereval.validity import content_validity
    >>> rows = ["444444", "434434", "444444", "444444", "344444", "234334"]
    >>> ratings = pd.DataFrame([[int(c) for c in r] for r in rows],
    ...                        index=[f"item{i}" for i in range(1, 7)],
    ...                        columns=[f"e{j}" for j in range(1, 7)])
    >>> cv = content_validity(ratings)
    >>> cv.n_experts, cv.n_items, round(cv.scvi_ave, 3)
    (6, 6, 0.972)
    >>> cv.items[["item", "n_relevant", "icvi"]].round(2).tail(2)
        item  n_relevant  icvi
    4  item5           6  1.00
    5  item6           5  0.83
    """

    items: pd.DataFrame
    scale: pd.DataFrame
    critical: pd.DataFrame
    rules: pd.DataFrame
    n_experts: int
    n_items: int
    scvi_ave: float
    scvi_ua: float
    cvr_method: str
    alpha: float
    title: str = "Content validity"

    @property
    def decisions(self) -> pd.Series:
        """The decision for each item (index: item)."""
        return self.items.set_index("item")["decision"]

    def to_frame(self) -> pd.DataFrame:
        return self.items.copy()

    def _listed(self, decision: str) -> list[str]:
        return list(self.items.loc[self.items["decision"] == decision, "item"])

    @property
    def kept(self) -> list[str]:
        """Items to keep as they are."""
        return self._listed("keep")

    @property
    def revised(self) -> list[str]:
        """Items to revise."""
        return self._listed("revise")

    @property
    def dropped(self) -> list[str]:
        """Items to drop."""
        return self._listed("drop")

    def apa(self) -> str:
        items = self.items
        parts = [f"Content validity was assessed by {self.n_experts} experts"]
        facts = []
        if not math.isnan(self.scvi_ave):
            facts.append(f"S-CVI/Ave = {fmt(self.scvi_ave, leading_zero=False)}, "
                         f"S-CVI/UA = {fmt(self.scvi_ua, leading_zero=False)}")
            facts.append("I-CVIs " + _range(items["icvi"]))
        if items["cvr"].notna().any():
            text = "CVRs " + _range(items["cvr"])
            crit = self.critical.dropna(subset=["n_crit"])
            if len(crit) == 1:
                row = crit.iloc[0]
                text += (f" (critical CVR = {fmt(row['cvr_crit'], leading_zero=False)} for "
                         f"{int(row['n_experts'])} experts, n_e ≥ {int(row['n_crit'])}; "
                         f"{_METHOD_CITE[self.cvr_method]})")
            facts.append(text)
        if items["impact"].notna().any():
            facts.append("impact scores " + _range(items["impact"], leading_zero=True))
        sentence = parts[0] + (": " + "; ".join(facts) if facts else "") + "."
        counts = []
        for decision, verb in (("keep", "kept"), ("revise", "revised"), ("drop", "dropped")):
            listed = self._listed(decision)
            if listed:
                named = "" if decision == "keep" else f" ({', '.join(listed)})"
                counts.append(f"{len(listed)} {verb}{named}")
        if len(counts) == 1:
            verb = counts[0].split(" ")[1]
            sentence += f" All {self.n_items} items were {verb}."
        elif counts:
            number, rest = counts[0].split(" ", 1)
            counts[0] = f"{number} {'was' if number == '1' else 'were'} {rest}"
            body = ", ".join(counts[:-1]) + " and " + counts[-1]
            sentence += f" Of {self.n_items} items, {body}."
        return sentence


_METHOD_CITE = {
    "ayre_scally": "exact binomial, Ayre & Scally, 2014",
    "lawshe": "Lawshe, 1975",
    "wilson": "Wilson, Pan & Schumsky, 2012",
}


def _range(values: pd.Series, *, leading_zero: bool = False) -> str:
    values = values.dropna()
    low, high = float(values.min()), float(values.max())
    if low == high:
        return f"all {fmt(low, leading_zero=leading_zero)}"
    return (f"ranged from {fmt(low, leading_zero=leading_zero)} to "
            f"{fmt(high, leading_zero=leading_zero)}")


_COLUMNS = [
    "item", "n_experts", "n_missing", "n_relevant", "icvi", "p_c", "kappa", "kappa_label",
    "icvi_threshold", "n_relevant_min", "n_cvr", "n_essential", "cvr", "cvr_p", "n_crit",
    "cvr_crit", "n_impact", "frequency", "importance", "impact", "relevance_status",
    "essentiality_status", "impact_status", "decision", "reason",
]
_INT_COLUMNS = ("n_experts", "n_missing", "n_relevant", "n_relevant_min", "n_cvr",
                "n_essential", "n_crit", "n_impact")


# ------------------------------------------------------------------ the function


def content_validity(
    ratings: pd.DataFrame | None,
    *,
    essentiality: pd.DataFrame | None = None,
    importance: pd.DataFrame | None = None,
    relevance_scale: int = 4,
    essential_code: int | None = None,
    importance_scale: int = 5,
    cvr_method: CvrMethod = "ayre_scally",
    alpha: float = 0.05,
    icvi_threshold: float | str = "polit_beck",
    icvi_revise: float | None = 0.70,
    cvr_revise: float | None = 0.0,
    impact_threshold: float = 1.5,
    impact_revise: float | None = None,
    scvi_ave_threshold: float = 0.90,
    scvi_ua_threshold: float = 0.80,
    scales: Mapping[str, Sequence[str]] | None = None,
    item: str | None = None,
    experts: Sequence[str] | None = None,
) -> ContentValidity:
    r"""Content validity of a questionnaire's items from an expert panel's ratings.

    Parameters
    ----------
    ratings
        Relevance ratings, one row per item (the index, or a column named ``item``)
        and one column per expert: the numbers 1-4 (1 not relevant, 2 somewhat
        relevant, 3 quite relevant, 4 highly relevant) or those labels, in English
        or Persian (``مرتبط نیست`` ... ``کاملاً مرتبط``, also the ``مربوط`` forms).
        Empty cells and "not applicable" answers are missing: each item's indices
        use the experts who rated it, and ``n_missing`` counts the others.
        ``None`` when the panel only judged essentiality.
    essentiality
        Lawshe's ratings, items x experts, the same items as ``ratings``: the
        labels ``Essential`` / ``Useful but not essential`` / ``Not necessary``
        (``ضروری است`` / ``مفید است ولی ضروری نیست`` / ``ضرورتی ندارد``) or codes.
    importance
        Importance ratings for the impact score, items x respondents (experts or
        members of the target group), on a ``importance_scale``-point scale
        (1 not at all important ... 5 extremely important), numbers or labels.
    relevance_scale
        Points of the relevance scale: 4 (Lynn 1986), whose upper half (3-4) counts as
        relevant; 6 is accepted (4-6 relevant), labels only on the 4-point scale.
    essential_code
        Which numeric code means "essential". Codes run 3 = essential, 2 = useful but
        not essential, 1 = not necessary (higher is more essential, like the other
        scales); forms that number the options in Lawshe's printed order use
        1 = essential: pass ``essential_code=1``. Labels are always read by their
        words. When numeric codes are met and this is not given, 3 is assumed and a
        :class:`~peereval.errors.PeerevalWarning` says so.
    importance_scale
        Points of the importance scale (5); the top two (4 and 5) count as
        "important" for the impact score's frequency.
    cvr_method
        Critical CVR: ``"ayre_scally"`` (exact one-tailed binomial test, default),
        ``"lawshe"`` (the 1975 printed table, one-tailed .05, N = 5-15, 20, 25, ...,
        40; at other N a warning and Lawshe's own normal approximation) or
        ``"wilson"`` (normal approximation without continuity correction).
    alpha
        One-tailed significance level of the critical CVR (.05; Lawshe's table
        exists for .05 only).
    icvi_threshold
        I-CVI an item needs: ``"polit_beck"`` (1.00 with 3-5 experts, .78 with 6 or
        more; Polit & Beck 2006; Polit, Beck & Owen 2007), ``"lynn"`` (1.00 with
        3-5, .83 with 6-8, .78 with 9 or more; Lynn 1986; it selects the same items
        as ``"polit_beck"``) or a number used for every panel size.
    icvi_revise
        I-CVI from which an item below the threshold is revised rather than dropped
        (.70: .70-.79 revise, below .70 drop; Zamanzadeh et al. 2015). ``None``:
        no revise band.
    cvr_revise
        CVR above which an item below the critical CVR is revised rather than dropped
        (0: more than half of the panel rated it essential, Lawshe's reading of a
        positive CVR). ``None``: every item below the critical value is dropped, as
        Lawshe (1975) did.
    impact_threshold, impact_revise
        Impact score an item needs (1.5: Lacasse et al. 2002), and from which a
        lower score means revise rather than drop (``None``: no revise band).
    scvi_ave_threshold, scvi_ua_threshold
        Scale-level standards (.90 for S-CVI/Ave, Polit & Beck 2006; .80 for
        S-CVI/UA, Shi, Mo & Sun 2012), reported in ``scale``.
    scales
        Optional ``{scale name: [items]}``: S-CVI reported for each scale too.
    item, experts
        The column holding the item codes, and the expert columns to use (by default
        every column except descriptive ones such as ``wording``).

    Returns
    -------
    ContentValidity

    Raises
    ------
    LabelError
        A label that is on none of the scales (every such cell listed).
    OutOfRangeError
        A number that is not a whole number on the scale (every such cell listed).
    PeerevalError
        Fewer than 3 experts, an item rated by fewer than 3, tables that list
        different items, or an invalid option.

    Warns
    -----
    PeerevalWarning
        Missing ratings; Lawshe's table used at a panel size it does not list; a
        panel too small for any CVR to be significant; numeric essentiality codes
        read without ``essential_code``.

    Notes
    -----
    **Relevance.** With :math:`N` experts rating an item and :math:`A` of them rating
    it 3 or 4 (Lynn 1986),

    .. math::

        \mathrm{I\text{-}CVI} = \frac{A}{N}, \qquad
        p_c = \binom{N}{A} 0.5^N, \qquad
        \kappa^* = \frac{\mathrm{I\text{-}CVI} - p_c}{1 - p_c}

    (Polit, Beck & Owen 2007), :math:`\kappa^*` labelled poor below .40, fair
    .40-.59, good .60-.74 and excellent above .74 (Cicchetti & Sparrow 1981), on its
    value rounded to two decimals. Over :math:`I` items,
    :math:`\text{S-CVI/Ave} = \frac{1}{I}\sum_i \mathrm{I\text{-}CVI}_i` and
    S-CVI/UA is the proportion of items with :math:`\mathrm{I\text{-}CVI} = 1`
    (Polit & Beck 2006).

    **Essentiality.** With :math:`n_e` of :math:`N` experts rating the item essential,
    :math:`\mathrm{CVR} = (n_e - N/2)/(N/2)` (Lawshe 1975). The item is essential
    when :math:`n_e \ge n_\text{crit}`:

    * ``ayre_scally``: :math:`n_\text{crit}` is the smallest count with
      :math:`P(X \ge n_\text{crit}) \le \alpha`, :math:`X \sim \mathrm{Bin}(N, 1/2)`,
      computed exactly; :math:`\mathrm{CVR}_\text{crit} = (2 n_\text{crit} - N)/N`.
    * ``lawshe``: the smallest count whose CVR, printed to two decimals, reaches the
      table's entry.
    * ``wilson``: :math:`\mathrm{CVR}_\text{crit} = z_{1-\alpha}/\sqrt{N}`.

    **Impact** (Juniper et al. 1997; Lacasse, Godbout & Sériès 2002; in Persian,
    Hajizadeh & Asghari 2011): with :math:`k` of :math:`n` respondents rating the
    item 4 or 5 and mean rating :math:`\bar x`,
    :math:`\text{impact} = (k/n)\,\bar x`, compared exactly with the threshold.

    **Decision.** Each criterion supplied gives *pass*, *marginal* (in its revise
    band) or *fail*: relevance passes when I-CVI, printed to two decimals, reaches
    the threshold for the item's number of raters; essentiality when
    :math:`n_e \ge n_\text{crit}`; impact when it reaches the threshold. An item is
    **dropped** when any criterion fails, **revised** when none fails and at least one
    is marginal, and **kept** otherwise. :math:`\kappa^*` is reported, not used.

    References
    ----------
    Ayre, C., & Scally, A. J. (2014). Critical values for Lawshe's content validity
    ratio. *Measurement and Evaluation in Counseling and Development, 47*, 79-86.
    Lawshe, C. H. (1975). A quantitative approach to content validity. *Personnel
    Psychology, 28*, 563-575.
    Lynn, M. R. (1986). Determination and quantification of content validity.
    *Nursing Research, 35*, 382-385.
    Polit, D. F., & Beck, C. T. (2006). The content validity index: are you sure you
    know what's being reported? *Research in Nursing & Health, 29*, 489-497.
    Polit, D. F., Beck, C. T., & Owen, S. V. (2007). Is the CVI an acceptable
    indicator of content validity? *Research in Nursing & Health, 30*, 459-467.
    Wilson, F. R., Pan, W., & Schumsky, D. A. (2012). Recalculation of the critical
    values for Lawshe's content validity ratio. *Measurement and Evaluation in
    Counseling and Development, 45*, 197-210.
    Zamanzadeh, V., et al. (2015). Design and implementation content validity study.
    *Journal of Caring Sciences, 4*, 165-178.
    Lacasse, Y., Godbout, C., & Sériès, F. (2002). Health-related quality of life in
    obstructive sleep apnoea. *European Respiratory Journal, 19*, 499-503.

    Examples
    --------
    The fixture of Table 4 in PMC7253559 (6 experts, 12 items):

    >>> import pandas as pd
    >>> from peereval.validity import content_validity
    >>> rows = ["444444", "434434", "444444", "444444", "344444", "234334",
    ...         "444444", "444444", "334234", "444344", "444344", "444344"]
    >>> ratings = pd.DataFrame([[int(c) for c in r] for r in rows],
    ...                        index=[f"item{i}" for i in range(1, 13)],
    ...                        columns=[f"e{j}" for j in range(1, 7)])
    >>> cv = content_validity(ratings)
    >>> round(cv.scvi_ave, 4), round(cv.scvi_ua, 4)
    (0.9722, 0.8333)
    >>> print(cv.apa())  # doctest: +NORMALIZE_WHITESPACE
    Content validity was assessed by 6 experts: S-CVI/Ave = .97, S-CVI/UA = .83;
    I-CVIs ranged from .83 to 1.00. All 12 items were kept.

    The sample study's panel, relevance and essentiality:

    >>> import peereval
    >>> from peereval.loaders.panel import read_expert_panel
    >>> panel = read_expert_panel(peereval.sample_path("expert_panel"))
    >>> cv = content_validity(panel.relevance, essentiality=panel.essentiality)
    >>> cv.decisions[["Q2_6", "Q3_5", "Q2_4"]].tolist()
    ['drop', 'revise', 'keep']
    """
    _check_options(cvr_method, alpha, relevance_scale, importance_scale, essential_code,
                   icvi_threshold, icvi_revise, cvr_revise, impact_threshold, impact_revise)
    if ratings is None and essentiality is None:
        raise PeerevalError("content_validity() needs relevance ratings, essentiality "
                            "ratings or both", hint="pass ratings= and/or essentiality=")
    relevance = (None if ratings is None
                 else _prepare(ratings, "relevance", item, experts))
    essential = (None if essentiality is None
                 else _prepare(essentiality, "essentiality", item, experts))
    important = (None if importance is None
                 else _prepare(importance, "importance", item, None))
    reference = relevance if relevance is not None else essential
    assert reference is not None
    order = reference.index
    against = "relevance" if relevance is not None else "essentiality"
    if essential is not None and relevance is not None:
        _check_same_items(order, essential.index, "essentiality", against)
        essential = _reindex(essential, order)
    if important is not None:
        _check_same_items(order, important.index, "importance", against)
        important = _reindex(important, order)

    missing_notes: list[str] = []
    rel_codes = ess_codes = imp_codes = None
    if relevance is not None:
        rel_codes, _, _ = _code(relevance, "relevance", "relevance", relevance_scale)
    if essential is not None:
        ess_codes, _, numeric = _code(essential, "essentiality", "essentiality", 3)
        if numeric and essential_code is None:
            warnings.warn(
                "numeric essentiality codes were read as 3 = essential, 2 = useful but not "
                "essential, 1 = not necessary; if the form numbered the options in "
                "Lawshe's order (1 = essential), pass essential_code=1",
                PeerevalWarning, stacklevel=2)
    if important is not None:
        imp_codes, _, _ = _code(important, "importance", "importance", importance_scale)
    essential_value = 3 if essential_code is None else essential_code

    for name, codes in (("relevance", rel_codes), ("essentiality", ess_codes),
                        ("importance", imp_codes)):
        if codes is None:
            continue
        counts = codes.notna().sum(axis=1)
        few = counts[counts < _MIN_EXPERTS]
        if len(few):
            raise PeerevalError(
                f"item '{few.index[0]}' has {int(few.iloc[0])} valid {name} rating(s); "
                f"at least {_MIN_EXPERTS} are needed",
                value=few.index[0],
                hint="collect the missing ratings, or remove the item from the table")
        gaps = int(codes.isna().to_numpy().sum())
        if gaps:
            short = int((counts < codes.shape[1]).sum())
            missing_notes.append(f"{gaps} {name} rating(s) missing on {short} item(s)")
    if missing_notes:
        warnings.warn(
            "; ".join(missing_notes) + " (blank or 'not applicable'); each item's "
            "indices use the ratings it has (see n_missing, n_cvr, n_impact)",
            PeerevalWarning, stacklevel=2)

    rows = []
    critical_used: dict[int, _Critical] = {}
    for name in order:
        row: dict[str, Any] = dict.fromkeys(_COLUMNS)
        row["item"] = name
        statuses: list[tuple[str, str]] = []  # (status, reason)
        if rel_codes is not None:
            statuses.append(_relevance(row, rel_codes.loc[name], relevance_scale,
                                       icvi_threshold, icvi_revise))
        else:
            row["relevance_status"] = "not assessed"
        if ess_codes is not None:
            status = _essentiality(row, ess_codes.loc[name], essential_value, cvr_method,
                                   alpha, cvr_revise, critical_used)
            if status is not None:
                statuses.append(status)
        else:
            row["essentiality_status"] = "not assessed"
        if imp_codes is not None:
            statuses.append(_impact(row, imp_codes.loc[name], importance_scale,
                                    impact_threshold, impact_revise))
        else:
            row["impact_status"] = "not assessed"
        found = [s for s, _ in statuses]
        if "fail" in found:
            row["decision"] = "drop"
        elif "marginal" in found:
            row["decision"] = "revise"
        else:
            row["decision"] = "keep"
        reasons = [r for s, r in statuses if s != "pass"]
        row["reason"] = "; ".join(reasons) if reasons else "meets every criterion"
        rows.append(row)

    table = pd.DataFrame(rows, columns=_COLUMNS)
    for column in _INT_COLUMNS:
        table[column] = table[column].astype("Int64")
    for column in ("icvi", "p_c", "kappa", "icvi_threshold", "cvr", "cvr_p", "cvr_crit",
                   "frequency", "importance", "impact"):
        table[column] = table[column].astype(float)

    _warn_critical(critical_used)
    critical = pd.DataFrame(
        [{"n_experts": c.n, "method": cvr_method, "alpha": alpha, "n_crit": c.n_crit,
          "p_crit": c.p_crit, "cvr_crit": c.cvr_crit}
         for _, c in sorted(critical_used.items())],
        columns=["n_experts", "method", "alpha", "n_crit", "p_crit", "cvr_crit"])
    critical["n_experts"] = critical["n_experts"].astype("Int64")
    critical["n_crit"] = critical["n_crit"].astype("Int64")
    for column in ("alpha", "p_crit", "cvr_crit"):
        critical[column] = critical[column].astype(float)

    scale = _scale_table(table, scales, scvi_ave_threshold, scvi_ua_threshold,
                         reference.shape[1])
    rules = _rules(rel_codes is not None, ess_codes is not None, imp_codes is not None,
                   icvi_threshold, icvi_revise, cvr_method, alpha, cvr_revise,
                   impact_threshold, impact_revise, scvi_ave_threshold, scvi_ua_threshold,
                   essential_value)
    first = scale.iloc[0]
    return ContentValidity(
        items=table, scale=scale, critical=critical, rules=rules,
        n_experts=int(reference.shape[1]), n_items=len(order),
        scvi_ave=float(first["scvi_ave"]), scvi_ua=float(first["scvi_ua"]),
        cvr_method=cvr_method, alpha=float(alpha))


def _reindex(frame: pd.DataFrame, order: pd.Index) -> pd.DataFrame:
    attrs = dict(frame.attrs)
    out = frame.loc[order]
    out.attrs = attrs
    return out


def _check_options(method: str, alpha: float, relevance_scale: int, importance_scale: int,
                   essential_code: int | None, icvi_threshold: float | str,
                   icvi_revise: float | None, cvr_revise: float | None,
                   impact_threshold: float, impact_revise: float | None) -> None:
    if method not in _METHODS:
        raise PeerevalError(f"unknown cvr_method '{method}'",
                            hint="choose one of: " + ", ".join(_METHODS))
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 0.5:
        raise PeerevalError(f"alpha must be a number between 0 and .5, not {alpha!r}",
                            hint="the usual one-tailed level is alpha=0.05")
    if method == "lawshe" and alpha != 0.05:
        raise PeerevalError(
            "Lawshe's (1975) table exists for one-tailed alpha = .05 only",
            hint="use cvr_method='ayre_scally' (exact) or 'wilson' for another alpha")
    if relevance_scale not in (4, 6):
        raise PeerevalError(
            f"relevance_scale={relevance_scale!r}: the content validity index needs an even "
            "relevance scale whose upper half counts as relevant, normally the 4-point scale "
            "of Lynn (1986)", hint="rate relevance on 1-4 (or 1-6)")
    if importance_scale not in (4, 5, 6, 7):
        raise PeerevalError(f"importance_scale must be 4 to 7 points, not {importance_scale!r}",
                            hint="the impact score uses a 5-point importance scale")
    if essential_code not in (None, 1, 3):
        raise PeerevalError(
            f"essential_code must be 3 or 1, not {essential_code!r}",
            hint="3 when 3 = essential, 2 = useful, 1 = not necessary; 1 for the reverse")
    if isinstance(icvi_threshold, str):
        if icvi_threshold not in _ICVI_PRESETS:
            raise PeerevalError(f"unknown icvi_threshold '{icvi_threshold}'",
                                hint="use 'polit_beck', 'lynn' or a number such as 0.78")
    elif not 0 < icvi_threshold <= 1:
        raise PeerevalError(f"icvi_threshold must lie in (0, 1], not {icvi_threshold!r}",
                            hint="for example 0.78 or 0.83")
    if icvi_revise is not None and not 0 <= icvi_revise <= 1:
        raise PeerevalError(f"icvi_revise must lie in [0, 1], not {icvi_revise!r}",
                            hint="for example 0.70, or None for no revise band")
    if cvr_revise is not None and not -1 <= cvr_revise <= 1:
        raise PeerevalError(f"cvr_revise must lie in [-1, 1], not {cvr_revise!r}",
                            hint="for example 0, or None for no revise band")
    if not impact_threshold > 0 or (impact_revise is not None
                                    and not 0 <= impact_revise <= impact_threshold):
        raise PeerevalError("impact_threshold must be positive and impact_revise between 0 "
                            "and it", hint="the usual threshold is 1.5")


def _relevance(row: dict[str, Any], ratings: pd.Series, points: int, rule: float | str,
               revise: float | None) -> tuple[str, str]:
    valid = ratings.dropna()
    n = len(valid)
    relevant_min = points // 2 + 1
    a = int((valid >= relevant_min).sum())
    icvi = a / n
    p_c = math.comb(n, a) / 2**n
    kappa = (icvi - p_c) / (1 - p_c)
    threshold = _icvi_threshold(n, rule)
    a_min = _min_count(n, threshold)
    row.update(n_experts=n, n_missing=len(ratings) - n, n_relevant=a, icvi=icvi, p_c=p_c,
               kappa=kappa, kappa_label=_kappa_label(kappa),
               icvi_threshold=float(threshold), n_relevant_min=a_min)
    shown = fmt(icvi, leading_zero=False)
    needed = f"{fmt(float(threshold), leading_zero=False)} needed: {a_min} of {n} experts"
    if a_min is not None and a >= a_min:
        status, reason = "pass", ""
    elif revise is not None and _round2(a, n) >= _dec(revise):
        status = "marginal"
        reason = (f"I-CVI {shown} below threshold ({needed}), in the revise band from "
                  f"{fmt(revise, leading_zero=False)}")
    elif revise is not None:
        status = "fail"
        reason = (f"I-CVI {shown} below the revise band from {fmt(revise, leading_zero=False)}"
                  f" ({needed})")
    else:
        status, reason = "fail", f"I-CVI {shown} below threshold ({needed})"
    row["relevance_status"] = status
    return status, reason


def _essentiality(row: dict[str, Any], ratings: pd.Series, essential_value: int, method: str,
                  alpha: float, revise: float | None, used: dict[int, _Critical]
                  ) -> tuple[str, str] | None:
    valid = ratings.dropna()
    n = len(valid)
    n_e = int((valid == essential_value).sum())
    crit = _critical(n, method, alpha)
    used[n] = crit
    cvr = (2 * n_e - n) / n
    row.update(n_cvr=n, n_essential=n_e, cvr=cvr, cvr_p=float(_tail(n_e, n)),
               n_crit=crit.n_crit, cvr_crit=crit.cvr_crit)
    shown = fmt(cvr, leading_zero=False)
    if crit.n_crit is None:
        row["essentiality_status"] = "not assessed"
        return None
    needed = (f"CVR {shown} below critical {fmt(crit.cvr_crit, leading_zero=False)} "
              f"(n_e = {n_e}, {crit.n_crit} of {n} needed)")
    if revise is None:
        band = ""
    elif revise == 0:
        band = "more than half of the experts rated it essential"
    else:
        band = f"CVR above {fmt(revise, leading_zero=False)}"
    if n_e >= crit.n_crit:
        status, reason = "pass", ""
    elif revise is not None and Fraction(2 * n_e - n, n) > Fraction(repr(float(revise))):
        status, reason = "marginal", f"{needed}; {band}, so revise"
    elif revise is not None:
        status, reason = "fail", f"{needed}; not {band}"
    else:
        status, reason = "fail", needed
    row["essentiality_status"] = status
    return status, reason


def _impact(row: dict[str, Any], ratings: pd.Series, points: int, threshold: float,
            revise: float | None) -> tuple[str, str]:
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


def _warn_critical(used: dict[int, _Critical]) -> None:
    for crit in sorted(used.values(), key=lambda c: c.n):
        if crit.note:
            text = crit.note
            if crit.n_crit is None:
                text += f"; the essentiality criterion is not applied to items rated by {crit.n}"
            warnings.warn(text, PeerevalWarning, stacklevel=3)


def _scale_table(items: pd.DataFrame, scales: Mapping[str, Sequence[str]] | None,
                 ave_threshold: float, ua_threshold: float, n_experts: int) -> pd.DataFrame:
    groups: list[tuple[str, list[str]]] = [
        ("all items", list(items["item"])),
        ("retained items", list(items.loc[items["decision"] != "drop", "item"])),
    ]
    for name, members in (scales or {}).items():
        absent = [m for m in members if m not in set(items["item"])]
        if absent:
            raise PeerevalError(f"scale '{name}' lists item '{absent[0]}', which was not rated",
                                hint="scales= maps each scale to rated item codes")
        groups.append((str(name), [str(m) for m in members]))
    rows = []
    indexed = items.set_index("item")
    for name, members in groups:
        part = indexed.loc[members]
        has_relevance = part["icvi"].notna().any() and len(part)
        ave = float(part["icvi"].mean()) if has_relevance else math.nan
        ua = (float((part["n_relevant"] == part["n_experts"]).mean())
              if has_relevance else math.nan)
        mean_cvr = float(part["cvr"].mean()) if part["cvr"].notna().any() else math.nan
        rows.append({
            "scale": name, "n_items": len(members), "n_experts": n_experts,
            "scvi_ave": ave, "scvi_ua": ua, "mean_cvr": mean_cvr,
            "scvi_ave_threshold": float(ave_threshold), "scvi_ua_threshold": float(ua_threshold),
            "scvi_ave_ok": _meets(ave, ave_threshold), "scvi_ua_ok": _meets(ua, ua_threshold),
        })
    out = pd.DataFrame(rows)
    out["n_items"] = out["n_items"].astype("Int64")
    out["n_experts"] = out["n_experts"].astype("Int64")
    for column in ("scvi_ave_ok", "scvi_ua_ok"):
        out[column] = out[column].astype("boolean")
    return out


def _meets(value: float, threshold: float) -> bool | None:
    if math.isnan(value):
        return None
    shown = _dec(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return bool(shown >= _dec(threshold))


def _rules(relevance: bool, essentiality: bool, impact: bool, icvi_threshold: float | str,
           icvi_revise: float | None, method: str, alpha: float, cvr_revise: float | None,
           impact_threshold: float, impact_revise: float | None, ave: float, ua: float,
           essential_value: int) -> pd.DataFrame:
    def f(value: float) -> str:
        return fmt(value, leading_zero=False)

    rules: list[tuple[str, str, str]] = []
    if relevance:
        if icvi_threshold == "polit_beck":
            need, source = ("1.00 with 3-5 experts and .78 with 6 or more", _SOURCES["polit_beck"])
        elif icvi_threshold == "lynn":
            need, source = ("1.00 with 3-5 experts, .83 with 6-8 and .78 with 9 or more",
                            _SOURCES["lynn"])
        else:
            need, source = f(float(icvi_threshold)), "set by the user"
        rules.append(("relevance",
                      "I-CVI = share of experts rating the item 3 or 4 of 4; pass when I-CVI, "
                      f"printed to two decimals, is at least {need}", source))
        if icvi_revise is not None:
            rules.append(("relevance",
                          f"marginal (revise) when I-CVI is below the threshold but at least "
                          f"{f(icvi_revise)}; fail (drop) below {f(icvi_revise)}",
                          "Zamanzadeh et al. (2015)"))
        else:
            rules.append(("relevance", "fail (drop) below the threshold", "set by the user"))
        rules.append(("relevance",
                      "modified kappa = (I-CVI - p_c)/(1 - p_c), p_c = C(N, A) 0.5^N; poor below "
                      ".40, fair .40-.59, good .60-.74, excellent above .74 (reported, not "
                      "used in the decision)",
                      "Polit, Beck & Owen (2007); Cicchetti & Sparrow (1981)"))
    if essentiality:
        if method == "ayre_scally":
            how = (f"n_crit = the smallest n_e with exact one-tailed binomial "
                   f"P(X >= n_e | N, 1/2) <= {f(alpha)}")
        elif method == "lawshe":
            how = ("n_crit = the smallest n_e whose CVR, printed to two decimals, reaches "
                   "Lawshe's table entry for N (one-tailed .05)")
        else:
            how = f"n_crit = the smallest n_e with CVR >= z/sqrt(N), z for one-tailed {f(alpha)}"
        rules.append(("essentiality",
                      f"CVR = (n_e - N/2)/(N/2), n_e = experts rating the item essential "
                      f"(code {essential_value}); pass when n_e >= n_crit, {how}",
                      _SOURCES[method] + "; Lawshe (1975)"))
        if cvr_revise is not None:
            rules.append(("essentiality",
                          f"marginal (revise) when n_e < n_crit but CVR > {f(cvr_revise)} "
                          f"(more than half rated it essential when 0); fail (drop) otherwise",
                          "peereval's convention; Lawshe (1975) reads CVR > 0 as a majority "
                          "rating essential"))
        else:
            rules.append(("essentiality", "fail (drop) when n_e < n_crit", "Lawshe (1975)"))
    if impact:
        rules.append(("impact",
                      "impact = frequency (share rating 4 or 5) x mean importance; pass when "
                      f"at least {fmt(impact_threshold)}",
                      "Juniper et al. (1997); Lacasse, Godbout & Sériès (2002); "
                      "Hajizadeh & Asghari (2011)"))
        if impact_revise is not None:
            rules.append(("impact", f"marginal (revise) from {fmt(impact_revise)}; fail below",
                          "set by the user"))
        else:
            rules.append(("impact", "fail (drop) below the threshold",
                          "Lacasse, Godbout & Sériès (2002)"))
    rules.append(("decision",
                  "drop when any criterion fails; revise when none fails and at least one is "
                  "marginal; keep when all pass", "peereval"))
    if relevance:
        rules.append(("scale", f"S-CVI/Ave (mean I-CVI) at least {f(ave)}; S-CVI/UA (share "
                               f"of items with I-CVI = 1) at least {f(ua)}",
                      "Polit & Beck (2006); Shi, Mo & Sun (2012)"))
    return pd.DataFrame(rules, columns=["criterion", "rule", "source"])
