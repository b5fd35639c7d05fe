"""The industry conference: events, rooms, tracks, sessions and their speakers, published programme versions,
registrations with badges, seats in capacity-limited sessions with a waiting list, closed-door invitations,
check-in and feedback.

Times are stored in UTC and shown in the event's time zone."""

import secrets
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chiptown.registry.models import pick_language


def _new_nonce() -> str:
    return secrets.token_urlsafe(12)


class Event(models.Model):
    """One conference (e.g. the 2026 Chip to E-Town conference), a few consecutive days at one or more venues."""

    slug = models.SlugField(_("short name"), max_length=64, unique=True, help_text=_("Used in addresses, e.g. 2026."))
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    venue_zh = models.CharField(_("venue (Chinese)"), max_length=200, blank=True)
    venue_en = models.CharField(_("venue (English)"), max_length=200, blank=True)
    registration_open = models.BooleanField(_("registration open"), default=False)
    requires_approval = models.BooleanField(
        _("registrations need approval"), default=False, help_text=_("An operator confirms each registration.")
    )
    # The questions an operator adds to the registration form, in the same shape as a competition category's
    # form fields: [{"name", "label_en", "label_zh", "type": text|textarea|number|url|choice, "required", ...}].
    form_fields = models.JSONField(_("registration form fields"), default=list, blank=True)
    offer_hold_hours = models.PositiveSmallIntegerField(
        _("hours to accept a freed seat"),
        default=24,
        help_text=_("How long a person at the head of a waiting list has to take a freed seat before it passes on."),
    )
    programme_version = models.PositiveIntegerField(_("published programme version"), default=0)
    programme_published_at = models.DateTimeField(_("programme published"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="event_ends_after_it_starts"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("events:programme", args=[self.slug])

    @property
    def display_name(self) -> str:
        return pick_language(self.name_zh, self.name_en)

    @property
    def venue(self) -> str:
        return pick_language(self.venue_zh, self.venue_en)

    @property
    def description(self) -> str:
        return pick_language(self.description_zh, self.description_en)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def is_published(self) -> bool:
        return self.programme_version > 0


class Room(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    building = models.CharField(_("building / floor"), max_length=100, blank=True)
    capacity = models.PositiveIntegerField(_("seats"))
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["event", "position", "id"]
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["event", "name_en"], name="room_name_once_per_event"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="room_has_seats"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick_language(self.name_zh, self.name_en)


class Track(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tracks")
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    colour = models.CharField(
        _("colour"), max_length=7, default="#1f6feb", help_text=_("A hex colour such as #1f6feb, used in the grid.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["event", "position", "id"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        constraints = [models.UniqueConstraint(fields=["event", "name_en"], name="track_name_once_per_event")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick_language(self.name_zh, self.name_en)


class SessionKind(models.TextChoices):
    KEYNOTE = "keynote", _("Keynote")
    PANEL = "panel", _("Hot-topic panel")
    SALON = "salon", _("Innovation salon")
    WORKSHOP = "workshop", _("Closed-door workshop")
    CEREMONY = "ceremony", _("Awards ceremony")
    BREAK = "break", _("Break")


class Session(models.Model):
    """A slot in the programme. Unscheduled until it has a room and both times.

    `capacity` set means people sign up for a seat (salons, workshops); `seats_taken` counts confirmed seats
    plus seats held for an open waiting-list offer, and a database constraint keeps it within `capacity`, so
    no session can be overbooked whatever the concurrency. `closed_door` means invitation only, with an NDA."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    kind = models.CharField(_("type"), max_length=16, choices=SessionKind.choices)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    abstract_zh = models.TextField(_("abstract (Chinese)"), blank=True)
    abstract_en = models.TextField(_("abstract (English)"), blank=True)
    track = models.ForeignKey(
        Track, verbose_name=_("track"), null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    room = models.ForeignKey(
        Room, verbose_name=_("room"), null=True, blank=True, on_delete=models.SET_NULL, related_name="sessions"
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    expected_audience = models.PositiveIntegerField(_("expected audience"), null=True, blank=True)
    planned_minutes = models.PositiveSmallIntegerField(
        _("planned length (minutes)"),
        null=True,
        blank=True,
        help_text=_("How long the talk or panel runs; the editor warns when its slot is shorter."),
    )
    capacity = models.PositiveIntegerField(
        _("seats for sign-up"),
        null=True,
        blank=True,
        help_text=_("Leave empty when anyone registered may come; set it for salons and workshops with sign-up."),
    )
    seats_taken = models.PositiveIntegerField(default=0, editable=False)
    closed_door = models.BooleanField(_("closed door (invitation only)"), default=False)
    nda_zh = models.TextField(_("non-disclosure terms (Chinese)"), blank=True)
    nda_en = models.TextField(_("non-disclosure terms (English)"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["event", "starts_at", "room__position", "id"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["event", "starts_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(title_zh="", title_en=""), name="session_has_a_title"),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="session_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True, seats_taken=0) | Q(seats_taken__lte=F("capacity")),
                name="session_never_overbooked",
            ),
        ]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("events:session", args=[self.event.slug, self.pk])

    @property
    def display_title(self) -> str:
        return pick_language(self.title_zh, self.title_en)

    @property
    def abstract(self) -> str:
        return pick_language(self.abstract_zh, self.abstract_en)

    @property
    def nda(self) -> str:
        return pick_language(self.nda_zh, self.nda_en)

    @property
    def is_scheduled(self) -> bool:
        return self.room_id is not None and self.starts_at is not None and self.ends_at is not None

    @property
    def takes_signup(self) -> bool:
        return self.capacity is not None

    @property
    def seats_left(self) -> int | None:
        return None if self.capacity is None else max(0, self.capacity - self.seats_taken)


class SpeakerStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Speaker(models.Model):
    """A registry person invited to speak at an event; keeps their own bio, photo and slides up to date."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="speaker_roles")
    status = models.CharField(_("status"), max_length=16, choices=SpeakerStatus.choices, default=SpeakerStatus.INVITED)
    bio_zh = models.TextField(_("biography (Chinese)"), blank=True)
    bio_en = models.TextField(_("biography (English)"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="speakers/", blank=True)
    invited_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["event", "person__name_en", "person__name_zh"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        constraints = [models.UniqueConstraint(fields=["event", "person"], name="speaker_once_per_event")]

    def __str__(self) -> str:
        return str(self.person)

    def get_absolute_url(self) -> str:
        return reverse("events:speaker", args=[self.event.slug, self.pk])

    @property
    def bio(self) -> str:
        return pick_language(self.bio_zh, self.bio_en)


class SpeakerRole(models.TextChoices):
    SPEAKER = "speaker", _("Speaker")
    MODERATOR = "moderator", _("Moderator")
    PANELLIST = "panellist", _("Panellist")


class SessionSpeaker(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="session_speakers")
    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="session_speakers")
    role = models.CharField(_("role"), max_length=16, choices=SpeakerRole.choices, default=SpeakerRole.SPEAKER)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["session", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "speaker"], name="speaker_once_per_session")]

    def __str__(self) -> str:
        return f"{self.speaker} ({self.get_role_display()})"


class Material(models.Model):
    """Slides or another file for a session. For a closed-door workshop only admitted participants may open it;
    the download view checks that on every request (files are never served straight from media)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to="materials/")
    is_slides = models.BooleanField(_("slides"), default=False)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "-uploaded_at"]
        verbose_name = _("material")
        verbose_name_plural = _("materials")

    def __str__(self) -> str:
        return self.title


class ProgrammeVersion(models.Model):
    """What was published: a frozen copy of every scheduled session, and what changed against the last one."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="programme_versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    # {session id: {"title_zh", "title_en", "kind", "room", "starts_at", "ends_at", "speakers": [...]}}
    sessions = models.JSONField(default=dict)
    # [{"session": id, "change": "added"|"removed"|"moved"|"retimed"|"renamed"|"speakers", ...}]
    changes = models.JSONField(default=list)
    notified = models.PositiveIntegerField(_("people told"), default=0)

    class Meta:
        ordering = ["event", "-number"]
        verbose_name = _("programme version")
        verbose_name_plural = _("programme versions")
        constraints = [models.UniqueConstraint(fields=["event", "number"], name="programme_version_once")]

    def __str__(self) -> str:
        return f"{self.event} v{self.number}"


class AttendeeType(models.TextChoices):
    GENERAL = "general", _("General")
    VIP = "vip", _("VIP")
    MEDIA = "media", _("Media")
    SPEAKER = "speaker", _("Speaker")
    STAFF = "staff", _("Staff")


# The types a person may choose when registering; the others are given by an operator.
SELF_SERVICE_TYPES = (AttendeeType.GENERAL, AttendeeType.MEDIA)


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Not approved")
    CANCELLED = "cancelled", _("Cancelled")


class Registration(models.Model):
    """A person's place at the conference. One per person and event; cancelling and registering again reuses the
    row with a new `badge_nonce`, so the old badge stops working."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registrations")
    attendee_type = models.CharField(
        _("attendee type"), max_length=16, choices=AttendeeType.choices, default=AttendeeType.GENERAL
    )
    status = models.CharField(
        _("status"), max_length=16, choices=RegistrationStatus.choices, default=RegistrationStatus.PENDING
    )
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    badge_nonce = models.CharField(max_length=32, default=_new_nonce, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["event", "created_at"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="registration_once_per_person")]
        indexes = [models.Index(fields=["event", "status"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.event}"

    @property
    def is_active(self) -> bool:
        return self.status == RegistrationStatus.CONFIRMED


class SignupStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    WAITING = "waiting", _("On the waiting list")
    OFFERED = "offered", _("Seat offered")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Offer expired")


# A person holds at most one of these per session at a time.
ACTIVE_SIGNUP_STATUSES = (SignupStatus.CONFIRMED, SignupStatus.WAITING, SignupStatus.OFFERED)


class Signup(models.Model):
    """A registered person's claim on a seat in a session that takes sign-up: a seat, a place in the waiting
    list (ordered by `created_at`, then id), or an offer of a freed seat until `offered_until`."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="signups")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="signups")
    status = models.CharField(_("status"), max_length=16, choices=SignupStatus.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    offered_until = models.DateTimeField(_("offer open until"), null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    nda_accepted_at = models.DateTimeField(_("NDA accepted"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("attended"), null=True, blank=True)

    class Meta:
        ordering = ["session", "created_at", "id"]
        verbose_name = _("sign-up")
        verbose_name_plural = _("sign-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "registration"],
                condition=Q(status__in=["confirmed", "waiting", "offered"]),
                name="one_active_signup_per_session",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered") | Q(offered_until__isnull=False), name="offer_has_a_deadline"
            ),
        ]
        indexes = [models.Index(fields=["session", "status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.registration.user} → {self.session} ({self.get_status_display()})"


class AgendaItem(models.Model):
    """A session a person has put in their own agenda (sessions with sign-up come in through their Signup)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="agenda_items")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="agenda_items")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["registration", "session"], name="agenda_item_once")]

    def __str__(self) -> str:
        return f"{self.registration.user} → {self.session}"


class InvitationKind(models.TextChoices):
    PERSON = "person", _("A person")
    ORGANISATION = "organisation", _("Everyone from an organisation")
    ROLE = "role", _("Everyone with a role")


class Invitation(models.Model):
    """One line of a closed-door session's invitation list: a person, an organisation, or a user role."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(_("who"), max_length=16, choices=InvitationKind.choices)
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("role"), max_length=16, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "kind", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="person", person__isnull=False, organisation__isnull=True, role="")
                    | Q(kind="organisation", person__isnull=True, organisation__isnull=False, role="")
                    | (Q(kind="role", person__isnull=True, organisation__isnull=True) & ~Q(role=""))
                ),
                name="invitation_names_one_thing",
            ),
            models.UniqueConstraint(fields=["session", "person"], name="invitation_person_once"),
            models.UniqueConstraint(fields=["session", "organisation"], name="invitation_organisation_once"),
            models.UniqueConstraint(fields=["session", "role"], condition=Q(kind="role"), name="invitation_role_once"),
        ]

    def __str__(self) -> str:
        return str(self.person or self.organisation or self.role)


class Feedback(models.Model):
    """A short survey answer about one session, one per person and session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="feedback")
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="feedback")
    rating = models.PositiveSmallIntegerField(_("overall"))
    content_rating = models.PositiveSmallIntegerField(_("content"))
    speaker_rating = models.PositiveSmallIntegerField(_("speakers"))
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(fields=["session", "registration"], name="feedback_once"),
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5)
                & Q(content_rating__gte=1, content_rating__lte=5)
                & Q(speaker_rating__gte=1, speaker_rating__lte=5),
                name="feedback_ratings_one_to_five",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.rating}/5"
