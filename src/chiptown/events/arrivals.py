"""Arrivals per quarter hour on a check-in day, and the bar chart the figures page draws from them as inline SVG
(server-side, no script). Pure: check-in times in, plain data out."""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

SLOT_MINUTES = 15

# The chart's drawing area in SVG user units; the page scales it to its width.
WIDTH = 720
HEIGHT = 180
LEFT = 36  # room for the count labels
BOTTOM = 22  # room for the hour labels
TOP = 8


@dataclass(frozen=True)
class Slot:
    """One quarter hour: when it starts (in the event's zone) and how many people checked in during it."""

    starts_at: datetime.datetime
    count: int


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    slot: Slot

    @property
    def label(self) -> str:
        return self.slot.starts_at.strftime("%H:%M")


@dataclass(frozen=True)
class Tick:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class ArrivalsChart:
    day: datetime.date
    slots: list[Slot]
    bars: list[Bar]
    hour_ticks: list[Tick]
    count_ticks: list[Tick]
    peak: int
    total: int
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    baseline: int = HEIGHT - BOTTOM

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def arrival_days(times: Iterable[datetime.datetime], *, zone: datetime.tzinfo) -> list[datetime.date]:
    """The days (in the event's zone) on which anyone checked in, in order."""
    return sorted({moment.astimezone(zone).date() for moment in times})


def arrivals_per_slot(
    times: Iterable[datetime.datetime], *, zone: datetime.tzinfo, day: datetime.date, minutes: int = SLOT_MINUTES
) -> list[Slot]:
    """Check-ins per `minutes` on `day`, from the whole hour before the first arrival to the whole hour after the
    last, with empty slots in between kept (a chart must show the quiet quarter hours too)."""
    if minutes <= 0 or 60 % minutes:
        raise ValueError("minutes must divide an hour")
    counts: Counter[int] = Counter()
    for moment in times:
        local = moment.astimezone(zone)
        if local.date() == day:
            counts[(local.hour * 60 + local.minute) // minutes] += 1
    if not counts:
        return []
    per_hour = 60 // minutes
    first = min(counts) // per_hour * per_hour
    last = (max(counts) // per_hour + 1) * per_hour  # exclusive
    midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=zone)
    return [
        Slot(starts_at=midnight + datetime.timedelta(minutes=index * minutes), count=counts.get(index, 0))
        for index in range(first, last)
    ]


def _nice_step(peak: int) -> int:
    """A round step for the count axis giving two to five lines."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        if peak / step <= 4:
            return step
    return max(1, peak // 4)


def arrivals_chart(
    times: Iterable[datetime.datetime], *, zone: datetime.tzinfo, day: datetime.date, minutes: int = SLOT_MINUTES
) -> ArrivalsChart | None:
    """The bar chart of one day's arrivals, or None if nobody checked in that day."""
    slots = arrivals_per_slot(times, zone=zone, day=day, minutes=minutes)
    if not slots:
        return None
    peak = max(slot.count for slot in slots)
    plot_width = WIDTH - LEFT
    plot_height = HEIGHT - BOTTOM - TOP
    baseline = HEIGHT - BOTTOM
    slot_width = plot_width / len(slots)
    gap = min(2.0, slot_width / 5)
    bars = []
    for index, slot in enumerate(slots):
        height = plot_height * slot.count / peak if peak else 0.0
        bars.append(
            Bar(
                x=round(LEFT + index * slot_width + gap / 2, 2),
                y=round(baseline - height, 2),
                width=round(slot_width - gap, 2),
                height=round(height, 2),
                slot=slot,
            )
        )
    per_hour = 60 // minutes
    hour_ticks = [
        Tick(x=round(LEFT + index * slot_width, 2), y=HEIGHT - 6, label=slot.starts_at.strftime("%H:%M"))
        for index, slot in enumerate(slots)
        if index % per_hour == 0
    ]
    step = _nice_step(peak)
    count_ticks = [
        Tick(x=LEFT - 4, y=round(baseline - plot_height * value / peak, 2), label=str(value))
        for value in range(0, peak + 1, step)
    ]
    return ArrivalsChart(
        day=day,
        slots=slots,
        bars=bars,
        hour_ticks=hour_ticks,
        count_ticks=count_ticks,
        peak=peak,
        total=sum(slot.count for slot in slots),
    )
