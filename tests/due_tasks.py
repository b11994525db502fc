"""Many follow-up tasks at once, for the tests of my day at scale (hundreds overdue).

Written in one bulk insert: creating hundreds of leads through the services to get their
cadence tasks would take most of a test's time and give tasks at moments the test cannot pick.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from app.domain.leads import LeadRecord
from app.domain.tasks import TaskKind
from app.services.container import Services
from app.storage.repositories.bulk import BulkWriter


def add_due_tasks(services: Services, lead: LeadRecord, owner_id: uuid.UUID,
                  moments: Iterable[dt.datetime], *, title: str = "Follow-up call"
                  ) -> list[uuid.UUID]:
    """Open call tasks on ``lead`` for ``owner_id``, one per moment; returns their ids."""
    now = services.context.clock()
    db = services.context.db
    rows = [{"id": uuid.uuid4(), "lead_id": lead.id, "owner_id": owner_id,
             "kind": TaskKind.CALL, "title": f"{title} {number}", "due_at": due,
             "created_at": now, "updated_at": now, "device_id": db.device_id}
            for number, due in enumerate(moments, start=1)]
    with BulkWriter(db) as writer:
        writer.write({"task": rows})
    return [row["id"] for row in rows]
