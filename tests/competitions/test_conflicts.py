"""Conflicts of interest derived from real registry rows: the judge's own organisation, its suppliers, customers,
investors and investees, former employers and declarations; for organisation, partnership and person entries."""

from typing import Any

import pytest

from chiptown.competitions import conflicts
from chiptown.competitions.models import Category, ConflictDeclaration, Entry, Judge, PartnershipMember
from chiptown.registry.models import Investment, Organisation
from tests.competitions.factories import CategoryFactory, EntryFactory, JudgeFactory, PanelFactory
from tests.factories import OrganisationFactory, PersonFactory, SupplyLinkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def employer() -> Organisation:
    return OrganisationFactory(name_en="Judge's Employer", name_zh="评委单位")


@pytest.fixture
def judge(employer: Organisation) -> Judge:
    return JudgeFactory(person=PersonFactory(organisation=employer))


def _entry(judge: Judge, organisation: Organisation | None = None, **values: Any) -> Entry:
    category = Category.objects.filter(edition=judge.edition, kind="top50").first() or CategoryFactory(
        edition=judge.edition
    )
    return EntryFactory(category=category, organisation=organisation or OrganisationFactory(), **values)


def test_a_stranger_company_is_no_conflict(judge: Judge) -> None:
    entry = _entry(judge)
    assert conflicts.judge_conflicts_with_entry(judge=judge, entry=entry) is False
    assert conflicts.conflict_reasons(judge=judge, entry=entry) == []


def test_the_judges_own_organisation(judge: Judge, employer: Organisation) -> None:
    entry = _entry(judge, employer)
    assert conflicts.judge_conflicts_with_entry(judge=judge, entry=entry) is True
    assert conflicts.conflict_reasons(judge=judge, entry=entry) == ["Judge's Employer is the judge's own organisation."]


def test_a_supplier_of_the_judges_organisation(judge: Judge, employer: Organisation) -> None:
    supplier = OrganisationFactory(name_en="Wafer Supplier")
    SupplyLinkFactory(supplier=supplier, buyer=employer)
    entry = _entry(judge, supplier)
    assert conflicts.conflict_reasons(judge=judge, entry=entry) == [
        "Wafer Supplier is a supplier of the judge's organisation."
    ]


def test_a_customer_of_the_judges_organisation(judge: Judge, employer: Organisation) -> None:
    customer = OrganisationFactory(name_en="Car Maker")
    SupplyLinkFactory(supplier=employer, buyer=customer)
    entry = _entry(judge, customer)
    assert conflicts.conflict_reasons(judge=judge, entry=entry) == [
        "Car Maker is a customer of the judge's organisation."
    ]


def test_supply_links_count_one_hop_only(judge: Judge, employer: Organisation) -> None:
    middle = OrganisationFactory()
    far = OrganisationFactory()
    SupplyLinkFactory(supplier=middle, buyer=employer)
    SupplyLinkFactory(supplier=far, buyer=middle)
    assert conflicts.judge_conflicts_with_entry(judge=judge, entry=_entry(judge, far)) is False


def test_investors_and_investees(judge: Judge, employer: Organisation) -> None:
    investor = OrganisationFactory(name_en="Venture Fund")
    investee = OrganisationFactory(name_en="Start-up")
    Investment.objects.create(investor=investor, company=employer)
    Investment.objects.create(investor=employer, company=investee)
    assert conflicts.conflict_reasons(judge=judge, entry=_entry(judge, investor)) == [
        "Venture Fund is an investor in the judge's organisation."
    ]
    assert conflicts.conflict_reasons(judge=judge, entry=_entry(judge, investee)) == [
        "Start-up is a company the judge's organisation invests in."
    ]


def test_a_former_employer(judge: Judge) -> None:
    former = OrganisationFactory(name_en="Old Fab")
    judge.former_employers.add(former)
    assert conflicts.conflict_reasons(judge=judge, entry=_entry(judge, former)) == [
        "Old Fab is a former employer of the judge."
    ]


def test_declared_organisation_and_declared_entry(judge: Judge) -> None:
    declared = OrganisationFactory(name_en="Friend's Company")
    ConflictDeclaration.objects.create(judge=judge, organisation=declared, reason="My brother works there")
    by_organisation = _entry(judge, declared)
    by_entry = _entry(judge)
    ConflictDeclaration.objects.create(judge=judge, entry=by_entry, reason="I advised them")
    assert conflicts.conflict_reasons(judge=judge, entry=by_organisation) == [
        "Friend's Company is declared by the judge."
    ]
    assert conflicts.conflict_reasons(judge=judge, entry=by_entry) == ["The judge declared a conflict with this entry."]


def test_a_partner_of_a_partnership_entry(judge: Judge, employer: Organisation) -> None:
    entry = _entry(judge)
    PartnershipMember.objects.create(entry=entry, organisation=employer)
    assert conflicts.judge_conflicts_with_entry(judge=judge, entry=entry) is True


def test_a_nominated_person_s_organisation(judge: Judge, employer: Organisation) -> None:
    category = CategoryFactory(edition=judge.edition, kind="influence_figure")
    entry = EntryFactory(category=category, organisation=None, person=PersonFactory(organisation=employer))
    assert conflicts.judge_conflicts_with_entry(judge=judge, entry=entry) is True


def test_a_judge_without_a_registry_person_has_only_declared_ties() -> None:
    judge = JudgeFactory(person=None)
    entry = _entry(judge)
    assert conflicts.judge_conflicts_with_entry(judge=judge, entry=entry) is False
    ConflictDeclaration.objects.create(judge=judge, organisation=entry.organisation, reason="Shareholder")
    assert conflicts.judge_conflicts_with_entry(judge=judge, entry=entry) is True


def _tied_category(size: int) -> tuple[Any, set[tuple[int, int]]]:
    """A panel of `size` judges and 3 x size entries, each judge tied to one entry in a different way; the
    expected conflicting (entry_id, judge_id) pairs."""
    category = CategoryFactory()
    panel = PanelFactory(category=category)
    expected: set[tuple[int, int]] = set()
    kinds = ["own", "supplier", "customer", "investor", "investee", "former", "declared_org", "declared_entry"]
    for n in range(size):
        employer = OrganisationFactory()
        judge = JudgeFactory(edition=category.edition, person=PersonFactory(organisation=employer))
        panel.judges.add(judge)
        tied = OrganisationFactory()
        kind = kinds[n % len(kinds)]
        entry = EntryFactory(category=category, organisation=tied)
        if kind == "own":
            entry.organisation = employer
            entry.save()
        elif kind == "supplier":
            SupplyLinkFactory(supplier=tied, buyer=employer)
        elif kind == "customer":
            SupplyLinkFactory(supplier=employer, buyer=tied)
        elif kind == "investor":
            Investment.objects.create(investor=tied, company=employer)
        elif kind == "investee":
            Investment.objects.create(investor=employer, company=tied)
        elif kind == "former":
            judge.former_employers.add(tied)
        elif kind == "declared_org":
            ConflictDeclaration.objects.create(judge=judge, organisation=tied, reason="tie")
        else:
            ConflictDeclaration.objects.create(judge=judge, entry=entry, reason="tie")
        expected.add((entry.pk, judge.pk))
        EntryFactory(category=category)
        EntryFactory(category=category)
    return category, expected


@pytest.mark.parametrize("size", [8, 24])
def test_a_whole_category_in_a_constant_number_of_queries(size: int, django_assert_max_num_queries: Any) -> None:
    category, expected = _tied_category(size)
    with django_assert_max_num_queries(7):
        found = conflicts.category_conflicts(category=category)
    assert found == expected


def test_conflicting_pairs_for_pages_answers_judge_entry_pairs(judge: Judge, employer: Organisation) -> None:
    mine = _entry(judge, employer)
    other = _entry(judge)
    assert conflicts.conflicting_pairs(pairs=[(judge, mine), (judge, other)]) == {(judge.pk, mine.pk)}
    assert conflicts.conflicting_pairs(pairs=[]) == set()
