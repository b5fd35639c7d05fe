"""/api/v1/reports endpoints: editions."""

from ninja import Router

router = Router(tags=["reports"])
