"""The assignment of judges to a category's entries.

A run loads what the solver needs (the panel's active judges, the eligible entries, conflicts of interest derived
from the registry, the operators' pins and forbids, the assignments already made), computes every judge's
expertise fit to every entry, solves (solvers.py), then writes the new Assignment rows in one transaction, keeps
the run with its inputs and figures, audits it and tells the newly assigned judges.

Re-runs never disturb a review: an assignment whose review exists (draft or submitted) is pinned as it is. By
default every other current assignment is kept too and the run only fills the gaps (after a judge dropped out,
say); `reoptimise=True` lets the solver re-decide the assignments whose review has not started.
"""

from __future__ import annotations

import hashlib
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from chiptown.competitions import affinity, conflicts, solvers
from chiptown.competitions.models import (
    Assignment,
    AssignmentRun,
    Category,
    Entry,
    EntryStatus,
    Judge,
    PairRule,
    ReviewStatus,
)
from chiptown.core.addresses import absolute_url
from chiptown.core.errors import ChipTownError, Conflict
from chiptown.core.models import Job
from chiptown.core.notifications import notify
from chiptown.core.rules import require
from chiptown.core.services import Progress, audit_record, job_create, no_progress
from chiptown.registry.models import Product

T = TypeVar("T")
CHUNK = 5000  # ids per IN (...) list: far below every database's limit on query parameters
PRODUCT_WEIGHT = 2.0  # the entry's own product counts twice as much as its maker's other chip categories


def _chunks(values: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _require(by: Any, category: Category) -> None:
    require(by, "competitions.run_assignment", category, _("Only operators may run the assignment."))


@dataclass
class AssignmentInputs:
    """Everything a run decides from, loaded from the database; indices follow `entries` and `judges`."""

    category: Category
    entries: list[Entry]
    judges: list[Judge]
    problem: solvers.AssignmentProblem
    kept: dict[tuple[int, int], int]  # (entry_id, judge_id) -> assignment id, pinned as they are
    released: dict[tuple[int, int], int]  # assignments without a review the run may drop (or keep if re-chosen)
    void: list[int]  # assignments with a review that no longer count: the judge now conflicts or is forbidden
    pins: list[tuple[int, int]]  # the operators' pins used (entry_id, judge_id)
    pins_ignored: list[tuple[int, int]]  # pins whose judge dropped out or whose entry is not eligible
    counted_elsewhere: list[tuple[int, int]]  # submitted reviews of judges no longer on the panel, still counted
    forbids: list[tuple[int, int]]
    conflicts: int
    existing: frozenset[int]  # every assignment id of the category when loaded: checked again before writing
    seconds: dict[str, float] = field(default_factory=dict)

    def fit_digest(self) -> str:
        digest = hashlib.sha256()
        digest.update(np.asarray([e.pk for e in self.entries], dtype=np.int64).tobytes())
        digest.update(np.asarray([j.pk for j in self.judges], dtype=np.int64).tobytes())
        digest.update(np.round(self.problem.fit, 9).tobytes())
        return digest.hexdigest()


def entry_text(entry: Entry) -> str:
    """What an entry says about itself, for text similarity: title, the application's answers, the product."""
    parts: list[str] = [entry.title]
    for value in (entry.answers or {}).values():
        if isinstance(value, str | int | float):
            parts.append(str(value))
    if entry.product_id and entry.product is not None:
        parts += [entry.product.name_zh, entry.product.name_en]
    return "\n".join(p for p in parts if p)


def judge_text(judge: Judge) -> str:
    """What a judge knows, for text similarity: their own words plus the names of their chip categories."""
    parts = [judge.expertise_text]
    for category in judge.expertise_categories.all():
        parts += [category.name_zh, category.name_en, category.examples]
    return "\n".join(p for p in parts if p)


def _entry_categories(entries: list[Entry], organisations_of: dict[int, set[int]]) -> list[dict[str, float]]:
    """Per entry, its chip categories with weights: its product's category, and the categories its
    organisations make products in (by their share of those organisations' products)."""
    organisation_ids = sorted({o for orgs in organisations_of.values() for o in orgs})
    made: dict[int, Counter[str]] = defaultdict(Counter)
    for chunk in _chunks(organisation_ids):
        rows = (
            Product.objects.filter(organisation_id__in=chunk)
            .values_list("organisation_id", "category_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for organisation_id, category_id, n in rows:
            made[organisation_id][category_id] += n
    found: list[dict[str, float]] = []
    for entry in entries:
        weights: dict[str, float] = defaultdict(float)
        if entry.product_id and entry.product is not None:
            weights[entry.product.category_id] += PRODUCT_WEIGHT
        for organisation_id in organisations_of.get(entry.pk, ()):
            counts = made.get(organisation_id)
            if counts:
                total = sum(counts.values())
                for code, n in counts.items():
                    weights[code] += n / total
        found.append(dict(weights))
    return found


def _label(entry: Entry) -> str:
    name = entry.title or (entry.organisation.display_name if entry.organisation_id and entry.organisation else "")
    return f"#{entry.pk} {name}".strip()


def assignment_inputs(*, category: Category, reoptimise: bool = False) -> AssignmentInputs:
    """Load a category's assignment problem from the database: a fixed number of queries (judges, their
    categories, entries, current assignments, other categories' loads, pair rules, seven for conflicts, one
    for the organisations' products)."""
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    judges_query = Judge.objects.filter(panels__category=category, active=True)
    entries_query = Entry.objects.filter(category=category, status=EntryStatus.ELIGIBLE)
    judges = list(judges_query.select_related("person", "user").prefetch_related("expertise_categories").order_by("pk"))
    entries = list(entries_query.select_related("organisation", "product", "person").order_by("pk"))
    if not entries:
        raise ChipTownError(_("This category has no eligible entries to assign."), code="nothing_to_assign")
    if not judges:
        raise ChipTownError(_("This category's panel has no active judges."), code="no_judges")
    entry_at = {e.pk: i for i, e in enumerate(entries)}
    judge_at = {j.pk: i for i, j in enumerate(judges)}
    n_entries, n_judges = len(entries), len(judges)

    rows = list(
        Assignment.objects.filter(entry__category=category).values_list(
            "pk", "entry_id", "judge_id", "review__id", "review__status"
        )
    )
    rules = list(PairRule.objects.filter(entry__category=category).values_list("entry_id", "judge_id", "kind"))
    seconds["load"] = time.perf_counter() - started

    started = time.perf_counter()
    ties = conflicts.judge_ties(judges_query)
    organisations_of = conflicts.entry_organisations(entries_query)
    conflict_pairs = conflicts.pairs_between(ties, organisations_of)
    allowed = np.ones((n_entries, n_judges), dtype=np.bool_)
    in_scope = [(entry_at[e], judge_at[j]) for e, j in conflict_pairs if e in entry_at and j in judge_at]
    if in_scope:
        index = np.asarray(in_scope, dtype=np.int64)
        allowed[index[:, 0], index[:, 1]] = False
    seconds["conflicts"] = time.perf_counter() - started

    forbids = [(e, j) for e, j, kind in rules if kind == PairRule.Kind.FORBID]
    for entry_id, judge_id in forbids:
        if entry_id in entry_at and judge_id in judge_at:
            allowed[entry_at[entry_id], judge_at[judge_id]] = False

    kept: dict[tuple[int, int], int] = {}
    released: dict[tuple[int, int], int] = {}
    void: list[int] = []
    outside: list[tuple[int, int]] = []  # submitted reviews by judges who left the panel or dropped out
    for pk, entry_id, judge_id, review_id, review_status in rows:
        if entry_id in entry_at and judge_id not in judge_at and review_status == ReviewStatus.SUBMITTED:
            outside.append((entry_id, judge_id))
        if entry_id not in entry_at or judge_id not in judge_at:
            continue  # not this run's business: an entry no longer eligible, a judge off the panel
        ok = bool(allowed[entry_at[entry_id], judge_at[judge_id]])
        if review_id is not None and ok:
            kept[(entry_id, judge_id)] = pk
        elif review_id is not None:
            void.append(pk)
        elif ok and not reoptimise:
            kept[(entry_id, judge_id)] = pk
        else:
            released[(entry_id, judge_id)] = pk
    pins: list[tuple[int, int]] = []
    pins_ignored: list[tuple[int, int]] = []
    for entry_id, judge_id, kind in rules:
        if kind != PairRule.Kind.PIN:
            continue
        (pins if entry_id in entry_at and judge_id in judge_at else pins_ignored).append((entry_id, judge_id))

    # A submitted review stays and counts, even when its judge has dropped out since (unless the judge turned out
    # to conflict with the entry): the entry needs that many fewer new judges.
    if outside:
        judge_objects = {j.pk: j for j in Judge.objects.filter(pk__in={j for _e, j in outside})}
        entry_objects = {e.pk: e for e in entries}
        void_outside = conflicts.conflicting_pairs(
            pairs=[(judge_objects[j], entry_objects[e]) for e, j in outside if j in judge_objects]
        )
        outside = [(e, j) for e, j in outside if (j, e) not in void_outside]
    counted_elsewhere = Counter(e for e, _j in outside)
    k = category.judges_per_entry
    kept_per_entry = Counter(e for e, _j in kept)
    kept_per_judge = Counter(j for _e, j in kept)
    demand = np.asarray([max(k - counted_elsewhere[e.pk], kept_per_entry[e.pk], 0) for e in entries], dtype=np.int64)
    other_load: dict[int, int] = {}
    limited = [j.pk for j in judges if j.max_load is not None]
    if limited:
        other_load = dict(
            Assignment.objects.filter(judge_id__in=limited, entry__category__edition_id=category.edition_id)
            .exclude(entry__category=category)
            .values("judge_id")
            .annotate(n=Count("pk"))
            .values_list("judge_id", "n")
        )
    capacity = np.asarray(
        [
            max(
                min(category.max_judge_load, (j.max_load - other_load.get(j.pk, 0)) if j.max_load else 10**6),
                kept_per_judge[j.pk],
                0,
            )
            for j in judges
        ],
        dtype=np.int64,
    )
    pinned = sorted({(entry_at[e], judge_at[j]) for e, j in list(kept) + pins})

    started = time.perf_counter()
    fit = affinity.expertise_fit(
        entry_categories=_entry_categories(entries, organisations_of),
        judge_categories=[frozenset(c.pk for c in j.expertise_categories.all()) for j in judges],
        entry_texts=[entry_text(e) for e in entries],
        judge_texts=[judge_text(j) for j in judges],
    )
    seconds["affinity"] = time.perf_counter() - started
    problem = solvers.AssignmentProblem.build(
        fit=fit,
        allowed=allowed,
        k=demand,
        load=capacity,
        pinned=pinned,
        entry_labels=[_label(e) for e in entries],
        judge_labels=[str(j) for j in judges],
    )
    return AssignmentInputs(
        category=category,
        entries=entries,
        judges=judges,
        problem=problem,
        kept=kept,
        released=released,
        void=void,
        pins=pins,
        pins_ignored=pins_ignored,
        counted_elsewhere=outside,
        forbids=forbids,
        conflicts=len(in_scope),
        existing=frozenset(pk for pk, *_rest in rows),
        seconds=seconds,
    )


def _configure_affinity() -> None:
    affinity.configure(settings.VAR_DIR / "cache" / "jieba")


def _figures(
    problem: solvers.AssignmentProblem,
    chosen: solvers.AssignmentSolution,
    best: solvers.AssignmentSolution,
    total_bound: float,
    maxmin: solvers.MaxMinBound,
    fair: solvers.FairOutcome | None,
) -> dict[str, Any]:
    def ratio(a: float, b: float) -> float | None:
        return round(a / b, 6) if b else None

    load = chosen.judge_load(problem.n_judges)
    figures: dict[str, Any] = {
        "total_fit": round(chosen.total_fit, 6),
        "total_fit_bound": round(total_bound, 6),
        "total_fit_to_bound_ratio": ratio(chosen.total_fit, total_bound),
        "worst_entry_fit": round(chosen.worst_entry_fit, 6),
        "maxmin_bound": round(maxmin.value, 6),
        "worst_entry_to_maxmin_bound_ratio": ratio(chosen.worst_entry_fit, maxmin.value),
        "mean_fit_per_review": round(chosen.total_fit / max(len(chosen.entry_index), 1), 6),
        "judges_used": int((load > 0).sum()),
        "max_load": int(load.max(initial=0)),
    }
    if fair is not None:
        figures.update(
            {
                "best_total_fit": round(best.total_fit, 6),
                "fair_total_to_best_ratio": ratio(chosen.total_fit, best.total_fit),
                "best_worst_entry_fit": round(best.worst_entry_fit, 6),
                "fair_target": round(fair.target, 6),
                "fair_total_bound": round(fair.floor_total_bound, 6),
                "fair_flows": fair.rounds,
            }
        )
    return figures


def assignment_run(
    *,
    category: Category,
    by: Any,
    fair: bool = False,
    reoptimise: bool = False,
    progress: Progress = no_progress,
    job: Job | None = None,
) -> AssignmentRun:
    """Assign the category's eligible entries to its panel's active judges and keep the run.

    Refused with a ChipTownError naming the entries when no assignment meets every hard constraint (k judges
    per entry, load limits, no conflicted or forbidden pair, pins honoured); nothing is written then."""
    _require(by, category)
    _configure_affinity()
    progress(2, _("Loading judges, entries and conflicts"))
    inputs = assignment_inputs(category=category, reoptimise=reoptimise)
    problem = inputs.problem
    progress(30, _("Solving"))
    started = time.perf_counter()
    best = solvers.solve(problem)
    solve_seconds = time.perf_counter() - started
    progress(40, _("Bounds"))
    started = time.perf_counter()
    total_bound = solvers.total_fit_bound(problem, best)
    maxmin = solvers.maxmin_bound(problem, start=best)
    bound_seconds = time.perf_counter() - started
    outcome: solvers.FairOutcome | None = None
    chosen = best
    if fair:

        def fair_progress(percent: int, message: str = "") -> None:
            progress(45 + percent * 45 // 100, message)

        outcome = solvers.solve_fair(problem, best=best, bound=maxmin, progress=fair_progress)
        chosen = outcome.solution
        solve_seconds += outcome.seconds
    violations = solvers.constraint_violations(problem, chosen.entry_index, chosen.judge_index)
    if violations:  # never expected: the solver's answer is checked before anything is written
        raise ChipTownError(
            _("The solver's answer breaks a rule: %(problems)s") % {"problems": "; ".join(violations[:5])},
            code="solver_error",
        )
    figures = _figures(problem, chosen, best, total_bound, maxmin, outcome)
    figures["seconds"] = {
        **{k: round(v, 3) for k, v in inputs.seconds.items()},
        "solve": round(solve_seconds, 3),
        "bounds": round(bound_seconds, 3),
    }

    progress(92, _("Writing the assignment"))
    entry_ids = np.asarray([e.pk for e in inputs.entries], dtype=np.int64)
    judge_ids = np.asarray([j.pk for j in inputs.judges], dtype=np.int64)
    chosen_pairs = list(
        zip(entry_ids[chosen.entry_index].tolist(), judge_ids[chosen.judge_index].tolist(), strict=True)
    )
    fit_of = dict(zip(chosen_pairs, problem.fit[chosen.entry_index, chosen.judge_index].tolist(), strict=True))
    chosen_set = set(chosen_pairs)
    new_pairs = [p for p in chosen_pairs if p not in inputs.kept and p not in inputs.released]
    dropped = [pk for pair, pk in inputs.released.items() if pair not in chosen_set]
    started = time.perf_counter()
    with transaction.atomic():
        Category.objects.select_for_update().filter(pk=category.pk).first()  # one run of a category at a time
        current = frozenset(Assignment.objects.filter(entry__category=category).values_list("pk", flat=True))
        if current != inputs.existing:
            raise Conflict(
                _("The assignments changed while the solver ran (another run, a review or a drop-out): run again."),
                code="assignments_changed",
            )
        removed = 0
        for chunk in _chunks(dropped):
            _total, per_model = Assignment.objects.filter(pk__in=chunk, review__isnull=True).delete()
            removed += int(per_model.get(Assignment._meta.label, 0))
        if removed != len(dropped):
            raise Conflict(
                _("A review was started on an assignment this run would have removed: run again."),
                code="assignments_changed",
            )
        run = AssignmentRun.objects.create(
            category=category,
            created_by=by if getattr(by, "is_authenticated", False) else None,
            inputs={
                "k": category.judges_per_entry,
                "load": category.max_judge_load,
                "fair": fair,
                "reoptimise": reoptimise,
                "entries": entry_ids.tolist(),
                "judges": judge_ids.tolist(),
                "demand": problem.demand.tolist(),
                "capacity": problem.capacity.tolist(),
                "pins": [list(p) for p in inputs.pins],
                "pins_ignored": [list(p) for p in inputs.pins_ignored],
                "forbids": [list(p) for p in inputs.forbids],
                "kept": [list(p) for p in sorted(inputs.kept)],
                "void": sorted(inputs.void),
                "counted_elsewhere": [list(p) for p in inputs.counted_elsewhere],
                "conflicts": inputs.conflicts,
                "affinity": {"category_weight": affinity.CATEGORY_WEIGHT, "product_weight": PRODUCT_WEIGHT},
                "fit_sha256": inputs.fit_digest(),
            },
            objective=chosen.total_fit,
            bound=total_bound,
            worst_entry_fit=chosen.worst_entry_fit,
            solve_seconds=solve_seconds,
            job=job,
            figures=figures,
        )
        Assignment.objects.bulk_create(
            [Assignment(entry_id=e, judge_id=j, run=run, fit=fit_of[(e, j)]) for e, j in new_pairs], batch_size=2000
        )
        figures.update(
            {
                "assignments_new": len(new_pairs),
                "assignments_removed": removed,
                "assignments_kept": len(inputs.kept) + len(inputs.released) - removed,
            }
        )
        figures["seconds"]["write"] = round(time.perf_counter() - started, 3)
        run.figures = figures
        run.save(update_fields=["figures"])
        audit_record(
            actor=by,
            action="assignment.run",
            target=run,
            after={
                "fair": fair,
                "reoptimise": reoptimise,
                "entries": len(inputs.entries),
                "judges": len(inputs.judges),
                **{k: v for k, v in figures.items() if k != "seconds"},
            },
        )
    progress(96, _("Notifying judges"))
    _notify_judges(category=category, judges=inputs.judges, new_pairs=new_pairs)
    return run


def _notify_judges(*, category: Category, judges: Iterable[Judge], new_pairs: list[tuple[int, int]]) -> int:
    """One email per judge with new entries to review, in the judge's language."""
    per_judge = Counter(j for _e, j in new_pairs)
    if not per_judge:
        return 0
    judge_url = absolute_url(reverse("competitions:judge_edition", args=[category.edition.year]))
    sent = 0
    for judge in judges:
        count = per_judge.get(judge.pk, 0)
        if count:
            sent += notify(
                users=[judge.user],
                subject=gettext_noop("Entries assigned to you for judging"),
                template="competitions/email/assignment.txt",
                context={"category": category, "edition": category.edition, "count": count, "judge_url": judge_url},
            )
    return sent


def assignment_run_submit(*, category: Category, by: Any, fair: bool = False, reoptimise: bool = False) -> Job:
    """Queue a run as a background job (its progress is on the job; the run points back at it)."""
    from django.utils import translation

    from chiptown.competitions.tasks import run_assignment

    _require(by, category)
    title = _("Assignment of %(category)s") % {"category": category.display_name}
    job = job_create(kind="competitions.assignment", title=title, by=by)
    run_assignment.enqueue(
        job_id=str(job.pk),
        category_id=category.pk,
        user_id=by.pk,
        fair=fair,
        reoptimise=reoptimise,
        language=translation.get_language() or "",
    )
    return job
