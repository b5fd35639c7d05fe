"""Pages of the annual report: the editions list, one edition (build progress, documents, publishing), and the
stored documents and data snapshot themselves."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chiptown.core.errors import ChipTownError
from chiptown.reports import selectors
from chiptown.reports.models import ReportDocument, ReportEdition
from chiptown.reports.services import report_publish, report_start

# The stored report is a standalone document with its own <style> block and inline SVG charts, and no scripts:
# it gets a policy of its own that allows exactly that.
DOCUMENT_POLICY = {
    "default-src": ["'none'"],
    "script-src": None,
    "style-src": ["'unsafe-inline'"],
    "img-src": ["data:"],
    "font-src": ["data:"],
    "object-src": None,
    "base-uri": ["'none'"],
    "form-action": ["'none'"],
    "frame-ancestors": ["'self'"],
}


def _may_manage(request: HttpRequest) -> bool:
    return bool(request.user.has_perm("reports.change_reportedition"))


def _edition_or_404(request: HttpRequest, year: int) -> ReportEdition:
    edition = selectors.report_edition_visible_to(year=year, user=request.user)
    if edition is None:
        raise Http404(_("There is no report for %(year)s.") % {"year": year})
    return edition


def _language_or_404(language: str) -> str:
    if language not in dict(settings.LANGUAGES):
        raise Http404(_("There is no such language."))
    return language


@require_GET
def edition_list(request: HttpRequest) -> HttpResponse:
    manage = _may_manage(request)
    return render(
        request,
        "reports/editions/list.html",
        {
            "editions": selectors.report_editions(include_drafts=manage),
            "may_manage": manage,
            "next_year": timezone.localdate().year,
        },
    )


@login_required
@require_POST
def edition_build(request: HttpRequest) -> HttpResponse:
    text = request.POST.get("year", "").strip()
    try:
        year = int(text)
    except ValueError:
        messages.error(request, _("“%(value)s” is not a year.") % {"value": text})
        return redirect("reports:editions")
    try:
        edition, _job = report_start(year=year, by=request.user)
    except ChipTownError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
        return redirect("reports:editions")
    messages.success(request, _("The %(year)s report is being built.") % {"year": year})
    return redirect(edition.get_absolute_url())


@require_GET
def edition_detail(request: HttpRequest, year: int) -> HttpResponse:
    edition = _edition_or_404(request, year)
    documents = selectors.report_documents(edition=edition)
    language_names = dict(settings.LANGUAGES)
    return render(
        request,
        "reports/editions/detail.html",
        {
            "edition": edition,
            "job": edition.job if _may_manage(request) else None,
            "poll_url": reverse("reports:edition_progress", args=[year]),
            "may_manage": _may_manage(request),
            "documents": [
                {
                    "language": d.language,
                    "language_name": language_names.get(d.language, d.language),
                    "kind": d.kind,
                    "size": d.size,
                }
                for d in documents
            ],
            "figures": (edition.figures or {}).get(translation.get_language() or "", None),
        },
    )


@require_GET
def edition_progress(request: HttpRequest, year: int) -> HttpResponse:
    """The build's progress box, polled by the edition page; when the build ends, the whole page reloads so it
    shows the documents (or the error)."""
    edition = _edition_or_404(request, year)
    if not _may_manage(request) or edition.job is None:
        raise Http404(_("There is no build to follow."))
    if edition.job.is_finished and request.headers.get("HX-Request"):
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return render(
        request,
        "core/job_progress.html",
        {"job": edition.job, "poll_url": reverse("reports:edition_progress", args=[year])},
    )


@login_required
@require_POST
def edition_publish(request: HttpRequest, year: int) -> HttpResponse:
    edition = _edition_or_404(request, year)
    try:
        report_publish(edition=edition, by=request.user)
    except ChipTownError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The %(year)s report is published and frozen.") % {"year": year})
    return redirect(edition.get_absolute_url())


def _document(request: HttpRequest, year: int, language: str, kind: str) -> ReportDocument:
    edition = _edition_or_404(request, year)
    document = selectors.report_document(edition=edition, language=_language_or_404(language), kind=kind)
    if document is None:
        raise Http404(_("This report has not been built yet."))
    return document


@require_GET
@csp_replace(DOCUMENT_POLICY)  # type: ignore[arg-type]  # django-csp types views as taking the request alone
def edition_html(request: HttpRequest, year: int, language: str) -> HttpResponse:
    document = _document(request, year, language, ReportDocument.Kind.HTML)
    return HttpResponse(bytes(document.content), content_type="text/html; charset=utf-8")


@require_GET
def edition_pdf(request: HttpRequest, year: int, language: str) -> HttpResponse:
    document = _document(request, year, language, ReportDocument.Kind.PDF)
    response = HttpResponse(bytes(document.content), content_type="application/pdf")
    disposition = "attachment" if request.GET.get("download") else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="chiptown-report-{year}-{language}.pdf"'
    return response


@require_GET
def edition_snapshot(request: HttpRequest, year: int) -> HttpResponse:
    """The data snapshot the figures were computed from, as stored (gzip JSON): anyone can recompute them."""
    edition = _edition_or_404(request, year)
    if not edition.snapshot:
        raise Http404(_("This report has not been built yet."))
    response = HttpResponse(bytes(edition.snapshot), content_type="application/gzip")
    response["Content-Disposition"] = f'attachment; filename="chiptown-report-{year}-snapshot.json.gz"'
    response["X-Snapshot-SHA256"] = edition.snapshot_sha256
    return response


urlpatterns: list[URLPattern] = [
    path("editions/", edition_list, name="editions"),
    path("editions/build/", edition_build, name="edition_build"),
    path("editions/<int:year>/", edition_detail, name="edition"),
    path("editions/<int:year>/progress/", edition_progress, name="edition_progress"),
    path("editions/<int:year>/publish/", edition_publish, name="edition_publish"),
    path("editions/<int:year>/report-<str:language>.html", edition_html, name="edition_html"),
    path("editions/<int:year>/report-<str:language>.pdf", edition_pdf, name="edition_pdf"),
    path("editions/<int:year>/snapshot.json.gz", edition_snapshot, name="edition_snapshot"),
]
