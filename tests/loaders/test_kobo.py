"""KoboToolbox exports: XML-values CSV, labels CSV (HXL row), Persian XLSX with a repeat sheet."""

from __future__ import annotations

import hashlib
import importlib.util

import numpy as np
import pandas as pd
import pytest

import canonical
import peereval
from helpers import FIXTURES, assert_canonical, assert_comments
from peereval.errors import DuplicateIdError, FileFormatError, LabelError
from peereval.labels import label_key
from peereval.loaders import kobo, qualtrics
from peereval.loaders._table import open_source

HERE = FIXTURES / "kobo"
_spec = importlib.util.spec_from_file_location("kobo_fixtures", HERE / "make_fixtures.py")
fx = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fx)

XML_CODES = list(fx.ITEM_NAMES)
EN_CODES = [f"{q}/{canonical.ROWS[k]}" for q, k in zip(
    [canonical.QUESTION_SUPPORT] * 3 + [canonical.QUESTION_ADJUST] * 2, canonical.ITEMS,
    strict=True)]
FA_CODES = list(fx.FA_ROWS)
FILES = {"xml_values.csv": 2, "labels_en.csv": 3, "labels_fa.xlsx": 2}  # first data row
# Whether the shared label normalisation reads "strongly_agree" as "Strongly agree".
UNDERSCORE_AS_SPACE = label_key("strongly_agree") == label_key("Strongly agree")


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", list(FILES))
def test_every_export_is_detected_and_keeps_ids_meta_and_rows(name):
    path = HERE / name
    before = _sha(path)
    responses = peereval.read_export(path)
    assert responses.platform == "kobo"
    assert list(responses.ids) == fx.UUIDS
    assert responses.source_rows.tolist() == list(range(FILES[name], FILES[name] + 6))
    assert responses.meta["started"].tolist() == [
        pd.Timestamp(s.replace(microsecond=0)) for s in fx.START]
    assert responses.meta["ended"].iloc[0] == pd.Timestamp("2024-03-02 09:19:47")
    # _submission_time is the server's UTC time: 3 h 30 min behind Tehran.
    assert responses.meta["_submission_time"].iloc[0] == pd.Timestamp("2024-03-02 05:49:51")
    assert [str(v) for v in responses.meta["_id"]] == [str(i) for i in fx.IDS]
    assert "finished" not in responses.meta  # KoboToolbox records no such thing
    assert _sha(path) == before


def test_labels_export_gives_canonical_numbers_and_matrix_text():
    responses = peereval.read_export(HERE / "labels_en.csv")
    assert responses.likert_items == EN_CODES
    assert_canonical(responses, EN_CODES)  # the groups show all five labels: no points=
    assert_comments(responses, canonical.COMMENT_QUESTION)
    item = responses.items[EN_CODES[2]]
    assert item.text == f"{canonical.QUESTION_SUPPORT} - {canonical.ROWS['support_3']}"
    assert item.question == canonical.QUESTION_SUPPORT
    assert responses.items[EN_CODES[3]].question == canonical.QUESTION_ADJUST
    assert any("HXL" in note for note in responses.notes)


def test_persian_labels_workbook_reads_the_main_sheet():
    responses = peereval.read_export(HERE / "labels_fa.xlsx")
    assert responses.sheet == fx.FORM_TITLE
    # Without "Include groups in headers" every column is its own group; some show
    # only four of the five labels, so the number of scale points must be given.
    assert_canonical(responses, FA_CODES, points=5)
    assert_comments(responses, fx.FA_COMMENT)
    assert responses.items[FA_CODES[0]].question is None
    assert responses.meta["today"].iloc[0] == pd.Timestamp("2024-03-02")


def test_repeat_group_sheet_is_refused_with_a_hint():
    table = next(t for t in open_source(HERE / "labels_fa.xlsx").tables if t.sheet == "sessions")
    assert kobo.sniff(table) < 0.5
    with pytest.raises(FileFormatError, match="repeat group") as err:
        peereval.read_export(HERE / "labels_fa.xlsx", sheet="sessions")
    assert err.value.sheet == "sessions"
    assert "sheet=" in err.value.hint


def test_xml_values_keep_choice_names_and_code_through_the_vocabularies_or_a_mapping():
    responses = peereval.read_export(HERE / "xml_values.csv")
    assert responses.likert_items == XML_CODES
    assert responses.items["support_1"].question == "group_support"
    assert responses.items["adjust_2"].question == "group_adjust"
    assert responses.items["support_1"].column == "group_support/support_1"
    assert responses.answers.loc[fx.UUIDS[0], "support_1"] == "strongly_agree"
    assert_comments(responses, "comments")
    assert any("choice names" in note for note in responses.notes)
    expected = np.array(canonical.ANSWERS, dtype=float)
    mapping = {name: code for code, name in fx.CHOICE_NAMES.items()}
    coded = responses.numeric(XML_CODES, mapping=mapping)
    np.testing.assert_array_equal(coded.to_numpy(), expected)
    if UNDERSCORE_AS_SPACE:
        assert_canonical(responses, XML_CODES)
    else:
        with pytest.raises(LabelError) as err:
            responses.numeric(XML_CODES)
        shown = {p.value for p in err.value.problems}
        assert shown == set(fx.CHOICE_NAMES.values()) - {"agree", "disagree"}
        assert all(p.column.startswith("group_") for p in err.value.problems)
        assert "mapping=" in str(err.value)


@pytest.mark.parametrize(("name", "code"), [("xml_values.csv", "activities"),
                                            ("labels_en.csv", fx.ACTIVITY_QUESTION)])
def test_select_many_is_rebuilt_from_its_choice_columns(name, code):
    responses = peereval.read_export(HERE / name)
    xml = name.startswith("xml")
    names = dict(fx.ACTIVITIES)
    expected = [";".join(c if xml else names[c] for c in chosen) or None
                for chosen in fx.CHOSEN]
    got = [None if pd.isna(v) else v for v in responses.answers[code]]
    assert got == expected
    item = responses.items[code]
    assert item.kind == "multi"
    assert [label for _, label in item.options] == [
        n if xml else label for n, label in fx.ACTIVITIES]
    # the 0/1 choice columns are carried by the rebuilt answer, not kept as items
    assert not [c for c in responses.items if c.startswith(f"{code}/")]


def test_sniffs_do_not_claim_each_others_files():
    for path in sorted((FIXTURES / "qualtrics").glob("*.*")):
        if path.suffix in {".csv", ".tsv", ".xlsx"}:
            for table in open_source(path).tables:
                assert kobo.sniff(table) == 0
    for name in FILES:
        for table in open_source(HERE / name).tables:
            assert qualtrics.sniff(table) == 0


def test_id_column_and_group_separator_options(tmp_path):
    responses = peereval.read_export(HERE / "xml_values.csv", id_column="_id")
    assert list(responses.ids) == [str(i) for i in fx.IDS]
    text = (HERE / "xml_values.csv").read_bytes().decode("utf-8")
    path = tmp_path / "percent.csv"
    path.write_bytes(text.replace("group_support/", "group_support%")
                     .replace("group_adjust/", "group_adjust%")
                     .replace("activities/", "activities%").encode("utf-8"))
    responses = peereval.read_export(path, group_separator="%")
    assert responses.items["support_2"].question == "group_support"
    assert responses.items["activities"].kind == "multi"


def _rewrite(tmp_path, transform, name="export.csv"):
    lines = (HERE / "xml_values.csv").read_bytes().decode("utf-8").split("\r\n")
    path = tmp_path / name
    path.write_bytes("\r\n".join(transform(lines)).encode("utf-8"))
    return path


def test_duplicate_uuids_list_every_row(tmp_path):
    path = _rewrite(tmp_path, lambda lines: [*lines[:3], lines[1], *lines[3:]])
    with pytest.raises(DuplicateIdError) as err:
        peereval.read_export(path)
    assert [p.row for p in err.value.problems] == [2, 4]
    assert {p.value for p in err.value.problems} == {fx.UUIDS[0]}
    assert err.value.column == "_uuid"


def test_column_without_header_is_named(tmp_path):
    path = _rewrite(tmp_path, lambda lines: [lines[0].replace('"comments"', '""'), *lines[1:]])
    with pytest.raises(FileFormatError, match="no header") as err:
        peereval.read_export(path)
    assert err.value.column == "O"
    assert err.value.row == 1


def test_forcing_kobo_on_another_layout_says_what_it_is():
    with pytest.raises(FileFormatError, match="not a KoboToolbox export") as err:
        peereval.read_export(FIXTURES / "qualtrics" / "choice_text.csv", platform="kobo")
    assert "qualtrics" in str(err.value)
    assert err.value.row == 1


def test_choice_names_that_read_as_no_label_need_the_form(tmp_path):
    """An "XML values" export whose choice names are not labels cannot be scored alone."""
    path = _rewrite(tmp_path, lambda lines: [line.replace('"neither_agree_nor_disagree"',
                                                          '"neither"') for line in lines])
    with pytest.raises(LabelError) as err:
        peereval.read_export(path)
    message = str(err.value)
    assert "neither" in message
    assert "Download XLS" in message
    assert "definition='form.xlsx'" in message
    assert {p.value for p in err.value.problems} == {"neither"}
    assert err.value.problems[0].column.startswith("group_")
    kept = peereval.read_export(path, keep_codes=True)
    assert "neither" in set(kept.answers["support_1"].dropna())
