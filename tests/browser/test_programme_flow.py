"""The flow "operator builds and publishes the programme" in a real browser: the grid editor of an event with two
rooms, a new session placed where its speaker is already busy (the clash panel says so and the session is marked),
moved until the clash is gone, published as version 1, listed on the versions page and shown on the public
programme."""

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from chiptown.accounts.models import User
from chiptown.events.models import Event, ProgrammeVersion, Session
from chiptown.events.services import programme as services
from tests.browser.support import log_in, shot
from tests.events.factories import EventFactory, RoomFactory, SessionFactory, SpeakerFactory, at

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_builds_and_publishes_the_programme(live_server: Any, page: Page, operator: User) -> None:
    event: Event = EventFactory(slug="2027", name_en="Chip to E-Town 2027", name_zh="芯动亦庄 2027")
    hall = RoomFactory(event=event, name_en="Hall 1", name_zh="一号厅", capacity=300, position=1)
    salon = RoomFactory(event=event, name_en="Salon 2", name_zh="二号沙龙", capacity=60, position=2)
    zhang = SpeakerFactory(event=event, person__name_en="Zhang Wei", person__name_zh="张伟")
    keynote = SessionFactory(
        event=event, room=hall, title_en="Keynote A", title_zh="主题演讲A", starts_at=at(1, 9), ends_at=at(1, 10)
    )
    services.session_speakers_set(session=keynote, speakers=[(zhang, "speaker")], by=operator)
    base = live_server.url

    log_in(page, base, operator)
    page.goto(f"{base}/events/2027/manage/programme/")
    expect(page.locator(f"#grid-session-{keynote.pk}")).to_contain_text("Keynote A")
    expect(page.locator("#clashes")).to_contain_text("No clashes")

    # A new session with Zhang Wei on the panel; the editor then opens its small form.
    page.get_by_role("link", name="New session").first.click()
    page.select_option("#id_kind", "panel")
    page.fill("#id_title_en", "Panel B")
    page.fill("#id_title_zh", "圆桌B")
    page.fill("#id_expected_audience", "50")
    page.select_option(f"#id_role_{zhang.pk}", "panellist")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Session created")
    panel = Session.objects.get(title_en="Panel B")
    slot = page.locator("#slot-form")
    expect(slot).to_contain_text("Panel B")
    expect(page.locator("#unscheduled")).to_contain_text("Panel B")

    # Into Salon 2 at 09:30, while Zhang Wei still speaks in Hall 1: saved, with a warning.
    slot.locator("#id_room").select_option(str(salon.pk))
    slot.locator("#id_day").select_option("1")
    slot.locator("#id_starts").fill("09:30")
    slot.locator("#id_ends").fill("10:30")
    slot.get_by_role("button", name="Save").click()
    clash = (
        "Zhang Wei is in two places at once on June 15: Keynote A (Hall 1, 09:00–10:00) and "
        "Panel B (Salon 2, 09:30–10:30)."
    )
    expect(page.locator("#clashes")).to_contain_text(clash)
    expect(slot.locator(".pe-warnings")).to_contain_text("Zhang Wei is in two places at once")
    expect(page.locator(f"#grid-session-{panel.pk}")).to_have_class(
        "pg-session pg-c3 pg-r20 pg-h12 track-none kind-panel clash"
    )
    expect(page.locator(f"#grid-session-{keynote.pk}")).to_contain_text("Keynote A")
    shot(page, "programme-editor-clash")

    # Moved after the keynote: the warning goes away.
    slot.locator("#id_starts").fill("10:00")
    slot.locator("#id_ends").fill("11:00")
    slot.get_by_role("button", name="Save").click()
    expect(page.locator("#clashes")).to_contain_text("No clashes")
    expect(page.locator(f"#grid-session-{panel.pk}")).not_to_have_class("clash")
    expect(page.locator(f"#grid-session-{panel.pk}")).to_contain_text("10:00–11:00")
    expect(page.locator(".pg-session.clash")).to_have_count(0)
    panel.refresh_from_db()
    assert (panel.room, panel.starts_at, panel.ends_at) == (salon, at(1, 10), at(1, 11))
    shot(page, "programme-editor-moved")

    # Publish: the pending changes, then version 1.
    page.get_by_role("link", name="Publish").first.click()
    expect(page.locator("#pending")).to_contain_text("Panel B was added: June 15, 10:00–11:00, Salon 2.")
    page.get_by_role("button", name="Publish version 1").click()
    expect(page.locator(".messages")).to_contain_text("Version 1 is published with 2 changes.")
    assert ProgrammeVersion.objects.get(event=event).number == 1

    page.goto(f"{base}/events/2027/manage/versions/")
    expect(page.locator("#version-1")).to_contain_text("Version 1")
    expect(page.locator("#version-1")).to_contain_text("Panel B was added: June 15, 10:00–11:00, Salon 2.")
    shot(page, "programme-versions")

    # The public programme (part B) shows the published session.
    page.goto(f"{base}/events/2027/")
    expect(page.locator("main")).to_contain_text("Panel B")
    expect(page.locator("main")).to_contain_text("Keynote A")
