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
        pytest.skip(f"needs ../shared beside the repository (the real sample report {SAMPLE.name} is read in place, "
                    "never copied into the project); CI has it")
    return SAMPLE
