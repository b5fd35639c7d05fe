"""Ten desks scan the same badge at the same moment (real threads on PostgreSQL): exactly one checks the person in,
the other nine are told they already did, by whom."""

import threading

import pytest
from django.db import connection, connections

from chiptown.core.models import AuditEntry
from chiptown.events.models import AttendeeType, Registration
from chiptown.events.services import checkin as services
from tests.events.checkin_support import badge
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import UserFactory

DESKS = 10


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_desks_scanning_one_badge_check_in_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent updates need PostgreSQL")
    event = EventFactory(slug="race")
    desks = []
    for n in range(DESKS):
        user = UserFactory(username=f"desk{n}")
        RegistrationFactory(event=event, user=user, attendee_type=AttendeeType.STAFF)
        desks.append(user)
    visitor = RegistrationFactory(event=event, user=UserFactory(username="visitor"))
    token = badge(visitor)
    barrier = threading.Barrier(DESKS)
    outcomes: list[tuple[str, str]] = []
    errors: list[BaseException] = []

    def scan(desk: object) -> None:
        try:
            barrier.wait()
            result = services.checkin_by_token(event=event, token=token, by=desk)
            outcomes.append((result.outcome, result.checked_in_by_name))
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=scan, args=(desk,)) for desk in desks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(outcome for outcome, _by in outcomes) == ["already"] * (DESKS - 1) + ["ok"]
    visitor.refresh_from_db()
    winner = next(by for outcome, by in outcomes if outcome == "ok")
    assert visitor.checked_in_by.username == winner
    assert {by for outcome, by in outcomes if outcome == "already"} == {winner}
    assert AuditEntry.objects.filter(action="registration.check_in").count() == 1
    assert Registration.objects.filter(checked_in_at__isnull=False).count() == 1
