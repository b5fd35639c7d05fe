"""The reports' demo: last year's edition, built as of 30 June of last year and published, marked as demo."""

import datetime
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from chiptown.reports import demo
from chiptown.reports.models import BillOfMaterials, ReportEdition
from chiptown.reports.snapshots import snapshot_decode
from tests.factories import OrganisationFactory, SupplyLinkFactory

pytestmark = pytest.mark.django_db


def test_last_years_edition_counts_the_links_started_by_30_june_and_is_published_as_demo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("chiptown.reports.documents.report_pdf", lambda *, html: b"%PDF-1.7 demo")
    year = timezone.localdate().year - 1
    car = OrganisationFactory(name_en="Demo Motors", is_demo=True)
    chips = OrganisationFactory(name_en="Demo Chips", is_demo=True, in_park=False)
    SupplyLinkFactory(supplier=chips, buyer=car, category_id="control", since=datetime.date(year, 6, 30))
    SupplyLinkFactory(supplier=chips, buyer=car, category_id="power", since=datetime.date(year, 7, 1))
    SupplyLinkFactory(supplier=chips, buyer=car, category_id="memory", since=None)

    summary = demo.build()

    edition = ReportEdition.objects.get(year=year)
    assert summary.previous == edition and summary.as_of == datetime.date(year, 6, 30)
    assert edition.is_published and edition.is_demo and edition.published_at is not None
    assert edition.snapshot is not None
    data = snapshot_decode(bytes(edition.snapshot), sha256=edition.snapshot_sha256)
    assert data["as_of"] == f"{year}-06-30"
    assert sorted(data["chain"]["category_codes"][c] for c in data["chain"]["category"]) == ["control", "memory"]
    assert BillOfMaterials.objects.filter(is_default=True, vehicle_type="electric").exists()


def test_the_command_leaves_an_existing_demo_edition_alone_and_deletes_only_demo_editions(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setattr("chiptown.reports.documents.report_pdf", lambda *, html: b"%PDF-1.7 demo")
    call_command("reports_demo", "--if-missing")
    first = ReportEdition.objects.get(is_demo=True)
    call_command("reports_demo", "--if-missing")
    assert list(ReportEdition.objects.values_list("pk", flat=True)) == [first.pk]
    assert "/reports/scenarios/" in capsys.readouterr().out
    real = ReportEdition.objects.create(year=2020)

    call_command("reports_demo", "--delete-only")

    assert list(ReportEdition.objects.values_list("pk", flat=True)) == [real.pk]
