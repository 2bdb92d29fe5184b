"""Screening flags: the sample's planted problems, and hand-made cases."""

from __future__ import annotations

import pandas as pd
import pytest

import peereval
from helpers import FIXTURES
from peereval.instrument import Instrument
from peereval.quality import FLAGS, screen


@pytest.fixture(scope="module")
def sample():
    return peereval.load_sample()


def _flagged(screening, flag):
    column = screening.flags[flag]
    return list(column.index[column.fillna(False).astype(bool)])


def test_planted_problems_are_found(sample):
    responses, checks = sample.responses, sample.screening
    meta = responses.meta
    assert _flagged(checks, "test_response") == list(
        meta.index[meta["status"] == "Survey Preview"])
    unfinished = list(meta.index[meta["finished"] == False])  # noqa: E712
    assert len(unfinished) == 6
    assert _flagged(checks, "unfinished") == unfinished
    assert _flagged(checks, "incomplete") == unfinished  # 12 of 18 items missing

    # the two repeat submissions are the later of each pair
    repeated = _flagged(checks, "duplicate_id")
    assert len(repeated) == 2
    for rid in repeated:
        sid = meta.loc[rid, "student_id"]
        pair = meta.index[meta["student_id"] == sid]
        assert len(pair) == 2
        assert meta.loc[rid, "ended"] == meta.loc[pair, "ended"].max()

    speeders = _flagged(checks, "speeder")
    planted = list(meta.index[(meta["duration_s"] < 60)])
    assert len(planted) == 3
    assert set(planted) < set(speeders)
    assert set(speeders) - set(planted) == set(_flagged(checks, "test_response"))
    assert set(planted) <= set(_flagged(checks, "straightlining"))
    assert len(_flagged(checks, "duplicate_answers")) == 2
    assert _flagged(checks, "out_of_range") == []


def test_nothing_is_dropped_until_asked(sample):
    assert len(sample.responses) == 150
    kept, flow = sample.screening.apply(sample.responses, ["test_response", "unfinished",
                                                           "duplicate_id", "speeder"])
    assert flow["removed"].tolist() == [0, 1, 6, 2, 3]
    assert flow["remaining"].tolist()[-1] == len(kept) == 138
    assert "screening removed" in kept.notes[-1]
    # a respondent raising two flags is counted once, under the first
    kept2, flow2 = sample.screening.apply(sample.responses, ["speeder", "test_response"])
    assert flow2["removed"].tolist() == [0, 4, 0]
    assert len(kept2) == 146


def test_rules_are_stated(sample):
    counts = sample.screening.to_frame().set_index("flag")
    assert set(counts.index) == set(FLAGS)
    assert "30% of the median" in counts.loc["speeder", "rule"]
    assert counts.loc["incomplete", "rule"].startswith("fewer than 15 of 18")


def test_flags_not_checkable_are_missing_not_false():
    responses = peereval.read_export(FIXTURES / "qualtrics" / "choice_text.csv")
    checks = screen(responses)  # no instrument, no id column
    assert checks.flags["duplicate_id"].isna().all()
    assert checks.flags["out_of_range"].isna().all()
    assert "no id_column" in checks.not_checked["duplicate_id"]
    assert checks.flags["unfinished"].tolist() == [False] * 5 + [True]


def test_hand_made_cases():
    responses = peereval.read_export(FIXTURES / "qualtrics" / "numeric_values.csv")
    inst = Instrument.from_dict({"response_range": [1, 5], "scales": {
        "s": {"items": ["Q1_1", "Q1_2", "Q1_3", "Q2_1", "Q2_2"]}}})
    checks = screen(responses, inst, min_answered=0.9, speed_fraction=0.2,
                    min_items_straightline=3)
    ids = list(responses.ids)
    # respondent 4 skipped one of 5 items (80% < 90%); respondent 6 answered 3
    assert _flagged(checks, "incomplete") == [ids[3], ids[5]]
    # durations of the 5 finished respondents: 342, 198, 525, 193, 32 s; median 198,
    # 20% of it 39.6 s: only the 32 s respondent is a speeder
    assert _flagged(checks, "speeder") == [ids[4]]
    assert "took 32 s" in checks.flags.loc[ids[4], "reasons"]
    # respondent 5 answered 5,5,1,5,5: not uniform
    assert _flagged(checks, "straightlining") == []


def test_apply_refuses_unknown_flags_and_other_responses(sample):
    with pytest.raises(peereval.PeerevalError, match="unknown flag"):
        sample.screening.apply(sample.responses, ["sped"])
    other = peereval.read_export(FIXTURES / "qualtrics" / "choice_text.csv")
    with pytest.raises(peereval.PeerevalError, match="other responses"):
        sample.screening.apply(other, ["unfinished"])


def test_unknown_id_column_is_named(sample):
    with pytest.raises(peereval.PeerevalError, match="no column 'matric'"):
        screen(sample.responses, sample.instrument, id_column="matric")


def test_screening_does_not_modify_responses(sample):
    before = sample.responses.answers.copy()
    screen(sample.responses, sample.instrument, id_column="student_id")
    pd.testing.assert_frame_equal(sample.responses.answers, before)


# ------------------------------------------------------------------ the registry


def test_every_flag_has_one_registered_check_in_order():
    from peereval.quality import CHECKS

    assert tuple(CHECKS) == FLAGS
    assert all(callable(check) and check.__doc__ for check in CHECKS.values())
    with pytest.raises(TypeError):
        CHECKS["new_flag"] = CHECKS["speeder"]  # the registry is read-only


def test_a_check_runs_alone_and_gives_what_screen_reports(sample):
    from peereval.quality import CHECKS, Flagged, ScreeningData

    data = ScreeningData.of(sample.responses, sample.instrument, id_column="student_id")
    screening = screen(sample.responses, sample.instrument, id_column="student_id")
    for flag, check in CHECKS.items():
        found = check(data)
        assert isinstance(found, Flagged)
        assert found.hit is not None
        assert found.rule == screening.rules[flag]
        assert _flagged(screening, flag) == list(found.hit.index[found.hit.astype(bool)])


def test_a_check_that_cannot_run_says_why(sample):
    from peereval.quality import CHECKS, ScreeningData

    data = ScreeningData.of(sample.responses)  # no instrument, no id column
    assert CHECKS["out_of_range"](data).hit is None
    found = CHECKS["duplicate_id"](data)
    assert (found.hit, found.rule) == (None, "no id_column given")


@pytest.mark.parametrize(("option", "value"), [
    ("speed_fraction", 1.0), ("speed_fraction", 0), ("min_answered", 1.5),
    ("min_items_straightline", 0), ("min_items_duplicate", 2.5)])
def test_bad_options_are_option_errors(sample, option, value):
    from peereval.errors import OptionError

    with pytest.raises(OptionError, match=f"screen\\(\\): {option} must be"):
        screen(sample.responses, sample.instrument, **{option: value})


# ---------------------------------------------------- a Result, conventional names


def test_screening_is_a_result(sample):
    from peereval._results import Result

    checks = sample.screening
    assert isinstance(checks, Result)
    assert checks.n == len(checks.flags)
    assert checks.n_dropped == 0
    frame = checks.to_frame()
    assert list(frame.columns) == ["flag", "n", "checked", "rule"]
    assert frame.attrs["roles"]["checked"] == "flag"
    flagged = int(checks.any_flag.sum())
    assert checks.apa().startswith(f"Of {checks.n} responses, {flagged} raised")
    text = repr(checks)
    assert text.startswith("Screening\nOf ")
    assert " at 0x" not in text
    assert checks._repr_html_().startswith("<p><strong>Screening</strong></p>")


def test_old_names_warn(sample):
    checks = sample.screening
    with pytest.warns(DeprecationWarning, match=r"^Screening\.counts is deprecated since "
                      r"peereval 0\.1: use Screening\.to_frame\(\)$"):
        old = checks.counts()
    pd.testing.assert_frame_equal(old, checks.to_frame())
    with pytest.warns(DeprecationWarning, match=r"screen\(responses=\.\.\.\) is deprecated "
                      "since peereval 0.1: use data="):
        again = screen(responses=sample.responses, instrument=sample.instrument,
                       id_column="student_id")
    pd.testing.assert_frame_equal(again.flags, checks.flags)


def test_methods_follow_the_rules(sample):
    default = screen(sample.responses, sample.instrument).methods()
    faster = screen(sample.responses, sample.instrument, speed_fraction=0.2).methods()
    assert "under 30% of the median" in default
    assert "under 20% of the median" in faster
    assert "flagged rather than removed" in default
    responses = peereval.read_export(FIXTURES / "qualtrics" / "choice_text.csv")
    assert "Not checked:" in screen(responses).methods()
