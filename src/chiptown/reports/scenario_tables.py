"""A disruption scenario's result as rows with names: what the runner page, its exports and the API show.

Pure: takes the chain, the qualifications, `scenarios.simulate`'s result and the names already read (see
`selectors.organisation_names` and `selectors.category_names`); no ORM here. Lost links are listed exposed first
(TTR > TTS), then by how far recovery outlasts stock (TTR - TTS, largest first), then by the share of the buyer's
volume they carried (then by supplier, buyer and category id), so the page's first rows are the ones that hurt.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.utils.translation import gettext

from chiptown.reports.analytics import ChainColumns
from chiptown.reports.scenarios import AEC_Q100_RANKS, ASIL_RANKS, NONE, ScenarioResult, SupplierQualifications

AEC_Q100_GRADES = {rank: grade for grade, rank in AEC_Q100_RANKS.items()}
ASIL_LEVELS = {rank: level for level, rank in ASIL_RANKS.items()}

# Organisation id -> (display name, demo flag), as selectors.organisation_names returns them.
Names = Mapping[int, tuple[str, bool]]


def aec_q100_label(rank: int) -> str:
    """“Grade 1” for a strictness rank; "" for none."""
    grade = AEC_Q100_GRADES.get(rank)
    return gettext("Grade %(grade)s") % {"grade": grade} if grade is not None else ""


def asil_label(rank: int) -> str:
    """“ASIL B” (or “QM”) for a strictness rank; "" for none."""
    level = ASIL_LEVELS.get(rank)
    if level is None:
        return ""
    return level if level == "QM" else f"ASIL {level}"


def grade_label(aec_q100: int, asil: int) -> str:
    """Both standards in words, e.g. “Grade 1 · ASIL B”; “not qualified” when neither is held."""
    parts = [label for label in (aec_q100_label(aec_q100), asil_label(asil)) if label]
    return " · ".join(parts) if parts else gettext("not qualified")


@dataclass(frozen=True)
class Organisation:
    id: int
    name: str
    is_demo: bool
    domestic: bool
    in_park: bool


@dataclass(frozen=True)
class Alternative:
    """A qualified replacement for a (buyer, category): its grade in that category and where it is."""

    organisation: Organisation
    aec_q100: str  # the grade ("0".."3") or ""
    asil: str  # "QM", "A".."D" or ""
    qualification: str  # both in words


@dataclass(frozen=True)
class Hit:
    """One (buyer, category) that loses supply."""

    buyer: Organisation
    category: str
    category_name: str
    lost_share: float  # of the buyer's whole volume in the category, 0..1
    left_without_supplier: bool
    buyer_taken_out: bool
    requirement: str  # the grade an alternative must hold, in words
    alternatives: tuple[Alternative, ...]

    @property
    def lost_percent(self) -> float:
        return self.lost_share * 100


@dataclass(frozen=True)
class LostLink:
    supplier: Organisation
    buyer: Organisation
    category: str
    category_name: str
    effective_share: float
    ttr_days: float
    tts_days: float
    exposed: bool

    @property
    def share_percent(self) -> float:
        return self.effective_share * 100


@dataclass(frozen=True)
class CategoryLoss:
    category: str
    category_name: str
    lost: float  # buyer-category volumes
    fraction_of_largest: float  # 0..1, for bar lengths


@dataclass(frozen=True)
class Outcome:
    """Everything a page or an API answer says about one run."""

    taken_out: tuple[Organisation, ...]
    suppliers_taken_out: int
    buyers_hit: int
    buyers_hit_in_park: int
    total_lost: float
    pairs_without_supplier: int
    links_lost: int
    links_exposed: int
    hits: tuple[Hit, ...]
    hits_total: int
    links: tuple[LostLink, ...]
    links_total: int
    losses_by_category: tuple[CategoryLoss, ...]


def _link_rows(chain: ChainColumns, result: ScenarioResult, limit: int | None) -> list[dict[str, Any]]:
    """`result.link_rows` in the order above, only the first `limit` built (a country can lose 100,000s)."""
    links = result.lost_links
    share = chain.effective_share[links]
    supplier_id = chain.organisation_ids[chain.supplier[links]]
    buyer_id = chain.organisation_ids[chain.buyer[links]]
    category = chain.category[links]
    # lexsort: last key first -> exposed, TTR - TTS largest, share largest, then ids.
    order = np.lexsort((category, buyer_id, supplier_id, -share, result.tts_days - result.ttr_days, ~result.exposed))
    return [
        {
            "supplier_id": int(supplier_id[i]),
            "buyer_id": int(buyer_id[i]),
            "category": chain.category_codes[int(category[i])],
            "effective_share": float(share[i]),
            "ttr_days": float(result.ttr_days[i]),
            "tts_days": float(result.tts_days[i]),
            "exposed": bool(result.exposed[i]),
        }
        for i in order[:limit].tolist()
    ]


def outcome(
    chain: ChainColumns,
    qualifications: SupplierQualifications,
    result: ScenarioResult,
    *,
    names: Callable[[Collection[int]], Names],
    category_names: Mapping[str, str],
    hit_limit: int | None = None,
    link_limit: int | None = None,
) -> Outcome:
    """The run in rows with names; `names` is called once with every organisation id the rows mention."""
    cell_rows = result.cell_rows(chain, limit=hit_limit)
    link_rows = _link_rows(chain, result, link_limit)
    taken_out_index = np.flatnonzero(result.taken_out)
    wanted = {int(pk) for pk in chain.organisation_ids[taken_out_index].tolist()}
    for cell in cell_rows:
        wanted.add(cell["buyer_id"])
        wanted.update(cell["alternative_ids"])
    for link in link_rows:
        wanted.update((link["supplier_id"], link["buyer_id"]))
    found = names(wanted)

    def organisation(pk: int) -> Organisation:
        index = chain.organisation_index(pk)
        name, is_demo = found.get(pk, (f"#{pk}", False))
        return Organisation(
            id=pk,
            name=name,
            is_demo=is_demo,
            domestic=bool(chain.domestic[index]),
            in_park=bool(chain.in_park[index]),
        )

    # Requirement per (buyer id, category code): the cells are few (at most buyers x categories hit).
    requirement = {
        (int(chain.organisation_ids[b]), chain.category_codes[c]): (int(aec), int(asil))
        for b, c, aec, asil in zip(
            result.buyer.tolist(),
            result.category.tolist(),
            result.required_aec_q100.tolist(),
            result.required_asil.tolist(),
            strict=True,
        )
    }
    hits = []
    for cell in cell_rows:
        category = chain.category_index(cell["category"])
        alternatives = []
        for pk in cell["alternative_ids"]:
            grade = qualifications.grade(chain.organisation_index(pk), category)
            alternatives.append(
                Alternative(
                    organisation=organisation(pk),
                    aec_q100=AEC_Q100_GRADES.get(grade.aec_q100, ""),
                    asil=ASIL_LEVELS.get(grade.asil, ""),
                    qualification=grade_label(grade.aec_q100, grade.asil),
                )
            )
        required = requirement.get((cell["buyer_id"], cell["category"]), (NONE, NONE))
        hits.append(
            Hit(
                buyer=organisation(cell["buyer_id"]),
                category=cell["category"],
                category_name=category_names.get(cell["category"], cell["category"]),
                lost_share=cell["lost_share"],
                left_without_supplier=cell["left_without_supplier"],
                buyer_taken_out=cell["buyer_taken_out"],
                requirement=grade_label(*required) if required != (NONE, NONE) else gettext("any supplier"),
                alternatives=tuple(alternatives),
            )
        )
    links = tuple(
        LostLink(
            supplier=organisation(link["supplier_id"]),
            buyer=organisation(link["buyer_id"]),
            category=link["category"],
            category_name=category_names.get(link["category"], link["category"]),
            effective_share=link["effective_share"],
            ttr_days=link["ttr_days"],
            tts_days=link["tts_days"],
            exposed=link["exposed"],
        )
        for link in link_rows
    )
    lost_by_category = np.bincount(result.category, weights=result.lost_share, minlength=chain.n_categories)
    largest = float(lost_by_category.max()) if lost_by_category.size else 0.0
    losses = tuple(
        CategoryLoss(
            category=code,
            category_name=category_names.get(code, code),
            lost=float(lost),
            fraction_of_largest=float(lost) / largest if largest > 0 else 0.0,
        )
        for code, lost in zip(chain.category_codes, lost_by_category.tolist(), strict=True)
        if lost > 0
    )
    hit_buyers = np.unique(result.buyer)
    return Outcome(
        taken_out=tuple(
            sorted(
                (organisation(pk) for pk in wanted if result.taken_out[chain.organisation_index(pk)]),
                key=lambda o: (o.name, o.id),
            )
        ),
        suppliers_taken_out=result.suppliers_taken_out,
        buyers_hit=result.buyers_hit,
        buyers_hit_in_park=int(chain.in_park[hit_buyers].sum()),
        total_lost=result.total_lost,
        pairs_without_supplier=result.pairs_without_supplier,
        links_lost=len(result.lost_links),
        links_exposed=result.links_exposed,
        hits=tuple(hits),
        hits_total=len(result.buyer),
        links=links,
        links_total=len(result.lost_links),
        losses_by_category=losses,
    )
