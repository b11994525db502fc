"""Acting on a lead's next step from any screen: call, email, log a touch, snooze its task."""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import quote

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QWidget,
)

from app.domain.tasks import TaskKind
from app.services.container import Services
from app.ui import messages
from app.ui.dialogs import touch_dialog


def tel_url(phone: str) -> str:
    """A tel: link: digits and a leading + only (spaces, dashes and brackets dropped)."""
    cleaned = "".join(c for c in phone.strip() if c.isdigit() or c == "+")
    return f"tel:{cleaned}"


def mailto_url(address: str, subject: str, body: str) -> str:
    """A mailto: link (RFC 6068) with the subject and body percent-encoded, lines as CRLF."""
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    return (f"mailto:{quote(address.strip(), safe='@')}?subject={quote(subject, safe='')}"
            f"&body={quote(body, safe='')}")


def open_url(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


def log_touch_for(parent: QWidget, services: Services, lead_id: uuid.UUID, lead_name: str,
                  task_id: uuid.UUID | None, task_title: str, kind: TaskKind) -> bool:
    """Ask for the touch and record it (the task done, the cadence moved). True if stored."""
    touch = touch_dialog.TouchDialog.ask(lead_name, task_title, kind, parent)
    if touch is None:
        return False
    with messages.reported(parent, "Touch not logged") as attempt:
        services.followup.log_touch(lead_id, touch.kind, touch.outcome, touch.note,
                                    task_id=task_id)
    return not attempt.failed


def snooze_task(parent: QWidget, services: Services, task_id: uuid.UUID, task_title: str,
                lead_name: str) -> dt.datetime | None:
    """Ask for a day and a reason and move the task; the new due moment, or None."""
    zone = services.cadences.calendar().zone
    today = services.context.clock().astimezone(zone).date()
    chosen = touch_dialog.SnoozeDialog.ask(lead_name, task_title, today, parent)
    if chosen is None:
        return None
    day, reason = chosen
    with messages.reported(parent, "Task not snoozed"):
        return services.followup.snooze_to_day(task_id, day, reason)
    return None
