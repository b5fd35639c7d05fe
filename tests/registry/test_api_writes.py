"""Registry API writes: each goes through registry.services (permissions, validation, audit); denied or
invalid requests change nothing and answer {code, message, problems} with a 4xx status."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from chiptown.accounts.models import User
from chiptown.core.models import AuditEntry
from chiptown.core.services import snapshot
from chiptown.registry.models import Organisation, Product, Qualification, SupplyLink
from tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    ProductFactory,
    QualificationFactory,
    SupplyLinkFactory,
    credit_code,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def send(client: Client, method: str, path: str, body: Any = None, **headers: str) -> Any:
    data = body if isinstance(body, str | bytes) else json.dumps(body if body is not None else {})
    return getattr(client, method)(f"{API}{path}", data=data, content_type="application/json", headers=headers)


def columns(response: Any) -> list[str]:
    return [p["column"] for p in response.json()["problems"]]


def frozen(organisation: Organisation) -> dict[str, Any]:
    organisation.refresh_from_db()
    return {**snapshot(organisation), "roles": sorted(organisation.roles.values_list("role", flat=True))}


# ------------------------------------------------------------------------------------------ organisations


def test_operator_creates_an_organisation_with_roles(operator: User, operator_client: Client) -> None:
    code = credit_code(424242)
    response = send(
        operator_client,
        "post",
        "/organisations",
        {
            "name_zh": "芯驰科技",
            "name_en": "SemiDrive",
            "credit_code": code,
            "roles": ["fabless", "idm"],
            "in_park": True,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    organisation = Organisation.objects.get(pk=body["id"])
    assert organisation.credit_code == code
    assert organisation.in_park is True
    assert body["roles"] == ["fabless", "idm"]
    entry = AuditEntry.objects.get(action="organisation.create")
    assert entry.actor == operator
    assert entry.object_id == str(organisation.pk)
    assert entry.after is not None and entry.after["roles"] == ["fabless", "idm"]


def test_invalid_organisation_lists_every_problem_and_writes_nothing(operator_client: Client) -> None:
    response = send(
        operator_client,
        "post",
        "/organisations",
        {"name_en": "Bad Code Co", "credit_code": "91110302000000001Y", "website": "not a url", "founded_year": 1066},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert sorted(columns(response)) == ["credit_code", "founded_year", "website"]
    assert not Organisation.objects.filter(name_en="Bad Code Co").exists()
    assert not AuditEntry.objects.exists()


def test_wrong_types_are_422_naming_each_field(operator_client: Client) -> None:
    response = send(
        operator_client, "post", "/organisations", {"name_en": 7, "in_park": "perhaps", "roles": ["wizard"]}
    )

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "Some fields are not valid."
    assert sorted(columns(response)) == ["in_park", "name_en", "roles.0"]
    assert Organisation.objects.count() == 0


def test_overlong_and_nul_strings_are_refused_before_the_database(operator_client: Client) -> None:
    response = send(operator_client, "post", "/organisations", {"name_en": "x" * 201, "city": "a\x00b"})

    assert response.status_code == 422
    assert sorted(columns(response)) == ["city", "name_en"]


@pytest.mark.parametrize("body", ["{not json", "[1, 2", b"\xff\xfe", "{'single': 'quotes'}"])
def test_malformed_json_is_400(operator_client: Client, body: str | bytes) -> None:
    response = send(operator_client, "post", "/organisations", body)

    assert response.status_code == 400
    assert response.json() == {"code": "malformed", "message": "The request body is not valid JSON.", "problems": []}


def test_an_empty_body_is_422(operator_client: Client) -> None:
    response = send(operator_client, "post", "/products", "")

    assert response.status_code == 422
    assert response.json()["problems"] == [
        {"row": None, "column": None, "reason": "Send a JSON object with the fields this endpoint takes."}
    ]


@pytest.mark.parametrize("body", ["[1, 2]", '"text"', "null", "3"])
def test_a_body_that_is_not_an_object_is_422(operator_client: Client, body: str) -> None:
    response = send(operator_client, "post", "/products", body)

    assert response.status_code == 422
    assert response.json()["code"] == "invalid"
    assert not Product.objects.exists()


def test_missing_fields_are_listed(operator_client: Client) -> None:
    response = send(operator_client, "post", "/products", {})

    assert response.status_code == 422
    assert sorted(columns(response)) == ["category", "organisation", "part_number"]


def test_anonymous_cannot_write(client: Client, company: Organisation) -> None:
    before = frozen(company)

    created = send(client, "post", "/organisations", {"name_en": "Sneaky"})
    changed = send(client, "patch", f"/organisations/{company.pk}", {"name_en": "Sneaky"})
    deleted = send(client, "delete", f"/organisations/{company.pk}")

    assert [created.status_code, changed.status_code, deleted.status_code] == [401, 401, 401]
    assert created.json()["code"] == "unauthenticated"
    assert frozen(company) == before
    assert Organisation.objects.count() == 1


def test_representative_edits_their_own_organisation(
    company_rep: User, rep_client: Client, company: Organisation
) -> None:
    OrganisationRoleFactory(organisation=company, role="fabless")

    response = send(
        rep_client, "patch", f"/organisations/{company.pk}", {"city": "无锡", "roles": ["fabless", "module"]}
    )

    assert response.status_code == 200, response.content
    assert response.json()["city"] == "无锡"
    assert response.json()["roles"] == ["fabless", "module"]
    company.refresh_from_db()
    assert company.city == "无锡"
    assert company.name_en == "Alpha Semiconductor"  # fields not sent are untouched
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.actor == company_rep
    assert entry.before == {"city": "北京", "roles": ["fabless"]}
    assert entry.after == {"city": "无锡", "roles": ["fabless", "module"]}


def test_representative_is_refused_another_organisation(rep_client: Client, other_company: Organisation) -> None:
    before = frozen(other_company)

    changed = send(rep_client, "patch", f"/organisations/{other_company.pk}", {"name_en": "Hijacked", "roles": []})
    deleted = send(rep_client, "delete", f"/organisations/{other_company.pk}")

    assert changed.status_code == 403
    assert changed.json() == {"code": "forbidden", "message": "You may not change this.", "problems": []}
    assert deleted.status_code == 403
    assert frozen(other_company) == before
    assert not AuditEntry.objects.exists()


def test_representative_cannot_create_organisations(rep_client: Client) -> None:
    response = send(rep_client, "post", "/organisations", {"name_en": "My Second Company"})

    assert response.status_code == 403
    assert not Organisation.objects.filter(name_en="My Second Company").exists()


def test_patch_refuses_null_for_a_required_field(operator_client: Client, company: Organisation) -> None:
    response = send(operator_client, "patch", f"/organisations/{company.pk}", {"name_en": None, "founded_year": None})

    assert response.status_code == 422
    assert columns(response) == ["name_en"]
    company.refresh_from_db()
    assert company.founded_year == 2015


def test_patch_may_clear_a_nullable_field(operator_client: Client, company: Organisation) -> None:
    response = send(operator_client, "patch", f"/organisations/{company.pk}", {"founded_year": None})

    assert response.status_code == 200
    company.refresh_from_db()
    assert company.founded_year is None


def test_patch_of_unknown_organisation_is_404(operator_client: Client) -> None:
    response = send(operator_client, "patch", "/organisations/424242", {"name_en": "Ghost"})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_operator_deletes_an_organisation(operator_client: Client, company: Organisation) -> None:
    response = send(operator_client, "delete", f"/organisations/{company.pk}")

    assert response.status_code == 204
    assert not Organisation.objects.filter(pk=company.pk).exists()
    assert AuditEntry.objects.filter(action="organisation.delete", object_id=str(company.pk)).count() == 1


# ------------------------------------------------------------------------------------------ products


def test_representative_adds_a_product_to_their_own_organisation(rep_client: Client, company: Organisation) -> None:
    response = send(
        rep_client,
        "post",
        "/products",
        {"organisation": company.pk, "category": "power", "part_number": "AP750", "lifecycle": "sampling"},
    )

    assert response.status_code == 201, response.content
    product = Product.objects.get(pk=response.json()["id"])
    assert (product.organisation, product.category_id, product.lifecycle) == (company, "power", "sampling")
    assert AuditEntry.objects.filter(action="product.create", object_id=str(product.pk)).exists()


def test_representative_cannot_add_a_product_to_another_organisation(
    rep_client: Client, other_company: Organisation
) -> None:
    response = send(
        rep_client, "post", "/products", {"organisation": other_company.pk, "category": "power", "part_number": "X1"}
    )

    assert response.status_code == 403
    assert not Product.objects.exists()


def test_product_for_unknown_organisation_is_404_naming_the_field(operator_client: Client) -> None:
    response = send(
        operator_client, "post", "/products", {"organisation": 999, "category": "power", "part_number": "X"}
    )

    assert response.status_code == 404
    assert columns(response) == ["organisation"]


def test_product_with_unknown_category_is_refused(operator_client: Client, company: Organisation) -> None:
    response = send(
        operator_client,
        "post",
        "/products",
        {"organisation": company.pk, "category": "unobtainium", "part_number": "X"},
    )

    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"row": None, "column": "category", "reason": "unobtainium is not a chip category."}
    ]
    assert not Product.objects.exists()


def test_product_update_and_delete(operator_client: Client, company: Organisation) -> None:
    product = ProductFactory(organisation=company, part_number="OLD-1")

    changed = send(operator_client, "patch", f"/products/{product.pk}", {"part_number": "NEW-1", "lifecycle": "eol"})
    assert changed.status_code == 200, changed.content
    product.refresh_from_db()
    assert (product.part_number, product.lifecycle) == ("NEW-1", "eol")

    deleted = send(operator_client, "delete", f"/products/{product.pk}")
    assert deleted.status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()


def test_representative_cannot_change_another_makers_product(rep_client: Client, other_company: Organisation) -> None:
    product = ProductFactory(organisation=other_company, part_number="THEIRS")

    response = send(rep_client, "patch", f"/products/{product.pk}", {"part_number": "MINE"})

    assert response.status_code == 403
    product.refresh_from_db()
    assert product.part_number == "THEIRS"


# ------------------------------------------------------------------------------------------ qualifications


def test_representative_records_a_product_qualification(rep_client: Client, company: Organisation) -> None:
    product = ProductFactory(organisation=company)

    response = send(
        rep_client,
        "post",
        "/qualifications",
        {
            "product": product.pk,
            "standard": "AEC-Q100",
            "level": "Grade 1",
            "issuer": "CQC",
            "certificate_number": "Q100-001",
            "issued_on": "2024-03-01",
            "expires_on": "2027-03-01",
        },
    )

    assert response.status_code == 201, response.content
    qualification = Qualification.objects.get(pk=response.json()["id"])
    assert (qualification.product, qualification.level) == (product, "1")
    assert response.json()["temperature_range"] == [-40, 125]


def test_plant_qualification_belongs_to_the_organisation(operator_client: Client, company: Organisation) -> None:
    response = send(
        operator_client,
        "post",
        "/qualifications",
        {"organisation": company.pk, "standard": "IATF 16949", "certificate_number": "IATF-9"},
    )

    assert response.status_code == 201, response.content
    assert response.json()["organisation"]["id"] == company.pk
    assert response.json()["product"] is None


@pytest.mark.parametrize(
    ("body", "problem_columns"),
    [
        ({"standard": "AEC-Q100", "level": "7", "certificate_number": "C"}, ["level"]),
        ({"standard": "IATF 16949", "certificate_number": "C"}, ["standard"]),
        (
            {"standard": "AEC-Q101", "certificate_number": "C", "issued_on": "2024-01-02", "expires_on": "2023-01-01"},
            ["expires_on"],
        ),
    ],
)
def test_invalid_qualification_is_refused(
    operator_client: Client, body: dict[str, str], problem_columns: list[str]
) -> None:
    product = ProductFactory()

    response = send(operator_client, "post", "/qualifications", {"product": product.pk, **body})

    assert response.status_code == 400
    assert columns(response) == problem_columns
    assert not Qualification.objects.exists()


def test_qualification_needs_exactly_one_holder(operator_client: Client, company: Organisation) -> None:
    product = ProductFactory(organisation=company)
    both = send(
        operator_client,
        "post",
        "/qualifications",
        {"product": product.pk, "organisation": company.pk, "standard": "AEC-Q101", "certificate_number": "C"},
    )
    neither = send(operator_client, "post", "/qualifications", {"standard": "AEC-Q101", "certificate_number": "C"})

    assert both.status_code == neither.status_code == 400
    assert both.json()["message"] == "A qualification belongs to either a product or an organisation."
    assert not Qualification.objects.exists()


def test_qualification_for_another_makers_product_is_refused(rep_client: Client, other_company: Organisation) -> None:
    product = ProductFactory(organisation=other_company)

    response = send(
        rep_client,
        "post",
        "/qualifications",
        {"product": product.pk, "standard": "AEC-Q101", "certificate_number": "C"},
    )

    assert response.status_code == 403
    assert not Qualification.objects.exists()


def test_certificate_pdf_upload(rep_client: Client, company: Organisation) -> None:
    qualification = QualificationFactory(product=ProductFactory(organisation=company))

    response = rep_client.post(
        f"{API}/qualifications/{qualification.pk}/certificate",
        {"file": SimpleUploadedFile("cert.pdf", PDF, content_type="application/pdf")},
    )

    assert response.status_code == 200, response.content
    qualification.refresh_from_db()
    assert qualification.certificate_pdf.name.startswith("certificates/cert")
    assert qualification.certificate_pdf.read() == PDF
    assert response.json()["certificate_pdf"] == qualification.certificate_pdf.url


def test_certificate_that_is_not_a_pdf_is_refused(rep_client: Client, company: Organisation) -> None:
    qualification = QualificationFactory(product=ProductFactory(organisation=company))

    response = rep_client.post(
        f"{API}/qualifications/{qualification.pk}/certificate",
        {"file": SimpleUploadedFile("cert.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")},
    )

    assert response.status_code == 400
    assert response.json()["problems"] == [
        {"row": None, "column": "certificate_pdf", "reason": "The file is not a PDF."}
    ]
    qualification.refresh_from_db()
    assert not qualification.certificate_pdf


def test_certificate_upload_without_a_file_is_422(operator_client: Client) -> None:
    qualification = QualificationFactory()

    response = operator_client.post(f"{API}/qualifications/{qualification.pk}/certificate", {})

    assert response.status_code == 422
    assert columns(response) == ["file"]


def test_qualification_update_and_delete(operator_client: Client) -> None:
    qualification = QualificationFactory(standard="ISO 26262", level="B")

    changed = send(operator_client, "patch", f"/qualifications/{qualification.pk}", {"level": "ASIL D"})
    assert changed.status_code == 200, changed.content
    assert changed.json()["level"] == "D"

    deleted = send(operator_client, "delete", f"/qualifications/{qualification.pk}")
    assert deleted.status_code == 204
    assert not Qualification.objects.filter(pk=qualification.pk).exists()


# ------------------------------------------------------------------------------------------ supply links


def test_buyer_representative_records_a_supply_link(
    rep_client: Client, company: Organisation, other_company: Organisation
) -> None:
    product = ProductFactory(organisation=other_company, category__code="control")

    response = send(
        rep_client,
        "post",
        "/supply-links",
        {
            "supplier": other_company.pk,
            "buyer": company.pk,
            "product": product.pk,
            "status": "design_win",
            "share": "35.5",
            "since": "2023-06-01",
        },
    )

    assert response.status_code == 201, response.content
    link = SupplyLink.objects.get(pk=response.json()["id"])
    assert (link.supplier, link.buyer, link.product, link.category_id) == (other_company, company, product, "control")
    assert str(link.share) == "35.50"
    assert AuditEntry.objects.filter(action="supply_link.create").count() == 1


def test_shares_above_100_percent_are_refused(
    operator_client: Client, company: Organisation, other_company: Organisation
) -> None:
    SupplyLinkFactory(buyer=company, category__code="control", share=70)

    response = send(
        operator_client,
        "post",
        "/supply-links",
        {"supplier": other_company.pk, "buyer": company.pk, "category": "control", "share": 40},
    )

    assert response.status_code == 400
    assert columns(response) == ["share"]
    assert SupplyLink.objects.filter(buyer=company).count() == 1


def test_supply_link_with_unknown_supplier_is_404(operator_client: Client, company: Organisation) -> None:
    response = send(
        operator_client, "post", "/supply-links", {"supplier": 31337, "buyer": company.pk, "category": "control"}
    )

    assert response.status_code == 404
    assert columns(response) == ["supplier"]
    assert not SupplyLink.objects.exists()


def test_supplier_representative_cannot_record_the_buyers_share(
    rep_client: Client, company: Organisation, other_company: Organisation
) -> None:
    response = send(
        rep_client,
        "post",
        "/supply-links",
        {"supplier": company.pk, "buyer": other_company.pk, "category": "control", "share": 90},
    )

    assert response.status_code == 403
    assert not SupplyLink.objects.exists()


def test_supply_link_update_and_delete(rep_client: Client, company: Organisation) -> None:
    link = SupplyLinkFactory(buyer=company, status="evaluation", share=10)

    changed = send(rep_client, "patch", f"/supply-links/{link.pk}", {"status": "mass_production", "share": None})
    assert changed.status_code == 200, changed.content
    link.refresh_from_db()
    assert (link.status, link.share) == ("mass_production", None)

    deleted = send(rep_client, "delete", f"/supply-links/{link.pk}")
    assert deleted.status_code == 204
    assert not SupplyLink.objects.filter(pk=link.pk).exists()


def test_representative_cannot_move_a_link_to_another_buyer(
    rep_client: Client, company: Organisation, other_company: Organisation
) -> None:
    link = SupplyLinkFactory(buyer=company)

    response = send(rep_client, "patch", f"/supply-links/{link.pk}", {"buyer": other_company.pk})

    assert response.status_code == 403
    link.refresh_from_db()
    assert link.buyer == company


def test_other_organisations_links_are_not_the_representatives(rep_client: Client) -> None:
    link = SupplyLinkFactory(buyer=OrganisationFactory(), share=20)

    response = send(rep_client, "patch", f"/supply-links/{link.pk}", {"share": 99})

    assert response.status_code == 403
    link.refresh_from_db()
    assert link.share == 20
