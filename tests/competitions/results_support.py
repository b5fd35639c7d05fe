"""What the results tests share: an edition whose judging is over, with ranked entries in a category.

`Ranked` has the fields of selectors.category_ranking's RankedEntry, so decisions can be tested on a ranking
whose order the test chooses.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from chiptown.competitions.models import AwardKind, Category, Edition, Entry, EntryStatus
from tests.competitions.factories import CategoryFactory, EditionFactory, EntryFactory
from tests.factories import OrganisationFactory


@dataclass
class Ranked:
    entry: Entry
    rank: int
    calibrated: float
    raw_mean: float = 0.0
    leniency_score: float = 0.0
    ci_low: float = 0.0
    ci_high: float = 0.0
    rank_low: int = 0
    rank_high: int = 0
    flags: list[str] = field(default_factory=list)


def ranking_of(entries: list[Entry]) -> list[Ranked]:
    """A ranking in the given order, best first, with made-up but consistent scores and intervals."""
    ranked = []
    for place, entry in enumerate(entries, start=1):
        score = 9.0 - 0.5 * place
        ranked.append(
            Ranked(
                entry=entry,
                rank=place,
                calibrated=score,
                raw_mean=score + 0.1,
                leniency_score=score - 0.1,
                ci_low=score - 0.4,
                ci_high=score + 0.4,
                rank_low=max(1, place - 1),
                rank_high=place + 1,
                flags=["cutoff"] if place == 2 else [],
            )
        )
    return ranked


def judged_edition(**overrides: Any) -> Edition:
    """An edition whose applications and judging are over (results may be published now)."""
    now = timezone.now()
    values = {
        "applications_open_at": now - datetime.timedelta(days=60),
        "applications_close_at": now - datetime.timedelta(days=40),
        "judging_start_at": now - datetime.timedelta(days=39),
        "judging_end_at": now - datetime.timedelta(days=1),
        "results_at": now,
        **overrides,
    }
    return EditionFactory(**values)


AWARD_NAMES_ZH = {
    AwardKind.INFLUENCE_FIGURE: "产业影响力人物",
    AwardKind.TOP50: "汽车芯片50强",
    AwardKind.MOST_PROMISING: "最具成长潜力企业",
    AwardKind.BEST_PARTNER: "最佳合作伙伴",
}


def judged_category(
    edition: Edition, *, kind: str = AwardKind.TOP50, entries: int = 4, winners: int = 2
) -> tuple[Category, list[Entry]]:
    """A category with `entries` eligible entries from distinct organisations."""
    category = CategoryFactory(
        edition=edition, kind=kind, winners=winners, name_en=str(AwardKind(kind).label), name_zh=AWARD_NAMES_ZH[kind]
    )
    made = [
        EntryFactory(
            category=category,
            status=EntryStatus.ELIGIBLE,
            organisation=OrganisationFactory(name_en=f"Winner Candidate {kind} {n}", name_zh=f"候选企业{kind}{n}"),
            title=f"{kind} entry {n}",
        )
        for n in range(1, entries + 1)
    ]
    return category, made
