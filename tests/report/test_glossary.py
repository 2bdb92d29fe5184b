"""The glossary: every term the report uses is defined, and no term it does not use."""

from __future__ import annotations

import html
import re

from helpers import edit_study
from peereval.report import run_study
from peereval.report._glossary import GLOSSARY, glossary_table
from peereval.report._html import render_html


def _visible_text(page: str) -> str:
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_only_the_terms_found_are_listed():
    assert glossary_table(["Mentor support: α = .85"])["term"].tolist() == [
        "Cronbach's alpha (α)"]
    empty = glossary_table(["No statistics here at all."])
    assert empty.empty
    assert empty.columns.tolist() == ["term", "meaning"]
    # a p-value is found as the report prints it, not in any word with a p
    assert glossary_table(["p < .001"])["term"].tolist() == ["p (p-value)"]
    assert glossary_table(["the programme's purpose"]).empty


def test_the_sample_report_ends_with_the_glossary_of_its_own_terms(sample_report):
    assert sample_report.sections[-1].key == "glossary"
    table = sample_report.section("glossary").tables[0].frame
    page = _visible_text(render_html(sample_report))
    body = page[:page.rfind("Glossary")]  # the report without the glossary itself
    patterns = {term: pattern for term, pattern, _ in GLOSSARY}
    for term in table["term"]:
        assert re.search(patterns[term], body, flags=re.M), term
    # the terms a dean meets in the summary and the outcomes are all there
    for term in ("95% CI (confidence interval)", "Hedges' g", "SMD (standardised mean "
                 "difference)", "Cronbach's alpha (α)", "MERSQI"):
        assert term in table["term"].tolist()
    assert "Terms used in this report" in page


def test_a_report_without_outcomes_defines_no_outcome_terms(study_dir):
    path = study_dir / "study.toml"
    edit_study(study_dir, "outcomes = true", "outcomes = false")
    edit_study(study_dir, "propensity = true", "propensity = false")
    report = run_study(path)
    terms = report.section("glossary").tables[0].frame["term"].tolist()
    # (the design appraisal still speaks of propensity scores: that term stays)
    for term in ("Hedges' g", "ATT", "odds ratio", "ANCOVA and adjusted means",
                 "design effect and effective n", "BF10 (Bayes factor)"):
        assert term not in terms
    assert "Cronbach's alpha (α)" in terms
