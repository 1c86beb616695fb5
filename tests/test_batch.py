"""`kcapture batch`: an archive folder analysed by worker processes (or a Dask cluster) into the library.

Driven like a user: notes written by benchmarks/generate_notes.py, the command run as a subprocess, its summary,
progress bar, exit status and JSON report read back, the library opened afterwards.
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

from kcapture.batch import analyze_bytes, run_batch
from kcapture.library import Library

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "benchmarks" / "generate_notes.py"


def generate(out: Path, files: int, chars: int = 1200, seed: int = 11, fmt: str = "txt", prefix: str = "note"):
    subprocess.run([sys.executable, str(GENERATOR), str(out), "--files", str(files), "--chars", str(chars),
                    "--seed", str(seed), "--format", fmt, "--prefix", prefix], check=True, capture_output=True)
    return sorted(out.glob(f"{prefix}-*.{fmt}"))


def kcapture(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kcapture", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def read_report(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def stored_count(db: Path) -> int:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    except sqlite3.OperationalError:  # not created yet
        return 0
    try:
        return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.OperationalError:  # no tables yet
        return 0
    finally:
        con.close()


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


@pytest.fixture(scope="module")
def notes(tmp_path_factory) -> Path:
    """A small archive: 4 notes (.txt and .docx, one in a sub-folder), one damaged .docx, one copy of a note, one
    file of an unsupported type and an Office lock file (sorted: 2019/, note-*, recording.m4a, shared-drive/)."""
    src = tmp_path_factory.mktemp("archive")
    generate(src, 3, seed=11)
    (src / "2019").mkdir()
    generate(src / "2019", 1, seed=12, fmt="docx", prefix="visit")
    (src / "2019" / "broken.docx").write_bytes(b"PK\x03\x04 this is not a real Word file" * 10)
    (src / "shared-drive").mkdir()
    shutil.copy(src / "note-0001.txt", src / "shared-drive" / "note-0001.txt")  # the same file in two places
    (src / "recording.m4a").write_bytes(b"\x00\x00\x00 ftypM4A  an audio file")
    (src / "2019" / "~$visit-0001.docx").write_bytes(b"lock")
    return src


def test_batch_stores_reports_errors_and_resumes(notes: Path, tmp_path: Path):
    archive = tmp_path / "archive"
    shutil.copytree(notes, archive)
    db = tmp_path / "team.sqlite3"

    run = kcapture("batch", str(archive), "--library", str(db), "--workers", "2")
    assert run.returncode == 1, run.stderr  # finished, but one file failed
    report_path = tmp_path / "team-batch-report.json"
    assert report_path.exists()
    report = read_report(report_path)

    # The summary and the progress bar
    assert "stored 4" in run.stdout and "errors 1" in run.stdout and str(report_path) in run.stdout
    assert "2019/broken.docx" in run.stdout
    assert "kcapture batch" in run.stderr and "6/6" in run.stderr and "100%" in run.stderr

    # The report
    assert report["counts"] == {"found": 6, "stored": 4, "skipped": 0, "duplicates": 1, "errors": 1, "ignored": 1}
    assert {s["file"] for s in report["stored"]} == {"note-0001.txt", "note-0002.txt", "note-0003.txt",
                                                     "2019/visit-0001.docx"}
    assert report["duplicates"] == [{"file": "shared-drive/note-0001.txt", "same_as": "note-0001.txt"}]
    [err] = report["errors"]
    assert err["file"] == "2019/broken.docx" and err["error"] == "UnreadableFileError"
    assert err["message_th"] and err["message_en"] and "damaged" in err["message_en"]
    assert report["ignored"] == ["recording.m4a"]  # the lock file ~$... is not even listed

    # Worker processes, not threads of the command: at most 2, each loaded the model once
    procs = report["worker_processes"]
    assert 1 <= len(procs) <= 2 and report["workers"] == 2
    assert all(p["pid"] != report["parent_pid"] for p in procs)
    assert all(p["model_loads"] == 1 for p in procs)
    assert sum(p["files"] for p in procs) == 5  # 4 stored + the damaged one

    # The library holds the documents, tagged, searchable, with where they came from
    with Library(db) as lib:
        docs = lib.documents()
        assert len(docs) == 4 and all(d.sentences > 5 for d in docs)
        sources = {lib.document_row(d.id)["metadata"]["source_path"] for d in docs}
        assert "2019/visit-0001.docx" in sources
        first = lib.sentences(docs[0].id)
        assert any(s["themes"] for s in first) and all(s["facet"] for s in first)
        word = first[1]["tokens"].split()[0]
        assert lib.search(word)

    # Resume: two new notes and a fixed file; everything stored before is skipped, without re-analysis
    generate(archive / "2020", 2, seed=13, prefix="late")
    (archive / "2019" / "broken.docx").unlink()
    custom = tmp_path / "second.json"
    run = kcapture("batch", str(archive), "--library", str(db), "--workers", "1", "--report", str(custom),
                   "--no-progress")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "kcapture batch:" not in run.stderr  # --no-progress
    second = read_report(custom)
    assert second["counts"]["stored"] == 2 and second["counts"]["errors"] == 0
    assert second["counts"]["skipped"] == 5  # 4 stored + the copy (its bytes are in the library now)
    assert {s["file"] for s in second["stored"]} == {"2020/late-0001.txt", "2020/late-0002.txt"}
    assert stored_count(db) == 6

    # Nothing new: no worker is started at all
    run = kcapture("batch", str(archive), "--library", str(db), "--report", str(custom), "--no-progress")
    assert run.returncode == 0
    third = read_report(custom)
    assert third["counts"]["stored"] == 0 and third["worker_processes"] == []


def test_batch_stores_what_library_import_stores(notes: Path, tmp_path: Path):
    """Analysed in a worker and sent back as plain data, a note is stored exactly as `kcapture library import`
    stores it in one process: same text, sentences, tokens, tags, scores and summary."""
    archive = tmp_path / "one"
    archive.mkdir()
    shutil.copy(notes / "2019" / "visit-0001.docx", archive / "visit.docx")
    assert kcapture("library", "--library", str(tmp_path / "a.sqlite3"), "import", str(archive / "visit.docx"),
                    ).returncode == 0
    assert kcapture("batch", str(archive), "--library", str(tmp_path / "b.sqlite3"), "--workers", "1",
                    "--no-progress").returncode == 0
    with Library(tmp_path / "a.sqlite3") as a, Library(tmp_path / "b.sqlite3") as b:
        [da], [db] = a.documents(), b.documents()
        ra, rb = a.document_row(da.id), b.document_row(db.id)
        assert rb["metadata"].pop("source_path") == "visit.docx"
        for key in ("sha256", "text_sha256", "name", "format", "text", "metadata"):
            assert ra[key] == rb[key], key
        strip = [{k: v for k, v in s.items() if k != "id"} for s in a.sentences(da.id)]
        assert strip == [{k: v for k, v in s.items() if k != "id"} for s in b.sentences(db.id)]


def test_batch_bad_input_is_one_line(tmp_path: Path):
    run = kcapture("batch", str(tmp_path / "missing"), "--library", str(tmp_path / "db.sqlite3"))
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "not a folder" in run.stderr
    run = kcapture("batch", str(tmp_path), "--library", str(tmp_path / "db.sqlite3"), "--workers", "0")
    assert run.returncode == 2 and "--workers" in run.stderr
    run = kcapture("batch", str(tmp_path), "--library", str(tmp_path / "db.sqlite3"), "--engine", "local",
                   "--scheduler", "tcp://127.0.0.1:1")
    assert run.returncode == 2 and "--engine dask" in run.stderr


@pytest.mark.slow
def test_batch_interrupted_then_resumed(tmp_path: Path):
    """Ctrl-C mid-run keeps what was stored and stops the workers; the same command then finishes the job."""
    archive = tmp_path / "archive"
    files = generate(archive, 80, chars=3000, seed=21)
    db = tmp_path / "lib.sqlite3"
    proc = subprocess.Popen([sys.executable, "-m", "kcapture", "batch", str(archive), "--library", str(db),
                             "--workers", "1", "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=ROOT)
    deadline = time.monotonic() + 240
    while stored_count(db) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None, "the run finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, out + err
    assert "interrupted" in out
    report = read_report(tmp_path / "lib-batch-report.json")
    assert report["interrupted"] is True
    done = len(report["stored"])
    assert 2 <= done < len(files) and stored_count(db) == done
    assert all(gone(p["pid"]) for p in report["worker_processes"])

    run = kcapture("batch", str(archive), "--library", str(db), "--no-progress")
    assert run.returncode == 0, run.stdout + run.stderr
    report = read_report(tmp_path / "lib-batch-report.json")
    assert report["counts"]["skipped"] == done and report["counts"]["stored"] == len(files) - done
    assert stored_count(db) == len(files)


def crash_on_marker(data: bytes, name: str, model_ref, limits) -> dict:
    """Like analyze_bytes, but the worker process dies on files named crash*: a segfault or the OOM killer."""
    if name.startswith("crash"):
        os._exit(3)
    return analyze_bytes(data, name, model_ref, limits)


@pytest.mark.slow
def test_a_dying_worker_costs_one_file_not_the_run(notes: Path, tmp_path: Path):
    archive = tmp_path / "archive"
    archive.mkdir()
    for p in sorted(notes.glob("note-*.txt")):
        shutil.copy(p, archive / p.name)
    (archive / "crash-me.txt").write_text("บันทึกที่ทำให้โปรเซสล่ม", encoding="utf-8")
    report = run_batch(archive, tmp_path / "lib.sqlite3", workers=2, progress=False, analyze=crash_on_marker)
    assert [e.file for e in report.errors] == ["crash-me.txt"]
    assert report.errors[0].error == "WorkerCrashed" and report.errors[0].message_th
    assert len(report.stored) == 3


@pytest.mark.slow
def test_batch_on_a_dask_cluster(notes: Path, tmp_path: Path):
    """The same command against a real dask.distributed cluster: scheduler and 2 worker processes on loopback."""
    from distributed import Client, LocalCluster

    archive = tmp_path / "archive"
    archive.mkdir()
    for p in sorted(notes.glob("note-*.txt")):
        shutil.copy(p, archive / p.name)
    shutil.copy(notes / "2019" / "broken.docx", archive / "broken.docx")
    db = tmp_path / "lib.sqlite3"
    start = time.monotonic()
    with LocalCluster(n_workers=2, processes=True, threads_per_worker=1, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        worker_pids = set(client.run(os.getpid).values())
        run = kcapture("batch", str(archive), "--library", str(db), "--engine", "dask", "--scheduler",
                       cluster.scheduler_address, "--no-progress")
    assert run.returncode == 1, run.stdout + run.stderr  # the damaged file
    report = read_report(tmp_path / "lib-batch-report.json")
    assert report["engine"] == "dask" and report["scheduler"] == cluster.scheduler_address
    assert report["counts"]["stored"] == 3 and report["counts"]["errors"] == 1
    assert report["errors"][0]["file"] == "broken.docx" and report["errors"][0]["message_en"]
    used = {p["pid"] for p in report["worker_processes"]}
    assert used and used <= worker_pids and report["parent_pid"] not in used
    assert all(p["model_loads"] <= 1 for p in report["worker_processes"])
    assert stored_count(db) == 3
    assert time.monotonic() - start < 120


def test_ctrl_c_while_a_note_is_stored_waits_until_it_is_in_the_report():
    """Storing a note and recording it in the report happen both or neither: Ctrl-C in between is held back and
    raised once the report has its line (a stored note missing from an interrupted run's report was a bug)."""
    import os
    import signal

    from kcapture.batch import _ctrl_c_after

    steps = []
    with pytest.raises(KeyboardInterrupt):
        with _ctrl_c_after():
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C between the commit ...
            steps.append("reported")  # ... and the report's line
    assert steps == ["reported"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with _ctrl_c_after():  # no Ctrl-C: nothing raised
        steps.append("again")
    assert steps == ["reported", "again"]
