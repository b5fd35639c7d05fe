"""Forms of the competition's application pages: rendering and field parsing only; every rule lives in the
services (which check it again for callers that skip the form)."""

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from chiptown.competitions.models import AwardKind, Category, Edition, EntryStatus
from chiptown.competitions.services.editions import TIMELINE
from chiptown.core.errors import ChipTownError
from chiptown.core.forms import show_problems as core_show_problems
from chiptown.core.questions import ANSWER_PREFIX, JSONTextField, answers_initial, answers_posted, question_fields
from chiptown.registry import selectors as registry_selectors
from chiptown.registry.models import Organisation, Person, Product, Standard

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


class DateTimeInput(forms.DateTimeInput):
    """A browser date-and-time picker; values are shown and read in Asia/Shanghai (the active time zone)."""

    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format=DATETIME_FORMAT)


def _datetime(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label, input_formats=[DATETIME_FORMAT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"], widget=DateTimeInput()
    )


class EditionForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    applications_open_at = _datetime(_("Applications open"))
    applications_close_at = _datetime(_("Applications close"))
    judging_start_at = _datetime(_("Judging starts"))
    judging_end_at = _datetime(_("Judging ends"))
    results_at = _datetime(_("Results announced"))

    def __init__(self, *args: Any, edition: Edition | None = None, **kwargs: Any) -> None:
        if edition is not None and "initial" not in kwargs:
            # Always, also on POST: the disabled year field takes its value from here.
            kwargs["initial"] = {
                "year": edition.year,
                "name_zh": edition.name_zh,
                "name_en": edition.name_en,
                **{name: getattr(edition, name) for name in TIMELINE},
            }
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        for name in TIMELINE:
            fields[name].help_text = _("Asia/Shanghai time")
        if edition is not None:
            fields["year"].disabled = True
            fields["year"].help_text = _("The year names the edition's pages and cannot change.")

    def values(self) -> dict[str, Any]:
        return {
            "name_zh": self.cleaned_data["name_zh"],
            "name_en": self.cleaned_data["name_en"],
            **{name: self.cleaned_data[name] for name in TIMELINE},
        }


class CategoryForm(forms.Form):
    """A category's settings; the eligibility parameters shown depend on the award."""

    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    description_zh = forms.CharField(
        label=_("Description (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    max_age_years = forms.IntegerField(
        label=_("Founded at most this many years before the edition"), required=False, min_value=1, max_value=50
    )
    requires_valid_qualification = forms.BooleanField(
        label=_("Requires a product with a valid automotive qualification"), required=False
    )
    qualification_standards = forms.MultipleChoiceField(
        label=_("Qualifications that count"),
        required=False,
        choices=Standard.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    min_partners = forms.IntegerField(
        label=_("Least number of organisations"), required=False, min_value=2, max_value=20
    )
    requires_nominee_confirmation = forms.BooleanField(label=_("The nominee must confirm"), required=False)
    winners = forms.IntegerField(label=_("Number of winners"), min_value=1, max_value=1000)
    judges_per_entry = forms.IntegerField(label=_("Judges per entry (k)"), min_value=1, max_value=20)
    max_judge_load = forms.IntegerField(label=_("Most entries per judge"), min_value=1, max_value=1000)
    rubric = JSONTextField(
        label=_("Rubric"),
        help_text=_(
            'A list of criteria: {"code", "label_en", "label_zh", "weight", "min", "max"}; weights add up to 1.'
        ),
    )
    form_fields = JSONTextField(
        label=_("Application form"),
        required=False,
        help_text=_(
            'A list of questions: {"name", "label_en", "label_zh", "type": text, textarea, number or url, '
            '"required", "max_length"}.'
        ),
    )

    ELIGIBILITY_FIELDS = {
        AwardKind.INFLUENCE_FIGURE: ("requires_nominee_confirmation",),
        AwardKind.TOP50: ("requires_valid_qualification", "qualification_standards"),
        AwardKind.MOST_PROMISING: ("max_age_years",),
        AwardKind.BEST_PARTNER: ("min_partners",),
    }
    VALUE_FIELDS = (
        "name_zh",
        "name_en",
        "description_zh",
        "description_en",
        "winners",
        "judges_per_entry",
        "max_judge_load",
        "rubric",
        "form_fields",
    )

    def __init__(self, *args: Any, category: Category, **kwargs: Any) -> None:
        self.category = category
        if "initial" not in kwargs and not args:
            kwargs["initial"] = {
                **{name: getattr(category, name) for name in self.VALUE_FIELDS},
                **(category.eligibility or {}),
            }
        super().__init__(*args, **kwargs)
        keep = self.ELIGIBILITY_FIELDS[AwardKind(category.kind)]
        for name in {n for names in self.ELIGIBILITY_FIELDS.values() for n in names} - set(keep):
            del self.fields[name]
        if "max_age_years" in self.fields:
            self.fields["max_age_years"].required = True
        if "min_partners" in self.fields:
            self.fields["min_partners"].required = True

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.VALUE_FIELDS}
        eligibility: dict[str, Any] = {}
        for name in self.ELIGIBILITY_FIELDS[AwardKind(self.category.kind)]:
            value = self.cleaned_data.get(name)
            if name == "qualification_standards":
                if value:
                    eligibility[name] = list(value)
            elif value is not None:
                eligibility[name] = value
        values["eligibility"] = eligibility
        return values


# --- Applications ------------------------------------------------------------------------------------------------


def _organisation_picker(field: forms.Field, list_id: str) -> None:
    field.widget.attrs.update(
        {
            "list": list_id,
            "autocomplete": "off",
            "hx-get": reverse_lazy("registry:organisation_suggest"),
            "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{list_id}",
            "hx-swap": "innerHTML",
        }
    )


class PartnersField(forms.CharField):
    """Organisations, one per line, as the registry picker writes them ("name #id"), by credit code or by exact
    name."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return "\n".join(f"{o.display_name} #{o.pk}" for o in value)
        return value

    def to_python(self, value: Any) -> list[Organisation]:  # type: ignore[override]
        text = super().to_python(value) or ""
        found: list[Organisation] = []
        unknown: list[str] = []
        for line in text.splitlines():
            if not line.strip():
                continue
            organisation = registry_selectors.organisation_by_reference(line)
            if organisation is None:
                unknown.append(line.strip())
            elif all(o.pk != organisation.pk for o in found):
                found.append(organisation)
        if unknown:
            raise forms.ValidationError(
                _("No single organisation matches: %(names)s. Pick each from the suggestions."),
                params={"names": "; ".join(unknown)},
            )
        return found


class ApplicationForm(forms.Form):
    """A draft application: its title, the product (Top 50, Most Promising), the partners (Best Partner) and one
    field per question of the category's form, labelled in the reader's language. Required answers are marked
    but only enforced at submission, so a draft can be saved half-done."""

    organisation = forms.CharField(
        label=_("Applying organisation"),
        max_length=300,
        help_text=_("Operators apply on an organisation's behalf: type to search the registry."),
    )
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    product = forms.ChoiceField(label=_("Product (optional)"), required=False)
    partners = PartnersField(
        label=_("Partner organisations"),
        required=False,
        help_text=_("One per line; type to search the registry. Your own organisation is named first automatically."),
    )

    def __init__(
        self,
        *args: Any,
        category: Category,
        products: list[Product] | None = None,
        pick_organisation: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.category = category
        fields: Any = self.fields
        if pick_organisation and category.applicant_kind != "person":
            _organisation_picker(fields["organisation"], "organisation-suggestions")
        else:
            del fields["organisation"]
        if category.applicant_kind == "organisation":
            fields["product"].choices = [
                ("", _("No particular product")),
                *[(str(p.pk), str(p)) for p in products or []],
            ]
        else:
            del fields["product"]
        if category.applicant_kind == "partnership":
            _organisation_picker(fields["partners"], "partner-suggestions")
        else:
            del fields["partners"]
        fields.update(question_fields(category.form_fields, prefix=ANSWER_PREFIX))

    def clean_organisation(self) -> Organisation:
        organisation = registry_selectors.organisation_by_reference(str(self.cleaned_data["organisation"]))
        if organisation is None:
            raise forms.ValidationError(_("No single organisation matches; pick one from the suggestions."))
        return organisation

    @staticmethod
    def initial_for(entry: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {"title": entry.title, "product": entry.product_id or ""}
        initial["partners"] = [m.organisation for m in entry.partners.all()][1:]
        initial.update(answers_initial(entry.answers, prefix=ANSWER_PREFIX))
        return initial

    def answers(self) -> dict[str, Any]:
        return answers_posted(self.cleaned_data, prefix=ANSWER_PREFIX)

    def product_choice(self, products: list[Product]) -> Product | None:
        chosen = str(self.cleaned_data.get("product") or "")
        return next((p for p in products if str(p.pk) == chosen), None)


class NominationForm(forms.Form):
    """Who is nominated: a person in the registry, picked by name (the picker writes "name #id")."""

    person = forms.CharField(
        label=_("Person"),
        max_length=300,
        help_text=_("Type to search the registry's people; the person confirms the nomination with their account."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.attrs.update(
            {
                "list": "person-suggestions",
                "autocomplete": "off",
                "hx-get": reverse_lazy("competitions:person_suggest"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#person-suggestions",
                "hx-swap": "innerHTML",
            }
        )

    def clean_person(self) -> Person:
        person = registry_selectors.person_by_reference(str(self.cleaned_data["person"]))
        if person is None:
            raise forms.ValidationError(_("No single person matches; pick one from the suggestions."))
        return person


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Document (PDF, at most 10 MiB)"))


class ScreeningForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(EntryStatus.ELIGIBLE, _("Eligible")), (EntryStatus.INELIGIBLE, _("Not eligible"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason (sent to the applicant; required when not eligible)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ScreeningFilterForm(forms.Form):
    """The screening list's filters, read from the query string; an invalid value is ignored."""

    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All submitted")), *[(s.value, s.label) for s in EntryStatus if s != EntryStatus.DRAFT]],
    )
    q = forms.CharField(label=_("Applicant"), required=False, max_length=100)

    def filters(self) -> dict[str, str]:
        self.is_valid()
        return {"status": self.cleaned_data.get("status") or "", "text": self.cleaned_data.get("q") or ""}


def show_problems(form: forms.Form, error: ChipTownError, aliases: dict[str, str] | None = None) -> None:
    """core.forms.show_problems, with answers found by their question's name."""
    core_show_problems(form, error, aliases, prefix=ANSWER_PREFIX)
