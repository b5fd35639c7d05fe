"""Every write to the registry: validated, permission-checked, one transaction each, audited."""

import datetime
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError, Sum
from django.utils.translation import gettext as _

from chiptown.core.errors import ChipTownError, PermissionDenied, Problem
from chiptown.core.services import audit_record, snapshot
from chiptown.registry import validation
from chiptown.registry.models import (
    ORGANISATION_STANDARDS,
    SHARE_LIMIT,
    ChipCategory,
    Organisation,
    OrganisationRole,
    Person,
    Product,
    Qualification,
    SupplyLink,
    name_key,
)

ORGANISATION_FIELDS = (
    "name_zh",
    "name_en",
    "credit_code",
    "country",
    "province",
    "city",
    "address",
    "in_park",
    "size_band",
    "founded_year",
    "website",
    "description",
)
PRODUCT_FIELDS = ("category", "part_number", "name_zh", "name_en", "process_node", "lifecycle")
QUALIFICATION_FIELDS = ("standard", "level", "issuer", "certificate_number", "issued_on", "expires_on")
SUPPLY_LINK_FIELDS = ("supplier", "buyer", "category", "product", "status", "share", "since")
PERSON_FIELDS = ("name_zh", "name_en", "title", "email")


def _require(by: Any, perm: str, target: Any) -> None:
    if not by.has_perm(perm, target):
        raise PermissionDenied(_("You may not change this."))


def _invalid(problems: list[Problem]) -> ChipTownError:
    return ChipTownError(_("Some fields are not valid."), code="invalid", problems=problems)


def _clean(values: Mapping[str, Any], checks: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """Run the field checks that apply to the given values; collect every problem, not just the first."""
    cleaned: dict[str, Any] = dict(values)
    problems: list[Problem] = []
    for field, check in checks.items():
        if field in values and values[field] not in (None, ""):
            try:
                cleaned[field] = check(values[field])
            except validation.FieldInvalid as exc:
                problems.append(Problem(reason=str(exc), column=field))
    return cleaned, problems


def _organisation_checks() -> dict[str, Any]:
    return {
        "credit_code": validation.credit_code,
        "country": validation.country,
        "founded_year": validation.year,
        "website": validation.url,
    }


def _organisation_problems(values: dict[str, Any], *, exclude_pk: int | None) -> list[Problem]:
    problems: list[Problem] = []
    if not (values.get("name_zh") or "").strip() and not (values.get("name_en") or "").strip():
        problems.append(Problem(reason=_("Give a name in Chinese or English."), column="name_en"))
    code = values.get("credit_code") or None
    if code and values.get("country", "CN") != "CN":
        problems.append(Problem(reason=_("Only Chinese organisations have a credit code."), column="credit_code"))
    if (
        code
        and Organisation.objects.filter(credit_code=code).exclude(pk__in=[exclude_pk] if exclude_pk else []).exists()
    ):
        problems.append(Problem(reason=_("Another organisation already has this credit code."), column="credit_code"))
    if not code:
        key = name_key(values.get("name_en") or values.get("name_zh") or "")
        clash = Organisation.objects.filter(
            credit_code__isnull=True, country=values.get("country", "CN"), name_key=key
        ).exclude(pk__in=[exclude_pk] if exclude_pk else [])
        if key and clash.exists():
            problems.append(
                Problem(reason=_("An organisation with this name already exists in this country."), column="name_en")
            )
    return problems


def organisation_create(*, by: Any, values: Mapping[str, Any], roles: list[str] | None = None) -> Organisation:
    _require(by, "registry.add_organisation", None)
    cleaned, problems = _clean(values, _organisation_checks())
    cleaned.setdefault("country", "CN")
    problems += _organisation_problems(cleaned, exclude_pk=None)
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        organisation = Organisation(**{k: v for k, v in cleaned.items() if k in ORGANISATION_FIELDS})
        organisation.save()
        OrganisationRole.objects.bulk_create(
            [OrganisationRole(organisation=organisation, role=r) for r in sorted(set(roles or []))]
        )
        audit_record(
            actor=by,
            action="organisation.create",
            target=organisation,
            after={**snapshot(organisation, ORGANISATION_FIELDS), "roles": sorted(set(roles or []))},
        )
    return organisation


def organisation_update(
    *, organisation: Organisation, by: Any, values: Mapping[str, Any], roles: list[str] | None = None
) -> Organisation:
    """Change an organisation's fields (only those given) and, when given, its chain roles."""
    _require(by, "registry.change_organisation", organisation)
    unknown = set(values) - set(ORGANISATION_FIELDS)
    if unknown:
        raise _invalid([Problem(reason=_("This field cannot be changed here."), column=f) for f in sorted(unknown)])
    cleaned, problems = _clean(values, _organisation_checks())
    merged = {**snapshot(organisation, ORGANISATION_FIELDS), **cleaned}
    problems += _organisation_problems(merged, exclude_pk=organisation.pk)
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
        before = {**snapshot(locked, ORGANISATION_FIELDS), "roles": sorted(locked.roles.values_list("role", flat=True))}
        for field, value in cleaned.items():
            setattr(locked, field, value)
        locked.save()
        if roles is not None:
            locked.roles.exclude(role__in=roles).delete()
            existing = set(locked.roles.values_list("role", flat=True))
            OrganisationRole.objects.bulk_create(
                [OrganisationRole(organisation=locked, role=r) for r in sorted(set(roles) - existing)]
            )
        after = {**snapshot(locked, ORGANISATION_FIELDS), "roles": sorted(locked.roles.values_list("role", flat=True))}
        audit_record(actor=by, action="organisation.update", target=locked, before=before, after=after)
    return locked


def organisation_set_logo(*, organisation: Organisation, by: Any, logo: UploadedFile) -> None:
    _require(by, "registry.change_organisation", organisation)
    if logo.size and logo.size > 2 * 1024 * 1024:
        raise _invalid([Problem(reason=_("A logo may be at most 2 MiB."), column="logo")])
    head = logo.read(16)
    logo.seek(0)
    if not (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8") or head[8:12] == b"WEBP"):
        raise _invalid([Problem(reason=_("A logo must be a PNG, JPEG or WebP image."), column="logo")])
    with transaction.atomic():
        before = organisation.logo.name
        organisation.logo.save(logo.name or "logo", logo, save=True)
        audit_record(
            actor=by,
            action="organisation.set_logo",
            target=organisation,
            before={"logo": before},
            after={"logo": organisation.logo.name},
        )


def organisation_delete(*, organisation: Organisation, by: Any) -> None:
    _require(by, "registry.delete_organisation", organisation)
    with transaction.atomic():
        audit_record(
            actor=by,
            action="organisation.delete",
            target=organisation,
            before=snapshot(organisation, ORGANISATION_FIELDS),
        )
        organisation.delete()


def _product_checks() -> dict[str, Any]:
    from chiptown.registry.models import Lifecycle

    return {"lifecycle": lambda v: validation.choice(v, Lifecycle)}


def _category(value: Any) -> ChipCategory:
    if isinstance(value, ChipCategory):
        return value
    category = ChipCategory.objects.filter(code=str(value)).first()
    if category is None:
        raise validation.FieldInvalid(_("%(value)s is not a chip category.") % {"value": value})
    return category


def product_create(*, by: Any, organisation: Organisation, values: Mapping[str, Any]) -> Product:
    _require(by, "registry.add_product", organisation)
    checks = {**_product_checks(), "category": _category}
    cleaned, problems = _clean(values, checks)
    if not str(cleaned.get("part_number", "")).strip():
        problems.append(Problem(reason=_("Give a part number."), column="part_number"))
    if "category" not in cleaned or not cleaned["category"]:
        problems.append(Problem(reason=_("Choose a chip category."), column="category"))
    elif Product.objects.filter(organisation=organisation, part_number=str(cleaned["part_number"]).strip()).exists():
        problems.append(
            Problem(reason=_("This maker already has a product with this part number."), column="part_number")
        )
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        product = Product(organisation=organisation, **{k: v for k, v in cleaned.items() if k in PRODUCT_FIELDS})
        product.part_number = product.part_number.strip()
        product.save()
        audit_record(actor=by, action="product.create", target=product, after=snapshot(product))
    return product


def product_update(*, product: Product, by: Any, values: Mapping[str, Any]) -> Product:
    _require(by, "registry.change_product", product)
    cleaned, problems = _clean(values, {**_product_checks(), "category": _category})
    part_number = str(cleaned.get("part_number", product.part_number)).strip()
    if not part_number:
        problems.append(Problem(reason=_("Give a part number."), column="part_number"))
    elif (
        Product.objects.filter(organisation_id=product.organisation_id, part_number=part_number)
        .exclude(pk=product.pk)
        .exists()
    ):
        problems.append(
            Problem(reason=_("This maker already has a product with this part number."), column="part_number")
        )
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        before = snapshot(product)
        for field, value in cleaned.items():
            if field in PRODUCT_FIELDS:
                setattr(product, field, value)
        product.part_number = part_number
        product.save()
        audit_record(actor=by, action="product.update", target=product, before=before, after=snapshot(product))
    return product


def product_delete(*, product: Product, by: Any) -> None:
    _require(by, "registry.delete_product", product)
    with transaction.atomic():
        audit_record(actor=by, action="product.delete", target=product, before=snapshot(product))
        product.delete()


def _qualification_values(
    values: Mapping[str, Any], *, holder_is_product: bool
) -> tuple[dict[str, Any], list[Problem]]:
    from chiptown.registry.models import Standard

    cleaned, problems = _clean(
        values,
        {
            "standard": lambda v: validation.choice(v, Standard),
            "issued_on": validation.date,
            "expires_on": validation.date,
        },
    )
    standard = cleaned.get("standard")
    if not standard:
        problems.append(Problem(reason=_("Choose a standard."), column="standard"))
    else:
        try:
            cleaned["level"] = validation.standard_level(standard, str(cleaned.get("level") or ""))
        except validation.FieldInvalid as exc:
            problems.append(Problem(reason=str(exc), column="level"))
        if holder_is_product and standard in ORGANISATION_STANDARDS:
            problems.append(
                Problem(
                    reason=_("%(standard)s qualifies a plant, not a product.") % {"standard": standard},
                    column="standard",
                )
            )
        if not holder_is_product and standard not in ORGANISATION_STANDARDS:
            problems.append(
                Problem(
                    reason=_("%(standard)s qualifies a product, not a plant.") % {"standard": standard},
                    column="standard",
                )
            )
    if not str(cleaned.get("certificate_number") or "").strip():
        problems.append(Problem(reason=_("Give the certificate number."), column="certificate_number"))
    issued, expires = cleaned.get("issued_on"), cleaned.get("expires_on")
    if isinstance(issued, datetime.date) and isinstance(expires, datetime.date) and expires < issued:
        problems.append(Problem(reason=_("The expiry date is before the issue date."), column="expires_on"))
    for field in ("issued_on", "expires_on"):
        if cleaned.get(field) == "":
            cleaned[field] = None
    return cleaned, problems


def _check_pdf(certificate_pdf: UploadedFile | None) -> list[Problem]:
    if certificate_pdf is None:
        return []
    head = certificate_pdf.read(8)
    certificate_pdf.seek(0)
    try:
        validation.pdf_upload(head, certificate_pdf.size or 0)
    except validation.FieldInvalid as exc:
        return [Problem(reason=str(exc), column="certificate_pdf")]
    return []


def qualification_create(
    *,
    by: Any,
    values: Mapping[str, Any],
    product: Product | None = None,
    organisation: Organisation | None = None,
    certificate_pdf: UploadedFile | None = None,
) -> Qualification:
    """Record a certificate for a product, or for an organisation (IATF 16949 plants)."""
    if (product is None) == (organisation is None):
        raise ChipTownError(_("A qualification belongs to either a product or an organisation."))
    owner = product.organisation if product is not None else organisation
    _require(by, "registry.add_qualification", owner)
    cleaned, problems = _qualification_values(values, holder_is_product=product is not None)
    problems += _check_pdf(certificate_pdf)
    if (
        not problems
        and Qualification.objects.filter(
            standard=cleaned["standard"],
            issuer=str(cleaned.get("issuer") or ""),
            certificate_number=str(cleaned["certificate_number"]).strip(),
        ).exists()
    ):
        problems.append(Problem(reason=_("This certificate is already recorded."), column="certificate_number"))
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        qualification = Qualification(
            product=product,
            organisation=organisation if product is None else None,
            **{k: v for k, v in cleaned.items() if k in QUALIFICATION_FIELDS},
        )
        qualification.certificate_number = qualification.certificate_number.strip()
        if certificate_pdf is not None:
            qualification.certificate_pdf.save(certificate_pdf.name or "certificate.pdf", certificate_pdf, save=False)
        qualification.save()
        audit_record(actor=by, action="qualification.create", target=qualification, after=snapshot(qualification))
    return qualification


def qualification_update(
    *, qualification: Qualification, by: Any, values: Mapping[str, Any], certificate_pdf: UploadedFile | None = None
) -> Qualification:
    _require(by, "registry.change_qualification", qualification)
    merged = {**snapshot(qualification, QUALIFICATION_FIELDS), **values}
    cleaned, problems = _qualification_values(merged, holder_is_product=qualification.product_id is not None)
    problems += _check_pdf(certificate_pdf)
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        before = snapshot(qualification)
        for field in QUALIFICATION_FIELDS:
            if field in cleaned:
                setattr(qualification, field, cleaned[field])
        if certificate_pdf is not None:
            qualification.certificate_pdf.save(certificate_pdf.name or "certificate.pdf", certificate_pdf, save=False)
        try:
            with transaction.atomic():
                qualification.save()
        except IntegrityError as exc:
            raise _invalid(
                [Problem(reason=_("This certificate is already recorded."), column="certificate_number")]
            ) from exc
        audit_record(
            actor=by, action="qualification.update", target=qualification, before=before, after=snapshot(qualification)
        )
    return qualification


def qualification_delete(*, qualification: Qualification, by: Any) -> None:
    _require(by, "registry.delete_qualification", qualification)
    with transaction.atomic():
        audit_record(actor=by, action="qualification.delete", target=qualification, before=snapshot(qualification))
        qualification.delete()


def _share_taken(*, buyer_id: int, category_id: str, exclude_pk: int | None) -> Decimal:
    total = (
        SupplyLink.objects.filter(buyer_id=buyer_id, category_id=category_id)
        .exclude(pk__in=[exclude_pk] if exclude_pk else [])
        .aggregate(total=Sum("share"))["total"]
    )
    return Decimal(total or 0)


def _supply_link_values(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    from chiptown.registry.models import LinkStatus

    cleaned, problems = _clean(
        values,
        {
            "category": _category,
            "status": lambda v: validation.choice(v, LinkStatus),
            "share": validation.share,
            "since": validation.date,
        },
    )
    for field in ("supplier", "buyer"):
        if not isinstance(cleaned.get(field), Organisation):
            problems.append(Problem(reason=_("Choose an organisation."), column=field))
    supplier, buyer = cleaned.get("supplier"), cleaned.get("buyer")
    if isinstance(supplier, Organisation) and isinstance(buyer, Organisation) and supplier.pk == buyer.pk:
        problems.append(Problem(reason=_("An organisation cannot supply itself."), column="buyer"))
    product = cleaned.get("product")
    if product is not None and not isinstance(product, Product):
        problems.append(Problem(reason=_("Choose a product."), column="product"))
    elif isinstance(product, Product):
        if isinstance(supplier, Organisation) and product.organisation_id != supplier.pk:
            # A distributor or Tier-1 may pass on another maker's part: allowed, but the category must match.
            pass
        if "category" not in cleaned or not cleaned["category"]:
            cleaned["category"] = product.category
        elif isinstance(cleaned["category"], ChipCategory) and cleaned["category"].pk != product.category_id:
            problems.append(Problem(reason=_("The product is in another chip category."), column="category"))
    if not cleaned.get("category"):
        problems.append(Problem(reason=_("Choose a chip category."), column="category"))
    for field in ("share", "since"):
        if cleaned.get(field) == "":
            cleaned[field] = None
    return cleaned, problems


def _save_supply_link(link: SupplyLink, cleaned: dict[str, Any]) -> None:
    """Write a link while holding the buyer's row lock, so concurrent writers cannot push shares past 100 %."""
    Organisation.objects.select_for_update().filter(pk=link.buyer_id).first()
    if link.share is not None:
        taken = _share_taken(buyer_id=link.buyer_id, category_id=link.category_id, exclude_pk=link.pk)
        if taken + link.share > SHARE_LIMIT:
            raise _invalid(
                [
                    Problem(
                        reason=_(
                            "The buyer's shares in this category would reach %(total)s %%; they cannot exceed 100 %%."
                        )
                        % {"total": taken + link.share},
                        column="share",
                    )
                ]
            )
    try:
        with transaction.atomic():
            link.save()
    except IntegrityError as exc:
        raise _invalid([Problem(reason=_("This supply link is already recorded."), column="supplier")]) from exc


def supply_link_create(*, by: Any, values: Mapping[str, Any]) -> SupplyLink:
    cleaned, problems = _supply_link_values(values)
    if problems:
        raise _invalid(problems)
    link = SupplyLink(**{k: v for k, v in cleaned.items() if k in SUPPLY_LINK_FIELDS})
    _require(by, "registry.add_supplylink", link.buyer)
    with transaction.atomic():
        _save_supply_link(link, cleaned)
        audit_record(actor=by, action="supply_link.create", target=link, after=snapshot(link))
    return link


def supply_link_update(*, link: SupplyLink, by: Any, values: Mapping[str, Any]) -> SupplyLink:
    _require(by, "registry.change_supplylink", link)
    merged = {
        "supplier": link.supplier,
        "buyer": link.buyer,
        "category": link.category,
        "product": link.product,
        "status": link.status,
        "share": link.share,
        "since": link.since,
        **values,
    }
    cleaned, problems = _supply_link_values(merged)
    if problems:
        raise _invalid(problems)
    if cleaned["buyer"].pk != link.buyer_id:
        _require(by, "registry.change_supplylink", SupplyLink(buyer=cleaned["buyer"]))
    with transaction.atomic():
        before = snapshot(link)
        for field in SUPPLY_LINK_FIELDS:
            setattr(link, field, cleaned.get(field))
        _save_supply_link(link, cleaned)
        audit_record(actor=by, action="supply_link.update", target=link, before=before, after=snapshot(link))
    return link


def supply_link_delete(*, link: SupplyLink, by: Any) -> None:
    _require(by, "registry.delete_supplylink", link)
    with transaction.atomic():
        audit_record(actor=by, action="supply_link.delete", target=link, before=snapshot(link))
        link.delete()


def _person_values(values: Mapping[str, Any]) -> tuple[dict[str, Any], list[Problem]]:
    """A person's fields checked: lengths, the email's form, and a name in at least one language."""

    def short_text(value: Any) -> str:
        return validation.text(str(value), max_length=100)

    unknown = set(values) - set(PERSON_FIELDS)
    problems = [Problem(reason=_("This field cannot be changed here."), column=f) for f in sorted(unknown)]
    cleaned, field_problems = _clean(
        {k: "" if v is None else v for k, v in values.items() if k in PERSON_FIELDS},  # the columns are not null
        {"name_zh": short_text, "name_en": short_text, "title": short_text, "email": validation.email},
    )
    problems += field_problems
    if not str(cleaned.get("name_zh", "")).strip() and not str(cleaned.get("name_en", "")).strip():
        problems.append(Problem(reason=_("Give a name in Chinese or English."), column="name_en"))
    return cleaned, problems


def person_create(*, by: Any, organisation: Organisation, values: Mapping[str, Any]) -> Person:
    _require(by, "registry.add_person", organisation)
    cleaned, problems = _person_values(values)
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        person = Person(organisation=organisation, **cleaned)
        person.save()
        audit_record(actor=by, action="person.create", target=person, after=snapshot(person))
    return person


def person_update(*, person: Person, by: Any, values: Mapping[str, Any]) -> Person:
    """Change a person's names, position or email (only those given)."""
    _require(by, "registry.change_person", person)
    cleaned, problems = _person_values({**snapshot(person, PERSON_FIELDS), **values})
    if problems:
        raise _invalid(problems)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        before = snapshot(locked, PERSON_FIELDS)
        for field, value in cleaned.items():
            setattr(locked, field, value)
        locked.save()
        audit_record(
            actor=by, action="person.update", target=locked, before=before, after=snapshot(locked, PERSON_FIELDS)
        )
    return locked


def person_delete(*, person: Person, by: Any) -> None:
    """Remove a person from the registry; refused while a competition entry names them (the entry keeps them)."""
    _require(by, "registry.delete_person", person)
    try:
        with transaction.atomic():
            audit_record(actor=by, action="person.delete", target=person, before=snapshot(person))
            person.delete()
    except ProtectedError as exc:
        raise ChipTownError(
            _("%(name)s is named in a competition entry and cannot be removed; the entry must change first.")
            % {"name": person.display_name},
            code="protected",
            status=409,
        ) from exc


def chip_categories_load() -> int:
    """Make sure the ten MIIT chip categories exist (migration 0002 loads them; a flushed test database or a
    restored dump may lack them). Returns how many were created."""
    import csv

    from chiptown.registry.validation import DATA_DIR

    existing = set(ChipCategory.objects.values_list("code", flat=True))
    with (DATA_DIR / "chip_categories.csv").open(encoding="utf-8") as f:
        missing = [
            ChipCategory(
                code=row["code"],
                name_en=row["name_en"],
                name_zh=row["name_zh"],
                examples=row["examples"],
                position=position,
            )
            for position, row in enumerate(csv.DictReader(f))
            if row["code"] not in existing
        ]
    ChipCategory.objects.bulk_create(missing)
    return len(missing)
