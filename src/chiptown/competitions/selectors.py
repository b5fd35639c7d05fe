"""Reads of the competition (each part adds its own; querysets and dataclasses, owning select_related)."""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from chiptown.competitions import eligibility
from chiptown.competitions.models import (
    Assignment,
    AwardKind,
    Category,
    Certificate,
    Decision,
    Edition,
    Entry,
    EntryDocument,
    EntryStatus,
    PartnershipMember,
    Review,
    ReviewStatus,
)
from chiptown.core.errors import Problem
from chiptown.registry.models import Person, Product, Qualification, SupplyLink, pick_language

# --- Results: published editions, winners, certificates ---------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    """One name an entry is known by (an organisation, a person, or each partner), with its registry page."""

    name_zh: str
    name_en: str
    url: str = ""

    @property
    def display_name(self) -> str:
        return pick_language(self.name_zh, self.name_en)


def entry_applicants(entry: Entry) -> list[Applicant]:
    """Who an entry is for, from rows already loaded: the nominee (linked to their organisation's page), every
    partner of a partnership, or the applying organisation."""
    if entry.person_id and entry.person is not None:
        person = entry.person
        organisation = person.organisation
        return [Applicant(person.name_zh, person.name_en, organisation.get_absolute_url() if organisation else "")]
    partners = [member.organisation for member in entry.partners.all()]
    if partners:
        return [Applicant(o.name_zh, o.name_en, o.get_absolute_url()) for o in partners]
    if entry.organisation is not None:
        organisation = entry.organisation
        return [Applicant(organisation.name_zh, organisation.name_en, organisation.get_absolute_url())]
    return [Applicant("", entry.title or f"#{entry.pk}")]


def entry_names(entry: Entry) -> tuple[str, str]:
    """An entry's applicant names joined, in Chinese and in English (each falling back to the other)."""
    applicants = entry_applicants(entry)
    name_zh = "、".join(a.name_zh or a.name_en for a in applicants)
    name_en = " & ".join(a.name_en or a.name_zh for a in applicants)
    return name_zh, name_en


def _partners_prefetch(lookup: str = "partners") -> Prefetch:
    return Prefetch(lookup, queryset=PartnershipMember.objects.select_related("organisation").order_by("pk"))


@dataclass(frozen=True)
class Winner:
    entry: Entry
    rank: int | None
    certificate: Certificate | None
    decision: Decision | None = None

    @property
    def applicants(self) -> list[Applicant]:
        return entry_applicants(self.entry)


@dataclass(frozen=True)
class CategoryResults:
    category: Category
    winners: list[Winner] = field(default_factory=list)


def published_editions() -> QuerySet[Edition]:
    return Edition.objects.filter(results_published_at__isnull=False).order_by("-year")


def published_edition(*, year: int) -> Edition | None:
    return published_editions().filter(year=year).first()


def edition_results(*, edition: Edition) -> list[CategoryResults]:
    """Each category of the edition with its winners in rank order (three queries whatever the size)."""
    categories = list(edition.categories.order_by("kind"))
    decisions = (
        Decision.objects.filter(entry__category__edition=edition, is_winner=True)
        .select_related("entry__organisation", "entry__person__organisation", "entry__certificate")
        .prefetch_related(
            Prefetch(
                "entry__partners", queryset=PartnershipMember.objects.select_related("organisation").order_by("pk")
            )
        )
        .order_by("rank", "entry_id")
    )
    by_category: dict[int, list[Winner]] = {c.pk: [] for c in categories}
    for decision in decisions:
        entry = decision.entry
        by_category[entry.category_id].append(
            Winner(entry=entry, rank=decision.rank, certificate=getattr(entry, "certificate", None), decision=decision)
        )
    return [CategoryResults(category=c, winners=by_category[c.pk]) for c in categories]


CERTIFICATE_CODE = re.compile(r"[A-Za-z0-9_-]{1,32}")


def certificate_by_code(*, code: str) -> Certificate | None:
    """A certificate with its entry, category, edition and names loaded; None for an unknown code."""
    if not CERTIFICATE_CODE.fullmatch(code or ""):
        return None  # not a code we could have issued (secrets.token_urlsafe): no query, no NUL for PostgreSQL
    return (
        Certificate.objects.select_related(
            "entry__category__edition", "entry__organisation", "entry__person__organisation", "entry__decision"
        )
        .prefetch_related(
            Prefetch(
                "entry__partners", queryset=PartnershipMember.objects.select_related("organisation").order_by("pk")
            )
        )
        .filter(code=code)
        .first()
    )


def category_decisions(*, category: Category) -> dict[int, Decision]:
    """The recorded decisions of a category, by entry id."""
    return {d.entry_id: d for d in Decision.objects.filter(entry__category=category).select_related("decided_by")}


@dataclass(frozen=True)
class DecisionProgress:
    """How far a category's decision has got: eligible entries, how many have a decision, how many win."""

    eligible: int
    decided: int
    winners: int


def edition_decision_counts(*, edition: Edition) -> dict[int, DecisionProgress]:
    """DecisionProgress per category id (one query)."""
    rows = (
        Entry.objects.filter(category__edition=edition, status=EntryStatus.ELIGIBLE)
        .values("category_id")
        .annotate(
            eligible=Count("pk"),
            decided=Count("decision"),
            winners=Count("decision", filter=Q(decision__is_winner=True)),
        )
    )
    return {row["category_id"]: DecisionProgress(row["eligible"], row["decided"], row["winners"]) for row in rows}


def edition_reviews(*, edition: Edition) -> QuerySet[Review]:
    """Every review of an edition with its entry (and names) and judge loaded, for the scores export."""
    return (
        Review.objects.filter(assignment__entry__category__edition=edition)
        .select_related(
            "assignment__entry__category",
            "assignment__entry__organisation",
            "assignment__entry__person__organisation",
            "assignment__judge__person",
            "assignment__judge__user",
        )
        .prefetch_related(_partners_prefetch("assignment__entry__partners"))
        .order_by("assignment__entry__category__kind", "assignment__entry_id", "assignment__judge_id")
    )


def edition_review_counts(*, edition: Edition) -> dict[int, dict[str, int]]:
    """Per category id: assignments, submitted reviews and distinct judges (one query)."""
    rows = (
        Assignment.objects.filter(entry__category__edition=edition)
        .values("entry__category_id")
        .annotate(
            assigned=Count("pk"),
            submitted=Count("review", filter=Q(review__status=ReviewStatus.SUBMITTED)),
            judges=Count("judge", distinct=True),
        )
    )
    return {
        row["entry__category_id"]: {
            "assigned": row["assigned"],
            "submitted": row["submitted"],
            "judges": row["judges"],
        }
        for row in rows
    }


def edition_winners(*, edition: Edition) -> QuerySet[Decision]:
    """Winning decisions of an edition by award and rank, names loaded (a constant number of queries per page)."""
    return (
        Decision.objects.filter(entry__category__edition=edition, is_winner=True)
        .select_related("entry__category", "entry__organisation", "entry__person__organisation")
        .prefetch_related(_partners_prefetch("entry__partners"))
        .order_by("entry__category__kind", "rank", "entry_id")
    )


# --- Editions, categories, applications --------------------------------------------------------------------------

# States of an application that was submitted and not withdrawn (what counts as "applications received").
RECEIVED_STATES = (EntryStatus.SUBMITTED, EntryStatus.ELIGIBLE, EntryStatus.INELIGIBLE)
AWARD_ORDER = {str(kind): index for index, kind in enumerate(AwardKind)}


def in_award_order(categories: Iterable[Category]) -> list[Category]:
    """Categories in the programme's order (Influence Figure, Top 50, Most Promising, Best Partner)."""
    return sorted(categories, key=lambda c: AWARD_ORDER.get(c.kind, len(AWARD_ORDER)))


@dataclass(frozen=True)
class CategoryCounts:
    """A category with how many of its entries are in each status."""

    category: Category
    counts: dict[str, int]

    def _count(self, *states: str) -> int:
        return sum(self.counts.get(str(state), 0) for state in states)

    @property
    def drafts(self) -> int:
        return self._count(EntryStatus.DRAFT)

    @property
    def received(self) -> int:
        return self._count(*RECEIVED_STATES)

    @property
    def to_screen(self) -> int:
        return self._count(EntryStatus.SUBMITTED)

    @property
    def eligible(self) -> int:
        return self._count(EntryStatus.ELIGIBLE)

    @property
    def ineligible(self) -> int:
        return self._count(EntryStatus.INELIGIBLE)

    @property
    def withdrawn(self) -> int:
        return self._count(EntryStatus.WITHDRAWN)


@dataclass(frozen=True)
class EditionOverview:
    edition: Edition
    categories: list[CategoryCounts]

    @property
    def received(self) -> int:
        return sum(c.received for c in self.categories)

    @property
    def eligible(self) -> int:
        return sum(c.eligible for c in self.categories)


def editions_with_counts() -> QuerySet[Edition]:
    """Every edition, newest first, with the number of applications received (`received`), in one query."""
    return Edition.objects.annotate(
        received=Count("categories__entries", filter=Q(categories__entries__status__in=RECEIVED_STATES))
    ).order_by("-year")


def edition_by_year(*, year: int) -> Edition | None:
    return Edition.objects.filter(year=year).first()


def status_counts(*, categories: Iterable[Category]) -> dict[int, dict[str, int]]:
    """{category id: {status: number of entries}} in one query."""
    counts: dict[int, dict[str, int]] = {c.pk: {} for c in categories}
    rows = (
        Entry.objects.filter(category_id__in=list(counts))
        .values_list("category_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    )
    for category_id, status, n in rows:
        counts[category_id][status] = n
    return counts


def edition_overview(*, year: int) -> EditionOverview | None:
    """An edition, its categories in award order and their counts by status (three queries)."""
    edition = edition_by_year(year=year)
    if edition is None:
        return None
    categories = in_award_order(Category.objects.filter(edition=edition).select_related("edition"))
    counts = status_counts(categories=categories)
    return EditionOverview(edition, [CategoryCounts(c, counts[c.pk]) for c in categories])


def category_by_kind(*, year: int, kind: str) -> Category | None:
    return Category.objects.select_related("edition").filter(edition__year=year, kind=kind).first()


def _documents_prefetch() -> Prefetch:
    return Prefetch("documents", queryset=EntryDocument.objects.order_by("uploaded_at", "pk"))


def application(*, pk: int) -> Entry | None:
    """An entry with everything its page shows: category and edition, applicant, nominee, product, partners
    (lead first) and documents."""
    return (
        Entry.objects.select_related(
            "category__edition",
            "organisation",
            "person__user",
            "person__organisation",
            "product__category",
            "created_by",
            "screened_by",
        )
        .prefetch_related(_partners_prefetch(), _documents_prefetch())
        .filter(pk=pk)
        .first()
    )


def entry_document(*, pk: int) -> EntryDocument | None:
    return EntryDocument.objects.select_related("entry__person", "entry__category").filter(pk=pk).first()


def partnership_supply_links(*, entry: Entry) -> list[SupplyLink]:
    """Supply links in the registry between the organisations of a partnership, either direction: the evidence
    that they work together."""
    ids = [member.organisation_id for member in entry.partners.all()]
    if len(ids) < 2:
        return []
    return list(
        SupplyLink.objects.filter(supplier_id__in=ids, buyer_id__in=ids)
        .select_related("supplier", "buyer", "category", "product")
        .order_by("supplier__name_key", "buyer__name_key", "category__position", "pk")
    )


def automotive_qualifications(*, entry: Entry, day: datetime.date) -> list[Qualification]:
    """The applying organisation's valid automotive product qualifications (or the named product's): Top 50's
    evidence."""
    if entry.organisation_id is None:
        return []
    found = Qualification.objects.filter(
        eligibility.valid_qualifications_query(standards=eligibility.standards_of(entry.category), day=day),
        product__organisation_id=entry.organisation_id,
    )
    if entry.product_id is not None:
        found = found.filter(product_id=entry.product_id)
    return list(found.select_related("product").order_by("standard", "product__part_number", "pk"))


def _application_rows() -> QuerySet[Entry]:
    return Entry.objects.select_related("category__edition", "organisation", "person__organisation", "product")


@dataclass(frozen=True)
class MyApplications:
    """What a person sees on "My applications": their own applications and nominations, and those waiting for
    their answer (as the nominee, or for their organisation as a named partner)."""

    entries: list[Entry]
    awaiting_answer: list[Entry]


def my_applications(*, user: Any) -> MyApplications:
    """A constant number of queries whatever the number of applications."""
    if not user.is_authenticated:
        return MyApplications([], [])
    mine = Q(created_by=user)
    organisation_id = user.organisation_id if user.role == "company_rep" else None
    if organisation_id:
        mine |= Q(organisation_id=organisation_id)
    entries = list(
        _application_rows()
        .filter(pk__in=Entry.objects.filter(mine).values("pk"))
        .prefetch_related(_partners_prefetch())
        .order_by("-category__edition__year", "category__kind", "-pk")
    )
    waiting = Q(person__user=user, nominee_confirmed_at__isnull=True)
    if organisation_id:
        waiting |= Q(
            pk__in=PartnershipMember.objects.filter(organisation_id=organisation_id, confirmed_at__isnull=True).values(
                "entry_id"
            )
        )
    awaiting = list(
        _application_rows()
        .filter(waiting, status=EntryStatus.SUBMITTED)
        .prefetch_related(_partners_prefetch())
        .order_by("-category__edition__year", "-pk")
    )
    return MyApplications(entries, awaiting)


SCREENING_PAGE_SIZE = 50


@dataclass(frozen=True)
class ScreeningRow:
    entry: Entry
    problems: list[Problem]


@dataclass(frozen=True)
class ScreeningPage:
    category: Category
    counts: CategoryCounts
    page: Page[Any]
    rows: list[ScreeningRow]


def screening_page(*, category: Category, status: str = "", text: str = "", page_number: Any = 1) -> ScreeningPage:
    """A category's applications for screening, filtered by status (default: everything submitted) and by
    applicant name, with each entry's broken rules (checked in bulk); a constant number of queries."""
    counts = CategoryCounts(category, status_counts(categories=[category])[category.pk])
    found = (
        _application_rows()
        .filter(category=category)
        .annotate(document_count=Count("documents"))
        .prefetch_related(_partners_prefetch())
        .select_related("person__user")
    )
    found = found.filter(status=status) if status in EntryStatus.values else found.exclude(status=EntryStatus.DRAFT)
    text = text.strip()
    if text:
        found = found.filter(
            Q(title__icontains=text)
            | Q(organisation__name_zh__icontains=text)
            | Q(organisation__name_en__icontains=text)
            | Q(person__name_zh__icontains=text)
            | Q(person__name_en__icontains=text)
        )
    page = Paginator(found.order_by("submitted_at", "pk"), SCREENING_PAGE_SIZE).get_page(page_number)
    entries = list(page.object_list)
    day = timezone.localdate()
    qualified: eligibility.QualifiedProducts = {}
    if category.kind == AwardKind.TOP50:
        qualified = eligibility.qualified_products(
            organisation_ids={e.organisation_id for e in entries if e.organisation_id},
            standards=eligibility.standards_of(category),
            day=day,
        )
    rows = []
    for entry in entries:
        entry.category = category
        rows.append(ScreeningRow(entry, eligibility.rule_problems(entry, final=True, today=day, qualified=qualified)))
    return ScreeningPage(category, counts, page, rows)


def person_suggestions(*, text: str, limit: int = 12) -> list[Person]:
    """People in the registry whose name contains the text (for the nomination picker), with their employer."""
    text = text.strip()
    if not text:
        return []
    return list(
        Person.objects.filter(Q(name_zh__icontains=text) | Q(name_en__icontains=text))
        .select_related("organisation")
        .order_by("name_en", "name_zh", "pk")[:limit]
    )


def organisation_products(*, organisation_id: int | None) -> list[Product]:
    if not organisation_id:
        return []
    return list(Product.objects.filter(organisation_id=organisation_id).order_by("part_number"))
