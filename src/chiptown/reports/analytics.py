"""Chain metrics (localisation, concentration, single sources, every single-supplier failure) as numpy group-bys.

The chain is held as columns on integer ids (`ChainColumns`): organisations are 0..n_organisations-1 and
categories 0..n_categories-1, with tables that map them back to database ids and category codes. No ORM here.

Rules every figure follows (the methodology section of the report quotes them):

* Counted links: only links in mass production (see `selectors.COUNTED_STATUSES`). Evaluations and design wins
  carry no volume yet, so they would only blur who actually supplies whom.
* Shares are fractions of the buyer's volume in that category (0..1; the registry stores per cent). A link's
  **effective share**: within one (buyer, category), known shares stay as recorded, and the unknown rest
  (1 - sum of known shares, never below 0) is split equally among the links without a share; when the known
  shares already reach 100% the links without a share get 0. When known shares add up to more than 100% (bad
  data) they are scaled down proportionally to add up to exactly 100% and the unknown ones get 0.
  Every volume figure uses effective shares.
* A buyer's **recorded volume** in a category is the sum of its links' effective shares there (it is below 1
  when every link has a share and they add up to less than 100%: the rest is bought from suppliers the
  registry does not know). Volume ratios (localisation by volume, suppliers' shares for the HHI) are taken of
  the recorded volume, and every buyer counts equally within a category: a category's figure is the mean over
  its buyers with a recorded volume above 0 of that buyer's ratio.
* Lost volume when a supplier fails is in effective shares, i.e. of the buyer's whole volume (not only the
  recorded part): losing a supplier recorded at 40% loses 0.4 of that buyer's volume in that category. Summed
  over (buyer, category) pairs it is measured in "buyer-category volumes" (1.0 = one buyer's whole volume in
  one category).
* Empty inputs give empty results (zero rows, NaN "no data" figures for categories without links), never an
  error; malformed columns and bad bills of materials raise `ChipTownError`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext

from chiptown.core.errors import ChipTownError, Problem

IntArray = npt.NDArray[np.int32]
Int64Array = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _bad_columns(reason: str, column: str) -> ChipTownError:
    return ChipTownError(
        gettext("The chain data is not consistent: %(reason)s") % {"reason": reason},
        code="bad_chain",
        problems=[Problem(reason=reason, column=column)],
    )


@dataclass(frozen=True, eq=False)
class ChainColumns:
    """The counted supply links and the organisations they join, as numpy columns on integer ids."""

    # Per link.
    supplier: IntArray
    buyer: IntArray
    category: IntArray
    share: FloatArray  # fraction of the buyer's volume in the category, NaN when unknown
    # Per organisation (index = organisation id 0..n-1).
    domestic: BoolArray
    in_park: BoolArray
    country: IntArray
    province: IntArray
    country_labels: tuple[str, ...]
    province_labels: tuple[str, ...]
    # Maps back: category id -> code, organisation id -> database primary key.
    category_codes: tuple[str, ...]
    organisation_ids: Int64Array

    def __post_init__(self) -> None:
        links = len(self.supplier)
        for name in ("buyer", "category", "share"):
            if len(getattr(self, name)) != links:
                raise _bad_columns(gettext("every link column must have one value per link"), name)
        organisations = len(self.domestic)
        for name in ("in_park", "country", "province"):
            if len(getattr(self, name)) != organisations:
                raise _bad_columns(gettext("every organisation column must have one value per organisation"), name)
        if len(self.organisation_ids) != organisations:
            raise _bad_columns(gettext("organisation ids must have one value per organisation"), "organisation_ids")
        if links:
            for name, limit in (
                ("supplier", organisations),
                ("buyer", organisations),
                ("category", len(self.category_codes)),
            ):
                values = getattr(self, name)
                if int(values.min()) < 0 or int(values.max()) >= limit:
                    raise _bad_columns(gettext("a link refers to an id that does not exist"), name)
            known = self.share[~np.isnan(self.share)]
            if known.size and (float(known.min()) < 0 or float(known.max()) > 1):
                raise _bad_columns(gettext("shares must lie between 0 and 1"), "share")
        if organisations:
            if int(self.country.min()) < 0 or int(self.country.max()) >= len(self.country_labels):
                raise _bad_columns(gettext("an organisation has an unknown country code"), "country")
            if int(self.province.min()) < 0 or int(self.province.max()) >= len(self.province_labels):
                raise _bad_columns(gettext("an organisation has an unknown province code"), "province")

    @property
    def n_links(self) -> int:
        return len(self.supplier)

    @property
    def n_organisations(self) -> int:
        return len(self.domestic)

    @property
    def n_categories(self) -> int:
        return len(self.category_codes)

    def organisation_index(self, organisation_id: int) -> int:
        """The 0..n-1 id of a database organisation id; a clear error for one the chain does not know."""
        position = int(np.searchsorted(self.organisation_ids, organisation_id))
        if position < self.n_organisations and int(self.organisation_ids[position]) == organisation_id:
            return position
        raise ChipTownError(
            gettext("There is no organisation with id %(id)s in the chain.") % {"id": organisation_id},
            code="unknown_organisation",
            status=404,
            problems=[Problem(reason=gettext("Unknown organisation."), column="organisation")],
        )

    def category_index(self, code: str) -> int:
        """The 0..n-1 id of a category code; a clear error for an unknown code."""
        if code in self.category_codes:
            return self.category_codes.index(code)
        raise ChipTownError(
            gettext("“%(category)s” is not a chip category.") % {"category": code},
            code="unknown_category",
            status=404,
            problems=[Problem(reason=gettext("Unknown chip category."), column="category")],
        )

    @cached_property
    def buyer_category(self) -> Int64Array:
        """Per link, the (buyer, category) cell as one integer: buyer * n_categories + category."""
        return self.buyer.astype(np.int64) * self.n_categories + self.category

    @cached_property
    def effective_share(self) -> FloatArray:
        """Per link, its effective share (module docstring): known shares kept, the unknown rest split equally."""
        cells = self.n_organisations * self.n_categories
        known = ~np.isnan(self.share)
        known_share = np.where(known, self.share, 0.0)
        known_sum = np.bincount(self.buyer_category, weights=known_share, minlength=cells)
        unknown_count = np.bincount(self.buyer_category, weights=(~known).astype(np.float64), minlength=cells)
        scale = np.ones(cells)
        over = known_sum > 1
        scale[over] = 1 / known_sum[over]
        rest = np.divide(np.clip(1 - known_sum, 0, None), unknown_count, out=np.zeros(cells), where=unknown_count > 0)
        return np.where(known, known_share * scale[self.buyer_category], rest[self.buyer_category])

    @cached_property
    def recorded_volume(self) -> FloatArray:
        """Per (buyer, category) cell, the sum of its links' effective shares."""
        return np.bincount(
            self.buyer_category, weights=self.effective_share, minlength=self.n_organisations * self.n_categories
        ).astype(np.float64)

    @cached_property
    def recorded_fraction(self) -> FloatArray:
        """Per link, its effective share as a fraction of its buyer's recorded volume (0 when that is 0)."""
        volume = self.recorded_volume[self.buyer_category]
        return np.divide(self.effective_share, volume, out=np.zeros(self.n_links), where=volume > 0)


def _cells_per_category(cells: Int64Array, n_categories: int) -> IntArray:
    """How many of the given (x * n_categories + category) cells fall in each category."""
    return np.bincount(cells % max(n_categories, 1), minlength=n_categories).astype(np.int32)


def _rows(table: Any, columns: tuple[str, ...]) -> list[dict[str, Any]]:
    values = [getattr(table, c) for c in columns]
    return [
        {c: (v[i].item() if isinstance(v[i], np.generic) else v[i]) for c, v in zip(columns, values, strict=True)}
        for i in range(len(values[0]))
    ]


@dataclass(frozen=True, eq=False)
class Localisation:
    """Per category (index = category id): links, buyers and the domestic and in-park shares of supply.

    `*_by_links` are fractions of the category's links; `*_by_volume` are means over the category's buyers of
    the fraction of each buyer's recorded volume (effective shares). NaN = no data (no links, or no buyer with
    a recorded volume above 0).
    """

    category_codes: tuple[str, ...]
    links: IntArray
    buyers: IntArray
    domestic_by_links: FloatArray
    in_park_by_links: FloatArray
    domestic_by_volume: FloatArray
    in_park_by_volume: FloatArray

    COLUMNS = (
        "category_codes",
        "links",
        "buyers",
        "domestic_by_links",
        "in_park_by_links",
        "domestic_by_volume",
        "in_park_by_volume",
    )

    def rows(self) -> list[dict[str, Any]]:
        return _rows(self, self.COLUMNS)


def localisation(chain: ChainColumns) -> Localisation:
    """Domestic and in-park shares of supply per category, by link count and by volume."""
    n_cat = chain.n_categories
    links = np.bincount(chain.category, minlength=n_cat)
    domestic = chain.domestic[chain.supplier]
    in_park = chain.in_park[chain.supplier]
    domestic_links = np.bincount(chain.category, weights=domestic.astype(np.float64), minlength=n_cat)
    in_park_links = np.bincount(chain.category, weights=in_park.astype(np.float64), minlength=n_cat)
    with np.errstate(invalid="ignore", divide="ignore"):
        domestic_by_links = domestic_links / links
        in_park_by_links = in_park_links / links
    cell_links = np.bincount(chain.buyer_category, minlength=chain.n_organisations * n_cat)
    buyers = _cells_per_category(np.flatnonzero(cell_links), n_cat)
    buyers_with_volume = _cells_per_category(np.flatnonzero(chain.recorded_volume > 0), n_cat)
    fraction = chain.recorded_fraction
    with np.errstate(invalid="ignore", divide="ignore"):
        domestic_by_volume = (
            np.bincount(chain.category, weights=fraction * domestic, minlength=n_cat) / buyers_with_volume
        )
        in_park_by_volume = (
            np.bincount(chain.category, weights=fraction * in_park, minlength=n_cat) / buyers_with_volume
        )
    return Localisation(
        category_codes=chain.category_codes,
        links=links.astype(np.int32),
        buyers=buyers,
        domestic_by_links=domestic_by_links,
        in_park_by_links=in_park_by_links,
        domestic_by_volume=domestic_by_volume,
        in_park_by_volume=in_park_by_volume,
    )


@dataclass(frozen=True)
class CategoryRate:
    category_code: str
    chips_per_vehicle: float
    weight: float  # this category's part of the bill of materials among the categories with data
    domestic_by_volume: float
    in_park_by_volume: float


@dataclass(frozen=True)
class VehicleLocalisation:
    """A bill of materials' weighted localisation rate; `None` rates when no category in it has data.

    Categories without suppliers (or without recorded volume) are listed in `no_data` and left out of the
    weights: the rate is that of the part of the vehicle the registry knows about.
    """

    domestic_rate: float | None
    in_park_rate: float | None
    categories: tuple[CategoryRate, ...]
    no_data: tuple[str, ...]
    chips_counted: float
    chips_without_data: float


def _bom_problems(chain: ChainColumns, bom: Mapping[str, Any]) -> tuple[dict[str, float], list[Problem]]:
    problems: list[Problem] = []
    counts: dict[str, float] = {}
    known = set(chain.category_codes)
    for code, value in bom.items():
        if code not in known:
            problems.append(
                Problem(reason=gettext("“%(category)s” is not a chip category.") % {"category": code}, column=code)
            )
            continue
        number: float | None = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = float(value)
        elif isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                number = None
        if number is None or not math.isfinite(number):
            problems.append(
                Problem(
                    reason=gettext("The chip count for “%(category)s” is not a number.") % {"category": code},
                    column=code,
                )
            )
        elif number < 0:
            problems.append(
                Problem(
                    reason=gettext("The chip count for “%(category)s” is negative.") % {"category": code},
                    column=code,
                )
            )
        else:
            counts[code] = number
    return counts, problems


def vehicle_localisation(chain: ChainColumns, bom: Mapping[str, Any]) -> VehicleLocalisation:
    """The bill of materials (chips per vehicle per category code) weighted localisation of a whole vehicle."""
    counts, problems = _bom_problems(chain, bom)
    if problems:
        raise ChipTownError(
            gettext("The bill of materials has %(count)d problem(s).") % {"count": len(problems)},
            code="bad_bom",
            problems=problems,
        )
    if sum(counts.values()) <= 0:
        raise ChipTownError(
            gettext("The bill of materials counts no chips: give at least one category a count above zero."),
            code="bad_bom",
            problems=[Problem(reason=gettext("Every chip count is zero."), column=code) for code in bom] or None,
        )
    table = localisation(chain)
    index = {code: i for i, code in enumerate(chain.category_codes)}
    # In the chain's category order, whatever order the counts came in (PostgreSQL's jsonb does not keep it).
    counts = dict(sorted(counts.items(), key=lambda item: index[item[0]]))
    with_data = {code: n for code, n in counts.items() if n > 0 and not np.isnan(table.domestic_by_volume[index[code]])}
    no_data = tuple(code for code, n in counts.items() if n > 0 and code not in with_data)
    total = sum(with_data.values())
    rates = tuple(
        CategoryRate(
            category_code=code,
            chips_per_vehicle=n,
            weight=n / total,
            domestic_by_volume=float(table.domestic_by_volume[index[code]]),
            in_park_by_volume=float(table.in_park_by_volume[index[code]]),
        )
        for code, n in with_data.items()
    )
    return VehicleLocalisation(
        domestic_rate=sum(r.weight * r.domestic_by_volume for r in rates) if rates else None,
        in_park_rate=sum(r.weight * r.in_park_by_volume for r in rates) if rates else None,
        categories=rates,
        no_data=no_data,
        chips_counted=total,
        chips_without_data=sum(counts[code] for code in no_data),
    )


@dataclass(frozen=True, eq=False)
class Concentration:
    """Per category: the Herfindahl-Hirschman index (0-10,000) of suppliers' volume shares and their number.

    A supplier's share of a category is the mean over its buyers of its part of each buyer's recorded volume,
    so the shares add up to 1. NaN = no data (no buyer with a recorded volume above 0).
    """

    category_codes: tuple[str, ...]
    hhi: FloatArray
    suppliers: IntArray

    COLUMNS = ("category_codes", "hhi", "suppliers")

    def rows(self) -> list[dict[str, Any]]:
        return _rows(self, self.COLUMNS)


def concentration(chain: ChainColumns) -> Concentration:
    """Herfindahl-Hirschman index and number of suppliers per category."""
    n_cat = chain.n_categories
    cells = chain.n_organisations * n_cat
    supplier_category = chain.supplier.astype(np.int64) * n_cat + chain.category
    volume = np.bincount(supplier_category, weights=chain.recorded_fraction, minlength=cells)
    links = np.bincount(supplier_category, minlength=cells)
    present = np.flatnonzero(links)
    suppliers = _cells_per_category(present, n_cat)
    buyers_with_volume = _cells_per_category(np.flatnonzero(chain.recorded_volume > 0), n_cat).astype(np.float64)
    squares = np.bincount(present % max(n_cat, 1), weights=volume[present] ** 2, minlength=n_cat)
    with np.errstate(invalid="ignore", divide="ignore"):
        hhi = np.where(buyers_with_volume > 0, 10_000 * squares / buyers_with_volume**2, np.nan)
    return Concentration(category_codes=chain.category_codes, hhi=hhi, suppliers=suppliers)


@dataclass(frozen=True, eq=False)
class SingleSources:
    """The (buyer, category) pairs with exactly one supplier; `foreign` flags a supplier outside China."""

    buyer: IntArray
    category: IntArray
    supplier: IntArray
    foreign: BoolArray

    COLUMNS = ("buyer", "category", "supplier", "foreign")

    def __len__(self) -> int:
        return len(self.buyer)

    def rows(self) -> list[dict[str, Any]]:
        return _rows(self, self.COLUMNS)


def single_source(chain: ChainColumns) -> SingleSources:
    """Every (buyer, category) pair that has exactly one supplier, sorted by buyer then category."""
    n_org = max(chain.n_organisations, 1)
    triples = np.sort(chain.buyer_category * n_org + chain.supplier)
    if triples.size:
        triples = triples[np.concatenate(([True], np.diff(triples) != 0))]
    cell = triples // n_org
    first = np.concatenate(([True], np.diff(cell) != 0)) if cell.size else np.zeros(0, dtype=bool)
    last = np.concatenate((first[1:], [True])) if cell.size else first
    alone = first & last
    cell_alone = cell[alone]
    supplier = (triples[alone] % n_org).astype(np.int32)
    n_cat = max(chain.n_categories, 1)
    return SingleSources(
        buyer=(cell_alone // n_cat).astype(np.int32),
        category=(cell_alone % n_cat).astype(np.int32),
        supplier=supplier,
        foreign=~chain.domestic[supplier],
    )


@dataclass(frozen=True, eq=False)
class SingleFailures:
    """Every single-supplier failure at once.

    Per (supplier, buyer, category) triple, sorted by supplier then buyer then category: `lost_share` is the
    effective share the buyer loses in that category when the supplier fails, `left_without_supplier` is true
    when the supplier was the buyer's only one there. Supplier s's triples are rows
    `supplier_start[s]:supplier_start[s + 1]`. Per supplier (index = organisation id): `total_lost` (sum of
    lost shares, in buyer-category volumes), `pairs_without_supplier` ((buyer, category) pairs left with no
    supplier at all), `buyers_hit` (distinct buyers losing something).
    """

    supplier: IntArray
    buyer: IntArray
    category: IntArray
    lost_share: FloatArray
    left_without_supplier: BoolArray
    supplier_start: Int64Array
    total_lost: FloatArray
    pairs_without_supplier: IntArray
    buyers_hit: IntArray

    def for_supplier(self, supplier: int) -> slice:
        return slice(int(self.supplier_start[supplier]), int(self.supplier_start[supplier + 1]))


def all_single_failures(chain: ChainColumns) -> SingleFailures:
    """Every supplier's failure simulated at once, with one sort-and-reduce over (supplier, buyer, category)."""
    n_org = chain.n_organisations
    n_cat = max(chain.n_categories, 1)
    cells = n_org * n_cat
    key = chain.supplier.astype(np.int64) * cells + chain.buyer_category
    order = np.argsort(key, kind="stable")
    key_sorted = key[order]
    if key_sorted.size:
        starts = np.flatnonzero(np.concatenate(([True], np.diff(key_sorted) != 0)))
        lost = np.add.reduceat(chain.effective_share[order], starts)
        triples = key_sorted[starts]
    else:
        lost = np.zeros(0)
        triples = np.zeros(0, dtype=np.int64)
    del key, order, key_sorted
    cell = triples % cells if cells else triples
    supplier = (triples // cells).astype(np.int32) if cells else triples.astype(np.int32)
    suppliers_per_cell = np.bincount(cell, minlength=cells)
    alone = suppliers_per_cell[cell] == 1
    per_supplier = np.bincount(supplier, minlength=n_org)
    supplier_start = np.concatenate(([0], np.cumsum(per_supplier))).astype(np.int64)
    supplier_buyer = triples // n_cat
    new_buyer = np.concatenate(([True], np.diff(supplier_buyer) != 0)) if triples.size else np.zeros(0, dtype=bool)
    return SingleFailures(
        supplier=supplier,
        buyer=(cell // n_cat).astype(np.int32),
        category=(cell % n_cat).astype(np.int32),
        lost_share=lost,
        left_without_supplier=alone,
        supplier_start=supplier_start,
        total_lost=np.bincount(supplier, weights=lost, minlength=n_org).astype(np.float64),
        pairs_without_supplier=np.bincount(supplier, weights=alone.astype(np.float64), minlength=n_org).astype(
            np.int32
        ),
        buyers_hit=np.bincount(supplier[new_buyer], minlength=n_org).astype(np.int32),
    )


@dataclass(frozen=True, eq=False)
class Chokepoints:
    """Suppliers ranked by the volume their failure would cost (ties: more pairs left without a supplier)."""

    supplier: IntArray
    organisation_id: Int64Array
    total_lost: FloatArray
    pairs_without_supplier: IntArray
    buyers_hit: IntArray
    domestic: BoolArray
    in_park: BoolArray

    COLUMNS = (
        "supplier",
        "organisation_id",
        "total_lost",
        "pairs_without_supplier",
        "buyers_hit",
        "domestic",
        "in_park",
    )

    def __len__(self) -> int:
        return len(self.supplier)

    def rows(self) -> list[dict[str, Any]]:
        return _rows(self, self.COLUMNS)


def chokepoints(chain: ChainColumns, *, top: int = 20, failures: SingleFailures | None = None) -> Chokepoints:
    """The `top` suppliers whose loss would hurt most; pass `failures` to reuse an `all_single_failures` result."""
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise ChipTownError(
            gettext("The number of chokepoints to list must be a whole number of at least 1."),
            code="bad_top",
            problems=[Problem(reason=gettext("Give a whole number of at least 1."), column="top")],
        )
    failures = failures if failures is not None else all_single_failures(chain)
    hit = np.flatnonzero(failures.supplier_start[1:] > failures.supplier_start[:-1])
    # lexsort sorts by its last key first: most volume lost, then most pairs orphaned, then lowest id.
    order = np.lexsort((hit, -failures.pairs_without_supplier[hit], -failures.total_lost[hit]))
    ranked: IntArray = hit[order][:top].astype(np.int32)
    ids = chain.organisation_ids[ranked]
    return Chokepoints(
        supplier=ranked,
        organisation_id=ids,
        total_lost=failures.total_lost[ranked],
        pairs_without_supplier=failures.pairs_without_supplier[ranked],
        buyers_hit=failures.buyers_hit[ranked],
        domestic=chain.domestic[ranked],
        in_park=chain.in_park[ranked],
    )
