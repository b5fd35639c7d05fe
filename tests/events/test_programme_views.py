"""The operators' programme pages: events list and new event, the hub, rooms and tracks (HTMX), the grid editor
with its clash panel and small form (HTMX, out-of-band grid), the full session form, publishing and versions.
Operators only (403 for others, nothing changed); problems next to their fields as 4xx, never a 500; constant
queries on the editor and versions pages."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chiptown.accounts.models import User
from chiptown.core.models import AuditEntry
from chiptown.events.models import Event, ProgrammeVersion, Room, Session, SessionSpeaker, Track
from chiptown.events.services import programme as services
from tests.conftest import client_for
from tests.events.factories import EventFactory, RoomFactory, SessionFactory, SpeakerFactory, WorkshopFactory, at
from tests.events.programme_support import Venue, session_state, venue

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def place(event: Event) -> Venue:
    return venue(event)


def url(name: str, *args: Any) -> str:
    return reverse(f"events:{name}", args=args)


def page(response: Any) -> str:
    return str(response.content.decode())


# --- Who may see these pages --------------------------------------------------------------------------------------


def _every_page(place: Venue) -> list[tuple[str, str, dict[str, Any]]]:
    session = SessionFactory(event=place.event, room=place.hall)
    slug = place.event.slug
    return [
        ("get", url("manage_list"), {}),
        ("get", url("event_new"), {}),
        ("post", url("event_new"), {"slug": "x", "name_en": "X", "starts_on": "2028-01-01", "ends_on": "2028-01-02"}),
        ("get", url("manage", slug), {}),
        ("get", url("event_edit", slug), {}),
        ("get", url("rooms", slug), {}),
        ("post", url("room_add", slug), {"new-room-name_en": "Hall 9", "new-room-capacity": "10"}),
        ("post", url("room_delete", slug, place.salon.pk), {}),
        ("post", url("track_delete", slug, place.track.pk), {}),
        ("get", url("editor", slug), {}),
        ("get", url("editor_slot", slug, session.pk), {}),
        ("post", url("editor_unschedule", slug, session.pk), {}),
        ("get", url("session_new", slug), {}),
        ("post", url("session_new", slug), {"kind": "keynote", "title_en": "Mine"}),
        ("get", url("session_edit", slug, session.pk), {}),
        ("post", url("session_delete", slug, session.pk), {}),
        ("get", url("publish", slug), {}),
        ("post", url("publish", slug), {}),
        ("get", url("versions", slug), {}),
    ]


@pytest.mark.parametrize("who", ["attendee", "stranger", "company_rep"])
def test_only_operators_see_or_change_the_programme_pages(
    request: pytest.FixtureRequest, place: Venue, who: str
) -> None:
    client = client_for(request.getfixturevalue(who))
    pages = _every_page(place)
    counts = (Event.objects.count(), Room.objects.count(), Track.objects.count(), Session.objects.count())
    for method, address, data in pages:
        response = getattr(client, method)(address, data)
        assert response.status_code == 403, (method, address)
        assert "Only conference operators may see this page." in page(response)
    assert (Event.objects.count(), Room.objects.count(), Track.objects.count(), Session.objects.count()) == counts
    assert Session.objects.get().is_scheduled
    assert not ProgrammeVersion.objects.exists() and not AuditEntry.objects.exists()


def test_people_not_signed_in_are_sent_to_log_in(client: Client, place: Venue) -> None:
    response = client.get(url("editor", place.event.slug))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


# --- Events -------------------------------------------------------------------------------------------------------


def test_the_list_shows_events_and_a_new_event_form(operator_client: Client, event: Event) -> None:
    response = operator_client.get(url("manage_list"))
    assert response.status_code == 200
    assert "Chip to E-Town 2027" in page(response) and url("manage", "2027") in page(response)
    assert f'action="{url("event_new")}"' in page(response)


def test_an_operator_creates_an_event_from_the_form(operator_client: Client, operator: User) -> None:
    response = operator_client.post(
        url("event_new"),
        {
            "slug": "2028",
            "name_en": "Chip to E-Town 2028",
            "starts_on": "2028-06-13",
            "ends_on": "2028-06-15",
            "timezone": "Asia/Shanghai",
        },
    )
    assert response.status_code == 302 and response["Location"] == url("manage", "2028")
    event = Event.objects.get(slug="2028")
    assert (event.starts_on, event.ends_on) == (datetime.date(2028, 6, 13), datetime.date(2028, 6, 15))


def test_a_bad_event_comes_back_with_the_problem_beside_its_field(operator_client: Client) -> None:
    response = operator_client.post(
        url("event_new"),
        {
            "slug": "2028",
            "name_en": "X",
            "starts_on": "2028-06-15",
            "ends_on": "2028-06-13",
            "timezone": "Nowhere/City",
        },
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["ends_on"] == ["The last day cannot come before the first day."]
    assert "time zone" in errors["timezone"][0]
    assert not Event.objects.exists()


def test_shrinking_the_days_under_a_session_is_refused_on_the_form(operator_client: Client, place: Venue) -> None:
    SessionFactory(event=place.event, room=place.hall, title_en="Closing", starts_at=at(3, 9), ends_at=at(3, 10))
    data = {
        "slug": "2027",
        "name_en": "Chip to E-Town 2027",
        "starts_on": "2027-06-15",
        "ends_on": "2027-06-16",
        "timezone": "Asia/Shanghai",
    }
    response = operator_client.post(url("event_edit", "2027"), data)
    assert response.status_code == 400
    assert "Closing" in response.context["form"].errors["ends_on"][0]
    assert Event.objects.get().ends_on == datetime.date(2027, 6, 17)


def test_the_hub_links_the_operators_pages(operator_client: Client, event: Event) -> None:
    response = operator_client.get(url("manage", "2027"))
    assert response.status_code == 200
    for name in ("event_edit", "rooms", "editor", "session_new", "publish", "versions"):
        assert url(name, "2027") in page(response)


# --- Rooms and tracks ---------------------------------------------------------------------------------------------


def test_a_room_is_added_with_htmx(operator_client: Client, place: Venue) -> None:
    response = operator_client.post(
        url("room_add", "2027"), {"new-room-name_en": "Hall 3", "new-room-capacity": "120"}, **HTMX
    )
    assert response.status_code == 200
    assert page(response).startswith('<section class="card places" id="rooms">')
    assert "Hall 3" in page(response)
    assert Room.objects.get(name_en="Hall 3").capacity == 120


def test_a_room_without_seats_is_refused_and_nothing_is_added(operator_client: Client, place: Venue) -> None:
    response = operator_client.post(
        url("room_add", "2027"), {"new-room-name_en": "Hall 3", "new-room-capacity": "0"}, **HTMX
    )
    assert response.status_code == 400
    assert 'id="rooms"' in page(response) and "has-error" in page(response)
    assert not Room.objects.filter(name_en="Hall 3").exists()


def test_a_room_in_use_is_not_deleted_and_the_page_says_why(operator_client: Client, place: Venue) -> None:
    SessionFactory(event=place.event, room=place.salon, title_en="Chip makers' salon")
    response = operator_client.post(url("room_delete", "2027", place.salon.pk), **HTMX)
    assert response.status_code == 409
    assert "Chip makers" in page(response) and "cannot be deleted" in page(response)
    assert Room.objects.filter(pk=place.salon.pk).exists()


def test_rooms_and_tracks_are_edited_and_deleted(operator_client: Client, place: Venue) -> None:
    response = operator_client.post(
        url("room_edit", "2027", place.hall.pk),
        {f"room{place.hall.pk}-name_en": "Main hall", f"room{place.hall.pk}-capacity": "500"},
        **HTMX,
    )
    assert response.status_code == 200
    place.hall.refresh_from_db()
    assert (place.hall.name_en, place.hall.capacity) == ("Main hall", 500)
    response = operator_client.post(
        url("track_add", "2027"), {"new-track-name_en": "Autonomy", "new-track-colour": "#c62828"}, **HTMX
    )
    assert response.status_code == 200 and "track-red" in page(response)
    response = operator_client.post(url("track_delete", "2027", place.track.pk), **HTMX)
    assert response.status_code == 200
    assert list(Track.objects.values_list("name_en", flat=True)) == ["Autonomy"]


def test_rooms_page_without_htmx(operator_client: Client, place: Venue) -> None:
    response = operator_client.get(url("rooms", "2027"))
    assert response.status_code == 200 and "Hall 1" in page(response) and "Market" in page(response)
    response = operator_client.post(url("room_add", "2027"), {"new-room-name_en": "Hall 3", "new-room-capacity": "9"})
    assert response.status_code == 302


# --- The editor ---------------------------------------------------------------------------------------------------


def _clashing_programme(place: Venue, operator: User) -> tuple[Session, Session]:
    keynote = SessionFactory(
        event=place.event, room=place.hall, title_en="Keynote A", starts_at=at(1, 9), ends_at=at(1, 10)
    )
    panel = SessionFactory(
        event=place.event,
        room=place.salon,
        title_en="Panel B",
        starts_at=at(1, 9, 30),
        ends_at=at(1, 10, 30),
        expected_audience=120,
    )
    for session in (keynote, panel):
        services.session_speakers_set(session=session, speakers=[(place.zhang, "speaker")], by=operator)
    return keynote, panel


def test_the_editor_places_sessions_and_explains_clashes(operator_client: Client, operator: User, place: Venue) -> None:
    keynote, panel = _clashing_programme(place, operator)
    SessionFactory(event=place.event, room=None, starts_at=None, ends_at=None, title_en="Unplaced salon")
    SessionFactory(event=place.event, room=place.hall, title_en="Day two", starts_at=at(2, 9), ends_at=at(2, 10))

    response = operator_client.get(url("editor", "2027"))

    assert response.status_code == 200
    body = page(response)
    clashes = [line.sentence for line in response.context["clashes"]]
    assert clashes == [
        "Zhang Wei is in two places at once on June 15: Keynote A (Hall 1, 09:00–10:00) and "
        "Panel B (Salon 2, 09:30–10:30).",
        "Salon 2 has 40 seats but 120 people are expected at Panel B.",
    ]
    for sentence in clashes:
        assert sentence in body
    # 08:00 is row 2; 09:00 row 14 spanning twelve 5-minute rows in the first room column; 09:30 row 20 in the second.
    placed = {item.session.pk: item.classes for item in response.context["placed"]}
    assert placed == {
        keynote.pk: "pg-c2 pg-r14 pg-h12 track-none kind-keynote clash",
        panel.pk: "pg-c3 pg-r20 pg-h12 track-none kind-keynote clash",
    }
    assert "Unplaced salon" in body and "Day two" not in body
    assert ' style="' not in body


def test_the_editor_shows_another_day_on_its_tab(operator_client: Client, place: Venue) -> None:
    SessionFactory(event=place.event, room=place.hall, title_en="Day two", starts_at=at(2, 7), ends_at=at(2, 8))
    response = operator_client.get(url("editor", "2027") + "?day=2")
    assert "Day two" in page(response)
    assert response.context["layout"].bands[0].label == "07:00"
    assert operator_client.get(url("editor", "2027") + "?day=99").context["day"] == 1


def test_the_small_form_moves_a_session_and_the_grid_and_clashes_follow(
    operator_client: Client, operator: User, place: Venue
) -> None:
    _keynote, panel = _clashing_programme(place, operator)

    response = operator_client.get(url("editor_slot", "2027", panel.pk), **HTMX)
    assert response.status_code == 200 and 'name="starts"' in page(response)
    assert f'name="role_{place.zhang.pk}"' in page(response)

    response = operator_client.post(
        url("editor_save", "2027", panel.pk),
        {
            "room": place.hall.pk,
            "day": "1",
            "starts": "10:00",
            "ends": "11:00",
            "kind": "panel",
            f"role_{place.zhang.pk}": "moderator",
            f"role_{place.li.pk}": "panellist",
        },
        **HTMX,
    )

    assert response.status_code == 200
    body = page(response)
    assert '<div id="editor-body" class="pe-body" hx-swap-oob="true">' in body
    assert "No clashes" in body and response.context["slot"]["warnings"] == []
    assert response["HX-Push-Url"] == url("editor", "2027") + "?day=1"
    panel.refresh_from_db()
    assert (panel.room, panel.starts_at, panel.ends_at, panel.kind) == (place.hall, at(1, 10), at(1, 11), "panel")
    assert list(SessionSpeaker.objects.filter(session=panel).values_list("speaker_id", "role")) == [
        (place.zhang.pk, "moderator"),
        (place.li.pk, "panellist"),
    ]


def test_saving_into_a_clash_warns_beside_the_form(operator_client: Client, operator: User, place: Venue) -> None:
    _keynote, panel = _clashing_programme(place, operator)
    response = operator_client.post(
        url("editor_save", "2027", panel.pk),
        {
            "room": place.hall.pk,
            "day": "1",
            "starts": "09:30",
            "ends": "10:30",
            "kind": "keynote",
            f"role_{place.zhang.pk}": "speaker",
        },
        **HTMX,
    )
    assert response.status_code == 200
    warnings = [line.sentence for line in response.context["slot"]["warnings"]]
    assert "Hall 1 is double-booked on June 15: Keynote A (09:00–10:00) and Panel B (09:30–10:30)." in warnings
    assert "Saved, but look at this:" in page(response)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"starts": "10:00", "ends": "09:00"}, "ends", "The session must end after it starts."),
        ({"starts": "10:00", "ends": "nonsense"}, "ends", "Enter a valid time."),
        ({"day": "7"}, "day", "Select a valid choice. 7 is not one of the available choices."),
    ],
)
def test_impossible_times_come_back_beside_their_fields(
    operator_client: Client, place: Venue, data: dict[str, str], field: str, message: str
) -> None:
    session = SessionFactory(event=place.event, room=place.hall)
    before = session_state(session)
    response = operator_client.post(
        url("editor_save", "2027", session.pk),
        {"room": place.hall.pk, "day": "1", "starts": "09:00", "ends": "10:00", "kind": "keynote", **data},
        **HTMX,
    )
    assert response.status_code == 400
    assert response.context["slot"]["form"].errors[field] == [message]
    assert session_state(session) == before
    assert not AuditEntry.objects.exists()


def test_a_failed_save_changes_neither_type_nor_place(operator_client: Client, place: Venue) -> None:
    session = SessionFactory(event=place.event, room=place.hall)
    before = session_state(session)
    other_event_speaker = SpeakerFactory(event=EventFactory())
    response = operator_client.post(
        url("editor_save", "2027", session.pk),
        {
            "room": place.salon.pk,
            "day": "2",
            "starts": "09:00",
            "ends": "10:00",
            "kind": "panel",
            f"role_{other_event_speaker.pk}": "speaker",
        },
        **HTMX,
    )
    # A speaker of another event is not even offered: the form ignores the field and the save goes through.
    assert response.status_code == 200
    assert not SessionSpeaker.objects.filter(speaker=other_event_speaker).exists()
    WorkshopFactory(event=place.event, room=place.hall, capacity=100, title_en="Big workshop")
    big = Session.objects.get(title_en="Big workshop")
    before = session_state(big)
    response = operator_client.post(
        url("editor_save", "2027", big.pk),
        {"room": place.salon.pk, "day": "2", "starts": "09:00", "ends": "10:00", "kind": "panel"},
        **HTMX,
    )
    assert response.status_code == 400
    assert "Salon 2 has 40 seats but 100 are offered for sign-up." in page(response)
    assert session_state(big) == before


def test_unscheduling_from_the_editor(operator_client: Client, place: Venue) -> None:
    session = SessionFactory(event=place.event, room=place.hall, title_en="Keynote A")
    response = operator_client.post(url("editor_unschedule", "2027", session.pk), **HTMX)
    assert response.status_code == 200
    assert response.context["unscheduled"] == [Session.objects.get(pk=session.pk)]
    assert not Session.objects.get(pk=session.pk).is_scheduled


def test_the_editor_costs_the_same_queries_at_two_sizes(
    operator_client: Client, operator: User, django_assert_max_num_queries: Any
) -> None:
    for slug, size in (("small", 2), ("large", 24)):
        event = EventFactory(slug=slug)
        rooms = [RoomFactory(event=event, capacity=100) for _ in range(3)]
        speakers = [SpeakerFactory(event=event) for _ in range(4)]
        for n in range(size):
            session = SessionFactory(
                event=event,
                room=rooms[n % 3],
                starts_at=at(1 + n % 3, 8 + n % 9),
                ends_at=at(1 + n % 3, 9 + n % 9),
                expected_audience=150,
            )
            services.session_speakers_set(session=session, speakers=[(speakers[n % 4], "speaker")], by=operator)
        SessionFactory(event=event, room=None, starts_at=None, ends_at=None)
        chosen = Session.objects.filter(event=event).first()
        assert chosen is not None
        with django_assert_max_num_queries(12):
            response = operator_client.get(url("editor", slug) + f"?session={chosen.pk}")
        assert response.status_code == 200
        assert len(response.context["clashes"]) >= size // 3


# --- The full session form ----------------------------------------------------------------------------------------


def test_a_new_session_with_speakers_then_to_the_editor(operator_client: Client, place: Venue) -> None:
    response = operator_client.post(
        url("session_new", "2027"),
        {
            "kind": "panel",
            "title_zh": "自动驾驶芯片",
            "title_en": "Autonomous-driving chips",
            "abstract_en": "Who builds the brains of the car?",
            "track": place.track.pk,
            "expected_audience": "150",
            f"role_{place.li.pk}": "moderator",
            f"role_{place.zhang.pk}": "panellist",
        },
    )
    session = Session.objects.get(title_en="Autonomous-driving chips")
    assert response.status_code == 302
    assert response["Location"] == url("editor", "2027") + f"?session={session.pk}"
    assert (session.track, session.expected_audience, session.is_scheduled) == (place.track, 150, False)
    assert list(session.session_speakers.order_by("position").values_list("speaker_id", "role")) == [
        (place.li.pk, "moderator"),
        (place.zhang.pk, "panellist"),
    ]
    # The editor opens with its small form.
    response = operator_client.get(response["Location"])
    assert response.context["slot"]["session"] == session


def test_a_session_without_a_title_is_not_created(operator_client: Client, place: Venue) -> None:
    response = operator_client.post(url("session_new", "2027"), {"kind": "panel", f"role_{place.li.pk}": "speaker"})
    assert response.status_code == 400
    assert response.context["form"].errors["title_en"] == ["Give a title in Chinese or English."]
    assert not Session.objects.exists() and not SessionSpeaker.objects.exists()


def test_lowering_seats_below_those_taken_is_refused_on_the_form(operator_client: Client, place: Venue) -> None:
    salon = WorkshopFactory(event=place.event, room=place.salon, capacity=20, title_en="Salon")
    Session.objects.filter(pk=salon.pk).update(seats_taken=5)
    before = session_state(salon)
    response = operator_client.post(
        url("session_edit", "2027", salon.pk), {"kind": "salon", "title_en": "Salon", "capacity": "4"}
    )
    assert response.status_code == 400
    assert "5 seats are taken" in page(response)
    assert session_state(salon) == before


def test_deleting_a_published_session_is_refused_with_a_reason(
    operator_client: Client, operator: User, place: Venue
) -> None:
    session = SessionFactory(event=place.event, room=place.hall)
    services.programme_publish(event=place.event, by=operator)
    response = operator_client.post(url("session_delete", "2027", session.pk))
    assert response.status_code == 409 and "in the published programme" in page(response)
    assert Session.objects.filter(pk=session.pk).exists()
    services.session_unschedule(session=session, by=operator)
    services.programme_publish(event=place.event, by=operator)
    response = operator_client.post(url("session_delete", "2027", session.pk))
    assert response.status_code == 302 and not Session.objects.filter(pk=session.pk).exists()


# --- Publishing and versions --------------------------------------------------------------------------------------


def test_the_publish_page_shows_pending_changes_and_clashes_then_publishes(
    operator_client: Client, operator: User, place: Venue, django_capture_on_commit_callbacks: Any
) -> None:
    _clashing_programme(place, operator)
    response = operator_client.get(url("publish", "2027"))
    assert response.status_code == 200
    assert response.context["pending"] == [
        "Keynote A was added: June 15, 09:00–10:00, Hall 1.",
        "Panel B was added: June 15, 09:30–10:30, Salon 2.",
    ]
    assert response.context["clash_count"] == 2 and "Publish version 1" in page(response)

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(url("publish", "2027"))
    assert response.status_code == 302
    response = operator_client.get(url("publish", "2027"))
    assert "Version 1 is published with 2 changes." in page(response)
    assert "Nothing has changed since version 1 was published." in page(response)
    assert response.context["job"] is not None and f'id="job-{response.context["job"].pk}"' in page(response)

    response = operator_client.post(url("publish", "2027"), follow=True)
    assert "Nothing has changed since version 1 was published." in page(response)
    assert ProgrammeVersion.objects.count() == 1


def test_the_versions_page_lists_changes_in_sentences(operator_client: Client, operator: User, place: Venue) -> None:
    keynote, panel = _clashing_programme(place, operator)
    services.programme_publish(event=place.event, by=operator)
    services.session_schedule(session=panel, room=place.hall, starts_at=at(1, 10), ends_at=at(1, 11), by=operator)
    services.session_update(session=keynote, by=operator, values={"title_en": "Keynote A, revised"})
    services.session_speakers_set(session=keynote, speakers=[], by=operator)
    services.programme_publish(event=place.event, by=operator)

    response = operator_client.get(url("versions", "2027"))

    assert response.status_code == 200
    latest, first = response.context["versions"]
    assert latest.lines == [
        "Keynote A is now called Keynote A, revised.",
        "Keynote A, revised has no speakers any more.",
        "Panel B: June 15, 09:30–10:30, Salon 2 → June 15, 10:00–11:00, Hall 1.",
    ]
    assert first.lines == [
        "Keynote A was added: June 15, 09:00–10:00, Hall 1.",
        "Panel B was added: June 15, 09:30–10:30, Salon 2.",
    ]
    assert "Version 2" in page(response) and "Version 1" in page(response)


def test_the_versions_page_costs_the_same_queries_at_two_sizes(
    operator_client: Client, operator: User, django_assert_max_num_queries: Any
) -> None:
    for slug, size in (("small", 2), ("large", 20)):
        event = EventFactory(slug=slug)
        room = RoomFactory(event=event, capacity=100)
        sessions = [
            SessionFactory(event=event, room=room, starts_at=at(1, 8 + n % 10), ends_at=at(1, 9 + n % 10))
            for n in range(size)
        ]
        services.programme_publish(event=event, by=operator)
        for session in sessions:
            services.session_schedule(session=session, room=room, starts_at=at(2, 9), ends_at=at(2, 10), by=operator)
        services.programme_publish(event=event, by=operator)
        with django_assert_max_num_queries(7):
            response = operator_client.get(url("versions", slug))
        assert len(response.context["versions"][0].lines) == size
