"""The :class:`Responses` object every loader returns."""

from __future__ import annotations

import datetime as dt
import html
import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval.errors import CodebookError, LabelCodingWarning, LabelError, Location, user_stacklevel
from peereval.labels import (
    NON_SUBSTANTIVE,
    LabelMatch,
    _unobserved_levels,
    known_label,
    label_key,
    match_labels,
    normalize_digits,
    split_numbered_label,
    vocabulary,
)

__all__ = ["Item", "ItemKind", "Responses"]

ItemKind = Literal["likert", "choice", "multi", "text", "number", "date"]

#: Metadata columns every loader fills when the platform records them.
STANDARD_META = ("finished", "progress", "duration_s", "started", "ended")


@dataclass(frozen=True)
class Item:
    """One answer column of an export.

    Attributes
    ----------
    code
        The column's name in :attr:`Responses.answers` (the platform's variable
        name, e.g. ``Q1_3``, ``support_2``, ``G01Q01[SQ003]``).
    text
        The question as respondents saw it; for a matrix row, question and row
        joined by ``" - "``.
    kind
        ``likert`` (ordered scale), ``choice`` (single choice, unordered), ``multi``
        (select-all; answers joined by ``;``), ``text`` (free text), ``number`` or
        ``date``.
    options
        ``(code, label)`` pairs in the order the platform lists them, when the
        export (or a data dictionary) gives them.
    question
        For matrix or grid rows, the id of the parent question; rows of one
        question share their response scale.
    column
        The header of the column in the source file, when different from ``code``.
    options_source
        Where ``options`` came from, shown in the coding table: ``"value labels"``
        (SPSS), ``"data dictionary"`` (REDCap), ``"definition file (survey.qsf)"``,
        ``"export"`` (the export itself lists them); ``None`` when there are no options.

    Examples
    --------
    >>> import peereval
    >>> responses = peereval.read_export(peereval.sample_path("survey"))
    >>> item = responses.items["Q1_1"]
    >>> item.code, item.kind, item.group
    ('Q1_1', 'likert', 'QID1')
    >>> item.text.split(" - ")[1]
    'My mentor was available when I needed help'
    """

    code: str
    text: str
    kind: ItemKind
    options: tuple[tuple[Any, str], ...] | None = None
    question: str | None = None
    column: str | None = None
    options_source: str | None = None

    @property
    def group(self) -> str:
        """Items sharing a group share one response scale."""
        return self.question or self.code


@dataclass(frozen=True)
class _NumericResult:
    values: pd.DataFrame
    matches: dict[str, LabelMatch] = field(default_factory=dict)


class Responses:
    """Survey answers read from one export, one row per respondent.

    Attributes
    ----------
    answers : pandas.DataFrame
        Index ``respondent_id`` (str, unique, stable across re-exports where the
        platform gives an id); one column per item, values as exported (label text
        or codes), missing answers as ``NA``.
    items : dict[str, Item]
        Codebook read from the export, in column order.
    meta : pandas.DataFrame
        Same index. Standard columns where the platform records them: ``finished``
        (bool), ``progress`` (0-100), ``duration_s``, ``started``, ``ended``;
        then the platform's other non-item columns under their own names (e.g.
        embedded data such as a student number).
    platform : str
        Name of the platform layout that was read.
    source : pathlib.Path
        The file read; ``sheet`` names the sheet of a workbook.
    source_rows : pandas.Series
        Row number of each respondent in the source file (as a spreadsheet shows it).
    notes : tuple[str, ...]
        What the loader decided that the user should know (a preview response
        kept, a header row recognised, the text encoding identified, ...).
    encoding : str or None
        The codec a text export was decoded with (``None`` for workbooks and SPSS).

    Examples
    --------
    >>> import peereval
    >>> responses = peereval.read_export(peereval.sample_path("survey"))
    >>> responses.platform, responses.answers.shape
    ('qualtrics', (150, 20))
    >>> responses.likert_items[:3]
    ['Q1_1', 'Q1_2', 'Q1_3']
    """

    def __init__(
        self,
        answers: pd.DataFrame,
        items: Mapping[str, Item],
        meta: pd.DataFrame | None = None,
        *,
        platform: str,
        source: str | Path,
        sheet: str | None = None,
        source_rows: Sequence[int] | pd.Series | None = None,
        notes: Iterable[str] = (),
        encoding: str | None = None,
    ) -> None:
        answers = answers.copy()
        answers.index = pd.Index([str(i) for i in answers.index], name="respondent_id")
        if answers.index.has_duplicates:
            dup = answers.index[answers.index.duplicated()][0]
            raise ValueError(f"loader produced duplicate respondent id {dup!r}")
        missing = [c for c in answers.columns if c not in items]
        if missing:
            raise ValueError(f"answer columns without an Item: {missing}")
        self.answers = answers
        self.items = {code: items[code] for code in answers.columns}
        if meta is None:
            meta = pd.DataFrame(index=answers.index)
        meta = meta.copy()
        meta.index = answers.index
        self.meta = meta
        self.platform = platform
        self.source = Path(source)
        self.sheet = sheet
        if source_rows is None:
            source_rows = range(2, len(answers) + 2)
        self.source_rows = pd.Series(list(source_rows), index=answers.index, name="row",
                                     dtype="int64")
        self.notes = tuple(notes)
        self.encoding = encoding

    # ------------------------------------------------------------------ basics
    def __len__(self) -> int:
        return len(self.answers)

    @property
    def ids(self) -> pd.Index:
        return self.answers.index

    @property
    def likert_items(self) -> list[str]:
        """Codes of the items on an ordered response scale."""
        return [code for code, item in self.items.items() if item.kind == "likert"]

    def items_of_kind(self, *kinds: ItemKind) -> list[str]:
        return [code for code, item in self.items.items() if item.kind in kinds]

    def item_table(self) -> pd.DataFrame:
        """One row per item: code, kind, question text, options and answered count."""
        rows = []
        for code, item in self.items.items():
            opts = "; ".join(f"{c} = {lab}" for c, lab in item.options) if item.options else ""
            rows.append(
                {
                    "code": code,
                    "kind": item.kind,
                    "text": item.text,
                    "question": item.question or "",
                    "options": opts,
                    "n_answered": int(self.answers[code].notna().sum()),
                }
            )
        return pd.DataFrame(rows)

    def locate(self, respondent_id: str, column: str | None = None,
               value: Any = None) -> Location:
        """Where a respondent's answer sits in the source file."""
        item = self.items.get(column) if column else None
        header = (item.column or item.code) if item else column
        return Location(self.source, self.sheet, int(self.source_rows[respondent_id]),
                        header, value)

    def subset(self, respondent_ids: Iterable[str], *, note: str | None = None) -> Responses:
        """A new :class:`Responses` with only the given respondents, in their order."""
        ids = pd.Index([str(i) for i in respondent_ids])
        unknown = ids.difference(self.answers.index)
        if len(unknown):
            raise KeyError(f"unknown respondent ids: {list(unknown[:5])}")
        return Responses(
            self.answers.loc[ids],
            self.items,
            self.meta.loc[ids],
            platform=self.platform,
            source=self.source,
            sheet=self.sheet,
            source_rows=self.source_rows.loc[ids],
            notes=[*self.notes, *([note] if note else [])],
            encoding=self.encoding,
        )

    def __repr__(self) -> str:
        kinds: dict[str, int] = {}
        for item in self.items.values():
            kinds[item.kind] = kinds.get(item.kind, 0) + 1
        kind_text = ", ".join(f"{n} {k}" for k, n in kinds.items())
        where = self.source.name + (f" [{self.sheet}]" if self.sheet else "")
        finished = ""
        if "finished" in self.meta:
            finished = f", {int(self.meta['finished'].fillna(False).sum())} finished"
        return (f"Responses({len(self)} respondents{finished}; {len(self.items)} items: "
                f"{kind_text}; platform={self.platform}; source={where})")

    def _repr_html_(self) -> str:
        head = html.escape(repr(self))
        table = self.item_table().to_html(index=False, escape=True, max_rows=60)
        return f"<p>{head}</p>{table}"

    # ---------------------------------------------------------------- numeric
    def numeric(
        self,
        items: Sequence[str] | None = None,
        *,
        points: int | Mapping[str, int] | None = None,
        mapping: Mapping[str, float] | Mapping[str, Mapping[str, float]] | None = None,
    ) -> pd.DataFrame:
        """The Likert answers as numbers.

        Parameters
        ----------
        items
            Item codes to convert; by default every ``likert`` item.
        points
            Number of points of the response scale (for every item, or per item
            code), used when labels alone do not tell (answers seen are only
            "Agree" and "Strongly agree": 4- or 5-point scale?).
        mapping
            Your own ``label -> number`` coding, for all items or per item code
            (``{"Q1_1": {"Yes": 1, "No": 0}}``). Labels are compared after
            normalisation, so case, spacing and Arabic/Persian letter variants do
            not matter.

        Returns
        -------
        pandas.DataFrame
            Float values, index ``respondent_id``, one column per item. Missing and
            non-substantive answers ("Not applicable") are ``NaN``.

        Raises
        ------
        LabelError
            Listing every label, with its column, that could not be coded, and every
            group whose labels fit several scales with different codes.

        Notes
        -----
        Numbers are taken, in order of preference, from the caller's mapping, the
        platform's own option codes (REDCap data dictionary, SPSS value labels),
        numbers in the labels (``"5 = Strongly agree"``), and the built-in
        vocabularies (:mod:`peereval.labels`). :meth:`label_codes` shows
        which rule coded what.
        """
        return self._numeric(tuple(items) if items is not None else None,
                             _freeze(points), _freeze(mapping)).values.copy()

    def label_codes(
        self,
        items: Sequence[str] | None = None,
        *,
        points: int | Mapping[str, int] | None = None,
        mapping: Mapping[str, float] | Mapping[str, Mapping[str, float]] | None = None,
    ) -> pd.DataFrame:
        """How each label was turned into a number: item, label, value, rule, count.

        The rows of :meth:`coding_table` for answers that are labels (not numbers as
        exported), with the answer as ``label``.
        """
        table = self.coding_table(items, points=points, mapping=mapping)
        labels = table[table["rule"] != "numbers as exported"]
        return (labels.drop(columns="label").rename(columns={"answer": "label"})
                .loc[:, ["item", "label", "value", "rule", "count"]]
                .reset_index(drop=True))

    def coding_table(
        self,
        items: Sequence[str] | None = None,
        *,
        points: int | Mapping[str, int] | None = None,
        mapping: Mapping[str, float] | Mapping[str, Mapping[str, float]] | None = None,
    ) -> pd.DataFrame:
        """The coding table: every answer of every Likert item, its number and why.

        Parameters
        ----------
        items, points, mapping
            As for :meth:`numeric`.

        Returns
        -------
        pandas.DataFrame
            One row per item and distinct answer: ``item``, ``answer`` (as
            exported), ``label`` (the option's text, where the export or a definition
            gives one), ``value`` (the number analysed; missing for answers that are
            not a position on the scale), ``rule`` (``mapping``, ``options``,
            ``numbers in labels``, a vocabulary such as ``agreement-5 (en)``,
            ``numbers as exported`` or ``not a scale position``), ``source`` (where
            the rule's numbers come from: the platform's value labels or data
            dictionary, the definition file, the vocabulary's origin, your mapping),
            ``unseen_levels`` (levels below the highest answer that nobody chose,
            on which the numbers rest) and ``count``.

        Raises
        ------
        LabelError
            As :meth:`numeric`, when labels cannot be coded.

        Examples
        --------
        >>> import peereval
        >>> responses = peereval.read_export(peereval.sample_path("survey"))
        >>> table = responses.coding_table(["Q1_1"])
        >>> table[["answer", "value", "rule"]].sort_values("value").head(2).to_numpy().tolist()
        [['Strongly disagree', 1.0, 'agreement-5 (en)'], ['Disagree', 2.0, 'agreement-5 (en)']]
        """
        result = self._numeric(tuple(items) if items is not None else None,
                               _freeze(points), _freeze(mapping))
        rows = []
        for code in result.values.columns:
            item = self.items[code]
            counts = self.answers[code].astype("string").str.strip().value_counts()
            option_text = {str(c): str(label) for c, label in item.options or ()}
            match = result.matches.get(code)
            if match is None:  # numbers in the export itself
                exported = _as_numbers(self.answers[code], self._distinct_of(code))
                missing_codes = _non_substantive_codes(item)
                for value, count in exported.dropna().value_counts().sort_index().items():
                    label = option_text.get(f"{value:g}", "")
                    if value in missing_codes:
                        rows.append(_coding_row(code, f"{value:g}", label, float("nan"),
                                                "not a scale position",
                                                item.options_source or "the export", (),
                                                int(count)))
                        continue
                    rows.append(_coding_row(code, f"{value:g}", label, value,
                                            "numbers as exported",
                                            item.options_source or "the export", (),
                                            int(count)))
                continue
            rule, source = _rule_and_source(match, item)
            for label, value in match.codes.items():
                row_rule = "not a scale position" if label in match.non_substantive else rule
                rows.append(_coding_row(code, label, option_text.get(label, label), value,
                                        row_rule, source, match.unobserved,
                                        int(counts.get(label, 0))))
        return pd.DataFrame(rows, columns=list(_CODING_COLUMNS))

    @cached_property
    def _numeric_cache(self) -> dict[Any, _NumericResult]:
        return {}

    @cached_property
    def _distinct_cache(self) -> dict[str, list[Any]]:
        return {}

    def _distinct_of(self, code: str) -> list[Any]:
        """Distinct answers of one column, worked out once (answers do not change)."""
        if code not in self._distinct_cache:
            self._distinct_cache[code] = _distinct(self.answers[code])
        return self._distinct_cache[code]

    @cached_property
    def _file_label_groups(self) -> dict[str, list[str]]:
        """Labels of every Likert item group of the export whose answers are text."""
        groups: dict[str, list[str]] = {}
        for code in self.likert_items:
            if _as_numbers(self.answers[code], self._distinct_of(code)) is None:
                groups.setdefault(self.items[code].group, []).append(code)
        return {group: _distinct_labels(codes, self._distinct_of) for group, codes in
                groups.items()}

    def _numeric(self, items: tuple[str, ...] | None, points: Any, mapping: Any) -> _NumericResult:
        key = (items, points, mapping)
        if key not in self._numeric_cache:
            self._numeric_cache[key] = self._compute_numeric(items, _thaw(points), _thaw(mapping))
        return self._numeric_cache[key]

    def _compute_numeric(self, items: tuple[str, ...] | None, points: Any,
                         mapping: Any) -> _NumericResult:
        codes = list(items) if items is not None else self.likert_items
        unknown = [c for c in codes if c not in self.items]
        if unknown:
            raise CodebookError(
                f"no item(s) {', '.join(map(repr, unknown))} in this export",
                file=self.source,
                hint="items found: " + ", ".join(list(self.items)[:40]),
            )
        out: dict[str, pd.Series] = {}
        matches: dict[str, LabelMatch] = {}
        pending: dict[str, list[str]] = {}
        for code in codes:
            column = self.answers[code]
            numbers = _as_numbers(column, self._distinct_of(code))
            if numbers is not None:
                out[code] = numbers.mask(numbers.isin(_non_substantive_codes(self.items[code])))
            else:
                pending.setdefault(self.items[code].group, []).append(code)

        problems: list[Location] = []
        ambiguity: list[str] = []
        group_labels: dict[str, list[str]] = {}
        group_match: dict[str, LabelMatch] = {}
        for group, group_codes in pending.items():
            group_labels[group], group_match[group] = self._match_group(
                group, group_codes, points, mapping)
        context = {**self._file_label_groups, **group_labels}
        for group, match in group_match.items():
            if _points_for(points, pending[group]) is None and (match.ambiguous
                                                                or match.by_coverage):
                group_match[group] = _with_file_evidence(group, match, context)
        for group, match in group_match.items():
            if match.unobserved:
                group_match[group] = _seen_elsewhere(match, context)

        for group, group_codes in pending.items():
            match = group_match[group]
            labels = group_labels[group]
            for code in group_codes:
                matches[code] = match
            if match.ambiguous:
                ambiguity.append(
                    f"items {', '.join(group_codes)}: labels {sorted(labels)} fit "
                    f"{', '.join(match.ambiguous)} with different codes"
                )
                continue
            if match.unmatched:
                problems += self._locate_unmatched(match, group, group_codes)
                continue
            for code in group_codes:
                out[code] = _code_column(self.answers[code], match.codes,
                                         self._distinct_of(code))

        _warn_unobserved(group_match, pending, group_labels, points, self.source)
        if problems or ambiguity:
            self._refuse_labels(problems, ambiguity)
        frame = pd.DataFrame({c: out[c] for c in codes}, index=self.answers.index)
        return _NumericResult(frame.astype("float64"), matches)

    def _match_group(self, group: str, group_codes: list[str], points: Any, mapping: Any
                     ) -> tuple[list[str], LabelMatch]:
        """The labels of one matrix question (all its items) and their coding: the
        mapping given, else the answer options' codes, else a known vocabulary."""
        item_mapping = _mapping_for(mapping, group_codes)
        options = self.items[group_codes[0]].options
        siblings = [c for c, item in self.items.items() if item.group == group]
        labels = _distinct_labels(siblings, self._distinct_of)
        from_options = item_mapping is None and bool(options) and _numeric_options(options)
        if from_options:  # "Not applicable = 99" is not a position on the scale
            outside = _non_substantive_codes(self.items[group_codes[0]])
            item_mapping = {label: float(code) for code, label in options
                            if _number(code) not in outside}
        match = match_labels(labels, points=_points_for(points, group_codes),
                             mapping=item_mapping)
        if (item_mapping is not None and match.vocabulary in (None, "mapping")
                and not match.unmatched):
            match = LabelMatch(match.codes, "options" if from_options else "mapping",
                               non_substantive=match.non_substantive)
        return labels, match

    def _locate_unmatched(self, match: LabelMatch, group: str, group_codes: list[str]
                          ) -> list[Location]:
        """Where each label no scale knows first occurs: in the items scored, then in
        the items beside them in the same question, else the question's first item."""
        siblings = [c for c, item in self.items.items() if item.group == group]
        problems: list[Location] = []
        located = set()
        for searched in (group_codes, [c for c in siblings if c not in group_codes]):
            for code in searched:
                col = self.answers[code].astype("string").str.strip()
                for label in match.unmatched:
                    hits = col.index[col == label]
                    if len(hits) and (searched is group_codes or label not in located):
                        problems.append(self.locate(hits[0], code, label))
                        located.add(label)
        problems += [Location(self.source, self.sheet, None, group_codes[0], label)
                     for label in match.unmatched if label not in located]
        return problems

    def _refuse_labels(self, problems: list[Location], ambiguity: list[str]) -> None:
        message = []
        if problems:
            message.append(f"{len(problems)} response label(s) match no known "
                           "response scale (first occurrence of each listed)")
        if ambiguity:
            message.append("the labels of some items fit several scales: "
                           + "; ".join(ambiguity))
        raise LabelError(
            "; ".join(message),
            file=self.source,
            sheet=self.sheet,
            problems=problems,
            hint="pass your own coding, e.g. numeric(mapping={'Very helpful': 5, ...}) "
            "(per item: mapping={'Q1_1': {...}}), or the number of scale points with "
            "points=5 (in a codebook: response_range = [1, 5]). A column of free text "
            "should not be listed among the items to score.",
        )


# --------------------------------------------------------------------- helpers


def _with_file_evidence(group: str, match: LabelMatch,
                        labels: Mapping[str, list[str]]) -> LabelMatch:
    """Settle a group's scale length with the labels of the file's other Likert items.

    Items of one questionnaire usually share their response scale, so the labels of
    every group whose candidate vocabularies share a family are read together. An
    ambiguous group takes the pooled coding when it is unambiguous; a group coded
    only because its labels filled a short scale becomes ambiguous when the pooled
    labels say the scale is longer (e.g. nobody chose the middle of a 5-point
    scale in this item, but others in the file did).

    A file whose other questions settle on two or more different scales of the
    family (a 4-point and a 7-point agreement matrix) uses several scales: pooling
    would read every question on the longest, so the group keeps its own reading
    (coded when its labels fill a scale, ambiguous otherwise).
    """
    pooled: dict[str, None] = {}
    settled: set[str] = set()
    for other_group, other_labels in labels.items():
        other = match_labels(other_labels)
        if other.families & match.families:
            pooled.update(dict.fromkeys(other_labels))
            if other_group != group and other.vocabulary:
                settled.add(other.vocabulary)
    if len(settled) > 1:
        return match
    together = match_labels(list(pooled))
    if together.vocabulary is None or together.vocabulary == match.vocabulary:
        return match
    own = {label: together.codes[label] for label in labels[group]}
    if match.ambiguous:
        return LabelMatch({**match.codes, **own},
                          f"{together.vocabulary}, read with the file's other items",
                          non_substantive=match.non_substantive, families=match.families,
                          unobserved=together.unobserved, source=together.source)
    if any(own[label] != match.codes[label] for label in labels[group]):
        return LabelMatch(match.codes, None, ambiguous=(match.vocabulary or "",
                                                        together.vocabulary),
                          non_substantive=match.non_substantive, families=match.families)
    return match


def _non_substantive_codes(item: Item) -> set[float]:
    """Numeric option codes that are not a position on the scale (``99 = N/A``).

    An option counts when its label is a non-substantive answer ("Not applicable",
    "Don't know") and its code lies outside the codes of the other options: a "No
    opinion" coded 3 between 1 and 5 was made a scale point by the questionnaire.
    """
    numbered = [(_number(code), label) for code, label in item.options or ()]
    numbered = [(n, label) for n, label in numbered if n is not None]
    flagged = {n for n, label in numbered if label_key(label) in NON_SUBSTANTIVE}
    substantive = [n for n, _ in numbered if n not in flagged]
    if not substantive:
        return set()
    low, high = min(substantive), max(substantive)
    return {n for n in flagged if not low <= n <= high}


_CODING_COLUMNS = ("item", "answer", "label", "value", "rule", "source", "unseen_levels",
                   "count")


def _coding_row(item: str, answer: str, label: str, value: float, rule: str, source: str,
                unseen: tuple[str, ...], count: int) -> dict[str, Any]:
    return dict(zip(_CODING_COLUMNS, (item, answer, label, float(value), rule, source,
                                      "; ".join(unseen), count), strict=True))


def _rule_and_source(match: LabelMatch, item: Item) -> tuple[str, str]:
    rule = match.vocabulary or ""
    if rule == "options":
        return rule, item.options_source or "the platform's option codes"
    if rule == "mapping":
        return rule, "your mapping"
    if rule == "numbers in labels":
        return rule, "the numbers printed in the answers"
    return rule, match.source or "built-in vocabulary"


def _warn_unobserved(group_match: Mapping[str, LabelMatch], pending: Mapping[str, list[str]],
                     group_labels: Mapping[str, list[str]], points: Any,
                     source: Path) -> None:
    """One warning for the groups whose numbers rest on levels nobody chose."""
    lines = []
    for group, match in group_match.items():
        if (not match.unobserved or match.ambiguous or match.unmatched
                or _points_for(points, pending[group]) is not None):
            continue
        coded = ", ".join(f"{label} = {match.codes[label]:g}"
                          for label in sorted(group_labels[group], key=lambda x: (
                              match.codes.get(x, float("inf")), x))
                          if label in match.codes and match.codes[label] == match.codes[label])
        lines.append(
            f"items {', '.join(pending[group])}: labels seen were coded {coded} "
            f"({match.vocabulary}); no answer was "
            + " or ".join(f"'{a}'" for a in match.unobserved))
    if lines:
        warnings.warn(
            f"{source.name}: the numbers of some answers rest on scale levels nobody "
            "chose: " + "; ".join(lines) + ". If the questionnaire's scale did not have "
            "those levels, the coding is wrong: give the number of points (points=N; in "
            "a codebook response_range = [1, N]), your own mapping, or the survey's "
            "definition file (definition=...)",
            LabelCodingWarning, stacklevel=user_stacklevel())


def _seen_elsewhere(match: LabelMatch, labels: Mapping[str, list[str]]) -> LabelMatch:
    """Drop the unseen levels that other items of the file on the same scale showed.

    Nobody chose "Sometimes" in one question, but respondents did in the questions
    beside it on the same five-point scale: the level exists, and the numbers do not
    rest on a guess.
    """
    name = (match.vocabulary or "").split(",")[0]
    try:
        vocab = vocabulary(name)
    except KeyError:
        return match
    on_scale = vocab.codes()
    pooled = {label_key(label) for label in match.codes}
    for group_labels in labels.values():  # questions whose every answer is on this scale
        keys = {label_key(split_numbered_label(label)[1]) for label in group_labels}
        keys -= NON_SUBSTANTIVE
        if keys and keys <= on_scale.keys():
            pooled |= keys
    still = tuple(anchor for anchor in match.unobserved
                  if anchor in _unobserved_levels(vocab, pooled))
    return replace(match, unobserved=still)


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return tuple(sorted((str(k), _freeze(v)) for k, v in value.items()))
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, tuple) and all(isinstance(p, tuple) and len(p) == 2 for p in value):
        return {k: _thaw(v) for k, v in value}
    return value


def _mapping_for(mapping: Any, codes: list[str]) -> dict[str, float] | None:
    if not mapping:
        return None
    if any(isinstance(v, Mapping) for v in mapping.values()):
        merged: dict[str, float] = {}
        for code in codes:
            merged.update(mapping.get(code, {}))
        return merged or None
    return dict(mapping)


def _points_for(points: Any, codes: list[str]) -> int | None:
    if points is None or isinstance(points, int):
        return points
    found = {points[c] for c in codes if c in points}
    return found.pop() if len(found) == 1 else None


def _numeric_options(options: tuple[tuple[Any, str], ...]) -> bool:
    try:
        [float(c) for c, _ in options]
    except (TypeError, ValueError):
        return False
    return True


def _code_column(column: pd.Series, codes: Mapping[str, float],
                 distinct: list[Any] | None = None) -> pd.Series:
    """Map each answer (compared stripped) to its code; other values become NaN."""
    lookup = {}
    for value in _distinct(column) if distinct is None else distinct:
        lookup[value] = codes.get(str(value).strip(), np.nan)
    return column.map(lookup).astype("float64")


def _distinct_labels(codes: Sequence[str], distinct_of: Callable[[str], list[Any]]
                     ) -> list[str]:
    seen: dict[str, None] = {}
    for code in codes:
        for value in distinct_of(code):
            text = str(value).strip()
            if text:
                seen[text] = None
    return list(seen)


def _distinct(column: pd.Series) -> list[Any]:
    """Distinct non-missing values of a column, in order of appearance."""
    try:
        seen = column.unique().tolist()  # hashing in C, order of appearance kept
    except TypeError:  # unhashable cells (lists from a JSON export)
        seen = list(dict.fromkeys(map(repr, column.dropna())))
    return [v for v in seen if v is not None and not (isinstance(v, float) and v != v)
            and v is not pd.NA]


def _number(value: Any) -> float | None:
    """One answer as a number (Persian digits allowed), or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | np.integer | np.floating):
        return float(value)
    try:
        return float(normalize_digits(str(value).strip()))
    except ValueError:
        return None


def _as_numbers(column: pd.Series, distinct: list[Any] | None = None) -> pd.Series | None:
    """The column as floats when every answer is a number (digits may be Persian).

    Conversion works on the distinct values, so a 50,000-row column with five
    distinct answers costs five conversions and one lookup pass.
    """
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return column.astype("float64")
    table: dict[Any, float] = {}
    for value in _distinct(column) if distinct is None else distinct:
        number = _number(value)
        if number is None:
            return None
        table[value] = number
    if not table:
        return pd.Series(np.nan, index=column.index, dtype="float64")
    return column.map(table).astype("float64")


def classify_column(values: pd.Series | Sequence[Any]) -> ItemKind:
    """Guess an item's kind from its answers when the platform does not say.

    Integers within -10..11 spanning at most 10 (student numbers are not a rating
    scale) and label sets that match a known vocabulary are ``likert``; other numbers
    are ``number``; few distinct short labels are ``choice``; answers that never
    repeat (three or more) or run to sentences (six or more words) are ``text``. Only
    the distinct answers are examined.

    Examples
    --------
    >>> classify_column(["Great, thanks", None, "Too short", "More sessions"])
    'text'
    >>> classify_column(["Male", "Female", "Female", "Male"])
    'choice'
    >>> classify_column([9812345, 9812346, 9812347])  # student numbers
    'number'
    >>> classify_column(["Agree", "Disagree", "Agree"])
    'likert'
    """
    if isinstance(values, pd.Series):
        unique = _distinct(values)
        n_present = int(values.notna().sum())
    else:  # a plain list from a loader: dict and list.count work in C
        values = list(values)
        try:
            seen = list(dict.fromkeys(values))
        except TypeError:
            seen = _distinct(pd.Series(values, dtype=object))
        unique = [v for v in seen if v is not None and not (isinstance(v, float) and v != v)]
        n_present = len(values) - values.count(None)
        if any(isinstance(v, float) and v != v for v in seen):  # NaNs are missing too
            n_present -= sum(1 for v in values if isinstance(v, float) and v != v)
    distinct = [v for v in unique if not (isinstance(v, str) and not v.strip())]
    if not distinct:
        return "text"
    if all(isinstance(v, dt.date) for v in distinct):
        return "date"
    numbers = [_number(v) for v in distinct]
    if all(n is not None for n in numbers):
        finite = [n for n in numbers if n is not None and np.isfinite(n)]
        if (finite and all(float(n).is_integer() for n in finite)
                and min(finite) >= -10 and max(finite) <= 11
                and max(finite) - min(finite) <= 10 and len(set(finite)) <= 11):
            return "likert"
        return "number"
    labels = list(dict.fromkeys(str(v).strip() for v in distinct))
    matched = sum(1 for label in labels if known_label(label))
    if matched and matched >= math.ceil(len(labels) / 2):
        return "likert"
    if n_present >= 3 and len(labels) == n_present:
        return "text"  # answers that never repeat are free text, not a closed choice
    if max(len(s.split()) for s in labels) >= 6:
        return "text"  # sentences, not options
    if len(labels) <= max(12, n_present // 5) and max(len(s) for s in labels) <= 80:
        return "choice"
    return "text"
