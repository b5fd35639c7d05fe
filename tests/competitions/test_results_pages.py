"""Results pages: the public results page, the operators' decisions page and publication."""

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from chiptown.accounts.models import User
from chiptown.competitions.models import (
    AwardKind,
    Certificate,
    Decision,
    Edition,
    Entry,
    EntryStatus,
    PartnershipMember,
)
from chiptown.competitions.services import results
from chiptown.competitions.views import results as views
from chiptown.core.models import AuditEntry
from tests.competitions.factories import EntryFactory
from tests.competitions.results_support import judged_category, judged_edition, ranking_of
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def rankings(monkeypatch: pytest.MonkeyPatch) -> dict[int, list[Any]]:
    """The ranking each category's pages see: set by the test, in the order it chooses."""
    chosen: dict[int, list[Any]] = {}
    monkeypatch.setattr(views, "ranking_for", lambda category: chosen.get(category.pk, []))
    return chosen


@pytest.fixture
def edition() -> Edition:
    return judged_edition(year=2032, name_zh="2032年度汽车芯片大赛", name_en="Automotive Chip Competition 2032")


def _decide(category: Any, entries: list[Any], by: User, rankings: dict[int, list[Any]]) -> None:
    rankings[category.pk] = ranking_of(entries)
    winners = entries[: category.winners]
    results.decisions_save(
        category=category,
        ranking=rankings[category.pk],
        winner_ranks={e.pk: r for r, e in enumerate(winners, start=1)},
        by=by,
    )


@pytest.fixture
def published(edition: Edition, operator: User, rankings: dict[int, list[Any]]) -> Edition:
    """Top 50 (organisations), Influence Figure (a person) and Best Partner (two partners), published."""
    top50, entries = judged_category(edition, kind=AwardKind.TOP50, entries=3, winners=2)
    _decide(top50, entries, operator, rankings)
    figure, _none = judged_category(edition, kind=AwardKind.INFLUENCE_FIGURE, entries=0, winners=1)
    nominee = PersonFactory(name_zh="李明", name_en="Li Ming")
    nomination = EntryFactory(category=figure, status=EntryStatus.ELIGIBLE, organisation=None, person=nominee)
    _decide(figure, [nomination], operator, rankings)
    partner, _none = judged_category(edition, kind=AwardKind.BEST_PARTNER, entries=0, winners=1)
    lead = OrganisationFactory(name_zh="贝塔微电子", name_en="Beta Microelectronics")
    other = OrganisationFactory(name_zh="伽马汽车", name_en="Gamma Motors")
    joint = EntryFactory(category=partner, status=EntryStatus.ELIGIBLE, organisation=lead)
    PartnershipMember.objects.create(entry=joint, organisation=lead)
    PartnershipMember.objects.create(entry=joint, organisation=other)
    _decide(partner, [joint], operator, rankings)
    results.results_publish(edition=edition, by=operator)
    edition.refresh_from_db()
    return edition


# --- Public results page ---------------------------------------------------------------------------------------


def test_the_results_page_is_404_before_publication(client: Client, edition: Edition) -> None:
    response = client.get(f"/competition/{edition.year}/results/")

    assert response.status_code == 404
    assert "not published" in response.content.decode()


def test_the_results_page_lists_winners_per_award_linking_to_the_registry(client: Client, published: Edition) -> None:
    response = client.get(f"/competition/{published.year}/results/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Results: Automotive Chip Competition 2032" in page
    winners = Decision.objects.filter(is_winner=True).select_related("entry__organisation", "entry__person")
    for decision in winners:
        entry = decision.entry
        if entry.person_id:
            assert f'<a href="/organisations/{entry.person.organisation_id}/">Li Ming</a>' in page
    beta = PartnershipMember.objects.get(organisation__name_en="Beta Microelectronics").organisation
    gamma = PartnershipMember.objects.get(organisation__name_en="Gamma Motors").organisation
    assert f'<a href="/organisations/{beta.pk}/">Beta Microelectronics</a>' in page
    assert f'<a href="/organisations/{gamma.pk}/">Gamma Motors</a>' in page
    assert "Winner Candidate top50 1" in page and "Winner Candidate top50 2" in page
    assert "Winner Candidate top50 3" not in page
    awards = [page.index(f'id="award-{kind}"') for kind in ("influence_figure", "top50", "best_partner")]
    assert awards == sorted(awards)


def test_the_results_page_in_chinese(client: Client, published: Edition) -> None:
    response = client.get(f"/competition/{published.year}/results/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    page = response.content.decode()
    assert "2032年度汽车芯片大赛" in page
    assert "李明" in page and "贝塔微电子" in page and "候选企业top501" in page
    assert "汽车芯片50强" in page


def test_the_results_page_costs_the_same_queries_at_two_sizes(
    client: Client, operator: User, rankings: dict[int, list[Any]], django_assert_max_num_queries: Any
) -> None:
    for year, size in ((2040, 2), (2041, 12)):
        edition = judged_edition(year=year)
        category, entries = judged_category(edition, kind=AwardKind.TOP50, entries=size, winners=size)
        _decide(category, entries, operator, rankings)
        partner, _none = judged_category(edition, kind=AwardKind.BEST_PARTNER, entries=0, winners=size)
        joint = [EntryFactory(category=partner, status=EntryStatus.ELIGIBLE) for _ in range(size)]
        PartnershipMember.objects.bulk_create(
            [PartnershipMember(entry=e, organisation=OrganisationFactory()) for e in joint for _ in range(2)]
        )
        _decide(partner, joint, operator, rankings)
        results.results_publish(edition=edition, by=operator)
        with django_assert_max_num_queries(5):
            response = client.get(f"/competition/{year}/results/")
        assert response.content.decode().count("<li value=") == 2 * size


# --- Decisions page ---------------------------------------------------------------------------------------------


def test_the_decisions_page_shows_the_proposal(
    operator_client: Client, edition: Edition, rankings: dict[int, list[Any]]
) -> None:
    category, entries = judged_category(edition, entries=3, winners=2)
    rankings[category.pk] = ranking_of(entries)

    response = operator_client.get(f"/competition/categories/{category.pk}/decisions/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f'name="winner_{entries[0].pk}" checked' in page
    assert f'name="winner_{entries[1].pk}" checked' in page
    assert f'name="winner_{entries[2].pk}" >' in page or f'name="winner_{entries[2].pk}"  >' in page
    assert f'name="rank_{entries[1].pk}" value="2"' in page
    assert "Straddles the cut-off" in page


def test_posting_a_departure_without_a_reason_is_refused_on_the_page(
    operator_client: Client, edition: Edition, rankings: dict[int, list[Any]]
) -> None:
    category, entries = judged_category(edition, entries=3, winners=2)
    rankings[category.pk] = ranking_of(entries)

    response = operator_client.post(
        f"/competition/categories/{category.pk}/decisions/",
        {f"winner_{entries[2].pk}": "on", f"rank_{entries[2].pk}": "1", "reason": ""},
    )

    assert response.status_code == 400
    assert "departs from the ranking" in response.content.decode()
    assert Decision.objects.count() == 0
    assert not AuditEntry.objects.filter(action="competitions.decision_save").exists()


def test_posting_a_decision_with_a_reason_saves_it(
    operator_client: Client, operator: User, edition: Edition, rankings: dict[int, list[Any]]
) -> None:
    category, entries = judged_category(edition, entries=3, winners=2)
    rankings[category.pk] = ranking_of(entries)

    response = operator_client.post(
        f"/competition/categories/{category.pk}/decisions/",
        {
            f"winner_{entries[2].pk}": "on",
            f"rank_{entries[2].pk}": "1",
            f"winner_{entries[0].pk}": "on",
            f"rank_{entries[0].pk}": "2",
            "reason": "The third entry's design win was confirmed after judging.",
        },
    )

    assert response.status_code == 302
    assert sorted(Decision.objects.filter(is_winner=True).values_list("entry_id", "rank")) == sorted(
        [(entries[2].pk, 1), (entries[0].pk, 2)]
    )


def test_a_rank_that_is_not_a_number_is_refused(
    operator_client: Client, edition: Edition, rankings: dict[int, list[Any]]
) -> None:
    category, entries = judged_category(edition, entries=2, winners=1)
    rankings[category.pk] = ranking_of(entries)

    response = operator_client.post(
        f"/competition/categories/{category.pk}/decisions/",
        {f"winner_{entries[0].pk}": "on", f"rank_{entries[0].pk}": "x"},
    )

    assert response.status_code == 400
    assert "Give a rank for each winner." in response.content.decode()
    assert Decision.objects.count() == 0


def test_representatives_cannot_open_or_post_decisions(
    rep_client: Client, edition: Edition, rankings: dict[int, list[Any]]
) -> None:
    category, entries = judged_category(edition, entries=2, winners=1)
    rankings[category.pk] = ranking_of(entries)

    assert rep_client.get(f"/competition/categories/{category.pk}/decisions/").status_code == 403
    posted = rep_client.post(
        f"/competition/categories/{category.pk}/decisions/",
        {f"winner_{entries[0].pk}": "on", f"rank_{entries[0].pk}": "1"},
    )
    assert posted.status_code == 403
    assert rep_client.get(f"/competition/{edition.year}/results/manage/").status_code == 403
    assert rep_client.post(f"/competition/{edition.year}/results/publish/").status_code == 403
    assert Decision.objects.count() == 0


def test_a_published_decision_is_shown_frozen(operator_client: Client, published: Edition) -> None:
    category = published.categories.get(kind=AwardKind.TOP50)

    page = operator_client.get(f"/competition/categories/{category.pk}/decisions/").content.decode()

    assert "can no longer change" in page
    assert "Save the decision" not in page


# --- Manage and publish ---------------------------------------------------------------------------------------


def test_the_manage_page_says_what_blocks_publication(
    operator_client: Client, operator: User, edition: Edition, rankings: dict[int, list[Any]]
) -> None:
    top50, entries = judged_category(edition, entries=2, winners=1)
    _decide(top50, entries, operator, rankings)
    judged_category(edition, kind=AwardKind.MOST_PROMISING, entries=2, winners=1)

    page = operator_client.get(f"/competition/{edition.year}/results/manage/").content.decode()

    assert "Most Promising: not decided yet." in page
    assert "Publish the results" not in page


def test_publishing_from_the_manage_page(
    operator_client: Client, operator: User, edition: Edition, rankings: dict[int, list[Any]]
) -> None:
    top50, entries = judged_category(edition, entries=2, winners=1)
    _decide(top50, entries, operator, rankings)
    assert "Publish the results" in operator_client.get(f"/competition/{edition.year}/results/manage/").content.decode()

    response = operator_client.post(f"/competition/{edition.year}/results/publish/", follow=True)

    assert "Results published: 1 certificates issued" in response.content.decode()
    edition.refresh_from_db()
    assert edition.results_published_at is not None
    assert Certificate.objects.get().entry == entries[0]
    assert "verification page" in response.content.decode()


def test_publishing_too_early_from_the_page_says_why_and_changes_nothing(
    operator_client: Client, edition: Edition
) -> None:
    judged_category(edition, entries=2, winners=1)

    response = operator_client.post(f"/competition/{edition.year}/results/publish/", follow=True)

    assert "not decided yet" in response.content.decode()
    edition.refresh_from_db()
    assert edition.results_published_at is None
    assert mail.outbox == []


def test_revoking_from_the_manage_page(operator_client: Client, published: Edition) -> None:
    certificate = Certificate.objects.order_by("pk").first()
    assert certificate is not None

    operator_client.post(f"/competition/certificates/{certificate.code}/revoke/", {"reason": "Withdrawn by the park"})

    certificate.refresh_from_db()
    assert certificate.revoked_at is not None


def test_the_decisions_and_manage_pages_cost_the_same_queries_at_two_sizes(
    operator_client: Client,
    operator: User,
    rankings: dict[int, list[Any]],
    django_assert_max_num_queries: Any,
) -> None:
    for year, size in ((2042, 3), (2043, 30)):
        edition = judged_edition(year=year)
        category, entries = judged_category(edition, kind=AwardKind.BEST_PARTNER, entries=size, winners=2)
        PartnershipMember.objects.bulk_create(
            [PartnershipMember(entry=e, organisation=OrganisationFactory()) for e in entries for _ in range(2)]
        )
        # Entries loaded as category_ranking loads them (names and partners at once): what is counted is the
        # page's own reads.
        loaded = Entry.objects.select_related("organisation", "person__organisation").prefetch_related(
            "partners__organisation"
        )
        _decide(category, [loaded.get(pk=e.pk) for e in entries], operator, rankings)
        with django_assert_max_num_queries(12):
            decisions = operator_client.get(f"/competition/categories/{category.pk}/decisions/")
        assert decisions.content.decode().count('type="checkbox"') == size
        with django_assert_max_num_queries(12):
            manage = operator_client.get(f"/competition/{year}/results/manage/")
        assert "Publish the results" in manage.content.decode()
