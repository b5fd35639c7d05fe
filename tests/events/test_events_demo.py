"""The demo conferences: every session type, speakers, registrations, a full salon with its waiting list, a
closed-door workshop with its invitation list, an unpublished change; the services' rules hold on every row; the
same seed gives the same demo; the command leaves an existing demo alone and deletes all of it."""

import datetime
import io
import random
import re
from typing import Any

import pytest
import rules
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from PIL import Image

from chiptown.accounts.models import User
from chiptown.events import demo, selectors, versions
from chiptown.events.badges import badge_url
from chiptown.events.clashes import Slot, programme_clashes
from chiptown.events.models import (
    ACTIVE_SIGNUP_STATUSES,
    AgendaItem,
    AttendeeType,
    Event,
    Feedback,
    Invitation,
    InvitationKind,
    Material,
    ProgrammeVersion,
    Registration,
    RegistrationStatus,
    Session,
    SessionKind,
    SessionSpeaker,
    Signup,
    SignupStatus,
    Speaker,
    SpeakerRole,
    SpeakerStatus,
)
from chiptown.registry import demo as registry_demo
from chiptown.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry() -> None:
    registry_demo.write(registry_demo.generate(1, registry_demo.DEFAULT_SEED))
    registry_demo.demo_users_ensure()


@pytest.fixture
def built(registry: None) -> demo.DemoSummary:
    return demo.build(seed=7)


def _events() -> tuple[Event, Event]:
    upcoming, past = Event.objects.filter(is_demo=True).order_by("-starts_on")
    return upcoming, past


def _check_the_programme(built: demo.DemoSummary) -> None:
    upcoming, _past = _events()
    today = timezone.now().astimezone(upcoming.zone).date()

    assert upcoming.starts_on == today + datetime.timedelta(days=demo.STARTS_IN_DAYS)
    assert upcoming.ends_on == upcoming.starts_on + datetime.timedelta(days=2)
    assert upcoming.slug == str(upcoming.starts_on.year)
    assert "(demo)" in upcoming.name_en and "演示" in upcoming.name_zh
    assert upcoming.venue_en == "E-Town International Convention Centre"
    assert 5 <= upcoming.rooms.count() <= 6 and 4 <= upcoming.tracks.count() <= 5
    sessions = Session.objects.filter(event=upcoming)
    assert 40 <= sessions.count() <= 60
    assert set(sessions.values_list("kind", flat=True)) == set(SessionKind.values)
    assert not sessions.filter(title_zh="").exists() and not sessions.filter(title_en="").exists()
    talks = sessions.exclude(kind=SessionKind.BREAK)
    assert not talks.filter(abstract_zh="").exists() and not talks.filter(abstract_en="").exists()
    for session in sessions.filter(kind=SessionKind.WORKSHOP):
        assert session.closed_door and session.nda_zh and session.nda_en and session.capacity
    assert sessions.filter(kind=SessionKind.SALON, capacity__isnull=False).count() >= 4
    for panel in sessions.filter(kind=SessionKind.PANEL):
        roles = list(panel.session_speakers.values_list("role", flat=True))
        assert roles.count(SpeakerRole.MODERATOR) == 1 and roles.count(SpeakerRole.PANELLIST) >= 3
    # Nobody in two places, no room double-booked, nothing outside the days; one room is knowingly too small.
    slots = [
        Slot(
            session_id=s.pk,
            starts_at=s.starts_at,
            ends_at=s.ends_at,
            room_id=s.room_id,
            room_capacity=s.room.capacity if s.room else None,
            expected_audience=s.expected_audience,
            speaker_ids=tuple(link.speaker_id for link in s.session_speakers.all()),
        )
        for s in sessions.select_related("room").prefetch_related("session_speakers")
    ]
    clashes = programme_clashes(slots, first_day=upcoming.starts_on, last_day=upcoming.ends_on, zone=upcoming.zone)
    assert [clash.kind for clash in clashes] == ["too_small"]
    for session in sessions.filter(capacity__isnull=False).select_related("room"):
        assert session.capacity is not None
        assert session.room is None or session.capacity <= session.room.capacity


def _check_the_published_version_and_the_change_since(built: demo.DemoSummary) -> None:
    upcoming, _past = _events()
    version = ProgrammeVersion.objects.get(event=upcoming)

    assert (version.number, upcoming.programme_version) == (1, 1)
    assert upcoming.programme_published_at == version.published_at < timezone.now()
    assert {change["change"] for change in version.changes} == {"added"}
    assert (
        len(version.changes)
        == len(version.sessions)
        == Session.objects.filter(event=upcoming).exclude(room=None).count()
    )
    # What the publish page shows: one retimed session, nothing else.
    live = selectors.programme_schedule(event=upcoming)
    pending = versions.diff(version.sessions, live)
    assert built.retimed is not None
    assert [(change["session"], change["change"]) for change in pending] == [(built.retimed.pk, "retimed")]
    after = versions.apply(version.sessions, pending)
    assert versions.same(after, live)
    unscheduled = Session.objects.filter(event=upcoming, room__isnull=True)
    assert unscheduled.exists() and not {str(pk) for pk in unscheduled.values_list("pk", flat=True)} & set(live)


def _check_the_speakers(built: demo.DemoSummary) -> None:
    upcoming, _past = _events()
    speakers = Speaker.objects.filter(event=upcoming)

    assert {s.status for s in speakers} == set(SpeakerStatus.values)
    assert not SessionSpeaker.objects.filter(session__event=upcoming).exclude(speaker__event=upcoming).exists()
    assert not SessionSpeaker.objects.filter(speaker__status=SpeakerStatus.DECLINED).exists()
    accepted = speakers.filter(status=SpeakerStatus.ACCEPTED)
    assert accepted.filter(bio_en="").exists() and accepted.filter(photo="").exists()
    assert accepted.exclude(bio_en="").exclude(photo="").exists()
    portrait = accepted.exclude(photo="").first()
    assert portrait is not None and default_storage.exists(portrait.photo.name or "")
    mine = Speaker.objects.get(event=upcoming, person__user__username="speaker")
    assert mine.status == SpeakerStatus.ACCEPTED and mine.bio_en and mine.photo
    talks = Session.objects.filter(session_speakers__speaker=mine)
    assert talks.count() == built.speaker_sessions >= 2
    assert built.speaker_missing_slides == 1
    with_slides = talks.filter(materials__is_slides=True).distinct()
    assert with_slides.count() == 1
    assert with_slides.get().materials.get(is_slides=True).uploaded_by == User.objects.get(username="speaker")
    without_slides = SessionSpeaker.objects.filter(speaker=mine, role=SpeakerRole.SPEAKER).exclude(
        session__in=with_slides
    )
    assert without_slides.count() == 1
    assert Material.objects.filter(session__event=upcoming, is_slides=True).count() > 10


def _check_the_registrations(built: demo.DemoSummary) -> None:
    upcoming, _past = _events()
    registrations = Registration.objects.filter(event=upcoming)

    assert 290 <= registrations.count() <= 310
    assert set(registrations.values_list("attendee_type", flat=True)) == set(AttendeeType.values)
    by_status = dict(registrations.values_list("status").annotate(n=Count("id")))
    assert by_status[RegistrationStatus.PENDING] >= 3 and by_status[RegistrationStatus.CANCELLED] >= 3
    for username, kind in (("attendee", AttendeeType.GENERAL), ("rep", AttendeeType.VIP),
                           ("operator", AttendeeType.STAFF), ("speaker", AttendeeType.SPEAKER)):  # fmt: skip
        registration = registrations.get(user__username=username)
        assert (registration.attendee_type, registration.status) == (kind, RegistrationStatus.CONFIRMED)
    assert rules.has_perm("events.check_in", User.objects.get(username="operator"), upcoming)
    assert not registrations.filter(checked_in_at__isnull=False).exists()
    assert not Feedback.objects.filter(session__event=upcoming).exists()
    assert built.attendee_registration == registrations.get(user__username="attendee")
    agenda = AgendaItem.objects.filter(registration=built.attendee_registration)
    assert agenda.count() == len(demo.ATTENDEE_AGENDA)
    assert AgendaItem.objects.filter(registration__event=upcoming).count() > 100


def _check_the_seats(built: demo.DemoSummary) -> None:
    """What the seat services keep: seats_taken is confirmed plus offered seats, never over capacity; one active
    sign-up per person and session; only confirmed registrations hold places; closed-door places are invited."""
    held = (SignupStatus.CONFIRMED, SignupStatus.OFFERED)
    for session in Session.objects.filter(event__is_demo=True):
        count = session.signups.filter(status__in=held).count()
        assert session.seats_taken == count
        assert count <= session.capacity if session.capacity is not None else not session.signups.exists()
    active = Signup.objects.filter(status__in=ACTIVE_SIGNUP_STATUSES)
    assert not active.values("session", "registration").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert not active.exclude(registration__status=RegistrationStatus.CONFIRMED).exists()
    for signup in active.filter(session__closed_door=True).select_related("session", "registration__user"):
        assert selectors.is_invited(session=signup.session, user=signup.registration.user)
        assert signup.status != SignupStatus.CONFIRMED or signup.nda_accepted_at is not None
    offered = Signup.objects.get(status=SignupStatus.OFFERED)
    assert offered.offered_until is not None and offered.offered_until > timezone.now()
    waiting = offered.session.signups.filter(status=SignupStatus.WAITING).order_by("created_at", "id")
    assert waiting.exists() and all(w.created_at > offered.created_at for w in waiting)


def _check_the_full_salon_and_its_waiting_list(built: demo.DemoSummary) -> None:
    full = built.full_salon
    assert full is not None and full.kind == SessionKind.SALON and full.capacity is not None
    full.refresh_from_db()
    confirmed = full.signups.filter(status=SignupStatus.CONFIRMED)
    waiting = list(full.signups.filter(status=SignupStatus.WAITING).order_by("created_at", "id"))

    assert full.seats_taken == full.capacity == confirmed.count()
    assert len(waiting) == demo.FULL_SALON_WAITING == built.waiting
    times = [w.created_at for w in waiting]
    assert times == sorted(times) and len(set(times)) == len(times)
    assert max(confirmed.values_list("created_at", flat=True)) < times[0]
    assert not full.signups.filter(registration__user__username="attendee").exists()
    free = built.free_salon
    assert free is not None and free.seats_left and not free.signups.filter(status=SignupStatus.WAITING).exists()
    assert not free.signups.filter(registration__user__username="attendee").exists()


def _check_the_closed_door_invitation_list(built: demo.DemoSummary) -> None:
    workshop = built.closed_door
    assert workshop is not None and workshop.closed_door
    rep = User.objects.get(username="rep")
    invitations = Invitation.objects.filter(session=workshop)

    assert set(invitations.values_list("kind", flat=True)) == set(InvitationKind.values)
    assert invitations.filter(kind=InvitationKind.ORGANISATION, organisation=rep.organisation).exists()
    assert selectors.is_invited(session=workshop, user=rep)
    assert not selectors.is_invited(session=workshop, user=User.objects.get(username="attendee"))
    workshop.refresh_from_db()
    assert workshop.seats_left and not workshop.signups.filter(registration__user=rep).exists()
    assert workshop.signups.filter(status=SignupStatus.CONFIRMED, nda_accepted_at__isnull=False).count() >= 5
    assert workshop.materials.filter(is_slides=False).exists()


def _check_last_years_conference(built: demo.DemoSummary) -> None:
    upcoming, past = _events()

    assert past.ends_on < timezone.localdate() and past.starts_on.year == upcoming.starts_on.year - 1
    assert past.programme_version == 2 and past.programme_versions.count() == 2
    moved = ProgrammeVersion.objects.get(event=past, number=2).changes
    assert [change["change"] for change in moved] == ["moved"] and moved[0]["before"] != moved[0]["after"]
    assert 5 <= past.sessions.count() <= 15
    checked_in = past.registrations.filter(checked_in_at__isnull=False)
    assert checked_in.count() == built.checked_in > 50
    assert checked_in.filter(user__username="attendee").exists()
    assert Feedback.objects.filter(session__event=past).count() == built.feedback > 50
    assert Signup.objects.filter(session__event=past, session__closed_door=True, checked_in_at__isnull=False).exists()
    # Feedback comes from people who were there.
    assert not Feedback.objects.filter(session__event=past, registration__checked_in_at__isnull=True).exists()


def _check_everything_is_marked_demo() -> None:
    assert not Event.objects.filter(is_demo=False).exists()
    assert not Session.objects.filter(is_demo=False).exists()
    assert not Speaker.objects.filter(is_demo=False).exists()
    assert not Registration.objects.filter(is_demo=False).exists()


def test_the_demo_has_what_issue_5_asks_for(built: demo.DemoSummary) -> None:
    """One build (a few seconds) checked from every side."""
    _check_the_programme(built)
    _check_the_published_version_and_the_change_since(built)
    _check_the_speakers(built)
    _check_the_registrations(built)
    _check_the_seats(built)
    _check_the_full_salon_and_its_waiting_list(built)
    _check_the_closed_door_invitation_list(built)
    _check_last_years_conference(built)
    _check_everything_is_marked_demo()


def _signature() -> list[Any]:
    sessions = sorted(
        Session.objects.values_list("event__slug", "title_en", "room__name_en", "starts_at", "capacity", "seats_taken"),
        key=str,
    )
    speakers = sorted(
        SessionSpeaker.objects.values_list("session__title_en", "speaker__person_id", "speaker__status", "role"),
        key=str,
    )
    registrations = sorted(
        Registration.objects.values_list("event__slug", "user__username", "attendee_type", "status"), key=str
    )
    signups = sorted(Signup.objects.values_list("session__title_en", "registration__user__username", "status"), key=str)
    invitations = sorted(
        Invitation.objects.values_list("session__title_en", "kind", "person_id", "organisation_id", "role"), key=str
    )
    return [sessions, speakers, registrations, signups, invitations]


def test_a_seed_gives_the_same_demo(built: demo.DemoSummary) -> None:
    first = _signature()

    assert demo.delete_demo() == 2
    demo.build(seed=7)

    assert _signature() == first


def _counts() -> dict[str, int]:
    models: list[Any] = [Event, Session, Speaker, SessionSpeaker, Material, ProgrammeVersion, Registration, Signup,
                         Invitation, AgendaItem, Feedback]  # fmt: skip
    counts = {model.__name__: model.objects.count() for model in models}
    counts["guests"] = User.objects.filter(username__startswith=demo.GUEST_PREFIX).count()
    counts["speaker person"] = Person.objects.filter(user__username="speaker").count()
    return counts


def _expected(make: Any) -> str:
    try:
        return str(make())
    except NoReverseMatch:
        return "(that page is not installed)"


def test_the_command_builds_once_and_deletes_everything(registry: None, capsys: Any) -> None:
    call_command("events_demo", verbosity=0)
    out = capsys.readouterr().out
    upcoming, past = _events()
    attendee = Registration.objects.get(event=upcoming, user__username="attendee")
    files = [
        *Material.objects.values_list("file", flat=True),
        *Speaker.objects.exclude(photo="").values_list("photo", flat=True),
    ]
    counts = _counts()

    assert upcoming.slug in out and past.slug in out
    assert _expected(lambda: reverse("events:programme", args=[upcoming.slug])) in out
    assert _expected(lambda: reverse("events:ical", args=[upcoming.slug])) in out
    assert _expected(lambda: badge_url(attendee)) in out
    call_command("events_demo", "--if-missing", verbosity=0)
    call_command("events_demo", "--if-missing", verbosity=0)
    call_command("events_demo", verbosity=0)
    assert _counts() == counts
    assert "exists already" in capsys.readouterr().out
    assert all(default_storage.exists(name) for name in files)

    call_command("events_demo", "--delete-only", verbosity=0)

    assert set(_counts().values()) == {0}
    assert not any(default_storage.exists(name) for name in files)
    assert User.objects.filter(username__in=["attendee", "rep", "speaker", "operator"]).count() == 4
    assert Person.objects.filter(is_demo=True).count() == registry_demo.demo_counts()["people"] > 0


def test_the_command_without_a_registry_demo_says_what_to_do(db: Any) -> None:
    with pytest.raises(CommandError, match="demo-data"):
        call_command("events_demo", verbosity=0)
    assert not Event.objects.exists()


def test_generated_slides_are_a_well_formed_pdf_and_portraits_a_png() -> None:
    pdf = demo.slides_pdf("AEC-Q100 (qualification) in practice \\ 车规")

    assert pdf.startswith(b"%PDF-1.4\n") and pdf.endswith(b"%%EOF\n")
    xref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))  # type: ignore[union-attr]
    assert pdf[xref:].startswith(b"xref\n")
    offsets = [int(offset) for offset in re.findall(rb"(\d{10}) 00000 n", pdf)]
    assert [pdf[offset:].split(b" ", 1)[0] for offset in offsets] == [b"1", b"2", b"3", b"4", b"5"]
    assert b"(AEC-Q100 \\(qualification\\) in practice \\\\ ??)" in pdf
    image = Image.open(io.BytesIO(demo.portrait_png(random.Random(1))))
    assert (image.format, image.size) == ("PNG", (160, 160))
