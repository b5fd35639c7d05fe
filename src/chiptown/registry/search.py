"""Directory search: which organisations match a query, in which order, with one scan for the count and the page.

How it stays fast at 20,000 organisations (see bench/bench_directory_search.py):
- Names are matched as substrings of Organisation.search_text (both names and the credit code, case-folded), so a
  two-character Chinese term such as 科技 is found as easily as an English word. A substring scan of 20,000 short
  rows costs about 5 ms on SQLite, less than the trigram index it would need for three-plus characters only.
- The filtered, ordered list of matching ids is read once with a plain cursor; its length is the result count and
  a slice of it is the page, so pagination costs no second COUNT(*) scan.
- On SQLite, when the query filters on the organisation's own columns, ordering by `+name_key` makes SQLite scan
  the table and sort the matches instead of walking the name index with a random table read per entry.
- Role and category filters are `+id IN (subquery)` on SQLite, so SQLite walks the name index and tests each id
  against the subquery's list instead of fetching every listed organisation and sorting them afterwards.
- Which organisations hold a valid qualification of a standard (and level) takes a join over tens of thousands of
  certificates, so that set is cached for a minute and intersected in Python; any organisation, product or
  qualification saved through the ORM, or deleted through the pages, starts a new cache generation at once
  (registry_changed); other writers are seen within the minute, or at once when they call registry_changed().
- Product part numbers are matched by prefix (3+ characters) through the part-number index added in migration
  0100_directory_indexes, which also covers the qualification join and the founding-year sort.
"""

import datetime
import re
import uuid
from dataclasses import dataclass, fields, replace
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import BigIntegerField, CharField, F, Func, OrderBy, Q, QuerySet
from django.db.models.signals import post_save
from django.utils import timezone

from chiptown.registry.models import Organisation, OrganisationRole, Product, Qualification, SupplyLink

MAX_TERMS = 6
PART_NUMBER_MIN_LENGTH = 3
QUALIFIED_CACHE_SECONDS = 60
_GENERATION_KEY = "registry:search-generation"

SORTS = {
    "name": ("name_key", False),
    "-name": ("name_key", True),
    "founded": ("founded_year", False),
    "-founded": ("founded_year", True),
}


@dataclass(frozen=True)
class DirectoryQuery:
    """What a directory visitor asked for; empty strings mean 'any'."""

    q: str = ""
    role: str = ""
    category: str = ""
    standard: str = ""
    level: str = ""
    in_park: bool | None = None
    province: str = ""
    origin: str = ""  # "domestic", "foreign" or an ISO country code
    sort: str = "name"

    @property
    def terms(self) -> list[str]:
        return search_terms(self.q)

    @property
    def is_filtered(self) -> bool:
        return any(getattr(self, f.name) not in ("", None) for f in fields(self) if f.name != "sort")

    def without_sort(self) -> "DirectoryQuery":
        return replace(self, sort="name")


def search_terms(text: str) -> list[str]:
    """The words of a search, case-folded, each of which must match; at most MAX_TERMS."""
    terms: list[str] = []
    for word in re.split(r"[\s,，;；、]+", text.casefold()):
        word = word.strip()
        if word and word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def _term_filter(term: str) -> Q:
    condition = Q(search_text__contains=term)
    if len(term) >= PART_NUMBER_MIN_LENGTH:
        prefix = term.upper()
        if connection.vendor == "sqlite":
            # A range on the part-number index; LIKE with ESCAPE would not use it on SQLite.
            parts = Product.objects.filter(part_number__gte=prefix, part_number__lt=prefix + "\U0010ffff")
        else:
            parts = Product.objects.filter(part_number__startswith=prefix)
        condition |= Q(pk__in=parts.values("organisation_id"))
    return condition


def valid_qualifications(*, standard: str, level: str = "", on: datetime.date | None = None) -> QuerySet[Qualification]:
    """Qualifications of a standard (and level) that have not expired on the given day."""
    day = on or timezone.localdate()
    found = Qualification.objects.filter(standard=standard).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=day))
    if level:
        found = found.filter(level=level)
    return found


def directory_queryset(query: DirectoryQuery) -> QuerySet[Organisation]:
    """Organisations matching the query except its qualification filter (see qualified_organisation_ids), in the
    asked order."""
    organisations = Organisation.objects.all()
    if connection.vendor == "sqlite":
        organisations = organisations.alias(
            listed_id=Func(F("pk"), template="+%(expressions)s", output_field=BigIntegerField())
        )
        listed = "listed_id__in"
    else:
        listed = "pk__in"
    own_columns = False
    for term in query.terms:
        organisations = organisations.filter(_term_filter(term))
        own_columns = True
    if query.role:
        organisations = organisations.filter(
            Q(**{listed: OrganisationRole.objects.filter(role=query.role).values("organisation_id")})
        )
    if query.category:
        organisations = organisations.filter(
            Q(**{listed: Product.objects.filter(category_id=query.category).values("organisation_id")})
            | Q(**{listed: SupplyLink.objects.filter(category_id=query.category).values("supplier_id")})
        )
    if query.in_park is not None:
        organisations = organisations.filter(in_park=query.in_park)
        own_columns = True
    if query.province:
        organisations = organisations.filter(province=query.province)
        own_columns = True
    if query.origin == "domestic":
        organisations = organisations.filter(country="CN")
        own_columns = True
    elif query.origin == "foreign":
        organisations = organisations.exclude(country="CN")
        own_columns = True
    elif query.origin:
        organisations = organisations.filter(country=query.origin)
        own_columns = True
    return organisations.order_by(*_ordering(query.sort, scan_and_sort=own_columns))


def _ordering(sort: str, *, scan_and_sort: bool) -> list[Any]:
    column, descending = SORTS.get(sort, SORTS["name"])
    key: Any = F(column)
    if scan_and_sort and connection.vendor == "sqlite":
        key = Func(F(column), template="+%(expressions)s", output_field=CharField())
    ordering = [OrderBy(key, descending=descending, nulls_last=True if column == "founded_year" else None)]
    if column != "name_key":
        ordering.append(F("name_key").asc())
    ordering.append(F("id").asc())
    return ordering


def _fetch_ids(queryset: QuerySet[Any]) -> list[int]:
    """The first column of a values_list query, read with a plain cursor (no model instances, no converters)."""
    sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def directory_ids(query: DirectoryQuery) -> list[int]:
    """Every matching organisation's id, in order: one query (plus the cached qualification set when asked)."""
    ids = _fetch_ids(directory_queryset(query).values_list("id", flat=True))
    if query.standard:
        qualified = qualified_organisation_ids(standard=query.standard, level=query.level)
        ids = [pk for pk in ids if pk in qualified]
    return ids


def generation() -> str:
    """The current generation of the search caches: a new one after every ORM write to the registry."""
    generation = cache.get(_GENERATION_KEY)
    if generation is None:
        generation = uuid.uuid4().hex
        cache.set(_GENERATION_KEY, generation, None)
    return str(generation)


def registry_changed(**kwargs: Any) -> None:
    """Start a new generation of the search caches (connected to organisation, product and qualification saves;
    deleting pages and bulk writers that bypass the ORM call it themselves)."""
    cache.delete(_GENERATION_KEY)


def qualified_organisation_ids(*, standard: str, level: str = "", on: datetime.date | None = None) -> frozenset[int]:
    """Organisations holding a valid qualification of the standard (and level): on one of their products, or on
    the organisation itself (plants). Cached for QUALIFIED_CACHE_SECONDS within one cache generation."""
    day = on or timezone.localdate()
    key = f"registry:qualified:{generation()}:{standard.replace(' ', '_')}:{level}:{day.isoformat()}"
    found = cache.get(key)
    if isinstance(found, frozenset):
        return found
    held = valid_qualifications(standard=standard, level=level, on=day)
    found = frozenset(
        _fetch_ids(held.filter(product__isnull=False).values_list("product__organisation_id", flat=True))
    ) | frozenset(_fetch_ids(held.filter(organisation__isnull=False).values_list("organisation_id", flat=True)))
    cache.set(key, found, QUALIFIED_CACHE_SECONDS)
    return found


# post_save only: a post_delete receiver would stop Django's fast bulk deletes (demo data, cascades); the pages
# that delete call registry_changed() themselves.
for _model in (Organisation, Product, Qualification):
    post_save.connect(registry_changed, sender=_model, dispatch_uid=f"search-generation-{_model.__name__}")
