"""The datasheet (corpora/README.md) shows what the corpus files hold: every table line that
corpora/scripts/datasheet_tables.py prints from corpora/ (counts, labels, re-annotation and review changes, human
agreement) must appear in it verbatim, so a relabelled corpus cannot leave stale figures behind."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_datasheet_tables_match_the_corpus():
    out = subprocess.run([sys.executable, str(ROOT / "corpora" / "scripts" / "datasheet_tables.py")],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    readme = (ROOT / "corpora" / "README.md").read_text(encoding="utf-8")
    table_lines = [line for line in out.splitlines() if line.startswith("|") and not line.startswith("|---")]
    assert len(table_lines) > 40
    stale = [line for line in table_lines if line not in readme]
    assert not stale, f"corpora/README.md is out of date; rerun datasheet_tables.py. Stale or missing: {stale[:5]}"
