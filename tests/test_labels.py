"""Label normalisation and vocabulary matching."""

from __future__ import annotations

import math

import pytest

from peereval.labels import (
    VOCABULARIES,
    label_key,
    match_labels,
    normalize_label,
    split_numbered_label,
)


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        ("  Strongly   AGREE ", "strongly agree"),
        ("Strongly agree.", "strongly agree"),
        ("كاملاً موافقم", "کاملا موافقم"),  # Arabic kaf, tanwin
        ("كاملا موافقم", "کاملا موافقم"),
        ("بي‌نظر", "بی نظر"),  # Arabic yeh, ZWNJ
        ("ﻛﺎﻣﻼ ﻣﻮاﻓﻘﻢ", "کاملا موافقم"),  # presentation forms
        ("مـــوافقم", "موافقم"),  # tatweel
        ("\u200fموافقم\u200f", "موافقم"),  # right-to-left marks
        ("۵", "5"),
        ("٥", "5"),
    ],
)
def test_normalisation_folds_spelling_variants(variant, canonical):
    assert normalize_label(variant) == normalize_label(canonical)


def test_lookup_key_ignores_how_compound_words_are_joined():
    assert label_key("بی‌نظر") == label_key("بی نظر") == label_key("بینظر")


@pytest.mark.parametrize(
    ("text", "number", "label"),
    [
        ("5 = Strongly agree", 5.0, "strongly agree"),
        ("5 - Strongly agree", 5.0, "strongly agree"),
        ("5. Strongly agree", 5.0, "strongly agree"),
        ("(5) Strongly agree", 5.0, "strongly agree"),
        ("5) Strongly agree", 5.0, "strongly agree"),
        ("Strongly agree (5)", 5.0, "strongly agree"),
        ("Strongly agree = 5", 5.0, "strongly agree"),
        ("۱- کاملا مخالفم", 1.0, "کاملا مخالفم"),
        ("0 = Never", 0.0, "never"),
        ("Agree", None, "agree"),
        ("10", None, "10"),
    ],
)
def test_numbered_labels_are_split(text, number, label):
    assert split_numbered_label(text) == (number, label)


@pytest.mark.parametrize("vocab", VOCABULARIES, ids=lambda v: v.name)
def test_every_vocabulary_codes_its_own_full_set_one_to_k(vocab):
    anchors = list(vocab.anchors)
    match = match_labels(anchors, points=vocab.points)
    assert not match.unmatched
    assert not match.ambiguous
    assert [match.codes[a] for a in anchors] == list(range(1, vocab.points + 1))


@pytest.mark.parametrize("vocab", VOCABULARIES, ids=lambda v: v.name)
def test_full_set_needs_no_point_count(vocab):
    """Seeing every level of a scale is enough to tell its length."""
    match = match_labels(list(vocab.anchors))
    assert not match.ambiguous, match.ambiguous
    assert [match.codes[a] for a in vocab.anchors] == list(range(1, vocab.points + 1))


@pytest.mark.parametrize("language", ["en", "fa"])
@pytest.mark.parametrize("family", ["agreement", "frequency", "satisfaction", "quality",
                                    "importance", "relevance"])
def test_each_family_has_four_to_seven_points(family, language):
    points = {v.points for v in VOCABULARIES if v.family == family and v.language == language}
    assert points == {4, 5, 6, 7}


def test_vocabulary_names_are_unique():
    names = [v.name for v in VOCABULARIES]
    assert len(names) == len(set(names))


def test_persian_labels_with_arabic_letters():
    labels = ["كاملاً مخالفم", "مخالفم", "نظري ندارم", "موافقم", "کاملا موافقم"]
    match = match_labels(labels)
    assert match.vocabulary == "agreement-5 (fa)"
    assert [match.codes[x] for x in labels] == [1, 2, 3, 4, 5]


def test_partial_label_sets_that_fit_two_lengths_are_ambiguous():
    match = match_labels(["Agree", "Strongly agree"])
    assert match.vocabulary is None
    assert "agreement-4 (en)" in match.ambiguous
    assert "agreement-5 (en)" in match.ambiguous
    assert match_labels(["Agree", "Strongly agree"], points=4).codes["Agree"] == 3
    assert match_labels(["Agree", "Strongly agree"], points=5).codes["Agree"] == 4


def test_labels_coded_alike_by_every_candidate_are_not_ambiguous():
    # "Never" is 1 on every frequency scale
    match = match_labels(["Never"])
    assert match.codes["Never"] == 1
    assert not match.ambiguous


def test_non_substantive_answers_become_missing():
    match = match_labels(["Agree", "Disagree", "Neutral", "Not applicable", "نمی‌دانم"],
                         points=5)
    assert math.isnan(match.codes["Not applicable"])
    assert math.isnan(match.codes["نمی‌دانم"])
    assert set(match.non_substantive) == {"Not applicable", "نمی‌دانم"}
    assert match.codes["Neutral"] == 3


def test_unknown_labels_are_listed():
    match = match_labels(["Agree", "Mostly agree"], points=5)
    assert match.vocabulary is None
    assert "Mostly agree" in match.unmatched


def test_user_mapping_wins_and_is_normalised():
    match = match_labels(["Very helpful", "Not helpful", "AGREE"],
                         mapping={"very helpful": 3, "Not Helpful": 1, "agree": 2})
    assert match.codes == {"Very helpful": 3.0, "Not helpful": 1.0, "AGREE": 2.0}
    assert match.vocabulary == "mapping"


def test_numbers_in_labels_are_used_when_every_label_has_one():
    labels = ["0 = Never", "1 = Rarely", "2 = Sometimes", "3 = Often", "4 = Always"]
    match = match_labels(labels)
    assert match.vocabulary == "numbers in labels"
    assert [match.codes[x] for x in labels] == [0, 1, 2, 3, 4]


def test_numbers_running_against_the_words_are_refused():
    labels = ["1 = Strongly agree", "2 = Agree", "3 = Neutral", "4 = Disagree",
              "5 = Strongly disagree"]
    match = match_labels(labels)
    assert match.vocabulary is None
    assert match.unmatched
    assert "against" in match.ambiguous[0]


# --- platform default scales and the unobserved-level rule (issue 13) ---------------
#
# Each wording below is typed from the platform's own scale as it appears in its
# exports (see the sources named in peereval.labels), lowest level first; the
# expected codes are simply the positions 1..k, written here, not computed.

PLATFORM_SCALES = {
    "qualtrics agreement 5": ["Strongly disagree", "Somewhat disagree",
                              "Neither agree nor disagree", "Somewhat agree", "Strongly agree"],
    "qualtrics agreement 7": ["Strongly disagree", "Disagree", "Somewhat disagree",
                              "Neither agree nor disagree", "Somewhat agree", "Agree",
                              "Strongly agree"],
    "qualtrics satisfaction 5": ["Extremely dissatisfied", "Somewhat dissatisfied",
                                 "Neither satisfied nor dissatisfied", "Somewhat satisfied",
                                 "Extremely satisfied"],
    "qualtrics satisfaction 7": ["Extremely dissatisfied", "Moderately dissatisfied",
                                 "Slightly dissatisfied", "Neither satisfied nor dissatisfied",
                                 "Slightly satisfied", "Moderately satisfied",
                                 "Extremely satisfied"],
    "qualtrics likelihood 5": ["Extremely unlikely", "Somewhat unlikely",
                               "Neither likely nor unlikely", "Somewhat likely",
                               "Extremely likely"],
    "qualtrics frequency 5": ["Never", "Sometimes", "About half the time", "Most of the time",
                              "Always"],
    "qualtrics quality 5": ["Terrible", "Poor", "Average", "Good", "Excellent"],
    "qualtrics amount 5": ["None at all", "A little", "A moderate amount", "A lot",
                           "A great deal"],
    "qualtrics importance 5": ["Not at all important", "Slightly important",
                               "Moderately important", "Very important", "Extremely important"],
    "surveymonkey likelihood 5": ["Not at all likely", "Not so likely", "Somewhat likely",
                                  "Very likely", "Extremely likely"],
    "surveymonkey helpfulness 5": ["Not at all helpful", "Not so helpful", "Somewhat helpful",
                                   "Very helpful", "Extremely helpful"],
    "surveymonkey satisfaction 5": ["Very dissatisfied", "Dissatisfied",
                                    "Neither satisfied nor dissatisfied", "Satisfied",
                                    "Very satisfied"],
    "ms forms likert 5": ["Strongly disagree", "Disagree", "Neutral", "Agree",
                          "Strongly agree"],
    "persian agreement 5": ["کاملاً مخالفم", "مخالفم", "نظری ندارم", "موافقم", "کاملاً موافقم"],
    "persian agreement 5 with and": ["کاملا مخالفم", "مخالفم", "نه موافقم و نه مخالفم",
                                     "موافقم", "کاملا موافقم"],
    "persian extent 5": ["خیلی کم", "کم", "متوسط", "زیاد", "خیلی زیاد"],
}


@pytest.mark.parametrize("scale", sorted(PLATFORM_SCALES))
def test_platform_default_scales_are_coded_one_to_k(scale):
    labels = PLATFORM_SCALES[scale]
    match = match_labels(list(reversed(labels)))  # order of appearance must not matter
    assert match.vocabulary is not None, match
    assert [match.codes[label] for label in labels] == list(range(1, len(labels) + 1))
    assert match.unobserved == ()
    assert match.source  # every vocabulary says where its wording comes from


def test_qualtrics_five_point_scale_is_not_read_as_seven_points():
    # the five labels all occur in the seven-point scale (as 1, 3, 4, 5, 7)
    match = match_labels(PLATFORM_SCALES["qualtrics agreement 5"])
    assert match.vocabulary == "agreement-5/somewhat (en)"
    assert sorted(match.codes.values()) == [1, 2, 3, 4, 5]


def test_seven_point_scale_with_every_level_seen_stays_seven_points():
    match = match_labels(PLATFORM_SCALES["qualtrics agreement 7"])
    assert match.vocabulary == "agreement-7 (en)"


def test_scale_missing_interior_levels_is_never_chosen_when_two_fit():
    # four of the seven/five levels: both scales fit, neither with every level seen
    match = match_labels(["Strongly disagree", "Somewhat disagree",
                          "Neither agree nor disagree", "Somewhat agree"])
    assert match.vocabulary is None
    assert set(match.ambiguous) == {"agreement-5/somewhat (en)", "agreement-7 (en)"}


def test_unique_scale_with_unseen_interior_levels_reports_them():
    match = match_labels(["Never", "About half the time", "Always"])
    assert match.vocabulary == "frequency-5/half (en)"
    assert match.unobserved == ("sometimes", "most of the time")


def test_vocabulary_names_are_unique_and_sourced():
    names = [v.name for v in VOCABULARIES]
    assert len(names) == len(set(names))
    assert all(v.source for v in VOCABULARIES)
