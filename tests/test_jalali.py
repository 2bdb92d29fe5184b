"""Jalali (Solar Hijri) to Gregorian conversion against an independent reference.

The reference is ``jdatetime`` (a test-only dependency), whose leap years follow the
33-year arithmetic rule, while peereval follows Borkowski's (1996) break-year
algorithm; the two agree from 1300 to 1500 SH, the range checked here day by day.
"""

from __future__ import annotations

import datetime as dt

import jdatetime
import pytest

from peereval.loaders._common import jalali_to_gregorian

FIRST_YEAR, LAST_YEAR = 1300, 1500


def _month_length(year: int, month: int) -> int:
    if month <= 6:
        return 31
    if month <= 11:
        return 30
    return 30 if jdatetime.date(year, 1, 1).isleap() else 29


def test_every_day_from_1300_to_1500_matches_jdatetime():
    mismatches = []
    previous = None
    days = 0
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            for day in range(1, _month_length(year, month) + 1):
                ours = jalali_to_gregorian(year, month, day)
                reference = jdatetime.date(year, month, day).togregorian()
                if ours != reference:
                    mismatches.append(((year, month, day), ours, reference))
                # consecutive Jalali days are consecutive Gregorian days
                if previous is not None and ours - previous != dt.timedelta(days=1):
                    mismatches.append(((year, month, day), ours, previous))
                previous = ours
                days += 1
    assert not mismatches[:10]
    # 201 Jalali years, from 1 Farvardin 1300 to 29 Esfand 1500
    assert days == (jalali_to_gregorian(1501, 1, 1) - jalali_to_gregorian(1300, 1, 1)).days


@pytest.mark.parametrize(("jalali", "gregorian"), [
    ((1399, 1, 1), dt.date(2020, 3, 20)),   # Nowruz 1399
    ((1403, 1, 1), dt.date(2024, 3, 20)),   # Nowruz 1403
    ((1404, 1, 1), dt.date(2025, 3, 21)),   # Nowruz 1404 (after the leap year 1403)
    ((1403, 12, 30), dt.date(2025, 3, 20)),  # the leap day of 1403
    ((1357, 11, 22), dt.date(1979, 2, 11)),  # 22 Bahman 1357
    ((1300, 1, 1), dt.date(1921, 3, 21)),
    ((1402, 12, 15), dt.date(2024, 3, 5)),
])
def test_known_dates(jalali, gregorian):
    assert jalali_to_gregorian(*jalali) == gregorian


def test_leap_years():
    assert jalali_to_gregorian(1403, 12, 30) == dt.date(2025, 3, 20)
    with pytest.raises(ValueError, match="not a Jalali leap year"):
        jalali_to_gregorian(1402, 12, 30)
    leap = [y for y in range(1395, 1412) if jdatetime.date(y, 1, 1).isleap()]
    assert leap == [1395, 1399, 1403, 1408]
    for year in range(1395, 1412):
        if year in leap:
            next_nowruz = jalali_to_gregorian(year + 1, 1, 1)
            assert jalali_to_gregorian(year, 12, 30) + dt.timedelta(days=1) == next_nowruz
        else:
            with pytest.raises(ValueError, match="Esfand has 29 days"):
                jalali_to_gregorian(year, 12, 30)


@pytest.mark.parametrize("bad", [(1402, 0, 1), (1402, 13, 1), (1402, 7, 31), (1402, 1, 32),
                                 (1402, 1, 0)])
def test_invalid_dates_are_refused(bad):
    with pytest.raises(ValueError, match="invalid Jalali date"):
        jalali_to_gregorian(*bad)
