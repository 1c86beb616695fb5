"""Lessons across visits: the points of several lesson reports that say the same thing, grouped, with how many visits
said it and the best quote from each.

Each visit's report points (Analysis.lessons) are compared by the content words of their sentences (TF-IDF over all
the points, cosine) and by their themes (Jaccard). A point joins the group it is most similar to when the similarity
reaches a threshold, else it starts a group; points are taken strongest first, so a group's first point sets its
subject. A group that holds points of two or more visits is a lesson that recurs.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from kcapture.document import Analysis, Lesson
from kcapture.textstats import smoothed_idf


@dataclass(frozen=True)
class SynthesisSettings:
    threshold: float = 0.3  # similarity to join a group
    word_weight: float = 0.7  # similarity = this much word cosine + the rest theme overlap
    min_word_cosine: float = 0.1  # sharing themes is not enough: the points must also share some words
    max_groups: int = 30


@dataclass
class Quote:
    visit: int  # index of the analysis
    visit_name: str
    lesson: Lesson


@dataclass
class LessonGroup:
    themes: list[str]  # most frequent first
    facet: str  # the most frequent facet of its points
    quotes: list[Quote]  # the best point of each visit, strongest first
    visits: int = 0
    points: int = 0
    vector: np.ndarray | None = field(default=None, repr=False)


def _content_words(a: Analysis, le: Lesson) -> list[str]:
    from kcapture.extract.keywords import is_content

    words = []
    for i in le.sentence_ids:
        words += [t.text.lower() for t in a.document.sentences[i].tokens if is_content(t.text)]
    return words


def _vectors(bags: list[list[str]]) -> np.ndarray:
    vocab: dict[str, int] = {}
    for bag in bags:
        for w in bag:
            vocab.setdefault(w, len(vocab))
    m = np.zeros((len(bags), max(len(vocab), 1)))
    for r, bag in enumerate(bags):
        for w, c in Counter(bag).items():
            m[r, vocab[w]] = 1.0 + math.log(c)
    df = (m > 0).sum(axis=0)
    m *= smoothed_idf(len(bags), df)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


def recurring_lessons(analyses: list[Analysis], names: list[str] | None = None,
                      settings: SynthesisSettings | None = None, min_visits: int = 2) -> list[LessonGroup]:
    """Groups of similar points across the visits, those found in at least `min_visits` visits, most visits first."""
    from kcapture.combine import visit_names

    st = settings or SynthesisSettings()
    names = names or visit_names(analyses)
    items = [(v, le) for v, a in enumerate(analyses) for le in a.lessons]
    if not items:
        return []
    vectors = _vectors([_content_words(analyses[v], le) for v, le in items])
    order = sorted(range(len(items)), key=lambda k: -items[k][1].score)
    groups: list[tuple[list[int], np.ndarray, Counter]] = []  # member indices, summed vector, theme counts
    for k in order:
        themes_k = set(items[k][1].themes or [items[k][1].theme])
        best, best_sim = None, st.threshold
        for g, (members, vec, _) in enumerate(groups):
            norm = float(np.linalg.norm(vec)) or 1.0
            cosine = float(vectors[k] @ vec) / norm
            head = set(items[members[0]][1].themes or [items[members[0]][1].theme])
            jaccard = len(themes_k & head) / len(themes_k | head)
            sim = st.word_weight * cosine + (1 - st.word_weight) * jaccard
            if cosine >= st.min_word_cosine and sim >= best_sim:
                best, best_sim = g, sim
        if best is None:
            groups.append(([k], vectors[k].copy(), Counter(themes_k)))
        else:
            members, vec, theme_counts = groups[best]
            members.append(k)
            groups[best] = (members, vec + vectors[k], theme_counts + Counter(themes_k))
    out = []
    for members, vec, theme_counts in groups:
        per_visit: dict[int, Lesson] = {}
        for k in members:
            v, le = items[k]
            if v not in per_visit or le.score > per_visit[v].score:
                per_visit[v] = le
        if len(per_visit) < min_visits:
            continue
        quotes = sorted((Quote(v, names[v], le) for v, le in per_visit.items()), key=lambda q: -q.lesson.score)
        facet = Counter(items[k][1].facet for k in members).most_common(1)[0][0]
        out.append(LessonGroup(themes=[t for t, _ in theme_counts.most_common()], facet=facet, quotes=quotes,
                               visits=len(per_visit), points=len(members), vector=vec))
    out.sort(key=lambda g: (-g.visits, -sum(q.lesson.score for q in g.quotes)))
    return out[: st.max_groups]
