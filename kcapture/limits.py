"""Size and time limits for untrusted input; every default is stated in the README ("Limits and failure behaviour")."""

from __future__ import annotations

import os
from dataclasses import dataclass


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value and value.isdigit() else default


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 50 * 1024 * 1024  # one uploaded or read file
    # Extracted text of one document. Reading and segmenting run at 100,000-500,000 characters a second and hold
    # about 170 bytes per character (tagging doubles that): 5 million characters is 10-45 s and 1-1.6 GB.
    max_text_chars: int = 5_000_000
    # Paragraphs, list items, table cells and cues of one document: each costs a fixed time whatever its length.
    max_blocks: int = 200_000
    max_pdf_pages: int = 500
    max_pdf_seconds: int = 300  # reading one PDF's text layer (a page can be built to take minutes)
    max_docx_uncompressed_bytes: int = 200 * 1024 * 1024  # sum of the zip members we read (zip-bomb guard)
    max_docx_xml_bytes: int = 64 * 1024 * 1024  # sum of its XML members, which are parsed into memory
    max_docx_compression_ratio: int = 200  # a member expanding more than this is treated as a bomb

    @classmethod
    def from_env(cls) -> Limits:
        base = cls()
        return cls(
            max_file_bytes=_env_int("KCAPTURE_MAX_FILE_BYTES", base.max_file_bytes),
            max_text_chars=_env_int("KCAPTURE_MAX_TEXT_CHARS", base.max_text_chars),
            max_blocks=_env_int("KCAPTURE_MAX_BLOCKS", base.max_blocks),
            max_pdf_pages=_env_int("KCAPTURE_MAX_PDF_PAGES", base.max_pdf_pages),
            max_pdf_seconds=_env_int("KCAPTURE_MAX_PDF_SECONDS", base.max_pdf_seconds),
            max_docx_uncompressed_bytes=_env_int("KCAPTURE_MAX_DOCX_BYTES", base.max_docx_uncompressed_bytes),
            max_docx_xml_bytes=_env_int("KCAPTURE_MAX_DOCX_XML_BYTES", base.max_docx_xml_bytes),
            max_docx_compression_ratio=base.max_docx_compression_ratio,
        )


DEFAULT_LIMITS = Limits.from_env()


def file_too_large(size: int, limits: Limits = DEFAULT_LIMITS):
    """The one message for a file over the size limit (the app, the CLI and the readers all give this one)."""
    from kcapture.errors import LimitExceededError

    mb = 2**20
    return LimitExceededError(
        f"ไฟล์ใหญ่ {size / mb:.1f} MB เกินขีดจำกัด {limits.max_file_bytes / mb:.0f} MB",
        f"the file is {size / mb:.1f} MB, over the limit of {limits.max_file_bytes / mb:.0f} MB",
    )
