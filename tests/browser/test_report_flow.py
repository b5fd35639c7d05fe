"""The flow "build the annual report, read it, publish it, run a disruption scenario" in a real browser: an operator
builds this year's report from the editions page (the build runs as the background job, in-process here), opens the
HTML and the PDF, publishes the edition, then goes from the dashboard to the chokepoints and simulates the largest
one's failure, and sees who is hit and which qualified supplier could replace it."""

from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from chiptown.accounts.models import User
from chiptown.reports.models import ReportEdition
from chiptown.reports.services import bills_of_materials_ensure
from tests.browser.support import log_in, shot
from tests.reports.scenario_fixtures import scenario_registry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_build_read_publish_the_report_and_run_a_scenario(live_server: Any, page: Page, operator: User) -> None:
    registry = scenario_registry()
    bills_of_materials_ensure()
    year = timezone.localdate().year
    base = live_server.url

    log_in(page, base, operator)
    page.goto(f"{base}/reports/editions/")
    expect(page.locator("main")).to_contain_text("No report has been built yet.")
    page.fill("#report-year", str(year))
    page.get_by_role("button", name="Build the report").click()

    expect(page).to_have_url(f"{base}/reports/editions/{year}/")
    expect(page.locator("main")).to_contain_text("Read the report")
    edition = ReportEdition.objects.get(year=year)
    expect(page.locator("main")).to_contain_text(edition.snapshot_sha256)
    shot(page, "report-edition")

    # The HTML report opens with its cover and every section; the PDF is served as a PDF.
    page.get_by_role("link", name="Web page (HTML)").first.click()
    expect(page.locator("h1").first).to_contain_text(str(year))
    expect(page.locator("body")).to_contain_text("Alpha Microcontrollers")
    page.go_back()
    pdf = page.request.get(f"{base}/reports/editions/{year}/report-en.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")

    page.get_by_role("button", name="Publish and freeze").click()
    expect(page.locator("main")).to_contain_text("This edition is frozen")
    assert ReportEdition.objects.get(year=year).is_published

    # From the dashboard to the chokepoints, and the largest one's failure simulated.
    page.goto(f"{base}/reports/")
    page.get_by_role("link", name="Chokepoints").first.click()
    page.get_by_role("link", name="Simulate this failure").first.click()
    expect(page.locator("#result-title")).to_be_visible()
    hits = page.locator("table.scenario-hits")
    expect(hits).to_contain_text(registry.tier.name_en)
    expect(hits.locator(".scenario-alternatives").first).to_contain_text(registry.beta.name_en)
    shot(page, "report-scenario")
