"""Report editions: building from a snapshot, freezing on publish, nothing half-written, and their pages and API."""

import gzip
import hashlib
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chiptown.accounts.models import User
from chiptown.core.errors import ChipTownError
from chiptown.core.models import AuditEntry, Job
from chiptown.reports import documents
from chiptown.reports.figures import figures_build_all
from chiptown.reports.models import BillOfMaterials, ReportDocument, ReportEdition
from chiptown.reports.services import bills_of_materials_ensure, report_build, report_publish, report_start
from chiptown.reports.snapshots import snapshot_decode
from tests.factories import OrganisationFactory, SupplyLinkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quick_pdf(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Skip WeasyPrint's layout (seconds per document) where a test is about the edition, not the PDF; the PDF
    itself is checked in test_documents.py and in test_build_writes_real_pdfs below. Returns the HTML it was given."""
    seen: list[str] = []

    def fake_pdf(*, html: str) -> bytes:
        seen.append(html)
        return b"%PDF-1.7 test " + hashlib.sha256(html.encode()).hexdigest().encode()

    monkeypatch.setattr(documents, "report_pdf", fake_pdf)
    return seen


@pytest.fixture
def small_chain(db: Any) -> dict[str, Any]:
    """An in-park car maker buying control chips from a domestic chip maker (60%) and a German one (40%), and
    power chips from the German one alone."""
    oem = OrganisationFactory(name_en="Park Motors", in_park=True, province="Beijing")
    local = OrganisationFactory(name_en="Local Chips", province="Jiangsu", in_park=False)
    foreign = OrganisationFactory(name_en="Deutsche Halbleiter", country="DE", province="", in_park=False)
    SupplyLinkFactory(supplier=local, buyer=oem, category_id="control", share=60)
    SupplyLinkFactory(supplier=foreign, buyer=oem, category_id="control", share=40)
    SupplyLinkFactory(supplier=foreign, buyer=oem, category_id="power", share=100)
    bills_of_materials_ensure()
    return {"oem": oem, "local": local, "foreign": foreign}


def _figures(edition: ReportEdition) -> dict[str, Any]:
    assert edition.figures is not None
    return edition.figures


def _stored(edition: ReportEdition) -> bytes:
    assert edition.snapshot is not None
    return bytes(edition.snapshot)


def _build(year: int = 2026, by: Any = None) -> ReportEdition:
    edition, _created = ReportEdition.objects.get_or_create(year=year)
    report_build(edition=edition, by=by)
    edition.refresh_from_db()
    return edition


def test_build_stores_snapshot_figures_and_documents_in_both_languages(
    small_chain: dict[str, Any], operator: User, quick_pdf: list[str]
) -> None:
    edition = _build(by=operator)

    assert edition.is_built and not edition.is_published
    data = snapshot_decode(_stored(edition), sha256=edition.snapshot_sha256)
    assert len(data["chain"]["supplier"]) == 3
    assert hashlib.sha256(
        json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ).hexdigest() == (edition.snapshot_sha256)
    assert set(_figures(edition)) == {"zh-hans", "en"}
    english = _figures(edition)["en"]
    assert english["headline"]["links_counted"] == 3
    assert english["headline"]["domestic_by_links"] == pytest.approx(1 / 3, abs=1e-4)
    assert english["headline"]["in_park_by_links"] == 0
    assert english["headline"]["single_source_pairs"] == 1  # power from the German supplier alone
    assert english["headline"]["foreign_single_source_pairs"] == 1
    control = next(row for row in english["localisation"] if row["code"] == "control")
    assert control["domestic_by_volume"] == pytest.approx(0.6)
    assert english["snapshot_sha256"] == edition.snapshot_sha256
    assert english["changes"] is None
    assert _figures(edition)["zh-hans"]["headline"] == english["headline"]
    kinds = sorted(ReportDocument.objects.filter(edition=edition).values_list("language", "kind"))
    assert kinds == [("en", "html"), ("en", "pdf"), ("zh-hans", "html"), ("zh-hans", "pdf")]
    assert AuditEntry.objects.filter(action="reports.report_build", object_id=str(edition.pk)).count() == 1


def test_figures_recomputed_from_the_stored_snapshot_are_the_stored_figures(
    small_chain: dict[str, Any], quick_pdf: list[str]
) -> None:
    edition = _build()
    data = snapshot_decode(_stored(edition), sha256=edition.snapshot_sha256)

    recomputed = json.loads(json.dumps(figures_build_all(data, sha256=edition.snapshot_sha256)))
    for language, figures in _figures(edition).items():
        for key, value in figures.items():
            assert recomputed[language][key] == value, key


def test_a_published_edition_keeps_its_numbers_after_the_registry_changes(
    small_chain: dict[str, Any], operator: User, quick_pdf: list[str]
) -> None:
    edition = report_publish(edition=_build(), by=operator)
    figures, sha256 = edition.figures, edition.snapshot_sha256
    html_before = ReportDocument.objects.get(edition=edition, language="en", kind="html").sha256
    SupplyLinkFactory(supplier=small_chain["local"], buyer=small_chain["oem"], category_id="power", share=50)

    with pytest.raises(ChipTownError) as refused:
        report_start(year=2026, by=operator)
    assert refused.value.code == "report_published"
    with pytest.raises(ChipTownError):
        report_build(edition=edition)

    edition.refresh_from_db()
    assert (edition.figures, edition.snapshot_sha256) == (figures, sha256)
    assert ReportDocument.objects.get(edition=edition, language="en", kind="html").sha256 == html_before


def test_a_draft_rebuilt_after_a_change_shows_it_and_the_next_year_compares(
    small_chain: dict[str, Any], operator: User, quick_pdf: list[str]
) -> None:
    report_publish(edition=_build(year=2025), by=operator)
    SupplyLinkFactory(supplier=small_chain["local"], buyer=small_chain["oem"], category_id="power", share=50)

    edition = _build(year=2026)

    changes = _figures(edition)["en"]["changes"]
    assert changes["previous_year"] == 2025
    links = next(row for row in changes["rows"] if row["key"] == "links_counted")
    assert (links["before"], links["after"], links["change"]) == (3, 4, 1)
    single = next(row for row in changes["rows"] if row["key"] == "single_source_pairs")
    assert (single["before"], single["after"]) == (1, 0)


def test_a_failure_while_rendering_leaves_the_edition_as_it_was(
    small_chain: dict[str, Any], operator: User, monkeypatch: pytest.MonkeyPatch, quick_pdf: list[str]
) -> None:
    edition = _build()
    before = (edition.snapshot_sha256, edition.built_at, list(edition.documents.values_list("sha256", flat=True)))
    SupplyLinkFactory(supplier=small_chain["local"], buyer=small_chain["oem"], category_id="power", share=50)
    calls: list[str] = []

    def failing_pdf(*, html: str) -> bytes:
        calls.append(html)
        if len(calls) == 2:
            raise ChipTownError("The layout engine ran out of memory.", code="pdf_failed")
        return b"%PDF-1.7"

    monkeypatch.setattr(documents, "report_pdf", failing_pdf)

    with pytest.raises(ChipTownError):
        report_build(edition=edition)

    edition.refresh_from_db()
    after = (edition.snapshot_sha256, edition.built_at, list(edition.documents.values_list("sha256", flat=True)))
    assert after == before


def test_a_failed_build_job_says_why_and_writes_nothing(
    small_chain: dict[str, Any],
    operator: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    def failing_pdf(*, html: str) -> bytes:
        raise ChipTownError("The layout engine ran out of memory.", code="pdf_failed")

    monkeypatch.setattr(documents, "report_pdf", failing_pdf)

    with django_capture_on_commit_callbacks(execute=True):
        edition, job = report_start(year=2026, by=operator)

    job.refresh_from_db()
    edition.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error is not None and job.error["message"] == "The layout engine ran out of memory."
    assert not edition.is_built and edition.snapshot is None and not edition.documents.exists()


def test_an_empty_registry_builds_a_report_that_says_so(operator: User, quick_pdf: list[str]) -> None:
    edition = _build()

    english = _figures(edition)["en"]
    assert english["empty"] is True
    assert english["headline"]["links_counted"] == 0
    assert english["headline"]["domestic_by_links"] is None
    assert english["chokepoints"] == [] and english["scenarios"] == []
    assert english["vehicle"] is None  # no bill of materials and no categories with data
    assert edition.documents.count() == 4


def test_only_operators_start_or_publish_and_bad_years_are_refused(
    small_chain: dict[str, Any], operator: User, company_rep: User, quick_pdf: list[str]
) -> None:
    with pytest.raises(ChipTownError) as refused:
        report_start(year=2026, by=company_rep)
    assert refused.value.status == 403
    for year in (1999, 2101):
        with pytest.raises(ChipTownError) as bad:
            report_start(year=year, by=operator)
        assert bad.value.problems[0].column == "year"
    edition = _build()
    with pytest.raises(ChipTownError) as refused:
        report_publish(edition=edition, by=company_rep)
    assert refused.value.status == 403
    assert not ReportEdition.objects.filter(status="published").exists()
    unbuilt = ReportEdition.objects.create(year=2024)
    with pytest.raises(ChipTownError) as not_built:
        report_publish(edition=unbuilt, by=operator)
    assert not_built.value.code == "report_not_built"


def test_a_tampered_snapshot_is_refused(small_chain: dict[str, Any], quick_pdf: list[str]) -> None:
    edition = _build()
    data = json.loads(gzip.decompress(_stored(edition)))
    data["chain"]["share"][0] = 0.99
    tampered = gzip.compress(json.dumps(data, sort_keys=True, separators=(",", ":")).encode())

    with pytest.raises(ChipTownError) as refused:
        snapshot_decode(tampered, sha256=edition.snapshot_sha256)
    assert refused.value.code == "snapshot_hash_mismatch"


def test_default_bills_of_materials_document_their_sources(db: Any) -> None:
    created = bills_of_materials_ensure()

    assert [b.vehicle_type for b in created] == ["electric", "combustion", "highly_automated"]
    electric = BillOfMaterials.objects.get(vehicle_type="electric")
    assert electric.is_default
    assert electric.total_chips == pytest.approx(1300)  # the midpoint of 1,000-1,600
    assert "1,000-1,600" in electric.source and "assumption" in electric.source
    assert bills_of_materials_ensure() == []


# --- Pages ---


def test_operator_builds_watches_and_publishes_from_the_pages(
    client: Client,
    small_chain: dict[str, Any],
    operator: User,
    quick_pdf: list[str],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:edition_build"), {"year": "2026"})
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:edition", args=[2026])

    page = client.get(response["Location"])
    assert page.status_code == 200
    content = page.content.decode()
    assert "Read the report" in content and ReportEdition.objects.get(year=2026).snapshot_sha256 in content
    progress = client.get(reverse("reports:edition_progress", args=[2026]), headers={"HX-Request": "true"})
    assert progress["HX-Refresh"] == "true"

    html = client.get(reverse("reports:edition_html", args=[2026, "en"]))
    assert html.status_code == 200 and html["Content-Type"].startswith("text/html")
    assert "style-src 'unsafe-inline'" in html["Content-Security-Policy"]
    assert "script-src" not in html["Content-Security-Policy"]
    pdf = client.get(reverse("reports:edition_pdf", args=[2026, "zh-hans"]))
    assert pdf["Content-Type"] == "application/pdf" and bytes(pdf.content).startswith(b"%PDF")
    snapshot = client.get(reverse("reports:edition_snapshot", args=[2026]))
    assert hashlib.sha256(gzip.decompress(snapshot.content)).hexdigest() == snapshot["X-Snapshot-SHA256"]

    response = client.post(reverse("reports:edition_publish", args=[2026]))
    assert response.status_code == 302
    assert ReportEdition.objects.get(year=2026).is_published


def test_drafts_are_hidden_and_published_editions_public(
    client: Client, small_chain: dict[str, Any], operator: User, company_rep: User, quick_pdf: list[str]
) -> None:
    edition = _build()
    assert client.get(reverse("reports:edition", args=[2026])).status_code == 404
    assert client.get(reverse("reports:edition_pdf", args=[2026, "en"])).status_code == 404
    assert "2026" not in client.get(reverse("reports:editions")).content.decode().split("<main")[-1]

    report_publish(edition=edition, by=operator)

    assert client.get(reverse("reports:edition", args=[2026])).status_code == 200
    assert client.get(reverse("reports:edition_pdf", args=[2026, "en"])).status_code == 200
    assert client.get(reverse("reports:edition_pdf", args=[2026, "xx"])).status_code == 404
    client.force_login(company_rep)
    response = client.post(reverse("reports:edition_build"), {"year": "2027"})
    assert response.status_code == 403
    assert not ReportEdition.objects.filter(year=2027).exists()


def test_building_a_published_year_from_the_page_says_why(
    client: Client, small_chain: dict[str, Any], operator: User, quick_pdf: list[str]
) -> None:
    report_publish(edition=_build(), by=operator)
    client.force_login(operator)

    response = client.post(reverse("reports:edition_build"), {"year": "2026"}, follow=True)
    assert "The 2026 report is published and frozen" in response.content.decode()
    response = client.post(reverse("reports:edition_build"), {"year": "next"}, follow=True)
    assert "“next” is not a year." in response.content.decode()


def test_the_editions_list_costs_the_same_queries_for_many_editions(
    client: Client, operator: User, django_assert_max_num_queries: Any
) -> None:
    client.force_login(operator)
    for year in range(2000, 2030):
        ReportEdition.objects.create(year=year)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("reports:editions")).status_code == 200


# --- API ---


def test_api_builds_lists_and_publishes(
    client: Client,
    small_chain: dict[str, Any],
    operator: User,
    quick_pdf: list[str],
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client.force_login(operator)
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/reports/editions", {"year": 2026}, content_type="application/json", headers={"X-CSRFToken": token}
        )
    assert response.status_code == 202, response.content

    detail = client.get("/api/v1/reports/editions/2026").json()
    assert detail["status"] == "draft"
    assert detail["headline"]["links_counted"] == 3
    assert sorted((d["language"], d["kind"]) for d in detail["documents"]) == [
        ("en", "html"),
        ("en", "pdf"),
        ("zh-hans", "html"),
        ("zh-hans", "pdf"),
    ]
    published = client.post("/api/v1/reports/editions/2026/publish")
    assert published.status_code == 200 and published.json()["status"] == "published"
    again = client.post("/api/v1/reports/editions/2026/publish")
    assert again.status_code == 409 and again.json()["code"] == "report_published"
    bad = client.post("/api/v1/reports/editions", {"year": 1900}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["problems"][0]["column"] == "year"


def test_api_hides_drafts_from_the_public(client: Client, small_chain: dict[str, Any], quick_pdf: list[str]) -> None:
    _build()
    assert client.get("/api/v1/reports/editions").json() == []
    missing = client.get("/api/v1/reports/editions/2026")
    assert missing.status_code == 404 and missing.json()["message"] == "There is no report for 2026."


def test_build_writes_real_pdfs(small_chain: dict[str, Any]) -> None:
    edition = _build()
    for language in ("en", "zh-hans"):
        pdf = ReportDocument.objects.get(edition=edition, language=language, kind="pdf")
        assert bytes(pdf.content).startswith(b"%PDF") and pdf.size > 1000
