"""Questions an operator adds to a form (a competition category's application, a conference's registration): the
check of the question list itself, the cleaning of people's answers, and the Django form fields that ask them.

A question is a JSON object: {"name", "label_en", "label_zh", "type", "required", "max_length", "help_en",
"help_zh"}, and for the type "choice" also "choices": [{"value", "label_en", "label_zh"}, ...]. Each form that
uses questions says which types it allows. Answers are keyed by the question's name."""

import json
import re
from collections.abc import Collection, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import translation
from django.utils.translation import gettext as _

from chiptown.core.errors import Problem
from chiptown.core.i18n import join_list
from chiptown.registry import validation

QUESTION_TYPES = ("text", "textarea", "number", "url", "choice")
NUMBER_LIMIT = Decimal("1e15")  # answers are amounts and counts; beyond this a number is a typo (and JSON-unsafe)
ANSWER_PREFIX = "answer_"  # form fields asking a question are named ANSWER_PREFIX + the question's name
CHOICE_VALUE_MAX_LENGTH = 100

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_KEYS = {"name", "label_en", "label_zh", "type", "required", "max_length", "help_en", "help_zh"}


def _in_chinese() -> bool:
    return (translation.get_language() or "").startswith("zh")


def _pick(question: Mapping[str, Any], key: str, fallback: str = "") -> str:
    zh, en = question.get(f"{key}_zh"), question.get(f"{key}_en")
    first, second = (zh, en) if _in_chinese() else (en, zh)
    return str(first or second or fallback)


def question_label(question: Mapping[str, Any]) -> str:
    """A question's label in the reader's language (falling back to the other one, then its name)."""
    return _pick(question, "label", str(question.get("name") or ""))


def question_help(question: Mapping[str, Any]) -> str:
    return _pick(question, "help")


def choice_label(question: Mapping[str, Any], value: Any) -> str:
    """What a choice answer says, in the reader's language (the stored value if the choice is gone)."""
    for choice in question.get("choices") or []:
        if isinstance(choice, dict) and choice.get("value") == value:
            return _pick(choice, "label", str(value))
    return "" if value is None else str(value)


# --- The question list -------------------------------------------------------------------------------------------


def _choice_problems(choices: Any) -> list[str]:
    if not isinstance(choices, list) or not choices:
        return [_("a choice question needs a list of choices, each with a value and labels.")]
    reasons: list[str] = []
    seen: set[str] = set()
    for number, choice in enumerate(choices, start=1):
        value = choice.get("value") if isinstance(choice, dict) else None
        if not isinstance(value, str) or not value.strip() or len(value) > CHOICE_VALUE_MAX_LENGTH:
            reasons.append(
                _("choice %(n)d needs a value of 1 to %(max)d characters.")
                % {"n": number, "max": CHOICE_VALUE_MAX_LENGTH}
            )
        elif value in seen:
            reasons.append(_("the choice %(value)s is listed twice.") % {"value": value})
        else:
            seen.add(value)
        if isinstance(choice, dict):
            extra = set(choice) - {"value", "label_en", "label_zh"}
            if extra:
                reasons.append(
                    _("choice %(n)d has unknown keys: %(keys)s.") % {"n": number, "keys": ", ".join(sorted(extra))}
                )
    return reasons


def question_list_problems(
    questions: Any, *, types: Collection[str] = QUESTION_TYPES, column: str = "form_fields"
) -> list[Problem]:
    """Every problem with a list of questions: each has a unique code name, a label, one of `types`, whether it
    is required, a maximum length, and (choice questions) its choices. All problems carry `column`."""
    if not isinstance(questions, list):
        return [Problem(reason=_("The form fields must be a list of questions."), column=column)]
    problems: list[Problem] = []
    seen: set[str] = set()

    def problem(index: int, reason: str) -> None:
        problems.append(Problem(reason=_("Question %(n)d: %(reason)s") % {"n": index, "reason": reason}, column=column))

    for index, question in enumerate(questions, start=1):
        if not isinstance(question, dict):
            problem(index, _("each question is an object with name, labels and type."))
            continue
        name = question.get("name")
        if not isinstance(name, str) or not _NAME.match(name):
            problem(index, _("the name must be lower-case letters, digits and _ (starting with a letter)."))
        elif name in seen:
            problem(index, _("the name %(name)s is used twice.") % {"name": name})
        else:
            seen.add(name)
        if not str(question.get("label_en") or "").strip() and not str(question.get("label_zh") or "").strip():
            problem(index, _("give a label in Chinese or English."))
        kind = question.get("type")
        if kind not in types:
            problem(index, _("the type must be one of: %(types)s.") % {"types": ", ".join(types)})
        if not isinstance(question.get("required", False), bool):
            problem(index, _("required must be true or false."))
        max_length = question.get("max_length", 2000)
        if isinstance(max_length, bool) or not isinstance(max_length, int) or not 1 <= max_length <= 20000:
            problem(index, _("max_length must be a whole number from 1 to 20000."))
        allowed = _KEYS | ({"choices"} if kind == "choice" else set())
        extra = set(question) - allowed
        if extra:
            problem(index, _("unknown keys: %(keys)s.") % {"keys": ", ".join(sorted(extra))})
        if kind == "choice" and kind in types:
            for reason in _choice_problems(question.get("choices")):
                problem(index, reason)
    return problems


# --- Answers -----------------------------------------------------------------------------------------------------


def _number(text: str) -> int | float:
    try:
        number = Decimal(text.replace(",", "").replace("，", "").strip())
    except InvalidOperation as exc:
        raise validation.FieldInvalid(_("%(value)s is not a number.") % {"value": text}) from exc
    if not number.is_finite():
        raise validation.FieldInvalid(_("%(value)s is not a number.") % {"value": text})
    if abs(number) >= NUMBER_LIMIT:
        raise validation.FieldInvalid(_("%(value)s is too large a number.") % {"value": text})
    return int(number) if number == number.to_integral_value() else float(number)


def _choice(question: Mapping[str, Any], text: str) -> str:
    """A choice by its value, or by its label in either language."""
    choices = [c for c in question.get("choices") or [] if isinstance(c, dict)]
    for choice in choices:
        names = {str(choice.get(key) or "").casefold() for key in ("value", "label_en", "label_zh")} - {""}
        if text.casefold() in names:
            return str(choice.get("value"))
    allowed = join_list(_pick(c, "label", str(c.get("value"))) for c in choices)
    raise validation.FieldInvalid(_("%(value)s is not one of: %(allowed)s.") % {"value": text, "allowed": allowed})


def clean_answers(
    questions: list[dict[str, Any]], answers: Mapping[str, Any], *, final: bool
) -> tuple[dict[str, Any], list[Problem]]:
    """The answers to a form's questions, checked question by question: no unknown questions, each within its
    length, numbers, web addresses and choices well-formed; required answers present when `final` (a draft may be
    incomplete). Answers may be written in either language. Problems name the question in `column`."""
    problems: list[Problem] = []
    by_name = {str(q.get("name")): q for q in questions}
    for name in answers:
        if name not in by_name:
            problems.append(Problem(reason=_("This question is not on the form."), column=str(name)))
    cleaned: dict[str, Any] = {}
    for name, question in by_name.items():
        raw = answers.get(name)
        text = "" if raw is None else str(raw).strip()
        if not text:
            if final and question.get("required"):
                problems.append(Problem(reason=_("This answer is required."), column=name))
            continue
        try:
            text = validation.text(text, max_length=int(question.get("max_length") or 2000))
            kind = question.get("type")
            if kind == "number":
                cleaned[name] = _number(text)
            elif kind == "url":
                cleaned[name] = validation.url(text)
            elif kind == "choice":
                cleaned[name] = _choice(question, text)
            else:
                cleaned[name] = text
        except validation.FieldInvalid as exc:
            problems.append(Problem(reason=str(exc), column=name))
    return cleaned, problems


def answers_shown(questions: list[dict[str, Any]], answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The questions in order with their answers, labelled in the reader's language (choices by their label)."""
    shown = []
    for question in questions:
        name = str(question.get("name"))
        value = (answers or {}).get(name, "")
        if question.get("type") == "choice" and value not in ("", None):
            value = choice_label(question, value)
        shown.append(
            {
                "name": name,
                "label": question_label(question),
                "type": question.get("type"),
                "value": value,
                "required": bool(question.get("required")),
            }
        )
    return shown


# --- Form fields -------------------------------------------------------------------------------------------------


def question_fields(questions: list[dict[str, Any]], *, prefix: str = ANSWER_PREFIX) -> dict[str, forms.Field]:
    """One optional form field per question, named prefix + name, labelled in the reader's language. Required
    questions are marked (`show_required`) but enforced by clean_answers, so a service reports every missing
    answer with the rest; `answer` on each field is the question's name."""
    fields: dict[str, forms.Field] = {}
    for question in questions:
        kind = question.get("type")
        max_length = int(question.get("max_length") or 2000)
        field: forms.Field
        if kind == "choice":
            choices = [("", "—")] + [
                (str(c.get("value")), _pick(c, "label", str(c.get("value"))))
                for c in question.get("choices") or []
                if isinstance(c, dict)
            ]
            field = forms.ChoiceField(
                label=question_label(question), required=False, choices=choices, help_text=question_help(question)
            )
        else:
            widget: forms.Widget
            if kind == "textarea":
                widget = forms.Textarea(attrs={"rows": 5})
            elif kind == "url":
                widget = forms.URLInput()
            elif kind == "number":
                widget = forms.TextInput(attrs={"inputmode": "decimal"})
            else:
                widget = forms.TextInput()
            widget.attrs["maxlength"] = max_length
            field = forms.CharField(
                label=question_label(question), required=False, widget=widget, help_text=question_help(question)
            )
        # Read by the templates (the required mark) and by show_problems' callers.
        marked: Any = field
        marked.show_required = bool(question.get("required"))
        marked.answer = str(question.get("name"))
        fields[prefix + str(question.get("name"))] = field
    return fields


def answers_initial(answers: Mapping[str, Any] | None, *, prefix: str = ANSWER_PREFIX) -> dict[str, Any]:
    """A form's initial values for stored answers."""
    return {prefix + name: value for name, value in (answers or {}).items()}


def answers_posted(cleaned_data: Mapping[str, Any], *, prefix: str = ANSWER_PREFIX) -> dict[str, Any]:
    """The answers a form received (empty ones left out), keyed by question name."""
    return {
        name.removeprefix(prefix): value
        for name, value in cleaned_data.items()
        if name.startswith(prefix) and str(value or "").strip()
    }


class JSONTextField(forms.CharField):
    """A JSON document edited as text (a form's questions, a competition category's rubric): parsed here,
    checked in the service (for questions: question_list_problems)."""

    widget = forms.Textarea(attrs={"rows": 12, "class": "code", "spellcheck": "false"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | dict):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return []
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Not valid JSON (line %(line)d, column %(column)d): %(message)s"),
                params={"line": exc.lineno, "column": exc.colno, "message": exc.msg},
            ) from exc
