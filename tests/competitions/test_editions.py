"""Editions and their categories: an edition comes with the four standard awards (form, rules, rubric, winners,
k, load) and a panel each; its timeline is validated in order with the field named; only operators create and
change them; categories are editable with every value checked; every change is audited."""

import copy
import datetime
import zoneinfo
from typing import Any

import pytest
from django.utils import timezone

from chiptown.accounts.models import User
from chiptown.competitions import defaults
from chiptown.competitions.models import AwardKind, Category, Edition, Panel
from chiptown.competitions.services import editions as services
from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied
from chiptown.core.models import AuditEntry
from tests.competitions.entries_support import AWARDS, category_of, open_edition, timeline
from tests.competitions.factories import EntryFactory, ReviewFactory

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def columns(error: ChipTownError) -> list[str | None]:
    return [p.column for p in error.problems]


# --- Defaults ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", AWARDS)
def test_every_standard_category_passes_its_own_checks(kind: str) -> None:
    values = defaults.category_values(kind)

    assert services.form_field_problems(values["form_fields"]) == []
    assert services.rubric_problems(values["rubric"]) == []
    assert services.eligibility_problems(kind, values["eligibility"]) == []
    assert sum(c["weight"] for c in values["rubric"]) == pytest.approx(1.0)
    assert all(q["label_en"] and q["label_zh"] for q in values["form_fields"])
    assert all(c["label_en"] and c["label_zh"] for c in values["rubric"])


def test_standard_rules_are_the_ones_the_programme_announces() -> None:
    assert defaults.category_values(AwardKind.MOST_PROMISING)["eligibility"] == {"max_age_years": 5}
    assert defaults.category_values(AwardKind.BEST_PARTNER)["eligibility"] == {"min_partners": 2}
    top50 = defaults.category_values(AwardKind.TOP50)
    assert top50["eligibility"]["requires_valid_qualification"] is True
    assert set(top50["eligibility"]["qualification_standards"]) == {
        "AEC-Q100",
        "AEC-Q101",
        "AEC-Q102",
        "AEC-Q103",
        "AEC-Q104",
        "ISO 26262",
    }
    assert top50["winners"] == 50


def test_category_values_are_fresh_copies() -> None:
    first = defaults.category_values(AwardKind.TOP50)
    first["rubric"][0]["weight"] = 0.99
    assert defaults.category_values(AwardKind.TOP50)["rubric"][0]["weight"] != 0.99


# --- Creating an edition ------------------------------------------------------------------------------------------


def test_operator_creates_an_edition_with_the_four_standard_categories_and_panels(operator: User) -> None:
    edition = open_edition(operator, year=2031)

    categories = {c.kind: c for c in edition.categories.all()}
    assert sorted(categories) == sorted(AWARDS)
    for kind, category in categories.items():
        standard = defaults.category_values(kind)
        assert category.name_en == standard["name_en"] and category.name_zh == standard["name_zh"]
        assert category.form_fields == standard["form_fields"]
        assert category.eligibility == standard["eligibility"]
        assert category.rubric == standard["rubric"]
        assert (category.winners, category.judges_per_entry, category.max_judge_load) == (
            standard["winners"],
            standard["judges_per_entry"],
            standard["max_judge_load"],
        )
    assert Panel.objects.filter(category__edition=edition).count() == 4
    audit = AuditEntry.objects.get(action="edition.create")
    assert audit.actor == operator and audit.object_id == str(edition.pk)
    assert (
        audit.after is not None and audit.after["year"] == 2031 and sorted(audit.after["categories"]) == sorted(AWARDS)
    )
    assert edition.get_absolute_url() == "/competition/2031/"


def test_naive_times_are_read_as_shanghai_time(operator: User) -> None:
    edition = services.edition_create(
        by=operator,
        year=2032,
        name_zh="2032年度大赛",
        name_en="",
        applications_open_at=datetime.datetime(2032, 3, 1, 9, 0),
        applications_close_at=datetime.datetime(2032, 5, 31, 23, 59),
        judging_start_at=datetime.datetime(2032, 6, 1, 9, 0),
        judging_end_at=datetime.datetime(2032, 7, 15, 18, 0),
        results_at=datetime.datetime(2032, 9, 1, 10, 0),
    )

    edition.refresh_from_db()
    assert edition.applications_open_at == datetime.datetime(2032, 3, 1, 9, 0, tzinfo=SHANGHAI)
    assert edition.applications_open_at == datetime.datetime(2032, 3, 1, 1, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("shift", "column", "reason"),
    [
        ({"applications_close_at": -10}, "applications_close_at", "Applications must close after they open."),
        ({"applications_close_at": -11}, "applications_close_at", "Applications must close after they open."),
        ({"judging_start_at": 9}, "judging_start_at", "Judging cannot start before applications close."),
        ({"judging_end_at": 11}, "judging_end_at", "Judging must end after it starts."),
        ({"results_at": 29}, "results_at", "Results cannot be announced before judging ends."),
    ],
)
def test_timeline_out_of_order_is_refused_naming_the_field(
    operator: User, shift: dict[str, float], column: str, reason: str
) -> None:
    with pytest.raises(ChipTownError) as caught:
        open_edition(operator, year=2033, **shift)

    assert [(p.column, p.reason) for p in caught.value.problems] == [(column, reason)]
    assert not Edition.objects.exists() and not Category.objects.exists() and not AuditEntry.objects.exists()


def test_deadline_may_equal_judging_start(operator: User) -> None:
    edition = open_edition(operator, year=2034, judging_start_at=10)
    assert edition.judging_start_at == edition.applications_close_at


def test_missing_time_year_and_name_are_each_named(operator: User) -> None:
    times: dict[str, Any] = timeline()
    times["results_at"] = None
    with pytest.raises(ChipTownError) as caught:
        services.edition_create(by=operator, year=1999, name_zh=" ", name_en="", **times)

    assert columns(caught.value) == ["year", "name_en", "results_at"]
    assert not Edition.objects.exists()


def test_second_edition_for_the_same_year_is_refused(operator: User) -> None:
    open_edition(operator, year=2035)

    with pytest.raises(ChipTownError) as caught:
        open_edition(operator, year=2035)

    assert columns(caught.value) == ["year"]
    assert caught.value.problems[0].reason == "There is already an edition for 2035."
    assert Edition.objects.count() == 1 and Category.objects.count() == 4


@pytest.mark.parametrize("who", ["company_rep", "stranger"])
def test_only_operators_create_editions(who: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(who)

    with pytest.raises(PermissionDenied):
        open_edition(user, year=2036)

    assert not Edition.objects.exists() and not AuditEntry.objects.exists()


# --- Changing an edition ----------------------------------------------------------------------------------------


def test_operator_moves_the_deadline_and_it_is_audited(operator: User) -> None:
    edition = open_edition(operator)
    new_close = edition.applications_close_at + datetime.timedelta(hours=12)

    services.edition_update(edition=edition, by=operator, values={"applications_close_at": new_close})

    edition.refresh_from_db()
    assert edition.applications_close_at == new_close
    audit = AuditEntry.objects.get(action="edition.update")
    assert audit.before is not None and audit.after is not None
    assert list(audit.after) == ["applications_close_at"]
    assert audit.after["applications_close_at"] == new_close.isoformat()


def test_timeline_change_out_of_order_changes_nothing(operator: User) -> None:
    edition = open_edition(operator)
    before = Edition.objects.values().get(pk=edition.pk)

    with pytest.raises(ChipTownError) as caught:
        services.edition_update(
            edition=edition,
            by=operator,
            values={"judging_start_at": edition.applications_close_at - datetime.timedelta(minutes=1)},
        )

    assert columns(caught.value) == ["judging_start_at"]
    assert Edition.objects.values().get(pk=edition.pk) == before
    assert not AuditEntry.objects.filter(action="edition.update").exists()


def test_the_year_cannot_change(operator: User) -> None:
    edition = open_edition(operator)

    with pytest.raises(ChipTownError) as caught:
        services.edition_update(edition=edition, by=operator, values={"year": 2040})

    assert columns(caught.value) == ["year"]
    assert Edition.objects.get(pk=edition.pk).year == 2031


def test_representative_cannot_change_an_edition(operator: User, company_rep: User) -> None:
    edition = open_edition(operator)
    before = Edition.objects.values().get(pk=edition.pk)

    with pytest.raises(PermissionDenied):
        services.edition_update(edition=edition, by=company_rep, values={"name_en": "Mine now"})

    assert Edition.objects.values().get(pk=edition.pk) == before


# --- Editing a category ---------------------------------------------------------------------------------------------


def test_operator_edits_a_category_and_the_change_is_audited(operator: User) -> None:
    category = category_of(open_edition(operator), AwardKind.MOST_PROMISING)
    rubric = copy.deepcopy(category.rubric)
    rubric[0]["weight"], rubric[1]["weight"] = 0.25, 0.35
    rubric[0]["max"] = 100

    services.category_update(
        category=category,
        by=operator,
        values={"eligibility": {"max_age_years": 3}, "rubric": rubric, "winners": 12, "judges_per_entry": 4},
    )

    category.refresh_from_db()
    assert category.eligibility == {"max_age_years": 3}
    assert category.rubric == rubric and category.winners == 12 and category.judges_per_entry == 4
    audit = AuditEntry.objects.get(action="category.update")
    assert audit.before is not None and audit.after is not None
    assert audit.before["eligibility"] == {"max_age_years": 5} and audit.after["eligibility"] == {"max_age_years": 3}
    assert set(audit.after) == {"eligibility", "rubric", "winners", "judges_per_entry"}


@pytest.mark.parametrize(
    ("change", "column", "reason"),
    [
        (
            lambda r: r[0].update(weight=0.5),
            "rubric",
            "The weights add up to 1.15; they must add up to 1.",
        ),
        (lambda r: r[1].update(min=10, max=0), "rubric", "Criterion 2: min must be below max."),
        (lambda r: r[2].update(code=r[0]["code"]), "rubric", "Criterion 3: the code innovation is used twice."),
        (lambda r: r[0].update(weight=-0.1), "rubric", "Criterion 1: the weight must be a number above 0."),
        (lambda r: r[0].update(colour="red"), "rubric", "Criterion 1: unknown keys: colour."),
        (lambda r: r.clear(), "rubric", "The rubric must be a list of at least one criterion."),
    ],
)
def test_bad_rubric_is_refused_and_nothing_changes(operator: User, change: Any, column: str, reason: str) -> None:
    category = category_of(open_edition(operator), AwardKind.MOST_PROMISING)
    before = Category.objects.values().get(pk=category.pk)
    rubric = copy.deepcopy(category.rubric)
    change(rubric)

    with pytest.raises(ChipTownError) as caught:
        services.category_update(category=category, by=operator, values={"rubric": rubric})

    assert [(p.column, p.reason) for p in caught.value.problems] == [(column, reason)]
    assert Category.objects.values().get(pk=category.pk) == before


@pytest.mark.parametrize(
    ("form_fields", "reason"),
    [
        ([{"name": "Bad Name", "label_en": "x", "type": "text"}], "Question 1: the name must be lower-case"),
        ([{"name": "a", "label_en": "x", "type": "date"}], "Question 1: the type must be one of: text, textarea"),
        ([{"name": "a", "label_en": "", "label_zh": "", "type": "text"}], "Question 1: give a label"),
        ([{"name": "a", "label_en": "x", "type": "text", "max_length": 0}], "Question 1: max_length must be"),
        (
            [{"name": "a", "label_en": "x", "type": "text"}, {"name": "a", "label_en": "y", "type": "url"}],
            "Question 2: the name a is used twice.",
        ),
        ({"name": "a"}, "The form fields must be a list of questions."),
    ],
)
def test_bad_form_fields_are_refused(operator: User, form_fields: Any, reason: str) -> None:
    category = category_of(open_edition(operator), AwardKind.TOP50)

    with pytest.raises(ChipTownError) as caught:
        services.category_update(category=category, by=operator, values={"form_fields": form_fields})

    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].column == "form_fields"
    assert caught.value.problems[0].reason.startswith(reason)
    assert Category.objects.get(pk=category.pk).form_fields == defaults.category_values(AwardKind.TOP50)["form_fields"]


@pytest.mark.parametrize(
    ("kind", "eligibility", "column"),
    [
        (AwardKind.MOST_PROMISING, {"max_age_years": 0}, "max_age_years"),
        (AwardKind.MOST_PROMISING, {"max_age_years": "5"}, "max_age_years"),
        (AwardKind.BEST_PARTNER, {"min_partners": 1}, "min_partners"),
        (AwardKind.TOP50, {"requires_valid_qualification": "yes"}, "requires_valid_qualification"),
        (AwardKind.TOP50, {"qualification_standards": ["AEC-Q999"]}, "qualification_standards"),
        (AwardKind.TOP50, {"max_age_years": 5}, "max_age_years"),
    ],
)
def test_bad_eligibility_parameters_are_refused_naming_the_rule(
    operator: User, kind: str, eligibility: dict[str, Any], column: str
) -> None:
    category = category_of(open_edition(operator), kind)

    with pytest.raises(ChipTownError) as caught:
        services.category_update(category=category, by=operator, values={"eligibility": eligibility})

    assert columns(caught.value) == [column]
    assert Category.objects.get(pk=category.pk).eligibility == defaults.category_values(kind)["eligibility"]


@pytest.mark.parametrize(("name", "value"), [("winners", 0), ("judges_per_entry", 0), ("max_judge_load", 1001)])
def test_judging_parameters_out_of_range_are_refused(operator: User, name: str, value: int) -> None:
    category = category_of(open_edition(operator), AwardKind.TOP50)

    with pytest.raises(ChipTownError) as caught:
        services.category_update(category=category, by=operator, values={name: value})

    assert columns(caught.value) == [name]


def test_rubric_is_frozen_once_a_judge_has_scored(operator: User) -> None:
    category = category_of(open_edition(operator), AwardKind.TOP50)
    ReviewFactory(assignment__entry=EntryFactory(category=category))
    rubric = copy.deepcopy(category.rubric)
    rubric[0]["max"] = 5

    with pytest.raises(Conflict):
        services.category_update(category=category, by=operator, values={"rubric": rubric})
    services.category_update(category=category, by=operator, values={"winners": 40})  # other settings still change

    category.refresh_from_db()
    assert category.rubric == defaults.category_values(AwardKind.TOP50)["rubric"] and category.winners == 40


def test_representative_cannot_edit_a_category(operator: User, company_rep: User) -> None:
    category = category_of(open_edition(operator), AwardKind.TOP50)

    with pytest.raises(PermissionDenied):
        services.category_update(category=category, by=company_rep, values={"winners": 1})

    assert Category.objects.get(pk=category.pk).winners == 50


def test_edition_accepts_applications_only_inside_the_window(operator: User) -> None:
    edition = open_edition(operator)
    assert edition.accepts_applications(timezone.now())
    assert not edition.accepts_applications(edition.applications_close_at)
    assert not edition.accepts_applications(edition.applications_open_at - datetime.timedelta(seconds=1))
