"""Helpers for the on-the-day tests (part F): registrations with a person and an organisation, badge tokens, seats
in a session, invitations, and events whose days lie around today (feedback depends on what has ended)."""

import datetime
from typing import Any

from django.utils import timezone

from chiptown.accounts.models import User
from chiptown.events import badges
from chiptown.events.models import (
    Event,
    Invitation,
    InvitationKind,
    Registration,
    RegistrationStatus,
    Session,
    Signup,
    SignupStatus,
)
from chiptown.registry.models import Organisation, Person
from tests.events.factories import SHANGHAI, EventFactory, RegistrationFactory, SessionFactory
from tests.factories import OrganisationFactory, PersonFactory, UserFactory


def person_registration(
    event: Event,
    *,
    name_en: str,
    organisation: Organisation | None = None,
    status: str = RegistrationStatus.CONFIRMED,
    **user_fields: Any,
) -> Registration:
    """A registration whose account is linked to a registry person (name and organisation)."""
    user = UserFactory(**user_fields)
    PersonFactory(
        user=user, name_en=name_en, name_zh="", organisation=organisation or OrganisationFactory(name_en="Gamma Chips")
    )
    return RegistrationFactory(event=event, user=user, status=status)


def badge(registration: Registration) -> str:
    return badges.badge_token(registration)


def seat(
    session: Session, registration: Registration, *, status: str = SignupStatus.CONFIRMED, nda: bool = True
) -> Signup:
    now = timezone.now()
    return Signup.objects.create(
        session=session,
        registration=registration,
        status=status,
        confirmed_at=now if status == SignupStatus.CONFIRMED else None,
        offered_until=now + datetime.timedelta(hours=1) if status == SignupStatus.OFFERED else None,
        nda_accepted_at=now if nda else None,
    )


def invite_person(session: Session, user: User) -> Invitation:
    person = Person.objects.filter(user=user).first() or PersonFactory(user=user, name_en=user.username)
    return Invitation.objects.create(session=session, kind=InvitationKind.PERSON, person=person)


def event_around_today(*, slug: str, first_day_offset: int, days: int = 3) -> Event:
    """An event whose first day is today + `first_day_offset` (in Shanghai), `days` long."""
    today = timezone.localdate(timezone=SHANGHAI)
    first = today + datetime.timedelta(days=first_day_offset)
    return EventFactory(slug=slug, starts_on=first, ends_on=first + datetime.timedelta(days=days - 1))


def past_session(event: Event, factory: Any = SessionFactory, **fields: Any) -> Session:
    """A session that has ended: an hour ago if the event is on today, else on its first day at 10:00."""
    now = timezone.now()
    if event.starts_on <= timezone.localdate(timezone=SHANGHAI) <= event.ends_on:
        starts_at, ends_at = now - datetime.timedelta(hours=2), now - datetime.timedelta(hours=1)
    else:
        day = event.starts_on
        starts_at = datetime.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
        ends_at = starts_at + datetime.timedelta(hours=1)
    return factory(event=event, starts_at=starts_at, ends_at=ends_at, **fields)
