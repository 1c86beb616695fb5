"""kcapture as a spaCy pipeline component (registered through the `spacy_factories` entry point):

    nlp = spacy.blank("th")
    nlp.add_pipe("kcapture")                  # or add_pipe("kcapture", config={"model": "path/to/model"})
    doc = nlp("...")
    for sent in doc.sents:
        sent._.themes, sent._.facet, sent._.theme_scores

The component cuts sentences with kcapture's segmenter (on spaCy's text as it is: no repair, so every character
offset stays spaCy's) and tags them with a kcapture tagger. Sentence starts are set on the tokens spaCy made, a
kcapture sentence boundary falling inside a spaCy token moves to that token's start.
"""

from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

_LABELS_KEY = "kcapture_labels"  # doc.user_data: sentence start char -> {"themes", "facet", scores}


def _label(span: Span, key: str, default: Any) -> Any:
    return span.doc.user_data.get(_LABELS_KEY, {}).get(span.start_char, {}).get(key, default)


for _name, _default in (("themes", []), ("facet", None), ("theme_scores", {}), ("facet_scores", {})):
    if not Span.has_extension(_name):
        Span.set_extension(_name, getter=lambda span, _k=_name, _d=_default: _label(span, _k, _d))


class KcaptureComponent:
    def __init__(self, model: str | None = None):
        self.model = model

    def __call__(self, doc: Doc) -> Doc:
        from kcapture.document import BlockSpan, Document, identity_offsets
        from kcapture.pipeline import Pipeline
        from kcapture.thai.sentences import segment_document

        text = doc.text
        blocks, pos = [], 0
        for line in text.split("\n"):
            if line.strip():
                blocks.append(BlockSpan(pos, pos + len(line), "paragraph"))
            pos += len(line) + 1
        kdoc = segment_document(Document(name="spacy", format="txt", text=text, source_text=text,
                                         source_offsets=identity_offsets(len(text)), blocks=blocks))
        Pipeline(model=self.model).tag(kdoc)
        starts = set()
        labels = {}
        for s in kdoc.sentences:
            span = doc.char_span(s.start, s.end, alignment_mode="expand")
            if span is None or span.start in starts:
                continue
            starts.add(span.start)
            labels[span.start_char] = {"themes": list(s.themes), "facet": s.facet,
                                       "theme_scores": dict(s.theme_scores), "facet_scores": dict(s.facet_scores)}
        for token in doc:
            token.is_sent_start = token.i in starts or token.i == 0
        doc.user_data[_LABELS_KEY] = labels
        return doc


@Language.factory("kcapture", default_config={"model": None})
def make_kcapture(nlp: Language, name: str, model: str | None) -> KcaptureComponent:
    return KcaptureComponent(model)
