"""Publishing the programme (services.programme.programme_publish): a version freezes the scheduled sessions in
the contract's JSON with what changed since the last one; a background job then emails everyone whose agenda holds
a changed session, once, in their own language, with old → new time and room."""

from typing import Any

import pytest
from django.core import mail

from chiptown.accounts.models import User
from chiptown.core.errors import Conflict
from chiptown.core.models import AuditEntry, Job
from chiptown.events.models import (
    AgendaItem,
    Event,
    ProgrammeVersion,
    RegistrationStatus,
    Session,
    SessionKind,
    Signup,
    SignupStatus,
)
from chiptown.events.services import programme as services
from tests.events.factories import RegistrationFactory, SessionFactory, WorkshopFactory, at
from tests.events.programme_support import Venue, venue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(event: Event) -> Venue:
    return venue(event)


@pytest.fixture
def keynote(place: Venue, operator: User) -> Session:
    session = SessionFactory(
        event=place.event,
        room=place.hall,
        title_en="Automotive chips to 2030",
        title_zh="汽车芯片市场展望",
        starts_at=at(1, 9),
        ends_at=at(1, 10),
        track=place.track,
    )
    services.session_speakers_set(session=session, speakers=[(place.zhang, "speaker")], by=operator)
    return session


@pytest.fixture
def salon(place: Venue) -> Session:
    return WorkshopFactory(
        event=place.event,
        room=place.salon,
        title_en="Car makers' own chips",
        title_zh="车企自研芯片",
        starts_at=at(2, 14),
        ends_at=at(2, 16),
    )


def test_the_first_version_freezes_the_scheduled_sessions(
    operator: User, place: Venue, keynote: Session, salon: Session
) -> None:
    SessionFactory(event=place.event, room=None, starts_at=None, ends_at=None, title_en="Still looking for a slot")

    version = services.programme_publish(event=place.event, by=operator)

    assert version.number == 1 and version.published_by == operator
    assert version.sessions == {
        str(keynote.pk): {
            "kind": "keynote",
            "title_zh": "汽车芯片市场展望",
            "title_en": "Automotive chips to 2030",
            "track": place.track.pk,
            "room": place.hall.pk,
            "starts_at": "2027-06-15T01:00:00+00:00",
            "ends_at": "2027-06-15T02:00:00+00:00",
            "capacity": None,
            "closed_door": False,
            "speakers": [[place.zhang.pk, "speaker"]],
        },
        str(salon.pk): {
            "kind": "salon",
            "title_zh": "车企自研芯片",
            "title_en": "Car makers' own chips",
            "track": None,
            "room": place.salon.pk,
            "starts_at": "2027-06-16T06:00:00+00:00",
            "ends_at": "2027-06-16T08:00:00+00:00",
            "capacity": 20,
            "closed_door": False,
            "speakers": [],
        },
    }
    assert [(c["session"], c["change"]) for c in version.changes] == [(keynote.pk, "added"), (salon.pk, "added")]
    event = Event.objects.get(pk=place.event.pk)
    assert event.programme_version == 1 and event.programme_published_at is not None
    entry = AuditEntry.objects.get(action="events.programme_publish")
    assert entry.after["programme_version"] == 1 and entry.after["sessions"] == 2


def test_nothing_scheduled_is_nothing_to_publish(operator: User, place: Venue) -> None:
    SessionFactory(event=place.event, room=None, starts_at=None, ends_at=None)
    with pytest.raises(Conflict) as caught:
        services.programme_publish(event=place.event, by=operator)
    assert caught.value.code == "nothing_to_publish"
    assert not ProgrammeVersion.objects.exists()
    assert Event.objects.get(pk=place.event.pk).programme_version == 0


def test_publishing_twice_without_a_change_is_refused(operator: User, place: Venue, keynote: Session) -> None:
    services.programme_publish(event=place.event, by=operator)
    with pytest.raises(Conflict) as caught:
        services.programme_publish(event=place.event, by=operator)
    assert caught.value.message == "Nothing has changed since version 1 was published."
    assert ProgrammeVersion.objects.count() == 1
    assert AuditEntry.objects.filter(action="events.programme_publish").count() == 1


def test_a_change_no_kind_covers_is_published_and_tells_nobody(
    operator: User, place: Venue, salon: Session, django_capture_on_commit_callbacks: Any
) -> None:
    services.programme_publish(event=place.event, by=operator)
    services.session_update(session=salon, by=operator, values={"capacity": 30})

    with django_capture_on_commit_callbacks(execute=True):
        version = services.programme_publish(event=place.event, by=operator)

    assert version.number == 2 and version.changes == []
    assert version.sessions[str(salon.pk)]["capacity"] == 30
    assert Job.objects.count() == 1 and mail.outbox == []  # the first version's job only


def _agenda(user: User, event: Event, *sessions: Session, status: str = RegistrationStatus.CONFIRMED) -> None:
    registration = RegistrationFactory(event=event, user=user, status=status)
    for session in sessions:
        AgendaItem.objects.create(registration=registration, session=session)


def test_people_whose_agenda_changed_are_told_in_their_language(
    operator: User,
    place: Venue,
    keynote: Session,
    salon: Session,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    event = place.event
    unchanged = SessionFactory(event=event, room=place.hall, starts_at=at(3, 9), ends_at=at(3, 10))
    services.programme_publish(event=event, by=operator)
    alice = UserFactory(username="alice", email="alice@example.com", language="en")
    _agenda(alice, event, keynote, unchanged)
    bo = UserFactory(username="bo", email="bo@example.com", language="zh-hans")
    registration = RegistrationFactory(event=event, user=bo)
    Signup.objects.create(session=salon, registration=registration, status=SignupStatus.CONFIRMED)
    AgendaItem.objects.create(registration=registration, session=keynote)
    _agenda(UserFactory(username="carol", email="carol@example.com"), event, unchanged)
    _agenda(UserFactory(username="dave", email="dave@example.com"), event, keynote, status=RegistrationStatus.CANCELLED)
    waiting = RegistrationFactory(event=event, user=UserFactory(username="erin", email="erin@example.com"))
    Signup.objects.create(session=salon, registration=waiting, status=SignupStatus.WAITING)

    services.session_schedule(session=keynote, room=place.salon, starts_at=at(1, 11), ends_at=at(1, 12), by=operator)
    services.session_update(session=salon, by=operator, values={"title_en": "Chips made by car makers"})
    services.session_speakers_set(session=salon, speakers=[(place.li, "moderator")], by=operator)
    with django_capture_on_commit_callbacks(execute=True):
        version = services.programme_publish(event=event, by=operator)

    assert [(c["session"], c["change"]) for c in version.changes] == [
        (keynote.pk, "moved"),
        (keynote.pk, "retimed"),
        (salon.pk, "renamed"),
        (salon.pk, "speakers"),
    ]
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.com", "bo@example.com"]
    to_alice = next(m for m in mailoutbox if m.to == ["alice@example.com"])
    assert to_alice.subject == "[ChipTown] The conference programme has changed"
    assert "Automotive chips to 2030: June 15, 09:00–10:00, Hall 1 → June 15, 11:00–12:00, Salon 2." in to_alice.body
    assert "version 2" in to_alice.body and "Car makers" not in to_alice.body
    to_bo = next(m for m in mailoutbox if m.to == ["bo@example.com"])
    # Bo reads Chinese: titles, rooms and dates in Chinese; his seat in the salon and his keynote in one email.
    assert "汽车芯片市场展望" in to_bo.body and "一号厅" in to_bo.body and "二号沙龙" in to_bo.body
    assert "6月15日" in to_bo.body
    assert "李娜" in to_bo.body
    assert "Automotive chips to 2030" not in to_bo.body
    version.refresh_from_db()
    assert version.notified == 2
    job = Job.objects.get(kind=f"events.programme_emails.{version.pk}")
    assert job.status == Job.Status.SUCCEEDED and job.result == {"people": 2, "emails": 2}
    assert services.programme_emails_job(version=version) == job


def test_a_session_taken_off_the_programme_is_announced_as_removed(
    operator: User,
    place: Venue,
    keynote: Session,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    services.programme_publish(event=place.event, by=operator)
    _agenda(UserFactory(username="alice", email="alice@example.com"), place.event, keynote)
    services.session_unschedule(session=keynote, by=operator)

    with django_capture_on_commit_callbacks(execute=True):
        version = services.programme_publish(event=place.event, by=operator)

    assert [c["change"] for c in version.changes] == ["removed"] and version.sessions == {}
    assert len(mailoutbox) == 1
    assert (
        "Automotive chips to 2030 was taken off the programme (it was June 15, 09:00–10:00, Hall 1)."
        in mailoutbox[0].body
    )


def test_a_failed_publication_queues_no_emails(
    operator: User, place: Venue, keynote: Session, django_capture_on_commit_callbacks: Any
) -> None:
    services.programme_publish(event=place.event, by=operator)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Conflict):
        services.programme_publish(event=place.event, by=operator)
    assert callbacks == [] and Job.objects.count() == 1


def test_kinds_of_sessions_cover_the_whole_programme() -> None:
    # The editor offers every kind the conference has; the snapshot keeps the code.
    assert set(SessionKind.values) == {"keynote", "panel", "salon", "workshop", "ceremony", "break"}
