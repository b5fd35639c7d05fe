"""Registry export: the registry's rows in exactly the columns an import reads, as CSV (UTF-8 with a BOM, so Excel
shows Chinese correctly) or XLSX, and the downloadable import templates.

An export imports back with zero changes: organisations are written as their credit code, or name|country when
they have none; dates as YYYY-MM-DD; yes/no for in_park.
"""

import csv
import datetime
import io
from collections import defaultdict
from collections.abc import Iterator
from decimal import Decimal
from typing import IO, Any

from chiptown.registry.importers import COLUMNS, KINDS
from chiptown.registry.models import Organisation, OrganisationRole, Product, Qualification, SupplyLink

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
CHUNK = 5000


def header(kind: str) -> list[str]:
    return [c.name for c in COLUMNS[kind]]


def _organisation_refs() -> dict[int, str]:
    """How a file names each organisation: its credit code, or name|country."""
    return {
        pk: code or f"{name_en or name_zh}|{country}"
        for pk, code, name_en, name_zh, country in Organisation.objects.values_list(
            "id", "credit_code", "name_en", "name_zh", "country"
        ).iterator(chunk_size=CHUNK)
    }


def _organisation_rows() -> Iterator[list[Any]]:
    roles: dict[int, list[str]] = defaultdict(list)
    for pk, role in OrganisationRole.objects.order_by("organisation_id", "role").values_list("organisation_id", "role"):
        roles[pk].append(role)
    fields = ("name_zh", "name_en", "credit_code", "country", "province", "city", "address", "in_park")
    rows = Organisation.objects.order_by("id").values_list("id", *fields, "size_band", "founded_year", "website")
    for pk, *values, size_band, founded_year, website in rows.iterator(chunk_size=CHUNK):
        yield [*values, size_band, founded_year, website, ";".join(roles.get(pk, []))]


def _product_rows() -> Iterator[list[Any]]:
    refs = _organisation_refs()
    rows = Product.objects.order_by("id").values_list(
        "organisation_id", "category_id", "part_number", "name_zh", "name_en", "process_node", "lifecycle"
    )
    for maker, *values in rows.iterator(chunk_size=CHUNK):
        yield [refs[maker], *values]


def _qualification_rows() -> Iterator[list[Any]]:
    refs = _organisation_refs()
    rows = Qualification.objects.order_by("id").values_list(
        "organisation_id",
        "product__organisation_id",
        "product__part_number",
        "standard",
        "level",
        "issuer",
        "certificate_number",
        "issued_on",
        "expires_on",
    )
    for organisation, maker, part_number, *values in rows.iterator(chunk_size=CHUNK):
        yield [refs[organisation or maker], part_number or "", *values]


def _supply_link_rows() -> Iterator[list[Any]]:
    refs = _organisation_refs()
    rows = SupplyLink.objects.order_by("id").values_list(
        "supplier_id",
        "buyer_id",
        "category_id",
        "product__part_number",
        "product__organisation_id",
        "status",
        "share",
        "since",
    )
    for supplier, buyer, category, part_number, maker, status, share, since in rows.iterator(chunk_size=CHUNK):
        product_maker = refs[maker] if maker is not None and maker != supplier else ""
        yield [refs[supplier], refs[buyer], category, part_number or "", product_maker, status, share, since]


ROWS = {
    "organisations": _organisation_rows,
    "products": _product_rows,
    "qualifications": _qualification_rows,
    "supply_links": _supply_link_rows,
}


def rows(kind: str) -> Iterator[list[Any]]:
    """The registry's rows of one kind, in the import's column order, with typed values."""
    if kind not in KINDS:
        raise ValueError(kind)
    return ROWS[kind]()


def cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def csv_chunks(kind: str, *, source: Iterator[list[Any]] | None = None) -> Iterator[bytes]:
    """A CSV file in pieces for a streaming response: a BOM, the header, then about 1,000 rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header(kind))
    yield b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for count, row in enumerate(source if source is not None else rows(kind), start=1):
        writer.writerow([cell_text(v) for v in row])
        if count % 1000 == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def write_csv(kind: str, target: IO[bytes], *, source: Iterator[list[Any]] | None = None) -> None:
    for chunk in csv_chunks(kind, source=source):
        target.write(chunk)


def _xlsx_cell(sheet: Any, value: Any) -> Any:
    """Dates and numbers as typed cells; text as text even when it starts with '=' (never a formula)."""
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, int | float | datetime.date):
        if isinstance(value, datetime.date):
            cell = WriteOnlyCell(sheet, value=datetime.datetime(value.year, value.month, value.day))
            cell.number_format = "yyyy-mm-dd"
            return cell
        return value
    text = str(value)
    if text.startswith("="):
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def write_xlsx(kind: str, target: IO[bytes], *, source: Iterator[list[Any]] | None = None, notes: bool = False) -> None:
    """An XLSX workbook in openpyxl's write-only mode (rows streamed, not kept), its first sheet the data."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(kind)
    sheet.append(header(kind))
    for row in source if source is not None else rows(kind):
        sheet.append([_xlsx_cell(sheet, v) for v in row])
    if notes:
        from django.utils.translation import gettext as _

        help_sheet = workbook.create_sheet(_("columns"))
        help_sheet.append([_("column"), _("also accepted"), _("what it holds")])
        for column in COLUMNS[kind]:
            help_sheet.append([column.name, " / ".join(column.aliases), str(column.help)])
    workbook.save(target)


def template_rows(kind: str) -> list[list[str]]:
    """The example rows of a template: one per example value the columns give."""
    columns = COLUMNS[kind]
    count = max(len(c.examples) for c in columns)
    return [[c.examples[i] if i < len(c.examples) else "" for c in columns] for i in range(count)]


def template_bytes(kind: str, fmt: str) -> bytes:
    """A downloadable import template: the header and example rows (and, in XLSX, a sheet describing columns)."""
    buffer = io.BytesIO()
    if fmt == "csv":
        write_csv(kind, buffer, source=iter(template_rows(kind)))
    elif fmt == "xlsx":
        write_xlsx(kind, buffer, source=iter(template_rows(kind)), notes=True)
    else:
        raise ValueError(fmt)
    return buffer.getvalue()


def export_filename(kind: str, fmt: str, *, template: bool = False) -> str:
    stamp = datetime.date.today().isoformat()
    return f"chiptown-{kind}-template.{fmt}" if template else f"chiptown-{kind}-{stamp}.{fmt}"
