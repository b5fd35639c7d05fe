"""Writes for applications and nominations: drafts and their answers, PDF documents, submission before the
deadline, withdrawal, the nominee's and the partners' confirmations, and the operators' eligibility screening.

Every function is keyword-only, checks permissions with rules, validates with problems naming the field, runs in
one transaction, writes an audit entry, and locks the entry row before changing its status. `now` exists for
tests and generated demo data (a clock to pretend with); pages never pass it. Emails go out after the commit.
"""

import datetime
import uuid
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Prefetch
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chiptown.accounts.models import Role, User
from chiptown.competitions import defaults, eligibility
from chiptown.competitions.models import (
    ApplicantKind,
    AwardKind,
    Category,
    Edition,
    Entry,
    EntryDocument,
    EntryStatus,
    PartnershipMember,
)
from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied, Problem
from chiptown.core.notifications import notify_on_commit
from chiptown.core.questions import clean_answers
from chiptown.core.rules import require
from chiptown.core.services import audit_record, snapshot
from chiptown.registry import validation
from chiptown.registry.models import Organisation, Person, Product

ENTRY_FIELDS = (
    "status",
    "organisation_id",
    "person_id",
    "product_id",
    "title",
    "answers",
    "submitted_at",
    "withdrawn_at",
    "nominee_confirmed_at",
    "screened_by_id",
    "screened_at",
    "screening_reason",
)
SUBMITTED_STATES = (EntryStatus.SUBMITTED, EntryStatus.ELIGIBLE, EntryStatus.INELIGIBLE)
REASON_MAX_LENGTH = 2000
TITLE_MAX_LENGTH = 200
_UNSET: Any = object()


# --- Small helpers -----------------------------------------------------------------------------------------------


def _now(now: datetime.datetime | None) -> datetime.datetime:
    return now or timezone.now()


def _when(moment: datetime.datetime) -> str:
    """A time as people read it in messages: Asia/Shanghai, to the minute."""
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i") + " (Asia/Shanghai)"


def _invalid(problems: list[Problem], message: str | None = None) -> ChipTownError:
    return ChipTownError(message or _("Some fields are not valid."), code="invalid", problems=problems)


def _lock(entry: Entry) -> Entry:
    """The entry row, locked until the transaction ends, with what status rules read."""
    return (
        Entry.objects.select_for_update(of=("self",))
        .select_related("category__edition", "organisation", "person__user", "product", "created_by")
        .prefetch_related(Prefetch("partners", queryset=PartnershipMember.objects.select_related("organisation")))
        .get(pk=entry.pk)
    )


def _check_window(edition: Edition, now: datetime.datetime) -> None:
    """Applications are written and submitted only while the edition takes them (checked on the server)."""
    if now < edition.applications_open_at:
        raise Conflict(
            _("Applications open on %(when)s.") % {"when": _when(edition.applications_open_at)}, code="not_open"
        )
    if now >= edition.applications_close_at:
        raise Conflict(
            _("The deadline was %(when)s; applications can no longer be changed or submitted.")
            % {"when": _when(edition.applications_close_at)},
            code="deadline_passed",
        )


def _refuse_unless_draft(entry: Entry) -> None:
    if entry.status == EntryStatus.DRAFT:
        return
    if entry.status == EntryStatus.WITHDRAWN:
        raise Conflict(_("This application was withdrawn."), code="withdrawn")
    raise Conflict(
        _("This application was already submitted on %(when)s; it can no longer be changed.")
        % {"when": _when(entry.submitted_at or entry.updated_at)},
        code="already_submitted",
    )


def _partner_ids(entry: Entry) -> list[int]:
    return list(entry.partners.order_by("pk").values_list("organisation_id", flat=True))


def _entry_snapshot(entry: Entry) -> dict[str, Any]:
    values = snapshot(entry, ENTRY_FIELDS)
    if entry.category.kind == AwardKind.BEST_PARTNER:
        values["partners"] = _partner_ids(entry)
    return values


def _representatives(organisation_ids: Iterable[int]) -> list[User]:
    ids = [i for i in organisation_ids if i]
    if not ids:
        return []
    return list(User.objects.filter(role=Role.COMPANY_REP, organisation_id__in=ids, is_active=True).order_by("pk"))


def applicant_users(entry: Entry) -> list[User]:
    """Who hears about an application: whoever created it, or, when an operator filed it on an organisation's
    behalf, that organisation's representatives."""
    creator = entry.created_by
    if creator is not None and creator.is_active and creator.role != Role.OPERATOR:
        return [creator]
    return _representatives([entry.organisation_id] if entry.organisation_id else [])


# --- Drafts ------------------------------------------------------------------------------------------------------


def _default_title(
    category: Category, organisation: Organisation | None, person: Person | None, partners: list[Organisation]
) -> str:
    if category.applicant_kind == ApplicantKind.PERSON and person is not None:
        return person.display_name
    if category.applicant_kind == ApplicantKind.PARTNERSHIP and partners:
        return " & ".join(o.display_name for o in partners)[:TITLE_MAX_LENGTH]
    return organisation.display_name if organisation is not None else ""


def _own_organisation(by: Any, organisation: Organisation | None) -> Organisation:
    """The applying organisation: the representative's own; an operator names one."""
    is_operator = by.has_perm("competitions.manage")
    if organisation is None:
        organisation = getattr(by, "organisation", None) if not is_operator else None
    if organisation is None:
        raise _invalid([Problem(reason=_("Choose the organisation that applies."), column="organisation")])
    if not is_operator and organisation.pk != by.organisation_id:
        raise PermissionDenied(_("You may apply only for your own organisation."))
    return organisation


def _check_product(product: Product | None, organisation: Organisation | None) -> list[Problem]:
    if product is not None and (organisation is None or product.organisation_id != organisation.pk):
        return [Problem(reason=_("Choose one of the applying organisation's own products."), column="product")]
    return []


def _partner_list(lead: Organisation, partners: Iterable[Organisation]) -> list[Organisation]:
    """The lead organisation first, then the others once each, in the order given."""
    members = [lead]
    for organisation in partners:
        if all(organisation.pk != m.pk for m in members):
            members.append(organisation)
    return members


def entry_create(
    *,
    by: Any,
    category: Category,
    organisation: Organisation | None = None,
    person: Person | None = None,
    product: Product | None = None,
    partners: Sequence[Organisation] = (),
    title: str = "",
    answers: Mapping[str, Any] | None = None,
    is_demo: bool = False,
    now: datetime.datetime | None = None,
) -> Entry:
    """A draft application (Top 50, Most Promising: for the representative's own organisation, optionally
    naming one of its products), partnership (Best Partner: the applicant's organisation first, then
    `partners`), or nomination (Influence Figure: `person`, who must have an account to confirm).

    Refused: outside the application window, for another company, a second live application of the same
    organisation (or nomination of the same person) in the category, a malformed answer."""
    require(by, "competitions.apply", category, _("You may not apply in this category."))
    moment = _now(now)
    edition = category.edition
    _check_window(edition, moment)
    kind = category.applicant_kind
    members: list[Organisation] = []
    problems: list[Problem] = []
    if kind == ApplicantKind.PERSON:
        organisation, product = None, None
        if person is None:
            problems.append(Problem(reason=_("Choose the person you nominate."), column="person"))
        elif person.user_id is None:
            problems.append(Problem(reason=eligibility.no_account_reason(person), column="person"))
        elif person.user_id == by.pk:
            problems.append(Problem(reason=_("You cannot nominate yourself."), column="person"))
    else:
        person = None
        organisation = _own_organisation(by, organisation)
        problems += _check_product(product, organisation)
        if kind == ApplicantKind.PARTNERSHIP:
            members = _partner_list(organisation, partners)
    title = (title or "").strip()
    if len(title) > TITLE_MAX_LENGTH:
        problems.append(
            Problem(
                reason=_("At most %(n)d characters (got %(got)d).") % {"n": TITLE_MAX_LENGTH, "got": len(title)},
                column="title",
            )
        )
    cleaned, answer_problems = clean_answers(category.form_fields, answers or {}, final=False)
    problems += answer_problems
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        # One live application per organisation (or nominee) per category: the category row serialises creators.
        Category.objects.select_for_update().filter(pk=category.pk).first()
        live = Entry.objects.filter(category=category).exclude(status=EntryStatus.WITHDRAWN)
        if (
            kind == ApplicantKind.ORGANISATION
            and organisation is not None
            and live.filter(organisation=organisation).exists()
        ):
            raise _invalid(
                [
                    Problem(
                        reason=_("%(name)s already has an application in this category.")
                        % {"name": organisation.display_name},
                        column="organisation",
                    )
                ],
                _("There is already an application for this organisation."),
            )
        if kind == ApplicantKind.PERSON and person is not None and live.filter(person=person).exists():
            raise _invalid(
                [
                    Problem(
                        reason=_("%(name)s is already nominated in this category.") % {"name": person.display_name},
                        column="person",
                    )
                ],
                _("This person is already nominated."),
            )
        entry = Entry.objects.create(
            category=category,
            organisation=organisation,
            person=person,
            product=product,
            title=title or _default_title(category, organisation, person, members),
            answers=cleaned,
            created_by=by,
            is_demo=is_demo,
        )
        lead_confirms = organisation is not None and getattr(by, "organisation_id", None) == organisation.pk
        PartnershipMember.objects.bulk_create(
            [
                PartnershipMember(
                    entry=entry,
                    organisation=member,
                    confirmed_at=moment if index == 0 and lead_confirms else None,
                    confirmed_by=by if index == 0 and lead_confirms else None,
                )
                for index, member in enumerate(members)
            ]
        )
        audit_record(actor=by, action="entry.create", target=entry, after=_entry_snapshot(entry))
    return entry


def entry_update(
    *,
    entry: Entry,
    by: Any,
    title: str | None = None,
    answers: Mapping[str, Any] | None = None,
    product: Product | None = _UNSET,
    partners: Sequence[Organisation] | None = None,
    now: datetime.datetime | None = None,
) -> Entry:
    """Save a draft: its title, answers (replaced as a whole), product, or partners (the lead stays first;
    partners who had confirmed and are still named keep their confirmation). Only drafts, only before the
    deadline."""
    require(by, "competitions.change_entry", entry, _("You may not change this application."))
    moment = _now(now)
    problems: list[Problem] = []
    cleaned: dict[str, Any] | None = None
    if answers is not None:
        cleaned, problems = clean_answers(entry.category.form_fields, answers, final=False)
    if title is not None and len(title.strip()) > TITLE_MAX_LENGTH:
        problems.append(
            Problem(
                reason=_("At most %(n)d characters (got %(got)d).")
                % {"n": TITLE_MAX_LENGTH, "got": len(title.strip())},
                column="title",
            )
        )
    if product is not _UNSET:
        if entry.category.applicant_kind == ApplicantKind.PERSON and product is not None:
            problems.append(Problem(reason=_("A nomination names no product."), column="product"))
        else:
            problems += _check_product(product, entry.organisation)
    if partners is not None and entry.category.applicant_kind != ApplicantKind.PARTNERSHIP:
        problems.append(Problem(reason=_("Only a partnership names partners."), column="partners"))
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        locked = _lock(entry)
        _refuse_unless_draft(locked)
        _check_window(locked.category.edition, moment)
        before = _entry_snapshot(locked)
        if title is not None:
            locked.title = title.strip() or locked.title
        if cleaned is not None:
            locked.answers = cleaned
        if product is not _UNSET:
            locked.product = product
        locked.save()
        if partners is not None and locked.organisation is not None:
            wanted = [o.pk for o in _partner_list(locked.organisation, partners)]
            locked.partners.exclude(organisation_id__in=wanted).delete()
            present = set(locked.partners.values_list("organisation_id", flat=True))
            PartnershipMember.objects.bulk_create(
                [PartnershipMember(entry=locked, organisation_id=pk) for pk in wanted if pk not in present]
            )
        audit_record(actor=by, action="entry.update", target=locked, before=before, after=_entry_snapshot(locked))
    return locked


def entry_attach(*, entry: Entry, by: Any, upload: UploadedFile, now: datetime.datetime | None = None) -> EntryDocument:
    """Attach a document to a draft: a real PDF (checked by its content, not its name), at most 10 MiB, at most
    MAX_DOCUMENTS_PER_ENTRY per application."""
    require(by, "competitions.change_entry", entry, _("You may not change this application."))
    moment = _now(now)
    head = upload.read(8)
    upload.seek(0)
    try:
        validation.pdf_upload(head, upload.size or 0)
    except validation.FieldInvalid as exc:
        raise _invalid([Problem(reason=str(exc), column="file")], _("The document was not accepted.")) from exc
    name = PurePath((upload.name or "document.pdf").replace("\\", "/")).name.strip()[:200] or "document.pdf"
    with transaction.atomic():
        locked = _lock(entry)
        _refuse_unless_draft(locked)
        _check_window(locked.category.edition, moment)
        if locked.documents.count() >= defaults.MAX_DOCUMENTS_PER_ENTRY:
            raise _invalid(
                [
                    Problem(
                        reason=_("At most %(n)d documents per application; remove one first.")
                        % {"n": defaults.MAX_DOCUMENTS_PER_ENTRY},
                        column="file",
                    )
                ],
                _("The document was not accepted."),
            )
        document = EntryDocument(entry=locked, name=name, size=upload.size or 0, uploaded_by=by)
        document.file.save(f"{uuid.uuid4().hex}.pdf", upload, save=False)
        document.save()
        audit_record(
            actor=by,
            action="entry.attach",
            target=locked,
            after={"document": document.pk, "name": name, "size": document.size, "file": document.file.name},
        )
    return document


def entry_detach(*, document: EntryDocument, by: Any, now: datetime.datetime | None = None) -> None:
    """Remove a document from a draft (before the deadline)."""
    entry = document.entry
    require(by, "competitions.change_entry", entry, _("You may not change this application."))
    moment = _now(now)
    with transaction.atomic():
        locked = _lock(entry)
        _refuse_unless_draft(locked)
        _check_window(locked.category.edition, moment)
        audit_record(
            actor=by,
            action="entry.detach",
            target=locked,
            before={"document": document.pk, "name": document.name, "size": document.size, "file": document.file.name},
        )
        file_name = document.file.name
        storage = document.file.storage
        document.delete()
        transaction.on_commit(lambda: storage.delete(file_name) if file_name else None)


# --- Submission and withdrawal -----------------------------------------------------------------------------------


def entry_submit(*, entry: Entry, by: Any, now: datetime.datetime | None = None) -> Entry:
    """Submit a draft before the deadline: every required answer given and the award's rules met (confirmations
    may follow). Emails the applicant a receipt, the nominee a request to confirm, and each partner that has not
    confirmed yet a request to confirm. A second submission, a late one or a broken rule changes nothing."""
    require(by, "competitions.change_entry", entry, _("You may not submit this application."))
    moment = _now(now)
    with transaction.atomic():
        locked = _lock(entry)
        _refuse_unless_draft(locked)
        _check_window(locked.category.edition, moment)
        # Only the questions on the form now: an operator may have removed one after the draft was saved.
        questions = {str(q.get("name")) for q in locked.category.form_fields}
        current = {name: value for name, value in (locked.answers or {}).items() if name in questions}
        _cleaned, problems = clean_answers(locked.category.form_fields, current, final=True)
        if problems:
            raise _invalid(problems, _("Some answers are missing or not valid."))
        problems = eligibility.rule_problems(locked, final=False, today=timezone.localdate(moment))
        if problems:
            raise ChipTownError(
                _("This application does not meet the rules of the award."), code="not_eligible", problems=problems
            )
        before = _entry_snapshot(locked)
        locked.status = EntryStatus.SUBMITTED
        locked.submitted_at = moment
        locked.save()
        audit_record(actor=by, action="entry.submit", target=locked, before=before, after=_entry_snapshot(locked))
        context = {"entry": locked, "category": locked.category, "edition": locked.category.edition}
        notify_on_commit(
            applicant_users(locked), gettext_noop("Application received"), "competitions/email/submitted.txt", context
        )
        if locked.person is not None and locked.person.user is not None:
            notify_on_commit(
                [locked.person.user],
                gettext_noop("You have been nominated: please confirm"),
                "competitions/email/nomination_request.txt",
                {**context, "nominator": by},
            )
        pending = list(locked.partners.filter(confirmed_at__isnull=True).values_list("organisation_id", flat=True))
        if pending:
            notify_on_commit(
                _representatives(pending),
                gettext_noop("Please confirm a Best Partner application"),
                "competitions/email/partnership_request.txt",
                {**context, "lead": locked.organisation},
            )
    return locked


def entry_withdraw(*, entry: Entry, by: Any, now: datetime.datetime | None = None) -> Entry:
    """Withdraw an application (draft or submitted) before judging starts."""
    require(by, "competitions.change_entry", entry, _("You may not withdraw this application."))
    moment = _now(now)
    with transaction.atomic():
        locked = _lock(entry)
        if locked.status == EntryStatus.WITHDRAWN:
            raise Conflict(_("This application was already withdrawn."), code="withdrawn")
        edition = locked.category.edition
        if moment >= edition.judging_start_at:
            raise Conflict(
                _("Judging started on %(when)s; an application can no longer be withdrawn.")
                % {"when": _when(edition.judging_start_at)},
                code="judging_started",
            )
        before = _entry_snapshot(locked)
        locked.status = EntryStatus.WITHDRAWN
        locked.withdrawn_at = moment
        locked.save()
        audit_record(actor=by, action="entry.withdraw", target=locked, before=before, after=_entry_snapshot(locked))
    return locked


# --- Confirmations -----------------------------------------------------------------------------------------------


def _check_awaiting_confirmation(entry: Entry, now: datetime.datetime) -> None:
    if entry.status == EntryStatus.DRAFT:
        raise Conflict(_("This application has not been submitted yet."), code="not_submitted")
    if entry.status == EntryStatus.WITHDRAWN:
        raise Conflict(_("This application was withdrawn."), code="withdrawn")
    if entry.status != EntryStatus.SUBMITTED:
        raise Conflict(_("This application has already been screened."), code="already_screened")
    if now >= entry.category.edition.judging_start_at:
        raise Conflict(
            _("Judging started on %(when)s; it is too late to answer.")
            % {"when": _when(entry.category.edition.judging_start_at)},
            code="judging_started",
        )


def nomination_respond(*, entry: Entry, by: Any, accept: bool, now: datetime.datetime | None = None) -> Entry:
    """The nominee confirms (the nomination can then be screened eligible) or declines (it is withdrawn).
    The nominator hears either way."""
    if entry.category.kind != AwardKind.INFLUENCE_FIGURE:
        raise ChipTownError(_("Only nominations are confirmed by a nominee."), code="not_a_nomination")
    require(
        by,
        "competitions.respond_nomination",
        entry,
        _("Only the nominated person may confirm or decline this nomination."),
    )
    moment = _now(now)
    with transaction.atomic():
        locked = _lock(entry)
        _check_awaiting_confirmation(locked, moment)
        if locked.nominee_confirmed_at is not None:
            raise Conflict(_("You already confirmed this nomination."), code="already_confirmed")
        before = _entry_snapshot(locked)
        if accept:
            locked.nominee_confirmed_at = moment
        else:
            locked.status = EntryStatus.WITHDRAWN
            locked.withdrawn_at = moment
        locked.save()
        audit_record(
            actor=by,
            action="entry.nomination_confirm" if accept else "entry.nomination_decline",
            target=locked,
            before=before,
            after=_entry_snapshot(locked),
        )
        notify_on_commit(
            applicant_users(locked),
            gettext_noop("Nomination confirmed") if accept else gettext_noop("Nomination declined"),
            "competitions/email/nomination_response.txt",
            {"entry": locked, "edition": locked.category.edition, "accepted": accept},
        )
    return locked


def partnership_respond(
    *,
    entry: Entry,
    by: Any,
    accept: bool,
    organisation: Organisation | None = None,
    now: datetime.datetime | None = None,
) -> PartnershipMember:
    """A named partner's representative confirms the partnership (the entry counts once every partner has), or
    declines it (the application is withdrawn). The lead applicant hears either way."""
    if entry.category.kind != AwardKind.BEST_PARTNER:
        raise ChipTownError(_("Only partnerships are confirmed by partners."), code="not_a_partnership")
    require(
        by,
        "competitions.confirm_partnership",
        entry,
        _("Only a representative of a named partner may confirm or decline this application."),
    )
    organisation_id = organisation.pk if organisation is not None else getattr(by, "organisation_id", None)
    if organisation_id is None or organisation_id != getattr(by, "organisation_id", None):
        raise PermissionDenied(_("You may answer only for your own organisation."))
    moment = _now(now)
    with transaction.atomic():
        locked = _lock(entry)
        _check_awaiting_confirmation(locked, moment)
        member = (
            PartnershipMember.objects.select_for_update()
            .select_related("organisation")
            .filter(entry=locked, organisation_id=organisation_id)
            .first()
        )
        if member is None:
            raise PermissionDenied(_("Your organisation is not named in this application."))
        if member.confirmed_at is not None:
            raise Conflict(
                _("%(name)s already confirmed this application.") % {"name": member.organisation.display_name},
                code="already_confirmed",
            )
        before = _entry_snapshot(locked)
        if accept:
            member.confirmed_at = moment
            member.confirmed_by = by
            member.save(update_fields=["confirmed_at", "confirmed_by"])
        else:
            locked.status = EntryStatus.WITHDRAWN
            locked.withdrawn_at = moment
            locked.save()
        after = _entry_snapshot(locked)
        audit_record(
            actor=by,
            action="entry.partner_confirm" if accept else "entry.partner_decline",
            target=locked,
            before={**before, "partner_answer": None},
            after={**after, "partner_answer": {"organisation": member.organisation_id, "confirmed": bool(accept)}},
        )
        notify_on_commit(
            applicant_users(locked),
            gettext_noop("Partner confirmed your application")
            if accept
            else gettext_noop("Partner declined your application"),
            "competitions/email/partnership_response.txt",
            {"entry": locked, "edition": locked.category.edition, "accepted": accept, "partner": member.organisation},
        )
    return member


# --- Screening ---------------------------------------------------------------------------------------------------


def entry_screen(
    *, entry: Entry, by: Any, eligible: bool, reason: str = "", now: datetime.datetime | None = None
) -> Entry:
    """An operator's eligibility decision on a submitted application: eligible (the award's rules are checked
    again, confirmations included) or not eligible with a reason. The applicant is emailed the decision and
    the reason in their language. Deciding the same again, or screening a draft or a withdrawn application,
    is refused and changes nothing."""
    require(by, "competitions.screen_entry", entry, _("Only competition operators screen applications."))
    moment = _now(now)
    reason = (reason or "").strip()
    if not eligible and not reason:
        raise _invalid(
            [Problem(reason=_("Give the reason; the applicant receives it."), column="reason")],
            _("A decision of not eligible needs a reason."),
        )
    if len(reason) > REASON_MAX_LENGTH:
        raise _invalid(
            [
                Problem(
                    reason=_("At most %(n)d characters (got %(got)d).") % {"n": REASON_MAX_LENGTH, "got": len(reason)},
                    column="reason",
                )
            ]
        )
    target = EntryStatus.ELIGIBLE if eligible else EntryStatus.INELIGIBLE
    with transaction.atomic():
        locked = _lock(entry)
        if locked.status == EntryStatus.DRAFT:
            raise Conflict(_("Only submitted applications are screened; this one is a draft."), code="not_submitted")
        if locked.status == EntryStatus.WITHDRAWN:
            raise Conflict(_("This application was withdrawn."), code="withdrawn")
        if locked.category.edition.is_published:
            raise Conflict(_("The results of this edition are published; screening is closed."), code="published")
        if locked.status == target:
            raise Conflict(
                _("This application is already marked %(status)s.") % {"status": locked.get_status_display()},
                code="already_screened",
            )
        if eligible:
            problems = eligibility.rule_problems(locked, final=True, today=timezone.localdate(moment))
            if problems:
                raise ChipTownError(
                    _("This application does not meet the rules of the award yet."),
                    code="not_eligible",
                    problems=problems,
                )
        before = _entry_snapshot(locked)
        locked.status = target
        locked.screened_by = by
        locked.screened_at = moment
        locked.screening_reason = reason
        locked.save()
        audit_record(actor=by, action="entry.screen", target=locked, before=before, after=_entry_snapshot(locked))
        notify_on_commit(
            applicant_users(locked),
            gettext_noop("Eligibility decision on your application"),
            "competitions/email/eligibility.txt",
            {"entry": locked, "edition": locked.category.edition, "eligible": eligible, "reason": reason},
        )
    return locked
