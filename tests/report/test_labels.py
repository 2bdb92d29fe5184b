"""Reports of exports headed by full questions, and display labels from study.toml."""

from __future__ import annotations

import re

import openpyxl
import pytest

import label_exports as exports
from helpers import edit_study, strip_labels
from peereval.errors import ConfigError
from peereval.report import run_study, write_report

GF_LABELS = [row for rows in exports.GF_ROWS for row in rows]
NAMES = [f"item{k:02d}" for k in range(1, 9)]

LABELS = """
[labels]
groups = {yes = "Mentored", no = "Not mentored"}

[labels.outcomes]
gpa_year1 = "GPA, year 1"
exam_score = "Exam score (%)"
passed = "Passed year 1"
gpa_entry = "GPA at entry"
mentor_group = "Mentor group"
"""


def _table(report, key):
    return next(t for t in report.tables() if t.key == key)


def _survey_study(folder, export: str, headers, labels) -> None:
    (folder / "codebook.toml").write_text(exports.short_codebook(headers, labels),
                                          encoding="utf-8")
    (folder / "study.toml").write_text(f"""
[study]
title = "Labels"
seed = 5

[survey]
export = "{export}"
codebook = "codebook.toml"

[analyses]
content_validity = false

[options]
ci = "feldt"
n_iter = 50
""", encoding="utf-8")


@pytest.fixture(scope="module", params=["google_forms", "persian"])
def survey_report(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "google_forms":
        exports.google_forms_csv(folder / "responses.csv")
        _survey_study(folder, "responses.csv", exports.GF_ITEMS, GF_LABELS)
        labels = GF_LABELS
    else:
        exports.persian_xlsx(folder / "responses.xlsx")
        _survey_study(folder, "responses.xlsx", exports.FA_ITEMS, list(exports.FA_ITEMS))
        labels = list(exports.FA_ITEMS)
    report = run_study(folder / "study.toml")
    out = folder / "out"
    write_report(report, out)
    return report, out, labels, request.param


def test_validate_finds_short_named_items_under_their_columns(survey_report):
    from peereval.study import validate_study

    _, out, _, _ = survey_report
    check = validate_study(out.parent / "study.toml")
    assert not [p for p in check.errors if p.key == "survey.codebook"], check.errors


def test_full_question_exports_get_the_cfa_under_short_names(survey_report):
    report, _, labels, _ = survey_report
    assert not [n for s in report.sections for n in s.notes if "not reported" in n]
    loadings = _table(report, "cfa_loadings").frame
    assert loadings["item"].tolist() == NAMES
    assert loadings["statement"].tolist() == labels
    assert _table(report, "cfa_fit").frame["n"].iloc[0] == 160
    assert _table(report, "items").frame["item"].tolist() == NAMES
    assert _table(report, "items").frame["statement"].tolist() == labels
    assert set(_table(report, "efa").frame["statement"]) == set(labels)
    assert _table(report, "items_agree").frame["statement"].tolist() == labels
    assert [f.key for f in report.figures()] == ["likert", "scree", "loadings"]


def test_figures_show_labels_not_column_headers(survey_report):
    report, _, _, kind = survey_report
    figures = {f.key: f.svg for f in report.figures()}
    for key in ("likert", "loadings"):
        if kind == "google_forms":
            assert "How much do you agree" not in figures[key]
            assert "My mentor listened to my concerns" in figures[key]
        assert "item01" not in figures[key] or key == "likert"


def test_workbook_holds_short_names_and_statements(survey_report):
    _, out, labels, _ = survey_report
    book = openpyxl.load_workbook(out / "tables.xlsx")
    rows = list(book["cfa_loadings"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "factor")
    assert list(rows[header][:3]) == ["factor", "item", "statement"]
    assert [row[1] for row in rows[header + 1:header + 9]] == NAMES
    assert [row[2] for row in rows[header + 1:header + 9]] == labels


# ------------------------------------------------------------------ study.toml labels


@pytest.fixture(scope="module")
def labelled(tmp_path_factory):
    import shutil

    import peereval

    folder = tmp_path_factory.mktemp("labelled") / "study"
    shutil.copytree(peereval.datasets.sample_dir(), folder)
    path = strip_labels(folder) / "study.toml"  # these labels replace the sample's
    path.write_text(path.read_text(encoding="utf-8") + LABELS, encoding="utf-8")
    edit_study(folder, "n_boot = 2000", "n_boot = 200")
    report = run_study(path)
    out = folder / "out"
    write_report(report, out)
    return report, out


def _visible_text(html: str) -> str:
    html = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<img[^>]*>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


def test_outcome_and_group_labels_in_the_html(labelled):
    _, out = labelled
    text = _visible_text((out / "report.html").read_text(encoding="utf-8"))
    for label in ("GPA, year 1", "Exam score (%)", "Passed year 1", "GPA at entry",
                  "Mentored", "Not mentored"):
        assert label in text, label
    for raw in ("gpa_year1", "exam_score", "gpa_entry", "mentor_group", "= yes", "= no"):
        assert raw not in text, raw
    assert "Academic records: 300 students (Not mentored: 137, Mentored: 163)" in text


def test_outcome_and_group_labels_in_tables_figures_and_sentences(labelled):
    report, _ = labelled
    outcomes = report.section("outcomes")
    assert _table(report, "unadjusted").frame["outcome"].tolist() == [
        "GPA, year 1", "Exam score (%)", "Passed year 1"]
    characteristics = _table(report, "characteristics").frame
    assert list(characteristics.columns[1:3]) == ["Mentored (n = 163)",
                                                  "Not mentored (n = 137)"]
    assert characteristics.iloc[0, 0].startswith("GPA at entry")
    assert "GPA at entry" in _table(report, "balance").frame["covariate"].tolist()
    assert "Mentor group" in _table(report, "mixed").title
    assert any("GPA, year 1" in p and "Mentored" in p for p in outcomes.paragraphs)
    figures = {f.key: f.svg for f in report.figures()}
    for key in ("forest", "distributions", "adjusted_means"):
        assert "GPA, year 1" in figures[key], key
        assert "gpa_year1" not in figures[key], key
    assert "Mentored" in figures["distributions"]
    kirkpatrick = _table(report, "kirkpatrick").frame
    assert "GPA, year 1" in kirkpatrick.to_string()


def test_outcome_and_group_labels_in_the_workbook(labelled):
    _, out = labelled
    book = openpyxl.load_workbook(out / "tables.xlsx")
    cells = [str(v) for name in ("characteristics", "unadjusted", "adjusted", "matched",
                                 "mixed", "outcome_flow", "balance")
             for row in book[name].iter_rows(values_only=True) for v in row
             if v is not None]
    joined = "\n".join(cells)
    assert "GPA, year 1" in joined
    assert "Mentored (n = 163)" in joined
    for raw in ("gpa_year1", "exam_score", "gpa_entry", "mentor_group", "= yes"):
        assert raw not in joined, raw


def test_labels_that_name_nothing_are_warned_about(unlabelled_study_dir):
    path = unlabelled_study_dir / "study.toml"
    path.write_text(path.read_text(encoding="utf-8")
                    + '\n[labels]\noutcomes = {gpa_yr1 = "GPA"}\ngroups = {Yes = "M", '
                      'maybe = "?"}\n', encoding="utf-8")
    from peereval.study import read_study
    from peereval.study._analyse import display_names

    study = read_study(path)
    labels, notes = display_names(study, study.load())
    assert labels.value("yes") == "M"  # group values match whatever their case
    assert any("'gpa_yr1', which is not a column" in n for n in notes)
    assert any("'maybe', which is not a value of 'mentored'" in n for n in notes)


@pytest.mark.parametrize(("section", "message", "key"), [
    ('outcomes = {gpa_year1 = "Score", exam_score = "Score"}', "already has",
     "labels.outcomes"),
    ('outcomes = {gpa_year1 = "exam_score"}', "already has", "labels.outcomes"),
    ('groups = {yes = "Group", no = "Group"}', "same label", "labels.groups"),
])
def test_clashing_labels_stop_the_run(unlabelled_study_dir, section, message, key):
    path = unlabelled_study_dir / "study.toml"
    path.write_text(path.read_text(encoding="utf-8") + f"\n[labels]\n{section}\n",
                    encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as err:
        run_study(path)
    assert err.value.column == key


def test_bad_label_tables_are_refused_when_read(unlabelled_study_dir):
    from peereval.study import read_study

    path = unlabelled_study_dir / "study.toml"
    path.write_text(path.read_text(encoding="utf-8") + '\n[labels]\noutcomes = ["GPA"]\n',
                    encoding="utf-8")
    with pytest.raises(ConfigError, match="table of name") as err:
        read_study(path)
    assert err.value.column == "labels.outcomes"
