"""study.toml validation and loading."""

from __future__ import annotations

import shutil

import pytest

import peereval
from peereval.errors import ConfigError
from peereval.study import read_study


@pytest.fixture
def study_dir(tmp_path):
    folder = tmp_path / "study"
    shutil.copytree(peereval.datasets.sample_dir(), folder)
    return folder


def _edit(folder, old, new):
    path = folder / "study.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_sample_study_reads(study_dir):
    study = read_study(study_dir / "study.toml")
    assert study.survey["export"] == (study_dir / "survey.csv").resolve()
    assert study.records["group"] == "mentored"
    assert study.screening_drop == ("test_response", "unfinished", "duplicate_id", "speeder")
    assert study.min_cell == 10
    assert study.seed == 20240301


@pytest.mark.parametrize(("old", "new", "key", "message"), [
    ('export = "survey.csv"', 'export = "survey2.csv"', "survey.export", "does not exist"),
    ("[records]", "[record]", "record", "unknown section"),
    ('group = "mentored"', 'grup = "mentored"', "records.grup", "unknown key"),
    ('codebook = "codebook.toml"\n', "", "survey.codebook", "needs 'codebook'"),
    ("min_cell = 10", "min_cell = 0", "privacy.min_cell", "positive"),
    ('"speeder"]', '"sped"]', "screening.drop", "flags"),
    ("seed = 20240301", 'seed = "x"', "study.seed", "whole number"),
    ('export = "survey.csv"', "export = 3", "survey.export", "file path"),
])
def test_errors_name_the_key(study_dir, old, new, key, message):
    path = _edit(study_dir, old, new)
    with pytest.raises(ConfigError, match=message) as err:
        read_study(path)
    assert err.value.column == key
    assert err.value.file == path
    assert err.value.hint


def test_invalid_toml_and_missing_file(tmp_path):
    bad = tmp_path / "study.toml"
    bad.write_text("[survey\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_study(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        read_study(tmp_path / "nope.toml")


def test_load_sample_is_the_sample_study():
    data = peereval.load_sample()
    assert len(data.responses) == 150
    assert len(data.screened) == 138
    assert len(data.retest) == 40
    assert set(data.retest.meta["student_id"]) <= set(data.screened.meta["student_id"])
    assert len(data.records) == 300
