import os
from pathlib import Path

import pytest

os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLE = SHARED / "samples" / "nts-cohort5-session4-progress-report-2562.txt"


@pytest.fixture
def sample_path() -> Path:
    if not SAMPLE.exists():
        pytest.fail(f"the shared sample is missing: {SAMPLE} (CI clones the project beside ../shared)")
    return SAMPLE
