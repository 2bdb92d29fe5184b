"""Data sets shared by the validity tests."""

from __future__ import annotations

import pandas as pd
import pytest

from reference_data import reference_csv


@pytest.fixture(scope="session")
def bfi25() -> pd.DataFrame:
    """psych::bfi's 25 items, complete cases (as the R script uses them)."""
    return reference_csv("bfi").iloc[:, :25].dropna()


@pytest.fixture(scope="session")
def sample18() -> pd.DataFrame:
    """The sample study's 18 reverse-keyed items, complete cases."""
    return reference_csv("sample_items").dropna()
