"""Scoring services: drafts, submission (locked), reopening with a reason, reminders. Every refusal leaves every
review as it was, and every write leaves an audit row."""

import threading
from typing import Any

import pytest
from django.core import mail
from django.db import connection, connections
from django.utils import timezone

from chiptown.accounts.models import User
from chiptown.competitions.models import Assignment, ConflictDeclaration, EntryStatus, Review, ReviewStatus
from chiptown.competitions.services import reviews as services
from chiptown.core.errors import ChipTownError, Conflict, NotFound, PermissionDenied
from chiptown.core.models import AuditEntry
from tests.competitions.judging_support import (
    assign,
    eligible_entry,
    judge_in,
    judging_category,
    review_rows,
    submitted_review,
)

pytestmark = pytest.mark.django_db

SCORES = {"innovation": "8", "market": "7.5", "quality": "6"}
COMMENTS = {"innovation": "New lockstep core", "market": "Two OEM design wins", "quality": "AEC-Q100 grade 1"}


@pytest.fixture
def category() -> Any:
    return judging_category()


@pytest.fixture
def assignment(category: Any) -> Assignment:
    return assign(judge_in(category), eligible_entry(category))


@pytest.fixture
def judge_user(assignment: Assignment) -> User:
    return assignment.judge.user


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


# --- Drafts -------------------------------------------------------------------------------------------------------


def test_a_draft_keeps_partial_scores_and_comments_and_is_audited(assignment: Assignment, judge_user: User) -> None:
    review = services.review_save(
        assignment=assignment,
        by=judge_user,
        scores={"innovation": "8.5", "market": ""},
        comments={"innovation": "  Strong  ", "market": ""},
        overall_comment="So far so good",
        version=0,
    )

    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    assert review.scores == {"innovation": 8.5}
    assert review.comments == {"innovation": "Strong"}
    assert review.overall_comment == "So far so good"
    assert review.version == 1
    assert review.submitted_at is None
    entry = AuditEntry.objects.get(action="review.save")
    assert entry.actor == judge_user
    assert entry.object_id == str(review.pk)
    assert entry.before == {}
    assert entry.after["scores"] == {"innovation": 8.5}
    assert entry.after.get("weighted_score") is None


def test_a_second_draft_records_before_and_after_scores(assignment: Assignment, judge_user: User) -> None:
    services.review_save(assignment=assignment, by=judge_user, scores={"innovation": "6"}, version=0)
    services.review_save(assignment=assignment, by=judge_user, scores={"innovation": "7", "market": "5"}, version=1)

    second = AuditEntry.objects.filter(action="review.save").order_by("pk").last()
    assert second is not None
    assert second.before["scores"] == {"innovation": 6.0}
    assert second.after["scores"] == {"innovation": 7.0, "market": 5.0}
    assert second.before["version"] == 1 and second.after["version"] == 2


@pytest.mark.parametrize(
    ("scores", "column", "reason"),
    [
        ({"innovation": "11"}, "innovation", "A score must lie between 0 and 10."),
        ({"market": "-0.5"}, "market", "A score must lie between 0 and 10."),
        ({"quality": "7.3"}, "quality", "Scores go in steps of 0.5."),
        ({"quality": "seven"}, "quality", "A score must be a number."),
        ({"quality": "NaN"}, "quality", "A score must be a number."),
        ({"quality": "Infinity"}, "quality", "A score must be a number."),
        ({"design": "5"}, "design", "This criterion is not in the rubric."),
    ],
)
def test_a_bad_score_is_refused_and_changes_nothing(
    assignment: Assignment, judge_user: User, scores: dict[str, str], column: str, reason: str
) -> None:
    services.review_save(assignment=assignment, by=judge_user, scores={"innovation": "5"}, version=0)
    before, actions = review_rows(), audit_actions()

    with pytest.raises(ChipTownError) as refused:
        services.review_save(assignment=assignment, by=judge_user, scores=scores, version=1)

    assert refused.value.code == "invalid"
    assert [(p.column, p.reason) for p in refused.value.problems] == [(column, reason)]
    assert review_rows() == before
    assert audit_actions() == actions


def test_a_rubric_may_set_its_own_step(category: Any, judge_user: User, assignment: Assignment) -> None:
    category.rubric = [{**c, "step": 1} if c["code"] == "market" else c for c in category.rubric]
    category.save()

    with pytest.raises(ChipTownError) as refused:
        services.review_save(assignment=assignment, by=judge_user, scores={"market": "7.5"})
    assert [p.reason for p in refused.value.problems] == ["Scores go in steps of 1."]

    review = services.review_save(assignment=assignment, by=judge_user, scores={"market": "7", "innovation": "7.5"})
    assert review.scores == {"innovation": 7.5, "market": 7.0}


def test_a_too_long_comment_is_refused(assignment: Assignment, judge_user: User) -> None:
    with pytest.raises(ChipTownError) as refused:
        services.review_save(
            assignment=assignment, by=judge_user, scores={}, comments={"market": "x" * (services.COMMENT_MAX + 1)}
        )
    assert [p.column for p in refused.value.problems] == ["comment_market"]
    assert not Review.objects.exists()


def test_a_draft_from_a_stale_tab_is_refused(assignment: Assignment, judge_user: User) -> None:
    services.review_save(assignment=assignment, by=judge_user, scores={"innovation": "6"}, version=0)
    services.review_save(assignment=assignment, by=judge_user, scores={"innovation": "7"}, version=1)
    before = review_rows()

    with pytest.raises(Conflict) as refused:  # the first tab still shows version 1
        services.review_save(assignment=assignment, by=judge_user, scores={"innovation": "2"}, version=1)

    assert refused.value.code == "stale"
    assert review_rows() == before


# --- Submission -----------------------------------------------------------------------------------------------------


def test_submitting_locks_the_review_and_is_audited(assignment: Assignment, judge_user: User) -> None:
    review = services.review_submit(
        assignment=assignment, by=judge_user, scores=SCORES, comments=COMMENTS, overall_comment="Recommend", version=0
    )

    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.scores == {"innovation": 8.0, "market": 7.5, "quality": 6.0}
    assert review.comments == COMMENTS
    assert review.submitted_at is not None
    entry = AuditEntry.objects.get(action="review.submit")
    assert entry.after["status"] == "submitted"
    assert entry.after["weighted_score"] == pytest.approx(0.4 * 8 + 0.3 * 7.5 + 0.3 * 6)


def test_submitting_needs_every_criterion(assignment: Assignment, judge_user: User) -> None:
    services.review_save(assignment=assignment, by=judge_user, scores={"innovation": "8"}, version=0)
    before, actions = review_rows(), audit_actions()

    with pytest.raises(ChipTownError) as refused:
        services.review_submit(assignment=assignment, by=judge_user, scores={"innovation": "8"}, version=1)

    assert refused.value.message == "The review was not submitted."
    assert [(p.column, p.reason) for p in refused.value.problems] == [
        ("market", "Give a score for every criterion."),
        ("quality", "Give a score for every criterion."),
    ]
    assert review_rows() == before
    assert audit_actions() == actions


@pytest.mark.parametrize("write", [services.review_save, services.review_submit])
def test_after_submission_neither_an_edit_nor_a_second_submission_goes_through(
    assignment: Assignment, judge_user: User, write: Any
) -> None:
    services.review_submit(assignment=assignment, by=judge_user, scores=SCORES, version=0)
    before, actions = review_rows(), audit_actions()

    with pytest.raises(Conflict) as refused:
        write(assignment=assignment, by=judge_user, scores={**SCORES, "market": "2"}, version=1)
    with pytest.raises(Conflict):
        write(assignment=assignment, by=judge_user, scores=SCORES)  # the very same scores, no version

    assert refused.value.code == "submitted"
    assert "already submitted" in refused.value.message
    assert review_rows() == before
    assert audit_actions() == actions


# --- Who may score ------------------------------------------------------------------------------------------------


def test_another_judge_cannot_write_someone_elses_review(category: Any, assignment: Assignment) -> None:
    other = judge_in(category)
    assign(other, eligible_entry(category))

    with pytest.raises(NotFound):
        services.review_save(assignment=assignment, by=other.user, scores={"innovation": "1"})
    with pytest.raises(NotFound):
        services.review_submit(assignment=assignment, by=other.user, scores=SCORES)
    assert not Review.objects.exists()
    assert not AuditEntry.objects.exists()


def test_an_operator_cannot_score_for_a_judge(assignment: Assignment, operator: User) -> None:
    with pytest.raises(NotFound):
        services.review_submit(assignment=assignment, by=operator, scores=SCORES)
    assert not Review.objects.exists()


def test_a_judge_who_dropped_out_cannot_score(assignment: Assignment, judge_user: User) -> None:
    services.review_save(assignment=assignment, by=judge_user, scores={"innovation": "4"}, version=0)
    assignment.judge.active = False
    assignment.judge.save()
    before = review_rows()

    with pytest.raises(PermissionDenied) as refused:
        services.review_submit(assignment=assignment, by=judge_user, scores=SCORES)

    assert refused.value.code == "inactive_judge"
    assert review_rows() == before


def test_a_conflicted_judge_cannot_score_even_a_draft(category: Any) -> None:
    judge = judge_in(category)
    own_company_entry = eligible_entry(category, organisation=judge.person.organisation)
    assignment = assign(judge, own_company_entry)

    with pytest.raises(PermissionDenied) as refused:
        services.review_save(assignment=assignment, by=judge.user, scores={"innovation": "10"})

    assert refused.value.code == "conflict"
    assert not Review.objects.exists()


def test_a_conflict_declared_after_a_draft_closes_the_review(assignment: Assignment, judge_user: User) -> None:
    services.review_save(assignment=assignment, by=judge_user, scores={"innovation": "9"}, version=0)
    ConflictDeclaration.objects.create(judge=assignment.judge, entry=assignment.entry, reason="Former adviser")
    before = review_rows()

    with pytest.raises(PermissionDenied):
        services.review_submit(assignment=assignment, by=judge_user, scores=SCORES, version=1)

    assert review_rows() == before


@pytest.mark.parametrize("status", [EntryStatus.WITHDRAWN, EntryStatus.INELIGIBLE])
def test_an_entry_out_of_the_competition_cannot_be_scored(
    assignment: Assignment, judge_user: User, status: str
) -> None:
    assignment.entry.status = status
    assignment.entry.save()

    with pytest.raises(Conflict) as refused:
        services.review_submit(assignment=assignment, by=judge_user, scores=SCORES)

    assert refused.value.message == "This entry is no longer in the competition."
    assert not Review.objects.exists()


def test_no_score_changes_once_results_are_published(assignment: Assignment, judge_user: User) -> None:
    services.review_save(assignment=assignment, by=judge_user, scores={"innovation": "4"}, version=0)
    edition = assignment.entry.category.edition
    edition.results_published_at = timezone.now()
    edition.save()
    before = review_rows()

    with pytest.raises(Conflict):
        services.review_submit(assignment=assignment, by=judge_user, scores=SCORES, version=1)

    assert review_rows() == before


# --- Reopening ----------------------------------------------------------------------------------------------------


def test_an_operator_reopens_a_submitted_review_with_a_reason(
    assignment: Assignment, judge_user: User, operator: User
) -> None:
    review = services.review_submit(assignment=assignment, by=judge_user, scores=SCORES, version=0)
    mail.outbox.clear()

    reopened = services.review_reopen(review=review, by=operator, reason="Scored the wrong entry by mistake")

    reopened.refresh_from_db()
    assert reopened.status == ReviewStatus.DRAFT
    assert reopened.submitted_at is None
    assert reopened.version == 2
    assert reopened.scores == {"innovation": 8.0, "market": 7.5, "quality": 6.0}  # kept for the judge to edit
    entry = AuditEntry.objects.get(action="review.reopen")
    assert entry.actor == operator
    assert entry.before["status"] == "submitted"
    assert entry.after["status"] == "draft"
    assert entry.after["reason"] == "Scored the wrong entry by mistake"
    assert entry.after["scores_when_reopened"] == {"innovation": 8.0, "market": 7.5, "quality": 6.0}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [judge_user.email]
    assert "Scored the wrong entry by mistake" in mail.outbox[0].body
    assert f"/competition/judge/entries/{assignment.entry_id}/" in mail.outbox[0].body

    # The judge can now change it and submit again; the new scores are audited against the old ones.
    services.review_submit(assignment=assignment, by=judge_user, scores={**SCORES, "market": "9"}, version=2)
    resubmitted = AuditEntry.objects.filter(action="review.submit").order_by("pk").last()
    assert resubmitted is not None
    assert resubmitted.before["scores"]["market"] == 7.5
    assert resubmitted.after["scores"]["market"] == 9.0


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_without_a_reason_is_refused(
    assignment: Assignment, judge_user: User, operator: User, reason: str
) -> None:
    review = services.review_submit(assignment=assignment, by=judge_user, scores=SCORES, version=0)
    before, actions = review_rows(), audit_actions()

    with pytest.raises(ChipTownError) as refused:
        services.review_reopen(review=review, by=operator, reason=reason)

    assert [p.column for p in refused.value.problems] == ["reason"]
    assert review_rows() == before
    assert audit_actions() == actions


def test_only_operators_reopen_and_only_submitted_reviews(
    assignment: Assignment, judge_user: User, operator: User
) -> None:
    draft = services.review_save(assignment=assignment, by=judge_user, scores={"innovation": "3"}, version=0)
    with pytest.raises(Conflict):
        services.review_reopen(review=draft, by=operator, reason="Why not")
    review = services.review_submit(assignment=assignment, by=judge_user, scores=SCORES, version=1)
    before = review_rows()

    with pytest.raises(PermissionDenied):
        services.review_reopen(review=review, by=judge_user, reason="I changed my mind")

    assert review_rows() == before


# --- Reminders ----------------------------------------------------------------------------------------------------


def test_reminders_go_once_to_each_judge_with_unfinished_reviews(category: Any, operator: User) -> None:
    busy, done, dropped = judge_in(category), judge_in(category), judge_in(category, active=False)
    entries = [eligible_entry(category) for _ in range(3)]
    waiting = [assign(busy, entries[0]), assign(busy, entries[1]), assign(busy, entries[2])]
    services.review_save(assignment=waiting[1], by=busy.user, scores={"innovation": "5"})
    submitted_review(assign(done, entries[0]), {"innovation": 5, "market": 5, "quality": 5})
    assign(dropped, entries[1])
    other_category = judging_category()
    elsewhere = assign(judge_in(other_category), eligible_entry(other_category))
    mail.outbox.clear()

    sent = services.reminders_send(category=category, by=operator)

    assert (sent.judges, sent.assignments, sent.emails) == (1, 3, 1)
    assert [m.to for m in mail.outbox] == [[busy.user.email]]
    assert "3 reviews assigned to you are not submitted yet" in mail.outbox[0].body
    assert f"/competition/judge/{category.edition.year}/" in mail.outbox[0].body
    reminded = set(Assignment.objects.filter(reminded_at__isnull=False).values_list("pk", flat=True))
    assert reminded == {a.pk for a in waiting}
    assert Assignment.objects.get(pk=elsewhere.pk).reminded_at is None
    entry = AuditEntry.objects.get(action="review.remind")
    assert entry.actor == operator
    assert entry.after["judges"] == [busy.pk]
    assert entry.after["assignments"] == 3


def test_only_operators_send_reminders(category: Any, assignment: Assignment, judge_user: User) -> None:
    mail.outbox.clear()
    with pytest.raises(PermissionDenied):
        services.reminders_send(category=category, by=judge_user)
    assert mail.outbox == []
    assert not Assignment.objects.filter(reminded_at__isnull=False).exists()
    assert not AuditEntry.objects.exists()


# --- Two submissions at once (PostgreSQL, real threads) ---------------------------------------------------------


def _race(calls: list[Any]) -> list[BaseException | None]:
    """Run the calls in threads released together; each gets its own database connection."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[BaseException | None] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            barrier.wait()
            calls[index]()
        except BaseException as exc:  # recorded for the assertion
            outcomes[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_submitting_the_same_review_at_once_exactly_one_wins() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite serialises every write)")
    category = judging_category()
    assignment = assign(judge_in(category), eligible_entry(category))
    user = assignment.judge.user
    services.review_save(assignment=assignment, by=user, scores={"innovation": "5"}, version=0)

    for _round in range(5):
        tabs = [
            lambda market=market: services.review_submit(
                assignment=assignment, by=user, scores={**SCORES, "market": market}, version=None
            )
            for market in ("3", "9")
        ]
        outcomes = _race(tabs)
        winners = [o for o in outcomes if o is None]
        losers = [o for o in outcomes if o is not None]
        assert len(winners) == 1
        assert len(losers) == 1 and isinstance(losers[0], Conflict) and losers[0].code == "submitted"
        review = Review.objects.get(assignment=assignment)
        assert review.status == ReviewStatus.SUBMITTED
        assert AuditEntry.objects.filter(action="review.submit", object_id=str(review.pk)).count() == _round + 1
        # Reopen for the next round.
        Review.objects.filter(pk=review.pk).update(status=ReviewStatus.DRAFT, submitted_at=None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tabs_creating_the_first_draft_at_once_leave_one_review() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite serialises every write)")
    category = judging_category()
    assignment = assign(judge_in(category), eligible_entry(category))
    user = assignment.judge.user

    outcomes = _race(
        [
            lambda: services.review_submit(assignment=assignment, by=user, scores=SCORES, version=0),
            lambda: services.review_submit(assignment=assignment, by=user, scores=SCORES, version=0),
        ]
    )

    assert sorted(type(o).__name__ for o in outcomes) == ["Conflict", "NoneType"]
    assert Review.objects.filter(assignment=assignment).count() == 1
    assert AuditEntry.objects.filter(action="review.submit").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_judges_submitting_at_once_both_succeed() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite serialises every write)")
    category = judging_category()
    entry = eligible_entry(category)
    first, second = assign(judge_in(category), entry), assign(judge_in(category), entry)

    outcomes = _race(
        [
            lambda: services.review_submit(assignment=first, by=first.judge.user, scores=SCORES),
            lambda: services.review_submit(assignment=second, by=second.judge.user, scores=SCORES),
        ]
    )

    assert outcomes == [None, None]
    assert Review.objects.filter(assignment__entry=entry, status=ReviewStatus.SUBMITTED).count() == 2
