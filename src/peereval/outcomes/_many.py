"""Several outcomes compared at once, with p-values adjusted for multiplicity."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval._format import fmt, fmt_ci, fmt_p
from peereval._options import Interval, checked, deprecated_alias, keyword_only, renamed
from peereval._random import SeedLike, as_generator, describe_seed
from peereval._results import Result
from peereval.errors import PeerevalError
from peereval.labels import normalize_label
from peereval.outcomes._binary import TEST_NAMES, BinaryComparison, BinaryTest, compare_binary
from peereval.outcomes._compare import _SYMBOLS, Comparison, Test, compare
from peereval.outcomes._groups import EVENT_WORDS, LEVEL, NON_EVENT_WORDS, _require, frame_of

__all__ = ["ManyComparisons", "adjust_p", "compare_many"]

Adjust = Literal["holm", "bh", "bonferroni", "none"]

#: Our names for statsmodels' multipletests methods, and how a sentence names them.
_METHODS = {"holm": ("holm", "Holm's adjustment"),
            "bh": ("fdr_bh", "the Benjamini-Hochberg adjustment"),
            "bonferroni": ("bonferroni", "Bonferroni's adjustment"),
            "none": (None, "no adjustment for multiplicity")}


def _looks_binary(series: pd.Series) -> bool:
    """Two values (or one) that read as event / non-event: 1/0, yes/no, pass/fail."""
    present = pd.unique(series.dropna())
    if not 1 <= len(present) <= 2:
        return False
    return all(normalize_label(v) in EVENT_WORDS | NON_EVENT_WORDS for v in present)


@keyword_only("0.1", "method")
@checked()
def adjust_p(p_values: Sequence[float], *, method: Adjust = "holm") -> np.ndarray:
    """Adjusted p-values by statsmodels' ``multipletests`` (R's ``p.adjust``).

    ``holm`` (Holm 1979, step-down), ``bh`` (Benjamini & Hochberg 1995, false
    discovery rate), ``bonferroni``, or ``none``. NaN p-values are left out and stay
    NaN.

    Parameters
    ----------
    p_values
        The unadjusted p-values (NaN allowed).
    method
        ``"holm"``, ``"bh"``, ``"bonferroni"`` or ``"none"``.

    Returns
    -------
    numpy.ndarray
        The adjusted p-values, in the order given.

    Examples
    --------
    >>> adjust_p([0.01, 0.04, 0.03], method="holm").round(3).tolist()
    [0.03, 0.06, 0.06]
    >>> adjust_p([0.01, 0.04, 0.03], method="bh").round(3).tolist()
    [0.03, 0.04, 0.04]
    """
    values = np.asarray(p_values, dtype=float)
    out = values.copy()
    name = _METHODS[method][0]
    present = ~np.isnan(values)
    if name is not None and present.any():
        from statsmodels.stats.multitest import multipletests

        out[present] = multipletests(values[present], method=name)[1]
    return out


@dataclass(frozen=True, repr=False)
class ManyComparisons(Result):
    """Several outcomes compared between the same two groups.

    Attributes
    ----------
    group, treated, control
        The group column and the two groups.
    outcomes, kinds
        Outcomes in order and whether each was analysed as ``continuous`` or
        ``binary``.
    results
        Each outcome's :class:`Comparison` or :class:`BinaryComparison`;
        ``many[outcome]`` picks one.
    frame
        The table (see :meth:`to_frame`).
    adjust, alpha, ci_level, seed
        Multiplicity adjustment, the significance level the ``reject`` column uses,
        the confidence level, the seed (permutation tests).
    n, n_dropped
        Students with a group and at least one outcome, and the rows without
        (each outcome's own n is in the table: ``n_treated`` and ``n_control``).

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import compare_many
    >>> records = peereval.load_sample().records.data
    >>> many = compare_many(records, ["gpa_year1", "passed"], "mentored")
    >>> many.kinds, many.adjust
    (('continuous', 'binary'), 'holm')
    """

    group: str
    treated: Any
    control: Any
    outcomes: tuple[str, ...]
    kinds: tuple[str, ...]
    results: tuple[Comparison | BinaryComparison, ...] = field(compare=False)
    frame: pd.DataFrame = field(compare=False)
    adjust: str
    alpha: float
    ci_level: float
    seed: str = ""
    n: int = 0
    n_dropped: int = 0
    title: str = "Outcomes compared"

    level = deprecated_alias("ci_level")

    def __getitem__(self, outcome: str) -> Comparison | BinaryComparison:
        for name, result in zip(self.outcomes, self.results, strict=True):
            if name == outcome:
                return result
        raise KeyError(f"no outcome {outcome!r}; have {list(self.outcomes)}")

    def to_frame(self) -> pd.DataFrame:
        """One row per outcome: groups, test, raw and adjusted p, headline effect.

        Columns: ``outcome``, ``kind``, ``treated``, ``control``, ``n_treated``,
        ``n_control``, ``mean_treated``, ``sd_treated``, ``mean_control``,
        ``sd_control`` (continuous), ``risk_treated``, ``risk_control`` (binary),
        ``difference`` (of means or of risks), ``test``, ``statistic_name``,
        ``statistic``, ``df``, ``p_value``, ``p_adjusted``, ``reject`` (adjusted p <
        ``alpha``), ``effect``, ``estimate``, ``ci_low``, ``ci_high``, ``ci_level``,
        ``interpretation``.
        """
        return self.frame.copy()

    def apa(self, *, withheld: Mapping[str, str] | None = None) -> str:
        """How many outcomes differed after adjustment, with each headline effect.

        Parameters
        ----------
        withheld
            Outcomes whose effect is not to be shown, each with the reason given in its
            place (a report's small-cell rule, for instance).
        """
        withheld = dict(withheld or {})
        parts = []
        for row in self.frame.to_dict("records"):
            if row["outcome"] in withheld:
                parts.append(f"{row['outcome']}: {withheld[row['outcome']]}")
                continue
            symbol, unbounded = _SYMBOLS.get(row["effect"], ("RD", False))
            p_text = fmt_p(row["p_adjusted"])
            if self.adjust != "none" and len(self.frame) > 1:
                p_text = "adjusted " + p_text
            interval = fmt_ci(row["ci_low"], row["ci_high"], leading_zero=unbounded,
                              level=self.ci_level)
            parts.append(f"{row['outcome']}: {symbol} = "
                         f"{fmt(row['estimate'], leading_zero=unbounded)}, {interval}, "
                         f"{p_text}")
        count = int(self.frame["reject"].sum())
        alpha = fmt(self.alpha, 2, leading_zero=False)
        if len(self.frame) == 1:  # one outcome: nothing to adjust, no "1 of 1 outcomes"
            verb = "differed" if count else "did not differ"
            return f"The outcome {verb} between the groups at α = {alpha} ({parts[0]})."
        return (f"{count} of {len(self.frame)} outcomes differed between the groups at "
                f"α = {alpha} after {_METHODS[self.adjust][1]} ("
                + "; ".join(parts) + ").")

    def methods(self) -> str:
        """The methods sentence: the tests, the adjustment and its family.

        Returns
        -------
        str

        Examples
        --------
        >>> import peereval
        >>> records = peereval.load_sample().records.data
        >>> many = compare_many(records, ["gpa_year1", "passed"], "mentored")
        >>> print(many.methods())  # doctest: +NORMALIZE_WHITESPACE
        2 outcomes were compared between the two groups of mentored (yes and no): the
        continuous one by Welch's t-test (unequal variances), with Hedges' g; the binary
        one by Pearson's chi-square test, with the risk difference (Newcombe hybrid
        score (method 10) interval). The p-values were adjusted for multiplicity over
        the 2 outcomes with Holm's adjustment, at α = .05, and the 95% intervals were
        not adjusted.
        """
        continuous = [r for r in self.results if isinstance(r, Comparison)]
        binary = [r for r in self.results if isinstance(r, BinaryComparison)]
        parts = []
        if continuous:
            methods = sorted({r.method for r in continuous})
            effects = sorted({r.effect(r.headline).label for r in continuous})
            noun = "one" if len(continuous) == 1 else "ones"
            parts.append(f"the continuous {noun} by {' and '.join(methods)}, with "
                         f"{' and '.join(effects)}")
        if binary:
            tests = sorted({TEST_NAMES[r.test] for r in binary})
            intervals = sorted({r.rd_method for r in binary})
            noun = "one" if len(binary) == 1 else "ones"
            parts.append(f"the binary {noun} by {' and '.join(tests)}, with the risk "
                         f"difference ({' and '.join(intervals)} interval)")
        count = len(self.results)
        adjustment = (f"the p-values were adjusted for multiplicity over the {count} "
                      f"outcomes with {_METHODS[self.adjust][1]}" if self.adjust != "none"
                      else "the p-values were not adjusted for multiplicity")
        alpha = fmt(self.alpha, 2, leading_zero=False)
        were = "were" if count != 1 else "was"
        lead = (f"{count} outcome{'s' if count != 1 else ''} {were} compared between the "
                f"two groups of {self.group} ({self.treated} and {self.control}): "
                f"{'; '.join(parts)}.")
        if count == 1:
            return lead + (" With one outcome the p-value was not adjusted for multiplicity "
                           f"(α = {alpha}).")
        return (f"{lead} {adjustment[0].upper()}{adjustment[1:]}, at α = {alpha}, and the "
                f"{self.ci_level:.0%} intervals were not adjusted.")


@renamed(level="confidence")
@checked(alpha=LEVEL, confidence=LEVEL, n_perm=Interval(1, None, integer=True))
def compare_many(
    data: Any,
    outcomes: Sequence[str],
    group: str,
    *,
    adjust: Adjust = "holm",
    binary: Sequence[str] | None = None,
    treated: Any = None,
    test: Test = "welch",
    binary_test: BinaryTest = "chisq",
    events: Mapping[str, Any] | None = None,
    covariates: Sequence[str] | None = None,
    alpha: float = 0.05,
    confidence: float = 0.95,
    n_perm: int = 10_000,
    seed: SeedLike = None,
    n_jobs: int | None = None,
) -> ManyComparisons:
    """Compare several outcomes between two groups; adjust the p-values for multiplicity.

    Parameters
    ----------
    data
        A DataFrame (or Records) with one row per student.
    outcomes
        The outcome columns.
    group
        The column holding exactly two groups.
    adjust
        ``"holm"`` (default; Holm 1979, controls the family-wise error rate),
        ``"bh"`` (Benjamini & Hochberg 1995, false discovery rate),
        ``"bonferroni"`` or ``"none"``.
    binary
        The outcomes to analyse as binary (by :func:`compare_binary`); the others
        are continuous (by :func:`compare`). By default an outcome is binary when its
        values read as event / non-event (1/0, yes/no, pass/fail, true/false) or
        when it is named in ``events``.
    treated
        The treated group's value.
    test, binary_test
        The test for continuous outcomes (``compare(test=...)``) and the one whose
        p is used for binary outcomes (``compare_binary(test=...)``).
    events
        The event value of binary outcomes whose coding is not 1/0-like, by outcome.
    covariates
        Passed to :func:`compare_binary` (adjusted odds ratios); the table and its p
        stay unadjusted for covariates.
    alpha
        Level for the ``reject`` column (adjusted p < alpha).
    confidence
        Confidence level of every interval.
    n_perm, seed
        Permutation tests: one generator made from ``seed`` serves every outcome in
        turn, so the whole table is reproducible.
    n_jobs
        Workers for the permutation tests (see :func:`compare`).

    Returns
    -------
    ManyComparisons

    Notes
    -----
    Each outcome uses the rows with a group and that outcome (different outcomes may
    have different n; each result records its own drops). The headline effect is
    Hedges' g for continuous outcomes (the rank-biserial r with the Mann-Whitney
    test) and the risk difference with Newcombe's interval for binary ones. The
    intervals are not adjusted for multiplicity.

    References
    ----------
    Holm, S. (1979). A simple sequentially rejective multiple test procedure. *Scand
    J Stat*, 6, 65-70. Benjamini, Y., & Hochberg, Y. (1995). Controlling the false
    discovery rate. *J R Stat Soc B*, 57, 289-300.

    Examples
    --------
    >>> import peereval
    >>> from peereval.outcomes import compare_many
    >>> records = peereval.load_sample().records.data
    >>> many = compare_many(records, ["gpa_year1", "exam_score", "passed"], "mentored")
    >>> many.to_frame()[["outcome", "kind", "effect", "estimate", "p_adjusted"]].round(3)
          outcome        kind           effect  estimate  p_adjusted
    0   gpa_year1  continuous         hedges_g     0.897         0.0
    1  exam_score  continuous         hedges_g     0.999         0.0
    2      passed      binary  risk_difference     0.291         0.0
    """
    frame = frame_of(data)
    outcomes = [outcomes] if isinstance(outcomes, str) else list(outcomes)
    if not outcomes:
        raise PeerevalError("no outcomes given", hint='e.g. ["gpa_year1", "passed"]')
    if len(set(outcomes)) != len(outcomes):
        raise PeerevalError("an outcome is listed twice", value=outcomes,
                            hint="list each outcome once")
    _require(frame, outcomes, "outcome")
    events = dict(events or {})
    _require(frame, list(events), "events")
    if binary is not None:
        binary = [binary] if isinstance(binary, str) else list(binary)
        unknown = [b for b in binary if b not in outcomes]
        if unknown:
            raise PeerevalError(f"binary names {unknown}, which are not among the outcomes",
                                column=str(unknown[0]), hint="list them in outcomes too")
    rng = as_generator(seed)
    results: list[Comparison | BinaryComparison] = []
    kinds: list[str] = []
    for name in outcomes:
        is_binary = (name in binary if binary is not None
                     else name in events or _looks_binary(frame[name]))
        if is_binary:
            result = compare_binary(frame, name, group, event=events.get(name),
                                    treated=treated, covariates=covariates,
                                    test=binary_test, confidence=confidence)
        else:
            result = compare(frame, name, group, test=test, treated=treated,
                             confidence=confidence, n_perm=n_perm, seed=rng, n_jobs=n_jobs)
        results.append(result)
        kinds.append("binary" if is_binary else "continuous")
    table = pd.concat([r.summary_row for r in results], ignore_index=True)
    columns = ["outcome", "kind", "treated", "control", "n_treated", "n_control",
               "mean_treated", "sd_treated", "mean_control", "sd_control",
               "risk_treated", "risk_control", "difference", "test", "statistic_name",
               "statistic", "df", "p_value", "p_adjusted", "reject", "effect", "estimate",
               "ci_low", "ci_high", "ci_level", "interpretation"]
    table["p_adjusted"] = adjust_p(table["p_value"].to_numpy(), method=adjust)
    table["reject"] = table["p_adjusted"] < alpha
    table = table.reindex(columns=columns)
    first = results[0]
    answered = int((frame[group].notna() & frame[outcomes].notna().any(axis=1)).sum())
    used_seed = any(r.test == "permutation" and not r.exact for r in results
                    if isinstance(r, Comparison))
    return ManyComparisons(
        group=group, treated=first.treated, control=first.control,
        outcomes=tuple(outcomes), kinds=tuple(kinds), results=tuple(results), frame=table,
        adjust=adjust, alpha=float(alpha), ci_level=confidence,
        seed=describe_seed(seed) if used_seed else "", n=answered,
        n_dropped=len(frame) - answered,
    )

