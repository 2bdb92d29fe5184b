r"""Intraclass correlations and test-retest reliability.

:func:`icc` computes the six intraclass correlations of Shrout and Fleiss (1979) from
one two-way ANOVA of a targets x raters table, names them as McGraw and Wong (1996)
do, and gives each its F test and confidence interval (the formulas R's
``psych::ICC`` uses). :func:`test_retest` takes two scored administrations of a
questionnaire, indexed by a common respondent key (linking is the loaders' work,
:func:`peereval.link`), and reports the ICC of every scale (or item).

Which form to report (Koo & Li, 2016): a *one-way* model when each target is rated by
a different set of raters; a *two-way random* model when the raters are a sample of
the raters the results should generalise to; a *two-way mixed* model when these
raters are the only ones of interest. *Absolute agreement* when raters should give
the same number, *consistency* when only the ranking matters. *Single* when one
rater's score will be used in practice, *average* when the mean of k raters will.
For test-retest reliability, Koo and Li recommend the two-way model with absolute
agreement, single measurement, ICC(A,1), the default here.
"""

from __future__ import annotations

import dataclasses
import math
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from peereval._format import fmt, fmt_ci, fmt_p, interval_words
from peereval._options import Interval, checked, deprecated_alias, renamed
from peereval._results import Result, interpret
from peereval.errors import (
    DuplicateIdError,
    LinkageError,
    Location,
    PeerevalError,
    PeerevalWarning,
    user_stacklevel,
)

__all__ = ["ICCForm", "ICCResult", "RetestResult", "icc", "test_retest"]


# ------------------------------------------------------------------------ forms


@dataclass(frozen=True)
class _Spec:
    name: str
    shrout_fleiss: str
    psych: str
    model: str
    type: str
    average: bool
    keys: tuple[str, ...]


_SPECS: tuple[_Spec, ...] = (
    _Spec("ICC(1)", "ICC(1,1)", "ICC1", "one-way random effects", "absolute agreement",
          False, ("1", "1,1")),
    _Spec("ICC(A,1)", "ICC(2,1)", "ICC2", "two-way random effects", "absolute agreement",
          False, ("A,1", "2", "2,1", "A1")),
    _Spec("ICC(C,1)", "ICC(3,1)", "ICC3", "two-way mixed effects", "consistency",
          False, ("C,1", "3", "3,1", "C1")),
    _Spec("ICC(k)", "ICC(1,k)", "ICC1k", "one-way random effects", "absolute agreement",
          True, ("K", "1,K", "1K")),
    _Spec("ICC(A,k)", "ICC(2,k)", "ICC2k", "two-way random effects", "absolute agreement",
          True, ("A,K", "2K", "2,K", "AK")),
    _Spec("ICC(C,k)", "ICC(3,k)", "ICC3k", "two-way mixed effects", "consistency",
          True, ("C,K", "3K", "3,K", "CK")),
)
_BY_KEY = {key: spec for spec in _SPECS for key in spec.keys}
FORM_NAMES = tuple(spec.name for spec in _SPECS)


def _spec(form: str) -> _Spec:
    """The form named in any of the usual spellings: ICC(A,1), A,1, ICC(2,1), ICC2."""
    if not isinstance(form, str):
        raise PeerevalError(f"form must be a string such as 'A,1', not {form!r}",
                            hint="choose one of " + ", ".join(FORM_NAMES))
    key = re.sub(r"[\s_]", "", form).upper()
    key = key.removeprefix("ICC").strip("()")
    if key in _BY_KEY:
        return _BY_KEY[key]
    raise PeerevalError(
        f"unknown ICC form {form!r}",
        value=form,
        hint="use a McGraw-Wong name (" + ", ".join(FORM_NAMES) + "), a Shrout-Fleiss "
        "name (ICC(1,1), ICC(2,1), ICC(3,1), ICC(1,k), ICC(2,k), ICC(3,k)) or a psych "
        "name (ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k)",
    )


def _range_label(low: float, high: float) -> str:
    a, b = interpret(low, "koo_li"), interpret(high, "koo_li")
    return a if a == b else f"{a} to {b}"


@dataclass(frozen=True)
class ICCForm:
    """One intraclass correlation with its test and interval.

    ``name`` is the McGraw and Wong (1996) name, ``shrout_fleiss`` the Shrout and
    Fleiss (1979) name and ``psych`` the row name of R's ``psych::ICC``. The F test
    is of the hypothesis ICC = 0; ``interpretation`` labels the point estimate and
    ``interpretation_ci`` the two interval bounds by Koo and Li (2016).
    """

    name: str
    shrout_fleiss: str
    psych: str
    model: str
    type: str
    unit: str
    icc: float
    ci_low: float
    ci_high: float
    f: float
    df1: float
    df2: float
    p_value: float

    p = deprecated_alias("p_value")

    @property
    def interpretation(self) -> str:
        return interpret(self.icc, "koo_li")

    @property
    def interpretation_ci(self) -> str:
        return _range_label(self.ci_low, self.ci_high)


# ------------------------------------------------------------------------ result


@dataclass(frozen=True, repr=False)
class ICCResult(Result):
    """Six intraclass correlations of one targets x raters table.

    Attributes
    ----------
    forms
        The six :class:`ICCForm`, in the order ICC(1), ICC(A,1), ICC(C,1), ICC(k),
        ICC(A,k), ICC(C,k) (psych's ICC1, ICC2, ICC3, ICC1k, ICC2k, ICC3k).
    form
        McGraw-Wong name of the form :meth:`apa` and the ``icc``, ``ci_low`` and
        ``ci_high`` properties report.
    estimate, ci_low, ci_high, p_value
        The chosen form's coefficient (also ``icc``), interval and the p-value of
        its F test of ICC = 0.
    ci_level
        The confidence level of the intervals.
    n, n_targets, n_raters
        Targets (rows, the observations: ``n`` is ``n_targets``) and raters
        (columns) used.
    n_dropped, dropped
        Targets left out because a rating was missing (listwise), and their labels.
    ms_between_targets, ms_within_targets, ms_between_raters, ms_error
        ANOVA mean squares (Shrout and Fleiss's BMS, WMS, JMS, EMS) with degrees of
        freedom n - 1, n(k - 1), k - 1 and (n - 1)(k - 1); the table
        :attr:`anova` lists them.

    Examples
    --------
    >>> import pandas as pd
    >>> from peereval.reliability import icc
    >>> judges = pd.DataFrame({"J1": [9, 6, 8, 7, 10, 6], "J2": [2, 1, 4, 1, 5, 2],
    ...                        "J3": [5, 3, 6, 2, 6, 4], "J4": [8, 2, 8, 6, 9, 7]})
    >>> result = icc(judges)
    >>> result.form, round(result.icc, 2), result.n_targets, result.n_raters
    ('ICC(A,1)', 0.29, 6, 4)
    """

    forms: tuple[ICCForm, ...]
    form: str
    ci_level: float
    n_targets: int
    n_raters: int
    n_dropped: int
    dropped: tuple[Any, ...]
    raters: tuple[str, ...]
    ms_between_targets: float
    ms_within_targets: float
    ms_between_raters: float
    ms_error: float
    title: str = field(default="Intraclass correlation (Shrout & Fleiss, 1979; "
                       "McGraw & Wong, 1996)")
    missing: str = "listwise"

    level = deprecated_alias("ci_level")

    def __getitem__(self, form: str) -> ICCForm:
        """The form named in any usual spelling (``"A,1"``, ``"ICC(2,1)"``, ``"ICC2"``)."""
        wanted = _spec(form).name
        return next(f for f in self.forms if f.name == wanted)

    @property
    def selected(self) -> ICCForm:
        return self[self.form]

    @property
    def icc(self) -> float:
        return self.selected.icc

    @property
    def ci_low(self) -> float:
        return self.selected.ci_low

    @property
    def ci_high(self) -> float:
        return self.selected.ci_high

    @property
    def estimate(self) -> float:
        """The chosen form's coefficient (the same as :attr:`icc`)."""
        return self.selected.icc

    @property
    def p_value(self) -> float:
        """The p-value of the chosen form's F test of ICC = 0."""
        return self.selected.p_value

    @property
    def n(self) -> int:
        """Targets used (the rated subjects are the observations)."""
        return self.n_targets

    @property
    def anova(self) -> pd.DataFrame:
        """The mean squares behind the six coefficients."""
        n, k = self.n_targets, self.n_raters
        rows = [
            ("between targets", n - 1, self.ms_between_targets),
            ("within targets", n * (k - 1), self.ms_within_targets),
            ("between raters", k - 1, self.ms_between_raters),
            ("residual", (n - 1) * (k - 1), self.ms_error),
        ]
        return pd.DataFrame(rows, columns=["source", "df", "ms"])

    def to_frame(self) -> pd.DataFrame:
        """One row per form: names, model and type in words, ICC, CI, F test, labels."""
        rows = []
        for f in self.forms:
            rows.append({
                "form": f.name, "shrout_fleiss": f.shrout_fleiss, "psych": f.psych,
                "model": f.model, "type": f.type, "unit": f.unit,
                "icc": f.icc, "ci_low": f.ci_low, "ci_high": f.ci_high,
                "f": f.f, "df1": f.df1, "df2": f.df2, "p_value": f.p_value,
                "interpretation": f.interpretation,
                "interpretation_ci": f.interpretation_ci,
                "n_targets": self.n_targets, "n_raters": self.n_raters,
                "n_dropped": self.n_dropped,
            })
        return pd.DataFrame(rows)

    def apa(self, form: str | None = None) -> str:
        """An APA-style sentence for ``form`` (default: the form chosen in :func:`icc`)."""
        f = self[form or self.form]
        unit = "single rater" if f.unit == "single rater" else f"mean of {self.n_raters} raters"
        dropped = (f", {self.n_dropped} dropped for a missing rating" if self.n_dropped
                   else "")
        return (
            f"{f.name} = {fmt(f.icc, leading_zero=False)}, "
            f"{fmt_ci(f.ci_low, f.ci_high, leading_zero=False, level=self.ci_level)}, "
            f"F({fmt(f.df1, 0)}, {fmt(f.df2, 0)}) = {fmt(f.f)}, {fmt_p(f.p_value)} "
            f"({f.model}, {f.type}, {unit}; {self.n_targets} targets{dropped}, "
            f"{self.n_raters} raters): {f.interpretation} by Koo and Li's (2016) "
            f"guidelines, which they advise applying to the confidence interval "
            f"({f.interpretation_ci})."
        )

    def methods(self, form: str | None = None) -> str:
        """The methods sentence for ``form`` (default: the form chosen in :func:`icc`).

        Built from the result's own form (model, type, unit), its confidence level
        and missing-data rule.

        Returns
        -------
        str

        Examples
        --------
        >>> import pandas as pd
        >>> judges = pd.DataFrame({"J1": [9, 6, 8, 7, 10, 6], "J2": [2, 1, 4, 1, 5, 2],
        ...                        "J3": [5, 3, 6, 2, 6, 4], "J4": [8, 2, 8, 6, 9, 7]})
        >>> print(icc(judges).methods())  # doctest: +NORMALIZE_WHITESPACE
        Agreement among 4 raters on 6 targets was estimated with the intraclass
        correlation ICC(A,1) (two-way random effects, absolute agreement, single
        rater; McGraw & Wong 1996) from a two-way ANOVA, with a 95% exact F-based
        interval and an F test of ICC = 0; targets with a missing rating were left
        out (listwise).
        """
        f = self[form or self.form]
        unit = "single rater" if f.unit == "single rater" else f"mean of {self.n_raters} raters"
        anova = "one-way ANOVA" if f.name == "ICC(1)" or f.name == "ICC(k)" else "two-way ANOVA"
        missing = ("targets with a missing rating were left out (listwise)"
                   if self.missing == "listwise" else "no rating was missing")
        return (f"Agreement among {self.n_raters} raters on {self.n_targets} targets was "
                f"estimated with the intraclass correlation {f.name} ({f.model}, {f.type}, "
                f"{unit}; McGraw & Wong 1996) from a {anova}, with "
                f"{interval_words('f', self.ci_level)} and an F test of ICC = 0; "
                f"{missing}.")


# ------------------------------------------------------------------------ icc()


@renamed(level="confidence")
@checked(confidence=Interval(0, 1, closed="neither"))
def icc(
    data: pd.DataFrame,
    *,
    columns: Sequence[str] | None = None,
    targets: str | None = None,
    raters: str | None = None,
    ratings: str | None = None,
    form: str = "A,1",
    confidence: float = 0.95,
    missing: Literal["listwise", "error"] = "listwise",
) -> ICCResult:
    r"""Intraclass correlations: the six forms of Shrout and Fleiss (1979).

    Parameters
    ----------
    data
        Either *wide*: one row per target (student, essay, OSCE station), one
        column per rater; or *long*: one row per rating, with ``targets``,
        ``raters`` and ``ratings`` naming its columns.
    columns
        Wide data: the rater columns (default: every column except ``targets``).
    targets
        Wide data: optional column holding target labels (default: the index).
        Long data: the column identifying the target.
    raters, ratings
        Long data: the columns holding the rater and the rating.
    form
        The form :meth:`ICCResult.apa` reports: ``"A,1"`` (default), ``"C,1"``,
        ``"1"``, ``"A,k"``, ``"C,k"``, ``"k"``, or their Shrout-Fleiss or psych
        names. All six are computed either way.
    confidence
        Confidence level of the intervals.
    missing
        ``"listwise"`` (default) drops targets with any missing rating and reports
        them; ``"error"`` raises instead.

    Returns
    -------
    ICCResult

    Raises
    ------
    PeerevalError
        Unknown or non-numeric columns, fewer than two raters or targets (after
        dropping missing ratings), a rater who gave every target the same rating,
        a target rated twice by one rater (long data).

    Warns
    -----
    PeerevalWarning
        When a coefficient is negative (targets differ less than raters disagree).

    Notes
    -----
    With :math:`n` targets and :math:`k` raters, the two-way ANOVA gives the mean
    squares between targets (BMS, df :math:`n-1`), between raters (JMS,
    :math:`k-1`), residual (EMS, :math:`(n-1)(k-1)`) and the one-way mean square
    within targets, :math:`WMS = (SS_J + SS_E)/(n(k-1))`. Then

    .. math::

        ICC(1) &= \frac{BMS - WMS}{BMS + (k-1)WMS}, \qquad
        ICC(k) = \frac{BMS - WMS}{BMS} \\
        ICC(A,1) &= \frac{BMS - EMS}{BMS + (k-1)EMS + k(JMS - EMS)/n}, \qquad
        ICC(A,k) = \frac{BMS - EMS}{BMS + (JMS - EMS)/n} \\
        ICC(C,1) &= \frac{BMS - EMS}{BMS + (k-1)EMS}, \qquad
        ICC(C,k) = \frac{BMS - EMS}{BMS}

    The F tests of ICC = 0 are :math:`F = BMS/WMS` on :math:`(n-1, n(k-1))` df for
    the one-way forms and :math:`F = BMS/EMS` on :math:`(n-1, (n-1)(k-1))` df for
    the two-way forms. Interval for the one-way and consistency forms: with
    :math:`F_L = F / F_{1-\alpha/2}(df_1, df_2)` and
    :math:`F_U = F \cdot F_{1-\alpha/2}(df_2, df_1)`, the single-rater bounds are
    :math:`(F_L - 1)/(F_L + k - 1)` and :math:`(F_U - 1)/(F_U + k - 1)`, the
    average bounds :math:`1 - 1/F_L` and :math:`1 - 1/F_U`. For absolute agreement
    (McGraw & Wong, 1996, Table 7) the denominator df is Satterthwaite's

    .. math::

        v = \frac{(a\,JMS + b\,EMS)^2}{(a\,JMS)^2/(k-1) + (b\,EMS)^2/((n-1)(k-1))},
        \quad a = \frac{k\hat\rho}{n(1-\hat\rho)},\;
        b = 1 + \frac{k\hat\rho(n-1)}{n(1-\hat\rho)},

    with :math:`\hat\rho = ICC(A,1)`; with :math:`F_* = F_{1-\alpha/2}(n-1, v)` and
    :math:`F^* = F_{1-\alpha/2}(v, n-1)` the bounds of ICC(A,1) are
    :math:`n(BMS - F_* EMS) / (F_*(k\,JMS + (kn-k-n)EMS) + n\,BMS)` and
    :math:`n(F^* BMS - EMS) / (k\,JMS + (kn-k-n)EMS + n F^* BMS)`; those of
    ICC(A,k) are their Spearman-Brown step-up. These are the formulas of R's
    ``psych::ICC`` (Revelle), against which this function is tested.

    Interpretation follows Koo and Li (2016): below .50 poor, .50-.75 moderate,
    .75-.90 good, above .90 excellent. Koo and Li advise applying these labels to the
    95% confidence interval rather than the point estimate, so both are reported.

    References
    ----------
    Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: Uses in assessing
    rater reliability. *Psychological Bulletin, 86*(2), 420-428.

    McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some intraclass
    correlation coefficients. *Psychological Methods, 1*(1), 30-46.

    Koo, T. K., & Li, M. Y. (2016). A guideline of selecting and reporting intraclass
    correlation coefficients for reliability research. *Journal of Chiropractic
    Medicine, 15*(2), 155-163.

    Examples
    --------
    The example of Shrout and Fleiss (1979): six targets, four judges.

    >>> import pandas as pd
    >>> from peereval.reliability import icc
    >>> judges = pd.DataFrame({"J1": [9, 6, 8, 7, 10, 6], "J2": [2, 1, 4, 1, 5, 2],
    ...                        "J3": [5, 3, 6, 2, 6, 4], "J4": [8, 2, 8, 6, 9, 7]})
    >>> result = icc(judges)
    >>> result.to_frame()[["form", "shrout_fleiss", "icc"]].round(2)
           form shrout_fleiss   icc
    0    ICC(1)      ICC(1,1)  0.17
    1  ICC(A,1)      ICC(2,1)  0.29
    2  ICC(C,1)      ICC(3,1)  0.71
    3    ICC(k)      ICC(1,k)  0.44
    4  ICC(A,k)      ICC(2,k)  0.62
    5  ICC(C,k)      ICC(3,k)  0.91
    >>> print(result.apa())  # doctest: +NORMALIZE_WHITESPACE
    ICC(A,1) = .29, 95% CI [.02, .76], F(5, 15) = 11.03, p < .001 (two-way random
    effects, absolute agreement, single rater; 6 targets, 4 raters): poor by Koo and
    Li's (2016) guidelines, which they advise applying to the confidence interval
    (poor to good).
    """
    spec = _spec(form)
    wide = _wide_ratings(data, columns=columns, targets=targets, raters=raters,
                         ratings=ratings)
    complete = wide.notna().all(axis=1)
    dropped = tuple(wide.index[~complete])
    if dropped and missing == "error":
        raise PeerevalError(
            f"{len(dropped)} target(s) lack a rating: {_few(dropped)}",
            hint="fill in the ratings, or use missing='listwise' to leave these targets out",
        )
    used = wide[complete]
    result = _icc_matrix(used, spec=spec, level=confidence, dropped=dropped)
    return dataclasses.replace(result, missing=missing)


def _few(values: Sequence[Any], limit: int = 8) -> str:
    shown = ", ".join(str(v) for v in list(values)[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def _require(data: pd.DataFrame, names: Sequence[Any], role: str) -> None:
    absent = [n for n in names if n not in data.columns]
    if absent:
        raise PeerevalError(
            f"the data have no column {absent[0]!r} ({role})",
            column=str(absent[0]),
            hint="columns in the data: " + _few([str(c) for c in data.columns], 30),
        )


def _numeric_column(values: pd.Series, name: Any) -> pd.Series:
    if pd.api.types.is_bool_dtype(values):
        return values.astype("float64")
    converted = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & converted.isna()
    if bad.any():
        first = values[bad].iloc[0]
        raise PeerevalError(
            f"{int(bad.sum())} rating(s) in column {name!r} are not numbers",
            column=str(name), value=first,
            hint="code the ratings as numbers (for questionnaire labels use "
            "Responses.numeric() or Instrument.score()), or leave the column out by "
            "naming the rater columns with columns=[...]",
        )
    converted = converted.astype("float64")
    if np.isinf(converted).any():
        raise PeerevalError(f"column {name!r} holds an infinite value", column=str(name),
                            hint="replace infinite values by real ratings or leave them empty")
    return converted


def _wide_ratings(data: Any, *, columns: Sequence[str] | None, targets: str | None,
                  raters: str | None, ratings: str | None) -> pd.DataFrame:
    """A float targets x raters frame, NaN where a rating is missing."""
    if not isinstance(data, pd.DataFrame):
        raise PeerevalError(
            f"icc() needs a pandas DataFrame, not {type(data).__name__}",
            hint="put the ratings in a DataFrame: one row per target and one column per "
            "rater, or one row per rating with targets=, raters= and ratings=",
        )
    if raters is not None or ratings is not None:
        if targets is None or raters is None or ratings is None:
            raise PeerevalError(
                "long data need all three of targets=, raters= and ratings=",
                hint="name the column of the target, of the rater and of the rating; "
                "for wide data (one column per rater) give none of raters= and ratings=",
            )
        if columns is not None:
            raise PeerevalError("columns= is for wide data; long data take targets=, "
                                "raters= and ratings=")
        _require(data, [targets], "targets")
        _require(data, [raters], "raters")
        _require(data, [ratings], "ratings")
        frame = data[[targets, raters, ratings]]
        for name in (targets, raters):
            blank = frame[name].isna()
            if blank.any():
                raise PeerevalError(
                    f"{int(blank.sum())} row(s) have no {name!r} (index labels "
                    f"{_few(list(frame.index[blank]))})",
                    column=str(name),
                    hint="every rating needs its target and rater; fill them in or drop "
                    "these rows",
                )
        values = _numeric_column(frame[ratings], ratings)
        twice = frame.duplicated([targets, raters], keep=False)
        if twice.any():
            pairs = frame.loc[twice, [targets, raters]].drop_duplicates()
            shown = [f"{t!r}/{r!r}" for t, r in pairs.itertuples(index=False)]
            raise PeerevalError(
                f"{len(pairs)} target/rater pair(s) occur more than once: {_few(shown)}",
                hint="each rater rates each target once; average or remove repeated "
                "ratings first",
            )
        long = pd.DataFrame({"target": frame[targets].to_numpy(),
                             "rater": frame[raters].to_numpy(),
                             "rating": values.to_numpy()})
        wide = long.pivot(index="target", columns="rater", values="rating")
        wide.columns = [str(c) for c in wide.columns]
        wide.columns.name = None
    else:
        if columns is None:
            names = [c for c in data.columns if c != targets]
        else:
            if isinstance(columns, str):
                columns = [columns]
            names = list(columns)
            _require(data, names, "rater")
        if targets is not None:
            _require(data, [targets], "targets")
        numeric = {name: _numeric_column(data[name], name) for name in names}
        wide = pd.DataFrame(numeric, index=data.index)
        wide.columns = [str(c) for c in wide.columns]
        if targets is not None:
            wide.index = pd.Index(data[targets].to_numpy(), name=targets)
    if wide.shape[1] < 2:
        raise PeerevalError(
            f"an ICC needs at least two raters; the data have {wide.shape[1]}",
            hint="wide data: one column per rater (choose them with columns=); long data: "
            "at least two distinct values in the raters column",
        )
    return wide


def _f_bounds(f: float, df1: float, df2: float, alpha: float) -> tuple[float, float]:
    from scipy import stats

    if not math.isfinite(f):
        return (math.nan, math.nan)
    f_low = f / stats.f.ppf(1 - alpha / 2, df1, df2)
    f_high = f * stats.f.ppf(1 - alpha / 2, df2, df1)
    return f_low, f_high


def _icc_matrix(used: pd.DataFrame, *, spec: _Spec, level: float,
                dropped: tuple[Any, ...]) -> ICCResult:
    """All six coefficients of a complete targets x raters frame."""
    from scipy import stats

    x = used.to_numpy(dtype="float64")
    n, k = x.shape
    _check_icc_table(used, x, dropped)
    bms, wms, jms, ems = _mean_squares(x)
    alpha = 1 - level

    with np.errstate(divide="ignore", invalid="ignore"):
        icc1 = (bms - wms) / (bms + (k - 1) * wms)
        icc2 = (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n)
        icc3 = (bms - ems) / (bms + (k - 1) * ems)
        icc1k = (bms - wms) / bms
        icc2k = (bms - ems) / (bms + (jms - ems) / n)
        icc3k = (bms - ems) / bms
        f1 = bms / wms if wms > 0 else math.inf
        f2 = bms / ems if ems > 0 else math.inf
    df1 = n - 1
    df1d = n * (k - 1)
    df2d = (n - 1) * (k - 1)
    p1 = float(stats.f.sf(f1, df1, df1d)) if math.isfinite(f1) else 0.0
    p2 = float(stats.f.sf(f2, df1, df2d)) if math.isfinite(f2) else 0.0

    f1_low, f1_high = _f_bounds(f1, df1, df1d, alpha)
    f3_low, f3_high = _f_bounds(f2, df1, df2d, alpha)
    b1 = ((f1_low - 1) / (f1_low + k - 1), (f1_high - 1) / (f1_high + k - 1))
    b1k = (1 - 1 / f1_low, 1 - 1 / f1_high)
    b3 = ((f3_low - 1) / (f3_low + k - 1), (f3_high - 1) / (f3_high + k - 1))
    b3k = (1 - 1 / f3_low, 1 - 1 / f3_high)
    b2, b2k = _absolute_bounds(bms, jms, ems, n, k, icc2, alpha)

    if ems == 0:
        warnings.warn(
            "the ratings have no residual variance (raters agree perfectly up to a "
            "constant shift), so the two-way F tests and intervals are not defined; "
            "check for duplicated rater columns",
            PeerevalWarning, stacklevel=user_stacklevel(),
        )
    values = {
        "ICC(1)": (icc1, b1, f1, df1, df1d, p1),
        "ICC(A,1)": (icc2, b2, f2, df1, df2d, p2),
        "ICC(C,1)": (icc3, b3, f2, df1, df2d, p2),
        "ICC(k)": (icc1k, b1k, f1, df1, df1d, p1),
        "ICC(A,k)": (icc2k, b2k, f2, df1, df2d, p2),
        "ICC(C,k)": (icc3k, b3k, f2, df1, df2d, p2),
    }
    forms = []
    for s in _SPECS:
        est, (low, high), f_value, d1, d2, p = values[s.name]
        forms.append(ICCForm(
            name=s.name, shrout_fleiss=s.shrout_fleiss, psych=s.psych, model=s.model,
            type=s.type, unit="average of k raters" if s.average else "single rater",
            icc=float(est), ci_low=float(low), ci_high=float(high), f=float(f_value),
            df1=float(d1), df2=float(d2), p_value=float(p),
        ))
    _warn_if_negative(forms)
    return ICCResult(
        forms=tuple(forms), form=spec.name, ci_level=float(level), n_targets=n,
        n_raters=k, n_dropped=len(dropped), dropped=dropped,
        raters=tuple(str(c) for c in used.columns), ms_between_targets=bms,
        ms_within_targets=wms, ms_between_raters=jms, ms_error=ems,
    )


def _check_icc_table(used: pd.DataFrame, x: np.ndarray, dropped: tuple[Any, ...]) -> None:
    """Refuse a table with fewer than two targets or a rater who never varies."""
    n = x.shape[0]
    if n < 2:
        raise PeerevalError(
            f"an ICC needs at least two targets rated by every rater; {n} remain"
            + (f" after dropping {len(dropped)} with a missing rating" if dropped else ""),
            hint="check that the raters rated the same targets (their overlap), or "
            "supply more targets",
        )
    spread = x.max(axis=0) - x.min(axis=0)
    for j in np.flatnonzero(spread == 0):
        raise PeerevalError(
            f"rater {used.columns[j]!r} gave every target the same rating "
            f"({x[0, j]:g})",
            column=str(used.columns[j]), value=x[0, j],
            hint="a rater who never varies carries no information about the targets; "
            "check the column, or leave this rater out with columns=",
        )


def _mean_squares(x: np.ndarray) -> tuple[float, float, float, float]:
    """Shrout and Fleiss's BMS, WMS, JMS and EMS of a complete targets x raters table."""
    n, k = x.shape
    grand = x.mean()
    row_means = x.mean(axis=1)
    col_means = x.mean(axis=0)
    ss_rows = k * float(((row_means - grand) ** 2).sum())
    ss_cols = n * float(((col_means - grand) ** 2).sum())
    resid = x - row_means[:, None] - col_means[None, :] + grand
    ss_err = float((resid ** 2).sum())
    bms = ss_rows / (n - 1)
    jms = ss_cols / (k - 1)
    ems = ss_err / ((n - 1) * (k - 1))
    wms = (ss_cols + ss_err) / (n * (k - 1))
    return bms, wms, jms, ems


def _warn_if_negative(forms: Sequence[ICCForm]) -> None:
    """A negative ICC is reported as computed, with what it means and what to check."""
    negative = [f.name for f in forms if f.icc < 0]
    if negative:
        warnings.warn(
            f"negative intraclass correlation ({', '.join(negative)}): the targets differ "
            "less than the raters disagree, so the between-target variance is estimated "
            "below zero. It is reported as computed (read it as no reliability). Check "
            "that rows are targets and columns raters, that all raters use the same "
            "scale, and that the targets really differ; more, and more varied, targets "
            "give a usable estimate",
            PeerevalWarning, stacklevel=user_stacklevel(),
        )


def _absolute_bounds(bms: float, jms: float, ems: float, n: int, k: int, rho: float,
                     alpha: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """McGraw & Wong (1996) interval of ICC(A,1) and ICC(A,k), Satterthwaite df."""
    from scipy import stats

    if ems == 0 or not math.isfinite(rho):
        nan = (math.nan, math.nan)
        return nan, nan
    fj = jms / ems
    # a and b of McGraw & Wong, multiplied through by n(1 - rho) so that rho = 1 is safe
    a = k * rho * fj
    b = n * (1 + (k - 1) * rho) - k * rho
    v = (k - 1) * (n - 1) * (a + b) ** 2 / ((n - 1) * a ** 2 + b ** 2)
    f_star = stats.f.ppf(1 - alpha / 2, n - 1, v)
    f_star2 = stats.f.ppf(1 - alpha / 2, v, n - 1)
    c = k * jms + (k * n - k - n) * ems
    low = n * (bms - f_star * ems) / (f_star * c + n * bms)
    high = n * (f_star2 * bms - ems) / (c + n * f_star2 * bms)
    step = (low * k / (1 + low * (k - 1)), high * k / (1 + high * (k - 1)))
    return (float(low), float(high)), (float(step[0]), float(step[1]))


# ------------------------------------------------------------------------ test-retest


@dataclass(frozen=True, repr=False, eq=False)
class RetestResult(Result):
    """ICC of each scale (or item) between two administrations of a questionnaire.

    Attributes
    ----------
    results
        Measure name -> :class:`ICCResult` (all six forms; ``form`` is the one
        reported), or ``None`` when the ICC could not be computed (see ``notes``).
    pairs
        The matched values: index the (normalised) linking id, columns
        ``"<measure>_<label>"`` for both administrations.
    n_first, n_second
        Respondents in each administration.
    matched
        Ids found in both.
    unmatched_first, unmatched_second
        Ids found in one administration only.
    without_id_first, without_id_second
        Respondents without an id (they cannot be linked).
    n, n_dropped
        Matched pairs (``matched``), and respondents of either administration left
        out because they could not be linked (unmatched or without an id).
    ci_level
        The confidence level of the intervals.
    all_forms, linkage
        Tables: every ICC form for every measure, and the respondents per
        administration (total, matched, unmatched, without id).
    """

    results: dict[str, ICCResult | None]
    pairs: pd.DataFrame
    form: str
    ci_level: float
    labels: tuple[str, str]
    n_first: int
    n_second: int
    matched: int
    unmatched_first: int
    unmatched_second: int
    without_id_first: int
    without_id_second: int
    notes: tuple[str, ...] = ()
    title: str = "Test-retest reliability (intraclass correlation)"

    level = deprecated_alias("ci_level")

    @property
    def n(self) -> int:
        """Respondents matched across the two administrations."""
        return self.matched

    @property
    def n_dropped(self) -> int:
        """Respondents of either administration who could not be linked."""
        return (self.unmatched_first + self.unmatched_second + self.without_id_first
                + self.without_id_second)

    def to_frame(self) -> pd.DataFrame:
        """One row per measure: pairs used, means, the chosen ICC with CI, F test, labels."""
        rows = []
        first, second = self.labels
        for measure, res in self.results.items():
            a = self.pairs[f"{measure}_{first}"]
            b = self.pairs[f"{measure}_{second}"]
            both = a.notna() & b.notna()
            row: dict[str, Any] = {
                "measure": measure, "form": self.form,
                "n_pairs": int(both.sum()), "n_missing": int((~both).sum()),
                f"mean_{first}": float(a[both].mean()) if both.any() else math.nan,
                f"mean_{second}": float(b[both].mean()) if both.any() else math.nan,
            }
            if res is None:
                row.update(icc=math.nan, ci_low=math.nan, ci_high=math.nan, f=math.nan,
                           df1=math.nan, df2=math.nan, p_value=math.nan,
                           interpretation="not available", interpretation_ci="not available")
            else:
                f = res.selected
                row.update(icc=f.icc, ci_low=f.ci_low, ci_high=f.ci_high, f=f.f, df1=f.df1,
                           df2=f.df2, p_value=f.p_value, interpretation=f.interpretation,
                           interpretation_ci=f.interpretation_ci)
            rows.append(row)
        return pd.DataFrame(rows)

    @property
    def all_forms(self) -> pd.DataFrame:
        """Every form for every measure (long format)."""
        frames = []
        for measure, res in self.results.items():
            if res is not None:
                frame = res.to_frame()
                frame.insert(0, "measure", measure)
                frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @property
    def linkage(self) -> pd.DataFrame:
        """Respondents per administration: total, matched, unmatched, without id."""
        return pd.DataFrame({
            "administration": list(self.labels),
            "respondents": [self.n_first, self.n_second],
            "matched": [self.matched, self.matched],
            "unmatched": [self.unmatched_first, self.unmatched_second],
            "without_id": [self.without_id_first, self.without_id_second],
        })

    def apa(self) -> str:
        spec = _spec(self.form)
        parts = []
        for measure, res in self.results.items():
            if res is None:
                parts.append(f"{measure} not available")
                continue
            f = res.selected
            parts.append(f"{measure} {fmt(f.icc, leading_zero=False)} "
                         f"[{fmt(f.ci_low, leading_zero=False)}, "
                         f"{fmt(f.ci_high, leading_zero=False)}]")
        unit = "single measurement" if not spec.average else "mean of both administrations"
        return (
            f"Test-retest reliability of {self.matched} respondents who answered both "
            f"administrations ({spec.name}: {spec.model}, {spec.type}, {unit}; "
            f"{self.ci_level:.0%} CIs in brackets): " + "; ".join(parts) + "."
        )

    def methods(self) -> str:
        """The methods sentence: the linkage, the ICC form and its interval.

        Returns
        -------
        str

        Examples
        --------
        >>> import pandas as pd
        >>> first = pd.DataFrame({"support": [3.2, 4.0, 2.5, 3.8, 4.4]},
        ...                      index=["a", "b", "c", "d", "e"])
        >>> second = pd.DataFrame({"support": [3.4, 3.9, 2.9, 3.5, 4.6, 3.0]},
        ...                       index=["a", "b", "c", "d", "e", "f"])
        >>> print(test_retest(first, second).methods())  # doctest: +NORMALIZE_WHITESPACE
        Test-retest reliability of 1 measure was estimated with ICC(A,1) (two-way
        random effects, absolute agreement, single measurement) between the first and
        the second administration, with a 95% exact F-based interval; 5 respondents
        were linked across the administrations and 1 who could not be linked was left
        out.
        """
        spec = _spec(self.form)
        unit = "single measurement" if not spec.average else "mean of both administrations"
        first, second = self.labels
        measures = len(self.results)
        left = (f" and {self.n_dropped} who could not be linked "
                f"{'was' if self.n_dropped == 1 else 'were'} left out"
                if self.n_dropped else "")
        linked = "was" if self.matched == 1 else "were"
        return (f"Test-retest reliability of {measures} measure{'s' if measures != 1 else ''} "
                f"was estimated with {spec.name} ({spec.model}, {spec.type}, {unit}) "
                f"between the {first} and the {second} administration, with "
                f"{interval_words('f', self.ci_level)}; {self.matched} "
                f"respondent{'s' if self.matched != 1 else ''} {linked} linked across "
                f"the administrations{left}.")


IdSpec = str | pd.Series | None

#: ``id`` not given: the first two arguments are frames indexed by a common key.
_KEYED: Any = type("_Keyed", (), {"__repr__": lambda self: "<index>"})()


@renamed(level="confidence")
@checked(confidence=Interval(0, 1, closed="neither"))
def test_retest(
    first: Any,
    second: Any,
    id: IdSpec | tuple[IdSpec, IdSpec] = _KEYED,  # noqa: PT028 - not a test
    *,
    instrument: Any = None,  # noqa: PT028 - not a test
    by: Literal["scale", "item"] = "scale",  # noqa: PT028 - not a test
    columns: Sequence[str] | None = None,  # noqa: PT028 - not a test
    form: str = "A,1",  # noqa: PT028 - not a test
    confidence: float = 0.95,  # noqa: PT028 - not a test
    labels: tuple[str, str] = ("first", "second"),  # noqa: PT028 - not a test
) -> RetestResult:
    r"""Test-retest reliability of two scored administrations: the ICC per scale or item.

    The two administrations come already scored and indexed by a common respondent
    key, so that a row of ``first`` and a row of ``second`` with the same index label
    are the same person: the pseudonyms of :func:`peereval.link` (link each
    administration to the records with the same key), or student ids normalised with
    :func:`peereval.labels.normalise_id`. Linking stays with the loaders;
    this function matches index labels as they are.

    Parameters
    ----------
    first, second
        The two administrations: DataFrames of scores (one column per scale or item;
        non-numeric columns are left out) or :class:`~peereval.instrument.Scores`,
        each indexed by the respondent key. A key that is missing (NaN) cannot be
        matched and is counted in ``without_id_first``/``without_id_second``.
    id
        Deprecated (the old form, kept for one release with a DeprecationWarning):
        ``test_retest(responses1, responses2, id_column, instrument=...)`` scored
        :class:`~peereval.responses.Responses` itself and linked them by an id
        column (looked up in ``Responses.meta``, then in its answers, or in a
        DataFrame's columns), ``None`` for the index, a Series of ids, or a pair of
        these, comparing ids after :func:`~peereval.labels.normalise_id`.
    instrument
        Deprecated with ``id``: the :class:`~peereval.instrument.Instrument` to score
        Responses with. Score them yourself: ``instrument.score(responses)``.
    by
        For :class:`~peereval.instrument.Scores`: ``"scale"`` (default) compares the
        scale scores, ``"item"`` the item scores.
    columns
        The scales, items or columns to compare (default: all that both
        administrations have).
    form
        The ICC form reported (default ``"A,1"``: two-way random effects, absolute
        agreement, single measurement, Koo and Li's recommendation for test-retest
        reliability). All six forms are in each :class:`ICCResult`.
    confidence
        Confidence level.
    labels
        Names of the two administrations in tables.

    Returns
    -------
    RetestResult

    Raises
    ------
    DuplicateIdError
        A key (or, in the old form, an id) occurs more than once in one
        administration.
    LinkageError
        Fewer than two respondents are in both (old form: the id column is missing).
    PeerevalError
        Unknown columns, non-numeric values, an invalid form.

    Warns
    -----
    DeprecationWarning
        For the old form (``id``, ``instrument=`` or Responses given).

    Notes
    -----
    Each matched respondent is a target and each administration a "rater" of a
    two-column table; the ICC of every measure is computed by :func:`icc` from the
    respondents with a value at both times (listwise per measure). ICC(A,1)
    counts a systematic change between the administrations (everyone scoring higher
    the second time) as unreliability; ICC(C,1) does not.

    References
    ----------
    Koo, T. K., & Li, M. Y. (2016). A guideline of selecting and reporting intraclass
    correlation coefficients for reliability research. *Journal of Chiropractic
    Medicine, 15*(2), 155-163.

    Weir, J. P. (2005). Quantifying test-retest reliability using the intraclass
    correlation coefficient and the SEM. *Journal of Strength and Conditioning
    Research, 19*(1), 231-240.

    Examples
    --------
    Both administrations linked to the records with the same key, so both are
    indexed by the same pseudonyms, then scored:

    >>> import peereval
    >>> from peereval.reliability import test_retest
    >>> study = peereval.load_sample()
    >>> first = peereval.link(study.screened, study.records, key="x" * 32).responses
    >>> second = peereval.link(study.retest, study.records, key="x" * 32).responses
    >>> result = test_retest(study.instrument.score(first).scales,
    ...                      study.instrument.score(second).scales)
    >>> result.matched, result.unmatched_first, result.unmatched_second
    (40, 98, 0)
    >>> result.to_frame()[["measure", "n_pairs", "icc"]].round(2)
          measure  n_pairs   icc
    0     support       40  0.95
    1  adjustment       40  0.93
    2   belonging       40  0.89
    """
    spec = _spec(form)
    labels = _two_labels(labels)
    if _old_form(first, second, id, instrument):
        warnings.warn(
            "test_retest(first, second, id, instrument=...) is deprecated since "
            "peereval 0.1: score each administration (instrument.score(responses)), "
            "index both by a common respondent key (peereval.link's pseudonyms, or "
            "peereval.loaders.records.keyed_by_id) and call "
            "test_retest(first_scores, second_scores)", DeprecationWarning,
            stacklevel=user_stacklevel())
        sides = _linked_by_id(first, second, "student_id" if id is _KEYED else id,
                              instrument, by, labels)
    else:
        sides = _keyed(first, second, by, labels)
    names = _measures(sides, columns, by, labels)
    return _retest(sides, names, spec=spec, level=confidence, labels=labels)


test_retest.__test__ = False  # type: ignore[attr-defined]  # not a pytest test


@dataclass(frozen=True)
class _Sides:
    """The two administrations' values, and each row's key (None: no key)."""

    values1: pd.DataFrame
    values2: pd.DataFrame
    keys1: pd.Series
    keys2: pd.Series
    by_id: bool = False  # linked by id columns (the old form), not by index


def _two_labels(labels: Any) -> tuple[str, str]:
    if (not isinstance(labels, tuple | list) or len(labels) != 2
            or labels[0] == labels[1]):
        raise PeerevalError("labels must be two different names, e.g. ('first', 'second')")
    return str(labels[0]), str(labels[1])


def _old_form(first: Any, second: Any, id: Any, instrument: Any) -> bool:
    """Whether the call is the deprecated one that links ids itself.

    It is when ``id`` or ``instrument`` is given, when an administration is a
    Responses, or when two DataFrames both hold the old default id column
    ``student_id`` (which the old form would have linked by)."""
    from peereval.responses import Responses

    if id is not _KEYED or instrument is not None:
        return True
    if isinstance(first, Responses) or isinstance(second, Responses):
        return True
    return all(isinstance(obj, pd.DataFrame) and "student_id" in obj.columns
               for obj in (first, second))


def _keyed(first: Any, second: Any, by: str, labels: tuple[str, str]) -> _Sides:
    """The new form: two scored frames indexed by a common key, matched as they are."""
    values = [_scored(obj, label, by) for obj, label in zip((first, second), labels,
                                                             strict=True)]
    for frame, label in zip(values, labels, strict=True):
        _check_unique_keys(frame.index, label)
    keys = [pd.Series([None if _blank(v) else v for v in frame.index], index=frame.index,
                      dtype="object") for frame in values]
    return _Sides(values[0], values[1], keys[0], keys[1])


def _scored(obj: Any, label: str, by: str) -> pd.DataFrame:
    from peereval.instrument import Scores

    if isinstance(obj, Scores):
        return obj.scales if by == "scale" else obj.items
    if isinstance(obj, pd.DataFrame):
        return _numeric_columns(obj)
    raise PeerevalError(
        f"the {label} administration is a {type(obj).__name__}; expected a DataFrame of "
        "scores or Scores, indexed by the respondent key",
        hint="score Responses with instrument.score(responses), and index both "
        "administrations by the same key (e.g. link both with peereval.link)")


def _numeric_columns(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
                  or pd.api.types.is_bool_dtype(frame[c])]]


def _check_unique_keys(index: pd.Index, label: str) -> None:
    present = index[~index.isna()]
    repeated = present[present.duplicated(keep=False)]
    if repeated.empty:
        return
    raise DuplicateIdError(
        f"{repeated.nunique()} key(s) occur more than once in the {label} administration "
        f"({len(repeated)} rows)",
        problems=[Location(value=str(key)) for key in repeated],
        hint="index each administration by one row per respondent; screen repeats out "
        "first (peereval.quality.screen flags them as duplicate_id)")


def _linked_by_id(first: Any, second: Any, id: Any, instrument: Any, by: str,
                  labels: tuple[str, str]) -> _Sides:
    """The old form: score Responses and link by id columns (ids normalised with
    :func:`peereval.labels.normalise_id`)."""
    if isinstance(id, tuple | list):
        if len(id) != 2:
            raise PeerevalError("id= takes one spec or a pair of specs, one per administration")
        id_first, id_second = id
    else:
        id_first = id_second = id
    values1, ids1, where1 = _side(first, labels[0], id_first, instrument, by)
    values2, ids2, where2 = _side(second, labels[1], id_second, instrument, by)
    keys1 = _normalised(ids1)
    keys2 = _normalised(ids2)
    for keys, raw, where, label in ((keys1, ids1, where1, labels[0]),
                                    (keys2, ids2, where2, labels[1])):
        _check_duplicates(keys, raw, where, label)
    return _Sides(values1, values2, keys1, keys2, by_id=True)


def _measures(sides: _Sides, columns: Any, by: str, labels: tuple[str, str]) -> list[Any]:
    """The scales, items or columns to compare: those asked for, or all in common."""
    values1, values2 = sides.values1, sides.values2
    if columns is None:
        names = [c for c in values1.columns if c in set(values2.columns)]
        if not names:
            raise PeerevalError(
                "the two administrations share no scale, item or column",
                hint=f"{labels[0]}: " + _few(list(map(str, values1.columns)), 20)
                + f"; {labels[1]}: " + _few(list(map(str, values2.columns)), 20),
            )
        return names
    names = [columns] if isinstance(columns, str) else list(columns)
    for values, label in ((values1, labels[0]), (values2, labels[1])):
        absent = [c for c in names if c not in values.columns]
        if absent:
            raise PeerevalError(
                f"the {label} administration has no {by} or column {absent[0]!r}",
                column=str(absent[0]),
                hint="available: " + _few(list(map(str, values.columns)), 30),
            )
    return names


def _retest(sides: _Sides, names: list[Any], *, spec: _Spec, level: float,
            labels: tuple[str, str]) -> RetestResult:
    """Match the keys, then the ICC of every measure over the matched respondents."""
    with_id1 = sides.keys1.dropna()
    with_id2 = sides.keys2.dropna()
    second_keys = set(with_id2)
    common = [key for key in with_id1 if key in second_keys]
    if len(common) < 2:
        raise LinkageError(
            f"{len(common)} respondent(s) appear in both administrations; a test-retest "
            "ICC needs at least two",
            hint=("check that id= names the same identifier in both files (ids are "
                  "compared after normalisation; " if sides.by_id else
                  "check that both administrations are indexed by the same key (")
            + f"{labels[0]}: {_id_shape(with_id1)}; {labels[1]}: {_id_shape(with_id2)})",
        )
    rows1 = pd.Series(with_id1.index, index=with_id1.to_numpy()).loc[common].to_numpy()
    rows2 = pd.Series(with_id2.index, index=with_id2.to_numpy()).loc[common].to_numpy()
    pairs: dict[str, pd.Series] = {}
    results: dict[str, ICCResult | None] = {}
    notes: list[str] = []
    for name in names:
        a = _numeric_column(sides.values1[name], name).loc[rows1].to_numpy()
        b = _numeric_column(sides.values2[name], name).loc[rows2].to_numpy()
        key = str(name)
        pairs[f"{key}_{labels[0]}"] = pd.Series(a, index=common)
        pairs[f"{key}_{labels[1]}"] = pd.Series(b, index=common)
        results[key] = _measure_icc(key, a, b, common, spec=spec, level=level,
                                    labels=labels, notes=notes)
    frame = pd.DataFrame(pairs)
    frame.index.name = "id"
    return RetestResult(
        results=results, pairs=frame, form=spec.name, ci_level=float(level), labels=labels,
        n_first=len(sides.values1), n_second=len(sides.values2), matched=len(common),
        unmatched_first=len(with_id1) - len(common),
        unmatched_second=len(with_id2) - len(common),
        without_id_first=int(sides.keys1.isna().sum()),
        without_id_second=int(sides.keys2.isna().sum()),
        notes=tuple(notes),
    )


def _measure_icc(key: str, a: np.ndarray, b: np.ndarray, common: list[Any], *, spec: _Spec,
                 level: float, labels: tuple[str, str], notes: list[str]
                 ) -> ICCResult | None:
    """One measure's ICC (None, with a note and a warning, when it cannot be had);
    its warnings are repeated with the measure's name, pointing at the caller."""
    table = pd.DataFrame({labels[0]: a, labels[1]: b}, index=pd.Index(common, name="id"))
    complete = table.notna().all(axis=1)
    result: ICCResult | None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = _icc_matrix(table[complete], spec=spec, level=level,
                                 dropped=tuple(table.index[~complete]))
        except PeerevalError as error:
            result = None
            notes.append(f"{key}: {error.message}")
            warnings.warn(f"{key}: no ICC ({error.message})", PeerevalWarning,
                          stacklevel=_CALLER)
    for w in caught:
        warnings.warn(f"{key}: {w.message}", w.category, stacklevel=_CALLER)
    return result


#: From _measure_icc: _retest, test_retest, the option checker's wrapper, the caller.
_CALLER = 5


def _normalised(ids: pd.Series) -> pd.Series:
    from peereval.labels import normalise_id

    return ids.map(lambda v: None if _blank(v) else normalise_id(v)).astype("object")


def _id_shape(ids: pd.Series) -> str:
    """How the ids look, without showing any (they identify students)."""
    if ids.empty:
        return "no ids"
    ids = ids.map(str)
    lengths = ids.map(len)
    kind = "digits" if ids.map(str.isdigit).all() else "letters and digits"
    size = (f"{lengths.min()}" if lengths.min() == lengths.max()
            else f"{lengths.min()}-{lengths.max()}")
    unit = "character" if size == "1" else "characters"
    return f"{len(ids)} ids of {size} {unit}, {kind}"


def _blank(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _side(obj: Any, label: str, id_spec: IdSpec, instrument: Any,
          by: str) -> tuple[pd.DataFrame, pd.Series, Callable[[Any, Any], Location | None]]:
    """Values, raw ids (same index) and a locator of rows, for one administration."""
    from peereval.instrument import Scores
    from peereval.responses import Responses

    if isinstance(obj, Responses):
        if instrument is not None:
            scores = instrument.score(obj)
            values = scores.scales if by == "scale" else scores.items
        elif by == "scale":
            raise PeerevalError(
                f"the {label} administration is a Responses object; scale scores need the "
                "instrument",
                hint="pass instrument=... (the codebook), or by='item' for the item answers",
            )
        else:
            values = obj.numeric()
        column: str | None = None
        if isinstance(id_spec, pd.Series):
            ids = id_spec.reindex(values.index)
        elif id_spec is None:
            ids = pd.Series(values.index, index=values.index)
        elif id_spec in obj.meta.columns:
            ids = obj.meta[id_spec].reindex(values.index)
            column = id_spec
        elif id_spec in obj.answers.columns:
            ids = obj.answers[id_spec].reindex(values.index)
            column = id_spec
        else:
            raise LinkageError(
                f"the {label} administration has no column {id_spec!r} holding respondent ids",
                file=obj.source, column=str(id_spec),
                hint="name the id column with id=...; metadata columns: "
                + ", ".join(map(str, obj.meta.columns)),
            )

        def where(rid: Any, value: Any) -> Location | None:
            return obj.locate(str(rid), column, value)

        return values, ids, where
    if isinstance(obj, Scores):
        values = obj.scales if by == "scale" else obj.items
        if isinstance(id_spec, pd.Series):
            ids = id_spec.reindex(values.index)
        elif id_spec is None:
            ids = pd.Series(values.index, index=values.index)
        else:
            raise LinkageError(
                f"the {label} administration is a Scores object, which holds no column "
                f"{id_spec!r}",
                hint="pass the Responses together with instrument=..., or give the ids as "
                "a Series, e.g. id=(responses1.meta['student_id'], "
                "responses2.meta['student_id'])",
            )
        return values, ids, lambda rid, value: None
    if isinstance(obj, pd.DataFrame):
        if isinstance(id_spec, pd.Series):
            ids = id_spec.reindex(obj.index)
            values = obj
        elif id_spec is None:
            ids = pd.Series(obj.index, index=obj.index)
            values = obj
        else:
            _require(obj, [id_spec], f"respondent ids of the {label} administration")
            ids = obj[id_spec]
            values = obj.drop(columns=[id_spec])
        return _numeric_columns(values), ids, lambda rid, value: None
    raise PeerevalError(
        f"the {label} administration is a {type(obj).__name__}; expected Responses, "
        "Scores or a pandas DataFrame",
    )


def _check_duplicates(keys: pd.Series, raw: pd.Series, where: Callable[[Any, Any], Any],
                      label: str) -> None:
    present = keys.dropna()
    repeated = present[present.duplicated(keep=False)]
    if repeated.empty:
        return
    problems = []
    for rid in repeated.index:
        location = where(rid, raw[rid])
        problems.append(location if location is not None
                        else Location(value=f"{raw[rid]} (row {rid!r})"))
    raise DuplicateIdError(
        f"{repeated.nunique()} id(s) occur more than once in the {label} administration "
        f"({len(repeated)} rows)",
        problems=problems,
        hint="each respondent may answer each administration once; drop the repeats "
        "(peereval.quality.screen flags them as duplicate_id) and run again",
    )
