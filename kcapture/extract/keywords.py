"""Thai keywords per theme and per document, from the words the segmenter already found.

Terms are content words (PyThaiNLP's Thai stop words, generic report words such as วิธี and งาน, numbers, punctuation,
one-letter pieces and Latin pieces under four letters out) plus whole terms: organisation, programme and place names
from the entity step (`find_entities`, computed once per document) count as one term and their words not apart;
Latin phrases count whole ("Social Enterprise", "4Ps"), never as "Social" and "Enterprise"; the tokenizer keeps the
project's domain words whole (วิสาหกิจเพื่อสังคม, สายรุ้งพันธมิตร), and two content words written together that recur in
the document are kept as one term (ขบวนการเคลื่อนไหว + ทางสังคม).

- A theme's keywords are TF-IDF of its sentences against the whole document: frequent in the theme's sentences,
  rare in the others (sentences are the "documents" of the IDF).
- The document's keywords weigh frequency in the document against a background of general Thai (the TNC word
  frequencies shipped with PyThaiNLP), so that words every Thai text uses drop out.
Words inside personal-data spans never become keywords (a keyword list must not leak a name).
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

import numpy as np

from kcapture.document import END, START, TEXT, Document, Sentence, Token
from kcapture.textstats import smoothed_idf_scalar

_CONTENT = re.compile(r"^[\u0e01-\u0e2e\u0e30-\u0e4eA-Za-z][\u0e01-\u0e4eA-Za-z\-]*$")
# Words that carry no topic in reports although they are not in PyThaiNLP's stop list.
EXTRA_STOPWORDS = frozenset(
    """ได้แก่ เช่น อาทิ อาทิเช่น เป็นต้น ต่างๆ ต่าง ๆ การ ความ ผู้เข้าร่วม ผู้เข้าร่วมอบรม โดย ทำให้ ร่วมกัน สามารถ ครั้ง ครั้งที่ รุ่น
    รุ่นที่ วันที่ เดือน ปี พ.ศ. คน ท่าน ราย เรื่อง หัวข้อ ด้าน แต่ละ ทั้งนี้ นอกจากนี้ ดังนี้ ดังกล่าว มาก ขึ้น ค่ะ ครับ นะ จ้ะ
    คะ จ้า ก็ ได้ ให้ เป็น มี ที่ และ ของ ใน ไป มา แล้ว อยู่ ว่า กัน ซึ่ง จะ ไม่ ยัง ทุก ตัวเอง ตนเอง เรา ผม ดิฉัน หนู การทำงาน
    ทางสังคม การดำเนินงาน ดำเนินงาน ดำเนินการ เกิดขึ้น ต้อง ควร ไม่ต้อง ต้องการ วิธี วิธีการ งาน สิ่ง ส่วน ข้อ แบบ รูปแบบ
    ตัว เวลา ลักษณะ ประเภท ระดับ ช่วง จุด ใช้ ทำ ได้รับ เรื่องราว ประเด็น ภาพ ผล คณะ ชุมชน กลุ่ม โครงการ กิจกรรม ทำความเข้าใจ""".split()
)
# A Latin word this short is a fragment or an abbreviation piece ("Ps" of "4Ps"), never a keyword on its own.
_MIN_LATIN = 4
_LATIN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9\-]*$")
_ANY_LATIN = re.compile(r"[A-Za-z0-9]")
_LATIN_LETTER = re.compile("[A-Za-z]")
PLACEHOLDER = re.compile(r"^\[.*\]$")
_TOKENS = attrgetter("tokens")


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords()) | EXTRA_STOPWORDS


_TNC_LINE = re.compile(rb"^([^\t\n]+)\t(\d+)", re.M)


@lru_cache(maxsize=1)
def _background() -> tuple[dict[bytes, bytes], int]:
    """General-Thai word frequencies (PyThaiNLP's TNC table, word -> count as UTF-8 bytes); empty when the corpus is
    unavailable, and then IDF alone ranks. Read as bytes with one regular expression and left undecoded: a document
    asks for a few hundred words of the 106,000, and decoding and converting them all took three times as long."""
    from kcapture.cache import kept_table
    from kcapture.resources import pythainlp_corpus_file

    path = pythainlp_corpus_file("tnc_freq.txt")

    def derive() -> tuple[dict[bytes, bytes], int]:
        freqs = dict(_TNC_LINE.findall(path.read_bytes().removeprefix(b"\xef\xbb\xbf")))
        return freqs, sum(map(int, freqs.values()))

    try:  # kept between runs (kcapture.cache): 0.045 s -> 0.02 of every command
        return kept_table("tnc-frequencies", (path, Path(__file__)), derive)
    except OSError:  # a missing corpus must not stop an analysis; keywords fall back to sentence IDF
        return {}, 0


def general_frequency(word: str) -> int:
    """How often `word` occurs in general Thai (TNC count; 0 when unseen or the corpus is unavailable)."""
    count = _background()[0].get(word.encode("utf-8"))
    return int(count) if count else 0


@lru_cache(maxsize=262_144)  # a document repeats its words; each is judged once
def is_content(word: str) -> bool:
    if word.isascii() and len(word) < _MIN_LATIN:
        return False
    return len(word) >= 2 and bool(_CONTENT.match(word)) and word not in stopwords() and not PLACEHOLDER.match(word)


def _latin_runs(doc: Document, s: Sentence, texts: list[str] | None = None) -> tuple[list[str], set[int]]:
    """Runs of Latin words and digits written together or with single spaces ("Social Enterprise", "4Ps"): the run is
    the term, its words are not (a keyword list must not show "Social" and "Enterprise" apart). `texts`: the words
    of the sentence, when the caller has them already."""
    runs: list[str] = []
    inside: set[int] = set()
    if not _ANY_LATIN.search(s.text):
        return runs, inside  # most Thai sentences: no Latin letter or digit, no run
    toks = s.tokens
    latin = list(map(_is_latin_word, texts if texts is not None else map(TEXT, toks)))
    if latin.count(True) < 2:
        return runs, inside  # a run needs two Latin words; most sentences have at most a number
    text = doc.text
    run: list[int] = []

    def close() -> None:
        if len(run) >= 2:
            term = text[toks[run[0]].start : toks[run[-1]].end]
            if _LATIN_LETTER.search(term) and len(term) >= 3:
                runs.append(term)
            inside.update(run)

    # Only the Latin words are visited (the others are passed over in C): a run goes on while the next Latin word is
    # the sentence's next word and follows with nothing or one space between.
    prev_end = 0
    for i in itertools.compress(itertools.count(), latin):
        t = toks[i]
        if run and run[-1] == i - 1 and text[prev_end : t.start] in ("", " "):
            run.append(i)
        else:
            close()
            run = [i]
        prev_end = t.end
    close()
    return runs, inside


@lru_cache(maxsize=262_144)
def _is_latin_word(word: str) -> bool:
    return bool(_LATIN.match(word))


def sentence_terms(doc: Document, s: Sentence, excluded: Iterable[tuple[int, int]] = (),
                   names: Iterable[tuple[int, int]] = (),
                   latin: tuple[list[str], set[int]] | None = None) -> list[str]:
    """Content words of a sentence, joined pairs of them (a pair only where written without a space), Latin phrases
    whole, and whole names (`names`: organisation, programme and place spans from the entity step), whose words are
    then not terms of their own. `latin` is the sentence's `_latin_runs`, when the caller has them already.
    `document_terms` gives the same terms for all sentences at once."""
    spans = _spans_in(s, excluded)
    whole = _whole_names(s, names, spans)
    runs, in_run = latin if latin is not None else _latin_runs(doc, s)
    toks = s.tokens
    keep = bytearray(map(is_content, map(TEXT, toks)))
    _drop_taken(toks, keep, in_run, spans, whole)
    words = list(itertools.compress(toks, keep))
    text = doc.text
    # Thai compounds are written joined: a pair of content words with nothing between them is a term too.
    pairs = [text[x.start : y.end] for x, y in zip(words, words[1:], strict=False) if x.end == y.start]
    return [t.text for t in words] + runs + [text[a:b] for a, b in whole] + pairs


def _spans_in(s: Sentence, spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The personal-data spans that overlap the sentence."""
    return [(a, b) for a, b in spans if a < s.end and s.start < b]


def _whole_names(s: Sentence, names: Iterable[tuple[int, int]], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The names that lie inside the sentence and touch none of its personal-data `spans`."""
    return [(a, b) for a, b in names if s.start <= a and b <= s.end and not any(x < b and a < y for x, y in spans)]


def _drop_taken(toks: list[Token], keep: bytearray | memoryview, in_run: set[int], spans: list[tuple[int, int]],
                whole: list[tuple[int, int]]) -> None:
    """Clear `keep` (one flag per word of the sentence: a content word) for the words of Latin runs, the words touching
    a personal-data span and the words inside a whole name: they are no terms of their own. A sentence's words are in
    text order, so the words a span takes are one slice, found by bisection (the key is read at a dozen words, not
    at every word)."""
    for i in in_run:
        keep[i] = 0
    for a, b in spans:  # the words that overlap the span
        i, j = bisect.bisect_right(toks, a, key=END), bisect.bisect_left(toks, b, key=START)
        keep[i:j] = bytes(max(0, j - i))
    for a, b in whole:  # the words that lie inside the name
        i, j = bisect.bisect_left(toks, a, key=START), bisect.bisect_right(toks, b, key=END)
        keep[i:j] = bytes(max(0, j - i))


# How `document_terms` classes a word: a bit set per test.
_CONTENT_WORD, _LATIN_WORD = 1, 2


def document_terms(doc: Document, excluded: Iterable[tuple[int, int]] = ()) -> dict[int, list[str]]:
    """Terms per sentence id, those of `sentence_terms`. Pairs of words are kept only where they recur: a one-off pair
    is a phrase, not a term.

    Computed for all sentences at once: the document's words stand in one list, so that the tests of each word (is it
    a content word, a Latin word, joined to the next) run over the whole list in C, and only the sentences that hold a
    Latin run, personal data or a name are looked at one by one."""
    from kcapture.extract.entities import find_entities

    text = doc.text
    sentences = doc.sentences
    spans = sorted(excluded)
    named = sorted((e.start, e.end) for e in find_entities(doc) if e.kind in ("organization", "programme")
                   or e.kind == "place" and e.source == "admin")
    toks = list(itertools.chain.from_iterable(map(_TOKENS, sentences)))
    first = list(itertools.accumulate(map(len, map(_TOKENS, sentences)), initial=0))  # sentence k: first[k]:first[k+1]
    texts = list(map(TEXT, toks))
    words = set(texts) | {text[a:b] for a, b in named}
    # Each distinct word is judged once; the words of the text then look their class up, in C.
    kind = {w: is_content(w) * _CONTENT_WORD | _is_latin_word(w) * _LATIN_WORD for w in words}
    classes = np.frombuffer(bytes(map(kind.__getitem__, texts)), dtype=np.uint8)
    keep = bytearray(classes & _CONTENT_WORD)  # content words, until the loops below clear some
    keep_view = memoryview(keep)

    extra: dict[int, list[str]] = {}  # sentence index -> its Latin runs and whole names, in that order
    runs: set[str] = set()
    for k in _with_latin_pair(classes, first):
        s = sentences[k]
        found, in_run = _latin_runs(doc, s, texts[first[k] : first[k + 1]])
        runs.update(found)
        extra[k] = found
        _drop_taken(s.tokens, keep_view[first[k] : first[k + 1]], in_run, [], [])
    for k, near, names in _with_spans_or_names(sentences, spans, named):
        s = sentences[k]
        in_sentence = _spans_in(s, near)
        whole = _whole_names(s, names, in_sentence)
        _drop_taken(s.tokens, keep_view[first[k] : first[k + 1]], set(), in_sentence, whole)
        if whole:
            extra[k] = extra.get(k, []) + [text[a:b] for a, b in whole]
    keep_view.release()

    kept = list(itertools.compress(toks, keep))
    kept_texts = list(itertools.compress(texts, keep))
    kept_first = np.concatenate(([0], np.cumsum(np.frombuffer(keep, dtype=np.uint8), dtype=np.int64)))[first]
    pair_texts, pair_first = _joined_pairs(text, kept, kept_first)
    kept_first, pair_first = kept_first.tolist(), pair_first.tolist()

    # Words, names and runs are kept: only a pair can be dropped, and a pair that is no word or run of the document
    # occurs as nothing but a pair, so the pairs' own counts are its counts among all terms.
    once = {t for t, c in Counter(pair_texts).items() if c < 2 and t not in words and t not in runs}
    out: dict[int, list[str]] = {}
    for k, s in enumerate(sentences):
        terms = kept_texts[kept_first[k] : kept_first[k + 1]]
        if k in extra:
            terms += extra[k]
        pairs = pair_texts[pair_first[k] : pair_first[k + 1]]
        out[s.id] = terms + (pairs if once.isdisjoint(pairs) else [t for t in pairs if t not in once])
    return out


def _with_latin_pair(classes: np.ndarray, first: list[int]) -> list[int]:
    """The sentences (indices) in which two Latin words follow each other: only they can hold a Latin run.
    `classes`: each word's class bits, sentence after sentence (sentence k's from first[k])."""
    latin = np.flatnonzero(classes & _LATIN_WORD)
    pair = latin[:-1][latin[1:] == latin[:-1] + 1]  # a Latin word followed by another
    bounds = np.asarray(first, dtype=np.int64)
    k = np.searchsorted(bounds, pair, side="right") - 1
    return np.unique(k[pair + 1 < bounds[k + 1]]).tolist()  # both words in one sentence


def _with_spans_or_names(sentences: list[Sentence], spans: list[tuple[int, int]], named: list[tuple[int, int]]
                         ) -> Iterable[tuple[int, list[tuple[int, int]], list[tuple[int, int]]]]:
    """(sentence index, the spans that can overlap it, the names that start in it) for the sentences that can touch
    a personal-data span or hold a name. `spans` and `named` are sorted; which entries each sentence is handed is
    found for all sentences at once (numpy), then only the sentences that have some are visited."""
    sent_starts = np.fromiter(map(START, sentences), dtype=np.int64, count=len(sentences))
    sent_ends = np.fromiter(map(END, sentences), dtype=np.int64, count=len(sentences))
    span_starts = np.array([a for a, _ in spans], dtype=np.int64)
    span_ends = np.array([b for _, b in spans], dtype=np.int64)
    # A sentence is handed the spans that start inside it and the one before (which may reach into it).
    at = np.searchsorted(span_starts, sent_starts)
    lo, hi = np.maximum(at - 1, 0), np.searchsorted(span_starts, sent_ends)
    reaching_in = np.zeros(len(sentences), dtype=bool)
    if len(spans):
        reaching_in = (at > 0) & (span_ends[lo] > sent_starts)
    name_starts = np.array([a for a, _ in named], dtype=np.int64)
    name_lo, name_hi = np.searchsorted(name_starts, sent_starts), np.searchsorted(name_starts, sent_ends)
    touched = np.flatnonzero((hi > at) | reaching_in | (name_hi > name_lo))
    for k, a, b, c, d in zip(touched.tolist(), lo[touched].tolist(), hi[touched].tolist(), name_lo[touched].tolist(),
                             name_hi[touched].tolist(), strict=True):
        yield k, spans[a:b], named[c:d]


def _joined_pairs(text: str, kept: list[Token], kept_first: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Thai compounds are written joined: a pair of content words of one sentence with nothing between them is a
    term too. `kept`: the content words of all sentences, sentence after sentence (sentence k's from kept_first[k]).
    Returns the pairs' texts and where each sentence's pairs start among them."""
    starts = np.fromiter(map(START, kept), dtype=np.int64, count=len(kept))
    ends = np.fromiter(map(END, kept), dtype=np.int64, count=len(kept))
    joined = ends[:-1] == starts[1:]
    # No pair across two sentences: the last word of a sentence is joined to nothing.
    last = kept_first[1:-1] - 1
    joined[last[(last >= 0) & (last < len(joined))]] = False  # sentences without content words: no index, or the end
    at = np.flatnonzero(joined)
    pairs = list(map(text.__getitem__, map(slice, starts[at].tolist(), ends[at + 1].tolist())))
    return pairs, np.searchsorted(at, kept_first)


def _top(scores: dict[str, float], n: int) -> list[str]:
    def rank(t: str) -> tuple[float, int, str]:
        return -scores[t], -len(t), t

    # The first few dozen of the ranking nearly always yield the n terms: rank only those, the whole list if not.
    head = heapq.nsmallest(8 * n, scores, key=rank)
    chosen = _chosen(head, n)
    if len(chosen) < n and len(head) < len(scores):
        chosen = _chosen(sorted(scores, key=rank), n)
    return chosen


def _chosen(ranked: list[str], n: int) -> list[str]:
    chosen: list[str] = []
    for term in ranked:
        # A word inside a chosen pair (or a pair containing a chosen word) adds little: keep the first one.
        if any(term in c or c in term for c in chosen):
            continue
        chosen.append(term)
        if len(chosen) == n:
            break
    return chosen


def document_frequencies(terms: dict[int, list[str]]) -> Counter[str]:
    """In how many sentences each term occurs (the IDF's document frequency)."""
    # One count over all sentences' term sets, in C (a Counter.update per sentence cost more than the counting).
    return Counter(itertools.chain.from_iterable(map(set, terms.values())))


def theme_keywords(terms: dict[int, list[str]], sentence_ids: Iterable[int], n: int = 8,
                   df: Counter[str] | None = None) -> list[str]:
    """Keywords of one theme: TF-IDF of the theme's sentences against all sentences of the document.
    `terms` comes from `document_terms`; `df` is its `document_frequencies` (computed here when not given: pass it
    when asking for several themes of one document)."""
    ids = set(sentence_ids)
    n_sent = max(1, len(terms))
    if df is None:
        df = document_frequencies(terms)
    tf: Counter[str] = Counter(itertools.chain.from_iterable(map(terms.get, ids, itertools.repeat(()))))
    # The idf depends on the document frequency alone: computed once per frequency, not once per term.
    idf = {d: smoothed_idf_scalar(n_sent, d) for d in set(map(df.__getitem__, tf))}
    scores = {t: c * idf[df[t]] for t, c in tf.items()}
    return _top(scores, n)


def document_keywords(terms: dict[int, list[str]], n: int = 15) -> list[str]:
    """Keywords of the whole document: frequency here against general Thai usage."""
    tf: Counter[str] = Counter(itertools.chain.from_iterable(terms.values()))
    total = _background()[1]
    n_sent = max(1, len(terms))
    df = None if total else document_frequencies(terms)  # needed only without the background
    scores: dict[str, float] = {}
    for t, c in tf.items():
        if df is None:
            # Unseen in the background (domain terms, pairs) counts as rare.
            rarity = math.log(total / (1 + general_frequency(t)))
        else:
            rarity = smoothed_idf_scalar(n_sent, df[t])
        scores[t] = (1 + math.log(c)) * rarity
    return _top(scores, n)
