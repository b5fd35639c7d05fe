"""Registry import: read a CSV or XLSX file, check every row on plain tuples, then write all of it in one
transaction with executemany, or write nothing and list every problem with its row and column.

Why plain tuples and executemany rather than forms and the ORM: 320,000 rows (20,000 organisations, 100,000
products, 200,000 supply links) must load in well under a minute on SQLite, and building a model instance per
row alone costs several times the whole write (see STACK-NOTES). So each table's existing keys are read in one
query into dicts, each row is checked with the field checks of registry/validation.py (memoised per distinct
value, since most columns repeat a handful of values), and the writes are a few executemany calls. The columns
that Organisation.save() and Product.save() would fill (name_key, search_text) are filled here with the same
functions.
"""

import contextlib
import csv
import datetime
import functools
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar, cast

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from rapidfuzz import fuzz, process

from chiptown.core.errors import ChipTownError, Conflict, PermissionDenied, Problem
from chiptown.core.models import Job
from chiptown.core.services import Progress, audit_record, job_create, no_progress
from chiptown.registry import validation
from chiptown.registry.models import (
    SHARE_LIMIT,
    ChipCategory,
    ImportBatch,
    Lifecycle,
    LinkStatus,
    Organisation,
    OrganisationRole,
    Product,
    Qualification,
    SizeBand,
    SupplyLink,
    name_key,
    pick_language,
    search_key,
)

T = TypeVar("T")

KINDS = ("organisations", "products", "qualifications", "supply_links")
MAX_PROBLEMS = 200
MAX_WARNINGS = 200
MAX_FILE_BYTES = 100 * 1024 * 1024
FUZZY_THRESHOLD = 90
PROGRESS_EVERY = 5000

# Two example organisations, so that the four templates import back in, in order, without an error:
# the products, the qualification and the supply link of the other templates refer to them.
EXAMPLE_MAKER_CODE = "91310115MA1K4QX0EF"
EXAMPLE_BUYER_CODE = "91320594MA1MFYTB0A"


@dataclass(frozen=True)
class Column:
    """One column of an import file: its English header, the Chinese headers also accepted, what it holds."""

    name: str
    help: Promise
    aliases: tuple[str, ...] = ()
    examples: tuple[str, ...] = ()


ORGANISATION_COLUMNS = (
    Column(
        "name_zh",
        gettext_lazy("Chinese name. Give at least one of name_zh and name_en."),
        ("中文名称", "名称", "企业名称", "公司名称", "单位名称"),
        ("示例芯片科技有限公司", "示例汽车电子有限公司"),
    ),
    Column(
        "name_en", gettext_lazy("English name."), ("英文名称",), ("Example Chip Technology", "Example Auto Electronics")
    ),
    Column(
        "credit_code",
        gettext_lazy(
            "Unified Social Credit Code (18 characters, check character verified); Chinese organisations only. "
            "A row whose code is registered updates that organisation."
        ),
        ("统一社会信用代码", "信用代码", "社会信用代码"),
        (EXAMPLE_MAKER_CODE, EXAMPLE_BUYER_CODE),
    ),
    Column(
        "country",
        gettext_lazy(
            "ISO 3166 country code such as CN, DE, US; empty means CN. Without a credit code, an organisation "
            "is known by its name and country."
        ),
        ("国家", "国家或地区", "国别"),
        ("CN", "CN"),
    ),
    Column("province", gettext_lazy("Province."), ("省份", "省"), ("上海市", "江苏省")),
    Column("city", gettext_lazy("City."), ("城市", "市"), ("上海", "苏州")),
    Column("address", gettext_lazy("Street address."), ("地址", "详细地址"), ("张江路 1 号", "星湖街 2 号")),
    Column(
        "in_park",
        gettext_lazy("In the park: yes or no (是 or 否)."),
        ("园区企业", "是否园区企业", "在园区"),
        ("yes", "no"),
    ),
    Column(
        "size_band", gettext_lazy("micro, small, medium, large or giant."), ("规模", "企业规模"), ("small", "medium")
    ),
    Column("founded_year", gettext_lazy("Year founded, e.g. 2016."), ("成立年份", "成立时间"), ("2016", "2009")),
    Column("website", gettext_lazy("Web address."), ("网站", "官网", "网址"), ("https://chip.example.com", "")),
    Column(
        "roles",
        gettext_lazy("Chain role codes separated by ';', e.g. fabless;idm (see the list of roles below)."),
        ("产业链角色", "角色", "链上角色"),
        ("fabless", "tier1"),
    ),
)

PRODUCT_COLUMNS = (
    Column(
        "maker",
        gettext_lazy("The maker: its credit code, or name|country (e.g. Infineon Technologies|DE) without one."),
        ("制造商", "生产商", "厂商"),
        (EXAMPLE_MAKER_CODE,),
    ),
    Column(
        "category",
        gettext_lazy("Chip category code (see the list below), or its name in either language."),
        ("芯片类别", "类别", "芯片类型"),
        ("control",),
    ),
    Column(
        "part_number",
        gettext_lazy("Part number; with the maker it identifies the product."),
        ("型号", "料号", "产品型号"),
        ("EX32A100",),
    ),
    Column("name_zh", gettext_lazy("Chinese name."), ("中文名称", "名称", "产品名称"), ("车规级 32 位 MCU",)),
    Column("name_en", gettext_lazy("English name."), ("英文名称",), ("Automotive 32-bit MCU",)),
    Column("process_node", gettext_lazy("Process node, e.g. 40nm."), ("工艺节点", "制程", "工艺"), ("40nm",)),
    Column(
        "lifecycle",
        gettext_lazy("development, sampling, mass_production, nrnd or eol; empty means mass_production."),
        ("生命周期", "产品状态"),
        ("mass_production",),
    ),
)

QUALIFICATION_COLUMNS = (
    Column(
        "holder",
        gettext_lazy(
            "The organisation: its credit code, or name|country. With part_number, the qualification is that "
            "organisation's product's; without, the organisation's own (IATF 16949 plants)."
        ),
        ("持证方", "持有方", "企业"),
        (EXAMPLE_MAKER_CODE,),
    ),
    Column(
        "part_number",
        gettext_lazy("Part number of the holder's product; empty for a plant certificate."),
        ("型号", "料号", "产品型号"),
        ("EX32A100",),
    ),
    Column(
        "standard",
        gettext_lazy(
            "AEC-Q100, AEC-Q101, AEC-Q102, AEC-Q103, AEC-Q104, AEC-Q200, ISO 26262, ISO/SAE 21434 or IATF 16949."
        ),
        ("标准", "认证标准"),
        ("AEC-Q100",),
    ),
    Column(
        "level",
        gettext_lazy("AEC-Q100 grade 0-3; ISO 26262 QM, A, B, C or D; empty for the other standards."),
        ("等级", "级别"),
        ("1",),
    ),
    Column("issuer", gettext_lazy("Who issued the certificate."), ("发证机构", "认证机构"), ("Example Test Lab",)),
    Column(
        "certificate_number",
        gettext_lazy("Certificate number; with the standard and issuer it identifies the certificate."),
        ("证书编号", "证书号"),
        ("EX-Q100-0001",),
    ),
    Column("issued_on", gettext_lazy("Date of issue, YYYY-MM-DD."), ("发证日期", "颁发日期"), ("2024-03-01",)),
    Column(
        "expires_on",
        gettext_lazy("Expiry date, YYYY-MM-DD; may be empty."),
        ("有效期至", "到期日期", "失效日期"),
        ("2027-02-28",),
    ),
)

SUPPLY_LINK_COLUMNS = (
    Column(
        "supplier",
        gettext_lazy("The supplier: its credit code, or name|country. It must already be registered."),
        ("供应商", "供方"),
        (EXAMPLE_MAKER_CODE,),
    ),
    Column(
        "buyer",
        gettext_lazy("The buyer: its credit code, or name|country. It must already be registered."),
        ("采购方", "客户", "买方"),
        (EXAMPLE_BUYER_CODE,),
    ),
    Column(
        "category",
        gettext_lazy("Chip category code; may be empty when part_number is given."),
        ("芯片类别", "类别"),
        ("control",),
    ),
    Column(
        "part_number",
        gettext_lazy(
            "Part number of the product supplied (optional), made by the supplier unless product_maker says otherwise."
        ),
        ("型号", "料号", "产品型号"),
        ("EX32A100",),
    ),
    Column(
        "product_maker",
        gettext_lazy(
            "Optional: the product's maker when it is not the supplier (a distributor or Tier-1 passing on a part)."
        ),
        ("产品制造商",),
        ("",),
    ),
    Column(
        "status",
        gettext_lazy("evaluation, design_win or mass_production; empty means evaluation."),
        ("状态", "合作状态", "供货状态"),
        ("design_win",),
    ),
    Column(
        "share",
        gettext_lazy(
            "Share of the buyer's volume in this category, in %; "
            "a buyer's shares in one category add up to at most 100."
        ),
        ("份额", "采购份额", "供货份额"),
        ("30",),
    ),
    Column("since", gettext_lazy("Since when, YYYY-MM-DD."), ("开始日期", "起始日期", "合作开始"), ("2023-06-01",)),
)

COLUMNS: dict[str, tuple[Column, ...]] = {
    "organisations": ORGANISATION_COLUMNS,
    "products": PRODUCT_COLUMNS,
    "qualifications": QUALIFICATION_COLUMNS,
    "supply_links": SUPPLY_LINK_COLUMNS,
}

# Columns a file must have; a tuple of several means "at least one of these".
REQUIRED_COLUMNS: dict[str, tuple[tuple[str, ...], ...]] = {
    "organisations": (("name_zh", "name_en"),),
    "products": (("maker",), ("category",), ("part_number",)),
    "qualifications": (("holder",), ("standard",), ("certificate_number",)),
    "supply_links": (("supplier",), ("buyer",), ("category",)),
}


def kind_label(kind: str) -> str:
    return str(ImportBatch.Kind(kind).label)


# ---------------------------------------------------------------------------------------------------------------
# Reading the file


def _header_key(text: str) -> str:
    """A header as compared: case, spaces, underscores, hyphens, brackets and % ignored."""
    return re.sub(r"[\s_\-()（）\[\]【】%％]", "", text).casefold()


@dataclass
class Sheet:
    """The rows of an import file: the header as written, and the data rows with their spreadsheet row numbers."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _file_error(reason: str) -> ChipTownError:
    return ChipTownError(reason, code="unreadable_file", problems=[Problem(reason=reason)])


def _not_csv_or_xlsx() -> ChipTownError:
    return _file_error(_("The file is not a CSV file (UTF-8 or GBK) or an Excel .xlsx file."))


def _read_xlsx(data: bytes) -> list[list[str]]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise _file_error(_("The file looks like an Excel file but cannot be read as .xlsx.")) from exc
    try:
        if not workbook.worksheets:
            return []
        sheet = workbook.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GBK/GB18030 as Chinese Excel saves CSV; anything else is refused."""
    if b"\x00" in data[:65536]:
        raise _not_csv_or_xlsx()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _not_csv_or_xlsx() from exc
    # GB18030 decodes most byte soup; real text has (almost) no control characters.
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\r\n")
    if controls:
        raise _not_csv_or_xlsx()
    return text


def _read_csv(text: str) -> list[list[str]]:
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    if not first_line.count(delimiter):
        delimiter = ","
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise _file_error(_("The CSV file cannot be read: %(reason)s.") % {"reason": exc}) from exc


def read_sheet(data: bytes) -> Sheet:
    """The header and rows of a CSV or XLSX file, told apart by content rather than by the file's name."""
    if not data.strip():
        raise _file_error(_("The file is empty."))
    if data.startswith(b"PK\x03\x04"):
        table = _read_xlsx(data)
    elif data.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_error(_("This is an old Excel .xls file: save it as .xlsx or CSV and upload that."))
    else:
        table = _read_csv(_decode(data))
    if not table or not any(cell.strip() for cell in table[0]):
        raise _file_error(_("Row 1 must hold the column names."))
    header = [cell.strip() for cell in table[0]]
    width = len(header)
    rows = [(number, cells) for number, cells in enumerate(table, start=1) if number > 1 and any(cells)]
    for position in [i for i, (_number, cells) in enumerate(rows) if len(cells) != width]:
        number, cells = rows[position]
        if len(cells) < width:
            rows[position] = (number, cells + [""] * (width - len(cells)))
        elif len(cells) > width and not any(c.strip() for c in cells[width:]):
            rows[position] = (number, cells[:width])  # empty cells past the last column, as spreadsheets save them
    return Sheet(header=header, rows=rows)


# ---------------------------------------------------------------------------------------------------------------
# Checking


class Problems:
    """Problems found so far: every one counted, the first MAX_PROBLEMS kept with their row and column."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[Problem] = []
        self.count = 0

    def add(self, row: int | None, column: str | None, reason: str) -> None:
        self.count += 1
        if len(self.items) < self.limit:
            self.items.append(Problem(reason=reason, row=row, column=column))

    def __bool__(self) -> bool:
        return self.count > 0

    def capped(self) -> list[Problem]:
        if self.count <= len(self.items):
            return list(self.items)
        more = self.count - len(self.items)
        return [*self.items, Problem(reason=_("… and %(n)d more not listed.") % {"n": more})]


class Memoised(Generic[T]):
    """A field check that remembers its answer per distinct raw value (most columns repeat a few values).
    Hot loops read `cache` directly: a hit (True, value) saves the call."""

    def __init__(self, check: Callable[[str], T]) -> None:
        self.check = check
        self.cache: dict[str, tuple[bool, Any]] = {}

    def __call__(self, raw: str) -> T:
        hit = self.cache.get(raw)
        if hit is None:
            try:
                hit = (True, self.check(raw))
            except validation.FieldInvalid as exc:
                hit = (False, str(exc))
            self.cache[raw] = hit
        if hit[0]:
            return cast(T, hit[1])
        raise validation.FieldInvalid(hit[1])


def memoised(check: Callable[[str], T]) -> Memoised[T]:
    return Memoised(check)


@dataclass
class Context:
    """One import while it is being checked: the file's columns, the problems and warnings found, progress."""

    kind: str
    sheet: Sheet
    progress: Progress
    index: dict[str, int] = field(default_factory=dict)  # column name -> position in a row
    labels: dict[str, str] = field(default_factory=dict)  # column name -> header as written in the file
    problems: Problems = field(default_factory=lambda: Problems(MAX_PROBLEMS))
    warnings: Problems = field(default_factory=lambda: Problems(MAX_WARNINGS))

    def label(self, column: str) -> str:
        return self.labels.get(column, column)

    def problem(self, row: int | None, column: str | None, reason: str) -> None:
        self.problems.add(row, self.label(column) if column else None, reason)

    def has(self, column: str) -> bool:
        return column in self.index

    def tick(self, done: int, start: int = 5, end: int = 80) -> None:
        total = len(self.sheet.rows) or 1
        self.progress(
            start + (end - start) * done // total,
            _("Checked %(done)d of %(total)d rows") % {"done": done, "total": total},
        )


def map_columns(ctx: Context) -> None:
    """Match the header to the kind's columns (English names or Chinese aliases); report unknown, repeated
    and missing columns against row 1."""
    columns = COLUMNS[ctx.kind]
    lookup: dict[str, str] = {}
    for column in columns:
        lookup[_header_key(column.name)] = column.name
        for alias in column.aliases:
            lookup.setdefault(_header_key(alias), column.name)
    known = ", ".join(c.name for c in columns)
    for position, text in enumerate(ctx.sheet.header):
        if not text:
            continue
        name = lookup.get(_header_key(text))
        if name is None:
            ctx.problems.add(
                1,
                text,
                _("Unknown column. The columns for %(kind)s are: %(columns)s.")
                % {"kind": kind_label(ctx.kind), "columns": known},
            )
        elif name in ctx.index:
            ctx.problems.add(1, text, _("Column %(name)s appears twice.") % {"name": name})
        else:
            ctx.index[name] = position
            ctx.labels[name] = text
    for group in REQUIRED_COLUMNS[ctx.kind]:
        if not any(name in ctx.index for name in group):
            reason = (
                _("The file has no %(name)s column.") % {"name": group[0]}
                if len(group) == 1
                else _("The file needs at least one of the columns %(names)s.") % {"names": ", ".join(group)}
            )
            ctx.problems.add(1, group[0], reason)


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    found = model._meta.get_field(name)
    assert isinstance(found, models.Field)
    return found


def _max_length(model: type[models.Model], name: str) -> int:
    return int(_field(model, name).max_length or 0)


def _text_check(model: type[models.Model], name: str) -> Callable[[str], str]:
    """A free-text column: stripped, at most the column's length."""
    return functools.partial(validation.text, max_length=_max_length(model, name))


def _optional(check: Callable[[str], T], empty: Any) -> Callable[[str], Any]:
    def run(raw: str) -> Any:
        return check(raw) if raw.strip() else empty

    return run


def _category_check() -> Callable[[str], str]:
    """A chip category by code or by its name in either language."""
    names: dict[str, str] = {}
    for code, name_en, name_zh in ChipCategory.objects.values_list("code", "name_en", "name_zh"):
        names[code.casefold()] = code
        names.setdefault(name_en.casefold(), code)
        names.setdefault(name_zh.casefold(), code)

    def check(raw: str) -> str:
        code = names.get(raw.strip().casefold())
        if code is None:
            raise validation.FieldInvalid(_("%(value)s is not a chip category.") % {"value": raw.strip()})
        return code

    return check


def _looks_like_credit_code(text: str) -> bool:
    return bool(re.fullmatch(r"[0-9A-Za-z]{15,20}", text))


class OrganisationRefs:
    """Registered organisations by the keys an import file uses for them: credit code, or name|country."""

    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.by_name: dict[tuple[str, str], list[tuple[int, bool]]] = defaultdict(list)
        self.names: dict[int, tuple[str, str]] = {}
        self.countries: dict[int, str] = {}
        rows = Organisation.objects.values_list("id", "credit_code", "country", "name_key", "name_zh", "name_en")
        for pk, code, country, key, name_zh, name_en in rows.iterator(chunk_size=5000):
            if code:
                self.by_code[code] = pk
            self.by_name[(country, key)].append((pk, bool(code)))
            self.names[pk] = (name_zh, name_en)
            self.countries[pk] = country
        self.resolve = Memoised(self._resolve)

    @functools.cached_property
    def by_either_name(self) -> dict[tuple[str, str], set[int]]:
        """Organisations by the key of either of their names; built only when a name|country misses by_name."""
        index: dict[tuple[str, str], set[int]] = defaultdict(set)
        for pk, names in self.names.items():
            for name in names:
                if name:
                    index[(self.countries[pk], name_key(name))].add(pk)
        return index

    def label(self, pk: int) -> str:
        """The organisation's name in the reader's language."""
        return pick_language(*self.names[pk])

    def _by_name(self, name: str, country: str) -> int:
        key = name_key(name)
        candidates = self.by_name.get((country, key), [])
        without_code = [pk for pk, coded in candidates if not coded]
        if len(without_code) == 1:
            return without_code[0]
        if len(candidates) == 1:
            return candidates[0][0]
        either = self.by_either_name.get((country, key), set())
        if len(either) == 1:
            return next(iter(either))
        if candidates or either:
            raise validation.FieldInvalid(
                _("Several organisations are named %(name)s in %(country)s: give the credit code.")
                % {"name": name, "country": country}
            )
        raise validation.FieldInvalid(
            _("No organisation named %(name)s in %(country)s is registered.") % {"name": name, "country": country}
        )

    def _resolve(self, raw: str) -> int:
        text = raw.strip()
        if "|" in text:
            name, country = text.rsplit("|", 1)
            return self._by_name(name.strip(), validation.country(country))
        if _looks_like_credit_code(text):
            code = text.upper()
            if code in self.by_code:
                return self.by_code[code]
            validation.credit_code(code)
            raise validation.FieldInvalid(
                _("No organisation with credit code %(code)s is registered.") % {"code": code}
            )
        return self._by_name(text, "CN")


def _required(ctx: Context, row: int, column: str, raw: str) -> bool:
    if raw.strip():
        return True
    ctx.problem(row, column, _("This cell must not be empty."))
    return False


def _extra_cells(ctx: Context, number: int, row: list[str]) -> bool:
    if len(row) > len(ctx.sheet.header):
        ctx.problem(number, None, _("This row has more cells than the header has columns."))
        return True
    return False


@dataclass
class Plan:
    """What an import will do once every row is known to be right."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    write: Callable[[], None] = lambda: None


# ---------------------------------------------------------------------------------------------------------------
# Writing


def _quoted_insert(model: type[models.Model], columns: Sequence[str]) -> str:
    qn = connection.ops.quote_name
    names = ", ".join(qn(str(_field(model, c).column)) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    return f"INSERT INTO {qn(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 (names from the model)


def _quoted_update(model: type[models.Model], columns: Sequence[str]) -> str:
    qn = connection.ops.quote_name
    sets = ", ".join(f"{qn(str(_field(model, c).column))} = %s" for c in columns)
    return f"UPDATE {qn(model._meta.db_table)} SET {sets} WHERE {qn('id')} = %s"  # noqa: S608


def executemany(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


@contextlib.contextmanager
def _large_page_cache() -> Iterator[None]:
    """On SQLite, a 64 MiB page cache while the import writes (the default is 2 MiB): inserting 200,000 rows
    into a table with six indexes then spills far fewer pages, about a quarter faster here."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute("PRAGMA cache_size = -65536")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


def _date_adapter() -> Callable[[datetime.date | None], Any]:
    adapt: Callable[[datetime.date | None], Any] = connection.ops.adapt_datefield_value
    return adapt


def _now() -> Any:
    return connection.ops.adapt_datetimefield_value(timezone.now())


# ---------------------------------------------------------------------------------------------------------------
# Fuzzy duplicates

_LEGAL_WORDS = re.compile(
    r"\b(co|company|corp|corporation|inc|incorporated|ltd|limited|llc|plc|gmbh|ag|se|sa|sas|spa|bv|nv|kk|oy|ab|"
    r"pte|pty|holding|holdings|group|technology|technologies|tech|international|the)\b"
)
_ZH_SUFFIXES = ("股份有限公司", "有限责任公司", "有限公司", "集团", "股份", "公司", "科技", "技术", "控股")
_ZH_PLACES = (
    "北京", "上海", "天津", "重庆", "深圳", "广州", "苏州", "无锡", "杭州", "南京", "合肥", "武汉", "成都", "西安",
    "长沙", "宁波", "厦门", "青岛", "济南", "郑州", "福州", "大连", "沈阳", "长春", "珠海", "东莞", "佛山", "常州",
    "广东", "江苏", "浙江", "安徽", "湖北", "湖南", "四川", "陕西", "山东", "河南", "福建", "辽宁", "吉林", "中国",
)  # fmt: skip


_ZH_SUFFIX = re.compile("(?:" + "|".join(_ZH_SUFFIXES) + ")$")
_ZH_PLACE = re.compile("^(?:" + "|".join(_ZH_PLACES) + ")[市省]?")


def similarity_key(name: str) -> str:
    """A name with legal-form words, common suffixes (Inc., Co., Ltd., 有限公司, 科技) and a leading place name
    removed, so that "Horizon Robotics Inc." and "Horizon Robotics" compare equal."""
    text = name.casefold()
    text = re.sub(r"[(（][^)）]*[)）]", " ", text)  # "(上海)", "(Shanghai)"
    text = re.sub(r"[^\w]+", " ", text)
    text = " ".join(_LEGAL_WORDS.sub(" ", text).split())
    if not text.isascii():
        while True:
            suffix = _ZH_SUFFIX.search(text)
            if suffix is not None and suffix.start() > 1:
                text = text[: suffix.start()].rstrip()
                continue
            place = _ZH_PLACE.match(text)
            if place is not None and len(text) - place.end() > 1:
                text = text[place.end() :].lstrip()
                continue
            break
    return text or name.casefold()


def similar_organisations(
    new_names: Sequence[tuple[int, str]], existing_names: Iterable[tuple[int, str]], threshold: int = FUZZY_THRESHOLD
) -> dict[int, tuple[int, int]]:
    """For new names (row, name), the most similar existing one (row -> (organisation id, score)) when at least
    `threshold`. Names are blocked by the first two characters of their similarity key, and each block is
    scored in one rapidfuzz.process.cdist call, so 20,000 against 20,000 stays well under a second."""
    import numpy as np

    blocks: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for pk, name in existing_names:
        key = similarity_key(name)
        blocks[key[:2]].append((key, pk))
    wanted: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row, name in new_names:
        key = similarity_key(name)
        wanted[key[:2]].append((key, row))
    found: dict[int, tuple[int, int]] = {}
    for block, queries in wanted.items():
        choices = blocks.get(block)
        if not choices:
            continue
        choice_keys = [k for k, _pk in choices]
        for start in range(0, len(queries), 1000):
            chunk = queries[start : start + 1000]
            scores = process.cdist(
                [k for k, _row in chunk],
                choice_keys,
                scorer=fuzz.ratio,
                score_cutoff=threshold,
                dtype=np.uint8,
                workers=-1,
            )
            best = scores.argmax(axis=1)
            for i, (_key, row) in enumerate(chunk):
                score = int(scores[i, best[i]])
                if score >= threshold and score > found.get(row, (0, 0))[1]:
                    found[row] = (choices[int(best[i])][1], score)
    return found


# ---------------------------------------------------------------------------------------------------------------
# Organisations

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
)


def _organisation_checks() -> dict[str, Callable[[str], Any]]:
    return {
        "name_zh": _text_check(Organisation, "name_zh"),
        "name_en": _text_check(Organisation, "name_en"),
        "credit_code": _optional(validation.credit_code, None),
        "country": memoised(_optional(validation.country, "CN")),
        "province": memoised(_text_check(Organisation, "province")),
        "city": memoised(_text_check(Organisation, "city")),
        "address": _text_check(Organisation, "address"),
        "in_park": memoised(validation.boolean),
        "size_band": memoised(_optional(lambda v: validation.choice(v, SizeBand), "")),
        "founded_year": memoised(_optional(validation.year, None)),
        "website": _optional(_url_check(), ""),
        "roles": memoised(_optional(validation.roles, [])),
    }


def _url_check() -> Callable[[str], str]:
    limit = _max_length(Organisation, "website")

    def check(raw: str) -> str:
        return validation.text(validation.url(raw), max_length=limit)

    return check


def plan_organisations(ctx: Context) -> Plan:
    """Organisations are known by credit code, or by name + country when they have none."""
    fields = [f for f in ORGANISATION_FIELDS if ctx.has(f)]
    positions = [ORGANISATION_FIELDS.index(f) for f in fields]
    checks = _organisation_checks()
    has_roles = ctx.has("roles")
    defaults: list[Any] = [_field(Organisation, f).get_default() for f in ORGANISATION_FIELDS]
    defaults[ORGANISATION_FIELDS.index("credit_code")] = None

    existing: dict[int, tuple[Any, ...]] = {}
    by_code: dict[str, int] = {}
    by_name: dict[tuple[str, str], int] = {}  # organisations without a code: (country, name_key)
    coded_names: dict[tuple[str, str], str] = {}  # (country, name_key) -> credit code, for clash reports
    by_either_name: dict[tuple[str, str], set[int]] = defaultdict(set)
    for registered in Organisation.objects.values_list("id", "name_key", *ORGANISATION_FIELDS).iterator(
        chunk_size=5000
    ):
        pk, key, *rest = registered
        existing[pk] = tuple(rest)
        code, country = rest[2], rest[3]
        if code:
            by_code[code] = pk
            coded_names.setdefault((country, key), code)
        else:
            by_name[(country, key)] = pk
            for name in rest[0:2]:
                if name:
                    by_either_name[(country, name_key(name))].add(pk)
    roles_of: dict[int, list[str]] = defaultdict(list)
    for pk, role in OrganisationRole.objects.order_by("organisation_id", "role").values_list("organisation_id", "role"):
        roles_of[pk].append(role)

    seen: dict[Any, int] = {}  # file key or organisation id -> row number, for duplicates within the file
    creates: list[tuple[int, list[Any], list[str]]] = []
    updates: list[tuple[int, int, list[Any], list[str] | None]] = []
    unchanged = 0
    name_column = "name_en" if ctx.has("name_en") else "name_zh"
    for done, (number, row) in enumerate(ctx.sheet.rows, start=1):
        if done % PROGRESS_EVERY == 0:
            ctx.tick(done)
        if _extra_cells(ctx, number, row):
            continue
        values: dict[str, Any] = {}
        ok = True
        for name in fields:
            try:
                values[name] = checks[name](row[ctx.index[name]])
            except validation.FieldInvalid as exc:
                ctx.problem(number, name, str(exc))
                ok = False
        roles: list[str] | None = None
        if has_roles:
            try:
                roles = checks["roles"](row[ctx.index["roles"]])
            except validation.FieldInvalid as exc:
                ctx.problem(number, "roles", str(exc))
                ok = False
        if not ok:
            continue
        name_zh, name_en = values.get("name_zh", ""), values.get("name_en", "")
        if not name_zh and not name_en:
            ctx.problem(number, name_column, _("Give a name in Chinese or English."))
            continue
        code = values.get("credit_code")
        country = values.get("country", "CN")
        if code and country != "CN":
            ctx.problem(number, "credit_code", _("Only Chinese organisations have a credit code."))
            continue
        key = name_key(name_en or name_zh)
        if not key:
            ctx.problem(number, name_column, _("A name needs at least one letter or digit."))
            continue
        file_key: Any = code or (country, key)
        if file_key in seen:
            ctx.problem(
                number,
                "credit_code" if code else name_column,
                _("Duplicate: row %(first)d already has this organisation.") % {"first": seen[file_key]},
            )
            continue
        seen[file_key] = number
        target: int | None
        if code:
            target = by_code.get(code)
        else:
            target = by_name.get((country, key))
            if target is None:
                either: set[int] = set()
                for name in (name_zh, name_en):
                    if name:
                        either |= by_either_name.get((country, name_key(name)), set())
                if len(either) == 1:
                    target = next(iter(either))
            if target is None and (country, key) in coded_names:
                ctx.problem(
                    number,
                    "credit_code" if ctx.has("credit_code") else name_column,
                    _(
                        "An organisation of this name is registered with credit code %(code)s: "
                        "give that code in this row."
                    )
                    % {"code": coded_names[(country, key)]},
                )
                continue
        if target is not None:
            if target in seen:
                ctx.problem(
                    number,
                    name_column,
                    _("Duplicate: row %(first)d already has this organisation.") % {"first": seen[target]},
                )
                continue
            seen[target] = number
        merged = list(defaults) if target is None else list(existing[target])
        for name, position in zip(fields, positions, strict=True):
            merged[position] = values[name]
        if target is None:
            creates.append((number, merged, roles or []))
        elif merged != list(existing[target]) or (roles is not None and roles != roles_of.get(target, [])):
            updates.append((number, target, merged, roles))
        else:
            unchanged += 1

    # Organisations without a credit code are unique by name within a country, after the import as before.
    updated_ids = {pk for _number, pk, _merged, _roles in updates}
    owners: dict[tuple[str, str], tuple[int | None, int | None]] = {
        name: (None, pk) for name, pk in by_name.items() if pk not in updated_ids
    }
    changes = [(number, merged) for number, _pk, merged, _roles in updates]
    changes += [(number, merged) for number, merged, _roles in creates]
    for number, merged in changes:
        if merged[2] is not None:
            continue
        final = (merged[3], name_key(merged[1] or merged[0]))
        owner = owners.get(final)
        if owner is None:
            owners[final] = (number, None)
        elif owner[0] is not None:
            ctx.problem(
                number, name_column, _("Duplicate: row %(first)d already has this organisation.") % {"first": owner[0]}
            )
        else:
            ctx.problem(
                number,
                name_column,
                _("An organisation named %(name)s is already registered in %(country)s.")
                % {"name": merged[1] or merged[0], "country": merged[3]},
            )

    if not ctx.problems and creates and existing:
        ctx.progress(80, _("Looking for organisations already registered under a similar name"))
        new_names = [(number, n) for number, merged, _roles in creates for n in (merged[0], merged[1]) if n]
        existing_names = ((pk, n) for pk, values in existing.items() for n in (values[0], values[1]) if n)
        for number, (pk, score) in sorted(similar_organisations(new_names, existing_names).items()):
            registered = existing[pk]
            ctx.warnings.add(
                number,
                ctx.label(name_column),
                _(
                    "Looks like %(name)s, already registered (%(ref)s, %(score)d %% similar): "
                    "is it the same organisation?"
                )
                % {
                    "name": pick_language(registered[0], registered[1]),
                    "ref": registered[2] or f"{registered[1] or registered[0]}|{registered[3]}",
                    "score": score,
                },
            )

    def write() -> None:
        now = _now()
        columns = [
            *ORGANISATION_FIELDS,
            "name_key",
            "search_text",
            "logo",
            "description",
            "is_demo",
            "created_at",
            "updated_at",
        ]
        executemany(
            _quoted_insert(Organisation, columns),
            [
                (
                    *merged,
                    name_key(merged[1] or merged[0]),
                    search_key(merged[0], merged[1], merged[2]),
                    "",
                    "",
                    False,
                    now,
                    now,
                )
                for _number, merged, _roles in creates
            ],
        )
        executemany(
            _quoted_update(Organisation, [*ORGANISATION_FIELDS, "name_key", "search_text", "updated_at"]),
            [
                (*merged, name_key(merged[1] or merged[0]), search_key(merged[0], merged[1], merged[2]), now, pk)
                for _number, pk, merged, _roles in updates
            ],
        )
        role_rows: list[tuple[int, str]] = []
        changed_roles = [
            (pk, roles)
            for _number, pk, _merged, roles in updates
            if roles is not None and roles != roles_of.get(pk, [])
        ]
        if changed_roles:
            qn = connection.ops.quote_name
            executemany(
                f"DELETE FROM {qn(OrganisationRole._meta.db_table)} WHERE {qn('organisation_id')} = %s",  # noqa: S608
                [(pk,) for pk, _roles in changed_roles],
            )
            role_rows += [(pk, role) for pk, roles in changed_roles for role in roles]
        if any(roles for _n, _m, roles in creates):
            ids_by_code: dict[str, int] = {}
            ids_by_name: dict[tuple[str, str], int] = {}
            for pk, code, country, key in Organisation.objects.values_list("id", "credit_code", "country", "name_key"):
                if code:
                    ids_by_code[code] = pk
                else:
                    ids_by_name[(country, key)] = pk
            for _number, merged, roles in creates:
                pk = ids_by_code[merged[2]] if merged[2] else ids_by_name[(merged[3], name_key(merged[1] or merged[0]))]
                role_rows += [(pk, role) for role in roles]
        executemany(_quoted_insert(OrganisationRole, ["organisation_id", "role"]), role_rows)

    return Plan(created=len(creates), updated=len(updates), unchanged=unchanged, write=write)


# ---------------------------------------------------------------------------------------------------------------
# Products

PRODUCT_FIELDS = ("category_id", "name_zh", "name_en", "process_node", "lifecycle")


def plan_products(ctx: Context) -> Plan:
    """Products are known by maker + part number; the maker must be registered."""
    refs = OrganisationRefs()
    category = memoised(_category_check())
    part_number = _text_check(Product, "part_number")
    checks: dict[str, Callable[[str], Any]] = {
        "category_id": category,
        "name_zh": _text_check(Product, "name_zh"),
        "name_en": _text_check(Product, "name_en"),
        "process_node": memoised(_text_check(Product, "process_node")),
        "lifecycle": memoised(_optional(lambda v: validation.choice(v, Lifecycle), Lifecycle.MASS_PRODUCTION.value)),
    }
    file_columns = {"category_id": "category"}
    fields = [f for f in PRODUCT_FIELDS if ctx.has(file_columns.get(f, f))]
    positions = [PRODUCT_FIELDS.index(f) for f in fields]
    columns = [(f, ctx.index[file_columns.get(f, f)], file_columns.get(f, f)) for f in fields]
    defaults = ["", "", "", "", Lifecycle.MASS_PRODUCTION.value]

    existing: dict[tuple[int, str], tuple[int, tuple[Any, ...]]] = {}
    for pk, maker, number_, *rest in Product.objects.values_list(
        "id", "organisation_id", "part_number", *PRODUCT_FIELDS
    ).iterator(chunk_size=5000):
        existing[(maker, number_)] = (pk, tuple(rest))

    i_maker, i_part = ctx.index["maker"], ctx.index["part_number"]
    seen: dict[tuple[int, str], int] = {}
    creates: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    unchanged = 0
    width = len(ctx.sheet.header)
    for done, (number, row) in enumerate(ctx.sheet.rows, start=1):
        if done % PROGRESS_EVERY == 0:
            ctx.tick(done)
        if len(row) > width:
            _extra_cells(ctx, number, row)
            continue
        ok = True
        maker_raw, part_raw = row[i_maker], row[i_part]
        maker = None
        if _required(ctx, number, "maker", maker_raw):
            try:
                maker = refs.resolve(maker_raw)
            except validation.FieldInvalid as exc:
                ctx.problem(number, "maker", str(exc))
        part = ""
        if _required(ctx, number, "part_number", part_raw):
            try:
                part = part_number(part_raw)
            except validation.FieldInvalid as exc:
                ctx.problem(number, "part_number", str(exc))
        merged = list(defaults)
        for (name, index, label), position in zip(columns, positions, strict=True):
            raw = row[index]
            if name == "category_id" and not _required(ctx, number, label, raw):
                ok = False
                continue
            try:
                merged[position] = checks[name](raw)
            except validation.FieldInvalid as exc:
                ctx.problem(number, label, str(exc))
                ok = False
        if maker is None or not part or not ok:
            continue
        key = (maker, part)
        if key in seen:
            ctx.problem(
                number, "part_number", _("Duplicate: row %(first)d already has this product.") % {"first": seen[key]}
            )
            continue
        seen[key] = number
        found = existing.get(key)
        if found is None:
            creates.append((maker, part, *merged))
            continue
        pk, old = found
        new = list(old)
        for position in positions:
            new[position] = merged[position]
        if tuple(new) == old:
            unchanged += 1
        else:
            updates.append((pk, maker, part, *new))

    def write() -> None:
        insert = _quoted_insert(Product, ["organisation_id", "part_number", *PRODUCT_FIELDS, "search_text", "is_demo"])
        executemany(insert, [(*r, search_key(r[1], r[3], r[4]), False) for r in creates])
        update = _quoted_update(Product, [*PRODUCT_FIELDS, "search_text"])
        executemany(update, [(*r[3:], search_key(r[2], r[4], r[5]), r[0]) for r in updates])

    return Plan(created=len(creates), updated=len(updates), unchanged=unchanged, write=write)


def _products_by_key() -> dict[tuple[int, str], tuple[int, str]]:
    """(maker id, part number) -> (product id, category code), for every registered product."""
    return {
        (maker, part): (pk, category)
        for pk, maker, part, category in Product.objects.values_list(
            "id", "organisation_id", "part_number", "category_id"
        ).iterator(chunk_size=10000)
    }


# ---------------------------------------------------------------------------------------------------------------
# Qualifications

QUALIFICATION_FIELDS = ("product_id", "organisation_id", "level", "issued_on", "expires_on")


def plan_qualifications(ctx: Context) -> Plan:
    """Qualifications are known by standard + issuer + certificate number; the holder must be registered."""
    from chiptown.registry.services import _qualification_values

    refs = OrganisationRefs()
    products = _products_by_key()
    issuer_check = memoised(_text_check(Qualification, "issuer"))
    certificate_check = _text_check(Qualification, "certificate_number")
    existing: dict[tuple[str, str, str], tuple[int, tuple[Any, ...]]] = {}
    for pk, standard, issuer, certificate, *rest in Qualification.objects.values_list(
        "id", "standard", "issuer", "certificate_number", *QUALIFICATION_FIELDS
    ).iterator(chunk_size=5000):
        existing[(standard, issuer, certificate)] = (pk, tuple(rest))
    optional = [c for c in ("part_number", "level", "issuer", "issued_on", "expires_on") if ctx.has(c)]
    seen: dict[tuple[str, str, str], int] = {}
    creates: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    unchanged = 0
    for done, (number, row) in enumerate(ctx.sheet.rows, start=1):
        if done % PROGRESS_EVERY == 0:
            ctx.tick(done)
        if _extra_cells(ctx, number, row):
            continue
        cell = {name: row[ctx.index[name]] for name in ("holder", "standard", "certificate_number", *optional)}
        ok = True
        holder = None
        if _required(ctx, number, "holder", cell["holder"]):
            try:
                holder = refs.resolve(cell["holder"])
            except validation.FieldInvalid as exc:
                ctx.problem(number, "holder", str(exc))
        part = cell.get("part_number", "").strip()
        product_id = organisation_id = None
        if holder is not None and part:
            found_product = products.get((holder, part))
            if found_product is None:
                ctx.problem(
                    number,
                    "part_number",
                    _("%(organisation)s has no product with part number %(part)s.")
                    % {"organisation": refs.label(holder), "part": part},
                )
                ok = False
            else:
                product_id = found_product[0]
        elif holder is not None:
            organisation_id = holder
        try:
            issuer = issuer_check(cell.get("issuer", ""))
        except validation.FieldInvalid as exc:
            ctx.problem(number, "issuer", str(exc))
            ok = False
        try:
            certificate = certificate_check(cell["certificate_number"])
        except validation.FieldInvalid as exc:
            ctx.problem(number, "certificate_number", str(exc))
            ok = False
        raw_values = {
            "standard": cell["standard"].strip(),
            "level": cell.get("level", ""),
            "certificate_number": cell["certificate_number"].strip(),
            "issued_on": cell.get("issued_on", "").strip(),
            "expires_on": cell.get("expires_on", "").strip(),
        }
        cleaned, problems = _qualification_values(raw_values, holder_is_product=bool(part))
        for problem in problems:
            ctx.problem(number, problem.column, problem.reason)
        if problems or not ok or holder is None:
            continue
        key = (cleaned["standard"], issuer, certificate)
        if key in seen:
            ctx.problem(
                number,
                "certificate_number",
                _("Duplicate: row %(first)d already has this certificate.") % {"first": seen[key]},
            )
            continue
        seen[key] = number
        values = (product_id, organisation_id, cleaned["level"], cleaned["issued_on"], cleaned["expires_on"])
        found = existing.get(key)
        if found is None:
            creates.append((*key, *values))
            continue
        pk, old = found
        # A date column left out of the file leaves the registered date as it is.
        values = (
            *values[:3],
            values[3] if ctx.has("issued_on") else old[3],
            values[4] if ctx.has("expires_on") else old[4],
        )
        if values == old:
            unchanged += 1
        else:
            updates.append((pk, *values))

    def write() -> None:
        adapt = _date_adapter()
        insert = _quoted_insert(
            Qualification,
            ["standard", "issuer", "certificate_number", *QUALIFICATION_FIELDS, "certificate_pdf", "is_demo"],
        )
        executemany(insert, [(*r[:6], adapt(r[6]), adapt(r[7]), "", False) for r in creates])
        update = _quoted_update(Qualification, list(QUALIFICATION_FIELDS))
        executemany(update, [(*r[1:4], adapt(r[4]), adapt(r[5]), r[0]) for r in updates])

    return Plan(created=len(creates), updated=len(updates), unchanged=unchanged, write=write)


# ---------------------------------------------------------------------------------------------------------------
# Supply links

SUPPLY_LINK_FIELDS = ("status", "share", "since")


def plan_supply_links(ctx: Context) -> Plan:
    """Supply links are known by supplier + buyer + category + product; both organisations (and the product)
    must be registered, and a buyer's shares in one category may not add up to more than 100 %."""
    refs = OrganisationRefs()
    products = _products_by_key()
    category_check = memoised(_category_check())
    status_check = memoised(_optional(lambda v: validation.choice(v, LinkStatus), LinkStatus.EVALUATION.value))
    share_check = memoised(_optional(validation.share, None))
    since_check = memoised(_optional(validation.date, None))
    existing: dict[tuple[int, int, str, int | None], tuple[int, tuple[Any, ...]]] = {}
    share_taken: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for pk, supplier, buyer, category, product, *rest in SupplyLink.objects.values_list(
        "id", "supplier_id", "buyer_id", "category_id", "product_id", *SUPPLY_LINK_FIELDS
    ).iterator(chunk_size=10000):
        existing[(supplier, buyer, category, product)] = (pk, tuple(rest))
        if rest[1] is not None:
            share_taken[(buyer, category)] += rest[1]

    index = ctx.index
    i_supplier, i_buyer, i_category = index["supplier"], index["buyer"], index["category"]
    i_part, i_maker = index.get("part_number"), index.get("product_maker")
    i_status, i_share, i_since = index.get("status"), index.get("share"), index.get("since")
    width = len(ctx.sheet.header)
    seen: dict[tuple[int, int, str, int | None], int] = {}
    creates: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    group_rows: dict[tuple[int, str], list[tuple[int, Decimal | None, Decimal | None]]] = defaultdict(list)
    unchanged = 0
    resolve = refs.resolve
    # Most cells repeat values already checked: read the memo caches directly and call a check only on a miss.
    organisation_cache, category_cache = resolve.cache, category_check.cache
    status_cache, share_cache, since_cache = status_check.cache, share_check.cache, since_check.cache
    for done, (number, row) in enumerate(ctx.sheet.rows, start=1):
        if done % PROGRESS_EVERY == 0:
            ctx.tick(done)
        if len(row) > width:
            _extra_cells(ctx, number, row)
            continue
        ok = True
        supplier = buyer = None
        raw = row[i_supplier]
        hit = organisation_cache.get(raw)
        if hit is not None and hit[0]:
            supplier = hit[1]
        elif _required(ctx, number, "supplier", raw):
            try:
                supplier = resolve(raw)
            except validation.FieldInvalid as exc:
                ctx.problem(number, "supplier", str(exc))
        raw = row[i_buyer]
        hit = organisation_cache.get(raw)
        if hit is not None and hit[0]:
            buyer = hit[1]
        elif _required(ctx, number, "buyer", raw):
            try:
                buyer = resolve(raw)
            except validation.FieldInvalid as exc:
                ctx.problem(number, "buyer", str(exc))
        category = None
        raw = row[i_category]
        hit = category_cache.get(raw)
        if hit is not None and hit[0]:
            category = hit[1]
        elif raw:
            try:
                category = category_check(raw)
            except validation.FieldInvalid as exc:
                ctx.problem(number, "category", str(exc))
                ok = False
        product = None
        part = row[i_part].strip() if i_part is not None else ""
        if part:
            maker = supplier
            maker_raw = row[i_maker] if i_maker is not None else ""
            if maker_raw.strip():
                try:
                    maker = resolve(maker_raw)
                except validation.FieldInvalid as exc:
                    ctx.problem(number, "product_maker", str(exc))
                    maker = None
                    ok = False
            if maker is not None:
                found_product = products.get((maker, part))
                if found_product is None:
                    ctx.problem(
                        number,
                        "part_number",
                        _("%(organisation)s has no product with part number %(part)s.")
                        % {"organisation": refs.label(maker), "part": part},
                    )
                    ok = False
                else:
                    product = found_product[0]
                    if category is None and ok:
                        category = found_product[1]
                    elif category is not None and category != found_product[1]:
                        ctx.problem(number, "category", _("The product is in another chip category."))
                        ok = False
        if category is None and ok:
            ctx.problem(number, "category", _("This cell must not be empty."))
            ok = False
        status = share = since = None
        if i_status is not None:
            raw = row[i_status]
            hit = status_cache.get(raw)
            if hit is not None and hit[0]:
                status = hit[1]
            else:
                try:
                    status = status_check(raw)
                except validation.FieldInvalid as exc:
                    ctx.problem(number, "status", str(exc))
                    ok = False
        if i_share is not None:
            raw = row[i_share]
            hit = share_cache.get(raw)
            if hit is not None and hit[0]:
                share = hit[1]
            else:
                try:
                    share = share_check(raw)
                except validation.FieldInvalid as exc:
                    ctx.problem(number, "share", str(exc))
                    ok = False
        if i_since is not None:
            raw = row[i_since]
            hit = since_cache.get(raw)
            if hit is not None and hit[0]:
                since = hit[1]
            else:
                try:
                    since = since_check(raw)
                except validation.FieldInvalid as exc:
                    ctx.problem(number, "since", str(exc))
                    ok = False
        if supplier is None or buyer is None or category is None or not ok:
            continue
        if supplier == buyer:
            ctx.problem(number, "buyer", _("An organisation cannot supply itself."))
            continue
        key = (supplier, buyer, category, product)
        if key in seen:
            ctx.problem(
                number, "supplier", _("Duplicate: row %(first)d already has this supply link.") % {"first": seen[key]}
            )
            continue
        seen[key] = number
        found = existing.get(key)
        if found is None:
            values = (
                status if i_status is not None else LinkStatus.EVALUATION.value,
                share,
                since,
            )
            creates.append((*key, *values))
            group_rows[(buyer, category)].append((number, share, None))
            continue
        pk, old = found
        values = (
            status if i_status is not None else old[0],
            share if i_share is not None else old[1],
            since if i_since is not None else old[2],
        )
        group_rows[(buyer, category)].append((number, values[1], old[1]))
        if values == old:
            unchanged += 1
        else:
            updates.append((pk, *values))

    for (buyer, category), group in group_rows.items():
        total = share_taken.get((buyer, category), Decimal(0)) - sum(
            (old for _n, _s, old in group if old is not None), Decimal(0)
        )
        for number, share, _old in group:
            total += share or 0
            if total > SHARE_LIMIT:
                ctx.problem(
                    number,
                    "share",
                    _(
                        "The shares of %(buyer)s in %(category)s would add up to %(total)s %%; "
                        "they cannot exceed 100 %%."
                    )
                    % {"buyer": refs.label(buyer), "category": category, "total": total},
                )
                break

    def write() -> None:
        adapt_date = _date_adapter()
        insert = _quoted_insert(
            SupplyLink, ["supplier_id", "buyer_id", "category_id", "product_id", *SUPPLY_LINK_FIELDS, "is_demo"]
        )
        executemany(insert, [(*r[:6], adapt_date(r[6]), False) for r in creates])
        update = _quoted_update(SupplyLink, list(SUPPLY_LINK_FIELDS))
        executemany(update, [(r[1], r[2], adapt_date(r[3]), r[0]) for r in updates])

    return Plan(created=len(creates), updated=len(updates), unchanged=unchanged, write=write)


PLANNERS: dict[str, Callable[[Context], Plan]] = {
    "organisations": plan_organisations,
    "products": plan_products,
    "qualifications": plan_qualifications,
    "supply_links": plan_supply_links,
}


# ---------------------------------------------------------------------------------------------------------------
# The import


def registry_import(
    *,
    kind: str,
    data: bytes,
    filename: str,
    by: Any,
    progress: Progress = no_progress,
    dry_run: bool = False,
    batch: ImportBatch | None = None,
) -> dict[str, Any]:
    """Import one file of one kind: check every row, then write all of it in one transaction, or raise a
    ChipTownError listing every problem (row as the spreadsheet numbers it, column as the header names it,
    reason) and write nothing. Re-importing the same file changes nothing.

    One audit entry records the whole import (who, kind, file, counts), not one per row: an import of 300,000
    rows would otherwise write 300,000 audit rows, costing more than the import itself and burying every other
    entry in the log; the file itself stays in the ImportBatch the entry points at, so what was imported can
    always be read back. `by` is the user who uploaded the file, or None for the command line (the system).
    """
    if kind not in KINDS:
        raise ChipTownError(_("Unknown kind of import: %(kind)s.") % {"kind": kind}, code="unknown_kind")
    if by is not None and not by.has_perm("registry.import_registry"):
        raise PermissionDenied(_("Only operators may import into the registry."))
    if len(data) > MAX_FILE_BYTES:
        raise _file_error(_("The file is larger than %(n)d MiB.") % {"n": MAX_FILE_BYTES // (1024 * 1024)})
    progress(1, _("Reading the file"))
    sheet = read_sheet(data)
    ctx = Context(kind=kind, sheet=sheet, progress=progress)
    map_columns(ctx)
    if not ctx.problems and not sheet.rows:
        ctx.problems.add(None, None, _("The file has no rows to import below its header."))
    plan = PLANNERS[kind](ctx) if not ctx.problems else Plan()
    if ctx.problems:
        raise ChipTownError(
            ngettext(
                "%(n)d problem found in %(filename)s; nothing was imported.",
                "%(n)d problems found in %(filename)s; nothing was imported.",
                ctx.problems.count,
            )
            % {"n": ctx.problems.count, "filename": filename},
            code="import_refused",
            problems=ctx.problems.capped(),
        )
    result: dict[str, Any] = {
        "kind": kind,
        "filename": filename,
        "rows": len(sheet.rows),
        "created": plan.created,
        "updated": plan.updated,
        "unchanged": plan.unchanged,
        "dry_run": dry_run,
        "warning_count": ctx.warnings.count,
        "warnings": [w.as_dict() for w in ctx.warnings.capped()],
    }
    if dry_run:
        progress(100, _("Checked: nothing was written"))
        return result
    progress(85, _("Writing %(n)d rows") % {"n": plan.created + plan.updated})
    try:
        with _large_page_cache(), transaction.atomic():
            plan.write()
            audit_record(
                actor=by,
                action="registry.import",
                target=batch,
                object_type="" if batch is not None else "registry.import",
                object_repr=f"{kind_label(kind)}: {filename}",
                after={
                    k: result[k]
                    for k in ("kind", "filename", "rows", "created", "updated", "unchanged", "warning_count")
                },
            )
    except IntegrityError as exc:
        raise Conflict(
            _("The registry changed while the file was being checked; nothing was imported. Run the import again.")
        ) from exc
    from chiptown.registry.search import registry_changed

    registry_changed()  # the directory's cached qualification sets: executemany bypasses the ORM's signals
    progress(100, _("Imported"))
    return result


def import_batch_submit(*, by: Any, kind: str, filename: str, data: bytes, dry_run: bool = False) -> ImportBatch:
    """Keep an uploaded file and queue its import as a background job (its progress is on the job)."""
    from chiptown.registry.tasks import import_registry_file

    if not by.has_perm("registry.import_registry"):
        raise PermissionDenied(_("Only operators may import into the registry."))
    if kind not in KINDS:
        raise ChipTownError(_("Unknown kind of import: %(kind)s.") % {"kind": kind}, code="unknown_kind")
    if len(data) > MAX_FILE_BYTES:
        raise _file_error(_("The file is larger than %(n)d MiB.") % {"n": MAX_FILE_BYTES // (1024 * 1024)})
    title = (_("Check %(kind)s from %(filename)s") if dry_run else _("Import %(kind)s from %(filename)s")) % {
        "kind": kind_label(kind),
        "filename": filename,
    }
    with transaction.atomic():
        job: Job = job_create(kind="registry.import", title=title, by=by)
        batch = ImportBatch.objects.create(
            kind=kind, filename=filename[:255], data=data, size=len(data), dry_run=dry_run, job=job, created_by=by
        )
    import_registry_file.enqueue(str(batch.pk), translation.get_language() or "")
    return batch
