"""Exports whose columns are named by the whole question text, written as the
platforms write them, for the short-name and label tests.

* Google Forms > Responses > Download responses (.csv): one header row,
  ``Timestamp``, ``Email Address``, then one column per question headed by its title;
  a grid question gives one column per row, headed ``Question [Row]`` (the layout of
  ``tests/fixtures/google_forms/``), timestamps ``2024/03/16 9:19:47 AM GMT+3:30``.
* A Persian questionnaire typed or exported in Iran (the layout of
  ``tests/fixtures/generic/iranian.xlsx``): one sheet, Persian headers (student
  number, respondent code, Jalali date in Persian digits), each item headed by its
  Persian sentence, Persian answer labels.

The answers come from two correlated factors so that a two-factor CFA can be fitted;
the generator does not use peereval.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

GF_QUESTIONS = (
    "How much do you agree with the following statements about your mentor?",
    "How much do you agree with the following statements about the programme?",
)
GF_ROWS = (
    ("My mentor was available when I needed help", "My mentor listened to my concerns",
     "My mentor gave me useful advice", "My mentor was hard to reach"),
    ("The programme helped me adjust to medical school",
     "I felt part of the student community", "I felt less stressed",
     "I felt isolated during my first year"),
)
GF_LABELS = ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
             "Strongly agree")
GF_ITEMS = tuple(f"{question} [{row}]" for question, rows in zip(GF_QUESTIONS, GF_ROWS,
                                                                strict=True)
                 for row in rows)

FA_ITEMS = (
    "منتور من هنگام نیاز در دسترس بود",
    "منتور من به نگرانی‌هایم گوش داد",
    "منتور من توصیه‌های مفیدی درباره درس‌هایم داد",
    "دسترسی به منتور من دشوار بود",
    "برنامه به سازگاری من با دانشکده پزشکی کمک کرد",
    "احساس کردم بخشی از جامعه دانشجویی هستم",
    "به خاطر برنامه استرس کمتری داشتم",
    "در سال اول احساس تنهایی می‌کردم",
)
FA_LABELS = ("کاملاً مخالفم", "مخالفم", "نظری ندارم", "موافقم", "کاملاً موافقم")
_PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")

#: Items 4 and 8 are worded negatively (reverse-keyed).
REVERSED = (3, 7)


def codes(n: int, seed: int = 11) -> np.ndarray:
    """Answers 1-5 to the eight items: two correlated factors, items 4 and 8 reversed."""
    rng = np.random.default_rng(seed)
    factors = rng.multivariate_normal([0, 0], [[1, 0.4], [0.4, 1]], size=n)
    out = np.empty((n, 8), dtype=int)
    for j in range(8):
        sign = -1 if j in REVERSED else 1
        latent = sign * factors[:, j // 4] * 0.9 + rng.normal(scale=0.7, size=n)
        out[:, j] = np.clip(np.round(latent * 1.1 + 3.4), 1, 5).astype(int)
    return out


def google_forms_csv(path: Path, n: int = 160, seed: int = 11) -> np.ndarray:
    """Write a Google Forms response download; return the answer codes written."""
    answers = codes(n, seed)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow(["Timestamp", "Email Address", *GF_ITEMS, "Any other comments?"])
        for i, row in enumerate(answers):
            hour = 8 + i % 12
            stamp = (f"2024/03/{1 + i % 28:02d} {hour % 12 or 12}:{i % 60:02d}:"
                     f"{(7 * i) % 60:02d} {'AM' if hour < 12 else 'PM'} GMT+3:30")
            writer.writerow([stamp, f"student{i + 1}@example.edu",
                             *(GF_LABELS[v - 1] for v in row),
                             "Very helpful, thanks!" if i % 9 == 0 else ""])
    return answers


def persian_xlsx(path: Path, n: int = 160, seed: int = 12) -> np.ndarray:
    """Write a Persian questionnaire workbook; return the answer codes written."""
    from openpyxl import Workbook

    answers = codes(n, seed)
    book = Workbook()
    sheet = book.active
    sheet.title = "پاسخ‌ها"
    sheet.append(["شماره دانشجویی", "کد پاسخ‌دهنده", "تاریخ ثبت", *FA_ITEMS,
                  "نظر دیگری دارید؟"])
    for i, row in enumerate(answers):
        number = str(9812345 + i).translate(_PERSIAN_DIGITS)
        code = f"P{i + 1}".translate(_PERSIAN_DIGITS)
        date = f"1402/12/{1 + i % 28:02d} {9 + i % 8:02d}:{i % 60:02d}".translate(
            _PERSIAN_DIGITS)
        sheet.append([number, code, date, *(FA_LABELS[v - 1] for v in row),
                      "کاش جلسات بیشتر بود" if i % 7 == 0 else None])
    book.save(path)
    return answers


def short_codebook(headers: tuple[str, ...], labels: list[str]) -> str:
    """A codebook TOML giving items item01... their export column and label."""
    lines = ['name = "Mentoring questionnaire"', "response_range = [1, 5]", "",
             "[scales.support]", 'label = "Mentor support"',
             'items = ["item01", "item02", "item03", "item04"]', 'reverse = ["item04"]',
             "", "[scales.belonging]", 'label = "Belonging"',
             'items = ["item05", "item06", "item07", "item08"]', 'reverse = ["item08"]',
             "", "[items]"]
    for k, (header, label) in enumerate(zip(headers, labels, strict=True), start=1):
        column = header.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'item{k:02d} = {{column = "{column}", label = "{label}"}}')
    return "\n".join(lines) + "\n"
