"""Ranking quality on generated data with a known true quality: Kendall's tau against the truth for raw means,
the leniency-only correction and the calibrated model, in the same run; the bootstrap's time for 1,000 resamples
and how often its intervals hold the truth.

The data: 5,000 entries, 500 judges, 3 judges per entry, every judge 30 entries (a random assignment with no
judge twice on an entry: judges' effects are only identifiable through the entries they share, and such a
design is connected). True quality ~ N(0, 1). Judges differ in leniency (offset ~ N(0, 0.8) points), in spread
(scale log-normal around 1.1 points per SD of quality: some use a narrow band) and in reliability (noise SD
log-normal around 0.7 points); 4% are near-random (scale 0.05, noise 2.5). Each judge scores the three rubric
criteria (weights 0.4/0.3/0.3, 0-10 in steps of 0.5, so rounded and clipped at the ends) and the weighted score
is what the ranking sees, as in the application.

Also reported: the tau of the same linear estimate made with the judges' true parameters (an oracle reference:
how far the fitted model is from knowing the judges; rounding and clipping keep even it below 1),
the overlap of each method's top 50 with the true top 50 (the Top 50 award), the calibrated model's gain over
the leniency-only one across five seeds (its worst case), the weight the model gives near-random judges, the
share of entries flagged (disagreement; rank interval across the 50th place) and the share of the true top 50
that the calibrated ranking leaves out without flagging them at the cut-off.

BENCH_RANKING_SCALE (default 1.0) shrinks the entries and judges, for a quick run while developing.
"""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np
from scipy.stats import kendalltau

NAME = "ranking_quality"

FRACTION = float(os.environ.get("BENCH_RANKING_SCALE", "1.0"))
ENTRIES = max(round(5_000 * FRACTION), 60)
JUDGES = max(round(500 * FRACTION), 6)
PER_ENTRY = 3
RESAMPLES = 1_000
SEED = 2024
GAIN_SEEDS = (1, 2, 3, 4, 5)
WEIGHTS = np.array([0.4, 0.3, 0.3])
TOP = 50


def assignment(rng: np.random.Generator, n_entries: int, n_judges: int, per_entry: int) -> np.ndarray:
    """(entries x per_entry) judge indices: every judge the same load (give or take one), no judge twice on an
    entry (a random deal of judge slots, repaired by swaps)."""
    slots = np.resize(np.arange(n_judges), n_entries * per_entry)
    rng.shuffle(slots)
    judges = slots.reshape(n_entries, per_entry)
    for _ in range(1000):
        ordered = np.sort(judges, axis=1)
        clashing = np.flatnonzero(np.any(ordered[:, 1:] == ordered[:, :-1], axis=1))
        if clashing.size == 0:
            return judges
        for row in clashing:
            other, column, other_column = rng.integers(n_entries), rng.integers(per_entry), rng.integers(per_entry)
            judges[row, column], judges[other, other_column] = judges[other, other_column], judges[row, column]
    raise RuntimeError("could not deal judges without repeats")


def generate(seed: int, n_entries: int = ENTRIES, n_judges: int = JUDGES) -> dict[str, Any]:
    from chiptown.competitions.ranking import ReviewScores

    rng = np.random.default_rng(seed)
    judges = assignment(rng, n_entries, n_judges, PER_ENTRY)
    truth = rng.normal(size=n_entries)
    offset = rng.normal(0.0, 0.8, n_judges)
    scale = np.exp(rng.normal(np.log(1.1), 0.45, n_judges))
    noise = np.exp(rng.normal(np.log(0.7), 0.5, n_judges))
    near_random = rng.random(n_judges) < 0.04
    scale[near_random], noise[near_random] = 0.05, 2.5
    entry = np.repeat(np.arange(n_entries), PER_ENTRY)
    judge = judges.ravel()
    centre = 6.0 + offset[judge] + scale[judge] * truth[entry]
    criteria = centre[:, None] + noise[judge][:, None] * rng.normal(size=(entry.size, WEIGHTS.size))
    criteria = np.clip(np.round(criteria * 2) / 2, 0.0, 10.0)
    score = criteria @ WEIGHTS / WEIGHTS.sum()
    return {
        "scores": ReviewScores.from_arrays(entry, judge, score, n_entries=n_entries, n_judges=n_judges),
        "truth": truth,
        "offset": offset,
        "scale": scale,
        "noise": noise,
        "near_random": near_random,
    }


def oracle_quality(data: dict[str, Any]) -> np.ndarray:
    """The posterior mean of each entry's quality given the judges' true offsets, scales and noise."""
    scores = data["scores"]
    judge, entry = scores.judge, scores.entry
    noise_sd = data["noise"][judge] * np.sqrt(np.sum(WEIGHTS**2)) / WEIGHTS.sum()
    weight = data["scale"][judge] / noise_sd**2
    numerator = np.bincount(entry, weights=weight * (scores.score - 6.0 - data["offset"][judge]))
    information = np.bincount(entry, weights=weight * data["scale"][judge])
    return numerator / (information + 1.0)


def tau(estimate: np.ndarray, truth: np.ndarray) -> float:
    return float(kendalltau(estimate, truth).statistic)


def top_overlap(estimate: np.ndarray, truth: np.ndarray, top: int) -> float:
    return len(set(np.argsort(-estimate)[:top]) & set(np.argsort(-truth)[:top])) / top


def run() -> dict[str, Any]:
    from chiptown.competitions import ranking

    data = generate(SEED)
    scores, truth = data["scores"], data["truth"]
    raw = ranking.raw_means(scores)
    started = time.perf_counter()
    leniency = ranking.fit_leniency(scores)
    leniency_seconds = time.perf_counter() - started
    started = time.perf_counter()
    fit = ranking.fit_calibrated(scores)
    fit_seconds = time.perf_counter() - started
    started = time.perf_counter()
    boot = ranking.bootstrap(scores, fit, resamples=RESAMPLES, seed=SEED)
    bootstrap_seconds = time.perf_counter() - started

    # Coverage: the model's qualities are identified up to an affine map, so the truth is first put on the
    # estimate's scale (least squares of the estimate on the truth: unbiased, as the noise is in the estimate).
    slope, intercept = np.polyfit(truth, fit.quality, 1)
    target = intercept + slope * truth
    coverage = float(np.mean((boot.quality_low <= target) & (target <= boot.quality_high)))
    true_rank = ranking.ranks_of(truth)
    rank_coverage = float(np.mean((boot.rank_low <= true_rank) & (true_rank <= boot.rank_high)))
    information = fit.scale**2 / fit.variance
    near_random = data["near_random"]
    # Flags: how many entries go to discussion, and whether a true top-50 entry can be missed without a flag.
    disagreeing = ranking.disagreement(scores, fit).p_value < 0.01
    point_rank = ranking.ranks_of(fit.quality)
    near_cutoff = ranking.straddles_cutoff(
        np.minimum(boot.rank_low, point_rank), np.maximum(boot.rank_high, point_rank), TOP
    )
    true_top = true_rank <= TOP
    missed_silently = true_top & (point_rank > TOP) & ~near_cutoff

    gains = []
    for seed in GAIN_SEEDS:
        other = generate(seed)
        gains.append(
            tau(ranking.fit_calibrated(other["scores"]).quality, other["truth"])
            - tau(ranking.fit_leniency(other["scores"]).score, other["truth"])
        )

    return {
        "scale": {
            "entries": scores.n_entries,
            "judges": scores.n_judges,
            "judges_per_entry": PER_ENTRY,
            "reviews": int(scores.score.size),
            "near_random_judges": int(near_random.sum()),
            "resamples": RESAMPLES,
            "bootstrap_sweeps": 16,
            "gain_seeds": len(GAIN_SEEDS),
        },
        "figures": {
            "kendall_tau_raw_ratio": round(tau(raw, truth), 4),
            "kendall_tau_leniency_ratio": round(tau(leniency.score, truth), 4),
            "kendall_tau_calibrated_ratio": round(tau(fit.quality, truth), 4),
            "kendall_tau_oracle_ratio": round(tau(oracle_quality(data), truth), 4),
            "kendall_tau_calibrated_gain_min_ratio": round(min(gains), 4),
            "top50_overlap_raw_ratio": round(top_overlap(raw, truth, TOP), 4),
            "top50_overlap_leniency_ratio": round(top_overlap(leniency.score, truth, TOP), 4),
            "top50_overlap_calibrated_ratio": round(top_overlap(fit.quality, truth, TOP), 4),
            "near_random_judge_weight_ratio": round(
                float(np.mean(information[near_random]) / np.mean(information[~near_random])), 4
            ),
            "fit_seconds": round(fit_seconds, 3),
            "leniency_fit_seconds": round(leniency_seconds, 3),
            "bootstrap_seconds": round(bootstrap_seconds, 2),
            "ci_coverage_ratio": round(coverage, 4),
            "rank_ci_coverage_ratio": round(rank_coverage, 4),
            "ci_mean_width_ratio": round(float(np.mean(boot.quality_high - boot.quality_low)), 4),
            "disagreement_flagged_ratio": round(float(np.mean(disagreeing)), 4),
            "cutoff_flagged_ratio": round(float(np.mean(near_cutoff)), 4),
            "top50_missed_unflagged_ratio": round(float(missed_silently.sum() / TOP), 4),
        },
    }
