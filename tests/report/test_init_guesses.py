"""A new user's messy study: init's guesses are a careful analyst's, with evidence.

The files are written here by hand, as a new user would bring them: a survey CSV with
two id columns (a response id and a student number typed with spaces, leading zeros
or Persian digits), an age question typed as text, a year of study coded 1-6, gender,
a 5-point agreement matrix, a 4-point frequency question and comments; a records
sheet with the student id, GPA, a constant column and an id-like integer column.
Each wrong guess issue 13 saw must not come back.
"""

from __future__ import annotations

import csv
import random
import tomllib
from pathlib import Path

import openpyxl
import pytest

from peereval.cli import main
from peereval.report import starter_study
from peereval.study import read_study, validate_study
from peereval.study._init import (
    IdOverlap,
    best_id_overlap,
    constant_evidence,
    free_text_evidence,
    id_evidence,
)

AGREE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
         "Strongly agree"]
OFTEN = ["Never", "Sometimes", "Often", "Always"]
STEM = "How much do you agree with these statements?"
ROWS = ["My mentor listened to me", "My mentor helped me plan my study",
        "I felt supported by my mentor", "I would recommend the programme",
        "The meetings were useful"]
COMMENTS = ["Great mentor, thank you", "More sessions please", "It was fine overall",
            "I wish we met more often", "Helpful in the first term",
            "The group was too large"]
PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
N_SURVEY, N_RECORDS, N_FOREIGN = 40, 60, 3


def _student(i: int) -> str:
    return str(98120100 + i)


def write_messy_study(folder: Path) -> tuple[Path, Path]:
    """The survey CSV and records workbook of a messy study; returns their paths."""
    rng = random.Random(13)
    survey = folder / "survey.csv"
    header = ["Response ID", "Student number", "Age", "Year of study", "Gender",
              *[f"{STEM} - {row}" for row in ROWS],
              "How often did you meet your mentor?", "Any other comments?",
              "I settled into my first year quickly"]
    with survey.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for i in range(N_SURVEY):
            sid = _student(i) if i < N_SURVEY - N_FOREIGN else str(55500000 + i)
            if i % 4 == 1:
                sid = "00" + sid  # leading zeros
            elif i % 4 == 2:
                sid = f" {sid[:4]} {sid[4:]} "  # spaces
            elif i % 4 == 3:
                sid = sid.translate(PERSIAN)  # typed on a Persian keyboard
            age = f"{18 + i % 7}" + (" years" if i % 5 == 0 else "")
            answers = [AGREE[rng.randrange(5)] for _ in ROWS]
            writer.writerow([f"R_{i:03d}xq{i * 7919 % 1000:03d}", sid, age, 1 + i % 6,
                             "Female" if i % 2 else "Male", *answers, OFTEN[i % 4],
                             COMMENTS[i % 6] + f" ({i})" if i % 3 == 0 else "",
                             AGREE[rng.randrange(5)]])
    records = folder / "records.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["student_id", "mentored", "gpa", "intake", "registry"])
    for i in range(N_RECORDS):
        sheet.append([int(_student(i)), "yes" if i % 2 else "no",
                      round(12 + (i * 37 % 70) / 10, 2), 1402, 4270000000 + i * 104729])
    book.save(records)
    return survey, records


@pytest.fixture
def messy(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    survey, records = write_messy_study(folder)
    made = starter_study([survey, records], out=tmp_path / "study", seed=1)
    return made


def test_id_columns_and_constants_are_never_outcomes_covariates_or_comments(messy):
    study = read_study(messy.study)
    used = [*study.outcomes.get("continuous", []), *study.outcomes.get("binary", []),
            *study.outcomes.get("covariates", []), study.outcomes.get("baseline")]
    for column in ("student_id", "registry", "intake", "Student number", "Response ID"):
        assert column not in used
        assert column not in study.survey.get("comments", [])
    assert study.outcomes["continuous"] == ["gpa"]
    text = messy.study.read_text(encoding="utf-8")
    assert "# init: left out: 'registry': 60 different whole numbers of 10 digits" in text
    assert "# init: left out: 'intake': every one of the 60 filled rows holds '1402'" in text


def test_age_is_not_a_comment_and_comments_are_free_text(messy):
    study = read_study(messy.study)
    assert "Age" not in study.survey.get("comments", [])
    text = messy.study.read_text(encoding="utf-8")
    assert "# init: not a comment: 'Age': 40 of 40 answers are numbers" in text
    if "comments" in study.survey:
        assert study.survey["comments"] == ["Any other comments?"]


def test_linkage_by_overlap_with_its_evidence(messy):
    study = read_study(messy.study)
    assert study.survey["id"] == "Student number"
    assert study.records["id"] == "student_id"
    text = messy.study.read_text(encoding="utf-8")
    evidence = f"{N_SURVEY - N_FOREIGN} of {N_SURVEY} survey ids found in records.student_id"
    assert f'id = "Student number"   # CHECK: {evidence}' in text
    assert f"# init: id: 'Student number' links to the records: {evidence}" in text
    assert any(evidence in g for g in messy.guesses)


def test_range_comes_from_the_items_own_labels_and_year_is_not_an_item(messy):
    stub_text = messy.codebook.read_text(encoding="utf-8")
    stub = tomllib.loads(stub_text)
    assert stub["response_range"] == [1, 5]  # not [1, 6]: the year of study is no item
    assert "Year of study" not in stub["items"]
    assert "Gender" not in stub["items"]
    assert "Age" not in stub["items"]
    # columns named by the whole question get short names; the column and the
    # statement are kept (issue 13, item 5)
    assert list(stub["items"]) == [f"item{k:02d}" for k in range(1, len(ROWS) + 1)]
    assert [v["column"] for v in stub["items"].values()] == [f"{STEM} - {row}"
                                                              for row in ROWS]
    assert [v["label"] for v in stub["items"].values()] == list(ROWS)
    assert "'Year of study': named like a question about the student (year)" in stub_text
    assert ("'How often did you meet your mentor?': a single question with a response "
            "scale of its own (frequency-4 (en), 1-4)") in stub_text
    assert "5 rows of one matrix question" in stub_text
    # a statement on an agreement scale that mentions the year is an opinion, not a
    # question about the student
    assert ("'I settled into my first year quickly': a single question with a response "
            "scale of its own (agreement-5 (en), 1-5)") in stub_text
    assert "agreement-5 (en), coded 1-5" in stub_text
    proposed = [line for line in stub_text.splitlines() if line.startswith("# items = ")]
    assert len(proposed) == 1
    assert "Year of study" not in proposed[0]


def test_validate_lists_every_problem_at_once(messy, tmp_path, capsys):
    # the user uncomments the proposed scale, then puts the wrong guesses back in
    stub = messy.codebook
    lines = stub.read_text(encoding="utf-8").splitlines()
    scale = [line[2:] for line in lines
             if line.startswith(("# [scales.", "# items = ", "# reverse = "))]
    stub.write_text("\n".join(lines) + "\n" + "\n".join(scale) + "\n", encoding="utf-8")
    path = messy.study
    text = path.read_text(encoding="utf-8")
    text = text.replace('id = "Student number"', '# id = "Student number"', 1)
    text = text.replace('continuous = ["gpa"]', 'continuous = ["gpa", "registry", "intake"]')
    text = text.replace("min_cell = 10", "min_cell = 31")
    text = text.replace("propensity = false", "propensity = true")
    path.write_text(text, encoding="utf-8")
    result = validate_study(path)
    assert not result.ready
    keys = {p.key for p in result.errors}
    assert {"survey.id", "outcomes.continuous", "privacy.min_cell",
            "analyses.propensity"} <= keys
    messages = "\n".join(p.text() for p in result.problems)
    assert "no survey id" in messages
    assert 'set id = "Student number"' in messages  # the fix names the overlap
    assert "'registry' looks like an id" in messages
    assert "'intake' does not vary" in messages
    assert "fewer than min_cell = 31" in messages
    assert "n = 40" in messages
    assert "Gorsuch, 1983" in messages
    assert all(p.fix for p in result.errors)
    # through the command line: the same list, exit status 1
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.count("error    [") == len(result.errors)
    assert "How to fix:" in out
    assert "The study is not ready" in out
    assert "The study is ready" not in out


def test_validate_checks_ranges_scales_and_items_in_two_scales(messy):
    stub = messy.codebook
    items = [f"item{k:02d}" for k in range(1, len(ROWS) + 1)]  # the stub's short names
    text = stub.read_text(encoding="utf-8").replace("response_range = [1, 5]",
                                                    "response_range = [0, 4]")
    text += (f"[scales.a]\nitems = {items[:3]!r}\n".replace("'", '"')
             + f"[scales.b]\nitems = {items[2:4]!r}\n".replace("'", '"'))
    stub.write_text(text, encoding="utf-8")
    result = validate_study(messy.study)
    messages = "\n".join(p.text() for p in result.errors)
    assert "outside the declared response range" in messages
    assert "is in two scales" in messages
    assert any("scale 'b' has 2 item(s), fewer than three" in p.message
               for p in result.problems)


def test_evidence_helpers():
    assert id_evidence("Response ID", ["a", "b"]).startswith("named like an id")
    assert id_evidence("شماره دانشجویی", ["۹۸۱۲۰۰۱", "۹۸۱۲۰۰۲"])
    assert id_evidence("code", ["x1", "x2", "x3"]).startswith("named like an id")
    assert id_evidence("gpa", [14.5, 15.25, 17.0, 12.75]) is None
    assert id_evidence("exam_score", [55, 61, 78, 90]) is None
    assert constant_evidence(["x", "x", ""]) is not None
    assert constant_evidence([0, 1]) is None
    from peereval.responses import Item

    ok, why = free_text_evidence("sid", Item("sid", "Your student number", "text"),
                                 ["9812001", "9812002", "9812003"])
    assert not ok
    assert "id" in why


def test_overlap_normalises_ids(tmp_path):
    import peereval

    survey, _ = write_messy_study(tmp_path)
    responses = peereval.read_export(survey)
    best = best_id_overlap(responses, {"student_id": [_student(i) for i in range(60)],
                                       "registry": [str(4270000000 + i) for i in range(60)]})
    assert best == IdOverlap("Student number", "student_id", N_SURVEY - N_FOREIGN, N_SURVEY)


DEFINITIONS = Path(__file__).parents[1] / "fixtures" / "definitions"


def test_init_and_validate_with_the_survey_definition(tmp_path, capsys):
    export = DEFINITIONS / "limesurvey" / "answer_codes.csv"
    definition = DEFINITIONS / "limesurvey" / "tutoring.lss"
    assert main(["init", str(export), "--definition", str(definition), "-o",
                 str(tmp_path), "--seed", "1"]) == 0
    study = read_study(tmp_path / "study.toml")
    assert study.survey["definition"] == definition.resolve()
    stub_text = (tmp_path / "codebook.toml").read_text(encoding="utf-8")
    # the definition's option labels name the scale
    assert "response scale agreement-5 (en), coded 1-5" in stub_text
    assert "'satis': a single question with a response scale of its own" in stub_text
    lines = stub_text.splitlines()
    scale = [line[2:] for line in lines if line.startswith(("# [scales.", "# items = "))]
    (tmp_path / "codebook.toml").write_text(stub_text + "\n".join(scale) + "\n",
                                            encoding="utf-8")
    check = validate_study(tmp_path / "study.toml")
    assert not [p for p in check.errors if p.key in ("survey.export", "survey.codebook")]
    assert any(line.startswith("survey answer_codes.csv (limesurvey)") for line in check.found)
    capsys.readouterr()
    assert main(["inspect", str(export), "--definition", str(definition)]) == 0
    assert "read with the survey's definition 'tutoring.lss'" in capsys.readouterr().out


def test_a_student_number_typed_as_text_is_not_a_comment():
    from peereval.responses import Item

    typed = ["9812 0001", "۹۸۱۲۰۰۰۲", "98120003 ", "0098120004"]
    ok, why = free_text_evidence("Q7", Item("Q7", "Q7", "text"), typed)
    assert not ok
    assert "4 different whole numbers of 8 digits" in why
    ok, why = free_text_evidence("Q8", Item("Q8", "What is your student number?", "text"),
                                 ["s-12", "s-12", "s-13"])
    assert not ok
    assert "named like an id" in why


def test_validate_finds_an_item_everybody_answered_alike(messy):
    survey = messy.files[0].path
    rows = list(csv.reader(survey.open(encoding="utf-8")))
    column = rows[0].index(f"{STEM} - {ROWS[0]}")
    for row in rows[1:]:
        row[column] = "Agree"
    with survey.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    lines = messy.codebook.read_text(encoding="utf-8").splitlines()
    scale = [line[2:] for line in lines if line.startswith(("# [scales.", "# items = "))]
    messy.codebook.write_text("\n".join(lines + scale) + "\n", encoding="utf-8")
    check = validate_study(messy.study)
    assert any("have no variance among the analysed respondents" in p.message
               for p in check.errors)


def test_ready_means_the_report_holds_every_analysis_asked_for(messy):
    """The messy study once its scale is accepted: validate says ready (with the small-n
    warnings) and the report leaves nothing out."""
    from peereval.report import run_study

    lines = messy.codebook.read_text(encoding="utf-8").splitlines()
    scale = [line[2:] for line in lines if line.startswith(("# [scales.", "# items = "))]
    messy.codebook.write_text("\n".join(lines + scale) + "\n", encoding="utf-8")
    text = messy.study.read_text(encoding="utf-8")
    messy.study.write_text(text.replace("n_boot = 2000", "n_boot = 200").replace(
        "n_iter = 1000", "n_iter = 50"), encoding="utf-8")
    check = validate_study(messy.study)
    assert check.ready
    assert {p.key for p in check.warnings} == {"analyses.factor_analysis"}
    report = run_study(messy.study)
    skipped = [note for section in report.sections for note in section.notes
               if "not reported" in note]
    assert skipped == []
    assert {"reliability", "validity", "outcomes", "comments"} <= {
        s.key for s in report.sections}


def test_an_age_does_not_win_the_linkage_against_row_numbers(tmp_path):
    """Ages 18-24 are all 'found' in a records column of row numbers 1..60; they are
    no ids (many students share an age), so the student number still links."""
    import peereval

    survey, _ = write_messy_study(tmp_path)
    responses = peereval.read_export(survey)
    rows = [str(i) for i in range(1, 61)]
    assert best_id_overlap(responses, {"row": rows}) is None
    best = best_id_overlap(responses, {"row": rows,
                                       "student_id": [_student(i) for i in range(60)]})
    assert best.survey_column == "Student number"
    assert best.records_column == "student_id"


def test_short_names_keep_platform_codes_and_number_whole_questions():
    from peereval.study._init import _short_names

    names = _short_names(["Q1_1", "support[SQ001]", "How often did you meet? [In person]",
                          "آیا منتور در دسترس بود؟", "Q1_1.1"])
    assert names == {"Q1_1": "Q1_1", "support[SQ001]": "support_SQ001",
                     "How often did you meet? [In person]": "item01",
                     "آیا منتور در دسترس بود؟": "item02", "Q1_1.1": "Q1_1_1"}


def test_labels_placeholders_are_valid_toml_once_uncommented(messy):
    text = messy.study.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines()
             if line.startswith(("# outcomes = {", "# groups = {"))]
    assert len(lines) == 2
    assert tomllib.loads("\n".join(line[2:] for line in lines)) == {"outcomes": {},
                                                                    "groups": {}}


def test_proposed_scale_names_are_distinct_keys():
    from peereval.study._init import _scale_names

    names = _scale_names(["agreement", "agreement", "میزان موافقت شما", "میزان رضایت",
                          "Thinking about your peer mentor, how far do you agree with each"])
    assert names == ["agreement", "agreement_2", "scale3", "scale4",
                     "Thinking_about_your_peer_mentor_how_far"]
