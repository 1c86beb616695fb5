"""Durability of the SQLite library (issue 6): SIGKILL in the middle of writes loses nothing that was reported saved,
never leaves a half-written document, and the interrupted work resumes; an old library migrates even when the
migration itself is killed.

tests/test_library.py has the basic SIGKILL-during-import test; these go further: several kills in a row, each at a
different point, with corrections saved between imports and every reported write checked afterwards; a kill while
corrections are written back to back (so it lands inside transactions); and a kill inside the schema migration.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from kc_support import CORPORA, V1_SCHEMA, small_model

from kcapture.library import SCHEMA_VERSION, Library

ROOT = Path(__file__).resolve().parent.parent

# The child: imports files one by one, correcting the first sentences of each new document; it prints a JSON line
# after each write has returned (committed), so the parent knows exactly what must survive a kill.
WORKER = r"""
import json, sys
from kcapture.library import Library

def say(**kw):
    print(json.dumps(kw, ensure_ascii=False), flush=True)

mode, path, files = sys.argv[1], sys.argv[2], sys.argv[3:]
with Library(path) as lib:
    say(event="open")
    if mode == "import":
        for f in files:
            r = lib.import_path(f)
            if r.error is not None:
                say(event="error", file=f, error=str(r.error))
            elif r.duplicate_of is not None:
                say(event="duplicate", file=f, doc_id=r.duplicate_of)
            else:
                say(event="imported", file=f, doc_id=r.doc_id, sentences=r.sentences)
                for idx in range(min(3, r.sentences)):
                    themes = ["volunteerism"] if idx % 2 else ["networks_alliances", "innovation"]
                    lib.correct(r.doc_id, idx, themes, "insight", who="worker")
                    say(event="corrected", doc_id=r.doc_id, idx=idx, themes=sorted(themes))
    elif mode == "corrections":
        doc_id = int(files[0])
        n = len(lib.sentences(doc_id))
        for k in range(100000):
            themes = [["volunteerism"], ["innovation"], ["networks_alliances"]][k % 3]
            lib.correct(doc_id, k % n, themes, "activity", who=f"storm-{k}")
            say(event="corrected", doc_id=doc_id, idx=k % n, themes=themes, k=k)
"""


def _texts(n: int) -> list[str]:
    texts = []
    for f in sorted((CORPORA / "raw").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            if line.strip():
                d = json.loads(line)
                texts.append("".join(s["text"] + s.get("break", "") for s in d["sentences"])[:3000])
            if len(texts) == n:
                return texts
    return texts


@pytest.fixture
def env():
    return {**os.environ, "KCAPTURE_MODEL": str(small_model()), "PYTHAINLP_OFFLINE": "1"}


def _start(env, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)


def _run_and_kill(proc: subprocess.Popen, after_events: int | None, timeout: float = 60) -> list[dict]:
    """Read the child's events; SIGKILL it right after the `after_events`-th write (None: let it finish)."""
    events, deadline = [], time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        event = json.loads(line)
        events.append(event)
        if after_events is not None and sum(e["event"] in ("imported", "corrected") for e in events) >= after_events:
            proc.send_signal(signal.SIGKILL)
            break
    else:
        proc.kill()
        pytest.fail(f"the worker did not get that far in {timeout} s: {events}")
    proc.wait(30)
    if after_events is None:
        assert proc.returncode == 0, proc.stderr.read()
    else:
        assert proc.returncode == -signal.SIGKILL
    return events


def _check_library(path: Path) -> Library:
    """The library opens, and SQLite, its full-text index and its foreign keys are all consistent."""
    lib = Library(path)
    assert lib.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert lib.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    lib.conn.execute("INSERT INTO sentences_fts (sentences_fts) VALUES ('integrity-check')")
    orphans = lib.conn.execute("SELECT count(*) FROM sentences WHERE doc_id NOT IN (SELECT id FROM documents)")
    assert orphans.fetchone()[0] == 0
    for d in lib.documents():  # no half-written document: every one has all its sentences
        assert d.sentences > 0
        lib.load_document(d.id).check_offsets()
    return lib


def test_repeated_sigkill_during_import_and_corrections_loses_nothing_reported(tmp_path, env):
    files = []
    for i, text in enumerate(_texts(12)):
        f = tmp_path / f"visit-{i:02d}.txt"
        f.write_text(text, encoding="utf-8")
        files.append(f)
    path = tmp_path / "lib.sqlite3"
    with Library(path) as lib:  # a correction made before any of it, by hand
        first = lib.import_path(files[0])
        lib.correct(first.doc_id, 0, ["strategy"], "insight", who="keeper")
    saved: list[dict] = []
    for after in (3, 5, 2, None):  # kill after the 3rd, 5th and 2nd write of each run, then run to the end
        events = _run_and_kill(_start(env, "import", path, *files), after)
        assert not [e for e in events if e["event"] == "error"], events
        saved += [e for e in events if e["event"] in ("imported", "corrected")]
        with _check_library(path) as lib:
            docs = {d.id: d for d in lib.documents()}
            for e in saved:
                if e["event"] == "imported":
                    assert docs[e["doc_id"]].sentences == e["sentences"], e
            latest = {}
            for e in saved:
                if e["event"] == "corrected":
                    latest[(e["doc_id"], e["idx"])] = e["themes"]
            for (doc_id, idx), themes in latest.items():
                s = lib.sentences(doc_id)[idx]
                assert s["corrected"] and s["themes"] == themes and s["facet"] == "insight", (doc_id, idx, s)
            keeper = lib.sentences(first.doc_id)[0]
            assert keeper["corrected"] and keeper["themes"] == ["strategy"]
            # The child may have written a little more than the parent read before the kill: never less.
            history = lib.corrections(latest_only=False)
            assert len(history) >= 1 + sum(e["event"] == "corrected" for e in saved)
            assert {c["who"] for c in history} == {"keeper", "worker"}
    # The last run finished the batch: files stored by an earlier run were skipped, not imported twice.
    assert sum(e["event"] == "duplicate" for e in events) >= 1
    with Library(path) as lib:
        assert lib.count_documents() == len(files)
        assert sorted(d.name for d in lib.documents()) == sorted(f.name for f in files)


def test_sigkill_while_corrections_are_written_back_to_back(tmp_path, env):
    path = tmp_path / "lib.sqlite3"
    note = tmp_path / "note.txt"
    note.write_text(_texts(1)[0], encoding="utf-8")
    with Library(path) as lib:
        doc_id = lib.import_path(note).doc_id
    # Nearly all of the child's time is spent inside write transactions, so the kill lands in one.
    events = _run_and_kill(_start(env, "corrections", path, doc_id), after_events=300)
    reported = [e for e in events if e["event"] == "corrected"]
    with _check_library(path) as lib:
        history = lib.corrections(latest_only=False)
        # Every reported write is there, and the writes are all-or-nothing and in order: the stored corrections are
        # exactly the first m of the sequence (the child ran on a little after its last line was read).
        stored = sorted(int(c["who"].split("-")[1]) for c in history)
        assert stored == list(range(len(stored))) and len(stored) >= len(reported)
        last = {}
        for c in history:
            last[c["sentence_idx"]] = c["themes"]
        for s in lib.sentences(doc_id):
            if s["idx"] in last:
                assert s["corrected"] and s["themes"] == last[s["idx"]]


# --- an old library ------------------------------------------------------------------------------------------------

# Version 1 of the schema, as the first release wrote it (the layout kcapture.library migrates from).
V1_DDL = V1_SCHEMA
SENT = "กลุ่มแม่บ้านรวมตัวกันทำวิสาหกิจชุมชนแปรรูปกล้วยตากขายให้นักท่องเที่ยว"


def _v1_library(path: Path, docs: int, per_doc: int) -> None:
    con = sqlite3.connect(path)
    con.executescript(V1_DDL)
    for d in range(1, docs + 1):
        lines = [f"{SENT} ครั้งที่ {d} ข้อ {i}" for i in range(per_doc)]
        text = "\n".join(lines)
        con.execute("INSERT INTO documents VALUES (?, ?, ?, 'txt', ?, '{}', '2020-01-01T00:00:00')",
                    (d, f"sha-{d}", f"old-{d}.txt", text))
        rows, pos = [], 0
        for i, line in enumerate(lines):
            rows.append((d, i, pos, pos + len(line), line, '["social_enterprise"]', "activity"))
            pos += len(line) + 1
        con.executemany('INSERT INTO sentences (doc_id, idx, start, "end", text, themes, facet) VALUES (?,?,?,?,?,?,?)',
                        rows)
        con.execute("INSERT INTO corrections (doc_sha256, sentence_idx, sentence_text, themes, facet, who, created) "
                    "VALUES (?, 1, ?, '[\"volunteerism\"]', 'insight', 'somchai', '2020-01-02T00:00:00')",
                    (f"sha-{d}", lines[1]))
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()


def _check_migrated(path: Path, docs: int, per_doc: int) -> None:
    with _check_library(path) as lib:
        assert lib.schema_version() == SCHEMA_VERSION
        assert lib.count_documents() == docs
        for d in (1, docs):
            sents = lib.sentences(d)
            assert len(sents) == per_doc
            assert sents[0]["themes"] == ["social_enterprise"] and not sents[0]["corrected"]
            assert sents[1]["themes"] == ["volunteerism"] and sents[1]["corrected"] and sents[1]["facet"] == "insight"
        assert len(lib.corrections()) == docs
        hits = lib.search("แปรรูป", limit=5)
        assert hits and hits[0].how == "words"


MIGRATE = r"""
import sys
from kcapture.library import Library
print("opening", flush=True)
with Library(sys.argv[1]) as lib:
    print("migrated", lib.schema_version(), flush=True)
"""


def test_old_library_migrates_even_when_the_migration_is_killed(tmp_path, env):
    docs, per_doc = 12, 800
    template = tmp_path / "v1.sqlite3"
    _v1_library(template, docs, per_doc)
    path = tmp_path / "lib.sqlite3"
    shutil.copy(template, path)
    proc = subprocess.Popen([sys.executable, "-c", MIGRATE, str(path)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    assert proc.stdout.readline().strip() == "opening"
    # Wait until the migration's transaction is writing pages to the WAL, then kill it mid-way.
    wal, deadline, killed_mid_way = Path(str(path) + "-wal"), time.time() + 60, False
    while time.time() < deadline and proc.poll() is None:
        if wal.exists() and wal.stat().st_size > 512 * 1024:
            proc.send_signal(signal.SIGKILL)
            killed_mid_way = True
            break
        time.sleep(0.002)
    proc.wait(30)
    con = sqlite3.connect(path)
    version = con.execute("PRAGMA user_version").fetchone()[0]
    columns = {r[1] for r in con.execute("PRAGMA table_info(sentences)")}
    con.close()
    if killed_mid_way and version == 1:  # the half-done migration was rolled back as a whole
        assert "tokens" not in columns
    else:
        assert version == SCHEMA_VERSION and "tokens" in columns
    print(f"migration killed mid-way: {killed_mid_way}, version after the kill: {version}")
    _check_migrated(path, docs, per_doc)  # opening it again migrates (or finds it migrated)
    # And an untouched copy of the old library migrates in one go.
    other = tmp_path / "other.sqlite3"
    shutil.copy(template, other)
    _check_migrated(other, docs, per_doc)


def test_old_library_left_with_an_uncheckpointed_wal_migrates(tmp_path, env):
    # The old version's process was killed after committing: its last writes are only in the -wal file.
    path = tmp_path / "old.sqlite3"
    writer = r"""
import sqlite3, sys, time
con = sqlite3.connect(sys.argv[1])
con.execute("PRAGMA journal_mode = WAL")
con.execute("PRAGMA wal_autocheckpoint = 0")
con.executescript(sys.argv[2])
con.execute("INSERT INTO documents VALUES (1, 'sha-1', 'wal.txt', 'txt', ?, '{}', '2020')", (sys.argv[3],))
con.execute('INSERT INTO sentences (doc_id, idx, start, "end", text) VALUES (1, 0, 0, ?, ?)',
            (len(sys.argv[3]), sys.argv[3]))
con.execute("PRAGMA user_version = 1")
con.commit()
print("committed", flush=True)
time.sleep(60)
"""
    proc = subprocess.Popen([sys.executable, "-c", writer, str(path), V1_DDL, SENT], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "committed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    assert Path(str(path) + "-wal").stat().st_size > 0
    with _check_library(path) as lib:
        assert lib.schema_version() == SCHEMA_VERSION
        assert [s["text"] for s in lib.sentences(1)] == [SENT]
        assert lib.search("กล้วย")[0].doc_id == 1
