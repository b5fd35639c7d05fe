"""Operators' judging pages: judges (who they are, what they know, where they worked), their declared conflicts,
panels, pins and forbids, running the assignment as a background job and reading the latest run.

Plain function views: parse with a form, read through selectors, write through services (which check
permissions again and audit). Field problems go back into the form; refusals become 403 pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chiptown.competitions import selectors
from chiptown.competitions.models import (
    Category,
    ConflictDeclaration,
    Edition,
    Entry,
    Judge,
    PairRule,
    Panel,
)
from chiptown.competitions.services import assignment as assignment_services
from chiptown.competitions.services import judges as judge_services
from chiptown.competitions.views.lookups import category_or_404, edition_or_404
from chiptown.core.errors import ChipTownError, PermissionDenied
from chiptown.core.forms import show_problems
from chiptown.core.models import Job
from chiptown.core.rules import require
from chiptown.registry import selectors as registry_selectors
from chiptown.registry.models import ChipCategory

# --- helpers ------------------------------------------------------------------------------------------------------


def _require(request: HttpRequest, perm: str, target: Any = None) -> None:
    require(request.user, perm, target, _("Only operators may manage judges and assignments."))


def _judge_or_404(pk: int) -> Judge:
    judge = selectors.judge_for_admin(pk=pk)
    if judge is None:
        raise Http404(_("No such judge."))
    return judge


def _picker(url: Any, target: str) -> dict[str, Any]:
    """Attributes of a text input that suggests registry rows as you type (a <datalist> filled by HTMX)."""
    return {
        "list": target,
        "autocomplete": "off",
        "hx-get": url,
        "hx-trigger": "input changed delay:250ms",
        "hx-target": f"#{target}",
        "hx-swap": "innerHTML",
    }


class RegistryPickerField(forms.CharField):
    """A registry row picked by name ("name #id" from the suggestions, or an exact name), found by one of the
    registry's *_by_reference selectors."""

    def __init__(self, *, find: Callable[[str], Any], not_found: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.find = find
        self.not_found = not_found

    def clean(self, value: Any) -> Any:
        text = str(super().clean(value) or "").strip()
        if not text:
            return None
        found = self.find(text)
        if found is None:
            raise forms.ValidationError(self.not_found)
        return found


def person_picker(**kwargs: Any) -> RegistryPickerField:
    return RegistryPickerField(
        find=registry_selectors.person_by_reference,
        not_found=gettext_lazy("No single person matches; pick one from the suggestions."),
        **kwargs,
    )


def organisation_picker(**kwargs: Any) -> RegistryPickerField:
    return RegistryPickerField(
        find=registry_selectors.organisation_by_reference,
        not_found=gettext_lazy("No single organisation matches; pick one from the suggestions."),
        **kwargs,
    )


# --- forms --------------------------------------------------------------------------------------------------------


class JudgeForm(forms.Form):
    person = person_picker(
        label=gettext_lazy("Registry person"),
        required=False,
        max_length=300,
        help_text=gettext_lazy(
            "Who the judge is in the registry: their organisation's suppliers, customers and investors become "
            "conflicts of interest."
        ),
    )
    expertise_categories = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Chip categories they know"),
        queryset=ChipCategory.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    expertise_text = forms.CharField(
        label=gettext_lazy("Expertise in their own words"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=judge_services.EXPERTISE_MAX,
        help_text=gettext_lazy("Chinese or English; compared with the applications' text."),
    )
    max_load = forms.IntegerField(
        label=gettext_lazy("Most entries in the edition"),
        required=False,
        min_value=1,
        max_value=1000,
        help_text=gettext_lazy("Leave empty for the category's limit."),
    )
    add_former_employer = organisation_picker(
        label=gettext_lazy("Add a former employer"), required=False, max_length=300
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.attrs.update(
            _picker(reverse_lazy("competitions:judging_person_options"), "people")
        )
        self.fields["add_former_employer"].widget.attrs.update(
            _picker(reverse_lazy("competitions:judging_organisation_options"), "organisations")
        )


class JudgeCreateForm(JudgeForm):
    user = forms.ModelChoiceField(
        label=gettext_lazy("User account (role: judge)"), queryset=get_user_model().objects.none()
    )

    field_order = ["user", "person", "expertise_categories", "expertise_text", "max_load", "add_former_employer"]

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            get_user_model().objects.filter(role="judge").exclude(judgeships__edition=edition).order_by("username")
        )


class DropOutForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why the judge drops out"), max_length=judge_services.REASON_MAX)


class DeclarationForm(forms.Form):
    organisation = organisation_picker(label=gettext_lazy("Organisation"), required=False, max_length=300)
    entry = forms.IntegerField(
        label=gettext_lazy("Or one entry (its number)"),
        required=False,
        min_value=1,
        help_text=gettext_lazy("e.g. 1234"),
    )
    reason = forms.CharField(label=gettext_lazy("The tie"), max_length=judge_services.REASON_MAX, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].widget.attrs.update(
            _picker(reverse_lazy("competitions:judging_organisation_options"), "organisations")
        )


class JudgeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.user.get_username()})"


class PanelForm(forms.Form):
    judges = JudgeChoiceField(
        label=gettext_lazy("Judges on the panel"),
        queryset=Judge.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args: Any, edition: Edition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["judges"]
        assert isinstance(field, forms.ModelMultipleChoiceField)
        field.queryset = Judge.objects.filter(edition=edition, active=True).select_related("user", "person")


class PairRuleForm(forms.Form):
    entry = forms.IntegerField(label=gettext_lazy("Entry number"), min_value=1)
    judge = forms.ModelChoiceField(label=gettext_lazy("Judge"), queryset=Judge.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("Rule"), choices=PairRule.Kind.choices)
    reason = forms.CharField(label=gettext_lazy("Reason"), required=False, max_length=judge_services.REASON_MAX)

    def __init__(self, *args: Any, category: Category, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["judge"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Judge.objects.filter(panels__category=category, active=True).select_related("user", "person")


class RunForm(forms.Form):
    fair = forms.BooleanField(
        label=gettext_lazy("Fair: lift the worst-served entry (keeps the total within a hair of the best)"),
        required=False,
    )
    reoptimise = forms.BooleanField(
        label=gettext_lazy("Re-decide assignments whose review has not started (otherwise only fill the gaps)"),
        required=False,
    )


# --- judges -------------------------------------------------------------------------------------------------------


@login_required
@require_GET
def judges(request: HttpRequest, year: int) -> HttpResponse:
    edition = edition_or_404(year)
    _require(request, "competitions.manage_judges", edition)
    rows = list(selectors.edition_judges(edition=edition))
    categories = list(edition.categories.all())
    return render(request, "competitions/judges.html", {"edition": edition, "judges": rows, "categories": categories})


def _judge_values(form: JudgeForm) -> dict[str, Any]:
    return {
        "person": form.cleaned_data["person"],
        "expertise_categories": list(form.cleaned_data["expertise_categories"]),
        "expertise_text": form.cleaned_data["expertise_text"],
        "max_load": form.cleaned_data["max_load"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def judge_create(request: HttpRequest, year: int) -> HttpResponse:
    edition = edition_or_404(year)
    _require(request, "competitions.manage_judges", edition)
    form = JudgeCreateForm(request.POST or None, edition=edition)
    if request.method == "POST" and form.is_valid():
        values = _judge_values(form)
        former = form.cleaned_data["add_former_employer"]
        try:
            judge = judge_services.judge_create(
                by=request.user,
                edition=edition,
                user=form.cleaned_data["user"],
                former_employers=[former] if former else [],
                **values,
            )
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            show_problems(form, exc)
        else:
            messages.success(request, _("Judge added."))
            return redirect("competitions:judging_judge_edit", pk=judge.pk)
    return render(
        request,
        "competitions/judge_form.html",
        {"edition": edition, "form": form, "judge": None},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def judge_edit(request: HttpRequest, pk: int) -> HttpResponse:
    judge = _judge_or_404(pk)
    _require(request, "competitions.manage_judges", judge)
    initial = {
        "person": f"{judge.person.display_name} #{judge.person.pk}" if judge.person else "",
        "expertise_categories": list(judge.expertise_categories.all()),
        "expertise_text": judge.expertise_text,
        "max_load": judge.max_load,
    }
    form = JudgeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        values = _judge_values(form)
        keep = {int(v) for v in request.POST.getlist("keep_former") if v.isdigit()}
        employers = [o for o in judge.former_employers.all() if o.pk in keep]
        if form.cleaned_data["add_former_employer"]:
            employers.append(form.cleaned_data["add_former_employer"])
        try:
            judge_services.judge_update(judge=judge, by=request.user, values={**values, "former_employers": employers})
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            show_problems(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("competitions:judging_judge_edit", pk=judge.pk)
    return render(
        request,
        "competitions/judge_form.html",
        {"edition": judge.edition, "form": form, "judge": judge, "drop_out_form": DropOutForm()},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def judge_drop_out(request: HttpRequest, pk: int) -> HttpResponse:
    judge = _judge_or_404(pk)
    _require(request, "competitions.manage_judges", judge)
    form = DropOutForm(request.POST)
    if form.is_valid():
        try:
            result = judge_services.judge_drop_out(judge=judge, by=request.user, reason=form.cleaned_data["reason"])
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            messages.error(request, exc.problems[0].reason if exc.problems else exc.message)
        else:
            messages.success(
                request,
                _(
                    "The judge dropped out: %(removed)d assignments removed, %(kept)d submitted reviews kept. "
                    "Run the assignment again to fill the gaps."
                )
                % {"removed": result.assignments_removed, "kept": result.submitted_kept},
            )
    else:
        messages.error(request, _("Say why the judge drops out."))
    return redirect("competitions:judging_judge_edit", pk=judge.pk)


# --- declarations -------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def declarations(request: HttpRequest, pk: int) -> HttpResponse:
    """A judge's declared ties: the judge declares their own, operators see and add them for anyone."""
    judge = _judge_or_404(pk)
    if not request.user.has_perm("competitions.declare_conflict", judge):
        raise PermissionDenied(_("You may only declare your own conflicts."))
    form = DeclarationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entry = None
        if form.cleaned_data["entry"]:
            entry = Entry.objects.select_related("category").filter(pk=form.cleaned_data["entry"]).first()
            if entry is None:
                form.add_error("entry", _("No such entry."))
        if not form.errors:
            try:
                judge_services.declaration_create(
                    judge=judge,
                    by=request.user,
                    organisation=form.cleaned_data["organisation"],
                    entry=entry,
                    reason=form.cleaned_data["reason"],
                )
            except ChipTownError as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                show_problems(form, exc)
            else:
                messages.success(request, _("Declared. You will not be assigned or shown entries it touches."))
                return redirect("competitions:judging_declarations", pk=judge.pk)
    return render(
        request,
        "competitions/declarations.html",
        {
            "judge": judge,
            "form": form,
            "declarations": selectors.judge_declarations(judge=judge),
            "can_withdraw": request.user.has_perm("competitions.manage_judges", judge),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def my_declarations(request: HttpRequest, year: int) -> HttpResponse:
    """A judge's way to their own declarations page for an edition."""
    judge = Judge.objects.filter(edition__year=year, user_id=request.user.pk or 0).first()
    if judge is None:
        raise Http404(_("You are not a judge of this edition."))
    return redirect("competitions:judging_declarations", pk=judge.pk)


@login_required
@require_POST
def declaration_delete(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = ConflictDeclaration.objects.select_related("judge").filter(pk=pk).first()
    if declaration is None:
        raise Http404(_("No such declaration."))
    judge_id = declaration.judge_id
    judge_services.declaration_delete(declaration=declaration, by=request.user)
    messages.success(request, _("Declaration withdrawn."))
    return redirect("competitions:judging_declarations", pk=judge_id)


# --- panels and pins ----------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def panel(request: HttpRequest, pk: int) -> HttpResponse:
    category = category_or_404(pk)
    _require(request, "competitions.manage_judges", category)
    current = Panel.objects.filter(category=category).first()
    initial = {"judges": list(current.judges.all()) if current else []}
    form = PanelForm(request.POST or None, edition=category.edition, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            judge_services.panel_set_judges(category=category, by=request.user, judges=form.cleaned_data["judges"])
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            show_problems(form, exc)
        else:
            messages.success(request, _("Panel saved."))
            return redirect("competitions:judging_panel", pk=category.pk)
    return render(
        request,
        "competitions/panel.html",
        {"category": category, "edition": category.edition, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_pairs(request: HttpRequest, pk: int) -> HttpResponse:
    """Pins and forbids of a category."""
    category = category_or_404(pk)
    _require(request, "competitions.run_assignment", category)
    form = PairRuleForm(request.POST or None, category=category)
    if request.method == "POST" and form.is_valid():
        entry = (
            Entry.objects.select_related("category").filter(pk=form.cleaned_data["entry"], category=category).first()
        )
        if entry is None:
            form.add_error("entry", _("No such entry in this category."))
        else:
            try:
                judge_services.pair_rule_set(
                    entry=entry,
                    judge=form.cleaned_data["judge"],
                    kind=form.cleaned_data["kind"],
                    by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except ChipTownError as exc:
                if isinstance(exc, PermissionDenied):
                    raise
                show_problems(form, exc)
            else:
                messages.success(request, _("Rule saved; it applies from the next run."))
                return redirect("competitions:judging_pairs", pk=category.pk)
    return render(
        request,
        "competitions/assignment_pairs.html",
        {
            "category": category,
            "edition": category.edition,
            "form": form,
            "rules": selectors.category_pair_rules(category=category),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def pair_rule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rule = PairRule.objects.select_related("entry__category").filter(pk=pk).first()
    if rule is None:
        raise Http404(_("No such rule."))
    category_id = rule.entry.category_id
    judge_services.pair_rule_delete(rule=rule, by=request.user)
    messages.success(request, _("Rule removed."))
    return redirect("competitions:judging_pairs", pk=category_id)


# --- the assignment -----------------------------------------------------------------------------------------------


@login_required
@require_GET
def assignment(request: HttpRequest, pk: int) -> HttpResponse:
    """The latest run's figures, per-judge loads and per-entry judges; the form that starts a run; the running
    job's progress bar."""
    category = category_or_404(pk)
    _require(request, "competitions.run_assignment", category)
    overview = selectors.assignment_overview(category=category, page_number=request.GET.get("page"))
    job = None
    job_id = request.GET.get("job", "")
    if job_id:
        job = Job.objects.filter(pk=job_id, kind="competitions.assignment").first() if _uuid(job_id) else None
    return render(
        request,
        "competitions/assignment.html",
        {
            "category": category,
            "edition": category.edition,
            "overview": overview,
            "form": RunForm(),
            "job": job,
        },
    )


def _uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@login_required
@require_POST
def assignment_start(request: HttpRequest, pk: int) -> HttpResponse:
    category = category_or_404(pk)
    _require(request, "competitions.run_assignment", category)
    form = RunForm(request.POST)
    form.is_valid()
    job = assignment_services.assignment_run_submit(
        category=category,
        by=request.user,
        fair=bool(form.cleaned_data.get("fair")),
        reoptimise=bool(form.cleaned_data.get("reoptimise")),
    )
    return redirect(reverse("competitions:judging_assignment", args=[category.pk]) + f"?job={job.pk}")


# --- pickers ------------------------------------------------------------------------------------------------------


def _typed(request: HttpRequest, *names: str) -> str:
    for name in names:
        value = request.GET.get(name)
        if value:
            return value
    return ""


@login_required
@require_GET
def person_options(request: HttpRequest) -> HttpResponse:
    _require(request, "competitions.manage_judges")
    people = selectors.person_suggestions(text=_typed(request, "person", "q"))
    return render(request, "competitions/nomination_person_options.html", {"people": people})


@login_required
@require_GET
def organisation_options(request: HttpRequest) -> HttpResponse:
    """Organisations for the former-employer and declaration pickers (judges declare their own ties)."""
    if not (request.user.has_perm("competitions.manage_judges") or getattr(request.user, "role", "") == "judge"):
        raise PermissionDenied(_("Only operators and judges may search here."))
    from chiptown.registry import selectors as registry_selectors

    text = _typed(request, "organisation", "add_former_employer", "q")
    organisations = registry_selectors.organisation_suggestions(text=text) if text.strip() else []
    return render(request, "registry/_organisation_options.html", {"organisations": organisations})
