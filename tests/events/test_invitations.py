"""Closed-door invitation lists: adding people, organisations and roles, refusing duplicates and open sessions,
removing a line (which cancels the seats it alone gave), and the operators' page."""

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from chiptown.accounts.models import Role, User
from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied
from chiptown.core.models import AuditEntry
from chiptown.events import selectors
from chiptown.events.models import Event, Invitation, Session
from chiptown.events.services import seats
from chiptown.registry.models import Organisation
from tests.events.seats_support import registered, signup_of, statuses, workshop
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


def closed(event: Event, capacity: int = 2) -> Session:
    return workshop(event, capacity=capacity, closed_door=True)


def sign_up(session: Session, user: User) -> None:
    seats.signup_create(session=session, user=user, nda_accepted=True, by=user)


def page(session: Session) -> str:
    return reverse("events:invitations", args=[session.event.slug, session.pk])


# --- The service ---------------------------------------------------------------------------------------------------


def test_a_person_is_invited_through_their_registry_entry(event: Event, operator: User) -> None:
    session = closed(event)
    guest = registered(event, "guest")
    person = PersonFactory(user=guest)
    other = registered(event, "other")

    invitation = seats.invitation_add(session=session, kind="person", person=person, by=operator)

    assert selectors.is_invited(session=session, user=guest)
    assert not selectors.is_invited(session=session, user=other)
    entry = AuditEntry.objects.get(action="events.invitation.add")
    assert entry.actor == operator and entry.object_id == str(invitation.pk)
    assert person.display_name in entry.object_repr


def test_an_organisation_invites_its_accounts_and_its_registry_people(
    event: Event, operator: User, company: Organisation
) -> None:
    session = closed(event)
    rep = registered(event, "rep", organisation=company)
    employee = registered(event, "employee")
    PersonFactory(user=employee, organisation=company)
    outsider = registered(event, "outsider")

    seats.invitation_add(session=session, kind="organisation", organisation=company, by=operator)

    assert selectors.is_invited(session=session, user=rep)
    assert selectors.is_invited(session=session, user=employee)
    assert not selectors.is_invited(session=session, user=outsider)
    assert selectors.invited_user_ids(session=session, users=[rep, employee, outsider]) == {rep.pk, employee.pk}


def test_a_role_invites_everyone_with_it(event: Event, operator: User) -> None:
    session = closed(event)
    judge = registered(event, "judge", role=Role.JUDGE)
    attendee = registered(event, "plain", role=Role.ATTENDEE)

    seats.invitation_add(session=session, kind="role", role=Role.JUDGE, by=operator)

    assert selectors.is_invited(session=session, user=judge)
    assert not selectors.is_invited(session=session, user=attendee)
    sign_up(session, judge)
    assert statuses(session) == {"judge": "confirmed"}


def test_duplicates_are_refused_with_a_clear_message(event: Event, operator: User, company: Organisation) -> None:
    session = closed(event)
    person = PersonFactory(name_en="Li Wei")
    seats.invitation_add(session=session, kind="person", person=person, by=operator)
    seats.invitation_add(session=session, kind="organisation", organisation=company, by=operator)
    seats.invitation_add(session=session, kind="role", role=Role.JUDGE, by=operator)

    messages = []
    for kwargs in (
        {"kind": "person", "person": person},
        {"kind": "organisation", "organisation": company},
        {"kind": "role", "role": Role.JUDGE},
    ):
        with pytest.raises(Conflict) as refused:
            seats.invitation_add(session=session, by=operator, **kwargs)  # type: ignore[arg-type]
        messages.append(refused.value.message)

    assert messages == [
        f"Li Wei is already on the invitation list of “{session.display_title}”.",
        f"Alpha Semiconductor is already on the invitation list of “{session.display_title}”.",
        f"Judge is already on the invitation list of “{session.display_title}”.",
    ]
    assert Invitation.objects.count() == 3 and AuditEntry.objects.filter(action="events.invitation.add").count() == 3


def test_open_sessions_have_no_invitation_list(event: Event, operator: User, company: Organisation) -> None:
    session = workshop(event)

    with pytest.raises(Conflict):
        seats.invitation_add(session=session, kind="organisation", organisation=company, by=operator)
    assert not Invitation.objects.exists()


def test_only_operators_manage_invitations(event: Event, company_rep: User, company: Organisation) -> None:
    session = closed(event)

    with pytest.raises(PermissionDenied):
        seats.invitation_add(session=session, kind="organisation", organisation=company, by=company_rep)
    assert not Invitation.objects.exists()


def test_an_invitation_must_name_what_its_kind_says(event: Event, operator: User) -> None:
    session = closed(event)

    for kwargs, column in (
        ({"kind": "person"}, "person"),
        ({"kind": "organisation"}, "organisation"),
        ({"kind": "role", "role": "king"}, "role"),
        ({"kind": "everyone"}, "kind"),
    ):
        with pytest.raises(ChipTownError) as refused:
            seats.invitation_add(session=session, by=operator, **kwargs)  # type: ignore[arg-type]
        assert [p.column for p in refused.value.problems] == [column]
    assert not Invitation.objects.exists()


def test_removing_an_invitation_cancels_the_seats_it_alone_gave_and_passes_them_on(
    event: Event,
    operator: User,
    company: Organisation,
    other_company: Organisation,
    django_capture_on_commit_callbacks: Any,
) -> None:
    session = closed(event, capacity=2)
    by_company = seats.invitation_add(session=session, kind="organisation", organisation=company, by=operator)
    seats.invitation_add(session=session, kind="organisation", organisation=other_company, by=operator)
    leaving = registered(event, "leaving", organisation=company)
    twice = registered(event, "twice", organisation=company)
    seats.invitation_add(session=session, kind="role", role=Role.JUDGE, by=operator)
    User.objects.filter(pk=twice.pk).update(role=Role.JUDGE)  # also invited as a judge
    waiting = registered(event, "waiting", organisation=other_company)
    waiting_too = registered(event, "waiting_too", organisation=company)
    for user in (leaving, twice, waiting, waiting_too):
        sign_up(session, user)
    assert statuses(session) == {
        "leaving": "confirmed",
        "twice": "confirmed",
        "waiting": "waiting",
        "waiting_too": "waiting",
    }

    with django_capture_on_commit_callbacks(execute=True):
        dropped = seats.invitation_remove(invitation=by_company, by=operator)

    assert dropped == 2  # leaving's seat and waiting_too's place; twice stays as a judge
    assert statuses(session) == {
        "leaving": "cancelled",
        "twice": "confirmed",
        "waiting": "offered",
        "waiting_too": "cancelled",
    }
    session.refresh_from_db()
    assert session.seats_taken == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "leaving@example.com",
        "waiting@example.com",
        "waiting_too@example.com",
    ]
    assert AuditEntry.objects.filter(action="events.signup.uninvited").count() == 2
    assert AuditEntry.objects.filter(action="events.invitation.remove", actor=operator).count() == 1
    assert not selectors.is_admitted(session=session, user=leaving)


# --- The operators' page -------------------------------------------------------------------------------------------


def test_operators_add_a_person_picked_from_the_registry(event: Event, operator_client: Client) -> None:
    session = closed(event)
    person = PersonFactory(name_en="Wang Fang")

    response = operator_client.post(page(session), {"kind": "person", "person": f"Wang Fang #{person.pk}"})

    assert response.status_code == 302
    assert Invitation.objects.get().person == person
    assert "Wang Fang" in operator_client.get(page(session)).content.decode()


def test_operators_add_an_organisation_or_a_role(event: Event, operator_client: Client, company: Organisation) -> None:
    session = closed(event)

    operator_client.post(
        page(session), {"kind": "organisation", "organisation": f"{company.display_name} #{company.pk}"}
    )
    operator_client.post(page(session), {"kind": "role", "role": "speaker"})

    assert sorted(Invitation.objects.values_list("kind", flat=True)) == ["organisation", "role"]
    body = operator_client.get(page(session)).content.decode()
    assert "Alpha Semiconductor" in body and "Speaker" in body


def test_the_page_explains_what_is_wrong_and_changes_nothing(
    event: Event, operator_client: Client, company: Organisation
) -> None:
    session = closed(event)
    Invitation.objects.create(session=session, kind="organisation", organisation=company)

    missing = operator_client.post(page(session), {"kind": "person", "person": "Nobody At All"})
    duplicate = operator_client.post(page(session), {"kind": "organisation", "organisation": f"#{company.pk}"})
    no_role = operator_client.post(page(session), {"kind": "role"})

    assert missing.status_code == 400 and "No single person matches" in missing.content.decode()
    assert duplicate.status_code == 400 and "is already on the invitation list" in duplicate.content.decode()
    assert no_role.status_code == 400 and "Choose one of the roles." in no_role.content.decode()
    assert Invitation.objects.count() == 1


def test_operators_remove_a_line(event: Event, operator_client: Client, company: Organisation) -> None:
    session = closed(event)
    invitation = Invitation.objects.create(session=session, kind="organisation", organisation=company)

    response = operator_client.post(page(session), {"remove": str(invitation.pk)}, follow=True)

    assert response.status_code == 200 and "is no longer invited" in response.content.decode()
    assert not Invitation.objects.exists()
    assert operator_client.post(page(session), {"remove": str(invitation.pk)}).status_code == 404
    assert operator_client.post(page(session), {"remove": "nonsense"}).status_code == 404


def test_the_invitation_page_is_for_operators_and_closed_door_sessions(
    event: Event, attendee_client: Client, operator_client: Client
) -> None:
    assert attendee_client.get(page(closed(event))).status_code == 403
    assert operator_client.get(page(workshop(event))).status_code == 409


def test_the_invitation_page_costs_a_constant_number_of_queries(
    event: Event, operator_client: Client, django_assert_max_num_queries: Any
) -> None:
    small, large = closed(event), closed(event)
    Invitation.objects.create(session=small, kind="person", person=PersonFactory())
    for _ in range(25):
        Invitation.objects.create(session=large, kind="person", person=PersonFactory())
        Invitation.objects.create(session=large, kind="organisation", organisation=OrganisationFactory())
    Invitation.objects.create(session=large, kind="role", role="judge")

    for session in (small, large):
        with django_assert_max_num_queries(6):
            assert operator_client.get(page(session)).status_code == 200


def test_a_removed_invitee_loses_access_to_signing_up_again(
    event: Event, operator: User, company: Organisation
) -> None:
    session = closed(event)
    invitation = seats.invitation_add(session=session, kind="organisation", organisation=company, by=operator)
    insider = registered(event, "insider", organisation=company)
    sign_up(session, insider)
    seats.invitation_remove(invitation=invitation, by=operator)

    with pytest.raises(PermissionDenied):
        sign_up(session, insider)
    assert signup_of(session, insider).status == "cancelled"
