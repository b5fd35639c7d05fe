"""/api/v1/reports analyses endpoints on the hand-worked chain of conftest.py: shapes, figures, refusals, errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from chiptown.accounts.models import User
from chiptown.core.models import AuditEntry
from chiptown.reports.models import BillOfMaterials
from tests.factories import SupplyLinkFactory, category
from tests.reports.conftest import HandChain

pytestmark = pytest.mark.django_db

API = "/api/v1/reports"
READS = ["/localisation", "/concentration", "/single-sources", "/chokepoints", "/attraction", "/outlook", "/boms"]


def send(client: Client, method: str, path: str, body: Any) -> Any:
    return getattr(client, method)(f"{API}{path}", data=json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("path", READS)
def test_reads_need_an_operator(path: str, client: Client, rep_client: Client, stranger_client: Client) -> None:
    assert client.get(f"{API}{path}").status_code == 401
    refused = rep_client.get(f"{API}{path}")
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"
    assert stranger_client.get(f"{API}{path}").status_code == 403


def test_writes_need_an_operator(rep_client: Client, client: Client) -> None:
    body = {"name_en": "X", "counts": {"power": 1}}
    assert send(client, "post", "/boms", body).status_code == 401
    assert send(rep_client, "post", "/boms", body).status_code == 403
    assert BillOfMaterials.objects.count() == 0


@pytest.mark.parametrize("path", ["/localisation", "/concentration", "/single-sources", "/chokepoints", "/attraction"])
def test_reads_on_an_empty_registry(path: str, operator_client: Client) -> None:
    response = operator_client.get(f"{API}{path}")
    assert response.status_code == 200
    assert response.json()["is_demo"] is False


def test_localisation(operator_client: Client, hand_chain: HandChain, hand_bom: BillOfMaterials) -> None:
    body = operator_client.get(f"{API}/localisation").json()
    control = body["categories"][0]
    assert control == {
        "code": "control",
        "name": "Control chips",
        "links": 3,
        "buyers": 2,
        "domestic_by_links": pytest.approx(1 / 3),
        "in_park_by_links": pytest.approx(1 / 3),
        "domestic_by_volume": pytest.approx(0.3),
        "in_park_by_volume": pytest.approx(0.3),
    }
    memory = next(c for c in body["categories"] if c["code"] == "memory")
    assert memory["domestic_by_volume"] is None
    vehicle = body["vehicle"]
    assert vehicle["bom_id"] == hand_bom.pk
    assert vehicle["domestic_rate"] == pytest.approx(0.825)
    assert vehicle["in_park_rate"] == pytest.approx(0.075)
    assert [(c["code"], c["weight"]) for c in vehicle["categories"]] == [("control", 0.25), ("power", 0.75)]
    assert vehicle["no_data"] == ["memory"]
    assert (vehicle["chips_counted"], vehicle["chips_without_data"], vehicle["error"]) == (40.0, 5.0, "")


def test_localisation_without_bills_of_materials_and_with_an_unknown_one(
    operator_client: Client, hand_chain: HandChain
) -> None:
    assert operator_client.get(f"{API}/localisation").json()["vehicle"] is None
    missing = operator_client.get(f"{API}/localisation", {"bom": 999})
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_concentration(operator_client: Client, hand_chain: HandChain) -> None:
    body = operator_client.get(f"{API}/concentration").json()
    assert (body["hhi_high"], body["hhi_moderate"]) == (1800.0, 1000.0)
    assert "Merger Guidelines" in body["hhi_source"]
    control, power = body["categories"][0], next(c for c in body["categories"] if c["code"] == "power")
    assert (round(control["hhi"]), control["suppliers"], control["band"]) == (5800, 2, "high")
    assert (round(power["hhi"]), power["band"]) == (10000, "high")
    assert (body["single_source_pairs"], body["foreign_single_source_pairs"]) == (2, 1)


def test_single_sources_page_and_filters(operator_client: Client, hand_chain: HandChain) -> None:
    tier, fremd, bravo = hand_chain.tier, hand_chain.fremd, hand_chain.bravo
    body = operator_client.get(f"{API}/single-sources").json()
    assert body["count"] == 2
    assert body["items"][0] == {
        "buyer_id": tier.pk,
        "buyer_name": "Tier One Systems",
        "buyer_in_park": True,
        "category": "control",
        "category_name": "Control chips",
        "supplier_id": fremd.pk,
        "supplier_name": "Fremd GmbH",
        "foreign": True,
    }
    second = operator_client.get(f"{API}/single-sources", {"limit": 1, "offset": 1}).json()
    assert (second["count"], [i["supplier_id"] for i in second["items"]]) == (2, [bravo.pk])
    beyond = operator_client.get(f"{API}/single-sources", {"offset": 10}).json()
    assert (beyond["count"], beyond["items"]) == (2, [])
    foreign = operator_client.get(f"{API}/single-sources", {"foreign_only": "true"}).json()
    assert [i["supplier_id"] for i in foreign["items"]] == [fremd.pk]
    power = operator_client.get(f"{API}/single-sources", {"category": "power", "in_park_buyers_only": "true"}).json()
    assert [i["supplier_id"] for i in power["items"]] == [bravo.pk]


def test_single_sources_refuse_bad_parameters(operator_client: Client, hand_chain: HandChain) -> None:
    unknown = operator_client.get(f"{API}/single-sources", {"category": "warp_drive"})
    assert unknown.status_code == 400
    assert unknown.json()["problems"] == [{"reason": "Unknown chip category.", "row": None, "column": "category"}]
    too_many = operator_client.get(f"{API}/single-sources", {"limit": 501})
    assert too_many.status_code == 422
    assert [p["column"] for p in too_many.json()["problems"]] == ["limit"]


def test_single_sources_cost_the_same_queries_for_more_rows(
    operator_client: Client, hand_chain: HandChain, django_assert_max_num_queries: Any
) -> None:
    for _n in range(30):
        SupplyLinkFactory(supplier=hand_chain.alpha, category=category("sensing"), share=None)
    with django_assert_max_num_queries(8):
        body = operator_client.get(f"{API}/single-sources", {"limit": 20}).json()
    assert (body["count"], len(body["items"])) == (32, 20)


def test_chokepoints(operator_client: Client, hand_chain: HandChain) -> None:
    body = operator_client.get(f"{API}/chokepoints", {"top": 2}).json()
    assert body["items"] == [
        {
            "rank": 1,
            "organisation_id": hand_chain.fremd.pk,
            "name": "Fremd GmbH",
            "total_lost": pytest.approx(1.4),
            "pairs_without_supplier": 1,
            "buyers_hit": 2,
            "domestic": False,
            "in_park": False,
        },
        {
            "rank": 2,
            "organisation_id": hand_chain.bravo.pk,
            "name": "Bravo Power",
            "total_lost": pytest.approx(1.0),
            "pairs_without_supplier": 1,
            "buyers_hit": 1,
            "domestic": True,
            "in_park": False,
        },
    ]
    assert operator_client.get(f"{API}/chokepoints", {"top": 0}).status_code == 422


def test_attraction(operator_client: Client, hand_chain: HandChain) -> None:
    gaps = operator_client.get(f"{API}/attraction").json()["gaps"]
    assert [(g["kind"], g["category"], [b["name"] for b in g["buyers"]]) for g in gaps] == [
        ("outside_park", "control", ["Tier One Systems"]),
        ("outside_park", "power", ["Tier One Systems"]),
        ("outside_country", "control", ["Tier One Systems"]),
    ]
    first = gaps[0]
    assert (first["in_park_buyers"], first["whole_category"], first["links"], first["volume"]) == (2, False, 1, 1.0)
    (candidate,) = first["candidates"]
    assert (candidate["organisation_id"], candidate["score"], candidate["domestic"]) == (
        hand_chain.fremd.pk,
        33.0,
        False,
    )
    assert candidate["reasons"][0].startswith("2 of its 2 supply links are in Control chips: 25 points for focus.")


def test_outlook_defaults(operator_client: Client) -> None:
    body = operator_client.get(f"{API}/outlook").json()
    assert len(body["forecast"]) == 5
    assert body["forecast"][0]["year"] == body["history"][-1]["year"] + 1
    assert body["level"] == 0.95
    assert all(h["source"] for h in body["history"])
    first = body["forecast"][0]
    assert first["lower_units"] <= first["units"] <= first["upper_units"] <= first["market_units"]
    names = [a["name"] for a in body["assumptions"]]
    assert names[:2] == ["chips_per_vehicle_low", "chips_per_vehicle_high"]
    assert "market_growth" in names
    assert len(body["demand"]) == 5 * sum(1 for n in names if n.startswith("category_mix."))


def test_outlook_with_edited_assumptions(operator_client: Client) -> None:
    body = operator_client.get(
        f"{API}/outlook", {"chips_per_vehicle_low": "1000", "chips_per_vehicle_high": "1000"}
    ).json()
    values = {a["name"]: a["value"] for a in body["assumptions"]}
    assert (values["chips_per_vehicle_low"], values["chips_per_vehicle_central"]) == ("1000", "1000")
    year = body["forecast"][0]
    central = sum(d["chips_central"] for d in body["demand"] if d["year"] == year["year"])
    assert central == pytest.approx(year["units"] * 1000)


@pytest.mark.parametrize(
    ("query", "columns"),
    [
        ({"market_growth": "fast"}, ["market_growth"]),
        ({"market_growth": "0.9"}, ["market_growth"]),
        ({"mix_control": "-0.1"}, ["mix_control"]),
        ({"mix_control": "0.5"}, ["category_mix"]),
        ({"chips": "3"}, ["chips"]),
    ],
)
def test_outlook_refuses_bad_assumptions(operator_client: Client, query: dict[str, str], columns: list[str]) -> None:
    response = operator_client.get(f"{API}/outlook", query)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "outlook_assumptions"
    assert [p["column"] for p in body["problems"]] == columns


def test_boms_list_create_update(operator: User, operator_client: Client, hand_bom: BillOfMaterials) -> None:
    listing = operator_client.get(f"{API}/boms").json()
    assert [(b["id"], b["name"], b["counts"], b["total_chips"], b["is_default"]) for b in listing] == [
        (hand_bom.pk, "Test car", {"control": 10.0, "power": 30.0, "memory": 5.0}, 45.0, True)
    ]
    created = send(
        operator_client,
        "post",
        "/boms",
        {"name_en": "Van", "name_zh": "货车", "counts": {"power": 7}, "source": "Guess.", "is_default": True},
    )
    assert created.status_code == 201
    van = BillOfMaterials.objects.get(name_en="Van")
    assert created.json()["id"] == van.pk
    assert (van.counts, van.is_default, van.source) == ({"power": 7.0}, True, "Guess.")
    hand_bom.refresh_from_db()
    assert hand_bom.is_default is False
    updated = send(operator_client, "put", f"/boms/{van.pk}", {"name_en": "Van", "counts": {"memory": 2}})
    assert updated.status_code == 200
    van.refresh_from_db()
    assert (van.counts, van.is_default) == ({"memory": 2.0}, False)
    assert operator_client.get(f"{API}/boms/{van.pk}").json()["counts"] == {"memory": 2.0}
    assert AuditEntry.objects.filter(action="reports.bom_save", actor=operator).count() == 2


def test_bom_problems_are_named_by_category_and_nothing_is_saved(
    operator_client: Client, hand_bom: BillOfMaterials
) -> None:
    response = send(
        operator_client, "post", "/boms", {"name_en": "Bad", "counts": {"control": -1, "power": "x", "warp": 1}}
    )
    assert response.status_code == 400
    assert [(p["column"], p["reason"]) for p in response.json()["problems"]] == [
        ("control", "A chip count cannot be negative."),
        ("power", "Not a number."),
        ("warp", "“warp” is not a chip category."),
    ]
    zero = send(operator_client, "put", f"/boms/{hand_bom.pk}", {"name_en": "Zero", "counts": {"control": 0}})
    assert zero.status_code == 400
    assert zero.json()["problems"][0]["column"] == "counts"
    assert BillOfMaterials.objects.count() == 1
    hand_bom.refresh_from_db()
    assert hand_bom.name_en == "Test car"
    missing = send(operator_client, "put", "/boms/999", {"name_en": "X", "counts": {"power": 1}})
    assert missing.status_code == 404
