"""The flow, end to end: bytes -> Document (repaired, segmented) -> tagged -> Analysis."""

from __future__ import annotations

import os
from pathlib import Path

from kcapture.document import Document
from kcapture.ingest import read_bytes, read_path
from kcapture.ingest.assemble import build_document
from kcapture.limits import DEFAULT_LIMITS, Limits
from kcapture.thai.sentences import segment_document

# Corpus functions that would need a download must fail loudly, never return silently empty results.
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")


def document_from_bytes(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    extracted = read_bytes(data, filename, limits)
    doc = build_document(extracted, Path(filename).name, limits)
    return segment_document(doc)


def load_document(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> Document:
    data, name = read_path(path, limits)
    return document_from_bytes(data, name, limits)
