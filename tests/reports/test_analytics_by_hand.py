"""A small chain worked out on paper: every metric checked against the hand arithmetic in the comments."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chiptown.core.errors import ChipTownError
from chiptown.reports.analytics import (
    all_single_failures,
    chokepoints,
    concentration,
    localisation,
    single_source,
    vehicle_localisation,
)
from tests.reports.chain_builders import chain_from

# Organisations (id: name, country, province, in park):
A, B, C, D, E, V1, V2, T1 = range(8)
ORGANISATIONS = [
    ("CN", "Beijing", True),  # A: domestic, in the park (the only in-park supplier)
    ("CN", "Jiangsu", False),  # B: domestic
    ("DE", "", False),  # C: foreign
    ("US", "", False),  # D: foreign
    ("CN", "Shanghai", False),  # E: domestic
    ("CN", "Beijing", True),  # V1: car maker in the park (buyer only)
    ("CN", "Guangdong", False),  # V2: car maker (buyer only)
    ("CN", "Beijing", False),  # T1: tier-1 (buyer only)
]
CONTROL, POWER, MEMORY, SENSING = range(4)  # sensing has no links at all
CATEGORIES = ["control", "power", "memory", "sensing"]
LINKS = [
    # control
    (A, V1, CONTROL, 0.5),  # V1 control: known 0.5, two unknown share the rest 0.5 -> 0.25 each
    (C, V1, CONTROL, None),  # effective 0.25
    (B, V1, CONTROL, None),  # effective 0.25
    (C, V2, CONTROL, 0.6),
    (D, V2, CONTROL, 0.4),
    (B, T1, CONTROL, None),  # T1's only control supplier: effective 1.0 (domestic single source)
    # power
    (A, V1, POWER, 0.7),  # V1 power: known 0.7 + 0.3 = 1.0 already ...
    (E, V1, POWER, 0.3),
    (B, V1, POWER, None),  # ... so the unknown one gets 0
    (D, V2, POWER, None),  # V2's only power supplier: effective 1.0 (foreign single source)
    (E, T1, POWER, 0.6),  # T1's only power supplier, recorded volume 0.6 (the rest unknown to the registry)
    # memory
    (C, V1, MEMORY, None),  # V1's only memory supplier: effective 1.0 (foreign single source)
    (A, V2, MEMORY, 0.3),  # V2 memory: recorded 0.3 + 0.2 = 0.5
    (B, V2, MEMORY, 0.2),
    (E, T1, MEMORY, 0.8),  # T1 memory: known 0.8 + 0.4 = 1.2 > 1, scaled by 1/1.2: E 2/3, C 1/3
    (C, T1, MEMORY, 0.4),
]


@pytest.fixture
def chain():
    return chain_from(organisations=ORGANISATIONS, links=LINKS, categories=CATEGORIES)


def test_effective_shares(chain):
    expected = [0.5, 0.25, 0.25, 0.6, 0.4, 1.0, 0.7, 0.3, 0.0, 1.0, 0.6, 1.0, 0.3, 0.2, 2 / 3, 1 / 3]
    np.testing.assert_allclose(chain.effective_share, expected)


def test_localisation_by_links_and_volume(chain):
    table = localisation(chain)
    assert table.category_codes == ("control", "power", "memory", "sensing")
    assert table.links.tolist() == [6, 5, 5, 0]
    assert table.buyers.tolist() == [3, 3, 3, 0]  # V1, V2 and T1 buy in each of the first three
    # By links. control: domestic A, B, B = 3 of 6; in park A = 1 of 6.
    # power: domestic A, E, B, E = 4 of 5; in park A = 1 of 5. memory: domestic A, B, E = 3 of 5; in park A = 1 of 5.
    np.testing.assert_allclose(table.domestic_by_links[:3], [3 / 6, 4 / 5, 3 / 5])
    np.testing.assert_allclose(table.in_park_by_links[:3], [1 / 6, 1 / 5, 1 / 5])
    # By volume, each buyer equal, ratios of the recorded volume:
    # control: V1 (A .5 + B .25) / 1 = .75, V2 0 (C, D foreign), T1 1 -> (.75 + 0 + 1) / 3 = 7/12;
    #          in park: V1 .5, V2 0, T1 0 -> .5 / 3 = 1/6.
    # power:   V1 (.7 + .3 + 0) / 1 = 1, V2 0, T1 .6 / .6 = 1 -> 2/3; in park V1 .7 -> .7 / 3.
    # memory:  V1 0, V2 (.3 + .2) / .5 = 1, T1 (2/3) / 1 = 2/3 -> (0 + 1 + 2/3) / 3 = 5/9;
    #          in park V2 .3 / .5 = .6 -> .6 / 3 = .2.
    np.testing.assert_allclose(table.domestic_by_volume[:3], [7 / 12, 2 / 3, 5 / 9])
    np.testing.assert_allclose(table.in_park_by_volume[:3], [1 / 6, 0.7 / 3, 0.2])
    # sensing has no links: "no data".
    assert all(math.isnan(getattr(table, c)[SENSING]) for c in table.COLUMNS[3:])
    assert table.rows()[0]["category_codes"] == "control"
    assert table.rows()[0]["links"] == 6


def test_vehicle_localisation_weights_the_bill_of_materials(chain):
    result = vehicle_localisation(chain, {"control": 10, "power": 20, "memory": 10, "sensing": 5})
    # sensing has no suppliers: left out, so the weights are 10/40, 20/40, 10/40.
    assert result.no_data == ("sensing",)
    assert result.chips_counted == 40
    assert result.chips_without_data == 5
    assert [(r.category_code, r.weight) for r in result.categories] == [
        ("control", 0.25),
        ("power", 0.5),
        ("memory", 0.25),
    ]
    # domestic: .25 x 7/12 + .5 x 2/3 + .25 x 5/9 = 21/144 + 48/144 + 20/144 = 89/144
    assert result.domestic_rate == pytest.approx(89 / 144)
    # in park: .25 x 1/6 + .5 x .7/3 + .25 x .2 = 5/120 + 14/120 + 6/120 = 5/24
    assert result.in_park_rate == pytest.approx(5 / 24)


def test_vehicle_localisation_of_only_categories_without_data_has_no_rate(chain):
    result = vehicle_localisation(chain, {"sensing": 3, "control": 0})
    assert result.domestic_rate is None
    assert result.in_park_rate is None
    assert result.no_data == ("sensing",)
    assert result.categories == ()


@pytest.mark.parametrize(
    ("bom", "column", "reason"),
    [
        ({"control": -1}, "control", "The chip count for “control” is negative."),
        ({"control": "many"}, "control", "The chip count for “control” is not a number."),
        ({"control": True}, "control", "The chip count for “control” is not a number."),
        ({"control": float("nan")}, "control", "The chip count for “control” is not a number."),
        ({"control": None}, "control", "The chip count for “control” is not a number."),
        ({"lidar": 3}, "lidar", "“lidar” is not a chip category."),
    ],
)
def test_vehicle_localisation_refuses_bad_counts(chain, bom, column, reason):
    with pytest.raises(ChipTownError) as raised:
        vehicle_localisation(chain, bom)
    assert raised.value.code == "bad_bom"
    assert [(p.column, p.reason) for p in raised.value.problems] == [(column, reason)]


def test_vehicle_localisation_refuses_an_all_zero_bill(chain):
    with pytest.raises(ChipTownError, match="counts no chips"):
        vehicle_localisation(chain, {"control": 0, "power": 0.0})
    with pytest.raises(ChipTownError, match="counts no chips"):
        vehicle_localisation(chain, {})


def test_concentration_hhi(chain):
    table = concentration(chain)
    # Suppliers' shares = mean over the 3 buyers of their part of each buyer's recorded volume.
    # control: A .5/3 = 10/60, B (.25 + 1)/3 = 25/60, C (.25 + .6)/3 = 17/60, D .4/3 = 8/60 (sum 60/60)
    #   HHI = 10,000 x (100 + 625 + 289 + 64) / 3600 = 10,000 x 1078/3600
    # power: A .7/3, E (.3 + 1)/3, D 1/3, B 0 -> 10,000 x (.49 + 1.69 + 1 + 0) / 9 = 10,000 x 3.18/9
    # memory: C (1 + 1/3)/3 = 4/9, E (2/3)/3 = 2/9, A (.3/.5)/3 = .2, B (.2/.5)/3 = 2/15
    #   squares = 16/81 + 4/81 + .04 + 4/225 = (500 + 81 + 36)/2025 = 617/2025 -> HHI 6,170,000/2025
    np.testing.assert_allclose(table.hhi[:3], [10_000 * 1078 / 3600, 10_000 * 3.18 / 9, 6_170_000 / 2025])
    assert math.isnan(table.hhi[SENSING])
    # B counts as a power supplier although its effective share there is 0: it has a link in production.
    assert table.suppliers.tolist() == [4, 4, 4, 0]


def test_single_sources(chain):
    found = single_source(chain)
    # (buyer, category) pairs with one supplier, by buyer then category:
    # V1 memory <- C (foreign), V2 power <- D (foreign), T1 control <- B, T1 power <- E.
    assert found.rows() == [
        {"buyer": V1, "category": MEMORY, "supplier": C, "foreign": True},
        {"buyer": V2, "category": POWER, "supplier": D, "foreign": True},
        {"buyer": T1, "category": CONTROL, "supplier": B, "foreign": False},
        {"buyer": T1, "category": POWER, "supplier": E, "foreign": False},
    ]


def test_every_single_failure(chain):
    failures = all_single_failures(chain)
    # A: V1 control .5, V1 power .7, V2 memory .3 -> 1.5; no pair left without a supplier; buyers V1, V2.
    # B: V1 control .25, V1 power 0, V2 memory .2, T1 control 1 (alone) -> 1.45; 1 pair; buyers V1, V2, T1.
    # C: V1 control .25, V1 memory 1 (alone), V2 control .6, T1 memory 1/3 -> 2 + 11/60; 1 pair; 3 buyers.
    # D: V2 control .4, V2 power 1 (alone) -> 1.4; 1 pair; buyer V2.
    # E: V1 power .3, T1 power .6 (alone), T1 memory 2/3 -> 1 + 17/30; 1 pair; buyers V1, T1.
    np.testing.assert_allclose(failures.total_lost[:5], [1.5, 1.45, 2 + 11 / 60, 1.4, 1 + 17 / 30])
    assert failures.total_lost[5:].tolist() == [0, 0, 0]  # buyers only supply nobody
    assert failures.pairs_without_supplier.tolist() == [0, 1, 1, 1, 1, 0, 0, 0]
    assert failures.buyers_hit.tolist() == [2, 3, 3, 1, 2, 0, 0, 0]
    rows = failures.for_supplier(C)
    assert list(
        zip(
            failures.buyer[rows].tolist(),
            failures.category[rows].tolist(),
            failures.lost_share[rows].round(6).tolist(),
            failures.left_without_supplier[rows].tolist(),
            strict=True,
        )
    ) == [(V1, CONTROL, 0.25, False), (V1, MEMORY, 1.0, True), (V2, CONTROL, 0.6, False), (T1, MEMORY, 0.333333, False)]
    # 16 links, each a different (supplier, buyer, category): 16 triples; V1 supplies nothing.
    assert len(failures.lost_share) == 16
    assert failures.for_supplier(V1) == slice(16, 16)


def test_chokepoints_ranked_by_lost_volume(chain):
    ranked = chokepoints(chain, top=3)
    # total lost: C 2.183, E 1.567, A 1.5, B 1.45, D 1.4 -> C, E, A; database ids are 100 + index.
    assert ranked.supplier.tolist() == [C, E, A]
    assert ranked.organisation_id.tolist() == [102, 104, 100]
    assert ranked.domestic.tolist() == [False, True, True]
    assert ranked.in_park.tolist() == [False, False, True]
    assert len(chokepoints(chain, top=50)) == 5  # only organisations that supply someone are listed


def test_chokepoint_ties_go_to_more_buyers_left_without_a_supplier():
    # S0 supplies B0 (half) and B1 (half): loses .5 + .5 = 1, leaves no pair without a supplier.
    # OTHER supplies the other halves: loses 1, leaves none. S1 supplies B2 alone: loses 1, leaves 1 pair.
    # All lose 1, so S1 ranks first; S0 and OTHER tie on both and go by id.
    organisations = [("CN", "", False)] * 6
    S0, S1, B0, B1, B2, OTHER = range(6)
    links = [(S0, B0, 0, 0.5), (OTHER, B0, 0, 0.5), (S0, B1, 0, 0.5), (OTHER, B1, 0, 0.5), (S1, B2, 0, None)]
    chain = chain_from(organisations=organisations, links=links, categories=["control"])
    assert chokepoints(chain, top=3).supplier.tolist() == [S1, S0, OTHER]


@pytest.mark.parametrize("top", [0, -1, 2.5, True])
def test_chokepoints_refuse_a_bad_top(chain, top):
    with pytest.raises(ChipTownError, match="at least 1"):
        chokepoints(chain, top=top)


def test_an_empty_chain_gives_empty_results_not_errors():
    chain = chain_from(organisations=[], links=[], categories=CATEGORIES)
    table = localisation(chain)
    assert table.links.tolist() == [0, 0, 0, 0]
    assert np.isnan(table.domestic_by_volume).all()
    hhi = concentration(chain)
    assert np.isnan(hhi.hhi).all()
    assert hhi.suppliers.tolist() == [0, 0, 0, 0]
    assert len(single_source(chain)) == 0
    failures = all_single_failures(chain)
    assert failures.supplier_start.tolist() == [0]
    assert len(chokepoints(chain)) == 0
    assert vehicle_localisation(chain, {"control": 1}).domestic_rate is None


def test_a_registry_without_categories_or_organisations_gives_empty_tables():
    chain = chain_from(organisations=[], links=[], categories=[])
    assert localisation(chain).rows() == []
    assert concentration(chain).rows() == []
    assert single_source(chain).rows() == []
    assert len(chokepoints(chain)) == 0


def test_organisations_without_links_count_nowhere(chain):
    lonely = chain_from(organisations=[*ORGANISATIONS, ("CN", "", True)], links=LINKS, categories=CATEGORIES)
    np.testing.assert_allclose(localisation(lonely).domestic_by_volume[:3], localisation(chain).domestic_by_volume[:3])


@pytest.mark.parametrize(
    ("links", "column"),
    [
        ([(0, 9, 0, None)], "buyer"),
        ([(-1, 1, 0, None)], "supplier"),
        ([(0, 1, 4, None)], "category"),
        ([(0, 1, 0, 1.5)], "share"),
        ([(0, 1, 0, -0.1)], "share"),
    ],
)
def test_malformed_columns_are_refused(links, column):
    with pytest.raises(ChipTownError) as raised:
        chain_from(organisations=ORGANISATIONS[:2], links=links, categories=CATEGORIES)
    assert raised.value.problems[0].column == column


def test_database_ids_and_codes_map_to_chain_ids(chain):
    # chain_from gives organisation i the database id 100 + i (sorted, as chain_columns_load does).
    assert chain.organisation_index(104) == E
    assert chain.category_index("memory") == MEMORY
    with pytest.raises(ChipTownError, match="no organisation with id 99"):
        chain.organisation_index(99)
    with pytest.raises(ChipTownError, match="no organisation with id 999"):
        chain.organisation_index(999)
    with pytest.raises(ChipTownError, match="“lidar” is not a chip category"):
        chain.category_index("lidar")
