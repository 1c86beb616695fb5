"""Upload -> themes visible, measured in the browser, for a report of --chars characters (default 150,000).

Starts `streamlit run app.py` on a free localhost port with a new temporary library, opens it in Debian's headless
Chromium (Playwright), waits for the first page (the built-in sample is analysed at first start, which also loads the
model), then --runs times: put a distinct generated report (corpus documents from corpora/raw/*.jsonl, sentences
joined with their breaks) into the upload field and time until the "ประเด็นหลัก · Main themes" section of the
upload is visible. The time includes the upload itself, reading, repair, segmentation, tagging, the lesson summary,
storing in SQLite, and rendering. Target: <= 3 s.

    python benchmarks/app_latency.py [--chars 150000] [--runs 3]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the app harness the browser test uses
from app_harness import free_port, launch, report_of, start_app, stop_app  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chars", type=int, default=150_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    from playwright.sync_api import expect, sync_playwright

    with tempfile.TemporaryDirectory(prefix="kcapture-latency-") as tmp:
        tmp = Path(tmp)
        files = []
        for i in range(args.runs):
            f = tmp / f"report-{i + 1}.txt"
            f.write_text(report_of(args.chars, variant=i), encoding="utf-8")
            files.append(f)
        port = free_port()
        times = []
        proc = None
        try:
            with sync_playwright() as p:
                # The user's browser is already open: it is launched before the clock starts.
                browser = launch(p)
                page = browser.new_page(viewport={"width": 1400, "height": 1000})
                page.set_default_timeout(120_000)
                expect.set_options(timeout=120_000)
                t0 = time.perf_counter()
                proc = start_app(tmp / "bench.sqlite3", port)
                healthy = time.perf_counter() - t0
                page.goto(f"http://127.0.0.1:{port}/?page=overview")
                expect(page.get_by_text("สัดส่วนประเด็น · Theme shares")).to_be_visible()
                first = time.perf_counter() - t0
                print(f"first start, a new library: `streamlit run` to the Overview of the built-in sample visible "
                      f"{first:.1f} s (server answering after {healthy:.1f} s; target <= 3 s: "
                      f"{'PASS' if first <= 3 else 'FAIL'})")
                for f in files:
                    page.goto(f"http://127.0.0.1:{port}/?page=upload")
                    field = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
                    expect(field).to_be_attached()
                    start = time.perf_counter()
                    field.set_input_files(str(f))
                    expect(page.get_by_text("ประเด็นหลัก · Main themes")).to_be_visible()
                    expect(page.locator('[data-testid="stVegaLiteChart"]').first).to_be_visible()
                    elapsed = time.perf_counter() - start
                    times.append(elapsed)
                    note = page.locator('[data-testid="stAlertContentSuccess"]').first.inner_text()
                    server = re.search(r"in ([0-9.]+) s", note)
                    print(f"{f.name}: {len(f.read_text(encoding='utf-8')):,} chars, upload -> themes visible "
                          f"{elapsed:.2f} s (of which read + segment + tag + store on the server: "
                          f"{server.group(1) if server else '?'} s)")
                    # Let the summary that follows the themes finish before the next upload (a reader looks first).
                    expect(page.get_by_text("summarising", exact=False)).to_have_count(0)
                browser.close()
        except Exception:
            print((tmp / "streamlit.log").read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        finally:
            if proc is not None:
                stop_app(proc)
    med = statistics.median(times)
    print(f"load average at the end (1/5/15 min, {os.cpu_count()} cores): {os.getloadavg()}")
    print(f"median {med:.2f} s over {len(times)} runs (target <= 3 s): {'PASS' if med <= 3 else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
