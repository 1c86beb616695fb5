"""Document.to_dict / from_dict: one lossless, versioned serialisation (library rows, batch results, exports)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kcapture.document import DOCUMENT_FORMAT_VERSION, BlockSpan, Document, Sentence, Token

THAI = st.characters(min_codepoint=0x0E01, max_codepoint=0x0E5B) | st.sampled_from(" \n()“”0123456789abc")


@st.composite
def documents(draw) -> Document:
    text = draw(st.text(THAI, min_size=0, max_size=120))
    n = len(text)
    cuts = sorted(set(draw(st.lists(st.integers(0, n), max_size=8))) | {0, n})
    blocks, sentences = [], []
    for i, (a, b) in enumerate(zip(cuts, cuts[1:], strict=False)):
        cues = [(a, "00:00:01.000", "00:00:02.500")] if draw(st.booleans()) else None
        blocks.append(BlockSpan(a, b, draw(st.sampled_from(["paragraph", "heading", "cue"])), draw(st.integers(0, 3)),
                                draw(st.none() | st.sampled_from(["คุณสมศรี", "A"])), None, None,
                                draw(st.none() | st.integers(1, 9)), cues))
        mid = draw(st.integers(a, b))
        tokens = [Token(a, mid, text[a:mid]), Token(mid, b, text[mid:b])]
        sentences.append(Sentence(
            id=i, start=a, end=b, text=text[a:b], block=i, kind=blocks[-1].kind, speaker=blocks[-1].speaker,
            time_start=draw(st.none() | st.just("00:01:00.000")), tokens=tokens,
            themes=draw(st.lists(st.sampled_from(["volunteerism", "strategy", "x"]), unique=True, max_size=3)),
            facet=draw(st.none() | st.sampled_from(["insight", "context"])),
            theme_scores={"volunteerism": draw(st.floats(0, 1))}, facet_scores={"insight": draw(st.floats(0, 1))}))
    # A source text that differs from the text, and an offset map with jumps (what repair produces).
    source_text = draw(st.text(THAI, max_size=150))
    offsets, pos = [], 0
    for _ in range(n + 1):
        pos += draw(st.integers(0, 2))
        offsets.append(pos)
    return Document(name=draw(st.sampled_from(["a.txt", "บันทึก.docx"])), format="txt", text=text,
                    source_text=draw(st.sampled_from([text, source_text])), source_offsets=offsets, blocks=blocks,
                    sentences=sentences, metadata={"encoding": "utf-8", "pages": [1, 2]}, repairs={"sara_am": 2})


@given(documents())
@settings(max_examples=150, deadline=None)
def test_round_trip_through_json_is_lossless(doc):
    back = Document.from_dict(json.loads(json.dumps(doc.to_dict(), ensure_ascii=False)))
    assert back == doc
    back.check_offsets()


def test_a_real_document_round_trips_with_its_tokens_and_offset_map():
    from kcapture.pipeline import Pipeline

    doc = Pipeline().read("รายงาน\n\nวันนี้ อาสาสมัคร ด าเนินงาน ที่ชุมชน 25 คน\n- ข้อหนึ่ง\n".encode(), "a.txt")
    data = doc.to_dict()
    assert data["kcapture_document"] == DOCUMENT_FORMAT_VERSION
    assert len(data["source_offsets"]) < len(doc.source_offsets)  # stored as the points where the map jumps
    assert Document.from_dict(data) == doc


def test_a_newer_format_is_refused_not_misread():
    data = Document("a", "txt", "x", "x", [0, 1]).to_dict()
    data["kcapture_document"] = DOCUMENT_FORMAT_VERSION + 1
    with pytest.raises(ValueError, match="kcapture document"):
        Document.from_dict(data)
