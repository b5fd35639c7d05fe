"""What the edition and application tests share: an edition taking applications now (made by the real service,
so it has the four standard categories), valid answers for a category's form, PDF uploads, and a snapshot of an
entry's rows to assert that a refusal changed nothing."""

import csv
import datetime
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from chiptown.accounts.models import Role, User
from chiptown.competitions.models import AwardKind, Category, Edition, Entry
from chiptown.competitions.services.editions import edition_create
from chiptown.core.models import AuditEntry
from chiptown.registry.demo import CATEGORIES_CSV
from chiptown.registry.models import ChipCategory, Organisation, Person
from tests.factories import PersonFactory, QualificationFactory, UserFactory

PDF = b"%PDF-1.7\n% a small but real-looking PDF header\n" + b"0" * 200


def ensure_chip_categories() -> None:
    """The chip categories come from a data migration; a transactional test that ran before may have flushed
    them (pytest-django runs those last, each starting from whatever the previous one left)."""
    with CATEGORIES_CSV.open(encoding="utf-8") as f:
        for position, row in enumerate(csv.DictReader(f)):
            ChipCategory.objects.update_or_create(
                code=row["code"],
                defaults={
                    "name_en": row["name_en"],
                    "name_zh": row["name_zh"],
                    "examples": row["examples"],
                    "position": position,
                },
            )


def timeline(now: datetime.datetime | None = None, **shift_days: float) -> dict[str, datetime.datetime]:
    """Applications opened 10 days ago and close in 10 days; judging from day 11 to 30; results on day 40."""
    now = now or timezone.now()
    days = {
        "applications_open_at": -10,
        "applications_close_at": 10,
        "judging_start_at": 11,
        "judging_end_at": 30,
        "results_at": 40,
    }
    days.update(shift_days)
    return {name: now + datetime.timedelta(days=value) for name, value in days.items()}


def open_edition(operator: User, year: int = 2031, **shift_days: float) -> Edition:
    return edition_create(
        by=operator,
        year=year,
        name_zh=f"{year}年度汽车芯片大赛",
        name_en=f"Automotive Chip Competition {year}",
        **timeline(**shift_days),
    )


def category_of(edition: Edition, kind: str) -> Category:
    return Category.objects.select_related("edition").get(edition=edition, kind=kind)


def answers_for(category: Category) -> dict[str, Any]:
    """A valid answer to every question of the category's form."""
    values = {"number": "12.5", "url": "https://example.com/about", "text": "车规 MCU", "textarea": "我们的车规芯片。"}
    return {q["name"]: values[q["type"]] for q in category.form_fields}


def pdf_file(name: str = "plan.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def qualify(organisation: Organisation, **overrides: Any) -> Any:
    """Give the organisation a product with a valid AEC-Q100 qualification (Top 50's rule)."""
    overrides.setdefault("expires_on", datetime.date(2099, 12, 31))
    return QualificationFactory(product__organisation=organisation, **overrides)


def nominee_with_account(language: str = "en", **overrides: Any) -> Person:
    user = UserFactory(role=Role.ATTENDEE, language=language)
    return PersonFactory(user=user, **overrides)


def representative_of(organisation: Organisation, **overrides: Any) -> User:
    return UserFactory(role=Role.COMPANY_REP, organisation=organisation, **overrides)


def entry_state(entry: Entry) -> dict[str, Any]:
    """Everything a refused write must leave as it was: the row, its partners, its documents, the audit log."""
    return {
        "row": Entry.objects.values().get(pk=entry.pk),
        "partners": list(entry.partners.order_by("pk").values()),
        "documents": list(entry.documents.order_by("pk").values_list("pk", "name", "size")),
        "audit": AuditEntry.objects.count(),
    }


AWARDS = [str(kind) for kind in AwardKind]
