"""TF-IDF of character n-grams (computed with NumPy over a whole batch at once) and of word n-grams.

scikit-learn's char analyzer builds every n-gram as a Python string, which caps prediction at a few thousand
sentences per second. Here each n-gram is a polynomial hash of code points, computed for all positions of all
sentences in one vectorised pass; a lookup table maps hash buckets to the columns kept at fit time. Collisions in
2^22 buckets are rare for the ~10^5 n-grams a corpus has, and are harmless to a linear model.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter

import numpy as np
import scipy.sparse as sp

from kcapture.textstats import count_keys, count_matrix, key_dtype, smoothed_idf

BUCKET_BITS = 22
_MULT = np.int64(1_000_003)
_HASH_MASK = 0x7FFFFFFFFFFF  # hashes are kept modulo 2^47


_MULT32 = np.uint32(_MULT)
_BUCKET_MASK32 = np.uint32((1 << BUCKET_BITS) - 1)


def _code_points(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The texts' code points joined (uint32), the row of each position, and how many characters each position has
    left in its text, itself included (an n-gram starting there fits its text when that is at least n)."""
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    row_of = np.repeat(np.arange(len(texts)), lengths)
    left = np.repeat(np.cumsum(lengths), lengths) - np.arange(len(cps))
    return cps, row_of, left


def _position_buckets(cps: np.ndarray, ngram_range: tuple[int, int]) -> Iterator[tuple[int, np.ndarray]]:
    """For each n of the range: n, and the bucket of the n-gram starting at every position p <= len(cps) - n.

    The hash of an n-gram is (seed_n * M^n + its code points as a base-M number) mod 2^47, and its bucket that hash's
    low BUCKET_BITS bits. Sums and products modulo 2^32 have the same low bits as modulo 2^47, so the arithmetic runs
    in uint32 (wrapping) and gives the same buckets at half the memory of int64. The base-M number of the n-grams
    extends that of the (n-1)-grams by one code point, so each length costs one pass, not n passes."""
    lo, hi = ngram_range
    poly = np.zeros(len(cps), dtype=np.uint32)
    for n in range(1, hi + 1):
        m = len(cps) - n + 1
        if m <= 0:
            break
        poly = poly[:m] * _MULT32 + cps[n - 1 : n - 1 + m]
        if n >= lo:
            seed = np.uint32((n * 7919 * pow(int(_MULT), n, _HASH_MASK + 1)) & _HASH_MASK & 0xFFFFFFFF)
            yield n, (poly + seed) & _BUCKET_MASK32


def _hashes(texts: list[str], ngram_range: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """(row index, bucket) for every character n-gram of every text."""
    cps, row_of, left = _code_points(texts)
    rows_out, buckets_out = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)]
    for n, buckets in _position_buckets(cps, ngram_range):
        fits = left[: len(buckets)] >= n
        rows_out.append(row_of[: len(buckets)][fits])
        buckets_out.append(buckets[fits].astype(np.int64))
    return np.concatenate(rows_out), np.concatenate(buckets_out)


def _kept_keys(texts: list[str], ngram_range: tuple[int, int], lookup: np.ndarray, n_cols: int) -> np.ndarray:
    """`row * n_cols + column` (dtype `key_dtype`) for every character n-gram of every text whose bucket has a
    column in `lookup`: what counting needs, without a row and a bucket array per n-gram kept in between."""
    dtype = key_dtype(len(texts), n_cols)
    cps, row_of, left = _code_points(texts)
    row_base = row_of.astype(dtype) * dtype(n_cols)
    left = left.astype(np.int32)  # compared once per length: smaller is faster (a text is far below 2^31 characters)
    keys = [np.zeros(0, dtype)]
    for n, buckets in _position_buckets(cps, ngram_range):
        cols = lookup[buckets]
        # All positions are keyed and one mask picks the kept n-grams that fit their text: one selection, not one
        # per array.
        kept = (cols >= 0) & (left[: len(buckets)] >= n)
        keys.append((row_base[: len(buckets)] + cols)[kept])
    return np.concatenate(keys)


_CHUNK_CHARS = 1 << 16


def _chunks(texts: list[str], size: int) -> list[tuple[int, int]]:
    """(lo, hi) ranges of consecutive texts of about `size` characters in all (at least one text each)."""
    out, lo, n = [], 0, 0
    for i, t in enumerate(texts):
        n += len(t)
        if n >= size:
            out.append((lo, i + 1))
            lo, n = i + 1, 0
    if lo < len(texts) or not out:
        out.append((lo, len(texts)))
    return out


def stack_rows(parts: list[sp.csr_matrix], n_cols: int) -> sp.csr_matrix:
    """The CSR matrices one under the other (what scipy.sparse.vstack does, without its format checks)."""
    if len(parts) == 1:
        return parts[0]
    indptr = [np.zeros(1, dtype=np.int64)]
    total = 0
    for m in parts:
        indptr.append(m.indptr[1:] + total)
        total += m.indptr[-1]
    return sp.csr_matrix((np.concatenate([m.data for m in parts]), np.concatenate([m.indices for m in parts]),
                          np.concatenate(indptr)), shape=(sum(m.shape[0] for m in parts), n_cols))


class CharNgramTfidf:
    def __init__(self, ngram_range: tuple[int, int] = (2, 4), min_df: int = 3, max_features: int = 150_000):
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_features = max_features
        self.lookup: np.ndarray | None = None  # bucket -> column, -1 if not kept
        self.idf: np.ndarray | None = None

    def _tfidf(self, texts: list[str]) -> sp.csr_matrix:
        return stack_rows([m for _, _, m in self.transform_slices(texts)], len(self.idf))

    def transform_slices(self, texts: list[str], scale: float = 1.0, dtype: np.dtype | type = np.float32
                         ) -> Iterator[tuple[int, int, sp.csr_matrix]]:
        """`transform` times `scale` in slices of rows of about _CHUNK_CHARS characters: (first row, end row, their
        rows). The values are scaled in float32 (as `matrix * scale` would), then given as `dtype` (prediction's
        products read float64), in one step rather than two copies of the matrix.

        In slices: the hash arrays of a slice stay in the processor's cache and are reused, where a whole document's
        would be hundreds of megabytes of fresh memory."""
        n_cols = len(self.idf)
        for lo, hi in _chunks(texts, _CHUNK_CHARS):
            counts, cols, indptr = count_keys(_kept_keys(texts[lo:hi], self.ngram_range, self.lookup, n_cols),
                                              hi - lo, n_cols)
            data = _tfidf_values(counts, cols, indptr, self.idf)
            data *= scale
            yield lo, hi, sp.csr_matrix((data.astype(dtype, copy=False), cols, indptr), shape=(hi - lo, n_cols))

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
        return self._tfidf(texts)

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
        self._pairs: tuple[dict[str, int], _PairIndex] | None = None  # (the vocabulary it was built from, index)

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
        # In slices, for the processor's cache (see CharNgramTfidf.transform_slices).
        step = _CHUNK_CHARS // 64
        return stack_rows([self._tfidf(docs[i : i + step]) for i in range(0, max(len(docs), 1), step)],
                           len(self.idf))

    def transform_marked_words(self, sentences: list[list[str]], word_id: Callable[[str], int] | None = None
                               ) -> sp.csr_matrix:
        """`transform` of the unigrams and bigrams of each word list between "<s>" and "</s>" (what
        SentenceFeatures builds), without writing the bigrams out: each word is looked up once, and its pairs are
        found by the two words' ids among the vocabulary's pairs (a bigram string is a new object whose hash Python
        must compute; a word from the Document has its hash already). The same matrix as `transform`.

        `word_id`: a word's id in `pair_index()` (-1 when unknown), for words given in another form than the
        vocabulary's (SentenceFeatures passes the pipeline's tokens, normalising them in the lookup)."""
        index = self.pair_index()
        step = _CHUNK_CHARS // 64  # in slices, for the processor's cache (see CharNgramTfidf.transform_slices)
        return stack_rows([self._pair_tfidf(sentences[i : i + step], index, word_id)
                            for i in range(0, max(len(sentences), 1), step)], len(self.idf))

    def pair_index(self) -> _PairIndex:
        """Built on first use, again whenever `vocabulary` is replaced (fit, loading)."""
        if self._pairs is None or self._pairs[0] is not self.vocabulary:
            from kcapture.cache import kept_table

            # Kept between runs (kcapture.cache), named by the vocabulary's digest, without the vocabulary itself
            # (it is loaded with the model): 0.09 s of every command -> 0.01.
            digest = hashlib.sha1("\n".join(self.vocabulary).encode("utf-8")).hexdigest()
            parts = kept_table("word-pair-index", (digest,),
                               lambda: _PairIndex.of(self.vocabulary).parts(len(self.vocabulary)))
            self._pairs = (self.vocabulary, _PairIndex.from_parts(self.vocabulary, *parts))
        return self._pairs[1]

    def _pair_tfidf(self, sentences: list[list[str]], index: _PairIndex, word_id: Callable[[str], int] | None
                    ) -> sp.csr_matrix:
        n = len(sentences)
        ids, lengths = _marked_word_ids(sentences, index.word_ids, word_id)
        rows = np.repeat(np.arange(n), lengths)
        known = ids >= 0
        uni_rows, uni_cols = rows[known], index.unigram_column[ids[known]]
        keep = uni_cols >= 0
        # A pair: two known words next to each other in one sentence.
        left, right, pair_rows = ids[:-1], ids[1:], rows[:-1]
        inside = (pair_rows == rows[1:]) & (left >= 0) & (right >= 0)
        keys = left[inside] * _PAIR_BASE + right[inside]
        # Searched in ascending order, then put back: numpy's binary search narrows from the previous key's place
        # when the keys ascend, and sorting them first is over twice as fast as searching in text order.
        order = np.argsort(keys)
        at = np.empty_like(order)
        at[order] = np.searchsorted(index.pair_keys, keys[order])
        at[at == len(index.pair_keys)] = 0
        found = index.pair_keys[at] == keys if len(index.pair_keys) else np.zeros(len(keys), dtype=bool)
        all_rows = np.concatenate([uni_rows[keep], pair_rows[inside][found]])
        all_cols = np.concatenate([uni_cols[keep], index.pair_columns[at[found]]])
        return _weigh(count_matrix(all_rows, all_cols, n, len(self.idf)), self.idf)

    def _tfidf(self, docs: list[list[str]]) -> sp.csr_matrix:
        # One C-level map over all n-grams of all docs; unknown n-grams become -1 and are dropped by mask.
        flat = np.fromiter(map(self.vocabulary.get, itertools.chain.from_iterable(docs), itertools.repeat(-1)),
                           dtype=np.int64)
        rows = np.repeat(np.arange(len(docs)), np.fromiter(map(len, docs), dtype=np.int64, count=len(docs)))
        keep = flat >= 0
        return _weigh(count_matrix(rows[keep], flat[keep], len(docs), len(self.idf)), self.idf)

    def fit_transform(self, docs: list[list[str]]) -> sp.csr_matrix:
        return self.fit(docs).transform(docs)

    @property
    def n_features(self) -> int:
        return len(self.vocabulary)


def _marked_word_ids(sentences: list[list[str]], word_ids: dict[str, int], word_id: Callable[[str], int] | None
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The id of each word of each sentence between "<s>" and "</s>" (-1 when unknown; by `word_id` when given, else
    by `word_ids`), and each sentence's length with its two marks. The words are looked up by one C-level map and the
    marks put in by numpy: a tuple per sentence to chain them in took a quarter of the lookup's time."""
    lengths = np.fromiter(map(len, sentences), dtype=np.int64, count=len(sentences)) + 2
    chained = itertools.chain.from_iterable(sentences)
    found = map(word_ids.get, chained, itertools.repeat(-1)) if word_id is None else map(word_id, chained)
    words = np.fromiter(found, dtype=np.int64, count=int(lengths.sum()) - 2 * len(sentences))
    ends = np.cumsum(lengths)  # one past each sentence's "</s>"
    ids = np.empty(int(ends[-1]) if len(ends) else 0, dtype=np.int64)
    is_word = np.ones(len(ids), dtype=bool)
    for at, mark in ((ends - lengths, "<s>"), (ends - 1, "</s>")):
        ids[at] = word_ids.get(mark, -1)
        is_word[at] = False
    ids[is_word] = words
    return ids, lengths


_PAIR_BASE = np.int64(1 << 31)  # pair key = left word id * _PAIR_BASE + right word id


@dataclass
class _PairIndex:
    """A unigram + bigram vocabulary by word ids: the column of each word, and of each pair sorted by key."""

    word_ids: dict[str, int]
    unigram_column: np.ndarray  # by word id; -1: the string is no unigram of the vocabulary
    pair_keys: np.ndarray  # sorted
    pair_columns: np.ndarray  # by position in pair_keys

    @classmethod
    def of(cls, vocabulary: dict[str, int]) -> _PairIndex:
        # A gram's word id is its column; the parts of pairs that are no gram themselves get the ids after those.
        # Words may hold spaces ("ต่าง ๆ" is one dictionary word), so a gram "a b c" may be the pair ("a b", "c"),
        # the pair ("a", "b c") or one word: every split at a space is entered, and whichever the sentence's words
        # are finds the gram's column, as the written-out bigram would.
        word_ids = dict(vocabulary)
        n_grams = len(word_ids)
        spaced = [gram for gram in vocabulary if " " in gram]
        # Nearly all are a pair of words with one space: split by C-level maps (a Python step per gram cost 0.1 s of
        # every command); only the few with more spaces are walked character by character.
        single = list(itertools.compress(spaced, map((1).__eq__, map(str.count, spaced, itertools.repeat(" ")))))
        parts = list(map(str.partition, single, itertools.repeat(" ")))
        lefts, rights = list(map(itemgetter(0), parts)), list(map(itemgetter(2), parts))
        grams = single
        for gram in itertools.compress(spaced, map((1).__lt__, map(str.count, spaced, itertools.repeat(" ")))):
            for at in (at for at, ch in enumerate(gram) if ch == " "):
                lefts.append(gram[:at])
                rights.append(gram[at + 1 :])
                grams.append(gram)
        new = [part for part in dict.fromkeys(itertools.chain(lefts, rights)) if part not in word_ids]
        word_ids.update(zip(new, itertools.count(len(word_ids))))
        unigram_column = np.full(len(word_ids), -1, dtype=np.int64)
        columns = np.fromiter(vocabulary.values(), dtype=np.int64, count=n_grams)
        unigram_column[columns] = columns  # a gram's id is its column
        left = np.fromiter(map(word_ids.__getitem__, lefts), dtype=np.int64, count=len(lefts))
        right = np.fromiter(map(word_ids.__getitem__, rights), dtype=np.int64, count=len(rights))
        keys = left * _PAIR_BASE + right
        cols = np.fromiter(map(vocabulary.__getitem__, grams), dtype=np.int64, count=len(grams))
        order = np.argsort(keys, kind="stable")
        return cls(word_ids, unigram_column, keys[order], cols[order])

    def parts(self, n_grams: int) -> tuple[list[str], bytes, bytes, bytes]:
        """The index as plain values (kept between runs by marshal), less the vocabulary of `n_grams` grams its word
        ids begin with: the words after those, and the arrays. `from_parts` makes it again with the vocabulary, whose
        dict is at hand (loading the 65,000 words again from the kept file took 0.02 s)."""
        new_words = list(itertools.islice(self.word_ids, n_grams, None))  # in id order: the dict's insertion order
        return new_words, self.unigram_column.tobytes(), self.pair_keys.tobytes(), self.pair_columns.tobytes()

    @classmethod
    def from_parts(cls, vocabulary: dict[str, int], new_words: list[str], unigram_column: bytes, pair_keys: bytes,
                   pair_columns: bytes) -> _PairIndex:
        word_ids = dict(vocabulary)  # as `of` numbers them: the grams, then the words after them
        word_ids.update(zip(new_words, itertools.count(len(word_ids))))
        return cls(word_ids, *(np.frombuffer(b, dtype=np.int64) for b in (unigram_column, pair_keys, pair_columns)))


def _weigh(m: sp.csr_matrix, idf: np.ndarray) -> sp.csr_matrix:
    """`m`'s counts (sorted indices, no duplicates) as TF-IDF values (`_tfidf_values`), in a new matrix."""
    return sp.csr_matrix((_tfidf_values(m.data, m.indices, m.indptr, idf), m.indices, m.indptr), shape=m.shape)


def _tfidf_values(counts: np.ndarray, cols: np.ndarray, indptr: np.ndarray, idf: np.ndarray) -> np.ndarray:
    """Sublinear tf times idf, rows scaled to unit length (scikit-learn's TfidfVectorizer defaults, sublinear_tf), of
    a CSR's float32 counts with sorted indices and no duplicates: float32 values, computed in place in one new array."""
    data = np.log(counts)
    data += 1
    data *= idf.take(cols)  # take: fancy indexing by int32 indices is over twice as slow
    per_row = np.diff(indptr)
    row = np.repeat(np.arange(len(per_row)), per_row)
    norms = np.sqrt(np.bincount(row, weights=data * data, minlength=len(per_row))).astype(np.float32)
    norms[norms == 0] = 1.0
    data /= np.repeat(norms, per_row)  # each row's norm repeated: a copy, where norms[row] is a gather
    return data
