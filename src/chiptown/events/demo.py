"""The conference demo, on top of the registry demo: this year's three-day conference and last year's.

- This year's conference starts three weeks after the day the demo is built (dates are computed from today, so it
  is always upcoming): six rooms at the E-Town convention centre, five tracks, every session type (keynotes,
  hot-topic panels, innovation salons with sign-up, invite-only closed-door workshops with an NDA, the awards
  ceremony, breaks), speakers from the registry demo's people, about 300 registrations. Version 1 of the
  programme is published; one session has been retimed since and not published yet, so the publish page has
  something to show. One salon is full with a waiting list, another has free seats, a closed-door workshop
  invites the `rep` login's organisation (which may still take a seat); the `speaker` login speaks in three
  sessions (two talks and a panel) and has not sent the slides for one of the talks. One forum talk expects more
  people than its room seats, so the editor has a warning to show.
- Last year's conference is over: a smaller programme (published twice), registrations checked in, seats
  attended and feedback given, so the figures and feedback pages have data.

Rows are written directly (the services are for one change at a time; programme versions use the editor's own
snapshot and diff) while keeping every rule the services keep: a session's `seats_taken` is its confirmed seats
plus open offers and never above its capacity, one active sign-up per person and session, the waiting list in
order of sign-up, every closed-door participant invited and with the NDA accepted, one registration per person
and event. Everything is marked is_demo where the model has the flag, names say "demo", and a seed gives the
same programme, speakers and registrations for a given day.
"""

from __future__ import annotations

import dataclasses
import datetime
import io
import random
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chiptown.accounts.models import Role, User
from chiptown.core.errors import ChipTownError
from chiptown.core.services import Progress, audit_record, no_progress
from chiptown.events import selectors, versions
from chiptown.events.models import (
    AgendaItem,
    AttendeeType,
    Event,
    Feedback,
    Invitation,
    InvitationKind,
    Material,
    ProgrammeVersion,
    Registration,
    RegistrationStatus,
    Room,
    Session,
    SessionKind,
    SessionSpeaker,
    Signup,
    SignupStatus,
    Speaker,
    SpeakerRole,
    SpeakerStatus,
    Track,
)
from chiptown.registry import demo as registry_demo
from chiptown.registry.models import ChainRole, Organisation, OrganisationRole, Person

DEFAULT_SEED = registry_demo.DEFAULT_SEED
TIMEZONE = "Asia/Shanghai"
STARTS_IN_DAYS = 21  # this year's conference starts three weeks after the demo is built
GUESTS = 296  # plus the four demo logins: 300 registrations this year
PAST_GUESTS = 150
LINKED_GUESTS = 220  # guests who are registry people (their organisation can be invited to a closed-door workshop)
FULL_SALON_WAITING = 8
GUEST_PREFIX = "demo-guest-"
OPERATOR_USERNAME = "operator"
ATTENDEE_USERNAME = "attendee"
REP_USERNAME = "rep"
SPEAKER_USERNAME = "speaker"

VENUE_ZH = "北京亦庄国际会展中心"
VENUE_EN = "E-Town International Convention Centre"

# (key, name_zh, name_en, building, seats)
ROOMS = [
    ("main", "主会场", "Main Hall", "A馆一层 / Hall A, level 1", 1200),
    ("forum_a", "分论坛A厅", "Forum Room A", "B馆二层 / Hall B, level 2", 300),
    ("forum_b", "分论坛B厅", "Forum Room B", "B馆二层 / Hall B, level 2", 240),
    ("salon", "创新沙龙厅", "Innovation Salon Room", "B馆三层 / Hall B, level 3", 48),
    ("closed", "闭门会议室", "Closed-door Meeting Room", "C馆贵宾区 / Hall C, VIP area", 32),
    ("foyer", "前厅", "Foyer", "A馆 / Hall A", 1500),
]
PAST_ROOMS = ["main", "forum_a", "salon", "closed", "foyer"]

# (key, name_zh, name_en, colour)
TRACKS = [
    ("market", "市场与政策", "Market and Policy", "#1f6feb"),
    ("oem", "整车厂自研芯片", "Car Makers' Own Chips", "#8250df"),
    ("ad", "自动驾驶芯片", "Autonomous-Driving Chips", "#cf222e"),
    ("power", "功率与第三代半导体", "Power and Wide-Bandgap", "#bf8700"),
    ("supply", "供应链与车规认证", "Supply Chain and Qualification", "#1a7f37"),
]
PAST_TRACKS = ["market", "oem", "ad"]

# Who speaks in a track: people from organisations with these chain roles.
TRACK_ROLES: dict[str, list[str]] = {
    "market": [ChainRole.INVESTOR, ChainRole.RESEARCH, ChainRole.GOVERNMENT, ChainRole.LAB],
    "oem": [ChainRole.OEM, ChainRole.TIER1],
    "ad": [ChainRole.FABLESS, ChainRole.IDM, ChainRole.TIER1, ChainRole.EDA_IP],
    "power": [ChainRole.IDM, ChainRole.FABLESS, ChainRole.FOUNDRY, ChainRole.MATERIALS, ChainRole.EQUIPMENT],
    "supply": [ChainRole.LAB, ChainRole.OSAT, ChainRole.MODULE, ChainRole.TIER1, ChainRole.FOUNDRY],
    "": [ChainRole.GOVERNMENT, ChainRole.RESEARCH, ChainRole.INVESTOR],
}

FORM_FIELDS: list[dict[str, Any]] = [
    {"name": "organisation", "label_en": "Organisation", "label_zh": "单位", "type": "text", "required": True,
     "max_length": 200},
    {"name": "job_title", "label_en": "Position", "label_zh": "职务", "type": "text", "required": False,
     "max_length": 100},
    {"name": "interest", "label_en": "Main interest", "label_zh": "主要关注", "type": "choice", "required": True,
     "max_length": 40, "choices": [
         {"value": key, "label_zh": name_zh, "label_en": name_en} for key, name_zh, name_en, _colour in TRACKS]},
]  # fmt: skip

NDA_ZH = (
    "本场为闭门研讨会（演示）。与会者承诺：会上听到的企业、客户、价格与路线图信息仅供本人所在单位内部参考，"
    "不得引用、录音、拍照或对外转述；会议材料仅限受邀人员查阅，不得转发。"
)
NDA_EN = (
    "This is a closed-door workshop (demo). By taking a seat you agree that what you hear about companies, "
    "customers, prices and road maps is for your own organisation's internal use only: no quotes, recordings, "
    "photos or retelling; the materials are for invited participants only and must not be passed on."
)

BIO_ROLE = {
    "zh": ["长期从事车规级芯片的研发与产业化工作", "负责公司汽车电子业务与整车客户合作", "专注汽车半导体产业研究与投资",
           "主导多款芯片通过 AEC-Q100 认证与功能安全评估", "参与制定多项汽车芯片团体标准"],
    "en": ["has worked on automotive-grade chips from design to volume production",
           "leads the company's automotive business and its work with vehicle makers",
           "researches and invests in automotive semiconductors",
           "has taken several chips through AEC-Q100 qualification and functional-safety assessment",
           "has contributed to several automotive-chip industry standards"],
}  # fmt: skip

FEEDBACK_COMMENTS = [
    "内容很实用，希望明年继续。",
    "Useful content; please run it again next year.",
    "时间有点紧，问答环节不够。",
    "Too little time left for questions.",
    "嘉宾观点鲜明，讨论很有启发。",
    "The speakers disagreed in the right places; a good discussion.",
    "希望会后提供幻灯片。",
    "Please share the slides afterwards.",
]


@dataclass(frozen=True)
class Plan:
    """One session of a demo programme: times are local on the conference's `day` (1, 2, 3)."""

    key: str
    day: int
    room: str | None
    starts: str
    ends: str
    kind: str
    track: str
    title_zh: str
    title_en: str
    abstract_zh: str = ""
    abstract_en: str = ""
    capacity: int | None = None
    audience: int | None = None


K, P, S, W, C, B = (SessionKind.KEYNOTE, SessionKind.PANEL, SessionKind.SALON, SessionKind.WORKSHOP,
                    SessionKind.CEREMONY, SessionKind.BREAK)  # fmt: skip

# fmt: off
PROGRAMME = [
    # Day 1: the market, car makers' chips, autonomous driving; power devices in the forum; the first salons.
    Plan("d1_market", 1, "main", "09:00", "09:40", K, "market", "汽车芯片市场：现状与五年展望",
         "Automotive chips: the market today and the next five years",
         "从单车芯片用量、新能源渗透率和国产化率三个角度回顾市场，并给出三种情景下的展望。",
         "Chips per vehicle, the share of new-energy vehicles and the domestic share: where the market stands, "
         "and three scenarios for the next five years.", audience=1000),
    Plan("d1_domestic", 1, "main", "09:40", "10:20", K, "market", "车规级芯片国产化：从个位数到下一步",
         "Domestic automotive-grade chips: from a single-digit share to the next step",
         "业内估计国产汽车芯片占比已从 2021 年不足 5% 升至 2024 年底约 15%。哪些品类已经突破，哪些仍依赖单一来源？",
         "Industry estimates put the domestic share of automotive chips at under 5% in 2021 and about 15% at the end "
         "of 2024. Which categories have broken through, and which still rely on a single source?", audience=1000),
    Plan("d1_break_am", 1, "foyer", "10:20", "10:40", B, "", "茶歇", "Coffee break"),
    Plan("d1_oem", 1, "main", "10:40", "11:20", K, "oem", "整车厂为什么要自己设计芯片",
         "Why car makers design their own chips",
         "从成本、差异化与供应安全看整车厂自研芯片的动因与边界。",
         "Cost, differentiation and security of supply: why car makers design chips, and where they stop.",
         audience=1000),
    Plan("d1_ad", 1, "main", "11:20", "12:00", K, "ad", "自动驾驶芯片：算力、功耗与成本",
         "Autonomous-driving chips: compute, power and cost",
         "大算力芯片在功耗、散热与成本之间如何取舍，以及软件栈对芯片选型的影响。",
         "How high-compute chips trade power, cooling and cost, and how the software stack shapes the choice.",
         audience=1000),
    Plan("d1_lunch", 1, "foyer", "12:00", "13:30", B, "", "午餐", "Lunch"),
    Plan("d1_panel_supply", 1, "main", "13:30", "15:00", P, "market", "热点对话：短缺之后，供需关系如何重塑",
         "Hot topic: after the shortage, how supply and demand are being reshaped",
         "芯片企业、Tier 1 与整车厂同台讨论：长协、库存与多源供应。",
         "Chip makers, Tier-1s and vehicle makers on long-term agreements, inventory and second sources.",
         audience=700),
    Plan("d1_break_pm", 1, "foyer", "15:00", "15:20", B, "", "茶歇", "Coffee break"),
    Plan("d1_panel_qual", 1, "main", "15:20", "16:50", P, "supply", "热点对话：车规认证的周期能否缩短",
         "Hot topic: can automotive qualification get faster?",
         "AEC-Q 与功能安全认证动辄一年以上，实验室、芯片企业与整车厂如何协同提速。",
         "AEC-Q and functional-safety work often takes more than a year; how labs, chip makers and vehicle makers "
         "can work together to shorten it.", audience=600),
    Plan("d1_power_sic", 1, "forum_a", "13:30", "14:15", K, "power", "碳化硅MOSFET在800V平台的应用",
         "SiC MOSFETs on 800 V platforms", "主驱逆变器中的碳化硅器件：效率、可靠性与成本。",
         "Silicon carbide in the traction inverter: efficiency, reliability and cost.", audience=220),
    Plan("d1_power_igbt", 1, "forum_a", "14:15", "15:00", K, "power", "IGBT模块的国产替代",
         "IGBT modules: domestic alternatives", "从芯片到模块封装，国产IGBT上车的验证经验。",
         "From die to module package: what it took to qualify domestic IGBTs in vehicles.", audience=200),
    Plan("d1_power_gan", 1, "forum_a", "15:20", "16:05", K, "power", "氮化镓在车载充电机中的机会",
         "GaN in on-board chargers", "氮化镓器件在OBC与DC-DC中的应用现状与可靠性挑战。",
         "Gallium nitride in on-board chargers and DC-DC converters: where it is used and what still worries "
         "engineers.", audience=180),
    Plan("d1_power_reliability", 1, "forum_a", "16:05", "16:50", K, "power", "功率器件的可靠性与失效分析",
         "Power device reliability and failure analysis", "典型失效模式、加速寿命试验与现场数据的闭环。",
         "Typical failure modes, accelerated life tests and closing the loop with field data.", audience=160),
    Plan("d1_salon_startups", 1, "salon", "13:30", "15:00", S, "oem", "创新沙龙：芯片初创企业如何进入整车厂供应链",
         "Innovation salon: how a chip start-up gets into a car maker's supply chain",
         "小范围交流：定点、验证与量产爬坡中的真实经验。",
         "A small-room exchange on design wins, validation and the ramp to volume.", capacity=40, audience=40),
    Plan("d1_salon_substrate", 1, "salon", "15:20", "16:50", S, "power", "创新沙龙：碳化硅衬底与外延产能",
         "Innovation salon: SiC substrate and epitaxy capacity",
         "衬底与外延企业、器件企业交流产能、良率与价格。",
         "Substrate, epitaxy and device makers on capacity, yield and prices.", capacity=36, audience=36),
    Plan("d1_workshop_security", 1, "closed", "13:30", "16:50", W, "supply", "闭门研讨会：车规芯片供应安全评估",
         "Closed-door workshop: assessing supply security for automotive chips",
         "受邀企业共同梳理单一来源与境外来源风险，讨论替代验证路线。",
         "Invited companies map single-source and foreign-source risks and discuss routes to qualify alternatives.",
         capacity=24, audience=24),
    # Day 2: central compute, car makers' chip teams; AD chips in the forum; the full salon.
    Plan("d2_soc", 2, "main", "09:00", "09:40", K, "ad", "中央计算架构下的SoC",
         "SoCs for centralised vehicle compute", "舱驾一体与中央计算平台对SoC架构的新要求。",
         "What cockpit-and-driving integration and central compute platforms ask of an SoC.", audience=1000),
    Plan("d2_oem_team", 2, "main", "09:40", "10:20", K, "oem", "从MCU到域控：整车厂芯片团队的组建",
         "From MCUs to domain controllers: building a car maker's chip team",
         "一家整车厂芯片团队的三年：人才、流程与合作伙伴。",
         "Three years of a vehicle maker's chip team: people, process and partners.", audience=1000),
    Plan("d2_break_am", 2, "foyer", "10:20", "10:40", B, "", "茶歇", "Coffee break"),
    Plan("d2_panel_l3", 2, "main", "10:40", "12:00", P, "ad", "热点对话：L3级自动驾驶需要怎样的芯片",
         "Hot topic: what chips does Level 3 driving need?",
         "冗余设计、功能安全与算力需求如何共同决定芯片方案。",
         "Redundancy, functional safety and compute: how they decide the chip design together.", audience=800),
    Plan("d2_lunch", 2, "foyer", "12:00", "13:30", B, "", "午餐", "Lunch"),
    Plan("d2_panel_make_or_buy", 2, "main", "13:30", "15:00", P, "oem", "热点对话：自研、合资还是采购",
         "Hot topic: design, joint venture or buy?", "整车厂与芯片企业讨论三种模式的利弊。",
         "Vehicle makers and chip companies on the three ways to get a chip, and what each costs.", audience=700),
    Plan("d2_break_pm", 2, "foyer", "15:00", "15:20", B, "", "茶歇", "Coffee break"),
    Plan("d2_investment", 2, "main", "15:20", "16:05", K, "market", "汽车芯片投融资趋势",
         "Investment trends in automotive chips", "一级市场的关注点正在从概念转向量产与车规认证。",
         "Private investors are looking less at concepts and more at volume production and qualification.",
         audience=600),
    Plan("d2_policy", 2, "main", "16:05", "16:50", K, "market", "园区政策与产业链协同",
         "Park policy and working together along the chain",
         "“一个产业、一个专班、一个平台”：园区如何撮合上下游合作。",
         "One industry, one specialised class, one platform: how the park brings suppliers and buyers together.",
         audience=600),
    Plan("d2_ad_safety", 2, "forum_a", "13:30", "14:15", K, "ad", "车载AI芯片的功能安全设计",
         "Functional safety in automotive AI chips", "ISO 26262 ASIL 目标在AI加速器设计中的落地。",
         "Meeting ISO 26262 ASIL targets in an AI accelerator.", audience=240),
    Plan("d2_ad_radar", 2, "forum_a", "14:15", "15:00", K, "ad", "激光雷达与4D毫米波雷达的信号链芯片",
         "Signal-chain chips for lidar and 4D imaging radar", "感知芯片的集成度、成本与车规验证。",
         "Integration, cost and qualification of sensing chips.", audience=220),
    Plan("d2_ad_models", 2, "forum_a", "15:20", "16:05", K, "ad", "端到端大模型上车的算力挑战",
         "The compute challenge of end-to-end models in the car", "模型规模增长对片上存储与带宽提出的新要求。",
         "What growing models ask of on-chip memory and bandwidth.", audience=260),
    Plan("d2_ad_ethernet", 2, "forum_a", "16:05", "16:50", K, "ad", "车载以太网与高速SerDes",
         "Automotive Ethernet and high-speed SerDes", "区域架构下的车内通信芯片。",
         "In-vehicle networking chips for zonal architectures.", audience=180),
    Plan("d2_qual_aecq", 2, "forum_b", "10:40", "11:20", K, "supply", "AEC-Q100认证实务",
         "AEC-Q100 qualification in practice", "从测试计划到报告：一次认证的完整流程与常见问题。",
         "From test plan to report: a whole qualification and the questions that come up.", audience=200),
    # Knowingly expects more people than Forum Room B seats: the editor's "room too small" warning.
    Plan("d2_qual_security", 2, "forum_b", "11:20", "12:00", K, "supply", "ISO 26262与ISO/SAE 21434的协同",
         "ISO 26262 and ISO/SAE 21434 together", "功能安全与网络安全流程如何合并评审。",
         "Running functional-safety and cybersecurity processes side by side.", audience=280),
    Plan("d2_salon_testing", 2, "salon", "10:40", "12:00", S, "supply", "创新沙龙：车规芯片测试与验证平台",
         "Innovation salon: test and validation platforms for automotive chips",
         "检测机构与芯片企业交流共建验证平台的经验。",
         "Labs and chip makers on building shared validation platforms.", capacity=36, audience=36),
    Plan("d2_salon_software", 2, "salon", "13:30", "15:00", S, "ad", "创新沙龙：自动驾驶芯片的软件生态",
         "Innovation salon: the software ecosystem around autonomous-driving chips",
         "工具链、中间件与算法企业的适配经验。",
         "Tool chains, middleware and algorithm companies on porting to new chips.", capacity=40, audience=40),
    Plan("d2_salon_joint", 2, "salon", "15:20", "16:50", S, "oem", "创新沙龙：整车厂与芯片企业的联合开发",
         "Innovation salon: joint development between car makers and chip companies",
         "联合定义、联合验证与知识产权安排。",
         "Joint specification, joint validation and who owns what.", capacity=36, audience=36),
    Plan("d2_workshop_oem", 2, "closed", "09:00", "12:00", W, "oem", "闭门研讨会：整车厂自研芯片的合作模式",
         "Closed-door workshop: partnering with car makers on their own chips",
         "整车厂芯片团队与受邀芯片企业面对面讨论合作边界、IP授权与供货承诺。",
         "Vehicle makers' chip teams meet invited chip companies on the limits of partnership, IP licences and "
         "supply commitments.", capacity=30, audience=30),
    Plan("d2_workshop_data", 2, "closed", "13:30", "16:50", W, "ad", "闭门研讨会：智能驾驶芯片的数据闭环",
         "Closed-door workshop: closing the data loop for driving chips",
         "受邀企业交流车端数据采集、回传与芯片迭代。",
         "Invited companies on collecting data in the car, bringing it back and feeding it into the next chip.",
         capacity=20, audience=20),
    # Day 3: wide-bandgap and the chain; the industry report; the awards ceremony.
    Plan("d3_report", 3, "forum_a", "09:00", "09:40", K, "market", "发布：汽车芯片产业年度报告",
         "Release: the annual automotive-chip industry report", "年度产业报告发布与解读。",
         "The annual industry report, presented and explained.", audience=280),
    Plan("d3_inventory", 3, "forum_a", "09:40", "10:20", K, "supply", "长期供货协议与库存策略",
         "Long-term supply agreements and inventory strategy", "从紧缺到过剩：采购策略如何跟上周期。",
         "From shortage to surplus: keeping purchasing in step with the cycle.", audience=200),
    Plan("d3_wbg", 3, "main", "09:00", "09:40", K, "power", "第三代半导体：产能与价格走势",
         "Wide-bandgap semiconductors: capacity and prices", "碳化硅与氮化镓的产能扩张与价格变化。",
         "How SiC and GaN capacity is growing and what it does to prices.", audience=900),
    Plan("d3_chain", 3, "main", "09:40", "10:20", K, "supply", "构建自主可控的汽车芯片产业链",
         "Building an independent and controllable automotive-chip chain",
         "从设计、制造到封测的链条短板与补链路径。",
         "Gaps in the chain from design through manufacturing to packaging, and how to close them.", audience=900),
    Plan("d3_break_am", 3, "foyer", "10:20", "10:40", B, "", "茶歇", "Coffee break"),
    Plan("d3_panel_800v", 3, "main", "10:40", "12:00", P, "power", "热点对话：800V时代的功率半导体",
         "Hot topic: power semiconductors in the 800 V era", "器件、模块与整车企业讨论高压平台的器件选择。",
         "Device, module and vehicle makers on choosing parts for high-voltage platforms.", audience=700),
    Plan("d3_salon_investors", 3, "salon", "10:40", "12:00", S, "market", "创新沙龙：投资人眼中的车规芯片企业",
         "Innovation salon: automotive-chip companies through an investor's eyes",
         "投资机构分享尽调关注点，与初创企业面对面交流。",
         "Investors share what they check and meet young companies in a small room.", capacity=30, audience=30),
    Plan("d3_workshop_sic", 3, "closed", "09:00", "12:00", W, "power", "闭门研讨会：碳化硅器件的车规验证",
         "Closed-door workshop: qualifying SiC devices for cars",
         "受邀企业交流碳化硅器件的车规验证方法与失效数据。",
         "Invited companies compare methods and failure data for qualifying SiC devices.", capacity=24,
         audience=24),
    Plan("d3_lunch", 3, "foyer", "12:00", "13:30", B, "", "午餐", "Lunch"),
    Plan("d3_awards", 3, "main", "14:00", "16:30", C, "", "颁奖典礼：汽车芯片大赛",
         "Awards ceremony: the Automotive Chip Competition",
         "揭晓年度产业影响力人物、汽车芯片50强、最具潜力企业与最佳合作伙伴。",
         "Announcing the Industry Influence Figure, the Automotive Chip Top 50, the Most Promising companies "
         "and the Best Partners.", audience=1100),
    # Still looking for a slot: not in the published programme.
    Plan("draft_salon", 0, None, "", "", S, "oem", "创新沙龙：软件定义汽车时代的芯片定义权",
         "Innovation salon: who defines the chip in the software-defined car?",
         "待定：时间与场地确定后发布。", "To be placed: published once it has a time and a room.", capacity=30),
    Plan("draft_talk", 0, None, "", "", K, "ad", "舱驾一体芯片的散热设计",
         "Cooling a combined cockpit and driving chip",
         "待定：演讲人尚未确认。", "To be placed: the speaker has not answered yet."),
]

PAST_PROGRAMME = [
    Plan("p1_market", 1, "main", "09:00", "09:45", K, "market", "汽车芯片市场回顾与展望",
         "The automotive-chip market in review", "回顾一年来的供需变化与价格走势。",
         "A year of supply, demand and prices in review.", audience=900),
    Plan("p1_oem", 1, "main", "09:45", "10:30", K, "oem", "整车厂的芯片战略", "Car makers' chip strategies",
         "整车厂如何规划芯片的自研与采购。", "How vehicle makers plan which chips to design and which to buy.",
         audience=900),
    Plan("p1_break", 1, "foyer", "10:30", "10:50", B, "", "茶歇", "Coffee break"),
    Plan("p1_panel_ad", 1, "main", "10:50", "12:00", P, "ad", "热点对话：智能驾驶芯片的国产机会",
         "Hot topic: openings for domestic autonomous-driving chips", "芯片、算法与整车企业的对话。",
         "Chip, algorithm and vehicle companies in conversation.", audience=700),
    Plan("p1_lunch", 1, "foyer", "12:00", "13:30", B, "", "午餐", "Lunch"),
    Plan("p1_salon", 1, "salon", "13:30", "15:00", S, "oem", "创新沙龙：初创企业与整车厂面对面",
         "Innovation salon: start-ups meet vehicle makers", "小范围交流定点与验证经验。",
         "A small-room exchange on design wins and validation.", capacity=36, audience=36),
    Plan("p1_workshop", 1, "closed", "13:30", "16:30", W, "market", "闭门研讨会：车规芯片替代验证",
         "Closed-door workshop: qualifying alternative automotive chips",
         "受邀企业交流替代验证的流程与风险。", "Invited companies on the process and risks of qualifying "
         "alternatives.", capacity=20, audience=20),
    Plan("p1_forum", 1, "forum_a", "15:15", "16:00", K, "ad", "车载AI芯片的量产经验",
         "Automotive AI chips: lessons from volume production", "从流片到上车的量产经验。",
         "From tape-out to the road: lessons from volume production.", audience=220),
    Plan("p2_ad", 2, "main", "09:00", "09:45", K, "ad", "大算力芯片的下一代架构",
         "The next architecture for high-compute chips", "存算一体与先进封装的机会。",
         "Compute-in-memory and advanced packaging.", audience=900),
    Plan("p2_panel_oem", 2, "main", "09:45", "11:15", P, "oem", "热点对话：整车厂与芯片企业如何分工",
         "Hot topic: who does what between car makers and chip companies", "分工、合作与利益分配。",
         "Division of work, partnership and who earns what.", audience=700),
    Plan("p2_break", 2, "foyer", "11:15", "11:30", B, "", "茶歇", "Coffee break"),
    Plan("p2_awards", 2, "main", "14:00", "16:00", C, "", "颁奖典礼：汽车芯片大赛",
         "Awards ceremony: the Automotive Chip Competition", "揭晓上一届大赛的各奖项。",
         "The awards of last year's competition.", audience=1000),
]
# fmt: on

# The session retimed after version 1 and not published yet (the last talk of its room that day: nothing follows).
RETIMED = "d1_power_reliability"
RETIME_BY = datetime.timedelta(minutes=15)
# Last year's salon moved rooms between versions 1 and 2.
PAST_MOVED = ("p1_salon", "forum_a")
MOVED_TO = "salon"  # where PAST_PROGRAMME has it
FULL_SALON = "d2_salon_software"
FREE_SALON = "d1_salon_startups"
ATTENDEE_SALON = "d2_salon_testing"
OFFER_SALON = "d3_salon_investors"
REP_WORKSHOP = "d2_workshop_oem"
# The `speaker` login: (session, role, with slides).
SPEAKER_SESSIONS = [
    ("d2_qual_aecq", SpeakerRole.SPEAKER, True),
    ("d1_salon_substrate", SpeakerRole.SPEAKER, False),
    ("d3_panel_800v", SpeakerRole.PANELLIST, False),
]
ATTENDEE_AGENDA = ["d1_market", "d1_domestic", "d2_panel_l3", "d3_awards"]

CAST: dict[str, list[str]] = {
    SessionKind.KEYNOTE: [SpeakerRole.SPEAKER],
    SessionKind.PANEL: [SpeakerRole.MODERATOR, *[SpeakerRole.PANELLIST] * 4],
    SessionKind.SALON: [SpeakerRole.MODERATOR, SpeakerRole.SPEAKER, SpeakerRole.SPEAKER],
    SessionKind.WORKSHOP: [SpeakerRole.MODERATOR, SpeakerRole.SPEAKER],
    SessionKind.CEREMONY: [SpeakerRole.MODERATOR],
    SessionKind.BREAK: [],
}
MAX_SESSIONS_PER_SPEAKER = 2


@dataclass
class DemoSummary:
    """What the demo wrote, for the command to print."""

    events: list[Event] = field(default_factory=list)
    sessions: dict[str, int] = field(default_factory=dict)  # event slug -> sessions
    registrations: dict[str, int] = field(default_factory=dict)
    attendee_registration: Registration | None = None
    full_salon: Session | None = None
    waiting: int = 0
    free_salon: Session | None = None
    closed_door: Session | None = None
    retimed: Session | None = None
    speaker_sessions: int = 0
    speaker_missing_slides: int = 0
    checked_in: int = 0
    feedback: int = 0
    seconds: float = 0.0


@dataclass
class Guest:
    """Someone who registers: a demo login or a generated guest, with the registry person they are (if any)."""

    user: User
    person_id: int | None = None
    organisation_id: int | None = None
    organisation_name: str = ""
    title: str = ""


Span = tuple[datetime.datetime, datetime.datetime]


def demo_event_exists() -> bool:
    return Event.objects.filter(is_demo=True).exists()


def delete_demo() -> int:
    """Delete the demo events and everything in them, their files, the generated guests' logins, and the `speaker`
    login's link to a registry person. Returns how many events were deleted."""
    events = Event.objects.filter(is_demo=True)
    files = [
        *Material.objects.filter(session__event__in=events).values_list("file", flat=True),
        *Speaker.objects.filter(event__in=events).exclude(photo="").values_list("photo", flat=True),
    ]
    with transaction.atomic():
        count = events.count()
        events.delete()
        _guests_delete()
        Person.objects.filter(
            is_demo=True, user__username=SPEAKER_USERNAME, user__email__endswith="@" + registry_demo.DEMO_EMAIL_DOMAIN
        ).update(user=None)
        if count:
            audit_record(
                actor=None,
                action="events.demo_delete",
                object_type="events.event",
                object_repr="demo data",
                before={"events": count},
            )
    for name in files:
        if name:
            default_storage.delete(name)
    return count


def _guests_delete() -> None:
    User.objects.filter(
        username__startswith=GUEST_PREFIX, email__endswith="@" + registry_demo.DEMO_EMAIL_DOMAIN
    ).delete()


def build(*, seed: int = DEFAULT_SEED, progress: Progress = no_progress) -> DemoSummary:
    """Write both demo conferences in one transaction (all or nothing). Needs the registry demo and its logins
    (`chiptown demo-data`)."""
    started = time.perf_counter()
    with transaction.atomic():
        summary = _Builder(seed=seed, progress=progress).run()
    summary.seconds = time.perf_counter() - started
    return summary


# --- Small helpers ----------------------------------------------------------------------------------------------


def _overlaps(spans: Iterable[Span], span: Span) -> bool:
    return any(start < span[1] and span[0] < end for start, end in spans)


def _a_year_before(day: datetime.date) -> datetime.date:
    return datetime.date(day.year - 1, day.month, min(day.day, 28))


def _free_slug(slug: str) -> str:
    return slug if not Event.objects.filter(slug=slug).exists() else f"{slug}-demo"


def slides_pdf(title: str) -> bytes:
    """A one-page PDF that says what it is (generated demo slides). ASCII only, so the built-in Helvetica font
    shows it without embedding a font."""

    def text(value: str) -> bytes:
        raw = value.encode("ascii", "replace")
        return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")

    content = (
        b"BT /F1 26 Tf 60 420 Td (" + text(title[:60]) + b") Tj 0 -44 Td /F1 16 Tf ("
        + text("Demo slides generated by ChipTown - not real content.") + b") Tj ET"
    )  # fmt: skip
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 842 595] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def portrait_png(rng: random.Random, size: int = 160) -> bytes:
    """A generated placeholder portrait (a symmetric pattern, plainly not a photo of anyone)."""
    from PIL import Image, ImageDraw

    colour = (rng.randint(40, 180), rng.randint(60, 180), rng.randint(90, 200))
    image = Image.new("RGB", (size, size), (238, 240, 243))
    draw = ImageDraw.Draw(image)
    cell = size // 5
    for row in range(5):
        for column in range(3):
            if rng.random() < 0.5:
                for x in {column, 4 - column}:
                    draw.rectangle([x * cell, row * cell, (x + 1) * cell - 1, (row + 1) * cell - 1], fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


# --- The builder ------------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, *, seed: int, progress: Progress) -> None:
        self.rng = random.Random(seed)
        self.progress = progress
        self.now = timezone.now()
        self.zone = zoneinfo.ZoneInfo(TIMEZONE)
        self.summary = DemoSummary()

    # -- who is there ----------------------------------------------------------------------------------------------

    def run(self) -> DemoSummary:
        if not registry_demo.demo_exists():
            raise ChipTownError(_("Load the registry demo first: `chiptown demo-data`."))
        if demo_event_exists():
            raise ChipTownError(_("A demo conference exists already; use --reset to build it again."))
        self.operator = self._operator()
        self.logins = {
            name: User.objects.filter(username=name, email=f"{name}@{registry_demo.DEMO_EMAIL_DOMAIN}").first()
            for name in (ATTENDEE_USERNAME, REP_USERNAME, SPEAKER_USERNAME)
        }
        self.org_roles: dict[int, set[str]] = defaultdict(set)
        for organisation_id, role in OrganisationRole.objects.filter(organisation__is_demo=True).values_list(
            "organisation_id", "role"
        ):
            self.org_roles[organisation_id].add(role)
        self.org_names = dict(Organisation.objects.filter(is_demo=True).order_by("pk").values_list("pk", "name_zh"))
        self.progress(5, _("Choosing speakers and guests"))
        self.speaker_person = self._speaker_person()
        self.people = list(
            Person.objects.filter(is_demo=True, organisation__isnull=False, user__isnull=True)
            .order_by("pk")
            .values_list("pk", "organisation_id")
        )
        self.rng.shuffle(self.people)
        # Speakers come from the first part of the shuffled people, guests from the rest.
        speaker_pool = self.people[: len(self.people) // 3]
        self.pools = {
            track: [pk for pk, organisation in speaker_pool if self.org_roles[organisation] & set(roles)]
            for track, roles in TRACK_ROLES.items()
        }
        self.everyone = [pk for pk, _organisation in speaker_pool]
        self.guests = self._guests(self.people[len(self.people) // 3 :])

        today = self.now.astimezone(self.zone).date()
        first_day = today + datetime.timedelta(days=STARTS_IN_DAYS)
        self.progress(15, _("This year's conference"))
        upcoming = self._upcoming(first_day)
        self.progress(70, _("Last year's conference"))
        past = self._past(_a_year_before(first_day))
        self.summary.events = [upcoming, past]
        for event in (upcoming, past):
            self.summary.sessions[event.slug] = event.sessions.count()
            self.summary.registrations[event.slug] = event.registrations.count()
        audit_record(
            actor=None,
            action="events.demo_build",
            object_type="events.event",
            object_repr="demo data",
            after={"events": [upcoming.slug, past.slug], **{f"registrations_{k}": v for k, v in
                   self.summary.registrations.items()}},
        )  # fmt: skip
        self.progress(100, _("Finished"))
        return self.summary

    def _operator(self) -> User:
        user = User.objects.filter(username=OPERATOR_USERNAME, role=Role.OPERATOR).first()
        user = user or User.objects.filter(role=Role.OPERATOR, is_active=True).order_by("pk").first()
        if user is None:
            raise ChipTownError(_("The conference demo needs an operator login: run `chiptown demo-data` first."))
        return user

    def _speaker_person(self) -> Person | None:
        """The registry person the `speaker` login is: kept if linked already, else a lab or chip-maker person."""
        user = self.logins[SPEAKER_USERNAME]
        if user is None:
            return None
        person = Person.objects.filter(user=user).first()
        if person is None:
            person = (
                Person.objects.filter(
                    is_demo=True, user__isnull=True, organisation__roles__role__in=[ChainRole.LAB, ChainRole.FABLESS]
                )
                .order_by("pk")
                .first()
            )
            if person is None:
                return None
            person.user = user
            person.save(update_fields=["user"])
        if not user.first_name:
            user.first_name = person.name_en or person.name_zh
            user.save(update_fields=["first_name"])
        return person

    def _guests(self, people: Sequence[tuple[int, int]]) -> list[Guest]:
        """Generated logins without a usable password; the first LINKED_GUESTS are registry people."""
        _guests_delete()
        linked = list(people[:LINKED_GUESTS])
        persons = Person.objects.in_bulk([pk for pk, _organisation in linked])
        users: list[User] = []
        details: list[tuple[int | None, int | None, str]] = []
        for number in range(1, max(GUESTS, PAST_GUESTS) + 1):
            username = f"{GUEST_PREFIX}{number:03d}"
            user = User(
                username=username,
                email=f"{username}@{registry_demo.DEMO_EMAIL_DOMAIN}",
                role=Role.ATTENDEE,
                language="en" if self.rng.random() < 0.2 else "zh-hans",
            )
            user.set_unusable_password()
            if number <= len(linked):
                person = persons[linked[number - 1][0]]
                user.first_name = (person.name_zh or person.name_en)[:150]
                details.append((person.pk, person.organisation_id, person.title))
            else:
                (surname_zh, _surname_en), (given_zh, _given_en) = (
                    self.rng.choice(registry_demo.SURNAMES),
                    self.rng.choice(registry_demo.GIVEN_NAMES),
                )
                user.first_name = surname_zh + given_zh
                details.append((None, self.rng.choice(list(self.org_names)), ""))
            users.append(user)
        users = User.objects.bulk_create(users)
        for user, (person_id, _organisation, _title) in zip(users, details, strict=True):
            if person_id is not None:
                persons[person_id].user = user
        Person.objects.bulk_update([persons[pk] for pk, _organisation in linked], ["user"])
        return [
            Guest(
                user=user,
                person_id=person_id,
                organisation_id=organisation_id if person_id else None,
                organisation_name=self.org_names.get(organisation_id or 0, ""),
                title=title,
            )
            for user, (person_id, organisation_id, title) in zip(users, details, strict=True)
        ]

    def _operator_guest(self) -> Guest:
        return Guest(user=self.operator, organisation_name="北京亦庄园区服务团队（演示）", title="会务")

    def _login_guest(self, username: str) -> Guest | None:
        user = self.logins.get(username)
        if user is None:
            return None
        person = Person.objects.filter(user=user).values_list("pk", "organisation_id", "title").first()
        organisation_id = user.organisation_id or (person[1] if person else None)
        return Guest(
            user=user,
            person_id=person[0] if person else None,
            organisation_id=organisation_id,
            organisation_name=self.org_names.get(organisation_id or 0, ""),
            title=person[2] if person else "",
        )

    # -- the programme -------------------------------------------------------------------------------------------

    def _event(self, *, first_day: datetime.date, past: bool) -> Event:
        year = first_day.year
        return Event.objects.create(
            slug=_free_slug(str(year)),
            name_zh=f"{year}芯动亦庄汽车芯片产业大会（演示）",
            name_en=f"Chip to E-Town Automotive Chip Conference {year} (demo)",
            description_zh=(
                "演示数据：会议、议程、嘉宾与报名均为系统生成，并非真实活动。议题包括车规级芯片市场分析与预测、"
                "整车厂自研芯片、自动驾驶芯片，以及热点对话、创新沙龙、闭门研讨会和颁奖典礼。"
            ),
            description_en=(
                "Demo data: the conference, its programme, speakers and registrations are generated, not a real "
                "event. Keynotes on the market for automotive-grade chips and its forecasts, car makers designing "
                "their own chips and autonomous-driving chips; hot-topic panels, innovation salons, closed-door "
                "workshops and the awards ceremony."
            ),
            starts_on=first_day,
            ends_on=first_day + datetime.timedelta(days=1 if past else 2),
            timezone=TIMEZONE,
            venue_zh=VENUE_ZH,
            venue_en=VENUE_EN,
            registration_open=not past,
            requires_approval=not past,
            form_fields=FORM_FIELDS,
            is_demo=True,
        )

    def _rooms_and_tracks(
        self, event: Event, room_keys: Sequence[str], track_keys: Sequence[str]
    ) -> tuple[dict[str, Room], dict[str, Track]]:
        rooms = Room.objects.bulk_create(
            [
                Room(event=event, name_zh=zh, name_en=en, building=building, capacity=seats, position=position)
                for position, (key, zh, en, building, seats) in enumerate(r for r in ROOMS if r[0] in room_keys)
            ]
        )
        tracks = Track.objects.bulk_create(
            [
                Track(event=event, name_zh=zh, name_en=en, colour=colour, position=position)
                for position, (key, zh, en, colour) in enumerate(t for t in TRACKS if t[0] in track_keys)
            ]
        )
        return (
            dict(zip([r[0] for r in ROOMS if r[0] in room_keys], rooms, strict=True)),
            dict(zip([t[0] for t in TRACKS if t[0] in track_keys], tracks, strict=True)),
        )

    def _at(self, first_day: datetime.date, day: int, clock: str) -> datetime.datetime:
        hour, minute = (int(part) for part in clock.split(":"))
        date = first_day + datetime.timedelta(days=day - 1)
        return datetime.datetime(date.year, date.month, date.day, hour, minute, tzinfo=self.zone)

    def _sessions(
        self, event: Event, plans: Sequence[Plan], rooms: dict[str, Room], tracks: dict[str, Track]
    ) -> dict[str, Session]:
        rows = []
        for plan in plans:
            closed = plan.kind == SessionKind.WORKSHOP
            rows.append(
                Session(
                    event=event,
                    kind=plan.kind,
                    title_zh=plan.title_zh,
                    title_en=plan.title_en,
                    abstract_zh=(plan.abstract_zh + "（演示内容）") if plan.abstract_zh else "",
                    abstract_en=(plan.abstract_en + " (Demo content.)") if plan.abstract_en else "",
                    track=tracks.get(plan.track),
                    room=rooms[plan.room] if plan.room else None,
                    starts_at=self._at(event.starts_on, plan.day, plan.starts) if plan.day else None,
                    ends_at=self._at(event.starts_on, plan.day, plan.ends) if plan.day else None,
                    expected_audience=plan.audience,
                    capacity=plan.capacity,
                    closed_door=closed,
                    nda_zh=NDA_ZH if closed else "",
                    nda_en=NDA_EN if closed else "",
                    is_demo=True,
                )
            )
        created = Session.objects.bulk_create(rows)
        return {plan.key: session for plan, session in zip(plans, created, strict=True)}

    def _cast(
        self,
        plans: Sequence[Plan],
        sessions: dict[str, Session],
        fixed: Sequence[tuple[str, int, str]] = (),
        stretch: dict[str, datetime.timedelta] | None = None,
    ) -> dict[str, list[tuple[int, str]]]:
        """Who speaks where: (person, role) per session, nobody in two places at once, at most two sessions each
        (the fixed casting comes first). `stretch` widens a session's span for the check (a later retime)."""
        busy: dict[int, list[Span]] = defaultdict(list)
        used: dict[int, int] = defaultdict(int)
        cast: dict[str, list[tuple[int, str]]] = defaultdict(list)

        def span(key: str) -> Span | None:
            session = sessions[key]
            if session.starts_at is None or session.ends_at is None:
                return None
            return session.starts_at, session.ends_at + (stretch or {}).get(key, datetime.timedelta())

        for key, person, role in fixed:
            cast[key].append((person, role))
            if (spanned := span(key)) is not None:
                busy[person].append(spanned)
            used[person] += 1
        for plan in plans:
            if plan.day == 0:
                continue  # unscheduled sessions get invited speakers later
            needed = list(CAST[plan.kind])
            for _person, role in cast[plan.key]:
                if role in needed:
                    needed.remove(role)
            spanned = span(plan.key)
            assert spanned is not None
            for role in needed:
                taken = {person for person, _role in cast[plan.key]}
                for pool in (self.pools[plan.track], self.everyone):
                    free = [
                        p
                        for p in pool
                        if p not in taken and used[p] < MAX_SESSIONS_PER_SPEAKER and not _overlaps(busy[p], spanned)
                    ]
                    fresh = [p for p in free if used[p] == 0]
                    candidates = fresh if fresh and self.rng.random() < 0.75 else free
                    if candidates:
                        person = self.rng.choice(candidates[:8])
                        cast[plan.key].append((person, role))
                        busy[person].append(spanned)
                        used[person] += 1
                        break
        return cast

    def _speakers(
        self,
        event: Event,
        sessions: dict[str, Session],
        cast: dict[str, list[tuple[int, str]]],
        *,
        invited: dict[str, list[int]],
        declined: Sequence[int],
        missing_bios: bool,
    ) -> dict[int, Speaker]:
        """Speaker rows: accepted for everyone cast, invited (no answer yet) for the unscheduled sessions, a few
        declined; bios and generated portraits for most, some missing (so the operators' view has work)."""
        invited_people = [p for people in invited.values() for p in people]
        accepted_people = list(dict.fromkeys(person for people in cast.values() for person, _role in people))
        invited_at = min(self.now, timezone.make_aware(datetime.datetime.combine(event.starts_on, datetime.time(9))))
        invited_at -= datetime.timedelta(days=60)
        persons = Person.objects.select_related("organisation").in_bulk([*accepted_people, *invited_people, *declined])
        rows = []
        for index, person_id in enumerate([*accepted_people, *invited_people, *declined]):
            person = persons[person_id]
            status = (
                SpeakerStatus.ACCEPTED
                if person_id in accepted_people
                else SpeakerStatus.INVITED
                if person_id in invited_people
                else SpeakerStatus.DECLINED
            )
            own_login = self.speaker_person is not None and person_id == self.speaker_person.pk
            with_bio = status != SpeakerStatus.DECLINED and (own_login or not (missing_bios and index % 5 == 3))
            organisation = person.organisation
            role = self.rng.randrange(len(BIO_ROLE["zh"]))
            rows.append(
                Speaker(
                    event=event,
                    person=person,
                    status=status,
                    bio_zh=(
                        f"{person.name_zh or person.name_en}，{organisation.name_zh if organisation else ''}"
                        f"{person.title}，{BIO_ROLE['zh'][role]}。（演示简介）"
                    )
                    if with_bio
                    else "",
                    bio_en=(
                        f"{person.name_en or person.name_zh}, {person.title} at "
                        f"{(organisation.name_en or organisation.name_zh) if organisation else ''}, "
                        f"{BIO_ROLE['en'][role]}. (Demo biography.)"
                    )
                    if with_bio
                    else "",
                    invited_at=invited_at,
                    responded_at=None
                    if status == SpeakerStatus.INVITED
                    else invited_at + datetime.timedelta(days=self.rng.randint(1, 10)),
                    is_demo=True,
                )
            )
        speakers = Speaker.objects.bulk_create(rows)
        by_person = {speaker.person_id: speaker for speaker in speakers}
        # Generated portraits for most accepted speakers; every fourth goes without (and the `speaker` login has one).
        with_photo = []
        for index, speaker in enumerate(speakers):
            own_login = self.speaker_person is not None and speaker.person_id == self.speaker_person.pk
            if speaker.status == SpeakerStatus.ACCEPTED and (own_login or index % 4 != 1):
                name = f"speakers/demo-{event.slug}-{speaker.pk}.png"
                speaker.photo.name = default_storage.save(name, ContentFile(portrait_png(self.rng)))
                with_photo.append(speaker)
        Speaker.objects.bulk_update(with_photo, ["photo"])
        SessionSpeaker.objects.bulk_create(
            [
                SessionSpeaker(session=sessions[key], speaker=by_person[person], role=role, position=position)
                for key, people in cast.items()
                for position, (person, role) in enumerate(
                    sorted(people, key=lambda item: item[1] != SpeakerRole.MODERATOR)
                )
            ]
            + [
                SessionSpeaker(session=sessions[key], speaker=by_person[person], role=SpeakerRole.SPEAKER, position=n)
                for key, people in invited.items()
                for n, person in enumerate(people)
            ]
        )
        return by_person

    def _materials(
        self, sessions: dict[str, Session], cast: dict[str, list[tuple[int, str]]], *, share: float, skip: set[str]
    ) -> None:
        """Slides for a share of the sessions with speakers (not those in `skip`), and a pre-read for every
        closed-door workshop (admitted participants only)."""
        speaker_user = self.logins[SPEAKER_USERNAME]
        own = self.speaker_person.pk if self.speaker_person else None
        rows = []
        for key, session in sessions.items():
            if session.kind == SessionKind.BREAK or not session.is_scheduled or key in skip:
                continue
            people = [person for person, _role in cast.get(key, [])]
            if session.kind == SessionKind.WORKSHOP:
                name = default_storage.save(
                    f"materials/demo-{session.event.slug}-{session.pk}-pre-read.pdf",
                    ContentFile(slides_pdf(f"Pre-read: {session.title_en}")),
                )
                rows.append(
                    Material(
                        session=session, title=f"{session.title_zh}：会前材料（演示）", file=name,
                        uploaded_by=self.operator,
                    )
                )  # fmt: skip
            if people and (own in people or self.rng.random() < share):
                name = default_storage.save(
                    f"materials/demo-{session.event.slug}-{session.pk}-slides.pdf",
                    ContentFile(slides_pdf(session.title_en)),
                )
                rows.append(
                    Material(
                        session=session,
                        title=f"{session.title_en} (slides, demo)",
                        file=name,
                        is_slides=True,
                        uploaded_by=speaker_user if own in people else self.operator,
                    )
                )
        Material.objects.bulk_create(rows)

    def _publish(self, event: Event, *, previous: ProgrammeVersion | None, at: datetime.datetime) -> ProgrammeVersion:
        """The next programme version, as the editor's publish step writes it (the live schedule and its changes
        against the previous version), dated `at`; nobody is told (the demo has no one to tell yet)."""
        schedule = selectors.programme_schedule(event=event)
        number = previous.number + 1 if previous else 1
        version = ProgrammeVersion.objects.create(
            event=event,
            number=number,
            published_by=self.operator,
            sessions=schedule,
            changes=versions.diff(previous.sessions if previous else {}, schedule),
        )
        ProgrammeVersion.objects.filter(pk=version.pk).update(published_at=at)
        Event.objects.filter(pk=event.pk).update(programme_version=number, programme_published_at=at)
        version.published_at = at
        return version

    # -- people at the conference --------------------------------------------------------------------------------

    def _registrations(
        self, event: Event, rows: Sequence[tuple[Guest, str, str]], *, opened: datetime.datetime,
        closed: datetime.datetime,
    ) -> list[tuple[Registration, Guest]]:  # fmt: skip
        """Registrations made between `opened` and `closed`, decided a day or two later."""
        moments = sorted(opened + (closed - opened) * self.rng.random() for _row in rows)
        registrations = []
        for (guest, attendee_type, status), moment in zip(rows, moments, strict=True):
            decided = (
                None if status == RegistrationStatus.PENDING else min(moment + datetime.timedelta(hours=30), closed)
            )
            registrations.append(
                Registration(
                    event=event,
                    user=guest.user,
                    attendee_type=attendee_type,
                    status=status,
                    answers={
                        "organisation": guest.organisation_name,
                        "job_title": guest.title,
                        "interest": self.rng.choice(TRACKS)[0],
                    },
                    decided_at=decided,
                    cancelled_at=min(moment + datetime.timedelta(days=3), closed)
                    if status == RegistrationStatus.CANCELLED
                    else None,
                    is_demo=True,
                )
            )
        created = Registration.objects.bulk_create(registrations)
        for registration, moment in zip(created, moments, strict=True):
            registration.created_at = moment
        Registration.objects.bulk_update(created, ["created_at"])
        return [(registration, row[0]) for registration, row in zip(created, rows, strict=True)]

    def _guest_rows(self, guests: Sequence[Guest], *, pending: int, cancelled: int, rejected: int) -> list[
        tuple[Guest, str, str]
    ]:  # fmt: skip
        weights = {AttendeeType.GENERAL: 76, AttendeeType.VIP: 10, AttendeeType.MEDIA: 8, AttendeeType.STAFF: 3}
        rows = []
        order = list(range(len(guests)))
        self.rng.shuffle(order)
        status_of = {}
        for index in order[:pending]:
            status_of[index] = RegistrationStatus.PENDING
        for index in order[pending : pending + cancelled]:
            status_of[index] = RegistrationStatus.CANCELLED
        for index in order[pending + cancelled : pending + cancelled + rejected]:
            status_of[index] = RegistrationStatus.REJECTED
        for index, guest in enumerate(guests):
            status = status_of.get(index, RegistrationStatus.CONFIRMED)
            kind = self.rng.choices(list(weights), weights=list(weights.values()))[0]
            if status == RegistrationStatus.PENDING:
                kind = AttendeeType.MEDIA if kind == AttendeeType.MEDIA else AttendeeType.GENERAL
            rows.append((guest, str(kind), str(status)))
        return rows

    def _stamps(self, registrations: Sequence[Registration], until: datetime.datetime) -> list[datetime.datetime]:
        """Sign-up times in the given order, each after its registration and strictly after the one before."""
        moments: list[datetime.datetime] = []
        for registration in registrations:
            moment = registration.created_at + datetime.timedelta(minutes=self.rng.randint(30, 600))
            if moments:
                moment = max(moment, moments[-1] + datetime.timedelta(minutes=self.rng.randint(1, 20)))
            moments.append(moment)
        assert not moments or moments[-1] < until, "sign-ups would be in the future"
        return moments

    def _seat(
        self,
        session: Session,
        people: Sequence[Registration],
        *,
        seats: int,
        busy: dict[int, list[Span]],
        until: datetime.datetime,
        nda: bool = False,
        offer: bool = False,
        attended: float = 0.0,
    ) -> list[Signup]:
        """Sign-ups in order of time: the first `seats` get a seat, the rest wait. With `offer`, one of the seated
        has cancelled and the head of the waiting list holds an open offer of that seat."""
        ordered = sorted(people, key=lambda r: (r.created_at, r.pk))
        moments = self._stamps(ordered, until)
        signups = []
        for index, (registration, moment) in enumerate(zip(ordered, moments, strict=True)):
            seated = index < seats
            signup = Signup(
                session=session,
                registration=registration,
                status=SignupStatus.CONFIRMED if seated else SignupStatus.WAITING,
                confirmed_at=moment if seated else None,
                nda_accepted_at=moment if seated and nda else None,
            )
            signup.created_at = moment
            assert session.starts_at is not None and session.ends_at is not None
            at_the_door = registration.checked_in_at is not None and registration.checked_in_at < session.ends_at
            if seated and at_the_door and self.rng.random() < attended:
                signup.checked_in_at = max(
                    session.starts_at - datetime.timedelta(minutes=self.rng.randint(0, 15)),
                    registration.checked_in_at or session.starts_at,
                )
            signups.append(signup)
            if seated:
                busy[registration.pk].append((session.starts_at, session.ends_at))
        if offer and len(signups) > seats:
            leaver = signups[seats // 2]
            leaver.status = SignupStatus.CANCELLED
            leaver.ended_at = self.now - datetime.timedelta(hours=4)
            head = signups[seats]
            head.status = SignupStatus.OFFERED
            head.offered_until = leaver.ended_at + datetime.timedelta(hours=session.event.offer_hold_hours)
        return signups

    def _write_signups(self, signups: Sequence[Signup], sessions: Iterable[Session]) -> None:
        moments = [signup.created_at for signup in signups]
        created = Signup.objects.bulk_create(signups)
        for signup, moment in zip(created, moments, strict=True):
            signup.created_at = moment
        Signup.objects.bulk_update(created, ["created_at"])
        for session in sessions:
            if session.capacity is None:
                continue
            session.seats_taken = sum(
                1
                for s in created
                if s.session_id == session.pk and s.status in (SignupStatus.CONFIRMED, SignupStatus.OFFERED)
            )
            assert session.seats_taken <= session.capacity
            Session.objects.filter(pk=session.pk).update(seats_taken=session.seats_taken)

    def _invitations(
        self,
        session: Session,
        confirmed: Sequence[tuple[Registration, Guest]],
        *,
        track: str,
        people: int,
        organisations: Sequence[int] = (),
        more_organisations: int = 1,
        role: str = "",
        at: datetime.datetime,
    ) -> tuple[list[Invitation], list[Registration]]:
        """An invitation list (people, organisations, and a role when given) and who on it has registered."""
        linked = [(r, g) for r, g in confirmed if g.person_id is not None and g.organisation_id is not None]
        roles = set(TRACK_ROLES[track])
        candidates = sorted(
            {g.organisation_id for _r, g in linked if g.organisation_id and self.org_roles[g.organisation_id] & roles}
        )
        invited_orgs = [*organisations]
        for organisation in self.rng.sample(candidates, min(more_organisations, len(candidates))):
            if organisation not in invited_orgs:
                invited_orgs.append(organisation)
        outside = [(r, g) for r, g in linked if g.organisation_id not in invited_orgs]
        invited_people = self.rng.sample(outside, min(people, len(outside)))
        rows = [
            Invitation(session=session, kind=InvitationKind.PERSON, person_id=g.person_id, created_by=self.operator)
            for _r, g in invited_people
        ] + [
            Invitation(session=session, kind=InvitationKind.ORGANISATION, organisation_id=o, created_by=self.operator)
            for o in invited_orgs
        ]
        if role:
            rows.append(Invitation(session=session, kind=InvitationKind.ROLE, role=role, created_by=self.operator))
        invitations = Invitation.objects.bulk_create(rows)
        Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(created_at=at)
        person_ids = {g.person_id for _r, g in invited_people}
        eligible = [r for r, g in linked if g.person_id in person_ids or g.organisation_id in invited_orgs]
        return invitations, eligible

    def _available(
        self, pool: Sequence[Registration], session: Session, busy: dict[int, list[Span]]
    ) -> list[Registration]:
        assert session.starts_at is not None and session.ends_at is not None
        span = (session.starts_at, session.ends_at)
        return [r for r in pool if not _overlaps(busy[r.pk], span)]

    # -- this year's conference ----------------------------------------------------------------------------------

    def _upcoming(self, first_day: datetime.date) -> Event:
        event = self._event(first_day=first_day, past=False)
        rooms, tracks = self._rooms_and_tracks(event, [r[0] for r in ROOMS], [t[0] for t in TRACKS])
        sessions = self._sessions(event, PROGRAMME, rooms, tracks)

        self.progress(25, _("Speakers and slides"))
        own = self.speaker_person.pk if self.speaker_person else None
        fixed = [(key, own, str(role)) for key, role, _slides in SPEAKER_SESSIONS] if own else []
        cast = self._cast(PROGRAMME, sessions, fixed, stretch={RETIMED: RETIME_BY})
        cast_people = {person for people in cast.values() for person, _role in people}
        spare = [p for p in self.everyone if p not in cast_people]
        invited = {"draft_salon": spare[0:2], "draft_talk": spare[2:3]}
        self._speakers(event, sessions, cast, invited=invited, declined=spare[3:5], missing_bios=True)
        no_slides = {key for key, _role, slides in SPEAKER_SESSIONS if not slides}
        self.summary.speaker_sessions = len(fixed)
        # Only talks need slides (moderators and panellists bring none).
        self.summary.speaker_missing_slides = (
            sum(1 for key, role, slides in SPEAKER_SESSIONS if role == SpeakerRole.SPEAKER and not slides)
            if fixed
            else 0
        )
        self._materials(sessions, cast, share=0.6, skip=no_slides)

        self.progress(35, _("Version 1 of the programme, and a change since"))
        published_at = self.now - datetime.timedelta(days=3)
        self._publish(event, previous=None, at=published_at)
        retimed = sessions[RETIMED]
        assert retimed.starts_at is not None and retimed.ends_at is not None
        retimed.starts_at += RETIME_BY
        retimed.ends_at += RETIME_BY
        Session.objects.filter(pk=retimed.pk).update(starts_at=retimed.starts_at, ends_at=retimed.ends_at)
        self.summary.retimed = retimed

        self.progress(45, _("Registrations"))
        rows: list[tuple[Guest, str, str]] = []
        for username, kind in (
            (ATTENDEE_USERNAME, AttendeeType.GENERAL),
            (REP_USERNAME, AttendeeType.VIP),
            (SPEAKER_USERNAME, AttendeeType.SPEAKER),
        ):
            if (guest := self._login_guest(username)) is not None:
                rows.append((guest, str(kind), str(RegistrationStatus.CONFIRMED)))
        rows.append((self._operator_guest(), str(AttendeeType.STAFF), str(RegistrationStatus.CONFIRMED)))
        rows += self._guest_rows(self.guests[:GUESTS], pending=6, cancelled=8, rejected=3)
        registered = self._registrations(
            event, rows, opened=self.now - datetime.timedelta(days=50), closed=self.now - datetime.timedelta(days=2)
        )
        attendee_user = self.logins[ATTENDEE_USERNAME]
        attendee = next((r for r, _g in registered if attendee_user and r.user_id == attendee_user.pk), None)
        self.summary.attendee_registration = attendee
        confirmed = [
            (r, g)
            for r, g in registered
            if r.status == RegistrationStatus.CONFIRMED
            and r.attendee_type != AttendeeType.STAFF
            and g.user.username.startswith(GUEST_PREFIX)
        ]

        self.progress(55, _("Seats, waiting lists and closed-door invitations"))
        busy: dict[int, list[Span]] = defaultdict(list)
        signups: list[Signup] = []
        pool = [r for r, _g in confirmed]
        self.rng.shuffle(pool)

        def take(session: Session, count: int) -> list[Registration]:
            return self._available(pool, session, busy)[:count]

        full = sessions[FULL_SALON]
        assert full.capacity is not None
        signups += self._seat(full, take(full, full.capacity + FULL_SALON_WAITING), seats=full.capacity, busy=busy,
                              until=self.now)  # fmt: skip
        self.summary.full_salon, self.summary.waiting = full, FULL_SALON_WAITING
        free = sessions[FREE_SALON]
        signups += self._seat(free, take(free, 18), seats=18, busy=busy, until=self.now)
        self.summary.free_salon = free
        offer = sessions[OFFER_SALON]
        assert offer.capacity is not None
        signups += self._seat(offer, take(offer, offer.capacity + 4), seats=offer.capacity, busy=busy,
                              until=self.now, offer=True)  # fmt: skip
        for key in ("d1_salon_substrate", ATTENDEE_SALON, "d2_salon_joint"):
            salon = sessions[key]
            assert salon.capacity is not None
            seats = int(salon.capacity * self.rng.uniform(0.5, 0.85))
            people = take(salon, seats)
            if key == ATTENDEE_SALON and attendee is not None:
                people = [attendee, *people[:-1]]
            signups += self._seat(salon, people, seats=len(people), busy=busy, until=self.now)

        rep = self.logins[REP_USERNAME]
        rep_org = [rep.organisation_id] if rep is not None and rep.organisation_id else []
        # (workshop, people invited by name, organisations invited, more organisations, role invited, seats filled)
        workshops: list[tuple[str, int, list[int], int, str, float]] = [
            ("d1_workshop_security", 6, [], 2, "", 0.75),
            (REP_WORKSHOP, 6, rep_org, 1, Role.JUDGE, 0.45),  # the `rep` login may still take a seat
            ("d2_workshop_data", 10, [], 1, "", 0.8),
            ("d3_workshop_sic", 6, [], 2, "", 0.6),
        ]
        for key, named, organisations, more, role, fill in workshops:
            workshop = sessions[key]
            assert workshop.capacity is not None
            plan = next(p for p in PROGRAMME if p.key == key)
            _invites, eligible = self._invitations(
                workshop,
                confirmed,
                track=plan.track,
                people=named,
                organisations=organisations,
                more_organisations=more,
                role=role,
                at=published_at,
            )
            eligible = self._available(eligible, workshop, busy)
            seats = min(len(eligible), int(workshop.capacity * fill))
            signups += self._seat(workshop, eligible[:seats], seats=seats, busy=busy, until=self.now, nda=True)
            if key == REP_WORKSHOP:
                self.summary.closed_door = workshop
        self._write_signups(signups, sessions.values())

        self.progress(65, _("Agendas"))
        open_sessions = [
            s for s in sessions.values() if s.is_scheduled and s.kind in (SessionKind.KEYNOTE, SessionKind.PANEL,
                                                                          SessionKind.CEREMONY)
        ]  # fmt: skip
        items = []
        if attendee is not None:
            items += [AgendaItem(registration=attendee, session=sessions[key]) for key in ATTENDEE_AGENDA]
        for registration, _guest in confirmed:
            if self.rng.random() < 0.6:
                for session in self.rng.sample(open_sessions, self.rng.randint(1, 4)):
                    items.append(AgendaItem(registration=registration, session=session))
        AgendaItem.objects.bulk_create(items)
        event.refresh_from_db()
        return event

    # -- last year's conference ----------------------------------------------------------------------------------

    def _past(self, first_day: datetime.date) -> Event:
        event = self._event(first_day=first_day, past=True)
        rooms, tracks = self._rooms_and_tracks(event, PAST_ROOMS, PAST_TRACKS)
        moved_key, first_room = PAST_MOVED
        # Version 1 had the salon in the forum room; it moved to the salon room for version 2.
        plans = [dataclasses.replace(p, room=first_room) if p.key == moved_key else p for p in PAST_PROGRAMME]
        sessions = self._sessions(event, plans, rooms, tracks)
        cast = self._cast(plans, sessions)
        self._speakers(event, sessions, cast, invited={}, declined=[], missing_bios=False)
        self._materials(sessions, cast, share=0.9, skip=set())
        start = self._at(first_day, 1, "09:00")
        first = self._publish(event, previous=None, at=start - datetime.timedelta(days=30))
        moved = sessions[moved_key]
        moved.room = rooms[MOVED_TO]
        Session.objects.filter(pk=moved.pk).update(room=moved.room)
        self._publish(event, previous=first, at=start - datetime.timedelta(days=5))

        self.progress(80, _("Last year's registrations, check-ins and feedback"))
        rows: list[tuple[Guest, str, str]] = []
        for username, kind in ((ATTENDEE_USERNAME, AttendeeType.GENERAL), (REP_USERNAME, AttendeeType.VIP)):
            if (guest := self._login_guest(username)) is not None:
                rows.append((guest, str(kind), str(RegistrationStatus.CONFIRMED)))
        rows.append((self._operator_guest(), str(AttendeeType.STAFF), str(RegistrationStatus.CONFIRMED)))
        rows += self._guest_rows(self.guests[:PAST_GUESTS], pending=0, cancelled=6, rejected=2)
        registered = self._registrations(
            event, rows, opened=start - datetime.timedelta(days=60), closed=start - datetime.timedelta(days=3)
        )
        confirmed = [(r, g) for r, g in registered if r.status == RegistrationStatus.CONFIRMED]
        staff = [r.user for r, _g in confirmed if r.attendee_type == AttendeeType.STAFF]
        attendee_user = self.logins[ATTENDEE_USERNAME]
        checked_in = []
        for registration, _guest in confirmed:
            own = attendee_user is not None and registration.user_id == attendee_user.pk
            if registration.attendee_type == AttendeeType.STAFF or own or self.rng.random() < 0.82:
                day = 1 if self.rng.random() < 0.85 else 2
                registration.checked_in_at = self._at(first_day, day, "08:00") + datetime.timedelta(
                    minutes=self.rng.randint(0, 100)
                )
                registration.checked_in_by = self.rng.choice(staff)
                checked_in.append(registration)
        Registration.objects.bulk_update(checked_in, ["checked_in_at", "checked_in_by"])
        self.summary.checked_in = len(checked_in)

        guests_only = [(r, g) for r, g in confirmed if g.user.username.startswith(GUEST_PREFIX)]
        busy: dict[int, list[Span]] = defaultdict(list)
        salon = sessions["p1_salon"]
        assert salon.capacity is not None
        pool = [r for r, _g in guests_only]
        self.rng.shuffle(pool)
        signups = self._seat(salon, pool[: salon.capacity - 4], seats=salon.capacity - 4, busy=busy, until=start,
                             attended=0.85)  # fmt: skip
        workshop = sessions["p1_workshop"]
        assert workshop.capacity is not None
        _invites, eligible = self._invitations(
            workshop,
            guests_only,
            track="market",
            people=8,
            more_organisations=2,
            at=start - datetime.timedelta(days=20),
        )
        eligible = self._available(eligible, workshop, busy)[: workshop.capacity - 2]
        signups += self._seat(workshop, eligible, seats=len(eligible), busy=busy, until=start, nda=True, attended=0.9)
        self._write_signups(signups, sessions.values())

        # Feedback from people who were there: everyone checked in may rate the open sessions; salon and workshop
        # feedback only from those who attended them.
        attended: dict[int, list[Registration]] = defaultdict(list)
        for signup in signups:
            if signup.checked_in_at:
                attended[signup.session_id].append(signup.registration)
        audience = [r for r in checked_in if r.attendee_type != AttendeeType.STAFF]
        feedback = []
        attendee_skipped = False
        for session in sessions.values():
            if session.kind == SessionKind.BREAK:
                continue
            assert session.ends_at is not None
            quality = self.rng.uniform(3.2, 4.6)
            there = [r for r in audience if r.checked_in_at and r.checked_in_at < session.ends_at]
            voters = attended.get(session.pk) or self.rng.sample(there, min(len(there), 40))
            for registration in voters[: self.rng.randint(12, 40)]:
                own = attendee_user is not None and registration.user_id == attendee_user.pk
                if own and not attendee_skipped:
                    attendee_skipped = True  # the `attendee` login still has one session to rate
                    continue

                def score(quality: float = quality) -> int:
                    return max(1, min(5, round(self.rng.gauss(quality, 0.8))))

                feedback.append(
                    Feedback(
                        session=session,
                        registration=registration,
                        rating=score(),
                        content_rating=score(),
                        speaker_rating=score(),
                        comment=self.rng.choice(FEEDBACK_COMMENTS) if self.rng.random() < 0.25 else "",
                    )
                )
        created = Feedback.objects.bulk_create(feedback)
        ended = {s.pk: s.ends_at for s in sessions.values()}
        for row in created:
            ending = ended[row.session_id]
            assert ending is not None
            row.created_at = ending + datetime.timedelta(minutes=self.rng.randint(5, 600))
        Feedback.objects.bulk_update(created, ["created_at"])
        self.summary.feedback = len(created)
        event.refresh_from_db()
        return event
