"""Sentence segmentation: agreement with the corpus annotators' sentence breaks, beside PyThaiNLP's crfcut, and speed
beside the bare word tokenizer. One command, one process:

    python benchmarks/segmentation.py [--extra FOLDER ...] [--mb 0.5] [--repeat 3] [--examples 8]

Quality, on the test documents of corpora/raw (kcapture.corpus.split_documents; the boundary model never trained on
them), two ways:
  * as written: each document is its sentences joined with their recorded breaks (" ", "\\n", "\\n\\n");
  * hard case: every line break (between and inside sentences) replaced by a space, so headings, list items and
    paragraphs run together and every boundary must be found at a space.
A boundary is where a sentence starts (after the first of its document). "all" counts every boundary of the
document; "in lines" only those at a space inside a line (the ones a segmenter has to decide: a line break is a
boundary for both segmenters). Precision, recall and F1 over boundaries, summed over documents. kcapture is run
through the full reading step (kcapture.pipeline.Pipeline.read, as users get it); crfcut on each line, as PyThaiNLP
users call it. "bad" counts boundaries a reader rejects outright: inside brackets or quotation marks, between a
number and the word it counts, or before ที่ / ซึ่ง / และ / รุ่น(ที่) (judged on the gold text, independently of
kcapture's own rules; a quotation longer than 500 characters is a speech of several sentences and may be split).
With --extra FOLDER, that folder's documents the boundary model never saw (neither trained nor tuned on) are scored
too.

Speed: about --mb megabytes of corpus text; segment_document (sentences + tokens) on the read documents against the
bare word tokenizer (WordTokenizer.words) on the same lines, and crfcut on the same lines. CPU time of this process,
best of --repeat.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpora" / "raw"

# A relative or coordinating word opening the rest of a sentence (ที่นอน, ที่สุด are words of their own).
CONTINUATION = re.compile(r"^(?:ซึ่ง|และ|รุ่นที่|ที่(?:\s|ได้|มี|เป็น|จะ|ต้อง|มา|ไป|ให้))")
COUNTED = re.compile(r"^(?:(?:คน|ราย|วัน|เดือน|ปี|ครั้ง|บาท|บ\.|ชั่วโมง|นาที|หลัง|คัน|ชุด|ชิ้น|แห่ง)(?=[\s,.)]|$)"
                     r"|[A-Z][A-Za-z]?s?\b)")
NUMBER_END = re.compile(r"(?<![\d,.])[\d๐-๙][\d๐-๙,.]*\s*$")


@dataclass
class GoldDoc:
    doc_id: str
    text: str
    starts: list[int]  # offsets where a sentence starts, after the first


def gold_doc(doc: dict, hard: bool) -> GoldDoc:
    parts: list[str] = []
    starts: list[int] = []
    pos = 0
    for i, s in enumerate(doc["sentences"]):
        text = s["text"].replace("\n", " ") if hard else s["text"]
        lead = len(text) - len(text.lstrip())
        if i:
            starts.append(pos + lead)
        brk = s.get("break", " ")
        if hard and brk:
            brk = " "
        parts += [text, brk]
        pos += len(text) + len(brk)
    return GoldDoc(doc["doc_id"], "".join(parts), starts)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    bad: int = 0
    fp_examples: list[str] = field(default_factory=list)
    fn_examples: list[str] = field(default_factory=list)

    def add(self, text: str, gold: set[int], found: set[int], keep: int) -> None:
        self.tp += len(gold & found)
        for p in sorted(found - gold):
            self.fp += 1
            if len(self.fp_examples) < keep:
                self.fp_examples.append(_context(text, p))
        for p in sorted(gold - found):
            self.fn += 1
            if len(self.fn_examples) < keep:
                self.fn_examples.append(_context(text, p))
        self.bad += sum(rejected(text, p) for p in found if in_line(text, p))

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _context(text: str, pos: int, width: int = 32) -> str:
    left = text[max(0, pos - width) : pos].replace("\n", "⏎").rstrip()
    right = text[pos : pos + width].replace("\n", "⏎")
    return f"{left} ‖ {right}"


ENCLOSED_MAX = 500  # a quotation longer than this is a speech of several sentences, which annotators do split


def _inside(before: str, after: str, open_: str, close: str) -> bool:
    """An opener left open in `before` that `after` closes within ENCLOSED_MAX characters of it (closers without an
    opener, as in "1)", are skipped)."""
    stack: list[int] = []
    for i, ch in enumerate(before):
        if ch == open_:
            stack.append(i)
        elif ch == close and stack:
            stack.pop()
    if not stack:
        return False
    depth = len(stack)
    for j, ch in enumerate(after):
        if ch == open_:
            depth += 1
        elif ch == close:
            depth -= 1
            if depth < len(stack):
                return len(before) - stack[-1] + j <= ENCLOSED_MAX
    return False


def rejected(text: str, pos: int) -> bool:
    """A boundary at `pos` that a reader rejects outright (a check written apart from kcapture's rules)."""
    line_start = text.rfind("\n", 0, pos) + 1
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end < 0 else line_end
    before, after = text[max(line_start, pos - 500):pos], text[pos:min(line_end, pos + 500)]
    if any(_inside(before, after, a, b) for a, b in (("(", ")"), ("[", "]"))):
        return True
    # Straight quotes: one that follows a space opens, any other closes (writers mix them with curly ones).
    oriented_before = re.sub(r'(?:(?<=\s)|^)"', "“", before).replace('"', "”")
    oriented_after = re.sub(r'(?:(?<=\s)|^)"', "“", after).replace('"', "”")
    if _inside(oriented_before, oriented_after, "“", "”"):
        return True
    if NUMBER_END.search(before) and COUNTED.match(after) and not re.search(r"(?:25|19|20)\d\d\s*$", before):
        return True
    return bool(CONTINUATION.match(after))


# --- the segmenters ----------------------------------------------------------------------------------------------

def kcapture_starts(text: str) -> list[int]:
    from kcapture.pipeline import Pipeline

    doc = Pipeline().read(text.encode("utf-8"), "gold.txt")
    return [doc.source_offsets[s.start] for s in doc.sentences[1:]]


def crfcut_starts(text: str) -> list[int]:
    from pythainlp.tokenize import sent_tokenize

    out: list[int] = []
    pos = 0
    for line in text.split("\n"):
        cursor = 0
        if line.strip():
            for piece in sent_tokenize(line, engine="crfcut"):
                piece = piece.strip()
                if not piece:
                    continue
                start = line.find(piece, cursor)
                if start < 0:
                    continue
                out.append(pos + start)
                cursor = start + len(piece)
        pos += len(line) + 1
    first = next((i for i, ch in enumerate(text) if not ch.isspace()), 0)
    return [s for s in out if s != first]


def every_space_starts(text: str) -> list[int]:
    """The trivial baseline: a sentence starts after every line break and every space between two Thai letters."""
    out = [m.end() for m in re.finditer(r"\n+", text)]
    out += [i + 1 for i in range(1, len(text) - 1)
            if text[i] == " " and "\u0e01" <= text[i - 1] <= "\u0e4e" and "\u0e01" <= text[i + 1] <= "\u0e4e"]
    return sorted(set(out))


SEGMENTERS = {"kcapture": kcapture_starts, "PyThaiNLP crfcut": crfcut_starts,
              "every space (baseline)": every_space_starts}


def in_line(text: str, start: int) -> bool:
    """The boundary at `start` is at a space inside a line (no line break between the two sentences)."""
    j = start
    while j > 0 and text[j - 1] in " \t\u00a0-•*▪●◦":
        j -= 1
    return j < start and j > 0 and text[j - 1] != "\n"


_LEAD = re.compile(r"(?:[-•*▪●◦]\s+|\s+)+")


def content_start(text: str, start: int) -> int:
    """A sentence's start moved past leading spaces and a bullet: a reader may keep "- " or drop it."""
    m = _LEAD.match(text, start)
    return m.end() if m else start


def score_docs(docs: list[GoldDoc], keep: int) -> dict[str, dict[str, Score]]:
    scores = {name: {"all": Score(), "in lines": Score()} for name in SEGMENTERS}
    for d in docs:
        gold = {content_start(d.text, s) for s in d.starts}
        gold_in = {s for s in gold if in_line(d.text, s)}
        for name, find in SEGMENTERS.items():
            found = {content_start(d.text, s) for s in find(d.text)}
            scores[name]["all"].add(d.text, gold, found, 0)
            scores[name]["in lines"].add(d.text, gold_in, {s for s in found if in_line(d.text, s)}, keep)
    return scores


def print_scores(title: str, scores: dict[str, dict[str, Score]], kinds: tuple[str, ...]) -> None:
    print(title)
    head = f"  {'segmenter':<24}" + "".join(f" | {k + ': P':>10} {'R':>5} {'F1':>5} {'bad':>4}" for k in kinds)
    print(head)
    print("  " + "-" * (len(head) - 2))
    for name, by_kind in scores.items():
        row = f"  {name:<24}"
        for k in kinds:
            p, r, f1 = by_kind[k].prf()
            row += f" | {p:>10.3f} {r:>5.3f} {f1:>5.3f} {by_kind[k].bad:>4}"
        print(row)


# --- speed -------------------------------------------------------------------------------------------------------

def measure_speed(docs: list[dict], mb: float, repeat: int, seed: int) -> dict[str, float]:
    from pythainlp.tokenize import sent_tokenize

    from kcapture.corpus import document_text
    from kcapture.ingest import read_bytes
    from kcapture.ingest.assemble import build_document
    from kcapture.thai.sentences import segment_document
    from kcapture.thai.tokenize import default_tokenizer

    rng = random.Random(seed)
    texts, size = [], 0
    while size < mb * 1_000_000:
        batch = docs[:]
        rng.shuffle(batch)
        for d in batch:
            texts.append(document_text(d))
            size += len(texts[-1].encode("utf-8"))
            if size >= mb * 1_000_000:
                break
    built = [build_document(read_bytes(t.encode("utf-8"), f"d{i}.txt"), f"d{i}.txt") for i, t in enumerate(texts)]
    lines = [line for d in built for line in d.text.split("\n") if line.strip()]
    chars = sum(len(d.text) for d in built)
    line_chars = sum(map(len, lines))
    tok = default_tokenizer()
    segment_document(built[0])  # first call loads the model and dictionary
    sent_tokenize("ทดสอบการตัดประโยค ภาษาไทย", engine="crfcut")

    def best(fn, n: int) -> float:
        t = float("inf")
        for _ in range(n):
            a = time.process_time()
            fn()
            t = min(t, time.process_time() - a)
        return t

    t_seg = best(lambda: [segment_document(d) for d in built], repeat)
    t_tok = best(lambda: [tok.words(line) for line in lines], repeat)
    few = lines[: max(1, len(lines) // 5)]  # crfcut is slow: a fifth of the lines is enough for its rate
    t_crf = best(lambda: [sent_tokenize(line, engine="crfcut") for line in few], 1)
    return {"chars": chars, "segment": chars / t_seg, "tokenizer": line_chars / t_tok,
            "crfcut": sum(map(len, few)) / t_crf}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--extra", type=Path, action="append", default=[],
                        help="another folder of corpus documents: its test documents (same split) are scored too")
    parser.add_argument("--mb", type=float, default=0.5, help="megabytes of text for the speed run (default 0.5)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs, the best is kept (default 3)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--examples", type=int, default=8, help="kcapture errors to print (default 8)")
    args = parser.parse_args(argv)

    from kcapture.corpus import read_documents, split_documents
    from kcapture.thai.boundaries import load_boundary_model

    raw = read_documents(CORPUS)
    if not raw:
        sys.exit(f"no corpus documents in {CORPUS}")
    model = load_boundary_model()
    trained = model.trained_on if model else {}
    print("Boundary model: " + ("none (hand rules only)" if model is None else
                                f"threshold {model.threshold}, trained on corpora/raw {trained.get('corpora/raw')} "
                                f"+ extra {trained.get('extra') or 'none'}; documents {trained.get('documents')}"))
    seen = set(trained.get("seen_doc_ids") or ())
    split_test = split_documents(raw)["test"]
    test = [d for d in split_test if d["doc_id"] not in seen]
    print(f"Test documents: {len(test)} of corpora/raw ({sum(len(d['sentences']) for d in test)} sentences)"
          + (f"; {len(split_test) - len(test)} test documents left out: the model saw them" if len(test) < len(
              split_test) else ""))
    print()
    for hard, title, kinds in ((False, "As written", ("all", "in lines")),
                               (True, "Hard case: every line break replaced by a space", ("all",))):
        scores = score_docs([gold_doc(d, hard) for d in test], args.examples)
        print_scores(title, scores, kinds)
        if args.examples and not hard:
            ours = scores["kcapture"]["in lines"]
            print("  kcapture splits where the annotators did not:")
            print("".join(f"    {e}\n" for e in ours.fp_examples), end="")
            print("  kcapture misses:")
            print("".join(f"    {e}\n" for e in ours.fn_examples), end="")
        print()

    raw_ids = {d["doc_id"] for d in raw}
    for folder in args.extra:
        extra = [d for d in read_documents(folder) if d["doc_id"] not in raw_ids]
        if not extra:
            print(f"{folder}: no documents")
            continue
        unseen = [d for d in extra if d["doc_id"] not in seen]
        print(f"Extra folder {folder}: {len(extra)} documents read, {len(unseen)} of them never seen by the boundary "
              f"model (neither trained nor tuned on; the model file lists the documents it saw)")
        for hard, title, kinds in ((False, "  as written", ("all", "in lines")), (True, "  hard case", ("all",))):
            print_scores(title, score_docs([gold_doc(d, hard) for d in unseen], 0), kinds)
        print()

    speed = measure_speed(raw, args.mb, args.repeat, args.seed)
    print(f"Speed ({speed['chars']:,} chars of corpus text, CPU time of one process, best of {args.repeat}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    print(f"  {'segment_document (sentences + tokens)':<44} {speed['segment']:>12,.0f} chars/s")
    print(f"  {'bare tokenizer WordTokenizer.words, same lines':<44} {speed['tokenizer']:>12,.0f} chars/s")
    print(f"  {'PyThaiNLP crfcut sent_tokenize, same lines':<44} {speed['crfcut']:>12,.0f} chars/s")
    print(f"  segmentation+tokenization / bare tokenizer = {speed['segment'] / speed['tokenizer']:.2f};  "
          f"/ crfcut = {speed['segment'] / speed['crfcut']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
