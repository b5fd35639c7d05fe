"""Registration pages: registering, the person's own page (status, badge, cancel, answers, agenda with clash
warnings, calendar feed), the badge image, the agenda button, and the organisers' list of registrations
(search, filters, approve or reject, attendee type, badges again, bulk approval) and registration settings.

Plain function views: parse with a form, read through selectors, write through services.registrations (which
check permissions again and audit). An action posted by HTMX answers with the row or button re-rendered, its
refusal inside (HTMX swaps only 2xx answers, so a refusal shown in the row is a 200 there, as in the seat box);
a plain POST redirects on success and answers a refusal with its 4xx status."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chiptown.core.errors import ChipTownError, PermissionDenied, Problem
from chiptown.core.forms import show_problems
from chiptown.core.models import Job
from chiptown.core.questions import ANSWER_PREFIX, answers_shown
from chiptown.core.rules import require
from chiptown.events import badges, selectors
from chiptown.events.forms_registrations import (
    AnswersForm,
    AttendeeTypeForm,
    DecisionForm,
    RegistrationFilterForm,
    RegistrationForm,
    RegistrationSettingsForm,
)
from chiptown.events.models import (
    ACTIVE_SIGNUP_STATUSES,
    AttendeeType,
    Event,
    Registration,
    RegistrationStatus,
    Session,
)
from chiptown.events.services import registrations as services
from chiptown.events.views.lookups import event_or_404, session_or_404

ROW_TEMPLATE = "events/registrations/registration_row.html"
AGENDA_BUTTON_TEMPLATE = "events/registrations/agenda_button.html"
LIVE_STATUSES = (RegistrationStatus.PENDING, RegistrationStatus.CONFIRMED)


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _require_manager(request: HttpRequest, event: Event) -> None:
    require(request.user, "events.manage", event, _("Only the organisers may manage registrations."))


def _my_page(event: Event) -> str:
    return reverse("events:my_registration", args=[event.slug])


def _registration_in(event: Event, pk: int) -> Registration:
    registration = selectors.registration_in_event(event=event, pk=pk)
    if registration is None:
        raise Http404(_("No such registration."))
    return registration


def _show_refusal(form: Any, exc: ChipTownError) -> None:
    if isinstance(exc, PermissionDenied):
        raise exc
    show_problems(form, exc, prefix=ANSWER_PREFIX)


# --- Registering -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, slug: str) -> HttpResponse:
    """The registration form: an attendee type and the event's own questions. Someone already registered is sent
    to their own page."""
    event = event_or_404(slug)
    existing = selectors.registration_for(event=event, user=request.user)
    if existing is not None and existing.status == RegistrationStatus.REJECTED:
        messages.info(
            request,
            _("The organisers did not approve your registration for %(event)s.") % {"event": event.display_name},
        )
        return redirect(_my_page(event))
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        messages.info(request, _("You are already registered for %(event)s.") % {"event": event.display_name})
        return redirect(_my_page(event))
    form = RegistrationForm(request.POST if request.method == "POST" else None, event=event)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                registration = services.registration_create(
                    event=event,
                    user=request.user,
                    attendee_type=form.cleaned_data["attendee_type"],
                    answers=form.answers(),
                    by=request.user,
                )
            except ChipTownError as exc:
                if exc.code == "already_registered":  # registered a moment ago, in another tab
                    messages.info(request, exc.message)
                    return redirect(_my_page(event))
                _show_refusal(form, exc)
                status = exc.status
            else:
                if registration.status == RegistrationStatus.CONFIRMED:
                    messages.success(
                        request,
                        _("You are registered for %(event)s. Your badge is below and on its way by email.")
                        % {"event": event.display_name},
                    )
                else:
                    messages.success(
                        request,
                        _("Thank you. The organisers approve each registration; you will hear from them by email."),
                    )
                return redirect(_my_page(event))
    return render(
        request,
        "events/registrations/register.html",
        {"event": event, "form": form, "previous": existing},
        status=status,
    )


# --- The person's own page ---------------------------------------------------------------------------------------


@login_required
@require_GET
def my_registration(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_or_404(slug)
    registration = selectors.registration_with_holder(event=event, user=request.user)
    if registration is None:
        return redirect(reverse("events:register", args=[event.slug]))
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    agenda = services.agenda_for(registration=registration) if confirmed else None
    return render(
        request,
        "events/registrations/my_registration.html",
        {
            "event": event,
            "registration": registration,
            "holder_name": selectors.person_name(registration.user),
            "holder_organisation": selectors.person_organisation(registration.user),
            "answers": answers_shown(event.form_fields or [], registration.answers or {}),
            "is_live": registration.status in LIVE_STATUSES,
            "agenda": agenda,
            "clash_sentences": agenda.clash_sentences() if agenda is not None else [],
            "feed_token": badges.agenda_feed_token(registration) if confirmed else "",
        },
    )


def _own_live_registration(request: HttpRequest, event: Event) -> Registration:
    registration = selectors.registration_with_holder(event=event, user=request.user)
    if registration is None or registration.status not in LIVE_STATUSES:
        raise Http404(_("You have no registration to change."))
    return registration


@login_required
@require_http_methods(["GET", "POST"])
def registration_cancel(request: HttpRequest, slug: str) -> HttpResponse:
    """Cancelling, with a confirmation step (GET asks, POST cancels)."""
    event = event_or_404(slug)
    registration = _own_live_registration(request, event)
    if request.method == "POST":
        services.registration_cancel(registration=registration, by=request.user)
        messages.success(
            request,
            _("Your registration for %(event)s is cancelled; your badge no longer works.")
            % {"event": event.display_name},
        )
        return redirect(_my_page(event))
    return render(
        request,
        "events/registrations/cancel_confirm.html",
        {
            "event": event,
            "registration": registration,
            "seats": registration.signups.filter(status__in=ACTIVE_SIGNUP_STATUSES).count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def registration_answers(request: HttpRequest, slug: str) -> HttpResponse:
    """Changing one's answers to the event's questions."""
    event = event_or_404(slug)
    registration = _own_live_registration(request, event)
    form = AnswersForm(request.POST if request.method == "POST" else None, event=event, answers=registration.answers)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.registration_change(registration=registration, answers=form.answers(), by=request.user)
            except ChipTownError as exc:
                _show_refusal(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Your answers are saved."))
                return redirect(_my_page(event))
    return render(
        request,
        "events/registrations/answers_form.html",
        {"event": event, "registration": registration, "form": form},
        status=status,
    )


@login_required
@require_GET
def badge_png(request: HttpRequest, slug: str) -> HttpResponse:
    """The badge's QR code. The person's own by default; check-in staff and organisers may name any registration
    of the event (`?registration=<id>`). Only a confirmed registration has a badge (404 otherwise)."""
    event = event_or_404(slug)
    wanted = request.GET.get("registration", "")
    if wanted:
        require(request.user, "events.check_in", event, _("Only the person and the organisers may see a badge."))
        registration = selectors.registration_in_event(event=event, pk=int(wanted)) if wanted.isdigit() else None
    else:
        registration = selectors.registration_for(event=event, user=request.user)
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        raise Http404(_("No badge: the registration is not confirmed."))
    registration.event = event
    response = HttpResponse(badges.badge_qr_png(registration), content_type="image/png")
    response["Cache-Control"] = "private, no-store"  # a cancelled badge must not live on in a cache
    return response


# --- The agenda button -------------------------------------------------------------------------------------------


def _session_page(session: Session) -> str:
    try:
        return reverse("events:session", args=[session.event.slug, session.pk])
    except NoReverseMatch:  # the public pages are not installed: the person's own page stands in
        return _my_page(session.event)


@login_required
@require_POST
def agenda_toggle(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Put a session in one's agenda or take it out (the session page's button; HTMX re-renders the button)."""
    event = event_or_404(slug)
    session = session_or_404(event, pk)
    registration = selectors.registration_for(event=event, user=request.user)
    if registration is None:
        raise PermissionDenied(
            _("Register for %(event)s to keep your own agenda.") % {"event": event.display_name},
            code="not_registered",
        )
    registration.event = event
    try:
        in_agenda = services.agenda_toggle(registration=registration, session=session, by=request.user)
    except ChipTownError as exc:
        if not _is_htmx(request) or isinstance(exc, PermissionDenied):
            raise
        in_agenda = session.agenda_items.filter(registration=registration).exists()
        return render(
            request,
            AGENDA_BUTTON_TEMPLATE,
            {"event": event, "session": session, "in_agenda": in_agenda, "error": exc},
        )
    if _is_htmx(request):
        return render(request, AGENDA_BUTTON_TEMPLATE, {"event": event, "session": session, "in_agenda": in_agenda})
    if in_agenda:
        messages.success(request, _("%(session)s is in your agenda.") % {"session": session.display_title})
    else:
        messages.success(request, _("%(session)s is no longer in your agenda.") % {"session": session.display_title})
    return redirect(_safe_next(request, _session_page(session)))


# --- The organisers' list ----------------------------------------------------------------------------------------


def _row(
    request: HttpRequest,
    event: Event,
    registration: Registration,
    *,
    error: ChipTownError | None = None,
    notice: str = "",
) -> HttpResponse:
    return render(
        request,
        ROW_TEMPLATE,
        {
            "event": event,
            "registration": registration,
            "error": error,
            "notice": notice,
            "type_choices": AttendeeType.choices,
        },
    )


@login_required
@require_GET
def registrations(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    filters = RegistrationFilterForm(request.GET)
    chosen = filters.filters()
    found = selectors.registrations_page(
        event=event,
        text=chosen["text"],
        status=chosen["status"],
        attendee_type=chosen["attendee_type"],
        page_number=request.GET.get("page"),
    )
    job = None
    job_id = request.GET.get("job", "")
    if job_id:
        job = Job.objects.filter(pk=job_id, kind=services.BADGE_JOB_KIND).first() if _is_uuid(job_id) else None
    return render(
        request,
        "events/registrations/registrations.html",
        {
            "event": event,
            "registrations": found,
            "filters": filters,
            "job": job,
            "type_choices": AttendeeType.choices,
        },
    )


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _after_row_action(
    request: HttpRequest, event: Event, pk: int, notice: str, error: ChipTownError | None = None
) -> HttpResponse:
    """The row again (HTMX), or back to the list (a plain POST; a refusal answers with its 4xx page)."""
    if error is not None and (not _is_htmx(request) or isinstance(error, PermissionDenied)):
        raise error
    if _is_htmx(request):
        return _row(request, event, _registration_in(event, pk), error=error, notice=notice)
    messages.success(request, notice)
    return redirect(_safe_next(request, reverse("events:registrations", args=[event.slug])))


@login_required
@require_POST
def registration_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    registration = _registration_in(event, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        error = ChipTownError(
            _("Some fields are not valid."),
            problems=[
                Problem(reason=str(message), column=name) for name, errors in form.errors.items() for message in errors
            ],
        )
        return _after_row_action(request, event, pk, "", error)
    try:
        services.registration_decide(
            registration=registration, approve=form.approve, reason=form.cleaned_data["reason"], by=request.user
        )
    except ChipTownError as exc:
        return _after_row_action(request, event, pk, "", exc)
    name = selectors.person_name(registration.user)
    notice = (
        _("%(name)s is approved; their badge is on its way.") % {"name": name}
        if form.approve
        else _("%(name)s is told that their registration is not approved.") % {"name": name}
    )
    return _after_row_action(request, event, pk, notice)


@login_required
@require_POST
def registration_type(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    registration = _registration_in(event, pk)
    form = AttendeeTypeForm(request.POST)
    if not form.is_valid():
        error = ChipTownError(
            _("Choose an attendee type."),
            problems=[Problem(reason=str(m), column="attendee_type") for m in form.errors.get("attendee_type", [])],
        )
        return _after_row_action(request, event, pk, "", error)
    try:
        services.registration_change(
            registration=registration, attendee_type=form.cleaned_data["attendee_type"], by=request.user
        )
    except ChipTownError as exc:
        return _after_row_action(request, event, pk, "", exc)
    return _after_row_action(request, event, pk, _("Attendee type saved."))


@login_required
@require_POST
def registration_badge_send(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = event_or_404(slug)
    _require_manager(request, event)
    registration = _registration_in(event, pk)
    try:
        sent = services.registration_badge_resend(registration=registration, by=request.user)
    except ChipTownError as exc:
        return _after_row_action(request, event, pk, "", exc)
    notice = _("Badge sent again.") if sent else _("This person has no email address; print their badge instead.")
    return _after_row_action(request, event, pk, notice)


@login_required
@require_POST
def registrations_approve(request: HttpRequest, slug: str) -> HttpResponse:
    """Approve the ticked registrations awaiting approval; their badges go out in a background job."""
    event = event_or_404(slug)
    _require_manager(request, event)
    ids = [int(value) for value in request.POST.getlist("registration") if value.isdigit()]
    if not ids:
        messages.warning(request, _("Tick the registrations to approve first."))
        return redirect(_safe_next(request, reverse("events:registrations", args=[event.slug])))
    approved, job = services.registrations_approve(event=event, registration_ids=ids, by=request.user)
    if not approved:
        messages.warning(request, _("None of the ticked registrations was awaiting approval."))
        return redirect(_safe_next(request, reverse("events:registrations", args=[event.slug])))
    messages.success(request, _("%(count)d registrations approved; their badges are being sent.") % {"count": approved})
    target = reverse("events:registrations", args=[event.slug]) + "?status=confirmed"
    return redirect(target + (f"&job={job.pk}" if job is not None else ""))


# --- The organisers' registration settings -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def registration_form(request: HttpRequest, slug: str) -> HttpResponse:
    """Open or close registration, require approval, and edit the registration form's own questions (JSON)."""
    event = event_or_404(slug)
    _require_manager(request, event)
    form = RegistrationSettingsForm(request.POST if request.method == "POST" else None, event=event)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.registration_settings_update(
                    event=event,
                    registration_open=form.cleaned_data["registration_open"],
                    requires_approval=form.cleaned_data["requires_approval"],
                    form_fields=form.cleaned_data["form_fields"],
                    by=request.user,
                )
            except ChipTownError as exc:
                _show_refusal(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Registration settings saved."))
                return redirect(reverse("events:registration_form", args=[event.slug]))
    return render(
        request,
        "events/registrations/registration_form.html",
        {"event": event, "form": form, "registered": event.registrations.count()},
        status=status,
    )
