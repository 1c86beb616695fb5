"""The rules no boundary model overrides: never inside brackets or quotes, never between a number and what it counts,
never before a continuation word or inside a dictionary name; and the model's runtime scoring matches training."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from kcapture.pipeline import load_document
from kcapture.thai.boundaries import (
    BoundaryModel,
    feature_name,
    line_words,
    load_boundary_model,
    space_features,
)
from kcapture.thai.sentence_rules import (
    CONTINUE_BEFORE,
    counts,
    dictionary_names,
    enclosed_spans,
    protected_words,
)
from kcapture.thai.sentences import SentenceSegmenter, split_sentences
from kcapture.thai.tokenize import default_tokenizer

# Invented sentences with the shapes of the fragments users reported (nothing here is from ../shared/samples).
FRAGMENT_CASES = [
    # number and the acronym it counts, then a continuation
    ("ทีมงานฝึกใช้กรอบคิด 4 Ps ที่เป็นเครื่องมือทางการตลาดเพื่อวางแผนรณรงค์ของชุมชนให้ได้ผลจริง", ["4 Ps ที่"]),
    # an English term in brackets
    ("กลุ่มแม่บ้านเลือกเป็นกิจการเพื่อสังคม (Social Enterprise) ที่ขายสินค้าชุมชนและแบ่งกำไรเข้ากองทุนหมู่บ้าน",
     ["(Social Enterprise)"]),
    # a programme name and its cohort
    ("ผู้เข้าร่วมหลักสูตรนักขับเคลื่อนสังคม รุ่นที่ 7 ได้ลงพื้นที่เรียนรู้การทำงานของเครือข่ายคนพิการในจังหวัด",
     ["สังคม รุ่นที่ 7"]),
    # an organisation name followed by a relative clause
    ("คณะศึกษาดูงานได้พบผู้อำนวยการมูลนิธิรักษ์ไทย ที่ต้องการขยายงานเยี่ยมบ้านไปยังอำเภออื่นในปีหน้า",
     ["รักษ์ไทย ที่ต้องการ"]),
    # a number and the word it counts
    ("การประชุมครั้งนี้มีผู้เข้าร่วมทั้งหมด 25 คน จากชมรมผู้สูงอายุและโรงพยาบาลส่งเสริมสุขภาพตำบลในอำเภอ", ["25 คน"]),
    # a quotation
    ("วิทยากรชวนคิดว่า “ถ้าไม่มีทุนจากข้างนอก เราจะอยู่ได้อย่างไร ใครคือพันธมิตรของเรา” แล้วให้แต่ละกลุ่มตอบ",
     ["“ถ้าไม่มีทุนจากข้างนอก เราจะอยู่ได้อย่างไร ใครคือพันธมิตรของเรา”"]),
]


@pytest.mark.parametrize(("text", "kept"), FRAGMENT_CASES)
def test_reported_fragment_kinds_stay_whole(text, kept):
    sentences = split_sentences(text)
    assert " ".join(sentences) == text
    for piece in kept:
        assert any(piece in s for s in sentences), (piece, sentences)


def test_enclosed_spans_match_pairs_and_ignore_strays():
    line = 'ก (ข (ค) ง) "จ" it\'s ( ฉ [ช'
    spans = enclosed_spans(line)
    assert (line.index("(ค"), line.index(")")) in spans
    assert (line.index("(ข"), line.rindex(")")) in spans
    assert (line.index('"'), line.rindex('"')) in spans
    assert all(line[a] != "'" for a, _ in spans)  # an apostrophe is not a quotation mark
    assert not any(a == line.rindex("(") for a, _ in spans)  # unclosed: not a span
    assert enclosed_spans("ไม่มีวงเล็บ") == []


def test_number_and_what_it_counts():
    assert counts("25", "คน") and counts("4", "Ps") and counts("14", "มิถุนายน") and counts("1,500", "บาท")
    assert not counts("2562", "วันแรก")  # a year is not a count: a sentence may end after it
    assert not counts("5", "ผู้เข้าร่วม")


def _protected_pairs(line: str) -> set[tuple[str, str]]:
    words, starts, space_before, _ = line_words(default_tokenizer().words(line))
    blocked = protected_words(words, starts, space_before, line, dictionary_names())
    return {(words[k - 1], words[k]) for k in blocked}


def test_protected_spaces():
    pairs = _protected_pairs("เครื่องมือ 4 Ps ที่เป็นเครื่องมือ และวิธีคิด (Social Enterprise) ซึ่งใช้ได้จริง ณ ศาลาวัด")
    assert {("4", "Ps"), ("Ps", "ที่"), ("เครื่องมือ", "และ")} <= pairs
    assert any(left.endswith("Social") for left, _ in pairs)  # inside the brackets
    assert ("ณ", "ศาลาวัด") in pairs
    assert any(right == "ซึ่ง" for _, right in pairs)
    # A stray space inside a name of the domain dictionary.
    assert ("มูลนิธิ", "กระจกเงา") in _protected_pairs("ทีมงานได้ไปเรียนรู้ที่มูลนิธิ กระจกเงา เมื่อต้นเดือน")


class _Always(BoundaryModel):
    """A model that wants a sentence to end at every space, as strongly as it can."""

    def score(self, *args, **kwargs) -> float:
        return 1e9


class _Never(BoundaryModel):
    def score(self, *args, **kwargs) -> float:
        return -1e9


def test_no_model_overrides_the_rules():
    line = ("วิทยากรสอนเครื่องมือ 4 Ps ที่ใช้ได้จริง และกรอบคิด (Social Enterprise สำหรับชุมชน) ที่ขายของได้ "
            "มีผู้เข้าร่วม 25 คน ซึ่งมาจาก “กลุ่มออมทรัพย์ บ้านหนองบัว” ของตำบล")
    seg = SentenceSegmenter(default_tokenizer(), boundary_model=_Always({}, 0.0, 0.5, dictionary_names()))
    spans = seg.split_line(line)
    assert len(spans) > 3  # the model did split where the rules let it
    ends = [e for _, e in spans[:-1]]
    inside = [(a, b) for a, b in enclosed_spans(line)]
    for e in ends:
        assert not any(a < e < b for a, b in inside), line[:e]
        rest = line[e:].lstrip()
        assert not rest.startswith(("ที่", "ซึ่ง", "และ", "Ps", "คน")), (line[:e], rest)


def test_rules_force_inline_numbered_items_whatever_the_model():
    line = "วัตถุประสงค์มีสามข้อ 1. พัฒนาศักยภาพแกนนำ 2. สร้างเครือข่ายความร่วมมือ 3. ถอดบทเรียนการทำงาน"
    seg = SentenceSegmenter(default_tokenizer(), boundary_model=_Never({}, 0.0, 0.5))
    starts = [line[a:b][:2] for a, b in seg.split_line(line)]
    assert starts == ["วั", "1.", "2.", "3."]


def test_rules_also_bind_the_fallback_without_a_model():
    seg = SentenceSegmenter(default_tokenizer(), boundary_model=None)
    line = "ผู้เข้าร่วมได้เรียนรู้การทำงานของมูลนิธิกระจกเงา ที่ต้องการสร้างนวัตกรรมเพื่อเปลี่ยนแปลงสังคมอย่างยั่งยืน"
    assert len(seg.split_line(line)) == 1


def test_runtime_score_equals_the_sum_of_training_features():
    model = load_boundary_model()
    assert model is not None, "the shipped boundary model is missing: python -m kcapture.thai.train_boundaries"
    flat: dict[str, float] = {}
    for template, table in model.tables.items():
        for value, w in table.items():
            flat[feature_name(template, value)] = w
    tok = default_tokenizer()
    lines = [" ".join(t for t, _ in FRAGMENT_CASES), "ปี 2562 มีสมาชิก 1,500 คน  ได้แก่ อสม. ครู และ Line OA ครับ"]
    checked = 0
    for line in lines:
        words, starts, space_before, n = line_words(tok.words(line))
        for k in range(1, len(words)):
            for left_len in (3, 17, 64, 500):
                z = model.score(words, starts, k, left_len, n - starts[k], k % 2 == 0)
                expected = model.bias + sum(flat.get(feature_name(t, v), 0.0)
                                            for t, v in space_features(words, starts, k, left_len, n - starts[k],
                                                                       k % 2 == 0))
                assert z == pytest.approx(expected, abs=1e-9)
                checked += 1
    assert checked > 40


def test_boundary_runtime_does_not_import_training_or_sentences():
    code = ("import sys, kcapture.thai.boundaries; "
            "bad = [m for m in ('kcapture.thai.sentences', 'kcapture.thai.train_boundaries', 'sklearn') "
            "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr


def test_training_split_never_trains_on_a_test_document():
    from kcapture.corpus import split_documents
    from kcapture.thai.train_boundaries import split_for_training

    def doc(i: int, genre: str) -> dict:
        return {"doc_id": f"{genre}-{i}", "genre": genre, "sentences": [{"text": "ก", "break": ""}]}

    raw = [doc(i, g) for g in ("report", "essay") for i in range(20)]
    extra = [doc(i, g) for g in ("report", "news") for i in range(20, 60)]
    parts = split_for_training(raw, extra)
    train = {d["doc_id"] for d in parts["train"]}
    for view in (split_documents(raw), split_documents(raw + extra)):
        assert not train & {d["doc_id"] for d in view["test"] + view["valid"]}
    assert {d["doc_id"] for d in split_documents(raw)["test"]} <= {d["doc_id"] for d in parts["test"]}
    assert len(parts["train"]) + len(parts["valid"]) + len(parts["test"]) == len(raw) + len(extra)


def test_gold_lines_and_hard_case():
    from kcapture.thai.train_boundaries import gold_lines, hard_case

    doc = {"doc_id": "x", "sentences": [
        {"text": "หัวข้อ", "break": "\n"}, {"text": "ประโยคแรก", "break": " "}, {"text": "ประโยคสอง", "break": "\n\n"},
        {"text": "ย่อหน้า\nใหม่", "break": ""}]}
    assert list(gold_lines([doc])) == [("หัวข้อ", set(), False), ("ประโยคแรก ประโยคสอง", {10}, False),
                                       ("ย่อหน้า", set(), False), ("ใหม่", set(), False)]
    (line, gold, _), = list(gold_lines([hard_case(doc)]))
    assert line == "หัวข้อ ประโยคแรก ประโยคสอง ย่อหน้า ใหม่"
    assert {line[g:g + 3] for g in gold} == {"ประ", "ย่อ"}


# -- the shared real report (read in place from ../shared, never copied) -------------------------------------------

_COUNTED_START = re.compile(r"^(?:คน|ราย|วัน|เดือน|ปี|ครั้ง|บาท|[A-Z][A-Za-z]?s?\b)")


def test_shared_report_has_no_fragments(sample_path):
    doc = load_document(sample_path)
    doc.check_offsets()
    text = doc.text
    for s, nxt in zip(doc.sentences, doc.sentences[1:], strict=False):
        if "\n" in text[s.end : nxt.start]:
            continue  # a line break: the author's boundary
        for open_, close in (("(", ")"), ("“", "”"), ("[", "]")):
            assert s.text.count(open_) <= s.text.count(close) or close not in nxt.text, (s.text, nxt.text)
        assert s.text.count('"') % 2 == 0 or '"' not in nxt.text, (s.text, nxt.text)
        first = nxt.tokens[0].text if nxt.tokens else ""
        assert first not in CONTINUE_BEFORE, (s.text[-30:], nxt.text[:30])
        last = s.tokens[-1].text if s.tokens else ""
        assert not (re.fullmatch(r"[\d๐-๙][\d๐-๙,.]*", last) and _COUNTED_START.match(nxt.text)), (
            s.text[-30:], nxt.text[:30])
