"""Registration API: register yourself, read and cancel your registration; refusals answer the standard error
shape {code, message, problems} with a 4xx status and change nothing."""

import json
from collections.abc import Callable
from typing import Any

from django.core import mail
from django.test import Client

from chiptown.accounts.models import ApiToken, User
from chiptown.events import badges
from chiptown.events.models import Event, Registration, RegistrationStatus
from tests.events.factories import RegistrationFactory
from tests.events.registration_support import GOOD_ANSWERS, registration_state, with_questions, world_state

Commit = Callable[..., Any]


def send(client: Client, method: str, path: str, body: Any = None, **headers: str) -> Any:
    address = f"/api/v1/events{path}"
    if method == "get":
        return client.get(address, headers=headers)
    data = json.dumps(body if body is not None else {})
    return getattr(client, method)(address, data=data, content_type="application/json", headers=headers)


def test_registering_through_the_api(
    event: Event, attendee: User, attendee_client: Client, django_capture_on_commit_callbacks: Commit
) -> None:
    with_questions(event)

    with django_capture_on_commit_callbacks(execute=True):
        response = send(
            attendee_client, "post", "/2027/registrations", {"attendee_type": "media", "answers": GOOD_ANSWERS}
        )

    assert response.status_code == 201
    registration = Registration.objects.get(event=event, user=attendee)
    body = response.json()
    assert body["id"] == registration.pk
    assert (body["event"], body["status"], body["attendee_type"]) == ("2027", "confirmed", "media")
    assert body["answers"] == {"job_title": "Purchasing lead", "fleet_size": 120000, "interest": "adas"}
    assert body["badge_url"] == badges.badge_url(registration)
    assert len(mail.outbox) == 1


def test_a_second_registration_answers_409_in_the_standard_shape(
    attendee_registration: Registration, attendee_client: Client
) -> None:
    before = world_state(attendee_registration.event)

    response = send(attendee_client, "post", "/2027/registrations", {"attendee_type": "general"})

    assert response.status_code == 409
    assert response.json() == {
        "code": "already_registered",
        "message": "You are already registered for Chip to E-Town 2027.",
        "problems": [],
    }
    assert world_state(attendee_registration.event) == before


def test_bad_input_answers_400_with_every_problem(event: Event, attendee_client: Client) -> None:
    with_questions(event)

    response = send(
        attendee_client, "post", "/2027/registrations", {"attendee_type": "vip", "answers": {"fleet_size": "x"}}
    )

    assert response.status_code == 400
    assert [p["column"] for p in response.json()["problems"]] == [
        "attendee_type",
        "job_title",
        "fleet_size",
        "interest",
    ]
    assert registration_state(event) == []


def test_closed_registration_and_unknown_events(event: Event, attendee_client: Client) -> None:
    event.registration_open = False
    event.save()

    closed = send(attendee_client, "post", "/2027/registrations", {})
    missing = send(attendee_client, "post", "/nope/registrations", {})

    assert (closed.status_code, closed.json()["code"]) == (409, "registration_closed")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert registration_state(event) == []


def test_reading_and_cancelling_my_registration(attendee_registration: Registration, attendee_client: Client) -> None:
    mine = send(attendee_client, "get", "/2027/registrations/me")
    assert mine.status_code == 200
    assert mine.json()["status"] == "confirmed"

    cancelled = send(attendee_client, "delete", "/2027/registrations/me")
    assert cancelled.status_code == 204
    attendee_registration.refresh_from_db()
    assert attendee_registration.status == RegistrationStatus.CANCELLED

    after = send(attendee_client, "get", "/2027/registrations/me").json()
    assert (after["status"], after["badge_url"]) == ("cancelled", None)
    again = send(attendee_client, "delete", "/2027/registrations/me")
    assert (again.status_code, again.json()["code"]) == (409, "cancelled")


def test_without_a_registration_me_is_404(event: Event, stranger_client: Client) -> None:
    for method in ("get", "delete"):
        response = send(stranger_client, method, "/2027/registrations/me")
        assert (response.status_code, response.json()["code"]) == (404, "not_registered")


def test_anonymous_callers_are_told_to_authenticate(event: Event, client: Client) -> None:
    for method, path in (("post", "/2027/registrations"), ("get", "/2027/registrations/me")):
        response = send(client, method, path)
        assert (response.status_code, response.json()["code"]) == (401, "unauthenticated")
    assert registration_state(event) == []


def test_a_script_registers_with_a_token(event: Event, attendee: User) -> None:
    _token, key = ApiToken.issue(user=attendee, name="script")

    response = send(Client(), "post", "/2027/registrations", {}, Authorization=f"Bearer {key}")

    assert response.status_code == 201
    assert Registration.objects.filter(event=event, user=attendee).exists()


def test_someone_elses_registration_is_never_theirs(
    attendee_registration: Registration, stranger_client: Client
) -> None:
    RegistrationFactory(event=attendee_registration.event, status=RegistrationStatus.PENDING)
    before = world_state(attendee_registration.event)

    assert send(stranger_client, "delete", "/2027/registrations/me").status_code == 404
    assert world_state(attendee_registration.event) == before
