"""Forms of the registration pages: rendering and field parsing only; every rule lives in
services/registrations.py (which checks it again for callers that skip the form, such as the API)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chiptown.core.questions import ANSWER_PREFIX, JSONTextField, answers_initial, answers_posted, question_fields
from chiptown.events.models import SELF_SERVICE_TYPES, AttendeeType, Event, RegistrationStatus


class AnswersForm(forms.Form):
    """One field per question of the event's own registration form, labelled in the reader's language. Required
    questions are marked and checked by the service, which reports every missing answer at once."""

    def __init__(self, *args: Any, event: Event, answers: dict[str, Any] | None = None, **kwargs: Any) -> None:
        if answers is not None and "initial" not in kwargs:
            kwargs["initial"] = answers_initial(answers, prefix=ANSWER_PREFIX)
        super().__init__(*args, **kwargs)
        self.event = event
        self.fields.update(question_fields(event.form_fields or [], prefix=ANSWER_PREFIX))

    def answers(self) -> dict[str, Any]:
        return answers_posted(self.cleaned_data, prefix=ANSWER_PREFIX)


class RegistrationForm(AnswersForm):
    """Registering: the attendee type a person may choose (general or media), then the event's questions."""

    attendee_type = forms.ChoiceField(
        label=_("I attend as"),
        choices=[(t.value, t.label) for t in SELF_SERVICE_TYPES],
        initial=AttendeeType.GENERAL,
        widget=forms.RadioSelect,
        help_text=_("VIP, speaker and staff places are given by the organisers."),
    )


class AttendeeTypeForm(forms.Form):
    """An organiser gives a registration any attendee type."""

    attendee_type = forms.ChoiceField(label=_("Attendee type"), choices=AttendeeType.choices)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("reject", _("Do not approve"))]
    )
    reason = forms.CharField(
        label=_("Reason (sent to the person)"),
        required=False,
        max_length=2000,
        widget=forms.TextInput(attrs={"placeholder": _("Needed to reject")}),
    )

    @property
    def approve(self) -> bool:
        return bool(self.cleaned_data.get("decision") == "approve")


class RegistrationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name, email or organisation"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *RegistrationStatus.choices]
    )
    type = forms.ChoiceField(
        label=_("Attendee type"), required=False, choices=[("", _("Any type")), *AttendeeType.choices]
    )

    def filters(self) -> dict[str, str]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "text": data.get("q") or "",
            "status": data.get("status") or "",
            "attendee_type": data.get("type") or "",
        }


class RegistrationSettingsForm(forms.Form):
    """The organisers' registration settings: open or closed, approval, and the form's own questions."""

    registration_open = forms.BooleanField(label=_("Registration is open"), required=False)
    requires_approval = forms.BooleanField(
        label=_("Registrations need approval"),
        required=False,
        help_text=_("An organiser approves each registration before the person gets a badge."),
    )
    form_fields = JSONTextField(
        label=_("Questions on the registration form"),
        required=False,
        help_text=_(
            'A list of questions: {"name", "label_en", "label_zh", "type": text, textarea, number, url or choice, '
            '"required", "max_length", "help_en", "help_zh"}; a choice question also has "choices": '
            '[{"value", "label_en", "label_zh"}, ...].'
        ),
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        if "initial" not in kwargs and not args:
            kwargs["initial"] = {
                "registration_open": event.registration_open,
                "requires_approval": event.requires_approval,
                "form_fields": event.form_fields or [],
            }
        super().__init__(*args, **kwargs)
