"""Background jobs of the competition: thin wrappers that run a service and report its progress on a core Job."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django_tasks import task

from chiptown.core.models import Job
from chiptown.core.services import Progress, job_run


@task()
def run_assignment(
    job_id: str, category_id: int, user_id: int | None, fair: bool = False, reoptimise: bool = False, language: str = ""
) -> dict[str, Any] | None:
    """Run a category's judge assignment as `user_id` (who asked for it), in their `language`; the job's result
    is the run's id and figures."""
    from chiptown.competitions.models import Category
    from chiptown.competitions.services.assignment import assignment_run

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    category = Category.objects.select_related("edition").get(pk=category_id)
    job = Job.objects.get(pk=job_id)

    def work(progress: Progress) -> dict[str, Any]:
        run = assignment_run(category=category, by=user, fair=fair, reoptimise=reoptimise, progress=progress, job=job)
        figures = run.figures
        return {
            "run": run.pk,
            "total_fit": figures.get("total_fit"),
            "total_fit_to_bound_ratio": figures.get("total_fit_to_bound_ratio"),
            "worst_entry_to_maxmin_bound_ratio": figures.get("worst_entry_to_maxmin_bound_ratio"),
            "assignments_new": figures.get("assignments_new"),
        }

    with translation.override(language or settings.LANGUAGE_CODE):
        return job_run(job_id, work)


# How often the ranking job recomputes when reviews change while it runs (later changes queue a new job).
RANKING_RECOMPUTE_LIMIT = 3


@task()
def precompute_ranking(job_id: str, category_id: int, language: str = "") -> dict[str, Any] | None:
    """Compute and cache a category's ranking (selectors.ranking_figures); if its submitted reviews changed while
    it was computed, compute again so the cache holds the ranking as the reviews now stand."""
    from django.utils.translation import ngettext

    from chiptown.competitions import selectors
    from chiptown.competitions.models import Category

    category = Category.objects.select_related("edition").get(pk=category_id)

    def work(progress: Progress) -> dict[str, Any]:
        key, reviews = selectors.ranking_cache_key(category)
        for _attempt in range(RANKING_RECOMPUTE_LIMIT):
            message = ngettext(
                "Computing the ranking from %(count)d submitted review",
                "Computing the ranking from %(count)d submitted reviews",
                reviews,
            )
            progress(0, message % {"count": reviews})
            figures = selectors.ranking_figures(category=category, key=key)
            now_key, reviews = selectors.ranking_cache_key(category)
            if now_key == key:
                break
            key = now_key
        return {"entries": len(figures["entries"]), "reviews": reviews}

    with translation.override(language or settings.LANGUAGE_CODE):
        return job_run(job_id, work)


@task()
def send_result_emails(job_id: str, edition_id: int, language: str = "") -> dict[str, Any] | None:
    """Email every judged applicant of a published edition (services.results.results_notify), reporting how many
    entries are done on the job."""
    from chiptown.competitions.models import Edition
    from chiptown.competitions.services.results import results_notify

    edition = Edition.objects.get(pk=edition_id)

    def work(progress: Progress) -> dict[str, Any]:
        return results_notify(edition=edition, progress=progress)

    with translation.override(language or settings.LANGUAGE_CODE):
        return job_run(job_id, work)
