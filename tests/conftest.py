"""Fixtures named after the people in the story: an operator, a company representative, a stranger."""

from typing import Any

import pytest
from django.test import Client
from hypothesis import settings as hypothesis_settings

from chiptown.accounts.models import Role, User
from chiptown.registry.models import Organisation
from chiptown.registry.services import chip_categories_load
from tests.factories import OrganisationFactory, UserFactory

# The same examples on every run, so a property test cannot pass on one machine and fail on the next.
hypothesis_settings.register_profile("chiptown", derandomize=True)
hypothesis_settings.load_profile("chiptown")


@pytest.fixture(autouse=True)
def _chip_categories(request: pytest.FixtureRequest) -> None:
    """Transactional tests (real concurrency, live_server) flush the database when they end, which also wipes
    the chip categories that a migration loads; put them back before each such test. (Serialised rollback
    would do it, but pytest-django loses the serialised copy once ordinary database tests have run.)"""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        chip_categories_load()


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    """Tests read English messages unless they switch language themselves."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def operator(db: Any) -> User:
    return UserFactory(username="olivia", role=Role.OPERATOR)


@pytest.fixture
def company(db: Any) -> Organisation:
    return OrganisationFactory(name_en="Alpha Semiconductor", name_zh="阿尔法半导体")


@pytest.fixture
def other_company(db: Any) -> Organisation:
    return OrganisationFactory(name_en="Beta Microelectronics", name_zh="贝塔微电子")


@pytest.fixture
def company_rep(company: Organisation) -> User:
    return UserFactory(username="robin", role=Role.COMPANY_REP, organisation=company)


@pytest.fixture
def stranger(db: Any) -> User:
    return UserFactory(username="sam", role=Role.ATTENDEE)


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def operator_client(operator: User) -> Client:
    return client_for(operator)


@pytest.fixture
def rep_client(company_rep: User) -> Client:
    return client_for(company_rep)


@pytest.fixture
def stranger_client(stranger: User) -> Client:
    return client_for(stranger)
