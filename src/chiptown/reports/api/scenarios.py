"""/api/v1/reports endpoints: scenarios."""

from ninja import Router

router = Router(tags=["reports"])
