"""Import customers' orders from an accounting or ERP export and credit them to the leads they
came from: preview, one all-or-nothing batch that can be undone, and the review list.

An order's id derives from its key (app/domain/customers.py), so next month's file updates the
orders it repeats, and every laptop importing the same file writes the same rows. A decision a
person made (confirmed or rejected in review) and an order already credited keep their lead on
re-import; only orders still without a sure lead are matched again.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app.domain.audit import AuditAction
from app.domain.customer_matching import CandidateIndex, Match
from app.domain.customers import (
    CustomerImportReport,
    CustomerOrder,
    CustomerOrderRecord,
    CustomerUndoResult,
    MatchKind,
    OrderOutcome,
    OrderStatus,
    RejectedLine,
    check_mapping,
    header_score,
    parse_order,
    suggest_mapping,
)
from app.domain.errors import ConflictError, NotFoundError, ValidationError
from app.domain.ids import new_id
from app.domain.imports import CUSTOMER_IMPORT_FORMAT
from app.domain.progress import CancelCheck, Progress, stop_if_cancelled
from app.importers.tabular import Table, open_table
from app.services.audit_service import AuditService
from app.services.context import ServiceContext
from app.services.customer_credit import LeadCredit
from app.services.lead_service import LeadService
from app.storage.orm import CustomerOrderRow, ImportBatch
from app.storage.repositories.audit import AuditRepository
from app.storage.repositories.customers import CustomerRepository, lead_label, record_of

NOTHING_IMPORTED = "Customer import cancelled: nothing was imported."
_CHUNK = 1000
# The columns an import writes from the file and the match; a re-import that would write the
# same values leaves the row alone (unchanged), whatever the file is called this month.
ORDER_COLUMNS = ("company", "email", "domain", "customer_number", "order_number", "order_date",
                 "amount", "currency", "lead_id", "match_status", "match_kind", "match_score",
                 "match_reason")
_UNDO_COLUMNS = (*ORDER_COLUMNS, "file_name", "imported_at", "batch_id")


@dataclass
class _Planned:
    order: CustomerOrder
    values: dict[str, Any]
    change: str  # created | updated | unchanged
    row: CustomerOrderRow | None  # the stored order, when there is one


@dataclass
class _Plan:
    report: CustomerImportReport
    orders: list[_Planned] = field(default_factory=list)


class CustomerService:
    def __init__(self, context: ServiceContext, leads: LeadService, audit: AuditService) -> None:
        self.context, self.audit = context, audit
        self.db = context.db
        self.credit = LeadCredit(context, leads)

    # -- reading and mapping ------------------------------------------------------------------
    def open(self, path: Path) -> Table:
        """The file as a table, its header row found by customer words (Firma, Betrag, Total)."""
        return open_table(path, header_score)

    @staticmethod
    def suggested_mapping(table: Table) -> dict[str, str]:
        """Customer field (app/domain/customers.py CUSTOMER_FIELDS) → the file's header."""
        return suggest_mapping(table.info.headers)

    # -- preview and import -------------------------------------------------------------------
    def preview(self, table: Table, mapping: Mapping[str, str], *, sample: int = 50,
                progress: Progress | None = None,
                cancelled: CancelCheck | None = None) -> CustomerImportReport:
        """What ``run`` would do, writing nothing: counts, rejected rows, the first orders."""
        with self.db.read() as session:
            plan = self._plan(session, table, mapping, progress, cancelled)
            repo = CustomerRepository(session)
            plan.report.sample = [
                replace(_outcome(p), lead_label=lead_label(repo.live_lead(p.values["lead_id"])))
                if p.values["lead_id"] else _outcome(p) for p in plan.orders[:sample]]
        return plan.report

    def run(self, table: Table, mapping: Mapping[str, str], *, progress: Progress | None = None,
            cancelled: CancelCheck | None = None) -> CustomerImportReport:
        """Write every order in one transaction, credit the matched leads (won, deal value,
        history) and record the batch for the import history, the audit trail and undo."""
        now, device = self.context.clock(), self.context.device_id
        file_name = table.info.path.name
        batch_id = new_id()
        with self.db.write() as session:
            plan = self._plan(session, table, mapping, progress, cancelled)
            report = plan.report
            batch = ImportBatch(id=batch_id, file_name=file_name, source_format=CUSTOMER_IMPORT_FORMAT,
                                actor_id=self.context.current_user_id, started_at=now,
                                status="running", mapping="", updated_at=now, device_id=device)
            session.add(batch)
            session.flush()
            undo: dict[str, Any] = {"columns": dict(mapping), "created": [], "previous": {},
                                    "leads": {}}
            credited: dict[uuid.UUID, list[CustomerOrder]] = {}
            repo = CustomerRepository(session)
            for planned in plan.orders:
                if planned.change == "unchanged":
                    continue
                row = planned.row
                if row is None:
                    row = CustomerOrderRow(id=planned.order.id)
                    repo.add(row)
                if planned.change == "created":
                    undo["created"].append(row.id.hex)
                else:
                    undo["previous"][row.id.hex] = {c: _to_json(getattr(row, c))
                                                    for c in _UNDO_COLUMNS}
                for column, value in planned.values.items():
                    setattr(row, column, value)
                row.order_key, row.file_name, row.imported_at = planned.order.key, file_name, now
                row.batch_id, row.deleted_at, row.updated_at, row.device_id = \
                    batch_id, None, now, device
                if row.match_status == OrderStatus.MATCHED.value and row.lead_id is not None:
                    credited.setdefault(row.lead_id, []).append(planned.order)
            session.flush()
            totals = repo.credited_many(list(credited))
            for lead_id, orders in credited.items():
                won, before, note = self.credit.credit(session, lead_id, orders, file_name,
                                                       batch_id, totals[lead_id])
                report.leads_won += won
                if before is not None:
                    undo["leads"][lead_id.hex] = before
                if note:
                    report.notes.append(note)
            batch.mapping = json.dumps(undo)
            batch.status, batch.finished_at = "completed", self.context.clock()
            batch.created_count = report.created + report.updated
            batch.duplicate_count, batch.rejected_count = report.unchanged, len(report.rejected)
            self.audit.add_to(
                AuditRepository(session), AuditAction.CUSTOMER_IMPORT,
                f"customer import of {file_name}: {report.created:,} orders created, "
                f"{report.updated:,} updated, {report.leads_won:,} leads won",
                report.created + report.updated)
        report.batch_id = batch_id
        return report

    def _plan(self, session: Session, table: Table, mapping: Mapping[str, str],
              progress: Progress | None, cancelled: CancelCheck | None) -> _Plan:
        problems = check_mapping(mapping, table.info.headers)
        if problems:
            raise ValidationError.single("mapping", "; ".join(problems))
        report = CustomerImportReport()
        orders = self._read_orders(table, mapping, report, progress, cancelled)
        repo = CustomerRepository(session)
        index = CandidateIndex(list(repo.candidates()))
        stored = repo.orders([o.id for o in orders])
        plan = _Plan(report)
        for order in orders:
            row = stored.get(order.id)
            values = _order_values(order, _kept_match(row) or index.match(order))
            if row is None or row.deleted_at is not None:
                change = "created"
            elif all(getattr(row, c) == v for c, v in values.items()):
                change = "unchanged"
            else:
                change = "updated"
            setattr(report, change, getattr(report, change) + 1)
            status = OrderStatus(values["match_status"])
            if status in (OrderStatus.MATCHED, OrderStatus.REVIEW, OrderStatus.UNMATCHED):
                setattr(report, status.value, getattr(report, status.value) + 1)
            plan.orders.append(_Planned(order, values, change, row))
        return plan

    @staticmethod
    def _read_orders(table: Table, mapping: Mapping[str, str], report: CustomerImportReport,
                     progress: Progress | None,
                     cancelled: CancelCheck | None) -> list[CustomerOrder]:
        """The file's orders; lines repeating an order number are lines of one order, added up."""
        by_key: dict[str, CustomerOrder] = {}
        estimate = table.estimated_rows() or 0
        for source in table.rows():
            report.read += 1
            if report.read % _CHUNK == 0:
                stop_if_cancelled(cancelled, NOTHING_IMPORTED)
                if progress is not None:
                    progress(report.read, max(estimate, report.read))
            if source.problem:
                report.rejected.append(RejectedLine(source.number, source.problem))
                continue
            try:
                order = parse_order(source.number, {name: source.values.get(header, "")
                                                    for name, header in mapping.items()})
            except ValueError as exc:
                report.rejected.append(RejectedLine(source.number, str(exc)))
                continue
            first = by_key.get(order.key)
            if first is None:
                by_key[order.key] = order
            elif first.currency != order.currency:
                report.rejected.append(RejectedLine(source.number, (
                    f"order {order.order_number or order.key} is also on row {first.row} in "
                    f"{first.currency}; this line is in {order.currency}")))
            else:
                by_key[order.key] = _added(first, order)
        stop_if_cancelled(cancelled, NOTHING_IMPORTED)
        if progress is not None:
            progress(report.read, report.read)
        return list(by_key.values())

    # -- undo ---------------------------------------------------------------------------------
    def undo(self, batch_id: uuid.UUID) -> CustomerUndoResult:
        """Remove the orders a customer import created, put back those it updated, and return
        the leads it won to their earlier status and deal value (those not changed since)."""
        now, device = self.context.clock(), self.context.device_id
        with self.db.write() as session:
            batch = session.get(ImportBatch, batch_id)
            if batch is None or batch.source_format != CUSTOMER_IMPORT_FORMAT:
                raise NotFoundError(f"No customer import with id {batch_id}")
            if batch.status == "undone":
                raise ConflictError(f"Customer import {batch.file_name} was already undone")
            undo = json.loads(batch.mapping or "{}")
            created = [uuid.UUID(h) for h in undo.get("created", [])]
            previous = {uuid.UUID(h): v for h, v in undo.get("previous", {}).items()}
            rows = CustomerRepository(session).orders([*created, *previous])
            later = [row for row in rows.values() if row.batch_id != batch_id]
            if later:
                raise ConflictError(
                    f"Order {later[0].order_number or later[0].order_key} was imported again "
                    f"since (from {later[0].file_name}): undo that import first")
            for order_id in created:
                row = rows.get(order_id)
                if row is not None:
                    row.deleted_at, row.updated_at, row.device_id = now, now, device
            for order_id, values in previous.items():
                row = rows.get(order_id)
                if row is not None:
                    for column, value in values.items():
                        setattr(row, column, _from_json(column, value))
                    row.updated_at, row.device_id = now, device
            session.flush()
            restored, kept = self.credit.restore(session, undo.get("leads", {}), batch.file_name)
            batch.status, batch.updated_at, batch.device_id = "undone", now, device
            result = CustomerUndoResult(len(created), len(previous), restored, kept)
            self.audit.add_to(AuditRepository(session), AuditAction.IMPORT_UNDO,
                              f"customer import of {batch.file_name}: {result.removed:,} orders "
                              f"removed, {result.restored:,} restored, {restored:,} leads reset",
                              result.removed + result.restored)
        return result

    # -- the review list ----------------------------------------------------------------------
    def review_list(self, limit: int = 500) -> list[CustomerOrderRecord]:
        """Orders with a suggested lead someone has to confirm or reject, oldest first."""
        with self.db.read() as session:
            return [record_of(row, lead_label(lead))
                    for row, lead in CustomerRepository(session).review_queue(limit)]

    def order(self, order_id: uuid.UUID) -> CustomerOrderRecord:
        with self.db.read() as session:
            repo = CustomerRepository(session)
            row = _order_or_fail(repo, order_id)
            lead = repo.live_lead(row.lead_id) if row.lead_id else None
            return record_of(row, lead_label(lead))

    def confirm(self, order_id: uuid.UUID, lead_id: uuid.UUID) -> CustomerOrderRecord:
        """Credit the order to ``lead_id`` (the suggested lead or another one): the lead is won,
        its deal value summed, the order named in its history. Re-imports keep this choice."""
        now = self.context.clock()
        with self.db.write() as session:
            repo = CustomerRepository(session)
            row = _order_or_fail(repo, order_id)
            lead = repo.live_lead(lead_id)
            if lead is None:
                raise NotFoundError(f"No lead with id {lead_id} (or it was deleted or merged)")
            before = row.lead_id if row.match_status == OrderStatus.MATCHED.value else None
            row.lead_id, row.match_status = lead_id, OrderStatus.MATCHED.value
            row.match_kind, row.match_score = MatchKind.MANUAL.value, 100
            row.match_reason = "confirmed in the review list"
            row.updated_at, row.device_id = now, self.context.device_id
            session.flush()
            self.credit.credit(session, lead_id, [_as_order(row)], row.file_name, None)
            if before is not None and before != lead_id:
                self.credit.recount(session, before, f"order {_name(row)} moved to another lead")
            return record_of(row, lead_label(lead))

    def reject(self, order_id: uuid.UUID) -> CustomerOrderRecord:
        """The suggested (or credited) lead is not the customer: the order credits no lead, and
        re-imports of it keep it that way."""
        now = self.context.clock()
        with self.db.write() as session:
            repo = CustomerRepository(session)
            row = _order_or_fail(repo, order_id)
            before = row.lead_id if row.match_status == OrderStatus.MATCHED.value else None
            suggested = repo.live_lead(row.lead_id) if row.lead_id else None
            row.match_status, row.lead_id, row.match_kind = OrderStatus.REJECTED.value, None, \
                MatchKind.MANUAL.value
            row.match_reason = (f"rejected in review (suggested: {lead_label(suggested)})"
                                if suggested else "rejected in review")[:500]
            row.updated_at, row.device_id = now, self.context.device_id
            session.flush()
            if before is not None:
                self.credit.recount(session, before, f"order {_name(row)} rejected in review")
            return record_of(row, "")


def _kept_match(row: CustomerOrderRow | None) -> Match | None:
    """The stored match when a re-import must not redo it: credited, or decided by a person."""
    if row is None or row.deleted_at is not None:
        return None
    status = OrderStatus(row.match_status)
    if status in (OrderStatus.MATCHED, OrderStatus.REJECTED) or row.match_kind == "manual":
        return Match(MatchKind(row.match_kind or "none"), row.match_score, row.lead_id,
                     row.match_reason)
    return None


def _order_values(order: CustomerOrder, match: Match) -> dict[str, Any]:
    status = match.status
    if match.kind is MatchKind.MANUAL and match.lead_id is None:
        status = OrderStatus.REJECTED
    return {"company": order.company, "email": order.email, "domain": order.domain,
            "customer_number": order.customer_number, "order_number": order.order_number,
            "order_date": order.order_date, "amount": order.amount, "currency": order.currency,
            "lead_id": match.lead_id, "match_status": status.value,
            "match_kind": match.kind.value, "match_score": match.score,
            "match_reason": match.reason[:500]}


def _added(first: CustomerOrder, line: CustomerOrder) -> CustomerOrder:
    return replace(first, amount=first.amount + line.amount)


def _outcome(planned: _Planned) -> OrderOutcome:
    order, values = planned.order, planned.values
    return OrderOutcome(order.row, order.company, order.order_number, order.order_date,
                        order.amount, order.currency, OrderStatus(values["match_status"]),
                        values["lead_id"], values["match_reason"], planned.change)


def _order_or_fail(repo: CustomerRepository, order_id: uuid.UUID) -> CustomerOrderRow:
    row = repo.order(order_id)
    if row is None:
        raise NotFoundError(f"No customer order with id {order_id}")
    return row


def _as_order(row: CustomerOrderRow) -> CustomerOrder:
    return CustomerOrder(0, row.order_key, row.company, row.email, row.domain,
                         row.customer_number, row.order_number, row.order_date, row.amount,
                         row.currency)


def _name(row: CustomerOrderRow) -> str:
    return row.order_number or row.order_key


def _to_json(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def _from_json(column: str, value: Any) -> Any:
    if value is None:
        return None
    if column in ("lead_id", "batch_id"):
        return uuid.UUID(value)
    if column == "order_date":
        return dt.date.fromisoformat(value)
    if column == "imported_at":
        return dt.datetime.fromisoformat(value)
    return value
