"""selectors.category_ranking: the calibrated ranking of a category from its submitted reviews, as the results
helper and the ranking page use it."""

import pytest
from django.core.cache import cache

from chiptown.competitions import ranking, selectors
from chiptown.competitions.models import ConflictDeclaration, Review
from chiptown.competitions.services import reviews as services
from tests.competitions.judging_support import (
    assign,
    eligible_entry,
    judge_in,
    judging_category,
    submitted_review,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def uniform(value: float) -> dict[str, float]:
    """The same score on every criterion (so the weighted score is that value)."""
    return {"innovation": value, "market": value, "quality": value}


def test_a_lenient_judge_does_not_lift_the_entries_they_happened_to_score() -> None:
    """Judge A scores every entry, B the better four, and C, three points more lenient than A, the weaker three.
    Raw means lift C's entries above better ones; the calibrated ranking keeps the judges' common order."""
    category = judging_category(winners=2)
    entries = [eligible_entry(category, title=f"Quality {n}") for n in range(6)]
    judge_a, judge_b, judge_c = judge_in(category), judge_in(category), judge_in(category)
    for n, entry in enumerate(entries):
        submitted_review(assign(judge_a, entry), uniform(4.0 + 0.5 * n))
        if n >= 2:
            submitted_review(assign(judge_b, entry), uniform(4.5 + 0.5 * n))
        if n <= 2:
            submitted_review(assign(judge_c, entry), uniform(7.0 + 0.5 * n))

    ranked = selectors.category_ranking(category=category)

    truth = [f"Quality {n}" for n in range(5, -1, -1)]
    assert [r.entry.title for r in ranked] == truth
    assert [r.entry.title for r in sorted(ranked, key=lambda r: -r.raw_mean)] != truth  # raw means are fooled
    assert [r.rank for r in ranked] == [1, 2, 3, 4, 5, 6]
    for row in ranked:
        assert row.ci_low <= row.calibrated <= row.ci_high
        assert row.rank_low <= row.rank <= row.rank_high
        assert set(row.flags) <= {ranking.FLAG_CUTOFF, ranking.FLAG_DISAGREEMENT}
    by_title = {r.entry.title: r for r in ranked}
    assert by_title["Quality 2"].reviews == 3
    assert by_title["Quality 2"].raw_mean == pytest.approx((5.0 + 5.5 + 8.0) / 3)


def test_only_submitted_reviews_of_entries_still_in_the_competition_count() -> None:
    category = judging_category(winners=1)
    judges = [judge_in(category) for _ in range(3)]
    scored = [eligible_entry(category, title=f"Scored {n}") for n in range(4)]
    for n, entry in enumerate(scored):
        for k, judge in enumerate(judges):
            submitted_review(assign(judge, entry), uniform(3.0 + n + 0.5 * k))
    drafted = eligible_entry(category, title="Only a draft")
    Review.objects.create(assignment=assign(judges[0], drafted), scores=uniform(10.0), version=1)
    withdrawn = eligible_entry(category, title="Withdrawn later")
    submitted_review(assign(judges[1], withdrawn), uniform(10.0))
    withdrawn.status = "withdrawn"
    withdrawn.save()
    eligible_entry(category, title="Unassigned")

    ranked = selectors.category_ranking(category=category)

    assert sorted(r.entry.title for r in ranked) == [f"Scored {n}" for n in range(4)]
    assert selectors.category_unranked_count(category=category) == 2  # the draft-only and the unassigned


def test_a_review_by_a_judge_found_conflicted_later_leaves_the_ranking() -> None:
    category = judging_category(winners=1)
    judges = [judge_in(category) for _ in range(3)]
    entries = [eligible_entry(category) for _ in range(3)]
    for n, entry in enumerate(entries):
        for judge in judges:
            submitted_review(assign(judge, entry), uniform(4.0 + n))
    first = selectors.category_ranking(category=category)
    assert {r.entry.pk: r.reviews for r in first}[entries[0].pk] == 3

    ConflictDeclaration.objects.create(judge=judges[0], entry=entries[0], reason="Former employee")

    again = {r.entry.pk: r.reviews for r in selectors.category_ranking(category=category)}
    assert again[entries[0].pk] == 2


def test_the_ranking_follows_reopened_and_resubmitted_reviews() -> None:
    category = judging_category(winners=1)
    judges = [judge_in(category) for _ in range(2)]
    low, high = eligible_entry(category, title="Low"), eligible_entry(category, title="High")
    low_reviews = [submitted_review(assign(judge, low), uniform(3.0)) for judge in judges]
    for judge in judges:
        submitted_review(assign(judge, high), uniform(8.0))
    assert [r.entry.title for r in selectors.category_ranking(category=category)] == ["High", "Low"]
    operator = UserFactory(role="operator")

    services.review_reopen(review=low_reviews[0], by=operator, reason="Swapped the sheets")
    assert {r.entry.title: r.reviews for r in selectors.category_ranking(category=category)} == {"High": 2, "Low": 1}

    for judge, review in zip(judges, low_reviews, strict=True):
        if review.status == "submitted" and Review.objects.get(pk=review.pk).status == "submitted":
            services.review_reopen(review=review, by=operator, reason="Swapped the sheets")
        services.review_submit(assignment=review.assignment, by=judge.user, scores=uniform(9.5), version=None)

    assert [r.entry.title for r in selectors.category_ranking(category=category)] == ["Low", "High"]


def test_an_empty_category_ranks_nothing() -> None:
    category = judging_category()
    eligible_entry(category)
    assert selectors.category_ranking(category=category) == []
