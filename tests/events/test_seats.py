"""Seats in capacity-limited sessions (services.seats): taking a seat, the waiting list, offers of freed seats
that are accepted, declined or run out, and the refusals that change nothing."""

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from chiptown.accounts.models import User
from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied
from chiptown.core.models import AuditEntry
from chiptown.events.models import AgendaItem, Event, RegistrationStatus, Session, Signup, SignupStatus
from chiptown.events.services import seats
from tests.events.factories import RegistrationFactory, SessionFactory
from tests.events.seats_support import (
    held_seats,
    in_days,
    publish,
    registered,
    registration_of,
    signup_of,
    statuses,
    waiting_order,
    workshop,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def sign_up(session: Session, user: User, **kwargs: Any) -> seats.SignupResult:
    return seats.signup_create(session=session, user=user, by=user, **kwargs)


def taken(session: Session) -> int:
    session.refresh_from_db(fields=["seats_taken"])
    return session.seats_taken


def full_workshop(event: Event, *, capacity: int = 2, waiting: int = 2) -> tuple[Session, list[User]]:
    """A workshop with its seats taken by s0, s1, ... and `waiting` more people w0, w1, ... on its waiting list."""
    session = workshop(event, capacity=capacity)
    seated = [registered(event, f"s{i}") for i in range(capacity)]
    waiters = [registered(event, f"w{i}", language="zh-hans") for i in range(waiting)]
    for user in seated + waiters:
        sign_up(session, user)
    return session, seated + waiters


# --- Taking a seat -------------------------------------------------------------------------------------------------


def test_a_registered_person_takes_a_seat(event: Event, attendee: User, attendee_registration: Any) -> None:
    session = workshop(event, capacity=3)

    result = sign_up(session, attendee)

    assert result.confirmed and result.position is None and result.clashes == []
    assert result.signup.status == SignupStatus.CONFIRMED and result.signup.confirmed_at is not None
    assert taken(session) == 1
    entry = AuditEntry.objects.get(action="events.signup")
    assert entry.actor == attendee and entry.object_id == str(result.signup.pk)
    assert entry.after["status"] == "confirmed"


def test_a_full_session_puts_newcomers_on_the_waiting_list_in_order(event: Event) -> None:
    session, _people = full_workshop(event, capacity=2, waiting=0)
    late = registered(event, "late")
    later = registered(event, "later")

    first = sign_up(session, late)
    second = sign_up(session, later)

    assert (first.signup.status, first.position) == (SignupStatus.WAITING, 1)
    assert (second.signup.status, second.position) == (SignupStatus.WAITING, 2)
    assert taken(session) == 2
    assert waiting_order(session) == ["late", "later"]


def test_signing_up_twice_is_refused_and_changes_nothing(
    event: Event, attendee: User, attendee_registration: Any
) -> None:
    session = workshop(event, capacity=3)
    sign_up(session, attendee)

    with pytest.raises(Conflict) as refused:
        sign_up(session, attendee)

    assert refused.value.code == "already_signed_up"
    assert "already have a seat or a place on the waiting list" in refused.value.message
    assert taken(session) == 1  # the second attempt's counter update was rolled back
    assert Signup.objects.filter(session=session).count() == 1
    assert AuditEntry.objects.filter(action="events.signup").count() == 1


def test_a_second_attempt_from_the_waiting_list_is_refused_too(event: Event) -> None:
    session, _people = full_workshop(event, capacity=1, waiting=1)
    waiter = User.objects.get(username="w0")

    with pytest.raises(Conflict):
        sign_up(session, waiter)

    assert waiting_order(session) == ["w0"] and taken(session) == 1


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (None, "You need a confirmed registration"),
        (RegistrationStatus.PENDING, "awaits approval"),
        (RegistrationStatus.CANCELLED, "You need a confirmed registration"),
        (RegistrationStatus.REJECTED, "You need a confirmed registration"),
    ],
)
def test_only_people_with_a_confirmed_registration_sign_up(event: Event, status: str | None, message: str) -> None:
    session = workshop(event)
    user = UserFactory()
    if status is not None:
        RegistrationFactory(event=event, user=user, status=status)

    with pytest.raises(Conflict) as refused:
        sign_up(session, user)

    assert refused.value.code == "not_registered" and message in refused.value.message
    assert taken(session) == 0 and not Signup.objects.exists() and not AuditEntry.objects.exists()


def test_sessions_without_sign_up_unpublished_or_started_are_refused(event: Event) -> None:
    user = registered(event)
    open_to_all = SessionFactory(event=event, starts_at=in_days(10), ends_at=in_days(10, hour=16))
    publish(event, open_to_all)
    unpublished = workshop(event, published=False)
    started = workshop(event, starts_at=in_days(-0.01, hour=0), days=0)
    # A session already started (as published) even if its live row was moved later by the editor.
    Session.objects.filter(pk=started.pk).update(starts_at=in_days(30), ends_at=in_days(30, hour=16))
    started.refresh_from_db()

    codes = []
    for session in (open_to_all, unpublished, started):
        with pytest.raises(Conflict) as refused:
            sign_up(session, user)
        codes.append(refused.value.code)

    assert codes == ["no_signup", "not_published", "started"]
    assert not Signup.objects.exists()
    assert Session.objects.filter(seats_taken__gt=0).count() == 0


def test_only_the_person_or_an_operator_signs_them_up(
    event: Event, attendee: User, attendee_registration: Any, stranger: User, operator: User
) -> None:
    session = workshop(event, capacity=3)

    with pytest.raises(PermissionDenied):
        seats.signup_create(session=session, user=attendee, by=stranger)
    assert taken(session) == 0 and not Signup.objects.exists()

    seats.signup_create(session=session, user=attendee, by=operator)
    assert statuses(session) == {"alice": "confirmed"}
    assert AuditEntry.objects.get(action="events.signup").actor == operator


def test_clashes_with_the_agenda_are_warned_about_not_refused(
    event: Event, attendee: User, attendee_registration: Any
) -> None:
    session = workshop(event, capacity=3, starts_at=in_days(20, hour=14), ends_at=in_days(20, hour=16))
    overlapping = SessionFactory(event=event, starts_at=in_days(20, hour=15), ends_at=in_days(20, hour=17))
    before = SessionFactory(event=event, starts_at=in_days(20, hour=12), ends_at=in_days(20, hour=14))
    publish(event, overlapping, before)
    for other in (overlapping, before):
        AgendaItem.objects.create(registration=attendee_registration, session=other)

    result = sign_up(session, attendee)

    assert result.confirmed
    assert result.clashes == [overlapping]  # touching ends do not clash
    assert result.warnings == [f"This overlaps “{overlapping.display_title}”, which is already in your agenda."]


# --- Closed-door sessions ------------------------------------------------------------------------------------------


def test_closed_door_refuses_the_uninvited_and_those_who_do_not_accept_the_nda(event: Event, company: Any) -> None:
    session = workshop(event, capacity=3, closed_door=True)
    outsider = registered(event, "outsider")
    insider = registered(event, "insider", organisation=company)
    session.invitations.create(kind="organisation", organisation=company)

    with pytest.raises(PermissionDenied) as uninvited:
        sign_up(session, outsider, nda_accepted=True)
    with pytest.raises(ChipTownError) as no_nda:
        sign_up(session, insider)

    assert uninvited.value.code == "not_invited" and "by invitation only" in uninvited.value.message
    assert no_nda.value.code == "nda_required" and no_nda.value.status == 400
    assert [p.column for p in no_nda.value.problems] == ["nda_accepted"]
    assert taken(session) == 0 and not Signup.objects.exists() and not AuditEntry.objects.exists()

    result = sign_up(session, insider, nda_accepted=True)
    assert result.confirmed and result.signup.nda_accepted_at is not None


# --- Cancelling and offers -----------------------------------------------------------------------------------------


def test_a_cancelled_seat_is_offered_to_the_head_of_the_waiting_list(
    event: Event, django_capture_on_commit_callbacks: Any
) -> None:
    event.offer_hold_hours = 12
    event.timezone = "Asia/Shanghai"
    event.save()
    session, _people = full_workshop(event, capacity=2, waiting=2)
    seated = User.objects.get(username="s0")
    now = in_days(1, hour=2)  # 02:00 UTC is 10:00 in Shanghai

    with django_capture_on_commit_callbacks(execute=True):
        seats.signup_cancel(signup=signup_of(session, seated), by=seated, now=now)

    offer = signup_of(session, User.objects.get(username="w0"))
    assert offer.status == SignupStatus.OFFERED
    assert offer.offered_until == now + datetime.timedelta(hours=12)
    assert statuses(session) == {"s0": "cancelled", "s1": "confirmed", "w0": "offered", "w1": "waiting"}
    assert taken(session) == 2 == held_seats(session)
    assert [m.to for m in mail.outbox] == [["w0@example.com"]]
    message = mail.outbox[0]
    deadline = (now + datetime.timedelta(hours=12)).astimezone(event.zone).strftime("%Y-%m-%d %H:%M")
    assert deadline.endswith("22:00") and deadline in message.body and "Asia/Shanghai" in message.body
    assert session.title_zh in message.body  # w0 reads Chinese
    assert [a.action for a in AuditEntry.objects.order_by("pk")][-2:] == ["events.signup.cancel", "events.signup.offer"]


def test_the_offer_email_is_in_the_persons_language(event: Event, django_capture_on_commit_callbacks: Any) -> None:
    session, _people = full_workshop(event, capacity=1, waiting=1)
    seated = User.objects.get(username="s0")

    with django_capture_on_commit_callbacks(execute=True):
        seats.signup_cancel(signup=signup_of(session, seated), by=seated)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("[ChipTown] ")
    assert session.title_zh in mail.outbox[0].body  # w0 reads Chinese: the Chinese title is picked


def test_cancelling_with_nobody_waiting_gives_the_seat_back(
    event: Event, attendee: User, attendee_registration: Any
) -> None:
    session = workshop(event, capacity=2)
    result = sign_up(session, attendee)

    seats.signup_cancel(signup=result.signup, by=attendee)

    assert taken(session) == 0
    assert signup_of(session, attendee).status == SignupStatus.CANCELLED
    assert not mail.outbox


def test_leaving_the_waiting_list_keeps_the_seats_and_moves_the_others_up(event: Event) -> None:
    session, _people = full_workshop(event, capacity=1, waiting=3)
    leaving = User.objects.get(username="w1")

    seats.signup_cancel(signup=signup_of(session, leaving), by=leaving)

    assert taken(session) == 1
    assert waiting_order(session) == ["w0", "w2"]


def test_cancelling_twice_is_refused(event: Event, attendee: User, attendee_registration: Any) -> None:
    session = workshop(event, capacity=2)
    signup = sign_up(session, attendee).signup
    seats.signup_cancel(signup=signup, by=attendee)

    with pytest.raises(Conflict):
        seats.signup_cancel(signup=signup, by=attendee)
    assert taken(session) == 0


def test_a_stranger_cannot_cancel_someone_elses_seat(
    event: Event, attendee: User, attendee_registration: Any, stranger: User
) -> None:
    session = workshop(event, capacity=2)
    signup = sign_up(session, attendee).signup

    with pytest.raises(PermissionDenied):
        seats.signup_cancel(signup=signup, by=stranger)
    assert signup_of(session, attendee).status == SignupStatus.CONFIRMED and taken(session) == 1


def test_accepting_in_time_confirms_the_seat(event: Event) -> None:
    session, _people = full_workshop(event, capacity=1, waiting=2)
    seated, head = User.objects.get(username="s0"), User.objects.get(username="w0")
    now = in_days(1)
    seats.signup_cancel(signup=signup_of(session, seated), by=seated, now=now)

    accepted = seats.offer_accept(signup=signup_of(session, head), by=head, now=now + datetime.timedelta(hours=23))

    assert accepted.status == SignupStatus.CONFIRMED and accepted.confirmed_at is not None
    assert taken(session) == 1 == held_seats(session)
    assert waiting_order(session) == ["w1"]
    assert AuditEntry.objects.filter(action="events.signup.accept", actor=head).count() == 1


def test_accepting_after_the_deadline_is_refused_and_the_seat_passes_on(
    event: Event, django_capture_on_commit_callbacks: Any
) -> None:
    session, _people = full_workshop(event, capacity=1, waiting=2)
    seated, head = User.objects.get(username="s0"), User.objects.get(username="w0")
    now = in_days(1)
    seats.signup_cancel(signup=signup_of(session, seated), by=seated, now=now)
    offer = signup_of(session, head)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as refused:
        seats.offer_accept(signup=offer, by=head, now=now + datetime.timedelta(hours=25))

    deadline = offer.offered_until.astimezone(event.zone).strftime("%Y-%m-%d %H:%M")  # type: ignore[union-attr]
    assert refused.value.code == "offer_expired"
    assert f"This offer ran out at {deadline} (Asia/Shanghai)" in refused.value.message
    assert statuses(session) == {"s0": "cancelled", "w0": "expired", "w1": "offered"}
    assert taken(session) == 1 == held_seats(session)
    assert sorted(m.to[0] for m in mail.outbox) == ["w0@example.com", "w1@example.com"]  # ran out; your turn


def test_declining_passes_the_seat_to_the_next_person(event: Event) -> None:
    session, _people = full_workshop(event, capacity=1, waiting=2)
    seated, head = User.objects.get(username="s0"), User.objects.get(username="w0")
    seats.signup_cancel(signup=signup_of(session, seated), by=seated)

    seats.offer_decline(signup=signup_of(session, head), by=head)

    assert statuses(session) == {"s0": "cancelled", "w0": "cancelled", "w1": "offered"}
    assert taken(session) == 1
    with pytest.raises(Conflict):  # nothing left to decline
        seats.offer_decline(signup=signup_of(session, head), by=head)


def test_declining_the_last_offer_gives_the_seat_back(event: Event) -> None:
    session, _people = full_workshop(event, capacity=1, waiting=1)
    seated, head = User.objects.get(username="s0"), User.objects.get(username="w0")
    seats.signup_cancel(signup=signup_of(session, seated), by=seated)

    seats.offer_decline(signup=signup_of(session, head), by=head)

    assert taken(session) == 0 == held_seats(session)


def test_expiry_passes_every_late_offer_on_down_the_list(event: Event) -> None:
    session, _people = full_workshop(event, capacity=2, waiting=3)
    now = in_days(1)
    for name in ("s0", "s1"):
        user = User.objects.get(username=name)
        seats.signup_cancel(signup=signup_of(session, user), by=user, now=now)
    assert statuses(session)["w0"] == statuses(session)["w1"] == "offered"

    assert seats.offers_expire(now=now + datetime.timedelta(hours=1)) == 0  # not yet
    assert seats.offers_expire(now=now + datetime.timedelta(hours=24)) == 2

    assert statuses(session) == {
        "s0": "cancelled",
        "s1": "cancelled",
        "w0": "expired",
        "w1": "expired",
        "w2": "offered",
    }
    assert taken(session) == 1 == held_seats(session)  # the second seat went back: nobody left to offer it
    assert AuditEntry.objects.filter(action="events.signup.expire").count() == 2


def test_newcomers_cannot_jump_the_queue_while_a_seat_is_on_offer(event: Event) -> None:
    session, _people = full_workshop(event, capacity=1, waiting=1)
    seated = User.objects.get(username="s0")
    seats.signup_cancel(signup=signup_of(session, seated), by=seated)

    result = sign_up(session, registered(event, "newcomer"))

    assert result.signup.status == SignupStatus.WAITING and result.position == 1
    assert statuses(session)["w0"] == "offered"


def test_a_raised_capacity_is_offered_to_the_people_waiting(event: Event) -> None:
    session, _people = full_workshop(event, capacity=1, waiting=2)
    Session.objects.filter(pk=session.pk).update(capacity=2)  # the editor added a seat

    seats.offers_expire()  # the cron run looks at every session

    assert statuses(session) == {"s0": "confirmed", "w0": "offered", "w1": "waiting"}
    assert taken(session) == 2


def test_a_raised_capacity_is_offered_on_the_next_visit_to_the_session(event: Event) -> None:
    session, _people = full_workshop(event, capacity=1, waiting=2)
    Session.objects.filter(pk=session.pk).update(capacity=2)
    session.refresh_from_db()

    seats.offers_expire(session=session)  # what every seat page and seat write does first

    assert statuses(session) == {"s0": "confirmed", "w0": "offered", "w1": "waiting"}


def test_no_offer_is_made_once_the_session_has_started(event: Event) -> None:
    session, _people = full_workshop(event, capacity=1, waiting=1)
    seated = User.objects.get(username="s0")

    seats.signup_cancel(
        signup=signup_of(session, seated), by=seated, now=session.starts_at + datetime.timedelta(minutes=5)
    )  # type: ignore[operator]

    assert statuses(session)["w0"] == "waiting" and taken(session) == 0


def test_an_offer_never_outlasts_the_session_start(event: Event) -> None:
    session, _people = full_workshop(event, capacity=1, waiting=1)
    seated = User.objects.get(username="s0")
    assert session.starts_at is not None
    now = session.starts_at - datetime.timedelta(hours=3)

    seats.signup_cancel(signup=signup_of(session, seated), by=seated, now=now)

    assert signup_of(session, User.objects.get(username="w0")).offered_until == session.starts_at


def test_cancelling_a_registration_releases_all_its_seats(event: Event) -> None:
    first, _people = full_workshop(event, capacity=1, waiting=1)
    second = workshop(event, capacity=2)
    leaver = User.objects.get(username="s0")
    sign_up(second, leaver)
    third = workshop(event, capacity=0)
    sign_up(third, leaver)  # a zero-seat session: straight to the waiting list

    released = seats.signups_cancel_all(registration=registration_of(event, leaver), by=leaver)

    assert released == 3
    assert not Signup.objects.filter(registration__user=leaver, status__in=["confirmed", "waiting", "offered"]).exists()
    assert statuses(first)["w0"] == "offered" and taken(first) == 1
    assert taken(second) == 0 and taken(third) == 0


def test_the_cron_command_expires_offers(event: Event, capsys: Any) -> None:
    session, _people = full_workshop(event, capacity=1, waiting=2)
    seated = User.objects.get(username="s0")
    seats.signup_cancel(signup=signup_of(session, seated), by=seated, now=in_days(-3))

    call_command("events_expire_offers")

    assert "1 seat offer ran out and was passed on." in capsys.readouterr().out
    assert statuses(session)["w0"] == "expired" and statuses(session)["w1"] == "offered"


def test_the_chiptown_script_spells_the_command_with_dashes() -> None:
    from chiptown.manage import command_line

    assert command_line(["chiptown", "events-expire-offers"])[1] == "events_expire_offers"


def test_an_offer_queues_its_expiry_where_the_backend_can_defer(
    event: Event, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks import task_backends

    from chiptown.events.tasks import expire_seat_offers

    session, _people = full_workshop(event, capacity=1, waiting=1)
    seated = User.objects.get(username="s0")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    backend = task_backends["default"]
    assert backend.supports_defer

    with django_capture_on_commit_callbacks(execute=True):
        seats.signup_cancel(signup=signup_of(session, seated), by=seated)

    queued = backend.results  # type: ignore[attr-defined]
    assert [r.task.name for r in queued] == [expire_seat_offers.name]
    assert queued[0].task.run_after == signup_of(session, User.objects.get(username="w0")).offered_until
    assert queued[0].kwargs == {"session_id": session.pk}


def test_the_expiry_task_passes_the_seat_on(event: Event) -> None:
    from chiptown.events.tasks import expire_seat_offers

    session, _people = full_workshop(event, capacity=1, waiting=2)
    seated = User.objects.get(username="s0")
    seats.signup_cancel(signup=signup_of(session, seated), by=seated, now=in_days(-3))

    assert expire_seat_offers.enqueue(session_id=session.pk).return_value == 1
    assert statuses(session)["w1"] == "offered"


def test_published_times_follow_each_new_publication(event: Event) -> None:
    from chiptown.events import selectors
    from chiptown.events.models import ProgrammeVersion

    session = workshop(event, capacity=2, starts_at=in_days(20, hour=6), ends_at=in_days(20, hour=8))
    assert selectors.published_times(event=event, session_ids=[session.pk])[session.pk][0] == in_days(20, hour=6)
    assert selectors.published_times(event=event, session_ids=[session.pk])[session.pk][0] == in_days(20, hour=6)

    Session.objects.filter(pk=session.pk).update(starts_at=in_days(21, hour=6), ends_at=in_days(21, hour=8))
    session.refresh_from_db()
    publish(event, session)  # moved to the next day
    assert selectors.published_times(event=event, session_ids=[session.pk])[session.pk][0] == in_days(21, hour=6)

    entries = dict(ProgrammeVersion.objects.get(event=event, number=event.programme_version).sessions)
    del entries[str(session.pk)]
    ProgrammeVersion.objects.create(event=event, number=event.programme_version + 1, sessions=entries)
    Event.objects.filter(pk=event.pk).update(
        programme_version=event.programme_version + 1, programme_published_at=in_days(0)
    )
    event.refresh_from_db()
    assert selectors.published_times(event=event, session_ids=[session.pk]) == {}  # taken out of the programme
    with pytest.raises(Conflict):
        sign_up(Session.objects.select_related("event").get(pk=session.pk), registered(event, "late"))
