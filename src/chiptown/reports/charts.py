"""The report's charts: matplotlib figures drawn from the same lists of the figures dict that the tables print,
returned as SVG text.

SVG because the PDF stays sharp at any zoom and a chart weighs 30-90 KB, where a PNG sharp enough to print weighs
more. Text is drawn as paths (svg.fonttype "path"): the document then shows Chinese labels in any browser and in
WeasyPrint without needing the font, and each glyph is stored once per chart. Every bar carries an id starting
with "bar-" so a test (or a reader of the SVG) can count them. Everything happens inside an rc_context on a
Figure made directly, never through pyplot: no GUI backend is ever chosen (savefig renders with the SVG backend
and measures text with Agg), no global matplotlib state changes and threads do not share a figure.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Literal

import matplotlib
from django.utils.translation import gettext as _
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from chiptown.reports.figures import HHI_HIGH, HHI_MODERATE

CJK_FONT = "WenQuanYi Zen Hei"
# Debian's fonts-wqy-zenhei; added by hand when matplotlib's font cache was built before the package was installed.
CJK_FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
WIDTH = 7.0  # inches: the A4 text width at 16 mm margins, so the PDF shows charts at their natural size

IN_PARK = "#1f5f8b"
DOMESTIC = "#7fb3d5"
FOREIGN = "#e07a5f"
NEUTRAL = "#5b6575"
HIGH = "#c62828"
MODERATE = "#e09f3e"
LOW = "#7fb3d5"
INK = "#1d2430"
GRID = "#d9dee7"
DEMO = "#7a4dd8"

STYLE: dict[str, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": [CJK_FONT, "DejaVu Sans"],
    "font.size": 8.5,
    "axes.unicode_minus": False,
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "xtick.color": NEUTRAL,
    "ytick.color": INK,
    "legend.frameon": False,
    "svg.fonttype": "path",
    # Stable element ids, so the same figures give byte-identical documents.
    "svg.hashsalt": "chiptown-report",
}


@cache
def _fonts_ready() -> None:
    try:
        font_manager.findfont(font_manager.FontProperties(family=CJK_FONT), fallback_to_default=False)
    except ValueError:
        if CJK_FONT_FILE.exists():
            font_manager.fontManager.addfont(str(CJK_FONT_FILE))


@contextmanager
def _style() -> Iterator[None]:
    _fonts_ready()
    with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]  # the stubs list every key as a Literal
        yield


def _svg(figure: Figure, *, demo: bool) -> str:
    if demo:
        figure.text(
            0.5,
            0.5,
            _("DEMO DATA"),
            color=DEMO,
            alpha=0.13,
            fontsize=38,
            fontweight="bold",
            rotation=20,
            ha="center",
            va="center",
        )
        # Above the figure's top edge: the tight bounding box grows to hold it, so it never covers a legend.
        figure.text(0.995, 1.0, _("Demo data: generated, not real."), color=DEMO, fontsize=7, ha="right", va="bottom")
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight", pad_inches=0.06)
    text = buffer.getvalue()
    # Drop the XML prolog and doctype so the SVG can be embedded as it is.
    return text[text.index("<svg") :]


def _label(text: str, width: int = 26, *, lines: int = 2) -> str:
    """A long label wrapped on a few lines at most (CJK text has no spaces: textwrap breaks it by width)."""
    wrapped = textwrap.wrap(text, width=width) or [""]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], wrapped[lines - 1][: width - 1] + "…"]
    return "\n".join(wrapped)


def _value(value: Any) -> float:
    return 0.0 if value is None else float(value)


def _tag(bars: Any, series: str) -> None:
    for i, bar in enumerate(bars):
        bar.set_gid(f"bar-{series}-{i}")


def _no_data(axes: Axes, rows: Sequence[Any], values: Sequence[Any], *, x: float = 0.0) -> None:
    for y, value in zip(range(len(rows)), values, strict=True):
        if value is None:
            axes.text(x, y, " " + _("no data"), va="center", ha="left", color=NEUTRAL, fontsize=7.5, style="italic")


def _horizontal(rows: float) -> Figure:
    return Figure(figsize=(WIDTH, max(1.6, 0.9 + 0.3 * rows)))


def _grid(axes: Axes, axis: Literal["x", "y"] = "x") -> None:
    axes.grid(axis=axis, color=GRID, linewidth=0.6)
    axes.set_axisbelow(True)


def _heading(axes: Axes, title: str, *, legend_columns: int = 0, handles: list[Patch] | None = None) -> None:
    """The chart's title, with its legend (if any) in one row between the title and the plot."""
    axes.set_title(title, pad=20 if legend_columns else 8)
    if legend_columns:
        axes.legend(
            **({"handles": handles} if handles else {}),
            loc="lower left",
            ncols=legend_columns,
            fontsize=7.5,
            bbox_to_anchor=(0.0, 1.0),
            borderaxespad=0.2,
        )


def _thousands(value: float, _position: Any = None) -> str:
    return f"{value:,.0f}"


def chain_map_chart(stages: Sequence[dict[str, Any]], *, demo: bool = False) -> str:
    """Organisations per stage of the chain, split into in the park / elsewhere in China / abroad."""
    with _style():
        figure = _horizontal(len(stages))
        axes = figure.subplots()
        labels = [_label(row["label"], 30) for row in stages]
        y = list(range(len(stages)))
        left = [0.0] * len(stages)
        for key, name, colour in (
            ("in_park", _("In the park"), IN_PARK),
            ("domestic", _("Elsewhere in China"), DOMESTIC),
            ("foreign", _("Abroad"), FOREIGN),
        ):
            values = [_value(row[key]) for row in stages]
            bars = axes.barh(y, values, left=left, color=colour, label=name, height=0.62)
            _tag(bars, key)
            for bar, value, start in zip(bars, values, left, strict=True):
                if value >= 3:
                    axes.text(
                        start + value / 2,
                        bar.get_y() + bar.get_height() / 2,
                        f"{value:,.0f}",
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if colour == IN_PARK else INK,
                    )
            left = [a + b for a, b in zip(left, values, strict=True)]
        for position, total in zip(y, left, strict=True):
            axes.text(total, position, f" {total:,.0f}", va="center", fontsize=7.5, color=INK)
        axes.set_yticks(y, labels)
        axes.invert_yaxis()
        axes.set_xlabel(_("Organisations"))
        axes.xaxis.set_major_formatter(FuncFormatter(_thousands))
        _heading(axes, _("Organisations per stage of the chain"), legend_columns=3)
        _grid(axes)
        return _svg(figure, demo=demo)


def localisation_chart(rows: Sequence[dict[str, Any]], *, demo: bool = False) -> str:
    """Domestic and in-park share of each category's volume (horizontal bars, percent)."""
    with _style():
        figure = _horizontal(len(rows) * 1.5)
        axes = figure.subplots()
        y = list(range(len(rows)))
        domestic = [row["domestic_by_volume"] for row in rows]
        in_park = [row["in_park_by_volume"] for row in rows]
        bars = axes.barh([p - 0.19 for p in y], [_value(v) for v in domestic], height=0.36, color=DOMESTIC)
        _tag(bars, "domestic")
        bars.set_label(_("Domestic, by volume"))
        bars = axes.barh([p + 0.19 for p in y], [_value(v) for v in in_park], height=0.36, color=IN_PARK)
        _tag(bars, "in_park")
        bars.set_label(_("In the park, by volume"))
        for position, d, p in zip(y, domestic, in_park, strict=True):
            if d is not None:
                axes.text(d, position - 0.19, f" {d * 100:.1f}%", va="center", fontsize=7, color=INK)
            if p is not None:
                axes.text(p, position + 0.19, f" {p * 100:.1f}%", va="center", fontsize=7, color=INK)
        _no_data(axes, rows, domestic)
        axes.set_yticks(y, [_label(row["name"]) for row in rows])
        axes.invert_yaxis()
        axes.set_xlim(0, 1.08)
        axes.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        _heading(axes, _("Localisation by category"), legend_columns=2)
        _grid(axes)
        return _svg(figure, demo=demo)


def concentration_chart(rows: Sequence[dict[str, Any]], *, demo: bool = False) -> str:
    """Each category's HHI with the 1,000 and 1,800 thresholds of the merger guidelines."""
    with _style():
        figure = _horizontal(len(rows))
        axes = figure.subplots()
        y = list(range(len(rows)))
        values = [row["hhi"] for row in rows]
        colours = [HIGH if row["band"] == "high" else MODERATE if row["band"] == "moderate" else LOW for row in rows]
        bars = axes.barh(y, [_value(v) for v in values], color=colours, height=0.62)
        _tag(bars, "hhi")
        for position, value in zip(y, values, strict=True):
            if value is not None:
                axes.text(value, position, f" {value:,.0f}", va="center", fontsize=7, color=INK)
        _no_data(axes, rows, values)
        top = max([_value(v) for v in values] + [HHI_HIGH]) * 1.12
        axes.set_xlim(0, top)
        for threshold, colour, text in (
            (HHI_MODERATE, MODERATE, _("1,000: moderately concentrated")),
            (HHI_HIGH, HIGH, _("1,800: highly concentrated")),
        ):
            axes.axvline(threshold, color=colour, linestyle="--", linewidth=1)
            axes.text(threshold, -0.75, " " + text, color=colour, fontsize=7, va="bottom", ha="left")
        axes.set_yticks(y, [_label(row["name"]) for row in rows])
        axes.set_ylim(len(rows) - 0.5, -1.2)
        axes.set_xlabel(_("Herfindahl-Hirschman index (0-10,000)"))
        axes.xaxis.set_major_formatter(FuncFormatter(_thousands))
        axes.set_title(_("Supplier concentration by category"), pad=10)
        _grid(axes)
        return _svg(figure, demo=demo)


def single_sources_chart(by_category: Sequence[dict[str, Any]], *, demo: bool = False) -> str:
    """Buyer-category pairs with one supplier, per category, split into domestic and foreign suppliers."""
    with _style():
        figure = _horizontal(len(by_category))
        axes = figure.subplots()
        y = list(range(len(by_category)))
        foreign = [_value(row["foreign"]) for row in by_category]
        domestic = [_value(row["pairs"]) - f for row, f in zip(by_category, foreign, strict=True)]
        bars = axes.barh(y, domestic, color=DOMESTIC, height=0.62, label=_("Domestic single supplier"))
        _tag(bars, "domestic")
        bars = axes.barh(y, foreign, left=domestic, color=FOREIGN, height=0.62, label=_("Foreign single supplier"))
        _tag(bars, "foreign")
        for position, row in zip(y, by_category, strict=True):
            axes.text(row["pairs"], position, f" {row['pairs']:,}", va="center", fontsize=7, color=INK)
        axes.set_yticks(y, [_label(row["name"]) for row in by_category])
        axes.invert_yaxis()
        axes.set_xlabel(_("Buyer-category pairs with a single supplier"))
        axes.xaxis.set_major_formatter(FuncFormatter(_thousands))
        _heading(axes, _("Single sources by category"), legend_columns=2)
        _grid(axes)
        return _svg(figure, demo=demo)


def chokepoints_chart(chokepoints: Sequence[dict[str, Any]], *, demo: bool = False) -> str:
    """The suppliers whose failure would cost their buyers the most volume (top ten as listed)."""
    with _style():
        rows = list(chokepoints)[:10]
        figure = _horizontal(len(rows) * 1.15)
        axes = figure.subplots()
        y = list(range(len(rows)))
        colours = [IN_PARK if row["in_park"] else DOMESTIC if row["domestic"] else FOREIGN for row in rows]
        bars = axes.barh(y, [_value(row["total_lost"]) for row in rows], color=colours, height=0.62)
        _tag(bars, "lost")
        for position, row in zip(y, rows, strict=True):
            axes.text(
                _value(row["total_lost"]), position, f" {_value(row['total_lost']):,.2f}", va="center", fontsize=7
            )
        axes.set_yticks(y, [_label(row["name"], 34) for row in rows])
        axes.invert_yaxis()
        axes.set_xlabel(_("Volume lost (buyer-category shares)"))
        kinds = ((IN_PARK, _("In the park")), (DOMESTIC, _("Elsewhere in China")), (FOREIGN, _("Abroad")))
        _heading(
            axes,
            _("Chokepoints: the largest losses if one supplier fails"),
            legend_columns=3,
            handles=[Patch(color=colour, label=text) for colour, text in kinds],
        )
        _grid(axes)
        return _svg(figure, demo=demo)


def _millions(value: float, _position: Any = None) -> str:
    return f"{value / 1e6:,.0f}"


def outlook_chart(
    history: Sequence[dict[str, Any]], forecast: Sequence[dict[str, Any]], *, level: float, demo: bool = False
) -> str:
    """NEV sales: the recorded series, then the forecast with its prediction band."""
    with _style():
        figure = Figure(figsize=(WIDTH, 3.0))
        axes = figure.subplots()
        known = [row for row in history if row["units"] is not None]
        axes.plot(
            [row["year"] for row in known],
            [row["units"] for row in known],
            color=IN_PARK,
            marker="o",
            markersize=3.5,
            label=_("Recorded"),
        )
        if forecast:
            years = [row["year"] for row in forecast]
            start = [known[-1]["year"]] if known else []
            first = [known[-1]["units"]] if known else []
            axes.fill_between(
                start + years,
                first + [row["lower"] for row in forecast],
                first + [row["upper"] for row in forecast],
                color=FOREIGN,
                alpha=0.18,
                linewidth=0,
                label=_("%(level)s%% prediction band") % {"level": f"{level * 100:.0f}"},
            )
            axes.plot(
                start + years,
                first + [row["units"] for row in forecast],
                color=FOREIGN,
                linestyle="--",
                marker="o",
                markersize=3.5,
                label=_("Forecast"),
            )
        axes.set_ylim(bottom=0)
        axes.yaxis.set_major_formatter(FuncFormatter(_millions))
        axes.set_ylabel(_("NEV sales in China (million vehicles)"))
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_title(_("New-energy vehicle sales: recorded and forecast"))
        axes.legend(loc="upper left", fontsize=7.5)
        _grid(axes, "y")
        return _svg(figure, demo=demo)


def demand_chart(demand: Sequence[dict[str, Any]], *, year: int | None, demo: bool = False) -> str:
    """Chips needed per category in the last forecast year: central estimate with the low-high range."""
    with _style():
        figure = _horizontal(len(demand))
        axes = figure.subplots()
        y = list(range(len(demand)))
        central = [_value(row["central"]) for row in demand]
        low = [c - _value(row["low"]) for row, c in zip(demand, central, strict=True)]
        high = [_value(row["high"]) - c for row, c in zip(demand, central, strict=True)]
        bars = axes.barh(
            y,
            central,
            xerr=[low, high],
            color=DOMESTIC,
            height=0.6,
            error_kw={"ecolor": INK, "elinewidth": 0.9, "capsize": 2.5},
        )
        _tag(bars, "central")
        axes.set_yticks(y, [_label(row["name"]) for row in demand])
        axes.invert_yaxis()
        axes.xaxis.set_major_formatter(FuncFormatter(_millions))
        axes.set_xlabel(_("Million chips (bar: central estimate; line: low to high)"))
        axes.set_title(_("Chip demand by category in %(year)s") % {"year": year})
        _grid(axes)
        return _svg(figure, demo=demo)


def scenarios_chart(scenarios: Sequence[dict[str, Any]], *, demo: bool = False) -> str:
    """Each disruption scenario's lost volume and the buyers it hits, side by side."""
    with _style():
        figure = Figure(figsize=(WIDTH, max(1.6, 1.0 + 0.55 * len(scenarios))))
        lost_axes, buyers_axes = figure.subplots(1, 2, sharey=True)
        y = list(range(len(scenarios)))
        lost = [_value(row["total_lost"]) for row in scenarios]
        hit = [_value(row["buyers_hit"]) for row in scenarios]
        in_park = [_value(row["in_park_buyers_hit"]) for row in scenarios]
        bars = lost_axes.barh(y, lost, color=FOREIGN, height=0.55)
        _tag(bars, "lost")
        for position, value in zip(y, lost, strict=True):
            lost_axes.text(value, position, f" {value:,.2f}", va="center", fontsize=7)
        bars = buyers_axes.barh(y, hit, color=DOMESTIC, height=0.55, label=_("Buyers hit"))
        _tag(bars, "buyers")
        bars = buyers_axes.barh(y, in_park, color=IN_PARK, height=0.55, label=_("… of them in the park"))
        _tag(bars, "in_park")
        for position, value in zip(y, hit, strict=True):
            buyers_axes.text(value, position, f" {value:,.0f}", va="center", fontsize=7)
        lost_axes.set_yticks(y, [_label(row["title"], 24, lines=3) for row in scenarios])
        lost_axes.invert_yaxis()
        lost_axes.set_xlabel(_("Volume lost (buyer-category shares)"))
        lost_axes.set_xlim(0, max([*lost, 1.0]) * 1.2)
        buyers_axes.set_xlabel(_("Buyers hit"))
        buyers_axes.set_xlim(0, max([*hit, 1.0]) * 1.2)
        lost_axes.set_title(_("Disruption scenarios"), pad=20)
        buyers_axes.legend(loc="lower left", fontsize=7.5, bbox_to_anchor=(0.0, 1.0), ncols=2, borderaxespad=0.2)
        for axes in (lost_axes, buyers_axes):
            _grid(axes)
        return _svg(figure, demo=demo)


def stage_flows_chart(stages: Sequence[dict[str, Any]], flows: Sequence[dict[str, Any]], *, demo: bool = False) -> str:
    """Supply links from each stage (rows) to each stage (columns): a grid whose shade and number give the count."""
    with _style():
        size = len(stages)
        figure = Figure(figsize=(WIDTH, max(2.0, 1.4 + 0.36 * size)))
        axes = figure.subplots()
        position = {row["stage"]: i for i, row in enumerate(stages)}
        largest = max([_value(row["links"]) for row in flows] + [1.0])
        for row in flows:
            if row["from"] not in position or row["to"] not in position:
                continue
            x, y = position[row["to"]], position[row["from"]]
            share = _value(row["links"]) / largest
            cell = Rectangle((x - 0.48, y - 0.48), 0.96, 0.96, color=IN_PARK, alpha=0.15 + 0.85 * share, linewidth=0)
            cell.set_gid(f"bar-flow-{row['from']}-{row['to']}")
            axes.add_patch(cell)
            axes.text(
                x,
                y,
                f"{row['links']:,}",
                ha="center",
                va="center",
                fontsize=7.5,
                color="white" if share > 0.45 else INK,
            )
        # Chinese characters are twice as wide as Latin letters: wrap the column labels at half the count.
        wide = any(ord(character) > 0x2E80 for row in stages for character in row["label"])
        axes.set_xlim(-0.5, size - 0.5)
        axes.set_ylim(size - 0.5, -0.5)
        axes.set_xticks(range(size), [_label(row["label"], 6 if wide else 13, lines=3) for row in stages], fontsize=7)
        axes.set_yticks(range(size), [_label(row["label"], 30) for row in stages], fontsize=7.5)
        axes.tick_params(length=0)
        axes.set_xlabel(_("Buyer's stage"))
        axes.set_ylabel(_("Supplier's stage"))
        for spine in axes.spines.values():
            spine.set_visible(False)
        _heading(axes, _("Supply links between stages"))
        axes.grid(False)
        return _svg(figure, demo=demo)
