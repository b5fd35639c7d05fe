"""/api/v1/reports endpoints: the chain analyses on the live registry and the bills of materials.

Operators only (reports.view_analytics; writing bills of materials reports.change_billofmaterials), signed in by
session or token. Shares are fractions 0..1 and null where there is no data; `is_demo` says the registry holds
generated organisations, so the figures are not real.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from chiptown.core import rules
from chiptown.core.api import write_auth
from chiptown.core.errors import ChipTownError, NotFound, Problem
from chiptown.reports import analyses, selectors, services
from chiptown.reports.figures import HHI_HIGH, HHI_MODERATE, HHI_SOURCE
from chiptown.reports.forms import OutlookForm
from chiptown.reports.models import BillOfMaterials

router = Router(tags=["reports"], auth=write_auth)


def _require_analytics(request: HttpRequest) -> None:
    rules.require(
        request.user, "reports.view_analytics", None, _("Only the park's operators can see the chain analyses.")
    )


# --- Localisation ---------------------------------------------------------------------------------------------


class LocalisationCategoryOut(Schema):
    code: str
    name: str
    links: int
    buyers: int
    domestic_by_links: float | None
    in_park_by_links: float | None
    domestic_by_volume: float | None
    in_park_by_volume: float | None


class WeightOut(Schema):
    code: str
    name: str
    chips_per_vehicle: float
    weight: float | None
    domestic_by_volume: float | None
    in_park_by_volume: float | None


class VehicleOut(Schema):
    bom_id: int
    bom_name: str
    domestic_rate: float | None
    in_park_rate: float | None
    categories: list[WeightOut]
    no_data: list[str]
    chips_counted: float
    chips_without_data: float
    error: str


class LocalisationOut(Schema):
    is_demo: bool
    categories: list[LocalisationCategoryOut]
    vehicle: VehicleOut | None


def _vehicle(vehicle: analyses.VehicleRate) -> dict[str, Any]:
    return {
        "bom_id": vehicle.bom.pk,
        "bom_name": str(vehicle.bom),
        "domestic_rate": vehicle.domestic_rate.value,
        "in_park_rate": vehicle.in_park_rate.value,
        "categories": [
            {
                "code": w.code,
                "name": w.name,
                "chips_per_vehicle": w.chips_per_vehicle,
                "weight": w.weight.value,
                "domestic_by_volume": w.domestic_by_volume.value,
                "in_park_by_volume": w.in_park_by_volume.value,
            }
            for w in vehicle.weights
        ],
        "no_data": [code for code, _name in vehicle.no_data],
        "chips_counted": vehicle.chips_counted,
        "chips_without_data": vehicle.chips_without_data,
        "error": vehicle.error,
    }


@router.get("/localisation", response=LocalisationOut)
def localisation(request: HttpRequest, bom: int | None = None) -> dict[str, Any]:
    """Domestic and in-park shares per category, and the whole-vehicle rate for `bom` (default: the report's)."""
    _require_analytics(request)
    live = analyses.live_load()
    chosen = selectors.bill_of_materials(pk=bom) if bom is not None else selectors.default_bill_of_materials()
    if bom is not None and chosen is None:
        raise NotFound(_("No such bill of materials."))
    return {
        "is_demo": live.is_demo,
        "categories": [
            {
                "code": row.code,
                "name": row.name,
                "links": row.links,
                "buyers": row.buyers,
                "domestic_by_links": row.domestic_by_links.value,
                "in_park_by_links": row.in_park_by_links.value,
                "domestic_by_volume": row.domestic_by_volume.value,
                "in_park_by_volume": row.in_park_by_volume.value,
            }
            for row in analyses.localisation_rows(live)
        ],
        "vehicle": _vehicle(analyses.vehicle_rate(live, chosen)) if chosen is not None else None,
    }


# --- Concentration and single sources -----------------------------------------------------------------------


class ConcentrationCategoryOut(Schema):
    code: str
    name: str
    hhi: float | None
    suppliers: int
    band: str = Field(description="high (HHI above hhi_high), moderate (from hhi_moderate), low, or none (no data)")


class ConcentrationOut(Schema):
    is_demo: bool
    hhi_high: float
    hhi_moderate: float
    hhi_source: str
    categories: list[ConcentrationCategoryOut]
    single_source_pairs: int
    foreign_single_source_pairs: int


@router.get("/concentration", response=ConcentrationOut)
def concentration(request: HttpRequest) -> dict[str, Any]:
    """The Herfindahl-Hirschman index and number of suppliers per category, and the single-source totals."""
    _require_analytics(request)
    live = analyses.live_load()
    selection = analyses.single_sources_select(live, analyses.SingleSourceFilter())
    return {
        "is_demo": live.is_demo,
        "hhi_high": HHI_HIGH,
        "hhi_moderate": HHI_MODERATE,
        "hhi_source": HHI_SOURCE,
        "categories": [
            {"code": r.code, "name": r.name, "hhi": r.hhi, "suppliers": r.suppliers, "band": r.band}
            for r in analyses.concentration_rows(live)
        ],
        "single_source_pairs": selection.total,
        "foreign_single_source_pairs": selection.foreign_total,
    }


class SingleSourceOut(Schema):
    buyer_id: int
    buyer_name: str
    buyer_in_park: bool
    category: str
    category_name: str
    supplier_id: int
    supplier_name: str
    foreign: bool


class SingleSourcePageOut(Schema):
    is_demo: bool
    count: int
    items: list[SingleSourceOut]


class SingleSourceQuery(Schema):
    category: str = ""
    foreign_only: bool = False
    in_park_buyers_only: bool = False
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=10_000_000)


@router.get("/single-sources", response=SingleSourcePageOut)
def single_sources(request: HttpRequest, query: Query[SingleSourceQuery]) -> dict[str, Any]:
    """The (buyer, category) pairs with one supplier, by buyer then category, a page at a time."""
    _require_analytics(request)
    live = analyses.live_load()
    if query.category and query.category not in live.chain.category_codes:
        raise ChipTownError(
            _("“%(category)s” is not a chip category.") % {"category": query.category},
            code="unknown_category",
            problems=[Problem(reason=_("Unknown chip category."), column="category")],
        )
    selection = analyses.single_sources_select(
        live,
        analyses.SingleSourceFilter(
            category=query.category,
            foreign_only=query.foreign_only,
            in_park_buyers_only=query.in_park_buyers_only,
        ),
    )
    rows = selection.rows(query.offset, query.offset + query.limit) if query.offset < len(selection) else []
    return {
        "is_demo": live.is_demo,
        "count": len(selection),
        "items": [
            {
                "buyer_id": r.buyer.id,
                "buyer_name": r.buyer.name,
                "buyer_in_park": r.buyer_in_park,
                "category": r.category_code,
                "category_name": r.category_name,
                "supplier_id": r.supplier.id,
                "supplier_name": r.supplier.name,
                "foreign": r.foreign,
            }
            for r in rows
        ],
    }


# --- Chokepoints ----------------------------------------------------------------------------------------------


class ChokepointOut(Schema):
    rank: int
    organisation_id: int
    name: str
    total_lost: float = Field(description="volume lost, in buyer-category volumes (1.0 = one buyer's whole category)")
    pairs_without_supplier: int
    buyers_hit: int
    domestic: bool
    in_park: bool


class ChokepointsOut(Schema):
    is_demo: bool
    items: list[ChokepointOut]


@router.get("/chokepoints", response=ChokepointsOut)
def chokepoints(request: HttpRequest, top: int = Query(analyses.TOP_CHOKEPOINTS, ge=1, le=500)) -> dict[str, Any]:
    """The suppliers whose failure alone would cost their buyers the most volume."""
    _require_analytics(request)
    live = analyses.live_load()
    return {
        "is_demo": live.is_demo,
        "items": [
            {
                "rank": r.rank,
                "organisation_id": r.organisation.id,
                "name": r.organisation.name,
                "total_lost": r.total_lost,
                "pairs_without_supplier": r.pairs_without_supplier,
                "buyers_hit": r.buyers_hit,
                "domestic": r.domestic,
                "in_park": r.in_park,
            }
            for r in analyses.chokepoint_rows(live, top=top)
        ],
    }


# --- Attraction -----------------------------------------------------------------------------------------------


class NamedOrganisationOut(Schema):
    id: int
    name: str


class CandidateOut(Schema):
    organisation_id: int
    name: str
    score: float
    domestic: bool
    reasons: list[str]


class GapOut(Schema):
    kind: str = Field(description="outside_park or outside_country")
    category: str
    category_name: str
    buyers: list[NamedOrganisationOut]
    in_park_buyers: int
    whole_category: bool
    volume: float
    links: int
    candidates: list[CandidateOut]


class AttractionOut(Schema):
    is_demo: bool
    gaps: list[GapOut]


@router.get("/attraction", response=AttractionOut)
def attraction(request: HttpRequest) -> dict[str, Any]:
    """Categories the park's buyers get only from outside, with the best-placed candidates to fill them."""
    _require_analytics(request)
    live = analyses.live_load()
    return {
        "is_demo": live.is_demo,
        "gaps": [
            {
                "kind": gap.kind,
                "category": gap.category_code,
                "category_name": gap.category_name,
                "buyers": [{"id": b.id, "name": b.name} for b in gap.buyers],
                "in_park_buyers": gap.in_park_buyers,
                "whole_category": gap.whole_category,
                "volume": gap.volume,
                "links": gap.links,
                "candidates": [
                    {
                        "organisation_id": c.organisation.id,
                        "name": c.organisation.name,
                        "score": c.score,
                        "domestic": c.domestic,
                        "reasons": list(c.reasons),
                    }
                    for c in gap.candidates
                ],
            }
            for gap in analyses.gap_rows(live)
        ],
    }


# --- Outlook --------------------------------------------------------------------------------------------------


class OutlookQuery(Schema):
    """Leave a parameter out to keep its default; mix_<category code>=<share> edits the category mix."""

    chips_per_vehicle_low: str | None = None
    chips_per_vehicle_high: str | None = None
    highly_automated_chips: str | None = None
    highly_automated_share: str | None = None
    market_growth: str | None = None


class SalesYearOut(Schema):
    year: int
    units: float | None
    source: str


class ForecastYearOut(Schema):
    year: int
    units: float
    mean_units: float
    lower_units: float
    upper_units: float
    market_units: float
    share: float
    lower_share: float
    upper_share: float


class DemandOut(Schema):
    year: int
    category: str
    share: float
    chips_low: float
    chips_central: float
    chips_high: float


class AssumptionOut(Schema):
    name: str
    value: str
    source: str


class OutlookOut(Schema):
    history: list[SalesYearOut]
    forecast: list[ForecastYearOut]
    level: float
    method: str
    caveat: str
    demand: list[DemandOut]
    assumptions: list[AssumptionOut]


@router.get("/outlook", response=OutlookOut)
def outlook(request: HttpRequest, query: Query[OutlookQuery]) -> dict[str, Any]:
    """NEV sales history and forecast, chip demand per category, and every assumption with its source."""
    _require_analytics(request)
    given = {key: value for key, value in request.GET.items() if value != ""}
    form = OutlookForm(given)
    unknown = sorted(set(given) - set(form.fields))
    if unknown or not form.is_valid():
        problems = [
            Problem(reason=str(message), column=name) for name, errors in form.errors.items() for message in errors
        ]
        problems += [Problem(reason=_("Not an assumption this endpoint takes."), column=name) for name in unknown]
        raise ChipTownError(
            _("The market outlook assumptions are not valid."), code="outlook_assumptions", problems=problems
        )
    try:
        assumptions = analyses.assumptions_from(form.cleaned_data)
    except ChipTownError as exc:
        exc.problems = [
            Problem(reason=p.reason, row=p.row, column=analyses.problem_field(p) or p.column) for p in exc.problems
        ]
        raise
    result = analyses.outlook_compute(assumptions)
    forecast = result.forecast
    return {
        "history": [{"year": h.year, "units": h.units, "source": h.source} for h in result.history],
        "forecast": [
            {
                "year": y.year,
                "units": y.units,
                "mean_units": y.mean_units,
                "lower_units": y.lower_units,
                "upper_units": y.upper_units,
                "market_units": y.market_units,
                "share": y.share,
                "lower_share": y.lower_share,
                "upper_share": y.upper_share,
            }
            for y in forecast.years
        ],
        "level": forecast.level,
        "method": forecast.method,
        "caveat": forecast.caveat,
        "demand": [
            {
                "year": d.year,
                "category": d.category,
                "share": d.share,
                "chips_low": d.chips_low,
                "chips_central": d.chips_central,
                "chips_high": d.chips_high,
            }
            for d in result.demand
        ],
        "assumptions": [{"name": a.name, "value": a.value, "source": a.source} for a in result.lines],
    }


# --- Bills of materials ---------------------------------------------------------------------------------------


class BomOut(Schema):
    id: int
    name: str
    name_en: str
    name_zh: str
    vehicle_type: str
    counts: dict[str, float]
    total_chips: float
    source: str
    is_default: bool
    updated_at: datetime.datetime

    @staticmethod
    def resolve_name(bom: BillOfMaterials) -> str:
        return str(bom)


class BomIn(Schema):
    name_en: str = ""
    name_zh: str = ""
    vehicle_type: str = ""
    source: str = ""
    is_default: bool = False
    # Any values: the service says, per category, which count is not a number or is negative.
    counts: dict[str, Any]


@router.get("/boms", response=list[BomOut])
def bom_list(request: HttpRequest) -> list[BillOfMaterials]:
    """Every bill of materials, the report's one first."""
    _require_analytics(request)
    return selectors.bills_of_materials()


@router.get("/boms/{bom_id}", response=BomOut)
def bom_detail(request: HttpRequest, bom_id: int) -> BillOfMaterials:
    _require_analytics(request)
    return _bom_or_404(bom_id)


@router.post("/boms", response={201: BomOut})
def bom_create(request: HttpRequest, payload: BomIn) -> Any:
    """A new bill of materials; is_default makes it the report's (and unchooses the previous one)."""
    bom = services.bom_save(by=request.user, **payload.dict())
    return Status(201, bom)


@router.put("/boms/{bom_id}", response=BomOut)
def bom_update(request: HttpRequest, bom_id: int, payload: BomIn) -> BillOfMaterials:
    """Replace a bill of materials' names, counts, source and default flag."""
    rules.require(
        request.user,
        "reports.change_billofmaterials",
        None,
        _("Only operators can change bills of materials."),
    )
    return services.bom_save(by=request.user, bom=_bom_or_404(bom_id), **payload.dict())


def _bom_or_404(bom_id: int) -> BillOfMaterials:
    bom = selectors.bill_of_materials(pk=bom_id)
    if bom is None:
        raise NotFound(_("No such bill of materials."))
    return bom
