"""Speaker pages: the operators' invitations and "who is missing what" table (filters, reminders, constant
queries), the speaker's own page (answer, biography and photo, files per session), and every refusal."""

import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chiptown.accounts.models import User
from chiptown.core.models import AuditEntry
from chiptown.events.models import Event, Material, Speaker, SpeakerRole, SpeakerStatus
from tests.conftest import client_for
from tests.events.factories import SessionFactory, WorkshopFactory
from tests.events.speakers_support import (
    audit_actions,
    complete,
    material_for,
    pdf,
    photo,
    speaker_at,
    upload,
    zip_bytes,
)
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def manage_url(event: Event, query: str = "") -> str:
    return reverse("events:speakers_manage", args=[event.slug]) + query


def my_talks_url(event: Event, query: str = "") -> str:
    return reverse("events:my_talks", args=[event.slug]) + query


def speaker_names(response: Any) -> list[str]:
    return [row.speaker.person.display_name for row in response.context["table"].rows]


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


# --- The operators' page -----------------------------------------------------------------------------------------


def test_the_table_shows_who_is_missing_what(event: Event, operator_client: Client) -> None:
    keynote = SessionFactory(event=event, title_en="Chips for cars")
    panel = WorkshopFactory(event=event, title_en="Sensor salon")
    ready = complete(speaker_at(event, keynote, person=PersonFactory(name_en="Ada Ready")))
    material_for(keynote)
    speaker_at(event, panel, status=SpeakerStatus.INVITED, bio_en="", person=PersonFactory(name_en="Bo Busy"))
    speaker_at(event, status=SpeakerStatus.DECLINED, person=PersonFactory(name_en="Cy Declined"))

    response = operator_client.get(manage_url(event))

    assert response.status_code == 200
    assert speaker_names(response) == ["Ada Ready", "Bo Busy", "Cy Declined"]
    rows = {row.speaker.person.display_name: row for row in response.context["table"].rows}
    assert rows["Ada Ready"].gap_codes == set()
    assert rows["Bo Busy"].gap_codes == {"reply", "bio_zh", "bio_en", "photo", "slides"}
    assert rows["Cy Declined"].gap_codes == set()
    assert response.context["table"].counts == {
        "total": 3,
        "invited": 1,
        "accepted": 1,
        "declined": 1,
        "missing": 1,
    }
    content = response.content.decode()
    assert "slides uploaded" in content and "slides missing" in content
    assert ready.person.display_name in content


def test_filters_narrow_the_table(event: Event, operator_client: Client) -> None:
    complete(speaker_at(event, person=PersonFactory(name_en="Ada Ready")))
    speaker_at(event, status=SpeakerStatus.INVITED, person=PersonFactory(name_en="Bo Busy"))
    speaker_at(event, status=SpeakerStatus.DECLINED, person=PersonFactory(name_en="Cy Declined"))

    assert speaker_names(operator_client.get(manage_url(event, "?missing=1"))) == ["Bo Busy"]
    assert speaker_names(operator_client.get(manage_url(event, "?status=declined"))) == ["Cy Declined"]
    assert speaker_names(operator_client.get(manage_url(event, "?status=accepted&missing=1"))) == []
    assert speaker_names(operator_client.get(manage_url(event, "?status=nonsense"))) == [
        "Ada Ready",
        "Bo Busy",
        "Cy Declined",
    ]


def test_an_htmx_filter_answers_with_the_table_only(event: Event, operator_client: Client) -> None:
    speaker_at(event, status=SpeakerStatus.INVITED, person=PersonFactory(name_en="Bo Busy"))

    response = operator_client.get(manage_url(event, "?missing=1"), headers={"HX-Request": "true"})

    content = response.content.decode()
    assert response.status_code == 200
    assert "Bo Busy" in content and "<html" not in content and "Invite a speaker" not in content


def test_the_table_is_paginated(event: Event, operator_client: Client, settings: Any) -> None:
    for index in range(52):
        speaker_at(event, person=PersonFactory(name_en=f"Speaker {index:02d}"))

    first = operator_client.get(manage_url(event))
    second = operator_client.get(manage_url(event, "?page=2"))

    assert len(first.context["table"].rows) == 50
    assert speaker_names(second) == ["Speaker 50", "Speaker 51"]


def build_speakers(event: Event, n: int) -> None:
    for _ in range(n):
        session = SessionFactory(event=event)
        speaker = speaker_at(event, session)
        speaker_at(event, session, role=SpeakerRole.MODERATOR, status=SpeakerStatus.INVITED)
        material_for(session)
        SessionFactory(event=event).session_speakers.create(speaker=speaker)


def test_the_speakers_page_costs_the_same_queries_at_any_size(
    event: Event, operator_client: Client, django_assert_max_num_queries: Any
) -> None:
    build_speakers(event, 2)
    small = queries_for(operator_client, manage_url(event))
    build_speakers(event, 20)

    with django_assert_max_num_queries(small):
        operator_client.get(manage_url(event))
    with django_assert_max_num_queries(small):
        operator_client.get(manage_url(event, "?missing=1"))


def test_an_operator_invites_from_the_page(
    event: Event, operator_client: Client, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = PersonFactory(name_en="Li Na", email="li@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(manage_url(event), {"person": f"Li Na #{person.pk}"})

    assert response.status_code == 302
    speaker = Speaker.objects.get()
    assert (speaker.person, speaker.status) == (person, SpeakerStatus.INVITED)
    assert [mail.to for mail in mailoutbox] == [["li@example.com"]]


def test_a_second_invitation_from_the_page_is_shown_next_to_the_field(
    event: Event, operator_client: Client, mailoutbox: Any, django_capture_on_commit_callbacks: Any
) -> None:
    speaker = speaker_at(event, person=PersonFactory(name_en="Li Na", email="li@example.com"))
    state = list(Speaker.objects.values_list("pk", "invited_at"))

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(manage_url(event), {"person": f"Li Na #{speaker.person.pk}"})

    assert response.status_code == 409
    assert "Li Na was already invited to this event" in response.context["invite_form"].errors["person"][0]
    assert (list(Speaker.objects.values_list("pk", "invited_at")), mailoutbox, audit_actions()) == (state, [], [])


def test_an_unknown_person_is_shown_next_to_the_field(event: Event, operator_client: Client) -> None:
    response = operator_client.post(manage_url(event), {"person": "Nobody Known"})

    assert response.status_code == 400
    assert response.context["invite_form"].errors["person"]
    assert Speaker.objects.count() == 0


def test_reminders_from_the_page(event: Event, operator_client: Client, mailoutbox: Any) -> None:
    speaker_at(event, status=SpeakerStatus.INVITED)
    complete(speaker_at(event))

    response = operator_client.post(reverse("events:speakers_remind", args=[event.slug]), follow=True)

    assert response.status_code == 200
    assert len(mailoutbox) == 1
    assert "1 reminder sent." in response.content.decode()


@pytest.mark.parametrize("who", ["stranger", "company_rep", "speaker"])
def test_only_operators_open_the_speakers_page_or_send_reminders(
    who: str, event: Event, request: pytest.FixtureRequest, mailoutbox: Any
) -> None:
    speaker = speaker_at(event, status=SpeakerStatus.INVITED)
    user = speaker.person.user if who == "speaker" else request.getfixturevalue(who)
    client = client_for(user)
    person = PersonFactory(email="li@example.com")

    assert client.get(manage_url(event)).status_code == 403
    assert client.post(manage_url(event), {"person": f"x #{person.pk}"}).status_code == 403
    assert client.post(reverse("events:speakers_remind", args=[event.slug])).status_code == 403
    assert (Speaker.objects.count(), mailoutbox, audit_actions()) == (1, [], [])


def test_anonymous_visitors_are_sent_to_log_in(event: Event) -> None:
    for url in (manage_url(event), my_talks_url(event)):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


# --- The speaker's own page --------------------------------------------------------------------------------------


def test_a_speaker_sees_their_sessions_files_and_what_is_missing(event: Event) -> None:
    keynote = SessionFactory(event=event, title_en="Chips for cars")
    panel = WorkshopFactory(event=event, title_en="Sensor salon")
    speaker = speaker_at(event, keynote, status=SpeakerStatus.INVITED)
    panel.session_speakers.create(speaker=speaker, role=SpeakerRole.PANELLIST)
    material = material_for(keynote)
    elsewhere = SessionFactory(event=event, title_en="Someone else's talk")

    response = client_for(speaker.person.user).get(my_talks_url(event))

    assert response.status_code == 200
    content = response.content.decode()
    assert [talk.session for talk, _form in response.context["talks"]] == [keynote, panel]
    assert "Chips for cars" in content and "Sensor salon" in content and "Someone else" not in content
    assert reverse("events:material", args=[event.slug, material.pk]) in content
    assert reverse("events:material_upload", args=[event.slug, keynote.pk]) in content
    assert reverse("events:material_upload", args=[event.slug, elsewhere.pk]) not in content
    assert "09:00–10:00" in content  # Shanghai time
    assert "your answer to the invitation" in content
    assert len(set(re.findall(r'id="(id_session\d+_title)"', content))) == 2  # one upload form per session


def test_someone_who_is_not_a_speaker_gets_a_clear_refusal(event: Event, stranger: User) -> None:
    response = client_for(stranger).get(my_talks_url(event))

    assert response.status_code == 403
    assert "You are not a speaker at this event." in response.content.decode()


def test_an_operator_opens_a_speakers_page_and_nobody_else_can(
    event: Event, operator_client: Client, stranger: User
) -> None:
    speaker = speaker_at(event, SessionFactory(event=event))
    other = speaker_at(event)

    assert operator_client.get(my_talks_url(event, f"?speaker={speaker.pk}")).status_code == 200
    assert client_for(stranger).get(my_talks_url(event, f"?speaker={speaker.pk}")).status_code == 403
    assert client_for(other.person.user).get(my_talks_url(event, f"?speaker={speaker.pk}")).status_code == 403
    assert operator_client.get(my_talks_url(event, "?speaker=99999")).status_code == 404
    assert operator_client.get(my_talks_url(event, "?speaker=abc")).status_code == 404


def test_a_speaker_accepts_and_declines_from_their_page(event: Event) -> None:
    speaker = speaker_at(event, status=SpeakerStatus.INVITED)
    client = client_for(speaker.person.user)
    answer = reverse("events:speaker_respond", args=[event.slug])

    assert client.post(answer, {"accept": "1"}).status_code == 302
    assert Speaker.objects.get(pk=speaker.pk).status == SpeakerStatus.ACCEPTED
    assert client.post(answer, {"accept": "0"}).status_code == 302
    assert Speaker.objects.get(pk=speaker.pk).status == SpeakerStatus.DECLINED
    assert client.post(answer, {"accept": "maybe"}).status_code == 400
    assert Speaker.objects.get(pk=speaker.pk).status == SpeakerStatus.DECLINED


def test_an_operator_answers_for_a_speaker_from_their_page(event: Event, operator_client: Client) -> None:
    speaker = speaker_at(event, status=SpeakerStatus.INVITED)

    response = operator_client.post(
        reverse("events:speaker_respond", args=[event.slug]), {"accept": "1", "speaker": speaker.pk}
    )

    assert response["Location"] == my_talks_url(event, f"?speaker={speaker.pk}")
    assert Speaker.objects.get(pk=speaker.pk).status == SpeakerStatus.ACCEPTED


def test_a_speaker_saves_biographies_and_a_photo(event: Event) -> None:
    speaker = speaker_at(event)

    response = client_for(speaker.person.user).post(
        my_talks_url(event), {"bio_zh": "车规芯片专家", "bio_en": "Chip expert", "photo": photo()}
    )

    assert response.status_code == 302
    speaker.refresh_from_db()
    assert (speaker.bio_zh, speaker.bio_en) == ("车规芯片专家", "Chip expert")
    assert speaker.photo.name.startswith("speakers/")


def test_a_bad_photo_is_shown_next_to_the_field_and_nothing_changes(event: Event) -> None:
    speaker = speaker_at(event, bio_en="Before")
    fake = upload("me.png", b"<svg onload=alert(1)>")

    response = client_for(speaker.person.user).post(
        my_talks_url(event), {"bio_zh": "", "bio_en": "After", "photo": fake}
    )

    assert response.status_code == 400
    assert response.context["profile_form"].errors["photo"] == ["The photo must be a JPEG, PNG or WebP image."]
    speaker.refresh_from_db()
    assert (speaker.bio_en, speaker.photo.name) == ("Before", "")
    assert audit_actions() == []


def test_a_speaker_uploads_slides_from_their_page_and_removes_them(event: Event) -> None:
    keynote = SessionFactory(event=event)
    speaker = speaker_at(event, keynote)
    client = client_for(speaker.person.user)
    back = my_talks_url(event) + f"#session-{keynote.pk}"

    response = client.post(
        reverse("events:material_upload", args=[event.slug, keynote.pk]),
        {"title": "Keynote slides", "file": pdf(), "is_slides": "on", "next": back},
    )

    assert (response.status_code, response["Location"]) == (302, back)
    material = Material.objects.get()
    assert (material.session, material.title, material.is_slides) == (keynote, "Keynote slides", True)

    response = client.post(reverse("events:material_delete", args=[event.slug, material.pk]), {"next": back})
    assert (response.status_code, response["Location"]) == (302, back)
    assert Material.objects.count() == 0


def test_a_refused_upload_shows_the_form_again_with_the_reason(event: Event) -> None:
    keynote = SessionFactory(event=event)
    speaker = speaker_at(event, keynote)

    response = client_for(speaker.person.user).post(
        reverse("events:material_upload", args=[event.slug, keynote.pk]),
        {"title": "Slides", "file": upload("slides.pdf", zip_bytes()), "next": "https://evil.example/"},
    )

    assert response.status_code == 400
    assert "content must match its extension" in response.context["form"].errors["file"][0]
    assert response.context["next_url"] == my_talks_url(event)  # never an address on another site
    assert Material.objects.count() == 0


def test_uploads_and_removals_by_anyone_else_are_refused(event: Event, stranger: User) -> None:
    keynote = SessionFactory(event=event)
    material = material_for(keynote)
    client = client_for(stranger)

    upload_response = client.post(
        reverse("events:material_upload", args=[event.slug, keynote.pk]), {"title": "x", "file": pdf()}
    )
    delete_response = client.post(reverse("events:material_delete", args=[event.slug, material.pk]))

    assert (upload_response.status_code, delete_response.status_code) == (403, 403)
    assert list(Material.objects.values_list("pk", flat=True)) == [material.pk]
    assert not AuditEntry.objects.exists()


def test_a_session_of_another_event_is_not_found(event: Event, operator_client: Client) -> None:
    elsewhere = SessionFactory()

    response = operator_client.post(
        reverse("events:material_upload", args=[event.slug, elsewhere.pk]), {"title": "x", "file": pdf()}
    )

    assert response.status_code == 404
    assert Material.objects.count() == 0


def build_talks(event: Event, speaker: Speaker, n: int) -> None:
    for _ in range(n):
        session = SessionFactory(event=event)
        session.session_speakers.create(speaker=speaker)
        material_for(session)
        material_for(session, is_slides=False)


def test_the_speakers_own_page_costs_the_same_queries_at_any_size(
    event: Event, django_assert_max_num_queries: Any
) -> None:
    speaker = speaker_at(event)
    client = client_for(speaker.person.user)
    build_talks(event, speaker, 1)
    small = queries_for(client, my_talks_url(event))
    build_talks(event, speaker, 15)

    with django_assert_max_num_queries(small):
        client.get(my_talks_url(event))


def test_the_missing_filter_agrees_with_the_gaps_shown(event: Event, operator_client: Client) -> None:
    """The filter is SQL and the row's gaps are Python: for every combination they pick the same speakers."""
    statuses = [SpeakerStatus.INVITED, SpeakerStatus.ACCEPTED, SpeakerStatus.DECLINED]
    for index in range(len(statuses) * 16):
        status, bits = statuses[index % 3], index // 3
        session = SessionFactory(event=event)
        speaker = complete(speaker_at(event, session, status=status, person=PersonFactory(name_en=f"S{index:02d}")))
        speaker.bio_zh = "" if bits & 1 else speaker.bio_zh
        speaker.bio_en = "" if bits & 2 else speaker.bio_en
        speaker.photo = "" if bits & 4 else speaker.photo
        speaker.save()
        if not bits & 8:
            material_for(session)
            material_for(session, is_slides=False)

    rows = operator_client.get(manage_url(event)).context["table"].rows  # 48 fit on one page
    missing = operator_client.get(manage_url(event, "?missing=1")).context["table"]

    assert len(rows) == 48
    assert sorted(row.speaker.pk for row in rows if row.gaps) == sorted(row.speaker.pk for row in missing.rows)
    assert missing.counts["missing"] == len(missing.rows) == 31  # 16 invited, and 15 of the 16 accepted
