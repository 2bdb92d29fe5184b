"""peereval init: recognising the input files and writing a starter study.toml."""

from __future__ import annotations

import tomllib
from pathlib import Path

import openpyxl
import pytest

import peereval
from peereval.errors import CodebookError, ConfigError, PeerevalError
from peereval.instrument import Instrument
from peereval.report import starter_study
from peereval.study import SCHEMA, check_study, read_study
from peereval.study._init import detect_file

FIXTURES = Path(__file__).parents[1] / "fixtures"
SAMPLE = ("survey", "records", "expert_panel", "retest")


def _sample(*names: str) -> list[Path]:
    return [peereval.sample_path(n) for n in names]


def _uncommented_keys(text: str) -> dict[str, set[str]]:
    data = tomllib.loads(text)
    return {section: set(keys) for section, keys in data.items()}


# --------------------------------------------------------------------- sample study


def test_sample_files_give_a_study_that_validates_and_loads(tmp_path):
    made = starter_study(_sample(*SAMPLE, "codebook"), out=tmp_path, seed=7)
    assert made.study == tmp_path / "study.toml"
    assert made.codebook is None  # a codebook was given: no stub
    study = read_study(made.study)
    assert study.survey["export"] == peereval.sample_path("survey").resolve()
    assert study.survey["codebook"] == peereval.sample_path("codebook").resolve()
    assert study.survey["id"] == "student_id"
    assert study.survey["platform"] == "qualtrics"
    assert study.survey["comments"] == ["Q5"]
    assert study.records["id"] == "student_id"
    assert study.records["group"] == "mentored"
    assert study.records["treated"] == "yes"
    assert study.retest["export"] == peereval.sample_path("retest").resolve()
    assert study.retest["interval_days"] == 14
    assert study.expert_panel["relevance_sheet"] == "relevance"
    assert study.expert_panel["essentiality_sheet"] == "essentiality"
    assert study.outcomes["continuous"] == ["gpa_year1", "exam_score"]
    assert study.outcomes["binary"] == ["passed"]
    assert study.outcomes["baseline"] == "gpa_entry"
    assert study.outcomes["covariates"] == ["sex", "age"]
    assert study.outcomes["cluster"] == "mentor_group"
    assert study.outcomes["kind"] == "knowledge"
    assert study.info["design"] == "two_group_baseline"
    assert study.seed == 7
    # the sample's own study.toml says the same about the things init can see
    sample = read_study(peereval.sample_path("study"))
    for section in ("records", "expert_panel"):
        for key, value in getattr(sample, section).items():
            assert getattr(study, section)[key] == value, (section, key)
    assert check_study(made.study)[0] == "study file study.toml: valid"


def test_every_schema_key_is_written_and_explained(tmp_path):
    made = starter_study(_sample("survey"), out=tmp_path, seed=1)
    text = made.study.read_text(encoding="utf-8")
    for section, keys in SCHEMA.items():
        assert f"[{section}]" in text, section
        for key, spec in keys.items():
            assert f"# {key}: {spec.help}" in text, (section, key)
            assert f"{key} = " in text, (section, key)
    active = _uncommented_keys(text)
    assert "records" not in active  # no records given: the section stays commented
    assert "outcomes" not in active
    assert read_study(made.study).info["design"] == "post_only"
    assert "CHECK" in text


def test_guesses_and_checks_are_reported(tmp_path):
    made = starter_study(_sample("survey", "records"), out=tmp_path, seed=1)
    guesses = "\n".join(made.guesses)
    assert 'records.group = "mentored"' in guesses
    assert ('survey.id = "student_id": 149 of 149 survey ids found in records.student_id'
            in guesses)  # found by the overlap of ids, which init reports
    checks = "\n".join(made.checks)
    assert "survey.invited" in checks
    assert "sessions_attended" in checks  # attendance is not an outcome
    assert "[scales.NAME]" in checks
    frame = made.to_frame()
    assert frame["kind"].tolist() == ["survey", "records"]
    text = made.text()
    assert text.startswith(f"wrote {made.study}")
    assert "to check or add" in text
    assert "sessions_attended" not in read_study(made.study).outcomes["continuous"]


def test_codebook_stub_lists_likert_items_and_leaves_scales_to_the_user(tmp_path):
    made = starter_study(_sample("survey"), out=tmp_path, seed=1)
    assert made.codebook == tmp_path / "codebook.toml"
    stub = tomllib.loads(made.codebook.read_text(encoding="utf-8"))
    assert "scales" not in stub
    assert stub["response_range"] == [1, 5]
    assert list(stub["items"]) == [f"Q{s}_{i}" for s in (1, 2, 3) for i in range(1, 7)]
    assert stub["items"]["Q1_6"] == "My mentor was often hard to reach"
    with pytest.raises(CodebookError, match="defines no scales"):
        Instrument.from_toml(made.codebook)
    # uncommenting the suggested scale examples gives a working codebook
    text = made.codebook.read_text(encoding="utf-8")
    lines = text.split("# Wording")[0].splitlines()
    scales = [line[2:] for line in lines if line.startswith(("# [scales.", "# items"))]
    made.codebook.write_text(text + "\n".join(scales) + "\n", encoding="utf-8")
    instrument = Instrument.from_toml(made.codebook)
    assert [s.name for s in instrument.scales] == ["QID1", "QID2", "QID3"]


def test_nothing_is_overwritten_unless_asked(tmp_path):
    made = starter_study(_sample("survey"), out=tmp_path, seed=1)
    made.study.write_text("# mine\n", encoding="utf-8")
    with pytest.raises(PeerevalError, match="will not overwrite") as info:
        starter_study(_sample("survey"), out=tmp_path, seed=1)
    assert "overwrite=True" in str(info.value)
    assert made.study.read_text(encoding="utf-8") == "# mine\n"
    again = starter_study(_sample("survey"), out=tmp_path, seed=1, overwrite=True)
    assert read_study(again.study).title.startswith("Evaluation")


def test_an_existing_codebook_stub_is_not_overwritten_either(tmp_path):
    (tmp_path / "codebook.toml").write_text("# my codebook\n", encoding="utf-8")
    with pytest.raises(PeerevalError, match=r"codebook\.toml"):
        starter_study(_sample("survey"), out=tmp_path / "study.toml")
    assert not (tmp_path / "study.toml").exists()


def test_out_may_be_a_file_name_in_a_new_folder(tmp_path):
    target = tmp_path / "new" / "deeper" / "mentoring.toml"
    made = starter_study(_sample("survey", "codebook"), out=target, title="Mentoring 2024")
    assert made.study == target
    study = read_study(target)
    assert study.title == "Mentoring 2024"
    assert study.survey["export"] == peereval.sample_path("survey").resolve()


# ------------------------------------------------------------------ other fixtures


@pytest.mark.parametrize(("file", "platform", "student_id"), [
    ("qualtrics/choice_text.csv", "qualtrics", "student_id"),
    ("surveymonkey/answer_text.xlsx", "surveymonkey", None),
    ("limesurvey/codes_numeric.csv", "limesurvey", None),
    ("kobo/labels_fa.xlsx", "kobo", None),
    ("ms_forms/survey.xlsx", "ms_forms", None),
    ("google_forms/form_download.csv", "google_forms", None),
    ("spss/mentoring.sav", "spss", None),
    ("generic/iranian.xlsx", "generic", "شماره دانشجویی"),
    ("generic/university.xls", "generic", "شماره دانشجویی"),
])
def test_fixture_exports_give_valid_studies(tmp_path, file, platform, student_id):
    made = starter_study([FIXTURES / file], out=tmp_path, seed=1)
    study = read_study(made.study)
    assert study.survey["platform"] == platform
    assert study.survey.get("id") == student_id
    stub = tomllib.loads(made.codebook.read_text(encoding="utf-8"))
    assert len(stub["items"]) >= 5  # the five agreement items of tests/canonical.py


def test_redcap_export_with_its_data_dictionary(tmp_path):
    made = starter_study([FIXTURES / "redcap/raw.csv", FIXTURES / "redcap/dictionary.csv"],
                         out=tmp_path, seed=1)
    assert [f.kind for f in made.files] == ["survey", "dictionary"]
    study = read_study(made.study)
    assert study.survey["dictionary"] == (FIXTURES / "redcap/dictionary.csv").resolve()
    stub = tomllib.loads(made.codebook.read_text(encoding="utf-8"))
    assert stub["items"]["support_1"] == "My mentor was available when I needed help"


def test_persian_records_and_a_csv_expert_panel(tmp_path):
    records = tmp_path / "records.csv"
    records.write_text(
        "شماره دانشجویی,منتور دارد,معدل ورودی,معدل ترم اول,سن\n"
        + "".join(f"{9812340 + i},{'بله' if i % 2 else 'خیر'},{15 + i % 4},{16 + i % 3},"
                  f"{19 + i % 2}\n" for i in range(12)), encoding="utf-8")
    panel = tmp_path / "panel.csv"
    panel.write_text("item,wording,e1,e2,e3,e4\nQ1,a,4,3,4,4\nQ2,b,2,3,4,1\nQ3,c,4,4,4,3\n",
                     encoding="utf-8")
    found = detect_file(records)
    assert found.kind == "records"
    assert detect_file(panel).kind == "expert_panel"
    made = starter_study([FIXTURES / "generic/iranian.xlsx", records, panel],
                         out=tmp_path / "study", seed=1)
    study = read_study(made.study)
    assert study.records["id"] == "شماره دانشجویی"
    assert study.records["group"] == "منتور دارد"
    assert study.records["treated"] == "بله"
    assert study.outcomes["baseline"] == "معدل ورودی"
    assert study.outcomes["continuous"] == ["معدل ترم اول"]
    assert study.outcomes["covariates"] == ["سن"]
    assert study.expert_panel["file"] == panel.resolve()
    assert study.survey["id"] == "شماره دانشجویی"


def test_expert_panel_workbook_with_one_unnamed_sheet(tmp_path):
    path = tmp_path / "ratings.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["item", "expert_01", "expert_02", "expert_03"])
    for code in ("Q1", "Q2", "Q3"):
        sheet.append([code, "Essential", "Useful but not essential", "Not necessary"])
    book.save(path)
    found = detect_file(path)
    assert found.kind == "expert_panel"
    assert found.data == {"relevance_sheet": None}


# --------------------------------------------------------------------------- errors


def test_unrecognised_file(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("a,b\nhello,world\nfoo,bar\n", encoding="utf-8")
    with pytest.raises(PeerevalError, match="cannot tell what this file is") as info:
        starter_study([path], out=tmp_path)
    assert "academic records" in str(info.value)


@pytest.mark.parametrize(("files", "error", "message"), [
    ([], PeerevalError, "at least the survey export"),
    (["missing.csv"], PeerevalError, "does not exist"),
    (["records"], PeerevalError, "none of the files is a survey export"),
    (["survey", "records", "records_copy"], PeerevalError, "2 academic records files"),
    (["survey", "survey"], PeerevalError, "given twice"),
    (["survey", "study"], ConfigError, "already a study file"),
])
def test_bad_file_lists(tmp_path, files, error, message):
    import shutil

    paths = []
    for name in files:
        if name == "records_copy":
            paths.append(Path(shutil.copy(peereval.sample_path("records"),
                                          tmp_path / "copy.xlsx")))
        elif name in peereval.datasets.SAMPLE_FILES:
            paths.append(peereval.sample_path(name))
        else:
            paths.append(tmp_path / name)
    with pytest.raises(error, match=message):
        starter_study(paths, out=tmp_path / "out")


def test_toml_that_is_not_a_codebook(tmp_path):
    path = tmp_path / "other.toml"
    path.write_text('title = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not a codebook"):
        detect_file(path)
    path.write_text('title = "x\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        detect_file(path)


def test_two_surveys_with_different_questions(tmp_path):
    with pytest.raises(PeerevalError, match="different questions"):
        starter_study([peereval.sample_path("survey"), FIXTURES / "qualtrics/choice_text.csv"],
                      out=tmp_path)


def test_dictionary_without_a_redcap_survey(tmp_path):
    with pytest.raises(PeerevalError, match="REDCap data dictionary"):
        starter_study([peereval.sample_path("survey"), FIXTURES / "redcap/dictionary.csv"],
                      out=tmp_path)


def test_every_records_guess_has_its_evidence_in_study_toml(tmp_path):
    made = starter_study(_sample("survey", "records"), out=tmp_path, seed=1)
    evidence = [line for line in made.study.read_text(encoding="utf-8").splitlines()
                if line.startswith("# init: ")]
    text = "\n".join(evidence)
    assert ("# init: id: 'student_id': a different value in each of the 300 rows; "
            "149 of 149 survey ids found in records.student_id") in text
    assert "# init: group: 'mentored': two values, one for every student (yes: 163, no: 137)" \
        in text
    assert "# init: baseline: 'gpa_entry'" in text
    assert "# init: continuous: 'exam_score': 300 values" in text
    assert "# init: binary: 'passed': only 0 and 1" in text
    assert "# init: cluster: 'mentor_group': names the mentor group; 12 groups" in text
    assert "# init: left out: 'sessions_attended': attendance" in text
    assert "# init: comments: 'Q5': free text" in text
