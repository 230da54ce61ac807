"""The citizenship timeline as SVG geometry: one row per event, a marker on a shared date axis."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WIDTH = 640
LEFT, RIGHT = 16, 16
ROW = 30
TOP = 12


@dataclass(frozen=True)
class Mark:
    label: str
    date: dt.date
    x: float
    y: float
    conditional: bool
    anchor: str


@dataclass(frozen=True)
class Timeline:
    marks: tuple[Mark, ...]
    height: int
    axis_y: int
    ticks: tuple[tuple[float, int], ...]
    width: int = WIDTH


def timeline(events: list[tuple[str, dt.date, bool]]) -> Timeline | None:
    """Events are (label, date, conditional); conditional ones (e.g. only if wounded) are drawn dashed."""
    if not events:
        return None
    events = sorted(events, key=lambda event: event[1])
    first, last = events[0][1], events[-1][1]
    first = dt.date(first.year, 1, 1)
    last = dt.date(last.year + 1, 1, 1)
    span = (last - first).days
    usable = WIDTH - LEFT - RIGHT

    def x_of(day: dt.date) -> float:
        return round(LEFT + usable * (day - first).days / span, 1)

    marks = []
    for row, (label, day, conditional) in enumerate(events):
        x = x_of(day)
        anchor = "end" if x > WIDTH * 0.6 else "start"
        marks.append(Mark(label, day, x, TOP + ROW * row + ROW / 2, conditional, anchor))
    axis_y = TOP + ROW * len(events) + 8
    step = max(1, (last.year - first.year) // 8)
    ticks = tuple((x_of(dt.date(year, 1, 1)), year) for year in range(first.year, last.year + 1, step))
    return Timeline(tuple(marks), axis_y + 26, axis_y, ticks)
