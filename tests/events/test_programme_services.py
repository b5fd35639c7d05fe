"""The programme's writes (events.services.programme): events, rooms, tracks, sessions, scheduling and speakers.
Operators only; every refusal names the field and leaves every row as it was; every change is audited; clashes
are warnings, never refusals."""

import datetime
from typing import Any

import pytest

from chiptown.accounts.models import User
from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied
from chiptown.core.models import AuditEntry
from chiptown.events import selectors
from chiptown.events.models import (
    Event,
    ProgrammeVersion,
    Room,
    Session,
    SessionKind,
    SessionSpeaker,
    Signup,
    SignupStatus,
    Track,
)
from chiptown.events.services import programme as services
from tests.events.factories import (
    EventFactory,
    RegistrationFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    WorkshopFactory,
    at,
)
from tests.events.programme_support import Venue, audit_actions, session_state, venue

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(event: Event) -> Venue:
    return venue(event)


def columns(error: ChipTownError) -> list[str | None]:
    return [p.column for p in error.problems]


# --- Events -------------------------------------------------------------------------------------------------------


def event_values(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "slug": "2028",
        "name_zh": "芯动亦庄 2028",
        "name_en": "Chip to E-Town 2028",
        "starts_on": datetime.date(2028, 6, 13),
        "ends_on": datetime.date(2028, 6, 15),
        "timezone": "Asia/Shanghai",
        "venue_en": "E-Town International Convention Centre",
    }
    return values | changes


def test_an_operator_creates_an_event_and_it_is_audited(operator: User) -> None:
    event = services.event_create(by=operator, **event_values())

    assert Event.objects.get(slug="2028") == event
    assert (event.name_en, event.starts_on, event.ends_on, event.programme_version) == (
        "Chip to E-Town 2028",
        datetime.date(2028, 6, 13),
        datetime.date(2028, 6, 15),
        0,
    )
    entry = AuditEntry.objects.get(action="events.event_create")
    assert entry.actor == operator and entry.object_id == str(event.pk) and entry.after["slug"] == "2028"


@pytest.mark.parametrize(
    ("changes", "column"),
    [
        ({"slug": "Not A Slug"}, "slug"),
        ({"slug": "manage"}, "slug"),
        ({"name_zh": "", "name_en": " "}, "name_en"),
        ({"ends_on": datetime.date(2028, 6, 12)}, "ends_on"),
        ({"ends_on": datetime.date(2028, 7, 30)}, "ends_on"),
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"timezone": "../../etc/passwd"}, "timezone"),
        ({"starts_on": None}, "starts_on"),
    ],
)
def test_a_bad_event_is_refused_with_the_field_named(operator: User, changes: dict[str, Any], column: str) -> None:
    with pytest.raises(ChipTownError) as caught:
        services.event_create(by=operator, **event_values(**changes))
    assert column in columns(caught.value)
    assert not Event.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_short_name_is_used_once(operator: User, event: Event) -> None:
    with pytest.raises(ChipTownError) as caught:
        services.event_create(by=operator, **event_values(slug=event.slug))
    assert columns(caught.value) == ["slug"]
    assert Event.objects.count() == 1


def test_only_operators_create_events(attendee: User, stranger: User) -> None:
    for person in (attendee, stranger):
        with pytest.raises(PermissionDenied):
            services.event_create(by=person, **event_values())
    assert not Event.objects.exists()


def test_an_operator_changes_the_venue_and_days(operator: User, place: Venue) -> None:
    event = place.event
    SessionFactory(event=event, room=place.hall, starts_at=at(1, 9), ends_at=at(1, 10))

    updated = services.event_update(
        event=event,
        by=operator,
        values={"venue_en": "New Hall", "ends_on": event.ends_on + datetime.timedelta(days=1)},
    )

    assert updated.venue_en == "New Hall" and updated.ends_on == datetime.date(2027, 6, 18)
    entry = AuditEntry.objects.get(action="events.event_update")
    assert entry.before == {"venue_en": "E-Town International Convention Centre", "ends_on": "2027-06-17"}
    assert entry.after == {"venue_en": "New Hall", "ends_on": "2027-06-18"}


def test_days_do_not_shrink_under_scheduled_sessions(operator: User, place: Venue) -> None:
    event = place.event
    SessionFactory(event=event, room=place.hall, title_en="Closing keynote", starts_at=at(3, 9), ends_at=at(3, 10))

    with pytest.raises(ChipTownError) as caught:
        services.event_update(event=event, by=operator, values={"ends_on": datetime.date(2027, 6, 16)})

    assert columns(caught.value) == ["ends_on"]
    assert "Closing keynote" in caught.value.problems[0].reason
    event.refresh_from_db()
    assert event.ends_on == datetime.date(2027, 6, 17)
    assert not AuditEntry.objects.filter(action="events.event_update").exists()


def test_a_new_time_zone_may_not_push_sessions_off_the_days(operator: User, place: Venue) -> None:
    event = place.event
    # 06:00 on the first day in Shanghai is still 23:00 the evening before in London (summer time).
    SessionFactory(event=event, room=place.hall, title_en="Breakfast talk", starts_at=at(1, 6), ends_at=at(1, 7))

    with pytest.raises(ChipTownError) as caught:
        services.event_update(event=event, by=operator, values={"timezone": "Europe/London"})

    assert columns(caught.value) == ["timezone"]
    event.refresh_from_db()
    assert event.timezone == "Asia/Shanghai"


def test_an_unknown_field_is_refused(operator: User, event: Event) -> None:
    with pytest.raises(ChipTownError) as caught:
        services.event_update(event=event, by=operator, values={"programme_version": 9})
    assert columns(caught.value) == ["programme_version"]
    event.refresh_from_db()
    assert event.programme_version == 0


# --- Rooms and tracks ---------------------------------------------------------------------------------------------


def test_rooms_need_seats_and_a_name(operator: User, event: Event) -> None:
    for capacity in (0, -5, None):
        with pytest.raises(ChipTownError) as caught:
            services.room_create(event=event, by=operator, name_zh="", name_en="Hall", capacity=capacity)  # type: ignore[arg-type]
        assert columns(caught.value) == ["capacity"]
    with pytest.raises(ChipTownError) as caught:
        services.room_create(event=event, by=operator, name_zh="", name_en="", capacity=10)
    assert columns(caught.value) == ["name_en"]
    assert not Room.objects.exists()


def test_a_room_with_only_a_chinese_name_is_named_the_same_in_english(operator: User, event: Event) -> None:
    room = services.room_create(event=event, by=operator, name_zh="多功能厅", name_en="", capacity=120)
    assert (room.name_zh, room.name_en, room.capacity) == ("多功能厅", "多功能厅", 120)
    with pytest.raises(ChipTownError) as caught:
        services.room_create(event=event, by=operator, name_zh="多功能厅", name_en="", capacity=10)
    assert columns(caught.value) == ["name_en"]
    assert audit_actions() == ["events.room_create"]


def test_a_room_used_by_sessions_cannot_be_deleted(operator: User, place: Venue) -> None:
    SessionFactory(event=place.event, room=place.salon, title_en="Chip makers' salon")

    with pytest.raises(Conflict) as caught:
        services.room_delete(room=place.salon, by=operator)

    assert "Chip makers' salon" in caught.value.message and "Salon 2" in caught.value.message
    assert Room.objects.filter(pk=place.salon.pk).exists()
    assert not AuditEntry.objects.filter(action="events.room_delete").exists()


def test_an_unused_room_is_deleted_and_audited(operator: User, place: Venue) -> None:
    services.room_delete(room=place.salon, by=operator)
    assert not Room.objects.filter(pk=place.salon.pk).exists()
    assert AuditEntry.objects.get(action="events.room_delete").before["name_en"] == "Salon 2"


def test_a_room_keeps_the_seats_its_sessions_offer(operator: User, place: Venue) -> None:
    WorkshopFactory(event=place.event, room=place.salon, capacity=30, title_en="Workshop")

    with pytest.raises(ChipTownError) as caught:
        services.room_update(room=place.salon, by=operator, values={"capacity": 20})

    assert columns(caught.value) == ["capacity"] and "Workshop" in caught.value.problems[0].reason
    place.salon.refresh_from_db()
    assert place.salon.capacity == 40
    services.room_update(room=place.salon, by=operator, values={"capacity": 30, "building": "Floor 2"})
    place.salon.refresh_from_db()
    assert (place.salon.capacity, place.salon.building) == (30, "Floor 2")


def test_tracks_need_a_colour_and_deleting_one_keeps_its_sessions(operator: User, place: Venue) -> None:
    with pytest.raises(ChipTownError) as caught:
        services.track_create(event=place.event, by=operator, name_zh="", name_en="Chips", colour="red")
    assert columns(caught.value) == ["colour"]
    session = SessionFactory(event=place.event, room=place.hall, track=place.track)

    assert services.track_delete(track=place.track, by=operator) == 1

    assert not Track.objects.filter(pk=place.track.pk).exists()
    session.refresh_from_db()
    assert session.track_id is None
    assert AuditEntry.objects.get(action="events.track_delete").before["sessions"] == [session.pk]


# --- Sessions -----------------------------------------------------------------------------------------------------


def test_a_new_session_is_unscheduled_and_audited(operator: User, place: Venue) -> None:
    session = services.session_create(
        event=place.event,
        by=operator,
        kind=SessionKind.PANEL,
        title_zh="车企自研芯片",
        abstract_en="Car makers making their own chips.",
        track=place.track,
        expected_audience=150,
    )
    assert not session.is_scheduled
    assert (session.title_zh, session.track, session.expected_audience) == ("车企自研芯片", place.track, 150)
    assert AuditEntry.objects.get(action="events.session_create").after["track_id"] == place.track.pk


@pytest.mark.parametrize(
    ("values", "column"),
    [
        ({"kind": "keynote", "title_zh": "", "title_en": "  "}, "title_en"),
        ({"kind": "lecture", "title_en": "A"}, "kind"),
        ({"kind": "workshop", "title_en": "A", "closed_door": True}, "capacity"),
        ({"kind": "salon", "title_en": "A", "capacity": 0}, "capacity"),
        ({"kind": "salon", "title_en": "A", "expected_audience": -1}, "expected_audience"),
    ],
)
def test_a_bad_session_is_refused(operator: User, place: Venue, values: dict[str, Any], column: str) -> None:
    with pytest.raises(ChipTownError) as caught:
        services.session_create(event=place.event, by=operator, **values)
    assert column in columns(caught.value)
    assert not Session.objects.exists()


def test_a_track_of_another_event_is_refused(operator: User, place: Venue) -> None:
    other_track = Track.objects.create(event=EventFactory(), name_en="Elsewhere", name_zh="别处")
    with pytest.raises(ChipTownError) as caught:
        services.session_create(event=place.event, by=operator, kind="keynote", title_en="A", track=other_track)
    assert columns(caught.value) == ["track"]


def test_seats_for_sign_up_never_exceed_the_room(operator: User, place: Venue) -> None:
    salon = WorkshopFactory(event=place.event, room=place.salon, capacity=20)
    before = session_state(salon)

    with pytest.raises(ChipTownError) as caught:
        services.session_update(session=salon, by=operator, values={"capacity": 41})

    assert columns(caught.value) == ["capacity"] and "40 seats" in caught.value.problems[0].reason
    assert session_state(salon) == before


def _seat(session: Session, status: str = SignupStatus.CONFIRMED) -> Signup:
    registration = RegistrationFactory(event=session.event)
    if status == SignupStatus.CONFIRMED:
        Session.objects.filter(pk=session.pk).update(seats_taken=session.seats_taken + 1)
        session.refresh_from_db()
    return Signup.objects.create(session=session, registration=registration, status=status)


def test_seats_cannot_drop_below_those_taken(operator: User, place: Venue) -> None:
    salon = WorkshopFactory(event=place.event, room=place.salon, capacity=20)
    for _ in range(3):
        _seat(salon)
    before = session_state(salon)

    with pytest.raises(Conflict) as caught:
        services.session_update(session=salon, by=operator, values={"capacity": 2})
    assert "3 seats are taken" in caught.value.message
    with pytest.raises(Conflict):
        services.session_update(session=salon, by=operator, values={"capacity": None})
    assert session_state(salon) == before

    updated = services.session_update(session=salon, by=operator, values={"capacity": 3, "title_en": "Full salon"})
    assert (updated.capacity, updated.seats_taken, updated.title_en) == (3, 3, "Full salon")


def test_a_waiting_list_keeps_a_session_taking_sign_up(operator: User, place: Venue) -> None:
    salon = WorkshopFactory(event=place.event, room=place.salon, capacity=20)
    _seat(salon, SignupStatus.WAITING)
    with pytest.raises(Conflict):
        services.session_update(session=salon, by=operator, values={"capacity": None})
    salon.refresh_from_db()
    assert salon.capacity == 20


def test_a_session_with_sign_ups_cannot_be_deleted(operator: User, place: Venue) -> None:
    salon = WorkshopFactory(event=place.event, room=place.salon, capacity=20)
    _seat(salon)
    with pytest.raises(Conflict) as caught:
        services.session_delete(session=salon, by=operator)
    assert caught.value.code == "has_signups"
    assert Session.objects.filter(pk=salon.pk).exists()
    assert not AuditEntry.objects.filter(action="events.session_delete").exists()


def test_a_published_session_is_unscheduled_and_published_before_it_is_deleted(operator: User, place: Venue) -> None:
    keynote = SessionFactory(event=place.event, room=place.hall)
    services.programme_publish(event=place.event, by=operator)

    with pytest.raises(Conflict) as caught:
        services.session_delete(session=keynote, by=operator)
    assert caught.value.code == "published"

    services.session_unschedule(session=keynote, by=operator)
    services.programme_publish(event=place.event, by=operator)
    services.session_delete(session=keynote, by=operator)
    assert not Session.objects.filter(pk=keynote.pk).exists()
    assert audit_actions()[-1] == "events.session_delete"


def test_only_operators_write_sessions(attendee: User, place: Venue) -> None:
    session = SessionFactory(event=place.event, room=place.hall)
    before = session_state(session)
    calls = [
        lambda: services.session_create(event=place.event, by=attendee, kind="keynote", title_en="Mine"),
        lambda: services.session_update(session=session, by=attendee, values={"title_en": "Mine"}),
        lambda: services.session_schedule(
            session=session, room=place.salon, starts_at=at(2, 9), ends_at=at(2, 10), by=attendee
        ),
        lambda: services.session_unschedule(session=session, by=attendee),
        lambda: services.session_speakers_set(session=session, speakers=[(place.zhang, "speaker")], by=attendee),
        lambda: services.session_delete(session=session, by=attendee),
        lambda: services.room_delete(room=place.salon, by=attendee),
        lambda: services.programme_publish(event=place.event, by=attendee),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert session_state(session) == before
    assert Session.objects.count() == 1 and Room.objects.count() == 2
    assert not ProgrammeVersion.objects.exists()
    assert not AuditEntry.objects.exists()


# --- Scheduling ---------------------------------------------------------------------------------------------------


def test_scheduling_puts_a_session_in_a_room_and_audits(operator: User, place: Venue) -> None:
    session = services.session_create(event=place.event, by=operator, kind="keynote", title_en="Market outlook")

    result = services.session_schedule(
        session=session, room=place.hall, starts_at=at(1, 9), ends_at=at(1, 9, 45), by=operator
    )

    assert result.warnings == []
    session.refresh_from_db()
    assert (session.room, session.starts_at, session.ends_at) == (place.hall, at(1, 9), at(1, 9, 45))
    entry = AuditEntry.objects.get(action="events.session_schedule")
    assert entry.before == {"room_id": None, "starts_at": None, "ends_at": None}
    assert entry.after["room_id"] == place.hall.pk


def test_naive_times_are_read_in_the_events_zone(operator: User, place: Venue) -> None:
    session = SessionFactory(event=place.event, room=None, starts_at=None, ends_at=None)
    services.session_schedule(
        session=session,
        room=place.hall,
        starts_at=datetime.datetime(2027, 6, 15, 9, 0),
        ends_at=datetime.datetime(2027, 6, 15, 10, 0),
        by=operator,
    )
    session.refresh_from_db()
    assert session.starts_at == at(1, 9)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "column"),
    [
        (at(1, 10), at(1, 9), "ends_at"),
        (at(1, 10), at(1, 10), "ends_at"),
        (at(0, 9), at(0, 10), "starts_at"),  # the day before the event
        (at(4, 9), at(4, 10), "starts_at"),  # the day after
        (at(3, 23), at(4, 1), "starts_at"),  # runs past the last midnight
    ],
)
def test_impossible_times_are_refused(
    operator: User, place: Venue, starts_at: datetime.datetime, ends_at: datetime.datetime, column: str
) -> None:
    session = SessionFactory(event=place.event, room=place.hall)
    before = session_state(session)
    with pytest.raises(ChipTownError) as caught:
        services.session_schedule(session=session, room=place.salon, starts_at=starts_at, ends_at=ends_at, by=operator)
    assert columns(caught.value) == [column]
    assert session_state(session) == before
    assert not AuditEntry.objects.exists()


def test_a_session_may_end_at_midnight_of_the_last_day(operator: User, place: Venue) -> None:
    session = SessionFactory(event=place.event, room=place.hall)
    services.session_schedule(session=session, room=place.hall, starts_at=at(3, 22), ends_at=at(4, 0), by=operator)
    session.refresh_from_db()
    assert session.ends_at == at(4, 0)


def test_a_room_of_another_event_is_refused(operator: User, place: Venue) -> None:
    session = SessionFactory(event=place.event, room=place.hall)
    before = session_state(session)
    with pytest.raises(ChipTownError) as caught:
        services.session_schedule(
            session=session, room=RoomFactory(), starts_at=at(1, 9), ends_at=at(1, 10), by=operator
        )
    assert columns(caught.value) == ["room"]
    assert session_state(session) == before


def test_a_room_smaller_than_the_seats_offered_is_refused(operator: User, place: Venue) -> None:
    workshop = WorkshopFactory(event=place.event, room=place.hall, capacity=100)
    before = session_state(workshop)
    with pytest.raises(ChipTownError) as caught:
        services.session_schedule(
            session=workshop, room=place.salon, starts_at=at(2, 9), ends_at=at(2, 10), by=operator
        )
    assert columns(caught.value) == ["room"]
    assert session_state(workshop) == before


def test_clashes_are_warnings_and_the_schedule_is_saved(operator: User, place: Venue) -> None:
    keynote = SessionFactory(event=place.event, room=place.hall, starts_at=at(1, 9), ends_at=at(1, 10))
    services.session_speakers_set(session=keynote, speakers=[(place.zhang, "speaker")], by=operator)
    panel = SessionFactory(event=place.event, room=None, starts_at=None, ends_at=None, expected_audience=80)
    services.session_speakers_set(session=panel, speakers=[(place.zhang, "panellist")], by=operator)

    result = services.session_schedule(
        session=panel, room=place.salon, starts_at=at(1, 9, 30), ends_at=at(1, 10, 30), by=operator
    )

    assert sorted(c.kind for c in result.warnings) == ["speaker", "too_small"]
    panel.refresh_from_db()
    assert panel.room == place.salon

    # Into the keynote's hall: the room is double-booked, the speaker still in two places.
    result = services.session_schedule(
        session=panel, room=place.hall, starts_at=at(1, 9, 30), ends_at=at(1, 10, 30), by=operator
    )
    assert sorted(c.kind for c in result.warnings) == ["room", "speaker"]
    # Moved after the keynote: no clash left.
    result = services.session_schedule(
        session=panel, room=place.hall, starts_at=at(1, 10), ends_at=at(1, 11), by=operator
    )
    assert result.warnings == []
    assert selectors.programme_warnings(event=place.event) == []


def test_a_slot_shorter_than_the_planned_length_is_a_warning(operator: User, place: Venue) -> None:
    keynote = SessionFactory(event=place.event, room=None, starts_at=None, ends_at=None, planned_minutes=45)

    result = services.session_schedule(
        session=keynote, room=place.hall, starts_at=at(1, 9), ends_at=at(1, 9, 30), by=operator
    )

    assert [(c.kind, c.details) for c in result.warnings] == [("too_long", {"minutes": 45, "slot_minutes": 30})]
    result = services.session_schedule(
        session=keynote, room=place.hall, starts_at=at(1, 9), ends_at=at(1, 9, 45), by=operator
    )
    assert result.warnings == []


def test_unscheduling_keeps_the_session_and_its_speakers(operator: User, place: Venue) -> None:
    session = SessionFactory(event=place.event, room=place.hall)
    services.session_speakers_set(session=session, speakers=[(place.li, "speaker")], by=operator)
    services.session_unschedule(session=session, by=operator)
    session.refresh_from_db()
    assert (session.room, session.starts_at, session.ends_at) == (None, None, None)
    assert list(session.session_speakers.values_list("speaker_id", flat=True)) == [place.li.pk]
    assert audit_actions()[-1] == "events.session_unschedule"


# --- Speakers -----------------------------------------------------------------------------------------------------


def test_speakers_are_set_in_order_and_audited(operator: User, place: Venue) -> None:
    session = SessionFactory(event=place.event, room=place.hall)
    services.session_speakers_set(session=session, speakers=[(place.zhang, "speaker")], by=operator)

    services.session_speakers_set(
        session=session, speakers=[(place.li, "moderator"), (place.zhang, "panellist")], by=operator
    )

    rows = list(SessionSpeaker.objects.filter(session=session).order_by("position").values_list("speaker_id", "role"))
    assert rows == [(place.li.pk, "moderator"), (place.zhang.pk, "panellist")]
    entry = AuditEntry.objects.filter(action="events.session_speakers_set").order_by("pk").last()
    assert entry is not None
    assert entry.before == {"speakers": [[place.zhang.pk, "speaker"]]}
    assert entry.after == {"speakers": [[place.li.pk, "moderator"], [place.zhang.pk, "panellist"]]}


def test_speakers_of_another_event_twice_or_in_no_role_are_refused(operator: User, place: Venue) -> None:
    session = SessionFactory(event=place.event, room=place.hall)
    services.session_speakers_set(session=session, speakers=[(place.zhang, "speaker")], by=operator)
    before = session_state(session)
    outsider = SpeakerFactory()
    for speakers in (
        [(outsider, "speaker")],
        [(place.li, "speaker"), (place.li, "moderator")],
        [(place.li, "host")],
    ):
        with pytest.raises(ChipTownError) as caught:
            services.session_speakers_set(session=session, speakers=speakers, by=operator)
        assert columns(caught.value) == ["speakers"]
    assert session_state(session) == before


def test_new_seats_are_offered_to_the_waiting_list(
    operator: User, place: Venue, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    salon = WorkshopFactory(event=place.event, room=place.salon, capacity=1)
    _seat(salon)
    waiting = _seat(salon, SignupStatus.WAITING)

    with django_capture_on_commit_callbacks(execute=True):
        services.session_update(session=salon, by=operator, values={"capacity": 2})

    waiting.refresh_from_db()
    salon.refresh_from_db()
    assert waiting.status == SignupStatus.OFFERED and salon.seats_taken == 2
    assert [m.to for m in mailoutbox] == [[waiting.registration.user.email]]
