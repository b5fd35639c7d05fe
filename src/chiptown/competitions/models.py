"""The yearly automotive-chip competition: editions, award categories, entries, judges, assignments, reviews,
decisions and certificates."""

import secrets
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chiptown.registry.models import pick_language


class AwardKind(models.TextChoices):
    INFLUENCE_FIGURE = "influence_figure", _("Industry Influence Figure")
    TOP50 = "top50", _("Automotive Chip Top 50")
    MOST_PROMISING = "most_promising", _("Most Promising")
    BEST_PARTNER = "best_partner", _("Best Partner")


class ApplicantKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    PERSON = "person", _("Person")
    PARTNERSHIP = "partnership", _("Partnership")


# Who applies for each award: a person is nominated, a partnership names two or more organisations.
APPLICANT_KIND = {
    AwardKind.INFLUENCE_FIGURE: ApplicantKind.PERSON,
    AwardKind.TOP50: ApplicantKind.ORGANISATION,
    AwardKind.MOST_PROMISING: ApplicantKind.ORGANISATION,
    AwardKind.BEST_PARTNER: ApplicantKind.PARTNERSHIP,
}


class Edition(models.Model):
    """One year's competition and its timeline (stored in UTC, shown in Asia/Shanghai)."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    applications_open_at = models.DateTimeField(_("applications open"))
    applications_close_at = models.DateTimeField(_("applications close"))
    judging_start_at = models.DateTimeField(_("judging starts"))
    judging_end_at = models.DateTimeField(_("judging ends"))
    results_at = models.DateTimeField(_("results announced"))
    results_published_at = models.DateTimeField(_("results published"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(applications_close_at__gt=models.F("applications_open_at"))
                & models.Q(judging_start_at__gte=models.F("applications_close_at"))
                & models.Q(judging_end_at__gt=models.F("judging_start_at"))
                & models.Q(results_at__gte=models.F("judging_end_at")),
                name="edition_timeline_in_order",
            )
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("competitions:edition", args=[self.year])

    @property
    def display_name(self) -> str:
        return pick_language(self.name_zh, self.name_en)

    def accepts_applications(self, at: Any = None) -> bool:
        at = at or timezone.now()
        return bool(self.applications_open_at <= at < self.applications_close_at)

    @property
    def is_published(self) -> bool:
        return self.results_published_at is not None


class Category(models.Model):
    """An award in an edition, with its own form fields, eligibility rules, rubric and number of winners.

    form_fields: [{"name", "label_en", "label_zh", "type": text|textarea|number|url, "required", "max_length"}]
    eligibility: {"max_age_years": 5} (Most Promising), {"requires_valid_qualification": true} (Top 50),
                 {"min_partners": 2} (Best Partner)
    rubric: [{"code", "label_en", "label_zh", "weight", "min", "max"}]
    """

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="categories")
    kind = models.CharField(_("award"), max_length=32, choices=AwardKind.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    form_fields = models.JSONField(_("application form fields"), default=list, blank=True)
    eligibility = models.JSONField(_("eligibility rules"), default=dict, blank=True)
    rubric = models.JSONField(_("rubric"), default=list)
    winners = models.PositiveIntegerField(_("number of winners"), default=10)
    judges_per_entry = models.PositiveSmallIntegerField(_("judges per entry"), default=3)
    max_judge_load = models.PositiveSmallIntegerField(_("most entries per judge"), default=35)

    class Meta:
        ordering = ["edition", "kind"]
        verbose_name = _("award category")
        verbose_name_plural = _("award categories")
        constraints = [
            models.UniqueConstraint(fields=["edition", "kind"], name="category_once_per_edition"),
            models.CheckConstraint(condition=models.Q(judges_per_entry__gte=1), name="category_at_least_one_judge"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick_language(self.name_zh, self.name_en)

    @property
    def applicant_kind(self) -> str:
        return str(APPLICANT_KIND[AwardKind(self.kind)])


class EntryStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    ELIGIBLE = "eligible", _("Eligible")
    INELIGIBLE = "ineligible", _("Not eligible")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Entry(models.Model):
    """An application (or a nomination) in one award category."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="entries")
    status = models.CharField(_("status"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.DRAFT)
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="competition_entries",
        help_text=_("The applicant (Top 50, Most Promising) or the lead partner (Best Partner)."),
    )
    person = models.ForeignKey(
        "registry.Person",
        verbose_name=_("nominee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="competition_entries",
    )
    product = models.ForeignKey(
        "registry.Product",
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="competition_entries",
    )
    title = models.CharField(_("title"), max_length=200, blank=True)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="competition_entries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    nominee_confirmed_at = models.DateTimeField(_("nominee confirmed"), null=True, blank=True)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)
    screening_reason = models.TextField(_("reason"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["category", "id"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        indexes = [models.Index(fields=["category", "status"])]

    def __str__(self) -> str:
        return self.display_title

    def get_absolute_url(self) -> str:
        return reverse("competitions:entry", args=[self.pk])

    @property
    def display_title(self) -> str:
        """The title the applicant gave, else the applicant's name (a nomination has no title of its own)."""
        if self.title:
            return self.title
        if self.person_id is not None and self.person is not None:
            return self.person.display_name
        if self.organisation_id is not None and self.organisation is not None:
            return self.organisation.display_name
        return f"#{self.pk}"


class PartnershipMember(models.Model):
    """An organisation named in a Best Partner entry; the entry counts only once every member confirmed."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="partners")
    organisation = models.ForeignKey("registry.Organisation", on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "organisation"], name="partner_once_per_entry")]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.entry})"


class EntryDocument(models.Model):
    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to="competition/documents/")
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.name


class Judge(models.Model):
    """A judge in one edition: who they are in the registry (for conflicts) and what they know."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="judges")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judgeships")
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="judgeships"
    )
    expertise_categories = models.ManyToManyField("registry.ChipCategory", blank=True, related_name="+")
    expertise_text = models.TextField(_("expertise"), blank=True)
    former_employers = models.ManyToManyField("registry.Organisation", blank=True, related_name="former_judges")
    max_load = models.PositiveSmallIntegerField(_("most entries"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True, help_text=_("Cleared when a judge drops out."))
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("judge")
        verbose_name_plural = _("judges")
        constraints = [models.UniqueConstraint(fields=["edition", "user"], name="judge_once_per_edition")]

    def __str__(self) -> str:
        return self.person.display_name if self.person else self.user.get_username()


class Panel(models.Model):
    """The judges who may be assigned entries of one category."""

    category = models.OneToOneField(Category, on_delete=models.CASCADE, related_name="panel")
    judges = models.ManyToManyField(Judge, related_name="panels", blank=True)

    def __str__(self) -> str:
        return str(self.category)


class ConflictDeclaration(models.Model):
    """A tie a judge declares: with an organisation (all its entries) or with one entry."""

    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="declarations")
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(Entry, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=255)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | models.Q(entry__isnull=False),
                name="declaration_names_something",
            )
        ]

    def __str__(self) -> str:
        return f"{self.judge}: {self.reason}"


class PairRule(models.Model):
    """An operator's pin (must assign) or forbid (must not) for a judge and an entry."""

    class Kind(models.TextChoices):
        PIN = "pin", _("Pin")
        FORBID = "forbid", _("Forbid")

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="pair_rules")
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="pair_rules")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "judge"], name="pair_rule_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.judge} / {self.entry}"


class AssignmentRun(models.Model):
    """One solve of the assignment, kept with its inputs and objective so it can be explained later."""

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="assignment_runs")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    inputs = models.JSONField(default=dict)
    objective = models.FloatField(null=True, blank=True)
    bound = models.FloatField(null=True, blank=True)
    worst_entry_fit = models.FloatField(null=True, blank=True)
    solve_seconds = models.FloatField(null=True, blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    figures = models.JSONField(
        default=dict, blank=True, help_text="What the run achieved against its bounds (max-min bound, ratios, counts)."
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.category} {self.created_at:%Y-%m-%d %H:%M}"


class Assignment(models.Model):
    """A judge asked to review an entry."""

    entry = models.ForeignKey(Entry, on_delete=models.CASCADE, related_name="assignments")
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="assignments")
    run = models.ForeignKey(AssignmentRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="assignments")
    fit = models.FloatField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "judge"], name="assignment_once")]
        indexes = [models.Index(fields=["judge", "entry"])]

    def __str__(self) -> str:
        return f"{self.judge} → {self.entry}"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Review(models.Model):
    """A judge's scores for one entry: per criterion, with comments; locked once submitted."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="review")
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    scores = models.JSONField(default=dict, help_text="{criterion code: score}")
    comments = models.JSONField(default=dict, blank=True, help_text="{criterion code: comment}")
    overall_comment = models.TextField(_("comment"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.assignment} ({self.get_status_display()})"


class Decision(models.Model):
    """The operators' decision on an entry: a winner or not, at which rank, and why when it departs from the
    calibrated ranking."""

    entry = models.OneToOneField(Entry, on_delete=models.CASCADE, related_name="decision")
    is_winner = models.BooleanField(_("winner"))
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    proposed_rank = models.PositiveIntegerField(_("proposed rank"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.entry}: {'winner' if self.is_winner else 'not a winner'}"


def _certificate_code() -> str:
    return secrets.token_urlsafe(12)


class Certificate(models.Model):
    """A winner's certificate; its code (in the QR) opens the public verification page."""

    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, related_name="certificate")
    code = models.CharField(max_length=32, unique=True, default=_certificate_code, editable=False)
    id_public = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("competitions:verify", args=[self.code])


SCORE_PLACES = Decimal("0.01")
