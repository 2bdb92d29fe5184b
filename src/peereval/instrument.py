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
from peereval.loaders.responses import Responses

__all__ = ["Instrument", "Scale", "Scores"]

Scoring = Literal["mean", "sum"]
_INSTRUMENT_KEYS = {"name", "response_range", "scoring", "min_answered", "missing_codes",
                    "scales", "items", "language", "description", "reference"}
_SCALE_KEYS = {"label", "items", "reverse", "scoring", "min_answered", "response_range",
               "description"}


@dataclass(frozen=True)
class Scale:
    """One scale (subscale) of an instrument.

    Attributes
    ----------
    name
        Short identifier, used as the column name of the scale score.
    items
        Item codes, as they appear in the export.
    reverse
        The reverse-keyed items (a subset of ``items``).
    label
        Readable name for reports.
    scoring, min_answered, response_range
        Override the instrument's settings for this scale.

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
        Optional item code -> wording, for reports.

    Examples
    --------
    >>> inst = Instrument.from_dict({
    ...     "name": "demo", "response_range": [1, 5],
    ...     "scales": {"support": {"items": ["a", "b", "c"], "reverse": ["c"]}}})
    >>> inst.scales[0].reverse
    ('c',)
    """

    name: str
    scales: tuple[Scale, ...]
    response_range: tuple[float, float] = (1.0, 5.0)
    scoring: Scoring = "mean"
    min_answered: float = 0.8
    missing_codes: tuple[float, ...] = ()
    item_text: Mapping[str, str] = field(default_factory=dict)
    source: Path | None = None

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
            scales.append(Scale(
                name=str(name),
                items=tuple(items),
                reverse=tuple(reverse),
                label=str(spec.get("label", "")),
                scoring=_scoring(spec["scoring"], f"{key}.scoring", fail)
                if "scoring" in spec else None,
                min_answered=_share(spec["min_answered"], f"{key}.min_answered", fail)
                if "min_answered" in spec else None,
                response_range=_range(spec["response_range"], f"{key}.response_range", fail)
                if "response_range" in spec else None,
            ))
        item_text = data.get("items", {})
        if not isinstance(item_text, Mapping):
            raise fail("items must be a table of item code = wording", "items",
                       '[items]\nQ1_1 = "My mentor was available"')
        return cls(
            name=str(data.get("name", where.stem if where else "instrument")),
            scales=tuple(scales),
            response_range=rng,
            scoring=scoring,
            min_answered=min_answered,
            missing_codes=tuple(float(v) for v in missing),
            item_text={str(k): str(v) for k, v in item_text.items()},
            source=where,
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
            A :class:`~peereval.loaders.responses.Responses` (labels are coded to
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
                        problems.append(_locate(data, rid, code, column[rid]))
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

    def item_values(self, data: Responses | pd.DataFrame, *,
                    mapping: Mapping[str, Any] | None = None) -> pd.DataFrame:
        """The instrument's items as numbers, before missing codes and reverse keying.

        Labels are coded with the number of points of each item's scale
        (:meth:`Responses.numeric`); a DataFrame must already be numeric.
        """
        wanted = self.items
        available = list(data.items) if isinstance(data, Responses) else list(data.columns)
        absent = [code for code in wanted if code not in available]
        if absent:
            source = data.source if isinstance(data, Responses) else None
            raise CodebookError(
                f"the codebook lists item(s) {absent} that the data does not have",
                file=self.source,
                column=absent[0],
                hint=("items in the data: " + ", ".join(available[:60]))
                + (f" (from {source.name})" if source else ""),
            )
        if isinstance(data, Responses):
            points = {code: self.points(scale) for scale in self.scales for code in scale.items
                      if self.points(scale)}
            return data.numeric(wanted, points=points, mapping=mapping)
        frame = data[wanted]
        non_numeric = [c for c in wanted if not pd.api.types.is_numeric_dtype(frame[c])]
        if non_numeric:
            raise CodebookError(
                f"column(s) {non_numeric} are not numeric",
                column=non_numeric[0],
                hint="pass a Responses object (labels are coded automatically) or code "
                "the answers as numbers first",
            )
        return frame.astype("float64")


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
