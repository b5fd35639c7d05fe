"""Warming the ranking cache in the background: a submitted or reopened review changes a category's ranking, and a
cold ranking of a large category takes seconds, so a job computes it (selectors.ranking_figures, the one ranking
path) and caches it before an operator asks. One job per category at a time: while one is queued or running, asking
again returns it (the job recomputes if the reviews changed while it ran)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chiptown.competitions.models import Category
from chiptown.core.models import Job
from chiptown.core.services import job_create

RANKING_JOB_KIND = "competitions.ranking"
# A queued or running job older than this is taken for lost (its worker died) and no longer holds back a new one.
RANKING_JOB_STALE_AFTER = datetime.timedelta(hours=1)


def ranking_job_kind(category_id: int) -> str:
    return f"{RANKING_JOB_KIND}.{category_id}"


def ranking_job_active(*, category_id: int) -> Job | None:
    """The category's ranking job still queued or running, if any."""
    return (
        Job.objects.filter(
            kind=ranking_job_kind(category_id),
            status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
            created_at__gte=timezone.now() - RANKING_JOB_STALE_AFTER,
        )
        .order_by("-created_at")
        .first()
    )


def ranking_precompute_submit(*, category: Category, by: Any = None) -> Job:
    """Queue the computation of the category's ranking (after the current transaction commits), unless a job for
    it is already queued or running: then that job is returned and nothing is queued."""
    from chiptown.competitions.tasks import precompute_ranking

    with transaction.atomic():
        # Serialise concurrent requests for the same category, so two submissions queue one job.
        Category.objects.select_for_update().filter(pk=category.pk).values_list("pk", flat=True).first()
        active = ranking_job_active(category_id=category.pk)
        if active is not None:
            return active
        job = job_create(
            kind=ranking_job_kind(category.pk),
            title=_("Ranking of %(category)s") % {"category": category.display_name},
            by=by,
        )
        job_id, category_id, language = str(job.pk), category.pk, translation.get_language() or ""
        transaction.on_commit(
            lambda: precompute_ranking.enqueue(job_id=job_id, category_id=category_id, language=language)
        )
    return job


def ranking_precompute_on_commit(*, category_id: int) -> None:
    """Once the current transaction commits (a review submitted or reopened), queue the category's ranking."""

    def submit() -> None:
        category = Category.objects.filter(pk=category_id).first()
        if category is not None:
            ranking_precompute_submit(category=category)

    transaction.on_commit(submit)
