"""The reports' part of the demo: the default bills of materials and last year's edition, published, so this
year's report (which an operator builds in the demo) has an edition to compare with."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from chiptown.core.services import Progress, no_progress
from chiptown.reports.models import ReportEdition
from chiptown.reports.services import bills_of_materials_ensure, report_build


@dataclass(frozen=True)
class DemoSummary:
    previous: ReportEdition
    as_of: datetime.date
    seconds: float


def demo_edition_exists() -> bool:
    return ReportEdition.objects.filter(is_demo=True).exists()


def delete_demo() -> int:
    deleted, _rows = ReportEdition.objects.filter(is_demo=True).delete()
    return int(deleted)


def build(*, progress: Progress = no_progress) -> DemoSummary:
    """Last year's edition as of 30 June of last year (the links that had started by then), built and published.

    It is published directly (no operator: the demo system publishes it) and marked as demo like its data."""
    bills_of_materials_ensure()
    year = timezone.localdate().year - 1
    as_of = datetime.date(year, 6, 30)
    edition, _created = ReportEdition.objects.get_or_create(year=year)
    report_build(edition=edition, progress=progress, as_of=as_of)
    with transaction.atomic():
        edition.refresh_from_db()
        edition.status, edition.published_at = ReportEdition.Status.PUBLISHED, timezone.now()
        edition.is_demo = True
        edition.save(update_fields=["status", "published_at", "is_demo"])
    return DemoSummary(previous=edition, as_of=as_of, seconds=edition.build_seconds or 0.0)
