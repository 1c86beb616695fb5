"""Readers: file bytes -> Extracted blocks, chosen by content first and by file extension second."""

from __future__ import annotations

from pathlib import Path

from kcapture.errors import EmptyDocumentError, UnreadableFileError, UnsupportedFormatError
from kcapture.ingest.base import Extracted, Progress, Reader
from kcapture.limits import DEFAULT_LIMITS, Limits, file_too_large


def __getattr__(name: str):
    if name == "SUPPORTED":  # computed from the registry when asked for: importing kcapture.ingest stays cheap
        return supported_formats()
    raise AttributeError(name)


def _readers() -> list[Reader]:
    from kcapture.registry import READERS

    return [reader for _, reader in READERS.items()]


def supported_formats() -> tuple[str, ...]:
    """Every file extension some registered reader reads (the internal "line" format is recognised by content)."""
    return tuple(f for r in _readers() for f in r.formats if f != "line")


def choose_reader(data: bytes, filename: str) -> tuple[Reader, str]:
    """The reader for these bytes, and the format it should read them as: content first, the extension second."""
    ext = Path(filename).suffix.lower().lstrip(".")
    head = data[:2048]
    readers = _readers()
    for r in readers:
        if r.strong and r.recognise is not None and r.recognise(head, data, ext):
            return r, _format(r, head, ext)
    if head.startswith(b"PK\x03\x04"):  # a zip that is not a Word file
        raise _unsupported(ext or "zip")
    for r in readers:
        if ext in r.formats:
            return r, _format(r, head, ext)
    for r in readers:
        if not r.strong and r.recognise is not None and r.recognise(head, data, ext):
            return r, r.formats[0]
    raise _unsupported(ext)


def _format(reader: Reader, head: bytes, ext: str) -> str:
    if reader.format_of is not None:
        return reader.format_of(head, ext)
    return ext if ext in reader.formats else reader.formats[0]


def sniff_format(data: bytes, filename: str) -> str:
    return choose_reader(data, filename)[1]


def _unsupported(ext: str) -> UnsupportedFormatError:
    names = ", ".join("." + e for e in supported_formats())
    shown = f".{ext}" if ext else "(ไม่มีนามสกุล / no extension)"
    return UnsupportedFormatError(
        f"ไม่รองรับไฟล์ {shown} รองรับเฉพาะ {names}", f"unsupported file type {shown}; supported: {names}"
    )


def read_bytes(data: bytes, filename: str, limits: Limits = DEFAULT_LIMITS, progress: Progress | None = None
               ) -> Extracted:
    """Read an upload (bytes + the name the user gave it) with the registered reader that recognises it.

    `progress(done, total)` reports pages read with OCR (scanned PDFs, page images): (0, n) before the first page,
    then once after each page. Other formats read in one step and never call it.
    """
    if len(data) > limits.max_file_bytes:
        raise file_too_large(len(data), limits)
    if not data.strip():
        raise EmptyDocumentError("ไฟล์ว่างเปล่า", "the file is empty")
    reader, fmt = choose_reader(data, filename)
    return reader.read(data, fmt, limits, progress)


def read_path(path: str | Path, limits: Limits = DEFAULT_LIMITS) -> tuple[bytes, str]:
    p = Path(path)
    try:
        if not p.is_file():
            raise UnreadableFileError(f"ไม่พบไฟล์ {p}", f"file not found: {p}")
        size = p.stat().st_size
        if size > limits.max_file_bytes:
            raise file_too_large(size, limits)
        return p.read_bytes(), p.name
    except OSError as err:
        raise UnreadableFileError(f"เปิดไฟล์ {p} ไม่ได้", f"cannot open {p}: {err.strerror}") from err
