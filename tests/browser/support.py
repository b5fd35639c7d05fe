"""What every browser test shares: the test users' password, logging in through the real form, screenshots on
demand (set CHIPTOWN_SCREENSHOTS to a folder to collect them, e.g. for the README)."""

import os
from pathlib import Path

from playwright.sync_api import Page, expect

from chiptown.accounts.models import User

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
SCREENSHOTS = os.environ.get("CHIPTOWN_SCREENSHOTS", "")


def log_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    expect(page.locator("header.top")).to_contain_text(user.username)


def shot(page: Page, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)
