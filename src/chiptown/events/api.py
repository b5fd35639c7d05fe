"""Conference endpoints under /api/v1/events; each part adds its own block."""

from ninja import Router

router = Router(tags=["events"])

# --- Programme ----------------------------------------------------------------------------------------------------

# Part B: events, and the published programme's sessions and speakers (public reads; the latest published version
# only, with names read live, in a constant number of queries).
import datetime  # noqa: E402
from typing import Any  # noqa: E402

from django.http import HttpRequest  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation as programme_translation  # noqa: E402
from ninja import Query, Schema  # noqa: E402
from ninja.pagination import paginate  # noqa: E402
from pydantic import Field  # noqa: E402

from chiptown.core import errors as programme_errors  # noqa: E402
from chiptown.events import selectors as programme_selectors  # noqa: E402
from chiptown.events.models import Event, SessionKind  # noqa: E402
from chiptown.registry.api import Pages  # noqa: E402
from chiptown.registry.schemas import MAX_ID  # noqa: E402


class EventOut(Schema):
    slug: str
    name_zh: str
    name_en: str
    display_name: str
    description_zh: str
    description_en: str
    starts_on: datetime.date
    ends_on: datetime.date
    timezone: str
    venue_zh: str
    venue_en: str
    registration_open: bool
    programme_version: int
    programme_published_at: datetime.datetime | None
    is_demo: bool
    url: str

    @staticmethod
    def resolve_url(event: Event) -> str:
        return event.get_absolute_url()


class ProgrammeRoomOut(Schema):
    id: int
    name_zh: str
    name_en: str
    name: str
    building: str


class ProgrammeTrackOut(Schema):
    id: int
    name_zh: str
    name_en: str
    name: str
    colour: str


class SessionSpeakerOut(Schema):
    id: int
    name_zh: str
    name_en: str
    name: str
    role: str


class ProgrammeSessionOut(Schema):
    id: int
    kind: str
    kind_label: str
    title_zh: str
    title_en: str
    title: str
    starts_at: datetime.datetime = Field(description="UTC")
    ends_at: datetime.datetime = Field(description="UTC")
    day: int = Field(description="1 for the event's first day")
    room: ProgrammeRoomOut | None
    track: ProgrammeTrackOut | None
    capacity: int | None = Field(description="Seats for sign-up; null when anyone registered may come")
    seats_left: int | None
    closed_door: bool
    speakers: list[SessionSpeakerOut]
    abstract_zh: str
    abstract_en: str
    url: str


class ProgrammeSpeakerOut(Schema):
    id: int
    name_zh: str
    name_en: str
    name: str
    position: str
    organisation_id: int | None
    organisation_zh: str
    organisation_en: str
    bio_zh: str
    bio_en: str
    photo_url: str
    url: str
    sessions: list[int]


class SessionFilter(Schema):
    day: int | None = Field(None, ge=1, le=366, description="1 for the event's first day")
    kind: SessionKind | None = None
    track: int | None = Field(None, ge=1, le=MAX_ID, description="A track's id")


def _published_programme_or_404(slug: str) -> programme_selectors.PublishedProgramme:
    event = programme_selectors.event_by_slug(slug=slug)
    if event is None:
        raise programme_errors.NotFound(programme_translation.gettext("No such event."))
    programme = programme_selectors.published_programme(event=event)
    if programme is None:
        raise programme_errors.NotFound(
            programme_translation.gettext("The programme of this event is not published yet."), code="not_published"
        )
    return programme


def _session_out(slug: str, session: programme_selectors.PublishedSession) -> dict[str, Any]:
    room, track = session.room, session.track
    return {
        "id": session.pk,
        "kind": session.kind,
        "kind_label": session.kind_label,
        "title_zh": session.title_zh,
        "title_en": session.title_en,
        "title": session.title,
        "starts_at": session.starts_at,
        "ends_at": session.ends_at,
        "day": session.day,
        "room": {
            "id": room.pk,
            "name_zh": room.name_zh,
            "name_en": room.name_en,
            "name": room.name,
            "building": room.building,
        }
        if room
        else None,
        "track": {
            "id": track.pk,
            "name_zh": track.name_zh,
            "name_en": track.name_en,
            "name": track.name,
            "colour": track.colour,
        }
        if track
        else None,
        "capacity": session.capacity,
        "seats_left": session.seats_left,
        "closed_door": session.closed_door,
        "speakers": [
            {
                "id": line.speaker.pk,
                "name_zh": line.speaker.name_zh,
                "name_en": line.speaker.name_en,
                "name": line.name,
                "role": line.role,
            }
            for line in session.speakers
        ],
        "abstract_zh": session.abstract_zh,
        "abstract_en": session.abstract_en,
        "url": reverse("events:session", args=[slug, session.pk]),
    }


@router.get("/", response=list[EventOut])
@paginate(Pages)
def event_list(request: HttpRequest) -> Any:
    """Every event, latest first."""
    return programme_selectors.events_listed()


@router.get("/{slug}/sessions", response=list[ProgrammeSessionOut])
@paginate(Pages)
def programme_sessions(request: HttpRequest, slug: str, filters: Query[SessionFilter]) -> Any:
    """The sessions of the latest published programme in start order; 404 before the first publication."""
    programme = _published_programme_or_404(slug)
    return [
        _session_out(slug, session)
        for session in programme.sessions
        if (filters.day is None or session.day == filters.day)
        and (filters.kind is None or session.kind == filters.kind)
        and (filters.track is None or (session.track is not None and session.track.pk == filters.track))
    ]


@router.get("/{slug}/speakers", response=list[ProgrammeSpeakerOut])
@paginate(Pages)
def programme_speakers(request: HttpRequest, slug: str) -> Any:
    """The accepted speakers of the latest published programme, by name, with their sessions' ids."""
    programme = _published_programme_or_404(slug)
    sessions: dict[int, list[int]] = {}
    for session in programme.sessions:
        for line in session.speakers:
            sessions.setdefault(line.speaker.pk, []).append(session.pk)
    return [
        {
            "id": speaker.pk,
            "name_zh": speaker.name_zh,
            "name_en": speaker.name_en,
            "name": speaker.name,
            "position": speaker.position_title,
            "organisation_id": speaker.organisation_id,
            "organisation_zh": speaker.organisation_zh,
            "organisation_en": speaker.organisation_en,
            "bio_zh": speaker.bio_zh,
            "bio_en": speaker.bio_en,
            "photo_url": speaker.photo_url,
            "url": reverse("events:speaker", args=[slug, speaker.pk]),
            "sessions": sessions.get(speaker.pk, []),
        }
        for speaker in programme.speakers
    ]


# --- Registration and seats ---------------------------------------------------------------------------------------

# Part E: a seat in a session that takes sign-up (a place on its waiting list when it is full), and giving it up.
from typing import Any  # noqa: E402

from django.http import HttpRequest  # noqa: E402
from django.utils.translation import gettext as seat_gettext  # noqa: E402
from ninja import Schema, Status  # noqa: E402
from pydantic import Field  # noqa: E402

from chiptown.core.api import write_auth as seat_write_auth  # noqa: E402
from chiptown.core.errors import NotFound as SeatNotFound  # noqa: E402
from chiptown.events import selectors as seat_selectors  # noqa: E402
from chiptown.events.models import Session as SeatSession  # noqa: E402
from chiptown.events.services import seats as seat_services  # noqa: E402
from chiptown.registry.schemas import RowId as SeatRowId  # noqa: E402


class SeatSignupIn(Schema):
    nda_accepted: bool = Field(False, description="Closed-door sessions: the non-disclosure terms are accepted")


class SeatSignupOut(Schema):
    status: str = Field(description="confirmed | waiting")
    position: int | None = Field(description="Place on the waiting list (1 = next); null with a seat")


def _seat_session_or_404(session_id: int) -> SeatSession:
    found = list(SeatSession.objects.select_related("event").filter(pk=session_id).order_by()[:1])
    if not found:
        raise SeatNotFound(seat_gettext("No such session."))
    return found[0]


@router.post("/sessions/{session_id}/signup", response={201: SeatSignupOut}, auth=seat_write_auth, tags=["seats"])
def seat_signup(request: HttpRequest, session_id: SeatRowId, payload: SeatSignupIn) -> Any:
    """Take a seat, or a place on the waiting list when the session is full (409 if you already hold one). Needs a
    confirmed registration for the event; closed-door sessions need an invitation and `nda_accepted: true`."""
    result = seat_services.signup_create(
        session=_seat_session_or_404(session_id),
        user=request.user,
        nda_accepted=payload.nda_accepted,
        by=request.user,
    )
    return Status(
        201,
        {"status": result.signup.status, "position": result.position},
    )


@router.delete("/sessions/{session_id}/signup", response={204: None}, auth=seat_write_auth, tags=["seats"])
def seat_signup_cancel(request: HttpRequest, session_id: SeatRowId) -> Any:
    """Give up your seat, offer or waiting-list place; a freed seat is offered to the next person waiting."""
    session = _seat_session_or_404(session_id)
    signup = seat_selectors.active_signup(session=session, user=request.user)
    if signup is None:
        raise SeatNotFound(
            seat_gettext("You hold no seat, offer or waiting-list place in this session."),
            code="no_signup_held",
        )
    seat_services.signup_cancel(signup=signup, by=request.user)
    return Status(204, None)


# Part D: registering yourself for an event, your registration, cancelling it.
import datetime  # noqa: E402
from typing import Any  # noqa: E402

from django.http import HttpRequest  # noqa: E402
from django.utils.translation import gettext as registration_gettext  # noqa: E402
from ninja import Schema  # noqa: E402
from ninja import Status as RegistrationResponse  # noqa: E402
from pydantic import Field  # noqa: E402

from chiptown.core.api import write_auth as registration_write_auth  # noqa: E402
from chiptown.core.errors import NotFound as RegistrationNotFound  # noqa: E402
from chiptown.events import badges as registration_badges  # noqa: E402
from chiptown.events import selectors as registration_selectors  # noqa: E402
from chiptown.events.models import Event as RegistrationEvent  # noqa: E402
from chiptown.events.models import Registration as RegistrationRow  # noqa: E402
from chiptown.events.models import RegistrationStatus as RegistrationRowStatus  # noqa: E402
from chiptown.events.services import registrations as registration_services  # noqa: E402


class RegistrationIn(Schema):
    attendee_type: str = Field("general", description="general | media (the other types are given by organisers)")
    answers: dict[str, Any] = Field(default_factory=dict, description="Answers to the event's questions, by name")


class RegistrationOut(Schema):
    id: int
    event: str = Field(description="The event's short name (slug)")
    status: str = Field(description="pending | confirmed | rejected | cancelled")
    attendee_type: str
    answers: dict[str, Any]
    created_at: datetime.datetime
    decided_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    checked_in_at: datetime.datetime | None
    badge_url: str | None = Field(description="What the badge's QR code holds (confirmed registrations only)")

    @staticmethod
    def resolve_event(registration: RegistrationRow) -> str:
        return registration.event.slug

    @staticmethod
    def resolve_badge_url(registration: RegistrationRow) -> str | None:
        if registration.status != RegistrationRowStatus.CONFIRMED:
            return None
        return registration_badges.badge_url(registration)


def _registration_event_or_404(slug: str) -> RegistrationEvent:
    event = registration_selectors.event_by_slug(slug=slug)
    if event is None:
        raise RegistrationNotFound(registration_gettext("No such event."))
    return event


def _my_registration_or_404(request: HttpRequest, slug: str) -> RegistrationRow:
    event = _registration_event_or_404(slug)
    registration = registration_selectors.registration_for(event=event, user=request.user)
    if registration is None:
        raise RegistrationNotFound(
            registration_gettext("You are not registered for %(event)s.") % {"event": event.display_name},
            code="not_registered",
        )
    registration.event = event
    return registration


@router.post(
    "/{slug}/registrations", response={201: RegistrationOut}, auth=registration_write_auth, tags=["registration"]
)
def registration_create(request: HttpRequest, slug: str, payload: RegistrationIn) -> Any:
    """Register yourself (409 if you already are, unless you cancelled). Confirmed at once, or `pending` when the
    organisers approve each registration; a confirmed person gets their badge by email."""
    registration = registration_services.registration_create(
        event=_registration_event_or_404(slug),
        user=request.user,
        attendee_type=payload.attendee_type,
        answers=payload.answers,
        by=request.user,
    )
    return RegistrationResponse(201, registration)


@router.get("/{slug}/registrations/me", response=RegistrationOut, auth=registration_write_auth, tags=["registration"])
def registration_me(request: HttpRequest, slug: str) -> Any:
    """Your registration for the event (404 if you have none)."""
    return _my_registration_or_404(request, slug)


@router.delete("/{slug}/registrations/me", response={204: None}, auth=registration_write_auth, tags=["registration"])
def registration_cancel(request: HttpRequest, slug: str) -> Any:
    """Cancel your registration: your badge stops working and your seats go to the people waiting (409 if it is
    already cancelled or was not approved)."""
    registration_services.registration_cancel(registration=_my_registration_or_404(request, slug), by=request.user)
    return RegistrationResponse(204, None)


# --- On the day ---------------------------------------------------------------------------------------------------

# Part F: a scanner app or a desk script checks people in by badge (a staff member's API token, or their session).
import datetime  # noqa: E402

from django.http import HttpRequest  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from ninja import Schema  # noqa: E402

from chiptown.core.api import write_auth  # noqa: E402
from chiptown.core.errors import NotFound  # noqa: E402
from chiptown.events import selectors as checkin_selectors  # noqa: E402
from chiptown.events.services import checkin as checkin_services  # noqa: E402


class CheckinIn(Schema):
    token: str  # the badge's token, or the whole address its QR code holds


class CheckinPersonOut(Schema):
    registration_id: int
    name: str
    organisation: str
    attendee_type: str
    status: str


class CheckinOut(Schema):
    outcome: str  # ok | already | cancelled | pending | rejected | unknown | wrong_event
    message: str
    registration: CheckinPersonOut | None
    checked_in_at: datetime.datetime | None
    checked_in_by: str


@router.post("/{slug}/checkin", response=CheckinOut, auth=write_auth, tags=["check-in"])
def checkin(request: HttpRequest, slug: str, payload: CheckinIn) -> CheckinOut:
    """Check in the holder of a badge. Every answer about the badge is a 200 with an `outcome` (a second scan says
    `already`, with when and by whom); 403 for anyone but check-in staff, 404 for an unknown event."""
    event = checkin_selectors.event_by_slug(slug=slug)
    if event is None:
        raise NotFound(_("No such event."))
    result = checkin_services.checkin_by_token(event=event, token=payload.token, by=request.user)
    registration = result.registration
    return CheckinOut(
        outcome=result.outcome,
        message=result.message,
        registration=CheckinPersonOut(
            registration_id=registration.pk,
            name=result.name,
            organisation=result.organisation,
            attendee_type=registration.attendee_type,
            status=registration.status,
        )
        if registration is not None and result.outcome != checkin_services.WRONG_EVENT
        else None,
        checked_in_at=result.checked_in_at,
        checked_in_by=result.checked_in_by_name,
    )
