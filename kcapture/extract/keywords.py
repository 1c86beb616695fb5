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

from kcapture.document import Document, Sentence
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
PLACEHOLDER = re.compile(r"^\[.*\]$")


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
    from importlib.resources import files

    try:
        data = files("pythainlp.corpus").joinpath("tnc_freq.txt").read_bytes()
    except OSError:  # a missing corpus must not stop an analysis; keywords fall back to sentence IDF
        return {}, 0
    freqs = dict(_TNC_LINE.findall(data.removeprefix(b"\xef\xbb\xbf")))
    return freqs, sum(map(int, freqs.values()))


def general_frequency(word: str) -> int:
    """How often `word` occurs in general Thai (TNC count; 0 when unseen or the corpus is unavailable)."""
    count = _background()[0].get(word.encode("utf-8"))
    return int(count) if count else 0


@lru_cache(maxsize=262_144)  # a document repeats its words; each is judged once
def is_content(word: str) -> bool:
    if word.isascii() and len(word) < _MIN_LATIN:
        return False
    return len(word) >= 2 and bool(_CONTENT.match(word)) and word not in stopwords() and not PLACEHOLDER.match(word)


def _latin_runs(doc: Document, s: Sentence) -> tuple[list[str], set[int]]:
    """Runs of Latin words and digits written together or with single spaces ("Social Enterprise", "4Ps"): the run is
    the term, its words are not (a keyword list must not show "Social" and "Enterprise" apart)."""
    runs: list[str] = []
    inside: set[int] = set()
    if not _ANY_LATIN.search(s.text):
        return runs, inside  # most Thai sentences: no Latin letter or digit, no run
    toks = s.tokens
    latin = list(map(_is_latin_word, [t.text for t in toks]))
    if latin.count(True) < 2:
        return runs, inside  # a run needs two Latin words; most sentences have at most a number
    cur: list[int] = []

    def close() -> None:
        if len(cur) >= 2:
            a, b = toks[cur[0]].start, toks[cur[-1]].end
            term = doc.text[a:b]
            if re.search("[A-Za-z]", term) and len(term) >= 3:
                runs.append(term)
            inside.update(cur)

    for i, t in enumerate(toks):
        if latin[i] and (not cur or doc.text[toks[cur[-1]].end : t.start] in ("", " ")):
            cur.append(i)
            continue
        close()
        cur = [i] if latin[i] else []
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
    then not terms of their own. `latin` is the sentence's `_latin_runs`, when the caller has them already."""
    spans = [(a, b) for a, b in excluded if a < s.end and s.start < b]  # only the spans inside this sentence
    whole = [(a, b) for a, b in names if s.start <= a and b <= s.end and not any(x < b and a < y for x, y in spans)]
    runs, in_run = latin if latin is not None else _latin_runs(doc, s)
    toks = s.tokens
    content = list(map(is_content, [t.text for t in toks]))
    # Most sentences have no Latin run, personal data or name: the filters below then cost nothing.
    if in_run:
        words = [t for i, t in enumerate(toks) if content[i] and i not in in_run]
    else:
        words = list(itertools.compress(toks, content))
    for a, b in spans:  # a sentence holds one or two spans: one pass over the words per span
        words = [t for t in words if not (a < t.end and t.start < b)]
    for a, b in whole:
        words = [t for t in words if not (a <= t.start and t.end <= b)]
    text = doc.text
    # Thai compounds are written joined: a pair of content words with nothing between them is a term too.
    pairs = [text[x.start : y.end] for x, y in zip(words, words[1:], strict=False) if x.end == y.start]
    return [t.text for t in words] + runs + [text[a:b] for a, b in whole] + pairs


def document_terms(doc: Document, excluded: Iterable[tuple[int, int]] = ()) -> dict[int, list[str]]:
    """Terms per sentence id. Pairs of words are kept only where they recur: a one-off pair is a phrase, not a term."""
    from kcapture.extract.entities import find_entities

    spans = sorted(excluded)
    starts = [a for a, _ in spans]
    named = sorted((e.start, e.end) for e in find_entities(doc) if e.kind in ("organization", "programme")
                   or e.kind == "place" and e.source == "admin")
    named_starts = [a for a, _ in named]
    words = {t.text for s in doc.sentences for t in s.tokens} | {doc.text[a:b] for a, b in named}
    per_sentence = {}
    runs: set[str] = set()
    for s in doc.sentences:
        # Spans are few and sorted: hand each sentence only the ones that can overlap it.
        near = spans[max(0, bisect.bisect_left(starts, s.start) - 1) : bisect.bisect_left(starts, s.end)]
        names = named[bisect.bisect_left(named_starts, s.start) : bisect.bisect_left(named_starts, s.end)]
        latin = _latin_runs(doc, s)
        runs.update(latin[0])
        per_sentence[s.id] = sentence_terms(doc, s, near, names, latin)
    counts = Counter(t for terms in per_sentence.values() for t in terms)
    return {sid: [t for t in terms if t in words or t in runs or counts[t] >= 2]
            for sid, terms in per_sentence.items()}


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
    df: Counter[str] = Counter()
    for ts in terms.values():
        df.update(set(ts))
    return df


def theme_keywords(terms: dict[int, list[str]], sentence_ids: Iterable[int], n: int = 8,
                   df: Counter[str] | None = None) -> list[str]:
    """Keywords of one theme: TF-IDF of the theme's sentences against all sentences of the document.
    `terms` comes from `document_terms`; `df` is its `document_frequencies` (computed here when not given: pass it
    when asking for several themes of one document)."""
    ids = set(sentence_ids)
    n_sent = max(1, len(terms))
    if df is None:
        df = document_frequencies(terms)
    tf: Counter[str] = Counter()
    for sid in ids:
        tf.update(terms.get(sid, []))
    scores = {t: c * smoothed_idf_scalar(n_sent, df[t]) for t, c in tf.items()}
    return _top(scores, n)


def document_keywords(terms: dict[int, list[str]], n: int = 15) -> list[str]:
    """Keywords of the whole document: frequency here against general Thai usage."""
    tf: Counter[str] = Counter(t for ts in terms.values() for t in ts)
    total = _background()[1]
    n_sent = max(1, len(terms))
    df = document_frequencies(terms)
    scores: dict[str, float] = {}
    for t, c in tf.items():
        if total:
            # Unseen in the background (domain terms, pairs) counts as rare.
            rarity = math.log(total / (1 + general_frequency(t)))
        else:
            rarity = smoothed_idf_scalar(n_sent, df[t])
        scores[t] = (1 + math.log(c)) * rarity
    return _top(scores, n)
