"""Column roles and the one formatter that every renderer prints them with."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import openpyxl
import pandas as pd
import pytest

import peereval
from peereval._columns import (
    ROLES,
    excel_format,
    format_column,
    format_value,
    role_of_name,
    roles_of,
)
from peereval.study import read_study

# ------------------------------------------------------------------ the rules


@pytest.mark.parametrize(("value", "role", "text"), [
    (0.0321, "p_value", ".032"),
    (0.0004, "p_value", "< .001"),
    (0.001, "p_value", ".001"),
    (0.0004, "p_adjusted", "< .001"),  # the bug: adjusted p-values printed as 0.000
    (1.0, "p_adjusted", "> .999"),
    (0.0625, "p_value", ".063"),  # half-up, as APA rounds
    (0.456, "share", "45.6%"),
    (56.93, "percent", "56.9"),
    (131, "n", "131"),
    (131.0, "n", "131"),
    (-0.456, "estimate", "−0.46"),
    (None, "estimate", "—"),
    (float("nan"), "p_value", "—"),
    (True, "flag", "yes"),
    ("hedges_g", "label", "hedges_g"),
])
def test_format_value(value, role, text):
    assert format_value(value, role) == text


def test_a_column_shares_its_decimals():
    assert format_column([3.2412, 2.85, 0.4], "estimate") == ["3.24", "2.85", "0.40"]
    assert format_column([0.5, 2, 1.5], "estimate") == ["0.5", "2.0", "1.5"]
    assert format_column([0.004, 0.05], "estimate") == ["0.004", "0.050"]
    assert format_column([691.23, 581.0], "estimate") == ["691.2", "581.0"]


@pytest.mark.parametrize(("values", "texts"), [
    # a rounded value is not an exact one: 0.5985 keeps two decimals (was "0.6")
    ([float("nan"), 0.59854], ["—", "0.60"]),
    ([0.889571, 0.59854], ["0.89", "0.60"]),
    # exact values with fewer decimals keep fewer
    ([0.5, 2.0], ["0.5", "2.0"]),
    ([0.25, 0.5], ["0.25", "0.50"]),
])
def test_decimals_are_dropped_only_for_exact_values(values, texts):
    assert format_column(values, "estimate") == texts


def test_roles_come_from_the_declaration_then_the_name_then_the_values():
    frame = pd.DataFrame({"outcome": ["gpa"], "g": [0.9], "p_adjusted": [0.01],
                          "rmsea_ci_low": [0.02], "n_treated": [163], "ok": [True]})
    assert roles_of(frame) == {"outcome": "label", "g": "estimate", "p_adjusted": "p_adjusted",
                               "rmsea_ci_low": "ci_bound", "n_treated": "n", "ok": "flag"}
    frame.attrs["roles"] = {"g": "statistic"}
    assert roles_of(frame)["g"] == "statistic"
    assert roles_of(frame, {"g": "share"})["g"] == "share"
    assert role_of_name("robust_p_value") == "p_value"
    assert role_of_name("agree_pct") is None  # a percentage or a share: declared
    with pytest.raises(ValueError, match="'pvalue' is not a role"):
        roles_of(frame, {"g": "pvalue"})


@pytest.mark.parametrize(("values", "role", "message"), [
    ([56.9], "share", "declare it as a percent"),
    ([150.0], "percent", "outside 0 to 100"),
    ([7.75], "p_value", "declare it as an estimate or a statistic"),
])
def test_a_declaration_that_does_not_fit_the_numbers_is_refused(values, role, message):
    with pytest.raises(ValueError, match=message):
        format_column(values, role)
    with pytest.raises(ValueError, match=message):
        excel_format(role, values)


# ------------------------------------------------------------------ the renderers


def _excel_text(value, number_format):
    """What a spreadsheet shows for ``value`` under the few formats peereval writes."""
    if isinstance(value, str) or number_format == "General":
        return str(value)
    if number_format.startswith("[<0.001]"):
        if value < 0.001:
            return "< .001"
        if value > 0.999:
            return "> .999"
        number_format = ".000"
    percent = number_format.endswith("%")
    body = number_format.rstrip("%").replace("#,##", "")
    places = len(body.partition(".")[2])
    number = Decimal(repr(float(value) * (100 if percent else 1)))
    rounded = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):.{places}f}"
    if body.startswith("."):
        text = text.removeprefix("0")
    return ("−" if rounded < 0 else "") + text + ("%" if percent else "")


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    from peereval.report import run_study, write_report

    report = run_study(peereval.sample_path("study"))
    out = tmp_path_factory.mktemp("report")
    write_report(report, out)
    return report, out


def _html_cells(html, key):
    start = html.index(f'id="table-{key}"')
    table = html[start:html.index("</table>", start)]
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)[1:]
    return [[re.sub(r"<[^>]+>", "", c).replace("&lt;", "<").replace("&gt;", ">")
             .replace("&#39;", "'").replace("&amp;", "&")
             for c in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)] for row in rows]


def test_the_report_and_the_workbook_print_every_number_alike(written):
    report, out = written
    html = (out / "report.html").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(out / "tables.xlsx")
    names = {row[0].value: row[1].value for row in book["Contents"].iter_rows(min_row=1)
             if row[0].value}
    compared = 0
    for table in report.tables():
        cells = _html_cells(html, table.key)
        sheet = next(book[n] for n in book.sheetnames
                     if book[n]["A1"].value == table.title.replace("'", "'"))
        for i, row in enumerate(cells):
            for j, text in enumerate(row):
                cell = sheet.cell(4 + i, 1 + j)
                if cell.value is None:  # missing, or an empty text
                    assert text in ("—", ""), (table.key, i, j)
                    continue
                if isinstance(cell.value, bool) or not isinstance(cell.value, int | float):
                    continue
                assert _excel_text(cell.value, cell.number_format) == text, (
                    table.key, table.frame.columns[j], cell.value, cell.number_format)
                compared += 1
    assert compared > 500
    assert names  # the contents sheet lists the tables


def test_adjusted_p_values_print_as_apa_in_both(written):
    report, out = written
    table = next(t for t in report.tables() if t.key == "unadjusted")
    assert dict(zip(table.frame.columns, table.column_roles(), strict=True))["p adjusted"] \
        == "p_adjusted"
    html = (out / "report.html").read_text(encoding="utf-8")
    headers = re.findall(r'<th scope="col">(.*?)</th>',
                         html[html.index('id="table-unadjusted"'):].split("</table>")[0])
    column = headers.index("p adjusted")
    cells = _html_cells(html, "unadjusted")
    assert [row[column] for row in cells] == ["< .001"] * 3
    assert "0.000" not in html


def test_every_report_column_has_a_role(written):
    report, _ = written
    for table in report.tables():
        roles = table.column_roles()
        assert len(roles) == table.frame.shape[1] + (table.frame.index.nlevels
                                                     if table.index else 0)
        assert set(roles) <= set(ROLES), table.key


def test_a_results_table_declares_its_roles_and_its_repr_uses_them():
    results = read_study(peereval.sample_path("study")).analyse()
    comparison = results.comparisons
    frame = comparison.to_frame()
    assert set(frame.attrs["roles"]) == set(frame.columns)
    p_columns = [c for c, r in frame.attrs["roles"].items() if r in ("p_value",
                                                                      "p_adjusted")]
    assert p_columns
    assert "< .001" in repr(comparison)
    assert "&lt; .001" in comparison._repr_html_()
    items = results.item_analysis["support"].to_frame()
    assert items.attrs["roles"]["floor_pct"] == "share"
    assert re.search(r"\d+\.\d%", repr(results.item_analysis["support"]))


def test_a_column_the_report_asks_for_and_misses_is_an_error():
    from peereval.report._runner import _frame

    frame = pd.DataFrame({"scale": ["support"], "alpha": [0.85]})
    with pytest.raises(KeyError, match=r"\['omega'\]"):
        _frame(frame, {"scale": "scale", "omega": "omega"})
    assert list(_frame(frame, {"scale": "scale", "omega": "omega"},
                       optional=("omega",)).columns) == ["scale"]
