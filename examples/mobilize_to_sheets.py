"""The first workflow of the training guide: Mobilize attendances into a Google Sheet.

Pull attendances from Mobilize (or from the spreadsheet copy of the same data the guide falls
back on), make them legible, count signups by event, split them by month, and load them into a
spreadsheet in a Drive folder that organizers watch: the one of that name already there (a
re-run rewrites it, so the folder never holds the rows twice), else a new one.

Run it as a script with the connectors' usual environment variables::

    export MOBILIZE_AMERICA_API_KEY=...            # and MOBILIZE_AMERICA_ORGANIZATION_ID
    export GOOGLE_DRIVE_CREDENTIALS=/path/to/service-account.json
    python examples/mobilize_to_sheets.py --folder-id 1y1jgygK5YUQLVrgRgNw7A8Hf2ppqOJJZ

`--from-sheet SPREADSHEET_ID` reads the attendances from a spreadsheet instead of the API.
MOBILIZE_AMERICA_URI and GOOGLE_API_BASE_URL point the connectors at other hosts (the
emulators of `turnout demo`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from turnout import GoogleSheets, MobilizeAmerica, Table

logger = logging.getLogger(__name__)

SPREADSHEET_NAME = "Volunteer Attendance Records"
COUNTS_TAB = "Signups by event"
RED = {"red": 1.0, "green": 0.0, "blue": 0.0}

# The columns organizers see, in order: the same for the API and the spreadsheet copy.
COLUMNS = [
    "id",
    "event_id",
    "event_title",
    "timeslot_id",
    "timeslot_start_date",
    "timeslot_end_date",
    "status",
    "attended",
    "person_id",
    "given_name",
    "family_name",
    "email_address",
    "phone_number",
    "postal_code",
]


def convert_to_legible_date(unix_date: int | str) -> str:
    """A Unix timestamp (int or digits) as 'YYYY-MM-DD HH:MM:SS' in UTC."""
    return datetime.fromtimestamp(int(unix_date), UTC).strftime("%Y-%m-%d %H:%M:%S")


def _primary(entries: list[dict[str, Any]] | None, field: str) -> Any:
    """The primary entry's field of a Mobilize contact list (email_addresses, ...)."""
    entries = entries or []
    chosen = next((e for e in entries if e.get("primary")), entries[0] if entries else {})
    return chosen.get(field)


def legible_person(person: dict[str, Any]) -> dict[str, Any]:
    """The API's person, flattened to the fields of the spreadsheet copy."""
    return {
        "id": person.get("id"),
        "given_name": person.get("given_name"),
        "family_name": person.get("family_name"),
        "email_address": _primary(person.get("email_addresses"), "address"),
        "phone_number": _primary(person.get("phone_numbers"), "number"),
        "postal_code": _primary(person.get("postal_addresses"), "postal_code"),
    }


def legible_attendances(attendance_records: Table, *, person_as_json: bool) -> Table:
    """Flatten event and timeslot, make dates legible, unpack the person into columns."""
    if "event" in attendance_records.columns:  # the API nests event and timeslot
        attendance_records.unpack_dict("event", keys=["id", "title"])
        attendance_records.unpack_dict("timeslot")

    for column in ("timeslot_start_date", "timeslot_end_date"):
        attendance_records.convert_column(column, convert_to_legible_date)

    if person_as_json:  # the spreadsheet copy holds the person as JSON text
        attendance_records.convert_column("person", json.loads)
    else:
        attendance_records.convert_column("person", legible_person)
    # The person's `id` meets the attendance's own `id` and comes out as `person_id`.
    attendance_records.unpack_dict("person", prepend=False)

    return attendance_records.cut(*COLUMNS)


def signups_by_event(attendance_records: Table) -> Table:
    """Signups per event title, counted with petl's aggregate."""
    petl_table = attendance_records.table
    sign_ups_by_event_petl = petl_table.aggregate("event_title", len)
    return Table(sign_ups_by_event_petl)


def first_months(attendance_records: Table, count: int = 3) -> list[str]:
    """The first `count` months ('YYYY-MM') that have attendances: in the guide's data,
    January, February and March 2022."""
    months = sorted({row["timeslot_start_date"][:7] for row in attendance_records})
    return months[:count]


def spreadsheet_for(google_sheets: GoogleSheets, name: str, folder_id: str | None) -> str:
    """The spreadsheet to load into: the one named `name` already in the folder (left by an
    earlier run, perhaps one that failed half-way; overwrite_sheet rewrites it), else a new one.
    Without a folder a new spreadsheet is created each time: a name alone could match someone
    else's spreadsheet shared with the service account."""
    # TODO: a create whose reply was lost (UnknownOutcomeError) can land after the next run's
    # lookup if that run starts at once; that run then creates a second spreadsheet, and later
    # runs load into the oldest and warn, leaving the other one (with that run's rows, if it
    # got as far) in the folder. Trashing the extras would need a Drive trash call.
    existing = google_sheets.find_spreadsheets(name, folder_id=folder_id) if folder_id else []
    if not existing:
        return google_sheets.create_spreadsheet(name, folder_id=folder_id)
    if len(existing) > 1:
        logger.warning(
            "%s spreadsheets named %r in folder %s; loading into the oldest, %s",
            len(existing),
            name,
            folder_id,
            existing[0],
        )
    logger.info("Reusing spreadsheet %s (%r) in folder %s", existing[0], name, folder_id)
    return existing[0]


def run(
    mobilize: MobilizeAmerica | None,
    google_sheets: GoogleSheets,
    folder_id: str | None,
    *,
    source_spreadsheet_id: str | None = None,
    organization_id: int | str | None = None,
    months: Sequence[str] | None = None,
    spreadsheet_name: str = SPREADSHEET_NAME,
) -> dict[str, Any]:
    """Run the workflow; returns what it wrote.

    Reads attendances from Mobilize, or from `source_spreadsheet_id` (the spreadsheet copy,
    with `person` as JSON text) when given. `months` ('YYYY-MM') default to the first three in
    the data. Loads into the folder's spreadsheet named `spreadsheet_name`, created only when
    there is none (see spreadsheet_for). The summary holds spreadsheet_id, spreadsheet_name,
    rows_per_tab, rows_per_month and counts_by_event.
    """
    # Extract
    if source_spreadsheet_id is not None:
        logger.info("Reading attendances from spreadsheet %s", source_spreadsheet_id)
        attendance_records = google_sheets.get_worksheet(source_spreadsheet_id)
    else:
        if mobilize is None:
            raise ValueError("run() needs a MobilizeAmerica connector or source_spreadsheet_id")
        logger.info("Reading attendances from Mobilize")
        attendance_records = mobilize.get_attendances(organization_id)
    logger.info("Extracted %s attendances", attendance_records.num_rows)

    # Transform
    attendance_records = legible_attendances(
        attendance_records, person_as_json=source_spreadsheet_id is not None
    )
    counts = signups_by_event(attendance_records)
    months = list(months) if months is not None else first_months(attendance_records)
    by_month = [
        attendance_records.select_rows(f"'{month}' in {{timeslot_start_date}}") for month in months
    ]
    for month, table in zip(months, by_month):
        logger.info("%s: %s attendances", month, table.num_rows)

    # Load
    sheet_id = spreadsheet_for(google_sheets, spreadsheet_name, folder_id)
    # The guide overwrites with January and appends the other months; one overwrite of all
    # the months writes the same rows, and leaves no clear of this run to land (late, after a
    # timeout) on rows appended after it.
    google_sheets.overwrite_sheet(sheet_id, Table([COLUMNS]).concat(*by_month))
    google_sheets.format_cells(sheet_id, "A1", {"backgroundColor": RED}, worksheet=0)

    tabs = google_sheets.list_worksheets(sheet_id)
    if COUNTS_TAB in tabs:  # a spreadsheet reused from an earlier run
        counts_index = tabs.index(COUNTS_TAB)
    else:
        counts_index = google_sheets.add_sheet(
            sheet_id, COUNTS_TAB, rows=max(10, counts.num_rows + 1)
        )
    google_sheets.overwrite_sheet(sheet_id, counts, worksheet=counts_index)

    tabs = google_sheets.list_worksheets(sheet_id)
    summary = {
        "spreadsheet_id": sheet_id,
        "spreadsheet_name": spreadsheet_name,
        "rows_per_tab": {
            tabs[0]: sum(table.num_rows for table in by_month),
            COUNTS_TAB: counts.num_rows,
        },
        "rows_per_month": {month: t.num_rows for month, t in zip(months, by_month)},
        "counts_by_event": {row["event_title"]: row["value"] for row in counts},
    }
    logger.info("Wrote spreadsheet %s: %s", sheet_id, summary["rows_per_tab"])
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--folder-id",
        default=os.environ.get("GOOGLE_DRIVE_FOLDER_ID"),
        help="the Drive folder of the spreadsheet (default: env GOOGLE_DRIVE_FOLDER_ID)",
    )
    parser.add_argument(
        "--from-sheet",
        metavar="SPREADSHEET_ID",
        help="read attendances from this spreadsheet instead of the Mobilize API",
    )
    parser.add_argument("--name", default=SPREADSHEET_NAME, help="the spreadsheet's title")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")

    mobilize = None if args.from_sheet else MobilizeAmerica()
    google_sheets = GoogleSheets()
    summary = run(
        mobilize,
        google_sheets,
        args.folder_id,
        source_spreadsheet_id=args.from_sheet,
        spreadsheet_name=args.name,
    )
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
