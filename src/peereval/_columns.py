"""What each column of a result table is, and the one way each kind is printed.

A result's ``to_frame()`` declares the *role* of every column (``frame.attrs["roles"]``):
an estimate, an interval bound, a p-value, a p-value adjusted for multiplicity, a count
of observations, a share, a label, a note. Renderers do not guess from headers: the
notebook repr, the HTML report, the workbook and (next) the Word report all print a
column through :func:`format_column` and :func:`excel_format`, so a p-value looks the
same everywhere (APA 7: ``.032``, ``< .001``; in a sentence ``p = .032``).

The role of a column follows from its name when the name is in the vocabulary of
``docs/conventions.md`` (``p_value``, ``p_adjusted``, ``ci_low``, ``n``, ``<x>_ci_high``,
``<test>_p_value``, ``n_<thing>``); a result declares the roles of its other columns
in its class attribute ``column_roles``. A percentage is not told from a share by its
name (``agree_pct`` holds 57.0, ``floor_pct`` 0.04), so both are declared, and a share
outside 0 to 1 or a percentage outside 0 to 100 is refused rather than printed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal, get_args

import numpy as np
import pandas as pd

from peereval._format import fmt

__all__ = ["MISSING", "ROLES", "Role", "declare", "excel_format", "format_column",
           "format_value", "role_of_name", "roles_of"]

Role = Literal["estimate", "ci_bound", "p_value", "p_adjusted", "n", "share", "percent",
               "statistic", "label", "note", "flag"]
#: Every role, in the order the conventions page lists them.
ROLES: tuple[str, ...] = get_args(Role)

#: How a missing value is printed (never an empty cell or "nan").
MISSING = "—"

_EXACT: dict[str, Role] = {
    "estimate": "estimate", "se": "estimate", "ci_low": "ci_bound", "ci_high": "ci_bound",
    "pi_low": "ci_bound", "pi_high": "ci_bound", "ci_level": "share",
    "p_value": "p_value", "p_adjusted": "p_adjusted", "n": "n", "n_dropped": "n",
    "k": "n", "df": "statistic", "note": "note", "notes": "note", "reason": "note",
    "hint": "note", "rule": "note",
    # names that tests/test_conventions.py still lists as deviations; each goes when
    # its column is renamed
    "p": "p_value", "pvalue": "p_value", "p_adj": "p_adjusted", "n_obs": "n",
}
_PATTERNS: tuple[tuple[re.Pattern[str], Role], ...] = (
    (re.compile(r"_ci_(low|high)$"), "ci_bound"),
    (re.compile(r"_p_value$"), "p_value"),
    (re.compile(r"_p_adjusted$"), "p_adjusted"),
    (re.compile(r"^n_\w+$"), "n"),
)


def role_of_name(name: str) -> Role | None:
    """The role a conventional column name implies, or None.

    Examples
    --------
    >>> role_of_name("p_adjusted"), role_of_name("rmsea_ci_high"), role_of_name("n_items")
    ('p_adjusted', 'ci_bound', 'n')
    >>> role_of_name("alpha") is None
    True
    """
    if name in _EXACT:
        return _EXACT[name]
    for pattern, role in _PATTERNS:
        if pattern.search(name):
            return role
    return None


def _role_of_values(values: pd.Series) -> Role:
    if pd.api.types.is_bool_dtype(values):
        return "flag"
    if pd.api.types.is_numeric_dtype(values):
        return "estimate"
    return "label"


def roles_of(frame: pd.DataFrame, declared: Mapping[str, str] | None = None
             ) -> dict[str, Role]:
    """The role of every column: declared, else from its name, else from its values.

    ``declared`` (or ``frame.attrs["roles"]``) wins; then the vocabulary
    (:func:`role_of_name`); a column with neither is a label when it holds text, a
    flag when it holds booleans, an estimate when it holds numbers (printed as a
    number, never as a p-value).

    Raises
    ------
    ValueError
        When a declared role is not one of :data:`ROLES`.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"outcome": ["gpa"], "g": [0.9], "p_adjusted": [0.0004]})
    >>> roles_of(frame)
    {'outcome': 'label', 'g': 'estimate', 'p_adjusted': 'p_adjusted'}
    """
    given = dict(frame.attrs.get("roles", {}))
    given.update(declared or {})
    out: dict[str, Role] = {}
    for column in frame.columns:
        role = given.get(column) or role_of_name(str(column))
        if role is None:
            role = _role_of_values(frame[column])
        if role not in ROLES:
            raise ValueError(f"column {column!r}: {role!r} is not a role ({', '.join(ROLES)})")
        out[column] = role  # type: ignore[assignment]
    return out


def declare(frame: pd.DataFrame, roles: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``frame`` with the roles of all its columns in ``frame.attrs["roles"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = declare(pd.DataFrame({"icc": [0.91], "p": [0.02]}), {"icc": "estimate"})
    >>> frame.attrs["roles"]
    {'icc': 'estimate', 'p': 'p_value'}
    """
    frame.attrs["roles"] = roles_of(frame, roles)
    return frame


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _finite(values: Iterable[Any]) -> list[float]:
    out = []
    for value in values:
        if isinstance(value, bool | np.bool_) or _missing(value):
            continue
        if isinstance(value, int | float | np.integer | np.floating):
            number = float(value)
            if math.isfinite(number):
                out.append(number)
    return out


def decimals(role: Role, values: Iterable[Any]) -> int:
    """Decimals of a numeric column: one rule for every renderer.

    p-values 3; counts 0; shares as percentages with 1; percentages 1; other numbers
    0 when every value is whole, else 3 when every value is below 0.1, 2 below
    100, 1 below 10,000, 0 beyond, less where every value has fewer (0.5 and 2 have
    one decimal).

    Examples
    --------
    >>> decimals("estimate", [0.85, 0.78]), decimals("estimate", [69.11, 58.1])
    (2, 2)
    >>> decimals("estimate", [0.004, 0.05]), decimals("p_value", [0.2]), decimals("n", [131])
    (3, 3, 0)
    >>> decimals("estimate", [0.5, 2, 1.5]), decimals("estimate", [0.89, 0.5985])
    (1, 2)
    """
    if role in ("p_value", "p_adjusted"):
        return 3
    if role == "n":
        return 0
    if role in ("share", "percent"):
        return 1
    finite = [abs(v) for v in _finite(values)]
    if not finite or all(v.is_integer() for v in finite):
        return 0
    largest = max(finite)
    nonzero = [v for v in finite if v > 0]
    if nonzero and max(nonzero) < 0.1:
        cap = 3
    elif largest < 100:
        cap = 2
    else:
        cap = 1 if largest < 10_000 else 0
    # fewer decimals only where every value is exact with fewer: 0.5 and 2 print as 0.5
    # and 2.0, but 0.5985 keeps the cap (0.60, not 0.6 beside 0.89)
    needed = max(next((k for k in range(cap) if abs(round(v, k) - v) < 1e-9 * max(v, 1)),
                      cap) for v in finite)
    return max(needed, 1) if cap else 0


def format_value(value: Any, role: Role, digits: int | None = None) -> str:
    """One cell as text: the one formatter of every renderer.

    Examples
    --------
    >>> format_value(0.0004, "p_adjusted"), format_value(0.0321, "p_value")
    ('< .001', '.032')
    >>> format_value(0.456, "share"), format_value(131, "n"), format_value(None, "estimate")
    ('45.6%', '131', '—')
    >>> format_value(-0.456, "estimate"), format_value(True, "flag")
    ('−0.46', 'yes')
    """
    if _missing(value):
        return MISSING
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if role in ("label", "note") or not isinstance(value, int | float | np.integer |
                                                   np.floating):
        return str(value)
    number = float(value)
    if role in ("p_value", "p_adjusted"):
        if number < 0.001:
            return "< .001"
        if number > 0.999:
            return "> .999"
        return fmt(number, 3, leading_zero=False)
    if role == "n" or (isinstance(value, int | np.integer) and digits is None
                       and role != "share"):
        return str(int(number)) if math.isfinite(number) else fmt(number)
    places = decimals(role, [number]) if digits is None else digits
    if role == "share":
        return fmt(100 * number, places) + "%"
    return fmt(number, places)


def _check_range(values: list[Any], role: Role) -> None:
    """A share or a p-value must lie in [0, 1] and a percentage in [0, 100]: a
    declaration that does not fit the numbers is an error, not a table printed 100
    times too small or a test statistic printed as a p-value."""
    high = {"share": 1.0, "percent": 100.0, "p_value": 1.0, "p_adjusted": 1.0}.get(role)
    if high is None:
        return
    outside = [v for v in _finite(values) if not -1e-9 <= v <= high + 1e-9]
    if outside:
        raise ValueError(f"a column declared as a {role} holds {outside[0]!r}, outside 0 "
                         f"to {high:g}: declare it as "
                         + ("a percent" if role == "share" else "an estimate or a statistic"))


def format_column(values: Iterable[Any], role: Role) -> list[str]:
    """A column as text, every cell with the column's decimals.

    Examples
    --------
    >>> format_column([0.8512, 0.78, float("nan")], "estimate")
    ['0.85', '0.78', '—']
    >>> format_column([0.0002, 0.2], "p_adjusted")
    ['< .001', '.200']
    """
    values = list(values)
    _check_range(values, role)
    places = decimals(role, values)
    return [format_value(v, role, places) for v in values]


def excel_format(role: Role, values: Iterable[Any]) -> str:
    """The spreadsheet number format that prints a column as :func:`format_column` does
    (the cells stay numbers).

    Examples
    --------
    >>> excel_format("p_adjusted", [0.0004])
    '[<0.001]"< .001";[>0.999]"> .999";.000'
    >>> excel_format("estimate", [0.85]), excel_format("n", [131]), excel_format("share", [.4])
    ('0.00', '0', '0.0%')
    """
    values = list(values)
    _check_range(values, role)
    if role in ("p_value", "p_adjusted"):
        return '[<0.001]"< .001";[>0.999]"> .999";.000'
    if role in ("label", "note", "flag"):
        return "General"
    places = decimals(role, values)
    finite = [abs(v) for v in _finite(values)]
    if role == "share":
        return "0." + "0" * places + "%"
    body = "0" if places == 0 else "0." + "0" * places
    if places == 0 and finite and max(finite) >= 10_000:
        return "#,##0"
    return body
