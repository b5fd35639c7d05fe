"""Forms of the speaker pages: rendering and field parsing only; the services check every rule again."""

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from chiptown.competitions.views.judging_admin import person_picker
from chiptown.events.models import SpeakerStatus
from chiptown.events.services import speakers as services


class InviteForm(forms.Form):
    """Who to invite: a registry person, picked by name (the suggestions write "name #id")."""

    person = person_picker(
        label=_("Registry person"),
        max_length=300,
        help_text=_("Type to search the registry's people. They need an email address."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.attrs.update(
            {
                "list": "speaker-people",
                "autocomplete": "off",
                "hx-get": reverse_lazy("competitions:judging_person_options"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#speaker-people",
                "hx-swap": "innerHTML",
            }
        )


class SpeakerFilterForm(forms.Form):
    """The table's filters, read from the query string; an invalid value is ignored."""

    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *SpeakerStatus.choices]
    )
    missing = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("", _("Every speaker")), ("1", _("Only those missing something"))],
    )

    def values(self) -> tuple[str, bool]:
        if not self.is_valid():
            return "", False
        return str(self.cleaned_data.get("status") or ""), self.cleaned_data.get("missing") == "1"


class ProfileForm(forms.Form):
    bio_zh = forms.CharField(
        label=_("Biography (Chinese)"),
        required=False,
        max_length=services.BIO_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    bio_en = forms.CharField(
        label=_("Biography (English)"),
        required=False,
        max_length=services.BIO_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    photo = forms.FileField(
        label=_("Photo (JPEG, PNG or WebP, at most 5 MB)"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=services.MATERIAL_TITLE_MAX)
    file = forms.FileField(
        label=_("File (PDF, PPTX, PPT, KEY, ZIP, DOCX or XLSX, at most 50 MB)"),
        widget=forms.FileInput(attrs={"accept": ",".join(f".{e}" for e in services.MATERIAL_TYPES)}),
    )
    is_slides = forms.BooleanField(label=_("These are the slides of the talk"), required=False, initial=True)
