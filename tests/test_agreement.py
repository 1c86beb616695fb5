"""Intercoder agreement (kcapture agreement): percent agreement and Cohen's kappa checked against hand computation."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kcapture.agreement import compare
from kcapture.errors import InvalidInputError

# Ten sentences, two coders. Theme "volunteerism": A codes sentences 0-3, B codes 0-2 and 4.
#   observed agreement po = 8/10; chance pe = 0.4*0.4 + 0.6*0.6 = 0.52; kappa = (0.8 - 0.52) / 0.48 = 0.58333
# Facet: A = a a a b b b c c c c, B = a a b b b b c c c a.
#   po = 8/10; pe = 0.3*0.3 + 0.3*0.4 + 0.4*0.3 = 0.33; kappa = (0.8 - 0.33) / 0.67 = 0.70149
A_FACETS = "aaabbbcccc"
B_FACETS = "aabbbbccca"
FIRST = [{"id": str(i), "themes": ["volunteerism"] if i < 4 else [], "facet": A_FACETS[i]} for i in range(10)]
SECOND = [{"id": str(i), "themes": ["volunteerism"] if i in (0, 1, 2, 4) else [], "facet": B_FACETS[i]}
          for i in range(10)]


def test_kappa_and_percent_agreement_match_the_hand_computation():
    ag = compare(FIRST, SECOND)
    assert ag.sentences == 10
    (theme,) = ag.themes
    assert theme.label == "volunteerism"
    assert theme.percent == pytest.approx(0.8)
    assert theme.kappa == pytest.approx(0.28 / 0.48, abs=1e-4)
    assert theme.f1 == pytest.approx(0.75)  # 3 shared of 4 + 4
    assert ag.facet.percent == pytest.approx(0.8)
    assert ag.facet.kappa == pytest.approx(0.47 / 0.67, abs=1e-4)
    # Sentences 3 and 4 differ on the theme, 2 and 9 on the facet.
    assert sorted(d.id for d in ag.disagreements) == ["2", "3", "4", "9"]


def test_identical_codings_agree_fully_and_a_constant_label_has_no_kappa():
    ag = compare(FIRST, FIRST)
    assert ag.facet.kappa == pytest.approx(1.0) and ag.themes[0].kappa == pytest.approx(1.0)
    assert not ag.disagreements
    none = [{"id": r["id"], "themes": [], "facet": "a"} for r in FIRST]
    ag = compare(none, none, themes=["strategy"])
    assert ag.themes[0].kappa is None and ag.themes[0].percent == 1.0


def test_codings_without_shared_ids_are_refused_with_a_message():
    with pytest.raises(InvalidInputError, match="share no sentence"):
        compare(FIRST, [{"id": "x", "themes": [], "facet": "a"}])


def test_the_command_prints_a_report_and_a_json_summary(tmp_path):
    a, b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    a.write_text("".join(json.dumps(r) + "\n" for r in FIRST), encoding="utf-8")
    b.write_text("".join(json.dumps(r) + "\n" for r in SECOND), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "kcapture", "agreement", str(a), str(b), "--output",
                          str(tmp_path / "r.json")], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout.strip().splitlines()[-1])
    assert summary["facet_kappa"] == pytest.approx(0.7015, abs=1e-3)
    assert summary["disagreements"] == 4
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert len(report["disagreements"]) == 4
    bad = subprocess.run([sys.executable, "-m", "kcapture", "agreement", str(a), str(tmp_path / "missing.jsonl")],
                         capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
