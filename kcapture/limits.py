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
    max_text_chars: int = 20_000_000  # extracted text of one document
    max_pdf_pages: int = 500
    max_docx_uncompressed_bytes: int = 200 * 1024 * 1024  # sum of the zip members we read (zip-bomb guard)
    max_docx_compression_ratio: int = 200  # a member expanding more than this is treated as a bomb

    @classmethod
    def from_env(cls) -> Limits:
        base = cls()
        return cls(
            max_file_bytes=_env_int("KCAPTURE_MAX_FILE_BYTES", base.max_file_bytes),
            max_text_chars=_env_int("KCAPTURE_MAX_TEXT_CHARS", base.max_text_chars),
            max_pdf_pages=_env_int("KCAPTURE_MAX_PDF_PAGES", base.max_pdf_pages),
            max_docx_uncompressed_bytes=_env_int("KCAPTURE_MAX_DOCX_BYTES", base.max_docx_uncompressed_bytes),
            max_docx_compression_ratio=base.max_docx_compression_ratio,
        )


DEFAULT_LIMITS = Limits.from_env()
