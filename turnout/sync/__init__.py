"""turnout.sync: the log-table pattern as one helper.

    from turnout.sync import sync_records
    summary = sync_records(people, "mobilizeid", push_person, warehouse,
                           "mobilize.mobilize_to_actionnetwork_log",
                           target_column="actionnetworkid", reconcile=find_person)

See `turnout.sync.core` for what a run does, `turnout.sync.log` for the log table and
`turnout.sync.journal` for the local journal that makes a crash safe.
"""

from __future__ import annotations

from turnout.sync.core import RECORD_ERRORS, SyncSummary, sync_records
from turnout.sync.journal import SyncJournal
from turnout.sync.log import ERROR_LIMIT, SyncLog, quote_table

__all__ = [
    "ERROR_LIMIT",
    "RECORD_ERRORS",
    "SyncJournal",
    "SyncLog",
    "SyncSummary",
    "quote_table",
    "sync_records",
]
