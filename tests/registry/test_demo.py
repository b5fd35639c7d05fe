"""The demo chain: all ten categories, every row marked as demo, valid credit codes, shares within 100 %."""

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, Sum
from stdnum.cn import uscc

from chiptown.accounts.models import Role, User
from chiptown.core.models import AuditEntry
from chiptown.manage import command_line
from chiptown.registry import demo
from chiptown.registry.models import (
    ChipCategory,
    Organisation,
    OrganisationRole,
    Person,
    Product,
    Qualification,
    SupplyLink,
)
from tests.factories import SupplyLinkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_report_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests check the registry's demo rows. `demo-data` also builds last year's demo report, whose PDF
    layout costs seconds per run; that report is tested in tests/reports/test_demo.py, so here it skips WeasyPrint."""
    monkeypatch.setattr("chiptown.reports.documents.report_pdf", lambda *, html: b"%PDF-1.7 (layout skipped)")


def load_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo_data", "--scale", "1", *args, verbosity=0, stdout=out, stderr=StringIO())
    return out.getvalue()


def table_state() -> dict[str, Any]:
    """Everything a re-run could change: rows (by id and update time) and users."""
    return {
        "organisations": list(Organisation.objects.order_by("id").values_list("id", "updated_at")),
        "roles": OrganisationRole.objects.count(),
        "people": Person.objects.count(),
        "products": list(Product.objects.order_by("id").values_list("id", flat=True)),
        "qualifications": Qualification.objects.count(),
        "supply_links": list(SupplyLink.objects.order_by("id").values_list("id", "share", "status")),
        "users": list(User.objects.order_by("id").values_list("id", "password", "organisation_id")),
    }


def test_scale_one_writes_a_chain_in_all_ten_categories() -> None:
    load_demo()

    all_categories = set(ChipCategory.objects.values_list("code", flat=True))
    assert len(all_categories) == 10
    assert set(Product.objects.values_list("category_id", flat=True)) == all_categories
    assert set(SupplyLink.objects.values_list("category_id", flat=True)) == all_categories
    assert 150 <= Organisation.objects.count() <= 250
    assert 600 <= Product.objects.count() <= 1000
    assert 1100 <= SupplyLink.objects.count() <= 1900
    assert set(OrganisationRole.objects.values_list("role", flat=True)) == {
        "eda_ip", "fabless", "idm", "foundry", "osat", "materials", "equipment", "module", "tier1", "oem", "lab",
        "investor", "research", "government",
    }  # fmt: skip
    assert Organisation.objects.filter(in_park=True).exists()
    assert Organisation.objects.filter(in_park=False, country="CN").exists()


def test_every_row_is_marked_and_says_it_is_generated() -> None:
    load_demo()

    for model in (Organisation, Person, Product, Qualification, SupplyLink):
        assert model.objects.exists()
        assert not model.objects.filter(is_demo=False).exists(), model.__name__
    for description in Organisation.objects.values_list("description", flat=True):
        assert "Generated demo data, not a real organisation." in description
        assert "演示数据" in description


def test_credit_codes_are_valid_and_only_chinese_organisations_have_one() -> None:
    load_demo()

    chinese = Organisation.objects.filter(country="CN")
    assert chinese.exists()
    assert not chinese.filter(credit_code__isnull=True).exists()
    for code in chinese.values_list("credit_code", flat=True):
        assert uscc.is_valid(code), code
    foreign = Organisation.objects.exclude(country="CN")
    assert set(foreign.values_list("country", flat=True)) <= {"DE", "US", "JP", "NL", "KR"}
    assert foreign.exists()
    assert not foreign.filter(credit_code__isnull=False).exists()


def test_no_buyer_takes_more_than_100_percent_of_a_category_and_some_are_single_sourced() -> None:
    load_demo()

    groups = SupplyLink.objects.values("buyer", "category").annotate(total=Sum("share"), suppliers=Count("id"))
    assert max(g["total"] or 0 for g in groups) <= Decimal("100")
    single_sourced = [g for g in groups if g["suppliers"] == 1 and g["total"] == Decimal("100")]
    assert single_sourced


def test_search_columns_are_filled_as_save_would() -> None:
    load_demo()

    organisation = Organisation.objects.filter(country="CN").first()
    assert organisation is not None
    stored = (organisation.name_key, organisation.search_text)
    organisation.save()
    assert (organisation.name_key, organisation.search_text) == stored
    product = Product.objects.first()
    assert product is not None
    stored_text = product.search_text
    product.save()
    assert product.search_text == stored_text


def test_a_second_run_changes_nothing() -> None:
    output = load_demo()
    assert "Wrote" in output
    before = table_state()
    audit_rows = AuditEntry.objects.count()

    output = load_demo()

    assert "already exists" in output
    assert table_state() == before
    assert AuditEntry.objects.count() == audit_rows


def test_reset_replaces_demo_rows_and_leaves_real_ones() -> None:
    real_link = SupplyLinkFactory()
    load_demo()
    first_ids = set(Organisation.objects.filter(is_demo=True).values_list("id", flat=True))

    load_demo("--reset")

    assert SupplyLink.objects.filter(pk=real_link.pk).exists()
    assert Organisation.objects.filter(is_demo=False).count() == 2
    second_ids = set(Organisation.objects.filter(is_demo=True).values_list("id", flat=True))
    assert len(second_ids) == len(first_ids)
    assert not first_ids & second_ids
    assert AuditEntry.objects.filter(action="registry.demo_data_delete").count() == 1


def test_demo_logins_one_per_role_and_the_rep_edits_an_in_park_designer() -> None:
    output = load_demo()

    users = {u.username: u for u in User.objects.all()}
    assert {name: users[name].role for name in ("operator", "rep", "judge", "speaker", "attendee")} == {
        "operator": Role.OPERATOR,
        "rep": Role.COMPANY_REP,
        "judge": Role.JUDGE,
        "speaker": Role.SPEAKER,
        "attendee": Role.ATTENDEE,
    }
    company = users["rep"].organisation
    assert company is not None
    assert company.is_demo and company.in_park
    assert company.roles.filter(role="fabless").exists()
    assert company.name_en in output
    assert users["judge"].check_password(demo.DEMO_PASSWORD)
    assert "chiptown-demo" in output


def test_a_real_user_with_a_demo_name_is_left_alone() -> None:
    User.objects.create_user(username="judge", email="judge@park.example", password="their-own-password-1")

    output = load_demo()

    judge = User.objects.get(username="judge")
    assert judge.email == "judge@park.example"
    assert judge.check_password("their-own-password-1")
    assert "not a demo login" in output


def test_generation_is_deterministic_and_needs_no_database() -> None:
    first = demo.generate(1, seed=7)
    assert demo.generate(1, seed=7) == first
    assert demo.generate(1, seed=8) != first
    assert len({o.key for o in first.organisations}) == len(first.organisations)
    assert len({p.key for p in first.products}) == len(first.products)


def test_rows_are_plain_values_with_model_field_names() -> None:
    chain = demo.generate(1)
    organisation = chain.organisations[0]
    assert type(organisation.roles[0]) is str
    assert type(chain.supply_links[0].status) is str
    assert type(chain.qualifications[0].standard) is str
    assert {"name_zh", "name_en", "credit_code", "country", "province", "in_park"} <= set(organisation._fields)


def test_scale_multiplies_the_chain() -> None:
    one, three = demo.generate(1).counts(), demo.generate(3).counts()
    assert three["organisations"] == 3 * one["organisations"]
    assert 2.5 * one["supply_links"] < three["supply_links"] < 3.5 * one["supply_links"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["chiptown", "demo-data", "--scale", "2"], ["chiptown", "demo_data", "--scale", "2"]),
        (["chiptown", "help", "demo-data"], ["chiptown", "help", "demo_data"]),
        (["chiptown", "--version"], ["chiptown", "--version"]),
        (["chiptown"], ["chiptown"]),
    ],
)
def test_console_script_accepts_dashed_command_names(argv: list[str], expected: list[str]) -> None:
    assert command_line(argv) == expected
