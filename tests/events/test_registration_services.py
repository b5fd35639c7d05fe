"""Registration services: registering with the event's own questions, approval, cancelling (the old badge stops
working), changing, the badge email, the organisers' settings. Every refusal changes nothing."""

from collections.abc import Callable
from typing import Any

import icalendar
import pytest
from django.core import mail
from django.core.mail import EmailMessage

from chiptown.accounts.models import Role, User
from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied
from chiptown.core.models import Job
from chiptown.events import badges
from chiptown.events.models import (
    AgendaItem,
    AttendeeType,
    Event,
    Registration,
    RegistrationStatus,
    Session,
    Signup,
    SignupStatus,
)
from chiptown.events.services import registrations as services
from chiptown.events.services.seats import signup_create
from tests.events.factories import RegistrationFactory, SessionFactory, WorkshopFactory, at
from tests.events.registration_support import (
    GOOD_ANSWERS,
    audit_actions,
    publish,
    registration_state,
    with_questions,
    world_state,
)
from tests.factories import UserFactory

Commit = Callable[..., Any]


def register(event: Event, user: User, **kwargs: Any) -> Registration:
    values: dict[str, Any] = {"attendee_type": AttendeeType.GENERAL, "answers": {}, "by": user}
    values.update(kwargs)
    return services.registration_create(event=event, user=user, **values)


def attachments(message: EmailMessage) -> list[tuple[str, bytes, str]]:
    return [(name, content, mimetype) for name, content, mimetype in message.attachments]  # type: ignore[misc]


# --- Registering -------------------------------------------------------------------------------------------------


def test_registering_confirms_at_once_and_emails_the_badge_and_calendar(
    event: Event, attendee: User, django_capture_on_commit_callbacks: Commit
) -> None:
    with_questions(event)

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(event, attendee, answers=GOOD_ANSWERS)

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.attendee_type == AttendeeType.GENERAL
    assert registration.answers == {"job_title": "Purchasing lead", "fleet_size": 120000, "interest": "adas"}
    assert registration.decided_at is not None
    assert audit_actions(registration) == ["events.registration.create"]
    [message] = mail.outbox
    assert message.to == ["alice@example.com"]
    assert message.subject == "[ChipTown] Your conference badge"
    assert "You are registered for Chip to E-Town 2027" in str(message.body)
    [(png_name, png, png_type), (ics_name, ics, ics_type)] = attachments(message)
    assert (png_name, png_type) == ("badge-2027.png", "image/png")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert (ics_name, ics_type) == ("2027.ics", "text/calendar")
    calendar = icalendar.Calendar.from_ical(ics)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Chip to E-Town 2027"
    assert str(vevent["LOCATION"]) == "E-Town International Convention Centre"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert vevent.decoded("DTSTART").isoformat() == "2027-06-15T09:00:00+08:00"
    assert vevent.decoded("DTEND").isoformat() == "2027-06-17T18:00:00+08:00"


def test_the_badge_email_is_in_the_recipients_language(
    event: Event, attendee: User, django_capture_on_commit_callbacks: Commit
) -> None:
    attendee.language = "zh-hans"
    attendee.save()

    with django_capture_on_commit_callbacks(execute=True):
        register(event, attendee)

    [message] = mail.outbox
    assert "芯动亦庄 2027" in str(message.body)
    assert "Chip to E-Town 2027" not in str(message.body)
    [_png, (_name, ics, _type)] = attachments(message)
    [vevent] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "芯动亦庄 2027"
    assert str(vevent["LOCATION"]) == "北京亦庄国际会展中心"


def test_the_event_calendar_spans_the_scheduled_sessions(event: Event) -> None:
    SessionFactory(event=event, starts_at=at(1, 8, 30), ends_at=at(1, 9, 30))
    SessionFactory(event=event, starts_at=at(3, 16), ends_at=at(3, 17, 45))

    [vevent] = icalendar.Calendar.from_ical(services.event_ics(event=event)).walk("VEVENT")

    assert vevent.decoded("DTSTART").isoformat() == "2027-06-15T08:30:00+08:00"
    assert vevent.decoded("DTEND").isoformat() == "2027-06-17T17:45:00+08:00"
    assert vevent["DTSTART"].params["TZID"] == "Asia/Shanghai"


def test_with_approval_a_registration_waits_and_gets_no_badge_yet(
    event: Event, attendee: User, django_capture_on_commit_callbacks: Commit
) -> None:
    event.requires_approval = True
    event.save()

    with django_capture_on_commit_callbacks(execute=True):
        registration = register(event, attendee)

    assert registration.status == RegistrationStatus.PENDING
    assert registration.decided_at is None
    [message] = mail.outbox
    assert message.subject == "[ChipTown] We received your conference registration"
    assert message.attachments == []


def test_registration_when_closed_is_refused_and_changes_nothing(event: Event, attendee: User) -> None:
    event.registration_open = False
    event.save()
    before = world_state(event)

    with pytest.raises(Conflict) as caught:
        register(event, attendee)

    assert caught.value.code == "registration_closed"
    assert caught.value.message == "Registration for Chip to E-Town 2027 is closed."
    assert world_state(event) == before
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("attendee_type", "reason"),
    [
        (AttendeeType.VIP, "You can register as General, Media; VIP, speaker and staff places are given by"),
        (AttendeeType.STAFF, "You can register as General, Media;"),
        ("astronaut", "Choose one of these attendee types: General, Media."),
    ],
)
def test_a_type_people_may_not_choose_is_refused(event: Event, attendee: User, attendee_type: str, reason: str) -> None:
    before = world_state(event)

    with pytest.raises(ChipTownError) as caught:
        register(event, attendee, attendee_type=attendee_type)

    [problem] = caught.value.problems
    assert problem.column == "attendee_type"
    assert problem.reason.startswith(reason)
    assert world_state(event) == before


def test_operators_may_register_anyone_as_any_type(event: Event, attendee: User, operator: User) -> None:
    registration = register(event, attendee, attendee_type=AttendeeType.VIP, by=operator)

    assert (registration.user, registration.attendee_type) == (attendee, AttendeeType.VIP)
    assert registration.status == RegistrationStatus.CONFIRMED


def test_people_may_not_register_someone_else(event: Event, attendee: User, stranger: User) -> None:
    before = world_state(event)

    with pytest.raises(PermissionDenied):
        register(event, attendee, by=stranger)

    assert world_state(event) == before


def test_bad_answers_are_refused_with_every_problem_by_question(event: Event, attendee: User) -> None:
    with_questions(event)
    before = world_state(event)

    with pytest.raises(ChipTownError) as caught:
        register(
            event,
            attendee,
            answers={"job_title": "x" * 41, "fleet_size": "many", "interest": "gpus", "shoe_size": "42"},
        )

    assert [(p.column, p.reason) for p in caught.value.problems] == [
        ("shoe_size", "This question is not on the form."),
        ("job_title", "At most 40 characters (got 41)."),
        ("fleet_size", "many is not a number."),
        ("interest", "gpus is not one of: MCUs, Autonomous-driving chips."),
    ]
    assert world_state(event) == before


def test_required_answers_are_required(event: Event, attendee: User) -> None:
    with_questions(event)

    with pytest.raises(ChipTownError) as caught:
        register(event, attendee, answers={"fleet_size": "10"})

    assert [(p.column, p.reason) for p in caught.value.problems] == [
        ("job_title", "This answer is required."),
        ("interest", "This answer is required."),
    ]
    assert not Registration.objects.filter(event=event).exists()


def test_a_choice_may_be_answered_by_its_label_in_either_language(event: Event, attendee: User) -> None:
    with_questions(event)

    registration = register(event, attendee, answers={"job_title": "CTO", "interest": "自动驾驶芯片"})

    assert registration.answers == {"job_title": "CTO", "interest": "adas"}


@pytest.mark.parametrize(
    "status", [RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING, RegistrationStatus.REJECTED]
)
def test_a_second_registration_is_a_conflict(event: Event, attendee: User, status: str) -> None:
    RegistrationFactory(event=event, user=attendee, status=status)
    before = world_state(event)

    with pytest.raises(Conflict) as caught:
        register(event, attendee)

    assert caught.value.status == 409
    assert caught.value.code == "already_registered"
    assert caught.value.message == "You are already registered for Chip to E-Town 2027."
    assert world_state(event) == before


def test_registering_again_after_cancelling_reuses_the_row_with_a_new_badge(
    event: Event, attendee_registration: Registration, attendee: User
) -> None:
    first_nonce = attendee_registration.badge_nonce
    cancelled = services.registration_cancel(registration=attendee_registration, by=attendee)

    again = register(event, attendee, attendee_type=AttendeeType.MEDIA)

    assert again.pk == attendee_registration.pk
    assert again.status == RegistrationStatus.CONFIRMED
    assert again.attendee_type == AttendeeType.MEDIA
    assert again.cancelled_at is None
    assert len({first_nonce, cancelled.badge_nonce, again.badge_nonce}) == 3
    assert Registration.objects.filter(event=event, user=attendee).count() == 1
    assert audit_actions(again)[-2:] == ["events.registration.cancel", "events.registration.renew"]


# --- Decisions ---------------------------------------------------------------------------------------------------


@pytest.fixture
def pending(event: Event, attendee: User) -> Registration:
    return RegistrationFactory(event=event, user=attendee, status=RegistrationStatus.PENDING)


def test_approving_confirms_and_sends_the_badge(
    pending: Registration, operator: User, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_decide(registration=pending, approve=True, by=operator)

    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.CONFIRMED
    assert pending.decided_at is not None
    assert audit_actions(pending) == ["events.registration.approve"]
    [message] = mail.outbox
    assert [mimetype for _n, _c, mimetype in attachments(message)] == ["image/png", "text/calendar"]


def test_rejecting_needs_a_reason_which_the_person_reads(
    pending: Registration, operator: User, django_capture_on_commit_callbacks: Commit
) -> None:
    before = world_state(pending.event)
    with pytest.raises(ChipTownError) as caught:
        services.registration_decide(registration=pending, approve=False, reason="  ", by=operator)
    assert [(p.column, p.reason) for p in caught.value.problems] == [
        ("reason", "Say why the registration is not approved.")
    ]
    assert world_state(pending.event) == before

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_decide(registration=pending, approve=False, reason="The hall is full.", by=operator)

    pending.refresh_from_db()
    assert pending.status == RegistrationStatus.REJECTED
    [message] = mail.outbox
    assert message.subject == "[ChipTown] Your conference registration was not approved"
    assert "Their reason: The hall is full." in str(message.body)
    assert message.attachments == []


@pytest.mark.parametrize(
    "status", [RegistrationStatus.CONFIRMED, RegistrationStatus.REJECTED, RegistrationStatus.CANCELLED]
)
def test_deciding_a_registration_not_awaiting_approval_is_refused(event: Event, operator: User, status: str) -> None:
    registration = RegistrationFactory(event=event, status=status)
    before = world_state(event)

    with pytest.raises(Conflict) as caught:
        services.registration_decide(registration=registration, approve=True, by=operator)

    assert caught.value.code == "not_pending"
    assert world_state(event) == before


def test_only_operators_decide(pending: Registration, attendee: User, staff: User) -> None:
    before = world_state(pending.event)

    for person in (attendee, staff):
        with pytest.raises(PermissionDenied):
            services.registration_decide(registration=pending, approve=True, by=person)

    assert world_state(pending.event) == before


def test_bulk_approval_approves_the_pending_ones_and_emails_their_badges_in_a_job(
    event: Event, operator: User, django_capture_on_commit_callbacks: Commit
) -> None:
    waiting = [RegistrationFactory(event=event, status=RegistrationStatus.PENDING) for _ in range(3)]
    cancelled = RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    other_event = RegistrationFactory(status=RegistrationStatus.PENDING)

    with django_capture_on_commit_callbacks(execute=True):
        approved, job = services.registrations_approve(
            event=event, registration_ids=[*(r.pk for r in waiting), cancelled.pk, other_event.pk], by=operator
        )

    assert approved == 3
    assert set(Registration.objects.filter(pk__in=[r.pk for r in waiting]).values_list("status", flat=True)) == {
        RegistrationStatus.CONFIRMED
    }
    assert Registration.objects.get(pk=cancelled.pk).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(pk=other_event.pk).status == RegistrationStatus.PENDING
    assert job is not None
    job.refresh_from_db()
    assert (job.status, job.result) == (Job.Status.SUCCEEDED, {"badges": 3})
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.user.email for r in waiting)


# --- Cancelling --------------------------------------------------------------------------------------------------


def test_cancelling_retires_the_badge_releases_seats_and_clears_the_agenda(
    event: Event, attendee_registration: Registration, attendee: User, django_capture_on_commit_callbacks: Commit
) -> None:
    workshop = WorkshopFactory(event=event)
    keynote = SessionFactory(event=event)
    publish(event, workshop, keynote)
    signup_create(session=workshop, user=attendee, by=attendee)
    AgendaItem.objects.create(registration=attendee_registration, session=keynote)
    old_token = badges.badge_token(attendee_registration)

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=attendee_registration, by=attendee)

    attendee_registration.refresh_from_db()
    assert attendee_registration.status == RegistrationStatus.CANCELLED
    assert attendee_registration.cancelled_at is not None
    read = badges.badge_token_read(old_token)
    assert read is not None
    assert read[0] == attendee_registration.pk
    assert read[1] != attendee_registration.badge_nonce
    assert badges.badge_token(attendee_registration) != old_token
    assert Signup.objects.get(registration=attendee_registration).status == SignupStatus.CANCELLED
    assert Session.objects.get(pk=workshop.pk).seats_taken == 0
    assert not AgendaItem.objects.filter(registration=attendee_registration).exists()
    assert "events.registration.cancel" in audit_actions(attendee_registration)
    [message] = mail.outbox
    assert message.subject == "[ChipTown] Your conference registration is cancelled"


def test_the_old_badge_fails_at_check_in_after_cancelling_and_after_registering_again(
    event: Event, attendee_registration: Registration, attendee: User, staff: User
) -> None:
    from chiptown.events.services.checkin import checkin_by_token

    old_token = badges.badge_token(attendee_registration)
    cancelled = services.registration_cancel(registration=attendee_registration, by=attendee)

    assert checkin_by_token(event=event, token=old_token, by=staff).outcome == "cancelled"
    assert checkin_by_token(event=event, token=badges.badge_token(cancelled), by=staff).outcome == "cancelled"
    renewed = register(event, attendee)
    assert checkin_by_token(event=event, token=old_token, by=staff).outcome == "cancelled"
    assert checkin_by_token(event=event, token=badges.badge_token(renewed), by=staff).ok
    assert Registration.objects.get(pk=renewed.pk).checked_in_at is not None


def test_cancelling_twice_or_someone_elses_is_refused(
    attendee_registration: Registration, attendee: User, stranger: User
) -> None:
    event = attendee_registration.event
    before = world_state(event)
    with pytest.raises(PermissionDenied):
        services.registration_cancel(registration=attendee_registration, by=stranger)
    assert world_state(event) == before

    services.registration_cancel(registration=attendee_registration, by=attendee)
    before = world_state(event)
    with pytest.raises(Conflict) as caught:
        services.registration_cancel(registration=attendee_registration, by=attendee)
    assert caught.value.code == "cancelled"
    assert world_state(event) == before


def test_an_operator_may_cancel_a_registration(attendee_registration: Registration, operator: User) -> None:
    services.registration_cancel(registration=attendee_registration, by=operator)

    assert Registration.objects.get(pk=attendee_registration.pk).status == RegistrationStatus.CANCELLED


# --- Changing ----------------------------------------------------------------------------------------------------


def test_a_person_changes_their_answers(attendee_registration: Registration, attendee: User) -> None:
    with_questions(attendee_registration.event)

    services.registration_change(
        registration=attendee_registration, answers={"job_title": "CEO", "interest": "mcu"}, by=attendee
    )

    attendee_registration.refresh_from_db()
    assert attendee_registration.answers == {"job_title": "CEO", "interest": "mcu"}
    assert audit_actions(attendee_registration) == ["events.registration.change"]


def test_bad_changes_are_refused_and_change_nothing(attendee_registration: Registration, attendee: User) -> None:
    event = with_questions(attendee_registration.event)
    before = world_state(event)

    with pytest.raises(ChipTownError) as caught:
        services.registration_change(registration=attendee_registration, answers={"interest": "mcu"}, by=attendee)
    assert [p.column for p in caught.value.problems] == ["job_title"]
    with pytest.raises(PermissionDenied):
        services.registration_change(registration=attendee_registration, attendee_type=AttendeeType.VIP, by=attendee)

    assert world_state(event) == before


def test_an_operator_changes_the_type_and_the_person_gets_a_new_badge(
    attendee_registration: Registration, operator: User, django_capture_on_commit_callbacks: Commit
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_change(registration=attendee_registration, attendee_type=AttendeeType.VIP, by=operator)

    assert Registration.objects.get(pk=attendee_registration.pk).attendee_type == AttendeeType.VIP
    [message] = mail.outbox
    assert "Attendee type: VIP" in str(message.body)


def test_a_cancelled_registration_cannot_be_changed(attendee_registration: Registration, attendee: User) -> None:
    services.registration_cancel(registration=attendee_registration, by=attendee)
    before = world_state(attendee_registration.event)

    with pytest.raises(Conflict):
        services.registration_change(registration=attendee_registration, answers={}, by=attendee)

    assert world_state(attendee_registration.event) == before


def test_only_a_confirmed_registration_gets_a_badge_email(pending: Registration) -> None:
    with pytest.raises(Conflict):
        services.registration_send_badge(registration=pending)

    assert mail.outbox == []


def test_a_person_without_an_address_gets_no_email(event: Event) -> None:
    registration = RegistrationFactory(event=event, user=UserFactory(email="", role=Role.ATTENDEE))

    assert services.registration_send_badge(registration=registration) == 0


# --- The organisers' settings ------------------------------------------------------------------------------------


def test_operators_open_close_and_set_the_questions(event: Event, operator: User) -> None:
    questions = [{"name": "diet", "label_en": "Dietary needs", "type": "textarea"}]

    services.registration_settings_update(
        event=event, registration_open=False, requires_approval=True, form_fields=questions, by=operator
    )

    event.refresh_from_db()
    assert (event.registration_open, event.requires_approval, event.form_fields) == (False, True, questions)


@pytest.mark.parametrize(
    ("questions", "reasons"),
    [
        ({"name": "x"}, ["The form fields must be a list of questions."]),
        (
            [{"name": "Diet", "label_en": "Diet", "type": "date"}],
            [
                "Question 1: the name must be lower-case letters, digits and _ (starting with a letter).",
                "Question 1: the type must be one of: text, textarea, number, url, choice.",
            ],
        ),
        (
            [{"name": "colour", "label_en": "Colour", "type": "choice"}],
            ["Question 1: a choice question needs a list of choices, each with a value and labels."],
        ),
        (
            [
                {
                    "name": "colour",
                    "label_en": "Colour",
                    "type": "choice",
                    "choices": [{"value": "red"}, {"value": "red"}],
                }
            ],
            ["Question 1: the choice red is listed twice."],
        ),
        ([{"name": "a", "label_en": "A", "type": "text", "choices": []}], ["Question 1: unknown keys: choices."]),
    ],
)
def test_bad_questions_are_refused_and_change_nothing(
    event: Event, operator: User, questions: Any, reasons: list[str]
) -> None:
    before = Event.objects.values().get(pk=event.pk)

    with pytest.raises(ChipTownError) as caught:
        services.registration_settings_update(
            event=event, registration_open=False, requires_approval=True, form_fields=questions, by=operator
        )

    assert [(p.column, p.reason) for p in caught.value.problems] == [("form_fields", r) for r in reasons]
    assert Event.objects.values().get(pk=event.pk) == before


def test_only_operators_change_the_settings(event: Event, attendee: User) -> None:
    before = Event.objects.values().get(pk=event.pk)

    with pytest.raises(PermissionDenied):
        services.registration_settings_update(
            event=event, registration_open=False, requires_approval=True, form_fields=[], by=attendee
        )

    assert Event.objects.values().get(pk=event.pk) == before
    assert registration_state(event) == []
