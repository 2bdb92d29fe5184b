"""Perception studies: how many respondents agreed, item by item and scale by scale.

The headline of a perception study is a share with its interval: "71% of junior
students (95% CI 63–78%) agreed that the programme helped them adjust".
:func:`summarise` computes, for every item and every scale of an
:class:`~peereval.instrument.Instrument` (optionally per cohort):

* the response distribution: count and percentage of every response option,
  options nobody chose included (an empty category is information too);
* the median (and mean and SD) of the answers;
* the share agreeing (top-two box by default) with Wilson's (1927) score interval;
* per scale, the share of respondents whose mean item score lies above the midpoint
  of the response range;

and :meth:`PerceptionSummary.apa` writes the sentence a report quotes.

References
----------
Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
inference. *Journal of the American Statistical Association*, 22, 209-212.

Newcombe, R. G. (1998). Two-sided confidence intervals for the single proportion:
comparison of seven methods. *Statistics in Medicine*, 17, 857-872.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval._effects import wilson_interval
from peereval._format import fmt
from peereval._options import Interval, checked, deprecated_alias, keyword_only, renamed
from peereval._results import Result
from peereval.errors import PeerevalError
from peereval.instrument import Instrument, Scale, Scores
from peereval.labels import VOCABULARIES, normalize_label
from peereval.responses import Item, Responses

__all__ = ["PerceptionSummary", "summarise", "wilson"]

_AGREE_WORDS = ("agree", "موافق", "أوافق")
_DISAGREE_WORDS = ("disagree", "مخالف", "لا أوافق", "غير موافق")


_SENTENCE_DEPRECATED = ("PerceptionSummary.sentence is deprecated since peereval 0.1: use "
                        "PerceptionSummary.apa(key, group)")
_SENTENCES_DEPRECATED = ("PerceptionSummary.sentences is deprecated since peereval 0.1: use "
                         "PerceptionSummary.apa(key) for each item or scale")


@renamed(level="confidence")
@keyword_only("0.1", "confidence")
@checked(confidence=Interval(0, 1, closed="neither"))
def wilson(events: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    r"""Wilson's (1927) score interval for a proportion, kept within [0, 1].

    .. math:: \frac{\hat p + \frac{z^2}{2n} \pm z\sqrt{\frac{\hat p(1-\hat p)}{n}
              + \frac{z^2}{4n^2}}}{1 + z^2/n}

    with :math:`z` the :math:`(1 + \text{confidence})/2` normal quantile: the interval of
    R's ``prop.test(x, n, correct = FALSE)$conf.int``. Unlike the Wald interval it
    never leaves [0, 1] and keeps close to its nominal coverage for small n and
    proportions near 0 or 1 (Newcombe 1998). Both limits are NaN when ``n`` is 0.

    Parameters
    ----------
    events
        Number of respondents with the event (e.g. who agreed).
    n
        Number of respondents.
    confidence
        Confidence level (formerly ``level``, which still works by name or by
        position with a :class:`DeprecationWarning`).

    Returns
    -------
    tuple[float, float]
        The lower and upper limits, as proportions.

    Examples
    --------
    >>> [round(v, 4) for v in wilson(99, 138)]
    [0.6372, 0.7858]
    >>> wilson(0, 20)[0], wilson(0, 0)
    (0.0, (nan, nan))
    """
    if n <= 0:
        return float("nan"), float("nan")
    low, high = wilson_interval(events, n, confidence)
    return max(0.0, float(low)), min(1.0, float(high))


# ------------------------------------------------------------------------ result


@dataclass(frozen=True, repr=False)
class PerceptionSummary(Result):
    """What respondents said, per item and per scale (and per cohort).

    Percentages are of the respondents who gave a substantive answer (``n``);
    missing answers are excluded and counted in ``n_missing``.

    Attributes
    ----------
    items
        One row per item (per group when split): ``scale``, ``item``, ``text``,
        ``reverse``, [``group``], ``n``, ``n_missing`` (no answer, or an answer that
        is not a position on the scale), ``n_not_substantive`` (of those, answers
        given but not on the scale: "Don't know", missing codes, out-of-range
        values set missing), ``median``, ``mean``, ``sd``, ``agree_n``,
        ``agree_pct`` and its Wilson interval ``agree_ci_low``, ``agree_ci_high``
        (percent). Reverse-keyed items are summarised as worded (see Notes of
        :func:`summarise`).
    scales
        One row per scale (per group): ``scale``, ``label``, ``n_items``,
        [``group``], ``n`` (respondents with a scale score), ``n_missing`` (without
        one: too few items answered), ``median``, ``mean``, ``sd`` of the scale
        score on the item metric (mean of the items, reverse-keyed ones reversed),
        ``midpoint``, ``above_midpoint_n``, ``above_midpoint_pct`` with
        ``above_ci_low``, ``above_ci_high``; ``agree_threshold``, ``agree_n``,
        ``agree_pct``, ``agree_ci_low``, ``agree_ci_high`` (respondents whose mean
        item score reaches the lowest agreeing option); ``answers_n`` and
        ``answers_agree_pct`` (all answers to the scale's items pooled; no interval,
        because one person's answers are not independent).
    distribution
        Long table: ``level`` (``"item"`` or ``"scale"``), ``scale``, ``item``
        (missing for scale rows), [``group``], ``code``, ``label``, ``count``,
        ``percent`` and ``agree`` (whether the option counts as agreeing). Every
        option of the response range has a row, chosen or not. Scale rows pool the
        answers to the scale's items after reverse keying.
    options
        Scale name -> the ``(code, label)`` response options, lowest first.
    agree
        Scale name -> the codes counted as agreeing.
    by, groups, n_no_group
        The cohort split (its name, its groups in order) and the respondents left
        out of every group because their group is missing.
    ci_level, n_respondents, instrument
        Confidence level, respondents in the data and the instrument's name.
    top, agree_given, out_of_range
        The settings the agreeing options and the answers came from: the top-box
        size, whether the agreeing options were given (``agree=``), and the rule for
        answers outside the response range.

    Examples
    --------
    >>> import peereval
    >>> from peereval.perception import summarise
    >>> study = peereval.load_sample()
    >>> summary = summarise(study.screened, study.instrument)
    >>> summary.n_respondents, summary.items.shape[0]
    (138, 18)
    >>> summary.scales["scale"].tolist()
    ['support', 'adjustment', 'belonging']
    """

    items: pd.DataFrame
    scales: pd.DataFrame
    distribution: pd.DataFrame
    options: Mapping[str, tuple[tuple[float, str], ...]] = field(compare=False)
    agree: Mapping[str, tuple[float, ...]] = field(compare=False)
    by: str | None
    groups: tuple[Any, ...]
    n_no_group: int
    ci_level: float
    n_respondents: int
    instrument: str
    title: str = "Perception summary"
    top: int = 2
    agree_given: bool = False
    out_of_range: str = "error"

    level = deprecated_alias("ci_level")

    @property
    def n(self) -> int:
        """Respondents in the data (``n_respondents``)."""
        return self.n_respondents

    @property
    def n_dropped(self) -> int:
        """Respondents left out of every group of the split (``n_no_group``)."""
        return self.n_no_group

    # ------------------------------------------------------------------ tables
    def to_frame(self) -> pd.DataFrame:
        """Items then scales, one row each (per group): n, missing, median, agreement.

        Columns: ``level``, ``scale``, ``item``, ``text``, [``group``], ``n``,
        ``n_missing``, ``median``, ``mean``, ``sd``, ``agree_n``, ``agree_pct``,
        ``agree_ci_low``, ``agree_ci_high`` and, for scales, ``above_midpoint_pct``
        with its interval (percentages 0-100).
        """
        keys = ["scale", "item", "text"] + (["group"] if self.by is not None else [])
        common = ["n", "n_missing", "median", "mean", "sd", "agree_n", "agree_pct",
                  "agree_ci_low", "agree_ci_high"]
        above = ["above_midpoint_pct", "above_ci_low", "above_ci_high"]
        items = self.items[keys + common].assign(level="item")
        scales = self.scales.rename(columns={"label": "text"}).assign(item=pd.NA, level="scale")
        frame = pd.concat([items, scales[[*keys, *common, *above, "level"]]],
                          ignore_index=True)
        return frame[["level", *keys, *common, *above]]

    @renamed(level="scope")
    def counts(self, scope: Literal["item", "scale"] = "item") -> pd.DataFrame:
        """The distribution as a wide table: one row per item (or scale) and group,
        one column per option label holding the count.

        ``scope`` is ``"item"`` or ``"scale"`` (formerly ``level=``, which still
        works with a :class:`DeprecationWarning`).
        """
        if scope not in ("item", "scale"):
            raise ValueError("scope must be 'item' or 'scale'")
        rows = self.distribution[self.distribution["level"] == scope]
        keys = ["scale"] + (["item"] if scope == "item" else [])
        keys += ["group"] if self.by is not None else []
        wide = rows.pivot_table(index=keys, columns="code", values="count", aggfunc="sum",
                                sort=False)
        wide.columns.name = None
        return wide.reset_index()

    # --------------------------------------------------------------- sentences
    def apa(self, key: str | None = None, group: Any = None, *, who: str | None = None,
            verb: str | None = None, digits: int = 0) -> str:
        """The headline sentence for one item or one scale, or for every scale.

        Parameters
        ----------
        key
            An item code (the share agreeing, on the item as worded) or a scale name
            (the share above the midpoint). ``None``: the sentences of every scale
            (of every group, when split), joined.
        group
            Which group, when the summary is split by cohort.
        who
            How to name the respondents ("junior students"); by default
            "respondents", or "respondents with <by> = <group>".
        verb
            What the respondents did with the item ("agreed that"); by default
            "agreed with" when the agreeing options are agreement labels, else
            "answered 4 or 5 to" naming the options.
        digits
            Decimals of the percentages.

        Examples
        --------
        >>> import pandas as pd, peereval
        >>> inst = peereval.Instrument.from_dict({"name": "demo", "response_range": [1, 5],
        ...     "scales": {"s": {"items": ["a"], "label": "Support"}},
        ...     "items": {"a": "The platform helped me adjust"}})
        >>> data = pd.DataFrame({"a": [5] * 30 + [4] * 41 + [3] * 20 + [2] * 9})
        >>> summary = summarise(data, inst)
        >>> summary.apa("a")
        '71% of 100 respondents (95% CI 61–79%) answered 4 or 5 to “The platform helped me adjust”.'
        >>> summary.apa("a", who="junior students", verb="agreed with")
        '71% of 100 junior students (95% CI 61–79%) agreed with “The platform helped me adjust”.'
        """
        if key is None:
            if group is not None:
                raise PeerevalError("name the item or scale to report for the group",
                                    hint="apa(key, group)")
            return " ".join(self._sentences("scale", who=who))
        if self.by is not None and group is None:
            raise PeerevalError(f"the summary is split by {self.by!r}: name the group",
                                hint=f"groups: {list(self.groups)}")
        if self.by is None and group is not None:
            raise PeerevalError("the summary is not split by a cohort; leave group out")
        who = who or ("respondents" if group is None
                      else f"respondents with {self.by} = {group}")
        ci_name = f"{fmt(self.ci_level * 100, 0)}% CI"

        def pick(frame: pd.DataFrame, column: str) -> pd.Series:
            rows = frame[frame[column] == key]
            if group is not None:
                rows = rows[rows["group"] == group]
            if rows.empty:
                raise KeyError(f"no {column} {key!r}" + (f" in group {group!r}" if group
                                                          is not None else ""))
            return rows.iloc[0]

        def pct(value: float) -> str:
            return fmt(value, digits)

        if key in set(self.items["item"]):
            row = pick(self.items, "item")
            text = str(row["text"]).strip().rstrip(".")
            if row["n"] == 0:
                return f"No {who} answered “{text}”."
            verb = verb or _verb(self.options[row["scale"]], self.agree[row["scale"]])
            return (f"{pct(row['agree_pct'])}% of {int(row['n'])} {who} ({ci_name} "
                    f"{pct(row['agree_ci_low'])}–{pct(row['agree_ci_high'])}%) {verb} "
                    f"“{text}”.")
        if key in set(self.scales["scale"]):
            row = pick(self.scales, "scale")
            if row["n"] == 0:
                return f"No {who} had a {row['label']} score."
            return (f"{pct(row['above_midpoint_pct'])}% of {int(row['n'])} {who} ({ci_name} "
                    f"{pct(row['above_ci_low'])}–{pct(row['above_ci_high'])}%) had a mean "
                    f"item score above the midpoint ({row['midpoint']:g}) on the "
                    f"{row['label']} scale.")
        raise KeyError(f"{key!r} is neither an item nor a scale of this summary")

    def _sentences(self, scope: str = "item", *,
                   who: str | Mapping[Any, str] | None = None) -> list[str]:
        """Every item's (or scale's) sentence, in order, for every group."""
        frame = self.items if scope == "item" else self.scales
        column = "item" if scope == "item" else "scale"
        out = []
        for row in frame.to_dict("records"):
            group = row.get("group") if self.by is not None else None
            name = who.get(group) if isinstance(who, Mapping) else who
            out.append(self.apa(row[column], group, who=name))
        return out

    def sentence(self, key: str, group: Any = None, *, who: str | None = None,
                 verb: str | None = None, digits: int = 0) -> str:
        """Deprecated: the sentence of one item or scale is ``apa(key, group)``."""
        warnings.warn(_SENTENCE_DEPRECATED, DeprecationWarning, stacklevel=2)
        return self.apa(key, group, who=who, verb=verb, digits=digits)

    sentence.__deprecated__ = _SENTENCE_DEPRECATED  # type: ignore[attr-defined]

    def sentences(self, level: str = "item", *, who: str | Mapping[Any, str] | None = None
                  ) -> list[str]:
        """Deprecated: call ``apa(key)`` for each item or scale."""
        warnings.warn(_SENTENCES_DEPRECATED, DeprecationWarning, stacklevel=2)
        return self._sentences(level, who=who)

    sentences.__deprecated__ = _SENTENCES_DEPRECATED  # type: ignore[attr-defined]

    def methods(self) -> str:
        """How agreement was summarised, as a methods sentence.

        Built from the summary's own settings: the agreeing options of each scale
        (the top box, or those given), the confidence level of the Wilson intervals,
        the rule for scale scores, the treatment of missing and out-of-range answers
        and the cohort split.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> study = peereval.load_sample()
        >>> summary = summarise(study.screened, study.instrument, top=1, confidence=0.9)
        >>> print(summary.methods())  # doctest: +NORMALIZE_WHITESPACE
        For each item, the share of the 138 respondents answering with the top box
        (support: Strongly agree; adjustment: Strongly agree; belonging: Strongly agree)
        is reported with its 90% Wilson (1927) score interval; percentages are of the
        substantive answers (missing answers, "Don't know" and missing codes excluded).
        Per scale, the share of respondents whose mean item score (reverse-keyed items
        reversed) lies above the midpoint of the response range is reported with the
        same interval.
        """
        agreeing = []
        for scale, codes in self.agree.items():
            labels = dict(self.options[scale])
            named = ", ".join(f"{labels.get(c, f'{c:g}')}" for c in codes)
            agreeing.append(f"{scale}: {named}")
        if self.agree_given:
            which = "the options named as agreeing (" + "; ".join(agreeing) + ")"
        else:
            box = "top box" if self.top == 1 else f"top-{_number(self.top)} box"
            which = f"the {box} (" + "; ".join(agreeing) + ")"
        text = (f"For each item, the share of the {self.n} respondents answering with "
                f"{which} is reported with its {fmt(self.ci_level * 100, 0)}% Wilson "
                "(1927) score interval; percentages are of the substantive answers "
                "(missing answers, \"Don't know\" and missing codes excluded")
        text += ("; answers outside the response range set missing)" if
                 self.out_of_range == "missing" else ")")
        text += (". Per scale, the share of respondents whose mean item score (reverse-"
                 "keyed items reversed) lies above the midpoint of the response range is "
                 "reported with the same interval")
        if self.by is not None:
            groups = ", ".join(map(str, self.groups))
            text += (f". The summary is split by {self.by} ({groups}); {self.n_no_group} "
                     "respondent" + ("" if self.n_no_group == 1 else "s")
                     + " without a group " + ("was" if self.n_no_group == 1 else "were")
                     + " left out of the split")
        return text + "."


def _verb(options: tuple[tuple[float, str], ...], agree: tuple[float, ...]) -> str:
    labels = [label for code, label in options if code in agree]
    words = [normalize_label(label) for label in labels]
    agreeing = all(any(w in text for w in _AGREE_WORDS) for text in words)
    disagreeing = any(any(w in text for w in _DISAGREE_WORDS) for text in words)
    if words and agreeing and not disagreeing:
        return "agreed with"
    quoted = [label if _is_number(label) else f"“{label}”" for label in labels]
    chosen = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f"answered {chosen} to"


def _number(k: int) -> str:
    words = {2: "two", 3: "three", 4: "four", 5: "five"}
    return words.get(k, str(k))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------- function


@renamed(level="confidence")
@checked(top=Interval(1, None, integer=True), confidence=Interval(0, 1, closed="neither"))
def summarise(
    data: Responses | Scores | pd.DataFrame,
    instrument: Instrument | None = None,
    *,
    by: str | pd.Series | Mapping[Any, Any] | None = None,
    top: int = 2,
    agree: Sequence[float | str] | Mapping[str, Sequence[float | str]] | None = None,
    labels: Sequence[str] | Mapping[Any, Any] | None = None,
    confidence: float = 0.95,
    out_of_range: Literal["error", "missing"] = "error",
    mapping: Mapping[str, Any] | None = None,
) -> PerceptionSummary:
    r"""Response distributions, medians and the share agreeing, per item and scale.

    Parameters
    ----------
    data
        A :class:`~peereval.responses.Responses` (answers as labels or
        codes), the :class:`~peereval.instrument.Scores` of one, or a DataFrame with
        the items as columns (numbers, or labels the vocabularies know).
    instrument
        The codebook: scales, reverse-keyed items, response range, item wording.
        Optional when ``data`` is a ``Scores``.
    by
        Split by cohort: a column of the survey (an item such as "year of study",
        or metadata), a column of the DataFrame, or a Series / mapping from
        respondent id to group (e.g. ``linked.records.data["mentored"]`` after
        :func:`peereval.link`). Respondents without a group are left out of the
        split and counted in ``n_no_group``.
    top
        How many of the highest options of the response range count as agreeing
        (2: the top-two box, "agree" and "strongly agree" on a 5-point scale).
    agree
        The agreeing options themselves, as codes or labels, for every scale or per
        scale name (``{"support": [4, 5]}``); overrides ``top``.
    labels
        Option labels, lowest code first or as ``{code: label}``, for every scale
        or per scale name. By default the codebook's ``options`` (of the scale, its
        items or the instrument), then the labels seen in the export, then the
        platform's option list, then the matched vocabulary's anchors (for options
        nobody chose), then the codes themselves.
    confidence
        Confidence level of the Wilson intervals (formerly ``level=``, which still
        works with a :class:`DeprecationWarning`).
    out_of_range, mapping
        Passed to :meth:`Instrument.score`: what to do with answers outside the
        response range, and a label coding of your own.

    Returns
    -------
    PerceptionSummary

    Notes
    -----
    *Agreement* on an item is the share of respondents who answered it with one of
    the agreeing options: :math:`\hat p = x / n`, where :math:`n` counts substantive
    answers (missing answers, "Don't know" and missing codes are excluded and
    counted). Its interval is Wilson's (1927) score interval, R's
    ``prop.test(x, n, correct = FALSE)``.

    *Reverse-keyed items are summarised as worded.* "My mentor was often hard to
    reach" agreed with by 20% of respondents is reported as 20% agreeing with that
    statement, flagged ``reverse = True``. Turning it into 80% "agreeing" with an
    opposite statement nobody was shown would misquote the questionnaire, and
    disagreeing with a negative statement is not the same as agreeing with its
    positive twin. Reverse keying is applied where the items are combined: scale
    scores and the pooled scale distribution.

    *Per scale*, with :math:`\bar x_i` respondent :math:`i`'s mean item score
    (reverse-keyed items reversed; computed when at least ``min_answered`` of the
    items were answered, as in :meth:`Instrument.score`) and a response range
    :math:`[a, b]`:

    * above the midpoint: :math:`\bar x_i > (a + b)/2` (strictly; a mean of exactly
      3 on a 1-5 scale is not above it);
    * agreeing: :math:`\bar x_i \ge` the lowest agreeing option (4 on a 1-5 scale
      with the top-two box): on average the respondent agreed;

    each as a share of the respondents with a scale score, with a Wilson interval.
    ``answers_agree_pct`` pools every answer to the scale's items and is shown
    without an interval, since answers of one person are not independent.

    Examples
    --------
    >>> import peereval
    >>> study = peereval.load_sample()
    >>> summary = summarise(study.screened, study.instrument)
    >>> row = summary.items.set_index("item").loc["Q2_1"]
    >>> int(row["n"]), int(row["n_missing"]), round(float(row["agree_pct"]), 1)
    (134, 4, 55.2)
    >>> print(summary.apa("Q2_1"))  # doctest: +NORMALIZE_WHITESPACE
    55% of 134 respondents (95% CI 47–63%) agreed with “The programme helped me organise my
    study time”.
    >>> by_meeting = summarise(study.screened, study.instrument, by="Q4")
    >>> by_meeting.groups
    ('Both', 'In person', 'Messaging app')
    """
    if isinstance(data, Scores):
        instrument = instrument or data.instrument
    if not isinstance(instrument, Instrument):
        raise PeerevalError("summarise needs the instrument (codebook)",
                            hint="pass the Instrument: summarise(responses, instrument); "
                            "read one with peereval.Instrument.from_toml('codebook.toml')")
    prepared = _prepare(data, instrument, out_of_range=out_of_range, mapping=mapping)
    scores = prepared.scores
    index = scores.items.index
    group_of, by_name = _group_series(by, data, prepared)
    groups: list[Any] = [None]
    n_no_group = 0
    if group_of is not None:
        groups = _group_order(group_of)
        n_no_group = int(group_of.isna().sum())

    options = {s.name: _options(s, instrument, scores, prepared, labels) for s in
               instrument.scales}
    agreeing = {s.name: _agree_codes(s, instrument, options[s.name], int(top), agree)
                for s in instrument.scales}
    tables = _Tables()
    as_worded = _as_worded(scores)
    for group in groups:
        mask = (pd.Series(True, index=index) if group is None
                else (group_of == group).fillna(False).astype(bool))
        extra = {} if group is None else {"group": group}
        for scale in instrument.scales:
            _add_scale(tables, scale, instrument, prepared, as_worded, mask, extra,
                       options[scale.name], agreeing[scale.name], confidence)
    return PerceptionSummary(
        items=pd.DataFrame(tables.items), scales=pd.DataFrame(tables.scales),
        distribution=pd.DataFrame(tables.distribution),
        options=options, agree=agreeing, by=by_name,
        groups=tuple(g for g in groups if g is not None), n_no_group=n_no_group,
        ci_level=float(confidence), n_respondents=len(index), instrument=instrument.name,
        top=int(top), agree_given=agree is not None, out_of_range=out_of_range,
    )


@dataclass
class _Tables:
    """The rows of the three tables of a summary, filled group by group."""

    items: list[dict[str, Any]] = field(default_factory=list)
    scales: list[dict[str, Any]] = field(default_factory=list)
    distribution: list[dict[str, Any]] = field(default_factory=list)


def _add_scale(tables: _Tables, scale: Scale, instrument: Instrument, prepared: _Prepared,
               as_worded: pd.DataFrame, mask: pd.Series, extra: dict[str, Any],
               options: tuple[tuple[float, str], ...], agreeing: tuple[float, ...],
               level: float) -> None:
    """One scale's item rows, distributions and scale row (for one group, or all)."""
    scores = prepared.scores
    codes = [code for code, _ in options]
    agree_set = set(agreeing)
    for code in scale.items:
        values = as_worded.loc[mask, code]
        answered = values.dropna()
        tables.items.append(_item_row(scale, code, prepared, mask, extra, values, answered,
                                      agree_set, level))
        tables.distribution.extend(_distribution("item", scale.name, code, extra, answered,
                                                 options, agree_set))
    pooled = scores.items.loc[mask, list(scale.items)].stack().dropna()
    tables.distribution.extend(_distribution("scale", scale.name, pd.NA, extra, pooled,
                                             options, agree_set))
    tables.scales.append(_scale_row(scale, instrument, scores, mask, extra, codes, agreeing,
                                    pooled, level))


def _item_row(scale: Scale, code: str, prepared: _Prepared, mask: pd.Series,
              extra: dict[str, Any], values: pd.Series, answered: pd.Series,
              agree_set: set[float], level: float) -> dict[str, Any]:
    """An item's row: n, missing, median, mean, SD and the share agreeing with its CI."""
    n = int(answered.size)
    x = int(answered.isin(agree_set).sum())
    low, high = wilson(x, n, confidence=level)
    return {
        "scale": scale.name, "item": code, "text": prepared.wording(code),
        "reverse": code in scale.reverse, **extra, "n": n,
        "n_missing": int(values.isna().sum()),
        "n_not_substantive": int((values.isna() & prepared.given.loc[mask, code]).sum()),
        "median": float(answered.median()) if n else math.nan,
        "mean": float(answered.mean()) if n else math.nan,
        "sd": float(answered.std(ddof=1)) if n > 1 else math.nan,
        "agree_n": x, **_percent(x, n, low, high, "agree"),
    }


# ------------------------------------------------------------------ preparation


@dataclass(frozen=True)
class _Prepared:
    scores: Scores
    given: pd.DataFrame  # True where the respondent gave some answer (substantive or not)
    responses: Responses | None
    frame: pd.DataFrame | None
    texts: Mapping[str, str]

    def wording(self, code: str) -> str:
        return self.texts.get(code, code)


def _prepare(data: Any, instrument: Instrument, *, out_of_range: str,
             mapping: Mapping[str, Any] | None) -> _Prepared:
    codes = instrument.items
    frame = None
    if isinstance(data, Scores):
        scores = data
        given = scores.items[codes].notna()
        for row in scores.recoded.itertuples():
            if row.item in given.columns and row.respondent_id in given.index:
                given.loc[row.respondent_id, row.item] = True
        responses = None
    elif isinstance(data, Responses):
        responses = data
        scores = instrument.score(data, out_of_range=out_of_range, mapping=mapping)
        found = instrument.source_columns(list(data.items), what=f"the export "
                                          f"{data.source.name}")
        given = _given(data.answers[[found[c] for c in codes]].set_axis(codes, axis=1))
    elif isinstance(data, pd.DataFrame):
        frame = data
        try:
            found = instrument.source_columns(list(data.columns))
        except PeerevalError as exc:
            raise PeerevalError(f"the data has no column(s) of the instrument: {exc.message}",
                                column=exc.column, hint=exc.hint) from None
        items_frame = data[[found[c] for c in codes]].set_axis(codes, axis=1)
        numeric = all(pd.api.types.is_numeric_dtype(items_frame[c]) and
                      not pd.api.types.is_bool_dtype(items_frame[c]) for c in codes)
        if numeric:
            responses = None
            scores = instrument.score(items_frame, out_of_range=out_of_range)
        else:
            responses = _as_responses(items_frame, instrument)
            scores = instrument.score(responses, out_of_range=out_of_range, mapping=mapping)
        given = _given(items_frame)
        given.index = scores.items.index
    else:
        raise PeerevalError(f"cannot summarise a {type(data).__name__}",
                            hint="pass Responses (from peereval.read_export), the Scores of "
                            "Instrument.score, or a DataFrame with one column per item")
    return _Prepared(scores, given, responses, frame, _texts(instrument, responses))


def _given(raw: pd.DataFrame) -> pd.DataFrame:
    out = {}
    for code in raw.columns:
        column = raw[code]
        present = column.notna()
        if not pd.api.types.is_numeric_dtype(column):
            present &= column.astype("string").str.strip().fillna("") != ""
        out[code] = present.astype(bool)
    return pd.DataFrame(out, index=raw.index)


def _as_responses(frame: pd.DataFrame, instrument: Instrument) -> Responses:
    items = {}
    for scale in instrument.scales:
        for code in scale.items:
            items.setdefault(code, Item(code, instrument.item_text.get(code, code), "likert",
                                        question=scale.name))
    codes = instrument.items
    return Responses(frame[codes], {c: items[c] for c in codes}, platform="table",
                     source="<DataFrame>")


def _texts(instrument: Instrument, responses: Responses | None) -> dict[str, str]:
    """Item wording: the codebook's label, else the export's (matrix prefix removed)."""
    texts: dict[str, str] = {}
    if responses is not None:
        by_question: dict[str, list[str]] = {}
        for code, item in responses.items.items():
            if item.question:
                by_question.setdefault(item.question, []).append(code)
        for code in instrument.items:
            item = responses.items.get(instrument.column_of(code)) or responses.items.get(code)
            if item is None or not item.text:
                continue
            text = item.text
            siblings = by_question.get(item.question or "", [])
            if len(siblings) > 1:
                prefix = _common_prefix([responses.items[c].text for c in siblings])
                cut = prefix.rfind(" - ")
                if cut >= 0:
                    text = text[cut + 3:]
            texts[code] = text.strip()
    texts.update({k: v for k, v in instrument.item_text.items() if v})
    return texts


def _common_prefix(texts: list[str]) -> str:
    first, last = min(texts), max(texts)
    size = next((i for i, (a, b) in enumerate(zip(first, last, strict=False)) if a != b),
                min(len(first), len(last)))
    return first[:size]


def _as_worded(scores: Scores) -> pd.DataFrame:
    """Item answers as the respondents gave them (reverse keying undone)."""
    values = scores.items.copy()
    instrument = scores.instrument
    for scale in instrument.scales:
        low, high = instrument.range_of(scale)
        for code in scale.reverse:
            values[code] = (low + high) - scores.items[code]
    return values


# --------------------------------------------------------------------- groups


def _group_series(by: Any, data: Any, prepared: _Prepared) -> tuple[pd.Series | None,
                                                                     str | None]:
    index = prepared.scores.items.index
    if by is None:
        return None, None
    if isinstance(by, str):
        name = by
        if isinstance(data, Responses):
            if by in data.answers.columns:
                values = data.answers[by]
            elif by in data.meta.columns:
                values = data.meta[by]
            else:
                raise PeerevalError(
                    f"no column {by!r} in the survey to split by", column=by,
                    hint="name a survey question or metadata column, or pass a Series "
                    "indexed by respondent id (e.g. linked.records.data['mentored'])")
            series = values.reindex(index)
        elif isinstance(data, pd.DataFrame):
            if by not in data.columns:
                raise PeerevalError(f"no column {by!r} to split by", column=by,
                                    hint="columns: " + ", ".join(map(str, data.columns[:40])))
            series = pd.Series(data[by].to_numpy(), index=index)
        else:
            raise PeerevalError("Scores carry no survey columns to split by",
                                hint="pass the group as a Series indexed by respondent id")
    else:
        series = pd.Series(by) if isinstance(by, Mapping) else by
        if not isinstance(series, pd.Series):
            raise PeerevalError(f"by must be a column name, a Series or a mapping, not "
                                f"{type(by).__name__}")
        name = str(series.name) if series.name is not None else "group"
        if isinstance(data, pd.DataFrame) and prepared.responses is not None:
            series = pd.Series(series.reindex(data.index).to_numpy(), index=index)
        else:
            series = series.reindex(index)
        if series.notna().sum() == 0:
            raise PeerevalError(
                "no respondent of the data has a group value",
                hint="the Series must be indexed by the same respondent ids as the data "
                "(after peereval.link both are indexed by pseudonym)")
    series = series.astype(object).where(series.notna(), None)
    series = series.map(lambda v: None if isinstance(v, str) and not v.strip() else v)
    return series, name


def _group_order(series: pd.Series) -> list[Any]:
    present = [v for v in dict.fromkeys(series.dropna())]
    try:
        return sorted(present)
    except TypeError:
        return present


# -------------------------------------------------------------------- options


def _options(scale: Scale, instrument: Instrument, scores: Scores, prepared: _Prepared,
             labels: Any) -> tuple[tuple[float, str], ...]:
    low, high = instrument.range_of(scale)
    points = instrument.points(scale)
    grid = [float(v) for v in np.arange(low, high + 0.5, 1.0)] if points else [low, high]
    seen = pd.unique(scores.items[list(scale.items)].to_numpy().ravel())
    seen_values = [float(v) for v in seen if not np.isnan(v)]
    codes = sorted(set(grid) | set(seen_values) | {low + high - v for v in seen_values})
    given = _given_labels(labels, scale, codes)
    codebook = dict(scale.options or instrument.options)
    for item in scale.items:
        for option, text in instrument.item_options.get(item, ()):
            codebook.setdefault(option, text)
    found = _export_labels(scale, instrument, prepared) if prepared.responses is not None else {}
    out = []
    for code in codes:
        label = given.get(code) or codebook.get(code) or found.get(code) or f"{code:g}"
        out.append((code, label))
    return tuple(out)


def _given_labels(labels: Any, scale: Scale, codes: list[float]) -> dict[float, str]:
    if labels is None:
        return {}
    if isinstance(labels, Mapping) and labels and all(isinstance(v, Mapping | list | tuple)
                                                      for v in labels.values()):
        labels = labels.get(scale.name)
        if labels is None:
            return {}
    if isinstance(labels, Mapping):
        return {float(k): str(v) for k, v in labels.items()}
    if isinstance(labels, Sequence) and not isinstance(labels, str):
        grid = [c for c in codes if float(c).is_integer()] or codes
        if len(labels) != len(grid):
            raise PeerevalError(
                f"{len(labels)} labels given for the {len(grid)} options of scale "
                f"{scale.name!r}", hint="give one label per option, lowest first, or a "
                "{code: label} mapping")
        return {code: str(label) for code, label in zip(grid, labels, strict=True)}
    raise PeerevalError("labels must be a list of option labels or a {code: label} mapping")


def _export_labels(scale: Scale, instrument: Instrument, prepared: _Prepared
                   ) -> dict[float, str]:
    """Labels of a scale's options as the export shows them, then as the platform or
    the matched vocabulary names them."""
    responses = prepared.responses
    assert responses is not None
    try:
        found_columns = instrument.source_columns(list(responses.items))
    except PeerevalError:
        found_columns = {code: code for code in instrument.items}
    points = {found_columns[code]: instrument.points(s) for s in instrument.scales
              for code in s.items if instrument.points(s)}
    columns = [found_columns[code] for code in scale.items]
    try:
        table = responses.label_codes([found_columns[c] for c in instrument.items],
                                      points=points)
    except PeerevalError:
        table = pd.DataFrame(columns=["item", "label", "value", "rule", "count"])
    table = table[table["item"].isin(columns) & table["value"].notna()]
    found: dict[float, str] = {}
    if len(table):
        totals = (table.groupby(["value", "label"], sort=False)["count"].sum()
                  .reset_index().sort_values("count", ascending=False, kind="stable"))
        for row in totals.itertuples():
            found.setdefault(float(row.value), str(row.label))
    for code in columns:
        item = responses.items.get(code)
        if item is not None and item.options:
            for option, label in item.options:
                try:
                    found.setdefault(float(option), str(label))
                except (TypeError, ValueError):
                    continue
    rules = [str(r).split(",")[0] for r in table["rule"].unique()] if len(table) else []
    for vocab in VOCABULARIES:
        if vocab.name in rules:
            for number, anchor in enumerate(vocab.anchors, start=1):
                text = anchor[:1].upper() + anchor[1:] if vocab.language == "en" else anchor
                found.setdefault(float(number), text)
            break
    return found


def _agree_codes(scale: Scale, instrument: Instrument, options: tuple[tuple[float, str], ...],
                 top: int, agree: Any) -> tuple[float, ...]:
    codes = [code for code, _ in options]
    if agree is None:
        low, high = instrument.range_of(scale)
        grid = [c for c in codes if float(c).is_integer() and low <= c <= high] or codes
        if isinstance(top, bool) or not isinstance(top, int) or not 1 <= top < len(grid):
            raise PeerevalError(
                f"top must be a whole number from 1 to {len(grid) - 1} for scale "
                f"{scale.name!r}, not {top!r}", hint="top=2 counts the two highest options")
        threshold = sorted(grid)[-top]
        return tuple(c for c in codes if c >= threshold)
    wanted = agree
    if isinstance(agree, Mapping):
        unknown = set(agree) - {s.name for s in instrument.scales}
        if unknown:
            raise PeerevalError(f"agree names unknown scale(s) {sorted(unknown)}",
                                hint="scales: " + ", ".join(s.name for s in instrument.scales))
        if scale.name not in agree:
            return _agree_codes(scale, instrument, options, top, None)
        wanted = agree[scale.name]
    if isinstance(wanted, str | int | float):
        wanted = [wanted]
    by_label = {normalize_label(label): code for code, label in options}
    out = []
    for value in wanted:
        if isinstance(value, str):
            key = normalize_label(value)
            if key not in by_label:
                raise PeerevalError(f"{value!r} is not an option of scale {scale.name!r}",
                                    hint="options: " + ", ".join(label for _, label in options))
            out.append(by_label[key])
        else:
            if float(value) not in codes:
                raise PeerevalError(f"{value!r} is not an option code of scale "
                                    f"{scale.name!r}",
                                    hint="codes: " + ", ".join(f"{c:g}" for c in codes))
            out.append(float(value))
    if not out:
        raise PeerevalError(f"no agreeing option given for scale {scale.name!r}")
    return tuple(sorted(set(out)))


# --------------------------------------------------------------------- rows


def _percent(x: int, n: int, low: float, high: float, prefix: str) -> dict[str, float]:
    ci = "above" if prefix == "above_midpoint" else prefix
    return {f"{prefix}_pct": 100 * x / n if n else math.nan,
            f"{ci}_ci_low": 100 * low, f"{ci}_ci_high": 100 * high}


def _distribution(level: str, scale: str, item: Any, extra: dict[str, Any],
                  values: pd.Series, options: tuple[tuple[float, str], ...],
                  agree_set: set[float]) -> list[dict[str, Any]]:
    counts = values.value_counts()
    n = int(values.size)
    rows = []
    for code, label in options:
        count = int(counts.get(code, 0))
        rows.append({"level": level, "scale": scale, "item": item, **extra, "code": code,
                     "label": label, "count": count,
                     "percent": 100 * count / n if n else math.nan,
                     "agree": code in agree_set})
    return rows


def _scale_row(scale: Scale, instrument: Instrument, scores: Scores, mask: pd.Series,
               extra: dict[str, Any], codes: list[float], agreeing: tuple[float, ...],
               pooled: pd.Series, level: float) -> dict[str, Any]:
    score = scores.scales.loc[mask, scale.name]
    if (scale.scoring or instrument.scoring) == "sum":
        score = score / len(scale.items)
    scored = score.dropna()
    n = int(scored.size)
    low, high = instrument.range_of(scale)
    midpoint = (low + high) / 2
    above = int((scored > midpoint).sum())
    threshold = min(agreeing)
    agree_n = int((scored >= threshold - 1e-9).sum())
    a_low, a_high = wilson(above, n, confidence=level)
    g_low, g_high = wilson(agree_n, n, confidence=level)
    answers = int(pooled.size)
    return {
        "scale": scale.name, "label": scale.title, "n_items": len(scale.items), **extra,
        "n": n, "n_missing": int(score.isna().sum()),
        "median": float(scored.median()) if n else math.nan,
        "mean": float(scored.mean()) if n else math.nan,
        "sd": float(scored.std(ddof=1)) if n > 1 else math.nan,
        "midpoint": midpoint, "above_midpoint_n": above,
        **_percent(above, n, a_low, a_high, "above_midpoint"),
        "agree_threshold": threshold, "agree_n": agree_n,
        **_percent(agree_n, n, g_low, g_high, "agree"),
        "answers_n": answers,
        "answers_agree_pct": (100 * float(pooled.isin(set(agreeing)).sum()) / answers
                              if answers else math.nan),
    }
