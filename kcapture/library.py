"""The library: one SQLite file holding a team's visits, their tagged sentences, corrections, models and custom codes.

Design rules (see issues 5 and 6):
- a real file (``--library`` / env ``KCAPTURE_LIBRARY`` / ``~/.local/share/kcapture/library.sqlite3``), WAL mode;
- every write is one short ``BEGIN IMMEDIATE`` transaction, and ``busy_timeout`` lets two app sessions (or the app
  and the command line) share one library: a writer waits for the other instead of failing;
- ``PRAGMA user_version`` is the schema version; ``MIGRATIONS`` upgrade an older file in place, one step at a time,
  each in its own transaction (a new library runs every step from 0, so the upgrade path is always exercised);
- corrections are self-contained training examples (document hash, sentence offsets and text, themes, facet, who,
  when). Re-analysis and re-import never delete them; they are re-applied to the matching sentence;
- full-text search runs on FTS5 over the sentences' PyThaiNLP tokens joined by spaces, and the query is segmented the
  same way, so a word is found inside unspaced Thai text.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import re
import sqlite3
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kcapture.document import BlockSpan, Document, Sentence, Token
from kcapture.errors import InvalidInputError, KcaptureError, ModelError
from kcapture.resources import corpus_dir, sample_visit

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

SCHEMA_VERSION = 4
SAMPLE_VISIT = sample_visit()


def corpora_dir() -> Path:
    """train/valid/test.jsonl for (re)training: env KCAPTURE_CORPORA, else the shipped corpus."""
    return corpus_dir()

BUSY_TIMEOUT_MS = 30_000
CORRECTION_WEIGHT = 3  # a correction or a custom-theme example counts as this many corpus rows when retraining
_CODE_ID = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def default_library_path() -> Path:
    env = os.environ.get("KCAPTURE_LIBRARY")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kcapture" / "library.sqlite3"


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def content_hash(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f<>:\"/\\|?*]+")


def safe_filename(name: str, default: str = "document.txt", max_len: int = 120) -> str:
    """An uploaded file's name as shown and stored: no folders, control characters or markup-looking characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co")).strip(" .")
    if not name:
        return default
    if name.split(".")[0].upper() in _RESERVED_NAMES:
        name = "_" + name  # Windows cannot create CON, NUL.txt, COM1.pdf...
    if len(name) > max_len:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: max_len - len(ext) - 1] + "." + ext) if dot and len(ext) <= 8 else name[:max_len]
    return name


_RESERVED_NAMES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                             *(f"LPT{i}" for i in range(1, 10))})


# --------------------------------------------------------------------------------------------------------------------
# Schema and migrations
# --------------------------------------------------------------------------------------------------------------------

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
        _apply_corrections(conn, doc_id)


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


# --------------------------------------------------------------------------------------------------------------------
# Tokens for the search index
# --------------------------------------------------------------------------------------------------------------------

_WORDISH = re.compile(r"\w")


def index_tokens(tokens: Iterable[str]) -> str:
    return " ".join(t.lower() for t in tokens if t.strip())


def query_tokens(query: str) -> list[list[str]]:
    """The query's words as the index holds them: each space-separated part repaired and segmented like a document."""
    from kcapture.ingest.repair import repair_text
    from kcapture.thai.tokenize import default_tokenizer

    tok = default_tokenizer()
    parts = []
    for part in repair_text(query).text.split():
        words = [t.text.lower() for t in tok.tokenize(part) if _WORDISH.search(t.text)]
        if words:
            parts.append(words)
    return parts


def fts_query(query: str) -> str | None:
    """An FTS5 MATCH expression: each part a phrase of its tokens, the last token a prefix; parts joined by AND."""
    phrases = []
    for words in query_tokens(query):
        phrase = " ".join(w.replace('"', '""') for w in words)
        phrases.append(f'"{phrase}"*')
    return " AND ".join(phrases) if phrases else None


# --------------------------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------------------------


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


@dataclass
class DocInfo:
    id: int
    name: str
    format: str
    chars: int
    created: str
    sentences: int
    corrected: int
    title: str = ""


@dataclass
class SearchHit:
    doc_id: int
    doc_name: str
    idx: int
    start: int
    end: int
    text: str
    themes: list[str]
    facet: str | None
    rank: float
    how: str  # "words" (FTS5 over segmented tokens) or "substring" (fallback)


@dataclass
class ModelVersion:
    id: int
    path: str
    created: str
    note: str
    base: str | None
    n_corrections: int
    n_examples: int
    metrics_before: dict
    metrics_after: dict
    active: bool


@dataclass
class CustomCode:
    id: str
    label_th: str = ""
    label_en: str = ""
    definition_th: str = ""
    definition_en: str = ""
    examples: list[str] = field(default_factory=list)
    kind: str = "theme"


# --------------------------------------------------------------------------------------------------------------------
# The library
# --------------------------------------------------------------------------------------------------------------------


class Library:
    def __init__(self, path: str | Path | None = None, timeout_ms: int = BUSY_TIMEOUT_MS):
        self.path = Path(path).expanduser() if path else default_library_path()
        self.model_warning: str | None = None
        if str(self.path) == ":memory:":
            raise InvalidInputError("คลังเอกสารต้องเป็นไฟล์", "the library must be a file, not :memory:")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, timeout=timeout_ms / 1000, isolation_level=None,
                                        factory=_Connection, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            self.conn.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable at checkpoint, never corrupt
            self.conn.execute("PRAGMA foreign_keys = ON")
            if mode.lower() != "wal":
                raise sqlite3.OperationalError(f"journal_mode is {mode}")
            self._migrate()
        except sqlite3.DatabaseError as err:
            raise InvalidInputError(f"เปิดคลังเอกสาร {self.path} ไม่ได้: {err}",
                                    f"cannot open the library {self.path}: {err}") from err

    # -- plumbing ------------------------------------------------------------------------------------------------
    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction; BEGIN IMMEDIATE takes the write lock up front (waiting up to busy_timeout)."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise InvalidInputError(
                f"คลังเอกสารนี้สร้างด้วย kcapture รุ่นใหม่กว่า (schema {version})",
                f"this library was made by a newer kcapture (schema {version} > {SCHEMA_VERSION})",
            )
        while version < SCHEMA_VERSION:
            with self.write() as conn:
                # Re-read inside the lock: another process may have migrated meanwhile.
                version = int(conn.execute("PRAGMA user_version").fetchone()[0])
                if version >= SCHEMA_VERSION:
                    break
                MIGRATIONS[version](conn)
                version += 1
                conn.execute(f"PRAGMA user_version = {version}")

    @property
    def models_dir(self) -> Path:
        return self.path.parent / (self.path.stem + "-models")

    # -- meta ---------------------------------------------------------------------------------------------------
    def get_meta(self, key: str, default: str | None = None) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else default

    def set_meta(self, key: str, value: str, conn: sqlite3.Connection | None = None) -> None:
        sql = "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value"
        if conn is not None:
            conn.execute(sql, (key, value))
        else:
            with self.write() as c:
                c.execute(sql, (key, value))

    def revision(self) -> int:
        """Changes whenever anything is written (by any connection): a cache key for views."""
        return int(self.get_meta("revision", "0") or 0)

    def _bump(self, conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO meta (key, value) VALUES ('revision', '1') "
                     "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1")

    # -- documents ----------------------------------------------------------------------------------------------
    def find_duplicate(self, data_sha: str, text_sha: str | None = None) -> int | None:
        row = self.conn.execute("SELECT id FROM documents WHERE sha256 = ?", (data_sha,)).fetchone()
        if row is None and text_sha:
            row = self.conn.execute("SELECT id FROM documents WHERE text_sha256 = ?", (text_sha,)).fetchone()
        return int(row[0]) if row else None

    def add_document(self, doc: Document, data_sha: str, metadata: dict | None = None,
                     model_version: int | None = None) -> int:
        """Store a segmented (and usually tagged) Document with its sentences in one transaction."""
        meta = dict(doc.metadata or {})
        meta.update(metadata or {})
        meta.setdefault("repairs", dict(doc.repairs))
        data = doc.to_dict()
        data["name"] = safe_filename(doc.name)
        data["sentences"] = [{k: v for k, v in s.items() if k not in _SENTENCE_ROW_FIELDS} for s in data["sentences"]]
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO documents (sha256, text_sha256, name, format, text, metadata, created, model_version, "
                "data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (data_sha, content_hash(doc.text), safe_filename(doc.name), doc.format, doc.text,
                 json.dumps(meta, ensure_ascii=False, default=str), now_iso(), model_version,
                 json.dumps(data, ensure_ascii=False, default=str)),
            )
            doc_id = int(cur.lastrowid)
            conn.executemany(
                'INSERT INTO sentences (doc_id, idx, start, "end", text, tokens, block, kind, speaker, time_start, '
                "time_end, themes, facet, theme_scores, facet_scores) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(doc_id, s.id, s.start, s.end, s.text, index_tokens(t.text for t in s.tokens), s.block, s.kind,
                  s.speaker, s.time_start, s.time_end, json.dumps(s.themes), s.facet, _scores(s.theme_scores),
                  _scores(s.facet_scores)) for s in doc.sentences],
            )
            _apply_corrections(conn, doc_id)
            self._bump(conn)
        return doc_id

    def update_metadata(self, doc_id: int, updates: dict) -> None:
        with self.write() as conn:
            row = conn.execute("SELECT metadata FROM documents WHERE id = ?", (doc_id,)).fetchone()
            if row is None:
                return
            meta = json.loads(row[0] or "{}")
            meta.update(updates)
            conn.execute("UPDATE documents SET metadata = ? WHERE id = ?",
                         (json.dumps(meta, ensure_ascii=False, default=str), doc_id))
            self._bump(conn)

    def import_bytes(self, data: bytes, filename: str, model=None, limits=None, analyze: bool = True) -> ImportResult:
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
            pipe = Pipeline(model=clf, codebook=self.codebook(), limits=limits or DEFAULT_LIMITS)
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

    def documents(self) -> list[DocInfo]:
        rows = self.conn.execute(
            "SELECT d.id, d.name, d.format, length(d.text) AS chars, d.created, "
            "json_extract(d.metadata, '$.visit.title') AS title, "
            "(SELECT count(*) FROM sentences s WHERE s.doc_id = d.id) AS n, "
            "(SELECT count(*) FROM sentences s WHERE s.doc_id = d.id AND s.corrected) AS c "
            "FROM documents d ORDER BY d.id"
        ).fetchall()
        return [DocInfo(r["id"], r["name"], r["format"], r["chars"], r["created"], r["n"], r["c"], r["title"] or "")
                for r in rows]

    def count_sentences(self, doc_id: int) -> int:
        return int(self.conn.execute("SELECT count(*) FROM sentences WHERE doc_id = ?", (doc_id,)).fetchone()[0])

    def count_documents(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM documents").fetchone()[0])

    def document_row(self, doc_id: int) -> dict | None:
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        out = dict(row)
        out.pop("data", None)  # the serialised Document: load_document reads it
        out["metadata"] = json.loads(out["metadata"] or "{}")
        return out

    def sentences(self, doc_id: int) -> list[dict]:
        """Every sentence with its effective labels (the latest correction, else the model's)."""
        rows = self.conn.execute(
            'SELECT id, idx, start, "end", text, tokens, block, kind, speaker, time_start, time_end, themes, facet, '
            "theme_scores, facet_scores, c_themes, c_facet, corrected FROM sentences WHERE doc_id = ? ORDER BY idx",
            (doc_id,),
        ).fetchall()
        return [_sentence_dict(r) for r in rows]

    def load_document(self, doc_id: int) -> Document:
        """The stored Document, sentences carrying their effective labels (for exports and summaries)."""
        row = self.document_row(doc_id)
        if row is None:
            raise InvalidInputError(f"ไม่พบเอกสารหมายเลข {doc_id}", f"no document {doc_id} in the library")
        meta = row["metadata"]
        rows = self.sentences(doc_id)
        labels = {s["idx"]: s for s in rows}
        stored = self.conn.execute("SELECT data FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]
        if stored:
            data = json.loads(stored)
            for s in data["sentences"]:  # the labels live in the sentence rows, where corrections go
                r = labels[s["id"]]
                s.update(themes=r["themes"], facet=r["facet"], theme_scores=r["theme_scores"],
                         facet_scores=r["facet_scores"])
            doc = Document.from_dict(data)
            doc.metadata = _document_metadata(meta)
            return doc
        # A row stored before schema 4: rebuilt from the sentence rows (no source map, tokens found again).
        text = row["text"]
        blocks = [BlockSpan(start=b[0], end=b[1], kind=b[2], level=b[3], speaker=b[4], page=b[5])
                  for b in meta.pop("blocks", [])]
        doc = Document(name=row["name"], format=row["format"], text=text, source_text=text,
                       source_offsets=list(range(len(text) + 1)), blocks=blocks, metadata=_document_metadata(meta),
                       repairs=meta.get("repairs", {}))
        for s in rows:
            sent = Sentence(id=s["idx"], start=s["start"], end=s["end"], text=s["text"], block=s["block"],
                            kind=s["kind"], speaker=s["speaker"], time_start=s["time_start"], time_end=s["time_end"],
                            tokens=_token_offsets(s["text"], s["start"], s["tokens"]), themes=s["themes"],
                            facet=s["facet"], theme_scores=s["theme_scores"], facet_scores=s["facet_scores"])
            doc.sentences.append(sent)
        return doc

    def delete_document(self, doc_id: int) -> None:
        """Remove a document and its sentences. Its corrections stay (training data; they return on re-import)."""
        with self.write() as conn:
            conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
            self._bump(conn)

    # -- corrections --------------------------------------------------------------------------------------------
    def correct(self, doc_id: int, idx: int, themes: list[str], facet: str | None, who: str | None = None) -> None:
        """Save a user's labels for one sentence at once (appended to the history; the latest wins)."""
        themes = sorted(dict.fromkeys(t for t in themes if t))
        with self.write() as conn:
            row = conn.execute(
                'SELECT s.id, s.start, s."end", s.text, s.facet, d.sha256 FROM sentences s '
                "JOIN documents d ON d.id = s.doc_id WHERE s.doc_id = ? AND s.idx = ?", (doc_id, idx),
            ).fetchone()
            if row is None:
                raise InvalidInputError(f"ไม่พบประโยค {idx} ในเอกสาร {doc_id}",
                                        f"no sentence {idx} in document {doc_id}")
            facet = facet or row["facet"]
            conn.execute(
                "INSERT INTO corrections (doc_sha256, sentence_idx, sentence_start, sentence_end, sentence_text, "
                "themes, facet, who, created) VALUES (?,?,?,?,?,?,?,?,?)",
                (row["sha256"], idx, row["start"], row["end"], row["text"], json.dumps(themes), facet,
                 who or _default_user(), now_iso()),
            )
            conn.execute("UPDATE sentences SET c_themes = ?, c_facet = ?, corrected = 1 WHERE id = ?",
                         (json.dumps(themes), facet, row["id"]))
            self._bump(conn)

    def corrections(self, latest_only: bool = True) -> list[dict]:
        sql = ("SELECT c.* FROM corrections c WHERE c.id IN (SELECT max(id) FROM corrections "
               "GROUP BY doc_sha256, sentence_text, COALESCE(sentence_start, -1))" if latest_only
               else "SELECT * FROM corrections")
        out = []
        for r in self.conn.execute(sql + " ORDER BY id").fetchall():
            d = dict(r)
            d["themes"] = json.loads(d["themes"])
            out.append(d)
        return out

    def count_corrections(self) -> int:
        return len(self.corrections())

    def training_rows(self) -> list[dict]:
        """Corrections and custom-theme examples as corpus rows ({"text", "themes", "facet"})."""
        rows = [{"text": c["sentence_text"], "themes": c["themes"], "facet": c["facet"], "source": "correction"}
                for c in self.corrections()]
        for code in self.custom_codes():
            for ex in code.examples:
                rows.append({"text": ex, "themes": [code.id], "facet": None, "source": "example"})
        return rows

    # -- views --------------------------------------------------------------------------------------------------
    def theme_counts(self, doc_id: int) -> dict[str, int]:
        rows = self.conn.execute(
            "SELECT j.value AS theme, count(*) AS n FROM sentences s, json_each(COALESCE(s.c_themes, s.themes)) j "
            "WHERE s.doc_id = ? GROUP BY j.value ORDER BY n DESC", (doc_id,),
        ).fetchall()
        return {r["theme"]: r["n"] for r in rows}

    def theme_matrix(self, doc_ids: list[int] | None = None) -> list[dict]:
        """Rows {doc_id, name, theme, n, share} for a theme x visit heatmap (share of the visit's tagged sentences)."""
        where, params = _in_clause("s.doc_id", doc_ids)
        rows = self.conn.execute(
            "SELECT s.doc_id, d.name, j.value AS theme, count(*) AS n FROM sentences s "
            "JOIN documents d ON d.id = s.doc_id, json_each(COALESCE(s.c_themes, s.themes)) j "
            f"{where} GROUP BY s.doc_id, j.value", params,
        ).fetchall()
        totals: dict[int, int] = {}
        for r in rows:
            totals[r["doc_id"]] = totals.get(r["doc_id"], 0) + r["n"]
        return [{"doc_id": r["doc_id"], "name": r["name"], "theme": r["theme"], "n": r["n"],
                 "share": r["n"] / totals[r["doc_id"]]} for r in rows]

    def evidence(self, theme: str, facets: list[str] | None = None, doc_ids: list[int] | None = None,
                 min_score: float = 0.0, limit: int = 500) -> list[dict]:
        """Sentences carrying `theme` (effective labels), best first; a theme a user confirmed scores 1.0."""
        where = ["EXISTS (SELECT 1 FROM json_each(COALESCE(s.c_themes, s.themes)) j WHERE j.value = :theme)"]
        params: dict[str, Any] = {"theme": theme, "min": min_score, "limit": limit}
        if facets:
            where.append(f"COALESCE(s.c_facet, s.facet) IN ({','.join(f':f{i}' for i in range(len(facets)))})")
            params.update({f"f{i}": f for i, f in enumerate(facets)})
        if doc_ids:
            where.append(f"s.doc_id IN ({','.join(f':d{i}' for i in range(len(doc_ids)))})")
            params.update({f"d{i}": d for i, d in enumerate(doc_ids)})
        rows = self.conn.execute(
            "SELECT * FROM (SELECT s.doc_id, d.name AS doc_name, s.idx, s.start, s.\"end\", s.text, "
            "COALESCE(s.c_facet, s.facet) AS facet, s.corrected, "
            "CASE WHEN s.corrected AND s.c_themes IS NOT NULL THEN 1.0 "
            "ELSE COALESCE(json_extract(s.theme_scores, '$.' || :theme), 0.0) END AS score "
            f"FROM sentences s JOIN documents d ON d.id = s.doc_id WHERE {' AND '.join(where)}) "
            "WHERE score >= :min ORDER BY score DESC, doc_id, idx LIMIT :limit", params,
        ).fetchall()
        return [dict(r) for r in rows]

    def context(self, doc_id: int, idx: int, before: int = 1, after: int = 1) -> list[dict]:
        rows = self.conn.execute("SELECT idx, text FROM sentences WHERE doc_id = ? AND idx BETWEEN ? AND ? "
                                 "ORDER BY idx", (doc_id, idx - before, idx + after)).fetchall()
        return [dict(r) for r in rows]

    # -- search -------------------------------------------------------------------------------------------------
    def search(self, query: str, limit: int = 100, doc_ids: list[int] | None = None) -> list[SearchHit]:
        """Full-text search over word-segmented sentences (FTS5, bm25); a plain substring search if that finds none."""
        match = fts_query(query)
        hits: list[SearchHit] = []
        where, params = _in_clause("s.doc_id", doc_ids, prefix="AND")
        if match:
            try:
                rows = self.conn.execute(
                    'SELECT s.doc_id, d.name, s.idx, s.start, s."end", s.text, COALESCE(s.c_themes, s.themes) AS th, '
                    "COALESCE(s.c_facet, s.facet) AS fa, bm25(sentences_fts) AS rank FROM sentences_fts "
                    "JOIN sentences s ON s.id = sentences_fts.rowid JOIN documents d ON d.id = s.doc_id "
                    f"WHERE sentences_fts MATCH ? {where} ORDER BY rank LIMIT ?", (match, *params, limit),
                ).fetchall()
                hits = [SearchHit(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], float(r[8]), "words")
                        for r in rows]
            except sqlite3.OperationalError:
                hits = []
        needle = query.strip()
        if not hits and needle:
            rows = self.conn.execute(
                'SELECT s.doc_id, d.name, s.idx, s.start, s."end", s.text, COALESCE(s.c_themes, s.themes), '
                "COALESCE(s.c_facet, s.facet) FROM sentences s JOIN documents d ON d.id = s.doc_id "
                f"WHERE instr(lower(s.text), lower(?)) > 0 {where} ORDER BY s.doc_id, s.idx LIMIT ?",
                (needle, *params, limit),
            ).fetchall()
            hits = [SearchHit(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], 0.0, "substring")
                    for r in rows]
        return hits

    # -- models -------------------------------------------------------------------------------------------------
    def model_versions(self) -> list[ModelVersion]:
        rows = self.conn.execute("SELECT * FROM model_versions ORDER BY id").fetchall()
        return [ModelVersion(r["id"], r["path"], r["created"], r["note"], r["base"], r["n_corrections"],
                             r["n_examples"], json.loads(r["metrics_before"]), json.loads(r["metrics_after"]),
                             bool(r["active"])) for r in rows]

    def add_model_version(self, path: str | Path, note: str = "", base: str | None = None, n_corrections: int = 0,
                          n_examples: int = 0, metrics_before: dict | None = None, metrics_after: dict | None = None,
                          activate: bool = True) -> int:
        with self.write() as conn:
            cur = conn.execute(
                "INSERT INTO model_versions (path, created, note, base, n_corrections, n_examples, metrics_before, "
                "metrics_after, active) VALUES (?,?,?,?,?,?,?,?,0)",
                (str(Path(path).resolve()), now_iso(), note, base, n_corrections, n_examples,
                 json.dumps(metrics_before or {}, ensure_ascii=False),
                 json.dumps(metrics_after or {}, ensure_ascii=False)),
            )
            version = int(cur.lastrowid)
            if activate:
                conn.execute("UPDATE model_versions SET active = (id = ?)", (version,))
            self._bump(conn)
        return version

    def activate_model(self, version: int | None) -> None:
        """Make a version the active model (None: back to the base model). Older versions are never deleted."""
        with self.write() as conn:
            if version is not None and conn.execute("SELECT 1 FROM model_versions WHERE id = ?",
                                                    (version,)).fetchone() is None:
                raise InvalidInputError(f"ไม่พบโมเดลรุ่น {version}", f"no model version {version}")
            conn.execute("UPDATE model_versions SET active = (id = ?)", (version if version is not None else -1,))
            self._bump(conn)

    def active_version(self) -> ModelVersion | None:
        return next((v for v in self.model_versions() if v.active), None)

    def base_model_path(self) -> Path:
        """The model used before any retraining: env KCAPTURE_MODEL, else the shipped models/kcapture-default, else
        one trained once from the bundled corpus into this library's model folder (a development checkout)."""
        from kcapture.classify import DEFAULT_MODEL

        env = os.environ.get("KCAPTURE_MODEL")
        if env:
            return Path(env).expanduser()
        if (DEFAULT_MODEL / "model.json").exists():
            return DEFAULT_MODEL
        fallback = self.models_dir / "base"
        if not (fallback / "model.json").exists():
            train_base_model(fallback)
        return fallback

    def model_path(self) -> tuple[int | None, Path]:
        active = self.active_version()
        if active is not None:
            return active.id, Path(active.path)
        return None, self.base_model_path()

    def model(self, model=None):
        """(version id or None, Tagger): the given model, else the active version, else the base model."""
        from kcapture.classify import Tagger, get_model

        if isinstance(model, Tagger):
            return None, model
        if model is not None:
            return None, get_model(model)
        version, path = self.model_path()
        try:
            return version, get_model(path)
        except ModelError as err:
            if version is None:
                raise
            # A saved version that no longer loads (e.g. made by an older kcapture): say so, use the base model.
            self.model_warning = f"{err.message_th} / {err.message_en}"  # shown by the app
            return None, get_model(self.base_model_path())

    def retag(self, model=None, doc_ids: list[int] | None = None,
              progress: Callable[[int, int], None] | None = None) -> int:
        """Re-tag stored sentences with a model (corrections are untouched and still win). Returns sentences tagged."""
        version, clf = self.model(model)
        ids = doc_ids if doc_ids is not None else [d.id for d in self.documents()]
        done = 0
        for i, doc_id in enumerate(ids):
            rows = self.conn.execute("SELECT id, text, tokens FROM sentences WHERE doc_id = ? ORDER BY idx",
                                     (doc_id,)).fetchall()
            if rows:
                preds = clf.predict([r["text"] for r in rows], tokens=[r["tokens"].split() for r in rows])
                with self.write() as conn:
                    conn.executemany(
                        "UPDATE sentences SET themes = ?, facet = ?, theme_scores = ?, facet_scores = ? WHERE id = ?",
                        [(json.dumps(p.get("themes", [])), p.get("facet"), _scores(p.get("themes_scores", {})),
                          _scores(p.get("facet_scores", {})), r["id"]) for r, p in zip(rows, preds, strict=True)],
                    )
                    conn.execute("UPDATE documents SET model_version = ? WHERE id = ?", (version, doc_id))
                    self._bump(conn)
                done += len(rows)
            if progress:
                progress(i + 1, len(ids))
        return done

    # -- custom codebook ----------------------------------------------------------------------------------------
    def custom_codes(self) -> list[CustomCode]:
        rows = self.conn.execute("SELECT * FROM custom_codes ORDER BY created, id").fetchall()
        return [CustomCode(r["id"], r["label_th"], r["label_en"], r["definition_th"], r["definition_en"],
                           json.loads(r["examples"]), r["kind"]) for r in rows]

    def save_custom_code(self, code: CustomCode) -> None:
        """Add a theme, or rename/describe one (a default theme is overlaid here; the shipped codebook is untouched)."""
        if not _CODE_ID.match(code.id):
            raise InvalidInputError("รหัสประเด็นต้องเป็นอักษรอังกฤษตัวเล็ก ตัวเลข หรือ _ (2-40 ตัว) ขึ้นต้นด้วยตัวอักษร",
                                    "a theme id is 2-40 lowercase letters, digits or _, starting with a letter")
        if code.kind not in ("theme", "facet"):
            raise InvalidInputError("ชนิดรหัสไม่ถูกต้อง", "kind must be theme or facet")
        examples = [e.strip() for e in code.examples if e and e.strip()]
        ts = now_iso()
        with self.write() as conn:
            conn.execute(
                "INSERT INTO custom_codes (id, kind, label_th, label_en, definition_th, definition_en, examples, "
                "created, updated) VALUES (?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET kind = excluded.kind, "
                "label_th = excluded.label_th, label_en = excluded.label_en, definition_th = excluded.definition_th, "
                "definition_en = excluded.definition_en, examples = excluded.examples, updated = excluded.updated",
                (code.id, code.kind, code.label_th.strip(), code.label_en.strip(), code.definition_th.strip(),
                 code.definition_en.strip(), json.dumps(examples, ensure_ascii=False), ts, ts),
            )
            self._bump(conn)

    def delete_custom_code(self, code_id: str) -> None:
        with self.write() as conn:
            conn.execute("DELETE FROM custom_codes WHERE id = ?", (code_id,))
            self._bump(conn)

    def codebook(self):
        """The shipped codebook with this library's overlays (renamed/described themes) and added themes."""
        from kcapture.codebook import Code, load_codebook

        base = load_codebook()
        custom = {c.id: c for c in self.custom_codes()}
        if not custom:
            return base

        def overlay(code: Code, kind: str) -> Code:
            c = custom.get(code.id)
            if c is None or c.kind != kind:
                return code
            return replace(code, label_th=c.label_th or code.label_th, label_en=c.label_en or code.label_en,
                           definition_th=c.definition_th or code.definition_th,
                           definition_en=c.definition_en or code.definition_en,
                           examples=tuple(code.examples) + tuple(c.examples))

        themes = [overlay(c, "theme") for c in base.themes]
        facets = [overlay(c, "facet") for c in base.facets]
        known = {c.id for c in themes} | {c.id for c in facets}
        for c in custom.values():
            if c.id in known:
                continue
            new = Code(id=c.id, label_th=c.label_th or c.id, label_en=c.label_en or c.id,
                       definition_th=c.definition_th, definition_en=c.definition_en, examples=tuple(c.examples))
            (themes if c.kind == "theme" else facets).append(new)
        return replace(base, themes=tuple(themes), facets=tuple(facets), _index={})

    # -- first start --------------------------------------------------------------------------------------------
    def seed_sample(self, model=None) -> ImportResult | None:
        """Import the built-in sample visit once, into a new library (not again if the user deleted it)."""
        if self.get_meta("sample_seeded") or self.count_documents():
            if not self.get_meta("sample_seeded"):
                self.set_meta("sample_seeded", "skipped")
            return None
        result = self.import_bytes(SAMPLE_VISIT.read_bytes(), SAMPLE_VISIT.name, model=model)
        self.set_meta("sample_seeded", str(result.doc_id or result.duplicate_of or ""))
        return result

    # -- export -------------------------------------------------------------------------------------------------
    def export_json(self, doc_ids: list[int] | None = None) -> dict:
        docs = []
        for info in self.documents():
            if doc_ids and info.id not in doc_ids:
                continue
            row = self.document_row(info.id)
            meta = row["metadata"]
            meta.pop("blocks", None)
            docs.append({
                "id": info.id, "name": info.name, "format": info.format, "sha256": row["sha256"],
                "created": info.created, "chars": info.chars, "metadata": meta, "text": row["text"],
                "sentences": [{"id": s["idx"], "start": s["start"], "end": s["end"], "text": s["text"],
                               "themes": s["themes"], "facet": s["facet"], "model_themes": s["model_themes"],
                               "model_facet": s["model_facet"], "corrected": s["corrected"]}
                              for s in self.sentences(info.id)],
            })
        return {"format": "kcapture-library", "schema_version": self.schema_version(), "exported": now_iso(),
                "documents": docs, "corrections": self.corrections(latest_only=False),
                "custom_codes": [asdict(c) for c in self.custom_codes()],
                "model_versions": [asdict(v) for v in self.model_versions()]}


# --------------------------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------------------------


# Sentence fields stored in the sentence rows (and corrected there), so not repeated in documents.data.
_SENTENCE_ROW_FIELDS = ("themes", "facet", "theme_scores", "facet_scores")
# Library metadata that belongs to the analysis, not to the Document.
_ANALYSIS_METADATA = ("visit", "keywords", "lessons", "themes", "personal_data", "blocks")


def _document_metadata(meta: dict) -> dict:
    return {k: v for k, v in meta.items() if k not in _ANALYSIS_METADATA}


def _default_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "user"


def _scores(scores: dict) -> str:
    return json.dumps({k: round(float(v), 4) for k, v in (scores or {}).items()})


def _in_clause(column: str, ids: list[int] | None, prefix: str = "WHERE") -> tuple[str, list]:
    if not ids:
        return "", []
    return f"{prefix} {column} IN ({','.join('?' * len(ids))})", [int(i) for i in ids]


def _sentence_dict(r: sqlite3.Row) -> dict:
    model_themes = json.loads(r["themes"])
    corrected = bool(r["corrected"])
    return {
        "id": r["id"], "idx": r["idx"], "start": r["start"], "end": r["end"], "text": r["text"],
        "tokens": r["tokens"], "block": r["block"], "kind": r["kind"], "speaker": r["speaker"],
        "time_start": r["time_start"], "time_end": r["time_end"],
        "themes": json.loads(r["c_themes"]) if corrected and r["c_themes"] is not None else model_themes,
        "facet": (r["c_facet"] or r["facet"]) if corrected else r["facet"],
        "model_themes": model_themes, "model_facet": r["facet"], "corrected": corrected,
        "theme_scores": json.loads(r["theme_scores"] or "{}"), "facet_scores": json.loads(r["facet_scores"] or "{}"),
    }


def _token_offsets(text: str, base: int, tokens: str) -> list[Token]:
    """Tokens with offsets again, found in order in the sentence (the index stores them lowercased)."""
    out, pos, low = [], 0, text.lower()
    for t in tokens.split():
        i = low.find(t, pos)
        if i < 0:
            continue
        out.append(Token(base + i, base + i + len(t), text[i:i + len(t)]))
        pos = i + len(t)
    return out


def _apply_corrections(conn: sqlite3.Connection, doc_id: int) -> None:
    """Put the latest correction of each sentence of a document onto it, matched by offsets and text, else by text."""
    doc = conn.execute("SELECT sha256 FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if doc is None:
        return
    corrections = conn.execute("SELECT * FROM corrections WHERE doc_sha256 = ? ORDER BY id", (doc[0],)).fetchall()
    if not corrections:
        return
    sents = conn.execute('SELECT id, start, "end", text FROM sentences WHERE doc_id = ?', (doc_id,)).fetchall()
    by_span = {(s[1], s[2], s[3]): s[0] for s in sents}
    by_text: dict[str, int] = {}
    for s in sents:
        by_text.setdefault(s[3], s[0])
    keys = set(corrections[0].keys())
    for c in corrections:  # in order: the latest correction of a sentence is applied last
        start = c["sentence_start"] if "sentence_start" in keys else None
        end = c["sentence_end"] if "sentence_end" in keys else None
        sid = by_span.get((start, end, c["sentence_text"])) or by_text.get(c["sentence_text"])
        if sid is not None:
            conn.execute("UPDATE sentences SET c_themes = ?, c_facet = ?, corrected = 1 WHERE id = ?",
                         (c["themes"], c["facet"], sid))


def analysis_metadata(analysis) -> dict:
    """What the library keeps of an Analysis beside the document: visit card, keywords, lessons, personal data."""
    return {
        "visit": asdict(analysis.visit),
        "keywords": list(analysis.keywords),
        "lessons": [asdict(lesson) for lesson in analysis.lessons],
        "personal_data": list(analysis.personal_data),
    }


def train_base_model(folder: Path) -> Path:
    """Train the default model from the bundled corpus (used only when no shipped model exists)."""
    from kcapture.classify import save_model
    from kcapture.classify.data import read_jsonl
    from kcapture.classify.training import train_from_rows

    train = corpora_dir() / "train.jsonl"
    if not train.exists():
        raise ModelError("ไม่พบโมเดลและไม่พบชุดข้อมูลสำหรับฝึก", "no model shipped and no corpus to train one")
    valid = corpora_dir() / "valid.jsonl"
    model = train_from_rows(read_jsonl(train), valid_rows=read_jsonl(valid) if valid.exists() else None)
    tmp = folder.with_name(folder.name + f".tmp{os.getpid()}")
    save_model(model, tmp, {"data": "train.jsonl", "note": "trained from the bundled corpus (no shipped model)"})
    folder.parent.mkdir(parents=True, exist_ok=True)
    if folder.exists():  # another process won the race
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    else:
        tmp.rename(folder)
    return folder
