"""The report's summary: findings first, each from the results and linked to its evidence."""

from __future__ import annotations

import dataclasses
import re

import pytest

import peereval
from peereval._format import fmt
from peereval.report._html import render_html
from peereval.report._runner import render_report
from peereval.report._summary import summary_section
from peereval.study import read_study
from peereval.study._analyse import NotRun

# the sample's outcomes under their display names (study.toml [labels])
GPA, EXAM, PASSED = "first-year GPA", "end-of-year exam score", "passing the first year"


@pytest.fixture(scope="module")
def results():
    return read_study(peereval.sample_path("study")).analyse()


@pytest.fixture(scope="module")
def summary(results):
    return summary_section(results)


def test_the_summary_opens_the_report(sample_report):
    assert sample_report.sections[0].key == "summary"
    assert 3 <= len(sample_report.sections[0].findings) <= 6


def test_each_finding_quotes_the_numbers_of_its_result(results, summary):
    texts = [f.text for f in summary.findings]
    for outcome in results.plan.continuous:
        fit = results.adjusted[outcome]
        expected = (f"{fmt(abs(fit.difference))} points higher (95% CI "
                    f"{fmt(fit.robust_ci_low)} to {fmt(fit.robust_ci_high)})")
        assert any(outcome in t and expected in t for t in texts), (outcome, texts)
    passed = results.comparisons[PASSED]
    assert any(f"a difference of {fmt(100 * passed.risk_difference, 1)} percentage points"
               in t for t in texts)
    alphas = results.reliability.to_frame()["alpha"]
    low, high = fmt(alphas.min(), leading_zero=False), fmt(alphas.max(), leading_zero=False)
    assert any(f"Cronbach's alpha {low} to {high}" in t for t in texts)


def test_each_finding_links_to_an_anchor_of_the_page(sample_report):
    html = render_html(sample_report)
    anchors = set(re.findall(r'id="([^"]+)"', html))
    for finding in sample_report.sections[0].findings:
        assert finding.target in anchors, finding
        assert f'href="#{finding.target}"' in html


def test_the_question_design_and_caveats_come_from_the_study(results, summary):
    question, design = summary.paragraphs[:2]
    assert question.startswith("The question: Did mentored students do better in first-year "
                               "GPA, end-of-year exam score and passing the first year")
    sizes = results.plan.sizes
    treated = sizes[results.plan.treated]
    assert (f"with {treated} mentored and {sizes.sum() - treated} comparison students"
            in design)
    assert results.appraisal.design_name in design
    caveats = summary.paragraphs[-1]
    assert caveats.startswith("Caveats:")
    assert "self-selection" in caveats
    assert f"d = {fmt(results.power.mde)}" in caveats
    assert f"{100 * results.response_rate:.0f}% of the students invited" in caveats


def test_an_interval_through_zero_is_said_in_words(results):
    fit = results.adjusted[GPA]
    wide = dataclasses.replace(fit, robust_ci_low=-0.05)
    adjusted = {**results.adjusted, GPA: wide}
    summary = summary_section(dataclasses.replace(results, adjusted=adjusted))
    gpa = next(f.text for f in summary.findings if GPA in f.text)
    assert "The interval includes no difference at all" in gpa
    exam = next(f.text for f in summary.findings if EXAM in f.text)
    assert "includes no difference" not in exam


def test_without_adjusted_models_the_unadjusted_difference_is_used(results):
    skipped = {k: NotRun("not asked", asked=False) for k in results.adjusted}
    summary = summary_section(dataclasses.replace(results, adjusted=skipped))
    gpa = next(f for f in summary.findings if GPA in f.text)
    compared = results.comparisons[GPA]
    assert "before allowing for any difference between the groups" in gpa.text
    assert fmt(abs(compared.difference)) in gpa.text
    assert gpa.target == "table-unadjusted"


def test_a_study_without_results_says_so(results):
    empty = dataclasses.replace(
        results, plan=NotRun("no records", asked=False),
        comparisons=NotRun("no records", asked=False),
        adjusted={}, perception=NotRun("no survey", asked=False),
        reliability=NotRun("no scales", asked=False), power=NotRun("no records", asked=False),
        response_rate=0.4)
    summary = summary_section(empty)
    assert summary.findings == []
    assert "No analysis gave a result to summarise" in summary.notes[0]
    assert "Only 40% of the students invited answered" in summary.paragraphs[-1]
    report = render_report(empty)
    assert report.sections[0].key == "summary"


def test_the_question_of_study_toml_opens_the_summary(results):
    study = dataclasses.replace(results.study, info={**results.study.info,
                                                     "question": "Did mentoring help?"})
    summary = summary_section(dataclasses.replace(results, study=study))
    assert summary.paragraphs[0] == "The question: Did mentoring help?"
