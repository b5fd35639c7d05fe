"""Investment attraction: the chip categories the park's buyers can only get from outside, and who could fill them.

Definitions (the methodology section of the report quotes them):

* A **gap** is a (kind, category) with at least one in-park buyer whose every counted link in that category comes
  from outside the park (kind ``outside_park``), or from outside China (kind ``outside_country``; such buyers
  are also in the ``outside_park`` gap, since the park is in China). A gap lists those buyers and their
  recorded volume (the sum of their links' effective shares, in buyer-category volumes, see `analytics`), and
  says how many in-park buyers the category has, so a reader sees whether the whole category or a part lacks
  a local source.
* A **candidate** for a gap is an organisation outside the park with at least one counted link in that
  category (to any buyer): it already makes and sells the chips. Its **fit score** (0-100) adds up to five
  parts, each given back in words:

  - category focus, up to 25: 25 x its links in the category / all its links (a specialist scores higher);
  - qualification, up to 25, from the strictest valid qualifications its products in the category hold (the
    ranks of `scenarios.SupplierQualifications`, the same ones the disruption alternatives use): AEC-Q100
    4 points per grade step (grade 3: 4, 2: 8, 1: 12, 0: 16), ISO 26262 1 point per ASIL above QM (A 1 .. D 4),
    and 5 for a valid IATF 16949 plant certificate;
  - scale, up to 20: 5 points per size band above micro (micro 0, small 5, medium 10, large 15, very large 20;
    an unrecorded size scores 0);
  - buyers served, up to 20: 4 points per distinct buyer it supplies in the category, counted up to 5;
  - domestic, 10 for a Chinese organisation, only for ``outside_country`` gaps (the point of such a gap is a
    domestic source; for ``outside_park`` gaps every outside supplier is equally far).

  Ties are broken by the lower organisation id, so rankings are reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from django.utils.translation import gettext

from chiptown.core.errors import ChipTownError, Problem
from chiptown.reports.analytics import BoolArray, ChainColumns, IntArray
from chiptown.reports.scenarios import AEC_Q100_RANKS, ASIL_RANKS, SupplierQualifications

GapKind = Literal["outside_park", "outside_country"]
GAP_KINDS: tuple[GapKind, ...] = ("outside_park", "outside_country")

# Size bands in the registry's order; the index is the band's rank (0 = not recorded).
SIZE_BANDS: tuple[str, ...] = ("", "micro", "small", "medium", "large", "giant")

CATEGORY_POINTS = 25.0
AEC_Q100_STEP_POINTS = 4.0  # per grade step: rank 0 (grade 3) earns 4, rank 3 (grade 0) earns 16
ASIL_POINTS = 1.0  # per rank above QM: A 1 .. D 4
IATF_POINTS = 5.0
SIZE_BAND_POINTS = 5.0
BUYER_POINTS = 4.0
BUYERS_COUNTED = 5
DOMESTIC_POINTS = 10.0


@dataclass(frozen=True, eq=False)
class AttractionProfiles:
    """Per organisation of a chain (same 0..n-1 ids): size band rank, IATF 16949, and product qualifications."""

    size_band: IntArray  # (n_organisations,), index into SIZE_BANDS
    iatf: BoolArray  # (n_organisations,), a valid IATF 16949 plant certificate
    qualifications: SupplierQualifications

    def check(self, chain: ChainColumns) -> None:
        """Refuse profiles that do not describe this chain's organisations and categories."""
        problems: list[Problem] = []
        n_org, n_cat = chain.n_organisations, chain.n_categories
        if self.size_band.shape != (n_org,) or self.iatf.shape != (n_org,):
            problems.append(Problem(reason=gettext("One value per organisation is needed."), column="size_band"))
        elif n_org and not (int(self.size_band.min()) >= 0 and int(self.size_band.max()) < len(SIZE_BANDS)):
            problems.append(Problem(reason=gettext("A size band is out of range."), column="size_band"))
        if self.qualifications.aec_q100.shape != (n_org, n_cat) or self.qualifications.asil.shape != (n_org, n_cat):
            problems.append(
                Problem(reason=gettext("One value per organisation and category is needed."), column="qualifications")
            )
        if problems:
            raise ChipTownError(
                gettext("The organisation profiles do not match the chain."), code="bad_profiles", problems=problems
            )


def empty_profiles(chain: ChainColumns) -> AttractionProfiles:
    """Profiles that know nothing (no size, no qualification): candidates are then ranked on the chain alone."""
    return AttractionProfiles(
        size_band=np.zeros(chain.n_organisations, dtype=np.int32),
        iatf=np.zeros(chain.n_organisations, dtype=bool),
        qualifications=SupplierQualifications.empty(chain),
    )


@dataclass(frozen=True)
class Gap:
    """In-park buyers of one category supplied only from outside the park (or only from outside China)."""

    kind: GapKind
    category: int
    category_code: str
    buyers: tuple[int, ...]  # chain ids, ascending
    buyer_organisation_ids: tuple[int, ...]
    volume: float  # the buyers' recorded volume in the category, in buyer-category volumes
    links: int  # the buyers' links in the category
    in_park_buyers: int  # all in-park buyers of the category, gap or not

    @property
    def whole_category(self) -> bool:
        return len(self.buyers) == self.in_park_buyers


def gaps(chain: ChainColumns) -> list[Gap]:
    """Every gap, ``outside_park`` ones first, each kind by category id."""
    n_cat = max(chain.n_categories, 1)
    cells = chain.n_organisations * chain.n_categories
    park_buyer = chain.in_park[chain.buyer]
    cell = chain.buyer_category[park_buyer]
    supplier = chain.supplier[park_buyer]
    links = np.bincount(cell, minlength=cells)
    present = links > 0
    local = {
        "outside_park": np.bincount(cell, weights=chain.in_park[supplier].astype(np.float64), minlength=cells),
        "outside_country": np.bincount(cell, weights=chain.domestic[supplier].astype(np.float64), minlength=cells),
    }
    in_park_buyers = np.bincount(np.flatnonzero(present) % n_cat, minlength=chain.n_categories)
    result: list[Gap] = []
    for kind in GAP_KINDS:
        gap_cells = np.flatnonzero(present & (local[kind] == 0))
        categories = gap_cells % n_cat
        # flatnonzero is ascending in buyer * n_cat + category; a stable sort by category keeps buyers ascending.
        order = np.argsort(categories, kind="stable")
        gap_cells, categories = gap_cells[order], categories[order]
        for c in np.unique(categories).tolist():
            chosen = gap_cells[categories == c]
            buyers = (chosen // n_cat).astype(np.int64)
            result.append(
                Gap(
                    kind=kind,
                    category=int(c),
                    category_code=chain.category_codes[c],
                    buyers=tuple(buyers.tolist()),
                    buyer_organisation_ids=tuple(chain.organisation_ids[buyers].tolist()),
                    volume=float(chain.recorded_volume[chosen].sum()),
                    links=int(links[chosen].sum()),
                    in_park_buyers=int(in_park_buyers[c]),
                )
            )
    return result


@dataclass(frozen=True)
class Candidate:
    """An organisation outside the park that supplies the gap's category elsewhere, with its fit score in parts."""

    supplier: int
    organisation_id: int
    score: float
    category_points: float
    qualification_points: float
    scale_points: float
    buyers_points: float
    domestic_points: float
    links_in_category: int
    links_total: int
    buyers_served: int
    aec_q100_grade: str | None  # "0".."3", None when it holds no valid AEC-Q100 in the category
    asil: str | None  # "QM", "A".."D", None when none
    iatf: bool
    size_band: str
    domestic: bool
    reasons: tuple[str, ...]


def candidates(
    chain: ChainColumns, extra: AttractionProfiles, gap: Gap, *, top: int = 10, category_name: str = ""
) -> list[Candidate]:
    """The `top` organisations outside the park best placed to fill `gap`, by fit score (module docstring); the
    reasons name the category `category_name` (its code when not given)."""
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ChipTownError(
            gettext("The number of candidates to list must be a whole number of at least 1."),
            code="bad_top",
            problems=[Problem(reason=gettext("Give a whole number of at least 1."), column="top")],
        )
    if not 0 <= gap.category < chain.n_categories:
        raise ChipTownError(
            gettext("The gap names a category the chain does not have."),
            code="unknown_category",
            problems=[Problem(reason=gettext("Unknown chip category."), column="category")],
        )
    extra.check(chain)
    n_org = chain.n_organisations
    in_category = chain.category == gap.category
    outside = ~chain.in_park[chain.supplier]
    chosen = in_category & outside
    links_in_category = np.bincount(chain.supplier[chosen], minlength=n_org)
    suppliers = np.flatnonzero(links_in_category)
    if not suppliers.size:
        return []
    links_total = np.bincount(chain.supplier, minlength=n_org)
    pairs = np.unique(chain.supplier[chosen].astype(np.int64) * n_org + chain.buyer[chosen])
    buyers_served = np.bincount(pairs // n_org, minlength=n_org)

    focus = CATEGORY_POINTS * links_in_category[suppliers] / links_total[suppliers]
    # Ranks are -1 (none) upwards, so rank + 1 steps earn points; ASIL QM is rank 0 and earns none.
    aec = extra.qualifications.aec_q100[suppliers, gap.category].astype(np.int64)
    asil = extra.qualifications.asil[suppliers, gap.category].astype(np.int64)
    iatf = extra.iatf[suppliers]
    qualification = AEC_Q100_STEP_POINTS * (aec + 1) + ASIL_POINTS * np.clip(asil, 0, None) + IATF_POINTS * iatf
    bands = extra.size_band[suppliers]
    scale = SIZE_BAND_POINTS * np.clip(bands - 1, 0, None)
    served = buyers_served[suppliers]
    buyers_points = BUYER_POINTS * np.minimum(served, BUYERS_COUNTED)
    domestic = chain.domestic[suppliers]
    domestic_points = DOMESTIC_POINTS * domestic if gap.kind == "outside_country" else np.zeros(len(suppliers))
    score = focus + qualification + scale + buyers_points + domestic_points
    # lexsort sorts by its last key first: highest score, then lowest organisation id.
    order = np.lexsort((chain.organisation_ids[suppliers], -np.round(score, 9)))[:top]
    return [
        _candidate(
            chain,
            gap,
            supplier=int(suppliers[i]),
            score=float(score[i]),
            points=(float(focus[i]), float(qualification[i]), float(scale[i]), float(buyers_points[i])),
            domestic_points=float(domestic_points[i]),
            links=(int(links_in_category[suppliers[i]]), int(links_total[suppliers[i]])),
            served=int(served[i]),
            grade=(int(aec[i]), int(asil[i])),
            iatf=bool(iatf[i]),
            band=SIZE_BANDS[int(bands[i])],
            category_name=category_name or gap.category_code,
        )
        for i in order.tolist()
    ]


def _candidate(
    chain: ChainColumns,
    gap: Gap,
    *,
    supplier: int,
    score: float,
    points: tuple[float, float, float, float],
    domestic_points: float,
    links: tuple[int, int],
    served: int,
    grade: tuple[int, int],
    iatf: bool,
    band: str,
    category_name: str,
) -> Candidate:
    focus, qualification, scale, buyers_points = points
    aec_grade = _label(AEC_Q100_RANKS, grade[0])
    asil_level = _label(ASIL_RANKS, grade[1])
    code = category_name
    reasons = [
        gettext("%(links)d of its %(total)d supply links are in %(category)s: %(points)s points for focus.")
        % {"links": links[0], "total": links[1], "category": code, "points": f"{focus:g}"},
        gettext(
            "Qualified in %(category)s: AEC-Q100 %(aec)s, ISO 26262 %(asil)s, IATF 16949 %(iatf)s: "
            "%(points)s points for qualification."
        )
        % {
            "category": code,
            "aec": gettext("grade %(grade)s") % {"grade": aec_grade} if aec_grade else gettext("none"),
            "asil": asil_level or gettext("none"),
            "iatf": gettext("yes") if iatf else gettext("no"),
            "points": f"{qualification:g}",
        },
        (
            gettext("Size band %(band)s: %(points)s points for scale.") % {"band": band, "points": f"{scale:g}"}
            if band
            else gettext("Its size is not recorded: 0 points for scale.")
        ),
        gettext("It supplies %(category)s to %(buyers)d buyer(s): %(points)s points.")
        % {"category": code, "buyers": served, "points": f"{buyers_points:g}"},
    ]
    domestic = bool(chain.domestic[supplier])
    if gap.kind == "outside_country":
        reasons.append(
            gettext("It is a Chinese organisation, the domestic source this gap lacks: %(points)s points.")
            % {"points": f"{domestic_points:g}"}
            if domestic
            else gettext("It is outside China, so it does not close a domestic gap by itself: 0 points.")
        )
    return Candidate(
        supplier=supplier,
        organisation_id=int(chain.organisation_ids[supplier]),
        score=score,
        category_points=focus,
        qualification_points=qualification,
        scale_points=scale,
        buyers_points=buyers_points,
        domestic_points=domestic_points,
        links_in_category=links[0],
        links_total=links[1],
        buyers_served=served,
        aec_q100_grade=aec_grade,
        asil=asil_level,
        iatf=iatf,
        size_band=band,
        domestic=domestic,
        reasons=tuple(reasons),
    )


def _label(ranks: dict[str, int], rank: int) -> str | None:
    return next((label for label, r in ranks.items() if r == rank), None)
