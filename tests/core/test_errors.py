"""One error type for expected failures, turned into clear 4xx pages (full pages and HTMX partials)."""

import pytest
from django.test import Client

from chiptown.core.errors import ChipTownError, Conflict, NotFound, PermissionDenied, Problem

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.core.urls_for_tests")]


def test_expected_error_is_a_400_page_listing_every_problem(client: Client) -> None:
    response = client.get("/test/refuse-import/")

    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html
    assert "The file has 2 wrong rows; nothing was imported." in html
    assert "Row 3 · credit_code: The check character of credit code X is wrong." in html
    assert "Row 9 · category: Unknown category." in html


def test_expected_error_for_htmx_is_a_partial(client: Client) -> None:
    response = client.get("/test/refuse-import/", headers={"HX-Request": "true"})

    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" not in html
    assert 'role="alert"' in html
    assert "Row 9 · category: Unknown category." in html


def test_error_subclasses_carry_their_status(client: Client) -> None:
    assert client.get("/test/conflict/").status_code == 409


def test_unexpected_errors_are_not_swallowed(client: Client) -> None:
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        client.get("/test/crash/")


def test_error_as_dict_is_the_api_shape() -> None:
    error = ChipTownError("Nope.", code="bad", status=422, problems=[Problem(reason="why", row=1, column="c")])

    assert error.status == 422
    assert error.as_dict() == {
        "code": "bad",
        "message": "Nope.",
        "problems": [{"reason": "why", "row": 1, "column": "c"}],
    }
    assert (NotFound("x").status, PermissionDenied("x").status, Conflict("x").status) == (404, 403, 409)
    assert ChipTownError("x").status == 400
