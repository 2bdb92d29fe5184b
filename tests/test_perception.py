"""peereval.perception: distributions, medians and shares agreeing, against R.

Reference values: tests/reference/perception.json, written by perception.R from
tests/reference/data/perception_small.csv (which the script invents with a fixed
seed): prop.test(x, n, correct = FALSE)$conf.int for Wilson's interval, table(),
median(), mean(), sd() and the scale rules written out in R. Counts must match
exactly; closed-form numbers at 1e-9 relative.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import peereval
from peereval.errors import PeerevalError
from peereval.instrument import Instrument
from peereval.perception import PerceptionSummary, summarise, wilson
from reference_data import reference, reference_csv

CLOSED = {"rtol": 1e-9, "atol": 1e-12}
REF = reference("perception")
SMALL = reference_csv("perception_small").set_index("id")
INSTRUMENT = Instrument.from_dict({
    "name": "small", "response_range": [1, 5], "min_answered": 0.75, "missing_codes": [9],
    "scales": {
        "s1": {"items": ["a1", "a2", "a3", "a4"], "reverse": ["a4"], "label": "Scale one"},
        "s2": {"items": ["b1", "b2", "b3"], "response_range": [1, 4], "label": "Scale two"},
    },
    "items": {"a1": "The programme helped me adjust", "a4": "I felt lost"},
})
FIVE = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
        "Strongly agree"]
FOUR = ["Strongly disagree", "Disagree", "Agree", "Strongly agree"]


@pytest.fixture(scope="module")
def overall() -> PerceptionSummary:
    return summarise(SMALL, INSTRUMENT)


@pytest.fixture(scope="module")
def split() -> PerceptionSummary:
    return summarise(SMALL, INSTRUMENT, by="cohort")


def as_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """The small survey as a choice-text export: labels, 9 as "Don't know"."""
    out = frame.copy().astype(object)
    for code in ["a1", "a2", "a3", "a4"]:
        out[code] = [None if pd.isna(v) else "Don't know" if v == 9 else FIVE[int(v) - 1]
                     for v in frame[code]]
    for code in ["b1", "b2", "b3"]:
        out[code] = [None if pd.isna(v) else FOUR[int(v) - 1] for v in frame[code]]
    return out


# ----------------------------------------------------------------- Wilson


@pytest.mark.parametrize("case", REF["wilson"], ids=lambda c: f"{c['x']}/{c['n']}@{c['level']}")
def test_wilson_matches_prop_test(case):
    low, high = wilson(case["x"], case["n"], confidence=case["level"])
    np.testing.assert_allclose([low, high], [case["low"], case["high"]], **CLOSED)
    assert 0 <= low <= high <= 1


def test_wilson_without_respondents_is_missing():
    assert all(np.isnan(wilson(0, 0)))


# ------------------------------------------------------------ items vs R


def _item_reference(group: str) -> list[dict]:
    return [row for row in REF["items"] if row["group"] == group]


def _check_items(items: pd.DataFrame, distribution: pd.DataFrame, group: str) -> None:
    for ref in _item_reference(group):
        rows = items[items["item"] == ref["item"]]
        dist = distribution[(distribution["level"] == "item")
                            & (distribution["item"] == ref["item"])]
        if group != "all":
            rows = rows[rows["group"] == group]
            dist = dist[dist["group"] == group]
        row = rows.iloc[0]
        assert (row["n"], row["n_missing"], row["agree_n"]) == (
            ref["n"], ref["n_missing"], ref["agree_n"]), ref["item"]
        assert dist["count"].tolist() == ref["counts"], ref["item"]
        np.testing.assert_allclose(dist["percent"], 100 * np.array(ref["counts"]) / ref["n"],
                                   **CLOSED)
        np.testing.assert_allclose(
            row[["median", "mean", "sd", "agree_ci_low", "agree_ci_high"]].astype(float),
            [ref["median"], ref["mean"], ref["sd"], 100 * ref["low"], 100 * ref["high"]],
            **CLOSED)
        np.testing.assert_allclose(row["agree_pct"], 100 * ref["agree_n"] / ref["n"], **CLOSED)


def _check_scales(scales: pd.DataFrame, distribution: pd.DataFrame, group: str) -> None:
    for ref in [row for row in REF["scales"] if row["group"] == group]:
        rows = scales[scales["scale"] == ref["scale"]]
        dist = distribution[(distribution["level"] == "scale")
                            & (distribution["scale"] == ref["scale"])]
        if group != "all":
            rows = rows[rows["group"] == group]
            dist = dist[dist["group"] == group]
        row = rows.iloc[0]
        assert (row["n"], row["n_missing"], row["above_midpoint_n"], row["agree_n"]) == (
            ref["n"], ref["n_missing"], ref["above_n"], ref["agree_n"]), ref["scale"]
        assert dist["count"].tolist() == ref["pooled_counts"]
        assert row["answers_n"] == sum(ref["pooled_counts"])
        np.testing.assert_allclose(
            row[["median", "mean", "sd", "midpoint", "above_ci_low", "above_ci_high",
                 "agree_ci_low", "agree_ci_high"]].astype(float),
            [ref["median"], ref["mean"], ref["sd"], ref["midpoint"], 100 * ref["above_low"],
             100 * ref["above_high"], 100 * ref["agree_low"], 100 * ref["agree_high"]],
            **CLOSED)


def test_items_match_r(overall):
    _check_items(overall.items, overall.distribution, "all")


def test_scales_match_r(overall):
    _check_scales(overall.scales, overall.distribution, "all")


@pytest.mark.parametrize("group", ["junior", "senior"])
def test_cohort_split_matches_r(split, group):
    _check_items(split.items, split.distribution, group)
    _check_scales(split.scales, split.distribution, group)


def test_cohort_split_counts_respondents_without_a_group(split):
    assert split.by == "cohort"
    assert split.groups == ("junior", "senior")
    assert split.n_no_group == 2
    per_group = split.items.groupby("item")[["n", "n_missing"]].sum().sum(axis=1)
    assert (per_group == len(SMALL) - 2).all()


# ------------------------------------------------------------ definitions


def test_empty_categories_are_listed(overall):
    a3 = overall.distribution[(overall.distribution["item"] == "a3")]
    assert a3["code"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert a3["count"].iloc[0] == 0
    assert a3["percent"].iloc[0] == 0
    s2 = overall.distribution[(overall.distribution["scale"] == "s2")
                              & (overall.distribution["level"] == "item")]
    assert set(s2["code"]) == {1.0, 2.0, 3.0, 4.0}  # the 4-point scale keeps its own range


def test_top_two_box_follows_each_scale_range(overall):
    assert overall.agree == {"s1": (4.0, 5.0), "s2": (3.0, 4.0)}
    assert overall.scales.set_index("scale")["midpoint"].to_dict() == {"s1": 3.0, "s2": 2.5}


def test_reverse_keyed_item_is_reported_as_worded(overall):
    row = overall.items.set_index("item").loc["a4"]
    worded = SMALL["a4"].dropna()
    assert bool(row["reverse"])
    assert row["agree_n"] == int(worded.isin([4, 5]).sum())  # agreed with "I felt lost"
    assert row["median"] == worded.median()


def test_missing_codes_are_excluded_and_counted(overall):
    row = overall.items.set_index("item").loc["a2"]
    assert row["n_missing"] == int(SMALL["a2"].isna().sum() + (SMALL["a2"] == 9).sum())
    assert row["n_not_substantive"] == 2
    assert overall.items.set_index("item").loc["a1", "n_not_substantive"] == 0


def test_labels_and_numbers_give_the_same_summary(overall):
    labelled = summarise(as_labels(SMALL), INSTRUMENT)
    columns = ["n", "n_missing", "n_not_substantive", "median", "agree_n", "agree_pct",
               "agree_ci_low", "agree_ci_high"]
    pd.testing.assert_frame_equal(labelled.items[columns], overall.items[columns])
    pd.testing.assert_frame_equal(labelled.scales, overall.scales)
    assert labelled.options["s1"] == tuple(zip([1.0, 2.0, 3.0, 4.0, 5.0], FIVE, strict=True))
    assert [label for _, label in labelled.options["s2"]] == FOUR
    np.testing.assert_array_equal(labelled.distribution["count"], overall.distribution["count"])


def test_unchosen_option_is_labelled_from_the_vocabulary():
    data = pd.DataFrame({"q": ["Agree", "Strongly agree", "Disagree", "Agree", None]})
    inst = Instrument.from_dict({"name": "one", "response_range": [1, 5],
                                 "scales": {"s": {"items": ["q"]}}})
    summary = summarise(data, inst)
    assert [label for _, label in summary.options["s"]] == FIVE
    items = summary.distribution[summary.distribution["level"] == "item"]
    counts = items.set_index("label")["count"]
    assert counts["Strongly disagree"] == 0
    assert counts["Neither agree nor disagree"] == 0
    assert summary.items.loc[0, "n"] == 4
    assert summary.items.loc[0, "n_missing"] == 1


def test_numbers_without_labels_are_labelled_by_code(overall):
    assert [label for _, label in overall.options["s1"]] == ["1", "2", "3", "4", "5"]
    named = summarise(SMALL, INSTRUMENT, labels={"s1": FIVE, "s2": FOUR})
    assert [label for _, label in named.options["s2"]] == FOUR


def test_agreement_can_be_redefined(overall):
    strict = summarise(SMALL, INSTRUMENT, top=1)
    assert strict.agree == {"s1": (5.0,), "s2": (4.0,)}
    assert strict.items.set_index("item").loc["a1", "agree_n"] == int((SMALL["a1"] == 5).sum())
    by_code = summarise(SMALL, INSTRUMENT, agree={"s1": [3, 4, 5]})
    assert by_code.agree == {"s1": (3.0, 4.0, 5.0), "s2": (3.0, 4.0)}
    by_label = summarise(as_labels(SMALL), INSTRUMENT, agree={"s1": ["agree", "STRONGLY agree"]})
    assert by_label.agree["s1"] == (4.0, 5.0)
    with pytest.raises(PeerevalError, match="top must be"):
        summarise(SMALL, INSTRUMENT, top=5)
    with pytest.raises(PeerevalError, match="not an option"):
        summarise(as_labels(SMALL), INSTRUMENT, agree={"s1": ["Totally"]})
    with pytest.raises(PeerevalError, match="unknown scale"):
        summarise(SMALL, INSTRUMENT, agree={"nope": [5]})


def test_group_from_a_series_aligned_by_id(split):
    cohort = SMALL["cohort"].iloc[::-1]  # order must not matter
    again = summarise(SMALL, INSTRUMENT, by=cohort)
    pd.testing.assert_frame_equal(again.items, split.items)
    with pytest.raises(PeerevalError, match="no respondent"):
        summarise(SMALL, INSTRUMENT, by=pd.Series({"x1": "a"}))


# -------------------------------------------------------------- sentences


def test_sentence_reads_the_headline():
    inst = Instrument.from_dict({
        "name": "platform", "response_range": [1, 5],
        "scales": {"s": {"items": ["q"], "label": "Adjustment"}},
        "items": {"q": "The platform helped me adjust."}})
    data = pd.DataFrame({"q": [5] * 30 + [4] * 41 + [3] * 20 + [2] * 9 + [None] * 3,
                         "year": ["junior"] * 60 + ["senior"] * 43})
    summary = summarise(data, inst, labels=FIVE)
    # prop.test(71, 100, correct = FALSE)$conf.int = 0.6146..., 0.7904...
    assert summary.apa("q") == ("71% of 100 respondents (95% CI 61–79%) agreed with "
                                     "“The platform helped me adjust”.")
    assert summary.apa("q", digits=1).startswith(
        "71.0% of 100 respondents (95% CI 61.5–79.0%)")
    assert summary.apa("s") == ("71% of 100 respondents (95% CI 61–79%) had a mean item "
                                     "score above the midpoint (3) on the Adjustment scale.")
    by_year = summarise(data, inst, by="year", confidence=0.9, labels=FIVE)
    assert by_year.apa("q", "junior", who="junior students").startswith(
        "100% of 60 junior students (90% CI 96–100%) agreed with")
    with pytest.raises(PeerevalError, match="name the group"):
        by_year.apa("q")
    with pytest.raises(KeyError):
        summary.apa("nothing")
    codes_only = summarise(data, inst)
    assert "answered 4 or 5 to “The platform" in codes_only.apa("q")
    assert "agreed that “The" in codes_only.apa("q", verb="agreed that")


def test_sentence_names_other_options():
    inst = Instrument.from_dict({"name": "f", "response_range": [1, 5],
                                 "scales": {"s": {"items": ["q"]}},
                                 "items": {"q": "I met my mentor"}})
    data = pd.DataFrame({"q": ["Often", "Always", "Never", "Rarely", "Sometimes", "Often"]})
    text = summarise(data, inst).apa("q")
    assert text == ("50% of 6 respondents (95% CI 19–81%) answered “Often” or “Always” to "
                    "“I met my mentor”.")


def test_apa_and_to_frame(overall, split):
    assert overall.apa().count("midpoint") == 2
    frame = overall.to_frame()
    assert frame["level"].tolist() == ["item"] * 7 + ["scale"] * 2
    assert "group" not in frame
    assert split.to_frame()["group"].tolist()[:7] == ["junior"] * 7
    assert len([split.apa(row.item, row.group) for row in split.items.itertuples()]) == 14
    assert "Perception summary" in repr(overall)
    wide = overall.counts()
    assert wide.loc[wide["item"] == "a3", 1.0].item() == 0


# -------------------------------------------------------- the sample study


@pytest.fixture(scope="module")
def study():
    return peereval.load_sample()


def test_sample_study_responses_and_scores_agree(study):
    from_responses = summarise(study.screened, study.instrument)
    from_scores = summarise(study.scores)
    columns = ["n", "median", "agree_n", "agree_pct"]
    pd.testing.assert_frame_equal(from_responses.items[columns], from_scores.items[columns])
    # the export's own labels name the options
    assert from_responses.options["support"][0] == (1.0, "Strongly disagree")
    # item wording: the codebook's, not the matrix question's prefix
    texts = from_responses.items.set_index("item")["text"]
    assert texts["Q1_1"] == "My mentor was available when I needed help"
    raw = study.screened.answers["Q1_1"]
    agree = raw.isin(["Agree", "Strongly agree"]).sum()
    assert from_responses.items.set_index("item").loc["Q1_1", "agree_n"] == agree


def test_sample_study_split_by_linked_records(study):
    linked = peereval.link(study.screened, study.records, key="k" * 32)
    summary = summarise(linked.responses, study.instrument,
                        by=linked.records.data["mentored"])
    assert summary.by == "mentored"
    assert set(summary.groups) <= {"yes", "no"}
    n = summary.items.groupby("item")[["n", "n_missing"]].sum().sum(axis=1)
    assert (n + summary.n_no_group == len(linked.responses)).all()


def test_wording_from_the_export_when_the_codebook_has_none(study):
    bare = Instrument.from_dict({"name": "bare", "response_range": [1, 5],
                                 "scales": {"s": {"items": ["Q1_1", "Q1_2"]}}})
    texts = summarise(study.screened, bare).items["text"].tolist()
    assert texts == ["My mentor was available when I needed help",
                     "My mentor listened to my concerns"]


def test_bad_input_is_explained():
    with pytest.raises(PeerevalError, match="needs the instrument"):
        summarise(SMALL)
    with pytest.raises(PeerevalError, match="no column"):
        summarise(SMALL.drop(columns="b3"), INSTRUMENT)
    with pytest.raises(PeerevalError, match="confidence"):
        summarise(SMALL, INSTRUMENT, confidence=95)
    with pytest.raises(PeerevalError, match="split by"):
        summarise(SMALL, INSTRUMENT, by="year")


# ---------------------------------------------------- conventional names


def test_old_names_warn_and_give_the_same(overall, split):
    cls = "PerceptionSummary"
    with pytest.warns(DeprecationWarning, match=rf"^{cls}\.level is deprecated since "
                      rf"peereval 0\.1: use {cls}\.ci_level$"):
        assert overall.level == overall.ci_level == 0.95
    with pytest.warns(DeprecationWarning, match=rf"^{cls}\.sentence is deprecated since "
                      rf"peereval 0\.1: use {cls}\.apa\(key, group\)$"):
        assert overall.sentence("a1") == overall.apa("a1")
    with pytest.warns(DeprecationWarning, match=rf"^{cls}\.sentences is deprecated since "
                      rf"peereval 0\.1: use {cls}\.apa\(key\) for each item or scale$"):
        old = split.sentences("scale")
    assert old == [split.apa(row.scale, row.group) for row in split.scales.itertuples()]
    assert " ".join(old) == split.apa()
    with pytest.warns(DeprecationWarning, match=r"counts\(level=\.\.\.\) is deprecated "
                      "since peereval 0.1: use scope="):
        wide = overall.counts(level="scale")
    pd.testing.assert_frame_equal(wide, overall.counts(scope="scale"))
    with pytest.warns(DeprecationWarning, match=r"summarise\(level=\.\.\.\) is deprecated"):
        old_summary = summarise(SMALL, INSTRUMENT, level=0.9)
    assert old_summary.ci_level == 0.9
    with pytest.warns(DeprecationWarning, match=r"wilson\(level=\.\.\.\) is deprecated"):
        assert wilson(99, 138, level=0.9) == wilson(99, 138, confidence=0.9)
    with pytest.warns(DeprecationWarning, match=r"wilson\(\): passing confidence by "
                      "position is deprecated"):
        assert wilson(99, 138, 0.9) == wilson(99, 138, confidence=0.9)


def test_n_and_n_dropped(overall, split):
    assert overall.n == overall.n_respondents
    assert overall.n_dropped == 0
    assert split.n == split.n_respondents
    assert split.n_dropped == split.n_no_group


def test_methods_follow_the_settings():
    default = summarise(SMALL, INSTRUMENT).methods()
    assert "top-two box" in default
    assert "95% Wilson" in default
    other = summarise(SMALL, INSTRUMENT, top=1, confidence=0.9).methods()
    assert "top box" in other
    assert "90% Wilson" in other
    assert default != other
    given = summarise(SMALL, INSTRUMENT, agree=[3, 4]).methods()
    assert "the options named as agreeing" in given
