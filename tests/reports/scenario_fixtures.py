"""A small registry whose disruption scenarios can be worked out on paper (shared by the runner's page and API tests).

Control chips (MCUs):
  Alpha (CN, Jiangsu, outside the park)   grade 2, ASIL B   supplies Car 60 % and Tier 100 %
  Beta (CN, Beijing, in the park)         grade 1, ASIL B   supplies Car 40 %
  Gamma (DE, outside the park)            grade 0, ASIL D   (makes them, supplies nobody in control)
  Delta (CN, Beijing, in the park)        grade 3, ASIL D   (makes them, supplies nobody)
Power chips: Alpha supplies Tier (share unknown, so all of it); Epsilon (CN, Shanghai) makes them, unqualified.
Computing chips: Gamma grade 0 supplies Car 100 %; Beta grade 1 and Zeta (CN, Beijing) grade 0 make them.
Buyers: Car (CN, Beijing, in the park) and Tier (CN, Shanghai, outside the park).

Taking Alpha out: Car loses 60 % of its control volume but keeps Beta, qualified at least as strictly (grade 1
beats grade 2, ASIL B equals ASIL B), so that link recovers at once (TTR 0). Tier loses all its control and all
its power volume and is left without any supplier in both: re-qualification takes 180 days, stock lasts 30,
so both links are exposed. Alternatives in control: Beta (domestic) before Gamma (foreign); Delta's grade 3 is
not enough. In power: Epsilon. Lost volume 0.6 + 1 + 1 = 2.6.

Taking Germany out (Gamma): Car loses all its computing volume; grade 0 is required, so Beta's grade 1 does not
qualify and Zeta (grade 0) is the only alternative.
"""

from __future__ import annotations

from dataclasses import dataclass

from chiptown.registry.models import Organisation
from tests.factories import OrganisationFactory, ProductFactory, QualificationFactory, SupplyLinkFactory, category


@dataclass
class ScenarioRegistry:
    alpha: Organisation
    beta: Organisation
    gamma: Organisation
    delta: Organisation
    epsilon: Organisation
    zeta: Organisation
    car: Organisation
    tier: Organisation


def _qualified(organisation: Organisation, code: str, grade: str | None, asil: str | None = None) -> None:
    product = ProductFactory(organisation=organisation, category=category(code))
    if grade is not None:
        QualificationFactory(product=product, level=grade)
    if asil is not None:
        QualificationFactory(product=product, standard="ISO 26262", level=asil)


def scenario_registry(*, demo: bool = False) -> ScenarioRegistry:
    def organisation(name: str, **fields: object) -> Organisation:
        return OrganisationFactory(name_en=name, name_zh="", is_demo=demo, **fields)

    alpha = organisation("Alpha Microcontrollers", province="江苏省", in_park=False)
    beta = organisation("Beta Semiconductor", province="北京市", in_park=True)
    gamma = organisation("Gamma Halbleiter", country="DE", province="", in_park=False, credit_code=None)
    delta = organisation("Delta Chips", province="北京市", in_park=True)
    epsilon = organisation("Epsilon Power", province="上海市", in_park=False)
    zeta = organisation("Zeta Compute", province="北京市", in_park=False)
    car = organisation("Car Maker", province="北京市", in_park=True)
    tier = organisation("Tier One", province="上海市", in_park=False)

    _qualified(alpha, "control", "2", "B")
    _qualified(beta, "control", "1", "B")
    _qualified(gamma, "control", "0", "D")
    _qualified(delta, "control", "3", "D")
    _qualified(epsilon, "power", None)
    _qualified(gamma, "computing", "0")
    _qualified(beta, "computing", "1")
    _qualified(zeta, "computing", "0")

    SupplyLinkFactory(supplier=alpha, buyer=car, category=category("control"), share=60)
    SupplyLinkFactory(supplier=beta, buyer=car, category=category("control"), share=40)
    SupplyLinkFactory(supplier=alpha, buyer=tier, category=category("control"), share=100)
    SupplyLinkFactory(supplier=alpha, buyer=tier, category=category("power"), share=None)
    SupplyLinkFactory(supplier=gamma, buyer=car, category=category("computing"), share=100)
    # Not counted: still in evaluation.
    SupplyLinkFactory(supplier=delta, buyer=tier, category=category("control"), share=None, status="evaluation")
    return ScenarioRegistry(alpha, beta, gamma, delta, epsilon, zeta, car, tier)
