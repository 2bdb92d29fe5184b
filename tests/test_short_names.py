"""Short item names, export columns and labels in the codebook; option labels.

Google Forms and many Persian forms name each column by the whole question. The
codebook gives every item a short name, the column it reads and its label; the
analyses, tables and figures then work with the short names and show the labels.
"""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import label_exports as exports
import peereval
from helpers import FIXTURES
from peereval.errors import CodebookError
from peereval.instrument import Instrument
from peereval.perception import summarise

GF_LABELS = [row for rows in exports.GF_ROWS for row in rows]
NAMES = [f"item{k:02d}" for k in range(1, 9)]
AGREE5 = ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
          "Strongly agree"]


@pytest.fixture(scope="module")
def google_forms(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gf")
    answers = exports.google_forms_csv(folder / "responses.csv")
    (folder / "codebook.toml").write_text(exports.short_codebook(exports.GF_ITEMS,
                                                                 GF_LABELS),
                                          encoding="utf-8")
    return (peereval.read_export(folder / "responses.csv"),
            Instrument.from_toml(folder / "codebook.toml"), answers)


@pytest.fixture(scope="module")
def persian(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fa")
    answers = exports.persian_xlsx(folder / "responses.xlsx")
    (folder / "codebook.toml").write_text(exports.short_codebook(exports.FA_ITEMS,
                                                                 list(exports.FA_ITEMS)),
                                          encoding="utf-8")
    return (peereval.read_export(folder / "responses.xlsx"),
            Instrument.from_toml(folder / "codebook.toml"), answers)


# ------------------------------------------------------------------ the codebook


def test_item_entries_give_column_and_label():
    inst = Instrument.from_dict({
        "response_range": [1, 5],
        "scales": {"s": {"items": ["item01", "item02", "Q3"]}},
        "items": {"item01": {"column": "Q? [a]", "label": "Row a"},
                  "item02": {"label": "Only a label"},
                  "Q3": "Old-style wording"}})
    assert inst.items == ["item01", "item02", "Q3"]
    assert [inst.column_of(n) for n in inst.items] == ["Q? [a]", "item02", "Q3"]
    assert inst.labels == {"item01": "Row a", "item02": "Only a label",
                           "Q3": "Old-style wording"}
    assert inst.item_text["Q3"] == "Old-style wording"  # the old attribute still works


def test_array_of_item_tables_is_read_the_same_way():
    inst = Instrument.from_dict({
        "scales": {"s": {"items": ["item01", "item02"]}},
        "items": [{"name": "item01", "column": "Q [a]", "label": "a"},
                  {"name": "item02", "column": "Q [b]", "label": "b"}]})
    assert inst.columns == {"item01": "Q [a]", "item02": "Q [b]"}
    with pytest.raises(CodebookError, match="needs a name"):
        Instrument.from_dict({"scales": {"s": {"items": ["a"]}}, "items": [{"label": "x"}]})
    with pytest.raises(CodebookError, match="twice"):
        Instrument.from_dict({"scales": {"s": {"items": ["a"]}},
                              "items": [{"name": "a"}, {"name": "a"}]})


def test_the_sample_codebook_is_unchanged():
    inst = peereval.load_sample().instrument
    assert inst.columns == {}
    assert inst.column_of("Q1_1") == "Q1_1"
    assert inst.label_of("Q1_1") == "My mentor was available when I needed help"
    assert inst.options == ()


@pytest.mark.parametrize(("items", "message", "key"), [
    ({"a": {"column": "x", "lable": "y"}}, "unknown key", "items.a.lable"),
    ({"a": {"column": ""}}, "text in quotes", "items.a.column"),
    ({"a": 5}, "label in quotes or a table", "items.a"),
    ({"a": {"column": "b"}}, "both read the column 'b'", "items.b"),
])
def test_bad_item_entries_name_the_key(items, message, key):
    with pytest.raises(CodebookError, match=message) as err:
        Instrument.from_dict({"scales": {"s": {"items": ["a", "b"]}}, "items": items})
    assert err.value.column == key


def test_option_labels_list_table_and_levels():
    inst = Instrument.from_dict({
        "response_range": [1, 5], "options": AGREE5,
        "scales": {"s": {"items": ["a", "b"]},
                   "t": {"items": ["c"], "response_range": [1, 3],
                         "options": {"1": "Never", "3": "Often"}}},
        "items": {"b": {"options": {1: "No", 5: "Yes"}}}})
    assert inst.options_of("a") == tuple((float(i), t) for i, t in enumerate(AGREE5, 1))
    assert inst.options_of("b") == ((1.0, "No"), (5.0, "Yes"))
    assert inst.options_of("c") == ((1.0, "Never"), (3.0, "Often"))


@pytest.mark.parametrize(("options", "message"), [
    (["a", "b"], "lists 2 labels but the response range 1-5 has 5 codes"),
    ({"x": "a"}, "is not a number"),
    ({"7": "a"}, "outside the response range"),
    ("Agree", "list of labels or a table"),
])
def test_bad_option_labels_are_explained(options, message):
    with pytest.raises(CodebookError, match=message) as err:
        Instrument.from_dict({"response_range": [1, 5], "options": options,
                              "scales": {"s": {"items": ["a"]}}})
    assert err.value.column == "options"


def test_codebook_toml_with_full_question_columns(tmp_path):
    header = 'How often? [Row "1"]'
    (tmp_path / "codebook.toml").write_text(exports.short_codebook(
        (header, *exports.GF_ITEMS[1:]), GF_LABELS), encoding="utf-8")
    inst = Instrument.from_toml(tmp_path / "codebook.toml")
    assert inst.column_of("item01") == header
    assert inst.label_of("item08") == "I felt isolated during my first year"


# ------------------------------------------------------------------ scoring


@pytest.mark.parametrize("export", ["google_forms", "persian"])
def test_scores_are_named_by_short_names(export, request):
    responses, inst, answers = request.getfixturevalue(export)
    assert list(responses.items)[:8] == [inst.column_of(n) for n in NAMES]
    scores = inst.score(responses)
    assert scores.items.columns.tolist() == NAMES
    expected = answers.astype(float)
    expected[:, list(exports.REVERSED)] = 6 - expected[:, list(exports.REVERSED)]
    np.testing.assert_array_equal(scores.items.to_numpy(), expected)
    assert scores.scales.columns.tolist() == ["support", "belonging"]


def test_a_missing_column_is_named_with_its_short_name(google_forms):
    responses, _, _ = google_forms
    inst = Instrument.from_dict({"scales": {"s": {"items": ["item01", "item02"]}},
                                 "items": {"item01": {"column": exports.GF_ITEMS[0]},
                                           "item02": {"column": "Typo [row]"}}})
    with pytest.raises(CodebookError, match="item02 \\(column 'Typo \\[row\\]'\\)") as err:
        inst.score(responses)
    assert err.value.column == "item02"
    assert exports.GF_ITEMS[0] in err.value.hint


def test_item_scores_frame_can_be_scored_again(google_forms):
    """A frame already named by short names (Scores.items) is found by those names."""
    responses, inst, _ = google_forms
    values = inst.item_values(responses)
    again = inst.item_values(values)
    assert again.equals(values)


# ------------------------------------------------------------------ perception


@pytest.mark.parametrize("export", ["google_forms", "persian"])
def test_summary_shows_labels_under_short_names(export, request):
    responses, inst, answers = request.getfixturevalue(export)
    summary = summarise(responses, inst)
    assert summary.items["item"].tolist() == NAMES
    assert summary.items["text"].tolist() == [inst.label_of(n) for n in NAMES]
    # top-two box of the first item, as written
    assert summary.items["agree_n"].iloc[0] == int((answers[:, 0] >= 4).sum())
    labels = [label for _, label in summary.options["support"]]
    assert labels == (AGREE5 if export == "google_forms" else list(exports.FA_LABELS))


def test_numeric_export_shows_the_codebooks_option_labels():
    responses = peereval.read_export(FIXTURES / "qualtrics" / "numeric_values.csv")
    plain = {"response_range": [1, 5],
             "scales": {"support": {"items": ["Q1_1", "Q1_2", "Q1_3"], "reverse": ["Q1_3"]}}}
    without = summarise(responses, Instrument.from_dict(plain))
    assert [label for _, label in without.options["support"]] == ["1", "2", "3", "4", "5"]
    summary = summarise(responses, Instrument.from_dict({**plain, "options": AGREE5}))
    assert [label for _, label in summary.options["support"]] == AGREE5
    item = summary.distribution[(summary.distribution["level"] == "item")
                                & (summary.distribution["item"] == "Q1_1")]
    assert item["label"].tolist() == AGREE5
    assert int(item.loc[item["label"] == "Strongly agree", "count"].iloc[0]) == int(
        (responses.answers["Q1_1"].astype(float) == 5).sum())

    from peereval.figures import likert

    fig = likert(summary)
    legend = [t.get_text().replace("\n", " ")
              for t in fig.axes[0].get_legend().get_texts()]
    assert legend == AGREE5
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert not any(t in ("1", "2", "3", "4", "5") for t in ticks)


def test_likert_figure_shows_item_labels_not_headers(google_forms):
    from peereval.figures import likert

    responses, inst, _ = google_forms
    fig = likert(summarise(responses, inst))
    ticks = " ".join(t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels())
    assert "My mentor listened to my concerns" in ticks
    assert "How much do you agree" not in ticks


# ------------------------------------------------------------------ factor analyses


@pytest.mark.parametrize("export", ["google_forms", "persian"])
def test_cfa_runs_on_short_names_with_labels_available(export, request):
    from peereval.validity import cfa

    responses, inst, _ = request.getfixturevalue(export)
    scores = inst.score(responses)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", peereval.PeerevalWarning)
        fit = cfa(scores.items, inst)
    assert fit.loadings.index.tolist() == NAMES
    assert fit.loadings.columns.tolist() == ["support", "belonging"]
    assert (fit.loadings.loc[["item01", "item02", "item03"], "support"] > 0.4).all()
    assert (fit.loadings.loc["item04", "support"]) > 0.4  # reversed before the CFA
    assert [inst.label_of(n) for n in fit.loadings.index] == [inst.label_of(n)
                                                              for n in NAMES]
    assert "item01" in fit.model


def test_cfa_runs_on_the_full_question_columns_too(google_forms):
    """Without short names (an old codebook listing the headers), CFA still runs."""
    from peereval.validity import cfa

    responses, _, _ = google_forms
    inst = Instrument.from_dict({"scales": {
        "support": {"items": list(exports.GF_ITEMS[:4]), "reverse": [exports.GF_ITEMS[3]]},
        "belonging": {"items": list(exports.GF_ITEMS[4:]),
                      "reverse": [exports.GF_ITEMS[7]]}}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", peereval.PeerevalWarning)
        fit = cfa(inst.score(responses).items, inst)
    assert fit.loadings.index.tolist() == list(exports.GF_ITEMS)
    assert f"`{exports.GF_ITEMS[0]}`" in fit.model


def test_loadings_heatmap_shows_labels(persian):
    from peereval.figures import loadings
    from peereval.figures._text import display_text
    from peereval.validity import efa

    responses, inst, _ = persian
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", peereval.PeerevalWarning)
        result = efa(inst.score(responses).items, n_factors=2)
    fig = loadings(result, labels=inst.labels)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    order = list(result.sorted(0.30).index)
    assert ticks == [display_text(inst.label_of(n), 40) for n in order]
