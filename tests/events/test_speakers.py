"""Speaker services: invitations (with an account made when the person has none), answers, biographies and
photos, and reminders of what is missing. Every refusal changes nothing; emails go out in the reader's language
once the write is committed."""

import datetime
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from chiptown.accounts.models import Role, User
from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied
from chiptown.core.models import AuditEntry
from chiptown.events.models import Event, SessionSpeaker, Speaker, SpeakerRole, SpeakerStatus
from chiptown.events.services import speakers as services
from tests.events.factories import SessionFactory, WorkshopFactory, at
from tests.events.speakers_support import (
    audit_actions,
    complete,
    image_bytes,
    material_for,
    photo,
    speaker_at,
)
from tests.factories import PersonFactory, UserFactory

pytestmark = pytest.mark.django_db

BEFORE_THE_EVENT = at(1, 0) - datetime.timedelta(days=30)


def speaker_state() -> list[tuple[Any, ...]]:
    return list(
        Speaker.objects.order_by("pk").values_list(
            "pk", "status", "bio_zh", "bio_en", "photo", "invited_at", "responded_at"
        )
    )


# --- Invitations -------------------------------------------------------------------------------------------------


def test_inviting_a_person_without_an_account_makes_one_and_emails_a_link_to_choose_a_password(
    event: Event, operator: User, mailoutbox: Any, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    person = PersonFactory(name_en="Li Na", name_zh="李娜", email="Li.Na@Example.com")

    with django_capture_on_commit_callbacks(execute=True):
        speaker = services.speaker_invite(event=event, person=person, by=operator)

    speaker.refresh_from_db()
    person.refresh_from_db()
    assert (speaker.event, speaker.person, speaker.status) == (event, person, SpeakerStatus.INVITED)
    assert speaker.invited_at is not None
    user = person.user
    assert user is not None
    assert (user.username, user.email, user.role) == ("li.na@example.com", "Li.Na@Example.com", Role.SPEAKER)
    assert not user.has_usable_password()
    assert user.language == "zh-hans"  # the registry has a Chinese name for her
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["Li.Na@Example.com"]
    assert "芯动亦庄 2027" in mail.body and "Chip to E-Town 2027" not in mail.body
    assert "http://127.0.0.1:8000/events/2027/my-talks/" in mail.body
    assert "li.na@example.com" in mail.body
    entry = AuditEntry.objects.get(action="speaker.invite")
    assert entry.actor == operator
    assert entry.after is not None and entry.after["account_created"] is True and entry.after["user"] == user.pk

    # The one-time link lets her choose a password, then sign in; it does not work twice.
    link = re.search(r"http://127\.0\.0\.1:8000(/accounts/password/set/\S+)", mail.body)
    assert link is not None
    form_page = client.get(link.group(1), follow=True)
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new_password = "sleek-wafer-Qualified-2027"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert not client.get(link.group(1), follow=True).context["validlink"]


def test_the_invitation_lists_sessions_already_assigned_in_the_event_time_zone_and_the_speakers_language(
    event: Event, operator: User, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = UserFactory(username="max", email="max@example.com", language="en")
    person = PersonFactory(name_en="Max Weber", name_zh="马克斯", user=user)
    # Put down for a keynote by the programme editor before being invited.
    speaker = Speaker.objects.create(event=event, person=person)
    keynote = SessionFactory(event=event, title_en="Chips for cars", title_zh="汽车芯片", starts_at=at(1, 9, 30))
    SessionSpeaker.objects.create(session=keynote, speaker=speaker, role=SpeakerRole.SPEAKER)

    with django_capture_on_commit_callbacks(execute=True):
        invited = services.speaker_invite(event=event, person=person, by=operator)

    assert invited.pk == speaker.pk
    assert Speaker.objects.count() == 1
    assert User.objects.filter(email="max@example.com").count() == 1
    body = mailoutbox[0].body
    assert mailoutbox[0].to == ["max@example.com"]
    assert "Chip to E-Town 2027" in body and "芯动亦庄" not in body
    assert "Chips for cars" in body and "汽车芯片" not in body
    assert "2027-06-15 09:30" in body  # Shanghai time, as stored in UTC
    assert "Asia/Shanghai" in body
    assert "no password yet" not in body  # an existing account keeps its own password


def test_an_unlinked_account_with_the_persons_address_is_linked_instead_of_a_second_one(
    event: Event, operator: User, django_capture_on_commit_callbacks: Any
) -> None:
    existing = UserFactory(username="wang", email="wang@example.com")
    person = PersonFactory(email="WANG@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        services.speaker_invite(event=event, person=person, by=operator)

    person.refresh_from_db()
    assert person.user == existing
    assert User.objects.filter(email__iexact="wang@example.com").count() == 1


def test_a_second_invitation_is_refused_and_changes_nothing(
    event: Event, operator: User, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = PersonFactory(email="li@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        services.speaker_invite(event=event, person=person, by=operator)
    state, audits, users, sent = speaker_state(), audit_actions(), User.objects.count(), len(mailoutbox)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ChipTownError) as caught:
        services.speaker_invite(event=event, person=person, by=operator)

    assert caught.value.status == 409
    assert "already invited" in caught.value.message
    assert caught.value.problems[0].column == "person"
    assert (speaker_state(), audit_actions(), User.objects.count(), len(mailoutbox)) == (state, audits, users, sent)


@pytest.mark.parametrize("who", ["stranger", "company_rep", "speaker"])
def test_only_operators_invite(
    who: str, event: Event, request: pytest.FixtureRequest, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    user = speaker_at(event).person.user if who == "speaker" else request.getfixturevalue(who)
    person = PersonFactory(email="li@example.com")
    state, users = speaker_state(), User.objects.count()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(PermissionDenied):
        services.speaker_invite(event=event, person=person, by=user)

    assert (speaker_state(), User.objects.count(), mailoutbox) == (state, users, [])
    assert not AuditEntry.objects.filter(action="speaker.invite").exists()


def test_a_person_without_an_email_address_is_refused(event: Event, operator: User) -> None:
    person = PersonFactory(email="", name_en="No Mail")
    users = User.objects.count()

    with pytest.raises(ChipTownError) as caught:
        services.speaker_invite(event=event, person=person, by=operator)

    assert "No Mail has no email address" in caught.value.problems[0].reason
    assert (Speaker.objects.count(), User.objects.count(), audit_actions()) == (0, users, [])


def test_a_linked_account_without_an_email_address_is_refused(event: Event, operator: User) -> None:
    person = PersonFactory(email="p@example.com", user=UserFactory(email=""))

    with pytest.raises(ChipTownError) as caught:
        services.speaker_invite(event=event, person=person, by=operator)

    assert "account has no email address" in caught.value.problems[0].reason
    assert Speaker.objects.count() == 0


def test_nobody_is_invited_to_an_event_that_is_over(event: Event, operator: User) -> None:
    person = PersonFactory(email="li@example.com")

    with pytest.raises(Conflict):
        services.speaker_invite(event=event, person=person, by=operator, now=at(3, 12) + datetime.timedelta(days=1))

    assert (Speaker.objects.count(), person.user) == (0, None)


def test_usernames_made_from_addresses_never_clash(event: Event, operator: User) -> None:
    UserFactory(username="li@example.com", email="someone-else@example.com")
    person = PersonFactory(email="li@example.com")

    services.speaker_invite(event=event, person=person, by=operator)

    person.refresh_from_db()
    assert person.user is not None and person.user.username == "li@example.com-2"


# --- Answers -----------------------------------------------------------------------------------------------------


def test_a_speaker_accepts_declines_and_accepts_again_before_the_event(event: Event) -> None:
    speaker = speaker_at(event, status=SpeakerStatus.INVITED)
    user = speaker.person.user

    services.speaker_respond(speaker=speaker, accept=True, by=user, now=BEFORE_THE_EVENT)
    speaker.refresh_from_db()
    assert (speaker.status, speaker.responded_at) == (SpeakerStatus.ACCEPTED, BEFORE_THE_EVENT)

    services.speaker_respond(speaker=speaker, accept=False, by=user, now=BEFORE_THE_EVENT)
    assert Speaker.objects.get(pk=speaker.pk).status == SpeakerStatus.DECLINED  # the row stays

    services.speaker_respond(speaker=speaker, accept=True, by=user, now=BEFORE_THE_EVENT)
    assert Speaker.objects.get(pk=speaker.pk).status == SpeakerStatus.ACCEPTED
    assert audit_actions() == ["speaker.accept", "speaker.decline", "speaker.accept"]
    last = AuditEntry.objects.filter(action="speaker.accept").order_by("-id").first()
    assert last is not None and last.before is not None and last.after is not None
    assert (last.before["status"], last.after["status"]) == ("declined", "accepted")


def test_the_same_answer_twice_changes_nothing(event: Event) -> None:
    speaker = speaker_at(event, status=SpeakerStatus.ACCEPTED)
    state = speaker_state()

    services.speaker_respond(speaker=speaker, accept=True, by=speaker.person.user, now=BEFORE_THE_EVENT)

    assert (speaker_state(), audit_actions()) == (state, [])


def test_an_operator_may_answer_for_a_speaker(event: Event, operator: User) -> None:
    speaker = speaker_at(event, status=SpeakerStatus.INVITED)

    services.speaker_respond(speaker=speaker, accept=False, by=operator, now=BEFORE_THE_EVENT)

    assert Speaker.objects.get(pk=speaker.pk).status == SpeakerStatus.DECLINED


def test_nobody_else_may_answer(event: Event, stranger: User) -> None:
    speaker = speaker_at(event, status=SpeakerStatus.INVITED)
    other_speaker = speaker_at(event).person.user
    state = speaker_state()

    for user in (stranger, other_speaker):
        with pytest.raises(PermissionDenied):
            services.speaker_respond(speaker=speaker, accept=True, by=user, now=BEFORE_THE_EVENT)

    assert (speaker_state(), audit_actions()) == (state, [])


def test_once_the_event_has_started_the_answer_cannot_change(event: Event) -> None:
    speaker = speaker_at(event, status=SpeakerStatus.DECLINED)
    state = speaker_state()

    with pytest.raises(Conflict):
        services.speaker_respond(speaker=speaker, accept=True, by=speaker.person.user, now=at(1, 0))

    assert (speaker_state(), audit_actions()) == (state, [])


# --- Biography and photo -----------------------------------------------------------------------------------------


def test_a_speaker_saves_both_biographies_and_a_photo_under_a_random_name(event: Event) -> None:
    speaker = speaker_at(event, bio_en="")

    services.speaker_profile_update(
        speaker=speaker,
        bio_zh=" 车规芯片专家 ",
        bio_en="Automotive chip expert",
        photo=photo("Me & my car.png"),
        by=speaker.person.user,
    )

    speaker.refresh_from_db()
    assert (speaker.bio_zh, speaker.bio_en) == ("车规芯片专家", "Automotive chip expert")
    assert speaker.photo.name.startswith("speakers/") and speaker.photo.name.endswith(".png")
    assert "Me" not in speaker.photo.name and len(speaker.photo.name) == len("speakers/") + 32 + len(".png")
    with speaker.photo.open("rb") as stored:
        assert stored.read() == image_bytes()
    entry = AuditEntry.objects.get(action="speaker.update_profile")
    assert entry.after is not None and entry.after["photo"] == speaker.photo.name


def test_a_new_photo_replaces_the_old_file(event: Event, django_capture_on_commit_callbacks: Any) -> None:
    speaker = speaker_at(event)
    services.speaker_profile_update(speaker=speaker, bio_zh="", bio_en="", photo=photo(), by=speaker.person.user)
    speaker.refresh_from_db()
    old = speaker.photo.name

    with django_capture_on_commit_callbacks(execute=True):
        services.speaker_profile_update(
            speaker=speaker, bio_zh="", bio_en="", photo=photo("b.jpg", "JPEG"), by=speaker.person.user
        )

    speaker.refresh_from_db()
    assert speaker.photo.name.endswith(".jpg")
    assert not speaker.photo.storage.exists(old)


@pytest.mark.parametrize(
    ("bio_zh", "bio_en", "upload", "column"),
    [
        ("字" * 2001, "", None, "bio_zh"),
        ("", "x" * 2001, None, "bio_en"),
        ("", "", SimpleUploadedFile("me.png", b"not an image at all"), "photo"),
        ("", "", SimpleUploadedFile("me.gif", image_bytes("GIF")), "photo"),
        ("", "", SimpleUploadedFile("me.pdf", b"%PDF-1.4 fake"), "photo"),
    ],
)
def test_bad_biographies_and_photos_are_refused_and_change_nothing(
    event: Event, bio_zh: str, bio_en: str, upload: Any, column: str
) -> None:
    speaker = speaker_at(event)
    state = speaker_state()

    with pytest.raises(ChipTownError) as caught:
        services.speaker_profile_update(
            speaker=speaker, bio_zh=bio_zh, bio_en=bio_en, photo=upload, by=speaker.person.user
        )

    assert caught.value.status == 400
    assert [p.column for p in caught.value.problems] == [column]
    assert (speaker_state(), audit_actions()) == (state, [])


def test_a_photo_over_5_mb_is_refused(event: Event) -> None:
    speaker = speaker_at(event)
    big = photo()
    big.size = 5 * 1024 * 1024 + 1

    with pytest.raises(ChipTownError) as caught:
        services.speaker_profile_update(speaker=speaker, bio_zh="", bio_en="", photo=big, by=speaker.person.user)

    assert caught.value.problems[0].reason == "A photo may be at most 5 MB."
    assert not Speaker.objects.get(pk=speaker.pk).photo


def test_a_2000_character_biography_is_fine(event: Event) -> None:
    speaker = speaker_at(event)

    services.speaker_profile_update(speaker=speaker, bio_zh="字" * 2000, bio_en="", photo=None, by=speaker.person.user)

    assert len(Speaker.objects.get(pk=speaker.pk).bio_zh) == 2000


def test_only_the_speaker_or_an_operator_changes_a_profile(event: Event, operator: User, stranger: User) -> None:
    speaker = speaker_at(event)
    state = speaker_state()

    with pytest.raises(PermissionDenied):
        services.speaker_profile_update(speaker=speaker, bio_zh="x", bio_en="x", photo=None, by=stranger)
    assert speaker_state() == state

    services.speaker_profile_update(speaker=speaker, bio_zh="由运营填写", bio_en="", photo=None, by=operator)
    assert Speaker.objects.get(pk=speaker.pk).bio_zh == "由运营填写"


# --- Reminders ---------------------------------------------------------------------------------------------------


def test_reminders_go_to_speakers_missing_something_with_the_list_in_their_language(
    event: Event, operator: User, mailoutbox: Any
) -> None:
    keynote = SessionFactory(event=event, title_en="Chips for cars", title_zh="汽车芯片")
    salon = WorkshopFactory(event=event, title_en="Sensor salon", title_zh="传感器沙龙")
    done = complete(speaker_at(event, keynote))
    material_for(keynote)
    moderator = complete(speaker_at(event, salon, role=SpeakerRole.MODERATOR))  # moderators bring no slides
    english = speaker_at(event, salon, status=SpeakerStatus.INVITED, bio_en="", user=UserFactory(language="en"))
    chinese = complete(speaker_at(event, salon, user=UserFactory(language="zh-hans")))
    speaker_at(event, salon, status=SpeakerStatus.DECLINED)
    speaker_at(event, status=SpeakerStatus.INVITED, invited_at=None)  # not invited yet: the invitation comes first
    speaker_at(SessionFactory().event, status=SpeakerStatus.INVITED)  # another event

    sent = services.speaker_remind(event=event, by=operator)

    assert sent == 2
    by_address = {mail.to[0]: mail.body for mail in mailoutbox}
    assert set(by_address) == {english.person.user.email, chinese.person.user.email}
    body = by_address[english.person.user.email]
    for wanted in (
        "your answer to the invitation",
        "your biography in Chinese",
        "your biography in English",
        "your photo",
        "your slides for “Sensor salon”",
        "Chip to E-Town 2027",
        "http://127.0.0.1:8000/events/2027/my-talks/",
    ):
        assert wanted in body
    chinese_body = by_address[chinese.person.user.email]
    assert "传感器沙龙" in chinese_body and "芯动亦庄 2027" in chinese_body
    assert "Sensor salon" not in chinese_body
    entry = AuditEntry.objects.get(action="speaker.remind")
    assert entry.after == {"sent": 2, "speakers": sorted([english.pk, chinese.pk])}
    assert done.pk not in entry.after["speakers"] and moderator.pk not in entry.after["speakers"]


def test_only_operators_send_reminders(event: Event, stranger: User, mailoutbox: Any) -> None:
    speaker_at(event, status=SpeakerStatus.INVITED)

    with pytest.raises(PermissionDenied):
        services.speaker_remind(event=event, by=stranger)

    assert (mailoutbox, audit_actions()) == ([], [])
