"""The published programme as plain data: the snapshot of scheduled sessions that a version freezes, and what
changed between two snapshots. No ORM here, so the diff can be checked on random schedules.

A schedule maps a session's id (a string, as JSON keys are) to its entry:
`{"kind", "title_zh", "title_en", "track", "room", "starts_at", "ends_at", "capacity", "closed_door",
"speakers": [[speaker id, role], ...]}` with times as ISO 8601 strings in UTC. A change is
`{"session": id, "change": kind, "before": {...}, "after": {...}}`: an added session carries its whole entry in
`after`, a removed one in `before`; the other kinds carry only the fields they are about."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

SessionEntry = dict[str, Any]
Schedule = dict[str, SessionEntry]
Change = dict[str, Any]

ADDED, REMOVED, MOVED, RETIMED, RENAMED, SPEAKERS = "added", "removed", "moved", "retimed", "renamed", "speakers"
CHANGE_KINDS = (ADDED, REMOVED, MOVED, RETIMED, RENAMED, SPEAKERS)

# The fields each kind of change is about, in the order changes to one session are listed.
TRACKED: tuple[tuple[str, tuple[str, ...]], ...] = (
    (MOVED, ("room",)),
    (RETIMED, ("starts_at", "ends_at")),
    (RENAMED, ("title_zh", "title_en")),
    (SPEAKERS, ("speakers",)),
)


def utc_text(value: datetime.datetime) -> str:
    """An aware time as the snapshot writes it: ISO 8601 in UTC."""
    if value.tzinfo is None:
        raise ValueError("naive datetime in a programme snapshot")
    return value.astimezone(datetime.UTC).isoformat()


def utc_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def session_entry(
    *,
    kind: str,
    title_zh: str,
    title_en: str,
    track: int | None,
    room: int,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    capacity: int | None,
    closed_door: bool,
    speakers: Iterable[tuple[int, str]],
) -> SessionEntry:
    """One scheduled session as a version stores it (speakers in their order in the session)."""
    return {
        "kind": kind,
        "title_zh": title_zh,
        "title_en": title_en,
        "track": track,
        "room": room,
        "starts_at": utc_text(starts_at),
        "ends_at": utc_text(ends_at),
        "capacity": capacity,
        "closed_door": closed_door,
        "speakers": [[speaker_id, role] for speaker_id, role in speakers],
    }


def _session_order(session_id: str) -> tuple[int, str]:
    return (int(session_id), session_id) if session_id.isdigit() else (0, session_id)


def diff(before: Mapping[str, SessionEntry], after: Mapping[str, SessionEntry]) -> list[Change]:
    """What changed from `before` to `after`, by session id, then in the order of CHANGE_KINDS. Changes to the
    fields no kind is about (type, track, seats, closed door) are not listed; `same` tells whether two schedules
    are identical in every field."""
    changes: list[Change] = []
    for session_id in sorted(set(before) | set(after), key=_session_order):
        number = int(session_id)
        old, new = before.get(session_id), after.get(session_id)
        if old is None and new is not None:
            changes.append({"session": number, "change": ADDED, "before": {}, "after": dict(new)})
        elif new is None and old is not None:
            changes.append({"session": number, "change": REMOVED, "before": dict(old), "after": {}})
        elif old is not None and new is not None:
            for kind, fields in TRACKED:
                if any(old.get(name) != new.get(name) for name in fields):
                    changes.append(
                        {
                            "session": number,
                            "change": kind,
                            "before": {name: old.get(name) for name in fields},
                            "after": {name: new.get(name) for name in fields},
                        }
                    )
    return changes


def apply(schedule: Mapping[str, SessionEntry], changes: Sequence[Change]) -> Schedule:
    """`schedule` with `changes` applied (their "after" values): apply(a, diff(a, b)) has b's rooms, times, titles
    and speakers."""
    result: Schedule = {key: dict(entry) for key, entry in schedule.items()}
    for change in changes:
        key = str(change["session"])
        if change["change"] == ADDED:
            result[key] = dict(change["after"])
        elif change["change"] == REMOVED:
            result.pop(key, None)
        else:
            result.setdefault(key, {}).update(change["after"])
    return result


def same(before: Mapping[str, SessionEntry], after: Mapping[str, SessionEntry]) -> bool:
    """Nothing at all changed (also none of the fields `diff` does not list)."""
    return dict(before) == dict(after)


def changed_sessions(changes: Iterable[Change]) -> list[int]:
    """The ids of the sessions the changes are about, each once, in order."""
    seen: dict[int, None] = {}
    for change in changes:
        seen.setdefault(int(change["session"]), None)
    return list(seen)


def changes_by_session(changes: Iterable[Change]) -> dict[int, list[Change]]:
    grouped: dict[int, list[Change]] = {}
    for change in changes:
        grouped.setdefault(int(change["session"]), []).append(change)
    return grouped
