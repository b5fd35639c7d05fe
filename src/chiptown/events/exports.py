"""Operators' exports of the day: attendance (every registration, and who came into each closed-door workshop) as
CSV or XLSX, and the feedback answers as CSV. Labels are in the viewer's language; times in the event's zone.

CSV has no sheets, so the attendance file carries its second part as a second section after an empty line, with its
own header row; the XLSX file has the same two tables on two sheets.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from chiptown.core.spreadsheets import csv_bytes, xlsx_bytes
from chiptown.events import selectors
from chiptown.events.models import Event

FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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


def attendance_csv(*, event: Event) -> bytes:
    """The registrations, an empty line, then the closed-door attendance (with its own header)."""
    return csv_bytes([registration_table(event=event), session_attendance_table(event=event)])


def attendance_xlsx(*, event: Event) -> bytes:
    """Two sheets: the registrations and the closed-door attendance."""
    return xlsx_bytes(
        [
            (_("Registrations"), *registration_table(event=event)),
            (_("Closed-door attendance"), *session_attendance_table(event=event)),
        ],
        min_width=12,
    )


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
    return csv_bytes([(header, rows)])
