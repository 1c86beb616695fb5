"""Shared test data for the summary, export, redaction and CLI tests: small Thai notes written for these tests,
tagged by hand (no classifier), so that every expected value is known."""

from __future__ import annotations

from pathlib import Path

from kcapture.document import Document
from kcapture.pipeline import document_from_bytes

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VISITS = FIXTURES / "visits"

# A field note with personal data and cells a spreadsheet would evaluate ("-", "+", "=", "@" at the start of a line).
FIELD_NOTE = """บันทึกการลงพื้นที่ศึกษาดูงานกลุ่มออมทรัพย์บ้านหนองแวง

วันที่ 3 ธันวาคม 2565 ณ ศาลาประชาคมบ้านหนองแวง ตำบลหนองแวง อำเภอเมือง จังหวัดขอนแก่น

ผู้เข้าร่วมศึกษาดูงาน 22 คน จากเครือข่ายองค์กรชุมชนสามจังหวัด

ป้าสมหวังประธานกลุ่มเล่าว่ากลุ่มเริ่มจากสมาชิกสิบสองคนที่ออมเงินวันละบาท
- กลุ่มตั้งกติกาให้ทุกคนฝากเงินทุกเดือนและตรวจบัญชีร่วมกันในที่ประชุม
=ยอดเงินออมรวมของกลุ่มเพิ่มเป็นสองล้านบาทภายในสิบปี
นายประเสริฐ ทองมา เหรัญญิกกลุ่ม ติดต่อได้ที่ 081-234-5678 หรือ prasert.t@example.org
เหรัญญิกแนบสำเนาบัตรเลขที่ 3-1005-01234-56-3 ไว้กับสมุดบัญชีของกลุ่ม
บ้านเลขที่ 45/2 หมู่ 3 ตำบลหนองแวง อำเภอเมือง จังหวัดขอนแก่น คือที่ทำการกลุ่มในปัจจุบัน
ความสำเร็จของกลุ่มเกิดจากการเปิดเผยบัญชีทุกเดือนจนสมาชิกไว้ใจกัน
ปัญหาคือคนรุ่นใหม่ไม่ค่อยสนใจเข้าร่วมกลุ่มเพราะย้ายไปทำงานในเมือง
ความสำเร็จของกลุ่มเกิดจากการเปิดเผยบัญชีทุกเดือนจนสมาชิกไว้ใจกันมาก
บทเรียนสำคัญคือความโปร่งใสสร้างความไว้วางใจได้มากกว่ากฎระเบียบที่เข้มงวด
+ควรนำระบบบัญชีแบบเปิดเผยนี้ไปใช้กับกองทุนอื่นในตำบล
@ทีมงาน ขอให้ส่งภาพกิจกรรมภายในวันศุกร์
"""

# sentence text prefix -> (themes, facet, theme score, facet score)
FIELD_NOTE_TAGS: dict[str, tuple[list[str], str, float, float]] = {
    "บันทึกการลงพื้นที่": ([], "context", 0.9, 0.9),
    "วันที่ 3": ([], "context", 0.9, 0.9),
    "ผู้เข้าร่วมศึกษาดูงาน": (["networks_alliances"], "context", 0.7, 0.8),
    "ป้าสมหวัง": (["social_enterprise"], "context", 0.8, 0.7),
    "- กลุ่มตั้งกติกา": (["organization_management", "social_enterprise"], "activity", 0.9, 0.9),
    "=ยอดเงินออม": (["social_enterprise"], "outcome", 0.95, 0.9),
    "นายประเสริฐ": (["organization_management"], "context", 0.6, 0.6),
    "บ้านเลขที่": ([], "context", 0.5, 0.5),
    "ความสำเร็จของกลุ่มเกิดจากการเปิดเผยบัญชีทุกเดือนจนสมาชิกไว้ใจกันมาก": (
        ["organization_management"], "success_factor", 0.7, 0.7),
    "ความสำเร็จของกลุ่มเกิดจากการเปิดเผยบัญชีทุกเดือนจนสมาชิกไว้ใจกัน": (
        ["organization_management"], "success_factor", 0.9, 0.9),
    "ปัญหาคือ": (["target_groups"], "challenge", 0.8, 0.85),
    "บทเรียนสำคัญ": (["organization_management", "strategy"], "insight", 0.95, 0.95),
    "+ควรนำ": (["organization_management"], "recommendation", 0.8, 0.9),
    "@ทีมงาน": (["communication"], "activity", 0.6, 0.6),
}


def tag_by_prefix(doc: Document, tags: dict[str, tuple[list[str], str, float, float]]) -> Document:
    """Tag each sentence by the longest matching prefix in `tags` (untagged sentences keep no tags)."""
    for s in doc.sentences:
        best = max((p for p in tags if s.text.startswith(p)), key=len, default=None)
        if best is None:
            continue
        themes, facet, ts, fs = tags[best]
        s.themes = list(themes)
        s.facet = facet
        s.theme_scores = {t: ts for t in themes}
        s.facet_scores = {facet: fs}
    return doc


def field_note_doc() -> Document:
    return tag_by_prefix(document_from_bytes(FIELD_NOTE.encode("utf-8"), "field-note-nongwaeng.txt"), FIELD_NOTE_TAGS)
