"""The /healthz view through Django's test client: proves the runner end to end and shows middleware cost."""

from __future__ import annotations

from typing import Any

from bench.common import percentile, timer

NAME = "healthz"
REQUESTS = 200
WARM_UP = 20


def run() -> dict[str, Any]:
    from django.test import Client

    client = Client()
    for _ in range(WARM_UP):
        assert client.get("/healthz").status_code == 200
    timings: list[float] = []
    for _ in range(REQUESTS):
        with timer() as t:
            response = client.get("/healthz")
        assert response.status_code == 200, response.content
        timings.append(t.ms)
    return {
        "scale": {"requests": REQUESTS},
        "figures": {
            "healthz_p50_ms": round(percentile(timings, 50), 3),
            "healthz_p95_ms": round(percentile(timings, 95), 3),
            "healthz_max_ms": round(max(timings), 3),
        },
    }
