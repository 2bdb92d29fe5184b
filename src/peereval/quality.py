"""Screening survey responses: flag, never drop silently.

:func:`screen` returns a table of flags, one row per respondent, and the rule behind
each flag. Nothing is removed until the caller asks with :meth:`Screening.apply`,
which reports how many respondents each flag removed.

Flags
-----
``test_response``
    The platform marks the response as a preview or test (Qualtrics status).
``unfinished``
    The platform says the respondent did not finish (``finished`` is false).
``incomplete``
    Fewer than ``min_answered`` of the instrument's items answered (default: the
    instrument's own ``min_answered``).
``duplicate_id``
    The same person answered before: the value of ``id_column`` (e.g. a student
    number) repeats. The most complete response is kept (ties: the earliest);
    the others are flagged.
``duplicate_answers``
    Every instrument item answered exactly as an earlier respondent did (at
    least ``min_items_duplicate`` items), a sign of a resubmitted or copied form.
``out_of_range``
    An answer outside the instrument's response range that is not a declared
    missing code.
``straightlining``
    In at least one scale with ``min_items_straightline`` or more answered items,
    every answer identical. Scales with a reverse-keyed item make this
    inconsistent rather than merely uniform (Herzog & Bachman 1981; Kim et al.
    2019, *Soc Sci Comput Rev*).
``speeder``
    Completion time below ``speed_fraction`` of the median time of finished
    respondents (Greszki, Meyer & Schoen 2015, *Public Opin Q* 79:471-503, use
    a share of the median).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from peereval._options import Interval, checked, renamed
from peereval._results import Result
from peereval.errors import PeerevalError
from peereval.instrument import Instrument
from peereval.responses import Responses

# CHECKS (the registry) is importable too; it is a constant mapping, like FLAGS
__all__ = ["FLAGS", "Flagged", "Screening", "ScreeningData", "screen"]

FLAGS: tuple[str, ...] = (
    "test_response",
    "unfinished",
    "incomplete",
    "duplicate_id",
    "duplicate_answers",
    "out_of_range",
    "straightlining",
    "speeder",
)


_COUNTS_DEPRECATED = ("Screening.counts is deprecated since peereval 0.1: use "
                      "Screening.to_frame()")


@dataclass(frozen=True, repr=False)
class Screening(Result):
    """Result of :func:`screen`.

    Attributes
    ----------
    flags
        One row per respondent, one boolean column per flag in :data:`FLAGS`
        (missing where a flag could not be checked, e.g. no durations), and a
        ``reasons`` column in words.
    rules
        Flag -> the rule applied, with its thresholds.
    not_checked
        Flag -> why it could not be checked for this export.

    Examples
    --------
    >>> import peereval
    >>> study = peereval.load_sample()
    >>> checks = peereval.quality.screen(study.responses, study.instrument,
    ...                                  id_column="student_id")
    >>> checks.flags.shape, checks.n
    ((150, 9), 150)
    >>> checks.to_frame()["flag"].tolist()[:3]
    ['test_response', 'unfinished', 'incomplete']
    """

    flags: pd.DataFrame
    rules: dict[str, str]
    not_checked: dict[str, str]
    title: str = "Screening"
    column_roles: ClassVar[Mapping[str, str]] = {"flag": "label", "checked": "flag",
                                                  "rule": "note"}

    @property
    def n(self) -> int:
        """Respondents screened."""
        return len(self.flags)

    @property
    def n_dropped(self) -> int:
        """Respondents left out of the screening: none (see :meth:`apply`)."""
        return 0

    def to_frame(self) -> pd.DataFrame:
        """Each flag: how many respondents raise it (``n``), whether it could be
        checked, and its rule (or why it was not checked)."""
        rows = []
        for flag in FLAGS:
            column = self.flags[flag]
            rows.append({
                "flag": flag,
                "n": int(column.fillna(False).sum()),
                "checked": flag not in self.not_checked,
                "rule": self.rules.get(flag) or self.not_checked.get(flag, ""),
            })
        return pd.DataFrame(rows)

    def counts(self) -> pd.DataFrame:
        """Deprecated: the table of flags is :meth:`to_frame`."""
        warnings.warn(_COUNTS_DEPRECATED, DeprecationWarning, stacklevel=2)
        return self.to_frame()

    counts.__deprecated__ = _COUNTS_DEPRECATED  # type: ignore[attr-defined]

    def apa(self) -> str:
        """How many respondents were flagged, and for what.

        Examples
        --------
        >>> import peereval
        >>> study = peereval.load_sample()
        >>> checks = peereval.quality.screen(study.responses, study.instrument,
        ...                                  id_column="student_id")
        >>> print(checks.apa())  # doctest: +NORMALIZE_WHITESPACE
        Of 150 responses, 15 raised at least one screening flag (test response 1;
        unfinished 6; incomplete 6; duplicate id 2; duplicate answers 2; straightlining
        7; speeder 4).
        """
        table = self.to_frame()
        raised = [f"{r.flag.replace('_', ' ')} {r.n}" for r in table.itertuples()
                  if r.checked and r.n]
        flagged = int(self.any_flag.sum())
        text = f"Of {self.n} responses, {flagged} raised at least one screening flag"
        return text + (f" ({'; '.join(raised)})." if raised else ".")

    def methods(self) -> str:
        """The screening rules applied, as a methods sentence.

        Built from the rules this screening applied (with their thresholds) and the
        checks this export did not allow.

        Examples
        --------
        >>> import peereval
        >>> study = peereval.load_sample()
        >>> checks = peereval.quality.screen(study.responses, study.instrument,
        ...                                  id_column="student_id", speed_fraction=0.25)
        >>> print(checks.methods())  # doctest: +NORMALIZE_WHITESPACE
        Each of the 150 responses was screened, and flagged rather than removed, by
        these rules: (1) test response: platform status is Survey Preview or Survey
        Test; (2) unfinished: the platform marks the response as not finished; (3)
        incomplete: fewer than 15 of 18 items answered (80%); (4) duplicate id:
        'student_id' repeats; the most complete response is kept (ties: the earliest);
        (5) duplicate answers: all 18 item answers identical to an earlier respondent's
        (at least 5 answered); (6) out of range: an answer outside its scale's response
        range; (7) straightlining: every answer identical within a scale of at least 4
        answered items; (8) speeder: duration under 25% of the median of finished
        respondents (438 s), i.e. under 109 s.
        """
        applied = "; ".join(f"({k}) {flag.replace('_', ' ')}: {self.rules[flag]}"
                            for k, flag in enumerate(
                                (f for f in FLAGS if f in self.rules), start=1))
        text = (f"Each of the {self.n} responses was screened, and flagged rather than "
                f"removed, by these rules: {applied}.")
        if self.not_checked:
            skipped = "; ".join(f"{flag.replace('_', ' ')} ({why})"
                                for flag, why in self.not_checked.items())
            text += f" Not checked: {skipped}."
        return text

    @property
    def any_flag(self) -> pd.Series:
        return self.flags[list(FLAGS)].fillna(False).astype(bool).any(axis=1)

    def apply(self, responses: Responses, drop: Iterable[str]) -> tuple[Responses, pd.DataFrame]:
        """Remove the respondents raising any of the ``drop`` flags.

        Returns
        -------
        (Responses, pandas.DataFrame)
            The kept respondents, and a table of how many each flag removed (a
            respondent with several flags counts once, under the first of them in
            ``drop``), ending with the total kept.
        """
        drop = list(drop)
        unknown = [f for f in drop if f not in FLAGS]
        if unknown:
            raise PeerevalError(f"unknown flag(s) {unknown}",
                                hint="flags: " + ", ".join(FLAGS))
        if not self.flags.index.equals(responses.ids):
            raise PeerevalError("these flags were computed for other responses",
                                hint="screen the same Responses you apply the flags to")
        removed = pd.Series(False, index=self.flags.index)
        rows = [{"step": "exported", "removed": 0, "remaining": len(responses)}]
        for flag in drop:
            hit = self.flags[flag].fillna(False).astype(bool) & ~removed
            removed |= hit
            rows.append({"step": f"drop {flag}", "removed": int(hit.sum()),
                         "remaining": int((~removed).sum())})
        kept = self.flags.index[~removed]
        note = ("screening removed " + ", ".join(
            f"{r['removed']} ({r['step'][5:]})" for r in rows[1:]) + f"; {len(kept)} kept")
        return responses.subset(kept, note=note), pd.DataFrame(rows)



@renamed(responses="data")
@checked(min_answered=Interval(0, 1, none=True), speed_fraction=Interval(0, 1, closed="neither"),
         min_items_straightline=Interval(1, None, integer=True),
         min_items_duplicate=Interval(1, None, integer=True))
def screen(
    data: Responses,
    instrument: Instrument | None = None,
    *,
    id_column: str | None = None,
    min_answered: float | None = None,
    speed_fraction: float = 0.3,
    min_items_straightline: int = 4,
    min_items_duplicate: int = 5,
) -> Screening:
    """Flag respondents whose answers may not be usable.

    Each flag of :data:`FLAGS` is raised by one small check of :data:`CHECKS` (a
    registry, flag -> check), run in that order; a check says who raised the flag,
    the rule it applied and why each respondent raised it, or why it could not check
    this export.

    Parameters
    ----------
    data
        The export, as read by :func:`peereval.read_export` (formerly
        ``responses=``, which still works with a :class:`DeprecationWarning`).
    instrument
        The codebook; without it, the export's Likert items are used as one scale
        and out-of-range values are not checked.
    id_column
        A column (metadata or item) holding a person identifier, e.g. the student
        number, to find people who answered twice.
    min_answered
        Share of items that must be answered; default the instrument's.
    speed_fraction
        A respondent is a speeder below this share of the median duration of
        finished respondents.
    min_items_straightline, min_items_duplicate
        Minimum answered items for the straight-lining and duplicate-answer checks.

    Returns
    -------
    Screening

    Examples
    --------
    >>> import peereval
    >>> study = peereval.load_sample()
    >>> checks = peereval.quality.screen(study.responses, study.instrument,
    ...                                  id_column="student_id")
    >>> int(checks.to_frame().set_index("flag").loc["duplicate_id", "n"])
    2
    """
    prepared = ScreeningData.of(data, instrument, id_column=id_column,
                                min_answered=min_answered, speed_fraction=speed_fraction,
                                min_items_straightline=int(min_items_straightline),
                                min_items_duplicate=int(min_items_duplicate))
    index = prepared.index
    flags = pd.DataFrame(index=index)
    reasons: dict[str, list[str]] = {rid: [] for rid in index}
    rules: dict[str, str] = {}
    not_checked: dict[str, str] = {}
    for flag in FLAGS:
        found = CHECKS[flag](prepared)
        if found.hit is None:
            flags[flag] = pd.Series(pd.NA, index=index, dtype="boolean")
            not_checked[flag] = found.rule
            continue
        flags[flag] = found.hit.astype("boolean")
        rules[flag] = found.rule
        for rid in found.hit.index[found.hit.fillna(False).astype(bool)]:
            reasons[rid].append(found.why(rid) if callable(found.why) else found.why)
    flags["reasons"] = pd.Series({rid: "; ".join(v) for rid, v in reasons.items()},
                                 dtype="string").reindex(index)
    return Screening(flags[[*FLAGS, "reasons"]], rules, not_checked)


# ------------------------------------------------------------------ the checks


@dataclass(frozen=True)
class ScreeningData:
    """What every screening check reads: the export, its item values and the options.

    ``items`` are the instrument's items (or the export's Likert items without an
    instrument), ``values`` their numeric answers, ``share`` the share of items that
    must be answered and ``scales`` (name, items, response range or None) the blocks
    the straight-lining and range checks look at.

    Examples
    --------
    >>> import peereval
    >>> from peereval.quality import ScreeningData
    >>> study = peereval.load_sample()
    >>> data = ScreeningData.of(study.responses, study.instrument, id_column="student_id")
    >>> len(data.items), data.share, [name for name, _, _ in data.scales]
    (18, 0.8, ['support', 'adjustment', 'belonging'])
    """

    responses: Responses
    instrument: Instrument | None
    items: list[str]
    values: pd.DataFrame
    share: float
    scales: list[tuple[str, list[str], tuple[float, float] | None]]
    id_column: str | None = None
    speed_fraction: float = 0.3
    min_items_straightline: int = 4
    min_items_duplicate: int = 5

    @classmethod
    def of(cls, responses: Responses, instrument: Instrument | None = None, *,
           min_answered: float | None = None, **options: Any) -> ScreeningData:
        """The data of ``responses`` as the checks see it (options as in :func:`screen`)."""
        if instrument is not None:
            items = list(instrument.items)
            values = instrument.item_values(responses)
            share = instrument.min_answered if min_answered is None else min_answered
            scales = [(s.name, list(s.items), instrument.range_of(s))
                      for s in instrument.scales]
        else:
            items = list(responses.likert_items)
            values = (responses.numeric(items) if items
                      else pd.DataFrame(index=responses.ids))
            share = 0.8 if min_answered is None else min_answered
            scales = [("all Likert items", items, None)]
        return cls(responses, instrument, items, values, share, scales, **options)

    @property
    def index(self) -> pd.Index:
        return self.responses.ids

    @property
    def meta(self) -> pd.DataFrame:
        return self.responses.meta


@dataclass(frozen=True)
class Flagged:
    """What one check found.

    ``hit`` is True for each respondent raising the flag (``None``: the flag could not
    be checked, and ``rule`` says why); ``rule`` is the rule applied, with its
    thresholds; ``why`` gives a respondent's reason in words (a text, or a function
    of the respondent id).

    Examples
    --------
    One check of the registry run alone:

    >>> import peereval
    >>> from peereval.quality import CHECKS, ScreeningData
    >>> study = peereval.load_sample()
    >>> found = CHECKS["unfinished"](ScreeningData.of(study.responses, study.instrument))
    >>> int(found.hit.sum()), found.rule
    (6, 'the platform marks the response as not finished')
    """

    hit: pd.Series | None
    rule: str
    why: str | Callable[[Any], str] = ""

    @classmethod
    def not_checked(cls, why: str) -> Flagged:
        return cls(None, why)


Check = Callable[[ScreeningData], Flagged]
_CHECKS: dict[str, Check] = {}

#: The screening checks, flag -> check, in the order of :data:`FLAGS`.
CHECKS: Mapping[str, Check] = MappingProxyType(_CHECKS)


def _check(flag: str) -> Callable[[Check], Check]:
    """Register a check as the one raising ``flag``."""
    def register(function: Check) -> Check:
        _CHECKS[flag] = function
        return function
    return register


_TEST_STATUSES = ["Survey Preview", "Survey Test", "Survey Preview Spam",
                  "Offline Survey Preview"]


@_check("test_response")
def preview_or_test(data: ScreeningData) -> Flagged:
    """The platform's status marks the response as a preview or a test."""
    if "status" not in data.meta:
        return Flagged.not_checked("the export has no response status")
    status = data.meta["status"].astype("string")
    return Flagged(status.isin(_TEST_STATUSES).fillna(False),
                   "platform status is Survey Preview or Survey Test",
                   lambda r: f"test response ({status[r]})")


@_check("unfinished")
def unfinished(data: ScreeningData) -> Flagged:
    """The platform says the respondent did not finish."""
    if "finished" not in data.meta:
        return Flagged.not_checked("the export does not say whether a response was finished")
    finished = data.meta["finished"].astype("boolean")
    return Flagged((finished == False).fillna(False),  # noqa: E712
                   "the platform marks the response as not finished", "not finished")


@_check("incomplete")
def incomplete(data: ScreeningData) -> Flagged:
    """Fewer than the required share of items answered."""
    n_items = len(data.items)
    if not n_items:
        return Flagged.not_checked("no items to count")
    answered = data.values[data.items].notna().sum(axis=1)
    need = int(np.ceil(data.share * n_items - 1e-9))
    return Flagged(answered < need,
                   f"fewer than {need} of {n_items} items answered ({data.share:.0%})",
                   lambda r: f"answered {int(answered[r])} of {n_items} items")


@_check("duplicate_id")
def duplicate_id(data: ScreeningData) -> Flagged:
    """The person id repeats; the most complete response is kept (ties: the earliest)."""
    id_column = data.id_column
    if id_column is None:
        return Flagged.not_checked("no id_column given")
    index = data.index
    person = _find_column(data.responses, id_column)
    order = pd.DataFrame({
        "person": person.map(lambda v: None if pd.isna(v) else str(v).strip()),
        "answered": data.values[data.items].notna().sum(axis=1) if data.items else 0,
        "position": np.arange(len(index)),
    }, index=index)
    order["time"] = data.meta["ended"] if "ended" in data.meta else order["position"]
    present = order[order["person"].notna()]
    ranked = present.sort_values(["person", "answered", "time", "position"],
                                 ascending=[True, False, True, True])
    keeper = ranked.groupby("person", sort=False).head(1)
    dup = pd.Series(False, index=index)
    dup[present.index.difference(keeper.index)] = True
    kept_for = keeper.reset_index().set_index("person")["respondent_id"]
    return Flagged(dup, f"'{id_column}' repeats; the most complete response is kept "
                   "(ties: the earliest)",
                   lambda r: f"{id_column} repeats; response {kept_for[order.loc[r, 'person']]} "
                   "kept")


@_check("duplicate_answers")
def duplicate_answers(data: ScreeningData) -> Flagged:
    """Every item answered exactly as an earlier respondent did."""
    n_items, minimum = len(data.items), data.min_items_duplicate
    if n_items < minimum:
        return Flagged.not_checked(f"fewer than {minimum} items")
    block = data.values[data.items]
    complete_enough = block.notna().sum(axis=1) >= minimum
    keyed = block[complete_enough].round(6).astype("string").fillna("NA").agg("|".join,
                                                                           axis=1)
    repeated = keyed.duplicated(keep="first")
    first_of: dict[str, Any] = {}
    for rid, key in keyed.items():
        first_of.setdefault(key, rid)
    hit = pd.Series(False, index=data.index)
    hit[repeated.index[repeated]] = True
    return Flagged(hit, f"all {n_items} item answers identical to an earlier respondent's "
                   f"(at least {minimum} answered)",
                   lambda r: f"same answers as {first_of[keyed[r]]}")


@_check("out_of_range")
def out_of_range(data: ScreeningData) -> Flagged:
    """An answer outside its scale's response range (declared missing codes aside)."""
    if data.instrument is None:
        return Flagged.not_checked("no instrument, so no response range")
    values, missing_codes = data.values, data.instrument.missing_codes
    outside = pd.Series(False, index=data.index)
    detail: dict[str, list[str]] = {}
    for _, codes, (low, high) in data.scales:  # type: ignore[misc]
        block = values[codes].mask(values[codes].isin(missing_codes))
        bad = block.notna() & ((block < low) | (block > high))
        for rid in bad.index[bad.any(axis=1)]:
            outside[rid] = True
            detail.setdefault(rid, []).extend(
                f"{c}={block.loc[rid, c]:g}" for c in bad.columns[bad.loc[rid]])
    return Flagged(outside, "an answer outside its scale's response range",
                   lambda r: "out of range: " + ", ".join(detail[r]))


@_check("straightlining")
def straightlining(data: ScreeningData) -> Flagged:
    """Every answer identical within a scale with enough answered items."""
    if not data.items:
        return Flagged.not_checked("no items")
    minimum = data.min_items_straightline
    straight = pd.Series(False, index=data.index)
    which: dict[str, list[str]] = {}
    for name, codes, _ in data.scales:
        if len(codes) < minimum:
            continue
        block = data.values[codes]
        n = block.notna().sum(axis=1)
        same = (block.max(axis=1) == block.min(axis=1)) & (n >= minimum)
        for rid in same.index[same]:
            straight[rid] = True
            which.setdefault(rid, []).append(name)
    return Flagged(straight, f"every answer identical within a scale of at least {minimum} "
                   "answered items", lambda r: "same answer throughout " + ", ".join(which[r]))


@_check("speeder")
def speeder(data: ScreeningData) -> Flagged:
    """Completion time under ``speed_fraction`` of the finished respondents' median."""
    meta = data.meta
    if "duration_s" not in meta or not meta["duration_s"].notna().any():
        return Flagged.not_checked("the export has no completion times")
    duration = meta["duration_s"].astype("float64")
    reference = duration
    if "finished" in meta:
        reference = duration[meta["finished"].astype("boolean").fillna(False).astype(bool)]
    median = float(reference.median())
    fraction = data.speed_fraction
    cutoff = fraction * median
    return Flagged((duration < cutoff).fillna(False),
                   f"duration under {fraction:.0%} of the median of finished respondents "
                   f"({median:.0f} s), i.e. under {cutoff:.0f} s",
                   lambda r: f"took {duration[r]:.0f} s (median {median:.0f} s)")


def _find_column(responses: Responses, name: str) -> pd.Series:
    if name in responses.meta:
        return responses.meta[name]
    if name in responses.answers:
        return responses.answers[name]
    raise PeerevalError(
        f"there is no column '{name}' in the export",
        file=responses.source,
        column=name,
        hint="metadata columns: " + ", ".join(map(str, responses.meta.columns))
        + "; items: " + ", ".join(list(responses.items)[:30]),
    )
