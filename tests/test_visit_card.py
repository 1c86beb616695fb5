"""Visit card across genres: the shared real report, and notes written for these tests (meeting minutes, a field
diary, an interview transcript, a Word workshop report). Fields the text does not state must stay empty."""

from __future__ import annotations

import io

import pytest
from kc_testdata import VISITS

from kcapture.extract.visit import extract_visit
from kcapture.pipeline import document_from_bytes, load_document


def test_shared_sample_visit_card(sample_path):
    doc = load_document(sample_path)
    card = extract_visit(doc)
    assert card.date_start == "2019-06-14" and card.date_end == "2019-06-19"  # not the reporting period
    assert card.participants == 25
    assert card.venue is not None and card.venue.startswith("โรงแรม") and "แจ้งวัฒนะ" in card.venue
    assert card.host_organizations == ["มูลนิธิกระจกเงา"]
    assert len(card.projects) == 6
    assert card.projects[0] == "แผนงานคัดแยกขยะและสิ่งของเหลือใช้"  # "และ" inside a name does not split it
    assert "โครงการคอมพิวเตอร์เพื่อน้อง" in card.projects
    assert "โครงการอาสามาเยี่ยม" in card.projects  # the clause after ซึ่ง is not part of the name
    assert card.projects[-1] == "โครงการผู้ป่วยข้างถนน"
    assert all(" " not in p and "เป็นต้น" not in p for p in card.projects)
    assert card.cohort == "รุ่นที่ 5" and card.session == "ครั้งที่ 4" and card.course == "หลักสูตรนักขับเคลื่อนสังคม"
    assert card.title is not None and card.title.startswith("ครั้งที่ 4")
    # Every value is read from the text, and each field says which sentences it came from.
    for value in [card.title, card.venue, *card.host_organizations, *card.projects]:
        assert value in doc.text
    assert set(card.sentence_ids) >= {"date", "venue", "participants", "projects", "host_organizations"}


def test_meeting_minutes_markdown():
    card = extract_visit(load_document(VISITS / "meeting-minutes-weaving-network-2566.md"))
    assert card.title == "บันทึกการประชุมเครือข่ายวิสาหกิจชุมชนผ้าทอมือ ครั้งที่ 3/2566"
    # The meeting date, not the next meeting's ("นัดประชุมครั้งต่อไปวันที่ 12 เมษายน 2566").
    assert (card.date_start, card.date_end) == ("2023-03-08", "2023-03-08")
    assert card.venue == "ศาลาอเนกประสงค์ หมู่ 7 ตำบลนาหว้า อำเภอเมือง จังหวัดอุดรธานี"
    assert card.participants == 14  # Thai digits; not the 3 staff of the breakdown
    assert card.projects == ["โครงการธนาคารเส้นไหม", "โครงการตลาดออนไลน์ผ้าทอ", "กองทุนหมุนเวียนเพื่อซื้อวัตถุดิบ"]
    assert card.host_organizations == []  # a meeting of the network itself: nobody hosted a visit
    assert card.session == "ครั้งที่ 3/2566"


def test_field_diary_with_thai_digits_and_inline_list():
    card = extract_visit(load_document(VISITS / "field-diary-waste-bank-2563.txt"))
    assert card.title is None  # the diary opens with a sentence, not a title
    assert (card.date_start, card.date_end) == ("2020-02-23", "2020-02-24")  # ๒๓–๒๔ ก.พ. ๖๓
    assert card.participants == 18  # not the 120 elderly people the association cares for
    assert card.host_organizations == ["สมาคมพัฒนาชุมชนบ้านหนองบัว"]
    assert card.venue == "สมาคมพัฒนาชุมชนบ้านหนองบัว"
    assert card.projects == ["ธนาคารขยะ", "กองทุนข้าวสาร", "ตลาดนัดสีเขียว"]


def test_interview_states_nothing_so_nothing_is_guessed():
    card = extract_visit(load_document(VISITS / "interview-home-care-volunteer.txt"))
    assert card.title is None and card.date_start is None and card.date_end is None
    assert card.venue is None  # "ณ ตอนนี้" is about time
    assert card.participants is None  # 40 bed-bound patients are not participants
    assert card.host_organizations == [] and card.projects == []
    assert card.sentence_ids == {}


def test_word_workshop_report_with_labels():
    docx = pytest.importorskip("docx")
    d = docx.Document()
    d.add_heading("รายงานการอบรมเชิงปฏิบัติการ การสื่อสารเพื่อการระดมทุน", level=1)
    d.add_paragraph("หลักสูตรผู้นำการเปลี่ยนแปลง รุ่นที่ ๒")
    d.add_paragraph("ระหว่างวันที่ 30 ก.ย. - 2 ต.ค. 2563")
    d.add_paragraph("สถานที่: ห้องประชุมใหญ่ สำนักงานสมาคมเพื่อนชุมชน จังหวัดเชียงราย")
    d.add_paragraph("ผู้เข้าร่วม: 32 คน")
    d.add_paragraph("ผู้เข้าร่วมได้ฝึกเขียนเรื่องเล่าของโครงการและทดลองทำแผนระดมทุนของตนเอง")
    buf = io.BytesIO()
    d.save(buf)
    doc = document_from_bytes(buf.getvalue(), "workshop.docx")
    card = extract_visit(doc)
    assert card.title == "รายงานการอบรมเชิงปฏิบัติการ การสื่อสารเพื่อการระดมทุน"
    assert (card.date_start, card.date_end) == ("2020-09-30", "2020-10-02")  # a range across months
    assert card.venue == "ห้องประชุมใหญ่ สำนักงานสมาคมเพื่อนชุมชน จังหวัดเชียงราย"
    assert card.participants == 32
    assert card.course == "หลักสูตรผู้นำการเปลี่ยนแปลง" and card.cohort == "รุ่นที่ ๒"
    assert card.projects == []  # "โครงการ" mentioned once, in passing, is not a list of projects observed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("คณะได้ศึกษาดูงาน ได้แก่ โครงการธนาคารปูม้า, โครงการปลูกป่าชายเลน และโครงการโฮมสเตย์ชุมชน เป็นต้น",
         ["โครงการธนาคารปูม้า", "โครงการปลูกป่าชายเลน", "โครงการโฮมสเตย์ชุมชน"]),
        ("ชุมชนนี้มีโครงการหลายด้าน เช่น โครงการ “ห้องสมุดมีชีวิต” และโครงการ “ครัวกลางหมู่บ้าน”",
         ["โครงการ “ห้องสมุดมีชีวิต”", "โครงการ “ครัวกลางหมู่บ้าน”"]),
        ("ปีนี้โครงการต่างๆ ของกลุ่มล่าช้าเพราะงบประมาณมาไม่ทัน", []),
    ],
)
def test_project_lists_are_split_into_items(text, expected):
    doc = document_from_bytes(text.encode("utf-8"), "note.txt")
    assert extract_visit(doc).projects == expected


def test_participant_counts_need_a_participant_word():
    doc = document_from_bytes("ชุมชนมีครัวเรือน 240 ครัวเรือน ผู้สูงอายุ 85 คน และเด็ก 60 คน".encode(), "note.txt")
    assert extract_visit(doc).participants is None
    doc = document_from_bytes("เยาวชน 30 คน เข้าร่วมค่ายตลอดสามวัน".encode(), "note.txt")
    assert extract_visit(doc).participants == 30


def test_hosts_are_who_received_the_visit_not_where_visitors_came_from():
    text = ("ผู้เข้าร่วมศึกษาดูงาน 20 คน จากเครือข่ายสตรีภาคเหนือ "
            "ได้เรียนรู้จากมูลนิธิรักษ์ป่าน่านเรื่องการจัดการป่าชุมชน")
    card = extract_visit(document_from_bytes(text.encode("utf-8"), "note.txt"))
    assert card.host_organizations == ["มูลนิธิรักษ์ป่าน่าน"]
    assert card.participants == 20


def _card(text: str, name: str = "note.txt", encoding: str = "utf-8"):
    return extract_visit(document_from_bytes(text.encode(encoding), name))


def test_host_is_a_whole_organisation_name_and_the_venue_stays_apart():
    # A gazetteer name the segmenter cuts (มูลนิธิเมา|ไม่|ขับ) stays whole; the venue is not mixed into the host.
    card = _card("คณะศึกษาดูงานมูลนิธิเมาไม่ขับ ณ ศูนย์ฝึกอบรมแห่งหนึ่งในจังหวัดนนทบุรี ผู้เข้าร่วม 18 คน")
    assert card.host_organizations == ["มูลนิธิเมาไม่ขับ"]
    assert card.venue is not None and card.venue.startswith("ศูนย์ฝึกอบรม")
    assert card.participants == 18


def test_host_on_a_cp874_note_is_not_followed_by_a_clause():
    text = "ลงพื้นที่เรียนรู้กับวิสาหกิจชุมชนบ้านป่าสัก กลุ่มเริ่มทำข้าวกล้องงอกเมื่อปี 2560 ผู้เข้าร่วม 12 คน"
    card = _card(text, encoding="cp874")
    assert card.host_organizations == ["วิสาหกิจชุมชนบ้านป่าสัก"]
    assert card.participants == 12


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("คณะศึกษาดูงานเดินทางถึงชุมชนในช่วงเช้า รวมทั้งสิ้น 25 คน", 25),
        ("กิจกรรมครั้งนี้มีผู้เข้าร่วม 25 ราย จากสามจังหวัด", 25),
        ("การอบรมเชิงปฏิบัติการครั้งนี้มีผู้เข้าอบรมจำนวน ๒๕ คน", 25),
        ("คณะดูงานจำนวน 25 คน เดินทางถึงศูนย์เรียนรู้เวลาสิบโมง", 25),
    ],
)
def test_participant_count_phrasings(text, count):
    assert _card(text).participants == count


def test_a_report_of_two_visits_names_both_hosts():
    text = ("วันแรกคณะศึกษาดูงานมูลนิธิรักษ์ป่าน่านเรื่องการจัดการป่าชุมชน\n"
            "วันที่สองคณะเดินทางไปเรียนรู้จากวิสาหกิจชุมชนผ้าทอมือบ้านนาข่าเรื่องการตลาด")
    assert _card(text).host_organizations == ["มูลนิธิรักษ์ป่าน่าน", "วิสาหกิจชุมชนผ้าทอมือบ้านนาข่า"]
