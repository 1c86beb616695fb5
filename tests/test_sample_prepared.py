"""The built-in sample, analysed ahead of time (kcapture.sample): up to date with the model and the pipeline, and used
on a first start so the app's first screen needs no model."""

from __future__ import annotations

from kcapture.document import Document
from kcapture.library import Library
from kcapture.resources import default_model_dir
from kcapture.sample import load_prepared, prepare


def test_the_prepared_sample_is_what_the_pipeline_gives_today():
    record = load_prepared(default_model_dir())
    assert record is not None, "kcapture/data/sample_visit.prepared.json is stale: run `python -m kcapture.sample`"
    fresh = prepare()
    stored = Document.from_dict(record["document"])
    now = Document.from_dict(fresh["document"])
    def labels(doc: Document) -> list:
        return [(s.text, s.themes, s.facet) for s in doc.sentences]

    assert labels(stored) == labels(now)
    assert record["metadata"]["visit"] == fresh["metadata"]["visit"]


def test_a_first_start_stores_the_prepared_sample_without_analysing_it(tmp_path, monkeypatch):
    import kcapture.classify
    import kcapture.pipeline

    monkeypatch.delenv("KCAPTURE_MODEL", raising=False)

    def no_model(*args, **kwargs):
        raise AssertionError("the first start must not load a model or run the pipeline")

    monkeypatch.setattr(kcapture.classify, "get_model", no_model)
    monkeypatch.setattr(kcapture.pipeline.Pipeline, "read", no_model)
    with Library(tmp_path / "lib.sqlite3") as lib:
        result = lib.seed_sample()
        assert result is not None and result.ok
        doc = lib.load_document(result.doc_id)
        assert doc.sentences and any(s.themes for s in doc.sentences)
        assert lib.document_row(result.doc_id)["metadata"]["visit"]["title"]
