"""Every object a user holds in a notebook reads well as text and as HTML (issue 14)."""

from __future__ import annotations

import pytest

import peereval
from peereval.study import read_study

KEY = "x" * 32


@pytest.fixture(scope="module")
def objects():
    sample = peereval.load_sample()
    linked = peereval.link(sample.screened, sample.records, key=KEY)
    return {
        "Responses": sample.responses,
        "Instrument": sample.instrument,
        "Scores": sample.scores,
        "Records": sample.records,
        "Linked": linked,
        "LinkageReport": linked.report,
        "Study": read_study(peereval.sample_path("study")),
        "StudyData": sample,
        "StudyResults": read_study(peereval.sample_path("study")).analyse(),
    }


@pytest.mark.parametrize("name", ["Responses", "Instrument", "Scores", "Records", "Linked",
                                  "LinkageReport", "Study", "StudyData", "StudyResults"])
def test_readable_repr_and_html(objects, name):
    obj = objects[name]
    text = repr(obj)
    assert not text.startswith("<")  # not the default <object at 0x...>
    assert " at 0x" not in text
    assert len(text) < 2000
    page = obj._repr_html_()
    assert page.startswith("<")
    assert "<script" not in page


def test_linked_repr_shows_no_student_id(objects):
    text = repr(objects["Linked"]) + objects["Linked"]._repr_html_()
    for student in objects["Records"].data.index[:20]:
        assert str(student) not in text
