"""Live figures for operators: registered by status and type, checked in, per session; the arrivals chart."""

import datetime
import itertools
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from chiptown.accounts.models import User
from chiptown.events import arrivals, selectors
from chiptown.events.models import (
    AttendeeType,
    Event,
    Feedback,
    Registration,
    RegistrationStatus,
    SessionKind,
    SignupStatus,
)
from tests.events.checkin_support import seat
from tests.events.factories import (
    SHANGHAI,
    ClosedDoorWorkshopFactory,
    RegistrationFactory,
    SessionFactory,
    WorkshopFactory,
    at,
)

HTMX = {"HTTP_HX_REQUEST": "true"}


def fill(event: Event, *, scale: int = 1) -> dict[str, Any]:
    """Registrations of every status and a few types, some checked in; a salon, a closed-door workshop and a
    keynote with seats, waiting lists, attendance and feedback. `scale` multiplies the people."""
    confirmed = [RegistrationFactory(event=event) for _ in range(4 * scale)]
    vips = [RegistrationFactory(event=event, attendee_type=AttendeeType.VIP) for _ in range(2 * scale)]
    for status in (RegistrationStatus.PENDING, RegistrationStatus.CANCELLED, RegistrationStatus.REJECTED):
        RegistrationFactory(event=event, status=status)
    first_arrival = at(1, 8, 5)
    for n, registration in enumerate([*confirmed[: 2 * scale], vips[0]]):
        Registration.objects.filter(pk=registration.pk).update(
            checked_in_at=first_arrival + datetime.timedelta(minutes=20 * n)
        )
    keynote = SessionFactory(event=event, title_en="Market outlook", starts_at=at(1, 9), ends_at=at(1, 10))
    salon = WorkshopFactory(event=event, title_en="Chiplets salon", capacity=3)
    for registration in confirmed[:3]:
        seat(salon, registration)
    seat(salon, confirmed[3], status=SignupStatus.OFFERED)
    seat(salon, vips[0], status=SignupStatus.WAITING)
    workshop = ClosedDoorWorkshopFactory(event=event, title_en="Own chips")
    for n, registration in enumerate(confirmed[:2]):
        signup = seat(workshop, registration)
        if n == 0:
            signup.checked_in_at = timezone.now()
            signup.save()
    SessionFactory(event=event, kind=SessionKind.BREAK, title_en="Coffee")
    Feedback.objects.create(session=keynote, registration=confirmed[0], rating=4, content_rating=3, speaker_rating=5)
    Feedback.objects.create(session=keynote, registration=confirmed[1], rating=5, content_rating=4, speaker_rating=5)
    return {"keynote": keynote, "salon": salon, "workshop": workshop}


def test_event_figures(event: Event, staff: User) -> None:
    sessions = fill(event)

    figures = selectors.event_figures(event=event)

    # 4 general + 2 VIP + the staff member confirmed; one each pending, cancelled, rejected
    assert figures.by_status == {"pending": 1, "confirmed": 7, "rejected": 1, "cancelled": 1}
    assert figures.registered == 10
    assert figures.checked_in == 3
    assert figures.checked_in_percent == round(100 * 3 / 7)
    by_type = {t.attendee_type: t for t in figures.types}
    assert by_type["general"].by_status["confirmed"] == 4 and by_type["general"].checked_in == 2
    assert by_type["vip"].by_status["confirmed"] == 2 and by_type["vip"].checked_in == 1
    assert by_type["staff"].by_status["confirmed"] == 1
    rows = {row.session.title_en: row for row in figures.sessions}
    assert "Coffee" not in rows
    salon = rows["Chiplets salon"]
    assert (salon.confirmed, salon.waiting, salon.offered, salon.attended) == (3, 1, 1, 0)
    workshop = rows["Own chips"]
    assert (workshop.confirmed, workshop.attended) == (2, 1)
    keynote = rows["Market outlook"]
    assert (keynote.feedback_count, keynote.feedback_average) == (2, 4.5)
    assert rows["Chiplets salon"].feedback_average is None
    assert sessions["keynote"].pk == keynote.session.pk


def test_cancelled_persons_old_check_in_is_not_counted(event: Event) -> None:
    gone = RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    Registration.objects.filter(pk=gone.pk).update(checked_in_at=timezone.now())

    assert selectors.event_figures(event=event).checked_in == 0
    assert selectors.checkin_totals(event=event).checked_in == 0


def test_figures_page_polls_its_fragment_and_draws_arrivals(event: Event, operator_client: Client) -> None:
    fill(event)
    url = reverse("events:figures", args=[event.slug])

    page = operator_client.get(url).content.decode()
    fragment = operator_client.get(url, **HTMX).content.decode()

    assert "<html" in page and "<html" not in fragment
    assert 'hx-trigger="every 10s"' in fragment
    assert "Own chips" in fragment and "Chiplets salon" in fragment
    assert "<svg" in fragment and fragment.count('class="bar"') == 4  # 08:00-09:00 in quarter hours
    assert "3 arrivals on 2027-06-15" in fragment
    assert "style=" not in page and "<script>" not in page
    assert reverse("events:attendance_export", args=[event.slug, "csv"]) in page


def test_figures_chart_day_can_be_chosen(event: Event, operator_client: Client) -> None:
    for day, hour in ((1, 9), (2, 10)):
        registration = RegistrationFactory(event=event)
        Registration.objects.filter(pk=registration.pk).update(checked_in_at=at(day, hour, 7))
    url = reverse("events:figures", args=[event.slug])

    latest = operator_client.get(url, **HTMX).content.decode()
    first = operator_client.get(url, {"day": "2027-06-15"}, **HTMX).content.decode()
    nonsense = operator_client.get(url, {"day": "tomorrow"}, **HTMX).content.decode()

    assert "1 arrival on 2027-06-16" in latest
    assert "1 arrival on 2027-06-15" in first and "?day=2027-06-15" in first
    assert "1 arrival on 2027-06-16" in nonsense


def test_figures_without_check_ins(event: Event, operator_client: Client) -> None:
    html = operator_client.get(reverse("events:figures", args=[event.slug])).content.decode()

    assert "Nobody has checked in yet." in html


@pytest.mark.parametrize("who", ["staff_client", "attendee_client", "rep_client"])
def test_figures_are_for_operators_only(event: Event, who: str, request: pytest.FixtureRequest) -> None:
    client = request.getfixturevalue(who)

    assert client.get(reverse("events:figures", args=[event.slug])).status_code == 403


@pytest.mark.parametrize("scale", [1, 6])
def test_figures_cost_constant_queries(
    event: Event, operator_client: Client, django_assert_max_num_queries: Any, scale: int
) -> None:
    fill(event, scale=scale)
    for n in range(scale):
        WorkshopFactory(event=event, title_en=f"Extra salon {n}")

    # session, user, event, check-in times, registrations by type and status, sessions with counts, feedback
    with django_assert_max_num_queries(7):
        response = operator_client.get(reverse("events:figures", args=[event.slug]), **HTMX)

    assert response.status_code == 200


# --- The arrivals chart (pure) ------------------------------------------------------------------------------------


DAY = datetime.date(2027, 6, 15)


def test_arrivals_per_quarter_hour_keep_quiet_slots() -> None:
    times = [at(1, 8, 1), at(1, 8, 14), at(1, 9, 50), at(2, 8, 0)]

    slots = arrivals.arrivals_per_slot(times, zone=SHANGHAI, day=DAY)

    assert [(s.starts_at.strftime("%H:%M"), s.count) for s in slots] == [
        ("08:00", 2),
        ("08:15", 0),
        ("08:30", 0),
        ("08:45", 0),
        ("09:00", 0),
        ("09:15", 0),
        ("09:30", 0),
        ("09:45", 1),
    ]
    assert arrivals.arrival_days(times, zone=SHANGHAI) == [DAY, DAY + datetime.timedelta(days=1)]
    assert arrivals.arrivals_chart([], zone=SHANGHAI, day=DAY) is None


def test_arrivals_use_the_events_zone() -> None:
    # 23:30 UTC on the 14th is 07:30 on the 15th in Shanghai.
    utc_time = datetime.datetime(2027, 6, 14, 23, 30, tzinfo=datetime.UTC)

    slots = arrivals.arrivals_per_slot([utc_time], zone=SHANGHAI, day=DAY)

    assert slots[2].starts_at.strftime("%H:%M") == "07:30" and slots[2].count == 1


@given(
    st.lists(
        st.datetimes(
            min_value=datetime.datetime(2027, 6, 14, 12),
            max_value=datetime.datetime(2027, 6, 16, 12),
            timezones=st.just(SHANGHAI),
        ),
        max_size=200,
    )
)
def test_arrivals_chart_accounts_for_every_arrival_of_the_day(times: list[datetime.datetime]) -> None:
    on_day = [t for t in times if t.astimezone(SHANGHAI).date() == DAY]

    chart = arrivals.arrivals_chart(times, zone=SHANGHAI, day=DAY)

    if not on_day:
        assert chart is None
        return
    assert chart is not None
    assert chart.total == len(on_day)
    starts = [slot.starts_at for slot in chart.slots]
    assert all(b - a == datetime.timedelta(minutes=15) for a, b in itertools.pairwise(starts))
    assert starts[0].minute == 0 and len(starts) % 4 == 0
    assert starts[0] <= min(on_day) and max(on_day) < starts[-1] + datetime.timedelta(minutes=15)
    plot_height = arrivals.HEIGHT - arrivals.BOTTOM - arrivals.TOP
    for bar in chart.bars:
        assert 0 <= bar.height <= plot_height + 0.01
        assert abs(bar.y + bar.height - chart.baseline) < 0.02
        assert bar.x >= arrivals.LEFT and bar.x + bar.width <= arrivals.WIDTH + 0.01
    assert max(bar.height for bar in chart.bars) == pytest.approx(plot_height, abs=0.01)
    assert chart.count_ticks[0].label == "0" and int(chart.count_ticks[-1].label) <= chart.peak
