"""POST /api/v1/reports/scenarios: the runner for scripts, with the same hand-worked registry as the page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tests.factories import OrganisationFactory, SupplyLinkFactory
from tests.reports.scenario_fixtures import ScenarioRegistry, scenario_registry

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/scenarios"


@pytest.fixture
def registry() -> ScenarioRegistry:
    return scenario_registry()


def _post(client: Client, body: dict[str, Any]) -> Any:
    return client.post(URL, json.dumps(body), content_type="application/json")


def _organisation(o: Any) -> dict[str, Any]:
    return {"id": o.pk, "name": o.name_en, "is_demo": False, "domestic": o.country == "CN", "in_park": o.in_park}


def test_taking_one_supplier_out(operator_client: Client, registry: ScenarioRegistry):
    response = _post(operator_client, {"suppliers": [registry.alpha.pk]})

    assert response.status_code == 200
    answer = response.json()
    alpha, tier, car = (_organisation(o) for o in (registry.alpha, registry.tier, registry.car))
    beta = {**_organisation(registry.beta), "aec_q100": "1", "asil": "B"}
    gamma = {**_organisation(registry.gamma), "aec_q100": "0", "asil": "D"}
    epsilon = {**_organisation(registry.epsilon), "aec_q100": "", "asil": ""}
    assert answer["demo"] is False
    assert answer["assumptions"] == {
        "default_requalification_days": 180.0,
        "default_inventory_days": 30.0,
        "requalification_days": {},
        "inventory_days": {},
        "inventory_days_by_buyer": {},
    }
    assert answer["summary"] == {
        "taken_out": [alpha],
        "suppliers_taken_out": 1,
        "buyers_hit": 2,
        "buyers_hit_in_park": 1,
        "total_lost": pytest.approx(2.6),
        "pairs_without_supplier": 2,
        "links_lost": 3,
        "links_exposed": 2,
        "hits_total": 3,
        "links_total": 3,
    }
    cell = {"left_without_supplier": True, "buyer_taken_out": False}
    assert answer["cells"] == [
        {
            "buyer": tier,
            "category": "control",
            "category_name": "Control chips",
            "lost_share": 1.0,
            **cell,
            "requirement": "Grade 2 · ASIL B",
            "alternatives": [beta, gamma],
        },
        {
            "buyer": tier,
            "category": "power",
            "category_name": "Power chips",
            "lost_share": 1.0,
            **cell,
            "requirement": "any supplier",
            "alternatives": [epsilon],
        },
        {
            "buyer": car,
            "category": "control",
            "category_name": "Control chips",
            "lost_share": pytest.approx(0.6),
            "left_without_supplier": False,
            "buyer_taken_out": False,
            "requirement": "Grade 2 · ASIL B",
            "alternatives": [beta, gamma],
        },
    ]
    link = {"supplier": alpha, "tts_days": 30.0}
    assert answer["links"] == [
        {
            **link,
            "buyer": tier,
            "category": "control",
            "category_name": "Control chips",
            "effective_share": 1.0,
            "ttr_days": 180.0,
            "exposed": True,
        },
        {
            **link,
            "buyer": tier,
            "category": "power",
            "category_name": "Power chips",
            "effective_share": 1.0,
            "ttr_days": 180.0,
            "exposed": True,
        },
        {
            **link,
            "buyer": car,
            "category": "control",
            "category_name": "Control chips",
            "effective_share": pytest.approx(0.6),
            "ttr_days": 0.0,
            "exposed": False,
        },
    ]


def test_a_country_with_days_per_category_and_buyer_and_a_limit(operator_client: Client, registry: ScenarioRegistry):
    response = _post(
        operator_client,
        {
            "suppliers": [registry.alpha.pk],
            "country": "DE",
            "requalification_days": {"power": 20},
            "inventory_days_by_buyer": {str(registry.car.pk): 365},
            "limit": 2,
        },
    )

    assert response.status_code == 200
    answer = response.json()
    assert answer["summary"]["hits_total"] == 4 and answer["summary"]["links_total"] == 4
    assert answer["summary"]["links_exposed"] == 1  # Tier's control link; power recovers in 20 < 30 days
    # Three pairs lose everything: by buyer (Car was registered first), then category.
    assert [(c["buyer"]["name"], c["category"]) for c in answer["cells"]] == [
        ("Car Maker", "computing"),
        ("Tier One", "control"),
    ]
    assert [
        (x["buyer"]["name"], x["category"], x["ttr_days"], x["tts_days"], x["exposed"]) for x in answer["links"]
    ] == [
        ("Tier One", "control", 180.0, 30.0, True),
        ("Tier One", "power", 20.0, 30.0, False),
    ]
    assert answer["assumptions"]["inventory_days_by_buyer"] == {str(registry.car.pk): 365.0}


BAD_BODIES = [
    ({"suppliers": [999999]}, "suppliers", "There is no supplier with id 999999 in the chain."),
    ({"province": "Atlantis"}, "province", "There is no organisation in province “Atlantis” in the chain."),
    ({"country": "FR"}, "country", "There is no organisation in country “FR” in the chain."),
    (
        {"country": "DE", "default_inventory_days": -1},
        "default_inventory_days",
        "The number of days for default_inventory_days must be zero or more, not -1.0.",
    ),
    (
        {"country": "DE", "requalification_days": {"control": -2}},
        "requalification_days[control]",
        "The number of days for requalification_days[control] must be zero or more, not -2.0.",
    ),
    (
        {"country": "DE", "inventory_days": {"chips": 3}},
        "inventory_days",
        "“chips” is not a chip category (in inventory_days).",
    ),
    (
        {"country": "DE", "inventory_days_by_buyer": {"999999": 3}},
        "inventory_days_by_buyer",
        "There is no buyer with id 999999 in the chain.",
    ),
    ({}, "suppliers", "The scenario takes nothing out: name at least one supplier, a province or a country."),
]


@pytest.mark.parametrize(("body", "column", "message"), BAD_BODIES)
def test_bad_input_is_a_400_naming_the_field(operator_client: Client, registry, body, column, message):
    response = _post(operator_client, body)

    assert response.status_code == 400
    assert response.json() == {
        "code": "bad_scenario",
        "message": message,
        "problems": [{"reason": message, "row": None, "column": column}],
    }


@pytest.mark.parametrize(
    ("body", "column"),
    [
        ({"suppliers": ["abc"]}, "suppliers.0"),
        ({"country": "DE", "limit": 0}, "limit"),
        ({"country": "DE", "alternatives": 0}, "alternatives"),
    ],
)
def test_malformed_fields_are_refused_by_the_schema(operator_client: Client, registry, body, column):
    response = _post(operator_client, body)
    assert response.status_code == 422
    assert [p["column"] for p in response.json()["problems"]] == [column]


def test_an_infinite_number_of_days_is_refused(operator_client: Client, registry):
    response = operator_client.post(
        URL, '{"country": "DE", "default_inventory_days": Infinity}', content_type="application/json"
    )
    assert response.status_code == 422
    assert [p["column"] for p in response.json()["problems"]] == ["default_inventory_days"]


def test_only_operators_may_run_scenarios(rep_client: Client, stranger_client: Client, client: Client, registry):
    for refused in (rep_client, stranger_client):
        response = _post(refused, {"country": "DE"})
        assert response.status_code == 403
        assert response.json()["message"] == "Only the programme's operators may run disruption scenarios."
    assert _post(client, {"country": "DE"}).status_code == 401


def test_demo_data_is_flagged(operator_client: Client):
    demo = scenario_registry(demo=True)
    answer = _post(operator_client, {"suppliers": [demo.gamma.pk]}).json()
    assert answer["demo"] is True
    assert answer["summary"]["taken_out"][0]["is_demo"] is True


def test_the_answer_costs_the_same_queries_however_big_the_chain(
    operator_client: Client, registry: ScenarioRegistry, django_assert_max_num_queries
):
    body = {"province": "北京市", "suppliers": [registry.alpha.pk]}
    with django_assert_max_num_queries(10):
        small = _post(operator_client, body)
    for _n in range(30):
        buyer = OrganisationFactory(province="广东省")
        SupplyLinkFactory(supplier=registry.alpha, buyer=buyer, share=None)
    with django_assert_max_num_queries(10):
        big = _post(operator_client, body)
    assert big.json()["summary"]["links_total"] == small.json()["summary"]["links_total"] + 30
