"""Lesson summary from hand-tagged documents: shares, facet order, ranking, near-duplicates, exact spans, overview."""

from __future__ import annotations

from kc_testdata import field_note_doc, tag_by_prefix

from kcapture.extract.keywords import stopwords
from kcapture.pipeline import document_from_bytes
from kcapture.summarize import REPORT_SECTIONS, SummarySettings, build_analysis, top_insights, top_themes


def test_theme_shares_and_sentence_ids():
    doc = field_note_doc()
    a = build_analysis(doc)
    n = len(doc.sentences)
    by_id = {t.id: t for t in a.themes}
    om = by_id["organization_management"]
    assert om.sentence_ids == [s.id for s in doc.sentences if "organization_management" in s.themes]
    assert om.share == round(len(om.sentence_ids) / n, 4)
    assert [t.share for t in a.themes] == sorted((t.share for t in a.themes), reverse=True)
    assert a.themes[0].id == "organization_management"
    assert om.label == "การบริหารจัดการองค์กรและโครงการ"


def test_points_are_exact_spans_in_aar_order_each_sentence_once():
    doc = field_note_doc()
    a = build_analysis(doc)
    assert a.lessons
    for le in a.lessons:
        assert doc.text[le.start : le.end] == le.text
        first, last = doc.sentences[le.sentence_ids[0]], doc.sentences[le.sentence_ids[-1]]
        assert (le.start, le.end) == (first.start, last.end)
        assert all(doc.sentences[i].facet == le.facet for i in le.sentence_ids)
        # One point carries every theme of its sentences, strongest first; `theme` is the strongest.
        assert set(le.themes) == {t for i in le.sentence_ids for t in doc.sentences[i].themes}
        assert le.theme == le.themes[0]
    facets = [le.facet for le in a.lessons]
    assert facets == sorted(facets, key=REPORT_SECTIONS.index)  # objectives ... recommendations
    assert "context" not in facets  # the context is the visit card's, not a lesson
    used = [i for le in a.lessons for i in le.sentence_ids]
    assert len(used) == len(set(used))  # every sentence is quoted once in the whole report


def test_near_duplicates_removed_keeping_the_more_confident():
    a = build_analysis(field_note_doc())
    factors = [le for le in a.lessons if le.facet == "success_factor"]
    assert len(factors) == 1
    assert factors[0].text.endswith("ไว้ใจกัน")  # scored 0.9; the near-identical copy scored 0.7


def test_evidence_ranked_by_confidence_and_centrality():
    text = (
        "กลุ่มทำบัญชีรายรับรายจ่ายทุกเดือนและติดประกาศบัญชีที่ศาลา\n"
        "เหรัญญิกอ่านบัญชีให้สมาชิกฟังในที่ประชุมทุกเดือน\n"
        "สมาชิกตรวจบัญชีของกลุ่มร่วมกันทุกสิ้นปี\n"
        "วันนั้นฝนตกหนักจนถนนเข้าหมู่บ้านลื่นมาก\n"
    )
    doc = document_from_bytes(text.encode("utf-8"), "note.txt")
    for s in doc.sentences:
        s.themes, s.facet = ["organization_management"], "activity"
        s.theme_scores, s.facet_scores = {"organization_management": 0.8}, {"activity": 0.8}
    # No diversity penalty here: this test is about relevance (confidence and centrality) alone.
    a = build_analysis(doc, settings=SummarySettings(max_per_section=4, mmr_lambda=1.0))
    ranked = [le.text for le in a.lessons]
    assert ranked[-1].startswith("วันนั้นฝนตก")  # equal confidence: the off-topic sentence is least central
    # Confidence counts too: make the off-topic sentence far more confident and it rises.
    doc.sentences[3].theme_scores = {"organization_management": 1.0}
    doc.sentences[3].facet_scores = {"activity": 1.0}
    for s in doc.sentences[:3]:
        s.theme_scores, s.facet_scores = {"organization_management": 0.1}, {"activity": 0.1}
    settings = SummarySettings(max_per_section=4, mmr_lambda=1.0)
    ranked = [le.text for le in build_analysis(doc, settings=settings).lessons]
    assert ranked[0].startswith("วันนั้นฝนตก")


def test_diversity_a_second_point_saying_the_same_thing_gives_way_to_a_different_one():
    text = (
        "- กลุ่มเปิดเผยบัญชีรายรับรายจ่ายของกลุ่มทุกเดือนให้สมาชิกทุกคนเห็น\n"
        "- กลุ่มเปิดเผยบัญชีรายรับรายจ่ายทุกเดือนให้สมาชิกเห็นทุกคน\n"
        "- อาสาสมัครรุ่นใหม่ช่วยทำเพจเฟซบุ๊กเล่าเรื่องของกลุ่ม\n"
    )
    doc = document_from_bytes(text.encode("utf-8"), "note.txt")
    for s, score in zip(doc.sentences, (0.9, 0.85, 0.6), strict=True):
        s.themes, s.facet = ["organization_management"], "success_factor"
        s.theme_scores, s.facet_scores = {"organization_management": score}, {"success_factor": score}
    two = build_analysis(doc, settings=SummarySettings(max_per_section=2, duplicate_cosine=0.99))
    # The near-copy (second most confident) loses to the different point under maximal marginal relevance.
    assert [le.sentence_ids for le in two.lessons] == [[0], [2]]


def test_consecutive_sentences_of_one_block_merge_into_one_quote():
    text = ("ทีมอาสาแบ่งเวรเยี่ยมบ้านผู้ป่วยติดเตียงทุกวันจันทร์และวันพฤหัสบดี "
            "อาสาสมัครใช้รถของตนเองและจดบันทึกอาการทุกครั้งที่ไปเยี่ยม\n")
    from kcapture.thai.sentences import SentenceSegmenter, segment_document
    from kcapture.thai.tokenize import default_tokenizer

    # The hand-rule segmenter splits this paragraph in two; the learned model may keep it whole.
    doc = segment_document(document_from_bytes(text.encode("utf-8"), "note.txt"),
                           SentenceSegmenter(default_tokenizer(), boundary_model=None))
    assert len(doc.sentences) == 2
    for s in doc.sentences:
        s.themes, s.facet = ["volunteerism"], "activity"
    a = build_analysis(doc)
    assert len(a.lessons) == 1
    le = a.lessons[0]
    assert le.sentence_ids == [0, 1] and le.text == doc.text[doc.sentences[0].start : doc.sentences[1].end]


def test_headings_are_not_quoted_and_untagged_documents_have_no_lessons():
    text = "# ผลการดำเนินงาน\n\nกลุ่มขยายสมาชิกได้เพิ่มขึ้นสองเท่าในปีเดียว และมีเงินออมรวมกว่าหนึ่งล้านบาท\n"
    doc = document_from_bytes(text.encode(), "n.md")
    assert doc.sentences[0].kind == "heading"
    a = build_analysis(doc)
    assert a.themes == [] and a.lessons == []
    for s in doc.sentences:
        s.themes, s.facet = ["social_enterprise"], "outcome"
    a = build_analysis(doc)
    assert a.themes[0].share == 1.0
    assert [le.text for le in a.lessons] == [doc.sentences[-1].text]  # the heading is tagged but never quoted


def test_overview_top_themes_and_three_strongest_insights():
    a = build_analysis(field_note_doc())
    assert [t.id for t in top_themes(a)] == [t.id for t in a.themes[:3]]
    best = top_insights(a)
    assert len(best) == 3
    assert best[0].facet == "insight" and best[0].text.startswith("บทเรียนสำคัญ")
    # Fewer than three insights: success factors, challenges, recommendations fill up, each quote once.
    assert [le.facet for le in best[1:]] == ["success_factor", "challenge"] or \
        [le.facet for le in best[1:]] == ["success_factor", "recommendation"]
    assert len({(le.start, le.end) for le in best}) == 3


def test_keywords_drop_stopwords_and_names_and_keep_domain_terms():
    text = ("ป้าบุญมีเล่าว่าวิสาหกิจเพื่อสังคมของกลุ่มทำให้สมาชิกมีรายได้ทุกเดือน\n"
            "วิสาหกิจเพื่อสังคมแห่งนี้ขายข้าวอินทรีย์ให้โรงพยาบาลและโรงเรียนในอำเภอ\n"
            "ป้าบุญมีบอกว่าข้าวอินทรีย์ขายได้ราคาดีกว่าข้าวทั่วไป\n")
    doc = document_from_bytes(text.encode("utf-8"), "note.txt")
    tag_by_prefix(doc, {"ป้าบุญมีเล่า": (["social_enterprise"], "outcome", 0.9, 0.9),
                        "วิสาหกิจ": (["social_enterprise"], "activity", 0.9, 0.9),
                        "ป้าบุญมีบอก": (["communication"], "insight", 0.9, 0.9)})
    a = build_analysis(doc)
    se = next(t for t in a.themes if t.id == "social_enterprise")
    assert "วิสาหกิจเพื่อสังคม" in se.keywords and "วิสาหกิจเพื่อสังคม" in a.keywords
    everything = a.keywords + [k for t in a.themes for k in t.keywords]
    assert not any(k in stopwords() for k in everything)
    assert not any("บุญมี" in k for k in everything)  # a person's name is never a keyword
    assert any(p["text"] == "บุญมี" and p["kind"] == "name" for p in a.personal_data)
