"""Readers: file bytes -> Extracted blocks, chosen by content first and by file extension second."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from kcapture.errors import EmptyDocumentError, LimitExceededError, UnreadableFileError, UnsupportedFormatError
from kcapture.ingest.base import Extracted
from kcapture.limits import DEFAULT_LIMITS, Limits

SUPPORTED = ("txt", "md", "docx", "pdf", "srt", "vtt")
_SRT = re.compile(rb"^\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.M)


def sniff_format(data: bytes, filename: str) -> str:
    ext = Path(filename).suffix.lower().lstrip(".")
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        if ext == "docx" or _zip_has(data, "word/document.xml"):
            return "docx"
        raise _unsupported(ext or "zip")
    if ext in SUPPORTED:
        return ext
    stripped = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped.startswith(b"WEBVTT"):
        return "vtt"
    if _SRT.match(stripped):
        return "srt"
    raise _unsupported(ext)


def _zip_has(data: bytes, member: str) -> bool:
    try:
        return member in zipfile.ZipFile(io.BytesIO(data)).namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _unsupported(ext: str) -> UnsupportedFormatError:
    names = ", ".join("." + e for e in SUPPORTED)
    shown = f".{ext}" if ext else "(ไม่มีนามสกุล / no extension)"
    return UnsupportedFormatError(
        f"ไม่รองรับไฟล์ {shown} รองรับเฉพาะ {names}", f"unsupported file type {shown}; supported: {names}"
    )


def read_bytes(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS) -> Extracted:
    """Read an upload (bytes + the name the user gave it)."""
    if len(data) > limits.max_file_bytes:
        raise LimitExceededError(
            f"ไฟล์ใหญ่ {len(data) / 2**20:.1f} MB เกินขีดจำกัด {limits.max_file_bytes / 2**20:.0f} MB",
            f"the file is {len(data) / 2**20:.1f} MB, over the limit of {limits.max_file_bytes / 2**20:.0f} MB",
        )
    if not data.strip():
        raise EmptyDocumentError("ไฟล์ว่างเปล่า", "the file is empty")
    fmt = sniff_format(data, filename)
    if fmt in ("txt", "md"):
        from kcapture.ingest.plaintext import read_plaintext

        return read_plaintext(data, markdown=fmt == "md")
    if fmt == "docx":
        from kcapture.ingest.docx import read_docx

        return read_docx(data, limits)
    if fmt == "pdf":
        from kcapture.ingest.pdf import read_pdf

        return read_pdf(data, limits)
    from kcapture.ingest.subtitles import read_subtitles

    return read_subtitles(data, fmt)


def read_path(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> tuple[bytes, str]:
    p = Path(path)
    try:
        if not p.is_file():
            raise UnreadableFileError(f"ไม่พบไฟล์ {p}", f"file not found: {p}")
        size = p.stat().st_size
        if size > limits.max_file_bytes:
            raise LimitExceededError(
                f"ไฟล์ใหญ่ {size / 2**20:.1f} MB เกินขีดจำกัด {limits.max_file_bytes / 2**20:.0f} MB",
                f"the file is {size / 2**20:.1f} MB, over the limit of {limits.max_file_bytes / 2**20:.0f} MB",
            )
        return p.read_bytes(), p.name
    except OSError as err:
        raise UnreadableFileError(f"เปิดไฟล์ {p} ไม่ได้", f"cannot open {p}: {err.strerror}") from err
