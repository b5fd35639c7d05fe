"""Numbers in the report document as people read them: thousands separators, percent with one decimal, and
"no data" for a missing value (None), never "None" or "nan".

Grouping is by commas in both languages, as Chinese statistical releases print it (Django's zh-hans format has no
grouping at all, which leaves 34425887 unreadable)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

register = template.Library()


def _missing(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and value != value)


def _no_data() -> SafeString:
    return format_html('<span class="no-data">{}</span>', _("no data"))


@register.filter
def count(value: Any) -> str:
    """A whole number with thousands separators: 34,425,887."""
    if _missing(value):
        return _no_data()
    return f"{round(float(value)):,}"


@register.filter
def decimal(value: Any, digits: int = 2) -> str:
    """A number with `digits` decimals and thousands separators: 19.53."""
    if _missing(value):
        return _no_data()
    return f"{float(value):,.{int(digits)}f}"


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    """A share (0-1) as a percentage with one decimal: 0.7784 -> 77.8%."""
    if _missing(value):
        return _no_data()
    return f"{float(value) * 100:,.{int(digits)}f}%"


@register.filter
def points(value: Any) -> str:
    """A change of a share in percentage points, signed: +1.2 pp."""
    if _missing(value):
        return _no_data()
    number = round(float(value) * 100, 1)
    sign = "+" if number > 0 else "−" if number < 0 else "±"
    return _("%(change)s pp") % {"change": f"{sign}{abs(number):,.1f}"}


@register.filter
def signed(value: Any) -> str:
    """A change of a count, signed: +12."""
    if _missing(value):
        return _no_data()
    number = round(float(value))
    sign = "+" if number > 0 else "−" if number < 0 else "±"
    return f"{sign}{abs(number):,}"
