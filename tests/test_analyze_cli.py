"""`kcapture analyze` driven like a user drives it: a subprocess, real files, the shipped model."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from kc_testdata import FIELD_NOTE, VISITS

pytestmark = pytest.mark.slow


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kcapture", "analyze", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_json_to_stdout_for_the_shared_sample(sample_path):
    out = run(str(sample_path))
    assert out.returncode == 0, out.stderr
    d = json.loads(out.stdout)
    text = sample_path.read_text(encoding="utf-8").replace("\u00a0", " ")
    v = d["visit"]
    assert (v["date_start"], v["date_end"], v["participants"]) == ("2019-06-14", "2019-06-19", 25)
    assert v["host_organizations"] == ["มูลนิธิกระจกเงา"] and len(v["projects"]) == 6
    assert d["themes"] and d["lessons"]
    ids = {t["id"] for t in d["themes"]}
    assert ids & {"strategy", "social_enterprise", "social_movement", "networks_alliances", "volunteerism",
                  "learning_leadership"}
    sentences = {s["id"]: s for s in d["sentences"]}
    for le in d["lessons"]:
        first, last = sentences[le["sentence_ids"][0]], sentences[le["sentence_ids"][-1]]
        assert (le["start"], le["end"]) == (first["start"], last["end"])
        assert le["text"].split()[0] in text  # quotes come from the notes


def test_binary_format_needs_output_one_line_error(sample_path):
    out = run(str(sample_path), "--format", "docx")
    assert out.returncode == 2
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
    assert "--output" in out.stderr
    out = run(str(sample_path.parent / "no-such-file.txt"))
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1


def test_redacted_word_report(tmp_path):
    import docx

    note = tmp_path / "nongwaeng.txt"
    note.write_text(FIELD_NOTE, encoding="utf-8")
    out = run(str(note), "--format", "docx", "--output", str(tmp_path / "report.docx"), "--redact")
    assert out.returncode == 0, out.stderr
    d = docx.Document(str(tmp_path / "report.docx"))
    text = "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])
    assert "ปกปิดข้อมูลส่วนบุคคลแล้ว / redacted" in text
    secrets = ("ประเสริฐ", "สมหวัง", "081-234-5678", "prasert.t@example.org", "3-1005-01234-56-3")
    assert not any(secret in text for secret in secrets)


def test_several_visits_from_a_folder(tmp_path, sample_path):
    visits = tmp_path / "visits"
    shutil.copytree(VISITS, visits)
    shutil.copy(sample_path, visits / sample_path.name)
    (visits / "nongwaeng.txt").write_text(FIELD_NOTE, encoding="utf-8")
    out_dir = tmp_path / "out"
    out = run(str(visits), "--format", "qdpx", "--output", str(out_dir))
    assert out.returncode == 0, out.stderr
    # Not redacted: the user is told, on one stderr line, that the notes hold personal data.
    assert "--redact" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    stems = sorted(p.stem for p in visits.iterdir())
    assert sorted(p.name for p in out_dir.glob("*.qdpx")) == sorted([f"{s}.qdpx" for s in stems] + ["combined.qdpx"])
    assert (out_dir / "combined.qdc").exists()
    with zipfile.ZipFile(out_dir / "combined.qdpx") as z:
        assert len([n for n in z.namelist() if n.startswith("sources/")]) == len(stems)


def test_two_paths_give_a_combined_report_on_stdout(sample_path):
    minutes = VISITS / "meeting-minutes-weaving-network-2566.md"
    out = run(str(sample_path), str(minutes), "--format", "md")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("# สรุปบทเรียน (Lesson summary): 2 ครั้ง / visits")
    assert "## ประเด็น × การลงพื้นที่ (Theme × visit)" in out.stdout
    header = next(line for line in out.stdout.splitlines() if line.startswith("| ประเด็น / Theme |"))
    assert sample_path.name in header and minutes.name in header


def test_a_reader_that_stops_early_gets_no_traceback(tmp_path):
    """`kcapture analyze notes.txt | head`: the report is larger than the pipe holds, the reader goes away, and the
    command (which ends its process at once after writing) exits quietly with status 0."""
    notes = tmp_path / "notes.txt"
    notes.write_text("\n\n".join([FIELD_NOTE] * 60), encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "kcapture", "analyze", str(notes)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    first = proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read().decode("utf-8")
    assert proc.wait(timeout=300) == 0, err
    assert first.startswith(b"{")
    assert "Traceback" not in err
