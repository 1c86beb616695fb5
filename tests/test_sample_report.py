"""The shared real progress report (../shared/samples) read, repaired and segmented as a user expects."""

import json
import subprocess
import sys

from kcapture.pipeline import load_document
from kcapture.thai.dates import find_dates


def test_objectives_are_separate_sentences(sample_path):
    doc = load_document(sample_path)
    doc.check_offsets()
    items = [s.text for s in doc.sentences if s.kind == "list_item"]
    objectives = [t for t in items if t.lstrip().startswith(("1.", "2.", "3."))]
    assert [t.lstrip()[:2] for t in objectives[:3]] == ["1.", "2.", "3."]
    # Each objective is one sentence: the next numbered item is never inside it.
    assert all(t.count("ผู้เข้าร่วม") == 1 for t in objectives[:3])


def test_date_range_parsed(sample_path):
    doc = load_document(sample_path)
    ranges = {(d.date_start, d.date_end) for d in find_dates(doc.text)}
    assert ("2019-06-14", "2019-06-19") in ranges
    assert ("2019-06-16", "2019-07-15") in ranges


def test_segment_cli_prints_one_json_object_per_sentence(sample_path):
    out = subprocess.run([sys.executable, "-m", "kcapture", "segment", str(sample_path)],
                         capture_output=True, text=True, check=True)
    text = sample_path.read_text(encoding="utf-8")
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    # 21 lines of text, some of them several sentences long; whole sentences, never fragments (issue 11).
    assert len(rows) >= 15
    for r in rows:
        assert r["text"].count("(") == r["text"].count(")"), r["text"]  # never cut inside parentheses
    assert [r["id"] for r in rows] == list(range(len(rows)))
    for r in rows:
        assert set(r) == {"id", "start", "end", "text", "tokens"}
        assert "".join(r["tokens"]) == r["text"].replace(" ", "").replace("\u00a0", "")
    # The sample is clean UTF-8 apart from no-break spaces, so sentences are found in the file as written.
    assert sum(r["text"] in text.replace("\u00a0", " ") for r in rows) >= len(rows) * 0.8


def test_cli_error_is_one_line_without_traceback(tmp_path):
    bad = tmp_path / "notes.doc"
    bad.write_bytes(b"\xd0\xcf\x11\xe0 old word file")
    out = subprocess.run([sys.executable, "-m", "kcapture", "segment", str(bad)], capture_output=True, text=True)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert ".docx" in out.stderr
