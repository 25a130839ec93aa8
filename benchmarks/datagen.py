"""Deterministic Mobilize-shaped attendance records for the benchmarks.

The rows have the shape of the training guide's attendance data: ids, an event title, three unix
timestamps (timeslot start and end, record creation), a status, `attended`, the registrant's
email, and the person as a JSON string (`{"id": 1, "given_name": ...}`), as a spreadsheet or
CSV export of Mobilize holds it. About three attendances share each person, so deduplicating on
email removes rows. The same seed always gives the same bytes.

    python benchmarks/datagen.py --rows 100000      # writes benchmarks/.work/data/...

The CSV holds every value as text; the JSON-lines file holds the same records with JSON types
(ints for ids and timestamps, a bool for `attended`).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from pathlib import Path

DATA = Path(__file__).resolve().parent / ".work" / "data"

COLUMNS = [
    "id",
    "event_id",
    "event_title",
    "timeslot_id",
    "timeslot_start_date",
    "timeslot_end_date",
    "created_date",
    "status",
    "attended",
    "email",
    "person",
]
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]  # fmt: skip
_KINDS = ["Canvass", "Textbank", "Phonebank", "Relational Organizing Hour", "Training",
          "House Party", "Voter Registration Drive", "Town Hall"]  # fmt: skip
_GIVEN = ["Lou", "Arleyne", "Alameda", "Bondie", "Korrie", "Dana", "Marisol", "Tomas", "Aiyana",
          "Priya", "Kwame", "Ines", "Jonah", "Mei", "Omar", "Rosa"]  # fmt: skip
_FAMILY = ["Slainey", "Ransfield", "Blackmuir", "Berrow", "Spight", "Okafor", "Nguyen", "Silva",
           "Haddad", "Kowalski", "Reyes", "Lindqvist", "Mensah", "Tanaka"]  # fmt: skip
_DOMAINS = ["unicef.org", "qq.com", "wisc.edu", "discuz.net", "sakura.ne.jp", "example.org"]
_STATUSES = ["REGISTERED", "REGISTERED", "REGISTERED", "CONFIRMED", "CANCELLED"]
_YEAR_START = 1640995200  # 2022-01-01 00:00:00 UTC
_EVENTS = 240


def attendance_records(rows: int, seed: int = 0) -> list[dict]:
    """`rows` attendance records with JSON types; the same `seed` gives the same records."""
    rng = random.Random(seed)
    people = max(rows // 3, 1)
    events = []
    for event in range(_EVENTS):
        month = event % 12
        title = f"{_MONTHS[month]} {_KINDS[(event // 12) % len(_KINDS)]}"
        events.append((454545 + event, title, month))

    records = []
    for index in range(rows):
        person_id = rng.randrange(people) + 1
        given = _GIVEN[person_id % len(_GIVEN)]
        family = _FAMILY[(person_id // len(_GIVEN)) % len(_FAMILY)]
        email = f"{given[0].lower()}{family.lower()}{person_id}@{_DOMAINS[person_id % 6]}"
        event_id, title, month = events[rng.randrange(_EVENTS)]
        start = _YEAR_START + month * 30 * 86400 + rng.randrange(28 * 48) * 1800
        person = {
            "id": person_id,
            "given_name": given,
            "family_name": family,
            "email_address": email,
            "phone_number": str(2000000000 + (person_id * 7919) % 7999999999),
            "postal_code": f"{78700 + person_id % 90:05d}",
        }
        records.append(
            {
                "id": 46273 + index,
                "event_id": event_id,
                "event_title": title,
                "timeslot_id": 100000 + rng.randrange(900000),
                "timeslot_start_date": start,
                "timeslot_end_date": start + 7200,
                "created_date": start - rng.randrange(1, 30 * 86400),
                "status": rng.choice(_STATUSES),
                "attended": rng.random() < 0.7,
                "email": email,
                "person": json.dumps(person),
            }
        )
    return records


def csv_path(rows: int) -> Path:
    return DATA / f"mobilize_attendances_{rows}.csv"


def jsonl_path(rows: int) -> Path:
    return DATA / f"mobilize_attendances_{rows}.jsonl"


def _as_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def ensure_data(rows: int, seed: int = 0) -> tuple[Path, Path]:
    """Write the CSV and JSON-lines files for `rows` unless they exist; return their paths."""
    csv_file, jsonl_file = csv_path(rows), jsonl_path(rows)
    if csv_file.exists() and jsonl_file.exists():
        return csv_file, jsonl_file
    DATA.mkdir(parents=True, exist_ok=True)
    records = attendance_records(rows, seed)
    partial_csv = csv_file.with_suffix(".csv.partial")
    with open(partial_csv, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(COLUMNS)
        for record in records:
            writer.writerow([_as_text(record[name]) for name in COLUMNS])
    partial_jsonl = jsonl_file.with_suffix(".jsonl.partial")
    with open(partial_jsonl, "w", encoding="utf-8") as file:
        for record in records:
            file.write(json.dumps(record))
            file.write("\n")
    partial_csv.replace(csv_file)
    partial_jsonl.replace(jsonl_file)
    return csv_file, jsonl_file


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000", help="comma-separated row counts")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    for rows in (int(value) for value in args.rows.split(",")):
        for path in ensure_data(rows, args.seed):
            print(path, f"{path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
