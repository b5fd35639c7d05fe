"""Reads of the competition (each part adds its own; querysets and dataclasses, owning select_related)."""

import datetime
import hashlib
import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Case, Count, F, Max, Prefetch, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from chiptown.competitions import conflicts, eligibility, ranking
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
    Judge,
    PartnershipMember,
    Review,
    ReviewStatus,
)
from chiptown.competitions.services.reviews import SCORABLE_STATES, Criterion, rubric_criteria, weighted_score
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


def _award_order(field: str) -> Case:
    """An ORDER BY expression putting a category kind in the programme's order."""
    return Case(*(When(**{field: kind}, then=Value(index)) for kind, index in AWARD_ORDER.items()), default=Value(99))


def published_editions() -> QuerySet[Edition]:
    return Edition.objects.filter(results_published_at__isnull=False).order_by("-year")


def published_edition(*, year: int) -> Edition | None:
    return published_editions().filter(year=year).first()


def edition_results(*, edition: Edition) -> list[CategoryResults]:
    """Each category of the edition with its winners in rank order (three queries whatever the size)."""
    categories = in_award_order(edition.categories.all())
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
        .order_by(_award_order("assignment__entry__category__kind"), "assignment__entry_id", "assignment__judge_id")
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
        .order_by(_award_order("entry__category__kind"), "rank", "entry_id")
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


def organisations_without_representatives(*, organisation_ids: Iterable[int]) -> set[int]:
    """Which of these organisations have no active representative account, so nobody could confirm for them."""
    from chiptown.accounts.models import Role, User

    ids = set(organisation_ids)
    if not ids:
        return set()
    represented = User.objects.filter(role=Role.COMPANY_REP, organisation_id__in=ids, is_active=True).values_list(
        "organisation_id", flat=True
    )
    return ids - set(represented)


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


# --- Judging: a judge's entries, the operators' progress, reviews and the calibrated ranking ---------------------


def conflicted_assignment_ids(assignments: Iterable[Assignment]) -> set[int]:
    """The assignments whose judge conflicts with the entry (loaded rows: judge and entry selected), checked in
    bulk: a constant number of queries however many assignments."""
    rows = list(assignments)
    if not rows:
        return set()
    pairs = conflicts.conflicting_pairs(pairs=[(a.judge, a.entry) for a in rows])
    return {a.pk for a in rows if (a.judge_id, a.entry_id) in pairs}


def _review_of(assignment: Assignment) -> Review | None:
    """The assignment's review when it was loaded with select_related("review") (None when there is none)."""
    try:
        return assignment.review
    except Review.DoesNotExist:
        return None


@dataclass(frozen=True)
class JudgeRow:
    """One entry on a judge's page: the judge's own review only (never anyone else's)."""

    assignment: Assignment
    review: Review | None
    weighted: float | None

    @property
    def entry(self) -> Entry:
        return self.assignment.entry

    @property
    def state(self) -> str:
        if self.review is None:
            return "todo"
        return str(self.review.status)

    @property
    def applicants(self) -> list[Applicant]:
        return entry_applicants(self.assignment.entry)


@dataclass(frozen=True)
class JudgeCategory:
    category: Category
    rows: list[JudgeRow]

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(row.state for row in self.rows)
        return {"todo": found["todo"], "draft": found["draft"], "submitted": found["submitted"]}


@dataclass(frozen=True)
class JudgePage:
    judgeships: list[Judge]  # every active judgeship, newest edition first (the edition switcher)
    edition: Edition | None  # the edition shown (None: every edition)
    categories: list[JudgeCategory]

    @property
    def counts(self) -> dict[str, int]:
        total: Counter[str] = Counter()
        for category in self.categories:
            total.update(category.counts)
        return {"todo": total["todo"], "draft": total["draft"], "submitted": total["submitted"]}

    @property
    def total(self) -> int:
        return sum(len(c.rows) for c in self.categories)


def _judge_assignments() -> QuerySet[Assignment]:
    return Assignment.objects.select_related(
        "judge",
        "review",
        "entry__category__edition",
        "entry__organisation",
        "entry__person__organisation",
        "entry__product",
    ).prefetch_related(_partners_prefetch("entry__partners"))


def judge_page(*, user: Any, year: int | None = None) -> JudgePage:
    """The entries assigned to a judge (only active judgeships, only entries still in the competition, never
    an entry the judge conflicts with), grouped by category, with the judge's own progress. A constant number of
    queries whatever the number of entries."""
    judgeships = list(Judge.objects.filter(user=user, active=True).select_related("edition").order_by("-edition__year"))
    edition = next((j.edition for j in judgeships if j.edition.year == year), None) if year is not None else None
    if year is not None and edition is None:
        return JudgePage(judgeships=judgeships, edition=None, categories=[])
    found = _judge_assignments().filter(
        judge__in=[j for j in judgeships if edition is None or j.edition_id == edition.pk],
        entry__status__in=SCORABLE_STATES,
    )
    assignments = list(found.order_by("-entry__category__edition__year", "entry__category__kind", "entry_id"))
    blocked = conflicted_assignment_ids(assignments)
    by_category: dict[int, JudgeCategory] = {}
    criteria: dict[int, list[Criterion]] = {}
    for assignment in assignments:
        if assignment.pk in blocked:
            continue
        category = assignment.entry.category
        if category.pk not in by_category:
            by_category[category.pk] = JudgeCategory(category=category, rows=[])
            criteria[category.pk] = rubric_criteria(category)
        review = _review_of(assignment)
        weighted = weighted_score(criteria[category.pk], review.scores) if review is not None else None
        by_category[category.pk].rows.append(JudgeRow(assignment=assignment, review=review, weighted=weighted))
    ordered = sorted(
        by_category.values(),
        key=lambda c: (-c.category.edition.year, AWARD_ORDER.get(c.category.kind, len(AWARD_ORDER))),
    )
    return JudgePage(judgeships=judgeships, edition=edition, categories=ordered)


def judge_assignment(*, user: Any, entry_pk: int) -> Assignment | None:
    """The signed-in judge's assignment for an entry, with what the review page shows (entry, applicant,
    documents, the judge's own review); None when the user is not assigned to it."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        _judge_assignments()
        .select_related("entry__created_by")
        .prefetch_related(_documents_prefetch_for("entry__documents"))
        .filter(entry_id=entry_pk, judge__user=user)
        .first()
    )


def _documents_prefetch_for(lookup: str) -> Prefetch:
    return Prefetch(lookup, queryset=EntryDocument.objects.order_by("uploaded_at", "pk"))


# --- Operators: progress per judge and per entry -------------------------------------------------------------------

PROGRESS_PAGE_SIZE = 100


@dataclass(frozen=True)
class JudgeProgress:
    judge_id: int
    name: str
    username: str
    active: bool
    assigned: int
    drafts: int
    submitted: int
    last_reminded: datetime.datetime | None

    @property
    def to_do(self) -> int:
        return self.assigned - self.drafts - self.submitted

    @property
    def unfinished(self) -> int:
        return self.assigned - self.submitted

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.assigned) if self.assigned else 0


@dataclass(frozen=True)
class EntryProgress:
    entry: Entry
    assigned: int
    drafts: int
    submitted: int

    @property
    def to_do(self) -> int:
        return self.assigned - self.drafts - self.submitted

    @property
    def applicants(self) -> list[Applicant]:
        return entry_applicants(self.entry)


@dataclass(frozen=True)
class ProgressPage:
    category: Category
    judges: list[JudgeProgress]
    page: Page[Any]
    entries: list[EntryProgress]
    only_unfinished: bool

    @property
    def assigned(self) -> int:
        return sum(j.assigned for j in self.judges)

    @property
    def drafts(self) -> int:
        return sum(j.drafts for j in self.judges)

    @property
    def submitted(self) -> int:
        return sum(j.submitted for j in self.judges)

    @property
    def to_do(self) -> int:
        return self.assigned - self.drafts - self.submitted

    @property
    def percent(self) -> int:
        return round(100 * self.submitted / self.assigned) if self.assigned else 0

    @property
    def judges_unfinished(self) -> int:
        return sum(1 for j in self.judges if j.active and j.unfinished)


def category_progress(*, category: Category, page_number: Any = 1, only_unfinished: bool = False) -> ProgressPage:
    """Completion per judge (every judge with an assignment in the category) and per entry (a page of them),
    counting assignments, drafts and submitted reviews: four queries whatever the size."""
    judge_rows = (
        Assignment.objects.filter(entry__category=category)
        .values(
            "judge_id",
            "judge__active",
            "judge__user__username",
            "judge__person__name_zh",
            "judge__person__name_en",
        )
        .annotate(
            assigned=Count("pk"),
            drafts=Count("pk", filter=Q(review__status=ReviewStatus.DRAFT)),
            submitted=Count("pk", filter=Q(review__status=ReviewStatus.SUBMITTED)),
            last_reminded=Max("reminded_at"),
        )
        .order_by("judge__person__name_en", "judge__user__username", "judge_id")
    )
    judges = [
        JudgeProgress(
            judge_id=row["judge_id"],
            name=pick_language(row["judge__person__name_zh"] or "", row["judge__person__name_en"] or "")
            or row["judge__user__username"],
            username=row["judge__user__username"],
            active=row["judge__active"],
            assigned=row["assigned"],
            drafts=row["drafts"],
            submitted=row["submitted"],
            last_reminded=row["last_reminded"],
        )
        for row in judge_rows
    ]
    entries = (
        Entry.objects.filter(category=category)
        .exclude(status=EntryStatus.DRAFT)
        .select_related("organisation", "person__organisation")
        .prefetch_related(_partners_prefetch())
        .annotate(
            assigned=Count("assignments", distinct=True),
            drafts=Count("assignments", filter=Q(assignments__review__status=ReviewStatus.DRAFT), distinct=True),
            submitted=Count("assignments", filter=Q(assignments__review__status=ReviewStatus.SUBMITTED), distinct=True),
        )
        .order_by("pk")
    )
    if only_unfinished:
        entries = entries.filter(status__in=SCORABLE_STATES).exclude(assigned=F("submitted"))
    page = Paginator(entries, PROGRESS_PAGE_SIZE).get_page(page_number)
    rows = []
    for entry in page.object_list:
        entry.category = category
        rows.append(
            EntryProgress(
                entry=entry,
                assigned=entry.assigned,  # type: ignore[attr-defined]
                drafts=entry.drafts,  # type: ignore[attr-defined]
                submitted=entry.submitted,  # type: ignore[attr-defined]
            )
        )
    return ProgressPage(category=category, judges=judges, page=page, entries=rows, only_unfinished=only_unfinished)


@dataclass(frozen=True)
class ReviewRow:
    """A review as operators see it: every score and comment, with the judge."""

    assignment: Assignment
    review: Review | None
    weighted: float | None
    conflicted: bool

    @property
    def judge(self) -> Judge:
        return self.assignment.judge


def entry_reviews(*, entry: Entry) -> list[ReviewRow]:
    """Every assignment of an entry with its review (operators only: the scores are not blind here)."""
    assignments = list(
        Assignment.objects.filter(entry=entry)
        .select_related("judge__user", "judge__person", "review", "entry")
        .order_by("judge__person__name_en", "judge_id")
    )
    criteria = rubric_criteria(entry.category)
    blocked = conflicted_assignment_ids(assignments)
    rows = []
    for assignment in assignments:
        review = _review_of(assignment)
        rows.append(
            ReviewRow(
                assignment=assignment,
                review=review,
                weighted=weighted_score(criteria, review.scores) if review is not None else None,
                conflicted=assignment.pk in blocked,
            )
        )
    return rows


# --- The calibrated ranking --------------------------------------------------------------------------------------

RANKING_RESAMPLES = 1000
RANKING_CACHE_SECONDS = 600


@dataclass(frozen=True)
class RankedEntry:
    """One entry of a category's calibrated ranking (scores on the rubric's scale; rank 1 is the best)."""

    entry: Entry
    raw_mean: float
    leniency_score: float
    calibrated: float
    ci_low: float
    ci_high: float
    rank: int
    rank_low: int
    rank_high: int
    flags: list[str]
    reviews: int = 0
    disagreement: float = 0.0

    @property
    def applicants(self) -> list[Applicant]:
        return entry_applicants(self.entry)

    @property
    def winning(self) -> bool:
        """Within the category's number of winners by the point estimate."""
        return self.rank <= self.entry.category.winners

    @property
    def flag_disagreement(self) -> bool:
        return ranking.FLAG_DISAGREEMENT in self.flags

    @property
    def flag_cutoff(self) -> bool:
        return ranking.FLAG_CUTOFF in self.flags


def _ranking_reviews(category: Category) -> QuerySet[Review]:
    return Review.objects.filter(
        status=ReviewStatus.SUBMITTED,
        assignment__entry__category=category,
        assignment__entry__status__in=SCORABLE_STATES,
    )


def _ranking_fingerprint(category: Category) -> tuple[str, int]:
    """Changes whenever a submitted review of the category does (submitted, reopened, resubmitted), or a judge of
    the edition declares a conflict. Conflicts that come from registry changes are picked up when the cached
    figures expire (RANKING_CACHE_SECONDS)."""
    from chiptown.competitions.models import ConflictDeclaration

    found = _ranking_reviews(category).aggregate(
        n=Count("pk"), last=Max("updated_at"), versions=Sum("version"), top=Max("pk")
    )
    declared = ConflictDeclaration.objects.filter(judge__edition_id=category.edition_id).aggregate(
        declarations=Count("pk"), declared=Max("declared_at")
    )
    text = "|".join(str(found[k]) for k in ("n", "last", "versions", "top"))
    rubric = json.dumps(category.rubric, sort_keys=True)  # jsonb reorders keys: the same rubric, the same text
    text += f"|{declared['declarations']}|{declared['declared']}|{category.winners}|{rubric}"
    return hashlib.sha256(text.encode()).hexdigest()[:24], int(found["n"] or 0)


def _compute_ranking(category: Category) -> dict[str, Any]:
    """The ranking's figures as plain lists (cacheable), by entry id."""
    rows = list(
        _ranking_reviews(category)
        .select_related("assignment__judge", "assignment__entry")
        .only("scores", "assignment__judge_id", "assignment__entry_id", "assignment__entry__status")
        .order_by("assignment__entry_id", "assignment__judge_id")
    )
    blocked = conflicted_assignment_ids([review.assignment for review in rows])
    criteria = rubric_criteria(category)
    entry_ids: list[int] = []
    judge_ids: list[int] = []
    values: list[float] = []
    for review in rows:
        value = weighted_score(criteria, review.scores)
        if value is None or review.assignment_id in blocked:
            continue
        entry_ids.append(review.assignment.entry_id)
        judge_ids.append(review.assignment.judge_id)
        values.append(value)
    if not values:
        return {"entries": []}
    entry_keys, entry_index = np.unique(np.asarray(entry_ids), return_inverse=True)
    judge_keys, judge_index = np.unique(np.asarray(judge_ids), return_inverse=True)
    scores = ranking.ReviewScores.from_arrays(
        entry_index, judge_index, values, n_entries=entry_keys.size, n_judges=judge_keys.size
    )
    result = ranking.rank_entries(scores, cutoff=category.winners, resamples=RANKING_RESAMPLES, seed=category.pk)
    counts = np.bincount(entry_index, minlength=entry_keys.size)
    return {
        "entries": [
            {
                "entry_id": int(entry_keys[i]),
                "raw_mean": float(result.raw_mean[i]),
                "leniency_score": float(result.leniency_score[i]),
                "calibrated": float(result.calibrated[i]),
                "ci_low": float(result.ci_low[i]),
                "ci_high": float(result.ci_high[i]),
                "rank": int(result.rank[i]),
                "rank_low": int(result.rank_low[i]),
                "rank_high": int(result.rank_high[i]),
                "flags": result.flags(i),
                "reviews": int(counts[i]),
                "disagreement": float(result.disagreement[i]),
            }
            for i in range(entry_keys.size)
        ]
    }


def ranking_cache_key(category: Category) -> tuple[str, int]:
    """The cache key of the category's ranking figures as its submitted reviews stand now, and how many
    submitted reviews it has (two queries)."""
    fingerprint, reviews = _ranking_fingerprint(category)
    return f"competitions:ranking:v1:{category.pk}:{fingerprint}", reviews


def ranking_cached(key: str) -> dict[str, Any] | None:
    """The cached ranking figures under `key` (from ranking_cache_key), or None when they must be computed."""
    figures: dict[str, Any] | None = cache.get(key)
    return figures


def ranking_figures(*, category: Category, key: str | None = None) -> dict[str, Any]:
    """The category's ranking figures (plain lists, by entry id): from the cache, or computed and cached. The one
    way the ranking is computed, for pages and for the background job that warms the cache."""
    if key is None:
        key, _reviews = ranking_cache_key(category)
    figures = ranking_cached(key)
    if figures is None:
        figures = _compute_ranking(category)
        cache.set(key, figures, RANKING_CACHE_SECONDS)
    return figures


def category_ranking(*, category: Category, figures: dict[str, Any] | None = None) -> list[RankedEntry]:
    """The category's entries with at least one submitted review, in rank order, with raw means, the leniency-only
    scores, calibrated scores with 95% bootstrap intervals (1,000 resamples), rank intervals and flags
    ("disagreement": the judges disagree beyond their own noise; "cutoff": the rank interval holds both a
    winning and a losing place). Cached per set of submitted reviews, so a page view after the first is cheap;
    `figures` are ranking_figures() already fetched by the caller."""
    if figures is None:
        figures = ranking_figures(category=category)
    items = figures["entries"]
    entries = (
        Entry.objects.filter(pk__in=[item["entry_id"] for item in items])
        .select_related("organisation", "person__organisation", "product")
        .prefetch_related(_partners_prefetch())
        .in_bulk()
    )
    ranked = []
    for item in items:
        entry = entries.get(item["entry_id"])
        if entry is None:  # deleted since the figures were cached
            continue
        entry.category = category
        ranked.append(RankedEntry(entry=entry, **{k: v for k, v in item.items() if k != "entry_id"}))
    ranked.sort(key=lambda r: (r.rank, r.entry.pk))
    return ranked


def category_unranked_count(*, category: Category) -> int:
    """Entries still in the competition without a submitted review (not in the ranking yet)."""
    return (
        Entry.objects.filter(category=category, status__in=SCORABLE_STATES)
        .exclude(assignments__review__status=ReviewStatus.SUBMITTED)
        .count()
    )


# --- Judges, panels, pins and the assignment (operators' pages) ---------------------------------------------------


def edition_judges(*, edition: Edition) -> QuerySet[Judge]:
    """An edition's judges with who they are, what they know and how loaded they are (four queries whatever
    the number of judges: the rows, then three prefetches)."""
    return (
        Judge.objects.filter(edition=edition)
        .select_related("user", "person__organisation")
        .prefetch_related("expertise_categories", "former_employers", "panels__category")
        .annotate(
            assignment_count=Count("assignments", distinct=True),
            declaration_count=Count("declarations", distinct=True),
        )
        .order_by("-active", "user__username")
    )


def judge_for_admin(*, pk: int) -> Judge | None:
    return (
        Judge.objects.select_related("user", "person__organisation", "edition")
        .prefetch_related("expertise_categories", "former_employers")
        .filter(pk=pk)
        .first()
    )


def judge_declarations(*, judge: Judge) -> list[Any]:
    from chiptown.competitions.models import ConflictDeclaration

    return list(
        ConflictDeclaration.objects.filter(judge=judge)
        .select_related("organisation", "entry__category")
        .order_by("-declared_at")
    )


def category_pair_rules(*, category: Category) -> list[Any]:
    from chiptown.competitions.models import PairRule

    return list(
        PairRule.objects.filter(entry__category=category)
        .select_related("entry__organisation", "judge__user", "judge__person", "created_by")
        .order_by("entry_id", "judge_id")
    )


@dataclass(frozen=True)
class JudgeLoad:
    judge: Judge
    assigned: int
    started: int
    submitted: int


@dataclass(frozen=True)
class AssignmentOverview:
    """The latest run of a category with the per-judge loads and a page of entries with their judges."""

    run: Any
    loads: list[JudgeLoad]
    entries: Page[Any]  # eligible entries annotated with judge_count, assignments prefetched
    eligible: int
    unassigned: int


def assignment_overview(*, category: Category, page_number: Any = 1, per_page: int = 50) -> AssignmentOverview:
    """What the assignment page shows, in a fixed number of queries (the run, the loads, the entries' count and
    page, their assignments with judges)."""
    from chiptown.competitions.models import AssignmentRun

    run = (
        AssignmentRun.objects.filter(category=category)
        .select_related("created_by", "job")
        .defer("inputs")
        .order_by("-created_at", "-pk")
        .first()
    )
    in_category = Q(assignments__entry__category=category)
    panel_judges = (
        Judge.objects.filter(Q(panels__category=category) | in_category)
        .distinct()
        .select_related("user", "person")
        .annotate(
            assigned=Count("assignments", filter=in_category, distinct=True),
            started=Count("assignments__review", filter=in_category, distinct=True),
            submitted=Count(
                "assignments__review",
                filter=in_category & Q(assignments__review__status=ReviewStatus.SUBMITTED),
                distinct=True,
            ),
        )
        .order_by("-assigned", "user__username")
    )
    loads = [JudgeLoad(judge=j, assigned=j.assigned, started=j.started, submitted=j.submitted) for j in panel_judges]
    entries = (
        Entry.objects.filter(category=category, status=EntryStatus.ELIGIBLE)
        .select_related("organisation", "person")
        .annotate(judge_count=Count("assignments"))
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related("judge__user", "judge__person", "review").order_by(
                    "judge__user__username"
                ),
            )
        )
        .order_by("judge_count", "pk")
    )
    page = Paginator(entries, per_page).get_page(page_number)
    eligible = page.paginator.count
    unassigned = (
        Entry.objects.filter(category=category, status=EntryStatus.ELIGIBLE)
        .annotate(n=Count("assignments"))
        .filter(n__lt=category.judges_per_entry)
        .count()
    )
    return AssignmentOverview(run=run, loads=loads, entries=page, eligible=eligible, unassigned=unassigned)
