"""Chain analytics speed: localisation + concentration + single sources for all categories on numpy columns.

Synthetic chains built with numpy (seeded), 10 categories: 1,000,000 links on 20,000 organisations and
10,000,000 links on 200,000 organisations. Suppliers are skewed (organisation id = n x u^3 for uniform u, so a
few suppliers serve many buyers, as in the real chain), buyers and categories uniform, 40% of shares unknown,
the others 1-40%; 70% of organisations domestic, 10% in the park. Timed from a fresh `ChainColumns` (its
validation and the effective shares are inside the time): median of three runs at 1M, of two at 10M.

Memory at 10M: the process's peak resident set (`resource.getrusage(RUSAGE_SELF).ru_maxrss`) read after the 10M
runs. It is the whole process's peak (Python, Django, the 10M-link chain itself and the analytics' temporary
arrays); also reported: the chain's own arrays, and the peak's growth during the analytics over what it was
once the chain was built.

Separately: loading 200,000 links (20,000 organisations) from SQLite with `selectors.chain_columns_load`
(median of three), after writing them with `executemany` in one transaction (untimed), and its query count.

BENCH_CHAIN_SCALE (default 1.0) shrinks every size, for a quick run while developing.
"""

from __future__ import annotations

import dataclasses
import os
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

NAME = "chain_analytics"

FRACTION = float(os.environ.get("BENCH_CHAIN_SCALE", "1.0"))
SIZES = (
    (round(1_000_000 * FRACTION), round(20_000 * FRACTION)),
    (round(10_000_000 * FRACTION), round(200_000 * FRACTION)),
)
DB_LINKS = round(200_000 * FRACTION)
DB_ORGANISATIONS = round(20_000 * FRACTION)
CATEGORIES = 10
SEED = 2024


def synthetic_chain(links: int, organisations: int, *, seed: int = SEED) -> Any:
    """A `ChainColumns` with `links` links on `organisations` organisations (see the module docstring)."""
    from chiptown.reports.analytics import ChainColumns

    rng = np.random.default_rng(seed)
    supplier = (organisations * rng.random(links) ** 3).astype(np.int32)
    buyer = rng.integers(0, organisations, links, dtype=np.int32)
    category = rng.integers(0, CATEGORIES, links, dtype=np.int32)
    share = rng.integers(1, 41, links).astype(np.float64) / 100
    share[rng.random(links) < 0.4] = np.nan
    countries = ("CN", "DE", "JP", "KR", "NL", "US")
    country = np.where(rng.random(organisations) < 0.7, 0, rng.integers(1, len(countries), organisations)).astype(
        np.int32
    )
    return ChainColumns(
        supplier=supplier,
        buyer=buyer,
        category=category,
        share=share,
        domestic=country == 0,
        in_park=rng.random(organisations) < 0.1,
        country=country,
        province=rng.integers(0, 31, organisations, dtype=np.int32),
        country_labels=countries,
        province_labels=tuple(f"province {n}" for n in range(31)),
        category_codes=tuple(f"category {n}" for n in range(CATEGORIES)),
        organisation_ids=np.arange(1, organisations + 1, dtype=np.int64),
    )


def fresh(chain: Any) -> Any:
    """The same columns as a new ChainColumns: validated again, no cached effective shares."""
    return dataclasses.replace(chain)


def timed(runs: int, work: Callable[[], object]) -> float:
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def analyse(chain: Any) -> None:
    from chiptown.reports.analytics import concentration, localisation, single_source

    chain = fresh(chain)
    localisation(chain)
    concentration(chain)
    single_source(chain)


def max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def write_registry(links: int, organisations: int) -> None:
    """`organisations` organisations and `links` distinct links in mass production, with executemany."""
    from django.db import connection, transaction
    from django.utils import timezone

    from chiptown.registry.importers import _quoted_insert
    from chiptown.registry.models import ChipCategory, Organisation, SupplyLink, name_key

    rng = np.random.default_rng(SEED)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = [
        "name_zh", "name_en", "credit_code", "country", "province", "city", "address", "in_park", "size_band",
        "founded_year", "website", "name_key", "search_text", "logo", "description", "is_demo", "created_at",
        "updated_at",
    ]  # fmt: skip
    countries = rng.choice(["CN", "CN", "CN", "DE", "US", "JP"], organisations)
    in_park = rng.random(organisations) < 0.1
    codes = list(ChipCategory.objects.values_list("code", flat=True))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            _quoted_insert(Organisation, columns),
            [
                (
                    f"基准公司{n}", f"Bench Org {n}", None, str(countries[n]), "北京市", "", "", bool(in_park[n]), "",
                    None, "", name_key(f"Bench Org {n}"), "", "", "", True, now, now,
                )
                for n in range(organisations)
            ],
        )  # fmt: skip
        ids = np.array(sorted(Organisation.objects.values_list("id", flat=True)), dtype=np.int64)
        drawn = round(links * 1.3) + 100
        supplier = (organisations * rng.random(drawn) ** 3).astype(np.int64)
        buyer = rng.integers(0, organisations, drawn)
        category = rng.integers(0, len(codes), drawn)
        key = (supplier * organisations + buyer) * len(codes) + category
        _, first = np.unique(key, return_index=True)
        keep = np.sort(first[supplier[first] != buyer[first]])[:links]
        share = rng.integers(1, 41, drawn)
        unknown = rng.random(drawn) < 0.4
        cursor.executemany(
            _quoted_insert(
                SupplyLink, ["supplier_id", "buyer_id", "category_id", "product_id", "status", "share", "is_demo"]
            ),
            [
                (
                    int(ids[supplier[i]]),
                    int(ids[buyer[i]]),
                    codes[category[i]],
                    None,
                    "mass_production",
                    None if unknown[i] else str(share[i]),
                    True,
                )
                for i in keep.tolist()
            ],
        )


MEMORY: dict[str, float] = {}


def measure(links: int, organisations: int, *, runs: int, warm_up: bool) -> float:
    """Median seconds of `analyse` on a synthetic chain; notes the chain's size and the peak RSS once built."""
    chain = synthetic_chain(links, organisations)
    MEMORY["chain_mib"] = sum(v.nbytes for v in vars(chain).values() if isinstance(v, np.ndarray)) / 2**20
    MEMORY["built_mib"] = max_rss_mib()
    if warm_up:  # imports and first-touch page faults
        analyse(chain)
    return round(timed(runs, lambda: analyse(chain)), 3)


def run() -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chiptown.reports.selectors import chain_columns_load

    figures: dict[str, float] = {}
    (small_links, small_orgs), (large_links, large_orgs) = SIZES
    figures["all_categories_1m_links_seconds"] = measure(small_links, small_orgs, runs=3, warm_up=True)
    before = max_rss_mib()
    figures["all_categories_10m_links_seconds"] = measure(large_links, large_orgs, runs=2, warm_up=False)
    peak = max_rss_mib()
    figures["peak_memory_10m_mib"] = round(peak, 1)
    figures["chain_arrays_10m_mib"] = round(MEMORY["chain_mib"], 1)
    figures["analytics_peak_growth_10m_mib"] = round(peak - MEMORY["built_mib"], 1)
    built = MEMORY["built_mib"]

    write_registry(DB_LINKS, DB_ORGANISATIONS)
    with CaptureQueriesContext(connection) as queries:
        loaded = chain_columns_load()
    assert loaded.n_links == DB_LINKS, loaded.n_links
    figures["load_200k_links_seconds"] = round(timed(3, chain_columns_load), 3)
    figures["load_200k_links_queries"] = len(queries)
    return {
        "scale": {
            "links": [small_links, large_links],
            "organisations": [small_orgs, large_orgs],
            "categories": CATEGORIES,
            "database_links": DB_LINKS,
            "database_organisations": DB_ORGANISATIONS,
        },
        "figures": figures,
        "memory": (
            "ru_maxrss of the whole process after the 10M runs; "
            f"{round(before, 1)} MiB before the 10M chain was built, {round(built, 1)} MiB once it was built"
        ),
        "goals": {"1m_seconds": 1, "10m_seconds": 10, "10m_peak_memory_mib": 2048},
    }
