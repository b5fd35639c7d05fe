"""Registry endpoints under /api/v1: paginated, filtered reads open to everyone; writes through registry.services.

Each write endpoint looks up the rows named in the request (404 when one does not exist) and calls one
service function, which checks permissions (rules), validates and audits. Nothing else happens here.
"""

import enum
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from chiptown.core.api import write_auth
from chiptown.core.errors import ChipTownError, Problem
from chiptown.registry import services
from chiptown.registry.models import ChipCategory, Organisation, Product, Qualification, SupplyLink
from chiptown.registry.schemas import (
    MAX_ID,
    ChipCategoryOut,
    OrganisationFilter,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    ProductFilter,
    ProductIn,
    ProductOut,
    ProductPatch,
    QualificationFilter,
    QualificationIn,
    QualificationOut,
    QualificationPatch,
    RowId,
    SupplyLinkFilter,
    SupplyLinkIn,
    SupplyLinkOut,
    SupplyLinkPatch,
)

router = Router(tags=["registry"])

M = TypeVar("M", bound=Model)


class Pages(LimitOffsetPagination):
    """limit/offset pages with the total count; both bounded so a huge number is a 422, not a database error."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=500)
        offset: int = Field(0, ge=0, le=MAX_ID // 2)


# Querysets that load what the output schemas read, so a page costs the same few queries at any size.


def _organisations() -> QuerySet[Organisation]:
    return Organisation.objects.prefetch_related("roles")


def _products() -> QuerySet[Product]:
    return Product.objects.select_related("organisation", "category")


def _qualifications() -> QuerySet[Qualification]:
    return Qualification.objects.select_related("product__organisation", "organisation").order_by(
        "standard", "level", "pk"
    )


def _supply_links() -> QuerySet[SupplyLink]:
    return SupplyLink.objects.select_related("supplier", "buyer", "category", "product").order_by(
        "category", "supplier", "pk"
    )


def _get(queryset: QuerySet[M], pk: int, *, column: str | None = None) -> M:
    """The row with this id; 404 when there is none (naming the field when the id came in the body)."""
    row = queryset.filter(pk=pk).first()
    if row is None:
        name = str(queryset.model._meta.verbose_name)
        message = _("No %(thing)s with id %(id)s.") % {"thing": name, "id": pk}
        problems = [Problem(reason=message, column=column)] if column else []
        raise ChipTownError(message, code="not_found", status=404, problems=problems)
    return row


def _values(payload: Schema, *, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields the caller sent, enums as their plain codes, ready for a service."""
    values = payload.model_dump(exclude_unset=True)
    return {
        key: value.value if isinstance(value, enum.Enum) else value for key, value in values.items() if key not in drop
    }


# ------------------------------------------------------------------------------------------ chip categories


@router.get("/chip-categories", response=list[ChipCategoryOut], tags=["chip categories"])
@paginate(Pages)
def chip_category_list(request: HttpRequest) -> Any:
    return ChipCategory.objects.all()


# ------------------------------------------------------------------------------------------ organisations


@router.get("/organisations", response=list[OrganisationOut], tags=["organisations"])
@paginate(Pages)
def organisation_list(request: HttpRequest, filters: Query[OrganisationFilter]) -> Any:
    return filters.filter(_organisations()).order_by("name_key", "pk")


@router.get("/organisations/{organisation_id}", response=OrganisationOut, tags=["organisations"])
def organisation_detail(request: HttpRequest, organisation_id: RowId) -> Any:
    return _get(_organisations(), organisation_id)


@router.post("/organisations", response={201: OrganisationOut}, auth=write_auth, tags=["organisations"])
def organisation_create(request: HttpRequest, payload: OrganisationIn) -> Any:
    roles = [role.value for role in payload.roles]
    organisation = services.organisation_create(by=request.user, values=_values(payload, drop=("roles",)), roles=roles)
    return Status(201, _get(_organisations(), organisation.pk))


@router.patch("/organisations/{organisation_id}", response=OrganisationOut, auth=write_auth, tags=["organisations"])
def organisation_update(request: HttpRequest, organisation_id: RowId, payload: OrganisationPatch) -> Any:
    organisation = _get(Organisation.objects.all(), organisation_id)
    roles = [role.value for role in payload.roles] if payload.roles is not None else None
    services.organisation_update(
        organisation=organisation, by=request.user, values=_values(payload, drop=("roles",)), roles=roles
    )
    return _get(_organisations(), organisation_id)


@router.delete("/organisations/{organisation_id}", response={204: None}, auth=write_auth, tags=["organisations"])
def organisation_delete(request: HttpRequest, organisation_id: RowId) -> Any:
    services.organisation_delete(organisation=_get(Organisation.objects.all(), organisation_id), by=request.user)
    return Status(204, None)


# ------------------------------------------------------------------------------------------ products


@router.get("/products", response=list[ProductOut], tags=["products"])
@paginate(Pages)
def product_list(request: HttpRequest, filters: Query[ProductFilter]) -> Any:
    return filters.filter(_products()).order_by("part_number", "pk")


@router.get("/products/{product_id}", response=ProductOut, tags=["products"])
def product_detail(request: HttpRequest, product_id: RowId) -> Any:
    return _get(_products(), product_id)


@router.post("/products", response={201: ProductOut}, auth=write_auth, tags=["products"])
def product_create(request: HttpRequest, payload: ProductIn) -> Any:
    organisation = _get(Organisation.objects.all(), payload.organisation, column="organisation")
    product = services.product_create(
        by=request.user, organisation=organisation, values=_values(payload, drop=("organisation",))
    )
    return Status(201, _get(_products(), product.pk))


@router.patch("/products/{product_id}", response=ProductOut, auth=write_auth, tags=["products"])
def product_update(request: HttpRequest, product_id: RowId, payload: ProductPatch) -> Any:
    product = _get(_products(), product_id)
    services.product_update(product=product, by=request.user, values=_values(payload))
    return _get(_products(), product_id)


@router.delete("/products/{product_id}", response={204: None}, auth=write_auth, tags=["products"])
def product_delete(request: HttpRequest, product_id: RowId) -> Any:
    services.product_delete(product=_get(_products(), product_id), by=request.user)
    return Status(204, None)


# ------------------------------------------------------------------------------------------ qualifications


@router.get("/qualifications", response=list[QualificationOut], tags=["qualifications"])
@paginate(Pages)
def qualification_list(request: HttpRequest, filters: Query[QualificationFilter]) -> Any:
    return filters.filter(_qualifications())


@router.get("/qualifications/{qualification_id}", response=QualificationOut, tags=["qualifications"])
def qualification_detail(request: HttpRequest, qualification_id: RowId) -> Any:
    return _get(_qualifications(), qualification_id)


@router.post("/qualifications", response={201: QualificationOut}, auth=write_auth, tags=["qualifications"])
def qualification_create(request: HttpRequest, payload: QualificationIn) -> Any:
    product = _get(_products(), payload.product, column="product") if payload.product else None
    organisation = (
        _get(Organisation.objects.all(), payload.organisation, column="organisation") if payload.organisation else None
    )
    qualification = services.qualification_create(
        by=request.user,
        values=_values(payload, drop=("product", "organisation")),
        product=product,
        organisation=organisation,
    )
    return Status(201, _get(_qualifications(), qualification.pk))


@router.patch("/qualifications/{qualification_id}", response=QualificationOut, auth=write_auth, tags=["qualifications"])
def qualification_update(request: HttpRequest, qualification_id: RowId, payload: QualificationPatch) -> Any:
    qualification = _get(_qualifications(), qualification_id)
    services.qualification_update(qualification=qualification, by=request.user, values=_values(payload))
    return _get(_qualifications(), qualification_id)


@router.post(
    "/qualifications/{qualification_id}/certificate",
    response=QualificationOut,
    auth=write_auth,
    tags=["qualifications"],
    summary="Upload the certificate PDF (multipart, field `file`)",
)
def qualification_upload_certificate(request: HttpRequest, qualification_id: RowId, file: File[UploadedFile]) -> Any:
    qualification = _get(_qualifications(), qualification_id)
    services.qualification_update(qualification=qualification, by=request.user, values={}, certificate_pdf=file)
    return _get(_qualifications(), qualification_id)


@router.delete("/qualifications/{qualification_id}", response={204: None}, auth=write_auth, tags=["qualifications"])
def qualification_delete(request: HttpRequest, qualification_id: RowId) -> Any:
    services.qualification_delete(qualification=_get(_qualifications(), qualification_id), by=request.user)
    return Status(204, None)


# ------------------------------------------------------------------------------------------ supply links


def _supply_link_values(payload: SupplyLinkIn | SupplyLinkPatch) -> dict[str, Any]:
    """Body values with the organisations and product the ids name (404 for an id that names nothing)."""
    values = _values(payload)
    for field in ("supplier", "buyer"):
        if field in values:
            values[field] = _get(Organisation.objects.all(), values[field], column=field)
    if values.get("product") is not None:
        values["product"] = _get(Product.objects.all(), values["product"], column="product")
    return values


@router.get("/supply-links", response=list[SupplyLinkOut], tags=["supply links"])
@paginate(Pages)
def supply_link_list(request: HttpRequest, filters: Query[SupplyLinkFilter]) -> Any:
    return filters.filter(_supply_links())


@router.get("/supply-links/{link_id}", response=SupplyLinkOut, tags=["supply links"])
def supply_link_detail(request: HttpRequest, link_id: RowId) -> Any:
    return _get(_supply_links(), link_id)


@router.post("/supply-links", response={201: SupplyLinkOut}, auth=write_auth, tags=["supply links"])
def supply_link_create(request: HttpRequest, payload: SupplyLinkIn) -> Any:
    link = services.supply_link_create(by=request.user, values=_supply_link_values(payload))
    return Status(201, _get(_supply_links(), link.pk))


@router.patch("/supply-links/{link_id}", response=SupplyLinkOut, auth=write_auth, tags=["supply links"])
def supply_link_update(request: HttpRequest, link_id: RowId, payload: SupplyLinkPatch) -> Any:
    link = _get(_supply_links(), link_id)
    services.supply_link_update(link=link, by=request.user, values=_supply_link_values(payload))
    return _get(_supply_links(), link_id)


@router.delete("/supply-links/{link_id}", response={204: None}, auth=write_auth, tags=["supply links"])
def supply_link_delete(request: HttpRequest, link_id: RowId) -> Any:
    services.supply_link_delete(link=_get(_supply_links(), link_id), by=request.user)
    return Status(204, None)
