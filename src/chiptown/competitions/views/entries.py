"""Application pages: apply or nominate, the draft form, documents, submit and withdraw, the nominee's and the
partners' answers, the operators' screening, and "My applications".

Who may see an application is decided by rules (competitions.view_application: operators, the applicant, the
nominee, the named partners, and assigned judges without a conflict); everyone else gets 403 and nothing
changes. Refusals of the services are shown on the page they came from with a 4xx status."""

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chiptown.competitions import defaults, eligibility, forms, selectors
from chiptown.competitions.models import AwardKind, Category, Entry, EntryStatus
from chiptown.competitions.services import entries as services
from chiptown.competitions.views.editions import _category_or_404
from chiptown.core.errors import ChipTownError, PermissionDenied
from chiptown.core.questions import answers_shown, question_label


def _entry_or_404(pk: int) -> Entry:
    entry = selectors.application(pk=pk)
    if entry is None:
        raise Http404(_("No such application."))
    return entry


def _visible_entry(request: HttpRequest, pk: int) -> Entry:
    entry = _entry_or_404(pk)
    if not request.user.has_perm("competitions.view_application", entry):
        raise PermissionDenied(_("You may not see this application."))
    return entry


def _products_for(request: HttpRequest, category: Category, organisation_id: int | None) -> list[Any]:
    if category.applicant_kind != "organisation":
        return []
    return selectors.organisation_products(organisation_id=organisation_id)


# --- Apply / nominate --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, year: int, kind: str) -> HttpResponse:
    """Start an application (or a nomination): saved as a draft, completed and submitted from its page."""
    category = _category_or_404(year, kind)
    user: Any = request.user
    if not user.has_perm("competitions.apply", category):
        raise PermissionDenied(
            _("Organisations apply through their company representatives; ask an operator to give you that role.")
        )
    is_nomination = category.applicant_kind == "person"
    pick_organisation = user.has_perm("competitions.manage") and not is_nomination
    products = [] if pick_organisation else _products_for(request, category, user.organisation_id)
    data = request.POST if request.method == "POST" else None
    form = forms.ApplicationForm(data, category=category, products=products, pick_organisation=pick_organisation)
    nomination = forms.NominationForm(data, prefix="nominee") if is_nomination else None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid() and (nomination is None or nomination.is_valid()):
            try:
                entry = services.entry_create(
                    by=user,
                    category=category,
                    organisation=form.cleaned_data.get("organisation"),
                    person=nomination.cleaned_data["person"] if nomination is not None else None,
                    product=form.product_choice(products) if "product" in form.fields else None,
                    partners=form.cleaned_data.get("partners") or [],
                    title=form.cleaned_data["title"],
                    answers=form.answers(),
                )
            except ChipTownError as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                status = exc.status
                forms.show_problems(form, exc)
                if nomination is not None:
                    for problem in exc.problems:
                        if problem.column == "person":
                            nomination.add_error("person", problem.reason)
            else:
                messages.success(
                    request, _("Draft saved. Attach documents if you wish, then submit before the deadline.")
                )
                return redirect(entry.get_absolute_url())
    return render(
        request,
        "competitions/apply_form.html",
        {
            "form": form,
            "nomination": nomination,
            "category": category,
            "edition": category.edition,
            "accepting": category.edition.accepts_applications(),
            "own_organisation": None if pick_organisation else getattr(user, "organisation", None),
        },
        status=status,
    )


@require_GET
def person_suggest(request: HttpRequest) -> HttpResponse:
    """Options for the nominee picker's <datalist>: 'name #id' with the person's organisation."""
    text = request.GET.get("nominee-person") or request.GET.get("q") or ""
    people = selectors.person_suggestions(text=text) if request.user.is_authenticated else []
    return render(request, "competitions/nomination_person_options.html", {"people": people})


# --- The application page ----------------------------------------------------------------------------------------


def _answers_shown(entry: Entry) -> list[dict[str, Any]]:
    """The form's questions in order with the entry's answers, labelled in the reader's language."""
    return answers_shown(entry.category.form_fields, entry.answers or {})


def _entry_page(
    request: HttpRequest,
    entry: Entry,
    *,
    status: int = 200,
    error: ChipTownError | None = None,
    document_form: forms.DocumentForm | None = None,
    screening_form: forms.ScreeningForm | None = None,
) -> HttpResponse:
    user: Any = request.user
    now = timezone.now()
    edition = entry.category.edition
    today = timezone.localdate(now)
    can_change = user.has_perm("competitions.change_entry", entry)
    is_operator = user.has_perm("competitions.screen_entry", entry)
    members = list(entry.partners.all())
    own_member = next(
        (m for m in members if user.is_authenticated and m.organisation_id == getattr(user, "organisation_id", None)),
        None,
    )
    awaiting = entry.status == EntryStatus.SUBMITTED and now < edition.judging_start_at
    answers = _answers_shown(entry)
    context = {
        "entry": entry,
        "category": entry.category,
        "edition": edition,
        "answers": answers,
        "members": members,
        "documents": list(entry.documents.all()),
        "error": error,
        "is_draft": entry.status == EntryStatus.DRAFT,
        "can_edit": can_change and entry.status == EntryStatus.DRAFT and edition.accepts_applications(now),
        "can_withdraw": can_change and entry.status != EntryStatus.WITHDRAWN and now < edition.judging_start_at,
        "can_screen": is_operator and entry.status in services.SUBMITTED_STATES and not edition.is_published,
        "max_documents": defaults.MAX_DOCUMENTS_PER_ENTRY,
        "document_form": document_form or forms.DocumentForm(),
        "screening_form": screening_form or forms.ScreeningForm(),
        "nominee_may_answer": (
            entry.category.kind == AwardKind.INFLUENCE_FIGURE
            and awaiting
            and entry.nominee_confirmed_at is None
            and user.has_perm("competitions.respond_nomination", entry)
        ),
        "partner_may_answer": (
            entry.category.kind == AwardKind.BEST_PARTNER
            and awaiting
            and own_member is not None
            and own_member.confirmed_at is None
            and user.has_perm("competitions.confirm_partnership", entry)
        ),
        "missing_answers": [a["label"] for a in answers if a["required"] and a["value"] in ("", None)]
        if entry.status == EntryStatus.DRAFT and can_change
        else [],
        "rule_problems": eligibility.rule_problems(entry, final=entry.status != EntryStatus.DRAFT, today=today)
        if (is_operator or can_change) and entry.status != EntryStatus.WITHDRAWN
        else [],
        "unrepresented": selectors.organisations_without_representatives(
            organisation_ids=[m.organisation_id for m in members]
        )
        if entry.category.kind == AwardKind.BEST_PARTNER
        else set(),
        "supply_links": selectors.partnership_supply_links(entry=entry)
        if entry.category.kind == AwardKind.BEST_PARTNER
        else [],
        "qualifications": selectors.automotive_qualifications(entry=entry, day=today)
        if entry.category.kind == AwardKind.TOP50
        else [],
    }
    return render(request, "competitions/entry_detail.html", context, status=status)


@login_required
@require_GET
def entry(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_page(request, _visible_entry(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    current = _visible_entry(request, pk)
    user: Any = request.user
    if not user.has_perm("competitions.change_entry", current):
        raise PermissionDenied(_("You may not change this application."))
    category = current.category
    products = _products_for(request, category, current.organisation_id)
    status = 200
    if request.method != "POST":
        form = forms.ApplicationForm(
            initial=forms.ApplicationForm.initial_for(current), category=category, products=products
        )
    else:
        form = forms.ApplicationForm(request.POST, category=category, products=products)
        status = 400
        if form.is_valid():
            try:
                services.entry_update(
                    entry=current,
                    by=user,
                    title=form.cleaned_data["title"],
                    answers=form.answers(),
                    product=form.product_choice(products) if "product" in form.fields else None,
                    partners=form.cleaned_data.get("partners") if "partners" in form.fields else None,
                )
            except ChipTownError as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                status = exc.status
                forms.show_problems(form, exc)
            else:
                messages.success(request, _("Draft saved."))
                return redirect(current.get_absolute_url())
    return render(
        request,
        "competitions/entry_form.html",
        {"form": form, "entry": current, "category": category, "edition": category.edition},
        status=status,
    )


def _refused(request: HttpRequest, entry: Entry, exc: ChipTownError, **forms_kwargs: Any) -> HttpResponse:
    """A refusal shown on the application page (re-read, so it shows what really is), with its 4xx status."""
    if isinstance(exc, PermissionDenied):
        raise exc
    # Problems name questions by their code; people read the question's label.
    labels = {str(q.get("name")): question_label(q) for q in entry.category.form_fields}
    shown = ChipTownError(
        exc.message,
        code=exc.code,
        status=exc.status,
        problems=[replace(p, column=labels.get(p.column or "", p.column)) for p in exc.problems],
    )
    return _entry_page(request, _entry_or_404(entry.pk), status=exc.status, error=shown, **forms_kwargs)


@login_required
@require_POST
def entry_submit(request: HttpRequest, pk: int) -> HttpResponse:
    current = _visible_entry(request, pk)
    try:
        services.entry_submit(entry=current, by=request.user)
    except ChipTownError as exc:
        return _refused(request, current, exc)
    messages.success(request, _("Application submitted. A receipt is on its way by email."))
    return redirect(current.get_absolute_url())


@login_required
@require_POST
def entry_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    current = _visible_entry(request, pk)
    try:
        services.entry_withdraw(entry=current, by=request.user)
    except ChipTownError as exc:
        return _refused(request, current, exc)
    messages.success(request, _("Application withdrawn."))
    return redirect(current.get_absolute_url())


# --- Documents ---------------------------------------------------------------------------------------------------


@login_required
@require_POST
def entry_document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    current = _visible_entry(request, pk)
    form = forms.DocumentForm(request.POST, request.FILES)
    upload = request.FILES.get("file")
    if not form.is_valid() or not isinstance(upload, UploadedFile):
        return _entry_page(request, current, status=400, document_form=form)
    try:
        services.entry_attach(entry=current, by=request.user, upload=upload)
    except ChipTownError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        forms.show_problems(form, exc)
        return _entry_page(request, _entry_or_404(pk), status=exc.status, document_form=form)
    messages.success(request, _("Document attached."))
    return redirect(current.get_absolute_url())


@login_required
@require_GET
def entry_document(request: HttpRequest, pk: int) -> FileResponse:
    """A document of an application, for whoever may see the application (never a raw path under MEDIA)."""
    document = selectors.entry_document(pk=pk)
    if document is None:
        raise Http404(_("No such document."))
    if not request.user.has_perm("competitions.view_application", document.entry):
        raise PermissionDenied(_("You may not see this application."))
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("No such document.")) from exc
    return FileResponse(handle, content_type="application/pdf", filename=document.name)


@login_required
@require_POST
def entry_document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.entry_document(pk=pk)
    if document is None:
        raise Http404(_("No such document."))
    current = _visible_entry(request, document.entry_id)
    try:
        services.entry_detach(document=document, by=request.user)
    except ChipTownError as exc:
        return _refused(request, current, exc)
    messages.success(request, _("Document removed."))
    return redirect(current.get_absolute_url())


# --- Confirmations -----------------------------------------------------------------------------------------------


def _accepts(request: HttpRequest) -> bool:
    answer = request.POST.get("answer")
    if answer not in ("confirm", "decline"):
        raise ChipTownError(_("Choose confirm or decline."), code="invalid")
    return answer == "confirm"


@login_required
@require_POST
def nomination_respond(request: HttpRequest, pk: int) -> HttpResponse:
    current = _visible_entry(request, pk)
    try:
        accept = _accepts(request)
        services.nomination_respond(entry=current, by=request.user, accept=accept)
    except ChipTownError as exc:
        return _refused(request, current, exc)
    messages.success(request, _("Thank you: nomination confirmed.") if accept else _("Nomination declined."))
    return redirect(current.get_absolute_url())


@login_required
@require_POST
def partnership_respond(request: HttpRequest, pk: int) -> HttpResponse:
    current = _visible_entry(request, pk)
    try:
        accept = _accepts(request)
        services.partnership_respond(entry=current, by=request.user, accept=accept)
    except ChipTownError as exc:
        return _refused(request, current, exc)
    messages.success(request, _("Thank you: partnership confirmed.") if accept else _("Partnership declined."))
    return redirect(current.get_absolute_url())


# --- Screening ---------------------------------------------------------------------------------------------------


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def entry_screen(request: HttpRequest, pk: int) -> HttpResponse:
    current = _visible_entry(request, pk)
    if not request.user.has_perm("competitions.screen_entry", current):
        raise PermissionDenied(_("Only competition operators screen applications."))
    form = forms.ScreeningForm(request.POST)
    if not form.is_valid():
        return _entry_page(request, current, status=400, screening_form=form)
    try:
        services.entry_screen(
            entry=current,
            by=request.user,
            eligible=form.cleaned_data["decision"] == EntryStatus.ELIGIBLE,
            reason=form.cleaned_data["reason"],
        )
    except ChipTownError as exc:
        if isinstance(exc, PermissionDenied):
            raise
        forms.show_problems(form, exc)
        return _entry_page(request, _entry_or_404(pk), status=exc.status, error=exc, screening_form=form)
    messages.success(request, _("Decision recorded; the applicant has been told by email."))
    return redirect(_safe_next(request, current.get_absolute_url()))


@login_required
@require_GET
def screening(request: HttpRequest, year: int, kind: str) -> HttpResponse:
    category = _category_or_404(year, kind)
    if not request.user.has_perm("competitions.screen_entry", None):
        raise PermissionDenied(_("Only competition operators screen applications."))
    filters = forms.ScreeningFilterForm(request.GET)
    page = selectors.screening_page(category=category, page_number=request.GET.get("page"), **filters.filters())
    return render(
        request,
        "competitions/screening_list.html",
        {"screening": page, "category": category, "edition": category.edition, "filters": filters},
    )


# --- My applications ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def my_entries(request: HttpRequest) -> HttpResponse:
    mine = selectors.my_applications(user=request.user)
    return render(request, "competitions/my_entries.html", {"mine": mine})
