"""Reads of the conference that pages, the API and tasks share."""

from typing import Any

from django.db.models import QuerySet

from chiptown.events.models import Event, Registration


def event_by_slug(*, slug: str) -> Event | None:
    return Event.objects.filter(slug=slug).first()


def events_listed() -> QuerySet[Event]:
    return Event.objects.all()


def registration_for(*, event: Event, user: Any) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Registration.objects.filter(event=event, user=user).first()
