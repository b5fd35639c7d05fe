"""Writes for editions and their award categories: an edition comes with the four standard categories (and a
judging panel each); operators change its timeline and each category's form, eligibility rules, rubric and
judging parameters. Permission-checked, validated with problems naming the field, one transaction, audited."""

import datetime
import math
import re
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chiptown.competitions import defaults
from chiptown.competitions.models import AwardKind, Category, Edition, Panel, Review
from chiptown.core.errors import ChipTownError, Conflict, Problem
from chiptown.core.questions import question_list_problems
from chiptown.core.rules import require
from chiptown.core.services import audit_record, snapshot
from chiptown.registry.models import Standard

TIMELINE = ("applications_open_at", "applications_close_at", "judging_start_at", "judging_end_at", "results_at")
EDITION_FIELDS = ("year", "name_zh", "name_en", *TIMELINE, "is_demo")
EDITION_EDITABLE = ("name_zh", "name_en", *TIMELINE)
CATEGORY_FIELDS = (
    "name_zh",
    "name_en",
    "description_zh",
    "description_en",
    "form_fields",
    "eligibility",
    "rubric",
    "winners",
    "judges_per_entry",
    "max_judge_load",
)
YEAR_RANGE = (2000, 2100)
_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


def _require(by: Any, perm: str, target: Any = None) -> None:
    require(by, perm, target, _("Only competition operators may do this."))


def _invalid(problems: list[Problem]) -> ChipTownError:
    return ChipTownError(_("Some fields are not valid."), code="invalid", problems=problems)


def _aware(value: datetime.datetime) -> datetime.datetime:
    """Naive times are read as Asia/Shanghai (the programme's clock), aware ones kept as they are."""
    if timezone.is_naive(value):
        return timezone.make_aware(value, timezone.get_default_timezone())
    return value


def timeline_problems(values: Mapping[str, Any]) -> list[Problem]:
    """Every time is given and they follow each other: open < close <= judging start < judging end <= results."""
    problems: list[Problem] = []
    times: dict[str, datetime.datetime] = {}
    for name in TIMELINE:
        value = values.get(name)
        if not isinstance(value, datetime.datetime):
            problems.append(Problem(reason=_("Give a date and time."), column=name))
        else:
            times[name] = _aware(value)
    order = [
        ("applications_open_at", "applications_close_at", False, _("Applications must close after they open.")),
        ("applications_close_at", "judging_start_at", True, _("Judging cannot start before applications close.")),
        ("judging_start_at", "judging_end_at", False, _("Judging must end after it starts.")),
        ("judging_end_at", "results_at", True, _("Results cannot be announced before judging ends.")),
    ]
    for earlier, later, may_equal, reason in order:
        if earlier in times and later in times:
            first, second = times[earlier], times[later]
            if second < first or (second == first and not may_equal):
                problems.append(Problem(reason=str(reason), column=later))
    return problems


def _name_problems(values: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    name_zh, name_en = str(values.get("name_zh") or "").strip(), str(values.get("name_en") or "").strip()
    if not name_zh and not name_en:
        problems.append(Problem(reason=_("Give a name in Chinese or English."), column="name_en"))
    for field, value in (("name_zh", name_zh), ("name_en", name_en)):
        if len(value) > 200:
            problems.append(
                Problem(
                    reason=_("At most %(n)d characters (got %(got)d).") % {"n": 200, "got": len(value)}, column=field
                )
            )
    return problems


def edition_create(
    *,
    by: Any,
    year: int,
    name_zh: str,
    name_en: str,
    applications_open_at: datetime.datetime,
    applications_close_at: datetime.datetime,
    judging_start_at: datetime.datetime,
    judging_end_at: datetime.datetime,
    results_at: datetime.datetime,
    is_demo: bool = False,
) -> Edition:
    """A new edition with the four standard categories (from defaults.py) and an empty judging panel each.
    Naive times are read as Asia/Shanghai."""
    _require(by, "competitions.manage")
    values: dict[str, Any] = {
        "name_zh": name_zh,
        "name_en": name_en,
        "applications_open_at": applications_open_at,
        "applications_close_at": applications_close_at,
        "judging_start_at": judging_start_at,
        "judging_end_at": judging_end_at,
        "results_at": results_at,
    }
    problems = _name_problems(values) + timeline_problems(values)
    if not isinstance(year, int) or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        problems.insert(
            0,
            Problem(
                reason=_("The year must lie between %(low)d and %(high)d.")
                % {"low": YEAR_RANGE[0], "high": YEAR_RANGE[1]},
                column="year",
            ),
        )
    elif Edition.objects.filter(year=year).exists():
        problems.insert(
            0, Problem(reason=_("There is already an edition for %(year)d.") % {"year": year}, column="year")
        )
    if problems:
        raise _invalid(problems)
    try:
        with transaction.atomic():
            edition = Edition.objects.create(
                year=year,
                name_zh=name_zh.strip(),
                name_en=name_en.strip(),
                is_demo=is_demo,
                **{name: _aware(values[name]) for name in TIMELINE},
            )
            for kind in AwardKind:
                category = Category.objects.create(edition=edition, kind=kind, **defaults.category_values(kind))
                Panel.objects.create(category=category)
            audit_record(
                actor=by,
                action="edition.create",
                target=edition,
                after={**snapshot(edition, EDITION_FIELDS), "categories": [str(k) for k in AwardKind]},
            )
    except IntegrityError as exc:  # another operator created the same year a moment ago
        raise _invalid(
            [Problem(reason=_("There is already an edition for %(year)d.") % {"year": year}, column="year")]
        ) from exc
    return edition


def edition_update(*, edition: Edition, by: Any, values: Mapping[str, Any]) -> Edition:
    """Change an edition's names or timeline (only the fields given). The year names the edition's pages and
    cannot change."""
    _require(by, "competitions.manage")
    unknown = set(values) - set(EDITION_EDITABLE)
    if unknown:
        raise _invalid([Problem(reason=_("This field cannot be changed here."), column=f) for f in sorted(unknown)])
    merged = {**snapshot(edition, EDITION_EDITABLE), **values}
    merged.update({name: getattr(edition, name) for name in TIMELINE if name not in values})
    problems = _name_problems(merged) + timeline_problems(merged)
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        locked = Edition.objects.select_for_update().get(pk=edition.pk)
        before = snapshot(locked, EDITION_EDITABLE)
        for name in EDITION_EDITABLE:
            if name in values:
                value = values[name]
                setattr(locked, name, _aware(value) if name in TIMELINE else str(value).strip())
        locked.save()
        audit_record(
            actor=by, action="edition.update", target=locked, before=before, after=snapshot(locked, EDITION_EDITABLE)
        )
    return locked


# --- Categories --------------------------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def form_field_problems(form_fields: Any) -> list[Problem]:
    """The application form: a list of questions (core.questions), each with a unique code name, a label, a type
    among text, textarea, number and url, whether it is required, and a maximum length."""
    return question_list_problems(form_fields, types=defaults.FIELD_TYPES, column="form_fields")


def rubric_problems(rubric: Any) -> list[Problem]:
    """The scoring rubric: criteria with unique codes, labels, a positive weight, a score range (min < max);
    the weights add up to 1."""
    if not isinstance(rubric, list) or not rubric:
        return [Problem(reason=_("The rubric must be a list of at least one criterion."), column="rubric")]
    problems: list[Problem] = []
    seen: set[str] = set()
    total = 0.0

    def problem(index: int, reason: str) -> None:
        problems.append(
            Problem(reason=_("Criterion %(n)d: %(reason)s") % {"n": index, "reason": reason}, column="rubric")
        )

    for index, criterion in enumerate(rubric, start=1):
        if not isinstance(criterion, dict):
            problem(index, _("each criterion is an object with code, labels, weight, min and max."))
            continue
        code = criterion.get("code")
        if not isinstance(code, str) or not _CODE.match(code):
            problem(index, _("the code must be lower-case letters, digits and _ (starting with a letter)."))
        elif code in seen:
            problem(index, _("the code %(code)s is used twice.") % {"code": code})
        else:
            seen.add(code)
        if not str(criterion.get("label_en") or "").strip() and not str(criterion.get("label_zh") or "").strip():
            problem(index, _("give a label in Chinese or English."))
        weight = _number(criterion.get("weight"))
        if weight is None or weight <= 0:
            problem(index, _("the weight must be a number above 0."))
        else:
            total += weight
        low, high = _number(criterion.get("min")), _number(criterion.get("max"))
        if low is None or high is None:
            problem(index, _("min and max must be numbers."))
        elif low >= high:
            problem(index, _("min must be below max."))
        extra = set(criterion) - {"code", "label_en", "label_zh", "weight", "min", "max"}
        if extra:
            problem(index, _("unknown keys: %(keys)s.") % {"keys": ", ".join(sorted(extra))})
    if not problems and not math.isclose(total, 1.0, abs_tol=1e-6):
        problems.append(
            Problem(
                reason=_("The weights add up to %(total)s; they must add up to 1.") % {"total": f"{total:g}"},
                column="rubric",
            )
        )
    return problems


def eligibility_problems(kind: str, eligibility: Any) -> list[Problem]:
    """The award's eligibility parameters: only those the award knows, each of the right type and range."""
    if not isinstance(eligibility, dict):
        return [Problem(reason=_("The eligibility rules must be an object."), column="eligibility")]
    allowed = defaults.ELIGIBILITY_PARAMETERS[kind]
    problems: list[Problem] = []
    for key in sorted(set(eligibility) - set(allowed)):
        problems.append(Problem(reason=_("This award has no rule %(rule)s.") % {"rule": key}, column=key))
    for key, value in eligibility.items():
        expected = allowed.get(key)
        if expected is bool and not isinstance(value, bool):
            problems.append(Problem(reason=_("Must be true or false."), column=key))
        elif expected is int:
            low, high = (1, 50) if key == "max_age_years" else (2, 20)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                problems.append(
                    Problem(
                        reason=_("Must be a whole number from %(low)d to %(high)d.") % {"low": low, "high": high},
                        column=key,
                    )
                )
        elif expected is list:
            known = {str(s) for s in Standard.values}
            if not isinstance(value, list) or not value or not all(isinstance(s, str) and s in known for s in value):
                problems.append(
                    Problem(
                        reason=_("Must list standards among: %(standards)s.") % {"standards": ", ".join(sorted(known))},
                        column=key,
                    )
                )
    return problems


def _whole(values: Mapping[str, Any], name: str, low: int, high: int) -> Problem | None:
    value = values.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return Problem(
            reason=_("Must be a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}, column=name
        )
    return None


def category_update(*, category: Category, by: Any, values: Mapping[str, Any]) -> Category:
    """Change a category's names, descriptions, form, eligibility rules, rubric or judging parameters (only the
    fields given). The rubric is frozen once a judge has scored an entry of the category: changing criteria then
    would make scores incomparable."""
    _require(by, "competitions.manage")
    unknown = set(values) - set(CATEGORY_FIELDS)
    if unknown:
        raise _invalid([Problem(reason=_("This field cannot be changed here."), column=f) for f in sorted(unknown)])
    merged = {**snapshot(category, CATEGORY_FIELDS), **values}
    problems = _name_problems(merged)
    for name in ("description_zh", "description_en"):
        if len(str(merged.get(name) or "")) > 5000:
            problems.append(
                Problem(
                    reason=_("At most %(n)d characters (got %(got)d).") % {"n": 5000, "got": len(str(merged[name]))},
                    column=name,
                )
            )
    problems += form_field_problems(merged["form_fields"])
    problems += eligibility_problems(category.kind, merged["eligibility"])
    problems += rubric_problems(merged["rubric"])
    for name, low, high in (("winners", 1, 1000), ("judges_per_entry", 1, 20), ("max_judge_load", 1, 1000)):
        whole = _whole(merged, name, low, high)
        if whole is not None:
            problems.append(whole)
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        locked = Category.objects.select_for_update().get(pk=category.pk)
        before = snapshot(locked, CATEGORY_FIELDS)
        if (
            "rubric" in values
            and values["rubric"] != locked.rubric
            and Review.objects.filter(assignment__entry__category=locked).exists()
        ):
            raise Conflict(_("Judges have already scored entries of this category; its rubric can no longer change."))
        for name in CATEGORY_FIELDS:
            if name in values:
                value = values[name]
                setattr(locked, name, value.strip() if isinstance(value, str) else value)
        locked.save()
        audit_record(
            actor=by, action="category.update", target=locked, before=before, after=snapshot(locked, CATEGORY_FIELDS)
        )
    return locked
