"""Registry reads behind the pages: search terms, directory order and ids, organisation references."""

import pytest
from django.test import Client
from django.urls import reverse

from chiptown.registry import search, selectors
from chiptown.registry.models import Qualification
from tests.factories import OrganisationFactory, ProductFactory, QualificationFactory

pytestmark = pytest.mark.django_db


def test_search_terms_are_casefolded_split_and_deduplicated() -> None:
    assert search.search_terms("  Horizon   ROBOTICS horizon ") == ["horizon", "robotics"]
    assert search.search_terms("北京，科技；芯片") == ["北京", "科技", "芯片"]
    assert search.search_terms("") == []
    assert len(search.search_terms(" ".join(f"w{n}" for n in range(20)))) == search.MAX_TERMS


def test_every_term_must_match_in_either_language() -> None:
    both = OrganisationFactory(name_en="Suzhou Core Technology", name_zh="苏州芯核科技")
    OrganisationFactory(name_en="Suzhou Motors", name_zh="苏州汽车")

    assert search.directory_ids(search.DirectoryQuery(q="苏州 technology")) == [both.pk]
    assert search.directory_ids(search.DirectoryQuery(q="科技 suzhou")) == [both.pk]


def test_part_numbers_match_by_prefix_from_three_characters() -> None:
    maker = OrganisationFactory(name_en="Maker")
    OrganisationFactory(name_en="Other")
    ProductFactory(organisation=maker, part_number="SC7A20")

    assert search.directory_ids(search.DirectoryQuery(q="sc7a")) == [maker.pk]
    assert search.directory_ids(search.DirectoryQuery(q="7a20")) == []  # a prefix, not any substring
    assert search.directory_ids(search.DirectoryQuery(q="sc")) == []


def test_directory_ids_follow_the_sort_with_unknown_years_last() -> None:
    old = OrganisationFactory(name_en="Old", founded_year=1990)
    young = OrganisationFactory(name_en="Young", founded_year=2020)
    unknown = OrganisationFactory(name_en="Unknown", founded_year=None)

    assert search.directory_ids(search.DirectoryQuery(sort="founded")) == [old.pk, young.pk, unknown.pk]
    assert search.directory_ids(search.DirectoryQuery(sort="-founded")) == [young.pk, old.pk, unknown.pk]
    assert search.directory_ids(search.DirectoryQuery(sort="-name")) == [young.pk, unknown.pk, old.pk]
    assert search.directory_ids(search.DirectoryQuery(q="o", sort="name")) == [old.pk, unknown.pk, young.pk]


def test_directory_page_keeps_order_and_counts_products() -> None:
    first = OrganisationFactory(name_en="A First")
    OrganisationFactory(name_en="B Second")
    ProductFactory(organisation=first)

    page = selectors.directory_page(query=search.DirectoryQuery(), page_number=1)

    assert [o.name_en for o in page.object_list] == ["A First", "B Second"]
    assert [o.product_count for o in page.object_list] == [1, 0]


def test_organisation_by_reference() -> None:
    alpha = OrganisationFactory(name_en="Alpha", name_zh="阿尔法")
    OrganisationFactory(name_en="Twin", name_zh="双胞胎一")
    OrganisationFactory(name_en="Twin Two", name_zh="双胞胎一", credit_code=None, country="US")

    assert selectors.organisation_by_reference(f"Alpha #{alpha.pk}") == alpha
    assert selectors.organisation_by_reference(str(alpha.pk)) == alpha
    assert selectors.organisation_by_reference("阿尔法") == alpha
    assert selectors.organisation_by_reference(str(alpha.credit_code).lower()) == alpha
    assert selectors.organisation_by_reference("双胞胎一") is None  # ambiguous
    assert selectors.organisation_by_reference("") is None
    assert selectors.organisation_by_reference("#999999") is None


def test_qualification_filter_sees_new_and_deleted_certificates_at_once(operator_client: Client) -> None:
    maker = OrganisationFactory(name_en="Maker")
    query = search.DirectoryQuery(standard="AEC-Q100", level="2")
    assert search.directory_ids(query) == []  # cached as empty

    qualification = QualificationFactory(product=ProductFactory(organisation=maker), standard="AEC-Q100", level="2")
    assert search.directory_ids(query) == [maker.pk]

    operator_client.post(reverse("registry:qualification_delete", args=[qualification.pk]))
    assert search.directory_ids(query) == []


def test_other_writers_are_seen_within_the_cache_lifetime_or_when_they_say_so() -> None:
    maker = OrganisationFactory(name_en="Maker")
    qualification = QualificationFactory(product=ProductFactory(organisation=maker), standard="AEC-Q101", level="")
    query = search.DirectoryQuery(standard="AEC-Q101")
    assert search.directory_ids(query) == [maker.pk]

    Qualification.objects.filter(pk=qualification.pk).delete()  # a bulk writer, no signal
    search.registry_changed()

    assert search.directory_ids(query) == []
