"""Expertise fit of judges to entries, as pure computation (no ORM): a structured match of chip categories plus
the text similarity of a judge's expertise and an entry's application (TF-IDF cosine over jieba tokens, so
Chinese and English text both count), vectorised with numpy and scipy sparse matrices."""

from __future__ import annotations

import logging
import math
import re
import tempfile
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

# Half and half: a judge who knows the entry's chip category and writes about the same things fits best.
CATEGORY_WEIGHT = 0.5

_WORD = re.compile(r"[0-9a-z\u3400-\u9fff]", re.IGNORECASE)
_ENGLISH_STOP_WORDS = "a an and are as at be by for from has have in is it its of on or our the their this to we with"
_CHINESE_STOP_WORDS = "的 了 和 与 及 或 在 是 等 对 为 以 于 中 并 其 我们 公司 产品 一个 以及 通过 进行"
_STOP_WORDS = frozenset(f"{_ENGLISH_STOP_WORDS} {_CHINESE_STOP_WORDS}".split())

_lock = threading.Lock()
_cache_dir: Path | None = None
_ready = False


def configure(cache_dir: str | Path) -> None:
    """Where jieba keeps its dictionary cache (built on first use, about 9 MB): a folder the app owns rather
    than the shared temporary directory."""
    global _cache_dir, _ready
    with _lock:
        _cache_dir = Path(cache_dir)
        _ready = False


def _jieba() -> object:
    import jieba

    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                folder = _cache_dir or Path(tempfile.gettempdir()) / "chiptown-jieba"
                folder.mkdir(parents=True, exist_ok=True)
                jieba.setLogLevel(logging.WARNING)
                jieba.dt.tmp_dir = str(folder)
                jieba.initialize()
                _ready = True
    return jieba


def tokens(text: str) -> list[str]:
    """Words of a text, Chinese segmented by jieba, English lower-cased; punctuation, one-letter words and
    stop words dropped."""
    jieba = _jieba()
    words = []
    for word in jieba.lcut(text or ""):  # type: ignore[attr-defined]
        word = word.strip().lower()
        if not word or word in _STOP_WORDS or not _WORD.search(word):
            continue
        if len(word) == 1 and word.isascii():
            continue
        words.append(word)
    return words


def text_similarity(entry_texts: Sequence[str], judge_texts: Sequence[str]) -> FloatArray:
    """Cosine similarity (entries x judges, in [0, 1]) of TF-IDF vectors (sublinear term frequency, smoothed
    idf) fitted on both sets of texts together."""
    from scipy import sparse

    documents = [tokens(t) for t in entry_texts] + [tokens(t) for t in judge_texts]
    vocabulary: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    counts: list[float] = []
    for row, words in enumerate(documents):
        seen: dict[int, int] = {}
        for word in words:
            column = vocabulary.setdefault(word, len(vocabulary))
            seen[column] = seen.get(column, 0) + 1
        rows.extend([row] * len(seen))
        cols.extend(seen)
        counts.extend(1.0 + math.log(c) for c in seen.values())
    n_entries, n_judges = len(entry_texts), len(judge_texts)
    if not vocabulary or not n_entries or not n_judges:
        return np.zeros((n_entries, n_judges))
    matrix = sparse.csr_matrix(
        (np.asarray(counts), (np.asarray(rows), np.asarray(cols))), shape=(len(documents), len(vocabulary))
    )
    document_frequency = np.bincount(np.asarray(cols), minlength=len(vocabulary))
    idf = np.log((1 + len(documents)) / (1 + document_frequency)) + 1.0
    matrix = matrix @ sparse.diags(idf)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix = sparse.diags(1.0 / norms) @ matrix
    matrix = sparse.csr_matrix(matrix)
    similarity = (matrix[:n_entries] @ matrix[n_entries:].T).toarray()
    return np.clip(similarity, 0.0, 1.0)


def category_match(
    entry_categories: Sequence[Mapping[str, float]], judge_categories: Sequence[set[str] | frozenset[str]]
) -> FloatArray:
    """Entries x judges, in [0, 1]: the share of an entry's chip-category weight that the judge's expertise
    covers (an entry's categories weighted, e.g. its product's category above its maker's other ones)."""
    codes: dict[str, int] = {}
    for weights in entry_categories:
        for code in weights:
            codes.setdefault(code, len(codes))
    for chosen in judge_categories:
        for code in chosen:
            codes.setdefault(code, len(codes))
    entries = np.zeros((len(entry_categories), len(codes)))
    for row, weights in enumerate(entry_categories):
        total = sum(w for w in weights.values() if w > 0)
        for code, weight in weights.items():
            if weight > 0 and total > 0:
                entries[row, codes[code]] = weight / total
    judges = np.zeros((len(judge_categories), len(codes)))
    for row, chosen in enumerate(judge_categories):
        judges[row, [codes[c] for c in chosen]] = 1.0
    return np.clip(entries @ judges.T, 0.0, 1.0)


def expertise_fit(
    *,
    entry_categories: Sequence[Mapping[str, float]],
    judge_categories: Sequence[set[str] | frozenset[str]],
    entry_texts: Sequence[str],
    judge_texts: Sequence[str],
    category_weight: float = CATEGORY_WEIGHT,
) -> FloatArray:
    """The fit of every judge to every entry (entries x judges, in [0, 1]): a weighted sum of the category
    match and the text similarity."""
    if not 0 <= category_weight <= 1:
        raise ValueError("category_weight must lie between 0 and 1")
    structured = category_match(entry_categories, judge_categories)
    text = text_similarity(entry_texts, judge_texts)
    return category_weight * structured + (1 - category_weight) * text
