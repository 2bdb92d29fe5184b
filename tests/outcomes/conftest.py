"""Reference values and data shared by the model tests (ANCOVA, pre/post, mixed)."""

from __future__ import annotations

import pandas as pd
import pytest

from reference_data import reference, reference_csv


@pytest.fixture(scope="session")
def ref() -> dict:
    """tests/reference/outcomes_models.json."""
    return reference("outcomes_models")


@pytest.fixture(scope="session")
def sample() -> pd.DataFrame:
    """The sample study's records as written for outcomes_models.R."""
    return reference_csv("models_sample")
