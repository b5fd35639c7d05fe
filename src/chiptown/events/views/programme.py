"""The operators' programme pages: the list of events and the form for a new one, an event's hub, its rooms and
tracks, the programme editor (a grid of rooms by time, one day at a time, with clash warnings), the full session
form, publishing a version and the list of versions.

Plain function views: parse with a form, read through selectors, write through services.programme (which checks
permission again and audits). Field problems go back into the form; refusals become 403 pages. HTMX requests get
the fragment they replace; problems come back as 4xx fragments that events/programme.js lets HTMX show."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chiptown.core.errors import ChipTownError, PermissionDenied
from chiptown.core.forms import show_problems
from chiptown.core.i18n import join_list
from chiptown.core.rules import require
from chiptown.events import forms_programme as forms
from chiptown.events import grid, programme_text, selectors, versions
from chiptown.events.clashes import Clash
from chiptown.events.models import Event, ProgrammeVersion, Room, Session, SessionSpeaker, Speaker, Track
from chiptown.events.services import programme as services
from chiptown.events.views.lookups import event_or_404, session_or_404


def _require_manager(request: HttpRequest, event: Event | None = None) -> None:
    require(request.user, "events.manage", event, _("Only conference operators may see this page."))


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _refusal(form: Any, error: ChipTownError, aliases: dict[str, str] | None = None) -> None:
    if isinstance(error, PermissionDenied):
        raise error
    show_problems(form, error, aliases)


# --- The list of events and a new event ---------------------------------------------------------------------------


@login_required
@require_GET
def manage_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return render(
        request,
        "events/manage/list.html",
        {"events": list(selectors.events_listed()), "form": forms.EventForm()},
    )


def _event_form_page(
    request: HttpRequest, form: forms.EventForm, event: Event | None, status: int = 200
) -> HttpResponse:
    return render(request, "events/manage/event_form.html", {"form": form, "event": event}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event_new(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    if request.method != "POST":
        return _event_form_page(request, forms.EventForm(), None)
    form = forms.EventForm(request.POST)
    if form.is_valid():
        try:
            event = services.event_create(by=request.user, **form.values())
        except ChipTownError as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("Event created. Add its rooms and tracks next."))
            return redirect("events:manage", event.slug)
    return _event_form_page(request, form, None, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    if request.method != "POST":
        return _event_form_page(request, forms.EventForm(event=event), event)
    form = forms.EventForm(request.POST, event=event)
    if form.is_valid():
        try:
            updated = services.event_update(event=event, by=request.user, values=form.values())
        except ChipTownError as exc:
            _refusal(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("events:manage", updated.slug)
    return _event_form_page(request, form, event, status=400)


# --- The event's hub ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HubLink:
    url: str
    label: str
    description: str


# The operators' pages of every part, in the order the hub lists them; pages not built yet are left out.
HUB_PAGES: tuple[tuple[str, Any, Any], ...] = (
    ("events:event_edit", gettext_lazy("Event details"), gettext_lazy("Names, days, time zone and venue.")),
    ("events:rooms", gettext_lazy("Rooms and tracks"), gettext_lazy("Where sessions take place, and their themes.")),
    (
        "events:editor",
        gettext_lazy("Programme editor"),
        gettext_lazy("Place sessions in rooms and times; see clashes."),
    ),
    ("events:session_new", gettext_lazy("New session"), gettext_lazy("Title, abstract, speakers, seats, NDA.")),
    (
        "events:publish",
        gettext_lazy("Publish the programme"),
        gettext_lazy("Make the changes public and tell the people concerned."),
    ),
    ("events:versions", gettext_lazy("Published versions"), gettext_lazy("Every version and what it changed.")),
    (
        "events:speakers_manage",
        gettext_lazy("Speakers"),
        gettext_lazy("Invitations, answers, missing bios and slides."),
    ),
    ("events:registrations", gettext_lazy("Registrations"), gettext_lazy("Approve, find and badge attendees.")),
    (
        "events:registration_form",
        gettext_lazy("Registration settings"),
        gettext_lazy("Open or close registration, approval, the form's own questions."),
    ),
    ("events:checkin", gettext_lazy("Check-in"), gettext_lazy("Scan badges at the door.")),
    ("events:figures", gettext_lazy("Live figures"), gettext_lazy("Registered, checked in, per session.")),
    ("events:feedback_results", gettext_lazy("Feedback"), gettext_lazy("What attendees thought of each session.")),
)


def hub_links(event: Event) -> list[HubLink]:
    return [
        HubLink(url=reverse(name, args=[event.slug]), label=str(label), description=str(description))
        for name, label, description in HUB_PAGES
    ]


@login_required
@require_GET
def manage(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    latest = selectors.latest_programme_version(event=event)
    return render(
        request,
        "events/manage/hub.html",
        {
            "event": event,
            "links": hub_links(event),
            "latest": latest,
            "counts": {
                "rooms": Room.objects.filter(event=event).count(),
                "sessions": Session.objects.filter(event=event).count(),
            },
            "public_url": _public_url(event),
        },
    )


def _public_url(event: Event) -> str:
    try:
        return reverse("events:programme", args=[event.slug])
    except NoReverseMatch:
        return ""


# --- Rooms and tracks ---------------------------------------------------------------------------------------------


def _places_context(
    event: Event,
    *,
    room_form: forms.RoomForm | None = None,
    track_form: forms.TrackForm | None = None,
    edited: tuple[str, int, Any] | None = None,
    error: str = "",
    error_section: str = "",
) -> dict[str, Any]:
    rooms = list(Room.objects.filter(event=event).order_by("position", "pk"))
    tracks = list(Track.objects.filter(event=event).order_by("position", "pk"))
    kind, edited_pk, edited_form = edited or ("", 0, None)
    return {
        "event": event,
        "rooms": [
            (
                room,
                edited_form
                if kind == "room" and room.pk == edited_pk
                else forms.RoomForm(room=room, prefix=f"room{room.pk}"),
            )
            for room in rooms
        ],
        "tracks": [
            (
                track,
                edited_form
                if kind == "track" and track.pk == edited_pk
                else forms.TrackForm(track=track, prefix=f"track{track.pk}"),
                grid.track_class(track.colour),
            )
            for track in tracks
        ],
        "room_form": room_form or forms.RoomForm(prefix="new-room"),
        "track_form": track_form or forms.TrackForm(prefix="new-track"),
        "edited": edited_pk if kind else 0,
        "error": error,
        "error_section": error_section,
    }


def _places_answer(request: HttpRequest, event: Event, section: str, status: int = 200, **context: Any) -> HttpResponse:
    """The rooms (or tracks) section for HTMX, the whole page otherwise."""
    full = _places_context(event, **context)
    if _is_htmx(request):
        return render(request, f"events/manage/_{section}.html", full, status=status)
    if status == 200:
        return redirect("events:rooms", event.slug)
    return render(request, "events/manage/rooms.html", full, status=status)


@login_required
@require_GET
def rooms(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    return render(request, "events/manage/rooms.html", _places_context(event))


def _room_of(event: Event, pk: int) -> Room:
    room = Room.objects.select_related("event").filter(event=event, pk=pk).first()
    if room is None:
        raise Http404(_("No such room."))
    return room


def _track_of(event: Event, pk: int) -> Track:
    track = Track.objects.select_related("event").filter(event=event, pk=pk).first()
    if track is None:
        raise Http404(_("No such track."))
    return track


@login_required
@require_POST
def room_add(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    form = forms.RoomForm(request.POST, prefix="new-room")
    if form.is_valid():
        try:
            services.room_create(event=event, by=request.user, **form.values())
        except ChipTownError as exc:
            _refusal(form, exc)
        else:
            return _places_answer(request, event, "rooms")
    return _places_answer(request, event, "rooms", status=400, room_form=form)


@login_required
@require_POST
def room_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    room = _room_of(event, pk)
    form = forms.RoomForm(request.POST, room=room, prefix=f"room{room.pk}")
    if form.is_valid():
        try:
            services.room_update(room=room, by=request.user, values=form.values())
        except ChipTownError as exc:
            _refusal(form, exc)
        else:
            return _places_answer(request, event, "rooms")
    return _places_answer(request, event, "rooms", status=400, edited=("room", room.pk, form))


@login_required
@require_POST
def room_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    room = _room_of(event, pk)
    try:
        services.room_delete(room=room, by=request.user)
    except ChipTownError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        return _places_answer(request, event, "rooms", status=exc.status, error=exc.message, error_section="rooms")
    return _places_answer(request, event, "rooms")


@login_required
@require_POST
def track_add(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    form = forms.TrackForm(request.POST, prefix="new-track")
    if form.is_valid():
        try:
            services.track_create(event=event, by=request.user, **form.values())
        except ChipTownError as exc:
            _refusal(form, exc)
        else:
            return _places_answer(request, event, "tracks")
    return _places_answer(request, event, "tracks", status=400, track_form=form)


@login_required
@require_POST
def track_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    track = _track_of(event, pk)
    form = forms.TrackForm(request.POST, track=track, prefix=f"track{track.pk}")
    if form.is_valid():
        try:
            services.track_update(track=track, by=request.user, values=form.values())
        except ChipTownError as exc:
            _refusal(form, exc)
        else:
            return _places_answer(request, event, "tracks")
    return _places_answer(request, event, "tracks", status=400, edited=("track", track.pk, form))


@login_required
@require_POST
def track_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    services.track_delete(track=_track_of(event, pk), by=request.user)
    return _places_answer(request, event, "tracks")


# --- The programme editor -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridSession:
    session: Session
    classes: str
    speakers: str


@dataclass(frozen=True)
class ClashLine:
    sentence: str
    session_ids: tuple[int, ...]


def _session_speakers(event: Event) -> dict[int, list[SessionSpeaker]]:
    by_session: dict[int, list[SessionSpeaker]] = {}
    for row in (
        SessionSpeaker.objects.filter(session__event=event)
        .select_related("speaker__person")
        .order_by("session_id", "position", "pk")
    ):
        by_session.setdefault(row.session_id, []).append(row)
    return by_session


def _labels(sessions: list[Session], rooms: dict[int, Room]) -> dict[int, programme_text.SessionLabel]:
    return {
        s.pk: programme_text.SessionLabel(
            title=s.display_title,
            room=rooms[s.room_id].display_name if s.room_id in rooms else "",
            starts_at=s.starts_at,
            ends_at=s.ends_at,
        )
        for s in sessions
    }


def clash_lines(
    event: Event,
    clashes: list[Clash],
    *,
    sessions: list[Session],
    rooms: dict[int, Room],
    speakers: dict[int, str],
) -> list[ClashLine]:
    labels = _labels(sessions, rooms)
    room_names = {pk: room.display_name for pk, room in rooms.items()}
    return [
        ClashLine(
            sentence=programme_text.clash_sentence(
                clash,
                sessions=labels,
                rooms=room_names,
                speakers=speakers,
                zone=event.zone,
                first_day=event.starts_on,
                last_day=event.ends_on,
            ),
            session_ids=clash.session_ids,
        )
        for clash in clashes
    ]


def _day_number(event: Event, value: Any, session: Session | None = None) -> int:
    days = services.event_days(event)
    if session is not None and session.starts_at is not None:
        local = session.starts_at.astimezone(event.zone).date()
        if local in days:
            return days.index(local) + 1
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= len(days) else 1


def editor_context(event: Event, day: int) -> dict[str, Any]:
    """Everything the editor's grid, unscheduled list and clash panel show, in a constant number of queries."""
    days = services.event_days(event)
    date = days[day - 1]
    zone = event.zone
    rooms = list(Room.objects.filter(event=event).order_by("position", "pk"))
    rooms_by_pk = {room.pk: room for room in rooms}
    sessions = list(Session.objects.filter(event=event).select_related("track").order_by("starts_at", "pk"))
    speakers_of = _session_speakers(event)
    speaker_names = {row.speaker_id: row.speaker.person.display_name for rows in speakers_of.values() for row in rows}
    clashes = selectors.programme_warnings(event=event)
    clashing = {session_id for clash in clashes for session_id in clash.session_ids}
    scheduled = [s for s in sessions if s.is_scheduled]
    layout = grid.layout_day(
        [
            grid.Item(session_id=s.pk, room_id=s.room_id, starts_at=s.starts_at, ends_at=s.ends_at)
            for s in scheduled
            if s.room_id is not None and s.starts_at is not None and s.ends_at is not None
        ],
        room_columns={room.pk: index for index, room in enumerate(rooms[: grid.MAX_ROOM_COLUMNS])},
        day=date,
        zone=zone,
    )
    by_pk = {s.pk: s for s in sessions}

    def grid_session(placed: grid.Placed) -> GridSession:
        session = by_pk[placed.session_id]
        classes = [placed.classes, grid.track_class(session.track.colour if session.track else None)]
        classes += [f"kind-{session.kind}", "clash" if session.pk in clashing else ""]
        return GridSession(
            session=session,
            classes=" ".join(classes).strip(),
            speakers=join_list(row.speaker.person.display_name for row in speakers_of.get(session.pk, [])),
        )

    placed = [grid_session(p) for p in layout.placed]
    elsewhere = [s for s in scheduled if s.starts_at is not None and s.starts_at.astimezone(zone).date() not in days]
    return {
        "event": event,
        "days": [(number, value) for number, value in enumerate(days, start=1)],
        "day": day,
        "date": date,
        "rooms": [(grid.FIRST_COLUMN + index, room) for index, room in enumerate(rooms[: grid.MAX_ROOM_COLUMNS])],
        "layout": layout,
        "cells": [
            (f"pg-c{grid.FIRST_COLUMN + index} {band.classes}")
            for index in range(min(len(rooms), grid.MAX_ROOM_COLUMNS))
            for band in layout.bands
        ],
        "placed": placed,
        "unscheduled": [s for s in sessions if not s.is_scheduled],
        "elsewhere": elsewhere,
        "clashes": clash_lines(event, clashes, sessions=sessions, rooms=rooms_by_pk, speakers=speaker_names),
        "clashing": clashing,
        "speakers_of": speakers_of,
    }


def _slot_form(event: Event, session: Session, data: Any = None, day: int = 1) -> forms.SlotForm:
    rooms = list(Room.objects.filter(event=event).order_by("position", "pk"))
    speakers = list(Speaker.objects.filter(event=event).select_related("person"))
    current = list(
        SessionSpeaker.objects.filter(session=session).order_by("position", "pk").values_list("speaker_id", "role")
    )
    return forms.SlotForm(
        data, event=event, rooms=rooms, speakers=speakers, session=session, current_speakers=current, day=day
    )


def _slot_context(
    event: Event, session: Session, form: forms.SlotForm, warnings: list[ClashLine] | None = None, saved: bool = False
) -> dict[str, Any]:
    return {"event": event, "session": session, "form": form, "warnings": warnings or [], "saved": saved}


@login_required
@require_GET
def editor(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    chosen: Session | None = None
    if request.GET.get("session", "").isdigit():
        chosen = session_or_404(event, int(request.GET["session"]))
    day = _day_number(event, request.GET.get("day"), chosen)
    context = editor_context(event, day)
    if chosen is not None:
        context["slot"] = _slot_context(event, chosen, _slot_form(event, chosen, day=day))
    return render(request, "events/manage/editor.html", context)


@login_required
@require_GET
def editor_slot(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The small form beside the grid for one session (HTMX); without HTMX, the editor with it open."""
    event = event_or_404(slug)
    _require_manager(request, event)
    session = session_or_404(event, pk)
    if not _is_htmx(request):
        return redirect(reverse("events:editor", args=[event.slug]) + f"?session={session.pk}")
    day = _day_number(event, request.GET.get("day"), session)
    return render(
        request,
        "events/manage/_slot_form.html",
        {"slot": _slot_context(event, session, _slot_form(event, session, day=day))},
    )


def _editor_answer(
    request: HttpRequest, event: Event, session: Session, form: forms.SlotForm, saved: bool, status: int = 200
) -> HttpResponse:
    """After a save: the slot form (with the session's warnings) and, out of band, the grid of the session's day."""
    url = reverse("events:editor", args=[event.slug])
    if not _is_htmx(request):
        if saved:
            return redirect(f"{url}?session={session.pk}")
        page = editor_context(event, _day_number(event, request.POST.get("day"), session))
        page["slot"] = _slot_context(event, session, form)
        return render(request, "events/manage/editor.html", page, status=status)
    slot = _slot_context(event, session, form, saved=saved)
    context: dict[str, Any] = {"slot": slot}
    if saved:
        day = _day_number(event, request.POST.get("day"), session)
        context |= editor_context(event, day)
        slot["warnings"] = [line for line in context["clashes"] if session.pk in line.session_ids]
        context["oob"] = True
    response = render(request, "events/manage/_slot_form.html", context, status=status)
    if saved:
        response["HX-Push-Url"] = f"{url}?day={context['day']}"
    return response


@login_required
@require_POST
def editor_save(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Save a session's place, times, speakers and type from the editor's small form."""
    event = event_or_404(slug)
    _require_manager(request, event)
    session = session_or_404(event, pk)
    form = _slot_form(event, session, request.POST)
    if not form.is_valid():
        return _editor_answer(request, event, session, form, saved=False, status=400)
    room = Room.objects.filter(event=event, pk=form.cleaned_data["room"]).first()
    if room is None:  # deleted since the form was shown
        form.add_error("room", _("Choose one of this event's rooms."))
        return _editor_answer(request, event, session, form, saved=False, status=400)
    starts_at, ends_at = form.times()
    try:
        with transaction.atomic():  # place, type and speakers, or nothing
            if form.cleaned_data["kind"] != session.kind:
                services.session_update(session=session, by=request.user, values={"kind": form.cleaned_data["kind"]})
            services.session_schedule(
                session=session,
                room=room,
                starts_at=starts_at,
                ends_at=ends_at,
                by=request.user,
            )
            services.session_speakers_set(session=session, speakers=form.speakers(), by=request.user)
    except ChipTownError as exc:
        _refusal(form, exc, {"starts_at": "starts", "ends_at": "ends", "speakers": "__all__"})
        return _editor_answer(request, event, session, form, saved=False, status=exc.status)
    session = session_or_404(event, pk)
    return _editor_answer(request, event, session, _slot_form(event, session), saved=True)


@login_required
@require_POST
def editor_unschedule(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    session = services.session_unschedule(session=session_or_404(event, pk), by=request.user)
    session = session_or_404(event, session.pk)
    return _editor_answer(request, event, session, _slot_form(event, session), saved=True)


# --- The full session form ----------------------------------------------------------------------------------------


def _session_form(event: Event, data: Any = None, session: Session | None = None) -> forms.SessionForm:
    tracks = list(Track.objects.filter(event=event).order_by("position", "pk"))
    speakers = list(Speaker.objects.filter(event=event).select_related("person"))
    current = (
        list(
            SessionSpeaker.objects.filter(session=session).order_by("position", "pk").values_list("speaker_id", "role")
        )
        if session is not None
        else []
    )
    return forms.SessionForm(
        data, event=event, tracks=tracks, speakers=speakers, session=session, current_speakers=current
    )


def _session_form_page(
    request: HttpRequest, event: Event, form: forms.SessionForm, session: Session | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "events/manage/session_form.html",
        {"event": event, "form": form, "session": session},
        status=status,
    )


def _save_session(request: HttpRequest, form: forms.SessionForm, save: Callable[[], Session]) -> Session | None:
    """Save the session and its speakers in one transaction, or put the problems in the form."""
    try:
        with transaction.atomic():
            session = save()
            services.session_speakers_set(session=session, speakers=form.speakers(), by=request.user)
    except ChipTownError as exc:
        _refusal(form, exc, {"speakers": "__all__"})
        return None
    return session


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    if request.method != "POST":
        return _session_form_page(request, event, _session_form(event), None)
    form = _session_form(event, request.POST)
    if form.is_valid():
        session = _save_session(
            request, form, lambda: services.session_create(event=event, by=request.user, **form.values())
        )
        if session is not None:
            messages.success(request, _("Session created. Now give it a room and a time."))
            return redirect(reverse("events:editor", args=[event.slug]) + f"?session={session.pk}")
    return _session_form_page(request, event, form, None, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    session = session_or_404(event, pk)
    if request.method != "POST":
        return _session_form_page(request, event, _session_form(event, session=session), session)
    form = _session_form(event, request.POST, session)
    if form.is_valid():
        saved = _save_session(
            request, form, lambda: services.session_update(session=session, by=request.user, values=form.values())
        )
        if saved is not None:
            messages.success(request, _("Changes saved."))
            return redirect(reverse("events:editor", args=[event.slug]) + f"?session={session.pk}")
    return _session_form_page(request, event, form, session, status=400)


@login_required
@require_POST
def session_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    session = session_or_404(event, pk)
    title = session.display_title
    services.session_delete(session=session, by=request.user)  # a refusal is a 409 page saying why
    messages.success(request, _("“%(title)s” was deleted.") % {"title": title})
    return redirect("events:editor", event.slug)


# --- Publishing and versions --------------------------------------------------------------------------------------


def _names(event: Event) -> tuple[dict[int, str], dict[int, str]]:
    rooms = {room.pk: room.display_name for room in Room.objects.filter(event=event)}
    speakers = {s.pk: s.person.display_name for s in Speaker.objects.filter(event=event).select_related("person")}
    return rooms, speakers


@login_required
@require_http_methods(["GET", "POST"])
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    if request.method == "POST":
        try:
            version = services.programme_publish(event=event, by=request.user)
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Version %(number)d is published with %(count)d changes.")
                % {"number": version.number, "count": len(version.changes)},
            )
        return redirect("events:publish", event.slug)
    latest = selectors.latest_programme_version(event=event)
    schedule = selectors.programme_schedule(event=event)
    previous = latest.sessions if latest is not None else {}
    changes = versions.diff(previous, schedule)
    rooms, speakers = _names(event)
    return render(
        request,
        "events/manage/publish.html",
        {
            "event": event,
            "latest": latest,
            "pending": programme_text.version_summary(
                changes, schedule=schedule, rooms=rooms, speakers=speakers, zone=event.zone
            ),
            "has_changes": not versions.same(previous, schedule) and bool(schedule or latest),
            "other_changes": not changes and not versions.same(previous, schedule),
            "scheduled": len(schedule),
            "clash_count": len(selectors.programme_warnings(event=event)),
            "job": services.programme_emails_job(version=latest) if latest is not None else None,
        },
    )


@dataclass(frozen=True)
class VersionLines:
    version: ProgrammeVersion
    lines: list[str]


@login_required
@require_GET
def versions_list(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    rooms, speakers = _names(event)
    listed = list(ProgrammeVersion.objects.filter(event=event).select_related("published_by").order_by("-number"))
    return render(
        request,
        "events/manage/versions.html",
        {
            "event": event,
            "versions": [
                VersionLines(
                    version=version,
                    lines=programme_text.version_summary(
                        version.changes, schedule=version.sessions, rooms=rooms, speakers=speakers, zone=event.zone
                    ),
                )
                for version in listed
            ],
        },
    )
