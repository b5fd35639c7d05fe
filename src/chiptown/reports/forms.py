"""Forms of the reports pages. Checks that need the domain's rules stay in services and the pure modules; these
forms only read the fields and put the ChipTownError problems next to them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chiptown.reports import analyses
from chiptown.reports.models import BillOfMaterials
from chiptown.reports.outlook import OutlookAssumptions

# --- Analyses: the localisation page's choice of bill of materials, the single-source filters, the outlook ---


class BomChoiceForm(forms.Form):
    bom = forms.TypedChoiceField(label=_("Bill of materials"), coerce=int, required=False)

    def __init__(self, *args: Any, boms: list[BillOfMaterials], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["bom"].choices = [(bom.pk, str(bom)) for bom in boms]  # type: ignore[attr-defined]


class SingleSourceFilterForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), required=False)
    foreign = forms.BooleanField(label=_("Foreign suppliers only"), required=False)
    in_park = forms.BooleanField(label=_("In-park buyers only"), required=False)

    def __init__(self, *args: Any, categories: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("All categories")), *categories.items()]
        self.fields["category"].choices = choices  # type: ignore[attr-defined]

    def to_filter(self) -> analyses.SingleSourceFilter:
        """The filter; an invalid field (an unknown category) is left out, as a stale link should still show rows."""
        self.is_valid()  # cleaned_data keeps the valid fields only
        data = self.cleaned_data
        return analyses.SingleSourceFilter(
            category=data.get("category") or "",
            foreign_only=bool(data.get("foreign")),
            in_park_buyers_only=bool(data.get("in_park")),
        )


class OutlookForm(forms.Form):
    """The market outlook's editable assumptions; an empty field keeps its documented default."""

    chips_per_vehicle_low = forms.FloatField(label=_("Chips per vehicle, low"), required=False)
    chips_per_vehicle_high = forms.FloatField(label=_("Chips per vehicle, high"), required=False)
    highly_automated_chips = forms.FloatField(label=_("Chips in a highly automated vehicle"), required=False)
    highly_automated_share = forms.FloatField(label=_("Share of highly automated vehicles (0-1)"), required=False)
    market_growth = forms.FloatField(label=_("New-vehicle market growth a year (e.g. 0.02)"), required=False)

    def __init__(self, *args: Any, categories: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = categories or {}
        defaults = OutlookAssumptions()
        for name in analyses.ASSUMPTION_FIELDS:
            self.fields[name].widget.attrs["placeholder"] = f"{getattr(defaults, name):g}"
        for code, share in analyses.default_mix().items():
            self.fields[analyses.MIX_PREFIX + code] = forms.FloatField(
                label=names.get(code, code), required=False, help_text=f"{share:g}"
            )
            self.fields[analyses.MIX_PREFIX + code].widget.attrs["placeholder"] = f"{share:g}"

    @property
    def mix_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(analyses.MIX_PREFIX)]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in analyses.ASSUMPTION_FIELDS]


# --- Bills of materials ---


COUNT_PREFIX = "count_"


class BomForm(forms.Form):
    """A bill of materials: names, vehicle type, source, and one chip count per category (blank = none)."""

    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100, required=False)
    vehicle_type = forms.CharField(label=_("Vehicle type"), max_length=32, required=False)
    source = forms.CharField(label=_("Source"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_default = forms.BooleanField(label=_("Used by the report"), required=False)

    def __init__(self, *args: Any, categories: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, name in categories.items():
            # Text, not a number field: the service says what is wrong with a count, per category.
            self.fields[COUNT_PREFIX + code] = forms.CharField(
                label=name, required=False, widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 8})
            )

    @classmethod
    def for_bom(cls, bom: BillOfMaterials, *, categories: dict[str, str]) -> BomForm:
        initial: dict[str, Any] = {
            "name_en": bom.name_en,
            "name_zh": bom.name_zh,
            "vehicle_type": bom.vehicle_type,
            "source": bom.source,
            "is_default": bom.is_default,
        }
        initial.update({COUNT_PREFIX + code: f"{float(n):g}" for code, n in bom.counts.items()})
        return cls(initial=initial, categories=categories)

    @property
    def count_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(COUNT_PREFIX)]

    def counts(self) -> dict[str, str]:
        """The filled-in counts by category code, as typed (the service checks them)."""
        return {
            name.removeprefix(COUNT_PREFIX): value.strip()
            for name, value in self.cleaned_data.items()
            if name.startswith(COUNT_PREFIX) and value and value.strip()
        }
