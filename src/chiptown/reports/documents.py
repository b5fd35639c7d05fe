"""The report as documents: the HTML page (one self-contained file, charts inline as SVG images) and the PDF
(WeasyPrint, A4) rendered from one language's figures.

Every chart is drawn from the same list of the figures dict as the table printed next to it, so the two cannot
disagree. The HTML carries its own print stylesheet: it is a standalone download (served with its own narrow
content policy), not a page of the site.
"""

from __future__ import annotations

import base64
import re
import zoneinfo
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from chiptown.core.addresses import absolute_url
from chiptown.reports import charts


def _data_uri(svg: str) -> str:
    # An <img> rather than inline <svg>: each chart keeps its own ids and its own stylesheet, which inline SVG
    # would share with the document (matplotlib's SVG styles every element with `*`).
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")


def _charts(figures: dict[str, Any]) -> dict[str, str]:
    demo = bool(figures.get("is_demo"))
    drawn: dict[str, str] = {}
    if any(row["organisations"] for row in figures.get("stages") or []):
        drawn["chain_map"] = charts.chain_map_chart(figures["stages"], demo=demo)
    if figures.get("stage_flows"):
        drawn["stage_flows"] = charts.stage_flows_chart(figures["stages"], figures["stage_flows"], demo=demo)
    if figures.get("empty"):
        return {key: _data_uri(svg) for key, svg in drawn.items()}
    if figures.get("localisation"):
        drawn["localisation"] = charts.localisation_chart(figures["localisation"], demo=demo)
    if figures.get("concentration"):
        drawn["concentration"] = charts.concentration_chart(figures["concentration"], demo=demo)
    single = figures.get("single_sources") or {}
    if single.get("pairs"):
        drawn["single_sources"] = charts.single_sources_chart(single["by_category"], demo=demo)
    if figures.get("chokepoints"):
        drawn["chokepoints"] = charts.chokepoints_chart(figures["chokepoints"], demo=demo)
    if figures.get("scenarios"):
        drawn["scenarios"] = charts.scenarios_chart(figures["scenarios"], demo=demo)
    forecast = figures.get("outlook") or {}
    if forecast.get("forecast"):
        drawn["outlook"] = charts.outlook_chart(
            forecast["history"], forecast["forecast"], level=forecast["level"], demo=demo
        )
    if forecast.get("demand"):
        drawn["demand"] = charts.demand_chart(forecast["demand"], year=forecast["demand_year"], demo=demo)
    return {key: _data_uri(svg) for key, svg in drawn.items()}


def _assumption_label(name: str, categories: dict[str, str]) -> str:
    labels = {
        "chips_per_vehicle_low": _("Chips per vehicle, low"),
        "chips_per_vehicle_high": _("Chips per vehicle, high"),
        "chips_per_vehicle_central": _("Chips per vehicle, central"),
        "highly_automated_chips": _("Chips per highly automated vehicle"),
        "highly_automated_share": _("Share of highly automated vehicles"),
        "market_units": _("New-vehicle market (vehicles)"),
        "past_market_units": _("New-vehicle market in earlier years"),
        "market_growth": _("Growth of the new-vehicle market a year"),
    }
    if name.startswith("category_mix."):
        code = name.removeprefix("category_mix.")
        return _("Share of chips: %(category)s") % {"category": categories.get(code, code)}
    return str(labels.get(name, name))


def _assumption_value(name: str, value: Any) -> str:
    """An assumption's value as people read it: shares as percentages, vehicle counts with thousands separators."""
    text = str(value)
    try:
        number = float(text)
    except ValueError:
        # A value in words ("flat at 34425887"): group the long numbers inside it.
        return re.sub(r"\d{5,}", lambda found: f"{int(found.group()):,}", text)
    if name.startswith("category_mix.") or name in ("highly_automated_share", "market_growth"):
        return f"{number * 100:,.1f}%"
    return f"{number:,.0f}" if number == round(number) else f"{number:,}"


def _outlook(figures: dict[str, Any]) -> dict[str, Any]:
    """The outlook with readable assumption names and the distinct sources of the sales series."""
    forecast = dict(figures.get("outlook") or {})
    categories = {row["code"]: row["name"] for row in figures.get("categories") or []}
    forecast["assumptions"] = [
        {
            **row,
            "label": _assumption_label(row["name"], categories),
            "shown": _assumption_value(row["name"], row["value"]),
        }
        for row in forecast.get("assumptions") or []
    ]
    sources: dict[str, list[int]] = {}
    for row in forecast.get("history") or []:
        sources.setdefault(row["source"], []).append(row["year"])
    forecast["sources"] = [
        {"source": source, "first": min(years), "last": max(years)} for source, years in sources.items()
    ]
    return forecast


def _summary(figures: dict[str, Any]) -> dict[str, Any]:
    """The few facts the summary's sentences are made of, picked from the figures (no new numbers)."""
    rated = [row for row in figures.get("localisation") or [] if row["domestic_by_volume"] is not None]
    stages = {row["stage"]: row["label"] for row in figures.get("stages") or []}
    forecast = (figures.get("outlook") or {}).get("forecast") or []
    history = [row for row in (figures.get("outlook") or {}).get("history") or [] if row["units"] is not None]
    stage_rows = figures.get("stages") or []
    return {
        "stage_totals": {
            key: sum(row[key] for row in stage_rows) for key in ("organisations", "in_park", "domestic", "foreign")
        },
        "single_by_category": [
            {**row, "domestic": row["pairs"] - row["foreign"]}
            for row in (figures.get("single_sources") or {}).get("by_category") or []
        ],
        "least_local": min(rated, key=lambda row: row["domestic_by_volume"]) if rated else None,
        "most_local": max(rated, key=lambda row: row["domestic_by_volume"]) if rated else None,
        "top_chokepoint": (figures.get("chokepoints") or [None])[0],
        "top_gap": (figures.get("attraction") or [None])[0],
        "next_year": forecast[0] if forecast else None,
        "last_year": forecast[-1] if forecast else None,
        "last_recorded": history[-1] if history else None,
        "stage_flows": [
            {**row, "from_label": stages.get(row["from"], row["from"]), "to_label": stages.get(row["to"], row["to"])}
            for row in figures.get("stage_flows") or []
        ],
    }


def _moment(value: Any) -> str:
    """An ISO timestamp from the snapshot as people read it, in the site's zone (the one the as-of day is in):
    2026-11-26 05:34 Asia/Shanghai."""
    moment = parse_datetime(str(value or ""))
    if moment is None:
        return str(value or "")
    if moment.tzinfo is not None:
        moment = moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return f"{moment:%Y-%m-%d %H:%M} {settings.TIME_ZONE}"


def _css_string(text: str) -> str:
    """Text as a quoted CSS string that can sit inside a <style> element (no quote, backslash or "<" left bare)."""
    escaped = text.replace("\\", "\\5C ").replace('"', "\\22 ").replace("<", "\\3C ").replace("\n", " ")
    return f'"{escaped}"'


def _page_counter_css() -> str:
    """'Page X of Y' in the active language as a CSS `content` value, counters placed where the words put them."""
    words = _("Page {page} of {pages}")
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", words):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


def report_html(*, figures: dict[str, Any], language: str, edition: Any) -> str:
    with translation.override(language):
        return render_to_string(
            "reports/report/document.html",
            {
                "figures": figures,
                "edition": edition,
                "charts": _charts(figures),
                "summary": _summary(figures),
                "outlook": _outlook(figures),
                "page_counter": _page_counter_css(),
                "taken_at": _moment(figures.get("taken_at")),
                "chinese": language.startswith("zh"),
            },
        )


def report_pdf(*, html: str) -> bytes:
    from weasyprint import HTML

    return bytes(HTML(string=html, base_url=absolute_url("/")).write_pdf())
