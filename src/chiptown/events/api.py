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

# --- On the day ---------------------------------------------------------------------------------------------------
