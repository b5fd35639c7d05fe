"""Pages: the disruption scenario runner (operators only).

One GET form, so that a scenario is a link people can share: suppliers by id (``?suppliers=3,7`` or repeated),
a province, a country, and the times the engine assumes. The result is drawn below the form from live registry
data; ``format=csv`` or ``format=xlsx`` on the same query string downloads both tables.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from chiptown.core.errors import ChipTownError
from chiptown.core.forms import show_problems
from chiptown.core.rules import require
from chiptown.core.spreadsheets import csv_bytes, xlsx_bytes
from chiptown.registry.selectors import organisation_by_reference
from chiptown.reports import analytics, scenario_tables, selectors
from chiptown.reports.analytics import ChainColumns
from chiptown.reports.scenarios import DEFAULT_INVENTORY_DAYS, DEFAULT_REQUALIFICATION_DAYS, Scenario, simulate

# Rows shown before "show all"; the exports always hold every row.
TABLE_CAP = 50
# Bars of the lost-volume picture (SVG user units).
BAR_LABEL_WIDTH = 190
BAR_MAX_WIDTH = 360
BAR_HEIGHT = 18
BAR_GAP = 8
EXPORT_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# Query parameters that change how the result is shown, not the scenario.
DISPLAY_PARAMETERS = {"all_hits", "all_links", "format"}


def _require_runner(request: HttpRequest) -> None:
    require(
        request.user,
        "reports.run_scenario",
        None,
        _("Only the programme's operators may run disruption scenarios."),
    )


class SupplierIdsField(forms.Field):
    """Organisation ids from repeated parameters and/or comma-separated lists; sorted, no repeats."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        ids: set[int] = set()
        for text in values:
            for part in str(text).split(","):
                part = part.strip()
                if not part:
                    continue
                if not part.isdigit() or len(part) > 18:
                    raise forms.ValidationError(
                        _("“%(value)s” is not a supplier id: pick suppliers by name, or give their ids as numbers.")
                        % {"value": part}
                    )
                ids.add(int(part))
        return sorted(ids)


def _days_field(label: Any, *, placeholder: float | None = None) -> forms.FloatField:
    attrs: dict[str, Any] = {"min": 0, "step": "any", "class": "days"}
    if placeholder is not None:
        attrs["placeholder"] = f"{placeholder:g}"
    return forms.FloatField(
        label=label,
        required=False,
        min_value=0,
        error_messages={"min_value": gettext_lazy("Give zero or more days.")},
        widget=forms.NumberInput(attrs=attrs),
    )


class ScenarioForm(forms.Form):
    """What to take out and the times to assume; per-category fields are ttr_<code> and tts_<code>."""

    suppliers = SupplierIdsField(label=gettext_lazy("Suppliers taken out"), required=False)
    supplier = forms.CharField(
        label=gettext_lazy("Add a supplier"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Type part of a name and pick from the suggestions."),
        widget=forms.TextInput(
            attrs={
                "list": "supplier-suggestions",
                "autocomplete": "off",
                "hx-get": reverse_lazy("registry:organisation_suggest"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#supplier-suggestions",
                "hx-swap": "innerHTML",
            }
        ),
    )
    province = forms.CharField(label=gettext_lazy("Province taken out"), required=False, max_length=64)
    country = forms.CharField(label=gettext_lazy("Country taken out"), required=False, max_length=8)
    default_requalification_days = _days_field(
        gettext_lazy("Re-qualification days (TTR)"), placeholder=DEFAULT_REQUALIFICATION_DAYS
    )
    default_inventory_days = _days_field(gettext_lazy("Inventory days (TTS)"), placeholder=DEFAULT_INVENTORY_DAYS)

    def __init__(self, *args: Any, chain: ChainColumns, category_names: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category_codes = chain.category_codes
        self.category_names = category_names
        fields: Any = self.fields
        fields["province"].widget = forms.Select(
            choices=[("", _("— none —")), *[(label, label) for label in chain.province_labels if label]]
        )
        fields["country"].widget = forms.Select(
            choices=[("", _("— none —")), *[(label, label) for label in chain.country_labels if label]]
        )
        for code in chain.category_codes:
            name = category_names.get(code, code)
            self.fields[f"ttr_{code}"] = _days_field(_("Re-qualification days: %(category)s") % {"category": name})
            self.fields[f"tts_{code}"] = _days_field(_("Inventory days: %(category)s") % {"category": name})

    def clean_supplier(self) -> int | None:
        text = self.cleaned_data.get("supplier", "").strip()
        if not text:
            return None
        found = organisation_by_reference(text)
        if found is None:
            raise forms.ValidationError(_("No single organisation matches; pick one from the suggestions."))
        return found.pk

    def category_rows(self) -> list[tuple[str, str, forms.BoundField, forms.BoundField]]:
        """(code, name, re-qualification field, inventory field) per category, for the overrides table."""
        return [
            (code, self.category_names.get(code, code), self[f"ttr_{code}"], self[f"tts_{code}"])
            for code in self.category_codes
        ]

    def overrides_given(self) -> bool:
        """True when any per-category time is filled in (the overrides table then starts open)."""
        return self.is_bound and any(
            str(self.data.get(f"{prefix}_{code}", "")).strip()
            for code in self.category_codes
            for prefix in ("ttr", "tts")
        )

    def selected_supplier_ids(self) -> list[int]:
        """The suppliers the form names (ids and the added one), also when another field is wrong."""
        cleaned = getattr(self, "cleaned_data", {})
        ids = set(cleaned.get("suppliers") or [])
        if cleaned.get("supplier"):
            ids.add(cleaned["supplier"])
        return sorted(ids)

    def scenario(self) -> Scenario:
        """The engine's scenario; raises ChipTownError (field-named problems) for what only the chain can judge."""
        data = self.cleaned_data

        def days(prefix: str) -> dict[str, float]:
            return {
                code: data[f"{prefix}_{code}"]
                for code in self.category_codes
                if data.get(f"{prefix}_{code}") is not None
            }

        requalification = data.get("default_requalification_days")
        inventory = data.get("default_inventory_days")
        return Scenario(
            suppliers=frozenset(self.selected_supplier_ids()),
            province=data.get("province") or None,
            country=data.get("country") or None,
            requalification_days=days("ttr"),
            inventory_days=days("tts"),
            default_requalification_days=DEFAULT_REQUALIFICATION_DAYS if requalification is None else requalification,
            default_inventory_days=DEFAULT_INVENTORY_DAYS if inventory is None else inventory,
        )

    def problem_aliases(self) -> dict[str, str]:
        """The engine's problem columns -> this form's fields."""
        aliases = {}
        for code in self.category_codes:
            aliases[f"requalification_days[{code}]"] = f"ttr_{code}"
            aliases[f"inventory_days[{code}]"] = f"tts_{code}"
        return aliases


def _submitted(query: QueryDict) -> bool:
    return any(key not in DISPLAY_PARAMETERS for key in query)


def _canonical_query(query: QueryDict, supplier_ids: Sequence[int]) -> str:
    """The query with the added supplier folded into `suppliers` and empty fields left out."""
    canonical = QueryDict(mutable=True)
    for key, values in query.lists():
        if key in {"suppliers", "supplier"}:
            continue
        for value in values:
            if value.strip():
                canonical.appendlist(key, value)
    if supplier_ids:
        canonical["suppliers"] = ",".join(str(pk) for pk in supplier_ids)
    return str(canonical.urlencode())


def _bars(losses: Sequence[scenario_tables.CategoryLoss]) -> dict[str, Any]:
    """Geometry of the lost-volume-per-category picture (presentation attributes only, no inline styles)."""
    rows = []
    for position, loss in enumerate(losses):
        y = position * (BAR_HEIGHT + BAR_GAP)
        width = max(loss.fraction_of_largest * BAR_MAX_WIDTH, 1.0) if loss.lost > 0 else 0.0
        rows.append(
            {
                "loss": loss,
                "y": y,
                "text_y": y + BAR_HEIGHT - 4,
                "width": round(width, 1),
                "value_x": round(BAR_LABEL_WIDTH + width + 6, 1),
            }
        )
    return {
        "rows": rows,
        "label_width": BAR_LABEL_WIDTH,
        "label_x": BAR_LABEL_WIDTH - 8,
        "bar_height": BAR_HEIGHT,
        "width": BAR_LABEL_WIDTH + BAR_MAX_WIDTH + 70,
        "height": max(len(rows) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT),
    }


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _where(organisation: scenario_tables.Organisation) -> str:
    marks = [_("domestic") if organisation.domestic else _("foreign")]
    if organisation.in_park:
        marks.append(_("in the park"))
    return ", ".join(marks)


def export_tables(
    result: scenario_tables.Outcome, scenario: Scenario, demo: bool
) -> list[tuple[str, list[str], list[list[Any]]]]:
    """The scenario's assumptions and both tables, for CSV and XLSX: (sheet title, header, rows)."""
    about: list[list[Any]] = [
        [_("Taken out"), "; ".join(f"{o.name} (#{o.id})" for o in result.taken_out)],
        [_("Default re-qualification days (TTR)"), scenario.default_requalification_days],
        [_("Default inventory days (TTS)"), scenario.default_inventory_days],
        *[
            [_("Re-qualification days: %(category)s") % {"category": code}, days]
            for code, days in scenario.requalification_days.items()
        ],
        *[
            [_("Inventory days: %(category)s") % {"category": code}, days]
            for code, days in scenario.inventory_days.items()
        ],
        [_("Lost volume (buyer-category volumes)"), round(result.total_lost, 4)],
    ]
    if demo:
        about.insert(0, [_("Demo data"), _("Figures computed from generated demo data, not real.")])
    hits_header = [
        _("Buyer id"),
        _("Buyer"),
        _("Chip category"),
        _("Share lost (%)"),
        _("Left without supplier"),
        _("Buyer taken out too"),
        _("Alternatives must hold"),
        _("Qualified alternatives"),
    ]
    hits = [
        [
            hit.buyer.id,
            hit.buyer.name,
            hit.category_name,
            round(hit.lost_share * 100, 2),
            _yes_no(hit.left_without_supplier),
            _yes_no(hit.buyer_taken_out),
            hit.requirement,
            "; ".join(
                f"{a.organisation.name} (#{a.organisation.id}, {a.qualification}, {_where(a.organisation)})"
                for a in hit.alternatives
            ),
        ]
        for hit in result.hits
    ]
    links_header = [
        _("Supplier id"),
        _("Supplier"),
        _("Buyer id"),
        _("Buyer"),
        _("Chip category"),
        _("Share of the buyer's volume (%)"),
        _("Time to recover (days)"),
        _("Time to survive (days)"),
        _("Exposed"),
    ]
    links = [
        [
            link.supplier.id,
            link.supplier.name,
            link.buyer.id,
            link.buyer.name,
            link.category_name,
            round(link.effective_share * 100, 2),
            link.ttr_days,
            link.tts_days,
            _yes_no(link.exposed),
        ]
        for link in result.links
    ]
    return [
        (_("Scenario"), [_("Assumption"), _("Value")], about),
        (_("Who is hit"), hits_header, hits),
        (_("Lost links"), links_header, links),
    ]


def _export(fmt: str, result: scenario_tables.Outcome, scenario: Scenario, demo: bool) -> HttpResponse:
    tables = export_tables(result, scenario, demo)
    body = csv_bytes((header, rows) for _title, header, rows in tables) if fmt == "csv" else xlsx_bytes(tables)
    response = HttpResponse(body, content_type=EXPORT_FORMATS[fmt])
    name = "disruption-scenario-demo" if demo else "disruption-scenario"
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


class _Names:
    """Reads organisations' names once: the ids a result mentions plus the suppliers the form names."""

    def __init__(self, extra: Collection[int]) -> None:
        self.extra = set(extra)
        self.found: scenario_tables.Names = {}

    def __call__(self, ids: Collection[int]) -> scenario_tables.Names:
        self.found = selectors.organisation_names(ids=set(ids) | self.extra)
        return self.found

    def selected(self) -> list[tuple[int, str]]:
        return [(pk, self.found.get(pk, (f"#{pk}", False))[0]) for pk in sorted(self.extra)]


@login_required
@require_GET
def scenario(request: HttpRequest) -> HttpResponseBase:
    """The runner: the form, and below it what the scenario in the query string does to the chain."""
    _require_runner(request)
    fmt = request.GET.get("format")
    if fmt is not None and fmt not in EXPORT_FORMATS:
        raise Http404(_("No such export."))
    chain = selectors.chain_columns_load()
    context: dict[str, Any] = {
        "default_requalification_days": DEFAULT_REQUALIFICATION_DAYS,
        "default_inventory_days": DEFAULT_INVENTORY_DAYS,
        "demo": False,
        "empty": chain.n_links == 0,
    }
    if context["empty"]:
        return render(request, "reports/scenarios/runner.html", context)
    category_names = selectors.category_names()
    form = ScenarioForm(request.GET if _submitted(request.GET) else None, chain=chain, category_names=category_names)
    context["form"] = form
    if not form.is_bound:
        return render(request, "reports/scenarios/runner.html", context)
    valid = form.is_valid()
    names = _Names(form.selected_supplier_ids())
    if not valid:
        names([])
        context["selected"] = names.selected()
        return render(request, "reports/scenarios/runner.html", context, status=400)
    if form.cleaned_data.get("supplier"):
        # The picked name becomes an id in the address, so a shared link names the scenario exactly.
        return redirect(f"{request.path}?{_canonical_query(request.GET, form.selected_supplier_ids())}")
    try:
        scenario_ = form.scenario()
        qualifications = selectors.supplier_qualifications_load(chain)
        result = simulate(chain, qualifications, scenario_)
    except ChipTownError as error:
        show_problems(form, error, aliases=form.problem_aliases())
        names([])
        context["selected"] = names.selected()
        return render(request, "reports/scenarios/runner.html", context, status=400)
    export = fmt is not None
    show_all_hits = export or bool(request.GET.get("all_hits"))
    show_all_links = export or bool(request.GET.get("all_links"))
    outcome = scenario_tables.outcome(
        chain,
        qualifications,
        result,
        names=names,
        category_names=category_names,
        hit_limit=None if show_all_hits else TABLE_CAP,
        link_limit=None if show_all_links else TABLE_CAP,
    )
    demo = selectors.registry_has_demo()
    if fmt is not None:
        return _export(fmt, outcome, scenario_, demo)
    context.update(
        demo=demo,
        selected=names.selected(),
        scenario=scenario_,
        outcome=outcome,
        bars=_bars(outcome.losses_by_category),
        show_all_hits=show_all_hits,
        show_all_links=show_all_links,
    )
    return render(request, "reports/scenarios/runner.html", context)


def demo_scenario_url() -> str:
    """The runner's address for the demo's most telling scenario: the top chokepoint taken out (the bare page
    when the chain has no links). For `make demo` to print."""
    page = reverse("reports:scenario")
    chain = selectors.chain_columns_load()
    if chain.n_links == 0:
        return page
    top = analytics.chokepoints(chain, top=1)
    if not len(top.organisation_id):
        return page
    return f"{page}?suppliers={int(top.organisation_id[0])}"


urlpatterns: list[URLPattern] = [
    path("scenarios/", scenario, name="scenario"),
]
