"""`kcapture analyze PATH... [--format json|md|docx|xlsx|qdpx] [--output OUT] [--redact] [--model DIR]`.

One file: the report of that visit, to --output, or to stdout for json and md (the binary formats need --output).

Several visits (a directory, searched recursively for supported files, or more than one path): one combined report
(a theme x visit matrix, then every visit) plus one report per visit. With --output, OUT is a directory (created if
needed) holding `combined.<ext>` and `<file name>.<ext>` per visit; without --output (json, md), the combined report
goes to stdout. --format qdpx also writes the codebook alone (.qdc) beside the project.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from kcapture.document import Analysis
from kcapture.errors import InvalidInputError
from kcapture.registry import EXPORTERS


def collect_inputs(paths: list[str]) -> tuple[list[Path], bool]:
    """The files to analyse, and whether this is a several-visit run (a directory, or more than one path)."""
    from kcapture.ingest import SUPPORTED

    files: list[Path] = []
    several = len(paths) > 1
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            several = True
            found = sorted(
                f for f in p.rglob("*")
                if f.is_file() and f.suffix.lower().lstrip(".") in SUPPORTED
                and not any(part.startswith(".") for part in f.relative_to(p).parts)
            )
            if not found:
                names = ", ".join("." + e for e in SUPPORTED)
                raise InvalidInputError(f"ไม่พบไฟล์ที่รองรับ ({names}) ในโฟลเดอร์ {p}",
                                        f"no supported file ({names}) in the folder {p}")
            files += found
        else:
            files.append(p)  # a missing or unreadable file fails later with the reader's own message
    unique: list[Path] = []
    seen: set[Path] = set()
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, several


def write(analyses: list[Analysis], fmt: str, path: Path) -> None:
    try:
        EXPORTERS.get(fmt).write(analyses, path, None)
    except OSError as err:
        raise InvalidInputError(f"เขียนไฟล์ {path} ไม่ได้", f"cannot write {path}: {err.strerror or err}") from err


def _ocr_progress(done: int, total: int) -> None:
    """Scanned pages are slow to read: say where OCR is (stderr, one line rewritten in place)."""
    end = "\n" if done == total else ""
    print(f"\rkcapture: อ่านภาพด้วย OCR หน้า {done}/{total} / OCR page {done} of {total}", end=end, file=sys.stderr,
          flush=True)


def analyze_paths(paths: list[Path], redact: bool = False, model: str | None = None) -> list[Analysis]:
    from kcapture.pipeline import Pipeline

    pipe = Pipeline(model=model, redact=redact, progress=_ocr_progress)
    analyses = [pipe.run_path(p) for p in paths]
    for p, a in zip(paths, analyses, strict=True):
        if a.document.metadata.get("ocr"):
            print(f"kcapture: {p.name} อ่านจากภาพด้วย OCR โปรดตรวจทานข้อความ / read from images with OCR: check the "
                  "text", file=sys.stderr)
    return analyses


def _to_stdout(analyses: list[Analysis], fmt: str) -> None:
    sys.stdout.buffer.write(EXPORTERS.get(fmt).to_bytes(analyses))
    sys.stdout.flush()


def analyze_command(
    paths: list[str], fmt: str = "json", output: str | None = None, redact: bool = False, model: str | None = None
) -> None:
    from kcapture.pipeline import cycle_collector_paused

    # The whole command, imports and model loads included: they build hundreds of thousands of objects that form
    # no cycles, and the collector's passes over them cost 0.06 s of a 1.5 M-character analysis.
    with cycle_collector_paused():
        _analyze_command(paths, fmt, output, redact, model)


def _analyze_command(paths: list[str], fmt: str, output: str | None, redact: bool, model: str | None) -> None:
    if fmt not in EXPORTERS:
        names = ", ".join(EXPORTERS.names())
        raise InvalidInputError(f"ไม่รู้จักรูปแบบ {fmt}", f"unknown format {fmt}; use one of {names}")
    exporter = EXPORTERS.get(fmt)
    if exporter.binary and not output:
        raise InvalidInputError(f"--format {fmt} เป็นไฟล์ไบนารี ต้องระบุ --output ไฟล์ปลายทาง",
                                f"--format {fmt} writes a binary file: give --output FILE")
    files, several = collect_inputs(paths)
    out_dir: Path | None = None
    if several and output:
        out_dir = Path(output)
        if out_dir.exists() and not out_dir.is_dir():
            raise InvalidInputError(f"หลายไฟล์ต้องให้ --output เป็นโฟลเดอร์ แต่ {out_dir} เป็นไฟล์",
                                    f"several visits need --output to be a folder, but {out_dir} is a file")
    elif output and Path(output).is_dir():
        raise InvalidInputError(f"--output {output} เป็นโฟลเดอร์ ต้องเป็นชื่อไฟล์",
                                f"--output {output} is a folder; give a file name")

    _analyze_and_write(files, several, out_dir, fmt, output, redact, model)


def _analyze_and_write(files: list[Path], several: bool, out_dir: Path | None, fmt: str, output: str | None,
                       redact: bool, model: str | None) -> None:
    exporter = EXPORTERS.get(fmt)
    analyses = analyze_paths(files, redact=redact, model=model)
    _hint_personal_data(analyses, redact)

    if not several:
        if output:
            write(analyses, fmt, Path(output))
        else:
            _to_stdout(analyses, fmt)
        return
    if out_dir is None:
        _to_stdout(analyses, fmt)
        return
    from kcapture.combine import file_stems

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InvalidInputError(f"สร้างโฟลเดอร์ {out_dir} ไม่ได้", f"cannot create {out_dir}: {err.strerror}") from err
    ext = "." + exporter.extension
    write(analyses, fmt, out_dir / f"combined{ext}")
    for a, stem in zip(analyses, file_stems(analyses), strict=True):
        write([a], fmt, out_dir / f"{stem}{ext}")


def _hint_personal_data(analyses: list[Analysis], redact: bool) -> None:
    """Tell the user (stderr, one line) that the notes name people, when the report is not redacted."""
    if redact:
        return
    counts = Counter(p["kind"] for a in analyses for p in a.personal_data)
    if counts:
        total = sum(counts.values())
        kinds = ", ".join(f"{k} {n}" for k, n in counts.most_common())
        print(f"kcapture: พบข้อมูลส่วนบุคคล {total} แห่ง ({kinds}) ใช้ --redact เพื่อปกปิด / "
              f"personal data found ({kinds}); use --redact to hide it", file=sys.stderr)
