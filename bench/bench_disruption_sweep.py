"""Every single-supplier failure at once (`analytics.all_single_failures`) at 200,000 and 1,000,000 links.

The same synthetic chains as `chain_analytics` (seeded numpy, skewed suppliers, 10 categories), 200,000 links
on 4,000 organisations and 1,000,000 links on 20,000 organisations. Timed from a fresh `ChainColumns`
(validation and effective shares inside the time), median of three runs, followed by the chokepoint ranking
from the same result (`chokepoint_*` figures include the sweep).

Check: for the top three chokepoints and three other suppliers drawn at random, the sweep's answer (lost share
and "left without a supplier" per buyer and category) is compared with a slow recomputation that takes the
supplier out and re-reads each of its buyers' categories link by link.

BENCH_SWEEP_SCALE (default 1.0) shrinks every size, for a quick run while developing.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

import numpy as np

from bench.bench_chain_analytics import SEED, fresh, synthetic_chain, timed

NAME = "disruption_sweep"

FRACTION = float(os.environ.get("BENCH_SWEEP_SCALE", "1.0"))
SIZES = ((round(200_000 * FRACTION), round(4_000 * FRACTION)), (round(1_000_000 * FRACTION), round(20_000 * FRACTION)))


def slow_failure(chain: Any, supplier: int) -> dict[tuple[int, int], tuple[float, bool]]:
    """Supplier taken out: per (buyer, category) it served, the effective share lost and whether none is left."""
    n_cat = chain.n_categories
    effective = chain.effective_share
    cells = chain.buyer_category
    lost: dict[tuple[int, int], float] = defaultdict(float)
    for i in np.flatnonzero(chain.supplier == supplier).tolist():
        lost[(int(cells[i]) // n_cat, int(cells[i]) % n_cat)] += float(effective[i])
    remaining = chain.supplier != supplier
    answer = {}
    for (buyer, category), amount in lost.items():
        others = np.flatnonzero(remaining & (chain.buyer == buyer) & (chain.category == category))
        answer[(buyer, category)] = (amount, others.size == 0)
    return answer


def check(chain: Any, failures: Any, suppliers: list[int]) -> dict[str, Any]:
    worst = 0.0
    agree = True
    for supplier in suppliers:
        rows = failures.for_supplier(supplier)
        fast = {
            (b, c): (lost, alone)
            for b, c, lost, alone in zip(
                failures.buyer[rows].tolist(),
                failures.category[rows].tolist(),
                failures.lost_share[rows].tolist(),
                failures.left_without_supplier[rows].tolist(),
                strict=True,
            )
        }
        slow = slow_failure(chain, supplier)
        agree &= fast.keys() == slow.keys() and all(fast[k][1] == slow[k][1] for k in slow)
        worst = max([worst, *(abs(fast[k][0] - slow[k][0]) for k in slow if k in fast)])
    return {"suppliers": suppliers, "equal": bool(agree and worst < 1e-9), "max_abs_difference": worst}


def run() -> dict[str, Any]:
    from chiptown.reports.analytics import all_single_failures, chokepoints

    figures: dict[str, float] = {}
    checks = {}
    for label, (links, organisations) in zip(("200k", "1m"), SIZES, strict=True):
        chain = synthetic_chain(links, organisations)
        all_single_failures(fresh(chain))  # warm-up
        figures[f"all_single_failures_{label}_links_seconds"] = round(
            timed(3, lambda chain=chain: all_single_failures(fresh(chain))), 3
        )
        figures[f"chokepoints_{label}_links_seconds"] = round(
            timed(3, lambda chain=chain: chokepoints(fresh(chain), top=20)), 3
        )
        failures = all_single_failures(chain)
        top = chokepoints(chain, top=3, failures=failures).supplier.tolist()
        rng = np.random.default_rng(SEED)
        others = [int(s) for s in rng.choice(np.flatnonzero(failures.total_lost > 0), 3, replace=False)]
        checks[label] = check(chain, failures, top + others)
        figures[f"top_chokepoint_pairs_left_without_supplier_{label}_count"] = int(
            failures.pairs_without_supplier[top[0]]
        )
        figures[f"check_equal_{label}_ratio"] = 1.0 if checks[label]["equal"] else 0.0
    return {
        "scale": {"links": [s[0] for s in SIZES], "organisations": [s[1] for s in SIZES], "categories": 10},
        "figures": figures,
        "check": checks,
        "goals": {"200k_seconds": 1, "1m_seconds": 3},
    }
