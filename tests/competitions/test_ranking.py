"""The ranking model on small hand-made data: judges' offsets, scales and noise are recovered, the bootstrap
intervals hold the estimate, the flags fire where they should, and a judge's constant shift changes nothing."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import kendalltau

from chiptown.competitions import ranking
from chiptown.competitions.ranking import CalibrationPrior, ReviewScores


def crossed(
    quality: np.ndarray,
    offsets: list[float],
    scales: list[float],
    noise: list[float],
    *,
    seed: int = 7,
    centre: float = 6.0,
) -> ReviewScores:
    """Every judge scores every entry: score = centre + offset + scale * quality + N(0, noise²)."""
    rng = np.random.default_rng(seed)
    n_entries, n_judges = quality.size, len(offsets)
    entry = np.repeat(np.arange(n_entries), n_judges)
    judge = np.tile(np.arange(n_judges), n_entries)
    score = (
        centre
        + np.asarray(offsets)[judge]
        + np.asarray(scales)[judge] * quality[entry]
        + np.asarray(noise)[judge] * rng.normal(size=entry.size)
    )
    return ReviewScores.from_arrays(entry, judge, score, n_entries=n_entries, n_judges=n_judges)


def standard_quality(n: int, seed: int = 3) -> np.ndarray:
    values = np.random.default_rng(seed).normal(size=n)
    return (values - values.mean()) / values.std()


def simulated(
    n_entries: int, n_judges: int, per_entry: int, seed: int
) -> tuple[ReviewScores, np.ndarray, dict[str, np.ndarray]]:
    """A cyclic design (entry e goes to judges e, e+step, ...: connected) with judges of varied leniency, spread
    and reliability, two of them near-random."""
    rng = np.random.default_rng(seed)
    truth = rng.normal(size=n_entries)
    step = max(n_judges // per_entry, 1)
    judges = (np.arange(n_entries)[:, None] + step * np.arange(per_entry)[None, :] + rng.integers(n_judges)) % n_judges
    entry = np.repeat(np.arange(n_entries), per_entry)
    judge = judges.ravel()
    offset = rng.normal(0, 1.0, n_judges)
    scale = np.exp(rng.normal(0, 0.5, n_judges))
    noise = np.exp(rng.normal(np.log(0.4), 0.5, n_judges))
    scale[:2], noise[:2] = 0.05, 2.5
    score = 6 + offset[judge] + scale[judge] * truth[entry] + noise[judge] * rng.normal(size=entry.size)
    return (
        ReviewScores.from_arrays(entry, judge, score, n_entries=n_entries, n_judges=n_judges),
        truth,
        {"offset": offset, "scale": scale, "noise": noise},
    )


# --- Inputs ---------------------------------------------------------------------------------------------------------


def test_review_scores_refuse_mismatched_or_empty_arrays() -> None:
    with pytest.raises(ValueError, match="same length"):
        ReviewScores.from_arrays([0, 1], [0], [1.0, 2.0])
    with pytest.raises(ValueError, match="no scores"):
        ReviewScores.from_arrays([], [], [])
    with pytest.raises(ValueError, match="finite"):
        ReviewScores.from_arrays([0], [0], [float("nan")])


def test_an_entry_without_scores_is_refused_by_the_fits() -> None:
    scores = ReviewScores.from_arrays([0, 0], [0, 1], [5.0, 6.0], n_entries=2, n_judges=2)
    with pytest.raises(ValueError, match="at least one score"):
        ranking.fit_calibrated(scores)
    assert np.isnan(ranking.raw_means(scores)[1])


def test_raw_means_are_each_entrys_mean_score() -> None:
    scores = ReviewScores.from_arrays([0, 0, 1, 1, 1], [0, 1, 0, 1, 2], [4.0, 6.0, 7.0, 8.0, 9.0])
    assert ranking.raw_means(scores).tolist() == [5.0, 8.0]


# --- Recovery of how each judge scores ------------------------------------------------------------------------------


def test_a_lenient_judges_offset_is_recovered_by_both_corrections() -> None:
    quality = standard_quality(40)
    offsets = [2.0, 0.0, 0.0, 0.0, 0.0]
    scores = crossed(quality, offsets, scales=[1.0] * 5, noise=[0.1] * 5)

    leniency = ranking.fit_leniency(scores)
    calibrated = ranking.fit_calibrated(scores)

    assert leniency.converged and calibrated.converged
    assert leniency.offset[0] - leniency.offset[1:].mean() == pytest.approx(2.0, abs=0.05)
    assert calibrated.judge_offset_points == pytest.approx(6.0 + np.asarray(offsets), abs=0.1)
    # Raw means are all shifted by the same lenient judge here (everyone scored everything): ranks unaffected.
    assert kendalltau(calibrated.quality, quality).statistic > 0.95


def test_a_narrow_spread_judges_scale_is_recovered() -> None:
    quality = standard_quality(40)
    scales = [1.5, 1.5, 1.5, 0.4, 1.5]
    scores = crossed(quality, offsets=[0.0] * 5, scales=scales, noise=[0.1] * 5)

    fit = ranking.fit_calibrated(scores)

    assert fit.judge_scale_points == pytest.approx(scales, abs=0.1)
    assert int(np.argmin(fit.judge_scale_points)) == 3


def test_a_noisy_judge_gets_a_large_variance_and_a_near_random_one_carries_no_weight() -> None:
    quality = standard_quality(60)
    noise = [0.2, 0.2, 1.5, 0.2, 0.2, 3.0]
    scales = [1.0, 1.0, 1.0, 1.0, 1.0, 0.0]  # judge 5 ignores the entries altogether
    scores = crossed(quality, offsets=[0.0] * 6, scales=scales, noise=noise)

    fit = ranking.fit_calibrated(scores)

    sd = fit.judge_sd_points
    assert sd[2] > 4 * max(sd[0], sd[1], sd[3], sd[4])
    assert sd[[0, 1, 3, 4]] == pytest.approx(0.2, abs=0.08)
    information = fit.scale**2 / fit.variance  # what a judge's score says about an entry
    assert information[5] < 0.01 * information[0]
    assert information[2] < 0.1 * information[0]


def test_calibration_beats_the_leniency_correction_which_beats_raw_means() -> None:
    scores, truth, _ = simulated(n_entries=400, n_judges=40, per_entry=3, seed=11)

    tau_raw = kendalltau(ranking.raw_means(scores), truth).statistic
    tau_leniency = kendalltau(ranking.fit_leniency(scores).score, truth).statistic
    tau_calibrated = kendalltau(ranking.fit_calibrated(scores).quality, truth).statistic

    assert tau_raw < tau_leniency < tau_calibrated
    assert tau_calibrated - tau_leniency > 0.03


# --- Bootstrap ----------------------------------------------------------------------------------------------------


def test_the_bootstrap_intervals_hold_the_point_estimates() -> None:
    scores, _, _ = simulated(n_entries=120, n_judges=20, per_entry=3, seed=5)
    fit = ranking.fit_calibrated(scores)
    rank = ranking.ranks_of(fit.quality)

    boot = ranking.bootstrap(scores, fit, resamples=300, seed=1)

    assert boot.resamples == 300
    assert np.all(boot.quality_low <= fit.quality) and np.all(fit.quality <= boot.quality_high)
    assert np.all(boot.score_low <= fit.calibrated) and np.all(fit.calibrated <= boot.score_high)
    assert np.all(boot.rank_low <= rank) and np.all(rank <= boot.rank_high)
    assert np.all(boot.rank_low >= 1) and np.all(boot.rank_high <= 120)
    # Intervals are not degenerate: noisy scores leave real doubt.
    assert np.mean(boot.quality_high - boot.quality_low) > 0.2


def test_a_small_category_still_gets_intervals_of_real_width() -> None:
    # Six entries, most with one or two reviews (a category early in judging): the model fits these scores almost
    # exactly, so resampled residuals would say "no doubt at all"; the intervals must still show the judges' noise.
    scores = ReviewScores.from_arrays(
        entry=[0, 0, 1, 1, 2, 3, 4, 5, 5],
        judge=[0, 1, 1, 2, 0, 2, 1, 0, 2],
        score=[7.0, 6.5, 5.5, 6.0, 2.0, 5.5, 4.0, 4.5, 3.5],
    )
    fit = ranking.fit_calibrated(scores)

    boot = ranking.bootstrap(scores, fit, resamples=300, seed=1)

    assert np.all(boot.quality_high - boot.quality_low > 0.1)
    assert np.all(boot.rank_high >= boot.rank_low)
    assert np.any(boot.rank_high > boot.rank_low)


def test_the_bootstrap_is_reproducible_for_a_seed() -> None:
    scores, _, _ = simulated(n_entries=60, n_judges=12, per_entry=3, seed=2)
    fit = ranking.fit_calibrated(scores)

    first = ranking.bootstrap(scores, fit, resamples=50, seed=4)
    second = ranking.bootstrap(scores, fit, resamples=50, seed=4)

    assert np.array_equal(first.quality_low, second.quality_low)
    assert np.array_equal(first.rank_high, second.rank_high)


def test_ranks_of_ranks_highest_first_per_column() -> None:
    assert ranking.ranks_of(np.array([0.5, 2.0, -1.0])).tolist() == [2, 1, 3]
    matrix = np.array([[0.5, 3.0], [2.0, 1.0], [-1.0, 2.0]])
    assert ranking.ranks_of(matrix).tolist() == [[2, 1], [1, 3], [3, 2]]


# --- Flags --------------------------------------------------------------------------------------------------------


def test_disagreement_flags_the_entry_whose_reliable_judges_contradict_each_other() -> None:
    quality = standard_quality(30)
    scores = crossed(quality, offsets=[0.0] * 4, scales=[1.0] * 4, noise=[0.15] * 4)
    planted = 12  # judges 0 and 1 love it, judges 2 and 3 hate it
    score = scores.score.copy()
    rows = np.flatnonzero(scores.entry == planted)
    score[rows[:2]] += 2.5
    score[rows[2:]] -= 2.5
    contradicted = ReviewScores(scores.entry, scores.judge, score, scores.n_entries, scores.n_judges)

    result = ranking.rank_entries(contradicted, cutoff=5, resamples=200)

    assert np.flatnonzero(result.flag_disagreement).tolist() == [planted]
    assert result.flags(planted)[0] == ranking.FLAG_DISAGREEMENT
    assert result.disagreement[planted] > 20 * np.median(result.disagreement)


def test_a_near_random_judge_is_not_a_disagreement() -> None:
    quality = standard_quality(40)
    scores = crossed(quality, offsets=[0.0] * 4, scales=[1.0, 1.0, 1.0, 0.0], noise=[0.15, 0.15, 0.15, 3.0])

    found = ranking.disagreement(scores, ranking.fit_calibrated(scores))

    assert np.sum(found.p_value < 0.01) <= 1


def test_the_cutoff_flag_marks_the_entries_whose_rank_interval_crosses_it() -> None:
    # Twenty entries far apart, except the 5th and 6th best, which are all but tied; five winners.
    quality = np.linspace(3.0, -3.0, 20)
    quality[5] = quality[4] - 0.001
    quality = (quality - quality.mean()) / quality.std()
    scores = crossed(quality, offsets=[0.0, 0.5, -0.5], scales=[1.0, 1.2, 0.8], noise=[0.05] * 3)

    result = ranking.rank_entries(scores, cutoff=5, resamples=300)

    assert result.rank.tolist() == list(range(1, 21))
    assert np.flatnonzero(result.flag_cutoff).tolist() == [4, 5]
    assert (result.rank_low[4], result.rank_high[4]) == (5, 6)
    assert result.flags(5) == [ranking.FLAG_CUTOFF]


def test_straddles_cutoff_on_plain_intervals() -> None:
    low = np.array([1, 4, 5, 6, 50])
    high = np.array([3, 5, 6, 9, 51])
    assert ranking.straddles_cutoff(low, high, 5).tolist() == [False, False, True, False, False]
    assert ranking.straddles_cutoff(low, high, 50).tolist() == [False, False, False, False, True]
    assert not ranking.straddles_cutoff(low, high, 0).any()


# --- Invariants ---------------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    # At least ten reviews per judge: with fewer, a judge's offset, scale and variance are not identified and the
    # alternating fit may stop at another optimum, where the invariance need not hold.
    n_entries=st.integers(30, 60),
    n_judges=st.integers(3, 9),
    shifted_judge=st.integers(0, 8),
    shift=st.floats(-5.0, 5.0, allow_nan=False).filter(lambda value: abs(value) > 1e-3),
)
def test_a_constant_added_to_one_judges_scores_changes_no_calibrated_quality(
    seed: int, n_entries: int, n_judges: int, shifted_judge: int, shift: float
) -> None:
    scores, _, _ = simulated(n_entries=n_entries, n_judges=n_judges, per_entry=3, seed=seed)
    judge = shifted_judge % n_judges
    moved = ReviewScores(
        scores.entry, scores.judge, scores.score + shift * (scores.judge == judge), n_entries, n_judges
    )

    before = ranking.fit_calibrated(scores, tol=1e-11, max_iter=5000)
    after = ranking.fit_calibrated(moved, tol=1e-11, max_iter=5000)

    assert after.quality == pytest.approx(before.quality, abs=1e-6)
    assert np.array_equal(ranking.ranks_of(np.round(after.quality, 6)), ranking.ranks_of(np.round(before.quality, 6)))
    assert after.judge_offset_points[judge] - before.judge_offset_points[judge] == pytest.approx(shift, abs=1e-5)
    leniency_before = ranking.fit_leniency(scores).score
    leniency_after = ranking.fit_leniency(moved).score
    assert leniency_after - leniency_before == pytest.approx(
        np.full(n_entries, (leniency_after - leniency_before).mean()), abs=1e-6
    )


@settings(max_examples=20, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    factor=st.floats(0.1, 10.0, allow_nan=False),
    shift=st.floats(-10.0, 10.0, allow_nan=False),
)
def test_the_calibrated_quality_does_not_depend_on_the_score_scale(seed: int, factor: float, shift: float) -> None:
    scores, _, _ = simulated(n_entries=30, n_judges=6, per_entry=3, seed=seed)
    rescaled = ReviewScores(scores.entry, scores.judge, scores.score * factor + shift, 30, 6)

    before = ranking.fit_calibrated(scores, tol=1e-11, max_iter=5000)
    after = ranking.fit_calibrated(rescaled, tol=1e-11, max_iter=5000)

    assert after.quality == pytest.approx(before.quality, abs=1e-6)
    assert after.calibrated == pytest.approx(before.calibrated * factor + shift, rel=1e-6, abs=1e-5)


def test_a_custom_prior_is_kept_with_the_fit() -> None:
    scores, _, _ = simulated(n_entries=30, n_judges=6, per_entry=3, seed=1)
    prior = CalibrationPrior(scale_spread=0.3, prior_dof=2.0, quality_prior=0.5)
    assert ranking.fit_calibrated(scores, prior=prior).prior == prior
