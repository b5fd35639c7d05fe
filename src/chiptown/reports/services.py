"""Every write of the reports app: bills of materials, and report editions (start, build, publish)."""

from __future__ import annotations

import datetime
import hashlib
import math
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from chiptown.core import rules
from chiptown.core.errors import ChipTownError, Problem
from chiptown.core.models import Job
from chiptown.core.services import Progress, audit_record, job_create, no_progress, snapshot
from chiptown.registry.models import ChipCategory
from chiptown.reports.models import BillOfMaterials, ReportDocument, ReportEdition

# --- Bills of materials -------------------------------------------------------------------------------------------

# The default bills of materials: chips per vehicle (the midpoint of the published range in chips_per_vehicle.csv)
# split over the categories by the category mix (category_mix.csv, an assumption). Electric is the report's default.
DEFAULT_BOMS: tuple[tuple[str, str, str], ...] = (
    ("electric", "Electric car", "纯电动汽车"),
    ("combustion", "Combustion car", "燃油汽车"),
    ("highly_automated", "Highly automated car", "高阶智能驾驶汽车"),
)


def default_bom_counts(vehicle_type: str) -> tuple[dict[str, float], str]:
    """Chips per category for a vehicle type from the data files, and the sources they rest on."""
    from chiptown.reports.outlook import _category_mix_file, _chips_per_vehicle_file

    chips = _chips_per_vehicle_file()[vehicle_type]
    mix, mix_source = _category_mix_file()
    total = (chips.low + chips.high) / 2
    counts = {code: round(total * share, 1) for code, share in mix.items()}
    source = _(
        "%(total)s chips per vehicle, the midpoint of %(low)s-%(high)s (%(chips_source)s), split over the "
        "categories by %(mix_source)s."
    ) % {
        "total": f"{total:,.0f}",
        "low": f"{chips.low:,.0f}",
        "high": f"{chips.high:,.0f}",
        "chips_source": chips.source,
        "mix_source": mix_source,
    }
    return counts, source


def bills_of_materials_ensure() -> list[BillOfMaterials]:
    """Create the default bills of materials that do not exist yet (by vehicle type); the electric one is the
    report's default when no other is."""
    existing = set(BillOfMaterials.objects.values_list("vehicle_type", flat=True))
    known = set(ChipCategory.objects.values_list("code", flat=True))
    has_default = BillOfMaterials.objects.filter(is_default=True).exists()
    created = []
    for vehicle_type, name_en, name_zh in DEFAULT_BOMS:
        if vehicle_type in existing:
            continue
        counts, source = default_bom_counts(vehicle_type)
        created.append(
            BillOfMaterials.objects.create(
                vehicle_type=vehicle_type,
                name_en=name_en,
                name_zh=name_zh,
                counts={code: n for code, n in counts.items() if code in known},
                source=source,
                is_default=not has_default and vehicle_type == "electric",
            )
        )
    return created


def bom_counts_clean(counts: Any) -> dict[str, float]:
    """Chip counts per category code checked: known categories, numbers of zero or more, at least one above zero.
    Every problem is named by its category."""
    if not isinstance(counts, dict):
        raise ChipTownError(_("The bill of materials must map chip categories to numbers."), code="bad_bom")
    known = set(ChipCategory.objects.values_list("code", flat=True))
    problems: list[Problem] = []
    clean: dict[str, float] = {}
    for code, value in counts.items():
        if code not in known:
            problems.append(
                Problem(reason=_("“%(category)s” is not a chip category.") % {"category": code}, column=code)
            )
            continue
        try:
            number = float(value) if not isinstance(value, bool) else math.nan
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):
            problems.append(Problem(reason=_("Not a number."), column=code))
        elif number < 0:
            problems.append(Problem(reason=_("A chip count cannot be negative."), column=code))
        else:
            clean[code] = number
    if not problems and sum(clean.values()) <= 0:
        problems.append(Problem(reason=_("Give at least one category a count above zero."), column="counts"))
    if problems:
        raise ChipTownError(_("The bill of materials has problems."), code="bad_bom", problems=problems)
    return clean


def bom_save(
    *,
    by: Any,
    counts: Any,
    name_en: str,
    name_zh: str,
    vehicle_type: str = "",
    source: str = "",
    is_default: bool = False,
    bom: BillOfMaterials | None = None,
) -> BillOfMaterials:
    """Create or change a bill of materials (operators only), audited; making it the default unsets the old one."""
    rules.require(by, "reports.change_billofmaterials", None, _("Only operators can change bills of materials."))
    clean = bom_counts_clean(counts)
    if not (name_en or name_zh).strip():
        raise ChipTownError(
            _("Give the bill of materials a name."),
            code="bad_bom",
            problems=[Problem(reason=_("This field is required."), column="name_en")],
        )
    with transaction.atomic():
        before = snapshot(bom) if bom is not None else None
        if is_default:
            others = BillOfMaterials.objects.filter(is_default=True)
            if bom is not None:
                others = others.exclude(pk=bom.pk)
            others.update(is_default=False)
        bom = bom or BillOfMaterials()
        bom.counts, bom.name_en, bom.name_zh = clean, name_en.strip(), name_zh.strip()
        bom.vehicle_type, bom.source, bom.is_default = vehicle_type.strip(), source.strip(), is_default
        bom.save()
        audit_record(actor=by, action="reports.bom_save", target=bom, before=before, after=snapshot(bom))
    return bom


# --- Report editions ----------------------------------------------------------------------------------------------

LANGUAGES: tuple[str, ...] = tuple(code for code, _name in settings.LANGUAGES)


def _require_operator(by: Any) -> None:
    rules.require(by, "reports.change_reportedition", None, _("Only operators can build and publish reports."))


def report_start(*, year: int, by: Any) -> tuple[ReportEdition, Job]:
    """Queue a build of the `year` report (a new draft, or the existing draft rebuilt). A published edition is
    frozen and refused; so is a second build while one is queued or running."""
    _require_operator(by)
    if not isinstance(year, int) or isinstance(year, bool) or not 2000 <= year <= 2100:
        raise ChipTownError(
            _("Give a year between 2000 and 2100."),
            code="bad_year",
            problems=[Problem(reason=_("Give a year between 2000 and 2100."), column="year")],
        )
    from chiptown.reports.tasks import build_report

    with transaction.atomic():
        edition, _created = ReportEdition.objects.select_for_update().get_or_create(year=year)
        if edition.is_published:
            raise ChipTownError(
                _("The %(year)s report is published and frozen: it cannot be rebuilt.") % {"year": year},
                code="report_published",
                status=409,
            )
        if edition.job_id and edition.job and not edition.job.is_finished:
            raise ChipTownError(
                _("The %(year)s report is already being built.") % {"year": year}, code="report_building", status=409
            )
        job = job_create(kind="reports.build", title=_("Industry report %(year)s") % {"year": year}, by=by)
        edition.job = job
        edition.save(update_fields=["job"])
        audit_record(actor=by, action="reports.report_start", target=edition, after={"job": str(job.pk)})
        user_id, language = getattr(by, "pk", None), translation.get_language() or ""
        transaction.on_commit(lambda: build_report.enqueue(str(job.pk), edition.pk, user_id, language))
    return edition, job


def report_build(
    *,
    edition: ReportEdition,
    by: Any = None,
    progress: Progress = no_progress,
    as_of: datetime.date | None = None,
) -> dict[str, Any]:
    """Take the snapshot (of the registry today, or of the links started by `as_of`), compute the figures and
    render every document, then write them all in one transaction: a failure anywhere leaves the edition exactly
    as it was (no half-written report)."""
    from chiptown.reports.documents import report_html, report_pdf
    from chiptown.reports.figures import figures_build_all
    from chiptown.reports.snapshots import snapshot_encode, snapshot_is_demo, snapshot_take

    started = time.perf_counter()
    if edition.is_published:
        raise ChipTownError(_("A published report cannot be rebuilt."), code="report_published", status=409)
    progress(2, _("Reading the registry"))
    data = snapshot_take(year=edition.year, as_of=as_of)
    encoded, sha256 = snapshot_encode(data)
    progress(15, _("Computing the figures"))
    previous = ReportEdition.objects.filter(year__lt=edition.year, built_at__isnull=False).order_by("-year").first()
    figures = figures_build_all(data, sha256=sha256, previous=previous.figures if previous else None)
    documents: list[tuple[str, str, bytes]] = []
    steps = len(LANGUAGES) * 2
    for n, language in enumerate(LANGUAGES):
        progress(30 + 65 * (2 * n) // steps, _("Writing the report (%(language)s)") % {"language": language})
        html = report_html(figures=figures[language], language=language, edition=edition)
        documents.append((language, ReportDocument.Kind.HTML, html.encode()))
        progress(30 + 65 * (2 * n + 1) // steps, _("Laying out the PDF (%(language)s)") % {"language": language})
        documents.append((language, ReportDocument.Kind.PDF, report_pdf(html=html)))
    progress(97, _("Saving"))
    with transaction.atomic():
        locked = ReportEdition.objects.select_for_update().get(pk=edition.pk)
        if locked.is_published:
            raise ChipTownError(_("A published report cannot be rebuilt."), code="report_published", status=409)
        locked.documents.all().delete()
        ReportDocument.objects.bulk_create(
            ReportDocument(
                edition=locked,
                language=language,
                kind=kind,
                content=content,
                sha256=hashlib.sha256(content).hexdigest(),
                size=len(content),
            )
            for language, kind, content in documents
        )
        locked.snapshot, locked.snapshot_sha256, locked.figures = encoded, sha256, figures
        locked.is_demo = snapshot_is_demo(data)
        locked.built_at, locked.built_by = timezone.now(), by if getattr(by, "is_authenticated", False) else None
        locked.build_seconds = round(time.perf_counter() - started, 2)
        locked.save()
        audit_record(actor=by, action="reports.report_build", target=locked, after={"snapshot_sha256": sha256})
    edition.refresh_from_db()
    return {"year": edition.year, "snapshot_sha256": sha256, "documents": len(documents)}


def report_publish(*, edition: ReportEdition, by: Any) -> ReportEdition:
    """Freeze a built draft: from now on it keeps its snapshot, figures and documents for good."""
    _require_operator(by)
    with transaction.atomic():
        locked = ReportEdition.objects.select_for_update().get(pk=edition.pk)
        if locked.is_published:
            raise ChipTownError(_("This report is already published."), code="report_published", status=409)
        if not locked.is_built:
            raise ChipTownError(_("Build the report before publishing it."), code="report_not_built", status=409)
        if locked.job_id and locked.job and not locked.job.is_finished:
            raise ChipTownError(
                _("Wait for the running build to finish before publishing."), code="report_building", status=409
            )
        locked.status, locked.published_at, locked.published_by = (
            ReportEdition.Status.PUBLISHED,
            timezone.now(),
            by,
        )
        locked.save(update_fields=["status", "published_at", "published_by"])
        audit_record(
            actor=by, action="reports.report_publish", target=locked, after={"snapshot_sha256": locked.snapshot_sha256}
        )
    return locked
