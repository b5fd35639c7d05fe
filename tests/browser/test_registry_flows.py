"""The two registry flows a person must be able to finish in a real browser."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from chiptown.accounts.models import User
from chiptown.core.models import AuditEntry
from chiptown.registry.models import Organisation
from tests.factories import credit_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct-horse-battery"


def log_in(page: Page, base_url: str, user: User) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stacked button[type=submit]")
    expect(page.locator("header.top")).to_contain_text(user.username)


def test_operator_imports_a_file_and_finds_the_new_organisations(
    live_server, page: Page, operator: User, tmp_path: Path
) -> None:
    upload = tmp_path / "organisations.csv"
    upload.write_text(
        "name_zh,name_en,credit_code,country,province,in_park,roles\n"
        f"青松车规芯片,Qingsong Auto Chips,{credit_code(424242)},CN,北京市,yes,fabless\n"
        "莱茵功率,Rhein Power Devices,,DE,,no,idm;foundry\n",
        encoding="utf-8",
    )
    log_in(page, live_server.url, operator)

    page.goto(f"{live_server.url}/import/")
    page.select_option("#id_kind", "organisations")
    page.set_input_files("#id_file", str(upload))
    page.click("text=Upload and import")

    expect(page.locator("main")).to_contain_text("Succeeded", timeout=15_000)
    assert set(Organisation.objects.values_list("name_en", flat=True)) == {"Qingsong Auto Chips", "Rhein Power Devices"}
    assert AuditEntry.objects.filter(action="registry.import").count() == 1

    page.goto(f"{live_server.url}/")
    page.fill("#id_q", "青松")
    page.click("form.directory-filters button[type=submit]")
    results = page.locator("#results")
    expect(results).to_contain_text("Qingsong Auto Chips")
    expect(results).not_to_contain_text("Rhein Power Devices")
    results.get_by_role("link", name="Qingsong Auto Chips").first.click()
    expect(page.locator("h1")).to_contain_text("Qingsong Auto Chips")


def test_representative_edits_their_own_company_and_is_refused_another(
    live_server, page: Page, company_rep: User, company: Organisation, other_company: Organisation
) -> None:
    log_in(page, live_server.url, company_rep)

    page.goto(f"{live_server.url}/organisations/{company.pk}/")
    page.click("text=Edit organisation")
    page.fill("#id_name_en", "Alpha Semiconductor Automotive")
    page.fill("#id_founded_year", "2012")
    page.click("form.card button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("Changes saved.")
    expect(page.locator("h1")).to_contain_text("Alpha Semiconductor Automotive")
    company.refresh_from_db()
    assert (company.name_en, company.founded_year) == ("Alpha Semiconductor Automotive", 2012)

    page.goto(f"{live_server.url}/organisations/{other_company.pk}/")
    expect(page.locator("h1")).to_contain_text("Beta Microelectronics")
    expect(page.get_by_text("Edit organisation")).to_have_count(0)

    response = page.goto(f"{live_server.url}/organisations/{other_company.pk}/edit/")
    assert response is not None and response.status == 403
    expect(page.locator("main")).to_contain_text("You may not change this.")
    before = Organisation.objects.get(pk=other_company.pk)
    assert (before.name_en, before.founded_year) == ("Beta Microelectronics", 2015)
