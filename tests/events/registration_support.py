"""Helpers for the registration and agenda tests: an event's own questions, a published programme, the state of a
registration to compare before and after a refused request."""

import datetime
from typing import Any

from django.utils import timezone

from chiptown.core.models import AuditEntry
from chiptown.events.models import AgendaItem, Event, ProgrammeVersion, Registration, Session

QUESTIONS: list[dict[str, Any]] = [
    {
        "name": "job_title",
        "label_en": "Job title",
        "label_zh": "职务",
        "type": "text",
        "required": True,
        "max_length": 40,
    },
    {"name": "fleet_size", "label_en": "Vehicles built per year", "label_zh": "年产量", "type": "number"},
    {
        "name": "interest",
        "label_en": "Main interest",
        "label_zh": "主要关注",
        "type": "choice",
        "required": True,
        "choices": [
            {"value": "mcu", "label_en": "MCUs", "label_zh": "微控制器"},
            {"value": "adas", "label_en": "Autonomous-driving chips", "label_zh": "自动驾驶芯片"},
        ],
    },
]

GOOD_ANSWERS = {"job_title": "Purchasing lead", "fleet_size": "120,000", "interest": "adas"}


def with_questions(event: Event, questions: list[dict[str, Any]] | None = None) -> Event:
    event.form_fields = QUESTIONS if questions is None else questions
    event.save(update_fields=["form_fields"])
    return event


def publish(event: Event, *sessions: Session) -> ProgrammeVersion:
    """A published programme holding `sessions` at their current times (what part A's publishing writes)."""
    number = event.programme_version + 1
    version = ProgrammeVersion.objects.create(
        event=event,
        number=number,
        sessions={
            str(s.pk): {
                "kind": s.kind,
                "title_zh": s.title_zh,
                "title_en": s.title_en,
                "track": s.track_id,
                "room": s.room_id,
                "starts_at": s.starts_at.astimezone(datetime.UTC).isoformat() if s.starts_at else None,
                "ends_at": s.ends_at.astimezone(datetime.UTC).isoformat() if s.ends_at else None,
                "capacity": s.capacity,
                "closed_door": s.closed_door,
                "speakers": [],
            }
            for s in sessions
        },
    )
    Event.objects.filter(pk=event.pk).update(programme_version=number, programme_published_at=timezone.now())
    event.refresh_from_db()
    return version


def registration_state(event: Event) -> list[dict[str, Any]]:
    """Every registration of the event as it is stored, for 'nothing changed' checks."""
    return list(Registration.objects.filter(event=event).order_by("pk").values())


def world_state(event: Event) -> tuple[Any, ...]:
    return (
        registration_state(event),
        list(AgendaItem.objects.filter(registration__event=event).order_by("pk").values()),
        AuditEntry.objects.count(),
    )


def audit_actions(registration: Registration) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="events.registration", object_id=str(registration.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )
