"""The programme editor's findings and a version's changes as sentences for people, in the active language, with
times in the event's zone. Plain data in (names looked up by the caller, in bulk), strings out."""

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from chiptown.core.i18n import join_list
from chiptown.events import versions
from chiptown.events.clashes import Clash
from chiptown.registry.models import pick_language


@dataclass(frozen=True)
class SessionLabel:
    """What a sentence says about a session: its title, its room's name and its times."""

    title: str
    room: str
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None


def day_label(value: datetime.datetime, zone: datetime.tzinfo) -> str:
    return date_format(value.astimezone(zone), "MONTH_DAY_FORMAT")


def time_range(starts_at: datetime.datetime, ends_at: datetime.datetime, zone: datetime.tzinfo) -> str:
    return "{}–{}".format(starts_at.astimezone(zone).strftime("%H:%M"), ends_at.astimezone(zone).strftime("%H:%M"))


def clash_sentence(
    clash: Clash,
    *,
    sessions: Mapping[int, SessionLabel],
    rooms: Mapping[int, str],
    speakers: Mapping[int, str],
    zone: datetime.tzinfo,
    first_day: datetime.date,
    last_day: datetime.date,
) -> str:
    """One clash found by clashes.programme_clashes, e.g. "Zhang Wei is in two places at once on June 15: Keynote A
    (Hall 1, 09:00–10:00) and Panel B (Hall 2, 09:30–10:30)."."""
    unknown = SessionLabel(title="?", room="", starts_at=None, ends_at=None)
    labels = [sessions.get(session_id, unknown) for session_id in clash.session_ids]

    def times(label: SessionLabel) -> str:
        if label.starts_at is None or label.ends_at is None:
            return ""
        return time_range(label.starts_at, label.ends_at, zone)

    day = day_label(labels[0].starts_at, zone) if labels[0].starts_at else ""
    if clash.kind == "speaker" and len(labels) == 2:
        first, second = labels
        return _(
            "%(speaker)s is in two places at once on %(day)s: %(first)s (%(first_room)s, %(first_time)s) and "
            "%(second)s (%(second_room)s, %(second_time)s)."
        ) % {
            "speaker": speakers.get(clash.other_id or 0, "?"),
            "day": day,
            "first": first.title,
            "first_room": first.room,
            "first_time": times(first),
            "second": second.title,
            "second_room": second.room,
            "second_time": times(second),
        }
    if clash.kind == "room" and len(labels) == 2:
        first, second = labels
        return _(
            "%(room)s is double-booked on %(day)s: %(first)s (%(first_time)s) and %(second)s (%(second_time)s)."
        ) % {
            "room": rooms.get(clash.other_id or 0, "?"),
            "day": day,
            "first": first.title,
            "first_time": times(first),
            "second": second.title,
            "second_time": times(second),
        }
    if clash.kind == "too_small":
        return _("%(room)s has %(seats)d seats but %(audience)d people are expected at %(session)s.") % {
            "room": rooms.get(clash.other_id or 0, "?"),
            "seats": clash.details.get("seats", 0),
            "audience": clash.details.get("audience", 0),
            "session": labels[0].title,
        }
    if clash.kind == "outside_days":
        return _("%(session)s (%(day)s, %(time)s) is outside the event's days (%(first_day)s to %(last_day)s).") % {
            "session": labels[0].title,
            "day": day,
            "time": times(labels[0]),
            "first_day": date_format(first_day, "MONTH_DAY_FORMAT"),
            "last_day": date_format(last_day, "MONTH_DAY_FORMAT"),
        }
    if clash.kind == "too_long":
        return _("%(session)s lasts %(minutes)d minutes, longer than its %(slot)d-minute slot.") % {
            "session": labels[0].title,
            "minutes": clash.details.get("minutes", 0),
            "slot": clash.details.get("slot_minutes", 0),
        }
    return _("%(sessions)s clash.") % {"sessions": join_list(label.title for label in labels)}


def _place(entry: Mapping[str, object], rooms: Mapping[int, str], zone: datetime.tzinfo) -> str:
    starts_at, ends_at = entry.get("starts_at"), entry.get("ends_at")
    room_id = entry.get("room")
    room = rooms.get(room_id, "?") if isinstance(room_id, int) else "?"
    if not isinstance(starts_at, str) or not isinstance(ends_at, str):
        return room
    start, end = versions.utc_time(starts_at), versions.utc_time(ends_at)
    return _("%(day)s, %(time)s, %(room)s") % {
        "day": day_label(start, zone),
        "time": time_range(start, end, zone),
        "room": room,
    }


def _title(entry: Mapping[str, object]) -> str:
    return pick_language(str(entry.get("title_zh") or ""), str(entry.get("title_en") or ""))


def session_summary(
    changes: Sequence[versions.Change],
    *,
    entry: versions.SessionEntry | None,
    rooms: Mapping[int, str],
    speakers: Mapping[int, str],
    zone: datetime.tzinfo,
) -> list[str]:
    """What happened to one session in a version, one sentence per kind of change; a new room or time is one
    "old → new" sentence. `entry` is the session as the version published it (None if it was removed)."""
    kinds = {change["change"]: change for change in changes}
    if versions.REMOVED in kinds:
        old = kinds[versions.REMOVED]["before"]
        return [
            _("%(session)s was taken off the programme (it was %(place)s).")
            % {"session": _title(old), "place": _place(old, rooms, zone)}
        ]
    if entry is None:
        return []
    if versions.ADDED in kinds:
        return [
            _("%(session)s was added: %(place)s.") % {"session": _title(entry), "place": _place(entry, rooms, zone)}
        ]
    before: dict[str, object] = dict(entry)
    for change in changes:
        before.update(change["before"])
    title = _title(entry)
    lines: list[str] = []
    if versions.MOVED in kinds or versions.RETIMED in kinds:
        lines.append(
            _("%(session)s: %(before)s → %(after)s.")
            % {"session": title, "before": _place(before, rooms, zone), "after": _place(entry, rooms, zone)}
        )
    if versions.RENAMED in kinds:
        lines.append(
            _("%(old_title)s is now called %(new_title)s.") % {"old_title": _title(before), "new_title": title}
        )
    if versions.SPEAKERS in kinds:
        names = [speakers.get(int(pair[0]), "?") for pair in entry.get("speakers") or []]
        if names:
            lines.append(
                _("%(session)s: the speakers are now %(names)s.") % {"session": title, "names": join_list(names)}
            )
        else:
            lines.append(_("%(session)s has no speakers any more.") % {"session": title})
    return lines


def version_summary(
    changes: Sequence[versions.Change],
    *,
    schedule: Mapping[str, versions.SessionEntry],
    rooms: Mapping[int, str],
    speakers: Mapping[int, str],
    zone: datetime.tzinfo,
) -> list[str]:
    """Every change of a version as sentences, session by session."""
    lines: list[str] = []
    for session_id, session_changes in versions.changes_by_session(changes).items():
        lines += session_summary(
            session_changes, entry=schedule.get(str(session_id)), rooms=rooms, speakers=speakers, zone=zone
        )
    return lines
