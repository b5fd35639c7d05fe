"""Registry edit pages: each form calls its service; problems show next to their fields (never a 500); a
representative edits only their own organisation and gets 403 elsewhere with nothing changed."""

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from chiptown.core.models import AuditEntry
from chiptown.registry.models import Organisation, OrganisationRole, Person, Product, Qualification, SupplyLink
from tests.competitions.factories import EntryFactory
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    ProductFactory,
    QualificationFactory,
    SupplyLinkFactory,
    category,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n% test certificate\n"


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()


def organisation_post(organisation: Organisation, **changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name_zh": organisation.name_zh,
        "name_en": organisation.name_en,
        "credit_code": organisation.credit_code or "",
        "country": organisation.country,
        "province": organisation.province,
        "city": organisation.city,
        "address": organisation.address,
        "size_band": organisation.size_band,
        "founded_year": organisation.founded_year or "",
        "website": organisation.website,
        "description": organisation.description,
        "roles": [r.role for r in organisation.roles.all()],
    }
    if organisation.in_park:
        data["in_park"] = "on"
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def field_errors(response: Any, field: str) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- Organisation -----------------------------------------------------------------------------------------------


def test_representative_edits_own_organisation_with_roles(rep_client: Client, company: Organisation) -> None:
    url = reverse("registry:organisation_edit", args=[company.pk])
    assert rep_client.get(url).status_code == 200

    response = rep_client.post(url, organisation_post(company, city="苏州", roles=["fabless", "idm"]))

    assert response.status_code == 302
    company.refresh_from_db()
    assert company.city == "苏州"
    assert sorted(company.roles.values_list("role", flat=True)) == ["fabless", "idm"]
    entry = AuditEntry.objects.get(action="organisation.update")
    assert entry.before == {"city": "北京", "roles": []} and entry.after == {
        "city": "苏州",
        "roles": ["fabless", "idm"],
    }


def test_representative_cannot_edit_another_organisation(
    rep_client: Client, other_company: Organisation, company: Organisation
) -> None:
    url = reverse("registry:organisation_edit", args=[other_company.pk])
    before = Organisation.objects.values().get(pk=other_company.pk)

    assert rep_client.get(url).status_code == 403
    response = rep_client.post(url, organisation_post(other_company, name_en="Hijacked"))

    assert response.status_code == 403
    assert Organisation.objects.values().get(pk=other_company.pk) == before
    assert not AuditEntry.objects.exists()


def test_anonymous_and_strangers_cannot_edit(client: Client, stranger_client: Client, company: Organisation) -> None:
    url = reverse("registry:organisation_edit", args=[company.pk])

    anonymous = client.post(url, organisation_post(company, name_en="Nope"))
    stranger = stranger_client.post(url, organisation_post(company, name_en="Nope"))

    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert stranger.status_code == 403
    company.refresh_from_db()
    assert company.name_en == "Alpha Semiconductor"
    assert not AuditEntry.objects.exists()


def test_bad_credit_code_is_shown_next_to_its_field(rep_client: Client, company: Organisation) -> None:
    good = str(company.credit_code)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")

    response = rep_client.post(
        reverse("registry:organisation_edit", args=[company.pk]), organisation_post(company, credit_code=bad)
    )

    assert response.status_code == 400
    assert field_errors(response, "credit_code") == [f"The check character of credit code {bad} is wrong."]
    company.refresh_from_db()
    assert company.credit_code == good
    assert not AuditEntry.objects.exists()


def test_form_level_parse_errors_are_400_not_500(rep_client: Client, company: Organisation) -> None:
    response = rep_client.post(
        reverse("registry:organisation_edit", args=[company.pk]),
        organisation_post(company, founded_year="nineteen", roles=["astrologer"]),
    )

    assert response.status_code == 400
    assert field_errors(response, "founded_year") and field_errors(response, "roles")


def test_logo_upload_is_checked_by_content(rep_client: Client, company: Organisation) -> None:
    url = reverse("registry:organisation_edit", args=[company.pk])

    fake = rep_client.post(url, {**organisation_post(company), "logo": SimpleUploadedFile("x.png", b"GIF89a....")})
    real = rep_client.post(url, {**organisation_post(company), "logo": SimpleUploadedFile("logo.png", PNG)})

    assert fake.status_code == 400
    assert field_errors(fake, "logo") == ["A logo must be a PNG, JPEG or WebP image."]
    assert real.status_code == 302
    company.refresh_from_db()
    assert company.logo.name.startswith("logos/")
    assert AuditEntry.objects.filter(action="organisation.set_logo").count() == 1


def test_operator_creates_an_organisation_and_representative_cannot(
    operator_client: Client, rep_client: Client
) -> None:
    url = reverse("registry:organisation_create")
    data = {"name_en": "Gamma Power", "name_zh": "伽马功率", "country": "DE", "roles": ["idm"], "website": "gamma.de"}

    assert rep_client.get(url).status_code == 403
    assert rep_client.post(url, data).status_code == 403
    assert not Organisation.objects.filter(name_en="Gamma Power").exists()
    response = operator_client.post(url, data)

    created = Organisation.objects.get(name_en="Gamma Power")
    assert response.status_code == 302 and response["Location"] == created.get_absolute_url()
    assert created.country == "DE" and created.website == "https://gamma.de"
    assert list(created.roles.values_list("role", flat=True)) == ["idm"]
    assert AuditEntry.objects.filter(action="organisation.create", object_id=str(created.pk)).exists()


def test_create_refuses_a_credit_code_for_a_foreign_organisation(operator_client: Client) -> None:
    response = operator_client.post(
        reverse("registry:organisation_create"),
        {"name_en": "Delta", "country": "US", "credit_code": "91110302000000001X"},
    )

    assert response.status_code == 400
    assert field_errors(response, "credit_code")
    assert not Organisation.objects.filter(name_en="Delta").exists()


def test_operator_deletes_an_organisation_representative_cannot(
    operator_client: Client, rep_client: Client, company: Organisation
) -> None:
    url = reverse("registry:organisation_delete", args=[company.pk])

    assert rep_client.post(url).status_code == 403
    assert Organisation.objects.filter(pk=company.pk).exists()
    assert operator_client.post(url).status_code == 302
    assert not Organisation.objects.filter(pk=company.pk).exists()


# --- Products ---------------------------------------------------------------------------------------------------


def product_post(**changes: Any) -> dict[str, Any]:
    return {
        "category": "control",
        "part_number": "AS-MCU-1",
        "name_en": "Body MCU",
        "name_zh": "车身MCU",
        "process_node": "40nm",
        "lifecycle": "mass_production",
        **changes,
    }


def test_representative_adds_edits_and_deletes_own_product(rep_client: Client, company: Organisation) -> None:
    created = rep_client.post(reverse("registry:product_create", args=[company.pk]), product_post())
    product = Product.objects.get(organisation=company)
    edited = rep_client.post(reverse("registry:product_edit", args=[product.pk]), product_post(lifecycle="nrnd"))
    duplicate = rep_client.post(reverse("registry:product_create", args=[company.pk]), product_post())
    deleted = rep_client.post(reverse("registry:product_delete", args=[product.pk]))

    assert created.status_code == edited.status_code == deleted.status_code == 302
    assert duplicate.status_code == 400
    assert field_errors(duplicate, "part_number") == ["This maker already has a product with this part number."]
    assert not Product.objects.filter(pk=product.pk).exists()
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "product.create",
        "product.update",
        "product.delete",
    ]


def test_representative_cannot_touch_another_companys_products(rep_client: Client, other_company: Organisation) -> None:
    product = ProductFactory(organisation=other_company, part_number="OTHER-1")
    before = Product.objects.values().get(pk=product.pk)

    assert (
        rep_client.post(reverse("registry:product_create", args=[other_company.pk]), product_post()).status_code == 403
    )
    assert rep_client.post(reverse("registry:product_edit", args=[product.pk]), product_post()).status_code == 403
    assert rep_client.post(reverse("registry:product_delete", args=[product.pk])).status_code == 403

    assert list(Product.objects.values()) == [before]
    assert not AuditEntry.objects.exists()


def test_unknown_product_is_404(rep_client: Client) -> None:
    assert rep_client.get(reverse("registry:product_edit", args=[999999])).status_code == 404


# --- Qualifications ---------------------------------------------------------------------------------------------


def qualification_post(holder: str, **changes: Any) -> dict[str, Any]:
    return {
        "holder": holder,
        "standard": "AEC-Q100",
        "level": "1",
        "issuer": "CNAS Lab",
        "certificate_number": "Q100-001",
        "issued_on": "2024-03-01",
        "expires_on": "2027-03-01",
        **changes,
    }


def test_qualification_with_certificate_pdf(rep_client: Client, client: Client, company: Organisation) -> None:
    product = ProductFactory(organisation=company)
    url = reverse("registry:qualification_create", args=[company.pk])
    assert rep_client.get(url, {"product": product.pk}).status_code == 200

    response = rep_client.post(
        url, {**qualification_post(str(product.pk)), "certificate_pdf": SimpleUploadedFile("c.pdf", PDF)}
    )

    assert response.status_code == 302
    qualification = Qualification.objects.get(product=product)
    assert (qualification.level, qualification.expires_on) == ("1", datetime.date(2027, 3, 1))
    served = client.get(reverse("registry:qualification_certificate", args=[qualification.pk]))
    assert b"".join(served.streaming_content) == PDF  # type: ignore[attr-defined]


def test_a_file_that_is_not_a_pdf_is_refused_by_content(rep_client: Client, company: Organisation) -> None:
    product = ProductFactory(organisation=company)

    response = rep_client.post(
        reverse("registry:qualification_create", args=[company.pk]),
        {
            **qualification_post(str(product.pk)),
            "certificate_pdf": SimpleUploadedFile("c.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
        },
    )

    assert response.status_code == 400
    assert field_errors(response, "certificate_pdf") == ["The file is not a PDF."]
    assert not Qualification.objects.exists()


def test_qualification_rules_show_on_their_fields(rep_client: Client, company: Organisation) -> None:
    product = ProductFactory(organisation=company)
    url = reverse("registry:qualification_create", args=[company.pk])

    wrong_level = rep_client.post(url, qualification_post(str(product.pk), standard="AEC-Q101", level="1"))
    plant_on_product = rep_client.post(url, qualification_post(str(product.pk), standard="IATF 16949", level=""))
    backwards = rep_client.post(url, qualification_post(str(product.pk), expires_on="2020-01-01"))
    plant = rep_client.post(url, qualification_post("organisation", standard="IATF 16949", level=""))

    assert field_errors(wrong_level, "level") == ["AEC-Q101 has no grade or level."]
    assert field_errors(plant_on_product, "standard") == ["IATF 16949 qualifies a plant, not a product."]
    assert field_errors(backwards, "expires_on") == ["The expiry date is before the issue date."]
    assert plant.status_code == 302
    assert Qualification.objects.get().organisation == company


def test_representative_edits_own_qualification_not_anothers(
    rep_client: Client, company: Organisation, other_company: Organisation
) -> None:
    own = QualificationFactory(product=ProductFactory(organisation=company))
    theirs = QualificationFactory(product=ProductFactory(organisation=other_company))
    before = Qualification.objects.values().get(pk=theirs.pk)

    ok = rep_client.post(reverse("registry:qualification_edit", args=[own.pk]), qualification_post("", level="2"))
    refused = rep_client.post(reverse("registry:qualification_edit", args=[theirs.pk]), qualification_post(""))
    refused_delete = rep_client.post(reverse("registry:qualification_delete", args=[theirs.pk]))
    refused_create = rep_client.post(
        reverse("registry:qualification_create", args=[other_company.pk]), qualification_post("organisation")
    )

    assert ok.status_code == 302
    own.refresh_from_db()
    assert own.level == "2"
    assert refused.status_code == refused_delete.status_code == refused_create.status_code == 403
    assert Qualification.objects.values().get(pk=theirs.pk) == before
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["qualification.update"]


# --- Supply links -----------------------------------------------------------------------------------------------


def link_post(supplier: Organisation, **changes: Any) -> dict[str, Any]:
    return {
        "supplier": f"{supplier.display_name} #{supplier.pk}",
        "category": "control",
        "part_number": "",
        "status": "design_win",
        "share": "30",
        "since": "2024-06-01",
        **changes,
    }


def test_representative_adds_a_supplier_as_buyer(rep_client: Client, company: Organisation) -> None:
    supplier = OrganisationFactory(name_en="Chip Supplier")
    part = ProductFactory(organisation=supplier, part_number="CS-100", category=category("power"))

    response = rep_client.post(
        reverse("registry:supply_link_create", args=[company.pk]),
        link_post(supplier, category="", part_number="CS-100"),
    )

    assert response.status_code == 302
    link = SupplyLink.objects.get()
    assert (link.supplier, link.buyer, link.product, link.category_id) == (supplier, company, part, "power")
    assert link.share == Decimal("30.00") and link.status == "design_win"
    assert AuditEntry.objects.filter(action="supply_link.create").count() == 1


def test_shares_above_100_percent_are_refused_on_the_share_field(rep_client: Client, company: Organisation) -> None:
    SupplyLinkFactory(buyer=company, category=category("control"), share=80)
    supplier = OrganisationFactory(name_en="Second Source")

    response = rep_client.post(
        reverse("registry:supply_link_create", args=[company.pk]), link_post(supplier, share="30")
    )

    assert response.status_code == 400
    assert field_errors(response, "share") == [
        "The buyer's shares in this category would reach 110.00 %; they cannot exceed 100 %."
    ]
    assert SupplyLink.objects.count() == 1


def test_supplier_must_be_found_and_part_number_must_be_theirs(rep_client: Client, company: Organisation) -> None:
    supplier = OrganisationFactory(name_en="Chip Supplier")
    url = reverse("registry:supply_link_create", args=[company.pk])

    unknown = rep_client.post(url, {**link_post(supplier), "supplier": "Nobody Ltd"})
    wrong_part = rep_client.post(url, link_post(supplier, part_number="NOPE"))
    itself = rep_client.post(url, link_post(company))

    assert field_errors(unknown, "supplier")
    assert field_errors(wrong_part, "part_number") == ["The supplier has no product with this part number."]
    assert itself.status_code == 400 and itself.context["form"].errors
    assert not SupplyLink.objects.exists()


def test_representative_cannot_add_or_change_links_of_another_buyer(
    rep_client: Client, company: Organisation, other_company: Organisation
) -> None:
    theirs = SupplyLinkFactory(supplier=company, buyer=other_company, share=40)  # we supply them: they vouch for it
    before = SupplyLink.objects.values().get(pk=theirs.pk)

    add = rep_client.post(reverse("registry:supply_link_create", args=[other_company.pk]), link_post(company))
    edit = rep_client.post(reverse("registry:supply_link_edit", args=[theirs.pk]), link_post(company, share="99"))
    delete = rep_client.post(reverse("registry:supply_link_delete", args=[theirs.pk]))

    assert add.status_code == edit.status_code == delete.status_code == 403
    assert list(SupplyLink.objects.values()) == [before]
    assert not AuditEntry.objects.exists()


def test_buyer_edits_and_deletes_own_supply_link(rep_client: Client, company: Organisation) -> None:
    link = SupplyLinkFactory(buyer=company, share=40)
    url = reverse("registry:supply_link_edit", args=[link.pk])
    assert rep_client.get(url).status_code == 200

    edited = rep_client.post(url, link_post(link.supplier, share="55", status="mass_production"))
    link.refresh_from_db()
    deleted = rep_client.post(reverse("registry:supply_link_delete", args=[link.pk]))

    assert edited.status_code == 302 and link.share == Decimal("55.00") and link.status == "mass_production"
    assert deleted.status_code == 302 and not SupplyLink.objects.exists()


def test_supplier_suggestions_match_either_language(client: Client) -> None:
    OrganisationFactory(name_en="Horizon Robotics", name_zh="地平线机器人")

    english = client.get(reverse("registry:organisation_suggest"), {"supplier": "horiz"}).content.decode()
    chinese = client.get(reverse("registry:organisation_suggest"), {"supplier": "地平线"}).content.decode()

    assert "Horizon Robotics #" in english and "地平线机器人" in english
    assert "地平线机器人" in chinese


# --- People -----------------------------------------------------------------------------------------------------


def test_representative_adds_a_person_to_own_organisation_only(
    rep_client: Client, company: Organisation, other_company: Organisation
) -> None:
    ok = rep_client.post(
        reverse("registry:person_create", args=[company.pk]), {"name_en": "Li Wei", "title": "CTO", "email": ""}
    )
    empty = rep_client.post(reverse("registry:person_create", args=[company.pk]), {"name_en": "", "name_zh": ""})
    refused = rep_client.post(reverse("registry:person_create", args=[other_company.pk]), {"name_en": "Mole"})

    assert ok.status_code == 302
    assert empty.status_code == 400 and field_errors(empty, "name_en") == ["Give a name in Chinese or English."]
    assert refused.status_code == 403
    assert list(Person.objects.values_list("name_en", "organisation")) == [("Li Wei", company.pk)]


def person_post(**changes: Any) -> dict[str, Any]:
    return {"name_zh": "李伟", "name_en": "Li Wei", "title": "CTO", "email": "li.wei@alpha.cn", **changes}


def test_operator_edits_and_deletes_a_person(operator_client: Client, company: Organisation) -> None:
    person = PersonFactory(organisation=company, name_zh="李伟", name_en="Li Wei", title="CTO", email="")
    edit = reverse("registry:person_edit", args=[person.pk])
    form = operator_client.get(edit)
    assert form.status_code == 200 and form.context["form"].initial["name_en"] == "Li Wei"

    edited = operator_client.post(edit, person_post(title="CEO"))
    person.refresh_from_db()
    confirm = operator_client.get(reverse("registry:person_delete", args=[person.pk]))
    deleted = operator_client.post(reverse("registry:person_delete", args=[person.pk]))

    assert edited.status_code == 302 and edited["Location"] == company.get_absolute_url()
    assert (person.title, person.email) == ("CEO", "li.wei@alpha.cn")
    assert confirm.status_code == 200 and "Delete Li Wei?" in confirm.content.decode()
    assert deleted.status_code == 302 and deleted["Location"] == company.get_absolute_url()
    assert not Person.objects.exists()
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == [
        "person.update",
        "person.delete",
    ]


def test_representative_edits_a_person_of_own_organisation(rep_client: Client, company: Organisation) -> None:
    person = PersonFactory(organisation=company, name_en="Li Wei", title="CTO")

    response = rep_client.post(reverse("registry:person_edit", args=[person.pk]), person_post(title="VP Sales"))

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.title == "VP Sales"
    entry = AuditEntry.objects.get()
    assert entry.action == "person.update" and entry.before is not None and entry.before["title"] == "CTO"
    assert entry.after is not None and entry.after["title"] == "VP Sales"


def test_representative_cannot_edit_or_delete_another_companys_person(
    rep_client: Client, company: Organisation, other_company: Organisation
) -> None:
    theirs = PersonFactory(organisation=other_company, name_en="Wang Fang")
    before = Person.objects.values().get(pk=theirs.pk)
    edit = reverse("registry:person_edit", args=[theirs.pk])
    delete = reverse("registry:person_delete", args=[theirs.pk])

    assert rep_client.get(edit).status_code == rep_client.get(delete).status_code == 403
    assert rep_client.post(edit, person_post(name_en="Mole")).status_code == 403
    assert rep_client.post(delete).status_code == 403

    assert list(Person.objects.values()) == [before]
    assert not AuditEntry.objects.exists()


def test_invalid_person_input_is_shown_next_to_its_field(rep_client: Client, company: Organisation) -> None:
    person = PersonFactory(organisation=company, name_en="Li Wei", name_zh="李伟")
    before = Person.objects.values().get(pk=person.pk)
    url = reverse("registry:person_edit", args=[person.pk])

    nameless = rep_client.post(url, person_post(name_zh="", name_en=" "))
    bad_email = rep_client.post(url, person_post(email="li.wei@"))

    assert nameless.status_code == bad_email.status_code == 400
    assert field_errors(nameless, "name_en") == ["Give a name in Chinese or English."]
    assert field_errors(bad_email, "email")
    assert Person.objects.values().get(pk=person.pk) == before
    assert not AuditEntry.objects.exists()


def test_person_in_a_competition_entry_cannot_be_deleted(operator_client: Client, company: Organisation) -> None:
    person = PersonFactory(organisation=company, name_en="Li Wei", name_zh="")
    EntryFactory(organisation=None, person=person)
    before = Person.objects.values().get(pk=person.pk)

    response = operator_client.post(reverse("registry:person_delete", args=[person.pk]), follow=True)

    assert response.redirect_chain == [(company.get_absolute_url(), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        "Li Wei is named in a competition entry and cannot be removed; the entry must change first."
    ]
    assert list(Person.objects.values()) == [before]
    assert not AuditEntry.objects.exists()


def test_person_links_show_only_to_those_allowed(
    rep_client: Client, operator_client: Client, client: Client, company: Organisation, other_company: Organisation
) -> None:
    own = PersonFactory(organisation=company)
    theirs = PersonFactory(organisation=other_company)
    own_links = [reverse("registry:person_edit", args=[own.pk]), reverse("registry:person_delete", args=[own.pk])]
    their_links = [
        reverse("registry:person_edit", args=[theirs.pk]),
        reverse("registry:person_delete", args=[theirs.pk]),
    ]

    def page(who: Client, organisation: Organisation) -> str:
        return who.get(reverse("registry:organisation", args=[organisation.pk])).content.decode()

    assert all(link in page(rep_client, company) for link in own_links)
    assert all(link in page(operator_client, other_company) for link in their_links)
    assert not any(link in page(rep_client, other_company) for link in their_links)
    assert not any(link in page(client, company) for link in own_links)


def test_edit_pages_render_for_operator(operator_client: Client, company: Organisation) -> None:
    OrganisationRole.objects.create(organisation=company, role="fabless")
    product = ProductFactory(organisation=company)
    qualification = QualificationFactory(product=product)
    link = SupplyLinkFactory(buyer=company)
    person = PersonFactory(organisation=company)
    for url in [
        reverse("registry:organisation_create"),
        reverse("registry:organisation_edit", args=[company.pk]),
        reverse("registry:organisation_delete", args=[company.pk]),
        reverse("registry:product_create", args=[company.pk]),
        reverse("registry:product_edit", args=[product.pk]),
        reverse("registry:product_delete", args=[product.pk]),
        reverse("registry:qualification_create", args=[company.pk]),
        reverse("registry:qualification_edit", args=[qualification.pk]),
        reverse("registry:qualification_delete", args=[qualification.pk]),
        reverse("registry:supply_link_create", args=[company.pk]),
        reverse("registry:supply_link_edit", args=[link.pk]),
        reverse("registry:supply_link_delete", args=[link.pk]),
        reverse("registry:person_create", args=[company.pk]),
        reverse("registry:person_edit", args=[person.pk]),
        reverse("registry:person_delete", args=[person.pk]),
    ]:
        assert operator_client.get(url).status_code == 200, url
