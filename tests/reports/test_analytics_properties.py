"""Invariants of the chain metrics on small random chains, and the one-pass failure sweep against a slow loop."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from chiptown.reports.analytics import (
    ChainColumns,
    all_single_failures,
    concentration,
    localisation,
    single_source,
)
from tests.reports.chain_builders import chain_from

Link = tuple[int, int, int, float | None]


@st.composite
def chains(draw: st.DrawFn) -> tuple[ChainColumns, list[Link]]:
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
    categories = [f"c{i}" for i in range(n_cat)]
    return chain_from(organisations=organisations, links=links, categories=categories), links


def slow_effective_shares(links: list[Link]) -> list[float]:
    """The module docstring's rule, link by link in plain Python."""
    groups: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, (_, buyer, category, _) in enumerate(links):
        groups[(buyer, category)].append(i)
    effective = [0.0] * len(links)
    for members in groups.values():
        known = [i for i in members if links[i][3] is not None]
        unknown = [i for i in members if links[i][3] is None]
        known_sum = sum(links[i][3] or 0.0 for i in known)
        for i in known:
            effective[i] = (links[i][3] or 0.0) / known_sum if known_sum > 1 else (links[i][3] or 0.0)
        for i in unknown:
            effective[i] = max(0.0, 1 - known_sum) / len(unknown)
    return effective


@given(chains())
def test_effective_shares_follow_the_rule_and_stay_within_a_buyers_volume(drawn):
    chain, links = drawn
    np.testing.assert_allclose(chain.effective_share, slow_effective_shares(links), atol=1e-12)
    assert ((chain.effective_share >= 0) & (chain.effective_share <= 1)).all()
    assert (chain.recorded_volume <= 1 + 1e-9).all()


@given(chains())
def test_localisation_shares_lie_between_0_and_1(drawn):
    chain, _ = drawn
    table = localisation(chain)
    for column in ("domestic_by_links", "in_park_by_links", "domestic_by_volume", "in_park_by_volume"):
        values = getattr(table, column)
        known = values[~np.isnan(values)]
        assert ((known >= -1e-12) & (known <= 1 + 1e-12)).all()
    # by links, NaN exactly where a category has no links
    assert (np.isnan(table.domestic_by_links) == (table.links == 0)).all()
    assert table.links.sum() == chain.n_links


@given(chains())
def test_hhi_lies_between_10000_over_n_and_10000(drawn):
    chain, links = drawn
    table = concentration(chain)
    for category in range(chain.n_categories):
        suppliers = {s for s, _, c, _ in links if c == category}
        assert table.suppliers[category] == len(suppliers)
        hhi = table.hhi[category]
        if math.isnan(hhi):
            assert not any(
                chain.recorded_volume[b * chain.n_categories + category] > 0 for _, b, c, _ in links if c == category
            )
            continue
        assert 10_000 / len(suppliers) - 1e-6 <= hhi <= 10_000 + 1e-6
        if len(suppliers) == 1:
            assert hhi == 10_000


@given(chains())
def test_single_sources_are_the_pairs_with_one_supplier(drawn):
    chain, links = drawn
    suppliers: dict[tuple[int, int], set[int]] = defaultdict(set)
    for s, b, c, _ in links:
        suppliers[(b, c)].add(s)
    expected = sorted(
        (b, c, next(iter(found)), not chain.domestic[next(iter(found))])
        for (b, c), found in suppliers.items()
        if len(found) == 1
    )
    found = single_source(chain)
    assert (
        list(
            zip(
                found.buyer.tolist(),
                found.category.tolist(),
                found.supplier.tolist(),
                found.foreign.tolist(),
                strict=True,
            )
        )
        == expected
    )


def slow_failures(chain: ChainColumns, links: list[Link]) -> dict[int, dict[tuple[int, int], tuple[float, bool]]]:
    """Each supplier taken out on its own: what each (buyer, category) loses and whether it keeps any supplier."""
    effective = slow_effective_shares(links)
    result: dict[int, dict[tuple[int, int], tuple[float, bool]]] = {}
    for supplier in range(chain.n_organisations):
        lost: dict[tuple[int, int], float] = defaultdict(float)
        for (s, b, c, _), share in zip(links, effective, strict=True):
            if s == supplier:
                lost[(b, c)] += share
        remaining = [(s, b, c) for s, b, c, _ in links if s != supplier]
        result[supplier] = {
            pair: (amount, not any((b, c) == pair for _, b, c in remaining)) for pair, amount in lost.items()
        }
    return result


@given(chains())
def test_the_one_pass_sweep_equals_taking_out_each_supplier_in_turn(drawn):
    chain, links = drawn
    failures = all_single_failures(chain)
    slow = slow_failures(chain, links)
    for supplier in range(chain.n_organisations):
        rows = failures.for_supplier(supplier)
        fast = {
            (b, c): (lost, alone)
            for b, c, lost, alone in zip(
                failures.buyer[rows].tolist(),
                failures.category[rows].tolist(),
                failures.lost_share[rows].tolist(),
                failures.left_without_supplier[rows].tolist(),
                strict=True,
            )
        }
        assert fast.keys() == slow[supplier].keys()
        for pair, (lost, alone) in slow[supplier].items():
            assert math.isclose(fast[pair][0], lost, abs_tol=1e-12)
            assert fast[pair][1] == alone
        assert math.isclose(failures.total_lost[supplier], sum(v[0] for v in slow[supplier].values()), abs_tol=1e-12)
        assert failures.pairs_without_supplier[supplier] == sum(v[1] for v in slow[supplier].values())
        assert failures.buyers_hit[supplier] == len({b for b, _ in slow[supplier]})
