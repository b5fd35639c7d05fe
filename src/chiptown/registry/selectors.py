"""Every non-trivial registry read for the pages: the directory, an organisation's page and the chain map.

Each function issues a fixed number of queries whatever the data size (select_related/prefetch_related here, not
in views or templates); tests/registry/test_views*.py hold them to that.
"""

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet

from chiptown.registry import search
from chiptown.registry.chain_layout import MapEdge, MapNode, busiest_subnetwork, node_stage
from chiptown.registry.models import (
    ChipCategory,
    Organisation,
    OrganisationRole,
    Person,
    Product,
    Qualification,
    SupplyLink,
)

DIRECTORY_PAGE_SIZE = 25
FACETS_CACHE_SECONDS = 60
CHAIN_MAP_LIMIT = 60


def directory_page(*, query: search.DirectoryQuery, page_number: Any, per_page: int = DIRECTORY_PAGE_SIZE) -> Page:
    """One page of the directory: organisations with roles and product counts, in the asked order.

    Queries: the ordered ids (one scan), then the page's rows with product counts, then their roles.
    """
    ids = search.directory_ids(query)
    page = Paginator(ids, per_page).get_page(page_number)
    page_ids = list(page.object_list)
    rows = (
        Organisation.objects.filter(pk__in=page_ids)
        .annotate(product_count=Count("products", distinct=True))
        .prefetch_related(Prefetch("roles", queryset=OrganisationRole.objects.order_by("role")))
    )
    by_id = {organisation.pk: organisation for organisation in rows}
    page.object_list = [by_id[pk] for pk in page_ids if pk in by_id]  # type: ignore[misc]
    return page


EXPORT_CHUNK = 500


def organisation_export_rows(*, ids: list[int], columns: list[str]) -> Iterator[list[Any]]:
    """Rows for a file of the given organisations, in the given order, one value per column name (a model field,
    or 'roles' joined with ';'). Reads in chunks, so a 20,000-row result costs 2 x 40 small queries."""
    fields = [c for c in columns if c != "roles"]
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start : start + EXPORT_CHUNK]
        roles: dict[int, list[str]] = {pk: [] for pk in chunk}
        for pk, role in (
            OrganisationRole.objects.filter(organisation_id__in=chunk)
            .order_by("role")
            .values_list("organisation_id", "role")
        ):
            roles[pk].append(role)
        rows = {row["id"]: row for row in Organisation.objects.filter(pk__in=chunk).values("id", *fields)}
        for pk in chunk:
            if pk in rows:
                row = {**rows[pk], "roles": ";".join(roles[pk])}
                yield [row.get(c) for c in columns]


@dataclass(frozen=True)
class DirectoryFacets:
    """The choices offered by the directory's filters."""

    categories: list[ChipCategory]
    provinces: list[str]
    countries: list[str]


def directory_facets() -> DirectoryFacets:
    """Categories, provinces and countries present; cached for a minute within one search-cache generation (they
    change rarely, the page is read often)."""

    def compute() -> DirectoryFacets:
        return DirectoryFacets(
            categories=list(ChipCategory.objects.all()),
            provinces=list(
                Organisation.objects.exclude(province="")
                .order_by("province")
                .values_list("province", flat=True)
                .distinct()
            ),
            countries=list(
                Organisation.objects.exclude(country="CN")
                .order_by("country")
                .values_list("country", flat=True)
                .distinct()
            ),
        )

    facets = cache.get_or_set(f"registry:directory-facets:{search.generation()}", compute, FACETS_CACHE_SECONDS)
    return facets if isinstance(facets, DirectoryFacets) else compute()


def chip_categories() -> list[ChipCategory]:
    return directory_facets().categories


@dataclass
class OrganisationPage:
    """Everything an organisation's page shows, read in a fixed number of queries."""

    organisation: Organisation
    roles: list[OrganisationRole]
    people: list[Person]
    products: list[Product]
    plant_qualifications: list[Qualification]
    customers: list[SupplyLink]  # links where this organisation is the supplier
    suppliers: list[SupplyLink]  # links where this organisation is the buyer
    categories: list[ChipCategory] = field(default_factory=list)


def organisation_page(*, pk: int) -> OrganisationPage | None:
    """The organisation with its roles, people, products (category, qualifications), plant qualifications and
    supply links both ways. Eight queries whatever the numbers of products and links."""
    organisation = (
        Organisation.objects.filter(pk=pk)
        .prefetch_related(
            Prefetch("roles", queryset=OrganisationRole.objects.order_by("role")),
            Prefetch("people", queryset=Person.objects.order_by("name_en", "name_zh", "pk")),
            Prefetch(
                "products",
                queryset=Product.objects.select_related("category")
                .order_by("category__position", "part_number")
                .prefetch_related(
                    Prefetch("qualifications", queryset=Qualification.objects.order_by("standard", "level", "pk"))
                ),
            ),
            Prefetch("qualifications", queryset=Qualification.objects.order_by("standard", "pk")),
        )
        .first()
    )
    if organisation is None:
        return None
    links = SupplyLink.objects.select_related("category", "product").order_by("category__position", "-share", "pk")
    return OrganisationPage(
        organisation=organisation,
        roles=list(organisation.roles.all()),
        people=list(organisation.people.all()),
        products=list(organisation.products.all()),
        plant_qualifications=list(organisation.qualifications.all()),
        customers=list(links.filter(supplier=organisation).select_related("buyer")),
        suppliers=list(links.filter(buyer=organisation).select_related("supplier")),
    )


def organisation_for_edit(*, pk: int) -> Organisation | None:
    return Organisation.objects.filter(pk=pk).prefetch_related("roles").first()


def product_for_edit(*, pk: int) -> Product | None:
    return Product.objects.select_related("organisation", "category").filter(pk=pk).first()


def qualification_for_edit(*, pk: int) -> Qualification | None:
    return Qualification.objects.select_related("organisation", "product__organisation").filter(pk=pk).first()


def person_for_edit(*, pk: int) -> Person | None:
    return Person.objects.select_related("organisation").filter(pk=pk).first()


def supply_link_for_edit(*, pk: int) -> SupplyLink | None:
    return SupplyLink.objects.select_related("supplier", "buyer", "category", "product").filter(pk=pk).first()


def organisation_suggestions(*, text: str, limit: int = 12) -> list[Organisation]:
    """Organisations whose names or credit code contain the text (for pickers), by name."""
    terms = search.search_terms(text)
    if not terms:
        return []
    found = Organisation.objects.all()
    for term in terms:
        found = found.filter(search_text__contains=term)
    return list(found.order_by("name_key", "pk")[:limit])


_PICK_ID = re.compile(r"#(\d+)\s*$")


def organisation_by_reference(text: str) -> Organisation | None:
    """An organisation named by '#id' (as the picker writes it), credit code, or exact name in either language."""
    text = text.strip()
    if not text:
        return None
    match = _PICK_ID.search(text)
    if match:
        return Organisation.objects.filter(pk=int(match.group(1))).first()
    if text.isdigit() and len(text) < 18:  # an id; credit codes have 18 characters, some all digits
        return Organisation.objects.filter(pk=int(text)).first()
    found = list(Organisation.objects.filter(Q(credit_code=text.upper()) | Q(name_zh=text) | Q(name_en=text))[:2])
    if len(found) == 1:
        return found[0]
    return None


def person_by_reference(text: str) -> Person | None:
    """A person named by '#id' (as the picker writes it) or by an exact name in either language, if only one."""
    text = text.strip()
    if not text:
        return None
    match = _PICK_ID.search(text)
    if match:
        return Person.objects.filter(pk=int(match.group(1))).first()
    found = list(Person.objects.filter(Q(name_zh=text) | Q(name_en=text))[:2])
    return found[0] if len(found) == 1 else None


@dataclass
class ChainNetwork:
    """The organisations and supply links of one chip category, capped to the best-connected."""

    category: ChipCategory | None
    nodes: list[MapNode]
    edges: list[MapEdge]
    total_organisations: int
    total_links: int
    capped: bool


def chain_network(
    *,
    category: ChipCategory,
    in_park_only: bool = False,
    province: str = "",
    limit: int = CHAIN_MAP_LIMIT,
) -> ChainNetwork:
    """Supply links in a category (optionally those touching the park or a province), cut down to the `limit`
    organisations of its busiest part. Three queries: links, their organisations, their roles."""
    links: QuerySet[SupplyLink] = SupplyLink.objects.filter(category=category)
    if in_park_only:
        links = links.filter(Q(supplier__in_park=True) | Q(buyer__in_park=True))
    if province:
        links = links.filter(Q(supplier__province=province) | Q(buyer__province=province))
    rows = list(links.order_by("pk").values_list("supplier_id", "buyer_id", "status", "share"))
    degrees: Counter[int] = Counter()
    suppliers: set[int] = set()
    buyers: set[int] = set()
    for supplier_id, buyer_id, _status, _share in rows:
        degrees[supplier_id] += 1
        degrees[buyer_id] += 1
        suppliers.add(supplier_id)
        buyers.add(buyer_id)
    kept = busiest_subnetwork([(s, b) for s, b, _status, _share in rows], limit)
    organisations = Organisation.objects.filter(pk__in=kept).prefetch_related("roles")
    nodes = [
        MapNode(
            id=o.pk,
            label=o.display_name,
            sublabel=o.other_name,
            stage=node_stage([r.role for r in o.roles.all()], supplies_only=o.pk in suppliers and o.pk not in buyers),
            in_park=o.in_park,
            foreign=not o.is_domestic,
            country=o.country,
            is_demo=o.is_demo,
            degree=degrees[o.pk],
        )
        for o in organisations
    ]
    edges = [
        MapEdge(source=s, target=b, status=status, share=float(share) if share is not None else None)
        for s, b, status, share in rows
        if s in kept and b in kept
    ]
    return ChainNetwork(
        category=category,
        nodes=nodes,
        edges=edges,
        total_organisations=len(degrees),
        total_links=len(rows),
        capped=len(degrees) > len(kept),
    )
