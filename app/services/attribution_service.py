"""Attribution and conversion analysis: reads the orders and leads (attribution repository)
and lets app/domain/attribution.py credit the revenue and count the funnel."""

from __future__ import annotations

from app.domain.attribution import Attribution, Model, analyse
from app.domain.reports import ReportFilters
from app.services.context import ServiceContext
from app.storage.repositories.attribution import AttributionRepository


class AttributionService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def analysis(self, model: Model = Model.FIRST,
                 filters: ReportFilters | None = None) -> Attribution:
        """Revenue credited under ``model`` and the funnel of the leads in ``filters``."""
        f = filters if filters is not None else ReportFilters()
        with self.context.db.read() as session:
            repo = AttributionRepository(session)
            orders, credits, facts = repo.credits(model)
            return analyse(model, repo.funnel_leads(f), orders, credits, facts, repo.events(), f)
