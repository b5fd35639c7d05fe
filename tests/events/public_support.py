"""Published programmes for the public-programme tests: build sessions with factories, then write a
ProgrammeVersion row in the contract format (what the editor's publishing service writes) and bump the event."""

import datetime
from typing import Any

from chiptown.events.models import (
    Event,
    ProgrammeVersion,
    Room,
    Session,
    SessionKind,
    SessionSpeaker,
    Speaker,
    SpeakerRole,
    Track,
)
from tests.events.factories import FIRST_DAY, SHANGHAI, RoomFactory, SpeakerFactory, TrackFactory


def session_entry(session: Session, speakers: list[tuple[int, str]]) -> dict[str, Any]:
    assert session.starts_at is not None and session.ends_at is not None and session.room_id is not None
    return {
        "kind": session.kind,
        "title_zh": session.title_zh,
        "title_en": session.title_en,
        "track": session.track_id,
        "room": session.room_id,
        "starts_at": session.starts_at.astimezone(datetime.UTC).isoformat(),
        "ends_at": session.ends_at.astimezone(datetime.UTC).isoformat(),
        "capacity": session.capacity,
        "closed_door": session.closed_door,
        "speakers": [[speaker_id, role] for speaker_id, role in speakers],
    }


def publish(event: Event, *, by: Any = None) -> ProgrammeVersion:
    """Freeze the event's scheduled sessions as its next programme version."""
    sessions = list(
        Session.objects.filter(event=event, room__isnull=False, starts_at__isnull=False, ends_at__isnull=False)
    )
    speakers: dict[int, list[tuple[int, str]]] = {}
    for session_id, speaker_id, role in SessionSpeaker.objects.filter(session__event=event).values_list(
        "session_id", "speaker_id", "role"
    ):
        speakers.setdefault(session_id, []).append((speaker_id, role))
    number = event.programme_version + 1
    version = ProgrammeVersion.objects.create(
        event=event,
        number=number,
        published_by=by,
        sessions={str(s.pk): session_entry(s, speakers.get(s.pk, [])) for s in sessions},
    )
    Event.objects.filter(pk=event.pk).update(programme_version=number, programme_published_at=version.published_at)
    event.refresh_from_db()
    return version


PALETTE = ["#1f6feb", "#1a7f37", "#b35900", "#7a4dd8", "#c62828", "#0f6b5c"]

KIND_CYCLE = [
    SessionKind.KEYNOTE,
    SessionKind.PANEL,
    SessionKind.SALON,
    SessionKind.KEYNOTE,
    SessionKind.WORKSHOP,
    SessionKind.PANEL,
    SessionKind.BREAK,
    SessionKind.CEREMONY,
]


def build_programme(
    event: Event,
    *,
    sessions: int,
    rooms: int = 8,
    tracks: int = 5,
    speakers: int | None = None,
    days: int = 3,
) -> dict[str, Any]:
    """`sessions` scheduled sessions spread over `days` days and `rooms` rooms in 45-minute slots from 08:00
    Shanghai, every kind of session, one or two speakers each (panels have a moderator). Bulk-written, so a
    300-session programme takes a moment, not a minute."""
    speaker_count = speakers if speakers is not None else max(1, sessions // 2)
    room_rows: list[Room] = [
        RoomFactory(event=event, name_en=f"Hall {n + 1}", name_zh=f"{n + 1}号厅", position=n) for n in range(rooms)
    ]
    track_rows: list[Track] = [
        TrackFactory(event=event, name_en=f"Track {n + 1}", name_zh=f"分论坛{n + 1}", colour=PALETTE[n % len(PALETTE)])
        for n in range(tracks)
    ]
    speaker_rows: list[Speaker] = [SpeakerFactory(event=event) for _ in range(speaker_count)]
    rows: list[Session] = []
    for i in range(sessions):
        day = i % days
        room = (i // days) % rooms
        slot = i // (days * rooms)
        kind = KIND_CYCLE[i % len(KIND_CYCLE)]
        date = FIRST_DAY + datetime.timedelta(days=day)
        starts_at = datetime.datetime(date.year, date.month, date.day, 8, 0, tzinfo=SHANGHAI) + datetime.timedelta(
            minutes=45 * slot
        )
        rows.append(
            Session(
                event=event,
                kind=kind,
                title_en=f"Session {i + 1}: automotive chips",
                title_zh=f"第{i + 1}场：车规芯片",
                abstract_en=f"Abstract of session {i + 1}.",
                abstract_zh=f"第{i + 1}场摘要。",
                room=room_rows[room],
                track=track_rows[i % tracks] if tracks and kind != SessionKind.BREAK else None,
                starts_at=starts_at,
                ends_at=starts_at + datetime.timedelta(minutes=40),
                capacity=30 if kind in (SessionKind.SALON, SessionKind.WORKSHOP) else None,
                closed_door=kind == SessionKind.WORKSHOP,
            )
        )
    created = Session.objects.bulk_create(rows)
    links: list[SessionSpeaker] = []
    for i, session in enumerate(created):
        if session.kind == SessionKind.BREAK:
            continue
        links.append(SessionSpeaker(session=session, speaker=speaker_rows[i % speaker_count], position=0))
        if session.kind == SessionKind.PANEL and speaker_count > 1:
            links.append(
                SessionSpeaker(
                    session=session,
                    speaker=speaker_rows[(i + 1) % speaker_count],
                    role=SpeakerRole.MODERATOR,
                    position=1,
                )
            )
    SessionSpeaker.objects.bulk_create(links)
    return {"rooms": room_rows, "tracks": track_rows, "speakers": speaker_rows, "sessions": created}
