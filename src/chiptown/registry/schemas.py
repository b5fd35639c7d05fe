"""What the registry API reads and writes: input bodies, list filters and output shapes.

Types and lengths are checked here (a wrong type is a 422 with the field named); the domain rules (credit
codes, countries, grades, shares) are checked once, in registry.services, for forms, API and imports alike.
"""

import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from ninja import FilterSchema, Schema
from pydantic import AfterValidator, Field, ValidationInfo, field_validator

from chiptown.registry.models import (
    ChainRole,
    Lifecycle,
    LinkStatus,
    Organisation,
    OrganisationRole,
    Product,
    Qualification,
    SizeBand,
    Standard,
    SupplyLink,
    search_key,
)

# Largest id a database integer column holds: a bigger one in a URL is "not found", never an overflow (500).
MAX_ID = 2**63 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ID)]


def _no_nul(value: str) -> str:
    # PostgreSQL refuses NUL characters in text; say so instead of failing at the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


NulFree = AfterValidator(_no_nul)
# Strings capped at their column's length, so PostgreSQL never refuses a value that SQLite would keep.
Code8 = Annotated[str, Field(max_length=8), NulFree]
Code16 = Annotated[str, Field(max_length=16), NulFree]
Code32 = Annotated[str, Field(max_length=32), NulFree]
# A category code that may not be blank: product_update would try to store "" as the category.
CategoryCode = Annotated[str, Field(min_length=1, max_length=32), NulFree]
Text64 = Annotated[str, Field(max_length=64), NulFree]
Text100 = Annotated[str, Field(max_length=100), NulFree]
Text190 = Annotated[str, Field(max_length=190), NulFree]
Text200 = Annotated[str, Field(max_length=200), NulFree]
Text255 = Annotated[str, Field(max_length=255), NulFree]
LongText = Annotated[str, Field(max_length=20_000), NulFree]
Share = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]


# ---------------------------------------------------------------------------------------------- output


class OrganisationRef(Schema):
    id: int
    name_zh: str
    name_en: str
    display_name: str


class ChipCategoryOut(Schema):
    code: str
    name_en: str
    name_zh: str
    display_name: str
    examples: str


class OrganisationOut(Schema):
    id: int
    name_zh: str
    name_en: str
    display_name: str
    credit_code: str | None
    country: str
    province: str
    city: str
    address: str
    in_park: bool
    size_band: str
    founded_year: int | None
    website: str
    logo: str | None
    description: str
    roles: list[str]
    is_demo: bool
    url: str
    updated_at: datetime.datetime

    @staticmethod
    def resolve_roles(obj: Organisation) -> list[str]:
        return sorted(r.role for r in obj.roles.all())

    @staticmethod
    def resolve_logo(obj: Organisation) -> str | None:
        return obj.logo.url if obj.logo else None

    @staticmethod
    def resolve_url(obj: Organisation) -> str:
        return obj.get_absolute_url()


class ProductOut(Schema):
    id: int
    organisation: OrganisationRef
    category: str
    part_number: str
    name_zh: str
    name_en: str
    display_name: str
    process_node: str
    lifecycle: str
    is_demo: bool

    @staticmethod
    def resolve_category(obj: Product) -> str:
        return obj.category_id


class ProductRef(Schema):
    id: int
    part_number: str
    display_name: str


class QualificationOut(Schema):
    id: int
    product: ProductRef | None
    organisation: OrganisationRef | None
    holder_organisation_id: int
    standard: str
    level: str
    level_label: str
    temperature_range: tuple[int, int] | None
    issuer: str
    certificate_number: str
    issued_on: datetime.date | None
    expires_on: datetime.date | None
    is_expired: bool
    certificate_pdf: str | None
    is_demo: bool

    @staticmethod
    def resolve_holder_organisation_id(obj: Qualification) -> int:
        if obj.organisation_id is not None:
            return obj.organisation_id
        assert obj.product is not None
        return obj.product.organisation_id

    @staticmethod
    def resolve_certificate_pdf(obj: Qualification) -> str | None:
        return obj.certificate_pdf.url if obj.certificate_pdf else None


class SupplyLinkOut(Schema):
    id: int
    supplier: OrganisationRef
    buyer: OrganisationRef
    category: str
    product: ProductRef | None
    status: str
    share: Decimal | None
    since: datetime.date | None
    is_demo: bool

    @staticmethod
    def resolve_category(obj: SupplyLink) -> str:
        return obj.category_id


# ---------------------------------------------------------------------------------------------- input

SizeBandOrNone = SizeBand | Literal[""]


class OrganisationIn(Schema):
    """A new organisation: a name in either language; a credit code for Chinese ones, a country otherwise."""

    name_zh: Text200 = ""
    name_en: Text200 = ""
    credit_code: Code32 = ""
    country: Code8 = "CN"
    province: Text64 = ""
    city: Text64 = ""
    address: Text255 = ""
    in_park: bool = False
    size_band: SizeBandOrNone = ""
    founded_year: int | None = None
    website: Text190 = ""
    description: LongText = ""
    roles: list[ChainRole] = Field(default_factory=list, max_length=len(ChainRole.choices))


class Patch(Schema):
    """A partial update: only the fields sent change. Sending null is allowed only where a value may be empty."""

    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("may not be null")
        return value


class OrganisationPatch(Patch):
    """`roles`, when sent, replaces the organisation's chain roles."""

    nullable = frozenset({"founded_year"})

    name_zh: Text200 | None = None
    name_en: Text200 | None = None
    credit_code: Code32 | None = None
    country: Code8 | None = None
    province: Text64 | None = None
    city: Text64 | None = None
    address: Text255 | None = None
    in_park: bool | None = None
    size_band: SizeBandOrNone | None = None
    founded_year: int | None = None
    website: Text190 | None = None
    description: LongText | None = None
    roles: list[ChainRole] | None = Field(default=None, max_length=len(ChainRole.choices))


class ProductIn(Schema):
    organisation: RowId
    category: CategoryCode
    part_number: Text64
    name_zh: Text200 = ""
    name_en: Text200 = ""
    process_node: Code32 = ""
    lifecycle: Lifecycle = Lifecycle.MASS_PRODUCTION


class ProductPatch(Patch):
    category: CategoryCode | None = None
    part_number: Text64 | None = None
    name_zh: Text200 | None = None
    name_en: Text200 | None = None
    process_node: Code32 | None = None
    lifecycle: Lifecycle | None = None


class QualificationIn(Schema):
    """A certificate of a product, or of an organisation (IATF 16949 plants): give exactly one holder."""

    product: RowId | None = None
    organisation: RowId | None = None
    standard: Standard
    level: Code16 = ""
    issuer: Text200 = ""
    certificate_number: Text64
    issued_on: datetime.date | None = None
    expires_on: datetime.date | None = None


class QualificationPatch(Patch):
    nullable = frozenset({"issued_on", "expires_on"})

    standard: Standard | None = None
    level: Code16 | None = None
    issuer: Text200 | None = None
    certificate_number: Text64 | None = None
    issued_on: datetime.date | None = None
    expires_on: datetime.date | None = None


class SupplyLinkIn(Schema):
    """Supplier S provides a product (or a whole category) to buyer B, for a share of B's volume."""

    supplier: RowId
    buyer: RowId
    category: Code32 = ""
    product: RowId | None = None
    status: LinkStatus = LinkStatus.EVALUATION
    share: Share | None = None
    since: datetime.date | None = None


class SupplyLinkPatch(Patch):
    nullable = frozenset({"product", "share", "since"})

    supplier: RowId | None = None
    buyer: RowId | None = None
    category: Code32 | None = None
    product: RowId | None = None
    status: LinkStatus | None = None
    share: Share | None = None
    since: datetime.date | None = None


# ---------------------------------------------------------------------------------------------- filters


def _search(value: str | None) -> str:
    return search_key(value) if value else ""


class OrganisationFilter(FilterSchema):
    q: Text100 | None = Field(None, description="Matches Chinese or English names and the credit code.")
    role: ChainRole | None = None
    category: Code32 | None = Field(None, description="Makes products in this chip category (code).")
    standard: Standard | None = Field(None, description="Holds this qualification, itself or for a product.")
    in_park: bool | None = None
    province: Text64 | None = None
    country: Code8 | None = None

    def filter_q(self, value: str | None) -> Q:
        return Q(search_text__contains=_search(value)) if value and _search(value) else Q()

    def filter_role(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(Exists(OrganisationRole.objects.filter(organisation=OuterRef("pk"), role=value)))

    def filter_category(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(Exists(Product.objects.filter(organisation=OuterRef("pk"), category_id=value)))

    def filter_standard(self, value: str | None) -> Q:
        if not value:
            return Q()
        own = Qualification.objects.filter(organisation=OuterRef("pk"), standard=value)
        of_products = Qualification.objects.filter(product__organisation=OuterRef("pk"), standard=value)
        return Q(Exists(own)) | Q(Exists(of_products))

    def filter_country(self, value: str | None) -> Q:
        return Q(country=value.strip().upper()) if value else Q()


class ProductFilter(FilterSchema):
    q: Text100 | None = Field(None, description="Matches part number and names in either language.")
    organisation: RowId | None = None
    category: Code32 | None = None
    lifecycle: Lifecycle | None = None

    def filter_q(self, value: str | None) -> Q:
        return Q(search_text__contains=_search(value)) if value and _search(value) else Q()

    def filter_organisation(self, value: int | None) -> Q:
        return Q(organisation_id=value) if value else Q()

    def filter_category(self, value: str | None) -> Q:
        return Q(category_id=value) if value else Q()


class QualificationFilter(FilterSchema):
    product: RowId | None = None
    organisation: RowId | None = Field(None, description="Held by the organisation or by one of its products.")
    standard: Standard | None = None
    level: Code16 | None = None
    expired: bool | None = Field(None, description="true: only expired; false: only valid or open-ended.")

    def filter_product(self, value: int | None) -> Q:
        return Q(product_id=value) if value else Q()

    def filter_organisation(self, value: int | None) -> Q:
        return Q(organisation_id=value) | Q(product__organisation_id=value) if value else Q()

    def filter_level(self, value: str | None) -> Q:
        if not value:
            return Q()
        return Q(level=value.strip().upper().removeprefix("ASIL").removeprefix("GRADE").strip())

    def filter_expired(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        today = timezone.localdate()
        expired = Q(expires_on__lt=today)
        return expired if value else ~expired | Q(expires_on__isnull=True)


class SupplyLinkFilter(FilterSchema):
    supplier: RowId | None = None
    buyer: RowId | None = None
    category: Code32 | None = None
    status: LinkStatus | None = None

    def filter_supplier(self, value: int | None) -> Q:
        return Q(supplier_id=value) if value else Q()

    def filter_buyer(self, value: int | None) -> Q:
        return Q(buyer_id=value) if value else Q()

    def filter_category(self, value: str | None) -> Q:
        return Q(category_id=value) if value else Q()


__all__ = [
    "ChipCategoryOut",
    "OrganisationFilter",
    "OrganisationIn",
    "OrganisationOut",
    "OrganisationPatch",
    "ProductFilter",
    "ProductIn",
    "ProductOut",
    "ProductPatch",
    "QualificationFilter",
    "QualificationIn",
    "QualificationOut",
    "QualificationPatch",
    "SupplyLinkFilter",
    "SupplyLinkIn",
    "SupplyLinkOut",
    "SupplyLinkPatch",
]
