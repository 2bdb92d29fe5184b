r"""Mentees nested in mentor groups: a linear mixed model with a random intercept.

Students mentored in the same group share a mentor, a timetable and each other, so
their outcomes are correlated; analyses that treat them as independent understate
standard errors by the design effect (REFERENCES.md §3.4). :func:`mixed_model` fits

.. math::

    y_{ij} = x_{ij}'\beta + u_j + \varepsilon_{ij}, \qquad
    u_j \sim N(0, \tau^2), \quad \varepsilon_{ij} \sim N(0, \sigma^2),

with :math:`j` the cluster (mentor group), by REML, and reports the fixed effects,
the variance components, the intraclass correlation, the design effect and the
effective sample size.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import optimize, stats

from peereval._format import and_list, count_of, fmt, fmt_ci, fmt_p
from peereval._options import Choice, checked, deprecated_alias, renamed
from peereval._results import Result
from peereval.errors import PeerevalError, PeerevalWarning, user_stacklevel
from peereval.outcomes._ancova import (
    build_design,
    check_model,
    check_outcome_varies,
    dropped_text,
    require_columns,
)
from peereval.outcomes._design import covariate_design
from peereval.outcomes._groups import (
    LEVEL,
    as_names,
    frame_of,
    left_out_sentence,
    level_text,
    numeric_values,
    two_groups,
)

__all__ = ["MixedModelResult", "mixed_model"]

FEW_CLUSTERS = 20
MissingCluster = Literal["own", "error"]


# ------------------------------------------------------------- random intercept


@dataclass(frozen=True)
class _Fit:
    beta: np.ndarray
    cov: np.ndarray
    tau2: float
    sigma2: float
    deviance: float
    statsmodels: str


class _RandomIntercept:
    r"""Profiled (RE)ML criterion of a random-intercept model, in closed form.

    With :math:`\gamma = \tau^2/\sigma^2` and cluster sizes :math:`m_j`, the
    inverse covariance within cluster j is
    :math:`\sigma^{-2}(I - c_j 11')`, :math:`c_j = \gamma/(1 + m_j\gamma)`, and
    :math:`\log|V_j/\sigma^2| = \log(1 + m_j\gamma)`. For fixed :math:`\gamma`,
    :math:`\hat\beta` is the GLS estimate, :math:`A = X'V^{-1}X\sigma^2`, and with
    :math:`Q = r'(\sigma^2 V^{-1})r` the profiled deviances are (Bates et al., 2015)

    .. math::

        -2\ell_R = \sum_j \log(1 + m_j\gamma) + \log|A|
                   + (n-p)\left(1 + \log\frac{2\pi Q}{n-p}\right), \qquad
        -2\ell = \sum_j \log(1 + m_j\gamma) + n\left(1 + \log\frac{2\pi Q}{n}\right).
    """

    def __init__(self, y: np.ndarray, x: np.ndarray, codes: np.ndarray, reml: bool):
        self.y, self.x, self.codes, self.reml = y, x, codes, reml
        self.n, self.p = x.shape
        self.k = int(codes.max()) + 1
        self.m = np.bincount(codes, minlength=self.k).astype(float)
        self.sx = np.zeros((self.k, self.p))
        np.add.at(self.sx, codes, x)
        self.sy = np.bincount(codes, weights=y, minlength=self.k)
        self.xtx = x.T @ x
        self.xty = x.T @ y

    def solve(self, gamma: float) -> tuple[np.ndarray, np.ndarray, float, float]:
        """beta, A, Q and the deviance at gamma."""
        c = gamma / (1 + self.m * gamma)
        a = self.xtx - self.sx.T @ (c[:, None] * self.sx)
        b = self.xty - self.sx.T @ (c * self.sy)
        beta = np.linalg.solve(a, b)
        r = self.y - self.x @ beta
        rs = np.bincount(self.codes, weights=r, minlength=self.k)
        q = float(r @ r - (c * rs**2).sum())
        logdet = float(np.log1p(self.m * gamma).sum())
        if self.reml:
            dof = self.n - self.p
            dev = logdet + np.linalg.slogdet(a)[1] + dof * (1 + math.log(2 * math.pi * q / dof))
        else:
            dev = logdet + self.n * (1 + math.log(2 * math.pi * q / self.n))
        return beta, a, q, float(dev)

    def deviance(self, theta: float) -> float:
        return self.solve(theta * theta)[3]

    def fit(self, theta0: float | None, message: str) -> _Fit:
        """Minimise over theta = tau/sigma >= 0, in a bracket around theta0."""
        hi = max(4.0 * theta0, 2.0) if theta0 is not None and np.isfinite(theta0) else 10.0
        while True:
            res = optimize.minimize_scalar(self.deviance, bounds=(0.0, hi), method="bounded",
                                           options={"xatol": 1e-10, "maxiter": 500})
            theta = float(res.x)
            if theta < 0.95 * hi or hi > 1e6:
                break
            hi *= 10
        if self.deviance(0.0) <= self.deviance(theta):
            theta = 0.0
        gamma = theta * theta
        beta, a, q, dev = self.solve(gamma)
        dof = self.n - self.p if self.reml else self.n
        sigma2 = q / dof
        return _Fit(beta, sigma2 * np.linalg.inv(a), gamma * sigma2, sigma2, dev, message)


def _statsmodels_start(y: np.ndarray, x: np.ndarray, codes: np.ndarray, reml: bool
                       ) -> tuple[float | None, str]:
    """tau/sigma from statsmodels' MixedLM (None if it fails), and what happened."""
    import statsmodels.api as sm

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = sm.MixedLM(y, x, groups=codes).fit(reml=reml,
                                                       method=["powell", "lbfgs"])
        except (np.linalg.LinAlgError, ValueError) as exc:
            return None, f"statsmodels MixedLM failed ({exc}); estimated by 1-D search"
    tau2 = float(np.asarray(result.cov_re)[0, 0])
    scale = float(result.scale)
    if not (np.isfinite(tau2) and np.isfinite(scale) and scale > 0):
        return None, "statsmodels MixedLM gave no usable estimate; estimated by 1-D search"
    messages = sorted({str(w.message).split(".")[0] for w in caught})
    text = "statsmodels MixedLM (Powell)" + ("" if result.converged else ", not converged")
    if messages:
        text += "; its messages: " + "; ".join(messages)
    return math.sqrt(max(tau2, 0.0) / scale), text


def _fit(y: np.ndarray, x: np.ndarray, codes: np.ndarray, reml: bool) -> _Fit:
    theta0, message = _statsmodels_start(y, x, codes, reml)
    return _RandomIntercept(y, x, codes, reml).fit(theta0, message)


# ------------------------------------------------------------------------ result


@dataclass(frozen=True, repr=False)
class MixedModelResult(Result):
    """A random-intercept mixed model: fixed effects, variance components, ICC.

    Attributes
    ----------
    fixed
        Fixed effects: term, estimate, se, z, p_value, ci_low, ci_high (Wald, normal).
    effect, se, z, p_value, ci_low, ci_high, ci_level
        The group coefficient (also ``estimate``): treated minus control, adjusted
        for the covariates, with its interval and the interval's level.
    tau2, sigma2
        Between-cluster (random intercept) and residual variances of this model.
    icc
        "The ICC": the conditional (residual) ICC, tau2 / (tau2 + sigma2) of this
        model, i.e. the clustering left after the group and covariates.
    tau2_null, sigma2_null, icc_null
        The same from the unconditional (intercept-only) model.
    mean_cluster_size, kish_cluster_size
        Mean size of the clusters in the data, and Kish's size sum(m^2)/sum(m).
    design_effect, design_effect_mean
        1 + (m - 1) ICC with m Kish's size (reported) and with the mean size.
    n_effective
        n in clusters / design effect + students in clusters of their own.
    n, n_clusters, n_own_clusters
        Students, clusters in the data, students given a cluster of their own.
    n_dropped, dropped
        Rows left out: how many, and why.
    variance_components, clustering
        Tables: variances, SDs and ICCs of both models; ICC, cluster sizes, design
        effect and effective n.
    singular
        True when tau2 is estimated as 0.
    deviance
        -2 log-likelihood (REML criterion when ``reml``), as lme4 reports it.

    Examples
    --------
    >>> import warnings
    >>> import peereval
    >>> from peereval.outcomes import mixed_model
    >>> records = peereval.load_sample().records.data
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # 12 mentor groups: a few-clusters warning
    ...     result = mixed_model(records, "gpa_year1", "mentored", "mentor_group",
    ...                          ["gpa_entry"])
    >>> round(result.effect, 3), round(result.icc, 3)
    (0.131, 0.169)
    """

    outcome: str
    group: str
    cluster: str
    covariates: tuple[str, ...]
    treated: Any
    control: Any
    ci_level: float
    reml: bool
    fixed: pd.DataFrame
    effect: float
    se: float
    z: float
    p_value: float
    ci_low: float
    ci_high: float
    tau2: float
    sigma2: float
    icc: float
    tau2_null: float
    sigma2_null: float
    icc_null: float
    mean_cluster_size: float
    kish_cluster_size: float
    min_cluster_size: int
    max_cluster_size: int
    design_effect: float
    design_effect_mean: float
    n_effective: float
    n: int
    n_clusters: int
    n_own_clusters: int
    singular: bool
    deviance: float
    estimation: str
    dropped: dict[str, int]
    group_rule: str
    notes: tuple[str, ...]
    title: str = field(default="Linear mixed model: random intercept for clusters")

    level = deprecated_alias("ci_level")
    p = deprecated_alias("p_value")

    @property
    def estimate(self) -> float:
        """The group coefficient (the same as :attr:`effect`)."""
        return self.effect

    @property
    def n_dropped(self) -> int:
        """Rows left out (the reasons are in :attr:`dropped`)."""
        return int(sum(self.dropped.values()))

    def to_frame(self) -> pd.DataFrame:
        """The fixed effects."""
        return self.fixed.copy()

    @property
    def variance_components(self) -> pd.DataFrame:
        """Variances, SDs and ICCs of the conditional and the null model."""
        rows = []
        for model, tau2, sigma2, icc in (("conditional", self.tau2, self.sigma2, self.icc),
                                         ("null", self.tau2_null, self.sigma2_null,
                                          self.icc_null)):
            rows.append({"model": model, "component": f"{self.cluster} (intercept)",
                         "variance": tau2, "sd": math.sqrt(tau2), "icc": icc})
            rows.append({"model": model, "component": "residual", "variance": sigma2,
                         "sd": math.sqrt(sigma2), "icc": icc})
        return pd.DataFrame(rows)

    @property
    def clustering(self) -> pd.DataFrame:
        """ICC, cluster sizes, design effect and effective sample size."""
        rows = [("icc (conditional; the ICC)", self.icc), ("icc (null model)", self.icc_null),
                ("clusters", self.n_clusters), ("students in own cluster", self.n_own_clusters),
                ("mean cluster size", self.mean_cluster_size),
                ("Kish cluster size", self.kish_cluster_size),
                ("design effect (Kish size)", self.design_effect),
                ("design effect (mean size)", self.design_effect_mean),
                ("n", self.n), ("effective n", self.n_effective)]
        return pd.DataFrame(rows, columns=["quantity", "value"])

    def apa(self) -> str:
        """The group effect with interval, and the clustering."""
        how = "REML" if self.reml else "ML"
        own = (f" and {self.n_own_clusters} students without one, each their own cluster"
               if self.n_own_clusters else "")
        return (
            f"{self.group} ({level_text(self.treated)} vs {level_text(self.control)}): "
            f"b = {fmt(self.effect)}, {fmt_ci(self.ci_low, self.ci_high, level=self.ci_level)}, "
            f"z = {fmt(self.z)}, {fmt_p(self.p_value)} (linear mixed model, {how}, random "
            f"intercept for {self.n_clusters} {self.cluster} clusters{own}); "
            f"ICC = {fmt(self.icc, leading_zero=False)}, design effect = "
            f"{fmt(self.design_effect)}, effective n = {fmt(self.n_effective, 0)} of {self.n}"
        )

    def methods(self) -> str:
        """The methods sentence: the model, its estimation, interval and clustering.

        Returns
        -------
        str

        Examples
        --------
        >>> import warnings
        >>> import peereval
        >>> records = peereval.load_sample().records.data
        >>> with warnings.catch_warnings():
        ...     warnings.simplefilter("ignore")  # 12 mentor groups: a few-clusters warning
        ...     result = mixed_model(records, "gpa_year1", "mentored", "mentor_group",
        ...                          ["gpa_entry"])
        >>> print(result.methods())  # doctest: +NORMALIZE_WHITESPACE
        A linear mixed model of gpa_year1 on mentored, adjusted for gpa_entry, with a
        random intercept for each of the 12 mentor_group clusters (and for each of the
        137 students without one), was fitted by REML; the group effect has a 95% Wald
        interval, and the clustering is reported as the ICC of this model and of the
        intercept-only one, with the design effect and effective n (Kish's cluster
        size).
        """
        how = "REML" if self.reml else "maximum likelihood"
        adjusted = f", adjusted for {and_list(self.covariates)}," if self.covariates else ""
        own = (f" (and for each of the {self.n_own_clusters} students without one)"
               if self.n_own_clusters else "")
        text = (f"A linear mixed model of {self.outcome} on {self.group}{adjusted} with a "
                f"random intercept for each of the {self.n_clusters} {self.cluster} "
                f"clusters{own}, was fitted by {how}; the group effect has a "
                f"{self.ci_level:.0%} Wald interval, and the clustering is reported as the "
                f"ICC of this model and of the intercept-only one, with the design effect "
                f"and effective n (Kish's cluster size).")
        text += left_out_sentence(self.dropped)
        return text



# ------------------------------------------------------------------ mixed_model


@renamed(level="confidence")
@checked(confidence=LEVEL, reml=Choice((True, False)))
def mixed_model(
    data: Any,
    outcome: str,
    group: str,
    cluster: str,
    covariates: str | Sequence[str] | None = None,
    *,
    treated: Any = None,
    categorical: str | Sequence[str] = (),
    reml: bool = True,
    missing_cluster: MissingCluster = "own",
    confidence: float = 0.95,
) -> MixedModelResult:
    r"""Group effect with a random intercept for clusters (mentor groups).

    Parameters
    ----------
    data
        One row per student (DataFrame or Records).
    outcome
        Numeric outcome column.
    group
        Two-group column (mentored yes/no); its coefficient is the effect reported.
    cluster
        Column naming each student's cluster (``mentor_group``).
    covariates
        Optional baseline columns to adjust for, coded as in :func:`ancova` (one
        builder, :mod:`peereval.outcomes._design`): booleans and 0/1 columns as one
        indicator, text columns (and those in ``categorical``) as categories against
        their first level; the reference levels are in :attr:`MixedModelResult.notes`.
    treated
        The treated group's label (read from the labels when not given).
    categorical
        Numeric covariates to treat as categories.
    reml
        Restricted maximum likelihood (default, as lme4) or maximum likelihood.
    missing_cluster
        ``"own"`` (default): a student with no cluster (a non-mentored student has no
        mentor group) forms a cluster of size 1; ``"error"``: raise instead.
    confidence
        Confidence level of the Wald intervals.

    Returns
    -------
    MixedModelResult

    Raises
    ------
    PeerevalError
        Unknown or non-numeric columns, a group column without two groups, a
        constant or collinear covariate, no cluster column, no cluster with two or
        more students, missing clusters with ``missing_cluster="error"``.

    Warns
    -----
    PeerevalWarning
        Fewer than 20 clusters; a singular fit (between-cluster variance 0).

    Notes
    -----
    *Students without a cluster.* In a mentoring evaluation only mentees are nested
    (a partially nested design). Giving each non-mentored student a cluster of their
    own is the usual way to fit all students in one model (lme4's
    ``(1 | cluster)`` with unique ids): their cluster effect and residual are not
    separable, so :math:`\tau^2` is learnt from the real clusters while both groups
    share :math:`\sigma^2`. Bauer, Sterba and Hallfors (2008) discuss the alternative
    of a random intercept in the treated arm only with arm-specific residual
    variances.

    *Estimation.* The model is fitted with statsmodels' ``MixedLM`` (Powell, then
    L-BFGS), and the ratio :math:`\gamma = \tau^2/\sigma^2` is then polished by a
    bounded one-dimensional search of the closed-form profiled (RE)ML criterion
    (see :class:`_RandomIntercept`), which also covers the boundary
    :math:`\tau^2 = 0` where MixedLM's gradient methods can fail. Fixed-effect SEs
    are :math:`\sqrt{\operatorname{diag}(\hat\sigma^2 A^{-1})}`,
    :math:`A = X'(\hat V/\hat\sigma^2)^{-1}X`, as lme4 reports them (statsmodels'
    ``bse_fe`` inverts the joint Hessian of fixed and variance parameters and differs
    in unbalanced data). Intervals and p values are Wald (normal); with few clusters
    they are too narrow for effects that vary between clusters (the group effect
    does), and Kenward-Roger or Satterthwaite df would be preferable.

    *ICC and design effect.* :math:`ICC = \tau^2 / (\tau^2 + \sigma^2)`. "The ICC"
    reported is the conditional one, from the model with the group and covariates,
    because it is the clustering that remains, and inflates the variance of the
    adjusted comparison; the unconditional ICC of the intercept-only model is given
    too (``icc_null``), and is larger when the group or baseline differs between
    clusters. The design effect is :math:`1 + (\tilde m - 1) ICC` (Kish, 1965) with
    :math:`\tilde m = \sum m_j^2 / \sum m_j` over the clusters in the data, Kish's
    size for unequal clusters, equal to :math:`\bar m (1 + CV^2)`; the version with
    the mean size :math:`\bar m` is also given. The effective sample size is
    :math:`n_{clustered}/\text{deff} + n_{own}`, students in clusters of their own
    counting fully.

    References
    ----------
    Bates, D., Mächler, M., Bolker, B., & Walker, S. (2015). Fitting linear
    mixed-effects models using lme4. *Journal of Statistical Software, 67*(1).

    Bauer, D. J., Sterba, S. K., & Hallfors, D. D. (2008). Evaluating group-based
    interventions when control participants are ungrouped. *Multivariate Behavioral
    Research, 43*(2), 210-236.

    Kish, L. (1965). *Survey sampling*. Wiley.

    Maas, C. J. M., & Hox, J. J. (2005). Sufficient sample sizes for multilevel
    modeling. *Methodology, 1*(3), 86-92.

    McNeish, D., & Stapleton, L. M. (2016). Modeling clustered data with very few
    clusters. *Multivariate Behavioral Research, 51*(4), 495-518.

    Examples
    --------
    >>> import warnings
    >>> import peereval
    >>> from peereval.outcomes import mixed_model
    >>> records = peereval.load_sample().records.data
    >>> # R: lmer(gpa_year1 ~ mentored + gpa_entry + (1 | cl), REML = TRUE), with
    >>> # cl the mentor group, or the student's own id if none
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("ignore")  # 12 mentor groups: a few-clusters warning
    ...     result = mixed_model(records, "gpa_year1", "mentored", "mentor_group",
    ...                          ["gpa_entry"])
    >>> result.to_frame()[["term", "estimate", "se"]].round(4)
                term  estimate      se
    0    (Intercept)    0.3974  0.1114
    1  mentored[yes]    0.1307  0.0465
    2      gpa_entry    0.8562  0.0381
    >>> round(result.icc, 3), round(result.icc_null, 3), round(result.design_effect, 2)
    (0.169, 0.289, 3.32)
    """
    frame = frame_of(data)
    covs = as_names(covariates, "covariates")
    cats = as_names(categorical, "categorical")
    _check_arguments(frame, outcome, group, cluster, covs, cats)

    work, groups = two_groups(frame, group, [outcome, *covs], treated=treated)
    y = numeric_values(work[outcome], outcome)
    check_outcome_varies(y, outcome)
    mask = groups.mask.to_numpy()
    coded = covariate_design(work, covs, categorical=cats)
    design = build_design(mask, group, groups.treated, coded.covariates)
    check_model(design.matrix, design.names, "the mixed model")

    codes, sizes, n_own = _cluster_codes(work[cluster], cluster, missing_cluster)
    n_real = len(sizes)

    full = _fit(y, design.matrix, codes, reml)
    null = _fit(y, np.ones((len(y), 1)), codes, reml)

    se = np.sqrt(np.diag(full.cov))
    z = full.beta / se
    pvals = 2 * stats.norm.sf(np.abs(z))
    crit = float(stats.norm.ppf(0.5 + confidence / 2))
    fixed = pd.DataFrame({"term": list(design.names), "estimate": full.beta, "se": se,
                          "z": z, "p_value": pvals, "ci_low": full.beta - crit * se,
                          "ci_high": full.beta + crit * se})
    icc = full.tau2 / (full.tau2 + full.sigma2)
    icc_null = null.tau2 / (null.tau2 + null.sigma2)
    mean_size = float(sizes.mean())
    kish = float((sizes.astype(float) ** 2).sum() / sizes.sum())
    deff = 1 + (kish - 1) * icc
    deff_mean = 1 + (mean_size - 1) * icc
    n_eff = float(sizes.sum() / deff + n_own)
    singular = full.tau2 <= 1e-10 * full.sigma2

    notes = [groups.rule]
    if groups.dropped:
        notes.append(dropped_text(groups.dropped))
    if coded.reference_levels:
        notes.append(coded.coding_note())
    if n_own:
        notes.append(f"{count_of(n_own, 'student')} with no '{cluster}' "
                     f"{'forms a cluster' if n_own == 1 else 'each form a cluster'} of "
                     f"{'its' if n_own == 1 else 'their'} own "
                     "(partially nested design)")
    notes.append("the ICC reported is the conditional (residual) ICC of this model; the "
                 f"null-model ICC is {fmt(icc_null, 3, leading_zero=False)}")
    notes.append("design effect with Kish's cluster size sum(m^2)/sum(m) over the "
                 f"{n_real} clusters in the data")
    notes.append("Wald (normal) intervals and p values for fixed effects")
    _warn(n_real, cluster, singular)
    gi = 1
    return MixedModelResult(
        outcome=outcome, group=group, cluster=cluster, covariates=covs,
        treated=groups.treated, control=groups.control, ci_level=confidence,
        reml=reml,
        fixed=fixed, effect=float(full.beta[gi]), se=float(se[gi]), z=float(z[gi]),
        p_value=float(pvals[gi]), ci_low=float(fixed["ci_low"].iloc[gi]),
        ci_high=float(fixed["ci_high"].iloc[gi]), tau2=full.tau2, sigma2=full.sigma2,
        icc=icc, tau2_null=null.tau2, sigma2_null=null.sigma2, icc_null=icc_null,
        mean_cluster_size=mean_size, kish_cluster_size=kish,
        min_cluster_size=int(sizes.min()), max_cluster_size=int(sizes.max()),
        design_effect=deff, design_effect_mean=deff_mean, n_effective=n_eff, n=len(y),
        n_clusters=n_real, n_own_clusters=n_own, singular=bool(singular),
        deviance=full.deviance, estimation=full.statsmodels,
        dropped=dict(groups.dropped), group_rule=groups.rule, notes=tuple(notes),
    )


def _check_arguments(frame: pd.DataFrame, outcome: str, group: str, cluster: str,
                     covs: tuple[str, ...], cats: tuple[str, ...]) -> None:
    """Check mixed_model()'s columns."""
    for name, role in ((outcome, "outcome"), (group, "group"), (cluster, "cluster")):
        if not isinstance(name, str):
            raise PeerevalError(f"{role} must be a column name, not {name!r}")
    require_columns(frame, [outcome], "outcome")
    require_columns(frame, [group], "group")
    require_columns(frame, [cluster], "cluster")
    require_columns(frame, covs, "covariate")
    roles = [outcome, group, cluster, *covs]
    if len(set(roles)) != len(roles):
        raise PeerevalError("a column is used in two roles (outcome, group, cluster, "
                            f"covariates): {roles}", hint="each column can play one role")
    if [c for c in cats if c not in covs]:
        raise PeerevalError("categorical names a column that is not a covariate",
                            hint="list it in covariates too")


def _cluster_codes(column: pd.Series, cluster: str, missing_cluster: str
                   ) -> tuple[np.ndarray, np.ndarray, int]:
    """Cluster numbers of the analysed rows (a student with no cluster gets one of
    their own, after the real clusters), the real clusters' sizes, and how many
    students have no cluster."""
    raw = column.astype(object)
    blank = raw.isna() | raw.map(lambda v: isinstance(v, str) and not v.strip())
    if blank.all():
        raise PeerevalError(f"no analysed row has a '{cluster}' value", column=cluster,
                            hint="name the column that holds the mentor group")
    if blank.any() and missing_cluster == "error":
        first = column.index[blank.to_numpy()][0]
        raise PeerevalError(
            f"{int(blank.sum())} row(s) have no '{cluster}'", column=cluster,
            hint=f"first at row {first!r}; fill in the cluster, or use "
            "missing_cluster='own' to give each such student a cluster of their own")
    real_codes, _ = pd.factorize(raw[~blank])
    n_real = int(real_codes.max()) + 1
    codes = np.empty(len(raw), dtype=int)
    codes[~blank.to_numpy()] = real_codes
    n_own = int(blank.sum())
    codes[blank.to_numpy()] = n_real + np.arange(n_own)
    sizes = np.bincount(real_codes, minlength=n_real)
    if sizes.max() < 2:
        raise PeerevalError(
            f"no '{cluster}' holds two or more analysed students, so the between-cluster "
            "variance cannot be estimated", column=cluster,
            hint="check the cluster column, or analyse without a mixed model")
    return codes, sizes, n_own


def _warn(n_clusters: int, cluster: str, singular: bool) -> None:
    if n_clusters < FEW_CLUSTERS:
        warnings.warn(
            f"only {n_clusters} '{cluster}' clusters (peereval warns below "
            f"{FEW_CLUSTERS}): with few clusters the between-cluster variance, and so the "
            "ICC and design effect, are estimated imprecisely and their standard errors "
            "are too small (Maas & Hox, 2005, found this with 50 clusters or fewer); with "
            "very few, the intervals of the effects can be too narrow as well (McNeish & "
            "Stapleton, 2016). Report the ICC as uncertain and read the interval with "
            "caution.",
            PeerevalWarning, stacklevel=user_stacklevel())
    if singular:
        warnings.warn(
            f"singular fit: the variance between '{cluster}' clusters is estimated as 0. "
            "The data show no clustering beyond what the fixed effects explain, so the "
            "ICC is 0 and the fixed effects equal those of ordinary regression. This is "
            "common with few clusters or a small true ICC; it does not prove that "
            "clustering is absent.", PeerevalWarning, stacklevel=user_stacklevel())
