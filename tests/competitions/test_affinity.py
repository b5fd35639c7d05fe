"""Expertise fit: jieba tokens, TF-IDF cosine of Chinese and English text, chip-category match and their blend."""

from pathlib import Path

import numpy as np
import pytest

from chiptown.competitions import affinity


def test_tokens_segment_chinese_and_lower_english() -> None:
    words = affinity.tokens("车规级MCU功能安全设计，符合ISO 26262。We design the power chips.")
    assert words == ["车规级", "mcu", "功能", "安全", "设计", "符合", "iso", "26262", "design", "power", "chips"]


def test_tokens_drop_stop_words_punctuation_and_single_letters() -> None:
    assert affinity.tokens("的 和 the a , 。 x 公司") == []
    assert affinity.tokens("") == []


def test_jieba_keeps_its_cache_where_the_app_says(tmp_path: Path) -> None:
    import jieba

    affinity.configure(tmp_path / "jieba")
    affinity.tokens("碳化硅")
    assert jieba.dt.tmp_dir == str(tmp_path / "jieba")
    assert (tmp_path / "jieba").is_dir()


def test_text_similarity_prefers_shared_chinese_terms() -> None:
    judges = ["碳化硅功率器件，车规级MOSFET", "激光雷达与毫米波雷达感知"]
    entries = ["我们的碳化硅MOSFET功率模块用于电动汽车主驱", "面向自动驾驶的激光雷达芯片"]
    similarity = affinity.text_similarity(entries, judges)
    assert similarity.shape == (2, 2)
    assert similarity[0, 0] > similarity[0, 1]
    assert similarity[1, 1] > similarity[1, 0]
    assert ((similarity >= 0) & (similarity <= 1)).all()


def test_identical_texts_are_fully_similar_and_disjoint_ones_not_at_all() -> None:
    similarity = affinity.text_similarity(["automotive radar chip", "battery management"], ["automotive radar chip"])
    assert similarity[0, 0] == pytest.approx(1.0)
    assert similarity[1, 0] == pytest.approx(0.0)


def test_empty_texts_give_zero_similarity() -> None:
    assert affinity.text_similarity(["", "。"], ["", "的"]).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert affinity.text_similarity([], ["power"]).shape == (0, 1)


def test_category_match_is_the_share_of_the_entry_s_weight_the_judge_covers() -> None:
    entries = [{"power": 2.0, "control": 1.0, "sensor": 1.0}, {}]
    judges = [{"power"}, {"control", "sensor"}, set()]
    match = affinity.category_match(entries, judges)
    assert np.allclose(match, [[0.5, 0.5, 0.0], [0.0, 0.0, 0.0]])


def test_expertise_fit_blends_category_and_text() -> None:
    fit = affinity.expertise_fit(
        entry_categories=[{"power": 1.0}],
        judge_categories=[{"power"}, set()],
        entry_texts=["silicon carbide power module"],
        judge_texts=["silicon carbide power module", "radar"],
        category_weight=0.5,
    )
    assert np.allclose(fit, [[1.0, 0.0]])
    with pytest.raises(ValueError):
        affinity.expertise_fit(
            entry_categories=[], judge_categories=[], entry_texts=[], judge_texts=[], category_weight=2
        )


def test_a_larger_matrix_is_computed_at_once() -> None:
    rng = np.random.default_rng(1)
    words = ["碳化硅", "功率", "MCU", "雷达", "电池管理", "域控制器", "存储", "以太网", "SoC", "传感器"]
    entries = ["".join(rng.choice(words, size=12)) for _ in range(200)]
    judges = ["".join(rng.choice(words, size=4)) for _ in range(30)]
    similarity = affinity.text_similarity(entries, judges)
    assert similarity.shape == (200, 30)
    assert np.isfinite(similarity).all()
