"""Word tokenization: PyThaiNLP's newmm algorithm in its Rust implementation (nlpo3), with a custom dictionary.

Why nlpo3: on the wisesight gold segmentation it scores the same as newmm (same algorithm and dictionary) at several
times the speed; see `benchmarks/tokenizer_engines.py` and the README. The dictionary is PyThaiNLP's word list plus
`data/domain_words.txt` (and any user words), so terms like วิสาหกิจเพื่อสังคม and สายรุ้งพันธมิตร stay whole.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from kcapture.cache import kept_file, source_key
from kcapture.document import Token
from kcapture.resources import pythainlp_corpus_file

DOMAIN_WORDS = Path(__file__).parent / "data" / "domain_words.txt"
_SPACE = re.compile(r"\s+")


def read_word_list(path: Path) -> list[str]:
    words = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.append(line)
    return words


def domain_words() -> list[str]:
    return read_word_list(DOMAIN_WORDS)


@lru_cache(maxsize=8)
def _dictionary_name(extra: tuple[str, ...] = ()) -> str:
    """Load the combined word list into nlpo3 (which reads dictionaries from files) under a name derived from it.

    The file is kept between runs (`kcapture.cache`), named by its sources: a process that finds it loads it without
    reading, merging and sorting 60,000 words first (two dictionaries: 0.1 s of every command)."""
    import nlpo3

    def write(path: Path) -> None:
        from pythainlp.corpus import thai_words

        path.write_text("\n".join(sorted(set(thai_words()) | set(domain_words()) | set(extra))), encoding="utf-8")

    extra_key = hashlib.sha1("\n".join(extra).encode("utf-8")).hexdigest()[:8]
    sources = (pythainlp_corpus_file("words_th.txt"), DOMAIN_WORDS, extra_key)
    path = kept_file(f"words-{extra_key}" if extra else "words", ".txt", sources, write)
    name = f"kcapture-{source_key(sources)}"
    if path is not None:
        nlpo3.load_dict(str(path), name)
        return name
    with tempfile.TemporaryDirectory(prefix="kcapture-words-") as folder:  # no cache folder: written for this run
        path = Path(folder) / "words.txt"
        write(path)
        nlpo3.load_dict(str(path), name)
    return name


class WordTokenizer:
    """Splits text into words with offsets. Whitespace is not a token."""

    def __init__(self, extra_words: Iterable[str] = ()):
        self.extra_words = tuple(sorted(set(extra_words)))
        self._dict = _dictionary_name(self.extra_words)

    def words(self, text: str) -> list[str]:
        """The raw nlpo3 pieces, whitespace included; they concatenate back to `text`."""
        import nlpo3

        # safe=True garbles output in nlpo3 1.4 (pieces no longer concatenate to the input), so it stays off.
        return nlpo3.segment(text, self._dict)

    def words_batch(self, texts: list[str]) -> list[list[str]]:
        """Non-space words of many short texts (for features: strings only, no offsets)."""
        import nlpo3

        name = self._dict
        # One nlpo3 call per text: joining texts into one long string makes newmm slower, not faster.
        return [[p for p in nlpo3.segment(t, name) if not p.isspace()] if t else [] for t in texts]

    def tokenize(self, text: str, base: int = 0) -> list[Token]:
        pieces = self.words(text)
        bounds = list(accumulate(map(len, pieces), initial=base))
        # nlpo3 keeps runs of whitespace apart from words, so a word holds no whitespace (checked on all the words at
        # once); the defensive split below runs only if that ever fails.
        if not _SPACE.search("".join(p for p in pieces if not p.isspace())):
            return [Token(a, b, p) for p, a, b in zip(pieces, bounds[:-1], bounds[1:], strict=True) if not p.isspace()]
        tokens: list[Token] = []
        for piece, pos in zip(pieces, bounds[:-1], strict=True):
            if not piece.isspace():
                for m in re.finditer(r"\S+", piece):
                    tokens.append(Token(pos + m.start(), pos + m.end(), m.group()))
        return tokens


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    from pythainlp.corpus import thai_words

    return frozenset(thai_words()) | frozenset(domain_words())


@lru_cache(maxsize=1)
def default_tokenizer() -> WordTokenizer:
    return WordTokenizer()
