"""The model shipped in models/: loads fast, follows the codebook, and reads the real sample report sensibly."""

import json
import subprocess
import sys
from collections import Counter

from kcapture.classify import DEFAULT_MODEL, load_model, tag_document
from kcapture.codebook import load_codebook
from kcapture.pipeline import load_document


def test_matches_the_codebook():  # load time is measured in benchmarks/classifier_speed.py
    model = load_model(DEFAULT_MODEL)
    cb = load_codebook()
    assert sorted(model.head("themes").labels) == sorted(cb.theme_ids)
    assert sorted(model.head("facet").labels) == sorted(cb.facet_ids)


def test_sample_report_themes(sample_path):
    doc = tag_document(load_document(sample_path))
    themes = Counter(t for s in doc.sentences for t in s.themes)
    # ../shared/samples/README.md: lessons mostly on strategy, social enterprise, social movements, networks,
    # volunteering and learning. The course's own learning and social movements must be among the top themes.
    top = {t for t, _ in themes.most_common(4)}
    assert "learning_leadership" in top
    assert {"social_movement", "social_enterprise", "volunteerism"} <= set(themes)
    facets = Counter(s.facet for s in doc.sentences)
    objectives = [s for s in doc.sentences if s.kind == "list_item" and s.text.lstrip()[:2] in ("1.", "2.", "3.")]
    assert all(s.facet == "objective" for s in objectives[:3])
    assert set(facets) <= set(load_codebook().facet_ids)


def test_sample_report_self_funding_is_social_enterprise_and_volunteering_is_found(sample_path):
    """Issue 10: the sentence saying the foundation succeeds as a social enterprise without depending on grants gets
    `social_enterprise`, and the report, which describes a volunteer home-visit programme, gets `volunteerism`."""
    doc = tag_document(load_document(sample_path))
    self_funding = [s for s in doc.sentences if "วิสาหกิจเพื่อสังคม" in s.text and "ไม่ต้องพึ่งพาแหล่งทุน" in s.text]
    assert self_funding, [s.text for s in doc.sentences]
    assert all("social_enterprise" in s.themes for s in self_funding), [(s.text, s.themes) for s in self_funding]
    assert any("volunteerism" in s.themes for s in doc.sentences)


def test_evaluate_reproduces_model_card_figures():
    """The model card's test-split figures come from this command; they must still hold (within rounding)."""
    out = subprocess.run([sys.executable, "-m", "kcapture", "evaluate", "--data", "corpora/test.jsonl"],
                         capture_output=True, text=True, check=True, cwd=DEFAULT_MODEL.parent.parent)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    card = (DEFAULT_MODEL / "README.md").read_text(encoding="utf-8")
    assert f"macro-F1 {result['heads']['themes']['macro_f1']:.3f}" in card
    assert f"macro-F1 {result['heads']['facet']['macro_f1']:.3f}" in card
