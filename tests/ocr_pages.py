"""Shared by tests/ and benchmarks/ocr_cer.py (which prints the figures): OCR accuracy and speed: character error rate
of scanned pages of known Thai text, and seconds per page."""

from __future__ import annotations

import io
import os
import random
import re
from pathlib import Path

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "kcapture" / "data" / "sample_visit.md"
TLWG = Path("/usr/share/fonts/truetype/tlwg")
A4_INCHES = (8.27, 11.69)
FONT_POINTS = 14
LINE_SPACING = 1.5
MARGIN_INCHES = 1.0


def sample_paragraphs() -> list[str]:
    """The sample note's paragraphs, Markdown heading and list marks removed."""
    paras = []
    for block in SAMPLE.read_text(encoding="utf-8").split("\n\n"):
        for line in block.split("\n"):
            line = re.sub(r"^(?:#+|[-*]|\d+\.)\s+", "", line.strip())
            if line:
                paras.append(line)
    return paras


def _wrap(text: str, font, width: float) -> list[str]:
    """Break a paragraph into lines no wider than `width`, between words (Thai has no spaces to break at)."""
    from kcapture.thai.tokenize import default_tokenizer

    lines, line = [], ""
    for word in default_tokenizer().words(text):
        if line and font.getlength(line + word, language="th") > width:
            lines.append(line.rstrip())
            line = word.lstrip()
        else:
            line += word
    if line.strip():
        lines.append(line.rstrip())
    return lines


def render_pages(paragraphs: list[str], font_name: str, dpi: int, max_pages: int | None = None):
    """A4 page images (Pillow, mode L) of the paragraphs, and each page's text (its lines, paragraphs joined)."""
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(TLWG / f"{font_name}.ttf"), round(FONT_POINTS * dpi / 72))
    width, height = round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi)
    margin = round(MARGIN_INCHES * dpi)
    step = round(FONT_POINTS * dpi / 72 * LINE_SPACING)
    pages: list[tuple[object, str]] = []

    def blank():
        page = Image.new("L", (width, height), 255)
        return page, ImageDraw.Draw(page), margin, []

    img, draw, y, texts = blank()
    for para in paragraphs:
        lines = _wrap(para, font, width - 2 * margin)
        if y + step * len(lines) > height - margin and texts:
            pages.append((img, "\n".join(texts)))
            if max_pages and len(pages) >= max_pages:
                return pages
            img, draw, y, texts = blank()
        for line in lines:
            draw.text((margin, y), line, font=font, fill=0, language="th")
            y += step
        texts.append("".join(lines))
        y += step // 2  # paragraph spacing
    pages.append((img, "\n".join(texts)))
    return pages


def degrade(img, seed: int = 0):
    """A poor scan: rotated by 0.8 degrees, speckled with noise, slightly blurred."""
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    out = img.rotate(0.8, resample=Image.BICUBIC, expand=False, fillcolor=255)
    px = out.load()
    w, h = out.size
    for _ in range(w * h // 400):  # 0.25 % of the pixels flipped to a random grey
        px[rng.randrange(w), rng.randrange(h)] = rng.randrange(0, 256)
    return out.filter(ImageFilter.GaussianBlur(0.6))


def to_png(img, dpi: int) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(dpi, dpi))
    return buf.getvalue()


def to_scanned_pdf(images, dpi: int) -> bytes:
    """A PDF made of page images only (no text layer), as a scanner writes it."""
    buf = io.BytesIO()
    first, *rest = [im.convert("L") for im in images]
    first.save(buf, format="PDF", save_all=True, append_images=rest, resolution=dpi)
    return buf.getvalue()


def levenshtein(a: str, b: str) -> int:
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate with whitespace ignored, both sides in the same repaired form."""
    from kcapture.ingest.repair import repair_text

    ref = re.sub(r"\s+", "", repair_text(reference).text)
    hyp = re.sub(r"\s+", "", hypothesis)
    return levenshtein(ref, hyp) / max(len(ref), 1)
