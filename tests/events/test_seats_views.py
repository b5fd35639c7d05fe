"""The seat pages: the seat box the session page embeds (every state a person can be in), its HTMX and plain POST
actions, and the operators' sign-up list with its CSV export."""

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chiptown.accounts.models import User
from chiptown.core.models import AuditEntry
from chiptown.events.models import Event, RegistrationStatus, Session, Signup, SignupStatus
from chiptown.events.services import seats
from tests.conftest import client_for
from tests.events.factories import RegistrationFactory, SessionFactory
from tests.events.seats_support import in_days, publish, registered, signup_of, statuses, workshop
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def box_url(session: Session, name: str = "seat_box") -> str:
    return reverse(f"events:{name}", args=[session.event.slug, session.pk])


def text(response: Any) -> str:
    return response.content.decode()


def fill(session: Session, seated: int, waiting: int = 0) -> list[User]:
    people = [registered(session.event, f"p{session.pk}-{i}") for i in range(seated + waiting)]
    for user in people:
        seats.signup_create(session=session, user=user, by=user)
    return people


# --- The seat box --------------------------------------------------------------------------------------------------


def test_anonymous_visitors_get_a_login_link(event: Event) -> None:
    session = workshop(event, capacity=5)

    response = Client().get(box_url(session), **HTMX)

    assert response.status_code == 200
    body = text(response)
    assert "Seats left: 5 of 5." in body and "Log in to sign up" in body
    assert reverse("accounts:login") + "?next=" in body
    assert "<html" not in body  # a fragment for HTMX


def test_a_plain_get_shows_the_box_on_a_page_of_its_own(
    event: Event, attendee_client: Client, attendee_registration: Any
) -> None:
    session = workshop(event, capacity=5)

    response = attendee_client.get(box_url(session))

    assert response.status_code == 200
    assert "<html" in text(response) and "Sign up" in text(response)


def test_people_without_a_registration_are_pointed_to_registering(event: Event, stranger_client: Client) -> None:
    session = workshop(event)

    body = text(stranger_client.get(box_url(session), **HTMX))

    assert "Register for Chip to E-Town 2027 to sign up for this session." in body
    try:
        register_url = reverse("events:register", args=[event.slug])
    except Exception:  # part D's page is not there yet
        register_url = ""
    if register_url:
        assert f'href="{register_url}"' in body


def test_a_pending_registration_is_told_to_wait(event: Event, stranger: User, stranger_client: Client) -> None:
    session = workshop(event)
    RegistrationFactory(event=event, user=stranger, status=RegistrationStatus.PENDING)

    assert "awaits approval" in text(stranger_client.get(box_url(session), **HTMX))


def test_the_box_shows_a_seat_a_waiting_place_and_an_offer(event: Event) -> None:
    session = workshop(event, capacity=1)
    seated, waiting, second = (registered(event, name) for name in ("seated", "waiting", "second"))
    for user in (seated, waiting, second):
        seats.signup_create(session=session, user=user, by=user)

    assert "Your seat is confirmed." in text(client_for(seated).get(box_url(session), **HTMX))
    assert "You are number 2 on the waiting list." in text(client_for(second).get(box_url(session), **HTMX))

    seats.signup_cancel(signup=signup_of(session, seated), by=seated)
    offer = signup_of(session, waiting)
    assert offer.offered_until is not None
    when = offer.offered_until.astimezone(event.zone).strftime("%Y-%m-%d %H:%M")
    body = text(client_for(waiting).get(box_url(session), **HTMX))
    assert f"A seat is yours until {when} (Asia/Shanghai): accept or decline." in body
    assert box_url(session, "offer_accept") in body and box_url(session, "offer_decline") in body
    assert "You are number 1 on the waiting list." in text(client_for(second).get(box_url(session), **HTMX))


def test_a_full_session_offers_the_waiting_list(
    event: Event, attendee_client: Client, attendee_registration: Any
) -> None:
    session = workshop(event, capacity=1)
    fill(session, 1)

    body = text(attendee_client.get(box_url(session), **HTMX))

    assert "Full: new sign-ups join the waiting list." in body and "Join the waiting list" in body


def test_closed_door_shows_the_nda_to_the_invited_and_nothing_to_others(event: Event, company: Any) -> None:
    session = workshop(event, closed_door=True, nda_en="Nothing said here leaves the room.")
    session.invitations.create(kind="organisation", organisation=company)
    insider = registered(event, "insider", organisation=company)
    outsider = registered(event, "outsider")

    inside = text(client_for(insider).get(box_url(session), **HTMX))
    outside = text(client_for(outsider).get(box_url(session), **HTMX))

    assert "Nothing said here leaves the room." in inside and 'name="nda_accepted"' in inside
    assert "By invitation only" in outside
    assert "Nothing said here leaves the room." not in outside and 'name="nda_accepted"' not in outside


def test_the_box_of_an_unpublished_session_is_a_404_for_the_public(
    event: Event, attendee_client: Client, operator_client: Client, attendee_registration: Any
) -> None:
    session = workshop(event, published=False)

    assert attendee_client.get(box_url(session), **HTMX).status_code == 404
    response = operator_client.get(box_url(session), **HTMX)
    assert response.status_code == 200 and "published programme" in text(response)


def test_sessions_without_sign_up_have_no_box(event: Event, attendee_client: Client) -> None:
    session = SessionFactory(event=event, starts_at=in_days(10), ends_at=in_days(10, hour=16))
    publish(event, session)

    assert attendee_client.get(box_url(session), **HTMX).status_code == 404


def test_the_box_passes_on_offers_that_ran_out(event: Event) -> None:
    session = workshop(event, capacity=1)
    seated, first, second = (registered(event, name) for name in ("seated", "first", "second"))
    for user in (seated, first, second):
        seats.signup_create(session=session, user=user, by=user)
    seats.signup_cancel(signup=signup_of(session, seated), by=seated, now=in_days(-2))

    body = text(client_for(first).get(box_url(session), **HTMX))

    assert "Your offer of a seat ran out at" in body
    assert statuses(session) == {"seated": "cancelled", "first": "expired", "second": "offered"}


def test_the_box_costs_a_constant_number_of_queries(event: Event, django_assert_max_num_queries: Any) -> None:
    small = workshop(event, capacity=3)
    large = workshop(event, capacity=40)
    viewer = registered(event, "viewer")
    client = client_for(viewer)
    fill(small, 2, 0)
    fill(large, 40, 20)
    seats.signup_create(session=small, user=viewer, by=viewer)
    seats.signup_create(session=large, user=viewer, by=viewer)

    for session in (small, large):
        with django_assert_max_num_queries(12):  # 11, and the waiting-list position
            assert client.get(box_url(session), **HTMX).status_code == 200


# --- Actions -------------------------------------------------------------------------------------------------------


def test_signing_up_with_htmx_answers_the_new_box(
    event: Event, attendee: User, attendee_client: Client, attendee_registration: Any
) -> None:
    session = workshop(event, capacity=2)

    response = attendee_client.post(box_url(session, "signup"), {}, **HTMX)

    assert response.status_code == 200
    body = text(response)
    assert "is confirmed." in body and "Give up my seat" in body and "Seats left: 1 of 2." in body
    assert statuses(session) == {"alice": "confirmed"}


def test_signing_up_with_a_plain_post_redirects_to_the_session_page(
    event: Event, attendee_client: Client, attendee_registration: Any
) -> None:
    session = workshop(event, capacity=2)

    response = attendee_client.post(box_url(session, "signup"), {})

    assert response.status_code == 302
    assert response["Location"] == reverse("events:session", args=[event.slug, session.pk])
    assert statuses(session) == {"alice": "confirmed"}


def test_clash_warnings_are_shown_after_signing_up(
    event: Event, attendee_client: Client, attendee_registration: Any
) -> None:
    session = workshop(event, capacity=2, starts_at=in_days(20, hour=6), ends_at=in_days(20, hour=8))
    other = SessionFactory(
        event=event, starts_at=in_days(20, hour=7), ends_at=in_days(20, hour=9), title_en="Chip market to 2030"
    )
    publish(event, other)
    attendee_registration.agenda_items.create(session=other)

    body = text(attendee_client.post(box_url(session, "signup"), {}, **HTMX))
    plain = attendee_client.post(box_url(session, "signup_cancel"), {})
    assert plain.status_code == 302
    follow = attendee_client.post(box_url(session, "signup"), {}, follow=True)

    assert "This overlaps “Chip market to 2030”, which is already in your agenda." in body
    assert "This overlaps “Chip market to 2030”" in text(follow)


def test_a_refused_signup_shows_the_reason_in_the_box_and_changes_nothing(event: Event, company: Any) -> None:
    session = workshop(event, capacity=2, closed_door=True)
    session.invitations.create(kind="organisation", organisation=company)
    insider = registered(event, "insider", organisation=company)
    client = client_for(insider)

    boxed = client.post(box_url(session, "signup"), {}, **HTMX)
    plain = client.post(box_url(session, "signup"), {})

    assert boxed.status_code == 200 and "Accept the non-disclosure terms" in text(boxed)
    assert plain.status_code == 400 and "Accept the non-disclosure terms" in text(plain)
    assert not Signup.objects.exists() and not AuditEntry.objects.exists()

    accepted = client.post(box_url(session, "signup"), {"nda_accepted": "on"}, **HTMX)
    assert "Your seat is confirmed." in text(accepted)
    assert signup_of(session, insider).nda_accepted_at is not None


def test_uninvited_people_cannot_post_their_way_in(event: Event) -> None:
    session = workshop(event, capacity=2, closed_door=True)
    outsider = registered(event, "outsider")

    response = client_for(outsider).post(box_url(session, "signup"), {"nda_accepted": "on"})

    assert response.status_code == 403 and "by invitation only" in text(response)
    assert not Signup.objects.exists()
    session.refresh_from_db()
    assert session.seats_taken == 0


def test_anonymous_posts_go_to_the_login_page(event: Event) -> None:
    session = workshop(event)

    response = Client().post(box_url(session, "signup"), {})

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert "Log in to sign up" in text(Client().post(box_url(session, "signup"), {}, **HTMX))
    assert not Signup.objects.exists()


def test_the_actions_take_posts_only(event: Event, attendee_client: Client) -> None:
    session = workshop(event)
    for name in ("signup", "signup_cancel", "offer_accept", "offer_decline"):
        assert attendee_client.get(box_url(session, name)).status_code == 405


def test_cancel_accept_and_decline_through_the_box(event: Event) -> None:
    session = workshop(event, capacity=1)
    seated, first, second = (registered(event, name) for name in ("seated", "first", "second"))
    for user in (seated, first, second):
        seats.signup_create(session=session, user=user, by=user)

    cancelled = client_for(seated).post(box_url(session, "signup_cancel"), {}, **HTMX)
    declined = client_for(first).post(box_url(session, "offer_decline"), {}, **HTMX)
    accepted = client_for(second).post(box_url(session, "offer_accept"), {}, **HTMX)

    assert "Your seat in" in text(cancelled) and "is cancelled." in text(cancelled)
    assert "it goes to the next person waiting" in text(declined)
    assert "is yours." in text(accepted) and "Your seat is confirmed." in text(accepted)
    assert statuses(session) == {"seated": "cancelled", "first": "cancelled", "second": "confirmed"}


def test_accepting_a_lapsed_offer_says_when_it_ran_out(event: Event) -> None:
    session = workshop(event, capacity=1)
    seated, first = registered(event, "seated"), registered(event, "first")
    for user in (seated, first):
        seats.signup_create(session=session, user=user, by=user)
    seats.signup_cancel(signup=signup_of(session, seated), by=seated, now=in_days(-2))

    response = client_for(first).post(box_url(session, "offer_accept"), {})

    assert response.status_code == 409 and "This offer ran out at" in text(response)
    assert statuses(session)["first"] == "expired"


def test_cancelling_without_a_seat_is_a_clear_409(
    event: Event, attendee_client: Client, attendee_registration: Any
) -> None:
    session = workshop(event)

    response = attendee_client.post(box_url(session, "signup_cancel"), {})

    assert response.status_code == 409 and "You hold no seat" in text(response)


# --- Operators' sign-up list ---------------------------------------------------------------------------------------


def test_only_operators_see_the_signup_list(event: Event, attendee_client: Client) -> None:
    session = workshop(event)

    assert attendee_client.get(box_url(session, "signups")).status_code == 403
    assert Client().get(box_url(session, "signups")).status_code == 302


def test_the_signup_list_shows_seats_offers_and_the_waiting_list_in_order(
    event: Event, operator_client: Client
) -> None:
    session = workshop(event, capacity=2)
    people = fill(session, 2, 3)
    seats.signup_cancel(signup=signup_of(session, people[0]), by=people[0])

    body = text(operator_client.get(box_url(session, "signups")))

    assert body.index(people[1].username) < body.index(people[2].username) < body.index(people[3].username)
    assert "Seats on offer" in body and "Waiting list" in body
    offer = signup_of(session, people[2])
    assert offer.offered_until is not None
    assert offer.offered_until.astimezone(event.zone).strftime("%Y-%m-%d %H:%M") in body


def test_the_signup_list_exports_as_csv(event: Event, operator_client: Client) -> None:
    session = workshop(event, capacity=1)
    people = fill(session, 1, 2)

    response = operator_client.get(box_url(session, "signups") + "?format=csv")

    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Waiting-list position", "Status", "Name"]
    assert [(row[0], row[1], row[4]) for row in rows[1:]] == [
        ("", "Confirmed", people[0].email),
        ("1", "On the waiting list", people[1].email),
        ("2", "On the waiting list", people[2].email),
    ]


def test_the_signup_list_costs_a_constant_number_of_queries(
    event: Event, operator_client: Client, django_assert_max_num_queries: Any
) -> None:
    small = workshop(event, capacity=2)
    large = workshop(event, capacity=30)
    fill(small, 2, 1)
    fill(large, 30, 15)
    people = list(Signup.objects.filter(session=large, status=SignupStatus.CONFIRMED)[:2])
    for signup in people:
        seats.signup_cancel(signup=signup, by=signup.registration.user)

    for session in (small, large):
        with django_assert_max_num_queries(7):
            assert operator_client.get(box_url(session, "signups")).status_code == 200
        with django_assert_max_num_queries(7):
            assert operator_client.get(box_url(session, "signups") + "?format=csv").status_code == 200


def test_times_in_the_box_follow_the_event_zone(event: Event) -> None:
    event.timezone = "Europe/Berlin"
    event.save()
    session = workshop(event, capacity=1)
    seated, first = registered(event, "seated"), registered(event, "first")
    for user in (seated, first):
        seats.signup_create(session=session, user=user, by=user)
    seats.signup_cancel(signup=signup_of(session, seated), by=seated, now=in_days(0.5, hour=8))
    offer = signup_of(session, first)
    assert offer.offered_until is not None

    body = text(client_for(first).get(box_url(session), **HTMX))

    assert offer.offered_until.astimezone(event.zone).strftime("%Y-%m-%d %H:%M") + " (Europe/Berlin)" in body


def test_a_stranger_cannot_see_the_signup_list_even_by_guessing(event: Event) -> None:
    session = workshop(event)
    rep = UserFactory(role="company_rep")

    assert client_for(rep).get(box_url(session, "signups") + "?format=csv").status_code == 403
