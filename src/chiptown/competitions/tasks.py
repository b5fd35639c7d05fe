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
