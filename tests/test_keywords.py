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
