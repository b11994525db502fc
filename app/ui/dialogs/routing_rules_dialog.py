"""Routing rules: an ordered list (the first enabled rule that matches wins) and an edit panel.

List changes (order, enabled, delete) are stored at once; the edit panel stores one rule with
"Save rule". Rules only route new leads; "Re-apply rules now…" moves existing ones.
"""

from __future__ import annotations

import uuid

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.errors import LeadlineError, ValidationError
from app.domain.routing import Condition, ConditionKind, RoutingRule, TargetKind
from app.services.container import Services
from app.ui import messages
from app.ui.style import alarm_colour

ID_ROLE = Qt.ItemDataRole.UserRole + 1
_HINTS = {
    ConditionKind.COUNTRY: "DE, AT, CH",
    ConditionKind.REGION: "Bavaria; Texas",
    ConditionKind.POSTAL_PREFIX: "80, 81, 82",
    ConditionKind.POSTAL_RANGE: "10000-19999",
    ConditionKind.PHONE_AREA_CODE: "+4989, +1415",
    ConditionKind.INDUSTRY: "Manufacturing, Automotive",
    ConditionKind.PRODUCT_INTEREST: "robots, sensors",
    ConditionKind.KEY_ACCOUNT: "acme.com, Siemens",
    ConditionKind.EVENT: "an event id",
    ConditionKind.CHANNEL: "trade_show, web",
    ConditionKind.SCORE_AT_LEAST: "60",
    ConditionKind.SCORE_BELOW: "30",
    ConditionKind.RATING: "hot, warm",
}


class RoutingRulesDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.routing = services.routing
        self.editing: uuid.UUID | None = None
        self.conditions: list[Condition] = []
        self.changed = False
        self.reapply = False
        self.setWindowTitle("Routing rules")
        self.resize(980, 560)
        intro = QLabel("New leads go to the first enabled rule that matches, top to bottom. "
                       "A lead no rule matches lands in the catch-all queue, so routing never "
                       "makes orphans.")
        intro.setWordWrap(True)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_list())
        splitter.addWidget(self._build_editor())
        splitter.setSizes([420, 540])
        self.saved_label = QLabel()
        self.saved_label.setObjectName("rulesSaved")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.reapply_button = buttons.addButton("Re-apply rules &now…",
                                                QDialogButtonBox.ButtonRole.ActionRole)
        self.reapply_button.setToolTip("Preview and apply the rules to existing leads")
        self.reapply_button.clicked.connect(self._reapply)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.saved_label, 1)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self.reload()
        self.new_rule()

    # -- building -----------------------------------------------------------------------------
    def _build_list(self) -> QWidget:
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        self.rule_list = QListWidget()
        self.rule_list.setAccessibleName("Routing rules in order")
        self.rule_list.setWordWrap(True)
        self.rule_list.currentItemChanged.connect(lambda item, _old: self._edit(item))
        self.rule_list.itemChanged.connect(self._enabled_toggled)
        layout.addWidget(self.rule_list, 1)
        row = QHBoxLayout()
        self.new_button = QPushButton("&New rule")
        self.new_button.setShortcut("Ctrl+N")
        self.new_button.clicked.connect(self.new_rule)
        self.up_button = QPushButton("▲ &Up")
        self.up_button.setToolTip("Check this rule earlier (Ctrl+Up)")
        self.up_button.setShortcut("Ctrl+Up")
        self.up_button.clicked.connect(lambda: self.move(-1))
        self.down_button = QPushButton("▼ Do&wn")
        self.down_button.setToolTip("Check this rule later (Ctrl+Down)")
        self.down_button.setShortcut("Ctrl+Down")
        self.down_button.clicked.connect(lambda: self.move(1))
        self.delete_button = QPushButton("&Delete…")
        self.delete_button.clicked.connect(self.delete)
        for button in (self.new_button, self.up_button, self.down_button, self.delete_button):
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        return box

    def _build_editor(self) -> QWidget:
        self.editor = QGroupBox("New rule")
        form = QFormLayout(self.editor)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Bavaria to Team South")
        self.enabled_box = QCheckBox("Enabled")
        self.enabled_box.setChecked(True)
        self.target_kind = QComboBox()
        for kind in TargetKind:
            self.target_kind.addItem(kind.label, kind.value)
        self.target_kind.setAccessibleName("Target kind")
        self.target = QComboBox()
        self.target.setAccessibleName("Target")
        self.target_kind.currentIndexChanged.connect(lambda _i: self._fill_targets())
        target_row = QHBoxLayout()
        target_row.addWidget(self.target_kind)
        target_row.addWidget(self.target, 1)
        self.condition_list = QListWidget()
        self.condition_list.setAccessibleName("Conditions (all must match)")
        self.condition_list.setMaximumHeight(130)
        self.remove_condition_button = QPushButton("Remove condition")
        self.remove_condition_button.clicked.connect(self.remove_condition)
        self.condition_kind = QComboBox()
        for kind in ConditionKind:
            self.condition_kind.addItem(kind.label, kind.value)
        self.condition_kind.currentIndexChanged.connect(self._hint)
        self.condition_kind.setAccessibleName("Condition")
        self.condition_values = QLineEdit()
        self.condition_values.setAccessibleName("Condition values")
        self.condition_values.returnPressed.connect(self.add_condition)
        self.add_condition_button = QPushButton("Add &condition")
        self.add_condition_button.clicked.connect(self.add_condition)
        add_row = QHBoxLayout()
        add_row.addWidget(self.condition_kind)
        add_row.addWidget(self.condition_values, 1)
        add_row.addWidget(self.add_condition_button)
        self.error_label = QLabel()
        self.error_label.setObjectName("conditionError")
        self.error_label.setStyleSheet(f"color: {alarm_colour()};")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.save_button = QPushButton("&Save rule")
        self.save_button.setShortcut("Ctrl+S")
        self.save_button.setToolTip("Store this rule (Ctrl+S)")
        self.save_button.clicked.connect(self.save_rule)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.save_button)
        form.addRow("N&ame:", self.name_edit)
        form.addRow("", self.enabled_box)
        form.addRow("Send to:", target_row)
        form.addRow("Conditions:", self.condition_list)
        form.addRow("", self.remove_condition_button)
        form.addRow("Add:", add_row)
        form.addRow("", self.error_label)
        form.addRow(save_row)
        self._fill_targets()
        self._hint()
        return self.editor

    def _fill_targets(self, chosen: uuid.UUID | None = None) -> None:
        kind = TargetKind(self.target_kind.currentData())
        self.target.clear()
        if kind is TargetKind.USER:
            for user in self.services.people.users():
                if user.role.value in ("rep", "manager"):
                    self.target.addItem(user.name, str(user.id))
        elif kind is TargetKind.TEAM:
            for team in self.services.people.teams():
                self.target.addItem(team.name, str(team.id))
        else:
            for queue in self.services.people.queues():
                self.target.addItem(queue.name, str(queue.id))
        if chosen is not None:
            self.target.setCurrentIndex(max(self.target.findData(str(chosen)), 0))

    def _hint(self) -> None:
        kind = ConditionKind(self.condition_kind.currentData())
        self.condition_values.setPlaceholderText(f"e.g. {_HINTS[kind]}")
        self.condition_values.setToolTip("Separate alternatives with commas: any one may match")

    # -- the list -----------------------------------------------------------------------------
    def reload(self, select: uuid.UUID | None = None) -> None:
        self.rules = self.routing.rules()
        self.rule_list.blockSignals(True)
        self.rule_list.clear()
        names = self._target_names()
        for number, rule in enumerate(self.rules, 1):
            target = names.get(rule.target_id, "?")
            item = QListWidgetItem(f"{number}. {rule.name}\n   if {rule.describe()} → "
                                   f"{rule.target_kind.label.lower()} {target}")
            item.setData(ID_ROLE, rule.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if rule.enabled
                               else Qt.CheckState.Unchecked)
            self.rule_list.addItem(item)
            if rule.id == select:
                self.rule_list.setCurrentItem(item)
        self.rule_list.blockSignals(False)
        self._enable_list_buttons()

    def _target_names(self) -> dict[uuid.UUID, str]:
        people = self.services.people
        names = {u.id: u.name for u in people.users()}
        names.update({t.id: t.name for t in people.teams()})
        names.update({q.id: q.name for q in people.queues()})
        return names

    def _enable_list_buttons(self) -> None:
        row = self.rule_list.currentRow()
        self.up_button.setEnabled(row > 0)
        self.down_button.setEnabled(0 <= row < self.rule_list.count() - 1)
        self.delete_button.setEnabled(row >= 0)

    def _rule(self, rule_id: uuid.UUID) -> RoutingRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)

    def _enabled_toggled(self, item: QListWidgetItem) -> None:
        enabled = item.checkState() == Qt.CheckState.Checked
        self._store(lambda: self.routing.update_rule(item.data(ID_ROLE), enabled=enabled))
        self.reload(item.data(ID_ROLE))

    def move(self, step: int) -> None:
        item = self.rule_list.currentItem()
        if item is not None:
            self._store(lambda: self.routing.move_rule(item.data(ID_ROLE), step))
            self.reload(item.data(ID_ROLE))

    def delete(self) -> None:
        item = self.rule_list.currentItem()
        if item is None:
            return
        rule = self._rule(item.data(ID_ROLE))
        if rule is None or not messages.confirm(
                self, "Delete rule", f"Delete the rule \"{rule.name}\"? Leads it routed keep "
                "their owner.", "Delete"):
            return
        self._store(lambda: self.routing.delete_rule(rule.id))
        self.reload()
        self.new_rule()

    # -- the editor ---------------------------------------------------------------------------
    def _edit(self, item: QListWidgetItem | None) -> None:
        self._enable_list_buttons()
        rule = self._rule(item.data(ID_ROLE)) if item is not None else None
        if rule is None:
            return
        self.editing = rule.id
        self.editor.setTitle(f"Rule {self.rules.index(rule) + 1}: {rule.name}")
        self.name_edit.setText(rule.name)
        self.enabled_box.setChecked(rule.enabled)
        self.target_kind.blockSignals(True)
        self.target_kind.setCurrentIndex(self.target_kind.findData(rule.target_kind.value))
        self.target_kind.blockSignals(False)
        self._fill_targets(rule.target_id)
        self.conditions = list(rule.conditions)
        self._show_conditions()

    def new_rule(self) -> None:
        self.editing = None
        self.rule_list.setCurrentRow(-1)
        self.editor.setTitle("New rule (added at the end)")
        self.name_edit.clear()
        self.enabled_box.setChecked(True)
        self.conditions = []
        self._show_conditions()
        self.name_edit.setFocus()

    def _show_conditions(self) -> None:
        self.condition_list.clear()
        for condition in self.conditions:
            self.condition_list.addItem(f"{condition.kind.label}: {', '.join(condition.values)}")
        if not self.conditions:
            self.condition_list.addItem("(none: the rule matches every lead)")
        self.error_label.hide()

    def add_condition(self) -> bool:
        """Validate the typed values at once, so the mistake shows next to where it was made."""
        try:
            condition = Condition.parse(ConditionKind(self.condition_kind.currentData()),
                                        self.condition_values.text())
        except ValidationError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return False
        self.conditions.append(condition)
        self.condition_values.clear()
        self._show_conditions()
        return True

    def remove_condition(self) -> None:
        row = self.condition_list.currentRow()
        if 0 <= row < len(self.conditions):
            del self.conditions[row]
            self._show_conditions()

    def save_rule(self) -> bool:
        data = self.target.currentData()
        if not data:
            self.error_label.setText(f"Choose a {self.target_kind.currentText().lower()} to "
                                     "send the leads to (add one first if the list is empty).")
            self.error_label.show()
            return False
        target_id = uuid.UUID(data)  # combos hold ids as text: Qt compares those reliably
        kind, name = TargetKind(self.target_kind.currentData()), self.name_edit.text()
        try:
            if self.editing is None:
                rule = self.routing.add_rule(name, self.conditions, kind, target_id,
                                             enabled=self.enabled_box.isChecked())
            else:
                rule = self.routing.update_rule(
                    self.editing, name=name, conditions=self.conditions, target_kind=kind,
                    target_id=target_id, enabled=self.enabled_box.isChecked())
        except LeadlineError as error:
            self.error_label.setText(str(error))
            self.error_label.show()
            return False
        self._mark_changed()
        rule_id = getattr(rule, "id", self.editing)
        self.reload(rule_id)
        return True

    def _store(self, change: object) -> None:
        with messages.reported(self, "Routing rules") as attempt:
            change()  # type: ignore[operator]
        if attempt.failed:
            return
        self._mark_changed()

    def _mark_changed(self) -> None:
        self.changed = True
        self.saved_label.setText("Saved. New leads follow these rules; re-apply them to move "
                                 "existing leads.")

    def _reapply(self) -> None:
        self.reapply = True
        self.accept()

    @classmethod
    def ask(cls, services: Services, parent: QWidget | None = None) -> bool:
        """True when the person asked to re-apply the rules to existing leads."""
        dialog = cls(services, parent)
        dialog.exec()
        if dialog.changed and not dialog.reapply:
            dialog.reapply = messages.confirm(
                parent, "Routing rules changed", "The rules now route new leads. Re-apply them "
                "to existing open leads too? You will see a preview first.", "Re-apply rules…")
        return dialog.reapply
