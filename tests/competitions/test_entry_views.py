"""Application pages: apply and nominate, the draft form, documents, submit, withdraw, the nominee's and the
partners' answers, screening and "My applications". A representative opening another company's application gets
403 on every page and action and nothing changes; a late or second submission and a non-PDF file get a clear
4xx page and nothing changes. List pages cost a constant number of queries."""

import datetime
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from chiptown.accounts.models import User
from chiptown.competitions.models import (
    AwardKind,
    Category,
    Edition,
    Entry,
    EntryDocument,
    EntryStatus,
    PartnershipMember,
)
from chiptown.competitions.services import entries as services
from chiptown.registry.models import Organisation
from tests.competitions.entries_support import (
    PDF,
    answers_for,
    category_of,
    entry_state,
    nominee_with_account,
    open_edition,
    pdf_file,
    qualify,
    representative_of,
)
from tests.conftest import client_for
from tests.factories import OrganisationFactory, PersonFactory, SupplyLinkFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def edition(operator: User) -> Edition:
    return open_edition(operator)


@pytest.fixture
def top50(edition: Edition) -> Category:
    return category_of(edition, AwardKind.TOP50)


@pytest.fixture
def draft(top50: Category, company_rep: User, company: Organisation) -> Entry:
    qualify(company)
    return services.entry_create(by=company_rep, category=top50, answers=answers_for(top50))


@pytest.fixture
def intruder_client(other_company: Organisation) -> Client:
    return client_for(representative_of(other_company))


def answer_post(category: Category, **changes: Any) -> dict[str, Any]:
    data = {f"answer_{name}": value for name, value in answers_for(category).items()}
    data["title"] = ""
    data.update(changes)
    return data


# --- Applying --------------------------------------------------------------------------------------------------------


def test_representative_applies_for_top50_from_the_page(
    rep_client: Client, top50: Category, company: Organisation
) -> None:
    product = qualify(company).product
    url = reverse("competitions:apply", args=[top50.edition.year, "top50"])
    page = rep_client.get(url)
    assert page.status_code == 200
    assert "Alpha Semiconductor" in page.content.decode()
    assert [c[0] for c in page.context["form"].fields["product"].choices] == ["", str(product.pk)]

    response = rep_client.post(url, answer_post(top50, product=str(product.pk), answer_website="alpha.cn"))

    entry = Entry.objects.get()
    assert response.status_code == 302 and response["Location"] == entry.get_absolute_url()
    assert entry.status == EntryStatus.DRAFT and entry.organisation == company and entry.product == product
    assert entry.answers["website"] == "https://alpha.cn"


def test_bad_answer_goes_back_to_the_form_next_to_its_question(rep_client: Client, top50: Category) -> None:
    response = rep_client.post(
        reverse("competitions:apply", args=[top50.edition.year, "top50"]),
        answer_post(top50, answer_revenue_mcny="lots"),
    )

    assert response.status_code == 400
    assert response.context["form"].errors["answer_revenue_mcny"] == ["lots is not a number."]
    assert not Entry.objects.exists()


def test_attendee_cannot_apply_for_an_organisation_award(stranger_client: Client, top50: Category) -> None:
    url = reverse("competitions:apply", args=[top50.edition.year, "top50"])
    assert stranger_client.get(url).status_code == 403
    assert stranger_client.post(url, answer_post(top50)).status_code == 403
    assert not Entry.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client: Client, top50: Category) -> None:
    response = client.get(reverse("competitions:apply", args=[top50.edition.year, "top50"]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_someone_nominates_a_person_picked_from_the_registry(stranger_client: Client, edition: Edition) -> None:
    nominee = nominee_with_account(name_en="Chen Jing", name_zh="陈静")
    influence = category_of(edition, AwardKind.INFLUENCE_FIGURE)
    suggestions = stranger_client.get(reverse("competitions:person_suggest"), {"nominee-person": "Chen"})
    assert f'value="Chen Jing #{nominee.pk}"' in suggestions.content.decode()

    response = stranger_client.post(
        reverse("competitions:apply", args=[edition.year, "influence_figure"]),
        {**answer_post(influence), "nominee-person": f"Chen Jing #{nominee.pk}"},
    )

    entry = Entry.objects.get()
    assert response.status_code == 302 and entry.person == nominee and entry.organisation is None


def test_nominating_someone_without_an_account_is_refused_on_the_form(
    stranger_client: Client, edition: Edition
) -> None:
    person = PersonFactory(name_en="Zhou Min", user=None)

    response = stranger_client.post(
        reverse("competitions:apply", args=[edition.year, "influence_figure"]),
        {"title": "", "nominee-person": f"Zhou Min #{person.pk}"},
    )

    assert response.status_code == 400
    assert response.context["nomination"].errors["person"][0].startswith("Zhou Min has no ChipTown account")
    assert not Entry.objects.exists()


def test_best_partner_applies_naming_partners_and_the_page_shows_their_supply_links(
    rep_client: Client, edition: Edition, company: Organisation, other_company: Organisation
) -> None:
    SupplyLinkFactory(supplier=company, buyer=other_company)
    SupplyLinkFactory(supplier=other_company, buyer=company)
    SupplyLinkFactory(supplier=company, buyer=OrganisationFactory())  # not between the partners
    best_partner = category_of(edition, AwardKind.BEST_PARTNER)

    response = rep_client.post(
        reverse("competitions:apply", args=[edition.year, "best_partner"]),
        answer_post(best_partner, partners=f"Beta Microelectronics #{other_company.pk}\n"),
    )

    entry = Entry.objects.get()
    assert response.status_code == 302
    assert [m.organisation for m in entry.partners.order_by("pk")] == [company, other_company]
    page = rep_client.get(entry.get_absolute_url())
    links = page.context["supply_links"]
    assert {(link.supplier, link.buyer) for link in links} == {(company, other_company), (other_company, company)}


# --- The application page: who may see and change it ----------------------------------------------------------------


def test_owner_and_operator_see_the_application(rep_client: Client, operator_client: Client, draft: Entry) -> None:
    url = draft.get_absolute_url()
    assert rep_client.get(url).status_code == 200
    operator_page = operator_client.get(url)
    assert operator_page.status_code == 200
    assert operator_page.context["can_screen"] is False  # a draft is not screened


def test_representative_of_another_company_gets_403_everywhere_and_nothing_changes(
    intruder_client: Client, draft: Entry, company_rep: User
) -> None:
    document = services.entry_attach(entry=draft, by=company_rep, upload=pdf_file())
    before = entry_state(draft)
    pk = draft.pk

    requests = [
        ("get", reverse("competitions:entry", args=[pk]), {}),
        ("get", reverse("competitions:entry_edit", args=[pk]), {}),
        ("post", reverse("competitions:entry_edit", args=[pk]), {"title": "Hijacked"}),
        ("post", reverse("competitions:entry_submit", args=[pk]), {}),
        ("post", reverse("competitions:entry_withdraw", args=[pk]), {}),
        ("post", reverse("competitions:entry_document_upload", args=[pk]), {"file": pdf_file()}),
        ("get", reverse("competitions:entry_document", args=[document.pk]), {}),
        ("post", reverse("competitions:entry_document_delete", args=[document.pk]), {}),
        ("post", reverse("competitions:entry_screen", args=[pk]), {"decision": "eligible"}),
        ("post", reverse("competitions:nomination_respond", args=[pk]), {"answer": "confirm"}),
        ("post", reverse("competitions:partnership_respond", args=[pk]), {"answer": "confirm"}),
    ]
    for method, url, data in requests:
        response = getattr(intruder_client, method)(url, data)
        assert response.status_code == 403, url
        assert "Alpha Semiconductor" not in response.content.decode()

    assert entry_state(draft) == before
    assert not mail.outbox


def test_missing_application_is_404(rep_client: Client) -> None:
    assert rep_client.get(reverse("competitions:entry", args=[999999])).status_code == 404
    assert rep_client.get(reverse("competitions:entry_document", args=[999999])).status_code == 404


def test_owner_edits_the_draft(rep_client: Client, draft: Entry) -> None:
    url = reverse("competitions:entry_edit", args=[draft.pk])
    form = rep_client.get(url).context["form"]
    assert form["answer_products"].value() == "我们的车规芯片。"

    response = rep_client.post(url, answer_post(draft.category, title="Alpha MCU family", answer_products="更新"))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Alpha MCU family" and draft.answers["products"] == "更新"


# --- Documents ----------------------------------------------------------------------------------------------------


def test_pdf_is_attached_and_downloaded_by_the_owner(rep_client: Client, draft: Entry) -> None:
    response = rep_client.post(
        reverse("competitions:entry_document_upload", args=[draft.pk]), {"file": pdf_file("技术白皮书.pdf")}
    )
    assert response.status_code == 302
    document = EntryDocument.objects.get()

    download = rep_client.get(reverse("competitions:entry_document", args=[document.pk]))

    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == PDF  # type: ignore[arg-type]


def test_a_file_that_is_not_a_pdf_gets_a_clear_refusal_and_nothing_changes(rep_client: Client, draft: Entry) -> None:
    before = entry_state(draft)

    response = rep_client.post(
        reverse("competitions:entry_document_upload", args=[draft.pk]),
        {"file": pdf_file("invoice.pdf", b"MZ\x90\x00 a windows executable")},
    )

    assert response.status_code == 400
    assert response.context["document_form"].errors["file"] == ["The file is not a PDF."]
    assert "The file is not a PDF." in response.content.decode()
    assert entry_state(draft) == before


# --- Submit and withdraw -------------------------------------------------------------------------------------------


def test_owner_submits_and_gets_a_receipt(
    rep_client: Client, draft: Entry, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = rep_client.post(reverse("competitions:entry_submit", args=[draft.pk]))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == EntryStatus.SUBMITTED
    assert [m.subject for m in mail.outbox] == ["[ChipTown] Application received"]


def _close_applications(edition: Edition) -> None:
    now = timezone.now()
    Edition.objects.filter(pk=edition.pk).update(
        applications_open_at=now - datetime.timedelta(days=20),
        applications_close_at=now - datetime.timedelta(minutes=1),
    )


def test_late_submission_gets_a_clear_refusal_and_nothing_changes(rep_client: Client, draft: Entry) -> None:
    _close_applications(draft.category.edition)
    before = entry_state(draft)

    response = rep_client.post(reverse("competitions:entry_submit", args=[draft.pk]))

    assert response.status_code == 409
    assert "The deadline was " in response.content.decode()
    assert entry_state(draft) == before and not mail.outbox


def test_second_submission_gets_a_clear_refusal_and_nothing_changes(rep_client: Client, draft: Entry) -> None:
    rep_client.post(reverse("competitions:entry_submit", args=[draft.pk]))
    before = entry_state(draft)

    response = rep_client.post(reverse("competitions:entry_submit", args=[draft.pk]))

    assert response.status_code == 409
    assert "already submitted" in response.content.decode()
    assert entry_state(draft) == before


def test_missing_answers_are_listed_on_the_page(rep_client: Client, top50: Category, company_rep: User) -> None:
    qualify(company_rep.organisation)  # type: ignore[arg-type]
    entry = services.entry_create(by=company_rep, category=top50)

    page = rep_client.get(entry.get_absolute_url())
    assert page.context["missing_answers"] == [
        "Automotive products and where they are used",
        "Technology and innovation",
    ]

    response = rep_client.post(reverse("competitions:entry_submit", args=[entry.pk]))

    assert response.status_code == 400
    assert response.content.decode().count("This answer is required.") == 2
    assert "Technology and innovation: This answer is required." in response.content.decode()
    assert Entry.objects.get(pk=entry.pk).status == EntryStatus.DRAFT


def test_owner_withdraws(rep_client: Client, draft: Entry) -> None:
    response = rep_client.post(reverse("competitions:entry_withdraw", args=[draft.pk]))
    assert response.status_code == 302
    assert Entry.objects.get(pk=draft.pk).status == EntryStatus.WITHDRAWN


# --- Nominee and partners answer -----------------------------------------------------------------------------------


def test_nominee_confirms_from_the_application_page(edition: Edition, stranger: User) -> None:
    influence = category_of(edition, AwardKind.INFLUENCE_FIGURE)
    nominee = nominee_with_account()
    entry = services.entry_create(by=stranger, category=influence, person=nominee, answers=answers_for(influence))
    services.entry_submit(entry=entry, by=stranger)
    nominee_client = client_for(nominee.user)

    page = nominee_client.get(entry.get_absolute_url())
    assert page.status_code == 200 and page.context["nominee_may_answer"] is True
    assert reverse("competitions:entry_edit", args=[entry.pk]) not in page.content.decode()  # sees, cannot edit
    mine = nominee_client.get(reverse("competitions:my_entries"))
    assert mine.context["mine"].awaiting_answer == [entry]

    response = nominee_client.post(reverse("competitions:nomination_respond", args=[entry.pk]), {"answer": "confirm"})

    assert response.status_code == 302
    assert Entry.objects.get(pk=entry.pk).nominee_confirmed_at is not None
    assert nominee_client.post(reverse("competitions:entry_edit", args=[entry.pk]), {}).status_code == 403


def test_partner_confirms_from_the_application_page(
    edition: Edition, company_rep: User, other_company: Organisation
) -> None:
    best_partner = category_of(edition, AwardKind.BEST_PARTNER)
    entry = services.entry_create(
        by=company_rep, category=best_partner, partners=[other_company], answers=answers_for(best_partner)
    )
    partner_client = client_for(representative_of(other_company))
    assert partner_client.get(entry.get_absolute_url()).status_code == 403  # a draft stays the applicant's
    entry = services.entry_submit(entry=entry, by=company_rep)

    page = partner_client.get(entry.get_absolute_url())
    assert page.status_code == 200 and page.context["partner_may_answer"] is True

    response = partner_client.post(reverse("competitions:partnership_respond", args=[entry.pk]), {"answer": "confirm"})

    assert response.status_code == 302
    assert all(m.confirmed_at for m in PartnershipMember.objects.filter(entry=entry))


# --- Screening -------------------------------------------------------------------------------------------------------


@pytest.fixture
def submitted(draft: Entry, company_rep: User) -> Entry:
    return services.entry_submit(entry=draft, by=company_rep)


def test_operator_screens_from_the_list(
    operator_client: Client, submitted: Entry, top50: Category, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse("competitions:screening", args=[top50.edition.year, "top50"])
    page = operator_client.get(url)
    assert page.status_code == 200
    assert [row.entry for row in page.context["screening"].rows] == [submitted]
    assert page.context["screening"].rows[0].problems == []
    assert page.context["screening"].counts.to_screen == 1

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(
            reverse("competitions:entry_screen", args=[submitted.pk]), {"decision": "eligible", "next": url}
        )

    assert response.status_code == 302 and response["Location"] == url
    assert Entry.objects.get(pk=submitted.pk).status == EntryStatus.ELIGIBLE
    assert len(mail.outbox) == 1
    eligible_only = operator_client.get(url, {"status": "eligible"})
    assert [row.entry for row in eligible_only.context["screening"].rows] == [submitted]
    assert operator_client.get(url, {"status": "submitted"}).context["screening"].rows == []


def test_not_eligible_without_a_reason_goes_back_to_the_page(operator_client: Client, submitted: Entry) -> None:
    before = entry_state(submitted)

    response = operator_client.post(
        reverse("competitions:entry_screen", args=[submitted.pk]), {"decision": "ineligible"}
    )

    assert response.status_code == 400
    assert response.context["screening_form"].errors["reason"] == ["Give the reason; the applicant receives it."]
    assert entry_state(submitted) == before


def test_screening_redirect_stays_on_this_site(operator_client: Client, submitted: Entry) -> None:
    response = operator_client.post(
        reverse("competitions:entry_screen", args=[submitted.pk]),
        {"decision": "eligible", "next": "https://evil.example/phish"},
    )
    assert response["Location"] == submitted.get_absolute_url()


def test_only_operators_open_the_screening_list(rep_client: Client, top50: Category) -> None:
    assert rep_client.get(reverse("competitions:screening", args=[top50.edition.year, "top50"])).status_code == 403


def test_applicant_sees_the_decision_and_reason(rep_client: Client, submitted: Entry, operator: User) -> None:
    services.entry_screen(entry=submitted, by=operator, eligible=False, reason="The qualification has expired.")

    page = rep_client.get(submitted.get_absolute_url()).content.decode()
    mine = rep_client.get(reverse("competitions:my_entries"))

    assert "The qualification has expired." in page
    assert mine.context["mine"].entries == [submitted]
    assert "The qualification has expired." in mine.content.decode()


# --- Query counts ---------------------------------------------------------------------------------------------------


def _many_applications(edition: Edition, count: int) -> None:
    top50 = category_of(edition, AwardKind.TOP50)
    for _ in range(count):
        organisation = OrganisationFactory()
        qualify(organisation)
        entry = services.entry_create(by=representative_of(organisation), category=top50, answers=answers_for(top50))
        services.entry_submit(entry=entry, by=entry.created_by)


@pytest.mark.parametrize("count", [3, 30])
def test_screening_list_costs_constant_queries(
    operator_client: Client, edition: Edition, count: int, django_assert_max_num_queries: Any
) -> None:
    _many_applications(edition, count)

    with django_assert_max_num_queries(8):
        response = operator_client.get(reverse("competitions:screening", args=[edition.year, "top50"]))

    assert len(response.context["screening"].rows) == count


@pytest.mark.parametrize("count", [1, 12])
def test_my_applications_costs_constant_queries(operator: User, count: int, django_assert_max_num_queries: Any) -> None:
    applicant = representative_of(OrganisationFactory())
    for year in range(2031, 2031 + count):
        edition = open_edition(operator, year=year)
        best_partner = category_of(edition, AwardKind.BEST_PARTNER)
        services.entry_create(by=applicant, category=best_partner, partners=[OrganisationFactory()])
    client = client_for(applicant)

    with django_assert_max_num_queries(7):
        response = client.get(reverse("competitions:my_entries"))

    assert len(response.context["mine"].entries) == count


@pytest.mark.parametrize("partners", [1, 8])
def test_application_page_costs_constant_queries(
    edition: Edition, company_rep: User, partners: int, django_assert_max_num_queries: Any
) -> None:
    best_partner = category_of(edition, AwardKind.BEST_PARTNER)
    others = OrganisationFactory.create_batch(partners)
    for other in others:
        SupplyLinkFactory(supplier=company_rep.organisation, buyer=other)
    entry = services.entry_create(by=company_rep, category=best_partner, partners=others)
    for number in range(min(partners, 5)):
        services.entry_attach(entry=entry, by=company_rep, upload=pdf_file(f"{number}.pdf"))
    client = client_for(company_rep)

    with django_assert_max_num_queries(9):
        response = client.get(entry.get_absolute_url())

    assert len(response.context["members"]) == partners + 1
    assert len(response.context["supply_links"]) == partners


def test_partner_without_a_representative_account_is_pointed_out(
    rep_client: Client, edition: Edition, company_rep: User, other_company: Organisation
) -> None:
    lonely = OrganisationFactory(name_en="Lonely Foundry")
    representative_of(other_company)
    entry = services.entry_create(
        by=company_rep, category=category_of(edition, AwardKind.BEST_PARTNER), partners=[other_company, lonely]
    )

    page = rep_client.get(entry.get_absolute_url())

    assert page.context["unrepresented"] == {lonely.pk}
    assert page.content.decode().count("No representative account") == 1


def test_form_questions_are_labelled_in_the_readers_language(rep_client: Client, top50: Category) -> None:
    rep_client.cookies["django_language"] = "zh-hans"

    page = rep_client.get(reverse("competitions:apply", args=[top50.edition.year, "top50"]))

    assert page.context["form"].fields["answer_products"].label == "车规产品及应用场景"
    assert "汽车芯片50强" in page.content.decode()
