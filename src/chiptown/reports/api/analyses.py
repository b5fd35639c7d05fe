"""/api/v1/reports endpoints: analyses."""

from ninja import Router

router = Router(tags=["reports"])
