"""run_study and write_report on the sample study and on edited copies of it."""

from __future__ import annotations

import csv
import hashlib
import io

import joblib
import pandas as pd
import pytest

import peereval
from helpers import edit_study
from peereval.errors import ConfigError, PeerevalError
from peereval.report import run_study, write_report
from peereval.report._html import render_html

SECTIONS = ["summary", "study", "quality", "design", "perception", "reliability", "validity",
            "outcomes", "comments", "methods", "glossary"]


def _table(report, key) -> pd.DataFrame:
    return next(t for t in report.tables() if t.key == key).frame


def test_sections_tables_and_figures(sample_report):
    assert [s.key for s in sample_report.sections] == SECTIONS
    keys = [t.key for t in sample_report.tables()]
    assert len(keys) == len(set(keys))
    for key in ["inputs", "screening", "flow", "linkage", "kirkpatrick", "mersqi",
                "items_agree", "reliability", "items", "retest", "content", "retention",
                "efa", "cfa_fit", "cfa_loadings", "discriminant", "characteristics",
                "unadjusted", "adjusted", "balance", "matched", "mixed", "comments_Q5"]:
        assert key in keys
    for table in sample_report.tables():
        assert not table.frame.empty, table.key
        assert len(table.key) <= 31
    assert [f.key for f in sample_report.figures()] == [
        "likert", "content_validity", "scree", "loadings", "forest", "distributions",
        "adjusted_means", "love_plot"]
    for figure in sample_report.figures():
        assert figure.svg.lstrip().startswith("<?xml")
        assert "<svg" in figure.svg
        assert figure.png[:8] == b"\x89PNG\r\n\x1a\n"
    # every analysis ran: no section reports a failure
    assert not [note for s in sample_report.sections for note in s.notes
                if "not reported" in note]


def test_numbers_are_those_of_the_analyses(sample_report):
    """The report shows what the public functions return for the same inputs and seed."""
    from peereval.outcomes import compare_many
    from peereval.reliability import scale_reliability

    study = peereval.load_sample()
    reliability = scale_reliability(study.scores, ci="bca", n_boot=2000, seed=20240301)
    shown = _table(sample_report, "reliability")
    expected = reliability.to_frame()
    assert shown["alpha"].tolist() == expected["alpha"].tolist()
    assert shown["CI low"].tolist() == expected["alpha_ci_low"].tolist()
    many = compare_many(study.records.data, ["gpa_year1", "exam_score", "passed"],
                        "mentored", binary=["passed"], treated="yes", adjust="holm",
                        seed=20240301)
    assert _table(sample_report, "unadjusted")["p adjusted"].tolist() == \
        many.to_frame()["p_adjusted"].tolist()


def test_flow_response_rate_and_linkage(sample_report):
    quality = sample_report.section("quality")
    flow = _table(sample_report, "flow")
    assert flow["remaining"].tolist() == [150, 149, 143, 141, 138, 138, 111, 138]
    assert flow["step"].tolist()[-3:] == ["analysed", "every item answered",
                                          "linked to academic records"]
    assert "a response rate of 85% (138 of 163)" in quality.paragraphs[0]
    linkage = _table(sample_report, "linkage").set_index("measure")["n"]
    assert linkage["linked"] == 138
    screening = _table(sample_report, "screening").set_index("flag")
    assert bool(screening.loc["answered too fast", "dropped"]) is True
    assert bool(screening.loc["same answer throughout a scale", "dropped"]) is False


def test_design_appraisal_and_subtitle(sample_report):
    design = sample_report.section("design")
    text = design.paragraphs[0]
    assert "non-randomised two-group comparison with baseline" in text
    levels = _table(sample_report, "kirkpatrick").set_index("outcome")["level"]
    assert levels["first-year GPA"] == "2b"
    assert levels["Mentor support"] == "2a"
    assert sample_report.subtitle.startswith("Example University")
    assert "MERSQI" in sample_report.subtitle


def test_warnings_are_collected_with_their_step(sample_report):
    warnings = sample_report.warnings
    assert any(w.startswith("Propensity-score matching: 55 of 163 mentored students") for w
               in warnings)
    assert any(w.startswith("Mixed model of first-year GPA: only 12 'mentor group' clusters")
               for w in warnings)
    assert len(warnings) == len(set(warnings))


def test_methods_and_references(sample_report):
    paragraphs = sample_report.section("methods").paragraphs
    methods = " ".join(paragraphs)
    assert paragraphs[0].startswith("Survey responses were screened")
    assert ("bias-corrected and accelerated (BCa) bootstrap interval (2,000 resamples, seed "
            "20240301)") in methods
    assert "Test-retest" not in methods or "ICC(A,1)" in methods
    # sentences built from the results' own settings, not copies of the defaults
    assert "rotated by oblimin (oblique)" in methods
    assert "1,000 simulated data sets" in methods
    assert "within a caliper of 0.20 SD of the logit of the propensity score" in methods
    assert "top-two box" in methods
    assert "Random steps used the seed 20240301" in methods
    assert "adjusted for multiplicity over the 3 outcomes with Holm's adjustment" in methods
    assert sample_report.references == sorted(sample_report.references)
    assert any(r.startswith("Cronbach, L. J. (1951)") for r in sample_report.references)
    assert any(r.startswith("Reed, D. A.") for r in sample_report.references)


def test_same_inputs_same_bytes(sample_report, sample_output, tmp_path):
    """The second run uses two worker processes for the resampling: same bytes."""
    with joblib.parallel_config(n_jobs=2):
        again = run_study(peereval.sample_path("study"))
    assert render_html(again) == render_html(sample_report)
    write_report(again, tmp_path)
    for path in sorted(sample_output.rglob("*")):
        if path.is_file():
            twin = tmp_path / path.relative_to(sample_output)
            assert hashlib.sha256(twin.read_bytes()).digest() == \
                hashlib.sha256(path.read_bytes()).digest(), path.name


def test_written_files(sample_report, sample_output):
    assert (sample_output / "report.html").is_file()
    assert (sample_output / "tables.xlsx").is_file()
    names = sorted(p.name for p in (sample_output / "figures").iterdir())
    assert names == sorted(f"{f.key}.{ext}" for f in sample_report.figures()
                           for ext in ("svg", "png"))
    html = (sample_output / "report.html").read_text(encoding="utf-8")
    # self-contained: no external resource, no script
    assert "<script" not in html
    assert "http://" not in html.replace("http://www.w3.org", "")
    assert 'src="https' not in html
    assert "<link" not in html


def test_workbook_has_every_table(sample_report, sample_output):
    from openpyxl import load_workbook

    book = load_workbook(sample_output / "tables.xlsx")
    assert len(book.sheetnames) == len(sample_report.tables()) + 1  # and a contents sheet
    sheet = book[book.sheetnames[1 + [t.key for t in sample_report.tables()].index(
        "reliability")]]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = next(i for i, row in enumerate(values) if "alpha" in row)
    column = values[header].index("alpha")
    alphas = [row[column] for row in values[header + 1:header + 4]]
    expected = _table(sample_report, "reliability")["alpha"].tolist()
    assert alphas == pytest.approx(expected, abs=1e-12)


def test_free_text_is_escaped(study_dir):
    survey = study_dir / "survey.csv"
    text = survey.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    column = rows[0].index("Q5")
    rows[4][column] = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
    rows[5][column] = "منتور من خیلی کمک کرد"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    survey.write_text(buffer.getvalue(), encoding="utf-8-sig")
    report = run_study(study_dir / "study.toml")
    comments = _table(report, "comments_Q5")["comment"].tolist()
    assert "منتور من خیلی کمک کرد" in comments
    html = render_html(report)
    assert "<script" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &lt;img" in html
    assert "&lt;b&gt;Great&lt;/b&gt; programme" in html
    assert '<td dir="auto" data-label="comment">منتور من خیلی کمک کرد</td>' in html


def test_comments_can_be_left_out(study_dir):
    report = run_study(edit_study(study_dir, "show_comments = true", "show_comments = false"))
    assert "comments" not in [s.key for s in report.sections]


def test_small_groups_are_suppressed(study_dir):
    report = run_study(edit_study(study_dir, "min_cell = 10", "min_cell = 140"))
    outcomes = report.section("outcomes")
    # Table 1 of a group under min_cell would describe individuals: it is left out, said why
    assert outcomes.tables == []
    assert any("Characteristics by group are not reported: not mentored has fewer than "
               "140 students" in n for n in outcomes.notes)
    assert any("a group has fewer than 140 students" in n for n in outcomes.notes)
    records = report.section("quality").paragraphs[-1]
    assert "300 students in 2 groups" in records
    assert "The size of each group is not shown" in records
    assert "137" not in records
    assert "163" not in records
    assert not report.section("outcomes").figures


def test_analyses_can_be_switched_off(study_dir, sample_report, tmp_path):
    path = edit_study(study_dir, "factor_analysis = true", "factor_analysis = false")
    edit_study(study_dir, "propensity = true", "propensity = false")
    report = run_study(path)
    keys = [t.key for t in report.tables()]
    assert "cfa_fit" not in keys
    assert "efa" not in keys
    assert "balance" not in keys
    assert "content" in keys
    assert "adjusted" in keys
    # written over a full report, figures/ loses the figures this one no longer has
    out = tmp_path / "out"
    write_report(sample_report, out)
    (out / "figures" / "my_notes.txt").write_text("mine", encoding="utf-8")
    write_report(report, out)
    written = sorted(p.name for p in (out / "figures").iterdir())
    expected = sorted(f"{f.key}.{ext}" for f in report.figures() for ext in ("svg", "png"))
    assert written == sorted([*expected, "my_notes.txt"])
    assert "love_plot.svg" not in written
    assert "scree.png" not in written


def test_a_failed_linkage_is_named_where_the_linkage_would_be(study_dir, monkeypatch):
    # A key too short to be safe stops the linkage, not the report: the quality
    # section says why, and no linkage table or linked count is shown.
    monkeypatch.setenv("PEEREVAL_LINK_KEY", "too-short")
    report = run_study(study_dir / "study.toml")
    notes = report.section("quality").notes
    assert any(n.startswith("Linkage of survey and records: not reported. The "
                            "pseudonymisation key is 9 bytes long") for n in notes)
    assert "linkage" not in [t.key for t in report.tables()]
    flow = next(t for t in report.tables() if t.key == "flow")
    steps = flow.frame.iloc[:, 0].tolist()
    assert "linked to academic records" not in steps


def test_a_failing_analysis_becomes_a_note(study_dir, monkeypatch):
    import peereval.validity as validity

    def broken(*args, **kwargs):
        raise PeerevalError("the model did not converge", hint="try fewer factors")

    monkeypatch.setattr(validity, "cfa", broken)
    report = run_study(study_dir / "study.toml")
    notes = report.section("validity").notes
    assert notes == ["Confirmatory factor analysis: not reported. The model did not "
                     "converge."]
    keys = [t.key for t in report.tables()]
    assert "cfa_fit" not in keys
    assert "discriminant" not in keys
    assert "efa" in keys
    assert "unadjusted" in keys
    assert "not reported" in render_html(report)


def test_input_errors_stop_the_run(study_dir):
    path = edit_study(study_dir, 'codebook = "codebook.toml"', 'codebook = "nope.toml"')
    with pytest.raises(ConfigError, match="does not exist"):
        run_study(path)


def test_without_a_seed_one_is_drawn_and_reported(study_dir):
    report = run_study(edit_study(study_dir, "seed = 20240301\n", ""))
    seed = report.meta["seed"]
    assert isinstance(seed, int)
    assert f"add seed = {seed} under [study]" in report.warnings[0]
    assert f"; seed {seed}. The same inputs" in render_html(report)


def test_survey_only_study(study_dir):
    """No records, retest or panel: the report covers the questionnaire alone."""
    text = (study_dir / "study.toml").read_text(encoding="utf-8")
    for start, end in (("[retest]", "[records]"), ("[records]", "[analyses]")):
        text = text[:text.index(start)] + text[text.index(end):]
    text = text.replace('design = "two_group_baseline"', 'design = "cross_sectional"')
    (study_dir / "study.toml").write_text(text, encoding="utf-8")
    steps = []
    report = run_study(study_dir / "study.toml", progress=steps.append)
    assert steps[0] == "Reading and screening the inputs"
    assert "Confirmatory factor analysis" in steps
    assert "Linkage of survey and records" \
        not in steps
    keys = [s.key for s in report.sections]
    assert "outcomes" not in keys
    assert "perception" in keys
    tables = [t.key for t in report.tables()]
    assert "retest" not in tables
    assert "content" not in tables
    assert "linkage" not in tables
    assert report.section("design").paragraphs[0].startswith("This evaluation is a "
                                                             "single-group")


def _flow(report, key):
    return next(t for t in report.tables() if t.key == key).frame


def test_survey_flow_accounts_for_every_respondent(sample_report):
    flow = _flow(sample_report, "flow")
    steps = flow["step"].tolist()
    assert steps[0] == "exported"
    screening = flow[flow["step"].str.startswith("removed: ")]
    exported = int(flow["remaining"].iloc[0])
    analysed = int(flow.loc[flow["step"] == "analysed", "remaining"].iloc[0])
    assert exported - screening["removed"].sum() == analysed
    assert (screening["reason"] != "").all()
    # every item answered: counted independently from the survey file
    study = peereval.load_sample()
    items = study.scores.items
    complete = int(items.notna().all(axis=1).sum())
    row = flow[flow["step"] == "every item answered"].iloc[0]
    assert (row["remaining"], row["removed"]) == (complete, analysed - complete)


def test_outcome_flow_counts_students_left_out_and_why(study_dir):
    import openpyxl

    book = openpyxl.load_workbook(study_dir / "records.xlsx")
    sheet = book["records"]
    header = [c.value for c in sheet[1]]
    gpa1, age = header.index("gpa_year1") + 1, header.index("age") + 1
    for row in (2, 3, 4):        # three students without a first-year GPA
        sheet.cell(row, gpa1).value = None
    for row in (4, 5):           # two without an age (one of them also without GPA)
        sheet.cell(row, age).value = None
    book.save(study_dir / "records.xlsx")
    report = run_study(study_dir / "study.toml")
    flow = _flow(report, "outcome_flow").set_index("step")
    assert flow.loc["academic records", "analysed"] == 300
    assert flow.loc["first-year GPA: unadjusted", "left out"] == 3
    assert flow.loc["first-year GPA: unadjusted", "analysed"] == 297
    assert flow.loc["first-year GPA: adjusted", "left out"] == 1
    assert flow.loc["first-year GPA: adjusted", "analysed"] == 296
    assert flow.loc["end-of-year exam score: adjusted", "left out"] == 2
    unadjusted = _table(report, "unadjusted").set_index("outcome")
    assert unadjusted.loc["first-year GPA", "n mentored"] + \
        unadjusted.loc["first-year GPA", "n comparison"] == 297
    adjusted = _table(report, "adjusted").set_index("outcome")
    assert adjusted.loc["first-year GPA", "n"] == 296


def test_the_sample_report_shows_words_not_code(sample_report):
    # the sample's study.toml labels its outcomes and groups: no raw name, model term,
    # flag code or rule code may reach the reader
    import html as html_module
    import re

    body = render_html(sample_report).split("<body", 1)[1]
    body = re.sub(r"<style.*?</style>|<script.*?</script>|<svg.*?</svg>", "", body,
                  flags=re.S)
    text = html_module.unescape(re.sub(r"<[^>]+>", " ", body))
    for code in ["gpa_year1", "exam_score", "gpa_entry", "mentor_group", "mentored = ",
                 "treated unit", "MR1", "self_report", "logit(ps)", "sex[", "velicer rule",
                 "agreement-5", "max_points", "test_response", "duplicate_id", "speeder",
                 "hedges_g", "(s)", "h2:"]:
        assert code not in text, code
    assert not re.search(r"\b(nan|NaN|None)\b", text)
    assert not re.search(r"\b1 (students|scales|items|factors|responses)\b", text)


def test_every_platform_and_flag_has_words_for_the_reader():
    from peereval.loaders import PLATFORMS
    from peereval.quality import FLAGS
    from peereval.report._runner import _FLAG_WORDS, _PLATFORMS

    assert set(_PLATFORMS) == set(PLATFORMS)
    assert set(_FLAG_WORDS) == set(FLAGS)


def test_every_work_cited_in_the_text_is_in_the_reference_list(sample_report):
    # "Lynn 1986", "Polit & Beck 2006", "(Hu & Bentler, 1999)", "Reed et al. 2007": each
    # author and year named in a sentence, note or table is a work of the list
    import re

    from peereval.report._i18n import report_texts

    cited = set()
    for text in report_texts(sample_report):
        for match in re.finditer(r"\b([A-Z][a-z]+(?:-[A-Z][a-z]+)?)(?:'s)?(?:(?:,? (?:&|and)"
                                 r" [A-Z][a-z]+)| et al\.|, [A-Z][a-z]+)*,? \(?"
                                 r"((?:19|20)\d{2})\b", text):
            cited.add(match.groups())
    assert len(cited) > 25
    for surname, year in sorted(cited):
        assert any(f"{surname}," in ref and f"({year})" in ref
                   for ref in sample_report.references), (surname, year)
