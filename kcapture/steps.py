"""The analysis steps: each takes the Analysis being built and the Pipeline running it, and adds one part.

Registered by name in kcapture.registry.STEPS; kcapture.pipeline.Pipeline runs them in order. Every step reuses
the Document's sentences and tokens (nothing is tokenized twice) and what earlier steps left in `Analysis.scratch`.
A step may return a new Analysis (redaction does) instead of changing the one it was given.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kcapture.document import Analysis

if TYPE_CHECKING:
    from kcapture.pipeline import Pipeline


def tag(a: Analysis, pipe: Pipeline) -> None:
    """Themes, facet and their scores for every sentence, by the pipeline's tagger."""
    from kcapture.classify import tag_document

    tag_document(a.document, pipe.tagger())


def entities(a: Analysis, pipe: Pipeline) -> None:
    """Persons, organisations, places and programmes (CRF + gazetteers), kept on the Document for the later steps."""
    from kcapture.extract.entities import find_entities

    find_entities(a.document)


def personal_data(a: Analysis, pipe: Pipeline) -> None:
    """Names, phones, ID numbers, e-mail, accounts and house addresses: kept out of keywords, hidden by `redact`."""
    from kcapture.extract.personal import find_personal_data

    a.personal_data = [p.as_dict() for p in find_personal_data(a.document.text, doc=a.document)]


def terms(a: Analysis, pipe: Pipeline) -> None:
    """Each sentence's content words (personal data left out) and their TF-IDF vectors, for the later steps."""
    from kcapture.extract.keywords import document_terms
    from kcapture.summarize import sentence_vectors

    excluded = [(p["start"], p["end"]) for p in a.personal_data]
    a.scratch["terms"] = document_terms(a.document, excluded)
    a.scratch["vectors"] = sentence_vectors(a.scratch["terms"], len(a.document.sentences))


def themes(a: Analysis, pipe: Pipeline) -> None:
    from kcapture.summarize import theme_summaries

    a.themes = theme_summaries(a.document, _terms(a, pipe), pipe.get_codebook(), pipe.summary_settings())


def lessons(a: Analysis, pipe: Pipeline) -> None:
    from kcapture.summarize import report_points

    _terms(a, pipe)
    a.lessons = report_points(a.document, a.themes, a.scratch["vectors"], pipe.summary_settings())


def visit(a: Analysis, pipe: Pipeline) -> None:
    from kcapture.extract.visit import extract_visit

    a.visit = extract_visit(a.document)


def keywords(a: Analysis, pipe: Pipeline) -> None:
    from kcapture.extract.keywords import document_keywords

    a.keywords = document_keywords(_terms(a, pipe), pipe.summary_settings().document_keywords)


def redact(a: Analysis, pipe: Pipeline) -> Analysis:
    """The same report with personal data replaced by placeholders, every offset remapped."""
    from kcapture.redact import redact_analysis

    return redact_analysis(a)


def _terms(a: Analysis, pipe: Pipeline) -> dict[int, list[str]]:
    if "terms" not in a.scratch:
        terms(a, pipe)
    return a.scratch["terms"]
