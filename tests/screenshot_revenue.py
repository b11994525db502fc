"""The revenue screens for tests/make_screenshots.py: a customers file made from the demo leads
(exact emails, near-miss company names, unknown customers, one bad row), the import wizard's
preview, the review list, the planner and the first page of the attribution report."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QApplication, QWidget

from app.domain.leads import LeadQuery
from app.services.container import Services
from app.ui.dialogs.customer_import_wizard import CustomerImportWizard
from app.ui.dialogs.customer_review_dialog import CustomerReviewDialog
from app.ui.dialogs.plan_dialog import PlanDialog
from app.ui.workers import SynchronousRunner

Save = Callable[[QApplication, QWidget, Path], None]


def orders_file(services: Services, folder: Path, seed: int = 7) -> Path:
    """A DATEV-like invoice export: most customers found by email, some by a misspelt company."""
    rng = random.Random(seed)
    leads = [lead for lead in services.leads.list(LeadQuery(), limit=400)
             if lead.company and lead.email]
    rng.shuffle(leads)
    lines = ["Rechnungsnummer;Rechnungsdatum;Kunde;E-Mail;Betrag netto;Währung"]
    today = services.context.clock().date()
    for number, lead in enumerate(leads[:40], start=1):
        # An order after the lead came in: one before it is only ever suggested.
        ordered = min(today, lead.created_at.date() + dt.timedelta(days=rng.randint(20, 200)))
        day, month = ordered.day, ordered.month
        amount = f"{rng.randint(8, 240) * 250:,}".replace(",", ".") + ",00"
        company, email = lead.company, lead.email
        if number % 6 == 0:  # no email, the company spelt another way
            company, email = company.replace("e", "a", 1), ""
        lines.append(f"RE-2026-{number:04d};{day:02d}.{month:02d}.{ordered.year};{company};{email};"
                     f"{amount};EUR")
    lines += ["RE-2026-0041;14.11.2026;Nordlicht Solar GmbH;;12.500,00;EUR",
              "RE-2026-0042;;Ohne Datum AG;;99,00;EUR"]
    path = folder / "Rechnungen 2026.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def revenue_screens(app: QApplication, services: Services, window: QWidget, folder: Path,
                    out: Path, save: Save) -> None:
    wizard = CustomerImportWizard(services, SynchronousRunner(), orders_file(services, folder),
                                  window)
    wizard.show()
    wizard.next()
    save(app, wizard, out / "customer_mapping.png")
    wizard.next()
    save(app, wizard, out / "customer_import.png")
    table = wizard.table
    assert table is not None
    services.customers.run(table, wizard.mapping)
    wizard.close()
    review = CustomerReviewDialog(services.customers, window)
    review.show()
    save(app, review, out / "customer_review.png")
    review.close()
    planner = PlanDialog(services, SynchronousRunner(), window)
    planner.year_spin.setValue(services.context.clock().year)
    planner.target_edit.setText("2500000")
    planner.calculate()
    planner.resize(760, 760)
    planner.show()
    save(app, planner, out / "plan_dialog.png")
    planner.close()
    pdf = folder / "attribution.pdf"
    services.reports.report("attribution", pdf)
    document = QPdfDocument(None)
    document.load(str(pdf))
    document.render(0, QSize(620, 877)).save(str(out / "report_attribution.png"))
    document.close()
    print(f"wrote {out / 'report_attribution.png'}")
