"""The report's charts: SVG with text as paths (each label also kept as an SVG comment, which is what these tests
read), one tagged bar per value, the numbers the tables print, a demo watermark only on demo data, and no change
to matplotlib's global settings."""

import re
from typing import Any

import matplotlib
from django.utils import translation

from chiptown.reports import charts

CATEGORIES = [
    {"code": "control", "name": "Control chips"},
    {"code": "power", "name": "Power chips"},
    {"code": "memory", "name": "Memory chips"},
]


def _labels(svg: str) -> list[str]:
    return [text.strip() for text in re.findall(r"<!-- (.*?) -->", svg)]


def _bars(svg: str, series: str | None = None) -> list[str]:
    prefix = f"bar-{series}-" if series else "bar-"
    return re.findall(rf'id="({re.escape(prefix)}[^"]*)"', svg)


def _localisation() -> list[dict[str, Any]]:
    return [
        {"name": "Control chips", "domestic_by_volume": 0.3, "in_park_by_volume": 0.3},
        {"name": "Power chips", "domestic_by_volume": 1.0, "in_park_by_volume": 0.0},
        {"name": "Memory chips", "domestic_by_volume": None, "in_park_by_volume": None},
    ]


def test_chain_map_stacks_three_bars_per_stage_with_their_counts() -> None:
    stages = [
        {"label": "Chip makers", "organisations": 12, "in_park": 5, "domestic": 4, "foreign": 3},
        {"label": "Car makers", "organisations": 4, "in_park": 1, "domestic": 3, "foreign": 0},
    ]
    svg = charts.chain_map_chart(stages)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert [len(_bars(svg, series)) for series in ("in_park", "domestic", "foreign")] == [2, 2, 2]
    labels = _labels(svg)
    assert "Chip makers" in labels and "Car makers" in labels
    # Segments of 3 or more are labelled inside; each stage's total at the end of its bar.
    assert {"5", "4", "3", "12"} <= set(labels) and "Organisations per stage of the chain" in labels
    # Text is drawn as glyph paths, so no <text> element needs a font.
    assert "<text" not in svg


def test_stage_flows_draw_one_cell_per_pair_of_stages_with_links() -> None:
    stages = [
        {"stage": 1, "label": "Chip makers"},
        {"stage": 4, "label": "Tier-1 suppliers"},
        {"stage": 5, "label": "Vehicle makers"},
    ]
    flows = [{"from": 1, "to": 4, "links": 1251}, {"from": 4, "to": 5, "links": 196}, {"from": 1, "to": 1, "links": 3}]
    svg = charts.stage_flows_chart(stages, flows)
    assert sorted(_bars(svg, "flow")) == ["bar-flow-1-1", "bar-flow-1-4", "bar-flow-4-5"]
    assert {"1,251", "196", "3", "Chip makers", "Vehicle makers", "Buyer's stage"} <= set(_labels(svg))


def test_localisation_draws_two_bars_per_category_and_says_no_data() -> None:
    svg = charts.localisation_chart(_localisation())
    assert len(_bars(svg, "domestic")) == 3 and len(_bars(svg, "in_park")) == 3
    labels = _labels(svg)
    assert [name for name in ("Control chips", "Power chips", "Memory chips") if name in labels] == [
        "Control chips",
        "Power chips",
        "Memory chips",
    ]
    assert labels.count("30.0%") == 2 and "100.0%" in labels and "0.0%" in labels
    assert "no data" in labels


def test_concentration_shows_each_hhi_and_both_thresholds() -> None:
    rows: list[dict[str, Any]] = [
        {"name": "Control chips", "hhi": 5800.0, "band": "high"},
        {"name": "Power chips", "hhi": 1200.0, "band": "moderate"},
        {"name": "Memory chips", "hhi": None, "band": "none"},
    ]
    svg = charts.concentration_chart(rows)
    assert len(_bars(svg, "hhi")) == 3
    labels = _labels(svg)
    assert {"5,800", "1,200", "no data", "Memory chips"} <= set(labels)
    assert "1,000: moderately concentrated" in labels and "1,800: highly concentrated" in labels


def test_single_sources_split_domestic_and_foreign() -> None:
    by_category = [
        {"name": "Control chips", "pairs": 1, "foreign": 1},
        {"name": "Power chips", "pairs": 1, "foreign": 0},
        {"name": "Memory chips", "pairs": 0, "foreign": 0},
    ]
    svg = charts.single_sources_chart(by_category)
    assert len(_bars(svg, "domestic")) == 3 and len(_bars(svg, "foreign")) == 3
    assert {"Control chips", "Power chips", "Memory chips", "1", "0"} <= set(_labels(svg))


def test_chokepoints_show_at_most_ten_suppliers() -> None:
    chokepoints = [
        {"name": f"Supplier {n}", "in_park": n % 2 == 0, "domestic": n % 3 != 0, "total_lost": 20.0 - n}
        for n in range(12)
    ]
    svg = charts.chokepoints_chart(chokepoints)
    assert len(_bars(svg, "lost")) == 10
    labels = _labels(svg)
    assert "Supplier 9" in labels and "Supplier 10" not in labels and "20.00" in labels and "11.00" in labels


def test_outlook_draws_history_forecast_and_band() -> None:
    history = [{"year": 2024, "units": 12_866_000.0}, {"year": 2025, "units": 16_490_000.0}]
    forecast = [
        {"year": 2026, "units": 20_000_000, "lower": 15_000_000, "upper": 25_000_000},
        {"year": 2027, "units": 23_000_000, "lower": 16_000_000, "upper": 29_000_000},
    ]
    svg = charts.outlook_chart(history, forecast, level=0.95)
    labels = _labels(svg)
    assert {"Recorded", "Forecast", "95% prediction band", "2025", "2027"} <= set(labels)


def test_demand_has_one_bar_per_category_for_the_year() -> None:
    demand = [
        {"name": "Control chips", "low": 1_000_000, "central": 2_000_000, "high": 3_000_000},
        {"name": "Power chips", "low": 500_000, "central": 900_000, "high": 1_200_000},
    ]
    svg = charts.demand_chart(demand, year=2030)
    assert len(_bars(svg, "central")) == 2
    assert {"Control chips", "Power chips", "Chip demand by category in 2030"} <= set(_labels(svg))


def test_scenarios_show_lost_volume_and_buyers_per_scenario() -> None:
    scenarios = [
        {"title": "Fremd GmbH fails", "total_lost": 1.4, "buyers_hit": 2, "in_park_buyers_hit": 2},
        {"title": "No deliveries from DE", "total_lost": 1.4, "buyers_hit": 2, "in_park_buyers_hit": 1},
    ]
    svg = charts.scenarios_chart(scenarios)
    assert [len(_bars(svg, series)) for series in ("lost", "buyers", "in_park")] == [2, 2, 2]
    labels = _labels(svg)
    assert {"Fremd GmbH fails", "No deliveries from DE", "1.40", "2"} <= set(labels)


def test_demo_charts_carry_the_watermark_and_others_do_not() -> None:
    assert "DEMO DATA" in _labels(charts.localisation_chart(_localisation(), demo=True))
    assert "DEMO DATA" not in _labels(charts.localisation_chart(_localisation()))


def test_chinese_labels_are_drawn_and_titles_follow_the_language() -> None:
    rows = [{"name": "控制芯片", "domestic_by_volume": 0.5, "in_park_by_volume": 0.25}]
    with translation.override("zh-hans"):
        svg = charts.localisation_chart(rows, demo=True)
        title = translation.gettext("Localisation by category")
        watermark = translation.gettext("DEMO DATA")
    labels = _labels(svg)
    assert "控制芯片" in labels and title in labels and watermark in labels
    # Every glyph comes from WenQuanYi Zen Hei (no missing-glyph boxes from a Latin-only font), defined once as a
    # path and reused, so a chart stays small.
    assert set(re.findall(r'<path id="([A-Za-z]+)-[0-9a-f]+"', svg)) == {"WenQuanYiZenHei"}
    assert len(svg) < 200_000


def test_the_same_figures_give_the_same_svg() -> None:
    assert charts.localisation_chart(_localisation()) == charts.localisation_chart(_localisation())


def test_charts_leave_matplotlib_settings_as_they_were() -> None:
    before = matplotlib.rcParams.copy()
    charts.chain_map_chart([{"label": "Chip makers", "organisations": 1, "in_park": 1, "domestic": 0, "foreign": 0}])
    after = matplotlib.rcParams.copy()
    assert after == before and after["font.sans-serif"][0] != charts.CJK_FONT
