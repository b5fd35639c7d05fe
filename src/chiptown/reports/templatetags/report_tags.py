"""Template filters of the report: a snapshot keeps every name in both languages and dates as ISO text; these
pick the active language's name and print the dates and shares the way the active language writes them."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django import template
from django.utils import formats

from chiptown.registry.models import pick_language

register = template.Library()


@register.filter
def bilingual(row: Mapping[str, Any] | None, field: str) -> str:
    """`row[field + "_zh"]` or `row[field + "_en"]`, whichever the active language reads (falling back to the
    other one): {{ winner|bilingual:"name" }}."""
    if not row:
        return ""
    return pick_language(str(row.get(f"{field}_zh") or ""), str(row.get(f"{field}_en") or ""))


@register.filter
def iso_day(value: str | None) -> str:
    """An ISO date from the snapshot ("2025-12-17") in the active language's date format; "" for none."""
    if not value:
        return ""
    try:
        day = datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return formats.date_format(day, "DATE_FORMAT")


@register.filter
def share_percent(value: float | None) -> str:
    """A share (0.8138) as a percentage with one decimal ("81.4 %"); "" for unknown."""
    if value is None:
        return ""
    return f"{formats.number_format(round(100 * float(value), 1), 1)} %"
