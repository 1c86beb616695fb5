"""Sentence and word segmentation for the genres users bring, the custom dictionary, and the spaCy view."""

from __future__ import annotations

import pytest

from kcapture.pipeline import document_from_bytes
from kcapture.thai.sentences import default_segmenter, split_sentences
from kcapture.thai.tokenize import WordTokenizer, default_tokenizer

OBJECTIVES = [
    "1. เพื่อพัฒนาศักยภาพของอาสาสมัครในการดูแลผู้สูงอายุที่อยู่บ้านคนเดียว",
    "2. เพื่อสร้างเครือข่ายความร่วมมือระหว่างโรงพยาบาลส่งเสริมสุขภาพตำบลกับชมรมผู้สูงอายุ",
    "3. เพื่อถอดบทเรียนการทำงานและเผยแพร่ให้ตำบลอื่นนำไปใช้",
]
REPORT = "รายงานผลการดำเนินงานโครงการ\n\nวัตถุประสงค์\n" + "\n".join(OBJECTIVES) + "\n"

NOTES = [
    "- ชาวบ้านมาประชุม 25 คน",
    "- ผู้ใหญ่บ้านเล่าปัญหาน้ำท่วมซ้ำซากทุกปี",
    "- อยากได้อาสาสมัครช่วยดูแลเด็กช่วงปิดเทอม",
    "• นัดประชุมครั้งต่อไปสิ้นเดือน",
]

TRANSCRIPT = """พี่แดง: วันนี้เรามาสรุปบทเรียนจากการลงพื้นที่กันนะคะ ใครอยากเริ่มก่อนก็ได้
ลุงสม: ผมว่าชาวบ้านให้ความร่วมมือดีมาก แต่ช่วงหน้าฝนเดินทางลำบาก
น้องฝน: หนูเห็นด้วยค่ะ
พี่แดง: ขอบคุณค่ะ งั้นเดือนหน้าเราลองนัดประชุมออนไลน์ดูนะคะ
"""

RUN_ON = [
    "ทีมงานลงพื้นที่ครั้งแรกในเดือนมิถุนายน",
    "ชาวบ้านยังไม่ค่อยไว้ใจคนนอกเท่าไร",
    "พอเราไปช่วยงานบุญประจำปีของหมู่บ้านความสัมพันธ์ก็ดีขึ้น",
    "ผู้ใหญ่บ้านเริ่มชวนเราเข้าร่วมประชุมประจำเดือน",
    "หลังจากนั้นกลุ่มแม่บ้านขอให้เราช่วยสอนทำบัญชีรายรับรายจ่าย",
    "ผลคือภายในสามเดือนกลุ่มมีเงินออมเพิ่มขึ้นเกือบเท่าตัว",
    "บทเรียนสำคัญคือการทำงานกับชุมชนต้องเริ่มจากความไว้ใจ",
]


def _doc(text: str, name: str = "notes.txt"):
    doc = document_from_bytes(text.encode("utf-8"), name)
    doc.check_offsets()
    return doc


def test_numbered_report_list_one_sentence_per_item():
    doc = _doc(REPORT)
    items = [s for s in doc.sentences if s.kind == "list_item"]
    assert [s.text for s in items] == OBJECTIVES
    assert [s.text for s in doc.sentences][:2] == ["รายงานผลการดำเนินงานโครงการ", "วัตถุประสงค์"]


def test_inline_numbered_list_splits_at_each_number():
    text = "วัตถุประสงค์ของโครงการมีสามข้อ " + " ".join(OBJECTIVES)
    assert split_sentences(text) == ["วัตถุประสงค์ของโครงการมีสามข้อ", *OBJECTIVES]


def test_bullet_notes():
    doc = _doc("บันทึกลงพื้นที่ 3 ก.ค. 63\n" + "\n".join(NOTES) + "\n")
    items = [s for s in doc.sentences if s.kind == "list_item"]
    assert [s.text for s in items] == NOTES
    assert doc.sentences[0].text == "บันทึกลงพื้นที่ 3 ก.ค. 63"


def test_transcript_speaker_labels():
    doc = _doc(TRANSCRIPT, "meeting.txt")
    rows = [(s.speaker, s.text) for s in doc.sentences]
    turns = [speaker for i, (speaker, _) in enumerate(rows) if i == 0 or rows[i - 1][0] != speaker]
    assert turns == ["พี่แดง", "ลุงสม", "น้องฝน", "พี่แดง"]
    # Sentence granularity follows the corpus writers (boundaries.py): "..., แต่ ..." stays one sentence.
    assert any(text.endswith("แต่ช่วงหน้าฝนเดินทางลำบาก") for speaker, text in rows if speaker == "ลุงสม")
    # Each turn is its own block, so no sentence runs from one speaker into the next.
    assert len({s.block for s in doc.sentences}) == 4


def test_fields_with_colons_are_not_speakers():
    doc = _doc("วันที่: 3 ก.ค. 63\nสถานที่: ศาลาวัด\nผู้บันทึก: สมศรี\n\n" + " ".join(RUN_ON[:3]) + "\n")
    assert {s.speaker for s in doc.sentences} == {None}


def _boundaries(sentences: list[str]) -> set[int]:
    """Character positions (spaces not counted) where sentences end, except the last."""
    ends, pos = set(), 0
    for s in sentences[:-1]:
        pos += len(s.replace(" ", ""))
        ends.add(pos)
    return ends


def test_long_run_on_paragraph_is_split():
    paragraph = " ".join(RUN_ON)
    doc = _doc(paragraph)
    got = [s.text for s in doc.sentences]
    # The corpus writers' sentences hold two or three clauses, and the learned boundary model follows them, so a
    # seven-clause paragraph becomes three or more sentences, each boundary a real clause boundary.
    assert len(got) >= 3
    gold, found = _boundaries(RUN_ON), _boundaries(got)
    precision = len(gold & found) / len(found)
    assert precision == 1.0, got
    assert " ".join(got) == paragraph  # only spaces are boundaries: nothing lost or added


def test_spaces_around_numbers_and_english_do_not_split():
    for text in ["กลุ่มมีสมาชิก 42 คน และมีรายได้เฉลี่ยเดือนละประมาณ 65,000 บาท",
                 "วิทยากรใช้แบบฟอร์ม Business Model Canvas ที่แปลเป็นภาษาอีสานง่ายๆ"]:
        assert split_sentences(text) == [text]


def test_enumeration_is_one_sentence():
    text = "ผู้เข้าร่วมได้แก่ อาสาสมัครสาธารณสุข ครู และผู้นำชุมชน"
    assert split_sentences(text) == [text]


def test_sentences_never_cross_lines_or_blocks():
    doc = _doc("ข้อความบรรทัดแรกที่ยาวพอสมควร\nข้อความบรรทัดที่สองที่ยาวพอสมควร\n\nย่อหน้าใหม่")
    assert [s.text for s in doc.sentences] == ["ข้อความบรรทัดแรกที่ยาวพอสมควร", "ข้อความบรรทัดที่สองที่ยาวพอสมควร",
                                               "ย่อหน้าใหม่"]
    assert [s.block for s in doc.sentences] == [0, 0, 1]


def test_sentence_tokens_point_into_the_text():
    doc = _doc(" ".join(RUN_ON) + "\n\n" + "\n".join(NOTES))
    for s in doc.sentences:
        assert s.tokens
        assert "".join(t.text for t in s.tokens) == s.text.replace(" ", "")
        for t in s.tokens:
            assert doc.text[t.start : t.end] == t.text and not t.text.isspace()


@pytest.mark.parametrize("word", ["วิสาหกิจเพื่อสังคม", "สายรุ้งพันธมิตร", "ถอดบทเรียน", "อาสาสมัคร"])
def test_domain_words_stay_whole(word):
    tok = default_tokenizer()
    sentence = f"ทีมงานได้{word}ร่วมกับชุมชนในปีนี้"
    assert word in [t.text for t in tok.tokenize(sentence)]
    doc = _doc(f"รายงานประจำเดือน {sentence}")
    assert word in [t.text for s in doc.sentences for t in s.tokens]


def test_user_words_extend_the_dictionary():
    text = "ทีมงานจัดกิจกรรมบ้านนกฮูกน้อยทุกเดือน"
    assert "บ้านนกฮูกน้อย" not in [t.text for t in default_tokenizer().tokenize(text)]
    assert "บ้านนกฮูกน้อย" in [t.text for t in WordTokenizer(["บ้านนกฮูกน้อย"]).tokenize(text)]


def test_words_concatenate_back_to_the_text():
    tok = default_tokenizer()
    text = "โครงการ ABC ปี 2562 มีผู้เข้าร่วม ๔๒ คน 😀 และ\tวิสาหกิจเพื่อสังคม"
    assert "".join(tok.words(text)) == text
    for t in tok.tokenize(text, base=7):
        assert text[t.start - 7 : t.end - 7] == t.text


def test_segmenter_spans_are_trimmed_and_inside_the_line():
    line = "  " + " ".join(RUN_ON) + "  "
    spans = default_segmenter().split_line(line)
    for a, b in spans:
        assert 0 <= a < b <= len(line)
        assert line[a:b] == line[a:b].strip()


def test_spacy_doc_has_the_same_text_and_sentences():
    pytest.importorskip("spacy")
    from kcapture.thai.spacy_doc import to_spacy

    text = ("รายงานผลการดำเนินงาน\n\n" + " ".join(RUN_ON) + "\n\n" + "\n".join(NOTES) +
            "\n\nวิสาหกิจเพื่อสังคม  กับ สายรุ้งพันธมิตร ทำงานร่วมกัน")
    doc = _doc(text)
    sdoc = to_spacy(doc)
    assert sdoc.text == doc.text
    sents = list(sdoc.sents)
    assert len(sents) == len(doc.sentences)
    for sent, s in zip(sents, doc.sentences, strict=True):
        assert sent.start_char == s.start
        assert sent.text.rstrip() == s.text  # a spaCy sentence also holds the line breaks after it
        span = sdoc.char_span(s.start, s.end)
        assert span is not None and span.text == s.text
    words = [t.text for t in sdoc if not t.is_space]
    assert words == [t.text for s in doc.sentences for t in s.tokens]
    assert "วิสาหกิจเพื่อสังคม" in words and "สายรุ้งพันธมิตร" in words


def test_very_long_run_on_is_cut_at_clause_boundaries():
    from kcapture.thai.boundaries import MAX_SENTENCE

    # Seven clauses joined by spaces, twice over, with continuation words the rules keep together: whatever the
    # model thinks of each space, no sentence may run past MAX_SENTENCE characters.
    clauses = [c + " และทีมงานที่ร่วมเดินทาง" for c in RUN_ON] * 2
    paragraph = " ".join(clauses)
    assert len(paragraph) > 2 * MAX_SENTENCE
    got = split_sentences(paragraph)
    assert " ".join(got) == paragraph
    assert max(map(len, got)) <= MAX_SENTENCE
    assert all(not s.startswith(("และ", "ที่")) for s in got)


def test_hard_case_heading_list_and_paragraph_on_one_line():
    # The same report as REPORT with its line breaks turned into spaces (as text pasted from a web page arrives).
    text = "วัตถุประสงค์ของโครงการ " + " ".join(OBJECTIVES) + " " + " ".join(RUN_ON[:3])
    got = split_sentences(text)
    assert got[0] == "วัตถุประสงค์ของโครงการ"
    assert got[1:3] == OBJECTIVES[:2] and got[3].startswith(OBJECTIVES[2])
    assert " ".join(got) == text
