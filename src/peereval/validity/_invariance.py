"""Measurement invariance across groups: configural, metric and scalar models."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from peereval._format import fmt, fmt_p
from peereval._options import checked, deprecated_alias
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel
from peereval.validity._cfa import CFAResult, _fit
from peereval.validity._cfa_data import LISTWISE_ONLY, _prepare
from peereval.validity._syntax import as_spec

__all__ = ["InvarianceResult", "invariance"]

Level = Literal["configural", "metric", "scalar"]
LEVELS: tuple[str, ...] = ("configural", "metric", "scalar")
_EQUAL = {"configural": frozenset(), "metric": frozenset({"loadings"}),
          "scalar": frozenset({"loadings", "intercepts"})}
_WHAT = {"configural": "the same factor structure in every group",
         "metric": "equal loadings", "scalar": "equal loadings and intercepts"}

# Chen (2007): invariance is kept when CFI drops by no more than .010 and RMSEA rises
# by no more than .015; Cheung & Rensvold (2002): CFI drops by no more than .01.
CHEN_CFI = -0.010
CHEN_RMSEA = 0.015
CHEUNG_RENSVOLD_CFI = -0.01


@dataclass(frozen=True, repr=False)
class InvarianceResult(Result):
    """Nested invariance models and their comparisons.

    Attributes
    ----------
    table
        One row per level (``configural``, ``metric``, ``scalar``): ``chisq``, ``df``,
        ``p_value``, ``cfi``, ``tli``, ``rmsea`` (with ``rmsea_ci_low``,
        ``rmsea_ci_high``), ``srmr``, ``aic``, ``bic``; against the previous level
        (``compared_with``): ``delta_chisq``, ``delta_df``, ``delta_p_value`` (the
        likelihood-ratio test, lavaan's ``lavTestLRT``), ``delta_cfi``,
        ``delta_rmsea``, ``delta_srmr`` (constrained minus less constrained),
        ``chen`` and ``cheung_rensvold`` (criterion met) and ``verdict`` in words.
    fits
        The fitted model of each level, as :class:`~peereval.validity.CFAResult`.
    highest
        The most constrained level that holds by Chen's criteria (``"configural"``
        when metric invariance does not hold).
    group, groups, n_by_group, n, n_dropped, dropped
        The grouping variable, its groups (in order of first appearance, lavaan's
        order; the first is the reference group whose factor means are fixed at 0),
        their sizes and the rows dropped (listwise) and why.
    warnings
        Red flags from the fits (also issued as :class:`PeerevalWarning`), each
        prefixed with the model it comes from.

    Examples
    --------
    One four-item factor compared between women and men of the sample study:

    >>> import warnings
    >>> import peereval
    >>> from peereval.validity import invariance
    >>> study = peereval.load_sample()
    >>> linked = peereval.link(study.screened, study.records, key="x" * 32)
    >>> items = study.instrument.score(linked.responses).items
    >>> sex = linked.records.data["sex"].reindex(items.index)
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # small groups
    ...     result = invariance(items, "support =~ Q1_1 + Q1_2 + Q1_3 + Q1_4", sex,
    ...                         levels=("configural", "metric"))
    >>> result.groups, result.n_by_group, result.highest
    (('F', 'M'), (77, 55), 'metric')
    """

    table: pd.DataFrame
    fits: dict[str, CFAResult]
    highest: str
    group: str
    groups: tuple[str, ...]
    n_by_group: tuple[int, ...]
    n: int
    n_dropped: int
    dropped: str
    warnings: tuple[str, ...]
    title: str = "Measurement invariance"

    n_obs = deprecated_alias("n")

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    @property
    def verdicts(self) -> dict[str, str]:
        """Each level's verdict in words."""
        return dict(zip(self.table["level"], self.table["verdict"], strict=True))

    def apa(self) -> str:
        parts = []
        for row in self.table.itertuples():
            if row.level == "configural":
                continue
            held = "held" if row.chen else "did not hold"
            parts.append(
                f"{row.level} invariance {held} (Δχ²({int(row.delta_df)}) = "
                f"{fmt(row.delta_chisq)}, {fmt_p(row.delta_p_value)}; "
                f"ΔCFI = {fmt(row.delta_cfi, 3, leading_zero=False)}; "
                f"ΔRMSEA = {fmt(row.delta_rmsea, 3, leading_zero=False)})")
        if not parts:
            return ""
        text = "; ".join(parts)
        return text[0].upper() + text[1:]

    def methods(self) -> str:
        """How invariance was tested, as a methods sentence.

        Built from the models actually fitted: the levels, the grouping variable and
        its groups, how the factors were scaled, the missing-data rule and the
        criteria applied.

        Returns
        -------
        str

        Examples
        --------
        >>> import warnings
        >>> import peereval
        >>> from peereval.validity import invariance
        >>> study = peereval.load_sample()
        >>> linked = peereval.link(study.screened, study.records, key="x" * 32)
        >>> items = study.instrument.score(linked.responses).items
        >>> sex = linked.records.data["sex"].reindex(items.index).rename("sex")
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")  # small groups
        ...     result = invariance(items, "support =~ Q1_1 + Q1_2 + Q1_3 + Q1_4", sex,
        ...                         levels=("configural", "metric"))
        >>> print(result.methods())  # doctest: +NORMALIZE_WHITESPACE
        Measurement invariance across sex (F: n = 77, M: n = 55) was tested by fitting
        nested multi-group CFA models by maximum likelihood (configural, metric), each
        factor scaled by its first item; listwise deletion (n = 132; 6 dropped). Each
        model was compared with the one before by the χ² difference test and held when
        ΔCFI ≥ −.010 and ΔRMSEA ≤ .015 (Chen 2007); Cheung and Rensvold's (2002) ΔCFI ≥
        −.01 is also reported.
        """
        levels = list(self.fits)
        fit = self.fits[levels[0]]
        groups = ", ".join(f"{g}: n = {n}"
                           for g, n in zip(self.groups, self.n_by_group, strict=True))
        scaling = ("the factor variances fixed at 1 in the first group" if fit.std_lv
                   else "each factor scaled by its first item")
        rule = "listwise deletion" if fit.missing == "listwise" else fit.missing
        text = (f"Measurement invariance across {self.group} ({groups}) was tested by "
                f"fitting nested multi-group CFA models by maximum likelihood ("
                + ", ".join(levels) + f"), {scaling}; {rule} (n = {self.n}; "
                f"{self.n_dropped} dropped).")
        if len(levels) > 1:
            text += (" Each model was compared with the one before by the χ² difference "
                     "test and held when ΔCFI ≥ −.010 and ΔRMSEA ≤ .015 (Chen 2007); "
                     "Cheung and Rensvold's (2002) ΔCFI ≥ −.01 is also reported.")
        return text


def _verdict_configural(fit: CFAResult) -> str:
    good = fit.combination_rule_met
    text = (f"configural model: CFI = {fmt(fit.cfi, 3, leading_zero=False)}, RMSEA = "
            f"{fmt(fit.rmsea, 3, leading_zero=False)}, SRMR = "
            f"{fmt(fit.srmr, 3, leading_zero=False)}; ")
    if good:
        return text + ("the same factor structure fits in every group by Hu and "
                       "Bentler's (1999) combination rule")
    return text + ("it does not fit well by Hu and Bentler's (1999) combination rule, "
                   "so the comparisons that follow rest on a poorly fitting baseline")


def _verdict(level: str, row: dict[str, Any], previous_held: bool, previous: str) -> str:
    dcfi = fmt(row["delta_cfi"], 3, leading_zero=False)
    drmsea = fmt(row["delta_rmsea"], 3, leading_zero=False)
    lrt = (f"Δχ²({int(row['delta_df'])}) = {fmt(row['delta_chisq'])}, "
           f"{fmt_p(row['delta_p_value'])}")
    significant = row["delta_p_value"] < 0.05
    if row["chen"]:
        text = (f"{level} invariance ({_WHAT[level]}) holds: ΔCFI = {dcfi} (criterion "
                f"≥ −.010) and ΔRMSEA = {drmsea} (≤ .015; Chen 2007)")
        if significant:
            text += (f"; the χ² difference test rejects it ({lrt}), a test that flags "
                     "even trivial differences in large samples")
        else:
            text += f"; the χ² difference test agrees ({lrt})"
    else:
        reasons = []
        if row["delta_cfi"] < CHEN_CFI:
            reasons.append(f"CFI drops by more than .010 (ΔCFI = {dcfi})")
        if row["delta_rmsea"] > CHEN_RMSEA:
            reasons.append(f"RMSEA rises by more than .015 (ΔRMSEA = {drmsea})")
        text = (f"{level} invariance ({_WHAT[level]}) does not hold: "
                + " and ".join(reasons) + f" (Chen 2007); {lrt}")
        text += ("; free the parameters that differ most (partial invariance) before "
                 "comparing " + ("factor means" if level == "scalar" else
                                 "relations with other variables"))
    if not row["cheung_rensvold"] and row["chen"]:
        text += "; by Cheung and Rensvold's (2002) ΔCFI ≥ −.01 alone it would not hold"
    if not previous_held:
        text += f" (judged against a {previous} model that itself did not hold)"
    return text


@checked(missing=LISTWISE_ONLY)
def invariance(
    data: Any,
    model: Any,
    group: str | Sequence[Any],
    *,
    levels: Sequence[Level] = LEVELS,
    std_lv: bool = False,
    missing: Literal["listwise"] = "listwise",
) -> InvarianceResult:
    r"""Configural, metric and scalar measurement invariance across groups.

    Parameters
    ----------
    data
        A DataFrame with the items (and the grouping column). Not modified.
    model
        The measurement model, as for :func:`peereval.validity.cfa`.
    group
        The column holding the groups, or the groups themselves (a Series aligned
        with the data or a list, one value per row). Groups are taken in order of
        first appearance, as lavaan does; the first is the reference group.
    levels
        The nested models to fit, from ``"configural"`` up to ``"scalar"``.
    std_lv
        Identify factors by unit variances (in the first group; with equal loadings
        the variances of the other groups are free, as lavaan does) instead of
        marker items.
    missing
        ``"listwise"``: rows with an unanswered item or no group are dropped and
        counted.

    Returns
    -------
    InvarianceResult

    Raises
    ------
    PeerevalError
        As :func:`peereval.validity.cfa`; also fewer than two groups, or a group with
        no more complete rows than items.

    Notes
    -----
    All models have a mean structure, :math:`\mu_g = \nu_g + \Lambda_g\alpha_g`.

    * configural: the same pattern of loadings in every group, every parameter
      free per group, factor means fixed at 0;
    * metric (weak): loadings equal across groups;
    * scalar (strong): loadings and item intercepts equal; factor means fixed at 0 in
      the first group and free in the others (lavaan's ``group.equal =
      c("loadings", "intercepts")``).

    Each level is compared with the one before by the likelihood-ratio (χ²
    difference) test, :math:`\Delta\chi^2 = \chi^2_1 - \chi^2_0` on
    :math:`df_1 - df_0` degrees of freedom (lavaan's ``lavTestLRT`` for ML), and by the
    changes :math:`\Delta CFI = CFI_1 - CFI_0` and :math:`\Delta RMSEA = RMSEA_1 -
    RMSEA_0`. A level holds when :math:`\Delta CFI \ge -.010` and :math:`\Delta RMSEA
    \le .015` (Chen 2007, *Struct Equ Modeling* 14:464-504); Cheung and Rensvold's
    (2002, *Struct Equ Modeling* 9:233-255) :math:`\Delta CFI \ge -.01` is reported
    alongside. The χ² difference test is reported but does not decide: with a few
    hundred respondents it rejects trivial differences.

    Examples
    --------
    >>> import warnings
    >>> import peereval
    >>> from peereval.validity import invariance
    >>> study = peereval.load_sample()
    >>> linked = peereval.link(study.screened, study.records, key="x" * 32)
    >>> items = study.instrument.score(linked.responses).items
    >>> sex = linked.records.data["sex"].reindex(items.index)
    >>> with warnings.catch_warnings():  # both groups are small (n = 66 and 45)
    ...     warnings.simplefilter("ignore")
    ...     result = invariance(items, study.instrument, sex)
    >>> # lavaan 0.6.14 (group.equal): chisq 338.73, 360.18, 378.49 on 264, 279, 294 df
    >>> result.table[["level", "chisq", "df"]].round(2).to_numpy().tolist()
    [['configural', 338.73, 264], ['metric', 360.18, 279], ['scalar', 378.49, 294]]
    >>> result.highest
    'scalar'
    """
    levels = list(levels)
    unknown = [lv for lv in levels if lv not in LEVELS]
    if unknown or not levels:
        raise PeerevalError(
            f"unknown invariance level(s) {unknown}" if unknown else "no level given",
            hint="choose from 'configural', 'metric', 'scalar'")
    levels = [lv for lv in LEVELS if lv in levels]
    spec = as_spec(model)
    data_ = _prepare(data, spec, group=group, missing=missing)
    fits: dict[str, CFAResult] = {}
    notes: list[str] = []
    for level in levels:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PeerevalWarning)
            fit = _fit(spec, data_, std_lv=bool(std_lv), meanstructure=True,
                       equal=_EQUAL[level], modification_indices=False, missing=missing)
        fits[level] = fit
        for note in fit.warnings:
            notes.append(note if note.startswith("small sample") else f"{level} model: {note}")
    notes = list(dict.fromkeys(notes))
    for note in notes:
        warnings.warn(note, PeerevalWarning, stacklevel=user_stacklevel())

    rows = []
    previous: str | None = None
    previous_held = True
    highest = levels[0]
    for level in levels:
        fit = fits[level]
        row: dict[str, Any] = {
            "level": level, "chisq": fit.chisq, "df": fit.df, "p_value": fit.p_value,
            "cfi": fit.cfi, "tli": fit.tli, "rmsea": fit.rmsea,
            "rmsea_ci_low": fit.rmsea_ci_low, "rmsea_ci_high": fit.rmsea_ci_high,
            "srmr": fit.srmr, "aic": fit.aic, "bic": fit.bic, "compared_with": "",
            "delta_chisq": math.nan, "delta_df": math.nan, "delta_p_value": math.nan,
            "delta_cfi": math.nan, "delta_rmsea": math.nan, "delta_srmr": math.nan,
            "chen": np.nan, "cheung_rensvold": np.nan,
        }
        if previous is None:
            row["verdict"] = (_verdict_configural(fit) if level == "configural"
                              else f"{level} model (no less constrained model to compare)")
        else:
            base = fits[previous]
            delta_chisq = fit.chisq - base.chisq
            delta_df = fit.df - base.df
            row.update(
                compared_with=previous, delta_chisq=delta_chisq, delta_df=delta_df,
                delta_p_value=(float(stats.chi2.sf(delta_chisq, delta_df))
                              if delta_df > 0 else math.nan),
                delta_cfi=fit.cfi - base.cfi, delta_rmsea=fit.rmsea - base.rmsea,
                delta_srmr=fit.srmr - base.srmr)
            row["chen"] = bool(row["delta_cfi"] >= CHEN_CFI
                               and row["delta_rmsea"] <= CHEN_RMSEA)
            row["cheung_rensvold"] = bool(row["delta_cfi"] >= CHEUNG_RENSVOLD_CFI)
            row["verdict"] = _verdict(level, row, previous_held, previous)
            if row["chen"] and previous_held:
                highest = level
            previous_held = previous_held and row["chen"]
        rows.append(row)
        previous = level
    table = pd.DataFrame(rows)
    table["chen"] = table["chen"].astype(object)
    table["cheung_rensvold"] = table["cheung_rensvold"].astype(object)
    first = fits[levels[0]]
    return InvarianceResult(
        table=table, fits=fits, highest=highest,
        group=group if isinstance(group, str) else str(getattr(group, "name", None)
                                                       or "group"),
        groups=first.groups, n_by_group=first.n_by_group, n=first.n,
        n_dropped=first.n_dropped, dropped=first.dropped, warnings=tuple(notes))
