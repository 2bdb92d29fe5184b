"""The report of a study, rendered from its :class:`~peereval.study.StudyResults`.

:func:`run_study` has the study analysed (:meth:`peereval.study.Study.analyse`: every
computation, and the rules of a run, live there) and renders the results as a
:class:`~peereval.report._model.Report`; :func:`write_report` writes ``report.html``,
``tables.xlsx`` and ``figures/``. Nothing here computes a statistic: the sections
read result objects, and an analysis that did not run (:class:`~peereval.study.NotRun`)
is a note in its section saying why. The report adds what only a reader needs: works
cited, figures, and group summaries of academic records with counts of 1 to
``min_cell - 1`` (and a complement that would reveal them) hidden. The same results
give byte-identical outputs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from peereval import __version__
from peereval._columns import roles_of
from peereval._format import and_list, count_of, fmt_ci, fmt_p
from peereval.errors import ConfigError, PeerevalError
from peereval.report._i18n import (
    LANGUAGES,
    Catalogue,
    Translation,
    figure_label,
    translate_figure,
    translate_report,
)
from peereval.report._model import Figure, Report, Section, Table
from peereval.report._summary import summary_section
from peereval.study import Study, StudyData, read_study
from peereval.study._analyse import (
    DisplayNames,
    NotRun,
    OutcomePlan,
    StudyResults,
    ci_words,
    ran,
)

__all__ = ["render_report", "run_study", "write_report"]

Progress = Callable[[str], None]

#: Works cited, keyed by the analyses that cite them (APA 7).
REFERENCES = {
    "cronbach": "Cronbach, L. J. (1951). Coefficient alpha and the internal structure of "
                "tests. Psychometrika, 16(3), 297-334.",
    "mcdonald": "McDonald, R. P. (1999). Test theory: A unified treatment. Erlbaum.",
    "feldt": "Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference "
             "for coefficient alpha. Applied Psychological Measurement, 11(1), 93-103.",
    "efron": "Efron, B., & Tibshirani, R. J. (1993). An introduction to the bootstrap. "
             "Chapman & Hall.",
    "koo": "Koo, T. K., & Li, M. Y. (2016). A guideline of selecting and reporting "
           "intraclass correlation coefficients for reliability research. Journal of "
           "Chiropractic Medicine, 15(2), 155-163.",
    "mcgraw": "McGraw, K. O., & Wong, S. P. (1996). Forming inferences about some "
              "intraclass correlation coefficients. Psychological Methods, 1(1), 30-46.",
    "lawshe": "Lawshe, C. H. (1975). A quantitative approach to content validity. "
              "Personnel Psychology, 28(4), 563-575.",
    "ayre": "Ayre, C., & Scally, A. J. (2014). Critical values for Lawshe's content "
            "validity ratio: Revisiting the original methods of calculation. Measurement "
            "and Evaluation in Counseling and Development, 47(1), 79-86.",
    "polit": "Polit, D. F., Beck, C. T., & Owen, S. V. (2007). Is the CVI an acceptable "
             "indicator of content validity? Appraisal and recommendations. Research in "
             "Nursing & Health, 30(4), 459-467.",
    "polit_beck": "Polit, D. F., & Beck, C. T. (2006). The content validity index: Are you "
                  "sure you know what's being reported? Critique and recommendations. "
                  "Research in Nursing & Health, 29(5), 489-497.",
    "lynn": "Lynn, M. R. (1986). Determination and quantification of content validity. "
            "Nursing Research, 35(6), 382-385.",
    "zamanzadeh": "Zamanzadeh, V., Ghahramanian, A., Rassouli, M., Abbaszadeh, A., "
                  "Alavi-Majd, H., & Nikanfar, A.-R. (2015). Design and implementation "
                  "content validity study: Development of an instrument for measuring "
                  "patient-centered communication. Journal of Caring Sciences, 4(2), "
                  "165-178.",
    "cicchetti": "Cicchetti, D. V., & Sparrow, S. S. (1981). Developing criteria for "
                 "establishing interrater reliability of specific items: Applications to "
                 "assessment of adaptive behavior. American Journal of Mental Deficiency, "
                 "86(2), 127-137.",
    "shi": "Shi, J., Mo, X., & Sun, Z. (2012). Content validity index in scale development. "
           "Journal of Central South University (Medical Sciences), 37(2), 152-155.",
    "kaiser": "Kaiser, H. F., & Rice, J. (1974). Little Jiffy, Mark IV. Educational and "
              "Psychological Measurement, 34(1), 111-117.",
    "kaiser1970": "Kaiser, H. F. (1970). A second generation little jiffy. Psychometrika, "
                  "35(4), 401-415.",
    "zwick": "Zwick, W. R., & Velicer, W. F. (1986). Comparison of five rules for "
             "determining the number of components to retain. Psychological Bulletin, "
             "99(3), 432-442.",
    "velicer2000": "Velicer, W. F., Eaton, C. A., & Fava, J. L. (2000). Construct "
                   "explication through factor or component analysis: A review and "
                   "evaluation of alternative procedures for determining the number of "
                   "factors or components. In R. D. Goffin & E. Helmes (Eds.), Problems "
                   "and solutions in human assessment (pp. 41-71). Springer.",
    "marsh": "Marsh, H. W., Hau, K.-T., & Wen, Z. (2004). In search of golden rules: "
             "Comment on hypothesis-testing approaches to setting cutoff values for fit "
             "indexes and dangers in overgeneralizing Hu and Bentler's (1999) findings. "
             "Structural Equation Modeling, 11(3), 320-341.",
    "vagias": "Vagias, W. M. (2006). Likert-type scale response anchors. Clemson "
              "International Institute for Tourism & Research Development, Clemson "
              "University.",
    "maas": "Maas, C. J. M., & Hox, J. J. (2005). Sufficient sample sizes for multilevel "
            "modeling. Methodology, 1(3), 86-92.",
    "mcneish": "McNeish, D., & Stapleton, L. M. (2016). Modeling clustered data with very "
               "few clusters. Multivariate Behavioral Research, 51(4), 495-518.",
    "rouder": "Rouder, J. N., Speckman, P. L., Sun, D., Morey, R. D., & Iverson, G. (2009). "
              "Bayesian t tests for accepting and rejecting the null hypothesis. "
              "Psychonomic Bulletin & Review, 16(2), 225-237.",
    "horn": "Horn, J. L. (1965). A rationale and test for the number of factors in factor "
            "analysis. Psychometrika, 30(2), 179-185.",
    "velicer": "Velicer, W. F. (1976). Determining the number of components from the "
               "matrix of partial correlations. Psychometrika, 41(3), 321-327.",
    "hu": "Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance "
          "structure analysis: Conventional criteria versus new alternatives. Structural "
          "Equation Modeling, 6(1), 1-55.",
    "fornell": "Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models "
               "with unobservable variables and measurement error. Journal of Marketing "
               "Research, 18(1), 39-50.",
    "henseler": "Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for "
                "assessing discriminant validity in variance-based structural equation "
                "modeling. Journal of the Academy of Marketing Science, 43(1), 115-135.",
    "wilson": "Wilson, E. B. (1927). Probable inference, the law of succession, and "
              "statistical inference. Journal of the American Statistical Association, "
              "22(158), 209-212.",
    "hedges": "Hedges, L. V. (1981). Distribution theory for Glass's estimator of effect "
              "size and related estimators. Journal of Educational Statistics, 6(2), "
              "107-128.",
    "holm": "Holm, S. (1979). A simple sequentially rejective multiple test procedure. "
            "Scandinavian Journal of Statistics, 6(2), 65-70.",
    "bh": "Benjamini, Y., & Hochberg, Y. (1995). Controlling the false discovery rate: A "
          "practical and powerful approach to multiple testing. Journal of the Royal "
          "Statistical Society: Series B, 57(1), 289-300.",
    "newcombe": "Newcombe, R. G. (1998). Interval estimation for the difference between "
                "independent proportions: Comparison of eleven methods. Statistics in "
                "Medicine, 17(8), 873-890.",
    "long": "Long, J. S., & Ervin, L. H. (2000). Using heteroscedasticity consistent "
            "standard errors in the linear regression model. The American Statistician, "
            "54(3), 217-224.",
    "austin": "Austin, P. C. (2011). An introduction to propensity score methods for "
              "reducing the effects of confounding in observational studies. Multivariate "
              "Behavioral Research, 46(3), 399-424.",
    "rosenbaum": "Rosenbaum, P. R., & Rubin, D. B. (1983). The central role of the "
                 "propensity score in observational studies for causal effects. "
                 "Biometrika, 70(1), 41-55.",
    "vanderweele": "VanderWeele, T. J., & Ding, P. (2017). Sensitivity analysis in "
                   "observational research: Introducing the E-value. Annals of Internal "
                   "Medicine, 167(4), 268-274.",
    "raudenbush": "Raudenbush, S. W., & Bryk, A. S. (2002). Hierarchical linear models: "
                  "Applications and data analysis methods (2nd ed.). Sage.",
    "cohen": "Cohen, J. (1988). Statistical power analysis for the behavioral sciences "
             "(2nd ed.). Erlbaum.",
    "reed": "Reed, D. A., Cook, D. A., Beckman, T. J., Levine, R. B., Kern, D. E., & "
            "Wright, S. M. (2007). Association between funding and quality of published "
            "medical education research. JAMA, 298(9), 1002-1009.",
    "kirkpatrick": "Kirkpatrick, D. L. (1994). Evaluating training programs: The four "
                   "levels. Berrett-Koehler.",
    "barr": "Barr, H., Freeth, D., Hammick, M., Koppel, I., & Reeves, S. (2000). "
            "Evaluations of interprofessional education: A United Kingdom review for "
            "health and social care. UK Centre for the Advancement of Interprofessional "
            "Education and British Educational Research Association.",
}

_ADJUST_WORDS = {"holm": "Holm's step-down adjustment", "bh": "the Benjamini-Hochberg "
                 "false-discovery-rate adjustment", "bonferroni": "the Bonferroni "
                 "adjustment", "none": "no adjustment"}


# --------------------------------------------------------------------- context


# --------------------------------------------------------------------- context


@dataclass
class _Render:
    """What the sections share while the report is written from one StudyResults."""

    results: StudyResults
    cited: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)

    @property
    def study(self) -> Study:
        return self.results.study

    @property
    def data(self) -> StudyData:
        return self.results.data

    @property
    def names(self) -> DisplayNames:
        return self.results.names

    def cite(self, *keys: str) -> None:
        for key in keys:
            if key not in self.cited:
                self.cited.append(key)


def _failed(section: Section, result: Any) -> bool:
    """True when ``result`` did not run; a failure is noted in ``section``."""
    if isinstance(result, NotRun):
        if result.asked:
            section.notes.append(result.note)
        return True
    return result is None


# --------------------------------------------------------------------- figures


#: Every figure a report can hold (the file names under ``figures/``).
FIGURE_KEYS = frozenset({"likert", "content_validity", "scree", "loadings", "forest",
                         "distributions", "adjusted_means", "love_plot"})


#: The translation of the report being written, for the texts inside its figures
#: (set by render_report while it draws them; None for an English report).
_FIGURE_TRANSLATION: ContextVar[tuple[Translation, set[str]] | None] = ContextVar(
    "figure_translation", default=None)


def _figure(section: Section, key: str, title: str, caption: str, alt: str,
            build: Callable[[], Any]) -> None:
    """Draw a figure, render it to SVG and PNG, and add it to the section; a figure
    that cannot be drawn is named in the section's notes with the reason."""
    from peereval.figures import render

    if key not in FIGURE_KEYS:
        raise ValueError(f"figure key {key!r} is not in FIGURE_KEYS")
    from peereval.figures._text import TRANSLATE

    translating = _FIGURE_TRANSLATION.get()
    hook = None
    if translating is not None:
        translation, data = translating
        hook = TRANSLATE.set(lambda text: "\n".join(
            figure_label(translation, line, data)
            for line in text.split("\n")))
    try:
        figure = build()
        if translating is not None:
            translate_figure(figure, *translating)
        svg, png = render(figure)
    except PeerevalError as exc:
        section.notes.append(f"Figure '{title}': not drawn. {getattr(exc, 'message', exc)}")
        return
    finally:
        if hook is not None:
            TRANSLATE.reset(hook)
    section.figures.append(Figure(key, title, svg, png, caption, alt or title))


def _panels(draw: Callable[..., Any], calls: list[tuple[Any, ...]]) -> Any:
    """One figure with a panel per call of ``draw`` (each drawing on its own axes)."""
    from peereval.figures._style import new_figure, styled

    @styled
    def draw_all() -> Any:
        fig, axes = new_figure((3.4 * len(calls), 3.6), ncols=len(calls), squeeze=False)
        for ax, args in zip(axes[0], calls, strict=True):
            draw(*args, ax=ax)
        return fig

    return draw_all()


# --------------------------------------------------------------------- helpers


def _a_scale(ranges: str) -> str:
    """``"a 1-5 scale"``, or ``"1-4 and 1-7 scales (by scale)"``."""
    return f"a {ranges} scale" if "(" not in ranges else ranges.replace(" (", " scales (")


def _frame(frame: pd.DataFrame, columns: dict[str, str],
           optional: tuple[str, ...] = (), roles: dict[str, str] | None = None
           ) -> pd.DataFrame:
    """Keep and rename the columns a reader needs, in the order given.

    A column that is asked for and missing is an error, so that a result column
    renamed in an analysis cannot silently disappear from the report; ``optional``
    names the columns that some results have and others have not. The roles of the
    columns (``frame.attrs["roles"]``, or ``roles``) follow them under their new names.
    """
    missing = [old for old in columns if old not in frame.columns and old not in optional]
    if missing:
        raise KeyError(f"the report asks for columns the result does not have: {missing} "
                       f"(it has {list(frame.columns)})")
    present = {old: new for old, new in columns.items() if old in frame.columns}
    roles = roles_of(frame, roles)
    out = frame.loc[:, list(present)].rename(columns=present).reset_index(drop=True)
    out.attrs["roles"] = {new: roles[old] for old, new in present.items()}
    return out


def _item_labels(run: _Render) -> dict[str, str]:
    """Item short name -> label, when the codebook labels any item (else empty)."""
    labels = run.data.instrument.labels
    return labels if any(label != name for name, label in labels.items()) else {}


def _scale_labels(run: _Render) -> dict[str, str]:
    """Scale short name -> its label (the name itself where the codebook gives none)."""
    return {scale.name: scale.label or scale.name for scale in run.data.instrument.scales}


def _named_scales(frame: pd.DataFrame, run: _Render, *columns: str) -> pd.DataFrame:
    """``frame`` with the scale short names in ``columns`` replaced by the scales'
    labels, and its own ``label`` column (which then repeats them) dropped."""
    labels = _scale_labels(run)
    out = frame.copy()
    out.attrs = dict(frame.attrs)
    for column in columns:
        if column in out.columns:
            out[column] = [labels.get(str(v), v) if isinstance(v, str) else v
                           for v in out[column]]
    return out.drop(columns=["label"]) if "label" in out.columns else out


def _with_statements(frame: pd.DataFrame, labels: dict[str, str], column: str = "item"
                     ) -> pd.DataFrame:
    """``frame`` with a ``statement`` column (each item's label) after ``column``."""
    if not labels or column not in frame.columns or "statement" in frame.columns:
        return frame
    out = frame.copy()
    out.insert(list(out.columns).index(column) + 1, "statement",
               [labels.get(str(code), str(code)) for code in out[column]])
    return out


def _percent(value: float) -> str:
    return "" if value is None or value != value else f"{100 * value:.0f}%"


def _term_words(term: str) -> str:
    """A model term as a reader reads it: ``sex[F]`` as "sex: F", the propensity
    score's logit as such.

    >>> _term_words("sex[F]"), _term_words("logit(ps)"), _term_words("entry GPA")
    ('sex: F', 'propensity score (logit)', 'entry GPA')
    """
    if term in ("logit(ps)", "distance", "ps"):
        return "propensity score (logit)" if term != "ps" else "propensity score"
    found = re.fullmatch(r"(.+)\[(?:T\.)?(.+)\]", term)
    return f"{found.group(1)}: {found.group(2)}" if found else term


def _yes_no_levels(table: pd.DataFrame, binary: list[str]) -> pd.DataFrame:
    """Table 1 with the levels 0 and 1 of the pass/fail outcomes shown as "no" and
    "yes" (a reader does not know what 1 stands for).

    >>> table = pd.DataFrame({"variable": ["passed, n (%)", "    0", "    1", "sex, n (%)",
    ...                                    "    0"]})
    >>> _yes_no_levels(table, ["passed"])["variable"].tolist()
    ['passed, n (%)', '    no', '    yes', 'sex, n (%)', '    0']
    """
    words = {"0": "no", "1": "yes", "0.0": "no", "1.0": "yes", "false": "no",
             "true": "yes"}
    heads = {f"{name}, n (%)" for name in binary}
    shown, current = [], None
    for text in table["variable"].astype(str):
        if not text.startswith("    "):
            current = text
            shown.append(text)
        elif current in heads and text.strip().lower() in words:
            shown.append("    " + words[text.strip().lower()])
        else:
            shown.append(text)
    out = table.copy()
    out.attrs = dict(table.attrs)
    out["variable"] = shown
    return out


def _group_headers(table: pd.DataFrame, group: str, labels: DisplayNames) -> pd.DataFrame:
    """Column headers ``group = Mentored (n = 80)`` shortened to ``Mentored (n = 80)``
    when the groups have labels."""
    if not labels.values:
        return table
    shown = {str(v) for v in labels.values.values()}
    prefix = f"{group} = "
    renamed = {}
    for column in table.columns:
        text = str(column)
        if text.startswith(prefix) and text[len(prefix):].split(" (n")[0] in shown:
            renamed[column] = text[len(prefix):]
    return table.rename(columns=renamed)


def _full_stop(text: str) -> str:
    """``text`` ending as a sentence does.

    >>> _full_stop("3 factors were retained (which tends to overestimate)")
    '3 factors were retained (which tends to overestimate).'
    >>> _full_stop("Done."), _full_stop("Asked?"), _full_stop("")
    ('Done.', 'Asked?', '')
    """
    stripped = text.rstrip()
    if not stripped or stripped[-1] in ".!?:;…":
        return text
    return stripped + "."


#: The matching functions speak of units, as MatchIt does; a report is about students.
_UNITS = ((re.compile(r"\btreated units\b"), "mentored students"),
          (re.compile(r"\btreated unit\b"), "mentored student"),
          (re.compile(r"\bcomparison units\b"), "comparison students"),
          (re.compile(r"\bcomparison unit\b"), "comparison student"))


def _students(text: str) -> str:
    """``text`` with the matching functions' "treated units" called mentored students.

    >>> _students("Of 163 treated units, 108 were matched to 108 comparison units")
    'Of 163 mentored students, 108 were matched to 108 comparison students'
    """
    for pattern, words in _UNITS:
        text = pattern.sub(words, text)
    return text


def _plain_groups(text: str, run: _Render) -> str:
    """``text`` with ``group = level`` phrases (which the result objects write for a
    reader who knows the records) replaced by the groups' labels from study.toml
    ``[labels] groups``: "between the mentored = Mentored group and ..." reads
    "between the Mentored group and ...". Without group labels ``text`` is unchanged.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from peereval.study import DisplayNames
    >>> names = DisplayNames({}, {"yes": "mentored", "no": "not mentored"})
    >>> plan = OutcomePlan.__new__(OutcomePlan)
    >>> object.__setattr__(plan, "group", "mentored")
    >>> run = SimpleNamespace(results=SimpleNamespace(plan=plan), names=names)
    >>> _plain_groups("compared between the two groups of mentored (mentored and not "
    ...               "mentored)", run)
    'compared between the mentored and not mentored groups'
    >>> _plain_groups("the difference between mentored = mentored and mentored = not "
    ...               "mentored", run)
    'the difference between mentored and not mentored'
    """
    plan, names = run.results.plan, run.names
    if not isinstance(plan, OutcomePlan) or not names.values:
        return text
    group = names.column(plan.group)
    labels = sorted({str(v) for v in names.values.values()}, key=len, reverse=True)
    pattern = "|".join(re.escape(label) for label in labels)
    text = re.sub(rf"the two groups of {re.escape(group)} \(({pattern}) and ({pattern})\)",
                  r"the \1 and \2 groups", text)
    text = re.sub(rf"the {re.escape(group)} = ({pattern}) group", r"the \1 group", text)
    return re.sub(rf"\b{re.escape(group)} = ({pattern})(?!\w)", r"\1", text)


# --------------------------------------------------------------------- sections


#: Survey platforms by the names their users know.
_PLATFORMS = {"qualtrics": "Qualtrics export", "surveymonkey": "SurveyMonkey export",
              "limesurvey": "LimeSurvey export", "redcap": "REDCap export",
              "kobo": "KoboToolbox export", "ms_forms": "Microsoft Forms export",
              "google_forms": "Google Forms export", "spss": "SPSS data file",
              "generic": "table of answers"}


def _platform_words(platform: str) -> str:
    return _PLATFORMS.get(str(platform), str(platform))


def _study_section(run: _Render) -> Section:
    study, data = run.study, run.data
    info = study.info
    section = Section("study", "The study")
    if info.get("description"):
        section.paragraphs.append(str(info["description"]))
    facts = [f"Institution: {info['institution']}." if info.get("institution") else "",
             f"Questionnaire: {data.instrument.name}, "
             f"{count_of(len(data.instrument.scales), 'scale')} of "
             f"{count_of(len(data.instrument.items), 'item')}, answered on "
             f"{_a_scale(data.instrument.ranges_text())}."]
    section.paragraphs.append(" ".join(f for f in facts if f))
    rows = [{"input": "survey", "file": data.responses.source.name,
             "read as": _platform_words(data.responses.platform),
             "rows": len(data.responses)},
            {"input": "codebook", "file": Path(study.survey["codebook"]).name,
             "read as": "codebook (items)", "rows": len(data.instrument.items)}]
    if data.retest is not None:
        rows.append({"input": "retest survey", "file": data.retest.source.name,
                     "read as": _platform_words(data.retest.platform),
                     "rows": len(data.retest)})
    if data.records is not None:
        rows.append({"input": "academic records", "file": data.records.source.name,
                     "read as": "table of students", "rows": len(data.records)})
    if study.expert_panel is not None:
        rows.append({"input": "expert panel", "file": Path(study.expert_panel["file"]).name,
                     "read as": "experts' ratings", "rows": None})
    section.tables.append(Table("inputs", "Inputs", pd.DataFrame(rows),
                                note=f"Read from {study.path.name}; rows are responses, "
                                "codebook items or students."))
    scales = data.scores.summary()
    section.tables.append(Table(
        "scales", "Scales of the questionnaire",
        _frame(_named_scales(scales, run, "scale"), {"scale": "scale", "n_items": "items",
                        "reversed": "reverse-keyed", "n_scored": "n scored",
                        "mean": "M", "sd": "SD"}),
        note=f"Scale scores are the {data.instrument.scoring} of the items, reverse-keyed "
             "items reversed."))
    return section


#: The screening flags (peereval.quality.FLAGS) as the report names them.
_FLAG_WORDS = {"test_response": "test or preview", "unfinished": "unfinished",
               "incomplete": "incomplete", "duplicate_id": "repeated student id",
               "duplicate_answers": "same answers as another respondent",
               "out_of_range": "answer outside the scale",
               "straightlining": "same answer throughout a scale",
               "speeder": "answered too fast"}


def _flag_words(flag: str) -> str:
    return _FLAG_WORDS.get(flag, flag.replace("_", " "))


def _quality_section(run: _Render) -> Section:
    study, data = run.study, run.data
    section = Section("quality", "Data quality and respondent flow")
    counts = data.screening.to_frame()
    dropped = set(study.screening_drop)
    table = counts.assign(dropped=counts["flag"].isin(dropped),
                          n=counts["n"].where(counts["checked"]),
                          flag=[_flag_words(f) for f in counts["flag"]])
    section.tables.append(Table(
        "screening", "Screening flags",
        _frame(table, {"flag": "flag", "n": "respondents flagged", "dropped": "dropped",
                       "rule": "rule"}),
        note="Flags are counted for every respondent; only those marked 'dropped' "
             "(study.toml [screening] drop) remove respondents. A respondent can carry "
             "several flags."))
    flow = data.flow
    exported, analysed = int(flow["remaining"].iloc[0]), int(flow["remaining"].iloc[-1])
    text = (f"The platform exported {count_of(exported, 'response')}; after screening "
            f"{count_of(analysed, 'respondent')} {'was' if analysed == 1 else 'were'} "
            "analysed.")
    invited = study.survey.get("invited")
    if invited:
        text += (f" {count_of(invited, 'student')} {'was' if invited == 1 else 'were'} "
                 "invited, a response rate of "
                 f"{_percent(run.results.response_rate)} ({analysed} of {invited}).")
    section.paragraphs.append(text)
    for note in data.responses.notes:  # a loader's note may name a flag by its code
        for flag, words in _FLAG_WORDS.items():
            note = re.sub(rf"\b{flag}\b", f"'{words}'", note)
        section.notes.append(f"Survey file: {note}")
    if data.records is not None:
        _linkage(run, section)
    section.tables.insert(1, Table(
        "flow", "Respondent flow",
        _frame(_survey_flow(run), {"step": "step", "removed": "removed",
                                   "remaining": "remaining", "reason": "reason"}),
        note="From the rows exported by the platform to the respondents analysed, one "
             "rule at a time. Below the screening steps, the respondents each kind of "
             "analysis uses."))
    return section


def _linkage(run: _Render, section: Section) -> None:
    study, linked = run.study, run.results.linked
    if _failed(section, linked):
        return
    report = linked.report
    small = 0 < report.matched < study.min_cell
    frame = report.to_frame()
    if small:  # the linked count and the two rows it could be worked out from
        hidden = {"linked": f"<{study.min_cell}",
                  "responses whose id is not in the records": "not shown",
                  "records without a survey response": "not shown"}
        frame["n"] = [hidden.get(measure, n) for measure, n in
                      zip(frame["measure"], frame["n"], strict=True)]
    section.tables.append(Table(
        "linkage", "Linkage of survey responses to academic records", frame,
        note="Student ids are replaced by keyed pseudonyms (HMAC-SHA-256) before "
             "linkage; no id appears in this report."
             + (f" Fewer than {study.min_cell} respondents were linked: the count is "
                "not shown, nor the two counts it could be worked out from (the "
                "small-cell rule, [privacy] min_cell)." if small else "")))
    if small:
        section.paragraphs.append(
            f"Fewer than {study.min_cell} of the {report.n_responses} analysed "
            "respondents were found in the academic records "
            f"({count_of(report.n_records, 'student')}).")
    else:
        section.paragraphs.append(
            f"{report.matched} of the {report.n_responses} analysed respondents were "
            f"found in the academic records ({count_of(report.n_records, 'student')}); "
            f"{count_of(report.records_not_in_survey, 'student')} in the records did not "
            "answer the survey.")
    section.paragraphs.append(_records_sentence(run))


def _small_groups(run: _Render) -> list[str]:
    """The groups of the records with 1 to min_cell - 1 students, by display name."""
    records, study = run.data.records, run.study
    if records is None:
        return []
    return [run.names.group_name(records.group, g) for g, n in records.groups().items()
            if 0 < n < study.min_cell]


def _records_sentence(run: _Render) -> str:
    """The records' size and their groups' sizes, or why the sizes are not shown: with
    the total beside them, the size of the other group gives a small one away."""
    records, study = run.data.records, run.study
    groups = records.groups()
    total = count_of(len(records), "student")
    small = _small_groups(run)
    if small:
        return (f"Academic records: {total} in {len(groups)} groups. The size of each "
                f"group is not shown: {' and '.join(small)} "
                f"{'has' if len(small) == 1 else 'have'} fewer than {study.min_cell} "
                "students, and beside the total the other group's size would give it "
                "away (the small-cell rule, [privacy] min_cell).")
    sizes = ", ".join(f"{run.names.group_name(records.group, g)}: {n}"
                      for g, n in groups.items())
    return f"Academic records: {total} ({sizes})."


def _survey_flow(run: _Render) -> pd.DataFrame:
    """Screening steps, then the respondents with every item, then those linked."""
    data = run.data
    reasons = {row.flag: row.rule for row in data.screening.to_frame().itertuples()}
    flow = data.flow.assign(reason=[reasons.get(step[5:], "") if step.startswith("drop ")
                                    else "rows in the platform's export"
                                    for step in data.flow["step"]])
    flow = flow.assign(step=[f"removed: {_flag_words(step[5:])}" if step.startswith("drop ")
                             else step for step in flow["step"]])
    rows = flow[["step", "removed", "remaining", "reason"]].to_dict("records")
    analysed = int(rows[-1]["remaining"])
    items = data.scores.items[[c for s in data.instrument.scales for c in s.items]]
    complete = int(items.notna().all(axis=1).sum())
    rows.append({"step": "analysed", "removed": 0, "remaining": analysed,
                 "reason": "after screening: perception summary and scale scores; "
                           "reliability uses those who answered every item of the scale "
                           "(its n is in the reliability table)"})
    rows.append({"step": "every item answered", "removed": analysed - complete,
                 "remaining": complete,
                 "reason": "factor analyses (exploratory and confirmatory) use "
                           "respondents who answered every item"})
    linked = run.results.linked
    if ran(linked):
        report = linked.report
        rows.append({"step": "linked to academic records",
                     "removed": analysed - report.matched, "remaining": report.matched,
                     "reason": f"no id: {report.responses_without_id}; id not in the "
                               f"records: {report.responses_not_in_records}"})
    scored = int(data.scores.scales.notna().all(axis=1).sum())
    if scored != analysed:
        rows.append({"step": "every scale scored", "removed": analysed - scored,
                     "remaining": scored,
                     "reason": "too few items of a scale answered for its score"})
    return pd.DataFrame(rows)


def _outcome_flow(plan: OutcomePlan, matched: Any) -> pd.DataFrame:
    """Students in each outcome analysis, and why the others are left out."""
    frame, group, covariates = plan.frame, plan.group, list(plan.covariates)
    have_group = frame[group].notna()
    rows = [{"step": "academic records", "removed": 0, "remaining": len(frame),
             "reason": "rows of the records file"}]
    if not have_group.all():
        rows.append({"step": f"{group} known", "removed": int((~have_group).sum()),
                     "remaining": int(have_group.sum()), "reason": f"no value of {group}"})
    base = frame[have_group]
    for outcome in plan.outcomes:
        has = base[outcome].notna()
        rows.append({"step": f"{outcome}: unadjusted", "removed": int((~has).sum()),
                     "remaining": int(has.sum()), "reason": f"no value of {outcome}"})
        if covariates:
            full = has & base[covariates].notna().all(axis=1)
            rows.append({"step": f"{outcome}: adjusted", "removed": int((has & ~full).sum()),
                         "remaining": int(full.sum()),
                         "reason": "a covariate missing (" + ", ".join(covariates) + ")"})
    if ran(matched):
        for column, label, why in (
                ("treated", "mentored", "no comparison student within the caliper"),
                ("control", "comparison", "not needed as a match (1:1)")):
            in_group = int(matched.counts.loc["all", column])
            kept = int(matched.counts.loc["matched", column])
            rows.append({"step": f"propensity-matched {label} students",
                         "removed": in_group - kept, "remaining": kept,
                         "reason": why + (f"; {count_of(sum(matched.dropped.values()), 'student')} "
                                          "left out before matching (a covariate missing)"
                                          if matched.dropped else "")})
    return pd.DataFrame(rows)


#: The perception summary's shares agreeing are percentages (0 to 100).
_PERCENTS = {"agree_pct": "percent", "agree_ci_low": "percent", "agree_ci_high": "percent"}


def _perception_section(run: _Render) -> Section:
    from peereval.figures import likert

    section = Section("perception", "What students said")
    summary = run.results.perception
    if _failed(section, summary):
        return section
    run.cite("wilson")
    section.paragraphs.append(summary.apa())
    run.methods.append(summary.methods())
    columns = {"scale": "scale", "item": "item", "text": "statement", "group": "cohort",
               "n": "n", "median": "median", "agree_pct": "agree %",
               "agree_ci_low": "CI low %", "agree_ci_high": "CI high %"}
    section.tables.append(Table(
        "items_agree", "Agreement with each statement",
        _frame(_named_scales(summary.items, run, "scale"), columns, optional=("group",),
               roles=_PERCENTS),
        note="Agree %: respondents choosing one of the two highest options (top-two "
             "box), of those who answered; 95% Wilson intervals. Reverse-keyed "
             "statements are reported as worded."))
    section.tables.append(Table(
        "scales_agree", "Agreement by scale",
        _frame(_named_scales(summary.scales, run, "scale"), {"scale": "scale", "group": "cohort",
                                "n": "n", "median": "median", "mean": "M", "sd": "SD",
                                "agree_pct": "agree %", "agree_ci_low": "CI low %",
                                "agree_ci_high": "CI high %"}, optional=("group",),
               roles=_PERCENTS),
        note="A respondent agrees with a scale when the mean of its items (reverse-"
             "keyed items reversed) reaches the lowest agreeing option."))
    _figure(section, "likert", "Responses to each statement",
            "Diverging stacked bars: disagreement to the left of zero, agreement to "
            "the right, the neutral option split across the line; the share "
            "agreeing is printed beside each bar.",
            "Diverging stacked bar chart of the answers to every questionnaire item",
            lambda: likert(summary))
    return section


def _reliability_section(run: _Render) -> Section:
    study, results = run.study, run.results
    options = study.options
    section = Section("reliability", "Reliability")
    for scale, reason in results.reliability_skipped.items():
        scale = _scale_labels(run).get(scale, scale)
        section.notes.append(f"Reliability of the scale '{scale}': not reported. "
                             f"{reason[:1].upper()}{reason[1:]}")
    result = results.reliability
    if not _failed(section, result):
        run.cite("cronbach", "mcdonald", "feldt" if options["ci"] == "feldt" else "efron")
        section.paragraphs.append(result.apa())
        section.tables.append(Table(
            "reliability", "Internal consistency",
            _frame(_named_scales(result.to_frame(), run, "scale"), {
                "scale": "scale", "n_items": "items", "n": "n",
                "alpha": "alpha", "alpha_ci_low": "CI low", "alpha_ci_high": "CI high",
                "omega_total": "omega total", "split_half_sb": "split-half (SB)",
                "average_r": "mean inter-item r", "flagged_items": "weak items"}),
            note=f"Cronbach's alpha with {ci_words(options)}; McDonald's omega total "
                 "from a one-factor model; "
                 + ("respondents with every item of the scale answered (listwise)."
                    if result.missing == "listwise" else
                    "each covariance from the respondents who answered both items "
                    "(pairwise).")))
        run.methods.append(result.methods())
    analyses = results.item_analysis
    if not _failed(section, analyses):
        items = pd.concat([analysis.to_frame().assign(scale=scale)
                           for scale, analysis in analyses.items()], ignore_index=True)
        section.tables.append(Table(
            "items", "Item analysis",
            _frame(_named_scales(_with_statements(items, _item_labels(run)), run, "scale"), {
                "scale": "scale", "item": "item", "statement": "statement", "n": "n",
                "mean": "M", "sd": "SD", "item_rest_r": "item-rest r",
                "alpha_if_deleted": "alpha if deleted", "floor_pct": "floor",
                "ceiling_pct": "ceiling", "flags": "flags"}, optional=("statement",)),
            note="Item-rest r: correlation of the item with the sum of the other items of "
                 "its scale (flagged below .30); floor and ceiling: share at the lowest and "
                 "highest option (flagged above 15%)."))
    retest = results.retest
    if not _failed(section, retest):
        run.cite("mcgraw", "koo")
        interval = study.retest.get("interval_days")
        lead = f"Retest after {interval} days. " if interval else ""
        text = retest.apa()  # "...: support .95 [.91, .97]; ..." -> "Mentor support .95"
        for code, label in _scale_labels(run).items():
            text = re.sub(rf"(?<=[:;] ){re.escape(code)}(?= [.\d−-])", label, text)
        section.paragraphs.append(lead + text)
        section.tables.append(Table(
            "retest", "Test-retest reliability",
            _frame(_named_scales(retest.to_frame(), run, "measure"), {
                "measure": "scale", "form": "ICC form", "n_pairs": "pairs",
                "mean_first": "M first", "mean_second": "M second", "icc": "ICC",
                "ci_low": "CI low", "ci_high": "CI high",
                "interpretation": "interpretation"}),
            note=_retest_note(retest)))
        run.methods.append(retest.methods())
    return section


def _retest_note(retest: Any) -> str:
    """The ICC form of the retest table in words, from the form the result used."""
    computed = [result for result in retest.results.values() if result is not None]
    if not computed:
        return "No intraclass correlation could be computed (see the notes)."
    form = computed[0].selected
    unit = ("single measurement" if form.unit == "single rater"
            else "mean of both administrations")
    return (f"{form.name}: {form.model}, {form.type}, {unit} (McGraw & Wong, 1996); "
            "labels after Koo & Li (2016).")


def _validity_section(run: _Render) -> Section:
    section = Section("validity", "Validity")
    _content(run, section)
    _structure(run, section)
    return section


def _content(run: _Render, section: Section) -> None:
    from peereval.figures import content_validity as content_validity_plot

    result = run.results.content
    if _failed(section, result):
        return
    run.cite("lawshe", "ayre", "polit")
    section.paragraphs.append(result.apa())
    section.tables.append(Table(
        "content", "Content validity of each item",
        _frame(_with_statements(result.to_frame(), _item_labels(run)), {
            "item": "item", "statement": "statement", "n_experts": "experts", "icvi": "I-CVI",
            "kappa": "modified kappa", "kappa_label": "kappa label", "cvr": "CVR",
            "cvr_crit": "critical CVR", "impact": "impact score",
            "decision": "decision", "reason": "reason"},
            optional=("statement", "cvr", "cvr_crit", "impact")),
        note="I-CVI: share of experts rating the item 3 or 4 of 4 (Polit & Beck); "
             "CVR: Lawshe's content validity ratio with exact binomial critical "
             "values (Ayre & Scally, 2014)."))
    _figure(section, "content_validity", "Content validity per item",
            "I-CVI and CVR of each item against their thresholds; items to revise or "
            "drop are marked.", "Dot plot of I-CVI and CVR per item",
            lambda: content_validity_plot(result, labels=_item_labels(run) or None))
    run.methods.append(result.methods())


def _structure(run: _Render, section: Section) -> None:
    from peereval.figures import loadings as loadings_heatmap
    from peereval.figures import scree

    results = run.results
    factorability = results.factorability
    if not _failed(section, factorability):
        run.cite("kaiser")
        section.paragraphs.append("Factorability: " + factorability.apa() + ".")
    retention = results.retention
    if not _failed(section, retention):
        run.cite("horn", "velicer")
        section.paragraphs.append(retention.apa())
        section.tables.append(Table("retention", "Number of factors to retain",
                                    _frame(retention.to_frame(),
                                           {"criterion": "criterion",
                                            "suggests": "factors suggested"})))
        _figure(section, "scree", "Scree plot with parallel analysis",
                "Eigenvalues of the item correlation matrix against the 95th percentile "
                "of eigenvalues of random data of the same size (Horn's parallel "
                "analysis); factors above the random curve are retained.",
                "Scree plot of observed and simulated eigenvalues",
                lambda: scree(retention.parallel))
    exploratory = results.efa
    if not _failed(section, exploratory):
        section.paragraphs.append(exploratory.apa() + ".")
        loadings = exploratory.to_frame()
        factors = [c for c in loadings.columns if c not in ("item", "communality",
                                                            "uniqueness")]
        loadings = loadings.rename(columns={c: f"factor {i}"
                                            for i, c in enumerate(factors, start=1)})
        method = _EXTRACTION.get(str(exploratory.method), str(exploratory.method))
        rotation = "no" if str(exploratory.rotation) in ("none", "None") else (
            exploratory.rotation)
        section.tables.append(Table(
            "efa", "Exploratory factor analysis: pattern loadings",
            _with_statements(loadings, _item_labels(run)),
            note=f"{method} extraction, {rotation} rotation. Communality: "
                 "the share of an item's variance the factors explain; uniqueness: the "
                 "rest."))
        _figure(section, "loadings", "Factor loadings",
                "Pattern loadings of each item (rows) on each factor (columns); darker "
                "cells load more strongly.", "Heat map of factor loadings",
                lambda: loadings_heatmap(exploratory, labels=_item_labels(run) or None))
    fit = results.cfa
    if not _failed(section, fit):
        _cfa_tables(run, section, fit)
    # the methods of the structure, each from its result's own settings
    for result in (results.factorability, retention, exploratory, fit):
        if ran(result):
            run.methods.append(result.methods())
    discriminant = results.discriminant
    if not _failed(section, discriminant):
        run.cite("fornell", "henseler")
        section.paragraphs.append(discriminant.apa() + ".")
        section.tables.append(Table(
            "discriminant", "Convergent and discriminant validity",
            _frame(_named_scales(discriminant.to_frame(), run, "factor", "with_factor"), {
                "factor": "factor", "n_items": "items", "cr": "composite reliability",
                "ave": "AVE", "sqrt_ave": "sqrt AVE",
                "max_correlation": "largest correlation",
                "with_factor": "with", "fornell_larcker_ok": "Fornell-Larcker met"}),
            note="AVE at least .50 and composite reliability at least .70 support "
                 "convergent validity; sqrt AVE above every correlation with another "
                 "factor supports discriminant validity (Fornell & Larcker, 1981)."))


#: Extraction methods of the EFA by name.
_EXTRACTION = {"minres": "Minimum residual", "ml": "Maximum likelihood",
               "pa": "Principal axis", "uls": "Unweighted least squares"}


def _cfa_tables(run: _Render, section: Section, fit: Any) -> None:
    run.cite("hu")
    section.paragraphs.append(
        f"A confirmatory factor analysis of the codebook's {len(fit.factors)}-factor "
        f"model (maximum likelihood, n = {fit.n}): {fit.apa(verdict=True)}")
    fit_frame = fit.fit_indices
    section.tables.append(Table(
        "cfa_fit", "Confirmatory factor analysis: fit",
        _frame(fit_frame, {"chisq": "chi-square", "df": "df", "p_value": "p",
                           "cfi": "CFI", "tli": "TLI", "rmsea": "RMSEA",
                           "rmsea_ci_low": "RMSEA CI low",
                           "rmsea_ci_high": "RMSEA CI high", "srmr": "SRMR",
                           "n": "n"}),
        note="Good fit (Hu & Bentler, 1999): CFI and TLI at least .95, RMSEA at most "
             ".06, SRMR at most .08."))
    standardized = fit.to_frame()
    loadings = standardized[standardized["op"] == "=~"].copy()
    fixed = ~loadings["free"].astype(bool)
    loadings.loc[fixed, "se"] = np.nan  # a fixed loading has no standard error
    scales = _scale_labels(run)
    loadings["lhs"] = [scales.get(str(f), str(f)) for f in loadings["lhs"]]
    section.tables.append(Table(
        "cfa_loadings", "Confirmatory factor analysis: standardised loadings",
        _frame(_with_statements(loadings, _item_labels(run), "rhs"), {
            "lhs": "factor", "rhs": "item", "statement": "statement",
            "std_all": "loading", "se": "SE (unstandardised)", "p_value": "p"},
            optional=("statement",)),
        note="The first item of each factor is its marker: its unstandardised loading "
             "is fixed at 1 to set the factor's scale, so it has no standard error or "
             "p (—)." if fixed.any() else None))


def _outcomes_section(run: _Render) -> Section | None:
    study, results = run.study, run.results
    plan = results.plan
    if not isinstance(plan, OutcomePlan):
        return None
    section = Section("outcomes", "Academic outcomes")
    described = results.characteristics
    small = _small_groups(run)
    if small:
        section.notes.append(
            f"Characteristics by group are not reported: {' and '.join(small)} "
            f"{'has' if len(small) == 1 else 'have'} fewer than {study.min_cell} students, "
            "so the group's summaries would describe individuals (the small-cell rule, "
            "[privacy] min_cell).")
    elif not _failed(section, described):
        section.tables.append(Table(
            "characteristics", "Characteristics and outcomes by group",
            _yes_no_levels(_group_headers(described.table(), plan.group, run.names),
                           [run.names.column(b) for b in plan.binary]),
            note=f"Mean (SD) or n (%); SMD: standardised mean difference. Counts from 1 "
                 f"to {study.min_cell - 1} are shown as <{study.min_cell}, with a second "
                 "cell where the first could be worked out from the total."))
    comparisons = results.comparisons
    if isinstance(comparisons, NotRun) and not comparisons.asked:
        if plan.sizes.min() < study.min_cell:
            section.notes.append(comparisons.reason)
        return section
    _compare(run, section, plan)
    if plan.covariates:
        _adjusted(run, section, plan)
    _matched(run, section, plan)
    if plan.cluster:
        _clustered(run, section, plan)
    power = results.power
    if not _failed(section, power):
        run.cite("cohen")
        section.paragraphs.append(power.apa())
    section.tables.append(Table(
        "outcome_flow", "Students in the outcome analyses",
        _frame(_outcome_flow(plan, results.matched),
               {"step": "step", "removed": "left out", "remaining": "analysed",
                "reason": "reason"}),
        note="Every student of the records file is counted: each row says how many "
             "an analysis used and why the others were left out."))
    return section


def _compare(run: _Render, section: Section, plan: OutcomePlan) -> None:
    from peereval._format import fmt_bf
    from peereval.figures import distributions, forest
    from peereval.figures._outcomes import EFFECT_LABELS
    from peereval.outcomes._compare import BF_PRIOR

    many = run.results.comparisons
    if _failed(section, many):
        return
    adjust = run.study.options["adjust"]
    run.cite("hedges", "newcombe", *([adjust] if adjust in ("holm", "bh") else []))
    withheld = _withheld_rates(run)
    section.paragraphs.append(many.apa(withheld=dict.fromkeys(withheld, "not shown")))
    table = many.to_frame()
    table["effect"] = [EFFECT_LABELS.get(str(code), str(code)) for code in table["effect"]]
    shown = ~table["outcome"].isin(withheld)
    table.loc[~shown, _RATE_COLUMNS] = np.nan
    # the JZS Bayes factor of each continuous outcome, as text (4.54 × 10¹⁰)
    pairs = list(zip(many.results, many.kinds, strict=True))
    table["bf10"] = [fmt_bf(result.bf10) if kind == "continuous" else float("nan")
                     for result, kind in pairs]
    priors = sorted({result.bf_prior for result, kind in pairs if kind == "continuous"})
    prior = " and ".join(f"{r:.3f}" for r in priors)
    bf_note = (f" BF10: JZS Bayes factor of a difference in means against none "
               f"(Cauchy prior on the standardised difference, scale r = {prior}; "
               "from Student's t), above 1 favouring a difference and below 1 its "
               "absence." if priors else "")
    section.tables.append(Table(
        "unadjusted", "Unadjusted differences between the groups",
        _frame(table, {
            "outcome": "outcome", "n_treated": "n mentored", "n_control": "n comparison",
            "mean_treated": "M mentored", "mean_control": "M comparison",
            "risk_treated": "rate mentored", "risk_control": "rate comparison",
            "difference": "difference", "effect": "effect size",
            "estimate": "estimate", "ci_low": "CI low", "ci_high": "CI high",
            "p_value": "p", "p_adjusted": "p adjusted",
            **({"bf10": "BF10"} if priors else {})}),
        note=_unadjusted_note(many, adjust) + bf_note + _withheld_note(run, withheld)))
    _figure(section, "forest", "Effect sizes across outcomes",
            "Hedges' g (continuous outcomes) and risk differences (pass/fail) with "
            f"{many.ci_level:.0%} confidence intervals; right of zero favours the mentored "
            "group." + (f" Not shown: {', '.join(withheld)} (the small-cell rule)."
                        if withheld else ""),
            "Forest plot of effect sizes per outcome",
            lambda: forest(many.to_frame()[shown.to_numpy()]))
    if plan.continuous:
        # the mentored group first, as in the other figures and tables
        frame, group, treated = plan.frame, plan.group, plan.treated
        order = [treated, *sorted(set(frame[group].dropna()) - {treated}, key=str)]
        _figure(section, "distributions", "Outcomes by group",
                "Box plots with every student shown as a point.",
                "Box plots of each continuous outcome by group",
                lambda: _panels(partial(distributions, order=order),
                                [(frame, outcome, group) for outcome in plan.continuous]))
    if priors:
        run.cite("rouder")
    bayes = (" Beside each t test, the Jeffreys-Zellner-Siow (JZS) Bayes factor BF10 "
             "weighed a difference in means against none, with a Cauchy prior of "
             f"scale r = {prior} on the standardised difference"
             + (" (JASP's default)" if priors == [BF_PRIOR] else "") + ", "
             "computed from Student's pooled-variance t (Rouder et al., 2009)."
             if priors else "")
    run.methods.append(many.methods() + bayes)


#: The columns of the unadjusted table from which a pass/fail count could be worked out.
_RATE_COLUMNS = ["risk_treated", "risk_control", "difference", "estimate", "ci_low",
                 "ci_high", "p_value", "p_adjusted"]


def _withheld_rates(run: _Render) -> list[str]:
    """The pass/fail outcomes whose 2 × 2 table has a count of 1 to min_cell − 1.

    With the group sizes in view, a rate gives its count away (98% of 137 is 134, so 3
    failed), and the risk difference, its interval and p with one rate give the other;
    so none of them is shown for such an outcome. A rate is shown only when its events
    and its non-events both reach min_cell.
    """
    from peereval.outcomes import BinaryComparison

    minimum = run.study.min_cell
    many = run.results.comparisons
    return [name for name, result in zip(many.outcomes, many.results, strict=True)
            if isinstance(result, BinaryComparison)
            and any(0 < n < minimum for n in (result.a, result.b, result.c, result.d))]


def _withheld_note(run: _Render, withheld: list[str]) -> str:
    if not withheld:
        return ""
    minimum = run.study.min_cell
    return (f" Rates, difference, interval and p of {', '.join(withheld)} are not shown: "
            f"fewer than {minimum} students of a group had one of its two results, and "
            "beside the group sizes these numbers would give that count away (the "
            "small-cell rule, [privacy] min_cell).")


def _unadjusted_note(many: Any, adjust: str) -> str:
    """The note under the unadjusted table, from the tests the results used."""
    continuous = [r for r, kind in zip(many.results, many.kinds, strict=True)
                  if kind == "continuous"]
    binary = [r for r, kind in zip(many.results, many.kinds, strict=True) if kind == "binary"]
    parts = []
    if continuous:
        tests = " and ".join(sorted({r.method for r in continuous}))
        effects = " and ".join(sorted({r.effect(r.headline).label for r in continuous}))
        parts.append(f"{tests} and {effects} for continuous outcomes")
    if binary:
        from peereval.outcomes._binary import TEST_NAMES

        tests = " and ".join(sorted({TEST_NAMES[r.test] for r in binary}))
        parts.append(f"{tests} and risk difference (Newcombe interval) for pass/fail "
                     "outcomes")
    text = "; ".join(parts)
    return (text[:1].upper() + text[1:] + "; p values adjusted across outcomes with "
            f"{_ADJUST_WORDS[adjust]}.")


def _adjusted(run: _Render, section: Section, plan: OutcomePlan) -> None:
    from peereval.figures import adjusted_means

    rows: list[dict[str, Any]] = []
    ancovas: list[Any] = []
    binaries: list[Any] = []
    for outcome, result in run.results.adjusted.items():
        if _failed(section, result):
            continue
        if outcome in plan.continuous:
            ancovas.append(result)
            run.cite("long")
            text = _full_stop(result.apa())
            if result.robust:  # the table and the summary give the robust interval
                robust = fmt_ci(result.robust_ci_low, result.robust_ci_high,
                                level=result.ci_level)
                text += (f" With {result.robust} standard errors, as in the table and the "
                         f"summary: {robust}, {fmt_p(result.robust_p_value)}.")
            section.paragraphs.append(text)
            means = result.adjusted_means.set_index("group")["adjusted_mean"]
            rows.append({"outcome": outcome, "adjusted M mentored": means.iloc[0],
                         "adjusted M comparison": means.iloc[1],
                         "difference": result.difference,
                         "CI low": result.robust_ci_low, "CI high": result.robust_ci_high,
                         "p": result.robust_p_value, "partial eta squared": result.eta_sq_partial,
                         "g": result.g, "n": result.n})
        else:
            binaries.append(result)
            rows.append({"outcome": outcome, "adjusted odds ratio": result.adjusted_or,
                         "CI low": result.adjusted_or_ci_low,
                         "CI high": result.adjusted_or_ci_high,
                         "p": result.adjusted_or_p_value, "n": result.n})
    covariates = list(plan.covariates)
    if rows:
        section.tables.append(Table(
            "adjusted", "Differences adjusted for " + and_list(covariates),
            pd.DataFrame(rows),
            roles={"outcome": "label", "adjusted M mentored": "estimate",
                   "adjusted M comparison": "estimate", "difference": "estimate",
                   "adjusted odds ratio": "estimate", "CI low": "ci_bound",
                   "CI high": "ci_bound", "p": "p_value", "partial eta squared": "estimate",
                   "g": "estimate", "n": "n"},
            note=_adjusted_note(ancovas, binaries)))
        run.methods.extend(result.methods() for result in [*ancovas, *binaries])
    if ancovas:
        _figure(section, "adjusted_means", "Adjusted means",
                "Means of each outcome adjusted for " + and_list(covariates) + ", with "
                f"{ancovas[0].ci_level:.0%} confidence intervals.",
                "Adjusted means per group with intervals",
                lambda: _panels(adjusted_means, [(r,) for r in ancovas]))


def _adjusted_note(ancovas: list[Any], binaries: list[Any]) -> str:
    """The note under the adjusted table, from the models the results were fitted with."""
    parts = []
    if ancovas:
        errors = sorted({r.robust or "classical" for r in ancovas})
        parts.append(f"Continuous outcomes: ANCOVA with {' and '.join(errors)} standard "
                     "errors; the difference is between adjusted means at the covariates' "
                     "means.")
    if binaries:
        parts.append("Pass/fail outcomes: logistic regression, odds ratio with Wald "
                     "interval.")
    return " ".join(parts)


def _matched(run: _Render, section: Section, plan: OutcomePlan) -> None:
    from peereval.figures import love as love_plot

    matched = run.results.matched
    if _failed(section, matched):
        return
    run.cite("rosenbaum", "austin")
    section.paragraphs.append(matched.apa())
    balance = matched.balance
    balanced = balance.to_frame()
    balanced["covariate"] = [_term_words(str(c)) for c in balanced["covariate"]]
    section.tables.append(Table(
        "balance", "Covariate balance before and after matching",
        _frame(balanced, {
            "covariate": "covariate", "smd_before": "SMD before",
            "smd_after": "SMD after", "var_ratio_before": "variance ratio before",
            "var_ratio_after": "variance ratio after"}),
        note=f"Standardised mean differences; |SMD| below {balance.threshold:g} is "
             "usually taken as balanced (Austin, 2011)."))
    _figure(section, "love_plot", "Balance before and after matching",
            "Absolute standardised mean difference of each covariate before and after "
            f"matching; the dashed line marks {balance.threshold:g}.",
            "Love plot of covariate balance",
            lambda: love_plot(balanced, threshold=balance.threshold))
    table = pd.concat([effect.to_frame() for effect in run.results.matched_effects.values()],
                      ignore_index=True)
    section.tables.append(Table(
        "matched", "Effects in the matched sample",
        _frame(table, {"outcome": "outcome", "estimand": "estimand",
                       "estimate": "difference", "ci_low": "CI low", "ci_high": "CI high",
                       "p_value": "p", "n_treated": "n mentored", "n_control": "n comparison"}),
        note="Differences in means (pass/fail: in proportions) between matched mentored "
             "and comparison students, with cluster-robust standard errors by matched "
             "set. ATT: the effect on the mentored students who were matched."))
    run.methods.append("As a check on selection, mentored students were matched to "
                       "comparison students. " + matched.methods())


def _clustered(run: _Render, section: Section, plan: OutcomePlan) -> None:
    rows = []
    fitted = []
    for outcome, result in run.results.mixed.items():
        if _failed(section, result):
            continue
        fitted.append(result)
        run.cite("raudenbush")
        text = result.apa()
        lead = f"{result.group} ("  # "mentored (yes vs no): b = ..." -> "yes vs no: ..."
        if run.names.values and text.startswith(lead) and "): " in text:
            text = text[len(lead):].replace("): ", ": ", 1)
        section.paragraphs.append(f"Mixed model of {outcome} (students clustered by "
                                  f"{run.names.column(plan.cluster)}): {text}")
        rows.append({"outcome": outcome, "effect": result.effect, "CI low": result.ci_low,
                     "CI high": result.ci_high, "p": result.p_value, "ICC": result.icc,
                     "design effect": result.design_effect,
                     "clusters": result.n_clusters, "n": result.n})
    if rows:
        cluster = run.names.column(plan.cluster)
        section.tables.append(Table(
            "mixed", f"Mixed models with a random intercept for {cluster}",
            pd.DataFrame(rows),
            roles={"outcome": "label", "effect": "estimate", "CI low": "ci_bound",
                   "CI high": "ci_bound", "p": "p_value", "ICC": "estimate",
                   "design effect": "estimate", "clusters": "n", "n": "n"},
            note=f"Linear mixed models ({'REML' if fitted[0].reml else 'ML'}); students "
                 f"without a {cluster} are each their own cluster. ICC and design effect "
                 f"describe how alike students of one {cluster} are."))
        run.methods.extend(result.methods() for result in fitted)


def _comments_section(run: _Render) -> Section | None:
    study, data = run.study, run.data
    names = study.survey.get("comments", [])
    if not names or not study.options["show_comments"]:
        return None
    section = Section("comments", "Free-text comments")
    for name in names:
        if name not in data.screened.answers:
            section.notes.append(f"{name}: not in the survey")
            continue
        texts = sorted({str(t).strip() for t in data.screened.answers[name].dropna()
                        if str(t).strip()})
        item = data.screened.items.get(name) if hasattr(data.screened.items, "get") else None
        wording = getattr(item, "text", "") or name
        section.tables.append(Table(
            f"comments_{name}"[:31], f"{wording}",
            pd.DataFrame({"comment": texts}),
            note=("1 comment, shown as written. Read it for names before sharing."
                  if len(texts) == 1 else
                  f"{len(texts)} distinct comments, in alphabetical order (not the order "
                  "of responses), shown as written. Read them for names before sharing.")))
    return section


def _design_section(run: _Render) -> Section:
    section = Section("design", "What this design can show")
    appraisal = run.results.appraisal
    if _failed(section, appraisal):
        return section
    run.cite("reed", "kirkpatrick", "barr")
    section.paragraphs.append(appraisal.text())
    levels = appraisal.kirkpatrick_frame()
    if "measure" in levels.columns:
        levels["measure"] = levels["measure"].replace({"self_report": "self-report"})
    section.tables.append(Table("kirkpatrick", "Outcomes and their Kirkpatrick level",
                                levels))
    section.tables.append(Table("threats", "Threats to the conclusions",
                                appraisal.threats_frame()))
    section.tables.append(Table(
        "mersqi", "MERSQI design-related points",
        appraisal.to_frame().rename(columns={"max_points": "maximum"}),
        note=f"Total {appraisal.mersqi_total:g} of {appraisal.mersqi_max:g} applicable "
             f"points ({appraisal.mersqi_rescaled:.1f} of 18 rescaled). Items that need "
             "reading the paper (e.g. appropriateness of the analysis) are scored from "
             "what peereval ran."))
    return section


def _glossary_section(sections: list[Section], warnings: Any) -> Section | None:
    """The statistical terms the report uses, in words (None when it uses none)."""
    from peereval.report._glossary import glossary_table

    texts = [*map(str, warnings), *(t for section in sections for t in _section_texts(section))]
    terms = glossary_table(texts)
    if terms.empty:
        return None
    return Section("glossary", "Glossary", tables=[Table(
        "glossary", "Terms used in this report", terms,
        note="Only the terms that occur in this report are listed.")])


def _methods_section(run: _Render) -> Section:
    section = Section("methods", "Methods")
    study = run.study
    screening = and_list([_flag_words(flag) for flag in study.screening_drop])
    lead = (f"Survey responses were screened before analysis (dropped: {screening}). "
            if study.screening_drop else "")
    # one paragraph per analysis, each sentence built from that result's settings
    # a model term 'sex[M]' reads 'sex (M)' (its reference level is named beside it)
    section.paragraphs.extend(
        re.sub(r"\b([\w-]+)\[(?:T\.)?([^\]\s]+)\]", r"\1 (\2)", _plain_groups(p, run))
        for p in (lead.strip(), *run.methods) if p)
    section.paragraphs.append(
        f"Random steps used the seed {run.results.seed}. Analyses were run with peereval "
        f"{__version__}; groups or cells smaller than {study.min_cell} are not shown.")
    _coding(run, section)
    return section


def _coding(run: _Render, section: Section) -> None:
    """The coding table, one row per scale and answer, with its rule and source."""
    grouped = run.results.coding
    if _failed(section, grouped) or grouped.empty:
        return
    rules = {(r.rule, r.source) for r in grouped.itertuples()
             if r.rule != "not a scale position"}
    section.paragraphs.append(
        "Answers were turned into numbers with "
        + "; ".join(f"{_rule_words(rule)} (from {source})" for rule, source in sorted(rules))
        + ". The table 'How the answers were coded' lists every answer and its number.")
    unseen = sorted({u for u in grouped["unseen_levels"] if u})
    note = ("Each row is one answer as exported and the number analysed. Answers that "
            "are not a position on the scale (such as 'Not applicable') are missing "
            "(shown as —).")
    if unseen:
        note += (" The numbers of some answers rest on levels nobody chose ("
                 + "; ".join(unseen) + "); if the questionnaire's scale did not have them, "
                 "give its number of points in the codebook (response_range).")
    columns = {"scale": "scale", "items": "items", "answer": "answer", "label": "label",
               "value": "number", "rule": "rule", "source": "source",
               "unseen_levels": "levels nobody chose", "count": "answers"}
    if len(rules) == 1:  # one rule and source for every answer: said once, above
        note += f" Every answer was coded with {_rule_words(next(iter(rules))[0])}."
        columns = {k: v for k, v in columns.items() if k not in ("rule", "source")}
    for column in ("label", "unseen_levels"):  # columns with nothing to show
        if not (grouped[column].astype(str) != "").any():
            columns.pop(column)
    labels = _scale_labels(run)
    grouped = grouped.assign(scale=[labels.get(str(v), v) for v in grouped["scale"]])
    section.tables.append(Table("coding", "How the answers were coded",
                                _frame(grouped, columns), note=note))


_LANGUAGES = {"en": "English", "fa": "Persian", "ar": "Arabic"}


def _rule_words(rule: str) -> str:
    """A coding rule as a reader reads it: the known response scale
    ``agreement-5 (en)`` as "the 5-point agreement scale in English".

    >>> _rule_words("agreement-5 (en)")
    'the 5-point agreement scale in English'
    >>> _rule_words("agreement-5/somewhat (en)")
    "the 5-point agreement scale in English ('somewhat' wording)"
    >>> _rule_words("numbers in labels")
    'numbers in labels'
    """
    found = re.fullmatch(r"([a-z_]+)-(\d+)(?:/([\w-]+))? \((\w+)\)", rule)
    if found is None:
        return rule
    family, points, variant, language = found.groups()
    words = (f"the {points}-point {family.replace('_', ' ')} scale in "
             f"{_LANGUAGES.get(language, language)}")
    return words + (f" ('{variant}' wording)" if variant else "")


# --------------------------------------------------------------------- entry points


def run_study(study: str | Path | Study | StudyResults, *,
              progress: Progress | None = None, language: str | None = None) -> Report:
    """Run every analysis a ``study.toml`` asks for and assemble the report.

    Parameters
    ----------
    study
        Path of ``study.toml``, a :class:`~peereval.study.Study` already read, or the
        :class:`~peereval.study.StudyResults` of one (then nothing is computed again).
    progress
        Called with a short description before each step (the command line prints
        them); ``None`` runs silently.
    language
        The report's language, ``"en"`` or ``"fa"`` (by default study.toml's
        ``[study] language``, else English).

    Returns
    -------
    Report
        Sections in reading order: the study, data quality and flow, what the design
        can show, what students said, reliability, validity, academic outcomes,
        free-text comments and methods; the warnings raised on the way; the works
        cited.

    Raises
    ------
    PeerevalError
        When an input cannot be read (the file, row, column and value named);
        failures of single analyses become notes in the report instead.

    Examples
    --------
    The sample study (about 6 seconds: every analysis, 8 figures):

    >>> import peereval
    >>> from peereval.report import run_study
    >>> report = run_study(peereval.sample_path("study"))
    >>> [s.key for s in report.sections][:3]
    ['summary', 'study', 'quality']
    >>> len(report.tables()), len(report.figures()), report.meta["seed"]
    (29, 8, 20240301)
    """
    if isinstance(study, StudyResults):
        results = study
    else:
        if not isinstance(study, Study):
            study = read_study(study)
        results = study.analyse(progress=progress)
    return render_report(results, language=language)


def render_report(results: StudyResults, *, language: str | None = None) -> Report:
    """The report of a study's results (nothing is computed; figures are drawn).

    Parameters
    ----------
    results
        What :meth:`peereval.study.Study.analyse` returned.
    language
        ``"en"`` or ``"fa"``; by default ``[study] language`` of study.toml, else
        English. A report in another language is the English one translated from the
        catalogues of :mod:`peereval.report._i18n`.

    Returns
    -------
    Report
        See :func:`run_study`.
    """
    study = results.study
    language = language or str(study.info.get("language", "en"))
    if language not in LANGUAGES:
        raise ConfigError(f"the report cannot be written in '{language}'",
                          file=study.path, column="study.language", value=language,
                          hint="use one of: " + ", ".join(LANGUAGES))
    if language == "en":
        return _english_report(results)
    translation = Translation(Catalogue.load(language))
    data = _data_texts(_Render(results))
    token = _FIGURE_TRANSLATION.set((translation, data))
    try:
        report = _english_report(results)
    finally:
        _FIGURE_TRANSLATION.reset(token)
    return translate_report(report, language, data, translation=translation)[0]


def _english_report(results: StudyResults) -> Report:
    run = _Render(results)
    study = results.study
    sections: dict[str, Section | None] = {}
    sections["summary"] = summary_section(results)
    sections["study"] = _study_section(run)
    sections["quality"] = _quality_section(run)
    sections["perception"] = _perception_section(run)
    if study.analyses["reliability"]:
        sections["reliability"] = _reliability_section(run)
    if study.analyses["content_validity"] or study.analyses["factor_analysis"]:
        sections["validity"] = _validity_section(run)
    sections["outcomes"] = _outcomes_section(run)
    sections["comments"] = _comments_section(run)
    sections["design"] = _design_section(run)
    sections["methods"] = _methods_section(run)
    order = ["summary", "study", "quality", "design", "perception", "reliability", "validity",
             "outcomes", "comments", "methods"]
    kept = [sections[k] for k in order if sections.get(k) is not None]
    for section in kept:  # result sentences end without a full stop, to be embedded
        section.paragraphs[:] = [_full_stop(_students(p)) for p in section.paragraphs]
        section.notes[:] = [_full_stop(_students(n)) for n in section.notes]
    glossary = _glossary_section([s for s in kept if s is not None], results.warnings)
    if glossary is not None:
        kept.append(glossary)
    appraisal = results.appraisal
    subtitle = " · ".join(p for p in (str(study.info.get("institution", "")),
                                      appraisal.apa() if ran(appraisal) else "") if p)
    run.cite(*_cited_in([*(t for s in kept for t in _section_texts(s)),
                         *results.warnings]))
    report = Report(
        title=study.title, subtitle=subtitle,
        sections=[s for s in kept if s is not None],
        references=sorted(REFERENCES[k] for k in run.cited),
        warnings=[_students(w) for w in results.warnings],
        meta={"version": __version__, "seed": results.seed, "study": study.path.name},
    )
    return report


def _section_texts(section: Section) -> list[str]:
    """The words of a section a reader sees: title, sentences, notes, table titles,
    notes, headers and text cells, figure titles and captions (what the glossary and
    the reference list are built from)."""
    texts = [section.title, *section.paragraphs, *section.notes,
             *(f.text for f in section.findings)]
    for table in section.tables:
        texts += [table.title, table.note or "", *map(str, table.frame.columns)]
        texts += [v for column in table.frame.columns for v in table.frame[column]
                  if isinstance(v, str)]
    return texts + [t for f in section.figures for t in (f.title, f.caption)]


def _cited_in(texts: list[str]) -> list[str]:
    """The keys of :data:`REFERENCES` whose first author and year a text names
    ("Lynn 1986", "Polit & Beck 2006", "(Hu & Bentler, 1999)", "Reed et al. 2007"), so
    that every work cited in a sentence is in the reference list.

    >>> _cited_in(["rules of Polit & Beck 2006 and Lynn (1986)"])
    ['polit_beck', 'lynn']
    """
    found = []
    joined = "\n".join(texts)
    for key, reference in REFERENCES.items():
        first = re.match(r"([^,]+), [A-Z]", reference)
        year = re.search(r"\((\d{4})\)", reference)
        if first is None or year is None:
            continue
        # the other authors as the text names them: "& Beck", "et al.", none
        authors = re.findall(r"(?:^|, |& )([A-Z][\w'-]+(?: [A-Z][\w'-]+)?), (?:[A-Z]\.)",
                             reference.split(f"({year.group(1)})")[0])
        if len(authors) == 1:
            names = re.escape(authors[0])
        elif len(authors) == 2:
            names = rf"{re.escape(authors[0])},? (?:&|and) {re.escape(authors[1])}"
        else:
            others = ",? ".join(re.escape(a) for a in authors[1:-1])
            names = (rf"{re.escape(authors[0])}(?: et al\.|,? {others},? (?:&|and) "
                     rf"{re.escape(authors[-1])})")
        if re.search(rf"\b{names}(?:'s)?,? \(?{year.group(1)}", joined):
            found.append(key)
    return found


def _data_texts(run: _Render) -> set[str]:
    """Texts of a report that come from the study's own files (the codebook's labels,
    the export's answers, study.toml's labels and descriptions, file names): a
    translation shows them as they are."""
    study, data = run.study, run.data
    texts = {str(v) for v in study.info.values() if isinstance(v, str)}
    texts |= {str(v) for table in study.labels.values() for v in table.values()}
    instrument = data.instrument
    texts |= {str(v) for v in instrument.labels.values()}
    texts |= {str(v) for v in instrument.labels}
    for scale in instrument.scales:
        texts |= {scale.name, scale.label, *scale.items, *scale.reverse,
                  ", ".join(scale.items), ", ".join(scale.reverse)}
        texts |= {str(label) for _, label in scale.options}
    texts |= {str(label) for _, label in instrument.options}
    texts.add(str(instrument.name))
    for item in data.responses.items.values():  # the export's own wording of each item
        texts |= {str(item.code), str(item.text or "")}
    coding = run.results.coding
    if ran(coding) and not coding.empty:
        texts |= {str(v) for column in ("answer", "label", "items") if column in coding
                  for v in coding[column]}
    for name in (study.survey.get("export"), study.survey.get("codebook"),
                 (study.records or {}).get("file"), (study.retest or {}).get("export"),
                 (study.expert_panel or {}).get("file"), study.path.name):
        if name:
            texts.add(Path(str(name)).name)
    return {t for t in texts if t}


def write_report(report: Report, out_dir: str | Path) -> dict[str, Path]:
    """Write ``report.html``, ``report.docx``, ``tables.xlsx`` and ``figures/`` (SVG and
    300-dpi PNG).

    The folder is created if needed; files of an earlier run are overwritten, and figures
    an earlier run wrote that this report no longer has are removed (so that
    ``figures/`` always matches the report). Other files are left alone.

    Parameters
    ----------
    report
        The report to write (:func:`run_study` builds one).
    out_dir
        The folder to write into.

    Returns
    -------
    dict[str, pathlib.Path]
        The paths written, keyed ``html``, ``docx``, ``workbook`` and ``figures``.

    Examples
    --------
    >>> import tempfile
    >>> import pandas as pd
    >>> from peereval.report import Report, Section, Table, write_report
    >>> frame = pd.DataFrame({"scale": ["support"], "alpha": [0.85]})
    >>> report = Report("Mentoring study", "", [
    ...     Section("reliability", "Reliability",
    ...             tables=[Table("alpha", "Cronbach's alpha", frame)])],
    ...     references=[], warnings=[], meta={})
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     paths = write_report(report, folder)
    ...     sorted(p.name for p in paths.values())
    ['figures', 'report.docx', 'report.html', 'tables.xlsx']
    """
    from peereval.report._docx import write_docx
    from peereval.report._excel import write_workbook
    from peereval.report._html import write_html

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    figures = out / "figures"
    figures.mkdir(exist_ok=True)
    current = {figure.key for figure in report.figures()}
    for stale in sorted(FIGURE_KEYS - current):
        for suffix in (".svg", ".png"):
            (figures / f"{stale}{suffix}").unlink(missing_ok=True)
    for figure in report.figures():
        (figures / f"{figure.key}.svg").write_text(figure.svg, encoding="utf-8",
                                                   newline="\n")
        (figures / f"{figure.key}.png").write_bytes(figure.png)
    return {"html": write_html(report, out / "report.html"),
            "docx": write_docx(report, out / "report.docx"),
            "workbook": write_workbook(report, out / "tables.xlsx"),
            "figures": figures}
