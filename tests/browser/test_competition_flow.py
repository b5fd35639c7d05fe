"""The competition flow a newcomer must be able to finish in a real browser: a representative's application from
draft to submission, screening, the assignment, a judge's review, the operators' decision and publication, and
the certificate verified from the link the winner is emailed.

Two steps have no page and go through the services: moving the edition's timeline on (the edition's edit page
exists, but its datetime inputs add nothing to this flow) and the other judge's reviews (a second browser
login would only repeat the first)."""

import datetime
import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from chiptown.accounts.models import User
from chiptown.competitions.models import Assignment, AwardKind, Certificate, Decision, Entry, EntryStatus
from chiptown.competitions.services.editions import edition_update
from chiptown.competitions.services.reviews import review_submit
from chiptown.registry.models import Organisation
from tests.browser.support import log_in, shot
from tests.competitions.entries_support import PDF, category_of, ensure_chip_categories, open_edition, qualify
from tests.competitions.factories import EntryFactory, JudgeFactory
from tests.factories import OrganisationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page: Page) -> None:
    page.click("header.top button.link")


def _score(criterion: dict[str, Any], share: float) -> str:
    """A score at `share` of the criterion's range, on its steps (the standard rubrics score in halves)."""
    low, high = float(criterion.get("min", 0)), float(criterion.get("max", 10))
    step = float(criterion.get("step", 0.5))
    return str(low + round((high - low) * share / step) * step)


def _move_timeline(edition: Any, by: User, **days: float) -> None:
    now = timezone.now()
    edition_update(edition=edition, by=by, values={k: now + datetime.timedelta(days=v) for k, v in days.items()})
    edition.refresh_from_db()


def test_an_application_goes_from_draft_to_a_verifiable_certificate(
    live_server: Any,
    page: Page,
    settings: Any,
    operator: User,
    company_rep: User,
    company: Organisation,
    tmp_path: Path,
) -> None:
    ensure_chip_categories()
    settings.SITE_URL = live_server.url
    edition = open_edition(operator, year=2031)
    top50 = category_of(edition, AwardKind.TOP50)
    top50.winners, top50.judges_per_entry = 1, 2
    top50.save(update_fields=["winners", "judges_per_entry"])
    product = qualify(company).product
    judges = [JudgeFactory(edition=edition, person__organisation=OrganisationFactory()) for _ in range(2)]
    top50.panel.judges.add(*judges)
    rivals = [
        EntryFactory(
            category=top50, status=EntryStatus.ELIGIBLE, title=f"Rival {n}", organisation=OrganisationFactory()
        )
        for n in range(3)
    ]
    document = tmp_path / "technology.pdf"
    document.write_bytes(PDF)

    # The representative writes a draft, attaches a document and submits.
    log_in(page, live_server.url, company_rep)
    page.goto(f"{live_server.url}/competition/2031/")
    page.locator("#top50").get_by_role("link", name="Apply").click()
    page.select_option("#id_product", str(product.pk))
    page.fill("#id_answer_products", "车身控制 MCU，已在 12 家整车厂量产。")
    page.fill("#id_answer_technology", "40nm automotive process, ASIL-B.")
    page.fill("#id_answer_revenue_mcny", "320")
    page.click("text=Save draft")
    expect(page.locator(".messages")).to_contain_text("Draft saved.")
    entry = Entry.objects.get(category=top50, organisation=company)
    assert entry.status == EntryStatus.DRAFT
    page.set_input_files("#id_file", str(document))
    page.get_by_role("button", name="Attach", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Document attached.")
    page.click("form[action$='/submit/'] button")
    expect(page.locator(".messages")).to_contain_text("Application submitted.")
    log_out(page)

    # An operator screens it eligible.
    log_in(page, live_server.url, operator)
    page.goto(f"{live_server.url}/competition/2031/top50/screening/")
    page.locator("tr", has_text="Alpha Semiconductor").get_by_role("button", name="Eligible").click()
    expect(page.locator(".messages")).to_contain_text("Decision recorded")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.ELIGIBLE

    # Applications close and judging starts; the operator runs the assignment.
    _move_timeline(
        edition, operator, applications_open_at=-20, applications_close_at=-0.1, judging_start_at=-0.05,
        judging_end_at=10, results_at=11,
    )  # fmt: skip
    page.goto(f"{live_server.url}/competition/categories/{top50.pk}/assignment/")
    page.get_by_role("button", name="Run the assignment").click()
    expect(page.locator("main")).to_contain_text("Succeeded", timeout=20_000)
    assert Assignment.objects.filter(entry=entry).count() == 2
    assert Assignment.objects.filter(entry__category=top50).count() == 8
    log_out(page)

    # A judge scores the application in the browser; the other reviews come in through the service.
    judge = judges[0]
    log_in(page, live_server.url, judge.user)
    page.goto(f"{live_server.url}/competition/judge/")
    page.locator("table.judge-entries tr", has_text=entry.title).get_by_role("link", name="Score").click()
    for criterion in top50.rubric:
        page.fill(f"#id_score_{criterion['code']}", _score(criterion, 0.95))
    page.click("button[value=submit]")
    expect(page.locator("main")).to_contain_text("submitted")
    log_out(page)
    for assignment in Assignment.objects.filter(entry__category=top50).select_related("judge__user", "entry"):
        if assignment.judge == judge and assignment.entry == entry:
            continue
        share = 0.9 if assignment.entry == entry else 0.4 + 0.1 * rivals.index(assignment.entry)
        scores = {criterion["code"]: _score(criterion, share) for criterion in top50.rubric}
        review_submit(assignment=assignment, by=assignment.judge.user, scores=scores)

    # Judging ends; the operator decides as the ranking proposes and publishes.
    _move_timeline(edition, operator, judging_end_at=-0.01, results_at=0)
    log_in(page, live_server.url, operator)
    page.goto(f"{live_server.url}/competition/2031/results/manage/")
    expect(page.locator("main")).to_contain_text("Automotive Chip Top 50: not decided yet.")
    page.goto(f"{live_server.url}/competition/categories/{top50.pk}/decisions/")
    expect(page.locator(f"input[name=winner_{entry.pk}]")).to_be_checked()
    shot(page, "decisions")
    page.click("text=Save the decision")
    expect(page.locator(".messages")).to_contain_text("Decision saved")
    assert list(Decision.objects.filter(is_winner=True).values_list("entry_id", "rank")) == [(entry.pk, 1)]
    page.goto(f"{live_server.url}/competition/2031/results/manage/")
    page.click("text=Publish the results")
    expect(page.locator(".messages")).to_contain_text("Results published: 1 certificates issued")
    log_out(page)

    # The winner's email links to the certificate; its verification page says it is valid.
    certificate = Certificate.objects.get()
    assert certificate.entry == entry
    winner_mail = next(m for m in mail.outbox if m.to == [company_rep.email] and "award" in m.subject)
    verify_url = re.search(r"http://\S+/competition/verify/\S+/", winner_mail.body)
    assert verify_url is not None and verify_url.group(0) == f"{live_server.url}/competition/verify/{certificate.code}/"
    page.goto(verify_url.group(0))
    expect(page.locator(".verdict")).to_contain_text("Valid")
    expect(page.locator(".verdict")).to_contain_text("Alpha Semiconductor")
    expect(page.locator(".verdict")).to_contain_text("Automotive Chip Top 50")
    shot(page, "verify")
    pdf = page.request.get(f"{live_server.url}/competition/certificates/{certificate.code}.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    page.goto(f"{live_server.url}/competition/2031/results/")
    expect(page.locator("#award-top50")).to_contain_text("Alpha Semiconductor")
