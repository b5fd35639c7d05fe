"""The assignment solvers on plain arrays: hard constraints on random instances (hypothesis), optimality and bounds
against brute force and against an LP solved independently, fairness, and clear refusals of impossible
instances."""

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.linear_solver import pywraplp

from chiptown.competitions import solvers
from chiptown.competitions.solvers import AssignmentInfeasible, AssignmentProblem


def _brute_force(problem: AssignmentProblem) -> tuple[float, float] | None:
    """(best total, best worst-entry fit) over every valid assignment, or None when there is none: each entry
    picks a set of judges of its size, checked against every hard constraint (tiny instances only)."""
    n_entries, n_judges = problem.fit.shape
    pinned = {(int(e), int(j)) for e, j in problem.pinned}
    choices = []
    for e in range(n_entries):
        must = {j for (pe, j) in pinned if pe == e}
        options = [
            c
            for c in itertools.combinations(range(n_judges), int(problem.demand[e]))
            if must <= set(c) and all(problem.allowed[e, j] for j in c)
        ]
        choices.append(options)
    best_total: float | None = None
    best_worst: float | None = None
    for combo in itertools.product(*choices):
        load = np.zeros(n_judges, dtype=int)
        for c in combo:
            load[list(c)] += 1
        if (load > problem.capacity).any():
            continue
        fits = [sum(problem.fit[e, j] for j in c) for e, c in enumerate(combo)]
        total, worst = sum(fits), min(fits) if fits else 0.0
        best_total = total if best_total is None else max(best_total, total)
        best_worst = worst if best_worst is None else max(best_worst, worst)
    if best_total is None or best_worst is None:
        return None
    return best_total, best_worst


def _lp(problem: AssignmentProblem, *, maxmin: bool) -> float:
    """The LP relaxation (total fit, or the max-min fit) written out pair by pair with pywraplp's GLOP: an
    independent formulation to check the vectorised bounds against."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    n_entries, n_judges = problem.fit.shape
    x = {
        (e, j): solver.NumVar(0, 1, f"x{e}_{j}")
        for e in range(n_entries)
        for j in range(n_judges)
        if problem.allowed[e, j]
    }
    for e, j in problem.pinned:
        x[int(e), int(j)].SetLb(1)
    for e in range(n_entries):
        solver.Add(sum(x[e, j] for j in range(n_judges) if (e, j) in x) == int(problem.demand[e]))
    for j in range(n_judges):
        solver.Add(sum(x[e, j] for e in range(n_entries) if (e, j) in x) <= int(problem.capacity[j]))
    if maxmin:
        t = solver.NumVar(-solver.infinity(), solver.infinity(), "t")
        for e in range(n_entries):
            solver.Add(sum(problem.fit[e, j] * x[e, j] for j in range(n_judges) if (e, j) in x) >= t)
        solver.Maximize(t)
    else:
        solver.Maximize(sum(problem.fit[e, j] * var for (e, j), var in x.items()))
    assert solver.Solve() == pywraplp.Solver.OPTIMAL
    return float(solver.Objective().Value())


@st.composite
def problems(draw: Any, max_entries: int = 9, max_judges: int = 7) -> AssignmentProblem:
    """Random instances, feasible or not: fits, conflicts (up to half the pairs), k, loads and a few pins."""
    n_entries = draw(st.integers(1, max_entries))
    n_judges = draw(st.integers(1, max_judges))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    fit = np.round(rng.random((n_entries, n_judges)), 3)
    conflict_rate = draw(st.sampled_from([0.0, 0.1, 0.3, 0.5]))
    allowed = rng.random((n_entries, n_judges)) >= conflict_rate
    k = draw(st.integers(1, min(3, n_judges)))
    load = draw(st.integers(1, 6))
    n_pins = draw(st.integers(0, 3))
    pins = [(int(rng.integers(n_entries)), int(rng.integers(n_judges))) for _ in range(n_pins)]
    return AssignmentProblem.build(fit=fit, allowed=allowed, k=k, load=load, pinned=pins)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_assignment_meets_every_hard_constraint(problem: AssignmentProblem) -> None:
    try:
        solution = solvers.solve(problem)
    except AssignmentInfeasible as refusal:
        assert refusal.code == "assignment_infeasible"
        assert refusal.message
        # A refusal is right only when no valid assignment exists at all.
        if problem.fit.size <= 30:
            assert _brute_force(problem) is None
        return
    assert solvers.constraint_violations(problem, solution.entry_index, solution.judge_index) == []
    per_entry = np.bincount(solution.entry_index, minlength=problem.n_entries)
    assert (per_entry == problem.demand).all()
    assert (np.bincount(solution.judge_index, minlength=problem.n_judges) <= problem.capacity).all()
    assert problem.allowed[solution.entry_index, solution.judge_index].all()
    chosen = set(zip(solution.entry_index.tolist(), solution.judge_index.tolist(), strict=True))
    assert {(int(e), int(j)) for e, j in problem.pinned} <= chosen


@settings(max_examples=60, deadline=None)
@given(problems(max_entries=5, max_judges=4))
def test_the_flow_finds_the_best_total(problem: AssignmentProblem) -> None:
    brute = _brute_force(problem)
    if brute is None:
        with pytest.raises(AssignmentInfeasible):
            solvers.solve(problem)
        return
    solution = solvers.solve(problem)
    assert solution.total_fit == pytest.approx(brute[0], abs=1e-5)


@settings(max_examples=80, deadline=None)
@given(problems(max_entries=9, max_judges=9))
def test_a_pruned_network_is_kept_only_when_proved_optimal(problem: AssignmentProblem) -> None:
    try:
        full = solvers.solve(problem, prune=None)
    except AssignmentInfeasible:
        with pytest.raises(AssignmentInfeasible):
            solvers.solve(problem, prune=2)
        return
    pruned = solvers.solve(problem, prune=2)
    assert solvers.constraint_violations(problem, pruned.entry_index, pruned.judge_index) == []
    assert pruned.total_fit == pytest.approx(full.total_fit, abs=1e-5)


@settings(max_examples=40, deadline=None)
@given(problems(max_entries=8, max_judges=6))
def test_bounds_match_the_lp_written_out_independently(problem: AssignmentProblem) -> None:
    try:
        solution = solvers.solve(problem)
    except AssignmentInfeasible:
        return
    total_bound = solvers.total_fit_bound(problem, solution)
    assert total_bound >= solution.total_fit - 1e-6
    assert total_bound == pytest.approx(_lp(problem, maxmin=False), abs=1e-4)
    assert solvers.topk_bound(problem) >= total_bound - 1e-6
    maxmin = solvers.maxmin_bound(problem, start=solution)
    assert maxmin.value == pytest.approx(_lp(problem, maxmin=True), abs=1e-6)
    assert solution.worst_entry_fit <= maxmin.value + 1e-9


@settings(max_examples=40, deadline=None)
@given(problems(max_entries=8, max_judges=6))
def test_fair_assignments_meet_the_hard_constraints_and_lift_the_worst_entry(problem: AssignmentProblem) -> None:
    try:
        best = solvers.solve(problem)
    except AssignmentInfeasible:
        return
    outcome = solvers.solve_fair(problem, best=best, subgradient_rounds=10, repair_rounds=10)
    fair = outcome.solution
    assert solvers.constraint_violations(problem, fair.entry_index, fair.judge_index) == []
    assert fair.worst_entry_fit >= min(best.worst_entry_fit, outcome.target) - 1e-9
    assert fair.worst_entry_fit <= outcome.bound.value + 1e-9
    assert best.total_fit * (1 - 1e-4) - 1e-9 <= fair.total_fit <= best.total_fit + 1e-6
    assert outcome.floor_total_bound >= fair.total_fit - 1e-6 or fair.worst_entry_fit < outcome.target


def test_a_small_instance_by_hand() -> None:
    # Two entries, three judges, one judge each: judge 0 fits both best but takes only one entry.
    fit = np.array([[0.9, 0.5, 0.1], [0.8, 0.1, 0.6]])
    problem = AssignmentProblem.build(fit=fit, k=1, load=1)
    solution = solvers.solve(problem)
    assert list(zip(solution.entry_index.tolist(), solution.judge_index.tolist(), strict=True)) == [(0, 0), (1, 2)]
    assert solution.total_fit == pytest.approx(1.5)
    assert solution.entry_fit.tolist() == pytest.approx([0.9, 0.6])
    assert solvers.total_fit_bound(problem, solution) == pytest.approx(1.5, abs=1e-6)
    assert solvers.topk_bound(problem) == pytest.approx(1.7)
    # Whole judges cannot do better for the worst entry than 0.6, but half of judge 0 and half of another each
    # reach 0.7: the max-min bound is the LP's (fractional) optimum.
    assert solvers.maxmin_bound(problem).value == pytest.approx(0.7)


def test_pins_are_honoured_even_against_the_fit() -> None:
    fit = np.array([[0.9, 0.1], [0.9, 0.1]])
    problem = AssignmentProblem.build(fit=fit, k=1, load=1, pinned=[(0, 1)])
    solution = solvers.solve(problem)
    assert set(zip(solution.entry_index.tolist(), solution.judge_index.tolist(), strict=True)) == {(0, 1), (1, 0)}


def test_too_few_judges_without_conflicts_names_the_entries() -> None:
    allowed = np.array([[True, True, True], [True, False, False], [False, False, True]])
    problem = AssignmentProblem.build(
        fit=np.ones((3, 3)), allowed=allowed, k=2, load=3, entry_labels=["Alpha", "Beta", "Gamma"]
    )
    with pytest.raises(AssignmentInfeasible) as refusal:
        solvers.solve(problem)
    assert refusal.value.entries == [1, 2]
    assert refusal.value.message == (
        "Too few judges without a conflict of interest (and with room left) for these entries: Beta, Gamma."
    )


def test_too_little_room_in_all_says_so() -> None:
    problem = AssignmentProblem.build(fit=np.ones((5, 2)), k=2, load=4)
    with pytest.raises(AssignmentInfeasible) as refusal:
        solvers.solve(problem)
    assert refusal.value.message == (
        "The judges can take 8 more reviews in all, but the entries need 10: add judges or raise the load limit."
    )


def test_a_hall_violation_found_by_the_flow_names_the_short_entries() -> None:
    # Entries 0-2 can only use judges 0 and 1 (load 1 each): room enough in all, but not for them.
    allowed = np.array([[1, 1, 0, 0], [1, 1, 0, 0], [1, 1, 0, 0], [1, 1, 1, 1]], dtype=bool)
    problem = AssignmentProblem.build(fit=np.ones((4, 4)), allowed=allowed, k=1, load=1)
    with pytest.raises(AssignmentInfeasible) as refusal:
        solvers.solve(problem)
    assert len(refusal.value.entries) == 1
    assert refusal.value.entries[0] in {0, 1, 2}
    assert refusal.value.message.startswith("No assignment gives every entry its judges within the load limits")


def test_a_pin_on_a_conflicted_pair_is_refused_by_name() -> None:
    allowed = np.array([[False, True], [True, True]])
    problem = AssignmentProblem.build(
        fit=np.ones((2, 2)),
        allowed=allowed,
        k=1,
        load=2,
        pinned=[(0, 0)],
        entry_labels=["Alpha", "Beta"],
        judge_labels=["Dr Wang", "Dr Li"],
    )
    with pytest.raises(AssignmentInfeasible) as refusal:
        solvers.solve(problem)
    assert refusal.value.message == (
        "A pinned pair is not allowed (a conflict of interest or a forbidden pair): Dr Wang / Alpha."
    )


def test_more_pins_than_k_or_load_are_refused() -> None:
    with pytest.raises(AssignmentInfeasible, match=r"More judges are pinned than the entry needs: #1\."):
        solvers.solve(AssignmentProblem.build(fit=np.ones((1, 3)), k=1, load=1, pinned=[(0, 0), (0, 1)]))
    with pytest.raises(AssignmentInfeasible, match=r"load limit allows: #1\."):
        solvers.solve(AssignmentProblem.build(fit=np.ones((2, 2)), k=1, load=1, pinned=[(0, 0), (1, 0)]))


def test_fairness_lifts_the_worst_entry_on_a_structured_instance() -> None:
    # Topic experts are scarce for one topic: the best total starves a few of its entries; the fair solver
    # lifts them to (nearly) the max-min bound for a small cost in total fit.
    rng = np.random.default_rng(3)
    n_entries, n_judges = 120, 14
    topic = rng.integers(0, 4, size=n_entries)
    expert = np.arange(n_judges) % 4
    fit = 0.6 * (topic[:, None] == expert[None, :]) + 0.4 * rng.random((n_entries, n_judges))
    fit[topic == 0] *= 0.8
    allowed = rng.random((n_entries, n_judges)) >= 0.05
    problem = AssignmentProblem.build(fit=fit, allowed=allowed, k=3, load=28)
    best = solvers.solve(problem)
    outcome = solvers.solve_fair(problem, best=best)
    fair = outcome.solution
    assert solvers.constraint_violations(problem, fair.entry_index, fair.judge_index) == []
    assert fair.worst_entry_fit >= outcome.target
    assert fair.worst_entry_fit > best.worst_entry_fit
    assert fair.total_fit >= best.total_fit * (1 - 1e-4)
