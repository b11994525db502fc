"""The import wizard's values step: every distinct choice value, what it becomes and why,
changed per value from the keyboard, saved with the mapping; the lead shows what was kept."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QComboBox, QWizard

from app.domain.imports import DuplicatePolicy
from app.domain.leads import LeadQuery
from app.services.container import Services
from app.ui.dialogs.import_wizard import ImportWizard
from app.ui.lead_detail import LeadDetailPane
from app.ui.lead_form import FormChoices
from app.ui.style import apply_theme
from app.ui.workers import SynchronousRunner

CSV = ("First Name,Last Name,Company,Email,Rating,Lead Status\n"
       "Anna,Schmidt,Acme GmbH,anna@acme.example,A,Open - Not Contacted\n"
       "Ben,Okafor,Booth AG,ben@booth.example,B,IN_PROGRESS\n"
       "Carla,Nowak,,carla@nowak.example,Tier-1 prospect,Working - Contacted\n"
       ",,Grau GmbH,info@grau.example,★★★,NEW\n"
       "Dirk,Vogel,Vogel KG,dirk@vogel.example,A,Stage 0\n")
SHOTS = Path(os.environ.get("LEADLINE_SHOTS", "/tmp/leadline-shots"))


def _rows(page: Any) -> dict[tuple[str, str], int]:
    return {(page.grid.item(i, 0).text(), page.grid.item(i, 1).text()): i
            for i in range(page.grid.rowCount())}


def test_values_step_translates_explains_and_saves(qtbot: Any, services: Services,
                                                   tmp_path: Path,
                                                   confirmations: list[str]) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(CSV, encoding="utf-8")
    wizard = ImportWizard(services, SynchronousRunner(), path)
    qtbot.addWidget(wizard)
    wizard.resize(980, 640)
    wizard.show()
    wizard.next()
    wizard.mapping_page.template_name.setText("Our CRM")
    wizard.next()
    page = wizard.values_page
    assert wizard.currentPage() is page
    rows = _rows(page)
    assert set(rows) >= {("Rating", "A"), ("Rating", "B"), ("Rating", "Tier-1 prospect"),
                         ("Rating", "★★★"), ("Status", "IN_PROGRESS"), ("Status", "Stage 0")}
    assert page.grid.item(rows[("Rating", "A")], 2).text() == "2"
    a_combo = page.grid.cellWidget(rows[("Rating", "A")], 3)
    assert isinstance(a_combo, QComboBox) and a_combo.currentData() == "hot"
    assert page.grid.item(rows[("Rating", "A")], 4).text().startswith("default rule: letter")
    tier = page.grid.cellWidget(rows[("Rating", "Tier-1 prospect")], 3)
    assert isinstance(tier, QComboBox) and tier.currentData() == ""
    assert "kept as original" in page.grid.item(rows[("Rating", "Tier-1 prospect")], 4).text()
    assert "2 values kept as the original" in page.info.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.grab().save(str(SHOTS / "import-values-step.png"))

    # From the keyboard: focus the choice for "Tier-1 prospect" and pick Hot with the arrows.
    tier.setFocus()
    qtbot.keyClick(tier, Qt.Key.Key_Down)
    assert tier.currentData() == "hot"
    assert page.grid.item(rows[("Rating", "Tier-1 prospect")], 4).text().startswith(
        "your choice")
    page._save()
    assert confirmations == []  # no error
    saved = services.imports.mapping_named("Our CRM")
    assert saved.values.translate("rating", "Tier-1 prospect").value == "hot"

    wizard.next()
    assert wizard.currentPage() is wizard.preview_page
    assert "5 new" in wizard.preview_page.counts.text()
    wizard.button(QWizard.WizardButton.FinishButton).click()
    assert wizard.imported is not None and wizard.imported.counts.created == 5
    leads = {lead.email: lead for lead in services.leads.list(LeadQuery())}
    assert leads["carla@nowak.example"].rating == "hot"
    assert json.loads(leads["dirk@vogel.example"].original_values) == {"status": "Stage 0"}


def test_a_file_without_choice_columns_skips_the_values_step(qtbot: Any, services: Services,
                                                             tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text("First Name,Last Name,Email\nAnna,Schmidt,anna@acme.example\n",
                    encoding="utf-8")
    wizard = ImportWizard(services, SynchronousRunner(), path)
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.next()
    assert wizard.currentPage() is wizard.preview_page


def test_lead_detail_shows_suggestion_no_contact_person_and_original_values(
        qtbot: Any, services: Services, tmp_path: Path) -> None:
    path = tmp_path / "crm.csv"
    path.write_text(CSV, encoding="utf-8")
    table = services.imports.open(path)
    services.imports.run(table, services.imports.suggested_mapping(table)[0], None,
                         DuplicatePolicy.SKIP)
    leads = {lead.email: lead for lead in services.leads.list(LeadQuery())}
    pane = LeadDetailPane(services.leads, QUndoStack(), FormChoices(), services.context.clock)
    qtbot.addWidget(pane)
    pane.resize(560, 720)
    pane.show()

    pane.show_lead(leads["carla@nowak.example"])
    assert "Nowak (suggested from email domain nowak.example)" in pane.subtitle.text()
    assert "Original values: rating 'Tier-1 prospect'" in pane.capture_note.text()
    company_hint = pane.form.messages["company"]
    assert company_hint.isVisible() and "suggested from email domain" in company_hint.text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    pane.grab().save(str(SHOTS / "lead-detail-original-values.png"))

    pane.show_lead(leads["info@grau.example"])
    assert "No contact person" in pane.capture_note.text()
    assert pane.capture_note.isVisible()
    application = QApplication.instance()
    assert isinstance(application, QApplication)
    apply_theme(application, "dark")
    try:
        pane.grab().save(str(SHOTS / "lead-detail-no-contact-person-dark.png"))
    finally:
        apply_theme(application, "light")

    pane.show_lead(leads["anna@acme.example"])
    assert not pane.capture_note.isVisible() and "suggested" not in pane.subtitle.text()
