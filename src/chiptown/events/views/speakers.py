"""Speaker pages: the operators' invitations and "who is missing what" table, a speaker's own page (answer,
biography and photo, files per session), and session files: upload, removal and the guarded download.

Plain function views: parse with a form, read through selectors, write through services (which check
permissions again and audit). Field problems go back into the form; refusals become 403 pages. A file is only
ever served by `material`, which checks who is asking on every request."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chiptown.core.errors import ChipTownError, PermissionDenied
from chiptown.core.forms import show_problems
from chiptown.core.rules import require
from chiptown.events import forms_speakers as forms
from chiptown.events import selectors
from chiptown.events.models import Event, Material, Session, Speaker, SpeakerStatus
from chiptown.events.services import speakers as services
from chiptown.events.views.lookups import event_or_404, session_or_404


def _is_htmx(request: HttpRequest) -> bool:
    """A partial update by HTMX (a history restore wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go after a form: the `next` the page gave, if it is on this site, else `fallback`."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, allowed_hosts={request.get_host()}):
        return wanted
    return fallback


# --- The operators' page -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def speakers_manage(request: HttpRequest, slug: str) -> HttpResponse:
    """Invite speakers, and see who is missing what (filtered by status or to those who still owe something)."""
    event = event_or_404(slug)
    require(request.user, "events.manage", event, _("Only operators may manage speakers."))
    invite_form = forms.InviteForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if invite_form.is_valid():
            person = invite_form.cleaned_data["person"]
            try:
                services.speaker_invite(event=event, person=person, by=request.user)
            except ChipTownError as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                show_problems(invite_form, exc)
                status = exc.status
            else:
                messages.success(
                    request,
                    _("%(name)s is invited; the invitation email is on its way.") % {"name": person.display_name},
                )
                return redirect(reverse("events:speakers_manage", args=[event.slug]))
    filters = forms.SpeakerFilterForm(request.GET)
    speaker_status, missing_only = filters.values()
    table = selectors.speakers_page(
        event=event, status=speaker_status, missing_only=missing_only, page_number=request.GET.get("page")
    )
    context = {"event": event, "invite_form": invite_form, "filters": filters, "table": table}
    if request.method == "GET" and _is_htmx(request):
        return render(request, "events/speakers/_table.html", context)
    return render(request, "events/speakers/manage.html", context, status=status)


@login_required
@require_POST
def speakers_remind(request: HttpRequest, slug: str) -> HttpResponse:
    event = event_or_404(slug)
    sent = services.speaker_remind(event=event, by=request.user)
    if sent:
        messages.success(request, ngettext("%(n)d reminder sent.", "%(n)d reminders sent.", sent) % {"n": sent})
    else:
        messages.info(request, _("No reminders sent: every invited speaker has sent everything."))
    return redirect(reverse("events:speakers_manage", args=[event.slug]))


# --- A speaker's own page ----------------------------------------------------------------------------------------


def _acting_speaker(request: HttpRequest, event: Event) -> Speaker:
    """The speaker whose page this is: the signed-in person's own, or (for operators) the one named by ?speaker=."""
    wanted = request.GET.get("speaker") or request.POST.get("speaker") or ""
    if wanted:
        require(request.user, "events.manage", event, _("Only operators may open another speaker's page."))
        speaker = selectors.speaker_in_event(event=event, pk=int(wanted)) if wanted.isdigit() else None
        if speaker is None:
            raise Http404(_("No such speaker."))
        return speaker
    speaker = selectors.speaker_for_user(event=event, user=request.user)
    if speaker is None:
        raise PermissionDenied(_("You are not a speaker at this event."))
    return speaker


def _my_talks_url(event: Event, speaker: Speaker, request: HttpRequest) -> str:
    url = reverse("events:my_talks", args=[event.slug])
    own = speaker.person.user_id == request.user.pk
    return url if own else f"{url}?speaker={speaker.pk}"


def _profile_initial(speaker: Speaker) -> dict[str, Any]:
    return {"bio_zh": speaker.bio_zh, "bio_en": speaker.bio_en}


def _my_talks_page(
    request: HttpRequest, event: Event, speaker: Speaker, *, profile_form: forms.ProfileForm, status: int = 200
) -> HttpResponse:
    links = list(selectors.speaker_talks(speaker=speaker))
    # One upload form per session, with its own element ids.
    talks = [(link, forms.MaterialForm(auto_id=f"id_session{link.session_id}_%s")) for link in links]
    page_url = _my_talks_url(event, speaker, request)
    return render(
        request,
        "events/speakers/my_talks.html",
        {
            "event": event,
            "speaker": speaker,
            "talks": talks,
            "gaps": selectors.speaker_gaps_for_talks(speaker=speaker, links=links),
            "profile_form": profile_form,
            "page_url": page_url,
            "acting_for": None if speaker.person.user_id == request.user.pk else speaker.pk,
            "can_answer": timezone.now() < services.event_starts_at(event),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_talks(request: HttpRequest, slug: str) -> HttpResponse:
    """The signed-in speaker's page: accept or decline, biography and photo, their sessions and files."""
    event = event_or_404(slug)
    speaker = _acting_speaker(request, event)
    if request.method != "POST":
        return _my_talks_page(
            request, event, speaker, profile_form=forms.ProfileForm(initial=_profile_initial(speaker))
        )
    form = forms.ProfileForm(request.POST, request.FILES)
    if not form.is_valid():
        return _my_talks_page(request, event, speaker, profile_form=form, status=400)
    photo = request.FILES.get("photo")
    try:
        services.speaker_profile_update(
            speaker=speaker,
            bio_zh=form.cleaned_data["bio_zh"],
            bio_en=form.cleaned_data["bio_en"],
            photo=photo if isinstance(photo, UploadedFile) else None,
            by=request.user,
        )
    except ChipTownError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        show_problems(form, exc)
        return _my_talks_page(request, event, speaker, profile_form=form, status=exc.status)
    messages.success(request, _("Your profile is saved."))
    return redirect(_my_talks_url(event, speaker, request))


@login_required
@require_POST
def speaker_respond(request: HttpRequest, slug: str) -> HttpResponse:
    """Accept (accept=1) or decline (accept=0) the invitation to speak."""
    event = event_or_404(slug)
    speaker = _acting_speaker(request, event)
    answer = request.POST.get("accept", "")
    if answer not in ("0", "1"):
        raise ChipTownError(_("Choose to accept or to decline."), code="invalid_answer")
    updated = services.speaker_respond(speaker=speaker, accept=answer == "1", by=request.user)
    if updated.status == SpeakerStatus.ACCEPTED:
        messages.success(request, _("Thank you: you are speaking at %(event)s.") % {"event": event.display_name})
    else:
        messages.info(
            request,
            _("You declined. If you change your mind, you can still accept here until the event starts."),
        )
    return redirect(_my_talks_url(event, speaker, request))


# --- Session files -----------------------------------------------------------------------------------------------


def _session_for_files(request: HttpRequest, slug: str, pk: int) -> tuple[Event, Session]:
    event = event_or_404(slug)
    session = session_or_404(event, pk)
    require(
        request.user,
        "events.change_material",
        session,
        _("Only operators and this session's speakers may add or remove its files."),
    )
    return event, session


@login_required
@require_http_methods(["GET", "POST"])
def material_upload(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Add a file to a session. The speaker page posts here; on a refusal this page shows the form again."""
    event, session = _session_for_files(request, slug, pk)
    fallback = reverse("events:my_talks", args=[event.slug])
    next_url = _safe_next(request, fallback)
    form = forms.MaterialForm(request.POST, request.FILES) if request.method == "POST" else forms.MaterialForm()
    status = 200
    if request.method == "POST":
        status = 400
        upload = request.FILES.get("file")
        if form.is_valid() and isinstance(upload, UploadedFile):
            try:
                material = services.material_upload(
                    session=session,
                    title=form.cleaned_data["title"],
                    file=upload,
                    is_slides=form.cleaned_data["is_slides"],
                    by=request.user,
                )
            except ChipTownError as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                show_problems(form, exc)
                status = exc.status
            else:
                messages.success(request, _("“%(title)s” is uploaded.") % {"title": material.title})
                return redirect(next_url)
    return render(
        request,
        "events/speakers/material_form.html",
        {"event": event, "session": session, "form": form, "next_url": next_url},
        status=status,
    )


@login_required
@require_POST
def material_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    event = event_or_404(slug)
    material = selectors.material_in_event(event=event, pk=pk)
    if material is None:
        raise Http404(_("No such file."))
    services.material_delete(material=material, by=request.user)
    messages.success(request, _("“%(title)s” is removed.") % {"title": material.title})
    return redirect(_safe_next(request, reverse("events:my_talks", args=[event.slug])))


def may_download(*, material: Material, user: Any) -> bool:
    """Who may open a session's file, checked on every request. Closed-door sessions: only people admitted to the
    session (operators, its speakers, seated participants who accepted the NDA). Open sessions: operators and the
    session's speakers always, anyone else once the session is in the published programme."""
    session = material.session
    if session.closed_door:
        return selectors.is_admitted(session=session, user=user)
    if getattr(user, "is_authenticated", False) and user.has_perm("events.change_material", session):
        return True
    return selectors.session_is_published(session=session)


@require_GET
def material(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    """Download a session's file, as an attachment, never sniffed or cached by a shared cache."""
    event = event_or_404(slug)
    found = selectors.material_in_event(event=event, pk=pk)
    if found is None:
        raise Http404(_("No such file."))
    if not may_download(material=found, user=request.user):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        raise PermissionDenied(_("You may not open this file."))
    try:
        handle = found.file.open("rb")
    except OSError as exc:
        raise Http404(_("No such file.")) from exc
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=services.material_filename(found),
        content_type=services.material_content_type(found),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
