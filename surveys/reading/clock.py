"""The shop's clock: its timezone, opening hours, holidays and sending hours, in one place.

``ShopClock`` answers every time question the product asks about a shop: when a task is due
(``due``), how much open time passed (``elapsed_minutes``), when an email may go out
(``next_send_time``), how a moment reads on the shop's wall (``local``) and which instants
a run of the shop's calendar days covers (``day_span``). The functions
below it count only open hours, across nights, weekends, holidays and daylight-saving
changes. Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
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


def parse_holidays(days: Iterable[str] | None) -> frozenset[date]:
    """["2026-12-25", ...] (as stored in JSON) -> dates; a bad entry is refused with ValueError."""
    return frozenset(date.fromisoformat(d) for d in (days or []))


_WINDOW = re.compile(r"([0-9]{1,2}) *- *([0-9]{1,2})")


def parse_send_window(text: str | None) -> tuple[int, int] | None:
    """'9-20' -> (9, 20) local hours; empty -> None (any hour).

    ValueError("format") when it is not two whole hours, ValueError("range") when they are
    not 0-24 with the start first.
    """
    if not text:
        return None
    found = _WINDOW.fullmatch(text.strip())  # ASCII digits only: int() also takes "٣" and "1_0"
    if found is None:
        raise ValueError("format")
    start, end = int(found.group(1)), int(found.group(2))
    if not (0 <= start < end <= 24):
        raise ValueError("range")
    return start, end


@dataclass(frozen=True)
class ShopClock:
    """One shop's sense of time. Build it with ``ShopClock.of(store)``."""

    tz_name: str
    hours: Mapping[int, tuple[int, int]] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    holidays: frozenset[date] = frozenset()
    send_window: tuple[int, int] | None = None  # local sending hours, every day; None = any hour

    @classmethod
    def of(cls, store) -> ShopClock:
        """From anything with the store's attributes (timezone, opening_hours, holidays, send window)."""
        start, end = getattr(store, "send_window_start", None), getattr(store, "send_window_end", None)
        return cls(
            tz_name=store.timezone,
            hours=parse_hours(store.opening_hours),
            holidays=parse_holidays(store.holidays),
            send_window=(start, end) if start is not None and end is not None else None,
        )

    def due(self, start: datetime, business_minutes: int) -> datetime:
        """The moment ``business_minutes`` of open time after ``start``."""
        return add_business_minutes(start, business_minutes, self.tz_name, dict(self.hours), set(self.holidays))

    def elapsed_minutes(self, start: datetime, end: datetime) -> float:
        """Open minutes between two moments."""
        return business_minutes_between(start, end, self.tz_name, dict(self.hours), set(self.holidays))

    def next_send_time(self, when: datetime) -> datetime:
        """``when`` itself inside the sending hours, else the next opening of the window.

        Customers read mail on weekends and holidays too: the window applies every day.
        """
        if self.send_window is None:
            return when
        window = {d: self.send_window for d in range(7)}
        return add_business_minutes(when, 0, self.tz_name, window)

    def local(self, when: datetime) -> datetime:
        """``when`` on the shop's wall clock."""
        return when.astimezone(ZoneInfo(self.tz_name))

    def day_span(self, start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
        """The UTC instants [lo, hi) of the shop's days ``start`` to ``end``, both included (None:
        open on that side): from the local midnight that starts ``start`` to the one after ``end``.
        A day is 23 or 25 hours long when the clocks change; a midnight the clocks skip starts
        the day at the change."""
        tz = ZoneInfo(self.tz_name)
        lo = datetime.combine(start, time.min, tzinfo=tz).astimezone(UTC) if start else None
        hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC) if end else None
        return lo, hi
