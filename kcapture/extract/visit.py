"""Visit card: what the event was, when and where, who hosted it, how many took part, which projects were seen.

Every field comes from an explicit statement in the text (a label, "ณ ...", a participant count with a participant
word nearby, an enumerated list of projects). A field the text does not state stays None or empty: a wrong visit
card misleads a funder more than a blank one, so each rule prefers missing a value to guessing one.
Values are exact substrings of `Document.text` (trimmed), and `VisitCard.sentence_ids` says where each came from.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from kcapture.document import START, Document, Sentence, VisitCard
from kcapture.extract.entities import Entity, find_entities
from kcapture.thai.dates import find_dates
from kcapture.thai.numbers import to_arabic_digits

THAI = "\u0e01-\u0e4e"
_BULLET = re.compile(r"^\s*(?:#+\s*|[-•*▪●]\s*|\(?\d{1,2}[.)]\s*|\(?[๐-๙]{1,2}[.)]\s*)")

# ---------------------------------------------------------------------------------------------------------------
# Title
# ---------------------------------------------------------------------------------------------------------------
_TITLE_LABEL = re.compile(r"^\s*(?:เรื่อง|หัวข้อ|ชื่อกิจกรรม|ชื่องาน|ชื่อเวที|Title|Subject)\s*(?:[:：]\s*|\s+)", re.I)
# Words that make a short first line look like a report title rather than the first sentence of a story.
_TITLE_WORDS = re.compile(
    r"บันทึก|รายงาน|สรุป|ประชุม|อบรม|ดูงาน|ครั้งที่|หลักสูตร|เวที|ถอดบทเรียน|สัมมนา|ลงพื้นที่|เยี่ยม|แลกเปลี่ยน|กิจกรรม"
    r"|เรียนรู้|โครงการ|การประชุม|workshop|report|minutes|visit",
    re.I,
)
# Section headings that structure a report; they are never its title.
_SECTION_HEADINGS = (
    "วัตถุประสงค์", "ผลการ", "บทนำ", "ความเป็นมา", "หลักการและเหตุผล", "สรุป", "ข้อเสนอแนะ", "บทเรียน", "ปัญหา",
    "ผู้เข้าร่วม", "กำหนดการ", "ภาคผนวก", "สิ่งที่ได้เรียนรู้", "กิจกรรมที่", "วันที่", "สถานที่", "ที่มา",
)
# A first line opening like a diary entry or ending with a spoken particle is a sentence, not a title.
_STORY_START = re.compile(r"^(?:วันนี้|เมื่อวาน|เช้านี้|ตอนเช้า|ตอนบ่าย|ผม|ดิฉัน|ฉัน|หนู|เรา|พวกเรา|พี่|ก็|วันที่|เมื่อวันที่|ในวันที่)")
_STORY_END = re.compile(r"(?:ครับ|ค่ะ|คะ|นะ|จ้ะ|จ้า|เลย|มา|แล้ว)\s*$")


def _title(doc: Document) -> tuple[str | None, list[int]]:
    blocks = [(i, b) for i, b in enumerate(doc.blocks) if doc.text[b.start : b.end].strip()]
    # 1. An explicit label ("เรื่อง ...", "หัวข้อ: ...") near the top.
    for _i, b in blocks[:12]:
        line = doc.text[b.start : b.end].split("\n", 1)[0]
        m = _TITLE_LABEL.match(_BULLET.sub("", line, count=1) if b.kind == "heading" else line)
        if m:
            offset = len(line) - len(_BULLET.sub("", line, count=1)) if b.kind == "heading" else 0
            start = b.start + offset + m.end()
            value = _clean(doc.text, start, b.start + len(line))
            if value:
                return value[0], _sentences_in(doc, value[1], value[2])
    if doc.format in ("srt", "vtt"):
        return None, []  # a transcript's first cue is speech, not a title
    # 2. The first heading, or a short title-like first line.
    for n, (_i, b) in enumerate(blocks[:3]):
        if b.kind in ("list_item", "cue", "table_cell") or b.speaker:
            continue
        line_end = doc.text.find("\n", b.start, b.end)
        line_end = b.end if line_end < 0 else line_end
        lead = len(doc.text[b.start : line_end]) - len(_BULLET.sub("", doc.text[b.start : line_end], count=1))
        cleaned = _clean(doc.text, b.start + lead, line_end)
        if not cleaned:
            continue
        value, s, e = cleaned
        if _is_section_heading(value) or _is_date_line(value) or re.match(r"^[^:：]{1,20}[:：]", value):
            continue
        if b.kind == "heading" and len(value) <= 200:
            return value, _sentences_in(doc, s, e)
        # A paragraph is a title only as the very first line of the file, short and worded like one.
        if n == 0 and len(value) <= 160 and _TITLE_WORDS.search(value) and not _STORY_START.match(value) \
                and not _STORY_END.search(value):
            return value, _sentences_in(doc, s, e)
    return None, []


def _is_section_heading(value: str) -> bool:
    v = value.strip(" :：")
    return len(v) <= 30 and any(v.startswith(h) for h in _SECTION_HEADINGS)


def _is_date_line(value: str) -> bool:
    rest = value
    for d in find_dates(value):
        rest = rest.replace(d.text, "")
    return len(re.sub(r"วันที่|ระหว่าง|วัน\S{0,8}ที่|[\s:：,()-]", "", rest)) < 4


# ---------------------------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------------------------
_DATE_BEFORE_GOOD = re.compile(r"(?:วันที่|ระหว่างวันที่|เมื่อวันที่|ในวันที่|วัน\S{1,8}ที่|เมื่อ|ระหว่าง|ช่วงวันที่)\s*$")
# A reporting period, a deadline, a document date or the next meeting is not the date of the visit.
_DATE_BEFORE_BAD = re.compile(
    r"ประจำเดือน|ประจำงวด|งวดที่|ระยะเวลาโครงการ|ระยะเวลาดำเนินการ|ช่วงรายงาน|รอบรายงาน|ภายใน|ลงวันที่|วันที่รายงาน|"
    r"วันที่พิมพ์|ครบกำหนด|กำหนดส่ง|ครั้งต่อไป|ครั้งหน้า|ถัดไป|นัดหมาย|นัดประชุม|จะจัด|ปีงบประมาณ|ตั้งแต่เดือน"
)


def _dates(doc: Document) -> tuple[str | None, str | None, list[int]]:
    best: tuple[int, int] | None = None
    chosen = None
    head_end = doc.blocks[min(4, len(doc.blocks) - 1)].end if doc.blocks else 0
    for d in find_dates(doc.text):
        before = doc.text[max(0, d.start - 40) : d.start]
        line_start = doc.text.rfind("\n", 0, d.start) + 1
        before_line = doc.text[max(line_start, d.start - 40) : d.start]
        if _DATE_BEFORE_BAD.search(before_line) or _DATE_BEFORE_BAD.search(_sentence_text_at(doc, d.start)):
            continue
        score = 0
        if _DATE_BEFORE_GOOD.search(before):
            score += 2
        if d.start < head_end:
            score += 1
        if d.date_start != d.date_end:
            score += 1  # a range is what a visit or a course session states
        key = (score, -d.start)
        if best is None or key > best:
            best, chosen = key, d
    if chosen is None:
        return None, None, []
    return chosen.date_start, chosen.date_end, _sentences_in(doc, chosen.start, chosen.end)


def _sentence_text_at(doc: Document, pos: int) -> str:
    """The sentence containing `pos` (bisection by key: a dozen sentences read, not a list of all their starts)."""
    i = bisect.bisect_right(doc.sentences, pos, key=START) - 1
    return doc.sentences[i].text if i >= 0 and pos < doc.sentences[i].end else ""


# ---------------------------------------------------------------------------------------------------------------
# Venue
# ---------------------------------------------------------------------------------------------------------------
_VENUE_LABEL = re.compile(
    r"^[ \t>*#•-]*สถานที่(?:จัด(?:งาน|กิจกรรม|ประชุม|อบรม)?|ดูงาน|ศึกษาดูงาน|ประชุม|อบรม)?\s*[:：]\s*"
    r"|^[ \t>*#•-]*สถานที่(?:จัด(?:งาน|กิจกรรม|ประชุม|อบรม)?|ดูงาน|ศึกษาดูงาน)\s+"
    # "สถานที่ ห้องประชุม...": the bare label and a space, when a kind of place follows.
    r"|^[ \t>*#•-]*สถานที่\s+(?=โรงแรม|ห้อง|ศาลา|ศูนย์|อาคาร|หอประชุม|สำนักงาน|วัด|โรงเรียน|มหาวิทยาลัย|ที่ทำการ|"
    r"มูลนิธิ|สมาคม|บ้าน|รีสอร์ท|อุทยาน)"
)
# "ณ ปัจจุบัน", "ณ วันที่ ...": ณ about time, not place.
_NOT_PLACE = re.compile(r"^(?:ปัจจุบัน|ขณะ|ตอน|เวลา|วันที่|วัน|ช่วง|สิ้น|ที่นี้|ที่นั่น|นั้น|นี้|จุดนี้|เดือน|ปี|สถานการณ์)")
_PLACE_AFTER_THI = re.compile(
    r"(?:จัดขึ้นที่|จัดที่|ประชุมที่|อบรมที่|ดูงานที่|เรียนรู้ที่|ไปที่|ไปยัง)\s*(?=(?:โรงแรม|ห้องประชุม|ศูนย์|สำนักงาน|วัด|โรงเรียน|อาคาร|หอประชุม|ศาลา|"
    r"ที่ทำการ|บ้านพัก|รีสอร์ท|มหาวิทยาลัย|มูลนิธิ|สมาคม|ชมรม|สหกรณ์|วิสาหกิจ|กลุ่ม|โรงพยาบาล|เทศบาล|"
    r"องค์การบริหารส่วน|ชุมชน))"
)
_VENUE_STOP = re.compile(
    r"\s*[(（]|\s+(?=(?:โดย|เพื่อ|ซึ่ง|มีผู้|มี|ระหว่าง|ตั้งแต่|วันที่|ในวันที่|เมื่อ|เวลา|จำนวน|ผู้เข้าร่วม|คณะ|ทั้งนี้|ร่วมกับ|"
    r"พร้อม|และได้|ได้|หัวข้อ|ภายใต้)(?![ก-ฮ]*(?:ตำบล|อำเภอ)))|\s*\n|\s*[;；]"
)
# A sentence that starts like one of these continues the place ("ณ ห้องประชุมใหญ่ | สำนักงานสมาคม... | จังหวัด...").
_ADDRESS_PART = re.compile(
    r"^(?:ตำบล|อำเภอ|จังหวัด|ต\.|อ\.|จ\.|แขวง|เขต|ถนน|ถ\.|ซอย|ซ\.|กรุงเทพ|กทม|หมู่|บ้าน|สำนักงาน|อาคาร|ชั้น|ห้อง|"
    r"มหาวิทยาลัย|โรงเรียน|โรงแรม|ศูนย์|มูลนิธิ|สมาคม|วัด|ศาลา|ที่ทำการ|อุทยาน)"
)


def _venue(doc: Document, entities: list[Entity]) -> tuple[str | None, list[int]]:
    # 1. A labelled line: "สถานที่: ...", "สถานที่ดูงาน ...".
    for b in doc.blocks:
        line_start = b.start
        while line_start < b.end:  # every line of the block: a plain-text paragraph may hold several labels
            line_end = doc.text.find("\n", line_start, b.end)
            line_end = b.end if line_end < 0 else line_end
            m = _VENUE_LABEL.match(doc.text[line_start:line_end])
            if m:
                found = _venue_value(doc, line_start + m.end(), line_end, entities, labelled=True)
                if found:
                    return found
            line_start = line_end + 1
    # 2. "ณ <place>", the usual way a Thai report states where an event took place.
    for s in doc.sentences:
        for t in s.tokens:
            if t.text != "ณ":
                continue
            start = t.end
            while start < len(doc.text) and doc.text[start] in " \t\u00a0":
                start += 1
            if _NOT_PLACE.match(doc.text[start : start + 20]):
                continue
            found = _venue_value(doc, start, _block_end(doc, start), entities)
            if found:
                return found
    # 3. "จัดขึ้นที่โรงแรม ...": ที่ followed by a kind of place.
    m = _PLACE_AFTER_THI.search(doc.text)
    if m:
        found = _venue_value(doc, m.end(), _block_end(doc, m.end()), entities)
        if found:
            return found
    return None, []


def _venue_value(
    doc: Document, start: int, limit: int, entities: list[Entity], labelled: bool = False
) -> tuple[str, list[int]] | None:
    end = limit
    stop = None if labelled else _VENUE_STOP.search(doc.text, start, limit)  # a labelled line is all venue
    if stop:
        end = stop.start()
    for d in find_dates(doc.text[start:end]):
        end = min(end, start + d.start)
        break
    # A sentence break inside the value ends it, unless the next sentence continues the address.
    for sid in _sentences_in(doc, start, end):
        s = doc.sentences[sid]
        if not labelled and start < s.start < end and not _ADDRESS_PART.match(s.text):
            end = s.start
            break
    if end - start > 150:
        cut = doc.text.rfind(" ", start, start + 150)
        end = cut if cut > start else start + 150
    # Never end inside a name: an organisation or place the cut falls in is taken whole ("ศูนย์...|มูลนิธิเมา|ไม่ขับ").
    for e in entities:
        if e.kind in ("organization", "place") and e.start < end < e.end and e.start >= start and e.end - start <= 160:
            end = e.end
    cleaned = _clean(doc.text, start, end)
    if not cleaned or len(cleaned[0]) < 3:
        return None
    return cleaned[0], _sentences_in(doc, cleaned[1], cleaned[2])


def _block_end(doc: Document, pos: int) -> int:
    i = bisect.bisect_right([b.start for b in doc.blocks], pos) - 1
    if i >= 0 and pos < doc.blocks[i].end:
        return doc.blocks[i].end
    return len(doc.text)


# ---------------------------------------------------------------------------------------------------------------
# Host organisations
# ---------------------------------------------------------------------------------------------------------------
ORG_HEADS = (
    "มูลนิธิ", "สมาคม", "ชมรม", "สหกรณ์", "วิสาหกิจชุมชน", "วิสาหกิจเพื่อสังคม", "องค์การบริหารส่วนตำบล",
    "องค์การบริหารส่วนจังหวัด", "เทศบาลตำบล", "เทศบาลเมือง", "เทศบาลนคร", "โรงพยาบาลส่งเสริมสุขภาพตำบล", "โรงพยาบาล",
    "สถาบัน", "บริษัท", "ห้างหุ้นส่วน", "ศูนย์", "สภาองค์กรชุมชน", "เครือข่าย", "กลุ่ม", "สำนักงาน", "โรงเรียน",
    "มหาวิทยาลัย", "วัด", "อบต.", "รพ.สต.", "ธนาคาร", "กองทุน",
)
_HOST_CUE = re.compile(
    r"ลงพื้นที่|ศึกษาดูงาน|ดูงาน|เยี่ยมชม|กรณีศึกษา|เจ้าภาพ|ต้อนรับ|จัดโดย|ผู้จัด|ร่วมจัด|เยี่ยมเยียน|เข้าเยี่ยม|ไปเยี่ยม|"
    r"แลกเปลี่ยนเรียนรู้กับ|เรียนรู้จาก|พาชม|นำชม|เรียนรู้ที่|ไปเรียนรู้|เดินทางไป|ไปยัง|บรรยายสรุป|ให้การต้อนรับ"
)  # no bare "ณ" here: it is inside ordinary words (ประมาณ); venue sentences count through `venue_ids`
_VISITORS_FROM = re.compile(r"(?:จาก|ตัวแทน|ตัวแทนจาก|สังกัด)$")
_LEARNED_FROM = re.compile(r"(?:เรียนรู้|ดูงาน|ศึกษา|ความรู้|ประสบการณ์)จาก$")
_ORG_RE = re.compile(r"(?:" + "|".join(re.escape(h) for h in sorted(ORG_HEADS, key=len, reverse=True)) + ")")


def _hosts(doc: Document, venue_ids: list[int], entities: list[Entity]) -> tuple[list[str], list[int]]:
    """Organisations named in the sentences that say who received the visit, as whole names from the entity step
    (gazetteer names such as มูลนิธิเมาไม่ขับ are never cut where the word segmenter cut them)."""
    names: list[str] = []
    ids: list[int] = []
    orgs = [e for e in entities if e.kind == "organization"]
    starts = list(map(START, doc.sentences))  # one bisection per organisation: a list pays off here
    has_cue: dict[int, bool] = {}  # by sentence id: a sentence often names several organisations
    for e in orgs:
        i = bisect.bisect_right(starts, e.start) - 1
        if i < 0:
            continue
        s = doc.sentences[i]
        if s.id not in has_cue:
            has_cue[s.id] = _HOST_CUE.search(s.text) is not None
        if not (has_cue[s.id] or s.id in venue_ids):
            continue
        # "ผู้เข้าร่วม 22 คน จากเครือข่าย...": where the visitors come from, not who hosted them.
        before = doc.text[max(s.start, e.start - 20) : e.start].rstrip()
        if _VISITORS_FROM.search(before) and not _LEARNED_FROM.search(before):
            continue
        name = e.text
        if _ORG_RE.match(name) is None:
            continue  # the CRF's organisations without a head word are too often programmes or places
        if name not in names and not any(name in n for n in names):
            names = [n for n in names if n not in name]  # keep the longest form
            names.append(name)
        if s.id not in ids:
            ids.append(s.id)
    return names, ids


# ---------------------------------------------------------------------------------------------------------------
# Participants
# ---------------------------------------------------------------------------------------------------------------
# A number (1-3 digits with thousands groups, or 4-5 digits) not after a digit or punctuation, then a person unit.
# The look-behind comes after the first digit, so that the engine skips ahead to digits instead of trying each place.
_COUNT = re.compile(
    r"([\d๐-๙](?<![\d๐-๙.,/:-].)(?:[\d๐-๙]{0,2}(?:,[\d๐-๙]{3})*|[\d๐-๙]{3,4}))"
    r"\s*(คน|ท่าน|ราย|participants?|people|persons?)"
)
_PARTICIPANT_CUE = re.compile(
    r"ผู้เข้าร่วม|ผู้เข้าอบรม|ผู้เข้าประชุม|ผู้เข้าสัมมนา|ผู้ร่วมกิจกรรม|ผู้ร่วมประชุม|ผู้ร่วมเดินทาง|ผู้ร่วมเรียนรู้|ผู้ร่วมเวที|"
    r"ผู้ศึกษาดูงาน|คณะศึกษาดูงาน|คณะดูงาน|คณะผู้ศึกษาดูงาน|คณะผู้ดูงาน|ผู้เรียน|ผู้มาร่วม|มีผู้มา|ผู้ร่วมงาน|participants?",
    re.I,
)
_CUE_AFTER = re.compile(
    r"^\s*(?:ได้)?(?:เข้าร่วม|ร่วมกิจกรรม|ร่วมเดินทาง|ร่วมเรียนรู้|ร่วมประชุม|ร่วมเวที|เข้าอบรม|ไปเรียนรู้|ไปศึกษาดูงาน|"
    r"ไปดูงาน|เดินทางไป|attended)")
_CUE_BEFORE = re.compile(r"(?:เข้าร่วม|ร่วมกิจกรรม|ร่วมเดินทาง|ร่วมประชุม|เข้าอบรม|เข้าประชุม)\s*(?:จำนวน|ทั้งหมด|ทั้งสิ้น)?\s*$")
_TOTAL_BEFORE = re.compile(
    r"(?:รวมทั้งสิ้น|รวมทั้งหมด|รวม|ทั้งหมด|ทั้งสิ้น|จำนวนทั้งสิ้น|จำนวน|total)\s*(?:จำนวน)?\s*$", re.I)
_TAKING_PART = re.compile(r"เข้าร่วม|ร่วมกิจกรรม|ร่วมเดินทาง|ร่วมประชุม|ร่วมเรียนรู้|เดินทาง|ดูงาน|อบรม|คณะ|สัมมนา|เวที")
# A count right after one of these counts someone else: patients, members, a breakdown by sex, the staff.
_OTHER_BEFORE = re.compile(
    r"(?:ผู้ป่วย|ผู้สูงอายุ|เด็ก|นักเรียน|สมาชิก|ครัวเรือน|ชาวบ้าน|อาสาสมัคร|อสม\.?|ผู้พิการ|คนพิการ|คนไร้บ้าน|ผู้ต้องขัง|"
    r"เจ้าหน้าที่|วิทยากร|ทีมงาน|คณะทำงาน|ชาย|หญิง|เพศ\S*|ครอบครัว|ผู้ติดเชื้อ|ผู้ใช้บริการ|ผู้รับบริการ|ลูกค้า|พนักงาน|"
    r"กรรมการ|ผู้ด้อยโอกาส|แรงงาน|ผู้ประสบภัย|ราย|เยาวชน|นักศึกษา|ผู้หญิง|ผู้ชาย|ผู้ใหญ่|ผู้นำ|แกนนำ|ครู|"
    r"ละ|ครั้งละ|กลุ่มละ|ทีมละ|ไม่เกิน|ประมาณ\S*ต่อ)\s*(?:จำนวน|ประมาณ|กว่า|เกือบ)?\s*$"
)


def _participants(doc: Document) -> tuple[int | None, list[int]]:
    best: tuple[int, int] | None = None
    chosen: tuple[int, int] | None = None  # (value, offset)
    for b in doc.blocks:
        block = doc.text[b.start : b.end]
        for m in _COUNT.finditer(block):
            value = int(to_arabic_digits(m.group(1)).replace(",", ""))
            if value <= 0 or value > 100_000:
                continue
            before = block[max(0, m.start() - 250) : m.start()]
            after = block[m.end() : m.end() + 30]
            cue_after = _CUE_AFTER.match(after) is not None
            score = 3 if cue_after else 0
            if _PARTICIPANT_CUE.search(before) or _CUE_BEFORE.search(before):
                score += 2  # "ผู้เข้าร่วม ... 25 คน", "...ผู้สูงอายุเข้าร่วม 45 คน"
            if _TOTAL_BEFORE.search(before):
                score += 1
                # "รวมทั้งสิ้น 25 คน", "จำนวน ๒๕ คน": a total in a sentence about taking part counts on its own.
                sentence = _sentence_text_at(doc, b.start + m.start())
                if _TAKING_PART.search(sentence) or _PARTICIPANT_CUE.search(sentence):
                    score += 1
            if score < 2:
                continue
            # Someone else's count (patients, members, ...) is ruled out last: its test, a pattern anchored at the end
            # of 250 characters, is the costliest, and only a count that would be taken needs it.
            if not cue_after and _OTHER_BEFORE.search(before):
                continue
            key = (score, -(b.start + m.start()))
            if best is None or key > best:
                best, chosen = key, (value, b.start + m.start())
    if chosen is None:
        return None, []
    return chosen[0], _sentences_in(doc, chosen[1], chosen[1] + 1)


# ---------------------------------------------------------------------------------------------------------------
# Projects observed
# ---------------------------------------------------------------------------------------------------------------
PROJECT_HEADS = ("โครงการ", "แผนงาน", "ศูนย์", "ธนาคาร", "กองทุน", "ตลาดนัด", "กิจกรรม")
# A project word at the start, after a space or punctuation, or after และ / หรือ / รวมทั้ง. Each word comes first and
# is followed by the look-behinds (which then reach back over it), so that the engine can skip ahead to the words.
_HEAD_RE = re.compile(
    "|".join(
        f"{head}(?:(?<=^{head})|(?<=[\\s,，、(“\"']{head})|(?<=และ{head})|(?<=หรือ{head})|(?<=รวมทั้ง{head}))"
        for head in PROJECT_HEADS
    )
)
_ITEM_CUT = frozenset("ที่ ซึ่ง โดย ซึ่งเป็น ที่มี ที่มีการ เป็นต้น ฯลฯ ได้แก่ อาทิ อาทิเช่น เช่น ประกอบด้วย ของ ใน".split())
_SEPARATOR_GAP = re.compile(r"^[\s,，、]*(?:และ|หรือ|รวมทั้ง|ตลอดจน)?[\s,，、]*$")
_DESCRIPTIVE_GAP = re.compile(r"^\s*(?:ที่|ซึ่ง|โดย|อัน|เป็น|สำหรับ|เพื่อ)[^\n]{0,200}?[\s,，、]*(?:และ|หรือ)?[\s,，、]*$")
_LIST_INTRO = re.compile(r"(?:อาทิ|เช่น|ได้แก่|ประกอบด้วย|มีทั้ง|ดังนี้|คือ|[:：])\s*$")
_LIST_END = re.compile(r"^\s*(?:เป็นต้น|ฯลฯ)")
_GENERIC_PROJECT = re.compile(r"^(?:ต่าง|นี้|นั้น|ดังกล่าว|เหล่านี้|อื่น|ทาง|ที่|ของ|ใน|และ|หลาย|ทุก|แต่ละ|ละ|เดิม|ใหม่$|หลัก$)")
_VISIT_CUE = re.compile(r"(?:ศึกษาดูงาน|ดูงาน|เยี่ยมชม|ลงพื้นที่(?:เรียนรู้)?)\s*$")


@dataclass
class _Item:
    start: int
    end: int
    sentence: int


_PROJECT_HEAD = re.compile("|".join(PROJECT_HEADS))
_QUOTED_NAME = re.compile(r"\s?[“\"'‘]([^”\"'’\n]{2,80})[”\"'’]")
_NAME_PART = re.compile(f"[{THAI}A-Za-z0-9.]+")
_LETTER = re.compile(f"[{THAI}A-Za-z]")


def _item_at(doc: Document, s: Sentence, start: int, limit: int) -> _Item | None:
    head = _PROJECT_HEAD.match(doc.text, start, limit)
    if head is None:
        return None
    pos = head.end()
    # A quoted name: โครงการ “อ่านสร้างชาติ”.
    q = _QUOTED_NAME.match(doc.text, pos, limit)
    if q:
        return _Item(start, q.end(), s.id)
    if doc.text[pos : pos + 1].isspace():
        return None  # "โครงการ นธส.": an abbreviation after a space is a reference, not a listed item
    end = pos
    for t in s.tokens:
        if t.end <= pos:
            continue
        if t.start >= limit or t.start != end and t.start > pos:
            break  # whitespace ends the name
        if not _NAME_PART.fullmatch(t.text):
            break
        if t.start > pos and (t.text in _ITEM_CUT or any(t.text.startswith(h) for h in PROJECT_HEADS)
                              and _HEAD_RE.match(doc.text, t.start) and doc.text[t.start - 1] in "และหรือ"):
            break
        end = t.end
    name = doc.text[pos:end]
    if len(name) < 2 or _GENERIC_PROJECT.match(name) or not _LETTER.search(name):
        return None
    return _Item(start, end, s.id)


def _projects(doc: Document) -> tuple[list[str], list[int]]:
    items: list[str] = []
    ids: list[int] = []

    def add(found: list[_Item]) -> None:
        for it in found:
            name = doc.text[it.start : it.end].strip()
            if name not in items:
                items.append(name)
            if it.sentence not in ids:
                ids.append(it.sentence)

    by_block: dict[int, list[Sentence]] = {}
    for s in doc.sentences:
        by_block.setdefault(s.block, []).append(s)
    # Inline enumerations inside a paragraph: "... อาทิ โครงการ ก, โครงการ ข และโครงการ ค เป็นต้น".
    for bi, b in enumerate(doc.blocks):
        if b.kind == "list_item":
            continue
        sents = by_block.get(bi, [])
        found: list[_Item] = []
        for s in sents:
            for m in _HEAD_RE.finditer(doc.text, s.start, s.end):
                it = _item_at(doc, s, m.start(), s.end)
                if it and not (found and it.start < found[-1].end):
                    found.append(it)
        for group in _group_items(doc, found):
            before = doc.text[max(b.start, group[0].start - 40) : group[0].start]
            after = doc.text[group[-1].end : group[-1].end + 120]
            if len(group) >= 3 or _LIST_INTRO.search(before) or _LIST_END.match(after) \
                    or _LIST_END.match(_strip_description(after)):
                add(group)
            elif len(group) == 1 and _VISIT_CUE.search(before):
                add(group)
    # Bulleted lists: consecutive list items that each start with a project word.
    run: list[_Item] = []
    for bi, b in enumerate(doc.blocks + [None]):  # type: ignore[list-item]
        it = None
        if b is not None and b.kind == "list_item":
            lead = len(doc.text[b.start : b.end]) - len(_BULLET.sub("", doc.text[b.start : b.end], count=1))
            s = next((s for s in by_block.get(bi, []) if s.start <= b.start + lead < s.end), None)
            if s is not None:
                it = _item_at(doc, s, b.start + lead, b.end)
        if it:
            run.append(it)
            continue
        if len(run) >= 2:
            add(run)
        run = []
    return items, ids


def _group_items(doc: Document, found: list[_Item]) -> list[list[_Item]]:
    groups: list[list[_Item]] = []
    for it in found:
        if groups:
            gap = doc.text[groups[-1][-1].end : it.start]
            if _SEPARATOR_GAP.match(gap) or _DESCRIPTIVE_GAP.match(gap):
                groups[-1].append(it)
                continue
        groups.append([it])
    return groups


def _strip_description(after: str) -> str:
    m = re.match(r"^\s*(?:ที่|ซึ่ง)\S*", after)
    return after[m.end() :] if m else after


# ---------------------------------------------------------------------------------------------------------------
# Course, cohort, session
# ---------------------------------------------------------------------------------------------------------------
_COURSE = re.compile(r"หลักสูตร\s?[" + THAI + r"A-Za-z]+?(?=\s*(?:รุ่น|ครั้ง|\s|$|[:：,(]))")
_COHORT = re.compile(r"รุ่นที่\s*[\d๐-๙]+|รุ่น\s*[\d๐-๙]+(?![\d๐-๙/])")
_SESSION = re.compile(r"ครั้งที่\s*[\d๐-๙]+(?:/[\d๐-๙]{2,4})?")


def _course(doc: Document, title: str | None) -> tuple[str | None, str | None, str | None, list[int]]:
    course = cohort = session = None
    ids: list[int] = []
    for s in doc.sentences:
        m = _COURSE.search(s.text)
        if m and course is None:
            course = m.group()
            ids.append(s.id)
        c = _COHORT.search(s.text)
        if c and cohort is None and (m or course is None or s.id in ids):
            cohort = c.group()
            if s.id not in ids:
                ids.append(s.id)
        if cohort and course:
            break
    # The session number belongs to the event: take it from the title, else from the course sentence.
    for text in ([title] if title else []) + [doc.sentences[i].text for i in ids if i < len(doc.sentences)]:
        m = _SESSION.search(text)
        if m:
            session = m.group()
            break
    return course, cohort, session, ids


# ---------------------------------------------------------------------------------------------------------------
def _clean(text: str, start: int, end: int) -> tuple[str, int, int] | None:
    """Trim spaces, quotes and trailing punctuation; return the value with its offsets, or None if nothing is left."""
    while start < end and (text[start].isspace() or text[start] in ":：-–“\"'‘"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",，:：;-–”\"'’"):
        end -= 1
    if end <= start:
        return None
    return text[start:end], start, end


def _sentences_in(doc: Document, start: int, end: int) -> list[int]:
    # Bisection by key reads a dozen sentences' starts, where a list of all of them cost a pass over the document.
    i = max(0, bisect.bisect_right(doc.sentences, start, key=START) - 1)
    j = bisect.bisect_left(doc.sentences, end, key=START)
    return [s.id for s in doc.sentences[i:j] if s.start < end and start < s.end]


def extract_visit(doc: Document) -> VisitCard:
    """The visit card of a segmented document. Fields not stated in the text stay None or empty."""
    card = VisitCard()
    card.title, card.sentence_ids["title"] = _title(doc)
    card.date_start, card.date_end, card.sentence_ids["date"] = _dates(doc)
    entities = find_entities(doc)  # rebuilt from the document's cache at each call: fetched once here
    card.venue, card.sentence_ids["venue"] = _venue(doc, entities)
    card.host_organizations, card.sentence_ids["host_organizations"] = _hosts(doc, card.sentence_ids["venue"], entities)
    card.participants, card.sentence_ids["participants"] = _participants(doc)
    card.projects, card.sentence_ids["projects"] = _projects(doc)
    card.course, card.cohort, card.session, card.sentence_ids["cohort"] = _course(doc, card.title)
    card.sentence_ids = {k: v for k, v in card.sentence_ids.items() if v}
    return card
