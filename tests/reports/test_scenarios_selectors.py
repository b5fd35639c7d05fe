"""Loading qualifications per supplier and category from the registry: strictest valid grade, constant queries."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from chiptown.reports.scenarios import NONE, Scenario, simulate
from chiptown.reports.selectors import chain_columns_load, supplier_qualifications_load
from tests.factories import (
    OrganisationFactory,
    ProductFactory,
    QualificationFactory,
    SupplyLinkFactory,
    category,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 6, 1)


def test_the_strictest_valid_grade_per_supplier_and_category():
    maker = OrganisationFactory(in_park=False, province="上海市")
    other = OrganisationFactory(country="DE", province="", in_park=False, credit_code=None)
    bystander = OrganisationFactory()
    mcu = ProductFactory(organisation=maker, category=category("control"))
    mcu_2 = ProductFactory(organisation=maker, category=category("control"))
    QualificationFactory(product=mcu, level="2")
    QualificationFactory(product=mcu_2, level="1")  # the strictest of the maker's control grades
    QualificationFactory(product=mcu_2, level="0", expires_on=datetime.date(2026, 5, 31))  # expired the day before
    QualificationFactory(product=mcu, level="0", issued_on=datetime.date(2026, 6, 2))  # not yet issued
    QualificationFactory(product=mcu, standard="ISO 26262", level="B")
    QualificationFactory(product=mcu, standard="ISO 26262", level="C", expires_on=None)
    QualificationFactory(product=mcu, standard="ISO/SAE 21434", level="")  # not a grade we compare
    power = ProductFactory(organisation=other, category=category("power"))
    QualificationFactory(product=power, level="3", expires_on=DAY)  # still valid on its expiry day
    ProductFactory(organisation=other, category=category("memory"))  # made, not qualified
    QualificationFactory(product=None, organisation=bystander, standard="IATF 16949", level="")  # a plant's
    SupplyLinkFactory(supplier=maker, buyer=bystander)

    chain = chain_columns_load()
    qualifications = supplier_qualifications_load(chain, on=DAY)

    m, o, b = (chain.organisation_index(x.pk) for x in (maker, other, bystander))
    control, power_, memory = (chain.category_index(c) for c in ("control", "power", "memory"))
    assert qualifications.aec_q100.shape == (3, chain.n_categories)
    assert qualifications.grade(m, control).aec_q100 == 2  # grade 1
    assert qualifications.grade(m, control).asil == 3  # ASIL C
    assert qualifications.grade(o, power_).aec_q100 == 0  # grade 3
    assert qualifications.grade(o, memory).aec_q100 == NONE
    assert qualifications.makes[o, memory] and qualifications.makes[m, control]
    # Everything else is "none".
    assert int((qualifications.aec_q100 != NONE).sum()) == 2
    assert int((qualifications.asil != NONE).sum()) == 1
    assert int(qualifications.makes.sum()) == 3
    assert not qualifications.makes[b].any()


def test_products_of_organisations_outside_the_chain_are_ignored():
    OrganisationFactory()
    chain = chain_columns_load()
    QualificationFactory()  # its maker was created after the chain was loaded
    qualifications = supplier_qualifications_load(chain)
    assert int(qualifications.makes.sum()) == 0


def test_the_load_costs_two_queries_whatever_the_size(django_assert_num_queries):
    for n in range(6):
        product = ProductFactory()
        QualificationFactory(product=product, level=str(n % 4))
        SupplyLinkFactory(supplier=product.organisation)
    chain = chain_columns_load()
    with django_assert_num_queries(2):
        supplier_qualifications_load(chain)


def test_a_scenario_on_the_loaded_registry():
    lost = OrganisationFactory(country="DE", province="", in_park=False, credit_code=None)
    spare = OrganisationFactory(province="江苏省", in_park=False)
    weaker = OrganisationFactory(province="北京市", in_park=True)
    car_maker = OrganisationFactory()
    for organisation, grade in ((lost, "0"), (spare, "0"), (weaker, "2")):
        QualificationFactory(product=ProductFactory(organisation=organisation), level=grade)
    SupplyLinkFactory(supplier=lost, buyer=car_maker, share=None)

    chain = chain_columns_load()
    result = simulate(chain, supplier_qualifications_load(chain), Scenario(country="DE"))

    assert result.left_without_supplier.tolist() == [True]
    np.testing.assert_allclose(result.lost_share, [1.0])
    # The in-park grade 2 maker cannot replace a grade 0 supplier; the grade 0 maker elsewhere can.
    assert chain.organisation_ids[result.alternatives[0][result.alternatives[0] >= 0]].tolist() == [spare.pk]
