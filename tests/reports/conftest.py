"""A small registry built by hand whose chain figures are worked out below, for the reports pages and API.

Organisations (all real-looking, none demo): two in-park buyers, Maker Motors (a car maker) and Tier One
Systems; three suppliers, Alpha Chips (Chinese, in the park), Bravo Power (Chinese, outside the park) and Fremd
GmbH (German). Links in mass production:

    Alpha -> Maker  control 60%        Fremd -> Maker  control 40%
    Fremd -> Tier   control (no share) Bravo -> Tier   power (no share)

plus one link in evaluation (Bravo -> Maker control), which no figure counts. Worked out:

* 5 organisations, 3 in the park, 4 counted links; 2 of 4 from Chinese suppliers (50.0%), 1 of 4 in-park (25.0%).
* control: 3 links, 2 buyers; by links domestic 1/3, in-park 1/3; by volume Maker 0.6 and Tier 0 -> 30.0% both.
  power: 1 link, 1 buyer, domestic 100.0%, in-park 0.0%. Every other category: no data.
* HHI control: Alpha (0.6 + 0) / 2 = 0.3, Fremd (0.4 + 1) / 2 = 0.7 -> 10,000 x (0.09 + 0.49) = 5,800; power 10,000.
* Single sources: (Tier, control, Fremd, foreign) and (Tier, power, Bravo, domestic).
* Chokepoints: Fremd loses 0.4 + 1.0 = 1.4 (1 pair orphaned, 2 buyers), Bravo 1.0, Alpha 0.6.
* Bill of materials control 10, power 30, memory 5: memory has no data; weights 0.25 / 0.75; domestic
  0.25 x 0.3 + 0.75 x 1 = 82.5%, in the park 0.25 x 0.3 = 7.5%.
* Gaps: outside the park control [Tier] and power [Tier]; outside the country control [Tier]. Candidates:
  Fremd for control, score 25 (focus 2/2) + 8 (2 buyers) = 33; Bravo for power, 25 + 4 = 29.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from chiptown.registry.models import Organisation
from chiptown.reports.models import BillOfMaterials
from tests.factories import OrganisationFactory, SupplyLinkFactory, category


@dataclass(frozen=True)
class HandChain:
    maker: Organisation
    tier: Organisation
    alpha: Organisation
    bravo: Organisation
    fremd: Organisation


@pytest.fixture
def hand_chain(db: Any) -> HandChain:
    maker = OrganisationFactory.create(name_en="Maker Motors", name_zh="制造汽车", in_park=True)
    tier = OrganisationFactory.create(name_en="Tier One Systems", name_zh="一级系统", in_park=True)
    alpha = OrganisationFactory.create(name_en="Alpha Chips", name_zh="阿尔法芯片", in_park=True)
    bravo = OrganisationFactory.create(name_en="Bravo Power", name_zh="布拉沃功率", in_park=False, province="上海市")
    fremd = OrganisationFactory.create(
        name_en="Fremd GmbH", name_zh="弗雷姆德", in_park=False, country="DE", province="", credit_code=None
    )
    SupplyLinkFactory(supplier=alpha, buyer=maker, category=category("control"), share=60)
    SupplyLinkFactory(supplier=fremd, buyer=maker, category=category("control"), share=40)
    SupplyLinkFactory(supplier=fremd, buyer=tier, category=category("control"), share=None)
    SupplyLinkFactory(supplier=bravo, buyer=tier, category=category("power"), share=None)
    SupplyLinkFactory(supplier=bravo, buyer=maker, category=category("control"), share=None, status="evaluation")
    return HandChain(maker=maker, tier=tier, alpha=alpha, bravo=bravo, fremd=fremd)


@pytest.fixture
def hand_bom(db: Any) -> BillOfMaterials:
    """The report's bill of materials for `hand_chain`: control 10, power 30, memory 5 (memory has no data)."""
    return BillOfMaterials.objects.create(
        name_en="Test car",
        name_zh="测试车",
        vehicle_type="test",
        counts={"control": 10, "power": 30, "memory": 5},
        source="Counted by hand for the tests.",
        is_default=True,
    )
