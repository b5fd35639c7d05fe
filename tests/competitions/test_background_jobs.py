"""Heavy work out of the request: the result emails sent by a background job after publication commits, and the
ranking computed by a background job (after each submitted or reopened review, and by the ranking page of a large
category on a cache miss). The test settings run tasks at once (ImmediateBackend)."""

import datetime
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chiptown.accounts.models import Role, User
from chiptown.competitions import selectors
from chiptown.competitions.models import AwardKind, Certificate, Edition, Entry, Review, ReviewStatus
from chiptown.competitions.services import ranking as ranking_services
from chiptown.competitions.services import results, reviews
from chiptown.competitions.views import progress as progress_views
from chiptown.core.models import AuditEntry, Job
from chiptown.core.services import job_create
from tests.competitions.judging_support import assign, eligible_entry, judge_in, judging_category, submitted_review
from tests.competitions.results_support import judged_category, judged_edition, ranking_of
from tests.competitions.test_progress import build_progress, count_queries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCORES = {"innovation": "7", "market": "6", "quality": "8"}


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


# --- Result emails ----------------------------------------------------------------------------------------------


@pytest.fixture
def decided() -> tuple[Edition, list[Entry]]:
    """An edition whose one category (4 entries, 2 winners) is decided as proposed; each entry has a rep."""
    edition = judged_edition()
    _category, entries = judged_category(edition, kind=AwardKind.TOP50, entries=4, winners=2)
    for index, entry in enumerate(entries):
        UserFactory(
            username=f"rep{index}",
            email=f"rep{index}@example.com",
            role=Role.COMPANY_REP,
            organisation=entry.organisation,
        )
    return edition, entries


def _decide(edition: Edition, entries: list[Entry], operator: User) -> None:
    category = entries[0].category
    ranking = ranking_of(entries)
    winners = [p.entry.pk for p in results.decisions_propose(category=category, ranking=ranking) if p.proposed_winner]
    results.decisions_save(
        category=category, ranking=ranking, winner_ranks={pk: r for r, pk in enumerate(winners, start=1)}, by=operator
    )


def test_the_email_job_reports_entries_done_and_emails_sent(
    decided: Any, operator: User, django_capture_on_commit_callbacks: Any
) -> None:
    edition, entries = decided
    _decide(edition, entries, operator)
    seen: list[tuple[int, str]] = []

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        results.results_publish(edition=edition, by=operator)
    job = Job.objects.get()
    assert (job.status, job.created_by, len(callbacks)) == ("queued", operator, 1)
    assert mail.outbox == []

    sent = results.results_notify(edition=edition, progress=lambda percent, message="": seen.append((percent, message)))

    assert sent == {"entries": 4, "emails": 4}
    assert seen == [
        (0, "Sending result emails: 0 of 4 entries"),
        (25, "Sending result emails: 1 of 4 entries"),
        (50, "Sending result emails: 2 of 4 entries"),
        (75, "Sending result emails: 3 of 4 entries"),
        (100, "Sending result emails: 4 of 4 entries"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [f"rep{i}@example.com" for i in range(4)]


def test_a_publication_that_fails_midway_sends_nothing_and_leaves_no_job(
    decided: Any, operator: User, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    edition, entries = decided
    _decide(edition, entries, operator)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("audit store down")

    monkeypatch.setattr(results, "audit_record", broken)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        results.results_publish(edition=edition, by=operator)

    assert callbacks == []
    assert mail.outbox == []
    assert not Job.objects.exists()
    edition.refresh_from_db()
    assert edition.results_published_at is None
    assert not Certificate.objects.exists()
    assert not AuditEntry.objects.filter(action="competitions.results_publish").exists()


def test_the_results_page_shows_the_email_jobs_progress(
    decided: Any, operator: User, operator_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    edition, entries = decided
    _decide(edition, entries, operator)
    url = reverse("competitions:results_manage", args=[edition.year])
    assert operator_client.get(url).context["emails_job"] is None

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(reverse("competitions:results_publish", args=[edition.year]), follow=True)

    assert "Results published: 2 certificates issued; the emails to the applicants are being sent." in (
        response.content.decode()
    )
    job = Job.objects.get()
    page = operator_client.get(url)
    assert page.context["emails_job"] == job
    content = page.content.decode()
    assert f'id="job-{job.pk}"' in content
    assert "Sending result emails: 4 of 4 entries" in content
    assert '<progress max="100" value="100"' in content
    assert len(mail.outbox) == 4


# --- Ranking jobs -------------------------------------------------------------------------------------------------


@pytest.fixture
def category() -> Any:
    return judging_category(winners=2)


def ranking_jobs(category: Any) -> list[tuple[str, str]]:
    return list(
        Job.objects.filter(kind=f"competitions.ranking.{category.pk}")
        .order_by("created_at")
        .values_list("status", "kind")
    )


def test_submitting_a_review_computes_and_caches_the_ranking_in_the_background(
    category: Any, django_capture_on_commit_callbacks: Any
) -> None:
    build_progress(category, judges=4, entries=6)
    judge = judge_in(category)
    assignment = assign(judge, eligible_entry(category))

    with django_capture_on_commit_callbacks(execute=True):
        reviews.review_submit(assignment=assignment, by=judge.user, scores=SCORES, version=0)

    job = Job.objects.get(kind=f"competitions.ranking.{category.pk}")
    key, submitted = selectors.ranking_cache_key(category)
    figures = selectors.ranking_cached(key)
    assert figures is not None
    assert (job.status, job.created_by) == ("succeeded", None)
    assert job.result == {"entries": len(figures["entries"]), "reviews": submitted}
    assert submitted == Review.objects.filter(status=ReviewStatus.SUBMITTED).count()
    assert assignment.entry_id in {item["entry_id"] for item in figures["entries"]}
    assert job.message == f"Computing the ranking from {submitted} submitted reviews"


def test_a_draft_queues_no_ranking_job_and_reopening_does(
    category: Any, operator: User, django_capture_on_commit_callbacks: Any
) -> None:
    judge = judge_in(category)
    assignment = assign(judge, eligible_entry(category))

    with django_capture_on_commit_callbacks(execute=True):
        reviews.review_save(assignment=assignment, by=judge.user, scores={"innovation": "5"}, version=0)
    assert ranking_jobs(category) == []

    review = submitted_review(assign(judge_in(category), eligible_entry(category)), {k: 5 for k in SCORES})
    with django_capture_on_commit_callbacks(execute=True):
        reviews.review_reopen(review=review, by=operator, reason="Scores look swapped")

    assert [status for status, _kind in ranking_jobs(category)] == ["succeeded"]


def test_a_queued_or_running_ranking_job_holds_back_another(
    category: Any, django_capture_on_commit_callbacks: Any
) -> None:
    judge = judge_in(category)
    first, second = assign(judge, eligible_entry(category)), assign(judge, eligible_entry(category))
    running = job_create(kind=f"competitions.ranking.{category.pk}", title="Ranking")
    Job.objects.filter(pk=running.pk).update(status=Job.Status.RUNNING)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        reviews.review_submit(assignment=first, by=judge.user, scores=SCORES, version=0)
        reviews.review_submit(assignment=second, by=judge.user, scores=SCORES, version=0)

    assert len(callbacks) == 2  # each submission asked; neither queued a job
    assert ranking_jobs(category) == [("running", f"competitions.ranking.{category.pk}")]
    assert ranking_services.ranking_precompute_submit(category=category) == running


def test_a_stale_queued_job_does_not_hold_back_a_new_one(
    category: Any, django_capture_on_commit_callbacks: Any
) -> None:
    lost = job_create(kind=f"competitions.ranking.{category.pk}", title="Ranking")
    Job.objects.filter(pk=lost.pk).update(created_at=timezone.now() - datetime.timedelta(hours=2))
    judge = judge_in(category)

    with django_capture_on_commit_callbacks(execute=True):
        reviews.review_submit(assignment=assign(judge, eligible_entry(category)), by=judge.user, scores=SCORES)

    assert sorted(status for status, _kind in ranking_jobs(category)) == ["queued", "succeeded"]


# --- The ranking page: inline for small categories, by a job for large ones ---------------------------------------


def test_a_small_category_is_ranked_in_the_request(category: Any, operator_client: Client) -> None:
    build_progress(category, judges=4, entries=6)
    url = reverse("competitions:ranking", args=[category.pk])

    response = operator_client.get(url)

    assert next(t.name for t in response.templates) == "competitions/ranking.html"
    assert response.context["ranked_count"] == 6
    assert not Job.objects.exists()


def test_a_large_category_on_a_cache_miss_is_ranked_by_a_job_and_the_page_waits(
    category: Any,
    operator: User,
    operator_client: Client,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
) -> None:
    monkeypatch.setattr(progress_views, "RANKING_INLINE_MAX_REVIEWS", 5)
    build_progress(category, judges=4, entries=9)  # 9 submitted reviews
    url = reverse("competitions:ranking", args=[category.pk])

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        waiting = operator_client.get(url)
        again = operator_client.get(url)

    assert next(t.name for t in waiting.templates) == "competitions/ranking_pending.html"
    job = waiting.context["job"]
    assert (job.kind, job.status, job.created_by) == (f"competitions.ranking.{category.pk}", "queued", operator)
    content = waiting.content.decode()
    assert f'id="job-{job.pk}"' in content and "data-reload-when-done" in content
    assert "competitions/ranking_job.js" in content
    assert "The ranking is being computed from 9 submitted reviews" in content
    assert again.context["job"] == job and Job.objects.count() == 1  # the second view did not queue another
    key, _submitted = selectors.ranking_cache_key(category)
    assert selectors.ranking_cached(key) is None

    callbacks[0]()  # the commit: the job runs (immediate backend)

    job.refresh_from_db()
    assert job.status == "succeeded"
    ready = operator_client.get(url)
    assert next(t.name for t in ready.templates) == "competitions/ranking.html"
    assert ready.context["ranked_count"] == job.result["entries"] == 9
    inline = selectors.category_ranking(category=category)
    assert [(r.entry.pk, r.rank) for r in ready.context["page"].object_list] == [(r.entry.pk, r.rank) for r in inline]


def test_the_ranking_pages_cost_the_same_queries_at_two_sizes(
    category: Any, operator_client: Client, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    monkeypatch.setattr(progress_views, "RANKING_INLINE_MAX_REVIEWS", 2)
    url = reverse("competitions:ranking", args=[category.pk])
    counts = []
    for entries in (6, 30):
        build_progress(category, judges=5, entries=entries)
        Job.objects.all().delete()
        with django_capture_on_commit_callbacks(execute=True):
            waiting = count_queries(operator_client, url)  # queues the job
        cached = count_queries(operator_client, url)  # the job has filled the cache
        counts.append((waiting, cached))

    assert counts[0] == counts[1]
