"""Background jobs of the reports: thin wrappers that run a service and report its progress on a core Job."""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import translation
from django_tasks import task

from chiptown.core.services import Progress, job_run


@task()
def build_report(job_id: str, edition_id: int, user_id: int | None, language: str = "") -> dict[str, Any] | None:
    """Build a report edition (services.report_build): snapshot, figures, HTML and PDF in every language."""
    from chiptown.reports.models import ReportEdition
    from chiptown.reports.services import report_build

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    edition = ReportEdition.objects.get(pk=edition_id)

    def work(progress: Progress) -> dict[str, Any]:
        return report_build(edition=edition, by=user, progress=progress)

    with translation.override(language or settings.LANGUAGE_CODE):
        return job_run(job_id, work)
