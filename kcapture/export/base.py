"""What an exporter is: an id, a file extension, a MIME type, and a function that writes analyses to a file."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kcapture.codebook import Codebook
from kcapture.document import Analysis

Writer = Callable[[list[Analysis], Path, Codebook | None], None]


@dataclass(frozen=True)
class Exporter:
    id: str
    label: str  # shown in the app's download list
    extension: str  # without the dot
    mime: str
    write: Writer
    binary: bool = True  # text formats (json, md) can go to standard output

    def to_bytes(self, analyses: list[Analysis], codebook: Codebook | None = None) -> bytes:
        """The file's bytes (for a download button): written to a temporary folder and read back."""
        with tempfile.TemporaryDirectory(prefix="kcapture-export-") as tmp:
            path = Path(tmp) / f"export.{self.extension}"
            self.write(analyses, path, codebook)
            return path.read_bytes()
