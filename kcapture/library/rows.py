"""Small helpers of the library's rows: hashes, safe file names, timestamps, score and id-list encodings."""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from datetime import UTC, datetime


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



def scores_json(scores: dict) -> str:
    return json.dumps({k: round(float(v), 4) for k, v in (scores or {}).items()})


def in_clause(column: str, ids: list[int] | None, prefix: str = "WHERE") -> tuple[str, list]:
    if not ids:
        return "", []
    return f"{prefix} {column} IN ({','.join('?' * len(ids))})", [int(i) for i in ids]


def index_tokens(tokens: Iterable[str]) -> str:
    """A sentence's words as the search index holds them: lowercased, joined by spaces."""
    return " ".join(t.lower() for t in tokens if t.strip())


def apply_corrections(conn: sqlite3.Connection, doc_id: int) -> None:
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

