"""Where a Thai sentence may never end, and where it always does: rules that no learned model overrides.

A reader never accepts a sentence that stops inside parentheses or quotation marks, between a number and the word or
acronym it counts (`4 Ps`, `25 คน`), before a word that continues the sentence (`ที่`, `ซึ่ง`, `และ`, `รุ่นที่`),
after a word that needs what follows (`ณ`, `ของ`, `นาย`), or inside a name of the domain dictionary. The segmenter
asks `protected_words` first and only lets the boundary model decide the spaces these rules leave open.

Each word list was checked against the gold sentence breaks of the corpus's training documents: a word is listed
only where the corpus writers (almost) never end a sentence, except ที่ and และ, which the reader's rule names
explicitly (about 3% of the spaces before them end a sentence in the corpus, mostly where a writer began a new
sentence with a conjunction).
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import compress

# A space before one of these continues the sentence.
CONTINUE_BEFORE = frozenset(
    "ที่ ซึ่ง และ รุ่นที่ รุ่น ครั้งที่ ฉบับที่ หรือ เพื่อ กับ เช่น ได้แก่ อาทิ อาทิเช่น ตาม ก็ ทั้ง เป็นต้น จำนวน ต่อ "
    "อยู่ ด้วย มา ครับ ค่ะ คะ นะ นะคะ นะครับ จ้ะ จ้า ฯลฯ ๆ รวมถึง รวมทั้ง ตลอดจน อันได้แก่ ซึ่งเป็น ซึ่งมี "
    "ที่จะ ที่มา ที่อยู่ ที่ว่า ที่ทำงาน".split()  # relative ที่ as the tokenizer joins it to the next word
)
# A space after one of these continues the sentence.
CONTINUE_AFTER = frozenset(
    "ที่ ณ ของ จำนวน วันที่ เช่น อาทิ อาทิเช่น ระหว่าง ตั้งแต่ ประมาณ หลักสูตร รุ่นที่ ครั้งที่ ฉบับที่ "
    "นาย นาง นางสาว น.ส. ดร. ผศ. รศ. ศ. นพ. พญ. พระ คุณ หัวข้อ ภายใต้".split()
)
# Before a quotation or bracket, these name what it holds: โครงการ “...”, แนวคิด “...”, เรื่อง “...”.
NAMING = frozenset("โครงการ แนวคิด กิจกรรม เรื่อง ชื่อ หลักสูตร งาน คำว่า ว่า เครื่องมือ รางวัล คำขวัญ แคมเปญ".split())
_OPENING = ("“", '"', "(", "‘", "«", "[")
# Words a number counts or measures: "25 คน", "5 วัน", "9,800 บ.".
COUNTED = frozenset(
    "คน ราย ท่าน ครั้ง รอบ วัน คืน เดือน ปี ชั่วโมง ชม. นาที วินาที สัปดาห์ บาท บ. ล้าน แสน หมื่น พัน ร้อย "
    "หลัง หลังคาเรือน ครัวเรือน ครอบครัว คัน ชุด ชิ้น แห่ง ตัว เล่ม เครื่อง ใบ ลูก ผืน ต้น กล่อง ถุง ขวด แพ็ค "
    "องค์กร หน่วยงาน โรงเรียน ชมรม หมู่บ้าน เรื่อง ข้อ ด้าน ประเด็น ทีม รุ่น คู่ ไร่ งาน ตารางวา ตารางเมตร "
    "กิโลเมตร กม. กิโลกรัม กก. ตัน ลิตร เมตร ซม. เปอร์เซ็นต์ % คะแนน ฉบับ โครงการ กิจกรรม เท่า จุด ขั้นตอน "
    "ภาษา ประเภท ระดับ ชั้น ห้อง เตียง ที่นั่ง อัน".split()
) | frozenset(  # a day and its month: "14 มิถุนายน", "3 ก.ค."
    "มกราคม กุมภาพันธ์ มีนาคม เมษายน พฤษภาคม มิถุนายน กรกฎาคม สิงหาคม กันยายน ตุลาคม พฤศจิกายน ธันวาคม "
    "ม.ค. ก.พ. มี.ค. เม.ย. พ.ค. มิ.ย. ก.ค. ส.ค. ก.ย. ต.ค. พ.ย. ธ.ค.".split()
)
OPENERS = {"(": ")", "[": "]", "{": "}", "“": "”", "‘": "’", "«": "»"}
_CLOSERS = {v: k for k, v in OPENERS.items()}
STRAIGHT_QUOTES = ('"', "'")
FORCE_MIN_LEFT = 8  # characters a sentence needs before a forced boundary may end it
MAX_ENCLOSED = 500  # a "pair" farther apart than this is two stray marks, not one parenthesis

_NUMBER = re.compile(r"^[\d๐-๙][\d๐-๙,.\-–/]*$")  # also ranges and dates: 23-26, 14/6
_YEAR = re.compile(r"^(?:2[45]\d\d|19\d\d|20\d\d|[๒][๔๕][๐-๙][๐-๙])$")
_ACRONYM = re.compile(r"^[A-Z][A-Z0-9&-]*s?$")
_LATIN_END = re.compile(r"[A-Za-z]$")
_LATIN_START = re.compile(r"^[A-Za-z]")
_ITEM_NUMBER = re.compile(r"^\(?(?:\d{1,2}|[๑-๙])$")
# What `_forces` needs in the line: a ? or !, or an item number (one or two digits; ๑-๙ are digits too) after a space
# and before . or ). Two patterns, each opening with the rarer character it needs (the item number at its first digit,
# the space before it looked behind at): an alternation opening with \s would enter the matcher at every space.
_MAY_FORCE_MARK = re.compile(r"[?!？！]")
_MAY_FORCE_ITEM = re.compile(r"\d(?:(?<=\s\d)|(?<=\s\(\d))\d?\s*[.)]")
_ENCLOSING = re.compile("[()\\[\\]{}“”‘’«»\"']")


def enclosed_spans(line: str) -> list[tuple[int, int]]:
    """(open, close) offsets of the matched brackets and quotation marks of a line; stray marks are ignored.

    A straight quote opens when it follows a space (or starts the line) and closes otherwise, and pairs with curly
    quotes of its kind, because writers mix them (“ไทยเบฟ...รวมใจต้านภัยหนาว ปีที่ 24")."""
    if not _ENCLOSING.search(line):
        return []
    spans: list[tuple[int, int]] = []
    stack: list[tuple[str, int]] = []
    for m in _ENCLOSING.finditer(line):
        ch, i = m.group(), m.start()
        if ch in STRAIGHT_QUOTES:
            prev = line[i - 1] if i else " "
            if ch == "'" and prev.isalpha() and line[i + 1 : i + 2].isalpha():
                continue  # an apostrophe (don't, ASEAN's), not a quotation mark
            opens = prev.isspace() or prev in "([{“‘«"
            kind = "“" if ch == '"' else "‘"
            if opens:
                stack.append((kind, i))
                continue
            want = kind
        elif ch in OPENERS:
            stack.append((ch, i))
            continue
        else:
            want = _CLOSERS[ch]
        # Close the nearest matching opener; openers left inside it were stray.
        for j in range(len(stack) - 1, -1, -1):
            if stack[j][0] == want:
                start = stack[j][1]
                del stack[j:]
                if i - start <= MAX_ENCLOSED:
                    spans.append((start, i))
                break
    return spans


def is_number(word: str) -> bool:
    return bool(_NUMBER.match(word))


def counts(number: str, word: str) -> bool:
    """True if `word` after `number` is what the number counts: a unit or classifier, or an acronym (`4 Ps`)."""
    if _YEAR.match(number):
        return False  # "ปี 2562 วันแรก ...": a year, not a count; a sentence may end after it
    return word in COUNTED or bool(_ACRONYM.match(word))


def open_spaces(space_before: list[bool]) -> list[int]:
    """The indices k >= 1 of the words with a space before them: the only places a sentence may end. (compress
    skips the other words, most of a Thai line, without a Python step each.)"""
    return list(compress(range(1, len(space_before)), space_before[1:]))


def protected_words(words: list[str], starts: list[int], space_before: list[bool], line: str,
                    names: frozenset[str] = frozenset()) -> set[int]:
    """Indices k of the words before which (at the space between words[k-1] and words[k]) no sentence may end."""
    out: set[int] = set()
    spans = enclosed_spans(line)
    for k in open_spaces(space_before):
        left, right = words[k - 1], words[k]
        if (right in CONTINUE_BEFORE or left in CONTINUE_AFTER
                or (_NUMBER.match(left) and counts(left, right))
                or (left in NAMING and right.startswith(_OPENING))
                or (_LATIN_START.match(right) and _LATIN_END.search(left))  # an English phrase or name
                or (names and (left + right) in names)):  # a dictionary name written with a stray space
            out.add(k)
            continue
        if spans:
            pos = starts[k]
            for a, b in spans:
                if a < pos <= b:
                    out.add(k)
                    break
    return out


def forced_word(words: list[str], k: int, left_len: int) -> bool:
    """Boundaries no model should miss: an inline numbered item ("... 2. ...") or a ? / ! ending a sentence.

    (A polite particle, ครับ/ค่ะ, before a space looks like another, but forcing it halves precision on the corpus.)
    """
    return left_len >= FORCE_MIN_LEFT and _forces(words, k)


def forcing_words(words: list[str], candidates: list[int], line: str) -> set[int]:
    """The k of `candidates` where forced_word holds once the sentence so far is FORCE_MIN_LEFT characters long.

    Only a line with a ? or !, or an item number before . or ), can have one: the others are passed over at once."""
    if not (_MAY_FORCE_MARK.search(line) or _MAY_FORCE_ITEM.search(line)):
        return set()
    return {k for k in candidates if _forces(words, k)}


def _forces(words: list[str], k: int) -> bool:
    nxt = words[k + 1] if k + 1 < len(words) else ""
    if _ITEM_NUMBER.match(words[k]) and nxt[:1] in (".", ")"):
        return True
    return words[k - 1][-1:] in ("?", "!", "？", "！")


@lru_cache(maxsize=1)
def dictionary_names() -> frozenset[str]:
    """Names and terms of the domain dictionary (data/domain_words.txt) long enough to be a name, not a word."""
    from kcapture.thai.tokenize import domain_words

    return frozenset(w.replace(" ", "") for w in domain_words() if len(w) >= 6)
