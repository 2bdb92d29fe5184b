"""Shared test configuration."""

from __future__ import annotations

import shutil

import pytest

import peereval.datasets


@pytest.fixture
def study_dir(tmp_path):
    """A copy of the bundled sample study, to edit."""
    folder = tmp_path / "study"
    shutil.copytree(peereval.datasets.sample_dir(), folder)
    return folder
