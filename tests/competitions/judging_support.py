"""What the judging tests share: a category in judging with judges, assignments and reviews built from real
registry rows (every judge and every applicant its own organisation, so no tie unless a test makes one), form data
for the review page, and a stand-in for the conflict rules until competitions/conflicts.py lands."""

import datetime
from typing import Any

import pytest
from django.utils import timezone

from chiptown.competitions import conflicts
from chiptown.competitions.models import Assignment, Category, ConflictDeclaration, Entry, Judge, Review, ReviewStatus
from tests.competitions.factories import AssignmentFactory, CategoryFactory, EditionFactory, EntryFactory, JudgeFactory

SCORES = {"innovation": "8", "market": "7.5", "quality": "6"}


def _stand_in_conflict(*, judge: Any, entry: Any) -> bool:
    """The part of the conflict rules these tests rely on: the judge's own organisation, and declarations."""
    own = judge.person.organisation_id if judge.person_id else None
    if own is not None and own == entry.organisation_id:
        return True
    declared = ConflictDeclaration.objects.filter(judge=judge)
    return declared.filter(entry=entry).exists() or (
        entry.organisation_id is not None and declared.filter(organisation_id=entry.organisation_id).exists()
    )


def _stand_in_pairs(*, pairs: list[tuple[Any, Any]]) -> set[tuple[int, int]]:
    """The same rules for many pairs in two queries."""
    judge_ids = {judge.pk for judge, _entry in pairs}
    own = dict(Judge.objects.filter(pk__in=judge_ids).values_list("pk", "person__organisation_id"))
    declared_entries = set(
        ConflictDeclaration.objects.filter(judge_id__in=judge_ids, entry__isnull=False).values_list(
            "judge_id", "entry_id"
        )
    )
    declared_organisations = set(
        ConflictDeclaration.objects.filter(judge_id__in=judge_ids, organisation__isnull=False).values_list(
            "judge_id", "organisation_id"
        )
    )
    found = set()
    for judge, entry in pairs:
        organisation = entry.organisation_id
        if (
            (organisation is not None and own.get(judge.pk) == organisation)
            or (judge.pk, entry.pk) in declared_entries
            or (judge.pk, organisation) in declared_organisations
        ):
            found.add((judge.pk, entry.pk))
    return found


@pytest.fixture(autouse=True)
def _conflict_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    """Until the conflict rules land, the placeholder refuses every judge everything; stand in for it then."""
    if (conflicts.judge_conflicts_with_entry.__doc__ or "").startswith("Placeholder"):
        monkeypatch.setattr(conflicts, "judge_conflicts_with_entry", _stand_in_conflict)
        monkeypatch.setattr(conflicts, "conflicting_pairs", _stand_in_pairs, raising=False)


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
