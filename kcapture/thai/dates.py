"""Buddhist-Era dates and ranges in Thai text -> ISO Common-Era dates.

Handles full and abbreviated month names, Thai digits, two-digit BE years (62 = 2562 = 2019), "พ.ศ." before the
year, and ranges such as "14-19 มิถุนายน 2562", "16 มิถุนายน-15 กรกฎาคม 2562", "30 ก.ย. - 2 ต.ค. 2563".
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass

from kcapture.thai.numbers import to_arabic_digits

MONTHS: dict[str, int] = {}
_FULL = ["มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน",
         "ตุลาคม", "พฤศจิกายน", "ธันวาคม"]
_ABBR = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]
for _i, (_f, _a) in enumerate(zip(_FULL, _ABBR, strict=True), start=1):
    MONTHS[_f] = _i
    MONTHS[_a] = _i
    MONTHS[_a.replace(".", "")] = _i  # "มิย" typed without dots
    MONTHS[_a.rstrip(".")] = _i  # "มิ.ย" without the last dot

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_YEAR = r"(?:(?:พ\.\s?ศ\.|ค\.\s?ศ\.|ปี)\s*)?(?P<{name}>\d{{4}}|\d{{2}})(?!\d)"
# A day opens each pattern; "not after another digit" is checked after its first digit, not before it, so that the
# engine skips ahead to the digits of a long text instead of trying the whole pattern at every position.
_DATE_RANGE = re.compile(
    r"(?P<d1>\d(?<!\d\d)\d?)(?:\s*(?P<m1>" + _MONTH_ALT + r")(?:\s*" + _YEAR.format(name="y1") + r")?)?"
    r"\s*(?:-|–|—|ถึง|ถึงวันที่)\s*(?:วันที่\s*)?"
    r"(?P<d2>\d{1,2})\s*(?P<m2>" + _MONTH_ALT + r")\s*" + _YEAR.format(name="y2")
)
_DATE = re.compile(r"(?P<d>\d(?<!\d\d)\d?)\s*(?P<m>" + _MONTH_ALT + r")\s*" + _YEAR.format(name="y"))


@dataclass
class DateMention:
    start: int
    end: int
    text: str
    date_start: str  # ISO, Common Era
    date_end: str


def to_ce_year(year: str) -> int:
    """A year as written in Thai documents -> Common Era. Four digits >= 2400 are BE; two digits are BE 25xx."""
    y = int(year)
    if len(year) <= 2:
        return 2500 + y - 543
    return y - 543 if y >= 2400 else y


def _iso(day: str, month: str, year: str) -> str | None:
    try:
        return dt.date(to_ce_year(year), MONTHS[month], int(day)).isoformat()
    except (ValueError, KeyError):
        return None


def find_dates(text: str) -> list[DateMention]:
    """Every date and date range in `text`, in order, with offsets into `text`."""
    norm = to_arabic_digits(text)  # one character for one: offsets stay valid
    found: list[DateMention] = []
    # The ranges found, in order and not overlapping: a single date inside one is part of it.
    taken_starts: list[int] = []
    taken_ends: list[int] = []
    for m in _DATE_RANGE.finditer(norm):
        y2 = m.group("y2")
        m2 = m.group("m2")
        end = _iso(m.group("d2"), m2, y2)
        m1 = m.group("m1") or m2
        y1 = m.group("y1")
        if y1 is None:
            # "30 ธ.ค. - 2 ม.ค. 2563": the first date is in the year before.
            y1 = str(int(y2) - 1) if MONTHS[m1] > MONTHS[m2] else y2
            y1 = y1.zfill(len(y2))
        start = _iso(m.group("d1"), m1, y1)
        if start and end and start <= end:
            found.append(DateMention(m.start(), m.end(), text[m.start() : m.end()], start, end))
            taken_starts.append(m.start())
            taken_ends.append(m.end())
    for m in _DATE.finditer(norm):
        i = bisect.bisect_right(taken_starts, m.start()) - 1
        if i >= 0 and m.start() < taken_ends[i]:
            continue
        iso = _iso(m.group("d"), m.group("m"), m.group("y"))
        if iso:
            found.append(DateMention(m.start(), m.end(), text[m.start() : m.end()], iso, iso))
    return sorted(found, key=lambda d: d.start)


def parse_date_range(text: str) -> tuple[str, str] | None:
    """The first date or range in `text` as (start, end) ISO dates, or None."""
    dates = find_dates(text)
    return (dates[0].date_start, dates[0].date_end) if dates else None
