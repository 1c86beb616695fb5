"""Subtitle files (.srt, .vtt) from transcription tools: cues joined into running text per speaker turn.

Each turn block keeps its cues' times, so every sentence can say when it was spoken and by whom.
"""

from __future__ import annotations

import re

from kcapture.document import Block
from kcapture.errors import UnreadableFileError
from kcapture.ingest.base import Extracted, Reader
from kcapture.ingest.encoding import decode_text

TIME = re.compile(
    r"(?P<a>(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*(?P<b>(?:\d{1,2}:)?\d{1,2}:\d{2}[.,]\d{1,3})"
)
# Bounded: an unclosed "<v x" repeated would make an unbounded pattern retry to the end of the cue from each one.
VOICE = re.compile(r"<v(?:\.[^\s<>]{0,40})?[ \t]+([^<>\n]{1,100})>")
TAG = re.compile(r"</?[^>]{1,40}>")
LABEL = re.compile(r"^\s*(?:\[([^\]]{1,30})\]|([^\s:：]{1,20}(?:\s[^\s:：]{1,12})?)\s*[:：])\s*")


def _norm_time(t: str) -> str:
    t = t.replace(",", ".")
    if t.count(":") == 1:
        t = "00:" + t
    h, m, rest = t.split(":")
    return f"{int(h):02d}:{int(m):02d}:{rest}"


def read_subtitles(data: bytes, fmt: str) -> Extracted:
    text, encoding = decode_text(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if fmt == "vtt" and not text.lstrip().startswith("WEBVTT"):
        raise UnreadableFileError("ไฟล์ .vtt ต้องขึ้นต้นด้วย WEBVTT", "a .vtt file must start with WEBVTT")
    cues: list[tuple[str | None, str, str, str]] = []  # speaker, start, end, text
    for chunk in re.split(r"\n\s*\n", text):
        lines = [line for line in chunk.split("\n") if line.strip()]
        for i, line in enumerate(lines):
            m = TIME.search(line)
            if not m:
                continue
            body = " ".join(lines[i + 1 :]).strip()
            speaker = None
            v = VOICE.search(body)
            if v:
                speaker = v.group(1).strip()
            body = TAG.sub("", body).strip()
            label = LABEL.match(body)
            if label and not speaker:
                speaker = (label.group(1) or label.group(2)).strip()
            if body:
                cues.append((speaker, _norm_time(m.group("a")), _norm_time(m.group("b")), body))
            break
    if not cues:
        raise UnreadableFileError(
            f"ไม่พบคำบรรยาย (cue) ในไฟล์ .{fmt}", f"no subtitle cues with times found in this .{fmt} file"
        )
    blocks: list[Block] = []
    turn: list[tuple[str | None, str, str, str]] = []

    def close_turn() -> None:
        if not turn:
            return
        parts: list[str] = []
        cue_spans: list[tuple[int, str, str]] = []
        pos = 0
        for _, a, b, body in turn:
            cue_spans.append((pos, a, b))
            parts.append(body)
            pos += len(body) + 1
        blocks.append(
            Block(text=" ".join(parts), kind="cue", speaker=turn[0][0], time_start=turn[0][1], time_end=turn[-1][2],
                  cues=cue_spans)
        )
        turn.clear()

    for cue in cues:
        # A named speaker opens a new turn; unnamed cues continue the current one.
        if turn and cue[0] is not None and cue[0] != turn[0][0]:
            close_turn()
        turn.append(cue)
    close_turn()
    return Extracted(fmt, blocks, {"encoding": encoding, "cues": len(cues)})


_SRT = re.compile(rb"^\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.M)


def _stripped(head: bytes) -> bytes:
    return head.lstrip(b"\xef\xbb\xbf \r\n\t")


VTT_READER = Reader("vtt", ("vtt",), lambda data, fmt, limits, progress: read_subtitles(data, "vtt"),
                    lambda head, data, ext: _stripped(head).startswith(b"WEBVTT"))
SRT_READER = Reader("srt", ("srt",), lambda data, fmt, limits, progress: read_subtitles(data, "srt"),
                    lambda head, data, ext: bool(_SRT.match(_stripped(head))))
