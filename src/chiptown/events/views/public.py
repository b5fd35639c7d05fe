"""The public programme: the events index, the published programme by day (by time, track or room), session and
speaker pages, the printable PDF, and the iCal feeds of the whole programme and of a person's own agenda.

The public sees the latest published version only (selectors.published_programme): a session or speaker not in
it is a 404. Operators also see draft sessions and any speaker of the event, under a "not published" banner."""

import datetime
import hmac
from dataclasses import dataclass, field

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from chiptown.core.addresses import absolute_url
from chiptown.core.errors import ChipTownError, NotFound, Problem
from chiptown.core.i18n import join_list
from chiptown.events import badges, calendars, printouts, selectors
from chiptown.events.models import (
    AgendaItem,
    Event,
    Material,
    Registration,
    RegistrationStatus,
    Session,
    SessionKind,
    Speaker,
)
from chiptown.events.selectors import (
    ProgrammeDay,
    ProgrammeRoom,
    ProgrammeTrack,
    PublishedProgramme,
    PublishedSession,
)
from chiptown.events.views.lookups import event_or_404

GROUPINGS = ("time", "track", "room")


class EventSlugConverter:
    """An event's short name in URLs, never the operators' "manage" pages (so /events/manage/ is not an event)."""

    regex = r"(?!manage(?:/|$))[-a-zA-Z0-9_]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


@dataclass
class SessionGroup:
    """A block of the programme page: the sessions starting at one time, or those of one track or room."""

    sessions: list[PublishedSession] = field(default_factory=list)
    starts_at: datetime.datetime | None = None
    track: ProgrammeTrack | None = None
    room: ProgrammeRoom | None = None


def _can_manage(request: HttpRequest) -> bool:
    return bool(request.user.has_perm("events.manage"))


def _published_or_404(event: Event) -> PublishedProgramme:
    programme = selectors.published_programme(event=event)
    if programme is None:
        raise NotFound(_("The programme of this event is not published yet."))
    return programme


# --- The events index --------------------------------------------------------------------------------------------


@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    """Upcoming events first (soonest first), then past ones (latest first)."""
    today = timezone.localdate()
    events = list(selectors.events_listed())
    return render(
        request,
        "events/public/event_list.html",
        {
            "upcoming": sorted((e for e in events if e.ends_on >= today), key=lambda e: e.starts_on),
            "past": [e for e in events if e.ends_on < today],
            "can_manage": _can_manage(request),
        },
    )


# --- The programme -----------------------------------------------------------------------------------------------


def _chosen_day(request: HttpRequest, programme: PublishedProgramme) -> ProgrammeDay:
    """The day asked for (?day=N, 1 for the first day); without one, today while the event runs, else day 1."""
    text = request.GET.get("day", "").strip()
    if not text:
        today = timezone.localdate(timezone=programme.event.zone)
        return next((day for day in programme.days if day.date == today), programme.days[0])
    try:
        number = int(text)
    except ValueError:
        raise ChipTownError(
            _("Choose a day by its number, e.g. day=2."),
            problems=[Problem(reason=_("Give a whole number."), column="day")],
        ) from None
    day = programme.day(number)
    if day is None:
        raise NotFound(_("This event has no day %(day)s.") % {"day": number})
    return day


def _chosen(request: HttpRequest, name: str, allowed: tuple[str, ...], default: str = "") -> str:
    value = request.GET.get(name, "").strip()
    if value and value not in allowed:
        raise ChipTownError(
            _("%(value)s is not a choice here; choose one of %(choices)s.")
            % {"value": value, "choices": join_list(allowed)},
            problems=[Problem(reason=_("Not one of the choices."), column=name)],
        )
    return value or default


def _groups(sessions: list[PublishedSession], grouping: str, programme: PublishedProgramme) -> list[SessionGroup]:
    if grouping == "track":
        by_track = {track.pk: SessionGroup(track=track) for track in programme.tracks}
        no_track = SessionGroup()
        for session in sessions:
            (by_track[session.track.pk] if session.track else no_track).sessions.append(session)
        return [group for group in [*by_track.values(), no_track] if group.sessions]
    if grouping == "room":
        by_room = {room.pk: SessionGroup(room=room) for room in programme.rooms}
        no_room = SessionGroup()
        for session in sessions:
            (by_room[session.room.pk] if session.room else no_room).sessions.append(session)
        return [group for group in [*by_room.values(), no_room] if group.sessions]
    groups: list[SessionGroup] = []
    for session in sessions:  # already in start order
        if not groups or groups[-1].starts_at != session.starts_at:
            groups.append(SessionGroup(starts_at=session.starts_at))
        groups[-1].sessions.append(session)
    return groups


def link_bases(event: Event) -> dict[str, str]:
    """Where the event's session and speaker pages live (this module's own patterns, <slug>/sessions/<pk>/ and
    <slug>/speakers/<pk>/), so that a page listing a hundred sessions need not reverse three hundred URLs."""
    programme_path = reverse("events:programme", args=[event.slug])
    return {"sessions_base": f"{programme_path}sessions/", "speakers_base": f"{programme_path}speakers/"}


def _feed_links(event: Event) -> dict[str, str]:
    ical = absolute_url(reverse("events:ical", args=[event.slug]))
    return {"ical_url": ical, "webcal_url": calendars.webcal_url(ical)}


@require_GET
def programme(request: HttpRequest, slug: str) -> HttpResponse:
    """The published programme, one day at a time, by start time (default), track or room; filter by type."""
    event = event_or_404(slug)
    published = selectors.published_programme(event=event)
    grouping = _chosen(request, "view", GROUPINGS, "time")
    kind = _chosen(request, "kind", tuple(SessionKind.values))
    context: dict[str, object] = {
        "event": event,
        "programme": published,
        "grouping": grouping,
        "kind": kind,
        "can_manage": _can_manage(request),
    }
    if published is not None:
        day = _chosen_day(request, published)
        sessions = [s for s in day.sessions if not kind or s.kind == kind]
        present = {s.kind for s in published.sessions}
        context.update(
            {
                "day": day,
                "groups": _groups(sessions, grouping, published),
                "kinds": [(value, label) for value, label in SessionKind.choices if value in present],
                "session_count": len(sessions),
                **_feed_links(event),
                **link_bases(event),
            }
        )
    return render(request, "events/public/programme.html", context)


# --- A session ---------------------------------------------------------------------------------------------------


@require_GET
def session(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A session as published: time in the event's zone, room, track, abstract, speakers; the seat box for
    sessions with sign-up, the personal-agenda button, materials for admitted people, the feedback link after it
    ended. Operators may preview a session that is not published (yet)."""
    event = event_or_404(slug)
    published = selectors.published_programme(event=event)
    shown = published.session(pk) if published else None
    live = Session.objects.select_related("event").filter(event=event, pk=pk).first()
    if shown is None:
        if live is None or not _can_manage(request):
            raise Http404(_("No such session in the published programme."))
        shown = selectors.session_preview(session=live)
    registration = selectors.registration_for(event=event, user=request.user)
    active = registration if registration is not None and registration.is_active else None
    admitted = live is not None and selectors.is_admitted(session=live, user=request.user)
    return render(
        request,
        "events/public/session.html",
        {
            "event": event,
            "session": shown,
            "programme": published,
            "registration": active,
            "in_agenda": active is not None and AgendaItem.objects.filter(registration=active, session_id=pk).exists(),
            "admitted": admitted,
            "materials": list(Material.objects.filter(session_id=pk)) if admitted else [],
            "ended": shown.scheduled and shown.ends_at <= timezone.now(),
            "can_manage": _can_manage(request),
        },
    )


# --- Speakers ----------------------------------------------------------------------------------------------------


@require_GET
def speakers(request: HttpRequest, slug: str) -> HttpResponse:
    """The accepted speakers of the published programme, by name."""
    event = event_or_404(slug)
    published = selectors.published_programme(event=event)
    talks: dict[int, int] = {}
    for published_session in published.sessions if published else ():
        for line in published_session.speakers:
            talks[line.speaker.pk] = talks.get(line.speaker.pk, 0) + 1
    return render(
        request,
        "events/public/speakers.html",
        {
            "event": event,
            "programme": published,
            "speakers": [(speaker, talks[speaker.pk]) for speaker in published.speakers] if published else [],
            "can_manage": _can_manage(request),
            **link_bases(event),
        },
    )


@require_GET
def speaker(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A speaker's biography, photo, organisation and published sessions."""
    event = event_or_404(slug)
    published = selectors.published_programme(event=event)
    shown = published.speaker(pk) if published else None
    preview = False
    if shown is None:
        row = Speaker.objects.select_related("person__organisation").filter(event=event, pk=pk).first()
        if row is None or not _can_manage(request):
            raise Http404(_("No such speaker in the published programme."))
        shown, preview = selectors.speaker_preview(speaker=row), True
    return render(
        request,
        "events/public/speaker.html",
        {
            "event": event,
            "programme": published,
            "speaker": shown,
            "preview": preview,
            "sessions": published.sessions_of(shown) if published else [],
            "can_manage": _can_manage(request),
            **link_bases(event),
        },
    )


# --- Printable programme and calendar feeds ------------------------------------------------------------------------


@require_GET
def programme_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The published programme as an A4 PDF, day by day, in the reader's language."""
    published = _published_or_404(event_or_404(slug))
    response = HttpResponse(printouts.programme_pdf(programme=published), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{printouts.programme_filename(published)}"'
    return response


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=calendars.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def ical(request: HttpRequest, slug: str) -> HttpResponse:
    """Every published session as an iCalendar feed (subscribe with webcal://, or import once)."""
    published = _published_or_404(event_or_404(slug))
    etag = f'"{calendars.programme_fingerprint(published)}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    response = _calendar_response(
        calendars.programme_calendar(programme=published), calendars.calendar_filename(published.event)
    )
    response["ETag"] = etag
    return response


def _feed_registration(event: Event, token: str) -> Registration:
    """The registration a feed token names, if the token is genuine, its nonce is the registration's current one
    (a cancelled-and-renewed registration's old address stops working) and the registration stands."""
    found = badges.agenda_feed_token_read(token)
    refused = Http404(_("This calendar address is not valid (any more)."))
    if found is None:
        raise refused
    registration_id, nonce = found
    registration = Registration.objects.filter(pk=registration_id, event=event).first()
    if registration is None or not hmac.compare_digest(registration.badge_nonce, nonce):
        raise refused
    if registration.status in (RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED):
        raise refused
    return registration


@require_GET
def agenda_ical(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """A person's own agenda as an iCalendar feed: the sessions they chose or hold a seat in, as published.
    Calendar programs cannot log in, so the address itself is the secret (badges.agenda_feed_token)."""
    event = event_or_404(slug)
    registration = _feed_registration(event, token)
    published = selectors.published_programme(event=event)
    chosen = set(selectors.agenda_sessions(registration=registration).values_list("pk", flat=True))
    sessions = [s for s in published.sessions if s.pk in chosen] if published else []
    content = calendars.agenda_calendar(
        event=event,
        programme=published,
        sessions=sessions,
        name=_("My agenda: %(event)s") % {"event": event.display_name},
    )
    return _calendar_response(content, calendars.calendar_filename(event, "agenda"))
