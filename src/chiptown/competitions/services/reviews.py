"""Scoring: a judge's draft and submission of a review (a score and a comment per criterion, an overall
comment), locked once submitted; an operator's reopening with a reason; reminders to judges with unfinished
reviews. Every write is audited.

Writes to one review are serialised by locking its assignment row (it always exists, unlike the review on a
first save), then checking the review's status and version: of two submissions from two browser tabs exactly one
goes through, and a save from a tab that shows an older version is refused instead of overwriting newer scores.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chiptown.competitions import conflicts
from chiptown.competitions.models import Assignment, Category, EntryStatus, Review, ReviewStatus
from chiptown.competitions.services.ranking import ranking_precompute_on_commit
from chiptown.core.addresses import absolute_url
from chiptown.core.errors import ChipTownError, Conflict, NotFound, PermissionDenied, Problem
from chiptown.core.notifications import notify
from chiptown.core.services import audit_record, snapshot
from chiptown.registry.models import pick_language

# Entries a judge may score: submitted (not yet screened) or found eligible; never drafts, withdrawn or
# ineligible ones.
SCORABLE_STATES = (EntryStatus.SUBMITTED, EntryStatus.ELIGIBLE)
DEFAULT_STEP = Decimal("0.5")
COMMENT_MAX = 4000
OVERALL_COMMENT_MAX = 10000
REASON_MAX = 1000
REVIEW_FIELDS = ("status", "scores", "comments", "overall_comment", "submitted_at", "version")


# --- The rubric -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One line of a category's rubric: scores run from `low` to `high` in steps of `step`."""

    code: str
    label_en: str
    label_zh: str
    weight: float
    low: Decimal
    high: Decimal
    step: Decimal

    @property
    def label(self) -> str:
        return pick_language(self.label_zh, self.label_en) or self.code

    @property
    def range_text(self) -> tuple[str, str, str]:
        """(low, high, step) as people write them: 0, 10, 0.5."""
        return _format(self.low), _format(self.high), _format(self.step)


def _decimal(value: Any, default: Decimal) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return default
    return number if number.is_finite() else default


def rubric_criteria(category: Category) -> list[Criterion]:
    """The category's rubric as criteria (JSON: code, label_en, label_zh, weight, min, max and optionally step)."""
    criteria = []
    for item in category.rubric or []:
        step = _decimal(item.get("step", DEFAULT_STEP), DEFAULT_STEP)
        criteria.append(
            Criterion(
                code=str(item["code"]),
                label_en=str(item.get("label_en", "")),
                label_zh=str(item.get("label_zh", "")),
                weight=float(item.get("weight", 1.0)),
                low=_decimal(item.get("min", 0), Decimal(0)),
                high=_decimal(item.get("max", 10), Decimal(10)),
                step=step if step > 0 else DEFAULT_STEP,
            )
        )
    return criteria


def weighted_score(criteria: list[Criterion], scores: Mapping[str, Any]) -> float | None:
    """The weighted mean of the criterion scores (weights normalised); None unless every criterion is scored."""
    total_weight = sum(c.weight for c in criteria)
    if not criteria or total_weight <= 0 or any(scores.get(c.code) is None for c in criteria):
        return None
    return sum(c.weight * float(scores[c.code]) for c in criteria) / total_weight


def _format(number: Decimal) -> str:
    return format(number.normalize(), "f")


def score_text(value: Any) -> str:
    """A stored score as people write it: 8, 7.5, 6.25 ("" for none)."""
    if value is None or value == "" or isinstance(value, bool):
        return ""
    number = _decimal(value, Decimal("NaN"))
    return _format(number) if number.is_finite() else str(value)


def _clean_scores(
    criteria: list[Criterion], raw: Mapping[str, Any], *, complete: bool
) -> tuple[dict[str, float], list[Problem]]:
    """Scores as numbers within each criterion's range and step; every problem, not only the first. A blank
    score is allowed in a draft and refused at submission (`complete`)."""
    by_code = {c.code: c for c in criteria}
    problems = [
        Problem(reason=_("This criterion is not in the rubric."), column=str(code))
        for code in raw
        if code not in by_code
    ]
    cleaned: dict[str, float] = {}
    for criterion in criteria:
        value = raw.get(criterion.code)
        if value is None or (isinstance(value, str) and not value.strip()):
            if complete:
                problems.append(Problem(reason=_("Give a score for every criterion."), column=criterion.code))
            continue
        if isinstance(value, bool):
            number = None
        else:
            try:
                number = Decimal(str(value).strip().replace(",", "."))
            except (InvalidOperation, ValueError):
                number = None
        if number is None or not number.is_finite():
            problems.append(Problem(reason=_("A score must be a number."), column=criterion.code))
            continue
        if not criterion.low <= number <= criterion.high:
            problems.append(
                Problem(
                    reason=_("A score must lie between %(low)s and %(high)s.")
                    % {"low": _format(criterion.low), "high": _format(criterion.high)},
                    column=criterion.code,
                )
            )
            continue
        if (number - criterion.low) % criterion.step != 0:
            problems.append(
                Problem(
                    reason=_("Scores go in steps of %(step)s.") % {"step": _format(criterion.step)},
                    column=criterion.code,
                )
            )
            continue
        cleaned[criterion.code] = float(number)
    return cleaned, problems


def _clean_comments(
    criteria: list[Criterion], raw: Mapping[str, Any], overall: Any
) -> tuple[dict[str, str], str, list[Problem]]:
    by_code = {c.code for c in criteria}
    problems = [
        Problem(reason=_("This criterion is not in the rubric."), column=f"comment_{code}")
        for code in raw
        if code not in by_code
    ]
    comments: dict[str, str] = {}
    for criterion in criteria:
        text = str(raw.get(criterion.code) or "").strip()
        if len(text) > COMMENT_MAX:
            problems.append(
                Problem(
                    reason=_("A comment may have at most %(n)d characters.") % {"n": COMMENT_MAX},
                    column=f"comment_{criterion.code}",
                )
            )
        elif text:
            comments[criterion.code] = text
    overall_text = str(overall or "").strip()
    if len(overall_text) > OVERALL_COMMENT_MAX:
        problems.append(
            Problem(
                reason=_("A comment may have at most %(n)d characters.") % {"n": OVERALL_COMMENT_MAX},
                column="overall_comment",
            )
        )
    return comments, overall_text, problems


# --- Who may score ------------------------------------------------------------------------------------------------


def check_may_view(*, assignment: Assignment, by: Any) -> None:
    """Raise unless `by` is the assignment's judge, still active, without a conflict of interest. Someone else's
    assignment is a 404 (whether it exists is nobody else's business); the rest are 403 refusals."""
    judge = assignment.judge
    if not getattr(by, "is_authenticated", False) or judge.user_id != by.pk:
        raise NotFound(_("No such assignment."))
    if not judge.active:
        raise PermissionDenied(_("You are no longer a judge in this edition."), code="inactive_judge")
    if conflicts.judge_conflicts_with_entry(judge=judge, entry=assignment.entry):
        raise PermissionDenied(
            _("You have a conflict of interest with this entry, so you cannot see or score it."), code="conflict"
        )


def closed_reason(assignment: Assignment) -> str:
    """Why the assignment's review can no longer change ("" when it can): the entry left the competition, or the
    edition's results are out."""
    entry = assignment.entry
    if entry.status not in SCORABLE_STATES:
        return _("This entry is no longer in the competition.")
    if entry.category.edition.results_published_at is not None:
        return _("The results are published: scores can no longer change.")
    return ""


def check_may_score(*, assignment: Assignment, by: Any) -> None:
    """check_may_view, and the review can still change (else a 409 saying why)."""
    check_may_view(assignment=assignment, by=by)
    reason = closed_reason(assignment)
    if reason:
        raise Conflict(reason, code="closed")


# --- Draft, submission, reopening ---------------------------------------------------------------------------------


def _locked(assignment: Assignment) -> tuple[Assignment, Review | None]:
    """Lock the assignment row (serialises every write to its review), then read the review."""
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("judge", "entry__category__edition")
        .get(pk=assignment.pk)
    )
    return locked, Review.objects.filter(assignment=locked).first()


def _review_state(review: Review | None) -> dict[str, Any]:
    if review is None:
        return {}
    return snapshot(review, REVIEW_FIELDS)


def _refuse_unless_editable(review: Review | None, version: int | None) -> None:
    if review is not None and review.status == ReviewStatus.SUBMITTED:
        raise Conflict(
            _("This review was already submitted and is locked. An operator can reopen it."), code="submitted"
        )
    current = review.version if review is not None else 0
    if version is not None and version != current:
        raise Conflict(
            _("This review changed in another window since you opened it. Reload the page to see the latest."),
            code="stale",
        )


def _write(
    *,
    assignment: Assignment,
    by: Any,
    scores: Mapping[str, Any],
    comments: Mapping[str, Any],
    overall_comment: Any,
    version: int | None,
    submit: bool,
) -> Review:
    with transaction.atomic():
        locked, review = _locked(assignment)
        # Who may write comes before what is written: a judge with no business here learns nothing more.
        check_may_score(assignment=locked, by=by)
        _refuse_unless_editable(review, version)
        criteria = rubric_criteria(locked.entry.category)
        cleaned, problems = _clean_scores(criteria, scores, complete=submit)
        comment_texts, overall_text, comment_problems = _clean_comments(criteria, comments, overall_comment)
        problems += comment_problems
        if problems:
            message = _("The review was not submitted.") if submit else _("The draft was not saved.")
            raise ChipTownError(message, code="invalid", problems=problems)
        before = _review_state(review)
        if review is None:
            review = Review(assignment=locked)
        review.scores = cleaned
        review.comments = comment_texts
        review.overall_comment = overall_text
        review.version += 1
        if submit:
            review.status = ReviewStatus.SUBMITTED
            review.submitted_at = timezone.now()
        review.save()
        audit_record(
            actor=by,
            action="review.submit" if submit else "review.save",
            target=review,
            before=before,
            after={**_review_state(review), "weighted_score": weighted_score(criteria, cleaned)},
        )
        if submit:
            ranking_precompute_on_commit(category_id=locked.entry.category_id)
    return review


def review_save(
    *,
    assignment: Assignment,
    by: Any,
    scores: Mapping[str, Any],
    comments: Mapping[str, Any] | None = None,
    overall_comment: str = "",
    version: int | None = None,
) -> Review:
    """Save a draft: scores may be missing, but those given must be valid. `version` is the review version the
    judge's page showed (0 before the first save); a different current version is refused."""
    return _write(
        assignment=assignment,
        by=by,
        scores=scores,
        comments=comments or {},
        overall_comment=overall_comment,
        version=version,
        submit=False,
    )


def review_submit(
    *,
    assignment: Assignment,
    by: Any,
    scores: Mapping[str, Any],
    comments: Mapping[str, Any] | None = None,
    overall_comment: str = "",
    version: int | None = None,
) -> Review:
    """Submit: every criterion scored; the review is locked from then on."""
    return _write(
        assignment=assignment,
        by=by,
        scores=scores,
        comments=comments or {},
        overall_comment=overall_comment,
        version=version,
        submit=True,
    )


def review_reopen(*, review: Review, by: Any, reason: str) -> Review:
    """An operator reopens a submitted review (back to a draft the judge can change), with a reason. The audit
    row keeps the scores as they stood; the judge is told why by email."""
    if not by.has_perm("competitions.reopen_review", review):
        raise PermissionDenied(_("Only operators may reopen a review."))
    reason = (reason or "").strip()
    if not reason:
        raise ChipTownError(
            _("Give a reason for reopening the review."),
            problems=[Problem(reason=_("This field is required."), column="reason")],
        )
    if len(reason) > REASON_MAX:
        raise ChipTownError(
            _("The reason is too long."),
            problems=[
                Problem(reason=_("At most %(n)d characters.") % {"n": REASON_MAX}, column="reason"),
            ],
        )
    with transaction.atomic():
        locked_assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("judge__user", "entry__category__edition")
            .get(pk=review.assignment_id)
        )
        locked = Review.objects.get(pk=review.pk)
        if locked.status != ReviewStatus.SUBMITTED:
            raise Conflict(_("Only a submitted review can be reopened."), code="not_submitted")
        if locked_assignment.entry.category.edition.results_published_at is not None:
            raise Conflict(_("The results are published: scores can no longer change."), code="published")
        before = _review_state(locked)
        locked.status = ReviewStatus.DRAFT
        locked.submitted_at = None
        locked.version += 1
        locked.save()
        after = {**_review_state(locked), "reason": reason}
        # Scores and comments do not change here; keep them in the record anyway, as they stood when reopened.
        after["scores_when_reopened"] = before.get("scores")
        audit_record(actor=by, action="review.reopen", target=locked, before=before, after=after)
        ranking_precompute_on_commit(category_id=locked_assignment.entry.category_id)
    judge = locked_assignment.judge
    entry = locked_assignment.entry
    notify(
        users=[judge.user],
        subject=gettext_noop("A review was reopened"),
        template="competitions/email/review_reopened.txt",
        context={
            "entry": entry,
            "category": entry.category,
            "reason": reason,
            "review_url": absolute_url(reverse("competitions:judge_review", args=[entry.pk])),
        },
    )
    return locked


# --- Reminders ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemindersSent:
    judges: int  # judges with unfinished reviews
    assignments: int  # unfinished assignments among them
    emails: int  # emails actually sent (a judge without an address gets none)


def unfinished_assignments(*, category: Category) -> list[Assignment]:
    """The category's assignments still to be scored by an active judge: no review yet, or a draft. Assignments
    a judge now conflicts with are left out (they cannot be scored)."""
    from chiptown.competitions.selectors import conflicted_assignment_ids

    rows = list(
        Assignment.objects.filter(
            entry__category=category,
            judge__active=True,
            entry__status__in=SCORABLE_STATES,
        )
        .exclude(review__status=ReviewStatus.SUBMITTED)
        .select_related("judge__user", "judge__person", "entry")
        .order_by("judge_id", "entry_id")
    )
    blocked = conflicted_assignment_ids(rows)
    return [a for a in rows if a.pk not in blocked]


def reminders_send(*, category: Category, by: Any) -> RemindersSent:
    """Email every active judge with unfinished reviews in the category (one email each, in their language),
    stamp those assignments' reminded_at, and audit it."""
    if not by.has_perm("competitions.send_reminders", category):
        raise PermissionDenied(_("Only operators may send reminders."))
    if category.edition.results_published_at is not None:
        raise Conflict(_("The results are published: there is nothing left to score."), code="published")
    unfinished = unfinished_assignments(category=category)
    per_judge: dict[int, list[Assignment]] = defaultdict(list)
    for assignment in unfinished:
        per_judge[assignment.judge_id].append(assignment)
    emails = 0
    judge_url = absolute_url(reverse("competitions:judge_edition", args=[category.edition.year]))
    for assignments in per_judge.values():
        judge = assignments[0].judge
        emails += notify(
            users=[judge.user],
            subject=gettext_noop("Reminder: reviews waiting for you"),
            template="competitions/email/reminder.txt",
            context={
                "category": category,
                "edition": category.edition,
                "unfinished": len(assignments),
                "judge_url": judge_url,
            },
        )
    now = timezone.now()
    with transaction.atomic():
        Assignment.objects.filter(pk__in=[a.pk for a in unfinished]).update(reminded_at=now)
        audit_record(
            actor=by,
            action="review.remind",
            target=category,
            after={
                "judges": sorted(per_judge),
                "assignments": len(unfinished),
                "emails": emails,
                "at": now,
            },
        )
    return RemindersSent(judges=len(per_judge), assignments=len(unfinished), emails=emails)
