"""What the other modules contribute to the annual report: the competition's results and the conference's
highlights for a year, as plain JSON-able dicts with names in both languages (None when the module has nothing
for that year). Read once when a report's snapshot is taken."""

from __future__ import annotations

from typing import Any


def competition_summary(*, year: int) -> dict[str, Any] | None:
    """The published results of the competition edition of `year`; None when there are none."""
    return None


def conference_summary(*, year: int) -> dict[str, Any] | None:
    """The highlights of the conference held in `year`; None when there was none."""
    return None
