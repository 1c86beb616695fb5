"""Start `streamlit run app.py` on a free localhost port and drive it with Debian's headless Chromium (Playwright's
sync API); corpus documents as text. Used by the browser test and the app benchmarks."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync"]


def raw_documents() -> list[tuple[str, str]]:
    """(title, text) of every corpus document: its sentences joined with their breaks."""
    docs = []
    for f in sorted((ROOT / "corpora" / "raw").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                docs.append((d.get("title") or d.get("doc_id", ""),
                             "".join(s["text"] + s.get("break", "") for s in d["sentences"])))
    return docs


def report_of(chars: int, variant: int = 0) -> str:
    """One long report of about `chars` characters: corpus documents one after another (a distinct first line per
    variant, so repeated runs are not detected as duplicates)."""
    docs = raw_documents()
    parts = [f"รายงานรวมบันทึกการลงพื้นที่ ชุดที่ {variant + 1}\n\n"]
    total, i = len(parts[0]), variant
    while total < chars:
        text = docs[i % len(docs)][1].strip() + "\n\n"
        parts.append(text)
        total += len(text)
        i += 1
    return "".join(parts)[:chars]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(library: Path, port: int, extra_env: dict | None = None) -> subprocess.Popen:
    """`streamlit run app.py` from the project folder (so .streamlit/config.toml applies); waits until healthy.

    Also used by tests/test_e2e_browser.py."""
    env = {**os.environ, "KCAPTURE_LIBRARY": str(library), "PYTHAINLP_OFFLINE": "1", **(extra_env or {})}
    log = open(library.parent / "streamlit.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError((library.parent / "streamlit.log").read_text(errors="replace"))
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("streamlit did not start")


def stop_app(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
