"""Directory search and filter speed at 20,000 organisations, measured through the page's own view.

Fills the benchmark's fresh SQLite database with the demo chain at 20,000 organisations (topped up to 100,000
products and 200,000 supply links), then requests the directory page with the Django test Client (the real URL,
middleware, session and template) for several kinds of query and reports each kind's p95 in milliseconds and the
SQL queries one page costs.
"""

from __future__ import annotations

import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

NAME = "directory_search"

ORGANISATIONS = int(os.environ.get("BENCH_DIRECTORY_ORGANISATIONS", "20000"))
PRODUCTS_PER_ORGANISATION = 5
LINKS_PER_ORGANISATION = 10
REPEATS = int(os.environ.get("BENCH_DIRECTORY_REPEATS", "100"))

CITIES = [
    ("北京", "Beijing", "北京市"),
    ("上海", "Shanghai", "上海市"),
    ("深圳", "Shenzhen", "广东省"),
    ("广州", "Guangzhou", "广东省"),
    ("苏州", "Suzhou", "江苏省"),
    ("无锡", "Wuxi", "江苏省"),
    ("南京", "Nanjing", "江苏省"),
    ("杭州", "Hangzhou", "浙江省"),
    ("合肥", "Hefei", "安徽省"),
    ("武汉", "Wuhan", "湖北省"),
    ("成都", "Chengdu", "四川省"),
    ("西安", "Xi'an", "陕西省"),
    ("重庆", "Chongqing", "重庆市"),
    ("天津", "Tianjin", "天津市"),
    ("长沙", "Changsha", "湖南省"),
    ("厦门", "Xiamen", "福建省"),
]
BRANDS = [
    ("芯驰", "Xinchi"),
    ("地平线", "Horizon"),
    ("黑芝麻", "Heizhima"),
    ("兆易", "Zhaoyi"),
    ("杰发", "Jiefa"),
    ("赛腾", "Saiteng"),
    ("华芯", "Huaxin"),
    ("智芯", "Zhixin"),
    ("国科", "Guoke"),
    ("紫光", "Ziguang"),
    ("长城", "Changcheng"),
    ("比亚", "Biya"),
    ("纳芯", "Naxin"),
    ("思瑞", "Sirui"),
    ("芯旺", "Xinwang"),
    ("云途", "Yuntu"),
    ("琪埔", "Qipu"),
    ("爱芯", "Aixin"),
    ("瑞萨", "Ruisa"),
    ("英芯", "Yingxin"),
    ("晶合", "Jinghe"),
    ("士兰", "Shilan"),
    ("斯达", "Sida"),
    ("宏微", "Hongwei"),
]
KINDS = [
    ("科技", "Technology"),
    ("半导体", "Semiconductor"),
    ("微电子", "Microelectronics"),
    ("集成电路", "Integrated Circuit"),
    ("汽车电子", "Automotive Electronics"),
    ("智能科技", "Intelligent Technology"),
    ("电子", "Electronics"),
    ("汽车", "Automotive"),
]
FOREIGN = [("US", "Inc."), ("DE", "GmbH"), ("JP", "K.K."), ("KR", "Co."), ("NL", "B.V."), ("FR", "SAS"), ("CH", "AG")]
ROLES = [
    ("fabless", 30),
    ("idm", 6),
    ("foundry", 2),
    ("osat", 4),
    ("materials", 5),
    ("equipment", 5),
    ("eda_ip", 3),
    ("module", 12),
    ("tier1", 14),
    ("oem", 5),
    ("lab", 3),
    ("investor", 4),
    ("research", 4),
    ("government", 1),
]
CATEGORIES = [
    "control",
    "computing",
    "sensing",
    "communication",
    "memory",
    "security",
    "power",
    "driver",
    "power_management",
    "other",
]

# Query kinds measured, each a list of query strings tried in turn (so a cache of one answer cannot win).
QUERY_KINDS: dict[str, list[str]] = {
    "english_word": ["q=semiconductor", "q=technology", "q=shenzhen", "q=microelectronics", "q=packaging+test"],
    "chinese_2char": ["q=科技", "q=封装", "q=汽车", "q=深圳", "q=芯片"],
    "chinese_4char": ["q=集成电路", "q=汽车电子", "q=封装测试", "q=智能驾驶", "q=产业投资"],
    "part_number": ["q=TLS88", "q=LCF8", "q=XYD98", "q=CTCO00012", "q=YTA79"],
    "filter_only": [
        "role=fabless",
        "category=control",
        "standard=AEC-Q100&level=1",
        "in_park=yes&province=北京市",
        "origin=foreign&sort=-founded",
    ],
    "search_and_filter": [
        "q=科技&role=fabless",
        "q=semiconductor&category=power",
        "q=汽车电子&in_park=yes",
        "q=technology&standard=ISO+26262&level=D",
        "q=芯&province=江苏省&page=2",
    ],
    "browse_pages": ["page=1", "page=7", "page=40", "sort=founded&page=3", "page=800"],
}


def generate_rows(organisations: int, seed: int = 20250101) -> dict[str, list[tuple[Any, ...]]]:
    """A plausible registry as plain tuples in column order (used when the demo generator is not available)."""
    from stdnum.cn import uscc

    from chiptown.registry.models import name_key, search_key

    rng = random.Random(seed)
    now = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC).isoformat()
    role_names = [r for r, _ in ROLES]
    role_weights = [w for _, w in ROLES]
    orgs: list[tuple[Any, ...]] = []
    roles: list[tuple[Any, ...]] = []
    for pk in range(1, organisations + 1):
        brand_zh, brand_en = rng.choice(BRANDS)
        kind_zh, kind_en = rng.choice(KINDS)
        if rng.random() < 0.85:
            city_zh, city_en, province = rng.choice(CITIES)
            name_zh = f"{city_zh}{brand_zh}{kind_zh}有限公司{pk}"
            name_en = f"{city_en} {brand_en} {kind_en} Co., Ltd. {pk}"
            body = f"91{pk:016d}"
            code: str | None = body + uscc.calc_check_digit(body)
            country, city = "CN", city_zh
        else:
            country, suffix = rng.choice(FOREIGN)
            name_en = f"{brand_en} {kind_en} {suffix} {pk}"
            name_zh = f"{brand_zh}{kind_zh}{pk}" if rng.random() < 0.5 else ""
            code, province, city = None, "", ""
        orgs.append(
            (
                pk,
                name_zh,
                name_en,
                code,
                country,
                province,
                city,
                "",
                rng.random() < 0.1,
                rng.choice(["micro", "small", "medium", "large", "giant"]),
                rng.randint(1950, 2024),
                "",
                "",
                "",
                True,
                name_key(name_en or name_zh),
                search_key(name_zh, name_en, code),
                now,
                now,
            )
        )
        for role in set(rng.choices(role_names, role_weights, k=rng.choice([1, 1, 2]))):
            roles.append((len(roles) + 1, pk, role))
    products: list[tuple[Any, ...]] = []
    qualifications: list[tuple[Any, ...]] = []
    for n in range(1, organisations * PRODUCTS_PER_ORGANISATION + 1):
        maker = rng.randint(1, organisations)
        category = rng.choice(CATEGORIES)
        part = f"CT{category[:2].upper()}{n:07d}"
        name_en = f"Automotive {category.replace('_', ' ')} chip {n}"
        name_zh = f"车规{category}芯片{n}"
        products.append(
            (
                n,
                part,
                name_zh,
                name_en,
                "40nm",
                "mass_production",
                True,
                search_key(part, name_zh, name_en),
                category,
                maker,
            )
        )
        if rng.random() < 0.6:
            standard, level = rng.choice([("AEC-Q100", "1"), ("AEC-Q100", "2"), ("AEC-Q100", "0"), ("ISO 26262", "D")])
            issued = datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randint(0, 1500))
            qualifications.append(
                (
                    len(qualifications) + 1,
                    standard,
                    level,
                    "Demo Lab",
                    f"DEMO-{n:08d}",
                    issued.isoformat(),
                    (issued + datetime.timedelta(days=3 * 365)).isoformat(),
                    "",
                    True,
                    None,
                    n,
                )
            )
    links: list[tuple[Any, ...]] = []
    seen: set[tuple[int, int, str]] = set()
    while len(links) < organisations * LINKS_PER_ORGANISATION:
        supplier, buyer = rng.randint(1, organisations), rng.randint(1, organisations)
        category = rng.choice(CATEGORIES)
        if supplier == buyer or (supplier, buyer, category) in seen:
            continue
        seen.add((supplier, buyer, category))
        links.append(
            (
                len(links) + 1,
                rng.choice(["evaluation", "design_win", "mass_production"]),
                rng.choice([None, 5, 10, 20]),
                None,
                True,
                buyer,
                category,
                None,
                supplier,
            )
        )
    return {
        "registry_organisation": orgs,
        "registry_organisationrole": roles,
        "registry_product": products,
        "registry_qualification": qualifications,
        "registry_supplylink": links,
    }


COLUMNS = {
    "registry_organisation": (
        "id, name_zh, name_en, credit_code, country, province, city, address, in_park, size_band, founded_year, "
        "website, logo, description, is_demo, name_key, search_text, created_at, updated_at"
    ),
    "registry_organisationrole": "id, organisation_id, role",
    "registry_product": (
        "id, part_number, name_zh, name_en, process_node, lifecycle, is_demo, search_text, category_id, organisation_id"
    ),
    "registry_qualification": (
        "id, standard, level, issuer, certificate_number, issued_on, expires_on, certificate_pdf, is_demo, "
        "organisation_id, product_id"
    ),
    "registry_supplylink": "id, status, share, since, is_demo, buyer_id, category_id, product_id, supplier_id",
}


def load_rows(tables: dict[str, list[tuple[Any, ...]]]) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table, rows in tables.items():
            columns = COLUMNS[table]
            marks = ", ".join(["%s"] * len(columns.split(",")))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)  # noqa: S608


def _populate(organisations: int) -> dict[str, int]:
    """The project's demo chain at the size asked (about 200 organisations per scale step), topped up with random
    products and links to the issue's 5 products and 10 links per organisation; our own rows without it."""
    from django.db import connection

    from chiptown.registry.models import Organisation, Product, Qualification, SupplyLink

    if not Organisation.objects.exists():
        try:
            from chiptown.registry import demo
        except ImportError:
            load_rows(generate_rows(organisations))
        else:
            demo.write(demo.generate(scale=max(1, organisations // 200)))
            _top_up(organisations)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # what `PRAGMA optimize` does on a long-running site
    return {
        "organisations": Organisation.objects.count(),
        "products": Product.objects.count(),
        "qualifications": Qualification.objects.count(),
        "supply_links": SupplyLink.objects.count(),
    }


def _top_up(organisations: int, seed: int = 7) -> None:
    """Add random products and supply links (marked demo) until there are 5 and 10 per organisation."""
    from django.db import connection, transaction

    from chiptown.registry.models import Organisation, Product, SupplyLink, search_key

    rng = random.Random(seed)
    ids = list(Organisation.objects.values_list("id", flat=True))
    products_missing = organisations * PRODUCTS_PER_ORGANISATION - Product.objects.count()
    links_missing = organisations * LINKS_PER_ORGANISATION - SupplyLink.objects.count()
    existing = set(
        SupplyLink.objects.filter(product__isnull=True).values_list("supplier_id", "buyer_id", "category_id")
    )
    products = []
    for n in range(max(0, products_missing)):
        category = rng.choice(CATEGORIES)
        part = f"CT{category[:2].upper()}{n:07d}"
        name_en, name_zh = f"Automotive {category.replace('_', ' ')} chip {n}", f"车规{category}芯片{n}"
        products.append(
            (
                part,
                name_zh,
                name_en,
                "40nm",
                "mass_production",
                True,
                search_key(part, name_zh, name_en),
                category,
                rng.choice(ids),
            )
        )
    links = []
    while len(links) < links_missing:
        supplier, buyer, category = rng.choice(ids), rng.choice(ids), rng.choice(CATEGORIES)
        if supplier == buyer or (supplier, buyer, category) in existing:
            continue
        existing.add((supplier, buyer, category))
        links.append(
            (
                rng.choice(["evaluation", "design_win", "mass_production"]),
                None,
                None,
                True,
                buyer,
                category,
                None,
                supplier,
            )
        )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO registry_product (part_number, name_zh, name_en, process_node, lifecycle, is_demo, "
            "search_text, category_id, organisation_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            products,
        )
        cursor.executemany(
            "INSERT INTO registry_supplylink (status, share, since, is_demo, buyer_id, category_id, product_id, "
            "supplier_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            links,
        )


def _measure(client: Any, url: str, queries: list[str], repeats: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings: list[float] = []
    for query in queries:  # warm SQLite's page cache (and the filter choices' cache) for every query once
        assert client.get(f"{url}?{query}").status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(f"{url}?{queries[0]}")
    page_queries = len(captured.captured_queries)
    for i in range(repeats):
        query = queries[i % len(queries)]
        started = time.perf_counter()
        response = client.get(f"{url}?{query}")
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    return timings, page_queries


def run() -> dict[str, Any]:
    from django.apps import apps

    if not apps.ready:  # run as a script rather than by bench/run.py
        from bench.common import setup_django

        setup_django(tempfile.mkdtemp(prefix="chiptown-bench-directory-"))
    from django.test import Client
    from django.urls import reverse

    from bench.common import percentile

    scale = _populate(ORGANISATIONS)
    client = Client()
    url = reverse("registry:directory")
    figures: dict[str, Any] = {}
    for kind, queries in QUERY_KINDS.items():
        timings, page_queries = _measure(client, url, queries, REPEATS)
        figures[f"{kind}_p95_ms"] = round(percentile(timings, 95), 2)
        figures[f"{kind}_median_ms"] = round(statistics.median(timings), 2)
        figures[f"{kind}_queries"] = page_queries
    # Qualification filters read a one-minute cache (search.qualified_organisation_ids): the cost of a miss, for
    # the standard held most often, across all grades.
    from chiptown.registry import search

    cold: list[float] = []
    for _ in range(5):
        search.registry_changed()
        started = time.perf_counter()
        assert client.get(f"{url}?standard=AEC-Q100").status_code == 200
        cold.append((time.perf_counter() - started) * 1000)
    figures["qualification_filter_cache_miss_ms"] = round(statistics.median(cold), 2)
    figures["queries"] = max(v for k, v in figures.items() if k.endswith("_queries"))
    figures["worst_p95_ms"] = max(v for k, v in figures.items() if k.endswith("_p95_ms"))
    figures["goal_p95_ms"] = 30
    return {"scale": scale, "figures": figures}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import json

    print(json.dumps(run(), indent=2, ensure_ascii=False))
