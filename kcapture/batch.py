"""Batch processing of an archive: every supported file under a folder, analysed in parallel, stored in the library.

    run_batch(input_dir, library_path, workers=N, engine="local" | "dask", scheduler=None, progress=True)

How it works
- The parent process walks the folder, reads each file, hashes its bytes and skips files the library already holds
  (same bytes, `Library.find_duplicate`) or that this run has already seen. That makes a run resumable: stop it at any
  point (Ctrl-C, a crash, a power cut) and run it again; what was stored stays stored and is skipped.
- The analysis of one file (read, repair, segment, tag, summarise) is `analyze_bytes(data, name, model, limits)`: a
  pure function from bytes to a plain dict, so the same function runs in a local process pool or on a Dask cluster.
  It never raises: a file that cannot be read comes back as an error entry with Thai and English messages.
- engine="local": a `ProcessPoolExecutor` whose workers fork from a fork server that has imported the pipeline and
  loaded the tokenizer once (spawn where there is no fork server, i.e. Windows; never plain fork, which is unsafe
  beside threads such as the app's); its initializer loads the model and warms up once per worker process.
  engine="dask": the same function submitted to a `dask.distributed` cluster; the model's files (JSON + NumPy, a few
  MB) are sent to every worker once, file bytes go with each task, results come back as plain dicts.
- Only the parent writes to the library (one SQLite writer, one short transaction per document), as results arrive.
- At most 2 files per worker are in flight, so memory stays bounded however large the archive.
- A worker process that dies (out of memory, a crash in native code) does not stop the run: the files that were in
  flight are retried one at a time in a fresh process, and a file that kills that process too is reported as an
  error. Workers that cannot start at all stop the run with one clear line.

The report (`BatchReport`) lists what was stored, skipped, duplicated, ignored and failed; `batch_command` (the
`kcapture batch` subcommand) prints a summary and writes it as JSON next to the library.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kcapture.document import Document
from kcapture.errors import InvalidInputError, KcaptureError, ModelError
from kcapture.limits import DEFAULT_LIMITS, Limits

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

ENGINES = ("local", "dask")
IN_FLIGHT_PER_WORKER = 2
_WARM_UP_TEXT = ("บันทึกการเยี่ยมพื้นที่ วันที่ 5 มีนาคม 2566 ณ ศาลาประชาคมบ้านหนองบัว\n\n"
                 "ผู้เข้าร่วม 20 คน ได้เรียนรู้การจัดการขยะโดยชุมชน และเครือข่ายอาสาสมัครช่วยกันคัดแยกขยะ")


# --------------------------------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------------------------------


@dataclass
class BatchError:
    file: str  # relative to the input folder
    error: str  # exception class name
    message_th: str
    message_en: str


@dataclass
class BatchReport:
    input_dir: str
    library: str
    engine: str
    workers: int
    scheduler: str | None = None
    started: str = ""
    seconds: float = 0.0
    startup_seconds: float | None = None  # until the first worker was ready (model loaded, tokenizer warm)
    found: int = 0  # supported files under the folder
    stored: list[dict] = field(default_factory=list)  # {"file", "doc_id", "sentences", "chars", "seconds"}
    skipped: list[dict] = field(default_factory=list)  # already in the library: {"file", "doc_id"}
    duplicates: list[dict] = field(default_factory=list)  # same bytes or text as another file: {"file", "same_as"}
    errors: list[BatchError] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # files of unsupported types
    worker_processes: list[dict] = field(default_factory=list)  # {"host", "pid", "files", "model_loads", "max_rss_mb"}
    parent_pid: int = field(default_factory=os.getpid)
    parent_max_rss_mb: float | None = None
    worker_cpu_seconds: float = 0.0  # CPU time analysing files, summed over workers
    parent_cpu_seconds: float = 0.0  # CPU time of this process while results came in (receiving, storing)
    model_version: int | None = None
    warnings: list[str] = field(default_factory=list)
    interrupted: bool = False

    @property
    def chars(self) -> int:
        return sum(s["chars"] for s in self.stored)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.interrupted

    def to_dict(self) -> dict:
        out = asdict(self)
        out["counts"] = {"found": self.found, "stored": len(self.stored), "skipped": len(self.skipped),
                         "duplicates": len(self.duplicates), "errors": len(self.errors), "ignored": len(self.ignored)}
        out["chars"] = self.chars
        return out

    def summary_lines(self) -> list[str]:
        c = self.to_dict()["counts"]
        where = f"{self.engine}, {self.workers} worker{'s' if self.workers != 1 else ''}"
        if self.scheduler:
            where += f", scheduler {self.scheduler}"
        lines = [
            f"kcapture batch: {c['found']} ไฟล์ / files in {self.input_dir}"
            + (f" ({c['ignored']} ignored: unsupported type)" if c["ignored"] else ""),
            f"  บันทึกแล้ว / stored {c['stored']} · มีในคลังแล้ว / already in library {c['skipped']} · "
            f"ซ้ำ / duplicates {c['duplicates']} · ผิดพลาด / errors {c['errors']}",
            f"  {self.chars:,} chars in {self.seconds:.1f} s ({where})"
            + (f"; {len(self.stored) / self.seconds:.2f} files/s" if self.seconds > 0 and self.stored else ""),
        ]
        for e in self.errors[:10]:
            lines.append(f"  ERROR {e.file}: {e.message_th} / {e.message_en}")
        if len(self.errors) > 10:
            lines.append(f"  ... {len(self.errors) - 10} more errors in the report")
        lines += [f"  WARNING {w}" for w in self.warnings]
        if self.interrupted:
            lines.append("  หยุดกลางคัน: รันคำสั่งเดิมอีกครั้งเพื่อทำต่อ / interrupted: run the same command again to resume")
        return lines


class BatchInterrupted(KeyboardInterrupt):
    """Ctrl-C during a batch: what was stored stays stored; `report` says how far it got."""

    def __init__(self, report: BatchReport):
        super().__init__("batch interrupted")
        self.report = report


# --------------------------------------------------------------------------------------------------------------------
# The per-file analysis (runs in a worker process: local pool or Dask worker)
# --------------------------------------------------------------------------------------------------------------------

_STATE: dict[str, Any] = {"model_loads": 0, "models": {}, "ready_at": None, "model_dirs": {}}


def _model_path(model_ref: str | dict) -> str:
    """A model folder: the path itself, or a private temporary copy of a bundle's files (Dask workers)."""
    if isinstance(model_ref, dict):
        sha = model_ref["sha256"]
        folder = _STATE["model_dirs"].get(sha)
        if folder is None:
            import atexit
            import shutil
            import tempfile

            folder = tempfile.mkdtemp(prefix="kcapture-model-")  # private (0700), one per process
            for name, data in model_ref["files"].items():
                (Path(folder) / Path(name).name).write_bytes(data)
            atexit.register(shutil.rmtree, folder, True)
            _STATE["model_dirs"][sha] = folder
        return folder
    return str(model_ref)


def _load_model(model_ref: str | dict):
    path = _model_path(model_ref)
    clf = _STATE["models"].get(path)
    if clf is None:
        from kcapture.classify import get_model

        clf = get_model(path)
        _STATE["models"][path] = clf
        _STATE["model_loads"] += 1
    return clf


def init_worker(model_ref: str | dict, limits: Limits = DEFAULT_LIMITS) -> None:
    """Process-pool initializer: Ctrl-C is the parent's business; load the model and warm up the pipeline once."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up(model_ref, limits)


def warm_up(model_ref: str | dict, limits: Limits = DEFAULT_LIMITS) -> None:
    """Load the model, the tokenizer's dictionary and the summariser's resources by analysing a tiny note."""
    analyze_bytes(_WARM_UP_TEXT.encode("utf-8"), "warm-up.txt", model_ref, limits)
    _STATE["ready_at"] = time.time()


def analyze_bytes(data: bytes, name: str, model_ref: str | dict, limits: Limits = DEFAULT_LIMITS) -> dict:
    """Read, segment, tag and summarise one file. Returns a plain dict and never raises:

    {"ok": True, "document": {...}, "metadata": {...}, "pid", "host", "seconds", "model_loads", "ready_at"} or
    {"ok": False, "error": {"error", "message_th", "message_en"}, "pid", "host", ...}.
    """
    t0, c0 = time.perf_counter(), time.process_time()
    out: dict[str, Any] = {"name": name, "pid": os.getpid(), "host": socket.gethostname()}
    try:
        from kcapture.library import analysis_metadata
        from kcapture.pipeline import Pipeline

        analysis = Pipeline(model=_load_model(model_ref), limits=limits)(data, name)
        out.update(ok=True, document=analysis.document.to_dict(), metadata=analysis_metadata(analysis))
    except KcaptureError as err:
        out.update(ok=False, error={"error": type(err).__name__, "message_th": err.message_th,
                                    "message_en": err.message_en})
    except MemoryError:
        out.update(ok=False, error={"error": "MemoryError", "message_th": "หน่วยความจำไม่พอสำหรับไฟล์นี้",
                                    "message_en": "out of memory while analysing this file"})
    except Exception as err:  # noqa: BLE001 - one bad file must not stop an archive; the report names it
        out.update(ok=False, error={"error": type(err).__name__,
                                    "message_th": "วิเคราะห์ไฟล์นี้ไม่สำเร็จ (ข้อผิดพลาดภายใน)",
                                    "message_en": f"internal error while analysing this file: {err}"[:500]})
    out.update(seconds=time.perf_counter() - t0, cpu_seconds=time.process_time() - c0,
               model_loads=_STATE["model_loads"], ready_at=_STATE["ready_at"], max_rss_mb=_peak_rss_mb())
    return out


def _peak_rss_mb() -> float | None:
    try:
        import resource
    except ImportError:  # Windows
        return None
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(kb / 1024 / (1024 if sys.platform == "darwin" else 1), 1)


def preload() -> None:
    """The heavy imports and the tokenizer's dictionary, before the first file (what `--preload` does for dask
    workers started with `dask worker --preload kcapture.batch_preload`)."""
    import kcapture.batch_preload  # noqa: F401


def worker_info() -> dict:
    """What a Dask worker runs with (checked before any data is sent)."""
    import kcapture

    return {"kcapture": kcapture.__version__, "python": sys.version.split()[0], "host": socket.gethostname(),
            "pid": os.getpid()}


# --------------------------------------------------------------------------------------------------------------------
# Document <-> plain dict (what crosses process and machine boundaries)
# --------------------------------------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------------------------------------
# Finding the files
# --------------------------------------------------------------------------------------------------------------------


@dataclass
class _Task:
    path: Path
    rel: str
    data: bytes
    sha: str
    attempts: int = 0


def scan(input_dir: str | Path) -> tuple[list[Path], list[Path]]:
    """(supported files, other files) under a folder, recursively, sorted; hidden files and folders and Office lock
    files (~$name.docx) are left out."""
    from kcapture.ingest import SUPPORTED

    root = Path(input_dir)
    if not root.is_dir():
        raise InvalidInputError(f"ไม่พบโฟลเดอร์ {root}", f"not a folder: {root}")
    found, other = [], []
    for p in sorted(root.rglob("*")):
        rel = p.relative_to(root)
        if not p.is_file() or any(part.startswith(".") for part in rel.parts) or p.name.startswith("~$"):
            continue
        (found if p.suffix.lower().lstrip(".") in SUPPORTED else other).append(p)
    return found, other


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def _error(rel: str, err: KcaptureError) -> BatchError:
    return BatchError(rel, type(err).__name__, err.message_th, err.message_en)


# --------------------------------------------------------------------------------------------------------------------
# Engines: iterate (task, result dict) as results arrive
# --------------------------------------------------------------------------------------------------------------------

AnalyzeFn = Callable[[bytes, str, Any, Limits], dict]


def _crash_result(task: _Task, detail: str) -> dict:
    return {"ok": False, "name": task.path.name, "pid": None, "host": None, "seconds": 0.0,
            "error": {"error": "WorkerCrashed", "message_th": "โปรเซสที่วิเคราะห์ไฟล์นี้หยุดทำงานกะทันหัน (หน่วยความจำไม่พอ?)",
                      "message_en": f"the worker process analysing this file died ({detail}; out of memory?)"}}


def mp_context():
    """How worker processes start: a fork server (Linux, macOS) that has done the heavy imports and loaded the
    tokenizer once (kcapture.batch_preload), so workers start in a fraction of a second and share those pages; else
    spawn (Windows). Never plain fork: the parent may run threads (the app, tqdm). Env KCAPTURE_BATCH_START overrides.
    Starting it early lets its imports overlap with the parent's own work."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    method = os.environ.get("KCAPTURE_BATCH_START") or ("forkserver" if "forkserver" in methods else "spawn")
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        from multiprocessing import forkserver

        ctx.set_forkserver_preload(["kcapture.batch_preload"])
        forkserver.ensure_running()
    return ctx


def _local_results(tasks: Iterable[_Task], workers: int, model_ref: str, limits: Limits,
                   analyze: AnalyzeFn) -> Iterator[tuple[_Task, dict]]:
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp_context()

    def new_pool(n: int) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=init_worker,
                                   initargs=(model_ref, limits))
        try:  # a worker that cannot even start is not any file's fault: stop the run with one clear line
            pool.submit(os.getpid).result()
        except BrokenProcessPool as err:
            stop(pool, kill=True)
            raise KcaptureError("เริ่มโปรเซสสำหรับวิเคราะห์ไม่ได้ (ดูข้อความก่อนหน้า)",
                                f"the worker processes cannot start: {err}") from err
        return pool

    def stop(pool: ProcessPoolExecutor, kill: bool = False) -> None:
        if kill:  # our own worker processes: do not wait for a long file to finish
            for proc in list(getattr(pool, "_processes", {}).values()):
                if proc.is_alive():
                    proc.terminate()
        pool.shutdown(wait=not kill, cancel_futures=True)

    it = iter(tasks)
    window = max(1, workers * IN_FLIGHT_PER_WORKER)
    suspects: list[_Task] = []
    pool = new_pool(workers)
    pending: dict = {}
    try:
        exhausted = False
        while True:
            while not exhausted and len(pending) < window:
                task = next(it, None)
                if task is None:
                    exhausted = True
                    break
                try:
                    pending[pool.submit(analyze, task.data, task.path.name, model_ref, limits)] = task
                except BrokenProcessPool:  # it broke since the last wait: the in-flight files tell by whom
                    suspects.append(task)
                    break
            if not pending:
                if not exhausted:  # the pool broke while being filled
                    stop(pool, kill=True)
                    pool = new_pool(workers)
                    continue
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            broken = False
            for fut in done:
                task = pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    broken = True
                    suspects.append(task)
                    continue
                except Exception as err:  # noqa: BLE001 - e.g. a result that could not be sent back
                    result = _crash_result(task, f"{type(err).__name__}: {err}")
                yield task, result
            if broken:
                # Every file in flight is a suspect; they are retried one at a time at the end.
                suspects.extend(pending.values())
                pending.clear()
                stop(pool, kill=True)
                pool = new_pool(workers)
        stop(pool)
        if suspects:
            pool = new_pool(1)
            for task in suspects:
                try:
                    yield task, pool.submit(analyze, task.data, task.path.name, model_ref, limits).result()
                except BrokenProcessPool as err:
                    yield task, _crash_result(task, str(err) or "BrokenProcessPool")
                    stop(pool, kill=True)
                    pool = new_pool(1)
            stop(pool)
    except BaseException:
        stop(pool, kill=True)
        raise


def _dask_results(tasks: Iterable[_Task], workers: int, scheduler: str | None, bundle: Callable[[], dict],
                  limits: Limits, analyze: AnalyzeFn, report: BatchReport) -> Iterator[tuple[_Task, dict]]:
    import uuid

    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as err:
        raise InvalidInputError(
            "โหมด Dask ต้องติดตั้งเพิ่ม: pip install \"kcapture[distributed]\"",
            'the Dask engine needs an extra: pip install "kcapture[distributed]"') from err

    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="15s")
        else:  # no cluster given: a local one, to try the engine out
            cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None)
            client = Client(cluster)
    except (OSError, TimeoutError, ValueError) as err:
        raise InvalidInputError(f"เชื่อมต่อ Dask scheduler {scheduler} ไม่ได้: {err}",
                                f"cannot connect to the Dask scheduler {scheduler}: {err}") from err
    try:
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError as err:
            raise InvalidInputError("Dask cluster ไม่มี worker", "the Dask cluster has no workers") from err
        _check_workers(client, report)
        # Each worker imports the pipeline (seconds) while this process loads and checks the model.
        warming = [client.submit(preload, workers=[addr], allow_other_workers=False, pure=False,
                                 key=f"kcapture-preload-{uuid.uuid4().hex}") for addr in client.nthreads()]
        # The model's files reach each worker once (a list: scatter would split a dict into one key per value).
        [model] = client.scatter([bundle()], broadcast=True, hash=False)
        window = max(1, sum(client.nthreads().values()) * IN_FLIGHT_PER_WORKER)
        it = iter(tasks)
        by_key: dict[str, _Task] = {}
        queue = as_completed()

        def submit() -> bool:
            task = next(it, None)
            if task is None:
                return False
            data = task.data if len(task.data) < 1_000_000 else client.scatter(task.data, hash=False)
            fut = client.submit(analyze, data, task.path.name, model, limits, pure=False,
                                key=f"kcapture-analyze-{uuid.uuid4().hex}")
            by_key[fut.key] = task
            queue.add(fut)
            return True

        while len(by_key) < window and submit():
            pass
        for fut in queue:
            warming.clear()
            task = by_key.pop(fut.key)
            try:
                result = fut.result()
            except Exception as err:  # noqa: BLE001 - KilledWorker, lost connection...: name the file, go on
                result = _crash_result(task, f"{type(err).__name__}: {err}"[:300])
            fut.release()
            yield task, result
            while len(by_key) < window and submit():
                pass
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _check_workers(client, report: BatchReport) -> None:
    import kcapture

    try:
        infos = client.run(worker_info)
    except Exception as err:  # noqa: BLE001 - typically: kcapture is not installed on a worker
        raise InvalidInputError(
            f"worker ของ Dask เรียกใช้ kcapture ไม่ได้: ติดตั้ง kcapture รุ่น {kcapture.__version__} ในทุก worker",
            f"the Dask workers cannot run kcapture ({type(err).__name__}: {err}); install kcapture "
            f"{kcapture.__version__} on every worker") from err
    report.workers = len(infos)
    wrong = {addr: i["kcapture"] for addr, i in infos.items() if i["kcapture"] != kcapture.__version__}
    if wrong:
        shown = ", ".join(f"{a}: {v}" for a, v in sorted(wrong.items()))
        raise InvalidInputError(f"kcapture ใน worker ต่างรุ่นกับเครื่องนี้ ({kcapture.__version__}): {shown}",
                                f"workers run another kcapture version than this one ({kcapture.__version__}): {shown}")


def model_bundle(folder: str | Path) -> dict:
    """A model folder's files as bytes (JSON + NumPy arrays; never pickle), for workers without the folder."""
    import hashlib

    files = {p.name: p.read_bytes() for p in sorted(Path(folder).iterdir()) if p.is_file()}
    h = hashlib.sha256()
    for name, data in files.items():
        h.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return {"sha256": h.hexdigest(), "files": files}


# --------------------------------------------------------------------------------------------------------------------
# The batch
# --------------------------------------------------------------------------------------------------------------------


def default_workers() -> int:
    """Cores this process may use (respects CPU affinity / container limits where the OS tells)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def _resolve_model(lib, model: str | Path | None, report: BatchReport) -> Path:
    """The model folder the batch uses: --model, else the library's active version, else the base model. Loaded once
    here so that a broken model fails with one readable line instead of in every worker."""
    from kcapture.classify import get_model

    if model is not None:
        version, path = None, Path(model)
    else:
        version, path = lib.model_path()
    try:
        get_model(path)
    except ModelError as err:
        if version is None:
            raise
        report.warnings.append(f"model version {version} does not load ({err.message_en}); using the base model")
        version, path = None, lib.base_model_path()
        get_model(path)
    report.model_version = version
    return Path(path).resolve()


def run_batch(input_dir: str | Path, library_path: str | Path | None, workers: int | None = None,
              engine: str = "local", scheduler: str | None = None, progress: bool = True, *,
              model: str | Path | None = None, limits: Limits | None = None,
              analyze: AnalyzeFn = analyze_bytes) -> BatchReport:
    """Analyse every supported file under `input_dir` and store it in the library (see the module docstring).

    Raises InvalidInputError for a bad folder, engine or scheduler, and `BatchInterrupted` (carrying the report so
    far) on Ctrl-C. Per-file failures do not raise: they are in `report.errors`.
    """
    from kcapture.library import Library, content_hash

    if engine not in ENGINES:
        raise InvalidInputError(f"ไม่รู้จัก engine {engine!r}", f"unknown engine {engine!r}; use local or dask")
    if scheduler and engine != "dask":
        raise InvalidInputError("--scheduler ใช้กับ --engine dask เท่านั้น", "--scheduler needs --engine dask")
    if workers is not None and workers < 1:
        raise InvalidInputError("จำนวน worker ต้องอย่างน้อย 1", "--workers must be at least 1")
    limits = limits or DEFAULT_LIMITS
    root = Path(input_dir)
    files, other = scan(root)
    t0 = time.perf_counter()
    wall0 = time.time()
    from kcapture.library import now_iso

    with Library(library_path) as lib:
        report = BatchReport(input_dir=str(root), library=str(lib.path), engine=engine,
                             workers=workers or default_workers(), scheduler=scheduler, started=now_iso(),
                             found=len(files), ignored=[_rel(p, root) for p in other])
        seen: dict[str, str] = {}  # bytes hash -> file, this run

        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", desc="kcapture batch", disable=not progress, file=sys.stderr,
                   mininterval=0.5 if sys.stderr.isatty() else 5.0, dynamic_ncols=True)

        def tick() -> None:
            bar.update(1)
            bar.set_postfix(stored=len(report.stored), skipped=len(report.skipped) + len(report.duplicates),
                            errors=len(report.errors), refresh=False)

        def tasks() -> Iterator[_Task]:
            from kcapture.ingest import read_path

            for p in files:
                rel = _rel(p, root)
                try:
                    data, _ = read_path(p, limits)
                except KcaptureError as err:
                    report.errors.append(_error(rel, err))
                    tick()
                    continue
                sha = content_hash(data)
                existing = None if sha in seen else lib.find_duplicate(sha)
                if sha in seen:
                    report.duplicates.append({"file": rel, "same_as": seen[sha]})
                    tick()
                elif existing is not None:
                    report.skipped.append({"file": rel, "doc_id": existing})
                    tick()
                else:
                    seen[sha] = rel
                    yield _Task(p, rel, data, sha)

        pending = tasks()
        first = next(pending, None)  # nothing to do (e.g. a resumed run that is complete): start no worker
        results: Iterator[tuple[_Task, dict]] = iter(())
        if first is not None:
            import itertools

            todo = itertools.chain([first], pending)
            # Never start more workers than there are files (each costs seconds to start and ~300 MB).
            n_workers = max(1, min(report.workers, len(files)))
            if engine == "local":
                report.workers = n_workers
                mp_context()  # the fork server imports while this process loads the model
                model_path = _resolve_model(lib, model, report)
                results = _local_results(todo, n_workers, str(model_path), limits, analyze)
            else:  # the workers import while this process loads the model
                results = _dask_results(todo, n_workers, scheduler,
                                        lambda: model_bundle(_resolve_model(lib, model, report)), limits, analyze,
                                        report)
        procs: dict[tuple, dict] = {}
        cpu0: float | None = None
        try:
            for task, res in results:
                if cpu0 is None:
                    cpu0 = time.process_time()
                report.worker_cpu_seconds += float(res.get("cpu_seconds") or 0.0)
                key = (res.get("host"), res.get("pid"))
                if res.get("pid") is not None:
                    info = procs.setdefault(key, {"host": key[0], "pid": key[1], "files": 0, "model_loads": 0,
                                                  "max_rss_mb": None})
                    info["files"] += 1
                    info["model_loads"] = max(info["model_loads"], res.get("model_loads") or 0)
                    if res.get("max_rss_mb") is not None:
                        info["max_rss_mb"] = max(info["max_rss_mb"] or 0.0, res["max_rss_mb"])
                    if res.get("ready_at"):
                        ready = round(res["ready_at"] - wall0, 3)
                        report.startup_seconds = min(report.startup_seconds or ready, ready)
                with _ctrl_c_after():  # a stored note is always in the report (the resumed run trusts both)
                    _store(lib, task, res, report, model_version=report.model_version)
                task.data = b""  # let the bytes go
                tick()
        except KeyboardInterrupt as err:
            report.interrupted = True
            raise BatchInterrupted(report) from err
        finally:
            close = getattr(results, "close", None)
            if close is not None:  # stop the engine now (kills our worker processes on Ctrl-C), not at exit
                close()
            bar.close()
            report.worker_processes = sorted(procs.values(), key=lambda i: (str(i["host"]), i["pid"]))
            report.seconds = round(time.perf_counter() - t0, 3)
            report.parent_max_rss_mb = _peak_rss_mb()
            report.parent_cpu_seconds = round(time.process_time() - cpu0, 3) if cpu0 is not None else 0.0
            report.worker_cpu_seconds = round(report.worker_cpu_seconds, 3)
    return report


@contextmanager
def _ctrl_c_after() -> Iterator[None]:
    """Ctrl-C held back until the block is done, then raised: storing a note and recording it in the report happen
    both or neither. (Between the library's commit and the report's line, an interrupt left a note stored but not
    reported.) Outside the main thread, where no handler can be set, the block runs as it is."""
    held: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if held:  # now what Ctrl-C would have done
            if previous is signal.default_int_handler:
                raise KeyboardInterrupt
            if callable(previous):
                previous(signal.SIGINT, None)
            elif previous == signal.SIG_DFL:
                os.kill(os.getpid(), signal.SIGINT)


def _store(lib, task: _Task, res: dict, report: BatchReport, model_version: int | None) -> None:
    """Write one analysed file to the library (the parent is the only writer)."""
    from kcapture.library import content_hash

    if not res.get("ok"):
        e = res.get("error") or {}
        report.errors.append(BatchError(task.rel, e.get("error", "Error"), e.get("message_th", ""),
                                        e.get("message_en", "")))
        return
    doc = Document.from_dict(res["document"])
    dup = lib.find_duplicate(task.sha, content_hash(doc.text))
    if dup is not None:
        report.duplicates.append({"file": task.rel, "same_as": dup})
        return
    metadata = dict(res.get("metadata") or {})
    metadata["source_path"] = task.rel
    try:
        doc_id = lib.add_document(doc, task.sha, metadata, model_version=model_version)
    except sqlite3.IntegrityError:  # stored by another session a moment ago
        report.skipped.append({"file": task.rel, "doc_id": lib.find_duplicate(task.sha)})
        return
    except sqlite3.Error as err:
        raise KcaptureError(f"เขียนคลังเอกสาร {lib.path} ไม่ได้: {err}",
                            f"cannot write the library {lib.path}: {err}") from err
    report.stored.append({"file": task.rel, "doc_id": doc_id, "sentences": len(doc.sentences),
                          "chars": len(doc.text), "seconds": round(float(res.get("seconds") or 0.0), 3)})


# --------------------------------------------------------------------------------------------------------------------
# `kcapture batch`
# --------------------------------------------------------------------------------------------------------------------


def default_report_path(library_path: Path) -> Path:
    return library_path.with_name(library_path.stem + "-batch-report.json")


def write_report(report: BatchReport, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def batch_command(args) -> int:
    """`kcapture batch INPUT_DIR [--library DB] [--workers N] [--engine local|dask] [--scheduler ADDRESS]
    [--report PATH] [--model DIR] [--no-progress]`. Exit 0: every file stored or skipped; 1: finished, some files
    failed (listed in the report); 2: bad input (the run did not start); 130: interrupted (re-run to resume)."""
    from kcapture.library import default_library_path

    engine = args.engine or ("dask" if args.scheduler else "local")
    library = Path(args.library).expanduser() if args.library else default_library_path()
    try:
        report = run_batch(args.input_dir, library, workers=args.workers, engine=engine, scheduler=args.scheduler,
                           progress=not args.no_progress, model=args.model)
        code = 0 if report.ok else 1
    except BatchInterrupted as stop:
        report, code = stop.report, 130
    path = write_report(report, args.report or default_report_path(Path(report.library)))
    for line in report.summary_lines():
        print(line)
    print(f"  report: {path}")
    sys.stdout.flush()
    return code
