"""Operators' judging pages: completion per judge and per entry, reminders, every review of an entry with
reopening, and the ranking page. Operators only; a constant number of queries whatever the size."""

from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chiptown.competitions.models import Assignment, Review, ReviewStatus
from chiptown.core.models import AuditEntry
from tests.competitions.judging_support import (
    assign,
    eligible_entry,
    judge_in,
    judging_category,
    review_rows,
    submitted_review,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


@pytest.fixture
def category() -> Any:
    return judging_category(winners=2)


def progress_url(category: Any) -> str:
    return reverse("competitions:progress", args=[category.pk])


def build_progress(category: Any, judges: int, entries: int) -> list[Any]:
    """Each entry to three judges (cyclic); a third of the reviews submitted, a third drafts."""
    panel = [judge_in(category) for _ in range(judges)]
    made = []
    for index in range(entries):
        entry = eligible_entry(category)
        made.append(entry)
        for k in range(3):
            assignment = assign(panel[(index + k) % judges], entry)
            state = (index + k) % 3
            if state == 1:
                Review.objects.create(assignment=assignment, scores={"innovation": 5}, version=1)
            elif state == 2:
                submitted_review(assignment, {"innovation": 5 + k, "market": 6, "quality": 7 - k})
    return panel


# --- Progress -------------------------------------------------------------------------------------------------------


def test_progress_counts_per_judge_and_per_entry(category: Any, operator_client: Client) -> None:
    alice, bob = judge_in(category), judge_in(category)
    first, second = eligible_entry(category, title="First"), eligible_entry(category, title="Second")
    submitted_review(assign(alice, first), {"innovation": 5, "market": 5, "quality": 5})
    Review.objects.create(assignment=assign(alice, second), scores={}, version=1)
    assign(bob, first)
    eligible_entry(category, title="Unassigned")

    response = operator_client.get(progress_url(category))

    assert response.status_code == 200
    progress = response.context["progress"]
    by_judge = {j.judge_id: (j.assigned, j.submitted, j.drafts, j.to_do) for j in progress.judges}
    assert by_judge == {alice.pk: (2, 1, 1, 0), bob.pk: (1, 0, 0, 1)}
    by_entry = {row.entry.title: (row.assigned, row.submitted, row.drafts, row.to_do) for row in progress.entries}
    assert by_entry == {"First": (2, 1, 0, 1), "Second": (1, 0, 1, 0), "Unassigned": (0, 0, 0, 0)}
    assert (progress.assigned, progress.submitted, progress.drafts, progress.percent) == (3, 1, 1, 33)
    assert progress.judges_unfinished == 2

    unfinished = operator_client.get(progress_url(category), {"unfinished": "1"})
    assert [row.entry.title for row in unfinished.context["progress"].entries] == ["First", "Second"]


@pytest.mark.parametrize("who", ["judge", "rep", "stranger"])
def test_progress_is_for_operators_only(category: Any, who: str, rep_client: Client, stranger_client: Client) -> None:
    judge = judge_in(category)
    assign(judge, eligible_entry(category))
    client = {"judge": client_for(judge.user), "rep": rep_client, "stranger": stranger_client}[who]

    assert client.get(progress_url(category)).status_code == 403
    assert client.get(reverse("competitions:ranking", args=[category.pk])).status_code == 403


def count_queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_progress_page_costs_the_same_queries_at_any_size(
    category: Any, operator_client: Client, django_assert_max_num_queries: Any
) -> None:
    build_progress(category, judges=4, entries=5)
    small = count_queries(operator_client, progress_url(category))
    build_progress(category, judges=20, entries=60)
    large = count_queries(operator_client, progress_url(category))

    assert large == small
    with django_assert_max_num_queries(small):
        operator_client.get(progress_url(category), {"unfinished": "1", "page": "2"})


# --- Reminders ------------------------------------------------------------------------------------------------------


def test_an_operator_sends_reminders_from_the_progress_page(category: Any, operator_client: Client) -> None:
    busy, done = judge_in(category), judge_in(category)
    entry = eligible_entry(category)
    assign(busy, entry)
    submitted_review(assign(done, entry), {"innovation": 5, "market": 5, "quality": 5})
    mail.outbox.clear()

    response = operator_client.post(reverse("competitions:reminders", args=[category.pk]), follow=True)

    assert response.redirect_chain == [(progress_url(category), 302)]
    assert "Reminder sent to 1 judge. 1 review is still unfinished." in response.content.decode()
    assert [m.to for m in mail.outbox] == [[busy.user.email]]
    assert Assignment.objects.get(judge=busy).reminded_at is not None
    assert Assignment.objects.get(judge=done).reminded_at is None


def test_a_judge_cannot_send_reminders(category: Any) -> None:
    judge = judge_in(category)
    assign(judge, eligible_entry(category))
    mail.outbox.clear()

    response = client_for(judge.user).post(reverse("competitions:reminders", args=[category.pk]))

    assert response.status_code == 403
    assert mail.outbox == []
    assert not Assignment.objects.filter(reminded_at__isnull=False).exists()
    assert not AuditEntry.objects.exists()


def test_reminders_are_a_post(category: Any, operator_client: Client) -> None:
    assert operator_client.get(reverse("competitions:reminders", args=[category.pk])).status_code == 405


# --- Every review of an entry, reopening ----------------------------------------------------------------------------


def test_operators_see_every_score_and_comment_of_an_entry(category: Any, operator_client: Client) -> None:
    entry = eligible_entry(category, title="Gateway SoC")
    submitted_review(
        assign(judge_in(category), entry),
        {"innovation": 9.5, "market": 3, "quality": 4},
        comments={"innovation": "Remarkable lockstep design"},
        overall_comment="Top pick",
    )
    Review.objects.create(assignment=assign(judge_in(category), entry), scores={"market": 6.5}, version=1)

    response = operator_client.get(reverse("competitions:entry_reviews", args=[entry.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    for shown in ("9.5", "6.5", "Remarkable lockstep design", "Top pick", "Reopen"):
        assert shown in content
    rows = response.context["rows"]
    assert [row.weighted for row, _cells in rows] == [pytest.approx(0.4 * 9.5 + 0.3 * 3 + 0.3 * 4), None]
    assert [score for _criterion, score, _comment in rows[0][1]] == ["9.5", "3", "4"]
    assert [score for _criterion, score, _comment in rows[1][1]] == ["", "6.5", ""]


def test_a_judge_cannot_see_all_reviews_of_an_entry(category: Any) -> None:
    judge = judge_in(category)
    entry = eligible_entry(category)
    assign(judge, entry)
    response = client_for(judge.user).get(reverse("competitions:entry_reviews", args=[entry.pk]))
    assert response.status_code == 403


def test_reopening_from_the_page_needs_a_reason(category: Any, operator_client: Client) -> None:
    review = submitted_review(assign(judge_in(category), eligible_entry(category)), {"innovation": 5})
    before = review_rows()
    url = reverse("competitions:review_reopen", args=[review.pk])

    refused = operator_client.post(url, {"reason": "  "})

    assert refused.status_code == 400
    assert "Give a reason for reopening the review." in refused.content.decode()
    assert review_rows() == before
    assert not AuditEntry.objects.exists()

    done = operator_client.post(url, {"reason": "Judge asked to correct a typo"})

    assert done.status_code == 302
    assert done["Location"] == reverse("competitions:entry_reviews", args=[review.assignment.entry_id])
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    assert AuditEntry.objects.get(action="review.reopen").after["reason"] == "Judge asked to correct a typo"


def test_a_judge_cannot_reopen_their_own_review(category: Any) -> None:
    judge = judge_in(category)
    review = submitted_review(assign(judge, eligible_entry(category)), {"innovation": 5})
    before = review_rows()

    response = client_for(judge.user).post(reverse("competitions:review_reopen", args=[review.pk]), {"reason": "x"})

    assert response.status_code == 403
    assert review_rows() == before


def test_the_entry_reviews_page_costs_a_constant_number_of_queries(
    category: Any, operator_client: Client, django_assert_max_num_queries: Any
) -> None:
    entry = eligible_entry(category)
    submitted_review(assign(judge_in(category), entry), {"innovation": 5, "market": 5, "quality": 5})
    url = reverse("competitions:entry_reviews", args=[entry.pk])
    small = count_queries(operator_client, url)
    for _ in range(8):
        submitted_review(assign(judge_in(category), entry), {"innovation": 6, "market": 5, "quality": 5})
    with django_assert_max_num_queries(small):
        operator_client.get(url)


# --- The ranking page ---------------------------------------------------------------------------------------------


def test_the_ranking_page_shows_the_table_and_the_chart(category: Any, operator_client: Client) -> None:
    build_progress(category, judges=6, entries=12)
    eligible_entry(category, title="Nobody scored me")

    response = operator_client.get(reverse("competitions:ranking", args=[category.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    rows = list(response.context["page"].object_list)
    assert [r.rank for r in rows] == sorted(r.rank for r in rows)
    assert len(rows) == response.context["ranked_count"]
    assert response.context["unranked"] >= 1
    assert "<svg" in content and "cut-off: 2 winners" in content
    chart = response.context["chart"]
    assert len(chart.rows) == len(rows)
    assert chart.cutoff_y is not None
    assert 'style="' not in content.split("<svg", 1)[1].split("</svg>", 1)[0]  # the CSP forbids inline styles


def test_the_ranking_page_is_cached_per_set_of_submitted_reviews(category: Any, operator_client: Client) -> None:
    build_progress(category, judges=5, entries=8)
    url = reverse("competitions:ranking", args=[category.pk])
    first = count_queries(operator_client, url)
    second = count_queries(operator_client, url)
    assert second < first  # the figures come from the cache
    build_progress(category, judges=5, entries=30)
    operator_client.get(url)
    assert count_queries(operator_client, url) == second
