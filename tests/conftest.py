"""Fixtures named after the people in the story: an operator, a company representative, a stranger."""

from typing import Any

import pytest
from django.test import Client

from chiptown.accounts.models import Role, User
from chiptown.registry.models import Organisation
from tests.factories import OrganisationFactory, UserFactory


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests (real concurrency, live_server) flush the database when they end, which would also
    wipe rows that migrations load (the ten chip categories). Serialised rollback restores them before each."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is None or not marker.kwargs.get("transaction") or "serialized_rollback" in marker.kwargs:
            continue
        item.add_marker(pytest.mark.django_db(*marker.args, **marker.kwargs, serialized_rollback=True), append=False)


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
