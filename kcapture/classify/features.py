"""Sentence features: TF-IDF of PyThaiNLP word uni/bigrams plus TF-IDF of character n-grams.

Words carry the meaning; character n-grams rescue what the tokenizer splits differently (spelling variants, PDF
artefacts, English terms, spoken particles). Both vectorizers (vectorizers.py) keep their learned state (vocabulary,
idf) as JSON and arrays, never pickled.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from kcapture.classify.vectorizers import CharNgramTfidf, WordNgramTfidf, stack_rows
from kcapture.thai.numbers import to_arabic_digits
from kcapture.thai.tokenize import default_tokenizer
from kcapture.word_memo import WordMemo

_DIGITS = re.compile(r"\d+")
_LIST_MARK = re.compile(r"^\s*(?:[-•*●▪◦]|\(?\d{1,2}[.)]|[๑-๙][.)])\s*")


_THAI_DIGIT = re.compile("[๐-๙]")


def normalise_for_features(text: str) -> str:
    # Numbers vary endlessly and say little about the theme; keep that there was one.
    if _THAI_DIGIT.search(text):
        text = to_arabic_digits(text)
    return _DIGITS.sub("0", text.lower())


# Words recur through every document: each distinct word is normalised once per process.
_NORMALISED_WORDS = WordMemo(normalise_for_features, 262_144)


def word_tokens(text: str) -> list[str]:
    return default_tokenizer().words_batch([normalise_for_features(text)])[0]


@dataclass
class FeatureSettings:
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 4)
    word_min_df: int = 2
    char_min_df: int = 3
    max_char_features: int = 150_000
    char_weight: float = 0.7  # char n-grams complement words; they should not dominate the vector


class SentenceFeatures:
    """fit/transform over raw sentence texts (or pre-tokenized words, to reuse the pipeline's tokens)."""

    def __init__(self, settings: FeatureSettings | None = None):
        self.settings = settings or FeatureSettings()
        s = self.settings
        self.words = WordNgramTfidf(s.word_min_df)
        self.chars = CharNgramTfidf(s.char_ngrams, s.char_min_df, s.max_char_features)
        self._token_ids: tuple[object, WordMemo] | None = None  # (the pair index it was made for, token -> word id)

    def _word_ngrams(self, tokens: list[str]) -> list[str]:
        lo, hi = self.settings.word_ngrams
        # Sentence-edge markers: facets are often signalled by the first or last word (ควร..., ...ได้).
        tokens = ["<s>", *tokens, "</s>"]
        out: list[str] = []
        for n in range(lo, hi + 1):
            if n == 1:
                out.extend(tokens)
            elif n == 2:
                out.extend(map(" ".join, zip(tokens, tokens[1:], strict=False)))
            else:
                out.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        return out

    def _inputs(self, texts: list[str], tokens: list[list[str]] | None):
        words, chars = self._normalised(texts, tokens)
        return [self._word_ngrams(ws) for ws in words], chars

    def _normalised(self, texts: list[str], tokens: list[list[str]] | None) -> tuple[list[list[str]], list[str]]:
        """Each text's normalised words, and its normalised text without a list mark (for the character n-grams)."""
        normalised = [normalise_for_features(t) for t in texts]
        return self._words(normalised, tokens), _char_texts(normalised)

    @staticmethod
    def _words(normalised: list[str], tokens: list[list[str]] | None) -> list[list[str]]:
        """Each text's normalised words: the given tokens normalised, else the normalised texts tokenized."""
        if tokens is None:
            return default_tokenizer().words_batch(normalised)
        normalised_word = _NORMALISED_WORDS.__getitem__
        return [list(map(normalised_word, ws)) for ws in tokens]

    def _token_id(self) -> Callable[[str], int]:
        """A token's word id in the word block's pair index (-1 when unknown): that of its normalised form, found once
        per distinct token. Prediction maps the pipeline's tokens straight to ids with it, where normalising them
        into new lists and looking those up cost two dict lookups per token and a list per sentence."""
        index = self.words.pair_index()
        if self._token_ids is None or self._token_ids[0] is not index:
            word_ids = index.word_ids
            self._token_ids = (index, WordMemo(lambda w: word_ids.get(normalise_for_features(w), -1), 262_144))
        return self._token_ids[1].__getitem__

    def fit_transform(self, texts: list[str], tokens: list[list[str]] | None = None) -> sp.csr_matrix:
        grams, chars = self._inputs(texts, tokens)
        a = self.words.fit_transform(grams)
        b = self.chars.fit_transform(chars) * self.settings.char_weight
        return sp.hstack([a, b], format="csr")

    def transform(self, texts: list[str], tokens: list[list[str]] | None = None) -> sp.csr_matrix:
        return sp.hstack(self.transform_blocks(texts, tokens), format="csr")

    def transform_blocks(self, texts: list[str], tokens: list[list[str]] | None = None
                         ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """`transform`'s two blocks of columns, words then characters, not joined."""
        words, char_slices = self.transform_streamed(texts, tokens)
        return words, stack_rows([m for _, _, m in char_slices], self.chars.n_features)

    def transform_streamed(self, texts: list[str], tokens: list[list[str]] | None = None,
                           char_dtype: np.dtype | type = np.float32
                           ) -> tuple[sp.csr_matrix, Iterator[tuple[int, int, sp.csr_matrix]]]:
        """The word block, and the character block as (first row, end row, rows) slices made as they are read:
        prediction scores each slice and lets it go, rather than hold a whole document's character n-grams. The
        slices' values are weighted in float32, then given as `char_dtype` (what prediction's products read)."""
        normalised = [normalise_for_features(t) for t in texts]
        if self.settings.word_ngrams != (1, 2):
            words = self._words(normalised, tokens)
            word_block = self.words.transform([self._word_ngrams(ws) for ws in words])
        elif tokens is None:  # the default n-grams: pairs found by word ids, never written out
            word_block = self.words.transform_marked_words(self._words(normalised, None))
        else:
            word_block = self.words.transform_marked_words(tokens, self._token_id())
        return word_block, self.chars.transform_slices(_char_texts(normalised), self.settings.char_weight, char_dtype)

    @property
    def n_word_features(self) -> int:
        return self.words.n_features

    # Persistence: vocabularies and idf vectors only.
    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        meta = {
            "settings": self.settings.__dict__ | {"word_ngrams": list(self.settings.word_ngrams),
                                                   "char_ngrams": list(self.settings.char_ngrams)},
            "word_vocabulary": _vocab_list(self.words.vocabulary),
        }
        arrays = {"word_idf": self.words.idf.astype(np.float32), **self.chars.state()}
        return meta, arrays

    @classmethod
    def from_state(cls, meta: dict, arrays: dict[str, np.ndarray]) -> SentenceFeatures:
        raw = dict(meta["settings"])
        raw["word_ngrams"] = tuple(raw["word_ngrams"])
        raw["char_ngrams"] = tuple(raw["char_ngrams"])
        self = cls(FeatureSettings(**raw))
        self.words.vocabulary = dict(zip(meta["word_vocabulary"], range(len(meta["word_vocabulary"])), strict=True))
        self.words.idf = np.asarray(arrays["word_idf"], dtype=np.float32)
        s = self.settings
        self.chars = CharNgramTfidf.from_state(arrays, s.char_ngrams, s.char_min_df, s.max_char_features)
        return self


def _char_texts(normalised: list[str]) -> list[str]:
    """The normalised texts without a list mark: what the character n-grams are read from."""
    return [_LIST_MARK.sub("", t) for t in normalised]


def _vocab_list(vocabulary: dict[str, int]) -> list[str]:
    out = [""] * len(vocabulary)
    for term, i in vocabulary.items():
        out[i] = term
    return out
