"""iCalendar (RFC 5545) files of the published programme: the whole event's feed and a person's own agenda.

Times are written in the event's time zone with its VTIMEZONE, so a calendar program shows 09:00 in Shanghai as
09:00 Shanghai time wherever it is. Each session keeps one UID across versions (`session-<id>@<host>`) and its
SEQUENCE is the programme version, so re-importing or refreshing a subscription updates events in place rather
than duplicating them. Links and the UID host come from settings.SITE_URL, never from a request's Host header.
"""

import datetime
import hashlib
from collections.abc import Iterable
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from chiptown.core.addresses import absolute_url
from chiptown.core.i18n import join_list
from chiptown.events.models import Event
from chiptown.events.selectors import PublishedProgramme, PublishedSession

CONTENT_TYPE = "text/calendar; charset=utf-8"
CACHE_SECONDS = 24 * 3600
PRODID = "-//ChipTown//Conference programme//EN"


def site_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "chiptown.invalid"


def webcal_url(url: str) -> str:
    """The address calendar programs subscribe to (webcal:// opens the calendar app instead of downloading)."""
    scheme, rest = url.split("://", 1) if "://" in url else ("", url)
    return f"webcal://{rest}" if scheme in {"http", "https"} else url


def session_uid(session: PublishedSession) -> str:
    return f"session-{session.pk}@{site_host()}"


def session_location(session: PublishedSession, venue: str) -> str:
    parts = [session.room_name, session.room.building if session.room else "", venue]
    return join_list(part for part in parts if part)


def session_description(session: PublishedSession) -> str:
    """The abstract, then who speaks: "Speakers: Li Ming (Moderator), ..." in the reader's language."""
    paragraphs = [session.abstract] if session.abstract else []
    if session.speakers:
        people = join_list(
            _("%(name)s (%(role)s, %(organisation)s)")
            % {"name": line.name, "role": line.role_label, "organisation": line.speaker.organisation}
            if line.speaker.organisation
            else _("%(name)s (%(role)s)") % {"name": line.name, "role": line.role_label}
            for line in session.speakers
        )
        paragraphs.append(_("Speakers: %(people)s") % {"people": people})
    if session.closed_door:
        paragraphs.append(_("Closed door: by invitation only."))
    return "\n\n".join(paragraphs)


def calendar_time(moment: datetime.datetime, zone: datetime.tzinfo) -> datetime.datetime:
    """A time as the calendar writes it: wall-clock time in the event's zone (with its TZID), except the rare wall
    time that a daylight-saving change makes ambiguous or skips, which is written in UTC so no program misreads
    it. Calendars count whole seconds."""
    local = moment.astimezone(zone).replace(microsecond=0)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return local.astimezone(datetime.UTC)
    return local


def _vevent(programme: PublishedProgramme, session: PublishedSession) -> icalendar.Event:
    event = programme.event
    zone = event.zone
    vevent = icalendar.Event()
    vevent.add("uid", session_uid(session))
    vevent.add("dtstamp", programme.published_at.astimezone(datetime.UTC))
    vevent.add("sequence", programme.version)
    vevent.add("dtstart", calendar_time(session.starts_at, zone))
    vevent.add("dtend", calendar_time(session.ends_at, zone))
    vevent.add("summary", session.title)
    location = session_location(session, event.venue)
    if location:
        vevent.add("location", location)
    description = session_description(session)
    if description:
        vevent.add("description", description)
    vevent.add("url", absolute_url(reverse("events:session", args=[event.slug, session.pk])))
    vevent.add("categories", [c for c in (session.kind_label, session.track_name) if c])
    vevent.add("status", "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    if session.closed_door:
        vevent.add("class", "CONFIDENTIAL")
    return vevent


def _calendar(event: Event, name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name or event.display_name)
    calendar.add("x-wr-timezone", event.timezone)
    # Subscribed calendars refresh hourly: a moved session reaches people's phones the same morning.
    calendar.add("refresh-interval", datetime.timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    return calendar


def _with_sessions(
    calendar: icalendar.Calendar, programme: PublishedProgramme, sessions: Iterable[PublishedSession]
) -> bytes:
    for session in sessions:
        calendar.add_component(_vevent(programme, session))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def programme_fingerprint(programme: PublishedProgramme) -> str:
    """A digest of everything the programme feed shows, in the active language: equal digests, equal feeds.
    Serves as the feed's cache key and ETag (calendar programs poll subscriptions every hour)."""
    event = programme.event
    shown = (
        translation.get_language(),
        settings.SITE_URL,
        event.slug,
        event.display_name,
        event.venue,
        event.timezone,
        programme.version,
        programme.published_at.isoformat(),
        programme.sessions,
    )
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def programme_calendar(*, programme: PublishedProgramme) -> bytes:
    """Every published session as an RFC 5545 calendar, with the VTIMEZONE of the event's zone. Building it
    costs a few hundred milliseconds at 300 sessions, so it is cached under its fingerprint."""
    key = "events:programme-ics:" + programme_fingerprint(programme)
    cached = cache.get(key)
    if isinstance(cached, bytes):
        return cached
    content = _with_sessions(_calendar(programme.event, ""), programme, programme.sessions)
    cache.set(key, content, CACHE_SECONDS)
    return content


def agenda_calendar(
    *, event: Event, programme: PublishedProgramme | None, sessions: Iterable[PublishedSession], name: str
) -> bytes:
    """A person's chosen sessions (from the published programme) as a calendar. Before the programme is published
    it is a valid calendar with no events, so a subscription made early keeps working and fills in later."""
    calendar = _calendar(event, name)
    if programme is None:
        return bytes(calendar.to_ical())
    return _with_sessions(calendar, programme, sessions)


def calendar_filename(event: Event, suffix: str = "programme") -> str:
    return f"{event.slug}-{suffix}.ics"
