"""Property tests: for any mix of Thai, Latin, digits, emoji and whitespace, the document's offsets hold.

`doc.text[s.start:s.end] == s.text` for every sentence and token, sentences are non-empty, stripped, in order and
apart, and the map back to the extracted text has one entry per character plus one, inside the source.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kcapture.errors import EmptyDocumentError, KcaptureError
from kcapture.pipeline import document_from_bytes

THAI_LETTERS = [chr(c) for c in range(0x0E01, 0x0E2F)] + [chr(c) for c in range(0x0E30, 0x0E3B)]
THAI_MARKS_AND_SIGNS = [chr(c) for c in range(0x0E3F, 0x0E4F)]  # ฿, leading vowels, ๆ, tone marks, ์ ...
THAI_DIGITS = [chr(c) for c in range(0x0E50, 0x0E5A)]
LATIN = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
DIGITS = list("0123456789")
EMOJI = ["😀", "🙏", "👍🏽", "❤️", "🇹🇭", "📚", "👨‍👩‍👧"]
PUNCT = list(".,:;!?()-–\"'“”/%#•")
WHITESPACE = [" ", " ", " ", "\n", "\n\n", "\t", "\r\n"]
WORDS = ["วิสาหกิจเพื่อสังคม", "อาสาสมัคร", "ถอดบทเรียน", "ดำเนินงาน", "ผู้เข้าร่วม", "ชุมชน", "และ", "ที่",
         "พี่แดง:", "1.", "2.", "- ", "วันที่ 14-19 มิถุนายน 2562", "ด าเนิน", "ท่ี", "เเละ", "\u200b", "\ufffd",
         "Business Model Canvas", "KPI", "๒๕๖๓", "ฯลฯ", "ๆ", " - 12 - "]

pieces = st.one_of(
    st.sampled_from(THAI_LETTERS + THAI_MARKS_AND_SIGNS),
    st.sampled_from(THAI_DIGITS + DIGITS + LATIN + PUNCT),
    st.sampled_from(EMOJI),
    st.sampled_from(WHITESPACE),
    st.sampled_from(WORDS),
)
texts = st.lists(pieces, max_size=120).map("".join)
# Runs of real-looking text: mostly Thai words and letters, sentences separated by spaces and lines.
prose = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(THAI_LETTERS), st.sampled_from([" ", "\n"])),
                 min_size=1, max_size=200).map("".join)

SETTINGS = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_document(text: str, name: str) -> None:
    try:
        doc = document_from_bytes(text.encode("utf-8"), name)
    except KcaptureError:  # EmptyDocumentError for whitespace-only or invisible-only text
        return
    assert text.strip(), "whitespace-only text must raise EmptyDocumentError"
    doc.check_offsets()
    assert doc.text and doc.text == doc.text.strip()
    previous_end = 0
    for i, s in enumerate(doc.sentences):
        assert s.id == i
        assert s.text and s.text == s.text.strip()
        assert previous_end <= s.start < s.end <= len(doc.text)
        previous_end = s.end
        assert all(t.text and not t.text.isspace() for t in s.tokens)
        assert [t.start for t in s.tokens] == sorted(t.start for t in s.tokens)
    # Every non-space character of the text is in some sentence.
    inside = bytearray(len(doc.text))
    for s in doc.sentences:
        inside[s.start : s.end] = b"\x01" * (s.end - s.start)
    assert all(inside[i] for i, ch in enumerate(doc.text) if not ch.isspace())
    offsets = doc.source_offsets
    assert len(offsets) == len(doc.text) + 1
    assert all(0 <= o <= len(doc.source_text) for o in offsets)
    assert list(offsets) == sorted(offsets)


@SETTINGS
@given(texts)
def test_offsets_hold_for_arbitrary_text(text):
    _check_document(text, "x.txt")


@SETTINGS
@given(prose)
def test_offsets_hold_for_thai_prose(text):
    _check_document(text, "x.txt")


@settings(max_examples=80, deadline=None)
@given(texts)
def test_offsets_hold_for_markdown(text):
    _check_document(text, "x.md")


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from([" ", "\n", "\t", "\r\n", "\u3000", "\u00a0"]), max_size=30).map("".join))
def test_whitespace_only_is_empty(text):
    try:
        document_from_bytes(text.encode("utf-8"), "x.txt")
    except EmptyDocumentError:
        return
    raise AssertionError(f"no EmptyDocumentError for {text!r}")
