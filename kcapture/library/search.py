"""Full-text search: FTS5 over the sentences' PyThaiNLP tokens joined by spaces; the query is segmented the same way,
so a word is found inside unspaced Thai text."""

from __future__ import annotations

import json
import re
import sqlite3
from dataclasses import dataclass

from kcapture.library.rows import in_clause

_WORDISH = re.compile(r"\w")


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




class SearchMixin:
    conn: sqlite3.Connection

    def search(self, query: str, limit: int = 100, doc_ids: list[int] | None = None) -> list[SearchHit]:
        """Full-text search over word-segmented sentences (FTS5, bm25); a plain substring search if that finds none."""
        match = fts_query(query)
        hits: list[SearchHit] = []
        where, params = in_clause("s.doc_id", doc_ids, prefix="AND")
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
