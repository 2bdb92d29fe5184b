"""Every analysis a study asks for, run once: :meth:`Study.analyse` -> :class:`StudyResults`.

The report, the workbook and ``peereval summary`` are renderers of one
:class:`StudyResults`; none of them computes anything. The rules of a run live here:

* *One failure does not sink the study.* An analysis that raises a
  :class:`~peereval.errors.PeerevalError` (too few respondents for a factor analysis, a
  singular model) is recorded as :class:`NotRun` with the reason; errors in the inputs
  themselves (a missing file, a codebook item absent from the export) stop the run,
  since nothing sensible could follow.
* *Warnings are kept.* Every :class:`~peereval.errors.PeerevalWarning` an analysis
  raises is recorded in :attr:`StudyResults.warnings`, prefixed with the step.
* *Small cells are suppressed.* Comparisons are not run when a group is smaller than
  ``min_cell``; perceptions are split by cohort only when every cohort reaches it.
* *Deterministic.* Every random step uses the study's seed; nothing depends on the
  clock or on the pseudonymisation key.
"""

from __future__ import annotations

import os
import secrets
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

import pandas as pd

from peereval.errors import ConfigError, PeerevalError, PeerevalWarning

if TYPE_CHECKING:
    from peereval.loaders.records import Linked
    from peereval.outcomes import (
        AncovaResult,
        BinaryComparison,
        Describe,
        ManyComparisons,
        MatchResult,
        MixedModelResult,
        PowerResult,
        PropensityEffect,
    )
    from peereval.perception import PerceptionSummary
    from peereval.reliability import ItemAnalysis, RetestResult, ScaleReliability
    from peereval.study._appraisal import DesignAppraisal
    from peereval.study._config import Study, StudyData
    from peereval.validity import (
        CFAResult,
        ContentValidity,
        DiscriminantValidity,
        EFAResult,
        Factorability,
        FactorRetention,
    )

__all__ = ["DisplayNames", "NotRun", "OutcomePlan", "StudyResults", "analyse_study", "ran"]

Progress = Callable[[str], None]
T = TypeVar("T")


@dataclass(frozen=True)
class NotRun:
    """Why an analysis of a study has no result.

    ``asked`` tells a failure (the study asked for the analysis and it could not be
    run: ``reason`` is the error's message) from an analysis the study did not ask
    for or the data do not call for (no academic records, ``[analyses] propensity =
    false``). A ``NotRun`` is falsy, so ``if results.cfa:`` reads naturally.

    Examples
    --------
    >>> from peereval.study import NotRun
    >>> skipped = NotRun("study.toml names no academic records", asked=False)
    >>> bool(skipped), skipped
    (False, NotRun(not asked: study.toml names no academic records))
    """

    reason: str
    step: str = ""
    asked: bool = True

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"NotRun({'failed' if self.asked else 'not asked'}: {self.reason})"

    @property
    def note(self) -> str:
        """The sentence a report prints in the result's place."""
        reason = self.reason[:1].upper() + self.reason[1:]
        return f"{self.step}: not reported. {reason}" if self.step else reason


def ran(result: Any) -> bool:
    """True when ``result`` is a result, not ``None`` or a :class:`NotRun`."""
    return result is not None and not isinstance(result, NotRun)


@dataclass(frozen=True)
class DisplayNames:
    """Display names from study.toml ``[labels]``: of records columns, and of the values
    of the group column (``yes`` -> "Mentored").

    Examples
    --------
    >>> from peereval.study import DisplayNames
    >>> names = DisplayNames({"gpa_year1": "First-year GPA"}, {"yes": "Mentored"})
    >>> names.column("gpa_year1"), names.value("YES"), names.value("no")
    ('First-year GPA', 'Mentored', 'no')
    """

    columns: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)

    def column(self, name: str) -> str:
        return self.columns.get(name, name)

    def value(self, value: Any) -> Any:
        if value is None or (isinstance(value, float) and value != value):
            return value
        text = str(value)
        if text in self.values:
            return self.values[text]
        lowered = {k.lower(): v for k, v in self.values.items()}
        return lowered.get(text.lower(), value)

    def frame(self, frame: pd.DataFrame, group: str) -> pd.DataFrame:
        """The records with their columns renamed and the group values relabelled."""
        if not self.columns and not self.values:
            return frame
        out = frame.rename(columns=dict(self.columns))
        if self.values:
            name = self.column(group)
            out[name] = out[name].map(self.value)
        return out

    def group_name(self, column: str, value: Any) -> str:
        """A group as a report names it: its label, else ``column = value``."""
        label = self.value(value)
        if label is not value and str(label) != str(value):
            return str(label)
        return f"{self.column(column)} = {value}"


def display_names(study: Study, data: StudyData) -> tuple[DisplayNames, list[str]]:
    """The ``[labels]`` of the study checked against the records, and a note for each
    label that names nothing.

    Raises
    ------
    ConfigError
        When two columns, or two groups, would be shown under one label.
    """
    columns = {str(k): str(v).strip() for k, v in study.labels.get("outcomes", {}).items()}
    values = {str(k): str(v).strip() for k, v in study.labels.get("groups", {}).items()}
    notes: list[str] = []
    if data.records is None:
        return DisplayNames(columns, values), notes
    present = [str(c) for c in data.records.data.columns]
    for name in [c for c in columns if c not in present]:
        notes.append(f"study.toml [labels] outcomes names '{name}', which is not a column "
                     "of the records; its label is not used")
    names = [columns.get(c, c) for c in present]
    clash = sorted({n for n in names if names.count(n) > 1})
    if clash:
        raise ConfigError(f"[labels] outcomes gives the label '{clash[0]}' to a column "
                          "whose name or label another column already has",
                          file=study.path, column="labels.outcomes",
                          hint="give every column its own label")
    seen = [str(v) for v in data.records.groups().index]
    labels = DisplayNames(columns, values)
    for name in [v for v in values if v not in seen and v.lower() not in
                 {s.lower() for s in seen}]:
        notes.append(f"study.toml [labels] groups names '{name}', which is not a value of "
                     f"'{data.records.group}' (values: {', '.join(seen)}); its label is "
                     "not used")
    shown = [str(labels.value(v)) for v in seen]
    if len(set(shown)) < len(shown):
        raise ConfigError("[labels] groups gives two groups the same label",
                          file=study.path, column="labels.groups",
                          value=", ".join(shown), hint="give each group its own label")
    return labels, notes


@dataclass(frozen=True)
class OutcomePlan:
    """The academic-outcome analyses as the study defines them, in display names.

    ``frame`` is the records with ``[labels]`` applied; the other fields name its
    columns (``treated`` is the mentored group's displayed value).

    Examples
    --------
    >>> import peereval
    >>> from peereval.study import read_study
    >>> plan = read_study(peereval.sample_path("study")).analyse().plan
    >>> plan.group, plan.treated  # the sample's [labels] name the groups and outcomes
    ('mentored', 'mentored')
    >>> plan.outcomes
    ('first-year GPA', 'end-of-year exam score', 'passing the first year')
    >>> plan.covariates
    ('entry GPA', 'sex', 'age')
    """

    frame: pd.DataFrame
    group: str
    treated: Any
    continuous: tuple[str, ...]
    binary: tuple[str, ...]
    covariates: tuple[str, ...]
    cluster: str | None
    sizes: pd.Series

    @property
    def outcomes(self) -> tuple[str, ...]:
        return (*self.continuous, *self.binary)


@dataclass(frozen=True, repr=False)
class StudyResults:
    """Every analysis of one study: a result object, or :class:`NotRun` saying why not.

    Built by :meth:`peereval.study.Study.analyse`; read by every renderer (the HTML
    report, the workbook, ``peereval summary``), so they show the same numbers.
    ``warnings`` holds every :class:`~peereval.errors.PeerevalWarning` raised on the
    way, prefixed with its step.

    Examples
    --------
    >>> import peereval
    >>> from peereval.study import read_study
    >>> results = read_study(peereval.sample_path("study")).analyse()
    >>> results.reliability.to_frame()["alpha"].round(2).tolist()
    [0.85, 0.78, 0.8]
    >>> results.linked.report.matched, results.seed
    (138, 20240301)
    """

    study: Study
    data: StudyData
    seed: int
    names: DisplayNames
    linked: Linked | NotRun
    response_rate: float | None
    perception: PerceptionSummary | NotRun
    perception_by: str | None
    reliability: ScaleReliability | NotRun
    reliability_skipped: Mapping[str, str]
    item_analysis: Mapping[str, ItemAnalysis] | NotRun
    retest: RetestResult | NotRun
    content: ContentValidity | NotRun
    factorability: Factorability | NotRun
    retention: FactorRetention | NotRun
    efa: EFAResult | NotRun
    cfa: CFAResult | NotRun
    discriminant: DiscriminantValidity | NotRun
    plan: OutcomePlan | NotRun
    characteristics: Describe | NotRun
    comparisons: ManyComparisons | NotRun
    adjusted: Mapping[str, AncovaResult | BinaryComparison | NotRun]
    matched: MatchResult | NotRun
    matched_effects: Mapping[str, PropensityEffect]
    mixed: Mapping[str, MixedModelResult | NotRun]
    power: PowerResult | NotRun
    coding: pd.DataFrame | NotRun
    appraisal: DesignAppraisal | NotRun
    warnings: tuple[str, ...]

    #: The analyses, in the order of the report, with a short description each.
    ANALYSES: ClassVar[Mapping[str, str]] = {
        "linked": "linkage of survey and records",
        "perception": "perception summary",
        "reliability": "scale reliability",
        "item_analysis": "item analysis",
        "retest": "test-retest reliability",
        "content": "content validity",
        "factorability": "factorability",
        "retention": "factor retention",
        "efa": "exploratory factor analysis",
        "cfa": "confirmatory factor analysis",
        "discriminant": "convergent and discriminant validity",
        "characteristics": "characteristics of the groups",
        "comparisons": "unadjusted comparison of the groups",
        "adjusted": "adjusted comparisons",
        "matched": "propensity-score matching",
        "mixed": "mixed models",
        "power": "sensitivity power analysis",
        "appraisal": "design appraisal",
    }

    def status(self) -> pd.DataFrame:
        """One row per analysis: whether it ran and, if not, why."""
        rows = []
        for key, what in self.ANALYSES.items():
            value = getattr(self, key)
            if isinstance(value, Mapping):
                failed = [v for v in value.values() if isinstance(v, NotRun)]
                state = ("not asked" if not value else "failed" if len(failed) == len(value)
                         else "ran")
                reason = "; ".join(v.reason for v in failed)
            elif isinstance(value, NotRun):
                state, reason = ("failed" if value.asked else "not asked"), value.reason
            else:
                state, reason = "ran", ""
            rows.append({"analysis": key, "what": what, "state": state, "reason": reason})
        return pd.DataFrame(rows)

    def __repr__(self) -> str:
        status = self.status()
        ran_ = status.loc[status["state"] == "ran", "analysis"].tolist()
        failed = status.loc[status["state"] == "failed", "analysis"].tolist()
        text = (f"StudyResults({self.study.title!r}: {len(ran_)} analyses ran"
                + (f", {len(failed)} failed ({', '.join(failed)})" if failed else "")
                + f"; {len(self.warnings)} warnings; seed {self.seed})")
        return text

    def _repr_html_(self) -> str:
        import html

        return (f"<p>{html.escape(repr(self))}</p>"
                + self.status().to_html(index=False, escape=True))


class _Steps:
    """Runs analyses one at a time: keeps their warnings, turns errors into NotRun."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.warnings: list[str] = []

    def note(self, text: str) -> None:
        if text not in self.warnings:
            self.warnings.append(text)

    def run(self, what: str, compute: Callable[[], T]) -> T | NotRun:
        self.progress(what)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PeerevalWarning)
            try:
                value: T | NotRun = compute()
            except PeerevalError as exc:
                value = NotRun(getattr(exc, "message", str(exc)), step=what)
        for warning in caught:
            if issubclass(warning.category, PeerevalWarning):
                self.note(f"{what}: {warning.message}")
        return value


def _not_asked(reason: str) -> NotRun:
    return NotRun(reason, asked=False)


def analyse_study(study: Study, *, progress: Progress | None = None) -> StudyResults:
    """Read the inputs of ``study`` and run every analysis it asks for.

    See :meth:`peereval.study.Study.analyse`.
    """
    progress = progress or (lambda _: None)
    progress("Reading and screening the inputs")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PeerevalWarning)
        data = study.load()
    steps = _Steps(progress)
    for warning in caught:
        if issubclass(warning.category, PeerevalWarning):
            steps.note(f"Reading the survey: {warning.message}")
    panel = study.read_panel()  # an unreadable panel is an input error: it stops the run
    seed = study.seed if study.seed is not None else secrets.randbelow(2**31)
    names, label_notes = display_names(study, data)
    for text in label_notes:
        steps.note(text)
    if study.seed is None:
        steps.note(f"study.toml sets no seed: seed {seed} was drawn; add seed = {seed} "
                   "under [study] to reproduce this report")
    invited = study.survey.get("invited")
    response_rate = len(data.screened) / invited if invited else None

    linked = (_not_asked("study.toml names no academic records") if data.records is None
              else steps.run("Linkage of survey and records", lambda: link_study(study, data)))
    perception, perception_by = _perception(study, data, names, linked, steps)
    out: dict[str, Any] = {"study": study, "data": data, "seed": seed, "names": names,
                           "linked": linked, "response_rate": response_rate,
                           "perception": perception, "perception_by": perception_by}
    out.update(_reliability(study, data, seed, steps))
    out.update(_validity(study, data, panel, seed, steps))
    out.update(_outcomes(study, data, names, seed, steps))
    out["appraisal"] = steps.run("Design appraisal", lambda: _appraise(study, data, out,
                                                                        names))
    out["coding"] = steps.run("Coding of the answers", lambda: coding_summary(data))
    return StudyResults(**out, warnings=tuple(steps.warnings))


def link_study(study: Study, data: StudyData) -> Any:
    """Link the screened survey to the records with the study's key and id column.

    The key is read from the environment variable ``[privacy] key_env``; without it a
    one-off random key is used (pseudonyms then differ between runs, counts do not).
    Every outcome, covariate, baseline and cluster column the study names is kept.
    """
    from peereval.loaders.records import link

    key = os.environ.get(study.key_env) or secrets.token_hex(32)
    named = [*study.outcomes.get("continuous", []), *study.outcomes.get("binary", []),
             *study.outcomes.get("covariates", []),
             *(study.outcomes[k] for k in ("baseline", "cluster") if k in study.outcomes)]
    return link(data.screened, data.records, key=key,
                survey_id=study.survey.get("id", "student_id"), keep=named)


# --------------------------------------------------------------------- perception


def _perception(study: Study, data: StudyData, names: DisplayNames, linked: Any,
                steps: _Steps) -> tuple[Any, str | None]:
    from peereval.perception import summarise

    responses, by = _cohort_split(study, data, names, linked, steps)
    summary = steps.run("Perception summary",
                        lambda: summarise(responses, data.instrument, by=by))
    return summary, (None if by is None else str(by.name))


def _cohort_split(study: Study, data: StudyData, names: DisplayNames, linked: Any,
                  steps: _Steps) -> tuple[Any, pd.Series | None]:
    """The responses to summarise and, when respondents of two or more cohorts
    answered and every cohort has at least ``min_cell`` of them, their cohorts."""
    if not ran(linked):
        return data.screened, None
    group = linked.records.group
    cohorts = linked.records.data.loc[
        linked.records.data.index.isin(linked.responses.ids), group].dropna()
    counts = cohorts.value_counts()
    if len(counts) < 2:
        return data.screened, None
    if counts.min() < study.min_cell:
        steps.note(f"Perception summary: not split by {names.column(group)}, a cohort has "
                   f"fewer than {study.min_cell} respondents")
        return data.screened, None
    cohort = linked.records.data[group]
    if names.values or names.columns:
        cohort = cohort.map(names.value).rename(names.column(group))
    return linked.responses, cohort


# --------------------------------------------------------------------- reliability


def _reliability(study: Study, data: StudyData, seed: int, steps: _Steps) -> dict[str, Any]:
    from peereval.reliability import item_analysis, scale_reliability, test_retest

    out: dict[str, Any] = {"reliability_skipped": {}}
    if not study.analyses["reliability"]:
        off = _not_asked("study.toml [analyses] reliability = false")
        return {**out, "reliability": off, "item_analysis": off, "retest": off}
    options = study.options
    usable, skipped = _scales_with_reliability(data)
    out["reliability_skipped"] = skipped
    nothing = "no scale can be analysed (see the notes above)"

    def reliability() -> Any:
        if not usable:
            raise PeerevalError(nothing)
        return scale_reliability(data.scores.items,
                                 replace(data.instrument, scales=tuple(usable)),
                                 ci=options["ci"], n_boot=options["n_boot"], seed=seed)

    def items() -> dict[str, Any]:
        if not usable:
            raise PeerevalError(nothing)
        return {scale.name: item_analysis(data.scores.items, list(scale.items),
                                          response_range=data.instrument.range_of(scale))
                for scale in usable}

    out["reliability"] = steps.run(f"Scale reliability ({ci_words(options)})", reliability)
    out["item_analysis"] = steps.run("Item analysis", items)
    out["retest"] = (_not_asked("study.toml has no [retest]") if data.retest is None else
                     steps.run("Test-retest reliability",
                               lambda: test_retest(*data.retest_scores())))
    return out


#: How the report names each interval method of coefficient alpha.
CI_WORDS = {"feldt": "Feldt's F-based interval", "percentile": "a percentile bootstrap "
            "interval ({n} resamples)", "bca": "a bias-corrected and accelerated (BCa) "
            "bootstrap interval ({n} resamples)"}


def ci_words(options: Mapping[str, Any]) -> str:
    """The interval method of ``[options] ci`` in words."""
    return CI_WORDS[options["ci"]].format(n=options["n_boot"])


def _scales_with_reliability(data: StudyData) -> tuple[list[Any], dict[str, str]]:
    """The scales whose items allow a reliability analysis, and the reason for each
    of the others (a zero-variance item, too few respondents)."""
    from peereval.reliability import alpha

    usable, skipped = [], {}
    for scale in data.instrument.scales:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", PeerevalWarning)
                alpha(data.scores.items, list(scale.items))
        except PeerevalError as exc:
            skipped[scale.name] = str(getattr(exc, "message", exc))
            continue
        usable.append(scale)
    return usable, skipped


# --------------------------------------------------------------------- validity


def _validity(study: Study, data: StudyData, panel: Any, seed: int, steps: _Steps
              ) -> dict[str, Any]:
    from peereval.validity import cfa, discriminant_validity, efa, factor_retention
    from peereval.validity import content_validity as content_validity_of
    from peereval.validity import factorability as factorability_of

    out: dict[str, Any] = {}
    if not study.analyses["content_validity"]:
        out["content"] = _not_asked("study.toml [analyses] content_validity = false")
    elif study.expert_panel is None:
        out["content"] = _not_asked("study.toml has no [expert_panel]")
    else:
        def content() -> Any:
            rated = set(panel.relevance.index)
            scales = {s.name: [i for i in s.items if i in rated]
                      for s in data.instrument.scales}
            return content_validity_of(panel.relevance, essentiality=panel.essentiality,
                                       importance=panel.importance,
                                       scales={k: v for k, v in scales.items() if v} or None)

        out["content"] = steps.run("Content validity", content)
    if not study.analyses["factor_analysis"]:
        off = _not_asked("study.toml [analyses] factor_analysis = false")
        return {**out, "factorability": off, "retention": off, "efa": off, "cfa": off,
                "discriminant": off}
    n_iter = study.options["n_iter"]
    out["factorability"] = steps.run("Factorability", lambda: factorability_of(data.scores))
    retention = steps.run(f"Factor retention ({n_iter} parallel-analysis simulations)",
                          lambda: factor_retention(data.scores, n_iter=n_iter, seed=seed))
    out["retention"] = retention
    if not ran(retention):
        out["efa"] = _not_asked("the number of factors could not be chosen")
    elif retention.recommended < 1:
        out["efa"] = _not_asked("factor retention suggests no factor")
    else:
        out["efa"] = steps.run("Exploratory factor analysis",
                               lambda: efa(data.scores, n_factors=retention.recommended))
    fit = steps.run("Confirmatory factor analysis",
                    lambda: cfa(data.scores.items, data.instrument))
    out["cfa"] = fit
    if not ran(fit):
        out["discriminant"] = _not_asked("no confirmatory factor analysis")
    elif len(fit.factors) < 2:
        out["discriminant"] = _not_asked("the codebook has one scale")
    else:
        out["discriminant"] = steps.run("Convergent and discriminant validity",
                                        lambda: discriminant_validity(fit))
    return out


# --------------------------------------------------------------------- outcomes


def _plan(study: Study, data: StudyData, names: DisplayNames) -> OutcomePlan:
    frame = names.frame(data.records.data, data.records.group)
    baseline = study.outcomes.get("baseline")
    cluster = study.outcomes.get("cluster")
    return OutcomePlan(
        frame=frame, group=names.column(data.records.group),
        treated=names.value((study.records or {}).get("treated")),
        continuous=tuple(names.column(c) for c in study.outcomes.get("continuous", [])),
        binary=tuple(names.column(c) for c in study.outcomes.get("binary", [])),
        covariates=tuple(names.column(c) for c in ([baseline] if baseline else [])
                         + list(study.outcomes.get("covariates", []))),
        cluster=names.column(cluster) if cluster else None,
        sizes=data.records.groups().rename(index=names.value))


def _outcomes(study: Study, data: StudyData, names: DisplayNames, seed: int,
              steps: _Steps) -> dict[str, Any]:
    from peereval.outcomes import describe

    keys = ("characteristics", "comparisons", "matched", "power")
    if data.records is None or not study.outcomes:
        why = _not_asked("study.toml names no academic records" if data.records is None
                         else "study.toml has no [outcomes]")
        return {"plan": why, **dict.fromkeys(keys, why), "adjusted": {}, "matched_effects": {},
                "mixed": {}}
    plan = _plan(study, data, names)
    out: dict[str, Any] = {"plan": plan, "adjusted": {}, "matched_effects": {}, "mixed": {}}
    out["characteristics"] = steps.run("Characteristics of the groups", lambda: describe(
        plan.frame, plan.group, [*plan.covariates, *plan.outcomes], treated=plan.treated,
        categorical=list(plan.binary) or None, min_cell=study.min_cell))
    if plan.sizes.min() < study.min_cell:
        small = NotRun(f"Comparisons are not reported: a group has fewer than "
                       f"{study.min_cell} students (privacy min_cell).", asked=False)
        return {**out, "comparisons": small, "matched": small, "power": small}
    if not plan.outcomes or not study.analyses["outcomes"]:
        off = _not_asked("study.toml [analyses] outcomes = false" if plan.outcomes
                         else "study.toml names no outcome")
        return {**out, "comparisons": off, "matched": off, "power": off}
    out["comparisons"] = steps.run("Unadjusted comparison of the groups",
                                   lambda: _compare(study, plan, seed))
    if plan.covariates:
        out["adjusted"] = {outcome: steps.run(f"Adjusted comparison of {outcome}",
                                              _adjusted_of(plan, outcome))
                           for outcome in plan.outcomes}
    if not plan.covariates:
        out["matched"] = _not_asked("study.toml names no covariates")
    elif not study.analyses["propensity"]:
        out["matched"] = _not_asked("study.toml [analyses] propensity = false")
    else:
        matched = steps.run("Propensity-score matching", lambda: _match(plan, seed))
        out["matched"] = matched[0] if ran(matched) else matched
        out["matched_effects"] = matched[1] if ran(matched) else {}
    if plan.cluster:
        from peereval.outcomes import mixed_model

        out["mixed"] = {outcome: steps.run(f"Mixed model of {outcome}", (
            lambda outcome=outcome: mixed_model(plan.frame, outcome, plan.group,
                                                plan.cluster, list(plan.covariates) or None,
                                                treated=plan.treated)))
            for outcome in plan.continuous}
    out["power"] = steps.run("Sensitivity power analysis", lambda: _power(plan))
    return out


def _compare(study: Study, plan: OutcomePlan, seed: int) -> Any:
    from peereval.outcomes import compare_many

    return compare_many(plan.frame, list(plan.outcomes), plan.group, binary=list(plan.binary),
                        treated=plan.treated, adjust=study.options["adjust"], seed=seed)


def _adjusted_of(plan: OutcomePlan, outcome: str) -> Callable[[], Any]:
    """The adjusted comparison of one outcome: ANCOVA, or logistic regression for a
    pass/fail outcome (refused when the outcome is perfectly separated)."""
    from peereval.outcomes import ancova, compare_binary

    def adjusted() -> Any:
        covariates = list(plan.covariates)
        if outcome in plan.continuous:
            return ancova(plan.frame, outcome, plan.group, covariates, treated=plan.treated)
        result = compare_binary(plan.frame, outcome, plan.group, treated=plan.treated,
                                covariates=covariates)
        if result.separation:
            raise PeerevalError(
                f"'{outcome}' is perfectly separated in the logistic model on "
                + ", ".join(covariates) + ", so its adjusted odds ratio cannot be "
                "estimated (the unadjusted comparison stands)")
        return result

    return adjusted


def _match(plan: OutcomePlan, seed: int) -> tuple[Any, dict[str, Any]]:
    from peereval.outcomes import propensity_match

    matched = propensity_match(plan.frame, plan.group, list(plan.covariates),
                               treated=plan.treated, seed=seed)
    return matched, {outcome: matched.effect(outcome) for outcome in plan.outcomes}


def _power(plan: OutcomePlan) -> Any:
    from peereval.outcomes import power

    sizes = plan.sizes
    labels = [str(v) for v in sizes.index]
    treated = str(plan.treated) if plan.treated is not None else labels[0]
    n_treated = int(sizes[sizes.index.astype(str) == treated].iloc[0])
    return power(outcome="continuous", n=[n_treated, int(sizes.sum() - n_treated)],
                 power=0.8)


# --------------------------------------------------------------------- coding, design


def coding_summary(data: StudyData) -> pd.DataFrame:
    """The coding table of the survey grouped by scale and answer: one row per answer
    as exported, the number it was coded as, the rule and source of the coding, the
    levels nobody chose, the items and the count of answers."""
    table = data.instrument.coding_table(data.responses)
    keys = ["scale", "answer", "label", "value", "rule", "source", "unseen_levels"]
    if table.empty:
        return pd.DataFrame(columns=[*keys, "items", "count"])
    scale_of = {item: scale.name for scale in data.instrument.scales for item in scale.items}
    table = table.assign(scale=table["item"].map(scale_of).fillna(""))
    table["label"] = table["label"].where(table["label"] != table["answer"], "")
    return (table.groupby(keys, sort=False, dropna=False)
            .agg(items=("item", lambda items: ", ".join(dict.fromkeys(items))),
                 count=("count", "sum"))
            .reset_index()
            .sort_values(["scale", "value"], kind="stable", na_position="last")
            .reset_index(drop=True))


def study_design(study: Study, data: StudyData) -> str:
    """``[study] design``, else what the inputs imply."""
    design = study.info.get("design")
    if design:
        return str(design)
    if data.records is not None and study.outcomes:
        return "two_group_baseline" if study.outcomes.get("baseline") else "two_group"
    return "cross_sectional"


def _appraise(study: Study, data: StudyData, out: Mapping[str, Any],
              names: DisplayNames) -> Any:
    from peereval.study._appraisal import appraise_design

    outcomes: dict[str, str] = {}
    for scale in data.instrument.scales:
        outcomes[scale.label or scale.name] = "perception"
    kind = study.outcomes.get("kind", "knowledge")
    for outcome in [*study.outcomes.get("continuous", []), *study.outcomes.get("binary", [])]:
        outcomes[names.column(outcome)] = kind
    return appraise_design(
        study_design(study, data),
        outcomes=outcomes,
        institutions=int(study.info.get("institutions", 1)),
        response_rate=out["response_rate"],
        internal_structure=ran(out.get("cfa")) or ran(out.get("retention")),
        content=ran(out.get("content")),
        relationships=False,
        beyond_descriptive=True,
        historical_controls=bool(study.info.get("historical_controls", False)),
        self_selected=study.info.get("self_selected"),
        clustered=bool(study.outcomes.get("cluster")),
        clustering_modelled=any(ran(r) for r in out.get("mixed", {}).values()),
    )
