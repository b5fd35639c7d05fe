"""Object permissions of the registry (rules): operators everything, representatives only their own organisation
(and its products, qualifications, people and the supply links where it is the buyer), everyone else nothing."""

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from chiptown.accounts.models import Role, User
from chiptown.registry.models import Organisation
from tests.factories import PersonFactory, ProductFactory, QualificationFactory, SupplyLinkFactory, UserFactory

pytestmark = pytest.mark.django_db

OBJECT_PERMS = {
    "registry.change_organisation": "organisation",
    "registry.add_product": "organisation",
    "registry.change_product": "product",
    "registry.delete_product": "product",
    "registry.add_qualification": "organisation",
    "registry.change_qualification": "qualification",
    "registry.delete_qualification": "qualification",
    "registry.add_person": "organisation",
    "registry.change_person": "person",
    "registry.delete_person": "person",
    "registry.add_supplylink": "organisation",
    "registry.change_supplylink": "link_as_buyer",
    "registry.delete_supplylink": "link_as_buyer",
}


def objects_of(organisation: Organisation, other: Organisation) -> dict[str, Any]:
    product = ProductFactory(organisation=organisation)
    return {
        "organisation": organisation,
        "product": product,
        "qualification": QualificationFactory(product=product),
        "plant_qualification": QualificationFactory(
            product=None, organisation=organisation, standard="IATF 16949", level=""
        ),
        "link_as_buyer": SupplyLinkFactory(buyer=organisation, supplier=other),
        "person": PersonFactory(organisation=organisation),
    }


@pytest.mark.parametrize("perm", sorted(OBJECT_PERMS))
def test_representative_may_change_own_organisation_only(
    perm: str, company_rep: User, company: Organisation, other_company: Organisation
) -> None:
    own = objects_of(company, other_company)
    theirs = objects_of(other_company, company)
    kind = OBJECT_PERMS[perm]

    assert company_rep.has_perm(perm, own[kind]) is True
    assert company_rep.has_perm(perm, theirs[kind]) is False


@pytest.mark.parametrize("perm", sorted(OBJECT_PERMS))
def test_operator_may_change_everything_and_others_nothing(
    perm: str, operator: User, stranger: User, company: Organisation, other_company: Organisation
) -> None:
    target = objects_of(company, other_company)[OBJECT_PERMS[perm]]
    judge = UserFactory(role=Role.JUDGE)
    orphan_rep = UserFactory(role=Role.COMPANY_REP, organisation=None)
    attendee_of_company = UserFactory(role=Role.ATTENDEE, organisation=company)  # not a representative
    superuser = UserFactory(is_superuser=True)

    assert operator.has_perm(perm, target) is True
    assert superuser.has_perm(perm, target) is True
    for nobody in (stranger, judge, orphan_rep, attendee_of_company, AnonymousUser()):
        assert nobody.has_perm(perm, target) is False, nobody


def test_plant_qualification_belongs_to_its_organisation(
    company_rep: User, company: Organisation, other_company: Organisation
) -> None:
    own = objects_of(company, other_company)["plant_qualification"]
    theirs = objects_of(other_company, company)["plant_qualification"]

    assert company_rep.has_perm("registry.change_qualification", own)
    assert not company_rep.has_perm("registry.change_qualification", theirs)


def test_supplier_cannot_change_a_link_the_buyer_vouches_for(
    company_rep: User, company: Organisation, other_company: Organisation
) -> None:
    we_supply_them = SupplyLinkFactory(supplier=company, buyer=other_company)

    assert not company_rep.has_perm("registry.change_supplylink", we_supply_them)
    assert not company_rep.has_perm("registry.delete_supplylink", we_supply_them)


@pytest.mark.parametrize(
    "perm", ["registry.add_organisation", "registry.delete_organisation", "registry.import_registry"]
)
def test_creating_deleting_and_importing_organisations_is_for_operators(
    perm: str, operator: User, company_rep: User, company: Organisation
) -> None:
    assert operator.has_perm(perm, None) and operator.has_perm(perm, company)
    assert not company_rep.has_perm(perm, None) and not company_rep.has_perm(perm, company)
    assert not AnonymousUser().has_perm(perm, company)


def test_a_person_at_no_organisation_is_for_operators_only(operator: User, company_rep: User) -> None:
    loner = PersonFactory(organisation=None)

    assert operator.has_perm("registry.change_person", loner) and operator.has_perm("registry.delete_person", loner)
    assert not company_rep.has_perm("registry.change_person", loner)
    assert not company_rep.has_perm("registry.delete_person", loner)
