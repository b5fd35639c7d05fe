"""The chain analyses on the live registry, as rows with names, for the operators' pages, their exports and the API.

Every function here reads the registry through `selectors` (a constant number of queries, whatever the registry's
size) and computes with the tested pure modules (`analytics`, `attraction`, `outlook`); nothing is cached, so a
page always shows the registry as it is now.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from chiptown.core.errors import ChipTownError, Problem
from chiptown.reports import analytics, attraction, outlook, selectors
from chiptown.reports.figures import HHI_HIGH, hhi_band
from chiptown.reports.models import BillOfMaterials

TOP_CHOKEPOINTS = 50
TOP_CANDIDATES = 3
DASHBOARD_CHOKEPOINTS = 3


@dataclass(frozen=True)
class Share:
    """A fraction shown as a percentage with one decimal; None is "no data". `bar` is a CSS width class."""

    value: float | None

    @classmethod
    def of(cls, value: Any) -> Share:
        number = None if value is None else float(value)
        return cls(None if number is None or math.isnan(number) or math.isinf(number) else number)

    def __str__(self) -> str:
        return _("no data") if self.value is None else f"{self.value * 100:.1f}%"

    @property
    def bar(self) -> str:
        """The nearest of the stylesheet's bar widths (w-0, w-5 .. w-100)."""
        if self.value is None:
            return "w-0"
        return f"w-{round(min(max(self.value, 0.0), 1.0) * 20) * 5}"


@dataclass(frozen=True)
class Organisation:
    id: int
    name: str
    is_demo: bool


@dataclass(frozen=True)
class Live:
    """The registry's counted chain, its category names, and whether it holds demo data."""

    chain: analytics.ChainColumns
    categories: dict[str, str]
    is_demo: bool

    def category_name(self, code: str) -> str:
        return self.categories.get(code, code)

    def organisations(self, ids: Any) -> dict[int, Organisation]:
        """Names for a set of database ids, in one query."""
        names = selectors.organisation_names(ids=[int(pk) for pk in ids])
        return {pk: Organisation(pk, name, demo) for pk, (name, demo) in names.items()}


def live_load() -> Live:
    """The chain (three queries), the category names and the demo flag (one each)."""
    return Live(
        chain=selectors.chain_columns_load(),
        categories=selectors.category_names(),
        is_demo=selectors.registry_has_demo(),
    )


def _unknown(pk: int) -> Organisation:
    return Organisation(pk, f"#{pk}", False)


# --- Localisation ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalisationRow:
    code: str
    name: str
    links: int
    buyers: int
    domestic_by_links: Share
    in_park_by_links: Share
    domestic_by_volume: Share
    in_park_by_volume: Share


def localisation_rows(live: Live) -> list[LocalisationRow]:
    table = analytics.localisation(live.chain)
    return [
        LocalisationRow(
            code=code,
            name=live.category_name(code),
            links=int(table.links[i]),
            buyers=int(table.buyers[i]),
            domestic_by_links=Share.of(table.domestic_by_links[i]),
            in_park_by_links=Share.of(table.in_park_by_links[i]),
            domestic_by_volume=Share.of(table.domestic_by_volume[i]),
            in_park_by_volume=Share.of(table.in_park_by_volume[i]),
        )
        for i, code in enumerate(table.category_codes)
    ]


@dataclass(frozen=True)
class WeightRow:
    code: str
    name: str
    chips_per_vehicle: float
    weight: Share
    domestic_by_volume: Share
    in_park_by_volume: Share


@dataclass(frozen=True)
class VehicleRate:
    """A bill of materials' whole-vehicle localisation; `error` says why it could not be computed."""

    bom: BillOfMaterials
    domestic_rate: Share = Share(None)
    in_park_rate: Share = Share(None)
    weights: tuple[WeightRow, ...] = ()
    no_data: tuple[tuple[str, str], ...] = ()  # (code, name)
    chips_counted: float = 0.0
    chips_without_data: float = 0.0
    error: str = ""


def vehicle_rate(live: Live, bom: BillOfMaterials) -> VehicleRate:
    try:
        result = analytics.vehicle_localisation(live.chain, bom.counts)
    except ChipTownError as exc:
        reasons = "; ".join(p.reason for p in exc.problems)
        return VehicleRate(bom=bom, error=f"{exc.message} {reasons}".strip())
    return VehicleRate(
        bom=bom,
        domestic_rate=Share.of(result.domestic_rate),
        in_park_rate=Share.of(result.in_park_rate),
        weights=tuple(
            WeightRow(
                code=rate.category_code,
                name=live.category_name(rate.category_code),
                chips_per_vehicle=rate.chips_per_vehicle,
                weight=Share.of(rate.weight),
                domestic_by_volume=Share.of(rate.domestic_by_volume),
                in_park_by_volume=Share.of(rate.in_park_by_volume),
            )
            for rate in result.categories
        ),
        no_data=tuple((code, live.category_name(code)) for code in result.no_data),
        chips_counted=result.chips_counted,
        chips_without_data=result.chips_without_data,
    )


# --- Concentration and single sources ------------------------------------------------------------------------


@dataclass(frozen=True)
class ConcentrationRow:
    code: str
    name: str
    hhi: float | None
    suppliers: int
    band: str


def concentration_rows(live: Live) -> list[ConcentrationRow]:
    table = analytics.concentration(live.chain)
    rows = []
    for i, code in enumerate(table.category_codes):
        value = float(table.hhi[i])
        hhi = None if math.isnan(value) else value
        rows.append(
            ConcentrationRow(
                code=code,
                name=live.category_name(code),
                hhi=hhi,
                suppliers=int(table.suppliers[i]),
                band=hhi_band(hhi),
            )
        )
    return rows


@dataclass(frozen=True)
class SingleSourceFilter:
    category: str = ""
    foreign_only: bool = False
    in_park_buyers_only: bool = False


@dataclass(frozen=True)
class SingleSourceRow:
    buyer: Organisation
    buyer_in_park: bool
    category_code: str
    category_name: str
    supplier: Organisation
    foreign: bool


@dataclass(frozen=True)
class SingleSourceSelection:
    """The single-source pairs that pass a filter, as positions into `sources`; rows are named on demand."""

    live: Live
    sources: analytics.SingleSources
    chosen: np.ndarray
    total: int  # all pairs, before the filter
    foreign_total: int

    def __len__(self) -> int:
        return len(self.chosen)

    def rows(self, start: int = 0, stop: int | None = None) -> list[SingleSourceRow]:
        """Rows start..stop (all by default), with names read in one query."""
        chain, picked = self.live.chain, self.chosen[start:stop]
        buyers = self.sources.buyer[picked]
        suppliers = self.sources.supplier[picked]
        buyer_ids = chain.organisation_ids[buyers].tolist()
        supplier_ids = chain.organisation_ids[suppliers].tolist()
        names = self.live.organisations(buyer_ids + supplier_ids)
        return [
            SingleSourceRow(
                buyer=names.get(b_id) or _unknown(b_id),
                buyer_in_park=bool(chain.in_park[b]),
                category_code=chain.category_codes[c],
                category_name=self.live.category_name(chain.category_codes[c]),
                supplier=names.get(s_id) or _unknown(s_id),
                foreign=bool(f),
            )
            for b, b_id, c, s_id, f in zip(
                buyers.tolist(),
                buyer_ids,
                self.sources.category[picked].tolist(),
                supplier_ids,
                self.sources.foreign[picked].tolist(),
                strict=True,
            )
        ]


def single_sources_select(live: Live, selection: SingleSourceFilter) -> SingleSourceSelection:
    """The single-source pairs (buyer, then category order) that pass the filter; an unknown category is refused."""
    chain = live.chain
    sources = analytics.single_source(chain)
    keep = np.ones(len(sources), dtype=bool)
    if selection.category:
        keep &= sources.category == chain.category_index(selection.category)
    if selection.foreign_only:
        keep &= sources.foreign
    if selection.in_park_buyers_only:
        keep &= chain.in_park[sources.buyer]
    return SingleSourceSelection(
        live=live,
        sources=sources,
        chosen=np.flatnonzero(keep),
        total=len(sources),
        foreign_total=int(sources.foreign.sum()),
    )


# --- Chokepoints ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChokepointRow:
    rank: int
    organisation: Organisation
    total_lost: float
    pairs_without_supplier: int
    buyers_hit: int
    domestic: bool
    in_park: bool


def chokepoint_rows(live: Live, *, top: int = TOP_CHOKEPOINTS) -> list[ChokepointRow]:
    ranked = analytics.chokepoints(live.chain, top=top)
    ids = ranked.organisation_id.tolist()
    names = live.organisations(ids)
    return [
        ChokepointRow(
            rank=n,
            organisation=names.get(pk) or _unknown(pk),
            total_lost=float(ranked.total_lost[n - 1]),
            pairs_without_supplier=int(ranked.pairs_without_supplier[n - 1]),
            buyers_hit=int(ranked.buyers_hit[n - 1]),
            domestic=bool(ranked.domestic[n - 1]),
            in_park=bool(ranked.in_park[n - 1]),
        )
        for n, pk in enumerate(ids, start=1)
    ]


# --- Attraction -------------------------------------------------------------------------------------------------


def gap_kind_label(kind: str) -> str:
    return _("Outside the park") if kind == "outside_park" else _("Outside the country")


@dataclass(frozen=True)
class CandidateRow:
    organisation: Organisation
    score: float
    domestic: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class GapRow:
    kind: str
    kind_label: str
    category_code: str
    category_name: str
    buyers: tuple[Organisation, ...]
    in_park_buyers: int
    whole_category: bool
    volume: float
    links: int
    candidates: tuple[CandidateRow, ...] = field(default=())


def gap_rows(live: Live, *, top: int = TOP_CANDIDATES) -> list[GapRow]:
    """Every gap (outside the park first, then outside the country, by category) with its best candidates."""
    chain = live.chain
    found = attraction.gaps(chain)
    if not found:
        return []
    profiles = selectors.attraction_profiles_load(chain)
    ranked = {
        (gap.kind, gap.category): attraction.candidates(
            chain, profiles, gap, top=top, category_name=live.category_name(gap.category_code)
        )
        for gap in found
    }
    ids = [pk for gap in found for pk in gap.buyer_organisation_ids]
    ids += [c.organisation_id for chosen in ranked.values() for c in chosen]
    names = live.organisations(ids)
    return [
        GapRow(
            kind=gap.kind,
            kind_label=gap_kind_label(gap.kind),
            category_code=gap.category_code,
            category_name=live.category_name(gap.category_code),
            buyers=tuple(names.get(pk) or _unknown(pk) for pk in gap.buyer_organisation_ids),
            in_park_buyers=gap.in_park_buyers,
            whole_category=gap.whole_category,
            volume=gap.volume,
            links=gap.links,
            candidates=tuple(
                CandidateRow(
                    organisation=names.get(c.organisation_id) or _unknown(c.organisation_id),
                    score=c.score,
                    domestic=c.domestic,
                    reasons=c.reasons,
                )
                for c in ranked[(gap.kind, gap.category)]
            ),
        )
        for gap in found
    ]


# --- Dashboard --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    organisations: int
    in_park: int
    links: int
    domestic_by_links: Share
    in_park_by_links: Share
    single_source_pairs: int
    foreign_single_source_pairs: int
    highly_concentrated_categories: int
    chokepoints: tuple[ChokepointRow, ...]
    vehicle: VehicleRate | None  # None: no default bill of materials yet


def headline(live: Live, *, default_bom: BillOfMaterials | None) -> Headline:
    chain = live.chain
    sources = analytics.single_source(chain)
    concentration = analytics.concentration(chain)
    with np.errstate(invalid="ignore"):
        high = int(np.sum(concentration.hhi > HHI_HIGH))
    return Headline(
        organisations=chain.n_organisations,
        in_park=int(chain.in_park.sum()),
        links=chain.n_links,
        domestic_by_links=Share.of(chain.domestic[chain.supplier].mean() if chain.n_links else None),
        in_park_by_links=Share.of(chain.in_park[chain.supplier].mean() if chain.n_links else None),
        single_source_pairs=len(sources),
        foreign_single_source_pairs=int(sources.foreign.sum()),
        highly_concentrated_categories=high,
        chokepoints=tuple(chokepoint_rows(live, top=DASHBOARD_CHOKEPOINTS)) if chain.n_links else (),
        vehicle=vehicle_rate(live, default_bom) if default_bom is not None else None,
    )


# --- Outlook ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outlook:
    assumptions: outlook.OutlookAssumptions
    history: tuple[outlook.NevSalesYear, ...]
    forecast: outlook.Forecast
    demand: tuple[outlook.DemandRow, ...]
    lines: tuple[outlook.AssumptionLine, ...]


@lru_cache(maxsize=32)
def _forecast(assumptions: outlook.OutlookAssumptions) -> outlook.Forecast:
    # Pure function of the data files and the assumptions (no registry data), so caching it is safe.
    return outlook.forecast_nev_sales(outlook.nev_sales_history(), assumptions=assumptions)


def outlook_compute(assumptions: outlook.OutlookAssumptions) -> Outlook:
    forecast = _forecast(assumptions)
    return Outlook(
        assumptions=assumptions,
        history=forecast.history,
        forecast=forecast,
        demand=tuple(outlook.chip_demand(forecast, assumptions=assumptions)),
        lines=tuple(assumptions.describe()),
    )


# The assumption fields people may change, with the type the form and the API read them as.
ASSUMPTION_FIELDS: tuple[str, ...] = (
    "chips_per_vehicle_low",
    "chips_per_vehicle_high",
    "highly_automated_chips",
    "highly_automated_share",
    "market_growth",
)
MIX_PREFIX = "mix_"


def default_mix() -> dict[str, float]:
    return dict(outlook.OutlookAssumptions().category_mix)


def assumptions_from(values: Mapping[str, float | None]) -> outlook.OutlookAssumptions:
    """Assumptions from edited values (None or missing keeps the default); mix_<code> keys edit the category mix.

    Invalid values raise the assumptions' own ChipTownError, whose problems name the fields."""
    defaults = outlook.OutlookAssumptions()
    changes: dict[str, Any] = {name: values[name] for name in ASSUMPTION_FIELDS if values.get(name) is not None}
    mix = dict(defaults.category_mix)
    for code in mix:
        value = values.get(MIX_PREFIX + code)
        if value is not None:
            mix[code] = value
    return outlook.OutlookAssumptions(**changes, category_mix=mix)


def problem_field(problem: Problem) -> str | None:
    """The form field (or API query parameter) an assumptions problem is about."""
    column = problem.column or ""
    if column.startswith("category_mix."):
        return MIX_PREFIX + column.removeprefix("category_mix.")
    return column if column in ASSUMPTION_FIELDS else None


@dataclass(frozen=True)
class Chart:
    """History and forecast band of the outlook as SVG coordinates (viewBox 0 0 WIDTH HEIGHT)."""

    width: int
    height: int
    history: str  # polyline points
    forecast: str  # polyline points (from the last history year)
    band: str  # polygon points of the prediction interval
    x_ticks: tuple[tuple[float, int], ...]
    y_ticks: tuple[tuple[float, str], ...]
    left: int
    bottom: int


def outlook_chart(result: Outlook, *, width: int = 640, height: int = 280) -> Chart:
    left, right, top, bottom = 70, 10, 10, height - 30
    history = [(float(h.year), float(h.units or 0)) for h in result.history]
    years = result.forecast.years
    all_years = [h.year for h in result.history] + [y.year for y in years]
    top_value = max([u for _y, u in history] + [y.upper_units for y in years] + [1.0])
    first, last = min(all_years), max(all_years)

    def x(year: float) -> float:
        return left + (year - first) / max(last - first, 1) * (width - left - right)

    def y(units: float) -> float:
        return bottom - units / top_value * (bottom - top)

    def points(pairs: list[tuple[float, float]]) -> str:
        return " ".join(f"{x(a):.1f},{y(b):.1f}" for a, b in pairs)

    join = history[-1:]
    upper = join + [(float(f.year), f.upper_units) for f in years]
    lower = join + [(float(f.year), f.lower_units) for f in years]
    step = 10 ** max(int(math.log10(top_value)) - 0, 0)
    while top_value / step > 6:
        step *= 2
    y_ticks = tuple(
        (round(y(v), 1), _("%(millions)s million") % {"millions": f"{v / 1e6:g}"})
        for v in np.arange(0, top_value + 1, step).tolist()
    )
    return Chart(
        width=width,
        height=height,
        history=points(history),
        forecast=points(join + [(float(f.year), f.units) for f in years]),
        band=points(upper + lower[::-1]),
        x_ticks=tuple((round(x(year), 1), year) for year in all_years),
        y_ticks=y_ticks,
        left=left,
        bottom=bottom,
    )
