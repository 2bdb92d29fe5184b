"""The answers every platform fixture encodes, so that all platforms can be compared.

Six respondents answered five agreement items (5-point, 1 = Strongly disagree ...
5 = Strongly agree) and one free-text question. Respondent 4 skipped the last item;
respondent 6 stopped after the first question (unfinished, progress 60%).
Item 3 ("My mentor was hard to reach") is the reverse-keyed one.
"""

from __future__ import annotations

import math

ITEMS = ("support_1", "support_2", "support_3", "adjust_1", "adjust_2")
QUESTION_SUPPORT = "How much do you agree with the following statements about your mentor?"
QUESTION_ADJUST = "How much do you agree with the following statements about the programme?"
ROWS = {
    "support_1": "My mentor was available when I needed help",
    "support_2": "My mentor listened to my concerns",
    "support_3": "My mentor was hard to reach",
    "adjust_1": "The programme helped me adjust to medical school",
    "adjust_2": "I felt part of the student community",
}
COMMENT_QUESTION = "Any other comments?"

NAN = math.nan
ANSWERS = [
    [5, 4, 1, 4, 3],
    [4, 4, 2, 3, 4],
    [3, 2, 4, 2, 2],
    [1, 1, 5, 1, NAN],
    [5, 5, 1, 5, 5],
    [4, 3, 3, NAN, NAN],
]
COMMENTS = [
    "Very helpful, thanks!",
    None,
    'Sessions were "too short", sometimes',
    "کاش جلسات بیشتر بود",
    "<script>alert(1)</script>",
    None,
]
FINISHED = [True, True, True, True, True, False]
PROGRESS = [100, 100, 100, 100, 100, 60]

LABELS_EN = {
    1: "Strongly disagree",
    2: "Disagree",
    3: "Neither agree nor disagree",
    4: "Agree",
    5: "Strongly agree",
}
LABELS_FA = {
    1: "کاملاً مخالفم",
    2: "مخالفم",
    3: "نظری ندارم",
    4: "موافقم",
    5: "کاملاً موافقم",
}


# A select-all question some fixtures add (one option contains ", " on purpose: the
# linked Google Sheet joins answers with ", ").
ACTIVITY_QUESTION = "Which programme activities did you take part in?"
ACTIVITY_OPTIONS = ("Weekly meetings", "Exam preparation, revision", "Social events")
ACTIVITY_CHOICES = [[0, 1], [0], [], [1, 2], [0, 1, 2], []]  # option positions ticked
ACTIVITIES = [";".join(ACTIVITY_OPTIONS[i] for i in ticked) or None
              for ticked in ACTIVITY_CHOICES]  # as peereval stores them


def label(value: float, labels: dict[int, str] = LABELS_EN) -> str:
    """The label of a canonical answer; "" for a skipped one."""
    return "" if math.isnan(value) else labels[int(value)]
