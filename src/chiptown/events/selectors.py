"""Reads of the conference that pages, the API and tasks share."""

from typing import Any

from django.db.models import Q, QuerySet

from chiptown.core.rules import is_operator
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
from chiptown.registry.models import Person


def event_by_slug(*, slug: str) -> Event | None:
    return Event.objects.filter(slug=slug).first()


def events_listed() -> QuerySet[Event]:
    return Event.objects.all()


def registration_for(*, event: Event, user: Any) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Registration.objects.filter(event=event, user=user).first()


# --- Shared by every part: who is invited to and admitted into a closed-door session; a person's agenda ----------


def is_invited(*, session: Session, user: Any) -> bool:
    """On the session's invitation list: as a person (the registry person linked to the account), through their
    organisation, or through their role. Open sessions invite everyone."""
    if not session.closed_door:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    person = Person.objects.filter(user=user).values_list("pk", "organisation_id").first()
    person_id, person_organisation_id = person if person else (None, None)
    organisation_ids = {o for o in (user.organisation_id, person_organisation_id) if o}
    return Invitation.objects.filter(
        Q(session=session)
        & (
            Q(kind=InvitationKind.PERSON, person_id=person_id)
            | Q(kind=InvitationKind.ORGANISATION, organisation_id__in=organisation_ids)
            | Q(kind=InvitationKind.ROLE, role=user.role)
        )
    ).exists()


def is_admitted(*, session: Session, user: Any) -> bool:
    """May open a closed-door session's materials and come in: operators, the session's own speakers, and people
    with a confirmed seat who accepted the NDA and are (still) invited. Open sessions admit everyone."""
    if not session.closed_door:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if is_operator(user):
        return True
    if SessionSpeaker.objects.filter(session=session, speaker__person__user=user).exists():
        return True
    seated = Signup.objects.filter(
        session=session,
        registration__user=user,
        registration__status=RegistrationStatus.CONFIRMED,
        status=SignupStatus.CONFIRMED,
        nda_accepted_at__isnull=False,
    ).exists()
    return seated and is_invited(session=session, user=user)


def agenda_sessions(*, registration: Registration) -> QuerySet[Session]:
    """The sessions in a person's own agenda: those they added, and those where they hold a seat or an offer."""
    return (
        Session.objects.filter(
            Q(agenda_items__registration=registration)
            | Q(signups__registration=registration, signups__status__in=[SignupStatus.CONFIRMED, SignupStatus.OFFERED])
        )
        .distinct()
        .select_related("room", "track", "event")
        .order_by("starts_at", "id")
    )
