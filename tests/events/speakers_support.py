"""What the speaker and material tests share: files of every accepted kind (and some that are not), a speaker
put down for a session, a closed-door participant with or without the NDA, and a published programme."""

import io
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from chiptown.accounts.models import User
from chiptown.core.models import AuditEntry
from chiptown.events.models import (
    Event,
    Invitation,
    InvitationKind,
    Material,
    ProgrammeVersion,
    Session,
    SessionSpeaker,
    Signup,
    SignupStatus,
    Speaker,
    SpeakerRole,
    SpeakerStatus,
)
from tests.events.factories import RegistrationFactory, SpeakerFactory
from tests.factories import PersonFactory, UserFactory

PDF_BYTES = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
OLE2_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def pdf(name: str = "slides.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def office_bytes(folder: str) -> bytes:
    """A minimal Office Open XML package: [Content_Types].xml and a part in the format's own folder."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<doc/>")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "notes")
    return buffer.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (40, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def photo(name: str = "me.png", kind: str = "PNG") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(kind), content_type="image/png")


def speaker_at(
    event: Event,
    session: Session | None = None,
    *,
    role: str = SpeakerRole.SPEAKER,
    status: str = SpeakerStatus.ACCEPTED,
    user: User | None = None,
    **overrides: Any,
) -> Speaker:
    """A speaker of the event (invited a while ago), put down for `session` if given."""
    values: dict[str, Any] = {"event": event, "status": status, "invited_at": timezone.now(), **overrides}
    if user is not None:
        values["person"] = PersonFactory(user=user)
    speaker = SpeakerFactory(**values)
    if session is not None:
        SessionSpeaker.objects.create(session=session, speaker=speaker, role=role)
    return speaker


def complete(speaker: Speaker) -> Speaker:
    """Give a speaker everything but slides: both biographies and a photo."""
    speaker.bio_zh = "二十年车规芯片经验。"
    speaker.bio_en = "Twenty years of automotive chips."
    speaker.photo.save("x.png", io.BytesIO(image_bytes()), save=False)
    speaker.save()
    return speaker


def material_for(session: Session, *, is_slides: bool = True, content: bytes = PDF_BYTES) -> Material:
    material = Material(session=session, title="Keynote slides", is_slides=is_slides)
    material.file.save("0123456789abcdef.pdf", io.BytesIO(content), save=False)
    material.save()
    return material


def seated(session: Session, *, nda: bool, invited: bool = True, user: User | None = None) -> User:
    """A registered person with a confirmed seat in the session, invited by name (or not), NDA accepted (or not)."""
    person = PersonFactory(user=user or UserFactory(role="attendee"))
    assert person.user is not None
    registration = RegistrationFactory(event=session.event, user=person.user)
    Signup.objects.create(
        session=session,
        registration=registration,
        status=SignupStatus.CONFIRMED,
        confirmed_at=timezone.now(),
        nda_accepted_at=timezone.now() if nda else None,
    )
    if invited:
        Invitation.objects.create(session=session, kind=InvitationKind.PERSON, person=person)
    return person.user


def publish(event: Event, *sessions: Session) -> ProgrammeVersion:
    """A published programme version holding these sessions (as part A's publishing would write it)."""
    number = event.programme_version + 1
    version = ProgrammeVersion.objects.create(
        event=event,
        number=number,
        sessions={str(s.pk): {"title_en": s.title_en, "closed_door": s.closed_door} for s in sessions},
    )
    event.programme_version = number
    event.programme_published_at = timezone.now()
    event.save(update_fields=["programme_version", "programme_published_at"])
    return version


def audit_actions() -> list[str]:
    return list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
