"""One place where the options of public functions are checked.

A public function declares its option constraints once, with :func:`checked`; the
``Literal[...]`` annotations of its parameters are constraints too, read from the
signature, so a choice is never listed twice. A value that breaks a constraint raises
:class:`~peereval.errors.OptionError` (a ``ValueError``) naming the function, the
argument, the value and what is allowed, before any computation starts. The
constraints stay on the function (``__peereval_options__``), so one test can feed
every public function the values it must refuse (the way scikit-learn's
``validate_params`` and its common tests work).
"""

from __future__ import annotations

import functools
import inspect
import math
import numbers
import types
import typing
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from peereval.errors import OptionError

__all__ = ["Choice", "Interval", "checked", "constraints_of", "deprecated_alias", "keyword_only",
           "renamed"]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Interval:
    """A number between ``low`` and ``high`` (``None``: unbounded).

    ``closed`` says which ends belong to the interval; ``integer`` asks for a whole
    number (``bool`` is never accepted as a number); ``none`` also accepts ``None``.

    Examples
    --------
    >>> Interval(0, 1, closed="neither").describe()
    'a number strictly between 0 and 1'
    >>> Interval(1, None, integer=True).describe()
    'a whole number of at least 1'
    """

    low: float | None = None
    high: float | None = None
    closed: Literal["both", "neither", "left", "right"] = "both"
    integer: bool = False
    none: bool = False

    def accepts(self, value: Any) -> bool:
        if value is None:
            return self.none
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            return False
        if isinstance(value, float) and math.isnan(value):
            return False
        if self.integer and not float(value).is_integer():
            return False
        low_ok = self.low is None or (value >= self.low if self.closed in ("both", "left")
                                      else value > self.low)
        high_ok = self.high is None or (value <= self.high if self.closed in ("both", "right")
                                        else value < self.high)
        return low_ok and high_ok

    def describe(self) -> str:
        kind = "a whole number" if self.integer else "a number"
        if self.low is not None and self.high is not None:
            if self.closed == "neither":
                text = f"{kind} strictly between {self.low:g} and {self.high:g}"
            elif self.closed == "both":
                text = f"{kind} from {self.low:g} to {self.high:g}"
            else:
                left = "from" if self.closed == "left" else "above"
                right = "up to" if self.closed == "right" else "below"
                text = f"{kind} {left} {self.low:g} {right} {self.high:g}"
        elif self.low is not None:
            text = (f"{kind} of at least {self.low:g}" if self.closed in ("both", "left")
                    else f"{kind} greater than {self.low:g}")
        elif self.high is not None:
            text = (f"{kind} of at most {self.high:g}" if self.closed in ("both", "right")
                    else f"{kind} less than {self.high:g}")
        else:
            text = kind
        return text + (", or None" if self.none else "")

    def invalid_examples(self) -> list[Any]:
        """Values this constraint refuses (for the common tests)."""
        out: list[Any] = ["0.5", True, float("nan")]
        if self.low is not None:
            out.append(self.low - 1)
        if self.high is not None:
            out.append(self.high + 1)
        if self.integer:
            out.append(1.5)
        if not self.none:
            out.append(None)
        return out


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of values (compared with ``==``, so ``True`` is not ``1``).

    Examples
    --------
    >>> Choice(("feldt", "bca")).describe()
    "one of 'feldt', 'bca'"
    """

    values: tuple[Any, ...]

    def accepts(self, value: Any) -> bool:
        return any(value == v and type(value) is type(v) for v in self.values)

    def describe(self) -> str:
        return "one of " + ", ".join(repr(v) for v in self.values)

    def invalid_examples(self) -> list[Any]:
        return ["not-an-option", 3.5]


Constraint = Interval | Choice


def _literal_constraints(function: Callable[..., Any]) -> dict[str, Constraint]:
    """``Literal[...]`` annotations of a function's parameters, as choices."""
    try:
        hints = typing.get_type_hints(function)
    except Exception:  # an annotation that cannot be resolved is no constraint
        return {}
    found: dict[str, Constraint] = {}
    for name, hint in hints.items():
        if name == "return":
            continue
        options = _literal_values(hint)
        if options:
            found[name] = Choice(options)
    return found


def _literal_values(hint: Any) -> tuple[Any, ...]:
    if typing.get_origin(hint) is Literal:
        return tuple(typing.get_args(hint))
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        parts = typing.get_args(hint)
        literal = [p for p in parts if typing.get_origin(p) is Literal]
        if literal and all(typing.get_origin(p) is Literal or p is type(None) for p in parts):
            values: list[Any] = []
            for p in literal:
                values += typing.get_args(p)
            if type(None) in parts:
                values.append(None)
            return tuple(values)
    return ()


def checked(**constraints: Constraint) -> Callable[[F], F]:
    """Check a function's options before it runs.

    Parameters
    ----------
    **constraints
        Parameter name -> :class:`Interval` or :class:`Choice`. Parameters annotated
        with ``Literal[...]`` are checked as choices without being listed.

    Returns
    -------
    Callable
        The decorator.

    Examples
    --------
    >>> @checked(confidence=Interval(0, 1, closed="neither"))
    ... def interval(x: float, *, confidence: float = 0.95,
    ...              kind: Literal["two-sided", "lower"] = "two-sided") -> float:
    ...     return confidence
    >>> interval(1.0, confidence=0.9)
    0.9
    >>> try:
    ...     interval(1.0, kind="upper")
    ... except OptionError as error:
    ...     print(error.message)
    interval(): kind must be one of 'two-sided', 'lower', not 'upper' (a str)
    """

    def decorate(function: F) -> F:
        signature = inspect.signature(function)
        unknown = set(constraints) - set(signature.parameters)
        if unknown:
            raise TypeError(f"{function.__name__} has no parameter(s) {sorted(unknown)}")
        rules: dict[str, Constraint] | None = None

        def all_rules() -> dict[str, Constraint]:
            nonlocal rules
            if rules is None:  # annotations resolve once the defining module is loaded
                rules = {**_literal_constraints(function), **constraints}
            return rules

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            bound = signature.bind_partial(*args, **kwargs)
            for name, rule in all_rules().items():
                if name in bound.arguments and not rule.accepts(bound.arguments[name]):
                    value = bound.arguments[name]
                    kind = type(value).__name__
                    article = "an" if kind[:1] in "aeiou" else "a"
                    raise OptionError(
                        f"{function.__name__}(): {name} must be {rule.describe()}, not "
                        f"{value!r} ({article} {kind})",
                        hint=f"pass {name}= as {rule.describe()}")
            return function(*args, **kwargs)

        wrapper.__peereval_options__ = all_rules  # type: ignore[attr-defined]
        return typing.cast(F, wrapper)

    return decorate


def constraints_of(function: Callable[..., Any]) -> Mapping[str, Constraint]:
    """The option constraints a public function checks (empty when it declares none)."""
    rules = getattr(function, "__peereval_options__", None)
    return rules() if callable(rules) else {}


def renamed(since: str = "0.1", **old_to_new: str) -> Callable[[F], F]:
    """Keep an old argument name working for one release, with a DeprecationWarning.

    Parameters
    ----------
    since
        The version in which the new name arrived (named in the warning).
    **old_to_new
        Old name -> new name, e.g. ``level="confidence"``.

    Returns
    -------
    Callable
        The decorator. Put it above :func:`checked`, so the value is checked under
        its new name.

    Examples
    --------
    >>> import warnings
    >>> @renamed(level="confidence")
    ... def interval(x: float, *, confidence: float = 0.95) -> float:
    ...     return confidence
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     interval(1.0, level=0.9)
    0.9
    >>> print(caught[0].message)
    interval(level=...) is deprecated since peereval 0.1: use confidence=...
    """

    def decorate(function: F) -> F:
        parameters = inspect.signature(function).parameters
        for old, new in old_to_new.items():
            if new not in parameters or old in parameters:
                raise TypeError(f"{function.__name__}: cannot rename {old} to {new}")

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise OptionError(
                            f"{function.__name__}(): give {new}= only ({old}= is its "
                            "old name)", hint=f"remove {old}=")
                    warnings.warn(f"{function.__name__}({old}=...) is deprecated since "
                                  f"peereval {since}: use {new}=...", DeprecationWarning,
                                  stacklevel=2)
                    kwargs[new] = kwargs.pop(old)
            return function(*args, **kwargs)

        if hasattr(function, "__peereval_options__"):
            wrapper.__peereval_options__ = function.__peereval_options__  # type: ignore[attr-defined]
        return typing.cast(F, wrapper)

    return decorate



def keyword_only(since: str = "0.1", *old_positional: str) -> Callable[[F], F]:
    """Keep passing an option by position working for one release, with a warning.

    For a function whose options used to be positional and are now keyword-only
    (``read_export(path, "qualtrics")`` becoming ``read_export(path,
    platform="qualtrics")``). Positional arguments beyond those the new signature
    takes are given, in order, the names in ``old_positional`` and passed by keyword,
    with a :class:`DeprecationWarning` naming each.

    Parameters
    ----------
    since
        The version in which the option became keyword-only (named in the warning).
    *old_positional
        The names of the options, in the order they used to be passed by position.

    Returns
    -------
    Callable
        The decorator. Put it above :func:`checked` (and beside :func:`renamed`), so
        the values are checked under their names.

    Raises
    ------
    OptionError
        When an option is given both by position and by name.

    Examples
    --------
    >>> import warnings
    >>> @keyword_only("0.1", "platform")
    ... def read(path: str, *, platform: str = "auto") -> str:
    ...     return platform
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     read("survey.csv", "qualtrics")
    'qualtrics'
    >>> print(caught[0].message)
    read(): passing platform by position is deprecated since peereval 0.1: use platform=...
    """

    def decorate(function: F) -> F:
        parameters = inspect.signature(function).parameters
        positional = [p for p in parameters.values()
                      if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if any(p.kind is p.VAR_POSITIONAL for p in parameters.values()):
            raise TypeError(f"{function.__name__}: takes *args, so extra positional "
                            "arguments cannot be named")
        for name in old_positional:
            if name not in parameters or parameters[name].kind is not \
                    inspect.Parameter.KEYWORD_ONLY:
                raise TypeError(f"{function.__name__}: {name} is not a keyword-only "
                                "argument")

        @functools.wraps(function)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            extra = args[len(positional):]
            if extra:
                if len(extra) > len(old_positional):
                    raise TypeError(f"{function.__name__}() takes {len(positional)} "
                                    f"positional arguments but {len(args)} were given")
                for name, value in zip(old_positional, extra, strict=False):
                    if name in kwargs:
                        raise OptionError(f"{function.__name__}(): {name} is given both "
                                          "by position and by name",
                                          hint=f"give {name}= only")
                    warnings.warn(f"{function.__name__}(): passing {name} by position is "
                                  f"deprecated since peereval {since}: use {name}=...",
                                  DeprecationWarning, stacklevel=2)
                    kwargs[name] = value
                args = args[:len(positional)]
            return function(*args, **kwargs)

        if hasattr(function, "__peereval_options__"):
            wrapper.__peereval_options__ = function.__peereval_options__  # type: ignore[attr-defined]
        return typing.cast(F, wrapper)

    return decorate


class deprecated_alias:  # noqa: N801 - used like ``property``
    """An old attribute name kept for one release: a read-only property that warns.

    ``n_obs = deprecated_alias("n")`` in a result class makes ``result.n_obs`` return
    ``result.n`` with a :class:`DeprecationWarning` naming the new attribute. The
    getter carries the message as ``__deprecated__`` (as Python 3.13's
    ``warnings.deprecated`` does), which is how the conventions test recognises an
    alias.

    Parameters
    ----------
    new
        The attribute's new name.
    since
        The version in which the new name arrived.

    Examples
    --------
    >>> import warnings
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Fit:
    ...     n: int
    ...     n_obs = deprecated_alias("n")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     Fit(n=40).n_obs
    40
    >>> print(caught[0].message)
    Fit.n_obs is deprecated since peereval 0.1: use Fit.n
    """

    def __init__(self, new: str, since: str = "0.1") -> None:
        self.new = new
        self.since = since
        self.old = ""
        self.owner = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.old, self.owner = name, owner.__name__
        self.__deprecated__ = self.message

    @property
    def message(self) -> str:
        return (f"{self.owner}.{self.old} is deprecated since peereval {self.since}: "
                f"use {self.owner}.{self.new}")

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        warnings.warn(self.message, DeprecationWarning, stacklevel=2)
        return getattr(instance, self.new)

    def __set__(self, instance: Any, value: Any) -> None:
        raise AttributeError(f"{self.owner}.{self.old} is read-only (use "
                             f"{self.owner}.{self.new})")


class deprecated_method(deprecated_alias):  # noqa: N801 - used like ``property``
    """An argument-free method that became a property, kept callable for one release.

    ``groups = deprecated_method("descriptives")`` makes ``result.groups()`` return
    ``result.descriptives`` with a :class:`DeprecationWarning` naming the property.

    Examples
    --------
    >>> import warnings
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Fit:
    ...     @property
    ...     def table(self) -> str:
    ...         return "the table"
    ...     frame = deprecated_method("table")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     Fit().frame()
    'the table'
    >>> print(caught[0].message)
    Fit.frame() is deprecated since peereval 0.1: use Fit.table
    """

    @property
    def message(self) -> str:
        return (f"{self.owner}.{self.old}() is deprecated since peereval {self.since}: "
                f"use {self.owner}.{self.new}")

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self

        def call() -> Any:
            warnings.warn(self.message, DeprecationWarning, stacklevel=2)
            return getattr(instance, self.new)

        return call
