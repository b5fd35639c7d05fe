"""A judge's pages: their entries with progress, and the review page. Blind (no other judge's scores, before or
after submitting), locked once submitted, closed to anyone not assigned and to a conflicted judge, and a
constant number of queries whatever the number of entries."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chiptown.competitions.models import ConflictDeclaration, Review, ReviewStatus
from chiptown.core.models import AuditEntry
from tests.competitions.judging_support import (
    assign,
    eligible_entry,
    judge_in,
    judging_category,
    review_form,
    review_rows,
    submitted_review,
)
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

JUDGE_HOME = reverse("competitions:judge_home")


def review_url(entry: Any) -> str:
    return reverse("competitions:judge_review", args=[entry.pk])


@pytest.fixture
def category() -> Any:
    return judging_category()


@pytest.fixture
def judge(category: Any) -> Any:
    return judge_in(category)


@pytest.fixture
def judge_client(judge: Any) -> Client:
    return client_for(judge.user)


# --- The judge's page ---------------------------------------------------------------------------------------------


def test_the_judge_page_lists_own_entries_with_progress(category: Any, judge: Any, judge_client: Client) -> None:
    to_do = assign(judge, eligible_entry(category, title="Lockstep MCU"))
    drafted = assign(judge, eligible_entry(category, title="SiC inverter"))
    Review.objects.create(assignment=drafted, scores={"innovation": 7}, version=1)
    done = assign(judge, eligible_entry(category, title="Radar SoC"))
    submitted_review(done, {"innovation": 8, "market": 7, "quality": 9})
    assign(judge_in(category), eligible_entry(category, title="Someone else's entry"))
    assign(judge, eligible_entry(category, title="Withdrawn one", status="withdrawn"))
    assign(judge, eligible_entry(category, title="My own company", organisation=judge.person.organisation))

    response = judge_client.get(JUDGE_HOME)

    assert response.status_code == 200
    page = response.context["page"]
    rows = [row for group in page.categories for row in group.rows]
    assert [(row.entry.title, row.state) for row in rows] == [
        ("Lockstep MCU", "todo"),
        ("SiC inverter", "draft"),
        ("Radar SoC", "submitted"),
    ]
    assert page.counts == {"todo": 1, "draft": 1, "submitted": 1}
    assert rows[2].weighted == pytest.approx(0.4 * 8 + 0.3 * 7 + 0.3 * 9)
    content = response.content.decode()
    assert "Someone else&#x27;s entry" not in content and "Someone else's entry" not in content
    assert "Withdrawn one" not in content
    assert "My own company" not in content
    assert reverse("competitions:judge_review", args=[to_do.entry_id]) in content


def test_an_edition_page_shows_only_that_edition(category: Any, judge: Any, judge_client: Client) -> None:
    assign(judge, eligible_entry(category, title="This year"))
    later = judging_category()
    later_judge = judge_in(later, user=judge.user)
    assign(later_judge, eligible_entry(later, title="Next year"))

    everything = judge_client.get(JUDGE_HOME)
    one = judge_client.get(reverse("competitions:judge_edition", args=[category.edition.year]))

    assert everything.context["page"].total == 2
    assert [r.entry.title for g in one.context["page"].categories for r in g.rows] == ["This year"]


def test_a_judge_who_dropped_out_sees_no_entries(category: Any, judge: Any, judge_client: Client) -> None:
    assign(judge, eligible_entry(category, title="Before the drop-out"))
    judge.active = False
    judge.save()

    home = judge_client.get(JUDGE_HOME)
    edition = judge_client.get(reverse("competitions:judge_edition", args=[category.edition.year]))

    assert home.status_code == 200
    assert home.context["page"].categories == []
    assert "Before the drop-out" not in home.content.decode()
    assert edition.status_code == 404


def test_someone_who_judges_nothing_gets_an_empty_page(stranger_client: Client, category: Any) -> None:
    response = stranger_client.get(JUDGE_HOME)
    assert response.status_code == 200
    assert "You are not a judge in any edition." in response.content.decode()
    assert stranger_client.get(reverse("competitions:judge_edition", args=[category.edition.year])).status_code == 404


def test_the_judge_page_needs_a_sign_in(client: Client) -> None:
    response = client.get(JUDGE_HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Blind ----------------------------------------------------------------------------------------------------------


def test_a_judge_never_sees_another_judges_scores_before_or_after_submitting(
    category: Any, judge: Any, judge_client: Client
) -> None:
    entry = eligible_entry(category, title="Shared entry")
    mine = assign(judge, entry)
    other = assign(judge_in(category), entry)
    submitted_review(
        other,
        {"innovation": 1.5, "market": 2.5, "quality": 3.5},
        comments={"innovation": "OTHER-JUDGE-SECRET-COMMENT"},
        overall_comment="OTHER-JUDGE-OVERALL",
    )
    secrets = ["OTHER-JUDGE-SECRET-COMMENT", "OTHER-JUDGE-OVERALL", "1.5", "2.5", "3.5", "2.40"]

    pages_before = [judge_client.get(JUDGE_HOME), judge_client.get(review_url(entry))]
    posted = judge_client.post(review_url(entry), review_form("submit"))
    assert posted.status_code == 302
    assert Review.objects.get(assignment=mine).status == ReviewStatus.SUBMITTED
    pages_after = [judge_client.get(JUDGE_HOME), judge_client.get(review_url(entry))]

    for response in pages_before + pages_after:
        content = response.content.decode()
        assert response.status_code == 200
        for secret in secrets:
            assert secret not in content, secret
        assert "average" not in content.lower()
    # After submitting, the judge sees their own scores (8, 7.5, 6) and weighted score.
    assert "7.5" in pages_after[1].content.decode()
    assert pages_after[1].context["weighted"] == pytest.approx(0.4 * 8 + 0.3 * 7.5 + 0.3 * 6)


# --- The review page ------------------------------------------------------------------------------------------------


def test_saving_a_draft_then_submitting(category: Any, judge: Any, judge_client: Client) -> None:
    entry = eligible_entry(category, title="Zonal controller", answers={"summary": "ASIL-D zonal MCU"})
    category.form_fields = [{"name": "summary", "label_en": "Summary", "label_zh": "摘要", "type": "textarea"}]
    category.save()
    assignment = assign(judge, entry)

    page = judge_client.get(review_url(entry))
    assert page.status_code == 200
    content = page.content.decode()
    assert "ASIL-D zonal MCU" in content and 'name="score_innovation"' in content

    saved = judge_client.post(review_url(entry), review_form("save", quality=""))
    assert saved.status_code == 302 and saved["Location"] == review_url(entry)
    review = Review.objects.get(assignment=assignment)
    assert (review.status, review.scores, review.version) == ("draft", {"innovation": 8.0, "market": 7.5}, 1)
    assert review.comments["market"] == "About market"

    again = judge_client.get(review_url(entry))
    assert 'value="7.5"' in again.content.decode()

    submitted = judge_client.post(review_url(entry), review_form("submit", version=1))
    assert submitted.status_code == 302
    assert submitted["Location"] == reverse("competitions:judge_edition", args=[category.edition.year])
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.scores == {"innovation": 8.0, "market": 7.5, "quality": 6.0}
    assert list(AuditEntry.objects.order_by("pk").values_list("action", flat=True)) == ["review.save", "review.submit"]

    locked = judge_client.get(review_url(entry)).content.decode()
    assert 'name="score_innovation"' not in locked
    assert "The review is locked" in locked


def test_a_score_out_of_range_is_refused_with_the_form_kept(category: Any, judge: Any, judge_client: Client) -> None:
    entry = eligible_entry(category)
    assign(judge, entry)
    judge_client.post(review_url(entry), review_form("save", quality=""))
    before = review_rows()

    response = judge_client.post(review_url(entry), review_form("submit", version=1, innovation="12"))

    assert response.status_code == 400
    content = response.content.decode()
    assert "A score must lie between 0 and 10." in content
    assert 'value="12"' in content  # what the judge typed stays in the form
    assert review_rows() == before


def test_a_second_submission_is_refused_and_changes_nothing(category: Any, judge: Any, judge_client: Client) -> None:
    entry = eligible_entry(category)
    assign(judge, entry)
    assert judge_client.post(review_url(entry), review_form("submit")).status_code == 302
    before = review_rows()
    audit = AuditEntry.objects.count()

    response = judge_client.post(review_url(entry), review_form("submit", version=1, market="2"))

    assert response.status_code == 409
    assert "already submitted" in response.content.decode()
    assert review_rows() == before
    assert AuditEntry.objects.count() == audit


def test_a_save_from_a_stale_tab_is_refused(category: Any, judge: Any, judge_client: Client) -> None:
    entry = eligible_entry(category)
    assign(judge, entry)
    judge_client.post(review_url(entry), review_form("save", version=0, market="5"))
    judge_client.post(review_url(entry), review_form("save", version=1, market="6"))
    before = review_rows()

    response = judge_client.post(review_url(entry), review_form("save", version=1, market="1"))

    assert response.status_code == 409
    assert "changed in another window" in response.content.decode()
    assert review_rows() == before


# --- Refusals -------------------------------------------------------------------------------------------------------


def test_an_unassigned_entry_is_a_404_and_nothing_changes(category: Any, judge: Any, judge_client: Client) -> None:
    assign(judge, eligible_entry(category))
    theirs = eligible_entry(category, title="Not yours")
    assign(judge_in(category), theirs)
    unassigned = eligible_entry(category, title="Nobody's")

    for entry in (theirs, unassigned):
        assert judge_client.get(review_url(entry)).status_code == 404
        response = judge_client.post(review_url(entry), review_form("submit"))
        assert response.status_code == 404
        assert "Not yours" not in response.content.decode()
    assert not Review.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_conflicted_entry_is_a_403_and_shows_nothing_of_it(category: Any, judge: Any, judge_client: Client) -> None:
    declared = eligible_entry(category, title="Declared conflict", answers={"summary": "CONFIDENTIAL-PLAN"})
    own = eligible_entry(category, title="Own company", organisation=judge.person.organisation)
    assign(judge, declared)
    assign(judge, own)
    ConflictDeclaration.objects.create(judge=judge, entry=declared, reason="Board member")

    for entry in (declared, own):
        shown = judge_client.get(review_url(entry))
        posted = judge_client.post(review_url(entry), review_form("submit"))
        assert shown.status_code == 403 and posted.status_code == 403
        for response in (shown, posted):
            content = response.content.decode()
            assert entry.title not in content and "CONFIDENTIAL-PLAN" not in content
    assert not Review.objects.exists()
    assert not AuditEntry.objects.exists()


def test_a_judge_who_dropped_out_cannot_open_or_post(category: Any, judge: Any, judge_client: Client) -> None:
    entry = eligible_entry(category)
    assign(judge, entry)
    judge.active = False
    judge.save()

    assert judge_client.get(review_url(entry)).status_code == 403
    assert judge_client.post(review_url(entry), review_form("submit")).status_code == 403
    assert not Review.objects.exists()


def test_an_operator_or_a_stranger_cannot_use_a_judges_review_page(
    category: Any, judge: Any, operator_client: Client, stranger_client: Client
) -> None:
    entry = eligible_entry(category)
    assign(judge, entry)
    for client in (operator_client, stranger_client):
        assert client.get(review_url(entry)).status_code == 404
        assert client.post(review_url(entry), review_form("submit")).status_code == 404
    assert not Review.objects.exists()


def test_a_withdrawn_entry_shows_read_only_and_refuses_a_post(category: Any, judge: Any, judge_client: Client) -> None:
    entry = eligible_entry(category)
    assign(judge, entry)
    entry.status = "withdrawn"
    entry.save()

    page = judge_client.get(review_url(entry))
    posted = judge_client.post(review_url(entry), review_form("submit"))

    assert page.status_code == 200
    assert "This entry is no longer in the competition." in page.content.decode()
    assert 'name="score_innovation"' not in page.content.decode()
    assert posted.status_code == 409
    assert not Review.objects.exists()


# --- Queries --------------------------------------------------------------------------------------------------------


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def build_judge_load(category: Any, judge: Any, n: int) -> None:
    for index in range(n):
        entry = eligible_entry(category)
        assignment = assign(judge, entry)
        if index % 3 == 1:
            Review.objects.create(assignment=assignment, scores={"innovation": 5}, version=1)
        elif index % 3 == 2:
            submitted_review(assignment, {"innovation": 5, "market": 6, "quality": 7})
        assign(judge_in(category), entry)


def test_the_judge_page_costs_the_same_queries_at_any_size(
    category: Any, judge: Any, judge_client: Client, django_assert_max_num_queries: Any
) -> None:
    build_judge_load(category, judge, 3)
    small = queries_for(judge_client, JUDGE_HOME)
    build_judge_load(category, judge, 30)
    later = judging_category()  # a second edition judged by the same person
    build_judge_load(later, judge_in(later, user=judge.user), 5)
    large = queries_for(judge_client, JUDGE_HOME)

    assert large == small
    with django_assert_max_num_queries(small):
        judge_client.get(reverse("competitions:judge_edition", args=[category.edition.year]))


def test_the_review_page_costs_a_constant_number_of_queries(
    category: Any, judge: Any, judge_client: Client, django_assert_max_num_queries: Any
) -> None:
    entry = eligible_entry(category)
    assign(judge, entry)
    small = queries_for(judge_client, review_url(entry))
    for _ in range(10):
        assign(judge_in(category), entry)
        assign(judge, eligible_entry(category))
    with django_assert_max_num_queries(small):
        judge_client.get(review_url(entry))
