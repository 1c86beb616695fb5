"""LINE chat exports, in the app's English and Thai forms, written here the way LINE writes them (invented chats)."""

from __future__ import annotations

import re

import pytest

from kcapture.errors import EmptyDocumentError
from kcapture.ingest import sniff_format
from kcapture.pipeline import document_from_bytes

ENGLISH = """\ufeff[LINE] Chat history in อาสาสมัครบ้านหนองบัว
Saved on: 3/16/2024, 08:05

Fri, 3/15/2024
09:14\tพี่แดง\tสวัสดีค่ะทุกคน วันนี้เราจะลงพื้นที่เยี่ยมบ้านผู้สูงอายุกันนะคะ
09:15\tน้องฝน\t[Sticker]
09:15\tลุงสม\t"ผมเตรียมเครื่องวัดความดันไว้แล้ว
บ้านแรกคือบ้านยายมา

เจอกันที่ศาลาตอนเก้าโมงครึ่ง"
09:16\tน้องฝน\t[Photo]
09:20\tพี่ต้อม joined the group.
09:21\tพี่ต้อม\tUnsent a message
09:22\tพี่ต้อม\tขอบคุณที่ชวนมาร่วมครับ
09:40\tพี่แดง\t☎ Missed call
Sat, 3/16/2024
10:00 AM\tพี่แดง\tสรุปว่าเมื่อวานเยี่ยมบ้านได้สิบสองหลังคาเรือนค่ะ
1:05 PM\tน้องฝน\tหนูจะทำตารางนัดเยี่ยมรอบหน้าให้ค่ะ
"""

THAI = """[LINE] ประวัติการแชทในกลุ่ม ทีมถอดบทเรียน
วันที่บันทึก: 02/04/2567 21:10

วันจันทร์, 01/04/2567
08:30\tครูนก\tเช้านี้ประชุมสรุปบทเรียนที่ห้องสมุดโรงเรียนนะคะ
08:31\tพี่หมู\t[สติกเกอร์]
08:35\tพี่หมู\t"รับทราบครับ
ผมจะเอาภาพถ่ายกิจกรรมไปด้วย"
08:36\tครูนก\t[รูปภาพ]
09:00\tลุงดำ เข้าร่วมกลุ่ม
09:02\tลุงดำ\tยกเลิกการส่งข้อความ
วันอังคาร, 02/04/2567
19:45\tลุงดำ\tผมว่าเด็กๆ ได้เรียนรู้เรื่องการออมมากขึ้น
19:50\tครูนก\tเห็นด้วยค่ะ ครั้งหน้าชวนผู้ปกครองมาด้วย
"""

TIME_STAMP = re.compile(r"\b\d{1,2}:\d{2}\b")
PLACEHOLDER = re.compile(r"\[(?:Sticker|Photo|สติกเกอร์|รูปภาพ)\]|joined the group|เข้าร่วมกลุ่ม|Unsent|ยกเลิกการส่ง|☎")


def _rows(doc) -> list[tuple[str, str, str]]:
    return [(b.speaker, b.time_start, doc.text[b.start : b.end]) for b in doc.blocks]


def test_english_export_one_message_per_block():
    doc = document_from_bytes(ENGLISH.encode("utf-8"), "chat.txt")
    doc.check_offsets()
    assert doc.format == "line"
    assert _rows(doc) == [
        ("พี่แดง", "2024-03-15T09:14", "สวัสดีค่ะทุกคน วันนี้เราจะลงพื้นที่เยี่ยมบ้านผู้สูงอายุกันนะคะ"),
        ("ลุงสม", "2024-03-15T09:15",
         "ผมเตรียมเครื่องวัดความดันไว้แล้ว\nบ้านแรกคือบ้านยายมา\n\nเจอกันที่ศาลาตอนเก้าโมงครึ่ง"),
        ("พี่ต้อม", "2024-03-15T09:22", "ขอบคุณที่ชวนมาร่วมครับ"),
        ("พี่แดง", "2024-03-16T10:00", "สรุปว่าเมื่อวานเยี่ยมบ้านได้สิบสองหลังคาเรือนค่ะ"),
        ("น้องฝน", "2024-03-16T13:05", "หนูจะทำตารางนัดเยี่ยมรอบหน้าให้ค่ะ"),
    ]
    meta = doc.metadata
    assert meta["placeholders_dropped"] == 3 and meta["system_lines_dropped"] == 2
    assert (meta["date_start"], meta["date_end"]) == ("2024-03-15", "2024-03-16")
    assert meta["title"] == "อาสาสมัครบ้านหนองบัว" and meta["messages"] == 5


def test_thai_export_with_buddhist_era_dates():
    doc = document_from_bytes(THAI.encode("utf-8"), "แชท.txt")
    doc.check_offsets()
    assert doc.format == "line"
    assert _rows(doc) == [
        ("ครูนก", "2024-04-01T08:30", "เช้านี้ประชุมสรุปบทเรียนที่ห้องสมุดโรงเรียนนะคะ"),
        ("พี่หมู", "2024-04-01T08:35", "รับทราบครับ\nผมจะเอาภาพถ่ายกิจกรรมไปด้วย"),
        ("ลุงดำ", "2024-04-02T19:45", "ผมว่าเด็กๆ ได้เรียนรู้เรื่องการออมมากขึ้น"),
        ("ครูนก", "2024-04-02T19:50", "เห็นด้วยค่ะ ครั้งหน้าชวนผู้ปกครองมาด้วย"),
    ]
    assert doc.metadata["placeholders_dropped"] == 2 and doc.metadata["system_lines_dropped"] == 2
    assert doc.metadata["chat_dates"] == ["2024-04-01", "2024-04-02"]


@pytest.mark.parametrize("chat", [ENGLISH, THAI], ids=["english", "thai"])
def test_no_time_stamps_or_placeholders_in_any_sentence(chat):
    doc = document_from_bytes(chat.encode("utf-8"), "chat.txt")
    assert doc.sentences
    for s in doc.sentences:
        assert not TIME_STAMP.search(s.text) and not PLACEHOLDER.search(s.text), s.text
        assert s.speaker and s.time_start, s
    # A multi-line message is one block: its sentences all point into it and share its speaker and time.
    multi = [b for b in doc.blocks if "\n" in doc.text[b.start : b.end]]
    assert len(multi) == 1
    inside = [s for s in doc.sentences if multi[0].start <= s.start < multi[0].end]
    assert len(inside) >= 2 and len({(s.speaker, s.time_start) for s in inside}) == 1


def test_offsets_point_into_the_export_file():
    doc = document_from_bytes(THAI.encode("utf-8"), "chat.txt")
    for b in doc.blocks:
        a, last = doc.source_offsets[b.start], doc.source_offsets[b.end - 1]
        assert doc.source_text[a : last + 1] == doc.text[b.start : b.end]  # the export as written, quotes aside


def test_found_by_content_not_by_name():
    assert sniff_format(ENGLISH.encode(), "export") == "line"
    assert sniff_format(THAI.encode("utf-16"), "chat.txt") == "line"
    note = "บันทึกการประชุม\n\n09:14 พี่แดง: เริ่มประชุมค่ะ\n09:20 ลุงสม: ผมเห็นด้วยครับ\n09:25 พี่แดง: ขอบคุณค่ะ\n"
    assert sniff_format(note.encode(), "notes.txt") == "txt"  # a typed transcript stays a plain note


def test_day_month_order_is_read_from_the_dates_themselves():
    # Day first (a day above 12 says so), in an English export without a header.
    chat = ("Mon, 13/05/2024\n09:00\tA\tประชุมเริ่มแล้ว\n09:05\tB\tรับทราบ\n"
            "Tue, 14/05/2024\n10:00\tA\tสรุปผลการประชุม\n")
    doc = document_from_bytes(chat.encode(), "chat.txt")
    assert doc.format == "line"
    assert doc.metadata["chat_dates"] == ["2024-05-13", "2024-05-14"]
    # Year first, with the weekday after (another LINE version).
    chat = "2024/05/03(Fri)\n09:00\tA\tประชุมเริ่มแล้ว\n09:05\tB\tรับทราบ\n09:06\tA\tเริ่มกันเลย\n"
    assert document_from_bytes(chat.encode(), "chat.txt").metadata["date_start"] == "2024-05-03"


def test_chat_of_stickers_only_is_empty():
    chat = "Fri, 3/15/2024\n09:14\tA\t[Sticker]\n09:15\tB\t[Photo]\n09:16\tC\t[Sticker]\n"
    with pytest.raises(EmptyDocumentError):
        document_from_bytes(chat.encode(), "chat.txt")


def test_json_export_gives_speaker_and_time_per_sentence():
    from kcapture.document import Analysis, VisitCard
    from kcapture.export.json_export import analysis_to_dict

    doc = document_from_bytes(ENGLISH.encode("utf-8"), "chat.txt")
    rows = analysis_to_dict(Analysis(document=doc, visit=VisitCard(), themes=[], lessons=[], keywords=[]))["sentences"]
    assert rows and all(r["speaker"] and r["time_start"] for r in rows)
    assert rows[0]["speaker"] == "พี่แดง" and rows[0]["time_start"] == "2024-03-15T09:14"
    plain = document_from_bytes("ประชุมเรื่องการออม\n\nทุกคนเห็นด้วย".encode(), "note.txt")
    rows = analysis_to_dict(Analysis(document=plain, visit=VisitCard(), themes=[], lessons=[], keywords=[]))
    assert all("speaker" not in r and "time_start" not in r for r in rows["sentences"])
