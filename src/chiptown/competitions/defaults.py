"""The four standard award categories every edition starts with: form fields, eligibility rules, rubric,
number of winners and judging parameters. Operators edit each edition's copy; these are only the starting point.

Labels are stored in both languages (the category's JSON is data, not code, so it does not go through gettext).
"""

import copy
from typing import Any

from chiptown.competitions.models import AwardKind

# Attachments per entry (PDF only, checked by content, at most 10 MiB each).
MAX_DOCUMENTS_PER_ENTRY = 5

# Automotive qualifications that make a product count for Top 50: the AEC-Q100 family for active parts and
# ISO 26262 functional safety (AEC-Q200 covers passive components, IATF 16949 a plant, not a chip).
AUTOMOTIVE_QUALIFICATIONS = ["AEC-Q100", "AEC-Q101", "AEC-Q102", "AEC-Q103", "AEC-Q104", "ISO 26262"]

FIELD_TYPES = ("text", "textarea", "number", "url")


def _field(
    name: str, label_en: str, label_zh: str, kind: str = "textarea", *, required: bool = False, max_length: int = 2000
) -> dict[str, Any]:
    return {
        "name": name,
        "label_en": label_en,
        "label_zh": label_zh,
        "type": kind,
        "required": required,
        "max_length": max_length,
    }


def _criterion(code: str, label_en: str, label_zh: str, weight: float) -> dict[str, Any]:
    return {"code": code, "label_en": label_en, "label_zh": label_zh, "weight": weight, "min": 0, "max": 10}


STANDARD_CATEGORIES: dict[str, dict[str, Any]] = {
    AwardKind.INFLUENCE_FIGURE: {
        "name_en": "Industry Influence Figure",
        "name_zh": "年度产业影响力人物",
        "description_en": (
            "A person whose work moved China's automotive-chip industry forward: technology, companies, standards "
            "or talent. Nominated by someone else; the nominee confirms the nomination."
        ),
        "description_zh": (
            "推动中国汽车芯片产业发展的人物（技术、企业、标准或人才培养）。由他人提名，被提名人确认后参评。"
        ),
        "form_fields": [
            _field("statement", "Why this person (nomination statement)", "提名理由", required=True, max_length=3000),
            _field("achievements", "Key achievements in automotive chips", "汽车芯片领域的主要成就", max_length=3000),
            _field(
                "ecosystem",
                "Contribution to the ecosystem (standards, talent, supply chain)",
                "对产业生态的贡献（标准、人才、供应链）",
            ),
            _field("reference_url", "Public profile or reference (web address)", "公开资料链接", "url", max_length=300),
        ],
        "eligibility": {"requires_nominee_confirmation": True},
        "rubric": [
            _criterion("impact", "Industry impact", "产业影响", 0.4),
            _criterion("leadership", "Technical and business leadership", "技术与经营引领", 0.3),
            _criterion("ecosystem", "Contribution to the ecosystem", "生态贡献", 0.3),
        ],
        "winners": 10,
        "judges_per_entry": 3,
        "max_judge_load": 35,
    },
    AwardKind.TOP50: {
        "name_en": "Automotive Chip Top 50",
        "name_zh": "汽车芯片50强",
        "description_en": (
            "Companies with automotive-grade chips in vehicles today. At least one product must hold a valid "
            "AEC-Q100 family or ISO 26262 qualification recorded in the registry."
        ),
        "description_zh": "已有车规级芯片上车的企业。至少一款产品须在名录中登记有效的 AEC-Q100 系列或 ISO 26262 认证。",
        "form_fields": [
            _field(
                "products",
                "Automotive products and where they are used",
                "车规产品及应用场景",
                required=True,
                max_length=3000,
            ),
            _field("technology", "Technology and innovation", "技术与创新", required=True),
            _field("customers", "Automotive customers and design wins", "汽车客户与定点项目"),
            _field(
                "revenue_mcny",
                "Automotive chip revenue last year (million CNY)",
                "上一年度汽车芯片营收（百万元）",
                "number",
                max_length=20,
            ),
            _field(
                "units_shipped_m",
                "Automotive units shipped last year (millions)",
                "上一年度车规芯片出货量（百万颗）",
                "number",
                max_length=20,
            ),
            _field("website", "Company or product web address", "公司或产品网址", "url", max_length=300),
        ],
        "eligibility": {"requires_valid_qualification": True, "qualification_standards": AUTOMOTIVE_QUALIFICATIONS},
        "rubric": [
            _criterion("technology", "Technology and innovation", "技术与创新", 0.3),
            _criterion("qualification", "Automotive qualification and reliability", "车规认证与可靠性", 0.25),
            _criterion("market", "Market adoption (customers, volume)", "市场应用（客户、出货量）", 0.25),
            _criterion("supply", "Supply security and localisation", "供应安全与国产化", 0.2),
        ],
        "winners": 50,
        "judges_per_entry": 3,
        "max_judge_load": 35,
    },
    AwardKind.MOST_PROMISING: {
        "name_en": "Most Promising",
        "name_zh": "最具成长潜力企业",
        "description_en": (
            "Young companies (founded at most five years ago) with a credible path to automotive-grade chips."
        ),
        "description_zh": "成立不超过五年、具备车规芯片可行路线的初创企业。",
        "form_fields": [
            _field(
                "technology", "Technology and what is new about it", "核心技术及创新点", required=True, max_length=3000
            ),
            _field(
                "roadmap",
                "Road to automotive qualification (AEC-Q, ISO 26262)",
                "车规认证路线（AEC-Q、ISO 26262）",
                required=True,
            ),
            _field("team", "Team", "团队"),
            _field(
                "funding_mcny", "Funding raised so far (million CNY)", "累计融资（百万元）", "number", max_length=20
            ),
            _field("website", "Company web address", "公司网址", "url", max_length=300),
        ],
        "eligibility": {"max_age_years": 5},
        "rubric": [
            _criterion("innovation", "Innovation", "创新性", 0.35),
            _criterion("team", "Team", "团队", 0.25),
            _criterion("market", "Market potential", "市场潜力", 0.25),
            _criterion("readiness", "Progress towards automotive grade", "车规化进展", 0.15),
        ],
        "winners": 10,
        "judges_per_entry": 3,
        "max_judge_load": 35,
    },
    AwardKind.BEST_PARTNER: {
        "name_en": "Best Partner",
        "name_zh": "最佳合作伙伴",
        "description_en": (
            "Two or more organisations whose collaboration brought automotive chips into vehicles (chip maker and "
            "Tier-1, foundry and designer, OEM and supplier). Every named organisation confirms the application."
        ),
        "description_zh": (
            "两家或以上单位通过合作推动汽车芯片上车（芯片企业与 Tier-1、晶圆厂与设计企业、整车厂与供应商等）。"
            "所有署名单位均须确认申报。"
        ),
        "form_fields": [
            _field("collaboration", "What the partners did together", "合作内容", required=True, max_length=3000),
            _field("outcomes", "Outcomes (products, vehicles, volumes)", "合作成果（产品、车型、规模）", required=True),
            _field("since_year", "Working together since (year)", "合作起始年份", "number", max_length=4),
            _field("resilience", "Effect on supply-chain security", "对供应链安全的作用"),
        ],
        "eligibility": {"min_partners": 2},
        "rubric": [
            _criterion("depth", "Depth of the collaboration", "合作深度", 0.3),
            _criterion("outcomes", "Outcomes and scale", "成果与规模", 0.4),
            _criterion("resilience", "Supply-chain resilience", "供应链韧性", 0.3),
        ],
        "winners": 5,
        "judges_per_entry": 3,
        "max_judge_load": 35,
    },
}

# The editable eligibility parameters of each award and their types, for the category form and its checks.
ELIGIBILITY_PARAMETERS: dict[str, dict[str, type]] = {
    AwardKind.INFLUENCE_FIGURE: {"requires_nominee_confirmation": bool},
    AwardKind.TOP50: {"requires_valid_qualification": bool, "qualification_standards": list},
    AwardKind.MOST_PROMISING: {"max_age_years": int},
    AwardKind.BEST_PARTNER: {"min_partners": int},
}


def category_values(kind: str) -> dict[str, Any]:
    """A fresh copy of the standard values for one award (safe to change)."""
    return copy.deepcopy(STANDARD_CATEGORIES[kind])
