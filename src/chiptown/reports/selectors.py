"""Reads for the reports: the registry's counted supply links loaded into `analytics.ChainColumns`."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

import numpy as np
from django.db.models import Q
from django.utils import timezone

from chiptown.registry.models import (
    ChipCategory,
    LinkStatus,
    Organisation,
    Product,
    Qualification,
    Standard,
    SupplyLink,
)
from chiptown.reports.analytics import ChainColumns
from chiptown.reports.scenarios import NONE, SupplierQualifications, aec_q100_rank, asil_rank

# Only links that carry volume count: a link in evaluation or a design win is not shipping yet, so counting it
# would inflate localisation and hide single sources that exist today.
COUNTED_STATUSES: tuple[str, ...] = (LinkStatus.MASS_PRODUCTION,)


def _codes(values: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes for a list of labels, labels in sorted order."""
    labels = tuple(sorted(set(values)))
    index = {label: i for i, label in enumerate(labels)}
    return np.fromiter((index[v] for v in values), dtype=np.int32, count=len(values)), labels


def chain_columns_load(
    *, statuses: Iterable[str] = COUNTED_STATUSES, started_by: datetime.date | None = None
) -> ChainColumns:
    """The whole chain as columns, in three queries (categories, organisations, links), no model instances.

    `started_by` keeps only the links whose start date is on or before that day (or unknown): the chain as it stood
    then, as far as the registry can tell (it keeps no end dates, so a link that has ended since is not seen)."""
    category_codes = tuple(ChipCategory.objects.order_by("position", "code").values_list("code", flat=True))
    organisations = list(Organisation.objects.order_by("id").values_list("id", "country", "province", "in_park"))
    organisation_ids = np.fromiter((row[0] for row in organisations), dtype=np.int64, count=len(organisations))
    country, country_labels = _codes([row[1] for row in organisations])
    province, province_labels = _codes([row[2] for row in organisations])
    in_park = np.fromiter((row[3] for row in organisations), dtype=bool, count=len(organisations))
    domestic = np.fromiter((row[1] == "CN" for row in organisations), dtype=bool, count=len(organisations))

    counted = SupplyLink.objects.filter(status__in=list(statuses))
    if started_by is not None:
        counted = counted.filter(Q(since__isnull=True) | Q(since__lte=started_by))
    links = list(counted.order_by().values_list("supplier_id", "buyer_id", "category_id", "share"))
    count = len(links)
    category_index = {code: i for i, code in enumerate(category_codes)}
    supplier_pk = np.fromiter((row[0] for row in links), dtype=np.int64, count=count)
    buyer_pk = np.fromiter((row[1] for row in links), dtype=np.int64, count=count)
    category = np.fromiter((category_index[row[2]] for row in links), dtype=np.int32, count=count)
    share = np.fromiter(
        (np.nan if row[3] is None else float(row[3]) / 100 for row in links), dtype=np.float64, count=count
    )
    # organisation_ids is sorted, so searchsorted turns primary keys into 0..n-1 ids.
    return ChainColumns(
        supplier=np.searchsorted(organisation_ids, supplier_pk).astype(np.int32),
        buyer=np.searchsorted(organisation_ids, buyer_pk).astype(np.int32),
        category=category,
        share=share,
        domestic=domestic,
        in_park=in_park,
        country=country,
        province=province,
        country_labels=country_labels,
        province_labels=province_labels,
        category_codes=category_codes,
        organisation_ids=organisation_ids,
    )


# --- Scenarios: qualifications per supplier and category ---


def supplier_qualifications_load(chain: ChainColumns, *, on: datetime.date | None = None) -> SupplierQualifications:
    """Per (organisation, category) of `chain`, the strictest valid AEC-Q100 grade and ISO 26262 level its
    products hold on day `on` (default today), and whether it makes that category; two queries.

    Valid: a level the standard knows, issued on or before `on` (or no issue date), not expired before `on`.
    Organisations or categories the chain does not know are ignored.
    """
    day = on or timezone.localdate()
    found = SupplierQualifications.empty(chain)
    category_index = {code: i for i, code in enumerate(chain.category_codes)}

    def positions(rows: list[tuple[Any, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pk = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        category = np.fromiter((category_index.get(row[1], -1) for row in rows), dtype=np.int64, count=len(rows))
        organisation = np.searchsorted(chain.organisation_ids, pk)
        clipped = np.minimum(organisation, max(chain.n_organisations - 1, 0))
        known = (organisation < chain.n_organisations) & (category >= 0)
        if chain.n_organisations:
            known &= chain.organisation_ids[clipped] == pk
        return organisation[known], category[known], known

    made = list(Product.objects.order_by().values_list("organisation_id", "category_id").distinct())
    organisation, category, _ = positions(made)
    found.makes[organisation, category] = True

    held = list(
        Qualification.objects.filter(product__isnull=False, standard__in=[Standard.AEC_Q100, Standard.ISO_26262])
        .filter(Q(issued_on__isnull=True) | Q(issued_on__lte=day))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .order_by()
        .values_list("product__organisation_id", "product__category_id", "standard", "level")
    )
    organisation, category, known = positions(held)
    kept = [row for row, keep in zip(held, known.tolist(), strict=True) if keep]
    aec = np.fromiter(
        (aec_q100_rank(row[3]) if row[2] == Standard.AEC_Q100 else NONE for row in kept), dtype=np.int8, count=len(kept)
    )
    asil = np.fromiter(
        (asil_rank(row[3]) if row[2] == Standard.ISO_26262 else NONE for row in kept), dtype=np.int8, count=len(kept)
    )
    np.maximum.at(found.aec_q100, (organisation, category), aec)
    np.maximum.at(found.asil, (organisation, category), asil)
    return found


# --- Attraction: size and qualifications of candidate suppliers ---

from chiptown.reports.attraction import SIZE_BANDS, AttractionProfiles  # noqa: E402  (kept inside this block)


def attraction_profiles_load(chain: ChainColumns, *, on: datetime.date | None = None) -> AttractionProfiles:
    """Per organisation of `chain`: its size band, a valid IATF 16949 plant certificate on day `on` (default
    today), and its products' qualifications per category (`supplier_qualifications_load`); four queries."""
    day = on or timezone.localdate()
    band_rank = {band: rank for rank, band in enumerate(SIZE_BANDS)}
    bands = dict(Organisation.objects.order_by().values_list("id", "size_band"))
    size_band = np.fromiter(
        (band_rank.get(bands.get(pk, ""), 0) for pk in chain.organisation_ids.tolist()),
        dtype=np.int32,
        count=chain.n_organisations,
    )
    certified = set(
        Qualification.objects.filter(organisation__isnull=False, standard=Standard.IATF_16949)
        .filter(Q(issued_on__isnull=True) | Q(issued_on__lte=day))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        .order_by()
        .values_list("organisation_id", flat=True)
    )
    iatf = np.fromiter(
        (pk in certified for pk in chain.organisation_ids.tolist()), dtype=bool, count=chain.n_organisations
    )
    return AttractionProfiles(
        size_band=size_band, iatf=iatf, qualifications=supplier_qualifications_load(chain, on=day)
    )


# --- Report editions ---

from django.db.models import QuerySet  # noqa: E402

from chiptown.reports.models import ReportDocument, ReportEdition  # noqa: E402


def report_editions(*, include_drafts: bool) -> QuerySet[ReportEdition]:
    """Editions newest first, without their snapshot and figures (list pages never need them)."""
    editions = ReportEdition.objects.defer("snapshot", "figures").select_related("job").order_by("-year")
    return editions if include_drafts else editions.filter(status=ReportEdition.Status.PUBLISHED)


def report_edition(*, year: int) -> ReportEdition | None:
    return ReportEdition.objects.defer("snapshot").select_related("job").filter(year=year).first()


def report_edition_visible_to(*, year: int, user: Any) -> ReportEdition | None:
    """The `year` edition if `user` may see it (published, or an operator: rule reports.view_reportedition)."""
    edition = report_edition(year=year)
    return edition if edition is not None and user.has_perm("reports.view_reportedition", edition) else None


def report_documents(*, edition: ReportEdition) -> list[ReportDocument]:
    return list(edition.documents.defer("content").order_by("language", "kind"))


def report_document(*, edition: ReportEdition, language: str, kind: str) -> ReportDocument | None:
    return edition.documents.filter(language=language, kind=kind).first()


# --- Analyses pages ---

from chiptown.registry.models import pick_language  # noqa: E402  (kept inside this block)
from chiptown.reports.models import BillOfMaterials  # noqa: E402


def organisation_names(*, ids: Iterable[int]) -> dict[int, tuple[str, bool]]:
    """Display name (active language) and demo flag of each organisation id, in one query."""
    wanted = sorted({int(pk) for pk in ids})
    if not wanted:
        return {}
    rows = Organisation.objects.filter(pk__in=wanted).order_by().values_list("id", "name_zh", "name_en", "is_demo")
    return {pk: (pick_language(zh, en), bool(demo)) for pk, zh, en, demo in rows}


def category_names() -> dict[str, str]:
    """Every chip category's display name (active language) by code, in one query."""
    rows = ChipCategory.objects.order_by("position", "code").values_list("code", "name_zh", "name_en")
    return {code: pick_language(zh, en) for code, zh, en in rows}


def registry_has_demo() -> bool:
    """True when any organisation in the registry is generated demo data (its figures must say so)."""
    return Organisation.objects.filter(is_demo=True).exists()


def bills_of_materials() -> list[BillOfMaterials]:
    return list(BillOfMaterials.objects.order_by("-is_default", "name_en", "pk"))


def bill_of_materials(*, pk: int) -> BillOfMaterials | None:
    return BillOfMaterials.objects.filter(pk=pk).first()


def default_bill_of_materials() -> BillOfMaterials | None:
    """The bill of materials the report weighs a whole vehicle by, if one is chosen."""
    return BillOfMaterials.objects.filter(is_default=True).first()
