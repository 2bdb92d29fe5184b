"""Assertions shared by the loader tests."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

import canonical

FIXTURES = Path(__file__).parent / "fixtures"


def assert_canonical(responses, item_codes: Sequence[str], *, points: int | None = None,
                     respondents: Sequence[int] = range(6)) -> pd.DataFrame:
    """Check that ``item_codes`` of ``responses`` hold the canonical answers.

    ``item_codes`` are the platform's codes for canonical.ITEMS, in that order;
    ``respondents`` are the canonical respondents (0-based) the file holds, in file
    order. Returns the numeric frame.
    """
    values = responses.numeric(list(item_codes), points=points)
    expected = np.array([canonical.ANSWERS[i] for i in respondents], dtype=float)
    np.testing.assert_array_equal(values.to_numpy(), expected)
    return values


def assert_comments(responses, code: str, respondents: Sequence[int] = range(6)) -> None:
    """The free-text item holds the canonical comments, unaltered."""
    got = [None if pd.isna(v) else v for v in responses.answers[code]]
    assert got == [canonical.COMMENTS[i] for i in respondents]
    assert responses.items[code].kind == "text"


def sha256(path: Path) -> str:
    """Checksum of a file, to show an input was not modified."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def values(series: pd.Series) -> list:
    """A column as a list with None for missing values."""
    return [None if pd.isna(v) else v for v in series]


def edit_study(folder: Path, old: str, new: str) -> Path:
    """Replace ``old`` (which must be there) by ``new`` in ``folder/study.toml``."""
    path = folder / "study.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path
