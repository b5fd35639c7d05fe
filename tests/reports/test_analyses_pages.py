"""The operators' chain analyses pages and the bills of materials editor, on the hand-built chain of conftest.py."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from chiptown.core.models import AuditEntry
from chiptown.reports.models import BillOfMaterials
from chiptown.reports.outlook import OutlookAssumptions
from tests.factories import OrganisationFactory, SupplyLinkFactory, category
from tests.reports.conftest import HandChain

pytestmark = pytest.mark.django_db

PAGES = [
    "reports:dashboard",
    "reports:localisation",
    "reports:concentration",
    "reports:chokepoints",
    "reports:attraction",
    "reports:outlook",
    "reports:boms",
    "reports:bom_create",
]


def _csv(response: Any) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


# --- Who may see them ---


@pytest.mark.parametrize("name", PAGES)
def test_pages_are_for_operators_only(name: str, rep_client: Client, stranger_client: Client, client: Client) -> None:
    url = reverse(name)
    assert rep_client.get(url).status_code == 403
    assert stranger_client.get(url).status_code == 403
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("accounts:login"))


def test_a_refused_page_says_why(stranger_client: Client) -> None:
    response = stranger_client.get(reverse("reports:chokepoints"))
    assert response.status_code == 403
    assert "Only the park&#x27;s operators can see the chain analyses." in response.content.decode()


# --- Empty registry ---


@pytest.mark.parametrize("name", PAGES)
def test_every_page_renders_on_an_empty_registry(name: str, operator_client: Client) -> None:
    response = operator_client.get(reverse(name))
    assert response.status_code == 200


def test_dashboard_on_an_empty_registry_says_so(operator_client: Client) -> None:
    response = operator_client.get(reverse("reports:dashboard"))
    body = response.content.decode()
    assert "The registry is empty: there is nothing to analyse yet." in body
    assert response.context["headline"].organisations == 0


def test_empty_pages_show_their_empty_states(operator_client: Client) -> None:
    assert "no supplier to rank" in operator_client.get(reverse("reports:chokepoints")).content.decode()
    assert "No gap:" in operator_client.get(reverse("reports:attraction")).content.decode()
    concentration = operator_client.get(reverse("reports:concentration")).content.decode()
    assert "No single-source dependency matches." in concentration
    localisation = operator_client.get(reverse("reports:localisation")).content.decode()
    assert "There is no bill of materials yet." in localisation


# --- Dashboard ---


def test_dashboard_shows_the_headline_figures(
    operator_client: Client, hand_chain: HandChain, hand_bom: BillOfMaterials
) -> None:
    response = operator_client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    headline = response.context["headline"]
    assert (headline.organisations, headline.in_park, headline.links) == (5, 3, 4)
    assert (headline.domestic_by_links.value, headline.in_park_by_links.value) == (0.5, 0.25)
    assert (headline.single_source_pairs, headline.foreign_single_source_pairs) == (2, 1)
    assert headline.highly_concentrated_categories == 2
    assert [row.organisation.name for row in headline.chokepoints] == ["Fremd GmbH", "Bravo Power", "Alpha Chips"]
    assert headline.vehicle.domestic_rate.value == pytest.approx(0.825)
    assert headline.vehicle.in_park_rate.value == pytest.approx(0.075)
    body = response.content.decode()
    links = [reverse(name) for name in ("reports:concentration", "reports:scenario", "reports:editions")]
    for text in ("50.0%", "25.0%", "82.5%", "7.5%", "Fremd GmbH", *links):
        assert text in body
    assert "demo-banner" not in body


def test_dashboard_without_a_default_bill_of_materials_links_to_them_and_creates_none(
    operator_client: Client, hand_chain: HandChain
) -> None:
    response = operator_client.get(reverse("reports:dashboard"))
    body = response.content.decode()
    assert "No bill of materials is chosen for the report" in body
    assert f'href="{reverse("reports:boms")}"' in body
    assert response.context["headline"].vehicle is None
    assert BillOfMaterials.objects.count() == 0


def test_demo_data_is_labelled(operator_client: Client, hand_chain: HandChain) -> None:
    OrganisationFactory(name_en="Generated Co", is_demo=True)
    for name in ("reports:dashboard", "reports:localisation", "reports:concentration", "reports:chokepoints"):
        assert (
            "Demo data: the registry holds generated organisations"
            in operator_client.get(reverse(name)).content.decode()
        )


def test_dashboard_costs_the_same_queries_for_a_bigger_registry(
    operator_client: Client, hand_chain: HandChain, hand_bom: BillOfMaterials, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(10):
        operator_client.get(reverse("reports:dashboard"))
    for _n in range(20):
        SupplyLinkFactory(buyer=hand_chain.maker, category=category("memory"), share=None)
    with django_assert_max_num_queries(10):
        assert operator_client.get(reverse("reports:dashboard")).status_code == 200


# --- Localisation ---


def test_localisation_per_category_and_whole_vehicle(
    operator_client: Client, hand_chain: HandChain, hand_bom: BillOfMaterials
) -> None:
    response = operator_client.get(reverse("reports:localisation"))
    rows = {row.code: row for row in response.context["rows"]}
    control, power, memory = rows["control"], rows["power"], rows["memory"]
    assert (control.links, control.buyers) == (3, 2)
    assert [str(s) for s in (control.domestic_by_links, control.in_park_by_links)] == ["33.3%", "33.3%"]
    assert [str(s) for s in (control.domestic_by_volume, control.in_park_by_volume)] == ["30.0%", "30.0%"]
    assert control.domestic_by_volume.bar == "w-30"
    assert [str(s) for s in (power.domestic_by_volume, power.in_park_by_volume)] == ["100.0%", "0.0%"]
    assert (memory.links, str(memory.domestic_by_volume)) == (0, "no data")
    vehicle = response.context["vehicle"]
    assert vehicle.bom == hand_bom
    assert [(w.code, w.weight.value) for w in vehicle.weights] == [("control", 0.25), ("power", 0.75)]
    assert vehicle.no_data == (("memory", "Memory chips"),)
    body = response.content.decode()
    assert "82.5%" in body and "7.5%" in body and "Memory chips" in body and "no data" in body
    assert 'style="' not in body


def test_localisation_for_a_chosen_bill_of_materials(
    operator_client: Client, hand_chain: HandChain, hand_bom: BillOfMaterials
) -> None:
    power_only = BillOfMaterials.objects.create(name_en="Power only", counts={"power": 2})
    response = operator_client.get(reverse("reports:localisation"), {"bom": power_only.pk})
    vehicle = response.context["vehicle"]
    assert vehicle.bom == power_only
    assert (vehicle.domestic_rate.value, vehicle.in_park_rate.value) == (1.0, 0.0)


def test_localisation_export_csv(operator_client: Client, hand_chain: HandChain, hand_bom: BillOfMaterials) -> None:
    response = operator_client.get(reverse("reports:localisation"), {"format": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="localisation-' in response["Content-Disposition"]
    table = _csv(response)
    assert table[0][:4] == ["Category code", "Category", "Links", "Buyers"]
    assert table[1] == ["control", "Control chips", "3", "2", "33.3", "33.3", "30.0", "30.0"]
    assert ["memory", "Memory chips", "0", "0", "", "", "", ""] in table
    assert ["", "Whole vehicle", "40.0", "100.0", "82.5", "7.5"] in table


def test_unknown_export_format_is_404(operator_client: Client) -> None:
    assert operator_client.get(reverse("reports:localisation"), {"format": "pdf"}).status_code == 404


# --- Concentration and single sources ---


def test_concentration_and_single_sources(operator_client: Client, hand_chain: HandChain) -> None:
    response = operator_client.get(reverse("reports:concentration"))
    rows = {row.code: row for row in response.context["rows"]}
    assert (round(rows["control"].hhi), rows["control"].suppliers, rows["control"].band) == (5800, 2, "high")
    assert (round(rows["power"].hhi), rows["power"].band) == (10000, "high")
    assert (rows["memory"].hhi, rows["memory"].band) == (None, "none")
    page = response.context["page"]
    assert [(r.buyer.name, r.category_code, r.supplier.name, r.foreign) for r in page.object_list] == [
        ("Tier One Systems", "control", "Fremd GmbH", True),
        ("Tier One Systems", "power", "Bravo Power", False),
    ]
    body = response.content.decode()
    assert "5,800" in body and "Merger Guidelines (2023)" in body
    assert f'href="{reverse("registry:organisation", args=[hand_chain.fremd.pk])}"' in body


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"foreign": "on"}, [("control", "Fremd GmbH")]),
        ({"category": "power"}, [("power", "Bravo Power")]),
        ({"in_park": "on", "category": "memory"}, []),
    ],
)
def test_single_source_filters(
    operator_client: Client, hand_chain: HandChain, query: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    page = operator_client.get(reverse("reports:concentration"), query).context["page"]
    assert [(r.category_code, r.supplier.name) for r in page.object_list] == expected


def test_single_sources_only_in_park_buyers(operator_client: Client, hand_chain: HandChain) -> None:
    outside = OrganisationFactory(name_en="Outside Buyer", in_park=False)
    SupplyLinkFactory(supplier=hand_chain.alpha, buyer=outside, category=category("memory"), share=None)
    everyone = operator_client.get(reverse("reports:concentration")).context["page"]
    in_park = operator_client.get(reverse("reports:concentration"), {"in_park": "on"}).context["page"]
    assert len(everyone.object_list) == 3
    assert {r.buyer.name for r in in_park.object_list} == {"Tier One Systems"}


def test_single_sources_are_paginated_at_constant_query_cost(
    operator_client: Client, hand_chain: HandChain, django_assert_max_num_queries: Any
) -> None:
    for _n in range(53):
        SupplyLinkFactory(supplier=hand_chain.alpha, category=category("sensing"), share=None)
    with django_assert_max_num_queries(9):
        first = operator_client.get(reverse("reports:concentration"))
    with django_assert_max_num_queries(9):
        second = operator_client.get(reverse("reports:concentration"), {"page": 2})
    assert first.context["page"].paginator.count == 55
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 5
    assert "Page 2 of 2" in second.content.decode()


def test_concentration_export_has_both_tables(operator_client: Client, hand_chain: HandChain) -> None:
    table = _csv(operator_client.get(reverse("reports:concentration"), {"format": "csv", "foreign": "on"}))
    assert table[0] == ["Category code", "Category", "HHI", "Suppliers", "Band"]
    assert table[1] == ["control", "Control chips", "5800.0", "2", "Highly concentrated"]
    assert ["memory", "Memory chips", "", "0", "no data"] in table
    header = table.index(
        [
            "Buyer id",
            "Buyer",
            "Buyer in the park",
            "Category code",
            "Category",
            "Supplier id",
            "Supplier",
            "Foreign supplier",
        ]
    )
    # The filter applies to the export: foreign suppliers only.
    assert table[header + 1 :] == [
        [
            str(hand_chain.tier.pk),
            "Tier One Systems",
            "yes",
            "control",
            "Control chips",
            str(hand_chain.fremd.pk),
            "Fremd GmbH",
            "yes",
        ]
    ]


# --- Chokepoints ---


def test_chokepoints_ranked_with_links(operator_client: Client, hand_chain: HandChain) -> None:
    response = operator_client.get(reverse("reports:chokepoints"))
    rows = response.context["rows"]
    assert [
        (r.rank, r.organisation.name, round(r.total_lost, 3), r.pairs_without_supplier, r.buyers_hit) for r in rows
    ] == [
        (1, "Fremd GmbH", 1.4, 1, 2),
        (2, "Bravo Power", 1.0, 1, 1),
        (3, "Alpha Chips", 0.6, 0, 1),
    ]
    body = response.content.decode()
    assert f'href="{reverse("registry:organisation", args=[hand_chain.fremd.pk])}"' in body
    assert f'href="{reverse("reports:scenario")}?suppliers={hand_chain.fremd.pk}"' in body


def test_chokepoints_export_xlsx(operator_client: Client, hand_chain: HandChain) -> None:
    response = operator_client.get(reverse("reports:chokepoints"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0][:3] == ["Rank", "Organisation id", "Supplier"]
    assert values[1] == [1, hand_chain.fremd.pk, "Fremd GmbH", 1.4, 1, 2, "no", "no"]
    assert len(values) == 4


# --- Attraction ---


def test_attraction_gaps_and_candidates(operator_client: Client, hand_chain: HandChain) -> None:
    response = operator_client.get(reverse("reports:attraction"))
    gaps = response.context["gaps"]
    assert [(g.kind, g.category_code, [b.name for b in g.buyers], g.in_park_buyers) for g in gaps] == [
        ("outside_park", "control", ["Tier One Systems"], 2),
        ("outside_park", "power", ["Tier One Systems"], 1),
        ("outside_country", "control", ["Tier One Systems"], 2),
    ]
    assert [[(c.organisation.name, c.score) for c in g.candidates] for g in gaps] == [
        [("Fremd GmbH", 33.0)],
        [("Bravo Power", 29.0)],
        [("Fremd GmbH", 33.0)],
    ]
    body = response.content.decode()
    assert "Outside the country" in body and "33.0" in body
    assert "points for focus" in body


def test_attraction_export(operator_client: Client, hand_chain: HandChain) -> None:
    table = _csv(operator_client.get(reverse("reports:attraction"), {"format": "csv"}))
    assert table[0][:8] == [
        "Gap",
        "Category code",
        "Category",
        "Buyers affected",
        "Buyers",
        "In-park buyers of the category",
        "Candidate rank",
        "Candidate",
    ]
    assert [row[:9] for row in table[1:]] == [
        ["Outside the park", "control", "Control chips", "1", "Tier One Systems", "2", "1", "Fremd GmbH", "33.0"],
        ["Outside the park", "power", "Power chips", "1", "Tier One Systems", "1", "1", "Bravo Power", "29.0"],
        ["Outside the country", "control", "Control chips", "1", "Tier One Systems", "2", "1", "Fremd GmbH", "33.0"],
    ]


# --- Outlook ---


def test_outlook_shows_history_forecast_demand_and_assumptions(operator_client: Client) -> None:
    response = operator_client.get(reverse("reports:outlook"))
    assert response.status_code == 200
    result = response.context["result"]
    assert len(result.forecast.years) == 5
    assert result.forecast.years[0].year == result.history[-1].year + 1
    assert len(result.demand) == 5 * len(result.assumptions.category_mix)
    body = response.content.decode()
    for line in result.lines:
        assert f"<code>{line.name}</code>" in body
    assert '<polygon class="band"' in body and '<polyline class="history"' in body
    assert f'href="{reverse("reports:outlook")}">Reset to defaults' in body
    assert 'style="' not in body


def test_outlook_with_edited_assumptions(operator_client: Client) -> None:
    response = operator_client.get(
        reverse("reports:outlook"), {"chips_per_vehicle_low": "1000", "chips_per_vehicle_high": "2000"}
    )
    assert response.status_code == 200
    assumptions = response.context["result"].assumptions
    assert assumptions.chips_per_vehicle == (1000.0, 1500.0, 2000.0)
    assert "edited (the default" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"chips_per_vehicle_low": "abc"}, "chips_per_vehicle_low", "Enter a number."),
        (
            {"chips_per_vehicle_low": "3000", "chips_per_vehicle_high": "100"},
            "chips_per_vehicle_low",
            "The low chip count (3000.0) is above the high one (100.0).",
        ),
        ({"highly_automated_share": "2"}, "highly_automated_share", "A share must be between 0 and 1, not 2.0."),
        ({"mix_control": "-1"}, "mix_control", "A share must be a number of zero or more, not -1.0."),
        ({"mix_control": "0.5"}, None, "The category shares must add up to 1"),
    ],
)
def test_outlook_invalid_assumptions_are_shown_next_to_the_fields(
    operator_client: Client, query: dict[str, str], field: str | None, message: str
) -> None:
    response = operator_client.get(reverse("reports:outlook"), query)
    assert response.status_code == 400
    form = response.context["form"]
    errors = form.errors.get(field or "__all__", [])
    assert any(error.startswith(message) for error in errors), form.errors
    # The figures fall back to the defaults.
    assert response.context["result"].assumptions == OutlookAssumptions()
    assert "Some assumptions are not valid" in response.content.decode()


# --- Bills of materials ---


def _bom_post(**changes: str) -> dict[str, str]:
    data = {"name_en": "Small car", "name_zh": "小车", "vehicle_type": "small", "source": "By hand."}
    data.update(changes)
    return data


def test_bom_create(operator_client: Client, operator: Any) -> None:
    response = operator_client.post(
        reverse("reports:bom_create"), _bom_post(count_control="12", count_power="3.5", is_default="on")
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:boms")
    bom = BillOfMaterials.objects.get()
    assert (bom.name_en, bom.name_zh, bom.vehicle_type, bom.source, bom.is_default) == (
        "Small car",
        "小车",
        "small",
        "By hand.",
        True,
    )
    assert bom.counts == {"control": 12.0, "power": 3.5}
    assert AuditEntry.objects.filter(action="reports.bom_save", actor=operator).count() == 1
    listing = operator_client.get(reverse("reports:boms")).content.decode()
    assert "Small car" in listing and "By hand." in listing and "Used by the report" in listing


@pytest.mark.parametrize(
    ("counts", "errors"),
    [
        ({"count_control": "-1", "count_power": "2"}, {"count_control": ["A chip count cannot be negative."]}),
        ({"count_control": "many", "count_power": "2"}, {"count_control": ["Not a number."]}),
        ({"count_control": "0"}, {"__all__": ["Give at least one category a count above zero."]}),
        ({}, {"__all__": ["Give at least one category a count above zero."]}),
    ],
)
def test_bom_refused_counts_show_next_to_their_category_and_save_nothing(
    operator_client: Client, counts: dict[str, str], errors: dict[str, list[str]]
) -> None:
    response = operator_client.post(reverse("reports:bom_create"), _bom_post(**counts))
    assert response.status_code == 400
    assert dict(response.context["form"].errors) == errors
    assert BillOfMaterials.objects.count() == 0
    assert AuditEntry.objects.filter(action="reports.bom_save").count() == 0


def test_bom_without_a_name_is_refused(operator_client: Client) -> None:
    response = operator_client.post(reverse("reports:bom_create"), _bom_post(name_en="", name_zh="", count_power="1"))
    assert response.status_code == 400
    assert response.context["form"].errors == {"name_en": ["This field is required."]}
    assert BillOfMaterials.objects.count() == 0


def test_bom_edit_makes_it_the_default(operator_client: Client, hand_bom: BillOfMaterials) -> None:
    other = BillOfMaterials.objects.create(name_en="Other", counts={"power": 1})
    page = operator_client.get(reverse("reports:bom_edit", args=[other.pk]))
    assert page.context["form"]["count_power"].value() == "1"
    response = operator_client.post(
        reverse("reports:bom_edit", args=[other.pk]), _bom_post(name_en="Other", count_power="4", is_default="on")
    )
    assert response.status_code == 302
    other.refresh_from_db()
    hand_bom.refresh_from_db()
    assert (other.is_default, other.counts, hand_bom.is_default) == (True, {"power": 4.0}, False)


def test_bom_edit_of_an_unknown_one_is_404(operator_client: Client) -> None:
    assert operator_client.get(reverse("reports:bom_edit", args=[999])).status_code == 404


def test_add_the_default_bills_of_materials(operator_client: Client) -> None:
    response = operator_client.post(reverse("reports:bom_defaults"), follow=True)
    assert response.status_code == 200
    assert sorted(BillOfMaterials.objects.values_list("vehicle_type", flat=True)) == [
        "combustion",
        "electric",
        "highly_automated",
    ]
    assert BillOfMaterials.objects.get(is_default=True).vehicle_type == "electric"
    body = response.content.decode()
    assert "Added 3 bill(s) of materials" in body
    # Each default quotes its sources on the list.
    assert body.count("split over the categories by") == 3
    again = operator_client.post(reverse("reports:bom_defaults"), follow=True)
    assert "already there" in again.content.decode()
    assert BillOfMaterials.objects.count() == 3


def test_bom_writes_are_refused_to_others(rep_client: Client, hand_bom: BillOfMaterials) -> None:
    assert rep_client.post(reverse("reports:bom_defaults")).status_code == 403
    assert rep_client.post(reverse("reports:bom_create"), _bom_post(count_power="1")).status_code == 403
    edit = rep_client.post(reverse("reports:bom_edit", args=[hand_bom.pk]), _bom_post(count_power="1"))
    assert edit.status_code == 403
    hand_bom.refresh_from_db()
    assert BillOfMaterials.objects.count() == 1
    assert hand_bom.counts == {"control": 10, "power": 30, "memory": 5}


def test_a_stale_category_in_the_filter_is_left_out_and_the_rest_applies(
    operator_client: Client, hand_chain: HandChain
) -> None:
    page = operator_client.get(reverse("reports:concentration"), {"category": "warp_drive", "foreign": "on"}).context[
        "page"
    ]
    assert [r.supplier.name for r in page.object_list] == ["Fremd GmbH"]


@pytest.mark.parametrize(
    ("name", "queries"),
    [
        ("reports:dashboard", 10),
        ("reports:localisation", 10),
        ("reports:concentration", 9),
        ("reports:chokepoints", 9),
        ("reports:attraction", 13),
        ("reports:boms", 5),
    ],
)
def test_analysis_pages_cost_a_constant_number_of_queries(
    name: str,
    queries: int,
    operator_client: Client,
    hand_chain: HandChain,
    hand_bom: BillOfMaterials,
    django_assert_max_num_queries: Any,
) -> None:
    with django_assert_max_num_queries(queries):
        assert operator_client.get(reverse(name)).status_code == 200
    for _n in range(15):
        buyer = OrganisationFactory.create(in_park=True)
        SupplyLinkFactory(supplier=hand_chain.fremd, buyer=buyer, category=category("memory"), share=None)
        SupplyLinkFactory(buyer=buyer, category=category("power"), share=50)
    with django_assert_max_num_queries(queries):
        assert operator_client.get(reverse(name)).status_code == 200


def test_exports_of_demo_figures_say_so(operator_client: Client, hand_chain: HandChain) -> None:
    plain = _csv(operator_client.get(reverse("reports:chokepoints"), {"format": "csv"}))
    assert plain[-1][:3] == ["3", str(hand_chain.alpha.pk), "Alpha Chips"]
    OrganisationFactory(name_en="Generated Co", is_demo=True)
    table = _csv(operator_client.get(reverse("reports:chokepoints"), {"format": "csv"}))
    assert table[-3:] == [[], ["Note"], ["Demo data: these figures are generated, not real."]]


def test_names_follow_the_language(operator_client: Client, hand_chain: HandChain) -> None:
    response = operator_client.get(reverse("reports:chokepoints"), headers={"accept-language": "zh-hans"})
    assert [row.organisation.name for row in response.context["rows"]] == ["弗雷姆德", "布拉沃功率", "阿尔法芯片"]


def test_a_bill_of_materials_that_no_longer_fits_shows_why_instead_of_failing(
    operator_client: Client, hand_chain: HandChain
) -> None:
    stale = BillOfMaterials.objects.create(name_en="Stale", counts={"warp_drive": 3}, is_default=True)
    for name in ("reports:dashboard", "reports:localisation"):
        response = operator_client.get(reverse(name))
        assert response.status_code == 200
        body = response.content.decode()
        assert "“warp_drive” is not a chip category." in body
        assert reverse("reports:bom_edit", args=[stale.pk]) in body


def test_concentration_export_xlsx_has_a_sheet_per_table(operator_client: Client, hand_chain: HandChain) -> None:
    response = operator_client.get(reverse("reports:concentration"), {"format": "xlsx"})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Concentration", "Single sources"]
    single = [list(row) for row in workbook["Single sources"].iter_rows(values_only=True)]
    assert [row[6] for row in single[1:]] == ["Fremd GmbH", "Bravo Power"]
