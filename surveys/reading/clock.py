"""Service-level clocks in business time: the shop's opening hours, timezone and holidays.

``add_business_minutes`` answers "when is this due?" and ``business_minutes_between``
"how long did it take?", both counting only open hours, across nights, weekends,
holidays and daylight-saving changes. Pure: no Flask, no database.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")
# weekday (0 = Monday) -> (opening hour, closing hour), local time; absent day = closed
DEFAULT_HOURS: dict[int, tuple[int, int]] = {d: (9, 18) for d in range(5)}


def _windows(day: date, hours: dict[int, tuple[int, int]], holidays: set[date], tz: ZoneInfo):
    """The open interval of one local day as aware datetimes, or None when closed."""
    if day in holidays or day.weekday() not in hours:
        return None
    start, end = hours[day.weekday()]
    opens = datetime.combine(day, time(start), tzinfo=tz)
    closes = (
        datetime.combine(day, time(0), tzinfo=tz) + timedelta(days=1)
        if end >= 24
        else datetime.combine(day, time(end), tzinfo=tz)
    )
    return opens, closes


def add_business_minutes(
    start: datetime,
    minutes: int,
    tz_name: str,
    hours: dict[int, tuple[int, int]] | None = None,
    holidays: set[date] | None = None,
) -> datetime:
    """The moment ``minutes`` of open time after ``start`` (returned in UTC-aware form)."""
    tz = ZoneInfo(tz_name)
    hours = hours or DEFAULT_HOURS
    holidays = holidays or set()
    if not hours:
        raise ValueError("opening hours must include at least one day")
    local = start.astimezone(tz)
    remaining = timedelta(minutes=minutes)
    day = local.date()
    for _ in range(3660):  # ten years of days is a bound, not a limit anyone reaches
        window = _windows(day, hours, holidays, tz)
        if window:
            opens, closes = window
            begin = max(opens, local)
            if begin < closes:
                # wall-clock arithmetic in UTC keeps DST days the right length
                available = closes.astimezone(UTC) - begin.astimezone(UTC)
                if remaining <= available:
                    return (begin.astimezone(UTC) + remaining).astimezone(start.tzinfo)
                remaining -= available
        day += timedelta(days=1)
        local = datetime.combine(day, time(0), tzinfo=tz)
    raise ValueError("no opening hours found within ten years")


def business_minutes_between(
    start: datetime,
    end: datetime,
    tz_name: str,
    hours: dict[int, tuple[int, int]] | None = None,
    holidays: set[date] | None = None,
) -> float:
    """Open minutes elapsed between two moments (0 when end is not after start)."""
    if end <= start:
        return 0.0
    tz = ZoneInfo(tz_name)
    hours = hours or DEFAULT_HOURS
    holidays = holidays or set()
    total = timedelta()
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    while day <= last:
        window = _windows(day, hours, holidays, tz)
        if window:
            opens, closes = window
            a, b = max(opens, start), min(closes, end)
            if b > a:  # subtract in UTC: same-zone aware datetimes subtract as wall clocks
                total += b.astimezone(UTC) - a.astimezone(UTC)
        day += timedelta(days=1)
    return total.total_seconds() / 60


def parse_hours(spec: dict | None) -> dict[int, tuple[int, int]]:
    """{"0": [9, 18], ...} (as stored in JSON) -> {0: (9, 18), ...}; bad entries are refused."""
    if not spec:
        return dict(DEFAULT_HOURS)
    out = {}
    for key, value in spec.items():
        day = int(key)
        start, end = int(value[0]), int(value[1])
        if not (0 <= day <= 6 and 0 <= start < end <= 24):
            raise ValueError(f"bad opening hours for day {key}: {value}")
        out[day] = (start, end)
    return out
