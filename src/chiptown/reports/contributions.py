"""What the other modules contribute to the annual report: the competition's results and the conference's
highlights for a year, as plain JSON-able dicts with names in both languages (None when the module has nothing
for that year). Read once when a report's snapshot is taken."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone, translation

from chiptown.competitions import selectors as competition_selectors
from chiptown.competitions.models import Edition, Entry, ReviewStatus
from chiptown.events import selectors as event_selectors
from chiptown.events.models import Event, Feedback, Registration, RegistrationStatus, Session, SessionKind, Speaker

# A category never prints more winners than this (Top 50 prints all 50: the list is the award).
WINNERS_SHOWN = 50
# The best-rated sessions: how many, and how many answers a session needs before its mean means anything.
BEST_SESSIONS = 5
BEST_SESSIONS_MIN_RATINGS = 3
# The two languages every name is stored in (the snapshot is language-neutral).
LANGUAGES = (("en", "en"), ("zh", "zh-hans"))


# --- The competition -------------------------------------------------------------------------------------------


def _winner_row(winner: competition_selectors.Winner) -> dict[str, Any]:
    entry = winner.entry
    name_zh, name_en = competition_selectors.entry_names(entry)
    person = entry.person if entry.person_id else None
    organisation = person.organisation if person is not None else None
    return {
        "rank": winner.rank,
        "name_en": name_en,
        "name_zh": name_zh,
        # A person is printed with the organisation they were nominated from.
        "affiliation_en": (organisation.name_en or organisation.name_zh) if organisation else "",
        "affiliation_zh": (organisation.name_zh or organisation.name_en) if organisation else "",
    }


def _winner_is_demo(winner: competition_selectors.Winner) -> bool:
    entry = winner.entry
    rows: list[Any] = [entry.organisation, entry.person, *(member.organisation for member in entry.partners.all())]
    if entry.person is not None:
        rows.append(entry.person.organisation)
    return any(row is not None and row.is_demo for row in rows)


def competition_summary(*, year: int) -> dict[str, Any] | None:
    """The published results of the competition edition of `year`; None when there are none. Per award, in the
    programme's order: its entries, how many were judged (at least one submitted review) and its winners in rank
    order. Five queries whatever the size."""
    edition: Edition | None = (
        competition_selectors.published_editions()
        .filter(year=year)
        .annotate(has_demo_entries=Exists(Entry.objects.filter(category__edition=OuterRef("pk"), is_demo=True)))
        .first()
    )
    if edition is None or edition.results_published_at is None:
        return None
    results = competition_selectors.edition_results(edition=edition)
    counts: dict[int, dict[str, Any]] = {
        row["category_id"]: dict(row)
        for row in Entry.objects.filter(category__edition=edition)
        .order_by()
        .values("category_id")
        .annotate(
            entries=Count("pk", filter=Q(status__in=competition_selectors.RECEIVED_STATES), distinct=True),
            judged=Count(
                "pk",
                filter=Q(
                    status__in=competition_selectors.RECEIVED_STATES,
                    assignments__review__status=ReviewStatus.SUBMITTED,
                ),
                distinct=True,
            ),
        )
    }
    is_demo = edition.is_demo or bool(getattr(edition, "has_demo_entries", False))
    categories = []
    for result in results:
        category = result.category
        winners = sorted(result.winners, key=lambda w: (w.rank is None, w.rank or 0, w.entry.pk))
        is_demo = is_demo or any(_winner_is_demo(winner) for winner in winners)
        found = counts.get(category.pk, {})
        categories.append(
            {
                "kind": category.kind,
                "name_en": category.name_en or category.name_zh,
                "name_zh": category.name_zh or category.name_en,
                "applicant_kind": category.applicant_kind,
                "entries": int(found.get("entries", 0)),
                "judged": int(found.get("judged", 0)),
                "winners_total": len(winners),
                "winners": [_winner_row(winner) for winner in winners[:WINNERS_SHOWN]],
            }
        )
    return {
        "year": edition.year,
        "name_en": edition.name_en or edition.name_zh,
        "name_zh": edition.name_zh or edition.name_en,
        "published_on": timezone.localdate(edition.results_published_at).isoformat(),
        "is_demo": is_demo,
        "entries": sum(c["entries"] for c in categories),
        "judged": sum(c["judged"] for c in categories),
        "winners": sum(c["winners_total"] for c in categories),
        "categories": categories,
    }


# --- The conference --------------------------------------------------------------------------------------------


def _kind_labels() -> dict[str, dict[str, str]]:
    """Each session kind's label in both languages, resolved now (the snapshot keeps text, not lazy strings)."""
    labels: dict[str, dict[str, str]] = {str(kind): {} for kind in SessionKind}
    for suffix, language in LANGUAGES:
        with translation.override(language):
            for kind in SessionKind:
                labels[str(kind)][f"label_{suffix}"] = str(kind.label)
    return labels


def _conference_event(year: int) -> Event | None:
    """The published conference whose first day falls in `year`; the one with the most confirmed registrations
    (then sessions) when there are several."""
    demo = Q(is_demo=True)
    return (
        Event.objects.filter(starts_on__year=year, programme_version__gt=0)
        .annotate(
            confirmed=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.CONFIRMED), distinct=True
            ),
            session_count=Count("sessions", distinct=True),
            demo_sessions=Exists(Session.objects.filter(demo, event=OuterRef("pk"))),
            demo_registrations=Exists(Registration.objects.filter(demo, event=OuterRef("pk"))),
            demo_speakers=Exists(Speaker.objects.filter(demo, event=OuterRef("pk"))),
        )
        .order_by("-confirmed", "-session_count", "starts_on", "pk")
        .first()
    )


def conference_summary(*, year: int, as_of: datetime.date | None = None) -> dict[str, Any] | None:
    """The highlights of the conference held in `year` (its published programme only); None when there was none.
    Before its last day is over (`as_of`, today by default) it is marked upcoming and carries the programme's
    counts only. Closed-door workshops are counted, never named. Eight queries whatever the size."""
    day = as_of or timezone.localdate()
    event = _conference_event(year)
    if event is None:
        return None
    programme = event_selectors.published_programme(event=event)
    if programme is None:  # programme_version says published, but its version row is gone
        return None
    upcoming = event.ends_on > day
    sessions = [s for s in programme.sessions if s.kind != SessionKind.BREAK]
    labels = _kind_labels()
    by_kind = [
        {"kind": str(kind), **labels[str(kind)], "sessions": sum(1 for s in sessions if s.kind == kind)}
        for kind in SessionKind
        if kind != SessionKind.BREAK
    ]
    summary: dict[str, Any] = {
        "year": year,
        "name_en": event.name_en or event.name_zh,
        "name_zh": event.name_zh or event.name_en,
        "venue_en": event.venue_en or event.venue_zh,
        "venue_zh": event.venue_zh or event.venue_en,
        "starts_on": event.starts_on.isoformat(),
        "ends_on": event.ends_on.isoformat(),
        "upcoming": upcoming,
        "is_demo": any(
            bool(getattr(event, flag)) for flag in ("is_demo", "demo_sessions", "demo_registrations", "demo_speakers")
        ),
        "programme_version": programme.version,
        "sessions": len(sessions),
        "sessions_by_kind": [row for row in by_kind if row["sessions"]],
        "speakers": len(programme.speakers),
        "closed_door_workshops": sum(1 for s in sessions if s.closed_door),
        "attendance": None,
        "feedback": None,
    }
    if upcoming:
        return summary
    totals = event_selectors.checkin_totals(event=event)
    summary["attendance"] = {
        "registrations": totals.confirmed,
        "checked_in": totals.checked_in,
        "attendance_rate": round(totals.checked_in / totals.confirmed, 4) if totals.confirmed else None,
    }
    published = {s.pk: s for s in sessions}
    rated = [
        (published[row["session"]], int(row["n"]), int(row["total"]), bool(row["session__closed_door"]))
        for row in Feedback.objects.filter(session__event=event)
        .order_by()
        .values("session", "session__closed_door")
        .annotate(n=Count("pk"), total=Sum("rating"))
        if row["session"] in published
    ]
    responses = sum(n for _session, n, _total, _closed in rated)
    # Closed-door sessions are confidential: their ratings count in the totals, their titles are never printed
    # (closed as published or as the session stands now, whichever says so).
    ranked = sorted(
        (
            (session, n, total / n)
            for session, n, total, closed_now in rated
            if n >= BEST_SESSIONS_MIN_RATINGS and not (session.closed_door or closed_now)
        ),
        key=lambda item: (-item[2], -item[1], item[0].pk),
    )
    summary["feedback"] = {
        "responses": responses,
        "mean_rating": round(sum(total for _session, _n, total, _closed in rated) / responses, 2)
        if responses
        else None,
        "min_ratings": BEST_SESSIONS_MIN_RATINGS,
        "best_sessions": [
            {
                "title_en": session.title_en or session.title_zh,
                "title_zh": session.title_zh or session.title_en,
                "kind": session.kind,
                "mean_rating": round(mean, 2),
                "ratings": n,
            }
            for session, n, mean in ranked[:BEST_SESSIONS]
        ],
    }
    return summary
