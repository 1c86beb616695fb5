"""kcapture: offline Thai knowledge capture (ถอดบทเรียน) from field-visit notes."""

__version__ = "0.1.0"
