"""The competition's read API: published editions, their winners, certificate verification. Public reads."""

from typing import Any

import pytest
from django.test import Client

from chiptown.accounts.models import User
from chiptown.competitions.models import AwardKind, Certificate, Edition, EntryStatus, PartnershipMember
from chiptown.competitions.services import results
from tests.competitions.factories import EntryFactory
from tests.competitions.results_support import judged_category, judged_edition, ranking_of
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/competition"


def _publish(edition: Edition, by: User, *, top50: int = 2, partners: int = 1) -> None:
    """A Top 50 category (all winners), a Best Partner category (two partners each), an Influence Figure."""
    category, entries = judged_category(edition, kind=AwardKind.TOP50, entries=top50, winners=top50)
    results.decisions_save(
        category=category,
        ranking=ranking_of(entries),
        winner_ranks={e.pk: r for r, e in enumerate(entries, start=1)},
        by=by,
    )
    partner, _none = judged_category(edition, kind=AwardKind.BEST_PARTNER, entries=0, winners=partners)
    joint = [EntryFactory(category=partner, status=EntryStatus.ELIGIBLE) for _ in range(partners)]
    PartnershipMember.objects.bulk_create(
        [PartnershipMember(entry=e, organisation=OrganisationFactory()) for e in joint for _ in range(2)]
    )
    results.decisions_save(
        category=partner,
        ranking=ranking_of(joint),
        winner_ranks={e.pk: r for r, e in enumerate(joint, start=1)},
        by=by,
    )
    figure, _none = judged_category(edition, kind=AwardKind.INFLUENCE_FIGURE, entries=0, winners=1)
    nominee = EntryFactory(
        category=figure,
        status=EntryStatus.ELIGIBLE,
        organisation=None,
        person=PersonFactory(name_en="Li Ming", name_zh="李明"),
    )
    results.decisions_save(category=figure, ranking=ranking_of([nominee]), winner_ranks={nominee.pk: 1}, by=by)
    results.results_publish(edition=edition, by=by)


@pytest.fixture
def published(operator: User) -> Edition:
    edition = judged_edition(year=2034, name_en="Automotive Chip Competition 2034", name_zh="2034年度汽车芯片大赛")
    _publish(edition, operator)
    edition.refresh_from_db()
    return edition


@pytest.fixture
def unpublished() -> Edition:
    edition = judged_edition(year=2035)
    judged_category(edition, entries=2)
    return edition


def test_only_published_editions_are_listed(client: Client, published: Edition, unpublished: Edition) -> None:
    response = client.get(f"{API}/editions")

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [item["year"] for item in body["items"]] == [2034]
    assert body["items"][0]["name_zh"] == "2034年度汽车芯片大赛"
    assert body["items"][0]["results_published_at"] is not None


def test_an_editions_results_list_every_award_with_its_winners(client: Client, published: Edition) -> None:
    body = client.get(f"{API}/editions/2034/results").json()

    assert body["year"] == 2034
    by_kind = {category["kind"]: category for category in body["categories"]}
    assert set(by_kind) == {AwardKind.TOP50, AwardKind.BEST_PARTNER, AwardKind.INFLUENCE_FIGURE}
    assert [w["rank"] for w in by_kind[AwardKind.TOP50]["winners"]] == [1, 2]
    assert by_kind[AwardKind.TOP50]["winners"][0]["applicants"][0]["name_en"] == "Winner Candidate top50 1"
    assert len(by_kind[AwardKind.BEST_PARTNER]["winners"][0]["applicants"]) == 2
    assert by_kind[AwardKind.INFLUENCE_FIGURE]["winners"][0]["applicants"] == [
        {"name_zh": "李明", "name_en": "Li Ming", "display_name": "Li Ming"}
    ]
    assert "code" not in str(body)


@pytest.mark.parametrize("year", [2035, 1999, 99999])
def test_unpublished_or_unknown_editions_are_404(client: Client, unpublished: Edition, year: int) -> None:
    for path in (f"{API}/editions/{year}/results", f"{API}/editions/{year}/winners"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


def test_winners_are_a_paginated_list_in_the_programmes_award_order(client: Client, published: Edition) -> None:
    first = client.get(f"{API}/editions/2034/winners?limit=2").json()
    rest = client.get(f"{API}/editions/2034/winners?limit=2&offset=2").json()

    assert first["count"] == 4
    rows = first["items"] + rest["items"]
    assert [(row["category_kind"], row["rank"]) for row in rows] == [
        (AwardKind.INFLUENCE_FIGURE, 1),
        (AwardKind.TOP50, 1),
        (AwardKind.TOP50, 2),
        (AwardKind.BEST_PARTNER, 1),
    ]
    assert client.get(f"{API}/editions/2034/winners?limit=0").status_code == 422


def test_a_certificate_is_verified_by_its_code(client: Client, published: Edition, operator: User) -> None:
    certificate = Certificate.objects.get(entry__category__kind=AwardKind.INFLUENCE_FIGURE)

    body = client.get(f"{API}/certificates/{certificate.code}").json()

    assert body["valid"] is True
    assert body["revoked_at"] is None
    assert body["award"]["kind"] == AwardKind.INFLUENCE_FIGURE
    assert body["edition"]["year"] == 2034
    assert body["winner"][0]["name_en"] == "Li Ming"
    assert body["rank"] == 1

    results.certificate_revoke(certificate=certificate, by=operator, reason="Withdrawn")
    revoked = client.get(f"{API}/certificates/{certificate.code}").json()
    assert revoked["valid"] is False and revoked["revoked_at"] is not None


def test_an_unknown_certificate_code_is_404(client: Client, published: Edition) -> None:
    response = client.get(f"{API}/certificates/no-such-code")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "No such certificate.", "problems": []}


def test_the_lists_cost_the_same_queries_at_two_sizes(
    client: Client, operator: User, django_assert_max_num_queries: Any
) -> None:
    for year, size in ((2036, 2), (2037, 15)):
        _publish(judged_edition(year=year), operator, top50=size, partners=size)
        with django_assert_max_num_queries(4):
            winners = client.get(f"{API}/editions/{year}/winners?limit=100")
        assert winners.json()["count"] == 2 * size + 1
        with django_assert_max_num_queries(4):
            edition_results = client.get(f"{API}/editions/{year}/results")
        assert edition_results.status_code == 200
        with django_assert_max_num_queries(2):
            assert client.get(f"{API}/editions").status_code == 200
