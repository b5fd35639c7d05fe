"""The conference's public API: events, and the published programme's sessions and speakers."""

import datetime
from typing import Any

import pytest
from django.test import Client

from chiptown.events.models import Event, Session, SessionSpeaker, SpeakerRole
from tests.events.factories import EventFactory, RoomFactory, SessionFactory, SpeakerFactory, TrackFactory, at
from tests.events.public_support import build_programme, publish
from tests.factories import PersonFactory

API = "/api/v1/events"


@pytest.fixture
def keynote(event: Event) -> Session:
    room = RoomFactory(event=event, name_en="Main Hall", name_zh="主会场", building="Hall A")
    track = TrackFactory(event=event, name_en="Market", colour="#b35900")
    session = SessionFactory(
        event=event, room=room, track=track, title_en="Automotive chips to 2030", starts_at=at(1, 9), ends_at=at(1, 10)
    )
    speaker = SpeakerFactory(event=event, person=PersonFactory(name_en="Li Ming", name_zh="李明"))
    SessionSpeaker.objects.create(session=session, speaker=speaker, role=SpeakerRole.MODERATOR)
    return session


def test_the_events_are_listed(client: Client, event: Event) -> None:
    response = client.get(f"{API}/")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    (item,) = body["items"]
    assert item["slug"] == "2027"
    assert item["name_en"] == "Chip to E-Town 2027"
    assert item["starts_on"] == "2027-06-15" and item["ends_on"] == "2027-06-17"
    assert item["timezone"] == "Asia/Shanghai"
    assert item["programme_version"] == 0 and item["programme_published_at"] is None
    assert item["url"] == "/events/2027/"


def test_the_published_sessions_come_with_times_rooms_tracks_and_speakers(
    client: Client, event: Event, keynote: Session
) -> None:
    publish(event)
    Session.objects.filter(pk=keynote.pk).update(title_en="Draft title")

    body = client.get(f"{API}/{event.slug}/sessions").json()

    assert body["count"] == 1
    (item,) = body["items"]
    assert item["id"] == keynote.pk
    assert item["title_en"] == "Automotive chips to 2030"
    assert datetime.datetime.fromisoformat(item["starts_at"]) == datetime.datetime(2027, 6, 15, 1, tzinfo=datetime.UTC)
    assert item["day"] == 1
    assert item["room"] == {
        "id": keynote.room_id,
        "name_zh": "主会场",
        "name_en": "Main Hall",
        "name": "Main Hall",
        "building": "Hall A",
    }
    assert item["track"]["colour"] == "#b35900" and item["track"]["name"] == "Market"
    (line,) = item["speakers"]
    assert (line["name_zh"], line["name_en"], line["name"], line["role"]) == ("李明", "Li Ming", "Li Ming", "moderator")
    assert item["capacity"] is None and item["seats_left"] is None and item["closed_door"] is False
    assert item["url"] == f"/events/{event.slug}/sessions/{keynote.pk}/"


def test_sessions_filter_by_day_kind_and_track_and_paginate(client: Client, db: Any) -> None:
    event = EventFactory(slug="big")
    built = build_programme(event, sessions=48, rooms=4, tracks=3)
    publish(event)
    track = built["tracks"][0]

    day_two = client.get(f"{API}/big/sessions?day=2&limit=5").json()
    salons = client.get(f"{API}/big/sessions?kind=salon&limit=100").json()
    on_track = client.get(f"{API}/big/sessions?track={track.pk}&limit=100").json()
    both = client.get(f"{API}/big/sessions?day=1&kind=keynote&limit=100").json()

    assert day_two["count"] == 16 and len(day_two["items"]) == 5
    assert all(item["day"] == 2 for item in day_two["items"])
    assert salons["count"] == 6 and {item["kind"] for item in salons["items"]} == {"salon"}
    assert on_track["count"] > 0 and {item["track"]["id"] for item in on_track["items"]} == {track.pk}
    assert {(item["day"], item["kind"]) for item in both["items"]} == {(1, "keynote")}
    starts = [item["starts_at"] for item in client.get(f"{API}/big/sessions?limit=100").json()["items"]]
    assert starts == sorted(starts)


@pytest.mark.parametrize(
    ("query", "column"),
    [("kind=party", "kind"), ("day=0", "day"), ("day=x", "day"), ("track=-1", "track"), ("limit=100000", "limit")],
)
def test_bad_session_filters_are_422_with_the_field_named(
    client: Client, event: Event, keynote: Session, query: str, column: str
) -> None:
    publish(event)

    response = client.get(f"{API}/{event.slug}/sessions?{query}")

    assert response.status_code == 422
    assert [problem["column"] for problem in response.json()["problems"]] == [column]


def test_nothing_is_served_before_publication(client: Client, event: Event, keynote: Session) -> None:
    sessions = client.get(f"{API}/{event.slug}/sessions")
    speakers = client.get(f"{API}/{event.slug}/speakers")

    assert sessions.status_code == 404 and speakers.status_code == 404
    assert sessions.json() == {
        "code": "not_published",
        "message": "The programme of this event is not published yet.",
        "problems": [],
    }


def test_an_unknown_event_is_404(client: Client, db: Any) -> None:
    response = client.get(f"{API}/nope/sessions")

    assert response.status_code == 404
    assert response.json()["message"] == "No such event."


def test_the_speakers_of_the_published_programme(client: Client, event: Event, keynote: Session) -> None:
    SpeakerFactory(event=event, person=PersonFactory(name_en="Not in any session"))
    publish(event)

    body = client.get(f"{API}/{event.slug}/speakers").json()

    assert body["count"] == 1
    (item,) = body["items"]
    assert item["name_en"] == "Li Ming"
    assert item["sessions"] == [keynote.pk]
    assert item["url"] == f"/events/{event.slug}/speakers/{item['id']}/"


def test_the_lists_cost_the_same_queries_at_two_sizes(
    client: Client, django_assert_max_num_queries: Any, db: Any
) -> None:
    counts = []
    for slug, size in (("small", 6), ("large", 90)):
        event = EventFactory(slug=slug)
        build_programme(event, sessions=size)
        publish(event)
        with django_assert_max_num_queries(6) as sessions:
            assert client.get(f"{API}/{slug}/sessions?limit=500").status_code == 200
        with django_assert_max_num_queries(6) as speakers:
            assert client.get(f"{API}/{slug}/speakers?limit=500").status_code == 200
        with django_assert_max_num_queries(2) as events:
            assert client.get(f"{API}/").status_code == 200
        counts.append((len(sessions), len(speakers), len(events)))
    assert counts[0] == counts[1]
