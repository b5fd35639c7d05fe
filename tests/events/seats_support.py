"""Workshops with sign-up for the seat tests: sessions a few weeks from now (so sign-up is open whatever the date
the tests run), published in the contract's ProgrammeVersion format, and people with confirmed registrations."""

import datetime
from typing import Any

from django.utils import timezone

from chiptown.accounts.models import User
from chiptown.events.models import Event, ProgrammeVersion, Registration, Session, Signup, SignupStatus
from tests.events.factories import ClosedDoorWorkshopFactory, RegistrationFactory, WorkshopFactory
from tests.factories import UserFactory


def publish(event: Event, *sessions: Session) -> ProgrammeVersion:
    """A new programme version holding `sessions` besides the previous version's (times as UTC ISO strings)."""
    event.refresh_from_db()
    previous = ProgrammeVersion.objects.filter(event=event, number=event.programme_version).first()
    entries = dict(previous.sessions) if previous else {}
    for session in sessions:
        assert session.starts_at is not None and session.ends_at is not None
        entries[str(session.pk)] = {
            "kind": session.kind,
            "title_zh": session.title_zh,
            "title_en": session.title_en,
            "track": session.track_id,
            "room": session.room_id,
            "starts_at": session.starts_at.astimezone(datetime.UTC).isoformat(),
            "ends_at": session.ends_at.astimezone(datetime.UTC).isoformat(),
            "capacity": session.capacity,
            "closed_door": session.closed_door,
            "speakers": [],
        }
    number = event.programme_version + 1
    version = ProgrammeVersion.objects.create(event=event, number=number, sessions=entries)
    Event.objects.filter(pk=event.pk).update(programme_version=number, programme_published_at=version.published_at)
    event.refresh_from_db()
    for session in sessions:
        session.event = event
    return version


def in_days(days: float, hour: int = 14) -> datetime.datetime:
    """A time `days` from now, on the hour."""
    moment = timezone.now() + datetime.timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


def workshop(event: Event, *, capacity: int = 2, published: bool = True, days: float = 20, **fields: Any) -> Session:
    """A salon with `capacity` seats, two hours long, `days` from now; published unless told otherwise."""
    factory = ClosedDoorWorkshopFactory if fields.pop("closed_door", False) else WorkshopFactory
    starts_at = fields.pop("starts_at", None) or in_days(days)
    session = factory(
        event=event,
        capacity=capacity,
        starts_at=starts_at,
        ends_at=fields.pop("ends_at", None) or starts_at + datetime.timedelta(hours=2),
        **fields,
    )
    if published:
        publish(event, session)
    session.refresh_from_db()
    return session


def registered(event: Event, username: str = "", **fields: Any) -> User:
    """A user with a confirmed registration for `event`."""
    user = UserFactory(**({"username": username} if username else {}), **fields)
    RegistrationFactory(event=event, user=user)
    return user


def registration_of(event: Event, user: User) -> Registration:
    return Registration.objects.get(event=event, user=user)


def signup_of(session: Session, user: User) -> Signup:
    """The user's latest sign-up in the session."""
    return Signup.objects.filter(session=session, registration__user=user).latest("created_at", "pk")


def statuses(session: Session) -> dict[str, str]:
    """username -> status of each person's latest sign-up in the session."""
    found: dict[str, str] = {}
    for signup in Signup.objects.filter(session=session).select_related("registration__user").order_by("pk"):
        found[signup.registration.user.username] = signup.status
    return found


def waiting_order(session: Session) -> list[str]:
    return list(
        Signup.objects.filter(session=session, status=SignupStatus.WAITING)
        .order_by("created_at", "pk")
        .values_list("registration__user__username", flat=True)
    )


def held_seats(session: Session) -> int:
    return Signup.objects.filter(session=session, status__in=[SignupStatus.CONFIRMED, SignupStatus.OFFERED]).count()
