"""The chain map's pure layout: stages, columns, edge styles and the cap on nodes."""

from hypothesis import given
from hypothesis import strategies as st

from chiptown.registry.chain_layout import (
    DASHES,
    MapEdge,
    MapNode,
    busiest_subnetwork,
    edge_width,
    layout,
    node_stage,
)


def node(pk: int, stage: int, degree: int = 1) -> MapNode:
    return MapNode(id=pk, label=f"Org {pk}", sublabel="", stage=stage, degree=degree)


def test_stage_is_the_most_downstream_producing_role() -> None:
    assert node_stage(["fabless"]) == 1
    assert node_stage(["fabless", "tier1"]) == 4
    assert node_stage(["idm", "oem"]) == 5
    assert node_stage(["investor", "fabless"]) == 1  # investing is outside the flow of goods
    assert node_stage(["investor"]) == 6
    assert node_stage(["materials", "research"]) == 0
    assert node_stage([]) == 5
    assert node_stage([], supplies_only=True) == 1


def test_columns_follow_the_chain_and_empty_stages_are_dropped() -> None:
    nodes = [node(1, 1), node(2, 4), node(3, 5), node(4, 1)]
    edges = [MapEdge(1, 2), MapEdge(4, 2), MapEdge(2, 3)]

    drawing = layout(nodes, edges)

    assert [c.stage for c in drawing.columns] == [1, 4, 5]
    assert [c.count for c in drawing.columns] == [2, 1, 1]
    x = {p.node.id: p.x for p in drawing.nodes}
    assert x[1] == x[4] < x[2] < x[3]
    ys = [p.y for p in drawing.nodes if p.node.stage == 1]
    assert len(set(ys)) == 2  # no overlap within a column
    assert drawing.width >= max(p.x + p.width for p in drawing.nodes)
    assert drawing.height >= max(p.y + p.height for p in drawing.nodes)


def test_edges_carry_status_as_dash_and_share_as_width() -> None:
    nodes = [node(1, 1), node(2, 4)]
    edges = [
        MapEdge(1, 2, status="evaluation", share=None),
        MapEdge(1, 2, status="mass_production", share=100),
        MapEdge(1, 2, status="design_win", share=50),
    ]

    drawing = layout(nodes, edges)

    styles = [(e.edge.status, e.dash, e.stroke_width) for e in drawing.edges]
    assert styles == [("evaluation", "2 4", 1.0), ("design_win", "7 4", 4.0), ("mass_production", "", 7.0)]
    assert all(e.path.startswith("M") and not e.backwards for e in drawing.edges)


def test_backwards_edges_and_edges_to_unknown_nodes() -> None:
    nodes = [node(1, 1), node(2, 5)]
    edges = [MapEdge(2, 1), MapEdge(1, 99), MapEdge(1, 1)]

    drawing = layout(nodes, edges)

    assert len(drawing.edges) == 1 and drawing.edges[0].backwards


def test_empty_network() -> None:
    drawing = layout([], [])
    assert drawing.nodes == [] and drawing.edges == [] and drawing.columns == []


def test_widths_are_clamped() -> None:
    assert edge_width(None) == 1.0 and edge_width(-5) == 1.0 and edge_width(250) == 7.0
    assert set(DASHES) == {"mass_production", "design_win", "evaluation"}


def test_busiest_subnetwork_keeps_linked_organisations() -> None:
    # Two hubs (1 and 2) that are not linked to each other, each with its own spokes.
    links = [(1, 10), (1, 11), (1, 12), (2, 20), (2, 21), (2, 22), (10, 11)]

    kept = busiest_subnetwork(links, 3)

    assert kept == {1, 10, 11}  # a hub and two of its spokes, not the two unlinked hubs
    assert busiest_subnetwork(links, 100) == {1, 2, 10, 11, 12, 20, 21, 22}
    assert busiest_subnetwork([], 5) == set()
    assert busiest_subnetwork([(1, 1)], 5) == set()


@given(st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=120), st.integers(2, 30))
def test_busiest_subnetwork_never_leaves_a_kept_organisation_without_a_link(
    links: list[tuple[int, int]], limit: int
) -> None:
    kept = busiest_subnetwork(links, limit)

    assert len(kept) <= limit
    for pk in kept:
        assert any(s != t and pk in (s, t) and {s, t} <= kept for s, t in links)


@given(
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 6)), max_size=40, unique_by=lambda t: t[0]),
    st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), st.sampled_from(sorted(DASHES))), max_size=80),
)
def test_layout_places_every_node_once_without_overlap(
    raw_nodes: list[tuple[int, int]], raw_edges: list[tuple[int, int, str]]
) -> None:
    nodes = [node(pk, stage) for pk, stage in raw_nodes]
    edges = [MapEdge(s, t, status) for s, t, status in raw_edges]

    drawing = layout(nodes, edges)

    assert sorted(p.node.id for p in drawing.nodes) == sorted(pk for pk, _ in raw_nodes)
    boxes = {(p.x, p.y) for p in drawing.nodes}
    assert len(boxes) == len(drawing.nodes)
    known = {pk for pk, _ in raw_nodes}
    assert all(e.edge.source in known and e.edge.target in known for e in drawing.edges)
    assert all(p.x >= 0 and p.x + p.width <= drawing.width for p in drawing.nodes)


def test_map_labels_fit_by_display_width() -> None:
    from chiptown.registry.templatetags.registry_tags import fit

    assert fit("Short", 10) == "Short"
    assert fit("Beijing Horizon Robotics", 10) == "Beijing H…"
    assert fit("北京地平线机器人技术研发有限公司", 10) == "北京地平…"
    assert fit("北京ab", 6) == "北京ab"
