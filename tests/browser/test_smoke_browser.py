import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_renders(live_server, page: Page) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.locator("h1")).to_have_text("Log in")
