"""The published programme as the public reads it: selectors.published_programme and the programme page."""

import datetime
from typing import Any

import pytest
from django.test import Client

from chiptown.accounts.models import User
from chiptown.events import selectors
from chiptown.events.models import Event, Session, SessionKind, SessionSpeaker, SpeakerRole, SpeakerStatus
from tests.events.factories import (
    ClosedDoorWorkshopFactory,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    TrackFactory,
    WorkshopFactory,
    at,
)
from tests.events.public_support import build_programme, publish
from tests.factories import OrganisationFactory, PersonFactory

UTC = datetime.UTC


@pytest.fixture
def hall(event: Event) -> Any:
    return RoomFactory(event=event, name_en="Main Hall", name_zh="主会场", building="Hall A", position=0)


@pytest.fixture
def keynote(event: Event, hall: Any) -> Session:
    track = TrackFactory(event=event, name_en="Market", name_zh="市场", colour="#b35900")
    session = SessionFactory(
        event=event,
        room=hall,
        track=track,
        title_en="Automotive chips to 2030",
        title_zh="车规芯片展望2030",
        abstract_en="The market for automotive-grade chips.",
        abstract_zh="车规级芯片市场。",
        starts_at=at(1, 9),
        ends_at=at(1, 10),
    )
    person = PersonFactory(
        name_en="Li Ming", name_zh="李明", title="Chief analyst", organisation=OrganisationFactory(name_en="Alpha")
    )
    speaker = SpeakerFactory(event=event, person=person, bio_en="Twenty years of MCUs.", bio_zh="二十年MCU经验。")
    SessionSpeaker.objects.create(session=session, speaker=speaker, role=SpeakerRole.SPEAKER)
    return session


def test_nothing_is_published_before_the_first_version(event: Event, keynote: Session) -> None:
    assert selectors.published_programme(event=event) is None


def test_the_published_programme_carries_times_rooms_tracks_and_speakers(event: Event, keynote: Session) -> None:
    moderator = SpeakerFactory(event=event, person=PersonFactory(name_en="Wang Fang", name_zh="王芳"))
    SessionSpeaker.objects.create(session=keynote, speaker=moderator, role=SpeakerRole.MODERATOR, position=1)
    salon = WorkshopFactory(event=event, room=keynote.room, starts_at=at(2, 14), ends_at=at(2, 16))
    publish(event)

    programme = selectors.published_programme(event=event)

    assert programme is not None
    assert programme.version == 1
    assert [day.date for day in programme.days] == [
        datetime.date(2027, 6, 15),
        datetime.date(2027, 6, 16),
        datetime.date(2027, 6, 17),
    ]
    first = programme.session(keynote.pk)
    assert first is not None
    assert first.starts_at == datetime.datetime(2027, 6, 15, 1, 0, tzinfo=UTC)
    assert first.ends_at == datetime.datetime(2027, 6, 15, 2, 0, tzinfo=UTC)
    assert first.starts_at.tzinfo is not None
    assert first.day == 1
    assert first.title == "Automotive chips to 2030"
    assert first.room_name == "Main Hall"
    assert first.track_name == "Market"
    assert first.track_colour == "#b35900"
    assert [(line.name, line.role) for line in first.speakers] == [("Li Ming", "speaker"), ("Wang Fang", "moderator")]
    assert first.speakers[0].speaker.organisation == "Alpha"
    assert first.abstract == "The market for automotive-grade chips."
    assert first.abstract_other == "车规级芯片市场。"
    second = programme.session(salon.pk)
    assert second is not None and second.day == 2 and second.capacity == 20 and second.seats_left == 20
    assert [s.pk for s in programme.days[0].sessions] == [keynote.pk]
    assert [s.pk for s in programme.days[1].sessions] == [salon.pk]
    assert [speaker.name for speaker in programme.speakers] == ["Li Ming", "Wang Fang"]


def test_the_published_programme_keeps_published_times_but_reads_names_live(
    event: Event, keynote: Session, hall: Any
) -> None:
    publish(event)
    Session.objects.filter(pk=keynote.pk).update(starts_at=at(3, 15), ends_at=at(3, 16), title_en="Renamed draft")
    hall.name_en = "Grand Ballroom"
    hall.save()
    draft = SessionFactory(event=event, room=hall, title_en="Not yet published")
    keynote.session_speakers.get().speaker.person.__class__.objects.filter(name_en="Li Ming").update(
        name_en="Li Ming (Dr)"
    )

    programme = selectors.published_programme(event=event)

    assert programme is not None
    shown = programme.session(keynote.pk)
    assert shown is not None
    assert shown.starts_at == datetime.datetime(2027, 6, 15, 1, 0, tzinfo=UTC)
    assert shown.title == "Automotive chips to 2030"
    assert shown.room_name == "Grand Ballroom"
    assert shown.speaker_names == ["Li Ming (Dr)"]
    assert programme.session(draft.pk) is None


def test_speakers_who_are_not_accepted_are_left_out(event: Event, keynote: Session) -> None:
    invited = SpeakerFactory(event=event, status=SpeakerStatus.INVITED)
    SessionSpeaker.objects.create(session=keynote, speaker=invited, role=SpeakerRole.PANELLIST, position=2)
    publish(event)

    programme = selectors.published_programme(event=event)

    assert programme is not None
    assert [line.name for line in programme.sessions[0].speakers] == ["Li Ming"]
    assert [speaker.pk for speaker in programme.speakers] == [keynote.session_speakers.first().speaker_id]


def test_the_latest_version_wins(event: Event, keynote: Session) -> None:
    publish(event)
    Session.objects.filter(pk=keynote.pk).update(starts_at=at(1, 11), ends_at=at(1, 12))
    publish(event)

    programme = selectors.published_programme(event=event)

    assert programme is not None and programme.version == 2
    assert programme.sessions[0].starts_at == datetime.datetime(2027, 6, 15, 3, 0, tzinfo=UTC)


def test_seats_left_are_read_live(event: Event, hall: Any) -> None:
    salon = WorkshopFactory(event=event, room=hall)
    publish(event)
    Session.objects.filter(pk=salon.pk).update(seats_taken=20)

    programme = selectors.published_programme(event=event)

    assert programme is not None
    assert programme.sessions[0].seats_left == 0


@pytest.mark.parametrize("size", [6, 90])
def test_the_published_programme_costs_five_queries_at_any_size(
    size: int, django_assert_num_queries: Any, db: Any
) -> None:
    event = EventFactory()
    build_programme(event, sessions=size, rooms=4, tracks=3)
    publish(event)

    with django_assert_num_queries(5):
        programme = selectors.published_programme(event=event)

    assert programme is not None and len(programme.sessions) == size


# --- The programme page ------------------------------------------------------------------------------------------


def test_the_programme_page_says_when_nothing_is_published(client: Client, event: Event, keynote: Session) -> None:
    response = client.get(f"/events/{event.slug}/")

    assert response.status_code == 200
    assert "The programme is not published yet." in response.text
    assert "Automotive chips to 2030" not in response.text


def test_the_programme_page_shows_the_first_day_by_time(client: Client, event: Event, keynote: Session) -> None:
    closed = ClosedDoorWorkshopFactory(event=event, room=keynote.room, title_en="Chip design secrets")
    salon = WorkshopFactory(event=event, room=keynote.room, title_en="Salon on sensors")
    Session.objects.filter(pk=salon.pk).update(seats_taken=3)
    publish(event)

    day_one = client.get(f"/events/{event.slug}/")
    day_two = client.get(f"/events/{event.slug}/?day=2")

    assert day_one.status_code == 200
    assert "Automotive chips to 2030" in day_one.text
    assert ">09:00–10:00</div>" in day_one.text  # Shanghai time, not UTC
    assert "Li Ming" in day_one.text
    assert "Main Hall" in day_one.text
    assert 'fill="#b35900"' in day_one.text
    assert "Chip design secrets" not in day_one.text
    assert "Chip design secrets" in day_two.text
    assert "Closed door" in day_two.text
    assert "Sign-up, 17 seats left" in day_two.text
    assert "Sign-up, 20 seats left" in day_two.text  # the closed-door workshop: 20 seats, none taken
    assert f"/events/{event.slug}/sessions/{closed.pk}/" in day_two.text
    assert f"/events/{event.slug}/programme.pdf" in day_one.text
    assert f"/events/{event.slug}/programme.ics" in day_one.text
    assert f"webcal://127.0.0.1:8000/events/{event.slug}/programme.ics" in day_one.text


def test_the_programme_groups_by_track_and_by_room(client: Client, event: Event, keynote: Session) -> None:
    other_room = RoomFactory(event=event, name_en="Salon Room", position=1)
    SessionFactory(event=event, room=other_room, title_en="Untracked talk", starts_at=at(1, 11), ends_at=at(1, 12))
    publish(event)

    by_track = client.get(f"/events/{event.slug}/?view=track")
    by_room = client.get(f"/events/{event.slug}/?view=room")

    assert by_track.status_code == 200
    assert "Plenary and other sessions" in by_track.text
    assert by_track.text.index("Market") < by_track.text.index("Plenary and other sessions")
    assert by_room.status_code == 200
    assert by_room.text.index("Main Hall") < by_room.text.index("Salon Room") < by_room.text.index("Untracked talk")


def test_the_programme_filters_by_session_kind(client: Client, event: Event, keynote: Session) -> None:
    SessionFactory(event=event, room=keynote.room, kind=SessionKind.PANEL, title_en="Panel on SoCs")
    publish(event)

    panels = client.get(f"/events/{event.slug}/?kind=panel")

    assert "Panel on SoCs" in panels.text
    assert "Automotive chips to 2030" not in panels.text


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("view=grid", 400, "grid is not a choice here"),
        ("kind=party", 400, "party is not a choice here"),
        ("day=first", 400, "Choose a day by its number"),
        ("day=9", 404, "This event has no day 9."),
        ("day=0", 404, "This event has no day 0."),
    ],
)
def test_bad_programme_queries_get_a_clear_answer(
    client: Client, event: Event, keynote: Session, query: str, status: int, message: str
) -> None:
    publish(event)

    response = client.get(f"/events/{event.slug}/?{query}")

    assert response.status_code == status
    assert message in response.text


def test_an_unknown_event_is_404(client: Client, db: Any) -> None:
    assert client.get("/events/no-such-event/").status_code == 404


def test_the_programme_page_is_bilingual(client: Client, event: Event, keynote: Session) -> None:
    publish(event)

    response = client.get(f"/events/{event.slug}/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "车规芯片展望2030" in response.text
    assert "李明" in response.text
    assert "主会场" in response.text


@pytest.mark.parametrize("grouping", ["time", "track", "room"])
def test_the_programme_page_costs_the_same_queries_at_two_sizes(
    client: Client, django_assert_max_num_queries: Any, grouping: str, db: Any
) -> None:
    counts = []
    for slug, size in (("small", 6), ("large", 120)):
        event = EventFactory(slug=slug)
        build_programme(event, sessions=size)
        publish(event)
        with django_assert_max_num_queries(6) as captured:
            response = client.get(f"/events/{slug}/?view={grouping}")
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_three_hundred_sessions_render_in_a_constant_number_of_queries(
    client: Client, operator: User, django_assert_max_num_queries: Any, db: Any
) -> None:
    event = EventFactory(slug="big")
    build_programme(event, sessions=300, rooms=8, tracks=5, speakers=150)
    publish(event)

    with django_assert_max_num_queries(6):
        response = client.get("/events/big/?day=2")
    assert response.status_code == 200
    assert response.text.count('class="session-item"') == 100


def test_the_events_index_lists_upcoming_and_past_events(client: Client, db: Any) -> None:
    EventFactory(slug="future", name_en="Conference of the future")
    EventFactory(
        slug="old",
        name_en="Conference of the past",
        starts_on=datetime.date(2020, 6, 1),
        ends_on=datetime.date(2020, 6, 3),
    )

    response = client.get("/events/")

    assert response.status_code == 200
    text = response.text
    assert text.index("Upcoming") < text.index("Conference of the future") < text.index("Past")
    assert text.index("Past") < text.index("Conference of the past")
    assert "/events/future/" in text and "/events/future/speakers/" in text


def test_the_events_index_costs_the_same_queries_at_two_sizes(
    client: Client, django_assert_max_num_queries: Any, db: Any
) -> None:
    counts = []
    for count in (1, 12):
        for _ in range(count):
            EventFactory()
        with django_assert_max_num_queries(2) as captured:
            assert client.get("/events/").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_navigation_links_to_the_conference(client: Client, db: Any) -> None:
    assert '<a href="/events/">Conference</a>' in client.get("/events/").text


def test_the_manage_address_is_never_taken_for_an_event(db: Any) -> None:
    from django.urls import Resolver404, resolve

    try:
        match = resolve("/events/manage/")
    except Resolver404:
        return
    assert match.url_name != "programme"


def test_the_link_bases_follow_the_url_patterns(event: Event) -> None:
    from django.urls import reverse

    from chiptown.events.views.public import link_bases

    bases = link_bases(event)

    assert bases["sessions_base"] + "7/" == reverse("events:session", args=[event.slug, 7])
    assert bases["speakers_base"] + "7/" == reverse("events:speaker", args=[event.slug, 7])
