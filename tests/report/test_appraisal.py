"""Design appraisal: design names, claims, threats, Kirkpatrick levels, MERSQI points.

The MERSQI points are those of Reed et al. (2007) as tabulated in REFERENCES §2.2; the
worked examples are the ones given there.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from peereval.errors import ConfigError
from peereval.report import DesignAppraisal, appraise_design
from peereval.study._appraisal import NOT_APPLICABLE


def _points(appraisal: DesignAppraisal) -> dict[str, float]:
    return {item.item: item.points for item in appraisal.mersqi}


# ------------------------------------------------------------------ worked examples


def test_post_only_single_school_satisfaction_survey():
    """REFERENCES §2.2/§3.1: design 1, institutions 0.5, type of data 1, outcome 1."""
    a = appraise_design("post_only", outcomes={"overall satisfaction": "satisfaction"})
    points = _points(a)
    assert points["Study design"] == 1
    assert points["No. of institutions studied"] == 0.5
    assert points["Type of data"] == 1
    assert points["Outcome"] == 1
    assert a.design_name == "single-group post-test only"
    assert not a.causal
    assert a.levels == ("1",)


def test_cohort_comparison_of_exam_scores():
    """REFERENCES §2.2: design 2, type of data 3, outcome 1.5."""
    a = appraise_design("two_group", outcomes={"exam_score": "exam"})
    points = _points(a)
    assert (points["Study design"], points["Type of data"], points["Outcome"]) == (2, 3, 1.5)
    assert a.levels == ("2b",)


@pytest.mark.parametrize(("kwargs", "total"), [
    ({"response_rate": 0.3, "beyond_descriptive": False}, 6.0),
    ({"response_rate": 0.9, "internal_structure": True, "content": True,
      "relationships": True, "beyond_descriptive": True}, 11.0),
])
def test_typical_peer_mentoring_evaluation_scores_6_to_11(kwargs, total):
    a = appraise_design("post_only", outcomes={"satisfaction": "satisfaction"}, **kwargs)
    assert a.mersqi_total == total
    assert a.mersqi_max == 18
    assert a.mersqi_rescaled == total


def test_sample_study():
    """Non-randomised two groups with baseline, one school, GPA/exam + validated scale."""
    a = appraise_design(
        "two_group_baseline",
        outcomes={"gpa_year1": "knowledge", "exam_score": "knowledge", "passed": "knowledge",
                  "support": "perception", "adjustment": "perception",
                  "belonging": "perception"},
        institutions=1, response_rate=150 / 163, internal_structure=True, content=True,
        relationships=True, clustered=True, clustering_modelled=True)
    assert a.design_name == "non-randomised two-group comparison with baseline measure"
    assert _points(a) == {
        "Study design": 2, "No. of institutions studied": 0.5, "Response rate": 1.5,
        "Type of data": 3, "Internal structure": 1, "Content": 1,
        "Relationships to other variables": 1, "Appropriateness of analysis": 1,
        "Complexity of analysis": 2, "Outcome": 1.5}
    assert (a.mersqi_total, a.mersqi_max, a.mersqi_rescaled) == (14.5, 18, 14.5)
    assert a.levels == ("2a", "2b")
    assert not a.causal
    applying = {t.name for t in a.threats if t.applies}
    assert applying == {"self-selection", "clustering", "multiple outcomes"}
    assert a.apa() == ("MERSQI 14.5 of 18; non-randomised two-group comparison with "
                       "baseline measure; Kirkpatrick levels 2a, 2b")
    text = a.text()
    assert "cannot prove that mentoring caused" in text
    assert "Reed et al. 2007" in text
    assert "can score at most 11" in text


def test_the_commonest_design_can_score_at_most_eleven():
    # the figure the appraisal quotes is computed from Reed et al.'s points, not recalled:
    # the best such a study can do, with every item that it controls at its maximum
    from peereval.study._appraisal import TYPICAL_MAXIMUM

    best = appraise_design("post_only", outcomes={"satisfaction": "satisfaction"},
                           response_rate=0.9, internal_structure=True, content=True,
                           relationships=True, beyond_descriptive=True,
                           appropriate_analysis=True)
    assert best.mersqi_total == best.mersqi_rescaled == TYPICAL_MAXIMUM == 11
    worst = appraise_design("post_only", outcomes={"satisfaction": "satisfaction"},
                            response_rate=0.2, beyond_descriptive=False,
                            appropriate_analysis=False)
    assert worst.mersqi_total == 5  # the instrument's minimum (Reed et al. 2008: range 5-18)


# ---------------------------------------------------------------------- MERSQI rules


def test_not_applicable_items_rescale_to_18_and_keep_the_raw_sum():
    a = appraise_design("two_group", outcomes={"gpa": "gpa"},
                        response_rate=NOT_APPLICABLE, internal_structure=NOT_APPLICABLE,
                        content=NOT_APPLICABLE, relationships=NOT_APPLICABLE)
    # 2 + 0.5 + 3 + 1 + 2 + 1.5 = 10 of 18 - 1.5 - 3 = 13.5 applicable points
    assert a.mersqi_total == 10
    assert a.mersqi_max == 13.5
    assert math.isclose(a.mersqi_rescaled, 10 / 13.5 * 18)
    assert "recalled" in a.rescale_rule
    frame = a.to_frame()
    assert frame["points"].isna().sum() == 4
    assert (frame.loc[frame["points"].isna(), "option"] == NOT_APPLICABLE).all()
    assert "13.5 applicable points (13.3 of 18 rescaled)" in a.apa()


@pytest.mark.parametrize(("rate", "points"), [
    (None, 0.5), (0.0, 0.5), (0.49, 0.5), (0.5, 1.0), (0.74, 1.0), (0.75, 1.5), (1, 1.5)])
def test_response_rate_bands(rate, points):
    a = appraise_design("post_only", outcomes={"x": "satisfaction"}, response_rate=rate)
    assert _points(a)["Response rate"] == points


@pytest.mark.parametrize(("n", "points"), [(1, 0.5), (2, 1.0), (3, 1.5), (12, 1.5)])
def test_institutions(n, points):
    a = appraise_design("post_only", outcomes={"x": "satisfaction"}, institutions=n)
    assert _points(a)["No. of institutions studied"] == points


@pytest.mark.parametrize(("design", "points", "causal"), [
    ("post_only", 1, False), ("cross_sectional", 1, False), ("pre_post", 1.5, False),
    ("two_group", 2, False), ("two_group_baseline", 2, False), ("randomised", 3, True),
    ("Two-Group Baseline", 2, False)])
def test_design_points_and_causal_language(design, points, causal):
    a = appraise_design(design, outcomes={"gpa": "knowledge"})
    assert _points(a)["Study design"] == points
    assert a.causal is causal


def test_highest_outcome_scores_type_of_data_and_outcome():
    a = appraise_design("two_group", outcomes=[("support", "perception"),
                                               ("gpa", "knowledge", "objective"),
                                               ("study habits", "behaviour")])
    assert _points(a)["Outcome"] == 2  # behaviours
    assert _points(a)["Type of data"] == 3  # GPA is objective
    assert "highest-scoring" in a.mersqi[-1].why


def test_self_reported_learning_is_a_perception():
    a = appraise_design("post_only", outcomes=[("I learned a lot", "knowledge",
                                                "self_report")])
    assert a.levels == ("2a",)
    assert _points(a)["Outcome"] == 1
    assert _points(a)["Type of data"] == 1


def test_unmodelled_clustering_makes_the_analysis_inappropriate():
    a = appraise_design("two_group", outcomes={"gpa": "gpa"}, clustered=True,
                        clustering_modelled=False)
    assert _points(a)["Appropriateness of analysis"] == 0
    threat = next(t for t in a.threats if t.name == "clustering")
    assert threat.applies
    assert "too narrow" in threat.statement


# ---------------------------------------------------------------- Kirkpatrick, threats


@pytest.mark.parametrize(("kind", "measure", "level"), [
    ("satisfaction", None, "1"), ("confidence", None, "2a"), ("belonging", None, "2a"),
    ("gpa", None, "2b"), ("pass_rate", None, "2b"), ("behaviour", None, "3a"),
    ("behaviour", "objective", "3b"), ("dropout", None, "4a"), ("remediation", None, "4a"),
    ("patient", None, "4b")])
def test_kirkpatrick_levels(kind, measure, level):
    spec = kind if measure is None else (kind, measure)
    a = appraise_design("two_group", outcomes={"outcome": spec})
    assert a.outcomes[0].level == level
    assert a.kirkpatrick_frame().loc[0, "level"] == level


def test_historical_controls_and_at_risk_selection_are_stated():
    a = appraise_design("two_group", outcomes={"step1": "exam"}, historical_controls=True,
                        selected_at_risk=True, response_rate=0.4, dose_response=True)
    threats = {t.name: t for t in a.threats}
    assert threats["historical controls"].applies
    assert "pass/fail" in threats["historical controls"].statement
    assert threats["regression to the mean"].applies
    assert threats["attrition and non-response"].applies
    assert "40%" in threats["attrition and non-response"].statement
    assert threats["dose-response"].applies
    assert a.design_name == "non-randomised comparison with historical controls, post-test only"
    assert "earlier cohorts" in a.can_claim


def test_randomised_trial_allows_causal_claims_without_self_selection():
    a = appraise_design("randomised", outcomes={"exam": "exam"})
    assert a.causal
    assert "intention-to-treat" in a.can_claim
    assert not next(t for t in a.threats if t.name == "self-selection").applies


def test_single_group_designs_cannot_claim_effects():
    post = appraise_design("post_only", outcomes={"x": "satisfaction"})
    pre_post = appraise_design("pre_post", outcomes={"x": "confidence"})
    assert "cannot show that the programme changed anything" in post.cannot_claim
    assert "cannot attribute that change" in pre_post.cannot_claim
    assert next(t for t in pre_post.threats if t.name == "regression to the mean").applies
    assert any(t.name == "self-report" and t.applies for t in post.threats)


def test_frames_have_one_row_per_item_outcome_and_threat():
    a = appraise_design("two_group_baseline", outcomes={"gpa": "gpa", "support": "stress"})
    frame = a.to_frame()
    assert list(frame.columns) == ["domain", "item", "option", "points", "max_points", "why"]
    assert len(frame) == 10
    assert frame["max_points"].sum() == 18
    assert frame.groupby("domain", sort=False)["max_points"].sum().tolist() == [3] * 6
    assert isinstance(a.threats_frame(), pd.DataFrame)
    assert len(a.kirkpatrick_frame()) == 2
    assert repr(a).startswith("Design appraisal\nMERSQI")


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"design": "quasi"}, "unknown design"),
    ({"outcomes": {"x": "happiness"}}, "unknown kind"),
    ({"outcomes": {}}, "at least one"),
    ({"outcomes": None}, "needs the analysed outcomes"),
    ({"outcomes": [("x",)]}, "is not"),
    ({"outcomes": {"x": ("gpa", "guess")}}, "unknown measure"),
    ({"response_rate": 62}, "between 0 and 1"),
    ({"response_rate": "lots"}, "share between 0 and 1"),
    ({"institutions": 0}, "at least 1"),
    ({"content": "maybe"}, "True \\(reported\\)"),
    ({"clustered": "yes"}, "True or False"),
    ({"design": "post_only", "historical_controls": True}, "two-group design"),
])
def test_bad_input_raises_config_error(kwargs, message):
    args = {"design": "two_group", "outcomes": {"gpa": "gpa"}, **kwargs}
    design = args.pop("design")
    with pytest.raises(ConfigError, match=message):
        appraise_design(design, **args)


def test_percentage_response_rate_gets_a_hint():
    with pytest.raises(ConfigError, match=r"0\.62 for 62%"):
        appraise_design("post_only", outcomes={"x": "satisfaction"}, response_rate=62)
