"""Registry export: the import's own columns, so an export imports back with zero changes."""

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from chiptown.registry import exporters
from chiptown.registry.importers import KINDS, registry_import
from chiptown.registry.models import OrganisationRole, SupplyLink
from tests.factories import (
    OrganisationFactory,
    ProductFactory,
    QualificationFactory,
    SupplyLinkFactory,
)
from tests.registry.import_helpers import registry_state

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_chain(company: Any, other_company: Any) -> None:
    """A little of everything, including what is easy to get wrong: foreign names, a '|' in nothing, dates,
    a product made by another organisation than its supplier, a plant certificate, empty shares."""
    foreign = OrganisationFactory(
        name_en="Infineon Technologies", name_zh="", credit_code=None, country="DE", province="", in_park=False
    )
    zh_only = OrganisationFactory(
        name_en="", name_zh="无英文名研究所", credit_code=None, country="CN", founded_year=None
    )
    formula = OrganisationFactory(name_en="=SUM(A1) Holdings", credit_code=None, country="US")
    OrganisationRole.objects.create(organisation=company, role="fabless")
    OrganisationRole.objects.create(organisation=company, role="module")
    OrganisationRole.objects.create(organisation=foreign, role="idm")
    mcu = ProductFactory(organisation=company, part_number="AC100", category_id="control", lifecycle="sampling")
    igbt = ProductFactory(organisation=foreign, part_number="IKW40", category_id="power", name_zh="", process_node="")
    ProductFactory(organisation=zh_only, part_number="R-1", category_id="sensing")
    QualificationFactory(product=mcu, standard="AEC-Q100", level="1", expires_on=None)
    QualificationFactory(
        product=None, organisation=foreign, standard="IATF 16949", level="", issued_on=datetime.date(2022, 2, 2)
    )
    SupplyLinkFactory(supplier=company, buyer=other_company, category_id="control", product=mcu, share="33.33")
    SupplyLinkFactory(supplier=company, buyer=other_company, category_id="power", product=igbt, share=None, since=None)
    SupplyLinkFactory(supplier=foreign, buyer=formula, category_id="power", share=100, since=datetime.date(2020, 1, 1))
    SupplyLinkFactory(supplier=zh_only, buyer=company, category_id="sensing", status="evaluation", share=0)


def export_bytes(kind: str, fmt: str) -> bytes:
    buffer = io.BytesIO()
    if fmt == "csv":
        exporters.write_csv(kind, buffer)
    else:
        exporters.write_xlsx(kind, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_back_with_zero_changes(small_chain: None, fmt: str) -> None:
    files = {kind: export_bytes(kind, fmt) for kind in KINDS}
    before = registry_state()

    results = [
        registry_import(kind=kind, data=files[kind], filename=f"{kind}.{fmt}", by=None, progress=lambda *a: None)
        for kind in KINDS
    ]

    assert [(r["created"], r["updated"]) for r in results] == [(0, 0)] * 4
    assert [r["unchanged"] for r in results] == [5, 3, 2, 4]
    assert registry_state() == before


def test_an_export_rebuilds_an_empty_registry(small_chain: None) -> None:
    files = {kind: export_bytes(kind, "csv") for kind in KINDS}
    before = registry_state()
    SupplyLink.objects.all().delete()
    from chiptown.registry.models import Organisation

    Organisation.objects.all().delete()

    for kind in KINDS:
        registry_import(kind=kind, data=files[kind], filename=kind, by=None)

    after = registry_state()
    assert len(after["organisations"]) == len(before["organisations"])
    assert [row[1:12] for row in after["organisations"]] == [row[1:12] for row in before["organisations"]]
    assert len(after["supply_links"]) == 4
    assert len(after["qualifications"]) == 2


def test_csv_starts_with_a_bom_and_uses_the_import_columns(small_chain: None, company: Any) -> None:
    data = export_bytes("organisations", "csv")

    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "name_zh,name_en,credit_code,country,province,city,address,in_park,size_band,founded_year,website,roles"
    )
    assert (
        lines[1] == f"阿尔法半导体,Alpha Semiconductor,{company.credit_code},CN,北京市,北京,,yes,,2015,,fabless;module"
    )
    links = export_bytes("supply_links", "csv").decode("utf-8-sig").splitlines()
    assert links[0] == "supplier,buyer,category,part_number,product_maker,status,share,since"
    assert links[2].endswith(",power,IKW40,Infineon Technologies|DE,mass_production,,")


def test_xlsx_keeps_text_that_looks_like_a_formula_as_text(small_chain: None) -> None:
    workbook = load_workbook(io.BytesIO(export_bytes("organisations", "xlsx")))
    sheet = workbook.worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]

    assert "=SUM(A1) Holdings" in names
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_the_export_page_streams_csv_and_sends_xlsx(operator_client: Client, small_chain: None) -> None:
    page = operator_client.get(reverse("registry:export"))
    csv_response = operator_client.get(reverse("registry:export"), {"kind": "products", "format": "csv"})
    xlsx_response = operator_client.get(reverse("registry:export"), {"kind": "products", "format": "xlsx"})

    assert page.status_code == 200
    assert "?kind=supply_links&amp;format=xlsx" in page.content.decode()
    assert csv_response.streaming
    body = b"".join(csv_response.streaming_content)  # type: ignore[attr-defined]
    assert (
        body.decode("utf-8-sig").splitlines()[0] == "maker,category,part_number,name_zh,name_en,process_node,lifecycle"
    )
    assert xlsx_response["Content-Type"] == exporters.CONTENT_TYPES["xlsx"]
    assert load_workbook(io.BytesIO(xlsx_response.content)).worksheets[0].max_row == 4
    assert operator_client.get(reverse("registry:export"), {"kind": "people"}).status_code == 404


def test_the_export_command_writes_every_kind(small_chain: None, tmp_path: Path) -> None:
    call_command("export", "all", "--output", str(tmp_path / "out"), stderr=io.StringIO())
    call_command("export", "products", "--format", "xlsx", "--output", str(tmp_path / "p.xlsx"), stderr=io.StringIO())
    out = io.StringIO()
    call_command("export", "qualifications", stdout=out)

    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "organisations.csv",
        "products.csv",
        "qualifications.csv",
        "supply_links.csv",
    ]
    assert (tmp_path / "out" / "products.csv").read_bytes() == export_bytes("products", "csv")
    assert load_workbook(tmp_path / "p.xlsx").worksheets[0].max_row == 4
    assert out.getvalue().lstrip("\ufeff").splitlines()[0].startswith("holder,part_number,standard")
