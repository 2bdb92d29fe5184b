"""Random answers written into every platform's layout read back unchanged.

Each fixture export is a real layout (header rows, metadata, encoding, delimiter,
workbook sheet). Hypothesis draws a new answer (1-5, or no answer) for every
respondent and Likert item; the answers are written into the very cells the loader
reported (``Responses.locate``), in the platform's own wording (its label for that
number, or the number where it exports numbers), and the file is read again with
auto-detection. The numbers must be the ones drawn, missing where none was drawn.
"""

from __future__ import annotations

import csv
import io
import math
import shutil

import numpy as np
import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import peereval
from helpers import FIXTURES
from peereval.loaders._table import open_source

#: Layouts written back here (SPSS files are rewritten with pyreadstat below).
LAYOUTS = [
    "qualtrics/choice_text.csv", "qualtrics/choice_text.xlsx",
    "qualtrics/numeric_values.csv", "qualtrics/numeric_values.tsv",
    "surveymonkey/answer_text.csv", "surveymonkey/answer_text.xlsx",
    "surveymonkey/numerical_value.csv",
    "google_forms/form_download.csv", "google_forms/sheet_download.csv",
    "ms_forms/survey.xlsx", "ms_forms/quiz.xlsx", "ms_forms/survey_saved_as.csv",
    "redcap/raw.csv", "redcap/labels.csv", "redcap/longitudinal_raw.csv",
    "limesurvey/codes_numeric.csv", "limesurvey/full_text.csv",
    "limesurvey/code_and_text.csv",
    "kobo/xml_values.csv", "kobo/labels_en.csv", "kobo/labels_fa.xlsx",
    "generic/plain.csv", "generic/iranian.xlsx", "generic/university.xls",
]
ROUNDTRIP = settings(derandomize=True, max_examples=8, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.filter_too_much])
answers = st.lists(st.lists(st.one_of(st.integers(1, 5), st.none()), min_size=5,
                            max_size=5), min_size=6, max_size=6).filter(
    # every item gets two different answers at least: a matrix whose only answer is
    # "1" is, in SurveyMonkey's numeric export, indistinguishable from a
    # select-all-that-apply question (its columns hold 1 or nothing)
    lambda m: all(len({row[j] for row in m} - {None}) >= 2 for j in range(5)))


def _vocabulary(responses, codes) -> dict[float, object]:
    """How this export writes each number: the raw cell of a respondent who gave it."""
    numbers = responses.numeric(codes, points=5)
    words: dict[float, object] = {}
    for code in codes:
        for rid, value in numbers[code].items():
            raw = responses.answers.at[rid, code]
            if not math.isnan(value) and value not in words:
                words[value] = raw
    assert set(words) == {1.0, 2.0, 3.0, 4.0, 5.0}, words
    return words


def _cells(responses, codes):
    """(respondent, item) -> (1-based file row, header text) of every answer."""
    return {(rid, code): responses.locate(rid, code) for rid in responses.ids
            for code in codes}


def _column(rows: list[list[object]], header: str) -> int:
    """The column of ``header`` in the header rows. SurveyMonkey names a matrix row
    "question - row": the question heads the first row, the row text the second."""
    for wanted in (header, header.rsplit(" - ", 1)[-1]):
        for row in rows[:4]:
            names = ["" if v is None else str(v).strip() for v in row]
            if names.count(wanted) == 1:
                return names.index(wanted)
    raise AssertionError(f"header {header!r} not found")


def _write_text(path, drawn, cells, words):
    source = open_source(path).tables[0]
    raw = path.read_bytes()
    text = raw.decode(source.encoding)
    bom = text.startswith("\ufeff")
    text = text.lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=source.delimiter))
    for (rid, code), where in cells.items():
        value = drawn[(rid, code)]
        rows[where.row - 1][_column(rows, where.column)] = (
            "" if value is None else str(words[float(value)]))
    out = io.StringIO()
    ending = "\r\n" if "\r\n" in text else "\n"
    csv.writer(out, delimiter=source.delimiter, lineterminator=ending).writerows(rows)
    data = ("\ufeff" if bom else "") + out.getvalue()
    codec = {"utf-8-sig": "utf-8"}.get(source.encoding, source.encoding)
    path.write_bytes(data.encode(codec))


def _write_workbook(path, sheet_name, drawn, cells, words):
    book = openpyxl.load_workbook(path)
    sheet = book[sheet_name]
    rows = [[c.value for c in row] for row in sheet.iter_rows(max_row=4)]
    for (rid, code), where in cells.items():
        value = drawn[(rid, code)]
        sheet.cell(where.row, _column(rows, where.column) + 1).value = (
            None if value is None else words[float(value)])
    book.save(path)


@pytest.mark.parametrize("name", LAYOUTS)
def test_answers_written_in_each_layout_read_back_unchanged(name, tmp_path):
    original = peereval.read_export(FIXTURES / name)
    codes = original.likert_items[:5]
    words = _vocabulary(original, codes)
    cells = _cells(original, codes)

    @ROUNDTRIP
    @given(matrix=answers)
    def roundtrip(matrix):
        path = tmp_path / FIXTURES.joinpath(name).name
        shutil.copyfile(FIXTURES / name, path)
        drawn = {(rid, code): matrix[i][j] for i, rid in enumerate(original.ids)
                 for j, code in enumerate(codes)}
        if path.suffix == ".xlsx":
            _write_workbook(path, original.sheet, drawn, cells, words)
        else:
            _write_text(path, drawn, cells, words)
        again = peereval.read_export(path)
        assert again.platform == original.platform
        assert list(again.ids) == list(original.ids)
        got = again.numeric(codes, points=5)
        expected = np.array([[np.nan if v is None else v for v in row] for row in matrix],
                            dtype=float)
        np.testing.assert_array_equal(got.to_numpy(), expected)

    roundtrip()


@pytest.mark.parametrize("name", ["mentoring.sav", "persian.zsav"])
def test_answers_written_to_an_spss_file_read_back_unchanged(name, tmp_path):
    import pyreadstat

    frame, meta = pyreadstat.read_sav(FIXTURES / "spss" / name)
    original = peereval.read_export(FIXTURES / "spss" / name)
    codes = original.likert_items[:5]

    @ROUNDTRIP
    @given(matrix=answers)
    def roundtrip(matrix):
        changed = frame.copy()
        for j, code in enumerate(codes):
            changed[code] = [np.nan if row[j] is None else float(row[j]) for row in matrix]
        path = tmp_path / name
        pyreadstat.write_sav(changed, path, column_labels=meta.column_labels,
                             variable_value_labels=meta.variable_value_labels,
                             variable_measure=meta.variable_measure,
                             compress=name.endswith(".zsav"))
        got = peereval.read_export(path).numeric(codes, points=5).to_numpy()
        expected = np.array([[np.nan if v is None else v for v in row] for row in matrix],
                            dtype=float)
        np.testing.assert_array_equal(got, expected)

    roundtrip()
