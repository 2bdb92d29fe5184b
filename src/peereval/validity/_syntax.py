"""A parser for the measurement part of lavaan's model syntax.

Supported, one statement per line (or separated by ``;``; a statement may continue on
the next line after a trailing ``+`` or before a leading ``+``):

* ``factor =~ x1 + x2 + x3``: the factor is measured by the items;
* ``x1 ~~ x2``: a residual covariance; ``f1 ~~ f2``: a factor covariance;
  ``x1 ~~ x1`` or ``f1 ~~ f1``: a (residual) variance;
* modifiers before a variable: a number fixes the parameter (``1*x1``,
  ``f1 ~~ 0*f2``), ``NA`` frees it (``NA*x1`` frees a marker loading), a name is a
  label, and parameters sharing a label are constrained equal (``a*x2 + a*x3``);
* comments from ``#`` (or ``!``) to the end of the line;
* names start with a letter (of any script), ``_`` or ``.`` and hold letters, digits,
  ``_`` and ``.``; any other name (a column headed by the whole question, with
  spaces, brackets or a question mark) is written between backticks, as in R:
  ``support =~ `Did your mentor help? [Studies]` + item02``.

Structural regressions (``~``), intercepts (``~1``), thresholds (``|``), defined
parameters (``:=``) and explicit constraints (``==``, ``<``, ``>``) are refused with
an error that says so: a CFA of a questionnaire does not need them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from peereval.errors import PeerevalError

__all__ = ["ModelSpec", "Term", "as_spec", "is_name", "parse_model", "quote"]

# a letter of any script (\w without digits), "_" or "." first; then \w and "."
_NAME = r"(?:[^\W\d]|\.)[\w.]*"
_NAME_RE = re.compile(rf"^{_NAME}$")
_QUOTED_RE = re.compile(r"`([^`\n]*)`")
_NUMBER_RE = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_INTERCEPTS = "intercepts (~1) are not supported: invariance() adds the mean structure itself"
_UNSUPPORTED = (
    (":=", "defined parameters (:=) are not supported"),
    ("==", "equality constraints (==) are not supported; give the parameters the same "
           "label instead (a*x2 + a*x3)"),
    ("<~", "composites (<~) are not supported"),
    ("~*~", "scale factors (~*~) are not supported"),
    ("=~", None),
    ("~~", None),
    ("~1", _INTERCEPTS),
    ("<", "inequality constraints (<) are not supported"),
    (">", "inequality constraints (>) are not supported"),
    ("|", "thresholds (|) are not supported; use ordinal=True for ordinal items"),
    ("~", "regressions (~) are not supported: this is a measurement model, not a "
          "structural one"),
)


@dataclass(frozen=True)
class Term:
    """One parameter named in the model syntax.

    ``op`` is ``"=~"`` (loading of ``rhs`` on factor ``lhs``) or ``"~~"`` (variance or
    covariance). ``fixed`` holds the value of a fixed parameter, ``free`` is ``True``
    when the syntax frees it explicitly (``NA*``), ``label`` its label (``None``
    without one) and ``line`` the line of the syntax it comes from (1-based).
    """

    lhs: str
    op: str
    rhs: str
    fixed: float | None
    free: bool
    label: str | None
    line: int


@dataclass(frozen=True)
class ModelSpec:
    """A parsed measurement model.

    ``factors`` and ``observed`` are in order of first appearance (lavaan's order);
    ``indicators`` maps each factor to its items.
    """

    terms: tuple[Term, ...]
    factors: tuple[str, ...]
    observed: tuple[str, ...]
    text: str

    @property
    def indicators(self) -> dict[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {f: [] for f in self.factors}
        for term in self.terms:
            if term.op == "=~":
                out[term.lhs].append(term.rhs)
        return {f: tuple(v) for f, v in out.items()}

    def line_of(self, name: str) -> int | None:
        """The first line of the syntax that mentions ``name``."""
        for term in self.terms:
            if name in (term.lhs, term.rhs):
                return term.line
        return None


def _error(line: int, statement: str, message: str, token: str | None = None,
           hint: str | None = None) -> PeerevalError:
    where = f"model syntax, line {line}"
    if token is not None:
        message = f"{message}: '{token}'"
    return PeerevalError(f"{where} ('{statement.strip()}'): {message}",
                         value=token, hint=hint)


def is_name(name: str) -> bool:
    """Whether ``name`` can be written in model syntax without backticks.

    Examples
    --------
    >>> is_name("Q1_1"), is_name("پرسش_۱"), is_name("Mentor [help]")
    (True, True, False)
    """
    return bool(_NAME_RE.match(name))


def quote(name: str) -> str:
    """``name`` as written in model syntax: bare when it is a name, else in backticks.

    Raises
    ------
    PeerevalError
        When the name holds a backtick or a line break, which no syntax can quote.

    Examples
    --------
    >>> quote("Q1_1"), quote("How often? [In person]")
    ('Q1_1', '`How often? [In person]`')
    """
    name = str(name)
    if _NAME_RE.match(name):
        return name
    if "`" in name or "\n" in name or "\r" in name or not name.strip():
        raise PeerevalError(
            f"the variable name {name!r} cannot be written in model syntax",
            value=name, hint="rename the column (an empty name, a backtick or a line "
            "break cannot be quoted), or give the item a short name in the codebook")
    return f"`{name}`"


def _protect(text: str) -> tuple[str, dict[str, str]]:
    """Replace each backtick-quoted name by a placeholder name the text does not use."""
    quoted: dict[str, str] = {}
    seen: dict[str, str] = {}
    stem = "_quoted"
    while stem in text:
        stem += "_"

    def placeholder(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in seen:
            seen[name] = f"{stem}{len(seen)}"
            quoted[seen[name]] = name
        return seen[name]

    protected = _QUOTED_RE.sub(placeholder, text)
    for number, line in enumerate(protected.splitlines(), start=1):
        if "`" in re.split(r"[#!]", line, maxsplit=1)[0]:
            raise PeerevalError(
                f"model syntax, line {number}: a backtick is not closed on its line",
                value=line.strip(),
                hint="write a name with spaces or punctuation between two backticks on "
                "one line: `How often? [In person]`")
    return protected, quoted


def _statements(text: str) -> list[tuple[int, str]]:
    """Statements with the line they start on, comments removed, continuations joined."""
    pieces: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = re.split(r"[#!]", raw, maxsplit=1)[0]
        for part in line.split(";"):
            if part.strip():
                pieces.append((number, part.strip()))
    joined: list[tuple[int, str]] = []
    for number, part in pieces:
        if joined and (joined[-1][1].endswith(("+", "*", "=~", "~~"))
                       or part.startswith(("+", "*"))):
            first, previous = joined[-1]
            joined[-1] = (first, f"{previous} {part}")
        else:
            joined.append((number, part))
    return joined


def _operator(line: int, statement: str) -> tuple[str, str, str]:
    for op, unsupported in _UNSUPPORTED:
        position = statement.find(op)
        if position < 0:
            continue
        if op == "~" and statement[position + 1:].strip() == "1":
            unsupported = _INTERCEPTS
        if unsupported is not None:
            raise _error(line, statement, unsupported, op,
                         hint="write 'factor =~ item + item + ...' and 'x ~~ y' "
                         "statements only")
        return statement[:position].strip(), op, statement[position + len(op):].strip()
    raise _error(line, statement, "no operator found",
                 hint="each line should read 'factor =~ item1 + item2 + item3' or "
                 "'x1 ~~ x2'")


def _modifier(line: int, statement: str, token: str) -> tuple[float | None, bool, str | None]:
    """A modifier (the part before ``*``): fixed value, explicitly free, label."""
    if token.upper() == "NA":
        return None, True, None
    if _NUMBER_RE.match(token):
        value = float(token)
        if not math.isfinite(value):
            raise _error(line, statement, "a fixed value must be finite", token)
        return value, False, None
    if _NAME_RE.match(token):
        return None, False, token
    raise _error(line, statement, "cannot read this modifier", token,
                 hint="a modifier is a number (fixed value), NA (free) or a label, "
                 "followed by * and the variable, as in 1*x1, NA*x1 or a*x1")


def _terms(line: int, statement: str, lhs: str, op: str, rhs: str) -> list[Term]:
    if not lhs:
        raise _error(line, statement, f"nothing before '{op}'",
                     hint="name the factor (or variable) on the left")
    if not _NAME_RE.match(lhs):
        raise _error(line, statement, "not a valid name on the left", lhs,
                     hint="names start with a letter and hold letters, digits, _ and .")
    if not rhs:
        raise _error(line, statement, f"nothing after '{op}'",
                     hint="list the variables after the operator, joined by +")
    out = []
    for raw in rhs.split("+"):
        part = raw.strip()
        if not part:
            raise _error(line, statement, "an empty term (two '+' in a row, or a "
                         "trailing '+' at the end of the model)", "+")
        if "(" in part or ")" in part:
            raise _error(line, statement, "functions such as start(), equal() or c() "
                         "are not supported", part,
                         hint="use a number to fix, NA to free, a label to constrain")
        pieces = [p.strip() for p in part.split("*")]
        if len(pieces) > 2:
            raise _error(line, statement, "more than one modifier", part,
                         hint="give one modifier per term: 1*x1, NA*x1 or a*x1")
        fixed, free, label = None, False, None
        if len(pieces) == 2:
            if not pieces[0]:
                raise _error(line, statement, "nothing before '*'", part)
            fixed, free, label = _modifier(line, statement, pieces[0])
        name = pieces[-1]
        if not name:
            raise _error(line, statement, "nothing after '*'", part)
        if not _NAME_RE.match(name):
            raise _error(line, statement, "not a valid variable name", name,
                         hint="names start with a letter and hold letters, digits, _ "
                         "and .; write any other column name between backticks: "
                         "`How often? [In person]`")
        out.append(Term(lhs, op, name, fixed, free, label, line))
    return out


def parse_model(text: str) -> ModelSpec:
    """Parse lavaan-style measurement-model syntax.

    Parameters
    ----------
    text
        The model, e.g. ``"support =~ Q1_1 + Q1_2 + Q1_3"``, one statement per line.

    Returns
    -------
    ModelSpec

    Raises
    ------
    PeerevalError
        Naming the line and the offending token: an unsupported operator, a term that
        is not a variable name, an empty term, a factor defined twice with the same
        item, a factor that is also used as an item (second-order factors are not
        supported), a covariance between an item and a factor.

    Examples
    --------
    >>> spec = parse_model('''
    ... # two correlated factors
    ... f1 =~ x1 + x2 + x3
    ... f2 =~ x4 + x5 +
    ...       x6
    ... x1 ~~ x4
    ... ''')
    >>> spec.factors, spec.observed
    (('f1', 'f2'), ('x1', 'x2', 'x3', 'x4', 'x5', 'x6'))
    >>> parse_model("help =~ `Mentor? [Studies]` + `Mentor? [Exams]` + x3").observed
    ('Mentor? [Studies]', 'Mentor? [Exams]', 'x3')
    """
    if not isinstance(text, str):
        raise PeerevalError(f"the model must be a string of lavaan-style syntax, not "
                            f"{type(text).__name__}",
                            hint="for example 'support =~ Q1_1 + Q1_2 + Q1_3'")
    protected, quoted = _protect(text)
    if not quoted:
        return _parse(text, text)
    try:
        spec = _parse(protected, text)
    except PeerevalError as exc:
        def restore(value: Any) -> Any:
            if not isinstance(value, str):
                return value
            for placeholder in sorted(quoted, key=len, reverse=True):
                value = value.replace(placeholder, f"`{quoted[placeholder]}`")
            return value

        raise PeerevalError(restore(exc.message), value=restore(exc.value),
                            hint=restore(exc.hint)) from None

    def name(value: str) -> str:
        return quoted.get(value, value)

    terms = tuple(Term(name(t.lhs), t.op, name(t.rhs), t.fixed, t.free, t.label, t.line)
                  for t in spec.terms)
    return ModelSpec(terms, tuple(map(name, spec.factors)), tuple(map(name, spec.observed)),
                     text)


def _parse(text: str, original: str) -> ModelSpec:
    """Parse syntax whose names are all bare (quoted names already replaced)."""
    terms: list[Term] = []
    for line, statement in _statements(text):
        lhs, op, rhs = _operator(line, statement)
        terms.extend(_terms(line, statement, lhs, op, rhs))
    if not any(t.op == "=~" for t in terms):
        raise PeerevalError(
            "the model defines no factor (no '=~' statement)",
            hint="define each factor by its items: 'factor =~ item1 + item2 + item3'")

    factors: list[str] = []
    for term in terms:
        if term.op == "=~" and term.lhs not in factors:
            factors.append(term.lhs)
    observed: list[str] = []
    seen: dict[tuple[str, str, str], int] = {}
    for term in terms:
        if term.op == "=~":
            if term.rhs in factors:
                raise _error(term.line, f"{term.lhs} =~ ... {term.rhs}",
                             "a factor used as an item (second-order factors are not "
                             "supported)", term.rhs,
                             hint="model the items of that factor directly")
            if term.rhs not in observed:
                observed.append(term.rhs)
        key = (term.lhs, term.op, term.rhs)
        if term.op == "~~":
            key = (min(term.lhs, term.rhs), "~~", max(term.lhs, term.rhs))
        if key in seen:
            raise _error(term.line, f"{term.lhs} {term.op} {term.rhs}",
                         f"this parameter is already given on line {seen[key]}",
                         f"{term.lhs} {term.op} {term.rhs}",
                         hint="name each loading and covariance once")
        seen[key] = term.line
    for term in terms:
        if term.op != "~~":
            continue
        kinds = {name in factors for name in (term.lhs, term.rhs)}
        if len(kinds) > 1:
            raise _error(term.line, f"{term.lhs} ~~ {term.rhs}",
                         "a covariance between an item and a factor is not a "
                         "measurement-model parameter", f"{term.lhs} ~~ {term.rhs}",
                         hint="use 'item =~' loadings for items and '~~' between two "
                         "items or two factors")
        for name in (term.lhs, term.rhs):
            if name not in factors and name not in observed:
                raise _error(term.line, f"{term.lhs} ~~ {term.rhs}",
                             "a variable in a covariance that is not an item of any factor",
                             name, hint="add it to a factor (factor =~ ... + "
                             f"{name}) or check the spelling")
    return ModelSpec(tuple(terms), tuple(factors), tuple(observed), original)


def as_spec(model: Any) -> ModelSpec:
    """A :class:`ModelSpec` from syntax text, a mapping or an instrument.

    ``model`` is lavaan-style syntax, a mapping ``{factor: [items]}``, an
    :class:`~peereval.instrument.Instrument` (one factor per scale) or an already
    parsed :class:`ModelSpec`.

    Examples
    --------
    >>> as_spec({"f1": ["x1", "x2", "x3"]}).text
    'f1 =~ x1 + x2 + x3'
    >>> as_spec({"f1": ["Q [a]", "Q [b]", "x3"]}).observed  # names of any text
    ('Q [a]', 'Q [b]', 'x3')
    """
    if isinstance(model, ModelSpec):
        return model
    if isinstance(model, str):
        return parse_model(model)
    from peereval.instrument import Instrument

    if isinstance(model, Instrument):
        model = {scale.name: list(scale.items) for scale in model.scales}
    if isinstance(model, Mapping):
        lines = []
        for factor, items in model.items():
            if isinstance(items, str):
                items = [items]
            lines.append(f"{quote(str(factor))} =~ " + " + ".join(quote(str(i))
                                                                  for i in items))
        return parse_model("\n".join(lines))
    raise PeerevalError(
        f"cannot read a model from {type(model).__name__}",
        hint="pass lavaan-style syntax ('f1 =~ x1 + x2 + x3'), a dict "
        "{'f1': ['x1', 'x2', 'x3']} or an Instrument")
