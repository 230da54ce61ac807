"""Calendar arithmetic on plain dates (never times or time zones)."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Literal

from servicepath.language.values import Duration

LeapDayBirthday = Literal["feb28", "mar1"]


def age_on(birth: dt.date, on: dt.date, leap_day_birthday: LeapDayBirthday = "feb28") -> int:
    """Whole years of age on a date. A person born on 29 February turns a year older in a common year on
    28 February or 1 March, as the pack's jurisdiction says."""
    birthday = (birth.month, birth.day)
    if birthday == (2, 29) and leap_day_birthday == "feb28" and not calendar.isleap(on.year):
        birthday = (2, 28)
    return on.year - birth.year - (1 if (on.month, on.day) < birthday else 0)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from start to end, counted by day of month."""
    return (end.year - start.year) * 12 + end.month - start.month - (1 if end.day < start.day else 0)


def days_between(start: dt.date, end: dt.date) -> int:
    return (end - start).days


def add(date: dt.date, duration: Duration, sign: int = 1) -> dt.date:
    """Add (or subtract) months first, keeping the day but no later than the month's last day, then days."""
    months = date.year * 12 + date.month - 1 + sign * duration.months
    year, month = divmod(months, 12)
    day = min(date.day, calendar.monthrange(year, month + 1)[1])
    return dt.date(year, month + 1, day) + dt.timedelta(days=sign * duration.days)
