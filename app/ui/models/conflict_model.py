"""Table model for the "needs review" inbox: one row per open sync conflict.

Columns: the record (lead or task title), the field, then one column per competing version,
the displayed one first ("Shown now"). A version cell reads "value" over "who · when".
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from app.domain.leads import FIELDS_BY_NAME, FieldKind, LeadStatus

if TYPE_CHECKING:
    from app.services.sync.report import ConflictVersion, OpenConflict

CONFLICT_ROLE = Qt.ItemDataRole.UserRole + 1
LEAD_COLUMN, FIELD_COLUMN = 0, 1
FIRST_VERSION_COLUMN = 2
EMPTY = "—"
DELETED, KEPT = "<deleted>", "<kept>"

# Lead fields a person may type a third value for (as SyncService._check_choice: not phones,
# whose normalised twin follows the chosen version); other tables: plain strings, no codes or ids.
_TEXT_KINDS = frozenset({FieldKind.TEXT, FieldKind.LONG_TEXT, FieldKind.EMAIL})
_CODED = frozenset({"status", "rating", "channel", "consent", "kind", "availability", "role",
                    "routing_mode", "outcome"})


def is_owner_field(name: str | None) -> bool:
    return name is not None and (name in {"owner", "owner_id"} or name.endswith("owner_id"))


def is_text_field(conflict: OpenConflict) -> bool:
    """True when a typed value is allowed besides the versions (the service decides)."""
    return conflict.can_type


def shorten(text: str, limit: int = 60) -> str:
    """One line of at most ``limit`` characters (long notes stay readable in a table cell)."""
    lines = text.strip().splitlines() or [""]
    line = lines[0]
    if len(line) > limit:
        return line[:limit - 1].rstrip() + "…"
    return line + (" …" if len(lines) > 1 else "")


def field_text(conflict: OpenConflict) -> str:
    """The field's label; for a row edited on one laptop and deleted on another, a short name."""
    return "Deleted while edited" if conflict.field is None else conflict.field_label


def shown_first(conflict: OpenConflict) -> OpenConflict:
    """The same conflict with the displayed version first (the order is otherwise kept)."""
    ordered = tuple(sorted(conflict.versions, key=lambda v: not v.shown))
    return conflict if ordered == conflict.versions else \
        dataclasses.replace(conflict, versions=ordered)


class ValueFormatter:
    """Turns raw version values, devices and times into the words the inbox shows."""

    def __init__(self, user_names: Mapping[uuid.UUID, str], this_device: str | None) -> None:
        self.user_names = dict(user_names)
        self.this_device = this_device

    def value(self, conflict: OpenConflict, value: Any) -> str:
        if conflict.field is None:
            return "Deleted the lead" if value == DELETED else "Kept and edited the lead"
        if value is None or value == "":
            return EMPTY
        if is_owner_field(conflict.field):
            try:
                user_id = value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
            except ValueError:
                return str(value)
            return self.user_names.get(user_id, "Unknown user")
        if conflict.field == "status":
            try:
                return LeadStatus(str(value)).label
            except ValueError:
                return str(value)
        lead_field = FIELDS_BY_NAME.get(conflict.field) if conflict.table == "lead" else None
        if lead_field is not None and lead_field.choices is not None:
            try:
                choice = lead_field.choices(str(value))
            except ValueError:
                return str(value)
            label = getattr(choice, "label", None)
            return label if isinstance(label, str) else str(choice.value)
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, StrEnum):
            return value.value
        return str(value)

    def who(self, version: ConflictVersion) -> str:
        if self.this_device is not None and version.device == self.this_device:
            return "This laptop"
        return f"Laptop {version.device[:6]}" if version.device else "Another laptop"

    @staticmethod
    def when(version: ConflictVersion) -> str:
        return version.written_at.astimezone().strftime("%Y-%m-%d %H:%M")

    def origin(self, version: ConflictVersion) -> str:
        return f"{self.who(version)} · {self.when(version)}"


class ConflictModel(QAbstractTableModel):
    def __init__(self, formatter: ValueFormatter, parent: Any = None) -> None:
        super().__init__(parent)
        self.formatter = formatter
        self._rows: list[OpenConflict] = []
        self._version_columns = 2

    def set_conflicts(self, conflicts: list[OpenConflict]) -> None:
        self.beginResetModel()
        self._rows = [shown_first(c) for c in conflicts]
        self._version_columns = max([2, *(len(c.versions) for c in self._rows)])
        self.endResetModel()

    def conflict(self, row: int) -> OpenConflict | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def conflicts(self) -> list[OpenConflict]:
        return list(self._rows)

    def remove(self, row: int) -> None:
        if not 0 <= row < len(self._rows):
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        self.endRemoveRows()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else FIRST_VERSION_COLUMN + self._version_columns

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        if section == LEAD_COLUMN:
            return "Lead"
        if section == FIELD_COLUMN:
            return "Field"
        position = section - FIRST_VERSION_COLUMN
        return ("Shown now", "Other version")[position] if position < 2 else \
            f"Version {position + 1}"

    def version_text(self, conflict: OpenConflict, position: int, limit: int = 60) -> str:
        version = conflict.versions[position]
        value = self.formatter.value(conflict, version.value)
        return f"{shorten(value, limit) if limit else value}\n{self.formatter.origin(version)}"

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        conflict = self.conflict(index.row()) if index.isValid() else None
        if conflict is None:
            return None
        column = index.column()
        if role == CONFLICT_ROLE:
            return conflict
        position = column - FIRST_VERSION_COLUMN
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            if column == LEAD_COLUMN:
                return conflict.title
            if column == FIELD_COLUMN:
                return field_text(conflict)
            if position >= len(conflict.versions):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return self.version_text(conflict, position)
            text = self.version_text(conflict, position, limit=0)
            shown = ", shown now" if conflict.versions[position].shown else ""
            return text.replace("\n", ", ") + shown
        if role == Qt.ItemDataRole.FontRole and column == FIELD_COLUMN:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None
