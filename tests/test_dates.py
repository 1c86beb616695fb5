"""Buddhist-Era dates and ranges in Thai text -> ISO Common-Era dates; Thai numerals -> ints."""

from __future__ import annotations

import pytest

from kcapture.thai.dates import find_dates, parse_date_range, to_ce_year
from kcapture.thai.numbers import parse_int, to_arabic_digits


@pytest.mark.parametrize(
    ("text", "found", "start", "end"),
    [
        ("ลงพื้นที่ระหว่างวันที่ 14-19 มิถุนายน 2562 ที่จังหวัดน่าน", "14-19 มิถุนายน 2562", "2019-06-14", "2019-06-19"),
        ("ประชุมทีมวันที่ 1 ก.ค. 62 ที่ศาลาวัด", "1 ก.ค. 62", "2019-07-01", "2019-07-01"),
        ("จัดอบรมเมื่อ ๑๔ มิ.ย. ๒๕๖๒ มีผู้เข้าร่วม ๓๐ คน", "๑๔ มิ.ย. ๒๕๖๒", "2019-06-14", "2019-06-14"),
        ("ค่ายเยาวชนวันที่ 30 ก.ย. - 2 ต.ค. 2563", "30 ก.ย. - 2 ต.ค. 2563", "2020-09-30", "2020-10-02"),
        ("ฝึกงาน 16 มิถุนายน-15 กรกฎาคม 2562", "16 มิถุนายน-15 กรกฎาคม 2562", "2019-06-16", "2019-07-15"),
        ("ระยะเวลารายงาน 1-31 สิงหาคม 2562", "1-31 สิงหาคม 2562", "2019-08-01", "2019-08-31"),
        ("อบรม ๑-๓ ก.ค. ๖๓ ที่อำเภอเมือง", "๑-๓ ก.ค. ๖๓", "2020-07-01", "2020-07-03"),
        ("ตั้งแต่วันที่ 8 ถึงวันที่ 12 ส.ค. 2564", "8 ถึงวันที่ 12 ส.ค. 2564", "2021-08-08", "2021-08-12"),
        ("ลงนามวันที่ 5 มีนาคม พ.ศ. 2562", "5 มีนาคม พ.ศ. 2562", "2019-03-05", "2019-03-05"),
        ("นัดหมาย 1 มิย 62 ช่วงเช้า", "1 มิย 62", "2019-06-01", "2019-06-01"),
        ("งานเริ่ม 3 ธันวาคม ค.ศ. 2019", "3 ธันวาคม ค.ศ. 2019", "2019-12-03", "2019-12-03"),
        ("ประชุม 14 – 19 มิ.ย. 2562", "14 – 19 มิ.ย. 2562", "2019-06-14", "2019-06-19"),
        # Across the new year: the first date is in the year before the one written.
        ("ค่ายปีใหม่ 28 ธ.ค. - 3 ม.ค. 2563", "28 ธ.ค. - 3 ม.ค. 2563", "2019-12-28", "2020-01-03"),
        ("ค่ายปีใหม่ 30 ธ.ค. 2562 - 2 ม.ค. 2563", "30 ธ.ค. 2562 - 2 ม.ค. 2563", "2019-12-30", "2020-01-02"),
        ("ค่ายปีใหม่ ๓๐ ธ.ค. - ๒ ม.ค. ๖๔", "๓๐ ธ.ค. - ๒ ม.ค. ๖๔", "2020-12-30", "2021-01-02"),
        # 29 February exists in 2563 (2020).
        ("ประชุมใหญ่ 29 ก.พ. 2563", "29 ก.พ. 2563", "2020-02-29", "2020-02-29"),
    ],
)
def test_date_forms(text, found, start, end):
    dates = find_dates(text)
    assert len(dates) == 1
    d = dates[0]
    assert (d.text, d.date_start, d.date_end) == (found, start, end)
    assert text[d.start : d.end] == d.text  # offsets into the text as given (Thai digits included)
    assert parse_date_range(text) == (start, end)


@pytest.mark.parametrize(
    "text",
    ["วันที่ 31 ก.พ. 2563", "วันที่ 29 ก.พ. 2562", "วันที่ 32 มกราคม 2562", "วันที่ 0 มกราคม 2562", "31 ก.ย. 2563",
     "ครบ 12 เดือน ในปี 2562", "ประมาณ 12 ส.ค.", "ปี 2562", "ผู้เข้าร่วม 45 คน", ""],
)
def test_invalid_or_incomplete_dates_are_ignored(text):
    assert find_dates(text) == []
    assert parse_date_range(text) is None


def test_invalid_start_keeps_the_valid_end_only():
    # 31 September does not exist: no range; the valid date is still found.
    dates = find_dates("ค่าย 31 ก.ย. - 2 ต.ค. 2563")
    assert [(d.date_start, d.date_end) for d in dates] == [("2020-10-02", "2020-10-02")]


def test_reversed_range_is_not_a_range():
    for d in find_dates("19-14 มิถุนายน 2562"):
        assert d.date_start <= d.date_end
        assert d.date_start == d.date_end


def test_several_dates_in_order():
    text = "ลงพื้นที่ 14-19 มิถุนายน 2562 และติดตามผล 1 ก.ค. 62 สรุปงาน ๓๐ ก.ย. ๖๒"
    dates = find_dates(text)
    assert [(d.date_start, d.date_end) for d in dates] == [
        ("2019-06-14", "2019-06-19"), ("2019-07-01", "2019-07-01"), ("2019-09-30", "2019-09-30")]
    assert [d.start for d in dates] == sorted(d.start for d in dates)
    assert all(text[d.start : d.end] == d.text for d in dates)


@pytest.mark.parametrize(("year", "ce"), [("2562", 2019), ("62", 2019), ("2563", 2020), ("00", 1957), ("2019", 2019)])
def test_years(year, ce):
    assert to_ce_year(year) == ce


@pytest.mark.parametrize(
    ("text", "value"),
    [("๒๕", 25), ("๐", 0), ("๒๕๖๒", 2562), ("1,200", 1200), ("๑,๒๐๐", 1200), (" 42 ", 42), ("ยี่สิบห้า", 25),
     ("สามสิบเอ็ด", 31), ("หนึ่งร้อย", 100), ("สองพันห้าร้อยหกสิบสอง", 2562)],
)
def test_thai_numerals_to_int(text, value):
    assert parse_int(text) == value


@pytest.mark.parametrize("text", ["", "abc", "ร้อยละห้า", "12.5", "1,20"])
def test_not_a_number(text):
    assert parse_int(text) is None


def test_thai_digits_become_arabic_one_for_one():
    text = "ปี ๒๕๖๒ มีสมาชิก ๔๒ คน ๐๑๒๓๔๕๖๗๘๙"
    out = to_arabic_digits(text)
    assert out == "ปี 2562 มีสมาชิก 42 คน 0123456789"
    assert len(out) == len(text)
