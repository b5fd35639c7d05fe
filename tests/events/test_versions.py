"""The published programme's snapshot and diff (events.versions): pure functions, checked on examples and on
random schedules."""

import datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from chiptown.events import versions

UTC = datetime.UTC
BASE = datetime.datetime(2027, 6, 15, 1, 0, tzinfo=UTC)


def entry(
    room: int = 1, start: int = 0, minutes: int = 60, title: str = "Keynote", speakers: Any = ()
) -> dict[str, Any]:
    return versions.session_entry(
        kind="keynote",
        title_zh="",
        title_en=title,
        track=None,
        room=room,
        starts_at=BASE + datetime.timedelta(minutes=start),
        ends_at=BASE + datetime.timedelta(minutes=start + minutes),
        capacity=None,
        closed_door=False,
        speakers=speakers,
    )


def test_an_entry_has_the_contract_fields_with_utc_times() -> None:
    shanghai = datetime.timezone(datetime.timedelta(hours=8))
    value = versions.session_entry(
        kind="panel",
        title_zh="圆桌",
        title_en="Panel",
        track=3,
        room=7,
        starts_at=datetime.datetime(2027, 6, 15, 9, 0, tzinfo=shanghai),
        ends_at=datetime.datetime(2027, 6, 15, 10, 30, tzinfo=shanghai),
        capacity=40,
        closed_door=True,
        speakers=[(5, "moderator"), (6, "panellist")],
    )
    assert value == {
        "kind": "panel",
        "title_zh": "圆桌",
        "title_en": "Panel",
        "track": 3,
        "room": 7,
        "starts_at": "2027-06-15T01:00:00+00:00",
        "ends_at": "2027-06-15T02:30:00+00:00",
        "capacity": 40,
        "closed_door": True,
        "speakers": [[5, "moderator"], [6, "panellist"]],
    }
    assert versions.utc_time(value["starts_at"]) == datetime.datetime(2027, 6, 15, 1, 0, tzinfo=UTC)


def test_diff_names_each_kind_of_change() -> None:
    before = {"1": entry(), "2": entry(room=2), "3": entry(title="Old"), "4": entry(speakers=[(1, "speaker")])}
    after = {
        "1": entry(room=3, start=30),
        "3": entry(title="New"),
        "4": entry(speakers=[(2, "speaker")]),
        "5": entry(room=1, start=120),
    }
    changes = versions.diff(before, after)
    assert [(c["session"], c["change"]) for c in changes] == [
        (1, "moved"),
        (1, "retimed"),
        (2, "removed"),
        (3, "renamed"),
        (4, "speakers"),
        (5, "added"),
    ]
    assert changes[0]["before"] == {"room": 1} and changes[0]["after"] == {"room": 3}
    assert changes[1]["after"] == {"starts_at": "2027-06-15T01:30:00+00:00", "ends_at": "2027-06-15T02:30:00+00:00"}
    assert changes[2]["before"] == before["2"] and changes[2]["after"] == {}
    assert changes[3]["before"] == {"title_zh": "", "title_en": "Old"}
    assert changes[5]["after"] == after["5"] and changes[5]["before"] == {}
    assert versions.changed_sessions(changes) == [1, 2, 3, 4, 5]


def test_details_that_no_change_kind_covers_make_schedules_differ_without_changes() -> None:
    before = {"1": entry()}
    after = {"1": {**entry(), "capacity": 30}}
    assert versions.diff(before, after) == []
    assert not versions.same(before, after)
    assert versions.same(before, {"1": entry()})


def test_sessions_are_ordered_by_number_not_as_text() -> None:
    changes = versions.diff({}, {"10": entry(), "9": entry()})
    assert [c["session"] for c in changes] == [9, 10]


entries = st.builds(
    entry,
    room=st.integers(1, 3),
    start=st.integers(0, 8).map(lambda n: n * 30),
    minutes=st.sampled_from([30, 45, 60]),
    title=st.sampled_from(["Keynote", "Panel", "Salon"]),
    speakers=st.lists(st.tuples(st.integers(1, 4), st.sampled_from(["speaker", "moderator"])), max_size=2),
)
schedules = st.dictionaries(st.integers(1, 12).map(str), entries, max_size=8)


@given(schedules)
def test_a_schedule_does_not_differ_from_itself(schedule: dict[str, Any]) -> None:
    assert versions.diff(schedule, schedule) == []


@given(schedules, schedules)
def test_applying_a_diff_to_the_first_schedule_gives_the_second(a: dict[str, Any], b: dict[str, Any]) -> None:
    changes = versions.diff(a, b)
    assert versions.apply(a, changes) == b
    assert set(versions.changed_sessions(changes)) <= {int(k) for k in set(a) | set(b)}
    assert all(c["change"] in versions.CHANGE_KINDS for c in changes)


@given(schedules, schedules)
def test_the_diff_back_undoes_the_diff(a: dict[str, Any], b: dict[str, Any]) -> None:
    assert versions.apply(versions.apply(a, versions.diff(a, b)), versions.diff(b, a)) == a
