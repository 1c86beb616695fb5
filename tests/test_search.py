"""Library search: a word kept inside a longer word by the segmenter, and several words of one sentence (issue 11)."""

from __future__ import annotations

import pytest

from kcapture.library import Library, content_hash
from kcapture.pipeline import Pipeline

# Written for these tests. Each line is its own paragraph, so each is one sentence.
NOTES = {
    "target.txt": (
        "กลุ่มเป้าหมายของโครงการคือผู้สูงอายุที่อยู่ลำพัง\n\n"
        "เป้าหมายของปีนี้คือเยี่ยมบ้านให้ครบทุกหลังคาเรือน\n\n"
        "ทีมงานประชุมกันทุกวันจันทร์ที่ศาลาหมู่บ้าน\n"
    ),
    "enterprise.txt": (
        "วิสาหกิจชุมชนได้รับเงินทุนจากกองทุนหมู่บ้าน\n\n"
        "วิสาหกิจชุมชนขายกล้วยตากให้นักท่องเที่ยว\n\n"
        "กองทุนสวัสดิการช่วยครอบครัวที่ลำบาก\n"
    ),
}


@pytest.fixture(scope="module")
def lib(tmp_path_factory):
    path = tmp_path_factory.mktemp("search") / "lib.sqlite3"
    library = Library(path)
    pipe = Pipeline()
    for name, text in NOTES.items():
        data = text.encode("utf-8")
        library.add_document(pipe.read(data, name), content_hash(data))  # untagged: search needs no model
    yield library
    library.close()


def _texts(hits) -> list[str]:
    return [h.text for h in hits]


def test_a_word_inside_a_longer_word_is_found(lib):
    stored = {s["text"]: s["tokens"].split() for d in lib.documents() for s in lib.sentences(d.id)}
    compound = next(t for t in stored if t.startswith("กลุ่มเป้าหมาย"))
    assert "เป้าหมาย" not in stored[compound]  # the segmenter keeps it inside one token: word search alone misses it
    hits = lib.search("เป้าหมาย")
    assert compound in _texts(hits)
    assert any(t.startswith("เป้าหมายของปีนี้") for t in _texts(hits))
    assert all("เป้าหมาย" in t for t in _texts(hits)) and len(hits) == 2
    # Word matches first, then the matches inside longer words.
    assert [h.how for h in hits] == ["words", "substring"] and hits[1].text == compound


def test_two_words_of_one_sentence_are_found_together(lib):
    hits = lib.search("วิสาหกิจ ทุน")
    assert _texts(hits) == ["วิสาหกิจชุมชนได้รับเงินทุนจากกองทุนหมู่บ้าน"]
    # Both parts must be in the sentence: each alone finds more.
    assert len(lib.search("วิสาหกิจ")) == 2
    assert len(lib.search("ทุน")) == 2
    assert lib.search("วิสาหกิจ สวัสดิการ") == []


def test_substring_matches_respect_the_document_filter_and_the_limit(lib):
    docs = {d.name: d.id for d in lib.documents()}
    assert lib.search("ทุน", doc_ids=[docs["target.txt"]]) == []
    assert {h.doc_id for h in lib.search("ทุน", doc_ids=[docs["enterprise.txt"]])} == {docs["enterprise.txt"]}
    assert len(lib.search("ทุน", limit=1)) == 1
    hits = lib.search("หมู่บ้าน")
    assert len({(h.doc_id, h.idx) for h in hits}) == len(hits)  # a sentence found both ways is listed once


def test_nothing_found_and_odd_queries_are_quiet(lib):
    assert lib.search("ไม่มีคำนี้ในบันทึก") == []
    for q in ['"', "AND", "OR (", "*", "NEAR(a b)", "'; DROP TABLE documents; --", "   ", "%", "_"]:
        lib.search(q)  # never raises
    assert lib.search("%") == [] and lib.search("_") == []  # no LIKE wildcards: instr() matches literally
    assert lib.count_documents() == 2
