"""Seat pages: the seat box that the public session page embeds (HTMX) with its sign-up, cancel, accept and decline
actions, and the operators' sign-up list (with a CSV export) and closed-door invitation list.

Plain function views: parse with a form, read through selectors, write through services.seats (which check
permissions again and audit). An action posted by HTMX answers with the box re-rendered, its outcome or refusal
inside (HTMX swaps only 2xx answers, so a refusal shown in the box is a 200 there); a plain POST redirects to the
session page on success and answers a refusal with its 4xx page.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chiptown.core.errors import ChipTownError, Conflict
from chiptown.core.forms import show_problems
from chiptown.core.rules import require
from chiptown.core.spreadsheets import csv_bytes
from chiptown.events import selectors
from chiptown.events.forms_seats import InvitationForm, SignupForm
from chiptown.events.models import Event, Invitation, Session, Signup, SignupStatus
from chiptown.events.services import seats as services
from chiptown.events.views.lookups import event_or_404, session_or_404

BOX_TEMPLATE = "events/seats/seat_box.html"

# --- helpers ------------------------------------------------------------------------------------------------------


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _seat_session(slug: str, pk: int) -> tuple[Event, Session]:
    event = event_or_404(slug)
    session = session_or_404(event, pk)
    if not session.takes_signup:
        raise Http404(_("This session takes no sign-up."))
    return event, session


def _session_page(session: Session) -> str:
    try:
        return reverse("events:session", args=[session.event.slug, session.pk])
    except NoReverseMatch:  # the public pages are not installed: the seat page stands in
        return reverse("events:seat_box", args=[session.event.slug, session.pk])


def _box_context(
    request: HttpRequest,
    event: Event,
    session: Session,
    *,
    result: services.SignupResult | None = None,
    error: ChipTownError | None = None,
    notice: str = "",
    published: selectors.PublishedTimes | None = None,
) -> dict[str, Any]:
    """Everything the seat box shows; `session.seats_taken` must be fresh."""
    user = request.user
    now = timezone.now()
    if published is None:
        published = selectors.published_times(event=event, session_ids=[session.pk])
    span = published.get(session.pk)
    registration = selectors.registration_for(event=event, user=user)
    signup = selectors.active_signup(session=session, user=user) if registration is not None else None
    ended = None
    if signup is None and registration is not None:
        last = selectors.last_signup(session=session, user=user)
        ended = last if last is not None and last.status == SignupStatus.EXPIRED else None
    invited = selectors.is_invited(session=session, user=user) if session.closed_door else True
    if not user.is_authenticated:
        state = "anonymous"
    elif span is None:
        state = "unpublished"
    elif signup is not None:
        state = str(signup.status)
    elif span[0] <= now:
        state = "closed"
    elif registration is None or registration.status not in ("confirmed", "pending"):
        state = "unregistered"
    elif registration.status == "pending":
        state = "pending"
    elif not invited:
        state = "uninvited"
    else:
        state = "open"
    return {
        "event": event,
        "session": session,
        "state": state,
        "signup": signup,
        "ended": ended,
        "position": selectors.waiting_position(signup=signup)
        if signup is not None and signup.status == SignupStatus.WAITING
        else None,
        "seats_left": session.seats_left,
        "full": session.seats_left == 0,
        "starts_at": span[0] if span else session.starts_at,
        "form": SignupForm(),
        "result": result,
        "error": error,
        "notice": notice,
        "can_manage": user.has_perm("events.manage"),
        "session_url": _session_page(session),
    }


def _render_box(request: HttpRequest, event: Event, session: Session, status: int = 200, **extra: Any) -> HttpResponse:
    session.refresh_from_db(fields=["seats_taken"])
    context = _box_context(request, event, session, **extra)
    if _is_htmx(request):
        return render(request, BOX_TEMPLATE, context)
    return render(request, "events/seats/seat_page.html", context, status=status)


def _act(
    request: HttpRequest,
    slug: str,
    pk: int,
    action: Callable[[Session], tuple[services.SignupResult | None, str]],
) -> HttpResponseBase:
    """Run a seat action for the signed-in person; answer with the box (HTMX) or a redirect (a plain POST)."""
    event, session = _seat_session(slug, pk)
    if not request.user.is_authenticated:
        if _is_htmx(request):
            return _render_box(request, event, session)
        return redirect(f"{reverse('accounts:login')}?next={_session_page(session)}")
    try:
        result, notice = action(session)
    except ChipTownError as exc:
        if _is_htmx(request):
            return _render_box(request, event, session, error=exc)
        raise  # the middleware renders the refusal with its 4xx status
    if _is_htmx(request):
        return _render_box(request, event, session, result=result, notice=notice)
    messages.success(request, notice)
    for warning in result.warnings if result else []:
        messages.warning(request, warning)
    return redirect(_session_page(session))


def _own_signup(session: Session, request: HttpRequest, *, offered: bool = False) -> Signup:
    """The person's active sign-up (for an offer: also one whose offer ran out, so the answer can say when)."""
    signup = selectors.active_signup(session=session, user=request.user)
    if signup is None and offered:
        last = selectors.last_signup(session=session, user=request.user)
        signup = last if last is not None and last.status == SignupStatus.EXPIRED else None
    if signup is None:
        raise Conflict(
            _("You hold no seat, offer or waiting-list place in “%(session)s”.") % {"session": session.display_title},
            code="no_signup_held",
        )
    return signup


# --- The seat box and its actions ---------------------------------------------------------------------------------


@require_GET
def seat_box(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The person's seat state and buttons: an HTMX fragment for the session page, or a page of its own."""
    event, session = _seat_session(slug, pk)
    services.offers_expire(session=session)
    published = selectors.published_times(event=event, session_ids=[session.pk])
    if session.pk not in published and not request.user.has_perm("events.manage"):
        raise Http404(_("No such session."))
    return _render_box(request, event, session, published=published)


@require_POST
def signup(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    form = SignupForm(request.POST)
    form.is_valid()  # a checkbox: always valid; unticked reads as False

    def action(session: Session) -> tuple[services.SignupResult | None, str]:
        result = services.signup_create(
            session=session,
            user=request.user,
            nda_accepted=bool(form.cleaned_data.get("nda_accepted")),
            by=request.user,
        )
        if result.confirmed:
            notice = _("Your seat in “%(session)s” is confirmed.") % {"session": session.display_title}
        else:
            notice = _("“%(session)s” is full: you are number %(position)d on the waiting list.") % {
                "session": session.display_title,
                "position": result.position or 0,
            }
        return result, notice

    return _act(request, slug, pk, action)


@require_POST
def signup_cancel(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    def action(session: Session) -> tuple[services.SignupResult | None, str]:
        held = _own_signup(session, request)
        waiting = held.status == SignupStatus.WAITING
        services.signup_cancel(signup=held, by=request.user)
        if waiting:
            return None, _("You left the waiting list for “%(session)s”.") % {"session": session.display_title}
        return None, _("Your seat in “%(session)s” is cancelled.") % {"session": session.display_title}

    return _act(request, slug, pk, action)


@require_POST
def offer_accept(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    def action(session: Session) -> tuple[services.SignupResult | None, str]:
        services.offer_accept(signup=_own_signup(session, request, offered=True), by=request.user)
        return None, _("The seat in “%(session)s” is yours.") % {"session": session.display_title}

    return _act(request, slug, pk, action)


@require_POST
def offer_decline(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    def action(session: Session) -> tuple[services.SignupResult | None, str]:
        services.offer_decline(signup=_own_signup(session, request, offered=True), by=request.user)
        return None, _("You turned the seat down; it goes to the next person waiting.")

    return _act(request, slug, pk, action)


# --- Operators: the sign-up list and the invitation list ----------------------------------------------------------


def _signups_csv(event: Event, listing: selectors.SessionSignups) -> HttpResponse:
    def local(value: Any) -> str:
        return value.astimezone(event.zone).strftime("%Y-%m-%d %H:%M") if value else ""

    header = [
        _("Waiting-list position"),
        _("Status"),
        _("Name"),
        _("Organisation"),
        _("Email"),
        _("Signed up"),
        _("Offer open until"),
        _("Confirmed"),
        _("NDA accepted"),
    ]
    rows = []
    for position, signup in listing.rows:
        user = signup.registration.user
        rows.append(
            [
                position or "",
                signup.get_status_display(),
                selectors.person_name(user),
                selectors.person_organisation(user),
                user.email,
                local(signup.created_at),
                local(signup.offered_until) if signup.status == SignupStatus.OFFERED else "",
                local(signup.confirmed_at),
                local(signup.nda_accepted_at),
            ]
        )
    response = HttpResponse(csv_bytes([(header, rows)]), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.slug}-session-{listing.session.pk}-signups.csv"'
    return response


@login_required
@require_GET
def signups(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    require(request.user, "events.manage", None, _("Only operators may see who signed up."))
    event, session = _seat_session(slug, pk)
    services.offers_expire(session=session)
    session.refresh_from_db(fields=["seats_taken"])
    listing = selectors.session_signups(session=session)
    if request.GET.get("format") == "csv":
        return _signups_csv(event, listing)
    return render(
        request,
        "events/seats/signups.html",
        {"event": event, "session": session, "listing": listing, "session_url": _session_page(session)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitations(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The invitation list of a closed-door session: add a person, an organisation or a role; remove a line."""
    require(request.user, "events.manage", None, _("Only operators may manage invitation lists."))
    event = event_or_404(slug)
    session = session_or_404(event, pk)
    if not session.closed_door:
        raise Conflict(_("Only closed-door sessions have an invitation list."), code="not_closed_door")
    form = InvitationForm()
    status = 200
    if request.method == "POST" and request.POST.get("remove"):
        chosen = request.POST.get("remove", "").strip()
        invitation = Invitation.objects.filter(session=session, pk=int(chosen)).first() if chosen.isdigit() else None
        if invitation is None:
            raise Http404(_("This invitation was already removed."))
        who = str(invitation)
        dropped = services.invitation_remove(invitation=invitation, by=request.user)
        messages.success(request, _("%(who)s is no longer invited.") % {"who": who})
        if dropped:
            messages.warning(
                request,
                _("%(count)d people lost their seat or waiting-list place; freed seats were offered on.")
                % {"count": dropped},
            )
        return redirect("events:invitations", slug=event.slug, pk=session.pk)
    if request.method == "POST":
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                services.invitation_add(session=session, by=request.user, **form.values())
            except ChipTownError as exc:
                show_problems(form, exc)
            else:
                messages.success(request, _("Added to the invitation list."))
                return redirect("events:invitations", slug=event.slug, pk=session.pk)
        status = 400
    return render(
        request,
        "events/seats/invitations.html",
        {
            "event": event,
            "session": session,
            "form": form,
            "invitations": [
                (invitation, services.invitee_name(invitation))
                for invitation in selectors.session_invitations(session=session)
            ],
            "session_url": _session_page(session),
        },
        status=status,
    )
