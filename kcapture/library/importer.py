"""Importing files into the library: each goes through kcapture.pipeline.Pipeline, and is stored with what the library
keeps of its Analysis. Errors are returned, never raised, so one bad file never stops the others."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from kcapture.errors import KcaptureError
from kcapture.library.rows import content_hash, safe_filename
from kcapture.resources import sample_visit

SAMPLE_VISIT = sample_visit()


@dataclass
class ImportResult:
    name: str
    doc_id: int | None = None
    duplicate_of: int | None = None  # an existing document with the same bytes or the same text
    error: KcaptureError | None = None
    seconds: float = 0.0
    sentences: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None and self.doc_id is not None and self.duplicate_of is None



class ImportMixin:
    conn: sqlite3.Connection

    def import_bytes(self, data: bytes, filename: str, model=None, limits=None, analyze: bool = True,
                     progress=None) -> ImportResult:
        """Read, segment, tag, summarise and store one file. Errors are returned (never raised) so a batch goes on."""
        from kcapture.limits import DEFAULT_LIMITS
        from kcapture.pipeline import Pipeline

        t0 = time.perf_counter()
        name = safe_filename(filename)
        result = ImportResult(name=name)
        try:
            data_sha = content_hash(data)
            dup = self.find_duplicate(data_sha)
            if dup is not None:
                result.duplicate_of = dup
                return result
            version, clf = self.model(model)
            pipe = Pipeline(model=clf, codebook=self.codebook(), limits=limits or DEFAULT_LIMITS, progress=progress)
            doc = pipe.read(data, name)
            dup = self.find_duplicate(data_sha, content_hash(doc.text))
            if dup is not None:
                result.duplicate_of = dup
                return result
            pipe.tag(doc)
            metadata = analysis_metadata(pipe.analyse(doc)) if analyze else {}
            result.doc_id = self.add_document(doc, data_sha, metadata, model_version=version)
            result.sentences = len(doc.sentences)
        except KcaptureError as err:
            result.error = err
        except sqlite3.IntegrityError:  # the same file stored by another session a moment ago
            result.duplicate_of = self.find_duplicate(content_hash(data))
        finally:
            result.seconds = time.perf_counter() - t0
        return result

    def import_path(self, path: str | Path, model=None, limits=None) -> ImportResult:
        from kcapture.ingest import read_path
        from kcapture.limits import DEFAULT_LIMITS

        try:
            data, name = read_path(path, limits or DEFAULT_LIMITS)
        except KcaptureError as err:
            return ImportResult(name=safe_filename(Path(path).name), error=err)
        return self.import_bytes(data, name, model=model, limits=limits)

    # -- first start --------------------------------------------------------------------------------------------
    def seed_sample(self, model=None) -> ImportResult | None:
        """Import the built-in sample visit once, into a new library (not again if the user deleted it)."""
        if self.get_meta("sample_seeded") or self.count_documents():
            if not self.get_meta("sample_seeded"):
                self.set_meta("sample_seeded", "skipped")
            return None
        result = self._seed_prepared(model) or self.import_bytes(SAMPLE_VISIT.read_bytes(), SAMPLE_VISIT.name,
                                                                 model=model)
        self.set_meta("sample_seeded", str(result.doc_id or result.duplicate_of or ""))
        return result

    def _seed_prepared(self, model=None) -> ImportResult | None:
        """The sample as analysed at build time (kcapture.sample), when it was made with the model in use."""
        from kcapture.document import Document
        from kcapture.sample import load_prepared

        if model is not None:
            return None
        version, path = self.model_path()
        record = load_prepared(path) if version is None else None
        if record is None:
            return None
        t0 = time.perf_counter()
        doc = Document.from_dict(record["document"])
        doc_id = self.add_document(doc, content_hash(SAMPLE_VISIT.read_bytes()), record["metadata"])
        return ImportResult(name=SAMPLE_VISIT.name, doc_id=doc_id, sentences=len(doc.sentences),
                            seconds=time.perf_counter() - t0)



def analysis_metadata(analysis) -> dict:
    """What the library keeps of an Analysis beside the document: visit card, keywords, lessons, personal data."""
    return {
        "visit": asdict(analysis.visit),
        "keywords": list(analysis.keywords),
        "lessons": [asdict(lesson) for lesson in analysis.lessons],
        "personal_data": list(analysis.personal_data),
    }
