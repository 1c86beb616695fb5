"""Full-text search: FTS5 over the sentences' PyThaiNLP tokens joined by spaces; the query is segmented the same way,
so a word is found inside unspaced Thai text.

Word search alone misses a word that the segmenter keeps inside a longer word ("เป้าหมาย" inside the one token
"กลุ่มเป้าหมาย", "ทุน" inside "เงินทุน"), so every search also looks for the query's space-separated parts as
substrings of the sentence (all of them in one sentence). Word matches come first (bm25), then the substring matches
that word search did not find."""

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


def query_parts(query: str) -> list[str]:
    """The query's space-separated parts, repaired like a document's text and lowercased (for substring search)."""
    from kcapture.ingest.repair import repair_text

    return [part.lower() for part in repair_text(query).text.split() if part.strip()]


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
        """Sentences where every space-separated part of the query occurs: word matches (FTS5 over the segmented
        tokens, best bm25 first), then sentences where the parts occur only inside longer words (substring)."""
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
            except sqlite3.OperationalError:  # a query FTS5 cannot parse: the substring search still answers
                hits = []
        parts = query_parts(query)
        if parts and len(hits) < limit:
            found = {(h.doc_id, h.idx) for h in hits}
            every_part = " AND ".join("instr(lower(s.text), ?) > 0" for _ in parts)
            rows = self.conn.execute(
                'SELECT s.doc_id, d.name, s.idx, s.start, s."end", s.text, COALESCE(s.c_themes, s.themes), '
                "COALESCE(s.c_facet, s.facet) FROM sentences s JOIN documents d ON d.id = s.doc_id "
                f"WHERE {every_part} {where} ORDER BY s.doc_id, s.idx LIMIT ?",
                (*parts, *params, limit + len(found)),
            ).fetchall()
            for r in rows:
                if (r[0], r[2]) in found:
                    continue
                hits.append(SearchHit(r[0], r[1], r[2], r[3], r[4], r[5], json.loads(r[6]), r[7], 0.0, "substring"))
                if len(hits) >= limit:
                    break
        return hits
