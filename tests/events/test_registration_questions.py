"""The shared question machinery (core.questions) as the registration form uses it: property tests on the pure
checks, and the form fields it builds."""

from typing import Any

from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chiptown.core import questions
from tests.events.registration_support import QUESTIONS

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
answer_keys = st.sampled_from(["job_title", "fleet_size", "interest", "unknown", ""])


# A loaded shared machine can make the first examples slow to draw; the examples themselves are fixed (derandomised).
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(answer_keys, json_values, max_size=5), st.booleans())
def test_cleaning_any_answers_never_fails_and_names_every_problem(answers: dict[str, Any], final: bool) -> None:
    cleaned, problems = questions.clean_answers(QUESTIONS, answers, final=final)

    names = {q["name"] for q in QUESTIONS}
    assert set(cleaned) <= names
    assert all(p.column in names | set(answers) for p in problems)
    assert not (set(cleaned) & {p.column for p in problems})
    if "interest" in cleaned:
        assert cleaned["interest"] in {"mcu", "adas"}
    if "fleet_size" in cleaned:
        assert isinstance(cleaned["fleet_size"], int | float)
        assert abs(cleaned["fleet_size"]) < questions.NUMBER_LIMIT


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["job_title", "interest"]), st.text(max_size=50), max_size=2))
def test_cleaned_answers_are_clean(answers: dict[str, str]) -> None:
    """Cleaning twice changes nothing: what a registration stores passes the check it passed."""
    cleaned, _problems = questions.clean_answers(QUESTIONS, answers, final=False)

    again, problems = questions.clean_answers(QUESTIONS, cleaned, final=False)

    assert (again, problems) == (cleaned, [])


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_checking_any_question_list_never_fails(value: Any) -> None:
    problems = questions.question_list_problems(value)

    assert all(p.column == "form_fields" for p in problems)
    assert isinstance(value, list) or len(problems) == 1


def test_the_sample_questions_are_valid_and_competition_types_are_narrower() -> None:
    assert questions.question_list_problems(QUESTIONS) == []
    [problem] = questions.question_list_problems(QUESTIONS, types=("text", "textarea", "number", "url"))
    assert problem.reason == "Question 3: the type must be one of: text, textarea, number, url."


def test_the_fields_ask_in_the_readers_language() -> None:
    with translation.override("zh-hans"):
        fields = questions.question_fields(QUESTIONS)

    assert list(fields) == ["answer_job_title", "answer_fleet_size", "answer_interest"]
    assert [f.label for f in fields.values()] == ["职务", "年产量", "主要关注"]
    assert fields["answer_interest"].choices == [("", "—"), ("mcu", "微控制器"), ("adas", "自动驾驶芯片")]  # type: ignore[attr-defined]
    assert fields["answer_job_title"].widget.attrs["maxlength"] == 40
    assert [getattr(f, "show_required", None) for f in fields.values()] == [True, False, True]
    assert all(not f.required for f in fields.values())


def test_answers_are_shown_with_labels_and_choice_labels() -> None:
    shown = questions.answers_shown(QUESTIONS, {"job_title": "CTO", "interest": "adas", "gone": "x"})

    assert [(a["label"], a["value"]) for a in shown] == [
        ("Job title", "CTO"),
        ("Vehicles built per year", ""),
        ("Main interest", "Autonomous-driving chips"),
    ]
