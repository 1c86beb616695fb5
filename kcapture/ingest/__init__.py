"""Readers: file bytes -> Extracted blocks, chosen by content first and by file extension second."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from kcapture.errors import (
    EmptyDocumentError,
    KcaptureError,
    LimitExceededError,
    UnreadableFileError,
    UnsupportedFormatError,
)
from kcapture.ingest.base import Extracted
from kcapture.limits import DEFAULT_LIMITS, Limits

SUPPORTED = ("txt", "md", "docx", "pdf", "srt", "vtt", "png", "jpg", "jpeg", "tif", "tiff")
_IMAGE_MAGIC = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpg", b"II*\x00": "tif", b"MM\x00*": "tif"}
_IMAGE_EXT = {"png": "png", "jpg": "jpg", "jpeg": "jpg", "tif": "tif", "tiff": "tif"}
_SRT = re.compile(rb"^\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.M)


def sniff_format(data: bytes, filename: str) -> str:
    ext = Path(filename).suffix.lower().lstrip(".")
    head = data[:2048]
    if b"%PDF-" in head[:1024]:
        return "pdf"
    for magic, image in _IMAGE_MAGIC.items():
        if head.startswith(magic):
            return image
    if head.startswith(b"PK\x03\x04"):
        if ext == "docx" or _zip_has(data, "word/document.xml"):
            return "docx"
        raise _unsupported(ext or "zip")
    if ext in _IMAGE_EXT:
        return _IMAGE_EXT[ext]  # not an image by its first bytes: the image reader says it cannot open it
    if ext in ("txt", "") and _looks_like_line_chat(data):
        return "line"
    if ext in SUPPORTED:
        return ext
    stripped = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped.startswith(b"WEBVTT"):
        return "vtt"
    if _SRT.match(stripped):
        return "srt"
    raise _unsupported(ext)


def _looks_like_line_chat(data: bytes) -> bool:
    from kcapture.ingest.encoding import decode_text
    from kcapture.ingest.line_chat import looks_like_line_chat

    try:
        text, _ = decode_text(data[:65536])
    except KcaptureError:
        return False
    return looks_like_line_chat(text)


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


def read_bytes(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS,
               progress: Callable[[int, int], None] | None = None) -> Extracted:
    """Read an upload (bytes + the name the user gave it).

    `progress(done, total)` reports pages read with OCR (scanned PDFs, page images): (0, n) before the first page,
    then once after each page. Other formats read in one step and never call it.
    """
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

        return read_pdf(data, limits, progress)
    if fmt in ("png", "jpg", "tif"):
        from kcapture.ingest.ocr import read_image

        return read_image(data, fmt, limits, progress)
    if fmt == "line":
        from kcapture.ingest.line_chat import read_line_chat

        return read_line_chat(data)
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
