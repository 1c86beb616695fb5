"""The store: one SQLite file (WAL, short write transactions, busy timeout so two sessions can share it), its documents
and sentences, corrections and the views over them."""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Self

from kcapture.document import BlockSpan, Document, Sentence, Token, identity_offsets
from kcapture.errors import InvalidInputError
from kcapture.library.rows import (
    apply_corrections,
    content_hash,
    in_clause,
    index_tokens,
    now_iso,
    safe_filename,
    scores_json,
)
from kcapture.library.schema import MIGRATIONS, SCHEMA_VERSION, _Connection

BUSY_TIMEOUT_MS = 30_000
CORRECTION_WEIGHT = 3  # a correction or a custom-theme example counts as this many corpus rows when retraining


def default_library_path() -> Path:
    env = os.environ.get("KCAPTURE_LIBRARY")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "kcapture" / "library.sqlite3"



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



class Store:
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

    def __enter__(self) -> Self:
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
        meta = {k: v for k, v in (doc.metadata or {}).items() if not k.startswith("_")}  # "_": a step's cache
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
                  s.speaker, s.time_start, s.time_end, json.dumps(s.themes), s.facet, scores_json(s.theme_scores),
                  scores_json(s.facet_scores)) for s in doc.sentences],
            )
            apply_corrections(conn, doc_id)
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
                       source_offsets=identity_offsets(len(text)), blocks=blocks, metadata=_document_metadata(meta),
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
        where, params = in_clause("s.doc_id", doc_ids)
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
