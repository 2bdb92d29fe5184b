"""Codebook reading and scoring."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import canonical
import peereval
from helpers import FIXTURES
from peereval.errors import CodebookError, OutOfRangeError
from peereval.instrument import Instrument

CODEBOOK = {
    "name": "canonical",
    "response_range": [1, 5],
    "scales": {
        "support": {"items": ["Q1_1", "Q1_2", "Q1_3"], "reverse": ["Q1_3"],
                    "label": "Mentor support"},
        "adjust": {"items": ["Q2_1", "Q2_2"]},
    },
}


@pytest.fixture
def responses():
    return peereval.read_export(FIXTURES / "qualtrics" / "choice_text.csv")


def test_scores_follow_the_definition(responses):
    scores = Instrument.from_dict(CODEBOOK).score(responses)
    answers = np.array(canonical.ANSWERS)
    reversed_3 = 6 - answers[:, 2]
    np.testing.assert_array_equal(scores.items["Q1_3"].to_numpy(), reversed_3)
    np.testing.assert_array_equal(scores.items["Q1_1"].to_numpy(), answers[:, 0])
    expected_support = (answers[:, 0] + answers[:, 1] + reversed_3) / 3
    np.testing.assert_allclose(scores.scales["support"].to_numpy(), expected_support,
                               rtol=0, atol=1e-12)
    # adjust has 2 items; min_answered 0.8 needs both: respondents 4 and 6 miss some
    adjust = scores.scales["adjust"].to_numpy()
    np.testing.assert_allclose(adjust[[0, 1, 2, 4]], [3.5, 3.5, 2.0, 5.0], atol=1e-12)
    assert np.isnan(adjust[3])
    assert np.isnan(adjust[5])
    unscored = scores.unscored.set_index("respondent_id")
    assert list(unscored.index) == [responses.ids[3], responses.ids[5]]
    assert unscored.loc[responses.ids[3], "reason"] == "answered 1 of 2 items; at least 2 needed"
    assert unscored.loc[responses.ids[5], "n_answered"] == 0


def test_prorated_sum_and_lower_threshold(responses):
    spec = {**CODEBOOK, "scoring": "sum", "min_answered": 0.5}
    scores = Instrument.from_dict(spec).score(responses)
    adjust = scores.scales["adjust"]
    # respondent 4 answered only adjust_1 = 1: prorated sum 1 * 2 items = 2
    assert adjust.iloc[3] == 2.0
    assert adjust.iloc[0] == 7.0
    assert np.isnan(adjust.iloc[5])


def test_summary_table(responses):
    summary = Instrument.from_dict(CODEBOOK).score(responses).summary().set_index("scale")
    assert summary.loc["support", "n_scored"] == 6
    assert summary.loc["adjust", "n_not_scored"] == 2
    assert summary.loc["support", "reversed"] == "Q1_3"
    assert summary.loc["support", "label"] == "Mentor support"


def test_missing_codes_are_counted_not_scored():
    frame = pd.DataFrame({"a": [1, 9, 3], "b": [2, 2, 99], "c": [5, 4, 3]},
                         index=["r1", "r2", "r3"])
    inst = Instrument.from_dict({"response_range": [1, 5], "missing_codes": [9, 99],
                                 "min_answered": 0.6,
                                 "scales": {"s": {"items": ["a", "b", "c"]}}})
    scores = inst.score(frame)
    assert scores.scales["s"].tolist() == [8 / 3, 3.0, 3.0]
    assert scores.recoded[["respondent_id", "item", "value"]].values.tolist() == [
        ["r2", "a", 9.0], ["r3", "b", 99.0]]


def test_out_of_range_lists_every_cell(tmp_path):
    text = (FIXTURES / "qualtrics" / "numeric_values.csv").read_bytes().decode("utf-8-sig")
    lines = text.split("\r\n")
    lines[4] = lines[4].replace(",4,4,2,3,4,", ",4,7,2,3,4,")
    lines[6] = lines[6].replace(",1,1,5,1,,", ",1,1,5,0,,")
    path = tmp_path / "export.csv"
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    responses = peereval.read_export(path)
    inst = Instrument.from_dict(CODEBOOK)
    with pytest.raises(OutOfRangeError) as err:
        inst.score(responses)
    found = sorted((p.row, p.column, p.value) for p in err.value.problems)
    assert found == [(5, "Q1_2", 7.0), (7, "Q2_1", 0.0)]
    assert err.value.file == path
    scores = inst.score(responses, out_of_range="missing")
    assert np.isnan(scores.items.loc[responses.ids[1], "Q1_2"])
    assert len(scores.recoded) == 2


def test_label_coding_uses_the_codebook_range(responses):
    """With a 4-point range a 5-label scale is not silently squeezed."""
    inst = Instrument.from_dict({**CODEBOOK, "response_range": [1, 4]})
    with pytest.raises(peereval.PeerevalError):
        inst.score(responses)


def test_codebook_from_toml_and_errors(tmp_path):
    path = tmp_path / "codebook.toml"
    path.write_text('name = "x"\nresponse_range = [1, 5]\n[scales.s]\nitems = ["a", "b"]\n'
                    'reverse = ["b"]\n', encoding="utf-8")
    inst = Instrument.from_toml(path)
    assert inst.scales[0].reverse == ("b",)
    assert inst.source == path

    bad = tmp_path / "bad.toml"
    bad.write_text('[scales.s]\nitems = ["a"]\nreverse = ["z"]\n', encoding="utf-8")
    with pytest.raises(CodebookError, match="reverse-keyed item") as err:
        Instrument.from_toml(bad)
    assert err.value.file == bad
    assert err.value.column == "scales.s.reverse"

    bad.write_text('respone_range = [1, 5]\n[scales.s]\nitems = ["a"]\n', encoding="utf-8")
    with pytest.raises(CodebookError, match="unknown key"):
        Instrument.from_toml(bad)
    bad.write_text('response_range = [5, 1]\n[scales.s]\nitems = ["a"]\n', encoding="utf-8")
    with pytest.raises(CodebookError, match="lowest"):
        Instrument.from_toml(bad)
    bad.write_text('[scales.s]\nitems = ["a", "a"]\n', encoding="utf-8")
    with pytest.raises(CodebookError, match="twice"):
        Instrument.from_toml(bad)
    bad.write_text("[scales.s\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="not valid TOML"):
        Instrument.from_toml(bad)
    with pytest.raises(CodebookError, match="does not exist"):
        Instrument.from_toml(tmp_path / "missing.toml")
    with pytest.raises(CodebookError, match="no scales"):
        Instrument.from_dict({"name": "x"})


def test_items_missing_from_the_data_are_named(responses):
    inst = Instrument.from_dict({"scales": {"s": {"items": ["Q1_1", "Q9_9"]}}})
    with pytest.raises(CodebookError, match="Q9_9"):
        inst.score(responses)


def test_input_is_not_modified():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": [5.0, 4.0]})
    copy = frame.copy()
    Instrument.from_dict({"scales": {"s": {"items": ["a", "b"], "reverse": ["b"]}}}).score(
        frame)
    pd.testing.assert_frame_equal(frame, copy)
