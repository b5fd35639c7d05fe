"""The competition demo, built on the registry demo: three editions that show every stage at once.

- last year's edition: applications in all four awards, judges, a finished assignment, every score submitted,
  the calibrated ranking, decisions from its proposal (one departure with its reason), published results and
  verifiable certificates;
- this year's edition: applications closed, judging under way (the `judge` login has open reviews to try);
- next year's edition: open for applications (the `rep` login has a draft to walk to a certificate).

Applications are written directly as if submitted, confirmed and screened (the registry gives the applicants);
judges are demo people with logins; the assignment, the reviews, the ranking, the decisions and the
publication go through the real services, so the demo exercises what operators use. Scores come from a hidden
true quality per entry and a leniency, spread and noise per judge (a few judges nearly random), so the
calibrated ranking has something to correct. Everything is marked is_demo where the model has the flag, and a
seed gives the same editions, entries, judges and scores.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import mail
from django.db import transaction
from django.db.models import Q
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from chiptown.accounts.models import Role, User
from chiptown.competitions import eligibility
from chiptown.competitions.models import (
    Assignment,
    AwardKind,
    Category,
    Certificate,
    Decision,
    Edition,
    Entry,
    EntryStatus,
    Judge,
    PartnershipMember,
    Review,
    ReviewStatus,
)
from chiptown.core.errors import ChipTownError
from chiptown.core.services import Progress, no_progress
from chiptown.registry import demo as registry_demo
from chiptown.registry.models import ChainRole, ChipCategory, LinkStatus, Organisation, Person, Product, SupplyLink

DEFAULT_SEED = registry_demo.DEFAULT_SEED
JUDGE_USERNAME = "judge"
REP_USERNAME = "rep"
OPERATOR_USERNAME = "operator"

# Entries per award at scale 1 (fewer when the registry has fewer eligible applicants).
ENTRIES = {
    AwardKind.TOP50: 36,
    AwardKind.MOST_PROMISING: 12,
    AwardKind.BEST_PARTNER: 8,
    AwardKind.INFLUENCE_FIGURE: 8,
}
JUDGES = 16
# The demo's smaller field: Top 50 keeps its name but awards at most half of its demo entries, the others a third.
TOP50_WINNER_SHARE = 0.5
OTHER_WINNER_SHARE = 0.35
SUBMITTED_SHARE_CURRENT = 0.5  # of this year's reviews, submitted so far
JUDGE_OPEN_REVIEWS = 4  # the `judge` login keeps at least this many to try

EXPERTISE_WORDS = {
    "zh": ["功能安全", "车规认证", "功率器件", "传感器", "车载通信", "芯片设计", "封装测试", "供应链"],
    "en": ["functional safety", "AEC-Q qualification", "power devices", "sensors", "in-vehicle networking",
           "chip design", "packaging and test", "supply chain"],
}  # fmt: skip

ANSWER_SNIPPETS = [
    "车规级产品已在多家整车厂定点，年出货量持续增长。",
    "Design wins at several vehicle makers; shipments growing year on year.",
    "通过 AEC-Q100 Grade 1 认证，功能安全流程符合 ISO 26262。",
    "Qualified to AEC-Q100 Grade 1 with an ISO 26262 development process.",
    "与 Tier-1 联合开发，缩短了国产替代的验证周期。",
    "Joint development with a Tier-1 shortened the validation cycle for domestic substitution.",
]


@dataclass
class DemoSummary:
    """What the demo wrote, for the command to print."""

    editions: list[dict[str, Any]] = field(default_factory=list)
    judges: int = 0
    judge_open_reviews: int = 0
    rep_draft: Entry | None = None
    certificate_codes: list[str] = field(default_factory=list)
    emails_kept: int = 0
    seconds: float = 0.0


def demo_edition_exists() -> bool:
    return Edition.objects.filter(is_demo=True).exists()


def delete_demo() -> int:
    """Delete the demo editions and everything in them (certificates and reviews first: they protect their rows),
    and the demo judges' logins other than `judge`. Returns how many editions were deleted."""
    editions = Edition.objects.filter(is_demo=True)
    with transaction.atomic():
        Certificate.objects.filter(entry__category__edition__in=editions).delete()
        Review.objects.filter(assignment__entry__category__edition__in=editions).delete()
        count = editions.count()
        editions.delete()
        demo_judges = User.objects.filter(
            role=Role.JUDGE, email__endswith="@" + registry_demo.DEMO_EMAIL_DOMAIN
        ).exclude(username=JUDGE_USERNAME)
        Person.objects.filter(user__in=demo_judges).update(user=None)
        demo_judges.delete()
    return count


# --- Timelines ---------------------------------------------------------------------------------------------------


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _timelines(now: datetime.datetime) -> dict[str, dict[str, datetime.datetime]]:
    year = timezone.localtime(now).year
    day = timezone.localtime(now).date()
    return {
        "past": {
            "applications_open_at": _at(datetime.date(year - 1, 3, 1)),
            "applications_close_at": _at(datetime.date(year - 1, 5, 31), 18),
            "judging_start_at": _at(datetime.date(year - 1, 6, 1)),
            "judging_end_at": _at(datetime.date(year - 1, 8, 31), 18),
            "results_at": _at(datetime.date(year - 1, 9, 15)),
        },
        "current": {
            "applications_open_at": _at(day - datetime.timedelta(days=100)),
            "applications_close_at": _at(day - datetime.timedelta(days=15), 18),
            "judging_start_at": _at(day - datetime.timedelta(days=14)),
            "judging_end_at": _at(day + datetime.timedelta(days=30), 18),
            "results_at": _at(day + datetime.timedelta(days=45)),
        },
        "upcoming": {
            "applications_open_at": _at(day - datetime.timedelta(days=7)),
            "applications_close_at": _at(day + datetime.timedelta(days=120), 18),
            "judging_start_at": _at(day + datetime.timedelta(days=121)),
            "judging_end_at": _at(day + datetime.timedelta(days=180), 18),
            "results_at": _at(day + datetime.timedelta(days=195)),
        },
    }


# --- Who applies ---------------------------------------------------------------------------------------------------


@dataclass
class Applicants:
    """The registry rows each award draws from (ids, in a seeded order)."""

    top50: list[tuple[int, int]]  # (organisation, qualified product)
    young: list[int]
    pairs: list[tuple[int, int]]  # (supplier, buyer) with a supply link in mass production
    nominees: list[int]  # people


def _applicants(
    rng: random.Random, *, category: Category, year: int, day: datetime.date, exclude_people: set[int]
) -> Applicants:
    chip_makers = list(
        Organisation.objects.filter(is_demo=True, roles__role__in=[ChainRole.FABLESS, ChainRole.IDM])
        .distinct()
        .order_by("pk")
        .values_list("pk", "founded_year")
    )
    qualified = eligibility.qualified_products(
        organisation_ids=[pk for pk, _year in chip_makers],
        standards=eligibility.standards_of(category),
        day=day,
    )
    top50 = [(pk, min(products)) for pk, products in sorted(qualified.items())]
    young = [pk for pk, founded in chip_makers if founded and founded >= year - 5]
    links = list(
        SupplyLink.objects.filter(is_demo=True, status=LinkStatus.MASS_PRODUCTION)
        .order_by("pk")
        .values_list("supplier_id", "buyer_id")
        .distinct()
    )
    seen: set[tuple[int, int]] = set()
    pairs = []
    for supplier, buyer in links:
        if (supplier, buyer) not in seen:
            seen.add((supplier, buyer))
            pairs.append((supplier, buyer))
    nominees = list(
        Person.objects.filter(is_demo=True, organisation__isnull=False, user__isnull=True)
        .exclude(pk__in=exclude_people)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pool in (top50, young, pairs, nominees):
        rng.shuffle(pool)
    return Applicants(top50=top50, young=young, pairs=pairs, nominees=nominees)


def _answers(rng: random.Random, category: Category) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for question in category.form_fields or []:
        kind = question.get("type", "text")
        name = question["name"]
        if kind == "number":
            answers[name] = rng.randint(5, 900)
        elif kind == "url":
            answers[name] = f"https://demo-{rng.randint(100, 999)}.example"
        else:
            limit = int(question.get("max_length") or 2000)
            answers[name] = " ".join(rng.sample(ANSWER_SNIPPETS, 2))[:limit]
    return answers


def _entries(
    rng: random.Random,
    *,
    edition: Edition,
    applicants: Applicants,
    operator: User,
    moment: datetime.datetime,
    scale: int,
) -> dict[str, list[Entry]]:
    """Submitted, confirmed and screened applications in every award (written directly, in bulk)."""
    categories = {c.kind: c for c in edition.categories.all()}
    organisations = Organisation.objects.in_bulk(
        [pk for pk, _p in applicants.top50] + applicants.young + [pk for pair in applicants.pairs for pk in pair]
    )
    people = Person.objects.select_related("organisation").in_bulk(applicants.nominees)
    made: dict[str, list[Entry]] = {}

    def entry(kind: str, **values: Any) -> Entry:
        category = categories[kind]
        return Entry(
            category=category,
            status=EntryStatus.ELIGIBLE,
            answers=_answers(rng, category),
            submitted_at=moment,
            screened_by=operator,
            screened_at=moment + datetime.timedelta(days=3),
            is_demo=True,
            **values,
        )

    top50 = applicants.top50[: ENTRIES[AwardKind.TOP50] * scale]
    products = Product.objects.in_bulk([product for _pk, product in top50])
    made[AwardKind.TOP50] = [
        entry(
            AwardKind.TOP50,
            organisation=organisations[pk],
            product=products[product],
            # What an applicant would type: the product it puts forward (the names come from the registry).
            title=f"{products[product].part_number} {products[product].name_zh or products[product].name_en}".strip(),
        )
        for pk, product in top50
    ]
    # A young company may also be in the Top 50: applying to two awards is allowed.
    young = applicants.young[: ENTRIES[AwardKind.MOST_PROMISING] * scale]
    made[AwardKind.MOST_PROMISING] = [
        entry(
            AwardKind.MOST_PROMISING,
            organisation=organisations[pk],
        )
        for pk in young
    ]
    pairs = applicants.pairs[: ENTRIES[AwardKind.BEST_PARTNER] * scale]
    made[AwardKind.BEST_PARTNER] = [
        entry(
            AwardKind.BEST_PARTNER,
            organisation=organisations[supplier],
        )
        for supplier, _buyer in pairs
    ]
    nominees = applicants.nominees[: ENTRIES[AwardKind.INFLUENCE_FIGURE] * scale]
    made[AwardKind.INFLUENCE_FIGURE] = [
        entry(
            AwardKind.INFLUENCE_FIGURE,
            person=people[pk],
            created_by=operator,
            nominee_confirmed_at=moment + datetime.timedelta(days=1),
        )
        for pk in nominees
    ]
    for kind in made:
        made[kind] = Entry.objects.bulk_create(made[kind])
    PartnershipMember.objects.bulk_create(
        [
            PartnershipMember(entry=row, organisation_id=member, confirmed_at=moment)
            for row, pair in zip(made[AwardKind.BEST_PARTNER], pairs, strict=True)
            for member in pair
        ]
    )
    # The demo's field is small: each award keeps its number of winners only up to a share of its entries.
    for kind, rows in made.items():
        category = categories[kind]
        share = TOP50_WINNER_SHARE if kind == AwardKind.TOP50 else OTHER_WINNER_SHARE
        category.winners = max(1, min(category.winners, round(len(rows) * share)))
        category.save(update_fields=["winners"])
    return made


# --- Judges ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JudgeTraits:
    """How a demo judge scores: leniency (offset), spread (scale on quality) and noise."""

    offset: float
    scale: float
    noise: float


def _judge_people(count: int) -> list[Person]:
    """Demo people from labs, research institutes, investors and government first (few ties to applicants)."""
    preferred = [ChainRole.RESEARCH, ChainRole.LAB, ChainRole.GOVERNMENT, ChainRole.INVESTOR, ChainRole.EQUIPMENT]
    people: list[Person] = []
    seen: set[int] = set()
    for role in [*preferred, None]:
        query = Person.objects.filter(is_demo=True).filter(Q(user__isnull=True) | Q(user__role=Role.JUDGE))
        query = query.filter(organisation__roles__role=role) if role else query
        for person in query.select_related("organisation", "user").order_by("pk").distinct():
            if person.pk not in seen and len(people) < count:
                seen.add(person.pk)
                people.append(person)
    return people


def _judge_users(people: Sequence[Person]) -> list[User]:
    """One login per judge: the demo `judge` for the first, the others without a usable password."""
    users: list[User] = []
    for index, person in enumerate(people):
        username = JUDGE_USERNAME if index == 0 else f"judge{index:02d}"
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, email=f"{username}@{registry_demo.DEMO_EMAIL_DOMAIN}", role=Role.JUDGE)
            if username == JUDGE_USERNAME:
                user.set_password(registry_demo.DEMO_PASSWORD)
            else:
                user.set_unusable_password()
            user.first_name = person.name_en or person.name_zh
            user.language = "en" if index % 3 == 2 else "zh-hans"
            user.save()
        if person.user_id is None and not Person.objects.filter(user=user).exists():
            person.user = user
            person.save(update_fields=["user"])
        users.append(user)
    return users


def _judges(rng: random.Random, *, edition: Edition, people: Sequence[Person], users: Sequence[User]) -> list[Judge]:
    chip_categories = list(ChipCategory.objects.order_by("position", "code"))
    judges = Judge.objects.bulk_create(
        [
            Judge(
                edition=edition,
                user=user,
                person=person,
                expertise_text=" ".join(
                    [
                        *rng.sample(EXPERTISE_WORDS["zh"], 2),
                        *rng.sample(EXPERTISE_WORDS["en"], 2),
                    ]
                ),
                is_demo=True,
            )
            for person, user in zip(people, users, strict=True)
        ]
    )
    through = Judge.expertise_categories.through
    through.objects.bulk_create(
        [
            through(judge_id=judge.pk, chipcategory_id=category.pk)
            for judge in judges
            for category in rng.sample(chip_categories, min(3, len(chip_categories)))
        ]
    )
    for category in edition.categories.select_related("panel"):
        category.panel.judges.add(*judges)
    return judges


def _traits(rng: random.Random, judges: Sequence[Judge]) -> dict[int, JudgeTraits]:
    traits = {}
    for index, judge in enumerate(judges):
        near_random = index % 7 == 6
        traits[judge.pk] = JudgeTraits(
            offset=rng.gauss(0, 1.0),
            scale=rng.uniform(0.2, 0.5) if near_random else rng.uniform(0.5, 1.4),
            noise=rng.uniform(2.0, 2.8) if near_random else rng.uniform(0.3, 0.9),
        )
    return traits


# --- Scores ----------------------------------------------------------------------------------------------------


def _score(rng: random.Random, *, quality: float, traits: JudgeTraits, criterion: dict[str, Any]) -> str:
    """One criterion's score: the judge's view of the entry's quality, snapped to the rubric's range and step."""
    low = float(criterion.get("min", 0))
    high = float(criterion.get("max", 10))
    step = float(criterion.get("step", 0.5))
    middle = (low + high) / 2
    spread = (high - low) / 6
    value = middle + traits.offset + traits.scale * spread * quality + rng.gauss(0, traits.noise)
    value = min(high, max(low, low + round((value - low) / step) * step))
    return str(Decimal(str(value)).normalize())


def _score_reviews(
    rng: random.Random,
    *,
    assignments: Sequence[Assignment],
    quality: dict[int, float],
    traits: dict[int, JudgeTraits],
    submit: Callable[[Assignment], bool],
    progress: Callable[[int, int], None],
) -> tuple[int, int]:
    """Score every assignment through the real review services: submitted where `submit` says so, a draft for
    some of the rest. Returns (submitted, drafts)."""
    from chiptown.competitions.services.reviews import review_save, review_submit

    submitted = drafts = 0
    for done, assignment in enumerate(assignments, start=1):
        rubric = assignment.entry.category.rubric
        scores = {
            criterion["code"]: _score(
                rng, quality=quality[assignment.entry_id], traits=traits[assignment.judge_id], criterion=criterion
            )
            for criterion in rubric
        }
        user = assignment.judge.user
        if submit(assignment):
            review_submit(assignment=assignment, by=user, scores=scores, overall_comment=rng.choice(ANSWER_SNIPPETS))
            submitted += 1
        elif rng.random() < 0.3:
            first = rubric[0]["code"]
            review_save(assignment=assignment, by=user, scores={first: scores[first]})
            drafts += 1
        progress(done, len(assignments))
    return submitted, drafts


# --- The editions --------------------------------------------------------------------------------------------------


def _operator() -> User:
    user = User.objects.filter(username=OPERATOR_USERNAME, role=Role.OPERATOR).first()
    user = user or User.objects.filter(role=Role.OPERATOR, is_active=True).order_by("pk").first()
    if user is None:
        raise ChipTownError(_("The competition demo needs an operator login: run `chiptown demo-data` first."))
    return user


def _edition(*, operator: User, year: int, timeline: dict[str, datetime.datetime]) -> Edition:
    from chiptown.competitions.services.editions import edition_create

    return edition_create(
        by=operator,
        year=year,
        name_zh=f"{year}年度汽车芯片大赛（演示）",
        name_en=f"Automotive Chip Competition {year} (demo)",
        is_demo=True,
        **timeline,
    )


def _assign(*, edition: Edition, operator: User) -> list[Assignment]:
    from chiptown.competitions.services.assignment import assignment_run

    for category in edition.categories.order_by("kind"):
        if category.entries.filter(status=EntryStatus.ELIGIBLE).exists():
            assignment_run(category=category, by=operator)
    return list(
        Assignment.objects.filter(entry__category__edition=edition)
        .select_related("entry__category", "judge__user")
        .order_by("entry__category__kind", "entry_id", "judge_id")
    )


def _decide_and_publish(*, edition: Edition, operator: User) -> list[Certificate]:
    """Decisions from each category's proposal, one departure with its reason, then publication."""
    from chiptown.competitions.selectors import category_ranking  # type: ignore[attr-defined,unused-ignore]
    from chiptown.competitions.services.results import decisions_propose, decisions_save

    for category in edition.categories.order_by("kind"):
        ranking = list(category_ranking(category=category))
        if not ranking:
            continue
        proposal = decisions_propose(category=category, ranking=ranking)
        winners = [p.entry.pk for p in proposal if p.proposed_winner]
        reason = ""
        if category.kind == AwardKind.MOST_PROMISING and len(proposal) > len(winners) >= 2:
            # Show a departure: the committee prefers the runner-up (its rank interval reaches the cut-off).
            winners[-1] = proposal[len(winners)].entry.pk
            reason = _(
                "The runner-up's rank interval overlaps the last winner's; the committee preferred its confirmed "
                "automotive design win (demo decision)."
            )
        decisions_save(
            category=category,
            ranking=ranking,
            winner_ranks={pk: rank for rank, pk in enumerate(winners, start=1)},
            by=operator,
            reason=reason,
        )
    from chiptown.competitions.services.results import results_publish

    return results_publish(edition=edition, by=operator)


def _backdate(*, edition: Edition, timeline: dict[str, datetime.datetime]) -> None:
    """Last year's edition happened last year: reviews in its judging window, decisions before the announcement,
    results and certificates on the announced day (the audit log keeps the real times of the demo run)."""
    Review.objects.filter(assignment__entry__category__edition=edition).update(
        submitted_at=timeline["judging_end_at"] - datetime.timedelta(days=10)
    )
    Decision.objects.filter(entry__category__edition=edition).update(
        decided_at=timeline["results_at"] - datetime.timedelta(days=5)
    )
    Certificate.objects.filter(entry__category__edition=edition).update(issued_at=timeline["results_at"])
    Edition.objects.filter(pk=edition.pk).update(results_published_at=timeline["results_at"])


def _rep_draft(*, edition: Edition, day: datetime.date) -> Entry | None:
    """A draft for the demo representative in the open edition, through the real service."""
    from chiptown.competitions.services.entries import entry_create

    rep = User.objects.filter(username=REP_USERNAME, role=Role.COMPANY_REP, organisation__isnull=False).first()
    if rep is None or rep.organisation is None:
        return None
    organisation = rep.organisation
    top50 = edition.categories.get(kind=AwardKind.TOP50)
    qualified = eligibility.qualified_products(
        organisation_ids=[organisation.pk], standards=eligibility.standards_of(top50), day=day
    ).get(organisation.pk)
    young = organisation.founded_year is not None and organisation.founded_year >= edition.year - 5
    if qualified:
        category, product = top50, organisation.products.get(pk=min(qualified))
    elif young:
        category, product = edition.categories.get(kind=AwardKind.MOST_PROMISING), None
    else:
        category, product = top50, organisation.products.order_by("pk").first()
    return entry_create(
        by=rep,
        category=category,
        organisation=organisation,
        product=product,
        answers=_answers(random.Random(edition.year), category) if category.form_fields else {},
        is_demo=True,
    )


def build(*, seed: int = DEFAULT_SEED, scale: int = 1, progress: Progress = no_progress) -> DemoSummary:
    """Write the three demo editions in one transaction (all or nothing). Needs the registry demo and its logins
    (`chiptown demo-data`)."""
    started = time.perf_counter()
    # The demo sends what the real steps send (assignment notices, results); with the console backend that would
    # bury the summary, so those emails are kept in memory and counted instead.
    quiet = settings.EMAIL_BACKEND.endswith("console.EmailBackend")
    capture = (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend") if quiet else nullcontext()
    )
    with capture, transaction.atomic():
        before = len(getattr(mail, "outbox", []))
        summary = _build(seed=seed, scale=scale, progress=progress)
        summary.emails_kept = len(getattr(mail, "outbox", [])) - before if quiet else 0
    summary.seconds = time.perf_counter() - started
    return summary


def _build(*, seed: int, scale: int, progress: Progress) -> DemoSummary:
    if not registry_demo.demo_exists():
        raise ChipTownError(_("Load the registry demo first: `chiptown demo-data`."))
    if demo_edition_exists():
        raise ChipTownError(_("A demo edition exists already; use --reset to build it again."))
    rng = random.Random(seed)
    operator = _operator()
    now = timezone.now()
    timelines = _timelines(now)
    year = timezone.localtime(now).year
    summary = DemoSummary()

    progress(2, _("Creating the editions"))
    past = _edition(operator=operator, year=year - 1, timeline=timelines["past"])
    current = _edition(operator=operator, year=year, timeline=timelines["current"])
    upcoming = _edition(operator=operator, year=year + 1, timeline=timelines["upcoming"])

    people = _judge_people(JUDGES * scale)
    users = _judge_users(people)
    judge_people = {p.pk for p in people}
    summary.judges = len(users)

    for edition, name, share, span in (
        (past, "past", 1.0, (5, 55)),
        (current, "current", SUBMITTED_SHARE_CURRENT, (62, 95)),
    ):
        timeline = timelines[name]
        moment = (
            timeline["applications_open_at"]
            + (timeline["applications_close_at"] - timeline["applications_open_at"]) / 2
        )
        top50_category = edition.categories.get(kind=AwardKind.TOP50)
        applicants = _applicants(
            rng,
            category=top50_category,
            year=edition.year,
            day=timezone.localtime(moment).date(),
            exclude_people=judge_people,
        )
        entries = _entries(rng, edition=edition, applicants=applicants, operator=operator, moment=moment, scale=scale)
        judges = _judges(rng, edition=edition, people=people, users=users)
        traits = _traits(rng, judges)
        quality = {e.pk: rng.gauss(0, 1) for kind_entries in entries.values() for e in kind_entries}
        progress(span[0], _("assignment %(year)d") % {"year": edition.year})
        assignments = _assign(edition=edition, operator=operator)
        judge_user = next((u for u in users if u.username == JUDGE_USERNAME), None)
        mine = [a for a in assignments if judge_user is not None and a.judge.user_id == judge_user.pk]
        keep_open = {a.pk for a in mine[:JUDGE_OPEN_REVIEWS]} if share < 1 else set()

        def submit(assignment: Assignment, share: float = share, keep_open: set[int] = keep_open) -> bool:
            return assignment.pk not in keep_open and (share >= 1 or rng.random() < share)

        def report(done: int, total: int, low: int = span[0], high: int = span[1], year: int = edition.year) -> None:
            if done % 20 == 0 or done == total:
                progress(low + (high - low) * done // max(total, 1), _("reviews %(year)d") % {"year": year})

        submitted, drafts = _score_reviews(
            rng, assignments=assignments, quality=quality, traits=traits, submit=submit, progress=report
        )
        summary.editions.append(
            {
                "edition": edition,
                "entries": {kind: len(rows) for kind, rows in entries.items()},
                "assignments": len(assignments),
                "submitted": submitted,
                "drafts": drafts,
            }
        )
        if edition is past:
            progress(56, _("ranking, decisions and publication"))
            certificates = _decide_and_publish(edition=edition, operator=operator)
            _backdate(edition=edition, timeline=timeline)
            summary.certificate_codes = [c.code for c in certificates]
        else:
            summary.judge_open_reviews = (
                Assignment.objects.filter(judge__edition=edition, judge__user=judge_user)
                .exclude(review__status=ReviewStatus.SUBMITTED)
                .count()
                if judge_user
                else 0
            )

    progress(97, _("next year's applications"))
    _judges(rng, edition=upcoming, people=people, users=users)
    summary.rep_draft = _rep_draft(edition=upcoming, day=timezone.localdate())
    summary.editions.append({"edition": upcoming, "entries": {}, "assignments": 0, "submitted": 0, "drafts": 0})
    progress(100, _("Finished"))
    return summary


def winners_count(edition: Edition) -> int:
    return Decision.objects.filter(entry__category__edition=edition, is_winner=True).count()
