"""Reads of the competition (each part adds its own; querysets and dataclasses, owning select_related)."""

import re
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet

from chiptown.competitions.models import (
    Assignment,
    Category,
    Certificate,
    Decision,
    Edition,
    Entry,
    EntryStatus,
    PartnershipMember,
    Review,
    ReviewStatus,
)
from chiptown.registry.models import pick_language

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
