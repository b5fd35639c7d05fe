"""Registry import speed: 20,000 organisations, 100,000 products and 200,000 supply links from CSV on SQLite,
against a bare `csv` + `cursor.executemany` load of the same rows into the same tables, in the same run.

The rows come from the demo generator (`chiptown.registry.demo.generate`, scale 100 gives 20,000 organisations)
topped up with plain generated products and links to the issue's sizes, written as the import's CSV files.
Each load starts from a fresh copy of the migrated, empty database. The baseline writes the same final rows
(including the name_key/search_text columns and chain roles, which the tables need) but checks nothing: it is
the floor any import of these rows stands on. It is measured twice: bare (SQLite's default 2 MiB page cache)
and with the 64 MiB page cache the import sets while it writes. The import is `registry_import`, exactly as the
command and the background job run it (one transaction per file, one audit entry per file).

Also measured: re-importing the same three files (nothing changes: every row compared, nothing written), and the
fuzzy duplicate check of 20,000 new names against 20,000 registered ones.

BENCH_IMPORT_SCALE (default 1.0) shrinks every size, for a quick run while developing.
"""

from __future__ import annotations

import csv
import os
import random
import shutil
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

NAME = "registry_import"

FRACTION = float(os.environ.get("BENCH_IMPORT_SCALE", "1.0"))
ORGANISATIONS = round(20_000 * FRACTION)
PRODUCTS = round(100_000 * FRACTION)
SUPPLY_LINKS = round(200_000 * FRACTION)
SEED = 2024


def _ref(key: Any) -> str:
    return key if isinstance(key, str) else f"{key[0]}|{key[1]}"


def build_files(folder: Path) -> dict[str, Path]:
    """The three import files, from the demo generator plus a top-up to the wanted sizes."""
    from chiptown.registry import demo
    from chiptown.registry.importers import COLUMNS

    chain = demo.generate(max(1, round(ORGANISATIONS / 200)), SEED)
    organisations = chain.organisations[:ORGANISATIONS]
    known = {o.key for o in organisations}
    products = [p for p in chain.products if p.maker in known][:PRODUCTS]
    product_keys = {p.key for p in products}
    links = [
        link
        for link in chain.supply_links
        if link.supplier in known and link.buyer in known and (link.product is None or link.product in product_keys)
    ][:SUPPLY_LINKS]

    rng = random.Random(SEED)
    keys = [o.key for o in organisations]
    categories = demo.category_codes()
    rows_products = [
        [_ref(p.maker), p.category, p.part_number, p.name_zh, p.name_en, p.process_node, p.lifecycle] for p in products
    ]
    for n in range(PRODUCTS - len(products)):
        rows_products.append(
            [
                _ref(rng.choice(keys)),
                rng.choice(categories),
                f"BX{n:07d}",
                f"基准器件 {n}",
                f"Benchmark part {n}",
                rng.choice(["28nm", "40nm", "90nm", "0.18um", ""]),
                rng.choice(["mass_production", "sampling", "development", "nrnd"]),
            ]
        )

    taken: dict[tuple[Any, str], Decimal] = {}
    seen: set[tuple[Any, Any, str, Any]] = set()
    rows_links = []
    for link in links:
        product_maker, part = (link.product[0], link.product[1]) if link.product else ("", "")
        seen.add((link.supplier, link.buyer, link.category, link.product))
        if link.share is not None:
            taken[(link.buyer, link.category)] = taken.get((link.buyer, link.category), Decimal(0)) + link.share
        rows_links.append(
            [
                _ref(link.supplier),
                _ref(link.buyer),
                link.category,
                part,
                _ref(product_maker) if product_maker and product_maker != link.supplier else "",
                link.status,
                "" if link.share is None else str(link.share),
                link.since.isoformat() if link.since else "",
            ]
        )
    while len(rows_links) < SUPPLY_LINKS:
        supplier, buyer = rng.sample(keys, 2)
        category = rng.choice(categories)
        if (supplier, buyer, category, None) in seen:
            continue
        seen.add((supplier, buyer, category, None))
        share = ""
        if taken.get((buyer, category), Decimal(0)) <= Decimal("99.5") and rng.random() < 0.5:
            taken[(buyer, category)] = taken.get((buyer, category), Decimal(0)) + Decimal("0.5")
            share = "0.5"
        status = rng.choice(["evaluation", "design_win", "mass_production"])
        since = f"20{rng.randint(10, 25)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        rows_links.append([_ref(supplier), _ref(buyer), category, "", "", status, share, since])

    rows_organisations = [
        [
            o.name_zh,
            o.name_en,
            o.credit_code or "",
            o.country,
            o.province,
            o.city,
            "",
            "yes" if o.in_park else "no",
            o.size_band,
            str(o.founded_year or ""),
            o.website,
            ";".join(o.roles),
        ]
        for o in organisations
    ]
    files = {}
    for kind, rows in (
        ("organisations", rows_organisations),
        ("products", rows_products),
        ("supply_links", rows_links),
    ):
        path = folder / f"{kind}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow([c.name for c in COLUMNS[kind]])
            writer.writerows(rows)
        files[kind] = path
    return files


def _use_database(path: Path) -> None:
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = str(path)


def baseline_load(files: dict[str, Path]) -> None:
    """The floor: read each CSV with `csv`, convert types, executemany the rows in one transaction per file."""
    from django.db import connection, transaction
    from django.utils import timezone

    from chiptown.registry.importers import _quoted_insert
    from chiptown.registry.models import Organisation, OrganisationRole, Product, SupplyLink, name_key, search_key

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with files["organisations"].open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        rows = list(reader)
    columns = [
        "name_zh", "name_en", "credit_code", "country", "province", "city", "address", "in_park", "size_band",
        "founded_year", "website", "name_key", "search_text", "logo", "description", "is_demo", "created_at",
        "updated_at",
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            _quoted_insert(Organisation, columns),
            [
                (
                    r[0], r[1], r[2] or None, r[3], r[4], r[5], r[6], r[7] == "yes", r[8], int(r[9]) if r[9] else None,
                    r[10], name_key(r[1] or r[0]), search_key(r[0], r[1], r[2]), "", "", False, now, now,
                )
                for r in rows
            ],
        )  # fmt: skip
        ids = {}
        for pk, code, name_en, name_zh, country in Organisation.objects.values_list(
            "id", "credit_code", "name_en", "name_zh", "country"
        ):
            ids[code or f"{name_en or name_zh}|{country}"] = pk
        cursor.executemany(
            _quoted_insert(OrganisationRole, ["organisation_id", "role"]),
            [(ids[r[2] or f"{r[1] or r[0]}|{r[3]}"], role) for r in rows for role in r[11].split(";") if role],
        )
    with files["products"].open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        columns = [
            "organisation_id", "category_id", "part_number", "name_zh", "name_en", "process_node", "lifecycle",
            "search_text", "is_demo",
        ]  # fmt: skip
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                _quoted_insert(Product, columns),
                [
                    (
                        ids[r[0]], r[1], r[2], r[3], r[4], r[5], r[6] or "mass_production",
                        search_key(r[2], r[3], r[4]), False,
                    )
                    for r in reader
                ],
            )  # fmt: skip
    products = {
        (maker, part): pk for pk, maker, part in Product.objects.values_list("id", "organisation_id", "part_number")
    }
    with files["supply_links"].open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        columns = ["supplier_id", "buyer_id", "category_id", "product_id", "status", "share", "since", "is_demo"]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                _quoted_insert(SupplyLink, columns),
                [
                    (
                        ids[r[0]], ids[r[1]], r[2],
                        products[(ids[r[4] or r[0]], r[3])] if r[3] else None,
                        r[5], r[6] or None, r[7] or None, False,
                    )
                    for r in reader
                ],
            )  # fmt: skip


def import_files(files: dict[str, Path]) -> dict[str, Any]:
    from chiptown.registry.importers import registry_import

    timings: dict[str, float] = {}
    results: dict[str, Any] = {}
    for kind in ("organisations", "products", "supply_links"):
        started = time.perf_counter()
        results[kind] = registry_import(kind=kind, data=files[kind].read_bytes(), filename=files[kind].name, by=None)
        timings[kind] = time.perf_counter() - started
    return {"timings": timings, "results": results}


def _counts() -> dict[str, int]:
    from chiptown.registry.models import Organisation, OrganisationRole, Product, SupplyLink

    return {
        "organisations": Organisation.objects.count(),
        "roles": OrganisationRole.objects.count(),
        "products": Product.objects.count(),
        "supply_links": SupplyLink.objects.count(),
    }


def fuzzy_check_seconds() -> tuple[float, int]:
    """20,000 new names (each registered name with its legal form changed) against the 20,000 registered."""
    from chiptown.registry.importers import similar_organisations
    from chiptown.registry.models import Organisation

    registered = list(Organisation.objects.values_list("id", "name_en", "name_zh"))
    existing = [(pk, name) for pk, en, zh in registered for name in (en, zh) if name]
    new = [
        (n, (en or zh).replace("Co., Ltd.", "Inc.").replace("有限公司", "股份有限公司"))
        for n, (_pk, en, zh) in enumerate(registered)
    ]
    started = time.perf_counter()
    found = similar_organisations(new, existing)
    return time.perf_counter() - started, len(found)


def run() -> dict[str, Any]:
    from django.conf import settings
    from django.db import connection

    if connection.vendor != "sqlite":
        raise RuntimeError("this benchmark measures SQLite")
    with tempfile.TemporaryDirectory(prefix="chiptown-bench-import-") as tmp:
        folder = Path(tmp)
        files = build_files(folder)
        template = folder / "empty.sqlite3"
        original = Path(settings.DATABASES["default"]["NAME"])
        connection.close()
        shutil.copyfile(original, template)

        _use_database(folder / "baseline.sqlite3")
        shutil.copyfile(template, folder / "baseline.sqlite3")
        started = time.perf_counter()
        baseline_load(files)
        baseline = time.perf_counter() - started
        baseline_counts = _counts()

        # The import raises SQLite's page cache to 64 MiB while it writes; the same for the baseline, for a fair pair.
        _use_database(folder / "baseline-cache.sqlite3")
        shutil.copyfile(template, folder / "baseline-cache.sqlite3")
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -65536")
        started = time.perf_counter()
        baseline_load(files)
        baseline_same_cache = time.perf_counter() - started

        _use_database(folder / "import.sqlite3")
        shutil.copyfile(template, folder / "import.sqlite3")
        outcome = import_files(files)
        imported = sum(outcome["timings"].values())
        import_counts = _counts()
        if import_counts != baseline_counts:
            raise AssertionError(
                f"the import and the baseline loaded different rows: {import_counts} {baseline_counts}"
            )

        again = import_files(files)
        if any(r["created"] or r["updated"] for r in again["results"].values()):
            raise AssertionError("re-importing the same files changed something")
        fuzzy, fuzzy_matches = fuzzy_check_seconds()

        _use_database(original)
    rows = sum(r["rows"] for r in outcome["results"].values())
    return {
        "scale": {
            "organisations": import_counts["organisations"],
            "chain_roles": import_counts["roles"],
            "products": import_counts["products"],
            "supply_links": import_counts["supply_links"],
            "source": "chiptown.registry.demo.generate, topped up to size",
        },
        "figures": {
            "import_seconds": round(imported, 2),
            "import_organisations_seconds": round(outcome["timings"]["organisations"], 2),
            "import_products_seconds": round(outcome["timings"]["products"], 2),
            "import_supply_links_seconds": round(outcome["timings"]["supply_links"], 2),
            "baseline_executemany_seconds": round(baseline, 2),
            "import_to_baseline_ratio": round(imported / baseline, 2),
            "baseline_executemany_same_cache_seconds": round(baseline_same_cache, 2),
            "import_to_baseline_same_cache_ratio": round(imported / baseline_same_cache, 2),
            "import_rows_per_second": round(rows / imported),
            "reimport_unchanged_seconds": round(sum(again["timings"].values()), 2),
            "fuzzy_check_seconds": round(fuzzy, 2),
        },
        "notes": {
            "goal": "import under 60 s; at most 3x the bare executemany load",
            "fuzzy_matches_found": fuzzy_matches,
        },
    }
