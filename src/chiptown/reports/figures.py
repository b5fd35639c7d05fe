"""Every figure of the annual report, computed from a data snapshot alone (no database): a plain JSON-able dict per
language that the HTML and PDF are rendered from and that a published edition keeps for good.

Numbers are the same in every language; what differs is the text that comes with them (names, labels, the
reasons a candidate is ranked, the outlook's assumptions). Missing values (a category without data) are None.
`figures_build` runs in the active language; `figures_build_all` runs it once per language of the site.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection
from typing import Any

import numpy as np
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from chiptown.core.errors import ChipTownError
from chiptown.reports import analytics, attraction, outlook, scenario_tables, scenarios
from chiptown.reports.snapshots import chain_from, profiles_from, snapshot_is_demo

FORMAT = 1
TOP_CHOKEPOINTS = 10
TOP_SINGLE_SOURCES = 25
TOP_SCENARIO_CELLS = 10
TOP_GAPS = 8
TOP_CANDIDATES = 5
# HHI bands of the 2023 US Merger Guidelines (DOJ/FTC): above 1,800 highly concentrated, 1,000-1,800 moderately.
HHI_HIGH = 1800.0
HHI_MODERATE = 1000.0
HHI_SOURCE = "U.S. Department of Justice and Federal Trade Commission, Merger Guidelines (2023), section 2.1"


def _number(value: Any, digits: int = 4) -> float | None:
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else round(number, digits)


def hhi_band(hhi: float | None) -> str:
    """ "high" above HHI_HIGH, "moderate" from HHI_MODERATE, "low" below, "none" without data."""
    if hhi is None:
        return "none"
    return "high" if hhi > HHI_HIGH else "moderate" if hhi >= HHI_MODERATE else "low"


class _Names:
    """Organisation and category names from the snapshot, in the active language (falling back to the other)."""

    def __init__(self, snapshot: dict[str, Any]) -> None:
        chinese = (translation.get_language() or "").startswith("zh")
        organisations = snapshot["organisations"]
        first, second = ("name_zh", "name_en") if chinese else ("name_en", "name_zh")
        self.organisations = [a or b for a, b in zip(organisations[first], organisations[second], strict=True)]
        self.categories = {c["code"]: (c[first] or c[second]) for c in snapshot["categories"]}
        self.is_demo = organisations["is_demo"]
        self.index = {int(pk): i for i, pk in enumerate(snapshot["chain"]["organisation_ids"])}

    def named(self, ids: Collection[int]) -> dict[int, tuple[str, bool]]:
        """Name and demo flag per database id, as `scenario_tables.outcome` takes them."""
        return {pk: (self.organisations[self.index[pk]], bool(self.is_demo[self.index[pk]])) for pk in ids}

    def category(self, code: str) -> str:
        return self.categories.get(code, code)


def _stages(snapshot: dict[str, Any], chain: analytics.ChainColumns) -> tuple[list[dict[str, Any]], list[Any]]:
    from chiptown.registry.views import STAGE_LABELS

    stage = np.asarray(snapshot["organisations"]["stage"], dtype=np.int64)
    rows = []
    for number, label in STAGE_LABELS.items():
        members = stage == number
        in_park = members & chain.in_park
        domestic = members & chain.domestic & ~chain.in_park
        rows.append(
            {
                "stage": number,
                "label": str(label),
                "organisations": int(members.sum()),
                "in_park": int(in_park.sum()),
                "domestic": int(domestic.sum()),
                "foreign": int((members & ~chain.domestic).sum()),
            }
        )
    flows = Counter(zip(stage[chain.supplier].tolist(), stage[chain.buyer].tolist(), strict=True))
    flow_rows = [{"from": a, "to": b, "links": n} for (a, b), n in sorted(flows.items())]
    return rows, flow_rows


def _vehicle(snapshot: dict[str, Any], chain: analytics.ChainColumns, names: _Names) -> dict[str, Any] | None:
    bom = snapshot.get("bom")
    if not bom:
        return None
    chinese = (translation.get_language() or "").startswith("zh")
    name = (bom["name_zh"] or bom["name_en"]) if chinese else (bom["name_en"] or bom["name_zh"])
    try:
        result = analytics.vehicle_localisation(chain, bom["counts"])
    except ChipTownError as exc:
        return {"name": name, "source": bom["source"], "error": exc.message}
    return {
        "name": name,
        "vehicle_type": bom["vehicle_type"],
        "source": bom["source"],
        "domestic_rate": result.domestic_rate,
        "in_park_rate": result.in_park_rate,
        "chips_counted": result.chips_counted,
        "chips_without_data": result.chips_without_data,
        "no_data": [names.category(code) for code in result.no_data],
        "categories": [
            {
                "code": rate.category_code,
                "name": names.category(rate.category_code),
                "chips": rate.chips_per_vehicle,
                "weight": _number(rate.weight),
                "domestic": _number(rate.domestic_by_volume),
                "in_park": _number(rate.in_park_by_volume),
            }
            for rate in result.categories
        ],
    }


def _scenario_summary(
    key: str,
    title: str,
    description: str,
    result: scenarios.ScenarioResult,
    chain: analytics.ChainColumns,
    qualifications: scenarios.SupplierQualifications,
    names: _Names,
) -> dict[str, Any]:
    table = scenario_tables.outcome(
        chain,
        qualifications,
        result,
        names=names.named,
        category_names=names.categories,
        hit_limit=TOP_SCENARIO_CELLS,
        link_limit=0,
    )
    return {
        "key": key,
        "title": title,
        "description": description,
        "suppliers_taken_out": table.suppliers_taken_out,
        "buyers_hit": table.buyers_hit,
        "in_park_buyers_hit": table.buyers_hit_in_park,
        "total_lost": _number(table.total_lost, 3),
        "pairs_without_supplier": table.pairs_without_supplier,
        "links_lost": table.links_lost,
        "links_exposed": table.links_exposed,
        "cells": [
            {
                "buyer": hit.buyer.name,
                "category": hit.category_name,
                "lost_share": _number(hit.lost_share),
                "left_without_supplier": hit.left_without_supplier,
                "alternatives": [alternative.organisation.name for alternative in hit.alternatives],
            }
            for hit in table.hits
        ],
    }


def _scenarios(
    snapshot: dict[str, Any], chain: analytics.ChainColumns, names: _Names, ranked: analytics.Chokepoints
) -> list[dict[str, Any]]:
    if not chain.n_links:
        return []
    qualifications = profiles_from(snapshot, chain).qualifications
    found = []
    if len(ranked):
        top = int(ranked.supplier[0])
        result = scenarios.simulate(
            chain, qualifications, scenarios.Scenario(suppliers=frozenset({int(chain.organisation_ids[top])}))
        )
        found.append(
            _scenario_summary(
                "top_chokepoint",
                _("%(supplier)s fails") % {"supplier": names.organisations[top]},
                _("The supplier whose loss would cost the most volume stops delivering."),
                result,
                chain,
                qualifications,
                names,
            )
        )
    if len(ranked) >= 3:
        ids = frozenset(int(chain.organisation_ids[s]) for s in ranked.supplier[:3].tolist())
        result = scenarios.simulate(chain, qualifications, scenarios.Scenario(suppliers=ids))
        found.append(
            _scenario_summary(
                "top_three",
                _("The three largest chokepoints fail together"),
                _("A shared shock (a fab fire, a sanctions list) takes out the three riskiest suppliers at once."),
                result,
                chain,
                qualifications,
                names,
            )
        )
    foreign = chain.country[chain.supplier][~chain.domestic[chain.supplier]]
    if foreign.size:
        country = chain.country_labels[int(np.bincount(foreign).argmax())]
        result = scenarios.simulate(chain, qualifications, scenarios.Scenario(country=country))
        found.append(
            _scenario_summary(
                "top_foreign_country",
                _("No deliveries from %(country)s") % {"country": country},
                _("Export controls stop every supplier in the foreign country the chain buys from most."),
                result,
                chain,
                qualifications,
                names,
            )
        )
    return found


def _attraction(snapshot: dict[str, Any], chain: analytics.ChainColumns, names: _Names) -> list[dict[str, Any]]:
    profiles = profiles_from(snapshot, chain)
    chosen = sorted(attraction.gaps(chain), key=lambda gap: (-gap.volume, gap.kind, gap.category))[:TOP_GAPS]
    rows = []
    for gap in chosen:
        rows.append(
            {
                "kind": gap.kind,
                "code": gap.category_code,
                "name": names.category(gap.category_code),
                "buyers": len(gap.buyers),
                "in_park_buyers": gap.in_park_buyers,
                "volume": _number(gap.volume, 3),
                "whole_category": gap.whole_category,
                "candidates": [
                    {
                        "name": names.organisations[c.supplier],
                        "score": _number(c.score, 1),
                        "domestic": c.domestic,
                        "country": chain.country_labels[int(chain.country[c.supplier])],
                        "reasons": list(c.reasons),
                    }
                    for c in attraction.candidates(
                        chain, profiles, gap, top=TOP_CANDIDATES, category_name=names.category(gap.category_code)
                    )
                ],
            }
        )
    return rows


def _outlook(snapshot: dict[str, Any], names: _Names) -> dict[str, Any]:
    history = [(int(y), None if u is None else float(u), str(s)) for y, u, s in snapshot["nev_sales"]]
    assumptions = outlook.OutlookAssumptions()
    try:
        forecast = outlook.forecast_nev_sales(history, assumptions=assumptions)
    except ChipTownError as exc:
        return {"error": exc.message, "history": [{"year": y, "units": u, "source": s} for y, u, s in history]}
    demand = outlook.chip_demand(forecast, assumptions=assumptions)
    last = forecast.years[-1].year if forecast.years else None
    return {
        "level": forecast.level,
        "method": forecast.method,
        "caveat": forecast.caveat,
        "history": [{"year": h.year, "units": h.units, "source": h.source} for h in forecast.history],
        "forecast": [
            {
                "year": y.year,
                "units": round(y.units),
                "lower": round(y.lower_units),
                "upper": round(y.upper_units),
                "share": _number(y.share),
                "lower_share": _number(y.lower_share),
                "upper_share": _number(y.upper_share),
            }
            for y in forecast.years
        ],
        "demand_year": last,
        "demand": [
            {
                "code": row.category,
                "name": names.category(row.category),
                "share": _number(row.share),
                "low": round(row.chips_low),
                "central": round(row.chips_central),
                "high": round(row.chips_high),
            }
            for row in demand
            if row.year == last
        ],
        "assumptions": [{"name": a.name, "value": a.value, "source": a.source} for a in assumptions.describe()],
    }


# The headline figures compared with the previous edition: key, label, and how to read them ("share" or "count").
def _headline_labels() -> dict[str, tuple[str, str]]:
    return {
        "organisations": (_("Organisations in the registry"), "count"),
        "in_park": (_("Organisations in the park"), "count"),
        "links_counted": (_("Supply links in mass production"), "count"),
        "domestic_by_links": (_("Domestic share of supply links"), "share"),
        "in_park_by_links": (_("In-park share of supply links"), "share"),
        "vehicle_domestic_rate": (_("Localisation rate of a whole vehicle (domestic)"), "share"),
        "vehicle_in_park_rate": (_("Localisation rate of a whole vehicle (in the park)"), "share"),
        "single_source_pairs": (_("Buyer-category pairs with a single supplier"), "count"),
        "foreign_single_source_pairs": (_("… of which the single supplier is foreign"), "count"),
        "highly_concentrated_categories": (_("Highly concentrated categories (HHI above 1,800)"), "count"),
    }


def _changes(headline: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any] | None:
    if not previous:
        return None
    before = previous.get("headline") or {}
    rows = []
    for key, (label, kind) in _headline_labels().items():
        a, b = before.get(key), headline.get(key)
        rows.append(
            {
                "key": key,
                "label": label,
                "kind": kind,
                "before": a,
                "after": b,
                "change": None if a is None or b is None else round(b - a, 4),
            }
        )
    category_rows = []
    previous_rates = {row["code"]: row for row in previous.get("localisation", [])}
    for row in headline.get("_localisation", []):
        old = previous_rates.get(row["code"])
        a = old["domestic_by_volume"] if old else None
        b = row["domestic_by_volume"]
        category_rows.append(
            {
                "name": row["name"],
                "before": a,
                "after": b,
                "change": None if a is None or b is None else round(b - a, 4),
            }
        )
    return {"previous_year": previous.get("year"), "rows": rows, "categories": category_rows}


def _methodology() -> list[str]:
    return [
        _(
            "Counted links: only supply links in mass production count. Evaluations and design wins carry no "
            "volume yet."
        ),
        _(
            "Shares: a link's share is its part of the buyer's volume in that category. Where some shares are "
            "unknown, the rest of the buyer's volume is split equally among the links without one."
        ),
        _(
            "Localisation by volume is the mean over a category's buyers of the domestic (or in-park) part of each "
            "buyer's volume; by links it is the domestic (or in-park) part of the category's links."
        ),
        _(
            "A whole vehicle's rate weighs each category's rate by its chips per vehicle in the bill of materials; "
            "categories without data are left out of the weights and listed."
        ),
        _(
            "Concentration is the Herfindahl-Hirschman index of the suppliers' shares of each category (0-10,000); "
            "above 1,800 is highly concentrated, 1,000-1,800 moderately (%(source)s)."
        )
        % {"source": HHI_SOURCE},
        _(
            "Chokepoints rank suppliers by the volume their buyers would lose if they failed, then by the buyer-"
            "category pairs left without any supplier; every supplier's failure is computed at once."
        ),
        _(
            "Scenarios take out suppliers, a province or a country. Alternatives make the same category with a "
            "qualification at least as strict (AEC-Q100 grade, ISO 26262 level). A lost link is exposed when its time "
            "to recover (re-qualification, %(ttr)s days by default) is longer than its time to survive (inventory, "
            "%(tts)s days by default), after Simchi-Levi's risk-exposure index."
        )
        % {"ttr": scenarios.DEFAULT_REQUALIFICATION_DAYS, "tts": scenarios.DEFAULT_INVENTORY_DAYS},
        _(
            "Investment attraction lists categories whose in-park buyers are supplied only from outside the park "
            "(or the country), and ranks companies elsewhere that make the category by fit: category, "
            "qualifications, scale and the buyers they already serve."
        ),
        _(
            "Every figure is computed from the data snapshot stored with this edition; its SHA-256 hash is printed "
            "on the cover, so the numbers can be recomputed and checked."
        ),
    ]


def figures_build(snapshot: dict[str, Any], *, sha256: str, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """The report's figures in the active language; `previous` is last edition's figures in the same language."""
    chain = chain_from(snapshot)
    names = _Names(snapshot)
    registry = snapshot["registry"]
    local = analytics.localisation(chain)
    concentration = analytics.concentration(chain)
    single = analytics.single_source(chain)
    failures = analytics.all_single_failures(chain)
    ranked = analytics.chokepoints(chain, top=TOP_CHOKEPOINTS, failures=failures)
    stages, flows = _stages(snapshot, chain)
    vehicle = _vehicle(snapshot, chain, names)

    localisation_rows = [
        {
            "code": code,
            "name": names.category(code),
            "links": int(local.links[i]),
            "buyers": int(local.buyers[i]),
            "domestic_by_links": _number(local.domestic_by_links[i]),
            "in_park_by_links": _number(local.in_park_by_links[i]),
            "domestic_by_volume": _number(local.domestic_by_volume[i]),
            "in_park_by_volume": _number(local.in_park_by_volume[i]),
        }
        for i, code in enumerate(chain.category_codes)
    ]
    concentration_rows = [
        {
            "code": code,
            "name": names.category(code),
            "hhi": _number(concentration.hhi[i], 0),
            "suppliers": int(concentration.suppliers[i]),
            "band": hhi_band(_number(concentration.hhi[i], 0)),
        }
        for i, code in enumerate(chain.category_codes)
    ]
    pairs_by_category = np.bincount(single.category, minlength=chain.n_categories)
    foreign_by_category = np.bincount(
        single.category, weights=single.foreign.astype(float), minlength=chain.n_categories
    )
    single_order = np.lexsort((single.buyer, ~chain.in_park[single.buyer], ~single.foreign))[:TOP_SINGLE_SOURCES]
    n_domestic = int(chain.domestic.sum())
    headline = {
        "organisations": chain.n_organisations,
        "in_park": int(chain.in_park.sum()),
        "links_counted": chain.n_links,
        "domestic_by_links": _number(chain.domestic[chain.supplier].mean()) if chain.n_links else None,
        "in_park_by_links": _number(chain.in_park[chain.supplier].mean()) if chain.n_links else None,
        "vehicle_domestic_rate": _number(vehicle["domestic_rate"])
        if vehicle and vehicle.get("domestic_rate") is not None
        else None,
        "vehicle_in_park_rate": _number(vehicle["in_park_rate"])
        if vehicle and vehicle.get("in_park_rate") is not None
        else None,
        "single_source_pairs": len(single),
        "foreign_single_source_pairs": int(single.foreign.sum()),
        "highly_concentrated_categories": sum(1 for row in concentration_rows if row["band"] == "high"),
    }
    figures: dict[str, Any] = {
        "format": FORMAT,
        "language": translation.get_language(),
        "year": snapshot["year"],
        "as_of": snapshot["as_of"],
        "taken_at": snapshot["taken_at"],
        "snapshot_sha256": sha256,
        "is_demo": snapshot_is_demo(snapshot),
        "empty": chain.n_links == 0,
        "registry": {
            "organisations": chain.n_organisations,
            "in_park": int(chain.in_park.sum()),
            "domestic": n_domestic,
            "foreign": chain.n_organisations - n_domestic,
            "links_counted": chain.n_links,
            "links_by_status": registry["links_by_status"],
            "products": registry["products"],
            "qualifications": registry["qualifications"],
            "categories": chain.n_categories,
            "suppliers": int(np.unique(chain.supplier).size),
            "buyers": int(np.unique(chain.buyer).size),
        },
        "headline": headline,
        "categories": [{"code": code, "name": names.category(code)} for code in chain.category_codes],
        "stages": stages,
        "stage_flows": flows,
        "localisation": localisation_rows,
        "vehicle": vehicle,
        "concentration": concentration_rows,
        "hhi_source": HHI_SOURCE,
        "single_sources": {
            "pairs": len(single),
            "foreign_pairs": int(single.foreign.sum()),
            "in_park_buyer_pairs": int(chain.in_park[single.buyer].sum()) if len(single) else 0,
            "by_category": [
                {
                    "code": code,
                    "name": names.category(code),
                    "pairs": int(pairs_by_category[i]),
                    "foreign": int(foreign_by_category[i]),
                }
                for i, code in enumerate(chain.category_codes)
            ],
            "rows": [
                {
                    "buyer": names.organisations[int(single.buyer[i])],
                    "buyer_in_park": bool(chain.in_park[single.buyer[i]]),
                    "category": names.category(chain.category_codes[int(single.category[i])]),
                    "supplier": names.organisations[int(single.supplier[i])],
                    "foreign": bool(single.foreign[i]),
                    "country": chain.country_labels[int(chain.country[single.supplier[i]])],
                }
                for i in single_order.tolist()
            ],
        },
        "chokepoints": [
            {
                "name": names.organisations[int(s)],
                "country": chain.country_labels[int(chain.country[s])],
                "domestic": bool(chain.domestic[s]),
                "in_park": bool(chain.in_park[s]),
                "total_lost": _number(ranked.total_lost[i], 3),
                "pairs_without_supplier": int(ranked.pairs_without_supplier[i]),
                "buyers_hit": int(ranked.buyers_hit[i]),
            }
            for i, s in enumerate(ranked.supplier.tolist())
        ],
        "scenarios": _scenarios(snapshot, chain, names, ranked),
        "attraction": _attraction(snapshot, chain, names),
        "outlook": _outlook(snapshot, names),
        "competition": snapshot.get("competition"),
        "conference": snapshot.get("conference"),
        "methodology": _methodology(),
    }
    figures["changes"] = _changes({**headline, "_localisation": localisation_rows}, previous)
    return figures


def figures_build_all(
    snapshot: dict[str, Any], *, sha256: str, previous: dict[str, dict[str, Any]] | None = None
) -> dict[str, dict[str, Any]]:
    """The figures in every language of the site, keyed by language code."""
    built = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            built[language] = figures_build(snapshot, sha256=sha256, previous=(previous or {}).get(language))
    return built
