"""Study.analyse(): one typed result that the report and the summary both render."""

from __future__ import annotations

import dataclasses
import io

import pytest

import peereval
from helpers import edit_study
from peereval.cli import summary
from peereval.errors import PeerevalError
from peereval.study import NotRun, StudyResults, read_study


@pytest.fixture(scope="module")
def sample_results():
    return read_study(peereval.sample_path("study")).analyse()


def test_every_analysis_of_the_sample_ran(sample_results):
    status = sample_results.status()
    assert list(status["analysis"]) == list(StudyResults.ANALYSES)
    assert set(status["state"]) == {"ran"}
    assert "18 analyses ran; 7 warnings; seed 20240301" in repr(sample_results)
    assert "<table" in sample_results._repr_html_()


def test_results_are_frozen_and_read_the_study_options(sample_results):
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample_results.cfa = None  # type: ignore[misc]
    # [options] ci = "bca", n_boot = 2000: the interval is the study's, not a default
    assert sample_results.study.options["ci"] == "bca"
    frame = sample_results.reliability.to_frame()
    assert frame["alpha_ci_low"].round(2).tolist() == [0.82, 0.72, 0.72]
    assert sample_results.retention.parallel is not None
    # linkage happened in the study: the perception summary is split by cohort
    assert sample_results.linked.report.matched == 138
    assert sample_results.perception_by is None or isinstance(
        sample_results.perception_by, str)


def test_the_report_renders_given_results_without_computing(sample_results, monkeypatch):
    from peereval.report import run_study
    from peereval.study import Study

    def refuse(*args, **kwargs):
        raise AssertionError("the report computed again")

    monkeypatch.setattr(Study, "analyse", refuse)
    report = run_study(sample_results)
    assert report.meta["seed"] == 20240301
    assert sample_results.comparisons.apa() in report.section("outcomes").paragraphs


def test_a_failing_analysis_is_not_run_with_its_reason(study_dir, monkeypatch):
    import peereval.validity as validity

    def broken(*args, **kwargs):
        raise PeerevalError("the model did not converge", hint="try fewer factors")

    monkeypatch.setattr(validity, "cfa", broken)
    results = read_study(study_dir / "study.toml").analyse()
    assert isinstance(results.cfa, NotRun)
    assert results.cfa.asked
    assert results.cfa.step == "Confirmatory factor analysis"
    assert results.cfa.reason == "the model did not converge"
    # what depends on the CFA is not run, and says so
    assert results.discriminant == NotRun("no confirmatory factor analysis", asked=False)
    status = results.status().set_index("analysis")
    assert status.loc["cfa", "state"] == "failed"
    assert status.loc["discriminant", "state"] == "not asked"
    assert status.loc["efa", "state"] == "ran"
    out = io.StringIO()
    summary(study_dir / "study.toml", out=out)
    assert "CFA: not reported: the model did not converge" in out.getvalue()


def test_small_groups_leave_the_comparisons_not_run(study_dir):
    path = edit_study(study_dir, "min_cell = 10", "min_cell = 140")
    results = read_study(path).analyse()
    assert isinstance(results.comparisons, NotRun)
    assert not results.comparisons.asked
    assert "a group has fewer than 140 students" in results.comparisons.reason
    assert results.adjusted == {}
    assert not results.matched
    out = io.StringIO()
    summary(path, out=out)
    text = out.getvalue()
    assert "Did mentoring help? not run: Comparisons are not reported: a group has fewer " \
           "than 140 students" in text
    assert "137" not in text  # the comparison group's size is suppressed everywhere
    assert "mentored = no: <140, mentored = yes: 163" in text
    assert "unadjusted:" not in text


def test_switched_off_analyses_say_so(study_dir):
    path = edit_study(study_dir, "factor_analysis = true", "factor_analysis = false")
    results = read_study(path).analyse()
    assert results.cfa == NotRun("study.toml [analyses] factor_analysis = false",
                                 asked=False)
    assert repr(results.efa) == "NotRun(not asked: study.toml [analyses] factor_analysis " \
                                "= false)"
    assert results.content  # the expert panel is still analysed
