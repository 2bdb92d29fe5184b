"""Shared test configuration."""

from __future__ import annotations

import shutil

import pytest

import peereval.datasets
from helpers import strip_labels


@pytest.fixture
def study_dir(tmp_path):
    """A copy of the bundled sample study, to edit."""
    folder = tmp_path / "study"
    shutil.copytree(peereval.datasets.sample_dir(), folder)
    return folder


@pytest.fixture
def unlabelled_study_dir(study_dir):
    """The sample study without its ``[labels]``: raw column names and group values."""
    return strip_labels(study_dir)
