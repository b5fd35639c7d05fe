"""Conference endpoints under /api/v1/events; each part adds its own block."""

from ninja import Router

router = Router(tags=["events"])

# --- Programme ----------------------------------------------------------------------------------------------------

# --- Registration and seats ---------------------------------------------------------------------------------------

# --- On the day ---------------------------------------------------------------------------------------------------
