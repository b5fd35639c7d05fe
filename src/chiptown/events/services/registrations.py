"""Writes for conference registration: registering (with the event's own questions), the organisers' approval,
self-service cancelling and changing, the badge email, the organisers' registration settings, and a person's own
agenda.

A person has one registration row per event. Cancelling gives the row a new badge nonce, so the old badge (and
the old personal calendar feed address) stops working at once; registering again reuses the row with yet another
nonce. Every function is keyword-only, checks permissions with rules, validates with problems naming the field,
runs in one transaction and writes an audit entry. Emails go out after the commit."""

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chiptown.core.addresses import absolute_url
from chiptown.core.errors import ChipTownError, Conflict, NotFound, PermissionDenied, Problem
from chiptown.core.i18n import join_list
from chiptown.core.models import Job
from chiptown.core.notifications import notify
from chiptown.core.questions import clean_answers, question_list_problems
from chiptown.core.rules import require
from chiptown.core.services import audit_record, job_create, snapshot
from chiptown.events import badges, selectors
from chiptown.events.clashes import Clash, Slot, agenda_clashes
from chiptown.events.models import (
    SELF_SERVICE_TYPES,
    AgendaItem,
    AttendeeType,
    Event,
    Registration,
    RegistrationStatus,
    Session,
    _new_nonce,
)

REGISTRATION_FIELDS = ("attendee_type", "status", "answers", "decided_at", "cancelled_at", "badge_nonce")
REASON_MAX_LENGTH = 2000
BADGE_JOB_KIND = "events.badge_emails"


def _invalid(problems: list[Problem]) -> ChipTownError:
    return ChipTownError(_("Some fields are not valid."), code="invalid", problems=problems)


def _operator(by: Any, event: Event) -> bool:
    return bool(by.has_perm("events.manage", event))


def _lock(registration: Registration) -> Registration:
    # NO KEY UPDATE: a sign-up inserted at the same moment (its row references this one) must not deadlock with us.
    locked = (
        Registration.objects.select_for_update(of=("self",), no_key=True)
        .select_related("event", "user")
        .filter(pk=registration.pk)
        .first()
    )
    if locked is None:
        raise NotFound(_("No such registration."))
    return locked


def _snapshot(registration: Registration) -> dict[str, Any]:
    return snapshot(registration, REGISTRATION_FIELDS)


def _type_problems(attendee_type: Any, *, operator: bool) -> list[Problem]:
    if attendee_type not in AttendeeType.values:
        allowed = join_list(t.label for t in (AttendeeType if operator else SELF_SERVICE_TYPES))
        return [
            Problem(
                reason=_("Choose one of these attendee types: %(types)s.") % {"types": allowed},
                column="attendee_type",
            )
        ]
    if not operator and attendee_type not in SELF_SERVICE_TYPES:
        return [
            Problem(
                reason=_("You can register as %(types)s; VIP, speaker and staff places are given by the organisers.")
                % {"types": join_list(t.label for t in SELF_SERVICE_TYPES)},
                column="attendee_type",
            )
        ]
    return []


def _send_after_commit(registration_id: int, template: str, subject: str, context: dict[str, Any]) -> None:
    """An email about a registration once the write is committed (none for a refused or rolled-back change)."""

    def send() -> None:
        registration = Registration.objects.select_related("event", "user").get(pk=registration_id)
        notify(
            users=[registration.user],
            subject=subject,
            template=template,
            context={
                **context,
                "registration": registration,
                "event": registration.event,
                "site_url": absolute_url(),
                "my_url": reverse("events:my_registration", args=[registration.event.slug]),
            },
        )

    transaction.on_commit(send)


def _badge_after_commit(registration_id: int) -> None:
    def send() -> None:
        registration = Registration.objects.select_related("event", "user").get(pk=registration_id)
        if registration.status == RegistrationStatus.CONFIRMED:
            registration_send_badge(registration=registration)

    transaction.on_commit(send)


# --- Registering -------------------------------------------------------------------------------------------------


def registration_create(
    *, event: Event, user: Any, attendee_type: str, answers: Mapping[str, Any] | None, by: Any
) -> Registration:
    """Register `user` for `event` (people register themselves; operators may register anyone, as any type).

    Registration must be open; a person chooses a general or media place; the answers must satisfy the event's
    questions. A second registration is a conflict unless the first was cancelled: then the row is reused with a
    new badge nonce. Confirmed at once, or awaiting approval if the event requires it; a confirmed person gets
    their badge by email."""
    require(by, "events.register", event, _("Log in to register."))
    operator = _operator(by, event)
    if not operator and getattr(user, "pk", None) != by.pk:
        raise PermissionDenied(_("You may register only yourself."))
    if not event.registration_open:
        raise Conflict(
            _("Registration for %(event)s is closed.") % {"event": event.display_name}, code="registration_closed"
        )
    problems = _type_problems(attendee_type, operator=operator)
    cleaned, answer_problems = clean_answers(event.form_fields or [], answers or {}, final=True)
    problems += answer_problems
    if problems:
        raise _invalid(problems)
    status = RegistrationStatus.PENDING if event.requires_approval else RegistrationStatus.CONFIRMED
    now = timezone.now()
    with transaction.atomic():
        existing = Registration.objects.select_for_update(no_key=True).filter(event=event, user=user).first()
        if existing is not None and existing.status != RegistrationStatus.CANCELLED:
            raise _already_registered(event, user, by)
        if existing is not None:
            before = _snapshot(existing)
            existing.attendee_type = attendee_type
            existing.status = status
            existing.answers = cleaned
            existing.badge_nonce = _new_nonce()
            existing.decided_at = now if status == RegistrationStatus.CONFIRMED else None
            existing.cancelled_at = None
            existing.checked_in_at = None
            existing.checked_in_by = None
            existing.save()
            registration = existing
            audit_record(
                actor=by,
                action="events.registration.renew",
                target=registration,
                before=before,
                after=_snapshot(existing),
            )
        else:
            try:
                with transaction.atomic():
                    registration = Registration.objects.create(
                        event=event,
                        user=user,
                        attendee_type=attendee_type,
                        status=status,
                        answers=cleaned,
                        decided_at=now if status == RegistrationStatus.CONFIRMED else None,
                    )
            except IntegrityError as exc:  # someone registered the same person a moment ago
                raise _already_registered(event, user, by) from exc
            audit_record(
                actor=by, action="events.registration.create", target=registration, after=_snapshot(registration)
            )
        if status == RegistrationStatus.CONFIRMED:
            _badge_after_commit(registration.pk)
        else:
            _send_after_commit(
                registration.pk,
                "events/email/registration_received.txt",
                gettext_noop("We received your conference registration"),
                {},
            )
    return registration


def _already_registered(event: Event, user: Any, by: Any) -> Conflict:
    if getattr(user, "pk", None) == by.pk:
        message = _("You are already registered for %(event)s.") % {"event": event.display_name}
    else:
        message = _("%(name)s is already registered for %(event)s.") % {
            "name": selectors.person_name(user),
            "event": event.display_name,
        }
    return Conflict(message, code="already_registered")


# --- The organisers' decisions -----------------------------------------------------------------------------------


def _reason_problems(reason: str, *, required: bool) -> list[Problem]:
    if required and not reason:
        return [Problem(reason=_("Say why the registration is not approved."), column="reason")]
    if len(reason) > REASON_MAX_LENGTH:
        return [
            Problem(
                reason=_("At most %(n)d characters (got %(got)d).") % {"n": REASON_MAX_LENGTH, "got": len(reason)},
                column="reason",
            )
        ]
    return []


def registration_decide(*, registration: Registration, approve: bool, reason: str = "", by: Any) -> Registration:
    """An organiser approves or rejects a registration awaiting approval (a reason is required to reject; it goes
    into the email and the audit log). Approval sends the badge; rejection releases any seats the person held."""
    require(by, "events.manage", registration.event, _("Only the organisers may approve registrations."))
    reason = (reason or "").strip()
    problems = _reason_problems(reason, required=not approve)
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        locked = _lock(registration)
        if locked.status != RegistrationStatus.PENDING:
            raise Conflict(
                _("This registration is not awaiting approval (it is %(status)s).")
                % {"status": locked.get_status_display().lower()},
                code="not_pending",
            )
        before = _snapshot(locked)
        locked.status = RegistrationStatus.CONFIRMED if approve else RegistrationStatus.REJECTED
        locked.decided_at = timezone.now()
        locked.save(update_fields=["status", "decided_at"])
        if not approve:
            from chiptown.events.services.seats import signups_cancel_all

            signups_cancel_all(registration=locked, by=by)
        audit_record(
            actor=by,
            action="events.registration.approve" if approve else "events.registration.reject",
            target=locked,
            before=before,
            after={**_snapshot(locked), "reason": reason},
        )
        if approve:
            _badge_after_commit(locked.pk)
        else:
            _send_after_commit(
                locked.pk,
                "events/email/registration_rejected.txt",
                gettext_noop("Your conference registration was not approved"),
                {"reason": reason},
            )
    return locked


def registrations_approve(*, event: Event, registration_ids: Iterable[int], by: Any) -> tuple[int, Job | None]:
    """Approve many registrations awaiting approval at once (the others among `registration_ids` are left as they
    are), in one transaction; the badges go out afterwards in a background job. Returns how many were approved
    and the job sending their badges (None if none were)."""
    from chiptown.events.tasks import send_badges

    require(by, "events.manage", event, _("Only the organisers may approve registrations."))
    ids = sorted({int(pk) for pk in registration_ids})
    with transaction.atomic():
        pending = list(
            Registration.objects.select_for_update(of=("self",), no_key=True)
            .select_related("event", "user")
            .filter(event=event, pk__in=ids, status=RegistrationStatus.PENDING)
            .order_by("pk")
        )
        if not pending:
            return 0, None
        now = timezone.now()
        for registration in pending:
            before = _snapshot(registration)
            registration.status = RegistrationStatus.CONFIRMED
            registration.decided_at = now
            audit_record(
                actor=by,
                action="events.registration.approve",
                target=registration,
                before=before,
                after={**_snapshot(registration), "reason": ""},
            )
        Registration.objects.bulk_update(pending, ["status", "decided_at"])
        job = job_create(
            kind=BADGE_JOB_KIND,
            title=_("Badges for %(count)d approved registrations of %(event)s")
            % {"count": len(pending), "event": event.display_name},
            by=by,
        )
        job_id, approved_ids = str(job.pk), [r.pk for r in pending]
        language = translation.get_language() or ""
        transaction.on_commit(
            lambda: send_badges.enqueue(job_id=job_id, registration_ids=approved_ids, language=language)
        )
    return len(pending), job


# --- Cancelling and changing -------------------------------------------------------------------------------------


def registration_cancel(*, registration: Registration, by: Any) -> Registration:
    """Cancel a registration (the person themselves, or an organiser): it gets a new badge nonce so the old badge
    no longer checks in, every seat and waiting-list place is released, and the personal agenda is cleared."""
    require(by, "events.change_registration", registration, _("You may cancel only your own registration."))
    with transaction.atomic():
        locked = _lock(registration)
        if locked.status == RegistrationStatus.CANCELLED:
            raise Conflict(_("This registration is already cancelled."), code="cancelled")
        if locked.status == RegistrationStatus.REJECTED:
            raise Conflict(_("This registration was not approved; there is nothing to cancel."), code="rejected")
        before = _snapshot(locked)
        locked.status = RegistrationStatus.CANCELLED
        locked.cancelled_at = timezone.now()
        locked.badge_nonce = _new_nonce()
        locked.save(update_fields=["status", "cancelled_at", "badge_nonce"])
        from chiptown.events.services.seats import signups_cancel_all

        released = signups_cancel_all(registration=locked, by=by)
        agenda, _counts = AgendaItem.objects.filter(registration=locked).delete()
        audit_record(
            actor=by,
            action="events.registration.cancel",
            target=locked,
            before=before,
            after={**_snapshot(locked), "signups_released": released, "agenda_items_removed": agenda},
        )
        _send_after_commit(
            locked.pk,
            "events/email/registration_cancelled.txt",
            gettext_noop("Your conference registration is cancelled"),
            {},
        )
    return locked


def registration_change(
    *,
    registration: Registration,
    attendee_type: str | None = None,
    answers: Mapping[str, Any] | None = None,
    by: Any,
) -> Registration:
    """Change a registration that is awaiting approval or confirmed: the person changes their answers (all of
    them at once, checked against the event's questions); organisers may also change the attendee type, which
    sends a confirmed person a new badge email (the badge shows the type)."""
    require(by, "events.change_registration", registration, _("You may change only your own registration."))
    event = registration.event
    operator = _operator(by, event)
    problems: list[Problem] = []
    type_changes = attendee_type is not None and attendee_type != registration.attendee_type
    if type_changes:
        require(by, "events.manage", event, _("Only the organisers may change an attendee type."))
        problems += _type_problems(attendee_type, operator=operator)
    cleaned: dict[str, Any] | None = None
    if answers is not None:
        cleaned, answer_problems = clean_answers(event.form_fields or [], answers, final=True)
        problems += answer_problems
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        locked = _lock(registration)
        if locked.status not in (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED):
            raise Conflict(
                _("This registration is %(status)s and can no longer be changed.")
                % {"status": locked.get_status_display().lower()},
                code="closed",
            )
        before = _snapshot(locked)
        if type_changes:
            locked.attendee_type = str(attendee_type)
        if cleaned is not None:
            locked.answers = cleaned
        after = _snapshot(locked)
        if after == before:
            return locked
        locked.save(update_fields=["attendee_type", "answers"])
        audit_record(actor=by, action="events.registration.change", target=locked, before=before, after=after)
        if type_changes and locked.status == RegistrationStatus.CONFIRMED:
            _badge_after_commit(locked.pk)
    return locked


# --- The badge email ---------------------------------------------------------------------------------------------


def event_ics(*, event: Event) -> bytes:
    """The whole event as one calendar entry (RFC 5545): from the first session's start to the last one's end
    (09:00 to 18:00 while nothing is scheduled), at the venue, in the event's time zone with its VTIMEZONE."""
    import icalendar
    from django.db.models import Max, Min

    from chiptown.events import calendars

    zone = event.zone
    span = Session.objects.filter(
        event=event, starts_at__isnull=False, ends_at__isnull=False, room__isnull=False
    ).aggregate(first=Min("starts_at"), last=Max("ends_at"))
    starts_at = span["first"] or datetime.datetime.combine(event.starts_on, datetime.time(9), tzinfo=zone)
    ends_at = span["last"] or datetime.datetime.combine(event.ends_on, datetime.time(18), tzinfo=zone)
    calendar = icalendar.Calendar()
    calendar.add("prodid", calendars.PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-timezone", event.timezone)
    entry = icalendar.Event()
    entry.add("uid", f"event-{event.pk}@{calendars.site_host()}")
    entry.add("dtstamp", timezone.now().astimezone(datetime.UTC))
    entry.add("dtstart", starts_at.astimezone(zone))
    entry.add("dtend", ends_at.astimezone(zone))
    entry.add("summary", event.display_name)
    if event.venue:
        entry.add("location", event.venue)
    if event.description:
        entry.add("description", event.description)
    entry.add("url", absolute_url(reverse("events:programme", args=[event.slug])))
    entry.add("status", "CONFIRMED")
    entry.add("transp", "OPAQUE")
    calendar.add_component(entry)
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def badge_attachments(registration: Registration) -> list[tuple[str, bytes, str]]:
    """The badge's QR code (PNG) and the event as an .ics file, named after the event."""
    slug = registration.event.slug
    return [
        (f"badge-{slug}.png", badges.badge_qr_png(registration), "image/png"),
        (f"{slug}.ics", event_ics(event=registration.event), "text/calendar"),
    ]


def registration_send_badge(*, registration: Registration) -> int:
    """Email a confirmed person their badge, in their language: the QR code as a PNG and the event as an .ics
    file attached. Returns how many emails were sent (0 for a person without an address)."""
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Conflict(_("Only a confirmed registration has a badge."), code="not_confirmed")
    return notify(
        users=[registration.user],
        subject=gettext_noop("Your conference badge"),
        template="events/email/registration_confirmed.txt",
        context={
            "registration": registration,
            "event": registration.event,
            "site_url": absolute_url(),
            "my_url": reverse("events:my_registration", args=[registration.event.slug]),
            "badge_url": badges.badge_url(registration),
        },
        attachments=lambda user: badge_attachments(registration),
    )


def registration_badge_resend(*, registration: Registration, by: Any) -> int:
    """An organiser sends a confirmed person their badge again (e.g. they lost the email)."""
    require(by, "events.manage", registration.event, _("Only the organisers may re-send badges."))
    sent = registration_send_badge(registration=registration)
    audit_record(actor=by, action="events.registration.badge_resend", target=registration, after={"sent": sent})
    return sent


# --- The organisers' settings ------------------------------------------------------------------------------------


REGISTRATION_SETTINGS = ("registration_open", "requires_approval", "form_fields")


def registration_settings_update(
    *, event: Event, registration_open: bool, requires_approval: bool, form_fields: Any, by: Any
) -> Event:
    """Open or close registration, require approval or not, and set the registration form's own questions
    (checked with core.questions: every problem is reported, nothing is saved if one is wrong)."""
    require(by, "events.manage", event, _("Only the organisers may change registration."))
    problems = question_list_problems(form_fields, column="form_fields")
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        locked = Event.objects.select_for_update().get(pk=event.pk)
        before = snapshot(locked, REGISTRATION_SETTINGS)
        locked.registration_open = bool(registration_open)
        locked.requires_approval = bool(requires_approval)
        locked.form_fields = form_fields
        locked.save(update_fields=list(REGISTRATION_SETTINGS))
        audit_record(
            actor=by,
            action="events.registration_settings",
            target=locked,
            before=before,
            after=snapshot(locked, REGISTRATION_SETTINGS),
        )
    return locked


# --- A person's own agenda ---------------------------------------------------------------------------------------


def agenda_toggle(*, registration: Registration, session: Session, by: Any) -> bool:
    """Put a session in a person's agenda, or take it out again; returns whether it is in the agenda now.

    Only a confirmed registration has an agenda; the session must be one of the event's published sessions that
    anyone registered may attend (sessions with sign-up come into the agenda through their seat)."""
    require(by, "events.change_registration", registration, _("You may change only your own agenda."))
    event = registration.event
    if session.event_id != registration.event_id:
        raise ChipTownError(
            _("This session is not part of %(event)s.") % {"event": event.display_name}, code="other_event"
        )
    if session.takes_signup or session.closed_door:
        raise Conflict(
            _("Sign up for this session to put it in your agenda: it has a limited number of seats."),
            code="takes_signup",
        )
    if not selectors.published_times(event=event, session_ids=[session.pk]):
        raise Conflict(_("This session is not in the published programme."), code="not_published")
    with transaction.atomic():
        locked = _lock(registration)
        if locked.status != RegistrationStatus.CONFIRMED:
            raise Conflict(_("Only a confirmed registration has an agenda."), code="not_confirmed")
        removed, _counts = AgendaItem.objects.filter(registration=locked, session=session).delete()
        if removed:
            return False
        AgendaItem.objects.create(registration=locked, session=session)
    return True


@dataclass(frozen=True)
class AgendaEntry:
    """A session in a person's agenda, at its published times (None when it is not in the published programme)."""

    session: Session
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None

    @property
    def published(self) -> bool:
        return self.starts_at is not None


@dataclass(frozen=True)
class AgendaClash:
    """Two agenda sessions at the same time, and when they overlap."""

    first: Session
    second: Session
    starts_at: datetime.datetime
    ends_at: datetime.datetime

    def sentence(self, zone: datetime.tzinfo) -> str:
        """ "Panel A and Salon B overlap on June 16, 14:00–15:00", in the event's time zone."""
        start, end = self.starts_at.astimezone(zone), self.ends_at.astimezone(zone)
        return _("%(first)s and %(second)s overlap on %(day)s, %(start)s–%(end)s.") % {
            "first": self.first.display_title,
            "second": self.second.display_title,
            "day": formats.date_format(start.date(), "MONTH_DAY_FORMAT"),
            "start": start.strftime("%H:%M"),
            "end": end.strftime("%H:%M"),
        }


@dataclass(frozen=True)
class AgendaDay:
    date: datetime.date
    entries: tuple[AgendaEntry, ...]


@dataclass(frozen=True)
class Agenda:
    event: Event
    days: tuple[AgendaDay, ...]  # published sessions by day (in the event's time zone), in time order
    unpublished: tuple[AgendaEntry, ...]  # chosen sessions no longer (or not yet) in the published programme
    clashes: tuple[AgendaClash, ...]
    added_ids: frozenset[int]  # the sessions the person added themselves (the others come with their seat)

    @property
    def is_empty(self) -> bool:
        return not self.days and not self.unpublished

    def clash_sentences(self) -> list[str]:
        return [clash.sentence(self.event.zone) for clash in self.clashes]

    @property
    def clashing_ids(self) -> set[int]:
        return {s.pk for clash in self.clashes for s in (clash.first, clash.second)}


def agenda_for(*, registration: Registration) -> Agenda:
    """A person's agenda (selectors.agenda_sessions: the sessions they added and those they hold a seat or an
    offer in) at the published programme's times, by day, with the pairs that overlap (clashes.agenda_clashes).
    Three queries whatever its size."""
    event = registration.event
    sessions = list(selectors.agenda_sessions(registration=registration))
    times = selectors.published_times(event=event, session_ids=[s.pk for s in sessions])
    entries = [AgendaEntry(s, *times.get(s.pk, (None, None))) for s in sessions]
    published = sorted((e for e in entries if e.published), key=lambda e: (e.starts_at, e.session.pk))
    zone = event.zone
    by_day: dict[datetime.date, list[AgendaEntry]] = {}
    for entry in published:
        assert entry.starts_at is not None
        by_day.setdefault(entry.starts_at.astimezone(zone).date(), []).append(entry)
    by_pk = {entry.session.pk: entry for entry in published}
    found: list[Clash] = agenda_clashes(Slot(e.session.pk, e.starts_at, e.ends_at) for e in published)
    clashes = []
    for clash in found:
        first, second = (by_pk[pk] for pk in clash.session_ids)
        assert first.starts_at and first.ends_at and second.starts_at and second.ends_at
        clashes.append(
            AgendaClash(
                first=first.session,
                second=second.session,
                starts_at=max(first.starts_at, second.starts_at),
                ends_at=min(first.ends_at, second.ends_at),
            )
        )
    return Agenda(
        event=event,
        days=tuple(AgendaDay(date=day, entries=tuple(items)) for day, items in sorted(by_day.items())),
        unpublished=tuple(e for e in entries if not e.published),
        clashes=tuple(clashes),
        added_ids=frozenset(AgendaItem.objects.filter(registration=registration).values_list("session_id", flat=True)),
    )
