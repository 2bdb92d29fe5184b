"""The report's first section: the study's answer for a reader who is not a statistician.

Every sentence here is built from :class:`~peereval.study.StudyResults`: the question,
the design in one sentence, three to six key findings (each with its number and
interval, and a link to the section that shows the evidence), what the design can and
cannot show, and the caveats that limit the conclusions (response rate,
self-selection, power). Nothing is computed here and nothing is written for one study.
"""

from __future__ import annotations

import math
from typing import Any

from peereval._format import and_list, fmt
from peereval.report._model import Finding, Section
from peereval.study._analyse import StudyResults, ran

__all__ = ["summary_section"]

#: At most this many outcomes of each kind become key findings.
MAX_OUTCOME_FINDINGS = 3

#: Below this share of respondents, a low response rate is a caveat.
LOW_RESPONSE = 0.6


def summary_section(results: StudyResults) -> Section:
    """The summary: question, design, key findings, what the design shows, caveats.

    Parameters
    ----------
    results
        What :meth:`peereval.study.Study.analyse` returned.

    Returns
    -------
    Section
        Key ``"summary"``; its ``findings`` link to the sections holding the evidence.
    """
    section = Section("summary", "Summary")
    section.paragraphs.append(_question(results))
    design = _design(results)
    if design:
        section.paragraphs.append(design)
    section.findings.extend(_outcome_findings(results))
    section.findings.extend(_perception_findings(results))
    section.findings.extend(_reliability_findings(results))
    if not section.findings:
        section.notes.append("No analysis gave a result to summarise; the sections below "
                             "and the Warnings say why.")
    appraisal = results.appraisal
    if ran(appraisal):
        section.paragraphs.append(f"{appraisal.can_claim} {appraisal.cannot_claim}")
    caveats = _caveats(results)
    if caveats:
        section.paragraphs.append("Caveats: " + " ".join(caveats))
    return section


# ------------------------------------------------------------------ question, design


def _question(results: StudyResults) -> str:
    study = results.study
    asked = str(study.info.get("question", "")).strip()
    if asked:
        return f"The question: {asked}"
    parts = []
    plan = results.plan
    if ran(plan) and (plan.continuous or plan.binary):
        outcomes = and_list([_label(results, o) for o in (*plan.continuous, *plan.binary)])
        parts.append(f"did mentored students do better in {outcomes} than comparable "
                     "students who were not mentored")
    if ran(results.perception):
        parts.append("how did students see the programme")
    if ran(results.reliability):
        parts.append("does the questionnaire measure reliably")
    if not parts:
        return f"The study: {study.title}."
    text = "; ".join(parts)
    return f"The question: {text[:1].upper()}{text[1:]}?"


def _design(results: StudyResults) -> str:
    appraisal = results.appraisal
    if not ran(appraisal):
        return ""
    text = f"The design: a {appraisal.design_name}"
    plan = results.plan
    if ran(plan):
        sizes = plan.sizes
        treated = int(sizes.get(plan.treated, 0))
        others = int(sizes.sum()) - treated
        min_cell = results.study.min_cell
        if 0 < treated < min_cell or 0 < others < min_cell:
            text += (f", with {int(sizes.sum())} students (the size of each group is not "
                     f"shown: one has fewer than {min_cell})")
        else:
            text += f", with {treated} mentored and {others} comparison students"
    institutions = appraisal.institutions
    if institutions:
        text += (" at one institution" if institutions == 1
                 else f" at {institutions} institutions")
    return text + "."


# ------------------------------------------------------------------ findings


def _outcome_findings(results: StudyResults) -> list[Finding]:
    plan = results.plan
    if not ran(plan):
        return []
    findings = []
    for outcome in plan.continuous[:MAX_OUTCOME_FINDINGS]:
        adjusted = results.adjusted.get(outcome) if results.adjusted else None
        if ran(adjusted) and hasattr(adjusted, "difference"):
            findings.append(_adjusted_finding(results, outcome, adjusted))
            continue
        compared = _compared(results, outcome)
        if compared is not None:
            findings.append(_unadjusted_finding(results, outcome, compared))
    for outcome in plan.binary[:MAX_OUTCOME_FINDINGS]:
        compared = _compared(results, outcome)
        if compared is not None:
            findings.append(_binary_finding(results, outcome, compared))
    return findings


def _compared(results: StudyResults, outcome: str) -> Any:
    many = results.comparisons
    if not ran(many) or outcome not in many.outcomes:
        return None
    return many[outcome]


def _adjusted_finding(results: StudyResults, outcome: str, fit: Any) -> Finding:
    low, high = ((fit.robust_ci_low, fit.robust_ci_high) if fit.robust
                 else (fit.ci_low, fit.ci_high))
    covariates = and_list([_label(results, c) for c in fit.covariates])
    text = (f"Mentored students' {_label(results, outcome)} was "
            f"{_amount(fit.difference)} ({_interval(fit.ci_level, low, high)}) than "
            f"comparison students', after allowing for {covariates}.")
    return Finding(text + _no_difference(low, high), "table-adjusted")


def _unadjusted_finding(results: StudyResults, outcome: str, compared: Any) -> Finding:
    low, high = compared.difference_ci_low, compared.difference_ci_high
    text = (f"Mentored students' {_label(results, outcome)} was "
            f"{_amount(compared.difference)} ({_interval(compared.ci_level, low, high)}) "
            f"than comparison students', before allowing for any difference between the "
            f"groups.")
    return Finding(text + _no_difference(low, high), "table-unadjusted")


def _binary_finding(results: StudyResults, outcome: str, compared: Any) -> Finding:
    event = compared.event
    subject = _label(results, outcome)
    if str(event).strip().lower() not in _PLAIN_EVENTS:
        subject += f" = {event}"
    subject = subject[:1].upper() + subject[1:]
    minimum = results.study.min_cell
    if any(0 < n < minimum for n in (compared.a, compared.b, compared.c, compared.d)):
        return Finding(f"{subject}: the shares of the two groups are not shown, because "
                       f"fewer than {minimum} students of a group had one of its two "
                       "results (the small-cell rule).", "table-unadjusted")
    low, high = 100 * compared.rd_ci_low, 100 * compared.rd_ci_high
    text = (f"{subject}: {_percent(compared.risk_treated)} of mentored students and "
            f"{_percent(compared.risk_control)} of comparison students, a difference of "
            f"{fmt(100 * compared.risk_difference, 1)} percentage points "
            f"({_interval(compared.ci_level, low, high, digits=1)}).")
    return Finding(text + _no_difference(low, high), "table-unadjusted")


#: Event values a sentence need not name: "Passing the first year: 89% ..." says it.
_PLAIN_EVENTS = {"1", "1.0", "true", "yes"}


def _perception_findings(results: StudyResults) -> list[Finding]:
    summary = results.perception
    if not ran(summary):
        return []
    scales = summary.scales.dropna(subset=["agree_pct"])
    if scales.empty:
        return []
    ordered = scales.sort_values("agree_pct", ascending=False)
    best = ordered.iloc[0]
    interval = _interval(summary.ci_level, best["agree_ci_low"], best["agree_ci_high"],
                         digits=0, percent=True)
    text = (f"{_percent(best['agree_pct'] / 100)} of respondents agreed, on average, with "
            f"the statements on {best['label'].lower()} "
            f"({_agreeing_answer(summary, best)}; {interval})")
    if len(ordered) > 1:
        worst = ordered.iloc[-1]
        text += (f", and {_percent(worst['agree_pct'] / 100)} with those on "
                 f"{worst['label'].lower()}")
    return [Finding(text + ".", "perception")]


def _agreeing_answer(summary: Any, scale: Any) -> str:
    """What "agreed, on average" means for a scale: its mean answer at the lowest
    agreeing option ("a mean answer of 'Agree' or higher")."""
    threshold = scale.get("agree_threshold")
    if threshold is None or threshold != threshold:
        return "a mean answer among the agreeing options"
    label = dict(summary.options.get(scale["scale"], ())).get(float(threshold))
    if label:
        return f"a mean answer of '{label}' or higher"
    return f"a mean answer of {fmt(float(threshold), 1)} or higher"


def _reliability_findings(results: StudyResults) -> list[Finding]:
    table = results.reliability
    if not ran(table):
        return []
    frame = table.to_frame()
    alphas = frame["alpha"].dropna()
    if alphas.empty:
        return []
    count = len(frame)
    low, high = fmt(alphas.min(), leading_zero=False), fmt(alphas.max(), leading_zero=False)
    spread = f"Cronbach's alpha {low}" if low == high else f"Cronbach's alpha {low} to {high}"
    reaching = int(frame["alpha_at_least_70"].sum())
    if reaching == count:
        verdict = (f"The questionnaire's {count} scale{'s' if count != 1 else ''} "
                   f"measured consistently enough to compare groups ({spread}; .70 is the "
                   "usual minimum)")
    elif count == 1:
        verdict = ("The questionnaire's scale did not reach the usual minimum of .70 for "
                   f"comparing groups ({spread})")
    else:
        verdict = (f"{reaching} of the questionnaire's {count} scales reached the usual "
                   f"minimum of .70 for comparing groups ({spread})")
    return [Finding(verdict + ".", "reliability")]


# ------------------------------------------------------------------ caveats


def _caveats(results: StudyResults) -> list[str]:
    caveats = []
    rate = results.response_rate
    if rate is not None and rate < LOW_RESPONSE:
        caveats.append(f"Only {_percent(rate)} of the students invited answered the "
                       "questionnaire; those who did may not speak for the rest.")
    elif rate is not None:
        caveats.append(f"{_percent(rate)} of the students invited answered the "
                       "questionnaire.")
    appraisal = results.appraisal
    if ran(appraisal) and not appraisal.causal and ran(results.plan):
        caveats.append("Students were not assigned to mentoring at random, so the groups "
                       "may differ in ways the data do not show (self-selection); the "
                       "differences above are associations, not proof that mentoring "
                       "caused them.")
    power = results.power
    if ran(power) and not bool(getattr(power, "adequate", True)):
        caveats.append(f"With this many students, differences smaller than "
                       f"d = {fmt(power.mde)} (a standardised difference) could easily be "
                       "missed.")
    return caveats


# ------------------------------------------------------------------ words


def _label(results: StudyResults, column: str) -> str:
    names = results.names
    return str(names.column(column)) if names is not None else column



def _amount(difference: float) -> str:
    direction = "higher" if difference > 0 else "lower"
    return f"{fmt(abs(difference))} points {direction}"


def _interval(level: float, low: float, high: float, *, digits: int = 2,
              percent: bool = False) -> str:
    unit = "%" if percent else ""
    return (f"{level:.0%} CI {fmt(low, digits)}{unit} to {fmt(high, digits)}{unit}")


def _percent(share: float) -> str:
    return "NA" if share is None or math.isnan(share) else f"{100 * share:.0f}%"


def _no_difference(low: float, high: float) -> str:
    if low < 0 < high:
        return (" The interval includes no difference at all, so the data cannot rule out "
                "no effect.")
    return ""
