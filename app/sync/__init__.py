"""Pure-Python sync core: hybrid logical clock, change model, merge, change-set and snapshot files,
folder I/O, acknowledgement state and compaction.

Nothing here touches SQLAlchemy, Qt or the app database: the storage layer persists what these
modules produce (ops, HLC, exported sequence numbers) and feeds them back in.
See /work/shared/design/SYNC.md sections 4.3-4.12 for the rules implemented here.
"""

from app.sync.clock import MAX_DRIFT_MS, HybridClock, Timestamp
from app.sync.conflicts import Conflict
from app.sync.merge import ApplyResult, Replica
from app.sync.ops import Append, FieldSet, FieldVersion, Op, RowDelete, RowRestore, op_from_dict, op_to_dict
from app.sync.snapshot import Snapshot

__all__ = [
    "MAX_DRIFT_MS",
    "Append",
    "ApplyResult",
    "Conflict",
    "FieldSet",
    "FieldVersion",
    "HybridClock",
    "Op",
    "Replica",
    "RowDelete",
    "RowRestore",
    "Snapshot",
    "Timestamp",
    "op_from_dict",
    "op_to_dict",
]
