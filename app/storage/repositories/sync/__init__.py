"""The SQL of sync, one concern a module; ``repository.SyncRepository`` joins them for the services.

``op_log`` holds the compressed op log, ``replica_state`` what this replica believes of each row
(shadow, marks, pending follow-ups, processed files), ``synced_rows`` raw reads and writes of the
synced tables, ``review_flags`` the sync-conflict review flags, ``erased_rows`` erasure in the log.
"""
