"""The annual industry report's editions (a frozen data snapshot, the figures computed from it, the rendered
HTML and PDF documents per language) and the vehicle bills of materials the localisation analysis weighs by."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from chiptown.registry.models import pick_language


class ReportEdition(models.Model):
    """One year's industry report. A draft can be regenerated; a published edition never changes again.

    `snapshot` holds every input the figures were computed from (gzip JSON, see `snapshots.py`) and
    `snapshot_sha256` its hash; `figures` holds the computed figures per language (see `figures.py`)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    snapshot = models.BinaryField(_("data snapshot"), null=True, blank=True, editable=False)
    snapshot_sha256 = models.CharField(_("snapshot hash (SHA-256)"), max_length=64, blank=True, editable=False)
    figures = models.JSONField(_("figures"), null=True, blank=True, editable=False)
    is_demo = models.BooleanField(_("built from demo data"), default=False)
    built_at = models.DateTimeField(_("built"), null=True, blank=True)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    build_seconds = models.FloatField(_("build time (s)"), null=True, blank=True)
    job = models.ForeignKey("core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("report edition")
        verbose_name_plural = _("report editions")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(built_at__isnull=False) & Q(published_at__isnull=False)),
                name="report_published_only_when_built",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Industry report %(year)s") % {"year": self.year})

    def get_absolute_url(self) -> str:
        return reverse("reports:edition", args=[self.year])

    @property
    def is_built(self) -> bool:
        return self.built_at is not None

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED


class ReportDocument(models.Model):
    """The report rendered once for one language: its HTML page or its PDF."""

    class Kind(models.TextChoices):
        HTML = "html", "HTML"
        PDF = "pdf", "PDF"

    edition = models.ForeignKey(ReportEdition, on_delete=models.CASCADE, related_name="documents")
    language = models.CharField(_("language"), max_length=16)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    content = models.BinaryField(_("content"), editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)

    class Meta:
        verbose_name = _("report document")
        verbose_name_plural = _("report documents")
        constraints = [
            models.UniqueConstraint(fields=["edition", "language", "kind"], name="report_document_once_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.edition} ({self.language}, {self.kind})"


class BillOfMaterials(models.Model):
    """Chips per vehicle by chip category for one vehicle type: the weights of a whole vehicle's localisation.

    `counts` maps category codes to chips per vehicle (numbers, at least 0). `source` says where the numbers come
    from; the defaults built by `services.bills_of_materials_ensure` quote the domain notes' published ranges and
    state which parts are assumptions."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    vehicle_type = models.CharField(_("vehicle type"), max_length=32, blank=True)
    counts = models.JSONField(_("chips per vehicle by category"), default=dict)
    source = models.TextField(_("source"), blank=True)
    is_default = models.BooleanField(_("used by the report"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "name_en"]
        verbose_name = _("bill of materials")
        verbose_name_plural = _("bills of materials")
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_bom"),
        ]

    def __str__(self) -> str:
        return pick_language(self.name_zh, self.name_en)

    @property
    def total_chips(self) -> float:
        return float(sum(float(v) for v in self.counts.values()))
