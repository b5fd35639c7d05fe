"""A small programme for the editor's tests: an event with two rooms, a track and speakers, and helpers to read
what the services wrote."""

from dataclasses import dataclass
from typing import Any

from chiptown.core.models import AuditEntry
from chiptown.events.models import Event, Room, Session, Speaker, Track
from tests.events.factories import RoomFactory, SpeakerFactory, TrackFactory


@dataclass
class Venue:
    event: Event
    hall: Room
    salon: Room
    track: Track
    zhang: Speaker
    li: Speaker


def venue(event: Event) -> Venue:
    """Hall 1 (300 seats) and Salon 2 (40 seats), the Market track, and speakers Zhang Wei and Li Na."""
    return Venue(
        event=event,
        hall=RoomFactory(event=event, name_en="Hall 1", name_zh="一号厅", capacity=300, position=1),
        salon=RoomFactory(event=event, name_en="Salon 2", name_zh="二号沙龙", capacity=40, position=2),
        track=TrackFactory(event=event, name_en="Market", name_zh="市场", colour="#1a7f37"),
        zhang=SpeakerFactory(event=event, person__name_en="Zhang Wei", person__name_zh="张伟"),
        li=SpeakerFactory(event=event, person__name_en="Li Na", person__name_zh="李娜"),
    )


def audit_actions(*, prefix: str = "events.") -> list[str]:
    return list(AuditEntry.objects.filter(action__startswith=prefix).order_by("pk").values_list("action", flat=True))


def session_state(session: Session) -> dict[str, Any]:
    """A session's row as it is in the database, with its speakers."""
    fresh = Session.objects.get(pk=session.pk)
    return {
        **{f.attname: getattr(fresh, f.attname) for f in Session._meta.concrete_fields if f.attname != "updated_at"},
        "speakers": list(fresh.session_speakers.order_by("position").values_list("speaker_id", "role")),
    }
