"""Registration pages: registering, the person's own page with the badge and agenda, cancelling and changing, the
badge image, and the organisers' list and settings. Denied or bad requests change nothing."""

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from chiptown.accounts.models import Role, User
from chiptown.events import badges
from chiptown.events.models import AttendeeType, Event, Registration, RegistrationStatus, SessionKind
from chiptown.events.services import registrations as services
from tests.conftest import client_for
from tests.events.factories import EventFactory, RegistrationFactory, SessionFactory, at
from tests.events.registration_support import GOOD_ANSWERS, publish, registration_state, with_questions, world_state
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

Commit = Callable[..., Any]


def url(name: str, event: Event, *args: Any) -> str:
    return reverse(f"events:{name}", args=[event.slug, *args])


def field_errors(response: Any, name: str) -> list[str]:
    return list(response.context["form"].errors.get(name, []))


# --- Registering -------------------------------------------------------------------------------------------------


def test_the_form_asks_the_events_questions_and_registers(
    event: Event, attendee: User, attendee_client: Client, django_capture_on_commit_callbacks: Commit
) -> None:
    with_questions(event)

    page = attendee_client.get(url("register", event))
    assert page.status_code == 200
    html = page.content.decode()
    for text in ("Job title *", "Vehicles built per year", "Main interest *", "Autonomous-driving chips", "Media"):
        assert text in html

    post = {"attendee_type": "media", **{f"answer_{k}": v for k, v in GOOD_ANSWERS.items()}}
    with django_capture_on_commit_callbacks(execute=True):
        response = attendee_client.post(url("register", event), post)

    assert response.status_code == 302
    assert response["Location"] == url("my_registration", event)
    registration = Registration.objects.get(event=event, user=attendee)
    assert (registration.status, registration.attendee_type) == (RegistrationStatus.CONFIRMED, AttendeeType.MEDIA)
    assert len(mail.outbox) == 1


def test_bad_answers_are_shown_next_to_their_questions(event: Event, attendee_client: Client) -> None:
    with_questions(event)

    response = attendee_client.post(
        url("register", event), {"attendee_type": "general", "answer_fleet_size": "lots", "answer_interest": "mcu"}
    )

    assert response.status_code == 400
    assert field_errors(response, "answer_job_title") == ["This answer is required."]
    assert field_errors(response, "answer_fleet_size") == ["lots is not a number."]
    assert registration_state(event) == []


def test_a_type_people_may_not_choose_is_refused_by_the_form(event: Event, attendee_client: Client) -> None:
    response = attendee_client.post(url("register", event), {"attendee_type": "vip"})

    assert response.status_code == 400
    assert field_errors(response, "attendee_type")[0].startswith("Select a valid choice.")
    assert registration_state(event) == []


def test_a_closed_registration_says_so_and_refuses(event: Event, attendee_client: Client) -> None:
    event.registration_open = False
    event.save()

    page = attendee_client.get(url("register", event))
    refused = attendee_client.post(url("register", event), {"attendee_type": "general"})

    assert "Registration is closed." in page.content.decode()
    assert refused.status_code == 409
    assert "Registration is closed." in refused.content.decode()
    assert registration_state(event) == []


def test_someone_already_registered_is_sent_to_their_page(
    attendee_registration: Registration, attendee_client: Client
) -> None:
    event = attendee_registration.event
    before = world_state(event)

    response = attendee_client.get(url("register", event), follow=True)

    assert response.redirect_chain == [(url("my_registration", event), 302)]
    assert "You are already registered for Chip to E-Town 2027." in response.content.decode()
    assert world_state(event) == before


def test_someone_not_approved_is_told_so_not_asked_again(event: Event, attendee: User, attendee_client: Client) -> None:
    RegistrationFactory(event=event, user=attendee, status=RegistrationStatus.REJECTED)

    response = attendee_client.get(url("register", event), follow=True)

    assert response.redirect_chain == [(url("my_registration", event), 302)]
    assert "The organisers did not approve your registration for Chip to E-Town 2027." in response.content.decode()
    assert url("badge_png", event) not in response.content.decode()


def test_registering_needs_a_login(event: Event, client: Client) -> None:
    response = client.post(url("register", event), {"attendee_type": "general"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert registration_state(event) == []


# --- The person's own page ---------------------------------------------------------------------------------------


def test_my_page_shows_the_badge_answers_agenda_clashes_and_feed(event: Event, attendee: User) -> None:
    organisation = OrganisationFactory(name_en="Horizon Robotics", name_zh="地平线")
    PersonFactory(user=attendee, name_en="Alice Wang", name_zh="王爱丽", organisation=organisation)
    with_questions(event)
    registration = RegistrationFactory(event=event, user=attendee, answers={"job_title": "CTO", "interest": "mcu"})
    first = SessionFactory(
        event=event, kind=SessionKind.PANEL, title_en="Panel A", starts_at=at(2, 14), ends_at=at(2, 15, 30)
    )
    second = SessionFactory(event=event, title_en="Salon B", starts_at=at(2, 15), ends_at=at(2, 16))
    publish(event, first, second)
    for session in (first, second):
        services.agenda_toggle(registration=registration, session=session, by=attendee)

    response = client_for(attendee).get(url("my_registration", event))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'src="{url("badge_png", event)}"' in html
    for text in ("Alice Wang", "Horizon Robotics", "General", "Confirmed", "Job title", "CTO", "MCUs"):
        assert text in html
    assert "Panel A and Salon B overlap on June 16, 15:00–15:30." in html
    assert "14:00–15:30" in html  # times in the event's zone
    assert url("agenda_ical", event, badges.agenda_feed_token(registration)) in html
    assert url("registration_cancel", event) in html


def test_my_page_without_a_badge_while_pending(event: Event, attendee: User, attendee_client: Client) -> None:
    RegistrationFactory(event=event, user=attendee, status=RegistrationStatus.PENDING)

    html = attendee_client.get(url("my_registration", event)).content.decode()

    assert "Awaiting approval" in html
    assert url("badge_png", event) not in html
    assert "My agenda" not in html


def test_my_page_sends_someone_unregistered_to_the_form(event: Event, attendee_client: Client) -> None:
    response = attendee_client.get(url("my_registration", event))

    assert (response.status_code, response["Location"]) == (302, url("register", event))


def test_cancelling_asks_first_then_cancels(attendee_registration: Registration, attendee_client: Client) -> None:
    event = attendee_registration.event
    before = world_state(event)

    ask = attendee_client.get(url("registration_cancel", event))
    assert ask.status_code == 200
    assert "Yes, cancel my registration" in ask.content.decode()
    assert world_state(event) == before

    done = attendee_client.post(url("registration_cancel", event), follow=True)

    assert done.redirect_chain == [(url("my_registration", event), 302)]
    html = done.content.decode()
    assert "Cancelled" in html
    assert "Register again" in html
    assert Registration.objects.get(pk=attendee_registration.pk).status == RegistrationStatus.CANCELLED


def test_changing_answers(attendee_registration: Registration, attendee_client: Client) -> None:
    event = with_questions(attendee_registration.event)

    bad = attendee_client.post(url("registration_answers", event), {"answer_job_title": "CTO"})
    assert bad.status_code == 400
    assert field_errors(bad, "answer_interest") == ["This answer is required."]
    assert Registration.objects.get(pk=attendee_registration.pk).answers == {}

    good = attendee_client.post(
        url("registration_answers", event), {"answer_job_title": "CTO", "answer_interest": "mcu"}
    )
    assert good.status_code == 302
    assert Registration.objects.get(pk=attendee_registration.pk).answers == {"job_title": "CTO", "interest": "mcu"}


def test_nothing_to_cancel_or_change_without_a_live_registration(event: Event, attendee_client: Client) -> None:
    for name in ("registration_cancel", "registration_answers"):
        assert attendee_client.post(url(name, event)).status_code == 404


# --- The badge image ---------------------------------------------------------------------------------------------


def test_the_badge_image_is_the_owners_qr_code(attendee_registration: Registration, attendee_client: Client) -> None:
    response = attendee_client.get(url("badge_png", attendee_registration.event))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert response.content == badges.badge_qr_png(attendee_registration)


@pytest.mark.parametrize(
    "status", [RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED, RegistrationStatus.PENDING]
)
def test_no_badge_image_unless_confirmed(event: Event, attendee: User, attendee_client: Client, status: str) -> None:
    RegistrationFactory(event=event, user=attendee, status=status)

    assert attendee_client.get(url("badge_png", event)).status_code == 404


def test_staff_and_operators_see_any_badge_others_do_not(
    attendee_registration: Registration, staff_client: Client, operator_client: Client, stranger_client: Client
) -> None:
    event = attendee_registration.event
    address = url("badge_png", event) + f"?registration={attendee_registration.pk}"

    assert staff_client.get(address).content == badges.badge_qr_png(attendee_registration)
    assert operator_client.get(address).status_code == 200
    assert stranger_client.get(address).status_code == 403
    assert Client().get(address).status_code == 302


# --- The organisers' list ----------------------------------------------------------------------------------------


def test_the_list_searches_and_filters(event: Event, operator_client: Client) -> None:
    horizon = OrganisationFactory(name_en="Horizon Robotics", name_zh="地平线")
    wang = RegistrationFactory(event=event, user=UserFactory(username="wang", email="wang@horizon.example"))
    PersonFactory(user=wang.user, name_en="Wang Lei", name_zh="王磊", organisation=horizon)
    li = RegistrationFactory(
        event=event, user=UserFactory(username="li", organisation=horizon), status=RegistrationStatus.PENDING
    )
    zhao = RegistrationFactory(event=event, user=UserFactory(username="zhao"), attendee_type=AttendeeType.MEDIA)
    RegistrationFactory(user=UserFactory(username="elsewhere"))  # another event

    def found(query: str) -> list[str]:
        response = operator_client.get(url("registrations", event) + query)
        assert response.status_code == 200
        return sorted(r.user.username for r in response.context["registrations"].page.object_list)

    assert found("") == ["li", "wang", "zhao"]
    assert found("?q=王磊") == ["wang"]
    assert found("?q=horizon.example") == ["wang"]
    assert found("?q=Horizon") == ["li", "wang"]
    assert found("?status=pending") == ["li"]
    assert found("?type=media") == ["zhao"]
    assert found("?q=Horizon&status=confirmed") == ["wang"]
    assert found("?status=nonsense") == ["li", "wang", "zhao"]
    assert li and zhao


def test_the_list_pages(event: Event, operator_client: Client) -> None:
    RegistrationFactory.create_batch(55, event=event)

    first = operator_client.get(url("registrations", event))
    second = operator_client.get(url("registrations", event) + "?page=2")

    assert len(first.context["registrations"].page.object_list) == 50
    assert len(second.context["registrations"].page.object_list) == 5
    assert "Page 1 of 2" in first.content.decode()


@pytest.mark.parametrize("size", [3, 40])
def test_the_list_costs_the_same_queries_at_any_size(
    size: int, operator_client: Client, django_assert_max_num_queries: Any, db: Any
) -> None:
    event = EventFactory(slug=f"size-{size}")
    for n in range(size):
        user = UserFactory(organisation=OrganisationFactory())
        PersonFactory(user=user, organisation=OrganisationFactory())
        RegistrationFactory(
            event=event, user=user, status=[RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED][n % 2]
        )

    with django_assert_max_num_queries(6):
        response = operator_client.get(url("registrations", event))

    assert response.status_code == 200


@pytest.mark.parametrize("size", [2, 30])
def test_my_page_costs_the_same_queries_at_any_size(size: int, django_assert_max_num_queries: Any, db: Any) -> None:
    event = EventFactory(slug=f"mine-{size}")
    user = UserFactory()
    PersonFactory(user=user, organisation=OrganisationFactory())
    registration = RegistrationFactory(event=event, user=user)
    sessions = [
        SessionFactory(event=event, starts_at=at(1 + n % 3, 9 + n % 8), ends_at=at(1 + n % 3, 10 + n % 8))
        for n in range(size)
    ]
    publish(event, *sessions)
    for session in sessions:
        services.agenda_toggle(registration=registration, session=session, by=user)
    client = client_for(user)

    with django_assert_max_num_queries(9):
        response = client.get(url("my_registration", event))

    assert response.status_code == 200
    assert sum(len(day.entries) for day in response.context["agenda"].days) == size


def test_people_who_are_not_operators_may_not_see_or_act_on_the_list(
    attendee_registration: Registration, attendee_client: Client, staff_client: Client
) -> None:
    event = attendee_registration.event
    pending = RegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    before = world_state(event)

    for client in (attendee_client, staff_client):
        assert client.get(url("registrations", event)).status_code == 403
        assert client.post(url("registration_decide", event, pending.pk), {"decision": "approve"}).status_code == 403
        assert client.post(url("registration_type", event, pending.pk), {"attendee_type": "vip"}).status_code == 403
        assert client.post(url("registration_badge_send", event, attendee_registration.pk)).status_code == 403
        assert client.post(url("registrations_approve", event), {"registration": [pending.pk]}).status_code == 403
        assert client.get(url("registration_form", event)).status_code == 403

    assert world_state(event) == before
    assert mail.outbox == []


def test_approving_and_rejecting_from_the_list_with_htmx(
    event: Event, operator_client: Client, django_capture_on_commit_callbacks: Commit
) -> None:
    first = RegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    second = RegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    htmx = {"HX-Request": "true"}

    with django_capture_on_commit_callbacks(execute=True):
        approved = operator_client.post(
            url("registration_decide", event, first.pk), {"decision": "approve"}, headers=htmx
        )
    assert approved.status_code == 200
    assert f'id="registration-{first.pk}"' in approved.content.decode()
    assert "Send the badge again" in approved.content.decode()
    assert len(mail.outbox) == 1

    before = world_state(event)
    no_reason = operator_client.post(url("registration_decide", event, second.pk), {"decision": "reject"}, headers=htmx)
    assert no_reason.status_code == 200  # shown in the row: HTMX swaps only 2xx answers
    assert "Say why the registration is not approved." in no_reason.content.decode()
    plain = operator_client.post(url("registration_decide", event, second.pk), {"decision": "reject"})
    assert plain.status_code == 400
    assert world_state(event) == before

    rejected = operator_client.post(
        url("registration_decide", event, second.pk), {"decision": "reject", "reason": "Full."}, headers=htmx
    )
    assert "Not approved" in rejected.content.decode()
    assert Registration.objects.get(pk=second.pk).status == RegistrationStatus.REJECTED

    again = operator_client.post(url("registration_decide", event, second.pk), {"decision": "approve"})
    assert again.status_code == 409
    assert Registration.objects.get(pk=second.pk).status == RegistrationStatus.REJECTED


def test_changing_the_type_and_resending_the_badge(
    attendee_registration: Registration, operator_client: Client, django_capture_on_commit_callbacks: Commit
) -> None:
    event = attendee_registration.event
    htmx = {"HX-Request": "true"}

    with django_capture_on_commit_callbacks(execute=True):
        typed = operator_client.post(
            url("registration_type", event, attendee_registration.pk), {"attendee_type": "speaker"}, headers=htmx
        )
    assert typed.status_code == 200
    assert 'value="speaker" selected' in typed.content.decode()
    assert Registration.objects.get(pk=attendee_registration.pk).attendee_type == AttendeeType.SPEAKER

    sent = operator_client.post(url("registration_badge_send", event, attendee_registration.pk), headers=htmx)
    assert "Badge sent again." in sent.content.decode()
    assert len(mail.outbox) == 2

    bad = operator_client.post(url("registration_type", event, attendee_registration.pk), {"attendee_type": "king"})
    assert bad.status_code == 400
    assert Registration.objects.get(pk=attendee_registration.pk).attendee_type == AttendeeType.SPEAKER


def test_bulk_approval_shows_the_badge_job(
    event: Event, operator_client: Client, django_capture_on_commit_callbacks: Commit
) -> None:
    pending = RegistrationFactory.create_batch(2, event=event, status=RegistrationStatus.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            url("registrations_approve", event), {"registration": [r.pk for r in pending]}, follow=True
        )

    assert response.status_code == 200
    assert response.context["job"] is not None
    assert "2 registrations approved" in response.content.decode()
    assert set(Registration.objects.filter(event=event).values_list("status", flat=True)) == {"confirmed"}
    assert len(mail.outbox) == 2


# --- The organisers' settings ------------------------------------------------------------------------------------


def test_the_settings_page_saves_and_refuses_bad_questions(event: Event, operator_client: Client) -> None:
    page = operator_client.get(url("registration_form", event))
    assert page.status_code == 200
    before = Event.objects.values().get(pk=event.pk)

    not_json = operator_client.post(url("registration_form", event), {"form_fields": "[{"})
    assert not_json.status_code == 400
    assert field_errors(not_json, "form_fields")[0].startswith("Not valid JSON (line 1, column 3)")
    bad = operator_client.post(
        url("registration_form", event), {"form_fields": json.dumps([{"name": "a", "label_en": "A", "type": "date"}])}
    )
    assert bad.status_code == 400
    assert field_errors(bad, "form_fields") == [
        "Question 1: the type must be one of: text, textarea, number, url, choice."
    ]
    assert Event.objects.values().get(pk=event.pk) == before

    questions = [{"name": "diet", "label_en": "Dietary needs", "label_zh": "饮食要求", "type": "textarea"}]
    saved = operator_client.post(
        url("registration_form", event), {"requires_approval": "on", "form_fields": json.dumps(questions)}
    )
    assert saved.status_code == 302
    event.refresh_from_db()
    assert (event.registration_open, event.requires_approval, event.form_fields) == (False, True, questions)


def test_a_rep_is_not_an_operator(event: Event, db: Any) -> None:
    rep = client_for(UserFactory(role=Role.COMPANY_REP))
    before = Event.objects.values().get(pk=event.pk)

    assert rep.post(url("registration_form", event), {"form_fields": "[]"}).status_code == 403
    assert Event.objects.values().get(pk=event.pk) == before
