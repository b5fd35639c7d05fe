"""Seats under real concurrency (PostgreSQL, real threads, one connection each): never overbooked, the counter
always equal to the seats held, nobody left waiting while a seat is free."""

import threading
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

from chiptown.accounts.models import User
from chiptown.events.models import Event, Session, Signup, SignupStatus
from chiptown.events.services import seats
from tests.events.factories import EventFactory
from tests.events.seats_support import held_seats, registered, signup_of, waiting_order, workshop

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real row locks and concurrent transactions need PostgreSQL")


@pytest.fixture
def conference() -> Event:
    return EventFactory(slug="rush")


def at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Run every job in its own thread, all released together; each returns its outcome (or the error's code)."""
    barrier = threading.Barrier(len(jobs))
    outcomes: list[Any] = [None] * len(jobs)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcomes[index] = job()
        except Exception as exc:
            outcomes[index] = f"error: {getattr(exc, 'code', type(exc).__name__)}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def sign_up_job(session: Session, user: User) -> Callable[[], str]:
    return lambda: str(seats.signup_create(session=session, user=user, by=user).signup.status)


def cancel_job(session: Session, user: User) -> Callable[[], str]:
    def job() -> str:
        seats.signup_cancel(signup=signup_of(session, user), by=user)
        return "cancelled"

    return job


def assert_honest(session: Session) -> None:
    session.refresh_from_db()
    assert session.capacity is not None
    assert session.seats_taken == held_seats(session) <= session.capacity
    if waiting_order(session):
        assert session.seats_taken == session.capacity, "someone waits while a seat is free"


def test_forty_people_rush_ten_seats(conference: Event) -> None:
    session = workshop(conference, capacity=10)
    people = [registered(conference, f"rush{i}") for i in range(40)]

    outcomes = at_once([sign_up_job(session, user) for user in people])

    assert Counter(outcomes) == {"confirmed": 10, "waiting": 30}
    session.refresh_from_db()
    assert session.seats_taken == 10
    assert Signup.objects.filter(session=session, status=SignupStatus.CONFIRMED).count() == 10
    assert len(waiting_order(session)) == 30
    assert_honest(session)


def test_the_same_person_twice_at_once_gets_one_place(conference: Event) -> None:
    session = workshop(conference, capacity=3)
    user = registered(conference, "eager")

    outcomes = at_once([sign_up_job(session, user) for _ in range(6)])

    assert Counter(outcomes) == {"confirmed": 1, "error: already_signed_up": 5}
    assert_honest(session)
    assert session.seats_taken == 1


def test_cancels_and_signups_at_once_hand_seats_to_the_waiting_list_in_order(conference: Event) -> None:
    session = workshop(conference, capacity=10)
    seated = [registered(conference, f"seated{i}") for i in range(10)]
    waiting = [registered(conference, f"waiting{i}") for i in range(10)]
    newcomers = [registered(conference, f"new{i}") for i in range(10)]
    for user in seated + waiting:
        seats.signup_create(session=session, user=user, by=user)

    outcomes = at_once([cancel_job(session, u) for u in seated] + [sign_up_job(session, u) for u in newcomers])

    assert Counter(outcomes) == {"cancelled": 10, "waiting": 10}
    assert {signup_of(session, u).status for u in waiting} == {SignupStatus.OFFERED}  # they were first in line
    assert_honest(session)
    assert session.seats_taken == 10
    assert sorted(waiting_order(session)) == sorted(u.username for u in newcomers)  # behind the first ten


def test_cancels_and_signups_at_once_never_leave_a_free_seat_with_people_waiting(conference: Event) -> None:
    session = workshop(conference, capacity=10)
    seated = [registered(conference, f"seated{i}") for i in range(10)]
    newcomers = [registered(conference, f"new{i}") for i in range(15)]
    for user in seated:
        seats.signup_create(session=session, user=user, by=user)

    outcomes = at_once([cancel_job(session, u) for u in seated] + [sign_up_job(session, u) for u in newcomers])

    assert not [o for o in outcomes if str(o).startswith("error")]
    assert_honest(session)
    statuses = Counter(Signup.objects.filter(session=session).values_list("status", flat=True))
    assert statuses[SignupStatus.CANCELLED] == 10
    assert statuses[SignupStatus.CONFIRMED] + statuses[SignupStatus.OFFERED] == 10  # 15 wanted 10 freed seats
    assert statuses[SignupStatus.WAITING] == 5


def test_expiry_run_from_many_places_at_once_passes_each_seat_on_once(conference: Event) -> None:
    """The cron command, the deferred task and every page view may expire the same offers at the same moment."""
    import datetime

    from tests.events.seats_support import in_days

    session = workshop(conference, capacity=3)
    seated = [registered(conference, f"seated{i}") for i in range(3)]
    waiting = [registered(conference, f"waiting{i}") for i in range(6)]
    for user in seated + waiting:
        seats.signup_create(session=session, user=user, by=user)
    for user in seated:
        seats.signup_cancel(signup=signup_of(session, user), by=user, now=in_days(-3))
    later = in_days(-3) + datetime.timedelta(hours=conference.offer_hold_hours + 1)

    outcomes = at_once([lambda: seats.offers_expire(now=later) for _ in range(8)])

    assert sum(outcomes) == 3  # three offers ran out, each counted once
    assert [signup_of(session, u).status for u in waiting] == ["expired"] * 3 + ["offered"] * 3
    assert_honest(session)
    assert session.seats_taken == 3
