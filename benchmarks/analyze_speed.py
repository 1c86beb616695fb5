"""End-to-end speed of `kcapture analyze` on a 1.5 M-character file of visit notes, beside the bare tokenizer on the
same text, in one run.

    python benchmarks/analyze_speed.py [--chars 1500000] [--runs 3]

The notes are the corpus documents (corpora/raw) joined until the size is reached. `kcapture analyze FILE --format
json --output OUT` runs as a user runs it: a new process, imports, model load and writing the report included. Its
speed is characters per second of CPU time of that process (user + system, from the operating system's accounting:
steady on a shared machine), wall-clock beside it. The bare tokenizer (nlpo3 with kcapture's dictionary, one line at
a time, in this process) is the floor. Best of --runs each. The package's bytecode is compiled first, as `pip install`
does (a checkout run with PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module in every run).
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from kcapture.corpus import document_text, read_documents  # noqa: E402


def notes(chars: int) -> str:
    texts = [document_text(d) for d in read_documents()]
    out, n, i = [], 0, 0
    while n < chars:
        t = texts[i % len(texts)]
        out.append(t)
        n += len(t) + 2
        i += 1
    return "\n\n".join(out)[:chars]


def analyze_once(path: Path, out: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kcapture", "analyze", str(path), "--format", "json", "--output", str(out)],
                   check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def compile_package() -> None:
    """The package's bytecode, as `pip install` writes it."""
    compileall.compile_dir(str(ROOT / "kcapture"), quiet=1)


def tokenizer_once(text: str) -> float:
    from kcapture.thai.tokenize import default_tokenizer

    tok = default_tokenizer()
    tok.words("อุ่นเครื่อง")
    t0 = time.process_time()
    for line in text.split("\n"):
        if line.strip():
            tok.words(line)
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=1_500_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    text = notes(args.chars)
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        path, out = Path(tmp) / "notes.txt", Path(tmp) / "analysis.json"
        path.write_text(text, encoding="utf-8")
        runs = [analyze_once(path, out) for _ in range(args.runs)]
        tok = min(tokenizer_once(text) for _ in range(args.runs))
    cpu, wall = min(r[0] for r in runs), min(r[1] for r in runs)
    n = len(text)
    print(f"{n:,} characters of visit notes (corpora/raw), best of {args.runs}")
    print(f"{'':<44}{'chars/s (CPU)':>16}{'chars/s (wall)':>16}")
    print(f"{'kcapture analyze, whole command':<44}{n / cpu:>16,.0f}{n / wall:>16,.0f}")
    print(f"{'bare tokenizer, same text (floor)':<44}{n / tok:>16,.0f}")
    print(f"analyze takes {cpu / tok:.1f}x the bare tokenizer's time; target 300,000 chars/s end to end")


if __name__ == "__main__":
    main()
