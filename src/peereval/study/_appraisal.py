"""What a study's design lets it claim: design, threats, Kirkpatrick level, MERSQI.

:func:`appraise_design` takes plain facts about a study (its design, how many
institutions, the response rate, which outcomes were analysed and what they measure,
which validity evidence the questionnaire has, whether the analysis went beyond
description) and returns a :class:`DesignAppraisal`: the design named in words, what
it can and cannot claim, the threats to its conclusions, the Kirkpatrick level of
each outcome and the MERSQI items these facts determine. The report runner fills the
arguments from ``study.toml`` and the data; a researcher can call it directly.

The rules, and where they come from:

*Kirkpatrick.* The modified Kirkpatrick model of Barr et al. (2000) and Freeth et al.
(2002), as BEME reviews use it: 1 reaction (satisfaction), 2a attitudes and
perceptions (confidence, stress, belonging), 2b knowledge and skills (GPA, exam
scores, pass rates, measured objectively), 3 behaviour, 4a organisational practice
(attrition and remediation as programme outcomes, arguably), 4b benefits to patients.
Self-reported learning is a perception (2a), not 2b.

*MERSQI.* The Medical Education Research Study Quality Instrument of Reed et al.
(2007): 10 items in 6 domains of at most 3 points each, 18 in all. Items a study
cannot have (a response rate where no one was asked to respond; validity evidence
where no evaluation instrument was used) are "not applicable": the total is then
expressed as a share of the points achievable and rescaled to 18, ``score /
max_applicable × 18``, with the raw sum kept. That rescaling rule is recalled from
Reed et al. (2007), not checked against the paper. When several outcomes are
analysed, the type-of-data and outcome items score the highest-scoring one (also a
recalled convention).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from peereval._results import Result
from peereval.errors import ConfigError

__all__ = ["DESIGNS", "NOT_APPLICABLE", "OUTCOME_KINDS", "DesignAppraisal", "MersqiItem",
           "OutcomeLevel", "Threat", "appraise_design"]

#: Value of ``response_rate=`` and of the validity arguments for a MERSQI item that the
#: study cannot have.
NOT_APPLICABLE = "not applicable"

MERSQI_MAXIMUM = 18.0
RESCALE_RULE = ("score / maximum applicable × 18 when items are not applicable (Reed et al. "
                "2007; rule recalled, not verified against the paper)")
#: The most a peer-mentoring evaluation of the commonest kind (one school, post-test only,
#: a satisfaction survey) can score: design 1 + institutions 0.5 + response rate 1.5 +
#: type of data 1 + validity 3 + analysis 1 + 2 + outcome 1 (Reed et al. 2007's points;
#: a computation, not a published figure).
TYPICAL_MAXIMUM = 11.0


@dataclass(frozen=True)
class _Design:
    name: str
    mersqi_option: str
    points: float
    groups: int
    baseline: bool
    randomised: bool = False


#: The designs ``study.toml`` names (``[study] design``), with their MERSQI study-design
#: option and points.
DESIGNS: dict[str, _Design] = {
    "post_only": _Design("single-group post-test only", "single-group cross-sectional or "
                         "single-group post-test only", 1.0, 1, False),
    "cross_sectional": _Design("single-group cross-sectional survey", "single-group "
                               "cross-sectional or single-group post-test only", 1.0, 1, False),
    "pre_post": _Design("single-group pre- and post-test", "single-group pre- and "
                        "post-test", 1.5, 1, True),
    "two_group": _Design("non-randomised two-group comparison, post-test only",
                         "non-randomised, 2 groups", 2.0, 2, False),
    "two_group_baseline": _Design("non-randomised two-group comparison with baseline "
                                  "measure", "non-randomised, 2 groups", 2.0, 2, True),
    "randomised": _Design("randomised controlled trial", "randomised controlled trial", 3.0,
                          2, True, True),
}

# kind: (Kirkpatrick level when measured objectively, level when self-reported,
#        MERSQI outcome option, MERSQI points, default measure)
_KINDS: dict[str, tuple[str, str, str, float, str]] = {
    "satisfaction": ("1", "1", "satisfaction, attitudes, perceptions, opinions, general "
                     "facts", 1.0, "self_report"),
    "perception": ("2a", "2a", "satisfaction, attitudes, perceptions, opinions, general "
                   "facts", 1.0, "self_report"),
    "knowledge": ("2b", "2a", "knowledge, skills", 1.5, "objective"),
    "behaviour": ("3b", "3a", "behaviours", 2.0, "self_report"),
    "attrition": ("4a", "4a", "knowledge, skills", 1.5, "objective"),
    "patient": ("4b", "4b", "patient/health care outcome", 3.0, "objective"),
}

#: Outcome kinds and the words accepted for each.
OUTCOME_KINDS: dict[str, tuple[str, ...]] = {
    "satisfaction": ("satisfaction", "reaction", "opinion", "opinions", "engagement"),
    "perception": ("perception", "perceptions", "attitude", "attitudes", "confidence",
                   "wellbeing", "well-being", "stress", "belonging", "self_efficacy",
                   "self-efficacy", "motivation"),
    "knowledge": ("knowledge", "skills", "skill", "learning", "exam", "exams", "gpa",
                  "grades", "grade", "marks", "pass", "pass_rate", "academic"),
    "behaviour": ("behaviour", "behavior", "behaviours", "behaviors", "study_behaviour"),
    "attrition": ("attrition", "dropout", "remediation", "retention", "progression",
                  "resit"),
    "patient": ("patient", "patients", "patient_outcome", "health_care"),
}
_KIND_OF = {word: kind for kind, words in OUTCOME_KINDS.items() for word in words}
_MEASURES = {"objective": "objective", "self_report": "self_report",
             "self-report": "self_report", "self": "self_report", "survey": "self_report",
             "questionnaire": "self_report", "records": "objective", "measured": "objective"}

_LEVEL_ORDER = ("1", "2a", "2b", "3a", "3b", "4a", "4b")
_LEVEL_NAMES = {"1": "learners' reaction", "2a": "attitudes and perceptions",
                "2b": "knowledge and skills", "3a": "behaviour (self-reported)",
                "3b": "behaviour (measured)", "4a": "organisational change",
                "4b": "benefits to patients"}


@dataclass(frozen=True)
class OutcomeLevel:
    """One analysed outcome and its Kirkpatrick level."""

    outcome: str
    kind: str
    measure: str
    level: str
    why: str


@dataclass(frozen=True)
class Threat:
    """A threat to the study's conclusions and whether it applies."""

    name: str
    applies: bool
    statement: str


@dataclass(frozen=True)
class MersqiItem:
    """One MERSQI item: the option chosen, its points (NaN if not applicable), why."""

    number: int
    domain: str
    item: str
    option: str
    points: float
    maximum: float
    why: str

    @property
    def applicable(self) -> bool:
        return not math.isnan(self.points)


@dataclass(frozen=True, repr=False)
class DesignAppraisal(Result):
    """What a study's design and data allow it to claim.

    Attributes
    ----------
    design, design_name
        The design key (``two_group_baseline``) and its name in words.
    institutions
        Number of institutions studied.
    causal
        Whether the design supports causal language ("the programme raised ...").
    can_claim, cannot_claim
        What the design can and cannot show, in plain words.
    threats
        :class:`Threat` s, each saying whether and how it applies.
    outcomes
        :class:`OutcomeLevel` s: the Kirkpatrick level of every analysed outcome.
    levels
        The distinct Kirkpatrick levels reached, lowest first.
    mersqi
        The 10 :class:`MersqiItem` s in Reed et al.'s order.
    mersqi_total, mersqi_max, mersqi_rescaled
        The raw sum of applicable items, the points achievable on them (18 when all
        apply) and ``total / max × 18``.

    Examples
    --------
    >>> from peereval.report import appraise_design
    >>> appraisal = appraise_design("two_group_baseline", outcomes={"gpa_year1": "knowledge"})
    >>> appraisal.design, appraisal.causal, appraisal.levels
    ('two_group_baseline', False, ('2b',))
    """

    design: str
    design_name: str
    institutions: int
    causal: bool
    can_claim: str
    cannot_claim: str
    threats: tuple[Threat, ...]
    outcomes: tuple[OutcomeLevel, ...]
    levels: tuple[str, ...]
    mersqi: tuple[MersqiItem, ...]
    mersqi_total: float
    mersqi_max: float
    mersqi_rescaled: float
    rescale_rule: str = RESCALE_RULE
    title: str = "Design appraisal"

    def to_frame(self) -> pd.DataFrame:
        """One row per MERSQI item: domain, item, option chosen, points, maximum, why."""
        return pd.DataFrame(
            [{"domain": i.domain, "item": i.item, "option": i.option, "points": i.points,
              "max_points": i.maximum, "why": i.why} for i in self.mersqi],
            columns=["domain", "item", "option", "points", "max_points", "why"])

    def kirkpatrick_frame(self) -> pd.DataFrame:
        """One row per outcome: its kind, how it was measured, its level and why."""
        return pd.DataFrame([{"outcome": o.outcome, "kind": o.kind, "measure": o.measure,
                              "level": o.level, "why": o.why} for o in self.outcomes],
                            columns=["outcome", "kind", "measure", "level", "why"])

    def threats_frame(self) -> pd.DataFrame:
        """One row per threat: whether it applies and what it means here."""
        return pd.DataFrame([{"threat": t.name, "applies": t.applies,
                              "statement": t.statement} for t in self.threats],
                            columns=["threat", "applies", "statement"])

    def _score_text(self) -> str:
        total = _points(self.mersqi_total)
        if self.mersqi_max == MERSQI_MAXIMUM:
            return f"{total} of 18"
        return (f"{total} of {_points(self.mersqi_max)} applicable points "
                f"({self.mersqi_rescaled:.1f} of 18 rescaled)")

    def apa(self) -> str:
        """One line: MERSQI score, design and Kirkpatrick levels.

        Examples
        --------
        >>> appraise_design("post_only", outcomes={"overall": "satisfaction"},
        ...                 beyond_descriptive=False).apa()
        'MERSQI 6 of 18; single-group post-test only; Kirkpatrick level 1'
        """
        word = "level" if len(self.levels) == 1 else "levels"
        return (f"MERSQI {self._score_text()}; {self.design_name}; Kirkpatrick {word} "
                + ", ".join(self.levels))

    def text(self) -> str:
        """A plain-language paragraph for a reader who is not a methodologist."""
        place = ("one institution" if self.institutions == 1
                 else f"{self.institutions} institutions")
        objective = [o.outcome for o in self.outcomes if o.measure == "objective"]
        reported = [o.outcome for o in self.outcomes if o.measure != "objective"]
        levels = "; ".join(
            f"{level} ({_LEVEL_NAMES[level]}: "
            + ", ".join(o.outcome for o in self.outcomes if o.level == level) + ")"
            for level in self.levels)
        parts = [
            f"This evaluation is a {self.design_name} at {place}.",
            self.can_claim,
            self.cannot_claim,
            f"Its outcomes reach Kirkpatrick level{'s' if len(self.levels) > 1 else ''} "
            f"{levels}.",
        ]
        if objective and reported:
            parts.append("Academic results were measured objectively; the questionnaire "
                         "answers are the students' own views.")
        elif not objective:
            parts.append("All outcomes are the students' own answers, not measured "
                         "results.")
        applying = [t for t in self.threats if t.applies]
        if applying:
            parts.append("Keep in mind: " + " ".join(t.statement for t in applying))
        parts.append(
            f"On the Medical Education Research Study Quality Instrument (MERSQI; Reed et "
            f"al. 2007) the study scores {self._score_text()}; a peer-mentoring evaluation "
            f"of the commonest kind (one school, post-test only, a satisfaction survey) can "
            f"score at most {TYPICAL_MAXIMUM:.0f}.")
        return " ".join(parts)

    def __repr__(self) -> str:
        return f"{self.title}\n{self.apa()}\n{self._frame_text()}"


def _points(value: float) -> str:
    return f"{value:g}"


# --------------------------------------------------------------------- arguments


def _outcome_list(outcomes: Any) -> list[tuple[str, str, str]]:
    """(name, kind, measure) for each outcome given in any accepted form."""
    if outcomes is None:
        raise ConfigError("appraise_design needs the analysed outcomes",
                          hint='e.g. outcomes={"gpa_year1": "knowledge", "support": '
                          '"perception"}')
    pairs: list[tuple[str, Any]]
    if isinstance(outcomes, Mapping):
        pairs = [(str(k), v) for k, v in outcomes.items()]
    elif isinstance(outcomes, Iterable) and not isinstance(outcomes, str):
        pairs = []
        for entry in outcomes:
            if isinstance(entry, tuple | list) and len(entry) in (2, 3):
                pairs.append((str(entry[0]), tuple(entry[1:]) if len(entry) == 3
                              else entry[1]))
            else:
                raise ConfigError(f"outcome {entry!r} is not (name, kind) or "
                                  "(name, kind, measure)",
                                  hint='e.g. [("gpa_year1", "knowledge")]')
    else:
        raise ConfigError("outcomes must be a dict of name -> kind or a list of "
                          "(name, kind) pairs", hint='e.g. {"exam_score": "knowledge"}')
    if not pairs:
        raise ConfigError("appraise_design needs at least one analysed outcome",
                          hint='e.g. outcomes={"gpa_year1": "knowledge"}')
    out = []
    for name, spec in pairs:
        kind_word, measure_word = (spec if isinstance(spec, tuple | list) and len(spec) == 2
                                   else (spec, None))
        kind = _KIND_OF.get(str(kind_word).strip().lower().replace(" ", "_"))
        if kind is None:
            raise ConfigError(
                f"outcome '{name}': unknown kind {kind_word!r}", column="outcomes",
                value=kind_word, hint="kinds: " + ", ".join(OUTCOME_KINDS)
                + " (or words such as gpa, exam, confidence, dropout)")
        if measure_word is None:
            measure = _KINDS[kind][4]
        else:
            measure = _MEASURES.get(str(measure_word).strip().lower())
            if measure is None:
                raise ConfigError(f"outcome '{name}': unknown measure {measure_word!r}",
                                  column="outcomes", value=measure_word,
                                  hint="use 'objective' or 'self_report'")
        out.append((name, kind, measure))
    return out


def _tri_state(value: Any, name: str) -> bool | None:
    """True (reported), False (not reported) or None (not applicable)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in (NOT_APPLICABLE, "n/a", "na"):
        return None
    raise ConfigError(f"{name} must be True (reported), False (not reported) or "
                      f"'{NOT_APPLICABLE}', not {value!r}", column=name, value=value,
                      hint=f"e.g. {name}=True")


def _level(kind: str, measure: str) -> tuple[str, str]:
    objective_level, reported_level, *_ = _KINDS[kind]
    level = objective_level if measure == "objective" else reported_level
    why = {
        "satisfaction": "how learners rated the programme: their reaction",
        "perception": "attitudes, perceptions, confidence or wellbeing as students report "
                      "them",
        "knowledge": ("learning measured objectively (grades, exam scores, pass rates)"
                      if measure == "objective" else
                      "learning as students judge it themselves is a perception, not "
                      "measured learning"),
        "behaviour": ("behaviour observed or recorded (Overeem et al. 2010: 3b)"
                      if measure == "objective" else
                      "behaviour as students report it (Overeem et al. 2010: 3a)"),
        "attrition": "attrition or remediation as a programme-level outcome: arguably 4a "
                     "(organisational change)",
        "patient": "benefits to patients",
    }[kind]
    return level, why


# ----------------------------------------------------------------------- threats


def _threats(key: str, design: _Design, *, historical: bool, self_selected: bool | None,
             at_risk: bool, clustered: bool, clustering_modelled: bool | None,
             response: float | str | None, dose: bool, n_outcomes: int,
             self_report_only: bool) -> list[Threat]:
    """Every threat to the conclusions, in the order of docs/design.md: the five that
    are always weighed (present or not), then those the study's facts raise."""
    threats = [_selection(design, self_selected), _regression(key, at_risk),
               _historical(design, historical), _clustering(clustered, clustering_modelled),
               _non_response(response)]
    if dose:
        threats.append(Threat("dose-response", True,
                              "More sessions attended going with better results does not "
                              "show that the sessions caused them: motivated students "
                              "attend more."))
    if n_outcomes > 1:
        threats.append(Threat("multiple outcomes", True,
                              f"{n_outcomes} outcomes were analysed; some differences will "
                              "look significant by chance unless p-values are "
                              "adjusted for multiplicity (Holm, Benjamini-Hochberg)."))
    if self_report_only:
        threats.append(Threat("self-report", True,
                              "Every outcome is the students' own judgement; feeling more "
                              "confident is not the same as learning more."))
    return threats


def _selection(design: _Design, self_selected: bool | None) -> Threat:
    comparison = design.groups == 2
    if design.randomised:
        return Threat("self-selection", False,
                      "Random allocation makes the groups comparable at the start, "
                      "so self-selection does not explain a difference (as long as "
                      "students stay in the group they were allocated to).")
    if comparison:
        volunteers = self_selected is not False
        statement = ("Students chose whether to join, and those who join mentoring tend "
                     "to differ from those who do not (stronger, more motivated, or more "
                     "worried); part of any difference may be theirs, not the "
                     "programme's." if volunteers else
                     "Groups were formed without random allocation, so they may differ "
                     "in ways that also affect the outcomes.")
        if design.baseline:
            statement += (" Adjusting for the baseline measure (and propensity scores) "
                          "removes the differences that were measured, not those that "
                          "were not.")
        else:
            statement += (" Without a baseline measure the groups cannot be compared at "
                          "the start.")
        return Threat("self-selection", True, statement)
    return Threat("self-selection", False,
                  "There is no comparison group; without one, no difference "
                  "between groups is estimated (see what the design cannot "
                  "claim).")


def _regression(key: str, at_risk: bool) -> Threat:
    if at_risk:
        return Threat("regression to the mean", True,
                      "Students were chosen because they scored low; low scorers "
                      "tend to score nearer the average next time even without "
                      "help, so their improvement overstates the programme's "
                      "effect.")
    if key == "pre_post":
        return Threat("regression to the mean", True,
                      "Before-after change mixes the programme with everything "
                      "else that happened in the meantime (maturation, teaching, "
                      "exams, and regression to the mean for extreme starters).")
    return Threat("regression to the mean", False,
                  "Students were not selected for extreme scores, so "
                  "regression to the mean is not a particular concern.")


def _historical(design: _Design, historical: bool) -> Threat:
    comparison = design.groups == 2
    if historical:
        return Threat("historical controls", True,
                      "The comparison group comes from earlier cohorts; changes in "
                      "curriculum, teachers, exams or grading between years (for "
                      "example USMLE Step 1 becoming pass/fail in 2022) can "
                      "masquerade as an effect.")
    return Threat("historical controls", False,
                  "Groups were compared in the same period (no historical "
                  "controls)." if comparison else
                  "No earlier cohort serves as a control.")


def _clustering(clustered: bool, clustering_modelled: bool | None) -> Threat:
    if clustered:
        handled = clustering_modelled is not False
        return Threat("clustering", True,
                      "Mentees are nested in mentor groups, so they are not "
                      "independent; "
                      + ("the analysis models the groups (random intercepts or "
                         "cluster-robust errors), which widens intervals honestly."
                         if handled else
                         "the analysis does not model the groups, so its intervals "
                         "are too narrow."))
    return Threat("clustering", False,
                  "No grouping of students (e.g. by mentor) was declared; if "
                  "there is one, intervals are too narrow.")


def _non_response(response: float | str | None) -> Threat:
    if response == NOT_APPLICABLE:
        return Threat("attrition and non-response", False,
                      "Outcomes come from complete records, not from responses.")
    if response is None:
        return Threat("attrition and non-response", True,
                      "The response rate is not known, so those who answered may "
                      "not represent those who did not.")
    if response < 0.75:
        return Threat("attrition and non-response", True,
                      f"Only {response:.0%} responded; those who answered may be "
                      "the more satisfied or more engaged students.")
    return Threat("attrition and non-response", False,
                  f"{response:.0%} responded, so non-response is unlikely to "
                  "change the picture much.")


def _claims(key: str, design: _Design, historical: bool) -> tuple[bool, str, str]:
    if design.randomised:
        return (True,
                "Because students were allocated at random, a difference between the groups "
                "can be attributed to being offered the programme (an intention-to-treat "
                "effect), within the uncertainty of its confidence interval.",
                "It cannot say that every student benefits equally, nor that the effect "
                "would be the same at another school or with other mentors.")
    if design.groups == 2:
        control = "earlier cohorts" if historical else "students who were not mentored"
        adjusted = (", and how large the difference remains after allowing for where "
                    "students started" if design.baseline else "")
        return (False,
                f"It can show whether mentored students did better than {control}, by how "
                f"much{adjusted}.",
                "It cannot prove that mentoring caused the difference: a difference "
                "shows that mentored students did better (mentoring was associated with "
                "better results), not that mentoring made them better.")
    if key == "pre_post":
        return (False,
                "It can show how much students changed between the two measurements.",
                "It cannot attribute that change to the programme, since there is no "
                "comparison group: students would have changed anyway.")
    return (False,
            "It can describe how students who took part see the programme, and how "
            "reliable and valid the questionnaire is.",
            "It cannot show that the programme changed anything: there is neither a "
            "comparison group nor a measurement before the programme.")


# ------------------------------------------------------------------------ MERSQI


def _mersqi(design: _Design, institutions: int, response: float | str | None,
            outcomes: list[tuple[str, str, str]], validity: dict[str, bool | None],
            appropriate: bool, why_appropriate: str, beyond_descriptive: bool
            ) -> list[MersqiItem]:
    items = [MersqiItem(1, "Study design", "Study design", design.mersqi_option,
                        design.points, 3.0, f"the design is a {design.name}")]
    if institutions == 1:
        option, points = "1 institution", 0.5
    elif institutions == 2:
        option, points = "2 institutions", 1.0
    else:
        option, points = "> 2 institutions", 1.5
    items.append(MersqiItem(2, "Sampling", "No. of institutions studied", option, points,
                            1.5, f"{institutions} institution{'s' if institutions > 1 else ''}"
                            " studied"))
    if response == NOT_APPLICABLE:
        items.append(MersqiItem(3, "Sampling", "Response rate", NOT_APPLICABLE, math.nan,
                                0.0, "no one was asked to respond (e.g. records of every "
                                "student)"))
    elif response is None:
        items.append(MersqiItem(3, "Sampling", "Response rate", "< 50% or not reported", 0.5,
                                1.5, "the response rate is not known"))
    else:
        if response < 0.5:
            option, points = "< 50% or not reported", 0.5
        elif response < 0.75:
            option, points = "50-74%", 1.0
        else:
            option, points = "≥ 75%", 1.5
        items.append(MersqiItem(3, "Sampling", "Response rate", option, points, 1.5,
                                f"{response:.1%} of those invited responded"))
    objective = [o for o in outcomes if o[2] == "objective"]
    if objective:
        items.append(MersqiItem(4, "Type of data", "Type of data", "objective measurement",
                                3.0, 3.0, "objectively measured: "
                                + ", ".join(o[0] for o in objective)))
    else:
        items.append(MersqiItem(4, "Type of data", "Type of data", "assessment by study "
                                "participant", 1.0, 3.0, "every outcome is self-reported"))
    labels = {"internal_structure": (5, "Internal structure",
                                     "factor structure or reliability of the questionnaire"),
              "content": (6, "Content", "content validity (expert panel, blueprint)"),
              "relationships": (7, "Relationships to other variables",
                                "correlation with other variables as predicted")}
    for key, (number, item, evidence) in labels.items():
        state = validity[key]
        if state is None:
            items.append(MersqiItem(number, "Validity of evaluation instrument", item,
                                    NOT_APPLICABLE, math.nan, 0.0,
                                    "no evaluation instrument needs this evidence"))
        elif state:
            items.append(MersqiItem(number, "Validity of evaluation instrument", item,
                                    "reported", 1.0, 1.0, f"{evidence} is reported"))
        else:
            items.append(MersqiItem(number, "Validity of evaluation instrument", item,
                                    "not reported", 0.0, 1.0, f"no {evidence} reported"))
    items.append(MersqiItem(8, "Data analysis", "Appropriateness of analysis",
                            "appropriate for study design and type of data" if appropriate
                            else "inappropriate for study design or type of data",
                            1.0 if appropriate else 0.0, 1.0, why_appropriate))
    items.append(MersqiItem(9, "Data analysis", "Complexity of analysis",
                            "beyond descriptive analysis" if beyond_descriptive
                            else "descriptive analysis only",
                            2.0 if beyond_descriptive else 1.0, 2.0,
                            "estimates with intervals, tests or models"
                            if beyond_descriptive else "counts, percentages and means only"))
    best = max(outcomes, key=lambda o: _outcome_points(o[1], o[2]))
    option, points = _outcome_option(best[1], best[2])
    others = "" if len(outcomes) == 1 else " (the highest-scoring of the outcomes)"
    reason = {"knowledge": "knowledge or skills", "attrition":
              "academic progression (attrition, remediation); MERSQI has no option for "
              "programme outcomes, so it is scored with knowledge and skills, the "
              "conservative choice"}.get(best[1], option)
    if best[1] == "knowledge" and best[2] != "objective":
        reason = "self-assessed learning, scored as a perception"
    items.append(MersqiItem(10, "Outcome", "Outcome", option, points, 3.0,
                            f"{best[0]}: {reason}{others}"))
    return items


def _outcome_option(kind: str, measure: str) -> tuple[str, float]:
    if kind == "knowledge" and measure != "objective":
        return _KINDS["perception"][2], _KINDS["perception"][3]
    return _KINDS[kind][2], _KINDS[kind][3]


def _outcome_points(kind: str, measure: str) -> float:
    return _outcome_option(kind, measure)[1]


# -------------------------------------------------------------------------- entry


def appraise_design(
    design: str,
    *,
    outcomes: Mapping[str, Any] | Iterable[tuple[Any, ...]],
    institutions: int = 1,
    response_rate: float | str | None = None,
    internal_structure: bool | str = False,
    content: bool | str = False,
    relationships: bool | str = False,
    beyond_descriptive: bool = True,
    appropriate_analysis: bool = True,
    historical_controls: bool = False,
    self_selected: bool | None = None,
    selected_at_risk: bool = False,
    clustered: bool = False,
    clustering_modelled: bool | None = None,
    dose_response: bool = False,
) -> DesignAppraisal:
    """Appraise a study's design: what it may claim, Kirkpatrick levels, MERSQI items.

    Parameters
    ----------
    design
        ``post_only`` (single group, measured once after the programme),
        ``cross_sectional`` (single group, one survey), ``pre_post`` (single group,
        before and after), ``two_group`` (mentored vs not, after only),
        ``two_group_baseline`` (mentored vs not, with a baseline measure such as
        entry GPA) or ``randomised``; the keys of ``[study] design`` in
        ``study.toml``.
    outcomes
        The analysed outcomes and what they measure: ``{"gpa_year1": "knowledge",
        "support": "perception"}``, or ``(name, kind)`` / ``(name, kind, measure)``
        tuples. Kinds: ``satisfaction`` (level 1), ``perception`` (attitudes,
        confidence, stress, belonging: 2a), ``knowledge`` (GPA, exams, pass rates:
        2b), ``behaviour`` (3), ``attrition`` (attrition, remediation: 4a),
        ``patient`` (4b); words such as ``gpa``, ``exam``, ``confidence``,
        ``dropout`` are understood. ``measure`` is ``objective`` or ``self_report``
        (default: self-report for satisfaction, perceptions and behaviour, objective
        otherwise); self-reported knowledge counts as a perception.
    institutions
        Number of institutions studied (at least 1).
    response_rate
        Share of those invited who responded, between 0 and 1; ``None`` when not
        reported; ``"not applicable"`` when no one was asked (records of every
        student).
    internal_structure, content, relationships
        Validity evidence for the evaluation instrument (the questionnaire): ``True``
        reported, ``False`` not reported, ``"not applicable"`` when the study used no
        instrument that needs it (objective records only).
    beyond_descriptive
        Whether the analysis goes beyond counts, percentages and means (effect sizes
        with intervals, tests, models).
    appropriate_analysis
        Whether the analysis suits the design and data. It is set to ``False`` when
        ``clustered`` and ``clustering_modelled=False``.
    historical_controls
        The comparison group is an earlier cohort.
    self_selected
        Students chose to take part (default for non-randomised comparisons: assumed).
    selected_at_risk
        Participants were chosen for low scores (regression to the mean).
    clustered, clustering_modelled
        Mentees are nested in mentor groups; whether the analysis models that.
    dose_response
        Attendance (number of sessions) is analysed as an exposure.

    Returns
    -------
    DesignAppraisal

    Raises
    ------
    ConfigError
        An unknown design or outcome kind, no outcomes, fewer than one institution, a
        response rate outside 0-1 (a percentage given instead of a share), a
        validity argument that is not True, False or "not applicable".

    Notes
    -----
    MERSQI points (Reed et al. 2007): design 1 (single-group post-test or
    cross-sectional), 1.5 (single-group pre-post), 2 (non-randomised, 2 groups), 3
    (randomised); institutions 0.5 / 1 / 1.5 for 1 / 2 / more; response rate 0.5
    (< 50% or not reported), 1 (50-74%), 1.5 (≥ 75%); type of data 1 (self-report)
    or 3 (objective); each validity item 0 or 1; appropriate analysis 0 or 1;
    complexity 1 (descriptive) or 2; outcome 1 (satisfaction, attitudes,
    perceptions), 1.5 (knowledge, skills), 2 (behaviours), 3 (patient or
    health-care outcomes). Not-applicable items are left out of both the score and
    the maximum and the score is rescaled, ``total / max × 18`` (a rule recalled,
    not verified). Type of data and outcome score the highest-scoring outcome.
    Attrition and remediation have no MERSQI option; they are scored as knowledge
    and skills (1.5).

    References
    ----------
    Reed DA, Cook DA, Beckman TJ, et al. (2007). Association between funding and
    quality of published medical education research. JAMA 298:1002-1009.
    Kirkpatrick DL (1994). Evaluating Training Programs: The Four Levels.
    Barr H, Freeth D, Hammick M, Koppel I, Reeves S (2000). Evaluations of
    Interprofessional Education. Freeth D, Hammick M, Koppel I, Reeves S, Barr H
    (2002). A Critical Review of Evaluations of Interprofessional Education.

    Examples
    --------
    A post-only, one-school satisfaction survey (the commonest peer-mentoring
    evaluation):

    >>> a = appraise_design("post_only", outcomes={"overall": "satisfaction"},
    ...                     response_rate=0.4, beyond_descriptive=False)
    >>> a.mersqi_total, a.causal, a.levels
    (6.0, False, ('1',))

    A comparison of mentored and non-mentored cohorts' exam scores:

    >>> b = appraise_design("two_group", outcomes={"exam_score": "exam"})
    >>> [(i.item, i.points) for i in b.mersqi if i.number in (1, 4, 10)]
    [('Study design', 2.0), ('Type of data', 3.0), ('Outcome', 1.5)]
    """
    key = str(design).strip().lower().replace("-", "_").replace(" ", "_")
    if key not in DESIGNS:
        raise ConfigError(f"unknown design {design!r}", column="study.design", value=design,
                          hint="choose one of: " + ", ".join(DESIGNS))
    spec = DESIGNS[key]
    if isinstance(institutions, bool) or not isinstance(institutions, int) or institutions < 1:
        raise ConfigError(f"institutions must be a whole number of at least 1, not "
                          f"{institutions!r}", column="study.institutions",
                          value=institutions, hint="e.g. institutions = 1")
    response: float | str | None
    if response_rate is None:
        response = None
    elif isinstance(response_rate, str):
        if response_rate.strip().lower() not in (NOT_APPLICABLE, "n/a", "na"):
            raise ConfigError(f"response_rate must be a share between 0 and 1, None or "
                              f"'{NOT_APPLICABLE}', not {response_rate!r}",
                              column="response_rate", value=response_rate,
                              hint="e.g. response_rate=0.62")
        response = NOT_APPLICABLE
    elif isinstance(response_rate, bool) or not isinstance(response_rate, int | float) or \
            not 0 <= response_rate <= 1 or math.isnan(response_rate):
        hint = ("give a share, not a percentage: 0.62 for 62%"
                if isinstance(response_rate, int | float) and 1 < response_rate <= 100
                else "e.g. response_rate=0.62")
        raise ConfigError(f"response_rate must lie between 0 and 1, not {response_rate!r}",
                          column="response_rate", value=response_rate, hint=hint)
    else:
        response = float(response_rate)
    outcome_list = _outcome_list(outcomes)
    validity = {"internal_structure": _tri_state(internal_structure, "internal_structure"),
                "content": _tri_state(content, "content"),
                "relationships": _tri_state(relationships, "relationships")}
    for name, value in (("beyond_descriptive", beyond_descriptive),
                        ("appropriate_analysis", appropriate_analysis),
                        ("historical_controls", historical_controls),
                        ("selected_at_risk", selected_at_risk), ("clustered", clustered),
                        ("dose_response", dose_response)):
        if not isinstance(value, bool):
            raise ConfigError(f"{name} must be True or False, not {value!r}", column=name,
                              value=value, hint=f"{name}=True")
    if historical_controls and spec.groups != 2:
        raise ConfigError("historical_controls needs a two-group design", column="design",
                          value=design, hint="use design='two_group' (or "
                          "'two_group_baseline') with historical_controls=True")
    appropriate = appropriate_analysis
    why_appropriate = ("the analyses suit the design and the type of data"
                       if appropriate else "the analyses do not suit the design or data")
    if clustered and clustering_modelled is False:
        appropriate = False
        why_appropriate = ("mentees are nested in mentor groups but the analysis treats "
                           "them as independent")
    levels_of = []
    for name, kind, measure in outcome_list:
        level, why = _level(kind, measure)
        levels_of.append(OutcomeLevel(name, kind, measure, level, why))
    levels = tuple(sorted({o.level for o in levels_of}, key=_LEVEL_ORDER.index))
    causal, can, cannot = _claims(key, spec, historical_controls)
    threats = _threats(key, spec, historical=historical_controls, self_selected=self_selected,
                       at_risk=selected_at_risk, clustered=clustered,
                       clustering_modelled=clustering_modelled, response=response,
                       dose=dose_response, n_outcomes=len(outcome_list),
                       self_report_only=all(m != "objective" for *_, m in outcome_list))
    items = _mersqi(spec, institutions, response, outcome_list, validity, appropriate,
                    why_appropriate, beyond_descriptive)
    applicable = [i for i in items if i.applicable]
    total = sum(i.points for i in applicable)
    maximum = sum(i.maximum for i in applicable)
    name = spec.name
    if historical_controls:
        name = name.replace("two-group comparison", "comparison with historical controls")
    return DesignAppraisal(
        design=key, design_name=name, institutions=institutions, causal=causal,
        can_claim=can, cannot_claim=cannot, threats=tuple(threats),
        outcomes=tuple(levels_of), levels=levels, mersqi=tuple(items),
        mersqi_total=total, mersqi_max=maximum,
        mersqi_rescaled=total / maximum * MERSQI_MAXIMUM)
