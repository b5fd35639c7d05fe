"""Operators' judging pages: judges, declarations, panels, pins and forbids, running the assignment as a job and
reading the latest run; refusals for everyone else; constant query counts at two sizes."""

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from chiptown.accounts.models import Role, User
from chiptown.competitions.models import (
    Assignment,
    AssignmentRun,
    Category,
    ConflictDeclaration,
    Entry,
    EntryStatus,
    Judge,
    PairRule,
)
from chiptown.core.models import AuditEntry, Job
from tests.competitions.factories import CategoryFactory, EntryFactory, JudgeFactory, PanelFactory
from tests.conftest import client_for
from tests.factories import OrganisationFactory, PersonFactory, SupplyLinkFactory, UserFactory

pytestmark = pytest.mark.django_db


def _populate(category: Category, judges: int, entries: int) -> tuple[list[Judge], list[Entry]]:
    panel = getattr(category, "panel", None) or PanelFactory(category=category)
    made_judges = []
    for n in range(judges):
        judge = JudgeFactory(
            edition=category.edition,
            user=UserFactory(role=Role.JUDGE),
            expertise_text=["功率器件", "激光雷达", "车规MCU"][n % 3],
        )
        judge.former_employers.add(OrganisationFactory())
        ConflictDeclaration.objects.create(judge=judge, organisation=OrganisationFactory(), reason="tie")
        panel.judges.add(judge)
        made_judges.append(judge)
    made_entries = [
        EntryFactory(category=category, status=EntryStatus.ELIGIBLE, title=["功率模块", "激光雷达芯片", "MCU"][n % 3])
        for n in range(entries)
    ]
    return made_judges, made_entries


@pytest.fixture
def category(db: Any) -> Category:
    return CategoryFactory(judges_per_entry=2, max_judge_load=6)


def test_the_judges_page_lists_judges_in_constant_queries(
    operator_client: Client, category: Category, django_assert_max_num_queries: Any
) -> None:
    url = reverse("competitions:judging_judges", args=[category.edition.year])
    _populate(category, 3, 2)
    with django_assert_max_num_queries(14) as small:
        response = operator_client.get(url)
    assert response.status_code == 200
    _populate(category, 12, 4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = operator_client.get(url)
    assert response.status_code == 200
    assert len(response.context["judges"]) == 15


def test_the_assignment_page_in_constant_queries(
    operator: User, operator_client: Client, category: Category, django_assert_max_num_queries: Any
) -> None:
    from chiptown.competitions.services.assignment import assignment_run

    url = reverse("competitions:judging_assignment", args=[category.pk])
    _populate(category, 4, 6)
    assignment_run(category=category, by=operator)
    with django_assert_max_num_queries(14) as small:
        response = operator_client.get(url)
    assert response.status_code == 200
    _populate(category, 8, 18)
    assignment_run(category=category, by=operator)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = operator_client.get(url)
    assert response.status_code == 200
    overview = response.context["overview"]
    assert overview.eligible == 24 and overview.unassigned == 0
    assert overview.run == AssignmentRun.objects.order_by("-pk").first()
    assert sum(load.assigned for load in overview.loads) == 48


@pytest.mark.parametrize(
    "name,args",
    [
        ("judging_judges", "year"),
        ("judging_judge_create", "year"),
        ("judging_panel", "category"),
        ("judging_pairs", "category"),
        ("judging_assignment", "category"),
        ("judging_person_options", None),
    ],
)
def test_other_people_are_refused(
    rep_client: Client, stranger_client: Client, category: Category, name: str, args: str | None
) -> None:
    arguments = {"year": [category.edition.year], "category": [category.pk], None: []}[args]
    url = reverse(f"competitions:{name}", args=arguments)
    assert rep_client.get(url).status_code == 403
    assert stranger_client.get(url).status_code == 403


def test_starting_a_run_is_refused_to_others_and_changes_nothing(rep_client: Client, category: Category) -> None:
    _populate(category, 3, 2)
    response = rep_client.post(reverse("competitions:judging_assignment_start", args=[category.pk]))
    assert response.status_code == 403
    assert Job.objects.count() == 0
    assert Assignment.objects.count() == 0


def test_an_operator_adds_a_judge(operator_client: Client, category: Category) -> None:
    user = UserFactory(username="newjudge", role=Role.JUDGE)
    person = PersonFactory(name_en="Wang Wei")
    former = OrganisationFactory(name_en="Old Fab")
    response = operator_client.post(
        reverse("competitions:judging_judge_create", args=[category.edition.year]),
        {
            "user": user.pk,
            "person": f"Wang Wei #{person.pk}",
            "expertise_categories": ["control"],
            "expertise_text": "车规MCU",
            "max_load": "",
            "add_former_employer": f"Old Fab #{former.pk}",
        },
    )
    judge = Judge.objects.get(user=user)
    assert response.status_code == 302
    assert response["Location"] == reverse("competitions:judging_judge_edit", args=[judge.pk])
    assert judge.person == person
    assert list(judge.former_employers.all()) == [former]
    assert AuditEntry.objects.filter(action="judge.create", object_id=str(judge.pk)).exists()


def test_a_bad_judge_form_is_shown_again_and_writes_nothing(operator_client: Client, category: Category) -> None:
    user = UserFactory(username="newjudge", role=Role.JUDGE)
    response = operator_client.post(
        reverse("competitions:judging_judge_create", args=[category.edition.year]),
        {"user": user.pk, "person": "Nobody at all", "max_load": "0"},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors["person"] == ["No single person matches; pick one from the suggestions."]
    assert "max_load" in form.errors
    assert Judge.objects.count() == 0


def test_editing_a_judge_keeps_or_drops_former_employers(operator_client: Client, category: Category) -> None:
    judge = JudgeFactory(edition=category.edition)
    old, gone = OrganisationFactory(), OrganisationFactory()
    judge.former_employers.add(old, gone)
    response = operator_client.post(
        reverse("competitions:judging_judge_edit", args=[judge.pk]),
        {
            "person": f"x #{judge.person.pk}",
            "expertise_categories": ["power"],
            "expertise_text": "SiC",
            "keep_former": [str(old.pk)],
        },
    )
    assert response.status_code == 302
    judge.refresh_from_db()
    assert list(judge.former_employers.all()) == [old]
    assert judge.expertise_text == "SiC"


def test_drop_out_from_the_judge_page(operator: User, operator_client: Client, category: Category) -> None:
    judges, entries = _populate(category, 3, 2)
    Assignment.objects.create(entry=entries[0], judge=judges[0])
    response = operator_client.post(reverse("competitions:judging_drop_out", args=[judges[0].pk]), {"reason": "Ill"})
    assert response.status_code == 302
    judges[0].refresh_from_db()
    assert judges[0].active is False
    assert Assignment.objects.count() == 0
    response = operator_client.post(reverse("competitions:judging_drop_out", args=[judges[1].pk]), {"reason": ""})
    judges[1].refresh_from_db()
    assert judges[1].active is True


def test_a_judge_declares_their_own_conflict_but_not_anothers(category: Category) -> None:
    judges, entries = _populate(category, 2, 1)
    Assignment.objects.create(entry=entries[0], judge=judges[0])
    client = client_for(judges[0].user)
    organisation = entries[0].organisation
    response = client.post(
        reverse("competitions:judging_declarations", args=[judges[0].pk]),
        {"organisation": f"{organisation.display_name} #{organisation.pk}", "reason": "My sister works there"},
    )
    assert response.status_code == 302
    assert ConflictDeclaration.objects.filter(judge=judges[0], organisation=organisation).exists()
    assert not Assignment.objects.filter(judge=judges[0]).exists()
    assert client.get(reverse("competitions:judging_my_declarations", args=[category.edition.year])).status_code == 302
    before = ConflictDeclaration.objects.count()
    response = client.post(
        reverse("competitions:judging_declarations", args=[judges[1].pk]),
        {"organisation": f"x #{organisation.pk}", "reason": "x"},
    )
    assert response.status_code == 403
    assert ConflictDeclaration.objects.count() == before
    # Only operators withdraw a declaration.
    declaration = ConflictDeclaration.objects.filter(judge=judges[0]).first()
    assert declaration is not None
    response = client.post(reverse("competitions:judging_declaration_delete", args=[declaration.pk]))
    assert response.status_code == 403
    assert ConflictDeclaration.objects.count() == before


def test_the_panel_page_saves_the_panel(operator_client: Client, category: Category) -> None:
    judges = [JudgeFactory(edition=category.edition) for _ in range(3)]
    response = operator_client.post(
        reverse("competitions:judging_panel", args=[category.pk]), {"judges": [judges[0].pk, judges[2].pk]}
    )
    assert response.status_code == 302
    assert sorted(category.panel.judges.values_list("pk", flat=True)) == [judges[0].pk, judges[2].pk]


def test_pins_and_forbids_from_the_page_and_a_refused_pin(operator_client: Client, category: Category) -> None:
    judges, entries = _populate(category, 3, 2)
    url = reverse("competitions:judging_pairs", args=[category.pk])
    response = operator_client.post(url, {"entry": entries[0].pk, "judge": judges[1].pk, "kind": "pin", "reason": ""})
    assert response.status_code == 302
    assert PairRule.objects.get().kind == "pin"
    SupplyLinkFactory(supplier=entries[1].organisation, buyer=judges[2].person.organisation)
    response = operator_client.post(url, {"entry": entries[1].pk, "judge": judges[2].pk, "kind": "pin"})
    assert response.status_code == 400
    assert "This judge conflicts with the entry" in response.context["form"].non_field_errors()[0]
    assert PairRule.objects.count() == 1
    rule = PairRule.objects.get()
    response = operator_client.post(reverse("competitions:judging_pair_delete", args=[rule.pk]))
    assert response.status_code == 302
    assert PairRule.objects.count() == 0


def test_running_from_the_page_starts_a_job_and_shows_its_progress(operator_client: Client, category: Category) -> None:
    _populate(category, 4, 6)
    response = operator_client.post(
        reverse("competitions:judging_assignment_start", args=[category.pk]), {"fair": "on"}
    )
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("competitions:judging_assignment", args=[category.pk]) + f"?job={job.pk}"
    page = operator_client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["job"] == job
    assert job.status == Job.Status.SUCCEEDED
    run = AssignmentRun.objects.get()
    assert run.inputs["fair"] is True
    assert Assignment.objects.filter(run=run).count() == 12
    body = page.content.decode()
    assert "Latest run" in body and "max-min bound" in body


def test_pickers_suggest_people_and_organisations(operator_client: Client) -> None:
    PersonFactory(name_en="Li Na")
    OrganisationFactory(name_en="Gamma Silicon")
    people = operator_client.get(reverse("competitions:judging_person_options"), {"person": "Li"})
    assert "Li Na #" in people.content.decode()
    organisations = operator_client.get(reverse("competitions:judging_organisation_options"), {"q": "Gamma"})
    assert "Gamma Silicon #" in organisations.content.decode()
