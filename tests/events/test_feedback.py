"""The feedback survey: who may answer and when, one answer per person and session (editable until the event
ends), validation, the page, and the operators' results."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from chiptown.accounts.models import User
from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied
from chiptown.core.models import AuditEntry
from chiptown.events.models import Event, Feedback, Registration, RegistrationStatus, Session, SessionKind
from chiptown.events.services import feedback as services
from tests.conftest import client_for
from tests.events.checkin_support import event_around_today, past_session, seat
from tests.events.factories import RegistrationFactory, SessionFactory, WorkshopFactory
from tests.factories import UserFactory

GOOD = {"rating": 4, "content_rating": 3, "speaker_rating": 5, "comment": "Clear and useful."}


@pytest.fixture
def running_event(db: Any) -> Event:
    """Yesterday, today and tomorrow."""
    return event_around_today(slug="now", first_day_offset=-1)


@pytest.fixture
def ended_session(running_event: Event) -> Session:
    return past_session(running_event, title_en="Market outlook")


@pytest.fixture
def registered(running_event: Event, attendee: User) -> Registration:
    return RegistrationFactory(event=running_event, user=attendee)


def submit(session: Session, user: User, **changes: Any) -> Feedback:
    values = {**GOOD, **changes}
    return services.feedback_submit(session=session, user=user, by=user, **values)


def test_first_answer_is_saved_and_audited(ended_session: Session, registered: Registration, attendee: User) -> None:
    answer = submit(ended_session, attendee)

    assert Feedback.objects.get() == answer
    assert (answer.registration, answer.rating, answer.content_rating, answer.speaker_rating, answer.comment) == (
        registered,
        4,
        3,
        5,
        "Clear and useful.",
    )
    entry = AuditEntry.objects.get(action="feedback.submit")
    assert entry.actor_id == attendee.pk and entry.after["rating"] == 4


def test_second_answer_changes_the_first_until_the_event_ends(
    ended_session: Session, registered: Registration, attendee: User
) -> None:
    first = submit(ended_session, attendee)

    second = submit(ended_session, attendee, rating="2", comment="  On reflection, too long.  ")

    assert Feedback.objects.count() == 1 and second.pk == first.pk
    first.refresh_from_db()
    assert (first.rating, first.content_rating, first.comment) == (2, 3, "On reflection, too long.")
    change = AuditEntry.objects.get(action="feedback.change")
    assert change.before == {"rating": 4, "comment": "Clear and useful."}
    assert change.after == {"rating": 2, "comment": "On reflection, too long."}


def test_after_the_event_a_first_answer_is_taken_but_answers_are_final(attendee: User, stranger: User) -> None:
    ended = event_around_today(slug="ended", first_day_offset=-4)  # ended two days ago
    session = past_session(ended)
    RegistrationFactory(event=ended, user=attendee)
    RegistrationFactory(event=ended, user=stranger)
    late = submit(session, stranger)

    assert late.rating == 4
    before = Feedback.objects.get(pk=late.pk).rating
    with pytest.raises(Conflict) as refused:
        submit(session, stranger, rating=1)
    assert refused.value.message == "The conference has ended; your answer can no longer be changed."
    assert Feedback.objects.get(pk=late.pk).rating == before
    assert submit(session, attendee).pk != late.pk


def test_survey_closes_a_week_after_the_event(attendee: User) -> None:
    long_ago = event_around_today(slug="long-ago", first_day_offset=-12)
    session = past_session(long_ago)
    RegistrationFactory(event=long_ago, user=attendee)

    with pytest.raises(Conflict, match=r"The survey has closed\."):
        submit(session, attendee)
    assert not Feedback.objects.exists()


def test_session_not_ended_yet(event: Event, attendee_registration: Registration, attendee: User) -> None:
    upcoming = SessionFactory(event=event)  # 2027: not yet

    with pytest.raises(Conflict, match="once it has ended"):
        submit(upcoming, attendee)
    assert not Feedback.objects.exists()


def test_break_is_not_rated(running_event: Event, registered: Registration, attendee: User) -> None:
    coffee = past_session(running_event, kind=SessionKind.BREAK, title_en="Coffee")

    with pytest.raises(Conflict, match=r"Breaks are not rated\."):
        submit(coffee, attendee)


@pytest.mark.parametrize("status", [None, RegistrationStatus.PENDING, RegistrationStatus.CANCELLED])
def test_only_confirmed_registrations_answer(
    running_event: Event, ended_session: Session, attendee: User, status: str | None
) -> None:
    if status:
        RegistrationFactory(event=running_event, user=attendee, status=status)

    with pytest.raises(PermissionDenied, match="confirmed registration"):
        submit(ended_session, attendee)
    assert not Feedback.objects.exists()


def test_session_with_sign_up_needs_a_seat(running_event: Event, registered: Registration, attendee: User) -> None:
    salon = past_session(running_event, factory=WorkshopFactory, title_en="Chiplets salon")

    with pytest.raises(Conflict, match="had a seat"):
        submit(salon, attendee)
    seat(salon, registered, nda=False)
    assert submit(salon, attendee).session == salon


def test_people_answer_for_themselves_only(ended_session: Session, registered: Registration, attendee: User) -> None:
    other = UserFactory()

    with pytest.raises(PermissionDenied):
        services.feedback_submit(session=ended_session, user=attendee, by=other, **GOOD)
    assert not Feedback.objects.exists()


@pytest.mark.parametrize(
    ("changes", "columns"),
    [
        ({"rating": 0}, ["rating"]),
        ({"content_rating": 6}, ["content_rating"]),
        ({"speaker_rating": "five"}, ["speaker_rating"]),
        ({"rating": None, "speaker_rating": ""}, ["rating", "speaker_rating"]),
        ({"rating": True}, ["rating"]),
        ({"rating": 4.5}, ["rating"]),
        ({"comment": "x" * 2001}, ["comment"]),
    ],
)
def test_bad_answers_are_refused_field_by_field(
    ended_session: Session, registered: Registration, attendee: User, changes: dict[str, Any], columns: list[str]
) -> None:
    with pytest.raises(ChipTownError) as refused:
        submit(ended_session, attendee, **changes)

    assert [p.column for p in refused.value.problems] == columns
    assert refused.value.status == 400
    assert not Feedback.objects.exists() and not AuditEntry.objects.exists()


def test_closed_reason_comes_before_validation(
    event: Event, attendee_registration: Registration, attendee: User
) -> None:
    with pytest.raises(Conflict):
        submit(SessionFactory(event=event), attendee, rating=9)


# --- The page ---------------------------------------------------------------------------------------------------


def test_feedback_page_shows_the_form_then_the_saved_answer(
    ended_session: Session, registered: Registration, attendee_client: Client
) -> None:
    url = reverse("events:feedback", args=[ended_session.event.slug, ended_session.pk])

    empty = attendee_client.get(url).content.decode()
    saved = attendee_client.post(url, {**GOOD})
    again = attendee_client.get(url).content.decode()

    assert "Send my answer" in empty and 'name="rating"' in empty
    assert saved.status_code == 302 and saved["Location"] == url
    assert Feedback.objects.get().speaker_rating == 5
    assert "Save my changes" in again
    assert 'name="rating" value="4" class="rating" required id="id_rating_3" checked' in again
    assert "Clear and useful." in again
    assert "style=" not in again


def test_feedback_page_invalid_post_says_what_is_wrong(
    ended_session: Session, registered: Registration, attendee_client: Client
) -> None:
    url = reverse("events:feedback", args=[ended_session.event.slug, ended_session.pk])

    response = attendee_client.post(url, {"rating": "7", "content_rating": "3"})

    assert response.status_code == 400
    assert "errorlist" in response.content.decode()
    assert not Feedback.objects.exists()


def test_feedback_page_explains_why_not(
    event: Event, attendee_registration: Registration, attendee_client: Client, stranger_client: Client
) -> None:
    upcoming = SessionFactory(event=event)
    url = reverse("events:feedback", args=[event.slug, upcoming.pk])

    html = attendee_client.get(url).content.decode()
    early = attendee_client.post(url, {**GOOD})
    unregistered = stranger_client.post(url, {**GOOD})

    assert "You can rate this session once it has ended." in html and 'name="rating"' not in html
    assert early.status_code == 400 and "You can rate this session once it has ended." in early.content.decode()
    assert unregistered.status_code == 403
    assert not Feedback.objects.exists()


def test_feedback_page_for_someone_not_registered_is_refused(
    ended_session: Session, stranger_client: Client, stranger: User
) -> None:
    url = reverse("events:feedback", args=[ended_session.event.slug, ended_session.pk])

    page = stranger_client.get(url).content.decode()
    posted = stranger_client.post(url, {**GOOD})

    assert "confirmed registration" in page and 'name="rating"' not in page
    assert posted.status_code == 403
    assert not Feedback.objects.exists()
    assert Client().get(url).status_code == 302


# --- Results ----------------------------------------------------------------------------------------------------


def _answers(session: Session, ratings: list[int], comment: str = "") -> None:
    for rating in ratings:
        registration = RegistrationFactory(event=session.event)
        Feedback.objects.create(
            session=session,
            registration=registration,
            rating=rating,
            content_rating=rating,
            speaker_rating=5,
            comment=comment,
        )


def test_results_page_shows_counts_averages_bars_and_comments(
    running_event: Event, ended_session: Session, operator_client: Client
) -> None:
    _answers(ended_session, [5, 4, 4, 1], comment="")
    _answers(ended_session, [5], comment="More data, please.")
    quiet = past_session(running_event, title_en="Quiet panel")

    html = operator_client.get(reverse("events:feedback_results", args=[running_event.slug])).content.decode()

    assert "5 answers in all." in html
    assert "Market outlook" in html and "3.8" in html  # (5+4+4+1+5)/5
    assert "bar-fill w-40" in html  # two fours of five for the overall rating
    assert "bar-fill w-20" in html
    assert "More data, please." in html
    assert quiet.title_en in html and "Nobody has rated this session yet." in html
    assert "style=" not in html


@pytest.mark.parametrize("who", ["staff_client", "attendee_client"])
def test_results_are_for_operators(running_event: Event, who: str, request: pytest.FixtureRequest) -> None:
    client = request.getfixturevalue(who)

    assert client.get(reverse("events:feedback_results", args=[running_event.slug])).status_code == 403


@pytest.mark.parametrize("sessions", [2, 8])
def test_results_cost_constant_queries(
    running_event: Event, operator: User, django_assert_max_num_queries: Any, sessions: int
) -> None:
    for n in range(sessions):
        _answers(past_session(running_event, title_en=f"Session {n}"), [3, 4, 5], comment="ok")
    client = client_for(operator)

    # session, user, event, sessions, answers
    with django_assert_max_num_queries(5):
        response = client.get(reverse("events:feedback_results", args=[running_event.slug]))

    assert response.status_code == 200


# --- The summary (pure) -----------------------------------------------------------------------------------------


@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5)), max_size=60))
def test_summary_accounts_for_every_answer(ratings: list[tuple[int, int, int]]) -> None:
    session = Session(pk=1, title_en="S")
    answers = [Feedback(session_id=1, rating=r, content_rating=c, speaker_rating=s, comment="") for r, c, s in ratings]

    [summary] = services.summarise_feedback([session], answers)

    assert summary.count == len(ratings)
    for index, question in enumerate(summary.questions):
        values = [row[index] for row in ratings]
        assert [share.rating for share in question.shares] == [5, 4, 3, 2, 1]
        assert sum(share.count for share in question.shares) == len(values)
        if values:
            assert question.average == pytest.approx(sum(values) / len(values))
            assert abs(sum(share.percent for share in question.shares) - 100) <= 3
        else:
            assert question.average is None
        for share in question.shares:
            assert share.width_class in {f"w-{n}" for n in range(0, 101, 5)}
