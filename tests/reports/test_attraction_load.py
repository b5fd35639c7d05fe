"""Loading the attraction profiles from the registry: size bands, IATF 16949 and product qualifications."""

from __future__ import annotations

import datetime

import pytest

from chiptown.reports.attraction import candidates, gaps
from chiptown.reports.selectors import attraction_profiles_load, chain_columns_load
from tests.factories import OrganisationFactory, ProductFactory, QualificationFactory, SupplyLinkFactory, category

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)


def test_attraction_profiles_load_reads_sizes_plant_certificates_and_grades(django_assert_max_num_queries) -> None:
    car_maker = OrganisationFactory(province="北京市", in_park=True, size_band="giant")
    supplier = OrganisationFactory(country="DE", province="", in_park=False, credit_code=None, size_band="large")
    unsized = OrganisationFactory(province="上海市", in_park=False, size_band="")
    SupplyLinkFactory(supplier=supplier, buyer=car_maker, category=category("power"), share=None)
    SupplyLinkFactory(supplier=unsized, buyer=car_maker, category=category("power"), share=None)
    power = ProductFactory(organisation=supplier, category=category("power"))
    QualificationFactory(product=power, standard="AEC-Q100", level="0")
    QualificationFactory(product=power, standard="AEC-Q100", level="3")
    QualificationFactory(product=None, organisation=supplier, standard="IATF 16949", level="")
    # An expired plant certificate does not count.
    QualificationFactory(
        product=None, organisation=unsized, standard="IATF 16949", level="", expires_on=datetime.date(2025, 1, 1)
    )

    chain = chain_columns_load()
    with django_assert_max_num_queries(4):
        profiles = attraction_profiles_load(chain, on=DAY)

    index = {pk: i for i, pk in enumerate(chain.organisation_ids.tolist())}
    m, s, u = index[car_maker.pk], index[supplier.pk], index[unsized.pk]
    assert [profiles.size_band[i] for i in (m, s, u)] == [5, 4, 0]  # giant, large, not recorded
    assert [bool(profiles.iatf[i]) for i in (m, s, u)] == [False, True, False]
    # The strictest grade held wins: grade 0 is AEC-Q100 rank 3.
    assert profiles.qualifications.aec_q100[s, chain.category_index("power")] == 3

    # The car maker buys power from outside the park only; one of its suppliers is Chinese, so no country gap.
    (gap_park,) = [g for g in gaps(chain) if g.category_code == "power"]
    assert gap_park.kind == "outside_park"
    ranked = candidates(chain, profiles, gap_park)
    # supplier: focus 25 + grade 0 16 + IATF 5 + large 15 + 1 buyer 4 = 65; unsized: 25 + 0 + 0 + 4 = 29.
    assert [(c.organisation_id, c.score) for c in ranked] == [(supplier.pk, 65), (unsized.pk, 29)]
