"""Check-in on the day: scanning a badge (or finding a person by name) at the conference's door, and at the door of
a closed-door workshop.

A scan never fails with an error: it answers a `CheckinResult` whose outcome code says what the desk should do
(let the person in, or why not), with a message for people. Only a first, valid scan changes anything, and it does
so with one conditional UPDATE (`... WHERE checked_in_at IS NULL`), so two desks scanning the same badge at the same
moment get one `ok` and one `already`, without a lock held across the request.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiptown.core.errors import ChipTownError, Conflict
from chiptown.core.rules import require
from chiptown.core.services import audit_record
from chiptown.events import badges, selectors
from chiptown.events.models import Event, Registration, RegistrationStatus, Session, Signup, SignupStatus

OK = "ok"
ALREADY = "already"
CANCELLED = "cancelled"
PENDING = "pending"
REJECTED = "rejected"
UNKNOWN = "unknown"
WRONG_EVENT = "wrong_event"
NOT_ADMITTED = "not_admitted"  # only at a session's door: not invited, no seat, or the NDA not accepted
READY = "ready"  # only in a preview (checkin_preview): the badge is good and its holder not yet checked in
OUTCOMES = (OK, ALREADY, CANCELLED, PENDING, REJECTED, UNKNOWN, WRONG_EVENT, NOT_ADMITTED, READY)

# What the result panel looks like: green means let them in, amber means they are known but look again, red no.
TONES = {
    OK: "ok",
    READY: "ok",
    ALREADY: "warn",
    PENDING: "warn",
    CANCELLED: "bad",
    REJECTED: "bad",
    UNKNOWN: "bad",
    WRONG_EVENT: "bad",
    NOT_ADMITTED: "bad",
}

# The result panel's headline: what the desk reads at a glance.
HEADLINES = {
    OK: gettext_lazy("Checked in"),
    READY: gettext_lazy("Valid badge"),
    ALREADY: gettext_lazy("Already checked in"),
    CANCELLED: gettext_lazy("Not valid: cancelled"),
    PENDING: gettext_lazy("Not approved yet"),
    REJECTED: gettext_lazy("Not approved"),
    UNKNOWN: gettext_lazy("Unknown badge"),
    WRONG_EVENT: gettext_lazy("Badge of another event"),
    NOT_ADMITTED: gettext_lazy("Not admitted"),
}

# A badge token is about 40 characters and a badge address about 100; anything far longer is not ours.
MAX_SCAN_LENGTH = 500


@dataclass(frozen=True)
class CheckinResult:
    """What a scan found. `registration` is None when the badge could not be read (unknown)."""

    outcome: str
    message: str
    registration: Registration | None = None
    checked_in_at: datetime.datetime | None = None
    checked_in_by: Any = None  # the staff member's account (the name is read only when shown: it may cost a query)

    @property
    def ok(self) -> bool:
        return self.outcome == OK

    @property
    def tone(self) -> str:
        return TONES.get(self.outcome, "bad")

    @property
    def headline(self) -> str:
        return str(HEADLINES.get(self.outcome, self.outcome))

    @property
    def shows_person(self) -> bool:
        """Whether the panel names the badge's holder (not for another event's badge: not ours to show)."""
        return self.registration is not None and self.outcome != WRONG_EVENT

    @property
    def name(self) -> str:
        return selectors.person_name(self.registration.user) if self.registration is not None else ""

    @property
    def checked_in_by_name(self) -> str:
        return selectors.person_name(self.checked_in_by) if self.checked_in_by is not None else ""

    @property
    def organisation(self) -> str:
        return selectors.person_organisation(self.registration.user) if self.registration is not None else ""


def token_from_scan(text: str) -> str:
    """The badge token in what a scanner typed: the token itself, or the whole address the QR code holds
    (…/events/<slug>/checkin/<token>/)."""
    text = (text or "").strip()
    if "/" not in text:
        return unquote(text)
    parts = [part for part in urlsplit(text).path.split("/") if part]
    if "checkin" in parts and parts.index("checkin") + 1 < len(parts):
        return unquote(parts[parts.index("checkin") + 1])
    return unquote(parts[-1]) if parts else ""


def _local_time(event: Event, moment: datetime.datetime) -> str:
    """A check-in time as the desk reads it: 09:12 today, 2027-06-15 09:12 on another day (event's zone)."""
    local = timezone.localtime(moment, event.zone)
    if local.date() == timezone.localtime(timezone.now(), event.zone).date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def _require_staff(by: Any, event: Event) -> None:
    require(by, "events.check_in", event, _("Only check-in staff may check people in."))


def _read_badge(event: Event, scanned: str) -> CheckinResult | Registration:
    """The registration a scanned badge names, or the result that refuses it (unknown, old badge, other event)."""
    if len(scanned or "") > MAX_SCAN_LENGTH:
        return CheckinResult(UNKNOWN, _unknown_message())
    read = badges.badge_token_read(token_from_scan(scanned)) if scanned and scanned.strip() else None
    if read is None:
        return CheckinResult(UNKNOWN, _unknown_message())
    pk, nonce = read
    registration = selectors.registration_for_checkin(pk=pk, event=event)
    if registration is None:
        # Signed by us but the registration is gone (deleted with its account): as good as unknown.
        return CheckinResult(UNKNOWN, _unknown_message())
    if registration.event_id != event.pk:
        return CheckinResult(
            WRONG_EVENT,
            _("This badge is for another event: %(event)s.") % {"event": registration.event.display_name},
            registration=registration,
        )
    if registration.badge_nonce != nonce:
        return CheckinResult(
            CANCELLED,
            _(
                "This is an old badge of %(name)s: that registration was cancelled, and the badge issued since "
                "replaces it. Ask for the current badge, or find the person by name."
            )
            % {"name": selectors.person_name(registration.user)},
            registration=registration,
        )
    return registration


def _unknown_message() -> str:
    return _("This is not one of our badges: the code is damaged or forged. Scan it again, or find the person by name.")


def _refusal(registration: Registration) -> CheckinResult | None:
    """Why a registration may not come in (cancelled, awaiting approval, not approved), or None if it may."""
    name = selectors.person_name(registration.user)
    if registration.status == RegistrationStatus.CANCELLED:
        return CheckinResult(
            CANCELLED,
            _("%(name)s cancelled this registration; the badge is no longer valid.") % {"name": name},
            registration=registration,
        )
    if registration.status == RegistrationStatus.PENDING:
        return CheckinResult(
            PENDING,
            _("The registration of %(name)s is still awaiting approval; they cannot check in yet.") % {"name": name},
            registration=registration,
        )
    if registration.status == RegistrationStatus.REJECTED:
        return CheckinResult(
            REJECTED,
            _("The registration of %(name)s was not approved; they cannot check in.") % {"name": name},
            registration=registration,
        )
    return None


def _already(registration: Registration) -> CheckinResult:
    assert registration.checked_in_at is not None
    by = selectors.user_with_person(pk=registration.checked_in_by_id) if registration.checked_in_by_id else None
    values = {
        "name": selectors.person_name(registration.user),
        "time": _local_time(registration.event, registration.checked_in_at),
        "staff": selectors.person_name(by) if by is not None else "",
    }
    message = (
        _("%(name)s already checked in at %(time)s by %(staff)s.") % values
        if by
        else _("%(name)s already checked in at %(time)s.") % values
    )
    return CheckinResult(
        ALREADY, message, registration=registration, checked_in_at=registration.checked_in_at, checked_in_by=by
    )


def _check_in(registration: Registration, *, by: Any, via: str) -> CheckinResult:
    refusal = _refusal(registration)
    if refusal is not None:
        return refusal
    if registration.checked_in_at is not None:
        return _already(registration)
    now = timezone.now()
    with transaction.atomic():
        updated = Registration.objects.filter(pk=registration.pk, checked_in_at__isnull=True).update(
            checked_in_at=now, checked_in_by=by
        )
        if updated:
            audit_record(
                actor=by,
                action="registration.check_in",
                object_type="events.registration",
                object_id=registration.pk,
                object_repr=selectors.person_name(registration.user),
                after={"checked_in_at": now, "via": via},
            )
    if not updated:
        # Another desk was a moment faster: say when and by whom, as for any second scan.
        fresh = selectors.registration_for_checkin(pk=registration.pk, event=registration.event)
        assert fresh is not None
        return _already(fresh)
    registration.checked_in_at = now
    registration.checked_in_by = by
    return CheckinResult(
        OK,
        _("%(name)s is checked in.") % {"name": selectors.person_name(registration.user)},
        registration=registration,
        checked_in_at=now,
        checked_in_by=by,
    )


def checkin_by_token(*, event: Event, token: str, by: Any) -> CheckinResult:
    """Check in the person whose badge was scanned: `token` is the badge's token or the whole address its QR code
    holds. Check-in staff only (PermissionDenied otherwise); every other problem is an outcome, not an error."""
    _require_staff(by, event)
    found = _read_badge(event, token)
    if isinstance(found, CheckinResult):
        return found
    return _check_in(found, by=by, via="badge")


def checkin_preview(*, event: Event, token: str, by: Any) -> CheckinResult:
    """What a scan of this badge would answer, without checking anyone in (the page a badge's QR code opens shows
    it to staff before they press the button). Outcome `ready` where a scan would say `ok`."""
    _require_staff(by, event)
    found = _read_badge(event, token)
    if isinstance(found, CheckinResult):
        return found
    refusal = _refusal(found)
    if refusal is not None:
        return refusal
    if found.checked_in_at is not None:
        return _already(found)
    return CheckinResult(
        READY,
        _("%(name)s can be checked in.") % {"name": selectors.person_name(found.user)},
        registration=found,
    )


def checkin_by_registration(*, registration: Registration, by: Any) -> CheckinResult:
    """Check in a person found by name at the desk (no badge at hand)."""
    _require_staff(by, registration.event)
    return _check_in(registration, by=by, via="search")


def checkin_undo(*, registration: Registration, by: Any) -> Registration:
    """Take back a check-in made by mistake. Operators only; audited with what it was."""
    require(by, "events.manage", registration.event, _("Only operators may undo a check-in."))
    with transaction.atomic():
        locked = Registration.objects.select_for_update().get(pk=registration.pk)
        if locked.checked_in_at is None:
            raise Conflict(_("This person is not checked in."), code="not_checked_in")
        before = {"checked_in_at": locked.checked_in_at, "checked_in_by": locked.checked_in_by_id}
        locked.checked_in_at = None
        locked.checked_in_by = None
        locked.save(update_fields=["checked_in_at", "checked_in_by"])
        audit_record(
            actor=by,
            action="registration.check_in_undo",
            object_type="events.registration",
            object_id=locked.pk,
            object_repr=selectors.person_name(registration.user),
            before=before,
            after={"checked_in_at": None, "checked_in_by": None},
        )
    registration.checked_in_at = None
    registration.checked_in_by = None
    return registration


# At a session's door ------------------------------------------------------------------------------------------------


def takes_attendance(session: Session) -> bool:
    """Sessions whose door keeps a list: closed-door workshops, and sessions with their own sign-up."""
    return session.closed_door or session.takes_signup


def _not_admitted(session: Session, registration: Registration, signup: Signup | None) -> CheckinResult:
    """Why a person may not come into a session, in words the door can say to them."""
    values = {"name": selectors.person_name(registration.user), "session": session.display_title}
    if session.closed_door and not selectors.is_invited(session=session, user=registration.user):
        message = _("%(name)s is not on the invitation list of %(session)s.") % values
    elif signup is None:
        waiting = Signup.objects.filter(
            session=session, registration=registration, status__in=[SignupStatus.WAITING, SignupStatus.OFFERED]
        ).exists()
        message = (
            _("%(name)s is on the waiting list of %(session)s and has no seat.") % values
            if waiting
            else _("%(name)s has no seat in %(session)s.") % values
        )
    else:
        message = (
            _("%(name)s has not accepted the non-disclosure terms of %(session)s; they must accept them first.")
            % values
        )
    return CheckinResult(NOT_ADMITTED, message, registration=registration)


def _session_check_in(session: Session, registration: Registration, *, by: Any) -> CheckinResult:
    refusal = _refusal(registration)
    if refusal is not None:
        return refusal
    name = selectors.person_name(registration.user)
    signup = (
        Signup.objects.filter(session=session, registration=registration, status=SignupStatus.CONFIRMED)
        .order_by("pk")
        .first()
    )
    if session.closed_door:
        admitted = selectors.is_admitted(session=session, user=registration.user)
    else:
        admitted = signup is not None
    if not admitted:
        return _not_admitted(session, registration, signup)
    if signup is None:
        # Admitted without a seat of their own: a speaker of the session, or an operator.
        return CheckinResult(
            OK,
            _("%(name)s may come in (a speaker of this session or an organiser); no seat to mark.") % {"name": name},
            registration=registration,
        )
    if signup.checked_in_at is not None:
        return CheckinResult(
            ALREADY,
            _("%(name)s already came in at %(time)s.")
            % {"name": name, "time": _local_time(session.event, signup.checked_in_at)},
            registration=registration,
            checked_in_at=signup.checked_in_at,
        )
    now = timezone.now()
    with transaction.atomic():
        updated = Signup.objects.filter(pk=signup.pk, checked_in_at__isnull=True).update(checked_in_at=now)
        if updated:
            audit_record(
                actor=by,
                action="signup.check_in",
                object_type="events.signup",
                object_id=signup.pk,
                object_repr=f"{name} → {session.display_title}"[:255],
                after={"checked_in_at": now, "session": session.pk},
            )
    if not updated:
        signup.refresh_from_db(fields=["checked_in_at"])
        assert signup.checked_in_at is not None
        return CheckinResult(
            ALREADY,
            _("%(name)s already came in at %(time)s.")
            % {"name": name, "time": _local_time(session.event, signup.checked_in_at)},
            registration=registration,
            checked_in_at=signup.checked_in_at,
        )
    return CheckinResult(
        OK,
        _("%(name)s may come in to %(session)s.") % {"name": name, "session": session.display_title},
        registration=registration,
        checked_in_at=now,
        checked_in_by=by,
    )


def _require_session_door(by: Any, session: Session) -> None:
    _require_staff(by, session.event)
    if not takes_attendance(session):
        raise ChipTownError(
            _("Anyone registered may come into this session; it keeps no attendance list."), code="no_attendance"
        )


def session_checkin(*, session: Session, token: str, by: Any) -> CheckinResult:
    """Let a person into a closed-door workshop (or a session with sign-up) by their badge: they must be admitted
    (`selectors.is_admitted`: invited, a confirmed seat, the NDA accepted); their seat is marked as attended."""
    _require_session_door(by, session)
    found = _read_badge(session.event, token)
    if isinstance(found, CheckinResult):
        return found
    return _session_check_in(session, found, by=by)


def session_checkin_registration(*, session: Session, registration: Registration, by: Any) -> CheckinResult:
    """The same, for a person picked from the session's list at the door."""
    _require_session_door(by, session)
    if registration.event_id != session.event_id:
        return CheckinResult(WRONG_EVENT, _("This person is registered for another event."), registration=registration)
    return _session_check_in(session, registration, by=by)
