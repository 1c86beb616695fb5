"""Retraining never silently makes things worse: weighted corrections, a held-out split the corrections do not touch,
per-label before/after, activation only on confirmation, a worse candidate flagged."""

from __future__ import annotations

import pytest
from kc_support import small_corpora, small_model

from kcapture.classify.data import read_jsonl
from kcapture.library import CORRECTION_WEIGHT, Library
from kcapture.retrain import compare_labels, held_out_rows, is_worse, retrain, training_set


@pytest.fixture
def lib(tmp_path, monkeypatch):
    monkeypatch.setenv("KCAPTURE_CORPORA", str(small_corpora()))
    monkeypatch.setenv("KCAPTURE_MODEL", str(small_model()))
    with Library(tmp_path / "lib.sqlite3") as library:
        yield library


def _import(lib: Library, rows: list[dict]) -> int:
    text = "\n".join(r["text"] for r in rows) + "\n"
    res = lib.import_bytes(text.encode("utf-8"), "notes.txt")
    assert res.ok, res.error
    return res.doc_id


def test_corrections_count_by_weight_not_duplicated_rows_and_never_touch_the_held_out_split(lib):
    test_rows = read_jsonl(small_corpora() / "test.jsonl")
    doc_id = _import(lib, test_rows[:3])
    sentences = lib.sentences(doc_id)
    lib.correct(doc_id, 0, ["volunteerism"], "insight")
    rows, weights, n_corr, n_ex = training_set(lib)
    assert n_corr == 1 and n_ex == 0
    corrected_text = sentences[0]["text"]
    assert sum(r["text"] == corrected_text for r in rows) == 1  # once, weighted
    assert weights[[r["text"] for r in rows].index(corrected_text)] == CORRECTION_WEIGHT
    assert sorted(set(weights)) == [1.0, float(CORRECTION_WEIGHT)]
    held = held_out_rows(lib)
    assert corrected_text not in {r["text"] for r in held}
    assert len(held) == len(test_rows) - (corrected_text in {r["text"] for r in test_rows})


@pytest.mark.slow
def test_a_candidate_is_compared_per_label_and_activated_only_on_confirmation(lib):
    doc_id = _import(lib, read_jsonl(small_corpora() / "train.jsonl")[:4])
    lib.correct(doc_id, 1, ["volunteerism", "target_groups"], "activity")
    result = retrain(lib)
    assert not result.active and lib.active_version() is None  # the model in use is unchanged
    assert result.n_held_out > 0
    heads = {r["head"] for r in result.per_label}
    assert heads == {"themes", "facet"}
    for r in result.per_label:
        if r["before"] is not None and r["after"] is not None:
            assert r["change"] == pytest.approx(r["after"] - r["before"], abs=1e-4)
    assert result.worse == is_worse(result.before, result.after)
    lib.activate_model(result.version)
    assert lib.active_version().id == result.version


@pytest.mark.slow
def test_absurd_corrections_give_a_worse_candidate_that_is_flagged(lib):
    # The model in use is the same recipe on the same data without corrections: only the corrections differ.
    baseline = retrain(lib)
    lib.activate_model(baseline.version)
    train = read_jsonl(small_corpora() / "train.jsonl")
    doc_id = _import(lib, train[:80])
    for s in lib.sentences(doc_id):  # every sentence "corrected" to the same wrong labels
        lib.correct(doc_id, s["idx"], ["strategy", "innovation", "communication"], "context")
    result = retrain(lib)
    assert result.worse, (result.before, result.after)
    assert lib.active_version().id == baseline.version  # still the model in use
    assert "WORSE" in lib.model_versions()[-1].note


def test_is_worse_and_per_label_comparison_on_given_figures():
    before = {"themes_macro_f1": 0.60, "facet_macro_f1": 0.70}
    assert not is_worse(before, {"themes_macro_f1": 0.598, "facet_macro_f1": 0.71})  # within noise
    assert is_worse(before, {"themes_macro_f1": 0.58, "facet_macro_f1": 0.75})
    rows = compare_labels({"themes": {"per_label": {"a": {"f1": 0.5, "support": 3}}}},
                          {"themes": {"per_label": {"a": {"f1": 0.25, "support": 3}, "b": {"f1": 1.0}}}})
    assert rows[0] == {"head": "themes", "label": "a", "before": 0.5, "after": 0.25, "change": -0.25, "support": 3}
    assert rows[1]["before"] is None and rows[1]["change"] is None
