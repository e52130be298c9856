"""Business-hours arithmetic across nights, weekends, holidays and daylight-saving changes."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from surveys.reading.clock import add_business_minutes, business_minutes_between, parse_hours

MX = "America/Mexico_City"
MADRID = "Europe/Madrid"


def local(tz, *args):
    return datetime(*args, tzinfo=ZoneInfo(tz))


def test_within_the_same_open_day():
    due = add_business_minutes(local(MX, 2026, 11, 23, 10, 0), 180, MX)  # Monday 10:00 + 3h
    assert due.astimezone(ZoneInfo(MX)) == local(MX, 2026, 11, 23, 13, 0)


def test_rolls_over_the_night_to_the_next_morning():
    due = add_business_minutes(local(MX, 2026, 11, 23, 17, 0), 180, MX)  # 1h left Monday, 2h Tuesday
    assert due.astimezone(ZoneInfo(MX)) == local(MX, 2026, 11, 24, 11, 0)


def test_friday_evening_skips_the_weekend():
    due = add_business_minutes(local(MX, 2026, 11, 27, 20, 0), 180, MX)  # Friday after closing
    assert due.astimezone(ZoneInfo(MX)) == local(MX, 2026, 11, 30, 12, 0)  # Monday 12:00


def test_holidays_are_closed():
    christmas = {date(2026, 12, 25)}
    due = add_business_minutes(local(MX, 2026, 12, 24, 17, 0), 120, MX, holidays=christmas)
    assert due.astimezone(ZoneInfo(MX)) == local(MX, 2026, 12, 28, 10, 0)  # Thu 1h, Fri holiday, Mon 1h


def test_daylight_saving_change_keeps_the_open_hours_right():
    # Spain moves clocks forward on Sunday 29 March 2026; Monday opens at 9:00 local (CEST)
    due = add_business_minutes(local(MADRID, 2026, 3, 27, 17, 0), 120, MADRID)
    assert due.astimezone(ZoneInfo(MADRID)) == local(MADRID, 2026, 3, 30, 10, 0)


def test_the_short_dst_day_has_23_open_hours_for_a_shop_open_around_the_clock():
    always = {d: (0, 24) for d in range(7)}
    sunday, monday = local(MADRID, 2026, 3, 29, 0, 0), local(MADRID, 2026, 3, 30, 0, 0)
    assert business_minutes_between(sunday, monday, MADRID, hours=always) == 23 * 60


def test_a_start_given_in_utc_is_read_in_the_shops_timezone():
    start = datetime(2026, 11, 23, 23, 0, tzinfo=timezone.utc)  # 17:00 in Mexico City
    due = add_business_minutes(start, 60, MX)
    assert due == datetime(2026, 11, 24, 0, 0, tzinfo=timezone.utc)  # 18:00 local, closing time


def test_elapsed_business_minutes_ignore_closed_time():
    start, end = local(MX, 2026, 11, 27, 17, 0), local(MX, 2026, 11, 30, 10, 0)  # Fri 17:00 -> Mon 10:00
    assert business_minutes_between(start, end, MX) == 120


def test_opening_hours_are_validated():
    assert parse_hours({"5": [10, 14]}) == {5: (10, 14)}
    with pytest.raises(ValueError):
        parse_hours({"2": [18, 9]})
