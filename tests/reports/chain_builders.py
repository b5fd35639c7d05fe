"""Small chains built by hand or at random as ChainColumns, for the analytics tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from chiptown.reports.analytics import ChainColumns
from chiptown.reports.scenarios import SupplierQualifications, aec_q100_rank, asil_rank


def chain_from(
    *,
    organisations: Sequence[tuple[str, str, bool]],
    links: Sequence[tuple[int, int, int, float | None]],
    categories: Sequence[str],
) -> ChainColumns:
    """organisations: (country, province, in_park); links: (supplier, buyer, category, share 0..1 or None)."""
    countries = sorted({o[0] for o in organisations})
    provinces = sorted({o[1] for o in organisations})
    return ChainColumns(
        supplier=np.array([link[0] for link in links], dtype=np.int32),
        buyer=np.array([link[1] for link in links], dtype=np.int32),
        category=np.array([link[2] for link in links], dtype=np.int32),
        share=np.array([np.nan if link[3] is None else link[3] for link in links], dtype=np.float64),
        domestic=np.array([o[0] == "CN" for o in organisations], dtype=bool),
        in_park=np.array([o[2] for o in organisations], dtype=bool),
        country=np.array([countries.index(o[0]) for o in organisations], dtype=np.int32),
        province=np.array([provinces.index(o[1]) for o in organisations], dtype=np.int32),
        country_labels=tuple(countries),
        province_labels=tuple(provinces),
        category_codes=tuple(categories),
        organisation_ids=np.arange(100, 100 + len(organisations), dtype=np.int64),
    )


def qualifications_from(
    chain: ChainColumns,
    *,
    grades: Mapping[tuple[int, int], tuple[str | None, str | None]],
    makes: Sequence[tuple[int, int]] = (),
) -> SupplierQualifications:
    """grades: (organisation, category) -> (AEC-Q100 grade "0".."3" or None, ISO 26262 level or None);
    every graded pair and every pair in `makes` counts as a product the organisation makes."""
    qualifications = SupplierQualifications.empty(chain)
    for (organisation, category), (aec, asil) in grades.items():
        qualifications.makes[organisation, category] = True
        qualifications.aec_q100[organisation, category] = aec_q100_rank(aec or "")
        qualifications.asil[organisation, category] = asil_rank(asil or "")
    for organisation, category in makes:
        qualifications.makes[organisation, category] = True
    return qualifications
