"""The panel's tables: items x experts, rating labels coded, coverage checked.

A panel rates each item in a table with one row per item and one column per expert.
:func:`prepare` finds the item codes and the expert columns, :func:`code` turns every
cell into a number (the numbers themselves, or labels in English or Persian on
Lawshe's essentiality scale, the 4-point relevance scale or the importance scale) and
lists every cell that is on no scale, and :func:`check_coverage` makes sure each item
has enough ratings. Nothing here computes an index.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from peereval.errors import LabelError, Location, OutOfRangeError, PeerevalError, PeerevalWarning

__all__: list[str] = []

MIN_EXPERTS = 3


# ------------------------------------------------------------------ vocabularies

def _key(text: object) -> str:
    """Lookup key of a label: normalised, without spaces or punctuation."""
    from peereval.labels import normalize_label

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
    from peereval.labels import VOCABULARIES

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
    from peereval.labels import NON_SUBSTANTIVE

    return frozenset(re.sub(r"[\W_]+", "", k) for k in NON_SUBSTANTIVE)


# ------------------------------------------------------------------ input checks

def _source(frame: pd.DataFrame) -> dict[str, Any]:
    from peereval._frames import SOURCE_ATTR

    info = frame.attrs.get(SOURCE_ATTR)
    return info if isinstance(info, dict) else {}


def prepare(frame: Any, role: str, item: str | None,
            experts: Sequence[str] | None) -> pd.DataFrame:
    """Items as index (text), experts as columns; descriptive columns set aside."""
    from peereval.labels import PANEL_DESCRIPTIVE_HEADERS as DESCRIPTIVE_HEADERS
    from peereval.labels import PANEL_ITEM_HEADERS as ITEM_HEADERS
    from peereval.labels import label_key

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
    if data.shape[1] < MIN_EXPERTS:
        who = "respondents" if role == "importance" else "experts"
        raise PeerevalError(
            f"the {role} ratings come from {data.shape[1]} {who}; at least {MIN_EXPERTS} "
            "are needed",
            hint="Lynn (1986) and Polit & Beck (2006) ask for at least 3 experts, "
            "preferably 6 to 10; check that the table is items (rows) x experts (columns)")
    return data


def code(data: pd.DataFrame, role: str, family: str, points: int,
         ) -> tuple[pd.DataFrame, int, bool]:
    """Numbers for every cell; labels looked up; bad cells raise, all listed.

    Returns the coded frame (NaN for missing), the number of non-substantive
    answers ("not applicable") and whether any cell was a bare number.
    """
    lookup = _lookup(family, points)
    skip = _non_substantive()
    out = np.full(data.shape, np.nan)
    unknown: list[tuple[str, str, Any]] = []
    outside: list[tuple[str, str, Any]] = []
    non_substantive = 0
    numeric_seen = False
    cells = data.to_numpy(dtype=object)
    for i, item in enumerate(data.index):
        for j, expert in enumerate(data.columns):
            value = cells[i, j]
            kind, number, numeric = _read_cell(value, lookup, skip, points)
            numeric_seen |= numeric
            if kind == "value":
                out[i, j] = number
            elif kind == "not applicable":
                non_substantive += 1
            elif kind == "unknown":
                unknown.append((item, expert, value))
            elif kind == "outside":
                outside.append((item, expert, value))
    _raise_bad_cells(data, role, family, points, unknown, outside)
    coded = pd.DataFrame(out, index=data.index, columns=data.columns)
    return coded, non_substantive, numeric_seen


def _read_cell(value: Any, lookup: dict[str, int], skip: frozenset[str], points: int,
               ) -> tuple[str, float, bool]:
    """One cell: (kind, number, whether it was a bare number).

    ``kind`` is ``"value"`` (``number`` holds the code), ``"missing"``, ``"not
    applicable"``, ``"unknown"`` (a label on no scale) or ``"outside"`` (a number
    that is not a whole number from 1 to ``points``).
    """
    from peereval.labels import normalize_label, split_numbered_label

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "missing", np.nan, False
    if isinstance(value, bool | np.bool_):
        return "unknown", np.nan, False
    numeric = False
    if isinstance(value, int | float | np.integer | np.floating):
        number, numeric = float(value), True
    else:
        text = normalize_label(value)
        if not text:
            return "missing", np.nan, False
        try:
            number, numeric = float(text), True
        except ValueError:
            key = _key(value)
            if key in lookup:
                return "value", float(lookup[key]), False
            if key in skip:
                return "not applicable", np.nan, False
            shown, words = split_numbered_label(value)
            found = lookup.get(_key(words)) if words else None
            if shown is None or (found is not None and found != shown):
                return "unknown", np.nan, False
            number = shown
    if not number.is_integer() or not 1 <= number <= points:
        return "outside", np.nan, numeric
    return "value", number, numeric


def _raise_bad_cells(data: pd.DataFrame, role: str, family: str, points: int,
                     unknown: list[tuple[str, str, Any]],
                     outside: list[tuple[str, str, Any]]) -> None:
    """Every label on no scale (LabelError), else every number off it (OutOfRangeError)."""
    source = _source(data)
    rows = source.get("rows", {})
    where = {"file": source.get("file"), "sheet": source.get("sheet")}

    def locations(cells: list[tuple[str, str, Any]]) -> list[Location]:
        return [Location(where["file"], where["sheet"], rows.get(item), expert, value)
                for item, expert, value in cells]

    if unknown:
        item, expert, _ = unknown[0]
        raise LabelError(
            f"{len(unknown)} {role} rating(s) are not on the {_scale_words(family, points)} "
            f"(first: item '{item}', expert '{expert}')",
            **where, problems=locations(unknown),
            hint=_label_hint(family, points))
    if outside:
        item, expert, _ = outside[0]
        raise OutOfRangeError(
            f"{len(outside)} {role} rating(s) are not whole numbers from 1 to {points} "
            f"(first: item '{item}', expert '{expert}')",
            **where, problems=locations(outside),
            hint=f"correct the ratings; the {_scale_words(family, points)} runs from 1 to "
            f"{points}" + ("" if family != "relevance" else
                           "; pass relevance_scale= if the panel used another scale"))


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


def check_same_items(reference: pd.Index, other: pd.Index, what: str, against: str) -> None:
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


def reindex(frame: pd.DataFrame, order: pd.Index) -> pd.DataFrame:
    """The rows of ``frame`` in ``order``, its attrs (the panel's source) kept."""
    attrs = dict(frame.attrs)
    out = frame.loc[order]
    out.attrs = attrs
    return out


def check_coverage(codes: dict[str, pd.DataFrame | None], *, stacklevel: int) -> None:
    """Every item needs MIN_EXPERTS valid ratings in each table; gaps are warned about."""
    missing_notes: list[str] = []
    for name, coded in codes.items():
        if coded is None:
            continue
        counts = coded.notna().sum(axis=1)
        few = counts[counts < MIN_EXPERTS]
        if len(few):
            raise PeerevalError(
                f"item '{few.index[0]}' has {int(few.iloc[0])} valid {name} rating(s); "
                f"at least {MIN_EXPERTS} are needed",
                value=few.index[0],
                hint="collect the missing ratings, or remove the item from the table")
        gaps = int(coded.isna().to_numpy().sum())
        if gaps:
            short = int((counts < coded.shape[1]).sum())
            missing_notes.append(f"{gaps} {name} rating(s) missing on {short} item(s)")
    if missing_notes:
        warnings.warn(
            "; ".join(missing_notes) + " (blank or 'not applicable'); each item's "
            "indices use the ratings it has (see n_missing, n_cvr, n_impact)",
            PeerevalWarning, stacklevel=stacklevel + 1)
