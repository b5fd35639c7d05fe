"""What the judging tests share: a category in judging with judges, assignments and reviews built from real
registry rows (every judge and every applicant its own organisation, so no tie unless a test makes one: the real
conflict rules then find none), and form data for the review page."""

import datetime
from typing import Any

from django.utils import timezone

from chiptown.competitions.models import Assignment, Category, Entry, Judge, Review, ReviewStatus
from tests.competitions.factories import AssignmentFactory, CategoryFactory, EditionFactory, EntryFactory, JudgeFactory

SCORES = {"innovation": "8", "market": "7.5", "quality": "6"}


def judging_edition(**overrides: Any) -> Any:
    """An edition whose applications are closed and whose judging is under way."""
    now = timezone.now()
    values = {
        "applications_open_at": now - datetime.timedelta(days=30),
        "applications_close_at": now - datetime.timedelta(days=10),
        "judging_start_at": now - datetime.timedelta(days=9),
        "judging_end_at": now + datetime.timedelta(days=9),
        "results_at": now + datetime.timedelta(days=20),
        **overrides,
    }
    return EditionFactory(**values)


def judging_category(*, winners: int = 2, **overrides: Any) -> Category:
    return CategoryFactory(edition=judging_edition(), winners=winners, **overrides)


def eligible_entry(category: Category, **overrides: Any) -> Entry:
    return EntryFactory(category=category, **{"status": "eligible", **overrides})


def judge_in(category: Category, **overrides: Any) -> Judge:
    return JudgeFactory(edition=category.edition, **overrides)


def assign(judge: Judge, entry: Entry) -> Assignment:
    return AssignmentFactory(judge=judge, entry=entry)


def submitted_review(assignment: Assignment, scores: dict[str, float], **overrides: Any) -> Review:
    return Review.objects.create(
        assignment=assignment,
        scores=scores,
        status=ReviewStatus.SUBMITTED,
        submitted_at=timezone.now(),
        version=1,
        **overrides,
    )


def review_form(action: str = "save", version: int = 0, **scores: str) -> dict[str, str]:
    """POST data for the review page (scores by criterion code; comments per criterion)."""
    data = {f"score_{code}": value for code, value in {**SCORES, **scores}.items()}
    data |= {f"comment_{code}": f"About {code}" for code in SCORES}
    data |= {"overall_comment": "Solid automotive MCU line.", "action": action, "version": str(version)}
    return data


def review_rows() -> list[tuple[Any, ...]]:
    """Every review's state, to show that a refusal changed nothing."""
    return list(
        Review.objects.order_by("pk").values_list(
            "pk", "status", "scores", "comments", "overall_comment", "version", "submitted_at"
        )
    )
