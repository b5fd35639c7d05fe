"""Operators' judging pages: completion per judge and per entry with reminders, every review of an entry (scores
are not blind here) with reopening, and the calibrated ranking of a category with its intervals, flags and a chart
around the cut-off."""

import math
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chiptown.competitions import selectors
from chiptown.competitions.models import Entry, Review
from chiptown.competitions.services import ranking as ranking_services
from chiptown.competitions.services import reviews as services
from chiptown.competitions.views.lookups import category_or_404
from chiptown.core.errors import ChipTownError, NotFound
from chiptown.core.rules import require

RANKING_PAGE_SIZE = 100
CHART_WINDOW = 12  # entries shown on each side of the cut-off
# A category with more submitted reviews than this has its ranking computed by a background job on a cache miss
# (a cold ranking of 5,000 entries takes seconds); smaller ones are computed in the request.
RANKING_INLINE_MAX_REVIEWS = 500


def _require(request: HttpRequest, perm: str, target: Any = None) -> None:
    require(request.user, perm, target, _("Only operators may see this."))


# --- Progress and reminders ---------------------------------------------------------------------------------------


@login_required
@require_GET
def category_progress(request: HttpRequest, pk: int) -> HttpResponse:
    category = category_or_404(pk)
    _require(request, "competitions.view_progress", category)
    only_unfinished = request.GET.get("unfinished") == "1"
    progress = selectors.category_progress(
        category=category, page_number=request.GET.get("page"), only_unfinished=only_unfinished
    )
    return render(
        request,
        "competitions/progress.html",
        {
            "category": category,
            "edition": category.edition,
            "progress": progress,
            "can_remind": request.user.has_perm("competitions.send_reminders", category)
            and not category.edition.is_published,
        },
    )


@login_required
@require_POST
def category_reminders(request: HttpRequest, pk: int) -> HttpResponse:
    category = category_or_404(pk)
    _require(request, "competitions.send_reminders", category)
    try:
        sent = services.reminders_send(category=category, by=request.user)
    except ChipTownError as exc:
        if exc.status == 403:
            raise
        messages.error(request, exc.message)
    else:
        if sent.judges:
            judges = ngettext(
                "Reminder sent to %(judges)d judge.", "Reminders sent to %(judges)d judges.", sent.judges
            ) % {"judges": sent.judges}
            reviews = ngettext(
                "%(reviews)d review is still unfinished.",
                "%(reviews)d reviews are still unfinished.",
                sent.assignments,
            ) % {"reviews": sent.assignments}
            messages.success(request, f"{judges} {reviews}")
        else:
            messages.info(request, _("Every assigned review is submitted: nobody to remind."))
    return redirect(reverse("competitions:progress", args=[category.pk]))


# --- Every review of an entry, reopening ----------------------------------------------------------------------------


def _entry_or_404(pk: int) -> Entry:
    entry = (
        Entry.objects.select_related("category__edition", "organisation", "person__organisation").filter(pk=pk).first()
    )
    if entry is None:
        raise NotFound(_("No such entry."))
    return entry


def _entry_reviews_page(
    request: HttpRequest, entry: Entry, *, error: ChipTownError | None = None, failed_review: int | None = None
) -> HttpResponse:
    criteria = services.rubric_criteria(entry.category)
    rows = selectors.entry_reviews(entry=entry)
    # Per row, each criterion's score and comment in rubric order (templates cannot look up a dict by a variable).
    cells = [
        [
            (
                c,
                services.score_text(row.review.scores.get(c.code)) if row.review else "",
                row.review.comments.get(c.code, "") if row.review else "",
            )
            for c in criteria
        ]
        for row in rows
    ]
    return render(
        request,
        "competitions/review_list.html",
        {
            "entry": entry,
            "category": entry.category,
            "edition": entry.category.edition,
            "applicants": selectors.entry_applicants(entry),
            "criteria": criteria,
            "rows": list(zip(rows, cells, strict=True)),
            "error": error,
            "failed_review": failed_review,
            "can_reopen": request.user.has_perm("competitions.reopen_review")
            and not entry.category.edition.is_published,
        },
        status=error.status if error else 200,
    )


@login_required
@require_GET
def entry_reviews(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry_or_404(pk)
    _require(request, "competitions.view_progress", entry.category)
    return _entry_reviews_page(request, entry)


@login_required
@require_http_methods(["POST"])
def review_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    review = Review.objects.select_related("assignment").filter(pk=pk).first()
    if review is None:
        raise NotFound(_("No such review."))
    _require(request, "competitions.reopen_review", review)
    entry = _entry_or_404(review.assignment.entry_id)
    try:
        services.review_reopen(review=review, by=request.user, reason=request.POST.get("reason", ""))
    except ChipTownError as exc:
        if exc.status == 403:
            raise
        return _entry_reviews_page(request, entry, error=exc, failed_review=review.pk)
    messages.success(request, _("Review reopened; the judge was told why by email."))
    return redirect(reverse("competitions:entry_reviews", args=[entry.pk]))


# --- The calibrated ranking ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartRow:
    y: float
    x: float
    x_low: float
    x_high: float
    rank: int
    label: str
    css: str


@dataclass(frozen=True)
class ChartTick:
    x: float
    label: str


@dataclass(frozen=True)
class RankingChart:
    """A server-side SVG: calibrated scores with their 95% intervals for the entries around the cut-off."""

    width: int
    height: int
    plot_left: int
    plot_right: int
    top: int
    bottom: int
    rows: list[ChartRow]
    ticks: list[ChartTick]
    cutoff_y: float | None


def _nice_step(span: float) -> float:
    raw = span / 6 if span > 0 else 1.0
    for step in (0.05, 0.1, 0.2, 0.25, 0.5, 1.0, 2.0, 2.5, 5.0, 10.0, 20.0, 25.0, 50.0):
        if step >= raw:
            return step
    return raw


def ranking_chart(
    ranked: list[selectors.RankedEntry], *, cutoff: int, window: int = CHART_WINDOW
) -> RankingChart | None:
    """Entries ranked within `window` places of the cut-off (all of them if there are few), best at the top."""
    if not ranked:
        return None
    ordered = sorted(ranked, key=lambda r: (r.rank, r.entry.pk))
    start = max(0, cutoff - window) if cutoff > 0 else 0
    shown = ordered[start : start + 2 * window]
    row_height, top, plot_left, plot_right, width = 20, 16, 260, 760, 800
    height = top + row_height * len(shown) + 40
    low = min(r.ci_low for r in shown)
    high = max(r.ci_high for r in shown)
    pad = max((high - low) * 0.05, 0.05)
    low, high = low - pad, high + pad

    def x_of(value: float) -> float:
        return round(plot_left + (value - low) / (high - low) * (plot_right - plot_left), 1)

    rows = []
    for index, item in enumerate(shown):
        name = " / ".join(a.display_name for a in item.applicants) or str(item.entry)
        label = f"{item.rank}. {name}"
        css = "point"
        if item.flag_cutoff:
            css += " straddles"
        if item.flag_disagreement:
            css += " disagreement"
        if item.rank <= cutoff:
            css += " winning"
        rows.append(
            ChartRow(
                y=top + row_height * index + row_height / 2,
                x=x_of(item.calibrated),
                x_low=x_of(item.ci_low),
                x_high=x_of(item.ci_high),
                rank=item.rank,
                label=label if len(label) <= 34 else label[:33] + "…",
                css=css,
            )
        )
    step = _nice_step(high - low)
    first = step * math.ceil(low / step)
    ticks = []
    value = first
    while value <= high:
        ticks.append(ChartTick(x=x_of(value), label=f"{value:g}"))
        value += step
    cutoff_y = None
    places = [r.rank for r in shown]
    if cutoff > 0 and any(p <= cutoff for p in places) and any(p > cutoff for p in places):
        winners_shown = sum(1 for p in places if p <= cutoff)
        cutoff_y = top + row_height * winners_shown
    return RankingChart(
        width=width,
        height=height,
        plot_left=plot_left,
        plot_right=plot_right,
        top=top,
        bottom=top + row_height * len(shown),
        rows=rows,
        ticks=ticks,
        cutoff_y=cutoff_y,
    )


@login_required
@require_GET
def category_ranking(request: HttpRequest, pk: int) -> HttpResponse:
    category = category_or_404(pk)
    _require(request, "competitions.view_ranking", category)
    key, reviews = selectors.ranking_cache_key(category)
    figures = selectors.ranking_cached(key)
    if figures is None and reviews > RANKING_INLINE_MAX_REVIEWS:
        # Too long for a request: the ranking is computed by a background job and the page reloads when it is done.
        job = ranking_services.ranking_precompute_submit(category=category, by=request.user)
        figures = selectors.ranking_cached(key)  # a job that was already running may have just finished
        if figures is None:
            return render(
                request,
                "competitions/ranking_pending.html",
                {"category": category, "edition": category.edition, "job": job, "reviews": reviews},
            )
    ranked = selectors.category_ranking(category=category, figures=figures)
    flagged_only = request.GET.get("flagged") == "1"
    listed = [r for r in ranked if r.flags] if flagged_only else ranked
    page = Paginator(listed, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "competitions/ranking.html",
        {
            "category": category,
            "edition": category.edition,
            "page": page,
            "ranked_count": len(ranked),
            "unranked": selectors.category_unranked_count(category=category),
            "flag_counts": {
                "disagreement": sum(1 for r in ranked if r.flag_disagreement),
                "cutoff": sum(1 for r in ranked if r.flag_cutoff),
            },
            "flagged_only": flagged_only,
            "chart": ranking_chart(ranked, cutoff=category.winners),
            "resamples": selectors.RANKING_RESAMPLES,
        },
    )
