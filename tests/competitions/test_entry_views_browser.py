"""The application flow a company representative must be able to finish in a real browser: open the edition,
apply for Top 50, answer, attach a PDF, submit; then an operator screens it eligible from the screening list."""

from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from chiptown.accounts.models import User
from chiptown.competitions.models import AwardKind, Entry, EntryStatus
from chiptown.registry.models import Organisation
from tests.browser.conftest import _browser_settings, browser_type_launch_args  # noqa: F401  (fixtures)
from tests.browser.support import log_in, shot
from tests.competitions.entries_support import PDF, category_of, ensure_chip_categories, open_edition, qualify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_representative_applies_submits_and_operator_screens_eligible(
    live_server, page: Page, operator: User, company_rep: User, company: Organisation, tmp_path: Path
) -> None:
    ensure_chip_categories()
    edition = open_edition(operator, year=2031)
    top50 = category_of(edition, AwardKind.TOP50)
    product = qualify(company).product
    document = tmp_path / "白皮书.pdf"
    document.write_bytes(PDF)

    log_in(page, live_server.url, company_rep)
    page.goto(f"{live_server.url}/competition/2031/")
    shot(page, "edition")
    page.locator("#top50").get_by_role("link", name="Apply").click()
    expect(page.locator("h1")).to_contain_text("Apply for Automotive Chip Top 50")
    page.select_option("#id_product", str(product.pk))
    page.fill("#id_answer_products", "车身控制 MCU，已在 12 家整车厂量产。")
    page.fill("#id_answer_technology", "40nm automotive process, ASIL-B.")
    page.fill("#id_answer_revenue_mcny", "not a number")
    page.click("text=Save draft")
    expect(page.locator(".field.has-error")).to_contain_text("not a number is not a number.")
    page.fill("#id_answer_revenue_mcny", "320")
    shot(page, "apply")
    page.click("text=Save draft")
    expect(page.locator(".messages")).to_contain_text("Draft saved.")

    page.set_input_files("#id_file", str(document))
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Document attached.")
    expect(page.locator("main")).to_contain_text("白皮书.pdf")
    page.click("form[action$='/submit/'] button")
    expect(page.locator(".messages")).to_contain_text("Application submitted.")
    expect(page.locator(".page-head .badge").first).to_contain_text("Submitted")
    shot(page, "entry")
    entry = Entry.objects.get(category=top50)
    assert entry.status == EntryStatus.SUBMITTED and entry.answers["revenue_mcny"] == 320
    assert [m.subject for m in mail.outbox] == ["[ChipTown] Application received"]

    page.click("header.top button.link")  # log out
    log_in(page, live_server.url, operator)
    page.goto(f"{live_server.url}/competition/2031/top50/screening/")
    expect(page.locator("table")).to_contain_text("Alpha Semiconductor")
    expect(page.locator("table")).to_contain_text("All met")
    shot(page, "screening")
    page.locator("table").get_by_role("button", name="Eligible").click()
    expect(page.locator(".messages")).to_contain_text("Decision recorded")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ELIGIBLE and entry.screened_by == operator
    assert mail.outbox[-1].subject == "[ChipTown] Eligibility decision on your application"
