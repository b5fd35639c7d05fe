"""Session and speaker pages of the published programme, and the operators' previews of what is not published."""

import datetime
import zoneinfo
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chiptown.accounts.models import Role, User
from chiptown.events.models import (
    AgendaItem,
    Event,
    Material,
    Registration,
    Session,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    SpeakerStatus,
)
from tests.conftest import client_for
from tests.events.factories import (
    ClosedDoorWorkshopFactory,
    EventFactory,
    RoomFactory,
    SessionFactory,
    SpeakerFactory,
    WorkshopFactory,
    at,
)
from tests.events.public_support import build_programme, publish
from tests.factories import OrganisationFactory, PersonFactory, UserFactory


@pytest.fixture
def li_ming(event: Event) -> Speaker:
    person = PersonFactory(
        name_en="Li Ming",
        name_zh="李明",
        title="Chief analyst",
        organisation=OrganisationFactory(name_en="Alpha Semiconductor", name_zh="阿尔法半导体"),
    )
    return SpeakerFactory(event=event, person=person, bio_en="Twenty years of MCUs.", bio_zh="二十年车规MCU经验。")


@pytest.fixture
def keynote(event: Event, li_ming: Speaker) -> Session:
    room = RoomFactory(event=event, name_en="Main Hall", name_zh="主会场", building="Hall A")
    session = SessionFactory(
        event=event,
        room=room,
        title_en="Automotive chips to 2030",
        title_zh="车规芯片展望2030",
        abstract_en="The market for automotive-grade chips.",
        abstract_zh="车规级芯片市场。",
        starts_at=at(1, 9, 30),
        ends_at=at(1, 10, 15),
    )
    SessionSpeaker.objects.create(session=session, speaker=li_ming, role=SpeakerRole.SPEAKER)
    return session


# --- Session page ------------------------------------------------------------------------------------------------


def test_a_published_session_shows_time_room_abstract_and_speakers(
    client: Client, event: Event, keynote: Session
) -> None:
    publish(event)

    response = client.get(f"/events/{event.slug}/sessions/{keynote.pk}/")

    assert response.status_code == 200
    text = response.text
    assert "Automotive chips to 2030" in text
    assert "Day 1, " in text and "09:30–10:15 (Asia/Shanghai)" in text
    assert "Main Hall, Hall A" in text
    assert "E-Town International Convention Centre" in text
    assert "The market for automotive-grade chips." in text
    assert "Abstract in Chinese" in text and "车规级芯片市场。" in text
    assert f"/events/{event.slug}/speakers/{keynote.session_speakers.get().speaker_id}/" in text
    assert "Alpha Semiconductor" in text
    assert "Keynote" in text
    assert "Preview" not in text


def test_the_session_page_speaks_the_readers_language(client: Client, event: Event, keynote: Session) -> None:
    publish(event)

    response = client.get(f"/events/{event.slug}/sessions/{keynote.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "车规芯片展望2030" in response.text
    assert "车规级芯片市场。" in response.text
    assert "The market for automotive-grade chips." in response.text  # the other language, folded away
    assert response.text.index("车规级芯片市场。") < response.text.index("The market for automotive-grade chips.")


def test_the_public_sees_the_published_version_not_the_draft(client: Client, event: Event, keynote: Session) -> None:
    publish(event)
    Session.objects.filter(pk=keynote.pk).update(title_en="Draft title", starts_at=at(2, 9), ends_at=at(2, 10))

    response = client.get(f"/events/{event.slug}/sessions/{keynote.pk}/")

    assert "Automotive chips to 2030" in response.text
    assert "Draft title" not in response.text
    assert "09:30–10:15" in response.text


def test_an_unpublished_session_is_404_for_the_public_and_a_preview_for_operators(
    client: Client, operator_client: Client, event: Event, keynote: Session
) -> None:
    publish(event)
    draft = SessionFactory(event=event, room=keynote.room, title_en="Secret draft")
    unscheduled = SessionFactory(event=event, room=None, starts_at=None, ends_at=None, title_en="Unscheduled idea")

    public = client.get(f"/events/{event.slug}/sessions/{draft.pk}/")
    preview = operator_client.get(f"/events/{event.slug}/sessions/{draft.pk}/")
    unscheduled_preview = operator_client.get(f"/events/{event.slug}/sessions/{unscheduled.pk}/")

    assert public.status_code == 404
    assert "Secret draft" not in public.text
    assert preview.status_code == 200
    assert "Secret draft" in preview.text
    assert "Preview: this session is not in the published programme." in preview.text
    assert unscheduled_preview.status_code == 200
    assert "Not scheduled yet." in unscheduled_preview.text


def test_before_publication_sessions_are_404_for_the_public(client: Client, event: Event, keynote: Session) -> None:
    assert client.get(f"/events/{event.slug}/sessions/{keynote.pk}/").status_code == 404


def test_a_session_of_another_event_is_404(client: Client, event: Event, keynote: Session) -> None:
    publish(event)
    other = EventFactory()

    assert client.get(f"/events/{other.slug}/sessions/{keynote.pk}/").status_code == 404


def test_a_session_with_sign_up_embeds_the_seat_box(client: Client, event: Event, keynote: Session) -> None:
    salon = WorkshopFactory(event=event, room=keynote.room)
    publish(event)

    with_seats = client.get(f"/events/{event.slug}/sessions/{salon.pk}/").text
    without = client.get(f"/events/{event.slug}/sessions/{keynote.pk}/").text

    assert "Sign-up needed: 20 seats left." in with_seats
    seat_box = f'hx-get="/events/{event.slug}/sessions/{salon.pk}/seat/" hx-trigger="load"'
    assert seat_box in with_seats
    assert "hx-trigger" not in without


def test_the_agenda_button_is_for_people_registered(
    client: Client, attendee_client: Client, attendee_registration: Registration, event: Event, keynote: Session
) -> None:
    publish(event)
    url = f"/events/{event.slug}/sessions/{keynote.pk}/"

    anonymous = client.get(url).text
    before = attendee_client.get(url).text
    AgendaItem.objects.create(registration=attendee_registration, session=keynote)
    after = attendee_client.get(url).text

    assert "Add to my agenda" not in anonymous
    assert f'action="/events/{event.slug}/sessions/{keynote.pk}/agenda/"' in before
    assert "Add to my agenda" in before
    assert "Remove from my agenda" in after


def test_sessions_with_sign_up_come_into_the_agenda_through_their_seat_not_the_agenda_button(
    attendee_client: Client, attendee_registration: Registration, event: Event, keynote: Session
) -> None:
    salon = WorkshopFactory(event=event, room=keynote.room)
    publish(event)

    page = attendee_client.get(f"/events/{event.slug}/sessions/{salon.pk}/").text

    assert "Add to my agenda" not in page


def test_closed_door_materials_are_listed_only_for_admitted_people(
    client: Client, stranger_client: Client, operator_client: Client, event: Event, keynote: Session
) -> None:
    workshop = ClosedDoorWorkshopFactory(event=event, room=keynote.room)
    Material.objects.create(
        session=workshop, title="Roadmap slides", file=SimpleUploadedFile("roadmap.pdf", b"%PDF-1.4"), is_slides=True
    )
    Material.objects.create(session=keynote, title="Market figures", file=SimpleUploadedFile("market.pdf", b"%PDF-1.4"))
    publish(event)

    anonymous = client.get(f"/events/{event.slug}/sessions/{workshop.pk}/").text
    stranger = stranger_client.get(f"/events/{event.slug}/sessions/{workshop.pk}/").text
    operator = operator_client.get(f"/events/{event.slug}/sessions/{workshop.pk}/").text
    open_session = client.get(f"/events/{event.slug}/sessions/{keynote.pk}/").text

    assert "Roadmap slides" not in anonymous and "Roadmap slides" not in stranger
    assert "open only to admitted participants" in stranger
    assert "Closed door: by invitation only" in stranger
    assert "Roadmap slides" in operator
    assert "Market figures" in open_session
    material = Material.objects.get(title="Roadmap slides")
    link = f'href="/events/{event.slug}/materials/{material.pk}/"'
    assert link in operator


def test_the_feedback_link_appears_once_the_session_ended(
    attendee_client: Client, attendee_registration: Registration, event: Event, keynote: Session, settings: Any
) -> None:
    past = EventFactory(slug="past", starts_on="2020-06-15", ends_on="2020-06-17")
    registration = Registration.objects.create(event=past, user=attendee_registration.user, status="confirmed")
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    ended = SessionFactory(
        event=past,
        room=RoomFactory(event=past),
        starts_at=datetime.datetime(2020, 6, 15, 9, tzinfo=shanghai),
        ends_at=datetime.datetime(2020, 6, 15, 10, tzinfo=shanghai),
    )
    publish(past)
    publish(event)

    after = attendee_client.get(f"/events/past/sessions/{ended.pk}/").text
    before = attendee_client.get(f"/events/{event.slug}/sessions/{keynote.pk}/").text

    assert registration.is_active
    assert "Tell us what you thought of this session" not in before
    assert "Tell us what you thought of this session" in after


@pytest.mark.parametrize("user_kind", ["anonymous", "attendee", "operator"])
def test_the_session_page_costs_the_same_queries_at_two_sizes(
    user_kind: str, django_assert_max_num_queries: Any, db: Any
) -> None:

    user = (
        None if user_kind == "anonymous" else UserFactory(role=Role.OPERATOR if user_kind == "operator" else "attendee")
    )
    client = client_for(user)
    counts = []
    for slug, size in (("small", 6), ("large", 120)):
        event = EventFactory(slug=slug)
        if user is not None and user_kind == "attendee":
            Registration.objects.create(event=event, user=user, status="confirmed")
        built = build_programme(event, sessions=size)
        publish(event)
        workshop = next(s for s in built["sessions"] if s.closed_door)
        # The event, the programme (5), the live row; a signed-in person adds their session and user, the
        # registration, the admission checks, the agenda check and the permission lookups.
        with django_assert_max_num_queries(16) as captured:
            response = client.get(f"/events/{slug}/sessions/{workshop.pk}/")
        assert response.status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


# --- Speakers ----------------------------------------------------------------------------------------------------


def test_the_speakers_page_lists_accepted_speakers_of_the_published_programme(
    client: Client, event: Event, keynote: Session, li_ming: Speaker
) -> None:
    invited = SpeakerFactory(event=event, status=SpeakerStatus.INVITED, person=PersonFactory(name_en="Zhou Invited"))
    SessionSpeaker.objects.create(session=keynote, speaker=invited, role=SpeakerRole.PANELLIST, position=1)
    SpeakerFactory(event=event, person=PersonFactory(name_en="Qian Unscheduled"))
    before = client.get(f"/events/{event.slug}/speakers/")
    publish(event)

    response = client.get(f"/events/{event.slug}/speakers/")

    assert "not published yet" in before.text and "Li Ming" not in before.text
    assert response.status_code == 200
    assert "Li Ming" in response.text
    assert "Chief analyst, Alpha Semiconductor" in response.text
    assert "1 session" in response.text
    assert "Zhou Invited" not in response.text
    assert "Qian Unscheduled" not in response.text


def test_a_speaker_page_shows_bio_organisation_and_published_sessions(
    client: Client, event: Event, keynote: Session, li_ming: Speaker
) -> None:
    SessionFactory(event=event, room=keynote.room, title_en="Draft panel")
    draft = Session.objects.get(title_en="Draft panel")
    SessionSpeaker.objects.create(session=draft, speaker=li_ming, role=SpeakerRole.MODERATOR)
    Session.objects.filter(pk=draft.pk).update(room=None)  # unscheduled: not in the published version
    publish(event)

    response = client.get(f"/events/{event.slug}/speakers/{li_ming.pk}/")

    assert response.status_code == 200
    assert "Li Ming" in response.text
    assert "Twenty years of MCUs." in response.text
    assert "Biography in Chinese" in response.text
    assert f"/organisations/{li_ming.person.organisation_id}/" in response.text
    assert "Automotive chips to 2030" in response.text
    assert "Draft panel" not in response.text


def test_a_speaker_not_in_the_programme_is_404_for_the_public_and_a_preview_for_operators(
    client: Client, operator_client: Client, event: Event, keynote: Session
) -> None:
    publish(event)
    declined = SpeakerFactory(event=event, status=SpeakerStatus.DECLINED, person=PersonFactory(name_en="Sun Declined"))

    public = client.get(f"/events/{event.slug}/speakers/{declined.pk}/")
    preview = operator_client.get(f"/events/{event.slug}/speakers/{declined.pk}/")

    assert public.status_code == 404
    assert preview.status_code == 200
    assert "Sun Declined" in preview.text
    assert "Preview: this speaker is not in the published programme." in preview.text


def test_a_speakers_photo_is_shown(client: Client, event: Event, keynote: Session, li_ming: Speaker) -> None:
    li_ming.photo = SimpleUploadedFile("li.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")
    li_ming.save()
    publish(event)

    response = client.get(f"/events/{event.slug}/speakers/{li_ming.pk}/")

    assert f'src="{li_ming.photo.url}"' in response.text


def test_speaker_pages_cost_the_same_queries_at_two_sizes(
    client: Client, django_assert_max_num_queries: Any, db: Any
) -> None:
    counts = []
    for slug, size in (("small", 6), ("large", 120)):
        event = EventFactory(slug=slug)
        built = build_programme(event, sessions=size, speakers=max(2, size // 3))
        publish(event)
        with django_assert_max_num_queries(6) as listing:
            assert client.get(f"/events/{slug}/speakers/").status_code == 200
        with django_assert_max_num_queries(6) as page:
            assert client.get(f"/events/{slug}/speakers/{built['speakers'][0].pk}/").status_code == 200
        counts.append((len(listing), len(page)))
    assert counts[0] == counts[1]


def test_operators_preview_an_invited_speaker(operator: User) -> None:
    client = client_for(operator)
    event = EventFactory(slug="preview")
    build_programme(event, sessions=10)
    publish(event)
    invited = SpeakerFactory(event=event, status=SpeakerStatus.INVITED)

    assert client.get(f"/events/preview/speakers/{invited.pk}/").status_code == 200
