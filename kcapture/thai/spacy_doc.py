"""The Document as a spaCy `Doc` (blank Thai pipeline), for users who want spaCy's tools.

Words and sentence starts come from kcapture, so the spaCy text is exactly `Document.text` and
`spacy_doc.char_span(s.start, s.end)` is the kcapture sentence `s`.
"""

from __future__ import annotations

from functools import lru_cache

from kcapture.document import Document


@lru_cache(maxsize=1)
def _blank_thai():
    import spacy

    return spacy.blank("th")


def to_spacy(doc: Document):
    from spacy.tokens import Doc

    nlp = _blank_thai()
    words: list[str] = []
    spaces: list[bool] = []
    starts: list[bool] = []
    text = doc.text
    pos = 0

    def gap(upto: int) -> None:
        nonlocal pos
        chunk = text[pos:upto]
        if not chunk:
            return
        if chunk == " " and words and not spaces[-1]:
            spaces[-1] = True
        else:
            words.append(chunk)
            spaces.append(False)
            starts.append(False)
        pos = upto

    for sent in doc.sentences:
        for i, tok in enumerate(sent.tokens):
            gap(tok.start)
            if tok.start < pos:  # cannot happen with valid offsets; keep the text exact regardless
                continue
            words.append(tok.text)
            spaces.append(False)
            starts.append(i == 0)
            pos = tok.end
    gap(len(text))
    sent_starts = [True if s else None for s in starts] if words else None
    sdoc = Doc(nlp.vocab, words=words, spaces=spaces, sent_starts=sent_starts)
    sdoc.user_data["kcapture_name"] = doc.name
    return sdoc
