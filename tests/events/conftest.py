"""The conference's people: an attendee with a confirmed registration, a speaker, the check-in staff."""

from typing import Any

import pytest
from django.test import Client

from chiptown.accounts.models import Role, User
from chiptown.events.models import AttendeeType, Event, Registration
from tests.conftest import client_for
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import UserFactory


@pytest.fixture
def event(db: Any) -> Event:
    return EventFactory(slug="2027", name_en="Chip to E-Town 2027", name_zh="芯动亦庄 2027")


@pytest.fixture
def attendee(db: Any) -> User:
    return UserFactory(username="alice", role=Role.ATTENDEE, email="alice@example.com")


@pytest.fixture
def attendee_registration(event: Event, attendee: User) -> Registration:
    return RegistrationFactory(event=event, user=attendee)


@pytest.fixture
def attendee_client(attendee: User) -> Client:
    return client_for(attendee)


@pytest.fixture
def staff(event: Event) -> User:
    user = UserFactory(username="stella", role=Role.ATTENDEE)
    RegistrationFactory(event=event, user=user, attendee_type=AttendeeType.STAFF)
    return user


@pytest.fixture
def staff_client(staff: User) -> Client:
    return client_for(staff)
