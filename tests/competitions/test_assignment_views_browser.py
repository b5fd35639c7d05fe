"""The assignment flow an operator must be able to finish in a real browser: pin a judge (a conflicted pin is
refused with the reason), run the assignment as a background job with the fairness option, watch it finish and
read the run's figures and every entry's judges."""

import pytest
from playwright.sync_api import Page, expect

from chiptown.accounts.models import Role, User
from chiptown.competitions.models import Assignment, AssignmentRun, EntryStatus, PairRule
from tests.browser.conftest import _browser_settings, browser_type_launch_args  # noqa: F401  (fixtures)
from tests.browser.support import log_in, shot
from tests.competitions.factories import CategoryFactory, EntryFactory, JudgeFactory, PanelFactory
from tests.factories import SupplyLinkFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_operator_pins_a_judge_and_runs_a_fair_assignment(live_server, page: Page, operator: User) -> None:
    category = CategoryFactory(judges_per_entry=2, max_judge_load=5)
    panel = PanelFactory(category=category)
    topics = ["碳化硅功率模块", "激光雷达芯片", "车规MCU"]
    judges = []
    for n in range(5):
        judge = JudgeFactory(edition=category.edition, user=UserFactory(role=Role.JUDGE), expertise_text=topics[n % 3])
        panel.judges.add(judge)
        judges.append(judge)
    entries = [
        EntryFactory(category=category, status=EntryStatus.ELIGIBLE, title=f"{topics[n % 3]} {n}") for n in range(6)
    ]
    SupplyLinkFactory(supplier=entries[1].organisation, buyer=judges[2].person.organisation)

    log_in(page, live_server.url, operator)
    page.goto(f"{live_server.url}/competition/categories/{category.pk}/pairs/")
    page.fill("#id_entry", str(entries[1].pk))
    page.select_option("#id_judge", str(judges[2].pk))
    page.select_option("#id_kind", "pin")
    page.click("form.card button[type=submit]")
    expect(page.locator(".form-errors")).to_contain_text("This judge conflicts with the entry")
    expect(page.locator(".form-errors")).to_contain_text("is a supplier of the judge's organisation")
    assert PairRule.objects.count() == 0

    page.fill("#id_entry", str(entries[0].pk))
    page.select_option("#id_judge", str(judges[1].pk))
    page.select_option("#id_kind", "pin")
    page.fill("#id_reason", "Second opinion on the packaging")
    page.click("form.card button[type=submit]")
    expect(page.locator("table")).to_contain_text("Second opinion on the packaging")
    shot(page, "assignment-pairs")

    page.get_by_role("link", name="← Assignment").click()
    page.check("#id_fair")
    page.get_by_role("button", name="Run the assignment").click()
    expect(page.locator(".badge.ok").first).to_contain_text("Succeeded")
    page.reload()
    expect(page.locator("dl.figures")).to_contain_text("max-min bound")
    expect(page.locator("dl.figures")).to_contain_text("fair")
    run = AssignmentRun.objects.get()
    assert Assignment.objects.filter(run=run).count() == 12
    assert Assignment.objects.filter(entry=entries[0], judge=judges[1]).exists()
    assert not Assignment.objects.filter(entry=entries[1], judge=judges[2]).exists()
    expect(page.locator("table").last).to_contain_text(f"#{entries[0].pk}")
    shot(page, "assignment")
