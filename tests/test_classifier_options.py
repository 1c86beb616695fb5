"""Optional head settings (NB-LR scaling): off by default, trains, saves, loads and predicts the same."""

import numpy as np
import pytest
import scipy.sparse as sp

from kcapture.classify.model import HeadSettings, ThemeClassifier, _fit_binary, nb_log_count_ratio
from kcapture.classify.persist import load_model, save_model
from kcapture.classify.training import model_from_settings, train_from_rows

# Tiny synthetic Thai data written for this test: three sentiment-like classes with their own words.
GOOD = ["อาหารอร่อยมากเลยค่ะ", "บริการดีมากประทับใจ", "ชอบมากเลยจะมาอีก", "รถขับสบายดีมาก", "ของดีราคาถูกชอบมาก"]
BAD = ["อาหารไม่อร่อยเลยแย่มาก", "บริการแย่มากไม่ประทับใจ", "ผิดหวังมากไม่มาอีกแล้ว", "รถเสียบ่อยแย่จริงๆ",
       "ของปลอมราคาแพงแย่มาก"]
ASK = ["ร้านนี้เปิดกี่โมงคะ", "ราคาเท่าไหร่ครับ", "มีสาขาที่เชียงใหม่ไหมคะ", "ส่งต่างจังหวัดได้ไหมครับ",
       "ใช้ได้กับผิวมันไหมคะ"]


def _rows():
    rows = []
    for label, texts in (("pos", GOOD), ("neg", BAD), ("q", ASK)):
        rows += [{"text": t, "label": label, "tags": [label] + (["food"] if "อาหาร" in t else [])} for t in texts]
    return rows * 3


def test_defaults_keep_nb_scaling_off():
    hs = HeadSettings()
    assert hs.nb_scaling is False
    assert hs.nb_alpha == 1.0


@pytest.mark.parametrize("field", ["label", "tags"])  # single-label head (one-vs-rest NB-LR) and multi-label head
def test_nb_scaling_trains_saves_loads_same_predictions(tmp_path, field):
    model = model_from_settings('{"nb_scaling": true, "class_weight": null, "C": 2.0}')
    assert model.head_settings.nb_scaling is True
    model = train_from_rows(_rows(), text_field="text", label_field=field, model=model)
    texts = ["อาหารอร่อยบริการดีมาก", "แย่มากไม่ประทับใจเลย", "เปิดกี่โมงครับ", "hello", ""]
    before = model.predict(texts)
    if field == "label":
        assert [p["label"] for p in before[:3]] == ["pos", "neg", "q"]
        for p in before:
            assert abs(sum(p["label_scores"].values()) - 1.0) < 1e-3
    else:
        assert "pos" in before[0]["tags"] and "neg" in before[1]["tags"] and "q" in before[2]["tags"]
    save_model(model, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    assert loaded.head_settings.nb_scaling is True
    after = loaded.predict(texts)
    for a, b in zip(after, before, strict=True):
        assert a[field] == b[field]
        for k, v in b[field + "_scores"].items():
            assert a[field + "_scores"][k] == pytest.approx(v, abs=1e-3)


def test_nb_weights_are_folded_into_the_coefficients():
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(0)
    X = sp.csr_matrix(rng.random((40, 6)) * (rng.random((40, 6)) < 0.5))
    y = (np.asarray(X[:, 0].todense()).ravel() > 0.2).astype(int)
    settings = HeadSettings(nb_scaling=True, class_weight=None, C=1.0)
    w, b = _fit_binary(X, y, settings)
    r = nb_log_count_ratio(X, y, 1.0)
    ref = LogisticRegression(C=1.0, solver="liblinear").fit(X.multiply(r).tocsr(), y)
    np.testing.assert_allclose(X @ w + b, ref.decision_function(X.multiply(r).tocsr()), rtol=1e-4, atol=1e-4)


def test_default_model_unchanged_by_the_new_option():
    rows = _rows()
    a = train_from_rows(rows, text_field="text", label_field="label", model=ThemeClassifier())
    b = train_from_rows(rows, text_field="text", label_field="label",
                        model=ThemeClassifier(head=HeadSettings(nb_scaling=False)))
    np.testing.assert_array_equal(a.heads[0].coef, b.heads[0].coef)


def test_context_helpers_find_headings_and_document_means():
    from kcapture.classify.model import _document_means, context_matrix, is_section_heading, section_heads

    assert is_section_heading("5. ปัจจัยความสำเร็จ") and is_section_heading("ปัญหาอุปสรรค:")
    assert not is_section_heading("ทีมงานประชุมกันทุกเดือนเพื่อวางแผนการทำงานร่วมกับชุมชนและภาคีเครือข่ายในพื้นที่")
    texts = ["1. วัตถุประสงค์", "เพื่อฝึกทักษะ", "เพื่อสร้างเครือข่าย", "2. ปัญหาอุปสรรค", "งบประมาณไม่พอ", "อื่นๆ"]
    groups = ["a", "a", "a", "a", "a", "b"]
    assert section_heads(texts, groups).tolist() == [-1, 0, 0, 0, 3, -1]  # a new document starts with no heading
    W = sp.csr_matrix(np.array([[1.0, 0], [0, 1], [1, 1], [0, 0], [2, 0], [0, 4]]))
    means = _document_means(W, groups, None).toarray()
    assert means[0].tolist() == pytest.approx([0.8, 0.4]) and means[5].tolist() == [0.0, 4.0]
    assert _document_means(W, None, None).nnz == 0  # rows without a document see an empty block
    X = context_matrix(W, 2, groups, 0.5, None, section_heads(texts, groups), 1.0, 2.0)
    assert X.shape == (6, 2 * 5)  # sentence, previous, next, heading, document
    assert X.toarray()[4, 6:8].tolist() == [0.0, 0.0]  # row 4's heading (row 3) has no words
    assert X.toarray()[1, 6:8].tolist() == [1.0, 0.0]  # row 1 stands under row 0


@pytest.mark.parametrize(("settings", "field"), [('{"theme_document_weight": 1.0}', "tags"),
                                                ('{"section_weight": 0.5}', "label"),
                                                ('{"facet_document_weight": 1.0}', "label")])
def test_context_options_train_save_load_predict_same(tmp_path, settings, field):
    rows = [dict(r, doc=f"d{i // 5}") for i, r in enumerate(_rows())]
    model = train_from_rows(rows, text_field="text", label_field=field, model=model_from_settings(settings))
    texts = ["อาหารอร่อยบริการดีมาก", "แย่มากไม่ประทับใจเลย", "เปิดกี่โมงครับ"]
    before = model.predict(texts, groups=["x", "x", "x"])
    save_model(model, tmp_path / "m")
    loaded = load_model(tmp_path / "m")
    after = loaded.predict(texts, groups=["x", "x", "x"])
    for a, b in zip(after, before, strict=True):
        assert a[field] == b[field]
        assert a[field + "_scores"] == pytest.approx(b[field + "_scores"], abs=1e-3)
    assert loaded.predict(texts)[0][field]  # without documents too


def test_document_block_is_computed_per_stretch_without_a_rows_by_words_matrix():
    from kcapture.classify.model import DOCUMENT_STRETCH, _document_logits, _document_means, _stretches

    groups = ["a"] * (DOCUMENT_STRETCH + 3) + ["b"] * 2 + ["a"]
    g, n = _stretches(groups)
    assert n == 4 and g[DOCUMENT_STRETCH - 1] == 0 and g[DOCUMENT_STRETCH] == 1 and g[-1] == 3
    rng = np.random.default_rng(0)
    W = sp.csr_matrix(rng.random((len(groups), 7)) * (rng.random((len(groups), 7)) < 0.3))
    coef = rng.normal(size=(3, 7))
    expected = (_document_means(W, groups, None) * 2.0) @ coef.T
    assert np.allclose(_document_logits(W, groups, coef, 2.0), expected)
    assert not _document_logits(W, None, coef, 2.0).any()


@pytest.mark.parametrize(("settings", "field"), [('{"theme_document_weight": 1.5}', "tags"),
                                                ('{"facet_document_weight": 1.0, "section_weight": 0.5}', "label")])
def test_document_block_prediction_equals_the_materialised_features(settings, field):
    from kcapture.classify.model import context_matrix, section_heads

    rows = [dict(r, doc=f"d{i // 7}") for i, r in enumerate(_rows())]
    model = train_from_rows(rows, text_field="text", label_field=field, model=model_from_settings(settings))
    texts, groups = [r["text"] for r in rows], [r["doc"] for r in rows]
    hs, head = model.head_settings, model.heads[0]
    X = model.features.transform(texts)
    n_word = model.features.n_word_features
    if field == "label":
        full = context_matrix(X, n_word, groups, hs.context_weight, None, section_heads(texts, groups),
                              hs.section_weight, hs.facet_document_weight)
    else:
        full = context_matrix(X, n_word, groups, hs.theme_context_weight, document_weight=hs.theme_document_weight)
    assert np.allclose(model.predict_scores(texts, groups=groups)[field], head.scores(full))
