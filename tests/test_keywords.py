"""Keywords are whole terms: organisation and programme names, Latin phrases, domain terms; no fragments or
generic words."""

from __future__ import annotations

from kcapture.extract.keywords import document_keywords, document_terms, is_content
from kcapture.pipeline import document_from_bytes

NOTE = """ผู้เข้าร่วมเรียนรู้แนวคิด Social Enterprise และเครื่องมือ 4Ps จากมูลนิธิเมาไม่ขับ
มูลนิธิเมาไม่ขับใช้ Social Enterprise ระดมทุนให้โครงการธนาคารขยะ
โครงการธนาคารขยะมีวิธีการทำงานกับอาสาสมัครในชุมชนอย่างเป็นระบบ
งานของอาสาสมัครคือคัดแยกขยะและสื่อสารกับชุมชน Social Enterprise จึงยั่งยืน
"""


def test_keywords_are_whole_terms_without_fragments_or_generic_words():
    doc = document_from_bytes(NOTE.encode("utf-8"), "note.txt")
    words = document_keywords(document_terms(doc), 15)
    assert "Social Enterprise" in words
    assert "มูลนิธิเมาไม่ขับ" in words and "โครงการธนาคารขยะ" in words
    for bad in ("Social", "Enterprise", "Ps", "วิธี", "งาน", "มูลนิธิ", "เมา"):
        assert bad not in words, bad


def test_short_latin_pieces_and_generic_words_are_not_content():
    assert not is_content("Ps") and not is_content("วิธี") and not is_content("งาน")
    assert is_content("อาสาสมัคร") and is_content("Enterprise")


MIXED = """ลุงสมชายเล่าว่าอาสาสมัครโทร 081-234-5678 ทุกวัน และใช้ Social Enterprise กับเครื่องมือ 4Ps ในปี 2567 2568
มูลนิธิเมาไม่ขับร่วมกับโครงการธนาคารขยะจัดอบรมอาสาสมัครที่บ้านเลขที่ 12/3 หมู่ 4 ตำบลบ้านใหม่
ครับ ค่ะ
อาสาสมัครคัดแยกขยะ อาสาสมัครคัดแยกขยะ และ Social Enterprise ช่วยชุมชน
ครับ
"""


def test_document_terms_are_each_sentences_terms_with_one_off_pairs_left_out():
    """The all-sentences-at-once computation gives what `sentence_terms` gives sentence by sentence."""
    from collections import Counter

    from kcapture.extract.entities import find_entities
    from kcapture.extract.keywords import _latin_runs, sentence_terms
    from kcapture.extract.personal import find_personal_data

    doc = document_from_bytes(MIXED.encode("utf-8"), "note.txt")
    spans = [(p.start, p.end) for p in find_personal_data(doc.text, doc=doc)]
    assert spans
    named = sorted((e.start, e.end) for e in find_entities(doc) if e.kind in ("organization", "programme")
                   or e.kind == "place" and e.source == "admin")
    per = {s.id: sentence_terms(doc, s, spans, named) for s in doc.sentences}
    words = {t.text for s in doc.sentences for t in s.tokens} | {doc.text[a:b] for a, b in named}
    runs = {r for s in doc.sentences for r in _latin_runs(doc, s)[0]}
    assert "Social Enterprise" in runs
    counts = Counter(t for ts in per.values() for t in ts)
    expected = {sid: [t for t in ts if t in words or t in runs or counts[t] >= 2] for sid, ts in per.items()}
    assert document_terms(doc, spans) == expected
    assert document_terms(doc) != expected  # the personal data is what was left out
