"""The database itself refuses an overbooked session, a session ending before it starts, a second active sign-up."""

from typing import Any

import pytest
from django.db import IntegrityError, transaction

from chiptown.events.badges import badge_token, badge_token_read
from chiptown.events.models import Registration, Session, Signup, SignupStatus
from tests.events.factories import RegistrationFactory, SessionFactory, WorkshopFactory, at


def test_seats_taken_cannot_exceed_capacity(db: Any) -> None:
    workshop = WorkshopFactory(capacity=2)
    Session.objects.filter(pk=workshop.pk).update(seats_taken=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Session.objects.filter(pk=workshop.pk).update(seats_taken=3)
    workshop.refresh_from_db()
    assert workshop.seats_taken == 2


def test_session_must_end_after_it_starts(db: Any) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        SessionFactory(starts_at=at(1, 10), ends_at=at(1, 9))
    assert not Session.objects.exists()


def test_one_active_signup_per_person_and_session(db: Any) -> None:
    workshop = WorkshopFactory()
    registration = RegistrationFactory(event=workshop.event)
    Signup.objects.create(session=workshop, registration=registration, status=SignupStatus.WAITING)
    with pytest.raises(IntegrityError), transaction.atomic():
        Signup.objects.create(session=workshop, registration=registration, status=SignupStatus.CONFIRMED)
    # A cancelled one does not count: the person may sign up again.
    Signup.objects.filter(session=workshop).update(status=SignupStatus.CANCELLED)
    Signup.objects.create(session=workshop, registration=registration, status=SignupStatus.CONFIRMED)
    assert Signup.objects.filter(session=workshop).count() == 2


def test_badge_token_round_trip_and_forgery(db: Any) -> None:
    registration: Registration = RegistrationFactory()
    token = badge_token(registration)
    assert badge_token_read(token) == (registration.pk, registration.badge_nonce)
    assert badge_token_read(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert badge_token_read("not a token") is None
