"""What every analysis result shares: a tidy table, an APA sentence, notebook display.

A result is a frozen dataclass that inherits :class:`Result` and is declared with
``@dataclass(frozen=True, repr=False)`` so that the readable ``__repr__`` here is kept.
It implements :meth:`Result.to_frame` (one tidy table, snake_case columns) and, where
the field reports a sentence, :meth:`Result.apa`.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from peereval._random import SeedLike

__all__ = ["Result", "SeedLike", "interpret"]


class Result:
    """Mixin giving results a printed form, an HTML form and an APA sentence.

    ``to_frame()`` of every subclass returns its table with the role of each column
    in ``frame.attrs["roles"]`` (see :mod:`peereval._columns`): from the column's
    conventional name, or from the subclass's ``column_roles`` for its other columns.
    The printed and HTML forms format each column by its role.
    """

    title: str = "Result"
    #: Roles of the columns of ``to_frame()`` whose names do not imply one.
    column_roles: ClassVar[Mapping[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("to_frame")
        if own is not None and not getattr(own, "_declares_roles", False):
            @functools.wraps(own)
            def to_frame(self: Result, *args: Any, **kw: Any) -> pd.DataFrame:
                from peereval._columns import declare

                frame = own(self, *args, **kw)
                return declare(frame, type(self).column_roles)

            to_frame._declares_roles = True  # type: ignore[attr-defined]
            cls.to_frame = to_frame  # type: ignore[method-assign]

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every result overrides it
        raise TypeError(f"{type(self).__name__} does not define to_frame()")

    def apa(self) -> str:
        """The result as an APA-style sentence fragment ("" when the field has none)."""
        return ""

    def _display_frame(self) -> pd.DataFrame:
        """``to_frame()`` with every cell as text, formatted by its column's role."""
        from peereval._columns import format_column, roles_of

        frame = self.to_frame()
        roles = roles_of(frame)
        return pd.DataFrame({column: format_column(frame[column], roles[column])
                             for column in frame.columns}, index=frame.index)

    def _frame_text(self) -> str:
        with pd.option_context("display.max_columns", 30, "display.width", 120):
            return self._display_frame().to_string(index=False)

    def __repr__(self) -> str:
        lines = [self.title]
        sentence = self.apa()
        if sentence:
            lines.append(sentence)
        lines.append(self._frame_text())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        sentence = self.apa()
        head = f"<p><strong>{html.escape(self.title)}</strong></p>"
        if sentence:
            head += f"<p>{html.escape(sentence)}</p>"
        return head + self._display_frame().to_html(index=False, escape=True)


# --------------------------------------------------------------- interpretation

_BANDS: dict[str, tuple[tuple[float, str], ...]] = {
    # Koo & Li (2016), J Chiropr Med 15:155-163, for ICC point estimates
    "koo_li": ((0.5, "poor"), (0.75, "moderate"), (0.9, "good"), (float("inf"), "excellent")),
    # Landis & Koch (1977), Biometrics 33:159-174, for kappa
    "landis_koch": ((0.0, "poor"), (0.2, "slight"), (0.4, "fair"), (0.6, "moderate"),
                    (0.8, "substantial"), (float("inf"), "almost perfect")),
    # Cicchetti (1994), Psychol Assess 6:284-290, for ICC and kappa
    "cicchetti": ((0.4, "poor"), (0.6, "fair"), (0.75, "good"), (float("inf"), "excellent")),
}


def interpret(value: float, rule: str) -> str:
    """Label a coefficient by a published rule of thumb.

    ``rule`` is ``"koo_li"`` (ICC: < .50 poor, .50-.75 moderate, .75-.90 good,
    > .90 excellent), ``"landis_koch"`` (kappa: < 0 poor, 0-.20 slight, .21-.40 fair,
    .41-.60 moderate, .61-.80 substantial, .81-1 almost perfect) or ``"cicchetti"``.
    Boundaries belong to the band above them except in Landis & Koch, whose printed
    bands end at the boundary (.20 is slight).

    Examples
    --------
    >>> interpret(0.82, "koo_li"), interpret(0.40, "landis_koch"), interpret(-0.1, "landis_koch")
    ('good', 'fair', 'poor')
    """
    if value is None or np.isnan(value):
        return "not available"
    bands = _BANDS[rule]
    for upper, label in bands:
        inclusive = rule == "landis_koch" and upper > 0
        if value < upper or (inclusive and value <= upper):
            return label
    return bands[-1][1]


def as_dict(result: Any) -> dict[str, Any]:
    """The scalar fields of a result dataclass, for tests and serialisation."""
    return {k: v for k, v in vars(result).items()
            if isinstance(v, int | float | str | bool | np.floating | np.integer) or v is None}
