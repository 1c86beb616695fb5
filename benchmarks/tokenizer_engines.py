"""Word-segmentation engines compared: accuracy on gold segmentation and speed, to choose kcapture's tokenizer.

1. Gold: ../shared/datasets/wisesight-sentiment/word-tokenization (*.label: words separated by "|"), read in place.
   Accuracy is PyThaiNLP's standard word-tokenization benchmark (pythainlp.benchmarks.word_tokenization): spaces
   removed, then word-boundary (word-start) precision / recall / F1 at character level, and the share of words
   segmented exactly (word level), summed over all samples.
2. Report-style text: the project's corpus (corpora/raw/*.jsonl), each document's sentences joined with their breaks,
   tokenized per paragraph. No gold segmentation exists there, so it reports speed, boundary agreement with newmm, and
   how often the domain terms of kcapture/thai/data/domain_words.txt come out whole.

Speed is characters per second of CPU time of this process (per core, and steady on a shared machine), best of
--repeat runs, tokenizing one sample (or paragraph) per call.

    python benchmarks/tokenizer_engines.py [--repeat 3] [--engines newmm,nlpo3,...]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT.parent / "shared" / "datasets" / "wisesight-sentiment" / "word-tokenization"
CORPUS = ROOT / "corpora" / "raw"


def load_gold() -> list[list[str]]:
    samples: list[list[str]] = []
    files = sorted(GOLD_DIR.glob("*.label"))
    if not files:
        sys.exit(f"no gold segmentation found in {GOLD_DIR} (the project expects ../shared beside it)")
    for path in files:
        for line in path.read_text(encoding="utf-8").split("\n"):
            words = [w for w in line.split("|") if w]
            if "".join(words).strip():
                samples.append(words)
    return samples


def load_report_paragraphs() -> list[str]:
    paragraphs: list[str] = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            doc = json.loads(line)
            text = "".join(s["text"] + s.get("break", "") for s in doc["sentences"])
            paragraphs.extend(p for p in text.split("\n") if p.strip())
    return paragraphs


def engines(selected: list[str] | None) -> dict[str, Callable[[str], list[str]]]:
    from pythainlp.tokenize import word_tokenize
    from pythainlp.util import Trie

    from kcapture.thai.tokenize import default_tokenizer, known_words

    kc = default_tokenizer()
    kc_trie = Trie(known_words())
    table: dict[str, Callable[[str], list[str]]] = {
        "nlpo3 + kcapture dict (kcapture WordTokenizer)": kc.words,
        "nlpo3 (pythainlp)": lambda t: word_tokenize(t, engine="nlpo3"),
        "newmm": lambda t: word_tokenize(t, engine="newmm"),
        "newmm + kcapture dict": lambda t: word_tokenize(t, engine="newmm", custom_dict=kc_trie),
        "newmm-safe": lambda t: word_tokenize(t, engine="newmm-safe"),
        "mm": lambda t: word_tokenize(t, engine="mm"),
        "longest": lambda t: word_tokenize(t, engine="longest"),
    }
    if selected:
        table = {k: v for k, v in table.items() if any(k.startswith(s) for s in selected)}
    return table


def timed(fn: Callable[[str], list[str]], texts: list[str], repeat: int) -> tuple[list[list[str]], float]:
    """(segmentations, best chars/s)."""
    for t in texts[:20]:
        fn(t)  # first-call costs (dictionary loading) are not throughput
    chars = sum(len(t) for t in texts)
    best = float("inf")
    out: list[list[str]] = []
    for _ in range(repeat):
        start = time.process_time()
        out = [fn(t) for t in texts]
        best = min(best, time.process_time() - start)
        if best > 3.0:
            break  # a slow engine: one run measures it well enough
    return out, chars / best


def gold_scores(gold: list[list[str]], predicted: list[list[str]]) -> dict[str, float]:
    """PyThaiNLP's word-tokenization benchmark, counts summed over samples."""
    from pythainlp.benchmarks.word_tokenization import compute_stats, preprocessing

    tp = fp = fn = 0
    correct = ref_words = pred_words = 0
    for g, p in zip(gold, predicted, strict=True):
        ref, sample = preprocessing("|".join(g)), preprocessing("|".join(p))
        if not ref or not sample:
            continue
        stats = compute_stats(ref, sample)
        tp += stats["char_level"]["tp"]
        fp += stats["char_level"]["fp"]
        fn += stats["char_level"]["fn"]
        correct += stats["word_level"]["correctly_tokenized_words"]
        pred_words += stats["word_level"]["total_words_in_sample"]
        ref_words += stats["word_level"]["total_words_in_ref_sample"]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    word_p, word_r = correct / pred_words, correct / ref_words
    return {"P": precision, "R": recall, "F1": _f1(precision, recall), "word_F1": _f1(word_p, word_r)}


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _starts(words: list[str]) -> set[int]:
    """Word-start positions in the text with whitespace removed."""
    starts, pos = set(), 0
    for w in words:
        w = re.sub(r"\s+", "", w)
        if w:
            starts.add(pos)
            pos += len(w)
    return starts


def agreement(reference: list[list[str]], predicted: list[list[str]]) -> float:
    """Boundary F1 of `predicted` against `reference` (not gold: another engine)."""
    tp = n_ref = n_pred = 0
    for r, p in zip(reference, predicted, strict=True):
        a, b = _starts(r), _starts(p)
        tp += len(a & b)
        n_ref += len(a)
        n_pred += len(b)
    return _f1(tp / n_pred, tp / n_ref) if n_pred and n_ref else 0.0


def domain_whole(texts: list[str], predicted: list[list[str]], terms: list[str]) -> tuple[int, int]:
    """(occurrences of domain terms that came out as one token, all occurrences)."""
    whole = total = 0
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    for text, words in zip(texts, predicted, strict=True):
        spans, pos = set(), 0
        for w in words:
            spans.add((pos, pos + len(w)))
            pos += len(w)
        for m in pattern.finditer(text):
            total += 1
            whole += m.span() in spans
    return whole, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per engine; the best is reported")
    parser.add_argument("--engines", help="comma-separated name prefixes, e.g. nlpo3,newmm")
    args = parser.parse_args(argv)

    from kcapture.thai.tokenize import domain_words

    gold = load_gold()
    gold_texts = ["".join(words) for words in gold]
    paragraphs = load_report_paragraphs()
    terms = [w for w in domain_words() if len(w) >= 4]
    table = engines(args.engines.split(",") if args.engines else None)
    print(f"gold: {len(gold)} wisesight samples, {sum(map(len, gold_texts)):,} chars ({GOLD_DIR})")
    print(f"report-style: {len(paragraphs)} paragraphs, {sum(map(len, paragraphs)):,} chars (corpora/raw/*.jsonl)")
    print()

    rows = []
    reference = None
    if "newmm" in table:
        reference, _ = timed(table["newmm"], paragraphs, 1)
    for name, fn in table.items():
        predicted, gold_speed = timed(fn, gold_texts, args.repeat)
        scores = gold_scores(gold, predicted)
        report, report_speed = timed(fn, paragraphs, args.repeat)
        agree = agreement(reference, report) if reference is not None else float("nan")
        whole, total = domain_whole(paragraphs, report, terms)
        rows.append((name, scores, gold_speed, report_speed, agree, whole, total))
        print(f"  measured {name}", file=sys.stderr)

    head = (f"{'engine':<48} {'P':>6} {'R':>6} {'F1':>6} {'wordF1':>7} {'gold chars/s':>13} "
            f"{'report chars/s':>15} {'agree newmm':>12} {'domain whole':>13}")
    print("Word boundary precision/recall/F1 on wisesight gold (PyThaiNLP benchmark); chars/s of CPU time per sample "
          f"/ paragraph (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(head)
    print("-" * len(head))
    for name, s, gs, rs, agree, whole, total in rows:
        print(f"{name:<48} {s['P']:>6.3f} {s['R']:>6.3f} {s['F1']:>6.3f} {s['word_F1']:>7.3f} {gs:>13,.0f} "
              f"{rs:>15,.0f} {agree:>12.3f} {f'{whole}/{total}':>13}")
    fastest = max(rows, key=lambda r: r[3])
    best = max(rows, key=lambda r: r[1]["F1"])
    print()
    print(f"most accurate on gold: {best[0]} (F1 {best[1]['F1']:.3f}); fastest on reports: {fastest[0]} "
          f"({fastest[3]:,.0f} chars/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
