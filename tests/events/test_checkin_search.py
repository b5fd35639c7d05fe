"""Finding a person at the desk by name, email or organisation; the desk's pages cost a constant number of
queries."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chiptown.accounts.models import User
from chiptown.events import selectors
from chiptown.events.models import Event, Registration, RegistrationStatus
from chiptown.events.services import checkin as services
from tests.events.checkin_support import badge, person_registration
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import OrganisationFactory, UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def search(client: Client, event: Event, q: str) -> str:
    response = client.get(reverse("events:checkin_search", args=[event.slug]), {"q": q}, **HTMX)
    assert response.status_code == 200
    return response.content.decode()


def test_search_by_name_email_and_organisation(event: Event, staff_client: Client, company: Any) -> None:
    li = person_registration(event, name_en="Li Wei", organisation=company, email="li.wei@alpha.example")
    other = UserFactory(username="bo", first_name="Bo", last_name="Zhang", email="bo@beta.example")
    RegistrationFactory(event=event, user=other)

    assert selectors.checkin_search(event=event, text="li wei") == [li]
    assert selectors.checkin_search(event=event, text="ALPHA.example") == [li]
    assert selectors.checkin_search(event=event, text="alpha semi") == [li]
    assert [r.user.username for r in selectors.checkin_search(event=event, text="zhang")] == ["bo"]
    html = search(staff_client, event, "Alpha")
    assert "Li Wei" in html and "Alpha Semiconductor" in html and "li.wei@alpha.example" in html
    assert reverse("events:checkin_registration", args=[event.slug, li.pk]) in html


def test_search_only_finds_this_events_registrations(event: Event, staff_client: Client) -> None:
    RegistrationFactory(event=EventFactory(slug="2028"), user=UserFactory(username="elsewhere-person"))

    assert "elsewhere-person" not in search(staff_client, event, "elsewhere")
    assert "Nobody registered matches" in search(staff_client, event, "elsewhere")


def test_search_needs_two_characters(event: Event, staff_client: Client, attendee_registration: Registration) -> None:
    assert selectors.checkin_search(event=event, text="a") == []
    assert "Type at least two characters." in search(staff_client, event, "a")
    assert search(staff_client, event, "").strip() == ""


def test_search_shows_status_and_offers_check_in_only_to_who_may(
    event: Event, staff: User, staff_client: Client
) -> None:
    pending = RegistrationFactory(
        event=event, user=UserFactory(username="pending-pat"), status=RegistrationStatus.PENDING
    )
    done = RegistrationFactory(event=event, user=UserFactory(username="done-dan"))
    services.checkin_by_registration(registration=done, by=staff)
    waiting = RegistrationFactory(event=event, user=UserFactory(username="ready-rita"))

    html = search(staff_client, event, "example.com")

    assert "Awaiting approval" in html
    assert "In since" in html
    assert reverse("events:checkin_registration", args=[event.slug, waiting.pk]) in html
    assert reverse("events:checkin_registration", args=[event.slug, pending.pk]) not in html
    assert reverse("events:checkin_registration", args=[event.slug, done.pk]) not in html


def test_search_says_when_more_match_than_it_shows(event: Event, staff_client: Client) -> None:
    for n in range(selectors.CHECKIN_SEARCH_LIMIT + 1):
        RegistrationFactory(event=event, user=UserFactory(username=f"wang-{n:02d}"))

    html = search(staff_client, event, "wang")

    assert html.count("checkin-person-row") == selectors.CHECKIN_SEARCH_LIMIT
    assert "More people match" in html


def test_search_without_javascript_answers_the_desk_page(event: Event, staff_client: Client) -> None:
    RegistrationFactory(event=event, user=UserFactory(username="nojs-nina"))

    response = staff_client.get(reverse("events:checkin_search", args=[event.slug]), {"q": "nina"})

    html = response.content.decode()
    assert "<html" in html and "nojs-nina" in html


def test_search_is_refused_to_others(event: Event, attendee_client: Client) -> None:
    url = reverse("events:checkin_search", args=[event.slug])

    assert attendee_client.get(url, {"q": "alice"}, **HTMX).status_code == 403


# --- Query counts at two sizes ------------------------------------------------------------------------------------


def _people(event: Event, count: int, prefix: str) -> list[Registration]:
    registrations = []
    for n in range(count):
        organisation = OrganisationFactory(name_en=f"{prefix} Org {n}")
        registrations.append(
            person_registration(
                event, name_en=f"{prefix} Person {n}", organisation=organisation, username=f"{prefix}{n}"
            )
        )
    return registrations


@pytest.mark.parametrize("size", [3, 25])
def test_search_costs_constant_queries(
    event: Event, staff_client: Client, django_assert_max_num_queries: Any, size: int
) -> None:
    _people(event, size, "Chen")

    # session, user, event, desk permission (a staff registration), the search
    with django_assert_max_num_queries(5):
        html = search(staff_client, event, "chen")

    assert html.count("checkin-person-row") == min(size, selectors.CHECKIN_SEARCH_LIMIT)


@pytest.mark.parametrize("size", [3, 25])
def test_desk_page_costs_constant_queries(
    event: Event, staff_client: Client, django_assert_max_num_queries: Any, size: int
) -> None:
    _people(event, size, "Zhou")

    with django_assert_max_num_queries(8):
        response = staff_client.get(reverse("events:checkin", args=[event.slug]))

    assert response.status_code == 200


@pytest.mark.parametrize("size", [3, 25])
def test_scan_costs_constant_queries(
    event: Event, staff: User, staff_client: Client, django_assert_max_num_queries: Any, size: int
) -> None:
    people = _people(event, size, "Sun")

    # session, user, event, desk permission, the registration with its person, the update and the audit row
    # (inside a savepoint here, which the test's own transaction adds: two more statements)
    with django_assert_max_num_queries(9):
        response = staff_client.post(reverse("events:checkin", args=[event.slug]), {"token": badge(people[-1])}, **HTMX)

    assert 'data-outcome="ok"' in response.content.decode()
