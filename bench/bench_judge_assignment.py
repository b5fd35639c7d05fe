"""Judge assignment: 5,000 entries, 500 judges, 3 judges each, load at most 35, conflicts on about 2% of pairs.

Two parts, both in the same run:

1. The solver alone (fit and conflicts in memory -> assignment), on generated fit matrices with structure: each
   entry has a main and a secondary topic, each judge one to three topics of expertise, fit = 0.6 x (entry topic
   . judge expertise) + 0.4 x noise, and about 2% of pairs in conflict. In the main instance ("matched") the park
   recruits judges roughly in proportion to the entries it expects per topic (80% in proportion, 20% at random);
   in the "skewed" instance judges' topics ignore the entries' (experts in demand are scarce), a harder case
   reported alongside. Measured, on each:
   - solve_seconds: the min-cost flow (OR-Tools SimpleMinCostFlow, network built from numpy arrays with one
     vectorised call), median of three, as `solvers.solve` runs it: first on each entry's 40 best judges, kept
     only when the dual certificate over all allowed pairs proves it optimal (else the full network is solved);
     full_network_solve_seconds: the same flow on every allowed pair (2.45 million arcs), for comparison;
   - total_fit_to_bound_ratio: its total fit against the LP-relaxation bound. The flow's constraint matrix is
     totally unimodular, so its optimum is the LP's; the bound is therefore computed independently, as the
     Lagrangian dual of the load limits with prices found from complementary slackness (valid for any prices,
     so it certifies optimality without trusting the solver). Also reported: the plain bound "every entry gets
     its k best allowed judges, ignoring loads" (topk_bound);
   - worst_entry_to_maxmin_bound_ratio: the worst-served entry's fit (the sum over its judges) against the
     max-min LP optimum (maximise t s.t. every entry's fit >= t, k judges each, load limits, 0 <= x <= 1), solved
     with GLOP by column generation over all allowed pairs (priced with numpy each round until no pair has a
     positive reduced cost, so it is the full LP's optimum);
   - the fairness option, from scratch (best total + max-min bound + Lagrangian rounds with repairs):
     fair_solve_seconds, fair_total_to_best_ratio (against the plain flow's total in the same run),
     fair_worst_to_maxmin_bound_ratio, and fair_total_bound_ratio: the fair total against an upper bound on the
     total any assignment (even fractional) can have while every entry gets at least the fair target
     t* (1 - 0.1%): how much of the gap is the price of fairness itself.
2. End to end from the database (SQLite): organisations, people, users, judges with expertise (chip categories,
   Chinese text), eligible entries with products and Chinese answers, and registry ties (supply links,
   investments, former employers, declarations) that put about 2% of pairs in conflict are written first,
   untimed; then timed: `assignment_run` exactly as the background job runs it (conflicts derived from the
   registry, expertise fit with jieba TF-IDF, the solve, both bounds, Assignment rows written in one
   transaction, the run stored and audited, 500 emails rendered and sent through Django's in-memory backend).

BENCH_ASSIGNMENT_SCALE (default 1.0) shrinks entries and judges, for a quick run while developing.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

import numpy as np

NAME = "judge_assignment"

FRACTION = float(os.environ.get("BENCH_ASSIGNMENT_SCALE", "1.0"))
ENTRIES = max(30, round(5000 * FRACTION))
JUDGES = max(10, round(500 * FRACTION))
K = 3
LOAD = 35
CONFLICT_RATE = 0.02
TOPICS = 24
SEED = 2024

# Topic vocabulary for the end-to-end texts (Chinese with a little English, as applications are written).
TOPIC_WORDS = [
    ("control", "车规MCU 功能安全 ASIL-D 微控制器"),
    ("power", "碳化硅 SiC MOSFET 功率模块 主驱逆变器"),
    ("power", "IGBT 功率器件 电机控制 车载充电机"),
    ("power_management", "电源管理 PMIC 模拟芯片 LDO"),
    ("power_management", "电池管理 BMS 采样 均衡"),
    ("sensing", "激光雷达 LiDAR 感知 点云"),
    ("sensing", "毫米波雷达 77GHz 射频前端"),
    ("sensing", "图像传感器 CMOS 摄像头 ISP"),
    ("computing", "自动驾驶 SoC AI芯片 算力 NPU"),
    ("computing", "智能座舱 SoC 显示 GPU"),
    ("memory", "存储芯片 DRAM NOR Flash 车规存储"),
    ("communication", "车载以太网 PHY TSN 交换芯片"),
    ("communication", "CAN FD LIN 总线 收发器"),
    ("communication", "5G V2X 通信模组 C-V2X"),
    ("security", "安全芯片 HSM 加密 OTA"),
    ("control", "域控制器 区域控制 ZCU 网关"),
    ("sensing", "压力传感器 MEMS 惯性导航 IMU"),
    ("driver", "隔离驱动 栅极驱动 隔离芯片"),
    ("power", "氮化镓 GaN 快充 DC-DC"),
    ("computing", "FPGA 可编程逻辑 加速"),
    ("driver", "电机驱动 BLDC 预驱 热管理"),
    ("sensing", "超声波雷达 泊车 车身电子"),
    ("communication", "UWB 数字钥匙 蓝牙 BLE"),
    ("memory", "EEPROM 数据记录 EDR 黑匣子"),
]


# --- part 1: the solver on generated matrices ---------------------------------------------------------------------


def generated_instance(*, matched: bool, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """fit (entries x judges) and allowed (about 2% of pairs in conflict)."""
    rng = np.random.default_rng(seed)
    topic_share = rng.dirichlet(np.full(TOPICS, 2.0))
    expert_share = rng.dirichlet(np.full(TOPICS, 2.0))
    if matched:
        expert_share = 0.8 * topic_share + 0.2 * expert_share
    main = rng.choice(TOPICS, size=ENTRIES, p=topic_share)
    second = rng.choice(TOPICS, size=ENTRIES, p=topic_share)
    entries = np.zeros((ENTRIES, TOPICS))
    entries[np.arange(ENTRIES), main] = 0.7
    entries[np.arange(ENTRIES), second] += 0.3
    judges = np.zeros((JUDGES, TOPICS))
    for j in range(JUDGES):
        n = int(rng.integers(1, 4))
        known = rng.choice(TOPICS, size=n, replace=False, p=expert_share)
        judges[j, known] = rng.dirichlet(np.ones(n))
    fit = 0.6 * (entries @ judges.T) + 0.4 * rng.random((ENTRIES, JUDGES))
    allowed = rng.random((ENTRIES, JUDGES)) >= CONFLICT_RATE
    return fit, allowed, {"conflict_share": round(1 - float(allowed.mean()), 4)}


def solver_figures(prefix: str, *, matched: bool) -> dict[str, float]:
    from chiptown.competitions import solvers

    fit, allowed, facts = generated_instance(matched=matched)
    problem = solvers.AssignmentProblem.build(fit=fit, allowed=allowed, k=K, load=LOAD)
    times = []
    best = None
    for _attempt in range(3):
        started = time.perf_counter()
        best = solvers.solve(problem)
        times.append(time.perf_counter() - started)
    assert best is not None
    assert solvers.constraint_violations(problem, best.entry_index, best.judge_index) == []
    full_times = []
    for _attempt in range(3):
        started = time.perf_counter()
        full = solvers.solve(problem, prune=None)
        full_times.append(time.perf_counter() - started)
    assert abs(full.total_fit - best.total_fit) <= 1e-6 * full.total_fit
    started = time.perf_counter()
    total_bound = solvers.total_fit_bound(problem, best)
    bound_seconds = time.perf_counter() - started
    topk = solvers.topk_bound(problem)
    maxmin = solvers.maxmin_bound(problem, start=best)

    started = time.perf_counter()
    fair = solvers.solve_fair(problem)  # from scratch: its own best total and max-min bound
    fair_seconds = time.perf_counter() - started
    solution = fair.solution
    assert solvers.constraint_violations(problem, solution.entry_index, solution.judge_index) == []
    return {
        f"{prefix}solve_seconds": round(statistics.median(times), 3),
        f"{prefix}solve_min_seconds": round(min(times), 3),
        f"{prefix}full_network_solve_seconds": round(statistics.median(full_times), 3),
        f"{prefix}total_fit_to_bound_ratio": round(best.total_fit / total_bound, 7),
        f"{prefix}total_fit_to_topk_bound_ratio": round(best.total_fit / topk, 5),
        f"{prefix}bound_seconds": round(bound_seconds, 3),
        f"{prefix}worst_entry_to_maxmin_bound_ratio": round(best.worst_entry_fit / maxmin.value, 5),
        f"{prefix}maxmin_bound_seconds": round(maxmin.seconds, 3),
        f"{prefix}fair_solve_seconds": round(fair_seconds, 3),
        f"{prefix}fair_total_to_best_ratio": round(solution.total_fit / best.total_fit, 6),
        f"{prefix}fair_worst_to_maxmin_bound_ratio": round(solution.worst_entry_fit / fair.bound.value, 5),
        f"{prefix}fair_total_bound_ratio": round(fair.floor_total_bound / best.total_fit, 6),
        f"{prefix}conflict_share_ratio": facts["conflict_share"],
    }


# --- part 2: end to end from the database -------------------------------------------------------------------------


def write_database(rng: np.random.Generator) -> dict[str, Any]:
    """An edition, a Top 50 category with 5,000 eligible entries and a panel of 500 judges, with registry ties
    putting about 2% of (entry, judge) pairs in conflict. Bulk writes; not timed."""
    import datetime

    from django.utils import timezone

    from chiptown.accounts.models import Role, User
    from chiptown.competitions.models import (
        AwardKind,
        Category,
        ConflictDeclaration,
        Edition,
        Entry,
        EntryStatus,
        Judge,
        Panel,
    )
    from chiptown.registry.models import Investment, Organisation, Person, Product, SupplyLink, name_key, search_key

    now = timezone.now()
    edition = Edition.objects.create(
        year=2031,
        name_zh="基准赛事",
        name_en="Benchmark competition",
        applications_open_at=now - datetime.timedelta(days=60),
        applications_close_at=now - datetime.timedelta(days=30),
        judging_start_at=now - datetime.timedelta(days=29),
        judging_end_at=now + datetime.timedelta(days=30),
        results_at=now + datetime.timedelta(days=40),
    )
    category = Category.objects.create(
        edition=edition,
        kind=AwardKind.TOP50,
        name_zh="汽车芯片50强",
        name_en="Top 50",
        rubric=[{"code": "q", "label_en": "Quality", "label_zh": "质量", "weight": 1, "min": 0, "max": 10}],
        judges_per_entry=K,
        max_judge_load=LOAD,
    )
    operator = User.objects.create(username="bench-operator", role=Role.OPERATOR, password="!")  # noqa: S106 (an unusable password: bench users never log in)

    def organisations(prefix: str, count: int) -> list[Organisation]:
        rows = []
        for n in range(count):
            name_en, name_zh = f"{prefix} {n}", f"{prefix}公司{n}"
            rows.append(
                Organisation(
                    name_en=name_en,
                    name_zh=name_zh,
                    name_key=name_key(name_en),
                    search_text=search_key(name_zh, name_en, None),
                    credit_code=None,
                    founded_year=2015,
                )
            )
        return Organisation.objects.bulk_create(rows, batch_size=1000)

    applicants = organisations("Applicant", ENTRIES)
    employers = organisations("Employer", max(1, JUDGES * 3 // 5))
    outsiders = organisations("Outsider", max(1, JUDGES // 5))

    topic_of_entry = rng.integers(0, len(TOPIC_WORDS), size=ENTRIES)
    second_of_entry = rng.integers(0, len(TOPIC_WORDS), size=ENTRIES)
    products = Product.objects.bulk_create(
        [
            Product(
                organisation=applicants[n],
                category_id=TOPIC_WORDS[topic_of_entry[n]][0],
                part_number=f"BX{n:05d}",
                name_zh=TOPIC_WORDS[topic_of_entry[n]][1].split()[0] + f" {n}",
                name_en=f"Part {n}",
            )
            for n in range(ENTRIES)
        ],
        batch_size=1000,
    )
    entries = Entry.objects.bulk_create(
        [
            Entry(
                category=category,
                status=EntryStatus.ELIGIBLE,
                organisation=applicants[n],
                product=products[n],
                title=f"{TOPIC_WORDS[topic_of_entry[n]][1].split()[0]} 申报 {n}",
                answers={
                    "summary": f"我们的产品面向{TOPIC_WORDS[topic_of_entry[n]][1]}，"
                    f"并结合{TOPIC_WORDS[second_of_entry[n]][1]}，已通过车规认证并量产。",
                },
                submitted_at=now - datetime.timedelta(days=35),
            )
            for n in range(ENTRIES)
        ],
        batch_size=1000,
    )

    users = User.objects.bulk_create(
        [
            User(username=f"judge{n}", role=Role.JUDGE, email=f"judge{n}@example.invalid", password="!")  # noqa: S106 (an unusable password: bench users never log in)
            for n in range(JUDGES)
        ],
        batch_size=1000,
    )
    employer_of = rng.integers(0, len(employers), size=JUDGES)
    people = Person.objects.bulk_create(
        [
            Person(name_zh=f"评委{n}", name_en=f"Judge {n}", organisation=employers[employer_of[n]])
            for n in range(JUDGES)
        ],
        batch_size=1000,
    )
    judge_topics = [rng.choice(len(TOPIC_WORDS), size=int(rng.integers(1, 4)), replace=False) for _ in range(JUDGES)]
    judges = Judge.objects.bulk_create(
        [
            Judge(
                edition=edition,
                user=users[n],
                person=people[n],
                expertise_text="；".join(TOPIC_WORDS[t][1] for t in judge_topics[n]),
            )
            for n in range(JUDGES)
        ],
        batch_size=1000,
    )
    Through = Judge.expertise_categories.through
    Through.objects.bulk_create(
        [
            Through(judge_id=judges[n].pk, chipcategory_id=code)
            for n in range(JUDGES)
            for code in sorted({TOPIC_WORDS[t][0] for t in judge_topics[n]})
        ],
        batch_size=2000,
    )
    panel = Panel.objects.create(category=category)
    panel.judges.set(judges)

    # Ties: each employer supplies or buys from ~80 applicants and invests in or is funded by ~15 (one hop);
    # each judge also has 2 former employers among the applicants and declares 1 applicant and 1 entry. With
    # 0.6 judges per employer on average, about 100 of the 5,000 entries conflict with each judge: 2%.
    links: set[tuple[int, int]] = set()
    supply_rows = []
    for employer in employers:
        for applicant in rng.choice(ENTRIES, size=max(1, round(80 * ENTRIES / 5000)), replace=False):
            supplier, buyer = (
                (applicants[applicant], employer) if rng.random() < 0.5 else (employer, applicants[applicant])
            )
            if (supplier.pk, buyer.pk) not in links:
                links.add((supplier.pk, buyer.pk))
                supply_rows.append(
                    SupplyLink(supplier=supplier, buyer=buyer, category_id=TOPIC_WORDS[topic_of_entry[applicant]][0])
                )
    SupplyLink.objects.bulk_create(supply_rows, batch_size=2000)
    invest_rows = []
    stakes: set[tuple[int, int]] = set()
    for employer in employers:
        for applicant in rng.choice(ENTRIES, size=max(1, round(15 * ENTRIES / 5000)), replace=False):
            investor, company = (
                (applicants[applicant], employer) if rng.random() < 0.5 else (employer, applicants[applicant])
            )
            if (investor.pk, company.pk) not in stakes:
                stakes.add((investor.pk, company.pk))
                invest_rows.append(Investment(investor=investor, company=company))
    Investment.objects.bulk_create(invest_rows, batch_size=2000)
    Former = Judge.former_employers.through
    Former.objects.bulk_create(
        [
            Former(judge_id=judge.pk, organisation_id=applicants[a].pk)
            for judge in judges
            for a in rng.choice(ENTRIES, size=2, replace=False)
        ]
        + [
            Former(judge_id=judge.pk, organisation_id=outsiders[int(rng.integers(len(outsiders)))].pk)
            for judge in judges
        ],
        batch_size=2000,
    )
    declarations = []
    for judge in judges:
        declarations.append(
            ConflictDeclaration(judge=judge, organisation=applicants[int(rng.integers(ENTRIES))], reason="Shareholder")
        )
        declarations.append(
            ConflictDeclaration(judge=judge, entry=entries[int(rng.integers(ENTRIES))], reason="Advised")
        )
    ConflictDeclaration.objects.bulk_create(declarations, batch_size=2000)
    return {
        "category": category,
        "operator": operator,
        "rows": {
            "organisations": len(applicants) + len(employers) + len(outsiders),
            "supply_links": len(supply_rows),
            "investments": len(invest_rows),
            "declarations": len(declarations),
        },
    }


def end_to_end_figures() -> tuple[dict[str, float], dict[str, Any]]:
    from django.conf import settings
    from django.core import mail
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from chiptown.competitions import conflicts
    from chiptown.competitions.models import Assignment
    from chiptown.competitions.services.assignment import assignment_run

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # keep 500 emails off the terminal
    mail.outbox = []
    data = write_database(np.random.default_rng(SEED))
    category, operator = data["category"], data["operator"]

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        run = assignment_run(category=category, by=operator)
    seconds = time.perf_counter() - started

    # Checked after the clock stops: the rows written keep every hard constraint.
    pairs = set(Assignment.objects.filter(entry__category=category).values_list("entry_id", "judge_id"))
    conflicting = conflicts.category_conflicts(category=category)
    per_entry = np.bincount([e for e, _j in pairs])
    per_judge = np.bincount([j for _e, j in pairs])
    assert len(pairs) == ENTRIES * K
    assert not pairs & conflicting
    assert per_entry[per_entry > 0].min() == K and per_judge.max() <= LOAD
    figures = run.figures
    timing = figures["seconds"]
    return (
        {
            "end_to_end_seconds": round(seconds, 3),
            "end_to_end_queries": len(queries.captured_queries),
            "end_to_end_load_seconds": timing.get("load", 0.0),
            "end_to_end_conflicts_seconds": timing.get("conflicts", 0.0),
            "end_to_end_affinity_seconds": timing.get("affinity", 0.0),
            "end_to_end_solve_seconds": timing.get("solve", 0.0),
            "end_to_end_write_seconds": timing.get("write", 0.0),
            "end_to_end_conflict_share_ratio": round(len(conflicting) / (ENTRIES * JUDGES), 4),
            "end_to_end_total_fit_to_bound_ratio": figures["total_fit_to_bound_ratio"],
            "end_to_end_worst_entry_to_maxmin_bound_ratio": figures["worst_entry_to_maxmin_bound_ratio"],
            "end_to_end_bounds_seconds": timing.get("bounds", 0.0),
        },
        {**data["rows"], "emails_sent": len(mail.outbox)},
    )


def run() -> dict[str, Any]:
    figures: dict[str, float] = {}
    figures.update(solver_figures("", matched=True))
    figures.update(solver_figures("skewed_", matched=False))
    e2e, rows = end_to_end_figures()
    figures.update(e2e)
    return {
        "scale": {
            "entries": ENTRIES,
            "judges": JUDGES,
            "judges_per_entry": K,
            "max_load": LOAD,
            "conflict_rate": CONFLICT_RATE,
            "topics": TOPICS,
            "end_to_end_rows": rows,
        },
        "figures": figures,
        "notes": {
            "instances": "main: judges recruited roughly in proportion to the entries per topic; skewed_: judges' "
            "topics independent of the entries' (scarce experts)",
            "total_fit_bound": "Lagrangian dual of the load limits with prices from complementary slackness "
            "(valid for any prices: an independent certificate); topk bound = every entry its k best allowed "
            "judges ignoring loads",
            "maxmin_bound": "max-min LP over all allowed pairs, GLOP by column generation to zero positive reduced "
            "cost",
            "fair_total_bound_ratio": "upper bound (Lagrangian, all pairs) on the total of any assignment whose "
            "every entry reaches the fair target t* (1 - 0.1%), over the best total",
            "goals": "solve < 2 s; end to end < 60 s; total within 0.5% of the LP bound; fair: total within 0.01% of "
            "the best and worst within 0.2% of the max-min bound, in < 30 s",
        },
    }
