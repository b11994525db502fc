"""The set of services the composition root builds once and hands to the GUI or the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from app.clock import utc_now
from app.services.attribution_service import AttributionService
from app.services.audit_service import AuditService
from app.services.backup_service import BackupService
from app.services.booth_service import BoothService
from app.services.cadence_service import CadenceService
from app.services.card_pictures import CardPictureService
from app.services.context import ServiceContext
from app.services.customer_service import CustomerService
from app.services.dedupe_service import DedupeService
from app.services.enrichment_service import EnrichmentService
from app.services.erasure_service import ErasureService
from app.services.event_service import EventService
from app.services.export_service import ExportService
from app.services.followup_service import FollowUpService
from app.services.import_service import ImportService
from app.services.intake import BatchIntake
from app.services.lead_service import LeadService
from app.services.lock_service import LockService
from app.services.merge_service import MergeService
from app.services.people_service import PeopleService
from app.services.planning_service import PlanningService
from app.services.question_service import QuestionService
from app.services.report_service import ReportService
from app.services.retention_service import RetentionService
from app.services.routing_service import RoutingService
from app.services.scoring_service import ScoringService
from app.services.settings_service import SettingsService
from app.services.suppression_index import SuppressionIndexCache
from app.services.suppression_service import SuppressionService
from app.services.sync.service import SyncService
from app.services.sync_settings import SyncSettingsStore
from app.storage.db import Database


@dataclass(frozen=True)
class Services:
    context: ServiceContext
    leads: LeadService
    people: PeopleService
    events: EventService
    questions: QuestionService
    booth: BoothService
    card_pictures: CardPictureService
    imports: ImportService
    customers: CustomerService
    dedupe: DedupeService
    suppressions: SuppressionService
    enrichment: EnrichmentService
    merges: MergeService
    erasure: ErasureService
    exports: ExportService
    settings: SettingsService
    scoring: ScoringService
    routing: RoutingService
    cadences: CadenceService
    followup: FollowUpService
    reports: ReportService
    attribution: AttributionService
    planning: PlanningService
    sync: SyncService
    sync_settings: SyncSettingsStore
    backups: BackupService
    lock: LockService
    audit: AuditService
    retention: RetentionService

    @classmethod
    def build(cls, db: Database, clock: Callable[[], dt.datetime] = utc_now) -> Services:
        context = ServiceContext(db, clock)
        audit = AuditService(context)
        backups = BackupService(context)
        settings = SettingsService(context)
        suppression_index = SuppressionIndexCache(context)
        scoring = ScoringService(context, settings, suppression_index)
        cadences = CadenceService(context, settings)
        routing = RoutingService(context, settings, audit, after_moves=cadences.after_moves,
                                 before_big_operation=backups.before)
        # Every saved lead, in this order: scored, routed when new (routing reads the score),
        # then followed up (cadences start once routing gave it an owner).
        leads = LeadService(context, on_saved=(scoring.lead_saved, routing.lead_saved,
                                               cadences.lead_saved))
        questions = QuestionService(context, [leads.notify_changed])
        suppressions = SuppressionService(context, leads, suppression_index)
        erasure = ErasureService(context, suppressions, audit)
        enrichment = EnrichmentService(context, leads)
        dedupe = DedupeService(context)
        imports = ImportService(
            context, questions, suppressions, enrichment, dedupe, audit,
            new_intake=lambda now: BatchIntake(scoring, routing, settings, now, context.device_id,
                                               context.current_user_id),
            after_import=cadences.after_import,
            first_touch_deadlines=cadences.first_touch_deadlines)
        attribution = AttributionService(context)
        services = cls(context=context, leads=leads, people=PeopleService(context),
                   events=EventService(context), questions=questions,
                   booth=BoothService(context, leads, questions, suppressions, enrichment,
                                      dedupe),
                   card_pictures=CardPictureService(context),
                   imports=imports,
                   customers=CustomerService(context, leads, audit),
                   dedupe=dedupe,
                   suppressions=suppressions, enrichment=enrichment,
                   merges=MergeService(context, leads, dedupe, audit,
                                       before_big_operation=backups.before),
                   erasure=erasure,
                   exports=ExportService(leads, suppressions, audit), settings=settings,
                   scoring=scoring, routing=routing, cadences=cadences,
                   followup=FollowUpService(context, leads, cadences, routing),
                   reports=ReportService(context, audit, attribution),
                   attribution=attribution,
                   planning=PlanningService(context, audit),
                   sync=SyncService(context, rescore=scoring.rescore_many_in,
                                    rescore_stale=scoring.rescore_if_inputs_changed,
                                    after_merge=(suppression_index.forget, scoring.forget,
                                                 cadences.forget, settings.forget),
                                    after_merge_in=(cadences.after_sync,)),
                   sync_settings=SyncSettingsStore(db),
                   backups=backups,
                   lock=LockService(context),
                   audit=audit,
                   retention=RetentionService(context, settings, erasure, audit))
        return services
