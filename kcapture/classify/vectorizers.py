"""TF-IDF of character n-grams (computed with NumPy over a whole batch at once) and of word n-grams.

scikit-learn's char analyzer builds every n-gram as a Python string, which caps prediction at a few thousand
sentences per second. Here each n-gram is a polynomial hash of code points, computed for all positions of all
sentences in one vectorised pass; a lookup table maps hash buckets to the columns kept at fit time. Collisions in
2^22 buckets are rare for the ~10^5 n-grams a corpus has, and are harmless to a linear model.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from kcapture.textstats import smoothed_idf

BUCKET_BITS = 22
_MULT = np.int64(1_000_003)


def _hashes(texts: list[str], ngram_range: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(row index, bucket) for every character n-gram of every text."""
    lengths = np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts))
    if lengths.sum() == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    joined = "".join(texts)
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    ends = starts + lengths
    row_of = np.repeat(np.arange(len(texts)), lengths)
    mask_bits = (1 << BUCKET_BITS) - 1
    rows_out, buckets_out = [], []
    lo, hi = ngram_range
    for n in range(lo, hi + 1):
        m = len(cps) - n + 1
        if m <= 0:
            continue
        h = np.full(m, np.int64(n * 7919))
        for k in range(n):
            h = (h * _MULT + cps[k : k + m]) & 0x7FFFFFFFFFFF
        pos = np.arange(m)
        valid = pos + n <= ends[row_of[:m]]
        rows_out.append(row_of[:m][valid])
        buckets_out.append(h[valid] & mask_bits)
    return np.concatenate(rows_out), np.concatenate(buckets_out)


class CharNgramTfidf:
    def __init__(self, ngram_range: tuple[int, int] = (2, 4), min_df: int = 3, max_features: int = 150_000):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.lookup: np.ndarray | None = None  # bucket -> column, -1 if not kept
        self.idf: np.ndarray | None = None

    def _counts(self, texts: list[str]) -> sp.csr_matrix:
        rows, buckets = _hashes(texts, self.ngram_range)
        cols = self.lookup[buckets]
        keep = cols >= 0
        data = np.ones(int(keep.sum()), dtype=np.float32)
        m = sp.csr_matrix((data, (rows[keep], cols[keep])), shape=(len(texts), len(self.idf)))
        m.sum_duplicates()
        return m

    def fit(self, texts: list[str]) -> CharNgramTfidf:
        rows, buckets = _hashes(texts, self.ngram_range)
        pairs = np.unique(rows * (1 << BUCKET_BITS) + buckets)
        uniq, df = np.unique(pairs & ((1 << BUCKET_BITS) - 1), return_counts=True)
        keep = df >= self.min_df
        uniq, df = uniq[keep], df[keep]
        if len(uniq) > self.max_features:
            top = np.argsort(-df, kind="stable")[: self.max_features]
            uniq, df = uniq[top], df[top]
        self.lookup = np.full(1 << BUCKET_BITS, -1, dtype=np.int32)
        self.lookup[uniq] = np.arange(len(uniq), dtype=np.int32)
        n = len(texts)
        self.idf = smoothed_idf(n, df).astype(np.float32)
        return self

    def transform(self, texts: list[str]) -> sp.csr_matrix:
        return _weigh(self._counts(texts), self.idf)

    def fit_transform(self, texts: list[str]) -> sp.csr_matrix:
        return self.fit(texts).transform(texts)

    @property
    def n_features(self) -> int:
        return 0 if self.idf is None else len(self.idf)

    def state(self) -> dict[str, np.ndarray]:
        kept = np.flatnonzero(self.lookup >= 0)
        return {"char_buckets": kept.astype(np.int32), "char_columns": self.lookup[kept], "char_idf": self.idf}

    @classmethod
    def from_state(cls, arrays: dict[str, np.ndarray], ngram_range: tuple[int, int], min_df: int,
                   max_features: int) -> CharNgramTfidf:
        self = cls(ngram_range, min_df, max_features)
        self.lookup = np.full(1 << BUCKET_BITS, -1, dtype=np.int32)
        self.lookup[arrays["char_buckets"]] = arrays["char_columns"]
        self.idf = np.asarray(arrays["char_idf"], dtype=np.float32)
        return self


class WordNgramTfidf:
    """TF-IDF over word n-grams given as lists of strings; the same weighting as CharNgramTfidf.

    Written here rather than scikit-learn's TfidfVectorizer so that prediction imports no scikit-learn (seconds of
    start-up for every command) and counts with one dict lookup per n-gram.
    """

    def __init__(self, min_df: int = 2):
        self.min_df = min_df
        self.vocabulary: dict[str, int] = {}
        self.idf: np.ndarray | None = None

    def fit(self, docs: list[list[str]]) -> WordNgramTfidf:
        df: dict[str, int] = {}
        for grams in docs:
            for g in set(grams):
                df[g] = df.get(g, 0) + 1
        kept = sorted(g for g, n in df.items() if n >= self.min_df)
        self.vocabulary = {g: i for i, g in enumerate(kept)}
        counts = np.array([df[g] for g in kept], dtype=np.float64)
        self.idf = smoothed_idf(len(docs), counts).astype(np.float32)
        return self

    def transform(self, docs: list[list[str]]) -> sp.csr_matrix:
        vocab = self.vocabulary
        indptr = [0]
        indices: list[int] = []
        for grams in docs:
            indices.extend(i for i in map(vocab.get, grams) if i is not None)
            indptr.append(len(indices))
        data = np.ones(len(indices), dtype=np.float32)
        m = sp.csr_matrix((data, np.asarray(indices, dtype=np.int64), np.asarray(indptr, dtype=np.int64)),
                          shape=(len(docs), len(self.idf)))
        m.sum_duplicates()
        return _weigh(m, self.idf)

    def fit_transform(self, docs: list[list[str]]) -> sp.csr_matrix:
        return self.fit(docs).transform(docs)

    @property
    def n_features(self) -> int:
        return len(self.vocabulary)


def _weigh(m: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """Sublinear tf times idf, rows scaled to unit length (scikit-learn's TfidfVectorizer defaults, sublinear_tf)."""
    m.data = (np.log(m.data) + 1).astype(np.float32)
    m = m.multiply(idf).tocsr()
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms).dot(m).astype(np.float32).tocsr()
