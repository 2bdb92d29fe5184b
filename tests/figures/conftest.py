"""Shared fixtures of the figure tests: the Agg backend and small results to draw."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

import peereval
from peereval.instrument import Instrument
from peereval.perception import summarise

PERSIAN_OPTIONS = ["کاملاً مخالفم", "مخالفم", "نظری ندارم", "موافقم", "کاملاً موافقم"]
PERSIAN_TEXTS = {
    "p1": "منتور من (مثلاً دانشجوی سال بالاتر) در مواقع نیاز در دسترس بود",
    "p2": "برنامه به من کمک کرد با دانشکده پزشکی سازگار شوم",
    "p3": "احساس تنهایی می‌کردم",
}


@pytest.fixture(scope="session")
def study():
    return peereval.load_sample()


@pytest.fixture(scope="session")
def perception(study):
    return summarise(study.screened, study.instrument)


@pytest.fixture(scope="session")
def perception_by_cohort(study):
    return summarise(study.screened, study.instrument, by="Q4")


@pytest.fixture(scope="session")
def persian_summary():
    """Three Persian items answered with Persian labels; one option never chosen."""
    answers = {
        "p1": [4, 5, 4, 3, 2, 4, 5, 5, 1, 4, 3, 4],
        "p2": [2, 3, 4, 4, 5, 4, 2, 3, 3, 4, 5, 4],
        "p3": [2, 2, 1, 4, 2, 3, 2, 2, 4, 2, 2, 3],  # nobody chose 5
    }
    frame = pd.DataFrame({code: [PERSIAN_OPTIONS[v - 1] for v in values]
                          for code, values in answers.items()})
    frame["year"] = ["سال اول"] * 6 + ["سال دوم"] * 6
    instrument = Instrument.from_dict({
        "name": "پرسشنامه", "response_range": [1, 5],
        "scales": {"s": {"items": ["p1", "p2", "p3"], "reverse": ["p3"],
                         "label": "حمایت منتور"}},
        "items": PERSIAN_TEXTS,
    })
    return frame, instrument


@pytest.fixture(scope="session")
def records(study):
    return study.records.data


@pytest.fixture(scope="session")
def matched(records):
    from peereval.outcomes import propensity_match

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return propensity_match(records, "mentored", ["gpa_entry", "sex", "age"],
                                replace=True, seed=1)
