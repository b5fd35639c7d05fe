"""Background jobs of the registry: thin wrappers that run a service and report its progress on a core Job."""

from typing import Any

from django.conf import settings
from django.utils import translation
from django_tasks import task

from chiptown.core.services import Progress, job_run
from chiptown.registry.importers import registry_import
from chiptown.registry.models import ImportBatch


@task()
def import_registry_file(batch_id: str, language: str = "") -> dict[str, Any] | None:
    """Import an uploaded file kept in an ImportBatch; the file's bytes come from the database, so the worker
    may run on another machine than the web server that received the upload. Problems and warnings are written
    in `language`, the uploader's."""
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.job_id is None:
        raise ValueError(f"import batch {batch_id} has no job")

    def work(progress: Progress) -> dict[str, Any]:
        return registry_import(
            kind=batch.kind,
            data=bytes(batch.data),
            filename=batch.filename,
            by=batch.created_by,
            progress=progress,
            dry_run=batch.dry_run,
            batch=batch,
        )

    with translation.override(language or settings.LANGUAGE_CODE):
        return job_run(batch.job_id, work)
