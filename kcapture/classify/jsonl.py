"""`kcapture classify`: JSONL in ({"id", "text"}), JSONL out in the same order (contract in DESIGN.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kcapture.classify.data import read_jsonl
from kcapture.errors import InvalidInputError

BATCH = 2000


def classify_rows(rows: list[dict], model=None) -> list[dict]:
    from kcapture.classify import get_model

    clf = get_model(model)
    for n, r in enumerate(rows, start=1):
        if not isinstance(r.get("text"), str):
            raise InvalidInputError(f"แถวที่ {n}: ต้องมีฟิลด์ \"text\" เป็นข้อความ", f"row {n}: needs a string \"text\"")
    out = []
    with_docs = all("doc" in r for r in rows)
    for chunk in _chunks(rows, with_docs):
        # Rows that name their document ("doc") give the tagger its neighbouring sentences and the whole document as
        # context; a chunk never cuts a document in two.
        groups = [r["doc"] for r in chunk] if with_docs else None
        for r, p in zip(chunk, clf.predict([r["text"] for r in chunk], groups=groups), strict=True):
            row = {"id": r.get("id")}
            for key, value in p.items():
                # The shipped model's heads are "themes" and "facet"; the contract names their scores
                # theme_scores and facet_scores.
                if key == "themes_scores":
                    key = "theme_scores"
                row[key] = value
            out.append(row)
    return out


def _chunks(rows: list[dict], with_docs: bool) -> list[list[dict]]:
    """Rows in batches of about BATCH (prediction's memory stays flat), cut only where the document changes."""
    chunks: list[list[dict]] = []
    cur: list[dict] = []
    for r in rows:
        if len(cur) >= BATCH and (not with_docs or r["doc"] != cur[-1]["doc"]):
            chunks.append(cur)
            cur = []
        cur.append(r)
    if cur:
        chunks.append(cur)
    return chunks


def classify_jsonl(input_path: str, output_path: str | None = None, model: str | None = None) -> None:
    rows = read_jsonl(input_path)
    results = classify_rows(rows, Path(model) if model else None)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
    if output_path:
        Path(output_path).write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)
