"""The seat API: POST and DELETE /api/v1/events/sessions/{id}/signup with a token or a session login."""

import json
from typing import Any

import pytest
from django.test import Client

from chiptown.accounts.models import ApiToken, User
from chiptown.events.models import Event, Session, Signup
from tests.events.seats_support import registered, statuses, workshop

pytestmark = pytest.mark.django_db


def url(session: Session | int) -> str:
    return f"/api/v1/events/sessions/{getattr(session, 'pk', session)}/signup"


def bearer(user: User) -> dict[str, str]:
    _token, key = ApiToken.issue(user=user, name="script")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post(session: Session | int, auth: dict[str, str], body: Any = None) -> Any:
    payload = json.dumps({} if body is None else body)
    return Client().post(url(session), payload, content_type="application/json", **auth)


def test_a_seat_then_the_waiting_list(event: Event) -> None:
    session = workshop(event, capacity=1)
    first, second = registered(event, "first"), registered(event, "second")

    seated = post(session, bearer(first), {"nda_accepted": False})
    waiting = post(session, bearer(second))

    assert seated.status_code == 201 and seated.json() == {"status": "confirmed", "position": None}
    assert waiting.status_code == 201 and waiting.json() == {"status": "waiting", "position": 1}


def test_a_second_signup_is_a_409_and_changes_nothing(event: Event) -> None:
    session = workshop(event, capacity=3)
    user = registered(event, "twice")
    auth = bearer(user)
    post(session, auth)

    again = post(session, auth)

    assert again.status_code == 409 and again.json()["code"] == "already_signed_up"
    session.refresh_from_db()
    assert session.seats_taken == 1 and Signup.objects.count() == 1


def test_refusals_answer_4xx_with_a_message(event: Event, stranger: User) -> None:
    closed = workshop(event, capacity=3, closed_door=True)
    insider = registered(event, "insider", role="judge")
    closed.invitations.create(kind="role", role="judge")

    anonymous = Client().post(url(closed), "{}", content_type="application/json")
    unregistered = post(closed, bearer(stranger))
    no_nda = post(closed, bearer(insider))
    unknown = post(999999, bearer(insider))
    bad_body = Client().post(url(closed), "[1, 2", content_type="application/json", **bearer(insider))
    bad_type = post(closed, bearer(insider), {"nda_accepted": "perhaps"})

    assert anonymous.status_code == 401
    assert unregistered.status_code == 409 and "confirmed registration" in unregistered.json()["message"]
    assert no_nda.status_code == 400 and no_nda.json()["problems"][0]["column"] == "nda_accepted"
    assert unknown.status_code == 404
    assert bad_body.status_code == 400
    assert bad_type.status_code == 422
    assert not Signup.objects.exists()

    accepted = post(closed, bearer(insider), {"nda_accepted": True})
    assert accepted.status_code == 201 and accepted.json()["status"] == "confirmed"


def test_delete_gives_the_seat_up(event: Event) -> None:
    session = workshop(event, capacity=1)
    first, second = registered(event, "first"), registered(event, "second")
    first_auth, second_auth = bearer(first), bearer(second)
    post(session, first_auth)
    post(session, second_auth)

    gone = Client().delete(url(session), **first_auth)
    nothing = Client().delete(url(session), **first_auth)

    assert gone.status_code == 204
    assert nothing.status_code == 404 and nothing.json()["code"] == "no_signup_held"
    assert statuses(session) == {"first": "cancelled", "second": "offered"}


def test_a_browser_session_needs_the_csrf_header(event: Event) -> None:
    session = workshop(event, capacity=1)
    user = registered(event, "browser")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    refused = client.post(url(session), "{}", content_type="application/json")

    assert refused.status_code == 403 and not Signup.objects.exists()
