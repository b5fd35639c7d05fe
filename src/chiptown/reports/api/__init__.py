"""/api/v1/reports: one router per part (editions, analyses, scenarios), each in its own module."""

from ninja import Router

from chiptown.reports.api import analyses, editions, scenarios

router = Router(tags=["reports"])
router.add_router("", analyses.router)
router.add_router("", scenarios.router)
router.add_router("", editions.router)
