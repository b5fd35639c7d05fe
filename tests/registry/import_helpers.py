"""Helpers shared by the import and export tests: build files, run imports, read what the registry holds."""

import csv
import io
from typing import Any

import pytest
from openpyxl import Workbook

from chiptown.core.errors import ChipTownError, Problem
from chiptown.registry.importers import registry_import
from chiptown.registry.models import Organisation, OrganisationRole, Product, Qualification, SupplyLink

ORG_HEADER = [
    "name_zh",
    "name_en",
    "credit_code",
    "country",
    "province",
    "city",
    "address",
    "in_park",
    "size_band",
    "founded_year",
    "website",
    "roles",
]


def csv_bytes(rows: list[list[Any]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[Any]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_import(kind: str, rows: list[list[Any]] | bytes, *, by: Any = None, **options: Any) -> dict[str, Any]:
    data = rows if isinstance(rows, bytes) else csv_bytes(rows)
    return registry_import(kind=kind, data=data, filename=f"{kind}.csv", by=by, **options)


def refused(kind: str, rows: list[list[Any]] | bytes, *, by: Any = None) -> list[Problem]:
    """The problems an import is refused with (the test fails if it is accepted)."""
    with pytest.raises(ChipTownError) as caught:
        run_import(kind, rows, by=by)
    assert caught.value.code in {"import_refused", "unreadable_file"}
    return caught.value.problems


def registry_state() -> dict[str, list[tuple[Any, ...]]]:
    """Everything an import may change, to compare before and after."""
    return {
        "organisations": list(
            Organisation.objects.order_by("id").values_list(
                "id", "name_zh", "name_en", "credit_code", "country", "province", "city", "address", "in_park",
                "size_band", "founded_year", "website", "name_key", "search_text", "updated_at",
            )
        ),
        "roles": list(OrganisationRole.objects.order_by("id").values_list("organisation_id", "role")),
        "products": list(Product.objects.order_by("id").values_list()),
        "qualifications": list(Qualification.objects.order_by("id").values_list()),
        "supply_links": list(SupplyLink.objects.order_by("id").values_list()),
    }  # fmt: skip


def org_row(**values: Any) -> list[Any]:
    row = dict.fromkeys(ORG_HEADER, "")
    row.update(values)
    return [row[c] for c in ORG_HEADER]
