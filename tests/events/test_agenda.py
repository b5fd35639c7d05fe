"""A person's own agenda: adding and removing sessions, the published times, clash warnings in sentences."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chiptown.accounts.models import User
from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied
from chiptown.events.models import AgendaItem, Event, Registration, RegistrationStatus, SessionKind
from chiptown.events.services import registrations as services
from chiptown.events.services.seats import signup_create
from tests.events.factories import RegistrationFactory, SessionFactory, WorkshopFactory, at
from tests.events.registration_support import publish, world_state

Commit = Callable[..., Any]


def panel(event: Event, title: str, day: int, start: int, end: int, **kwargs: Any) -> Any:
    return SessionFactory(
        event=event,
        kind=SessionKind.PANEL,
        title_en=title,
        title_zh=title,
        starts_at=at(day, start),
        ends_at=at(day, end),
        **kwargs,
    )


def test_toggling_adds_then_removes_a_session(attendee_registration: Registration, attendee: User) -> None:
    event = attendee_registration.event
    keynote = SessionFactory(event=event)
    publish(event, keynote)

    assert services.agenda_toggle(registration=attendee_registration, session=keynote, by=attendee) is True
    assert list(AgendaItem.objects.values_list("session_id", flat=True)) == [keynote.pk]
    assert services.agenda_toggle(registration=attendee_registration, session=keynote, by=attendee) is False
    assert not AgendaItem.objects.exists()


def test_the_agenda_lists_sessions_by_day_at_their_published_times_with_clashes(
    attendee_registration: Registration, attendee: User
) -> None:
    event = attendee_registration.event
    panel_a = panel(event, "Panel A", 2, 13, 15)
    salon_b = WorkshopFactory(event=event, title_en="Salon B", starts_at=at(2, 14), ends_at=at(2, 16))
    keynote = panel(event, "Opening keynote", 1, 9, 10)
    later = panel(event, "Panel C", 2, 16, 17)  # touches Salon B's end: no clash
    publish(event, panel_a, salon_b, keynote, later)
    for session in (panel_a, keynote, later):
        services.agenda_toggle(registration=attendee_registration, session=session, by=attendee)
    signup_create(session=salon_b, user=attendee, by=attendee)
    panel_a.starts_at = at(3, 9)  # a draft change, not published: the agenda keeps the published time
    panel_a.ends_at = at(3, 10)
    panel_a.save()

    agenda = services.agenda_for(registration=attendee_registration)

    assert [(day.date.isoformat(), [e.session.display_title for e in day.entries]) for day in agenda.days] == [
        ("2027-06-15", ["Opening keynote"]),
        ("2027-06-16", ["Panel A", "Salon B", "Panel C"]),
    ]
    assert agenda.clash_sentences() == ["Panel A and Salon B overlap on June 16, 14:00–15:00."]
    assert agenda.clashing_ids == {panel_a.pk, salon_b.pk}
    assert agenda.added_ids == {panel_a.pk, keynote.pk, later.pk}
    assert agenda.unpublished == ()


def test_a_session_dropped_from_the_programme_is_listed_apart(
    attendee_registration: Registration, attendee: User
) -> None:
    event = attendee_registration.event
    keynote, dropped = SessionFactory(event=event), SessionFactory(event=event)
    publish(event, keynote, dropped)
    for session in (keynote, dropped):
        services.agenda_toggle(registration=attendee_registration, session=session, by=attendee)
    publish(event, keynote)

    agenda = services.agenda_for(registration=attendee_registration)

    assert [e.session for e in agenda.unpublished] == [dropped]
    assert [e.session for day in agenda.days for e in day.entries] == [keynote]


def test_the_clash_sentence_is_in_the_readers_language(attendee_registration: Registration, attendee: User) -> None:
    from django.utils import translation

    event = attendee_registration.event
    first, second = panel(event, "A", 2, 14, 15), panel(event, "B", 2, 14, 16)
    publish(event, first, second)
    for session in (first, second):
        services.agenda_toggle(registration=attendee_registration, session=session, by=attendee)

    with translation.override("zh-hans"):
        [sentence] = services.agenda_for(registration=attendee_registration).clash_sentences()

    assert "6月16日" in sentence
    assert "14:00–15:00" in sentence


@pytest.mark.parametrize(
    ("case", "error"),
    [("other_event", ChipTownError), ("takes_signup", Conflict), ("not_published", Conflict)],
)
def test_sessions_that_cannot_be_added_are_refused(
    attendee_registration: Registration, attendee: User, case: str, error: type[ChipTownError]
) -> None:
    event = attendee_registration.event
    if case == "other_event":
        session = SessionFactory()
        publish(session.event, session)
    elif case == "takes_signup":
        session = WorkshopFactory(event=event)
        publish(event, session)
    else:
        session = SessionFactory(event=event)
        publish(event, SessionFactory(event=event))
    before = world_state(event)

    with pytest.raises(error) as caught:
        services.agenda_toggle(registration=attendee_registration, session=session, by=attendee)

    assert caught.value.code == case
    assert world_state(event) == before


@pytest.mark.parametrize("status", [RegistrationStatus.PENDING, RegistrationStatus.CANCELLED])
def test_only_a_confirmed_registration_has_an_agenda(event: Event, attendee: User, status: str) -> None:
    registration = RegistrationFactory(event=event, user=attendee, status=status)
    keynote = SessionFactory(event=event)
    publish(event, keynote)
    before = world_state(event)

    with pytest.raises(Conflict) as caught:
        services.agenda_toggle(registration=registration, session=keynote, by=attendee)

    assert caught.value.code == "not_confirmed"
    assert world_state(event) == before


def test_nobody_changes_someone_elses_agenda(attendee_registration: Registration, stranger: User) -> None:
    event = attendee_registration.event
    keynote = SessionFactory(event=event)
    publish(event, keynote)
    before = world_state(event)

    with pytest.raises(PermissionDenied):
        services.agenda_toggle(registration=attendee_registration, session=keynote, by=stranger)

    assert world_state(event) == before


# --- The button --------------------------------------------------------------------------------------------------


def test_the_button_toggles_and_returns_to_the_session_page(
    attendee_registration: Registration, attendee_client: Client
) -> None:
    event = attendee_registration.event
    keynote = SessionFactory(event=event)
    publish(event, keynote)
    url = reverse("events:agenda_toggle", args=[event.slug, keynote.pk])

    response = attendee_client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("events:session", args=[event.slug, keynote.pk])
    assert AgendaItem.objects.filter(registration=attendee_registration, session=keynote).exists()

    fragment = attendee_client.post(url, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "Add to my agenda" in fragment.content.decode()
    assert not AgendaItem.objects.exists()


def test_the_button_refuses_a_session_with_sign_up(
    attendee_registration: Registration, attendee_client: Client
) -> None:
    event = attendee_registration.event
    workshop = WorkshopFactory(event=event)
    publish(event, workshop)
    url = reverse("events:agenda_toggle", args=[event.slug, workshop.pk])

    plain = attendee_client.post(url)
    fragment = attendee_client.post(url, headers={"HX-Request": "true"})

    assert plain.status_code == 409
    assert "Sign up for this session" in plain.content.decode()
    assert fragment.status_code == 200  # HTMX swaps only 2xx answers: the refusal is shown in the button
    assert "Sign up for this session" in fragment.content.decode()
    assert not AgendaItem.objects.exists()


def test_the_button_needs_a_registration_and_a_login(event: Event, stranger_client: Client, client: Client) -> None:
    keynote = SessionFactory(event=event)
    publish(event, keynote)
    url = reverse("events:agenda_toggle", args=[event.slug, keynote.pk])

    assert stranger_client.post(url).status_code == 403
    assert client.post(url).status_code == 302  # to the login page
    assert stranger_client.get(url).status_code == 405
    assert not AgendaItem.objects.exists()
