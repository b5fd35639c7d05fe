"""Small registries of a chosen size for page and selector tests (query counts are compared across sizes)."""

import datetime
from dataclasses import dataclass, field

from chiptown.registry.models import Organisation, OrganisationRole
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    ProductFactory,
    QualificationFactory,
    SupplyLinkFactory,
    category,
)


@dataclass
class Registry:
    organisations: list[Organisation] = field(default_factory=list)
    hub: Organisation | None = None


def build_registry(size: int) -> Registry:
    """`size` chip makers, each with two products (qualified, one expired), a person and a plant certificate,
    all supplying one Tier-1 hub (in a few categories) that in turn supplies one OEM."""
    registry = Registry()
    hub = OrganisationFactory(name_en="Hub Tier One Systems", name_zh="枢纽一级系统", province="上海市", in_park=False)
    OrganisationRole.objects.create(organisation=hub, role="tier1")
    oem = OrganisationFactory(name_en="Cathay Motors", name_zh="华夏汽车", province="北京市")
    OrganisationRole.objects.create(organisation=oem, role="oem")
    SupplyLinkFactory(supplier=hub, buyer=oem, category=category("control"), share=60)
    codes = ["control", "power", "sensing", "memory"]
    for n in range(size):
        maker = OrganisationFactory(in_park=n % 2 == 0, province="江苏省" if n % 3 else "北京市")
        OrganisationRole.objects.create(organisation=maker, role="fabless")
        if n % 4 == 0:
            OrganisationRole.objects.create(organisation=maker, role="idm")
        PersonFactory(organisation=maker)
        code = codes[n % len(codes)]
        first = ProductFactory(organisation=maker, category=category(code))
        second = ProductFactory(organisation=maker, category=category(code))
        QualificationFactory(product=first, standard="AEC-Q100", level=str(n % 4))
        QualificationFactory(product=first, standard="ISO 26262", level="D")
        QualificationFactory(
            product=second,
            standard="AEC-Q100",
            level="1",
            issued_on=datetime.date(2018, 1, 1),
            expires_on=datetime.date(2021, 1, 1),
        )
        QualificationFactory(product=None, organisation=maker, standard="IATF 16949", level="")
        SupplyLinkFactory(supplier=maker, buyer=hub, category=category(code), product=first, share=None)
        registry.organisations.append(maker)
    registry.hub = hub
    registry.organisations += [hub, oem]
    return registry
