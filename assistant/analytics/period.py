"""The reporting period: calendar days in the service's time zone, turned into UTC bounds for queries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo

CHINA_TZ: tzinfo = timezone(timedelta(hours=8), "Asia/Shanghai")
"""Days are counted in China Standard Time (UTC+8 all year, no daylight saving)."""
MAX_DAYS = 3660
"""The longest bounded period (about ten years): a day-by-day trend stays a sensible size."""


class InvalidPeriodError(ValueError):
    """A date that cannot be read, or a period that ends before it starts."""


def parse_day(value: str | None, name: str = "date") -> date | None:
    """``YYYY-MM-DD`` (or None/empty) as a date; :class:`InvalidPeriodError` with a clear message."""
    if value is None or not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidPeriodError(
            f"{name} 日期格式不正确: {value!r}; use YYYY-MM-DD, e.g. 2026-03-02"
        ) from None


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one (SQLite keeps no offset) is taken to be UTC already."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class Period:
    """Days ``since`` through ``until`` (both inclusive, either open-ended) in time zone ``tz``."""

    since: date | None = None
    until: date | None = None
    tz: tzinfo = CHINA_TZ

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:
            raise InvalidPeriodError(f"since ({self.since}) is after until ({self.until})")
        if self.since and self.until and (self.until - self.since).days >= MAX_DAYS:
            raise InvalidPeriodError(f"the period is longer than {MAX_DAYS} days; choose a shorter one")

    @classmethod
    def parse(cls, since: str | None, until: str | None, tz: tzinfo = CHINA_TZ) -> Period:
        """A period from ISO date strings (the API's and the CLI's query parameters)."""
        return cls(parse_day(since, "since"), parse_day(until, "until"), tz)

    @property
    def start(self) -> datetime | None:
        """The first instant of the period in UTC (None: unbounded)."""
        return self._midnight(self.since) if self.since else None

    @property
    def end(self) -> datetime | None:
        """The first instant after the period in UTC (None: unbounded)."""
        return self._midnight(self.until + timedelta(days=1)) if self.until else None

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), self.tz).astimezone(UTC)

    def day_of(self, moment: datetime) -> date:
        """The local calendar day of a stored timestamp."""
        return as_utc(moment).astimezone(self.tz).date()

    def contains(self, moment: datetime) -> bool:
        utc = as_utc(moment)
        return (self.start is None or utc >= self.start) and (self.end is None or utc < self.end)

    def days(self, seen: set[date]) -> Iterator[date]:
        """Every day of the period, open ends closed by the earliest/latest day ``seen``."""
        first = self.since or (min(seen) if seen else self.until)
        last = self.until or (max(seen) if seen else self.since)
        if first is None or last is None:
            return
        day = first
        while day <= last:
            yield day
            day += timedelta(days=1)

    def describe(self) -> str:
        """``2026-03-01 — 2026-03-31``, ``2026-03-01 起``, ``2026-03-31 止`` or ``全部日期``."""
        if self.since and self.until:
            return f"{self.since} — {self.until}"
        if self.since or self.until:
            return f"{self.since} 起" if self.since else f"{self.until} 止"
        return "全部日期"
