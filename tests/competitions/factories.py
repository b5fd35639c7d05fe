"""factory_boy factories for the competition, shared by every competition test module."""

import datetime

import factory
from django.utils import timezone

from chiptown.accounts.models import Role
from chiptown.competitions.models import (
    Assignment,
    AwardKind,
    Category,
    Edition,
    Entry,
    EntryStatus,
    Judge,
    Panel,
    Review,
)
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

RUBRIC = [
    {"code": "innovation", "label_en": "Innovation", "label_zh": "创新性", "weight": 0.4, "min": 0, "max": 10},
    {"code": "market", "label_en": "Market impact", "label_zh": "市场影响", "weight": 0.3, "min": 0, "max": 10},
    {"code": "quality", "label_en": "Automotive quality", "label_zh": "车规质量", "weight": 0.3, "min": 0, "max": 10},
]


def _now() -> datetime.datetime:
    return timezone.now()


class EditionFactory(factory.django.DjangoModelFactory[Edition]):
    """An edition whose applications are open now; judging follows after the close."""

    class Meta:
        model = Edition
        django_get_or_create = ("year",)

    year = factory.Sequence(lambda n: 2030 + n)
    name_zh = factory.LazyAttribute(lambda e: f"{e.year}年度汽车芯片大赛")
    name_en = factory.LazyAttribute(lambda e: f"Automotive Chip Competition {e.year}")
    applications_open_at = factory.LazyFunction(lambda: _now() - datetime.timedelta(days=10))
    applications_close_at = factory.LazyFunction(lambda: _now() + datetime.timedelta(days=10))
    judging_start_at = factory.LazyFunction(lambda: _now() + datetime.timedelta(days=11))
    judging_end_at = factory.LazyFunction(lambda: _now() + datetime.timedelta(days=30))
    results_at = factory.LazyFunction(lambda: _now() + datetime.timedelta(days=40))


class CategoryFactory(factory.django.DjangoModelFactory[Category]):
    class Meta:
        model = Category

    edition = factory.SubFactory(EditionFactory)
    kind = AwardKind.TOP50
    name_zh = "汽车芯片50强"
    name_en = "Automotive Chip Top 50"
    rubric = factory.LazyFunction(lambda: [dict(c) for c in RUBRIC])
    winners = 50
    judges_per_entry = 3
    max_judge_load = 35


class EntryFactory(factory.django.DjangoModelFactory[Entry]):
    class Meta:
        model = Entry

    category = factory.SubFactory(CategoryFactory)
    status = EntryStatus.SUBMITTED
    organisation = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Entry {n}")
    submitted_at = factory.LazyFunction(_now)


class JudgeFactory(factory.django.DjangoModelFactory[Judge]):
    class Meta:
        model = Judge

    edition = factory.SubFactory(EditionFactory)
    user = factory.SubFactory(UserFactory, role=Role.JUDGE)
    person = factory.SubFactory(PersonFactory)
    expertise_text = "automotive MCU functional safety"


class PanelFactory(factory.django.DjangoModelFactory[Panel]):
    class Meta:
        model = Panel

    category = factory.SubFactory(CategoryFactory)


class AssignmentFactory(factory.django.DjangoModelFactory[Assignment]):
    class Meta:
        model = Assignment

    entry = factory.SubFactory(EntryFactory)
    judge = factory.SubFactory(JudgeFactory, edition=factory.SelfAttribute("..entry.category.edition"))


class ReviewFactory(factory.django.DjangoModelFactory[Review]):
    class Meta:
        model = Review

    assignment = factory.SubFactory(AssignmentFactory)
