"""The industry chain: organisations and their roles, people, products, qualifications and supply links."""

import datetime
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


def pick_language(zh: str, en: str) -> str:
    """The name in the active language, falling back to the other one."""
    if (translation.get_language() or "").startswith("zh"):
        return zh or en
    return en or zh


def search_key(*parts: str | None) -> str:
    """What directory search matches against: names in both languages, case-folded, space-joined."""
    return " ".join(p.casefold().strip() for p in parts if p)


def name_key(name: str) -> str:
    """A normalised name for duplicate checks: case, spaces and punctuation ignored."""
    return "".join(ch for ch in name.casefold() if ch.isalnum())


class ChainRole(models.TextChoices):
    EDA_IP = "eda_ip", _("EDA/IP vendor")
    FABLESS = "fabless", _("Chip designer (fabless)")
    IDM = "idm", _("IDM")
    FOUNDRY = "foundry", _("Foundry")
    OSAT = "osat", _("Packaging & test (OSAT)")
    MATERIALS = "materials", _("Materials")
    EQUIPMENT = "equipment", _("Equipment")
    MODULE = "module", _("Module / Tier-2 supplier")
    TIER1 = "tier1", _("Tier-1 supplier")
    OEM = "oem", _("Vehicle maker (OEM)")
    LAB = "lab", _("Test & certification lab")
    INVESTOR = "investor", _("Investor")
    RESEARCH = "research", _("University / research institute")
    GOVERNMENT = "government", _("Government / park body")


# Upstream-to-downstream order of the chain, used to lay out the chain map in columns.
CHAIN_STAGE = {
    ChainRole.EDA_IP: 0,
    ChainRole.MATERIALS: 0,
    ChainRole.EQUIPMENT: 0,
    ChainRole.RESEARCH: 0,
    ChainRole.FABLESS: 1,
    ChainRole.IDM: 1,
    ChainRole.FOUNDRY: 1,
    ChainRole.OSAT: 2,
    ChainRole.LAB: 2,
    ChainRole.MODULE: 3,
    ChainRole.TIER1: 4,
    ChainRole.OEM: 5,
    ChainRole.INVESTOR: 6,
    ChainRole.GOVERNMENT: 6,
}


class SizeBand(models.TextChoices):
    MICRO = "micro", _("Micro (under 10 staff)")
    SMALL = "small", _("Small (10-99)")
    MEDIUM = "medium", _("Medium (100-999)")
    LARGE = "large", _("Large (1,000-9,999)")
    GIANT = "giant", _("Very large (10,000+)")


class ChipCategory(models.Model):
    """The ten MIIT automotive-chip categories (loaded from data/chip_categories.csv)."""

    code = models.SlugField(primary_key=True, max_length=32)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    examples = models.CharField(_("examples"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("chip category")
        verbose_name_plural = _("chip categories")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick_language(self.name_zh, self.name_en)


class Organisation(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    credit_code = models.CharField(
        _("Unified Social Credit Code"),
        max_length=18,
        null=True,
        blank=True,
        unique=True,
        help_text=_("18 characters with its check character; Chinese organisations only."),
    )
    country = models.CharField(_("country"), max_length=2, default="CN", help_text=_("ISO 3166 code, e.g. CN, DE, US."))
    province = models.CharField(_("province"), max_length=64, blank=True, db_index=True)
    city = models.CharField(_("city"), max_length=64, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    in_park = models.BooleanField(_("in the park"), default=False, db_index=True)
    size_band = models.CharField(_("size"), max_length=8, choices=SizeBand.choices, blank=True)
    founded_year = models.PositiveSmallIntegerField(_("founded"), null=True, blank=True)
    website = models.URLField(_("website"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False, help_text=_("Generated, not real."))
    name_key = models.CharField(max_length=200, editable=False, db_index=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_key"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(condition=~models.Q(name_zh="", name_en=""), name="organisation_has_a_name"),
            models.UniqueConstraint(
                fields=["country", "name_key"],
                condition=models.Q(credit_code__isnull=True),
                name="organisation_unique_name_per_country_without_code",
            ),
        ]
        permissions = [("import_registry", "Can import and export the registry")]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_key = name_key(self.name_en or self.name_zh)
        self.search_text = search_key(self.name_zh, self.name_en, self.credit_code)
        if self.credit_code == "":
            self.credit_code = None
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("registry:organisation", args=[self.pk])

    @property
    def display_name(self) -> str:
        return pick_language(self.name_zh, self.name_en)

    @property
    def other_name(self) -> str:
        """The name in the other language, when it differs from display_name."""
        other = self.name_en if self.display_name == self.name_zh else self.name_zh
        return other if other != self.display_name else ""

    @property
    def is_domestic(self) -> bool:
        return self.country == "CN"


class OrganisationRole(models.Model):
    """One chain role of an organisation; an organisation may have several."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("chain role"), max_length=16, choices=ChainRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "role"], name="organisation_role_once")]
        indexes = [models.Index(fields=["role", "organisation"])]
        verbose_name = _("chain role")
        verbose_name_plural = _("chain roles")

    def __str__(self) -> str:
        return self.get_role_display()


class Person(models.Model):
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
    )
    title = models.CharField(_("position"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="person"
    )
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["name_en", "name_zh"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [models.CheckConstraint(condition=~models.Q(name_zh="", name_en=""), name="person_has_a_name")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return pick_language(self.name_zh, self.name_en)


class Lifecycle(models.TextChoices):
    DEVELOPMENT = "development", _("In development")
    SAMPLING = "sampling", _("Sampling")
    MASS_PRODUCTION = "mass_production", _("Mass production")
    NRND = "nrnd", _("Not recommended for new designs")
    EOL = "eol", _("End of life")


class Product(models.Model):
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("maker"), on_delete=models.CASCADE, related_name="products"
    )
    category = models.ForeignKey(
        ChipCategory, verbose_name=_("chip category"), on_delete=models.PROTECT, related_name="products"
    )
    part_number = models.CharField(_("part number"), max_length=64)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    process_node = models.CharField(_("process node"), max_length=32, blank=True, help_text=_("e.g. 28nm, 0.18um"))
    lifecycle = models.CharField(
        _("lifecycle"), max_length=16, choices=Lifecycle.choices, default=Lifecycle.MASS_PRODUCTION
    )
    is_demo = models.BooleanField(_("demo data"), default=False)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["part_number"]
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "part_number"], name="product_part_number_per_maker")
        ]
        indexes = [models.Index(fields=["category", "organisation"])]

    def __str__(self) -> str:
        return f"{self.part_number} {self.display_name}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_text = search_key(self.part_number, self.name_zh, self.name_en)
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return pick_language(self.name_zh, self.name_en)


class Standard(models.TextChoices):
    AEC_Q100 = "AEC-Q100", "AEC-Q100"
    AEC_Q101 = "AEC-Q101", "AEC-Q101"
    AEC_Q102 = "AEC-Q102", "AEC-Q102"
    AEC_Q103 = "AEC-Q103", "AEC-Q103"
    AEC_Q104 = "AEC-Q104", "AEC-Q104"
    AEC_Q200 = "AEC-Q200", "AEC-Q200"
    ISO_26262 = "ISO 26262", "ISO 26262"
    ISO_SAE_21434 = "ISO/SAE 21434", "ISO/SAE 21434"
    IATF_16949 = "IATF 16949", "IATF 16949"


# Which levels each standard takes ("" = none), and AEC-Q100 grades' ambient temperature ranges in °C.
STANDARD_LEVELS: dict[str, tuple[str, ...]] = {
    Standard.AEC_Q100: ("0", "1", "2", "3"),
    Standard.ISO_26262: ("QM", "A", "B", "C", "D"),
}
AEC_Q100_TEMPERATURE = {"0": (-40, 150), "1": (-40, 125), "2": (-40, 105), "3": (-40, 85)}
# Standards that qualify a plant or company rather than a product.
ORGANISATION_STANDARDS = {Standard.IATF_16949}


class Qualification(models.Model):
    """A certificate held by a product (AEC-Q, ISO 26262, ISO/SAE 21434) or a plant (IATF 16949)."""

    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="qualifications",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="qualifications",
    )
    standard = models.CharField(_("standard"), max_length=16, choices=Standard.choices)
    level = models.CharField(_("grade / level"), max_length=4, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=64)
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    certificate_pdf = models.FileField(_("certificate (PDF)"), upload_to="certificates/", blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["standard", "level"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(product__isnull=False, organisation__isnull=True)
                    | models.Q(product__isnull=True, organisation__isnull=False)
                ),
                name="qualification_holder_is_product_or_organisation",
            ),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(issued_on__isnull=True)
                | models.Q(expires_on__gte=models.F("issued_on")),
                name="qualification_expires_after_issue",
            ),
            models.UniqueConstraint(
                fields=["standard", "issuer", "certificate_number"], name="qualification_certificate_once"
            ),
        ]
        indexes = [models.Index(fields=["standard", "level"])]

    def __str__(self) -> str:
        return f"{self.standard} {self.level_label}".strip()

    @property
    def level_label(self) -> str:
        if not self.level:
            return ""
        if self.standard == Standard.AEC_Q100:
            return str(_("Grade %(grade)s") % {"grade": self.level})
        if self.standard == Standard.ISO_26262:
            return self.level if self.level == "QM" else f"ASIL {self.level}"
        return self.level

    @property
    def temperature_range(self) -> tuple[int, int] | None:
        if self.standard == Standard.AEC_Q100:
            return AEC_Q100_TEMPERATURE.get(self.level)
        return None

    def is_expired_on(self, day: datetime.date) -> bool:
        return self.expires_on is not None and self.expires_on < day

    @property
    def is_expired(self) -> bool:
        return self.is_expired_on(timezone.localdate())


class LinkStatus(models.TextChoices):
    EVALUATION = "evaluation", _("Evaluation")
    DESIGN_WIN = "design_win", _("Design win")
    MASS_PRODUCTION = "mass_production", _("Mass production")


class SupplyLink(models.Model):
    """Supplier S provides product P (or a category) to buyer B, with a share of B's volume in that category."""

    supplier = models.ForeignKey(
        Organisation, verbose_name=_("supplier"), on_delete=models.CASCADE, related_name="supplies"
    )
    buyer = models.ForeignKey(Organisation, verbose_name=_("buyer"), on_delete=models.CASCADE, related_name="purchases")
    category = models.ForeignKey(
        ChipCategory, verbose_name=_("chip category"), on_delete=models.PROTECT, related_name="supply_links"
    )
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supply_links",
    )
    status = models.CharField(_("status"), max_length=16, choices=LinkStatus.choices, default=LinkStatus.EVALUATION)
    share = models.DecimalField(_("share of buyer's volume (%)"), max_digits=5, decimal_places=2, null=True, blank=True)
    since = models.DateField(_("since"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        ordering = ["category", "supplier"]
        verbose_name = _("supply link")
        verbose_name_plural = _("supply links")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(share__isnull=True) | (models.Q(share__gte=0) & models.Q(share__lte=100)),
                name="supply_link_share_is_a_percentage",
            ),
            models.CheckConstraint(condition=~models.Q(supplier=models.F("buyer")), name="supply_link_not_to_self"),
            models.UniqueConstraint(
                fields=["supplier", "buyer", "category", "product"],
                name="supply_link_once_with_product",
                condition=models.Q(product__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["supplier", "buyer", "category"],
                name="supply_link_once_without_product",
                condition=models.Q(product__isnull=True),
            ),
        ]
        indexes = [models.Index(fields=["buyer", "category"]), models.Index(fields=["category", "supplier"])]

    def __str__(self) -> str:
        return f"{self.supplier} → {self.buyer} ({self.category_id})"


SHARE_LIMIT = Decimal("100")


class ImportBatch(models.Model):
    """An uploaded import file kept in the database, so a worker on another machine can read it and the
    audit entry of the import points at exactly what was imported."""

    class Kind(models.TextChoices):
        ORGANISATIONS = "organisations", _("Organisations")
        PRODUCTS = "products", _("Products")
        QUALIFICATIONS = "qualifications", _("Qualifications")
        SUPPLY_LINKS = "supply_links", _("Supply links")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    filename = models.CharField(_("file name"), max_length=255)
    data = models.BinaryField(_("file contents"))
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    dry_run = models.BooleanField(_("check only"), default=False)
    job = models.OneToOneField(
        "core.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_batch"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename}"


class Investment(models.Model):
    """An investor holds a stake in a company: a tie that counts as a conflict of interest for judges."""

    investor = models.ForeignKey(
        Organisation, verbose_name=_("investor"), on_delete=models.CASCADE, related_name="investments"
    )
    company = models.ForeignKey(
        Organisation, verbose_name=_("company"), on_delete=models.CASCADE, related_name="investors"
    )
    since = models.DateField(_("since"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo data"), default=False)

    class Meta:
        verbose_name = _("investment")
        verbose_name_plural = _("investments")
        constraints = [
            models.UniqueConstraint(fields=["investor", "company"], name="investment_once"),
            models.CheckConstraint(condition=~models.Q(investor=models.F("company")), name="investment_not_in_self"),
        ]

    def __str__(self) -> str:
        return f"{self.investor} → {self.company}"
