"""Who may do what in the competition. Predicates here; permissions registered at the bottom by each part."""

from typing import Any

import rules

from chiptown.core.rules import is_operator


@rules.predicate
def owns_entry(user: Any, entry: Any) -> bool:
    """The applicant: who created the entry, or a representative of the applying (lead) organisation."""
    if entry is None or not user.is_authenticated:
        return False
    if entry.created_by_id == user.pk:
        return True
    return bool(user.role == "company_rep" and user.organisation_id and entry.organisation_id == user.organisation_id)


@rules.predicate
def is_judge_of(user: Any, entry: Any) -> bool:
    """An active judge assigned to the entry who has no conflict with it (conflicts are checked when
    assigning and again here, so a later-declared conflict also closes the door)."""
    if entry is None or not user.is_authenticated:
        return False
    from chiptown.competitions.conflicts import judge_conflicts_with_entry
    from chiptown.competitions.models import Assignment

    assignment = (
        Assignment.objects.select_related("judge").filter(entry=entry, judge__user=user, judge__active=True).first()
    )
    return assignment is not None and not judge_conflicts_with_entry(judge=assignment.judge, entry=entry)


rules.add_perm("competitions.manage", is_operator)
rules.add_perm("competitions.view_entry", is_operator | owns_entry | is_judge_of)
rules.add_perm("competitions.change_entry", is_operator | owns_entry)
rules.add_perm("competitions.score_entry", is_judge_of)

# Results (decisions, publication, certificates, exports): operators only.
rules.add_perm("competitions.decide_results", is_operator)
rules.add_perm("competitions.export_results", is_operator)

# --- Editions, categories, applications -------------------------------------------------------------------------


@rules.predicate
def may_apply(user: Any, category: Any) -> bool:
    """Anyone signed in may nominate a person; organisations apply through their representatives (or an
    operator on their behalf)."""
    if category is None or not user.is_authenticated:
        return False
    if category.applicant_kind == "person":
        return True
    return bool(is_operator(user) or (user.role == "company_rep" and user.organisation_id))


@rules.predicate
def is_nominee(user: Any, entry: Any) -> bool:
    """The nominated person's own account (the registry Person's linked user)."""
    if entry is None or not user.is_authenticated or not entry.person_id:
        return False
    return bool(entry.person.user_id == user.pk)


@rules.predicate
def represents_partner(user: Any, entry: Any) -> bool:
    """A representative of one of the organisations named in a partnership entry."""
    if entry is None or not user.is_authenticated or user.role != "company_rep" or not user.organisation_id:
        return False
    return any(member.organisation_id == user.organisation_id for member in entry.partners.all())


@rules.predicate
def is_submitted(user: Any, entry: Any) -> bool:
    """Past the draft stage: a draft stays its applicant's until it is submitted."""
    return bool(entry is not None and entry.status != "draft")


rules.add_perm("competitions.apply", may_apply)
rules.add_perm("competitions.screen_entry", is_operator)
rules.add_perm("competitions.respond_nomination", is_nominee)
rules.add_perm("competitions.confirm_partnership", represents_partner)
# The application page: whoever may see the entry, plus (once submitted) the nominee and the partners asked to
# confirm it.
rules.add_perm(
    "competitions.view_application",
    is_operator | owns_entry | is_judge_of | (is_submitted & (is_nominee | represents_partner)),
)

# --- Judging: scoring, progress, reminders, ranking --------------------------------------------------------------
# A judge scores through competitions.score_entry (is_judge_of); operators follow progress, remind judges, reopen
# a submitted review (with a reason) and read the calibrated ranking, where every score is visible.
rules.add_perm("competitions.view_progress", is_operator)
rules.add_perm("competitions.send_reminders", is_operator)
rules.add_perm("competitions.reopen_review", is_operator)
rules.add_perm("competitions.view_ranking", is_operator)

# --- Judges, conflicts and assignment ------------------------------------------------------------------------------


@rules.predicate
def is_the_judge(user: Any, judge: Any) -> bool:
    """The judge's own account (a judge declares their own conflicts)."""
    return bool(judge is not None and user.is_authenticated and judge.user_id == user.pk)


rules.add_perm("competitions.manage_judges", is_operator)
rules.add_perm("competitions.run_assignment", is_operator)
rules.add_perm("competitions.declare_conflict", is_operator | is_the_judge)
