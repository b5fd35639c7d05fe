"""Competition endpoints under /api/v1/competition: published editions and their winners, and certificate
verification by code. All public reads; nothing here shows an edition before its results are published."""

import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from chiptown.competitions import selectors
from chiptown.competitions.models import Decision, Edition
from chiptown.core.errors import NotFound
from chiptown.registry.api import Pages

router = Router(tags=["competition"])


class EditionOut(Schema):
    year: int
    name_zh: str
    name_en: str
    display_name: str
    results_published_at: datetime.datetime | None


class ApplicantOut(Schema):
    name_zh: str
    name_en: str
    display_name: str


class WinnerOut(Schema):
    rank: int | None
    entry_id: int
    title: str
    applicants: list[ApplicantOut]


class CategoryResultsOut(Schema):
    kind: str
    name_zh: str
    name_en: str
    display_name: str
    winners: list[WinnerOut]


class EditionResultsOut(EditionOut):
    categories: list[CategoryResultsOut]


class WinnerRowOut(WinnerOut):
    category_kind: str
    category_name: str

    @staticmethod
    def resolve_entry_id(decision: Decision) -> int:
        return decision.entry_id

    @staticmethod
    def resolve_title(decision: Decision) -> str:
        return decision.entry.title

    @staticmethod
    def resolve_applicants(decision: Decision) -> list[selectors.Applicant]:
        return selectors.entry_applicants(decision.entry)

    @staticmethod
    def resolve_category_kind(decision: Decision) -> str:
        return decision.entry.category.kind

    @staticmethod
    def resolve_category_name(decision: Decision) -> str:
        return decision.entry.category.display_name


class AwardOut(Schema):
    kind: str
    name_zh: str
    name_en: str
    display_name: str


class CertificateOut(Schema):
    code: str
    valid: bool
    issued_at: datetime.datetime
    revoked_at: datetime.datetime | None
    award: AwardOut
    edition: EditionOut
    winner: list[ApplicantOut]
    rank: int | None


def _winner(winner: selectors.Winner) -> dict[str, Any]:
    return {
        "rank": winner.rank,
        "entry_id": winner.entry.pk,
        "title": winner.entry.title,
        "applicants": winner.applicants,
    }


def _published_or_404(year: int) -> Edition:
    edition = selectors.published_edition(year=year)
    if edition is None:
        raise NotFound(_("No published results for %(year)s.") % {"year": year})
    return edition


@router.get("/editions", response=list[EditionOut])
@paginate(Pages)
def edition_list(request: HttpRequest) -> QuerySet[Edition]:
    """Editions whose results are published, newest first."""
    return selectors.published_editions()


@router.get("/editions/{year}/results", response=EditionResultsOut)
def edition_results(request: HttpRequest, year: int) -> dict[str, Any]:
    """Every award of a published edition with its winners in rank order."""
    edition = _published_or_404(year)
    categories = [
        {
            "kind": section.category.kind,
            "name_zh": section.category.name_zh,
            "name_en": section.category.name_en,
            "display_name": section.category.display_name,
            "winners": [_winner(winner) for winner in section.winners],
        }
        for section in selectors.edition_results(edition=edition)
    ]
    return {**EditionOut.model_validate(edition).model_dump(), "categories": categories}


@router.get("/editions/{year}/winners", response=list[WinnerRowOut])
@paginate(Pages)
def winner_list(request: HttpRequest, year: int) -> QuerySet[Decision]:
    """The winners of a published edition, one row each, by award and rank."""
    return selectors.edition_winners(edition=_published_or_404(year))


@router.get("/certificates/{code}", response=CertificateOut)
def certificate_verify(request: HttpRequest, code: str) -> dict[str, Any]:
    """Is a certificate genuine and still valid? The code is the one printed on it (and in its QR code)."""
    certificate = selectors.certificate_by_code(code=code)
    if certificate is None:
        raise NotFound(_("No such certificate."))
    entry = certificate.entry
    decision = getattr(entry, "decision", None)
    return {
        "code": certificate.code,
        "valid": certificate.revoked_at is None,
        "issued_at": certificate.issued_at,
        "revoked_at": certificate.revoked_at,
        "award": entry.category,
        "edition": entry.category.edition,
        "winner": selectors.entry_applicants(entry),
        "rank": decision.rank if decision is not None and decision.is_winner else None,
    }
