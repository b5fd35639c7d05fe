"""Clash detection on plain data (no ORM): for the programme editor (a speaker in two places, a room double-booked,
a session longer than its slot or outside the event's days, a room smaller than its audience) and for a person's
own agenda (two chosen sessions at once)."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Slot:
    """One session as the clash checks see it."""

    session_id: int
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    room_id: int | None = None
    room_capacity: int | None = None
    expected_audience: int | None = None
    speaker_ids: tuple[int, ...] = ()
    # How long the session needs, in minutes (e.g. a 45-minute keynote); None if nobody said.
    planned_minutes: int | None = None

    @property
    def scheduled(self) -> bool:
        return self.starts_at is not None and self.ends_at is not None


@dataclass(frozen=True)
class Clash:
    """One problem found. `kind` is a code: speaker, room, too_long, too_small, outside_days, agenda."""

    kind: str
    session_ids: tuple[int, ...]
    other_id: int | None = None  # the speaker or room involved, when there is one
    details: dict[str, int] = field(default_factory=dict)


def overlapping_pairs(slots: Sequence[Slot]) -> list[tuple[Slot, Slot]]:
    """Every pair of scheduled slots whose times overlap (touching ends do not overlap). A sweep over the slots
    sorted by start: O(n log n + pairs)."""
    ordered = sorted((s for s in slots if s.scheduled), key=lambda s: (s.starts_at, s.session_id))
    pairs: list[tuple[Slot, Slot]] = []
    open_slots: list[Slot] = []
    for slot in ordered:
        assert slot.starts_at is not None
        open_slots = [o for o in open_slots if o.ends_at is not None and o.ends_at > slot.starts_at]
        pairs.extend((o, slot) for o in open_slots)
        open_slots.append(slot)
    return pairs


def programme_clashes(
    slots: Iterable[Slot],
    *,
    first_day: datetime.date | None = None,
    last_day: datetime.date | None = None,
    zone: datetime.tzinfo | None = None,
) -> list[Clash]:
    """Every clash in a programme, in a stable order (by kind, then sessions)."""
    slots = list(slots)
    found: list[Clash] = []
    by_room: dict[int, list[Slot]] = defaultdict(list)
    by_speaker: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots:
        if not slot.scheduled:
            continue
        if slot.room_id is not None:
            by_room[slot.room_id].append(slot)
        for speaker_id in slot.speaker_ids:
            by_speaker[speaker_id].append(slot)
        assert slot.starts_at is not None and slot.ends_at is not None
        minutes = int((slot.ends_at - slot.starts_at).total_seconds() // 60)
        if slot.planned_minutes is not None and slot.planned_minutes > minutes:
            found.append(
                Clash(
                    "too_long", (slot.session_id,), details={"minutes": slot.planned_minutes, "slot_minutes": minutes}
                )
            )
        if (
            slot.room_capacity is not None
            and slot.expected_audience is not None
            and slot.expected_audience > slot.room_capacity
        ):
            found.append(
                Clash(
                    "too_small",
                    (slot.session_id,),
                    other_id=slot.room_id,
                    details={"audience": slot.expected_audience, "seats": slot.room_capacity},
                )
            )
        if first_day is not None and last_day is not None:
            start = slot.starts_at.astimezone(zone).date() if zone else slot.starts_at.date()
            # A session ending exactly at midnight still belongs to its day.
            end = (
                (slot.ends_at - datetime.timedelta(microseconds=1)).astimezone(zone).date()
                if zone
                else (slot.ends_at - datetime.timedelta(microseconds=1)).date()
            )
            if start < first_day or end > last_day:
                found.append(Clash("outside_days", (slot.session_id,)))
    for room_id, room_slots in by_room.items():
        for a, b in overlapping_pairs(room_slots):
            found.append(Clash("room", (a.session_id, b.session_id), other_id=room_id))
    for speaker_id, speaker_slots in by_speaker.items():
        for a, b in overlapping_pairs(speaker_slots):
            found.append(Clash("speaker", (a.session_id, b.session_id), other_id=speaker_id))
    return sorted(found, key=lambda c: (c.kind, c.session_ids, c.other_id or 0))


def agenda_clashes(slots: Iterable[Slot]) -> list[Clash]:
    """Pairs of sessions in one person's agenda that overlap in time."""
    return [Clash("agenda", (a.session_id, b.session_id)) for a, b in overlapping_pairs(list(slots))]
