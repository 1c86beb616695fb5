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
    for i in range(0, len(rows), BATCH):
        chunk = rows[i : i + BATCH]
        # Rows that name their document ("doc") give the facet its neighbouring sentences as context.
        groups = [r["doc"] for r in chunk] if all("doc" in r for r in chunk) else None
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


def classify_jsonl(input_path: str, output_path: str | None = None, model: str | None = None) -> None:
    rows = read_jsonl(input_path)
    results = classify_rows(rows, Path(model) if model else None)
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
    if output_path:
        Path(output_path).write_text(lines, encoding="utf-8")
    else:
        sys.stdout.write(lines)
