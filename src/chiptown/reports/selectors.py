"""Reads for the reports: the registry's counted supply links loaded into `analytics.ChainColumns`."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from chiptown.registry.models import ChipCategory, LinkStatus, Organisation, SupplyLink
from chiptown.reports.analytics import ChainColumns

# Only links that carry volume count: a link in evaluation or a design win is not shipping yet, so counting it
# would inflate localisation and hide single sources that exist today.
COUNTED_STATUSES: tuple[str, ...] = (LinkStatus.MASS_PRODUCTION,)


def _codes(values: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes for a list of labels, labels in sorted order."""
    labels = tuple(sorted(set(values)))
    index = {label: i for i, label in enumerate(labels)}
    return np.fromiter((index[v] for v in values), dtype=np.int32, count=len(values)), labels


def chain_columns_load(*, statuses: Iterable[str] = COUNTED_STATUSES) -> ChainColumns:
    """The whole chain as columns, in three queries (categories, organisations, links), no model instances."""
    category_codes = tuple(ChipCategory.objects.order_by("position", "code").values_list("code", flat=True))
    organisations = list(Organisation.objects.order_by("id").values_list("id", "country", "province", "in_park"))
    organisation_ids = np.fromiter((row[0] for row in organisations), dtype=np.int64, count=len(organisations))
    country, country_labels = _codes([row[1] for row in organisations])
    province, province_labels = _codes([row[2] for row in organisations])
    in_park = np.fromiter((row[3] for row in organisations), dtype=bool, count=len(organisations))
    domestic = np.fromiter((row[1] == "CN" for row in organisations), dtype=bool, count=len(organisations))

    links = list(
        SupplyLink.objects.filter(status__in=list(statuses))
        .order_by()
        .values_list("supplier_id", "buyer_id", "category_id", "share")
    )
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
