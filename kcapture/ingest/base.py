"""What every reader returns: the blocks it found, in reading order, and where they sit in the text it extracted."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kcapture.document import Block


@dataclass
class Extracted:
    format: str
    blocks: list[Block]
    metadata: dict[str, Any] = field(default_factory=dict)
    # For plain-text formats, the decoded file itself; block_starts gives each block's offset in it.
    # Readers of structured formats leave both empty and the source text is the blocks joined.
    source_text: str | None = None
    block_starts: list[int] | None = None
