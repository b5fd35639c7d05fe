"""Results: the operators' decisions on each category (from the calibrated ranking's proposal), publication of
an edition's results with a certificate for each winner, and revocation of a certificate.

The ranking is an input (a list of ranked entries from `selectors.category_ranking`), so the rules about
proposals and departures can be tested on plain data and the decision is checked against the very ranking the
operator saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from chiptown.competitions import selectors
from chiptown.competitions.models import Category, Certificate, Decision, Edition, Entry, EntryStatus
from chiptown.competitions.selectors import in_award_order
from chiptown.core.addresses import absolute_url
from chiptown.core.errors import ChipTownError, Conflict, Problem
from chiptown.core.models import Job
from chiptown.core.notifications import notify
from chiptown.core.rules import require
from chiptown.core.services import Progress, audit_record, job_create


class Ranked(Protocol):
    """What results need from a ranked entry (selectors.category_ranking's RankedEntry has more)."""

    @property
    def entry(self) -> Entry: ...

    @property
    def rank(self) -> int: ...

    @property
    def calibrated(self) -> float: ...


@dataclass(frozen=True)
class Proposal:
    """The ranking's proposal for one entry: its place in the ranking and whether it is in the top N."""

    entry: Entry
    proposed_rank: int
    proposed_winner: bool


def decisions_propose(*, category: Category, ranking: Sequence[Ranked]) -> list[Proposal]:
    """Every ranked entry in ranking order; the first `category.winners` are the proposed winners.

    Ties in rank keep the ranking's own order, so the proposal is the list exactly as the operator sees it.
    """
    ordered = sorted(enumerate(ranking), key=lambda pair: (pair[1].rank, pair[0]))
    return [
        Proposal(entry=ranked.entry, proposed_rank=place, proposed_winner=place <= category.winners)
        for place, (_index, ranked) in enumerate(ordered, start=1)
    ]


def _require_operator(by: Any) -> None:
    require(by, "competitions.decide_results", None, _("Only operators decide and publish results."))


def _refuse_if_published(edition: Edition) -> None:
    if edition.results_published_at is not None:
        raise Conflict(
            _("The results of %(edition)s are published; decisions can no longer change.")
            % {"edition": edition.display_name},
            code="published",
        )


def _decided_order(proposals: list[Proposal], winner_ranks: dict[int, int]) -> list[int]:
    """Check the operator's winners and ranks (entry id -> rank) and return the winners' ids in rank order."""
    known = {p.entry.pk for p in proposals}
    problems: list[Problem] = []
    unknown = sorted(set(winner_ranks) - known)
    if unknown:
        problems.append(
            Problem(
                reason=_("Entries %(ids)s are not in this category's ranking.")
                % {"ids": ", ".join(f"#{pk}" for pk in unknown)},
                column="winners",
            )
        )
    ranks = sorted(winner_ranks.values())
    if ranks != list(range(1, len(ranks) + 1)):
        problems.append(
            Problem(
                reason=_("Give the winners the ranks 1 to %(count)d, each once.") % {"count": len(ranks)},
                column="rank",
            )
        )
    if problems:
        raise ChipTownError(_("The decision is not valid."), code="invalid", problems=problems)
    return [pk for pk, _rank in sorted(winner_ranks.items(), key=lambda item: item[1])]


def decision_departs(*, proposals: list[Proposal], winners_in_order: list[int]) -> bool:
    """A proposed winner dropped, another entry made a winner, or the winners in a different order."""
    proposed = [p.entry.pk for p in proposals if p.proposed_winner]
    return proposed != winners_in_order


def _decision_state(decisions: Sequence[Decision]) -> dict[str, Any]:
    return {
        str(d.entry_id): {"winner": d.is_winner, "rank": d.rank} for d in sorted(decisions, key=lambda d: d.entry_id)
    }


def decisions_save(
    *,
    category: Category,
    ranking: Sequence[Ranked],
    winner_ranks: dict[int, int],
    by: Any,
    reason: str = "",
) -> list[Decision]:
    """Record the operator's decision for every ranked entry of a category: winners with their ranks, the others
    not. A decision that departs from the ranking's proposal needs a reason. One audit entry, before and after."""
    _require_operator(by)
    reason = reason.strip()
    if any(ranked.entry.category_id != category.pk for ranked in ranking):
        raise ChipTownError(_("The ranking belongs to another category."), code="wrong_category")
    proposals = decisions_propose(category=category, ranking=ranking)
    if not proposals:
        raise ChipTownError(_("This category has no ranked entries to decide on."), code="nothing_to_decide")
    winners_in_order = _decided_order(proposals, winner_ranks)
    departs = decision_departs(proposals=proposals, winners_in_order=winners_in_order)
    if departs and not reason:
        raise ChipTownError(
            _("This decision departs from the ranking's proposal: give a reason."),
            code="reason_required",
            problems=[Problem(reason=_("A reason is required."), column="reason")],
        )
    rank_of = {pk: place for place, pk in enumerate(winners_in_order, start=1)}
    with transaction.atomic():
        # Lock the edition so publication and decisions cannot interleave.
        edition = Edition.objects.select_for_update().get(pk=category.edition_id)
        _refuse_if_published(edition)
        existing = list(Decision.objects.filter(entry__category=category))
        before = _decision_state(existing)
        by_entry = {d.entry_id: d for d in existing}
        now = timezone.now()
        ranked_ids = {p.entry.pk for p in proposals}
        stale = [d.pk for d in existing if d.entry_id not in ranked_ids]
        if stale:
            # An entry that dropped out of the ranking (withdrawn, found ineligible) keeps no decision.
            Decision.objects.filter(pk__in=stale).delete()
        to_create: list[Decision] = []
        to_update: list[Decision] = []
        for proposal in proposals:
            pk = proposal.entry.pk
            is_winner = pk in rank_of
            rank = rank_of.get(pk)
            as_proposed = is_winner == proposal.proposed_winner and (not is_winner or rank == proposal.proposed_rank)
            decision = by_entry.get(pk) or Decision(entry=proposal.entry)
            decision.is_winner = is_winner
            decision.rank = rank
            decision.proposed_rank = proposal.proposed_rank
            decision.reason = "" if as_proposed else reason
            decision.decided_by = by
            decision.decided_at = now
            (to_update if decision.pk else to_create).append(decision)
        Decision.objects.bulk_create(to_create)
        if to_update:
            Decision.objects.bulk_update(
                to_update, ["is_winner", "rank", "proposed_rank", "reason", "decided_by", "decided_at"]
            )
        decisions = to_create + to_update
        after = _decision_state(decisions)
        changed = {key for key in set(before) | set(after) if before.get(key) != after.get(key)}
        audit_record(
            actor=by,
            action="competitions.decision_save",
            target=category,
            before={"decisions": {key: value for key, value in before.items() if key in changed}},
            after={
                "decisions": {key: value for key, value in after.items() if key in changed},
                "departs_from_proposal": departs,
                "reason": reason,
                "proposal": [p.entry.pk for p in proposals if p.proposed_winner],
            },
        )
    return sorted(decisions, key=lambda d: (d.rank is None, d.rank or 0, d.proposed_rank or 0))


@dataclass(frozen=True)
class PublicationCheck:
    """Why an edition cannot be published yet (empty when it can)."""

    problems: list[str]

    @property
    def ready(self) -> bool:
        return not self.problems


def publication_check(*, edition: Edition, now: Any = None) -> PublicationCheck:
    """What stands between an edition and the publication of its results, in words for the operator."""
    now = now or timezone.now()
    problems: list[str] = []
    if edition.results_published_at is not None:
        problems.append(_("The results are already published."))
        return PublicationCheck(problems)
    if now < edition.judging_end_at:
        problems.append(
            _("Judging ends on %(end)s; results can be published only after that.")
            % {"end": timezone.localtime(edition.judging_end_at).strftime("%Y-%m-%d %H:%M")}
        )
    unscreened = Entry.objects.filter(category__edition=edition, status=EntryStatus.SUBMITTED).count()
    if unscreened:
        problems.append(
            ngettext(
                "%(count)d application is still waiting to be screened.",
                "%(count)d applications are still waiting to be screened.",
                unscreened,
            )
            % {"count": unscreened}
        )
    progress = selectors.edition_decision_counts(edition=edition)
    for category in in_award_order(edition.categories.all()):
        counts = progress.get(category.pk)
        if counts is None or counts.decided == counts.eligible:
            continue
        if counts.decided == 0:
            problems.append(_("%(category)s: not decided yet.") % {"category": category.display_name})
        else:
            problems.append(
                ngettext(
                    "%(category)s: %(count)d eligible entry has no decision. Entries without a submitted review "
                    "are not ranked: have them reviewed (or screened out), then decide the category again.",
                    "%(category)s: %(count)d eligible entries have no decision. Entries without a submitted review "
                    "are not ranked: have them reviewed (or screened out), then decide the category again.",
                    counts.eligible - counts.decided,
                )
                % {"category": category.display_name, "count": counts.eligible - counts.decided}
            )
    return PublicationCheck(problems)


def _applicant_users(entry: Entry) -> list[Any]:
    """Who hears about an entry's result: who created it, the applying organisation's and every partner's
    representatives, and a nominee with a login."""
    from chiptown.accounts.models import Role, User

    users: dict[int, Any] = {}
    if entry.created_by is not None:
        users[entry.created_by.pk] = entry.created_by
    organisation_ids = {entry.organisation_id} if entry.organisation_id else set()
    organisation_ids |= {member.organisation_id for member in entry.partners.all()}
    if organisation_ids:
        for user in User.objects.filter(organisation_id__in=organisation_ids, role=Role.COMPANY_REP, is_active=True):
            users.setdefault(user.pk, user)
    if entry.person_id and entry.person is not None and entry.person.user is not None:
        users.setdefault(entry.person.user.pk, entry.person.user)
    return list(users.values())


RESULT_EMAILS_JOB_KIND = "competitions.result_emails"


def result_emails_job_kind(edition_id: int) -> str:
    return f"{RESULT_EMAILS_JOB_KIND}.{edition_id}"


def result_emails_job(*, edition: Edition) -> Job | None:
    """The job sending an edition's result emails (the latest, should there be more than one)."""
    return Job.objects.filter(kind=result_emails_job_kind(edition.pk)).order_by("-created_at").first()


def results_publish(*, edition: Edition, by: Any) -> list[Certificate]:
    """Publish an edition's results: only after judging ends and with every category decided. Issues one
    certificate per winner and audits, in one transaction; once it commits, a background job (a core Job,
    see result_emails_job) tells every judged applicant (winners and others) by email."""
    from chiptown.competitions.tasks import send_result_emails

    _require_operator(by)
    with transaction.atomic():
        locked = Edition.objects.select_for_update().get(pk=edition.pk)
        if locked.results_published_at is not None:
            raise Conflict(_("The results of this edition are already published."), code="published")
        check = publication_check(edition=locked)
        if not check.ready:
            raise ChipTownError(
                _("The results cannot be published yet."),
                code="not_ready",
                problems=[Problem(reason=reason) for reason in check.problems],
            )
        now = timezone.now()
        locked.results_published_at = now
        locked.save(update_fields=["results_published_at"])
        # Queued now, sent only if everything below commits too: a publication that fails emails nobody.
        job = job_create(
            kind=result_emails_job_kind(locked.pk),
            title=_("Result emails of %(edition)s") % {"edition": locked.display_name},
            by=by,
        )
        job_id, edition_id, language = str(job.pk), locked.pk, translation.get_language() or ""
        transaction.on_commit(
            lambda: send_result_emails.enqueue(job_id=job_id, edition_id=edition_id, language=language)
        )
        winners = list(
            Decision.objects.filter(entry__category__edition=locked, is_winner=True, entry__certificate__isnull=True)
            .select_related("entry")
            .order_by("entry__category__kind", "rank")
        )
        certificates = Certificate.objects.bulk_create([Certificate(entry=d.entry) for d in winners])
        audit_record(
            actor=by,
            action="competitions.results_publish",
            target=locked,
            before={"results_published_at": None},
            after={
                "results_published_at": now,
                "certificates": {str(c.entry_id): c.code for c in certificates},
            },
        )
    edition.results_published_at = now
    return certificates


# English msgids: notify() translates them into each recipient's language.
WINNER_SUBJECT = gettext_noop("Your award: competition results")
RESULTS_SUBJECT = gettext_noop("Competition results")


def _emails_progress(done: int, total: int) -> str:
    return _("Sending result emails: %(done)d of %(total)d entries") % {"done": done, "total": total}


def results_notify(*, edition: Edition, progress: Progress | None = None) -> dict[str, int]:
    """One email per judged entry and person concerned, in each person's language; winners get their
    certificate's links. Reports how many entries are done to `progress`; returns how many entries were judged
    and how many emails were sent."""
    entries = (
        Entry.objects.filter(category__edition=edition, status=EntryStatus.ELIGIBLE)
        .select_related("category", "created_by", "person__user", "decision", "certificate", "organisation")
        .prefetch_related("partners")
        .order_by("category__kind", "pk")
    )
    results_url = absolute_url(reverse("competitions:results", args=[edition.year]))
    total = entries.count()
    sent = 0
    percent = -1
    for done, entry in enumerate(entries):
        if progress is not None and (done * 100 // max(total, 1)) != percent:
            percent = done * 100 // max(total, 1)
            progress(percent, _emails_progress(done, total))
        decision = getattr(entry, "decision", None)
        certificate = getattr(entry, "certificate", None)
        is_winner = bool(decision and decision.is_winner)
        context: dict[str, Any] = {
            "entry": entry,
            "edition": edition,
            "category": entry.category,
            "rank": decision.rank if decision else None,
            "results_url": results_url,
        }
        if is_winner and certificate is not None:
            context["certificate_url"] = absolute_url(reverse("competitions:certificate_pdf", args=[certificate.code]))
            context["verify_url"] = absolute_url(certificate.get_absolute_url())
        sent += notify(
            users=_applicant_users(entry),
            subject=gettext_noop("Your award: competition results")
            if is_winner
            else gettext_noop("Competition results"),
            template="competitions/email/results_winner.txt" if is_winner else "competitions/email/results.txt",
            context=context,
        )
    if progress is not None:
        progress(100, _emails_progress(total, total))
    return {"entries": total, "emails": sent}


def certificate_revoke(*, certificate: Certificate, by: Any, reason: str) -> Certificate:
    """Revoke a certificate (its verification page then says so). A reason is required; audited."""
    _require_operator(by)
    reason = reason.strip()
    if not reason:
        raise ChipTownError(
            _("Give a reason for revoking the certificate."),
            code="reason_required",
            problems=[Problem(reason=_("A reason is required."), column="reason")],
        )
    with transaction.atomic():
        locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if locked.revoked_at is not None:
            raise Conflict(_("This certificate is already revoked."), code="revoked")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_record(
            actor=by,
            action="competitions.certificate_revoke",
            target=locked,
            before={"revoked_at": None},
            after={"revoked_at": locked.revoked_at, "reason": reason},
        )
    certificate.revoked_at = locked.revoked_at
    return locked
