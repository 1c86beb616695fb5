"""The lesson summary: a tagged Document -> Analysis (themes with shares, lessons by facet with ranked evidence).

Extractive only: every lesson is an exact span of `Document.text` (one sentence, or a few consecutive sentences of the
same block with the same theme and facet, which the segmenter had cut apart), so nothing in a summary is absent from
the notes, and every quote carries offsets for highlighting and for REFI-QDA selections.

Evidence for a theme and facet is ranked by
- the classifier's confidence: geometric mean of the sentence's theme score and facet score (1.0 when a person set
  the tags by hand and no score exists), and
- centrality: TF-IDF cosine of the quote to the centroid of all the theme's sentences, so that the quote most
  typical of what the document says about the theme comes first, rather than a confident but marginal one;
then near-duplicates (TF-IDF cosine above a threshold, or the same text) are dropped, keeping the higher-ranked.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from kcapture.codebook import Codebook
from kcapture.document import Analysis, Document, Lesson, Sentence, ThemeSummary
from kcapture.extract.keywords import theme_keywords

# Lessons first (what was learned, why it worked, what got in the way, what to do), then what happened, then why.
FACET_ORDER = (
    "insight", "success_factor", "challenge", "recommendation", "outcome", "activity", "objective", "context",
)
# Facets that count as a "lesson" for the overview when a document states fewer than three insights.
LESSON_FACETS = ("insight", "success_factor", "challenge", "recommendation")


@dataclass(frozen=True)
class SummarySettings:
    max_per_facet: int = 3  # quotes per theme and facet
    max_run_sentences: int = 3  # consecutive sentences merged into one quote
    max_run_chars: int = 600
    duplicate_cosine: float = 0.8
    confidence_weight: float = 0.6  # the rest is centrality
    min_quote_chars: int = 8
    theme_keywords: int = 8
    document_keywords: int = 15


def facet_rank(facet: str | None) -> int:
    return FACET_ORDER.index(facet) if facet in FACET_ORDER else len(FACET_ORDER)


def build_analysis(
    doc: Document, codebook: Codebook | None = None, settings: SummarySettings | None = None
) -> Analysis:
    """The Analysis of a document whose sentences are already tagged (themes, facet, scores): the pipeline's
    analysis steps (kcapture.pipeline), without reading or tagging."""
    from kcapture.pipeline import Pipeline

    return Pipeline(codebook=codebook, summary=settings).analyse(doc)


def theme_summaries(
    doc: Document, terms: dict[int, list[str]], cb: Codebook, st: SummarySettings
) -> list[ThemeSummary]:
    """One summary per theme found, largest share first (codebook order breaks ties)."""
    n = len(doc.sentences)
    order = {t: i for i, t in enumerate(cb.theme_ids)}
    present = sorted({t for s in doc.sentences for t in s.themes}, key=lambda t: order.get(t, len(order)))
    themes: list[ThemeSummary] = []
    for theme in present:
        ids = [s.id for s in doc.sentences if theme in s.themes]
        themes.append(ThemeSummary(
            id=theme, label=cb.theme(theme).label_th, sentence_ids=ids, share=round(len(ids) / n, 4) if n else 0.0,
            keywords=theme_keywords(terms, ids, st.theme_keywords),
        ))
    themes.sort(key=lambda t: (-t.share, order.get(t.id, len(order))))
    return themes


def theme_lessons(doc: Document, themes: list[ThemeSummary], vectors: sp.csr_matrix, st: SummarySettings
                  ) -> list[Lesson]:
    """The ranked evidence of every theme, in the themes' order, then by facet and score."""
    lessons: list[Lesson] = []
    for t in themes:
        lessons += _theme_lessons(doc, t.id, t.sentence_ids, vectors, st)
    rank = {t.id: i for i, t in enumerate(themes)}
    lessons.sort(key=lambda le: (rank[le.theme], facet_rank(le.facet), -le.score, le.start))
    return lessons


# ---------------------------------------------------------------------------------------------------------------
def sentence_vectors(terms: dict[int, list[str]], n: int) -> sp.csr_matrix:
    """L2-normalised TF-IDF rows, one per sentence (sublinear tf, smoothed idf), sparse: archives are large."""
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for sid in range(n):
        counts = Counter(terms.get(sid, []))
        for term, c in counts.items():
            rows.append(sid)
            cols.append(vocab.setdefault(term, len(vocab)))
            vals.append(1.0 + math.log(c))
    m = sp.csr_matrix((vals, (rows, cols)), shape=(n, max(1, len(vocab))))
    df = np.bincount(m.indices, minlength=m.shape[1])
    idf = np.log((1 + n) / (1 + df)) + 1.0
    m = m @ sp.diags(idf)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


def _confidence(s: Sentence, theme: str) -> float:
    ts = s.theme_scores.get(theme, 1.0) if s.theme_scores else 1.0
    fs = s.facet_scores.get(s.facet, 1.0) if s.facet_scores and s.facet else 1.0
    return math.sqrt(max(0.0, min(1.0, ts)) * max(0.0, min(1.0, fs)))


@dataclass
class _Run:
    sentences: list[Sentence]
    score: float
    vector: np.ndarray

    @property
    def start(self) -> int:
        return self.sentences[0].start

    @property
    def end(self) -> int:
        return self.sentences[-1].end


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def _theme_lessons(
    doc: Document, theme: str, ids: list[int], vectors: sp.csr_matrix, st: SummarySettings
) -> list[Lesson]:
    # Work in the theme's own columns: dense vectors stay small even when the document's vocabulary is large.
    sub = vectors[ids]
    cols = np.unique(sub.indices)
    dense = sub[:, cols].toarray() if len(cols) else np.zeros((len(ids), 1))
    row_of = {sid: i for i, sid in enumerate(ids)}
    centroid = _unit(dense.mean(axis=0))
    by_facet: dict[str, list[Sentence]] = {}
    for sid in ids:
        s = doc.sentences[sid]
        if s.facet is None or s.kind == "heading" or len(s.text.strip()) < st.min_quote_chars:
            continue
        by_facet.setdefault(s.facet, []).append(s)

    runs: list[tuple[str, _Run]] = []
    for facet, sents in by_facet.items():
        for group in _consecutive(doc, sents, st):
            vec = _unit(dense[[row_of[s.id] for s in group]].sum(axis=0))
            conf = float(np.mean([_confidence(s, theme) for s in group]))
            central = float(vec @ centroid)
            score = st.confidence_weight * conf + (1 - st.confidence_weight) * central
            runs.append((facet, _Run(group, round(score, 4), vec)))

    # Near-duplicates across the theme: keep the better-ranked one.
    runs.sort(key=lambda fr: (-fr[1].score, fr[1].start))
    kept: list[tuple[str, _Run]] = []
    seen_text: set[str] = set()
    per_facet: dict[str, int] = {}
    for facet, run in runs:
        if per_facet.get(facet, 0) >= st.max_per_facet:
            continue
        key = re.sub(r"\s+", "", doc.text[run.start : run.end])
        if key in seen_text:
            continue
        if run.vector.any() and any(float(run.vector @ k.vector) >= st.duplicate_cosine for _, k in kept):
            continue
        seen_text.add(key)
        per_facet[facet] = per_facet.get(facet, 0) + 1
        kept.append((facet, run))
    return [
        Lesson(theme=theme, facet=facet, text=doc.text[run.start : run.end], sentence_ids=[s.id for s in run.sentences],
               start=run.start, end=run.end, score=run.score)
        for facet, run in kept
    ]


def _consecutive(doc: Document, sents: list[Sentence], st: SummarySettings) -> list[list[Sentence]]:
    """Group sentences that follow each other in the same block (the segmenter cut one thought in pieces)."""
    groups: list[list[Sentence]] = []
    for s in sorted(sents, key=lambda s: s.id):
        if groups:
            last = groups[-1]
            prev = last[-1]
            if (s.id == prev.id + 1 and s.block == prev.block and len(last) < st.max_run_sentences
                    and s.end - last[0].start <= st.max_run_chars and s.speaker == prev.speaker):
                last.append(s)
                continue
        groups.append([s])
    return groups


# ---------------------------------------------------------------------------------------------------------------
def top_themes(analysis: Analysis, n: int = 3) -> list[ThemeSummary]:
    return analysis.themes[:n]


def top_insights(analysis: Analysis, n: int = 3) -> list[Lesson]:
    """The strongest lessons for the overview: insights first; if the notes state fewer, success factors,
    challenges and recommendations fill up (each keeps its facet, so the reader sees what it is)."""
    chosen: list[Lesson] = []
    spans: set[tuple[int, int]] = set()
    for facet in LESSON_FACETS:
        for le in sorted((le for le in analysis.lessons if le.facet == facet), key=lambda le: -le.score):
            if any(le.start < end and start < le.end for start, end in spans):
                continue  # the same (or an overlapping) quote under two themes counts once
            chosen.append(le)
            spans.add((le.start, le.end))
            if len(chosen) == n:
                return chosen
    return chosen
