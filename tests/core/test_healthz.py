"""/healthz: database and task-queue health for load balancers, on the database and the Redis backends."""

from typing import Any

import pytest
from django.db import connection
from django.test import Client

from chiptown.core import views

pytestmark = pytest.mark.django_db

REDIS_TEST_URL = "redis://127.0.0.1:6379/15"


def test_healthy_with_the_database_task_backend(client: Client, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "checks": {
            "database": {"ok": True, "vendor": connection.vendor},
            "tasks": {"ok": True, "backend": "DatabaseBackend"},
        },
    }


def test_unhealthy_database_is_503(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    class DownDatabase:
        vendor = "down"

        def cursor(self) -> Any:
            raise OSError("connection refused")

    monkeypatch.setattr(views, "connection", DownDatabase())

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["ok"] is False
    assert body["checks"]["database"] == {"ok": False, "error": "connection refused"}


def test_healthz_only_answers_get(client: Client) -> None:
    assert client.post("/healthz").status_code == 405


@pytest.mark.redis
def test_healthy_with_the_redis_task_backend(client: Client, settings: Any) -> None:
    settings.RQ_QUEUES = {"default": {"URL": REDIS_TEST_URL}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["tasks"] == {"ok": True, "backend": "RQBackend"}


@pytest.mark.redis
def test_unreachable_redis_is_503(client: Client, settings: Any) -> None:
    # Port 1 on the loopback: nothing listens there, so the connection is refused at once.
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:1/15"}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}

    response = client.get("/healthz")

    assert response.status_code == 503
    tasks = response.json()["checks"]["tasks"]
    assert tasks["ok"] is False
    assert tasks["backend"] == "RQBackend"
    assert "1" in tasks["error"]
    assert response.json()["checks"]["database"]["ok"] is True
