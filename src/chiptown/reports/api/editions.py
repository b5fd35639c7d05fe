"""/api/v1/reports endpoints: report editions (list, one, build, publish). Documents are fetched from the
addresses each edition lists."""

import datetime
import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext
from ninja import Router, Schema, Status

from chiptown.core.addresses import absolute_url
from chiptown.core.api import write_auth
from chiptown.core.errors import NotFound
from chiptown.reports import selectors
from chiptown.reports.models import ReportEdition
from chiptown.reports.services import report_publish, report_start

router = Router(tags=["reports"])


class DocumentOut(Schema):
    language: str
    kind: str
    size: int
    url: str


class EditionOut(Schema):
    year: int
    status: str
    is_demo: bool
    built_at: datetime.datetime | None
    published_at: datetime.datetime | None
    snapshot_sha256: str
    snapshot_url: str | None
    job: uuid.UUID | None
    documents: list[DocumentOut]


class EditionDetailOut(EditionOut):
    headline: dict[str, Any] | None


class BuildIn(Schema):
    year: int


def _may_manage(request: HttpRequest) -> bool:
    return bool(request.user.has_perm("reports.change_reportedition"))


def _edition_out(edition: ReportEdition, *, detail: bool = False) -> dict[str, Any]:
    documents = selectors.report_documents(edition=edition) if edition.is_built else []
    name = "reports:edition_html"
    out: dict[str, Any] = {
        "year": edition.year,
        "status": edition.status,
        "is_demo": edition.is_demo,
        "built_at": edition.built_at,
        "published_at": edition.published_at,
        "snapshot_sha256": edition.snapshot_sha256,
        "snapshot_url": absolute_url(reverse("reports:edition_snapshot", args=[edition.year]))
        if edition.is_built
        else None,
        "job": edition.job_id,
        "documents": [
            {
                "language": d.language,
                "kind": d.kind,
                "size": d.size,
                "url": absolute_url(
                    reverse(name if d.kind == "html" else "reports:edition_pdf", args=[edition.year, d.language])
                ),
            }
            for d in documents
        ],
    }
    if detail:
        figures = edition.figures or {}
        language = settings.LANGUAGE_CODE if settings.LANGUAGE_CODE in figures else next(iter(figures), None)
        out["headline"] = figures[language]["headline"] if language else None
    return out


def _edition_or_404(request: HttpRequest, year: int) -> ReportEdition:
    edition = selectors.report_edition_visible_to(year=year, user=request.user)
    if edition is None:
        raise NotFound(gettext("There is no report for %(year)s.") % {"year": year})
    return edition


@router.get("/editions", response=list[EditionOut], summary="Report editions (drafts for operators only)")
def edition_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_edition_out(e) for e in selectors.report_editions(include_drafts=_may_manage(request))]


@router.get("/editions/{year}", response=EditionDetailOut, summary="One report edition with its headline figures")
def edition_detail(request: HttpRequest, year: int) -> dict[str, Any]:
    return _edition_out(_edition_or_404(request, year), detail=True)


@router.post(
    "/editions", response={202: EditionOut}, auth=write_auth, summary="Build (or rebuild) a year's draft report"
)
def edition_build(request: HttpRequest, payload: BuildIn) -> Status:
    edition, _job = report_start(year=payload.year, by=request.user)
    return Status(202, _edition_out(edition))


@router.post("/editions/{year}/publish", response=EditionOut, auth=write_auth, summary="Publish and freeze")
def edition_publish(request: HttpRequest, year: int) -> dict[str, Any]:
    edition = report_publish(edition=_edition_or_404(request, year), by=request.user)
    return _edition_out(edition)
