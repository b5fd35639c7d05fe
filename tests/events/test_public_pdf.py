"""The printable programme (PDF): published sessions by day and time, rooms and speakers, in the reader's
language, with page numbers, the generation date and a demo-data mark."""

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from chiptown.events.models import Event, Session, SessionSpeaker
from tests.events.factories import EventFactory, RoomFactory, SessionFactory, SpeakerFactory, WorkshopFactory, at
from tests.events.public_support import build_programme, publish
from tests.factories import PersonFactory


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is not installed: run `make system-packages`")
    source = Path(os.environ.get("CHIPTOWN_KEEP_PROGRAMME_PDF", tmp_path / "programme.pdf"))
    source.write_bytes(pdf)
    done = subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, check=True)
    return done.stdout.decode()


@pytest.fixture
def programme_sessions(event: Event) -> list[Session]:
    hall = RoomFactory(event=event, name_en="Main Hall", name_zh="主会场")
    keynote = SessionFactory(
        event=event, room=hall, title_en="Automotive chips to 2030", title_zh="车规芯片展望2030", starts_at=at(1, 9)
    )
    SessionSpeaker.objects.create(
        session=keynote, speaker=SpeakerFactory(event=event, person=PersonFactory(name_en="Li Ming", name_zh="李明"))
    )
    salon = WorkshopFactory(event=event, room=hall, title_en="Salon on sensors", title_zh="传感器沙龙")
    return [keynote, salon]


def test_the_programme_pdf_lists_sessions_by_day(
    client: Client, event: Event, programme_sessions: list[Session], tmp_path: Path
) -> None:
    publish(event)

    response = client.get(f"/events/{event.slug}/programme.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{event.slug}-programme-v1.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path)
    assert "Programme: Chip to E-Town 2027" in text
    assert "Day 1:" in text and "Day 2:" in text
    assert text.index("Day 1:") < text.index("Automotive chips to 2030") < text.index("Day 2:")
    assert text.index("Day 2:") < text.index("Salon on sensors")
    assert "09:00–10:00" in text
    assert "Main Hall" in text and "Li Ming" in text
    assert "Sign-up needed" in text
    assert "Generated on " in text
    assert re.search(r"1\s*/\s*2", text) and re.search(r"2\s*/\s*2", text)  # page numbers: a day a page
    assert "Demo data" not in text


def test_the_programme_pdf_is_in_chinese_for_chinese_readers(
    client: Client, event: Event, programme_sessions: list[Session], tmp_path: Path
) -> None:
    publish(event)

    response = client.get(f"/events/{event.slug}/programme.pdf", HTTP_ACCEPT_LANGUAGE="zh-hans")

    text = pdf_text(response.content, tmp_path)
    assert "车规芯片展望2030" in text
    assert "主会场" in text and "李明" in text


def test_a_demo_events_pdf_says_so(client: Client, tmp_path: Path, db: Any) -> None:
    event = EventFactory(slug="demo", is_demo=True)
    build_programme(event, sessions=12)
    publish(event)

    text = pdf_text(client.get("/events/demo/programme.pdf").content, tmp_path)

    assert "Demo data: generated, not real." in text


def test_there_is_no_pdf_before_publication(client: Client, event: Event, programme_sessions: list[Session]) -> None:
    response = client.get(f"/events/{event.slug}/programme.pdf")

    assert response.status_code == 404
    assert "The programme of this event is not published yet." in response.text


def test_a_change_that_shows_makes_a_new_pdf(
    client: Client, event: Event, programme_sessions: list[Session], tmp_path: Path
) -> None:
    publish(event)
    first = client.get(f"/events/{event.slug}/programme.pdf").content
    again = client.get(f"/events/{event.slug}/programme.pdf").content
    programme_sessions[0].room.name_en = "Grand Ballroom"
    programme_sessions[0].room.save()

    renamed = client.get(f"/events/{event.slug}/programme.pdf").content

    assert again == first
    assert "Grand Ballroom" in pdf_text(renamed, tmp_path)
