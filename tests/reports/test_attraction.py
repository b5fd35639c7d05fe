"""Investment attraction worked out on paper: gaps, candidates and their fit scores, and bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chiptown.core.errors import ChipTownError
from chiptown.reports.attraction import (
    AttractionProfiles,
    Gap,
    candidates,
    empty_profiles,
    gaps,
)
from chiptown.reports.scenarios import SupplierQualifications
from tests.reports.chain_builders import chain_from

# Organisations (id: country, province, in park); database ids are 100 + id.
P1, P2, PS, B, C, D, E, X = range(8)
ORGANISATIONS = [
    ("CN", "Beijing", True),  # P1: car maker in the park
    ("CN", "Beijing", True),  # P2: car maker in the park
    ("CN", "Beijing", True),  # PS: in-park chip supplier
    ("CN", "Jiangsu", False),  # B: domestic, outside the park
    ("DE", "", False),  # C: foreign
    ("US", "", False),  # D: foreign
    ("CN", "Shanghai", False),  # E: domestic, outside the park
    ("CN", "Guangdong", False),  # X: a car maker outside the park (buyer only)
]
CONTROL, POWER, MEMORY, SENSING = range(4)
CATEGORIES = ["control", "power", "memory", "sensing"]
LINKS = [
    (PS, P1, CONTROL, 0.5),  # P1 control has an in-park supplier: no gap for P1
    (C, P1, CONTROL, None),
    (B, P2, CONTROL, 0.6),  # P2 control: B and C, both outside the park (B is domestic): park gap only
    (C, P2, CONTROL, 0.4),
    (C, P1, POWER, None),  # P1 power: only C (foreign), effective share 1.0
    (D, P2, POWER, 0.7),  # P2 power: only D (foreign), recorded volume 0.7
    (E, X, POWER, 0.5),  # X is outside the park: its links make no gap, but E and B supply power elsewhere
    (B, X, POWER, None),
    (E, P1, MEMORY, None),  # P1 memory: only E (domestic, outside the park), effective 1.0
    (C, X, MEMORY, 0.5),
]
# Links per supplier: B 2 (control, power), C 4 (control x2, power, memory), D 1 (power), E 2 (power, memory).


@pytest.fixture
def chain():
    return chain_from(organisations=ORGANISATIONS, links=LINKS, categories=CATEGORIES)


@pytest.fixture
def profiles(chain):
    qualifications = SupplierQualifications.empty(chain)
    # Power: B AEC-Q100 grade 2 (rank 1), C grade 0 (rank 3) with ASIL B (rank 2), D grade 1 (rank 2), E none.
    qualifications.aec_q100[[B, C, D], POWER] = [1, 3, 2]
    qualifications.asil[C, POWER] = 2
    size_band = np.zeros(len(ORGANISATIONS), dtype=np.int32)
    size_band[[B, C, D, E]] = [3, 5, 4, 2]  # medium, giant, large, small
    iatf = np.zeros(len(ORGANISATIONS), dtype=bool)
    iatf[[C, E]] = True
    return AttractionProfiles(size_band=size_band, iatf=iatf, qualifications=qualifications)


def _gap(found: list[Gap], kind: str, code: str) -> Gap:
    return next(g for g in found if (g.kind, g.category_code) == (kind, code))


def test_gaps_by_hand(chain):
    found = gaps(chain)
    assert [(g.kind, g.category_code) for g in found] == [
        ("outside_park", "control"),
        ("outside_park", "power"),
        ("outside_park", "memory"),
        ("outside_country", "power"),
    ]
    # control: P2 only (P1 has PS); volume 0.6 + 0.4 = 1.0 in 2 links; 2 in-park buyers, so not the whole category.
    control = _gap(found, "outside_park", "control")
    assert (control.buyers, control.buyer_organisation_ids) == ((P2,), (101,))
    assert (control.volume, control.links, control.in_park_buyers, control.whole_category) == (1.0, 2, 2, False)
    # power: P1 (C, effective 1.0) and P2 (D, 0.7): volume 1.0 + 0.7 = 1.7, both in-park buyers.
    for kind in ("outside_park", "outside_country"):
        power = _gap(found, kind, "power")
        assert power.buyers == (P1, P2)
        assert power.volume == pytest.approx(1.7)
        assert (power.links, power.in_park_buyers, power.whole_category) == (2, 2, True)
    # memory: P1 from E (domestic, effective 1.0): outside the park, but not outside the country.
    memory = _gap(found, "outside_park", "memory")
    assert (memory.buyers, memory.volume, memory.links, memory.whole_category) == ((P1,), 1.0, 1, True)
    # sensing has no links: no in-park buyer, so no gap.


def test_candidates_for_the_outside_country_power_gap_by_hand(chain, profiles):
    gap = _gap(gaps(chain), "outside_country", "power")
    ranked = candidates(chain, profiles, gap)
    # Outside-park suppliers of power anywhere: B, C, D, E. Parts (focus + qualification + scale + buyers + domestic):
    # D: 25 x 1/1 = 25    + AEC grade 1: 4 x 3 = 12             + large 5 x 3 = 15  + 1 buyer 4 + foreign 0  = 56
    # C: 25 x 1/4 = 6.25  + grade 0: 16, ASIL B 2, IATF 5 = 23  + giant 5 x 4 = 20  + 4          + foreign 0  = 53.25
    # B: 25 x 1/2 = 12.5  + grade 2: 4 x 2 = 8                  + medium 5 x 2 = 10 + 4 (X)      + domestic 10 = 44.5
    # E: 25 x 1/2 = 12.5  + none 0, IATF 5 = 5                  + small 5 x 1 = 5   + 4 (X)      + domestic 10 = 36.5
    assert [(c.supplier, c.organisation_id, c.score) for c in ranked] == [
        (D, 105, 56),
        (C, 104, 53.25),
        (B, 103, 44.5),
        (E, 106, 36.5),
    ]
    c = ranked[1]
    parts = (c.category_points, c.qualification_points, c.scale_points, c.buyers_points, c.domestic_points)
    assert parts == (6.25, 23, 20, 4, 0)
    assert (c.links_in_category, c.links_total, c.buyers_served) == (1, 4, 1)
    assert (c.aec_q100_grade, c.asil, c.iatf, c.size_band, c.domestic) == ("0", "B", True, "giant", False)
    assert c.reasons == (
        "1 of its 4 supply links are in power: 6.25 points for focus.",
        "Qualified in power: AEC-Q100 grade 0, ISO 26262 B, IATF 16949 yes: 23 points for qualification.",
        "Size band giant: 20 points for scale.",
        "It supplies power to 1 buyer(s): 4 points.",
        "It is outside China, so it does not close a domestic gap by itself: 0 points.",
    )
    assert ranked[2].reasons[-1] == "It is a Chinese organisation, the domestic source this gap lacks: 10 points."
    assert ranked[3].aec_q100_grade is None and ranked[3].asil is None


def test_candidates_for_an_outside_park_gap_have_no_domestic_points_and_respect_top(chain, profiles):
    gap = _gap(gaps(chain), "outside_park", "power")
    ranked = candidates(chain, profiles, gap, top=3)
    # Same parts without the domestic 10: D 56, C 53.25, B 34.5, E 26.5; top 3.
    assert [(c.supplier, c.score) for c in ranked] == [(D, 56), (C, 53.25), (B, 34.5)]
    assert all(len(c.reasons) == 4 for c in ranked)


def test_candidates_for_memory_and_with_empty_profiles(chain, profiles):
    gap = _gap(gaps(chain), "outside_park", "memory")
    # Memory suppliers outside the park: E (-> P1) and C (-> X); no memory qualifications.
    # C: 25 x 1/4 = 6.25 + IATF 5 + giant 20 + 1 buyer 4 = 35.25;  E: 25 x 1/2 = 12.5 + IATF 5 + small 5 + 4 = 26.5
    assert [(c.supplier, c.score) for c in candidates(chain, profiles, gap)] == [(C, 35.25), (E, 26.5)]
    # Knowing nothing of the organisations: focus and buyers only. E 12.5 + 4 = 16.5; C 6.25 + 4 = 10.25.
    assert [(c.supplier, c.score) for c in candidates(chain, empty_profiles(chain), gap)] == [(E, 16.5), (C, 10.25)]
    assert (
        candidates(chain, empty_profiles(chain), gap)[0].reasons[2] == "Its size is not recorded: 0 points for scale."
    )


def test_buyers_served_count_up_to_five():
    # One supplier S outside the park supplies control to the in-park buyer and to six others: 4 x min(7, 5) = 20.
    organisations = [("CN", "Beijing", True)] + [("CN", "Hubei", False)] * 8
    links = [(1, buyer, 0, None) for buyer in [0, 2, 3, 4, 5, 6, 7]]
    chain = chain_from(organisations=organisations, links=links, categories=["control"])
    (gap,) = gaps(chain)
    (only,) = candidates(chain, empty_profiles(chain), gap)
    # focus 25 x 7/7 = 25, buyers 20: 45.
    assert (only.buyers_served, only.buyers_points, only.score) == (7, 20, 45)


def test_an_empty_chain_and_a_chain_without_gaps_give_empty_results():
    empty = chain_from(organisations=[], links=[], categories=["control"])
    assert gaps(empty) == []
    # Every in-park buyer has an in-park, domestic supplier: nothing to attract.
    local = chain_from(
        organisations=[("CN", "Beijing", True), ("CN", "Beijing", True), ("DE", "", False)],
        links=[(1, 0, 0, 0.5), (2, 0, 0, 0.5)],
        categories=["control"],
    )
    assert gaps(local) == []
    # A gap whose category nobody outside the park supplies has no candidates.
    gap = Gap("outside_park", 0, "control", (0,), (100,), 1.0, 1, 1)
    only_in_park = chain_from(
        organisations=[("CN", "Beijing", True), ("CN", "Beijing", True)],
        links=[(1, 0, 0, None)],
        categories=["control"],
    )
    assert candidates(only_in_park, empty_profiles(only_in_park), gap) == []


@pytest.mark.parametrize("top", [0, -1, 2.5, True])
def test_a_bad_top_is_refused(chain, profiles, top):
    gap = gaps(chain)[0]
    with pytest.raises(ChipTownError) as error:
        candidates(chain, profiles, gap, top=top)
    assert error.value.code == "bad_top"
    assert [p.column for p in error.value.problems] == ["top"]


def test_profiles_of_another_chain_are_refused(chain):
    other = chain_from(organisations=ORGANISATIONS[:3], links=[], categories=CATEGORIES)
    with pytest.raises(ChipTownError) as error:
        candidates(chain, empty_profiles(other), gaps(chain)[0])
    assert error.value.code == "bad_profiles"
    assert [p.column for p in error.value.problems] == ["size_band", "qualifications"]


def test_a_gap_naming_an_unknown_category_is_refused(chain, profiles):
    with pytest.raises(ChipTownError) as error:
        candidates(chain, profiles, Gap("outside_park", 9, "wheels", (0,), (100,), 1.0, 1, 1))
    assert error.value.code == "unknown_category"


@st.composite
def _chains(draw):
    n_org = draw(st.integers(min_value=1, max_value=8))
    organisations = [
        draw(st.sampled_from([("CN", "Beijing", True), ("CN", "Hubei", False), ("DE", "", False)]))
        for _ in range(n_org)
    ]
    links = draw(
        st.lists(
            st.tuples(
                st.integers(0, n_org - 1),
                st.integers(0, n_org - 1),
                st.integers(0, 2),
                st.none() | st.floats(min_value=0, max_value=1),
            ),
            max_size=25,
        )
    )
    chain = chain_from(organisations=organisations, links=links, categories=["a", "b", "c"])
    qualifications = SupplierQualifications.empty(chain)
    qualifications.aec_q100[:] = draw(st.integers(-1, 3))
    qualifications.asil[:] = draw(st.integers(-1, 4))
    profiles = AttractionProfiles(
        size_band=np.array([draw(st.integers(0, 5)) for _ in range(n_org)], dtype=np.int32),
        iatf=np.array([draw(st.booleans()) for _ in range(n_org)], dtype=bool),
        qualifications=qualifications,
    )
    return chain, profiles


@settings(max_examples=60, deadline=None)
@given(_chains())
def test_gaps_and_candidates_hold_their_definitions(drawn):
    chain, profiles = drawn
    for gap in gaps(chain):
        local = chain.in_park if gap.kind == "outside_park" else chain.domestic
        for buyer in gap.buyers:
            assert chain.in_park[buyer]
            mine = (chain.buyer == buyer) & (chain.category == gap.category)
            assert mine.any() and not local[chain.supplier[mine]].any()
        assert 0 < len(gap.buyers) <= gap.in_park_buyers
        ranked = candidates(chain, profiles, gap, top=50)
        scores = [c.score for c in ranked]
        assert scores == sorted(scores, reverse=True)
        for c in ranked:
            assert not chain.in_park[c.supplier]
            assert ((chain.supplier == c.supplier) & (chain.category == gap.category)).any()
            parts = c.category_points + c.qualification_points + c.scale_points + c.buyers_points + c.domestic_points
            assert c.score == pytest.approx(parts)
            assert 0 < c.score <= 100
            assert c.domestic_points == (10 if gap.kind == "outside_country" and c.domestic else 0)
