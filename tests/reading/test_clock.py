"""Business-hours arithmetic across nights, weekends, holidays and daylight-saving changes."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from surveys.reading.clock import (
    ShopClock,
    add_business_minutes,
    business_minutes_between,
    parse_holidays,
    parse_hours,
    parse_send_window,
)

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


class _StoreLike:
    timezone = MADRID
    opening_hours = {"0": [9, 18], "1": [9, 18], "2": [9, 18], "3": [9, 18], "4": [9, 14]}
    holidays = ["2026-12-25"]
    send_window_start, send_window_end = 9, 20


def test_one_clock_answers_due_elapsed_and_send_time_for_a_shop():
    clock = ShopClock.of(_StoreLike())
    christmas_eve_noon = local(MADRID, 2026, 12, 24, 12, 0)  # Thursday; Friday 25th is a holiday
    due = clock.due(christmas_eve_noon, 8 * 60)  # 6 h on Thursday, the rest on Monday 28th
    assert clock.local(due) == local(MADRID, 2026, 12, 28, 11, 0)
    assert clock.elapsed_minutes(christmas_eve_noon, due) == 8 * 60
    # Sending hours apply every day, holidays included: customers read mail on the 25th.
    assert clock.local(clock.next_send_time(local(MADRID, 2026, 12, 25, 6, 30))) == local(MADRID, 2026, 12, 25, 9, 0)


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ((2026, 11, 23, 8, 59), (2026, 11, 23, 9, 0)),  # before opening: that morning
        ((2026, 11, 23, 9, 0), (2026, 11, 23, 9, 0)),  # inside: unchanged
        ((2026, 11, 23, 19, 59), (2026, 11, 23, 19, 59)),
        ((2026, 11, 23, 20, 0), (2026, 11, 24, 9, 0)),  # at closing: next morning
        ((2026, 3, 29, 1, 0), (2026, 3, 29, 9, 0)),  # the spring-forward night in Madrid
    ],
)
def test_next_send_time_moves_into_the_local_sending_hours(at, expected):
    clock = ShopClock(tz_name=MADRID, send_window=(9, 20))
    assert clock.next_send_time(local(MADRID, *at)) == local(MADRID, *expected)


def test_without_sending_hours_any_moment_is_a_send_time():
    moment = datetime(2026, 11, 23, 3, 0, tzinfo=timezone.utc)
    assert ShopClock(tz_name=MX).next_send_time(moment) == moment


@pytest.mark.parametrize(
    ("text", "problem"), [("9", "format"), ("a-b", "format"), ("20-9", "range"), ("0-25", "range")]
)
def test_a_bad_send_window_says_what_is_wrong(text, problem):
    with pytest.raises(ValueError, match=problem):
        parse_send_window(text)
    assert parse_send_window("9-20") == (9, 20)
    assert parse_send_window("") is None


def test_holidays_parse_to_dates_and_refuse_garbage():
    assert parse_holidays(["2026-12-25", "2027-01-01"]) == {date(2026, 12, 25), date(2027, 1, 1)}
    with pytest.raises(ValueError):
        parse_holidays(["25/12/2026"])
