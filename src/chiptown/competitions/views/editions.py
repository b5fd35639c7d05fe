"""Edition pages: the list of editions, an edition with its categories, timeline and counts, and the operators'
pages to create an edition and edit its timeline and categories.

Plain function views: parse with a form, read through selectors, write through services (which check
permissions again and audit). Field problems go back into the form; refusals become 403 pages."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from chiptown.competitions import eligibility, forms, selectors
from chiptown.competitions.models import Category, Edition
from chiptown.competitions.services import editions as services
from chiptown.competitions.views.lookups import edition_or_404
from chiptown.core.errors import ChipTownError, PermissionDenied
from chiptown.core.rules import require
from chiptown.registry.models import pick_language


class AwardConverter:
    """The four award kinds in URLs (so /competition/<year>/<kind>/ never shadows another part's pages)."""

    regex = "influence_figure|top50|most_promising|best_partner"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


def _require_operator(request: HttpRequest) -> None:
    require(request.user, "competitions.manage", None, _("Only competition operators may do this."))


def _category_or_404(year: int, kind: str) -> Category:
    category = selectors.category_by_kind(year=year, kind=kind)
    if category is None:
        raise Http404(_("No such award category."))
    return category


@require_GET
def editions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "competitions/edition_list.html",
        {
            "editions": list(selectors.editions_with_counts()),
            "can_manage": request.user.has_perm("competitions.manage"),
        },
    )


@require_GET
def edition(request: HttpRequest, year: int) -> HttpResponse:
    overview = selectors.edition_overview(year=year)
    if overview is None:
        raise Http404(_("No such edition."))
    now = timezone.now()
    user = request.user
    categories: list[dict[str, Any]] = [
        {
            "counts": counts,
            "category": counts.category,
            "description": pick_language(counts.category.description_zh, counts.category.description_en),
            "rules": eligibility.describe(counts.category),
            "rubric": [
                {**criterion, "label": pick_language(criterion.get("label_zh", ""), criterion.get("label_en", ""))}
                for criterion in counts.category.rubric
            ],
            "can_apply": user.has_perm("competitions.apply", counts.category),
        }
        for counts in overview.categories
    ]
    return render(
        request,
        "competitions/edition_detail.html",
        {
            "overview": overview,
            "edition": overview.edition,
            "categories": categories,
            "accepting": overview.edition.accepts_applications(now),
            "before_open": now < overview.edition.applications_open_at,
            "can_manage": user.has_perm("competitions.manage"),
        },
    )


def _edition_form_page(
    request: HttpRequest, form: forms.EditionForm, edition: Edition | None, status: int = 200
) -> HttpResponse:
    return render(request, "competitions/edition_form.html", {"form": form, "edition": edition}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def edition_create(request: HttpRequest) -> HttpResponse:
    _require_operator(request)
    if request.method != "POST":
        return _edition_form_page(request, forms.EditionForm(), None)
    form = forms.EditionForm(request.POST)
    if form.is_valid():
        try:
            created = services.edition_create(by=request.user, year=form.cleaned_data["year"], **form.values())
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            forms.show_problems(form, exc)
        else:
            messages.success(request, _("Edition created with the four standard award categories."))
            return redirect(created.get_absolute_url())
    return _edition_form_page(request, form, None, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def edition_edit(request: HttpRequest, year: int) -> HttpResponse:
    _require_operator(request)
    current = edition_or_404(year)
    if request.method != "POST":
        return _edition_form_page(request, forms.EditionForm(edition=current), current)
    form = forms.EditionForm(request.POST, edition=current)
    if form.is_valid():
        try:
            services.edition_update(edition=current, by=request.user, values=form.values())
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            forms.show_problems(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(current.get_absolute_url())
    return _edition_form_page(request, form, current, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def category_edit(request: HttpRequest, year: int, kind: str) -> HttpResponse:
    _require_operator(request)
    category = _category_or_404(year, kind)
    status = 200
    if request.method != "POST":
        form = forms.CategoryForm(category=category)
    else:
        form = forms.CategoryForm(request.POST, category=category)
        if form.is_valid():
            try:
                services.category_update(category=category, by=request.user, values=form.values())
            except ChipTownError as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                forms.show_problems(form, exc)
            else:
                messages.success(request, _("Changes saved."))
                return redirect(category.edition.get_absolute_url())
        status = 400
    return render(
        request,
        "competitions/category_form.html",
        {"form": form, "category": category, "edition": category.edition},
        status=status,
    )
