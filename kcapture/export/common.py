"""What every human-readable export shows the same way: visit-card rows, facet labels, quote references."""

from __future__ import annotations

from kcapture.codebook import Codebook
from kcapture.document import Lesson, VisitCard
from kcapture.summarize import FACET_ORDER

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
