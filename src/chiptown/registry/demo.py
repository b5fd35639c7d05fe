"""Generated demo data: a plausible automotive-chip chain, every row marked as demo, for `make demo` and benchmarks.

`generate(scale, seed)` is pure (no ORM, no clock): it returns plain rows whose field names match the model
fields, so benchmarks can also turn them into import files. `write(chain)` inserts them in one transaction with
`executemany`; `demo_users_ensure()` adds one login per role. Nothing here is a fact about a real company: names
are assembled from syllable tables, and every organisation's description says that it is generated.
"""

from __future__ import annotations

import csv
import datetime
import itertools
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chiptown.core.services import Progress, audit_record, no_progress
from chiptown.registry.models import (
    ChainRole,
    Lifecycle,
    LinkStatus,
    Organisation,
    OrganisationRole,
    Person,
    Product,
    Qualification,
    SizeBand,
    Standard,
    SupplyLink,
    name_key,
    search_key,
)

CATEGORIES_CSV = Path(__file__).resolve().parent / "data" / "chip_categories.csv"

# Dates are drawn relative to this day, not the clock, so a seed always gives the same rows.
REFERENCE_DATE = datetime.date(2026, 1, 1)
DEFAULT_SEED = 2023
DEMO_PASSWORD = "chiptown-demo"  # noqa: S105 - printed for everyone to use; demo logins only
DEMO_EMAIL_DOMAIN = "demo.chiptown.invalid"

OrganisationKey = str | tuple[str, str]
"""The credit code of a Chinese organisation, or (name_en, country) for a foreign one: how imports match rows."""
ProductKey = tuple[OrganisationKey, str]
"""(maker key, part number)."""


class DemoOrganisation(NamedTuple):
    name_zh: str
    name_en: str
    credit_code: str | None
    country: str
    province: str
    city: str
    in_park: bool
    size_band: str
    founded_year: int
    website: str
    description: str
    roles: tuple[str, ...]

    @property
    def key(self) -> OrganisationKey:
        return self.credit_code if self.credit_code else (self.name_en, self.country)


class DemoPerson(NamedTuple):
    organisation: OrganisationKey
    name_zh: str
    name_en: str
    title: str
    email: str


class DemoProduct(NamedTuple):
    maker: OrganisationKey
    category: str
    part_number: str
    name_zh: str
    name_en: str
    process_node: str
    lifecycle: str

    @property
    def key(self) -> ProductKey:
        return (self.maker, self.part_number)


class DemoQualification(NamedTuple):
    product: ProductKey | None
    organisation: OrganisationKey | None
    standard: str
    level: str
    issuer: str
    certificate_number: str
    issued_on: datetime.date
    expires_on: datetime.date


class DemoSupplyLink(NamedTuple):
    supplier: OrganisationKey
    buyer: OrganisationKey
    category: str
    product: ProductKey | None
    status: str
    share: Decimal | None
    since: datetime.date


@dataclass
class DemoChain:
    """Every generated row, in insertion order; keys tie them together instead of database ids."""

    scale: int
    seed: int
    organisations: list[DemoOrganisation] = field(default_factory=list)
    people: list[DemoPerson] = field(default_factory=list)
    products: list[DemoProduct] = field(default_factory=list)
    qualifications: list[DemoQualification] = field(default_factory=list)
    supply_links: list[DemoSupplyLink] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "organisations": len(self.organisations),
            "people": len(self.people),
            "products": len(self.products),
            "qualifications": len(self.qualifications),
            "supply_links": len(self.supply_links),
        }


# --- Tables the names and numbers are drawn from -------------------------------------------------------------

R = ChainRole

# Organisations per role at scale 1 (about 200 in all): many designers, a few fabs and packagers, the buyers.
ROLE_COUNTS: dict[str, int] = {
    R.FABLESS: 66, R.IDM: 6, R.FOUNDRY: 4, R.OSAT: 6, R.MATERIALS: 8, R.EQUIPMENT: 8, R.EDA_IP: 6,
    R.MODULE: 20, R.TIER1: 27, R.OEM: 15, R.LAB: 8, R.INVESTOR: 12, R.RESEARCH: 10, R.GOVERNMENT: 4,
}  # fmt: skip

# Second roles some organisations also have (car makers designing their own chips, IDMs running a foundry...).
SECOND_ROLES: dict[str, tuple[str, float]] = {
    R.OEM: (R.FABLESS, 0.25),
    R.TIER1: (R.MODULE, 0.3),
    R.IDM: (R.FOUNDRY, 0.3),
    R.RESEARCH: (R.LAB, 0.2),
    R.OSAT: (R.LAB, 0.15),
}

# Probability that an organisation of a role is foreign, and which countries they come from (with weights).
FOREIGN: dict[str, tuple[float, dict[str, int]]] = {
    R.IDM: (0.5, {"DE": 3, "US": 2, "JP": 2, "NL": 2, "KR": 1}),
    R.FABLESS: (0.08, {"US": 3, "DE": 1, "JP": 1, "KR": 1}),
    R.FOUNDRY: (0.25, {"US": 1, "KR": 1, "DE": 1}),
    R.OSAT: (0.15, {"US": 1, "KR": 1, "JP": 1}),
    R.MATERIALS: (0.3, {"JP": 3, "DE": 1, "US": 1, "KR": 1}),
    R.EQUIPMENT: (0.4, {"NL": 2, "US": 2, "JP": 2, "DE": 1}),
    R.EDA_IP: (0.4, {"US": 3, "DE": 1}),
    R.MODULE: (0.05, {"DE": 1, "JP": 1, "KR": 1}),
    R.TIER1: (0.2, {"DE": 3, "JP": 2, "US": 1, "KR": 1}),
    R.OEM: (0.15, {"DE": 2, "JP": 2, "KR": 1, "US": 1}),
    R.LAB: (0.2, {"DE": 3, "US": 1, "JP": 1}),
    R.INVESTOR: (0.1, {"US": 2, "JP": 1, "DE": 1}),
}

# Probability that a Chinese organisation of a role sits in the park.
IN_PARK: dict[str, float] = {
    R.FABLESS: 0.45, R.IDM: 0.3, R.FOUNDRY: 0.3, R.OSAT: 0.3, R.MATERIALS: 0.3, R.EQUIPMENT: 0.4,
    R.EDA_IP: 0.3, R.MODULE: 0.35, R.TIER1: 0.3, R.OEM: 0.25, R.LAB: 0.4, R.INVESTOR: 0.3, R.RESEARCH: 0.2,
    R.GOVERNMENT: 0.25,
}  # fmt: skip

FOUNDED: dict[str, tuple[int, int]] = {
    R.FABLESS: (2005, 2023), R.IDM: (1960, 2015), R.FOUNDRY: (1990, 2020), R.OSAT: (1995, 2020),
    R.MATERIALS: (1995, 2021), R.EQUIPMENT: (1990, 2021), R.EDA_IP: (2000, 2022), R.MODULE: (2000, 2022),
    R.TIER1: (1980, 2020), R.OEM: (1953, 2021), R.LAB: (1985, 2020), R.INVESTOR: (2005, 2023),
    R.RESEARCH: (1952, 2018), R.GOVERNMENT: (1992, 2015),
}  # fmt: skip

SIZE_BANDS = (SizeBand.MICRO, SizeBand.SMALL, SizeBand.MEDIUM, SizeBand.LARGE, SizeBand.GIANT)
SIZE_WEIGHTS: dict[str, tuple[int, ...]] = {
    R.FABLESS: (1, 5, 3, 1, 0), R.IDM: (0, 0, 2, 3, 2), R.FOUNDRY: (0, 0, 1, 3, 2), R.OSAT: (0, 1, 3, 2, 1),
    R.MATERIALS: (0, 2, 3, 1, 0), R.EQUIPMENT: (0, 2, 3, 2, 0), R.EDA_IP: (1, 3, 2, 1, 0),
    R.MODULE: (0, 2, 4, 1, 0), R.TIER1: (0, 1, 3, 3, 2), R.OEM: (0, 0, 1, 3, 3), R.LAB: (0, 2, 3, 1, 0),
    R.INVESTOR: (2, 4, 1, 0, 0), R.RESEARCH: (0, 1, 3, 1, 0), R.GOVERNMENT: (0, 2, 2, 0, 0),
}  # fmt: skip

# (province, city, city in English, region code used in credit codes).
PARK_CITY = ("北京市", "北京", "Beijing", "110302")
CITIES: tuple[tuple[str, str, str, str, int], ...] = (
    ("北京市", "北京", "Beijing", "110000", 8),
    ("上海市", "上海", "Shanghai", "310000", 10),
    ("天津市", "天津", "Tianjin", "120000", 3),
    ("重庆市", "重庆", "Chongqing", "500000", 3),
    ("江苏省", "苏州", "Suzhou", "320500", 6),
    ("江苏省", "无锡", "Wuxi", "320200", 5),
    ("江苏省", "南京", "Nanjing", "320100", 4),
    ("浙江省", "杭州", "Hangzhou", "330100", 5),
    ("浙江省", "宁波", "Ningbo", "330200", 3),
    ("广东省", "深圳", "Shenzhen", "440300", 9),
    ("广东省", "广州", "Guangzhou", "440100", 4),
    ("安徽省", "合肥", "Hefei", "340100", 4),
    ("湖北省", "武汉", "Wuhan", "420100", 4),
    ("四川省", "成都", "Chengdu", "510100", 3),
    ("陕西省", "西安", "Xi'an", "610100", 3),
    ("山东省", "青岛", "Qingdao", "370200", 2),
    ("福建省", "厦门", "Xiamen", "350200", 2),
    ("湖南省", "长沙", "Changsha", "430100", 2),
    ("吉林省", "长春", "Changchun", "220100", 2),
    ("辽宁省", "沈阳", "Shenyang", "210100", 1),
    ("河南省", "郑州", "Zhengzhou", "410100", 1),
    ("广西壮族自治区", "柳州", "Liuzhou", "450200", 1),
    ("河北省", "保定", "Baoding", "130600", 1),
)

CITY_CUMULATIVE_WEIGHTS = list(itertools.accumulate(c[4] for c in CITIES))

# Brand syllables (Chinese, pinyin); two make a brand such as 芯驰 Xinchi.
SYLLABLES: tuple[tuple[str, str], ...] = (
    ("芯", "Xin"), ("驰", "Chi"), ("华", "Hua"), ("创", "Chuang"), ("智", "Zhi"), ("科", "Ke"), ("达", "Da"),
    ("瑞", "Rui"), ("晶", "Jing"), ("博", "Bo"), ("海", "Hai"), ("源", "Yuan"), ("泰", "Tai"), ("航", "Hang"),
    ("擎", "Qing"), ("凌", "Ling"), ("启", "Qi"), ("拓", "Tuo"), ("联", "Lian"), ("宇", "Yu"), ("星", "Xing"),
    ("恒", "Heng"), ("旭", "Xu"), ("弘", "Hong"), ("致", "Zhi"), ("远", "Yuan"), ("杰", "Jie"), ("光", "Guang"),
    ("迅", "Xun"), ("睿", "Rui"), ("昇", "Sheng"), ("澜", "Lan"), ("峰", "Feng"), ("途", "Tu"), ("驭", "Yu"),
    ("川", "Chuan"), ("朗", "Lang"), ("磐", "Pan"), ("钧", "Jun"), ("曜", "Yao"), ("翼", "Yi"), ("墨", "Mo"),
)  # fmt: skip

# What a Chinese organisation of each role calls itself: (Chinese, English) after city and brand.
ROLE_WORDS: dict[str, tuple[tuple[str, str], ...]] = {
    R.FABLESS: (("微电子", "Microelectronics"), ("半导体", "Semiconductor"), ("芯片技术", "Chip Technology"),
                ("集成电路设计", "IC Design"), ("科技", "Technology"), ("智能科技", "Intelligent Technology")),
    R.IDM: (("半导体", "Semiconductor"), ("功率半导体", "Power Semiconductor"), ("电子器件", "Electronic Devices")),
    R.FOUNDRY: (("集成电路制造", "Integrated Circuit Manufacturing"), ("晶圆制造", "Wafer Manufacturing"),
                ("半导体制造", "Semiconductor Manufacturing")),
    R.OSAT: (("封装测试", "Packaging and Test"), ("微电子封装", "Microelectronics Packaging"),
             ("封测科技", "Packaging Technology")),
    R.MATERIALS: (("电子材料", "Electronic Materials"), ("硅材料", "Silicon Materials"),
                  ("新材料", "Advanced Materials")),
    R.EQUIPMENT: (("半导体装备", "Semiconductor Equipment"), ("精密设备", "Precision Equipment"),
                  ("微电子装备", "Microelectronics Equipment")),
    R.EDA_IP: (("电子设计自动化", "EDA"), ("芯片IP", "Chip IP"), ("设计软件", "Design Software")),
    R.MODULE: (("汽车电子", "Automotive Electronics"), ("电子模组", "Electronic Modules"), ("电子", "Electronics")),
    R.TIER1: (("汽车电子", "Automotive Electronics"), ("汽车零部件", "Auto Parts"), ("汽车系统", "Automotive Systems"),
              ("智能驾驶", "Intelligent Driving")),
    R.OEM: (("汽车", "Automobile"), ("新能源汽车", "New Energy Vehicle"), ("智能汽车", "Smart Vehicle"),
            ("汽车集团", "Automotive Group")),
    R.LAB: (("检测技术", "Testing Technology"), ("检验认证", "Inspection and Certification"),
            ("质量检测", "Quality Testing")),
    R.INVESTOR: (("创业投资", "Venture Capital"), ("产业投资", "Industrial Investment"),
                 ("股权投资基金", "Equity Investment Fund")),
    R.RESEARCH: (("集成电路研究院", "Institute of Integrated Circuits"),
                 ("汽车电子研究所", "Automotive Electronics Research Institute"),
                 ("微电子研究院", "Microelectronics Research Institute")),
    R.GOVERNMENT: (("集成电路产业促进中心", "Integrated Circuit Industry Promotion Centre"),
                   ("汽车产业发展服务中心", "Automotive Industry Development Service Centre"),
                   ("高新区管理委员会", "High-Tech Zone Administrative Committee")),
}  # fmt: skip
# Most companies are limited companies, some joint-stock ones; both are "Co., Ltd." in English.
LEGAL_FORMS = (("有限公司", " Co., Ltd."),) * 5 + (("股份有限公司", " Co., Ltd."),)
# Roles whose organisations are not companies (no 有限公司 / Co., Ltd.).
PUBLIC_BODIES = {R.RESEARCH, R.GOVERNMENT}

# Foreign names: two roots per country (English, Chinese transliteration), a legal form and cities.
FOREIGN_NAMES: dict[str, dict[str, Any]] = {
    "DE": {
        "first": (("Rhein", "莱茵"), ("Nord", "诺德"), ("Elb", "易北"), ("Isar", "伊萨尔"), ("Hoch", "霍赫"),
                  ("Stern", "施特恩"), ("Weiss", "怀斯"), ("Falk", "法尔克")),
        "second": (("tek", "泰克"), ("tron", "特龙"), ("werk", "沃克"), ("mark", "马克"), ("berg", "贝格"),
                   ("hoff", "霍夫")),
        "form": ("GmbH", "有限公司"),
        "cities": ("Munich", "Dresden", "Stuttgart", "Regensburg"),
        "given": ("Anna", "Lukas", "Jonas", "Lea", "Felix", "Marie"),
        "family": ("Müller", "Schmidt", "Weber", "Fischer", "Wagner", "Becker"),
    },
    "US": {
        "first": (("Sierra", "塞拉"), ("Cascade", "卡斯凯德"), ("Apex", "埃派克斯"), ("Lumen", "卢门"),
                  ("Vertex", "沃泰克斯"), ("Nova", "诺瓦")),
        "second": (("logic", "逻辑"), ("wave", "波"), ("core", "芯"), ("link", "联"), ("silicon", "硅"),
                   ("volt", "伏特")),
        "form": ("Inc.", "公司"),
        "cities": ("San Jose", "Austin", "Phoenix", "Detroit"),
        "given": ("James", "Emily", "Michael", "Sarah", "David", "Laura"),
        "family": ("Smith", "Johnson", "Miller", "Davis", "Clark", "Lewis"),
    },
    "JP": {
        "first": (("Kita", "北"), ("Hoshi", "星"), ("Mizu", "水"), ("Taka", "高"), ("Yama", "山"), ("Asa", "朝")),
        "second": (("mura", "村"), ("kawa", "川"), ("da", "田"), ("moto", "本"), ("no", "野"), ("hara", "原")),
        "form": ("Co., Ltd.", "株式会社"),
        "cities": ("Tokyo", "Nagoya", "Kyoto", "Yokohama"),
        "given": ("Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina"),
        "family": ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito"),
    },
    "NL": {
        "first": (("Zee", "泽"), ("Linde", "林德"), ("Maas", "马斯"), ("Veld", "费尔德"), ("Dijk", "戴克"),
                  ("Hol", "霍尔")),
        "second": (("tronics", "电子"), ("hoven", "霍芬"), ("stad", "斯塔德"), ("lux", "勒克斯"), ("meer", "梅尔"),
                   ("vorm", "福姆")),
        "form": ("B.V.", "有限公司"),
        "cities": ("Eindhoven", "Nijmegen", "Veldhoven"),
        "given": ("Daan", "Emma", "Sem", "Julia", "Lucas", "Tess"),
        "family": ("de Jong", "Jansen", "de Vries", "Bakker", "Visser", "Smit"),
    },
    "KR": {
        "first": (("Han", "韩"), ("Dae", "大"), ("Hyun", "贤"), ("Sung", "星"), ("Jin", "晋"), ("Mi", "美")),
        "second": (("il", "一"), ("won", "元"), ("yang", "洋"), ("woo", "宇"), ("seong", "成"), ("rae", "来")),
        "form": ("Co., Ltd.", "株式会社"),
        "cities": ("Seoul", "Suwon", "Icheon"),
        "given": ("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yun", "Ji-woo"),
        "family": ("Kim", "Lee", "Park", "Choi", "Jung", "Kang"),
    },
}  # fmt: skip
FOREIGN_ROLE_WORDS: dict[str, tuple[str, str]] = {
    R.FABLESS: ("Semiconductor", "半导体"), R.IDM: ("Semiconductors", "半导体"), R.FOUNDRY: ("Foundry", "晶圆代工"),
    R.OSAT: ("Packaging", "封测"), R.MATERIALS: ("Materials", "材料"), R.EQUIPMENT: ("Equipment", "设备"),
    R.EDA_IP: ("Design Systems", "设计系统"), R.MODULE: ("Electronics", "电子"), R.TIER1: ("Automotive", "汽车技术"),
    R.OEM: ("Motors", "汽车"), R.LAB: ("Testing Services", "检测服务"), R.INVESTOR: ("Capital", "资本"),
}  # fmt: skip

SURNAMES: tuple[tuple[str, str], ...] = (
    ("王", "Wang"), ("李", "Li"), ("张", "Zhang"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"), ("赵", "Zhao"),
    ("黄", "Huang"), ("周", "Zhou"), ("吴", "Wu"), ("徐", "Xu"), ("孙", "Sun"), ("胡", "Hu"), ("朱", "Zhu"),
    ("高", "Gao"), ("林", "Lin"), ("何", "He"), ("郭", "Guo"), ("马", "Ma"), ("罗", "Luo"),
)  # fmt: skip
GIVEN_NAMES: tuple[tuple[str, str], ...] = (
    ("伟", "Wei"), ("芳", "Fang"), ("敏", "Min"), ("静", "Jing"), ("磊", "Lei"), ("洋", "Yang"), ("勇", "Yong"),
    ("艳", "Yan"), ("杰", "Jie"), ("涛", "Tao"), ("明", "Ming"), ("超", "Chao"), ("秀英", "Xiuying"), ("丽", "Li"),
    ("强", "Qiang"), ("婷", "Ting"), ("浩", "Hao"), ("欣怡", "Xinyi"), ("子轩", "Zixuan"), ("雨桐", "Yutong"),
)  # fmt: skip
TITLES_ZH = ("总经理", "首席技术官", "销售总监", "质量总监", "市场经理", "产品经理", "采购经理", "研发总监")
TITLES_EN = ("General Manager China", "CTO", "Sales Director", "Quality Manager", "Key Account Manager")

# Per chip category: the letter in part numbers, product types (English, Chinese, AEC standard) and process nodes.
CATEGORY_PRODUCTS: dict[str, tuple[str, tuple[tuple[str, str, str], ...], tuple[str, ...]]] = {
    "control": ("M", (("32-bit automotive MCU", "32位车规MCU", "AEC-Q100"),
                      ("domain controller MCU", "域控制器MCU", "AEC-Q100"),
                      ("motor control MCU", "电机控制MCU", "AEC-Q100")), ("40nm", "28nm", "55nm", "90nm", "22nm")),
    "computing": ("A", (("smart cockpit SoC", "智能座舱SoC", "AEC-Q100"), ("ADAS SoC", "ADAS SoC", "AEC-Q100"),
                        ("autonomous-driving AI SoC", "自动驾驶AI芯片", "AEC-Q100"),
                        ("NPU accelerator", "NPU加速芯片", "AEC-Q100")), ("7nm", "16nm", "12nm", "5nm", "28nm")),
    "sensing": ("S", (("CMOS image sensor", "CMOS图像传感器", "AEC-Q100"),
                      ("77 GHz radar transceiver", "77GHz毫米波雷达芯片", "AEC-Q100"),
                      ("MEMS pressure sensor", "MEMS压力传感器", "AEC-Q103"),
                      ("current sensor", "电流传感器", "AEC-Q100"),
                      ("MEMS inertial sensor", "MEMS惯性传感器", "AEC-Q103")), ("55nm", "40nm", "0.18um", "65nm")),
    "communication": ("C", (("CAN FD transceiver", "CAN FD收发器", "AEC-Q100"),
                            ("LIN transceiver", "LIN收发器", "AEC-Q100"),
                            ("automotive Ethernet PHY", "车载以太网PHY", "AEC-Q100"),
                            ("SerDes", "SerDes芯片", "AEC-Q100"), ("C-V2X chip", "C-V2X芯片", "AEC-Q100"),
                            ("UWB chip", "UWB芯片", "AEC-Q100")), ("0.18um", "55nm", "28nm", "40nm", "0.13um")),
    "memory": ("F", (("NOR flash", "NOR Flash存储器", "AEC-Q100"), ("LPDDR4X DRAM", "LPDDR4X DRAM", "AEC-Q100"),
                     ("eMMC", "eMMC存储器", "AEC-Q100"), ("EEPROM", "EEPROM存储器", "AEC-Q100"),
                     ("UFS storage", "UFS存储器", "AEC-Q100")), ("55nm", "19nm", "1x nm", "0.13um", "40nm")),
    "security": ("H", (("hardware security module", "硬件安全模块", "AEC-Q100"),
                       ("secure element", "安全芯片", "AEC-Q100"), ("automotive eSIM", "车规eSIM", "AEC-Q100"),
                       ("V2X security chip", "V2X安全芯片", "AEC-Q100")), ("40nm", "55nm", "90nm", "28nm")),
    "power": ("P", (("IGBT module", "IGBT模块", "AEC-Q101"), ("1200 V SiC MOSFET", "1200V SiC MOSFET", "AEC-Q101"),
                    ("650 V GaN HEMT", "650V GaN HEMT", "AEC-Q101"), ("750 V IGBT die", "750V IGBT芯片", "AEC-Q101"),
                    ("SiC Schottky diode", "SiC肖特基二极管", "AEC-Q101")), ("6-inch SiC", "8-inch SiC", "0.35um",
                                                                              "8-inch Si")),
    "driver": ("D", (("isolated gate driver", "隔离栅极驱动芯片", "AEC-Q100"),
                     ("motor driver", "电机驱动芯片", "AEC-Q100"), ("LED driver", "LED驱动芯片", "AEC-Q100"),
                     ("display driver", "显示驱动芯片", "AEC-Q100"), ("high-side switch", "高边开关", "AEC-Q100")),
               ("0.18um BCD", "0.13um", "55nm", "90nm BCD")),
    "power_management": ("V", (("automotive PMIC", "车规PMIC", "AEC-Q100"),
                               ("buck DC-DC converter", "降压DC-DC转换器", "AEC-Q100"),
                               ("LDO regulator", "LDO稳压器", "AEC-Q100"),
                               ("battery management AFE", "电池管理AFE", "AEC-Q100"),
                               ("system basis chip", "系统基础芯片SBC", "AEC-Q100")),
                         ("0.18um BCD", "0.13um", "90nm BCD", "0.35um")),
    "other": ("X", (("clock generator", "时钟发生器", "AEC-Q100"), ("analog front end", "模拟前端芯片", "AEC-Q100"),
                    ("audio amplifier", "音频功放芯片", "AEC-Q100"), ("timing oscillator", "MEMS振荡器", "AEC-Q103")),
              ("0.18um", "0.13um", "55nm")),
}  # fmt: skip
# Role names written into descriptions in both languages (data, so not dependent on the active language).
ROLE_NAMES: dict[str, tuple[str, str]] = {
    R.EDA_IP: ("EDA/IP供应商", "EDA/IP vendor"), R.FABLESS: ("芯片设计企业", "chip designer (fabless)"),
    R.IDM: ("IDM", "IDM"), R.FOUNDRY: ("晶圆代工", "foundry"), R.OSAT: ("封装测试", "packaging & test (OSAT)"),
    R.MATERIALS: ("材料", "materials"), R.EQUIPMENT: ("设备", "equipment"),
    R.MODULE: ("模组/二级供应商", "module / Tier-2 supplier"), R.TIER1: ("一级供应商", "Tier-1 supplier"),
    R.OEM: ("整车企业", "vehicle maker (OEM)"), R.LAB: ("检测认证机构", "test & certification lab"),
    R.INVESTOR: ("投资机构", "investor"), R.RESEARCH: ("高校/科研院所", "university / research institute"),
    R.GOVERNMENT: ("政府/园区机构", "government / park body"),
}  # fmt: skip
CATEGORY_WORDS: dict[str, tuple[str, str]] = {
    "control": ("控制芯片（MCU）", "control chips (MCU)"),
    "computing": ("计算芯片（SoC/AI）", "computing chips (SoC/AI)"),
    "sensing": ("传感芯片", "sensing chips"), "communication": ("通信芯片", "communication chips"),
    "memory": ("存储芯片", "memory chips"), "security": ("安全芯片", "security chips"),
    "power": ("功率芯片（IGBT、SiC）", "power chips (IGBT, SiC)"), "driver": ("驱动芯片", "driver chips"),
    "power_management": ("电源管理芯片", "power-management chips"), "other": ("其他芯片", "other chips"),
}  # fmt: skip
# How often designers pick each category first; IDMs lean to power and sensing; what Tier-1s and OEMs buy.
FABLESS_CATEGORY_WEIGHTS = {"control": 12, "computing": 10, "sensing": 12, "communication": 10, "memory": 6,
                            "security": 6, "power": 10, "driver": 10, "power_management": 12, "other": 6}  # fmt: skip
IDM_CATEGORY_WEIGHTS = {"control": 3, "computing": 1, "sensing": 3, "communication": 2, "memory": 2, "security": 1,
                        "power": 6, "driver": 2, "power_management": 3, "other": 1}  # fmt: skip
BUYER_CATEGORY_WEIGHTS = {"control": 10, "computing": 8, "sensing": 9, "communication": 8, "memory": 6, "security": 5,
                          "power": 9, "driver": 7, "power_management": 9, "other": 4}  # fmt: skip
MODULE_CATEGORIES = ("power", "communication", "sensing", "computing", "power_management")
# Categories car makers often buy straight from chip makers rather than through a Tier-1.
OEM_DIRECT_CATEGORIES = {"computing", "power", "memory", "security"}

LIFECYCLE_WEIGHTS = {Lifecycle.MASS_PRODUCTION: 55, Lifecycle.SAMPLING: 15, Lifecycle.DEVELOPMENT: 10,
                     Lifecycle.NRND: 12, Lifecycle.EOL: 8}  # fmt: skip
QUALIFIED_SHARE = {Lifecycle.DEVELOPMENT: 0.1, Lifecycle.SAMPLING: 0.5, Lifecycle.MASS_PRODUCTION: 0.9,
                   Lifecycle.NRND: 0.9, Lifecycle.EOL: 0.8}  # fmt: skip
AEC_Q100_GRADE_WEIGHTS = {"0": 15, "1": 50, "2": 25, "3": 10}
ASIL_WEIGHTS = {"QM": 1, "A": 1, "B": 3, "C": 1, "D": 3}
FUNCTIONAL_SAFETY_CATEGORIES = {"control", "computing", "power_management", "driver", "sensing", "power"}
CYBERSECURITY_SHARE = {"security": 0.6, "communication": 0.25, "computing": 0.25, "control": 0.15}
# IATF 16949 is for plants; some designers hold it for their quality system too.
IATF_SHARE: dict[str, float] = {R.IDM: 0.8, R.FOUNDRY: 0.8, R.OSAT: 0.8, R.TIER1: 0.8, R.MODULE: 0.7, R.OEM: 0.7,
              R.MATERIALS: 0.4, R.FABLESS: 0.25}  # fmt: skip
EXPIRED_SHARE = 0.1
CERTIFICATE_PREFIX: dict[str, str] = {Standard.AEC_Q100: "Q100", Standard.AEC_Q101: "Q101", Standard.AEC_Q103: "Q103",
                      Standard.ISO_26262: "FS", Standard.ISO_SAE_21434: "CS", Standard.IATF_16949: "IATF"}  # fmt: skip

SUPPLIERS_PER_CATEGORY = {1: 18, 2: 26, 3: 24, 4: 18, 5: 14}
SINGLE_SOURCE_SHARE = 0.8  # of buyer/category pairs with one supplier: that supplier has all the volume
LINK_STATUS_WEIGHTS = {LinkStatus.MASS_PRODUCTION: 60, LinkStatus.DESIGN_WIN: 22, LinkStatus.EVALUATION: 18}
LINK_WITH_PRODUCT = 0.8
# Products per chip maker (other makers, such as car makers designing their own chips: a few).
PRODUCTS_PER_MAKER: dict[str, tuple[int, int]] = {R.FABLESS: (4, 14), R.IDM: (20, 40)}


def category_codes() -> list[str]:
    """The ten chip category codes, read from the same file the migration loads."""
    with CATEGORIES_CSV.open(encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f)]


def description_for(role: str, categories: Sequence[str] = ()) -> str:
    """Every demo organisation says, in both languages, that it is generated; then what it does."""
    what_zh = "、".join(CATEGORY_WORDS[c][0] for c in categories)
    what_en = ", ".join(CATEGORY_WORDS[c][1] for c in categories)
    focus_zh = f"主营车规级{what_zh}。" if categories else ""
    focus_en = f" Focus: automotive-grade {what_en}." if categories else ""
    role_zh, role_en = ROLE_NAMES[role]
    return (
        f"本条为自动生成的演示数据，并非真实机构。产业链角色：{role_zh}。{focus_zh}\n"
        f"Generated demo data, not a real organisation. Chain role: {role_en}.{focus_en}"
    )


# Registering authority and entity type in credit codes: 91 enterprise, 12 public institution, 11 government.
ENTITY_TYPE: dict[str, str] = {R.RESEARCH: "12", R.GOVERNMENT: "11"}


def _organisation_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714) with its own check character."""
    body = [rng.randrange(10) for _ in range(8)]
    check = 11 - sum(d * w for d, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    return "".join(map(str, body)) + {10: "X", 11: "0"}.get(check, str(check))


def credit_code_for(rng: random.Random, region: str, role: str) -> str:
    """A Unified Social Credit Code with a valid check character (GB 32100-2015)."""
    from stdnum.cn import uscc

    prefix = ENTITY_TYPE.get(role, "91")
    body = prefix + region + _organisation_code(rng)
    return body + uscc.calc_check_digit(body)


_CUMULATIVE: dict[int, tuple[list[Any], list[float]]] = {}


def _weighted(rng: random.Random, weights: dict[Any, int] | dict[Any, float]) -> Any:
    """One key drawn by weight. Only pass the module's tables: they live as long as the module, so their id()
    can key the cache of cumulative weights (computed once instead of on every draw)."""
    table = _CUMULATIVE.get(id(weights))
    if table is None:
        table = _CUMULATIVE[id(weights)] = (list(weights), list(itertools.accumulate(weights.values())))
    return rng.choices(table[0], cum_weights=table[1])[0]


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` percent split into `parts` whole percentages (each at least 1) that add up to exactly `total`."""
    weights = [rng.uniform(0.5, 3.0) for _ in range(parts)]
    raw = [total * w / sum(weights) for w in weights]
    shares = [max(1, int(r)) for r in raw]
    by_remainder = sorted(range(parts), key=lambda i: (raw[i] - int(raw[i]), -i), reverse=True)
    i = 0
    while sum(shares) < total:
        shares[by_remainder[i % parts]] += 1
        i += 1
    while sum(shares) > total:
        j = max(range(parts), key=lambda k: shares[k])
        shares[j] -= 1
    return shares


@dataclass
class _Org:
    """Generation-time facts about an organisation that are not columns (what it makes, buys, supplies)."""

    row: DemoOrganisation
    role: str
    made: list[str] = field(default_factory=list)  # chip categories it makes products in
    bought: list[str] = field(default_factory=list)  # categories a Tier-1/module/OEM sources
    slug: str = ""
    prefix: str = ""


class _Generator:
    def __init__(self, scale: int, seed: int, reference_date: datetime.date) -> None:
        if scale < 1:
            raise ValueError("scale must be at least 1")
        self.scale = scale
        self.seed = seed
        self.today = reference_date
        self.rng = random.Random(f"chiptown-demo:{seed}")
        self.categories = category_codes()
        self.chain = DemoChain(scale=scale, seed=seed)
        self.orgs: list[_Org] = []
        self.used_names: set[tuple[str, str]] = set()
        self.used_codes: set[str] = set()
        self.products_of: dict[tuple[int, str], list[int]] = {}
        self.certificate_seq = 0

    # -- organisations --------------------------------------------------------------------------------------------

    def organisations(self) -> None:
        rng = self.rng
        for role, per_scale in ROLE_COUNTS.items():
            for _n in range(per_scale * self.scale):
                roles = [role]
                second = SECOND_ROLES.get(role)
                if second and rng.random() < second[1]:
                    roles.append(second[0])
                foreign_share, countries = FOREIGN.get(role, (0.0, {}))
                if rng.random() < foreign_share:
                    self._foreign(role, roles, _weighted(rng, countries))
                else:
                    self._chinese(role, roles)

    def _unique(self, country: str, name_en: str) -> bool:
        key = (country, name_key(name_en))
        if key in self.used_names:
            return False
        self.used_names.add(key)
        return True

    def _chinese(self, role: str, roles: list[str]) -> None:
        rng = self.rng
        in_park = rng.random() < IN_PARK[role]
        if in_park:
            province, city, city_en, region = PARK_CITY
        else:
            province, city, city_en, region, _w = rng.choices(CITIES, cum_weights=CITY_CUMULATIVE_WEIGHTS)[0]
        public = role in PUBLIC_BODIES
        for attempt in range(50):
            (s1_zh, s1_en), (s2_zh, s2_en) = rng.sample(SYLLABLES, 2)
            brand_zh, brand_en = s1_zh + s2_zh, s1_en + s2_en.lower()
            word_zh, word_en = rng.choice(ROLE_WORDS[role])
            legal_zh, legal_en = ("", "") if public else rng.choice(LEGAL_FORMS)
            name_zh = f"{city}{brand_zh}{word_zh}{legal_zh}"
            name_en = f"{city_en} {brand_en} {word_en}{legal_en}"
            if attempt >= 40:  # the name space is nearly used up at very large scales: number the rest
                name_zh, name_en = f"{name_zh}（{attempt}）", f"{name_en} ({attempt})"
            if self._unique("CN", name_en):
                break
        code = credit_code_for(rng, region, role)
        while code in self.used_codes:
            code = credit_code_for(rng, region, role)
        self.used_codes.add(code)
        slug = f"{brand_en.lower()}-{role.replace('_', '')}"
        self._add(
            DemoOrganisation(
                name_zh=name_zh,
                name_en=name_en,
                credit_code=code,
                country="CN",
                province=province,
                city=city,
                in_park=in_park,
                size_band=str(rng.choices(SIZE_BANDS, weights=SIZE_WEIGHTS[role])[0]),
                founded_year=rng.randint(*FOUNDED[role]),
                website=f"https://www.{slug}.example" if rng.random() < 0.85 else "",
                description="",
                roles=tuple(str(r) for r in roles),
            ),
            role,
            slug=slug,
            prefix=(s1_en[0] + s2_en[0]).upper(),
        )

    def _foreign(self, role: str, roles: list[str], country: str) -> None:
        rng = self.rng
        names = FOREIGN_NAMES[country]
        word_en, word_zh = FOREIGN_ROLE_WORDS[role]
        form_en, form_zh = names["form"]
        for attempt in range(50):
            (f_en, f_zh), (s_en, s_zh) = rng.choice(names["first"]), rng.choice(names["second"])
            root_en = f_en + s_en
            name_en = f"{root_en} {word_en} {form_en}"
            name_zh = f"{f_zh}{s_zh}{word_zh}{form_zh}"
            if attempt >= 10:
                region = rng.choice(names["cities"])
                name_en = f"{root_en} {word_en} {region} {form_en}"
                name_zh = f"{f_zh}{s_zh}{word_zh}（{region}）{form_zh}"
            if attempt >= 20:
                name_en = f"{root_en} {word_en} {region} {attempt} {form_en}"
                name_zh = f"{f_zh}{s_zh}{word_zh}（{region} {attempt}）{form_zh}"
            if self._unique(country, name_en):
                break
        slug = f"{root_en.lower()}-{role.replace('_', '')}"
        self._add(
            DemoOrganisation(
                name_zh=name_zh,
                name_en=name_en,
                credit_code=None,
                country=country,
                province="",
                city=rng.choice(names["cities"]),
                in_park=False,
                size_band=str(rng.choices(SIZE_BANDS, weights=SIZE_WEIGHTS[role])[0]),
                founded_year=rng.randint(FOUNDED[role][0] - 20, FOUNDED[role][1]),
                website=f"https://www.{slug}.example",
                description="",
                roles=tuple(str(r) for r in roles),
            ),
            role,
            slug=slug,
            prefix=root_en[:3].upper(),
        )

    def _add(self, row: DemoOrganisation, role: str, *, slug: str, prefix: str) -> None:
        self.orgs.append(_Org(row=row, role=role, slug=slug, prefix=prefix))

    # -- what each organisation makes and buys ---------------------------------------------------------------------

    def specialise(self) -> None:
        rng = self.rng
        fabless_seen = 0
        for org in self.orgs:
            roles = org.row.roles
            if org.role == R.FABLESS:
                # The first ten designers cover the ten categories, so every scale has all of them.
                first = (
                    self.categories[fabless_seen]
                    if fabless_seen < len(self.categories)
                    else _weighted(rng, FABLESS_CATEGORY_WEIGHTS)
                )
                fabless_seen += 1
                org.made = [first]
                if rng.random() < 0.3:
                    second = _weighted(rng, FABLESS_CATEGORY_WEIGHTS)
                    if second != first:
                        org.made.append(second)
            elif org.role == R.IDM:
                made: list[str] = []
                for _n in range(rng.randint(2, 4)):
                    c = _weighted(rng, IDM_CATEGORY_WEIGHTS)
                    if c not in made:
                        made.append(c)
                org.made = made
            elif org.role == R.OEM and R.FABLESS in roles:
                org.made = [rng.choice(("computing", "power", "control"))]
            if org.role in (R.TIER1, R.OEM):
                count = rng.randint(5, 10) if org.role == R.TIER1 else rng.randint(6, 10)
                org.bought = self._some_categories(count)
            elif org.role == R.MODULE:
                org.bought = sorted(rng.sample(MODULE_CATEGORIES, rng.randint(1, 3)), key=self.categories.index)
            if org.role == R.TIER1 and R.MODULE in roles:
                org.bought = sorted(set(org.bought) | {rng.choice(MODULE_CATEGORIES)}, key=self.categories.index)

    def _some_categories(self, count: int) -> list[str]:
        chosen: list[str] = []
        while len(chosen) < min(count, len(self.categories)):
            c = _weighted(self.rng, BUYER_CATEGORY_WEIGHTS)
            if c not in chosen:
                chosen.append(c)
        return sorted(chosen, key=self.categories.index)

    def finish_organisations(self) -> None:
        for org in self.orgs:
            categories = org.made or org.bought
            org.row = org.row._replace(description=description_for(org.role, categories))
            self.chain.organisations.append(org.row)

    # -- people ---------------------------------------------------------------------------------------------------

    def people(self) -> None:
        rng = self.rng
        for org in self.orgs:
            used: set[str] = set()
            for _n in range(rng.randint(1, 3)):
                if org.row.country == "CN":
                    (sur_zh, sur_en), (given_zh, given_en) = rng.choice(SURNAMES), rng.choice(GIVEN_NAMES)
                    name_zh, name_en = sur_zh + given_zh, f"{sur_en} {given_en}"
                    local = f"{given_en}.{sur_en}".lower()
                    title = rng.choice(TITLES_ZH)
                else:
                    names = FOREIGN_NAMES[org.row.country]
                    given, family = rng.choice(names["given"]), rng.choice(names["family"])
                    name_zh = ""
                    name_en = f"{family} {given}" if org.row.country == "KR" else f"{given} {family}"
                    local = f"{given}.{family}".lower().replace("ü", "ue").replace(" ", "").replace("-", "")
                    title = rng.choice(TITLES_EN)
                while local in used:
                    local += str(rng.randrange(10))
                used.add(local)
                self.chain.people.append(
                    DemoPerson(
                        organisation=org.row.key,
                        name_zh=name_zh,
                        name_en=name_en,
                        title=title,
                        email=f"{local}@{org.slug}.example",
                    )
                )

    # -- products and qualifications ---------------------------------------------------------------------------------

    def products(self) -> None:
        rng = self.rng
        for index, org in enumerate(self.orgs):
            if not org.made:
                continue
            low, high = PRODUCTS_PER_MAKER.get(org.role, (2, 6))
            count = rng.randint(low, high)
            numbers: set[int] = set()
            for n in range(count):
                category = org.made[0] if n < count * 0.7 or len(org.made) == 1 else rng.choice(org.made[1:])
                letter, types, nodes = CATEGORY_PRODUCTS[category]
                type_en, type_zh, _aec = rng.choice(types)
                number = rng.randrange(1000, 9999)
                while number in numbers:
                    number = rng.randrange(1000, 9999)
                numbers.add(number)
                part_number = f"{org.prefix}{letter}{number}{rng.choice(('', '', '-Q1', 'AQ', '-AE'))}"
                self.products_of.setdefault((index, category), []).append(len(self.chain.products))
                self.chain.products.append(
                    DemoProduct(
                        maker=org.row.key,
                        category=category,
                        part_number=part_number,
                        name_zh=type_zh,
                        name_en=type_en,
                        process_node=rng.choice(nodes),
                        lifecycle=str(_weighted(rng, LIFECYCLE_WEIGHTS)),
                    )
                )

    def _issuers(self) -> list[str]:
        labs = [o.row for o in self.orgs if R.LAB in o.row.roles]
        return [lab.name_zh if lab.country == "CN" else lab.name_en for lab in labs] or ["ChipTown Demo Lab"]

    def _certificate(
        self, standard: str, level: str, issuers: list[str], *, product: ProductKey | None = None,
        organisation: OrganisationKey | None = None,
    ) -> None:  # fmt: skip
        rng = self.rng
        if rng.random() < EXPIRED_SHARE:
            issued = self.today - datetime.timedelta(days=rng.randint(1200, 2500))
        else:
            issued = self.today - datetime.timedelta(days=rng.randint(30, 700))
        self.certificate_seq += 1
        self.chain.qualifications.append(
            DemoQualification(
                product=product,
                organisation=organisation,
                standard=str(standard),
                level=level,
                issuer=rng.choice(issuers),
                certificate_number=f"{CERTIFICATE_PREFIX[standard]}-{issued.year}-{self.certificate_seq:06d}",
                issued_on=issued,
                expires_on=issued + datetime.timedelta(days=3 * 365),
            )
        )

    def qualifications(self) -> None:
        rng = self.rng
        issuers = self._issuers()
        aec_of = {
            (category, type_en): aec
            for category, (_l, types, _n) in CATEGORY_PRODUCTS.items()
            for type_en, _zh, aec in types
        }
        for product in self.chain.products:
            if rng.random() >= QUALIFIED_SHARE[Lifecycle(product.lifecycle)]:
                continue
            aec = aec_of[(product.category, product.name_en)]
            grade = str(_weighted(rng, AEC_Q100_GRADE_WEIGHTS)) if aec == Standard.AEC_Q100 else ""
            self._certificate(aec, grade, issuers, product=product.key)
            if product.category in FUNCTIONAL_SAFETY_CATEGORIES and rng.random() < 0.35:
                self._certificate(Standard.ISO_26262, str(_weighted(rng, ASIL_WEIGHTS)), issuers, product=product.key)
            if rng.random() < CYBERSECURITY_SHARE.get(product.category, 0.0):
                self._certificate(Standard.ISO_SAE_21434, "", issuers, product=product.key)
        for org in self.orgs:
            if rng.random() < IATF_SHARE.get(org.role, 0.0):
                self._certificate(Standard.IATF_16949, "", issuers, organisation=org.row.key)

    # -- supply links --------------------------------------------------------------------------------------------------

    def supply_links(self) -> None:
        """Who buys which category from whom; shares are allocated per buyer and category, never above 100 %."""
        makers_of: dict[str, list[int]] = {c: [] for c in self.categories}
        modules_of: dict[str, list[int]] = {c: [] for c in self.categories}
        tier1s_of: dict[str, list[int]] = {c: [] for c in self.categories}
        foundries: list[int] = []
        packagers: list[int] = []
        for i, org in enumerate(self.orgs):
            for c in org.made:
                makers_of[c].append(i)
            if org.role == R.MODULE or (org.role == R.TIER1 and R.MODULE in org.row.roles):
                for c in org.bought:
                    if c in MODULE_CATEGORIES:
                        modules_of[c].append(i)
            if org.role == R.TIER1:
                for c in org.bought:
                    tier1s_of[c].append(i)
            if R.FOUNDRY in org.row.roles:
                foundries.append(i)
            if org.role == R.OSAT:
                packagers.append(i)

        for buyer, org in enumerate(self.orgs):
            pools: dict[str, list[list[int]]] = {}
            if org.role in (R.TIER1, R.MODULE):
                for c in org.bought:
                    pools[c] = [makers_of[c], modules_of[c]] if org.role == R.TIER1 else [makers_of[c]]
            elif org.role == R.OEM:
                for c in org.bought:
                    pools[c] = [tier1s_of[c], makers_of[c]] if c in OEM_DIRECT_CATEGORIES else [tier1s_of[c]]
            elif org.role == R.FABLESS:
                for c in org.made:
                    pools[c] = [foundries]
                    self._packaging(buyer, c, packagers)
            for c, pool in pools.items():
                self._sourcing(buyer, c, pool)

    def _link(self, supplier: int, buyer: int, category: str, status: str, share: int | None) -> None:
        rng = self.rng
        product: ProductKey | None = None
        candidates = self.products_of.get((supplier, category))
        if candidates and rng.random() < LINK_WITH_PRODUCT:
            product = self.chain.products[rng.choice(candidates)].key
        days = rng.randint(30, 540) if status == LinkStatus.EVALUATION else rng.randint(120, 3000)
        self.chain.supply_links.append(
            DemoSupplyLink(
                supplier=self.orgs[supplier].row.key,
                buyer=self.orgs[buyer].row.key,
                category=category,
                product=product,
                status=str(status),
                share=Decimal(share) if share is not None else None,
                since=self.today - datetime.timedelta(days=days),
            )
        )

    def _pick(self, pools: list[list[int]], count: int, exclude: int) -> list[int]:
        """Up to `count` distinct suppliers from the pools, never `exclude`, without copying large pools."""
        size = sum(len(p) for p in pools)
        if size <= 4 * count + 8:
            candidates = [s for s in dict.fromkeys(s for p in pools for s in p) if s != exclude]
            return self.rng.sample(candidates, min(count, len(candidates)))
        chosen: list[int] = []
        while len(chosen) < count:
            n = self.rng.randrange(size)
            for p in pools:
                if n < len(p):
                    supplier = p[n]
                    break
                n -= len(p)
            if supplier != exclude and supplier not in chosen:
                chosen.append(supplier)
        return chosen

    def _sourcing(self, buyer: int, category: str, pools: list[list[int]]) -> None:
        rng = self.rng
        suppliers = self._pick(pools, int(_weighted(rng, SUPPLIERS_PER_CATEGORY)), buyer)
        if not suppliers:
            return
        if len(suppliers) == 1 and rng.random() < SINGLE_SOURCE_SHARE:
            self._link(suppliers[0], buyer, category, LinkStatus.MASS_PRODUCTION, 100)
            return
        statuses = [str(_weighted(rng, LINK_STATUS_WEIGHTS)) for _ in suppliers]
        sharing = [i for i, s in enumerate(statuses) if s != LinkStatus.EVALUATION]
        # Some buyers document only part of their volume; the rest is unknown, so the sum may stay under 100.
        total = 100 if rng.random() < 0.65 else rng.randint(55, 95)
        shares = dict(zip(sharing, _split(rng, total, len(sharing)), strict=True)) if sharing else {}
        for i, supplier in enumerate(suppliers):
            self._link(supplier, buyer, category, statuses[i], shares.get(i))

    def _packaging(self, buyer: int, category: str, packagers: list[int]) -> None:
        # Packaging and test is a service on the designer's own chips, not a share of its purchases: no share.
        if not packagers:
            return
        for supplier in self.rng.sample(packagers, min(len(packagers), self.rng.randint(1, 2))):
            self._link(supplier, buyer, category, LinkStatus.MASS_PRODUCTION, None)

    def run(self) -> DemoChain:
        self.organisations()
        self.specialise()
        self.finish_organisations()
        self.people()
        self.products()
        self.qualifications()
        self.supply_links()
        return self.chain


def generate(scale: int = 1, seed: int = DEFAULT_SEED, *, reference_date: datetime.date = REFERENCE_DATE) -> DemoChain:
    """A demo chain of about 200 x `scale` organisations; the same arguments always give the same rows."""
    return _Generator(scale, seed, reference_date).run()


# --- Writing ---------------------------------------------------------------------------------------------------------

BATCH_SIZE = 2000


def _converter(model_field: Any) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return model_field.get_db_prep_save(value, connection)

    return convert


def _insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    progress: Callable[[int], None] | None = None,
) -> int:
    """INSERT rows given as tuples; columns not given get the model field's default (auto_now ones: now).

    bulk_create spends most of its time building model instances; plain tuples are several times faster.
    SQLite gets executemany (one prepared statement), PostgreSQL gets COPY.
    """
    meta = model._meta
    fields: dict[str, Any] = {f.attname: f for f in meta.concrete_fields if not f.primary_key}
    given = [fields[c] for c in columns]
    now = timezone.now()
    defaults: list[tuple[str, Any]] = []
    for name, f in fields.items():
        if name in columns:
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            value: Any = now
        else:
            value = f.get_default()
        defaults.append((name, f.get_db_prep_save(value, connection)))
    # Only dates and decimals need converting for the database driver; strings, ints and bools pass as they are.
    convert = [_converter(f) if isinstance(f, models.DateField | models.DecimalField) else None for f in given]
    names = [*columns, *(n for n, _v in defaults)]
    constant = tuple(v for _n, v in defaults)
    table = connection.ops.quote_name(meta.db_table)
    column_list = ", ".join(connection.ops.quote_name(fields[n].column) for n in names)
    total = 0
    batch: list[tuple[Any, ...]] = []

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # executemany costs a round trip per row here (Django binds parameters client-side); COPY streams.
            with cursor.cursor.copy(f"COPY {table} ({column_list}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(
                        tuple(v if c is None else c(v) for v, c in zip(row, convert, strict=True)) + constant
                    )
                    total += 1
                    if progress and total % BATCH_SIZE == 0:
                        progress(total)
            if progress:
                progress(total)
            return total
        sql = f"INSERT INTO {table} ({column_list}) VALUES ({', '.join(['%s'] * len(names))})"  # noqa: S608
        for row in rows:
            batch.append(tuple(v if c is None else c(v) for v, c in zip(row, convert, strict=True)) + constant)
            if len(batch) >= BATCH_SIZE:
                cursor.executemany(sql, batch)
                total += len(batch)
                batch.clear()
                if progress:
                    progress(total)
        if batch:
            cursor.executemany(sql, batch)
            total += len(batch)
            if progress:
                progress(total)
    return total


def write(chain: DemoChain, *, progress: Progress = no_progress) -> dict[str, int]:
    """Insert a generated chain in one transaction; returns the number of rows written per kind.

    The same seed gives the same credit codes, so writing a chain twice fails on the unique credit code:
    call delete_demo() first (the demo-data command checks demo_exists()).
    """
    counts = chain.counts()
    grand_total = sum(counts.values()) or 1
    done = 0

    def step(label: str) -> Callable[[int], None]:
        start = done

        def report(written: int) -> None:
            progress(int(99 * (start + written) / grand_total), label)

        return report

    with transaction.atomic():
        first_org = (Organisation.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
        _insert(
            Organisation,
            ["name_zh", "name_en", "credit_code", "country", "province", "city", "in_park", "size_band",
             "founded_year", "website", "description", "is_demo", "name_key", "search_text"],
            (
                (o.name_zh, o.name_en, o.credit_code, o.country, o.province, o.city, o.in_park, o.size_band,
                 o.founded_year, o.website, o.description, True, name_key(o.name_en or o.name_zh),
                 search_key(o.name_zh, o.name_en, o.credit_code))
                for o in chain.organisations
            ),
            step(_("organisations")),
        )  # fmt: skip
        done += counts["organisations"]
        org_id: dict[OrganisationKey, int] = {}
        for pk, code, name_en, country in Organisation.objects.filter(is_demo=True, id__gte=first_org).values_list(
            "id", "credit_code", "name_en", "country"
        ):
            org_id[code if code else (name_en, country)] = pk
        _insert(
            OrganisationRole,
            ["organisation_id", "role"],
            ((org_id[o.key], role) for o in chain.organisations for role in o.roles),
        )
        _insert(
            Person,
            ["organisation_id", "name_zh", "name_en", "title", "email", "is_demo"],
            ((org_id[p.organisation], p.name_zh, p.name_en, p.title, p.email, True) for p in chain.people),
            step(_("people")),
        )
        done += counts["people"]
        first_product = (Product.objects.aggregate(m=models.Max("id"))["m"] or 0) + 1
        _insert(
            Product,
            ["organisation_id", "category_id", "part_number", "name_zh", "name_en", "process_node", "lifecycle",
             "is_demo", "search_text"],
            (
                (org_id[p.maker], p.category, p.part_number, p.name_zh, p.name_en, p.process_node, p.lifecycle,
                 True, search_key(p.part_number, p.name_zh, p.name_en))
                for p in chain.products
            ),
            step(_("products")),
        )  # fmt: skip
        done += counts["products"]
        key_of_org = {pk: key for key, pk in org_id.items()}
        product_id: dict[ProductKey, int] = {
            (key_of_org[maker], part): pk
            for pk, maker, part in Product.objects.filter(is_demo=True, id__gte=first_product).values_list(
                "id", "organisation_id", "part_number"
            )
        }
        _insert(
            Qualification,
            ["product_id", "organisation_id", "standard", "level", "issuer", "certificate_number", "issued_on",
             "expires_on", "is_demo"],
            (
                (product_id[q.product] if q.product else None, org_id[q.organisation] if q.organisation else None,
                 q.standard, q.level, q.issuer, q.certificate_number, q.issued_on, q.expires_on, True)
                for q in chain.qualifications
            ),
            step(_("qualifications")),
        )  # fmt: skip
        done += counts["qualifications"]
        _insert(
            SupplyLink,
            ["supplier_id", "buyer_id", "category_id", "product_id", "status", "share", "since", "is_demo"],
            (
                (org_id[s.supplier], org_id[s.buyer], s.category, product_id[s.product] if s.product else None,
                 s.status, s.share, s.since, True)
                for s in chain.supply_links
            ),
            step(_("supply links")),
        )  # fmt: skip
        audit_record(
            actor=None,
            action="registry.demo_data",
            object_type="registry.organisation",
            object_repr="demo data",
            after={"scale": chain.scale, "seed": chain.seed, **counts},
        )
    progress(100, _("done"))
    return counts


def demo_exists() -> bool:
    return Organisation.objects.filter(is_demo=True).exists()


def demo_counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.filter(is_demo=True).count(),
        "people": Person.objects.filter(is_demo=True).count(),
        "products": Product.objects.filter(is_demo=True).count(),
        "qualifications": Qualification.objects.filter(is_demo=True).count(),
        "supply_links": SupplyLink.objects.filter(is_demo=True).count(),
    }


def delete_demo() -> dict[str, int]:
    """Delete every demo row (and the demo logins), leaving real data alone; returns what was deleted."""
    from chiptown.accounts.models import User

    counts = demo_counts()
    with transaction.atomic():
        # Leaves first, so that each delete is a plain DELETE rather than a cascade collected in Python.
        SupplyLink.objects.filter(is_demo=True).delete()
        Qualification.objects.filter(is_demo=True).delete()
        Product.objects.filter(is_demo=True).delete()
        Person.objects.filter(is_demo=True).delete()
        Organisation.objects.filter(is_demo=True).delete()
        User.objects.filter(email__endswith="@" + DEMO_EMAIL_DOMAIN).delete()
        audit_record(
            actor=None,
            action="registry.demo_data_delete",
            object_type="registry.organisation",
            object_repr="demo data",
            before=counts,
        )
    return counts


# --- Demo logins ---------------------------------------------------------------------------------------------------


class DemoLogin(NamedTuple):
    role: str
    username: str
    organisation: str
    created: bool
    note: str


DEMO_USERNAMES = (
    ("operator", "operator"),
    ("company_rep", "rep"),
    ("judge", "judge"),
    ("speaker", "speaker"),
    ("attendee", "attendee"),
)


def rep_organisation() -> Organisation | None:
    """The organisation the demo representative edits: the first in-park demo chip designer with products."""
    return (
        Organisation.objects.filter(is_demo=True, in_park=True, roles__role=ChainRole.FABLESS, products__isnull=False)
        .order_by("id")
        .distinct()
        .first()
    )


def demo_users_ensure() -> list[DemoLogin]:
    """One login per role with the demo password; users that exist keep their password, others are left alone."""
    from chiptown.accounts.models import Role, User

    company = rep_organisation()
    logins: list[DemoLogin] = []
    for role, username in DEMO_USERNAMES:
        organisation = company if role == Role.COMPANY_REP else None
        email = f"{username}@{DEMO_EMAIL_DOMAIN}"
        user = User.objects.filter(username=username).first()
        created = False
        note = ""
        if user is None:
            user = User(username=username, email=email, role=role, organisation=organisation)
            user.is_staff = role == Role.OPERATOR
            user.set_password(DEMO_PASSWORD)
            user.save()
            created = True
        elif user.email != email:
            note = _("a user with this name exists and is not a demo login: left alone")
        elif role == Role.COMPANY_REP and user.organisation_id is None and organisation is not None:
            user.organisation = organisation
            user.save(update_fields=["organisation"])
        name = ""
        if role == Role.COMPANY_REP:
            rep_company = user.organisation if user.organisation_id else None
            name = f"{rep_company.name_zh} / {rep_company.name_en}" if rep_company else ""
        logins.append(DemoLogin(str(Role(role).label), username, name, created, note))
    return logins
