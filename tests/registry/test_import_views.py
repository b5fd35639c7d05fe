"""Import pages and the import command: operators only, background job with progress, problems listed."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from chiptown.core.models import AuditEntry, Job
from chiptown.registry import exporters
from chiptown.registry.models import ImportBatch, Organisation, Product, Qualification, SupplyLink
from tests.factories import credit_code
from tests.registry.import_helpers import ORG_HEADER, csv_bytes, org_row

pytestmark = pytest.mark.django_db

CODE_A = credit_code(910001)


def org_file(*rows: list[Any], name: str = "orgs.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, csv_bytes([ORG_HEADER, *rows]), content_type="text/csv")


def test_an_operator_uploads_a_file_and_sees_the_counts(operator_client: Client, operator: Any) -> None:
    upload = org_file(org_row(name_en="Horizon Robotics", credit_code=CODE_A, roles="fabless"))

    response = operator_client.post(reverse("registry:import"), {"kind": "organisations", "file": upload})

    batch = ImportBatch.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("registry:import_result", args=[batch.pk])
    assert (batch.kind, batch.filename, batch.created_by, bytes(batch.data)[:7]) == (
        "organisations",
        "orgs.csv",
        operator,
        b"name_zh",
    )
    assert batch.job is not None
    job = Job.objects.get(pk=batch.job.pk)
    assert (job.status, job.progress, job.created_by) == ("succeeded", 100, operator)
    assert job.result is not None
    assert (job.result["created"], job.result["updated"], job.result["unchanged"]) == (1, 0, 0)
    assert Organisation.objects.get().credit_code == CODE_A
    entry = AuditEntry.objects.get(action="registry.import")
    assert (entry.actor, entry.object_type, entry.object_id) == (operator, "registry.importbatch", str(batch.pk))

    page = operator_client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Created" in text and "<dd>1</dd>" in text
    assert reverse("registry:directory") in text


def test_the_result_partial_is_what_htmx_polls(operator_client: Client) -> None:
    operator_client.post(
        reverse("registry:import"), {"kind": "organisations", "file": org_file(org_row(name_en="X", country="DE"))}
    )
    batch = ImportBatch.objects.get()

    partial = operator_client.get(reverse("registry:import_result", args=[batch.pk]), HTTP_HX_REQUEST="true")

    assert partial.status_code == 200
    assert partial.content.decode().startswith('<div class="card" id="import-')
    assert "<html" not in partial.content.decode()


def test_a_refused_upload_lists_every_problem_and_writes_nothing(operator_client: Client) -> None:
    upload = org_file(
        org_row(name_en="Good", country="DE"),
        org_row(name_en="Bad", country="ZZ"),
    )

    response = operator_client.post(reverse("registry:import"), {"kind": "organisations", "file": upload}, follow=True)

    job = Job.objects.get()
    assert job.status == "failed"
    assert job.error is not None
    assert job.error["problems"] == [
        {"reason": "ZZ is not an ISO 3166 country code such as CN, DE or US.", "row": 3, "column": "country"}
    ]
    assert Organisation.objects.count() == 0
    assert not AuditEntry.objects.filter(action="registry.import").exists()
    text = response.content.decode()
    assert "ZZ is not an ISO 3166 country code" in text
    assert "<td>3</td><td>country</td>" in text


@pytest.mark.parametrize("client_name", ["rep_client", "stranger_client"])
def test_a_representative_or_stranger_cannot_import(client_name: str, request: Any) -> None:
    client: Client = request.getfixturevalue(client_name)
    before = Organisation.objects.count()

    page = client.get(reverse("registry:import"))
    upload = client.post(
        reverse("registry:import"),
        {"kind": "organisations", "file": org_file(org_row(name_en="Sneaky", country="DE"))},
    )
    export = client.get(reverse("registry:export"), {"kind": "organisations"})

    assert (page.status_code, upload.status_code, export.status_code) == (403, 403, 403)
    assert Organisation.objects.count() == before
    assert not ImportBatch.objects.exists()
    assert not Job.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(client: Client) -> None:
    response = client.get(reverse("registry:import"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_import_page_lists_templates_and_columns(
    operator_client: Client, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(8):
        response = operator_client.get(reverse("registry:import"))

    assert response.status_code == 200
    text = response.content.decode()
    for kind in ("organisations", "products", "qualifications", "supply_links"):
        assert reverse("registry:import_template", args=[kind, "csv"]) in text
        assert reverse("registry:import_template", args=[kind, "xlsx"]) in text
    assert "统一社会信用代码" in text and "<code>credit_code</code>" in text


def test_an_upload_without_a_file_shows_the_form_again(operator_client: Client) -> None:
    response = operator_client.post(reverse("registry:import"), {"kind": "organisations"})

    assert response.status_code == 400
    assert not ImportBatch.objects.exists()


def test_the_four_templates_import_back_in_order(operator: Any) -> None:
    from chiptown.registry.importers import registry_import

    for kind in ("organisations", "products", "qualifications", "supply_links"):
        for fmt in exporters.FORMATS:
            result = registry_import(
                kind=kind, data=exporters.template_bytes(kind, fmt), filename=f"t.{fmt}", by=operator
            )
            assert result["warning_count"] == 0
    assert (Organisation.objects.count(), Product.objects.count(), Qualification.objects.count()) == (2, 1, 1)
    assert SupplyLink.objects.count() == 1


def test_a_template_download(client: Client) -> None:
    response = client.get(reverse("registry:import_template", args=["products", "csv"]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="chiptown-products-template.csv"'
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "maker,category,part_number,name_zh,name_en,process_node,lifecycle"
    assert len(lines) == 2
    assert client.get("/import/template/nothing.csv").status_code == 404


def test_the_import_command_imports_and_audits_as_the_system(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_bytes(csv_bytes([ORG_HEADER, org_row(name_en="Horizon Robotics", credit_code=CODE_A)]))
    out, err = io.StringIO(), io.StringIO()

    call_command("import", "organisations", str(path), stdout=out, stderr=err)

    assert out.getvalue().strip() == "1 rows of organisations: created 1, updated 0, unchanged 0; 0 warnings"
    assert "100%" in err.getvalue()
    entry = AuditEntry.objects.get(action="registry.import")
    assert entry.actor is None
    batch = ImportBatch.objects.get()
    assert (entry.object_id, batch.created_by, batch.filename) == (str(batch.pk), None, "orgs.csv")


def test_the_import_command_prints_problems_and_fails(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_bytes(csv_bytes([ORG_HEADER, org_row(name_en="Bad", country="ZZ")]))
    err = io.StringIO()

    with pytest.raises(CommandError, match=r"orgs.csv was not imported"):
        call_command("import", "organisations", str(path), "--no-progress", stdout=io.StringIO(), stderr=err)

    assert "row 2, country: ZZ is not an ISO 3166 country code such as CN, DE or US." in err.getvalue()
    assert Organisation.objects.count() == 0
    assert not ImportBatch.objects.exists()
    assert not AuditEntry.objects.exists()


def test_the_import_command_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "orgs.csv"
    path.write_bytes(csv_bytes([ORG_HEADER, org_row(name_en="Horizon Robotics", credit_code=CODE_A)]))
    out = io.StringIO()

    call_command("import", "organisations", str(path), "--dry-run", "--no-progress", stdout=out, stderr=io.StringIO())

    assert "would create 1" in out.getvalue()
    assert Organisation.objects.count() == 0


def test_a_representative_cannot_see_an_import_result(operator_client: Client, rep_client: Client) -> None:
    operator_client.post(
        reverse("registry:import"), {"kind": "organisations", "file": org_file(org_row(name_en="X", country="DE"))}
    )
    batch = ImportBatch.objects.get()

    assert rep_client.get(reverse("registry:import_result", args=[batch.pk])).status_code == 403
