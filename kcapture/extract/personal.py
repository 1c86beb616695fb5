"""Personal data in Thai notes: names of private people, phone numbers, national ID numbers, e-mail, house addresses.

Field notes name villagers, patients and volunteers; a report sent to a funder must not. Detection works offline and
each decision can be traced to a rule or to the shipped CRF model:

- names: the persons of the entity step (`kcapture.extract.entities`), which reuses the Document's words: a name after
  a title (นาย, นาง, นางสาว, ด.ช., คุณ, ...) or a kin term used as a title (ลุง, ป้า, ยาย, พี่, น้อง, ...), found by the
  rules below (`title_names`); a listed given name followed by a listed family name; a name as the subject of a speech
  verb or before its role; a speaker label; the ThaiNER CRF's persons; and every other mention of a name found once.
  Whether the word after a title is a name is decided from the word segmentation (a dictionary word such as คุณภาพ,
  พี่น้อง or นายก is never split into title + name), a stop list of words that follow kin terms without being names
  (น้องๆ, พี่เลี้ยง, ป้าย...), PyThaiNLP's lists of Thai given and family names, which settle where a name written
  without a space ends ("ยายบุญมีขายผัก"), and, for names that are ordinary words (ลุงคำ, ตาเหลือง), whether the clause
  then treats the word as its subject (ลุงคำ|กับ..., ลุงคำ|พา...). The title itself stays: "นาย[ชื่อ]" still reads.
  A name introduced by a public office (นายกรัฐมนตรี, ผู้ว่าราชการจังหวัด, ...) is a public figure named as such and stays;
  so do places and organisations, which the entity step tells apart from persons.
- phone numbers: Thai mobile (10 digits, 06/08/09) and fixed lines (9 digits, 02-07), +66 forms, any of
  space/dot/hyphen between digits, Thai or Arabic digits.
- national ID: 13 digits (grouped 1-4-5-2-1 or not) whose check digit is valid, or after an explicit ID label.
- e-mail addresses; LINE and Facebook accounts and bank account numbers written after their label ("ไลน์: ...",
  "เลขบัญชี ...").
- house addresses: a house number (บ้านเลขที่ / เลขที่ / 12/3 before หมู่) and the parts that point at one household
  (หมู่, ซอย, ถนน). The sub-district, district, province and postcode after them name places, not the person, and
  stay, as do village- or district-level places without a house number.

`benchmarks/redaction.py` measures recall and precision on `corpora/personal_data_test.jsonl`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress
from typing import NamedTuple

from kcapture.document import START, TEXT, Document, Sentence, Token
from kcapture.thai.numbers import to_arabic_digits
from kcapture.thai.tokenize import WordTokenizer, known_words

KINDS = ("name", "phone", "national_id", "email", "address", "account")
PLACEHOLDERS = {
    "name": "[ชื่อ]",
    "phone": "[โทรศัพท์]",
    "national_id": "[เลขบัตรประชาชน]",
    "email": "[อีเมล]",
    "address": "[ที่อยู่]",
    "account": "[บัญชี]",
}
THAI = "\u0e01-\u0e4e"
D = "[0-9๐-๙]"


@dataclass(frozen=True)
class PersonalSpan:
    start: int
    end: int
    kind: str
    text: str

    def as_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "kind": self.kind, "text": self.text}


# ---------------------------------------------------------------------------------------------------------------
# e-mail, national ID, phone
# ---------------------------------------------------------------------------------------------------------------
# A look-behind goes after the first character it guards (`x(?<!y.)` rather than `(?<!y)x`): a pattern that begins
# with a character class lets the regex engine skip straight to the offsets where that character stands, one that
# begins with a look-behind is tried at every offset of the text.
_EMAIL = re.compile(r"[A-Za-z0-9](?<![\w.+-].)[A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_ID13 = re.compile(rf"({D}(?<![0-9๐-๙]{D})(?:[ -]?{D}){{12}})(?![0-9๐-๙])")
_ID_LABEL = re.compile(
    r"(?:เลขประจำตัวประชาชน|เลขบัตรประชาชน|เลขบัตรประจำตัวประชาชน|บัตรประชาชนเลขที่|เลขบัตร)\s*(?:เลขที่)?\s*[:：]?\s*$"
)
_PHONE = re.compile(rf"(?<![0-9๐-๙A-Za-z])(?:\+\s?66[ .-]?\(?0?\)?|\(?[0๐])(?:[ .-]?\)?[ .-]?{D}){{8,9}}(?![0-9๐-๙])")
_PHONE_START = re.compile(r"[+(0๐]")  # where a phone number can begin


# A LINE or Facebook account or a bank account number, after its label: contact and money data of one person.
_ACCOUNT = re.compile(
    # LINE: a Thai label ("ทางไลน์ ...", not "ออนไลน์"), or an English one with "ID" or a colon ("in line with" and
    # "Headline" are no labels); the account is Latin ("nun_88", "@baannong").
    r"(?:(?<!ออน)(?:ไลน์ไอดี|ไอดีไลน์|ไลน์)\s*[:：]?|(?<![A-Za-z./])(?:line\s?id\s*[:：]?|line\s*[:：]))\s*"
    r"(@?[A-Za-z0-9][A-Za-z0-9._-]{2,29})(?![A-Za-z0-9])"
    # Facebook: after its label and a colon any name; after the bare label only a Latin name (not a URL).
    r"|(?:เฟซบุ๊ก|เฟสบุ๊ค|เฟสบุ๊ก|(?<![A-Za-z./])(?:facebook|fb))\s*(?:[:：]\s*([A-Za-z0-9.]{3,50}|[" + THAI + r"]+\s["
    + THAI + r"]+)|\s([A-Z][A-Za-z0-9.]{2,49}))"
    # A bank account number after its label.
    r"|(?:เลขที่บัญชี|เลขบัญชี|บัญชีเลขที่|บัญชีธนาคาร\S{0,20}\s*เลขที่)\s*[:：]?\s*([0-9๐-๙][0-9๐-๙ -]{8,16}[0-9๐-๙])",
    re.I,
)
# Where an account's label can begin (each alternative starts with a plain letter, so the engine skips ahead to them).
_ACCOUNT_START = re.compile("ไลน์|ไอดีไลน์|เฟซบุ๊ก|เฟสบุ๊|เลขที่บัญชี|เลขบัญชี|บัญชี|l|L|f|F")


def _matches(pattern: re.Pattern, starts: re.Pattern, text: str) -> Iterator[re.Match]:
    """The matches of `pattern.finditer(text)`, the pattern tried only where `starts` (a quick pattern for the
    letters a match begins with) matches: a pattern that begins with a look-behind or an alternation of groups is
    otherwise tried at every offset of the text."""
    pos = 0
    while (candidate := starts.search(text, pos)) is not None:
        m = pattern.match(text, candidate.start())
        if m:
            yield m
            pos = max(m.end(), candidate.start() + 1)
        else:
            pos = candidate.start() + 1


def _accounts(text: str) -> list[PersonalSpan]:
    out = []
    for m in _matches(_ACCOUNT, _ACCOUNT_START, text):
        g = next(i for i in (1, 2, 3, 4) if m.group(i))
        out.append(PersonalSpan(m.start(g), m.end(g), "account", m.group(g)))
    return out


def national_id_valid(digits: str) -> bool:
    """The check digit of a Thai national ID: (11 - sum(d_i * (13 - i)) mod 11) mod 10."""
    d = to_arabic_digits(re.sub(r"[ -]", "", digits))
    if len(d) != 13 or not d.isdigit() or d[0] == "0":
        return False
    total = sum(int(d[i]) * (13 - i) for i in range(12))
    return (11 - total % 11) % 10 == int(d[12])


def _national_ids(text: str) -> list[PersonalSpan]:
    out = []
    for m in _ID13.finditer(text):
        if national_id_valid(m.group(1)) or _ID_LABEL.search(text[max(0, m.start() - 40) : m.start()]):
            out.append(PersonalSpan(m.start(1), m.end(1), "national_id", m.group(1)))
    return out


def _phones(text: str) -> list[PersonalSpan]:
    out = []
    for m in _matches(_PHONE, _PHONE_START, text):
        raw = m.group()
        digits = re.sub(r"\D", "", to_arabic_digits(raw))
        if raw.lstrip("(").startswith("+"):
            national = digits[2:].lstrip("0")
            ok = (len(national) == 9 and national[0] in "689") or (len(national) == 8 and national[0] in "234567")
            end = m.end()
        else:
            ok = False
            end = m.end()
            if len(digits) >= 9 and digits[1] in "23457":
                ok = True
                if len(digits) == 10:  # a fixed line has 9 digits: the tenth belongs to something else
                    end = m.start() + _index_after_digits(raw, 9)
            elif len(digits) == 10 and digits[1] in "689":
                ok = True
        if ok:
            start = m.start()
            end_text = text[start:end].rstrip(" .-")
            out.append(PersonalSpan(start, start + len(end_text), "phone", end_text))
    return out


def _index_after_digits(raw: str, n: int) -> int:
    seen = 0
    for i, ch in enumerate(raw):
        if ch.isdigit():
            seen += 1
            if seen == n:
                return i + 1
    return len(raw)


# ---------------------------------------------------------------------------------------------------------------
# House addresses
# ---------------------------------------------------------------------------------------------------------------
_PART_WORDS = r"(?:หมู่ที่|หมู่บ้าน|หมู่|ม\.|ซอย|ซ\.|ถนน|ถ\.|ตำบล|ต\.|แขวง|อำเภอ|อ\.|เขต|จังหวัด|จ\.)"
_PART_VALUE = r"(?:(?!" + _PART_WORDS + r")[^\s,，()])+"
_PART = re.compile(
    r"[\s,，]*(?:(?:หมู่ที่|หมู่|ม\.)\s*" + D + r"{1,3}(?!" + D + r")"
    r"|(?:ซอย|ซ\.)\s?(?:" + _PART_VALUE + r")?(?:\s?" + D + r"{1,4}(?![0-9๐-๙/]))?"
    r"|(?:หมู่บ้าน|ถนน|ถ\.|ตำบล|ต\.|แขวง|อำเภอ|อ\.|เขต|จังหวัด|จ\.)\s?" + _PART_VALUE +
    r"|กรุงเทพมหานคร|กรุงเทพฯ|กทม\.?"
    r"|(?<!" + D + r")" + D + r"{5}(?!" + D + r"))"
)
_HOUSE = re.compile(r"(?:บ้านเลขที่|เลขที่|ที่อยู่|บ้านเลข)\s*[:：]?\s*(" + D + r"{1,5}(?:/" + D + r"{1,4})?)(?![0-9๐-๙/])")
_BARE_HOUSE = re.compile(
    rf"({D}(?<![0-9๐-๙/.,]{D}){D}{{0,4}}/{D}{{1,4}})(?![0-9๐-๙/])(?=\s*(?:หมู่|ม\.|ซอย|ซ\.|ถนน|ถ\.))"
)
# A house number without a slash is only taken before หมู่ N and two more parts: "34 ม.8 ต.โนนสูง อ.เมือง".
_BARE_NUMBER = re.compile(rf"({D}(?<![0-9๐-๙/.,:]{D}){D}{{0,3}})(?![0-9๐-๙/.,:])(?=\s*(?:หมู่ที่|หมู่|ม\.)\s*{D})")
_ADMIN = re.compile(r"(?:ตำบล|ต\.|แขวง|อำเภอ|อ\.|เขต|จังหวัด|จ\.|กรุงเทพ)")
# Address parts that name a public place (and the postcode of one), not a household.
_PUBLIC_PART = re.compile(r"(?:ตำบล|ต\.|แขวง|อำเภอ|อ\.|เขต|จังหวัด|จ\.|กรุงเทพ|กทม|" + D + r"{5})")


def _addresses(text: str) -> list[PersonalSpan]:
    out: list[PersonalSpan] = []
    for rx in (_HOUSE, _BARE_HOUSE, _BARE_NUMBER):
        for m in rx.finditer(text):
            start = m.start(1)
            end = m.end(1)
            parts = 0
            personal_end = end  # the house number, หมู่, ซอย, ถนน: what points at one household
            while True:
                p = _PART.match(text, end)
                if not p or p.end() == end:
                    break
                if personal_end == end and not _PUBLIC_PART.match(p.group().lstrip(" ,，")):
                    personal_end = p.end()
                end = p.end()
                parts += 1
            label = text[m.start() : m.start(1)]
            # "บ้านเลขที่ 9" is an address on its own; "เลขที่ 12" alone is as likely a letter or contract number.
            if parts == 0 and "บ้าน" not in label and "ที่อยู่" not in label:
                continue
            if rx is _BARE_NUMBER and len(_ADMIN.findall(text[start:end])) < 2:
                continue
            if any(o.start <= start < o.end for o in out):
                continue
            # Sub-district, district, province and postcode name places, not the person: they stay in the text.
            out.append(PersonalSpan(start, personal_end, "address", text[start:personal_end]))
    return out


# ---------------------------------------------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------------------------------------------
FORMAL_TITLES = frozenset(
    "นาย นาง นางสาว น.ส. ด.ช. ด.ญ. เด็กชาย เด็กหญิง คุณ ดร. นพ. พญ. นายแพทย์ แพทย์หญิง ผศ. รศ. ศ. ผศ.ดร. รศ.ดร. "
    "อาจารย์ Mr. Mrs. Ms. Miss".split()
)
KIN_TITLES = frozenset(
    "ลุง ป้า น้า ยาย ตา ปู่ ย่า พี่ น้อง พ่อ แม่ พ่อหลวง แม่หลวง พ่อใหญ่ แม่ใหญ่ คุณป้า คุณลุง คุณยาย คุณตา คุณแม่ คุณพ่อ "
    "คุณน้า คุณปู่ คุณย่า เจ๊ เฮีย ครู หมอ กำนัน ผู้ใหญ่บ้าน ผู้ใหญ่ ผอ. อสม. พี่สาว พี่ชาย น้องสาว น้องชาย".split()
)
TITLES = FORMAL_TITLES | KIN_TITLES
# Offices whose holders are public figures: a name right after one of these is "named as such" and stays.
PUBLIC_ROLES = re.compile(
    r"(?:นายกรัฐมนตรี|นายกฯ|รัฐมนตรี\S*|รมว\.\S*|รมต\.|ผู้ว่าราชการจังหวัด\S*|ผู้ว่าฯ\S*|ผู้ว่าราชการ\S*|รองผู้ว่าราชการ\S*|"
    r"นายอำเภอ\S*|ส\.ส\.\S*|ส\.ว\.|สมาชิกสภาผู้แทนราษฎร\S*|สมาชิกวุฒิสภา|ประธานรัฐสภา|ประธานสภา\S*|อธิบดี\S*|"
    r"ปลัดกระทรวง\S*|ประธานาธิบดี\S*|เอกอัครราชทูต\S*|นายกเทศมนตรี\S*|นายกองค์การบริหารส่วน\S*|นายก\s?อบ[ตจ]\.\S*|"
    r"ผู้ว่าการ\S*|ศิลปินแห่งชาติ|เลขาธิการ\S*)\s*$"
)
# Words that follow a title or kin term without being a name: pronouns, plurals, kin, roles, occupations.
NOT_NAME = frozenset(
    """ๆ ทุกคน ทุกท่าน ท่าน เขา เธอ เรา ชาย สาว หญิง เลี้ยง บ้าน ค้า ครัว ใหญ่ หลวง ครู หมอ พยาบาล อาสา อาสาสมัคร
    เจ้าหน้าที่ นักศึกษา นักเรียน เยาวชน ทีม ทีมงาน กลุ่ม ชาวบ้าน ชาว ประธาน รองประธาน เลขา เลขานุการ กรรมการ สมาชิก
    ผู้นำ แกนนำ ผู้ใหญ่บ้าน ผู้ป่วย ผู้สูงอายุ คน ผู้ นักพัฒนา พัฒนากร วิทยากร พี่เลี้ยง ลูก หลาน เพื่อน ผัว เมีย สามี ภรรยา
    ครอบครัว เจ้าของ ชาวนา ชาวสวน เกษตรกร แรงงาน คุณภาพ คุณค่า คุณธรรม คุณสมบัติ ข้างบ้าน แถวนี้ ที่นี่ นั่น นี่ นี้ นั้น
    อา เลขที่ พื้นบ้าน ทุก แต่ละ บาง หลาย อีก ทั้ง ทั้งสอง ทั้งสาม ต่างๆ ต่าง เอง ด้วยกัน อายุ ตอนนี้ ตอนนั้น""".split()
)
# Verbs and function words that end a name written without a space ("ป้าแดงเล่าว่า"), or show that the word after a
# kin term is not a name at all ("แม่แยกขวด", "ยายจำได้").
VERBS = frozenset(
    """เล่า บอก กล่าว พูด ถาม ตอบ อธิบาย แนะนำ ชวน พา ช่วย ทำ ขาย ซื้อ ปลูก ดูแล สอน เรียน ไป มา อยู่ คิด เห็น รู้ ต้อง อยาก
    ให้ เอา ใช้ ทำงาน เริ่ม ตั้ง เปิด ปิด นำ ส่ง รับ ร่วม เข้า ออก ยืนยัน เสนอ สรุป ฝาก ขอ ชอบ รัก ยิ้ม หัวเราะ ร้องไห้ เดิน นั่ง
    ยืน กิน นอน ตื่น ป่วย เสีย ตาย ท้อ เหนื่อย ดีใจ ภูมิใจ ประทับใจ ยัง เคย เพิ่ง กำลัง จึง เลย แยก จำ จำได้ ได้รับ เล่าว่า
    บอกว่า กล่าวว่า ทำให้ คุย ฟัง ดู อ่าน เขียน เชื่อ หวัง ย้ำ แนะ ควร อาจ ไม่ เป็น มี ได้ ก็ จะ ว่า""".split()
)
# Words that never begin a family name (a family name may begin with มี, ใจ, ศรี...: those are not here).
FUNCTION_START = frozenset(
    "เป็น ได้ ก็ จะ ที่ และ ซึ่ง ไม่ ยัง เคย กำลัง ต้อง ให้ ว่า กับ จาก ใน ของ โดย เพื่อ ถึง แต่ หรือ คือ อยู่ ไป มา "
    "เล่า บอก กล่าว พูด ถาม ได้รับ ทำ ช่วย พา ขอ นำ".split()
)
_ROLE_PREFIX = ("คน", "ผู้", "นัก", "ชาว", "เจ้า", "ทีม", "กลุ่ม", "ประธาน", "เลขา", "กรรมการ", "สมาชิก", "ตัวแทน",
                "เหรัญญิก", "หัวหน้า", "ปลัด", "อดีต")
# Place names such as ตำบลแม่ริม, อำเภอแม่สาย contain a kin word.
_PLACE_BEFORE = tuple("ตำบล อำเภอ จังหวัด ต. อ. จ. แขวง เขต ห้วย ดอย น้ำ".split())
# Verbs found inside a run of letters written without spaces ("ขาวบอกว่า" segmented ขาว|บอ|กว่า).
_CUT_INSIDE = re.compile("|".join(sorted((v for v in VERBS if len(v) >= 3), key=len, reverse=True)))
_LATIN_NAME = re.compile(r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?")


@lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """PyThaiNLP's Thai given names (male and female) and family names, read once per process."""
    from pythainlp.corpus import thai_family_names, thai_female_names, thai_male_names

    given = frozenset(n for n in set(thai_male_names()) | set(thai_female_names()) if len(n) >= 2)
    family = frozenset(n for n in thai_family_names() if len(n) >= 2)
    return given, family


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords())


@lru_cache(maxsize=1)
def name_tokenizer() -> WordTokenizer:
    """The word tokenizer with PyThaiNLP's given and family names added, so that a listed name is one word
    ("นาง|อรพิน" rather than "นา|งอ|รพิ|น"); used only for finding names, the document keeps its own words."""
    given, family = name_lists()
    return WordTokenizer(extra_words=given | family | TITLES)


# Compound verbs start with these ("ทำนา", "ช่วยกัน", "ขายของ").
_VERB_PREFIX = ("ทำ", "ช่วย", "ขาย", "ปลูก", "เลี้ยง", "ดูแล", "เล่า", "บอก")


# Words that follow the subject of a clause: a kin term + an ordinary word + one of these is a person named by an
# ordinary word ("ลุงคำ|กับ...", "ตาเหลือง|ยัง...", "ลุงเปลี่ยน|ที"), not a kin term + a verb ("แม่|แยก|ขวด").
SUBJECT_FOLLOW = frozenset("กับ ยัง เป็น ก็ เคย ที จะ บอก เล่า กล่าว พูด ว่า ไม่ และ มัก ชอบ เองก็ นี่ นั่น ด้วย".split())
# After a verb-like name only these: a verb is rarely followed straight by a copula or a conjunction.
_AFTER_VERB_NAME = frozenset("เป็น ยัง ก็ กับ เคย".split())
_CORE_VERBS = frozenset("บอก เล่า กล่าว พูด ถาม ตอบ ไป มา อยู่ ให้ ได้ มี เป็น จะ ก็ ว่า ทำ ช่วย พา ขอ นำ ต้อง อยาก "
                        "ยัง เคย กำลัง ไม่ คิด เห็น รู้ ดู ฟัง".split())


def _ordinary_word_name(text: str, tokens: list[Token], j: int) -> bool:
    """A kin term written joined to a dictionary word that a clause then treats as its subject: a name."""
    first = tokens[j]
    if tokens[j - 1].end != first.start or j + 1 >= len(tokens):
        return False
    w = first.text
    if not re.fullmatch(f"[{THAI}]+", w) or w in NOT_NAME or w in TITLES or w in FUNCTION_START or w in _CORE_VERBS \
            or w.startswith(_ROLE_PREFIX):
        return False
    nxt = tokens[j + 1]
    if nxt.start != first.end:
        return False
    if w in VERBS:
        return nxt.text in _AFTER_VERB_NAME
    if nxt.text in SUBJECT_FOLLOW:
        return True
    # A noun used as a name, then the verb whose subject it is ("ลุงคำ|พา...").
    from kcapture.extract.entities import pos_of

    return pos_of(w) != "VV" and pos_of(nxt.text) == "VV" and nxt.text in VERBS


def _not_a_name(word: str) -> bool:
    return (word in NOT_NAME or word in TITLES or word in VERBS or word.startswith(_ROLE_PREFIX)
            or (len(word) > 3 and word.startswith(_VERB_PREFIX)))


def _fragment(word: str) -> bool:
    """A piece the tokenizer cut out of an unknown word (an unlisted name), not a dictionary word."""
    given, family = name_lists()
    return (word not in known_words() and word not in given and word not in family
            and bool(re.fullmatch(f"[{THAI}]+", word)))


def _names(text: str, tokens: list[Token]) -> list[PersonalSpan]:
    out: list[PersonalSpan] = []
    given, family = name_lists()
    stop = _stopwords()
    tokens = _split_titles(tokens)
    n = len(tokens)
    resume = 0  # the first word not yet read: a title inside a name or a title run already read is passed over
    # Only the titles start a name: the other words are skipped in C.
    for i in compress(range(n), map(TITLES.__contains__, map(TEXT, tokens))):
        if i < resume:
            continue
        t = tokens[i]
        if i > 0 and tokens[i - 1].end == t.start and tokens[i - 1].text.endswith(_PLACE_BEFORE):
            continue
        title_start = t.start
        kin = t.text in KIN_TITLES
        j = i + 1
        while j < n and tokens[j].start == tokens[j - 1].end and tokens[j].text in TITLES:  # "คุณ|ยาย", "ผศ.|ดร."
            kin = kin and tokens[j].text in KIN_TITLES
            j += 1
        if j >= n:
            break
        first = tokens[j]
        gap = text[tokens[j - 1].end : first.start]
        # One optional space between a formal title and the name ("คุณ สมศรี"); kin terms are written joined.
        public = PUBLIC_ROLES.search(text[max(0, title_start - 45) : title_start])
        if gap not in ("", " ") or (gap == " " and kin) or public:
            resume = j
            continue
        span = _name_after(text, tokens, j, kin, given, family, stop)
        if span is None:
            resume = j
            continue
        out.append(PersonalSpan(span[0], span[1], "name", text[span[0] : span[1]]))
        resume = bisect.bisect_left(tokens, span[1], i, key=START)  # the first word after the name
    return out


_TITLE_PREFIX = re.compile("|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True)))


class _TitleCuts(NamedTuple):
    """Where `_split_titles` may cut a word in two (an offset in the word; 0: not there)."""

    tail: int  # before a formal title that ends the word ("ขอบคุณ|นาย"), when a listed given name follows
    subject: int  # after a kin term starting a dictionary word ("ตา|เหลือง"), when the word is a subject
    unknown: int  # after a title starting a word the dictionary lacks ("น้อง|บาส", "นาย|กฤษดา")
    prefix: int  # after a title starting the word, whatever the word: "นาย|ก" + "ฤษดา" may make a listed name


_NO_CUTS = _TitleCuts(0, 0, 0, 0)


@lru_cache(maxsize=200_000)
def _title_cuts(word: str) -> _TitleCuts:
    """The tests of `_split_titles` that depend on the word alone, done once per distinct word."""
    if word in TITLES:
        return _NO_CUTS
    given, _ = name_lists()
    tail = next((ft for ft in ("นางสาว", "นาย", "นาง") if word.endswith(ft) and len(word) > len(ft)), None)
    m = _TITLE_PREFIX.match(word)
    prefix = m.end() if m and m.end() < len(word) else 0
    subject = unknown = 0
    if prefix:
        rest = word[prefix:]
        if word in known_words():
            if m.group() in KIN_TITLES and rest in given and rest not in NOT_NAME and rest not in TITLES:
                subject = prefix
        elif re.fullmatch(f"[{THAI}]+", rest) and (word in given or rest in given or _fragment(rest)):
            unknown = prefix
    cuts = _TitleCuts(len(word) - len(tail) if tail else 0, subject, unknown, prefix)
    return _NO_CUTS if cuts == _NO_CUTS else cuts


def _cut(t: Token, at: int) -> tuple[Token, Token]:
    """The word `t` as two words, cut at offset `at` of its text."""
    return Token(t.start, t.start + at, t.text[:at]), Token(t.start + at, t.end, t.text[at:])


def _split_titles(tokens: list[Token]) -> list[Token]:
    """Split a word the tokenizer glued to its title ("น้องบาส", "นายกฤษดา" -> "นายก|ฤษดา") unless it is a
    dictionary word in its own right (คุณภาพ, ตาเหลือง, นายก)."""
    cuts_of = list(map(_title_cuts, map(TEXT, tokens)))
    if cuts_of.count(_NO_CUTS) == len(tokens):
        return tokens  # most stretches: no word to cut
    given, _ = name_lists()
    out: list[Token] = []
    for idx, (t, cuts) in enumerate(zip(tokens, cuts_of, strict=True)):
        if cuts is _NO_CUTS:
            out.append(t)
            continue
        nxt = tokens[idx + 1] if idx + 1 < len(tokens) else None
        joined = nxt is not None and nxt.start == t.end
        if cuts.tail and joined and nxt.text in given:
            out.extend(_cut(t, cuts.tail))  # "ขอบ|คุณนาย|กิตติศักดิ์": a formal title before a listed given name
        elif cuts.subject and joined and nxt.text in SUBJECT_FOLLOW:
            # "ตาเหลือง|ยัง...": a dictionary word (jaundice) that is a kin term and a listed name, used as a subject.
            out.extend(_cut(t, cuts.subject))
        elif cuts.unknown:
            out.extend(_cut(t, cuts.unknown))
        else:
            out.append(t)
    # "นายก|ฤษดา": a title word swallowed the first letter of a listed name.
    fixed: list[Token] = []
    k = 0
    while k < len(out):
        t = out[k]
        cut = _title_cuts(t.text).prefix
        if cut and k + 1 < len(out) and out[k + 1].start == t.end:
            rest = t.text[cut:] + out[k + 1].text
            if rest in given:
                fixed.append(Token(t.start, t.start + cut, t.text[:cut]))
                fixed.append(Token(t.start + cut, out[k + 1].end, rest))
                k += 2
                continue
        fixed.append(t)
        k += 1
    return fixed


_SPEAKER_LABEL = re.compile(rf"([{THAI}]{{1,20}})\s*[:：]")
_SPACE_WORD = re.compile(rf" ([{THAI}]+)")


def _name_after(
    text: str, tokens: list[Token], j: int, kin: bool, given: frozenset[str], family: frozenset[str],
    stop: frozenset[str],
) -> tuple[int, int] | None:
    first = tokens[j]
    n = len(tokens)
    # English names after a Thai title: "คุณJohn Smith".
    m = _LATIN_NAME.match(text, first.start)
    if m:
        return first.start, m.end()
    if not re.fullmatch(f"[{THAI}]+", first.text):
        return None
    # A speaker label, "ลุงหมาน: ...", names whoever speaks, whatever the word.
    label = _SPEAKER_LABEL.match(text, first.start)  # match at a position: never copy the rest of the text
    line_start = text.rfind("\n", 0, first.start) + 1
    if label and re.fullmatch(r"\s*(?:\[[^\]]*\]\s*)?\S{0,12}", text[line_start : tokens[j - 1].start]):
        return first.start, first.start + len(label.group(1))
    if kin and _ordinary_word_name(text, tokens, j):
        return first.start, first.end
    if _not_a_name(first.text):  # even when listed: PyThaiNLP's name lists hold words such as ประธาน
        return None
    listed = first.text in given and first.text not in stop
    # A stop word after a formal title is a name only when it stands alone ("คุณนิด เจ้าของร้าน").
    if not listed and first.text in stop and (kin or not re.match(r"[\s,]", text[first.end : first.end + 1])):
        return None
    end = first.end
    k = j + 1
    # Pieces of an unlisted name ("อร|พิน"), or further words of one, until a word that cannot be part of it.
    while k < n and tokens[k].start == tokens[k - 1].end and k - j < 4 and tokens[k].end - first.start <= 15:
        w = tokens[k].text
        if not re.fullmatch(f"[{THAI}]+", w) or not _fragment(w) and (listed or w in stop or _not_a_name(w)):
            break
        end = tokens[k].end
        k += 1
    cut = _CUT_INSIDE.search(text, first.end if listed else first.start + 2, min(len(text), end + 4))
    if cut and cut.start() < end:
        end = cut.start()
    if end <= first.start:
        return None
    # The family name: one space, then a listed family name, or (after a formal title) a word run that looks like one.
    m = _SPACE_WORD.match(text, end)
    if m:
        run_start = end + 1
        run_end = run_start + len(m.group(1))
        idx = bisect.bisect_left(tokens, run_start, key=START)
        run_tokens = []
        if idx < n and tokens[idx].start == run_start:  # the run starts a word
            while idx < n and tokens[idx].start < run_end:
                run_tokens.append(tokens[idx])
                idx += 1
        prefix = 0
        for tt in run_tokens:
            if text[run_start : tt.end] in family and not run_tokens[0].text.startswith(_ROLE_PREFIX) \
                    and run_tokens[0].text not in NOT_NAME:
                prefix = tt.end
        # After a formal title, a family name follows the given name by convention, so a plausible run is taken
        # whole ("ปัญญา|ดี"); after a kin term only a listed family name is.
        plausible = (
            not kin and run_tokens and len(m.group(1)) <= 15 and run_tokens[0].text not in FUNCTION_START
            and not run_tokens[0].text.startswith(_ROLE_PREFIX) and run_tokens[0].text not in NOT_NAME
            and all(tt.text not in FUNCTION_START and tt.text not in VERBS for tt in run_tokens[1:])
            and not PUBLIC_ROLES.search(m.group(1))
        )
        if plausible:
            end = run_end
        elif prefix:
            end = prefix
    return first.start, end


def title_prefix(word: str) -> bool:
    """Whether a word the segmenter did not know starts with a title or kin term ("น้องบาส", "นายกฤษดา")."""
    return bool(_TITLE_PREFIX.match(word))


def title_prefix_length(word: str) -> int:
    m = _TITLE_PREFIX.match(word)
    return m.end() if m else 0


def title_names(text: str, start: int, end: int) -> list[PersonalSpan]:
    """Names after a title or kin term in `text[start:end]` (one sentence or line). The span is re-read with the name
    dictionary (a listed name is one word), which is why callers pass only spans that hold a title."""
    return _names(text, name_tokenizer().tokenize(text[start:end], base=start))


# ---------------------------------------------------------------------------------------------------------------
# An overlap goes to the more specific kind; a labelled account number is not read as a phone number.
_PRIORITY = {"email": 0, "national_id": 1, "account": 2, "phone": 3, "address": 4, "name": 5}


def find_personal_data(text: str, tokenizer: WordTokenizer | None = None, doc: Document | None = None
                       ) -> list[PersonalSpan]:
    """Every personal-data span in `text`, sorted and non-overlapping (the more specific kind wins an overlap).

    Names are the persons of the entity step (`kcapture.extract.entities`): with `doc` (the segmented Document whose
    text is `text`), its words and its cached entities are reused; without, `text` is split into lines and tokenized
    here (by `tokenizer`, default the project's word tokenizer). Places, organisations and programmes are never
    personal data, and a span that would cover one is not taken.
    """
    from kcapture.extract.entities import find_entities, text_document

    if doc is None or doc.text != text:
        doc = text_document(text) if tokenizer is None else _document_with(text, tokenizer)
    entities = find_entities(doc)
    found: list[PersonalSpan] = []
    found += _EMAIL_spans(text)
    found += _national_ids(text)
    found += _phones(text)
    found += _addresses(text)
    found += _accounts(text)
    found += [PersonalSpan(e.start, e.end, "name", e.text) for e in entities if e.kind == "person"]
    found.sort(key=lambda s: (_PRIORITY[s.kind], s.start))
    kept: list[PersonalSpan] = []
    taken: list[tuple[int, int]] = []  # the kept spans, sorted and disjoint: an overlap test is a bisection
    for s in found:
        i = bisect.bisect_left(taken, (s.start,))
        if (i > 0 and taken[i - 1][1] > s.start) or (i < len(taken) and taken[i][0] < s.end):
            continue
        taken.insert(i, (s.start, s.end))
        kept.append(s)
    return sorted(kept, key=lambda s: s.start)


def _document_with(text: str, tokenizer: WordTokenizer) -> Document:
    from kcapture.extract.entities import text_document

    doc = text_document("")
    doc.text = doc.source_text = text
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            doc.sentences.append(Sentence(id=len(doc.sentences), start=pos, end=pos + len(line), text=line, block=0,
                                          tokens=tokenizer.tokenize(line, base=pos)))
        pos += len(line) + 1
    return doc


def _EMAIL_spans(text: str) -> list[PersonalSpan]:  # noqa: N802 - reads as the pattern it wraps
    return [PersonalSpan(m.start(), m.end(), "email", m.group()) for m in _EMAIL.finditer(text)]
