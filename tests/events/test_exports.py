"""The attendance export (CSV and XLSX) and the feedback CSV: exact contents, operators only."""

import datetime
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from chiptown.events.models import (
    AttendeeType,
    Event,
    Feedback,
    Registration,
    RegistrationStatus,
    Signup,
    SignupStatus,
)
from tests.conftest import client_for
from tests.events.checkin_support import person_registration, seat
from tests.events.factories import SHANGHAI, ClosedDoorWorkshopFactory, RegistrationFactory, SessionFactory, at
from tests.factories import UserFactory

UTC = datetime.UTC


@pytest.fixture
def attendance(event: Event, company: Any) -> dict[str, Any]:
    li = person_registration(event, name_en="Li Wei", organisation=company, email="li.wei@alpha.example")
    bo = RegistrationFactory(
        event=event,
        user=UserFactory(username="bo", first_name="Bo", last_name="Zhang", email="bo@beta.example"),
        attendee_type=AttendeeType.MEDIA,
        status=RegistrationStatus.PENDING,
    )
    Registration.objects.filter(pk=li.pk).update(
        created_at=datetime.datetime(2027, 5, 1, 2, 0, tzinfo=UTC), checked_in_at=at(1, 8, 12)
    )
    Registration.objects.filter(pk=bo.pk).update(created_at=datetime.datetime(2027, 5, 2, 3, 30, tzinfo=UTC))
    workshop = ClosedDoorWorkshopFactory(event=event, title_en="Own chips", starts_at=at(2, 14), ends_at=at(2, 16))
    signup = seat(workshop, li)
    Signup.objects.filter(pk=signup.pk).update(nda_accepted_at=at(1, 7, 0), checked_in_at=at(2, 13, 55))
    seat(workshop, bo, status=SignupStatus.WAITING)  # not a seat: not in the attendance list
    SessionFactory(event=event)  # an open session keeps no list
    return {"li": li, "bo": bo}


REGISTRATIONS_HEADER = ["Name", "Organisation", "Email", "Attendee type", "Status", "Registered at", "Checked in at"]
SESSION_HEADER = ["Session", "Starts at", "Name", "Organisation", "Email", "NDA accepted at", "Attended at"]


def registration_rows(event: Event) -> list[list[str]]:
    # The staff fixture is not used here, so these are all the event's registrations, in order of registering.
    li = ["Li Wei", "Alpha Semiconductor", "li.wei@alpha.example", "General", "Confirmed"]
    bo = ["Bo Zhang", "", "bo@beta.example", "Media", "Awaiting approval"]
    return [[*li, "2027-05-01 10:00", "2027-06-15 08:12"], [*bo, "2027-05-02 11:30", ""]]


SESSION_ROWS = [
    [
        *["Own chips", "2027-06-16 14:00", "Li Wei", "Alpha Semiconductor", "li.wei@alpha.example"],
        *["2027-06-15 07:00", "2027-06-16 13:55"],
    ],
]


def test_attendance_csv_exact_contents(event: Event, attendance: dict[str, Any], operator_client: Client) -> None:
    response = operator_client.get(reverse("events:attendance_export", args=[event.slug, "csv"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="attendance-2027.csv"'
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").split("\r\n")
    expected = [
        ",".join(REGISTRATIONS_HEADER),
        *[",".join(row) for row in registration_rows(event)],
        "",
        ",".join(SESSION_HEADER),
        *[",".join(row) for row in SESSION_ROWS],
        "",
    ]
    assert lines == expected


def test_attendance_xlsx_exact_contents(event: Event, attendance: dict[str, Any], operator_client: Client) -> None:
    response = operator_client.get(reverse("events:attendance_export", args=[event.slug, "xlsx"]))

    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Registrations", "Closed-door attendance"]

    def values(name: str) -> list[list[Any]]:
        return [
            [cell if cell is not None else "" for cell in row] for row in workbook[name].iter_rows(values_only=True)
        ]

    assert values("Registrations") == [REGISTRATIONS_HEADER, *registration_rows(event)]
    assert values("Closed-door attendance") == [SESSION_HEADER, *SESSION_ROWS]


def test_attendance_export_in_chinese(event: Event, attendance: dict[str, Any], operator: Any) -> None:
    operator.language = "zh-hans"
    operator.save()

    response = client_for(operator).get(reverse("events:attendance_export", args=[event.slug, "csv"]))

    # Sessions are named in the reader's language (a person with an English name only keeps it); times stay in
    # the event's zone.
    text = response.content.decode("utf-8-sig")
    workshop_title_zh = Signup.objects.get(status=SignupStatus.CONFIRMED).session.title_zh
    assert f"{workshop_title_zh},2027-06-16 14:00,Li Wei," in text
    assert "Own chips" not in text


def test_bad_format_is_404_and_exports_are_for_operators(
    event: Event, attendance: dict[str, Any], operator_client: Client, staff_client: Client, attendee_client: Client
) -> None:
    assert operator_client.get(reverse("events:attendance_export", args=[event.slug, "pdf"])).status_code == 404
    assert operator_client.get(f"/events/{event.slug}/manage/attendance.csv.exe").status_code == 404
    for client in (staff_client, attendee_client):
        assert client.get(reverse("events:attendance_export", args=[event.slug, "csv"])).status_code == 403
    assert Client().get(reverse("events:attendance_export", args=[event.slug, "csv"])).status_code == 302


def test_empty_event_exports_headers_only(event: Event, operator_client: Client) -> None:
    response = operator_client.get(reverse("events:attendance_export", args=[event.slug, "csv"]))

    assert response.content.decode("utf-8-sig").split("\r\n") == [
        ",".join(REGISTRATIONS_HEADER),
        "",
        ",".join(SESSION_HEADER),
        "",
    ]


def test_feedback_csv_exact_contents_and_anonymous(
    event: Event, attendance: dict[str, Any], operator_client: Client
) -> None:
    keynote = SessionFactory(event=event, title_en="Market outlook", starts_at=at(1, 9), ends_at=at(1, 10))
    answer = Feedback.objects.create(
        session=keynote,
        registration=attendance["li"],
        rating=4,
        content_rating=3,
        speaker_rating=5,
        comment='Great, but "too short"',
    )
    Feedback.objects.filter(pk=answer.pk).update(created_at=datetime.datetime(2027, 6, 15, 10, 30, tzinfo=SHANGHAI))

    response = operator_client.get(reverse("events:feedback_results", args=[event.slug]), {"format": "csv"})

    assert response["Content-Disposition"] == 'attachment; filename="feedback-2027.csv"'
    assert response.content.decode("utf-8-sig").split("\r\n") == [
        "Session,Starts at,Overall,Content,Speakers,Comment,Answered at",
        'Market outlook,2027-06-15 09:00,4,3,5,"Great, but ""too short""",2027-06-15 10:30',
        "",
    ]
    assert "Li Wei" not in response.content.decode("utf-8-sig")
    assert operator_client.get(
        reverse("events:feedback_results", args=[event.slug]), {"format": "xml"}
    ).status_code == (404)
