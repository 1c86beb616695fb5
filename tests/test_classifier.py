"""ThemeClassifier: training on a tiny corpus, thresholds, safe persistence, and the train/evaluate/classify CLI."""

import json
import subprocess
import sys

import numpy as np
import pytest

from kcapture.classify.data import per_label_report
from kcapture.classify.model import ThemeClassifier, best_threshold
from kcapture.classify.persist import load_model, save_model
from kcapture.errors import InvalidInputError, ModelError

# A tiny labeled corpus written for these tests: two themes that share no vocabulary, two facets.
MONEY = ["ร้านค้ามือสองขายของบริจาคได้กำไรทุกเดือน", "รายได้จากการขายสินค้าชุมชนเลี้ยงตัวเองได้",
         "กิจการเพื่อสังคมมีรายได้จากการขายกาแฟ", "ขายผ้าทอได้เงินมาจ่ายค่าจ้างพนักงาน",
         "ยอดขายสินค้าแปรรูปเพิ่มขึ้นจนพึ่งตนเองได้", "ร้านปันกันขายของมือสองมีกำไรไปทำโครงการ"]
VOLUNTEER = ["อาสาสมัครมาช่วยคัดแยกของทุกวันเสาร์", "จิตอาสาในชุมชนช่วยกันเยี่ยมบ้านผู้ป่วย",
             "เปิดรับอาสาสมัครรุ่นใหม่ผ่านเพจของมูลนิธิ", "อาสาสมัครนักศึกษามาสอนหนังสือเด็ก",
             "ชาวบ้านอาสามาช่วยงานโดยไม่รับค่าตอบแทน", "อาสาสมัครสาธารณสุขออกเยี่ยมผู้สูงอายุ"]


def _rows():
    rows = []
    for i, t in enumerate(MONEY):
        rows.append({"id": f"m{i}", "doc": f"d{i % 3}", "text": t, "themes": ["social_enterprise"],
                     "facet": "outcome" if i % 2 else "activity"})
    for i, t in enumerate(VOLUNTEER):
        rows.append({"id": f"v{i}", "doc": f"d{i % 3}", "text": t, "themes": ["volunteerism"],
                     "facet": "outcome" if i % 2 else "activity"})
    return rows * 3  # repeated so min_df and 3-fold tuning have something to hold


def _write(path, rows):
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def test_fit_predict_save_load_roundtrip(tmp_path):
    from kcapture.classify.training import train_from_rows

    model = train_from_rows(_rows())
    texts = ["ขายสินค้ามือสองได้กำไร", "อาสาสมัครมาช่วยงานทุกวัน"]
    before = model.predict(texts)
    assert before[0]["themes"] == ["social_enterprise"]
    assert before[1]["themes"] == ["volunteerism"]
    for p in before:
        assert all(0.0 <= v <= 1.0 for v in p["themes_scores"].values())
        assert abs(sum(p["facet_scores"].values()) - 1.0) < 1e-3
    save_model(model, tmp_path / "m")
    assert not list((tmp_path / "m").glob("*.pkl"))
    after = load_model(tmp_path / "m").predict(texts)
    assert [p["themes"] for p in after] == [p["themes"] for p in before]
    for a, b in zip(after, before, strict=True):
        for k in a["themes_scores"]:
            assert a["themes_scores"][k] == pytest.approx(b["themes_scores"][k], abs=1e-3)


def test_threshold_tuning_picks_the_separating_score():
    scores = np.array([0.1, 0.2, 0.3, 0.35, 0.4, 0.8])
    y = np.array([0, 0, 0, 1, 1, 1])
    t = best_threshold(scores, y)
    assert 0.3 < t <= 0.35


def test_metrics_report_per_label():
    rep = per_label_report([["a"], ["b"], []], [["a"], ["a"], []], ["a", "b"], multi=True)
    assert rep["per_label"]["a"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}
    assert rep["per_label"]["b"]["recall"] == 0.0
    assert rep["macro_f1"] == pytest.approx(0.3333, abs=1e-3)


def test_damaged_model_gives_clear_error(tmp_path):
    (tmp_path / "model.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelError):
        load_model(tmp_path)
    with pytest.raises(ModelError):
        load_model(tmp_path / "missing")


def test_single_label_user_codebook_via_cli(tmp_path):
    rows = [{"texts": r["text"], "category": r["themes"][0]} for r in _rows()]
    _write(tmp_path / "train.jsonl", rows)
    run = subprocess.run([sys.executable, "-m", "kcapture", "train", "--data", str(tmp_path / "train.jsonl"),
                          "--out", str(tmp_path / "model"), "--text-field", "texts", "--label-field", "category"],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    ev = subprocess.run([sys.executable, "-m", "kcapture", "evaluate", "--data", str(tmp_path / "train.jsonl"),
                         "--model", str(tmp_path / "model"), "--text-field", "texts", "--label-field", "category"],
                        capture_output=True, text=True, check=True)
    last = json.loads(ev.stdout.strip().splitlines()[-1])
    assert set(last) >= {"n", "micro_f1", "macro_f1", "per_label"}
    assert last["n"] == len(rows)
    assert set(last["per_label"]) == {"social_enterprise", "volunteerism"}
    assert last["micro_f1"] > 0.9


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    _write(folder / "train.jsonl", _rows())
    subprocess.run([sys.executable, "-m", "kcapture", "train", "--data", str(folder / "train.jsonl"),
                    "--out", str(folder / "model")], capture_output=True, check=True)
    return folder / "model"


def test_classify_cli_contract(tmp_path, tiny_model):
    _write(tmp_path / "in.jsonl", [{"id": "a", "text": "ขายของมือสองมีกำไร"}, {"id": "b", "text": ""},
                                   {"id": "c", "text": "Hello, this is English only"}])
    out = subprocess.run([sys.executable, "-m", "kcapture", "classify", "--input", str(tmp_path / "in.jsonl"),
                          "--model", str(tiny_model)], capture_output=True, text=True, check=True)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b", "c"]
    for r in rows:
        assert set(r) >= {"id", "themes", "facet", "theme_scores", "facet_scores"}
        assert r["facet"] in {"activity", "outcome"}
    assert rows[0]["themes"] == ["social_enterprise"]
    assert "\\u0e" not in out.stdout  # UTF-8, not ASCII-escaped


@pytest.mark.parametrize("content, message", [
    ("{broken\n", "JSON"),
    ('{"id": 1}\n', "text"),
    ("", "no rows"),
])
def test_classify_bad_input_one_line_error(tmp_path, tiny_model, content, message):
    (tmp_path / "in.jsonl").write_text(content, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "kcapture", "classify", "--input", str(tmp_path / "in.jsonl"),
                          "--model", str(tiny_model)], capture_output=True, text=True)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert message in run.stderr


def test_training_needs_two_labels():
    from kcapture.classify.training import train_from_rows

    with pytest.raises(InvalidInputError):
        train_from_rows([{"text": "ก", "label": "x"}, {"text": "ข", "label": "x"}])


def test_empty_predict_and_unfitted():
    assert ThemeClassifier().predict([]) == []
    with pytest.raises(RuntimeError):
        ThemeClassifier().predict(["ข้อความ"])


def test_classify_never_cuts_a_document_between_batches(monkeypatch):
    """The tagger reads a sentence's document: batching the input must not change any row's tags or scores."""
    import kcapture.classify.jsonl as cj

    texts = ["อาสาสมัครในชุมชนลงพื้นที่เยี่ยมผู้ป่วยติดเตียงทุกสัปดาห์", "ทีมงานระดมทุนจากการขายของมือสอง",
             "ปัญหาคือขาดงบประมาณต่อเนื่อง", "ควรสร้างเครือข่ายกับโรงพยาบาลส่งเสริมสุขภาพตำบล",
             "ผู้เข้าร่วมได้เรียนรู้การทำงานเป็นทีม"]
    rows = [{"id": i, "text": t, "doc": "a" if i < 4 else "b"} for i, t in enumerate(texts)]
    whole = cj.classify_rows(rows)
    monkeypatch.setattr(cj, "BATCH", 2)
    assert [len(c) for c in cj._chunks(rows, True)] == [4, 1]
    assert cj.classify_rows(rows) == whole


def test_word_pairs_by_id_give_the_same_features_as_written_out_bigrams():
    """Prediction finds word pairs by the words' ids (transform_marked_words); training writes the bigrams out.
    Both must give the same matrix, with words that hold a space ("ต่าง ๆ" is one dictionary word, and "ต่าง" and
    "ๆ" are words too), pairs of known words outside the vocabulary, unknown words and empty sentences."""
    from kcapture.classify.features import SentenceFeatures
    from kcapture.classify.vectorizers import WordNgramTfidf

    grams = SentenceFeatures()._word_ngrams
    train = [["ชุมชน", "อาสาสมัคร", "ดูแล"], ["อาสาสมัคร", "ดูแล", "ผู้สูงอายุ"], ["ชุมชน", "ต่าง ๆ"],
             ["กองทุน", "ชุมชน", "ต่าง", "ๆ"], ["ผู้สูงอายุ", "ต่าง ๆ", "ชุมชน"], ["กลุ่ม", "ต่าง ๆ", "ดูแล"],
             ["กลุ่ม", "ต่าง", "ๆ", "ดูแล"]]
    vec = WordNgramTfidf(min_df=2).fit([grams(ws) for ws in train * 2 + [["คำเดียว"]]])
    assert "คำเดียว" not in vec.vocabulary
    assert {"ชุมชน ต่าง ๆ", "ต่าง ๆ", "ต่าง ๆ ดูแล"} <= set(vec.vocabulary)
    rng = np.random.default_rng(0)
    words = sorted({w for ws in train for w in ws} | {"คำใหม่", "<s>", "ต่าง ๆ ดูแล"})
    sentences = [list(rng.choice(words, size=rng.integers(0, 7))) for _ in range(400)] + [[]]
    by_id = vec.transform_marked_words(sentences)
    written = vec.transform([grams(ws) for ws in sentences])
    assert by_id.shape == written.shape
    assert (by_id != written).nnz == 0
