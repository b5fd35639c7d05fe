"""Forms of the registry pages: rendering and field-level parsing only; every rule lives in services/validation."""

from decimal import Decimal
from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from chiptown.registry import search, selectors
from chiptown.registry.models import (
    STANDARD_LEVELS,
    ChainRole,
    ChipCategory,
    Lifecycle,
    LinkStatus,
    Organisation,
    Person,
    Product,
    SizeBand,
    Standard,
)

ANY = [("", _("Any"))]
SORT_CHOICES = [
    ("name", _("Name A-Z")),
    ("-name", _("Name Z-A")),
    ("-founded", _("Newest first")),
    ("founded", _("Oldest first")),
]


def _level_choices() -> list[tuple[str, Any]]:
    grades = [(g, _("AEC-Q100 grade %(grade)s") % {"grade": g}) for g in STANDARD_LEVELS[Standard.AEC_Q100]]
    asils = [(a, a if a == "QM" else f"ASIL {a}") for a in STANDARD_LEVELS[Standard.ISO_26262]]
    return grades + asils


class DirectoryForm(forms.Form):
    """The directory's filters, read from the query string; an invalid value is ignored, never an error page."""

    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    role = forms.ChoiceField(label=_("Chain role"), required=False, choices=ANY + list(ChainRole.choices))
    category = forms.ChoiceField(label=_("Chip category"), required=False)
    standard = forms.ChoiceField(label=_("Qualification"), required=False, choices=ANY + list(Standard.choices))
    level = forms.ChoiceField(label=_("Grade / ASIL"), required=False)
    in_park = forms.ChoiceField(
        label=_("In the park"),
        required=False,
        choices=[("", _("Any")), ("yes", _("In the park")), ("no", _("Outside the park"))],
    )
    province = forms.ChoiceField(label=_("Province"), required=False)
    origin = forms.ChoiceField(label=_("Country"), required=False)
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=SORT_CHOICES)

    def __init__(self, *args: Any, facets: selectors.DirectoryFacets, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["category"].choices = ANY + [(c.code, c.display_name) for c in facets.categories]
        fields["level"].choices = ANY + _level_choices()
        fields["province"].choices = ANY + [(p, p) for p in facets.provinces]
        fields["origin"].choices = [
            ("", _("Any")),
            ("domestic", _("Domestic (China)")),
            ("foreign", _("Foreign")),
            *[(c, c) for c in facets.countries],
        ]

    def to_query(self) -> search.DirectoryQuery:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        in_park = {"yes": True, "no": False}.get(data.pop("in_park", ""))
        return search.DirectoryQuery(in_park=in_park, **data)


def _text(label: Any, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=kwargs.pop("required", False), **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class OrganisationForm(forms.Form):
    name_zh = _text(_("Name (Chinese)"), 200)
    name_en = _text(_("Name (English)"), 200)
    credit_code = _text(
        _("Unified Social Credit Code"), 18, help_text=_("18 characters with its check character; Chinese only.")
    )
    country = _text(_("Country"), 2, required=True, initial="CN", help_text=_("ISO 3166 code, e.g. CN, DE, US."))
    province = _text(_("Province"), 64)
    city = _text(_("City"), 64)
    address = _text(_("Address"), 255)
    in_park = forms.BooleanField(label=_("In the park"), required=False)
    size_band = forms.ChoiceField(label=_("Size"), required=False, choices=[("", "—"), *SizeBand.choices])
    founded_year = forms.IntegerField(label=_("Founded (year)"), required=False)
    website = _text(_("Website"), 200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    roles = forms.MultipleChoiceField(
        label=_("Chain roles"), required=False, choices=ChainRole.choices, widget=forms.CheckboxSelectMultiple
    )
    logo = forms.FileField(label=_("Logo (PNG, JPEG or WebP, at most 2 MiB)"), required=False)

    VALUE_FIELDS = (
        "name_zh",
        "name_en",
        "credit_code",
        "country",
        "province",
        "city",
        "address",
        "in_park",
        "size_band",
        "founded_year",
        "website",
        "description",
    )

    @classmethod
    def for_organisation(cls, organisation: Organisation) -> "OrganisationForm":
        initial = {name: getattr(organisation, name) for name in cls.VALUE_FIELDS}
        initial["credit_code"] = organisation.credit_code or ""
        initial["roles"] = [r.role for r in organisation.roles.all()]
        return cls(initial=initial)

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.VALUE_FIELDS}
        values["country"] = str(values["country"]).strip().upper()
        values["credit_code"] = str(values["credit_code"]).strip().upper() or None
        return values


class ProductForm(forms.Form):
    category = forms.ChoiceField(label=_("Chip category"))
    part_number = _text(_("Part number"), 64, required=True)
    name_zh = _text(_("Name (Chinese)"), 200)
    name_en = _text(_("Name (English)"), 200)
    process_node = _text(_("Process node"), 32, help_text=_("e.g. 28nm, 0.18um"))
    lifecycle = forms.ChoiceField(label=_("Lifecycle"), choices=Lifecycle.choices, initial=Lifecycle.MASS_PRODUCTION)

    def __init__(self, *args: Any, categories: list[ChipCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["category"].choices = [(c.code, c.display_name) for c in categories]

    @staticmethod
    def initial_for(product: Product) -> dict[str, Any]:
        return {
            "category": product.category_id,
            "part_number": product.part_number,
            "name_zh": product.name_zh,
            "name_en": product.name_en,
            "process_node": product.process_node,
            "lifecycle": product.lifecycle,
        }


PLANT = "organisation"


class QualificationForm(forms.Form):
    holder = forms.ChoiceField(label=_("Held by"))
    standard = forms.ChoiceField(label=_("Standard"), choices=Standard.choices)
    level = forms.ChoiceField(
        label=_("Grade / level"),
        required=False,
        help_text=_("AEC-Q100: grade 0-3; ISO 26262: QM or ASIL A-D; other standards: none."),
    )
    issuer = _text(_("Issuer"), 200)
    certificate_number = _text(_("Certificate number"), 64, required=True)
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DateInput())
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput())
    certificate_pdf = forms.FileField(label=_("Certificate (PDF, at most 10 MiB)"), required=False)

    VALUE_FIELDS = ("standard", "level", "issuer", "certificate_number", "issued_on", "expires_on")

    def __init__(self, *args: Any, products: list[Product], fixed_holder: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["level"].choices = [("", "—"), *_level_choices()]
        fields["holder"].choices = [
            (PLANT, _("The organisation itself (plant / quality system)")),
            *[(str(p.pk), str(p)) for p in products],
        ]
        if fixed_holder:
            fields["holder"].disabled = True

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data.get(name) for name in self.VALUE_FIELDS}


class SupplyLinkForm(forms.Form):
    """A supply link seen from the buyer: who supplies what, in which category, at which stage and share."""

    supplier = _text(
        _("Supplier"),
        300,
        required=True,
        help_text=_("Type to search, or give the exact name or credit code."),
    )
    category = forms.ChoiceField(label=_("Chip category"))
    part_number = _text(_("Product (part number)"), 64, help_text=_("Optional: the supplier's part number."))
    status = forms.ChoiceField(label=_("Status"), choices=LinkStatus.choices, initial=LinkStatus.EVALUATION)
    share = forms.DecimalField(
        label=_("Share of our volume in this category (%)"),
        required=False,
        max_digits=6,
        decimal_places=2,
    )
    since = forms.DateField(label=_("Since"), required=False, widget=DateInput())

    def __init__(self, *args: Any, categories: list[ChipCategory], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["category"].choices = [("", _("From the product")), *[(c.code, c.display_name) for c in categories]]
        fields["category"].required = False
        fields["supplier"].widget.attrs.update(
            {
                "list": "supplier-suggestions",
                "autocomplete": "off",
                "hx-get": reverse_lazy("registry:organisation_suggest"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#supplier-suggestions",
                "hx-swap": "innerHTML",
            }
        )

    def clean_supplier(self) -> Organisation:
        supplier = selectors.organisation_by_reference(self.cleaned_data["supplier"])
        if supplier is None:
            raise forms.ValidationError(_("No single organisation matches; pick one from the suggestions."))
        return supplier

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        supplier, part_number = cleaned.get("supplier"), (cleaned.get("part_number") or "").strip()
        cleaned["product"] = None
        if part_number and isinstance(supplier, Organisation):
            product = Product.objects.filter(organisation=supplier, part_number=part_number).first()
            if product is None:
                self.add_error("part_number", _("The supplier has no product with this part number."))
            cleaned["product"] = product
        if not cleaned.get("category") and not part_number:
            self.add_error("category", _("Choose a chip category."))
        return cleaned

    def values(self, *, buyer: Organisation) -> dict[str, Any]:
        share = self.cleaned_data.get("share")
        return {
            "supplier": self.cleaned_data["supplier"],
            "buyer": buyer,
            "category": self.cleaned_data.get("category") or "",
            "product": self.cleaned_data.get("product"),
            "status": self.cleaned_data["status"],
            "share": share if isinstance(share, Decimal) else None,
            "since": self.cleaned_data.get("since"),
        }


class PersonForm(forms.Form):
    name_zh = _text(_("Name (Chinese)"), 100)
    name_en = _text(_("Name (English)"), 100)
    title = _text(_("Position"), 100)
    email = forms.EmailField(label=_("Email"), required=False)

    @staticmethod
    def initial_for(person: Person) -> dict[str, Any]:
        return {"name_zh": person.name_zh, "name_en": person.name_en, "title": person.title, "email": person.email}
