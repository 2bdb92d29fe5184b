"""The bundled sample study matches what its README promises, and is reproducible."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import zipfile

import numpy as np
import openpyxl
import pytest

import peereval
from peereval.datasets import SAMPLE_FILES, sample_dir


def test_every_sample_file_exists_and_is_named_in_the_readme():
    readme = peereval.sample_path("readme").read_text(encoding="utf-8")
    for name in SAMPLE_FILES.values():
        assert peereval.sample_path(next(k for k, v in SAMPLE_FILES.items()
                                         if v == name)).is_file()
        if name != "README.md":
            assert f"`{name}`" in readme


def test_planted_design():
    data = peereval.load_sample()
    frame = data.records.data
    mentored = frame["mentored"] == "yes"
    assert 150 <= len(frame) <= 300
    # stronger students join more often (self-selection)
    assert frame.loc[mentored, "gpa_entry"].mean() - frame.loc[~mentored, "gpa_entry"].mean() > 0.2
    assert frame.loc[~mentored, "mentor_group"].isna().all()
    assert frame.loc[mentored, "mentor_group"].nunique() == 12
    assert set(frame["passed"].unique()) == {0.0, 1.0}
    assert ((frame["exam_score"] >= 55) == (frame["passed"] == 1)).all()
    inst = data.instrument
    assert len(inst.scales) >= 3
    assert len(inst.items) >= 15
    assert all(len(s.reverse) == 1 for s in inst.scales)
    assert data.responses.items["Q5"].kind == "text"
    assert data.responses.answers["Q5"].notna().sum() > 10
    assert data.responses.numeric(inst.items).isna().to_numpy().any()  # a few missing
    panel = openpyxl.load_workbook(peereval.sample_path("expert_panel"), read_only=True)
    assert panel.sheetnames == ["relevance", "essentiality"]
    header = next(panel["relevance"].iter_rows(max_row=1, values_only=True))
    assert sum(str(h).startswith("expert_") for h in header) >= 8


def test_adjusting_for_baseline_recovers_the_planted_effect():
    """An ordinary least-squares check of README's numbers (not the outcomes module)."""
    frame = peereval.load_sample().records.data
    y = frame["gpa_year1"].to_numpy()
    treated = (frame["mentored"] == "yes").to_numpy(float)
    x = np.column_stack([np.ones_like(y), treated, frame["gpa_entry"].to_numpy()])
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    naive = y[treated == 1].mean() - y[treated == 0].mean()
    assert naive > 0.3
    assert abs(beta[1] - 0.15) < 0.08


def _generator():
    spec = importlib.util.spec_from_file_location("make_sample",
                                                  peereval.sample_path("generator"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_reproduces_the_files(tmp_path):
    _generator().main(tmp_path)
    for name in ("survey.csv", "survey_retest.csv", "codebook.toml"):
        assert (tmp_path / name).read_bytes() == (sample_dir() / name).read_bytes(), name
    for name in ("records.xlsx", "expert_panel.xlsx"):
        new = openpyxl.load_workbook(tmp_path / name)
        old = openpyxl.load_workbook(sample_dir() / name)
        assert new.sheetnames == old.sheetnames
        for sheet in new.sheetnames:
            assert list(new[sheet].values) == list(old[sheet].values)


@pytest.mark.slow
def test_wheel_carries_the_sample(tmp_path):
    root = sample_dir().parent.parent
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path), str(root)], check=True)
    (wheel,) = tmp_path.glob("peereval-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in SAMPLE_FILES.values():
        assert f"peereval/_sample/{name}" in names
    assert "peereval/py.typed" in names
