"""The disruption scenario runner page: exact rows on a hand-worked registry, field errors, exports, permissions."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import quote

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from chiptown.reports.views import scenarios as scenario_views
from tests.factories import OrganisationFactory, SupplyLinkFactory
from tests.reports.scenario_fixtures import ScenarioRegistry, scenario_registry

pytestmark = pytest.mark.django_db

PAGE = "/reports/scenarios/"


@pytest.fixture
def registry() -> ScenarioRegistry:
    return scenario_registry()


def _hit_rows(response: Any) -> list[tuple[str, str, float, bool, list[tuple[str, str, bool, bool]]]]:
    return [
        (
            hit.buyer.name,
            hit.category,
            round(hit.lost_percent, 6),
            hit.left_without_supplier,
            [
                (a.organisation.name, a.qualification, a.organisation.domestic, a.organisation.in_park)
                for a in hit.alternatives
            ],
        )
        for hit in response.context["outcome"].hits
    ]


def _link_rows(response: Any) -> list[tuple[str, str, str, float, float, bool]]:
    return [
        (link.supplier.name, link.buyer.name, link.category, link.ttr_days, link.tts_days, link.exposed)
        for link in response.context["outcome"].links
    ]


def test_the_url_is_named_and_the_first_visit_shows_the_form_with_the_assumptions(operator_client: Client, registry):
    assert reverse("reports:scenario") == PAGE
    response = operator_client.get(PAGE)
    assert response.status_code == 200
    assert "outcome" not in response.context
    text = response.content.decode()
    assert "Time to recover (TTR): how long re-qualifying a replacement supplier takes" in text
    assert "Blank = 180 days." in text and "Blank = 30 days." in text
    assert "Simchi-Levi" in text
    # Provinces and countries of the chain to choose from, categories to override.
    assert response.context["form"].fields["province"].widget.choices == [
        ("", "— none —"),
        ("上海市", "上海市"),
        ("北京市", "北京市"),
        ("江苏省", "江苏省"),
    ]
    assert response.context["form"].fields["country"].widget.choices == [("", "— none —"), ("CN", "CN"), ("DE", "DE")]
    assert 'name="ttr_control"' in text and 'name="tts_power"' in text
    assert 'hx-get="/organisations/suggest/"' in text and 'list="supplier-suggestions"' in text


def test_taking_one_supplier_out(operator_client: Client, registry: ScenarioRegistry):
    response = operator_client.get(PAGE, {"suppliers": registry.alpha.pk})

    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert [o.name for o in outcome.taken_out] == ["Alpha Microcontrollers"]
    assert (
        outcome.suppliers_taken_out,
        outcome.buyers_hit,
        outcome.buyers_hit_in_park,
        outcome.pairs_without_supplier,
        outcome.links_lost,
        outcome.links_exposed,
    ) == (1, 2, 1, 2, 3, 2)
    assert outcome.total_lost == pytest.approx(2.6)
    control_alternatives = [
        ("Beta Semiconductor", "Grade 1 · ASIL B", True, True),
        ("Gamma Halbleiter", "Grade 0 · ASIL D", False, False),
    ]
    assert _hit_rows(response) == [
        ("Tier One", "control", 100.0, True, control_alternatives),
        ("Tier One", "power", 100.0, True, [("Epsilon Power", "not qualified", True, False)]),
        ("Car Maker", "control", 60.0, False, control_alternatives),
    ]
    assert _link_rows(response) == [
        ("Alpha Microcontrollers", "Tier One", "control", 180.0, 30.0, True),
        ("Alpha Microcontrollers", "Tier One", "power", 180.0, 30.0, True),
        ("Alpha Microcontrollers", "Car Maker", "control", 0.0, 30.0, False),
    ]
    assert [(b.category, round(b.lost, 6), round(b.fraction_of_largest, 6)) for b in outcome.losses_by_category] == [
        ("control", 1.6, 1.0),
        ("power", 1.0, 0.625),
    ]
    text = response.content.decode()
    assert f'<a href="/organisations/{registry.tier.pk}/">Tier One</a>' in text
    assert "Control chips" in text and "Power chips" in text
    assert "needs Grade 2 · ASIL B:" in text
    assert "<svg" in text and 'class="bar"' in text and "style=" not in text
    assert "Demo data" not in text  # nothing generated in this registry


def test_a_country_needs_the_strictest_grade_and_a_weaker_grade_does_not_qualify(operator_client: Client, registry):
    response = operator_client.get(PAGE, {"country": "DE"})

    assert response.status_code == 200
    # Gamma held grade 0: Beta's grade 1 (domestic, in the park) does not replace it, Zeta's grade 0 does.
    assert _hit_rows(response) == [("Car Maker", "computing", 100.0, True, [("Zeta Compute", "Grade 0", True, False)])]
    assert _link_rows(response) == [("Gamma Halbleiter", "Car Maker", "computing", 180.0, 30.0, True)]


def test_a_province_and_changed_days(operator_client: Client, registry: ScenarioRegistry):
    response = operator_client.get(
        PAGE, {"province": "江苏省", "default_inventory_days": "200", "ttr_power": "365", "tts_control": ""}
    )

    assert response.status_code == 200
    # 200 days of stock outlast the default 180 days of re-qualification, but not the 365 days set for power.
    assert _link_rows(response) == [
        ("Alpha Microcontrollers", "Tier One", "power", 365.0, 200.0, True),
        ("Alpha Microcontrollers", "Tier One", "control", 180.0, 200.0, False),
        ("Alpha Microcontrollers", "Car Maker", "control", 0.0, 200.0, False),
    ]
    scenario = response.context["scenario"]
    assert scenario.requalification_days == {"power": 365.0}
    assert scenario.inventory_days == {}
    # The overrides table starts open when one is filled in, so the reader sees what was changed.
    assert '<details class="scenario-overrides" open>' in response.content.decode()
    assert '<details class="scenario-overrides">' in operator_client.get(PAGE, {"country": "DE"}).content.decode()


def test_suppliers_as_a_comma_list_or_repeated_are_the_same_scenario(operator_client: Client, registry):
    ids = f"{registry.alpha.pk},{registry.gamma.pk}"
    listed = operator_client.get(PAGE, {"suppliers": ids})
    repeated = operator_client.get(PAGE, {"suppliers": [registry.alpha.pk, registry.gamma.pk]})

    assert listed.status_code == repeated.status_code == 200
    assert _hit_rows(listed) == _hit_rows(repeated)
    assert [o.name for o in listed.context["outcome"].taken_out] == ["Alpha Microcontrollers", "Gamma Halbleiter"]
    assert listed.context["selected"] == [
        (registry.alpha.pk, "Alpha Microcontrollers"),
        (registry.gamma.pk, "Gamma Halbleiter"),
    ]
    # Each selected supplier is a ticked box, so unticking puts it back on the next run.
    assert f'name="suppliers" value="{registry.gamma.pk}" checked' in listed.content.decode()


def test_a_supplier_picked_by_name_becomes_an_id_in_the_address(operator_client: Client, registry: ScenarioRegistry):
    response = operator_client.get(
        PAGE,
        {"suppliers": registry.gamma.pk, "supplier": f"Alpha Microcontrollers #{registry.alpha.pk}", "country": ""},
    )

    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?suppliers={registry.alpha.pk}%2C{registry.gamma.pk}"


def test_a_name_that_matches_nobody_is_refused_next_to_the_field(operator_client: Client, registry):
    response = operator_client.get(PAGE, {"supplier": "Nobody Semiconductor"})

    assert response.status_code == 400
    assert response.context["form"].errors == {
        "supplier": ["No single organisation matches; pick one from the suggestions."]
    }


BAD_INPUTS = [
    (
        {"suppliers": "abc"},
        "suppliers",
        "“abc” is not a supplier id: pick suppliers by name, or give their ids as numbers.",
    ),
    ({"suppliers": "999999"}, "suppliers", "There is no supplier with id 999999 in the chain."),
    ({"province": "Atlantis"}, "province", "There is no organisation in province “Atlantis” in the chain."),
    ({"country": "FR"}, "country", "There is no organisation in country “FR” in the chain."),
    (
        {"country": "DE", "default_requalification_days": "-1"},
        "default_requalification_days",
        "Give zero or more days.",
    ),
    ({"country": "DE", "default_inventory_days": "-0.5"}, "default_inventory_days", "Give zero or more days."),
    ({"country": "DE", "ttr_control": "-5"}, "ttr_control", "Give zero or more days."),
    ({"country": "DE", "tts_power": "lots"}, "tts_power", "Enter a number."),
    (
        {"suppliers": "", "province": "", "default_inventory_days": "10"},
        "suppliers",
        "The scenario takes nothing out: name at least one supplier, a province or a country.",
    ),
]


@pytest.mark.parametrize(("query", "field", "message"), BAD_INPUTS)
def test_bad_input_is_shown_next_to_its_field(operator_client: Client, registry, query, field, message):
    response = operator_client.get(PAGE, query)

    assert response.status_code == 400
    assert response.context["form"].errors == {field: [message]}
    assert "outcome" not in response.context
    text = response.content.decode()
    assert "Please correct the fields marked below." in text
    # The message sits inside the field's own block (up to the next field).
    block = text.split(f'id="field-{field}"', 1)[1].split('id="field-', 1)[0]
    assert message in block


def test_an_unknown_export_format_is_not_found(operator_client: Client, registry):
    assert operator_client.get(PAGE, {"country": "DE", "format": "pdf"}).status_code == 404


def test_an_empty_registry_says_so(operator_client: Client):
    OrganisationFactory()
    response = operator_client.get(PAGE, {"suppliers": "1"})

    assert response.status_code == 200
    assert "The registry has no supply links in mass production yet" in response.content.decode()
    assert "form" not in response.context


@pytest.mark.parametrize("client_fixture", ["rep_client", "stranger_client"])
def test_only_operators_may_run_scenarios(request: pytest.FixtureRequest, client_fixture: str, registry):
    client: Client = request.getfixturevalue(client_fixture)
    for query in ({}, {"country": "DE"}, {"country": "DE", "format": "csv"}):
        response = client.get(PAGE, query)
        assert response.status_code == 403
        assert "Only the programme&#x27;s operators may run disruption scenarios." in response.content.decode()


def test_anonymous_visitors_are_sent_to_log_in(client: Client, registry):
    response = client.get(PAGE, {"country": "DE"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_csv_export_holds_the_assumptions_and_both_tables(operator_client: Client, registry: ScenarioRegistry):
    response = operator_client.get(PAGE, {"suppliers": registry.alpha.pk, "ttr_power": "365", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="disruption-scenario.csv"'
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    a, b, g, e = registry.alpha.pk, registry.beta.pk, registry.gamma.pk, registry.epsilon.pk
    control_alternatives = (
        f"Beta Semiconductor (#{b}, Grade 1 · ASIL B, domestic, in the park); "
        f"Gamma Halbleiter (#{g}, Grade 0 · ASIL D, foreign)"
    )
    assert rows == [
        ["Assumption", "Value"],
        ["Taken out", f"Alpha Microcontrollers (#{a})"],
        ["Default re-qualification days (TTR)", "180"],
        ["Default inventory days (TTS)", "30"],
        ["Re-qualification days: power", "365.0"],
        ["Lost volume (buyer-category volumes)", "2.6"],
        [],
        [
            "Buyer id",
            "Buyer",
            "Chip category",
            "Share lost (%)",
            "Left without supplier",
            "Buyer taken out too",
            "Alternatives must hold",
            "Qualified alternatives",
        ],
        [
            str(registry.tier.pk),
            "Tier One",
            "Control chips",
            "100.0",
            "yes",
            "no",
            "Grade 2 · ASIL B",
            control_alternatives,
        ],
        [
            str(registry.tier.pk),
            "Tier One",
            "Power chips",
            "100.0",
            "yes",
            "no",
            "any supplier",
            f"Epsilon Power (#{e}, not qualified, domestic)",
        ],
        [
            str(registry.car.pk),
            "Car Maker",
            "Control chips",
            "60.0",
            "no",
            "no",
            "Grade 2 · ASIL B",
            control_alternatives,
        ],
        [],
        [
            "Supplier id",
            "Supplier",
            "Buyer id",
            "Buyer",
            "Chip category",
            "Share of the buyer's volume (%)",
            "Time to recover (days)",
            "Time to survive (days)",
            "Exposed",
        ],
        [
            str(a),
            "Alpha Microcontrollers",
            str(registry.tier.pk),
            "Tier One",
            "Power chips",
            "100.0",
            "365.0",
            "30.0",
            "yes",
        ],
        [
            str(a),
            "Alpha Microcontrollers",
            str(registry.tier.pk),
            "Tier One",
            "Control chips",
            "100.0",
            "180.0",
            "30.0",
            "yes",
        ],
        [
            str(a),
            "Alpha Microcontrollers",
            str(registry.car.pk),
            "Car Maker",
            "Control chips",
            "60.0",
            "0.0",
            "30.0",
            "no",
        ],
    ]


def test_the_xlsx_export_has_a_sheet_per_table_with_every_row(operator_client: Client, registry, monkeypatch):
    monkeypatch.setattr(scenario_views, "TABLE_CAP", 1)  # the page caps, the export never does
    response = operator_client.get(PAGE, {"country": "DE", "format": "xlsx"})

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="disruption-scenario.xlsx"'
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Scenario", "Who is hit", "Lost links"]
    hits = [list(row) for row in workbook["Who is hit"].iter_rows(values_only=True)]
    assert hits[1] == [
        registry.car.pk,
        "Car Maker",
        "Computing chips",
        100.0,
        "yes",
        "no",
        "Grade 0",
        f"Zeta Compute (#{registry.zeta.pk}, Grade 0, domestic)",
    ]
    assert len(hits) == 2
    links = [list(row) for row in workbook["Lost links"].iter_rows(values_only=True)]
    assert links[1:] == [
        [
            registry.gamma.pk,
            "Gamma Halbleiter",
            registry.car.pk,
            "Car Maker",
            "Computing chips",
            100.0,
            180.0,
            30.0,
            "yes",
        ]
    ]


def test_long_tables_are_capped_with_a_show_all_link(operator_client: Client, registry, monkeypatch):
    monkeypatch.setattr(scenario_views, "TABLE_CAP", 2)
    capped = operator_client.get(PAGE, {"suppliers": registry.alpha.pk})
    outcome = capped.context["outcome"]
    assert (len(outcome.hits), outcome.hits_total, len(outcome.links), outcome.links_total) == (2, 3, 2, 3)
    text = capped.content.decode()
    assert "The 2 pairs that lose most of 3." in text
    assert f"?suppliers={registry.alpha.pk}&amp;all_hits=1#hits" in text
    assert f"?suppliers={registry.alpha.pk}&amp;all_links=1#links" in text

    everything = operator_client.get(PAGE, {"suppliers": registry.alpha.pk, "all_hits": "1", "all_links": "1"})
    assert len(everything.context["outcome"].hits) == 3 and len(everything.context["outcome"].links) == 3
    assert "Show all" not in everything.content.decode()


def test_generated_data_is_labelled_as_demo(operator_client: Client):
    demo = scenario_registry(demo=True)
    response = operator_client.get(PAGE, {"suppliers": demo.alpha.pk})
    text = response.content.decode()
    assert 'class="demo-banner"' in text
    assert "Demo data: the registry holds generated organisations, so these figures are generated, not real." in text
    csv_response = operator_client.get(PAGE, {"suppliers": demo.alpha.pk, "format": "csv"})
    assert csv_response["Content-Disposition"] == 'attachment; filename="disruption-scenario-demo.csv"'
    assert 'Demo data,"Figures computed from generated demo data, not real."' in csv_response.content.decode()


def test_the_page_costs_the_same_queries_however_big_the_chain(
    operator_client: Client, registry: ScenarioRegistry, django_assert_max_num_queries
):
    query = {"province": "北京市", "suppliers": registry.alpha.pk, "all_hits": "1", "all_links": "1"}
    with django_assert_max_num_queries(10):
        small = operator_client.get(PAGE, query)
    for _n in range(30):
        buyer = OrganisationFactory(province="广东省")
        SupplyLinkFactory(supplier=registry.alpha, buyer=buyer, share=None)
        SupplyLinkFactory(supplier=registry.beta, buyer=buyer, share=50)
    with django_assert_max_num_queries(10):
        big = operator_client.get(PAGE, query)
    assert small.status_code == big.status_code == 200
    assert big.context["outcome"].links_total == small.context["outcome"].links_total + 60


def test_demo_scenario_url_takes_the_top_chokepoint_out(registry: ScenarioRegistry):
    assert scenario_views.demo_scenario_url() == f"{PAGE}?suppliers={registry.alpha.pk}"


def test_demo_scenario_url_is_the_bare_page_without_links(db):
    assert scenario_views.demo_scenario_url() == PAGE


def test_the_chokepoints_link_format_is_accepted(operator_client: Client, registry: ScenarioRegistry):
    response = operator_client.get(f"{PAGE}?suppliers={quote(str(registry.gamma.pk))}")
    assert response.status_code == 200
    assert [o.id for o in response.context["outcome"].taken_out] == [registry.gamma.pk]


def test_the_picker_asks_the_registry_for_suggestions_under_its_own_name(
    operator_client: Client, registry: ScenarioRegistry
):
    # The input is called "supplier", which is what the registry's suggestion view reads.
    response = operator_client.get("/organisations/suggest/", {"supplier": "Alpha"})
    assert f'value="Alpha Microcontrollers #{registry.alpha.pk}"' in response.content.decode()


def test_the_page_speaks_chinese(operator_client: Client, registry: ScenarioRegistry):
    operator_client.cookies["django_language"] = "zh-hans"
    response = operator_client.get(PAGE, {"suppliers": registry.alpha.pk})
    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert [hit.category_name for hit in response.context["outcome"].hits] == ["控制芯片", "功率芯片", "控制芯片"]
