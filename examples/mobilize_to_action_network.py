"""Mobilize -> warehouse -> Action Network: the training guide's second workflow, with turnout.

Every day: copy Mobilize attendances into the warehouse (E), build the table of people not yet
synced with SQL (T), add each of them to Action Network with a tag and their postal code, and
keep a log table of every outcome (L). A re-run syncs nobody twice and retries only the
failures: the SQL joins the log's *success* rows, and `turnout.sync` skips keys already synced.

Run it once, or on a schedule, with the run recorded:

    turnout run examples/mobilize_to_action_network.py
    turnout schedule examples/mobilize_to_action_network.py --cron "0 6 * * *"

Configuration (environment variables):
    MOBILIZE_AMERICA_API_KEY, MOBILIZE_AMERICA_ORGANIZATION_ID   the Mobilize side
    AN_API_TOKEN                                                  the Action Network group's key
    TURNOUT_WAREHOUSE   duckdb (default; file from TURNOUT_DUCKDB_PATH), postgres (PG* vars),
                        redshift (REDSHIFT_* vars), or a postgresql:// URL
    TURNOUT_SYNC_SCHEMA the warehouse schema (default: mobilize)
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path
from typing import Any

from turnout import Table
from turnout.connectors.action_network import action_network_id
from turnout.errors import ConfigurationError, ResponseFormatError
from turnout.sync import SyncSummary, quote_table, sync_records

logger = logging.getLogger("mobilize_to_action_network")

TAG = "Mobilize Event Attendee"


def flatten_attendances(attendances: Table) -> Table:
    """One row per attendance with the person's fields as plain columns (the warehouse gets
    no nested dicts): the primary email address, phone number and postal code."""
    rows = []
    for attendance in attendances:
        person = attendance.get("person") or {}
        rows.append(
            {
                "attendance_id": attendance.get("id"),
                "event_id": (attendance.get("event") or {}).get("id"),
                "timeslot_id": (attendance.get("timeslot") or {}).get("id"),
                "status": attendance.get("status"),
                "user_id": person.get("user_id"),
                "given_name": person.get("given_name"),
                "family_name": person.get("family_name"),
                "email_address": _primary(person.get("email_addresses"), "address"),
                "phone_number": _primary(person.get("phone_numbers"), "number"),
                "postal_code": _primary(person.get("postal_addresses"), "postal_code"),
            }
        )
    return Table(rows)


def _primary(entries: list[dict[str, Any]] | None, field: str) -> Any:
    """The `field` of the entry marked primary (else the first), or None."""
    if not entries:
        return None
    primary = next((e for e in entries if e.get("primary")), entries[0])
    return primary.get(field) or None


def users_to_sync_sql(attendances: str, users: str, log_table: str, log_exists: bool) -> str:
    """The T step: distinct Mobilize people with no *success* row in the log.

    The guide's `WHERE log.synced IS NULL` on a join with the whole log never brings a failed
    person back (their failure row matches the join); joining only the success rows does.
    """
    people = f"""
        SELECT DISTINCT
            mob.user_id AS mobilizeid,
            mob.given_name,
            mob.family_name,
            mob.email_address,
            mob.phone_number,
            mob.postal_code
        FROM {quote_table(attendances)} AS mob"""
    if not log_exists:  # the very first run: nobody is synced yet
        return f"CREATE TABLE {quote_table(users)} AS {people}"
    return f"""
        CREATE TABLE {quote_table(users)} AS {people}
        LEFT JOIN (
            SELECT DISTINCT mobilizeid FROM {quote_table(log_table)} WHERE synced
        ) AS log ON log.mobilizeid = mob.user_id
        WHERE log.mobilizeid IS NULL"""


def run(
    mobilize: Any,
    action_network: Any,
    warehouse: Any,
    *,
    organization_id: int | None = None,
    schema: str = "mobilize",
    journal_path: str | Path | None = None,
    tag: str = TAG,
) -> SyncSummary:
    """Run the workflow once; returns the sync's summary (pushed, succeeded, failed, ...).

    organization_id: the Mobilize organization (default: the connector's, from
    MOBILIZE_AMERICA_ORGANIZATION_ID). journal_path: the sync journal (default: under the
    turnout home, see docs/sync.md).
    """
    attendances_table = f"{schema}.attendances"
    users_table = f"{schema}.mobilize_users_to_sync"
    log_table = f"{schema}.mobilize_to_actionnetwork_log"

    # E: Mobilize attendances into the warehouse, person fields flattened.
    attendances = flatten_attendances(mobilize.get_attendances(organization_id))
    logger.info("%s attendances from Mobilize", attendances.num_rows)
    if attendances.num_rows == 0:
        logger.info("no attendances; nothing to sync")
        return SyncSummary(log_table=log_table)
    warehouse.copy(attendances, attendances_table, if_exists="drop", alter_table=True)

    # T: the people who still need syncing.
    warehouse.query(f"DROP TABLE IF EXISTS {quote_table(users_table)}")
    warehouse.query(
        users_to_sync_sql(
            attendances_table, users_table, log_table, warehouse.table_exists(log_table)
        )
    )

    # L: each person into Action Network, every outcome into the log table.
    if tag not in {row["name"] for row in action_network.get_tags()}:
        action_network.add_tag(tag)  # the API ignores tag names it does not know

    def push_person(person: dict[str, Any]) -> str:
        postal_code = person["postal_code"]
        response = action_network.add_person(
            email_address=person["email_address"],
            given_name=person["given_name"],
            family_name=person["family_name"],
            mobile_number=person["phone_number"],
            tag=tag,
            postal_addresses=[{"postal_code": postal_code}] if postal_code else None,
        )
        person_id = action_network_id(response)
        if person_id is None:
            raise ResponseFormatError(f"Action Network returned no id for {response!r}")
        return person_id

    def find_person(person: dict[str, Any]) -> str | None:
        """Where a crashed run may have added the person already: look them up."""
        found = None
        if person.get("email_address"):
            found = action_network.get_person_by_email(person["email_address"])
        elif person.get("phone_number"):
            found = action_network.get_person_by_phone(person["phone_number"])
        return action_network_id(found) if found else None

    summary = sync_records(
        f"SELECT * FROM {quote_table(users_table)} ORDER BY mobilizeid",
        "mobilizeid",
        push_person,
        warehouse,
        log_table,
        target_column="actionnetworkid",
        reconcile=find_person,
        journal_path=journal_path,
    )
    logger.info(
        "Successfully synced %s mobilize users and failed to sync %s",
        summary.succeeded + summary.reconciled,
        summary.failed,
    )
    return summary


def warehouse_from_environment() -> Any:
    """DuckDB unless TURNOUT_WAREHOUSE says postgres, redshift or gives a postgresql:// URL."""
    choice = os.environ.get("TURNOUT_WAREHOUSE", "duckdb").strip()
    if choice.startswith(("postgresql://", "postgres://")):
        from turnout import Postgres

        return Postgres(url=choice)
    if choice.lower() == "postgres":
        from turnout import Postgres

        return Postgres()
    if choice.lower() == "redshift":
        from turnout import Redshift

        return Redshift()
    if choice.lower() == "duckdb":
        from turnout import DuckDB

        return DuckDB()
    raise ConfigurationError(
        f"TURNOUT_WAREHOUSE={choice!r}: expected duckdb, postgres, redshift or a postgresql:// URL"
    )


def main() -> int:
    if not logging.getLogger().handlers:  # `turnout run` configures logging itself
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    from turnout import ActionNetwork, MobilizeAmerica

    mobilize = MobilizeAmerica()
    if not mobilize.organization_id:
        raise ConfigurationError(
            "set MOBILIZE_AMERICA_ORGANIZATION_ID to the Mobilize organization's id"
        )
    run(
        mobilize,
        ActionNetwork(),
        warehouse_from_environment(),
        schema=os.environ.get("TURNOUT_SYNC_SCHEMA", "mobilize"),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
