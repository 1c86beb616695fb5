"""Named entities in a segmented Document: persons, organisations, places and programmes, with offsets.

One step, run once per document, whose result later steps reuse (visit card, personal data, keywords):
`find_entities(doc)` stores its entities on `doc.metadata["_entities"]` (plain dicts, JSON-safe; the leading "_"
makes redaction drop them, since their offsets no longer hold after it) and returns them as `Entity` objects.

Sources, all offline (files in the installed pythainlp wheel or in this repo), each loaded once per process:
- the ThaiNER CRF model shipped in the wheel (`thainer_crf_1_5_1.model`), run with python-crfsuite on the document's
  own words (`Sentence.tokens`, gaps given back as space tokens as the model was trained) and POS tags looked up in
  PyThaiNLP's `tud` unigram lexicon mapped to the model's LST20 tag set (the perceptron tagger would cost more than
  the CRF itself). It reads only a few words around each word that can be part of a name no rule has placed yet;
- gazetteers: the 77 provinces (with Bangkok's short forms), organisation names among the 290,000 Thai Wikipedia
  titles and the project's domain words (`thai/data/domain_words.txt`), matched whole on the text at an organisation
  head (มูลนิธิ, สมาคม, วิสาหกิจชุมชน, ...), so a name is never cut where the word segmenter cut it; PyThaiNLP's
  given and family names;
- patterns: an organisation head followed by the words of its name; a place after an administrative word
  (ตำบล, อำเภอ, จังหวัด, ต. อ. จ., แขวง, เขต) or a kind of venue (โรงแรม, ศาลา, ห้องประชุม ...); a programme after
  โครงการ/แผนงาน/หลักสูตร; a person after a title or kin term (`kcapture.extract.personal.title_names`, re-reading only
  a short window after the title), a given name followed by a family name, the subject of a speech verb at the start
  of a clause, a listed name before its role, a speaker label;
- a second pass over the document: a name found once in a sure context (after a title) is a person wherever else it
  stands at a word boundary, and a place found after ตำบล/อำเภอ is a place when written bare.

Where sources disagree on a span, the more reliable wins: gazetteer organisation > title person > organisation and
programme patterns > administrative place > full name > bare name and other mentions > CRF. A person after a public
office is a public figure named as such, not a person to hide. A CRF person that is a province, a known place or
organisation, or a plain dictionary word with nothing around it that marks a person is dropped: redaction removes
persons, and must never remove a place.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache, reduce
from itertools import compress, count
from operator import add, or_
from pathlib import Path

from kcapture.cache import kept_table
from kcapture.document import TEXT, Document, Sentence, Token
from kcapture.extract.personal import (
    _ROLE_PREFIX,
    NOT_NAME,
    PUBLIC_ROLES,
    TITLES,
    VERBS,
    name_lists,
    title_names,
    title_prefix,
    title_prefix_length,
)
from kcapture.resources import pythainlp_corpus_file
from kcapture.thai.tokenize import DOMAIN_WORDS, default_tokenizer, domain_words, known_words
from kcapture.word_memo import WordMemo

KINDS = ("person", "organization", "place", "programme")
THAI = "\u0e01-\u0e4e"
_THAI_WORD = re.compile(f"[{THAI}]+")
_CACHE_KEY = "_entities"
CRF_MODEL = "thainer_crf_1_5_1.model"  # shipped inside the pythainlp wheel (pythainlp/corpus/)


@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    kind: str  # one of KINDS
    text: str
    source: str  # gazetteer, title, label, pattern, programme, admin, fullname, given, mention, crf

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "kind": self.kind, "text": self.text, "source": self.source}


# ---------------------------------------------------------------------------------------------------------------
# Resources: each read once per process
# ---------------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _crf():
    """The ThaiNER CRF, or None when this PyThaiNLP install does not ship it (the rules and gazetteers still run:
    an analysis must not fail for a missing model)."""
    import pycrfsuite

    path = pythainlp_corpus_file(CRF_MODEL)
    if not path.exists():
        return None
    tagger = pycrfsuite.Tagger()
    tagger.open(str(path))
    return tagger


# Universal POS (PyThaiNLP's `tud` lexicon) -> the LST20 tags the ThaiNER 1.5 model was trained on.
_UD_TO_LST20 = {
    "NOUN": "NN", "PROPN": "NN", "VERB": "VV", "ADJ": "AJ", "ADV": "AV", "AUX": "AX", "CCONJ": "CC", "SCONJ": "CC",
    "NUM": "NU", "PUNCT": "PU", "SYM": "PU", "PRON": "PR", "ADP": "PS", "DET": "AJ", "PART": "PA", "INTJ": "XX",
    "X": "XX", "CLF": "CL",
}
_NEGATORS = frozenset({"ไม่", "มิ", "ไม่ได้"})


@lru_cache(maxsize=1)
def _pos_lexicon() -> dict[str, str]:
    raw = json.loads(pythainlp_corpus_file("pos_tud_unigram.json").read_text(encoding="utf-8-sig"))
    lex = {w: _UD_TO_LST20.get(t, "XX") for w, t in raw.items()}
    for w in _NEGATORS:
        lex[w] = "NG"
    return lex


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords())


@lru_cache(maxsize=1)
def provinces() -> frozenset[str]:
    """Province names as written in running text: the full name, and Bangkok's usual short forms."""
    from pythainlp.corpus import provinces as _provinces

    names = set(_provinces())
    names |= {"กรุงเทพฯ", "กรุงเทพ", "กทม.", "กทม"}
    return frozenset(names)


# Words that start an organisation's name. Longest first where one is a prefix of another.
ORG_HEADS = (
    "มูลนิธิ", "สมาคม", "ชมรม", "สหกรณ์", "วิสาหกิจชุมชน", "วิสาหกิจเพื่อสังคม", "กิจการเพื่อสังคม",
    "องค์การบริหารส่วนตำบล", "องค์การบริหารส่วนจังหวัด", "องค์การ", "องค์กร", "เทศบาลตำบล", "เทศบาลเมือง",
    "เทศบาลนคร", "โรงพยาบาลส่งเสริมสุขภาพตำบล", "โรงพยาบาล", "สถาบัน", "บริษัท", "ห้างหุ้นส่วน", "ศูนย์",
    "สภาองค์กรชุมชน", "เครือข่าย", "กลุ่ม", "สำนักงาน", "โรงเรียน", "มหาวิทยาลัย", "อบต.", "อบจ.", "รพ.สต.", "รพ.",
    "ธนาคาร", "กองทุน", "สภา", "กรม", "กระทรวง", "พรรค", "ภาคี", "สมัชชา", "คณะกรรมการ",
)
# Heads that are also ordinary nouns ("กลุ่มเป้าหมาย", "ศูนย์กลาง"): what follows must look like a name.
WEAK_ORG_HEADS = frozenset(
    ("ศูนย์", "เครือข่าย", "กลุ่ม", "สำนักงาน", "โรงเรียน", "สถาบัน", "ธนาคาร", "กองทุน", "องค์การ", "องค์กร", "สภา",
     "กรม", "ภาคี", "คณะกรรมการ")
)
# Kinds of venue: a building or a meeting place, named after the word.
VENUE_HEADS = (
    "โรงแรม", "ห้องประชุม", "หอประชุม", "ศาลาประชาคม", "ศาลาอเนกประสงค์", "ศาลากลางจังหวัด", "ศาลา", "อาคาร",
    "รีสอร์ท", "รีสอร์ต", "วัด", "อุทยาน", "ที่ทำการ", "ค่าย", "สวน", "ตลาด", "หมู่บ้าน", "ชุมชน",
)
ADMIN_HEADS = ("จังหวัด", "อำเภอ", "ตำบล", "แขวง", "เขต", "จ.", "อ.", "ต.", "กิ่งอำเภอ")
PROGRAMME_HEADS = ("โครงการ", "แผนงาน", "หลักสูตร")
# Words that end a name written straight after its head ("มูลนิธิ...ที่มี...", "...ได้รับ...").
NAME_STOP = frozenset(
    "ที่ ซึ่ง โดย และ หรือ ได้ มี เป็น สามารถ จัด ได้รับ ให้ ทำ ทำงาน ดำเนินงาน ดำเนินการ ร่วม ร่วมกับ กับ จาก ใน ของ ก็ จะ "
    "ยัง ต่างๆ ต่าง นี้ นั้น ดังกล่าว ด้วย ว่า มา ไป อยู่ คือ ต้องการ ซึ่งเป็น ที่มี ได้แก่ เช่น อาทิ อาทิเช่น ประกอบด้วย "
    "เป็นต้น ฯลฯ ต้อนรับ ให้การต้อนรับ เล่า บอก กล่าว อธิบาย นำ พา ช่วย สนับสนุน ทั้ง ไว้ แล้ว ทำให้ เพราะ จึง แต่ ถ้า "
    "เมื่อ หาก ก็ได้ จะได้ เลย เรื่อง ด้าน เกี่ยวกับ ตั้งแต่ ถึง ปี หลัง ก่อน ระหว่าง เริ่ม เริ่มต้น มีการ ได้มี ซึ่งมี "
    "จำนวน รวม ตลอด ทุก แห่ง ณ เพื่อ สำหรับ ต่อ แก่ ตาม เกิด ใช้ เปิด ปิด ส่ง รับ พบ เห็น คิด ดู ฟัง".split()
)
# The first word after a weak head that shows the head is a common noun ("กลุ่มเป้าหมาย", "ศูนย์กลาง").
GENERIC_AFTER = frozenset(
    "ต่าง นี้ นั้น ดังกล่าว เป้าหมาย เฉพาะ ย่อย คน ผู้ ประชากร ฯลฯ ทั้งหลาย เหล่านี้ อื่น ใหม่ เล็ก ใหญ่ หลัก ของ ที่ ใน และ หรือ "
    "เพื่อน การ ความ งาน ทาง ละ แต่ละ ทุก กลาง ตัวอย่าง แรก สอง สาม สุดท้าย เดิม เปราะบาง เสี่ยง ต่างๆ นั้นๆ ดัง".split()
)
_ROLE_WORDS = frozenset(
    "ผู้สัมภาษณ์ ผู้ให้สัมภาษณ์ ผู้ดำเนินรายการ ผู้ดำเนินการ วิทยากร ผู้เข้าร่วม ผู้ถาม ผู้ตอบ พิธีกร ผู้บันทึก หมายเหตุ ถาม ตอบ "
    "สรุป ประเด็น ข้อเสนอแนะ วันที่ สถานที่ เวลา หัวข้อ เรื่อง เรียน สำเนา ที่มา ผล ปัญหา ทีม ทีมงาน ทุกคน ที่ประชุม Q A".split()
)
_SPEECH_WORDS = "เล่า บอก กล่าว พูด ถาม ตอบ อธิบาย เสริม ย้ำ แนะนำ ยืนยัน เห็นด้วย ยิ้ม หัวเราะ แจ้ง รายงาน เสนอ ชี้แจง".split()
_SPEECH_AFTER = re.compile(r"^\s?(?:" + "|".join(_SPEECH_WORDS) + ")")


def _org_gazetteer_path() -> Path:
    return pythainlp_corpus_file("wikipedia_titles_th.txt")


@lru_cache(maxsize=1)
def organisation_names() -> frozenset[str]:
    """Organisation names: Wikipedia titles and domain words that start with an organisation head, Thai only."""
    heads = [h for h in ORG_HEADS if h not in ("กรม", "สภา")]  # กรม/สภา start many non-organisation titles
    # One regex over the whole file rather than a Python loop over 290,000 lines: a tenth of the time. A line is
    # matched from the newline before it (a literal the engine skips ahead to) rather than from "^" in multi-line
    # mode, which is tried at every character: a third faster.
    line = re.compile("\n((?:" + "|".join(re.escape(h) for h in heads) + f")[{THAI}.]{{1,55}})(?=\n)")
    path = _org_gazetteer_path()

    def derive() -> frozenset[str]:
        names = set(line.findall("\n" + path.read_text(encoding="utf-8") + "\n")) if path.exists() else set()
        names.update(w for w in domain_words() if w.startswith(ORG_HEADS) and len(w) > 5)
        return frozenset(n for n in names if n not in ORG_HEADS and not _generic_name(n))

    # Kept between runs (kcapture.cache): reading 290,000 titles took 0.1 s of every command. The dictionary and
    # stop words that `_generic_name` reads come with PyThaiNLP, named by its version.
    import pythainlp

    sources = (*((path,) if path.exists() else ()), DOMAIN_WORDS, Path(__file__), pythainlp.__version__)
    return kept_table("organisation-names", sources, derive)


# Characters by which gazetteer names are grouped: names of _ORG_LONG_KEY characters or more by that many (a shorter
# key leaves hundreds of "โรงพยาบาล...", "สำนักงาน..." names in one group), names of _ORG_KEY or more by _ORG_KEY.
_ORG_KEY = 8
_ORG_LONG_KEY = 12


@lru_cache(maxsize=1)
def _org_by_key() -> tuple[dict[str, tuple[int, ...]], dict[str, tuple[int, ...]], tuple[int, ...]]:
    """Lengths of the gazetteer names of _ORG_LONG_KEY characters or more by their first _ORG_LONG_KEY characters, of
    the names of _ORG_KEY to _ORG_LONG_KEY - 1 characters by their first _ORG_KEY, each longest first, and the lengths
    of the names shorter than that: a lookup tries only the few lengths that can match."""
    by_long: dict[str, set[int]] = {}
    by_key: dict[str, set[int]] = {}
    short: set[int] = set()
    for n in organisation_names():
        if len(n) >= _ORG_LONG_KEY:
            by_long.setdefault(n[:_ORG_LONG_KEY], set()).add(len(n))
        elif len(n) >= _ORG_KEY:
            by_key.setdefault(n[:_ORG_KEY], set()).add(len(n))
        else:
            short.add(len(n))
    return ({k: tuple(sorted(v, reverse=True)) for k, v in by_long.items()},
            {k: tuple(sorted(v, reverse=True)) for k, v in by_key.items()}, tuple(sorted(short, reverse=True)))


def _gazetteer_lengths(text: str, start: int) -> tuple[int, ...]:
    """Lengths of the gazetteer names that may be written at `start`, longest first."""
    by_long, by_key, short = _org_by_key()
    return (by_long.get(text[start : start + _ORG_LONG_KEY], ()) + by_key.get(text[start : start + _ORG_KEY], ())
            + short)


_ORG_HEAD_RE = re.compile("|".join(re.escape(h) for h in sorted(ORG_HEADS, key=len, reverse=True)))
_VENUE_HEAD_RE = re.compile("|".join(re.escape(h) for h in sorted(VENUE_HEADS, key=len, reverse=True)))
_ADMIN_RE = re.compile("|".join(re.escape(h) for h in sorted(ADMIN_HEADS, key=len, reverse=True)))
_PROGRAMME_RE = re.compile("|".join(PROGRAMME_HEADS))
_NAME_PIECE = re.compile(f"[{THAI}A-Za-z0-9.]+")
# A programme name holds organisation and venue words ("โครงการธนาคารเส้นไหม"), so it ranks with the patterns and
# wins by length.
_PRIORITY = {"gazetteer": 0, "title": 1, "label": 1, "pattern": 2, "programme": 2, "admin": 3, "fullname": 4,
             "given": 5, "mention": 5, "crf": 6}


# ---------------------------------------------------------------------------------------------------------------
# The CRF
# ---------------------------------------------------------------------------------------------------------------
@lru_cache(maxsize=200_000)
def _word_features(word: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """The model's features of one word as the word itself, as the previous word and as the next word."""
    lex = _pos_lexicon()
    space = word.isspace()
    if space:
        pos = "PU"
    elif word.isdigit():
        pos = "NU"
    elif not _HAS_ALNUM.search(word):
        pos = "PU"
    else:
        pos = lex.get(word, "NN")
    thai = bool(_THAI_WORD.fullmatch(word))
    stop = word in _stopwords()
    digit = word.isdigit()
    own = [f"word.word:{word}", f"postag:{pos}"]
    prev = [f"word.prevword:{word}", f"word.prepostag:{pos}"]
    nxt = [f"word.nextword:{word}", f"word.nextpostag:{pos}"]
    if stop:
        own.append("word.stopword")
        prev.append("word.prevstopword")
        nxt.append("word.nextstopword")
    if thai:
        own.append("word.isthai")
        prev.append("word.previsthai")
        nxt.append("word.nextisthai")
    if space:
        own.append("word.isspace")
        prev.append("word.previsspace")
        nxt.append("word.nextisspace")
    if digit:
        own.append("word.isdigit()")
        prev.append("word.prevwordisdigit")
        nxt.append("word.nextwordisdigit")
        if len(word) == 5:
            own.append("word.islen5")
    return tuple(own), tuple(prev), tuple(nxt)


_HAS_ALNUM = re.compile(r"[^\W_]")
_BOS = ("BOS",)
_EOS = ("EOS",)
_CRF_KIND = {"PERSON": "person", "ORGANIZATION": "organization", "LOCATION": "place"}
# The labels that make an entity, as (kind, whether the label goes on the entity before it). Every other label (O,
# DATE, MONEY, ...) ends an entity, so only these few are looked at: most words are labelled O.
_CRF_LABELS = {f"{prefix}-{label}": (kind, prefix == "I") for label, kind in _CRF_KIND.items() for prefix in "BI"}


def crf_entities(text: str, tokens: list[Token]) -> list[tuple[int, int, str]]:
    """(start, end, kind) of the CRF's persons, organisations and places over one sentence's words."""
    tagger = _crf()
    if not tokens or tagger is None:
        return []
    words: list[str] = []
    spans: list[tuple[int, int]] = []
    prev_end = tokens[0].start
    for t in tokens:
        start = t.start
        if start > prev_end:  # the model saw whitespace as a word of its own
            words.append(" ")
            spans.append((prev_end, start))
        words.append(t.text)
        prev_end = t.end
        spans.append((start, prev_end))
    # Concatenating cached tuples keeps the per-word cost in C; the model looks one word back and one ahead.
    own, as_prev, as_next = zip(*map(_word_features, words), strict=True)
    xseq = list(map(add, map(add, own, (_BOS, *as_prev[:-1])), (*as_next[1:], _EOS)))
    labels = tagger.tag(xseq)
    out: list[tuple[int, int, str]] = []
    cur: list = []
    last = -2  # the index of the last entity label read
    for i in compress(count(), map(_CRF_LABELS.__contains__, labels)):
        kind, inside = _CRF_LABELS[labels[i]]
        if inside and i == last + 1 and cur[2] == kind:  # I- straight after a label of the same kind: one entity
            cur[1] = spans[i][1]
        else:
            if cur:
                out.append(tuple(cur))
            cur = [*spans[i], kind]
        last = i
    if cur:
        out.append(tuple(cur))
    # Trim spaces the model counted in.
    trimmed = []
    for a, b, k in out:
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            trimmed.append((a, b, k))
    return trimmed


# ---------------------------------------------------------------------------------------------------------------
# Patterns and gazetteers
# ---------------------------------------------------------------------------------------------------------------
def pos_of(word: str) -> str:
    """The word's most frequent LST20 tag in PyThaiNLP's lexicon ("NN" when unknown)."""
    return _pos_lexicon().get(word, "NN")


def _is_verb(word: str) -> bool:
    return _pos_lexicon().get(word) in ("VV", "AX")


# A word starting with one of these begins the clause after a name ("...กระจกเงา|เป็นเจ้าภาพ", "...แม่ริม|รายงาน...").
_CLAUSE_START = ("เป็น", "ได้", "มี", "ให้", "รายงาน", "ประสบ", "มุ่ง", "ชวน", "ต้อนรับ", "จัด", "ร่วม", "ดำเนิน", "ขยาย",
                 "รับ", "ส่ง", "เสนอ", "แจ้ง", "อธิบาย", "เล่า", "บอก", "กล่าว", "ช่วย", "พา", "นำ", "สนับสนุน", "เข้าร่วม",
                 "ภายใน")


# After these a verb is part of a noun ("ผู้|ปลูก", "การ|ผลิต"), so it does not end a name.
_NOMINALISERS = frozenset("ผู้ การ ความ นัก ช่าง".split())
_FORMAL_TITLES = frozenset("นาย นาง นางสาว น.ส. คุณ ด.ช. ด.ญ. ดร. นพ. พญ.".split())
# Words that begin Thai place names; the word after one belongs to the name whatever its part of speech.
_PLACE_WORDS = frozenset("แม่ บ้าน ห้วย หนอง ดอย นา ท่า บ่อ โนน ดอน ป่า เวียง เชียง ศรี โคก คลอง บาง".split())


_NAME_REACH = 60  # characters: the longest name written after a head


def _name_words_end(text: str, toks: list[Token], i: int, start: int, limit_chars: int = _NAME_REACH,
                    continuing: bool = False, stops: frozenset[str] | None = None) -> int:
    """End of the name whose words begin at toks[i] (right after a head ending at `start`): joined words, up to a
    stop word (`stops`, default NAME_STOP) or whitespace."""
    stops = NAME_STOP if stops is None else stops
    end = start
    prev_end = start
    k = i
    while k < len(toks):
        t = toks[k]
        if t.start != prev_end:  # whitespace ends a name ("มูลนิธิรักษ์ป่า จังหวัดน่าน": the province is its own)
            break
        if t.text in stops or not _NAME_PIECE.fullmatch(t.text) or t.end - start > limit_chars \
                or ((k > i or continuing) and t.text.startswith(_CLAUSE_START)):
            break
        if t.text in _FORMAL_TITLES:
            break  # "กลุ่มแม่บ้าน|นาง|สมศรี": a person's title starts after the name
        if t.text in ("ไป", "มา") and k + 1 < len(toks) and toks[k + 1].text in _DESTINATION:
            break  # "...|ไป|สู่|...", "...|มา|ตั้งแต่|...": the clause goes on, the name has ended
        if stops is NAME_STOP and k > i and _is_verb(t.text) and t.text not in _pos_lexicon_name_ok() \
                and toks[k - 1].text not in _PLACE_WORDS and toks[k - 1].text not in _NOMINALISERS:
            # A verb after the first word of a name ends it ("กลุ่มทอผ้า|เริ่ม...") unless it is part of a place name
            # ("แม่|ทา", "ห้วย|ทราย").
            break
        end = t.end
        prev_end = t.end
        k += 1
    return end


@lru_cache(maxsize=1)
def _pos_lexicon_name_ok() -> frozenset[str]:
    # Verbs that commonly sit inside organisation names ("เมาไม่ขับ", "รักษ์", "พัฒนา", "ส่งเสริม", "สร้างเสริม").
    return frozenset("ไม่ ขับ รักษ์ พัฒนา ส่งเสริม สร้างเสริม สร้าง คุ้มครอง ต่อต้าน ป้องกัน ฟื้นฟู อนุรักษ์ ช่วยเหลือ "
                     "เพื่อ สนับสนุน ศึกษา วิจัย ปกป้อง ออม ทอ ทอผ้า เลี้ยง ปลูก แปรรูป ผลิต จักสาน".split())


# What a word can start or be, as bits of `_word_marks`: one pass over a sentence's words tells which rules can find
# anything in it (most sentences need only a few), and at which words they start.
_MARK_ORG = 1  # can start an organisation head
_MARK_PLACE = 2  # a province, or can start an administrative or venue head
_MARK_PROGRAMME = 4  # can start a programme head
_MARK_TITLE = 8  # starts a title window (`_title_windows`)
_MARK_TITLE_IF_NAME = 16  # a dictionary word starting with a title: starts a window when it hides a listed name
_MARK_CRF = 32  # a word the CRF reads around (`_crf_windows`) unless a rule has placed it
_MARK_ROLE = 64  # a role word after a bare given name (`_ROLE_AFTER`)
_MARK_RUN_ON = 128  # Thai letters, no stop word: a name cannot start right after it (it would be inside the run)
_RULE_MARKS = _MARK_RUN_ON - 1  # the marks that start a rule


@lru_cache(maxsize=1)
def _head_marks() -> tuple[dict[str, int], dict[str, int], re.Pattern]:
    """The marks (`_MARK_ORG`, `_MARK_PLACE`, `_MARK_PROGRAMME`) of a word that is the start of a head (a head may
    span words), of a head together with the shorter heads it starts with, and a pattern matching the longest head
    at the start of a word (a word may hold a head and more)."""
    kinds = ((ORG_HEADS, _MARK_ORG), (ADMIN_HEADS, _MARK_PLACE), (VENUE_HEADS, _MARK_PLACE),
             (PROGRAMME_HEADS, _MARK_PROGRAMME))
    prefix_marks: dict[str, int] = {}
    for heads, mark in kinds:
        for h in heads:
            for k in range(1, len(h) + 1):
                prefix_marks[h[:k]] = prefix_marks.get(h[:k], 0) | mark
    all_heads = sorted({h for heads, _mark in kinds for h in heads}, key=len, reverse=True)
    head_marks = {h: 0 for h in all_heads}
    for heads, mark in kinds:
        for h in heads:
            for longer in all_heads:
                if longer.startswith(h):
                    head_marks[longer] |= mark
    return prefix_marks, head_marks, re.compile("|".join(re.escape(h) for h in all_heads))


def _word_marks(word: str) -> int:
    """The `_MARK_*` bits of a word; the rules' tests that depend on the word alone (`_MARKS[word]`: once per
    distinct word).
    A head may span words and a word may hold a head and more, so a word marks a head it can be the start of."""
    prefix_marks, head_marks, head = _head_marks()
    marks = prefix_marks.get(word, 0)
    m = head.match(word)
    if m:
        marks |= head_marks[m.group()]
    if word in provinces():
        marks |= _MARK_PLACE
    known = _known()
    title_like = not word.isascii() and title_prefix(word)
    if word in TITLES or (title_like and word not in known) or word.endswith(("นาย", "นาง", "นางสาว", "คุณ")):
        marks |= _MARK_TITLE  # "ขอบคุณนาย...", "คุณนาย..." too
    elif title_like:
        marks |= _MARK_TITLE_IF_NAME  # "แม่ศรี|แพร": a dictionary word may hide a title and the start of a name
    if word in name_lists()[0]:
        # Short listed names, and listed names that are common dictionary words (พัฒนา, สังคม, เดือน, ประธาน: a
        # twentieth of a report's words), are ordinary words far more often: the rules handle those in context. A
        # rarer listed word (กาญจนา, ทองใบ) is still read by the CRF.
        from kcapture.extract.keywords import general_frequency

        if not (len(word) < 3 or word in _stopwords() or (word in known and general_frequency(word) >= _COMMON_WORD)):
            marks |= _MARK_CRF
    elif word not in known and ((word[:1].isupper() and word[1:].islower() and word.isalpha())
                                or _THAI_WORD.fullmatch(word)):
        marks |= _MARK_CRF  # a piece the segmenter cut out of an unknown word, a capitalised Latin word
    if word in _ROLE_AFTER:
        marks |= _MARK_ROLE
    if _THAI_WORD.fullmatch(word) and word not in _stopwords():
        marks |= _MARK_RUN_ON
    return marks


_MARKS = WordMemo(_word_marks, 200_000)


def _organisations(text: str, s: Sentence, marked: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    out = []
    toks = s.tokens
    names = organisation_names()
    for i, mark in marked:
        if not mark & _MARK_ORG:
            continue
        t = toks[i]
        m = _ORG_HEAD_RE.match(text, t.start)
        if not m:
            continue
        # 1. The longest gazetteer name starting here that ends on a word boundary.
        found = None
        for n in _gazetteer_lengths(text, t.start):
            cand = text[t.start : t.start + n]
            end = t.start + n
            if len(cand) < n:
                continue
            if cand in names and (end >= len(text) or not _THAI_WORD.match(text[end]) or _boundary(toks, end)):
                found = end
                break
        if found:
            # A kind of organisation followed by its place is a local one: "ชมรมผู้สูงอายุ|ตำบลท่าช้าง".
            # A listed name that is a kind plus a dictionary word ("สหกรณ์การเกษตร", "กลุ่มแม่บ้าน") may be the start of
            # a longer local name ("สหกรณ์การเกษตร|แม่ทา"): the joined words after it are taken as for a pattern.
            after = _tokens_from(text, toks, i, found)
            if after and after[0].start == found and (
                    after[0].text.startswith(("ตำบล", "อำเภอ", "จังหวัด", "บ้าน"))
                    or text[t.start + len(m.group()) : found] in _known()):
                found = max(found, _name_words_end(text, after, 0, found, continuing=True))
            out.append((t.start, found, "organization", "gazetteer"))
            continue
        # 2. A head followed by the words of a name.
        head_end = m.end()
        after = _tokens_from(text, toks, i, head_end)
        end = _name_words_end(text, after, 0, head_end)
        first = after[0].text if after else ""
        if end <= head_end:
            continue
        nxt = next((tt for tt in after if tt.start >= end), None)
        if nxt is not None and nxt.start == end and nxt.text == "เพื่อ" and (text[head_end:end] in _known()
                                                                           or m.group() not in WEAK_ORG_HEADS):
            # "กลุ่มออมทรัพย์|เพื่อ|การผลิต...", "มูลนิธิ|เพื่อ|ผู้บริโภค": a kind of organisation, then its purpose.
            if text[head_end:end] in _known() or end == head_end:
                more = _tokens_from(text, toks, i, nxt.end)
                if more and more[0].start == nxt.end:
                    end = max(end, _name_words_end(text, more, 0, nxt.end))
        rest = text[head_end:end]
        head = m.group()
        # A local name ("...บ้านหนองแวง", "...ตำบลท่าช้าง") makes a group of people an organisation:
        # "กลุ่มผู้ปลูกผักอินทรีย์บ้านหนองแวง" is one, "กลุ่มผู้สูงอายุ" is not.
        local = _LOCAL_NAME.search(rest) is not None
        if head in WEAK_ORG_HEADS or head == "กลุ่ม":
            generic = first in GENERIC_AFTER or first in _stopwords() \
                or _is_verb(first) and first not in _pos_lexicon_name_ok()
            if generic and not local or rest in GENERIC_AFTER or len(rest) < 3:
                continue
        elif (first in GENERIC_AFTER or first in _stopwords()) and not _ORG_HEAD_RE.match(first):
            continue  # ("วิสาหกิจชุมชน|กลุ่ม|ทอผ้า...": a kind of organisation may name another kind first)
        if head in WEAK_ORG_HEADS and rest in _known() or _ONE_OF_A_KIND.match(text, end, end + 12):
            continue  # "ศูนย์ฝึกอบรม(แห่งหนึ่ง)": a kind of organisation, not one named
        out.append((t.start, end, "organization", "pattern"))
    return out


# A local name makes a group of people an organisation ("...บ้านหนองแวง", "...ตำบลท่าช้าง").
_LOCAL_NAME = re.compile(f".(?:บ้าน|ตำบล|ชุมชน|หมู่บ้าน)[{THAI}]{{2,}}")
_ONE_OF_A_KIND = re.compile(r"\s?แห่งหนึ่ง|\s?หนึ่งแห่ง")


def _tokens_from(text: str, toks: list[Token], i: int, pos: int) -> list[Token]:
    """The words from offset `pos` on (toks[i] is where the search starts), the word holding `pos` cut there: a head
    may end inside a word the segmenter made ("โครง|การธนาคาร"). Only the words a name can take: those written joined,
    up to _NAME_REACH characters further (`_name_words_end`); the first word is kept however far."""
    out: list[Token] = []
    limit = pos + _NAME_REACH
    for k in range(i, len(toks)):
        t = toks[k]
        if t.end <= pos:
            continue
        if out and (t.start != out[-1].end or t.start > limit):
            break
        if t.start < pos:
            out.append(Token(pos, t.end, text[pos : t.end]))
        else:
            out.append(t)
    return out


def _boundary(toks: list[Token], pos: int) -> bool:
    return any(t.start == pos or t.end == pos for t in toks)


def _places(text: str, s: Sentence, marked: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    out = []
    toks = s.tokens
    provs = provinces()
    for i, mark in marked:
        if not mark & _MARK_PLACE:
            continue
        t = toks[i]
        if t.text in provs:
            out.append((t.start, t.end, "place", "admin"))
            continue
        m = _ADMIN_RE.match(text, t.start)
        if m and (m.end() < t.end or i + 1 < len(toks)):
            head_end = m.end()
            # One optional space after the word: "จ. น่าน", "อำเภอ เมือง".
            pos = head_end
            if pos < len(text) and text[pos] == " " and m.group().endswith("."):
                pos += 1
            # The name: the rest of this token and the joined words after it, until a stop or another admin word.
            end = pos
            for tt in toks[i:]:
                if tt.end <= pos:
                    continue
                if tt.start > end and tt.start != pos:
                    break
                if tt.start > pos and (_ADMIN_RE.match(tt.text) and tt.text in ADMIN_HEADS or tt.text in NAME_STOP
                                       or tt.text.startswith(_CLAUSE_START) or tt.end - pos > 25):
                    break
                if not _THAI_WORD.fullmatch(text[max(pos, tt.start) : tt.end]):
                    break
                end = tt.end
                if tt.text in provs or text[pos:end] in provs:
                    break
            name = text[pos:end]
            first_word = next((tt.text for tt in _tokens_from(text, toks, i, pos)), "")
            if name and name not in GENERIC_AFTER and name not in _stopwords() and len(name) >= 2 \
                    and not (m.group() in ("อ.", "ต.", "จ.", "เขต") and name in _NOT_PLACE_AFTER_SHORT) \
                    and not (_is_verb(first_word) and first_word not in _PLACE_WORDS) \
                    and not (m.group() in ("เขต", "แขวง") and name in _known() and first_word not in _PLACE_WORDS
                             and "กรุงเทพ" not in text[end : end + 30]):  # "เขต|รับผิดชอบ", "เขตเมือง"
                out.append((t.start, end, "place", "admin"))
            continue
        v = _VENUE_HEAD_RE.match(text, t.start)
        if v and v.group() == t.text[: len(v.group())]:
            end = _name_words_end(text, _tokens_from(text, toks, i, v.end()), 0, v.end())
            rest = text[v.end() : end]
            first_word = rest.split()[0] if rest.split() else rest
            if v.group() in ("ชุมชน", "หมู่บ้าน", "สวน", "ตลาด", "ค่าย", "วัด", "อาคาร", "ศาลา"):
                # Common nouns too: take them only with a name that is not a dictionary word on its own
                # ("ชุมชนบ้านหนองบัว", "วัดป่าสุขใจ" yes; "ชุมชนเข้มแข็ง", "ตลาดสด" no).
                if not rest.startswith(("บ้าน", "ป่า", "หนอง", "ดอน", "โนน", "นา", "ห้วย", "ท่า", "บ่อ", "คลอง")) \
                        and (rest in _known() or len(rest) < 3 or _is_verb(first_word)):
                    continue
            if rest and len(rest) >= 2 and first_word not in GENERIC_AFTER and first_word not in _stopwords():
                out.append((t.start, end, "place", "admin"))
            elif v.group() in ("ศาลาประชาคม", "ศาลาอเนกประสงค์", "ห้องประชุม", "หอประชุม", "ศาลากลางจังหวัด"):
                out.append((t.start, v.end(), "place", "admin"))
    return out


_NOT_PLACE_AFTER_SHORT = frozenset("ที่ และ ของ".split())


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return known_words()


def _programmes(text: str, s: Sentence, marked: list[tuple[int, int]]) -> list[tuple[int, int, str, str]]:
    out = []
    toks = s.tokens
    for i, mark in marked:
        if not mark & _MARK_PROGRAMME:
            continue
        t = toks[i]
        m = _PROGRAMME_RE.match(text, t.start)
        if not m:
            continue
        q = _QUOTED_NAME.match(text, m.end(), s.end)
        if q:
            out.append((t.start, q.end(), "programme", "programme"))
            continue
        after = _tokens_from(text, toks, i, m.end())
        end = _name_words_end(text, after, 0, m.end(), stops=_PROGRAMME_STOP)
        # A programme's name says what it does ("โครงการอาสามาเยี่ยม", "...คอมพิวเตอร์เพื่อน้อง"), so verbs and เพื่อ
        # stay inside; a motion word left at its end belongs to the clause ("...มาเยี่ยม|มา|ตั้งแต่").
        words = [tt for tt in after if tt.end <= end]
        while words and words[-1].text in _TRAILING and len(words) > 1:
            words.pop()
            end = words[-1].end
        rest = text[m.end() : end]
        first = words[0].text if words else rest
        if len(rest) >= 3 and first not in GENERIC_AFTER and rest not in _stopwords() \
                and not rest.startswith(("ต่าง", "นี้", "ดังกล่าว", "ที่", "ของ", "ทาง", "หลาย", "อื่น", "ใหม่")):
            out.append((t.start, end, "programme", "programme"))  # not "โครงการทางสังคม...", "โครงการหลายด้าน"
    return out


_QUOTED_NAME = re.compile(r"\s?[“\"'‘]([^”\"'’\n]{2,80})[”\"'’]")
_PROGRAMME_STOP = (NAME_STOP - {"เพื่อ", "มา", "ไป", "ให้", "สร้าง", "ช่วย", "ทำ"}) | {"รุ่น", "รุ่นที่", "ครั้ง", "ครั้งที่"}
_TRAILING = frozenset("มา ไป แล้ว อยู่ ให้".split())
_DESTINATION = frozenset("สู่ ยัง ที่ จาก ถึง ใน ตั้งแต่ แล้ว กับ เป็น".split())


@lru_cache(maxsize=1)
def _given_prefixes() -> frozenset[str]:
    """Every prefix of a listed given name: a word that is none cannot start one (a cheap first test)."""
    import pythainlp

    def derive() -> frozenset[str]:
        given, _family = name_lists()
        return frozenset(n[:k] for n in given for k in range(1, len(n) + 1))

    # Kept between runs (kcapture.cache); the names come with PyThaiNLP, named by its version.
    return kept_table("given-name-prefixes", (Path(__file__), pythainlp.__version__), derive)


@lru_cache(maxsize=1)
def _given_by_ending() -> dict[str, tuple[int, ...]]:
    """Lengths of the listed given names of 3 letters or more, by their last 3 letters."""
    by: dict[str, set[int]] = {}
    for n in name_lists()[0]:
        if len(n) >= 3:
            by.setdefault(n[-3:], set()).add(len(n))
    return {k: tuple(v) for k, v in by.items()}


def _given_name_ends_at(text: str, end: int) -> bool:
    """Whether a listed given name of 3 letters or more ends at offset `end`."""
    given = name_lists()[0]
    lengths = _given_by_ending().get(text[max(0, end - 3) : end], ())
    return any(end >= n and text[end - n : end] in given for n in lengths)


def _speech_verbs(text: str) -> list[int]:
    """Offsets where a speech verb starts, overlapping ones too (`_given_names`, `_full_name_spaces`)."""
    out = []
    verb = _SPEECH_SCAN.search(text)
    while verb:
        out.append(verb.start())
        verb = _SPEECH_SCAN.search(text, verb.start() + 1)
    return out


# A space and the run of Thai letters after it, as `_full_names` reads a family name.
_RUN_AFTER_SPACE = re.compile(f" ([{THAI}]{{1,39}})")


def _full_name_spaces(text: str, verbs: list[int]) -> list[int]:
    """Offsets of the spaces where `_full_names` can find a name: right after a listed given name of 3 letters or
    more, before a run of Thai letters that is a listed family name, is followed by a colon or holds a speech verb
    (`verbs`) past its third letter. A sentence without one has no full name."""
    family = name_lists()[1]
    spaces = {m.start() for m in _RUN_AFTER_SPACE.finditer(text)
              if m.group(1) in family or text[m.end() : m.end() + 1] in (":", "：")}
    for verb in verbs:
        space = text.rfind(" ", max(0, verb - 40), verb)
        if space >= 0 and verb - space > 3 and _THAI_WORD.fullmatch(text, space + 1, verb):
            spaces.add(space)
    return sorted(p for p in spaces if _given_name_ends_at(text, p))


def _full_names(text: str, s: Sentence) -> list[tuple[int, int, str, str]]:
    """A listed given name, one space, then a listed family name: a person even without a title ("สมชาย ใจดี")."""
    given, family = name_lists()
    prefixes = _given_prefixes()
    out = []
    toks = s.tokens
    for i, t in enumerate(toks):
        if t.text not in prefixes:
            continue
        if i > 0 and toks[i - 1].end == t.start and _THAI_WORD.fullmatch(toks[i - 1].text) \
                and toks[i - 1].text not in _BEFORE_BARE_NAME:
            continue  # inside a longer word
        for k in range(i, min(len(toks), i + 3)):  # the given name may be cut in pieces ("สม|ชาย")
            if k > i and toks[k].start != toks[k - 1].end:
                break
            w = text[t.start : toks[k].end]
            if w not in given or w in _stopwords() or len(w) < 3 or text[toks[k].end : toks[k].end + 1] != " ":
                continue
            m = re.match(f"[{THAI}]+", text[toks[k].end + 1 : toks[k].end + 40])
            if not m:
                continue
            run = m.group()
            if run in family and len(run) >= 3 and run not in _stopwords():
                out.append((t.start, toks[k].end + 1 + m.end(), "person", "fullname"))
                continue
            # An unlisted family name, then the person speaks: "เพ็ญศรี ศรีสุขบอกว่า...", "สายสุนีย์ แก้วกาญจนา: ...".
            speech = _SPEECH_ANY.search(run)
            surname = run[: speech.start()] if speech else run
            surname_end = toks[k].end + 1 + len(surname)
            if (speech and speech.start() >= 3 or not speech and text[surname_end : surname_end + 1] in (":", "：")) \
                    and 3 <= len(surname) <= 15 and surname not in _known() and surname not in _stopwords():
                out.append((t.start, surname_end, "person", "fullname"))
    return out


_SPEECH_ANY = re.compile(_SPEECH_AFTER.pattern.replace("^\\s?", ""))


def _by_first_letter(words: Iterable[str]) -> str:
    """An alternation of `words` grouped by their first letter ("เ(?:ล่า|สนอ)|บอก|..."): the same matches, but the
    regex engine tries one branch per letter instead of every word at each offset of a long text."""
    groups: dict[str, list[str]] = {}
    for w in sorted(words):
        groups.setdefault(w[0], []).append(re.escape(w[1:]))
    return "|".join(re.escape(c) + (rests[0] if len(rests) == 1 else "(?:" + "|".join(rests) + ")")
                    for c, rests in groups.items())


# _SPEECH_ANY for scanning the whole text (`_speech_verbs`): a quarter less time than the plain alternation.
_SPEECH_SCAN = re.compile(_by_first_letter(_SPEECH_WORDS))
# Letters up to a speech verb, no space: the subject of "...บอกว่า", "...เล่าว่า".
_SUBJECT_BEFORE_SPEECH = re.compile(f"([{THAI}]{{2,20}}?)(?=" + _SPEECH_ANY.pattern + ")")
_BEFORE_BARE_NAME = frozenset("โดยมี มี กับ และ คือ ได้แก่ ให้ ว่า จาก ของ".split())
_ROLE_AFTER = frozenset("เป็น ประธาน เจ้าของ ผู้ใหญ่บ้าน อายุ เหรัญญิก เลขานุการ ผู้ประสานงาน แกนนำ".split())


def _given_names(text: str, s: Sentence, marked: list[tuple[int, int]], sentence_marks: int,
                 verbs: list[int]) -> list[tuple[int, int, str, str]]:
    """A name without a title, where the sentence treats it as a person: the subject of a speech verb at the start of
    a sentence or clause ("บัวผันบอกว่า...", "แดงเล่าว่า..."), or a listed given name before its role ("โดยมีศรีนวล
    เป็นวิทยากร"). The segmenter may cut the name in pieces ("บัว|ผัน") or glue its end to the verb ("ทอง|ใบบอก"), so
    the subject is read on the text, from the start of the clause to the speech verb."""
    if not verbs and not sentence_marks & _MARK_ROLE:
        return []  # neither a speech verb (`verbs`: where one starts in the sentence) nor a role word: no such name
    toks = s.tokens
    # The words a name can start at: 2 to 20 letters before a speech verb (a subject), 1 to 3 words before a role
    # word written after one space.
    subjects: set[int] = set()
    if verbs:
        starts = [t.start for t in toks]
        subjects.update(i for q in verbs
                        for i in range(bisect.bisect_left(starts, q - 20), bisect.bisect_right(starts, q - 2)))
    before_role: set[int] = set()
    if sentence_marks & _MARK_ROLE:
        before_role.update(i for k, mark in marked
                           if mark & _MARK_ROLE and k > 0 and text[toks[k - 1].end : toks[k].start] == " "
                           for i in range(max(0, k - 3), k))
    given, _family = name_lists()
    out = []
    for i in sorted(subjects | before_role):
        t = toks[i]
        after_word = i > 0 and toks[i - 1].end == t.start
        if after_word and toks[i - 1].text not in _BEFORE_BARE_NAME:
            continue
        if t.text in _stopwords() or t.text in TITLES or not _THAI_WORD.match(t.text):
            continue
        # 1. The subject of a speech verb: the letters from here to the verb.
        m = _SUBJECT_BEFORE_SPEECH.match(text, t.start, min(s.end, t.start + 24)) if i in subjects else None
        if m:
            w = m.group(1)
            end = t.start + len(w)
            inner = [tt for tt in toks if t.start <= tt.start and tt.end <= end]
            cut = next((tt for tt in toks if tt.start < end < tt.end), None)
            # The verb must start a word, or end a word glued to the name and be followed by ว่า ("ทอง|ใบบอก|ว่า");
            # not sit inside a dictionary word ("มีคำ|ถาม", "แบบสอบถาม").
            verb_ok = cut is None or (cut.text not in _known() or text[cut.end : cut.end + 3] == "ว่า"
                                      and _SPEECH_ANY.search(cut.text) is not None)
            plain = verb_ok and not (
                w in NOT_NAME or w in TITLES or w in VERBS or w in _ROLE_WORDS or w.startswith(_ROLE_PREFIX)
                or "ๆ" in w or _ORG_HEAD_RE.match(w) or _ADMIN_RE.match(w) or w in provinces())
            unlisted_ok = w not in _known() and not any(x.text in _stopwords() or x.text in TITLES for x in inner[1:])
            if plain and (w in given or unlisted_ok):
                # A listed name, or letters that are no dictionary word: a name the lists may lack ("บัวผัน").
                out.append((t.start, end, "person", "given"))
                continue
        # 2. A listed given name, one space, then its role: "โดยมีมาลี เป็นวิทยากร".
        if i not in before_role:
            continue
        for k in range(i, min(len(toks), i + 3)):
            if k > i and toks[k].start != toks[k - 1].end:
                break
            w = text[t.start : toks[k].end]
            if w not in given or w in NOT_NAME or w in VERBS or w.startswith(_ROLE_PREFIX):
                continue
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            if nxt is not None and text[toks[k].end : nxt.start] == " " and nxt.text in _ROLE_AFTER \
                    and (w not in _known() or i > 0 and toks[i - 1].text in ("มี", "โดยมี")):
                out.append((t.start, toks[k].end, "person", "given"))
                break
    return out


_SPEAKER_LABEL = re.compile(rf"\s*(?:[-*•]\s*)?([{THAI}]{{2,15}})\s*[:：]")


def _speaker_labels(text: str, s: Sentence) -> list[tuple[int, int, str, str]]:
    """A bare name as a speaker label at the start of a line ("สมศรี: ...")."""
    if ":" not in s.text and "：" not in s.text:
        return []  # no label without its colon: a test in C before looking back for the line's start
    line_start = text.rfind("\n", 0, s.start) + 1
    if s.start - line_start > 3:
        return []
    m = _SPEAKER_LABEL.match(text, s.start, s.end)
    if not m:
        return []
    word = m.group(1)
    if _title_at(word):
        return []  # "ลุงพรหม:": the title rule finds the name after the title

    given, _family = name_lists()
    if word in _ROLE_WORDS or word in TITLES or word in _stopwords() or word.startswith(("ผู้", "นัก", "ทีม", "กลุ่ม")):
        return []
    if word not in given and all(w in _known() for w in default_tokenizer().words(word)):
        return []  # "ที่อยู่ตามบัตร:": a label made of dictionary words is a field, not a name
    if word in given or word not in _known():
        return [(m.start(1), m.end(1), "person", "label")]
    return []


# ---------------------------------------------------------------------------------------------------------------
def _resolve(cands: Iterable[tuple[int, int, str, str]]) -> list[tuple[int, int, str, str]]:
    """Non-overlapping spans, sorted: the more reliable source first, then the longer span. Every source gives spans
    of one character or more (an empty one would overlap nothing)."""
    cands = set(cands)
    # One byte per character, set where a kept span lies: an overlap test is one `find` in C, where keeping the spans
    # in a sorted list would move thousands of them at every insertion.
    taken = bytearray(max((c[1] for c in cands), default=0))
    kept: list[tuple[int, int, str, str]] = []
    # The whole tuple breaks the last ties: candidates come from a set, whose order changes from run to run.
    for c in sorted(cands, key=lambda c: (_PRIORITY[c[3]], -(c[1] - c[0]), c[0], c[1], c[2], c[3])):
        a, b = c[0], c[1]
        if taken.find(1, a, b) >= 0:
            continue
        taken[a:b] = b"\x01" * (b - a)
        kept.append(c)
    kept.sort()  # disjoint spans: by start
    return kept


def _plausible_crf_person(text: str, a: int, b: int, places: set[str], orgs: set[str]) -> tuple[int, int] | None:
    """A CRF person span with any title in front removed, or None when it is no person."""
    span = text[a:b]
    m = _title_at(span)
    if m and m.end() < len(span):
        a += m.end()
        while a < b and text[a] == " ":
            a += 1
        span = text[a:b]
    if not span or span in TITLES or _ORG_HEAD_RE.match(span) or _ADMIN_RE.match(span) or _VENUE_HEAD_RE.match(span):
        return None
    words = span.split()
    if span in provinces() or span in places or span in orgs or any(w in provinces() for w in words):
        return None
    given, family = name_lists()
    first = words[0]
    if first in NOT_NAME or first in VERBS or first in _ROLE_WORDS or first in _stopwords():
        return None
    if not _THAI_WORD.fullmatch(first) and not re.fullmatch(r"[A-Z][a-z]+", first):
        return None
    # A single dictionary word with no title before it is too often a common noun the model took for a name.
    before = text[max(0, a - 12) : a]
    titled = bool(_title_before(before))
    if len(words) == 1 and first in _known() and first not in given and not titled:
        return None
    if len(words) == 1 and first in _known() and not titled and not _SPEECH_AFTER.match(text[b : b + 12]):
        return None
    return a, b


@lru_cache(maxsize=1)
def _title_regexes() -> tuple[re.Pattern, re.Pattern]:
    alt = "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))
    return re.compile(f"(?:{alt})+\\s?"), re.compile(f"(?:{alt})\\s?$")


def _title_at(span: str) -> re.Match | None:
    """Titles and kin terms at the start of `span` ("นาย", "คุณยาย", "ผศ.ดร. ")."""
    return _title_regexes()[0].match(span)


def _title_before(before: str) -> re.Match | None:
    """A title or kin term at the end of `before` (the text just before a name)."""
    return _title_regexes()[1].search(before)


_TITLE_WINDOW = 60  # characters after a title in which its name (given and family name) is looked for
_CRF_CONTEXT = 3  # words on each side of a possible name that the CRF reads
# A listed given name this frequent in general Thai (TNC count) is an ordinary word when no rule saw a name there.
_COMMON_WORD = 1000


def _title_windows(s: Sentence, marked: list[tuple[int, int]], sentence_marks: int) -> list[tuple[int, int]]:
    """Stretches of a sentence that start at a possible title: only those are re-read with the name dictionary."""
    toks = s.tokens
    starts = [k for k, mark in marked
              if mark & _MARK_TITLE or (mark & _MARK_TITLE_IF_NAME and _name_inside(toks, k))] \
        if sentence_marks & (_MARK_TITLE | _MARK_TITLE_IF_NAME) else []
    if (not starts or starts[0] != 0) and toks[0].text in _given_prefixes():
        starts.insert(0, 0)  # a speaker label at the start of a line
    windows: list[tuple[int, int]] = []
    for k in starts:
        b = min(s.end, toks[k].start + _TITLE_WINDOW)
        a = toks[k - 1].start if k > 0 else toks[k].start  # the word before shows a place ("อำเภอ|แม่ริม")
        nxt_space = s.text.find(" ", b - s.start)  # end on whitespace so no word is cut
        b = s.end if nxt_space < 0 else s.start + nxt_space
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], max(b, windows[-1][1]))
        else:
            windows.append((a, b))
    return windows


def _name_inside(toks: list[Token], k: int) -> bool:
    """Whether a dictionary word starting with a title ("แม่ศรี") ends in a listed given name, alone or with the
    word written after it ("ศรี" + "แพร")."""
    given = name_lists()[0]
    rest = toks[k].text[title_prefix_length(toks[k].text) :]
    if len(rest) >= 2 and rest in given:
        return True
    return k + 1 < len(toks) and toks[k + 1].start == toks[k].end and rest + toks[k + 1].text in given


def _crf_windows(s: Sentence, marked: list[tuple[int, int]], settled: list[tuple[int, int, str, str]]
                 ) -> list[tuple[int, int]]:
    """Token ranges the CRF reads: a few words around each word that can be part of a name the rules may miss (a piece
    the segmenter cut out of an unknown word, a listed given name of three letters or more, a capitalised Latin word:
    `_MARK_CRF`). Most words of a report are dictionary words far from any such piece, and the model looks one word
    back and one ahead."""
    toks = s.tokens
    windows: list[tuple[int, int]] = []
    for k, mark in marked:
        if not mark & _MARK_CRF:
            continue
        t = toks[k]
        if any(a <= t.start and t.end <= b for a, b, _k, _src in settled):
            continue  # inside a name a rule already found
        a, b = max(0, k - _CRF_CONTEXT), min(len(toks), k + _CRF_CONTEXT + 1)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], b)
        else:
            windows.append((a, b))
    return windows


def detect(doc: Document) -> list[Entity]:
    """Entities of a segmented document (no caching; `find_entities` is the step)."""
    text = doc.text
    cands: list[tuple[int, int, str, str]] = []
    crf: list[tuple[int, int, str]] = []
    verbs = _speech_verbs(text)
    full_name_spaces = _full_name_spaces(text, verbs)
    # One cheap pass says which rules can find anything in a sentence at all, and at which words: most sentences need
    # only a few rules, at a few words, and the rules look only at those (`marked`: index and marks of each).
    marks_by_sentence = [list(map(_MARKS.__getitem__, map(TEXT, s.tokens))) for s in doc.sentences]
    for s, marks in zip(doc.sentences, marks_by_sentence, strict=True):
        if not s.tokens:
            continue
        marked = [(k, mark) for k, mark in enumerate(marks) if mark & _RULE_MARKS]
        sentence_marks = reduce(or_, (mark for _k, mark in marked), 0)
        verbs_here = verbs[bisect.bisect_left(verbs, s.start) : bisect.bisect_left(verbs, s.end)]
        here = _speaker_labels(text, s) + _given_names(text, s, marked, sentence_marks, verbs_here)
        if sentence_marks & _MARK_ORG:
            here += _organisations(text, s, marked)
        if sentence_marks & _MARK_PLACE:
            here += _places(text, s, marked)
        if sentence_marks & _MARK_PROGRAMME:
            here += _programmes(text, s, marked)
        space = bisect.bisect_left(full_name_spaces, s.start)
        if " " in s.text and space < len(full_name_spaces) and full_name_spaces[space] <= s.end:
            here += _full_names(text, s)
        for a, b in _title_windows(s, marked, sentence_marks):
            here += [(p.start, p.end, "person", "title") for p in title_names(text, a, b)]
        cands += here
        # The CRF reads only around words no rule has placed yet: it adds names the rules miss, and running it over
        # what a gazetteer or a title already settled would cost time for nothing.
        if sentence_marks & _MARK_CRF:
            for i, j in _crf_windows(s, marked, here):
                crf += crf_entities(text, s.tokens[i:j])
    kinds_known = {(a, b): k for a, b, k, _ in cands}
    places = {text[a:b] for a, b, k, _ in cands if k == "place"}
    orgs = {text[a:b] for a, b, k, _ in cands if k == "organization"}
    for a, b, k in crf:
        if k == "person":
            span = _plausible_crf_person(text, a, b, places, orgs)
            if span:
                cands.append((span[0], span[1], "person", "crf"))
        elif (a, b) not in kinds_known:
            if k == "place" and text[a:b].split()[0] in _stopwords() or _generic_name(text[a:b]):
                continue
            if k == "organization" and not (_ORG_HEAD_RE.match(text, a) or re.search(r"[A-Z]|[ก-ฮ]\.", text[a:b])):
                continue  # without a head word or an abbreviation the model's organisations are mostly noun phrases
            cands.append((a, b, k, "crf"))
    # A kin word inside an organisation or programme name ("สหกรณ์การเกษตรแม่|ทา") does not start a person's name.
    containers = sorted((a, b) for a, b, k, src in cands
                        if k != "person" and src in ("gazetteer", "pattern", "programme"))
    titled = {c[0]: c for c in cands if c[3] == "title"}
    for a, b in containers:  # "สหกรณ์การเกษตรแม่|ทา": the name ends in a kin word and the short word after it
        nxt = titled.get(b)
        if nxt and nxt[1] - nxt[0] <= 4 and nxt in cands and _title_before(text[a:b]):
            cands.remove(nxt)
            cands.append((a, nxt[1], "organization", "pattern"))
    cands = [c for c in cands if c[3] != "title" or not _inside_container(containers, c[0])
             or not _title_before(text[max(0, c[0] - 12) : c[0]])]
    cands = [c for c in cands if c[2] != "person" or c[3] == "title" or not _public_figure(text, c[0])]
    resolved = _resolve(cands)
    resolved += [c for c in _mentions(doc, resolved, marks_by_sentence) if not _public_figure(text, c[0])]
    resolved = _resolve(resolved)
    return [Entity(a, b, k, text[a:b], src) for a, b, k, src in resolved]


def _inside_container(containers: list[tuple[int, int]], pos: int) -> bool:
    """Whether `pos` lies inside one of the sorted (start, end) spans, past its first letter."""
    i = bisect.bisect_left(containers, (pos - 1,)) - 1
    for a, b in containers[max(0, i - 3) : i + 2]:  # spans may nest; look at the few that start just before pos
        if a < pos - 1 and pos <= b:
            return True
    return False


def _generic_name(span: str) -> bool:
    """A head word alone or with a generic word ("เครือข่าย", "องค์กรใหญ่"): no name."""
    m = _ORG_HEAD_RE.match(span) or _VENUE_HEAD_RE.match(span)
    if not m:
        return False
    rest = span[m.end() :].strip()
    return (not rest or rest in GENERIC_AFTER or rest in _stopwords()
            or (m.group() in WEAK_ORG_HEADS and rest in _known()))


def _public_figure(text: str, start: int) -> bool:
    """A name right after a public office ("ผู้ว่าราชการจังหวัดน่าน นาย...") is a public figure named as such."""
    before = text[max(0, start - 60) : start]
    m = _title_before(before)
    if m:
        before = before[: m.start()]
    before = before.rstrip()
    # The office may name its place: "ผู้ว่าราชการจังหวัดน่าน", "นายกองค์การบริหารส่วนตำบลหนองไผ่".
    return bool(PUBLIC_ROLES.search(before + " ") or re.search(
        r"(?:ผู้ว่าราชการจังหวัด|รองผู้ว่าราชการจังหวัด|นายอำเภอ|นายกองค์การบริหารส่วน\S*|นายกเทศมนตรี\S*)\S*\s*$", before))


def _mentions(doc: Document, found: list[tuple[int, int, str, str]],
              marks_by_sentence: list[list[int]]) -> list[tuple[int, int, str, str]]:
    """Other mentions of a name found in a sure context: a person's name after a title elsewhere in the document, a
    sub-district or district name written without its administrative word."""
    text = doc.text
    persons: dict[str, str] = {}
    for a, b, k, src in found:
        if k == "person" and src in ("title", "label", "fullname"):
            name = text[a:b].split()[0]
            if len(name) >= 2 and _THAI_WORD.fullmatch(name) and name not in provinces():
                persons[name] = "person"
        elif k == "place" and src == "admin":
            m = _ADMIN_RE.match(text, a)
            if m and m.group() in ("ตำบล", "ต.", "อำเภอ", "อ.", "แขวง", "เขต"):
                name = text[m.end() : b].strip()
                if len(name) >= 3 and name not in _known():
                    persons.setdefault(name, "place")
    if not persons:
        return []
    lengths: dict[str, set[int]] = {}  # the lengths of the names a word can be the start of
    for n in persons:
        for k in range(1, len(n) + 1):
            lengths.setdefault(n[:k], set()).add(len(n))
    out = []
    starts_a_name = lengths.__contains__
    for s, marks in zip(doc.sentences, marks_by_sentence, strict=True):
        toks = s.tokens
        # Only the words a name can start with are looked at: the others are passed over in C.
        for i in compress(count(), map(starts_a_name, map(TEXT, toks))):
            t = toks[i]
            starting = lengths[t.text]
            if i > 0 and toks[i - 1].end == t.start and marks[i - 1] & _MARK_RUN_ON:
                continue  # inside a longer run of letters
            for n in starting:
                if text[t.start : t.start + n] in persons:
                    break
            else:
                continue  # no name is written here
            for name, kind in _candidates_at(text, toks, i, persons):
                end = t.start + len(name)
                ordinary = name in _known() or name in VERBS
                if kind == "person" and ordinary and not _SPEECH_AFTER.match(text[end : end + 12]):
                    continue
                out.append((t.start, end, kind, "mention"))
    return out


def _candidates_at(text: str, toks: list[Token], i: int, names: dict[str, str]) -> list[tuple[str, str]]:
    """The names of `names` written from toks[i] on that end where a word ends and no longer word goes on."""
    t = toks[i]
    out = []
    for k in range(i, min(len(toks), i + 4)):
        if k > i and toks[k].start != toks[k - 1].end:
            break
        piece = text[t.start : toks[k].end]
        if piece in names:
            nxt = toks[k + 1] if k + 1 < len(toks) else None
            # The name must end where a word ends and no longer word goes on from it ("แดงเล่า" yes, "แดงโม" no).
            if nxt is None or nxt.start != toks[k].end or nxt.text in _stopwords() \
                    or _SPEECH_AFTER.match(text[toks[k].end : toks[k].end + 12]) or _is_verb(nxt.text):
                out.append((piece, names[piece]))
    return out


def find_entities(doc: Document) -> list[Entity]:
    """The document's entities, computed once and kept on `doc.metadata["_entities"]` for the later steps."""
    cached = doc.metadata.get(_CACHE_KEY)
    if isinstance(cached, dict) and cached.get("chars") == len(doc.text) \
            and cached.get("sentences") == len(doc.sentences):
        if _LAST[0] is cached:  # the same cache entry as the last call: its (frozen) entities, not made again
            return list(_LAST[1])
        return [Entity(**e) for e in cached["items"]]
    ents = detect(doc)
    doc.metadata[_CACHE_KEY] = {"chars": len(doc.text), "sentences": len(doc.sentences),
                                "items": [e.as_dict() for e in ents]}
    _LAST[:] = [doc.metadata[_CACHE_KEY], ents]
    return list(ents)


# The last cache entry made and its entities: the later steps of one analysis (personal data, terms, visit card) ask
# for the same entities again, and making 10,000 Entity objects from the stored dicts took 0.01 s a call.
_LAST: list = [None, []]


def text_document(text: str) -> Document:
    """A minimal Document over plain text (one pseudo-sentence per line, the default word tokenizer), for callers that
    have a string and no segmented Document."""
    tok = default_tokenizer()
    sentences = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            sentences.append(Sentence(id=len(sentences), start=pos, end=pos + len(line), text=line, block=0,
                                      tokens=tok.tokenize(line, base=pos)))
        pos += len(line) + 1
    return Document(name="", format="txt", text=text, source_text=text, source_offsets=[], sentences=sentences)
