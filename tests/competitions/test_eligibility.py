"""The awards' eligibility rules on their own: Most Promising's age limit (counted from the edition's year),
Top 50's valid automotive qualification (unexpired; AEC-Q100 family or ISO 26262 at ASIL A-D; the named product's
own when a product is named), Best Partner's number of partners and confirmations, the Influence Figure
nominee's account and confirmation; and the bulk check the screening list uses agrees with the one-by-one check."""

import datetime

import pytest

from chiptown.accounts.models import User
from chiptown.competitions import eligibility
from chiptown.competitions.models import AwardKind, Entry, PartnershipMember
from chiptown.registry.models import Organisation
from tests.competitions.entries_support import category_of, nominee_with_account, open_edition, qualify
from tests.competitions.factories import EntryFactory
from tests.factories import OrganisationFactory, PersonFactory, ProductFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2031, 4, 1)


def reasons(entry: Entry, *, final: bool = True, today: datetime.date = TODAY) -> list[tuple[str | None, str]]:
    return [(p.column, p.reason) for p in eligibility.rule_problems(entry, final=final, today=today)]


# --- Most Promising ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("founded", "ok"), [(2026, True), (2030, True), (2025, False), (2010, False)])
def test_most_promising_takes_companies_founded_at_most_five_years_before_the_edition(
    operator: User, founded: int, ok: bool
) -> None:
    category = category_of(open_edition(operator, year=2031), AwardKind.MOST_PROMISING)
    organisation = OrganisationFactory(name_en="Young Chips", founded_year=founded)
    entry = EntryFactory(category=category, organisation=organisation)

    expected = (
        []
        if ok
        else [
            (
                "organisation",
                f"Young Chips was founded in {founded}, {2031 - founded} years before this edition; this award "
                "takes companies founded at most 5 years before.",
            )
        ]
    )
    assert reasons(entry) == expected


def test_most_promising_needs_a_founding_year(operator: User) -> None:
    category = category_of(open_edition(operator), AwardKind.MOST_PROMISING)
    entry = EntryFactory(category=category, organisation=OrganisationFactory(name_en="No Year", founded_year=None))

    assert reasons(entry) == [
        ("organisation", "The registry has no founding year for No Year; record it on the organisation's page first.")
    ]


def test_most_promising_limit_follows_the_category_setting(operator: User) -> None:
    category = category_of(open_edition(operator, year=2031), AwardKind.MOST_PROMISING)
    category.eligibility = {"max_age_years": 2}
    entry = EntryFactory(category=category, organisation=OrganisationFactory(founded_year=2028))

    assert [c for c, _ in reasons(entry)] == ["organisation"]


# --- Top 50 -----------------------------------------------------------------------------------------------------


@pytest.fixture
def top50_entry(operator: User, company: Organisation) -> Entry:
    return EntryFactory(category=category_of(open_edition(operator), AwardKind.TOP50), organisation=company)


def test_top50_accepts_a_valid_aec_q100_product(top50_entry: Entry, company: Organisation) -> None:
    qualify(company, expires_on=TODAY)  # valid through its last day
    assert reasons(top50_entry) == []


@pytest.mark.parametrize(
    ("standard", "level", "expires_on"),
    [
        ("AEC-Q100", "1", datetime.date(2031, 3, 31)),  # expired the day before
        ("IATF 16949", "", None),  # a plant certificate, not a chip qualification
        ("AEC-Q200", "", None),  # passive components
        ("ISO 26262", "QM", None),  # no ASIL: not a functional-safety qualification
        ("ISO/SAE 21434", "", None),  # cybersecurity, not in the rule
    ],
)
def test_top50_refuses_what_is_not_a_valid_automotive_qualification(
    top50_entry: Entry, company: Organisation, standard: str, level: str, expires_on: datetime.date | None
) -> None:
    qualify(company, standard=standard, level=level, expires_on=expires_on)

    assert reasons(top50_entry) == [
        (
            "organisation",
            "None of Alpha Semiconductor's products has a valid (unexpired) automotive qualification in the "
            "registry (AEC-Q100, AEC-Q101, AEC-Q102, AEC-Q103, AEC-Q104, ISO 26262; ISO 26262 at ASIL A-D). "
            "Record one first.",
        )
    ]


def test_top50_accepts_iso_26262_at_an_asil_and_no_expiry(top50_entry: Entry, company: Organisation) -> None:
    qualify(company, standard="ISO 26262", level="B", expires_on=None)
    assert reasons(top50_entry) == []


def test_top50_with_a_named_product_needs_that_product_qualified(top50_entry: Entry, company: Organisation) -> None:
    qualify(company)  # another product is qualified
    unqualified = ProductFactory(organisation=company, part_number="CT-NEW")
    top50_entry.product = unqualified

    assert [c for c, _ in reasons(top50_entry)] == ["product"]
    assert "Product CT-NEW has no valid (unexpired) automotive qualification" in reasons(top50_entry)[0][1]


def test_top50_does_not_count_another_organisations_qualification(
    top50_entry: Entry, other_company: Organisation
) -> None:
    qualify(other_company)
    assert [c for c, _ in reasons(top50_entry)] == ["organisation"]


def test_top50_rule_can_be_switched_off(top50_entry: Entry) -> None:
    top50_entry.category.eligibility = {"requires_valid_qualification": False}
    assert reasons(top50_entry) == []


def test_bulk_check_agrees_with_one_by_one(operator: User) -> None:
    category = category_of(open_edition(operator), AwardKind.TOP50)
    qualified, unqualified = OrganisationFactory(), OrganisationFactory()
    qualification = qualify(qualified)
    entries = [
        EntryFactory(category=category, organisation=qualified),
        EntryFactory(category=category, organisation=qualified, product=qualification.product),
        EntryFactory(category=category, organisation=qualified, product=ProductFactory(organisation=qualified)),
        EntryFactory(category=category, organisation=unqualified),
    ]
    bulk = eligibility.qualified_products(
        organisation_ids=[qualified.pk, unqualified.pk], standards=eligibility.standards_of(category), day=TODAY
    )

    for entry in entries:
        assert eligibility.rule_problems(entry, final=True, today=TODAY, qualified=bulk) == eligibility.rule_problems(
            entry, final=True, today=TODAY
        )
    assert [bool(eligibility.rule_problems(e, final=True, today=TODAY, qualified=bulk)) for e in entries] == [
        False,
        False,
        True,
        True,
    ]


# --- Best Partner --------------------------------------------------------------------------------------------------


def test_best_partner_needs_two_organisations_and_at_screening_every_confirmation(
    operator: User, company: Organisation, other_company: Organisation
) -> None:
    category = category_of(open_edition(operator), AwardKind.BEST_PARTNER)
    entry = EntryFactory(category=category, organisation=company)
    PartnershipMember.objects.create(
        entry=entry, organisation=company, confirmed_at=datetime.datetime.now(datetime.UTC)
    )

    assert reasons(entry) == [("partners", "Name at least 2 organisations, your own included.")]

    PartnershipMember.objects.create(entry=entry, organisation=other_company)
    assert reasons(entry, final=False) == []
    assert reasons(entry, final=True) == [("partners", "Not yet confirmed by: Beta Microelectronics.")]

    PartnershipMember.objects.filter(entry=entry).update(confirmed_at=datetime.datetime.now(datetime.UTC))
    assert reasons(entry, final=True) == []


# --- Influence Figure -----------------------------------------------------------------------------------------------


def test_influence_figure_nominee_needs_an_account_and_at_screening_a_confirmation(operator: User) -> None:
    category = category_of(open_edition(operator), AwardKind.INFLUENCE_FIGURE)
    without_account = EntryFactory(
        category=category, organisation=None, person=PersonFactory(name_en="Li Wei", user=None)
    )
    nominee = nominee_with_account()
    nominated = EntryFactory(category=category, organisation=None, person=nominee)

    assert [c for c, _ in reasons(without_account)] == ["person"]
    assert reasons(without_account)[0][1].startswith("Li Wei has no ChipTown account")
    assert reasons(nominated, final=False) == []
    assert reasons(nominated, final=True) == [("person", "The nominee has not confirmed the nomination yet.")]
    nominated.nominee_confirmed_at = datetime.datetime.now(datetime.UTC)
    assert reasons(nominated, final=True) == []


def test_rules_are_described_in_plain_words(operator: User) -> None:
    edition = open_edition(operator)
    described = {kind: eligibility.describe(category_of(edition, kind)) for kind in AwardKind}

    assert described[AwardKind.MOST_PROMISING] == [
        "Founded at most 5 years before the edition (founding year as recorded in the registry)."
    ]
    assert described[AwardKind.BEST_PARTNER] == [
        "At least 2 organisations, the applicant's first; each named organisation confirms."
    ]
    assert "AEC-Q100" in described[AwardKind.TOP50][0]
    assert len(described[AwardKind.INFLUENCE_FIGURE]) == 2
