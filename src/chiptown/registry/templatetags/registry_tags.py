"""Template helpers for the registry pages: dictionary look-ups, qualification labels, percentages."""

import unicodedata
from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from chiptown.registry.models import LinkStatus, Qualification

register = template.Library()

STATUS_LABELS = dict(LinkStatus.choices)


@register.filter
def lookup(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template, or "" when absent."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def link_status(code: str) -> str:
    return str(STATUS_LABELS.get(code, code))


@register.filter
def percent(value: Decimal | float | None) -> str:
    """A share as '40 %' or '12.5 %'; '' for unknown."""
    if value is None:
        return ""
    number = Decimal(str(value)).normalize()
    text = format(number, "f")
    return f"{text} %"


@register.simple_tag
def qualification_label(qualification: Qualification) -> str:
    """'AEC-Q100 Grade 1 (-40…+125 °C)', 'ISO 26262 ASIL D', 'IATF 16949'."""
    label = str(qualification)
    temperature = qualification.temperature_range
    if temperature is not None:
        low, high = temperature
        label += " " + _("(%(low)d…+%(high)d °C)") % {"low": low, "high": high}
    return label


@register.simple_tag
def select_options(bound_field: Any) -> str:
    """The <option>s of a choice field, selected as bound: much cheaper than Django's template-based widgets,
    which the directory would render on every keystroke."""
    value = bound_field.value()
    chosen = {str(v) for v in value} if isinstance(value, list | tuple) else {str(value if value is not None else "")}
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((code, SELECTED if str(code) in chosen else "", label) for code, label in bound_field.field.choices),
    )


SELECTED = mark_safe(" selected")


def _width(character: str) -> int:
    """Display width in half-widths: CJK and other wide characters count two."""
    return 2 if unicodedata.east_asian_width(character) in ("W", "F") else 1


@register.filter
def fit(text: str, width: int) -> str:
    """Cut text to a display width (CJK characters count double), ending in '…' when cut: for SVG labels, which
    do not wrap or clip by themselves."""
    text = str(text or "")
    if sum(_width(c) for c in text) <= width:
        return text
    kept, used = [], 1
    for character in text:
        used += _width(character)
        if used > width:
            break
        kept.append(character)
    return "".join(kept).rstrip() + "…"
