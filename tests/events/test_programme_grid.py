"""The editor's grid layout (events.grid): pure placement of sessions in 5-minute rows and room columns, with the
utility classes chiptown.css must define (the CSP forbids inline styles)."""

import datetime
import zoneinfo
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from chiptown.events import grid

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
DAY = datetime.date(2027, 6, 15)


def local(hour: int, minute: int = 0, day: int = 0) -> datetime.datetime:
    return datetime.datetime(2027, 6, 15 + day, hour, minute, tzinfo=SHANGHAI)


def item(session_id: int, room_id: int, start: datetime.datetime, end: datetime.datetime) -> grid.Item:
    return grid.Item(session_id=session_id, room_id=room_id, starts_at=start, ends_at=end)


def test_an_empty_day_runs_from_eight_to_seven() -> None:
    layout = grid.layout_day([], room_columns={1: 0}, day=DAY, zone=SHANGHAI)
    assert (layout.first_minute, layout.last_minute, layout.rows) == (8 * 60, 19 * 60, 132)
    assert [band.label for band in layout.bands][:2] == ["08:00", "09:00"] and len(layout.bands) == 11
    assert layout.bands[0].classes == "pg-r2 pg-h12"


def test_sessions_widen_the_day_and_sit_in_their_room_column() -> None:
    items = [
        item(1, 10, local(7, 30), local(8, 15)),
        item(2, 20, local(9, 12), local(9, 50)),  # off the five minutes: covers 09:10-09:50
        item(3, 10, local(20, 0), local(21, 0)),
        item(4, 10, local(9, 0, day=1), local(10, 0, day=1)),  # the next day
        item(5, 99, local(9, 0), local(10, 0)),  # a room without a column is left out
    ]
    layout = grid.layout_day(items, room_columns={10: 0, 20: 1}, day=DAY, zone=SHANGHAI)
    assert (layout.first_minute, layout.last_minute) == (7 * 60 + 30, 21 * 60)
    assert {p.session_id: p.classes for p in layout.placed} == {
        1: "pg-c2 pg-r2 pg-h9",
        2: "pg-c3 pg-r22 pg-h8",
        3: "pg-c2 pg-r152 pg-h12",
    }
    assert layout.bands[0].label == "07:30" and layout.bands[0].span == 6


def test_overlapping_sessions_in_one_room_go_in_lanes() -> None:
    items = [
        item(1, 1, local(9), local(10)),
        item(2, 1, local(9, 30), local(10, 30)),
        item(3, 1, local(10), local(11)),
    ]
    layout = grid.layout_day(items, room_columns={1: 0}, day=DAY, zone=SHANGHAI)
    assert {p.session_id: p.lane for p in layout.placed} == {1: 0, 2: 1, 3: 0}
    assert "pg-lane1" in next(p.classes for p in layout.placed if p.session_id == 2)


def test_back_to_back_sessions_share_a_lane() -> None:
    items = [item(1, 1, local(9), local(9, 40)), item(2, 1, local(9, 40), local(10, 20))]
    layout = grid.layout_day(items, room_columns={1: 0}, day=DAY, zone=SHANGHAI)
    assert {p.session_id: (p.lane, p.row, p.span) for p in layout.placed} == {1: (0, 14, 8), 2: (0, 22, 8)}


def test_a_session_running_past_midnight_stops_at_the_end_of_the_day() -> None:
    layout = grid.layout_day([item(1, 1, local(23), local(1, day=1))], room_columns={1: 0}, day=DAY, zone=SHANGHAI)
    assert layout.last_minute == 24 * 60
    assert layout.placed[0].row + layout.placed[0].span == grid.FIRST_ROW + layout.rows


@given(
    st.lists(
        st.tuples(st.integers(0, 95), st.integers(1, 96), st.integers(0, 2)).map(
            lambda t: (t[0], min(96, t[0] + t[1]), t[2])
        ),
        max_size=12,
    )
)
def test_every_placement_has_a_class_in_the_stylesheet(quarters: list[tuple[int, int, int]]) -> None:
    midnight = datetime.datetime.combine(DAY, datetime.time(0), tzinfo=SHANGHAI)
    items = [
        item(n, room, midnight + datetime.timedelta(minutes=15 * a), midnight + datetime.timedelta(minutes=15 * b))
        for n, (a, b, room) in enumerate(quarters)
    ]
    layout = grid.layout_day(items, room_columns={0: 0, 1: 1, 2: 2}, day=DAY, zone=SHANGHAI)
    assert len(layout.placed) == len(items)
    for placed in layout.placed:
        assert placed.row >= grid.FIRST_ROW and placed.row + placed.span <= grid.FIRST_ROW + layout.rows
        assert 1 <= placed.span <= grid.MAX_ROWS and placed.row <= grid.FIRST_ROW + grid.MAX_ROWS - 1


def test_the_stylesheet_defines_the_grid_classes_and_track_colours() -> None:
    css = (Path(grid.__file__).parent.parent / "core" / "static" / "core" / "chiptown.css").read_text()
    assert grid.css_utilities() in css
    for name, _colour in grid.PALETTE:
        assert f".track-{name} {{" in css


def test_a_tracks_colour_is_drawn_as_the_nearest_palette_colour() -> None:
    assert grid.track_class("#1f6feb") == "track-blue"
    assert grid.track_class("#2070f0") == "track-blue"
    assert grid.track_class("#ff0000") == "track-red"
    assert grid.track_class(None) == "track-none" and grid.track_class("red") == "track-none"
