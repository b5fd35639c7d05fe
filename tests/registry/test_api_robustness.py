"""Bad input never gets a 500: every field of every write endpoint, sent empty, null, of the wrong type or
absurdly large, is answered with a 4xx (or accepted), and the database stays consistent."""

import json
from typing import Any

import pytest
from django.test import Client

from chiptown.registry import schemas
from chiptown.registry.models import Organisation
from tests.factories import ProductFactory, QualificationFactory, SupplyLinkFactory

pytestmark = pytest.mark.django_db

ODD_VALUES: list[Any] = ["", None, "   ", 0, -1, 2**80, 1.5, True, [], {}, "x" * 5000, "😀", "2024-13-45", "a\x00b"]


def _targets(company: Organisation) -> dict[str, tuple[str, str, type[Any], dict[str, Any]]]:
    """For each write: method, path, its input schema and a valid body to spoil one field at a time."""
    product = ProductFactory(organisation=company)
    qualification = QualificationFactory(product=product)
    link = SupplyLinkFactory(buyer=company)
    return {
        "organisation create": ("post", "/organisations", schemas.OrganisationIn, {"name_en": "Fresh Co"}),
        "organisation patch": ("patch", f"/organisations/{company.pk}", schemas.OrganisationPatch, {}),
        "product create": (
            "post",
            "/products",
            schemas.ProductIn,
            {"organisation": company.pk, "category": "power", "part_number": "Z1"},
        ),
        "product patch": ("patch", f"/products/{product.pk}", schemas.ProductPatch, {}),
        "qualification create": (
            "post",
            "/qualifications",
            schemas.QualificationIn,
            {"product": product.pk, "standard": "AEC-Q101", "certificate_number": "Z-1"},
        ),
        "qualification patch": ("patch", f"/qualifications/{qualification.pk}", schemas.QualificationPatch, {}),
        "supply link create": (
            "post",
            "/supply-links",
            schemas.SupplyLinkIn,
            {"supplier": product.organisation_id, "buyer": SupplyLinkFactory().buyer_id, "category": "control"},
        ),
        "supply link patch": ("patch", f"/supply-links/{link.pk}", schemas.SupplyLinkPatch, {}),
    }


@pytest.mark.parametrize(
    "target",
    [
        "organisation create",
        "organisation patch",
        "product create",
        "product patch",
        "qualification create",
        "qualification patch",
        "supply link create",
        "supply link patch",
    ],
)
def test_no_field_value_causes_a_500(operator_client: Client, company: Organisation, target: str) -> None:
    method, path, schema, valid = _targets(company)[target]
    operator_client.raise_request_exception = False

    for field in schema.model_fields:
        for value in ODD_VALUES:
            body = {**valid, field: value}
            response = getattr(operator_client, method)(
                f"/api/v1{path}", data=json.dumps(body), content_type="application/json"
            )
            assert response.status_code < 500, (target, field, value, response.content[:300])
            if response.status_code >= 400:
                assert set(response.json()) == {"code", "message", "problems"}, (target, field, value)


LIST_FILTERS = {
    "/organisations": schemas.OrganisationFilter,
    "/products": schemas.ProductFilter,
    "/qualifications": schemas.QualificationFilter,
    "/supply-links": schemas.SupplyLinkFilter,
}
ODD_QUERY_VALUES = ["", " ", "a\x00b", "x" * 5000, "9" * 40, "-1", "true", "%", "_", "'; drop table x; --", "科技"]


@pytest.mark.parametrize("path", sorted(LIST_FILTERS))
def test_no_filter_value_causes_a_500(client: Client, path: str) -> None:
    ProductFactory()
    client.raise_request_exception = False

    for name in LIST_FILTERS[path].model_fields:
        for value in ODD_QUERY_VALUES:
            response = client.get(f"/api/v1{path}", {name: value})
            assert response.status_code in {200, 422}, (path, name, value, response.content[:300])
