"""Registry import: every row checked before anything is written, exact problems, idempotent re-imports."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from chiptown.core.errors import Problem
from chiptown.core.models import AuditEntry
from chiptown.registry.importers import (
    MAX_PROBLEMS,
    registry_import,
    similar_organisations,
    similarity_key,
)
from chiptown.registry.models import Organisation, OrganisationRole, Product, Qualification, SupplyLink
from tests.factories import (
    OrganisationFactory,
    ProductFactory,
    QualificationFactory,
    SupplyLinkFactory,
    credit_code,
)
from tests.registry.import_helpers import (
    ORG_HEADER,
    csv_bytes,
    org_row,
    refused,
    registry_state,
    run_import,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

THIS_YEAR = datetime.date.today().year
NOT_CSV = "The file is not a CSV file (UTF-8 or GBK) or an Excel .xlsx file."
OLD_XLS = "This is an old Excel .xls file: save it as .xlsx or CSV and upload that."
BAD_COUNTRY = "XX is not an ISO 3166 country code such as CN, DE or US."

CODE_A = credit_code(900001)
CODE_B = credit_code(900002)
BAD_CODE = CODE_A[:-1] + ("0" if CODE_A[-1] != "0" else "1")

PRODUCT_HEADER = ["maker", "category", "part_number", "name_zh", "name_en", "process_node", "lifecycle"]
LINK_HEADER = ["supplier", "buyer", "category", "part_number", "status", "share", "since"]
QUALIFICATION_HEADER = [
    "holder",
    "part_number",
    "standard",
    "level",
    "issuer",
    "certificate_number",
    "issued_on",
    "expires_on",
]


def two_organisations() -> list[list[Any]]:
    return [
        ORG_HEADER,
        org_row(
            name_zh="地平线机器人",
            name_en="Horizon Robotics",
            credit_code=CODE_A,
            province="北京市",
            city="北京",
            in_park="yes",
            size_band="large",
            founded_year="2015",
            website="horizon.example.com",
            roles="fabless;module",
        ),
        org_row(name_en="Infineon Technologies", country="DE", roles="idm", in_park="no"),
    ]


def test_organisations_are_created_with_roles_keys_and_one_audit_entry(operator: Any) -> None:
    result = run_import("organisations", two_organisations(), by=operator)

    assert (result["created"], result["updated"], result["unchanged"], result["rows"]) == (2, 0, 0, 2)
    horizon = Organisation.objects.get(credit_code=CODE_A)
    assert (horizon.name_zh, horizon.name_en, horizon.country, horizon.province, horizon.in_park) == (
        "地平线机器人",
        "Horizon Robotics",
        "CN",
        "北京市",
        True,
    )
    assert (horizon.size_band, horizon.founded_year, horizon.website) == ("large", 2015, "https://horizon.example.com")
    assert horizon.name_key == "horizonrobotics"
    assert horizon.search_text == f"地平线机器人 horizon robotics {CODE_A.casefold()}"
    assert sorted(horizon.roles.values_list("role", flat=True)) == ["fabless", "module"]
    infineon = Organisation.objects.get(name_en="Infineon Technologies")
    assert (infineon.credit_code, infineon.country, infineon.in_park) == (None, "DE", False)
    assert list(infineon.roles.values_list("role", flat=True)) == ["idm"]
    entries = list(AuditEntry.objects.filter(action="registry.import"))
    assert len(entries) == 1
    assert entries[0].actor == operator
    assert entries[0].after == {
        "kind": "organisations",
        "filename": "organisations.csv",
        "rows": 2,
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "warning_count": 0,
    }


def test_reimporting_the_same_file_changes_nothing() -> None:
    run_import("organisations", two_organisations())
    before = registry_state()

    result = run_import("organisations", two_organisations())

    assert (result["created"], result["updated"], result["unchanged"]) == (0, 0, 2)
    assert registry_state() == before


def test_a_row_that_differs_updates_the_organisation_and_its_roles() -> None:
    run_import("organisations", two_organisations())
    rows = two_organisations()
    rows[1][ORG_HEADER.index("city")] = "上海"
    rows[1][ORG_HEADER.index("roles")] = "fabless"

    result = run_import("organisations", rows)

    assert (result["created"], result["updated"], result["unchanged"]) == (0, 1, 1)
    horizon = Organisation.objects.get(credit_code=CODE_A)
    assert horizon.city == "上海"
    assert list(horizon.roles.values_list("role", flat=True)) == ["fabless"]
    assert Organisation.objects.count() == 2


def test_columns_left_out_keep_their_values() -> None:
    run_import("organisations", two_organisations())

    result = run_import("organisations", [["credit_code", "name_en", "in_park"], [CODE_A, "Horizon Robotics", "no"]])

    assert (result["created"], result["updated"]) == (0, 1)
    horizon = Organisation.objects.get(credit_code=CODE_A)
    assert (horizon.in_park, horizon.name_zh, horizon.city) == (False, "地平线机器人", "北京")
    assert sorted(horizon.roles.values_list("role", flat=True)) == ["fabless", "module"]


def test_chinese_headers_are_accepted() -> None:
    rows = [
        ["名称", "英文名称", "统一社会信用代码", "省份", "是否园区企业", "产业链角色"],
        ["地平线机器人", "Horizon Robotics", CODE_A, "北京市", "是", "fabless"],
    ]

    result = run_import("organisations", rows)

    assert result["created"] == 1
    horizon = Organisation.objects.get(credit_code=CODE_A)
    assert (horizon.name_zh, horizon.province, horizon.in_park) == ("地平线机器人", "北京市", True)


def test_a_bad_credit_code_refuses_the_whole_file() -> None:
    rows = two_organisations()
    rows[1][ORG_HEADER.index("credit_code")] = BAD_CODE

    problems = refused("organisations", rows)

    assert problems == [
        Problem(row=2, column="credit_code", reason=f"The check character of credit code {BAD_CODE} is wrong.")
    ]
    assert Organisation.objects.count() == 0
    assert not AuditEntry.objects.exists()


def test_every_problem_is_listed_with_row_and_column() -> None:
    rows = [
        ORG_HEADER,
        org_row(name_en="Good Co", country="DE"),
        org_row(name_en="Bad Country", country="XX", founded_year="1700"),
        org_row(name_en="Bad Role", country="DE", roles="fabless;chef"),
        org_row(name_zh="", name_en="", country="DE"),
        org_row(name_en="Code Abroad", country="US", credit_code=CODE_B),
    ]

    problems = refused("organisations", rows)

    assert problems == [
        Problem(row=3, column="country", reason="XX is not an ISO 3166 country code such as CN, DE or US."),
        Problem(
            row=3, column="founded_year", reason=f"The year must lie between 1800 and {datetime.date.today().year}."
        ),
        Problem(row=4, column="roles", reason="chef is not one of: " + ", ".join(_role_codes()) + "."),
        Problem(row=5, column="name_en", reason="Give a name in Chinese or English."),
        Problem(row=6, column="credit_code", reason="Only Chinese organisations have a credit code."),
    ]
    assert Organisation.objects.count() == 0


def _role_codes() -> list[str]:
    from chiptown.registry.models import ChainRole

    return [str(r.value) for r in ChainRole]


def test_a_duplicate_within_the_file_is_refused() -> None:
    rows = [*two_organisations(), org_row(name_en="Horizon again", credit_code=CODE_A)]
    rows.append(org_row(name_en="INFINEON technologies", country="DE"))

    problems = refused("organisations", rows)

    assert problems == [
        Problem(row=4, column="credit_code", reason="Duplicate: row 2 already has this organisation."),
        Problem(row=5, column="name_en", reason="Duplicate: row 3 already has this organisation."),
    ]
    assert Organisation.objects.count() == 0


def test_a_name_clash_with_an_organisation_registered_under_a_credit_code_is_refused() -> None:
    OrganisationFactory(name_en="Horizon Robotics", name_zh="地平线", credit_code=CODE_A)

    problems = refused("organisations", [["name_en", "country"], ["Horizon Robotics", "CN"]])

    assert problems == [
        Problem(
            row=2,
            column="name_en",
            reason=f"An organisation of this name is registered with credit code {CODE_A}: give that code in this row.",
        )
    ]
    assert Organisation.objects.count() == 1


def test_missing_and_unknown_columns_are_reported_against_row_1() -> None:
    problems = refused("products", [["maker", "part_number", "colour"], [CODE_A, "X1", "red"]])

    assert problems == [
        Problem(
            row=1,
            column="colour",
            reason="Unknown column. The columns for Products are: maker, category, part_number, name_zh, name_en, "
            "process_node, lifecycle.",
        ),
        Problem(row=1, column="category", reason="The file has no category column."),
    ]
    assert Product.objects.count() == 0


def test_organisations_need_a_name_column() -> None:
    problems = refused("organisations", [["credit_code", "country"], [CODE_A, "CN"]])

    assert problems == [
        Problem(row=1, column="name_zh", reason="The file needs at least one of the columns name_zh, name_en.")
    ]
    assert Organisation.objects.count() == 0


def test_products_of_a_registered_maker_are_imported_and_reimport_is_idempotent(company: Organisation) -> None:
    assert company.credit_code is not None
    rows = [
        PRODUCT_HEADER,
        [company.credit_code, "control", "AC100", "车规MCU", "Automotive MCU", "40nm", ""],
        [company.credit_code, "Power chips", "AP200", "", "SiC MOSFET", "", "sampling"],
    ]

    result = run_import("products", rows)
    again = run_import("products", rows)

    assert (result["created"], again["unchanged"], again["created"], again["updated"]) == (2, 2, 0, 0)
    mcu = Product.objects.get(part_number="AC100")
    assert (mcu.organisation, mcu.category_id, mcu.lifecycle, mcu.process_node) == (
        company,
        "control",
        "mass_production",
        "40nm",
    )
    assert mcu.search_text == "ac100 车规mcu automotive mcu"
    assert Product.objects.get(part_number="AP200").category_id == "power"


def test_an_unknown_category_and_an_unknown_maker_are_refused(company: Organisation) -> None:
    rows = [
        PRODUCT_HEADER,
        [company.credit_code, "flux-capacitor", "AC100", "", "", "", ""],
        [CODE_B, "control", "AC101", "", "", "", ""],
        ["Nobody Inc|US", "control", "AC102", "", "", "", ""],
    ]

    problems = refused("products", rows)

    assert problems == [
        Problem(row=2, column="category", reason="flux-capacitor is not a chip category."),
        Problem(row=3, column="maker", reason=f"No organisation with credit code {CODE_B} is registered."),
        Problem(row=4, column="maker", reason="No organisation named Nobody Inc in US is registered."),
    ]
    assert Product.objects.count() == 0


def test_a_duplicate_product_within_the_file_is_refused(company: Organisation) -> None:
    rows = [PRODUCT_HEADER, [company.credit_code, "control", "AC100"] + [""] * 4]
    rows.append([company.credit_code, "memory", "AC100"] + [""] * 4)

    assert refused("products", rows) == [
        Problem(row=3, column="part_number", reason="Duplicate: row 2 already has this product.")
    ]


def test_supply_links_are_imported_and_reimport_is_idempotent(
    company: Organisation, other_company: Organisation
) -> None:
    mcu = ProductFactory(organisation=company, part_number="AC100", category_id="control")
    rows = [
        LINK_HEADER,
        [company.credit_code, other_company.credit_code, "", "AC100", "mass_production", "60", "2023-05-01"],
        [company.credit_code, other_company.credit_code, "power", "", "design_win", "25.5%", "2024/01/31"],
    ]

    result = run_import("supply_links", rows)
    again = run_import("supply_links", rows)

    assert (result["created"], again["unchanged"]) == (2, 2)
    link = SupplyLink.objects.get(product=mcu)
    assert (link.supplier, link.buyer, link.category_id, link.status, link.share, link.since) == (
        company,
        other_company,
        "control",
        "mass_production",
        Decimal("60.00"),
        datetime.date(2023, 5, 1),
    )
    power = SupplyLink.objects.get(category_id="power")
    assert (power.product, power.share, power.since) == (None, Decimal("25.50"), datetime.date(2024, 1, 31))


def test_a_supplier_that_is_not_registered_is_refused(other_company: Organisation) -> None:
    rows = [LINK_HEADER, [CODE_B, other_company.credit_code, "control", "", "evaluation", "", ""]]

    assert refused("supply_links", rows) == [
        Problem(row=2, column="supplier", reason=f"No organisation with credit code {CODE_B} is registered.")
    ]
    assert SupplyLink.objects.count() == 0


def test_shares_above_100_percent_per_buyer_and_category_are_refused(
    company: Organisation, other_company: Organisation
) -> None:
    third = OrganisationFactory(name_en="Gamma Power")
    SupplyLinkFactory(supplier=third, buyer=other_company, category_id="control", share=50)
    rows = [
        LINK_HEADER,
        [company.credit_code, other_company.credit_code, "control", "", "", "30", ""],
        [company.credit_code, other_company.credit_code, "power", "", "", "90", ""],
        [third.credit_code, company.credit_code, "control", "", "", "100", ""],
        [company.credit_code, third.credit_code, "control", "", "", "", ""],
    ]
    rows[1][LINK_HEADER.index("share")] = "60"

    problems = refused("supply_links", rows)

    assert problems == [
        Problem(
            row=2,
            column="share",
            reason="The shares of Beta Microelectronics in control would add up to 110.00 %; they cannot exceed 100 %.",
        )
    ]
    assert SupplyLink.objects.count() == 1


def test_a_link_in_the_file_replaces_its_registered_share(company: Organisation, other_company: Organisation) -> None:
    SupplyLinkFactory(supplier=company, buyer=other_company, category_id="control", share=80)
    rows = [LINK_HEADER, [company.credit_code, other_company.credit_code, "control", "", "mass_production", "95", ""]]

    result = run_import("supply_links", rows)

    assert (result["created"], result["updated"]) == (0, 1)
    assert SupplyLink.objects.get().share == Decimal("95.00")


def test_a_date_in_the_wrong_format_is_refused(company: Organisation, other_company: Organisation) -> None:
    rows = [LINK_HEADER, [company.credit_code, other_company.credit_code, "control", "", "", "", "31.01.2024"]]

    assert refused("supply_links", rows) == [
        Problem(row=2, column="since", reason="31.01.2024 is not a date in the form YYYY-MM-DD.")
    ]
    assert SupplyLink.objects.count() == 0


def test_a_link_to_oneself_is_refused(company: Organisation) -> None:
    rows = [LINK_HEADER, [company.credit_code, company.credit_code, "control", "", "", "", ""]]

    assert refused("supply_links", rows) == [
        Problem(row=2, column="buyer", reason="An organisation cannot supply itself.")
    ]


def test_qualifications_of_products_and_plants_are_imported(company: Organisation) -> None:
    ProductFactory(organisation=company, part_number="AC100")
    rows = [
        QUALIFICATION_HEADER,
        [company.credit_code, "AC100", "AEC-Q100", "Grade 1", "TÜV", "Q100-1", "2024-01-01", "2027-01-01"],
        [company.credit_code, "", "IATF 16949", "", "IATF", "IATF-7", "2023-02-01", ""],
    ]

    result = run_import("qualifications", rows)
    again = run_import("qualifications", rows)

    assert (result["created"], again["unchanged"]) == (2, 2)
    q100 = Qualification.objects.get(certificate_number="Q100-1")
    assert (q100.product.part_number, q100.level, q100.issued_on) == ("AC100", "1", datetime.date(2024, 1, 1))  # type: ignore[union-attr]
    plant = Qualification.objects.get(certificate_number="IATF-7")
    assert (plant.organisation, plant.product, plant.expires_on) == (company, None, None)


def test_qualification_problems_use_the_services_rules(company: Organisation) -> None:
    QualificationFactory(standard="AEC-Q100", issuer="TÜV", certificate_number="TAKEN", product__organisation=company)
    rows = [
        QUALIFICATION_HEADER,
        [company.credit_code, "NOPE", "AEC-Q100", "1", "TÜV", "Q-1", "2024-01-01", ""],
        [company.credit_code, "", "AEC-Q100", "7", "TÜV", "Q-2", "2024-13-01", ""],
        [company.credit_code, "", "IATF 16949", "", "X", "Q-3", "2024-01-01", "2023-01-01"],
        [company.credit_code, "", "IATF 16949", "", "X", "Q-3", "2024-01-01", ""],
    ]

    problems = refused("qualifications", rows)

    assert problems == [
        Problem(row=2, column="part_number", reason="Alpha Semiconductor has no product with part number NOPE."),
        Problem(row=3, column="issued_on", reason="2024-13-01 is not a date in the form YYYY-MM-DD."),
        Problem(row=3, column="level", reason="AEC-Q100 takes one of: 0, 1, 2, 3."),
        Problem(row=3, column="standard", reason="AEC-Q100 qualifies a product, not a plant."),
        Problem(row=4, column="expires_on", reason="The expiry date is before the issue date."),
    ]
    assert Qualification.objects.count() == 1


def test_a_gbk_encoded_file_is_accepted() -> None:
    data = csv_bytes(two_organisations(), encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    result = run_import("organisations", data)

    assert result["created"] == 2
    assert Organisation.objects.get(credit_code=CODE_A).name_zh == "地平线机器人"


def test_a_utf8_file_with_bom_and_semicolons_is_accepted() -> None:
    text = "\ufeffname_en;country;roles\r\nInfineon Technologies;DE;idm\r\n"

    result = run_import("organisations", text.encode("utf-8"))

    assert result["created"] == 1


def test_an_xlsx_file_is_imported() -> None:
    rows = two_organisations()
    rows[1][ORG_HEADER.index("founded_year")] = 2015  # a number cell, as Excel stores it

    result = run_import("organisations", xlsx_bytes(rows))

    assert result["created"] == 2
    assert Organisation.objects.get(credit_code=CODE_A).founded_year == 2015


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.4\n\x00\x01\x02binary", NOT_CSV),
        ("name_en,country\nÄrger GmbH,DE\n".encode("utf-16"), NOT_CSV),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 50, OLD_XLS),
        (b"PK\x03\x04 not really a zip", "The file looks like an Excel file but cannot be read as .xlsx."),
        (b"", "The file is empty."),
    ],
)  # fmt: skip
def test_a_file_that_is_not_csv_or_xlsx_gives_one_clear_error(data: bytes, reason: str) -> None:
    assert refused("organisations", data) == [Problem(reason=reason)]
    assert Organisation.objects.count() == 0


def test_a_header_without_rows_is_refused() -> None:
    assert refused("organisations", [ORG_HEADER]) == [
        Problem(reason="The file has no rows to import below its header.")
    ]


def test_problems_are_capped_with_a_count_of_the_rest() -> None:
    rows = [["name_en", "country"]] + [[f"Company {n}", "XX"] for n in range(MAX_PROBLEMS + 50)]

    with pytest.raises(Exception) as caught:
        run_import("organisations", rows)

    problems = caught.value.problems  # type: ignore[attr-defined]
    assert len(problems) == MAX_PROBLEMS + 1
    assert problems[0] == Problem(
        row=2, column="country", reason="XX is not an ISO 3166 country code such as CN, DE or US."
    )
    assert problems[-1] == Problem(reason="… and 50 more not listed.")
    assert caught.value.message == "250 problems found in organisations.csv; nothing was imported."  # type: ignore[attr-defined]


def test_a_dry_run_checks_but_writes_nothing() -> None:
    result = run_import("organisations", two_organisations(), dry_run=True)

    assert (result["created"], result["dry_run"]) == (2, True)
    assert Organisation.objects.count() == 0
    assert not AuditEntry.objects.exists()


def test_a_new_organisation_that_looks_like_a_registered_one_gets_a_warning() -> None:
    OrganisationFactory(name_en="Horizon Robotics Inc.", name_zh="北京地平线机器人技术研发有限公司", credit_code=CODE_B)
    rows = [["name_en", "name_zh", "credit_code"], ["Horizon Robotics", "地平线机器人", CODE_A]]

    result = run_import("organisations", rows)

    assert result["created"] == 1
    assert result["warning_count"] == 1
    assert result["warnings"] == [
        {
            "row": 2,
            "column": "name_en",
            "reason": f"Looks like Horizon Robotics Inc., already registered ({CODE_B}, 100 % similar): "
            "is it the same organisation?",
        }
    ]


def test_similarity_keys_ignore_legal_forms_and_places() -> None:
    assert similarity_key("Horizon Robotics Inc.") == similarity_key("Horizon Robotics") == "horizon robotics"
    assert similarity_key("Horizon Robotics Co., Ltd.") == "horizon robotics"
    assert similarity_key("北京地平线机器人科技有限公司") == similarity_key("地平线机器人") == "地平线机器人"
    assert similarity_key("芯驰科技(上海)有限公司") == "芯驰"


def test_similar_organisations_finds_near_names_only() -> None:
    existing = [(1, "Horizon Robotics Inc."), (2, "Black Sesame Technologies"), (3, "NXP Semiconductors N.V.")]
    new = [(10, "Horizon Robotic"), (11, "Black Sesame"), (12, "Blue Sesame Foods"), (13, "Infineon")]

    found = similar_organisations(new, existing)

    assert {row: pk for row, (pk, _score) in found.items()} == {10: 1, 11: 2}


def test_an_operator_check_is_made_even_when_the_service_is_called_directly(stranger: Any) -> None:
    from chiptown.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        registry_import(kind="organisations", data=csv_bytes(two_organisations()), filename="x.csv", by=stranger)
    assert Organisation.objects.count() == 0


def test_organisations_keep_their_roles_table_consistent() -> None:
    run_import("organisations", two_organisations())
    assert OrganisationRole.objects.count() == 3


@pytest.mark.parametrize("document", ["docs/import-columns.md", "README.md"])
def test_the_documentation_lists_every_column_with_its_chinese_headers(document: str) -> None:
    from pathlib import Path

    from chiptown.registry.importers import COLUMNS, KINDS

    text = (Path(__file__).resolve().parents[2] / document).read_text(encoding="utf-8")
    for kind in KINDS:
        for column in COLUMNS[kind]:
            assert f"| `{column.name}` | {' / '.join(column.aliases)} |" in text, (kind, column.name)


def test_a_row_with_more_cells_than_columns_is_refused_but_trailing_empty_cells_are_not() -> None:
    rows = [["name_en", "country"], ["Infineon Technologies", "DE", "", ""], ["NXP", "NL", "surprise"]]

    assert refused("organisations", rows) == [
        Problem(row=3, reason="This row has more cells than the header has columns.")
    ]
    assert run_import("organisations", rows[:2])["created"] == 1


def test_a_product_in_another_category_than_the_link_is_refused(
    company: Organisation, other_company: Organisation
) -> None:
    ProductFactory(organisation=company, part_number="AC100", category_id="control")
    rows = [LINK_HEADER, [company.credit_code, other_company.credit_code, "power", "AC100", "", "", ""]]

    assert refused("supply_links", rows) == [
        Problem(row=2, column="category", reason="The product is in another chip category.")
    ]


def test_text_longer_than_its_column_is_refused(company: Organisation) -> None:
    rows = [PRODUCT_HEADER, [company.credit_code, "control", "P" * 65, "", "", "", ""]]

    assert refused("products", rows) == [Problem(row=2, column="part_number", reason="At most 64 characters (got 65).")]
