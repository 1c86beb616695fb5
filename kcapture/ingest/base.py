"""What every reader returns: the blocks it found, in reading order, and where they sit in the text it extracted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kcapture.document import Block
from kcapture.limits import Limits

Progress = Callable[[int, int], None]


@dataclass
class Extracted:
    format: str
    blocks: list[Block]
    metadata: dict[str, Any] = field(default_factory=dict)
    # For plain-text formats, the decoded file itself; block_starts gives each block's offset in it.
    # Readers of structured formats leave both empty and the source text is the blocks joined.
    source_text: str | None = None
    block_starts: list[int] | None = None


@dataclass(frozen=True)
class Reader:
    """A reader as kcapture.registry.READERS lists it.

    `formats`: the file extensions it reads (the first is the format it reports). `recognise(head, data, ext)`: whether
    the bytes are its format, by their content; `strong` recognisers (magic bytes) are asked before the file's
    extension is trusted, the others only when the extension says nothing. `read(data, fmt, limits, progress)`.
    """

    name: str
    formats: tuple[str, ...]
    read: Callable[[bytes, str, Limits, Progress | None], Extracted]
    recognise: Callable[[bytes, bytes, str], bool] | None = None
    strong: bool = False
    format_of: Callable[[bytes, str], str] | None = None  # the format by content, where one reader reads several
