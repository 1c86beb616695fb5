"""`kcapture` command line: a thin shell over the library. Contracts in ../shared/DESIGN.md.

Every failure a user can cause prints one readable line (Thai / English) on stderr and exits non-zero.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections.abc import Callable

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

from kcapture.registry import EXPORTERS  # noqa: E402 - after the offline switch above

EXIT_USER_ERROR = 2
# Commands that hold no database, server or worker processes when they return: the process ends at once after them
# (see `run`).
_ENDS_AT_ONCE = ("analyze", "classify")


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False)


def cmd_segment(args: argparse.Namespace) -> int:
    from kcapture.pipeline import load_document

    doc = load_document(args.path)
    out = sys.stdout
    for s in doc.sentences:
        out.write(_dump({"id": s.id, "start": s.start, "end": s.end, "text": s.text,
                         "tokens": [t.text for t in s.tokens]}) + "\n")
    return 0


def cmd_classify(args: argparse.Namespace) -> int:
    from kcapture.classify.jsonl import classify_jsonl

    classify_jsonl(args.input, args.output, args.model)
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from kcapture.classify.training import train_command

    train_command(args.data, args.out, text_field=args.text_field, label_field=args.label_field, valid=args.valid,
                  settings=args.settings)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    from kcapture.classify.training import evaluate_command

    evaluate_command(args.data, args.model, text_field=args.text_field, label_field=args.label_field,
                     human=args.human)
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    from kcapture.analyze_command import analyze_command

    analyze_command(args.paths, fmt=args.format, output=args.output, redact=args.redact, model=args.model)
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from kcapture.agreement import agreement_command

    agreement_command(args.first, args.second, texts=args.texts, output=args.output)
    return 0


def cmd_library(args: argparse.Namespace) -> int:
    from kcapture.library_command import library_command

    return library_command(args)


def cmd_batch(args: argparse.Namespace) -> int:
    from kcapture.batch import batch_command

    return batch_command(args)


def cmd_app(args: argparse.Namespace) -> int:
    from streamlit.web import cli as stcli

    # Streamlit reads .streamlit/config.toml only from the working directory; pass the settings that matter for
    # privacy and limits explicitly, so `kcapture app` behaves the same from any folder: listen on this machine
    # only, never look up the external address, no usage statistics, the upload limit of kcapture/limits.py.
    from kcapture.limits import DEFAULT_LIMITS
    from kcapture.resources import app_script

    sys.argv = ["streamlit", "run", str(app_script()), "--server.headless", "true",
                "--server.address", "127.0.0.1", "--browser.serverAddress", "127.0.0.1",
                "--browser.gatherUsageStats", "false",
                "--server.maxUploadSize", str(max(1, DEFAULT_LIMITS.max_file_bytes // (1024 * 1024))),
                *args.streamlit_args]
    return stcli.main()


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="kcapture", description="ถอดบทเรียนจากบันทึกภาษาไทย แบบออฟไลน์ / offline Thai lesson extraction")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("segment", help="ตัดประโยคและคำ / print one JSON object per sentence")
    s.add_argument("path")
    s.set_defaults(func=cmd_segment)

    s = sub.add_parser("classify", help="ติดแท็กประเด็นและมิติบทเรียน / tag sentences in a JSONL file")
    s.add_argument("--input", required=True)
    s.add_argument("--output")
    s.add_argument("--model")
    s.set_defaults(func=cmd_classify)

    s = sub.add_parser("train", help="ฝึกโมเดล / train a model from labeled JSONL")
    s.add_argument("--data", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--text-field")
    s.add_argument("--label-field")
    s.add_argument("--valid")
    s.add_argument("--settings", help="JSON object (or file) of feature and head settings, e.g. '{\"C\": 2}'")
    s.set_defaults(func=cmd_train)

    s = sub.add_parser("evaluate", help="ประเมินโมเดล / evaluate a model on labeled JSONL")
    s.add_argument("--data", required=True)
    s.add_argument("--model")
    s.add_argument("--text-field")
    s.add_argument("--label-field")
    s.add_argument("--human", help="annotator agreement report (kcapture agreement --output), shown beside each F1")
    s.set_defaults(func=cmd_evaluate)

    s = sub.add_parser("analyze", help="วิเคราะห์และส่งออกสรุปบทเรียน / analyse notes and export a lesson summary")
    s.add_argument("paths", nargs="+", help="a file, several files, or a folder (several visits)")
    s.add_argument("--format", default="json", choices=EXPORTERS.names())
    s.add_argument("--output", help="the output file; for several visits a folder: combined.<ext> + one file per visit")
    s.add_argument("--redact", action="store_true", help="replace names, phones, ID numbers, e-mail, addresses")
    s.add_argument("--model")
    s.set_defaults(func=cmd_analyze)

    s = sub.add_parser("agreement", help="ความสอดคล้องระหว่างผู้ให้รหัส / intercoder agreement of two codings")
    s.add_argument("first", help="JSONL of {id, themes, facet}: one person's coding (the reference)")
    s.add_argument("second", help="JSONL of {id, themes, facet}: another person's, or the model's (kcapture classify)")
    s.add_argument("--texts", help="JSONL of {id, text}, to show the sentences coded differently")
    s.add_argument("--output", help="the full report as JSON (per label, and every sentence coded differently)")
    s.set_defaults(func=cmd_agreement)

    s = sub.add_parser("library", help="คลังเอกสาร / the SQLite library: list, import, export, search")
    s.add_argument("--library", help="library file (default: env KCAPTURE_LIBRARY or ~/.local/share/kcapture/)")
    lsub = s.add_subparsers(dest="library_command", required=True)
    lsub.add_parser("list", help="list documents")
    li = lsub.add_parser("import", help="import files (duplicates are skipped; safe to re-run)")
    li.add_argument("paths", nargs="+")
    le = lsub.add_parser("export", help="export the whole library")
    le.add_argument("--format", default="json", choices=["json"])
    le.add_argument("--output")
    ls = lsub.add_parser("search", help="full-text search (Thai words are found inside unspaced text)")
    ls.add_argument("query")
    ls.add_argument("--limit", type=int, default=20)
    s.set_defaults(func=cmd_library)

    s = sub.add_parser("batch", help="วิเคราะห์ทั้งโฟลเดอร์เข้าคลังเอกสาร / analyse an archive folder into the library")
    s.add_argument("input_dir", help="folder, searched recursively for supported files")
    s.add_argument("--library", help="library file (default: env KCAPTURE_LIBRARY or ~/.local/share/kcapture/)")
    s.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    s.add_argument("--engine", choices=["local", "dask"], help="local processes (default) or a Dask cluster")
    s.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786 (implies --engine dask)")
    s.add_argument("--report", help="JSON report (default: <library>-batch-report.json beside the library)")
    s.add_argument("--model", help="model folder (default: the library's active model)")
    s.add_argument("--no-progress", action="store_true", help="no progress bar")
    s.set_defaults(func=cmd_batch)

    s = sub.add_parser("app", help="เปิดแอปในเบราว์เซอร์ / start the Streamlit app")
    s.add_argument("streamlit_args", nargs=argparse.REMAINDER)
    s.set_defaults(func=cmd_app)
    return p


def main(argv: list[str] | None = None) -> int:
    from kcapture.errors import KcaptureError

    parser = build_parser()
    # `kcapture app --server.port 8600`: Streamlit's own options pass through untouched.
    args, extra = parser.parse_known_args(argv)
    if args.command == "app":
        args.streamlit_args = [*extra, *args.streamlit_args]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except KcaptureError as err:
        print(f"kcapture: {err}", file=sys.stderr)
        return EXIT_USER_ERROR
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("kcapture: หยุดโดยผู้ใช้ / interrupted", file=sys.stderr)
        return 130
    except MemoryError:
        print("kcapture: หน่วยความจำไม่พอ / out of memory", file=sys.stderr)
        return 1



def run() -> None:
    """The `kcapture` program (`python -m kcapture` and the installed command): `main`, then exit. After `analyze`
    and `classify`, whose output is written and closed by then, the process ends without the interpreter's teardown:
    freeing a large analysis object by object and a last garbage collection took 0.15-0.3 s of a 1.5 M-character
    run, for memory the operating system takes back anyway. For the same commands the cycle collector stays off to
    the end: switched back on after the analysis, its first pass would walk every object the analysis made (0.04 s
    after a 3,000-character note, far more after a long one) just before the process ends."""
    ends_at_once = sys.argv[1:2] and sys.argv[1] in _ENDS_AT_ONCE
    if ends_at_once:
        gc.disable()
    code = main()
    if ends_at_once:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except OSError:  # a reader that went away (`kcapture analyze ... | head`): nothing left to say
            pass
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
