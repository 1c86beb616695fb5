"""OCR accuracy and speed: character error rate of scanned pages of known Thai text, and seconds per page.

The known text is the project's own sample note (kcapture/data/sample_visit.md, written for kcapture; Markdown marks
removed). Its paragraphs are laid out on A4 pages (14 pt, 1-inch margins, line spacing 1.5, lines broken between words
with the project's tokenizer) and drawn with Pillow (libraqm shapes the Thai marks) in several Thai fonts of
fonts-thai-tlwg at several resolutions, clean and as a poor scan (rotated by 0.8 degrees, speckle noise, blurred).
Each page image is read through the whole reading step as a user's upload is (kcapture.pipeline.document_from_bytes:
OCR, repair, segmentation), and its text compared with the page's text.

CER = Levenshtein distance / reference length, on the texts with all whitespace removed (Thai writes no spaces
between words; where Tesseract puts or drops a space is not a character error). Seconds per page are wall-clock for
the whole reading step of one page (Tesseract runs single-threaded; the machine may be shared).

    python benchmarks/ocr_cer.py [--fonts Garuda,Loma,Norasi,Sawasdee,Waree] [--dpi 150,200,300] [--pages 1]
                                 [--conditions clean,scan]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))  # the scoring code the tests share

from ocr_pages import (  # noqa: E402
    FONT_POINTS,
    ROOT,
    SAMPLE,
    cer,
    degrade,
    render_pages,
    sample_paragraphs,
    to_png,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fonts", default="Garuda,Loma,Norasi,Sawasdee,Waree")
    parser.add_argument("--dpi", default="150,200,300")
    parser.add_argument("--pages", type=int, default=1, help="pages per font and resolution")
    parser.add_argument("--conditions", default="clean,scan")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from kcapture.ingest.ocr import ocr_available, tesseract_version
    from kcapture.pipeline import document_from_bytes

    if not ocr_available():
        print("tesseract with the Thai model is not installed: apt-get install tesseract-ocr tesseract-ocr-tha")
        return 2
    print(f"{tesseract_version()}; text: {SAMPLE.relative_to(ROOT)}; {FONT_POINTS} pt, A4; CER without whitespace")
    print(f"{'font':<10} {'dpi':>4} {'condition':<9} {'pages':>5} {'chars':>6} {'CER':>7} {'s/page':>7}")
    paragraphs = sample_paragraphs()
    all_cer: dict[tuple[str, int], list[float]] = {}
    for condition in args.conditions.split(","):
        for dpi in (int(d) for d in args.dpi.split(",")):
            for font in args.fonts.split(","):
                errors = chars = 0
                seconds = []
                pages = render_pages(paragraphs, font, dpi, max_pages=args.pages)[: args.pages]
                for n, (img, text) in enumerate(pages):
                    if condition == "scan":
                        img = degrade(img, seed=n)
                    t0 = time.perf_counter()
                    doc = document_from_bytes(to_png(img, dpi), f"page{n + 1}.png")
                    seconds.append(time.perf_counter() - t0)
                    ref = re.sub(r"\s+", "", text)
                    errors += round(cer(text, doc.text) * len(ref))
                    chars += len(ref)
                rate = errors / max(chars, 1)
                all_cer.setdefault((condition, dpi), []).append(rate)
                print(f"{font:<10} {dpi:>4} {condition:<9} {len(pages):>5} {chars:>6} {rate:>7.2%} "
                      f"{statistics.mean(seconds):>7.2f}", flush=True)
    print("mean CER by condition and resolution:")
    for (condition, dpi), rates in all_cer.items():
        print(f"  {condition:<6} {dpi:>4} dpi: {statistics.mean(rates):.2%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
