"""Speakers and their session materials: inviting a registry person to speak (with an account if they have none),
their answer, their own biography and photo, reminders of what they still owe, and the files of a session.

Every write checks permissions, runs in one transaction and is audited; emails leave once the write is committed.
Files are checked by their content as well as their name and stored under random names, so a file's address
says nothing and it is only ever served through the guarded download view."""

from __future__ import annotations

import datetime
import io
import secrets
import warnings
import zipfile
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from PIL import Image

from chiptown.accounts.models import Role, User
from chiptown.accounts.services import password_set_url
from chiptown.core.addresses import absolute_url
from chiptown.core.errors import ChipTownError, Conflict, Problem
from chiptown.core.notifications import notify
from chiptown.core.rules import require
from chiptown.core.services import audit_record, snapshot
from chiptown.events import selectors
from chiptown.events.models import Event, Material, Session, SessionSpeaker, Speaker, SpeakerStatus
from chiptown.registry.models import Person

BIO_MAX = 2000
PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_PIXELS = 40_000_000  # a 40-megapixel photo is plenty; bigger ones are refused before decoding
PHOTO_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MATERIAL_MAX_BYTES = 50 * 1024 * 1024
MATERIAL_TITLE_MAX = 200

# Extension -> content type. OOXML (docx, pptx, xlsx) and Keynote files are ZIP archives; PPT is an OLE2 file.
MATERIAL_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ppt": "application/vnd.ms-powerpoint",
    "key": "application/vnd.apple.keynote",
    "zip": "application/zip",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # an archive with files, an empty archive
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML_FOLDER = {"pptx": "ppt/", "docx": "word/", "xlsx": "xl/"}


def _invalid(problems: list[Problem], message: str | None = None) -> ChipTownError:
    return ChipTownError(message or _("Some fields are not valid."), code="invalid", problems=problems)


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def event_starts_at(event: Event) -> datetime.datetime:
    """Midnight of the event's first day in its own time zone."""
    return datetime.datetime.combine(event.starts_on, datetime.time.min, tzinfo=event.zone)


def event_ended(event: Event, moment: datetime.datetime) -> bool:
    return moment.astimezone(event.zone).date() > event.ends_on


# --- Invitations -------------------------------------------------------------------------------------------------


def _username_for(email: str) -> str:
    """A free username from the address (Django allows letters, digits and @.+-_ in usernames)."""
    base = "".join(c for c in email.lower() if c.isalnum() or c in "@.+-_")[:140] or "speaker"
    name, n = base, 1
    while User.objects.filter(username=name).exists():
        n += 1
        name = f"{base}-{n}"
    return name


def _account_for(person: Person) -> tuple[User, bool]:
    """The person's account: the linked one, else an unlinked account with the person's address, else a new one
    (role speaker, no usable password). Returns (user, created). Runs inside the invitation's transaction."""
    if person.user is not None:
        return person.user, False
    email = person.email.strip()
    same_address = list(User.objects.filter(email__iexact=email)[:2])
    if len(same_address) > 1:
        raise _invalid(
            [
                Problem(
                    reason=_("Several accounts use %(email)s; link the right one to this registry person first.")
                    % {"email": email},
                    column="person",
                )
            ]
        )
    if same_address:
        existing = same_address[0]
        if Person.objects.filter(user=existing).exists():
            raise _invalid(
                [
                    Problem(
                        reason=_("The account with the address %(email)s belongs to another registry person.")
                        % {"email": email},
                        column="person",
                    )
                ]
            )
        person.user = existing
        person.save(update_fields=["user"])
        return existing, False
    user = User(
        username=_username_for(email),
        email=email,
        role=Role.SPEAKER,
        first_name=(person.name_en or person.name_zh)[:150],
        # The registry keeps no language per person: someone with only an English name reads English.
        language="zh-hans" if person.name_zh else "en",
    )
    user.set_unusable_password()
    user.save()
    person.user = user
    person.save(update_fields=["user"])
    return user, True


def speaker_invite(*, event: Event, person: Person, by: Any, now: datetime.datetime | None = None) -> Speaker:
    """Invite a registry person to speak at an event (operators only). Refused for a person already invited,
    without an email address, or once the event is over. A person without an account gets one (role speaker),
    linked to their registry entry. The email, in their language, names the event, any sessions they are
    already down for, and their speaker page."""
    require(by, "events.manage", event, _("Only operators may invite speakers."))
    moment = _now(now)
    if event_ended(event, moment):
        raise Conflict(_("This event is over; no more speakers can be invited."))
    with transaction.atomic():
        locked_person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
        name = locked_person.display_name
        speaker = Speaker.objects.select_for_update().filter(event=event, person=locked_person).first()
        if speaker is not None and speaker.invited_at is not None:
            already = _("%(name)s was already invited to this event on %(date)s.") % {
                "name": name,
                "date": speaker.invited_at.astimezone(event.zone).date().isoformat(),
            }
            raise ChipTownError(
                already, code="already_invited", status=409, problems=[Problem(reason=already, column="person")]
            )
        if locked_person.user is not None and not locked_person.user.email.strip():
            raise _invalid(
                [
                    Problem(
                        reason=_("%(name)s's account has no email address; add one before inviting them.")
                        % {"name": name},
                        column="person",
                    )
                ]
            )
        if locked_person.user is None and not locked_person.email.strip():
            raise _invalid(
                [
                    Problem(
                        reason=_("%(name)s has no email address in the registry; add one before inviting them.")
                        % {"name": name},
                        column="person",
                    )
                ]
            )
        user, created = _account_for(locked_person)
        before = snapshot(speaker, ("status", "invited_at")) if speaker is not None else None
        if speaker is None:
            speaker = Speaker.objects.create(
                event=event, person=locked_person, status=SpeakerStatus.INVITED, invited_at=moment
            )
        else:
            # Put down for a session by the programme editor before being invited: invite that row now.
            speaker.invited_at = moment
            speaker.save(update_fields=["invited_at"])
        audit_record(
            actor=by,
            action="speaker.invite",
            target=speaker,
            before=before,
            after={
                **snapshot(speaker, ("event_id", "person_id", "status", "invited_at")),
                "user": user.pk,
                "account_created": created,
            },
        )
        speaker_pk = speaker.pk

        def send() -> None:
            invited = Speaker.objects.select_related("event", "person").get(pk=speaker_pk)
            talks = list(
                SessionSpeaker.objects.filter(speaker=invited, session__event=event)
                .select_related("session", "session__room")
                .order_by("session__starts_at", "session_id")
            )
            my_talks = reverse("events:my_talks", args=[event.slug])
            notify(
                users=[user],
                subject=gettext_noop("You are invited to speak at the conference"),
                template="events/email/speaker_invitation.txt",
                context={
                    "event": event,
                    "speaker": invited,
                    "talks": talks,
                    "my_talks_url": absolute_url(my_talks),
                    "login_url": absolute_url(reverse("accounts:login")) + "?next=" + my_talks,
                    # An account without a password (made now, or made earlier and never used) gets a one-time
                    # link to choose one.
                    "password_url": "" if user.has_usable_password() else password_set_url(user=user),
                    "account_created": created,
                    "username": user.get_username(),
                },
            )

        transaction.on_commit(send)  # nothing for a refused or rolled-back change
    return speaker


# --- The speaker's answer and profile ----------------------------------------------------------------------------


def speaker_respond(*, speaker: Speaker, accept: bool, by: Any, now: datetime.datetime | None = None) -> Speaker:
    """Accept or decline an invitation (the speaker, or an operator for them). A decline keeps the row, and the
    speaker may change their mind until the event starts; answering the same again changes nothing."""
    require(by, "events.change_speaker", speaker, _("Only the speaker or an operator may answer this invitation."))
    moment = _now(now)
    if moment >= event_starts_at(speaker.event):
        raise Conflict(_("The event has started; the invitation can no longer be answered."))
    wanted = SpeakerStatus.ACCEPTED if accept else SpeakerStatus.DECLINED
    with transaction.atomic():
        locked = Speaker.objects.select_for_update().get(pk=speaker.pk)
        if locked.status == wanted:
            return locked
        before = snapshot(locked, ("status", "responded_at"))
        locked.status = wanted
        locked.responded_at = moment
        locked.save(update_fields=["status", "responded_at"])
        audit_record(
            actor=by,
            action="speaker.accept" if accept else "speaker.decline",
            target=locked,
            before=before,
            after=snapshot(locked, ("status", "responded_at")),
        )
    return locked


def _photo_extension(photo: UploadedFile) -> str:
    """The photo's file extension once Pillow has read it as a JPEG, PNG or WebP image of sensible size."""
    if (photo.size or 0) > PHOTO_MAX_BYTES:
        raise _invalid([Problem(reason=_("A photo may be at most 5 MB."), column="photo")])
    refusal = _invalid([Problem(reason=_("The photo must be a JPEG, PNG or WebP image."), column="photo")])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            photo.seek(0)
            with Image.open(photo) as image:
                kind = image.format or ""
                width, height = image.size
                image.verify()
    except Exception as exc:  # Pillow raises many kinds of errors for a broken or hostile file
        raise refusal from exc
    finally:
        photo.seek(0)
    if kind not in PHOTO_FORMATS:
        raise refusal
    if width * height > PHOTO_MAX_PIXELS:
        raise _invalid([Problem(reason=_("The photo has too many pixels; send a smaller one."), column="photo")])
    return PHOTO_FORMATS[kind]


def speaker_profile_update(
    *, speaker: Speaker, bio_zh: str, bio_en: str, photo: UploadedFile | None, by: Any
) -> Speaker:
    """A speaker's biography in both languages (at most 2,000 characters each) and, if given, a new photo (a JPEG,
    PNG or WebP image of at most 5 MB, read by Pillow). The speaker or an operator."""
    require(by, "events.change_speaker", speaker, _("Only the speaker or an operator may change this profile."))
    bio_zh, bio_en = (bio_zh or "").strip(), (bio_en or "").strip()
    problems = [
        Problem(reason=_("At most %(n)d characters.") % {"n": BIO_MAX}, column=column)
        for column, text in (("bio_zh", bio_zh), ("bio_en", bio_en))
        if len(text) > BIO_MAX
    ]
    extension = ""
    if photo is not None:
        try:
            extension = _photo_extension(photo)
        except ChipTownError as exc:
            problems += exc.problems
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        locked = Speaker.objects.select_for_update().get(pk=speaker.pk)
        before = snapshot(locked, ("bio_zh", "bio_en", "photo"))
        old_photo = locked.photo.name
        locked.bio_zh, locked.bio_en = bio_zh, bio_en
        if photo is not None:
            locked.photo.save(f"{secrets.token_hex(16)}.{extension}", photo, save=False)
        locked.save(update_fields=["bio_zh", "bio_en", "photo"])
        after = snapshot(locked, ("bio_zh", "bio_en", "photo"))
        if before != after:
            audit_record(actor=by, action="speaker.update_profile", target=locked, before=before, after=after)
        if photo is not None and old_photo:
            storage = locked.photo.storage
            transaction.on_commit(lambda: storage.delete(old_photo))
    return locked


def speaker_remind(*, event: Event, by: Any) -> int:
    """Email every invited speaker who still owes something (an answer, a biography, a photo, slides) the list of
    what is missing, in their language. Declined speakers and speakers not yet invited are left alone. Returns
    how many emails were sent."""
    require(by, "events.manage", event, _("Only operators may send reminders to speakers."))
    rows = selectors.speakers_to_remind(event=event)
    my_talks_url = absolute_url(reverse("events:my_talks", args=[event.slug]))
    sent = 0
    reminded: list[int] = []
    for row in rows:
        user = row.speaker.person.user
        if user is None or not user.is_active:
            continue
        count = notify(
            users=[user],
            subject=gettext_noop("What we still need for your talk"),
            template="events/email/speaker_reminder.txt",
            context={"event": event, "speaker": row.speaker, "gaps": row.gaps, "my_talks_url": my_talks_url},
        )
        if count:
            sent += count
            reminded.append(row.speaker.pk)
    with transaction.atomic():
        audit_record(actor=by, action="speaker.remind", target=event, after={"sent": sent, "speakers": reminded})
    return sent


# --- Materials ---------------------------------------------------------------------------------------------------


def material_extension(name: str, head: bytes) -> str | None:
    """The file's extension if it is one we take and the first bytes match it, else None (pure: no I/O)."""
    extension = PurePath((name or "").replace("\\", "/")).suffix.lower().lstrip(".")
    if extension not in MATERIAL_TYPES:
        return None
    if extension == "pdf":
        ok = head.startswith(b"%PDF-")
    elif extension == "ppt":
        ok = head.startswith(_OLE2_MAGIC)
    else:
        ok = head.startswith(_ZIP_MAGIC)
    return extension if ok else None


def _ooxml_ok(upload: UploadedFile, extension: str) -> bool:
    """An Office file is a ZIP archive with [Content_Types].xml and its own folder (reads only the directory)."""
    folder = _OOXML_FOLDER.get(extension)
    if folder is None:
        return True
    try:
        upload.seek(0)
        source: Any = upload.file if hasattr(upload, "file") else io.BytesIO(upload.read())
        with zipfile.ZipFile(source) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False
    finally:
        upload.seek(0)
    return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)


def material_upload(*, session: Session, title: str, file: UploadedFile, is_slides: bool, by: Any) -> Material:
    """Add a file to a session (operators and the session's own speakers): PDF, PPTX, PPT, KEY, ZIP, DOCX or XLSX,
    checked by extension and content, at most 50 MB, stored under a random name."""
    require(by, "events.change_material", session, _("Only operators and this session's speakers may add files."))
    title = (title or "").strip()
    problems: list[Problem] = []
    if not title:
        problems.append(Problem(reason=_("Give the file a title."), column="title"))
    elif len(title) > MATERIAL_TITLE_MAX:
        problems.append(Problem(reason=_("At most %(n)d characters.") % {"n": MATERIAL_TITLE_MAX}, column="title"))
    extension: str | None = None
    if (file.size or 0) > MATERIAL_MAX_BYTES:
        problems.append(Problem(reason=_("A file may be at most 50 MB."), column="file"))
    elif not file.size:
        problems.append(Problem(reason=_("The file is empty."), column="file"))
    else:
        file.seek(0)
        head = file.read(8)
        file.seek(0)
        extension = material_extension(file.name or "", head)
        if extension is None or not _ooxml_ok(file, extension):
            problems.append(
                Problem(
                    reason=_(
                        "Only PDF, PowerPoint (PPTX, PPT), Keynote, ZIP, Word (DOCX) and Excel (XLSX) files are "
                        "accepted, and the file's content must match its extension."
                    ),
                    column="file",
                )
            )
    if problems or extension is None:
        raise _invalid(problems, _("The file was not accepted."))
    with transaction.atomic():
        material = Material(session=session, title=title, is_slides=bool(is_slides), uploaded_by=by)
        material.file.save(f"{secrets.token_hex(16)}.{extension}", file, save=False)
        material.save()
        audit_record(
            actor=by,
            action="material.upload",
            target=material,
            after={**snapshot(material, ("session_id", "title", "is_slides", "file")), "size": file.size},
        )
    return material


def material_delete(*, material: Material, by: Any) -> None:
    """Remove a session's file (operators and the session's own speakers); the stored file goes once committed."""
    require(
        by,
        "events.change_material",
        material.session,
        _("Only operators and this session's speakers may remove files."),
    )
    with transaction.atomic():
        audit_record(
            actor=by,
            action="material.delete",
            target=material,
            before=snapshot(material, ("session_id", "title", "is_slides", "file")),
        )
        file_name = material.file.name
        storage = material.file.storage
        material.delete()
        if file_name:
            transaction.on_commit(lambda: storage.delete(file_name))


def material_filename(material: Material) -> str:
    """The name a download is saved under: the title (without characters file systems refuse) and the type."""
    extension = PurePath(material.file.name or "").suffix.lower()
    safe = " ".join("".join(" " if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in material.title).split())
    safe = safe.strip(" .")
    return f"{safe[:100] or 'material'}{extension}"


def material_content_type(material: Material) -> str:
    extension = PurePath(material.file.name or "").suffix.lower().lstrip(".")
    return MATERIAL_TYPES.get(extension, "application/octet-stream")
