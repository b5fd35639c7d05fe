"""Edition pages: the list and an edition's page (public; times in Asia/Shanghai; categories with their rules,
rubric and counts), and the operators' forms to create an edition and edit its timeline and categories
(problems next to their fields, never a 500; others get 403 and nothing changes). Constant queries."""

import datetime
import json
import zoneinfo
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chiptown.accounts.models import User
from chiptown.competitions.models import AwardKind, Category, Edition, EntryStatus
from chiptown.core.models import AuditEntry
from tests.competitions.entries_support import category_of, open_edition
from tests.competitions.factories import EntryFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def edition_post(**changes: Any) -> dict[str, Any]:
    data = {
        "year": "2032",
        "name_zh": "2032年度汽车芯片大赛",
        "name_en": "Automotive Chip Competition 2032",
        "applications_open_at": "2032-03-01T09:00",
        "applications_close_at": "2032-05-31T23:59",
        "judging_start_at": "2032-06-01T09:00",
        "judging_end_at": "2032-07-15T18:00",
        "results_at": "2032-09-01T10:00",
    }
    data.update(changes)
    return data


def errors_of(response: Any, field: str) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(field, [])]


def test_edition_list_is_public_with_counts(client: Client, operator: User) -> None:
    edition = open_edition(operator, year=2031)
    EntryFactory.create_batch(3, category=category_of(edition, AwardKind.TOP50))
    EntryFactory(category=category_of(edition, AwardKind.TOP50), status=EntryStatus.DRAFT)

    response = client.get(reverse("competitions:editions"))

    assert response.status_code == 200
    assert list(response.context["editions"]) == [edition]
    assert response.context["editions"][0].received == 3
    assert "Automotive Chip Competition 2031" in response.content.decode()
    assert reverse("competitions:edition_create") not in response.content.decode()


def test_operator_sees_the_new_edition_button(operator_client: Client) -> None:
    response = operator_client.get(reverse("competitions:editions"))
    assert reverse("competitions:edition_create") in response.content.decode()


def test_edition_page_shows_timeline_in_shanghai_time_and_the_four_awards(client: Client, operator: User) -> None:
    operator_client = Client()
    operator_client.force_login(operator)
    operator_client.post(reverse("competitions:edition_create"), edition_post())

    response = client.get(reverse("competitions:edition", args=[2032]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "2032-03-01 09:00" in page and "2032-05-31 23:59" in page  # as entered, Asia/Shanghai
    for name in ("Industry Influence Figure", "Automotive Chip Top 50", "Most Promising", "Best Partner"):
        assert name in page
    kinds = [card["category"].kind for card in response.context["categories"]]
    assert kinds == [AwardKind.INFLUENCE_FIGURE, AwardKind.TOP50, AwardKind.MOST_PROMISING, AwardKind.BEST_PARTNER]
    assert "Founded at most 5 years before the edition" in page
    assert reverse("competitions:screening", args=[2032, "top50"]) not in page  # operators only


def test_unknown_edition_is_404(client: Client) -> None:
    assert client.get(reverse("competitions:edition", args=[1999])).status_code == 404
    assert client.get("/competition/2031/no_such_award/apply/").status_code == 404


def test_operator_creates_an_edition_from_the_form(operator_client: Client) -> None:
    response = operator_client.post(reverse("competitions:edition_create"), edition_post())

    assert response.status_code == 302 and response["Location"] == "/competition/2032/"
    edition = Edition.objects.get(year=2032)
    assert edition.applications_open_at == datetime.datetime(2032, 3, 1, 9, 0, tzinfo=SHANGHAI)
    assert edition.categories.count() == 4


def test_out_of_order_timeline_goes_back_to_the_form(operator_client: Client) -> None:
    response = operator_client.post(
        reverse("competitions:edition_create"), edition_post(judging_start_at="2032-05-01T09:00")
    )

    assert response.status_code == 400
    assert errors_of(response, "judging_start_at") == ["Judging cannot start before applications close."]
    assert not Edition.objects.exists()


def test_unparseable_time_goes_back_to_the_form(operator_client: Client) -> None:
    response = operator_client.post(reverse("competitions:edition_create"), edition_post(results_at="soon"))

    assert response.status_code == 400 and errors_of(response, "results_at")
    assert not Edition.objects.exists()


@pytest.mark.parametrize("who", ["rep_client", "stranger_client"])
def test_only_operators_create_editions_from_the_page(who: str, request: pytest.FixtureRequest) -> None:
    client: Client = request.getfixturevalue(who)

    assert client.get(reverse("competitions:edition_create")).status_code == 403
    assert client.post(reverse("competitions:edition_create"), edition_post()).status_code == 403
    assert not Edition.objects.exists()


def test_operator_moves_the_deadline_from_the_form(operator_client: Client, operator: User) -> None:
    edition = open_edition(operator, year=2031)
    url = reverse("competitions:edition_edit", args=[2031])
    form = operator_client.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {
        k: (v.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M") if isinstance(v, datetime.datetime) else v)
        for k, v in data.items()
    }
    close = (edition.applications_close_at + datetime.timedelta(days=1)).astimezone(SHANGHAI)
    data["applications_close_at"] = close.strftime("%Y-%m-%dT%H:%M")
    data["year"] = "2099"  # disabled: ignored

    response = operator_client.post(url, data)

    assert response.status_code == 302
    edition.refresh_from_db()
    assert edition.year == 2031
    assert edition.applications_close_at == close.replace(second=0, microsecond=0)
    assert AuditEntry.objects.filter(action="edition.update").count() == 1


def category_post(category: Category, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name_zh": category.name_zh,
        "name_en": category.name_en,
        "description_zh": category.description_zh,
        "description_en": category.description_en,
        "winners": category.winners,
        "judges_per_entry": category.judges_per_entry,
        "max_judge_load": category.max_judge_load,
        "rubric": json.dumps(category.rubric, ensure_ascii=False),
        "form_fields": json.dumps(category.form_fields, ensure_ascii=False),
        **{k: v for k, v in category.eligibility.items() if not isinstance(v, bool) or v},
    }
    data.update(changes)
    return data


def test_operator_edits_most_promising_age_limit_and_k(operator_client: Client, operator: User) -> None:
    category = category_of(open_edition(operator), AwardKind.MOST_PROMISING)
    url = reverse("competitions:category_edit", args=[2031, "most_promising"])
    page = operator_client.get(url)
    assert page.status_code == 200 and "max_age_years" in page.context["form"].fields
    assert "min_partners" not in page.context["form"].fields

    response = operator_client.post(url, category_post(category, max_age_years=3, judges_per_entry=5))

    assert response.status_code == 302
    category.refresh_from_db()
    assert category.eligibility == {"max_age_years": 3} and category.judges_per_entry == 5


def test_top50_qualification_rule_is_edited_as_checkboxes(operator_client: Client, operator: User) -> None:
    category = category_of(open_edition(operator), AwardKind.TOP50)
    url = reverse("competitions:category_edit", args=[2031, "top50"])

    response = operator_client.post(
        url,
        category_post(category, requires_valid_qualification="on", qualification_standards=["AEC-Q100", "ISO 26262"]),
    )

    assert response.status_code == 302
    category.refresh_from_db()
    assert category.eligibility == {
        "requires_valid_qualification": True,
        "qualification_standards": ["AEC-Q100", "ISO 26262"],
    }


def test_rubric_weights_not_adding_up_go_back_to_the_form(operator_client: Client, operator: User) -> None:
    category = category_of(open_edition(operator), AwardKind.TOP50)
    rubric = [dict(c) for c in category.rubric]
    rubric[0]["weight"] = 0.5
    before = Category.objects.values().get(pk=category.pk)

    response = operator_client.post(
        reverse("competitions:category_edit", args=[2031, "top50"]),
        category_post(category, rubric=json.dumps(rubric)),
    )

    assert response.status_code == 400
    assert errors_of(response, "rubric") == ["The weights add up to 1.2; they must add up to 1."]
    assert Category.objects.values().get(pk=category.pk) == before


def test_broken_json_goes_back_to_the_form(operator_client: Client, operator: User) -> None:
    category = category_of(open_edition(operator), AwardKind.TOP50)

    response = operator_client.post(
        reverse("competitions:category_edit", args=[2031, "top50"]), category_post(category, form_fields="[{")
    )

    assert response.status_code == 400
    assert errors_of(response, "form_fields")[0].startswith("Not valid JSON (line 1, column 3)")


def test_representative_cannot_edit_a_category_from_the_page(rep_client: Client, operator: User) -> None:
    category = category_of(open_edition(operator), AwardKind.TOP50)
    url = reverse("competitions:category_edit", args=[2031, "top50"])

    assert rep_client.get(url).status_code == 403
    assert rep_client.post(url, category_post(category, winners=1)).status_code == 403
    assert Category.objects.get(pk=category.pk).winners == 50


@pytest.mark.parametrize("entries", [2, 40])
def test_edition_pages_cost_constant_queries(
    operator_client: Client, operator: User, entries: int, django_assert_max_num_queries: Any
) -> None:
    edition = open_edition(operator)
    open_edition(
        operator,
        year=2030,
        applications_open_at=-400,
        applications_close_at=-380,
        judging_start_at=-379,
        judging_end_at=-370,
        results_at=-360,
    )
    for kind in AwardKind:
        EntryFactory.create_batch(entries, category=category_of(edition, kind))

    with django_assert_max_num_queries(5):
        assert operator_client.get(reverse("competitions:edition", args=[edition.year])).status_code == 200
    with django_assert_max_num_queries(3):
        assert operator_client.get(reverse("competitions:editions")).status_code == 200
