"""Shared by tests/ and benchmarks/entities.py (which prints the figures): Entity step: precision and recall per type
on corpora/entities_test.jsonl beside the previous rules, and its speed"""

from __future__ import annotations

import json
import lzma
import os
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kcapture.document import Document  # noqa: E402
from kcapture.extract.entities import KINDS, NAME_STOP, ORG_HEADS, find_entities, provinces, text_document  # noqa: E402
from kcapture.extract.personal import find_personal_data, title_names  # noqa: E402

DATA = ROOT / "corpora" / "entities_test.jsonl"
THAIGOV = ROOT.parent / "shared" / "datasets" / "thaigov" / "thaigov-6000.jsonl.xz"
_OLD_ORG = re.compile("|".join(re.escape(h) for h in sorted(ORG_HEADS, key=len, reverse=True)))


def previous_rules(doc: Document) -> list[tuple[int, int, str]]:
    """The rules kcapture used before the entity step (see the module docstring)."""
    out = []
    text = doc.text
    provs = provinces()
    for s in doc.sentences:
        out += [(p.start, p.end, "person") for p in title_names(text, s.start, s.end)]
        toks = s.tokens
        for i, t in enumerate(toks):
            if t.text in provs:
                out.append((t.start, t.end, "place"))
            m = _OLD_ORG.match(text, t.start)
            if not m:
                continue
            end = t.end
            for prev, nxt in zip(toks[i:], toks[i + 1 :], strict=False):
                if nxt.start != prev.end or nxt.text in NAME_STOP | {"ไม่"}:
                    break
                end = nxt.end
            if end > m.end():
                out.append((t.start, end, "organization"))
    return out


def evaluate(rows: list[dict], predict, show_errors: bool = False) -> dict:
    st = {k: defaultdict(int) for k in KINDS}
    for row in rows:
        doc = text_document(row["text"])
        pred = predict(doc)
        gold = [(s["start"], s["end"], s["kind"]) for s in row["spans"]]
        for g in gold:
            hit = any(p[2] == g[2] and p[0] < g[1] and g[0] < p[1] for p in pred)
            st[g[2]]["gold"] += 1
            st[g[2]]["found"] += hit
            st[g[2]]["exact"] += g in pred
            if show_errors and g not in pred:
                print(f"MISS  [{g[2]}] {row['text'][g[0]:g[1]]!r} in: {row['text']}")
        for p in pred:
            if p[2] not in st:
                continue
            ok = any(p[2] == g[2] and p[0] < g[1] and g[0] < p[1] for g in gold)
            st[p[2]]["pred"] += 1
            st[p[2]]["ok"] += ok
            if show_errors and p not in gold:
                print(f"EXTRA [{p[2]}] {row['text'][p[0]:p[1]]!r} in: {row['text']}")
    return {k: {"gold": v["gold"], "predicted": v["pred"], "precision": _r(v["ok"], v["pred"]),
                "recall": _r(v["found"], v["gold"]), "exact_recall": _r(v["exact"], v["gold"])}
            for k, v in st.items()}


def _r(a: int, b: int) -> float:
    return round(a / b, 3) if b else 0.0


def entity_step(doc: Document) -> list[tuple[int, int, str]]:
    return [(e.start, e.end, e.kind) for e in find_entities(doc)]


def _load_module(path: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location("previous_personal", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["previous_personal"] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def speed(max_chars: int, previous: str | None = None) -> dict:
    from kcapture.thai.tokenize import default_tokenizer

    if THAIGOV.exists():
        texts = []
        with lzma.open(THAIGOV, "rt", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                texts.append(row.get("text") or row.get("body") or "")
                if sum(map(len, texts)) >= max_chars:
                    break
        source = "thaigov"
    else:
        rows = [json.loads(x) for x in DATA.read_text("utf-8").splitlines()]
        texts = ["\n".join(r["text"] for r in rows)] * 3
        source = "entities_test (thaigov absent)"
    docs = [text_document(t) for t in texts if t.strip()]
    chars = sum(len(d.text) for d in docs)
    tok = default_tokenizer()
    find_entities(docs[0])  # load the model and tables once, as a process does
    docs[0].metadata.clear()
    t0 = time.perf_counter()
    for d in docs:
        for s in d.sentences:
            tok.tokenize(s.text, base=s.start)
    t_tok = time.perf_counter() - t0
    t0 = time.perf_counter()
    for d in docs:
        find_entities(d)
    t_ent = time.perf_counter() - t0
    t0 = time.perf_counter()
    for d in docs:
        find_entities(d)  # cached on the document: the second call is what later steps pay
    t_again = time.perf_counter() - t0
    t0 = time.perf_counter()
    for d in docs:
        find_personal_data(d.text, doc=d)  # the personal-data step on top of the cached entities: regexes only
    t_personal = time.perf_counter() - t0
    extra = {}
    if previous:  # the personal-data detector before the entity step, which tokenized every line again
        old = _load_module(previous)
        old.find_personal_data("นายสมชาย ใจดี")
        t0 = time.perf_counter()
        for d in docs:
            old.find_personal_data(d.text)
        t_old = time.perf_counter() - t0
        extra = {"previous_personal_chars_per_s": round(chars / t_old),
                 "ratio_entities_and_personal_to_previous": round((t_ent + t_personal) / t_old, 2)}
    return {**extra, "source": source, "chars": chars, "tokenizer_chars_per_s": round(chars / t_tok),
            "entities_chars_per_s": round(chars / t_ent), "ratio_entities_to_tokenizer": round(t_ent / t_tok, 2),
            "cached_call_chars_per_s": round(chars / max(t_again, 1e-9)),
            "personal_data_after_entities_chars_per_s": round(chars / max(t_personal, 1e-9))}
