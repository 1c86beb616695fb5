"""Realistic Thai visit notes of any size and number, recombined from the project's corpus, for benchmarks.

Each note starts from one corpus document (corpora/raw/*.jsonl): its heading paragraph (title, dates, place), then its
paragraphs in order with paragraphs of other documents of the same genre woven in between (then of any genre, when a
very long note needs more), until the note reaches --chars. Paragraphs are runs of the documents' own sentences with
their recorded breaks ("\\n\\n" between paragraphs, "\\n" between list items or lines, " " or "" between sentences),
so notes keep the corpus's mix of report prose, bullet field notes, transcripts and PDF-extract line breaks. A note is
cut at a sentence end, never inside a sentence. Every note differs from every other (a repeated draw is redrawn).

Deterministic: the same --seed, --files, --chars (and --spread) give byte-identical files, .docx included (fixed
timestamps inside the zip).

    python benchmarks/generate_notes.py OUT_DIR [--files 20] [--chars 3000] [--spread 0] [--seed 7] [--format txt|docx]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import random
import sys
import zipfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kcapture.corpus import read_documents  # noqa: E402

CORPUS = ROOT / "corpora" / "raw"


@dataclass(frozen=True)
class Part:
    """One corpus sentence placed in a note: its text, labels and the break that follows it."""

    text: str
    brk: str
    themes: tuple[str, ...]
    facet: str | None
    doc: str


Paragraph = list[Part]


def _paragraphs(doc: dict) -> list[Paragraph]:
    out: list[Paragraph] = []
    cur: Paragraph = []
    for s in doc["sentences"]:
        cur.append(Part(s["text"], s.get("break", " "), tuple(s.get("themes") or ()), s.get("facet"), doc["doc_id"]))
        if "\n\n" in cur[-1].brk:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


class NoteGenerator:
    def __init__(self, docs: list[dict] | None = None, seed: int = 7):
        self.docs = docs if docs is not None else read_documents(CORPUS)
        if not self.docs:
            raise SystemExit(f"no corpus documents in {CORPUS}")
        self.paras = {d["doc_id"]: _paragraphs(d) for d in self.docs}
        self.by_genre: dict[str, list[dict]] = {}
        for d in self.docs:
            self.by_genre.setdefault(d.get("genre") or "other", []).append(d)
        self.rng = random.Random(seed)
        self.seen: set[str] = set()

    def compose(self, chars: int) -> list[Part]:
        """The sentences of one new note of about `chars` characters (never fewer than one whole paragraph)."""
        rng = self.rng
        base = rng.choice(self.docs)
        head, *body = self.paras[base["doc_id"]] or [[]]
        donors = self._donor_paragraphs(base)
        parts: list[Part] = list(head)
        size = sum(len(p.text) + len(p.brk) for p in parts)
        queue = list(reversed(body))
        while size < chars:
            # Mostly the base document's own paragraphs in order; sometimes (and once they run out) a donor's.
            para = queue.pop() if queue and rng.random() < 0.7 else next(donors)
            if parts and "\n\n" not in parts[-1].brk:
                parts[-1] = Part(parts[-1].text, "\n\n", parts[-1].themes, parts[-1].facet, parts[-1].doc)
            for p in para:
                if size >= chars and parts and len(parts) > len(head):
                    break
                parts.append(p)
                size += len(p.text) + len(p.brk)
        return parts

    def _donor_paragraphs(self, base: dict):
        """Body paragraphs of other documents: the same genre first, then any, then round the corpus again."""
        rng = self.rng
        same = [d for d in self.by_genre[base.get("genre") or "other"] if d["doc_id"] != base["doc_id"]]
        ids = {d["doc_id"] for d in same} | {base["doc_id"]}
        rest = [d for d in self.docs if d["doc_id"] not in ids]
        rng.shuffle(same)
        rng.shuffle(rest)
        order = same + rest
        while True:
            for d in order:
                yield from self.paras[d["doc_id"]][1:]
            order = rng.sample(self.docs, len(self.docs))

    def note(self, chars: int) -> list[Part]:
        """A note unlike any this generator made before (redrawn on the rare repeat)."""
        for _ in range(50):
            parts = self.compose(chars)
            key = hashlib.sha1(render(parts).encode("utf-8")).hexdigest()
            if key not in self.seen:
                self.seen.add(key)
                return parts
        raise SystemExit("cannot make another distinct note of this size from the corpus; ask for larger --chars")


def render(parts: list[Part]) -> str:
    return ("".join(p.text + p.brk for p in parts)).rstrip() + "\n"


# --------------------------------------------------------------------------------------------------------------------
# Writing files
# --------------------------------------------------------------------------------------------------------------------

_FIXED_TIME = datetime(2024, 1, 1, 0, 0, 0)


def docx_bytes(text: str) -> bytes:
    """A Word file: the first line as a heading, every other non-empty line a paragraph. Byte-identical per text."""
    import docx

    d = docx.Document()
    d.core_properties.created = _FIXED_TIME
    d.core_properties.modified = _FIXED_TIME
    d.core_properties.last_modified_by = "kcapture benchmarks"
    d.core_properties.author = "kcapture benchmarks"
    lines = [line for line in text.split("\n") if line.strip()]
    for i, line in enumerate(lines):
        if i == 0:
            d.add_heading(line, level=1)
        else:
            d.add_paragraph(line)
    raw = io.BytesIO()
    d.save(raw)
    # python-docx stamps every zip member with the current time: rewrite them with a fixed one.
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def generate(out_dir: str | Path, files: int = 20, chars: int = 3000, seed: int = 7, fmt: str = "txt",
             spread: float = 0.0, prefix: str = "note") -> list[Path]:
    """Write `files` notes of about `chars` characters (each ± spread × chars) into out_dir; return their paths."""
    if fmt not in ("txt", "docx"):
        raise ValueError("format must be txt or docx")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    gen = NoteGenerator(seed=seed)
    width = max(4, len(str(files)))
    paths = []
    for i in range(files):
        size = chars if not spread else max(200, int(chars * gen.rng.uniform(1 - spread, 1 + spread)))
        text = render(gen.note(size))
        path = out / f"{prefix}-{i + 1:0{width}d}.{fmt}"
        path.write_bytes(text.encode("utf-8") if fmt == "txt" else docx_bytes(text))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out_dir")
    parser.add_argument("--files", type=int, default=20, help="number of notes (default 20)")
    parser.add_argument("--chars", type=int, default=3000, help="characters per note (default 3000)")
    parser.add_argument("--spread", type=float, default=0.0,
                        help="vary each note's size by up to this fraction, e.g. 0.5 (default 0: all the same)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--format", default="txt", choices=["txt", "docx"])
    parser.add_argument("--prefix", default="note", help="file name prefix (default note)")
    args = parser.parse_args(argv)
    if args.files < 1 or args.chars < 1 or not 0 <= args.spread < 1:
        parser.error("--files and --chars must be positive, --spread in [0, 1)")
    paths = generate(args.out_dir, args.files, args.chars, args.seed, args.format, args.spread, args.prefix)
    total = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} {args.format} notes ({total / 1e6:.2f} MB) to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
