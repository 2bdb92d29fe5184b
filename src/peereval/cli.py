"""The ``peereval`` command: a thin shell over :mod:`peereval.study`.

``peereval report study.toml -o OUTDIR``
    Run the whole study; write ``report.html``, ``report.docx``, ``tables.xlsx`` and
    ``figures/``.
``peereval validate study.toml``
    A dry run: read and count the inputs, list every problem at once (no analysis).
``peereval init FILE...``
    Write a starter ``study.toml`` (and codebook stub) for a study's files.
``peereval summary study.toml``
    Read, screen, score and link a study and print what was found.
``peereval inspect FILE``
    Show which platform wrote an export, its items and how their labels are coded.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from peereval import __version__
from peereval.errors import PeerevalError, PeerevalWarning


def _table(rows: list[list[str]], indent: str = "  ") -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(indent + "  ".join(cell.ljust(w) for cell, w in zip(r, widths,
                                                                          strict=True)).rstrip()
                     for r in rows)


def _fmt(value: float, digits: int = 2) -> str:
    return "-" if value != value else f"{value:.{digits}f}"


def summary(path: Path, out: TextIO | None = None) -> int:
    """Print the summary of a study (see module docstring).

    The summary renders the same :class:`~peereval.study.StudyResults` as the report
    (``Study.analyse()``), so its numbers are the report's; it prints text, not
    figures, and every warning as a line of its own.
    """
    out = out or sys.stdout
    from peereval.study import read_study

    study = read_study(path)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        results = study.analyse()
    write = lambda text="": print(text, file=out)  # noqa: E731
    write(f"peereval {__version__} - {study.title}")
    write(f"study file: {study.path}")
    write()
    _summary_survey(results, write)
    _summary_reliability(results, write)
    _summary_validity(results, write)
    _summary_outcomes(results, write)
    notes = [*results.warnings,
             *(f"{w.category.__name__}: {w.message}" for w in caught
               if not issubclass(w.category, PeerevalWarning))]
    if notes:
        write()
        write(f"Warnings ({len(notes)})")
        for note in notes:
            write(f"  warning: {note}")
    return 0


def _not_run(result: Any) -> str | None:
    """Why ``result`` is missing (``"not reported: ..."``), or None when it ran."""
    from peereval.study import NotRun

    if isinstance(result, NotRun):
        return f"not reported: {result.reason}" if result.asked else f"not run: {result.reason}"
    return None


def _summary_survey(results: Any, write: Any) -> None:
    data = results.data
    responses = data.responses
    kinds = ", ".join(f"{len(responses.items_of_kind(k))} {k}"
                      for k in ("likert", "choice", "multi", "text", "number", "date")
                      if responses.items_of_kind(k))
    finished = ""
    if "finished" in responses.meta:
        finished = f", {int(responses.meta['finished'].fillna(False).sum())} finished"
    write(f"Survey  {responses.source.name} ({responses.platform}): {len(responses)} "
          f"respondents{finished}; items: {kinds}")
    for note in responses.notes:
        write(f"  note: {note}")
    write()
    write("Screening (flags are counted; only those listed in study.toml are dropped)")
    rows = [["flag", "n", "rule"]]
    for r in data.screening.to_frame().itertuples():
        rows.append([r.flag, str(r.n) if r.checked else "-", r.rule])
    write(_table(rows))
    write()
    write("Respondent flow")
    write(_table([[str(r.step), f"-{r.removed}" if r.removed else "", f"{r.remaining}"]
                  for r in data.flow.itertuples()]))
    write()
    write(f"Scales of {data.instrument.name} (range {data.instrument.ranges_text()}, "
          f"{data.instrument.scoring} of items)")
    rows = [["scale", "items", "reversed", "n", "M", "SD"]]
    for r in data.scores.summary().itertuples():
        rows.append([f"{r.scale} ({r.label})", str(r.n_items), r.reversed or "-",
                     str(r.n_scored), _fmt(r.mean), _fmt(r.sd)])
    write(_table(rows))
    if len(data.scores.unscored):
        write(f"  {len(data.scores.unscored)} scale score(s) not computed: too few items "
              "answered")
    perception = results.perception
    write()
    write("Perceptions" + (f" (by {results.perception_by})" if results.perception_by else ""))
    write(f"  {_not_run(perception) or perception.apa()}")


def _summary_reliability(results: Any, write: Any) -> None:
    from peereval.study._analyse import ci_words

    write()
    options = results.study.options
    write(f"Reliability (listwise; alpha with {ci_words(options)}, one-factor omega total)")
    for scale, reason in results.reliability_skipped.items():
        write(f"  {scale}: not reported: {reason}")
    reliability = results.reliability
    if _not_run(reliability):
        write(f"  {_not_run(reliability)}")
    else:
        rows = [["scale", "n", "alpha", "CI", "omega", "weak items"]]
        for r in reliability.to_frame().itertuples():
            rows.append([r.scale, str(r.n), _fmt(r.alpha), f"[{_fmt(r.alpha_ci_low)}, "
                         f"{_fmt(r.alpha_ci_high)}]", _fmt(r.omega_total),
                         r.flagged_items or "-"])
        write(_table(rows))
    retest = results.retest
    if results.data.retest is not None:
        if _not_run(retest):
            write(f"\nRetest  {_not_run(retest)}")
        else:
            write(f"\nRetest  {results.data.retest.source.name}: {len(results.data.retest)} "
                  f"respondents, {retest.matched} linked; ICC(A,1) per scale: " + ", ".join(
                      f"{r.measure} {_fmt(r.icc)}" for r in retest.to_frame().itertuples()))


def _summary_validity(results: Any, write: Any) -> None:
    write()
    write("Validity")
    content = results.content
    if results.study.expert_panel is not None:
        write("  content: " + (_not_run(content) or content.apa()))
    factorability = results.factorability
    write("  factorability: " + (_not_run(factorability) or factorability.apa()))
    retention = results.retention
    write("  structure: " + (_not_run(retention) or retention.apa()))
    exploratory = results.efa
    write("  EFA: " + (_not_run(exploratory) or exploratory.apa()))
    fit = results.cfa
    if _not_run(fit):
        write(f"  CFA: {_not_run(fit)}")
    else:
        write(f"  CFA of the codebook's {len(fit.factors)}-factor model "
              f"(n = {fit.n}): " + fit.apa())
    discriminant = results.discriminant
    write("  convergent and discriminant validity: "
          + (_not_run(discriminant) or discriminant.apa()))


def _summary_outcomes(results: Any, write: Any) -> None:
    """Linkage, the groups' characteristics, and the effects: unadjusted, adjusted,
    matched and clustered, each as the report states it."""
    from peereval._format import fmt_count
    from peereval.study import OutcomePlan

    data, study = results.data, results.study
    if data.records is None:
        return
    records = data.records
    write()
    write(f"Records {records.source.name}: {len(records)} students; "
          + ", ".join(f"{records.group} = {k}: {fmt_count(v, study.min_cell)}"
                      for k, v in records.groups().items()))
    if not os.environ.get(study.key_env):
        write(f"  note: {study.key_env} is not set; a one-off random key was used, so "
              "pseudonyms differ from run to run")
    linked = results.linked
    if _not_run(linked):
        write(f"Linkage {_not_run(linked)}")
    else:
        rep = linked.report
        write(f"Linkage {rep.matched} of {rep.n_responses} analysed respondents linked; "
              f"{rep.responses_not_in_records} not in the records, "
              f"{rep.responses_without_id} without an id; {rep.records_not_in_survey} "
              "students did not answer")
    plan = results.plan
    if not isinstance(plan, OutcomePlan):
        return
    described = results.characteristics
    write()
    write(f"Characteristics by {plan.group} (counts from 1 to {study.min_cell - 1} are "
          f"shown as <{study.min_cell})")
    if _not_run(described):
        write(f"  {_not_run(described)}")
    else:
        table = described.table().astype(str)
        write(_table([[str(c) for c in table.columns], *table.to_numpy().tolist()]))
    comparisons = results.comparisons
    write()
    if _not_run(comparisons):
        write(f"Did mentoring help? {_not_run(comparisons)}")
        return
    write("Did mentoring help? (" + comparisons.apa() + ")")
    for outcome, result in zip(plan.outcomes, comparisons.results, strict=True):
        write(f"  {outcome}:")
        write("    unadjusted: " + result.apa())
        for label, found in (("adjusted:  ", results.adjusted),
                             ("matched:   ", results.matched_effects),
                             ("clustered: ", results.mixed)):
            if outcome in found:
                write(f"    {label} " + (_not_run(found[outcome]) or found[outcome].apa()))
    matched = results.matched
    if _not_run(matched) and plan.covariates:
        write(f"  propensity-score matching: {_not_run(matched)}")
    elif not _not_run(matched):
        write("  matching: " + matched.apa())
    power = results.power
    write("  power: " + (_not_run(power) or power.apa()))


def report(path: Path, out_dir: Path, quiet: bool = False, out: TextIO | None = None,
           jobs: int | None = None, pdf: bool = False, language: str | None = None) -> int:
    """Run a study and write its report (see module docstring).

    ``jobs`` workers share the resampling (bootstrap, simulations, permutations); the
    report is the same whatever their number.
    """
    out = out or sys.stdout
    import joblib

    from peereval._parallel import check_n_jobs
    from peereval.report import run_study, write_report

    start = time.perf_counter()

    def progress(step: str) -> None:
        if not quiet:
            print(f"[{time.perf_counter() - start:6.1f} s] {step}", file=sys.stderr,
                  flush=True)

    with joblib.parallel_config(n_jobs=check_n_jobs(jobs)):
        result = run_study(path, progress=progress, language=language)
    progress("Writing the report (HTML and Word), workbook and figures")
    written = write_report(result, out_dir)
    print(f"report    {written['html']}", file=out)
    print(f"word      {written['docx']}", file=out)
    if pdf:
        from peereval.report._pdf import write_pdf

        progress("Printing the PDF (headless Chromium)")
        print(f"pdf       {write_pdf(written['html'], Path(out_dir) / 'report.pdf')}",
              file=out)
    print(f"workbook  {written['workbook']} ({len(result.tables())} tables)", file=out)
    print(f"figures   {written['figures']}{os.sep} ({len(result.figures())} figures, SVG "
          "and PNG)", file=out)
    if result.warnings:
        print(f"{len(result.warnings)} warning(s); see the Warnings section of the "
              "report", file=out)
    progress("Done")
    return 0


def validate(path: Path, out: TextIO | None = None) -> int:
    """Dry-run a study: print what was found and every problem; 1 on any error."""
    out = out or sys.stdout
    from peereval.study import validate_study

    result = validate_study(path)
    print(result.text(), file=out)
    return 0 if result.ready else 1


def init(files: list[Path], out_path: Path | None, title: str | None, seed: int | None,
         force: bool, out: TextIO | None = None, definition: Path | None = None) -> int:
    """Write a starter study.toml for the files given."""
    out = out or sys.stdout
    from peereval.report import starter_study

    starter = starter_study(files, out=out_path, overwrite=force, title=title, seed=seed,
                            definition=definition)
    print(starter, file=out)
    return 0


def inspect(path: Path, platform: str, sheet: str | None, encoding: str | None,
            out: TextIO | None = None, definition: Path | None = None) -> int:
    """Print platform, items and label coding of an export."""
    out = out or sys.stdout
    from peereval.loaders import read_export

    responses = read_export(path, platform=platform, sheet=sheet, encoding=encoding,
                            definition=definition)
    print(repr(responses), file=out)
    for note in responses.notes:
        print(f"note: {note}", file=out)
    print(file=out)
    table = responses.item_table()
    rows = [["code", "kind", "answered", "text"]]
    for r in table.itertuples():
        text = r.text if len(r.text) <= 70 else r.text[:67] + "..."
        rows.append([r.code, r.kind, str(r.n_answered), text])
    print(_table(rows, indent=""), file=out)
    if responses.likert_items:
        print("\nCoding table of the Likert items (answer -> number, rule, source):",
              file=out)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", PeerevalWarning)
            try:
                codes = responses.coding_table()
            except PeerevalError as exc:
                print(f"  could not code the labels: {exc}", file=out)
                codes = None
        if codes is not None:
            _print_coding(codes, out)
        for warning in caught:
            if issubclass(warning.category, PeerevalWarning):
                print(f"warning: {warning.message}", file=out)
    print("\nMetadata columns: " + ", ".join(map(str, responses.meta.columns)), file=out)
    return 0


def _print_coding(codes: Any, out: TextIO) -> None:
    """The coding table, items that share one coding printed together."""
    keys = ["answer", "label", "value", "rule", "source", "unseen_levels"]
    shared: dict[tuple[Any, ...], list[str]] = {}
    for item, rows in codes.groupby("item", sort=False):
        signature = tuple(tuple(r) for r in rows[keys].astype("string").fillna("")
                          .itertuples(index=False))
        shared.setdefault(signature, []).append(str(item))
    for items in shared.values():
        rows = codes[codes["item"] == items[0]].sort_values("value", na_position="last",
                                                              kind="stable")
        first = rows.iloc[0]
        print(f"  items {', '.join(items)}: {first['rule']} (from {first['source']})",
              file=out)
        for row in rows.itertuples():
            number = "missing" if row.value != row.value else f"{row.value:g}"
            label = f" ({row.label})" if row.label and row.label != row.answer else ""
            answers = int(codes.loc[(codes["item"].isin(items))
                                    & (codes["answer"] == row.answer), "count"].sum())
            noun = "answer" if answers == 1 else "answers"
            print(f"    {row.answer!r}{label} -> {number}   [{row.rule}; {answers} {noun}]",
                  file=out)
        if first["unseen_levels"]:
            print(f"    levels nobody chose: {first['unseen_levels']}", file=out)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="peereval",
        description="Evaluate peer-mentoring programmes: questionnaire validity and "
        "reliability, and academic outcomes of mentored and non-mentored students.",
    )
    parser.add_argument("--version", action="version", version=f"peereval {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser(
        "report", help="run a study and write the HTML and Word reports, workbook and "
        "figures",
        description="Read, screen and analyse everything a study.toml names and write "
        "OUTDIR/report.html (self-contained: open it in any browser or attach it to an "
        "e-mail), OUTDIR/report.docx (the same report in Word, with real tables), "
        "OUTDIR/tables.xlsx (one sheet per table) and OUTDIR/figures/ (SVG and "
        "300-dpi PNG). The same inputs and seed give the same files. Progress goes to "
        "standard error.",
        epilog="example: peereval report data/sample/study.toml -o report")
    p.add_argument("study", type=Path, help="path of study.toml")
    p.add_argument("-o", "--out", type=Path, default=Path("report"), metavar="OUTDIR",
                   help="folder to write to (created if needed; default: ./report)")
    p.add_argument("-q", "--quiet", action="store_true", help="do not show progress")
    p.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                   help="worker processes for bootstrap and simulations (-1: every core; "
                   "default: one); the report does not depend on it")
    p.add_argument("--pdf", action="store_true",
                   help="also print OUTDIR/report.pdf (A4) with headless Chromium")
    p.add_argument("--language", choices=("en", "fa"), default=None,
                   help="language of the report: en (English) or fa (Persian, right to "
                   "left); default: [study] language of study.toml, else English")
    p = sub.add_parser(
        "validate", help="dry-run a study: read and count its inputs without analysing",
        description="A dry run of the study, without analysing: check study.toml (every "
        "key, type and path), read the survey, codebook, retest, records and expert panel "
        "as peereval report would, and count: respondents linked to the records, answers "
        "outside the response range, outcomes or covariates that look like ids or do not "
        "vary, groups below min_cell, respondents for the factor analyses, scales of "
        "fewer than three items, items in two scales, analyses asked for without their "
        "inputs. Every problem is listed at once with its key, file and fix; the exit "
        "status is 1 when any is an error. 'ready' means the report would hold every "
        "analysis [analyses] asks for.",
        epilog="example: peereval validate data/sample/study.toml")
    p.add_argument("study", type=Path, help="path of study.toml")
    p = sub.add_parser(
        "init", help="write a starter study.toml for a study's files",
        description="Recognise each file by its content (survey export, retest, "
        "academic records, expert-panel ratings, codebook, REDCap dictionary) and write "
        "a commented study.toml, plus a codebook stub when none is given. Review the "
        "lines marked CHECK, then run peereval validate. Existing files are never "
        "overwritten unless --force is given.",
        epilog="example: peereval init survey.csv records.xlsx panel.xlsx -o mystudy")
    p.add_argument("files", type=Path, nargs="+", help="the study's files, in any order")
    p.add_argument("-o", "--out", type=Path, help="folder or .toml file to write "
                   "(default: the survey export's folder)")
    p.add_argument("--title", help="title of the study")
    p.add_argument("--seed", type=int, help="seed of every random step")
    p.add_argument("--force", action="store_true", help="overwrite an existing study.toml")
    p.add_argument("--definition", type=Path, metavar="FILE", help="the survey's definition "
                   "file (Qualtrics .qsf, LimeSurvey .lss, XLSForm .xlsx, REDCap data "
                   "dictionary): decodes answer codes and tells question types and matrices")
    p = sub.add_parser("summary", help="read, screen, score and link a study; print a summary",
                       description="Read the survey, codebook and records named in a "
                       "study.toml, screen and score the survey, link it to the records "
                       "through keyed pseudonyms and print what was found. Set the "
                       "environment variable named in [privacy] key_env (default "
                       "PEEREVAL_LINK_KEY) to make pseudonyms stable across runs.")
    p.add_argument("study", type=Path, help="path of study.toml")
    p = sub.add_parser("inspect", help="show the platform, items and labels of an export",
                       description="Read a survey export and show which platform wrote it, "
                       "its items, their kinds and how their answer labels are coded.")
    p.add_argument("file", type=Path, help="the exported file (CSV, TSV, XLSX, SAV)")
    p.add_argument("--platform", default="auto", help="force a platform layout")
    p.add_argument("--sheet", help="sheet of a workbook to read")
    p.add_argument("--encoding", help="text encoding, e.g. cp1256")
    p.add_argument("--definition", type=Path, metavar="FILE", help="the survey's definition "
                   "file (.qsf, .lss, XLSForm .xlsx, REDCap data dictionary)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        if args.command == "report":
            return report(args.study, args.out, args.quiet, jobs=args.jobs, pdf=args.pdf,
                          language=args.language)
        if args.command == "validate":
            return validate(args.study)
        if args.command == "init":
            return init(args.files, args.out, args.title, args.seed, args.force,
                        definition=args.definition)
        if args.command == "summary":
            return summary(args.study)
        if args.command == "inspect":
            return inspect(args.file, args.platform, args.sheet, args.encoding,
                           definition=args.definition)
    except PeerevalError as exc:
        print(f"peereval: error: {exc}", file=sys.stderr)
        return 1
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
