"""/api/v1/reports endpoints: scenarios (the disruption runner on live registry data, operators only).

POST /scenarios takes what to take out and the times to assume, and answers with the summary, the (buyer,
category) pairs hit with their qualified alternatives, and the lost links (time to recover against time to
survive, exposed first), each with names. What only the chain can judge (an unknown supplier, province or
country, negative days, nothing taken out) is a 400 whose problems name the field.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from chiptown.core.api import write_auth
from chiptown.core.rules import require
from chiptown.reports import scenario_tables, selectors
from chiptown.reports.scenarios import (
    DEFAULT_ALTERNATIVES,
    DEFAULT_INVENTORY_DAYS,
    DEFAULT_REQUALIFICATION_DAYS,
    Scenario,
    simulate,
)

router = Router(tags=["reports"])

# Finite numbers only: an infinite number of days would be no assumption at all (and not valid JSON back).
Days = Annotated[float, Field(allow_inf_nan=False)]
MAX_ROWS = 100_000


class ScenarioIn(Schema):
    suppliers: list[int] = Field(default_factory=list, max_length=10_000, description="Organisation ids taken out.")
    province: str | None = Field(None, max_length=64, description="Every organisation in this province is out.")
    country: str | None = Field(None, max_length=8, description="Every organisation in this country (ISO code).")
    default_requalification_days: Days = Field(
        DEFAULT_REQUALIFICATION_DAYS, description="Time to recover (TTR) when no qualified supplier is left."
    )
    default_inventory_days: Days = Field(DEFAULT_INVENTORY_DAYS, description="Time to survive (TTS): stock held.")
    requalification_days: dict[str, Days] = Field(default_factory=dict, description="TTR per chip category code.")
    inventory_days: dict[str, Days] = Field(default_factory=dict, description="TTS per chip category code.")
    inventory_days_by_buyer: dict[int, Days] = Field(default_factory=dict, description="TTS per buyer id.")
    alternatives: int = Field(DEFAULT_ALTERNATIVES, ge=1, le=50, description="Alternatives listed per pair hit.")
    limit: int | None = Field(None, ge=1, le=MAX_ROWS, description="At most this many pairs and links (all if absent).")


class OrganisationOut(Schema):
    id: int
    name: str
    is_demo: bool
    domestic: bool
    in_park: bool


class AlternativeOut(OrganisationOut):
    aec_q100: str = Field(description='AEC-Q100 grade "0".."3" in the category, "" when none.')
    asil: str = Field(description='ISO 26262 level "QM", "A".."D" in the category, "" when none.')


class HitOut(Schema):
    buyer: OrganisationOut
    category: str
    category_name: str
    lost_share: float = Field(description="Share of the buyer's whole volume in the category lost, 0..1.")
    left_without_supplier: bool
    buyer_taken_out: bool
    requirement: str = Field(description="The qualification an alternative must hold, in words.")
    alternatives: list[AlternativeOut]


class LinkOut(Schema):
    supplier: OrganisationOut
    buyer: OrganisationOut
    category: str
    category_name: str
    effective_share: float
    ttr_days: float
    tts_days: float
    exposed: bool


class SummaryOut(Schema):
    taken_out: list[OrganisationOut]
    suppliers_taken_out: int
    buyers_hit: int
    buyers_hit_in_park: int
    total_lost: float = Field(description="Lost volume in buyer-category volumes (1.0 = one buyer's whole volume).")
    pairs_without_supplier: int
    links_lost: int
    links_exposed: int
    hits_total: int
    links_total: int


class AssumptionsOut(Schema):
    default_requalification_days: float
    default_inventory_days: float
    requalification_days: dict[str, float]
    inventory_days: dict[str, float]
    inventory_days_by_buyer: dict[int, float]


class ScenarioOut(Schema):
    demo: bool = Field(description="True when the registry holds generated demo data: the figures are not real.")
    assumptions: AssumptionsOut
    summary: SummaryOut
    cells: list[HitOut]
    links: list[LinkOut]


def _organisation(organisation: scenario_tables.Organisation) -> dict[str, Any]:
    return {
        "id": organisation.id,
        "name": organisation.name,
        "is_demo": organisation.is_demo,
        "domestic": organisation.domestic,
        "in_park": organisation.in_park,
    }


@router.post("/scenarios", response=ScenarioOut, auth=write_auth, tags=["scenarios"])
def scenario_run(request: HttpRequest, payload: ScenarioIn) -> Any:
    require(
        request.user, "reports.run_scenario", None, _("Only the programme's operators may run disruption scenarios.")
    )
    chain = selectors.chain_columns_load()
    scenario = Scenario(
        suppliers=frozenset(payload.suppliers),
        province=payload.province or None,
        country=payload.country or None,
        requalification_days=payload.requalification_days,
        inventory_days=payload.inventory_days,
        inventory_days_by_buyer=payload.inventory_days_by_buyer,
        default_requalification_days=payload.default_requalification_days,
        default_inventory_days=payload.default_inventory_days,
        alternatives=payload.alternatives,
    )
    qualifications = selectors.supplier_qualifications_load(chain)
    result = simulate(chain, qualifications, scenario)
    outcome = scenario_tables.outcome(
        chain,
        qualifications,
        result,
        names=lambda ids: selectors.organisation_names(ids=ids),
        category_names=selectors.category_names(),
        hit_limit=payload.limit,
        link_limit=payload.limit,
    )
    return {
        "demo": selectors.registry_has_demo(),
        "assumptions": {
            "default_requalification_days": scenario.default_requalification_days,
            "default_inventory_days": scenario.default_inventory_days,
            "requalification_days": dict(scenario.requalification_days),
            "inventory_days": dict(scenario.inventory_days),
            "inventory_days_by_buyer": dict(scenario.inventory_days_by_buyer),
        },
        "summary": {
            "taken_out": [_organisation(o) for o in outcome.taken_out],
            "suppliers_taken_out": outcome.suppliers_taken_out,
            "buyers_hit": outcome.buyers_hit,
            "buyers_hit_in_park": outcome.buyers_hit_in_park,
            "total_lost": outcome.total_lost,
            "pairs_without_supplier": outcome.pairs_without_supplier,
            "links_lost": outcome.links_lost,
            "links_exposed": outcome.links_exposed,
            "hits_total": outcome.hits_total,
            "links_total": outcome.links_total,
        },
        "cells": [
            {
                "buyer": _organisation(hit.buyer),
                "category": hit.category,
                "category_name": hit.category_name,
                "lost_share": hit.lost_share,
                "left_without_supplier": hit.left_without_supplier,
                "buyer_taken_out": hit.buyer_taken_out,
                "requirement": hit.requirement,
                "alternatives": [
                    {**_organisation(a.organisation), "aec_q100": a.aec_q100, "asil": a.asil} for a in hit.alternatives
                ],
            }
            for hit in outcome.hits
        ],
        "links": [
            {
                "supplier": _organisation(link.supplier),
                "buyer": _organisation(link.buyer),
                "category": link.category,
                "category_name": link.category_name,
                "effective_share": link.effective_share,
                "ttr_days": link.ttr_days,
                "tts_days": link.tts_days,
                "exposed": link.exposed,
            }
            for link in outcome.links
        ],
    }
