"""At the door of a closed-door workshop: only admitted people come in (invited, a confirmed seat, the NDA
accepted); their seat is marked as attended once; everyone else is refused with who they are and why."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chiptown.accounts.models import User
from chiptown.core.errors import ChipTownError, PermissionDenied
from chiptown.core.models import AuditEntry
from chiptown.events.models import (
    Event,
    Invitation,
    InvitationKind,
    Registration,
    RegistrationStatus,
    Session,
    SessionSpeaker,
    Signup,
    SignupStatus,
)
from chiptown.events.services import checkin as services
from tests.conftest import client_for
from tests.events.checkin_support import badge, invite_person, person_registration, seat
from tests.events.factories import (
    ClosedDoorWorkshopFactory,
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    SpeakerFactory,
    WorkshopFactory,
)
from tests.factories import UserFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def workshop(event: Event) -> Session:
    return ClosedDoorWorkshopFactory(event=event, title_en="Own chips for car makers")


@pytest.fixture
def admitted(workshop: Session, attendee_registration: Registration, attendee: User) -> Signup:
    invite_person(workshop, attendee)
    return seat(workshop, attendee_registration)


def attended(signup: Signup) -> Any:
    signup.refresh_from_db()
    return signup.checked_in_at


def test_admitted_person_comes_in_once(
    workshop: Session, admitted: Signup, attendee_registration: Registration, staff: User
) -> None:
    first = services.session_checkin(session=workshop, token=badge(attendee_registration), by=staff)
    came_in = attended(admitted)
    second = services.session_checkin(session=workshop, token=badge(attendee_registration), by=staff)

    assert (first.outcome, first.message) == ("ok", "alice may come in to Own chips for car makers.")
    assert came_in is not None
    assert second.outcome == "already" and second.message.startswith("alice already came in at ")
    assert attended(admitted) == came_in
    entry = AuditEntry.objects.get(action="signup.check_in")
    assert (entry.actor_id, entry.object_id) == (staff.pk, str(admitted.pk))
    # Coming into a workshop is not the conference check-in.
    attendee_registration.refresh_from_db()
    assert attendee_registration.checked_in_at is None


def test_uninvited_person_with_a_seat_is_refused_by_name(
    workshop: Session, attendee_registration: Registration, staff: User
) -> None:
    signup = seat(workshop, attendee_registration)

    result = services.session_checkin(session=workshop, token=badge(attendee_registration), by=staff)

    assert result.outcome == "not_admitted"
    assert result.message == "alice is not on the invitation list of Own chips for car makers."
    assert result.name == "alice"
    assert attended(signup) is None
    assert not AuditEntry.objects.filter(action="signup.check_in").exists()


def test_person_who_did_not_accept_the_nda_is_refused(
    workshop: Session, attendee_registration: Registration, attendee: User, staff: User
) -> None:
    invite_person(workshop, attendee)
    signup = seat(workshop, attendee_registration, nda=False)

    result = services.session_checkin(session=workshop, token=badge(attendee_registration), by=staff)

    assert result.outcome == "not_admitted"
    assert "has not accepted the non-disclosure terms" in result.message
    assert attended(signup) is None


@pytest.mark.parametrize(
    ("status", "words"), [(SignupStatus.WAITING, "is on the waiting list of"), (None, "has no seat in")]
)
def test_invited_person_without_a_seat_is_refused(
    workshop: Session,
    attendee_registration: Registration,
    attendee: User,
    staff: User,
    status: str | None,
    words: str,
) -> None:
    invite_person(workshop, attendee)
    if status:
        seat(workshop, attendee_registration, status=status)

    result = services.session_checkin(session=workshop, token=badge(attendee_registration), by=staff)

    assert result.outcome == "not_admitted"
    assert f"alice {words} Own chips for car makers" in result.message


def test_invitation_through_the_organisation_admits(workshop: Session, staff: User, company: Any) -> None:
    registration = person_registration(workshop.event, name_en="Li Wei", organisation=company)
    Invitation.objects.create(session=workshop, kind=InvitationKind.ORGANISATION, organisation=company)
    signup = seat(workshop, registration)

    assert services.session_checkin(session=workshop, token=badge(registration), by=staff).outcome == "ok"
    assert attended(signup) is not None


def test_cancelled_registration_is_refused_at_the_door_too(
    workshop: Session, admitted: Signup, attendee_registration: Registration, staff: User
) -> None:
    Registration.objects.filter(pk=attendee_registration.pk).update(status=RegistrationStatus.CANCELLED)

    assert services.session_checkin(session=workshop, token=badge(attendee_registration), by=staff).outcome == (
        "cancelled"
    )
    assert attended(admitted) is None


def test_forged_and_other_events_badges_at_the_door(workshop: Session, admitted: Signup, staff: User) -> None:
    elsewhere = RegistrationFactory(event=EventFactory(slug="2028"))

    assert services.session_checkin(session=workshop, token="forged", by=staff).outcome == "unknown"
    assert services.session_checkin(session=workshop, token=badge(elsewhere), by=staff).outcome == "wrong_event"
    assert attended(admitted) is None


def test_speaker_of_the_workshop_may_come_in_without_a_seat(workshop: Session, staff: User) -> None:
    speaker = SpeakerFactory(event=workshop.event)
    SessionSpeaker.objects.create(session=workshop, speaker=speaker)
    registration = RegistrationFactory(event=workshop.event, user=speaker.person.user)

    result = services.session_checkin(session=workshop, token=badge(registration), by=staff)

    assert result.outcome == "ok"
    assert "no seat to mark" in result.message


def test_session_with_sign_up_needs_a_confirmed_seat(
    event: Event, attendee_registration: Registration, staff: User
) -> None:
    salon = WorkshopFactory(event=event, title_en="Chiplets salon")

    refused = services.session_checkin(session=salon, token=badge(attendee_registration), by=staff)
    signup = seat(salon, attendee_registration, nda=False)  # open sessions have no NDA
    admitted = services.session_checkin(session=salon, token=badge(attendee_registration), by=staff)

    assert refused.outcome == "not_admitted" and refused.message == "alice has no seat in Chiplets salon."
    assert admitted.outcome == "ok"
    assert attended(signup) is not None


def test_open_session_keeps_no_list(event: Event, attendee_registration: Registration, staff: User) -> None:
    keynote = SessionFactory(event=event)

    with pytest.raises(ChipTownError) as refused:
        services.session_checkin(session=keynote, token=badge(attendee_registration), by=staff)

    assert refused.value.code == "no_attendance"


def test_only_staff_check_people_in_at_the_door(
    workshop: Session, admitted: Signup, attendee_registration: Registration, attendee: User
) -> None:
    with pytest.raises(PermissionDenied):
        services.session_checkin(session=workshop, token=badge(attendee_registration), by=attendee)

    assert attended(admitted) is None


# --- The door page ------------------------------------------------------------------------------------------------


def test_door_page_lists_participants_and_who_is_admitted(
    workshop: Session, admitted: Signup, staff_client: Client, company: Any
) -> None:
    outsider = person_registration(workshop.event, name_en="Li Wei", organisation=company)
    seat(workshop, outsider)  # a seat but not (or no longer) invited

    html = staff_client.get(reverse("events:session_checkin", args=[workshop.event.slug, workshop.pk])).content.decode()

    assert "Own chips for car makers" in html
    assert "alice" in html and "Li Wei" in html
    assert "No longer invited" in html
    assert html.count('name="registration"') == 1  # a "let in" button only for the admitted one
    assert 'name="token"' in html and "autofocus" in html


def test_door_page_scan_and_pick_from_the_list(
    workshop: Session, admitted: Signup, attendee_registration: Registration, staff_client: Client
) -> None:
    url = reverse("events:session_checkin", args=[workshop.event.slug, workshop.pk])

    picked = staff_client.post(url, {"registration": attendee_registration.pk}, **HTMX)
    scanned = staff_client.post(url, {"token": badge(attendee_registration)}, **HTMX)

    assert 'data-outcome="ok"' in picked.content.decode() and picked["HX-Trigger"] == "checked-in"
    assert 'data-outcome="already"' in scanned.content.decode()
    listing = staff_client.get(reverse("events:session_checkin_list", args=[workshop.event.slug, workshop.pk]))
    assert "In since" in listing.content.decode()
    assert "1 of 1 seated people are in." in listing.content.decode()


def test_door_page_refused_to_others_and_missing_for_open_sessions(
    workshop: Session, admitted: Signup, attendee_registration: Registration, attendee_client: Client, event: Event
) -> None:
    url = reverse("events:session_checkin", args=[event.slug, workshop.pk])

    assert attendee_client.get(url).status_code == 403
    assert attendee_client.post(url, {"token": badge(attendee_registration)}, **HTMX).status_code == 403
    assert attended(admitted) is None
    keynote = SessionFactory(event=event)
    staff = UserFactory(username="door-operator", role="operator")
    assert Client().get(url).status_code == 302
    assert client_for(staff).get(reverse("events:session_checkin", args=[event.slug, keynote.pk])).status_code == 404
