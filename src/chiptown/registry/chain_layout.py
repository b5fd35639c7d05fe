"""Pure layout of the chain map: organisations in columns by chain stage, supply links as curves between them.

No ORM and no Django here: the view turns rows into MapNode/MapEdge and renders the returned geometry as SVG.

Stage of an organisation with several roles: its most downstream *producing* role (investors and government bodies
stand outside the flow of goods and count only when the organisation has no other role). A fabless company that is
also a Tier-1 therefore sits with the Tier-1s, because that is where its products leave it. Organisations without
a role are placed with the chip makers when they only supply in the category and with the vehicle makers otherwise.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chiptown.registry.models import CHAIN_STAGE

OUTSIDE_FLOW_STAGE = 6
CHIP_MAKER_STAGE = 1
VEHICLE_MAKER_STAGE = 5

NODE_WIDTH = 168
NODE_HEIGHT = 34
COLUMN_GAP = 96
ROW_GAP = 12
MARGIN_X = 16
HEADER_HEIGHT = 40
MARGIN_BOTTOM = 16
SWEEPS = 4


def node_stage(roles: Iterable[str], *, supplies_only: bool = False) -> int:
    """The column of an organisation: its most downstream producing role's stage (see the module docstring)."""
    stages = [CHAIN_STAGE[role] for role in roles if role in CHAIN_STAGE]  # type: ignore[index]
    producing = [s for s in stages if s < OUTSIDE_FLOW_STAGE]
    if producing:
        return max(producing)
    if stages:
        return OUTSIDE_FLOW_STAGE
    return CHIP_MAKER_STAGE if supplies_only else VEHICLE_MAKER_STAGE


@dataclass(frozen=True)
class MapNode:
    id: int
    label: str
    sublabel: str
    stage: int
    in_park: bool = False
    foreign: bool = False
    country: str = "CN"
    is_demo: bool = False
    degree: int = 0


@dataclass(frozen=True)
class MapEdge:
    source: int
    target: int
    status: str = "mass_production"
    share: float | None = None


@dataclass(frozen=True)
class PlacedNode:
    node: MapNode
    x: int
    y: int
    width: int
    height: int

    @property
    def mid_y(self) -> int:
        return self.y + self.height // 2


@dataclass(frozen=True)
class PlacedEdge:
    edge: MapEdge
    source: PlacedNode
    target: PlacedNode
    path: str
    stroke_width: float
    dash: str
    backwards: bool


@dataclass(frozen=True)
class PlacedColumn:
    stage: int
    x: int
    count: int


@dataclass(frozen=True)
class ChainLayout:
    width: int
    height: int
    columns: list[PlacedColumn]
    nodes: list[PlacedNode]
    edges: list[PlacedEdge]


DASHES = {"mass_production": "", "design_win": "7 4", "evaluation": "2 4"}


def edge_width(share: float | None) -> float:
    """Line width from the share of the buyer's volume: 1 for unknown or tiny, up to 7 for 100 %."""
    if share is None:
        return 1.0
    return round(1.0 + 6.0 * max(0.0, min(100.0, float(share))) / 100.0, 2)


def _order_columns(columns: dict[int, list[MapNode]], edges: Sequence[MapEdge]) -> dict[int, list[MapNode]]:
    """Order each column to shorten lines: start by link count, then a few barycentre sweeps."""
    neighbours: dict[int, list[int]] = defaultdict(list)
    for edge in edges:
        neighbours[edge.source].append(edge.target)
        neighbours[edge.target].append(edge.source)
    ordered = {stage: sorted(nodes, key=lambda n: (-n.degree, n.label, n.id)) for stage, nodes in columns.items()}
    position = {n.id: i for nodes in ordered.values() for i, n in enumerate(nodes)}
    stages = sorted(ordered)
    for sweep in range(SWEEPS):
        for stage in stages if sweep % 2 == 0 else reversed(stages):
            nodes = ordered[stage]

            def barycentre(node: MapNode, current: int) -> tuple[float, int]:
                linked = [position[m] for m in neighbours[node.id] if m in position]
                return (sum(linked) / len(linked) if linked else float(current), node.id)

            nodes.sort(key=lambda n: barycentre(n, position[n.id]))
            for i, node in enumerate(nodes):
                position[node.id] = i
    return ordered


def layout(nodes: Sequence[MapNode], edges: Sequence[MapEdge]) -> ChainLayout:
    """Place nodes in stage columns (empty stages dropped) and route every edge between placed nodes."""
    by_stage: dict[int, list[MapNode]] = defaultdict(list)
    for node in nodes:
        by_stage[node.stage].append(node)
    known = {n.id for n in nodes}
    kept_edges = [e for e in edges if e.source in known and e.target in known and e.source != e.target]
    ordered = _order_columns(by_stage, kept_edges)
    placed: dict[int, PlacedNode] = {}
    columns: list[PlacedColumn] = []
    tallest = 0
    for index, stage in enumerate(sorted(ordered)):
        x = MARGIN_X + index * (NODE_WIDTH + COLUMN_GAP)
        columns.append(PlacedColumn(stage=stage, x=x, count=len(ordered[stage])))
        for row, node in enumerate(ordered[stage]):
            y = HEADER_HEIGHT + row * (NODE_HEIGHT + ROW_GAP)
            placed[node.id] = PlacedNode(node=node, x=x, y=y, width=NODE_WIDTH, height=NODE_HEIGHT)
        tallest = max(tallest, len(ordered[stage]))
    width = MARGIN_X * 2 + max(1, len(columns)) * NODE_WIDTH + max(0, len(columns) - 1) * COLUMN_GAP
    height = HEADER_HEIGHT + tallest * (NODE_HEIGHT + ROW_GAP) + MARGIN_BOTTOM
    placed_edges = []
    for edge in kept_edges:
        source, target = placed[edge.source], placed[edge.target]
        backwards = target.x <= source.x
        if not backwards:
            x1, y1, x2, y2 = source.x + source.width, source.mid_y, target.x, target.mid_y
            bend = (x2 - x1) / 2
            path = f"M{x1},{y1} C{x1 + bend:.0f},{y1} {x2 - bend:.0f},{y2} {x2},{y2}"
        else:
            # Against the flow (or within a column): leave and enter on the right, bulging outwards.
            x1, y1, x2, y2 = source.x + source.width, source.mid_y, target.x + target.width, target.mid_y
            bulge = COLUMN_GAP * 0.6
            path = f"M{x1},{y1} C{x1 + bulge:.0f},{y1} {x2 + bulge:.0f},{y2} {x2},{y2}"
        placed_edges.append(
            PlacedEdge(
                edge=edge,
                source=source,
                target=target,
                path=path,
                stroke_width=edge_width(edge.share),
                dash=DASHES.get(edge.status, ""),
                backwards=backwards,
            )
        )
    # Thin lines first, so thick (high-share) links are drawn on top.
    placed_edges.sort(key=lambda e: e.stroke_width)
    return ChainLayout(
        width=width,
        height=height,
        columns=columns,
        nodes=[placed[n.id] for stage in sorted(ordered) for n in ordered[stage]],
        edges=placed_edges,
    )


def busiest_subnetwork(links: Sequence[tuple[int, int]], limit: int) -> set[int]:
    """At most `limit` organisations chosen link by link, busiest links first (by their ends' link counts), so
    that every chosen organisation has at least one drawn link: the best-connected part of the network rather
    than the best-connected organisations, which may not be linked to each other at all."""
    degrees: Counter[int] = Counter()
    for source, target in links:
        degrees[source] += 1
        degrees[target] += 1
    kept: set[int] = set()
    for source, target in sorted(set(links), key=lambda st: (-(degrees[st[0]] + degrees[st[1]]), st)):
        if source == target:
            continue
        new = {source, target} - kept
        if len(kept) + len(new) <= limit:
            kept |= new
            if len(kept) >= limit:
                break
    return kept
