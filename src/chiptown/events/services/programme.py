"""Writes of the conference programme: events, rooms, tracks, sessions, their place in the schedule and their
speakers, and publishing a version of the programme (then telling people whose agenda changed).

Operators only. Each write checks permission, validates with problems naming the field, runs in one transaction
and leaves an audit entry. Scheduling refuses only what cannot be (an end before the start, a time outside the
event's days, another event's room, more sign-up seats than the room has); clashes between sessions are warnings
the editor shows, never refusals. `seats_taken` belongs to the seats part: session writes here never save it."""

import datetime
import re
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chiptown.core.addresses import absolute_url
from chiptown.core.errors import ChipTownError, Conflict, Problem
from chiptown.core.i18n import join_list
from chiptown.core.models import Job
from chiptown.core.notifications import notify
from chiptown.core.rules import require
from chiptown.core.services import Progress, audit_record, job_create, snapshot
from chiptown.events import programme_text, selectors, versions
from chiptown.events.clashes import Clash
from chiptown.events.models import (
    ACTIVE_SIGNUP_STATUSES,
    AgendaItem,
    Event,
    ProgrammeVersion,
    RegistrationStatus,
    Room,
    Session,
    SessionKind,
    SessionSpeaker,
    Signup,
    SignupStatus,
    Speaker,
    SpeakerRole,
    Track,
)

EVENT_FIELDS = (
    "slug",
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "starts_on",
    "ends_on",
    "timezone",
    "venue_zh",
    "venue_en",
)
ROOM_FIELDS = ("name_zh", "name_en", "building", "capacity", "position")
TRACK_FIELDS = ("name_zh", "name_en", "colour", "position")
SESSION_FIELDS = (
    "kind",
    "title_zh",
    "title_en",
    "abstract_zh",
    "abstract_en",
    "track",
    "expected_audience",
    "planned_minutes",
    "capacity",
    "closed_door",
    "nda_zh",
    "nda_en",
)
SESSION_AUDIT = tuple("track_id" if name == "track" else name for name in SESSION_FIELDS)
SCHEDULE_AUDIT = ("room_id", "starts_at", "ends_at")

MAX_DAYS = 14
MAX_SESSION_MINUTES = 24 * 60
MAX_SEATS = 100_000
_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# Words the conference's own addresses use right after /events/.
RESERVED_SLUGS = frozenset({"manage", "api"})
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# How many session titles a refusal names before it says "and N more".
NAMED_AT_MOST = 8


def _require_manager(by: Any, event: Event | None = None) -> None:
    require(by, "events.manage", event, _("Only conference operators may change the programme."))


def _invalid(problems: list[Problem]) -> ChipTownError:
    return ChipTownError(_("Some fields are not valid."), code="invalid", problems=problems)


def _text(values: Mapping[str, Any], name: str) -> str:
    return str(values.get(name) or "").strip()


def _too_long(values: Mapping[str, Any], names: Sequence[str], limit: int) -> list[Problem]:
    return [
        Problem(
            reason=_("At most %(n)d characters (got %(got)d).") % {"n": limit, "got": len(_text(values, name))},
            column=name,
        )
        for name in names
        if len(_text(values, name)) > limit
    ]


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _titles(sessions: Sequence[Session]) -> str:
    """Session titles in running text, at most NAMED_AT_MOST of them."""
    names = [f"“{s.display_title}”" for s in sessions[:NAMED_AT_MOST]]
    if len(sessions) > NAMED_AT_MOST:
        names.append(_("%(count)d more") % {"count": len(sessions) - NAMED_AT_MOST})
    return join_list(names)


# --- Times --------------------------------------------------------------------------------------------------------


def event_days(event: Event) -> list[datetime.date]:
    return [event.starts_on + datetime.timedelta(days=n) for n in range((event.ends_on - event.starts_on).days + 1)]


def aware(value: datetime.datetime, zone: datetime.tzinfo) -> datetime.datetime:
    """A naive time is read in the event's zone; an aware one is kept."""
    return value.replace(tzinfo=zone) if timezone.is_naive(value) else value


def within_days(
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    *,
    first_day: datetime.date,
    last_day: datetime.date,
    zone: datetime.tzinfo,
) -> bool:
    """Starts and ends on the event's days in its zone (a session ending at midnight belongs to its day)."""
    start = starts_at.astimezone(zone).date()
    end = (ends_at - datetime.timedelta(microseconds=1)).astimezone(zone).date()
    return first_day <= start and end <= last_day


def _days_text(first_day: datetime.date, last_day: datetime.date) -> str:
    return _("%(first)s to %(last)s") % {
        "first": date_format(first_day, "DATE_FORMAT"),
        "last": date_format(last_day, "DATE_FORMAT"),
    }


# --- Events -------------------------------------------------------------------------------------------------------


def _zone(name: str) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def _event_problems(values: Mapping[str, Any], *, event: Event | None = None) -> list[Problem]:
    problems: list[Problem] = []
    slug = _text(values, "slug")
    if not _SLUG.match(slug):
        problems.append(
            Problem(
                reason=_(
                    "Use 1 to 64 lower-case letters, digits and hyphens, starting and ending with a letter or digit."
                ),
                column="slug",
            )
        )
    elif slug in RESERVED_SLUGS:
        problems.append(Problem(reason=_("This short name is reserved; choose another."), column="slug"))
    elif Event.objects.filter(slug=slug).exclude(pk=event.pk if event else 0).exists():
        problems.append(Problem(reason=_("Another event already uses this short name."), column="slug"))
    if not _text(values, "name_zh") and not _text(values, "name_en"):
        problems.append(Problem(reason=_("Give a name in Chinese or English."), column="name_en"))
    problems += _too_long(values, ("name_zh", "name_en", "venue_zh", "venue_en"), 200)
    problems += _too_long(values, ("description_zh", "description_en"), 20_000)
    starts_on, ends_on = values.get("starts_on"), values.get("ends_on")
    for name, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
            problems.append(Problem(reason=_("Give a date."), column=name))
    if isinstance(starts_on, datetime.date) and isinstance(ends_on, datetime.date):
        if ends_on < starts_on:
            problems.append(Problem(reason=_("The last day cannot come before the first day."), column="ends_on"))
        elif (ends_on - starts_on).days + 1 > MAX_DAYS:
            problems.append(
                Problem(reason=_("An event lasts at most %(days)d days.") % {"days": MAX_DAYS}, column="ends_on")
            )
    name = _text(values, "timezone")
    if len(name) > 64 or _zone(name) is None:
        problems.append(
            Problem(reason=_("Not a time zone we know; use a name such as Asia/Shanghai."), column="timezone")
        )
    return problems


def event_create(
    *,
    by: Any,
    slug: str,
    name_zh: str,
    name_en: str,
    starts_on: datetime.date,
    ends_on: datetime.date,
    timezone: str = "Asia/Shanghai",
    description_zh: str = "",
    description_en: str = "",
    venue_zh: str = "",
    venue_en: str = "",
    is_demo: bool = False,
) -> Event:
    """A new event, with no rooms, tracks or sessions yet and no published programme."""
    _require_manager(by)
    values: dict[str, Any] = {
        "slug": slug,
        "name_zh": name_zh,
        "name_en": name_en,
        "description_zh": description_zh,
        "description_en": description_en,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "timezone": timezone,
        "venue_zh": venue_zh,
        "venue_en": venue_en,
    }
    problems = _event_problems(values)
    if problems:
        raise _invalid(problems)
    try:
        with transaction.atomic():
            event = Event.objects.create(
                is_demo=is_demo,
                **{name: value.strip() if isinstance(value, str) else value for name, value in values.items()},
            )
            audit_record(actor=by, action="events.event_create", target=event, after=snapshot(event, EVENT_FIELDS))
    except IntegrityError as exc:  # another operator took the short name a moment ago
        raise _invalid([Problem(reason=_("Another event already uses this short name."), column="slug")]) from exc
    return event


def event_update(*, event: Event, by: Any, values: Mapping[str, Any]) -> Event:
    """Change an event's short name, names, descriptions, days, time zone or venue (only the fields given).
    Refused when scheduled sessions would fall outside the new days in the (new) time zone: they are named."""
    _require_manager(by, event)
    unknown = set(values) - set(EVENT_FIELDS)
    if unknown:
        raise _invalid([Problem(reason=_("This field cannot be changed here."), column=f) for f in sorted(unknown)])
    merged = {**{name: getattr(event, name) for name in EVENT_FIELDS}, **values}
    problems = _event_problems(merged, event=event)
    if problems:
        raise _invalid(problems)
    try:
        with transaction.atomic():
            locked = Event.objects.select_for_update().get(pk=event.pk)
            zone = zoneinfo.ZoneInfo(_text(merged, "timezone"))
            outside = [
                session
                for session in Session.objects.filter(
                    event=locked, starts_at__isnull=False, ends_at__isnull=False
                ).order_by("starts_at", "pk")
                if session.starts_at is not None
                and session.ends_at is not None
                and not within_days(
                    session.starts_at,
                    session.ends_at,
                    first_day=merged["starts_on"],
                    last_day=merged["ends_on"],
                    zone=zone,
                )
            ]
            if outside:
                reason = _(
                    "These sessions would fall outside the event's days: %(sessions)s. Move or unschedule them first."
                ) % {"sessions": _titles(outside)}
                if merged["starts_on"] > event.starts_on:
                    column = "starts_on"
                elif merged["ends_on"] < event.ends_on:
                    column = "ends_on"
                else:
                    column = "timezone"
                raise ChipTownError(
                    _("The event's days cannot change this way."),
                    code="sessions_outside",
                    problems=[Problem(reason=reason, column=column)],
                )
            before = snapshot(locked, EVENT_FIELDS)
            for name in EVENT_FIELDS:
                if name in values:
                    value = values[name]
                    setattr(locked, name, value.strip() if isinstance(value, str) else value)
            locked.save(update_fields=list(EVENT_FIELDS))
            audit_record(
                actor=by,
                action="events.event_update",
                target=locked,
                before=before,
                after=snapshot(locked, EVENT_FIELDS),
            )
    except IntegrityError as exc:
        raise _invalid([Problem(reason=_("Another event already uses this short name."), column="slug")]) from exc
    return locked


# --- Rooms and tracks ---------------------------------------------------------------------------------------------


def _names(values: Mapping[str, Any]) -> tuple[str, str]:
    """Chinese and English names; a missing English name repeats the Chinese one. The unique constraint is on the
    English name and the English page falls back to Chinese anyway, so what people see does not change."""
    name_zh, name_en = _text(values, "name_zh"), _text(values, "name_en")
    return name_zh, name_en or name_zh


def _place_problems(
    values: Mapping[str, Any], *, event: Event, model: type[Room] | type[Track], current: Room | Track | None
) -> list[Problem]:
    problems: list[Problem] = []
    name_zh, name_en = _names(values)
    if not name_zh and not name_en:
        problems.append(Problem(reason=_("Give a name in Chinese or English."), column="name_en"))
    problems += _too_long(values, ("name_zh", "name_en", "building"), 100)
    others = model.objects.filter(event=event, name_en=name_en).exclude(pk=current.pk if current else 0)
    if name_en and others.exists():
        problems.append(Problem(reason=_("This event already has one with this name."), column="name_en"))
    position = values.get("position", 0)
    if _whole(position) is None or not 0 <= position <= 32_767:
        problems.append(Problem(reason=_("Give a whole number from 0 to 32767."), column="position"))
    return problems


def _room_problems(values: Mapping[str, Any], *, event: Event, room: Room | None = None) -> list[Problem]:
    problems = _place_problems(values, event=event, model=Room, current=room)
    capacity = _whole(values.get("capacity"))
    if capacity is None or not 1 <= capacity <= MAX_SEATS:
        problems.append(
            Problem(reason=_("Give the number of seats, from 1 to %(max)d.") % {"max": MAX_SEATS}, column="capacity")
        )
    elif room is not None:
        too_many = list(
            Session.objects.filter(room=room, capacity__gt=capacity).order_by("starts_at", "pk")
        )  # sign-up seats must exist in the room
        if too_many:
            problems.append(
                Problem(
                    reason=_("These sessions offer more seats for sign-up than %(seats)d: %(sessions)s.")
                    % {"seats": capacity, "sessions": _titles(too_many)},
                    column="capacity",
                )
            )
    return problems


def room_create(
    *,
    event: Event,
    by: Any,
    name_zh: str,
    name_en: str,
    capacity: int,
    building: str = "",
    position: int = 0,
) -> Room:
    _require_manager(by, event)
    values = {"name_zh": name_zh, "name_en": name_en, "capacity": capacity, "building": building, "position": position}
    problems = _room_problems(values, event=event)
    if problems:
        raise _invalid(problems)
    name_zh, name_en = _names(values)
    try:
        with transaction.atomic():
            room = Room.objects.create(
                event=event,
                name_zh=name_zh,
                name_en=name_en,
                building=building.strip(),
                capacity=capacity,
                position=position,
            )
            audit_record(actor=by, action="events.room_create", target=room, after=snapshot(room, ROOM_FIELDS))
    except IntegrityError as exc:
        raise _invalid([Problem(reason=_("This event already has one with this name."), column="name_en")]) from exc
    return room


def room_update(*, room: Room, by: Any, values: Mapping[str, Any]) -> Room:
    """Change a room (only the fields given). Its seats cannot drop below a session's seats for sign-up."""
    _require_manager(by, room.event)
    unknown = set(values) - set(ROOM_FIELDS)
    if unknown:
        raise _invalid([Problem(reason=_("This field cannot be changed here."), column=f) for f in sorted(unknown)])
    try:
        with transaction.atomic():
            locked = Room.objects.select_for_update().select_related("event").get(pk=room.pk)
            merged = {**snapshot(locked, ROOM_FIELDS), **values}
            problems = _room_problems(merged, event=locked.event, room=locked)
            if problems:
                raise _invalid(problems)
            before = snapshot(locked, ROOM_FIELDS)
            locked.name_zh, locked.name_en = _names(merged)
            locked.building = _text(merged, "building")
            locked.capacity, locked.position = merged["capacity"], merged["position"]
            locked.save()
            audit_record(
                actor=by, action="events.room_update", target=locked, before=before, after=snapshot(locked, ROOM_FIELDS)
            )
    except IntegrityError as exc:
        raise _invalid([Problem(reason=_("This event already has one with this name."), column="name_en")]) from exc
    return locked


def room_delete(*, room: Room, by: Any) -> None:
    """Delete a room no session uses (deleting one in use would quietly unschedule its sessions)."""
    _require_manager(by, room.event)
    with transaction.atomic():
        locked = Room.objects.select_for_update().get(pk=room.pk)
        using = list(Session.objects.filter(room=locked).order_by("starts_at", "pk"))
        if using:
            raise Conflict(
                _("%(room)s cannot be deleted while sessions use it: %(sessions)s. Move or unschedule them first.")
                % {"room": locked.display_name, "sessions": _titles(using)},
                code="room_in_use",
            )
        audit_record(actor=by, action="events.room_delete", target=locked, before=snapshot(locked, ROOM_FIELDS))
        locked.delete()


def _track_problems(values: Mapping[str, Any], *, event: Event, track: Track | None = None) -> list[Problem]:
    problems = _place_problems(values, event=event, model=Track, current=track)
    if not _COLOUR.match(_text(values, "colour")):
        problems.append(Problem(reason=_("Give a colour such as #1f6feb."), column="colour"))
    return problems


def track_create(
    *, event: Event, by: Any, name_zh: str, name_en: str, colour: str = "#1f6feb", position: int = 0
) -> Track:
    _require_manager(by, event)
    values = {"name_zh": name_zh, "name_en": name_en, "colour": colour, "position": position}
    problems = _track_problems(values, event=event)
    if problems:
        raise _invalid(problems)
    name_zh, name_en = _names(values)
    try:
        with transaction.atomic():
            track = Track.objects.create(
                event=event, name_zh=name_zh, name_en=name_en, colour=colour.strip().lower(), position=position
            )
            audit_record(actor=by, action="events.track_create", target=track, after=snapshot(track, TRACK_FIELDS))
    except IntegrityError as exc:
        raise _invalid([Problem(reason=_("This event already has one with this name."), column="name_en")]) from exc
    return track


def track_update(*, track: Track, by: Any, values: Mapping[str, Any]) -> Track:
    _require_manager(by, track.event)
    unknown = set(values) - set(TRACK_FIELDS)
    if unknown:
        raise _invalid([Problem(reason=_("This field cannot be changed here."), column=f) for f in sorted(unknown)])
    try:
        with transaction.atomic():
            locked = Track.objects.select_for_update().select_related("event").get(pk=track.pk)
            merged = {**snapshot(locked, TRACK_FIELDS), **values}
            problems = _track_problems(merged, event=locked.event, track=locked)
            if problems:
                raise _invalid(problems)
            before = snapshot(locked, TRACK_FIELDS)
            locked.name_zh, locked.name_en = _names(merged)
            locked.colour, locked.position = _text(merged, "colour").lower(), merged["position"]
            locked.save()
            audit_record(
                actor=by,
                action="events.track_update",
                target=locked,
                before=before,
                after=snapshot(locked, TRACK_FIELDS),
            )
    except IntegrityError as exc:
        raise _invalid([Problem(reason=_("This event already has one with this name."), column="name_en")]) from exc
    return locked


def track_delete(*, track: Track, by: Any) -> int:
    """Delete a track; its sessions stay in the programme without a track. Returns how many sessions it had."""
    _require_manager(by, track.event)
    with transaction.atomic():
        locked = Track.objects.select_for_update().get(pk=track.pk)
        session_ids = list(Session.objects.filter(track=locked).order_by("pk").values_list("pk", flat=True))
        audit_record(
            actor=by,
            action="events.track_delete",
            target=locked,
            before={**snapshot(locked, TRACK_FIELDS), "sessions": session_ids},
        )
        Session.objects.filter(pk__in=session_ids).update(track=None, updated_at=timezone.now())
        locked.delete()
    return len(session_ids)


# --- Sessions -----------------------------------------------------------------------------------------------------


def _session_problems(values: Mapping[str, Any], *, event: Event, room: Room | None) -> list[Problem]:
    problems: list[Problem] = []
    if values.get("kind") not in SessionKind.values:
        problems.append(Problem(reason=_("Choose a type of session."), column="kind"))
    if not _text(values, "title_zh") and not _text(values, "title_en"):
        problems.append(Problem(reason=_("Give a title in Chinese or English."), column="title_en"))
    problems += _too_long(values, ("title_zh", "title_en"), 200)
    problems += _too_long(values, ("abstract_zh", "abstract_en", "nda_zh", "nda_en"), 20_000)
    track = values.get("track")
    if track is not None and (not isinstance(track, Track) or track.event_id != event.pk):
        problems.append(Problem(reason=_("Choose one of this event's tracks."), column="track"))
    audience = values.get("expected_audience")
    if audience is not None and (_whole(audience) is None or not 0 <= audience <= MAX_SEATS):
        problems.append(
            Problem(reason=_("Give a whole number from 0 to %(max)d.") % {"max": MAX_SEATS}, column="expected_audience")
        )
    planned = values.get("planned_minutes")
    if planned is not None and (_whole(planned) is None or not 1 <= planned <= MAX_SESSION_MINUTES):
        problems.append(
            Problem(
                reason=_("Give the length in minutes, from 1 to %(max)d.") % {"max": MAX_SESSION_MINUTES},
                column="planned_minutes",
            )
        )
    capacity = values.get("capacity")
    if capacity is not None and (_whole(capacity) is None or not 1 <= capacity <= MAX_SEATS):
        problems.append(
            Problem(reason=_("Give the number of seats, from 1 to %(max)d.") % {"max": MAX_SEATS}, column="capacity")
        )
    elif capacity is not None and room is not None and capacity > room.capacity:
        problems.append(
            Problem(
                reason=_("%(room)s has only %(seats)d seats: no more can be offered for sign-up.")
                % {"room": room.display_name, "seats": room.capacity},
                column="capacity",
            )
        )
    if values.get("closed_door") and capacity is None:
        problems.append(
            Problem(
                reason=_("A closed-door session admits people by sign-up: give its number of seats."),
                column="capacity",
            )
        )
    return problems


def _session_values(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        name: (value.strip() if isinstance(value, str) else value)
        for name, value in values.items()
        if name in SESSION_FIELDS
    }


def session_create(
    *,
    event: Event,
    by: Any,
    kind: str,
    title_zh: str = "",
    title_en: str = "",
    abstract_zh: str = "",
    abstract_en: str = "",
    track: Track | None = None,
    expected_audience: int | None = None,
    planned_minutes: int | None = None,
    capacity: int | None = None,
    closed_door: bool = False,
    nda_zh: str = "",
    nda_en: str = "",
    is_demo: bool = False,
) -> Session:
    """A new, unscheduled session (session_schedule gives it a room and times)."""
    _require_manager(by, event)
    values = {
        "kind": kind,
        "title_zh": title_zh,
        "title_en": title_en,
        "abstract_zh": abstract_zh,
        "abstract_en": abstract_en,
        "track": track,
        "expected_audience": expected_audience,
        "planned_minutes": planned_minutes,
        "capacity": capacity,
        "closed_door": bool(closed_door),
        "nda_zh": nda_zh,
        "nda_en": nda_en,
    }
    problems = _session_problems(values, event=event, room=None)
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        session = Session.objects.create(event=event, is_demo=is_demo, **_session_values(values))
        audit_record(actor=by, action="events.session_create", target=session, after=snapshot(session, SESSION_AUDIT))
    return session


def _active_signups(session: Session) -> int:
    return Signup.objects.filter(session=session, status__in=ACTIVE_SIGNUP_STATUSES).count()


def session_update(*, session: Session, by: Any, values: Mapping[str, Any]) -> Session:
    """Change a session's type, titles, abstracts, track, expected audience, seats for sign-up, closed door or NDA
    (only the fields given). Seats for sign-up cannot drop below the seats taken, nor go away while people hold
    seats or wait for one, nor exceed the room's seats; new seats are offered to the waiting list."""
    _require_manager(by, session.event)
    unknown = set(values) - set(SESSION_FIELDS)
    if unknown:
        raise _invalid([Problem(reason=_("This field cannot be changed here."), column=f) for f in sorted(unknown)])
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        event = Event.objects.get(pk=locked.event_id)
        room = Room.objects.filter(pk=locked.room_id).first() if locked.room_id else None
        current = {name: getattr(locked, name) for name in SESSION_FIELDS}
        merged = {**current, **values}
        problems = _session_problems(merged, event=event, room=room)
        if problems:
            raise _invalid(problems)
        capacity = merged["capacity"]
        if capacity != locked.capacity:
            if capacity is None and (locked.seats_taken or _active_signups(locked)):
                raise Conflict(
                    _("People hold seats or wait for one in this session: it must keep taking sign-up."),
                    code="has_signups",
                )
            if capacity is not None and capacity < locked.seats_taken:
                raise Conflict(
                    _("%(taken)d seats are taken: the seats for sign-up cannot go below that.")
                    % {"taken": locked.seats_taken},
                    code="has_signups",
                )
        before = snapshot(locked, SESSION_AUDIT)
        for name, value in _session_values(merged).items():
            setattr(locked, name, value)
        locked.save(update_fields=[*SESSION_FIELDS, "updated_at"])
        audit_record(
            actor=by,
            action="events.session_update",
            target=locked,
            before=before,
            after=snapshot(locked, SESSION_AUDIT),
        )
        if capacity is not None and capacity > (before["capacity"] or 0):
            # New seats go to the waiting list at once (the seats part offers them), once this change commits.
            transaction.on_commit(lambda: _offer_new_seats(locked.pk))
    return locked


def _offer_new_seats(session_id: int) -> None:
    from chiptown.events.services.seats import offers_expire

    session = Session.objects.filter(pk=session_id).first()
    if session is not None:
        offers_expire(session=session)


def session_delete(*, session: Session, by: Any) -> None:
    """Delete a session nobody holds a seat in or waits for, and that is not in the published programme (unschedule
    and publish first, so people who chose it are told)."""
    _require_manager(by, session.event)
    with transaction.atomic():
        locked = Session.objects.select_for_update().select_related("event").get(pk=session.pk)
        if locked.seats_taken or _active_signups(locked):
            raise Conflict(
                _("People hold seats or wait for one in this session: it cannot be deleted."), code="has_signups"
            )
        latest = selectors.latest_programme_version(event=locked.event)
        if latest is not None and str(locked.pk) in latest.sessions:
            raise Conflict(
                _(
                    "This session is in the published programme. Unschedule it and publish, so that people who chose "
                    "it are told, before deleting it."
                ),
                code="published",
            )
        audit_record(
            actor=by,
            action="events.session_delete",
            target=locked,
            before=snapshot(locked, (*SESSION_AUDIT, *SCHEDULE_AUDIT)),
        )
        locked.delete()


@dataclass(frozen=True)
class Scheduled:
    """A scheduled session and the clashes it is part of (warnings: the schedule was saved)."""

    session: Session
    warnings: list[Clash]


def session_schedule(
    *, session: Session, room: Room, starts_at: datetime.datetime, ends_at: datetime.datetime, by: Any
) -> Scheduled:
    """Put a session in a room from `starts_at` to `ends_at` (naive times are in the event's zone). Refused: an end
    not after the start, a time outside the event's days, another event's room, more sign-up seats than the room
    has. Clashes with other sessions are returned as warnings."""
    event = session.event
    _require_manager(by, event)
    zone = event.zone
    problems: list[Problem] = []
    if not isinstance(starts_at, datetime.datetime):
        problems.append(Problem(reason=_("Give a start time."), column="starts_at"))
    if not isinstance(ends_at, datetime.datetime):
        problems.append(Problem(reason=_("Give an end time."), column="ends_at"))
    if room is None or room.event_id != event.pk:
        problems.append(Problem(reason=_("Choose one of this event's rooms."), column="room"))
    if not problems:
        starts_at, ends_at = aware(starts_at, zone), aware(ends_at, zone)
        if ends_at <= starts_at:
            problems.append(Problem(reason=_("The session must end after it starts."), column="ends_at"))
        elif not within_days(starts_at, ends_at, first_day=event.starts_on, last_day=event.ends_on, zone=zone):
            problems.append(
                Problem(
                    reason=_("This is outside the event's days (%(days)s, %(zone)s time).")
                    % {"days": _days_text(event.starts_on, event.ends_on), "zone": event.timezone},
                    column="starts_at",
                )
            )
    if problems:
        raise ChipTownError(_("The session cannot be scheduled there."), code="invalid", problems=problems)
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        if locked.capacity is not None and locked.capacity > room.capacity:
            raise ChipTownError(
                _("The session cannot be scheduled there."),
                problems=[
                    Problem(
                        reason=_("%(room)s has %(seats)d seats but %(capacity)d are offered for sign-up.")
                        % {"room": room.display_name, "seats": room.capacity, "capacity": locked.capacity},
                        column="room",
                    )
                ],
            )
        before = snapshot(locked, SCHEDULE_AUDIT)
        locked.room, locked.starts_at, locked.ends_at = room, starts_at, ends_at
        locked.save(update_fields=["room", "starts_at", "ends_at", "updated_at"])
        audit_record(
            actor=by,
            action="events.session_schedule",
            target=locked,
            before=before,
            after=snapshot(locked, SCHEDULE_AUDIT),
        )
    locked.event = event
    warnings = [clash for clash in selectors.programme_warnings(event=event) if locked.pk in clash.session_ids]
    return Scheduled(session=locked, warnings=warnings)


def session_unschedule(*, session: Session, by: Any) -> Session:
    """Take a session out of the grid (it keeps its content, speakers and sign-ups)."""
    _require_manager(by, session.event)
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        before = snapshot(locked, SCHEDULE_AUDIT)
        locked.room, locked.starts_at, locked.ends_at = None, None, None
        locked.save(update_fields=["room", "starts_at", "ends_at", "updated_at"])
        audit_record(
            actor=by,
            action="events.session_unschedule",
            target=locked,
            before=before,
            after=snapshot(locked, SCHEDULE_AUDIT),
        )
    return locked


def session_speakers_set(*, session: Session, speakers: Sequence[tuple[Speaker, str]], by: Any) -> list[SessionSpeaker]:
    """The session's speakers and moderators, in this order (replacing the ones it had). Each is one of the
    event's speakers, once."""
    _require_manager(by, session.event)
    problems: list[Problem] = []
    seen: set[int] = set()
    for speaker, role in speakers:
        if not isinstance(speaker, Speaker) or speaker.event_id != session.event_id:
            problems.append(Problem(reason=_("Choose speakers invited to this event."), column="speakers"))
        elif speaker.pk in seen:
            problems.append(
                Problem(
                    reason=_("%(name)s is listed twice.") % {"name": speaker.person.display_name}, column="speakers"
                )
            )
        else:
            seen.add(speaker.pk)
        if role not in SpeakerRole.values:
            problems.append(Problem(reason=_("Choose speaker, moderator or panellist."), column="speakers"))
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        locked = Session.objects.select_for_update().get(pk=session.pk)
        before = list(
            SessionSpeaker.objects.filter(session=locked).order_by("position", "pk").values_list("speaker_id", "role")
        )
        SessionSpeaker.objects.filter(session=locked).delete()
        rows = SessionSpeaker.objects.bulk_create(
            [
                SessionSpeaker(session=locked, speaker=speaker, role=role, position=position)
                for position, (speaker, role) in enumerate(speakers)
            ]
        )
        Session.objects.filter(pk=locked.pk).update(updated_at=timezone.now())
        audit_record(
            actor=by,
            action="events.session_speakers_set",
            target=locked,
            before={"speakers": [list(pair) for pair in before]},
            after={"speakers": [[speaker.pk, role] for speaker, role in speakers]},
        )
    return rows


# --- Publishing ---------------------------------------------------------------------------------------------------

PROGRAMME_EMAILS_JOB_KIND = "events.programme_emails"
PROGRAMME_CHANGED_SUBJECT = gettext_noop("The conference programme has changed")


def programme_emails_job_kind(version_id: int) -> str:
    return f"{PROGRAMME_EMAILS_JOB_KIND}.{version_id}"


def programme_emails_job(*, version: ProgrammeVersion) -> Job | None:
    """The job telling people about a version's changes."""
    return Job.objects.filter(kind=programme_emails_job_kind(version.pk)).order_by("-created_at").first()


def programme_publish(*, event: Event, by: Any) -> ProgrammeVersion:
    """Publish the live programme as the next version: a snapshot of every scheduled session and what changed
    against the last version. Refused when nothing changed. Once it commits, a background job (a core Job, see
    programme_emails_job) tells everyone whose agenda holds a changed session."""
    from chiptown.events.tasks import tell_programme_changes

    _require_manager(by, event)
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        latest = selectors.latest_programme_version(event=locked)
        previous: versions.Schedule = latest.sessions if latest is not None else {}
        schedule = selectors.programme_schedule(event=locked)
        if latest is None and not schedule:
            raise Conflict(_("No session is scheduled yet: there is nothing to publish."), code="nothing_to_publish")
        if latest is not None and versions.same(previous, schedule):
            raise Conflict(
                _("Nothing has changed since version %(number)d was published.") % {"number": latest.number},
                code="nothing_to_publish",
            )
        changes = versions.diff(previous, schedule)
        now = timezone.now()
        version = ProgrammeVersion.objects.create(
            event=locked,
            number=locked.programme_version + 1,
            published_by=by if getattr(by, "is_authenticated", False) else None,
            sessions=schedule,
            changes=changes,
        )
        before = {
            "programme_version": locked.programme_version,
            "programme_published_at": locked.programme_published_at,
        }
        locked.programme_version, locked.programme_published_at = version.number, now
        locked.save(update_fields=["programme_version", "programme_published_at"])
        audit_record(
            actor=by,
            action="events.programme_publish",
            target=locked,
            before=before,
            after={
                "programme_version": version.number,
                "programme_published_at": now,
                "sessions": len(schedule),
                "changes": len(changes),
            },
        )
        # Queued now, run only if the version commits: a publication that fails tells nobody.
        if changes:
            job = job_create(
                kind=programme_emails_job_kind(version.pk),
                title=_("Programme changes of %(event)s, version %(number)d")
                % {"event": locked.display_name, "number": version.number},
                by=by,
            )
            job_id, version_id, language = str(job.pk), version.pk, translation.get_language() or ""
            transaction.on_commit(
                lambda: tell_programme_changes.enqueue(job_id=job_id, version_id=version_id, language=language)
            )
    event.programme_version, event.programme_published_at = version.number, now
    return version


def _programme_url(event: Event) -> str:
    try:
        path = reverse("events:programme", args=[event.slug])
    except NoReverseMatch:
        return ""
    return absolute_url(path)


def _emails_progress(done: int, total: int) -> str:
    return _("Telling people about the changes: %(done)d of %(total)d") % {"done": done, "total": total}


def programme_notify(*, version: ProgrammeVersion, progress: Progress | None = None) -> dict[str, int]:
    """One email per person whose agenda (sessions they added, or hold a seat or an offer in) holds a session this
    version changed, in their language, listing those sessions with old → new time and room. Records how many were
    told on the version; returns how many people were concerned and how many emails went out."""
    from chiptown.accounts.models import User

    event = Event.objects.get(pk=version.event_id)
    changed = versions.changed_sessions(version.changes)
    # The agenda as selectors.agenda_sessions defines it, for every changed session at once.
    concerned = Q(registration__event=event, registration__status=RegistrationStatus.CONFIRMED, session_id__in=changed)
    sessions_of: dict[int, set[int]] = {}
    pairs = list(AgendaItem.objects.filter(concerned).values_list("registration__user_id", "session_id")) + list(
        Signup.objects.filter(concerned, status__in=[SignupStatus.CONFIRMED, SignupStatus.OFFERED]).values_list(
            "registration__user_id", "session_id"
        )
    )
    for user_id, session_id in pairs:
        sessions_of.setdefault(user_id, set()).add(session_id)
    users = list(User.objects.filter(pk__in=sessions_of, is_active=True).order_by("pk"))
    rooms = list(Room.objects.filter(event=event))
    speakers = list(Speaker.objects.filter(event=event).select_related("person"))
    by_session = versions.changes_by_session(version.changes)
    order = {session_id: position for position, session_id in enumerate(changed)}
    programme_url = _programme_url(event)
    sent = 0
    for done, user in enumerate(users):
        if progress is not None:
            progress(done * 100 // max(len(users), 1), _emails_progress(done, len(users)))
        with translation.override(getattr(user, "language", "") or settings.LANGUAGE_CODE):
            room_names = {room.pk: room.display_name for room in rooms}
            speaker_names = {speaker.pk: speaker.person.display_name for speaker in speakers}
            lines: list[str] = []
            for session_id in sorted(sessions_of[user.pk], key=lambda pk: order.get(pk, 0)):
                lines += programme_text.session_summary(
                    by_session.get(session_id, []),
                    entry=version.sessions.get(str(session_id)),
                    rooms=room_names,
                    speakers=speaker_names,
                    zone=event.zone,
                )
        if not lines:
            continue
        sent += notify(
            users=[user],
            subject=PROGRAMME_CHANGED_SUBJECT,
            template="events/email/programme_changed.txt",
            context={"event": event, "version": version, "lines": lines, "programme_url": programme_url},
        )
    ProgrammeVersion.objects.filter(pk=version.pk).update(notified=sent)
    version.notified = sent
    if progress is not None:
        progress(100, _emails_progress(len(users), len(users)))
    return {"people": len(users), "emails": sent}
