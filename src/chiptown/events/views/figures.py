"""Operators' figures of the day and after: live figures (registered, checked in, per session, arrivals per quarter
hour), the attendance export, the feedback survey and its results."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chiptown.core.errors import ChipTownError
from chiptown.core.forms import show_problems
from chiptown.core.rules import require
from chiptown.events import arrivals, exports, selectors
from chiptown.events.forms_feedback import FeedbackForm
from chiptown.events.models import Event
from chiptown.events.services import feedback as feedback_services
from chiptown.events.views.lookups import event_or_404, session_or_404

FIGURES_REFRESH_SECONDS = 10


def _require_operator(request: HttpRequest, event: Event) -> None:
    require(request.user, "events.manage", event, _("Only operators may see this."))


def _chart_day(request: HttpRequest, days: list[datetime.date]) -> datetime.date | None:
    """The day whose arrivals the chart shows: the one asked for, else the latest day anyone checked in."""
    asked = request.GET.get("day", "")
    try:
        day = datetime.date.fromisoformat(asked) if asked else None
    except ValueError:
        day = None
    if day in days:
        return day
    return days[-1] if days else None


@login_required
@require_GET
def figures(request: HttpRequest, slug: str) -> HttpResponse:
    """Live figures; the page polls its own fragment (this view with HX-Request) every few seconds."""
    event = event_or_404(slug)
    _require_operator(request, event)
    times = selectors.checkin_times(event=event)
    days = arrivals.arrival_days(times, zone=event.zone)
    day = _chart_day(request, days)
    context = {
        "event": event,
        "figures": selectors.event_figures(event=event),
        "chart": arrivals.arrivals_chart(times, zone=event.zone, day=day) if day else None,
        "days": days,
        "day": day,
        "refresh_seconds": FIGURES_REFRESH_SECONDS,
        "updated_at": timezone.now(),
    }
    template = "events/checkin/_figures.html" if request.headers.get("HX-Request") else "events/checkin/figures.html"
    return render(request, template, context)


@login_required
@require_GET
def attendance_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """Every registration (and the closed-door workshops' attendance) as CSV or XLSX."""
    event = event_or_404(slug)
    _require_operator(request, event)
    if fmt not in exports.FORMATS:
        raise Http404(_("No such export."))
    content = exports.attendance_csv(event=event) if fmt == "csv" else exports.attendance_xlsx(event=event)
    response = HttpResponse(content, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.attendance_filename(event, fmt)}"'
    return response


# Feedback -----------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def feedback(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The survey about one session, with the person's own answer if they gave one (editable until the event
    ends)."""
    event = event_or_404(slug)
    session = session_or_404(event, pk)
    registration = selectors.registration_for(event=event, user=request.user)
    answer = selectors.feedback_for(session=session, registration=registration)
    status = 200
    if request.method == "POST":
        form = FeedbackForm.for_answer(answer, data=request.POST)
        if form.is_valid():
            try:
                feedback_services.feedback_submit(
                    session=session,
                    user=request.user,
                    rating=form.cleaned_data["rating"],
                    content_rating=form.cleaned_data["content_rating"],
                    speaker_rating=form.cleaned_data["speaker_rating"],
                    comment=form.cleaned_data["comment"],
                    by=request.user,
                )
            except ChipTownError as error:
                if error.status == 403:
                    raise
                show_problems(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you: your answer about %(session)s is saved. You can change it until the conference ends.")
                    % {"session": session.display_title},
                )
                return redirect("events:feedback", slug=event.slug, pk=session.pk)
        status = 400
    else:
        form = FeedbackForm.for_answer(answer)
    closed_reason = feedback_services.feedback_closed_reason(
        session=session, registration=registration, existing=answer
    )
    return render(
        request,
        "events/checkin/feedback.html",
        {
            "event": event,
            "session": session,
            "form": form,
            "answer": answer,
            "closed_reason": closed_reason,
            "editable_until": feedback_services.event_ends_at(event),
        },
        status=status,
    )


@login_required
@require_GET
def feedback_results(request: HttpRequest, slug: str) -> HttpResponse:
    """Per session: how many answered, each question's average and spread, the comments; `?format=csv` exports
    every answer."""
    event = event_or_404(slug)
    _require_operator(request, event)
    fmt = request.GET.get("format", "")
    if fmt:
        if fmt != "csv":
            raise Http404(_("No such export."))
        response = HttpResponse(exports.feedback_csv(event=event), content_type=exports.CONTENT_TYPES["csv"])
        response["Content-Disposition"] = f'attachment; filename="feedback-{event.slug}.csv"'
        return response
    summaries = feedback_services.summarise_feedback(
        selectors.feedback_sessions(event=event), selectors.event_feedback(event=event)
    )
    return render(
        request,
        "events/checkin/feedback_results.html",
        {"event": event, "summaries": summaries, "answered": sum(s.count for s in summaries)},
    )
