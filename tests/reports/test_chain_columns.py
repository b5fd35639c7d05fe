"""Loading the registry into ChainColumns: rows from factories, counted statuses, constant queries."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from chiptown.registry.models import ChipCategory
from chiptown.reports.analytics import localisation
from chiptown.reports.selectors import COUNTED_STATUSES, chain_columns_load
from tests.factories import OrganisationFactory, SupplyLinkFactory, category

pytestmark = pytest.mark.django_db


def test_chain_columns_load_reads_the_counted_links_and_their_organisations() -> None:
    supplier = OrganisationFactory(country="DE", province="", in_park=False, credit_code=None)
    park_supplier = OrganisationFactory(province="北京市", in_park=True)
    buyer = OrganisationFactory(province="上海市", in_park=False)
    SupplyLinkFactory(supplier=supplier, buyer=buyer, category=category("control"), share=60)
    SupplyLinkFactory(supplier=park_supplier, buyer=buyer, category=category("control"), share=None)
    SupplyLinkFactory(supplier=park_supplier, buyer=buyer, category=category("power"), share="12.5")
    SupplyLinkFactory(supplier=supplier, buyer=buyer, category=category("power"), status="evaluation", share=10)
    SupplyLinkFactory(supplier=supplier, buyer=park_supplier, category=category("memory"), status="design_win")

    chain = chain_columns_load()

    codes = tuple(ChipCategory.objects.values_list("code", flat=True))  # ordered by position, as loaded
    assert chain.category_codes == codes
    assert chain.organisation_ids.tolist() == sorted([supplier.pk, park_supplier.pk, buyer.pk])
    index = {pk: i for i, pk in enumerate(chain.organisation_ids.tolist())}
    s, p, b = index[supplier.pk], index[park_supplier.pk], index[buyer.pk]
    assert chain.domestic.tolist() == [i != s for i in range(3)]
    assert chain.in_park.tolist() == [i == p for i in range(3)]
    assert [chain.country_labels[c] for c in chain.country.tolist()] == ["DE" if i == s else "CN" for i in range(3)]
    assert [chain.province_labels[c] for c in chain.province.tolist()][p] == "北京市"
    # Only the three links in mass production count (evaluation and design win carry no volume yet).
    assert COUNTED_STATUSES == ("mass_production",)
    links = sorted(
        zip(
            chain.supplier.tolist(),
            chain.buyer.tolist(),
            [codes[c] for c in chain.category.tolist()],
            chain.share.tolist(),
            strict=True,
        ),
        key=lambda row: (row[2], row[0]),
    )
    assert [row[:3] for row in links] == sorted(
        [(s, b, "control"), (p, b, "control"), (p, b, "power")], key=lambda row: (row[2], row[0])
    )
    shares = {(row[0], row[2]): row[3] for row in links}
    assert shares[(s, "control")] == 0.6
    assert math.isnan(shares[(p, "control")])
    assert shares[(p, "power")] == 0.125
    # The loaded chain feeds the analytics: control = 60% foreign + the unknown rest 40% from the park.
    table = localisation(chain)
    control = codes.index("control")
    assert table.domestic_by_volume[control] == pytest.approx(0.4)
    assert table.in_park_by_volume[control] == pytest.approx(0.4)


def test_other_statuses_can_be_asked_for() -> None:
    SupplyLinkFactory(status="design_win")
    assert chain_columns_load().n_links == 0
    assert chain_columns_load(statuses=("design_win", "mass_production")).n_links == 1


def test_an_empty_registry_loads_as_an_empty_chain() -> None:
    chain = chain_columns_load()
    assert chain.n_links == 0
    assert chain.n_organisations == 0
    assert np.isnan(localisation(chain).domestic_by_volume).all()


def test_loading_costs_three_queries_whatever_the_size(django_assert_num_queries: Any) -> None:
    for _ in range(2):
        SupplyLinkFactory()
    with django_assert_num_queries(3):
        small = chain_columns_load()
    for _ in range(10):
        SupplyLinkFactory(share=None)
    with django_assert_num_queries(3):
        large = chain_columns_load()
    assert (small.n_links, large.n_links) == (2, 12)
