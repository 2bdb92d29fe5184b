"""Generate the bundled sample study (synthetic, seeded, reproducible).

Run ``python data/sample/make_sample.py`` to rewrite every file of this folder. The
numbers planted here are documented in README.md; tests check the files against them.

The story: a medical school offers first-year students near-peer mentoring by 12
senior students (in person or over a messaging app). Stronger students sign up more
often. At the end of the year mentees answer an 18-item perception questionnaire
(3 scales) exported from Qualtrics; 40 of them answer it again two weeks later; the
registrar supplies academic records of the whole year; 10 experts rated the items'
relevance and essentiality before the survey went out.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
OUT = HERE  # where the files are written; main(out_dir) changes it
SEED = 20240301

N_STUDENTS = 300
N_MENTORS = 12
MENTORING_EFFECT_GPA = 0.15  # grade points on the 0-4 scale
MENTORING_EFFECT_EXAM = 4.0  # points on the 0-100 exam
PASS_MARK = 55.0
SELECTION_INTERCEPT, SELECTION_SLOPE = 0.2, 1.1  # logit(P(join)) = a + b * z(entry GPA)
GROUP_SD = 0.10  # SD of mentor-group random effects on year-1 GPA
RESPONSE_RATE = 0.9

SCALES = {
    "support": ("Mentor support", "Q1", [
        "My mentor was available when I needed help",
        "My mentor listened to my concerns",
        "My mentor gave me useful advice about my studies",
        "My mentor encouraged me when I struggled",
        "My mentor understood the challenges of first year",
        "My mentor was often hard to reach",  # reverse-keyed
    ]),
    "adjustment": ("Academic adjustment", "Q2", [
        "The programme helped me organise my study time",
        "The programme helped me understand how exams work",
        "The programme helped me manage the workload",
        "I feel more confident about my coursework",
        "My study skills improved",
        "I still felt lost about how to study for exams",  # reverse-keyed
    ]),
    "belonging": ("Wellbeing and belonging", "Q3", [
        "I felt less stressed because of the programme",
        "I felt part of the student community",
        "I had someone to turn to when things went wrong",
        "The transition to medical school felt easier",
        "The programme kept me motivated",
        "I felt isolated during my first year",  # reverse-keyed
    ]),
}
REVERSED = {"Q1_6", "Q2_6", "Q3_6"}
QUESTIONS = {
    "Q1": "How much do you agree with the following statements about your mentor?",
    "Q2": "How much do you agree with the following statements about the programme "
    "and your studies?",
    "Q3": "How much do you agree with the following statements about your first year?",
}
LABELS = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
          "Strongly agree"]
THRESHOLDS = np.array([-1.7, -0.9, -0.15, 0.95])
LOADINGS = np.array([0.78, 0.74, 0.70, 0.72, 0.66, 0.58,
                     0.72, 0.70, 0.68, 0.64, 0.66, 0.55,
                     0.75, 0.70, 0.72, 0.66, 0.62, 0.57])
FACTOR_CORRELATION = np.array([[1.0, 0.45, 0.50], [0.45, 1.0, 0.40], [0.50, 0.40, 1.0]])
RETEST_N, RETEST_NOISE = 40, 0.45
COMMENTS = [
    "Very helpful, especially before the anatomy exam.",
    "More sessions please",
    "جلسات خیلی مفید بود ولی کاش زودتر شروع می‌شد",
    "My mentor was great but the group chat was too busy.",
    "<b>Great</b> programme, thanks!",
    "+ more practical tips next year",
    "Sessions clashed with labs sometimes, e.g. Tuesdays",
    "ممنون از منتور عزیزم",
    'Would recommend; the "exam tips" session was the best',
    "Not much contact after the first month.",
]


# ---------------------------------------------------------------- records


def make_records(rng: np.random.Generator) -> dict[str, np.ndarray]:
    n = N_STUDENTS
    ids = rng.choice(np.arange(23_100_000, 23_199_999), size=n, replace=False)
    sex = np.where(rng.random(n) < 0.58, "F", "M")
    age = rng.choice([18, 19, 20, 21], size=n, p=[0.45, 0.35, 0.15, 0.05])
    gpa_entry = np.clip(rng.normal(3.0, 0.45, n), 1.6, 4.0).round(2)
    z = (gpa_entry - gpa_entry.mean()) / gpa_entry.std()
    p_join = 1 / (1 + np.exp(-(SELECTION_INTERCEPT + SELECTION_SLOPE * z)))
    mentored = rng.random(n) < p_join
    group_effect = rng.normal(0, GROUP_SD, N_MENTORS)
    group = np.full(n, -1)
    group[mentored] = rng.integers(0, N_MENTORS, mentored.sum())
    u = np.where(mentored, group_effect[np.maximum(group, 0)], 0.0)
    gpa_year1 = np.clip(0.40 + 0.85 * gpa_entry + MENTORING_EFFECT_GPA * mentored + u
                        + rng.normal(0, 0.28, n), 0, 4).round(2)
    exam = np.clip(62 + 9 * z + MENTORING_EFFECT_EXAM * mentored + 8 * u
                   + rng.normal(0, 8, n), 0, 100).round(1)
    sessions = np.where(mentored, np.minimum(rng.poisson(8, n), 12), 0)
    return {
        "student_id": ids.astype(str),
        "sex": sex,
        "age": age,
        "gpa_entry": gpa_entry,
        "mentored": np.where(mentored, "yes", "no"),
        "mentor_group": np.array([f"M{g + 1:02d}" if g >= 0 else "" for g in group]),
        "sessions_attended": sessions,
        "gpa_year1": gpa_year1,
        "exam_score": exam,
        "passed": (exam >= PASS_MARK).astype(int),
    }


def write_records(records: dict[str, np.ndarray]) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "records"
    columns = list(records)
    ws.append(columns)
    for i in range(N_STUDENTS):
        row = []
        for c in columns:
            value = records[c][i]
            value = value.item() if hasattr(value, "item") else value
            row.append(value if value != "" else None)
        ws.append(row)
    wb.save(OUT / "records.xlsx")


# ------------------------------------------------------------------ survey


def latent_answers(rng: np.random.Generator, n: int, shift: np.ndarray) -> np.ndarray:
    """Continuous item responses of an ordinal 3-factor model (before thresholds)."""
    chol = np.linalg.cholesky(FACTOR_CORRELATION)
    factors = rng.standard_normal((n, 3)) @ chol.T
    factors[:, 0] += shift
    loadings = np.zeros((18, 3))
    for k in range(3):
        loadings[6 * k: 6 * k + 6, k] = LOADINGS[6 * k: 6 * k + 6]
    unique = np.sqrt(1 - LOADINGS**2)
    y = factors @ loadings.T + rng.standard_normal((n, 18)) * unique
    for j in (5, 11, 17):
        y[:, j] = -y[:, j]
    return y


def categorise(y: np.ndarray) -> np.ndarray:
    return (np.searchsorted(THRESHOLDS, y) + 1).astype(float)


def item_codes() -> list[str]:
    return [f"{prefix}_{j + 1}" for _, prefix, texts in SCALES.values()
            for j in range(len(texts))]


def qualtrics_header() -> list[list[str]]:
    tz = "Asia/Tehran"
    meta = [
        ("StartDate", "Start Date", {"ImportId": "startDate", "timeZone": tz}),
        ("EndDate", "End Date", {"ImportId": "endDate", "timeZone": tz}),
        ("Status", "Response Type", {"ImportId": "status"}),
        ("IPAddress", "IP Address", {"ImportId": "ipAddress"}),
        ("Progress", "Progress", {"ImportId": "progress"}),
        ("Duration (in seconds)", "Duration (in seconds)", {"ImportId": "duration"}),
        ("Finished", "Finished", {"ImportId": "finished"}),
        ("RecordedDate", "Recorded Date", {"ImportId": "recordedDate", "timeZone": tz}),
        ("ResponseId", "Response ID", {"ImportId": "_recordId"}),
        ("DistributionChannel", "Distribution Channel", {"ImportId": "distributionChannel"}),
        ("UserLanguage", "User Language", {"ImportId": "userLanguage"}),
    ]
    cols = list(meta)
    for _, prefix, texts in SCALES.values():
        q = int(prefix[1:])
        for j, text in enumerate(texts, start=1):
            cols.append((f"{prefix}_{j}", f"{QUESTIONS[prefix]} - {text}",
                         {"ImportId": f"QID{q}_{j}"}))
    cols.append(("Q4", "How did you mostly meet your mentor?", {"ImportId": "QID4"}))
    cols.append(("Q5", "Any other comments about the mentoring programme?",
                 {"ImportId": "QID5_TEXT"}))
    cols.append(("student_id", "student_id", {"ImportId": "student_id"}))
    return [[c[0] for c in cols], [c[1] for c in cols],
            [json.dumps(c[2], separators=(",", ":")) for c in cols]]


def response_id(rng: np.random.Generator) -> str:
    alphabet = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"))
    return "R_" + "".join(rng.choice(alphabet, 15))


def survey_rows(rng: np.random.Generator, respondents: list[dict]) -> list[list[str]]:
    rows = []
    for r in respondents:
        start = np.datetime64("2024-06-01T08:00:00") + np.timedelta64(int(r["offset"]), "s")
        end = start + np.timedelta64(int(r["duration"]), "s")
        fmt = lambda t: str(t).replace("T", " ")  # noqa: E731
        answers = ["" if np.isnan(v) else LABELS[int(v) - 1] for v in r["answers"]]
        rows.append([fmt(start), fmt(end), r.get("status", "IP Address"), "",
                     str(r["progress"]), str(int(r["duration"])),
                     "True" if r["finished"] else "False", fmt(end), r["response_id"],
                     "anonymous", "EN", *answers, r.get("mode", ""), r.get("comment", ""),
                     r["student_id"]])
    return rows


def write_qualtrics(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(qualtrics_header() + rows)
    path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))


def make_survey(rng: np.random.Generator, records: dict[str, np.ndarray]) -> dict:
    mentee = np.flatnonzero(records["mentored"] == "yes")
    responding = mentee[rng.random(mentee.size) < RESPONSE_RATE]
    sessions = records["sessions_attended"][responding].astype(float)
    shift = 0.3 * (sessions - sessions.mean()) / sessions.std()
    y = latent_answers(rng, responding.size, shift)
    answers = categorise(y)
    answers[rng.random(answers.shape) < 0.012] = np.nan  # item non-response
    respondents = []
    for k, idx in enumerate(responding):
        respondents.append({
            "student_id": records["student_id"][idx],
            "answers": answers[k].copy(),
            "offset": int(rng.integers(0, 14 * 86400)),
            "duration": float(np.clip(rng.lognormal(np.log(420), 0.35), 150, 2400)),
            "finished": True,
            "progress": 100,
            "response_id": response_id(rng),
            "mode": rng.choice(["In person", "Messaging app", "Both"], p=[0.35, 0.4, 0.25]),
            "comment": COMMENTS[k % len(COMMENTS)] if rng.random() < 0.3 else "",
        })
    incomplete = rng.choice(len(respondents), 6, replace=False)
    for k in incomplete:  # stopped after the first page
        respondents[k]["answers"][6:] = np.nan
        respondents[k].update(finished=False, progress=40, mode="", comment="")
    candidates = [k for k in range(len(respondents)) if k not in set(incomplete)]
    speeders = rng.choice(candidates, 3, replace=False)
    for k in speeders:  # clicked "Agree" throughout in under a minute
        respondents[k]["answers"][:] = 4.0
        respondents[k]["duration"] = float(rng.integers(38, 55))
    repeaters = rng.choice([k for k in candidates if k not in set(speeders)], 2, replace=False)
    for k in repeaters:  # submitted twice: the second attempt changes a few answers
        copy = dict(respondents[k])
        changed = copy["answers"].copy()
        flip = rng.choice(18, 3, replace=False)
        changed[flip] = np.clip(changed[flip] + rng.choice([-1, 1], 3), 1, 5)
        copy.update(answers=changed, offset=copy["offset"] + 3 * 86400,
                    response_id=response_id(rng), comment="")
        respondents.append(copy)
    respondents.append({  # the survey owner's preview
        "student_id": "", "answers": np.full(18, 3.0), "offset": -86400, "duration": 95.0,
        "finished": True, "progress": 100, "response_id": response_id(rng),
        "status": "Survey Preview", "mode": "Both", "comment": "test - please ignore",
    })
    respondents.sort(key=lambda r: r["offset"])
    write_qualtrics(OUT / "survey.csv", survey_rows(rng, respondents))

    # retest: 40 finished, unflagged respondents answer again two weeks later
    eligible = [k for k in candidates if k not in set(speeders) | set(repeaters)]
    chosen = rng.choice(eligible, RETEST_N, replace=False)
    retest = []
    for k in chosen:
        first = respondents_by_student(respondents, responding, records, k)
        y2 = y[k] + rng.normal(0, RETEST_NOISE, 18)
        retest.append({
            "student_id": first["student_id"], "answers": categorise(y2),
            "offset": first["offset"] + 14 * 86400,
            "duration": float(np.clip(rng.lognormal(np.log(380), 0.3), 150, 2000)),
            "finished": True, "progress": 100, "response_id": response_id(rng),
            "mode": first["mode"], "comment": "",
        })
    retest.sort(key=lambda r: r["offset"])
    write_qualtrics(OUT / "survey_retest.csv", survey_rows(rng, retest))
    return {
        "n_invited": int(mentee.size),
        "n_responding": int(responding.size),
        "incomplete": len(incomplete),
        "speeders": len(speeders),
        "repeaters": len(repeaters),
    }


def respondents_by_student(respondents: list[dict], responding: np.ndarray,
                           records: dict[str, np.ndarray], k: int) -> dict:
    sid = records["student_id"][responding[k]]
    return next(r for r in respondents if r["student_id"] == sid)


# ------------------------------------------------------------ expert panel

N_EXPERTS = 10
# item -> (experts rating relevance 3-4, experts rating "essential")
PANEL_PLAN = {code: (10, 10) for code in item_codes()}
PANEL_PLAN.update({
    "Q1_1": (10, 10), "Q1_2": (10, 9), "Q1_3": (9, 9), "Q1_4": (9, 7),
    "Q1_5": (10, 9), "Q1_6": (9, 9),
    "Q2_1": (10, 10), "Q2_2": (9, 9), "Q2_3": (10, 9), "Q2_4": (8, 9),
    "Q2_5": (10, 10), "Q2_6": (6, 5),
    "Q3_1": (10, 9), "Q3_2": (10, 10), "Q3_3": (9, 10), "Q3_4": (9, 9),
    "Q3_5": (7, 8), "Q3_6": (9, 9),
})
ESSENTIALITY = ["Essential", "Useful but not essential", "Not necessary"]


def make_panel(rng: np.random.Generator) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    relevance = wb.active
    relevance.title = "relevance"
    essential = wb.create_sheet("essentiality")
    experts = [f"expert_{e + 1:02d}" for e in range(N_EXPERTS)]
    relevance.append(["item", "wording", *experts])
    essential.append(["item", "wording", *experts])
    texts = {f"{p}_{j + 1}": t for _, p, ts in SCALES.values() for j, t in enumerate(ts)}
    for code, (n_relevant, n_essential) in PANEL_PLAN.items():
        rel = np.concatenate([rng.choice([3, 4], n_relevant, p=[0.35, 0.65]),
                              rng.choice([1, 2], N_EXPERTS - n_relevant, p=[0.3, 0.7])])
        ess = np.concatenate([np.zeros(n_essential, int),
                              rng.choice([1, 2], N_EXPERTS - n_essential, p=[0.7, 0.3])])
        rng.shuffle(rel)
        rng.shuffle(ess)
        relevance.append([code, texts[code], *map(int, rel)])
        essential.append([code, texts[code], *(ESSENTIALITY[v] for v in ess)])
    wb.save(OUT / "expert_panel.xlsx")


# ------------------------------------------------------------- text files


def write_codebook() -> None:
    lines = [
        '# Codebook of the Peer Mentoring Perception Questionnaire (sample study).',
        'name = "Peer Mentoring Perception Questionnaire (PMPQ)"',
        "response_range = [1, 5]",
        'scoring = "mean"',
        "min_answered = 0.8",
        "",
    ]
    for name, (label, prefix, texts) in SCALES.items():
        codes = [f"{prefix}_{j + 1}" for j in range(len(texts))]
        lines += [f"[scales.{name}]", f'label = "{label}"',
                  "items = [" + ", ".join(f'"{c}"' for c in codes) + "]",
                  "reverse = [" + ", ".join(f'"{c}"' for c in codes if c in REVERSED) + "]",
                  ""]
    lines.append("[items]")
    for _, prefix, texts in SCALES.values():
        for j, text in enumerate(texts, start=1):
            lines.append(f'{prefix}_{j} = "{text}"')
    (OUT / "codebook.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main(out_dir: Path | None = None) -> None:
    """Write every sample file into ``out_dir`` (default: this folder)."""
    global OUT
    OUT = Path(out_dir) if out_dir is not None else HERE
    rng = np.random.default_rng(SEED)
    records = make_records(rng)
    write_records(records)
    facts = make_survey(rng, records)
    make_panel(rng)
    write_codebook()
    mentored = records["mentored"] == "yes"
    print(f"records: {N_STUDENTS} students, {mentored.sum()} mentored")
    print(f"survey: {facts}")
    print("entry GPA mentored vs not: "
          f"{records['gpa_entry'][mentored].mean():.3f} vs "
          f"{records['gpa_entry'][~mentored].mean():.3f}")
    print("year-1 GPA mentored vs not: "
          f"{records['gpa_year1'][mentored].mean():.3f} vs "
          f"{records['gpa_year1'][~mentored].mean():.3f}")


if __name__ == "__main__":
    main()
