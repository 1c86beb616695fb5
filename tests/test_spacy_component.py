"""kcapture as a registered spaCy component: spacy.blank("th") + add_pipe("kcapture") gives tagged sentences."""

from __future__ import annotations

import spacy

TEXT = ("วันนี้อาสาสมัครยี่สิบคนไปเยี่ยมผู้ป่วยติดเตียงที่บ้าน\n"
        "มูลนิธิขายของบริจาคเพื่อหารายได้มาใช้ในงานโดยไม่ต้องพึ่งทุนจากแหล่งทุน")


def test_the_factory_is_found_through_the_entry_point_and_tags_sentences():
    nlp = spacy.blank("th")
    nlp.add_pipe("kcapture")  # no import of kcapture here: spaCy finds the factory by its entry point
    doc = nlp(TEXT)
    sents = list(doc.sents)
    assert [s.text.strip() for s in sents] == TEXT.split("\n")
    assert doc.text == TEXT  # spaCy's text is untouched: offsets stay spaCy's
    for s in sents:
        assert s._.facet is not None
        assert set(s._.themes) <= set(s._.theme_scores)
    assert "volunteerism" in sents[0]._.themes
    assert "social_enterprise" in sents[1]._.themes


def test_the_sentences_match_kcapture_segmentation_of_the_same_text():
    from kcapture.pipeline import Pipeline

    nlp = spacy.blank("th")
    nlp.add_pipe("kcapture")
    doc = nlp(TEXT)
    kdoc = Pipeline().read(TEXT.encode("utf-8"), "t.txt")
    assert len(list(doc.sents)) == len(kdoc.sentences)
