"""Pages: the operators' chain analyses on the live registry (dashboard, localisation, concentration and single
sources, chokepoints, investment attraction, market outlook) and the bills of materials editor.

Operators only (reports.view_analytics; bills of materials also reports.change_billofmaterials). Every analysis
page reads the registry as it is now and offers its tables as CSV or XLSX (?format=csv / ?format=xlsx).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chiptown.core import rules
from chiptown.core.errors import ChipTownError, PermissionDenied
from chiptown.core.forms import show_problems
from chiptown.core.spreadsheets import csv_bytes, xlsx_bytes
from chiptown.reports import analyses, selectors, services
from chiptown.reports.figures import HHI_HIGH, HHI_MODERATE, HHI_SOURCE
from chiptown.reports.forms import BomChoiceForm, BomForm, OutlookForm, SingleSourceFilterForm
from chiptown.reports.models import BillOfMaterials

SINGLE_SOURCES_PER_PAGE = 50
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

Sheet = tuple[str, Sequence[str], Sequence[Sequence[Any]]]


def _require_analytics(request: HttpRequest) -> None:
    rules.require(
        request.user, "reports.view_analytics", None, _("Only the park's operators can see the chain analyses.")
    )


def _require_bom_editor(request: HttpRequest) -> None:
    rules.require(
        request.user,
        "reports.change_billofmaterials",
        None,
        _("Only the park's operators can change bills of materials."),
    )


def _export_format(request: HttpRequest) -> str | None:
    fmt = request.GET.get("format")
    if fmt is None:
        return None
    if fmt not in EXPORT_FORMATS:
        raise Http404(_("No such export."))
    return fmt


def _export(fmt: str, name: str, sheets: list[Sheet], *, is_demo: bool) -> HttpResponse:
    """The tables as one CSV (tables one after another) or one workbook (a sheet each)."""
    if is_demo:
        sheets = [*sheets, (_("Note"), [_("Note")], [[_("Demo data: these figures are generated, not real.")]])]
    content = csv_bytes((header, rows) for _title, header, rows in sheets) if fmt == "csv" else xlsx_bytes(sheets)
    response = HttpResponse(content, content_type=EXPORT_FORMATS[fmt])
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response


def _percent(share: analyses.Share) -> float | None:
    """A share as a number of per cent with one decimal, for exports; None (an empty cell) for no data."""
    return None if share.value is None else round(share.value * 100, 1)


def _number(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


# --- Dashboard ------------------------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    _require_analytics(request)
    live = analyses.live_load()
    default_bom = selectors.default_bill_of_materials()
    headline = analyses.headline(live, default_bom=default_bom)
    return render(
        request,
        "reports/analyses/dashboard.html",
        {"live": live, "headline": headline, "hhi_high": HHI_HIGH, "section": "dashboard"},
    )


# --- Localisation ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def localisation(request: HttpRequest) -> HttpResponse:
    _require_analytics(request)
    fmt = _export_format(request)
    live = analyses.live_load()
    rows = analyses.localisation_rows(live)
    boms = selectors.bills_of_materials()
    form = BomChoiceForm(request.GET, boms=boms)
    chosen_pk = form.cleaned_data.get("bom") if form.is_valid() else None
    by_pk = {bom.pk: bom for bom in boms}
    chosen = by_pk.get(chosen_pk) if chosen_pk else next((bom for bom in boms if bom.is_default), None)
    chosen = chosen or (boms[0] if boms else None)
    vehicle = analyses.vehicle_rate(live, chosen) if chosen is not None else None
    if fmt:
        return _export(fmt, "localisation", _localisation_sheets(rows, vehicle), is_demo=live.is_demo)
    if not request.GET.get("bom"):
        form = BomChoiceForm(initial={"bom": chosen.pk if chosen else None}, boms=boms)
    return render(
        request,
        "reports/analyses/localisation.html",
        {"live": live, "rows": rows, "boms": boms, "form": form, "vehicle": vehicle, "section": "localisation"},
    )


def _localisation_sheets(rows: list[analyses.LocalisationRow], vehicle: analyses.VehicleRate | None) -> list[Sheet]:
    sheets: list[Sheet] = [
        (
            _("Localisation"),
            [
                _("Category code"),
                _("Category"),
                _("Links"),
                _("Buyers"),
                _("Domestic share by links (%)"),
                _("In-park share by links (%)"),
                _("Domestic share by volume (%)"),
                _("In-park share by volume (%)"),
            ],
            [
                [
                    row.code,
                    row.name,
                    row.links,
                    row.buyers,
                    _percent(row.domestic_by_links),
                    _percent(row.in_park_by_links),
                    _percent(row.domestic_by_volume),
                    _percent(row.in_park_by_volume),
                ]
                for row in rows
            ],
        )
    ]
    if vehicle is not None and not vehicle.error:
        weights = [
            [
                w.code,
                w.name,
                w.chips_per_vehicle,
                _percent(w.weight),
                _percent(w.domestic_by_volume),
                _percent(w.in_park_by_volume),
            ]
            for w in vehicle.weights
        ]
        weights += [[code, name, vehicle.bom.counts.get(code), None, None, None] for code, name in vehicle.no_data]
        weights.append(
            [
                "",
                _("Whole vehicle"),
                vehicle.chips_counted,
                100.0,
                _percent(vehicle.domestic_rate),
                _percent(vehicle.in_park_rate),
            ]
        )
        sheets.append(
            (
                _("Whole vehicle"),
                [
                    _("Category code"),
                    _("Category"),
                    _("Chips per vehicle"),
                    _("Weight (%)"),
                    _("Domestic share by volume (%)"),
                    _("In-park share by volume (%)"),
                ],
                weights,
            )
        )
    return sheets


# --- Concentration and single sources -----------------------------------------------------------------------


@login_required
@require_GET
def concentration(request: HttpRequest) -> HttpResponse:
    _require_analytics(request)
    fmt = _export_format(request)
    live = analyses.live_load()
    rows = analyses.concentration_rows(live)
    form = SingleSourceFilterForm(request.GET, categories=live.categories)
    selection = analyses.single_sources_select(live, form.to_filter())
    if fmt:
        return _export(fmt, "concentration", _concentration_sheets(rows, selection), is_demo=live.is_demo)
    paginator = Paginator(range(len(selection)), SINGLE_SOURCES_PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    start = (page.number - 1) * SINGLE_SOURCES_PER_PAGE
    page.object_list = selection.rows(start, start + SINGLE_SOURCES_PER_PAGE)  # type: ignore[assignment]
    return render(
        request,
        "reports/analyses/concentration.html",
        {
            "live": live,
            "rows": rows,
            "form": form,
            "selection": selection,
            "page": page,
            "hhi_high": HHI_HIGH,
            "hhi_moderate": HHI_MODERATE,
            "hhi_source": HHI_SOURCE,
            "section": "concentration",
        },
    )


def _band_label(band: str) -> str:
    return {
        "high": _("Highly concentrated"),
        "moderate": _("Moderately concentrated"),
        "low": _("Unconcentrated"),
    }.get(band, _("no data"))


def _concentration_sheets(
    rows: list[analyses.ConcentrationRow], selection: analyses.SingleSourceSelection
) -> list[Sheet]:
    yes, no = _("yes"), _("no")
    return [
        (
            _("Concentration"),
            [_("Category code"), _("Category"), _("HHI"), _("Suppliers"), _("Band")],
            [[r.code, r.name, _number(r.hhi, 0), r.suppliers, _band_label(r.band)] for r in rows],
        ),
        (
            _("Single sources"),
            [
                _("Buyer id"),
                _("Buyer"),
                _("Buyer in the park"),
                _("Category code"),
                _("Category"),
                _("Supplier id"),
                _("Supplier"),
                _("Foreign supplier"),
            ],
            [
                [
                    r.buyer.id,
                    r.buyer.name,
                    yes if r.buyer_in_park else no,
                    r.category_code,
                    r.category_name,
                    r.supplier.id,
                    r.supplier.name,
                    yes if r.foreign else no,
                ]
                for r in selection.rows()
            ],
        ),
    ]


# --- Chokepoints ----------------------------------------------------------------------------------------------


@login_required
@require_GET
def chokepoints(request: HttpRequest) -> HttpResponse:
    _require_analytics(request)
    fmt = _export_format(request)
    live = analyses.live_load()
    rows = analyses.chokepoint_rows(live)
    if fmt:
        yes, no = _("yes"), _("no")
        sheet: Sheet = (
            _("Chokepoints"),
            [
                _("Rank"),
                _("Organisation id"),
                _("Supplier"),
                _("Volume lost (buyer-category volumes)"),
                _("Pairs left without a supplier"),
                _("Buyers hit"),
                _("Domestic"),
                _("In the park"),
            ],
            [
                [
                    r.rank,
                    r.organisation.id,
                    r.organisation.name,
                    _number(r.total_lost, 3),
                    r.pairs_without_supplier,
                    r.buyers_hit,
                    yes if r.domestic else no,
                    yes if r.in_park else no,
                ]
                for r in rows
            ],
        )
        return _export(fmt, "chokepoints", [sheet], is_demo=live.is_demo)
    return render(
        request,
        "reports/analyses/chokepoints.html",
        {"live": live, "rows": rows, "top": analyses.TOP_CHOKEPOINTS, "section": "chokepoints"},
    )


# --- Attraction -----------------------------------------------------------------------------------------------


@login_required
@require_GET
def attraction(request: HttpRequest) -> HttpResponse:
    _require_analytics(request)
    fmt = _export_format(request)
    live = analyses.live_load()
    gaps = analyses.gap_rows(live)
    if fmt:
        table: list[list[Any]] = []
        for gap in gaps:
            buyers = "; ".join(b.name for b in gap.buyers)
            common = [gap.kind_label, gap.category_code, gap.category_name, len(gap.buyers), buyers, gap.in_park_buyers]
            if not gap.candidates:
                table.append([*common, None, "", None, ""])
            for rank, candidate in enumerate(gap.candidates, start=1):
                reasons = " ".join(candidate.reasons)
                table.append([*common, rank, candidate.organisation.name, round(candidate.score, 1), reasons])
        sheet: Sheet = (
            _("Attraction"),
            [
                _("Gap"),
                _("Category code"),
                _("Category"),
                _("Buyers affected"),
                _("Buyers"),
                _("In-park buyers of the category"),
                _("Candidate rank"),
                _("Candidate"),
                _("Fit score"),
                _("Reasons"),
            ],
            table,
        )
        return _export(fmt, "attraction", [sheet], is_demo=live.is_demo)
    return render(
        request,
        "reports/analyses/attraction.html",
        {"live": live, "gaps": gaps, "top": analyses.TOP_CANDIDATES, "section": "attraction"},
    )


# --- Outlook --------------------------------------------------------------------------------------------------


@login_required
@require_GET
def outlook_page(request: HttpRequest) -> HttpResponse:
    _require_analytics(request)
    categories = selectors.category_names()
    edited = any(request.GET.get(name) not in (None, "") for name in request.GET)
    form = OutlookForm(request.GET if edited else None, categories=categories)
    status = 200
    assumptions = analyses.assumptions_from({})
    if edited:
        if form.is_valid():
            try:
                assumptions = analyses.assumptions_from(form.cleaned_data)
            except ChipTownError as exc:
                show_problems(
                    form, exc, aliases={p.column or "": analyses.problem_field(p) or "" for p in exc.problems}
                )
                status = 400
        else:
            status = 400
    result = analyses.outlook_compute(assumptions)
    return render(
        request,
        "reports/analyses/outlook.html",
        {
            "form": form,
            "result": result,
            "chart": analyses.outlook_chart(result),
            "forecast_rows": [(year, analyses.Share.of(year.share)) for year in result.forecast.years],
            "demand_rows": [(row, categories.get(row.category, row.category)) for row in result.demand],
            "edited": edited and status == 200,
            "level": round(result.forecast.level * 100),
            "categories": categories,
            "section": "outlook",
        },
        status=status,
    )


# --- Bills of materials ---------------------------------------------------------------------------------------


@login_required
@require_GET
def bom_list(request: HttpRequest) -> HttpResponse:
    _require_analytics(request)
    return render(
        request,
        "reports/analyses/bom_list.html",
        {"boms": selectors.bills_of_materials(), "categories": selectors.category_names(), "section": "boms"},
    )


@login_required
@require_POST
def bom_defaults(request: HttpRequest) -> HttpResponse:
    _require_bom_editor(request)
    created = services.bills_of_materials_ensure()
    if created:
        messages.success(
            request,
            _("Added %(count)d bill(s) of materials: %(names)s.")
            % {"count": len(created), "names": ", ".join(str(b) for b in created)},
        )
    else:
        messages.info(request, _("The default bills of materials are already there."))
    return redirect("reports:boms")


@login_required
@require_http_methods(["GET", "POST"])
def bom_create(request: HttpRequest) -> HttpResponse:
    return _bom_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def bom_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_bom_editor(request)
    bom = selectors.bill_of_materials(pk=pk)
    if bom is None:
        raise Http404(_("No such bill of materials."))
    return _bom_form_page(request, bom)


def _bom_form_page(request: HttpRequest, bom: BillOfMaterials | None) -> HttpResponse:
    _require_bom_editor(request)
    categories = selectors.category_names()
    status = 200
    if request.method != "POST":
        form = BomForm.for_bom(bom, categories=categories) if bom else BomForm(categories=categories)
    else:
        form = BomForm(request.POST, categories=categories)
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.bom_save(
                    by=request.user,
                    counts=form.counts(),
                    name_en=data["name_en"],
                    name_zh=data["name_zh"],
                    vehicle_type=data["vehicle_type"],
                    source=data["source"],
                    is_default=data["is_default"],
                    bom=bom,
                )
            except PermissionDenied:
                raise
            except ChipTownError as exc:
                show_problems(form, exc, prefix="count_")
            else:
                messages.success(request, _("Bill of materials “%(name)s” saved.") % {"name": saved})
                return redirect("reports:boms")
    return render(
        request, "reports/analyses/bom_form.html", {"form": form, "bom": bom, "section": "boms"}, status=status
    )


urlpatterns: list[URLPattern] = [
    path("", dashboard, name="dashboard"),
    path("localisation/", localisation, name="localisation"),
    path("concentration/", concentration, name="concentration"),
    path("chokepoints/", chokepoints, name="chokepoints"),
    path("attraction/", attraction, name="attraction"),
    path("outlook/", outlook_page, name="outlook"),
    path("boms/", bom_list, name="boms"),
    path("boms/defaults/", bom_defaults, name="bom_defaults"),
    path("boms/new/", bom_create, name="bom_create"),
    path("boms/<int:pk>/", bom_edit, name="bom_edit"),
]
