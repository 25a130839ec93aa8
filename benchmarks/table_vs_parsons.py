"""turnout's Table against Parsons 6.1.0 and hand-written polars, workload by workload.

Each workload runs in a fresh process per library: setup (loading the input) is not timed, the
workload is, and every result is fully materialized (Parsons' lazy petl chains are forced with
`materialize()` or by iterating). Peak memory is the child's ru_maxrss (setup included).

    python benchmarks/table_vs_parsons.py                      # 100k and 1M rows, all workloads
    python benchmarks/table_vs_parsons.py --rows 100000 --only load_csv,aggregate
    python benchmarks/table_vs_parsons.py --quick              # 20k rows, RESULTS.md untouched

The run writes the Table section of benchmarks/RESULTS.md (between its section markers).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import platform
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import datagen
import parsons_env

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION_START = "<!-- section: table -->"
SECTION_END = "<!-- /section: table -->"
LIBRARIES = ("turnout", "polars", "parsons")
TIME_COLUMNS = ("timeslot_start_date", "timeslot_end_date", "created_date")

# --- setups ------------------------------------------------------------------------------------

_TURNOUT_CSV = "from turnout import Table\nt = Table.from_csv($CSV)\n"
_PARSONS_CSV = "from parsons import Table\nt = Table.from_csv($CSV)\nt.materialize()\n"
_POLARS_CSV = "import polars as pl\ndf = pl.read_csv($CSV, infer_schema=False)\n"
_GUIDE_FUNCTION = """
from datetime import datetime
def convert_to_legible_date(unix_date):
    return datetime.utcfromtimestamp(int(unix_date)).strftime('%Y-%m-%d %H:%M:%S')
"""
_POLARS_TO_TEXT = """
def to_text(frame, names):
    return frame.with_columns(
        pl.from_epoch(pl.col(name).cast(pl.Int64), time_unit="s")
        .dt.strftime("%Y-%m-%d %H:%M:%S").alias(name)
        for name in names
    )
"""


@dataclass(frozen=True)
class Workload:
    """One workload: per library, untimed setup code and the timed work."""

    name: str
    description: str
    code: dict[str, tuple[str, str]]
    # Where a user's own Python function runs per value, the function is the floor: a bare
    # Python loop calling it over the column (setup, work), run like the libraries.
    floor: tuple[str, str] | None = None

    @property
    def user_function(self) -> bool:
        return self.floor is not None


WORKLOADS = [
    Workload(
        "load_csv",
        "read the CSV (values as text)",
        {
            "turnout": ("from turnout import Table", "t = Table.from_csv($CSV)\nrows = t.num_rows"),
            "parsons": (
                "from parsons import Table",
                "t = Table.from_csv($CSV)\nt.materialize()\nrows = t.num_rows",
            ),
            "polars": (
                "import polars as pl",
                "df = pl.read_csv($CSV, infer_schema=False)\nrows = df.height",
            ),
        },
    ),
    Workload(
        "load_jsonl",
        "read the JSON-lines file (JSON types)",
        {
            "turnout": (
                "from turnout import Table",
                "t = Table.from_json($JSONL, line_delimited=True)\nrows = t.num_rows",
            ),
            "parsons": (
                "from parsons import Table",
                "t = Table.from_json($JSONL, line_delimited=True)\nt.materialize()\n"
                "rows = t.num_rows",
            ),
            "polars": ("import polars as pl", "df = pl.read_ndjson($JSONL)\nrows = df.height"),
        },
    ),
    Workload(
        "from_dicts",
        "build a table from a list of dicts",
        {
            "turnout": (
                "import json\nfrom turnout import Table\n"
                "records = [json.loads(line) for line in open($JSONL)]",
                "t = Table(records)\nrows = t.num_rows",
            ),
            "parsons": (
                "import json\nfrom parsons import Table\n"
                "records = [json.loads(line) for line in open($JSONL)]",
                "t = Table(records)\nt.materialize()\nrows = t.num_rows",
            ),
            "polars": (
                "import json\nimport polars as pl\n"
                "records = [json.loads(line) for line in open($JSONL)]",
                "df = pl.from_dicts(records, infer_schema_length=None)\nrows = df.height",
            ),
        },
    ),
    Workload(
        "unix_to_text",
        "three unix timestamp columns to '%Y-%m-%d %H:%M:%S' text",
        {
            "turnout": (
                _TURNOUT_CSV + "from turnout.table.converters import unix_to_text",
                "for name in $TIME_COLUMNS:\n    t.convert_column(name, unix_to_text())\n"
                "rows = t.num_rows\nsample = t[0]['timeslot_start_date']",
            ),
            "parsons": (
                _PARSONS_CSV + _GUIDE_FUNCTION,
                "for name in $TIME_COLUMNS:\n"
                "    t.convert_column(name, convert_to_legible_date)\n"
                "t.materialize()\nrows = t.num_rows\nsample = t[0]['timeslot_start_date']",
            ),
            "polars": (
                _POLARS_CSV + _POLARS_TO_TEXT,
                "df = to_text(df, $TIME_COLUMNS)\nrows = df.height\n"
                "sample = df['timeslot_start_date'][0]",
            ),
        },
    ),
    Workload(
        "unpack_person",
        "convert_column('person', json.loads) + unpack_dict(prepend=False)",
        {
            "turnout": (
                _TURNOUT_CSV + "import json",
                "t.convert_column('person', json.loads)\nt.unpack_dict('person', prepend=False)\n"
                "rows = t.num_rows\nwidth = len(t.columns)",
            ),
            "parsons": (
                _PARSONS_CSV + "import json",
                "t.convert_column('person', json.loads)\nt.unpack_dict('person', prepend=False)\n"
                "t.materialize()\nrows = t.num_rows\nwidth = len(t.columns)",
            ),
            "polars": (
                _POLARS_CSV,
                "person = df.get_column('person').str.json_decode().struct.unnest()\n"
                "person = person.rename({'id': 'person_id'})\n"
                "df = pl.concat([df.drop('person'), person], how='horizontal')\n"
                "rows = df.height\nwidth = df.width",
            ),
        },
        floor=(
            "import json\n" + _POLARS_CSV + "values = df.get_column('person').to_list()",
            "persons = [json.loads(value) for value in values]\nrows = len(persons)",
        ),
    ),
    Workload(
        "select_rows",
        "select_rows(\"'2022-01' in {timeslot_start_date}\") on converted dates",
        {
            "turnout": (
                _TURNOUT_CSV + "from turnout.table.converters import unix_to_text\n"
                "t.convert_column('timeslot_start_date', unix_to_text())",
                "j = t.select_rows(\"'2022-01' in {timeslot_start_date}\")\nrows = j.num_rows",
            ),
            "parsons": (
                _PARSONS_CSV
                + _GUIDE_FUNCTION
                + "t.convert_column('timeslot_start_date', convert_to_legible_date)\n"
                "t.materialize()",
                "j = t.select_rows(\"'2022-01' in {timeslot_start_date}\")\nj.materialize()\n"
                "rows = j.num_rows",
            ),
            "polars": (
                _POLARS_CSV + _POLARS_TO_TEXT + "df = to_text(df, ['timeslot_start_date'])",
                "j = df.filter(pl.col('timeslot_start_date').str.contains('2022-01', "
                "literal=True))\nrows = j.height",
            ),
        },
    ),
    Workload(
        "aggregate",
        "count rows by event_title: Table(tbl.table.aggregate('event_title', len))",
        {
            "turnout": (
                _TURNOUT_CSV,
                "s = Table(t.table.aggregate('event_title', len))\nrows = s.num_rows\n"
                "sample = list(s[0].values())",
            ),
            "parsons": (
                _PARSONS_CSV,
                "s = Table(t.table.aggregate('event_title', len))\ns.materialize()\n"
                "rows = s.num_rows\nsample = list(s[0].values())",
            ),
            "polars": (
                _POLARS_CSV,
                "s = df.group_by('event_title').len().sort('event_title')\nrows = s.height\n"
                "sample = list(s.row(0))",
            ),
        },
    ),
    Workload(
        "write_csv",
        "write the table as CSV",
        {
            "turnout": (_TURNOUT_CSV, "t.to_csv($OUT)\nrows = t.num_rows"),
            "parsons": (_PARSONS_CSV, "t.to_csv($OUT)\nrows = t.num_rows"),
            "polars": (_POLARS_CSV, "df.write_csv($OUT)\nrows = df.height"),
        },
    ),
    Workload(
        "chain",
        "convert_column(str.upper) -> select_rows -> cut, then num_rows and an iteration",
        {
            "turnout": (
                _TURNOUT_CSV,
                "t.convert_column('event_title', str.upper)\n"
                "c = t.select_rows(\"{status} == 'REGISTERED'\")\n"
                "c = c.cut('id', 'event_title', 'email')\n"
                "rows = c.num_rows\ncount = 0\nfor row in c:\n    count += 1",
            ),
            "parsons": (
                _PARSONS_CSV,
                "t.convert_column('event_title', str.upper)\n"
                "c = t.select_rows(\"{status} == 'REGISTERED'\")\n"
                "c = c.cut('id', 'event_title', 'email')\n"
                "rows = c.num_rows\ncount = 0\nfor row in c:\n    count += 1",
            ),
            "polars": (
                _POLARS_CSV,
                "c = (df.with_columns(pl.col('event_title').str.to_uppercase())\n"
                "     .filter(pl.col('status') == 'REGISTERED')\n"
                "     .select('id', 'event_title', 'email'))\n"
                "rows = c.height\ncount = 0\nfor row in c.iter_rows(named=True):\n    count += 1",
            ),
        },
        floor=(
            _POLARS_CSV + "values = df.get_column('event_title').to_list()",
            "upper = [str.upper(value) for value in values]\nrows = len(upper)",
        ),
    ),
    Workload(
        "deduplicate",
        "deduplicate('email') (sorted by email, first row kept, as petl)",
        {
            "turnout": (_TURNOUT_CSV, "t.deduplicate('email')\nrows = t.num_rows"),
            "parsons": (_PARSONS_CSV, "t.deduplicate('email')\nt.materialize()\nrows = t.num_rows"),
            "polars": (
                _POLARS_CSV,
                "d = df.sort('email', maintain_order=True).unique(subset='email', keep='first', "
                "maintain_order=True)\nrows = d.height",
            ),
        },
    ),
]

_FINGERPRINT = """
for _name in ('rows', 'width', 'sample', 'count'):
    if _name in globals():
        result[_name] = globals()[_name]
"""


@dataclass
class Cell:
    seconds: float
    peak_mb: float
    output: dict


def _output_path(rows: int, library: str, workload: str) -> Path:
    return parsons_env.WORK / f"out_{library}_{workload}_{rows}.csv"


def _fill(code: str, rows: int, library: str, workload: str) -> str:
    csv_file, jsonl_file = datagen.csv_path(rows), datagen.jsonl_path(rows)
    out = _output_path(rows, library, workload)
    return (
        code.replace("$CSV", repr(str(csv_file)))
        .replace("$JSONL", repr(str(jsonl_file)))
        .replace("$OUT", repr(str(out)))
        .replace("$TIME_COLUMNS", repr(list(TIME_COLUMNS)))
    )


def run_workload(workload: Workload, library: str, rows: int, repeat: int) -> Cell:
    """Best time of `repeat` fresh-process runs (its peak memory with it)."""
    python = parsons_env.parsons_python() if library == "parsons" else sys.executable
    setup, work = workload.floor if library == "floor" else workload.code[library]
    setup = _fill(setup, rows, library, workload.name)
    work = _fill(work, rows, library, workload.name) + "\n" + _FINGERPRINT
    best = None
    for _ in range(repeat):
        measured = parsons_env.run_snippet(python, setup, work)
        if best is None or measured.seconds < best.seconds:
            best = measured
    output = dict(best.output)
    written = _output_path(rows, library, workload.name)
    if workload.name == "write_csv" and library != "polars" and written.exists():
        # turnout's file must be byte for byte Parsons' (polars writes \n line ends).
        output["md5"] = hashlib.md5(written.read_bytes()).hexdigest()
        written.unlink()
    return Cell(best.seconds, best.peak_rss_mb, output)


# --- report ------------------------------------------------------------------------------------


def _ratio(numerator: float, denominator: float) -> str:
    return f"{numerator / denominator:.2f}" if denominator else "-"


def _verdict(workload: Workload, cells: dict[str, Cell]) -> str:
    notes = []
    turnout, polars, parsons = cells.get("turnout"), cells.get("polars"), cells.get("parsons")
    if turnout and polars:
        ratio = turnout.seconds / polars.seconds if polars.seconds else 0
        floor = cells.get("floor")
        if ratio <= 1.5:
            notes.append("time: met")
        elif floor is not None:
            over = turnout.seconds / floor.seconds if floor.seconds else 0
            state = "met" if over <= 1.10 else "NOT met"
            notes.append(
                f"time: {state} by the per-value rule ({over:.2f}x the bare loop calling the "
                "function, the rest of the workload included)"
            )
        else:
            notes.append(f"time: NOT met ({ratio:.1f}x polars)")
    if turnout and parsons:
        notes.append("memory: met" if turnout.peak_mb <= parsons.peak_mb else "memory: NOT met")
        if turnout.output != parsons.output:
            notes.append(f"results differ: turnout {turnout.output} vs parsons {parsons.output}")
    return "; ".join(notes)


def import_baseline() -> dict[str, float]:
    """Peak memory of a process that only imports each library (the floor of every cell)."""
    imports = {
        "turnout": (sys.executable, "from turnout import Table"),
        "polars": (sys.executable, "import polars"),
        "parsons": (parsons_env.parsons_python(), "from parsons import Table"),
    }
    return {
        library: parsons_env.run_snippet(python, "", code).peak_rss_mb
        for library, (python, code) in imports.items()
    }


def render(
    results: dict[int, dict[str, dict[str, Cell]]],
    libraries: list[str],
    baseline: dict[str, float] | None = None,
) -> str:
    """The Table section of RESULTS.md."""
    import polars

    lines = [
        SECTION_START,
        "## Table: turnout vs Parsons 6.1.0 vs hand-written polars",
        "",
        f"Measured {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC by "
        "`python benchmarks/table_vs_parsons.py` on "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"polars {polars.__version__}. Each cell is one workload in a fresh process (best of "
        "the runs made); time covers the workload only, memory is the child's peak RSS "
        "(ru_maxrss, setup included). Data: `benchmarks/datagen.py` Mobilize-shaped attendance "
        "rows. The machine was shared with other jobs, so times carry noise.",
        "",
        "Targets (issue 2): turnout within 1.5x of polars, except where a user's own Python "
        "function runs per value; peak memory at most Parsons'.",
        "",
    ]
    if baseline:
        lines += [
            "Peak memory of a process that only imports the library: "
            + ", ".join(f"{name} {megabytes:.0f} MB" for name, megabytes in baseline.items())
            + ". Every cell below includes it.",
            "",
        ]
    for rows, by_workload in results.items():
        lines += [
            f"### {rows:,} rows",
            "",
            "| workload | turnout s | polars s | parsons s | bare loop s | turnout/polars "
            "| parsons/turnout | turnout MB | polars MB | parsons MB | verdict |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for workload in WORKLOADS:
            cells = by_workload.get(workload.name)
            if not cells:
                continue

            def seconds(library: str, cells: dict[str, Cell] = cells) -> str:
                cell = cells.get(library)
                return f"{cell.seconds:.3f}" if cell else "-"

            def memory(library: str, cells: dict[str, Cell] = cells) -> str:
                cell = cells.get(library)
                return f"{cell.peak_mb:.0f}" if cell else "-"

            turnout, polars_cell = cells.get("turnout"), cells.get("polars")
            parsons = cells.get("parsons")
            versus_polars = (
                _ratio(turnout.seconds, polars_cell.seconds) if turnout and polars_cell else "-"
            )
            versus_parsons = (
                _ratio(parsons.seconds, turnout.seconds) if turnout and parsons else "-"
            )
            lines.append(
                f"| {workload.name} | {seconds('turnout')} | {seconds('polars')} | "
                f"{seconds('parsons')} | {seconds('floor')} | {versus_polars} | {versus_parsons} | "
                f"{memory('turnout')} | {memory('polars')} | {memory('parsons')} | "
                f"{_verdict(workload, cells)} |"
            )
        lines.append("")
    lines += ["Workloads:", ""]
    lines += [f"- `{workload.name}`: {workload.description}" for workload in WORKLOADS]
    lines += ["", SECTION_END]
    return "\n".join(lines)


def write_section(section: str) -> None:
    """Replace only the Table section of RESULTS.md (other sections belong to other scripts)."""
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION_START in current and SECTION_END in current:
        before = current[: current.index(SECTION_START)]
        after = current[current.index(SECTION_END) + len(SECTION_END) :]
        updated = before + section + after
    else:
        updated = current.rstrip("\n") + "\n\n" + section + "\n"
    partial = RESULTS.with_suffix(".md.partial")
    partial.write_text(updated)
    partial.replace(RESULTS)


def main() -> None:
    parser = argparse.ArgumentParser(description="turnout Table vs Parsons 6.1.0 vs polars")
    parser.add_argument("--rows", default="100000,1000000", help="comma-separated row counts")
    parser.add_argument("--only", default="", help="comma-separated workload names")
    parser.add_argument("--libraries", default=",".join(LIBRARIES))
    parser.add_argument("--repeat", type=int, default=3, help="runs per cell for turnout/polars")
    parser.add_argument("--parsons-repeat", type=int, default=1, help="runs per Parsons cell")
    parser.add_argument(
        "--quick", action="store_true", help="20,000 rows, one run, RESULTS.md untouched"
    )
    args = parser.parse_args()

    row_counts = [20_000] if args.quick else [int(value) for value in args.rows.split(",")]
    names = [name for name in args.only.split(",") if name]
    unknown = set(names) - {workload.name for workload in WORKLOADS}
    if unknown:
        parser.error(f"unknown workloads {sorted(unknown)}")
    workloads = [workload for workload in WORKLOADS if not names or workload.name in names]
    libraries = [name for name in args.libraries.split(",") if name]

    results: dict[int, dict[str, dict[str, Cell]]] = {}
    for rows in row_counts:
        datagen.ensure_data(rows)
        results[rows] = {}
        for workload in workloads:
            results[rows][workload.name] = {}
            runs = libraries + (["floor"] if workload.floor and "turnout" in libraries else [])
            for library in runs:
                repeat = (
                    1
                    if args.quick
                    else (args.parsons_repeat if library == "parsons" else args.repeat)
                )
                try:
                    cell = run_workload(workload, library, rows, repeat)
                except parsons_env.SnippetError as error:
                    print(f"{rows} {workload.name} {library}: FAILED {error}", file=sys.stderr)
                    continue
                results[rows][workload.name][library] = cell
                print(
                    f"{rows:>9,} {workload.name:<14} {library:<8} {cell.seconds:8.3f} s "
                    f"{cell.peak_mb:8.0f} MB  {cell.output}",
                    flush=True,
                )

    section = render(results, libraries, import_baseline())
    if args.quick:
        print(section)
    else:
        write_section(section)
        print(f"wrote the Table section of {RESULTS}")


if __name__ == "__main__":
    main()
