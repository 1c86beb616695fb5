"""Join a reader's blocks into one repaired Document text, keeping the offset map back to the extracted text."""

from __future__ import annotations

from array import array
from collections import Counter

from kcapture.document import BlockSpan, Document
from kcapture.errors import EmptyDocumentError, LimitExceededError
from kcapture.ingest.base import Extracted
from kcapture.ingest.repair import extend_offsets, repair_blocks
from kcapture.limits import DEFAULT_LIMITS, Limits

_TIGHT = {"list_item", "table_cell", "cue"}  # consecutive blocks of these kinds are separated by one newline


def _separator(prev_kind: str | None, kind: str) -> str:
    if prev_kind is None:
        return ""
    return "\n" if prev_kind == kind and kind in _TIGHT else "\n\n"


def check_text_size(chars: int, blocks: int, limits: Limits) -> None:
    """Refuse a document whose text (so far) is over the character or block limit; readers call it as they go."""
    if chars > limits.max_text_chars:
        raise LimitExceededError(
            f"ข้อความยาว {chars:,} ตัวอักษร เกินขีดจำกัด {limits.max_text_chars:,} ตัวอักษร",
            f"the text has {chars:,} characters, over the limit of {limits.max_text_chars:,}",
        )
    if blocks > limits.max_blocks:
        raise LimitExceededError(
            f"เอกสารมี {blocks:,} ย่อหน้า เกินขีดจำกัด {limits.max_blocks:,} ย่อหน้า",
            f"the document has {blocks:,} paragraphs, over the limit of {limits.max_blocks:,}",
        )


def build_document(extracted: Extracted, name: str, limits: Limits = DEFAULT_LIMITS) -> Document:
    blocks = extracted.blocks
    if extracted.source_text is not None and extracted.block_starts is not None:
        source_text = extracted.source_text
        starts = extracted.block_starts
    else:
        parts: list[str] = []
        starts = []
        pos = 0
        prev = None
        for block in blocks:
            sep = _separator(prev, block.kind)
            parts.append(sep)
            pos += len(sep)
            starts.append(pos)
            parts.append(block.text)
            pos += len(block.text)
            prev = block.kind
        source_text = "".join(parts)
    check_text_size(len(source_text), len(blocks), limits)

    text_parts: list[str] = []
    offsets = array("q")  # compact: one 8-byte entry per character of the document
    spans: list[BlockSpan] = []
    counts: Counter = Counter()
    pos = 0
    prev_kind = None
    repaired = repair_blocks([block.text for block in blocks], starts)
    for block, start, fixed in zip(blocks, starts, repaired, strict=True):
        counts.update(fixed.counts)
        # Trim surrounding whitespace by slicing, so the offset map stays aligned.
        body = fixed.text
        left = len(body) - len(body.lstrip())
        right = len(body.rstrip())
        if right <= left:
            continue
        sep = _separator(prev_kind, block.kind)
        for _ in sep:
            offsets.append(fixed.offsets[left])
        pos += len(sep)
        text_parts.append(sep)
        text_parts.append(body[left:right])
        extend_offsets(offsets, fixed.offsets[left:right])
        cues = None
        if block.cues:
            cues = []
            for rel, a, b in block.cues:
                # The cue's first character in the repaired text: the first output char mapped at or after it.
                target = start + rel
                k = next((j for j in range(left, right) if fixed.offsets[j] >= target), left)
                cues.append((pos + k - left, a, b))
        spans.append(
            BlockSpan(start=pos, end=pos + right - left, kind=block.kind, level=block.level, speaker=block.speaker,
                      time_start=block.time_start, time_end=block.time_end, page=block.page, cues=cues)
        )
        pos += right - left
        prev_kind = block.kind
    text = "".join(text_parts)
    offsets.append(offsets[-1] + 1 if offsets else 0)
    if not text.strip():
        raise EmptyDocumentError("ไฟล์นี้ไม่มีข้อความ", "this file contains no text")
    meta = dict(extracted.metadata)
    return Document(name=name, format=extracted.format, text=text, source_text=source_text, source_offsets=offsets,
                    blocks=spans, metadata=meta, repairs=dict(counts))
