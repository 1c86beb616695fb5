"""The lesson report: a tagged Document -> Analysis, shaped the way Thai programmes write ถอดบทเรียน.

The report follows the After Action Review: objectives -> what was done -> outcomes -> success factors -> challenges
-> lessons learned -> recommendations (REPORT_SECTIONS; the visit card holds the context). Under each section stand
the few strongest distinct points, each an exact span of `Document.text` (one sentence, or a short run of consecutive
sentences of the same block and facet that the segmenter had cut apart), so nothing in a report is absent from the
notes and every quote carries offsets for highlighting and for REFI-QDA selections. Every sentence is quoted ONCE in
the whole report: a sentence with two themes is one point with two theme tags, not two quotes.

Points are chosen by maximal marginal relevance: relevance is the classifier's confidence (geometric mean of the
facet score and the point's best theme score; 1.0 when a person set the tags) blended with centrality (TF-IDF cosine
to the centroid of the section); each next pick is penalised by its highest cosine to the points already in the
report, so a section does not say the same thing three times and sections do not repeat each other.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from kcapture.codebook import Codebook
from kcapture.document import Analysis, Document, Lesson, Sentence, ThemeSummary
from kcapture.extract.keywords import document_frequencies, theme_keywords
from kcapture.textstats import count_matrix, smoothed_idf

# The sections of the report, in the order an After Action Review reads (facet ids of the codebook).
REPORT_SECTIONS = ("objective", "activity", "outcome", "success_factor", "challenge", "insight", "recommendation")
# Facets that count as a "lesson" for the overview's strongest points, strongest kind first.
LESSON_FACETS = ("insight", "success_factor", "challenge", "recommendation")
# Candidates per report point considered by maximal marginal relevance (the rest are less relevant than all of them).
MMR_POOL_FACTOR = 10
# The order facets are listed in wherever all eight appear (the report's sections, then the context).
FACET_ORDER = (*REPORT_SECTIONS, "context")


@dataclass(frozen=True)
class SummarySettings:
    max_per_section: int = 4  # points per report section
    max_run_sentences: int = 3  # consecutive sentences merged into one point
    max_run_chars: int = 600
    duplicate_cosine: float = 0.8  # a point this close to one already chosen is the same point
    confidence_weight: float = 0.6  # relevance = this much confidence, the rest centrality
    mmr_lambda: float = 0.7  # relevance against novelty (1.0 = no diversity penalty)
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
    df = document_frequencies(terms)
    ids_of: dict[str, list[int]] = {}  # each theme's sentences, in document order: one pass, not one per theme
    for s in doc.sentences:
        for t in s.themes:
            ids = ids_of.setdefault(t, [])
            if not ids or ids[-1] != s.id:  # a theme listed twice on a sentence counts it once
                ids.append(s.id)
    for theme in present:
        ids = ids_of[theme]
        themes.append(ThemeSummary(
            id=theme, label=cb.theme(theme).label_th, sentence_ids=ids, share=round(len(ids) / n, 4) if n else 0.0,
            keywords=theme_keywords(terms, ids, st.theme_keywords, df),
        ))
    themes.sort(key=lambda t: (-t.share, order.get(t.id, len(order))))
    return themes


def report_points(doc: Document, themes: list[ThemeSummary], vectors: sp.csr_matrix, st: SummarySettings
                  ) -> list[Lesson]:
    """The report's points, section by section (REPORT_SECTIONS order), each sentence used at most once."""
    rank = {t.id: i for i, t in enumerate(themes)}
    chosen_vectors: list[sp.csr_matrix] = []  # one unit row per point already in the report
    used: set[int] = set()
    points: list[Lesson] = []
    for facet in REPORT_SECTIONS:
        sents = [s for s in doc.sentences if s.facet == facet and _quotable(s, st)]
        runs = [_run(group, rank) for group in _consecutive(sents, st)]
        if not runs:
            continue
        # The runs' vectors stay sparse (an archive has thousands of runs over a vocabulary of tens of thousands).
        run_vectors = _run_vectors(runs, vectors)
        centroid = _unit(np.asarray(run_vectors.mean(axis=0)).ravel())
        central = run_vectors @ centroid
        for r, c in zip(runs, central, strict=True):
            r.relevance = st.confidence_weight * r.confidence + (1 - st.confidence_weight) * float(c)
        picked = 0
        # Only the most relevant candidates can win: MMR over them (a long archive has thousands of runs).
        pool = sorted(range(len(runs)), key=lambda i: (-runs[i].relevance, runs[i].start))
        pool = pool[: st.max_per_section * MMR_POOL_FACTOR]
        while pool and picked < st.max_per_section:
            similarity = _max_similarity(run_vectors[pool], chosen_vectors)
            best, best_value = None, -math.inf
            for k, i in enumerate(pool):
                r = runs[i]
                if used.intersection(x.id for x in r.sentences) or similarity[k] >= st.duplicate_cosine:
                    continue
                value = st.mmr_lambda * r.relevance - (1 - st.mmr_lambda) * similarity[k]
                if value > best_value:
                    best, best_value = i, value
            if best is None:
                break
            pool.remove(best)
            chosen_vectors.append(run_vectors[best])
            r = runs[best]
            used.update(x.id for x in r.sentences)
            picked += 1
            points.append(Lesson(
                theme=r.themes[0], facet=facet, text=doc.text[r.start : r.end],
                sentence_ids=[x.id for x in r.sentences], start=r.start, end=r.end,
                score=round(r.relevance, 4), themes=r.themes,
            ))
    return points


def _run_vectors(runs: list[_Run], vectors: sp.csr_matrix) -> sp.csr_matrix:
    """One L2-normalised row per run: the sum of its sentences' TF-IDF rows."""
    rows, cols = [], []
    for i, r in enumerate(runs):
        for s in r.sentences:
            rows.append(i)
            cols.append(s.id)
    member = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(runs), vectors.shape[0]))
    return _unit_rows(sp.csr_matrix(member @ vectors))


def _max_similarity(candidates: sp.csr_matrix, chosen: list[sp.csr_matrix]) -> np.ndarray:
    """Each candidate's highest cosine to a point already chosen (0 when none is)."""
    if not chosen:
        return np.zeros(candidates.shape[0])
    return np.asarray((candidates @ sp.vstack(chosen).T).max(axis=1).todense()).ravel()


# ---------------------------------------------------------------------------------------------------------------
def sentence_vectors(terms: dict[int, list[str]], n: int) -> sp.csr_matrix:
    """L2-normalised TF-IDF rows, one per sentence (sublinear tf, smoothed idf), sparse: archives are large."""
    per_sentence = [terms.get(sid, ()) for sid in range(n)]
    # A term's column is the next free number the first time it is seen (columns in the order terms first occur),
    # assigned by the dictionary itself in C.
    vocab: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    ids = np.fromiter(map(vocab.__getitem__, itertools.chain.from_iterable(per_sentence)), dtype=np.int64)
    rows = np.repeat(np.arange(n), list(map(len, per_sentence)))
    m = count_matrix(rows, ids, n, max(1, len(vocab)))
    m = sp.csr_matrix((1.0 + np.log(m.data.astype(np.float64)), m.indices, m.indptr), shape=m.shape)
    df = np.bincount(m.indices, minlength=m.shape[1])
    idf = smoothed_idf(n, df)
    return _unit_rows(m @ sp.diags(idf))


def _unit_rows(m: sp.spmatrix) -> sp.csr_matrix:
    """Each row scaled to unit L2 norm (rows of zeros stay zero)."""
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


def _quotable(s: Sentence, st: SummarySettings) -> bool:
    return bool(s.themes) and s.kind != "heading" and len(s.text.strip()) >= st.min_quote_chars


@dataclass
class _Run:
    sentences: list[Sentence]
    themes: list[str]  # the themes of its sentences, strongest first
    confidence: float
    relevance: float = 0.0

    @property
    def start(self) -> int:
        return self.sentences[0].start

    @property
    def end(self) -> int:
        return self.sentences[-1].end


def _unit(v: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def _score(scores: dict[str, float], label: str | None) -> float:
    """A label's score, or 1.0 when a person set the label (no score exists)."""
    if not scores or label is None:
        return 1.0
    return max(0.0, min(1.0, float(scores.get(label, 1.0))))


def _run(group: list[Sentence], theme_rank: dict[str, int]) -> _Run:
    best: dict[str, float] = {}
    for s in group:
        for t in s.themes:
            best[t] = max(best.get(t, 0.0), _score(s.theme_scores, t))
    themes = sorted(best, key=lambda t: (-best[t], theme_rank.get(t, len(theme_rank)), t))
    confidence = float(np.mean([math.sqrt(max(best.values()) * _score(s.facet_scores, s.facet)) for s in group]))
    return _Run(group, themes, confidence)


def _consecutive(sents: list[Sentence], st: SummarySettings) -> list[list[Sentence]]:
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
