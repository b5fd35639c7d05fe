"""Forms of the seat pages: parsing only; every rule lives in services.seats (which checks it again for callers
that skip the form). People and organisations are picked with the registry picker the judging pages use."""

from typing import Any

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from chiptown.accounts.models import Role
from chiptown.competitions.views.judging_admin import _picker, organisation_picker, person_picker
from chiptown.events.models import InvitationKind


class SignupForm(forms.Form):
    nda_accepted = forms.BooleanField(label=_("I accept the non-disclosure terms above."), required=False)


class InvitationForm(forms.Form):
    """One line of an invitation list: a person, an organisation, or a role (the field that goes with `kind`)."""

    kind = forms.ChoiceField(label=_("Invite"), choices=InvitationKind.choices, widget=forms.RadioSelect)
    person = person_picker(
        label=_("Person"), required=False, max_length=300, help_text=_("Type to search the registry's people.")
    )
    organisation = organisation_picker(
        label=_("Organisation"),
        required=False,
        max_length=300,
        help_text=_("Everyone whose account or registry entry belongs to it."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=[("", "—"), *Role.choices], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].widget.attrs.update(
            _picker(reverse_lazy("competitions:judging_person_options"), "seat-invite-people")
        )
        self.fields["organisation"].widget.attrs.update(
            _picker(reverse_lazy("competitions:judging_organisation_options"), "seat-invite-organisations")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        fields: dict[str, tuple[str, Any]] = {
            InvitationKind.PERSON: ("person", _("Pick a person from the registry.")),
            InvitationKind.ORGANISATION: ("organisation", _("Pick an organisation from the registry.")),
            InvitationKind.ROLE: ("role", _("Choose one of the roles.")),
        }
        needed = fields.get(str(cleaned.get("kind") or ""))
        if needed and not cleaned.get(needed[0]) and needed[0] not in self.errors:
            self.add_error(needed[0], needed[1])
        return cleaned

    def values(self) -> dict[str, Any]:
        kind = self.cleaned_data["kind"]
        return {
            "kind": kind,
            "person": self.cleaned_data.get("person") if kind == InvitationKind.PERSON else None,
            "organisation": self.cleaned_data.get("organisation") if kind == InvitationKind.ORGANISATION else None,
            "role": self.cleaned_data.get("role") or "" if kind == InvitationKind.ROLE else "",
        }
