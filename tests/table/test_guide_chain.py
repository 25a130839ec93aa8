"""The training guide's Part 1 transform chain on Mobilize-shaped rows, with exact results."""

import json
import logging
from datetime import datetime

import pytest

from turnout import Table
from turnout.table.converters import unix_to_text

PEOPLE = [
    ("Lou", "Slainey", "lslainey0@unicef.org", "3271326753"),
    ("Arleyne", "Ransfield", "aransfield1@qq.com", "2174386332"),
    ("Alameda", "Blackmuir", "ablackmuir2@wisc.edu", "3844977654"),
    ("Bondie", "Berrow", "bberrow3@discuz.net", "2275080414"),
    ("Korrie", "Spight", "kspight4@sakura.ne.jp", "9818241063"),
    ("Lou", "Slainey", "lslainey0@unicef.org", "3271326753"),
]
EVENTS = [
    ("454545", "January Canvass", "738375", "1642865400", "1642872600"),
    ("454546", "January Textbank", "239573", "1643563800", "1643527800"),
    ("454547", "February Canvass", "183743", "1644939000", "1644946200"),
    ("454548", "February Phonebank", "283666", "1645378200", "1645342200"),
    ("454549", "March Relational Organizing Hour", "477483", "1648218600", "1648225800"),
    ("454545", "January Canvass", "738375", "1642865400", "1642872600"),
]


def attendance_rows():
    rows = []
    for index, (event, person) in enumerate(zip(EVENTS, PEOPLE)):
        given, family, email, phone = person
        rows.append(
            {
                "id": str(46273 + index),
                "event_id": event[0],
                "event_title": event[1],
                "timeslot_id": event[2],
                "timeslot_start_date": event[3],
                "timeslot_end_date": event[4],
                "status": "REGISTERED",
                "attended": "true",
                "person": json.dumps(
                    {
                        "id": index + 1,
                        "given_name": given,
                        "family_name": family,
                        "email_address": email,
                        "phone_number": phone,
                        "postal_code": "78737",
                    }
                ),
            }
        )
    return rows


def convert_to_legible_date(unix_date):
    return datetime.utcfromtimestamp(int(unix_date)).strftime("%Y-%m-%d %H:%M:%S")


EXPECTED_FIRST = {
    "id": "46273",
    "event_id": "454545",
    "event_title": "January Canvass",
    "timeslot_id": "738375",
    "timeslot_start_date": "2022-01-22 15:30:00",
    "timeslot_end_date": "2022-01-22 17:30:00",
    "status": "REGISTERED",
    "attended": "true",
    "email_address": "lslainey0@unicef.org",
    "family_name": "Slainey",
    "given_name": "Lou",
    "person_id": 1,
    "phone_number": "3271326753",
    "postal_code": "78737",
}


@pytest.mark.parametrize("converter", [convert_to_legible_date, unix_to_text()])
def test_part_one_chain(converter, caplog):
    attendance_records = Table(attendance_rows())

    attendance_records.convert_column("timeslot_start_date", converter)
    attendance_records.convert_column("timeslot_end_date", converter)
    attendance_records.convert_column("person", json.loads)
    with caplog.at_level(logging.WARNING):
        attendance_records.unpack_dict("person", prepend=False)

    assert "'id' already exists" in caplog.text
    assert attendance_records.columns == list(EXPECTED_FIRST)
    assert attendance_records[0] == EXPECTED_FIRST
    assert attendance_records["id"] == ["46273", "46274", "46275", "46276", "46277", "46278"]
    assert attendance_records["person_id"] == [1, 2, 3, 4, 5, 6]
    assert attendance_records["timeslot_start_date"] == [
        "2022-01-22 15:30:00",
        "2022-01-30 17:30:00",
        "2022-02-15 15:30:00",
        "2022-02-20 17:30:00",
        "2022-03-25 14:30:00",
        "2022-01-22 15:30:00",
    ]
    assert attendance_records["timeslot_end_date"][1] == "2022-01-30 07:30:00"

    sign_ups_by_event = Table(attendance_records.table.aggregate("event_title", len))
    assert list(sign_ups_by_event) == [
        {"event_title": "February Canvass", "value": 1},
        {"event_title": "February Phonebank", "value": 1},
        {"event_title": "January Canvass", "value": 2},
        {"event_title": "January Textbank", "value": 1},
        {"event_title": "March Relational Organizing Hour", "value": 1},
    ]

    jan = attendance_records.select_rows("'2022-01' in {timeslot_start_date}")
    feb = attendance_records.select_rows("'2022-02' in {timeslot_start_date}")
    mar = attendance_records.select_rows("'2022-03' in {timeslot_start_date}")
    assert jan["id"] == ["46273", "46274", "46278"]
    assert feb["id"] == ["46275", "46276"]
    assert mar[0]["event_title"] == "March Relational Organizing Hour"
    assert mar.num_rows == 1
    assert attendance_records.num_rows == 6  # select_rows returns new Tables


def test_log_table_counts():
    logtable = Table(
        [
            {"id": 1, "synced": True, "errors": None},
            {"id": 2, "synced": False, "errors": "bad email"},
            {"id": 3, "synced": True, "errors": None},
        ]
    )
    assert logtable.select_rows("{synced} is False").num_rows == 1
    assert logtable.select_rows("{synced} is True").num_rows == 2
