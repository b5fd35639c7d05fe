"""Operators' exports of the day: attendance (every registration, and who came into each closed-door workshop) as
CSV or XLSX, and the feedback answers as CSV. Labels are in the viewer's language; times in the event's zone.

CSV has no sheets, so the attendance file carries its second part as a second section after an empty line, with its
own header row; the XLSX file has the same two tables on two sheets.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from chiptown.events import selectors
from chiptown.events.models import Event

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
BOM = "\ufeff"  # so that Excel reads the CSV's Chinese as UTF-8


def _local(event: Event, moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment, event.zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def registration_table(*, event: Event) -> tuple[list[str], list[list[Any]]]:
    """One row per registration, in the order people registered."""
    header = [
        _("Name"),
        _("Organisation"),
        _("Email"),
        _("Attendee type"),
        _("Status"),
        _("Registered at"),
        _("Checked in at"),
    ]
    rows = [
        [
            selectors.person_name(registration.user),
            selectors.person_organisation(registration.user),
            registration.user.email,
            registration.get_attendee_type_display(),
            registration.get_status_display(),
            _local(event, registration.created_at),
            _local(event, registration.checked_in_at),
        ]
        for registration in selectors.export_registrations(event=event)
    ]
    return header, rows


def session_attendance_table(*, event: Event) -> tuple[list[str], list[list[Any]]]:
    """One row per confirmed seat in each closed-door workshop: who had a seat, accepted the NDA, came in."""
    header = [
        _("Session"),
        _("Starts at"),
        _("Name"),
        _("Organisation"),
        _("Email"),
        _("NDA accepted at"),
        _("Attended at"),
    ]
    rows = [
        [
            signup.session.display_title,
            _local(event, signup.session.starts_at),
            selectors.person_name(signup.registration.user),
            selectors.person_organisation(signup.registration.user),
            signup.registration.user.email,
            _local(event, signup.nda_accepted_at),
            _local(event, signup.checked_in_at),
        ]
        for signup in selectors.export_session_attendance(event=event)
    ]
    return header, rows


def _csv(tables: Iterable[tuple[list[str], list[list[Any]]]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for index, (header, rows) in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow(header)
        writer.writerows(rows)
    return (BOM + buffer.getvalue()).encode("utf-8")


def attendance_csv(*, event: Event) -> bytes:
    """The registrations, an empty line, then the closed-door attendance (with its own header)."""
    return _csv([registration_table(event=event), session_attendance_table(event=event)])


def attendance_xlsx(*, event: Event) -> bytes:
    """Two sheets: the registrations and the closed-door attendance."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.title = _("Registrations")[:31]
    second = workbook.create_sheet(_("Closed-door attendance")[:31])
    for sheet, (header, rows) in (
        (first, registration_table(event=event)),
        (second, session_attendance_table(event=event)),
    ):
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
        for index, title in enumerate(header, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(12, len(title) + 4)
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()


def attendance_filename(event: Event, fmt: str) -> str:
    return f"attendance-{event.slug}.{fmt}"


def feedback_csv(*, event: Event) -> bytes:
    """Every answer, session by session, without names (the survey is anonymous to whoever reads it)."""
    header = [
        _("Session"),
        _("Starts at"),
        _("Overall"),
        _("Content"),
        _("Speakers"),
        _("Comment"),
        _("Answered at"),
    ]
    rows = [
        [
            answer.session.display_title,
            _local(event, answer.session.starts_at),
            answer.rating,
            answer.content_rating,
            answer.speaker_rating,
            answer.comment,
            _local(event, answer.created_at),
        ]
        for answer in selectors.event_feedback(event=event)
    ]
    return _csv([(header, rows)])
