"""Session files: who may upload and remove them, which files are taken (by extension and content), random stored
names, and the download that checks on every request who is asking (tested by direct URL, as an attacker
would)."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from chiptown.accounts.models import User
from chiptown.core.errors import ChipTownError, PermissionDenied
from chiptown.core.models import AuditEntry
from chiptown.events.models import Event, Material, SpeakerStatus
from chiptown.events.services import speakers as services
from tests.conftest import client_for
from tests.events.factories import ClosedDoorWorkshopFactory, EventFactory, SessionFactory
from tests.events.speakers_support import (
    OLE2_BYTES,
    PDF_BYTES,
    audit_actions,
    material_for,
    office_bytes,
    pdf,
    publish,
    seated,
    speaker_at,
    upload,
    zip_bytes,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def material_rows() -> list[tuple[Any, ...]]:
    return list(Material.objects.order_by("pk").values_list("pk", "session_id", "title", "file", "is_slides"))


def download_url(material: Material) -> str:
    return reverse("events:material", args=[material.session.event.slug, material.pk])


# --- Uploads -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("Keynote.PDF", PDF_BYTES, "application/pdf"),
        (
            "deck.pptx",
            office_bytes("ppt/"),
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        ("old deck.ppt", OLE2_BYTES, "application/vnd.ms-powerpoint"),
        ("talk.key", zip_bytes(), "application/vnd.apple.keynote"),
        ("code.zip", zip_bytes(), "application/zip"),
        (
            "paper.docx",
            office_bytes("word/"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("figures.xlsx", office_bytes("xl/"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_a_session_speaker_uploads_every_accepted_kind_under_a_random_name(
    event: Event, name: str, content: bytes, content_type: str
) -> None:
    session = SessionFactory(event=event)
    speaker = speaker_at(event, session)

    material = services.material_upload(
        session=session, title=" Market outlook ", file=upload(name, content), is_slides=True, by=speaker.person.user
    )

    material.refresh_from_db()
    extension = name.rsplit(".", 1)[1].lower()
    assert (material.session, material.title, material.is_slides) == (session, "Market outlook", True)
    assert material.uploaded_by == speaker.person.user
    assert material.file.name.startswith("materials/") and material.file.name.endswith(f".{extension}")
    assert len(material.file.name) == len("materials/") + 32 + len(extension) + 1
    with material.file.open("rb") as stored:
        assert stored.read() == content
    assert services.material_content_type(material) == content_type
    entry = AuditEntry.objects.get(action="material.upload")
    assert entry.after is not None and entry.after["file"] == material.file.name


def test_operators_upload_too_and_moderators_are_speakers_of_their_session(event: Event, operator: User) -> None:
    session = SessionFactory(event=event)
    moderator = speaker_at(event, session, role="moderator")

    services.material_upload(session=session, title="Agenda", file=pdf(), is_slides=False, by=operator)
    services.material_upload(session=session, title="Notes", file=pdf(), is_slides=False, by=moderator.person.user)

    assert Material.objects.filter(session=session).count() == 2


@pytest.mark.parametrize("who", ["stranger", "other_speaker", "declined_speaker", "attendee"])
def test_nobody_else_uploads_and_nothing_changes(
    who: str, event: Event, request: pytest.FixtureRequest, attendee_registration: Any
) -> None:
    session = SessionFactory(event=event)
    users = {
        "stranger": lambda: request.getfixturevalue("stranger"),
        "other_speaker": lambda: speaker_at(event, SessionFactory(event=event)).person.user,
        "declined_speaker": lambda: speaker_at(event, session, status=SpeakerStatus.DECLINED).person.user,
        "attendee": lambda: attendee_registration.user,
    }
    user = users[who]()

    with pytest.raises(PermissionDenied):
        services.material_upload(session=session, title="Slides", file=pdf(), is_slides=True, by=user)

    assert (material_rows(), audit_actions()) == ([], [])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ\x90\x00"),
        ("slides.pdf", zip_bytes()),  # a ZIP named .pdf
        ("slides.pptx", zip_bytes()),  # a ZIP that is no PowerPoint file
        ("slides.docx", office_bytes("ppt/")),  # a PowerPoint file named .docx
        ("slides.ppt", PDF_BYTES),
        ("page.html", b"<html><script>alert(1)</script>"),
        ("slides", PDF_BYTES),  # no extension
        ("empty.pdf", b""),
    ],
)
def test_files_of_the_wrong_kind_are_refused_and_change_nothing(event: Event, name: str, content: bytes) -> None:
    session = SessionFactory(event=event)
    speaker = speaker_at(event, session)

    with pytest.raises(ChipTownError) as caught:
        services.material_upload(
            session=session, title="Slides", file=upload(name, content), is_slides=True, by=speaker.person.user
        )

    assert caught.value.status == 400
    assert [p.column for p in caught.value.problems] == ["file"]
    assert (material_rows(), audit_actions()) == ([], [])


def test_a_file_over_50_mb_and_a_missing_title_are_refused(event: Event) -> None:
    session = SessionFactory(event=event)
    speaker = speaker_at(event, session)
    big = pdf()
    big.size = 50 * 1024 * 1024 + 1

    with pytest.raises(ChipTownError) as caught:
        services.material_upload(session=session, title="  ", file=big, is_slides=True, by=speaker.person.user)

    assert {(p.column, p.reason) for p in caught.value.problems} == {
        ("title", "Give the file a title."),
        ("file", "A file may be at most 50 MB."),
    }
    assert material_rows() == []


@given(head=st.binary(min_size=0, max_size=16), extension=st.sampled_from([*services.MATERIAL_TYPES, "exe", "html"]))
def test_only_the_right_first_bytes_pass_for_an_extension(head: bytes, extension: str) -> None:
    found = services.material_extension(f"file.{extension}", head)
    signatures = {
        "pdf": (b"%PDF-",),
        "ppt": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    }.get(extension, (b"PK\x03\x04", b"PK\x05\x06"))
    expected = extension in services.MATERIAL_TYPES and head.startswith(signatures)
    assert found == (extension if expected else None)


def test_a_speaker_removes_a_file_and_the_stored_file_goes(
    event: Event, django_capture_on_commit_callbacks: Any
) -> None:
    session = SessionFactory(event=event)
    speaker = speaker_at(event, session)
    material = material_for(session)
    stored = material.file.name

    with django_capture_on_commit_callbacks(execute=True):
        services.material_delete(material=material, by=speaker.person.user)

    assert material_rows() == []
    assert not material.file.storage.exists(stored)
    entry = AuditEntry.objects.get(action="material.delete")
    assert entry.before is not None and entry.before["file"] == stored


def test_nobody_else_removes_a_file(event: Event, stranger: User) -> None:
    session = SessionFactory(event=event)
    material = material_for(session)
    other = speaker_at(event, SessionFactory(event=event)).person.user
    rows = material_rows()

    for user in (stranger, other):
        with pytest.raises(PermissionDenied):
            services.material_delete(material=material, by=user)

    assert material_rows() == rows
    assert material.file.storage.exists(material.file.name)


def test_the_filename_of_a_download_is_the_title_without_unsafe_characters(event: Event) -> None:
    material = material_for(SessionFactory(event=event))
    material.title = 'Q3 / "outlook": <final>'

    assert services.material_filename(material) == "Q3 outlook final.pdf"


# --- Downloads of a closed-door workshop's files -----------------------------------------------------------------


@pytest.fixture
def workshop(event: Event) -> Any:
    return ClosedDoorWorkshopFactory(event=event)


@pytest.fixture
def secret(workshop: Any) -> Material:
    material = material_for(workshop, content=PDF_BYTES + b"% the secret roadmap")
    publish(workshop.event, workshop)  # published or not, a closed door stays closed
    return material


def assert_no_file(response: Any) -> None:
    assert not getattr(response, "streaming", False)
    assert b"secret roadmap" not in response.content
    assert "attachment" not in response.get("Content-Disposition", "")


def test_admitted_people_get_the_file_as_an_attachment(secret: Material, workshop: Any, operator: User) -> None:
    speaker = speaker_at(workshop.event, workshop).person.user
    participant = seated(workshop, nda=True)

    for user in (operator, speaker, participant):
        response = client_for(user).get(download_url(secret))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES + b"% the secret roadmap"
        assert response["Content-Disposition"] == 'attachment; filename="Keynote slides.pdf"'
        assert response["Content-Type"] == "application/pdf"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]


def test_a_seated_participant_who_has_not_accepted_the_nda_gets_nothing(secret: Material, workshop: Any) -> None:
    participant = seated(workshop, nda=False)

    response = client_for(participant).get(download_url(secret))

    assert response.status_code == 403
    assert_no_file(response)


def test_a_seat_without_an_invitation_gets_nothing(secret: Material, workshop: Any) -> None:
    gatecrasher = seated(workshop, nda=True, invited=False)

    response = client_for(gatecrasher).get(download_url(secret))

    assert response.status_code == 403
    assert_no_file(response)


def test_a_registered_attendee_a_stranger_and_a_speaker_of_another_session_get_nothing(
    secret: Material, attendee_client: Client, stranger: User, workshop: Any
) -> None:
    elsewhere = speaker_at(workshop.event, SessionFactory(event=workshop.event)).person.user

    for client in (attendee_client, client_for(stranger), client_for(elsewhere)):
        response = client.get(download_url(secret))
        assert response.status_code == 403
        assert_no_file(response)


def test_an_anonymous_visitor_is_sent_to_log_in(secret: Material) -> None:
    url = download_url(secret)

    response = Client().get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={url}"
    assert_no_file(response)


def test_a_file_is_only_found_under_its_own_event(secret: Material, operator: User) -> None:
    other = EventFactory()

    response = client_for(operator).get(reverse("events:material", args=[other.slug, secret.pk]))

    assert response.status_code == 404


def test_the_check_runs_on_every_request(secret: Material, workshop: Any) -> None:
    participant = seated(workshop, nda=True)
    client = client_for(participant)
    assert client.get(download_url(secret)).status_code == 200

    workshop.invitations.all().delete()  # taken off the invitation list

    response = client.get(download_url(secret))
    assert response.status_code == 403
    assert_no_file(response)


def test_the_file_is_never_under_a_public_media_address(secret: Material) -> None:
    response = Client().get("/media/" + secret.file.name)

    assert response.status_code == 404


# --- Downloads of an open session's files ------------------------------------------------------------------------


def test_an_open_sessions_file_is_for_everyone_once_the_programme_is_published(event: Event, stranger: User) -> None:
    keynote = SessionFactory(event=event)
    material = material_for(keynote)
    speaker = speaker_at(event, keynote).person.user

    assert client_for(speaker).get(download_url(material)).status_code == 200
    assert client_for(stranger).get(download_url(material)).status_code == 403
    assert Client().get(download_url(material)).status_code == 302

    publish(event, keynote)

    for client in (Client(), client_for(stranger)):
        response = client.get(download_url(material))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES


def test_an_open_session_left_out_of_the_published_programme_keeps_its_files(event: Event, stranger: User) -> None:
    draft = SessionFactory(event=event)
    material = material_for(draft)
    publish(event, SessionFactory(event=event))

    response = client_for(stranger).get(download_url(material))

    assert response.status_code == 403
    assert_no_file(response)


def test_operators_open_any_file(event: Event, operator: User) -> None:
    material = material_for(SessionFactory(event=event))

    assert client_for(operator).get(download_url(material)).status_code == 200


def test_posting_to_the_download_address_is_refused(event: Event, operator: User) -> None:
    material = material_for(SessionFactory(event=event))

    assert client_for(operator).post(download_url(material)).status_code == 405


def test_accounts_without_a_person_never_count_as_speakers(event: Event) -> None:
    lone = UserFactory(role="speaker")
    material = material_for(SessionFactory(event=event))

    assert client_for(lone).get(download_url(material)).status_code == 403


def test_an_invited_person_without_a_seat_gets_nothing(secret: Material, workshop: Any) -> None:
    from chiptown.events.models import Invitation, InvitationKind
    from tests.factories import PersonFactory

    person = PersonFactory(user=UserFactory())
    Invitation.objects.create(session=workshop, kind=InvitationKind.PERSON, person=person)

    response = client_for(person.user).get(download_url(secret))

    assert response.status_code == 403
    assert_no_file(response)
