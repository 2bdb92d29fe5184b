"""The sample study's report, built once per session (it takes a few seconds)."""

from __future__ import annotations

import pytest

import peereval


@pytest.fixture(scope="session")
def sample_report():
    from peereval.report import run_study

    return run_study(peereval.sample_path("study"))


@pytest.fixture(scope="session")
def sample_output(sample_report, tmp_path_factory):
    from peereval.report import write_report

    out = tmp_path_factory.mktemp("report")
    write_report(sample_report, out)
    return out
