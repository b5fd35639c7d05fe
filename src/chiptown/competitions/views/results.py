"""Results pages: the operators' decisions per category and the publication of an edition, the public results
page, certificates (PDF) and their public verification page, and the operators' exports.

Reads go through selectors, writes through services.results (which check permissions again and audit).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chiptown.competitions import certificates, exports, selectors
from chiptown.competitions.models import Category, Certificate
from chiptown.competitions.services import results as services
from chiptown.competitions.views.lookups import category_or_404, edition_or_404
from chiptown.core.errors import ChipTownError, NotFound, Problem
from chiptown.core.rules import require


def ranking_for(category: Category) -> list[Any]:
    """The calibrated ranking of a category (selectors.category_ranking), in rank order."""
    return list(selectors.category_ranking(category=category))


def _require(request: HttpRequest, perm: str) -> None:
    require(request.user, perm, None, _("Only operators may see this."))


# --- Public ------------------------------------------------------------------------------------------------------


@require_GET
def results_page(request: HttpRequest, year: int) -> HttpResponse:
    """An edition's winners per category; a 404 until the results are published."""
    edition = selectors.published_edition(year=year)
    if edition is None:
        raise NotFound(_("The results of this edition are not published."))
    return render(
        request,
        "competitions/results.html",
        {"edition": edition, "results": selectors.edition_results(edition=edition)},
    )


def _certificate_or_404(request: HttpRequest, code: str) -> Certificate | HttpResponse:
    certificate = selectors.certificate_by_code(code=code)
    if certificate is None:
        return render(request, "competitions/verify.html", {"certificate": None, "code": code}, status=404)
    return certificate


@require_GET
def verify(request: HttpRequest, code: str) -> HttpResponse:
    """The public verification page a certificate's QR code opens: award, winner, edition, valid or revoked."""
    found = _certificate_or_404(request, code)
    if isinstance(found, HttpResponse):
        return found
    entry = found.entry
    return render(
        request,
        "competitions/verify.html",
        {
            "certificate": found,
            "code": code,
            "entry": entry,
            "category": entry.category,
            "edition": entry.category.edition,
            "applicants": selectors.entry_applicants(entry),
            "decision": getattr(entry, "decision", None),
        },
    )


@require_GET
def certificate_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """A winner's certificate as PDF (public: the code is unguessable and the award is public once published)."""
    found = _certificate_or_404(request, code)
    if isinstance(found, HttpResponse):
        return found
    response = HttpResponse(certificates.certificate_pdf(found), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{certificates.certificate_filename(found)}"'
    return response


# --- Operators: decisions and publication -------------------------------------------------------------------------


@login_required
@require_GET
def results_manage(request: HttpRequest, year: int) -> HttpResponse:
    """Per category: decided or not, the winners; what stands before publication; the exports."""
    _require(request, "competitions.decide_results")
    edition = edition_or_404(year)
    check = services.publication_check(edition=edition)
    decided = selectors.edition_decision_counts(edition=edition)
    return render(
        request,
        "competitions/results_manage.html",
        {
            "edition": edition,
            "check": check,
            "categories": [
                (category, decided.get(category.pk)) for category in selectors.in_award_order(edition.categories.all())
            ],
            "results": selectors.edition_results(edition=edition) if edition.is_published else [],
            "emails_job": services.result_emails_job(edition=edition) if edition.is_published else None,
        },
    )


@login_required
@require_POST
def results_publish(request: HttpRequest, year: int) -> HttpResponse:
    edition = edition_or_404(year)
    try:
        certificates_issued = services.results_publish(edition=edition, by=request.user)
    except ChipTownError as error:
        if error.status == 403:
            raise
        messages.error(request, " ".join([error.message, *(p.reason for p in error.problems)]))
    else:
        messages.success(
            request,
            _("Results published: %(count)d certificates issued; the emails to the applicants are being sent.")
            % {"count": len(certificates_issued)},
        )
    return redirect("competitions:results_manage", year=edition.year)


def _posted_winner_ranks(request: HttpRequest, ranking: list[Any]) -> tuple[dict[int, int], list[Problem]]:
    winner_ranks: dict[int, int] = {}
    problems: list[Problem] = []
    for ranked in ranking:
        pk = ranked.entry.pk
        if request.POST.get(f"winner_{pk}") != "on":
            continue
        text = request.POST.get(f"rank_{pk}", "").strip()
        try:
            winner_ranks[pk] = int(text)
        except ValueError:
            problems.append(Problem(reason=_("Give a rank for each winner."), column=f"rank_{pk}"))
    return winner_ranks, problems


@login_required
@require_http_methods(["GET", "POST"])
def decisions(request: HttpRequest, pk: int) -> HttpResponse:
    """The calibrated ranking of a category with its proposal; the operator ticks the winners and their ranks."""
    _require(request, "competitions.decide_results")
    category = category_or_404(pk)
    ranking = ranking_for(category)
    proposals = services.decisions_propose(category=category, ranking=ranking)
    recorded = selectors.category_decisions(category=category)
    error: ChipTownError | None = None
    posted: dict[int, int] | None = None
    reason = ""
    if request.method == "POST":
        posted, problems = _posted_winner_ranks(request, ranking)
        reason = request.POST.get("reason", "")
        try:
            if problems:
                raise ChipTownError(_("The decision is not valid."), problems=problems)
            services.decisions_save(
                category=category, ranking=ranking, winner_ranks=posted, by=request.user, reason=reason
            )
        except ChipTownError as exc:
            if exc.status == 403:
                raise
            error = exc
        else:
            messages.success(request, _("Decision saved for %(category)s.") % {"category": category.display_name})
            return redirect("competitions:decisions", pk=category.pk)
    rows = []
    by_entry = {p.entry.pk: p for p in proposals}
    for ranked in sorted(ranking, key=lambda r: by_entry[r.entry.pk].proposed_rank):
        proposal = by_entry[ranked.entry.pk]
        decision = recorded.get(ranked.entry.pk)
        if posted is not None:
            winner, rank = ranked.entry.pk in posted, posted.get(ranked.entry.pk)
        elif decision is not None:
            winner, rank = decision.is_winner, decision.rank
        else:
            winner, rank = proposal.proposed_winner, proposal.proposed_rank if proposal.proposed_winner else None
        rows.append(
            {
                "ranked": ranked,
                "proposal": proposal,
                "decision": decision,
                "winner": winner,
                "rank": rank,
                "applicants": selectors.entry_applicants(ranked.entry),
                "flags": exports.flag_labels(ranked.flags),
            }
        )
    return render(
        request,
        "competitions/decisions.html",
        {
            "category": category,
            "edition": category.edition,
            "rows": rows,
            "error": error,
            "reason": reason,
            "decided": bool(recorded),
            "frozen": category.edition.is_published,
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def certificate_revoke(request: HttpRequest, code: str) -> HttpResponse:
    certificate = selectors.certificate_by_code(code=code)
    if certificate is None:
        raise Http404(_("No such certificate."))
    try:
        services.certificate_revoke(certificate=certificate, by=request.user, reason=request.POST.get("reason", ""))
    except ChipTownError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(request, _("Certificate %(code)s revoked.") % {"code": certificate.code})
    return redirect("competitions:results_manage", year=certificate.entry.category.edition.year)


# --- Operators: exports ----------------------------------------------------------------------------------------


@login_required
@require_GET
def export_scores(request: HttpRequest, year: int) -> HttpResponse:
    """Every review of the edition (one row each) and the rankings, as XLSX, labels in the viewer's language."""
    _require(request, "competitions.export_results")
    edition = edition_or_404(year)
    rankings = {category.pk: ranking_for(category) for category in edition.categories.all()}
    content = exports.scores_xlsx(edition=edition, rankings=rankings)
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="competition-{edition.year}-scores.xlsx"'
    return response


@login_required
@require_GET
def export_summary(request: HttpRequest, year: int) -> HttpResponse:
    """A PDF summary of the edition's results (winners, figures, the ranking's top), in the viewer's language."""
    _require(request, "competitions.export_results")
    edition = edition_or_404(year)
    rankings = {category.pk: ranking_for(category) for category in edition.categories.all()}
    content = exports.summary_pdf(edition=edition, rankings=rankings)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="competition-{edition.year}-summary.pdf"'
    return response
