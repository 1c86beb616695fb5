"""Memory (RSS) of the app process with a 1,000-document library.

Builds a library of --docs documents generated from the corpus (corpora/raw/*.jsonl: each document's sentences joined
with their breaks; document i is corpus document i mod N under a distinct first line, so none is a duplicate),
imported through kcapture.library (read, segment, tag, summarise, store) in this process. Then starts
`streamlit run app.py` on that library, opens it in headless Chromium and visits every page (overview with the
library-wide theme x visit heatmap, themes, document, search, export, codebook), sampling the RSS of the Streamlit
process (and any children) every 0.2 s. Prints the peak. Target: <= 500 MB.

    python benchmarks/app_memory.py [--docs 1000] [--library PATH (reuse a built library)]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the app harness the browser test uses
from app_harness import free_port, launch, raw_documents, start_app, stop_app  # noqa: E402

PAGES = ["overview", "themes", "document", "search", "export", "codebook", "upload", "overview"]


def build_library(path: Path, n: int) -> None:
    from kcapture.library import Library

    docs = raw_documents()
    t0 = time.perf_counter()
    with Library(path) as lib:
        lib.set_meta("sample_seeded", "benchmark")
        have = lib.count_documents()
        for i in range(have, n):
            title, text = docs[i % len(docs)]
            body = f"บันทึกการลงพื้นที่ครั้งที่ {i + 1}\n\n{text}"
            r = lib.import_bytes(body.encode("utf-8"), f"visit-{i + 1:04d}.txt")
            if r.error:
                raise SystemExit(f"visit {i + 1}: {r.error}")
            if (i + 1) % 100 == 0:
                print(f"  {i + 1} documents, {time.perf_counter() - t0:.0f} s", flush=True)
        chars = lib.conn.execute("SELECT sum(length(text)) FROM documents").fetchone()[0]
        sents = lib.conn.execute("SELECT count(*) FROM sentences").fetchone()[0]
    print(f"library: {n} documents, {chars:,} characters, {sents:,} sentences, "
          f"{path.stat().st_size / 1e6:.0f} MB on disk, built in {time.perf_counter() - t0:.0f} s")


def rss_mb(pid: int) -> float:
    import psutil

    p = psutil.Process(pid)
    total = p.memory_info().rss
    for c in p.children(recursive=True):
        try:
            total += c.memory_info().rss
        except psutil.Error:
            pass
    return total / 2**20


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--docs", type=int, default=1000)
    ap.add_argument("--library")
    args = ap.parse_args()
    from playwright.sync_api import expect, sync_playwright

    tmp = tempfile.TemporaryDirectory(prefix="kcapture-memory-")
    path = Path(args.library) if args.library else Path(tmp.name) / "bench.sqlite3"
    build_library(path, args.docs)
    port = free_port()
    proc = start_app(path, port)
    peak = {"rss": 0.0}
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            try:
                peak["rss"] = max(peak["rss"], rss_mb(proc.pid))
            except Exception:  # noqa: BLE001
                pass
            time.sleep(0.2)

    threading.Thread(target=sample, daemon=True).start()
    try:
        print(f"app started: {rss_mb(proc.pid):.0f} MB")
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.set_default_timeout(180_000)
            expect.set_options(timeout=180_000)
            for name in PAGES:
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/?page={name}&doc={args.docs}")
                expect(page.locator('[data-testid="stSidebar"]')).to_be_visible()
                expect(page.locator('[data-testid="stStatusWidget"]')).to_have_count(0)  # the run has finished
                if name == "search":
                    box = page.get_by_label("ค้นหาคำหรือวลี", exact=False)
                    box.fill("อาสาสมัคร")
                    box.press("Enter")
                    expect(page.get_by_text("sentences found", exact=False)).to_be_visible()
                time.sleep(1.0)
                print(f"  {name:<9} {time.perf_counter() - t0:5.1f} s   RSS now {rss_mb(proc.pid):.0f} MB")
            browser.close()
        time.sleep(1)
        final = rss_mb(proc.pid)
    finally:
        stop.set()
        stop_app(proc)
        tmp.cleanup()
    print(f"RSS of the app process: peak {peak['rss']:.0f} MB, at the end {final:.0f} MB "
          f"(target <= 500 MB): {'PASS' if peak['rss'] <= 500 else 'FAIL'}")
    print(f"load average at the end (1/5/15 min, {os.cpu_count()} cores): {os.getloadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
