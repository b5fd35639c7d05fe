"""Registry API reads: open to anonymous callers, filtered, paginated, at a constant number of queries."""

import datetime
from typing import Any

import pytest
from django.test import Client

from chiptown.registry.models import Organisation
from tests.factories import (
    OrganisationFactory,
    OrganisationRoleFactory,
    ProductFactory,
    QualificationFactory,
    SupplyLinkFactory,
    category,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"


def get(client: Client, path: str, **params: Any) -> Any:
    response = client.get(f"{API}{path}", params)
    assert response.status_code == 200, response.content
    return response.json()


def ids(body: dict[str, Any]) -> list[int]:
    return [item["id"] for item in body["items"]]


# ------------------------------------------------------------------------------------------ organisations


def test_anonymous_reads_an_organisation_with_its_roles(client: Client, company: Organisation) -> None:
    OrganisationRoleFactory(organisation=company, role="idm")
    OrganisationRoleFactory(organisation=company, role="fabless")

    body = get(client, f"/organisations/{company.pk}")

    assert body["name_en"] == "Alpha Semiconductor"
    assert body["name_zh"] == "阿尔法半导体"
    assert body["roles"] == ["fabless", "idm"]
    assert body["credit_code"] == company.credit_code
    assert body["url"] == f"/organisations/{company.pk}/"


def test_unknown_organisation_is_404_in_the_error_shape(client: Client) -> None:
    response = client.get(f"{API}/organisations/987654")

    assert response.status_code == 404
    assert response.json() == {
        "code": "not_found",
        "message": "No organisation with id 987654.",
        "problems": [],
    }


def test_search_finds_organisations_by_chinese_or_english_name(client: Client) -> None:
    horizon = OrganisationFactory(name_en="Horizon Robotics", name_zh="地平线机器人")
    OrganisationFactory(name_en="Black Sesame", name_zh="黑芝麻智能")

    assert ids(get(client, "/organisations", q="地平线")) == [horizon.pk]
    assert ids(get(client, "/organisations", q="HORIZON rob")) == [horizon.pk]
    assert get(client, "/organisations", q="nobody")["count"] == 0


def test_organisation_filters(client: Client) -> None:
    maker = OrganisationFactory(province="上海市", in_park=True)
    OrganisationRoleFactory(organisation=maker, role="fabless")
    OrganisationRoleFactory(organisation=maker, role="idm")  # two roles: still listed once
    ProductFactory(organisation=maker, category=category("power"))
    ProductFactory(organisation=maker, category=category("power"))
    plant = OrganisationFactory(province="江苏省", in_park=False)
    OrganisationRoleFactory(organisation=plant, role="osat")
    QualificationFactory(product=None, organisation=plant, standard="IATF 16949", level="")
    foreign = OrganisationFactory(country="DE", credit_code=None, province="", in_park=False)

    assert ids(get(client, "/organisations", role="fabless")) == [maker.pk]
    assert ids(get(client, "/organisations", category="power")) == [maker.pk]
    assert ids(get(client, "/organisations", standard="IATF 16949")) == [plant.pk]
    assert ids(get(client, "/organisations", in_park="true")) == [maker.pk]
    assert set(ids(get(client, "/organisations", in_park="false"))) == {plant.pk, foreign.pk}
    assert ids(get(client, "/organisations", province="江苏省")) == [plant.pk]
    assert ids(get(client, "/organisations", country="de")) == [foreign.pk]
    assert ids(get(client, "/organisations", role="fabless", province="江苏省")) == []


def test_organisation_standard_filter_counts_product_qualifications(client: Client) -> None:
    product = ProductFactory()
    QualificationFactory(product=product, standard="ISO 26262", level="B")
    OrganisationFactory()

    assert ids(get(client, "/organisations", standard="ISO 26262")) == [product.organisation_id]


def test_unknown_filter_value_is_422_naming_the_parameter(client: Client) -> None:
    response = client.get(f"{API}/organisations", {"role": "wizard"})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "Some fields are not valid."
    assert [p["column"] for p in body["problems"]] == ["role"]


# ------------------------------------------------------------------------------------------ pagination


def test_lists_are_paginated_with_a_total_count(client: Client) -> None:
    OrganisationFactory.create_batch(7)

    first = get(client, "/organisations", limit=3)
    rest = get(client, "/organisations", limit=3, offset=6)

    assert first["count"] == 7
    assert len(first["items"]) == 3
    assert len(rest["items"]) == 1
    all_ids = ids(get(client, "/organisations", limit=100))
    assert ids(first) == all_ids[:3]
    assert ids(rest) == all_ids[6:]


@pytest.mark.parametrize(
    ("params", "column"),
    [({"limit": 0}, "limit"), ({"limit": 501}, "limit"), ({"offset": -1}, "offset"), ({"offset": 10**30}, "offset")],
)
def test_bad_pagination_is_422_not_500(client: Client, params: dict[str, int], column: str) -> None:
    response = client.get(f"{API}/organisations", params)

    assert response.status_code == 422
    assert [p["column"] for p in response.json()["problems"]] == [column]


@pytest.mark.parametrize("bad_id", ["abc", "0", str(2**70)])
def test_ids_that_are_not_row_ids_are_422_not_500(client: Client, bad_id: str) -> None:
    response = client.get(f"{API}/products/{bad_id}")

    assert response.status_code == 422
    assert response.json()["problems"][0]["column"] == "product_id"


# ------------------------------------------------------------------------------------------ products


def test_product_list_and_filters(client: Client, company: Organisation, other_company: Organisation) -> None:
    mcu = ProductFactory(organisation=company, part_number="AS32K144", name_en="Body MCU", name_zh="车身控制MCU")
    igbt = ProductFactory(
        organisation=company, part_number="AP750", category=category("power"), lifecycle="sampling", name_en="IGBT"
    )
    theirs = ProductFactory(organisation=other_company, part_number="BX100")

    assert ids(get(client, "/products", organisation=company.pk)) == [igbt.pk, mcu.pk]
    assert ids(get(client, "/products", category="power")) == [igbt.pk]
    assert ids(get(client, "/products", lifecycle="sampling")) == [igbt.pk]
    assert ids(get(client, "/products", q="车身")) == [mcu.pk]
    assert ids(get(client, "/products", q="bx1")) == [theirs.pk]

    body = get(client, f"/products/{mcu.pk}")
    assert body["organisation"] == {
        "id": company.pk,
        "name_zh": "阿尔法半导体",
        "name_en": "Alpha Semiconductor",
        "display_name": "Alpha Semiconductor",
    }
    assert body["category"] == "control"
    assert body["lifecycle"] == "mass_production"


# ------------------------------------------------------------------------------------------ qualifications


def test_qualification_filters_including_expired(client: Client, company: Organisation) -> None:
    product = ProductFactory(organisation=company)
    valid = QualificationFactory(product=product, standard="AEC-Q100", level="1")
    expired = QualificationFactory(
        product=product,
        standard="ISO 26262",
        level="D",
        issued_on=datetime.date(2015, 1, 1),
        expires_on=datetime.date(2020, 1, 1),
    )
    open_ended = QualificationFactory(
        product=None, organisation=company, standard="IATF 16949", level="", expires_on=None
    )
    elsewhere = QualificationFactory(standard="AEC-Q100", level="0")

    assert set(ids(get(client, "/qualifications", organisation=company.pk))) == {valid.pk, expired.pk, open_ended.pk}
    assert ids(get(client, "/qualifications", product=product.pk, standard="AEC-Q100")) == [valid.pk]
    assert ids(get(client, "/qualifications", level="ASIL D")) == [expired.pk]
    assert ids(get(client, "/qualifications", expired="true")) == [expired.pk]
    assert set(ids(get(client, "/qualifications", expired="false"))) == {valid.pk, open_ended.pk, elsewhere.pk}

    body = get(client, f"/qualifications/{expired.pk}")
    assert body["is_expired"] is True
    assert body["level_label"] == "ASIL D"
    assert body["holder_organisation_id"] == company.pk
    grade_1 = get(client, f"/qualifications/{valid.pk}")
    assert grade_1["temperature_range"] == [-40, 125]
    assert grade_1["is_expired"] is False


# ------------------------------------------------------------------------------------------ supply links


def test_supply_link_filters(client: Client, company: Organisation, other_company: Organisation) -> None:
    to_them = SupplyLinkFactory(supplier=company, buyer=other_company, status="design_win")
    to_us = SupplyLinkFactory(supplier=other_company, buyer=company, category=category("power"))

    assert ids(get(client, "/supply-links", supplier=company.pk)) == [to_them.pk]
    assert ids(get(client, "/supply-links", buyer=company.pk)) == [to_us.pk]
    assert ids(get(client, "/supply-links", category="power")) == [to_us.pk]
    assert ids(get(client, "/supply-links", status="design_win")) == [to_them.pk]

    body = get(client, f"/supply-links/{to_them.pk}")
    assert body["supplier"]["id"] == company.pk
    assert body["buyer"]["name_en"] == "Beta Microelectronics"
    assert body["share"] == "40.00"
    assert body["product"] is None


def test_chip_categories_are_listed(client: Client) -> None:
    body = get(client, "/chip-categories")

    assert body["count"] == 10
    assert body["items"][0]["code"] == "control"


# ------------------------------------------------------------------------------------------ query counts


def _populate(n: int) -> None:
    for _ in range(n):
        organisation = OrganisationFactory()
        OrganisationRoleFactory(organisation=organisation, role="fabless")
        OrganisationRoleFactory(organisation=organisation, role="tier1")
        product = ProductFactory(organisation=organisation)
        QualificationFactory(product=product)
        QualificationFactory(product=None, organisation=organisation, standard="IATF 16949", level="")
        SupplyLinkFactory(supplier=organisation, product=product)


# count + page (+ one prefetch of roles for organisations); anonymous callers cost no session queries.
LIST_QUERIES = {
    "/organisations": 3,
    "/products": 2,
    "/qualifications": 2,
    "/supply-links": 2,
    "/chip-categories": 2,
}


@pytest.mark.parametrize("path", sorted(LIST_QUERIES))
def test_list_query_count_does_not_grow_with_the_data(
    client: Client, django_assert_max_num_queries: Any, path: str
) -> None:
    _populate(2)
    with django_assert_max_num_queries(LIST_QUERIES[path]):
        small = get(client, path)

    _populate(10)
    with django_assert_max_num_queries(LIST_QUERIES[path]):
        large = get(client, path)

    if path != "/chip-categories":
        assert large["count"] > small["count"]
        assert len(large["items"]) == large["count"]


def test_signed_in_reads_cost_only_the_session_lookups_more(
    operator_client: Client, django_assert_max_num_queries: Any
) -> None:
    _populate(5)
    with django_assert_max_num_queries(LIST_QUERIES["/organisations"] + 2):
        get(operator_client, "/organisations")


def test_detail_query_counts_do_not_grow_with_related_rows(client: Client, django_assert_max_num_queries: Any) -> None:
    organisation = OrganisationFactory()
    for role in ("fabless", "idm", "tier1", "module"):
        OrganisationRoleFactory(organisation=organisation, role=role)
    product = ProductFactory(organisation=organisation)
    qualification = QualificationFactory(product=product)
    link = SupplyLinkFactory(supplier=organisation, product=product)

    for path, queries in (
        (f"/organisations/{organisation.pk}", 2),
        (f"/products/{product.pk}", 1),
        (f"/qualifications/{qualification.pk}", 1),
        (f"/supply-links/{link.pk}", 1),
    ):
        with django_assert_max_num_queries(queries):
            get(client, path)
