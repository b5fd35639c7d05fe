"""Reads of the conference that pages, the API and tasks share."""

from typing import Any

from django.db.models import Q, QuerySet

from chiptown.core.rules import is_operator
from chiptown.events.models import (
    Event,
    Invitation,
    InvitationKind,
    Registration,
    RegistrationStatus,
    Session,
    SessionSpeaker,
    Signup,
    SignupStatus,
)
from chiptown.registry.models import Person


def event_by_slug(*, slug: str) -> Event | None:
    return Event.objects.filter(slug=slug).first()


def events_listed() -> QuerySet[Event]:
    return Event.objects.all()


def registration_for(*, event: Event, user: Any) -> Registration | None:
    if not getattr(user, "is_authenticated", False):
        return None
    # One row at most (unique per event and user); no ordering, as the model's default one joins the event table.
    return Registration.objects.filter(event=event, user=user).order_by().first()


# --- Shared by every part: who is invited to and admitted into a closed-door session; a person's agenda ----------


def is_invited(*, session: Session, user: Any) -> bool:
    """On the session's invitation list: as a person (the registry person linked to the account), through their
    organisation, or through their role. Open sessions invite everyone."""
    if not session.closed_door:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    person = Person.objects.filter(user=user).values_list("pk", "organisation_id").first()
    person_id, person_organisation_id = person if person else (None, None)
    organisation_ids = {o for o in (user.organisation_id, person_organisation_id) if o}
    return Invitation.objects.filter(
        Q(session=session)
        & (
            Q(kind=InvitationKind.PERSON, person_id=person_id)
            | Q(kind=InvitationKind.ORGANISATION, organisation_id__in=organisation_ids)
            | Q(kind=InvitationKind.ROLE, role=user.role)
        )
    ).exists()


def is_admitted(*, session: Session, user: Any) -> bool:
    """May open a closed-door session's materials and come in: operators, the session's own speakers, and people
    with a confirmed seat who accepted the NDA and are (still) invited. Open sessions admit everyone."""
    if not session.closed_door:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    if is_operator(user):
        return True
    if SessionSpeaker.objects.filter(session=session, speaker__person__user=user).exists():
        return True
    seated = Signup.objects.filter(
        session=session,
        registration__user=user,
        registration__status=RegistrationStatus.CONFIRMED,
        status=SignupStatus.CONFIRMED,
        nda_accepted_at__isnull=False,
    ).exists()
    return seated and is_invited(session=session, user=user)


def agenda_sessions(*, registration: Registration) -> QuerySet[Session]:
    """The sessions in a person's own agenda: those they added, and those where they hold a seat or an offer."""
    return (
        Session.objects.filter(
            Q(agenda_items__registration=registration)
            | Q(signups__registration=registration, signups__status__in=[SignupStatus.CONFIRMED, SignupStatus.OFFERED])
        )
        .distinct()
        .select_related("room", "track", "event")
        .order_by("starts_at", "id")
    )


# --- On the day (part F): check-in, attendance, live figures, feedback ---------------------------------------------

import datetime  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Iterable  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

from django.db.models import Avg, Count  # noqa: E402

from chiptown.events.models import AttendeeType, Feedback, SessionKind  # noqa: E402

# What a check-in answer shows about a registration, fetched in the same query.
CHECKIN_RELATED = ("user__person__organisation", "user__organisation")


def person_of(user: Any) -> Person | None:
    """The registry person linked to an account, if any (None also when the account has none)."""
    try:
        person: Person | None = user.person
    except Person.DoesNotExist:
        return None
    return person


def person_name(user: Any) -> str:
    """How the conference names a person: their registry name if they have one, else their account's name."""
    if user is None:
        return ""
    person = person_of(user)
    if person is not None:
        return str(person.display_name)
    return str(user.get_full_name() or user.get_username())


def person_organisation(user: Any) -> str:
    """The organisation a person comes from: their registry person's, else their account's ("" for none)."""
    person = person_of(user)
    organisation = (person.organisation if person is not None else None) or user.organisation
    return str(organisation.display_name) if organisation is not None else ""


def registration_for_checkin(*, pk: int, event: Event | None = None) -> Registration | None:
    """A registration with what a check-in answer shows about its person, in one query. Every badge scan runs it,
    so it stays lean: no ordering (the model's default one joins the event table), and the event the desk already
    holds is attached rather than joined."""
    registration = next(iter(Registration.objects.select_related(*CHECKIN_RELATED).filter(pk=pk).order_by()[:1]), None)
    if registration is not None and event is not None and registration.event_id == event.pk:
        registration.event = event
    return registration


def user_with_person(*, pk: int) -> Any:
    """An account with its registry person (to name who checked someone in)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("person").filter(pk=pk).first()


@dataclass(frozen=True)
class CheckinTotals:
    """The running totals at the top of the check-in page."""

    confirmed: int
    checked_in: int

    @property
    def percent(self) -> int:
        return round(100 * self.checked_in / self.confirmed) if self.confirmed else 0


def checkin_totals(*, event: Event) -> CheckinTotals:
    counts = Registration.objects.filter(event=event, status=RegistrationStatus.CONFIRMED).aggregate(
        confirmed=Count("pk"), checked_in=Count("pk", filter=Q(checked_in_at__isnull=False))
    )
    return CheckinTotals(confirmed=counts["confirmed"], checked_in=counts["checked_in"])


CHECKIN_SEARCH_MIN = 2
CHECKIN_SEARCH_LIMIT = 20
_SEARCH_FIELDS = (
    "user__first_name",
    "user__last_name",
    "user__username",
    "user__email",
    "user__person__name_zh",
    "user__person__name_en",
    "user__person__organisation__name_zh",
    "user__person__organisation__name_en",
    "user__organisation__name_zh",
    "user__organisation__name_en",
)


def checkin_search(*, event: Event, text: str, limit: int = CHECKIN_SEARCH_LIMIT) -> list[Registration]:
    """Registrations whose name, email or organisation contains every word of `text` (at least two characters),
    at most `limit` + 1 of them (the extra one tells the page there are more). One query."""
    words = text.split()
    if len("".join(words)) < CHECKIN_SEARCH_MIN:
        return []
    condition = Q()
    for word in words[:5]:
        any_field = Q()
        for name in _SEARCH_FIELDS:
            any_field |= Q(**{f"{name}__icontains": word})
        condition &= any_field
    return list(
        Registration.objects.filter(condition, event=event)
        .select_related(*CHECKIN_RELATED)
        .order_by("user__person__name_en", "user__last_name", "user__first_name", "user__username", "pk")[: limit + 1]
    )


@dataclass(frozen=True)
class SessionAttendee:
    """One person with a confirmed seat in a session that takes attendance, and whether they may come in."""

    signup: Signup
    name: str
    organisation: str
    invited: bool

    @property
    def registration(self) -> Registration:
        return self.signup.registration

    @property
    def nda_accepted(self) -> bool:
        return self.signup.nda_accepted_at is not None or not self.signup.session.closed_door

    @property
    def admitted(self) -> bool:
        """What selectors.is_admitted says for a seated person, computed for the whole list at once."""
        return (
            self.registration.status == RegistrationStatus.CONFIRMED
            and self.signup.status == SignupStatus.CONFIRMED
            and self.nda_accepted
            and self.invited
        )


def _invited_users(*, session: Session, users: Iterable[Any]) -> set[int]:
    """The ids of `users` on a closed-door session's invitation list, in two queries whatever their number: the
    same rule as is_invited (as a person, through their or their registry person's organisation, or their role)."""
    users = list(users)
    if not session.closed_door:
        return {u.pk for u in users}
    invitations = list(
        Invitation.objects.filter(session=session).values_list("kind", "person_id", "organisation_id", "role")
    )
    people = {pk for kind, pk, _o, _r in invitations if kind == InvitationKind.PERSON}
    organisations = {pk for kind, _p, pk, _r in invitations if kind == InvitationKind.ORGANISATION}
    roles = {role for kind, _p, _o, role in invitations if kind == InvitationKind.ROLE}
    invited = set()
    for user in users:
        person = person_of(user)
        if (
            (person is not None and person.pk in people)
            or user.role in roles
            or (user.organisation_id and user.organisation_id in organisations)
            or (person is not None and person.organisation_id and person.organisation_id in organisations)
        ):
            invited.add(user.pk)
    return invited


def session_attendees(*, session: Session) -> list[SessionAttendee]:
    """Everyone with a confirmed seat in the session, by name, with who is admitted and who came in."""
    signups = list(
        Signup.objects.filter(session=session, status=SignupStatus.CONFIRMED)
        .select_related(
            "session",
            "registration__user__person__organisation",
            "registration__user__organisation",
        )
        .order_by("registration__user__person__name_en", "registration__user__username", "pk")
    )
    invited = _invited_users(session=session, users=[s.registration.user for s in signups])
    return [
        SessionAttendee(
            signup=signup,
            name=person_name(signup.registration.user),
            organisation=person_organisation(signup.registration.user),
            invited=signup.registration.user_id in invited,
        )
        for signup in signups
    ]


def attendance_sessions(*, event: Event) -> QuerySet[Session]:
    """Sessions that keep an attendance list: closed-door workshops."""
    return Session.objects.filter(event=event, closed_door=True).select_related("room").order_by("starts_at", "id")


def export_registrations(*, event: Event) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(event=event)
        .select_related("user__person__organisation", "user__organisation")
        .order_by("created_at", "pk")
    )


def export_session_attendance(*, event: Event) -> QuerySet[Signup]:
    """Confirmed seats in the event's closed-door sessions, session by session."""
    return (
        Signup.objects.filter(session__event=event, session__closed_door=True, status=SignupStatus.CONFIRMED)
        .select_related("session", "registration__user__person__organisation", "registration__user__organisation")
        .order_by(
            "session__starts_at",
            "session_id",
            "registration__user__person__name_en",
            "registration__user__username",
            "pk",
        )
    )


# (part F) Live figures.


@dataclass(frozen=True)
class TypeFigures:
    """Registrations of one attendee type, by status, and how many of the confirmed ones checked in."""

    attendee_type: str
    label: str
    by_status: dict[str, int]
    checked_in: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True)
class SessionFigures:
    session: Session
    confirmed: int
    waiting: int
    offered: int
    attended: int
    feedback_count: int
    feedback_average: float | None


@dataclass(frozen=True)
class EventFigures:
    types: list[TypeFigures]
    by_status: dict[str, int]
    confirmed: int
    checked_in: int
    sessions: list[SessionFigures]
    arrival_days: list[datetime.date] = field(default_factory=list)

    @property
    def registered(self) -> int:
        return sum(self.by_status.values())

    @property
    def checked_in_share(self) -> float:
        return self.checked_in / self.confirmed if self.confirmed else 0.0

    @property
    def checked_in_percent(self) -> int:
        return round(100 * self.checked_in_share)


def event_figures(*, event: Event) -> EventFigures:
    """Registered by status and attendee type, checked in, and per session its seats, waiting list, attendance and
    feedback: three queries whatever the size of the event."""
    statuses = [s.value for s in RegistrationStatus]
    by_type: dict[str, dict[str, int]] = {t.value: dict.fromkeys(statuses, 0) for t in AttendeeType}
    checked_by_type: Counter[str] = Counter()
    rows = (
        Registration.objects.filter(event=event)
        .order_by()
        .values("attendee_type", "status")
        .annotate(
            n=Count("pk"),
            checked=Count("pk", filter=Q(checked_in_at__isnull=False, status=RegistrationStatus.CONFIRMED)),
        )
    )
    for row in rows:
        by_type.setdefault(row["attendee_type"], dict.fromkeys(statuses, 0))[row["status"]] = row["n"]
        checked_by_type[row["attendee_type"]] += row["checked"]
    labels = dict(AttendeeType.choices)
    types = [
        TypeFigures(
            attendee_type=code,
            label=str(labels.get(code, code)),
            by_status=counts,
            checked_in=checked_by_type[code],
        )
        for code, counts in by_type.items()
    ]
    by_status = {s: sum(t.by_status.get(s, 0) for t in types) for s in statuses}
    sessions = (
        Session.objects.filter(event=event)
        .exclude(kind=SessionKind.BREAK)
        .select_related("room")
        .annotate(
            confirmed=Count("signups", filter=Q(signups__status=SignupStatus.CONFIRMED)),
            waiting=Count("signups", filter=Q(signups__status=SignupStatus.WAITING)),
            offered=Count("signups", filter=Q(signups__status=SignupStatus.OFFERED)),
            attended=Count(
                "signups", filter=Q(signups__status=SignupStatus.CONFIRMED, signups__checked_in_at__isnull=False)
            ),
        )
        .order_by("starts_at", "room__position", "id")
    )
    feedback: dict[int, dict[str, Any]] = {
        row["session"]: dict(row)
        for row in Feedback.objects.filter(session__event=event)
        .order_by()
        .values("session")
        .annotate(n=Count("pk"), average=Avg("rating"))
    }
    session_figures = [
        SessionFigures(
            session=session,
            confirmed=session.confirmed,
            waiting=session.waiting,
            offered=session.offered,
            attended=session.attended,
            feedback_count=feedback.get(session.pk, {}).get("n", 0),
            feedback_average=feedback.get(session.pk, {}).get("average"),
        )
        for session in sessions
    ]
    return EventFigures(
        types=types,
        by_status=by_status,
        confirmed=by_status[RegistrationStatus.CONFIRMED],
        checked_in=sum(checked_by_type.values()),
        sessions=session_figures,
    )


def checkin_times(*, event: Event) -> list[datetime.datetime]:
    """When each confirmed person checked in (for the arrivals chart)."""
    times = Registration.objects.filter(
        event=event, status=RegistrationStatus.CONFIRMED, checked_in_at__isnull=False
    ).values_list("checked_in_at", flat=True)
    return [moment for moment in times if moment is not None]


# (part F) Feedback.


def feedback_for(*, session: Session, registration: Registration | None) -> Feedback | None:
    if registration is None:
        return None
    return Feedback.objects.filter(session=session, registration=registration).first()


def event_feedback(*, event: Event) -> QuerySet[Feedback]:
    """Every answer about the event's sessions (for the results page and its export), session by session."""
    return (
        Feedback.objects.filter(session__event=event)
        .select_related("session")
        .order_by("session__starts_at", "session_id", "created_at", "pk")
    )


def feedback_sessions(*, event: Event) -> QuerySet[Session]:
    """The sessions people can rate (everything but breaks), in programme order."""
    return (
        Session.objects.filter(event=event)
        .exclude(kind=SessionKind.BREAK)
        .select_related("room")
        .order_by("starts_at", "room__position", "id")
    )


# --- Public programme (part B): the latest published version, read in a constant number of queries --------------

import datetime  # noqa: E402
import re  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from functools import cached_property  # noqa: E402

from chiptown.events import models as programme_models  # noqa: E402
from chiptown.registry.models import pick_language  # noqa: E402

_COLOUR = re.compile(r"#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}")
_DEFAULT_COLOUR = "#1f6feb"


@dataclass(frozen=True)
class ProgrammeRoom:
    pk: int
    name_zh: str
    name_en: str
    building: str
    position: int

    @property
    def name(self) -> str:
        return pick_language(self.name_zh, self.name_en)


@dataclass(frozen=True)
class ProgrammeTrack:
    pk: int
    name_zh: str
    name_en: str
    colour: str  # always a valid hex colour, safe in an SVG attribute
    position: int

    @property
    def name(self) -> str:
        return pick_language(self.name_zh, self.name_en)


@dataclass(frozen=True)
class ProgrammeSpeaker:
    """An accepted speaker of the event, with the registry person's names and organisation read live."""

    pk: int
    name_zh: str
    name_en: str
    position_title: str
    organisation_id: int | None
    organisation_zh: str
    organisation_en: str
    bio_zh: str
    bio_en: str
    photo_url: str

    @property
    def name(self) -> str:
        return pick_language(self.name_zh, self.name_en)

    @property
    def organisation(self) -> str:
        return pick_language(self.organisation_zh, self.organisation_en)

    @property
    def bio(self) -> str:
        return pick_language(self.bio_zh, self.bio_en)

    @property
    def bio_other(self) -> str:
        """The biography in the other language, when there is one that differs."""
        return _other_language(self.bio_zh, self.bio_en)


@dataclass(frozen=True)
class SessionSpeakerLine:
    speaker: ProgrammeSpeaker
    role: str

    @property
    def name(self) -> str:
        return self.speaker.name

    @property
    def role_label(self) -> str:
        return (
            str(programme_models.SpeakerRole(self.role).label)
            if self.role in programme_models.SpeakerRole.values
            else self.role
        )


@dataclass(frozen=True)
class PublishedSession:
    """One session as published (times, room, track, title, speakers from the version's JSON; names, abstracts
    and seats read live). `published` is False only in an operator's preview of a draft session, and `scheduled`
    is False only in a preview of one with no room or times yet (its times are then the event's first day, never
    shown)."""

    pk: int
    kind: str
    title_zh: str
    title_en: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    day: int  # 1 for the event's first day
    room: ProgrammeRoom | None
    track: ProgrammeTrack | None
    capacity: int | None
    seats_left: int | None
    closed_door: bool
    speakers: tuple[SessionSpeakerLine, ...]
    abstract_zh: str = ""
    abstract_en: str = ""
    published: bool = True
    scheduled: bool = True

    @property
    def title(self) -> str:
        return pick_language(self.title_zh, self.title_en)

    @property
    def kind_label(self) -> str:
        return (
            str(programme_models.SessionKind(self.kind).label)
            if self.kind in programme_models.SessionKind.values
            else self.kind
        )

    @property
    def abstract(self) -> str:
        return pick_language(self.abstract_zh, self.abstract_en)

    @property
    def abstract_other(self) -> str:
        return _other_language(self.abstract_zh, self.abstract_en)

    @property
    def room_name(self) -> str:
        return self.room.name if self.room else ""

    @property
    def track_name(self) -> str:
        return self.track.name if self.track else ""

    @property
    def track_colour(self) -> str:
        return self.track.colour if self.track else ""

    @property
    def takes_signup(self) -> bool:
        return self.capacity is not None

    @property
    def speaker_names(self) -> list[str]:
        return [line.name for line in self.speakers]


@dataclass(frozen=True)
class ProgrammeDay:
    number: int
    date: datetime.date
    sessions: tuple[PublishedSession, ...]


@dataclass(frozen=True)
class PublishedProgramme:
    event: Event
    version: int
    published_at: datetime.datetime
    days: tuple[ProgrammeDay, ...]
    rooms: tuple[ProgrammeRoom, ...]
    tracks: tuple[ProgrammeTrack, ...]
    speakers: tuple[ProgrammeSpeaker, ...]  # accepted speakers with a published session, by name
    sessions: tuple[PublishedSession, ...]  # by start, room order, id

    @cached_property
    def _by_pk(self) -> dict[int, PublishedSession]:
        return {session.pk: session for session in self.sessions}

    def session(self, pk: int) -> PublishedSession | None:
        return self._by_pk.get(pk)

    def day(self, number: int) -> ProgrammeDay | None:
        return self.days[number - 1] if 1 <= number <= len(self.days) else None

    def speaker(self, pk: int) -> ProgrammeSpeaker | None:
        return next((speaker for speaker in self.speakers if speaker.pk == pk), None)

    def sessions_of(self, speaker: ProgrammeSpeaker) -> list[PublishedSession]:
        return [s for s in self.sessions if any(line.speaker.pk == speaker.pk for line in s.speakers)]


def _other_language(zh: str, en: str) -> str:
    shown = pick_language(zh, en)
    other = en if shown == zh else zh
    return other if other and other != shown else ""


def _colour(value: str) -> str:
    return value if _COLOUR.fullmatch(value or "") else _DEFAULT_COLOUR


def _instant(value: str) -> datetime.datetime:
    """An ISO 8601 time from the published JSON, as an aware UTC datetime (a naive one is taken as UTC)."""
    moment = datetime.datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment.astimezone(datetime.UTC)


def _programme_rooms(event: Event) -> dict[int, ProgrammeRoom]:
    return {
        pk: ProgrammeRoom(pk=pk, name_zh=zh, name_en=en, building=building, position=position)
        for pk, zh, en, building, position in programme_models.Room.objects.filter(event=event).values_list(
            "pk", "name_zh", "name_en", "building", "position"
        )
    }


def _programme_tracks(event: Event) -> dict[int, ProgrammeTrack]:
    return {
        pk: ProgrammeTrack(pk=pk, name_zh=zh, name_en=en, colour=_colour(colour), position=position)
        for pk, zh, en, colour, position in programme_models.Track.objects.filter(event=event).values_list(
            "pk", "name_zh", "name_en", "colour", "position"
        )
    }


def _programme_speaker(speaker: programme_models.Speaker) -> ProgrammeSpeaker:
    person = speaker.person
    organisation = person.organisation
    return ProgrammeSpeaker(
        pk=speaker.pk,
        name_zh=person.name_zh,
        name_en=person.name_en,
        position_title=person.title,
        organisation_id=organisation.pk if organisation else None,
        organisation_zh=organisation.name_zh if organisation else "",
        organisation_en=organisation.name_en if organisation else "",
        bio_zh=speaker.bio_zh,
        bio_en=speaker.bio_en,
        photo_url=speaker.photo.url if speaker.photo else "",
    )


def _accepted_speakers(event: Event) -> dict[int, ProgrammeSpeaker]:
    # Plain values, not model instances: building 150 speakers with their people and organisations as models
    # costs more than the rest of the programme page together.
    storage = programme_models.Speaker._meta.get_field("photo").storage
    rows = programme_models.Speaker.objects.filter(
        event=event, status=programme_models.SpeakerStatus.ACCEPTED
    ).values_list(
        "pk",
        "person__name_zh",
        "person__name_en",
        "person__title",
        "person__organisation_id",
        "person__organisation__name_zh",
        "person__organisation__name_en",
        "bio_zh",
        "bio_en",
        "photo",
    )
    return {
        pk: ProgrammeSpeaker(
            pk=pk,
            name_zh=name_zh,
            name_en=name_en,
            position_title=title,
            organisation_id=organisation_id,
            organisation_zh=org_zh or "",
            organisation_en=org_en or "",
            bio_zh=bio_zh,
            bio_en=bio_en,
            photo_url=storage.url(photo) if photo else "",
        )
        for pk, name_zh, name_en, title, organisation_id, org_zh, org_en, bio_zh, bio_en, photo in rows
    }


def _event_days(event: Event, dates: set[datetime.date]) -> list[datetime.date]:
    span = (event.ends_on - event.starts_on).days + 1
    days = {event.starts_on + datetime.timedelta(days=n) for n in range(max(span, 1))}
    return sorted(days | dates)


def _latest_version(event: Event) -> programme_models.ProgrammeVersion | None:
    return programme_models.ProgrammeVersion.objects.filter(event=event).order_by("-number").first()


def published_programme(*, event: Event) -> PublishedProgramme | None:
    """The event's latest published programme, or None before the first publication.

    Times, rooms, tracks, titles and speakers are the version's; names, colours, abstracts, biographies and free
    seats are read live (five queries whatever the size: the version, rooms, tracks, accepted speakers, and the
    sessions' abstracts and seats). Speakers who are not (or no longer) accepted are left out."""
    version = _latest_version(event)
    if version is None:
        return None
    rooms = _programme_rooms(event)
    tracks = _programme_tracks(event)
    speakers = _accepted_speakers(event)
    live: dict[int, dict[str, Any]] = {
        row["pk"]: dict(row)
        for row in Session.objects.filter(event=event).values(
            "pk", "abstract_zh", "abstract_en", "capacity", "seats_taken"
        )
    }
    zone = event.zone
    published: list[tuple[int, dict[str, Any], datetime.datetime, datetime.datetime]] = []
    for key, frozen in (version.sessions or {}).items():
        try:
            pk = int(key)
            starts_at, ends_at = _instant(frozen["starts_at"]), _instant(frozen["ends_at"])
        except (KeyError, TypeError, ValueError):
            continue  # not a scheduled session: the contract leaves those out
        published.append((pk, frozen, starts_at, ends_at))
    days = _event_days(event, {starts_at.astimezone(zone).date() for _, _, starts_at, _ in published})
    day_number = {date: number for number, date in enumerate(days, start=1)}
    sessions: list[PublishedSession] = []
    for pk, frozen, starts_at, ends_at in published:
        row = live.get(pk, {})
        capacity = row.get("capacity") if row else frozen.get("capacity")
        lines = tuple(
            SessionSpeakerLine(speaker=speakers[speaker_id], role=str(role))
            for speaker_id, role in frozen.get("speakers") or []
            if speaker_id in speakers
        )
        sessions.append(
            PublishedSession(
                pk=pk,
                kind=str(frozen.get("kind", "")),
                title_zh=str(frozen.get("title_zh") or ""),
                title_en=str(frozen.get("title_en") or ""),
                starts_at=starts_at,
                ends_at=ends_at,
                day=day_number[starts_at.astimezone(zone).date()],
                room=rooms.get(frozen.get("room") or 0),
                track=tracks.get(frozen.get("track") or 0),
                capacity=capacity,
                seats_left=None if capacity is None else max(0, capacity - row.get("seats_taken", 0)),
                closed_door=bool(frozen.get("closed_door")),
                speakers=lines,
                abstract_zh=row.get("abstract_zh", ""),
                abstract_en=row.get("abstract_en", ""),
            )
        )
    sessions.sort(key=lambda s: (s.starts_at, s.room.position if s.room else 1 << 16, s.room.pk if s.room else 0, s.pk))
    speaking = {line.speaker.pk for session in sessions for line in session.speakers}
    return PublishedProgramme(
        event=event,
        version=version.number,
        published_at=version.published_at,
        days=tuple(
            ProgrammeDay(number=number, date=date, sessions=tuple(s for s in sessions if s.day == number))
            for number, date in enumerate(days, start=1)
        ),
        rooms=tuple(sorted(rooms.values(), key=lambda room: (room.position, room.pk))),
        tracks=tuple(sorted(tracks.values(), key=lambda track: (track.position, track.pk))),
        speakers=tuple(
            sorted(
                (speaker for pk, speaker in speakers.items() if pk in speaking),
                key=lambda speaker: (speaker.name.casefold(), speaker.pk),
            )
        ),
        sessions=tuple(sessions),
    )


def session_preview(*, session: Session) -> PublishedSession:
    """A draft session as the public would see it once published (operators' preview); reads the session's
    speakers, rooms and tracks live."""
    event = session.event
    lines = tuple(
        SessionSpeakerLine(speaker=_programme_speaker(link.speaker), role=link.role)
        for link in SessionSpeaker.objects.filter(session=session).select_related("speaker__person__organisation")
    )
    scheduled = session.starts_at is not None and session.ends_at is not None
    placeholder = datetime.datetime.combine(event.starts_on, datetime.time(), tzinfo=event.zone)
    starts_at = session.starts_at or placeholder
    days = _event_days(event, set())
    local_day = starts_at.astimezone(event.zone).date()
    room = session.room
    track = session.track
    return PublishedSession(
        pk=session.pk,
        kind=session.kind,
        title_zh=session.title_zh,
        title_en=session.title_en,
        starts_at=starts_at,
        ends_at=session.ends_at or starts_at,
        day=days.index(local_day) + 1 if local_day in days else 1,
        room=ProgrammeRoom(room.pk, room.name_zh, room.name_en, room.building, room.position) if room else None,
        track=ProgrammeTrack(track.pk, track.name_zh, track.name_en, _colour(track.colour), track.position)
        if track
        else None,
        capacity=session.capacity,
        seats_left=session.seats_left,
        closed_door=session.closed_door,
        speakers=lines,
        abstract_zh=session.abstract_zh,
        abstract_en=session.abstract_en,
        published=False,
        scheduled=scheduled and session.room_id is not None,
    )


def speaker_preview(*, speaker: programme_models.Speaker) -> ProgrammeSpeaker:
    """Any speaker of the event (invited, declined, or not yet in a published session) as their page shows them:
    the operators' preview."""
    return _programme_speaker(speaker)


# --- Programme editor (part A): the live programme as clash checks and a version's snapshot see it ---------------

from chiptown.events import versions as programme_versions  # noqa: E402
from chiptown.events.clashes import Clash, Slot, programme_clashes  # noqa: E402
from chiptown.events.models import ProgrammeVersion  # noqa: E402


def _speakers_by_session(session_ids: Any) -> dict[int, list[tuple[int, str]]]:
    speakers: dict[int, list[tuple[int, str]]] = {}
    for session_id, speaker_id, role in (
        SessionSpeaker.objects.filter(session_id__in=session_ids)
        .order_by("session_id", "position", "id")
        .values_list("session_id", "speaker_id", "role")
    ):
        speakers.setdefault(session_id, []).append((speaker_id, role))
    return speakers


def programme_slots(*, event: Event) -> list[Slot]:
    """Every session of the event (scheduled or not) as clashes.programme_clashes sees it: two queries."""
    rows = list(
        Session.objects.filter(event=event)
        .order_by("starts_at", "id")
        .values_list("pk", "starts_at", "ends_at", "room_id", "room__capacity", "expected_audience", "planned_minutes")
    )
    speakers = _speakers_by_session(Session.objects.filter(event=event).values("pk"))
    return [
        Slot(
            session_id=pk,
            starts_at=starts_at,
            ends_at=ends_at,
            room_id=room_id,
            room_capacity=room_capacity,
            expected_audience=expected_audience,
            planned_minutes=planned_minutes,
            speaker_ids=tuple(speaker_id for speaker_id, _role in speakers.get(pk, [])),
        )
        for pk, starts_at, ends_at, room_id, room_capacity, expected_audience, planned_minutes in rows
    ]


def programme_schedule(*, event: Event) -> programme_versions.Schedule:
    """The live programme as a version would publish it (scheduled sessions only): two queries."""
    sessions = list(
        Session.objects.filter(event=event, room__isnull=False, starts_at__isnull=False, ends_at__isnull=False)
        .order_by("pk")
        .values_list(
            "pk",
            "kind",
            "title_zh",
            "title_en",
            "track_id",
            "room_id",
            "starts_at",
            "ends_at",
            "capacity",
            "closed_door",
        )
    )
    speakers = _speakers_by_session(
        Session.objects.filter(event=event, room__isnull=False, starts_at__isnull=False, ends_at__isnull=False).values(
            "pk"
        )
    )
    return {
        str(pk): programme_versions.session_entry(
            kind=kind,
            title_zh=title_zh,
            title_en=title_en,
            track=track_id,
            room=room_id,
            starts_at=starts_at,
            ends_at=ends_at,
            capacity=capacity,
            closed_door=closed_door,
            speakers=speakers.get(pk, []),
        )
        for pk, kind, title_zh, title_en, track_id, room_id, starts_at, ends_at, capacity, closed_door in sessions
        if starts_at is not None and ends_at is not None
    }


def latest_programme_version(*, event: Event) -> ProgrammeVersion | None:
    return ProgrammeVersion.objects.filter(event=event).order_by("-number").first()


def programme_warnings(*, event: Event) -> list[Clash]:
    """Every clash in the event's live programme, as warnings for the editor (two queries)."""
    return programme_clashes(
        programme_slots(event=event), first_day=event.starts_on, last_day=event.ends_on, zone=event.zone
    )


# --- Speakers and materials (part C): who is missing what, a speaker's own talks, guarded materials -------------

from dataclasses import dataclass as _dataclass  # noqa: E402

from django.core.paginator import Page, Paginator  # noqa: E402
from django.db.models import Count as _Count  # noqa: E402
from django.db.models import Exists, F, OuterRef, Prefetch  # noqa: E402

from chiptown.events.models import Material, Speaker, SpeakerRole, SpeakerStatus  # noqa: E402
from chiptown.events.models import ProgrammeVersion as _ProgrammeVersion  # noqa: E402

SPEAKERS_PER_PAGE = 50

# What a speaker may still owe, in the order the page and the reminder list them.
GAP_REPLY = "reply"
GAP_BIO_ZH = "bio_zh"
GAP_BIO_EN = "bio_en"
GAP_PHOTO = "photo"
GAP_SLIDES = "slides"


def _session_has_slides() -> Exists:
    """For a SessionSpeaker row: its session has at least one file marked as slides."""
    return Exists(Material.objects.filter(session=OuterRef("session_id"), is_slides=True))


def speaker_owes_something() -> Q:
    """Speakers still missing something: an answer, a biography in either language, a photo, or slides for a
    session where they give a talk (role speaker; moderators and panellists bring none). Declined speakers owe
    nothing. The same rule as speaker_gaps(), in SQL, so the page can filter and count before paginating."""
    talks_without_slides = Exists(
        SessionSpeaker.objects.filter(speaker=OuterRef("pk"), role=SpeakerRole.SPEAKER).filter(~_session_has_slides())
    )
    return ~Q(status=SpeakerStatus.DECLINED) & (
        Q(status=SpeakerStatus.INVITED) | Q(bio_zh="") | Q(bio_en="") | Q(photo="") | Q(talks_without_slides)
    )


@_dataclass(frozen=True)
class SpeakerTalk:
    """One of a speaker's sessions, and whether it has slides yet."""

    link: SessionSpeaker
    has_slides: bool

    @property
    def session(self) -> Session:
        return self.link.session

    @property
    def slides_expected(self) -> bool:
        return self.link.role == SpeakerRole.SPEAKER

    @property
    def slides_missing(self) -> bool:
        return self.slides_expected and not self.has_slides


@_dataclass(frozen=True)
class SpeakerGap:
    """One thing a speaker has not done yet: a GAP_* code, and the session for GAP_SLIDES."""

    code: str
    session: Session | None = None


def speaker_gaps(speaker: Speaker, talks: list[SpeakerTalk]) -> list[SpeakerGap]:
    """What the speaker still owes (see speaker_owes_something, its SQL twin)."""
    if speaker.status == SpeakerStatus.DECLINED:
        return []
    gaps: list[SpeakerGap] = []
    if speaker.status == SpeakerStatus.INVITED:
        gaps.append(SpeakerGap(GAP_REPLY))
    if not speaker.bio_zh:
        gaps.append(SpeakerGap(GAP_BIO_ZH))
    if not speaker.bio_en:
        gaps.append(SpeakerGap(GAP_BIO_EN))
    if not speaker.photo:
        gaps.append(SpeakerGap(GAP_PHOTO))
    gaps += [SpeakerGap(GAP_SLIDES, talk.session) for talk in talks if talk.slides_missing]
    return gaps


@_dataclass(frozen=True)
class SpeakerRow:
    speaker: Speaker
    talks: list[SpeakerTalk]
    gaps: list[SpeakerGap]

    @property
    def gap_codes(self) -> set[str]:
        return {gap.code for gap in self.gaps}


@_dataclass(frozen=True)
class SpeakerPage:
    page: Page[Speaker]
    rows: list[SpeakerRow]
    counts: dict[str, int]


def _speakers_with_talks(speakers: QuerySet[Speaker]) -> QuerySet[Speaker]:
    """Speakers with their person (and account, organisation) and their sessions, each marked with has_slides:
    three queries however many speakers and sessions."""
    links = (
        SessionSpeaker.objects.select_related("session")
        .annotate(has_slides=_session_has_slides())
        .order_by(F("session__starts_at").asc(nulls_last=True), "session_id")
    )
    return speakers.select_related("person", "person__organisation", "person__user").prefetch_related(
        Prefetch("session_speakers", queryset=links, to_attr="talk_links")
    )


def _speaker_row(speaker: Speaker) -> SpeakerRow:
    talks = [SpeakerTalk(link, bool(getattr(link, "has_slides", False))) for link in getattr(speaker, "talk_links", [])]
    return SpeakerRow(speaker=speaker, talks=talks, gaps=speaker_gaps(speaker, talks))


def speaker_counts(*, event: Event) -> dict[str, int]:
    """How many speakers an event has by status, and how many still owe something (one query)."""
    counts = Speaker.objects.filter(event=event).aggregate(
        total=_Count("pk"),
        invited=_Count("pk", filter=Q(status=SpeakerStatus.INVITED)),
        accepted=_Count("pk", filter=Q(status=SpeakerStatus.ACCEPTED)),
        declined=_Count("pk", filter=Q(status=SpeakerStatus.DECLINED)),
        missing=_Count("pk", filter=speaker_owes_something()),
    )
    return {name: int(value or 0) for name, value in counts.items()}


def speakers_page(
    *,
    event: Event,
    status: str = "",
    missing_only: bool = False,
    page_number: Any = None,
    per_page: int = SPEAKERS_PER_PAGE,
) -> SpeakerPage:
    """The operators' "who is missing what" table: one page of speakers (filtered by status, or to those who still
    owe something), each with their sessions and gaps, and the counts for the filters. Constant queries."""
    speakers = Speaker.objects.filter(event=event)
    if status in SpeakerStatus.values:
        speakers = speakers.filter(status=status)
    if missing_only:
        speakers = speakers.filter(speaker_owes_something())
    ordered = _speakers_with_talks(speakers.order_by("person__name_en", "person__name_zh", "pk"))
    page = Paginator(ordered, per_page).get_page(page_number)
    return SpeakerPage(page=page, rows=[_speaker_row(s) for s in page.object_list], counts=speaker_counts(event=event))


def speakers_to_remind(*, event: Event) -> list[SpeakerRow]:
    """Speakers who were sent an invitation, have an account to sign in with, and still owe something."""
    speakers = Speaker.objects.filter(
        speaker_owes_something(), event=event, invited_at__isnull=False, person__user__isnull=False
    ).order_by("pk")
    return [_speaker_row(s) for s in _speakers_with_talks(speakers)]


def speaker_gaps_for_talks(*, speaker: Speaker, links: list[SessionSpeaker]) -> list[SpeakerGap]:
    """What a speaker still owes, from their sessions as speaker_talks() reads them."""
    return speaker_gaps(speaker, [SpeakerTalk(link, bool(getattr(link, "has_slides", False))) for link in links])


def speaker_for_user(*, event: Event, user: Any) -> Speaker | None:
    """The signed-in person's own speaker row at an event (through the registry person linked to the account)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Speaker.objects.select_related("event", "person", "person__user").filter(event=event, person__user=user).first()
    )


def speaker_in_event(*, event: Event, pk: int) -> Speaker | None:
    return Speaker.objects.select_related("event", "person", "person__user").filter(event=event, pk=pk).first()


def speaker_talks(*, speaker: Speaker) -> QuerySet[SessionSpeaker]:
    """A speaker's sessions in time order, with room and track, each session's materials (newest first), and
    has_slides on each row."""
    materials = Material.objects.select_related("uploaded_by").order_by("-uploaded_at", "-pk")
    return (
        SessionSpeaker.objects.filter(speaker=speaker, session__event_id=speaker.event_id)
        .select_related("session", "session__room", "session__track")
        .annotate(has_slides=_session_has_slides())
        .prefetch_related(Prefetch("session__materials", queryset=materials))
        .order_by(F("session__starts_at").asc(nulls_last=True), "session_id")
    )


def material_in_event(*, event: Event, pk: int) -> Material | None:
    return Material.objects.select_related("session", "session__event").filter(pk=pk, session__event=event).first()


def session_is_published(*, session: Session) -> bool:
    """The session is in the event's latest published programme (what the public may see)."""
    event = session.event
    if not event.is_published:
        return False
    return _ProgrammeVersion.objects.filter(
        event=event, number=event.programme_version, sessions__has_key=str(session.pk)
    ).exists()


# --- Seats (part E): a person's sign-up, the waiting list, invitation lists, published times ---------------------

import datetime  # noqa: E402
from collections.abc import Iterable  # noqa: E402
from dataclasses import dataclass  # noqa: E402

from django.db.models import Func  # noqa: E402
from django.db.models import JSONField as _JSONField  # noqa: E402

from chiptown.events.models import ACTIVE_SIGNUP_STATUSES  # noqa: E402
from chiptown.events.models import ProgrammeVersion as _PublishedVersion  # noqa: E402

# {session id: (starts_at, ends_at)} as the latest published programme has them.
PublishedTimes = dict[int, tuple[datetime.datetime, datetime.datetime]]


class _ProgrammeEntry(Func):
    """One session's entry in a programme version's `sessions` JSON. Django's key lookups read a key that looks
    like a number ("42") as an array index, so the path is written here with the key quoted."""

    output_field = _JSONField()

    def __init__(self, session_id: int) -> None:
        super().__init__("sessions")
        self.key = str(int(session_id))

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        lhs, params = compiler.compile(self.source_expressions[0])
        return f"JSON_EXTRACT({lhs}, %s)", (*params, f'$."{self.key}"')

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        lhs, params = compiler.compile(self.source_expressions[0])
        return f"({lhs} -> %s)", (*params, self.key)


# A published version is frozen, so what it says about a session never changes: remembered per process, keyed by the
# event (its id and creation time, so that a deleted event's id reused by a new one is a new key), its version number
# and when that version was published (a new publication is a new key).
_published_entries: dict[tuple[Any, ...], tuple[datetime.datetime, datetime.datetime] | None] = {}
_PUBLISHED_ENTRIES_KEPT = 20_000


def published_times(*, event: Event, session_ids: Iterable[int]) -> PublishedTimes:
    """The published start and end of each of `session_ids` that is in the event's latest published programme
    (missing: not published). At most one query, which reads only those entries however large the programme."""
    ids = sorted(set(session_ids))
    if not ids or not event.programme_version:
        return {}
    version = (event.pk, event.created_at, event.programme_version, event.programme_published_at)
    remembered = event.programme_published_at is not None
    times: PublishedTimes = {}
    missing = []
    for pk in ids:
        if remembered and (version, pk) in _published_entries:
            span = _published_entries[(version, pk)]
            if span is not None:
                times[pk] = span
        else:
            missing.append(pk)
    if not missing:
        return times
    row = (
        _PublishedVersion.objects.filter(event_id=event.pk, number=event.programme_version)
        .order_by()
        .annotate(**{f"entry_{pk}": _ProgrammeEntry(pk) for pk in missing})
        .values(*(f"entry_{pk}" for pk in missing))
        .first()
    )
    if row is None:  # the version row is not there (yet): remember nothing
        return times
    if len(_published_entries) > _PUBLISHED_ENTRIES_KEPT:
        _published_entries.clear()
    for pk in missing:
        entry = row.get(f"entry_{pk}")
        found = None
        if isinstance(entry, dict) and entry.get("starts_at") and entry.get("ends_at"):
            found = (
                datetime.datetime.fromisoformat(entry["starts_at"]),
                datetime.datetime.fromisoformat(entry["ends_at"]),
            )
            times[pk] = found
        if remembered:
            _published_entries[(version, pk)] = found
    return times


def active_signup(*, session: Session, user: Any) -> Signup | None:
    """The person's seat, offer or waiting-list place in a session, if they hold one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Signup.objects.filter(session=session, registration__user=user, status__in=ACTIVE_SIGNUP_STATUSES)
        .select_related("registration")
        .first()
    )


def last_signup(*, session: Session, user: Any) -> Signup | None:
    """The person's latest sign-up in a session, active or ended (to say that an offer ran out)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Signup.objects.filter(session=session, registration__user=user).order_by("-created_at", "-pk").first()


def waiting_position(*, signup: Signup) -> int:
    """1 for the head of the waiting list; the list is ordered by when people joined it."""
    return (
        Signup.objects.filter(session_id=signup.session_id, status=SignupStatus.WAITING)
        .filter(Q(created_at__lt=signup.created_at) | Q(created_at=signup.created_at, pk__lt=signup.pk))
        .count()
        + 1
    )


@dataclass(frozen=True)
class SessionSignups:
    """A session's seats for the operators: confirmed, offered (with deadlines) and the waiting list in order."""

    session: Session
    confirmed: list[Signup]
    offered: list[Signup]
    waiting: list[Signup]

    @property
    def waiting_positions(self) -> list[tuple[int, Signup]]:
        return list(enumerate(self.waiting, start=1))

    @property
    def rows(self) -> list[tuple[int | None, Signup]]:
        """Everyone in the order the CSV lists them: seats, offers, then the waiting list with positions."""
        rows: list[tuple[int | None, Signup]] = [(None, s) for s in self.confirmed + self.offered]
        rows.extend(self.waiting_positions)
        return rows


def session_signups(*, session: Session) -> SessionSignups:
    """One query, whatever the number of people."""
    signups = list(
        Signup.objects.filter(session=session, status__in=ACTIVE_SIGNUP_STATUSES)
        .select_related("registration__user__person__organisation", "registration__user__organisation")
        .order_by("created_at", "pk")
    )
    return SessionSignups(
        session=session,
        confirmed=[s for s in signups if s.status == SignupStatus.CONFIRMED],
        offered=[s for s in signups if s.status == SignupStatus.OFFERED],
        waiting=[s for s in signups if s.status == SignupStatus.WAITING],
    )


def session_invitations(*, session: Session) -> QuerySet[Invitation]:
    return (
        Invitation.objects.filter(session=session)
        .select_related("person__organisation", "organisation", "created_by")
        .order_by("kind", "pk")
    )


def invited_user_ids(*, session: Session, users: Iterable[Any]) -> set[int]:
    """The ids of `users` on a closed-door session's invitation list, the same rule as is_invited, in two queries
    whatever their number (everyone, for an open session)."""
    users = list(users)
    if not session.closed_door:
        return {u.pk for u in users}
    invitations = list(
        Invitation.objects.filter(session=session).values_list("kind", "person_id", "organisation_id", "role")
    )
    people = {p for kind, p, _o, _r in invitations if kind == InvitationKind.PERSON}
    organisations = {o for kind, _p, o, _r in invitations if kind == InvitationKind.ORGANISATION}
    roles = {r for kind, _p, _o, r in invitations if kind == InvitationKind.ROLE}
    linked = dict(Person.objects.filter(user__in=[u.pk for u in users]).values_list("user_id", "pk"))
    person_organisations = dict(Person.objects.filter(pk__in=linked.values()).values_list("pk", "organisation_id"))
    invited: set[int] = set()
    for user in users:
        person_id = linked.get(user.pk)
        user_organisations = {user.organisation_id, person_organisations.get(person_id) if person_id else None}
        if (
            (person_id is not None and person_id in people)
            or (user_organisations - {None}) & organisations
            or user.role in roles
        ):
            invited.add(user.pk)
    return invited


def agenda_session_ids(*, registration: Registration) -> list[int]:
    """The ids of the sessions in a person's agenda (agenda_sessions' rule), for clash checks: one light query."""
    return list(
        Session.objects.filter(
            Q(agenda_items__registration=registration)
            | Q(signups__registration=registration, signups__status__in=[SignupStatus.CONFIRMED, SignupStatus.OFFERED])
        )
        .order_by()
        .values_list("pk", flat=True)
        .distinct()
    )


# --- Registration (part D): the operators' list of registrations, a person's own registration ------------------

from dataclasses import dataclass as _registration_dataclass  # noqa: E402

from django.core.paginator import Page as _RegistrationPage  # noqa: E402
from django.core.paginator import Paginator as _RegistrationPaginator  # noqa: E402
from django.db.models import Count as _RegistrationCount  # noqa: E402

from chiptown.events.models import AttendeeType as _AttendeeType  # noqa: E402

REGISTRATIONS_PER_PAGE = 50
# What a registration's row, badge and page show about its holder, fetched in the same query.
REGISTRATION_RELATED = ("event", "user__person__organisation", "user__organisation")
# The fields a registration search looks in: the same as the check-in desk's search.
REGISTRATION_SEARCH_FIELDS = (
    "user__first_name",
    "user__last_name",
    "user__username",
    "user__email",
    "user__person__name_zh",
    "user__person__name_en",
    "user__person__organisation__name_zh",
    "user__person__organisation__name_en",
    "user__organisation__name_zh",
    "user__organisation__name_en",
)


@_registration_dataclass(frozen=True)
class RegistrationsPage:
    page: _RegistrationPage  # of Registration, holders fetched with them
    counts: dict[str, int]  # registrations by status, whatever the filters
    total: int  # registrations of the event, whatever the filters


def registrations_page(
    *,
    event: Event,
    text: str = "",
    status: str = "",
    attendee_type: str = "",
    page_number: Any = 1,
    per_page: int = REGISTRATIONS_PER_PAGE,
) -> RegistrationsPage:
    """The operators' list: registrations whose name, email or organisation contains every word of `text`, of a
    status and attendee type if given, newest first. Three queries whatever the size (counts, page count, page)."""
    found = Registration.objects.filter(event=event)
    for word in text.split()[:5]:
        any_field = Q()
        for name in REGISTRATION_SEARCH_FIELDS:
            any_field |= Q(**{f"{name}__icontains": word})
        found = found.filter(any_field)
    if status in RegistrationStatus.values:
        found = found.filter(status=status)
    if attendee_type in _AttendeeType.values:
        found = found.filter(attendee_type=attendee_type)
    found = found.select_related(*REGISTRATION_RELATED).order_by("-created_at", "-pk")
    counts = {
        row["status"]: row["n"]
        for row in Registration.objects.filter(event=event)
        .values("status")
        .annotate(n=_RegistrationCount("pk"))
        .order_by()
    }
    page = _RegistrationPaginator(found, per_page).get_page(page_number)
    return RegistrationsPage(page=page, counts=counts, total=sum(counts.values()))


def registration_with_holder(*, event: Event, user: Any) -> Registration | None:
    """A person's registration for an event with what their badge shows (name, organisation), in one query."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Registration.objects.select_related(*REGISTRATION_RELATED).filter(event=event, user=user).first()


def registration_in_event(*, event: Event, pk: int) -> Registration | None:
    return Registration.objects.select_related(*REGISTRATION_RELATED).filter(event=event, pk=pk).first()
