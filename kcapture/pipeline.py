"""The one wiring of kcapture: bytes -> Document (read, repaired, segmented) -> tagged -> Analysis.

    pipe = Pipeline(model="models/my-model", redact=True)
    analysis = pipe(data, "notes.docx")          # read + tag + analyse
    doc = pipe.read(data, "notes.docx")          # only read, repair, segment
    analysis = pipe.analyse(tagged_doc)          # the analysis steps on sentences tagged some other way

The CLI, the app, the library and batch (local and Dask) all go through a Pipeline. The steps after reading are
named in `steps` and found in kcapture.registry.STEPS; the tagger is loaded once per process per model folder
(its engine is named in the model's model.json, see kcapture.registry.TAGGERS).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kcapture.document import Analysis, Document
from kcapture.limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from kcapture.codebook import Codebook
    from kcapture.summarize import SummarySettings

# Corpus functions that would need a download must fail loudly, never return silently empty results.
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

ANALYSIS_STEPS: tuple[str, ...] = ("entities", "personal_data", "terms", "themes", "lessons", "visit", "keywords")
Progress = Callable[[int, int], None]  # (pages done, total) while scanned pages are read with OCR


@dataclass
class Pipeline:
    model: Any = None  # a Tagger, a model folder, or None for the shipped model
    codebook: Codebook | None = None
    limits: Limits = DEFAULT_LIMITS
    summary: SummarySettings | None = None
    redact: bool = False  # add the `redact` step at the end
    steps: tuple[str, ...] = ANALYSIS_STEPS
    progress: Progress | None = None

    # -- the parts ---------------------------------------------------------------------------------------------
    def read(self, data: bytes, name: str) -> Document:
        """Read an upload (bytes + the name the user gave it), repair its Thai, cut sentences and words."""
        from kcapture.ingest import read_bytes
        from kcapture.ingest.assemble import build_document
        from kcapture.thai.sentences import segment_document

        with cycle_collector_paused():  # the tokens are hundreds of thousands of objects
            extracted = read_bytes(data, name, self.limits, self.progress)
            return segment_document(build_document(extracted, Path(name).name, self.limits))

    def read_path(self, path: str | Path) -> Document:
        from kcapture.ingest import read_path

        data, name = read_path(path, self.limits)
        return self.read(data, name)

    def tagger(self):
        from kcapture.classify import get_model

        return get_model(self.model)

    def tag(self, doc: Document) -> Document:
        from kcapture.registry import STEPS

        STEPS.get("tag")(Analysis.empty(doc), self)
        return doc

    def analyse(self, doc: Document) -> Analysis:
        """Run the analysis steps on a Document whose sentences are tagged."""
        from kcapture.registry import STEPS

        analysis = Analysis.empty(doc)
        for name in (*self.steps, "redact") if self.redact else self.steps:
            result = STEPS.get(name)(analysis, self)
            if isinstance(result, Analysis):
                analysis = result
        analysis.scratch.clear()
        return analysis

    def __call__(self, data: bytes, name: str) -> Analysis:
        with cycle_collector_paused():
            return self.analyse(self.tag(self.read(data, name)))

    def run_path(self, path: str | Path) -> Analysis:
        with cycle_collector_paused():
            return self.analyse(self.tag(self.read_path(path)))

    # -- settings with their defaults ----------------------------------------------------------------------------
    def get_codebook(self) -> Codebook:
        from kcapture.codebook import load_codebook

        if self.codebook is None:
            self.codebook = load_codebook()
        return self.codebook

    def summary_settings(self) -> SummarySettings:
        from kcapture.summarize import SummarySettings

        if self.summary is None:
            self.summary = SummarySettings()
        return self.summary


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a document is analysed, back on afterwards. An analysis allocates millions
    of small objects (tokens, spans, matches) that form no cycles, and the collector's passes over them took a
    seventh of the run (1.5 M characters: 1.6 s of 11.5). Reference counting still frees everything at once; a
    long-running app collects cycles as usual between analyses."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def document_from_bytes(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read, repair and segment an upload (Pipeline.read with default settings)."""
    return Pipeline(limits=limits).read(data, filename)


def load_document(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    """Read, repair and segment a file (Pipeline.read_path with default settings)."""
    return Pipeline(limits=limits).read_path(path)
