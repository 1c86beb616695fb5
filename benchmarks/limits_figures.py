"""The figures of README "Limits and failure behaviour": how kcapture treats hostile and oversized input, measured.

Each case is built in memory (tests/hostile_files.py), written to a temporary folder and read by
`kcapture.pipeline.document_from_bytes` in a fresh process, which reports the outcome, the wall time of the call and
its peak memory above the process's baseline (Python, kcapture, python-docx, pypdf and the word dictionary loaded).

    python benchmarks/limits_figures.py [--only NAME ...] [--skip-slow]

The last line is one JSON object with every case, so CI can read it.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from hostile_files import (  # noqa: E402
    W_NS,
    flate_bomb_stream,
    replace_members,
    text_pdf,
    xobject_bomb_pdf,
    zip_bomb_docx,
)

THAI = "ทีมอาสาสมัครดำเนินงานเยี่ยมบ้านผู้สูงอายุในตำบลหนองบัวมาได้หกเดือนแล้ว "

MEASURE = r"""
import json, os, resource, sys, time
from kcapture.errors import KcaptureError
from kcapture.pipeline import document_from_bytes
from kcapture.thai.tokenize import default_tokenizer
import docx, pypdf, kcapture.ingest.docx, kcapture.ingest.pdf, kcapture.ingest.plaintext  # noqa: F401
default_tokenizer()
tag = os.environ.get("KC_TAG") == "1"
if tag:
    from kcapture.classify import get_model, tag_document
    get_model()
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
data = open(sys.argv[1], "rb").read()
t = time.perf_counter()
try:
    doc = document_from_bytes(data, sys.argv[1])
    if tag:
        tag_document(doc)
    result = f"read{' and tagged' if tag else ''}: {len(doc.text):,} chars, {len(doc.sentences):,} sentences"
except KcaptureError as err:
    result = f"{type(err).__name__}: {err.message_en}"
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"result": result, "seconds": round(seconds, 3), "peak_mb_over_baseline": round((peak - base) / 1024),
                  "baseline_mb": round(base / 1024)}))
"""


def _template_docx() -> bytes:
    import docx

    d = docx.Document()
    d.add_paragraph(THAI)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _thai_line(n_bytes: int) -> bytes:
    unit = THAI.encode()
    data = (unit * (n_bytes // len(unit) + 1))[:n_bytes].decode("utf-8", "ignore").encode()
    return data + b" " * (n_bytes - len(data))


def _laughs() -> bytes:
    ents = '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    return (f'<?xml version="1.0"?><!DOCTYPE w:document [{ents}]><w:document xmlns:w="{W_NS}"><w:body><w:p><w:r>'
            "<w:t>&l9;</w:t></w:r></w:p></w:body></w:document>").encode()


def _xml_heavy_docx(mib: int) -> bytes:
    """~`mib` MiB of document.xml: empty paragraphs with random ids (compressing ~5:1, so under the ratio guard)."""
    rng = random.Random(0)
    out = io.BytesIO()
    template = _template_docx()
    with zipfile.ZipFile(io.BytesIO(template)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                                         compresslevel=1) as z:
        for name in zin.namelist():
            if name != "word/document.xml":
                z.writestr(name, zin.read(name))
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(f'<w:document xmlns:w="{W_NS}"><w:body>'.encode())
            written = 0
            while written < mib << 20:
                chunk = b"".join(b'<w:p w:rsidR="%08X"/>' % rng.getrandbits(32) for _ in range(10000))
                f.write(chunk)
                written += len(chunk)
            f.write(b"</w:body></w:document>")
    return out.getvalue()


def cases(skip_slow: bool) -> list[tuple[str, str, callable, dict]]:
    """(name, file name, builder, extra environment)."""
    template = _template_docx()
    big = {"KCAPTURE_MAX_FILE_BYTES": str(10**9)}
    out = [
        ("docx-zip-bomb", "bomb.docx", lambda: zip_bomb_docx(template, mib=1100), {}),
        ("docx-zip-bomb-lying-header", "liar.docx", lambda: zip_bomb_docx(template, mib=1100, declared=50_000), {}),
        ("docx-billion-laughs", "laughs.docx", lambda: replace_members(template, {"word/document.xml": _laughs()}), {}),
        ("docx-60MiB-xml", "xml.docx", lambda: _xml_heavy_docx(60), {}),
        ("pdf-flate-bomb", "bomb.pdf", lambda: text_pdf([], contents=[flate_bomb_stream(1024)]), {}),
        ("pdf-xobject-bomb", "xobj.pdf", lambda: xobject_bomb_pdf(levels=7), {}),
        ("pdf-xobject-bomb-100-pages (KCAPTURE_MAX_PDF_SECONDS=20)", "xobj100.pdf",
         lambda: xobject_bomb_pdf(levels=7, pages=100), {"KCAPTURE_MAX_PDF_SECONDS": "20"}),
        ("pdf-501-pages", "long.pdf", lambda: text_pdf([b"BT /F1 12 Tf 72 700 Td (page) Tj ET"] * 501), {}),
        ("txt-50MiB-line", "huge.txt", lambda: _thai_line(50 * 2**20 + 1), {}),
        ("txt-50MiB-line-file-limit-raised", "huge.txt", lambda: _thai_line(50 * 2**20 + 1), big),
        ("txt-14MiB-line (4.9M chars, under the text limit)", "line.txt", lambda: _thai_line(14 * 2**20), {}),
        ("txt-14MiB-line, tagged", "line.txt", lambda: _thai_line(14 * 2**20), {"KC_TAG": "1"}),
        ("txt-1MiB-line", "line1.txt", lambda: _thai_line(2**20), {}),
    ]
    if skip_slow:
        out = [c for c in out if not c[0].startswith(("docx-60MiB", "txt-14MiB", "pdf-xobject-bomb-100"))]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="case names (prefixes)")
    parser.add_argument("--skip-slow", action="store_true", help="leave out the four cases that take 10-30 s each")
    args = parser.parse_args()
    report = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, filename, build, env in cases(args.skip_slow):
            if args.only and not any(name.startswith(o) for o in args.only):
                continue
            data = build()
            path = Path(tmp) / filename
            path.write_bytes(data)
            del data
            proc = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True,
                                  cwd=ROOT, env={**os.environ, **env}, timeout=900)
            if proc.returncode != 0:
                row = {"result": f"process failed: {proc.stderr.strip().splitlines()[-1:]}"}
            else:
                row = json.loads(proc.stdout.strip().splitlines()[-1])
            row["file_bytes"] = path.stat().st_size
            report[name] = row
            print(f"{name:52} {row['file_bytes'] / 2**20:8.2f} MiB  {row.get('seconds', '-'):>7} s  "
                  f"+{row.get('peak_mb_over_baseline', '-')} MB  {row['result'][:110]}", flush=True)
            path.unlink()
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
