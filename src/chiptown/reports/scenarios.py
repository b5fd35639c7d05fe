"""Disruption scenarios: take suppliers, a province or a country out and see who is hit, for how long, who steps in.

Pure numpy on `analytics.ChainColumns` plus `SupplierQualifications` (per organisation and category, the
strictest valid qualification its products hold). No ORM here.

Rules every scenario figure follows (the methodology section quotes them):

* Taken out = the union of the named suppliers, every organisation in the named province and every
  organisation in the named country. Lost volume is in effective shares (see `analytics`), per (buyer, category).
* Qualification strictness is compared standard by standard: AEC-Q100 grade 0 (-40..150 °C) is strictest,
  then 1, 2, 3; ISO 26262 ASIL D > C > B > A > QM. A candidate is at least as strict as a requirement when it
  is at least as strict in both standards (a requirement of "none" is met by anybody).
* Time to recover (TTR) of a lost link: 0 days when its buyer keeps another supplier (not taken out) in the
  same category that is qualified at least as strictly as the lost one, else the category's re-qualification
  time. Time to survive (TTS): the buyer's inventory days (per buyer if given, else per category). A link is
  exposed when TTR > TTS (Simchi-Levi's time-to-recover against time-to-survive).
* Alternatives for an affected (buyer, category): organisations not taken out, other than the buyer, that make
  or supply that category and are qualified at least as strictly as the strictest supplier the buyer lost there
  (standard by standard); ranked domestic first, then in the park, then by how many buyers they already serve
  in that category, then by id.
* Default times (`DEFAULT_REQUALIFICATION_DAYS`, `DEFAULT_INVENTORY_DAYS`) are assumptions of this programme,
  not published figures; every page that shows a scenario shows them and lets the operator change them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext

from chiptown.core.errors import ChipTownError, Problem
from chiptown.reports.analytics import BoolArray, ChainColumns, FloatArray, Int64Array, IntArray

Int8Array = npt.NDArray[np.int8]

# Strictness ranks: higher is stricter, NONE = no such qualification.
NONE = -1
AEC_Q100_RANKS: dict[str, int] = {"3": 0, "2": 1, "1": 2, "0": 3}
ASIL_RANKS: dict[str, int] = {"QM": 0, "A": 1, "B": 2, "C": 3, "D": 4}

# Assumption: bringing a second source through AEC-Q100 stress tests (about 1,000 h of life test) and the car
# maker's PPAP approval typically takes six months or more; 180 days is used for every category unless edited.
DEFAULT_REQUALIFICATION_DAYS = 180
# Assumption: automotive buyers commonly hold a few weeks of chips in stock; 30 days unless edited.
DEFAULT_INVENTORY_DAYS = 30
DEFAULT_ALTERNATIVES = 5


def aec_q100_rank(level: str) -> int:
    """The strictness rank of an AEC-Q100 grade ("0".."3"); NONE for anything else."""
    return AEC_Q100_RANKS.get(level, NONE)


def asil_rank(level: str) -> int:
    """The strictness rank of an ISO 26262 level ("QM", "A".."D"); NONE for anything else."""
    return ASIL_RANKS.get(level, NONE)


@dataclass(frozen=True)
class Grade:
    """A supplier's qualification in one category as strictness ranks (NONE = not qualified to that standard)."""

    aec_q100: int = NONE
    asil: int = NONE


def at_least_as_strict(candidate: Grade, required: Grade) -> bool:
    """True when `candidate` can replace a supplier qualified as `required` (standard by standard)."""
    return candidate.aec_q100 >= required.aec_q100 and candidate.asil >= required.asil


@dataclass(frozen=True, eq=False)
class SupplierQualifications:
    """Per (organisation, category) of a chain (rows = organisation ids, columns = category ids).

    `aec_q100` and `asil` hold the strictness rank of the strictest valid, unexpired qualification any of the
    organisation's products in that category holds (NONE when none); `makes` is true when it has a product in
    that category at all.
    """

    aec_q100: Int8Array
    asil: Int8Array
    makes: BoolArray

    def grade(self, organisation: int, category: int) -> Grade:
        return Grade(int(self.aec_q100[organisation, category]), int(self.asil[organisation, category]))

    @classmethod
    def empty(cls, chain: ChainColumns) -> SupplierQualifications:
        shape = (chain.n_organisations, chain.n_categories)
        return cls(
            aec_q100=np.full(shape, NONE, dtype=np.int8),
            asil=np.full(shape, NONE, dtype=np.int8),
            makes=np.zeros(shape, dtype=bool),
        )


def _bad_scenario(message: str, column: str, reason: str | None = None) -> ChipTownError:
    return ChipTownError(message, code="bad_scenario", problems=[Problem(reason=reason or message, column=column)])


def _check_days(days: Any, column: str) -> None:
    if isinstance(days, bool) or not isinstance(days, int | float) or not days >= 0:
        raise _bad_scenario(
            gettext("The number of days for %(field)s must be zero or more, not %(value)s.")
            % {"field": column, "value": days},
            column,
        )


@dataclass(frozen=True)
class Scenario:
    """What is taken out (database organisation ids, a province label, a country code) and the editable times.

    `requalification_days` and `inventory_days` override the defaults per category code;
    `inventory_days_by_buyer` overrides the inventory days per buyer (database organisation id).
    """

    suppliers: frozenset[int] = frozenset()
    province: str | None = None
    country: str | None = None
    requalification_days: Mapping[str, float] = field(default_factory=dict)
    inventory_days: Mapping[str, float] = field(default_factory=dict)
    inventory_days_by_buyer: Mapping[int, float] = field(default_factory=dict)
    default_requalification_days: float = DEFAULT_REQUALIFICATION_DAYS
    default_inventory_days: float = DEFAULT_INVENTORY_DAYS
    alternatives: int = DEFAULT_ALTERNATIVES

    def __post_init__(self) -> None:
        object.__setattr__(self, "suppliers", frozenset(self.suppliers))
        if not self.suppliers and not self.province and not self.country:
            raise _bad_scenario(
                gettext("The scenario takes nothing out: name at least one supplier, a province or a country."),
                "suppliers",
            )
        _check_days(self.default_requalification_days, "default_requalification_days")
        _check_days(self.default_inventory_days, "default_inventory_days")
        for name in ("requalification_days", "inventory_days", "inventory_days_by_buyer"):
            for key, days in getattr(self, name).items():
                _check_days(days, f"{name}[{key}]")
        if isinstance(self.alternatives, bool) or not isinstance(self.alternatives, int) or self.alternatives < 1:
            raise _bad_scenario(
                gettext("The number of alternatives to list must be a whole number of at least 1, not %(value)s.")
                % {"value": self.alternatives},
                "alternatives",
            )


@dataclass(frozen=True, eq=False)
class ScenarioResult:
    """What a scenario does to the chain.

    Per lost link (`lost_links` = link indices, ascending): `ttr_days`, `tts_days`, `exposed` (TTR > TTS).
    Per affected (buyer, category) cell, sorted by buyer then category: `lost_share` (effective share lost),
    `left_without_supplier` (no supplier left at all there), `buyer_taken_out` (the buyer itself is in the
    area taken out), the requirement an alternative must meet (`required_aec_q100`, `required_asil`), and
    `alternatives` (cells x k organisation ids of the chain, best first, -1 = no more).
    """

    taken_out: BoolArray
    lost_links: Int64Array
    ttr_days: FloatArray
    tts_days: FloatArray
    exposed: BoolArray
    buyer: IntArray
    category: IntArray
    lost_share: FloatArray
    left_without_supplier: BoolArray
    buyer_taken_out: BoolArray
    required_aec_q100: Int8Array
    required_asil: Int8Array
    alternatives: IntArray

    @property
    def suppliers_taken_out(self) -> int:
        return int(self.taken_out.sum())

    @property
    def total_lost(self) -> float:
        """Lost volume in buyer-category volumes (1.0 = one buyer's whole volume in one category)."""
        return float(self.lost_share.sum())

    @property
    def buyers_hit(self) -> int:
        return len(np.unique(self.buyer))

    @property
    def pairs_without_supplier(self) -> int:
        return int(self.left_without_supplier.sum())

    @property
    def links_exposed(self) -> int:
        return int(self.exposed.sum())

    def cell_rows(self, chain: ChainColumns, *, limit: int | None = None) -> list[dict[str, Any]]:
        """Affected (buyer, category) pairs for a page or the report, most volume lost first, in database ids."""
        order = np.lexsort((self.category, self.buyer, -self.lost_share))[:limit]
        return [
            {
                "buyer_id": int(chain.organisation_ids[self.buyer[i]]),
                "category": chain.category_codes[self.category[i]],
                "lost_share": float(self.lost_share[i]),
                "left_without_supplier": bool(self.left_without_supplier[i]),
                "buyer_taken_out": bool(self.buyer_taken_out[i]),
                "alternative_ids": [int(chain.organisation_ids[a]) for a in self.alternatives[i].tolist() if a >= 0],
            }
            for i in order.tolist()
        ]

    def link_rows(self, chain: ChainColumns, *, exposed_only: bool = False) -> list[dict[str, Any]]:
        """Lost links with their time to recover and to survive, in database ids."""
        rows = np.flatnonzero(self.exposed) if exposed_only else np.arange(len(self.lost_links))
        links = self.lost_links[rows]
        return [
            {
                "supplier_id": int(chain.organisation_ids[chain.supplier[link]]),
                "buyer_id": int(chain.organisation_ids[chain.buyer[link]]),
                "category": chain.category_codes[chain.category[link]],
                "effective_share": float(chain.effective_share[link]),
                "ttr_days": float(self.ttr_days[i]),
                "tts_days": float(self.tts_days[i]),
                "exposed": bool(self.exposed[i]),
            }
            for i, link in zip(rows.tolist(), links.tolist(), strict=True)
        ]


def _taken_out(chain: ChainColumns, scenario: Scenario) -> BoolArray:
    out = np.zeros(chain.n_organisations, dtype=bool)
    for organisation_id in sorted(scenario.suppliers, key=str):
        if isinstance(organisation_id, bool) or not isinstance(organisation_id, int):
            raise _bad_scenario(
                gettext("There is no supplier with id %(id)s in the chain.") % {"id": organisation_id},
                "suppliers",
            )
        position = int(np.searchsorted(chain.organisation_ids, organisation_id))
        if position >= chain.n_organisations or int(chain.organisation_ids[position]) != organisation_id:
            raise _bad_scenario(
                gettext("There is no supplier with id %(id)s in the chain.") % {"id": organisation_id},
                "suppliers",
            )
        out[position] = True
    for column, label, labels, codes in (
        ("province", scenario.province, chain.province_labels, chain.province),
        ("country", scenario.country, chain.country_labels, chain.country),
    ):
        if not label:
            continue
        if label not in labels:
            raise _bad_scenario(
                gettext("There is no organisation in %(field)s “%(value)s” in the chain.")
                % {"field": column, "value": label},
                column,
            )
        out |= codes == labels.index(label)
    return out


def _per_category_days(chain: ChainColumns, overrides: Mapping[str, float], default: float, name: str) -> FloatArray:
    days = np.full(chain.n_categories, float(default))
    for code, value in overrides.items():
        if code not in chain.category_codes:
            raise _bad_scenario(
                gettext("“%(category)s” is not a chip category (in %(field)s).") % {"category": code, "field": name},
                name,
            )
        days[chain.category_codes.index(code)] = float(value)
    return days


def _dominance_table(cell: Int64Array, aec: Int8Array, asil: Int8Array, n_cells: int) -> BoolArray:
    """table[c, a + 1, s + 1]: cell c has a member with AEC-Q100 rank >= a and ASIL rank >= s."""
    table = np.zeros((n_cells, len(AEC_Q100_RANKS) + 1, len(ASIL_RANKS) + 1), dtype=bool)
    table[cell, aec.astype(np.int64) + 1, asil.astype(np.int64) + 1] = True
    table = np.logical_or.accumulate(table[:, ::-1, :], axis=1)[:, ::-1, :]
    return np.logical_or.accumulate(table[:, :, ::-1], axis=2)[:, :, ::-1]


def simulate(chain: ChainColumns, qualifications: SupplierQualifications, scenario: Scenario) -> ScenarioResult:
    """The scenario's lost links and shares, time to recover against time to survive, and ranked alternatives."""
    n_cat = max(chain.n_categories, 1)
    shape = (chain.n_organisations, chain.n_categories)
    if (
        qualifications.aec_q100.shape != shape
        or qualifications.asil.shape != shape
        or qualifications.makes.shape != shape
    ):
        raise _bad_scenario(
            gettext("The qualifications do not match the chain: load them for this chain."), "qualifications"
        )
    out = _taken_out(chain, scenario)
    requalification = _per_category_days(
        chain, scenario.requalification_days, scenario.default_requalification_days, "requalification_days"
    )
    inventory = _per_category_days(chain, scenario.inventory_days, scenario.default_inventory_days, "inventory_days")
    buyer_inventory = np.full(chain.n_organisations, np.nan)
    for buyer_id, days in scenario.inventory_days_by_buyer.items():
        try:
            buyer_inventory[chain.organisation_index(buyer_id)] = float(days)
        except ChipTownError:
            raise _bad_scenario(
                gettext("There is no buyer with id %(id)s in the chain.") % {"id": buyer_id},
                "inventory_days_by_buyer",
            ) from None

    lost_mask = out[chain.supplier]
    lost_links = np.flatnonzero(lost_mask).astype(np.int64)
    kept = np.flatnonzero(~lost_mask)
    cells_all = chain.buyer_category
    lost_cell = cells_all[lost_links]
    # Compact ids for the affected cells; the kept links that fall in one of them.
    cell_ids = np.sort(lost_cell)
    if cell_ids.size:
        cell_ids = cell_ids[np.concatenate(([True], np.diff(cell_ids) != 0))]
    lost_slot = np.searchsorted(cell_ids, lost_cell)
    n_hit = len(cell_ids)
    kept_cell = cells_all[kept]
    position = np.searchsorted(cell_ids, kept_cell)
    position_clipped = np.minimum(position, max(n_hit - 1, 0))
    in_hit = (position < n_hit) & (cell_ids[position_clipped] == kept_cell) if n_hit else np.zeros(len(kept), bool)
    kept_slot = position[in_hit]
    kept_in_hit = kept[in_hit]

    lost_share = np.bincount(lost_slot, weights=chain.effective_share[lost_links], minlength=n_hit).astype(np.float64)
    remaining = np.bincount(kept_slot, minlength=n_hit)
    buyer = (cell_ids // n_cat).astype(np.int32)
    category = (cell_ids % n_cat).astype(np.int32)

    # Grades of the lost and kept links' suppliers in the link's category.
    lost_supplier = chain.supplier[lost_links]
    lost_category = chain.category[lost_links]
    lost_aec = qualifications.aec_q100[lost_supplier, lost_category]
    lost_asil = qualifications.asil[lost_supplier, lost_category]
    kept_supplier = chain.supplier[kept_in_hit]
    kept_category = chain.category[kept_in_hit]
    table = _dominance_table(
        kept_slot,
        qualifications.aec_q100[kept_supplier, kept_category],
        qualifications.asil[kept_supplier, kept_category],
        n_hit,
    )
    covered = table[lost_slot, lost_aec.astype(np.int64) + 1, lost_asil.astype(np.int64) + 1]
    ttr = np.where(covered, 0.0, requalification[lost_category])
    lost_buyer = chain.buyer[lost_links]
    tts = np.where(np.isnan(buyer_inventory[lost_buyer]), inventory[lost_category], buyer_inventory[lost_buyer])

    required_aec = np.full(n_hit, NONE, dtype=np.int8)
    required_asil = np.full(n_hit, NONE, dtype=np.int8)
    np.maximum.at(required_aec, lost_slot, lost_aec)
    np.maximum.at(required_asil, lost_slot, lost_asil)

    return ScenarioResult(
        taken_out=out,
        lost_links=lost_links,
        ttr_days=ttr,
        tts_days=tts,
        exposed=ttr > tts,
        buyer=buyer,
        category=category,
        lost_share=lost_share,
        left_without_supplier=remaining == 0,
        buyer_taken_out=out[buyer],
        required_aec_q100=required_aec,
        required_asil=required_asil,
        alternatives=_alternatives(
            chain, qualifications, out, buyer, category, required_aec, required_asil, scenario.alternatives
        ),
    )


def _alternatives(
    chain: ChainColumns,
    qualifications: SupplierQualifications,
    out: BoolArray,
    buyer: IntArray,
    category: IntArray,
    required_aec: Int8Array,
    required_asil: Int8Array,
    k: int,
) -> IntArray:
    """Per affected cell, the top k replacement organisations (rules in the module docstring), -1 padded."""
    n_hit = len(buyer)
    answer = np.full((n_hit, k), -1, dtype=np.int32)
    if not n_hit:
        return answer
    n_org, n_cat = chain.n_organisations, chain.n_categories
    # Distinct buyers each organisation serves per category.
    # Sort and drop repeats (np.unique's hash path is several times slower on a million int64 keys).
    triples = np.sort(chain.supplier.astype(np.int64) * (n_org * n_cat) + chain.buyer_category)
    if triples.size:
        triples = triples[np.concatenate(([True], np.diff(triples) != 0))]
    supplier_of = triples // (n_org * n_cat)
    category_of = triples % n_cat
    served = np.bincount(supplier_of * n_cat + category_of, minlength=n_org * n_cat).reshape(n_org, n_cat)
    makes = qualifications.makes | (served > 0)
    # One ranked candidate list per (category, requirement) class; the loop is over those classes (at most
    # categories x 30), never over links or cells.
    classes = (category.astype(np.int64) * 8 + (required_aec.astype(np.int64) + 1)) * 8 + (required_asil + 1)
    class_ids, class_of_cell = np.unique(classes, return_inverse=True)
    for index, class_id in enumerate(class_ids.tolist()):
        c, rest = divmod(class_id, 64)
        aec, asil = rest // 8 - 1, rest % 8 - 1
        fit = makes[:, c] & ~out & (qualifications.aec_q100[:, c] >= aec) & (qualifications.asil[:, c] >= asil)
        candidates = np.flatnonzero(fit)
        # lexsort: last key first -> domestic, in park, most buyers served, lowest id.
        order = np.lexsort(
            (candidates, -served[candidates, c], ~chain.in_park[candidates], ~chain.domestic[candidates])
        )
        ranked = candidates[order][: k + 1].astype(np.int32)
        rows = np.flatnonzero(class_of_cell == index)
        if not ranked.size:
            continue
        grid = np.broadcast_to(ranked, (len(rows), len(ranked))).copy()
        # The buyer cannot replace its own supplier: drop it, keep order (stable sort pushes it to the end).
        own = grid == buyer[rows, None]
        grid[own] = -1
        grid = np.take_along_axis(grid, np.argsort(own, axis=1, kind="stable"), axis=1)
        width = min(k, grid.shape[1])
        answer[rows, :width] = grid[:, :width]
    return answer
