"""LINE chat exports ("Export chat history" / "ส่งออกประวัติการแชท"): one block per message, its sender the speaker.

The file is a header ("[LINE] Chat history in ...", "Saved on: ..."), then for each day a date line and the day's
messages, one a line as `time<TAB>sender<TAB>message`; a message of several lines is wrapped in double quotes. The app
writes it in the user's language: dates in the Common Era or, in Thai, the Buddhist Era; placeholders such as
[Sticker] / [สติกเกอร์] for what was not text; lines without a sender for what the group did ("... joined the group",
"... เข้าร่วมกลุ่ม"). Placeholders, calls and system lines carry no words of anyone's: they are dropped and counted
in the metadata. Date lines give each message its date and the document its date range (metadata "date_start",
"date_end", ISO, Common Era), which a chat's text does not otherwise state.

Each block is the message exactly as it stands in the file (outer quotes aside), so offsets map back to the export.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from kcapture.document import Block
from kcapture.errors import EmptyDocumentError
from kcapture.ingest.base import Extracted, Reader
from kcapture.ingest.encoding import decode_text

MESSAGE = re.compile(r"^(?P<h>\d{1,2})[:.](?P<m>\d{2})(?:\s?(?P<ampm>[AaPp]\.?[Mm]\.?))?\t(?P<rest>.*)$")
HEADER = re.compile(r"^\ufeff?\[LINE\]\s*(?P<title>.*)$")
SAVED = re.compile(r"^(?:Saved on|Saved|วันที่บันทึก|บันทึกเมื่อ|บันทึกวันที่)\s*[:：]", re.I)
_TITLE_PREFIX = re.compile(r"^(?:Chat history (?:in|with)|ประวัติการแชท(?:ใน|กับ)?|แชทกับ|แชทใน)\s*", re.I)

_EN_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
            "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun")
_TH_DAYS = ("วันจันทร์", "วันอังคาร", "วันพุธ", "วันพฤหัสบดี", "วันพฤหัส", "วันศุกร์", "วันเสาร์", "วันอาทิตย์",
            "จันทร์", "อังคาร", "พุธ", "พฤหัสบดี", "พฤหัส", "ศุกร์", "เสาร์", "อาทิตย์",
            "จ.", "อ.", "พ.", "พฤ.", "ศ.", "ส.", "อา.")
_DAY_ALT = "|".join(re.escape(d) for d in sorted(_EN_DAYS + _TH_DAYS, key=len, reverse=True))
_WEEKDAY = re.compile(rf"(?:{_DAY_ALT})(?:ที่)?(?![A-Za-z\u0e01-\u0e2e])", re.I)
_EN_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
              "november", "december"]
_EN_MONTH = re.compile(r"\b(" + "|".join(m[:3] + f"(?:{m[3:]})?" if len(m) > 3 else m for m in _EN_MONTHS)
                       + r")\.?\b", re.I)
_NUMERIC_DATE = re.compile(r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})$")

# What LINE writes in place of what is not text, in its English and Thai forms.
PLACEHOLDERS = {
    "sticker", "stickers", "animated sticker", "photo", "photos", "image", "video", "videos", "file", "voice message",
    "audio", "album", "location", "contact", "note", "notes", "event", "poll", "gift", "gif", "link", "post",
    "สติกเกอร์", "สติ๊กเกอร์", "รูป", "รูปภาพ", "ภาพ", "วิดีโอ", "วีดีโอ", "ไฟล์", "ข้อความเสียง", "เสียง", "อัลบั้ม",
    "ตำแหน่งที่ตั้ง", "ตำแหน่ง", "ข้อมูลติดต่อ", "ผู้ติดต่อ", "โน้ต", "กิจกรรม", "โพล", "ของขวัญ", "ลิงก์", "โพสต์",
}
_BRACKETED = re.compile(r"^\[([^\[\]\n]{1,30})\](?:\s*\(\d+\s*\w*\))?$")
_CALL = re.compile(r"^(?:☎|📞)")
# Group events, written by LINE without a sender; with a sender, only a message that is exactly one of the phrases.
_SYSTEM_PHRASES = (
    r"joined the group|left the group|unsent a message|(?:has )?left the chat|created the group|"
    r"added .{1,80} to the group|removed .{1,80} from the group|invited .{1,80}|"
    r"changed the group (?:name|profile photo|picture|cover)(?: to .*)?|cancell?ed the invitation.*|"
    r"started a (?:group )?call|(?:group )?call ended|pinned a message|unpinned a message|"
    r"เข้าร่วมกลุ่ม|ออกจากกลุ่ม|ยกเลิกการส่งข้อความ|ได้ยกเลิกการส่งข้อความ|สร้างกลุ่ม|"
    r"เพิ่ม.{1,80}(?:เข้ากลุ่ม|เข้าสู่กลุ่ม|เป็นสมาชิก)|ลบ.{1,80}ออกจากกลุ่ม|เชิญ.{1,80}|"
    r"เปลี่ยน(?:ชื่อกลุ่ม|รูปโปรไฟล์กลุ่ม|รูปภาพกลุ่ม|ภาพหน้าปก).*|ยกเลิกคำเชิญ.*|"
    r"เริ่มการโทร(?:กลุ่ม)?|การโทร(?:กลุ่ม)?สิ้นสุดลง|ปักหมุดข้อความ|เลิกปักหมุดข้อความ"
)
_SYSTEM_SENT = re.compile(rf"^(?:{_SYSTEM_PHRASES})[.。]?$", re.I)


def looks_like_line_chat(text: str) -> bool:
    """A LINE export: its header line, or mostly `time<TAB>sender<TAB>...` message lines and date lines."""
    lines = [line for line in text.replace("\r\n", "\n").split("\n")[:400] if line.strip()]
    if not lines:
        return False
    if HEADER.match(lines[0].strip()) and any(MESSAGE.match(line) for line in lines):
        return True
    messages = sum(1 for line in lines if MESSAGE.match(line) and "\t" in MESSAGE.match(line).group("rest"))
    dates = sum(1 for line in lines if _date_parts(line) is not None)
    return messages >= 3 and dates >= 1 and (messages + dates) >= 0.4 * len(lines)


def _date_parts(line: str) -> tuple[str, tuple] | None:
    """('numeric', (a, b, c)) or ('named', (y, m, d)) for a date line ("Fri, 03/15/2024", "วันศุกร์ 15/03/2567",
    "2024/03/15(Fri)", "Friday, March 15, 2024", "วันศุกร์ที่ 15 มีนาคม 2567"); None for any other line."""
    s = line.strip()
    if not s or "\t" in s or len(s) > 60:
        return None
    rest = _WEEKDAY.sub(" ", s)
    rest = re.sub(r"[(),]", " ", rest).strip()
    rest = re.sub(r"\s+", " ", rest)
    m = _NUMERIC_DATE.match(rest)
    if m:
        return "numeric", tuple(int(g) for g in m.groups())
    en = _EN_MONTH.search(rest)
    if en:
        month = next(i for i, name in enumerate(_EN_MONTHS, 1) if name.startswith(en.group(1).lower()[:3]))
        nums = re.findall(r"\d{1,4}", rest[: en.start()] + " " + rest[en.end() :])
        if len(nums) == 2:
            day, year = sorted(nums, key=len)
            return "named", (int(year), month, int(day))
        return None
    from kcapture.thai.dates import find_dates

    found = find_dates(rest)
    if len(found) == 1 and found[0].date_start and len(rest) - len(found[0].text) <= 3:
        y, mo, d = (int(p) for p in found[0].date_start.split("-"))
        return "named", (y, mo, d)
    return None


def _ce(year: int) -> int:
    return year - 543 if year >= 2400 else year


def _numeric_order(triples: list[tuple[int, int, int]], thai: bool) -> str:
    """'ymd', 'dmy' or 'mdy' for the file's numeric dates: what the numbers allow, then what keeps the days in order."""
    if triples and all(a >= 1000 for a, _, _ in triples):
        return "ymd"
    if any(a > 12 for a, _, _ in triples):
        return "dmy"
    if any(b > 12 for _, b, _ in triples):
        return "mdy"

    def ordered(order: str) -> bool:
        days = [_make_date(t, order) for t in triples]
        return all(d is not None for d in days) and days == sorted(days)

    preferred = ("dmy", "mdy") if thai else ("mdy", "dmy")
    for order in preferred:
        if ordered(order):
            return order
    return preferred[0]


def _make_date(t: tuple[int, int, int], order: str) -> date | None:
    if order == "ymd":
        y, m, d = t
    elif order == "dmy":
        d, m, y = t
    else:
        m, d, y = t
    try:
        return date(_ce(y), m, d)
    except ValueError:
        return None


def _clock(m: re.Match[str]) -> str:
    h, minute = int(m.group("h")), int(m.group("m"))
    ampm = (m.group("ampm") or "").lower().replace(".", "")
    if ampm == "pm" and h < 12:
        h += 12
    elif ampm == "am" and h == 12:
        h = 0
    return f"{h:02d}:{minute:02d}"


def _quote_open(body: str) -> bool:
    """True while a message that started with a double quote has not been closed by one."""
    return body.startswith('"') and (len(body) < 2 or not body.endswith('"') or body.endswith('\\"'))


def read_line_chat(data: bytes) -> Extracted:
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1

    parts = {i: _date_parts(ln) for i, ln in enumerate(lines) if not MESSAGE.match(ln)}
    parts = {i: p for i, p in parts.items() if p is not None}
    numeric = [p[1] for p in parts.values() if p[0] == "numeric"]
    # Thai LINE writes day/month/year; English LINE month/day/year unless the numbers say otherwise.
    thai = any(re.search("[\u0e01-\u0e4e]", lines[i]) for i in parts) or any(max(t) >= 2400 for t in numeric)
    order = _numeric_order(numeric, thai)

    blocks: list[Block] = []
    block_starts: list[int] = []
    dropped: Counter = Counter()
    dates: list[str] = []
    speakers: list[str] = []
    title = None
    day: str | None = None
    current: dict | None = None  # the open message: its last line, body start, time, sender, quoted or not

    def close() -> None:
        nonlocal current
        if current is None:
            return
        body_start, clock, sender = current["start"], current["time"], current["sender"]
        end = starts[current["last"]] + len(lines[current["last"]])
        body = text[body_start:end]
        current = None
        if body.startswith('"') and body.endswith('"') and len(body) >= 2 and "\n" in body:
            body_start, body = body_start + 1, body[1:-1]  # the quotes LINE puts around a message of several lines
        stripped = body.strip()
        if not stripped:
            return
        kind = _drop_reason(stripped, sender)
        if kind:
            dropped[kind] += 1
            return
        lead = len(body) - len(body.lstrip())
        blocks.append(Block(text=body.strip(), kind="paragraph", speaker=sender,
                            time_start=f"{day}T{clock}" if day else clock))
        block_starts.append(body_start + lead)
        if sender not in speakers:
            speakers.append(sender)

    for i, line in enumerate(lines):
        m = MESSAGE.match(line)
        if m and "\t" not in m.group("rest") and current is not None and current["quoted"]:
            m = None  # "09:00<TAB>..." typed inside a quoted message is not a message of its own
        if (not m and current is not None and current["quoted"]
                and _quote_open(text[current["start"] : starts[i]].rstrip("\n"))):
            current["last"] = i  # inside a quoted message of several lines: blank lines and dates belong to it
            continue
        if m:
            close()
            rest = m.group("rest")
            sender, sep, body = rest.partition("\t")
            body_start = starts[i] + m.start("rest") + (len(sender) + 1 if sep else 0)
            if not sep:  # no sender column: a group event written by LINE
                sender, body_start = "", starts[i] + m.start("rest")
            current = {"last": i, "start": body_start, "time": _clock(m), "sender": sender.strip(),
                       "quoted": (body if sep else rest).startswith('"')}
            continue
        if i in parts:
            close()
            d = _day(parts[i], order)
            if d:
                day = d
                if d not in dates:
                    dates.append(d)
            continue
        header = HEADER.match(line.strip())
        if header and not blocks and current is None:
            title = _TITLE_PREFIX.sub("", header.group("title")).strip() or None
            continue
        if SAVED.match(line.strip()) and not blocks and current is None:
            continue
        if current is not None and line.strip():
            current["last"] = i  # a message line LINE did not quote
        elif current is not None:
            continue
    close()
    if not blocks:
        raise EmptyDocumentError("แชท LINE นี้ไม่มีข้อความ (มีแต่สติกเกอร์ รูปภาพ หรือข้อความระบบ)",
                                 "this LINE chat has no text messages (only stickers, photos or system lines)")
    meta = {"encoding": encoding, "chat": "line", "messages": len(blocks), "speakers": speakers,
            "placeholders_dropped": dropped["placeholder"] + dropped["call"], "system_lines_dropped": dropped["system"],
            "chat_dates": sorted(dates)}
    if title:
        meta["title"] = title
    if dates:
        meta["date_start"], meta["date_end"] = min(dates), max(dates)
    return Extracted("line", blocks, meta, source_text=text, block_starts=block_starts)


def _day(parts: tuple[str, tuple], order: str) -> str | None:
    kind, values = parts
    if kind == "named":
        y, m, d = values
        try:
            return date(_ce(y), m, d).isoformat()
        except ValueError:
            return None
    made = _make_date(values, order)
    return made.isoformat() if made else None


def _drop_reason(body: str, sender: str) -> str | None:
    bracket = _BRACKETED.match(body)
    if bracket and bracket.group(1).strip().lower() in PLACEHOLDERS:
        return "placeholder"
    if _CALL.match(body):
        return "call"
    if not sender:
        return "system"
    if _SYSTEM_SENT.match(body):
        return "system"
    return None


def _is_line_chat(head: bytes, data: bytes, ext: str) -> bool:
    if ext not in ("txt", ""):
        return False
    from kcapture.errors import KcaptureError
    from kcapture.ingest.encoding import decode_text

    try:
        text, _ = decode_text(data[:65536])
    except KcaptureError:
        return False
    return looks_like_line_chat(text)


READER = Reader("line", ("line",), lambda data, fmt, limits, progress: read_line_chat(data), _is_line_chat,
                strong=True)
