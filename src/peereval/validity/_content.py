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
item by the rules of a :class:`ContentValidityRules`, and returns a
:class:`ContentValidity`. The work is split by concern: ``_content_panel`` reads the
panel's tables and codes their labels, ``_content_cvr`` finds critical CVRs,
``_content_cvi`` computes I-CVI, modified kappa, S-CVI and impact, and
``_content_rules`` holds the thresholds.

Every threshold quoted in the literature is a two-decimal figure, so every
comparison with one is made on the index as published, rounded half-up to two
decimals (7 of 9 experts, .778, meets Lynn's .78), or on whole counts of experts
(CVR: ``n_e >= n_crit``); no decision rests on comparing binary floats.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Any

import pandas as pd

from peereval._format import fmt
from peereval._options import Choice, checked, deprecated_alias, renamed
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel
from peereval.validity import _content_cvi as cvi
from peereval.validity import _content_cvr as cvr
from peereval.validity import _content_panel as panel_tables
from peereval.validity._content_cvr import LAWSHE_TABLE
from peereval.validity._content_rules import ContentValidityRules, CvrMethod, IcviRule

__all__ = ["LAWSHE_TABLE", "ContentValidity", "ContentValidityRules", "CvrMethod",
           "IcviRule", "content_validity"]

# the keyword arguments that ContentValidityRules replaces (deprecated)
_RULE_KEYWORDS = tuple(f.name for f in fields(ContentValidityRules)
                       if not f.name.startswith("kappa_"))


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
        table when there is none) and number of items. ``n`` is ``n_experts``.
    n_dropped
        Experts of the panel who gave no valid rating at all (every cell blank or
        "not applicable"), so that nothing of theirs enters an index.
    relevance_scale
        Points of the relevance scale the ratings were read on.
    scvi_ave, scvi_ua
        Scale-level indices over all items (NaN without relevance ratings).
    cvr_method, alpha
        How critical CVRs were found.
    settings
        Every threshold applied, the :class:`ContentValidityRules` passed as
        ``rules=`` (or its defaults).

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
    settings: ContentValidityRules = field(default_factory=ContentValidityRules)
    n_dropped: int = 0
    relevance_scale: int = 4

    dropped = deprecated_alias("eliminated")

    @property
    def n(self) -> int:
        """The panel size (``n_experts``): the observations are the experts."""
        return self.n_experts

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
    def eliminated(self) -> list[str]:
        """Items the rules would drop (decision ``"drop"``)."""
        return self._listed("drop")

    def methods(self) -> str:
        """How content validity was judged, as a methods sentence.

        Built from the analysis's own settings: the panel, the questions it answered,
        the relevance scale and every rule applied (:attr:`rules`, from the
        :class:`ContentValidityRules` passed as ``rules=``).

        Returns
        -------
        str

        Examples
        --------
        >>> import pandas as pd
        >>> from peereval.validity import ContentValidityRules, content_validity
        >>> rows = ["444444", "434434", "444444", "444444", "344444", "234334"]
        >>> ratings = pd.DataFrame([[int(c) for c in r] for r in rows],
        ...                        index=[f"item{i}" for i in range(1, 7)],
        ...                        columns=[f"e{j}" for j in range(1, 7)])
        >>> rules = ContentValidityRules(icvi_threshold="lynn")
        >>> print(content_validity(ratings, rules=rules).methods())
        ... # doctest: +NORMALIZE_WHITESPACE
        A panel of 6 experts rated 6 items for relevance (on a 4-point scale). Rules
        applied: relevance: I-CVI = share of experts rating the item 3 or 4 of 4; pass
        when I-CVI, printed to two decimals, is at least 1.00 with 3-5 experts, .83 with
        6-8 and .78 with 9 or more (Lynn 1986); relevance: marginal (revise) when I-CVI
        is below the threshold but at least .70; fail (drop) below .70 (Zamanzadeh et
        al. 2015); relevance: modified kappa = (I-CVI - p_c)/(1 - p_c), p_c = C(N, A)
        0.5^N; poor below .40, fair .40-.59, good .60-.74, excellent above .74
        (reported, not used in the decision) (Polit, Beck & Owen 2007; Cicchetti &
        Sparrow 1981); decision: drop when any criterion fails; revise when none fails
        and at least one is marginal; keep when all pass (peereval); scale: S-CVI/Ave
        (mean I-CVI) at least .90; S-CVI/UA (share of items with I-CVI = 1) at least .80
        (Polit & Beck 2006; Shi, Mo & Sun 2012).
        """
        asked = []
        if self.items["icvi"].notna().any():
            asked.append(f"relevance (on a {self.relevance_scale}-point scale)")
        if self.items["cvr"].notna().any() or self.items["n_cvr"].notna().any():
            asked.append("essentiality")
        if self.items["impact"].notna().any():
            asked.append("importance (impact score)")
        panel = f"{self.n_experts} experts"
        if self.n_dropped:
            panel += f", {self.n_dropped} of whom gave no valid rating"
        rules = "; ".join(f"{row.criterion}: {row.rule} ({_cite(row.source)})"
                          for row in self.rules.itertuples())
        return (f"A panel of {panel} rated {self.n_items} items for "
                + " and ".join(asked) + f". Rules applied: {rules}.")

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


@renamed(ratings="data")
@checked(relevance_scale=Choice((4, 6)), importance_scale=Choice((4, 5, 6, 7)),
         essential_code=Choice((None, 1, 3)))
def content_validity(
    data: pd.DataFrame | None,
    *,
    essentiality: pd.DataFrame | None = None,
    importance: pd.DataFrame | None = None,
    relevance_scale: int = 4,
    essential_code: int | None = None,
    importance_scale: int = 5,
    scales: Mapping[str, Sequence[str]] | None = None,
    item: str | None = None,
    experts: Sequence[str] | None = None,
    rules: ContentValidityRules | None = None,
    **deprecated: Any,
) -> ContentValidity:
    r"""Content validity of a questionnaire's items from an expert panel's ratings.

    Parameters
    ----------
    data
        The relevance ratings (formerly ``ratings=``, which still works with a
        :class:`DeprecationWarning`), one row per item (the index, or a column named ``item``)
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
    scales
        Optional ``{scale name: [items]}``: S-CVI reported for each scale too.
    item, experts
        The column holding the item codes, and the expert columns to use (by default
        every column except descriptive ones such as ``wording``).
    rules
        The thresholds every decision rests on, a :class:`ContentValidityRules`
        (critical-CVR method and alpha, I-CVI cut-offs by panel size, revise bands,
        impact and S-CVI thresholds, kappa labels). ``None``: its defaults, the
        literature's (Ayre & Scally's exact critical CVR at one-tailed .05; I-CVI
        1.00 with 3-5 experts and .78 with 6 or more, revise from .70; S-CVI/Ave .90,
        S-CVI/UA .80; impact 1.5).

    Other Parameters
    ----------------
    cvr_method, alpha, cvr_revise, icvi_threshold, icvi_revise
        Deprecated: the fields of ``rules`` of the same names. Each still works
        for one release and raises a :class:`DeprecationWarning` naming the
        ``rules=`` field that replaces it; it cannot be combined with ``rules=``.
    scvi_ave_threshold, scvi_ua_threshold, impact_threshold, impact_revise
        Deprecated likewise, for the fields of the same names.

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
        different items, or an invalid option (an invalid rule names its field).

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

    Lawshe's table and Lynn's cut-offs instead of the defaults:

    >>> from peereval.validity import ContentValidityRules
    >>> rules = ContentValidityRules(cvr_method="lawshe", icvi_threshold="lynn")
    >>> cv = content_validity(panel.relevance, essentiality=panel.essentiality, rules=rules)
    >>> cv.critical[["n_experts", "n_crit", "cvr_crit"]]
       n_experts  n_crit  cvr_crit
    0         10       9      0.62
    """
    rules = _resolve_rules(rules, deprecated)
    tables = _read_tables(data, essentiality, importance, item, experts)
    codes = _code_tables(tables, relevance_scale, importance_scale, essential_code)
    panel_tables.check_coverage(codes, stacklevel=user_stacklevel())
    essential_value = 3 if essential_code is None else essential_code
    order = next(t for t in tables.values() if t is not None).index
    critical_used: dict[int, cvr.Critical] = {}
    rows = [_assess(name, codes, rules, relevance_scale, importance_scale,
                    essential_value, critical_used) for name in order]
    table = _item_table(rows)
    cvr.warn_critical(critical_used, stacklevel=user_stacklevel())
    n_experts = int(next(c for c in codes.values() if c is not None).shape[1])
    scale = cvi.scale_table(table, scales, rules, n_experts)
    first = scale.iloc[0]
    return ContentValidity(
        items=table, scale=scale, critical=cvr.critical_table(critical_used, rules),
        rules=rules.table(relevance=codes["relevance"] is not None,
                          essentiality=codes["essentiality"] is not None,
                          impact=codes["importance"] is not None,
                          essential_code=essential_value),
        n_experts=n_experts, n_items=len(order),
        scvi_ave=float(first["scvi_ave"]), scvi_ua=float(first["scvi_ua"]),
        cvr_method=rules.cvr_method, alpha=float(rules.alpha), settings=rules,
        n_dropped=_silent_experts(codes), relevance_scale=relevance_scale)


def _cite(source: str) -> str:
    """A rule's source as an in-text citation: "Lynn (1986)" becomes "Lynn 1986"."""
    return source.replace(" (", " ").replace(")", "")


def _silent_experts(codes: dict[str, pd.DataFrame | None]) -> int:
    """Experts with no valid relevance or essentiality rating at all."""
    answered: dict[str, bool] = {}
    for name, coded in codes.items():
        if coded is None or name == "importance":
            continue
        for expert, any_valid in coded.notna().any(axis=0).items():
            answered[str(expert)] = answered.get(str(expert), False) or bool(any_valid)
    return sum(not valid for valid in answered.values())


# ------------------------------------------------------------------ its steps


def _resolve_rules(rules: ContentValidityRules | None, deprecated: dict[str, Any],
                   ) -> ContentValidityRules:
    """The rules to apply: ``rules=``, or the deprecated keywords (warned about)."""
    unknown = [k for k in deprecated if k not in _RULE_KEYWORDS]
    if unknown:
        raise TypeError(f"content_validity() got an unexpected keyword argument '{unknown[0]}'")
    if rules is not None and not isinstance(rules, ContentValidityRules):
        raise PeerevalError(
            f"rules must be a ContentValidityRules, not {type(rules).__name__}",
            hint="rules=ContentValidityRules(icvi_threshold='lynn'), for example")
    if not deprecated:
        return rules if rules is not None else ContentValidityRules()
    for name in _RULE_KEYWORDS:
        if name in deprecated:
            warnings.warn(
                f"content_validity({name}=...) is deprecated and will be removed in the "
                f"next release; pass rules=ContentValidityRules({name}=...) instead",
                DeprecationWarning, stacklevel=user_stacklevel())
    if rules is not None:
        raise PeerevalError(
            "content_validity() was given rules= and the keyword(s) "
            + ", ".join(f"{k}=" for k in deprecated) + " that it replaces",
            hint="set them as fields of the rules: ContentValidityRules("
            + ", ".join(f"{k}=..." for k in deprecated) + ")")
    return replace(ContentValidityRules(), **deprecated)


def _read_tables(ratings: Any, essentiality: Any, importance: Any, item: str | None,
                 experts: Sequence[str] | None) -> dict[str, pd.DataFrame | None]:
    """The three tables, items x experts, in the order of the first one given."""
    if ratings is None and essentiality is None:
        raise PeerevalError("content_validity() needs relevance ratings, essentiality "
                            "ratings or both", hint="pass ratings= and/or essentiality=")
    relevance = (None if ratings is None
                 else panel_tables.prepare(ratings, "relevance", item, experts))
    essential = (None if essentiality is None
                 else panel_tables.prepare(essentiality, "essentiality", item, experts))
    important = (None if importance is None
                 else panel_tables.prepare(importance, "importance", item, None))
    order = (relevance if relevance is not None else essential).index  # type: ignore[union-attr]
    against = "relevance" if relevance is not None else "essentiality"
    if essential is not None and relevance is not None:
        panel_tables.check_same_items(order, essential.index, "essentiality", against)
        essential = panel_tables.reindex(essential, order)
    if important is not None:
        panel_tables.check_same_items(order, important.index, "importance", against)
        important = panel_tables.reindex(important, order)
    return {"relevance": relevance, "essentiality": essential, "importance": important}


def _code_tables(tables: dict[str, pd.DataFrame | None], relevance_scale: int,
                 importance_scale: int, essential_code: int | None,
                 ) -> dict[str, pd.DataFrame | None]:
    """Each table's cells as codes (labels looked up), keyed as ``tables``."""
    points = {"relevance": relevance_scale, "essentiality": 3, "importance": importance_scale}
    codes: dict[str, pd.DataFrame | None] = {}
    for name, table in tables.items():
        if table is None:
            codes[name] = None
            continue
        codes[name], _, numeric = panel_tables.code(table, name, name, points[name])
        if name == "essentiality" and numeric and essential_code is None:
            warnings.warn(
                "numeric essentiality codes were read as 3 = essential, 2 = useful but not "
                "essential, 1 = not necessary; if the form numbered the options in "
                "Lawshe's order (1 = essential), pass essential_code=1",
                PeerevalWarning, stacklevel=user_stacklevel())
    return codes


def _assess(name: str, codes: dict[str, pd.DataFrame | None], rules: ContentValidityRules,
            relevance_scale: int, importance_scale: int, essential_value: int,
            critical_used: dict[int, cvr.Critical]) -> dict[str, Any]:
    """One item's row: every index, each criterion's status, the decision and why."""
    row: dict[str, Any] = dict.fromkeys(_COLUMNS)
    row["item"] = name
    statuses: list[tuple[str, str]] = []  # (status, reason)
    relevance, essential, important = (codes["relevance"], codes["essentiality"],
                                       codes["importance"])
    if relevance is not None:
        statuses.append(cvi.relevance(row, relevance.loc[name], relevance_scale, rules))
    else:
        row["relevance_status"] = "not assessed"
    if essential is not None:
        status = cvr.essentiality(row, essential.loc[name], essential_value, rules,
                                  critical_used)
        if status is not None:
            statuses.append(status)
    else:
        row["essentiality_status"] = "not assessed"
    if important is not None:
        statuses.append(cvi.impact(row, important.loc[name], importance_scale, rules))
    else:
        row["impact_status"] = "not assessed"
    row["decision"] = _decide([s for s, _ in statuses])
    reasons = [r for s, r in statuses if s != "pass"]
    row["reason"] = "; ".join(reasons) if reasons else "meets every criterion"
    return row


def _decide(statuses: list[str]) -> str:
    """Drop when any criterion fails, revise when one is marginal, else keep."""
    if "fail" in statuses:
        return "drop"
    if "marginal" in statuses:
        return "revise"
    return "keep"


def _item_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    table = pd.DataFrame(rows, columns=_COLUMNS)
    for column in _INT_COLUMNS:
        table[column] = table[column].astype("Int64")
    for column in ("icvi", "p_c", "kappa", "icvi_threshold", "cvr", "cvr_p", "cvr_crit",
                   "frequency", "importance", "impact"):
        table[column] = table[column].astype(float)
    return table
