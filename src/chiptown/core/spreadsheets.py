"""Tables as downloadable files, written the same way by every export: CSV with a byte-order mark (so that Excel
reads Chinese as UTF-8) and XLSX with a bold, frozen header row. Streaming exports of the whole registry have their
own writer (registry/exporters.py), which yields the file in pieces."""

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

BOM = "\ufeff"

Table = tuple[Sequence[str], Iterable[Sequence[Any]]]  # header, rows


def csv_bytes(tables: Iterable[Table]) -> bytes:
    """One CSV file; a second table follows the first after an empty line, with its own header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, (header, rows) in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow(header)
        writer.writerows(rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]], *, min_width: int = 10) -> bytes:
    """One workbook with a sheet per (title, header, rows); columns at least `min_width` characters wide."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    default = workbook.active
    assert default is not None
    workbook.remove(default)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title[:31])  # Excel's limit on sheet names
        sheet.append(list(header))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        sheet.freeze_panes = "A2"
        for index, name in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(min_width, len(name) + 4)
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()
