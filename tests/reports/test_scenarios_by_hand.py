"""Disruption scenarios on a small chain worked out on paper: lost shares, orphaned buyers, TTR vs TTS, alternatives."""

from __future__ import annotations

import numpy as np
import pytest

from chiptown.core.errors import ChipTownError
from chiptown.reports.scenarios import (
    DEFAULT_INVENTORY_DAYS,
    DEFAULT_REQUALIFICATION_DAYS,
    NONE,
    Scenario,
    SupplierQualifications,
    simulate,
)
from tests.reports.chain_builders import chain_from, qualifications_from

# Organisations (chain id; database id = 100 + chain id): country, province, in park.
S1, S2, S3, S4, S5, V1, V2, S6, S7 = range(9)
ORGANISATIONS = [
    ("CN", "Beijing", True),  # S1: in-park supplier
    ("CN", "Jiangsu", False),  # S2: domestic supplier
    ("DE", "", False),  # S3: foreign supplier
    ("CN", "Shanghai", False),  # S4: makes control chips, supplies nobody yet
    ("US", "", False),  # S5: foreign supplier
    ("CN", "Beijing", True),  # V1: car maker in the park
    ("CN", "Guangdong", False),  # V2: car maker
    ("CN", "Beijing", True),  # S6: in-park supplier, only grade 2
    ("CN", "Beijing", True),  # S7: in park, makes control chips, supplies nobody yet
]
CONTROL, POWER = range(2)
CATEGORIES = ["control", "power"]
LINKS = [
    (S1, V1, CONTROL, 0.5),  # 0: effective 0.5
    (S3, V1, CONTROL, 0.5),  # 1: effective 0.5
    (S2, V2, CONTROL, None),  # 2: V2 control known 0.4, so S2 gets the rest 0.6
    (S6, V2, CONTROL, 0.4),  # 3: effective 0.4
    (S1, V2, POWER, 0.7),  # 4: effective 0.7
    (S5, V2, POWER, 0.3),  # 5: effective 0.3
    (S3, V1, POWER, None),  # 6: V1's only power supplier, effective 1.0
]
GRADES = {
    # (organisation, category): (AEC-Q100 grade, ISO 26262 level)
    (S1, CONTROL): ("1", None),
    (S1, POWER): ("0", None),
    (S2, CONTROL): ("1", None),
    (S3, CONTROL): ("0", "D"),
    (S3, POWER): ("0", None),
    (S4, CONTROL): ("0", None),
    (S5, POWER): ("1", None),
    (S6, CONTROL): ("2", None),
    (S7, CONTROL): ("1", None),
}


@pytest.fixture
def chain():
    return chain_from(organisations=ORGANISATIONS, links=LINKS, categories=CATEGORIES)


@pytest.fixture
def qualifications(chain):
    return qualifications_from(chain, grades=GRADES)


def db(organisation: int) -> int:
    return 100 + organisation


def cells(result) -> list[tuple[int, int]]:
    return list(zip(result.buyer.tolist(), result.category.tolist(), strict=True))


def test_one_supplier_taken_out(chain, qualifications):
    result = simulate(chain, qualifications, Scenario(suppliers=frozenset({db(S1)})))

    assert result.taken_out.tolist() == [i == S1 for i in range(9)]
    assert result.lost_links.tolist() == [0, 4]
    assert cells(result) == [(V1, CONTROL), (V2, POWER)]
    np.testing.assert_allclose(result.lost_share, [0.5, 0.7])
    assert result.left_without_supplier.tolist() == [False, False]  # V1 keeps S3, V2 keeps S5
    assert result.buyer_taken_out.tolist() == [False, False]
    # Link 0: V1 keeps S3 (grade 0 + ASIL D), at least as strict as S1's grade 1 -> TTR 0.
    # Link 4: V2 keeps S5 at grade 1 only, S1 was grade 0 -> re-qualify: TTR 180 > TTS 30, exposed.
    assert result.ttr_days.tolist() == [0.0, DEFAULT_REQUALIFICATION_DAYS]
    assert result.tts_days.tolist() == [DEFAULT_INVENTORY_DAYS, DEFAULT_INVENTORY_DAYS]
    assert result.exposed.tolist() == [False, True]
    # V1 control needs grade 1 or stricter: S7 (domestic, in park), S2 (domestic, serves 1 buyer), S4 (domestic,
    # serves none), S3 (foreign). S6 (grade 2) is refused although domestic and in the park; S1 is taken out.
    # V2 power needs grade 0: only S3; S5 (grade 1) refused.
    assert result.alternatives.tolist() == [[S7, S2, S4, S3, -1], [S3, -1, -1, -1, -1]]
    assert result.required_aec_q100.tolist() == [2, 3]  # ranks of grade 1 and grade 0
    assert result.required_asil.tolist() == [NONE, NONE]
    assert result.total_lost == pytest.approx(1.2)


def test_a_province_taken_out(chain, qualifications):
    # Beijing: S1, V1, S6, S7 are taken out (V1 as a buyer too).
    result = simulate(chain, qualifications, Scenario(province="Beijing", alternatives=3))

    assert result.suppliers_taken_out == 4
    assert result.lost_links.tolist() == [0, 3, 4]
    assert cells(result) == [(V1, CONTROL), (V2, CONTROL), (V2, POWER)]
    np.testing.assert_allclose(result.lost_share, [0.5, 0.4, 0.7])
    assert result.left_without_supplier.tolist() == [False, False, False]
    assert result.buyer_taken_out.tolist() == [True, False, False]
    # Link 3 (S6 grade 2 -> V2): V2 keeps S2 at grade 1, stricter -> TTR 0.
    assert result.ttr_days.tolist() == [0.0, 0.0, 180.0]
    assert result.exposed.tolist() == [False, False, True]
    # V1 control (grade 1): S7 is out now -> S2, S4, S3. V2 control (grade 2): S2, S4, S3 (S6, S7 out).
    assert result.alternatives.tolist() == [[S2, S4, S3], [S2, S4, S3], [S3, -1, -1]]


def test_a_country_taken_out_with_edited_times(chain, qualifications):
    scenario = Scenario(
        country="DE",
        requalification_days={"power": 90},
        inventory_days={"power": 120},
        inventory_days_by_buyer={},
    )
    result = simulate(chain, qualifications, scenario)

    assert result.lost_links.tolist() == [1, 6]
    assert cells(result) == [(V1, CONTROL), (V1, POWER)]
    np.testing.assert_allclose(result.lost_share, [0.5, 1.0])
    assert result.left_without_supplier.tolist() == [False, True]  # S3 was V1's only power supplier
    # Link 1: V1 keeps S1 at grade 1 without ASIL, S3 was grade 0 + ASIL D -> TTR 180 (default) > TTS 30.
    # Link 6: nobody left -> TTR 90 (edited for power) < TTS 120 (edited for power): not exposed.
    assert result.ttr_days.tolist() == [180.0, 90.0]
    assert result.tts_days.tolist() == [30.0, 120.0]
    assert result.exposed.tolist() == [True, False]
    # V1 control needs grade 0 AND ASIL D: S4 has grade 0 but no ASIL -> refused; nobody qualifies.
    # V1 power needs grade 0: S1 (domestic, in park); S5 grade 1 refused.
    assert result.alternatives.tolist() == [[-1] * 5, [S1, -1, -1, -1, -1]]
    assert result.required_asil.tolist() == [4, NONE]


def test_inventory_days_per_buyer_override_the_category(chain, qualifications):
    result = simulate(chain, qualifications, Scenario(country="DE", inventory_days_by_buyer={db(V1): 200}))
    # Both lost links are V1's: TTS 200 for both; TTR 180 and 180 -> nothing exposed.
    assert result.tts_days.tolist() == [200.0, 200.0]
    assert result.exposed.tolist() == [False, False]


def test_a_scenario_can_combine_suppliers_province_and_country(chain, qualifications):
    result = simulate(chain, qualifications, Scenario(suppliers=frozenset({db(S5)}), country="DE"))
    # S5 -> V2 power (0.3) and S3 -> V1 control (0.5), V1 power (1.0).
    assert result.lost_links.tolist() == [1, 5, 6]
    assert cells(result) == [(V1, CONTROL), (V1, POWER), (V2, POWER)]
    np.testing.assert_allclose(result.lost_share, [0.5, 1.0, 0.3])


def test_a_supplier_with_no_counted_links_loses_nothing(chain, qualifications):
    result = simulate(chain, qualifications, Scenario(suppliers=frozenset({db(S4)})))
    assert result.lost_links.tolist() == []
    assert result.alternatives.shape == (0, 5)
    assert result.total_lost == 0.0


@pytest.mark.parametrize(
    ("scenario", "field", "message"),
    [
        (
            lambda: Scenario(suppliers=frozenset({12345})),
            "suppliers",
            "There is no supplier with id 12345 in the chain.",
        ),
        (lambda: Scenario(province="Atlantis"), "province", "There is no organisation in province “Atlantis”"),
        (lambda: Scenario(country="XX"), "country", "There is no organisation in country “XX”"),
        (lambda: Scenario(country="DE", requalification_days={"quantum": 10}), "requalification_days", "quantum"),
        (lambda: Scenario(country="DE", inventory_days_by_buyer={999: 10}), "inventory_days_by_buyer", "999"),
    ],
)
def test_unknown_names_in_a_scenario_are_refused(chain, qualifications, scenario, field, message):
    with pytest.raises(ChipTownError) as caught:
        simulate(chain, qualifications, scenario())
    assert message in caught.value.message
    assert [p.column for p in caught.value.problems] == [field]


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({}, "suppliers"),
        ({"province": "", "country": None}, "suppliers"),
        ({"country": "DE", "default_requalification_days": -1}, "default_requalification_days"),
        ({"country": "DE", "default_inventory_days": float("nan")}, "default_inventory_days"),
        ({"country": "DE", "inventory_days": {"power": -5}}, "inventory_days[power]"),
        ({"country": "DE", "inventory_days_by_buyer": {105: "ten"}}, "inventory_days_by_buyer[105]"),
        ({"country": "DE", "alternatives": 0}, "alternatives"),
    ],
)
def test_empty_scenarios_and_bad_days_are_refused(arguments, field):
    with pytest.raises(ChipTownError) as caught:
        Scenario(**arguments)
    assert [p.column for p in caught.value.problems] == [field]


def test_negative_days_name_the_field_and_value():
    with pytest.raises(ChipTownError) as caught:
        Scenario(country="DE", inventory_days={"power": -5})
    assert caught.value.message == "The number of days for inventory_days[power] must be zero or more, not -5."


def test_qualifications_for_another_chain_are_refused(chain):
    other = chain_from(organisations=ORGANISATIONS[:3], links=[], categories=CATEGORIES)
    with pytest.raises(ChipTownError) as caught:
        simulate(chain, SupplierQualifications.empty(other), Scenario(country="DE"))
    assert [p.column for p in caught.value.problems] == ["qualifications"]


def test_summary_and_rows_for_pages(chain, qualifications):
    result = simulate(chain, qualifications, Scenario(suppliers=frozenset({db(S1)}), alternatives=2))
    assert (result.buyers_hit, result.pairs_without_supplier, result.links_exposed) == (2, 0, 1)
    # Most volume lost first: V2 power 0.7, then V1 control 0.5.
    assert result.cell_rows(chain) == [
        {
            "buyer_id": db(V2),
            "category": "power",
            "lost_share": 0.7,
            "left_without_supplier": False,
            "buyer_taken_out": False,
            "alternative_ids": [db(S3)],
        },
        {
            "buyer_id": db(V1),
            "category": "control",
            "lost_share": 0.5,
            "left_without_supplier": False,
            "buyer_taken_out": False,
            "alternative_ids": [db(S7), db(S2)],
        },
    ]
    assert result.link_rows(chain, exposed_only=True) == [
        {
            "supplier_id": db(S1),
            "buyer_id": db(V2),
            "category": "power",
            "effective_share": 0.7,
            "ttr_days": 180.0,
            "tts_days": 30.0,
            "exposed": True,
        }
    ]
    assert len(result.link_rows(chain)) == 2


def test_a_supplier_id_that_is_not_a_number_is_refused(chain, qualifications):
    with pytest.raises(ChipTownError) as caught:
        simulate(chain, qualifications, Scenario(suppliers=frozenset({"S1"})))  # type: ignore[arg-type]
    assert caught.value.message == "There is no supplier with id S1 in the chain."
