"""Assignment runs from the database: conflicts from real registry rows never assigned, pins and forbids, a judge
dropping out and the re-run that fills the gaps without touching started reviews, refusals that write nothing,
the stored run, the audit, the emails and the background job."""

from typing import Any

import pytest
from django.core import mail

from chiptown.accounts.models import Role, User
from chiptown.competitions import conflicts, solvers
from chiptown.competitions.models import (
    Assignment,
    AssignmentRun,
    Category,
    ConflictDeclaration,
    Entry,
    EntryStatus,
    Judge,
    PairRule,
    Review,
    ReviewStatus,
)
from chiptown.competitions.services import assignment as assignment_services
from chiptown.competitions.services import judges as judge_services
from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied
from chiptown.core.models import AuditEntry, Job
from chiptown.registry.models import Investment
from tests.competitions.factories import CategoryFactory, EntryFactory, JudgeFactory, PanelFactory, ReviewFactory
from tests.factories import OrganisationFactory, PersonFactory, SupplyLinkFactory, UserFactory

pytestmark = pytest.mark.django_db

TOPICS = [
    "碳化硅功率模块 silicon carbide power",
    "激光雷达感知芯片 lidar",
    "车规MCU功能安全 automotive MCU",
    "存储芯片 memory",
]


def _judge(category: Category, n: int, expertise: str, **values: Any) -> Judge:
    user = UserFactory(username=f"judge{n}", role=Role.JUDGE, email=f"judge{n}@example.com")
    employer = OrganisationFactory(name_en=f"Employer {n}")
    judge = JudgeFactory(
        edition=category.edition, user=user, person=PersonFactory(organisation=employer), expertise_text=expertise
    )
    category.panel.judges.add(judge)
    return judge


def _entries(category: Category, count: int) -> list[Entry]:
    return [
        EntryFactory(category=category, status=EntryStatus.ELIGIBLE, title=TOPICS[n % len(TOPICS)] + f" {n}")
        for n in range(count)
    ]


@pytest.fixture
def category(db: Any) -> Category:
    category = CategoryFactory(judges_per_entry=2, max_judge_load=4)
    PanelFactory(category=category)
    return category


@pytest.fixture
def judges(category: Category) -> list[Judge]:
    return [_judge(category, n, TOPICS[n % len(TOPICS)]) for n in range(6)]


@pytest.fixture
def entries(category: Category) -> list[Entry]:
    return _entries(category, 8)


def _pairs(category: Category) -> set[tuple[int, int]]:
    return set(Assignment.objects.filter(entry__category=category).values_list("entry_id", "judge_id"))


def _check_hard_constraints(category: Category) -> None:
    pairs = _pairs(category)
    per_entry: dict[int, int] = {}
    per_judge: dict[int, int] = {}
    for entry_id, judge_id in pairs:
        per_entry[entry_id] = per_entry.get(entry_id, 0) + 1
        per_judge[judge_id] = per_judge.get(judge_id, 0) + 1
    eligible = set(Entry.objects.filter(category=category, status=EntryStatus.ELIGIBLE).values_list("pk", flat=True))
    assert {e for e in eligible if per_entry.get(e, 0) != category.judges_per_entry} == set()
    assert max(per_judge.values()) <= category.max_judge_load
    assert pairs & conflicts.category_conflicts(category=category) == set()


def test_a_run_assigns_every_entry_k_judges_and_keeps_the_run(
    operator: User, category: Category, judges: list[Judge], entries: list[Entry]
) -> None:
    run = assignment_services.assignment_run(category=category, by=operator)
    _check_hard_constraints(category)
    assert Assignment.objects.filter(run=run).count() == 16
    assert run.created_by == operator
    assert run.inputs["k"] == 2 and run.inputs["load"] == 4
    assert run.inputs["entries"] == [e.pk for e in entries]
    assert run.inputs["judges"] == [j.pk for j in judges]
    assert len(run.inputs["fit_sha256"]) == 64
    assert run.objective == pytest.approx(run.figures["total_fit"], abs=1e-5)
    assert run.bound is not None and run.bound >= run.objective - 1e-6
    assert run.figures["total_fit_to_bound_ratio"] == pytest.approx(1.0, abs=1e-5)
    assert run.figures["worst_entry_to_maxmin_bound_ratio"] <= 1.0 + 1e-9
    assert run.figures["assignments_new"] == 16
    audit = AuditEntry.objects.get(action="assignment.run")
    assert audit.object_id == str(run.pk) and audit.after["entries"] == 8 and audit.after["judges"] == 6
    assigned_judges = {j for _e, j in _pairs(category)}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(Judge.objects.get(pk=j).user.email for j in assigned_judges)
    assert all(m.subject == "[ChipTown] Entries assigned to you for judging" for m in mail.outbox)
    # Expertise decides: every judge's entries share its topic wherever loads allow.
    on_topic = sum(
        1
        for a in Assignment.objects.filter(run=run).select_related("entry", "judge")
        if a.judge.expertise_text[:4] in a.entry.title
    )
    assert on_topic >= 12


def test_a_judge_is_never_assigned_an_entry_they_conflict_with(operator: User, category: Category) -> None:
    # Six judges whose expertise matches one entry each perfectly, each tied to that entry through the registry
    # in a different way: the solver would pick exactly these pairs if conflicts were not excluded.
    category.judges_per_entry = 1
    category.save()
    kinds = ["own", "supplier", "customer", "investor", "former", "declared"]
    tied: set[tuple[int, int]] = set()
    for n, kind in enumerate(kinds):
        text = f"{TOPICS[n % 4]} topic{n} unique{n}"
        judge = _judge(category, n, text)
        employer = judge.person.organisation
        applicant = employer if kind == "own" else OrganisationFactory()
        entry = EntryFactory(category=category, status=EntryStatus.ELIGIBLE, organisation=applicant, title=text)
        if kind == "supplier":
            SupplyLinkFactory(supplier=applicant, buyer=employer)
        elif kind == "customer":
            SupplyLinkFactory(supplier=employer, buyer=applicant)
        elif kind == "investor":
            Investment.objects.create(investor=applicant, company=employer)
        elif kind == "former":
            judge.former_employers.add(applicant)
        elif kind == "declared":
            ConflictDeclaration.objects.create(judge=judge, organisation=applicant, reason="Board member")
        tied.add((entry.pk, judge.pk))
    assignment_services.assignment_run(category=category, by=operator)
    pairs = _pairs(category)
    assert len(pairs) == 6
    assert pairs & tied == set()
    _check_hard_constraints(category)


def test_pins_and_forbids_are_honoured(
    operator: User, category: Category, judges: list[Judge], entries: list[Entry]
) -> None:
    entry = entries[0]  # a power-module entry: judges 0 and 4 know power modules best
    judge_services.pair_rule_set(entry=entry, judge=judges[1], kind="pin", by=operator, reason="Lidar view wanted")
    judge_services.pair_rule_set(entry=entry, judge=judges[0], kind="forbid", by=operator, reason="Rival")
    run = assignment_services.assignment_run(category=category, by=operator)
    pairs = _pairs(category)
    assert (entry.pk, judges[1].pk) in pairs
    assert (entry.pk, judges[0].pk) not in pairs
    assert run.inputs["pins"] == [[entry.pk, judges[1].pk]]
    assert run.inputs["forbids"] == [[entry.pk, judges[0].pk]]
    _check_hard_constraints(category)


def test_a_pin_on_a_conflicted_pair_is_refused_and_changes_nothing(
    operator: User, category: Category, judges: list[Judge], entries: list[Entry]
) -> None:
    entry = entries[0]
    SupplyLinkFactory(supplier=entry.organisation, buyer=judges[0].person.organisation)
    audits = AuditEntry.objects.count()
    with pytest.raises(ChipTownError) as refusal:
        judge_services.pair_rule_set(entry=entry, judge=judges[0], kind="pin", by=operator)
    assert refusal.value.code == "conflict_of_interest"
    assert refusal.value.message == (
        f"This judge conflicts with the entry: {entry.organisation.display_name} is a supplier of the judge's "
        "organisation."
    )
    assert PairRule.objects.count() == 0
    assert AuditEntry.objects.count() == audits


def test_too_few_judges_without_conflicts_is_refused_by_name_and_writes_nothing(
    operator: User, category: Category, judges: list[Judge], entries: list[Entry]
) -> None:
    entry = entries[3]
    for judge in judges[:5]:  # only judge 5 is left for this entry, and it needs two
        judge.former_employers.add(entry.organisation)
    with pytest.raises(ChipTownError) as refusal:
        assignment_services.assignment_run(category=category, by=operator)
    assert refusal.value.code == "assignment_infeasible"
    assert refusal.value.message == (
        f"Too few judges without a conflict of interest (and with room left) for this entry: #{entry.pk} {entry.title}."
    )
    assert Assignment.objects.count() == 0
    assert AssignmentRun.objects.count() == 0
    assert not AuditEntry.objects.filter(action="assignment.run").exists()
    assert mail.outbox == []


def test_only_operators_may_run_and_nothing_is_written_otherwise(
    company_rep: User, category: Category, judges: list[Judge], entries: list[Entry]
) -> None:
    with pytest.raises(PermissionDenied):
        assignment_services.assignment_run(category=category, by=company_rep)
    with pytest.raises(PermissionDenied):
        assignment_services.assignment_run_submit(category=category, by=company_rep)
    assert Assignment.objects.count() == 0
    assert AssignmentRun.objects.count() == 0
    assert Job.objects.count() == 0


def test_nothing_to_assign_is_said_plainly(operator: User, category: Category, judges: list[Judge]) -> None:
    EntryFactory(category=category, status=EntryStatus.SUBMITTED)
    with pytest.raises(ChipTownError, match="no eligible entries"):
        assignment_services.assignment_run(category=category, by=operator)


def test_drop_out_then_rerun_fills_the_gaps_without_disturbing_reviews(
    operator: User, category: Category, judges: list[Judge], entries: list[Entry]
) -> None:
    assignment_services.assignment_run(category=category, by=operator)
    leaving = Assignment.objects.filter(judge__in=judges).values("judge_id").order_by("judge_id").first()
    assert leaving is not None
    judge = Judge.objects.get(pk=leaving["judge_id"])
    theirs = list(Assignment.objects.filter(judge=judge).order_by("pk"))
    assert len(theirs) >= 3
    submitted = ReviewFactory(assignment=theirs[0], status=ReviewStatus.SUBMITTED, scores={"innovation": 8})
    ReviewFactory(assignment=theirs[1], status=ReviewStatus.DRAFT)
    others = list(Assignment.objects.exclude(judge=judge).values_list("pk", "entry_id", "judge_id"))
    other_draft = ReviewFactory(assignment=Assignment.objects.exclude(judge=judge).first(), status=ReviewStatus.DRAFT)

    result = judge_services.judge_drop_out(judge=judge, by=operator, reason="Fell ill")
    judge.refresh_from_db()
    assert judge.active is False
    assert result == judge_services.DropOut(assignments_removed=len(theirs) - 1, drafts_removed=1, submitted_kept=1)
    assert list(Assignment.objects.filter(judge=judge).values_list("pk", flat=True)) == [theirs[0].pk]
    assert Review.objects.get(pk=submitted.pk).status == ReviewStatus.SUBMITTED
    audit = AuditEntry.objects.get(action="judge.drop_out")
    assert audit.after["reason"] == "Fell ill" and audit.after["assignments_removed"] == len(theirs) - 1

    mail.outbox.clear()
    run = assignment_services.assignment_run(category=category, by=operator)
    # Every earlier assignment is still there, untouched; the new rows fill exactly the gaps.
    after = set(Assignment.objects.exclude(run=run).values_list("pk", "entry_id", "judge_id"))
    assert set(others) | {(theirs[0].pk, theirs[0].entry_id, judge.pk)} == after
    new = list(Assignment.objects.filter(run=run).values_list("entry_id", "judge_id"))
    assert sorted(e for e, _j in new) == sorted(a.entry_id for a in theirs[1:])
    assert all(j != judge.pk for _e, j in new)
    assert Review.objects.get(pk=other_draft.pk).status == ReviewStatus.DRAFT
    # The entry whose submitted review came from the leaver keeps it: it needs no new judge for that slot.
    assert Assignment.objects.filter(entry_id=theirs[0].entry_id).count() == 2
    assert {m.to[0] for m in mail.outbox} == {Judge.objects.get(pk=j).user.email for _e, j in new}
    assert run.figures["assignments_new"] == len(theirs) - 1


def test_reoptimise_redecides_unstarted_assignments_but_keeps_reviews(
    operator: User, category: Category, judges: list[Judge], entries: list[Entry]
) -> None:
    first = assignment_services.assignment_run(category=category, by=operator)
    reviewed = Assignment.objects.filter(run=first).order_by("pk").first()
    assert reviewed is not None
    ReviewFactory(assignment=reviewed, status=ReviewStatus.DRAFT)
    # A forbid on the reviewed pair cannot end a started review: that row stays but no longer counts.
    judge_services.pair_rule_set(entry=reviewed.entry, judge=reviewed.judge, kind="forbid", by=operator)
    assert Assignment.objects.filter(pk=reviewed.pk).exists()
    second = assignment_services.assignment_run(category=category, by=operator, reoptimise=True)
    assert second.inputs["void"] == [reviewed.pk]
    assert Assignment.objects.filter(pk=reviewed.pk).exists()
    assert Assignment.objects.filter(entry=reviewed.entry).exclude(pk=reviewed.pk).count() == 2


def test_a_fair_run_records_both_figures(
    operator: User, category: Category, judges: list[Judge], entries: list[Entry]
) -> None:
    run = assignment_services.assignment_run(category=category, by=operator, fair=True)
    _check_hard_constraints(category)
    assert run.inputs["fair"] is True
    assert run.figures["fair_total_to_best_ratio"] <= 1.0 + 1e-9
    assert run.figures["worst_entry_fit"] >= run.figures["best_worst_entry_fit"] - 1e-9
    assert run.figures["worst_entry_to_maxmin_bound_ratio"] <= 1.0 + 1e-9


def test_assignments_changed_while_solving_are_not_overwritten(
    operator: User, category: Category, judges: list[Judge], entries: list[Entry], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_solve = solvers.solve

    def solve_while_someone_assigns(problem: solvers.AssignmentProblem) -> solvers.AssignmentSolution:
        Assignment.objects.create(entry=entries[0], judge=judges[5])
        return real_solve(problem)

    monkeypatch.setattr(solvers, "solve", solve_while_someone_assigns)
    with pytest.raises(Conflict):
        assignment_services.assignment_run(category=category, by=operator)
    assert Assignment.objects.count() == 1
    assert AssignmentRun.objects.count() == 0


def test_the_background_job_runs_the_assignment_and_reports(
    operator: User, category: Category, judges: list[Judge], entries: list[Entry]
) -> None:
    job = assignment_services.assignment_run_submit(category=category, by=operator, fair=False)
    job.refresh_from_db()
    run = AssignmentRun.objects.get()
    assert job.status == Job.Status.SUCCEEDED
    assert job.progress == 100
    assert job.result["run"] == run.pk
    assert job.result["assignments_new"] == 16
    assert run.job_id == job.pk


def test_a_failed_job_says_why(operator: User, category: Category, judges: list[Judge]) -> None:
    job = assignment_services.assignment_run_submit(category=category, by=operator)
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error["message"] == "This category has no eligible entries to assign."


# --- Judges, panels, declarations ---------------------------------------------------------------------------------


def test_judge_create_checks_the_user_and_audits(operator: User, category: Category) -> None:
    user = UserFactory(username="newjudge", role=Role.JUDGE)
    person = PersonFactory()
    former = OrganisationFactory()
    judge = judge_services.judge_create(
        by=operator,
        edition=category.edition,
        user=user,
        person=person,
        expertise_categories=["control", "power"],
        expertise_text="车规MCU",
        former_employers=[former],
        max_load=20,
    )
    assert sorted(judge.expertise_categories.values_list("code", flat=True)) == ["control", "power"]
    assert list(judge.former_employers.all()) == [former]
    audit = AuditEntry.objects.get(action="judge.create")
    assert audit.after["expertise_categories"] == ["control", "power"]
    assert audit.after["former_employers"] == [former.pk]
    with pytest.raises(ChipTownError) as refusal:
        judge_services.judge_create(by=operator, edition=category.edition, user=user)
    assert [p.reason for p in refusal.value.problems] == ["This user is already a judge of this edition."]
    attendee = UserFactory(username="att", role=Role.ATTENDEE)
    with pytest.raises(ChipTownError) as refusal:
        judge_services.judge_create(by=operator, edition=category.edition, user=attendee, expertise_categories=["nope"])
    assert [p.reason for p in refusal.value.problems] == [
        "This user's role is not judge.",
        "Unknown chip category: nope.",
    ]
    assert Judge.objects.count() == 1
    assert AuditEntry.objects.filter(action="judge.create").count() == 1


def test_judge_create_is_for_operators(company_rep: User, category: Category) -> None:
    with pytest.raises(PermissionDenied):
        judge_services.judge_create(by=company_rep, edition=category.edition, user=UserFactory(role=Role.JUDGE))
    assert Judge.objects.count() == 0


def test_a_new_tie_ends_unstarted_assignments_at_once(
    operator: User, category: Category, judges: list[Judge], entries: list[Entry]
) -> None:
    assignment_services.assignment_run(category=category, by=operator)
    assignment = Assignment.objects.filter(judge=judges[0]).select_related("entry").first()
    assert assignment is not None
    declaration = judge_services.declaration_create(
        judge=judges[0], by=judges[0].user, organisation=assignment.entry.organisation, reason="Former client"
    )
    assert not Assignment.objects.filter(pk=assignment.pk).exists()
    audit = AuditEntry.objects.get(action="judge.declare_conflict")
    assert audit.object_id == str(declaration.pk) and audit.after["assignments_removed"] == 1


def test_a_judge_cannot_declare_for_another_judge(category: Category, judges: list[Judge]) -> None:
    with pytest.raises(PermissionDenied):
        judge_services.declaration_create(
            judge=judges[1], by=judges[0].user, organisation=OrganisationFactory(), reason="x"
        )
    with pytest.raises(ChipTownError) as refusal:
        judge_services.declaration_create(judge=judges[0], by=judges[0].user, reason=" ")
    assert [p.reason for p in refusal.value.problems] == ["Say what the tie is.", "Name an organisation or an entry."]
    assert ConflictDeclaration.objects.count() == 0


def test_taking_a_judge_off_the_panel_ends_their_unstarted_assignments(
    operator: User, category: Category, judges: list[Judge], entries: list[Entry]
) -> None:
    assignment_services.assignment_run(category=category, by=operator)
    started = Assignment.objects.filter(judge=judges[0]).first()
    assert started is not None
    ReviewFactory(assignment=started)
    judge_services.panel_set_judges(category=category, by=operator, judges=judges[1:])
    assert list(Assignment.objects.filter(judge=judges[0])) == [started]
    assert list(category.panel.judges.order_by("pk")) == judges[1:]


def test_a_judge_of_another_edition_cannot_join_the_panel(operator: User, category: Category) -> None:
    stranger = JudgeFactory()
    with pytest.raises(ChipTownError):
        judge_services.panel_set_judges(category=category, by=operator, judges=[stranger])
    assert category.panel.judges.count() == 0
