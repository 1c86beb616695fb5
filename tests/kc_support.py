"""Shared helpers for the library / app / browser tests: a small model trained once, a small corpus for retraining.

The shipped model (models/kcapture-default) may not exist in a development checkout, and training on the full corpus
takes a minute, so these tests use a model trained on a slice of the corpus, cached on disk by a hash of the
classifier's source and the corpus (so a changed classifier retrains it).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora"
SHARED_SAMPLE = ROOT.parent / "shared" / "samples" / "nts-cohort5-session4-progress-report-2562.txt"


def require_shared(path: Path) -> Path:
    """`path` under ../shared, or skip the calling test saying why (a fresh clone has no ../shared; CI has it)."""
    import pytest

    if not path.exists():
        pytest.skip(f"needs {path} (../shared beside the repository, read in place); CI has it")
    return path


def _fingerprint() -> str:
    h = hashlib.sha1()
    for p in sorted((ROOT / "kcapture" / "classify").glob("*.py")) + [CORPORA / "train.jsonl"]:
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def _slice(path: Path, n: int) -> list[dict]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    step = max(len(rows) // n, 1)
    return rows[::step][:n]


def small_corpora() -> Path:
    """A folder with train/valid/test.jsonl slices of the project's corpus (for fast retraining in tests)."""
    folder = Path(tempfile.gettempdir()) / f"kcapture-test-corpora-{_fingerprint()}"
    if not (folder / "test.jsonl").exists():
        tmp = folder.with_name(folder.name + f".{os.getpid()}")
        tmp.mkdir(parents=True, exist_ok=True)
        for name, n in (("train", 320), ("valid", 120), ("test", 120)):
            rows = _slice(CORPORA / f"{name}.jsonl", n)
            (tmp / f"{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                               encoding="utf-8")
        try:
            tmp.rename(folder)
        except OSError:  # another process made it first
            pass
    return folder


def small_model() -> Path:
    """A model folder trained once on the small corpus (reused across test modules and runs)."""
    folder = Path(tempfile.gettempdir()) / f"kcapture-test-model-{_fingerprint()}"
    if not (folder / "model.json").exists():
        from kcapture.classify import save_model
        from kcapture.classify.data import read_jsonl
        from kcapture.classify.training import train_from_rows

        corpora = small_corpora()
        model = train_from_rows(read_jsonl(corpora / "train.jsonl"), valid_rows=read_jsonl(corpora / "valid.jsonl"))
        tmp = folder.with_name(folder.name + f".{os.getpid()}")
        save_model(model, tmp, {"note": "test model"})
        try:
            tmp.rename(folder)
        except OSError:
            pass
    return folder


# Version 1 of the library schema as the first release wrote it, made by hand rather than by kcapture's own code:
# the layout kcapture.library migrates from (shared by the migration and durability tests).
V1_SCHEMA = """
CREATE TABLE documents (id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, name TEXT NOT NULL, format TEXT NOT NULL,
    text TEXT NOT NULL, metadata TEXT NOT NULL DEFAULT '{}', created TEXT NOT NULL);
CREATE TABLE sentences (id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL, start INTEGER NOT NULL, "end" INTEGER NOT NULL, text TEXT NOT NULL,
    themes TEXT NOT NULL DEFAULT '[]', facet TEXT, theme_scores TEXT NOT NULL DEFAULT '{}',
    facet_scores TEXT NOT NULL DEFAULT '{}', UNIQUE (doc_id, idx));
CREATE TABLE corrections (id INTEGER PRIMARY KEY, doc_sha256 TEXT NOT NULL, sentence_idx INTEGER NOT NULL,
    sentence_text TEXT NOT NULL, themes TEXT NOT NULL, facet TEXT, who TEXT, created TEXT NOT NULL);
CREATE INDEX corrections_doc ON corrections (doc_sha256);
"""


def app_test(timeout: float = 120):
    """The Streamlit app run headless once (AppTest), failing on any exception it shows."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def app_library(tmp_path: Path, monkeypatch) -> Path:
    """A fresh library for the app (KCAPTURE_LIBRARY) tagged by the small test model (KCAPTURE_MODEL)."""
    path = tmp_path / "app.sqlite3"
    monkeypatch.setenv("KCAPTURE_LIBRARY", str(path))
    monkeypatch.setenv("KCAPTURE_MODEL", str(small_model()))
    return path
