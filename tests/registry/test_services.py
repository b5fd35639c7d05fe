"""Every registry write service: a representative of company A cannot change company B's data (PermissionDenied,
nothing written, no audit entry); operators can; each successful write is audited with before and after."""

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from chiptown.accounts.models import User
from chiptown.core.errors import ChipTownError, PermissionDenied
from chiptown.core.models import AuditEntry
from chiptown.registry import services
from chiptown.registry.models import (
    Organisation,
    OrganisationRole,
    Person,
    Product,
    Qualification,
    SupplyLink,
)
from tests.competitions.factories import EntryFactory
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    ProductFactory,
    QualificationFactory,
    SupplyLinkFactory,
    category,
    credit_code,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n"


def registry_state() -> dict[str, list[dict[str, Any]]]:
    """Every registry row, to prove that a refused write changed nothing."""
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Organisation, OrganisationRole, Person, Product, Qualification, SupplyLink)
    }


@pytest.fixture
def their_data(other_company: Organisation) -> dict[str, Any]:
    """Company B's rows: a product with a qualification, a plant certificate and a supply link where B buys."""
    product = ProductFactory(organisation=other_company, part_number="B-1")
    return {
        "organisation": other_company,
        "product": product,
        "qualification": QualificationFactory(product=product),
        "plant": QualificationFactory(product=None, organisation=other_company, standard="IATF 16949", level=""),
        "link": SupplyLinkFactory(buyer=other_company, share=30),
        "person": PersonFactory(organisation=other_company, name_en="Wang Fang", title="CEO"),
    }


Attempt = Callable[[User, dict[str, Any], Organisation], Any]

WRITES: dict[str, Attempt] = {
    "organisation_update": lambda by, d, own: services.organisation_update(
        organisation=d["organisation"], by=by, values={"name_en": "Hijacked"}
    ),
    "organisation_update_roles": lambda by, d, own: services.organisation_update(
        organisation=d["organisation"], by=by, values={}, roles=["oem"]
    ),
    "organisation_set_logo": lambda by, d, own: services.organisation_set_logo(
        organisation=d["organisation"], by=by, logo=SimpleUploadedFile("logo.png", PNG)
    ),
    "organisation_delete": lambda by, d, own: services.organisation_delete(organisation=d["organisation"], by=by),
    "product_create": lambda by, d, own: services.product_create(
        by=by, organisation=d["organisation"], values={"category": "power", "part_number": "NEW-1"}
    ),
    "product_update": lambda by, d, own: services.product_update(
        product=d["product"], by=by, values={"lifecycle": "eol"}
    ),
    "product_delete": lambda by, d, own: services.product_delete(product=d["product"], by=by),
    "qualification_create_on_product": lambda by, d, own: services.qualification_create(
        by=by, product=d["product"], values={"standard": "AEC-Q101", "certificate_number": "NEW-Q"}
    ),
    "qualification_create_on_plant": lambda by, d, own: services.qualification_create(
        by=by, organisation=d["organisation"], values={"standard": "IATF 16949", "certificate_number": "NEW-P"}
    ),
    "qualification_update": lambda by, d, own: services.qualification_update(
        qualification=d["qualification"], by=by, values={"level": "0"}
    ),
    "qualification_update_plant": lambda by, d, own: services.qualification_update(
        qualification=d["plant"], by=by, values={"issuer": "Someone else"}
    ),
    "qualification_delete": lambda by, d, own: services.qualification_delete(qualification=d["qualification"], by=by),
    "supply_link_create_as_their_buyer": lambda by, d, own: services.supply_link_create(
        by=by, values={"supplier": own, "buyer": d["organisation"], "category": "memory", "share": "10"}
    ),
    "supply_link_update": lambda by, d, own: services.supply_link_update(link=d["link"], by=by, values={"share": "99"}),
    "supply_link_move_to_own_buyer": lambda by, d, own: services.supply_link_update(
        link=d["link"], by=by, values={"buyer": own}
    ),
    "supply_link_delete": lambda by, d, own: services.supply_link_delete(link=d["link"], by=by),
    "person_create": lambda by, d, own: services.person_create(
        by=by, organisation=d["organisation"], values={"name_en": "Mole"}
    ),
    "person_update": lambda by, d, own: services.person_update(person=d["person"], by=by, values={"title": "Spy"}),
    "person_delete": lambda by, d, own: services.person_delete(person=d["person"], by=by),
}


@pytest.mark.parametrize("write", sorted(WRITES))
def test_representative_cannot_change_another_company(
    write: str, company_rep: User, company: Organisation, their_data: dict[str, Any]
) -> None:
    before = registry_state()

    with pytest.raises(PermissionDenied):
        WRITES[write](company_rep, their_data, company)

    assert registry_state() == before
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("write", sorted(WRITES))
def test_strangers_and_anonymous_cannot_write(
    write: str, stranger: User, company: Organisation, their_data: dict[str, Any]
) -> None:
    before = registry_state()

    for who in (stranger, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            WRITES[write](who, their_data, company)  # type: ignore[arg-type]

    assert registry_state() == before
    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("write", sorted(WRITES))
def test_operator_can_and_each_write_is_audited(
    write: str, operator: User, company: Organisation, their_data: dict[str, Any]
) -> None:
    WRITES[write](operator, their_data, company)

    entry = AuditEntry.objects.get()
    assert entry.actor == operator
    assert entry.before is not None or entry.after is not None
    if ".update" in entry.action or entry.action.endswith("set_logo"):
        assert entry.before is not None and entry.after is not None and set(entry.before) == set(entry.after)


def test_organisation_create_is_for_operators_only(company_rep: User, operator: User) -> None:
    with pytest.raises(PermissionDenied):
        services.organisation_create(by=company_rep, values={"name_en": "Rogue"})
    assert not Organisation.objects.filter(name_en="Rogue").exists()

    created = services.organisation_create(
        by=operator, values={"name_en": "Gamma", "credit_code": credit_code(424242)}, roles=["idm", "fabless"]
    )

    entry = AuditEntry.objects.get(action="organisation.create")
    assert entry.object_id == str(created.pk) and entry.before is None
    assert entry.after is not None and entry.after["roles"] == ["fabless", "idm"]


def test_update_audit_holds_only_what_changed(operator: User, company: Organisation) -> None:
    services.organisation_update(organisation=company, by=operator, values={"city": "无锡", "province": "北京市"})

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.before, entry.after) == ("organisation.update", {"city": "北京"}, {"city": "无锡"})


def test_representative_can_change_own_company(company_rep: User, company: Organisation) -> None:
    product = services.product_create(
        by=company_rep, organisation=company, values={"category": "power", "part_number": "A-1"}
    )
    services.qualification_create(
        by=company_rep,
        product=product,
        values={"standard": "AEC-Q100", "level": "Grade 1", "certificate_number": "A-Q1"},
        certificate_pdf=SimpleUploadedFile("c.pdf", PDF),
    )
    services.organisation_update(organisation=company, by=company_rep, values={"founded_year": 2012})

    company.refresh_from_db()
    assert company.founded_year == 2012
    assert Qualification.objects.get().level == "1"
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "product.create",
        "qualification.create",
        "organisation.update",
    ]


# --- Rules the services enforce ---------------------------------------------------------------------------------


def test_buyer_shares_in_a_category_cannot_exceed_100_percent(operator: User, company: Organisation) -> None:
    first = SupplyLinkFactory(buyer=company, category=category("power"), share=Decimal("70"))
    SupplyLinkFactory(buyer=company, category=category("memory"), share=Decimal("90"))  # another category
    newcomer = OrganisationFactory()

    with pytest.raises(ChipTownError) as refused:
        services.supply_link_create(
            by=operator, values={"supplier": newcomer, "buyer": company, "category": "power", "share": "30.01"}
        )
    assert [(p.column, p.reason) for p in refused.value.problems] == [
        ("share", "The buyer's shares in this category would reach 100.01 %; they cannot exceed 100 %.")
    ]
    with pytest.raises(ChipTownError):
        services.supply_link_update(link=first, by=operator, values={"share": "100.5"})

    exactly = services.supply_link_create(
        by=operator, values={"supplier": newcomer, "buyer": company, "category": "power", "share": "30%"}
    )
    assert exactly.share == Decimal("30.00")
    first.refresh_from_db()
    assert first.share == Decimal("70.00")
    assert AuditEntry.objects.count() == 1


def test_certificate_must_be_a_pdf_by_content_not_by_name(operator: User) -> None:
    product = ProductFactory()
    values = {"standard": "ISO 26262", "level": "ASIL D", "certificate_number": "FS-1"}

    with pytest.raises(ChipTownError) as refused:
        services.qualification_create(
            by=operator,
            product=product,
            values=values,
            certificate_pdf=SimpleUploadedFile("cert.pdf", b"<html>not a pdf</html>", content_type="application/pdf"),
        )
    assert [(p.column, p.reason) for p in refused.value.problems] == [("certificate_pdf", "The file is not a PDF.")]
    assert not Qualification.objects.exists()

    renamed = services.qualification_create(
        by=operator, product=product, values=values, certificate_pdf=SimpleUploadedFile("scan.bin", PDF)
    )
    assert renamed.level == "D" and renamed.certificate_pdf.read() == PDF


def test_certificate_larger_than_10_mib_is_refused(operator: User) -> None:
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ChipTownError) as refused:
        services.qualification_create(
            by=operator,
            product=ProductFactory(),
            values={"standard": "AEC-Q101", "certificate_number": "X"},
            certificate_pdf=big,
        )
    assert refused.value.problems[0].column == "certificate_pdf"


def test_credit_code_check_character_is_verified(operator: User) -> None:
    good = credit_code(777)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")

    with pytest.raises(ChipTownError) as refused:
        services.organisation_create(by=operator, values={"name_en": "Bad Code Co", "credit_code": wrong})
    assert [(p.column, p.reason) for p in refused.value.problems] == [
        ("credit_code", f"The check character of credit code {wrong} is wrong.")
    ]
    with pytest.raises(ChipTownError) as short:
        services.organisation_create(by=operator, values={"name_en": "Short Code Co", "credit_code": good[:10]})
    assert short.value.problems[0].reason == "A Unified Social Credit Code has 18 characters (got 10)."
    assert not Organisation.objects.exists()

    created = services.organisation_create(by=operator, values={"name_en": "Good Code Co", "credit_code": good.lower()})
    assert created.credit_code == good


def test_duplicate_credit_code_and_name_are_refused(operator: User, company: Organisation) -> None:
    with pytest.raises(ChipTownError) as same_code:
        services.organisation_create(by=operator, values={"name_en": "Copy", "credit_code": company.credit_code})
    services.organisation_create(by=operator, values={"name_en": "Horizon Robotics", "country": "US"})
    with pytest.raises(ChipTownError) as same_name:
        services.organisation_create(by=operator, values={"name_en": "horizon  robotics", "country": "US"})

    assert same_code.value.problems[0].column == "credit_code"
    assert same_name.value.problems[0].column == "name_en"
    assert Organisation.objects.count() == 2


def test_expired_qualification_is_marked_expired() -> None:
    qualification = QualificationFactory(issued_on=datetime.date(2018, 1, 1), expires_on=datetime.date(2021, 1, 1))
    current = QualificationFactory(expires_on=None)

    assert qualification.is_expired and not current.is_expired
    assert qualification.is_expired_on(datetime.date(2020, 12, 31)) is False


def test_representative_cannot_hand_own_supply_link_to_another_buyer(
    company_rep: User, company: Organisation, other_company: Organisation
) -> None:
    link = SupplyLinkFactory(buyer=company, share=20)
    before = registry_state()

    with pytest.raises(PermissionDenied):
        services.supply_link_update(link=link, by=company_rep, values={"buyer": other_company})

    assert registry_state() == before
    assert not AuditEntry.objects.exists()


# --- People -----------------------------------------------------------------------------------------------------


def test_representative_updates_own_person_audited_before_and_after(company_rep: User, company: Organisation) -> None:
    person = PersonFactory(organisation=company, name_en="Li Wei", title="CTO", email="")

    services.person_update(person=person, by=company_rep, values={"title": "CEO", "email": " li.wei@alpha.cn "})

    person.refresh_from_db()
    assert (person.title, person.email) == ("CEO", "li.wei@alpha.cn")
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.object_id) == ("person.update", company_rep, str(person.pk))
    assert entry.before == {"title": "CTO", "email": ""}
    assert entry.after == {"title": "CEO", "email": "li.wei@alpha.cn"}


def test_person_problems_name_their_fields_and_change_nothing(operator: User, company: Organisation) -> None:
    person = PersonFactory(organisation=company, name_en="Li Wei", name_zh="")
    before = registry_state()

    with pytest.raises(ChipTownError) as refused:
        services.person_update(
            person=person, by=operator, values={"name_en": " ", "email": "not-an-address", "user": 1}
        )

    assert {(p.column, p.reason) for p in refused.value.problems} == {
        ("name_en", "Give a name in Chinese or English."),
        ("email", "not-an-address is not an email address."),
        ("user", "This field cannot be changed here."),
    }
    assert registry_state() == before
    assert not AuditEntry.objects.exists()


def test_person_create_checks_the_email_too(operator: User, company: Organisation) -> None:
    with pytest.raises(ChipTownError) as refused:
        services.person_create(by=operator, organisation=company, values={"name_zh": "李伟", "email": "li@"})

    assert [(p.column, p.reason) for p in refused.value.problems] == [("email", "li@ is not an email address.")]
    assert not Person.objects.exists()


def test_operator_deletes_a_person_audited(operator: User, company: Organisation) -> None:
    person = PersonFactory(organisation=company, name_en="Li Wei")

    services.person_delete(person=person, by=operator)

    assert not Person.objects.exists()
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.after) == ("person.delete", None)
    assert entry.before is not None and entry.before["name_en"] == "Li Wei"


def test_person_named_in_a_competition_entry_cannot_be_deleted(operator: User, company: Organisation) -> None:
    person = PersonFactory(organisation=company, name_en="Li Wei", name_zh="")
    EntryFactory(organisation=None, person=person)
    before = registry_state()

    with pytest.raises(ChipTownError) as refused:
        services.person_delete(person=person, by=operator)

    assert refused.value.code == "protected" and refused.value.status == 409
    assert refused.value.message == (
        "Li Wei is named in a competition entry and cannot be removed; the entry must change first."
    )
    assert registry_state() == before
    assert not AuditEntry.objects.exists()
