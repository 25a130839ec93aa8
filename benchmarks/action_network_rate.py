"""Benchmark: sync 400 people into the Action Network emulator at its 4 requests/s limit.

    python benchmarks/action_network_rate.py            # about 100 s
    python benchmarks/action_network_rate.py --people 40 --rate 4   # a quick look

Starts the emulator on loopback with the real limit (4 requests a second per key, 429 past it),
then runs the log-table sync (`turnout.sync.sync_records`, DuckDB log in a temporary directory)
with a turnout `ActionNetwork` at its default client-side pace (4 requests a second). Each
person is one signup-helper POST with a tag. Reports the achieved request rate at the emulator
(targets: at least 95% of the limit, and no 429s) and exits 1 when a target is missed.
Not part of `.ci/run`: it takes as long as the limit makes it.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from pathlib import Path

from turnout.connectors.action_network import ActionNetwork, action_network_id
from turnout.emulators.action_network import API_PREFIX, DEFAULT_TOKEN, create_app
from turnout.emulators.base import EmulatorServer
from turnout.sync import sync_records
from turnout.table import Table
from turnout.warehouse.duckdb import DuckDB

TARGET_SHARE = 0.95


def people(count: int) -> Table:
    return Table(
        [
            {
                "mobilizeid": 100_000 + index,
                "given_name": f"Bench{index}",
                "family_name": "Runner",
                "email_address": f"bench.runner{index:04d}@example.org",
                "phone_number": f"512555{index:04d}",
                "postal_code": "78702",
            }
            for index in range(count)
        ]
    )


def run(count: int, rate: float) -> int:
    app = create_app(seed=0, rate=rate)
    seeded = app.person_count
    with EmulatorServer(app) as server, tempfile.TemporaryDirectory() as scratch:
        an = ActionNetwork(DEFAULT_TOKEN, api_url=server.url + API_PREFIX, rate_limit=rate)
        warehouse = DuckDB(Path(scratch) / "warehouse.duckdb")

        def push(row: dict) -> str | None:
            person = an.upsert_person(
                email_address=row["email_address"],
                given_name=row["given_name"],
                family_name=row["family_name"],
                mobile_number=row["phone_number"],
                tags="Mobilize Event Attendee",
                postal_addresses=[{"postal_code": row["postal_code"]}],
            )
            return action_network_id(person)

        started = time.perf_counter()
        summary = sync_records(
            people(count),
            "mobilizeid",
            push,
            warehouse,
            "bench.action_network_log",
            target_column="actionnetworkid",
            journal_path=Path(scratch) / "journal.sqlite",
        )
        elapsed = time.perf_counter() - started

        posts = app.requests_to(f"{API_PREFIX}/people", "POST")
        stamps = [record.at for record in posts]
        # Rate over the request stream itself: n requests span n - 1 intervals.
        span = stamps[-1] - stamps[0] if len(stamps) > 1 else 0.0
        achieved = (len(stamps) - 1) / span if span else float("nan")
        overall = len(posts) / elapsed
        limited = sum(1 for record in app.requests if record.status == 429)
        stored = app.person_count - seeded

    print(f"people synced:         {summary.succeeded} of {count} ({summary.failed} failed)")
    print(f"people in emulator:    {stored}")
    print(f"requests sent:         {len(posts)} signup POSTs ({len(app.requests)} in all)")
    print(f"wall time:             {elapsed:.1f} s (sync_records, start to end)")
    print(f"achieved rate:         {achieved:.3f} requests/s between first and last request")
    print(f"overall rate:          {overall:.3f} requests/s (requests / wall time)")
    print(f"limit:                 {rate:.3f} requests/s -> {achieved / rate:.1%} of it")
    print(f"429 responses:         {limited}")
    ok = achieved >= TARGET_SHARE * rate and limited == 0 and stored == count
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--rate", type=float, default=4.0, help="requests/s, emulator and client")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    return run(args.people, args.rate)


if __name__ == "__main__":
    sys.exit(main())
