"""Plain text and Markdown: paragraphs, headings, list items and speaker turns found from the layout of lines."""

from __future__ import annotations

import re
from collections import Counter

from kcapture.document import Block
from kcapture.ingest.base import Extracted, Reader
from kcapture.ingest.encoding import decode_text

LIST_ITEM = re.compile(r"^[ \t]*(?:[-•*●▪◦○➢✓–\uf0b7\uf0a7]|\(?(?:\d{1,3}|[๐-๙]{1,3}|[ก-ฮ])[.)](?!\d))[ \t]*\S")
MD_HEADING = re.compile(r"^(#{1,6})[ \t]+\S")
# What stays out of a Markdown block's text (the block's kind and level say it): a heading's hashes (and closing
# hashes), a bullet and the spaces after it. A numbered item keeps its number ("1. ...", "ก. ..."): it is the writer's
# own numbering. A "-" before a digit is a minus sign, not a bullet. Plain text keeps its lines as typed.
MD_HEADING_MARKS = re.compile(r"^#{1,6}[ \t]+|[ \t]+#+[ \t]*$")
BULLET = re.compile(r"^[ \t]*[-•*●▪◦○➢✓–\uf0b7\uf0a7](?:[ \t]+|(?=[^\d\s]))")
# "พี่แดง: ...", "ผู้เข้าร่วม 3 : ...", "09:14 น้องฝน: ..."; the label is short and has no sentence in it.
SPEAKER = re.compile(
    r"^[ \t]*(?:\[?\d{1,2}[:.]\d{2}(?::\d{2})?\]?[ \t]+)?"  # an optional chat time stamp
    r"([^\s:：\[\]()]{1,20}(?:[ \t][^\s:：\[\]()]{1,12})?)[ \t]*[:：][ \t]*\S"
)
# A page number on a line of its own, as text copied from a PDF or a printed report keeps it: "- 12 -", "หน้า 3/10".
PAGE_NUMBER_LINE = re.compile(
    r"^[ \t]*(?:[-–—][ \t]?[\d๐-๙]{1,4}[ \t]?[-–—]|(?:หน้า|หน้าที่|page)[ \t]?[\d๐-๙]{1,4}"
    r"(?:[ \t]?(?:/|จาก|of)[ \t]?[\d๐-๙]{1,4})?|[\d๐-๙]{1,4})[ \t]*$", re.I
)
_NOT_SPEAKERS = {"วันที่", "เวลา", "สถานที่", "หมายเหตุ", "วัตถุประสงค์", "หัวข้อ", "เรื่อง", "ที่มา", "ผล", "สรุป",
                 "Note", "Date", "Time", "Venue", "http", "https"}


def read_plaintext(data: bytes, markdown: bool = False) -> Extracted:
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    speakers = _speaker_labels(lines)

    blocks: list[Block] = []
    block_starts: list[int] = []
    para: list[int] = []  # line indexes of the open paragraph

    def close_paragraph() -> None:
        if not para:
            return
        first, last = para[0], para[-1]
        body = text[starts[first] : starts[last] + len(lines[last])]
        kind = "paragraph"
        if len(para) == 1 and _looks_like_heading(body):
            kind = "heading"
        blocks.append(Block(text=body, kind=kind, level=2 if kind == "heading" else 0))
        block_starts.append(starts[first])
        para.clear()

    page_numbers = 0
    for i, line in enumerate(lines):
        if not line.strip():
            close_paragraph()
            continue
        if PAGE_NUMBER_LINE.match(line) and _stands_alone(lines, i, bare=line.strip().isdigit()):
            # Its own paragraph: never a sentence. (Inside a paragraph the repair step removes it.)
            close_paragraph()
            page_numbers += 1
            continue
        heading = MD_HEADING.match(line) if markdown else None
        speaker_match = SPEAKER.match(line)
        speaker = speaker_match.group(1) if speaker_match and speaker_match.group(1) in speakers else None
        if heading or speaker or LIST_ITEM.match(line):
            close_paragraph()
            if heading:
                blocks.append(Block(text=line, kind="heading", level=len(heading.group(1))))
            elif speaker:
                blocks.append(Block(text=line, kind="paragraph", speaker=speaker))
            else:
                indent = len(line) - len(line.lstrip())
                blocks.append(Block(text=line, kind="list_item", level=1 + indent // 2))
            block_starts.append(starts[i])
            _drop_marker(blocks, block_starts,
                         MD_HEADING_MARKS if heading else BULLET if markdown and not speaker else None)
            continue
        para.append(i)
    close_paragraph()
    fmt = "md" if markdown else "txt"
    meta = {"encoding": encoding, **({"page_numbers_dropped": page_numbers} if page_numbers else {})}
    return Extracted(fmt, blocks, meta, source_text=text, block_starts=block_starts)


def _drop_marker(blocks: list[Block], block_starts: list[int], marker: re.Pattern | None) -> None:
    """Cut the last block's leading marker (and a heading's closing hashes) out of its text, moving its start so
    offsets still point into the source text; a block that would be left empty keeps its text."""
    block = blocks[-1]
    if marker is None:
        return
    lead = marker.match(block.text)
    left = lead.end() if lead else 0
    right = len(block.text)
    if marker is MD_HEADING_MARKS:
        tail = marker.search(block.text, left)
        if tail and tail.start() >= left and tail.group().strip():
            right = tail.start()
    if block.text[left:right].strip():
        block.text = block.text[left:right]
        block_starts[-1] += left


def _stands_alone(lines: list[str], i: int, bare: bool) -> bool:
    """True if line i has a blank line (or the file's start or end) on one side; a bare number needs both sides."""
    before = i == 0 or not lines[i - 1].strip()
    after = i == len(lines) - 1 or not lines[i + 1].strip()
    return before and after if bare else before or after


def _speaker_labels(lines: list[str]) -> set[str]:
    """Labels that recur as line openers: a transcript's speakers, not one-off 'วันที่:' fields.

    When labeled lines are most of the text (a transcript), a label seen once is a speaker who spoke once.
    """
    counts = Counter()
    for line in lines:
        m = SPEAKER.match(line)
        if m and m.group(1) not in _NOT_SPEAKERS:
            counts[m.group(1)] += 1
    labeled = sum(counts.values())
    if labeled < 3:
        return set()
    recurring = {label for label, n in counts.items() if n >= 2}
    if recurring and labeled >= 0.5 * sum(1 for line in lines if line.strip()):
        return set(counts)
    return recurring


def _looks_like_heading(line: str) -> bool:
    s = line.strip()
    return 0 < len(s) <= 60 and " " not in s.strip(" :：") or (len(s) <= 40 and s.endswith((":", "：")))


TEXT_READER = Reader("txt", ("txt",), lambda data, fmt, limits, progress: read_plaintext(data, markdown=False))
MARKDOWN_READER = Reader("md", ("md",), lambda data, fmt, limits, progress: read_plaintext(data, markdown=True))
