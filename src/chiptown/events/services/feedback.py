"""The short survey about each session: three ratings from 1 to 5 (overall, content, speakers) and a comment.

Rules: a session can be rated once it has ended, by people with a confirmed registration (and, for a session
with sign-up, a confirmed seat in it). One answer per person and session: it can be changed until the event
ends; after that it is final. First answers are still taken for FEEDBACK_DAYS_AFTER days after the event (people
often fill in surveys on the way home), and then the survey closes.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied, Problem
from chiptown.core.services import audit_record, snapshot
from chiptown.events import selectors
from chiptown.events.models import (
    Event,
    Feedback,
    Registration,
    RegistrationStatus,
    Session,
    SessionKind,
    Signup,
    SignupStatus,
)

RATING_FIELDS = ("rating", "content_rating", "speaker_rating")
COMMENT_MAX = 2000
FEEDBACK_DAYS_AFTER = 7
FEEDBACK_FIELDS = (*RATING_FIELDS, "comment")


def event_ends_at(event: Event) -> datetime.datetime:
    """Midnight after the event's last day, in the event's time zone."""
    day_after = event.ends_on + datetime.timedelta(days=1)
    return datetime.datetime(day_after.year, day_after.month, day_after.day, tzinfo=event.zone)


def feedback_closes_at(event: Event) -> datetime.datetime:
    return event_ends_at(event) + datetime.timedelta(days=FEEDBACK_DAYS_AFTER)


def feedback_closed_reason(*, session: Session, registration: Registration | None, existing: Feedback | None) -> str:
    """Why this person may not (or no longer) give or change their answer about this session; "" if they may.
    The page shows it instead of the form; feedback_submit checks the same."""
    now = timezone.now()
    if session.kind == SessionKind.BREAK:
        return _("Breaks are not rated.")
    if session.ends_at is None or now < session.ends_at:
        return _("You can rate this session once it has ended.")
    if registration is None or registration.status != RegistrationStatus.CONFIRMED:
        return _("Only people with a confirmed registration for the conference can rate its sessions.")
    if (
        session.takes_signup
        and not Signup.objects.filter(
            session=session, registration=registration, status=SignupStatus.CONFIRMED
        ).exists()
    ):
        return _("Only people who had a seat in this session can rate it.")
    if existing is not None and now >= event_ends_at(session.event):
        return _("The conference has ended; your answer can no longer be changed.")
    if now >= feedback_closes_at(session.event):
        return _("The survey has closed.")
    return ""


def _clean(rating: Any, content_rating: Any, speaker_rating: Any, comment: Any) -> tuple[dict[str, Any], list[Problem]]:
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for name, raw in zip(RATING_FIELDS, (rating, content_rating, speaker_rating), strict=True):
        try:
            number = int(str(raw).strip()) if raw is not None and not isinstance(raw, bool) else None
        except ValueError:
            number = None
        if number is None or not 1 <= number <= 5:
            problems.append(Problem(reason=_("Choose a rating from 1 to 5."), column=name))
        else:
            values[name] = number
    text = str(comment or "").strip()
    if len(text) > COMMENT_MAX:
        problems.append(
            Problem(reason=_("Keep the comment under %(count)d characters.") % {"count": COMMENT_MAX}, column="comment")
        )
    values["comment"] = text
    return values, problems


def feedback_submit(
    *,
    session: Session,
    user: Any,
    rating: Any,
    content_rating: Any,
    speaker_rating: Any,
    comment: str = "",
    by: Any,
) -> Feedback:
    """Record (or change) `user`'s answer about `session`. Ratings are whole numbers from 1 to 5. People answer
    for themselves only. Audited with the answer before and after."""
    if not getattr(by, "is_authenticated", False) or by.pk != getattr(user, "pk", None):
        raise PermissionDenied(_("People give their own feedback only."))
    values, problems = _clean(rating, content_rating, speaker_rating, comment)
    with transaction.atomic():
        # Lock the registration so that two tabs sending a first answer at once make one answer, not an error.
        registration = Registration.objects.select_for_update().filter(event_id=session.event_id, user=user).first()
        existing = Feedback.objects.filter(session=session, registration=registration).first() if registration else None
        if registration is None or registration.status != RegistrationStatus.CONFIRMED:
            raise PermissionDenied(
                _("Only people with a confirmed registration for the conference can rate its sessions."),
                code="not_registered",
            )
        reason = feedback_closed_reason(session=session, registration=registration, existing=existing)
        if reason:
            raise Conflict(reason, code="feedback_closed")
        if problems:
            raise ChipTownError(_("The answer is not complete."), problems=problems)
        assert registration is not None
        before = snapshot(existing, FEEDBACK_FIELDS) if existing is not None else None
        if existing is None:
            feedback = Feedback.objects.create(session=session, registration=registration, **values)
        else:
            feedback = existing
            for name, value in values.items():
                setattr(feedback, name, value)
            feedback.save(update_fields=list(FEEDBACK_FIELDS))
        audit_record(
            actor=by,
            action="feedback.submit" if existing is None else "feedback.change",
            target=feedback,
            object_repr=f"{selectors.person_name(user)} → {session.display_title}"[:255],
            before=before,
            after=snapshot(feedback, FEEDBACK_FIELDS),
        )
    return feedback


# The results page: per session, the count, each question's average and spread, the comments (pure: rows in). ----

QUESTION_LABELS = {
    "rating": gettext_lazy("Overall"),
    "content_rating": gettext_lazy("Content"),
    "speaker_rating": gettext_lazy("Speakers"),
}


@dataclass(frozen=True)
class RatingShare:
    """How many answers gave one rating to one question, and their share of the answers."""

    rating: int
    count: int
    percent: int

    @property
    def width_class(self) -> str:
        """The CSS class that draws the bar (w-0 … w-100 in steps of 5; the CSP forbids inline widths)."""
        return f"w-{5 * round(self.percent / 5)}"


@dataclass(frozen=True)
class QuestionSummary:
    code: str
    label: str
    average: float | None
    shares: list[RatingShare]


@dataclass(frozen=True)
class Comment:
    text: str
    rating: int
    at: datetime.datetime


@dataclass(frozen=True)
class SessionFeedback:
    session: Session
    count: int
    questions: list[QuestionSummary]
    comments: list[Comment] = field(default_factory=list)


def summarise_feedback(sessions: Iterable[Session], answers: Iterable[Feedback]) -> list[SessionFeedback]:
    """Every session (in the order given) with what its answers say. Sessions without answers are kept, with a
    count of 0, so the page can say which sessions nobody rated."""
    by_session: dict[int, list[Feedback]] = defaultdict(list)
    for answer in answers:
        by_session[answer.session_id].append(answer)
    summaries = []
    for session in sessions:
        rows = by_session.get(session.pk, [])
        questions = []
        for code in RATING_FIELDS:
            values = [int(getattr(row, code)) for row in rows]
            counts = Counter(values)
            questions.append(
                QuestionSummary(
                    code=code,
                    label=str(QUESTION_LABELS[code]),
                    average=sum(values) / len(values) if values else None,
                    shares=[
                        RatingShare(
                            rating=rating,
                            count=counts.get(rating, 0),
                            percent=round(100 * counts.get(rating, 0) / len(values)) if values else 0,
                        )
                        for rating in range(5, 0, -1)
                    ],
                )
            )
        comments = [Comment(text=row.comment, rating=row.rating, at=row.created_at) for row in rows if row.comment]
        summaries.append(SessionFeedback(session=session, count=len(rows), questions=questions, comments=comments))
    return summaries
