"""What every human-readable export shows the same way: visit-card rows, facet labels, quote references."""

from __future__ import annotations

from dataclasses import dataclass

from kcapture.codebook import Codebook
from kcapture.document import Analysis, Lesson, VisitCard
from kcapture.summarize import FACET_ORDER, REPORT_SECTIONS, top_insights

TITLE = "สรุปบทเรียน (Lesson summary)"
NOT_STATED = "—"


def date_range(v: VisitCard) -> str | None:
    if not v.date_start:
        return None
    return v.date_start if v.date_end in (None, v.date_start) else f"{v.date_start} – {v.date_end}"


def visit_rows(v: VisitCard, list_projects: bool = True) -> list[tuple[str, str]]:
    """(label, value) rows of the visit card; a field the notes do not state shows as a dash, never a guess.
    With `list_projects` False the projects row only counts them (the caller lists them as bullets)."""
    course = " ".join(x for x in (v.course, v.cohort, v.session) if x) or None
    rows = [
        ("กิจกรรม / Event", v.title),
        ("วันที่ / Dates", date_range(v)),
        ("สถานที่ / Venue", v.venue),
        ("หน่วยงานเจ้าภาพ / Hosts", ", ".join(v.host_organizations) or None),
        ("ผู้เข้าร่วม / Participants", f"{v.participants} คน" if v.participants is not None else None),
        ("หลักสูตร รุ่น ครั้ง / Course", course),
        ("โครงการที่ได้เรียนรู้ / Projects",
         ("; ".join(v.projects) if list_projects else f"{len(v.projects)} โครงการ (รายการด้านล่าง / listed below)")
         if v.projects else None),
    ]
    return [(k, val if val else NOT_STATED) for k, val in rows]


def facet_label(cb: Codebook, facet: str) -> str:
    return cb.facet(facet).label_th


def facets_in_order(lessons: list[Lesson]) -> list[str]:
    present = {le.facet for le in lessons}
    return [f for f in FACET_ORDER if f in present] + sorted(present - set(FACET_ORDER))


def quote_ref(le: Lesson) -> str:
    ids = le.sentence_ids
    sent = f"ประโยค {ids[0]}" if len(ids) == 1 else f"ประโยค {ids[0]}–{ids[-1]}"
    return f"{sent} · อักขระ {le.start}–{le.end}"


def percent(share: float) -> str:
    return f"{share * 100:.0f}%"


STRONGEST_MARK = "★"
STRONGEST_NOTE = f"{STRONGEST_MARK} = บทเรียนเด่นของการลงพื้นที่ครั้งนี้ / the strongest lessons of this visit"


@dataclass
class Point:
    lesson: Lesson
    tags: list[str]  # Thai labels of its themes, strongest first
    strongest: bool


@dataclass
class Section:
    facet: str
    heading: str  # "1. วัตถุประสงค์ (Objectives)"
    points: list[Point]


def report_sections(a: Analysis, cb: Codebook) -> list[Section]:
    """The lesson report's sections (AAR order) that have points; every exporter lays out the same outline."""
    strongest = {(le.start, le.end) for le in top_insights(a)}
    sections = []
    for facet in REPORT_SECTIONS:
        points = [Point(le, [cb.theme(t).label_th for t in (le.themes or [le.theme])], (le.start, le.end) in strongest)
                  for le in a.lessons if le.facet == facet]
        if points:
            code = cb.facet(facet)
            sections.append(Section(facet, f"{len(sections) + 1}. {code.label_th} ({code.label_en})", points))
    return sections


RECURRING_HEADING = "บทเรียนที่พบซ้ำในหลายการลงพื้นที่ (Lessons across visits)"
RECURRING_NOTE = ("ประเด็นที่หลายการลงพื้นที่กล่าวถึงตรงกัน พร้อมข้อความที่ดีที่สุดจากแต่ละครั้ง / "
                  "points several visits make, with the best quote from each")


def recurring_title(group, cb: Codebook) -> str:
    """"พบใน 3 ครั้ง · บทเรียนที่ได้รับ · ประเด็น A · ประเด็น B" for one group of kcapture.synthesis."""
    tags = " · ".join(cb.theme(t).label_th for t in group.themes[:3])
    return f"พบใน {group.visits} ครั้ง / visits · {cb.facet(group.facet).label_th} · {tags}"
