"""Load Mobilize-shaped attendances into PostgreSQL: turnout vs Parsons 6.1.0 vs `psql \\copy`,
and into DuckDB with turnout. Each load runs in a fresh process, one after another.

    python benchmarks/warehouse_load.py --rows 1000000

The server is TURNOUT_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test). The
data comes from benchmarks/datagen.py (same seed, same bytes). Timed, per tool:

- psql: `\\copy` of the CSV file into a table created beforehand with the column types turnout
  infers (the limit: the server's own CSV parser fed straight from the file);
- turnout: `Postgres.copy(tbl, "schema.table")` of a Table already in memory (read from the
  JSON-lines file, with ints and bools, before the clock starts): type inference, CREATE TABLE,
  COPY FROM STDIN, commit;
- Parsons 6.1.0: `Postgres.copy(tbl, table)` of a Parsons Table over the same records held in
  memory (its postgres extra installed in the throwaway venv of benchmarks/parsons_env.py);
- DuckDB: turnout `DuckDB(file).copy(tbl, "schema.table")` from the same in-memory Table.

After each load the row count and the sum of ids are checked against the data.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from datagen import COLUMNS, ensure_data
from parsons_env import PARSONS_VERSION, parsons_python, run_snippet

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"

# The types turnout infers for these records (checked after its load).
TABLE_DDL = """
    id BIGINT, event_id BIGINT, event_title TEXT, timeslot_id BIGINT,
    timeslot_start_date BIGINT, timeslot_end_date BIGINT, created_date BIGINT, status TEXT,
    attended BOOLEAN, email TEXT, person TEXT
"""


def parsons_with_postgres() -> str:
    """The Parsons venv's interpreter, with Parsons' postgres extra (psycopg2) installed."""
    python = parsons_python()
    check = subprocess.run([python, "-c", "import psycopg2"], capture_output=True)
    if check.returncode != 0:
        print("installing parsons[postgres] into the Parsons venv (first run only)...")
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", f"parsons[postgres]=={PARSONS_VERSION}"],
            check=True,
        )
    return python


def check_table(url: str, table: str, rows: int, id_sum: int) -> None:
    with psycopg.connect(url) as connection:
        count, total = connection.execute(f"SELECT COUNT(*), SUM(id) FROM {table}").fetchone()
    if (count, int(total)) != (rows, id_sum):
        raise SystemExit(f"{table}: {count} rows, id sum {total}; expected {rows}, {id_sum}")


def time_psql(url: str, schema: str, csv_file: Path) -> float:
    table = f"{schema}.psql_copy"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE TABLE {table} ({TABLE_DDL})")
    command = f"\\copy {table} ({', '.join(COLUMNS)}) FROM '{csv_file}' WITH (FORMAT csv, HEADER)"
    start = time.perf_counter()
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c", command], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--skip-parsons", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("TURNOUT_TEST_POSTGRES_URL", DEFAULT_URL)
    rows = args.rows

    csv_file, jsonl_file = ensure_data(rows)
    id_sum = sum(range(46273, 46273 + rows))  # datagen numbers ids from 46273
    schema = f"bench_{secrets.token_hex(4)}"
    parsons_table = f"parsons_bench_{secrets.token_hex(4)}"
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    results: dict[str, dict] = {}
    try:
        seconds = time_psql(url, schema, csv_file)
        check_table(url, f"{schema}.psql_copy", rows, id_sum)
        results["psql \\copy (CSV file)"] = {"seconds": seconds, "peak_rss_mb": None}
        print(f"psql \\copy: {seconds:.2f} s")

        setup = f"""
from turnout import Table, Postgres
tbl = Table.from_json({str(jsonl_file)!r}, line_delimited=True)
assert tbl.num_rows == {rows}
pg = Postgres(url={url!r})
"""
        work = f"pg.copy(tbl, {schema + '.turnout_copy'!r})"
        measured = run_snippet(sys.executable, setup, work)
        check_table(url, f"{schema}.turnout_copy", rows, id_sum)
        with psycopg.connect(url) as connection:
            types = connection.execute(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = 'turnout_copy' ORDER BY ordinal_position",
                [schema],
            ).fetchall()
        print("turnout column types:", [row[0] for row in types])
        results["turnout Postgres.copy"] = measured.__dict__
        print(f"turnout: {measured.seconds:.2f} s, {measured.peak_rss_mb:.0f} MB")

        with tempfile.TemporaryDirectory() as directory:
            duck_setup = f"""
from turnout import Table, DuckDB
tbl = Table.from_json({str(jsonl_file)!r}, line_delimited=True)
db = DuckDB({str(Path(directory) / "bench.duckdb")!r})
"""
            duck_work = f"""
db.copy(tbl, "mobilize.attendances")
n, s = db.client.execute("SELECT COUNT(*), SUM(id) FROM mobilize.attendances").fetchone()
assert (n, int(s)) == ({rows}, {id_sum}), (n, s)
"""
            measured = run_snippet(sys.executable, duck_setup, duck_work)
        results["turnout DuckDB.copy"] = measured.__dict__
        print(f"duckdb: {measured.seconds:.2f} s, {measured.peak_rss_mb:.0f} MB")

        if not args.skip_parsons:
            python = parsons_with_postgres()
            info = psycopg.conninfo.conninfo_to_dict(url)
            parsons_setup = f"""
import json
from parsons import Postgres, Table
with open({str(jsonl_file)!r}) as file:
    records = [json.loads(line) for line in file]
tbl = Table(records)
pg = Postgres(username={info.get("user")!r}, password={info.get("password")!r},
              host={info.get("host")!r}, db={info.get("dbname")!r},
              port={int(info.get("port") or 5432)})
"""
            # Parsons 6.1 quotes "schema.table" as one identifier, so the table goes unqualified.
            parsons_work = f"pg.copy(tbl, {parsons_table!r})"
            measured = run_snippet(python, parsons_setup, parsons_work)
            check_table(url, f"public.{parsons_table}", rows, id_sum)
            results[f"Parsons {PARSONS_VERSION} Postgres.copy"] = measured.__dict__
            print(f"parsons: {measured.seconds:.2f} s, {measured.peak_rss_mb:.0f} MB")
    finally:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            connection.execute(f"DROP TABLE IF EXISTS public.{parsons_table}")

    limit = results["psql \\copy (CSV file)"]["seconds"]
    summary = {
        "rows": rows,
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}",
        "results": {
            name: {**value, "x_psql": value["seconds"] / limit} for name, value in results.items()
        },
    }
    print(json.dumps(summary, indent=2, default=str))


if __name__ == "__main__":
    main()
