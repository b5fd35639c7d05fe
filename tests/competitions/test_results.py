"""Decisions (proposal, departures with reasons), publication with certificates and emails, revocation."""

import datetime
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from chiptown.accounts.models import Role, User
from chiptown.competitions.models import AwardKind, Certificate, Decision, Edition, Entry, EntryStatus
from chiptown.competitions.services import results
from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied
from chiptown.core.models import AuditEntry, Job
from tests.competitions.results_support import judged_category, judged_edition, ranking_of
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition() -> Edition:
    return judged_edition()


@pytest.fixture
def top50(edition: Edition) -> tuple[Any, list[Entry]]:
    return judged_category(edition, kind=AwardKind.TOP50, entries=4, winners=2)


def _state(category: Any) -> list[tuple[int, bool, int | None, int | None, str]]:
    return sorted(
        Decision.objects.filter(entry__category=category).values_list(
            "entry_id", "is_winner", "rank", "proposed_rank", "reason"
        )
    )


def test_the_proposal_is_the_rankings_top_n_in_rank_order(top50: Any) -> None:
    category, entries = top50
    ranking = ranking_of([entries[2], entries[0], entries[3], entries[1]])

    proposals = results.decisions_propose(category=category, ranking=list(reversed(ranking)))

    assert [(p.entry, p.proposed_rank, p.proposed_winner) for p in proposals] == [
        (entries[2], 1, True),
        (entries[0], 2, True),
        (entries[3], 3, False),
        (entries[1], 4, False),
    ]


def test_a_decision_as_proposed_needs_no_reason_and_is_audited(operator: User, top50: Any) -> None:
    category, entries = top50
    ranking = ranking_of(entries)

    results.decisions_save(
        category=category, ranking=ranking, winner_ranks={entries[0].pk: 1, entries[1].pk: 2}, by=operator
    )

    assert _state(category) == [
        (entries[0].pk, True, 1, 1, ""),
        (entries[1].pk, True, 2, 2, ""),
        (entries[2].pk, False, None, 3, ""),
        (entries[3].pk, False, None, 4, ""),
    ]
    assert Decision.objects.get(entry=entries[0]).decided_by == operator
    audit = AuditEntry.objects.get(action="competitions.decision_save")
    assert audit.actor == operator
    assert audit.before == {"decisions": {}}
    assert audit.after["departs_from_proposal"] is False
    assert audit.after["decisions"][str(entries[0].pk)] == {"winner": True, "rank": 1}
    assert audit.after["proposal"] == [entries[0].pk, entries[1].pk]


@pytest.mark.parametrize(
    "picks",
    [
        pytest.param({0: 1}, id="a proposed winner dropped"),
        pytest.param({0: 1, 1: 2, 2: 3}, id="a non-proposed entry made a winner"),
        pytest.param({0: 1, 2: 2}, id="one swapped for another"),
        pytest.param({0: 2, 1: 1}, id="a different rank order"),
    ],
)
def test_a_departure_without_a_reason_is_refused_and_changes_nothing(
    operator: User, top50: Any, picks: dict[int, int]
) -> None:
    category, entries = top50
    winner_ranks = {entries[i].pk: rank for i, rank in picks.items()}

    with pytest.raises(ChipTownError) as refused:
        results.decisions_save(
            category=category, ranking=ranking_of(entries), winner_ranks=winner_ranks, by=operator, reason="  "
        )

    assert refused.value.code == "reason_required"
    assert [p.column for p in refused.value.problems] == ["reason"]
    assert _state(category) == []
    assert not AuditEntry.objects.filter(action="competitions.decision_save").exists()


def test_a_departure_with_a_reason_is_kept_on_the_rows_that_depart(operator: User, top50: Any) -> None:
    category, entries = top50

    results.decisions_save(
        category=category,
        ranking=ranking_of(entries),
        winner_ranks={entries[0].pk: 1, entries[2].pk: 2},
        by=operator,
        reason="Entry 2's product was recalled after judging.",
    )

    reason = "Entry 2's product was recalled after judging."
    assert _state(category) == [
        (entries[0].pk, True, 1, 1, ""),
        (entries[1].pk, False, None, 2, reason),
        (entries[2].pk, True, 2, 3, reason),
        (entries[3].pk, False, None, 4, ""),
    ]
    audit = AuditEntry.objects.get(action="competitions.decision_save")
    assert audit.after["departs_from_proposal"] is True
    assert audit.after["reason"] == reason


def test_deciding_again_replaces_the_decision_with_before_and_after_in_the_audit(operator: User, top50: Any) -> None:
    category, entries = top50
    ranking = ranking_of(entries)
    results.decisions_save(
        category=category, ranking=ranking, winner_ranks={entries[0].pk: 1, entries[1].pk: 2}, by=operator
    )

    results.decisions_save(
        category=category, ranking=ranking, winner_ranks={entries[0].pk: 1}, by=operator, reason="Only one deserves it."
    )

    assert Decision.objects.filter(entry__category=category).count() == 4
    assert list(Decision.objects.filter(is_winner=True).values_list("entry_id", flat=True)) == [entries[0].pk]
    second = AuditEntry.objects.filter(action="competitions.decision_save").order_by("pk").last()
    assert second is not None
    assert second.before == {"decisions": {str(entries[1].pk): {"winner": True, "rank": 2}}}
    assert second.after["decisions"] == {str(entries[1].pk): {"winner": False, "rank": None}}


@pytest.mark.parametrize(
    ("picks", "column"),
    [
        pytest.param({0: 1, 1: 3}, "rank", id="a gap in the ranks"),
        pytest.param({0: 1, 1: 1}, "rank", id="a rank given twice"),
        pytest.param({0: 0}, "rank", id="rank zero"),
    ],
)
def test_ranks_must_run_from_one_without_gaps(operator: User, top50: Any, picks: dict[int, int], column: str) -> None:
    category, entries = top50
    with pytest.raises(ChipTownError) as refused:
        results.decisions_save(
            category=category,
            ranking=ranking_of(entries),
            winner_ranks={entries[i].pk: rank for i, rank in picks.items()},
            by=operator,
            reason="whatever",
        )
    assert [p.column for p in refused.value.problems] == [column]
    assert _state(category) == []


def test_an_entry_outside_the_ranking_cannot_be_made_a_winner(operator: User, top50: Any, edition: Edition) -> None:
    category, entries = top50
    _other_category, others = judged_category(edition, kind=AwardKind.MOST_PROMISING, entries=1)

    with pytest.raises(ChipTownError) as refused:
        results.decisions_save(
            category=category, ranking=ranking_of(entries), winner_ranks={others[0].pk: 1}, by=operator, reason="x"
        )
    assert [p.column for p in refused.value.problems] == ["winners"]
    with pytest.raises(ChipTownError) as wrong:
        results.decisions_save(category=category, ranking=ranking_of(others), winner_ranks={}, by=operator, reason="x")
    assert wrong.value.code == "wrong_category"
    assert Decision.objects.count() == 0


@pytest.mark.parametrize("role", [Role.COMPANY_REP, Role.JUDGE, Role.ATTENDEE])
def test_only_operators_decide(top50: Any, role: str) -> None:
    category, entries = top50
    someone = UserFactory(role=role)
    with pytest.raises(PermissionDenied):
        results.decisions_save(
            category=category,
            ranking=ranking_of(entries),
            winner_ranks={entries[0].pk: 1, entries[1].pk: 2},
            by=someone,
        )
    assert Decision.objects.count() == 0


# --- Publication ---------------------------------------------------------------------------------------------


def _decide_as_proposed(category: Any, entries: list[Entry], by: User) -> None:
    ranking = ranking_of(entries)
    winners = [p.entry.pk for p in results.decisions_propose(category=category, ranking=ranking) if p.proposed_winner]
    results.decisions_save(
        category=category, ranking=ranking, winner_ranks={pk: r for r, pk in enumerate(winners, start=1)}, by=by
    )


def test_publishing_before_judging_ends_is_refused_and_changes_nothing(
    operator: User, django_capture_on_commit_callbacks: Any
) -> None:
    edition = judged_edition(
        judging_end_at=timezone.now() + datetime.timedelta(days=2),
        results_at=timezone.now() + datetime.timedelta(days=3),
    )
    category, entries = judged_category(edition)
    _decide_as_proposed(category, entries, operator)

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ChipTownError) as refused:
        results.results_publish(edition=edition, by=operator)

    assert callbacks == []
    assert not Job.objects.exists()
    assert refused.value.code == "not_ready"
    assert "Judging ends on" in refused.value.problems[0].reason
    edition.refresh_from_db()
    assert edition.results_published_at is None
    assert Certificate.objects.count() == 0
    assert mail.outbox == []
    assert not AuditEntry.objects.filter(action="competitions.results_publish").exists()


def test_publishing_with_an_undecided_category_is_refused(operator: User, edition: Edition, top50: Any) -> None:
    category, entries = top50
    _decide_as_proposed(category, entries, operator)
    judged_category(edition, kind=AwardKind.MOST_PROMISING, entries=2, winners=1)

    with pytest.raises(ChipTownError) as refused:
        results.results_publish(edition=edition, by=operator)

    assert [p.reason for p in refused.value.problems] == ["Most Promising: not decided yet."]
    edition.refresh_from_db()
    assert edition.results_published_at is None
    assert Certificate.objects.count() == 0


def test_an_entry_made_eligible_after_the_decision_needs_a_new_decision(
    operator: User, edition: Edition, top50: Any
) -> None:
    category, entries = top50
    _decide_as_proposed(category, entries, operator)
    late = Entry.objects.create(category=category, status=EntryStatus.ELIGIBLE, organisation=entries[0].organisation)

    check = results.publication_check(edition=edition)

    assert not check.ready
    assert check.problems == [
        "Automotive Chip Top 50: 1 eligible entry has no decision. Entries without a submitted review are not "
        "ranked: have them reviewed (or screened out), then decide the category again."
    ]
    assert late.pk


def test_publishing_issues_certificates_to_winners_and_tells_every_applicant(
    operator: User, edition: Edition, top50: Any, django_capture_on_commit_callbacks: Any
) -> None:
    category, entries = top50
    applicants = []
    for index, entry in enumerate(entries):
        rep = UserFactory(
            username=f"rep{index}",
            email=f"rep{index}@example.com",
            role=Role.COMPANY_REP,
            organisation=entry.organisation,
        )
        applicants.append(rep)
    entries[0].created_by = UserFactory(username="creator", email="creator@example.com")
    entries[0].save()
    withdrawn = Entry.objects.create(
        category=category, status=EntryStatus.WITHDRAWN, organisation=entries[0].organisation
    )
    _decide_as_proposed(category, entries, operator)

    with django_capture_on_commit_callbacks(execute=True):
        issued = results.results_publish(edition=edition, by=operator)
        assert mail.outbox == []  # the emails go only once publication has committed

    edition.refresh_from_db()
    job = Job.objects.get()
    assert (job.kind, job.status, job.progress) == (f"competitions.result_emails.{edition.pk}", "succeeded", 100)
    assert job.result == {"entries": 4, "emails": 5}
    assert job.message == "Sending result emails: 4 of 4 entries"
    assert edition.results_published_at is not None
    assert sorted(c.entry_id for c in issued) == [entries[0].pk, entries[1].pk]
    assert Certificate.objects.count() == 2
    codes = list(Certificate.objects.values_list("code", flat=True))
    assert all(len(code) >= 16 for code in codes) and len(set(codes)) == 2
    audit = AuditEntry.objects.get(action="competitions.results_publish")
    assert audit.actor == operator
    assert audit.after["certificates"] == {str(c.entry_id): c.code for c in Certificate.objects.all()}
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {"creator@example.com", *(f"rep{i}@example.com" for i in range(4))}
    winner_mail = by_recipient["rep0@example.com"]
    certificate = Certificate.objects.get(entry=entries[0])
    assert winner_mail.subject == "[ChipTown] Your award: competition results"
    assert f"http://testserver.example/competition/certificates/{certificate.code}.pdf" in winner_mail.body
    assert f"http://testserver.example/competition/verify/{certificate.code}/" in winner_mail.body
    assert "Rank: 1." in winner_mail.body
    other_mail = by_recipient["rep3@example.com"]
    assert other_mail.subject == "[ChipTown] Competition results"
    assert "did not receive an award" in other_mail.body
    assert f"http://testserver.example/competition/{edition.year}/results/" in other_mail.body
    assert withdrawn.pk and not Certificate.objects.filter(entry=withdrawn).exists()


@pytest.fixture(autouse=True)
def _site_url(settings: Any) -> None:
    settings.SITE_URL = "http://testserver.example"


def test_a_published_edition_cannot_be_published_again_nor_its_decisions_changed(
    operator: User, edition: Edition, top50: Any
) -> None:
    category, entries = top50
    _decide_as_proposed(category, entries, operator)
    results.results_publish(edition=edition, by=operator)
    before = _state(category)
    mail.outbox.clear()

    with pytest.raises(Conflict):
        results.results_publish(edition=edition, by=operator)
    with pytest.raises(Conflict) as frozen:
        results.decisions_save(
            category=category,
            ranking=ranking_of(entries),
            winner_ranks={entries[3].pk: 1},
            by=operator,
            reason="late change",
        )

    assert frozen.value.code == "published"
    assert _state(category) == before
    assert Certificate.objects.count() == 2
    assert mail.outbox == []
    assert AuditEntry.objects.filter(action="competitions.results_publish").count() == 1


def test_only_operators_publish(company_rep: User, edition: Edition, top50: Any, operator: User) -> None:
    category, entries = top50
    _decide_as_proposed(category, entries, operator)
    with pytest.raises(PermissionDenied):
        results.results_publish(edition=edition, by=company_rep)
    edition.refresh_from_db()
    assert edition.results_published_at is None


def test_publishing_waits_for_every_application_to_be_screened(operator: User, edition: Edition, top50: Any) -> None:
    category, entries = top50
    _decide_as_proposed(category, entries, operator)
    Entry.objects.create(category=category, status=EntryStatus.SUBMITTED, organisation=entries[0].organisation)

    with pytest.raises(ChipTownError) as refused:
        results.results_publish(edition=edition, by=operator)

    assert [p.reason for p in refused.value.problems] == ["1 application is still waiting to be screened."]
    edition.refresh_from_db()
    assert edition.results_published_at is None


def test_a_category_without_eligible_entries_needs_no_decision(operator: User, edition: Edition, top50: Any) -> None:
    category, entries = top50
    _decide_as_proposed(category, entries, operator)
    judged_category(edition, kind=AwardKind.BEST_PARTNER, entries=0)

    assert results.publication_check(edition=edition).ready
    assert len(results.results_publish(edition=edition, by=operator)) == 2


# --- Revocation ---------------------------------------------------------------------------------------------


def test_revoking_a_certificate_needs_a_reason_and_is_audited(operator: User, edition: Edition, top50: Any) -> None:
    category, entries = top50
    _decide_as_proposed(category, entries, operator)
    certificate = results.results_publish(edition=edition, by=operator)[0]

    with pytest.raises(ChipTownError):
        results.certificate_revoke(certificate=certificate, by=operator, reason=" ")
    certificate.refresh_from_db()
    assert certificate.revoked_at is None

    results.certificate_revoke(certificate=certificate, by=operator, reason="Fraudulent figures")

    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    audit = AuditEntry.objects.get(action="competitions.certificate_revoke")
    assert audit.after["reason"] == "Fraudulent figures"
    with pytest.raises(Conflict):
        results.certificate_revoke(certificate=certificate, by=operator, reason="again")
