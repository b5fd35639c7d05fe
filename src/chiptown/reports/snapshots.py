"""The data snapshot a report edition is built from: every input of every figure, as plain JSON, with its hash.

`snapshot_take` reads the registry (and the competition and conference summaries) once; `chain_from`,
`qualifications_from` and `profiles_from` turn a snapshot back into the columns the pure analytics take. A
published edition keeps its snapshot, so its figures can be recomputed from it years later and come out the same,
whatever has happened to the registry since.

The encoding is deterministic (sorted keys, no whitespace, gzip without a timestamp), so the same data always has
the same bytes and the same SHA-256.
"""

from __future__ import annotations

import datetime
import gzip
import hashlib
import json
from collections import defaultdict
from typing import Any

import numpy as np
from django.db.models import Count
from django.utils import timezone

from chiptown.core.errors import ChipTownError
from chiptown.registry.chain_layout import node_stage
from chiptown.registry.models import ChipCategory, Organisation, OrganisationRole, Product, Qualification, SupplyLink
from chiptown.reports.analytics import ChainColumns
from chiptown.reports.attraction import AttractionProfiles
from chiptown.reports.scenarios import NONE, SupplierQualifications

FORMAT = 1


def snapshot_take(*, year: int, as_of: datetime.date | None = None) -> dict[str, Any]:
    """Everything a report for `year` is computed from, read from the database as it stands now; with an `as_of`
    day in the past, the links are those that had started by then (`selectors.chain_columns_load`)."""
    from chiptown.reports import contributions
    from chiptown.reports.models import BillOfMaterials
    from chiptown.reports.outlook import nev_sales_history
    from chiptown.reports.selectors import COUNTED_STATUSES, attraction_profiles_load, chain_columns_load

    today = timezone.localdate()
    day = as_of or today
    chain = chain_columns_load(started_by=day if day < today else None)
    profiles = attraction_profiles_load(chain, on=day)
    qualifications = profiles.qualifications

    names = dict(
        (pk, (en, zh, demo))
        for pk, en, zh, demo in Organisation.objects.order_by().values_list("id", "name_en", "name_zh", "is_demo")
    )
    roles: dict[int, list[str]] = defaultdict(list)
    for organisation_id, role in OrganisationRole.objects.order_by().values_list("organisation_id", "role"):
        roles[organisation_id].append(role)
    ids = chain.organisation_ids.tolist()
    supplies = np.zeros(chain.n_organisations, dtype=bool)
    supplies[chain.supplier] = True
    buys = np.zeros(chain.n_organisations, dtype=bool)
    buys[chain.buyer] = True
    stage = [node_stage(roles.get(pk, ()), supplies_only=bool(supplies[i] and not buys[i])) for i, pk in enumerate(ids)]
    links_by_status = dict(SupplyLink.objects.order_by().values_list("status").annotate(n=Count("id")))
    default_bom = BillOfMaterials.objects.filter(is_default=True).first()
    aec_rows = np.argwhere(qualifications.aec_q100 != NONE)
    asil_rows = np.argwhere(qualifications.asil != NONE)
    makes_rows = np.argwhere(qualifications.makes)
    return {
        "format": FORMAT,
        "year": year,
        "as_of": day.isoformat(),
        "taken_at": timezone.now().replace(microsecond=0).isoformat(),
        "counted_statuses": list(COUNTED_STATUSES),
        "categories": [
            {"code": code, "name_en": en, "name_zh": zh}
            for code, en, zh in ChipCategory.objects.order_by("position", "code").values_list(
                "code", "name_en", "name_zh"
            )
        ],
        "chain": {
            "supplier": chain.supplier.tolist(),
            "buyer": chain.buyer.tolist(),
            "category": chain.category.tolist(),
            "share": [None if np.isnan(s) else round(float(s), 6) for s in chain.share.tolist()],
            "domestic": chain.domestic.tolist(),
            "in_park": chain.in_park.tolist(),
            "country": chain.country.tolist(),
            "province": chain.province.tolist(),
            "country_labels": list(chain.country_labels),
            "province_labels": list(chain.province_labels),
            "category_codes": list(chain.category_codes),
            "organisation_ids": ids,
        },
        "organisations": {
            "name_en": [names.get(pk, ("", "", False))[0] for pk in ids],
            "name_zh": [names.get(pk, ("", "", False))[1] for pk in ids],
            "is_demo": [bool(names.get(pk, ("", "", False))[2]) for pk in ids],
            "stage": stage,
            "size_band": profiles.size_band.tolist(),
            "iatf": profiles.iatf.tolist(),
        },
        "qualifications": {
            "aec_q100": [[o, c, int(qualifications.aec_q100[o, c])] for o, c in aec_rows.tolist()],
            "asil": [[o, c, int(qualifications.asil[o, c])] for o, c in asil_rows.tolist()],
            "makes": makes_rows.tolist(),
        },
        "registry": {
            "links_by_status": {str(k): int(v) for k, v in sorted(links_by_status.items())},
            "products": Product.objects.count(),
            "qualifications": Qualification.objects.count(),
            "demo_organisations": sum(1 for value in names.values() if value[2]),
        },
        "bom": None
        if default_bom is None
        else {
            "name_en": default_bom.name_en,
            "name_zh": default_bom.name_zh,
            "vehicle_type": default_bom.vehicle_type,
            "counts": default_bom.counts,
            "source": default_bom.source,
        },
        "nev_sales": [[row.year, row.units, row.source] for row in nev_sales_history()],
        "competition": contributions.competition_summary(year=year),
        "conference": contributions.conference_summary(year=year),
    }


def snapshot_is_demo(snapshot: dict[str, Any]) -> bool:
    """True when any organisation in the snapshot is generated demo data (or a contribution says it is)."""
    if any(snapshot["organisations"]["is_demo"]):
        return True
    return any(bool((snapshot.get(part) or {}).get("is_demo")) for part in ("competition", "conference"))


def snapshot_encode(snapshot: dict[str, Any]) -> tuple[bytes, str]:
    """The snapshot as gzip bytes and the SHA-256 of its canonical JSON; the same data gives the same bytes."""
    text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return gzip.compress(text, mtime=0), hashlib.sha256(text).hexdigest()


def snapshot_decode(data: bytes, *, sha256: str = "") -> dict[str, Any]:
    """A stored snapshot back as a dict; refuses one whose hash does not match `sha256` (when given)."""
    text = gzip.decompress(bytes(data))
    if sha256 and hashlib.sha256(text).hexdigest() != sha256:
        raise ChipTownError(
            "The stored data snapshot does not match its hash: it was changed after the report was built.",
            code="snapshot_hash_mismatch",
            status=500,
        )
    decoded: dict[str, Any] = json.loads(text)
    return decoded


def chain_from(snapshot: dict[str, Any]) -> ChainColumns:
    columns = snapshot["chain"]
    return ChainColumns(
        supplier=np.asarray(columns["supplier"], dtype=np.int32),
        buyer=np.asarray(columns["buyer"], dtype=np.int32),
        category=np.asarray(columns["category"], dtype=np.int32),
        share=np.asarray([np.nan if s is None else s for s in columns["share"]], dtype=np.float64),
        domestic=np.asarray(columns["domestic"], dtype=bool),
        in_park=np.asarray(columns["in_park"], dtype=bool),
        country=np.asarray(columns["country"], dtype=np.int32),
        province=np.asarray(columns["province"], dtype=np.int32),
        country_labels=tuple(columns["country_labels"]),
        province_labels=tuple(columns["province_labels"]),
        category_codes=tuple(columns["category_codes"]),
        organisation_ids=np.asarray(columns["organisation_ids"], dtype=np.int64),
    )


def qualifications_from(snapshot: dict[str, Any], chain: ChainColumns) -> SupplierQualifications:
    found = SupplierQualifications.empty(chain)
    held = snapshot["qualifications"]
    for name in ("aec_q100", "asil"):
        rows = np.asarray(held[name], dtype=np.int64).reshape(-1, 3)
        getattr(found, name)[rows[:, 0], rows[:, 1]] = rows[:, 2]
    makes = np.asarray(held["makes"], dtype=np.int64).reshape(-1, 2)
    found.makes[makes[:, 0], makes[:, 1]] = True
    return found


def profiles_from(snapshot: dict[str, Any], chain: ChainColumns) -> AttractionProfiles:
    organisations = snapshot["organisations"]
    return AttractionProfiles(
        size_band=np.asarray(organisations["size_band"], dtype=np.int32),
        iatf=np.asarray(organisations["iatf"], dtype=bool),
        qualifications=qualifications_from(snapshot, chain),
    )
