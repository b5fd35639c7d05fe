"""Registry read pages: the directory (search, filters, HTMX partial), an organisation's page, the chain map and
certificates, each at a constant number of queries whatever the data size."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chiptown.accounts.models import User
from chiptown.registry.models import Organisation, OrganisationRole
from tests.factories import (
    OrganisationFactory,
    ProductFactory,
    QualificationFactory,
    SupplyLinkFactory,
    category,
)
from tests.registry.registry_builders import build_registry

pytestmark = pytest.mark.django_db

DIRECTORY = reverse("registry:directory")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def names_in(response: Any) -> list[str]:
    return [o.name_en for o in response.context["page"].object_list]


def count_queries(make_request: Callable[[], Any]) -> int:
    make_request()  # warm caches (facets) that a busy site holds anyway
    with CaptureQueriesContext(connection) as captured:
        response = make_request()
    assert response.status_code == 200
    return len(captured.captured_queries)


# --- Directory --------------------------------------------------------------------------------------------------


def test_directory_lists_organisations_with_both_names_roles_and_badges(client: Client) -> None:
    alpha = OrganisationFactory(name_en="Alpha Semiconductor", name_zh="阿尔法半导体", in_park=True, is_demo=True)
    OrganisationRole.objects.create(organisation=alpha, role="fabless")
    ProductFactory(organisation=alpha)
    ProductFactory(organisation=alpha)
    OrganisationFactory(name_en="Beta Motors", name_zh="贝塔汽车", in_park=False, country="DE", credit_code=None)

    response = client.get(DIRECTORY)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Alpha Semiconductor" in html and "阿尔法半导体" in html
    assert "Chip designer (fabless)" in html
    assert "In the park" in html and "Demo data" in html
    assert names_in(response) == ["Alpha Semiconductor", "Beta Motors"]
    assert response.context["page"].object_list[0].product_count == 2
    assert response.context["page"].paginator.count == 2


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ("科技", ["Beijing Horizon Technology"]),
        ("地平线", ["Beijing Horizon Technology"]),
        ("HORIZON", ["Beijing Horizon Technology"]),
        ("semiconductor", ["Shanghai Core Semiconductor"]),
        ("芯 semiconductor", ["Shanghai Core Semiconductor"]),
        ("911103020000", ["Beijing Horizon Technology", "Shanghai Core Semiconductor"]),
        ("HZ-MCU", ["Beijing Horizon Technology"]),
        ("nothing-like-this", []),
    ],
)
def test_directory_search_finds_either_language_credit_code_and_part_number(
    client: Client, search: str, expected: list[str]
) -> None:
    horizon = OrganisationFactory(name_en="Beijing Horizon Technology", name_zh="北京地平线科技")
    OrganisationFactory(name_en="Shanghai Core Semiconductor", name_zh="上海芯核半导体")
    ProductFactory(organisation=horizon, part_number="HZ-MCU-200")

    response = client.get(DIRECTORY, {"q": search})

    assert names_in(response) == expected


def test_directory_filters_by_role_category_qualification_park_province_and_origin(client: Client) -> None:
    maker = OrganisationFactory(name_en="Maker", province="江苏省", in_park=True)
    OrganisationRole.objects.create(organisation=maker, role="fabless")
    ProductFactory(organisation=maker, category=category("power"))
    qualified = ProductFactory(organisation=maker, category=category("power"))
    QualificationFactory(product=qualified, standard="AEC-Q100", level="0")
    distributor = OrganisationFactory(name_en="Distributor", province="北京市", in_park=False)
    OrganisationRole.objects.create(organisation=distributor, role="module")
    buyer = OrganisationFactory(name_en="Buyer", province="北京市", in_park=False)
    SupplyLinkFactory(supplier=distributor, buyer=buyer, category=category("power"))
    expired = ProductFactory(organisation=buyer, category=category("memory"))
    QualificationFactory(
        product=expired,
        standard="AEC-Q100",
        level="0",
        issued_on=datetime.date(2017, 1, 1),
        expires_on=datetime.date(2020, 1, 1),
    )
    QualificationFactory(product=None, organisation=buyer, standard="IATF 16949", level="")
    foreign = OrganisationFactory(name_en="Foreign", country="DE", credit_code=None, province="", in_park=False)

    def found(**params: str) -> list[str]:
        return names_in(client.get(DIRECTORY, params))

    assert found(role="fabless") == ["Maker"]
    assert found(category="power") == ["Distributor", "Maker"]  # makes it, or supplies it
    assert found(standard="AEC-Q100") == ["Maker"]  # the buyer's AEC-Q100 has expired
    assert found(standard="AEC-Q100", level="1") == []
    assert found(standard="IATF 16949") == ["Buyer"]
    assert found(in_park="yes") == ["Maker"]
    assert found(in_park="no") == ["Buyer", "Distributor", "Foreign"]
    assert found(province="北京市") == ["Buyer", "Distributor"]
    assert found(origin="foreign") == [foreign.name_en]
    assert found(origin="DE") == ["Foreign"]
    assert found(origin="domestic", category="power", in_park="no") == ["Distributor"]


def test_directory_sorts_by_name_and_founding_year(client: Client) -> None:
    OrganisationFactory(name_en="Bravo", founded_year=2001)
    OrganisationFactory(name_en="Alpha", founded_year=2010)
    OrganisationFactory(name_en="Charlie", founded_year=None)

    assert names_in(client.get(DIRECTORY, {"sort": "-name"})) == ["Charlie", "Bravo", "Alpha"]
    assert names_in(client.get(DIRECTORY, {"sort": "founded"})) == ["Bravo", "Alpha", "Charlie"]
    assert names_in(client.get(DIRECTORY, {"sort": "-founded"})) == ["Alpha", "Bravo", "Charlie"]


def test_directory_pages_by_25_and_ignores_bad_parameters(client: Client) -> None:
    for n in range(30):
        OrganisationFactory(name_en=f"Org {n:02d}")

    first = client.get(DIRECTORY, {"role": "not-a-role", "sort": "bogus", "in_park": "maybe"})
    second = client.get(DIRECTORY, {"page": "2"})
    beyond = client.get(DIRECTORY, {"page": "99"})

    assert first.status_code == 200
    assert len(names_in(first)) == 25 and names_in(first)[0] == "Org 00"
    assert names_in(second) == [f"Org {n}" for n in range(25, 30)]
    assert names_in(beyond) == names_in(second)  # past the end: the last page
    assert "Page 2 of 2" in second.content.decode()


def test_directory_answers_htmx_with_the_results_partial_only(client: Client) -> None:
    OrganisationFactory(name_en="Alpha Semiconductor")

    partial = client.get(DIRECTORY, {"q": "alpha"}, headers={"HX-Request": "true"})
    restore = client.get(
        DIRECTORY, {"q": "alpha"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    assert partial.status_code == 200
    assert "<html" not in partial.content.decode() and "Alpha Semiconductor" in partial.content.decode()
    assert "<html" in restore.content.decode()
    assert "HX-Request" in partial["Vary"]


def test_directory_empty_states(client: Client, operator_client: Client) -> None:
    assert "The registry is empty." in client.get(DIRECTORY).content.decode()
    assert "Import organisations" in operator_client.get(DIRECTORY).content.decode()
    OrganisationFactory(name_en="Alpha")
    assert "No organisation matches these filters." in client.get(DIRECTORY, {"q": "zzz"}).content.decode()


def test_directory_shows_new_organisation_button_to_operators_only(
    client: Client, operator_client: Client, rep_client: Client
) -> None:
    new = reverse("registry:organisation_create")
    assert new in operator_client.get(DIRECTORY).content.decode()
    assert new not in rep_client.get(DIRECTORY).content.decode()
    assert new not in client.get(DIRECTORY).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "测试"},
        {"q": "test chip"},
        {"role": "fabless", "in_park": "yes"},
        {"category": "control", "standard": "AEC-Q100", "level": "1"},
        {"q": "chip", "province": "江苏省", "sort": "-founded", "page": "2"},
    ],
)
def test_directory_query_count_does_not_grow_with_the_data(
    client: Client, django_assert_max_num_queries: Any, params: dict[str, str]
) -> None:
    build_registry(3)
    small = count_queries(lambda: client.get(DIRECTORY, params))
    build_registry(30)
    large = count_queries(lambda: client.get(DIRECTORY, params))

    assert small == large
    with django_assert_max_num_queries(3):
        client.get(DIRECTORY, params)


# --- Organisation page ------------------------------------------------------------------------------------------


def test_organisation_page_shows_facts_products_qualifications_and_links(client: Client) -> None:
    registry = build_registry(2)
    maker = registry.organisations[0]
    maker.website = "https://maker.example.com"
    maker.save()

    html = client.get(reverse("registry:organisation", args=[maker.pk])).content.decode()

    assert maker.name_en in html and maker.name_zh in html and str(maker.credit_code) in html
    assert "https://maker.example.com" in html
    assert "Chip designer (fabless)" in html and "IDM" in html
    assert "AEC-Q100 Grade 0 (-40…+150 °C)" in html
    assert "ISO 26262 ASIL D" in html
    assert "expired 2021-01-01" in html  # the second product's AEC-Q100 has run out
    assert "IATF 16949" in html
    assert "Hub Tier One Systems" in html  # its customer
    assert "Edit organisation" not in html  # anonymous visitors read only


def test_organisation_page_lists_suppliers_with_share_and_status(client: Client) -> None:
    registry = build_registry(2)
    assert registry.hub is not None

    html = client.get(reverse("registry:organisation", args=[registry.hub.pk])).content.decode()

    assert registry.organisations[0].name_en in html and registry.organisations[1].name_en in html
    assert "Cathay Motors" in html and "60 %" in html and "Mass production" in html


def test_organisation_page_is_404_for_unknown_ids(client: Client) -> None:
    assert client.get(reverse("registry:organisation", args=[999999])).status_code == 404


def test_edit_buttons_show_only_to_those_allowed(
    company: Organisation, rep_client: Client, operator_client: Client, stranger_client: Client, other_company: Any
) -> None:
    own = reverse("registry:organisation", args=[company.pk])
    other = reverse("registry:organisation", args=[other_company.pk])
    edit = reverse("registry:organisation_edit", args=[company.pk])

    assert edit in rep_client.get(own).content.decode()
    assert edit in operator_client.get(own).content.decode()
    assert edit not in stranger_client.get(own).content.decode()
    assert "Edit organisation" not in rep_client.get(other).content.decode()


@pytest.mark.parametrize("who", ["anonymous", "operator"])
def test_organisation_page_query_count_does_not_grow(
    client: Client, operator: User, django_assert_max_num_queries: Any, who: str
) -> None:
    if who == "operator":
        client.force_login(operator)
    small = build_registry(3)
    large = build_registry(30)
    assert small.hub is not None and large.hub is not None

    few = count_queries(lambda: client.get(reverse("registry:organisation", args=[small.hub.pk])))
    many = count_queries(lambda: client.get(reverse("registry:organisation", args=[large.hub.pk])))
    maker = count_queries(lambda: client.get(reverse("registry:organisation", args=[large.organisations[0].pk])))

    assert few == many
    limit = 8 if who == "anonymous" else 10  # + session and user
    assert maker <= limit
    with django_assert_max_num_queries(limit):
        client.get(reverse("registry:organisation", args=[large.hub.pk]))


# --- Certificates and logos -------------------------------------------------------------------------------------


def test_certificate_pdf_is_served_through_the_view(client: Client) -> None:
    qualification = QualificationFactory()
    qualification.certificate_pdf.save("cert.pdf", ContentFile(b"%PDF-1.4 test certificate"), save=True)

    response = client.get(reverse("registry:qualification_certificate", args=[qualification.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test certificate"  # type: ignore[attr-defined]


def test_certificate_is_404_without_a_file_or_qualification(client: Client) -> None:
    qualification = QualificationFactory()
    assert client.get(reverse("registry:qualification_certificate", args=[qualification.pk])).status_code == 404
    assert client.get(reverse("registry:qualification_certificate", args=[999999])).status_code == 404


def test_logo_is_served_with_its_content_type(client: Client, company: Organisation) -> None:
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    company.logo.save("logo.png", ContentFile(png), save=True)

    response = client.get(reverse("registry:organisation_logo", args=[company.pk]))

    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert client.get(reverse("registry:organisation_logo", args=[999999])).status_code == 404


# --- Chain map --------------------------------------------------------------------------------------------------


def test_chain_map_draws_nodes_in_columns_with_links_to_organisation_pages(client: Client) -> None:
    registry = build_registry(4)
    assert registry.hub is not None

    response = client.get(reverse("registry:chain_map"), {"category": "control"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in html
    assert reverse("registry:organisation", args=[registry.hub.pk]) in html
    assert reverse("registry:organisation", args=[registry.organisations[0].pk]) in html
    assert 'class="node in-park' in html
    stages = {n.node.id: n.node.stage for n in response.context["drawing"].nodes}
    assert stages[registry.organisations[0].pk] == 1  # fabless + IDM: chip makers
    assert stages[registry.hub.pk] == 4  # Tier-1
    assert "Chip makers" in html and "Tier-1 suppliers" in html


def test_chain_map_filters_and_empty_state(client: Client) -> None:
    build_registry(4)

    empty = client.get(reverse("registry:chain_map"), {"category": "security"})
    park = client.get(reverse("registry:chain_map"), {"category": "control", "in_park": "yes"})

    assert "No supply links are recorded" in empty.content.decode()
    park_ids = {n.id for n in park.context["network"].nodes}
    in_park = set(Organisation.objects.filter(in_park=True).values_list("pk", flat=True))
    for edge in park.context["network"].edges:
        assert edge.source in in_park or edge.target in in_park
    assert park_ids


def test_chain_map_caps_nodes_and_says_so(client: Client, settings: Any, monkeypatch: Any) -> None:
    from chiptown.registry import selectors

    monkeypatch.setattr(selectors, "CHAIN_MAP_LIMIT", 3)
    monkeypatch.setattr(selectors.chain_network, "__kwdefaults__", {"in_park_only": False, "province": "", "limit": 3})
    build_registry(8)

    response = client.get(reverse("registry:chain_map"), {"category": "control"})

    assert len(response.context["network"].nodes) == 3
    assert "Showing the 3 organisations with the most links" in response.content.decode()


def test_chain_map_query_count_does_not_grow(client: Client, django_assert_max_num_queries: Any) -> None:
    build_registry(3)
    small = count_queries(lambda: client.get(reverse("registry:chain_map"), {"category": "control"}))
    build_registry(30)
    large = count_queries(lambda: client.get(reverse("registry:chain_map"), {"category": "control"}))

    assert small == large
    with django_assert_max_num_queries(3):
        client.get(reverse("registry:chain_map"), {"category": "control"})


def test_pages_render_in_chinese(client: Client) -> None:
    registry = build_registry(2)
    client.cookies["django_language"] = "zh-hans"

    directory = client.get(DIRECTORY)
    page = client.get(reverse("registry:organisation", args=[registry.organisations[0].pk]))
    chain = client.get(reverse("registry:chain_map"), {"category": "control"})

    assert directory.status_code == page.status_code == chain.status_code == 200
    assert registry.organisations[0].name_zh in directory.content.decode()
    assert "控制芯片" in chain.content.decode()


# --- Export of the current result set ---------------------------------------------------------------------------


def test_operator_exports_the_current_results_in_import_columns(
    operator_client: Client, rep_client: Client, client: Client
) -> None:
    exporters = pytest.importorskip("chiptown.registry.exporters")
    build_registry(4)
    url = reverse("registry:directory_export")
    params = {"in_park": "yes", "role": "fabless", "format": "csv"}

    response = operator_client.get(url, params)

    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    lines = text.strip().splitlines()
    assert lines[0].split(",") == exporters.header("organisations")
    expected = Organisation.objects.filter(in_park=True, roles__role="fabless").order_by("name_key")
    assert [line.split(",")[1] for line in lines[1:]] == [o.name_en for o in expected]
    assert all(line.split(",")[-1] in {"fabless", "fabless;idm"} for line in lines[1:])
    assert operator_client.get(url, {**params, "format": "xlsx"}).status_code == 200
    assert rep_client.get(url, params).status_code == 403
    assert client.get(url, params).status_code == 302
    assert "Export these results" in operator_client.get(DIRECTORY).content.decode()
    assert "Export these results" not in rep_client.get(DIRECTORY).content.decode()
