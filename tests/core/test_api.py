"""The /api/v1 root: schema, docs page under our CSP, one error shape, languages, job progress for scripts."""

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from chiptown.accounts.models import User
from chiptown.core.models import Job
from chiptown.core.services import job_create

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_every_endpoint(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "ChipTown API"
    paths = schema["paths"]
    for path in (
        "/api/v1/organisations",
        "/api/v1/organisations/{organisation_id}",
        "/api/v1/products",
        "/api/v1/products/{product_id}",
        "/api/v1/qualifications",
        "/api/v1/qualifications/{qualification_id}",
        "/api/v1/qualifications/{qualification_id}/certificate",
        "/api/v1/supply-links",
        "/api/v1/supply-links/{link_id}",
        "/api/v1/chip-categories",
        "/api/v1/jobs/{job_id}",
    ):
        assert path in paths, path
    assert set(paths["/api/v1/organisations"]) == {"get", "post"}
    assert set(paths["/api/v1/organisations/{organisation_id}"]) == {"get", "patch", "delete"}
    list_params = {p["name"] for p in paths["/api/v1/organisations"]["get"]["parameters"]}
    assert {"q", "role", "category", "standard", "in_park", "province", "country", "limit", "offset"} <= list_params
    assert "BearerToken" in schema["components"]["securitySchemes"]


def test_docs_page_loads_its_scripts_from_our_own_static_files(client: Client) -> None:
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower()
    assert '<script src="/static/ninja/swagger-ui-bundle.js"></script>' in html
    assert '<script src="/static/ninja/swagger-ui-init.js"></script>' in html
    # The CSP allows scripts and styles from our own origin: the page needs nothing else.
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "style-src 'self'" in csp
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui-init.js", "ninja/swagger-ui.css"):
        assert finders.find(asset), asset


def test_errors_follow_the_callers_language_header(client: Client) -> None:
    english = client.get("/api/v1/organisations/4242", headers={"Accept-Language": "en"})
    chinese = client.get("/api/v1/organisations/4242", headers={"Accept-Language": "zh-CN,zh;q=0.9"})

    assert english.headers["Content-Language"] == "en"
    assert english.json()["message"] == "No organisation with id 4242."
    # The message goes through gettext in the active language (the catalogue may not translate it yet).
    assert chinese.headers["Content-Language"] == "zh-hans"
    assert chinese.status_code == 404


def test_method_not_allowed_is_not_a_500(client: Client) -> None:
    response = client.put("/api/v1/organisations", data="{}", content_type="application/json")

    assert response.status_code == 405


# ------------------------------------------------------------------------------------------ jobs


def test_job_owner_follows_progress_over_the_api(operator: User, operator_client: Client) -> None:
    job = job_create(kind="test", title="Import organisations", by=operator)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, progress=40, message="Row 400 of 1000")

    response = operator_client.get(f"/api/v1/jobs/{job.pk}")

    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["progress"], body["message"]) == ("running", 40, "Row 400 of 1000")


def test_someone_elses_job_is_404(operator: User, stranger_client: Client, client: Client) -> None:
    job = job_create(kind="test", title="Import organisations", by=operator)

    assert stranger_client.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert client.get(f"/api/v1/jobs/{job.pk}").status_code == 404
    assert client.get("/api/v1/jobs/not-a-uuid").status_code == 422
