"""Judges' pages: the entries assigned to a judge with their progress, and the review page of one entry (a score
and a comment per criterion, an overall comment; save a draft, submit to lock it).

Blind by construction: these pages read only the judge's own review (selectors.judge_page, judge_assignment),
never another judge's scores or any average, before or after submitting. An entry the judge is not assigned to
is a 404; a conflicted entry or a judgeship that ended is a 403, and nothing about the entry is shown.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chiptown.competitions import selectors
from chiptown.competitions.models import Assignment, Review, ReviewStatus
from chiptown.competitions.services import reviews as services
from chiptown.core.errors import ChipTownError, Conflict, NotFound
from chiptown.registry.models import pick_language


@login_required
@require_GET
def judge_home(request: HttpRequest) -> HttpResponse:
    """Every entry assigned to the signed-in judge, in all their active judgeships."""
    page = selectors.judge_page(user=request.user)
    return render(request, "competitions/judge_home.html", {"page": page})


@login_required
@require_GET
def judge_edition(request: HttpRequest, year: int) -> HttpResponse:
    """The judge's entries in one edition; a 404 for an edition they do not (or no longer) judge."""
    page = selectors.judge_page(user=request.user, year=year)
    if page.edition is None:
        raise NotFound(_("You are not a judge in this edition."))
    return render(request, "competitions/judge_home.html", {"page": page})


@dataclass(frozen=True)
class CriterionField:
    """One criterion on the review form, with what the judge entered (or saved) and its problem if any."""

    criterion: services.Criterion
    value: str
    comment: str
    error: str = ""
    comment_error: str = ""

    @property
    def name(self) -> str:
        return f"score_{self.criterion.code}"

    @property
    def comment_name(self) -> str:
        return f"comment_{self.criterion.code}"


def _posted(request: HttpRequest, criteria: list[services.Criterion]) -> tuple[dict[str, str], dict[str, str], str]:
    scores = {c.code: request.POST.get(f"score_{c.code}", "") for c in criteria}
    comments = {c.code: request.POST.get(f"comment_{c.code}", "") for c in criteria}
    return scores, comments, request.POST.get("overall_comment", "")


def _answers(assignment: Assignment) -> list[dict[str, Any]]:
    """The application form's questions in order with the entry's answers, labelled in the reader's language."""
    entry = assignment.entry
    shown = []
    for question in entry.category.form_fields or []:
        name = str(question.get("name", ""))
        label = pick_language(str(question.get("label_zh", "")), str(question.get("label_en", ""))) or name
        shown.append({"label": label, "type": question.get("type"), "value": (entry.answers or {}).get(name, "")})
    return shown


def _review_page(
    request: HttpRequest,
    assignment: Assignment,
    *,
    posted: tuple[dict[str, str], dict[str, str], str] | None = None,
    error: ChipTownError | None = None,
    status: int = 200,
) -> HttpResponse:
    entry = assignment.entry
    review: Review | None = selectors._review_of(assignment)
    criteria = services.rubric_criteria(entry.category)
    problems = {p.column: p.reason for p in (error.problems if error else [])}
    if posted is not None:
        scores, comments, overall = posted
    else:
        saved_scores = review.scores if review is not None else {}
        saved_comments = review.comments if review is not None else {}
        scores = {c.code: services.score_text(saved_scores.get(c.code)) for c in criteria}
        comments = {c.code: str(saved_comments.get(c.code, "")) for c in criteria}
        overall = review.overall_comment if review is not None else ""
    fields = [
        CriterionField(
            criterion=c,
            value=scores.get(c.code, ""),
            comment=comments.get(c.code, ""),
            error=problems.get(c.code, ""),
            comment_error=problems.get(f"comment_{c.code}", ""),
        )
        for c in criteria
    ]
    closed_reason = services.closed_reason(assignment)
    submitted = review is not None and review.status == ReviewStatus.SUBMITTED
    context = {
        "assignment": assignment,
        "entry": entry,
        "category": entry.category,
        "edition": entry.category.edition,
        "applicants": selectors.entry_applicants(entry),
        "answers": _answers(assignment),
        "documents": list(entry.documents.all()),
        "review": review,
        "fields": fields,
        "overall_comment": overall,
        "overall_error": problems.get("overall_comment", ""),
        "version": review.version if review is not None else 0,
        "weighted": services.weighted_score(criteria, review.scores) if review is not None else None,
        "submitted": submitted,
        "editable": not submitted and not closed_reason,
        "closed_reason": closed_reason,
        "error": error,
    }
    return render(request, "competitions/review_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def judge_review(request: HttpRequest, entry_pk: int) -> HttpResponse:
    """The review page of one assigned entry. POST with action=save keeps a draft, action=submit locks it."""
    assignment = selectors.judge_assignment(user=request.user, entry_pk=entry_pk)
    if assignment is None:
        raise NotFound(_("No such assignment."))
    # The judge, still active, without a conflict: otherwise a refusal (403) and nothing of the entry is shown.
    services.check_may_view(assignment=assignment, by=request.user)
    if request.method != "POST":
        return _review_page(request, assignment)

    criteria = services.rubric_criteria(assignment.entry.category)
    posted = _posted(request, criteria)
    scores, comments, overall = posted
    submit = request.POST.get("action") == "submit"
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    write = services.review_submit if submit else services.review_save
    try:
        write(
            assignment=assignment,
            by=request.user,
            scores=scores,
            comments=comments,
            overall_comment=overall,
            version=version,
        )
    except Conflict as exc:
        # Already submitted, changed in another tab, results out: show the review as it stands now.
        fresh = selectors.judge_assignment(user=request.user, entry_pk=entry_pk) or assignment
        return _review_page(request, fresh, error=exc, status=exc.status)
    except ChipTownError as exc:
        if not exc.problems:
            raise
        return _review_page(request, assignment, posted=posted, error=exc, status=exc.status)
    if submit:
        messages.success(request, _("Review submitted. Thank you: it is now locked."))
        return redirect(reverse("competitions:judge_edition", args=[assignment.entry.category.edition.year]))
    messages.success(request, _("Draft saved."))
    return redirect(reverse("competitions:judge_review", args=[entry_pk]))
