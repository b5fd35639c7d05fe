"""iCalendar feeds: the whole published programme and a person's own agenda (RFC 5545, event's time zone)."""

import datetime
import zoneinfo
from typing import Any

import icalendar
import pytest
from django.test import Client
from hypothesis import example, given, settings
from hypothesis import strategies as st

from chiptown.events import badges, calendars, selectors
from chiptown.events.models import AgendaItem, Event, Registration, RegistrationStatus, Session, SessionSpeaker
from tests.events.factories import EventFactory, RegistrationFactory, RoomFactory, SessionFactory, SpeakerFactory, at
from tests.events.public_support import build_programme, publish
from tests.factories import OrganisationFactory, PersonFactory

UTC = datetime.UTC


def parse(content: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(content)


def assert_a_calendar_program_accepts(content: bytes) -> icalendar.Calendar:
    """What RFC 5545 requires of every calendar and event (section 3.6, 3.6.1), plus the line rules that strict
    importers enforce: CRLF line ends and lines folded at 75 octets."""
    assert content.startswith(b"BEGIN:VCALENDAR\r\n") and content.endswith(b"END:VCALENDAR\r\n")
    for line in content.split(b"\r\n"):
        assert len(line) <= 75, line
        assert b"\n" not in line
    calendar = parse(content)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"]
    uids = []
    for vevent in calendar.walk("VEVENT"):
        for required in ("UID", "DTSTAMP", "DTSTART"):
            assert required in vevent, required
        assert "DTEND" in vevent or "DURATION" in vevent
        assert vevent.decoded("DTSTAMP").tzinfo is not None
        assert vevent.decoded("DTEND") > vevent.decoded("DTSTART")
        uids.append(str(vevent["UID"]))
    assert len(uids) == len(set(uids))
    tzids = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    for vevent in calendar.walk("VEVENT"):
        for prop in ("DTSTART", "DTEND"):
            tzid = vevent[prop].params.get("TZID")
            assert tzid is None or tzid in tzids, tzid
    return calendar


@pytest.fixture
def keynote(event: Event) -> Session:
    room = RoomFactory(event=event, name_en="Main Hall", name_zh="主会场", building="Hall A")
    session = SessionFactory(
        event=event,
        room=room,
        title_en="Automotive chips to 2030",
        abstract_en="The market for automotive-grade chips.",
        starts_at=at(1, 9, 30),
        ends_at=at(1, 10, 15),
    )
    person = PersonFactory(name_en="Li Ming", organisation=OrganisationFactory(name_en="Alpha Semiconductor"))
    SessionSpeaker.objects.create(session=session, speaker=SpeakerFactory(event=event, person=person))
    return session


def test_the_programme_feed_has_one_event_per_published_session(client: Client, event: Event) -> None:
    build_programme(event, sessions=30, rooms=4, tracks=3)
    SessionFactory(event=event, room=None, starts_at=None, ends_at=None, title_en="Unscheduled")
    publish(event)
    SessionFactory(event=event, title_en="Added after publication")

    response = client.get(f"/events/{event.slug}/programme.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="{event.slug}-programme.ics"' in response["Content-Disposition"]
    calendar = assert_a_calendar_program_accepts(response.content)
    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 30
    assert "Added after publication" not in response.content.decode()
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"


def test_each_event_carries_the_published_session(client: Client, event: Event, keynote: Session) -> None:
    publish(event)
    publish(event)  # version 2: SEQUENCE follows the programme version

    calendar = assert_a_calendar_program_accepts(client.get(f"/events/{event.slug}/programme.ics").content)

    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]) == f"session-{keynote.pk}@127.0.0.1"
    assert vevent.decoded("DTSTART") == datetime.datetime(2027, 6, 15, 1, 30, tzinfo=UTC)
    assert vevent.decoded("DTEND") == datetime.datetime(2027, 6, 15, 2, 15, tzinfo=UTC)
    assert vevent["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert vevent.decoded("DTSTART").astimezone(zoneinfo.ZoneInfo("Asia/Shanghai")).hour == 9
    assert int(vevent["SEQUENCE"]) == 2
    assert event.programme_published_at is not None
    assert vevent.decoded("DTSTAMP") == event.programme_published_at.replace(microsecond=0)
    assert str(vevent["SUMMARY"]) == "Automotive chips to 2030"
    assert str(vevent["LOCATION"]) == "Main Hall, Hall A, E-Town International Convention Centre"
    description = str(vevent["DESCRIPTION"])
    assert "The market for automotive-grade chips." in description
    assert "Li Ming (Speaker, Alpha Semiconductor)" in description
    assert str(vevent["URL"]) == f"http://127.0.0.1:8000/events/{event.slug}/sessions/{keynote.pk}/"


def test_a_moved_session_keeps_its_uid_with_a_higher_sequence(client: Client, event: Event, keynote: Session) -> None:
    publish(event)
    first = parse(client.get(f"/events/{event.slug}/programme.ics").content).walk("VEVENT")[0]
    Session.objects.filter(pk=keynote.pk).update(starts_at=at(2, 14), ends_at=at(2, 15))
    publish(event)

    moved = parse(client.get(f"/events/{event.slug}/programme.ics").content).walk("VEVENT")[0]

    assert str(moved["UID"]) == str(first["UID"])
    assert int(moved["SEQUENCE"]) > int(first["SEQUENCE"])
    assert moved.decoded("DTSTART") == datetime.datetime(2027, 6, 16, 6, 0, tzinfo=UTC)


def test_the_feed_follows_the_readers_language(client: Client, event: Event, keynote: Session) -> None:
    Session.objects.filter(pk=keynote.pk).update(title_zh="车规芯片展望2030")
    publish(event)

    calendar = parse(client.get(f"/events/{event.slug}/programme.ics", HTTP_ACCEPT_LANGUAGE="zh-hans").content)

    assert str(calendar.walk("VEVENT")[0]["SUMMARY"]) == "车规芯片展望2030"


def test_there_is_no_feed_before_publication(client: Client, event: Event, keynote: Session) -> None:
    response = client.get(f"/events/{event.slug}/programme.ics")

    assert response.status_code == 404
    assert "not published yet" in response.text


def test_the_programme_feed_costs_the_same_queries_at_two_sizes(
    client: Client, django_assert_max_num_queries: Any, db: Any
) -> None:
    counts = []
    for slug, size in (("small", 6), ("large", 90)):
        event = EventFactory(slug=slug)
        build_programme(event, sessions=size)
        publish(event)
        with django_assert_max_num_queries(6) as captured:
            assert client.get(f"/events/{slug}/programme.ics").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# --- A person's own agenda ---------------------------------------------------------------------------------------


@pytest.fixture
def agenda(event: Event, keynote: Session, attendee_registration: Registration) -> dict[str, Session]:
    chosen = SessionFactory(event=event, room=keynote.room, title_en="Chosen", starts_at=at(2, 9), ends_at=at(2, 10))
    SessionFactory(event=event, room=keynote.room, title_en="Not chosen", starts_at=at(2, 11), ends_at=at(2, 12))
    AgendaItem.objects.create(registration=attendee_registration, session=chosen)
    publish(event)
    draft = SessionFactory(
        event=event, room=keynote.room, title_en="Unpublished", starts_at=at(3, 9), ends_at=at(3, 10)
    )
    AgendaItem.objects.create(registration=attendee_registration, session=draft)
    return {"chosen": chosen, "draft": draft}


def test_the_agenda_feed_holds_only_the_persons_published_sessions(
    client: Client, event: Event, attendee_registration: Registration, agenda: dict[str, Session]
) -> None:
    token = badges.agenda_feed_token(attendee_registration)

    response = client.get(f"/events/{event.slug}/agenda/{token}.ics")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = assert_a_calendar_program_accepts(response.content)
    assert [str(v["SUMMARY"]) for v in calendar.walk("VEVENT")] == ["Chosen"]
    assert calendar.walk("VEVENT")[0].decoded("DTSTART") == datetime.datetime(2027, 6, 16, 1, 0, tzinfo=UTC)
    assert str(calendar["X-WR-CALNAME"]) == f"My agenda: {event.display_name}"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]


def test_the_agenda_feed_uses_the_published_times(
    client: Client, event: Event, attendee_registration: Registration, agenda: dict[str, Session]
) -> None:
    Session.objects.filter(pk=agenda["chosen"].pk).update(starts_at=at(3, 16), ends_at=at(3, 17))
    token = badges.agenda_feed_token(attendee_registration)

    calendar = parse(client.get(f"/events/{event.slug}/agenda/{token}.ics").content)

    assert calendar.walk("VEVENT")[0].decoded("DTSTART") == datetime.datetime(2027, 6, 16, 1, 0, tzinfo=UTC)


def test_a_forged_or_unknown_agenda_token_is_404(
    client: Client, event: Event, attendee_registration: Registration, agenda: dict[str, Session]
) -> None:
    token = badges.agenda_feed_token(attendee_registration)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    badge = badges.badge_token(attendee_registration)  # a genuine token of another kind

    for bad in (forged, "nonsense", badge):
        response = client.get(f"/events/{event.slug}/agenda/{bad}.ics")
        assert response.status_code == 404, bad
        assert "BEGIN:VCALENDAR" not in response.text


def test_an_old_agenda_address_stops_working_when_the_nonce_changes(
    client: Client, event: Event, attendee_registration: Registration, agenda: dict[str, Session]
) -> None:
    old = badges.agenda_feed_token(attendee_registration)
    Registration.objects.filter(pk=attendee_registration.pk).update(badge_nonce="renewed-nonce")

    assert client.get(f"/events/{event.slug}/agenda/{old}.ics").status_code == 404


def test_a_cancelled_registrations_agenda_is_404(
    client: Client, event: Event, attendee_registration: Registration, agenda: dict[str, Session]
) -> None:
    token = badges.agenda_feed_token(attendee_registration)
    Registration.objects.filter(pk=attendee_registration.pk).update(status=RegistrationStatus.CANCELLED)

    assert client.get(f"/events/{event.slug}/agenda/{token}.ics").status_code == 404


def test_an_agenda_token_only_opens_its_own_event(
    client: Client, attendee_registration: Registration, agenda: dict[str, Session]
) -> None:
    other = EventFactory(slug="other")
    token = badges.agenda_feed_token(attendee_registration)

    assert client.get(f"/events/{other.slug}/agenda/{token}.ics").status_code == 404


def test_an_agenda_feed_before_publication_is_an_empty_calendar(client: Client, event: Event) -> None:
    registration = RegistrationFactory(event=event)
    token = badges.agenda_feed_token(registration)

    response = client.get(f"/events/{event.slug}/agenda/{token}.ics")

    assert response.status_code == 200
    calendar = assert_a_calendar_program_accepts(response.content)
    assert calendar.walk("VEVENT") == []


# --- The calendar builder alone (no database): any times round-trip ----------------------------------------------


@settings(max_examples=40, deadline=None)
# 01:30 happens twice in New York on 7 November 2027 (05:30 and 06:30 UTC): both must come back as themselves.
@example(
    starts=[datetime.datetime(2027, 11, 7, 5, 30), datetime.datetime(2027, 11, 7, 6, 30)],
    minutes=30,
    zone="America/New_York",
)
@given(
    starts=st.lists(
        st.datetimes(min_value=datetime.datetime(2027, 1, 1), max_value=datetime.datetime(2037, 12, 31)),
        min_size=1,
        max_size=8,
    ),
    minutes=st.integers(min_value=5, max_value=600),
    zone=st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"]),
)
def test_any_published_times_come_back_as_the_same_instants(
    starts: list[datetime.datetime], minutes: int, zone: str
) -> None:
    event = Event(slug="prop", name_en="Prop", starts_on=datetime.date(2027, 1, 1), ends_on=datetime.date(2027, 1, 3))
    event.timezone = zone
    sessions = tuple(
        selectors.PublishedSession(
            pk=n + 1,
            kind="keynote",
            title_zh="",
            title_en=f"Talk {n}",
            starts_at=start.replace(second=0, microsecond=0, tzinfo=UTC),
            ends_at=start.replace(second=0, microsecond=0, tzinfo=UTC) + datetime.timedelta(minutes=minutes),
            day=1,
            room=None,
            track=None,
            capacity=None,
            seats_left=None,
            closed_door=False,
            speakers=(),
        )
        for n, start in enumerate(starts)
    )
    programme = selectors.PublishedProgramme(
        event=event,
        version=3,
        published_at=datetime.datetime(2026, 12, 1, tzinfo=UTC),
        days=(),
        rooms=(),
        tracks=(),
        speakers=(),
        sessions=sessions,
    )

    calendar = assert_a_calendar_program_accepts(calendars.programme_calendar(programme=programme))

    back = {str(v["UID"]): (v.decoded("DTSTART"), v.decoded("DTEND")) for v in calendar.walk("VEVENT")}
    assert back == {calendars.session_uid(s): (s.starts_at, s.ends_at) for s in sessions}


def test_a_subscribed_calendar_that_has_the_feed_gets_304(client: Client, event: Event, keynote: Session) -> None:
    publish(event)
    first = client.get(f"/events/{event.slug}/programme.ics")

    again = client.get(f"/events/{event.slug}/programme.ics", HTTP_IF_NONE_MATCH=first["ETag"])

    assert again.status_code == 304
    assert again.content == b""


def test_a_renamed_room_reaches_the_feed_at_once(client: Client, event: Event, keynote: Session) -> None:
    publish(event)
    first = client.get(f"/events/{event.slug}/programme.ics")
    assert keynote.room is not None
    keynote.room.name_en = "Grand Ballroom"
    keynote.room.save()

    renamed = client.get(f"/events/{event.slug}/programme.ics", HTTP_IF_NONE_MATCH=first["ETag"])

    assert renamed.status_code == 200
    assert renamed["ETag"] != first["ETag"]
    assert str(parse(renamed.content).walk("VEVENT")[0]["LOCATION"]).startswith("Grand Ballroom")
