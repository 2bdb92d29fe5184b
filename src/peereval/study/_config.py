"""``study.toml``: one file naming every input of a study and how to treat it.

:func:`read_study` validates the file up front (every problem names the key and the
fix) and :meth:`Study.load` reads, screens and scores. Paths are relative to the
``study.toml`` file. :data:`SCHEMA` lists every key with its type and meaning (it also
writes the comments of ``peereval init``).
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peereval.errors import ConfigError
from peereval.quality import FLAGS
from peereval.study._problems import Problem, StudyProblemsError

if TYPE_CHECKING:
    import pandas as pd

    from peereval.study._analyse import StudyResults

__all__ = ["ANALYSES_DEFAULT", "OPTIONS_DEFAULT", "SCHEMA", "Key", "Study", "StudyData",
           "read_study"]


@dataclass(frozen=True)
class Key:
    """One ``study.toml`` key: its type, whether it is required, and what it means.

    Examples
    --------
    >>> from peereval.study import SCHEMA
    >>> key = SCHEMA["study"]["design"]
    >>> key.kind, key.required, key.choices[:2]
    ('choice', False, ('post_only', 'cross_sectional'))
    >>> SCHEMA["survey"]["export"].required
    True
    """

    kind: str  # "text", "path", "int", "number", "bool", "list", "flags", "choice"
    help: str
    required: bool = False
    example: Any = None
    choices: tuple[Any, ...] = ()


SCHEMA: dict[str, dict[str, Key]] = {
    "study": {
        "title": Key("text", "title of the report", example="Near-peer mentoring evaluation"),
        "institution": Key("text", "school or university", example="School of Medicine"),
        "design": Key("choice", "study design, for the design appraisal (MERSQI)",
                      choices=("post_only", "cross_sectional", "pre_post", "two_group",
                               "two_group_baseline", "randomised"),
                      example="two_group_baseline"),
        "self_selected": Key("bool", "students chose to be mentored (default: assumed "
                             "unless randomised)"),
        "historical_controls": Key("bool", "the comparison group is an earlier cohort"),
        "institutions": Key("int", "number of institutions studied", example=1),
        "seed": Key("int", "seed of every random step (bootstrap, simulations, matching)",
                    example=20240301),
        "description": Key("text", "one paragraph on the programme, shown in the report"),
        "language": Key("choice", "language of the report: en (English) or fa (Persian, "
                        "right to left)", choices=("en", "fa"), example="en"),
        "question": Key("text", "the evaluation's question, opening the report's summary",
                        example="Did near-peer mentoring help first-year students?"),
    },
    "survey": {
        "export": Key("path", "survey export as downloaded from the platform", True,
                      "survey.csv"),
        "platform": Key("text", "platform layout, or auto", example="auto"),
        "codebook": Key("path", "codebook (scales, items, reverse keys)", True,
                        "codebook.toml"),
        "id": Key("text", "survey column holding the student id (for linkage)",
                  example="student_id"),
        "invited": Key("int", "students invited to the survey (for the response rate)"),
        "sheet": Key("text", "sheet of a workbook export"),
        "encoding": Key("text", "text encoding of a CSV export, e.g. cp1256"),
        "dictionary": Key("path", "REDCap data dictionary"),
        "definition": Key("path", "the survey's definition file (Qualtrics .qsf, LimeSurvey "
                          ".lss, XLSForm .xlsx or a REDCap data dictionary): decodes answer "
                          "codes and tells question types and matrices; also read for the "
                          "retest", example="survey.qsf"),
        "comments": Key("list", "free-text items to list in the report (escaped)"),
    },
    "retest": {
        "export": Key("path", "second administration of the same questionnaire", True),
        "platform": Key("text", "platform layout, or auto"),
        "interval_days": Key("int", "days between the two administrations"),
        "sheet": Key("text", "sheet of a workbook export"),
        "encoding": Key("text", "text encoding of a CSV export"),
    },
    "records": {
        "file": Key("path", "academic records, one row per student", True, "records.xlsx"),
        "id": Key("text", "student id column", True, "student_id"),
        "group": Key("text", "column naming each student's cohort", True, "mentored"),
        "treated": Key("text", "value of the group column meaning mentored", example="yes"),
        "sheet": Key("text", "sheet of a workbook"),
        "encoding": Key("text", "text encoding of a CSV file"),
    },
    "expert_panel": {
        "file": Key("path", "content-validity ratings, items x experts", True),
        "relevance_sheet": Key("text", "sheet of 4-point relevance ratings",
                               example="relevance"),
        "essentiality_sheet": Key("text", "sheet of Lawshe's 3-point essentiality ratings",
                                  example="essentiality"),
        "importance_sheet": Key("text", "sheet of 5-point importance ratings (impact score)"),
        "essentiality_file": Key("path", "essentiality ratings in a separate file"),
        "importance_file": Key("path", "importance ratings in a separate file"),
    },
    "outcomes": {
        "continuous": Key("list", "continuous outcomes (GPA, exam scores)",
                          example=["gpa_year1"]),
        "binary": Key("list", "pass/fail outcomes", example=["passed"]),
        "baseline": Key("text", "baseline measure to adjust for", example="gpa_entry"),
        "covariates": Key("list", "other covariates (propensity score and adjustment)"),
        "cluster": Key("text", "mentor-group column (mentees nested in groups)"),
        "kind": Key("choice", "what the outcomes measure (Kirkpatrick level)",
                    choices=("knowledge", "behaviour", "attrition", "patient"),
                    example="knowledge"),
    },
    "labels": {
        "outcomes": Key("labels", "display names of records columns (outcomes, baseline, "
                        "covariates), e.g. {gpa_year1 = \"GPA, year 1\"}"),
        "groups": Key("labels", "display names of the group values, e.g. "
                      "{yes = \"Mentored\", no = \"Not mentored\"}"),
    },
    "analyses": {
        "reliability": Key("bool", "scale reliability and item analysis", example=True),
        "content_validity": Key("bool", "expert-panel content validity", example=True),
        "factor_analysis": Key("bool", "factorability, factor retention, EFA and CFA",
                               example=True),
        "outcomes": Key("bool", "comparison of cohorts on academic outcomes", example=True),
        "propensity": Key("bool", "propensity-score matching (needs covariates)",
                          example=True),
    },
    "options": {
        "ci": Key("choice", "interval for alpha", choices=("feldt", "percentile", "bca"),
                  example="bca"),
        "n_boot": Key("int", "bootstrap resamples", example=2000),
        "n_iter": Key("int", "parallel-analysis simulations", example=1000),
        "adjust": Key("choice", "p-value adjustment across outcomes",
                      choices=("holm", "bh", "bonferroni", "none"), example="holm"),
        "show_comments": Key("bool", "list free-text comments in the report", example=True),
    },
    "screening": {
        "drop": Key("flags", "screening flags whose respondents are dropped",
                    example=["test_response", "unfinished", "duplicate_id"]),
        "speed_fraction": Key("number", "speeders: under this share of the median time",
                              example=0.3),
    },
    "privacy": {
        "min_cell": Key("int", "smallest group or cell shown in the report", example=10),
        "key_env": Key("text", "environment variable holding the pseudonymisation key",
                       example="PEEREVAL_LINK_KEY"),
    },
}

#: Defaults of [analyses] and [options].
ANALYSES_DEFAULT = {"reliability": True, "content_validity": True, "factor_analysis": True,
                    "outcomes": True, "propensity": True}
OPTIONS_DEFAULT: dict[str, Any] = {"ci": "bca", "n_boot": 2000, "n_iter": 1000,
                                   "adjust": "holm", "show_comments": True}


@dataclass(frozen=True)
class Study:
    """A validated ``study.toml``.

    Sections are kept as dicts of their keys (paths already resolved and checked);
    ``survey`` is required, the others optional.

    Examples
    --------
    >>> import peereval
    >>> from peereval.study import read_study
    >>> study = read_study(peereval.sample_path("study"))
    >>> study.path.name, study.seed, study.analyses["propensity"]
    ('study.toml', 20240301, True)
    """

    path: Path
    title: str
    survey: Mapping[str, Any]
    records: Mapping[str, Any] | None = None
    retest: Mapping[str, Any] | None = None
    expert_panel: Mapping[str, Any] | None = None
    outcomes: Mapping[str, Any] = field(default_factory=dict)
    screening_drop: tuple[str, ...] = ("test_response", "unfinished", "duplicate_id")
    speed_fraction: float = 0.3
    min_cell: int = 10
    key_env: str = "PEEREVAL_LINK_KEY"
    seed: int | None = None
    info: Mapping[str, Any] = field(default_factory=dict)
    analyses: Mapping[str, bool] = field(default_factory=lambda: dict(ANALYSES_DEFAULT))
    options: Mapping[str, Any] = field(default_factory=lambda: dict(OPTIONS_DEFAULT))
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def __repr__(self) -> str:
        parts = [f"survey {Path(self.survey['export']).name}"]
        if self.records is not None:
            parts.append(f"records {Path(self.records['file']).name}")
        if self.expert_panel is not None:
            parts.append("expert panel")
        if self.retest is not None:
            parts.append("retest")
        on = [name for name, wanted in self.analyses.items() if wanted]
        return (f"Study({self.title!r} from {self.path.name}: {', '.join(parts)}; "
                f"analyses: {', '.join(on) or 'none'}; seed {self.seed})")

    def _repr_html_(self) -> str:
        import html

        return f"<p>{html.escape(repr(self))}</p>"

    def load(self) -> StudyData:
        """Read the survey, codebook, retest and records; screen and score the survey."""
        from peereval.instrument import Instrument
        from peereval.loaders import read_export
        from peereval.loaders.records import read_records
        from peereval.quality import screen

        survey = self.survey
        responses = read_export(survey["export"], platform=survey.get("platform", "auto"),
                                sheet=survey.get("sheet"), encoding=survey.get("encoding"),
                                dictionary=survey.get("dictionary"),
                                definition=survey.get("definition"))
        survey_id = survey.get("id")
        if survey_id and survey_id not in responses.meta and survey_id not in responses.answers:
            raise ConfigError(f"the survey has no column '{survey_id}'", file=self.path,
                              column="survey.id",
                              hint=f"columns of {responses.source.name}: "
                              + ", ".join(map(str, responses.meta.columns)))
        instrument = Instrument.from_toml(survey["codebook"])
        screening = screen(responses, instrument, id_column=survey.get("id"),
                           speed_fraction=self.speed_fraction)
        screened, flow = screening.apply(responses, self.screening_drop)
        scores = instrument.score(screened)
        retest = None
        if self.retest is not None:
            retest = read_export(self.retest["export"],
                                 platform=self.retest.get("platform", "auto"),
                                 sheet=self.retest.get("sheet"),
                                 encoding=self.retest.get("encoding"),
                                 definition=survey.get("definition"))
        records = None
        if self.records is not None:
            records = read_records(self.records["file"], id=self.records["id"],
                                   group=self.records["group"], sheet=self.records.get("sheet"),
                                   encoding=self.records.get("encoding"))
        return StudyData(self, responses, instrument, screening, screened, flow, scores,
                         retest, records)

    def analyse(self, *, progress: Callable[[str], None] | None = None) -> StudyResults:
        """Read the inputs and run every analysis the study asks for, once.

        The report, the workbook and ``peereval summary`` all render the result, so
        they show the same numbers.

        Parameters
        ----------
        progress
            Called with a short description before each step; ``None`` runs silently.

        Returns
        -------
        StudyResults
            One field per analysis: its result, or a
            :class:`~peereval.study.NotRun` saying why there is none; the warnings
            raised on the way.

        Raises
        ------
        PeerevalError
            When an input cannot be read (the file, row, column and value named).
            The failure of a single analysis is recorded as ``NotRun`` instead.

        Examples
        --------
        >>> import peereval
        >>> from peereval.study import read_study
        >>> results = read_study(peereval.sample_path("study")).analyse()
        >>> round(results.cfa.cfi, 3), results.retention.recommended
        (0.94, 3)
        """
        from peereval.study._analyse import analyse_study

        return analyse_study(self, progress=progress)

    def read_panel(self) -> Any:
        """Read the expert panel's ratings (``None`` without ``[expert_panel]``).

        Without ``essentiality_sheet`` the sheet named "essentiality" is read when the
        workbook has one, and the CVR is skipped when it has not.
        """
        if self.expert_panel is None:
            return None
        from peereval.loaders.panel import read_expert_panel

        panel = self.expert_panel
        essentiality = panel.get("essentiality_sheet")
        if essentiality is None and "essentiality_file" not in panel and \
                _has_sheet(panel["file"], "essentiality"):
            essentiality = "essentiality"
        return read_expert_panel(panel["file"],
                                 relevance_sheet=panel.get("relevance_sheet", "relevance"),
                                 essentiality_sheet=essentiality,
                                 importance_sheet=panel.get("importance_sheet"),
                                 essentiality_file=panel.get("essentiality_file"),
                                 importance_file=panel.get("importance_file"))


def _has_sheet(path: Path, name: str) -> bool:
    if Path(path).suffix.lower() not in (".xlsx", ".xlsm"):
        return False
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        return any(sheet.strip().lower() == name for sheet in book.sheetnames)
    finally:
        book.close()


@dataclass(frozen=True)
class StudyData:
    """The inputs of a study, read, screened and scored.

    Examples
    --------
    :func:`peereval.load_sample` returns the sample study's inputs as one:

    >>> import peereval
    >>> data = peereval.load_sample()
    >>> type(data).__name__, len(data.responses), len(data.screened)
    ('StudyData', 150, 138)
    >>> data.flow[["step", "removed", "remaining"]].tail(1).to_numpy().tolist()
    [['drop speeder', 3, 138]]
    """

    study: Study
    responses: Any
    instrument: Any
    screening: Any
    screened: Any
    flow: Any
    scores: Any
    retest: Any = None
    records: Any = None

    def __repr__(self) -> str:
        parts = [f"{len(self.responses)} responses read, {len(self.screened)} after "
                 f"screening", f"{len(self.instrument.scales)} scales"]
        if self.retest is not None:
            parts.append(f"retest of {len(self.retest)}")
        if self.records is not None:
            parts.append(f"records of {len(self.records)} students")
        return f"StudyData({self.study.title!r}: {'; '.join(parts)})"

    def _repr_html_(self) -> str:
        import html

        return f"<p>{html.escape(repr(self))}</p>" + self.flow.to_html(index=False)

    def retest_scores(self) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """The scale scores of both administrations, keyed by the normalised student id.

        What :func:`peereval.reliability.test_retest` compares: the screened survey and
        the retest, each scored with the codebook and indexed by the student id of
        ``[survey] id`` (linking stays with the loaders:
        :func:`peereval.loaders.records.keyed_by_id`). ``None`` without a retest.

        Returns
        -------
        tuple of pandas.DataFrame, or None
            First and second administration.

        Examples
        --------
        >>> import peereval
        >>> from peereval.study import read_study
        >>> data = read_study(peereval.sample_path("study")).load()
        >>> first, second = data.retest_scores()
        >>> len(first.index.intersection(second.index))
        40
        """
        from peereval.loaders.records import keyed_by_id

        if self.retest is None:
            return None
        survey_id = self.study.survey.get("id", "student_id")
        return (keyed_by_id(self.screened, self.scores.scales, survey_id),
                keyed_by_id(self.retest, self.instrument.score(self.retest).scales,
                            survey_id))


_KIND_WORDS = {"text": "text in quotes", "path": "a file path in quotes", "int": "a whole number",
               "number": "a number", "bool": "true or false", "list": "a list of names",
               "flags": "a list of screening flags", "choice": "one of the listed values",
               "labels": "a table of name = \"label\""}


def _check_value(value: Any, spec: Key, where: str, fail: Any, base: Path) -> Any:
    example = f"e.g. {where.split('.')[1]} = {_toml(spec.example)}" if spec.example is not None \
        else f"{where.split('.')[1]} must be {_KIND_WORDS[spec.kind]}"
    ok: bool
    if spec.kind in ("text", "choice"):
        ok = isinstance(value, str) and (spec.kind == "text" or value in spec.choices)
        if spec.kind == "choice" and not ok:
            raise fail(where, f"{where} must be one of {list(spec.choices)}, not {value!r}",
                       example)
    elif spec.kind == "path":
        if not isinstance(value, str):
            raise fail(where, f"{where} must be a file path", example)
        file = (base / value).resolve()
        if not file.is_file():
            raise fail(where, f"the file '{value}' does not exist (looked in {base})",
                       "paths are relative to the folder of study.toml")
        return file
    elif spec.kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif spec.kind == "number":
        ok = isinstance(value, int | float) and not isinstance(value, bool)
    elif spec.kind == "bool":
        ok = isinstance(value, bool)
    elif spec.kind == "list":
        ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
    elif spec.kind == "labels":
        ok = isinstance(value, Mapping) and all(isinstance(v, str) and v.strip()
                                                for v in value.values())
    else:  # flags
        ok = isinstance(value, list) and all(v in FLAGS for v in value)
        if not ok:
            raise fail(where, f"{where} must list screening flags among {list(FLAGS)}",
                       example)
    if not ok:
        raise fail(where, f"{where} must be {_KIND_WORDS[spec.kind]}, not {value!r}", example)
    return value


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def _checked_sections(data: Mapping[str, Any], base: Path, fail: Any,
                      errors: list[ConfigError]) -> dict[str, dict[str, Any]]:
    """Every section and key of the file checked against :data:`SCHEMA`; problems
    are appended to ``errors`` (all of them, not the first only)."""
    checked: dict[str, dict[str, Any]] = {}
    for section, content in data.items():
        if section not in SCHEMA:
            errors.append(fail(section, f"unknown section [{section}]",
                               "sections: " + ", ".join(f"[{s}]" for s in SCHEMA)))
            continue
        if not isinstance(content, Mapping):
            errors.append(fail(section, f"{section} must be a table",
                               f"write it as [{section}]"))
            continue
        keys = SCHEMA[section]
        for key in sorted(set(content) - set(keys)):
            errors.append(fail(f"{section}.{key}", f"unknown key '{key}' in [{section}]",
                               "keys allowed here: " + ", ".join(sorted(keys))))
        for key, spec in keys.items():
            if spec.required and key not in content:
                example = _toml(spec.example) if spec.example is not None else '"..."'
                errors.append(fail(f"{section}.{key}",
                                   f"[{section}] needs '{key}' ({spec.help})",
                                   f"add {key} = {example} under [{section}]"))
        values: dict[str, Any] = {}
        for key, value in content.items():
            if key not in keys:
                continue
            try:
                values[key] = _check_value(value, keys[key], f"{section}.{key}", fail, base)
            except ConfigError as exc:
                errors.append(exc)
        checked[section] = values
    return checked


def _check_ranges(checked: Mapping[str, Mapping[str, Any]], fail: Any,
                  errors: list[ConfigError]) -> None:
    """Values of the right type but outside what they may be."""
    speed = checked.get("screening", {}).get("speed_fraction", 0.3)
    if not 0 < speed < 1:
        errors.append(fail("screening.speed_fraction",
                           "speed_fraction must lie between 0 and 1",
                           "e.g. speed_fraction = 0.3"))
    if checked.get("privacy", {}).get("min_cell", 10) < 1:
        errors.append(fail("privacy.min_cell", "min_cell must be a positive whole number",
                           "e.g. min_cell = 10"))
    options = {**OPTIONS_DEFAULT, **checked.get("options", {})}
    for key, low in (("n_boot", 200), ("n_iter", 50)):
        if options[key] < low:
            errors.append(fail(f"options.{key}", f"options.{key} must be at least {low}",
                               f"e.g. {key} = {OPTIONS_DEFAULT[key]}"))
    if checked.get("outcomes") and "records" not in checked:
        errors.append(fail("outcomes", "[outcomes] needs [records] (the academic records)",
                           "add a [records] section with file, id and group"))


def _combined(errors: list[ConfigError], path: Path) -> ConfigError:
    """One error for the problems of a study file: itself when there is one."""
    if len(errors) == 1:
        return errors[0]
    return StudyProblemsError([Problem.from_error(e) for e in errors], file=path)


def read_study(path: str | Path) -> Study:
    """Read and validate a ``study.toml``.

    Parameters
    ----------
    path
        The ``study.toml`` file; relative paths inside it are resolved against its
        folder.

    Returns
    -------
    Study
        The validated study, with file paths resolved and defaults filled in.

    Raises
    ------
    ConfigError
        Naming the key at fault (``survey.export``) and how to fix it: unknown
        sections or keys (with the allowed ones), missing required keys, files that
        do not exist, values of the wrong type or outside the allowed choices.

    Examples
    --------
    >>> import peereval
    >>> from peereval.study import read_study
    >>> study = read_study(peereval.sample_path("study"))
    >>> study.records["group"], study.options["ci"]
    ('mentored', 'bca')
    """
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError("the study file does not exist", file=path,
                          hint="give the path of study.toml (peereval init writes one)"
                          ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"the study file is not valid TOML: {exc}", file=path,
                          hint="check quotes, brackets and '=' on the line named") from None
    base = path.parent
    errors: list[ConfigError] = []

    def fail(key: str, message: str, hint: str) -> ConfigError:
        return ConfigError(message, file=path, column=key, hint=hint)

    checked = _checked_sections(data, base, fail, errors)
    if "survey" not in checked:
        errors.append(fail("survey", "the study has no [survey] section",
                           '[survey]\nexport = "survey.csv"\ncodebook = "codebook.toml"'))
    _check_ranges(checked, fail, errors)
    if errors:
        raise _combined(errors, path)
    screening = checked.get("screening", {})
    speed = screening.get("speed_fraction", 0.3)
    privacy = checked.get("privacy", {})
    min_cell = privacy.get("min_cell", 10)
    options = {**OPTIONS_DEFAULT, **checked.get("options", {})}
    outcomes = checked.get("outcomes", {})
    info = checked.get("study", {})
    return Study(
        path=path,
        title=str(info.get("title", path.parent.name)),
        survey=checked["survey"],
        records=checked.get("records"),
        retest=checked.get("retest"),
        expert_panel=checked.get("expert_panel"),
        outcomes=outcomes,
        screening_drop=tuple(screening.get("drop", ["test_response", "unfinished",
                                                    "duplicate_id"])),
        speed_fraction=float(speed),
        min_cell=min_cell,
        key_env=str(privacy.get("key_env", "PEEREVAL_LINK_KEY")),
        seed=info.get("seed"),
        info=info,
        analyses={**ANALYSES_DEFAULT, **checked.get("analyses", {})},
        options=options,
        labels=checked.get("labels", {}),
    )


_OTHER_DEFAULTS: dict[str, dict[str, Any]] = {
    "screening": {"drop": list(Study.screening_drop), "speed_fraction": Study.speed_fraction},
    "privacy": {"min_cell": Study.min_cell, "key_env": Study.key_env},
}


def _schema_markdown() -> str:
    """The ``study.toml`` reference of ``docs/report.md``, written from :data:`SCHEMA`.

    A test checks that the documentation holds exactly this text, so the two cannot
    drift apart.
    """
    defaults = {"analyses": ANALYSES_DEFAULT, "options": OPTIONS_DEFAULT, **_OTHER_DEFAULTS}
    blocks = []
    for section, keys in SCHEMA.items():
        rows = [f"**`[{section}]`**", "", "| key | type | meaning |", "|---|---|---|"]
        for name, spec in keys.items():
            key = f"`{name}`" + (" (required)" if spec.required else "")
            meaning = spec.help
            if spec.choices:
                meaning += ": " + ", ".join(f"`{choice}`" for choice in spec.choices)
            if name in defaults.get(section, {}):
                meaning += f" (default `{_toml(defaults[section][name])}`)"
            rows.append(f"| {key} | {_KIND_WORDS[spec.kind]} | {meaning} |")
        blocks.append("\n".join(rows))
    return "\n\n".join(blocks) + "\n"

