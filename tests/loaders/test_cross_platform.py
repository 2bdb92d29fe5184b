"""The same answers exported through every platform load to the same numbers.

Every fixture encodes tests/canonical.py. Here each one is read with nothing but
auto-detection, its Likert items are taken in file order, and the numbers must
equal the canonical answers, and so each other. The per-platform test files check
the details (ids, texts, metadata, error paths).
"""

from __future__ import annotations

import numpy as np
import pytest

import canonical
import peereval
from helpers import FIXTURES

EXPORTS = {
    "qualtrics/choice_text.csv": "qualtrics",
    "qualtrics/choice_text.xlsx": "qualtrics",
    "qualtrics/numeric_values.csv": "qualtrics",
    "qualtrics/numeric_values.tsv": "qualtrics",
    "qualtrics/legacy_numeric_values.csv": "qualtrics",
    "qualtrics/legacy_choice_text.csv": "qualtrics",
    "surveymonkey/answer_text.csv": "surveymonkey",
    "surveymonkey/answer_text.xlsx": "surveymonkey",
    "surveymonkey/numerical_value.csv": "surveymonkey",
    "google_forms/form_download.csv": "google_forms",
    "google_forms/sheet_download.csv": "google_forms",
    "ms_forms/survey.xlsx": "ms_forms",
    "ms_forms/quiz.xlsx": "ms_forms",
    "ms_forms/survey_saved_as.csv": "ms_forms",
    "redcap/raw.csv": "redcap",
    "redcap/labels.csv": "redcap",
    "redcap/longitudinal_raw.csv": "redcap",
    "limesurvey/codes_numeric.csv": "limesurvey",
    "limesurvey/full_text.csv": "limesurvey",
    "limesurvey/code_and_text.csv": "limesurvey",
    "kobo/xml_values.csv": "kobo",
    "kobo/labels_en.csv": "kobo",
    "kobo/labels_fa.xlsx": "kobo",
    "spss/mentoring.sav": "spss",
    "spss/persian.zsav": "spss",
    "generic/plain.csv": "generic",
    "generic/iranian.xlsx": "generic",
    "generic/university.xls": "generic",
    "generic/university_biff.xls": "generic",
    "generic/porsline_unverified.xlsx": "generic",
}
EXPECTED = np.array(canonical.ANSWERS, dtype=float)


def _first_five(responses):
    return responses.numeric(responses.likert_items[:5]).to_numpy()


@pytest.mark.parametrize(("name", "platform"), EXPORTS.items())
def test_every_export_loads_to_the_canonical_numbers(name, platform):
    responses = peereval.read_export(FIXTURES / name)
    assert responses.platform == platform
    np.testing.assert_array_equal(_first_five(responses), EXPECTED)


@pytest.mark.parametrize(("name", "platform"), EXPORTS.items())
def test_detect_platform_names_the_platform_read_export_uses(name, platform):
    from peereval.loaders import detect_platform

    detected, score = detect_platform(FIXTURES / name)
    assert detected == platform
    assert score >= 0.5 or platform == "generic"


def test_detect_platform_of_a_file_that_is_not_there():
    from peereval.loaders import detect_platform

    with pytest.raises(peereval.PeerevalError) as err:
        detect_platform(FIXTURES / "missing.csv")
    assert "missing.csv" in str(err.value)


def test_redcap_with_its_dictionary_agrees():
    dictionary = FIXTURES / "redcap" / "dictionary.csv"
    for name in ("raw.csv", "labels.csv"):
        responses = peereval.read_export(FIXTURES / "redcap" / name, dictionary=dictionary)
        np.testing.assert_array_equal(_first_five(responses), EXPECTED)


def test_every_fixture_file_is_covered():
    """A new fixture must join the comparison (or be a dictionary/generator/readme).

    ``definitions/`` (survey definition files with their exports) and ``unseen/`` (a
    questionnaire other than the canonical one) have tests of their own.
    """
    own_tests = {"definitions", "unseen"}
    found = {str(p.relative_to(FIXTURES)) for p in FIXTURES.glob("*/*")
             if p.is_file() and p.suffix not in {".py", ".md"}
             and p.relative_to(FIXTURES).parts[0] not in own_tests}
    not_exports = {"redcap/dictionary.csv", "limesurvey/codes_answer_codes.csv"}
    assert found - not_exports == set(EXPORTS)


def test_answer_codes_need_the_survey_structure():
    """LimeSurvey's A1..A5 codes are labels of the survey designer's choosing.

    Without the survey structure the export is refused at once, saying which file to
    download; kept as codes on request, they can be coded with one's own mapping.
    """
    path = FIXTURES / "limesurvey" / "codes_answer_codes.csv"
    with pytest.raises(peereval.errors.LabelError, match="answer codes") as error:
        peereval.read_export(path)
    assert ".lss" in str(error.value)
    assert "definition" in str(error.value)
    responses = peereval.read_export(path, keep_codes=True)
    with pytest.raises(peereval.errors.LabelError, match="match no known"):
        _first_five(responses)
    mapping = {f"A{k}": k for k in range(1, 6)}
    coded = responses.numeric(responses.likert_items[:5], mapping=mapping).to_numpy()
    np.testing.assert_array_equal(coded, EXPECTED)
