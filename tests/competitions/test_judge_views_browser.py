"""The scoring flow a judge must be able to finish in a real browser: open their entries, score one (a refused
score first), save a draft, submit; then an operator sees the progress, reopens the review with a reason and
reads the ranking."""

import pytest
from playwright.sync_api import Page, expect

from chiptown.accounts.models import User
from chiptown.competitions.models import Review, ReviewStatus
from tests.browser.conftest import _browser_settings, browser_type_launch_args  # noqa: F401  (fixtures)
from tests.browser.support import log_in, shot
from tests.competitions.judging_support import (
    assign,
    eligible_entry,
    judge_in,
    judging_category,
    submitted_review,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_judge_scores_and_submits_and_an_operator_reopens(live_server, page: Page, operator: User) -> None:
    category = judging_category(winners=1)
    judge = judge_in(category)
    entry = eligible_entry(category, title="Zonal gateway MCU")
    assignment = assign(judge, entry)
    for n in range(3):  # other entries already scored by other judges, so the ranking has something to show
        other = eligible_entry(category, title=f"Scored {n}")
        for _ in range(2):
            submitted_review(assign(judge_in(category), other), {"innovation": 5 + n, "market": 6, "quality": 7})

    log_in(page, live_server.url, judge.user)
    page.goto(f"{live_server.url}/competition/judge/")
    expect(page.locator("table.judge-entries")).to_contain_text("Zonal gateway MCU")
    expect(page.locator("table.judge-entries")).not_to_contain_text("Scored 0")
    page.get_by_role("link", name="Score").click()
    page.fill("#id_score_innovation", "11")
    page.fill("#id_score_market", "7.5")
    page.fill("#id_comment_market", "Two OEM design wins")
    page.click("text=Save draft")
    expect(page.locator(".criterion.invalid")).to_contain_text("A score must lie between 0 and 10.")
    page.fill("#id_score_innovation", "8")
    page.click("text=Save draft")
    expect(page.locator(".messages")).to_contain_text("Draft saved.")
    expect(page.locator("#id_score_market")).to_have_value("7.5")
    page.click("button[value=submit]")
    expect(page.locator(".problems")).to_contain_text("Give a score for every criterion.")
    page.fill("#id_score_quality", "6.5")
    shot(page, "review")
    page.click("button[value=submit]")
    expect(page.locator(".messages")).to_contain_text("Review submitted.")
    expect(page.locator("table.judge-entries")).to_contain_text("Submitted")
    review = Review.objects.get(assignment=assignment)
    assert review.status == ReviewStatus.SUBMITTED
    assert review.scores == {"innovation": 8.0, "market": 7.5, "quality": 6.5}

    page.click("form.inline button.link")  # log out
    log_in(page, live_server.url, operator)
    page.goto(f"{live_server.url}/competition/categories/{category.pk}/progress/")
    expect(page.locator("h1")).to_contain_text("Judging progress")
    shot(page, "progress")
    page.goto(f"{live_server.url}/competition/entries/{entry.pk}/reviews/")
    expect(page.locator("table.review-table")).to_contain_text("Two OEM design wins")
    page.fill(f"#id_reason_{review.pk}", "Quality score typed in the wrong field")
    page.get_by_role("button", name="Reopen").click()
    expect(page.locator(".messages")).to_contain_text("Review reopened")
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT

    page.goto(f"{live_server.url}/competition/categories/{category.pk}/ranking/")
    expect(page.locator("figure.ranking-chart svg")).to_be_visible()
    expect(page.locator("table.ranking-table")).to_contain_text("Scored 2")
    shot(page, "ranking")
