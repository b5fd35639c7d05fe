"""Field checks shared by forms, the API, services and imports: each returns the clean value or raises
FieldInvalid with a reason a person can act on, in their language."""

import csv
import datetime
import functools
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError

from chiptown.registry.models import (
    AEC_Q100_TEMPERATURE,
    STANDARD_LEVELS,
    ChainRole,
    Lifecycle,
    LinkStatus,
    SizeBand,
    Standard,
)

DATA_DIR = Path(__file__).resolve().parent / "data"


class FieldInvalid(ValueError):
    """A value that cannot be accepted; str(exc) is the reason shown to the user."""


@functools.cache
def country_codes() -> frozenset[str]:
    with (DATA_DIR / "countries.csv").open(encoding="utf-8") as f:
        return frozenset(row["code"] for row in csv.DictReader(f))


def text(value: str, *, max_length: int) -> str:
    """Free text for a column of `max_length` characters, stripped of surrounding spaces."""
    stripped = value.strip()
    if len(stripped) > max_length:
        raise FieldInvalid(_("At most %(n)d characters (got %(got)d).") % {"n": max_length, "got": len(stripped)})
    return stripped


def credit_code(value: str) -> str:
    """A Unified Social Credit Code (GB 32100-2015), upper-cased, with its check character verified."""
    code = value.strip().upper()
    try:
        return str(uscc.validate(code))
    except InvalidLength as exc:
        raise FieldInvalid(_("A Unified Social Credit Code has 18 characters (got %(n)d).") % {"n": len(code)}) from exc
    except InvalidChecksum as exc:
        raise FieldInvalid(_("The check character of credit code %(code)s is wrong.") % {"code": code}) from exc
    except (InvalidFormat, StdnumError) as exc:
        raise FieldInvalid(_("%(code)s is not a valid Unified Social Credit Code.") % {"code": code}) from exc


def country(value: str) -> str:
    code = value.strip().upper()
    if code not in country_codes():
        raise FieldInvalid(_("%(value)s is not an ISO 3166 country code such as CN, DE or US.") % {"value": value})
    return code


def choice(
    value: str, choices: type[ChainRole] | type[SizeBand] | type[Lifecycle] | type[LinkStatus] | type[Standard]
) -> str:
    """A value from a TextChoices enum, matched by code or by either language's label."""
    text = value.strip()
    for member in choices:
        if text.casefold() in {str(member.value).casefold(), str(member.label).casefold()}:
            return str(member.value)
    allowed = ", ".join(str(m.value) for m in choices)
    raise FieldInvalid(_("%(value)s is not one of: %(allowed)s.") % {"value": text, "allowed": allowed})


def roles(value: str) -> list[str]:
    """Chain roles separated by ';' or ','."""
    parts = [p for p in re.split(r"[;,，；|]", value) if p.strip()]
    if not parts:
        raise FieldInvalid(_("Give at least one chain role."))
    return sorted({choice(p, ChainRole) for p in parts})


def year(value: str | int, *, today: datetime.date | None = None) -> int:
    today = today or datetime.date.today()
    try:
        number = int(str(value).strip())
    except ValueError as exc:
        raise FieldInvalid(_("%(value)s is not a year.") % {"value": value}) from exc
    if not 1800 <= number <= today.year:
        raise FieldInvalid(_("The year must lie between 1800 and %(this_year)d.") % {"this_year": today.year})
    return number


def date(value: str | datetime.date) -> datetime.date:
    """An ISO date (YYYY-MM-DD); also accepts YYYY/MM/DD as spreadsheets in China often write it."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%Y/%m/%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise FieldInvalid(_("%(value)s is not a date in the form YYYY-MM-DD.") % {"value": text})


def share(value: str | Decimal | float | int) -> Decimal:
    """A percentage from 0 to 100, with up to two decimals; a trailing % is allowed."""
    text = str(value).strip().rstrip("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise FieldInvalid(_("%(value)s is not a number.") % {"value": value}) from exc
    if not number.is_finite() or number < 0 or number > 100:
        raise FieldInvalid(_("A share is a percentage from 0 to 100 (got %(value)s).") % {"value": text})
    return number.quantize(Decimal("0.01"))


def boolean(value: str | bool) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in {"1", "true", "yes", "y", "是", "x"}:
        return True
    if text in {"0", "false", "no", "n", "否", ""}:
        return False
    raise FieldInvalid(_("%(value)s is not yes or no.") % {"value": value})


_url_validator = URLValidator(schemes=["http", "https"])


def url(value: str) -> str:
    text = value.strip()
    if text and "://" not in text:
        text = "https://" + text
    try:
        _url_validator(text)
    except ValidationError as exc:
        raise FieldInvalid(_("%(value)s is not a web address.") % {"value": value}) from exc
    return text


def email(value: str) -> str:
    address = value.strip()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise FieldInvalid(_("%(value)s is not an email address.") % {"value": value}) from exc
    return address


def standard_level(standard: str, level: str) -> str:
    """The level a standard takes: AEC-Q100 grade 0-3, ISO 26262 QM or ASIL A-D, nothing for the others."""
    text = level.strip().upper().removeprefix("ASIL").removeprefix("GRADE").strip()
    allowed = STANDARD_LEVELS.get(standard)
    if allowed is None:
        if text:
            raise FieldInvalid(_("%(standard)s has no grade or level.") % {"standard": standard})
        return ""
    if text not in allowed:
        raise FieldInvalid(
            _("%(standard)s takes one of: %(allowed)s.") % {"standard": standard, "allowed": ", ".join(allowed)}
        )
    return text


assert set(AEC_Q100_TEMPERATURE) == set(STANDARD_LEVELS[Standard.AEC_Q100])

PDF_MAX_BYTES = 10 * 1024 * 1024


def pdf_upload(head: bytes, size: int) -> None:
    """A certificate upload: really a PDF (checked by content, not name), at most 10 MiB."""
    if size > PDF_MAX_BYTES:
        raise FieldInvalid(_("The file is larger than 10 MiB."))
    if not head.startswith(b"%PDF-"):
        raise FieldInvalid(_("The file is not a PDF."))
