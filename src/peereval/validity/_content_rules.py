"""The decision rules of a content-validity study, in one frozen object.

:class:`ContentValidityRules` holds every threshold :func:`content_validity` applies:
how the critical CVR is found, the I-CVI an item needs for its panel size, the revise
bands, the impact-score threshold, the scale-level S-CVI standards and the words for
the modified kappa. Each default is the figure of the literature that
``REFERENCES.md`` section 1 documents; :meth:`ContentValidityRules.table` states the
rules in words, with their sources, for the report.

The comparisons are made as papers print the indices: rounded half-up to two
decimals (:func:`round2`, :func:`printed`), or on whole counts of experts.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from typing import Literal

import pandas as pd

from peereval._format import fmt
from peereval.errors import OptionError

__all__ = ["ContentValidityRules", "CvrMethod", "IcviRule"]

CvrMethod = Literal["ayre_scally", "lawshe", "wilson"]
IcviRule = Literal["polit_beck", "lynn"]
METHODS: tuple[str, ...] = ("ayre_scally", "lawshe", "wilson")
ICVI_PRESETS: tuple[str, ...] = ("polit_beck", "lynn")

SOURCES = {
    "polit_beck": "Polit & Beck (2006); Lynn (1986)",
    "lynn": "Lynn (1986)",
    "ayre_scally": "Ayre & Scally (2014)",
    "lawshe": "Lawshe (1975)",
    "wilson": "Wilson, Pan & Schumsky (2012)",
}

_CENT = Decimal("0.01")


# ------------------------------------------------------------------ arithmetic

def round2(numerator: int, denominator: int) -> Decimal:
    """A ratio of counts rounded half-up to two decimals, as papers print it."""
    exact = Decimal(numerator) / Decimal(denominator)
    return exact.quantize(_CENT, rounding=ROUND_HALF_UP)


def dec(value: float) -> Decimal:
    """A float as the decimal it was typed as (``0.7`` -> ``Decimal('0.7')``)."""
    return Decimal(repr(float(value)))


def printed(value: float) -> Decimal:
    """A float rounded half-up to two decimals, as papers print it."""
    return dec(value).quantize(_CENT, rounding=ROUND_HALF_UP)


# ------------------------------------------------------------------ the rules


def _invalid(field: str, text: str, hint: str) -> OptionError:
    return OptionError(f"ContentValidityRules.{field}: {text}", hint=hint)


def _is_number(value: object) -> bool:
    return (not isinstance(value, bool) and isinstance(value, numbers.Real)
            and math.isfinite(value))


@dataclass(frozen=True)
class ContentValidityRules:
    r"""The thresholds by which :func:`content_validity` judges each item.

    Every field has the default of the literature :func:`content_validity` follows;
    change only the ones a study's protocol sets otherwise. Invalid values raise a
    :class:`~peereval.errors.OptionError` (a PeerevalError) naming the field.

    Parameters
    ----------
    cvr_method
        How the critical CVR for a panel of :math:`N` experts is found:
        ``"ayre_scally"`` (default; the exact one-tailed binomial test, Ayre &
        Scally 2014), ``"lawshe"`` (the 1975 printed table, one-tailed .05,
        N = 5-15, 20, 25, ..., 40; at other N his normal approximation and a
        warning) or ``"wilson"`` (:math:`z_{1-\alpha}/\sqrt N`, normal approximation
        without continuity correction; Wilson, Pan & Schumsky 2012).
    alpha
        One-tailed significance level of the critical CVR (.05; Lawshe's table
        exists for .05 only).
    cvr_revise
        CVR above which an item below the critical CVR is revised rather than
        dropped (0: more than half of the panel rated it essential, Lawshe's reading
        of a positive CVR). ``None``: every item below the critical value is dropped,
        as Lawshe (1975) did.
    icvi_threshold
        The I-CVI an item needs, by panel size: ``"polit_beck"`` (default; 1.00 with
        3-5 experts, .78 with 6 or more; Polit & Beck 2006; Polit, Beck & Owen 2007),
        ``"lynn"`` (1.00 with 3-5, .83 with 6-8, .78 with 9 or more; Lynn 1986; it
        selects the same items as ``"polit_beck"``) or one number in (0, 1] for every
        panel size. See :meth:`icvi_cutoff`.
    icvi_revise
        I-CVI from which an item below the threshold is revised rather than dropped
        (.70: .70-.77 revise, below .70 drop; Zamanzadeh et al. 2015). ``None``: no
        revise band.
    scvi_ave_threshold, scvi_ua_threshold
        Scale-level standards: .90 for S-CVI/Ave (Polit & Beck 2006) and .80 for
        S-CVI/UA (Shi, Mo & Sun 2012), reported in ``ContentValidity.scale``.
    impact_threshold, impact_revise
        The impact score an item needs (1.5; Lacasse, Godbout & Sériès 2002), and
        the score from which a lower one means revise rather than drop (``None``:
        no revise band).
    kappa_cuts, kappa_labels
        Words for the modified kappa :math:`\kappa^*` (reported, never used in a
        decision): a kappa, rounded half-up to two decimals, below
        ``kappa_cuts[0]`` gets ``kappa_labels[0]``, and so on; from the last cut on,
        the last label. The defaults are Cicchetti & Sparrow's (1981) bands as
        Polit, Beck & Owen (2007) use them: poor below .40, fair .40-.59, good
        .60-.74, excellent .75 and above. Cuts are increasing two-decimal numbers,
        one fewer than the labels.

    Notes
    -----
    Every threshold is compared with the index as published: I-CVI and kappa
    rounded half-up to two decimals (7 of 9 experts, .778, meets .78), the CVR by
    whole counts of experts (:math:`n_e \ge n_\text{crit}`), the impact score
    exactly.

    References
    ----------
    Ayre, C., & Scally, A. J. (2014). Critical values for Lawshe's content validity
    ratio. *Measurement and Evaluation in Counseling and Development, 47*, 79-86.
    Lynn, M. R. (1986). Determination and quantification of content validity.
    *Nursing Research, 35*, 382-385.
    Polit, D. F., Beck, C. T., & Owen, S. V. (2007). Is the CVI an acceptable
    indicator of content validity? *Research in Nursing & Health, 30*, 459-467.

    Examples
    --------
    The defaults, and a protocol that follows Lynn (1986) and Lawshe's table:

    >>> from peereval.validity import ContentValidityRules
    >>> rules = ContentValidityRules()
    >>> rules.cvr_method, rules.icvi_threshold, rules.icvi_revise
    ('ayre_scally', 'polit_beck', 0.7)
    >>> [rules.icvi_cutoff(n) for n in (5, 6, 9)]
    [1.0, 0.78, 0.78]
    >>> lynn = ContentValidityRules(icvi_threshold="lynn", cvr_method="lawshe")
    >>> [lynn.icvi_cutoff(n) for n in (5, 6, 9)]
    [1.0, 0.83, 0.78]
    >>> rules.kappa_label(0.816), rules.kappa_label(0.745)
    ('excellent', 'excellent')
    """

    cvr_method: CvrMethod = "ayre_scally"
    alpha: float = 0.05
    cvr_revise: float | None = 0.0
    icvi_threshold: float | IcviRule = "polit_beck"
    icvi_revise: float | None = 0.70
    scvi_ave_threshold: float = 0.90
    scvi_ua_threshold: float = 0.80
    impact_threshold: float = 1.5
    impact_revise: float | None = None
    kappa_cuts: tuple[float, ...] = (0.40, 0.60, 0.75)
    kappa_labels: tuple[str, ...] = ("poor", "fair", "good", "excellent")

    def __post_init__(self) -> None:
        self._check_cvr()
        self._check_icvi()
        self._check_scale()
        self._check_impact()
        self._check_kappa()

    # ------------------------------------------------------------ checks
    def _check_cvr(self) -> None:
        if self.cvr_method not in METHODS:
            raise _invalid("cvr_method", f"unknown cvr_method {self.cvr_method!r}",
                           "choose one of: " + ", ".join(METHODS))
        alpha = self.alpha
        if not _is_number(alpha) or not 0 < alpha < 0.5:
            raise _invalid("alpha", f"alpha must be a number between 0 and .5, not {alpha!r}",
                           "the usual one-tailed level is alpha=0.05")
        if self.cvr_method == "lawshe" and alpha != 0.05:
            raise _invalid(
                "alpha", "Lawshe's (1975) table exists for one-tailed alpha = .05 only",
                "use cvr_method='ayre_scally' (exact) or 'wilson' for another alpha")
        revise = self.cvr_revise
        if revise is not None and not (_is_number(revise) and -1 <= revise <= 1):
            raise _invalid("cvr_revise", f"cvr_revise must lie in [-1, 1], not {revise!r}",
                           "for example 0, or None for no revise band")

    def _check_icvi(self) -> None:
        threshold = self.icvi_threshold
        if isinstance(threshold, str):
            if threshold not in ICVI_PRESETS:
                raise _invalid("icvi_threshold", f"unknown icvi_threshold {threshold!r}",
                               "use 'polit_beck', 'lynn' or a number such as 0.78")
        elif not (_is_number(threshold) and 0 < threshold <= 1):
            raise _invalid("icvi_threshold",
                           f"icvi_threshold must lie in (0, 1], not {threshold!r}",
                           "for example 0.78 or 0.83")
        revise = self.icvi_revise
        if revise is not None and not (_is_number(revise) and 0 <= revise <= 1):
            raise _invalid("icvi_revise", f"icvi_revise must lie in [0, 1], not {revise!r}",
                           "for example 0.70, or None for no revise band")

    def _check_scale(self) -> None:
        for field in ("scvi_ave_threshold", "scvi_ua_threshold"):
            value = getattr(self, field)
            if not (_is_number(value) and 0 <= value <= 1):
                raise _invalid(field, f"{field} must lie in [0, 1], not {value!r}",
                               "the usual standards are .90 (S-CVI/Ave) and .80 (S-CVI/UA)")

    def _check_impact(self) -> None:
        threshold, revise = self.impact_threshold, self.impact_revise
        if not (_is_number(threshold) and threshold > 0):
            raise _invalid("impact_threshold",
                           f"impact_threshold must be positive, not {threshold!r}",
                           "the usual threshold is 1.5")
        if revise is not None and not (_is_number(revise) and 0 <= revise <= threshold):
            raise _invalid("impact_revise",
                           f"impact_revise must lie between 0 and impact_threshold "
                           f"({threshold!r}), not {revise!r}",
                           "for example 1.0, or None for no revise band")

    def _check_kappa(self) -> None:
        cuts, labels = tuple(self.kappa_cuts), tuple(self.kappa_labels)
        if not all(_is_number(c) and -1 <= c <= 1 and dec(c) == printed(c) for c in cuts):
            raise _invalid("kappa_cuts",
                           f"kappa_cuts must be two-decimal numbers in [-1, 1], not {cuts!r}",
                           "kappa is labelled as printed, to two decimals, e.g. "
                           "(0.40, 0.60, 0.75)")
        if any(b <= a for a, b in pairwise(cuts)):
            raise _invalid("kappa_cuts", f"kappa_cuts must increase, not {cuts!r}",
                           "for example (0.40, 0.60, 0.75)")
        if (len(labels) != len(cuts) + 1
                or not all(isinstance(w, str) and w.strip() for w in labels)):
            raise _invalid("kappa_labels",
                           f"kappa_labels must be {len(cuts) + 1} words (one more than "
                           f"kappa_cuts), not {labels!r}",
                           "for example ('poor', 'fair', 'good', 'excellent')")
        object.__setattr__(self, "kappa_cuts", tuple(float(c) for c in cuts))
        object.__setattr__(self, "kappa_labels", labels)

    # ------------------------------------------------------------ the rules applied
    def icvi_cutoff(self, n_experts: int) -> float:
        """The I-CVI an item rated by ``n_experts`` needs.

        Parameters
        ----------
        n_experts
            Experts who rated the item's relevance.

        Returns
        -------
        float
            The threshold, which the I-CVI printed to two decimals must reach.

        Examples
        --------
        >>> from peereval.validity import ContentValidityRules
        >>> ContentValidityRules(icvi_threshold="lynn").icvi_cutoff(7)
        0.83
        """
        return float(self._icvi_cutoff(n_experts))

    def _icvi_cutoff(self, n: int) -> Decimal:
        rule = self.icvi_threshold
        if isinstance(rule, str):
            if n <= 5:
                return Decimal("1.00")
            if rule == "lynn" and n <= 8:
                return Decimal("0.83")
            return Decimal("0.78")
        return dec(rule)

    def kappa_label(self, kappa: float) -> str:
        """The word for a modified kappa, on its value as printed (two decimals, half-up).

        Parameters
        ----------
        kappa
            A modified kappa :math:`\\kappa^*`.

        Returns
        -------
        str
            One of :attr:`kappa_labels`.

        Examples
        --------
        >>> from peereval.validity import ContentValidityRules
        >>> ContentValidityRules().kappa_label(0.595)  # printed .60
        'good'
        """
        shown = printed(kappa)
        for cut, label in zip(self.kappa_cuts, self.kappa_labels, strict=False):
            if shown < dec(cut):
                return label
        return self.kappa_labels[-1]

    # ------------------------------------------------------------ the rules in words
    def table(self, *, relevance: bool = True, essentiality: bool = True,
              impact: bool = True, essential_code: int = 3) -> pd.DataFrame:
        """Each rule in words, with its source: ``criterion``, ``rule``, ``source``.

        Parameters
        ----------
        relevance, essentiality, impact
            Which questions the panel answered; rules of the others are left out.
        essential_code
            The code that means "essential" (3, or 1 on forms in Lawshe's order).

        Returns
        -------
        pandas.DataFrame

        Examples
        --------
        >>> from peereval.validity import ContentValidityRules
        >>> table = ContentValidityRules().table(impact=False)
        >>> table["criterion"].drop_duplicates().tolist()
        ['relevance', 'essentiality', 'decision', 'scale']
        """
        rows: list[tuple[str, str, str]] = []
        if relevance:
            rows += self._relevance_rules()
        if essentiality:
            rows += self._essentiality_rules(essential_code)
        if impact:
            rows += self._impact_rules()
        rows.append(("decision",
                     "drop when any criterion fails; revise when none fails and at least "
                     "one is marginal; keep when all pass", "peereval"))
        if relevance:
            rows.append(("scale", f"S-CVI/Ave (mean I-CVI) at least "
                                  f"{_f(self.scvi_ave_threshold)}; S-CVI/UA (share of items "
                                  f"with I-CVI = 1) at least {_f(self.scvi_ua_threshold)}",
                         "Polit & Beck (2006); Shi, Mo & Sun (2012)"))
        return pd.DataFrame(rows, columns=["criterion", "rule", "source"])

    def _relevance_rules(self) -> list[tuple[str, str, str]]:
        if self.icvi_threshold == "polit_beck":
            need, source = ("1.00 with 3-5 experts and .78 with 6 or more", SOURCES["polit_beck"])
        elif self.icvi_threshold == "lynn":
            need, source = ("1.00 with 3-5 experts, .83 with 6-8 and .78 with 9 or more",
                            SOURCES["lynn"])
        else:
            need, source = _f(float(self.icvi_threshold)), "set by the user"
        rows = [("relevance",
                 "I-CVI = share of experts rating the item 3 or 4 of 4; pass when I-CVI, "
                 f"printed to two decimals, is at least {need}", source)]
        if self.icvi_revise is not None:
            rows.append(("relevance",
                         f"marginal (revise) when I-CVI is below the threshold but at least "
                         f"{_f(self.icvi_revise)}; fail (drop) below {_f(self.icvi_revise)}",
                         "Zamanzadeh et al. (2015)"))
        else:
            rows.append(("relevance", "fail (drop) below the threshold", "set by the user"))
        rows.append(("relevance",
                     "modified kappa = (I-CVI - p_c)/(1 - p_c), p_c = C(N, A) 0.5^N; "
                     f"{self._kappa_words()} (reported, not used in the decision)",
                     "Polit, Beck & Owen (2007); Cicchetti & Sparrow (1981)"))
        return rows

    def _kappa_words(self) -> str:
        """'poor below .40, fair .40-.59, good .60-.74, excellent above .74'."""
        cuts = [dec(c) for c in self.kappa_cuts]
        labels = self.kappa_labels
        if not cuts:
            return f"{labels[0]} throughout"
        words = [f"{labels[0]} below {_f(float(cuts[0]))}"]
        for k in range(1, len(cuts)):
            words.append(f"{labels[k]} {_f(float(cuts[k - 1]))}-"
                         f"{_f(float(cuts[k] - _CENT))}")
        words.append(f"{labels[-1]} above {_f(float(cuts[-1] - _CENT))}")
        return ", ".join(words)

    def _essentiality_rules(self, essential_code: int) -> list[tuple[str, str, str]]:
        method = self.cvr_method
        if method == "ayre_scally":
            how = (f"n_crit = the smallest n_e with exact one-tailed binomial "
                   f"P(X >= n_e | N, 1/2) <= {_f(self.alpha)}")
        elif method == "lawshe":
            how = ("n_crit = the smallest n_e whose CVR, printed to two decimals, reaches "
                   "Lawshe's table entry for N (one-tailed .05)")
        else:
            how = ("n_crit = the smallest n_e with CVR >= z/sqrt(N), z for one-tailed "
                   f"{_f(self.alpha)}")
        rows = [("essentiality",
                 f"CVR = (n_e - N/2)/(N/2), n_e = experts rating the item essential "
                 f"(code {essential_code}); pass when n_e >= n_crit, {how}",
                 SOURCES[method] + "; Lawshe (1975)")]
        if self.cvr_revise is not None:
            rows.append(("essentiality",
                         f"marginal (revise) when n_e < n_crit but CVR > {_f(self.cvr_revise)}"
                         " (more than half rated it essential when 0); fail (drop) otherwise",
                         "peereval's convention; Lawshe (1975) reads CVR > 0 as a majority "
                         "rating essential"))
        else:
            rows.append(("essentiality", "fail (drop) when n_e < n_crit", "Lawshe (1975)"))
        return rows

    def _impact_rules(self) -> list[tuple[str, str, str]]:
        rows = [("impact",
                 "impact = frequency (share rating 4 or 5) x mean importance; pass when "
                 f"at least {fmt(self.impact_threshold)}",
                 "Juniper et al. (1997); Lacasse, Godbout & Sériès (2002); "
                 "Hajizadeh & Asghari (2011)")]
        if self.impact_revise is not None:
            rows.append(("impact", f"marginal (revise) from {fmt(self.impact_revise)}; "
                                   "fail below", "set by the user"))
        else:
            rows.append(("impact", "fail (drop) below the threshold",
                         "Lacasse, Godbout & Sériès (2002)"))
        return rows


def _f(value: float) -> str:
    return fmt(value, leading_zero=False)
