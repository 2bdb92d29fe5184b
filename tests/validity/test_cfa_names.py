"""CFA and its model syntax with column names of any text (full questions, Persian)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from peereval.errors import PeerevalError, PeerevalWarning
from peereval.validity import cfa
from peereval.validity._syntax import as_spec, is_name, parse_model, quote

QUESTION = "How often did your mentor ... ? [In person]"
PERSIAN = "منتور من به نگرانی‌هایم گوش داد"


def _two_factor(columns: list[str], n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    factors = rng.multivariate_normal([0, 0], [[1, 0.3], [0.3, 1]], size=n)
    values = np.column_stack([factors[:, j // 3] + rng.normal(scale=0.6, size=n)
                              for j in range(6)])
    return pd.DataFrame(values, columns=columns)


def test_names_of_any_script_need_no_quotes():
    assert all(map(is_name, ["Q1_1", "پرسش_۱", ".x", "_a"]))
    assert not any(map(is_name, ["1abc", "a b", PERSIAN, ""]))
    spec = parse_model("حمایت =~ پرسش_۱ + پرسش_۲ + پرسش_۳")
    assert spec.factors == ("حمایت",)
    assert spec.observed == ("پرسش_۱", "پرسش_۲", "پرسش_۳")


def test_backticks_quote_names_with_spaces_and_punctuation():
    spec = parse_model(f"f =~ `{QUESTION}` + 1*`a + b # c` + `{PERSIAN}`\n"
                       f"`{QUESTION}` ~~ `{PERSIAN}`  # a residual covariance")
    assert spec.observed == (QUESTION, "a + b # c", PERSIAN)
    loadings = [t for t in spec.terms if t.op == "=~"]
    assert loadings[1].fixed == 1.0
    covariance = next(t for t in spec.terms if t.op == "~~")
    assert (covariance.lhs, covariance.rhs) == (QUESTION, PERSIAN)
    assert spec.line_of(PERSIAN) == 1


def test_errors_show_the_quoted_names_not_placeholders():
    with pytest.raises(PeerevalError) as err:
        parse_model(f"f =~ `{QUESTION}` + `{QUESTION}` + x")
    assert f"`{QUESTION}`" in str(err.value)
    assert "_quoted" not in str(err.value)
    with pytest.raises(PeerevalError, match="not closed"):
        parse_model("f =~ `open + x2 + x3")


def test_as_spec_quotes_what_needs_it():
    spec = as_spec({"support": [QUESTION, "Q2", PERSIAN]})
    assert spec.text == f"support =~ `{QUESTION}` + Q2 + `{PERSIAN}`"
    assert spec.observed == (QUESTION, "Q2", PERSIAN)
    assert quote("Q2") == "Q2"
    with pytest.raises(PeerevalError, match="cannot be written"):
        quote("a `b` c")


def test_cfa_on_full_question_columns_matches_cfa_on_short_names():
    long = [f"{QUESTION} {k}" for k in range(3)] + [f"{PERSIAN} {k}" for k in range(3)]
    short = [f"x{k}" for k in range(6)]
    data = _two_factor(long)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        named = cfa(data, {"mentor": long[:3], "فاکتور دوم": long[3:]})
        plain = cfa(data.set_axis(short, axis=1), {"mentor": short[:3], "f2": short[3:]})
    assert named.observed == tuple(long)
    assert named.factors == ("mentor", "فاکتور دوم")
    assert named.loadings.index.tolist() == long
    np.testing.assert_allclose(named.loadings.to_numpy(), plain.loadings.to_numpy(),
                               rtol=0, atol=1e-10)
    assert named.chisq == pytest.approx(plain.chisq, abs=1e-8)
    rows = named.standardized[named.standardized["op"] == "=~"]
    assert rows["rhs"].tolist() == long


def test_cfa_names_an_unknown_quoted_item():
    data = _two_factor([f"c{k}" for k in range(6)])
    with pytest.raises(PeerevalError, match="'How often") as err:
        cfa(data, f"f =~ c0 + c1 + `{QUESTION}`")
    assert err.value.column == QUESTION


def test_cfa_of_responses_under_a_codebook_with_short_names(tmp_path):
    """Responses headed by full questions, with an instrument mapping short names to
    them: the CFA reads the answers (as Responses.numeric codes them) by short name."""
    import label_exports as exports
    import peereval
    from peereval.instrument import Instrument

    exports.google_forms_csv(tmp_path / "responses.csv")
    (tmp_path / "codebook.toml").write_text(exports.short_codebook(
        exports.GF_ITEMS, [row for rows in exports.GF_ROWS for row in rows]),
        encoding="utf-8")
    responses = peereval.read_export(tmp_path / "responses.csv")
    inst = Instrument.from_toml(tmp_path / "codebook.toml")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PeerevalWarning)
        fit = cfa(responses, inst)
    assert fit.loadings.index.tolist() == [f"item{k:02d}" for k in range(1, 9)]
    assert fit.loadings.loc["item04", "support"] < 0  # as answered: not reversed
    assert fit.n == 160
