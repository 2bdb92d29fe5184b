"""Reading the committed reference values (tests/reference/) and their input data."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

REFERENCE = Path(__file__).parent / "reference"


def reference(name: str) -> dict:
    """Values an R script wrote (tests/reference/<name>.json)."""
    return json.loads((REFERENCE / f"{name}.json").read_text(encoding="utf-8"))


def as_list(value) -> list:
    """jsonlite writes a one-element vector as a scalar (auto_unbox)."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def reference_csv(name: str) -> pd.DataFrame:
    """An input data set written for the R scripts (tests/reference/data/<name>.csv)."""
    return pd.read_csv(REFERENCE / "data" / f"{name}.csv")
