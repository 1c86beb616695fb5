"""The library: one SQLite file holding a team's visits, their tagged sentences, corrections, models and custom codes.

Design rules:
- a real file (``--library`` / env ``KCAPTURE_LIBRARY`` / ``~/.local/share/kcapture/library.sqlite3``), WAL mode;
- every write is one short ``BEGIN IMMEDIATE`` transaction, and ``busy_timeout`` lets two app sessions (or the app
  and the command line) share one library: a writer waits for the other instead of failing;
- the schema is versioned and migrated in place (schema.py);
- a stored document is its lossless serialisation (``Document.to_dict``) plus one row per sentence, where the model's
  labels and the user's corrections live;
- corrections are self-contained training examples (document hash, sentence offsets and text, themes, facet, who,
  when). Re-analysis and re-import never delete them; they are re-applied to the matching sentence.

One room per job: store.py (the file, documents, sentences, corrections, views), search.py (full-text search),
models.py (model versions and re-tagging), codes.py (custom codes over the codebook), importer.py (files in, through
the pipeline).
"""

from __future__ import annotations

import os

from kcapture.library.codes import CustomCode, CustomCodesMixin
from kcapture.library.importer import SAMPLE_VISIT, ImportMixin, ImportResult, analysis_metadata
from kcapture.library.models import ModelRegistryMixin, ModelVersion, train_base_model
from kcapture.library.rows import content_hash, index_tokens, now_iso, safe_filename
from kcapture.library.schema import SCHEMA_VERSION
from kcapture.library.search import SearchHit, SearchMixin, fts_query, query_tokens
from kcapture.library.store import BUSY_TIMEOUT_MS, CORRECTION_WEIGHT, DocInfo, Store, default_library_path
from kcapture.resources import corpus_dir as corpora_dir

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")


class Library(ImportMixin, SearchMixin, ModelRegistryMixin, CustomCodesMixin, Store):
    """The whole library API: ``with Library(path) as lib: lib.import_path(...); lib.search(...)``."""


__all__ = [
    "BUSY_TIMEOUT_MS", "CORRECTION_WEIGHT", "SAMPLE_VISIT", "SCHEMA_VERSION", "CustomCode", "DocInfo", "ImportResult",
    "Library", "ModelVersion", "SearchHit", "analysis_metadata", "content_hash", "corpora_dir",
    "default_library_path", "fts_query", "index_tokens", "now_iso", "query_tokens", "safe_filename",
    "train_base_model",
]
