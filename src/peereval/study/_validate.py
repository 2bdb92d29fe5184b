"""``peereval validate``: a dry run of a study, not a syntax check.

:func:`validate_study` reads every input a ``study.toml`` names and checks them
against each other without computing a statistic; it lists every problem at once,
each with its key, file and fix (:class:`Problem`), in a :class:`StudyCheck`.
:func:`check_study` raises them together as one :class:`StudyProblemsError`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from peereval._results import Result
from peereval.errors import ConfigError, PeerevalError
from peereval.study._config import Study, read_study
from peereval.study._problems import Problem, StudyProblemsError

__all__ = ["Problem", "StudyCheck", "check_study", "validate_study"]

@dataclass(frozen=True, repr=False)
class StudyCheck(Result):
    """What :func:`validate_study` found: inputs read, analyses left out, problems.

    Attributes
    ----------
    path
        The ``study.toml`` checked.
    found
        One line per input read (and the linkage and factor-analysis counts).
    problems
        Every :class:`Problem`, errors and warnings, in the order found.
    skipped
        Analyses on by default that these inputs do not allow (not problems: the
        study does not ask for them explicitly).

    Examples
    --------
    >>> import peereval
    >>> from peereval.study import validate_study
    >>> check = validate_study(peereval.sample_path("study"))
    >>> check.ready, len(check.errors), check.to_frame().columns.tolist()
    (True, 0, ['level', 'key', 'where', 'message', 'fix'])
    >>> print(check.text().splitlines()[-1])  # doctest: +ELLIPSIS
    The study is ready: peereval report .../study.toml
    """

    path: Path
    found: tuple[str, ...]
    problems: tuple[Problem, ...]
    skipped: tuple[str, ...] = ()
    title: str = "peereval validate"

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that stop the study from being ready."""
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems to read before trusting the report."""
        return tuple(p for p in self.problems if p.level != "error")

    @property
    def ready(self) -> bool:
        """No error: the report would hold every analysis ``[analyses]`` asks for."""
        return not self.errors

    def to_frame(self) -> pd.DataFrame:
        """One row per problem: level, key, where, message, fix."""
        return pd.DataFrame([{"level": p.level, "key": p.key, "where": p.where,
                              "message": p.message, "fix": p.fix} for p in self.problems],
                            columns=["level", "key", "where", "message", "fix"])

    def text(self) -> str:
        """The check as ``peereval validate`` prints it."""
        lines = [f"ok       {line}" for line in self.found]
        lines += [f"not run  {line}" for line in self.skipped]
        for problem in self.problems:
            where = f" {problem.where}:" if problem.where else ""
            lines.append(f"{problem.level:<8} [{problem.key}]{where} {problem.message}")
            if problem.fix:
                lines.append(f"{'':9}How to fix: {problem.fix}")
        n_err, n_warn = len(self.errors), len(self.warnings)
        if self.ready:
            lines.append(f"The study is ready: peereval report {self.path}"
                         + (f" (read the {n_warn} warning(s) above)" if n_warn else ""))
        else:
            lines.append(f"The study is not ready: {n_err} error(s)"
                         + (f" and {n_warn} warning(s)" if n_warn else "")
                         + "; fix them and run peereval validate again")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.text()


def validate_study(path: str | Path) -> StudyCheck:
    """A dry run of a study: read every input, count, and list every problem at once.

    Nothing is analysed (no estimate is computed); the inputs are read, screened,
    scored and counted as :func:`peereval.report.run_study` would.

    Parameters
    ----------
    path
        The ``study.toml`` file.

    Returns
    -------
    StudyCheck
        Every problem found, each with its key, file and fix; ``ready`` is true only
        when the report would hold every analysis that ``[analyses]`` asks for.

    Notes
    -----
    Besides the keys, types and paths of ``study.toml`` (:func:`read_study`), it
    checks: codebook items present in the export; answers outside the declared
    response range; items without variance; scales of fewer than three items and
    items in two scales; comments that are not free text; the survey id set (with
    records or a retest), how many analysed respondents link to the records and how
    many retest respondents pair; two groups and the treated value; outcome and
    covariate columns present, not id-like and not constant, with values in both
    groups (two values for a binary outcome); group sizes at or above ``min_cell``;
    at least three experts; respondents with every item answered against
    the items of the factor analyses (more than the items, or they cannot run;
    at least 100 and 5 per item for EFA, Gorsuch 1983; at least 100 for a CFA,
    Kline 2016); and every analysis asked for having the inputs it needs.

    Examples
    --------
    >>> import peereval
    >>> check = validate_study(peereval.sample_path("study"))
    >>> check.ready, check.found[0]
    (True, 'study file study.toml: valid')
    """
    path = Path(path)
    try:
        study = read_study(path)
    except StudyProblemsError as exc:
        return StudyCheck(path, (), exc.issues)
    except PeerevalError as exc:
        return StudyCheck(path, (), (Problem.from_error(exc),))
    run = _DryRun(study, found=[f"study file {study.path.name}: valid"])
    run.explicit = _explicit_analyses(study.path)
    _read_survey(run)
    _read_others(run)
    _check_codebook(run)
    _check_comments(run)
    _check_linkage(run)
    _check_retest(run)
    _check_records(run)
    _check_factor_n(run)
    _read_panel(run)
    _check_requested(run)
    return StudyCheck(study.path, tuple(run.found), tuple(run.problems), tuple(run.skipped))


def check_study(path: str | Path) -> list[str]:
    """Validate a study and read its inputs; raise when anything is wrong.

    Nothing is analysed. The same checks as :func:`validate_study`; returns what was
    found, one line per input, when the study has no error, and raises one
    :class:`~peereval.errors.ConfigError` (the problem itself when there is one,
    :class:`StudyProblemsError` listing them all when there are several) otherwise.

    Parameters
    ----------
    path
        The ``study.toml`` file.

    Returns
    -------
    list[str]
        One line per input, saying what was found in it.

    Examples
    --------
    >>> import peereval
    >>> lines = check_study(peereval.sample_path("study"))
    >>> lines[0].startswith("study file")
    True
    """
    result = validate_study(path)
    if result.errors:
        errors = list(result.errors)
        if len(errors) == 1:
            only = errors[0]
            raise ConfigError(only.message, file=result.path, column=only.key,
                              hint=only.fix)
        raise StudyProblemsError(errors, file=result.path)
    return list(result.found)


# ---------------------------------------------------------------- dry-run steps


@dataclass
class _DryRun:
    """What the dry run has read so far and the problems found."""

    study: Study
    found: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    explicit: set[str] = field(default_factory=set)
    responses: Any = None
    instrument: Any = None
    screened: Any = None
    scores: Any = None
    retest: Any = None
    records: Any = None
    survey_id: str | None = None

    def error(self, key: str, message: str, fix: str = "", where: str = "") -> None:
        self.problems.append(Problem("error", key, message, fix, where))

    def warn(self, key: str, message: str, fix: str = "", where: str = "") -> None:
        self.problems.append(Problem("warning", key, message, fix, where))

    def attempt(self, key: str, step: Any) -> Any:
        """``step()``, or ``None`` with its error recorded under ``key``."""
        try:
            return step()
        except PeerevalError as exc:
            self.problems.append(Problem.from_error(exc, key))
            return None


def _explicit_analyses(path: Path) -> set[str]:
    """The ``[analyses]`` keys the file sets to true itself (not by default)."""
    with path.open("rb") as fh:
        analyses = tomllib.load(fh).get("analyses", {})
    return {k for k, v in analyses.items() if v is True}


def _read_survey(run: _DryRun) -> None:
    from peereval.instrument import Instrument
    from peereval.loaders import read_export
    from peereval.quality import screen

    study, survey = run.study, run.study.survey
    responses = run.attempt("survey.export", lambda: read_export(
        survey["export"], platform=survey.get("platform", "auto"), sheet=survey.get("sheet"),
        encoding=survey.get("encoding"), dictionary=survey.get("dictionary"),
        definition=survey.get("definition")))
    instrument = run.attempt("survey.codebook", lambda: Instrument.from_toml(survey["codebook"]))
    run.responses, run.instrument = responses, instrument
    if responses is None:
        return
    survey_id = survey.get("id")
    if survey_id and survey_id not in responses.meta and survey_id not in responses.answers:
        run.error("survey.id", f"the survey has no column '{survey_id}'",
                  "columns of " + responses.source.name + ": "
                  + ", ".join([*map(str, responses.meta.columns),
                               *map(str, responses.answers.columns)][:40]),
                  f"file '{study.path.name}'")
        survey_id = None
    run.survey_id = survey_id
    usable = instrument
    if instrument is not None:
        absent = [i for i in instrument.items
                  if instrument.column_of(i) not in responses.items and i not in responses.items]
        if absent:
            run.error("survey.codebook", f"the codebook lists item(s) {absent[:10]} that the "
                      "export does not have", "items of the export: "
                      + ", ".join(list(responses.items)[:40]),
                      f"file '{Path(survey['codebook']).name}'")
            usable = None
    screening = run.attempt("survey.export", lambda: screen(
        responses, usable, id_column=survey_id, speed_fraction=study.speed_fraction))
    if screening is None:
        return
    run.screened = run.attempt("screening.drop", lambda: screening.apply(
        responses, study.screening_drop)[0])
    if run.screened is None:
        return
    run.found.append(f"survey {responses.source.name} ({responses.platform}): "
                     f"{len(responses)} responses, {len(responses.items)} items; "
                     f"{len(run.screened)} kept after screening")
    if usable is not None:
        run.found.append(f"codebook {usable.name}: {len(usable.scales)} scales, "
                         f"{len(usable.items)} items, all present in the export")
        run.scores = run.attempt("survey.codebook", lambda: usable.score(
            run.screened, out_of_range="missing"))


def _read_others(run: _DryRun) -> None:
    from peereval.loaders import read_export
    from peereval.loaders.records import read_records

    study = run.study
    if study.retest is not None:
        retest = study.retest
        run.retest = run.attempt("retest.export", lambda: read_export(
            retest["export"], platform=retest.get("platform", "auto"), sheet=retest.get("sheet"),
            encoding=retest.get("encoding"), definition=study.survey.get("definition")))
        if run.retest is not None:
            run.found.append(f"retest {run.retest.source.name}: {len(run.retest)} responses")
            if run.survey_id and run.survey_id not in run.retest.meta and \
                    run.survey_id not in run.retest.answers:
                run.error("retest.export", f"the retest has no column '{run.survey_id}' "
                          "(the survey id), so the two administrations cannot be paired",
                          "export the retest with the same student-id field",
                          f"file '{run.retest.source.name}'")
    if study.records is not None:
        records = study.records
        run.records = run.attempt("records.file", lambda: read_records(
            records["file"], id=records["id"], group=records["group"],
            sheet=records.get("sheet"), encoding=records.get("encoding")))


def _read_panel(run: _DryRun) -> None:
    study = run.study
    if study.expert_panel is not None:
        panel = run.attempt("expert_panel.file", study.read_panel)
        if panel is not None:
            run.found.append(f"expert panel {Path(study.expert_panel['file']).name}: "
                             f"{panel.relevance.shape[0]} items x "
                             f"{panel.relevance.shape[1]} experts")
            if panel.relevance.shape[1] < 3 and study.analyses["content_validity"]:
                run.error("expert_panel.file", f"{panel.relevance.shape[1]} expert(s) "
                          "rated the items: content validity needs at least three",
                          "add the ratings of more experts", "file "
                          f"'{Path(study.expert_panel['file']).name}'")


def _check_codebook(run: _DryRun) -> None:
    instrument = run.instrument
    if instrument is None:
        return
    where = f"file '{instrument.source.name}'" if instrument.source else ""
    owner: dict[str, str] = {}
    for scale in instrument.scales:
        for code in scale.items:
            if code in owner:
                run.error("survey.codebook", f"item '{code}' is in two scales "
                          f"({owner[code]} and {scale.name}): the two scores share an item, "
                          "which inflates their correlation and muddles the factor model",
                          f"keep '{code}' in one scale only", where)
            owner.setdefault(code, scale.name)
        if len(scale.items) < 3:
            single = len(instrument.scales) == 1
            stop = len(scale.items) == 1 or (single and
                                             run.study.analyses["factor_analysis"])
            reason = ("alpha and omega need at least two items" if len(scale.items) == 1
                      else "a factor of two items is identified only through its "
                      "correlations with other factors, and the alpha of two items is "
                      "one correlation")
            (run.error if stop else run.warn)(
                "survey.codebook", f"scale '{scale.name}' has {len(scale.items)} item(s), "
                f"fewer than three: {reason}", "give each scale at least three items "
                "(or leave out a one-item question)", where)
    _check_range(run, where)
    _check_item_variance(run, where)


def _check_item_variance(run: _DryRun, where: str) -> None:
    """Items everybody answered alike: alpha, omega and the factor models refuse them."""
    if run.scores is None:
        return
    items = run.scores.items
    for scale in run.instrument.scales:
        flat = [c for c in scale.items if items[c].dropna().nunique() < 2]
        if flat:
            run.error("survey.codebook", f"item(s) {flat} of scale '{scale.name}' have no "
                      "variance among the analysed respondents (everybody gave the same "
                      "answer, or nobody answered): its reliability and the factor "
                      "analyses would not be reported", "leave the item(s) out of the "
                      "scale, or check the export and its coding", where)


def _check_range(run: _DryRun, where: str) -> None:
    instrument = run.instrument
    if run.screened is None or run.scores is None:
        return
    try:
        values = instrument.item_values(run.screened)
    except PeerevalError as exc:  # labels that cannot be coded
        run.problems.append(Problem.from_error(exc, "survey.codebook"))
        return
    outside: list[str] = []
    total = 0
    for scale in instrument.scales:
        low, high = instrument.range_of(scale)
        for code in scale.items:
            column = values[code].mask(values[code].isin(instrument.missing_codes))
            bad = column[column.notna() & ((column < low) | (column > high))]
            if len(bad):
                total += len(bad)
                seen = ", ".join(f"{v:g}" for v in sorted(set(bad))[:5])
                outside.append(f"{code} ({len(bad)}: {seen}; range {low:g}-{high:g})")
    if outside:
        run.error("survey.codebook", f"{total} answer(s) lie outside the declared response "
                  "range: " + "; ".join(outside[:8]) + ("; ..." if len(outside) > 8 else ""),
                  "if these codes mean 'no answer', list them as missing_codes = [...]; if "
                  "the range is wrong, fix response_range (a scale may have its own); or "
                  "drop those respondents with \"out_of_range\" in [screening] drop", where)


def _check_comments(run: _DryRun) -> None:
    from peereval.study._init import free_text_evidence

    responses = run.responses
    if responses is None:
        return
    for name in run.study.survey.get("comments", []):
        if name not in responses.items:
            run.error("survey.comments", f"the survey has no item '{name}'",
                      "items: " + ", ".join(list(responses.items)[:40]),
                      f"file '{run.study.path.name}'")
            continue
        ok, evidence = free_text_evidence(name, responses.items[name],
                                          list(responses.answers[name]))
        if not ok:
            run.error("survey.comments", f"'{name}' is not a free-text question: {evidence}",
                      f"remove '{name}' from [survey] comments (only free-text answers are "
                      "listed in the report)", f"file '{responses.source.name}'")


def _check_linkage(run: _DryRun) -> None:
    from peereval.loaders.records import normalise_id

    if run.records is None or run.responses is None:
        return
    records = run.records
    if not run.study.survey.get("id"):
        from peereval.study._init import best_id_overlap

        best = best_id_overlap(run.responses, {records.id_column: list(records.data.index)})
        hint = (f'set id = "{best.survey_column}" under [survey]: {best.text()}' if best
                else "name the survey column holding the student number under [survey] "
                "id = \"...\"")
        run.error("survey.id", "the study has records but no survey id: answers cannot be "
                  "linked to the records, duplicate answers cannot be found, and the "
                  "report leaves out the linkage", hint, f"file '{run.study.path.name}'")
        return
    if run.survey_id is None:
        return
    screened = run.screened if run.screened is not None else run.responses
    who = "analysed respondents" if run.screened is not None else "respondents (unscreened)"
    raw = (screened.meta[run.survey_id] if run.survey_id in screened.meta
           else screened.answers[run.survey_id])
    ids = [normalise_id(v) for v in raw if not _missing(v)]
    known = set(records.data.index)
    matched = sum(i in known for i in ids)
    without = len(screened) - len(ids)
    repeated = len(ids) - len(set(ids))
    run.found.append(f"linkage: {matched} of {len(screened)} {who} found in "
                     f"records.{records.id_column} (by survey column '{run.survey_id}'"
                     + (f"; {without} without an id" if without else "") + ")")
    where = f"file '{screened.source.name}', column '{run.survey_id}'"
    if repeated:
        run.error("survey.id", f"{repeated} analysed response(s) repeat a student id, so "
                  "linkage stops", "drop repeats with \"duplicate_id\" in [screening] drop",
                  where)
    if matched == 0:
        run.error("survey.id", f"none of the {len(ids)} ids of '{run.survey_id}' is a "
                  f"student id of the records ('{records.id_column}')", "check that both columns "
                  "hold the same student numbers", where)
    elif matched < 0.5 * len(screened):
        run.warn("survey.id", f"only {matched} of {len(screened)} {who} link "
                 "to the records", "check the ids of the others (typos, another format)",
                 where)


def _check_retest(run: _DryRun) -> None:
    """How many retest respondents pair with an analysed survey respondent."""
    from peereval.loaders.records import normalise_id

    retest, screened, survey_id = run.retest, run.screened, run.survey_id
    if retest is None or screened is None:
        return
    if not run.study.survey.get("id"):
        run.error("survey.id", "the study has a retest but no survey id: the two "
                  "administrations cannot be paired, so test-retest reliability would not "
                  "be reported", "set [survey] id to the column holding the student number",
                  f"file '{run.study.path.name}'")
        return
    if not survey_id or (survey_id not in retest.meta and survey_id not in retest.answers):
        return  # reported when the survey or the retest was read

    def ids(responses: Any) -> set[str]:
        column = (responses.meta[survey_id] if survey_id in responses.meta
                  else responses.answers[survey_id])
        return {normalise_id(v) for v in column if not _missing(v)} - {None}

    paired = len(ids(retest) & ids(screened))
    run.found.append(f"retest: {paired} of {len(retest)} retest respondents pair with an "
                     f"analysed survey respondent (by '{survey_id}')")
    if paired < 2:
        run.error("retest.export", f"{paired} retest respondent(s) pair with the survey: "
                  "test-retest reliability needs at least two", "check that both exports "
                  "hold the same student ids", f"file '{retest.source.name}'")


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _check_records(run: _DryRun) -> None:
    records, study = run.records, run.study
    if records is None:
        return
    where = f"file '{records.source.name}'"
    groups = records.groups()
    run.found.append(f"records {records.source.name}: {len(records)} students; "
                     + ", ".join(f"{records.group} = {k}: {v}" for k, v in groups.items()))
    if len(groups) != 2:
        run.error("records.group", f"'{records.group}' holds {len(groups)} groups, not two",
                  "values: " + ", ".join(map(str, groups.index)), where)
    treated = (study.records or {}).get("treated")
    if treated is not None and treated not in set(map(str, groups.index)):
        run.error("records.treated", f"records.treated = '{treated}' is not a value of "
                  f"'{records.group}'", "values: " + ", ".join(map(str, groups.index)), where)
    roles = _outcome_roles(study.outcomes)
    absent = [c for c, _ in roles if c not in records.data.columns]
    if absent:
        run.error("outcomes", f"the records have no column(s) {absent}",
                  "columns: " + ", ".join(map(str, records.data.columns)), where)
    _check_outcome_values(run, [(c, k) for c, k in roles if c in records.data.columns])
    wants = bool(study.outcomes.get("continuous") or study.outcomes.get("binary"))
    if wants and study.analyses["outcomes"] and len(groups) == 2 and \
            groups.min() < study.min_cell:
        small = groups.idxmin()
        run.error("privacy.min_cell", f"group '{small}' of '{records.group}' has "
                  f"{groups.min()} students, fewer than min_cell = {study.min_cell}: every "
                  "comparison of the groups would be suppressed",
                  "add students, or lower min_cell if your institution's disclosure rule "
                  "allows it", where)


def _outcome_roles(outcomes: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Every records column the study names, with its key in ``[outcomes]``."""
    roles = [(c, "outcomes.continuous") for c in outcomes.get("continuous", [])]
    roles += [(c, "outcomes.binary") for c in outcomes.get("binary", [])]
    roles += [(outcomes[k], f"outcomes.{k}") for k in ("baseline", "cluster") if k in outcomes]
    roles += [(c, "outcomes.covariates") for c in outcomes.get("covariates", [])]
    return roles


def _check_outcome_values(run: _DryRun, roles: list[tuple[str, str]]) -> None:
    """Outcomes and covariates that are the group, look like ids or do not vary."""
    from peereval.study._init import constant_evidence, id_evidence

    records = run.records
    where = f"file '{records.source.name}'"
    for column, key in roles:
        values = list(records.data[column])
        at = f"{where}, column '{column}'"
        if column == records.group:
            run.error(key, f"'{column}' is the group column itself", f"remove '{column}' "
                      f"from {key}", at)
            continue
        if key == "outcomes.cluster":
            continue  # a mentor-group code may look like an id: that is its job
        evidence = id_evidence(column, values)
        if evidence:
            run.error(key, f"'{column}' looks like an id, not a measure: {evidence}",
                      f"remove '{column}' from {key}", at)
            continue
        evidence = constant_evidence(values)
        if evidence:
            run.error(key, f"'{column}' does not vary: {evidence}; it can be neither "
                      "compared nor adjusted for", f"remove '{column}' from {key}", at)
            continue
        _check_outcome_groups(run, column, key, at)


def _check_outcome_groups(run: _DryRun, column: str, key: str, at: str) -> None:
    """An outcome needs values in both groups; a binary one exactly two values."""
    records = run.records
    frame = records.data
    if key == "outcomes.binary":
        distinct = sorted(map(str, frame[column].dropna().unique()))
        if len(distinct) != 2:
            run.error(key, f"'{column}' holds {len(distinct)} different value(s) "
                      f"({', '.join(distinct[:6])}), not two", "a binary outcome holds two "
                      "values, e.g. 1 = passed and 0 = failed; list other outcomes under "
                      "continuous", at)
            return
    if key in ("outcomes.continuous", "outcomes.binary") and records.group in frame:
        counts = frame.groupby(records.group)[column].count()
        thin = [f"{g}: {n}" for g, n in counts.items() if n < 2]
        if thin:
            run.error(key, f"'{column}' has fewer than two values in a group "
                      f"({', '.join(thin)}): it cannot be compared", f"check the column, "
                      f"or remove '{column}' from {key}", at)


#: Sample-size rules the dry run checks for the factor analyses.
EFA_MIN_N, EFA_PER_ITEM, CFA_MIN_N = 100, 5, 100


def _check_factor_n(run: _DryRun) -> None:
    study, scores, instrument = run.study, run.scores, run.instrument
    if not study.analyses["factor_analysis"] or scores is None:
        return
    items = instrument.items
    p = len(items)
    n = int(scores.items[items].notna().all(axis=1).sum())
    run.found.append(f"factor analysis: {n} analysed respondents answered all {p} items "
                     "of the codebook")
    key = "analyses.factor_analysis"
    if n <= p:
        run.error(key, f"{n} respondents answered every item, for {p} items: EFA, parallel "
                  "analysis and the CFA need more respondents than items and cannot run",
                  "collect more responses, analyse fewer items, or set factor_analysis = "
                  "false")
        return
    if len(instrument.scales) == 1 and len(instrument.scales[0].items) == 2:
        return  # reported by the codebook check (a two-item model is not identified)
    need = max(EFA_MIN_N, EFA_PER_ITEM * p)
    if n < need:
        run.warn(key, f"n = {n} for {p} items is below the rule for an exploratory factor "
                 f"analysis: at least {EFA_PER_ITEM} respondents per item and never fewer "
                 f"than {EFA_MIN_N}, so {need} here (Gorsuch, 1983); factors and loadings "
                 "may not replicate", "treat the EFA as exploratory, or collect more "
                 "responses")
    if n < CFA_MIN_N:
        run.warn(key, f"n = {n} is below {CFA_MIN_N}, the smallest sample usually accepted "
                 "for a maximum-likelihood CFA (Kline, 2016): its chi-square, fit indices "
                 "and standard errors rest on large-sample theory", "read the CFA with "
                 "caution, or collect more responses")


def _check_requested(run: _DryRun) -> None:
    """Every analysis asked for has the inputs it needs."""
    study = run.study
    outcomes = study.outcomes
    needs = {
        "content_validity": (study.expert_panel is None, "needs [expert_panel]"),
        "outcomes": (study.records is None or not (outcomes.get("continuous")
                                                   or outcomes.get("binary")),
                     "needs [records] and outcomes under [outcomes]"),
        "propensity": (study.records is None or not (outcomes.get("covariates")
                                                     or outcomes.get("baseline"))
                       or not (outcomes.get("continuous") or outcomes.get("binary")),
                       "needs outcomes and covariates or a baseline under [outcomes]"),
    }
    for name, (lacking, what) in needs.items():
        if not (study.analyses[name] and lacking):
            continue
        if name in run.explicit:
            run.error(f"analyses.{name}", f"{name} = true, but the analysis {what}; the "
                      "report would leave it out", f"add what it needs, or set {name} = "
                      "false", f"file '{study.path.name}'")
        else:
            run.skipped.append(f"{name} (on by default; it {what})")


