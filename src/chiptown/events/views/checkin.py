"""The check-in desk: the staff page (scan a badge with a scanner or the phone's camera, or find a person by name),
the page a badge's QR code opens, and the door of a closed-door workshop.

Scans are POSTs answered with the result panel (an HTMX fragment; a whole page without JavaScript). A scan that
checks someone in tells the page (`HX-Trigger: checked-in`) so that the running totals and lists refresh
themselves; the scan itself stays cheap. GET never changes anything.
"""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chiptown.core.errors import ChipTownError
from chiptown.core.rules import require
from chiptown.events import selectors
from chiptown.events.models import Event, Registration, Session
from chiptown.events.services import checkin as services
from chiptown.events.views.lookups import event_or_404, session_or_404

CHECKED_IN_EVENT = "checked-in"


def _require_staff(request: HttpRequest, event: Event) -> None:
    require(request.user, "events.check_in", event, _("Only check-in staff may open the check-in desk."))


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _can_manage(request: HttpRequest, event: Event) -> bool:
    # rules.has_perm asks the rules alone: user.has_perm would also ask Django's model backend, two more queries
    # on every scan by a desk volunteer who is not an operator.
    return bool(rules.has_perm("events.manage", request.user, event))


def _desk_page(request: HttpRequest, event: Event, **context: object) -> HttpResponse:
    return render(
        request,
        "events/checkin/checkin.html",
        {
            "event": event,
            "totals": selectors.checkin_totals(event=event),
            "doors": list(selectors.attendance_sessions(event=event)),
            "can_manage": _can_manage(request, event),
            "result": None,
            "people": None,
            **context,
        },
    )


def _result_response(request: HttpRequest, result: services.CheckinResult, context: dict[str, object]) -> HttpResponse:
    event = context["event"]
    assert isinstance(event, Event)
    response = render(
        request, "events/checkin/_result.html", {"result": result, "can_manage": _can_manage(request, event), **context}
    )
    if result.ok:
        response["HX-Trigger"] = CHECKED_IN_EVENT
    return response


def _registration_or_404(event: Event, pk: int) -> Registration:
    registration = selectors.registration_for_checkin(pk=pk, event=event)
    if registration is None or registration.event_id != event.pk:
        raise Http404(_("No such registration."))
    return registration


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, slug: str) -> HttpResponse:
    """The desk. POST `token` (the badge's token or the whole address its QR code holds) checks a person in."""
    event = event_or_404(slug)
    result = None
    if request.method == "POST":
        # The service checks the desk permission; checking it here too would cost a query on every scan.
        result = services.checkin_by_token(event=event, token=request.POST.get("token", ""), by=request.user)
        if _is_htmx(request):
            return _result_response(request, result, {"event": event})
    else:
        _require_staff(request, event)
    return _desk_page(request, event, result=result)


@login_required
@require_GET
def checkin_totals(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_or_404(slug)
    _require_staff(request, event)
    return render(
        request, "events/checkin/_totals.html", {"event": event, "totals": selectors.checkin_totals(event=event)}
    )


@login_required
@require_GET
def checkin_search(request: HttpRequest, slug: str) -> HttpResponse:
    """People by name, email or organisation, each with a check-in button (an HTMX fragment)."""
    event = event_or_404(slug)
    _require_staff(request, event)
    text = request.GET.get("q", "").strip()[:100]
    found = selectors.checkin_search(event=event, text=text)
    limit = selectors.CHECKIN_SEARCH_LIMIT
    context = {
        "q": text,
        "too_short": 0 < len(text) < selectors.CHECKIN_SEARCH_MIN,
        "people": [
            (registration, selectors.person_name(registration.user), selectors.person_organisation(registration.user))
            for registration in found[:limit]
        ],
        "more": len(found) > limit,
    }
    if not _is_htmx(request):
        return _desk_page(request, event, **context)
    return render(request, "events/checkin/_search_results.html", {"event": event, **context})


@login_required
@require_POST
def checkin_registration(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Check in a person found by name."""
    event = event_or_404(slug)
    registration = _registration_or_404(event, pk)
    result = services.checkin_by_registration(registration=registration, by=request.user)
    if _is_htmx(request):
        return _result_response(request, result, {"event": event})
    return _desk_page(request, event, result=result)


@login_required
@require_POST
def checkin_undo(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An operator takes back a check-in made by mistake."""
    event = event_or_404(slug)
    registration = _registration_or_404(event, pk)
    try:
        services.checkin_undo(registration=registration, by=request.user)
    except ChipTownError as error:
        if error.status == 403:
            raise
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("The check-in of %(name)s is undone.") % {"name": selectors.person_name(registration.user)},
        )
    return redirect("events:checkin", slug=event.slug)


@require_http_methods(["GET", "POST"])
def checkin_token(request: HttpRequest, slug: str, token: str) -> HttpResponse:
    """What a badge's QR code opens. Staff see whose badge it is and a button to check them in (POST); anyone else
    sees only that this is a conference badge, nothing about its holder, whether the code is valid or not."""
    event = event_or_404(slug)
    is_staff = request.user.is_authenticated and request.user.has_perm("events.check_in", event)
    if request.method == "POST":
        result = services.checkin_by_token(event=event, token=token, by=request.user)
        return render(
            request,
            "events/checkin/token.html",
            {"event": event, "result": result, "done": True, "can_manage": _can_manage(request, event)},
        )
    if not is_staff:
        return render(request, "events/checkin/token.html", {"event": event, "result": None, "done": False})
    preview = services.checkin_preview(event=event, token=token, by=request.user)
    return render(
        request,
        "events/checkin/token.html",
        {"event": event, "result": preview, "done": False, "can_manage": _can_manage(request, event)},
    )


# At a session's door ------------------------------------------------------------------------------------------------


def _session_or_404(slug: str, pk: int) -> Session:
    event = event_or_404(slug)
    session = session_or_404(event, pk)
    if not services.takes_attendance(session):
        raise Http404(_("Anyone registered may come into this session; it keeps no attendance list."))
    return session


def _attendance(session: Session) -> dict[str, object]:
    attendees = selectors.session_attendees(session=session)
    return {"attendees": attendees, "inside": sum(1 for a in attendees if a.signup.checked_in_at is not None)}


@login_required
@require_http_methods(["GET", "POST"])
def session_checkin(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The door of a closed-door workshop (or a session with sign-up): scan badges, see who is admitted and in."""
    session = _session_or_404(slug, pk)
    context: dict[str, object] = {"event": session.event, "session": session}
    result = None
    if request.method == "POST":
        picked = request.POST.get("registration", "")
        if picked.isdigit():
            registration = _registration_or_404(session.event, int(picked))
            result = services.session_checkin_registration(session=session, registration=registration, by=request.user)
        else:
            result = services.session_checkin(session=session, token=request.POST.get("token", ""), by=request.user)
        if _is_htmx(request):
            return _result_response(request, result, context)
    else:
        _require_staff(request, session.event)
    return render(request, "events/checkin/session.html", {**context, "result": result, **_attendance(session)})


@login_required
@require_GET
def session_checkin_list(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    session = _session_or_404(slug, pk)
    _require_staff(request, session.event)
    return render(
        request,
        "events/checkin/_attendees.html",
        {"event": session.event, "session": session, **_attendance(session)},
    )
