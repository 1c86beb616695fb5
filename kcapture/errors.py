"""kcapture's own exceptions: every failure a user can cause ends in one of these, with Thai and English messages."""

from __future__ import annotations


class KcaptureError(Exception):
    """Base error. `str(err)` is one readable line: Thai first, then English."""

    def __init__(self, message_th: str, message_en: str):
        self.message_th = message_th
        self.message_en = message_en
        super().__init__(f"{message_th} / {message_en}")


class UnsupportedFormatError(KcaptureError):
    pass


class UnreadableFileError(KcaptureError):
    """The file claims a supported format but its content cannot be read (corrupt, encrypted, wrong encoding)."""


class EmptyDocumentError(KcaptureError):
    pass


class NoTextLayerError(KcaptureError):
    """A PDF made of images only (a scan); OCR is out of scope."""


class LimitExceededError(KcaptureError):
    pass


class InvalidInputError(KcaptureError):
    """Bad command-line or JSONL input (not a file-reading problem)."""


class ModelError(KcaptureError):
    pass
