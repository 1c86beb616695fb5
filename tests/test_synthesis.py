"""Lessons across visits: points that several visits make are grouped, counted and quoted once per visit."""

from __future__ import annotations

from kcapture.pipeline import document_from_bytes
from kcapture.summarize import build_analysis
from kcapture.synthesis import recurring_lessons

VISITS = {
    "บ้านหนองบัว.txt": [
        ("กลุ่มเปิดเผยบัญชีรายรับรายจ่ายทุกเดือนจนสมาชิกไว้วางใจกัน", ["social_enterprise"], "success_factor"),
        ("อาสาสมัครรุ่นใหม่ทำเพจเฟซบุ๊กเล่าเรื่องสินค้าของกลุ่ม", ["communication", "volunteerism"], "activity"),
    ],
    "บ้านโนนสูง.txt": [
        ("ความไว้วางใจของสมาชิกเกิดจากการเปิดเผยบัญชีรายรับรายจ่ายทุกเดือน", ["social_enterprise"], "insight"),
        ("ปัญหาคือถนนเข้าหมู่บ้านชำรุดในฤดูฝน", ["target_groups"], "challenge"),
    ],
    "ศูนย์เด็กเล็ก.txt": [
        ("ครูพี่เลี้ยงเปิดเผยบัญชีรายรับรายจ่ายของกองทุนทุกเดือนให้ผู้ปกครองเห็น", ["social_enterprise"],
         "success_factor"),
        ("เด็กเล็กได้กินอาหารกลางวันครบทุกคน", ["target_groups"], "outcome"),
    ],
}


def _analyses():
    out = []
    for name, rows in VISITS.items():
        text = "".join(f"- {t}\n" for t, _, _ in rows)
        doc = document_from_bytes(text.encode("utf-8"), name)
        assert len(doc.sentences) == len(rows)
        for s, (_, themes, facet) in zip(doc.sentences, rows, strict=True):
            s.themes, s.facet = themes, facet
        out.append(build_analysis(doc))
    return out


def test_the_point_three_visits_make_is_one_group_with_a_quote_from_each():
    analyses = _analyses()
    groups = recurring_lessons(analyses)
    assert groups, "the open-books point recurs in three visits"
    top = groups[0]
    assert top.visits == 3 and top.themes[0] == "social_enterprise"
    assert sorted(q.visit_name for q in top.quotes) == sorted(VISITS)
    assert all("บัญชี" in q.lesson.text for q in top.quotes)
    # Points made by one visit only are not "recurring".
    assert all(g.visits >= 2 for g in groups)
    assert not any("ถนน" in q.lesson.text for g in groups for q in g.quotes)


def test_combined_markdown_and_json_carry_the_recurring_lessons():
    import json

    from kcapture.export.json_export import to_json
    from kcapture.export.markdown import render_markdown, unescape

    analyses = _analyses()
    md = unescape(render_markdown(analyses))
    assert "บทเรียนที่พบซ้ำในหลายการลงพื้นที่" in md and "พบใน 3 ครั้ง" in md
    d = json.loads(to_json(analyses))
    assert d["recurring"][0]["visits"] == 3 and len(d["recurring"][0]["quotes"]) == 3
