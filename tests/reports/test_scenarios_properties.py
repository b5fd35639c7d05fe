"""Qualification strictness checked exhaustively, and scenarios against the one-pass failure sweep on random chains."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from chiptown.registry.models import AEC_Q100_TEMPERATURE, STANDARD_LEVELS, Standard
from chiptown.reports.analytics import ChainColumns, all_single_failures
from chiptown.reports.scenarios import (
    NONE,
    Grade,
    Scenario,
    SupplierQualifications,
    aec_q100_rank,
    asil_rank,
    at_least_as_strict,
    simulate,
)
from tests.reports.chain_builders import chain_from

AEC_LEVELS: list[str | None] = [None, *STANDARD_LEVELS[Standard.AEC_Q100]]
ASIL_LEVELS: list[str | None] = [None, *STANDARD_LEVELS[Standard.ISO_26262]]
ASIL_ORDER = ["QM", "A", "B", "C", "D"]  # least to most strict, from DOMAIN.md


def grade(aec: str | None, asil: str | None) -> Grade:
    return Grade(aec_q100=aec_q100_rank(aec or ""), asil=asil_rank(asil or ""))


def covers_aec(candidate: str | None, required: str | None) -> bool:
    """Oracle from the temperature ranges: a candidate covers a requirement when it is rated at least as hot."""
    if required is None:
        return True
    if candidate is None:
        return False
    return AEC_Q100_TEMPERATURE[candidate][1] >= AEC_Q100_TEMPERATURE[required][1]


def covers_asil(candidate: str | None, required: str | None) -> bool:
    if required is None:
        return True
    if candidate is None:
        return False
    return ASIL_ORDER.index(candidate) >= ASIL_ORDER.index(required)


def test_at_least_as_strict_for_every_pair_of_levels():
    pairs = list(itertools.product(AEC_LEVELS, ASIL_LEVELS))
    assert len(pairs) == 30
    for (c_aec, c_asil), (r_aec, r_asil) in itertools.product(pairs, pairs):
        expected = covers_aec(c_aec, r_aec) and covers_asil(c_asil, r_asil)
        assert at_least_as_strict(grade(c_aec, c_asil), grade(r_aec, r_asil)) is expected, (
            c_aec,
            c_asil,
            r_aec,
            r_asil,
        )


def test_the_issue_examples():
    assert at_least_as_strict(grade("1", None), grade("2", None))  # grade 1 can replace grade 2 ...
    assert not at_least_as_strict(grade("1", None), grade("0", None))  # ... but not grade 0
    assert at_least_as_strict(grade("0", "D"), grade("0", "C"))
    assert not at_least_as_strict(grade("0", None), grade("3", "QM"))  # no ISO 26262 at all fails even QM
    assert at_least_as_strict(Grade(), Grade())  # nothing required, anybody


def test_unknown_levels_rank_as_none():
    assert aec_q100_rank("4") == aec_q100_rank("") == asil_rank("E") == asil_rank("ASIL D") == NONE


Link = tuple[int, int, int, float | None]


@st.composite
def chains(draw: st.DrawFn) -> tuple[ChainColumns, SupplierQualifications]:
    n_org = draw(st.integers(2, 7))
    n_cat = draw(st.integers(1, 3))
    organisations = [
        (draw(st.sampled_from(["CN", "DE", "US"])), draw(st.sampled_from(["", "Beijing"])), draw(st.booleans()))
        for _ in range(n_org)
    ]
    share = st.one_of(st.none(), st.integers(0, 20).map(lambda n: n / 20))
    links = draw(
        st.lists(
            st.tuples(st.integers(0, n_org - 1), st.integers(0, n_org - 1), st.integers(0, n_cat - 1), share),
            max_size=25,
        )
    )
    chain = chain_from(organisations=organisations, links=links, categories=[f"c{i}" for i in range(n_cat)])
    ranks = st.lists(st.integers(-1, 3), min_size=n_org * n_cat, max_size=n_org * n_cat)
    asil = st.lists(st.integers(-1, 4), min_size=n_org * n_cat, max_size=n_org * n_cat)
    qualifications = SupplierQualifications(
        aec_q100=np.array(draw(ranks), dtype=np.int8).reshape(n_org, n_cat),
        asil=np.array(draw(asil), dtype=np.int8).reshape(n_org, n_cat),
        makes=np.array(draw(st.lists(st.booleans(), min_size=n_org * n_cat, max_size=n_org * n_cat))).reshape(
            n_org, n_cat
        ),
    )
    return chain, qualifications


@given(chains(), st.data())
def test_one_supplier_out_matches_the_failure_sweep(drawn, data):
    chain, qualifications = drawn
    supplier = data.draw(st.integers(0, chain.n_organisations - 1))
    result = simulate(chain, qualifications, Scenario(suppliers=frozenset({int(chain.organisation_ids[supplier])})))
    sweep = all_single_failures(chain)
    rows = sweep.for_supplier(supplier)
    assert result.buyer.tolist() == sweep.buyer[rows].tolist()
    assert result.category.tolist() == sweep.category[rows].tolist()
    np.testing.assert_allclose(result.lost_share, sweep.lost_share[rows])
    assert result.left_without_supplier.tolist() == sweep.left_without_supplier[rows].tolist()


@given(chains(), st.data())
def test_scenario_invariants(drawn, data):
    chain, qualifications = drawn
    country = data.draw(st.sampled_from(chain.country_labels))
    result = simulate(chain, qualifications, Scenario(country=country, alternatives=3))
    out = result.taken_out
    assert out.tolist() == [chain.country_labels[c] == country for c in chain.country.tolist()]
    assert result.lost_links.tolist() == np.flatnonzero(out[chain.supplier]).tolist()
    # Lost shares add up to the lost links' effective shares.
    np.testing.assert_allclose(result.total_lost, chain.effective_share[result.lost_links].sum())
    # TTR is 0 or the requalification time; exposure is exactly TTR > TTS.
    assert set(result.ttr_days.tolist()) <= {0.0, 180.0}
    assert result.exposed.tolist() == (result.ttr_days > result.tts_days).tolist()
    # A buyer left without a supplier in a category always has to re-qualify.
    lost_cell = chain.buyer_category[result.lost_links]
    cell = result.buyer.astype(np.int64) * chain.n_categories + result.category
    orphaned = set(cell[result.left_without_supplier].tolist())
    for link_cell, ttr in zip(lost_cell.tolist(), result.ttr_days.tolist(), strict=True):
        if link_cell in orphaned:
            assert ttr == 180.0
    # Every alternative is kept, is not the buyer, is qualified strictly enough, and appears once.
    for row, (b, c) in enumerate(zip(result.buyer.tolist(), result.category.tolist(), strict=True)):
        listed = [a for a in result.alternatives[row].tolist() if a >= 0]
        assert len(listed) == len(set(listed))
        required = Grade(int(result.required_aec_q100[row]), int(result.required_asil[row]))
        for a in listed:
            assert not out[a] and a != b
            assert at_least_as_strict(qualifications.grade(a, c), required)
        # Ranked: domestic first, then in park.
        keys = [(not chain.domestic[a], not chain.in_park[a]) for a in listed]
        assert keys == sorted(keys)


def slow_alternatives(chain, qualifications, out, buyer, category, required, k):
    """The module docstring's rule for alternatives, organisation by organisation in plain Python."""
    served: dict[int, set[int]] = {}
    for s, b, c in zip(chain.supplier.tolist(), chain.buyer.tolist(), chain.category.tolist(), strict=True):
        if c == category:
            served.setdefault(s, set()).add(b)
    candidates = [
        o
        for o in range(chain.n_organisations)
        if (qualifications.makes[o, category] or o in served)
        and not out[o]
        and o != buyer
        and at_least_as_strict(qualifications.grade(o, category), required)
    ]
    candidates.sort(
        key=lambda o: (not chain.domestic[o], not chain.in_park[o], -len(served.get(o, ())), o),
    )
    return candidates[:k]


@given(chains(), st.data())
def test_recovery_times_and_alternatives_match_a_slow_loop(drawn, data):
    chain, qualifications = drawn
    taken = data.draw(st.sets(st.integers(0, chain.n_organisations - 1), min_size=1, max_size=3))
    ids = frozenset(int(chain.organisation_ids[o]) for o in taken)
    result = simulate(chain, qualifications, Scenario(suppliers=ids, alternatives=2, default_requalification_days=50))
    out = [o in taken for o in range(chain.n_organisations)]
    for row, link in enumerate(result.lost_links.tolist()):
        s, b, c = int(chain.supplier[link]), int(chain.buyer[link]), int(chain.category[link])
        lost_grade = qualifications.grade(s, c)
        covered = any(
            int(chain.buyer[i]) == b
            and int(chain.category[i]) == c
            and not out[int(chain.supplier[i])]
            and at_least_as_strict(qualifications.grade(int(chain.supplier[i]), c), lost_grade)
            for i in range(chain.n_links)
        )
        assert result.ttr_days[row] == (0.0 if covered else 50.0)
    for row, (b, c) in enumerate(zip(result.buyer.tolist(), result.category.tolist(), strict=True)):
        lost_grades = [
            qualifications.grade(int(chain.supplier[i]), c)
            for i in result.lost_links.tolist()
            if int(chain.buyer[i]) == b and int(chain.category[i]) == c
        ]
        required = Grade(max(g.aec_q100 for g in lost_grades), max(g.asil for g in lost_grades))
        expected = slow_alternatives(chain, qualifications, out, b, c, required, 2)
        assert [a for a in result.alternatives[row].tolist() if a >= 0] == expected
