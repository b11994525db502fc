"""The PDF answer to an access request: everything stored about one person, readable by them."""

from __future__ import annotations

from typing import IO, Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.domain.leads import FIELDS_BY_NAME
from app.reports.fonts import BOLD, REGULAR, markup, register_fonts

_SECTIONS = {
    "lead": "Lead record",
    "activity": "History",
    "task": "Tasks",
    "answer": "Answers to qualifying questions",
    "scan_log": "Badge scans",
    "registration": "Event registrations",
    "suppression": "Do-not-contact entries",
}
# Bookkeeping columns that mean nothing to the person reading the report.
_TECHNICAL = {"key", "device_id", "updated_at", "lead_id", "question_id", "id", "batch_id",
              "task_id", "actor_id", "captured_by_id", "event_id", "owner_id", "team_id",
              "queue_id", "merged_into_id"}


def _label(name: str) -> str:
    field = FIELDS_BY_NAME.get(name)
    return field.label if field else name.replace("_", " ").capitalize()


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    sheet = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=sheet["Title"], fontName=BOLD),
        "h2": ParagraphStyle("h2", parent=sheet["Heading2"], fontName=BOLD),
        "body": ParagraphStyle("body", parent=sheet["BodyText"], fontName=REGULAR),
        "cell": ParagraphStyle("cell", parent=sheet["BodyText"], fontName=REGULAR, fontSize=8.5,
                               leading=10.5),
        "key": ParagraphStyle("key", parent=sheet["BodyText"], fontName=REGULAR, fontSize=8.5,
                              leading=10.5,
                              textColor=colors.HexColor("#555555")),
    }


def _escape(value: Any) -> str:
    """Escaped for a Paragraph, CJK runs in a CJK font (DejaVu has no Han or kana)."""
    return markup("" if value is None else str(value))


def _shown(name: str, value: Any) -> str:
    """Dates to the minute, choice values in their labels: the person reads this, not a program."""
    field = FIELDS_BY_NAME.get(name)
    if field is not None and field.choices is not None:
        try:
            return str(field.choices(value).label)  # type: ignore[attr-defined]
        except ValueError:
            return str(value)
    if name.endswith("_at") and isinstance(value, str) and "T" in value:
        return value[:16].replace("T", " ") + " UTC"
    return "" if value is None else str(value)


def _key_values(row: dict[str, Any], styles: dict[str, ParagraphStyle]) -> Table:
    data = [[Paragraph(_escape(_label(k)), styles["key"]),
             Paragraph(_escape(_shown(k, v)), styles["cell"])]
            for k, v in row.items()
            if k not in _TECHNICAL and v not in ("", None, False)]
    table = Table(data or [["", ""]], colWidths=[45 * mm, 125 * mm])
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#dddddd")),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return table


def _history(rows: list[dict[str, Any]], styles: dict[str, ParagraphStyle]) -> Table:
    data = [[Paragraph("<b>When</b>", styles["cell"]), Paragraph("<b>What</b>", styles["cell"]),
             Paragraph("<b>Details</b>", styles["cell"])]]
    for row in rows:
        details = row.get("text") or ""
        if row.get("field"):
            details = (f"{_label(row['field'])}: {row.get('old_value') or '(empty)'} → "
                       f"{row.get('new_value') or '(empty)'}")
        data.append([Paragraph(_escape(str(row.get("occurred_at", ""))[:16].replace("T", " ")),
                               styles["cell"]),
                     Paragraph(_escape(str(row.get("kind", "")).replace("_", " ")), styles["cell"]),
                     Paragraph(_escape(details), styles["cell"])])
    table = Table(data, colWidths=[32 * mm, 28 * mm, 110 * mm], repeatRows=1)
    table.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#dddddd")),
    ]))
    return table


def write_access_report(data: dict[str, Any], handle: IO[bytes]) -> None:
    styles = _styles()
    story: list[Flowable] = [
        Paragraph(f"Personal data held about {_escape(data['subject'])}", styles["title"]),
        Paragraph(f"Generated {_escape(data['generated_at'][:16].replace('T', ' '))} from "
                  f"Leadline for lead {_escape(data['lead_id'])}. It lists every record this "
                  "database keeps about the person.", styles["body"]),
        Spacer(1, 4 * mm),
    ]
    for table, title in _SECTIONS.items():
        rows = data["tables"].get(table, [])
        story.append(Paragraph(f"{title} ({len(rows)})", styles["h2"]))
        if not rows:
            story.append(Paragraph("None stored.", styles["body"]))
            continue
        if table == "activity":
            story.append(_history(rows, styles))
            continue
        for row in rows:
            story.append(_key_values(row, styles))
            story.append(Spacer(1, 3 * mm))

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(colors.HexColor("#777777"))
        canvas.drawString(20 * mm, 10 * mm, f"Access request: {data['subject']}")
        canvas.drawRightString(A4[0] - 20 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(handle, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                                 topMargin=18 * mm, bottomMargin=18 * mm,
                                 title=f"Personal data: {data['subject']}", author="Leadline")
    document.build(story, onFirstPage=footer, onLaterPages=footer)
