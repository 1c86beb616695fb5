"""Check corpus documents (JSON Lines, one document per line) against the codebook and the format of corpora/raw.

    python corpora/scripts/check_documents.py FILE.jsonl [FILE.jsonl ...]

Prints one line per problem and a summary (documents, sentences, themes per content sentence); exits 1 on problems.
"""

from __future__ import annotations

import json
import sys
import tomllib
from collections import Counter
from pathlib import Path

CODEBOOK = Path(__file__).resolve().parents[1] / "codebook.toml"
BREAKS = {" ", "\n", "\n\n"}


def main(paths: list[str]) -> int:
    book = tomllib.loads(CODEBOOK.read_text(encoding="utf-8"))
    themes = {t["id"] for t in book["themes"]}
    facets = {f["id"] for f in book["facets"]}
    problems, docs, sents, n_theme, content = 0, 0, 0, 0, 0
    ids: Counter[str] = Counter()
    facet_count: Counter[str] = Counter()
    for path in paths:
        for lineno, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}"
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"{where}: not JSON ({exc})")
                problems += 1
                continue
            for key in ("doc_id", "genre", "sector", "title", "sentences"):
                if key not in doc:
                    print(f"{where}: missing {key}")
                    problems += 1
            ids[doc.get("doc_id", "")] += 1
            docs += 1
            for i, s in enumerate(doc.get("sentences", [])):
                sents += 1
                text = s.get("text", "")
                if not text.strip() or text != text.strip():
                    print(f"{where} sentence {i}: empty text or spaces at its ends")
                    problems += 1
                bad = [t for t in s.get("themes", []) if t not in themes]
                if bad or len(set(s.get("themes", []))) != len(s.get("themes", [])):
                    print(f"{where} sentence {i}: unknown or repeated themes {s.get('themes')}")
                    problems += 1
                if s.get("facet") not in facets:
                    print(f"{where} sentence {i}: unknown facet {s.get('facet')!r}")
                    problems += 1
                last = i == len(doc["sentences"]) - 1
                if s.get("break") not in BREAKS and not (last and s.get("break", "") == ""):
                    print(f"{where} sentence {i}: break must be one of {sorted(BREAKS)!r}")
                    problems += 1
                facet_count[s.get("facet")] += 1
                if s.get("themes"):
                    content += 1
                    n_theme += len(s["themes"])
    for doc_id, n in ids.items():
        if n > 1:
            print(f"doc_id {doc_id!r} used {n} times")
            problems += 1
    print(f"{docs} documents, {sents} sentences, {content} with a theme, "
          f"{n_theme / max(content, 1):.2f} themes per content sentence; facets {dict(facet_count)}; "
          f"{problems} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
