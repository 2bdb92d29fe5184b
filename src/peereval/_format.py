"""Numbers as APA 7 prints them.

Rules (APA Publication Manual, 7th ed., §6.36-6.44): a leading zero only when the
value can exceed 1 (``d = 0.61`` but ``r = .52``, ``α = .91``, ``p = .023``); two
decimals for most statistics, three for p; ``p < .001`` rather than ``p = .000``;
intervals in square brackets. Rounding is half-up on the decimal value, so 0.0625
prints as .063 (Python's ``round`` gives .062).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["fmt", "fmt_bf", "fmt_ci", "fmt_p"]

MINUS = "\u2212"


def fmt(value: float | None, digits: int = 2, *, leading_zero: bool = True) -> str:
    """Round half-up and format; ``leading_zero=False`` for statistics bounded by 1.

    Examples
    --------
    >>> fmt(0.0625, 3, leading_zero=False)
    '.063'
    >>> fmt(-0.456, leading_zero=False)
    '−.46'
    >>> fmt(12.345)
    '12.35'
    >>> fmt(float("nan"))
    'NA'
    >>> fmt(1.9e28)
    '1.90e+28'
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NA"
    if math.isinf(value):
        return "∞" if value > 0 else f"{MINUS}∞"
    if abs(value) >= 1e15:  # beyond what half-up rounding to digits can hold exactly
        return (MINUS if value < 0 else "") + f"{abs(value):.{digits}e}"
    quantum = Decimal(1).scaleb(-digits)
    rounded = Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)
    text = f"{abs(rounded):.{digits}f}"
    if not leading_zero and text.startswith("0.") and digits > 0:
        text = text[1:]
    return (MINUS if rounded < 0 else "") + text


def fmt_p(p: float) -> str:
    """``p = .023``, ``p = .35``, ``p < .001``.

    Examples
    --------
    >>> fmt_p(0.0004), fmt_p(0.0231), fmt_p(0.35), fmt_p(1.0)
    ('p < .001', 'p = .023', 'p = .350', 'p > .999')
    """
    if p is None or math.isnan(p):
        return "p = NA"
    if p < 0.001:
        return "p < .001"
    if p > 0.999:
        return "p > .999"
    return f"p = {fmt(p, 3, leading_zero=False)}"


def fmt_ci(low: float, high: float, digits: int = 2, *, leading_zero: bool = True,
           level: float = 0.95) -> str:
    """``95% CI [0.55, 1.64]``.

    Examples
    --------
    >>> fmt_ci(0.84, 0.9, leading_zero=False)
    '95% CI [.84, .90]'
    """
    lo = fmt(low, digits, leading_zero=leading_zero)
    hi = fmt(high, digits, leading_zero=leading_zero)
    return f"{level:.0%} CI [{lo}, {hi}]"


#: The interval methods of the reliability coefficients, in words.
_INTERVAL_NAMES = {
    "feldt": "Feldt (F-based) interval",
    "percentile": "percentile bootstrap interval",
    "bca": "bias-corrected and accelerated (BCa) bootstrap interval",
    "wald": "Wald interval",
    "fisher": "interval from Fisher's z transformation",
    "f": "exact F-based interval",
    "normal": "normal-approximation interval",
}


def interval_words(method: str, confidence: float, *, n_boot: int = 0,
                   seed: str = "") -> str:
    """An interval method and level in words, for a methods sentence.

    A bootstrap interval names its resamples and seed, so that the sentence is
    enough to reproduce it.

    Examples
    --------
    >>> interval_words("feldt", 0.95)
    'a 95% Feldt (F-based) interval'
    >>> interval_words("bca", 0.9, n_boot=2000, seed="1")
    'a 90% bias-corrected and accelerated (BCa) bootstrap interval (2,000 resamples, seed 1)'
    >>> interval_words("percentile", 0.95, n_boot=500, seed="none (not reproducible)")
    'a 95% percentile bootstrap interval (500 resamples, not seeded, so not reproducible)'
    """
    name = _INTERVAL_NAMES.get(method, f"{method} interval")
    words = f"a {confidence:.0%} {name}"
    if n_boot:
        if seed.lstrip("-").isdigit():
            seeded = f", seed {seed}"
        elif seed.startswith("none"):
            seeded = ", not seeded, so not reproducible"
        else:
            seeded = f", seeded by {seed}" if seed else ""
        words += f" ({n_boot:,} resamples{seeded})"
    return words


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun in the right number: ``1 scale``, ``3 scales``.

    Examples
    --------
    >>> count_of(1, "scale"), count_of(3, "scale"), count_of(2, "analysis", "analyses")
    ('1 scale', '3 scales', '2 analyses')
    >>> count_of(1_250, "student")
    '1,250 students'
    """
    word = noun if n == 1 else (plural or noun + "s")
    return f"{n:,} {word}"


def and_list(words: Sequence[str]) -> str:
    """Words listed as a sentence lists them: ``a``, ``a and b``, ``a, b and c``.

    Examples
    --------
    >>> and_list(["entry GPA"]), and_list(["entry GPA", "sex", "age"])
    ('entry GPA', 'entry GPA, sex and age')
    """
    words = [str(w) for w in words]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def fmt_count(n: int, min_cell: int) -> str:
    """A count as a report may show it: ``<min_cell`` for 1 to ``min_cell - 1``.

    Small counts of students could identify them, so they are not printed (0 is:
    nobody can be identified in an empty group).

    Examples
    --------
    >>> fmt_count(137, 10), fmt_count(7, 10), fmt_count(0, 10)
    ('137', '<10', '0')
    """
    return f"<{min_cell}" if 0 < n < min_cell else str(n)


def fmt_bf(value: float) -> str:
    """A Bayes factor as text: two decimals from 0.01 to 1,000, else ``4.54 × 10¹⁰``.

    A Bayes factor beyond the floating-point range (above about 1.8 × 10³⁰⁸, stored
    as ``inf``) is written ``> 10³⁰⁸``.

    Examples
    --------
    >>> fmt_bf(3.6488), fmt_bf(0.593), fmt_bf(45387166560.4), fmt_bf(0.00021)
    ('3.65', '0.59', '4.54 × 10¹⁰', '2.10 × 10⁻⁴')
    >>> fmt_bf(float("inf")), fmt_bf(float("nan"))
    ('> 10³⁰⁸', 'NA')
    """
    if value is None or math.isnan(value):
        return "NA"
    if math.isinf(value):
        return "> 10³⁰⁸" if value > 0 else "0"
    if 0.01 <= value < 999.995 or value == 0:
        return fmt(value)
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{mantissa} × 10{str(int(exponent)).translate(_SUPERSCRIPT)}"
