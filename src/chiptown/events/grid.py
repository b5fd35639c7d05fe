"""Where sessions go in the programme editor's grid: one day at a time, rooms as columns, 5-minute rows. Pure
layout on plain data; the page places each session with utility classes from chiptown.css (pg-c*, pg-r*, pg-h*)
because the Content Security Policy forbids inline styles."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Five minutes: programmes are timed to the five minutes, so back-to-back sessions (09:00-09:40, 09:40-10:20) meet
# on a row line instead of sharing a row (and being drawn side by side as if they overlapped).
STEP_MINUTES = 5
DAY_MINUTES = 24 * 60
DEFAULT_FIRST_MINUTE = 8 * 60
DEFAULT_LAST_MINUTE = 19 * 60
# Grid line 1 holds the room names and column 1 the times; chiptown.css has classes up to these numbers.
FIRST_ROW, FIRST_COLUMN = 2, 2
MAX_ROWS = DAY_MINUTES // STEP_MINUTES  # 288
MAX_ROOM_COLUMNS = 40
MAX_LANES = 3

# Track colours the grid can show (class track-<name>); a track's own colour is drawn as the nearest of these.
PALETTE: tuple[tuple[str, str], ...] = (
    ("blue", "#1f6feb"),
    ("green", "#1a7f37"),
    ("orange", "#d4760a"),
    ("red", "#c62828"),
    ("purple", "#7a4dd8"),
    ("teal", "#0e7c86"),
    ("pink", "#c2185b"),
    ("olive", "#6b7d12"),
    ("brown", "#8d5524"),
    ("grey", "#5b6575"),
)


def _rgb(colour: str) -> tuple[int, int, int] | None:
    text = colour.strip().lstrip("#")
    if len(text) != 6:
        return None
    try:
        return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
    except ValueError:
        return None


def track_class(colour: str | None) -> str:
    """The palette class nearest a track's colour ("track-none" without a track)."""
    if not colour:
        return "track-none"
    rgb = _rgb(colour)
    if rgb is None:
        return "track-none"

    def distance(entry: tuple[str, str]) -> int:
        other = _rgb(entry[1])
        assert other is not None
        return sum((a - b) ** 2 for a, b in zip(rgb, other, strict=True))

    return f"track-{min(PALETTE, key=distance)[0]}"


@dataclass(frozen=True)
class Item:
    """A scheduled session as the grid sees it."""

    session_id: int
    room_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime


@dataclass(frozen=True)
class Placed:
    session_id: int
    column: int
    row: int
    span: int
    lane: int

    @property
    def classes(self) -> str:
        lane = f" pg-lane{self.lane}" if self.lane else ""
        return f"pg-c{self.column} pg-r{self.row} pg-h{self.span}{lane}"


@dataclass(frozen=True)
class Band:
    """A stretch of the time column (up to an hour) with its label."""

    row: int
    span: int
    label: str

    @property
    def classes(self) -> str:
        return f"pg-r{self.row} pg-h{self.span}"


@dataclass(frozen=True)
class DayGrid:
    first_minute: int
    last_minute: int
    bands: list[Band]
    placed: list[Placed]

    @property
    def rows(self) -> int:
        return (self.last_minute - self.first_minute) // STEP_MINUTES


def _minute_of_day(value: datetime.datetime, day: datetime.date, zone: datetime.tzinfo) -> int:
    local = value.astimezone(zone)
    if local.date() < day:
        return 0
    if local.date() > day:
        return DAY_MINUTES
    return local.hour * 60 + local.minute


def on_day(item: Item, day: datetime.date, zone: datetime.tzinfo) -> bool:
    return item.starts_at.astimezone(zone).date() == day


def layout_day(
    items: Sequence[Item], *, room_columns: Mapping[int, int], day: datetime.date, zone: datetime.tzinfo
) -> DayGrid:
    """Place the sessions starting on `day` (in `zone`) whose room has a column (room id → 0-based index). The
    rows run from the earlier of 08:00 and the first session to the later of 19:00 and the last, on 5-minute
    steps; a session off the steps covers every step it touches. Sessions overlapping in one room (by their real
    times, so sessions that merely meet do not) are drawn in lanes, side by side."""
    spans: list[tuple[Item, int, int, int, int]] = []  # item, drawn start and end, real start and end
    for item in items:
        if item.room_id not in room_columns or not on_day(item, day, zone):
            continue
        real_start = _minute_of_day(item.starts_at, day, zone)
        real_end = _minute_of_day(item.ends_at, day, zone)
        start = real_start // STEP_MINUTES * STEP_MINUTES
        end = -(-real_end // STEP_MINUTES) * STEP_MINUTES
        spans.append((item, start, max(end, start + STEP_MINUTES), real_start, real_end))
    first = min([DEFAULT_FIRST_MINUTE, *(span[1] for span in spans)])
    last = min(DAY_MINUTES, max([DEFAULT_LAST_MINUTE, *(span[2] for span in spans)]))
    placed: list[Placed] = []
    lanes_by_room: dict[int, list[int]] = {}  # per room, the (real) minute each lane is free again
    for item, start, end, real_start, real_end in sorted(spans, key=lambda s: (s[3], s[0].session_id)):
        lanes = lanes_by_room.setdefault(item.room_id, [])
        lane = next((index for index, free_at in enumerate(lanes) if free_at <= real_start), len(lanes))
        if lane == len(lanes):
            lanes.append(real_end)
        else:
            lanes[lane] = real_end
        placed.append(
            Placed(
                session_id=item.session_id,
                column=FIRST_COLUMN + room_columns[item.room_id],
                row=FIRST_ROW + (start - first) // STEP_MINUTES,
                span=(end - start) // STEP_MINUTES,
                lane=min(lane, MAX_LANES - 1),
            )
        )
    bands: list[Band] = []
    minute = first
    while minute < last:
        next_hour = min(last, (minute // 60 + 1) * 60)
        bands.append(
            Band(
                row=FIRST_ROW + (minute - first) // STEP_MINUTES,
                span=(next_hour - minute) // STEP_MINUTES,
                label=f"{minute // 60:02d}:{minute % 60:02d}",
            )
        )
        minute = next_hour
    return DayGrid(first_minute=first, last_minute=last, bands=bands, placed=placed)


def css_utilities() -> str:
    """The grid's utility classes as chiptown.css holds them (kept here so a test can check the stylesheet)."""
    rows = " ".join(f".pg-r{n}{{grid-row-start:{n}}}" for n in range(1, FIRST_ROW + MAX_ROWS))
    spans = " ".join(f".pg-h{n}{{grid-row-end:span {n}}}" for n in range(1, MAX_ROWS + 1))
    columns = " ".join(f".pg-c{n}{{grid-column:{n}}}" for n in range(1, FIRST_COLUMN + MAX_ROOM_COLUMNS))
    return "\n".join((rows, spans, columns))
