"""One call from a Document to its Analysis: tag (classifier) -> visit card, keywords, personal data, lessons -> redact.

`analyze_document` is what the CLI, the app and the library call; `kcapture.summarize.build_analysis` is the same
without the classifier, for sentences tagged some other way (by hand, by a test).
"""

from __future__ import annotations

from kcapture.codebook import Codebook
from kcapture.document import Analysis, Document
from kcapture.summarize import build_analysis


def tag(doc: Document, model: str | None = None) -> Document:
    """Themes and facet for every sentence, by the shipped model or the one in `model` (a directory)."""
    # Imported here so that everything else (visit card, exports, redaction) works without a trained model.
    from kcapture.classify import tag_document

    return tag_document(doc, model=model)


def analyze_document(
    doc: Document, model: str | None = None, redact: bool = False, codebook: Codebook | None = None
) -> Analysis:
    """Tag the document, summarise it, and (with `redact`) replace personal data in everything it returns."""
    analysis = build_analysis(tag(doc, model), codebook)
    if redact:
        from kcapture.redact import redact_analysis

        analysis = redact_analysis(analysis)
    return analysis
