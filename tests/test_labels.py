"""Label normalisation and vocabulary matching."""

from __future__ import annotations

import math

import pytest

from peereval.loaders.labels import (
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
