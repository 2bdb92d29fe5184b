"""The codebook: which items form which scale, and how scale scores are made.

An :class:`Instrument` is read from TOML (or a dict)::

    name = "Peer Mentoring Perception Questionnaire"
    response_range = [1, 5]     # lowest and highest answer code
    scoring = "mean"            # or "sum"
    min_answered = 0.8          # share of a scale's items needed for a score
    missing_codes = [9]         # codes that mean "no answer"

    [scales.support]
    label = "Mentor support"
    items = ["Q1_1", "Q1_2", "Q1_3"]
    reverse = ["Q1_3"]

Items are named by a short name. Where the export names its columns by the full
question text (Google Forms, many Persian forms), the ``[items]`` table says which
column each short name reads and keeps the text as the item's label; a bare string
is the label of an item whose column has its short name::

    options = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]

    [items]
    Q1_1 = "My mentor was available when I needed help"
    item02 = {column = "How often did you meet your mentor? [In person]",
              label = "Met in person"}

``options`` (for the instrument, a scale or an item) names the answer codes of a
numeric export, lowest first (or as a table ``{1 = "Never", 5 = "Always"}``), so
that reports show "Strongly agree" rather than 5.

:meth:`Instrument.score` reverses the reverse-keyed items, computes scale scores
for respondents who answered enough items and reports, per respondent and scale,
what could not be scored and why.
"""

from __future__ import annotations

import html
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval.errors import CodebookError, Location, OutOfRangeError
from peereval.responses import Responses

__all__ = ["Instrument", "Scale", "Scores"]

Scoring = Literal["mean", "sum"]
Options = tuple[tuple[float, str], ...]
_INSTRUMENT_KEYS = {"name", "response_range", "scoring", "min_answered", "missing_codes",
                    "scales", "items", "language", "description", "reference", "options"}
_SCALE_KEYS = {"label", "items", "reverse", "scoring", "min_answered", "response_range",
               "description", "options"}
_ITEM_KEYS = {"name", "column", "label", "options"}


@dataclass(frozen=True)
class Scale:
    """One scale (subscale) of an instrument.

    Attributes
    ----------
    name
        Short identifier, used as the column name of the scale score.
    items
        Item short names: the export's column names, or the names the codebook's
        ``[items]`` table maps to export columns.
    reverse
        The reverse-keyed items (a subset of ``items``).
    label
        Readable name for reports.
    scoring, min_answered, response_range
        Override the instrument's settings for this scale.
    options
        ``(code, label)`` of the answer options of this scale's items (overrides the
        instrument's ``options``); empty when the codebook gives none.

    Examples
    --------
    >>> import peereval
    >>> scale = peereval.load_sample().instrument.scale("support")
    >>> scale.label, len(scale.items), scale.reverse
    ('Mentor support', 6, ('Q1_6',))
    """

    name: str
    items: tuple[str, ...]
    reverse: tuple[str, ...] = ()
    label: str = ""
    scoring: Scoring | None = None
    min_answered: float | None = None
    response_range: tuple[float, float] | None = None
    options: Options = ()

    @property
    def title(self) -> str:
        return self.label or self.name


@dataclass(frozen=True)
class Instrument:
    """A questionnaire's codebook.

    Attributes
    ----------
    name
        The instrument's name.
    scales
        Its scales, in order.
    response_range
        ``(lowest, highest)`` answer code, e.g. ``(1, 5)``. Reverse keying maps
        ``x`` to ``lowest + highest - x``.
    scoring
        ``"mean"`` (default) or ``"sum"`` of the items of a scale. A sum is
        prorated when items are missing: mean of the answered items times the
        number of items (Mazza et al. 2015, *J Clin Epidemiol*).
    min_answered
        Share of a scale's items that must be answered for a score (default 0.8);
        below it the score is missing and the reason is reported.
    missing_codes
        Answer codes that mean "no answer" (e.g. 9, 99); recoded to missing and
        counted.
    item_text
        Item short name -> label (the question as worded), for reports.
    columns
        Item short name -> the export column it reads, for items whose column is not
        named by the short name (a Google Forms header holding the whole question).
    options
        ``(code, label)`` of the answer options, lowest first, when the codebook
        names them (a numeric export then shows labels in reports).
    item_options
        Item short name -> its own options, overriding its scale's and the
        instrument's.

    Examples
    --------
    >>> inst = Instrument.from_dict({
    ...     "name": "demo", "response_range": [1, 5],
    ...     "scales": {"support": {"items": ["a", "b", "c"], "reverse": ["c"]}}})
    >>> inst.scales[0].reverse
    ('c',)
    >>> inst = Instrument.from_dict({
    ...     "response_range": [1, 3], "options": ["Never", "Sometimes", "Often"],
    ...     "scales": {"contact": {"items": ["item01", "item02", "item03"]}},
    ...     "items": {"item01": {"column": "How often did you meet? [In person]",
    ...                          "label": "Met in person"}}})
    >>> inst.column_of("item01"), inst.label_of("item01"), inst.label_of("item02")
    ('How often did you meet? [In person]', 'Met in person', 'item02')
    >>> inst.options_of("item02")
    ((1.0, 'Never'), (2.0, 'Sometimes'), (3.0, 'Often'))
    """

    name: str
    scales: tuple[Scale, ...]
    response_range: tuple[float, float] = (1.0, 5.0)
    scoring: Scoring = "mean"
    min_answered: float = 0.8
    missing_codes: tuple[float, ...] = ()
    item_text: Mapping[str, str] = field(default_factory=dict)
    source: Path | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    options: Options = ()
    item_options: Mapping[str, Options] = field(default_factory=dict)

    # ------------------------------------------------------------ construction
    @classmethod
    def from_toml(cls, path: str | Path) -> Instrument:
        """Read an instrument from a TOML codebook file."""
        path = Path(path)
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            raise CodebookError("the codebook file does not exist", file=path,
                                hint="check the path") from None
        except tomllib.TOMLDecodeError as exc:
            raise CodebookError(f"the codebook is not valid TOML: {exc}", file=path,
                                hint="check quotes, brackets and '=' on the line named"
                                ) from None
        return cls.from_dict(data, source=path)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str | Path | None = None
                  ) -> Instrument:
        """Build an instrument from a dict with the keys of the TOML format."""
        where = Path(source) if source is not None else None

        def fail(message: str, key: str, hint: str) -> CodebookError:
            return CodebookError(message, file=where, column=key, hint=hint)

        unknown = set(data) - _INSTRUMENT_KEYS
        if unknown:
            raise fail(f"unknown key(s) {sorted(unknown)}", sorted(unknown)[0],
                       "allowed keys: " + ", ".join(sorted(_INSTRUMENT_KEYS)))
        rng = _range(data.get("response_range", (1, 5)), "response_range", fail)
        scoring = _scoring(data.get("scoring", "mean"), "scoring", fail)
        min_answered = _share(data.get("min_answered", 0.8), "min_answered", fail)
        missing = data.get("missing_codes", ())
        if not isinstance(missing, Sequence) or isinstance(missing, str) or not all(
                isinstance(v, int | float) for v in missing):
            raise fail("missing_codes must be a list of numbers", "missing_codes",
                       "e.g. missing_codes = [9, 99]")
        raw_scales = data.get("scales")
        if not isinstance(raw_scales, Mapping) or not raw_scales:
            raise fail("the codebook defines no scales", "scales",
                       "add a [scales.NAME] table with items = [...]")
        scales = []
        for name, spec in raw_scales.items():
            key = f"scales.{name}"
            if not isinstance(spec, Mapping):
                raise fail(f"{key} must be a table", key, f"write [scales.{name}]")
            bad = set(spec) - _SCALE_KEYS
            if bad:
                raise fail(f"unknown key(s) {sorted(bad)} in {key}", f"{key}.{sorted(bad)[0]}",
                           "allowed keys: " + ", ".join(sorted(_SCALE_KEYS)))
            items = _codes(spec.get("items"), f"{key}.items", fail)
            if not items:
                raise fail(f"{key} has no items", f"{key}.items",
                           'list its item codes: items = ["Q1_1", "Q1_2"]')
            if len(set(items)) != len(items):
                dup = next(i for i in items if items.count(i) > 1)
                raise fail(f"item '{dup}' is listed twice in {key}", f"{key}.items",
                           "list each item once")
            reverse = _codes(spec.get("reverse", []), f"{key}.reverse", fail)
            stray = [r for r in reverse if r not in items]
            if stray:
                raise fail(f"reverse-keyed item(s) {stray} are not among the items of {key}",
                           f"{key}.reverse", "add them to items, or fix the spelling")
            scale_range = (_range(spec["response_range"], f"{key}.response_range", fail)
                           if "response_range" in spec else None)
            scales.append(Scale(
                name=str(name),
                items=tuple(items),
                reverse=tuple(reverse),
                label=str(spec.get("label", "")),
                scoring=_scoring(spec["scoring"], f"{key}.scoring", fail)
                if "scoring" in spec else None,
                min_answered=_share(spec["min_answered"], f"{key}.min_answered", fail)
                if "min_answered" in spec else None,
                response_range=scale_range,
                options=_options(spec["options"], f"{key}.options", scale_range or rng, fail)
                if "options" in spec else (),
            ))
        options = (_options(data["options"], "options", rng, fail)
                   if "options" in data else ())
        item_text, columns, item_options = _item_entries(data.get("items", {}), scales, rng,
                                                         fail)
        return cls(
            name=str(data.get("name", where.stem if where else "instrument")),
            scales=tuple(scales),
            response_range=rng,
            scoring=scoring,
            min_answered=min_answered,
            missing_codes=tuple(float(v) for v in missing),
            item_text=item_text,
            source=where,
            columns=columns,
            options=options,
            item_options=item_options,
        )

    # ---------------------------------------------------------------- queries
    @property
    def items(self) -> list[str]:
        """Every item of every scale, each once, in codebook order."""
        return list(dict.fromkeys(code for scale in self.scales for code in scale.items))

    @property
    def reverse_items(self) -> list[str]:
        return list(dict.fromkeys(code for s in self.scales for code in s.reverse))

    def scale(self, name: str) -> Scale:
        for scale in self.scales:
            if scale.name == name:
                return scale
        raise KeyError(f"no scale named {name!r}; scales: {[s.name for s in self.scales]}")

    def range_of(self, scale: Scale) -> tuple[float, float]:
        return scale.response_range or self.response_range

    def ranges_text(self) -> str:
        """The response range(s) of the scales in words: ``"1-5"``, or
        ``"1-4, 1-5 and 1-7 (by scale)"`` when the scales differ.

        Examples
        --------
        >>> inst = Instrument.from_dict({"response_range": [1, 4], "scales": {
        ...     "a": {"items": ["q1", "q2"]},
        ...     "b": {"items": ["q3", "q4"], "response_range": [1, 7]}}})
        >>> inst.ranges_text()
        '1-4 and 1-7 (by scale)'
        """
        found = sorted({self.range_of(scale) for scale in self.scales}
                       or {self.response_range})
        words = [f"{low:g}-{high:g}" for low, high in found]
        if len(words) == 1:
            return words[0]
        return ", ".join(words[:-1]) + " and " + words[-1] + " (by scale)"

    def scale_of(self, name: str) -> Scale:
        """The first scale that holds the item ``name``."""
        for scale in self.scales:
            if name in scale.items:
                return scale
        raise KeyError(f"no item named {name!r}; items: {self.items}")

    def column_of(self, name: str) -> str:
        """The export column the item ``name`` reads (its short name unless the
        codebook gives a ``column``)."""
        return self.columns.get(name, name)

    def label_of(self, name: str) -> str:
        """The item's label (its wording) for reports; the short name without one."""
        return self.item_text.get(name) or name

    @property
    def labels(self) -> dict[str, str]:
        """Every item's label, short name -> label (the name where there is none)."""
        return {name: self.label_of(name) for name in self.items}

    def options_of(self, name: str) -> Options:
        """``(code, label)`` of an item's answer options from the codebook: the item's
        own, else its scale's, else the instrument's; empty when none is given."""
        if self.item_options.get(name):
            return self.item_options[name]
        try:
            scale = self.scale_of(name)
        except KeyError:
            return self.options
        return scale.options or self.options

    def _column_in(self, data: Responses | pd.DataFrame, name: str) -> str:
        columns = data.items if isinstance(data, Responses) else data.columns
        column = self.column_of(name)
        return column if column in columns else name

    def source_columns(self, available: Sequence[str], *, what: str = "the data"
                       ) -> dict[str, str]:
        """Item short name -> the column of ``available`` that holds it.

        An item is found under its codebook ``column`` or, failing that, under its
        short name (a frame of item scores is named by short names).

        Raises
        ------
        CodebookError
            Naming every item that is in neither form, with the columns there are.
        """
        present = set(map(str, available))
        found: dict[str, str] = {}
        absent: list[str] = []
        for name in self.items:
            column = self.column_of(name)
            if column in present:
                found[name] = column
            elif name in present:
                found[name] = name
            else:
                absent.append(name if column == name else f"{name} (column {column!r})")
        if absent:
            raise CodebookError(
                f"the codebook lists item(s) {absent} that {what} does not have",
                file=self.source, column=absent[0].split(" (")[0],
                hint="columns there: " + ", ".join(list(map(str, available))[:60])
                + "; give each item the export's column header exactly: "
                '[items] NAME = {column = "<header>", label = "..."}')
        return found

    def points(self, scale: Scale) -> int | None:
        low, high = self.range_of(scale)
        span = high - low
        return int(span) + 1 if float(span).is_integer() else None

    def __repr__(self) -> str:
        parts = ", ".join(f"{s.name} ({len(s.items)} items"
                          + (f", {len(s.reverse)} reversed" if s.reverse else "") + ")"
                          for s in self.scales)
        low, high = self.response_range
        return (f"Instrument({self.name!r}: {parts}; range {low:g}-{high:g}, "
                f"{self.scoring}, min_answered={self.min_answered:g})")

    def _repr_html_(self) -> str:
        rows = [{"scale": s.name, "label": s.label or "", "items": ", ".join(s.items),
                 "reversed": ", ".join(s.reverse), "range": "{:g}-{:g}".format(
                     *self.range_of(s))} for s in self.scales]
        head = html.escape(f"{self.name}: {len(self.scales)} scales, {len(self.items)} "
                           f"items, {self.scoring} of items")
        return f"<p>{head}</p>" + pd.DataFrame(rows).to_html(index=False, escape=True)

    # ---------------------------------------------------------------- scoring
    def score(
        self,
        data: Responses | pd.DataFrame,
        *,
        out_of_range: Literal["error", "missing"] = "error",
        mapping: Mapping[str, Any] | None = None,
    ) -> Scores:
        """Reverse-key items and compute scale scores.

        Parameters
        ----------
        data
            A :class:`~peereval.responses.Responses` (labels are coded to
            numbers with the instrument's number of points) or a DataFrame of
            numeric answers with the items as columns.
        out_of_range
            What to do with answers outside ``response_range`` that are not
            ``missing_codes``: ``"error"`` (default) raises
            :class:`~peereval.errors.OutOfRangeError` listing every one;
            ``"missing"`` sets them missing and reports them in
            :attr:`Scores.recoded`.
        mapping
            Passed to :meth:`Responses.numeric` for labels the vocabularies do not
            know.

        Returns
        -------
        Scores

        Notes
        -----
        Reverse keying: :math:`x' = a + b - x` for a response range
        :math:`[a, b]`. A scale score is computed when the respondent answered at
        least ``min_answered`` of the scale's :math:`k` items: the mean of the
        answered items, or for sum scoring the prorated sum
        :math:`k \\bar{x}` (person-mean imputation).
        """
        if out_of_range not in ("error", "missing"):
            raise ValueError("out_of_range must be 'error' or 'missing'")
        values = self.item_values(data, mapping=mapping)
        recoded: list[dict[str, Any]] = []
        problems: list[Location] = []
        for scale in self.scales:
            low, high = self.range_of(scale)
            for code in scale.items:
                column = values[code]
                is_missing_code = column.isin(self.missing_codes)
                for rid in column.index[is_missing_code]:
                    recoded.append({"respondent_id": rid, "item": code,
                                    "value": column[rid], "action": "missing code"})
                column = column.mask(is_missing_code)
                outside = column.notna() & ((column < low) | (column > high))
                for rid in column.index[outside]:
                    if out_of_range == "error":
                        problems.append(_locate(data, rid, self._column_in(data, code),
                                                column[rid]))
                    else:
                        recoded.append({"respondent_id": rid, "item": code,
                                        "value": column[rid],
                                        "action": f"outside {low:g}-{high:g}, set missing"})
                values[code] = column.mask(outside) if out_of_range == "missing" else column
        if problems:
            problems = list(dict.fromkeys(problems))
            raise OutOfRangeError(
                f"{len(problems)} answer(s) lie outside the response range of their scale",
                file=problems[0].file,
                sheet=problems[0].sheet,
                problems=problems,
                hint="if these codes mean 'no answer', list them in the codebook as "
                "missing_codes = [...]; if the range is wrong, fix response_range; to set "
                "them missing and go on, use score(..., out_of_range='missing')",
            )

        items = values.copy()
        for scale in self.scales:
            low, high = self.range_of(scale)
            for code in scale.reverse:
                items[code] = (low + high) - values[code]
        scale_scores: dict[str, pd.Series] = {}
        answered: dict[str, pd.Series] = {}
        unscored: list[dict[str, Any]] = []
        for scale in self.scales:
            block = items[list(scale.items)]
            n_answered = block.notna().sum(axis=1)
            k = len(scale.items)
            need = math.ceil((scale.min_answered or self.min_answered) * k - 1e-9)
            enough = n_answered >= need
            mean = block.mean(axis=1, skipna=True)
            scoring = scale.scoring or self.scoring
            score = mean * k if scoring == "sum" else mean
            scale_scores[scale.name] = score.where(enough)
            answered[scale.name] = n_answered
            for rid in n_answered.index[~enough]:
                unscored.append({
                    "respondent_id": rid,
                    "scale": scale.name,
                    "n_answered": int(n_answered[rid]),
                    "n_items": k,
                    "reason": f"answered {int(n_answered[rid])} of {k} items; "
                    f"at least {need} needed",
                })
        return Scores(
            instrument=self,
            items=items,
            scales=pd.DataFrame(scale_scores, index=items.index),
            answered=pd.DataFrame(answered, index=items.index),
            unscored=pd.DataFrame(unscored, columns=["respondent_id", "scale", "n_answered",
                                                     "n_items", "reason"]),
            recoded=pd.DataFrame(recoded, columns=["respondent_id", "item", "value",
                                                   "action"]),
        )

    def coding_table(self, data: Responses, *,
                     mapping: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """How the answers of the instrument's items became numbers.

        The table of :meth:`Responses.coding_table`, for the codebook's items and with
        the codebook's number of points per scale (as :meth:`score` codes them), one
        row per item and distinct answer; ``item`` is the codebook's short name and
        ``column`` the export's column.

        Parameters
        ----------
        data
            The survey export.
        mapping
            As for :meth:`score`.

        Returns
        -------
        pandas.DataFrame
            Columns ``item``, ``column``, ``answer``, ``label``, ``value``, ``rule``,
            ``source``, ``unseen_levels``, ``count``.

        Examples
        --------
        >>> import peereval
        >>> study = peereval.load_sample()
        >>> table = study.instrument.coding_table(study.responses)
        >>> sorted(table["rule"].unique())
        ['agreement-5 (en)']
        """
        columns, points, mapping = self._coding_arguments(data, mapping)
        table = data.coding_table(columns, points=points, mapping=mapping)
        short = {column: name for name, column in zip(self.items, columns, strict=True)}
        table.insert(1, "column", table["item"])
        table["item"] = table["item"].map(short)
        return table

    def _coding_arguments(self, data: Responses, mapping: Mapping[str, Any] | None
                          ) -> tuple[list[str], dict[str, int], Mapping[str, Any] | None]:
        """The export columns of the items, each column's number of points and the
        mapping keyed by column: what :meth:`Responses.numeric` codes them with."""
        found = self.source_columns(list(data.items), what=f"the export {data.source.name}")
        columns = [found[name] for name in self.items]
        points = {found[code]: self.points(scale) for scale in self.scales
                  for code in scale.items if self.points(scale)}
        if mapping and any(isinstance(v, Mapping) for v in mapping.values()):
            mapping = {found.get(str(k), k): v for k, v in mapping.items()}
        return columns, points, mapping

    def item_values(self, data: Responses | pd.DataFrame, *,
                    mapping: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """The instrument's items as numbers, before missing codes and reverse keying.

        Labels are coded with the number of points of each item's scale
        (:meth:`Responses.numeric`); a DataFrame must already be numeric.
        """
        wanted = self.items
        available = list(data.items) if isinstance(data, Responses) else list(data.columns)
        source = data.source if isinstance(data, Responses) else None
        found = self.source_columns(available, what=f"the export {source.name}"
                                    if source else "the data")
        columns = [found[name] for name in wanted]
        if isinstance(data, Responses):
            columns, points, mapping = self._coding_arguments(data, mapping)
            values = data.numeric(columns, points=points, mapping=mapping)
        else:
            values = data[columns]
            non_numeric = [c for c in columns if not pd.api.types.is_numeric_dtype(values[c])]
            if non_numeric:
                raise CodebookError(
                    f"column(s) {non_numeric} are not numeric",
                    column=non_numeric[0],
                    hint="pass a Responses object (labels are coded automatically) or "
                    "code the answers as numbers first",
                )
            values = values.astype("float64")
        values = values.copy()
        values.columns = pd.Index(wanted)
        return values


@dataclass(frozen=True)
class Scores:
    """What :meth:`Instrument.score` produced.

    Attributes
    ----------
    items
        Numeric item scores, reverse-keyed items already reversed.
    scales
        One column per scale: the scale score, missing where too few items were
        answered.
    answered
        Number of items answered, per respondent and scale.
    unscored
        One row per respondent and scale without a score, with the reason.
    recoded
        Answers set missing: missing codes, and out-of-range values when
        ``out_of_range="missing"``.

    Examples
    --------
    >>> import peereval
    >>> study = peereval.load_sample()
    >>> scores = study.instrument.score(study.screened)
    >>> scores.items.shape, scores.scales.columns.tolist()
    ((138, 18), ['support', 'adjustment', 'belonging'])
    >>> scores.scales.iloc[0].round(2).tolist()
    [3.67, 4.67, 3.17]
    """

    instrument: Instrument
    items: pd.DataFrame
    scales: pd.DataFrame
    answered: pd.DataFrame
    unscored: pd.DataFrame
    recoded: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Items and scale scores side by side, one row per respondent."""
        return self.items.join(self.scales)

    def summary(self) -> pd.DataFrame:
        """Per scale: items, reversed, respondents scored and not, mean, SD, range."""
        rows = []
        for scale in self.instrument.scales:
            score = self.scales[scale.name]
            rows.append({
                "scale": scale.name,
                "label": scale.title,
                "n_items": len(scale.items),
                "reversed": ", ".join(scale.reverse),
                "n_scored": int(score.notna().sum()),
                "n_not_scored": int(score.isna().sum()),
                "mean": float(score.mean()) if score.notna().any() else np.nan,
                "sd": float(score.std(ddof=1)) if score.notna().sum() > 1 else np.nan,
                "min": float(score.min()) if score.notna().any() else np.nan,
                "max": float(score.max()) if score.notna().any() else np.nan,
            })
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        lines = [f"Scores of {self.instrument.name!r} for {len(self.items)} respondents"]
        for row in self.summary().itertuples():
            lines.append(f"  {row.scale}: n = {row.n_scored} scored ({row.n_not_scored} not), "
                         f"M = {row.mean:.2f}, SD = {row.sd:.2f}")
        if len(self.recoded):
            lines.append(f"  {len(self.recoded)} answer(s) recoded to missing")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return (f"<p>{html.escape(self.__repr__().splitlines()[0])}</p>"
                + self.summary().to_html(index=False, float_format=lambda v: f"{v:.2f}"))


# ------------------------------------------------------------------ validation


def _locate(data: Responses | pd.DataFrame, rid: Any, code: str, value: Any) -> Location:
    if isinstance(data, Responses):
        return data.locate(rid, code, value)
    return Location(row=None, column=code, value=f"{value:g} (respondent {rid})")


def _options(value: Any, key: str, rng: tuple[float, float], fail: Any) -> Options:
    """Option labels: a list (lowest code first) or a table code -> label."""
    low, high = rng
    example = ('e.g. options = ["Strongly disagree", "Disagree", "Neutral", "Agree", '
               '"Strongly agree"] or options = {1 = "Never", 5 = "Always"}')
    if isinstance(value, Mapping):
        out = []
        for code, label in value.items():
            try:
                number = float(code)
            except ValueError:
                raise fail(f"{key}: the option code {code!r} is not a number", key,
                           example) from None
            if not isinstance(label, str) or not label.strip():
                raise fail(f"{key}: the label of option {code} must be text", key, example)
            if not low <= number <= high:
                raise fail(f"{key}: the option code {code} lies outside the response "
                           f"range {low:g}-{high:g}", key,
                           "give codes within response_range, or fix the range")
            out.append((number, label.strip()))
        return tuple(sorted(out))
    if (isinstance(value, Sequence) and not isinstance(value, str) and value
            and all(isinstance(v, str) and v.strip() for v in value)):
        span = high - low
        if not float(span).is_integer() or len(value) != int(span) + 1:
            codes = f"{int(span) + 1} codes" if float(span).is_integer() else "no whole codes"
            raise fail(f"{key} lists {len(value)} labels but the response range "
                       f"{low:g}-{high:g} has {codes}", key,
                       'give one label per code, lowest first, or a table {1 = "Never", '
                       '5 = "Always"}')
        return tuple((low + i, str(v).strip()) for i, v in enumerate(value))
    raise fail(f"{key} must be a list of labels or a table of code = label", key, example)


def _item_entries(raw: Any, scales: Sequence[Scale], rng: tuple[float, float], fail: Any
                  ) -> tuple[dict[str, str], dict[str, str], dict[str, Options]]:
    """``[items]``: labels, export columns and options of the items, by short name.

    ``[items]`` is a table whose values are a label (``Q1_1 = "..."``) or a table
    ``{column = "...", label = "...", options = [...]}``; ``[[items]]`` (a list of
    tables each with a ``name``) is read the same way.
    """
    hint = ('[items]\nQ1_1 = "My mentor was available"\n'
            'item02 = {column = "<the export column>", label = "..."}')
    if isinstance(raw, Sequence) and not isinstance(raw, str):
        entries: dict[str, Any] = {}
        for position, entry in enumerate(raw, start=1):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str) \
                    or not entry["name"].strip():
                raise fail(f"items entry {position} needs a name", "items", hint)
            if entry["name"] in entries:
                raise fail(f"item '{entry['name']}' is described twice in items",
                           f"items.{entry['name']}", "describe each item once")
            entries[entry["name"]] = {k: v for k, v in entry.items() if k != "name"}
        raw = entries
    if not isinstance(raw, Mapping):
        raise fail("items must be a table of item name = label", "items", hint)
    ranges = {}
    for scale in scales:
        for code in scale.items:
            ranges.setdefault(code, scale.response_range or rng)
    text: dict[str, str] = {}
    columns: dict[str, str] = {}
    options: dict[str, Options] = {}
    for name, spec in raw.items():
        name = str(name)
        key = f"items.{name}"
        if isinstance(spec, str):
            text[name] = spec
            continue
        if not isinstance(spec, Mapping):
            raise fail(f"{key} must be a label in quotes or a table", key, hint)
        bad = set(spec) - _ITEM_KEYS
        if bad:
            raise fail(f"unknown key(s) {sorted(bad)} in {key}", f"{key}.{sorted(bad)[0]}",
                       "allowed keys: column, label, options")
        for part in ("column", "label"):
            if part in spec and (not isinstance(spec[part], str) or not spec[part].strip()):
                raise fail(f"{key}.{part} must be text in quotes", f"{key}.{part}", hint)
        if "label" in spec:
            text[name] = spec["label"].strip()
        if "column" in spec and spec["column"] != name:
            columns[name] = spec["column"]
        if "options" in spec:
            options[name] = _options(spec["options"], f"{key}.options",
                                     ranges.get(name, rng), fail)
    reads: dict[str, str] = {}
    for name in dict.fromkeys([*(c for s in scales for c in s.items), *raw]):
        column = columns.get(str(name), str(name))
        if column in reads:
            raise fail(f"items '{reads[column]}' and '{name}' both read the column "
                       f"{column!r}", f"items.{name}",
                       "give each item its own column (or list the item once)")
        reads[column] = str(name)
    return text, columns, options


def _range(value: Any, key: str, fail: Any) -> tuple[float, float]:
    if (not isinstance(value, Sequence) or isinstance(value, str) or len(value) != 2
            or not all(isinstance(v, int | float) for v in value)):
        raise fail(f"{key} must be two numbers [lowest, highest]", key,
                   "e.g. response_range = [1, 5]")
    low, high = float(value[0]), float(value[1])
    if not low < high:
        raise fail(f"{key} must have its lowest code first and below the highest", key,
                   "e.g. response_range = [1, 5]")
    return low, high


def _scoring(value: Any, key: str, fail: Any) -> Scoring:
    if value not in ("mean", "sum"):
        raise fail(f"{key} must be 'mean' or 'sum', not {value!r}", key,
                   'scoring = "mean"')
    return value


def _share(value: Any, key: str, fail: Any) -> float:
    if not isinstance(value, int | float) or not 0 < value <= 1:
        raise fail(f"{key} must be a share between 0 (excluded) and 1, not {value!r}", key,
                   "e.g. min_answered = 0.8 (four of five items)")
    return float(value)


def _codes(value: Any, key: str, fail: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, Sequence) or isinstance(value, str):
        raise fail(f"{key} must be a list of item codes", key, 'e.g. ["Q1_1", "Q1_2"]')
    return [str(v) for v in value]
