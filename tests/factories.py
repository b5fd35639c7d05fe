"""factory_boy factories for the registry and accounts, shared by every test module."""

import datetime

import factory
from stdnum.cn import uscc

from chiptown.accounts.models import Role, User
from chiptown.registry.models import (
    ChipCategory,
    Organisation,
    OrganisationRole,
    Person,
    Product,
    Qualification,
    SupplyLink,
)


def credit_code(n: int) -> str:
    """A valid Unified Social Credit Code derived from a number (check character computed)."""
    body = f"91110302{n:09d}"
    return body + uscc.calc_check_digit(body)


class OrganisationFactory(factory.django.DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    name_zh = factory.Sequence(lambda n: f"测试芯片公司{n}")
    name_en = factory.Sequence(lambda n: f"Test Chip Co {n}")
    credit_code = factory.Sequence(credit_code)
    country = "CN"
    province = "北京市"
    city = "北京"
    in_park = True
    founded_year = 2015


class OrganisationRoleFactory(factory.django.DjangoModelFactory[OrganisationRole]):
    class Meta:
        model = OrganisationRole

    organisation = factory.SubFactory(OrganisationFactory)
    role = "fabless"


class PersonFactory(factory.django.DjangoModelFactory[Person]):
    class Meta:
        model = Person

    name_zh = factory.Sequence(lambda n: f"张{n}")
    name_en = factory.Sequence(lambda n: f"Zhang {n}")
    organisation = factory.SubFactory(OrganisationFactory)


def category(code: str = "control") -> ChipCategory:
    return ChipCategory.objects.get(code=code)


class ProductFactory(factory.django.DjangoModelFactory[Product]):
    class Meta:
        model = Product

    organisation = factory.SubFactory(OrganisationFactory)
    category = factory.LazyFunction(category)
    part_number = factory.Sequence(lambda n: f"CT{n:05d}")
    name_en = factory.Sequence(lambda n: f"Automotive MCU {n}")
    name_zh = factory.Sequence(lambda n: f"车规MCU {n}")
    process_node = "40nm"


class QualificationFactory(factory.django.DjangoModelFactory[Qualification]):
    class Meta:
        model = Qualification

    product = factory.SubFactory(ProductFactory)
    standard = "AEC-Q100"
    level = "1"
    issuer = "Test Lab"
    certificate_number = factory.Sequence(lambda n: f"CERT-{n:06d}")
    issued_on = datetime.date(2024, 1, 1)
    expires_on = datetime.date(2030, 1, 1)


class SupplyLinkFactory(factory.django.DjangoModelFactory[SupplyLink]):
    class Meta:
        model = SupplyLink

    supplier = factory.SubFactory(OrganisationFactory)
    buyer = factory.SubFactory(OrganisationFactory)
    category = factory.LazyFunction(category)
    status = "mass_production"
    share = 40


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    role = Role.ATTENDEE
    password = factory.django.Password("correct-horse-battery")
