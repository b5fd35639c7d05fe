"""Judge assignment as pure computation on arrays (no ORM): who reviews which entry, with the bounds that say how
good an assignment is.

The model is a min-cost flow (OR-Tools SimpleMinCostFlow, built from numpy arrays in one vectorised call):
source -> entry (capacity k), entry -> judge (capacity 1, cost = -fit) for allowed pairs only, judge -> sink
(capacity = load limit). Its constraint matrix is totally unimodular, so the best integral flow is also the LP
optimum: `total_fit_bound` checks that independently with a dual certificate. Pinned pairs (an operator's pins and
reviews already started) are taken out first: they use up part of the entry's k and the judge's load.

`maxmin_bound` is the best any assignment, even fractional, can do for the worst-served entry (an LP solved with
GLOP by column generation), and `solve_fair` looks for an assignment that stays within a hair of the best total
while lifting its worst entry to within a hair of that bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from ortools.graph.python import min_cost_flow

from chiptown.core.errors import ChipTownError
from chiptown.core.i18n import join_list

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
SolverProgress = Callable[[int, str], None]

# Fits are scaled to integers for the flow solver; a millionth keeps the rounding far below any figure reported.
SCALE = 1_000_000
NAMED_IN_MESSAGES = 10
# A solution whose total is this close (relatively) to the dual bound is optimal up to the integer rounding of fits.
CERTIFY_TOLERANCE = 2e-6


def _quiet(percent: int, message: str = "") -> None:
    """No progress reporting."""


class AssignmentInfeasible(ChipTownError):
    """No assignment satisfies every hard constraint; `entries` are the indices of the entries that cannot be
    served (when the problem lies with particular entries)."""

    def __init__(self, message: str, *, entries: Sequence[int] = ()) -> None:
        super().__init__(message, code="assignment_infeasible")
        self.entries = list(entries)


@dataclass(frozen=True)
class AssignmentProblem:
    """One category's assignment: entries are rows, judges columns.

    fit: expertise fit of each pair (higher is better); allowed: False for conflicts of interest and forbidden
    pairs; demand: judges each entry needs in all (k); capacity: most entries per judge; pinned: (entry, judge)
    index pairs that must be in the result (pins and pairs whose review has started). Labels name entries and
    judges in error messages.
    """

    fit: FloatArray
    allowed: BoolArray
    demand: IntArray
    capacity: IntArray
    pinned: IntArray = field(default_factory=lambda: np.zeros((0, 2), dtype=np.int64))
    entry_labels: Sequence[str] = ()
    judge_labels: Sequence[str] = ()

    @classmethod
    def build(
        cls,
        *,
        fit: Any,
        allowed: Any = None,
        k: int | Sequence[int] | IntArray,
        load: int | Sequence[int] | IntArray,
        pinned: Sequence[tuple[int, int]] | IntArray = (),
        entry_labels: Sequence[str] = (),
        judge_labels: Sequence[str] = (),
    ) -> AssignmentProblem:
        """Normalise scalars and lists to arrays and check the shapes."""
        fit_array = np.asarray(fit, dtype=np.float64)
        if fit_array.ndim != 2:
            raise ValueError("fit must be a matrix (entries x judges)")
        n_entries, n_judges = fit_array.shape
        allowed_array = (
            np.ones(fit_array.shape, dtype=np.bool_) if allowed is None else np.asarray(allowed, dtype=np.bool_)
        )
        if allowed_array.shape != fit_array.shape:
            raise ValueError("allowed must have the shape of fit")
        if not np.isfinite(fit_array[allowed_array]).all():
            raise ValueError("fit must be finite on allowed pairs")
        demand = np.broadcast_to(np.asarray(k, dtype=np.int64), (n_entries,)).copy()
        capacity = np.broadcast_to(np.asarray(load, dtype=np.int64), (n_judges,)).copy()
        if (demand < 0).any() or (capacity < 0).any():
            raise ValueError("k and load must not be negative")
        pins = np.asarray(pinned, dtype=np.int64).reshape(-1, 2)
        if len(pins):
            if (pins < 0).any() or (pins[:, 0] >= n_entries).any() or (pins[:, 1] >= n_judges).any():
                raise ValueError("pinned pair out of range")
            pins = np.unique(pins, axis=0)
        return cls(
            fit=fit_array,
            allowed=allowed_array,
            demand=demand,
            capacity=capacity,
            pinned=pins,
            entry_labels=entry_labels,
            judge_labels=judge_labels,
        )

    @property
    def n_entries(self) -> int:
        return int(self.fit.shape[0])

    @property
    def n_judges(self) -> int:
        return int(self.fit.shape[1])

    def entry_label(self, index: int) -> str:
        return self.entry_labels[index] if index < len(self.entry_labels) else f"#{index + 1}"

    def judge_label(self, index: int) -> str:
        return self.judge_labels[index] if index < len(self.judge_labels) else f"#{index + 1}"


@dataclass(frozen=True)
class AssignmentSolution:
    """Assigned pairs (pins included) as parallel index arrays, with each entry's fit (the sum over its judges)."""

    entry_index: IntArray
    judge_index: IntArray
    total_fit: float
    entry_fit: FloatArray
    seconds: float
    iterations: int = 1

    @property
    def worst_entry_fit(self) -> float:
        return float(self.entry_fit.min()) if len(self.entry_fit) else 0.0

    def judge_load(self, n_judges: int) -> IntArray:
        return np.bincount(self.judge_index, minlength=n_judges).astype(np.int64)


@dataclass(frozen=True)
class _Residual:
    """What is left to decide once the pins are placed."""

    demand: IntArray  # judges each entry still needs
    capacity: IntArray  # entries each judge can still take
    free: BoolArray  # allowed pairs that are not pinned
    pinned_fit: FloatArray  # per entry, the fit its pinned judges bring


def _names(labels: Sequence[str]) -> str:
    shown = join_list(labels[:NAMED_IN_MESSAGES])
    more = len(labels) - NAMED_IN_MESSAGES
    return shown + (_(" and %(n)d more") % {"n": more} if more > 0 else "")


def residual(problem: AssignmentProblem) -> _Residual:
    """Place the pins and check what can be checked without solving: every refusal names what is wrong."""
    pins = problem.pinned
    e, j = (pins[:, 0], pins[:, 1]) if len(pins) else (np.zeros(0, np.int64), np.zeros(0, np.int64))
    bad = ~problem.allowed[e, j]
    if bad.any():
        pairs = [
            _("%(judge)s / %(entry)s") % {"judge": problem.judge_label(int(b)), "entry": problem.entry_label(int(a))}
            for a, b in zip(e[bad], j[bad], strict=True)
        ]
        raise AssignmentInfeasible(
            _("A pinned pair is not allowed (a conflict of interest or a forbidden pair): %(pairs)s.")
            % {"pairs": _names(pairs)},
            entries=sorted({int(a) for a in e[bad]}),
        )
    pinned_per_entry = np.bincount(e, minlength=problem.n_entries)
    pinned_per_judge = np.bincount(j, minlength=problem.n_judges)
    too_many = np.flatnonzero(pinned_per_entry > problem.demand)
    if len(too_many):
        raise AssignmentInfeasible(
            _("More judges are pinned than the entry needs: %(entries)s.")
            % {"entries": _names([problem.entry_label(int(i)) for i in too_many])},
            entries=too_many.tolist(),
        )
    overloaded = np.flatnonzero(pinned_per_judge > problem.capacity)
    if len(overloaded):
        raise AssignmentInfeasible(
            _("More entries are pinned to a judge than their load limit allows: %(judges)s.")
            % {"judges": _names([problem.judge_label(int(i)) for i in overloaded])}
        )
    demand = problem.demand - pinned_per_entry
    capacity = problem.capacity - pinned_per_judge
    free = problem.allowed.copy()
    free[e, j] = False
    free[:, capacity == 0] = False
    free[demand == 0, :] = False
    pinned_fit = np.bincount(e, weights=problem.fit[e, j], minlength=problem.n_entries).astype(np.float64)

    short = np.flatnonzero(free.sum(axis=1) < demand)
    if len(short):
        raise AssignmentInfeasible(
            ngettext(
                "Too few judges without a conflict of interest (and with room left) for this entry: %(entries)s.",
                "Too few judges without a conflict of interest (and with room left) for these entries: %(entries)s.",
                len(short),
            )
            % {"entries": _names([problem.entry_label(int(i)) for i in short])},
            entries=short.tolist(),
        )
    needed, room = int(demand.sum()), int(np.minimum(capacity, free.sum(axis=0)).sum())
    if room < needed:
        raise AssignmentInfeasible(
            _(
                "The judges can take %(room)d more reviews in all, but the entries need %(needed)d: "
                "add judges or raise the load limit."
            )
            % {"room": room, "needed": needed}
        )
    return _Residual(demand=demand, capacity=capacity, free=free, pinned_fit=pinned_fit)


def _flow(
    problem: AssignmentProblem, rest: _Residual, weights: FloatArray | None = None, arcs: BoolArray | None = None
) -> tuple[IntArray, IntArray]:
    """The min-cost flow on the free pairs (or the `arcs` subset of them), maximising the sum of
    weight(entry) x fit. Returns the chosen (entry, judge) pairs, pins not included."""
    n_entries, n_judges = problem.n_entries, problem.n_judges
    usable = rest.free if arcs is None else (rest.free & arcs)
    flat = np.flatnonzero(usable)
    pair_entry = flat // n_judges
    pair_judge = flat - pair_entry * n_judges
    gain = problem.fit.ravel()[flat]
    if weights is not None:
        gain = gain * weights[pair_entry]
    gain_int = np.rint(gain * SCALE).astype(np.int64)
    # Costs kept non-negative: every unit of flow crosses exactly one entry -> judge arc, so an offset changes
    # nothing but keeps the solver on its best-tested path.
    cost = gain_int.max(initial=0) - gain_int

    source, sink = n_entries + n_judges, n_entries + n_judges + 1
    entries_open = np.flatnonzero(rest.demand > 0)
    judges_open = np.flatnonzero(rest.capacity > 0)
    tails = np.concatenate(
        [
            np.full(len(entries_open), source, dtype=np.int32),
            pair_entry.astype(np.int32),
            (n_entries + judges_open).astype(np.int32),
        ]
    )
    heads = np.concatenate(
        [
            entries_open.astype(np.int32),
            (n_entries + pair_judge).astype(np.int32),
            np.full(len(judges_open), sink, dtype=np.int32),
        ]
    )
    capacities = np.concatenate(
        [rest.demand[entries_open], np.ones(len(pair_entry), dtype=np.int64), rest.capacity[judges_open]]
    )
    costs = np.concatenate([np.zeros(len(entries_open), np.int64), cost, np.zeros(len(judges_open), np.int64)])

    network = min_cost_flow.SimpleMinCostFlow()
    network.add_arcs_with_capacity_and_unit_cost(tails, heads, capacities, costs)
    needed = int(rest.demand.sum())
    network.set_node_supply(source, needed)
    network.set_node_supply(sink, -needed)
    status = network.solve_max_flow_with_min_cost()
    if status != network.OPTIMAL:
        raise AssignmentInfeasible(_("The assignment solver failed (status %(status)s).") % {"status": status})
    first = len(entries_open)
    flows = np.asarray(network.flows(np.arange(first, first + len(pair_entry), dtype=np.int32)))
    chosen = flows > 0
    if int(network.maximum_flow()) < needed:
        served = np.bincount(pair_entry[chosen], minlength=n_entries)
        short = np.flatnonzero(served < rest.demand)
        raise AssignmentInfeasible(
            _(
                "No assignment gives every entry its judges within the load limits; these entries cannot get "
                "all of theirs: %(entries)s."
            )
            % {"entries": _names([problem.entry_label(int(i)) for i in short])},
            entries=short.tolist(),
        )
    return pair_entry[chosen].astype(np.int64), pair_judge[chosen].astype(np.int64)


def _solution(
    problem: AssignmentProblem, entries: IntArray, judges: IntArray, started: float, iterations: int = 1
) -> AssignmentSolution:
    pins = problem.pinned
    entry_index = np.concatenate([pins[:, 0], entries]).astype(np.int64)
    judge_index = np.concatenate([pins[:, 1], judges]).astype(np.int64)
    order = np.lexsort((judge_index, entry_index))
    entry_index, judge_index = entry_index[order], judge_index[order]
    fits = problem.fit[entry_index, judge_index]
    entry_fit = np.bincount(entry_index, weights=fits, minlength=problem.n_entries).astype(np.float64)
    return AssignmentSolution(
        entry_index=entry_index,
        judge_index=judge_index,
        total_fit=float(fits.sum()),
        entry_fit=entry_fit,
        seconds=time.perf_counter() - started,
        iterations=iterations,
    )


def solve(problem: AssignmentProblem, *, prune: int | None = 40) -> AssignmentSolution:
    """The assignment with the highest total fit (min-cost flow), pins included.

    With `prune`, the flow first runs on each entry's `prune` best judges only (a network a tenth the size),
    and its answer is kept only when the dual certificate over every allowed pair (`total_fit_bound`) proves
    it optimal for the whole problem; otherwise, or when the pruned network cannot serve every entry, the full
    network is solved."""
    started = time.perf_counter()
    rest = residual(problem)
    if prune and problem.n_judges > 2 * prune:
        arcs = _best_columns(problem, rest, prune)
        try:
            entries, judges = _flow(problem, rest, arcs=arcs)
        except AssignmentInfeasible:
            pass
        else:
            solution = _solution(problem, entries, judges, started)
            bound = total_fit_bound(problem, solution, rest=rest)
            if solution.total_fit >= bound - CERTIFY_TOLERANCE * max(1.0, abs(bound)):
                return _solution(problem, entries, judges, started)
    entries, judges = _flow(problem, rest)
    return _solution(problem, entries, judges, started)


def constraint_violations(problem: AssignmentProblem, entry_index: IntArray, judge_index: IntArray) -> list[str]:
    """Every hard constraint the pairs break (empty when the assignment is valid): used by the service as a last
    check before writing, and by the tests."""
    problems: list[str] = []
    entry_index = np.asarray(entry_index, dtype=np.int64)
    judge_index = np.asarray(judge_index, dtype=np.int64)
    pairs = entry_index * max(problem.n_judges, 1) + judge_index
    if len(np.unique(pairs)) != len(pairs):
        problems.append("a pair is assigned twice")
    per_entry = np.bincount(entry_index, minlength=problem.n_entries)
    for i in np.flatnonzero(per_entry != problem.demand):
        problems.append(f"entry {problem.entry_label(int(i))} has {per_entry[i]} judges, needs {problem.demand[i]}")
    per_judge = np.bincount(judge_index, minlength=problem.n_judges)
    for i in np.flatnonzero(per_judge > problem.capacity):
        problems.append(f"judge {problem.judge_label(int(i))} has {per_judge[i]} entries, limit {problem.capacity[i]}")
    for a, b in zip(
        entry_index[~problem.allowed[entry_index, judge_index]],
        judge_index[~problem.allowed[entry_index, judge_index]],
        strict=True,
    ):
        problems.append(f"judge {problem.judge_label(int(b))} is not allowed for entry {problem.entry_label(int(a))}")
    given = set(pairs.tolist())
    for a, b in problem.pinned:
        if int(a) * max(problem.n_judges, 1) + int(b) not in given:
            problems.append(f"pin {problem.judge_label(int(b))} / {problem.entry_label(int(a))} not honoured")
    return problems


# --- bounds -------------------------------------------------------------------------------------------------------


def _top_sums(values: FloatArray, counts: IntArray) -> FloatArray:
    """Per row, the sum of its `counts[row]` largest values (rows have at least that many finite values)."""
    most = int(counts.max(initial=0))
    if most == 0:
        return np.zeros(values.shape[0])
    most = min(most, values.shape[1])
    top = -np.partition(-values, most - 1, axis=1)[:, :most]
    top = -np.sort(-top, axis=1)
    take = np.arange(most)[None, :] < counts[:, None]
    return np.where(take, top, 0.0).sum(axis=1)


def topk_bound(problem: AssignmentProblem) -> float:
    """The total fit if every entry got its k best allowed judges, ignoring load limits: a simple upper bound."""
    rest = residual(problem)
    values = np.where(rest.free, problem.fit, -np.inf)
    return float(rest.pinned_fit.sum() + _top_sums(values, rest.demand).sum())


def _judge_prices(problem: AssignmentProblem, rest: _Residual, solution: AssignmentSolution) -> FloatArray:
    """Prices on the judges' load limits that make `solution` optimal for the Lagrangian relaxation, found from
    complementary slackness: v = 0 for judges with room left, and each entry's judges are its best by fit - v.
    That is a system of difference constraints v_a - v_b <= fit[e, a] - fit[e, b], solved by Bellman-Ford on
    the judges (in the solver's integer units, so an optimal flow gives no negative cycle). Returns zeros when
    the system has no solution (then the bound is simply looser)."""
    n_judges = problem.n_judges
    taken = np.zeros(problem.fit.shape, dtype=np.bool_)
    taken[solution.entry_index, solution.judge_index] = True
    taken[problem.pinned[:, 0], problem.pinned[:, 1]] = False
    pair_entry, pair_judge = np.nonzero(taken)
    if len(pair_entry) == 0:
        return np.zeros(n_judges)
    fit_int = np.rint(problem.fit * SCALE).astype(np.int64)
    big = np.iinfo(np.int64).max // 4
    # weight[a, b]: the tightest fit[e, a] - fit[e, b] over entries e that have a and could have had b instead.
    weight = np.full((n_judges, n_judges), big, dtype=np.int64)
    order = np.argsort(pair_judge, kind="stable")
    pair_entry, pair_judge = pair_entry[order], pair_judge[order]
    starts = np.flatnonzero(np.r_[True, pair_judge[1:] != pair_judge[:-1]])
    chunk = max(1, 2_000_000 // max(n_judges, 1))
    for begin in range(0, len(starts), chunk):
        group_starts = starts[begin : begin + chunk]
        stop = starts[begin + chunk] if begin + chunk < len(starts) else len(pair_entry)
        rows = slice(int(group_starts[0]), int(stop))
        e, a = pair_entry[rows], pair_judge[rows]
        diff = fit_int[e, a][:, None] - fit_int[e, :]
        alternative = rest.free[e, :] & ~taken[e, :]
        diff = np.where(alternative, diff, big)
        weight[a[group_starts - group_starts[0]]] = np.minimum.reduceat(diff, group_starts - group_starts[0], axis=0)
    # Nodes: judges 0..n-1 and the root n (v_root = 0). Edge b -> a with weight[a, b]: v_a <= v_b + weight[a, b];
    # every j -> root with 0 (v_j >= 0); root -> j with 0 for judges with room left (v_j <= 0).
    n = n_judges + 1
    graph = np.full((n, n), big, dtype=np.int64)
    graph[:n_judges, :n_judges] = weight.T  # graph[b, a]
    np.fill_diagonal(graph, big)
    graph[:n_judges, n_judges] = 0
    load = np.bincount(pair_judge, minlength=n_judges)
    open_judges = np.flatnonzero(load < rest.capacity)
    graph[n_judges, open_judges] = 0
    distance = np.zeros(n, dtype=np.int64)  # a virtual source with 0-edges to every node
    for _round in range(n + 1):
        relaxed = np.minimum(distance, (distance[:, None] + np.minimum(graph, big)).min(axis=0))
        relaxed = np.minimum(relaxed, big)
        if np.array_equal(relaxed, distance):
            prices = (distance[:n_judges] - distance[n_judges]).astype(np.float64) / SCALE
            return np.maximum(prices, 0.0)
        distance = relaxed
    return np.zeros(n_judges)


def total_fit_bound(
    problem: AssignmentProblem, solution: AssignmentSolution | None = None, *, rest: _Residual | None = None
) -> float:
    """An upper bound on the total fit of any assignment, fractional ones included (the LP relaxation).

    Lagrangian dual of the load limits: for any prices v >= 0 on judges,
    sum_j load_j v_j + sum_e (the k best of fit[e, j] - v_j) bounds every assignment. With prices from an optimal
    solution's complementary slackness it equals the LP optimum; with v = 0 it is `topk_bound`. The bound is
    valid whatever the prices, so it checks the flow solver's optimality independently."""
    rest = rest or residual(problem)
    prices = np.zeros(problem.n_judges) if solution is None else _judge_prices(problem, rest, solution)
    values = np.where(rest.free, problem.fit - prices[None, :], -np.inf)
    return float(rest.pinned_fit.sum() + (rest.capacity * prices).sum() + _top_sums(values, rest.demand).sum())


# --- LPs solved by column generation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _LPResult:
    value: float
    columns: BoolArray  # the pairs the final restricted LP held
    x: FloatArray  # its solution on those pairs, as an entries x judges matrix
    fit_duals: FloatArray  # per entry, the dual of its fit row (>= 0: how much one more unit of floor costs)
    rounds: int


def _column_generation(
    problem: AssignmentProblem,
    rest: _Residual,
    columns: BoolArray,
    *,
    floor: float | None,
    tolerance: float = 1e-9,
    per_round: int = 4,
    max_rounds: int = 60,
) -> _LPResult:
    """Solve one of two LPs over the allowed pairs with GLOP, starting from `columns` and pricing every free pair
    (vectorised) each round until none has a positive reduced cost:

    floor=None: maximise t s.t. fit_e >= t for every entry (the max-min LP);
    floor=tau:  maximise the total fit s.t. fit_e >= tau for every entry;
    both with k judges per entry, load limits and 0 <= x <= 1."""
    from ortools.linear_solver.python import model_builder_helper as mbh
    from scipy import sparse

    n_entries, n_judges = problem.n_entries, problem.n_judges
    fit = problem.fit
    columns = columns & rest.free
    maxmin = floor is None
    rounds = 0
    while True:
        rounds += 1
        col_entry, col_judge = np.nonzero(columns)
        n_cols = len(col_entry)
        col = np.arange(n_cols)
        col_fit = fit[col_entry, col_judge]
        rows = [col_entry, n_entries + col_entry, 2 * n_entries + col_judge]
        cols = [col, col, col]
        data = [col_fit, np.ones(n_cols), np.ones(n_cols)]
        if maxmin:  # the variable t, last column: fit_e - t >= -pinned_e
            rows.append(np.arange(n_entries))
            cols.append(np.full(n_entries, n_cols))
            data.append(-np.ones(n_entries))
        n_vars = n_cols + (1 if maxmin else 0)
        matrix = sparse.csr_matrix(
            (np.concatenate(data), (np.concatenate(rows), np.concatenate(cols))),
            shape=(2 * n_entries + n_judges, n_vars),
        )
        fit_floor = -rest.pinned_fit if maxmin else float(floor or 0.0) - rest.pinned_fit
        lower = np.concatenate([fit_floor, rest.demand.astype(np.float64), np.full(n_judges, -np.inf)])
        upper = np.concatenate(
            [np.full(n_entries, np.inf), rest.demand.astype(np.float64), rest.capacity.astype(np.float64)]
        )
        if maxmin:
            var_lower, var_upper = np.r_[np.zeros(n_cols), -np.inf], np.r_[np.ones(n_cols), np.inf]
            objective = np.r_[np.zeros(n_cols), 1.0]
        else:
            var_lower, var_upper, objective = np.zeros(n_cols), np.ones(n_cols), col_fit.copy()
        model = mbh.ModelBuilderHelper()
        fill: Any = model.fill_model_from_sparse_data  # its stubs' array types are narrower than numpy's
        fill(var_lower, var_upper, objective, lower, upper, matrix)
        model.set_maximize(True)
        lp = mbh.ModelSolverHelper("glop")
        lp.solve(model)
        if lp.status() != mbh.SolveStatus.OPTIMAL:
            raise AssignmentInfeasible(
                _("The fairness linear programme has no optimum (%(status)s).") % {"status": lp.status_string()}
            )
        value = float(lp.objective_value()) + (0.0 if maxmin else float(rest.pinned_fit.sum()))
        duals = np.asarray(lp.dual_values())
        fit_dual, count_dual, load_dual = duals[:n_entries], duals[n_entries : 2 * n_entries], duals[2 * n_entries :]
        # Reduced cost c - A'y of x[e, j]: its objective coefficient minus what its three rows price it at.
        reduced = (0.0 if maxmin else fit) - (fit * fit_dual[:, None] + count_dual[:, None] + load_dual[None, :])
        reduced = np.where(rest.free & ~columns, reduced, -np.inf)
        threshold = tolerance * max(1.0, abs(value))
        entering = reduced > threshold
        if not entering.any() or rounds >= max_rounds:
            break
        # The best few per entry: adding every positive column at once bloats the LP without helping much.
        take = min(per_round, n_judges)
        best = np.argpartition(-reduced, take - 1, axis=1)[:, :take]
        rows_index = np.repeat(np.arange(n_entries), take)
        chosen = np.zeros(columns.shape, dtype=np.bool_)
        chosen[rows_index, best.ravel()] = True
        columns = columns | (chosen & entering)
    x = np.zeros(fit.shape)
    x[col_entry, col_judge] = np.asarray(lp.variable_values())[:n_cols]
    return _LPResult(value=value, columns=columns, x=x, fit_duals=np.maximum(-fit_dual, 0.0), rounds=rounds)


def _best_columns(problem: AssignmentProblem, rest: _Residual, per_entry: int) -> BoolArray:
    """Each entry's `per_entry` best free judges by fit."""
    columns = np.zeros(problem.fit.shape, dtype=np.bool_)
    per_entry = min(per_entry, problem.n_judges)
    if per_entry <= 0:
        return columns
    values = np.where(rest.free, problem.fit, -np.inf)
    best = np.argpartition(-values, per_entry - 1, axis=1)[:, :per_entry]
    columns[np.repeat(np.arange(problem.n_entries), per_entry), best.ravel()] = True
    return columns & rest.free


@dataclass(frozen=True)
class MaxMinBound:
    """The max-min LP optimum: no assignment, even fractional, gives every entry more fit than `value`."""

    value: float
    seconds: float
    rounds: int
    columns: int
    lp_columns: BoolArray | None = None


def maxmin_bound(
    problem: AssignmentProblem, *, start: AssignmentSolution | None = None, initial_per_entry: int = 6
) -> MaxMinBound:
    """maximise t subject to: each entry's fit >= t, k judges per entry, load limits, 0 <= x <= 1 (allowed
    pairs only); pins count as fixed.

    GLOP by column generation: the LP starts from each entry's best few judges (plus the pairs of a known
    assignment, so it is feasible at once) and every round prices all allowed pairs at once with the duals,
    adding those with a positive reduced cost, until none is left: then the restricted LP's optimum is the full
    LP's."""
    started = time.perf_counter()
    rest = residual(problem)
    columns = _best_columns(problem, rest, max(initial_per_entry, int(rest.demand.max(initial=0))))
    if start is not None:
        columns[start.entry_index, start.judge_index] = True
    result = _column_generation(problem, rest, columns, floor=None)
    return MaxMinBound(
        value=result.value,
        seconds=time.perf_counter() - started,
        rounds=result.rounds,
        columns=int(result.columns.sum()),
        lp_columns=result.columns,
    )


def total_with_floor_bound(problem: AssignmentProblem, *, floor: float, columns: BoolArray | None = None) -> float:
    """The best total fit any assignment, even fractional, reaches while every entry keeps a fit of at least
    `floor` (an LP): how much total fit a fairness floor must cost at the least."""
    rest = residual(problem)
    start = _best_columns(problem, rest, 6) if columns is None else columns
    return _column_generation(problem, rest, start, floor=floor).value


# --- fairness -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FairOutcome:
    """The fair assignment and what it was measured against."""

    solution: AssignmentSolution
    best: AssignmentSolution
    bound: MaxMinBound
    target: float  # the worst-entry fit aimed at: t* (1 - worst_slack)
    floor_total_bound: float  # no assignment, even fractional, with every entry at `target` has a higher total
    seconds: float
    rounds: int  # min-cost flows solved


def solve_fair(
    problem: AssignmentProblem,
    *,
    best: AssignmentSolution | None = None,
    bound: MaxMinBound | None = None,
    worst_slack: float = 0.001,
    total_slack: float = 0.0001,
    subgradient_rounds: int = 100,
    repair_rounds: int = 40,
    restarts: Sequence[int] = (1, 20, 50, 100),
    time_limit: float = 20.0,
    progress: SolverProgress = _quiet,
) -> FairOutcome:
    """An assignment whose total fit stays within `total_slack` of the best and whose worst-served entry is as
    high as that allows, aiming at the max-min bound t* less `worst_slack`.

    "The best total with every entry at tau or more" is an LP whose Lagrangian (the per-entry floors relaxed with
    weights w_e >= 0) is a min-cost flow again, with entry e's fit counted (1 + w_e) times. First, at
    tau = t* (1 - worst_slack): projected subgradient steps on w (Polyak steps), one flow each; only the entries
    that fall short ever get a weight. Those flows hover around the LP's optimum without quite meeting every
    floor, so at a few of them a repair raises the weights of the entries still short until none is. If no
    assignment found meets tau within the total's slack (when tau costs more total fit than allowed, as the
    Lagrangian bound may show), tau is lowered by bisection, repairing at each step. Every flow is a valid
    assignment; the answer is the one within the total's slack with the highest worst entry (the highest total
    among those meeting tau). Flows run on the pairs the best assignment and the max-min LP use plus each
    entry's best judges, which keeps each one short; the final Lagrangian value is taken on all pairs, so it
    bounds the total any assignment meeting tau can have."""
    started = time.perf_counter()
    deadline = started + time_limit
    rest = residual(problem)
    progress(2, _("Best total"))
    best = best or solve(problem)
    progress(10, _("Fairness bound"))
    bound = bound or maxmin_bound(problem, start=best)
    target = bound.value * (1 - worst_slack)
    floor_total = best.total_fit * (1 - total_slack)

    arcs = _best_columns(problem, rest, max(12, 4 * int(rest.demand.max(initial=0))))
    if bound.lp_columns is not None:
        arcs |= bound.lp_columns
    arcs[best.entry_index, best.judge_index] = True
    flows = 0

    def flow(weights: FloatArray, *, every_pair: bool = False) -> AssignmentSolution:
        nonlocal flows
        flows += 1
        entries, judges = _flow(problem, rest, weights=1 + weights, arcs=None if every_pair else arcs)
        return _solution(problem, entries, judges, started, iterations=flows)

    def fairer(candidate: AssignmentSolution, current: AssignmentSolution, aim: float) -> bool:
        return _fairness_key(candidate, aim, floor_total) > _fairness_key(current, aim, floor_total)

    def done(solution: AssignmentSolution, aim: float) -> bool:
        return solution.worst_entry_fit >= aim and solution.total_fit >= floor_total

    def repair(weights: FloatArray, aim: float) -> AssignmentSolution:
        """Raise the weights of the entries under `aim` until none is, the total falls out of its slack, or
        the rounds run out; the fairest flow seen."""
        weights = weights.copy()
        fairest: AssignmentSolution | None = None
        previous: IntArray | None = None
        push = 1.0
        for _round in range(repair_rounds):
            candidate = flow(weights)
            if fairest is None or fairer(candidate, fairest, aim):
                fairest = candidate
            short = np.flatnonzero(candidate.entry_fit < aim)
            if len(short) == 0 or candidate.total_fit < floor_total or time.perf_counter() > deadline:
                break
            # Stuck on the same entries: push harder each time, or a tie on the LP's face never breaks.
            push = push * 2 if previous is not None and np.array_equal(previous, short) else 1.0
            previous = short
            gap = (aim - candidate.entry_fit[short]) / max(aim, 1e-12)
            weights[short] = weights[short] * (1 + 4 * gap) + push * np.maximum(gap, 0.01)
        assert fairest is not None
        return fairest

    # 1. Subgradient steps at the target, with repairs.
    chosen = best
    weights = np.zeros(problem.n_entries)
    best_weights, dual_value = weights.copy(), np.inf
    step_scale, stalled = 1.0, 0
    candidate = best
    for step_number in range(1, subgradient_rounds + 1):
        if step_number > 1:
            candidate = flow(weights)
        if fairer(candidate, chosen, target):
            chosen = candidate
        lagrangian = float(((1 + weights) * candidate.entry_fit).sum() - target * weights.sum())
        if lagrangian < dual_value - 1e-9:
            dual_value, best_weights, stalled = lagrangian, weights.copy(), 0
        else:
            stalled += 1
            if stalled >= 5:
                step_scale, stalled = step_scale / 2, 0
        if step_number in restarts or step_number == subgradient_rounds:
            fixed = repair(best_weights, target)
            if fairer(fixed, chosen, target):
                chosen = fixed
        progress(
            10 + int(70 * max(step_number / subgradient_rounds, (time.perf_counter() - started) / time_limit)),
            _("Fairness round %(n)d") % {"n": step_number},
        )
        gap = target - candidate.entry_fit
        gap[(weights <= 0) & (gap < 0)] = 0.0  # a weight at zero stays there while its entry is above the floor
        norm = float((gap**2).sum())
        if norm == 0.0 or done(chosen, target) or time.perf_counter() > deadline - time_limit / 2:
            break
        step = step_scale * max(lagrangian - floor_total, 1e-6 * abs(lagrangian)) / norm
        weights = np.maximum(weights + step * gap, 0.0)

    # 2. The target cost more total fit than allowed: lower it by bisection between what was reached and it.
    low, high = chosen.worst_entry_fit, target
    while not done(chosen, target) and time.perf_counter() < deadline and high - low > 1e-4 * abs(bound.value):
        middle = (low + high) / 2
        progress(85, _("Fairness: aiming at %(aim).4f") % {"aim": middle})
        fixed = repair(best_weights * 0, middle)
        if done(fixed, middle):
            low = fixed.worst_entry_fit
            if fairer(fixed, chosen, target):
                chosen = fixed
        else:
            high = middle

    progress(95, _("Fairness bound on the total"))
    on_every_pair = flow(best_weights, every_pair=True)
    floor_total_bound = float(((1 + best_weights) * on_every_pair.entry_fit).sum() - target * best_weights.sum())
    if fairer(on_every_pair, chosen, target):
        chosen = on_every_pair
    solution = AssignmentSolution(
        entry_index=chosen.entry_index,
        judge_index=chosen.judge_index,
        total_fit=chosen.total_fit,
        entry_fit=chosen.entry_fit,
        seconds=time.perf_counter() - started,
        iterations=chosen.iterations,
    )
    return FairOutcome(
        solution=solution,
        best=best,
        bound=bound,
        target=target,
        floor_total_bound=floor_total_bound,
        seconds=time.perf_counter() - started,
        rounds=flows,
    )


def _fairness_key(solution: AssignmentSolution, target: float, floor_total: float) -> tuple[bool, bool, float]:
    """How good an answer to the fairness question a solution is: keeping the total within its slack comes
    first, then meeting the target; among those meeting both the higher total wins, otherwise the higher worst
    entry."""
    keeps_total = solution.total_fit >= floor_total
    meets_target = solution.worst_entry_fit >= target
    return keeps_total, meets_target, solution.total_fit if meets_target and keeps_total else solution.worst_entry_fit
