"""Seats in sessions that take sign-up: taking one, the waiting list, offers of freed seats that run out, and the
invitation lists (with an NDA) of closed-door sessions.

`Session.seats_taken` counts confirmed seats plus seats held for an open offer; the `session_never_overbooked`
CHECK constraint keeps it within `capacity`. A seat is taken with one conditional UPDATE (no lock while seats
are left); every write that gives a seat back or hands it on locks the session row first, so the counter, the
waiting list and the offers change together. Offers that ran out are passed on lazily (at the start of every
seat write and every render of the seat box), by a deferred task where the task backend can defer, and by the
`chiptown events-expire-offers` command for cron.

Keyword-only, typed, one transaction each, audited. `now` exists for tests and demo data; pages never pass it.
Emails go out after the commit.
"""

import datetime
import logging
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chiptown.accounts.models import Role
from chiptown.core.errors import ChipTownError, Conflict, NotFound, PermissionDenied, Problem
from chiptown.core.notifications import notify_on_commit
from chiptown.core.rules import require
from chiptown.core.services import audit_record, snapshot
from chiptown.events import selectors
from chiptown.events.models import (
    ACTIVE_SIGNUP_STATUSES,
    Event,
    Invitation,
    InvitationKind,
    Registration,
    RegistrationStatus,
    Session,
    Signup,
    SignupStatus,
)
from chiptown.registry.models import Organisation, Person

logger = logging.getLogger(__name__)

SIGNUP_FIELDS = ("status", "offered_until", "confirmed_at", "ended_at", "nda_accepted_at")
HELD = (SignupStatus.CONFIRMED, SignupStatus.OFFERED)


@dataclass
class SignupResult:
    """What signing up gave: the sign-up (a seat or a place on the waiting list) and the waiting-list position.
    `clashes` (read on first use, so that callers who do not show them do not pay for them) are the sessions
    already in the person's agenda whose published times overlap this one: a warning, not a refusal."""

    signup: Signup
    position: int | None = None

    @property
    def confirmed(self) -> bool:
        return self.signup.status == SignupStatus.CONFIRMED

    @cached_property
    def clashes(self) -> list[Session]:
        session = self.signup.session
        others = [pk for pk in selectors.agenda_session_ids(registration=self.signup.registration) if pk != session.pk]
        if not others:
            return []
        published = selectors.published_times(event=session.event, session_ids=[session.pk, *others])
        mine = published.get(session.pk)
        clashing = [
            pk
            for pk in others
            if mine and pk in published and published[pk][0] < mine[1] and mine[0] < published[pk][1]
        ]
        return list(Session.objects.filter(pk__in=clashing).order_by("starts_at", "pk")) if clashing else []

    @property
    def warnings(self) -> list[str]:
        return [
            _("This overlaps “%(session)s”, which is already in your agenda.") % {"session": other.display_title}
            for other in self.clashes
        ]


# --- Small helpers -----------------------------------------------------------------------------------------------


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def when_in_event_zone(moment: datetime.datetime, event: Event) -> str:
    """A time as people read it in messages: the event's zone, to the minute, with the zone named."""
    return formats.date_format(moment.astimezone(event.zone), "Y-m-d H:i") + f" ({event.timezone})"


def _session_url(session: Session) -> str:
    """The public session page (part B's), or this part's seat page when that page is not there."""
    try:
        return reverse("events:session", args=[session.event.slug, session.pk])
    except NoReverseMatch:
        return reverse("events:seat_box", args=[session.event.slug, session.pk])


def _schedule_expiry(*, session_id: int, offered_until: datetime.datetime) -> None:
    """Queue the pass-on of an offer at its deadline, where the task backend can run a task later. Where it
    cannot (the immediate backend in tests), the lazy expiry and the cron command do it."""
    from chiptown.events.tasks import expire_seat_offers

    if not expire_seat_offers.get_backend().supports_defer:
        return

    def enqueue() -> None:
        try:
            expire_seat_offers.using(run_after=offered_until).enqueue(session_id=session_id)
        except Exception:  # the lazy expiry and the cron command still pass the seat on
            logger.warning("Could not queue the expiry of seat offers for session %s", session_id, exc_info=True)

    transaction.on_commit(enqueue)


def _lock_session(session: Session) -> Session:
    # NO KEY UPDATE: it still excludes the seat update of a sign-up, but not the inserts that merely reference the
    # session (a waiting-list place being added).
    return Session.objects.select_for_update(of=("self",), no_key=True).select_related("event").get(pk=session.pk)


def _lock_signup(signup: Signup) -> Signup:
    return (
        Signup.objects.select_for_update(of=("self",))
        .select_related("registration__user", "session__event")
        .get(pk=signup.pk)
    )


def _end(signup: Signup, status: str, *, by: Any, action: str, now: datetime.datetime) -> None:
    before = snapshot(signup, SIGNUP_FIELDS)
    signup.status = status
    signup.ended_at = now
    signup.save(update_fields=["status", "ended_at"])
    audit_record(actor=by, action=action, target=signup, before=before, after=snapshot(signup, SIGNUP_FIELDS))


def _pass_seat_on(*, session: Session, by: Any, now: datetime.datetime) -> Signup | None:
    """A held seat came free in a locked session: offer it to the head of the waiting list until the event's
    hold time has passed (or the session starts), or give it back to the counter. Returns the new offer."""
    head = None
    if session.starts_at is not None and session.starts_at > now:
        head = (
            Signup.objects.select_for_update(of=("self",))
            .select_related("registration__user")
            .filter(session=session, status=SignupStatus.WAITING, registration__status=RegistrationStatus.CONFIRMED)
            .order_by("created_at", "pk")
            .first()
        )
    if head is None:
        Session.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") - 1)
        # Someone who found the session full may be joining the waiting list right now, not yet visible here: look
        # again once this is committed (their own check after their commit covers the other order).
        session_id = session.pk
        transaction.on_commit(lambda: _recheck_free_seats(session_id))
        return None
    before = snapshot(head, SIGNUP_FIELDS)
    deadline = now + datetime.timedelta(hours=session.event.offer_hold_hours)
    if session.starts_at is not None:
        deadline = min(deadline, session.starts_at)
    head.status = SignupStatus.OFFERED
    head.offered_until = deadline
    head.save(update_fields=["status", "offered_until"])
    audit_record(
        actor=by, action="events.signup.offer", target=head, before=before, after=snapshot(head, SIGNUP_FIELDS)
    )
    notify_on_commit(
        [head.registration.user],
        gettext_noop("A seat is free for you"),
        "events/email/seat_offer.txt",
        {
            "event": session.event,
            "session": session,
            "deadline": deadline,
            "session_url": _session_url(session),
        },
    )
    _schedule_expiry(session_id=session.pk, offered_until=deadline)
    return head


def _fill_free_seats(*, session: Session, by: Any, now: datetime.datetime) -> int:
    """Offer seats that are free while people wait (e.g. after the capacity was raised), in a locked session."""
    offered = 0
    while session.capacity is not None and session.seats_taken < session.capacity:
        Session.objects.filter(pk=session.pk).update(seats_taken=F("seats_taken") + 1)
        session.seats_taken += 1
        if _pass_seat_on(session=session, by=by, now=now) is None:  # nobody waiting: the seat went back
            session.seats_taken -= 1
            break
        offered += 1
    return offered


def _expire_due(*, session: Session, now: datetime.datetime) -> list[Signup]:
    """In a locked session: every offer past its deadline runs out and its seat passes on."""
    due = list(
        Signup.objects.select_for_update(of=("self",))
        .select_related("registration__user")
        .filter(session=session, status=SignupStatus.OFFERED, offered_until__lte=now)
        .order_by("offered_until", "pk")
    )
    for signup in due:
        _end(signup, SignupStatus.EXPIRED, by=None, action="events.signup.expire", now=now)
    if due:
        notify_on_commit(
            [s.registration.user for s in due],
            gettext_noop("Your seat offer ran out"),
            "events/email/seat_offer_expired.txt",
            {"event": session.event, "session": session, "session_url": _session_url(session)},
        )
    for _signup in due:
        _pass_seat_on(session=session, by=None, now=now)
    return due


def _registration(*, session: Session, user: Any) -> Registration:
    registration = selectors.registration_for(event=session.event, user=user)
    if registration is not None:
        registration.user = user  # the same account: spares a query wherever the sign-up names its person
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        if registration is not None and registration.status == RegistrationStatus.PENDING:
            raise Conflict(
                _("Your registration for %(event)s awaits approval; you can sign up once it is confirmed.")
                % {"event": session.event.display_name},
                code="not_registered",
            )
        raise Conflict(
            _("You need a confirmed registration for %(event)s to sign up for its sessions.")
            % {"event": session.event.display_name},
            code="not_registered",
        )
    return registration


def _ensure_signup_open(*, session: Session, now: datetime.datetime, published: selectors.PublishedTimes) -> None:
    """The session takes sign-up, is in the published programme and has not started (as published)."""
    if not session.takes_signup:
        raise Conflict(
            _("“%(session)s” takes no sign-up: anyone registered may come.") % {"session": session.display_title},
            code="no_signup",
        )
    span = published.get(session.pk)
    if span is None:
        raise Conflict(
            _("“%(session)s” is not in the published programme.") % {"session": session.display_title},
            code="not_published",
        )
    if span[0] <= now:
        raise Conflict(
            _("“%(session)s” has already started; sign-up is closed.") % {"session": session.display_title},
            code="started",
        )


# --- Signing up and cancelling -----------------------------------------------------------------------------------


def signup_create(
    *, session: Session, user: Any, nda_accepted: bool = False, by: Any, now: datetime.datetime | None = None
) -> SignupResult:
    """Take a seat in `session` for `user`, or a place on its waiting list when it is full.

    The person needs a confirmed registration; the session must take sign-up, be published and not have started;
    a closed-door session needs an invitation and the NDA accepted. Seats held by an open offer count as taken,
    so nobody can jump the waiting list."""
    now = _now(now)
    offers_expire(session=session, now=now)
    registration = _registration(session=session, user=user)
    require(by, "events.change_registration", registration, _("You may only sign yourself up."))
    published = selectors.published_times(event=session.event, session_ids=[session.pk])
    _ensure_signup_open(session=session, now=now, published=published)
    if session.closed_door:
        if not selectors.is_invited(session=session, user=user):
            raise PermissionDenied(
                _("“%(session)s” is by invitation only, and you are not on its invitation list.")
                % {"session": session.display_title},
                code="not_invited",
            )
        if not nda_accepted:
            raise ChipTownError(
                _("Accept the non-disclosure terms to sign up for “%(session)s”.") % {"session": session.display_title},
                code="nda_required",
                problems=[Problem(reason=_("Accept the non-disclosure terms."), column="nda_accepted")],
            )
    # Everything between the seat update and the commit holds the session's row lock: keep it to the two inserts.
    with transaction.atomic():
        taken = Session.objects.filter(pk=session.pk, seats_taken__lt=F("capacity")).update(
            seats_taken=F("seats_taken") + 1
        )
        status = SignupStatus.CONFIRMED if taken else SignupStatus.WAITING
        try:
            # No savepoint: a duplicate aborts the whole transaction, which also gives the seat back.
            with transaction.atomic(savepoint=False):
                signup = Signup.objects.create(
                    session=session,
                    registration=registration,
                    status=status,
                    confirmed_at=now if taken else None,
                    nda_accepted_at=now if session.closed_door else None,
                )
        except IntegrityError as exc:
            raise Conflict(
                _("You already have a seat or a place on the waiting list for “%(session)s”.")
                % {"session": session.display_title},
                code="already_signed_up",
            ) from exc
        audit_record(actor=by, action="events.signup", target=signup, after=snapshot(signup, SIGNUP_FIELDS))
    position = None
    if not taken:
        # A seat given back while this transaction ran may have found nobody waiting (this row was not yet
        # committed); whoever gave it back checks again after their commit, and this checks after ours, so one of
        # the two sees both and offers the seat.
        counter = list(Session.objects.filter(pk=session.pk).order_by().values_list("seats_taken", "capacity")[:1])
        if counter and counter[0][1] is not None and counter[0][0] < counter[0][1]:
            session.seats_taken = counter[0][0]
            if any(_seats_maintain(session=session, now=now)):
                signup.refresh_from_db(fields=["status", "offered_until"])
        position = selectors.waiting_position(signup=signup) if signup.status == SignupStatus.WAITING else None
    return SignupResult(signup=signup, position=position)


def signup_cancel(*, signup: Signup, by: Any, now: datetime.datetime | None = None) -> Signup:
    """Give up a seat, an offer or a place on the waiting list. A seat given up goes to the head of the waiting
    list as an offer (or back to the counter)."""
    now = _now(now)
    require(by, "events.change_registration", signup.registration, _("You may only cancel your own sign-up."))
    offers_expire(session=signup.session, now=now)
    with transaction.atomic():
        session = _lock_session(signup.session)
        current = _lock_signup(signup)
        if current.status not in ACTIVE_SIGNUP_STATUSES:
            raise Conflict(_("This sign-up has already ended."), code="not_active")
        held = current.status in HELD
        _end(current, SignupStatus.CANCELLED, by=by, action="events.signup.cancel", now=now)
        if held:
            _pass_seat_on(session=session, by=by, now=now)
    return current


def signups_cancel_all(*, registration: Registration, by: Any, now: datetime.datetime | None = None) -> int:
    """Release every seat, offer and waiting-list place of a registration (when it is cancelled or rejected),
    passing freed seats on. Sessions are locked in id order, so two of these never deadlock. Returns how many."""
    now = _now(now)
    if by is not None:
        require(by, "events.change_registration", registration, _("You may not change this registration."))
    cancelled = 0
    with transaction.atomic():
        session_ids = sorted(
            set(
                Signup.objects.filter(registration=registration, status__in=ACTIVE_SIGNUP_STATUSES).values_list(
                    "session_id", flat=True
                )
            )
        )
        for session in (
            Session.objects.select_for_update(of=("self",), no_key=True)
            .select_related("event")
            .filter(pk__in=session_ids)
            .order_by("pk")
        ):
            for signup in Signup.objects.select_for_update(of=("self",)).filter(
                session=session, registration=registration, status__in=ACTIVE_SIGNUP_STATUSES
            ):
                held = signup.status in HELD
                _end(signup, SignupStatus.CANCELLED, by=by, action="events.signup.cancel", now=now)
                cancelled += 1
                if held:
                    _pass_seat_on(session=session, by=by, now=now)
    return cancelled


# --- Offers of freed seats ---------------------------------------------------------------------------------------


def _ran_out(signup: Signup) -> Conflict:
    assert signup.offered_until is not None
    return Conflict(
        _("This offer ran out at %(when)s; the seat has passed to the next person on the waiting list.")
        % {"when": when_in_event_zone(signup.offered_until, signup.session.event)},
        code="offer_expired",
    )


def offer_accept(*, signup: Signup, by: Any, now: datetime.datetime | None = None) -> Signup:
    """Take the seat offered, before the offer's deadline. After it, the offer has run out and the seat passes on."""
    now = _now(now)
    require(by, "events.change_registration", signup.registration, _("You may only answer your own offer."))
    offers_expire(session=signup.session, now=now)
    with transaction.atomic():
        _lock_session(signup.session)
        current = _lock_signup(signup)
        if current.status == SignupStatus.EXPIRED:
            raise _ran_out(current)
        if current.status != SignupStatus.OFFERED:
            raise Conflict(_("There is no seat on offer for you in this session."), code="no_offer")
        before = snapshot(current, SIGNUP_FIELDS)
        current.status = SignupStatus.CONFIRMED
        current.confirmed_at = now
        current.save(update_fields=["status", "confirmed_at"])
        audit_record(
            actor=by,
            action="events.signup.accept",
            target=current,
            before=before,
            after=snapshot(current, SIGNUP_FIELDS),
        )
    return current


def offer_decline(*, signup: Signup, by: Any, now: datetime.datetime | None = None) -> Signup:
    """Turn the offered seat down; it passes to the next person waiting."""
    now = _now(now)
    require(by, "events.change_registration", signup.registration, _("You may only answer your own offer."))
    offers_expire(session=signup.session, now=now)
    with transaction.atomic():
        session = _lock_session(signup.session)
        current = _lock_signup(signup)
        if current.status == SignupStatus.EXPIRED:
            raise _ran_out(current)
        if current.status != SignupStatus.OFFERED:
            raise Conflict(_("There is no seat on offer for you in this session."), code="no_offer")
        _end(current, SignupStatus.CANCELLED, by=by, action="events.signup.decline", now=now)
        _pass_seat_on(session=session, by=by, now=now)
    return current


def offers_expire(*, session: Session | None = None, now: datetime.datetime | None = None) -> int:
    """Every offer past its deadline runs out and its seat passes on, in one locked transaction per session; free
    seats with people waiting (a raised capacity, a seat given back at the moment someone joined the list) are
    offered too. Cheap when there is nothing to do: one query. Returns how many offers ran out."""
    return _seats_maintain(session=session, now=_now(now))[0]


def _maintenance_due(*, session: Session, now: datetime.datetime) -> bool:
    """One cheap query: has an offer of this session run out, or (only asked when the counter, as `session` has
    it, shows a free seat) is someone waiting?"""
    lapsed = Q(status=SignupStatus.OFFERED, offered_until__lte=now)
    free = (
        session.capacity is not None
        and session.seats_taken < session.capacity
        and session.starts_at is not None
        and session.starts_at > now
    )
    if free:
        lapsed |= Q(status=SignupStatus.WAITING, registration__status=RegistrationStatus.CONFIRMED)
    return Signup.objects.filter(lapsed, session_id=session.pk).exists()


def _seats_maintain(*, session: Session | None, now: datetime.datetime) -> tuple[int, int]:
    """offers_expire's work: (offers that ran out, free seats offered)."""
    if session is not None:
        session_ids = [session.pk] if _maintenance_due(session=session, now=now) else []
    else:
        lapsed_offers = Signup.objects.filter(
            session=OuterRef("pk"), status=SignupStatus.OFFERED, offered_until__lte=now
        )
        waiting = Signup.objects.filter(
            session=OuterRef("pk"), status=SignupStatus.WAITING, registration__status=RegistrationStatus.CONFIRMED
        )
        session_ids = list(
            Session.objects.filter(
                Exists(lapsed_offers) | (Q(seats_taken__lt=F("capacity"), starts_at__gt=now) & Exists(waiting))
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    expired = offered = 0
    for session_id in session_ids:
        with transaction.atomic():
            locked = (
                Session.objects.select_for_update(of=("self",), no_key=True)
                .select_related("event")
                .filter(pk=session_id)
            )
            current = locked.order_by().first()
            if current is None:
                continue
            expired += len(_expire_due(session=current, now=now))
            current.refresh_from_db(fields=["seats_taken", "capacity"])
            offered += _fill_free_seats(session=current, by=None, now=now)
    return expired, offered


def _recheck_free_seats(session_id: int) -> None:
    """After a commit that gave a seat back to the counter: offer it if someone joined the waiting list meanwhile."""
    session = Session.objects.filter(pk=session_id).order_by().first()
    if session is not None:
        _seats_maintain(session=session, now=timezone.now())


# --- Closed-door invitation lists --------------------------------------------------------------------------------


def _require_manage(by: Any) -> None:
    require(by, "events.manage", None, _("Only operators may manage invitation lists."))


def invitee_name(invitation: Invitation) -> str:
    """Who an invitation names, as the list shows it: the person, the organisation, or the role's label."""
    return _invitee(invitation.kind, invitation.person, invitation.organisation, invitation.role)


def _invitee(kind: str, person: Person | None, organisation: Organisation | None, role: str) -> str:
    if kind == InvitationKind.PERSON and person is not None:
        return person.display_name
    if kind == InvitationKind.ORGANISATION and organisation is not None:
        return organisation.display_name
    return str(Role(role).label) if role in Role.values else role


def invitation_add(
    *,
    session: Session,
    kind: str,
    person: Person | None = None,
    organisation: Organisation | None = None,
    role: str = "",
    by: Any,
) -> Invitation:
    """Put a person, everyone from an organisation, or everyone with a role on a closed-door session's list."""
    _require_manage(by)
    if not session.closed_door:
        raise Conflict(_("Only closed-door sessions have an invitation list."), code="not_closed_door")
    problems: list[Problem] = []
    if kind == InvitationKind.PERSON:
        if person is None:
            problems.append(Problem(reason=_("Pick a person from the registry."), column="person"))
        organisation, role = None, ""
    elif kind == InvitationKind.ORGANISATION:
        if organisation is None:
            problems.append(Problem(reason=_("Pick an organisation from the registry."), column="organisation"))
        person, role = None, ""
    elif kind == InvitationKind.ROLE:
        if role not in Role.values:
            problems.append(Problem(reason=_("Choose one of the roles."), column="role"))
        person, organisation = None, None
    else:
        problems.append(Problem(reason=_("Choose whom to invite."), column="kind"))
    if problems:
        raise ChipTownError(_("Some fields are not valid."), code="invalid", problems=problems)
    who = _invitee(kind, person, organisation, role)
    duplicate = Conflict(
        _("%(who)s is already on the invitation list of “%(session)s”.")
        % {"who": who, "session": session.display_title},
        code="already_invited",
    )
    existing = Invitation.objects.filter(session=session, kind=kind)
    if (
        (kind == InvitationKind.PERSON and existing.filter(person=person).exists())
        or (kind == InvitationKind.ORGANISATION and existing.filter(organisation=organisation).exists())
        or (kind == InvitationKind.ROLE and existing.filter(role=role).exists())
    ):
        raise duplicate
    with transaction.atomic():
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    session=session, kind=kind, person=person, organisation=organisation, role=role, created_by=by
                )
        except IntegrityError as exc:  # added by someone else at this moment
            raise duplicate from exc
        audit_record(
            actor=by,
            action="events.invitation.add",
            target=invitation,
            object_repr=f"{session.display_title}: {who}",
            after=snapshot(invitation, ("session_id", "kind", "person_id", "organisation_id", "role")),
        )
    return invitation


def invitation_remove(*, invitation: Invitation, by: Any, now: datetime.datetime | None = None) -> int:
    """Take a line off the invitation list. People it alone let in lose their seat, offer or waiting-list place
    (told by email), and freed seats pass on. Returns how many sign-ups were cancelled."""
    _require_manage(by)
    now = _now(now)
    with transaction.atomic():
        session = _lock_session(invitation.session)
        current = Invitation.objects.select_related("person", "organisation").filter(pk=invitation.pk).first()
        if current is None:
            raise NotFound(_("This invitation was already removed."))
        who = _invitee(current.kind, current.person, current.organisation, current.role)
        audit_record(
            actor=by,
            action="events.invitation.remove",
            target=current,
            object_repr=f"{session.display_title}: {who}",
            before=snapshot(current, ("session_id", "kind", "person_id", "organisation_id", "role")),
        )
        current.delete()
        active = list(
            Signup.objects.select_for_update(of=("self",))
            .select_related("registration__user")
            .filter(session=session, status__in=ACTIVE_SIGNUP_STATUSES)
            .order_by("created_at", "pk")
        )
        still = selectors.invited_user_ids(session=session, users=[s.registration.user for s in active])
        dropped = [s for s in active if s.registration.user_id not in still]
        freed = 0
        for signup in dropped:
            freed += signup.status in HELD
            _end(signup, SignupStatus.CANCELLED, by=by, action="events.signup.uninvited", now=now)
        for _seat in range(freed):
            _pass_seat_on(session=session, by=by, now=now)
        notify_on_commit(
            [s.registration.user for s in dropped],
            gettext_noop("Your place in a closed-door session was cancelled"),
            "events/email/seat_uninvited.txt",
            {"event": session.event, "session": session},
        )
    return len(dropped)
