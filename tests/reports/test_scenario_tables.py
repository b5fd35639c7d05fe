"""scenario_tables.outcome on random chains equals the engine's own rows, reordered by a slow, obvious sort."""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from chiptown.reports import scenario_tables
from chiptown.reports.analytics import ChainColumns
from chiptown.reports.scenarios import Scenario, SupplierQualifications, simulate
from tests.reports.test_scenarios_properties import chains


def _names(ids: Collection[int]) -> dict[int, tuple[str, bool]]:
    return {pk: (f"org {pk}", pk % 2 == 0) for pk in ids}


def _slow_link_order(chain: ChainColumns, rows: list[dict[str, object]]) -> list[dict[str, object]]:
    position = {code: i for i, code in enumerate(chain.category_codes)}
    return sorted(
        rows,
        key=lambda row: (
            not row["exposed"],
            float(row["tts_days"]) - float(row["ttr_days"]),  # type: ignore[arg-type]
            -float(row["effective_share"]),  # type: ignore[arg-type]
            row["supplier_id"],
            row["buyer_id"],
            position[str(row["category"])],
        ),
    )


@given(chains(), st.data())
def test_outcome_rows_are_the_engines_rows_with_names(drawn: tuple[ChainColumns, SupplierQualifications], data):
    chain, qualifications = drawn
    out = data.draw(st.sets(st.sampled_from(chain.organisation_ids.tolist()), min_size=1, max_size=3))
    ttr = data.draw(st.dictionaries(st.sampled_from(chain.category_codes), st.integers(0, 400), max_size=2))
    tts = data.draw(st.integers(0, 400))
    limit = data.draw(st.one_of(st.none(), st.integers(1, 5)))
    result = simulate(
        chain,
        qualifications,
        Scenario(suppliers=frozenset(out), requalification_days=ttr, default_inventory_days=tts),
    )
    asked: list[set[int]] = []

    def names(ids: Collection[int]) -> dict[int, tuple[str, bool]]:
        asked.append(set(ids))
        return _names(ids)

    outcome = scenario_tables.outcome(
        chain, qualifications, result, names=names, category_names={}, hit_limit=limit, link_limit=limit
    )

    assert len(asked) == 1  # one read of names per run
    expected_links = _slow_link_order(chain, result.link_rows(chain))[:limit]
    assert [
        {
            "supplier_id": link.supplier.id,
            "buyer_id": link.buyer.id,
            "category": link.category,
            "effective_share": link.effective_share,
            "ttr_days": link.ttr_days,
            "tts_days": link.tts_days,
            "exposed": link.exposed,
        }
        for link in outcome.links
    ] == expected_links
    assert [
        (
            hit.buyer.id,
            hit.category,
            hit.lost_share,
            hit.left_without_supplier,
            [a.organisation.id for a in hit.alternatives],
        )
        for hit in outcome.hits
    ] == [
        (c["buyer_id"], c["category"], c["lost_share"], c["left_without_supplier"], c["alternative_ids"])
        for c in result.cell_rows(chain, limit=limit)
    ]
    assert all(link.supplier.name == f"org {link.supplier.id}" for link in outcome.links)
    assert [o.id for o in outcome.taken_out] == sorted(out, key=lambda pk: (f"org {pk}", pk))
    assert (outcome.hits_total, outcome.links_total) == (len(result.buyer), len(result.lost_links))
    assert np.isclose(sum(loss.lost for loss in outcome.losses_by_category), result.total_lost)
    if outcome.losses_by_category:
        assert max(loss.fraction_of_largest for loss in outcome.losses_by_category) == 1.0
    # Exposed links always come first.
    flags = [link.exposed for link in outcome.links]
    assert flags == sorted(flags, reverse=True)


def test_grade_labels():
    assert scenario_tables.grade_label(2, 2) == "Grade 1 · ASIL B"
    assert scenario_tables.grade_label(3, -1) == "Grade 0"
    assert scenario_tables.grade_label(-1, 0) == "QM"
    assert scenario_tables.grade_label(-1, -1) == "not qualified"
