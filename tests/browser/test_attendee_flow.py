"""The flow "register, sign up for a workshop, get promoted from the waiting list, check in" in a real browser:
an attendee registers, finds the salon full and joins its waiting list; the person holding the only seat gives it
up, the attendee is offered it (by email) and accepts; at the door a staff member scans the badge (the scanner
types the address the QR code holds) and a second scan says the badge was already used."""

from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from chiptown.accounts.models import User
from chiptown.events.badges import badge_url
from chiptown.events.models import Registration, RegistrationStatus, Signup, SignupStatus
from chiptown.events.services import programme as programme_services
from chiptown.events.services import seats as seat_services
from tests.browser.support import log_in
from tests.events.factories import EventFactory, RegistrationFactory, WorkshopFactory
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_join_the_waiting_list_get_the_seat_and_check_in(
    live_server: Any, page: Page, browser: Browser, operator: User, mailoutbox: Any
) -> None:
    event = EventFactory(slug="2027", name_en="Chip to E-Town 2027", name_zh="芯动亦庄 2027", registration_open=True)
    salon = WorkshopFactory(event=event, title_en="Salon: SiC in 800 V drives", capacity=1)
    programme_services.programme_publish(event=event, by=operator)
    bob = UserFactory(username="bob", email="bob@example.com")
    RegistrationFactory(event=event, user=bob)
    seat_services.signup_create(session=salon, user=bob, by=bob)
    alice = UserFactory(
        username="alice", first_name="Alice", last_name="Wang", email="alice@example.com", language="en"
    )
    base = live_server.url

    # Register.
    log_in(page, base, alice)
    page.goto(f"{base}/events/2027/register/")
    page.get_by_role("button", name="Register").click()
    expect(page).to_have_url(f"{base}/events/2027/me/")
    expect(page.locator("img.badge-qr")).to_be_visible()
    registration = Registration.objects.get(event=event, user=alice)
    assert registration.status == RegistrationStatus.CONFIRMED

    # The salon is full: join its waiting list.
    page.goto(f"{base}/events/2027/sessions/{salon.pk}/")
    seat = page.locator(".seat-state")
    expect(seat).to_contain_text("Full: new sign-ups join the waiting list.")
    seat.get_by_role("button", name="Join the waiting list").click()
    expect(seat).to_contain_text("You are number 1 on the waiting list.")

    # Bob gives up his seat: it is offered to Alice, who is told by email and accepts on the page.
    bob_signup = Signup.objects.get(session=salon, registration__user=bob, status=SignupStatus.CONFIRMED)
    seat_services.signup_cancel(signup=bob_signup, by=bob)
    assert any(message.to == ["alice@example.com"] for message in mailoutbox)
    page.reload()
    expect(seat).to_contain_text("A seat is yours until")
    seat.get_by_role("button", name="Accept the seat").click()
    expect(seat).to_contain_text("Your seat is confirmed.")
    salon.refresh_from_db()
    assert salon.seats_taken == 1
    assert Signup.objects.get(session=salon, registration=registration).status == SignupStatus.CONFIRMED

    # At the door: the operator (who may check people in) scans Alice's badge, twice.
    desk = browser.new_context(base_url=base).new_page()
    log_in(desk, base, operator)
    desk.goto(f"{base}/events/2027/checkin/")
    desk.fill("#id_token", badge_url(registration))
    desk.press("#id_token", "Enter")
    result = desk.locator("#scan-result .checkin-result")
    expect(result).to_have_attribute("data-outcome", "ok")
    expect(result).to_contain_text("Alice Wang")
    registration.refresh_from_db()
    assert registration.checked_in_at is not None

    desk.fill("#id_token", badge_url(registration))
    desk.press("#id_token", "Enter")
    expect(result).to_have_attribute("data-outcome", "already")
    first_check_in = registration.checked_in_at
    registration.refresh_from_db()
    assert registration.checked_in_at == first_check_in
