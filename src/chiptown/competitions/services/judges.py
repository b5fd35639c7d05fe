"""Judges and what shapes their assignment: creating and editing judges (who they are in the registry, what they
know, where they worked), panels per category, conflicts a judge declares, an operator's pins and forbids, and a
judge dropping out. Every write checks permissions, runs in one transaction and is audited."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from chiptown.competitions import conflicts
from chiptown.competitions.models import (
    Assignment,
    Category,
    ConflictDeclaration,
    Edition,
    Entry,
    Judge,
    PairRule,
    Panel,
    Review,
    ReviewStatus,
)
from chiptown.core.errors import ChipTownError, Problem
from chiptown.core.rules import require
from chiptown.core.services import audit_record, snapshot
from chiptown.registry.models import ChipCategory, Organisation, Person

JUDGE_FIELDS = ("person_id", "expertise_text", "max_load", "active")
EXPERTISE_MAX = 4000
REASON_MAX = 255


def _require(by: Any, perm: str, target: Any = None, message: str | None = None) -> None:
    require(by, perm, target, message or _("Only operators may manage judges and assignments."))


def _deleted(rows: QuerySet[Any], model: type[Model]) -> int:
    """Delete the rows and say how many of `model` went (not counting anything cascaded)."""
    _total, per_model = rows.delete()
    return int(per_model.get(model._meta.label, 0))


def _invalid(problems: list[Problem]) -> ChipTownError:
    return ChipTownError(_("Some fields are not valid."), code="invalid", problems=problems)


def _judge_state(judge: Judge) -> dict[str, Any]:
    return {
        **snapshot(judge, JUDGE_FIELDS),
        "expertise_categories": sorted(judge.expertise_categories.values_list("code", flat=True)),
        "former_employers": sorted(judge.former_employers.values_list("pk", flat=True)),
    }


def _categories(values: Iterable[Any]) -> tuple[list[ChipCategory], list[Problem]]:
    codes = [v.pk if isinstance(v, ChipCategory) else str(v) for v in values]
    found = {c.pk: c for c in ChipCategory.objects.filter(pk__in=codes)}
    problems = [
        Problem(reason=_("Unknown chip category: %(code)s.") % {"code": code}, column="expertise_categories")
        for code in codes
        if code not in found
    ]
    return [found[c] for c in dict.fromkeys(codes) if c in found], problems


def _organisations(values: Iterable[Any]) -> tuple[list[Organisation], list[Problem]]:
    ids = [v.pk if isinstance(v, Organisation) else int(v) for v in values]
    found = {o.pk: o for o in Organisation.objects.filter(pk__in=ids)}
    problems = [
        Problem(reason=_("Unknown organisation #%(id)s.") % {"id": pk}, column="former_employers")
        for pk in ids
        if pk not in found
    ]
    return [found[pk] for pk in dict.fromkeys(ids) if pk in found], problems


def _check_judge_values(values: Mapping[str, Any], *, user: Any) -> list[Problem]:
    problems: list[Problem] = []
    person = values.get("person")
    if person is not None and not isinstance(person, Person):
        problems.append(Problem(reason=_("Choose a person from the registry."), column="person"))
    elif person is not None and person.user_id is not None and person.user_id != user.pk:
        problems.append(Problem(reason=_("This registry person belongs to another user account."), column="person"))
    text = values.get("expertise_text", "")
    if text is not None and len(str(text)) > EXPERTISE_MAX:
        problems.append(Problem(reason=_("At most %(n)d characters.") % {"n": EXPERTISE_MAX}, column="expertise_text"))
    max_load = values.get("max_load")
    if max_load is not None and (not isinstance(max_load, int) or max_load < 1 or max_load > 1000):
        problems.append(Problem(reason=_("Enter a whole number from 1 to 1000, or leave empty."), column="max_load"))
    return problems


def judge_create(
    *,
    by: Any,
    edition: Edition,
    user: Any,
    person: Person | None = None,
    expertise_categories: Iterable[Any] = (),
    expertise_text: str = "",
    former_employers: Iterable[Any] = (),
    max_load: int | None = None,
) -> Judge:
    """Make a user a judge of an edition. Their registry person (and its organisation) is what conflicts of
    interest are derived from, so a judge without one is allowed but warned about on the judges page."""
    _require(by, "competitions.manage_judges")
    problems = _check_judge_values(
        {"person": person, "expertise_text": expertise_text, "max_load": max_load}, user=user
    )
    if getattr(user, "role", "") != "judge":
        problems.append(Problem(reason=_("This user's role is not judge."), column="user"))
    elif Judge.objects.filter(edition=edition, user=user).exists():
        problems.append(Problem(reason=_("This user is already a judge of this edition."), column="user"))
    categories, category_problems = _categories(expertise_categories)
    employers, employer_problems = _organisations(former_employers)
    problems += category_problems + employer_problems
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        judge = Judge.objects.create(
            edition=edition, user=user, person=person, expertise_text=expertise_text.strip(), max_load=max_load
        )
        judge.expertise_categories.set(categories)
        judge.former_employers.set(employers)
        audit_record(actor=by, action="judge.create", target=judge, after=_judge_state(judge))
    return judge


def judge_update(*, judge: Judge, by: Any, values: Mapping[str, Any]) -> Judge:
    """Change a judge's person, expertise (categories and text), former employers or load limit (only the
    keys given)."""
    _require(by, "competitions.manage_judges", judge)
    allowed = {"person", "expertise_text", "max_load", "expertise_categories", "former_employers"}
    unknown = set(values) - allowed
    if unknown:
        raise _invalid([Problem(reason=_("This field cannot be changed here."), column=f) for f in sorted(unknown)])
    problems = _check_judge_values(values, user=judge.user)
    categories: list[ChipCategory] | None = None
    employers: list[Organisation] | None = None
    if "expertise_categories" in values:
        categories, more = _categories(values["expertise_categories"])
        problems += more
    if "former_employers" in values:
        employers, more = _organisations(values["former_employers"])
        problems += more
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        locked = Judge.objects.select_for_update().get(pk=judge.pk)
        before = _judge_state(locked)
        if "person" in values:
            locked.person = values["person"]
        if "expertise_text" in values:
            locked.expertise_text = str(values["expertise_text"] or "").strip()
        if "max_load" in values:
            locked.max_load = values["max_load"]
        locked.save()
        if categories is not None:
            locked.expertise_categories.set(categories)
        if employers is not None:
            locked.former_employers.set(employers)
        removed = _remove_conflicted_assignments(judge=locked)
        after = {**_judge_state(locked), "assignments_removed": removed}
        audit_record(actor=by, action="judge.update", target=locked, before=before, after=after)
    return locked


def _remove_conflicted_assignments(*, judge: Judge) -> int:
    """A new tie (a declaration, another organisation or former employer) ends the judge's assignments to the
    entries it touches, where no review was started; started reviews stay (and stay closed to the judge, since
    every page checks conflicts again)."""
    assignments = Assignment.objects.filter(judge=judge, review__isnull=True)
    entries = Entry.objects.filter(pk__in=assignments.values("entry_id"))
    pairs = conflicts.conflict_pairs(judges=Judge.objects.filter(pk=judge.pk), entries=entries)
    doomed = [entry_id for entry_id, _judge_id in pairs]
    if not doomed:
        return 0
    return _deleted(assignments.filter(entry_id__in=doomed), Assignment)


# --- Panels -------------------------------------------------------------------------------------------------------


def panel_set_judges(*, category: Category, by: Any, judges: Iterable[Judge]) -> Panel:
    """The judges who may be assigned this category's entries. A judge taken off the panel loses the
    category's assignments whose review was not started."""
    _require(by, "competitions.manage_judges", category)
    chosen = list(dict.fromkeys(judges))
    strangers = [j for j in chosen if j.edition_id != category.edition_id]
    if strangers:
        raise _invalid(
            [
                Problem(reason=_("%(judge)s is not a judge of this edition.") % {"judge": j}, column="judges")
                for j in strangers
            ]
        )
    with transaction.atomic():
        panel, _created = Panel.objects.select_for_update().get_or_create(category=category)
        before = sorted(panel.judges.values_list("pk", flat=True))
        wanted = sorted(j.pk for j in chosen)
        panel.judges.set(chosen)
        gone = set(before) - set(wanted)
        removed = 0
        if gone:
            removed = _deleted(
                Assignment.objects.filter(judge_id__in=gone, entry__category=category, review__isnull=True), Assignment
            )
        audit_record(
            actor=by,
            action="panel.update",
            target=panel,
            before={"judges": before},
            after={"judges": wanted, "assignments_removed": int(removed)},
        )
    return panel


# --- Declarations -------------------------------------------------------------------------------------------------


def declaration_create(
    *, judge: Judge, by: Any, reason: str, organisation: Organisation | None = None, entry: Entry | None = None
) -> ConflictDeclaration:
    """A tie the judge (or an operator for them) declares: with an organisation (all its entries) or one entry.
    Assignments it touches whose review was not started end at once."""
    _require(by, "competitions.declare_conflict", judge, _("You may only declare your own conflicts."))
    problems: list[Problem] = []
    reason = (reason or "").strip()
    if not reason:
        problems.append(Problem(reason=_("Say what the tie is."), column="reason"))
    elif len(reason) > REASON_MAX:
        problems.append(Problem(reason=_("At most %(n)d characters.") % {"n": REASON_MAX}, column="reason"))
    if organisation is None and entry is None:
        problems.append(Problem(reason=_("Name an organisation or an entry."), column="organisation"))
    if entry is not None and entry.category.edition_id != judge.edition_id:
        problems.append(Problem(reason=_("This entry is not in the judge's edition."), column="entry"))
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        declaration = ConflictDeclaration.objects.create(
            judge=judge, organisation=organisation, entry=entry, reason=reason
        )
        removed = _remove_conflicted_assignments(judge=judge)
        audit_record(
            actor=by,
            action="judge.declare_conflict",
            target=declaration,
            after={
                **snapshot(declaration, ("judge_id", "organisation_id", "entry_id", "reason")),
                "assignments_removed": removed,
            },
        )
    return declaration


def declaration_delete(*, declaration: ConflictDeclaration, by: Any) -> None:
    """Withdraw a declaration (operators only: a judge's word that a tie exists is not undone by the judge)."""
    _require(by, "competitions.manage_judges", declaration)
    with transaction.atomic():
        before = snapshot(declaration, ("judge_id", "organisation_id", "entry_id", "reason"))
        audit_record(
            actor=by,
            action="judge.withdraw_declaration",
            object_type=declaration._meta.label_lower,
            object_id=declaration.pk,
            object_repr=str(declaration),
            before=before,
        )
        declaration.delete()


# --- Pins and forbids ---------------------------------------------------------------------------------------------


def pair_rule_set(*, entry: Entry, judge: Judge, kind: str, by: Any, reason: str = "") -> PairRule:
    """Pin (the next run must assign the judge to the entry) or forbid (it must not). A pin is refused when the
    judge conflicts with the entry, is not on the category's panel or has dropped out; a forbid ends an
    assignment of the pair whose review was not started."""
    _require(by, "competitions.run_assignment", entry.category)
    if kind not in PairRule.Kind.values:
        raise _invalid([Problem(reason=_("Choose pin or forbid."), column="kind")])
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise _invalid([Problem(reason=_("At most %(n)d characters.") % {"n": REASON_MAX}, column="reason")])
    if not Panel.objects.filter(category=entry.category_id, judges=judge).exists():
        raise _invalid([Problem(reason=_("This judge is not on the category's panel."), column="judge")])
    if kind == PairRule.Kind.PIN:
        if not judge.active:
            raise _invalid([Problem(reason=_("This judge has dropped out."), column="judge")])
        reasons = conflicts.conflict_reasons(judge=judge, entry=entry)
        if reasons:
            raise ChipTownError(
                _("This judge conflicts with the entry: %(reasons)s") % {"reasons": " ".join(reasons)},
                code="conflict_of_interest",
            )
        pinned = PairRule.objects.filter(entry=entry, kind=PairRule.Kind.PIN).exclude(judge=judge).count()
        if pinned >= entry.category.judges_per_entry:
            raise ChipTownError(
                _("This entry already has %(n)d pinned judges, as many as it needs.") % {"n": pinned},
                code="too_many_pins",
            )
    with transaction.atomic():
        existing = PairRule.objects.select_for_update().filter(entry=entry, judge=judge).first()
        before = snapshot(existing, ("kind", "reason")) if existing else None
        rule, _created = PairRule.objects.update_or_create(
            entry=entry, judge=judge, defaults={"kind": kind, "reason": reason, "created_by": by}
        )
        removed = 0
        if kind == PairRule.Kind.FORBID:
            removed = _deleted(Assignment.objects.filter(entry=entry, judge=judge, review__isnull=True), Assignment)
        audit_record(
            actor=by,
            action="assignment.pair_rule",
            target=rule,
            before=before,
            after={**snapshot(rule, ("entry_id", "judge_id", "kind", "reason")), "assignments_removed": int(removed)},
        )
    return rule


def pair_rule_delete(*, rule: PairRule, by: Any) -> None:
    _require(by, "competitions.run_assignment", rule.entry.category)
    with transaction.atomic():
        audit_record(
            actor=by,
            action="assignment.pair_rule_delete",
            object_type=rule._meta.label_lower,
            object_id=rule.pk,
            object_repr=str(rule),
            before=snapshot(rule, ("entry_id", "judge_id", "kind", "reason")),
        )
        rule.delete()


# --- Dropping out -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DropOut:
    """What a judge's dropping out removed and kept."""

    assignments_removed: int
    drafts_removed: int
    submitted_kept: int


def judge_drop_out(*, judge: Judge, by: Any, reason: str) -> DropOut:
    """The judge stops judging: marked inactive; their assignments without a submitted review (and their
    drafts) are removed, submitted reviews stay and count. A re-run of the assignment fills the gaps."""
    _require(by, "competitions.manage_judges", judge)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid([Problem(reason=_("Say why the judge drops out."), column="reason")])
    if len(reason) > REASON_MAX:
        raise _invalid([Problem(reason=_("At most %(n)d characters.") % {"n": REASON_MAX}, column="reason")])
    with transaction.atomic():
        locked = Judge.objects.select_for_update().get(pk=judge.pk)
        if not locked.active:
            raise ChipTownError(_("This judge has already dropped out."), code="already_inactive")
        locked.active = False
        locked.save(update_fields=["active"])
        # Lock the judge's assignments first, so a submission racing with the drop-out either lands before (and
        # is kept) or is refused after (the judge is inactive).
        list(Assignment.objects.select_for_update().filter(judge=locked).values_list("pk", flat=True))
        drafts = _deleted(Review.objects.filter(assignment__judge=locked, status=ReviewStatus.DRAFT), Review)
        removed = _deleted(Assignment.objects.filter(judge=locked, review__isnull=True), Assignment)
        kept = Review.objects.filter(assignment__judge=locked, status=ReviewStatus.SUBMITTED).count()
        result = DropOut(assignments_removed=int(removed), drafts_removed=int(drafts), submitted_kept=kept)
        audit_record(
            actor=by,
            action="judge.drop_out",
            target=locked,
            before={"active": True},
            after={
                "active": False,
                "reason": reason,
                "assignments_removed": result.assignments_removed,
                "drafts_removed": result.drafts_removed,
                "submitted_kept": result.submitted_kept,
            },
        )
    judge.active = False
    return result
