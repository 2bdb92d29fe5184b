"""Small-cell suppression that cannot be undone, checked on every output.

The sample study is cut down to 7 mentored and 119 comparison students (126 in all),
below the small-cell rule of 10. The group sizes are counted here with pandas from the
records file, not by peereval. Then the HTML report, the workbook and the Word report
are searched for every way back to the hidden numbers: the small group's size itself,
the other group's size (126 minus it gives 7), summaries of the small group (its
counts, zeros included, and the SMD), and the linkage counts from which a small
number of linked respondents could be worked out.
"""

from __future__ import annotations

import html
import re
import shutil
import warnings

import docx
import openpyxl
import pandas as pd
import pytest

import peereval

SMALL, LARGE = 7, 119


@pytest.fixture(scope="module")
def small_study(tmp_path_factory):
    folder = tmp_path_factory.mktemp("small_group")
    shutil.copytree(peereval.sample_path("study").parent, folder, dirs_exist_ok=True)
    records = pd.read_excel(folder / "records.xlsx")
    cut = pd.concat([records[records["mentored"] == "yes"].head(SMALL),
                     records[records["mentored"] == "no"].head(LARGE)])
    cut.to_excel(folder / "records.xlsx", index=False)
    study = (folder / "study.toml").read_text(encoding="utf-8")
    for old, new in (("n_boot = 2000", "n_boot = 200"), ("n_iter = 1000", "n_iter = 50"),
                     ("factor_analysis = true", "factor_analysis = false")):
        study = study.replace(old, new)
    (folder / "study.toml").write_text(study, encoding="utf-8")
    from peereval.report import run_study, write_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = run_study(folder / "study.toml")
    out = folder / "out"
    write_report(report, out)
    truth = pd.read_excel(folder / "records.xlsx")["mentored"].value_counts()
    return {"report": report, "out": out, "truth": truth}


def _html_text(path):
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def _workbook_text(path):
    book = openpyxl.load_workbook(path)
    return " ".join(str(cell.value) for sheet in book.worksheets
                    for row in sheet.iter_rows() for cell in row if cell.value is not None)


def _docx_text(path):
    """Every paragraph and table cell, in the order of the document."""
    from docx.oxml.ns import qn

    body = docx.Document(path).element.body
    parts = []
    for child in body:
        pieces = child.iter(qn("w:tc")) if child.tag == qn("w:tbl") else [child]
        parts += ["".join(t.text or "" for t in piece.iter(qn("w:t"))) for piece in pieces]
    return " ".join(parts).replace("\u00a0", " ")


@pytest.fixture(scope="module")
def outputs(small_study):
    out = small_study["out"]
    return {"html": _html_text(out / "report.html"),
            "workbook": _workbook_text(out / "tables.xlsx"),
            "docx": _docx_text(out / "report.docx")}


def test_the_fixture_has_the_group_sizes_it_means_to(small_study):
    assert small_study["truth"].to_dict() == {"no": LARGE, "yes": SMALL}


@pytest.mark.parametrize("output", ["html", "workbook", "docx"])
def test_neither_group_size_can_be_read_or_worked_out(outputs, output):
    text = outputs[output]
    total = SMALL + LARGE
    # the total is shown...
    assert re.search(rf"\b{total}\b", text)
    # ...so the other group's size must not be, anywhere
    assert not re.search(rf"\b{LARGE}\b", text), output
    for pattern in (rf"\b{SMALL} mentored", rf"yes: {SMALL}\b", rf"n = {SMALL}\b",
                    rf"mentored: {SMALL}\b",
                    rf"\b{SMALL} comparison"):
        assert not re.search(pattern, text), (output, pattern)


@pytest.mark.parametrize("output", ["html", "docx"])
def test_each_suppression_is_explained_where_it_is(outputs, output):
    text = re.sub(r"\s+", " ", outputs[output])
    assert "The size of each group is not shown: mentored has fewer than 10" in text
    assert "Characteristics by group are not reported" in text
    assert "the size of each group is not shown: one has fewer than 10" in text


def test_no_summary_of_the_small_group_is_printed(small_study):
    keys = [table.key for table in small_study["report"].tables()]
    assert "characteristics" not in keys  # counts, zeros and SMDs of 7 students
    assert "unadjusted" not in keys


def test_a_small_number_of_linked_respondents_cannot_be_worked_out(small_study, outputs):
    linkage = small_study["report"].section("quality").tables[-1]
    assert linkage.key == "linkage"
    frame = linkage.frame.set_index("measure")["n"]
    assert frame["linked"] == "<10"
    assert frame["responses whose id is not in the records"] == "not shown"
    assert frame["records without a survey response"] == "not shown"
    # the complements of the linked count, from the linkage itself
    from peereval.study import read_study
    from peereval.study._analyse import link_study

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        study = read_study(small_study["out"].parent / "study.toml")
        linked = link_study(study, study.load()).report
    assert 0 < linked.matched < 10
    hidden = {linked.responses_not_in_records, linked.records_not_in_survey}
    sheet = openpyxl.load_workbook(small_study["out"] / "tables.xlsx")["linkage"]
    parts = {"workbook": " ".join(str(c.value) for row in sheet.iter_rows() for c in row)}
    for output in ("html", "docx"):
        text = outputs[output]
        part = text[text.find("Linkage of survey responses to academic records"):]
        parts[output] = part[:part.find("Student ids are replaced")]
    for output, part in parts.items():
        assert "<10" in part
        for number in hidden:
            assert not re.search(rf"\b{number}\b", part), (output, number)


# ---------------------------------------------------------------- a rare result

FAILED_MENTORED = 3


@pytest.fixture(scope="module")
def rare_failures(tmp_path_factory):
    """The sample with only 3 mentored students who failed (of 148 mentored)."""
    folder = tmp_path_factory.mktemp("rare_failures")
    shutil.copytree(peereval.sample_path("study").parent, folder, dirs_exist_ok=True)
    records = pd.read_excel(folder / "records.xlsx")
    failed = (records["mentored"] == "yes") & (records["passed"] == 0)
    cut = records[~failed | (failed.cumsum() <= FAILED_MENTORED)]
    cut.to_excel(folder / "records.xlsx", index=False)
    study = (folder / "study.toml").read_text(encoding="utf-8")
    for old, new in (("n_boot = 2000", "n_boot = 200"), ("n_iter = 1000", "n_iter = 50"),
                     ("factor_analysis = true", "factor_analysis = false")):
        study = study.replace(old, new)
    (folder / "study.toml").write_text(study, encoding="utf-8")
    from peereval.report import run_study, write_report

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = run_study(folder / "study.toml")
    out = folder / "out"
    write_report(report, out)
    truth = pd.read_excel(folder / "records.xlsx")
    book = openpyxl.load_workbook(out / "tables.xlsx")
    outcome_sheets = [name for name in book.sheetnames if name in {
        "characteristics", "unadjusted", "adjusted", "matched", "mixed", "outcome_flow"}]
    assert "unadjusted" in outcome_sheets
    return {"report": report, "out": out, "truth": truth,
            "text": {"html": _findings_and_outcomes(_html_text(out / "report.html")),
                     "workbook": " ".join(str(c.value) for name in outcome_sheets
                                          for row in book[name].iter_rows() for c in row
                                          if c.value is not None),
                     "docx": _findings_and_outcomes(_docx_text(out / "report.docx"))}}


def _findings_and_outcomes(text: str) -> str:
    """The summary and the outcomes section (the last time each title occurs: the
    first may be the table of contents), where a rate of the outcome could appear."""
    parts = []
    for start, end in (("Summary", "The study"), ("Academic outcomes", "Free-text")):
        begin = text.rfind(start)
        parts.append(text[begin:text.find(end, begin)])
    assert all(len(part) > 200 for part in parts)
    return " ".join(parts)


def test_the_rare_fixture_is_what_it_means_to_be(rare_failures):
    truth = rare_failures["truth"]
    mentored = truth[truth["mentored"] == "yes"]
    assert len(mentored) == 145 + FAILED_MENTORED
    assert (mentored["passed"] == 0).sum() == FAILED_MENTORED


def _rate_forms(share: float) -> list[str]:
    """The ways a report could print a rate precisely enough to give its count back
    (with n = 148, 98% can only be 145): 98%, (98.0), 98.0%, 97.97, 0.980, .980."""
    percent = 100 * share
    return [f"{percent:.0f}%", f"({percent:.1f})", f"{percent:.1f}%", f"{percent:.2f}",
            f"{share:.3f}", f"{share:.3f}".lstrip("0"), f"{share:.4f}"]


@pytest.mark.parametrize("output", ["html", "workbook", "docx"])
def test_a_rare_result_cannot_be_worked_out_from_its_rate(rare_failures, output):
    truth = rare_failures["truth"]
    mentored = truth.loc[truth["mentored"] == "yes", "passed"]
    control = truth.loc[truth["mentored"] == "no", "passed"]
    rate = mentored.mean()  # 145 of 148: with n = 148 in view, 98% gives 3 failures away
    difference = rate - control.mean()
    text = rare_failures["text"][output]
    forms = [*_rate_forms(rate), f"{rate:.2f}", *_rate_forms(1 - rate),
             *_rate_forms(difference)[1:]]
    for form in forms:
        assert not re.search(rf"(?<![\d.]){re.escape(form)}(?!\d)", text), (output, form)
    # nor the count itself, or its complement, beside the group's size
    assert not re.search(r"\b145 \(", text), output


@pytest.mark.parametrize("output", ["html", "docx"])
def test_the_withheld_rate_is_explained(rare_failures, output):
    text = re.sub(r"\s+", " ", rare_failures["text"][output])
    assert ("Passing the first year: the shares of the two groups are not shown, because "
            "fewer than 10 students of a group had one of its two results") in text
    assert ("Rates, difference, interval and p of passing the first year are not shown"
            in text)
    assert "passing the first year: not shown" in text


def test_the_other_outcomes_are_still_compared(rare_failures):
    table = next(t for t in rare_failures["report"].tables() if t.key == "unadjusted")
    rows = table.frame.set_index("outcome")
    passed = "passing the first year"  # the sample's label of 'passed'
    assert rows.loc[passed, ["rate mentored", "estimate", "p"]].isna().all()
    assert rows.loc["first-year GPA", ["estimate", "p"]].notna().all()
    assert rows.loc[passed, "n mentored"] == 145 + FAILED_MENTORED
