"""Data sets shared by the reliability tests."""

from __future__ import annotations

import pandas as pd
import pytest

from reference_data import reference_csv


@pytest.fixture(scope="session")
def bfi() -> pd.DataFrame:
    """psych::bfi (25 six-point items, missing values)."""
    return reference_csv("bfi")


@pytest.fixture(scope="session")
def sample_items() -> pd.DataFrame:
    """Reverse-keyed item scores of the screened sample study."""
    return reference_csv("sample_items")


@pytest.fixture(scope="session")
def agree(bfi) -> pd.DataFrame:
    out = bfi[["A1", "A2", "A3", "A4", "A5"]].copy()
    out["A1"] = 7 - out["A1"]
    return out


@pytest.fixture(scope="session")
def conscientious(bfi) -> pd.DataFrame:
    out = bfi[["C1", "C2", "C3", "C4", "C5"]].copy()
    out["C4"] = 7 - out["C4"]
    out["C5"] = 7 - out["C5"]
    return out
