"""The benchmark suite in one command: prints a Markdown table of kcapture's speed and memory.

    python benchmarks/run_all.py            # the full suite: ~3 minutes on 2 idle cores, up to ~6 on a busy machine
    python benchmarks/run_all.py --quick    # scaled down: ~1 minute (figures less stable)
    python benchmarks/run_all.py --only batch,search [--repeat 3] [--batch-files N] [--search-docs N] [--json F]

Steps, each in its own Python process so that its peak memory (RSS) is its own:
  pipeline    read + repair + segment + tokenize (kcapture.pipeline.document_from_bytes) against the bare word
              tokenizer on the same sentences: chars/s per core and their ratio (benchmarks/pipeline_speed.py).
  classifier  ThemeClassifier.predict (themes + facet) on every corpus sentence, tokens given: sentences/s per core.
  analyze     one 150,000-character report: read, segment, tag, summarise in a warm process, and the cold
              `kcapture analyze REPORT --format json --output ...` command as a user runs it (imports, model load).
  end_to_end  `kcapture analyze` on 1.5 M characters of corpus notes, a new process per run, beside the bare tokenizer
              on the same text (benchmarks/analyze_speed.py): chars/s of CPU and wall, target >= 300,000.
  batch       `kcapture batch` (a new process per run) on the same generated notes with 1 and 2 worker processes,
              each into a new library, alternately, best of --repeat runs: wall-clock speed-up (target >= 1.8x), the
              speed-up counted from when the first worker is ready, and the CPU per note of a worker and of the
              single writer (they bound the speed-up on a machine with no more cores than workers).
  search      `Library.search` on a library of 10,000 visit notes (about 300,000 sentences): median and p95 latency
              over topical one- and two-word queries (target p95 <= 100 ms); queries that match nothing (the
              substring fallback) are timed separately.

All input is made from the project's corpus by benchmarks/generate_notes.py (fixed --seed), so the figures can be
reproduced anywhere. Single-process speeds are per core of CPU time (robust on a shared machine); the batch speed-up
is wall-clock by nature, so the machine's load average is printed with it.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

STEPS = ("pipeline", "classifier", "analyze", "end_to_end", "batch", "search")
FULL = {"pipeline_mb": 1.0, "repeat": 2, "classifier_repeat": 3, "analyze_chars": 150_000,
        "end_to_end_chars": 1_500_000, "end_to_end_runs": 3, "batch_files": 600, "batch_chars": 3000,
        "search_docs": 10_000, "search_queries": 200}
QUICK = {"pipeline_mb": 0.3, "repeat": 1, "classifier_repeat": 1, "analyze_chars": 150_000,
         "end_to_end_chars": 1_500_000, "end_to_end_runs": 1, "batch_files": 60, "batch_chars": 3000,
         "search_docs": 2_000, "search_queries": 60}


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    kb = resource.getrusage(who).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def _first(v):
    """pipeline_speed reports (per-CPU-second, per-wall-second) pairs; older versions a single number."""
    return v[0] if isinstance(v, tuple | list) else v


def cpu_wall(fn, repeat: int = 1):
    """(CPU seconds, wall seconds) of the fastest of `repeat` runs, and its result."""
    best, result = (float("inf"), float("inf")), None
    for _ in range(repeat):
        c, w = time.process_time(), time.perf_counter()
        result = fn()
        best = min(best, (time.process_time() - c, time.perf_counter() - w))
    return best, result


# --------------------------------------------------------------------------------------------------------------------
# Steps (each runs in a child process: `run_all.py --step NAME`)
# --------------------------------------------------------------------------------------------------------------------


def step_pipeline(p: dict, work: Path) -> dict:
    import pipeline_speed as ps

    docs = ps.load_documents()
    files = ps.build_files(docs, p["pipeline_mb"], 7)
    speed = ps.measure_speed(files, p["repeat"])
    pipe, tok = _first(speed["pipeline"]), _first(speed["tokenizer"])
    return {"chars": speed["chars"], "files": speed["files"], "pipeline_chars_s": pipe, "tokenizer_chars_s": tok,
            "ratio": pipe / tok}


def step_classifier(p: dict, work: Path) -> dict:
    from kcapture.classify import get_model
    from kcapture.corpus import read_documents
    from kcapture.thai.tokenize import default_tokenizer

    clf = get_model()
    tok = default_tokenizer()
    rows = [(d["doc_id"], s["text"]) for d in read_documents() for s in d["sentences"]]
    texts = [t for _, t in rows]
    groups = [g for g, _ in rows]
    tokens = [tok.words_batch([t])[0] for t in texts]
    clf.predict(texts[:50], tokens=tokens[:50], groups=groups[:50])  # warm
    (cpu, wall), _ = cpu_wall(lambda: clf.predict(texts, tokens=tokens, groups=groups), p["classifier_repeat"])
    return {"sentences": len(texts), "sentences_s": len(texts) / cpu, "sentences_s_wall": len(texts) / wall}


def step_analyze(p: dict, work: Path) -> dict:
    from generate_notes import generate

    from kcapture.classify import get_model, tag_document
    from kcapture.pipeline import document_from_bytes
    from kcapture.summarize import build_analysis

    [path] = generate(work / "analyze", 1, p["analyze_chars"], seed=15, prefix="report")
    data = path.read_bytes()
    clf = get_model()
    warm = document_from_bytes("บันทึกการเยี่ยมพื้นที่ ชุมชนบ้านหนองบัว\n\nผู้เข้าร่วม 20 คน".encode(), "w.txt")
    build_analysis(tag_document(warm, clf))
    t = {}
    c0, w0 = time.process_time(), time.perf_counter()
    doc = document_from_bytes(data, path.name)
    c1 = time.process_time()
    tag_document(doc, clf)
    c2 = time.process_time()
    analysis = build_analysis(doc)
    c3, w3 = time.process_time(), time.perf_counter()
    t = {"read_segment": c1 - c0, "tag": c2 - c1, "summarise": c3 - c2, "total_cpu": c3 - c0, "total_wall": w3 - w0}
    # Cold, as a user runs it: a new process, imports, model load, JSON export.
    out = work / "analyze" / "report.json"
    w = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "kcapture", "analyze", str(path), "--format", "json", "--output",
                          str(out)], capture_output=True, text=True, cwd=ROOT)
    cli = time.perf_counter() - w
    if run.returncode != 0:
        raise SystemExit(f"kcapture analyze failed: {run.stderr}")
    return {"chars": doc.chars, "sentences": len(doc.sentences), "lessons": len(analysis.lessons), **t,
            "cli_wall": cli, "cli_peak_mb": peak_mb(resource.RUSAGE_CHILDREN)}


def step_end_to_end(p: dict, work: Path) -> dict:
    import analyze_speed as e2e

    text = e2e.notes(p["end_to_end_chars"])
    e2e.compile_package()
    path, out = work / "end_to_end.txt", work / "end_to_end.json"
    path.write_text(text, encoding="utf-8")
    runs = [e2e.analyze_once(path, out) for _ in range(p["end_to_end_runs"])]
    tok = min(e2e.tokenizer_once(text) for _ in range(p["end_to_end_runs"]))
    n = len(text)
    cpu, wall = min(r[0] for r in runs), min(r[1] for r in runs)
    return {"chars": n, "runs": len(runs), "chars_s": n / cpu, "chars_s_wall": n / wall, "tokenizer_chars_s": n / tok}


def _batch_run(folder: Path, n: int, work: Path, tag: str) -> dict:
    """One `kcapture batch` as a user runs it, in a new process (so every run pays the same start-up), into a new
    library."""
    load = os.getloadavg()[0]
    report_path = work / f"batch-{tag}.json"
    w = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "kcapture", "batch", str(folder), "--library",
                          str(work / f"batch-{tag}.sqlite3"), "--workers", str(n), "--report", str(report_path),
                          "--no-progress"], capture_output=True, text=True, cwd=ROOT)
    wall = time.perf_counter() - w
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else {}
    if run.returncode != 0 or report.get("counts", {}).get("errors", 1) or not report.get("stored"):
        raise SystemExit(f"kcapture batch --workers {n} failed:\n{run.stdout}\n{run.stderr[-2000:]}")
    procs = report["worker_processes"]
    busy = (report["seconds"] - (report["startup_seconds"] or 0)) * max(1, len(procs))
    return {"seconds": wall, "run_seconds": report["seconds"], "startup": report["startup_seconds"] or 0,
            "chars": report["chars"], "stored": len(report["stored"]), "load_before": load,
            "parent_peak_mb": report.get("parent_max_rss_mb") or 0,
            "worker_peak_mb": max(w.get("max_rss_mb") or 0 for w in procs), "workers_used": len(procs),
            "worker_cpu": report["worker_cpu_seconds"], "parent_cpu": report["parent_cpu_seconds"],
            "on_cpu": report["worker_cpu_seconds"] / busy if busy > 0 else 0.0}


def step_batch(p: dict, work: Path) -> dict:
    """1 and then 2 workers on the same notes, alternately, best of `repeat` runs each (the wall clock of a shared
    machine is noisy; the best run is the one least disturbed)."""
    from generate_notes import generate

    folder = work / "batch-notes"
    files = generate(folder, p["batch_files"], p["batch_chars"], seed=17, spread=0.5)
    out: dict = {"files": len(files), "bytes": sum(f.stat().st_size for f in files)}
    for r in range(p["repeat"]):
        for n in (1, 2):
            run = _batch_run(folder, n, work, f"{n}-{r}")
            if run["stored"] != len(files):
                raise SystemExit(f"batch with {n} workers stored {run['stored']} of {len(files)} notes")
            if f"w{n}" not in out or run["seconds"] < out[f"w{n}"]["seconds"]:
                out[f"w{n}"] = run
    w1, w2 = out["w1"], out["w2"]
    # CPU per note, from the 2-worker run: analysis in a worker, receiving + storing in the single writer. On c
    # cores the writer competes with the workers only when workers >= c: the ceiling on 2 cores is 2W / (W + P).
    out["worker_ms"] = w2["worker_cpu"] / len(files) * 1000
    out["writer_ms"] = w2["parent_cpu"] / len(files) * 1000
    out["ceiling_2_cores"] = 2 * out["worker_ms"] / (out["worker_ms"] + out["writer_ms"])
    out["speedup"] = w1["seconds"] / w2["seconds"]
    out["speedup_ready"] = (w1["run_seconds"] - w1["startup"]) / (w2["run_seconds"] - w2["startup"])
    return out


def build_search_library(path: Path, n_docs: int, seed: int = 19) -> dict:
    """A library of n_docs generated visit notes, stored the way `kcapture batch` stores them but without running
    the classifier (gold corpus labels instead): what matters here is the size of the search index."""
    import random

    from generate_notes import NoteGenerator

    from kcapture.document import BlockSpan, Document, Sentence, Token
    from kcapture.library import Library, content_hash
    from kcapture.thai.tokenize import default_tokenizer

    tok = default_tokenizer()
    gen = NoteGenerator(seed=seed)
    rng = random.Random(seed)
    cache: dict[str, list[tuple[int, int]]] = {}
    sentences = 0
    with Library(path) as lib:
        for i in range(n_docs):
            parts = gen.note(int(rng.uniform(1500, 4000)))
            text, sents, pos = "", [], 0
            for j, part in enumerate(parts):
                offs = cache.get(part.text)
                if offs is None:
                    offs = cache[part.text] = [(t.start, t.end) for t in tok.tokenize(part.text)]
                sents.append(Sentence(id=j, start=pos, end=pos + len(part.text), text=part.text, block=0,
                                      tokens=[Token(pos + a, pos + b, part.text[a:b]) for a, b in offs],
                                      themes=list(part.themes), facet=part.facet))
                text += part.text + part.brk
                pos += len(part.text) + len(part.brk)
            doc = Document(name=f"visit-{i:05d}.txt", format="txt", text=text, source_text=text, source_offsets=[],
                           blocks=[BlockSpan(0, len(text), "paragraph")], sentences=sents)
            lib.add_document(doc, content_hash(f"bench-{i}:" + text), {"visit": {"title": parts[0].text[:200]}})
            sentences += len(sents)
    return {"documents": n_docs, "sentences": sentences, "db_mb": path.stat().st_size / 1e6}


DOMAIN_QUERIES = ["อาสาสมัคร", "วิสาหกิจชุมชน", "เครือข่าย", "ผู้สูงอายุ", "งบประมาณ", "ระดมทุน", "นวัตกรรม",
                  "การสื่อสาร", "ผู้นำ", "ความยั่งยืน", "สุขภาวะ", "แรงงานข้ามชาติ", "ขยะ", "ออนไลน์", "เยาวชน",
                  "ปัญหาและอุปสรรค", "บทเรียน", "ภาคีเครือข่าย", "พึ่งตนเอง", "นโยบาย"]


def search_queries(n: int, seed: int = 23) -> tuple[list[str], list[str]]:
    """Topical queries (domain terms, corpus words of every frequency, two-word phrases) and queries that match
    nothing (misspellings, which fall back to a substring scan)."""
    import random
    import re
    from collections import Counter

    from kcapture.corpus import read_documents
    from kcapture.thai.tokenize import default_tokenizer

    tok = default_tokenizer()
    thai = re.compile(r"^[\u0e01-\u0e4e]{3,}$")
    df: Counter = Counter()
    pairs: list[str] = []
    for d in read_documents():
        words = []
        for s in d["sentences"]:
            ws = [w for w in tok.words_batch([s["text"]])[0]]
            words += ws
            pairs += [f"{a} {b}" for a, b in zip(ws, ws[1:], strict=False) if thai.match(a) and thai.match(b)]
        df.update({w for w in words if thai.match(w)})
    rng = random.Random(seed)
    vocab = [w for w, _ in df.most_common()]
    third = len(vocab) // 3
    per = max(1, (n - len(DOMAIN_QUERIES)) // 4)
    topical = (DOMAIN_QUERIES + rng.sample(vocab[:third], per) + rng.sample(vocab[third:2 * third], per)
               + rng.sample(vocab[2 * third:], per) + rng.sample(pairs, per))[:n]
    nomatch = ["วิสาหกิจชุมชนนนน", "อาสาสมัครรรร", "เครือข่ายยยย", "qwertyuiop", "ผู้สูงอายุุุ"]
    return topical, nomatch


def step_search(p: dict, work: Path) -> dict:
    from kcapture.library import Library

    db = work / "search.sqlite3"
    t = time.perf_counter()
    built = build_search_library(db, p["search_docs"])
    built["build_seconds"] = time.perf_counter() - t
    topical, nomatch = search_queries(p["search_queries"])

    def timed(lib: Library, queries: list[str], rounds: int) -> tuple[list[float], dict[str, int]]:
        times, hits = [], {}
        for _ in range(rounds):
            for q in queries:
                w = time.perf_counter()
                found = lib.search(q, limit=100)
                times.append((time.perf_counter() - w) * 1000)
                hits[q] = len(found)
        return times, hits

    with Library(db) as lib:
        timed(lib, topical[:20], 1)  # warm: tokenizer, page cache
        times, hits = timed(lib, topical, 3)
        slow = sorted(((max(times[i::len(topical)]), q) for i, q in enumerate(topical)), reverse=True)[:5]
        fallback, _ = timed(lib, nomatch, 3)
    return {**built, "queries": len(topical), "median_ms": statistics.median(times),
            "p95_ms": statistics.quantiles(times, n=20)[-1], "max_ms": max(times),
            "with_hits": sum(1 for v in hits.values() if v), "slowest": [[round(ms, 1), q] for ms, q in slow],
            "nomatch_median_ms": statistics.median(fallback), "nomatch_p95_ms": max(fallback)}


# --------------------------------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------------------------------


def run_step(name: str, params: dict, work: Path) -> dict:
    """Run one step in a fresh Python process; its last stdout line is the result as JSON."""
    w = time.perf_counter()
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--step", name, "--params",
                           json.dumps(params), "--work", str(work)], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        raise SystemExit(f"step {name} failed:\n{proc.stderr[-3000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["step_seconds"] = time.perf_counter() - w
    return result


def table(r: dict, params: dict) -> list[str]:
    rows = [("step", "workload", "result", "target", "peak RSS")]
    if "pipeline" in r:
        x = r["pipeline"]
        rows.append(("pipeline vs bare tokenizer", f"{x['chars']:,} chars, {x['files']} .txt files",
                     f"{x['pipeline_chars_s']:,.0f} chars/s vs {x['tokenizer_chars_s']:,.0f} chars/s: "
                     f"ratio {x['ratio']:.3f} (tokenizer {1 / x['ratio']:.1f}x faster)", "", f"{x['peak_mb']:.0f} MB"))
    if "classifier" in r:
        x = r["classifier"]
        rows.append(("classifier (themes + facet)", f"{x['sentences']:,} corpus sentences, tokens given",
                     f"{x['sentences_s']:,.0f} sentences/s", "", f"{x['peak_mb']:.0f} MB"))
    if "analyze" in r:
        x = r["analyze"]
        rows.append((f"analyze a {x['chars'] // 1000}k-char report",
                     f"{x['chars']:,} chars, {x['sentences']:,} sentences",
                     f"{x['total_cpu']:.1f} s warm (read+segment {x['read_segment']:.1f} s, tag {x['tag']:.1f} s, "
                     f"summarise {x['summarise']:.1f} s)", "", f"{x['peak_mb']:.0f} MB"))
        rows.append(("`kcapture analyze` command, cold", "same report, JSON export",
                     f"{x['cli_wall']:.1f} s wall (incl. imports, model load)", "", f"{x['cli_peak_mb']:.0f} MB"))
    if "end_to_end" in r:
        x = r["end_to_end"]
        ok = "meets" if x["chars_s"] >= 300_000 else "MISSES"
        rows.append(("`kcapture analyze` end to end", f"{x['chars']:,} chars of corpus notes, best of {x['runs']}",
                     f"{x['chars_s']:,.0f} chars/s CPU ({x['chars_s_wall']:,.0f} wall) vs bare tokenizer "
                     f"{x['tokenizer_chars_s']:,.0f}: {x['tokenizer_chars_s'] / x['chars_s']:.1f}x its time",
                     f">= 300,000 chars/s: {ok}", ""))
    if "batch" in r:
        x = r["batch"]
        w1, w2 = x["w1"], x["w2"]
        ok = "meets" if x["speedup"] >= 1.8 else "MISSES"
        rows.append(("`kcapture batch`, 1 worker",
                     f"{x['files']} notes, {w1['chars']:,} chars; best of {params['repeat']} runs",
                     f"{w1['seconds']:.1f} s wall (worker ready after {w1['startup']:.1f} s; workers on CPU "
                     f"{w1['on_cpu']:.0%} of the time)", "",
                     f"parent {w1['parent_peak_mb']:.0f} MB, worker {w1['worker_peak_mb']:.0f} MB"))
        rows.append(("`kcapture batch`, 2 workers", "same notes",
                     f"{w2['seconds']:.1f} s wall (ready after {w2['startup']:.1f} s): speed-up {x['speedup']:.2f}x "
                     f"wall, {x['speedup_ready']:.2f}x from the first worker ready (workers on CPU "
                     f"{w2['on_cpu']:.0%} of the time; load average {w2['load_before']:.1f})",
                     f">= 1.8x: {ok}", f"worker {w2['worker_peak_mb']:.0f} MB each"))
        rows.append(("batch CPU per note", "2-worker run",
                     f"analysis {x['worker_ms']:.0f} ms (worker), receiving + storing {x['writer_ms']:.1f} ms "
                     f"(the one writer): at most {x['ceiling_2_cores']:.2f}x on 2 cores, ~2x with a spare core",
                     "", ""))
    if "search" in r:
        x = r["search"]
        ok = "meets" if x["p95_ms"] <= 100 else "MISSES"
        rows.append(("library full-text search", f"{x['documents']:,} notes, {x['sentences']:,} sentences "
                     f"({x['db_mb']:.0f} MB), {x['queries']} queries x 3",
                     f"median {x['median_ms']:.1f} ms, p95 {x['p95_ms']:.1f} ms, max {x['max_ms']:.0f} ms",
                     f"p95 <= 100 ms: {ok}", f"{x['peak_mb']:.0f} MB"))
        rows.append(("search, no match (substring fallback)", "5 misspelt queries x 3",
                     f"median {x['nomatch_median_ms']:.0f} ms, max {x['nomatch_p95_ms']:.0f} ms", "", ""))
    widths = [max(len(str(row[i])) for row in rows) for i in range(5)]
    out = ["| " + " | ".join(str(c).ljust(widths[i]) for i, c in enumerate(row)) + " |" for row in rows]
    out.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="smaller workloads (~1 minute)")
    parser.add_argument("--only", help=f"comma-separated steps of {', '.join(STEPS)}")
    parser.add_argument("--repeat", type=int, help="timed runs, the best kept (default 2; 1 with --quick)")
    parser.add_argument("--batch-files", type=int, help="notes for the batch step (default 600; 60 with --quick)")
    parser.add_argument("--search-docs", type=int, help="notes in the search library (default 10000; 2000 --quick)")
    parser.add_argument("--json", help="also write all figures to this file")
    parser.add_argument("--keep", help="work folder to keep (default: a temporary one, removed)")
    parser.add_argument("--step", help=argparse.SUPPRESS)
    parser.add_argument("--params", help=argparse.SUPPRESS)
    parser.add_argument("--work", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.step:  # child process
        work = Path(args.work)
        work.mkdir(parents=True, exist_ok=True)
        result = globals()[f"step_{args.step}"](json.loads(args.params), work)
        result["peak_mb"] = peak_mb()
        print(json.dumps(result, ensure_ascii=False))
        return 0

    steps = [s.strip() for s in args.only.split(",")] if args.only else list(STEPS)
    unknown = set(steps) - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    params = dict(QUICK if args.quick else FULL)
    for key in ("repeat", "batch_files", "search_docs"):
        if getattr(args, key) is not None:
            if getattr(args, key) < 1:
                parser.error(f"--{key.replace('_', '-')} must be at least 1")
            params[key] = getattr(args, key)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="kcapture-bench-"))
    import kcapture

    cmd = "python " + " ".join(["benchmarks/run_all.py", *(argv if argv is not None else sys.argv[1:])])
    print(f"kcapture {kcapture.__version__} benchmarks: `{cmd}`")
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start", flush=True)
    results: dict = {}
    start = time.perf_counter()
    try:
        for name in steps:
            results[name] = run_step(name, params, work)
            print(f"  {name}: {results[name]['step_seconds']:.0f} s", file=sys.stderr, flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    for line in table(results, params):
        print(line)
    print()
    if "search" in results and results["search"]["p95_ms"] > 100:
        print("slowest search queries (ms, query): "
              + "; ".join(f"{ms} {q}" for ms, q in results["search"]["slowest"]))
    print(f"total {time.perf_counter() - start:.0f} s; load average {os.getloadavg()[0]:.1f} at the end. "
          "Speeds per core are CPU time; the batch figures are wall-clock.")
    if args.json:
        Path(args.json).write_text(json.dumps({"params": params, "results": results}, ensure_ascii=False, indent=1),
                                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
