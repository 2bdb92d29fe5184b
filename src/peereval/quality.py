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

import html
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from peereval.errors import PeerevalError
from peereval.instrument import Instrument
from peereval.loaders.responses import Responses

__all__ = ["FLAGS", "Screening", "screen"]

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


@dataclass(frozen=True)
class Screening:
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
    >>> checks.flags.shape
    (150, 9)
    >>> checks.counts()["flag"].tolist()[:3]
    ['test_response', 'unfinished', 'incomplete']
    """

    flags: pd.DataFrame
    rules: dict[str, str]
    not_checked: dict[str, str]

    def counts(self) -> pd.DataFrame:
        """Number of respondents raising each flag, with its rule."""
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

    def __repr__(self) -> str:
        counts = self.counts()
        parts = [f"{r.flag}={r.n}" for r in counts.itertuples() if r.checked]
        return (f"Screening({len(self.flags)} respondents, {int(self.any_flag.sum())} flagged: "
                + ", ".join(parts) + ")")

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + self.counts().to_html(index=False)


def screen(
    responses: Responses,
    instrument: Instrument | None = None,
    *,
    id_column: str | None = None,
    min_answered: float | None = None,
    speed_fraction: float = 0.3,
    min_items_straightline: int = 4,
    min_items_duplicate: int = 5,
) -> Screening:
    """Flag respondents whose answers may not be usable.

    Parameters
    ----------
    responses
        The export, as read by :func:`peereval.read_export`.
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
    >>> int(checks.counts().set_index("flag").loc["duplicate_id", "n"])
    2
    """
    if not 0 < speed_fraction < 1:
        raise ValueError("speed_fraction must lie between 0 and 1")
    index = responses.ids
    flags = pd.DataFrame(index=index)
    reasons: dict[str, list[str]] = {rid: [] for rid in index}
    rules: dict[str, str] = {}
    not_checked: dict[str, str] = {}
    meta = responses.meta

    def record(flag: str, hit: pd.Series, why: Any) -> None:
        flags[flag] = hit.astype("boolean")
        for rid in hit.index[hit.fillna(False).astype(bool)]:
            reasons[rid].append(why(rid) if callable(why) else why)

    def skip(flag: str, why: str) -> None:
        flags[flag] = pd.Series(pd.NA, index=index, dtype="boolean")
        not_checked[flag] = why

    # test responses
    if "status" in meta:
        status = meta["status"].astype("string")
        hit = status.isin(["Survey Preview", "Survey Test", "Survey Preview Spam",
                           "Offline Survey Preview"]).fillna(False)
        rules["test_response"] = "platform status is Survey Preview or Survey Test"
        record("test_response", hit, lambda r: f"test response ({status[r]})")
    else:
        skip("test_response", "the export has no response status")

    # unfinished
    if "finished" in meta:
        finished = meta["finished"].astype("boolean")
        rules["unfinished"] = "the platform marks the response as not finished"
        record("unfinished", (finished == False).fillna(False), "not finished")  # noqa: E712
    else:
        skip("unfinished", "the export does not say whether a response was finished")

    # item values
    if instrument is not None:
        items = instrument.items
        values = instrument.item_values(responses)
        share = instrument.min_answered if min_answered is None else min_answered
        scales = [(s.name, list(s.items), instrument.range_of(s)) for s in instrument.scales]
    else:
        items = responses.likert_items
        values = responses.numeric(items) if items else pd.DataFrame(index=index)
        share = 0.8 if min_answered is None else min_answered
        scales = [("all Likert items", items, None)]
    n_items = len(items)

    if n_items:
        answered = values[items].notna().sum(axis=1)
        need = int(np.ceil(share * n_items - 1e-9))
        rules["incomplete"] = f"fewer than {need} of {n_items} items answered ({share:.0%})"
        record("incomplete", answered < need,
               lambda r: f"answered {int(answered[r])} of {n_items} items")
    else:
        skip("incomplete", "no items to count")

    # duplicates by person id
    if id_column is not None:
        person = _find_column(responses, id_column)
        order = pd.DataFrame({
            "person": person.map(lambda v: None if pd.isna(v) else str(v).strip()),
            "answered": values[items].notna().sum(axis=1) if n_items else 0,
            "position": np.arange(len(index)),
        }, index=index)
        if "ended" in meta:
            order["time"] = meta["ended"]
        else:
            order["time"] = order["position"]
        present = order[order["person"].notna()]
        ranked = present.sort_values(["person", "answered", "time", "position"],
                                     ascending=[True, False, True, True])
        keeper = ranked.groupby("person", sort=False).head(1)
        dup = pd.Series(False, index=index)
        dup[present.index.difference(keeper.index)] = True
        kept_for = keeper.reset_index().set_index("person")["respondent_id"]
        rules["duplicate_id"] = (f"'{id_column}' repeats; the most complete response is kept "
                                 "(ties: the earliest)")
        record("duplicate_id", dup,
               lambda r: f"{id_column} repeats; response {kept_for[order.loc[r, 'person']]} kept")
    else:
        skip("duplicate_id", "no id_column given")

    # duplicate answer vectors
    if n_items >= min_items_duplicate:
        block = values[items]
        complete_enough = block.notna().sum(axis=1) >= min_items_duplicate
        keyed = block[complete_enough].round(6).astype("string").fillna("NA").agg("|".join,
                                                                               axis=1)
        repeated = keyed.duplicated(keep="first")
        first_of = {}
        for rid, key in keyed.items():
            first_of.setdefault(key, rid)
        hit = pd.Series(False, index=index)
        hit[repeated.index[repeated]] = True
        rules["duplicate_answers"] = (f"all {n_items} item answers identical to an earlier "
                                      f"respondent's (at least {min_items_duplicate} answered)")
        record("duplicate_answers", hit, lambda r: f"same answers as {first_of[keyed[r]]}")
    else:
        skip("duplicate_answers", f"fewer than {min_items_duplicate} items")

    # out of range
    if instrument is not None:
        outside = pd.Series(False, index=index)
        detail: dict[str, list[str]] = {}
        for _, codes, (low, high) in scales:
            block = values[codes].mask(values[codes].isin(instrument.missing_codes))
            bad = block.notna() & ((block < low) | (block > high))
            for rid in bad.index[bad.any(axis=1)]:
                outside[rid] = True
                detail.setdefault(rid, []).extend(
                    f"{c}={block.loc[rid, c]:g}" for c in bad.columns[bad.loc[rid]])
        rules["out_of_range"] = "an answer outside its scale's response range"
        record("out_of_range", outside, lambda r: "out of range: " + ", ".join(detail[r]))
    else:
        skip("out_of_range", "no instrument, so no response range")

    # straight-lining
    if n_items:
        straight = pd.Series(False, index=index)
        which: dict[str, list[str]] = {}
        for name, codes, _ in scales:
            if len(codes) < min_items_straightline:
                continue
            block = values[codes]
            n = block.notna().sum(axis=1)
            same = (block.max(axis=1) == block.min(axis=1)) & (n >= min_items_straightline)
            for rid in same.index[same]:
                straight[rid] = True
                which.setdefault(rid, []).append(name)
        rules["straightlining"] = (f"every answer identical within a scale of at least "
                                   f"{min_items_straightline} answered items")
        record("straightlining", straight,
               lambda r: "same answer throughout " + ", ".join(which[r]))
    else:
        skip("straightlining", "no items")

    # speeders
    if "duration_s" in meta and meta["duration_s"].notna().any():
        duration = meta["duration_s"].astype("float64")
        reference = duration
        if "finished" in meta:
            reference = duration[meta["finished"].astype("boolean").fillna(False).astype(bool)]
        median = float(reference.median())
        cutoff = speed_fraction * median
        rules["speeder"] = (f"duration under {speed_fraction:.0%} of the median of finished "
                            f"respondents ({median:.0f} s), i.e. under {cutoff:.0f} s")
        record("speeder", (duration < cutoff).fillna(False),
               lambda r: f"took {duration[r]:.0f} s (median {median:.0f} s)")
    else:
        skip("speeder", "the export has no completion times")

    flags["reasons"] = pd.Series({rid: "; ".join(v) for rid, v in reasons.items()},
                                 dtype="string").reindex(index)
    return Screening(flags[[*FLAGS, "reasons"]], rules, not_checked)


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
