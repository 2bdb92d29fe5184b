"""study.toml validation and loading."""

from __future__ import annotations

from pathlib import Path

import pytest

import peereval
from helpers import edit_study
from peereval.errors import ConfigError, PeerevalError
from peereval.study import (
    ANALYSES_DEFAULT,
    OPTIONS_DEFAULT,
    SCHEMA,
    check_study,
    read_study,
)


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
    ('design = "two_group_baseline"', 'design = "rct"', "study.design", "one of"),
    ("reliability = true", 'reliability = "yes"', "analyses.reliability", "true or false"),
    ('ci = "bca"', 'ci = "wald"', "options.ci", "one of"),
    ("n_boot = 2000", "n_boot = 20", "options.n_boot", "at least 200"),
    ("n_iter = 1000", "n_iter = 10", "options.n_iter", "at least 50"),
    ('adjust = "holm"', 'adjust = "fdr"', "options.adjust", "one of"),
    ('kind = "knowledge"', 'kind = "grades"', "outcomes.kind", "one of"),
    ('comments = ["Q5"]', 'comments = "Q5"', "survey.comments", "list of names"),
    ("invited = 163", "invited = 163.5", "survey.invited", "whole number"),
])
def test_errors_name_the_key(study_dir, old, new, key, message):
    path = edit_study(study_dir, old, new)
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


def test_new_sections_have_defaults(study_dir):
    text = (study_dir / "study.toml").read_text(encoding="utf-8")
    start, end = text.index("[analyses]"), text.index("[screening]")
    path = study_dir / "study.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    study = read_study(path)
    assert study.analyses == ANALYSES_DEFAULT
    assert study.options == OPTIONS_DEFAULT


def test_outcomes_need_records(study_dir):
    text = (study_dir / "study.toml").read_text(encoding="utf-8")
    start, end = text.index("[records]"), text.index("[expert_panel]")
    path = study_dir / "study.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[outcomes\] needs \[records\]") as err:
        read_study(path)
    assert err.value.column == "outcomes"


def test_schema_examples_pass_their_own_checks():
    """Every example in SCHEMA is a valid value of its key (they write peereval init)."""
    from peereval.study import _check_value

    def fail(key, message, hint):
        return AssertionError(f"{key}: {message}")

    for section, keys in SCHEMA.items():
        for name, spec in keys.items():
            assert spec.help, f"{section}.{name} has no help"
            if spec.example is not None and spec.kind != "path":
                _check_value(spec.example, spec, f"{section}.{name}", fail, Path("."))


def test_check_study_reads_every_input(study_dir):
    lines = check_study(study_dir / "study.toml")
    assert lines[0] == "study file study.toml: valid"
    text = "\n".join(lines)
    assert "survey survey.csv (qualtrics): 150 responses" in text
    assert "138 kept after screening" in text
    assert "records records.xlsx: 300 students; mentored = no: 137, mentored = yes: 163" in text
    assert "expert panel expert_panel.xlsx: 18 items x 10 experts" in text


@pytest.mark.parametrize(("old", "new", "key", "message"), [
    ('continuous = ["gpa_year1", "exam_score"]', 'continuous = ["gpa_year1", "gpa_yr2"]',
     "outcomes", r"no column\(s\) \['gpa_yr2'\]"),
    ('cluster = "mentor_group"', 'cluster = "mentor"', "outcomes", "no column"),
    ('treated = "yes"', 'treated = "Yes"', "records.treated", "not a value"),
    ('group = "mentored"', 'group = "sex"\n', "records.treated", "not a value"),
    ('id = "student_id"              #', 'id = "studentid"  #', "survey.id",
     "no column 'studentid'"),
    ('comments = ["Q5"]', 'comments = ["Q9"]', "survey.comments", "no item 'Q9'"),
    ('group = "mentored"', 'group = "age"', "records.group", "groups, not two"),
])
def test_check_study_cross_checks(study_dir, old, new, key, message):
    path = edit_study(study_dir, old, new)
    with pytest.raises(ConfigError, match=message) as err:
        check_study(path)
    assert err.value.column == key
    assert err.value.file == path
    assert err.value.hint


def test_section_that_is_not_a_table(study_dir):
    path = study_dir / "study.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("[privacy]\nmin_cell = 10\n", "[privacy_]\n")
    path.write_text("privacy = 10\n" + text.replace("[privacy_]\n", ""), encoding="utf-8")
    with pytest.raises(ConfigError, match="privacy must be a table") as err:
        read_study(path)
    assert err.value.column == "privacy"


def test_panel_without_essentiality_sheet(study_dir):
    from openpyxl import load_workbook

    book = load_workbook(study_dir / "expert_panel.xlsx")
    del book["essentiality"]
    book.save(study_dir / "expert_panel.xlsx")
    path = study_dir / "study.toml"
    text = path.read_text(encoding="utf-8").replace('essentiality_sheet = "essentiality"\n', "")
    path.write_text(text, encoding="utf-8")
    panel = read_study(path).read_panel()
    assert panel.essentiality is None
    assert panel.relevance.shape == (18, 10)
    assert check_study(path)[-1] == "expert panel expert_panel.xlsx: 18 items x 10 experts"
    # named explicitly, a missing sheet is an error naming the sheets there are
    path.write_text(text.replace('relevance_sheet = "relevance"',
                                 'relevance_sheet = "relevance"\nessentiality_sheet = "ess"'),
                    encoding="utf-8")
    with pytest.raises(PeerevalError, match="ess"):
        check_study(path)


def test_docs_reference_every_key():
    """docs/report.md holds the reference written from SCHEMA, so the two agree."""
    from peereval.quality import FLAGS
    from peereval.study import _schema_markdown

    docs = (Path(__file__).parents[1] / "docs" / "report.md").read_text(encoding="utf-8")
    reference = _schema_markdown()
    assert reference in docs, (
        "docs/report.md is out of date: paste peereval.study._schema_markdown() after the "
        "'generated from' comment")
    for section, keys in SCHEMA.items():
        assert f"**`[{section}]`**" in reference
        for key in keys:
            assert f"| `{key}`" in reference
    for flag in FLAGS:
        assert f"`{flag}`" in docs
    for design in SCHEMA["study"]["design"].choices:
        assert f"`{design}`" in docs


def test_read_study_lists_every_problem_of_the_file(study_dir):
    from peereval.study import StudyProblemsError

    path = edit_study(study_dir, "min_cell = 10", "min_cell = 0")
    path = edit_study(study_dir, 'ci = "bca"', 'ci = "wald"')
    path = edit_study(study_dir, 'group = "mentored"', 'grup = "mentored"')
    with pytest.raises(StudyProblemsError) as err:
        read_study(path)
    keys = [p.key for p in err.value.issues]
    assert set(keys) == {"records.grup", "records.group", "options.ci", "privacy.min_cell"}
    assert err.value.column == keys[0]  # the first, for callers handling one at a time
    for key in keys:
        assert f"[{key}]" in str(err.value)
    assert all(p.fix for p in err.value.issues)


def test_validate_study_of_the_sample_is_ready(study_dir):
    from peereval.study import validate_study

    check = validate_study(study_dir / "study.toml")
    assert check.ready
    assert check.problems == ()
    assert check.skipped == ()
    assert "linkage: 138 of 138 analysed respondents found in records.student_id" in \
        "\n".join(check.found)
    assert check.text().endswith("The study is ready: peereval report "
                                 + str(study_dir / "study.toml"))


def test_analyses_asked_for_without_their_inputs(study_dir):
    from peereval.study import validate_study

    text = (study_dir / "study.toml").read_text(encoding="utf-8")
    start, end = text.index("[expert_panel]"), text.index("[outcomes]")
    path = study_dir / "study.toml"
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    check = validate_study(path)
    assert [p.key for p in check.errors] == ["analyses.content_validity"]
    assert "needs [expert_panel]" in check.errors[0].message
    # on by default only: not a problem, but said
    path.write_text(text[:start] + text[end:].replace("content_validity = true\n", ""),
                    encoding="utf-8")
    check = validate_study(path)
    assert check.ready
    assert check.skipped == ("content_validity (on by default; it needs [expert_panel])",)


@pytest.mark.parametrize(("old", "new", "key", "message"), [
    ('binary = ["passed"]', 'binary = ["passed", "mentored"]', "outcomes.binary",
     "is the group column itself"),
    ("min_cell = 10", "min_cell = 200", "privacy.min_cell", "would be suppressed"),
    ('binary = ["passed"]', 'binary = ["passed", "mentor_group"]', "outcomes.binary",
     "'mentor_group' holds"),
    ('"duplicate_id", "speeder"]', '"speeder"]', "survey.id",
     "2 analysed response(s) repeat a student id"),
    ("range = [1, 5]", "range = [0, 4]", "survey.codebook",
     "outside the declared response range"),
    ('comments = ["Q5"]', 'comments = ["Q5", "Q4"]', "survey.comments",
     "'Q4' is not a free-text question: a choice question"),
])
def test_validate_study_value_checks(study_dir, old, new, key, message):
    from peereval.study import validate_study

    codebook = study_dir / "codebook.toml"
    if old.startswith("range"):
        codebook.write_text(codebook.read_text(encoding="utf-8").replace(old, new),
                            encoding="utf-8")
        path = study_dir / "study.toml"
    else:
        path = edit_study(study_dir, old, new)
    check = validate_study(path)
    assert key in [p.key for p in check.errors]
    assert any(message in p.message for p in check.errors if p.key == key)
    assert not check.ready
