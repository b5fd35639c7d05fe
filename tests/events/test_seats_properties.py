"""Random sequences of sign-ups, cancellations, accepted, declined and lapsed offers (hypothesis), checked after
every step against a small model of the waiting list: the counter always equals the seats held (confirmed and
offered) and stays within the capacity, nobody waits while a seat is free, and the waiting list keeps its order."""

import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chiptown.accounts.models import User
from chiptown.core.errors import Conflict
from chiptown.events.models import Event, Session, Signup, SignupStatus
from chiptown.events.services import seats
from tests.events.seats_support import registered, waiting_order, workshop

pytestmark = pytest.mark.django_db

PEOPLE = 5
ACTIONS = ("signup", "cancel", "accept", "decline", "expire")
WEIGHTED = ("signup", "signup", "signup", "cancel", "cancel", "accept", "decline", "expire")  # lists fill up


class SeatModel:
    """What the seats should look like: who holds a seat or an offer, and the waiting list in order."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.held: dict[str, str] = {}  # username -> confirmed | offered
        self.waiting: list[str] = []

    def active(self, name: str) -> bool:
        return name in self.held or name in self.waiting

    def pass_on(self) -> None:
        if self.waiting:
            self.held[self.waiting.pop(0)] = SignupStatus.OFFERED

    def signup(self, name: str) -> str | None:
        if self.active(name):
            return None  # refused
        if len(self.held) < self.capacity:
            self.held[name] = SignupStatus.CONFIRMED
            return SignupStatus.CONFIRMED
        self.waiting.append(name)
        return SignupStatus.WAITING

    def cancel(self, name: str) -> bool:
        if name in self.waiting:
            self.waiting.remove(name)
            return True
        if name in self.held:
            del self.held[name]
            self.pass_on()
            return True
        return False

    def answer(self, name: str, accept: bool) -> bool:
        if self.held.get(name) != SignupStatus.OFFERED:
            return False
        if accept:
            self.held[name] = SignupStatus.CONFIRMED
        else:
            del self.held[name]
            self.pass_on()
        return True

    def expire(self) -> int:
        lapsed = [name for name, status in self.held.items() if status == SignupStatus.OFFERED]
        for name in lapsed:
            del self.held[name]
        for _name in lapsed:
            self.pass_on()
        return len(lapsed)


@pytest.fixture
def people(event: Event) -> list[User]:
    return [registered(event, f"person{i}") for i in range(PEOPLE)]


def latest(session: Session, user: User) -> Signup | None:
    return Signup.objects.filter(session=session, registration__user=user).order_by("-created_at", "-pk").first()


def check(session: Session, model: SeatModel) -> None:
    session.refresh_from_db(fields=["seats_taken"])
    active = {
        s.registration.user.username: s.status
        for s in Signup.objects.filter(
            session=session, status__in=[SignupStatus.CONFIRMED, SignupStatus.OFFERED, SignupStatus.WAITING]
        ).select_related("registration__user")
    }
    held = {name: status for name, status in active.items() if status != SignupStatus.WAITING}
    assert held == model.held
    assert session.seats_taken == len(held) <= model.capacity
    assert waiting_order(session) == model.waiting
    assert not model.waiting or len(held) == model.capacity  # nobody waits while a seat is free


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(capacity=1, steps=[("signup", 0), ("signup", 1), ("signup", 2), ("cancel", 0)])  # the head, not the last
@given(
    capacity=st.integers(min_value=0, max_value=2),
    steps=st.lists(
        st.tuples(st.sampled_from(WEIGHTED), st.integers(min_value=0, max_value=PEOPLE - 1)), min_size=6, max_size=30
    ),
)
def test_any_sequence_keeps_the_seats_honest(
    event: Event, people: list[User], capacity: int, steps: list[tuple[str, int]]
) -> None:
    session = workshop(event, capacity=capacity, days=200)
    model = SeatModel(capacity)
    now = datetime.datetime.now(datetime.UTC)
    hold = datetime.timedelta(hours=event.offer_hold_hours)
    for action, index in steps:
        user = people[index]
        name = user.username
        now += datetime.timedelta(minutes=1)
        if action == "signup":
            expected = model.signup(name)
            if expected is None:
                with pytest.raises(Conflict):
                    seats.signup_create(session=session, user=user, by=user, now=now)
            else:
                assert seats.signup_create(session=session, user=user, by=user, now=now).signup.status == expected
        elif action == "expire":
            now += hold
            assert seats.offers_expire(session=session, now=now) == model.expire()
        else:
            signup = latest(session, user)
            done = model.cancel(name) if action == "cancel" else model.answer(name, accept=action == "accept")
            if signup is None:
                assert not done
            elif done:
                service: Any = {
                    "cancel": seats.signup_cancel,
                    "accept": seats.offer_accept,
                    "decline": seats.offer_decline,
                }[action]
                service(signup=signup, by=user, now=now)
            else:
                with pytest.raises(Conflict):
                    {"cancel": seats.signup_cancel, "accept": seats.offer_accept, "decline": seats.offer_decline}[
                        action
                    ](signup=signup, by=user, now=now)
        check(session, model)
