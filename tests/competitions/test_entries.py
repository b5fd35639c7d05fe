"""Application services: drafts, answers, documents, submission, withdrawal, nominations, partnerships and
screening. Each success writes exactly its rows, audit entry and emails; each refusal (late, second submission,
not a PDF, another company's application, a broken rule) is clear and changes nothing."""

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone, translation

from chiptown.accounts.models import Role, User
from chiptown.competitions import defaults
from chiptown.competitions.models import AwardKind, Category, Entry, EntryDocument, EntryStatus
from chiptown.competitions.services import entries as services
from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied
from chiptown.core.models import AuditEntry
from chiptown.registry.models import Organisation
from tests.competitions.entries_support import (
    PDF,
    answers_for,
    category_of,
    ensure_chip_categories,
    entry_state,
    nominee_with_account,
    open_edition,
    pdf_file,
    qualify,
    representative_of,
)
from tests.factories import OrganisationFactory, PersonFactory, ProductFactory, UserFactory

pytestmark = pytest.mark.django_db

Capture = Callable[..., Any]


@pytest.fixture
def edition(operator: User) -> Any:
    return open_edition(operator)


@pytest.fixture
def top50(edition: Any) -> Category:
    return category_of(edition, AwardKind.TOP50)


@pytest.fixture
def qualified_company(company: Organisation) -> Organisation:
    qualify(company)
    return company


@pytest.fixture
def draft(top50: Category, company_rep: User, qualified_company: Organisation) -> Entry:
    return services.entry_create(by=company_rep, category=top50, answers=answers_for(top50))


def later(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


# --- Drafts ----------------------------------------------------------------------------------------------------------


def test_representative_starts_a_draft_for_their_own_organisation(
    top50: Category, company_rep: User, company: Organisation
) -> None:
    product = ProductFactory(organisation=company)

    entry = services.entry_create(
        by=company_rep,
        category=top50,
        product=product,
        answers={"products": "  车规 MCU，已量产 ", "website": "alpha.cn"},
    )

    assert entry.status == EntryStatus.DRAFT and entry.organisation == company and entry.product == product
    assert entry.title == "Alpha Semiconductor" and entry.created_by == company_rep
    assert entry.answers == {"products": "车规 MCU，已量产", "website": "https://alpha.cn"}
    audit = AuditEntry.objects.get(action="entry.create")
    assert audit.actor == company_rep and audit.after is not None and audit.after["status"] == "draft"
    assert not mail.outbox


def test_representative_cannot_apply_for_another_company(
    top50: Category, company_rep: User, other_company: Organisation
) -> None:
    with pytest.raises(PermissionDenied, match="only for your own organisation"):
        services.entry_create(by=company_rep, category=top50, organisation=other_company)

    assert not Entry.objects.exists() and not AuditEntry.objects.filter(action="entry.create").exists()


def test_product_must_be_the_applicants_own(top50: Category, company_rep: User, other_company: Organisation) -> None:
    with pytest.raises(ChipTownError) as caught:
        services.entry_create(by=company_rep, category=top50, product=ProductFactory(organisation=other_company))

    assert [p.column for p in caught.value.problems] == ["product"]
    assert not Entry.objects.exists()


@pytest.mark.parametrize("kind", [AwardKind.TOP50, AwardKind.MOST_PROMISING, AwardKind.BEST_PARTNER])
def test_people_without_an_organisation_role_cannot_apply_for_organisation_awards(
    edition: Any, stranger: User, kind: str
) -> None:
    with pytest.raises(PermissionDenied):
        services.entry_create(by=stranger, category=category_of(edition, kind))
    assert not Entry.objects.exists()


def test_operator_applies_on_an_organisations_behalf(top50: Category, operator: User, company: Organisation) -> None:
    entry = services.entry_create(by=operator, category=top50, organisation=company)
    assert entry.organisation == company and entry.created_by == operator

    with pytest.raises(ChipTownError) as caught:
        services.entry_create(by=operator, category=top50)
    assert [p.column for p in caught.value.problems] == ["organisation"]


def test_second_live_application_of_the_same_organisation_is_refused(draft: Entry, company_rep: User) -> None:
    colleague = representative_of(draft.organisation)  # type: ignore[arg-type]
    with pytest.raises(ChipTownError, match="already an application") as caught:
        services.entry_create(by=colleague, category=draft.category)

    assert [p.column for p in caught.value.problems] == ["organisation"]
    assert Entry.objects.count() == 1

    services.entry_withdraw(entry=draft, by=company_rep)
    assert services.entry_create(by=colleague, category=draft.category).pk != draft.pk


@pytest.mark.parametrize(
    ("answers", "column", "reason"),
    [
        ({"revenue_mcny": "a lot"}, "revenue_mcny", "a lot is not a number."),
        ({"website": "not a web address"}, "website", "not a web address is not a web address."),
        ({"products": "x" * 3001}, "products", "At most 3000 characters (got 3001)."),
        ({"favourite_colour": "red"}, "favourite_colour", "This question is not on the form."),
        ({"units_shipped_m": "1e400"}, "units_shipped_m", "1e400 is too large a number."),
        ({"units_shipped_m": "NaN"}, "units_shipped_m", "NaN is not a number."),
    ],
)
def test_malformed_answers_are_refused_naming_the_question(
    draft: Entry, company_rep: User, answers: dict[str, Any], column: str, reason: str
) -> None:
    before = entry_state(draft)

    with pytest.raises(ChipTownError) as caught:
        services.entry_update(entry=draft, by=company_rep, answers=answers)

    assert [(p.column, p.reason) for p in caught.value.problems] == [(column, reason)]
    assert entry_state(draft) == before


def test_draft_may_be_incomplete_and_numbers_are_stored_as_numbers(draft: Entry, company_rep: User) -> None:
    services.entry_update(entry=draft, by=company_rep, answers={"revenue_mcny": "1,250", "units_shipped_m": "3.5"})

    draft.refresh_from_db()
    assert draft.answers == {"revenue_mcny": 1250, "units_shipped_m": 3.5}
    audit = AuditEntry.objects.get(action="entry.update")
    assert audit.before is not None and audit.after is not None and set(audit.after) == {"answers"}


def test_answers_in_either_language_are_kept_as_written(draft: Entry, company_rep: User) -> None:
    answers = {"products": "Body MCU for 12 OEMs", "technology": "40nm 车规工艺，功能安全 ASIL-B"}
    services.entry_update(entry=draft, by=company_rep, answers=answers)
    draft.refresh_from_db()
    assert draft.answers == answers


def test_drafts_cannot_be_saved_after_the_deadline(draft: Entry, company_rep: User) -> None:
    before = entry_state(draft)

    with pytest.raises(Conflict) as caught:
        services.entry_update(entry=draft, by=company_rep, title="Late", now=later(10.01))

    assert caught.value.code == "deadline_passed"
    assert entry_state(draft) == before


def test_no_application_before_the_edition_opens(operator: User, company_rep: User) -> None:
    edition = open_edition(operator, year=2040, applications_open_at=1)

    with pytest.raises(Conflict) as caught:
        services.entry_create(by=company_rep, category=category_of(edition, AwardKind.TOP50))

    assert caught.value.code == "not_open" and not Entry.objects.exists()


# --- Documents ----------------------------------------------------------------------------------------------------


def test_a_pdf_is_attached_under_a_generated_name(draft: Entry, company_rep: User) -> None:
    document = services.entry_attach(entry=draft, by=company_rep, upload=pdf_file("../../商业计划.pdf"))

    assert document.name == "商业计划.pdf" and document.size == len(PDF)
    assert document.file.name.startswith("competition/documents/") and document.file.name.endswith(".pdf")
    assert "商业计划" not in document.file.name
    assert document.file.read() == PDF
    assert AuditEntry.objects.get(action="entry.attach").after["name"] == "商业计划.pdf"  # type: ignore[index]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("report.pdf", b"PK\x03\x04 a zip file renamed", "The file is not a PDF."),
        ("report.pdf", b"<html><script>alert(1)</script>", "The file is not a PDF."),
        ("empty.pdf", b"", "The file is not a PDF."),
        ("huge.pdf", b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024), "The file is larger than 10 MiB."),
    ],
)
def test_a_file_that_is_not_an_acceptable_pdf_is_refused_and_nothing_changes(
    draft: Entry, company_rep: User, name: str, content: bytes, reason: str
) -> None:
    before = entry_state(draft)

    with pytest.raises(ChipTownError) as caught:
        services.entry_attach(entry=draft, by=company_rep, upload=pdf_file(name, content))

    assert [(p.column, p.reason) for p in caught.value.problems] == [("file", reason)]
    assert entry_state(draft) == before and not EntryDocument.objects.exists()


def test_at_most_n_documents_per_application(draft: Entry, company_rep: User) -> None:
    for number in range(defaults.MAX_DOCUMENTS_PER_ENTRY):
        services.entry_attach(entry=draft, by=company_rep, upload=pdf_file(f"doc{number}.pdf"))
    before = entry_state(draft)

    with pytest.raises(ChipTownError) as caught:
        services.entry_attach(entry=draft, by=company_rep, upload=pdf_file("one-too-many.pdf"))

    assert caught.value.problems[0].reason == "At most 5 documents per application; remove one first."
    assert entry_state(draft) == before


def test_a_document_is_removed_from_a_draft(
    draft: Entry, company_rep: User, django_capture_on_commit_callbacks: Capture
) -> None:
    document = services.entry_attach(entry=draft, by=company_rep, upload=pdf_file())
    storage, name = document.file.storage, document.file.name

    with django_capture_on_commit_callbacks(execute=True):
        services.entry_detach(document=document, by=company_rep)

    assert not EntryDocument.objects.exists() and not storage.exists(name)
    assert AuditEntry.objects.get(action="entry.detach").before["name"] == "plan.pdf"  # type: ignore[index]


def test_another_company_cannot_attach_to_or_remove_from_an_application(
    draft: Entry, other_company: Organisation
) -> None:
    intruder = representative_of(other_company)
    document = services.entry_attach(entry=draft, by=draft.created_by, upload=pdf_file())
    before = entry_state(draft)

    with pytest.raises(PermissionDenied):
        services.entry_attach(entry=draft, by=intruder, upload=pdf_file())
    with pytest.raises(PermissionDenied):
        services.entry_detach(document=document, by=intruder)

    assert entry_state(draft) == before


# --- Submission ------------------------------------------------------------------------------------------------------


def test_submission_before_the_deadline_is_received_audited_and_acknowledged(
    draft: Entry, company_rep: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=draft, by=company_rep)

    draft.refresh_from_db()
    assert draft.status == EntryStatus.SUBMITTED and draft.submitted_at is not None
    audit = AuditEntry.objects.get(action="entry.submit")
    assert audit.before == {"status": "draft", "submitted_at": None}
    assert audit.after is not None and audit.after["status"] == "submitted"
    assert [m.to for m in mail.outbox] == [[company_rep.email]]
    assert mail.outbox[0].subject == "[ChipTown] Application received"
    assert (
        "Automotive Chip Top 50" in mail.outbox[0].body and f"/competition/entries/{draft.pk}/" in mail.outbox[0].body
    )


def test_receipt_is_in_the_applicants_language(
    draft: Entry, company_rep: User, django_capture_on_commit_callbacks: Capture
) -> None:
    company_rep.language = "zh-hans"
    company_rep.save()

    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=draft, by=company_rep)

    assert "汽车芯片50强" in mail.outbox[0].body  # the category's Chinese name, picked for a Chinese reader


def test_late_submission_is_refused_clearly_and_changes_nothing(
    draft: Entry, company_rep: User, django_capture_on_commit_callbacks: Capture
) -> None:
    before = entry_state(draft)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as caught:
        services.entry_submit(entry=draft, by=company_rep, now=draft.category.edition.applications_close_at)

    assert caught.value.code == "deadline_passed" and caught.value.status == 409
    assert caught.value.message.startswith("The deadline was ") and "(Asia/Shanghai)" in caught.value.message
    assert entry_state(draft) == before and not mail.outbox


def test_second_submission_is_refused_clearly_and_changes_nothing(
    draft: Entry, company_rep: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=draft, by=company_rep)
    before = entry_state(draft)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as caught:
        services.entry_submit(entry=draft, by=company_rep)

    assert caught.value.code == "already_submitted"
    assert "already submitted" in caught.value.message
    assert entry_state(draft) == before and len(mail.outbox) == 1


def test_missing_required_answers_are_named_at_submission(
    top50: Category, company_rep: User, qualified_company: Organisation
) -> None:
    entry = services.entry_create(by=company_rep, category=top50, answers={"website": "https://alpha.cn"})
    before = entry_state(entry)

    with pytest.raises(ChipTownError) as caught:
        services.entry_submit(entry=entry, by=company_rep)

    assert [(p.column, p.reason) for p in caught.value.problems] == [
        ("products", "This answer is required."),
        ("technology", "This answer is required."),
    ]
    assert entry_state(entry) == before


def test_a_question_removed_after_the_draft_does_not_block_submission(
    draft: Entry, company_rep: User, operator: User
) -> None:
    from chiptown.competitions.services.editions import category_update

    category_update(
        category=draft.category,
        by=operator,
        values={"form_fields": [q for q in draft.category.form_fields if q["name"] != "customers"]},
    )

    assert services.entry_submit(entry=draft, by=company_rep).status == EntryStatus.SUBMITTED


def test_broken_rule_is_refused_at_submission_with_its_reason(top50: Category, company_rep: User) -> None:
    entry = services.entry_create(by=company_rep, category=top50, answers=answers_for(top50))  # no qualification
    before = entry_state(entry)

    with pytest.raises(ChipTownError) as caught:
        services.entry_submit(entry=entry, by=company_rep)

    assert caught.value.code == "not_eligible"
    assert [p.column for p in caught.value.problems] == ["organisation"]
    assert entry_state(entry) == before


def test_another_company_cannot_submit_or_withdraw(draft: Entry, other_company: Organisation) -> None:
    intruder = representative_of(other_company)
    before = entry_state(draft)

    with pytest.raises(PermissionDenied):
        services.entry_submit(entry=draft, by=intruder)
    with pytest.raises(PermissionDenied):
        services.entry_withdraw(entry=draft, by=intruder)
    with pytest.raises(PermissionDenied):
        services.entry_update(entry=draft, by=intruder, title="Hijacked")

    assert entry_state(draft) == before


def test_submitted_application_can_no_longer_be_edited(draft: Entry, company_rep: User) -> None:
    services.entry_submit(entry=draft, by=company_rep)
    before = entry_state(draft)

    with pytest.raises(Conflict):
        services.entry_update(entry=draft, by=company_rep, answers={})
    with pytest.raises(Conflict):
        services.entry_attach(entry=draft, by=company_rep, upload=pdf_file())

    assert entry_state(draft) == before


# --- Withdrawal -----------------------------------------------------------------------------------------------------


def test_withdrawal_before_judging_starts(draft: Entry, company_rep: User) -> None:
    services.entry_submit(entry=draft, by=company_rep)
    moment = later(10.5)  # after the deadline, before judging starts

    services.entry_withdraw(entry=draft, by=company_rep, now=moment)

    draft.refresh_from_db()
    assert draft.status == EntryStatus.WITHDRAWN and draft.withdrawn_at == moment
    assert AuditEntry.objects.get(action="entry.withdraw").after["status"] == "withdrawn"  # type: ignore[index]


def test_withdrawal_once_judging_started_is_refused(draft: Entry, company_rep: User) -> None:
    services.entry_submit(entry=draft, by=company_rep)
    before = entry_state(draft)

    with pytest.raises(Conflict) as caught:
        services.entry_withdraw(entry=draft, by=company_rep, now=draft.category.edition.judging_start_at)

    assert caught.value.code == "judging_started"
    assert entry_state(draft) == before


def test_withdrawing_twice_is_refused(draft: Entry, company_rep: User) -> None:
    services.entry_withdraw(entry=draft, by=company_rep)
    before = entry_state(draft)

    with pytest.raises(Conflict):
        services.entry_withdraw(entry=draft, by=company_rep)
    with pytest.raises(Conflict, match="withdrawn"):
        services.entry_submit(entry=draft, by=company_rep)

    assert entry_state(draft) == before


# --- Nominations ---------------------------------------------------------------------------------------------------


@pytest.fixture
def influence(edition: Any) -> Category:
    return category_of(edition, AwardKind.INFLUENCE_FIGURE)


def test_anyone_signed_in_nominates_a_person_and_the_nominee_is_asked_to_confirm(
    influence: Category, stranger: User, django_capture_on_commit_callbacks: Capture
) -> None:
    nominee = nominee_with_account(language="zh-hans", name_zh="王芯", name_en="Wang Xin")
    entry = services.entry_create(by=stranger, category=influence, person=nominee, answers=answers_for(influence))
    assert entry.title == "Wang Xin" and entry.organisation is None

    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=entry, by=stranger)

    with translation.override("zh-hans"):  # the nominee reads Chinese
        nominee_subject = "[ChipTown] " + translation.gettext("You have been nominated: please confirm")
    nominee_user: User = nominee.user  # type: ignore[assignment]
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [(stranger.email, "[ChipTown] Application received"), (nominee_user.email, nominee_subject)]
    )
    nominee_mail = next(m for m in mail.outbox if m.to == [nominee_user.email])
    assert f"/competition/entries/{entry.pk}/" in nominee_mail.body


@pytest.mark.parametrize(
    ("nominee", "reason"),
    [
        (lambda by: PersonFactory(name_en="No Account", user=None), "No Account has no ChipTown account"),
        (lambda by: PersonFactory(user=by), "You cannot nominate yourself."),
    ],
)
def test_nominations_the_nominee_could_not_confirm_are_refused(
    influence: Category, stranger: User, nominee: Any, reason: str
) -> None:
    with pytest.raises(ChipTownError) as caught:
        services.entry_create(by=stranger, category=influence, person=nominee(stranger))

    assert caught.value.problems[0].column == "person" and caught.value.problems[0].reason.startswith(reason)
    assert not Entry.objects.exists()


def test_the_same_person_is_nominated_once(influence: Category, stranger: User, company_rep: User) -> None:
    nominee = nominee_with_account()
    services.entry_create(by=stranger, category=influence, person=nominee)

    with pytest.raises(ChipTownError, match="already nominated"):
        services.entry_create(by=company_rep, category=influence, person=nominee)
    assert Entry.objects.count() == 1


@pytest.fixture
def nomination(influence: Category, stranger: User) -> Entry:
    entry = services.entry_create(
        by=stranger, category=influence, person=nominee_with_account(), answers=answers_for(influence)
    )
    return services.entry_submit(entry=entry, by=stranger)


def test_nominee_confirms_and_the_nominator_hears(
    nomination: Entry, stranger: User, django_capture_on_commit_callbacks: Capture
) -> None:
    nominee: User = nomination.person.user  # type: ignore[union-attr,assignment]

    with django_capture_on_commit_callbacks(execute=True):
        services.nomination_respond(entry=nomination, by=nominee, accept=True)

    nomination.refresh_from_db()
    assert nomination.nominee_confirmed_at is not None and nomination.status == EntryStatus.SUBMITTED
    assert AuditEntry.objects.get(action="entry.nomination_confirm").actor == nominee
    assert [(m.to, m.subject) for m in mail.outbox] == [([stranger.email], "[ChipTown] Nomination confirmed")]

    with pytest.raises(Conflict, match="already confirmed"):
        services.nomination_respond(entry=nomination, by=nominee, accept=True)


def test_nominee_declines_and_the_nomination_is_withdrawn(nomination: Entry) -> None:
    services.nomination_respond(entry=nomination, by=nomination.person.user, accept=False)  # type: ignore[union-attr]

    nomination.refresh_from_db()
    assert nomination.status == EntryStatus.WITHDRAWN and nomination.nominee_confirmed_at is None
    assert AuditEntry.objects.filter(action="entry.nomination_decline").count() == 1


def test_only_the_nominee_confirms(nomination: Entry, stranger: User, operator: User) -> None:
    before = entry_state(nomination)

    for someone in (stranger, operator, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.nomination_respond(entry=nomination, by=someone, accept=True)

    assert entry_state(nomination) == before


def test_unconfirmed_nomination_cannot_be_screened_eligible(nomination: Entry, operator: User) -> None:
    before = entry_state(nomination)

    with pytest.raises(ChipTownError) as caught:
        services.entry_screen(entry=nomination, by=operator, eligible=True)

    assert caught.value.code == "not_eligible"
    assert [(p.column, p.reason) for p in caught.value.problems] == [
        ("person", "The nominee has not confirmed the nomination yet.")
    ]
    assert entry_state(nomination) == before

    services.nomination_respond(entry=nomination, by=nomination.person.user, accept=True)  # type: ignore[union-attr]
    assert services.entry_screen(entry=nomination, by=operator, eligible=True).status == EntryStatus.ELIGIBLE


# --- Partnerships --------------------------------------------------------------------------------------------------


@pytest.fixture
def best_partner(edition: Any) -> Category:
    return category_of(edition, AwardKind.BEST_PARTNER)


def test_partnership_names_the_applicant_first_and_the_applicant_is_confirmed(
    best_partner: Category, company_rep: User, company: Organisation, other_company: Organisation
) -> None:
    third = OrganisationFactory(name_en="Gamma Auto")

    entry = services.entry_create(
        by=company_rep, category=best_partner, partners=[other_company, company, third, other_company]
    )

    members = list(entry.partners.order_by("pk"))
    assert [m.organisation for m in members] == [company, other_company, third]
    assert members[0].confirmed_by == company_rep and members[0].confirmed_at is not None
    assert [m.confirmed_at for m in members[1:]] == [None, None]
    assert entry.title == "Alpha Semiconductor & Beta Microelectronics & Gamma Auto"
    assert AuditEntry.objects.get(action="entry.create").after["partners"] == [  # type: ignore[index]
        company.pk,
        other_company.pk,
        third.pk,
    ]


def test_partnership_with_only_the_applicant_cannot_be_submitted(best_partner: Category, company_rep: User) -> None:
    entry = services.entry_create(by=company_rep, category=best_partner, answers=answers_for(best_partner))

    with pytest.raises(ChipTownError) as caught:
        services.entry_submit(entry=entry, by=company_rep)

    assert [(p.column, p.reason) for p in caught.value.problems] == [
        ("partners", "Name at least 2 organisations, your own included.")
    ]


def test_partners_are_changed_in_the_draft_and_confirmations_kept(
    best_partner: Category, company_rep: User, company: Organisation, other_company: Organisation
) -> None:
    third = OrganisationFactory()
    entry = services.entry_create(by=company_rep, category=best_partner, partners=[other_company])

    services.entry_update(entry=entry, by=company_rep, partners=[third])

    members = list(entry.partners.order_by("pk"))
    assert [m.organisation for m in members] == [company, third]
    assert members[0].confirmed_at is not None


@pytest.fixture
def partnership(best_partner: Category, company_rep: User, other_company: Organisation) -> Entry:
    entry = services.entry_create(
        by=company_rep, category=best_partner, partners=[other_company], answers=answers_for(best_partner)
    )
    return services.entry_submit(entry=entry, by=company_rep)


def test_partners_are_asked_to_confirm_at_submission(
    best_partner: Category,
    company_rep: User,
    other_company: Organisation,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    partner_rep = representative_of(other_company)
    representative_of(OrganisationFactory())  # a representative of an organisation not named: not asked
    entry = services.entry_create(
        by=company_rep, category=best_partner, partners=[other_company], answers=answers_for(best_partner)
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=entry, by=company_rep)

    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (company_rep.email, "[ChipTown] Application received"),
            (partner_rep.email, "[ChipTown] Please confirm a Best Partner application"),
        ]
    )


def test_entry_counts_only_once_every_partner_confirmed(
    partnership: Entry,
    operator: User,
    other_company: Organisation,
    company_rep: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    partner_rep = representative_of(other_company)
    with pytest.raises(ChipTownError) as caught:
        services.entry_screen(entry=partnership, by=operator, eligible=True)
    assert caught.value.problems[0].reason == "Not yet confirmed by: Beta Microelectronics."

    with django_capture_on_commit_callbacks(execute=True):
        member = services.partnership_respond(entry=partnership, by=partner_rep, accept=True)

    assert member.organisation == other_company and member.confirmed_by == partner_rep
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([company_rep.email], "[ChipTown] Partner confirmed your application")
    ]
    assert services.entry_screen(entry=partnership, by=operator, eligible=True).status == EntryStatus.ELIGIBLE


def test_a_partner_declines_and_the_application_is_withdrawn(partnership: Entry, other_company: Organisation) -> None:
    services.partnership_respond(entry=partnership, by=representative_of(other_company), accept=False)

    partnership.refresh_from_db()
    assert partnership.status == EntryStatus.WITHDRAWN
    audit = AuditEntry.objects.get(action="entry.partner_decline")
    assert audit.after is not None and audit.after["status"] == "withdrawn"
    assert audit.after["partner_answer"] == {"organisation": other_company.pk, "confirmed": False}


def test_only_named_partners_confirm_and_only_once(
    partnership: Entry, company_rep: User, other_company: Organisation, stranger: User
) -> None:
    outsider = representative_of(OrganisationFactory())
    before = entry_state(partnership)

    for someone in (outsider, stranger):
        with pytest.raises(PermissionDenied):
            services.partnership_respond(entry=partnership, by=someone, accept=True)
    with pytest.raises(Conflict, match="already confirmed"):
        services.partnership_respond(entry=partnership, by=company_rep, accept=True)  # the lead confirmed on creation
    with pytest.raises(PermissionDenied):
        services.partnership_respond(
            entry=partnership, by=representative_of(other_company), accept=True, organisation=partnership.organisation
        )

    assert entry_state(partnership) == before


# --- Screening --------------------------------------------------------------------------------------------------------


@pytest.fixture
def submitted(draft: Entry, company_rep: User) -> Entry:
    return services.entry_submit(entry=draft, by=company_rep)


def test_operator_screens_eligible_and_the_applicant_is_told(
    submitted: Entry, operator: User, company_rep: User, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_screen(entry=submitted, by=operator, eligible=True)

    submitted.refresh_from_db()
    assert submitted.status == EntryStatus.ELIGIBLE and submitted.screened_by == operator
    audit = AuditEntry.objects.get(action="entry.screen")
    assert audit.actor == operator and audit.before["status"] == "submitted"  # type: ignore[index]
    assert audit.after["status"] == "eligible"  # type: ignore[index]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([company_rep.email], "[ChipTown] Eligibility decision on your application")
    ]
    assert "is eligible" in mail.outbox[0].body


def test_not_eligible_needs_a_reason_which_the_applicant_receives_in_their_language(
    submitted: Entry, operator: User, company_rep: User, django_capture_on_commit_callbacks: Capture
) -> None:
    before = entry_state(submitted)
    with pytest.raises(ChipTownError) as caught:
        services.entry_screen(entry=submitted, by=operator, eligible=False, reason="   ")
    assert [p.column for p in caught.value.problems] == ["reason"]
    assert entry_state(submitted) == before

    company_rep.language = "zh-hans"
    company_rep.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.entry_screen(entry=submitted, by=operator, eligible=False, reason="产品未在名录中登记 AEC-Q100 证书。")

    submitted.refresh_from_db()
    assert (
        submitted.status == EntryStatus.INELIGIBLE
        and submitted.screening_reason == "产品未在名录中登记 AEC-Q100 证书。"
    )
    assert "产品未在名录中登记 AEC-Q100 证书。" in mail.outbox[0].body
    assert "汽车芯片50强" in mail.outbox[0].body


def test_the_same_decision_twice_is_refused_and_changes_nothing(
    submitted: Entry, operator: User, django_capture_on_commit_callbacks: Capture
) -> None:
    services.entry_screen(entry=submitted, by=operator, eligible=True)
    before = entry_state(submitted)

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as caught:
        services.entry_screen(entry=submitted, by=operator, eligible=True)

    assert caught.value.code == "already_screened" and not mail.outbox
    assert entry_state(submitted) == before


def test_operator_may_revise_a_decision_with_a_reason(submitted: Entry, operator: User) -> None:
    services.entry_screen(entry=submitted, by=operator, eligible=True)
    services.entry_screen(entry=submitted, by=operator, eligible=False, reason="Certificate found to be revoked.")

    submitted.refresh_from_db()
    assert submitted.status == EntryStatus.INELIGIBLE
    assert AuditEntry.objects.filter(action="entry.screen").count() == 2


def test_drafts_and_withdrawn_applications_are_not_screened(draft: Entry, operator: User, company_rep: User) -> None:
    with pytest.raises(Conflict, match="draft"):
        services.entry_screen(entry=draft, by=operator, eligible=True)
    services.entry_withdraw(entry=draft, by=company_rep)
    with pytest.raises(Conflict, match="withdrawn"):
        services.entry_screen(entry=draft, by=operator, eligible=False, reason="x")
    assert not AuditEntry.objects.filter(action="entry.screen").exists()


def test_eligibility_is_checked_again_at_screening(
    submitted: Entry, operator: User, qualified_company: Organisation
) -> None:
    qualified_company.products.first().qualifications.update(
        expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )  # type: ignore[union-attr]
    before = entry_state(submitted)

    with pytest.raises(ChipTownError) as caught:
        services.entry_screen(entry=submitted, by=operator, eligible=True)

    assert [p.column for p in caught.value.problems] == ["organisation"]
    assert entry_state(submitted) == before


def test_only_operators_screen(submitted: Entry, company_rep: User) -> None:
    before = entry_state(submitted)
    for someone in (company_rep, UserFactory(role=Role.JUDGE)):
        with pytest.raises(PermissionDenied):
            services.entry_screen(entry=submitted, by=someone, eligible=True)
    assert entry_state(submitted) == before


def test_operator_filed_application_is_answered_to_the_companys_representatives(
    top50: Category, operator: User, qualified_company: Organisation, django_capture_on_commit_callbacks: Capture
) -> None:
    first, second = representative_of(qualified_company), representative_of(qualified_company)
    representative_of(qualified_company, is_active=False)
    entry = services.entry_create(
        by=operator, category=top50, organisation=qualified_company, answers=answers_for(top50)
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.entry_submit(entry=entry, by=operator)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])


# --- Concurrency (PostgreSQL) --------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_submissions_at_once_give_one_submission(operator: User, company: Organisation) -> None:
    """Two requests submit the same draft at the same moment: the row lock lets exactly one through."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("real row locks need PostgreSQL")
    ensure_chip_categories()
    qualify(company)
    rep = representative_of(company)
    category = category_of(open_edition(operator, year=2045), AwardKind.TOP50)
    entry = services.entry_create(by=rep, category=category, answers=answers_for(category))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def submit() -> None:
        try:
            barrier.wait()
            services.entry_submit(entry=Entry.objects.get(pk=entry.pk), by=rep)
            outcomes.append("submitted")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["already_submitted", "submitted"]
    assert AuditEntry.objects.filter(action="entry.submit").count() == 1
    assert len(mail.outbox) == 1  # the receipt of the one that went through
