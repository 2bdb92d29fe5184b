"""The peereval command."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys

import pytest

import peereval
from helpers import FIXTURES
from peereval.cli import main, summary


def test_summary_of_the_sample(monkeypatch):
    monkeypatch.setenv("PEEREVAL_LINK_KEY", "s" * 32)
    out = io.StringIO()
    assert summary(peereval.sample_path("study"), out=out) == 0
    text = out.getvalue()
    assert "150 respondents, 144 finished" in text
    assert "drop speeder" in text  # the terminal summary keeps the flags' names
    assert "138" in text
    assert "support (Mentor support)" in text
    reliability = text[text.index("Reliability"):]
    assert "support     131  0.85" in reliability  # alpha of the 131 complete respondents
    assert "138 of 138 analysed respondents linked" in text
    assert "40 linked; ICC(A,1) per scale: support 0.95" in text
    assert "2 revised (Q1_4, Q3_5) and 1 dropped (Q2_6)" in text
    assert "3 factors were retained" in text
    assert "CFA of the codebook's 3-factor model (n = 111): χ²(132) = 167.54" in text
    assert "mentored = yes: 163" in text
    assert "145 (89.0)" in text  # passed, mentored: n (%) as in the report's table
    effects = text[text.index("Did mentoring help?"):]
    assert ("adjusted:   Adjusted for entry GPA, sex and age, the difference in first-year "
            "GPA") in effects
    assert "matched:    ATT = " in effects
    assert "risk difference = 29.1 percentage points" in effects
    assert "one-off random key" not in text
    for sid in peereval.load_sample().records.data.index[:20]:
        assert sid not in text


def test_summary_and_report_show_the_same_numbers(monkeypatch, capsys):
    """Both render one StudyResults: every sentence of the report's results is in the
    summary, and so are the report's reliability and characteristics tables."""
    from peereval.report import run_study

    monkeypatch.setenv("PEEREVAL_LINK_KEY", "s" * 32)
    path = peereval.sample_path("study")
    assert main(["summary", str(path)]) == 0
    captured = capsys.readouterr()
    text = captured.out
    assert captured.err == ""  # no raw Python warning: each is a line of the summary
    report = run_study(path)
    sentences = [
        *report.section("perception").paragraphs,
        *report.section("outcomes").paragraphs,
        *(p.removeprefix("Factorability: ").removesuffix(".")
          for p in report.section("validity").paragraphs
          if not p.startswith("A confirmatory")),  # the CFA: below
    ]
    assert len(sentences) >= 8
    for sentence in sentences:
        # the report ends each sentence, adds the robust interval after the ANCOVA and
        # names the model before the mixed model's effect; the numbers are the same
        core = sentence.split(" With HC3 standard errors")[0].removesuffix(".")
        if core.startswith("Mixed model of "):
            core = core[core.index("b = "):]
        if core.startswith("Of "):  # matching: the report speaks of students, not units
            core = core.replace("mentored students", "treated units").replace(
                "comparison students", "comparison units")
        assert core in text, core
    cfa = next(p for p in report.section("validity").paragraphs
               if p.startswith("A confirmatory"))
    assert cfa.split(": ", 1)[1].split(". ")[0] in text
    reliability = report.section("reliability").tables[0].frame
    codes = {s.label: s.name for s in peereval.load_sample().instrument.scales}
    for row in reliability.to_dict("records"):  # the report names scales by their labels
        assert (f"{codes[row['scale']]:<10}  {row['n']}  {row['alpha']:.2f}   "
                f"[{row['CI low']:.2f}, {row['CI high']:.2f}]" in text)
    assert "Propensity-score matching: 55 of 163 treated units (34%) were not matched" in text
    assert any(w.startswith("Propensity-score matching: 55 of 163 mentored students (34%)")
               for w in report.warnings)
    assert len(report.warnings) == text.count("  warning: ")
    characteristics = report.section("outcomes").tables[0].frame
    for cell in characteristics.iloc[:, 1]:
        assert str(cell) in text


def test_summary_without_key_says_so(monkeypatch, capsys):
    monkeypatch.delenv("PEEREVAL_LINK_KEY", raising=False)
    assert main(["summary", str(peereval.sample_path("study"))]) == 0
    assert "one-off random key" in capsys.readouterr().out


def test_inspect(capsys):
    assert main(["inspect", str(FIXTURES / "qualtrics" / "choice_text.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "platform=qualtrics" in out
    assert "items Q1_1, Q1_2, Q1_3: agreement-5 (en) (from " in out
    assert "'Strongly agree' -> 5   [agreement-5 (en);" in out


def test_inspect_prints_coding_table_with_sources_and_unseen_levels(tmp_path, capsys):
    # a Qualtrics-like plain table whose frequency answers skip two interior levels
    path = tmp_path / "freq.csv"
    path.write_text("id,Q1\n1,Always\n2,Never\n3,About half the time\n4,Always\n",
                    encoding="utf-8")
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert "'About half the time' -> 3   [frequency-5/half (en); 1 answer]" in out
    assert "levels nobody chose: sometimes; most of the time" in out
    assert "warning: " in out
    assert "Qualtrics" in out  # the scale's source


def test_errors_are_one_line_messages_not_tracebacks(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert main(["inspect", str(empty)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("peereval: error: file 'empty.csv'")
    assert "Traceback" not in err
    folder = tmp_path / "s"
    shutil.copytree(peereval.datasets.sample_dir(), folder)
    (folder / "records.xlsx").unlink()
    assert main(["summary", str(folder / "study.toml")]) == 1
    assert "records.file" in capsys.readouterr().err


def test_console_script_is_installed():
    exe = shutil.which("peereval")
    assert exe, "the peereval console script is not on PATH"
    result = subprocess.run([exe, "--version"], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == f"peereval {peereval.__version__}"
    result = subprocess.run([exe, "summary", "--help"], capture_output=True, text=True,
                            check=True)
    assert "PEEREVAL_LINK_KEY" in result.stdout


def test_no_command_prints_help(capsys):
    assert main([]) == 2
    assert "summary" in capsys.readouterr().out


@pytest.mark.parametrize("module", ["peereval"])
def test_import_is_light(module):
    code = (f"import sys, {module}; heavy = [m for m in ('pandas', 'scipy', 'statsmodels', "
            "'matplotlib', 'pingouin', 'openpyxl') if m in sys.modules]; print(heavy)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


def test_report_writes_the_four_outputs(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["report", str(peereval.sample_path("study")), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert f"report    {out / 'report.html'}" in captured.out
    assert f"word      {out / 'report.docx'}" in captured.out
    assert "warning(s); see the Warnings section" in captured.out
    # progress on standard error, one line per step with the elapsed time
    steps = captured.err.splitlines()
    assert steps[0].endswith("] Reading and screening the inputs")
    assert any("] Factor retention (1000 parallel-analysis simulations)" in s for s in steps)
    assert steps[-1].endswith("] Done")
    assert (out / "tables.xlsx").is_file()
    assert (out / "figures" / "forest.svg").is_file()
    first = {name: (out / name).read_bytes() for name in ("report.html", "report.docx")}
    assert main(["report", "-q", "--jobs", "2", str(peereval.sample_path("study")),
                 "-o", str(out)]) == 0
    assert capsys.readouterr().err == ""
    # two workers, same report
    assert {name: (out / name).read_bytes() for name in first} == first


def test_report_refuses_zero_jobs(tmp_path, capsys):
    assert main(["report", "-j", "0", str(peereval.sample_path("study")),
                 "-o", str(tmp_path / "out")]) == 1
    assert "n_jobs must be a positive number of workers" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_validate(capsys, tmp_path):
    assert main(["validate", str(peereval.sample_path("study"))]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "ok       study file study.toml: valid"
    assert "ok       linkage: 138 of 138 analysed respondents found in records.student_id" in out
    assert "ok       factor analysis: 111 analysed respondents answered all 18 items" in out
    assert "error" not in out
    assert out.splitlines()[-1] == ("The study is ready: peereval report "
                                    + str(peereval.sample_path("study")))
    folder = tmp_path / "s"
    shutil.copytree(peereval.datasets.sample_dir(), folder)
    path = folder / "study.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"exam_score"', '"exam"'),
                    encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "error    [outcomes] file 'records.xlsx': the records have no column(s) ['exam']" \
        in out
    assert "How to fix: columns: " in out
    assert "The study is not ready: 1 error(s)" in out


def test_validate_lists_every_problem_at_once(capsys, tmp_path):
    """Problems of study.toml itself and of its inputs are all listed, not the first."""
    folder = tmp_path / "s"
    shutil.copytree(peereval.datasets.sample_dir(), folder)
    path = folder / "study.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("min_cell = 10", "min_cell = 0").replace(
        'ci = "bca"', 'ci = "wald"').replace("[records]", "[records]\ncolour = 1"),
        encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    for key in ("privacy.min_cell", "options.ci", "records.colour"):
        assert f"error    [{key}]" in out
    assert "The study is not ready: 3 error(s)" in out
    path.write_text(text.replace('id = "student_id"              #', "#").replace(
        '"exam_score"', '"student_id"').replace("min_cell = 10", "min_cell = 150"),
        encoding="utf-8")
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert "error    [survey.id]" in out
    assert 'set id = "student_id" under [survey]: 149 of 149 survey ids found' in out
    assert "error    [privacy.min_cell]" in out
    assert "fewer than min_cell = 150" in out


@pytest.mark.parametrize(("command", "words"), [
    ("report", ["OUTDIR", "self-contained", "example: peereval report"]),
    ("validate", ["without analysing", "example: peereval validate"]),
    ("init", ["--force", "CHECK", "example: peereval init"]),
    ("inspect", ["--encoding"]),
])
def test_help_of_each_command(command, words):
    result = subprocess.run([shutil.which("peereval"), command, "--help"], capture_output=True,
                            text=True, check=True)
    for word in words:
        assert word in result.stdout
