"""The library's SQLite schema and its migrations: `PRAGMA user_version` is the schema version; each migration
upgrades an older file one step, in its own transaction (a new library runs every step from 0, so the upgrade
path is always exercised)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from kcapture.library.rows import apply_corrections, content_hash, index_tokens

SCHEMA_VERSION = 4


# Version 1: the first released layout (documents, sentences, corrections). Kept verbatim: migrations start here.
SCHEMA_V1 = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    sha256 TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    text TEXT NOT NULL,
    metadata TEXT NOT NULL DEFAULT '{}',
    created TEXT NOT NULL
);
CREATE TABLE sentences (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    text TEXT NOT NULL,
    themes TEXT NOT NULL DEFAULT '[]',
    facet TEXT,
    theme_scores TEXT NOT NULL DEFAULT '{}',
    facet_scores TEXT NOT NULL DEFAULT '{}',
    UNIQUE (doc_id, idx)
);
CREATE TABLE corrections (
    id INTEGER PRIMARY KEY,
    doc_sha256 TEXT NOT NULL,
    sentence_idx INTEGER NOT NULL,
    sentence_text TEXT NOT NULL,
    themes TEXT NOT NULL,
    facet TEXT,
    who TEXT,
    created TEXT NOT NULL
);
CREATE INDEX corrections_doc ON corrections (doc_sha256);
"""

# Version 2: tokens + FTS5, corrected labels on the sentence row, model versions, custom codes, key/value meta.
SCHEMA_V2 = """
ALTER TABLE documents ADD COLUMN text_sha256 TEXT;
ALTER TABLE documents ADD COLUMN model_version INTEGER;
CREATE INDEX documents_text_sha ON documents (text_sha256);
ALTER TABLE sentences ADD COLUMN tokens TEXT NOT NULL DEFAULT '';
ALTER TABLE sentences ADD COLUMN block INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sentences ADD COLUMN kind TEXT NOT NULL DEFAULT 'paragraph';
ALTER TABLE sentences ADD COLUMN speaker TEXT;
ALTER TABLE sentences ADD COLUMN time_start TEXT;
ALTER TABLE sentences ADD COLUMN time_end TEXT;
ALTER TABLE sentences ADD COLUMN c_themes TEXT;
ALTER TABLE sentences ADD COLUMN c_facet TEXT;
ALTER TABLE sentences ADD COLUMN corrected INTEGER NOT NULL DEFAULT 0;
ALTER TABLE corrections ADD COLUMN sentence_start INTEGER;
ALTER TABLE corrections ADD COLUMN sentence_end INTEGER;
CREATE INDEX sentences_doc ON sentences (doc_id, idx);
"""
# Created after old rows have tokens, then rebuilt: an external-content index must never be told to delete a row it
# never held (that corrupts it).
SCHEMA_V2_FTS = """
CREATE VIRTUAL TABLE sentences_fts USING fts5(
    tokens, content='sentences', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
);
CREATE TRIGGER sentences_fts_ai AFTER INSERT ON sentences BEGIN
    INSERT INTO sentences_fts (rowid, tokens) VALUES (new.id, new.tokens);
END;
CREATE TRIGGER sentences_fts_ad AFTER DELETE ON sentences BEGIN
    INSERT INTO sentences_fts (sentences_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
END;
CREATE TRIGGER sentences_fts_au AFTER UPDATE OF tokens ON sentences BEGIN
    INSERT INTO sentences_fts (sentences_fts, rowid, tokens) VALUES ('delete', old.id, old.tokens);
    INSERT INTO sentences_fts (rowid, tokens) VALUES (new.id, new.tokens);
END;
INSERT INTO sentences_fts (sentences_fts) VALUES ('rebuild');
"""
SCHEMA_V2_TABLES = """
CREATE TABLE model_versions (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    created TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    base TEXT,
    n_corrections INTEGER NOT NULL DEFAULT 0,
    n_examples INTEGER NOT NULL DEFAULT 0,
    metrics_before TEXT NOT NULL DEFAULT '{}',
    metrics_after TEXT NOT NULL DEFAULT '{}',
    active INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE custom_codes (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL DEFAULT 'theme',
    label_th TEXT NOT NULL DEFAULT '',
    label_en TEXT NOT NULL DEFAULT '',
    definition_th TEXT NOT NULL DEFAULT '',
    definition_en TEXT NOT NULL DEFAULT '',
    examples TEXT NOT NULL DEFAULT '[]',
    created TEXT NOT NULL,
    updated TEXT NOT NULL
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    conn.executescript_in_tx(SCHEMA_V1)  # type: ignore[attr-defined]


def _migrate_1_to_2(conn: sqlite3.Connection) -> None:
    conn.executescript_in_tx(SCHEMA_V2)  # type: ignore[attr-defined]
    conn.executescript_in_tx(SCHEMA_V2_TABLES)  # type: ignore[attr-defined]
    # Old rows: text hashes, tokens for the search index, corrections applied onto their sentences.
    for doc_id, text in conn.execute("SELECT id, text FROM documents").fetchall():
        conn.execute("UPDATE documents SET text_sha256 = ? WHERE id = ?", (content_hash(text), doc_id))
    rows = conn.execute("SELECT id, text FROM sentences").fetchall()
    if rows:
        from kcapture.thai.tokenize import default_tokenizer

        tok = default_tokenizer()
        conn.executemany("UPDATE sentences SET tokens = ? WHERE id = ?",
                         [(index_tokens([t.text for t in tok.tokenize(text)]), sid) for sid, text in rows])
    conn.executescript_in_tx(SCHEMA_V2_FTS)  # type: ignore[attr-defined]
    for (doc_id,) in conn.execute("SELECT id FROM documents").fetchall():
        apply_corrections(conn, doc_id)


# Version 3: the v2 index used unicode61's default categories, which treat Thai vowel and tone marks (Mn, Mc) as
# separators, so "ชายฝั่ง" was indexed as "ชายฝ" + "ง" and searches returned wrong hits. Marks are now token characters.
FTS_TOKENIZER = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"


def _migrate_2_to_3(conn: sqlite3.Connection) -> None:
    for stmt in ("DROP TRIGGER IF EXISTS sentences_fts_ai", "DROP TRIGGER IF EXISTS sentences_fts_ad",
                 "DROP TRIGGER IF EXISTS sentences_fts_au", "DROP TABLE IF EXISTS sentences_fts"):
        conn.execute(stmt)
    conn.executescript_in_tx(  # type: ignore[attr-defined]
        SCHEMA_V2_FTS.replace("tokenize='unicode61 remove_diacritics 0'", f'tokenize="{FTS_TOKENIZER}"'))


def _migrate_3_to_4(conn: sqlite3.Connection) -> None:
    # The whole Document (Document.to_dict: blocks, subtitle cues, tokens, the map back to the extracted text), so a
    # stored document loads back exactly as it was analysed. Older rows keep working without it.
    conn.execute("ALTER TABLE documents ADD COLUMN data TEXT")


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_0_to_1, _migrate_1_to_2, _migrate_2_to_3,
                                                          _migrate_3_to_4]
assert len(MIGRATIONS) == SCHEMA_VERSION


class _Connection(sqlite3.Connection):
    def executescript_in_tx(self, script: str) -> None:
        """executescript() commits first; this runs a script's statements inside the open transaction."""
        for stmt in _split_sql(script):
            self.execute(stmt)


def _split_sql(script: str) -> list[str]:
    out, buf = [], []
    for line in script.splitlines(keepends=True):
        buf.append(line)
        chunk = "".join(buf)
        if sqlite3.complete_statement(chunk):
            if chunk.strip():
                out.append(chunk.strip())
            buf = []
    if "".join(buf).strip():
        out.append("".join(buf).strip())
    return out
