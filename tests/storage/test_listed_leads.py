"""A list of exactly the leads an automatic job changed, however many they are."""

from __future__ import annotations

import uuid

import pytest

from app.domain.leads import LeadQuery
from app.services.container import Services

pytestmark = pytest.mark.both_databases


def test_a_list_of_given_leads_holds_exactly_them_past_sqlites_parameter_limit(
        services: Services) -> None:
    kept = [services.leads.create({"last_name": f"Listed {n}"}) for n in range(3)]
    services.leads.create({"last_name": "Not listed"})
    # More ids than SQLite accepts as separate parameters (32,766), nearly all of them gone.
    ids = (*(uuid.uuid4() for _ in range(40_000)), *(lead.id for lead in kept))
    query = LeadQuery(lead_ids=ids)
    assert query.is_filtered
    assert services.leads.count(query) == 3
    assert {r.id for r in services.leads.list(query, limit=10)} == {lead.id for lead in kept}
