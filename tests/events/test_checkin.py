"""Check-in by badge and by name: every outcome of a scan, what changes (and what does not), who may scan."""

import datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chiptown.accounts.models import ApiToken, User
from chiptown.core.errors import Conflict, PermissionDenied
from chiptown.core.models import AuditEntry
from chiptown.events import badges
from chiptown.events.models import AttendeeType, Event, Registration, RegistrationStatus
from chiptown.events.services import checkin as services
from tests.conftest import client_for
from tests.events.checkin_support import badge, person_registration
from tests.events.factories import ClosedDoorWorkshopFactory, EventFactory, RegistrationFactory
from tests.factories import UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def state(registration: Registration) -> tuple[Any, ...]:
    registration.refresh_from_db()
    return (registration.status, registration.checked_in_at, registration.checked_in_by_id, registration.badge_nonce)


def audit_count() -> int:
    return AuditEntry.objects.filter(action__startswith="registration.check_in").count()


# --- Every outcome of a scan ------------------------------------------------------------------------------------------


def test_first_scan_checks_in_with_one_conditional_update_and_one_audit_row(
    event: Event, attendee_registration: Registration, staff: User
) -> None:
    before = timezone.now()

    result = services.checkin_by_token(event=event, token=badge(attendee_registration), by=staff)

    assert result.outcome == "ok"
    assert result.message == "alice is checked in."
    assert result.tone == "ok"
    attendee_registration.refresh_from_db()
    assert attendee_registration.checked_in_at is not None and attendee_registration.checked_in_at >= before
    assert attendee_registration.checked_in_by_id == staff.pk
    assert result.checked_in_at == attendee_registration.checked_in_at
    entry = AuditEntry.objects.get(action="registration.check_in")
    assert (entry.actor_id, entry.object_id, entry.after["via"]) == (staff.pk, str(attendee_registration.pk), "badge")


def test_second_scan_says_when_and_by_whom_and_changes_nothing(
    event: Event, attendee_registration: Registration, staff: User, operator: User
) -> None:
    services.checkin_by_token(event=event, token=badge(attendee_registration), by=staff)
    first = state(attendee_registration)

    again = services.checkin_by_token(event=event, token=badge(attendee_registration), by=operator)

    at = timezone.localtime(attendee_registration.checked_in_at, event.zone).strftime("%H:%M")
    assert again.outcome == "already"
    assert again.message == f"alice already checked in at {at} by stella."
    assert again.checked_in_by_name == "stella"
    assert again.checked_in_at == attendee_registration.checked_in_at
    assert again.tone == "warn"
    assert state(attendee_registration) == first
    assert audit_count() == 1


def test_already_on_another_day_gives_the_date(event: Event, attendee_registration: Registration, staff: User) -> None:
    yesterday = timezone.now() - datetime.timedelta(days=1)
    Registration.objects.filter(pk=attendee_registration.pk).update(checked_in_at=yesterday, checked_in_by=staff)

    result = services.checkin_by_token(event=event, token=badge(attendee_registration), by=staff)

    local = timezone.localtime(yesterday, event.zone).strftime("%Y-%m-%d %H:%M")
    assert result.message == f"alice already checked in at {local} by stella."


def test_whole_badge_address_from_the_qr_code_works_like_the_token(
    event: Event, attendee_registration: Registration, staff: User
) -> None:
    result = services.checkin_by_token(event=event, token=badges.badge_url(attendee_registration), by=staff)

    assert result.outcome == "ok"


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda t: t[:-3] + ("AAA" if not t.endswith("AAA") else "BBB"), id="forged-signature"),
        pytest.param(lambda t: t[: len(t) // 2], id="truncated"),
        pytest.param(lambda t: "hello", id="garbage"),
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: "   ", id="blank"),
        pytest.param(lambda t: t * 20, id="far-too-long"),
        pytest.param(lambda t: "https://example.com/events/2027/checkin/", id="address-without-token"),
    ],
)
def test_unreadable_badge_is_unknown_and_changes_nothing(
    event: Event, attendee_registration: Registration, staff: User, mangle: Any
) -> None:
    before = state(attendee_registration)

    result = services.checkin_by_token(event=event, token=mangle(badge(attendee_registration)), by=staff)

    assert result.outcome == "unknown"
    assert result.registration is None
    assert "not one of our badges" in result.message
    assert state(attendee_registration) == before
    assert audit_count() == 0


def test_badge_signed_with_another_key_is_unknown(
    event: Event, attendee_registration: Registration, staff: User, settings: Any
) -> None:
    settings.SECRET_KEY = "someone-elses-key-" + "x" * 40
    forged = badge(attendee_registration)
    settings.SECRET_KEY = "back-to-ours-" + "y" * 40

    result = services.checkin_by_token(event=event, token=forged, by=staff)

    assert result.outcome == "unknown"
    assert state(attendee_registration)[1] is None


def test_other_events_badge_is_refused_and_changes_nothing(event: Event, staff: User) -> None:
    other_event = EventFactory(slug="2028", name_en="Chip to E-Town 2028")
    elsewhere = RegistrationFactory(event=other_event)
    before = state(elsewhere)

    result = services.checkin_by_token(event=event, token=badge(elsewhere), by=staff)

    assert result.outcome == "wrong_event"
    assert result.message == "This badge is for another event: Chip to E-Town 2028."
    assert not result.shows_person
    assert state(elsewhere) == before


@pytest.mark.parametrize(
    ("status", "outcome", "message"),
    [
        (RegistrationStatus.CANCELLED, "cancelled", "alice cancelled this registration; the badge is no longer valid."),
        (
            RegistrationStatus.PENDING,
            "pending",
            "The registration of alice is still awaiting approval; they cannot check in yet.",
        ),
        (RegistrationStatus.REJECTED, "rejected", "The registration of alice was not approved; they cannot check in."),
    ],
)
def test_registration_that_may_not_come_in_is_refused_with_its_reason(
    event: Event, attendee_registration: Registration, staff: User, status: str, outcome: str, message: str
) -> None:
    Registration.objects.filter(pk=attendee_registration.pk).update(status=status)
    before = state(attendee_registration)

    result = services.checkin_by_token(event=event, token=badge(attendee_registration), by=staff)

    assert (result.outcome, result.message) == (outcome, message)
    assert result.tone == ("warn" if outcome == "pending" else "bad")
    assert state(attendee_registration) == before
    assert audit_count() == 0


def test_old_badge_of_a_cancelled_and_renewed_registration_is_refused_and_the_new_one_works(
    event: Event, attendee_registration: Registration, staff: User
) -> None:
    old_badge = badge(attendee_registration)
    # Cancelling and registering again gives the row a new nonce (part D does this).
    Registration.objects.filter(pk=attendee_registration.pk).update(badge_nonce="renewed-nonce")
    attendee_registration.refresh_from_db()
    before = state(attendee_registration)

    result = services.checkin_by_token(event=event, token=old_badge, by=staff)

    assert result.outcome == "cancelled"
    assert result.message.startswith("This is an old badge of alice")
    assert state(attendee_registration) == before
    assert services.checkin_by_token(event=event, token=badge(attendee_registration), by=staff).outcome == "ok"


def test_person_with_a_registry_record_is_named_after_it(event: Event, staff: User, company: Any) -> None:
    registration = person_registration(event, name_en="Li Wei", organisation=company)

    result = services.checkin_by_token(event=event, token=badge(registration), by=staff)

    assert (result.name, result.organisation) == ("Li Wei", "Alpha Semiconductor")
    assert result.message == "Li Wei is checked in."


# --- Who may scan -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["attendee", "stranger", "company_rep"])
def test_only_check_in_staff_may_scan(
    event: Event, attendee_registration: Registration, who: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(who)
    before = state(attendee_registration)

    with pytest.raises(PermissionDenied):
        services.checkin_by_token(event=event, token=badge(attendee_registration), by=user)

    assert state(attendee_registration) == before
    assert audit_count() == 0


def test_staff_of_another_event_may_not_scan(event: Event, attendee_registration: Registration) -> None:
    other_staff = UserFactory(username="otto")
    RegistrationFactory(event=EventFactory(slug="2028"), user=other_staff, attendee_type=AttendeeType.STAFF)

    with pytest.raises(PermissionDenied):
        services.checkin_by_token(event=event, token=badge(attendee_registration), by=other_staff)


def test_operator_may_scan(event: Event, attendee_registration: Registration, operator: User) -> None:
    assert services.checkin_by_token(event=event, token=badge(attendee_registration), by=operator).outcome == "ok"


def test_cancelled_staff_registration_loses_the_desk(
    event: Event, attendee_registration: Registration, staff: User
) -> None:
    Registration.objects.filter(event=event, user=staff).update(status=RegistrationStatus.CANCELLED)

    with pytest.raises(PermissionDenied):
        services.checkin_by_token(event=event, token=badge(attendee_registration), by=staff)


# --- By name, and undo ----------------------------------------------------------------------------------------------


def test_check_in_by_name_then_by_badge_says_already(
    event: Event, attendee_registration: Registration, staff: User
) -> None:
    result = services.checkin_by_registration(registration=attendee_registration, by=staff)

    assert result.outcome == "ok"
    assert AuditEntry.objects.get(action="registration.check_in").after["via"] == "search"
    assert services.checkin_by_token(event=event, token=badge(attendee_registration), by=staff).outcome == "already"


def test_check_in_by_name_refuses_a_pending_registration(event: Event, staff: User) -> None:
    pending = RegistrationFactory(event=event, status=RegistrationStatus.PENDING)

    assert services.checkin_by_registration(registration=pending, by=staff).outcome == "pending"
    assert state(pending)[1] is None


def test_operator_undoes_a_check_in_and_it_is_audited(
    event: Event, attendee_registration: Registration, staff: User, operator: User
) -> None:
    services.checkin_by_registration(registration=attendee_registration, by=staff)

    services.checkin_undo(registration=attendee_registration, by=operator)

    assert state(attendee_registration)[1:3] == (None, None)
    entry = AuditEntry.objects.get(action="registration.check_in_undo")
    assert entry.actor_id == operator.pk and entry.before["checked_in_by"] == staff.pk
    assert services.checkin_by_token(event=event, token=badge(attendee_registration), by=staff).outcome == "ok"


def test_staff_may_not_undo_and_undoing_nothing_is_a_conflict(
    event: Event, attendee_registration: Registration, staff: User, operator: User
) -> None:
    with pytest.raises(Conflict):
        services.checkin_undo(registration=attendee_registration, by=operator)
    services.checkin_by_registration(registration=attendee_registration, by=staff)
    before = state(attendee_registration)

    with pytest.raises(PermissionDenied):
        services.checkin_undo(registration=attendee_registration, by=staff)

    assert state(attendee_registration) == before


# --- The desk page ------------------------------------------------------------------------------------------------


def test_desk_page_has_an_autofocused_input_totals_and_the_scanner_script(
    event: Event, attendee_registration: Registration, staff_client: Client
) -> None:
    response = staff_client.get(reverse("events:checkin", args=[event.slug]))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="token"' in html and "autofocus" in html
    assert "events/checkin.js" in html
    assert "0 of 2 checked in" in html  # alice and the staff member herself
    assert "style=" not in html and "onclick" not in html


def test_scan_through_htmx_answers_the_result_panel_and_tells_the_page(
    event: Event, attendee_registration: Registration, staff_client: Client
) -> None:
    response = staff_client.post(
        reverse("events:checkin", args=[event.slug]), {"token": badge(attendee_registration)}, **HTMX
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-outcome="ok"' in html and "alice is checked in." in html
    assert "<html" not in html
    assert response["HX-Trigger"] == "checked-in"
    assert state(attendee_registration)[1] is not None

    again = staff_client.post(
        reverse("events:checkin", args=[event.slug]), {"token": badge(attendee_registration)}, **HTMX
    )
    assert 'data-outcome="already"' in again.content.decode()
    assert "HX-Trigger" not in again


def test_scan_without_javascript_answers_the_whole_page(
    event: Event, attendee_registration: Registration, staff_client: Client
) -> None:
    response = staff_client.post(reverse("events:checkin", args=[event.slug]), {"token": "garbage"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and 'data-outcome="unknown"' in html


def test_operator_sees_undo_in_the_result_and_staff_do_not(
    event: Event, attendee_registration: Registration, staff_client: Client, operator_client: Client
) -> None:
    url = reverse("events:checkin", args=[event.slug])
    staff_html = staff_client.post(url, {"token": badge(attendee_registration)}, **HTMX).content.decode()
    operator_html = operator_client.post(url, {"token": badge(attendee_registration)}, **HTMX).content.decode()

    undo = reverse("events:checkin_undo", args=[event.slug, attendee_registration.pk])
    assert undo not in staff_html
    assert undo in operator_html
    response = operator_client.post(undo)
    assert response.status_code == 302
    assert state(attendee_registration)[1] is None


def test_desk_is_refused_to_others_and_their_scans_change_nothing(
    event: Event, attendee_registration: Registration, attendee_client: Client
) -> None:
    url = reverse("events:checkin", args=[event.slug])

    assert attendee_client.get(url).status_code == 403
    response = attendee_client.post(url, {"token": badge(attendee_registration)}, **HTMX)

    assert response.status_code == 403
    assert state(attendee_registration)[1] is None
    assert Client().get(url).status_code == 302  # to the login page


def test_desk_of_an_unknown_event_is_404(staff_client: Client) -> None:
    assert staff_client.get(reverse("events:checkin", args=["no-such-event"])).status_code == 404


def test_check_in_by_name_through_the_page(
    event: Event, attendee_registration: Registration, staff_client: Client
) -> None:
    url = reverse("events:checkin_registration", args=[event.slug, attendee_registration.pk])

    assert staff_client.get(url).status_code == 405
    response = staff_client.post(url, **HTMX)

    assert 'data-outcome="ok"' in response.content.decode()
    assert state(attendee_registration)[1] is not None


def test_check_in_by_name_of_another_events_registration_is_404(event: Event, staff_client: Client) -> None:
    elsewhere = RegistrationFactory(event=EventFactory(slug="2028"))
    url = reverse("events:checkin_registration", args=[event.slug, elsewhere.pk])

    assert staff_client.post(url, **HTMX).status_code == 404
    assert state(elsewhere)[1] is None


def test_totals_fragment(event: Event, attendee_registration: Registration, staff: User, staff_client: Client) -> None:
    services.checkin_by_registration(registration=attendee_registration, by=staff)

    response = staff_client.get(reverse("events:checkin_totals", args=[event.slug]))

    assert "1 of 2 checked in" in response.content.decode()
    assert "50 %" in response.content.decode()


# --- What the badge's QR code opens ------------------------------------------------------------------------------


def test_badge_address_shows_staff_the_person_and_a_button_and_get_changes_nothing(
    event: Event, staff_client: Client, staff: User, company: Any
) -> None:
    registration = person_registration(event, name_en="Li Wei", organisation=company)
    url = badges.badge_url(registration)
    before = state(registration)

    response = staff_client.get(url)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Li Wei" in html and "Alpha Semiconductor" in html
    assert 'data-outcome="ready"' in html and 'method="post"' in html
    assert state(registration) == before
    assert audit_count() == 0

    done = staff_client.post(url)
    assert 'data-outcome="ok"' in done.content.decode()
    assert state(registration)[2] == staff.pk


@pytest.mark.parametrize("who", ["anonymous", "attendee", "stranger"])
def test_badge_address_shows_nothing_personal_to_anyone_else(
    event: Event, company: Any, who: str, request: pytest.FixtureRequest
) -> None:
    registration = person_registration(
        event, name_en="Li Wei", organisation=company, username="liwei", email="li.wei@alpha.example"
    )
    client = Client() if who == "anonymous" else client_for(request.getfixturevalue(who))
    before = state(registration)

    for url in (badges.badge_url(registration), reverse("events:checkin_token", args=[event.slug, "forged"])):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200
        assert "This is a conference badge; show it at the check-in desk." in html
        for personal in ("Li Wei", "liwei", "li.wei@alpha.example", "Alpha Semiconductor", "data-outcome"):
            assert personal not in html

    assert client.post(badges.badge_url(registration)).status_code == 403
    assert state(registration) == before


def test_badge_address_for_staff_of_a_refused_badge_has_no_button(
    event: Event, staff_client: Client, attendee_registration: Registration
) -> None:
    Registration.objects.filter(pk=attendee_registration.pk).update(status=RegistrationStatus.CANCELLED)

    html = staff_client.get(badges.badge_url(attendee_registration)).content.decode()

    assert 'data-outcome="cancelled"' in html
    assert "checkin-big" not in html


# --- The API ------------------------------------------------------------------------------------------------------


def test_api_scan_with_a_staff_token(event: Event, attendee_registration: Registration, staff: User) -> None:
    _token, key = ApiToken.issue(user=staff, name="desk scanner")
    url = f"/api/v1/events/{event.slug}/checkin"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    first = Client().post(url, {"token": badge(attendee_registration)}, content_type="application/json", **auth)
    second = Client().post(url, {"token": badge(attendee_registration)}, content_type="application/json", **auth)

    assert first.status_code == 200
    body = first.json()
    assert body["outcome"] == "ok" and body["message"] == "alice is checked in."
    assert body["registration"] == {
        "registration_id": attendee_registration.pk,
        "name": "alice",
        "organisation": "",
        "attendee_type": "general",
        "status": "confirmed",
    }
    assert body["checked_in_by"] == "stella" and body["checked_in_at"]
    assert second.json()["outcome"] == "already"
    forged = Client().post(url, {"token": "nope"}, content_type="application/json", **auth)
    assert forged.status_code == 200 and forged.json()["outcome"] == "unknown"
    assert forged.json()["registration"] is None


def test_api_scan_is_refused_to_others(event: Event, attendee_registration: Registration, attendee: User) -> None:
    _token, key = ApiToken.issue(user=attendee, name="mine")
    url = f"/api/v1/events/{event.slug}/checkin"

    denied = Client().post(
        url,
        {"token": badge(attendee_registration)},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
    )
    anonymous = Client().post(url, {"token": badge(attendee_registration)}, content_type="application/json")

    assert denied.status_code == 403 and denied.json()["code"] == "forbidden"
    assert anonymous.status_code == 401
    assert state(attendee_registration)[1] is None


def test_api_unknown_event_and_bad_body(staff: User) -> None:
    _token, key = ApiToken.issue(user=staff, name="desk scanner")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    missing = Client().post("/api/v1/events/nope/checkin", {"token": "x"}, content_type="application/json", **auth)
    bad = Client().post("/api/v1/events/2027/checkin", {"badge": "x"}, content_type="application/json", **auth)

    assert missing.status_code == 404
    assert bad.status_code == 422


# --- Pure pieces ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scanned", "token"),
    [
        ("abc:def", "abc:def"),
        ("  abc:def\n", "abc:def"),
        ("http://127.0.0.1:8000/events/2027/checkin/abc:def/", "abc:def"),
        ("https://chiptown.example/events/2027/checkin/abc%3Adef", "abc:def"),
        ("/events/2027/checkin/abc:def/?utm=1", "abc:def"),
        ("https://elsewhere.example/x/y", "y"),
        ("", ""),
    ],
)
def test_token_from_scan(scanned: str, token: str) -> None:
    assert services.token_from_scan(scanned) == token


def test_desk_links_the_doors_of_closed_door_workshops(event: Event, staff_client: Client) -> None:
    workshop = ClosedDoorWorkshopFactory(event=event, title_en="Own chips")

    html = staff_client.get(reverse("events:checkin", args=[event.slug])).content.decode()

    assert reverse("events:session_checkin", args=[event.slug, workshop.pk]) in html
    assert "06-16 14:00 · Own chips" in html
