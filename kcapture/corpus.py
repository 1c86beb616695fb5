"""The project's labeled corpus: documents in corpora/raw/*.jsonl -> sentence rows split by document.

Split is by document (never by sentence: sentences of one document are alike) and stratified by genre, decided by a
hash of the document id so it is stable when documents are added. `python -m kcapture.corpus` rebuilds
corpora/{train,valid,test}.jsonl and prints the counts the datasheet quotes.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora"
SPLITS = (("train", 0.70), ("valid", 0.15), ("test", 0.15))


def read_documents(folder: Path = CORPORA / "raw") -> list[dict]:
    docs = []
    for path in sorted(folder.glob("*.jsonl")):
        if path.name.endswith("_sentences.jsonl"):
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                docs.append(json.loads(line))
    return docs


def document_text(doc: dict) -> str:
    """The document as its author typed it: sentences joined with their recorded breaks."""
    return "".join(s["text"] + s.get("break", " ") for s in doc["sentences"]).rstrip()


def sentence_rows(doc: dict) -> list[dict]:
    n = len(doc["sentences"])
    return [
        {"id": f"{doc['doc_id']}-{i:03d}", "doc": doc["doc_id"], "genre": doc.get("genre"), "sector": doc.get("sector"),
         "position": round(i / max(n - 1, 1), 3), "text": s["text"], "themes": s["themes"], "facet": s["facet"]}
        for i, s in enumerate(doc["sentences"])
    ]


def _rank(doc_id: str) -> str:
    return hashlib.sha1(doc_id.encode("utf-8")).hexdigest()


def split_documents(docs: list[dict]) -> dict[str, list[dict]]:
    by_genre: dict[str, list[dict]] = defaultdict(list)
    for d in docs:
        by_genre[d.get("genre") or "other"].append(d)
    out: dict[str, list[dict]] = {name: [] for name, _ in SPLITS}
    for genre in sorted(by_genre):
        group = sorted(by_genre[genre], key=lambda d: _rank(d["doc_id"]))
        n = len(group)
        n_valid = max(1, round(n * SPLITS[1][1])) if n >= 3 else 0
        n_test = max(1, round(n * SPLITS[2][1])) if n >= 3 else 0
        out["test"].extend(group[:n_test])
        out["valid"].extend(group[n_test : n_test + n_valid])
        out["train"].extend(group[n_test + n_valid :])
    return out


def build(folder: Path = CORPORA) -> dict[str, dict]:
    docs = read_documents(folder / "raw")
    stats = {}
    for name, part in split_documents(docs).items():
        rows = [r for d in part for r in sentence_rows(d)]
        (folder / f"{name}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                                              encoding="utf-8")
        stats[name] = counts(part, rows)
    stats["all"] = counts(docs, [r for d in docs for r in sentence_rows(d)])
    independent = read_documents(folder / "independent")
    if independent:
        rows = [r for d in independent for r in sentence_rows(d)]
        (folder / "independent" / "independent_sentences.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
        stats["independent"] = counts(independent, rows)
    return stats


def counts(docs: list[dict], rows: list[dict]) -> dict:
    themes = Counter(t for r in rows for t in r["themes"])
    facets = Counter(r["facet"] for r in rows)
    genres = Counter(d.get("genre") for d in docs)
    no_theme = sum(1 for r in rows if not r["themes"])
    return {"documents": len(docs), "sentences": len(rows), "no_theme_share": round(no_theme / max(len(rows), 1), 3),
            "themes": dict(themes.most_common()), "facets": dict(facets.most_common()), "genres": dict(genres)}


if __name__ == "__main__":
    json.dump(build(), sys.stdout, ensure_ascii=False, indent=1)
    print()
