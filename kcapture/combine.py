"""Several visits in one report: a theme x visit matrix (which visit taught what) over per-visit Analyses."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePath

from kcapture.codebook import Codebook, load_codebook
from kcapture.document import Analysis


@dataclass
class VisitMatrix:
    theme_ids: list[str]  # rows, in codebook order, only themes found in at least one visit
    theme_labels: list[str]
    visits: list[str]  # columns: one display name per analysis, unique
    sentences: list[list[int]]  # [theme][visit]: tagged sentences
    shares: list[list[float]]  # [theme][visit]: share of the visit's sentences
    lessons: list[list[int]]  # [theme][visit]: lessons in the summary


def visit_names(analyses: list[Analysis]) -> list[str]:
    """A unique short name per visit: the file name, with a counter when two files share a name."""
    names: list[str] = []
    for a in analyses:
        base = a.document.name or "document"
        name, k = base, 2
        while name in names:
            name = f"{base} ({k})"
            k += 1
        names.append(name)
    return names


def file_stems(analyses: list[Analysis]) -> list[str]:
    """Unique file-name stems for per-visit outputs."""
    stems: list[str] = []
    for a in analyses:
        base = PurePath(a.document.name or "document").stem or "document"
        stem, k = base, 2
        while stem in stems or stem == "combined":
            stem = f"{base}-{k}"
            k += 1
        stems.append(stem)
    return stems


def visit_matrix(analyses: list[Analysis], codebook: Codebook | None = None) -> VisitMatrix:
    cb = codebook or load_codebook()
    order = {t: i for i, t in enumerate(cb.theme_ids)}
    found = {t.id for a in analyses for t in a.themes}
    theme_ids = sorted(found, key=lambda t: (order.get(t, len(order)), t))
    by_visit = [{t.id: t for t in a.themes} for a in analyses]
    return VisitMatrix(
        theme_ids=theme_ids,
        theme_labels=[cb.theme(t).label_th for t in theme_ids],
        visits=visit_names(analyses),
        sentences=[[len(v[t].sentence_ids) if t in v else 0 for v in by_visit] for t in theme_ids],
        shares=[[v[t].share if t in v else 0.0 for v in by_visit] for t in theme_ids],
        lessons=[[sum(1 for le in a.lessons if t in (le.themes or [le.theme])) for a in analyses] for t in theme_ids],
    )
