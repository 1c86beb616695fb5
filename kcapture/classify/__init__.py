"""Sentence classification: themes and facet for every sentence of a Document."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from kcapture.classify.model import ThemeClassifier
from kcapture.classify.persist import load_model, save_model
from kcapture.classify.tagger import Tagger, load_tagger
from kcapture.document import TEXT, Document
from kcapture.resources import default_model_dir

DEFAULT_MODEL = default_model_dir()


@lru_cache(maxsize=4)
def _cached(path: str) -> Tagger:
    return load_tagger(path)


def get_model(model: Tagger | str | Path | None = None) -> Tagger:
    """The given tagger, or one loaded (once per process) from a model folder by the engine its model.json names,
    or the model shipped with kcapture."""
    if isinstance(model, Tagger):
        return model
    return _cached(str(Path(model or DEFAULT_MODEL).resolve()))


def tag_document(doc: Document, model: Tagger | str | Path | None = None) -> Document:
    clf = get_model(model)
    if not doc.sentences:
        return doc
    preds = clf.predict([s.text for s in doc.sentences], tokens=[list(map(TEXT, s.tokens)) for s in doc.sentences],
                        groups=[0] * len(doc.sentences))
    for s, p in zip(doc.sentences, preds, strict=True):
        s.themes = list(p.get("themes", []))
        s.facet = p.get("facet")
        s.theme_scores = p.get("themes_scores", {})
        s.facet_scores = p.get("facet_scores", {})
    return doc


__all__ = ["Tagger", "ThemeClassifier", "load_tagger", "tag_document", "get_model", "load_model", "save_model",
           "DEFAULT_MODEL"]
