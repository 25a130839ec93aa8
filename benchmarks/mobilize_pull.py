"""Pull 100k Mobilize attendances from the emulator: turnout against Parsons 6.1.0.

The emulator runs in this process on loopback (seeded: one organization, 100,000 attendances,
20,000 people, 200 events). Each client runs in a fresh process (benchmarks/parsons_env.py):
imports are not timed, the pull is, and so is building the Table and counting its rows. Peak
memory is the child's ru_maxrss. Parsons hard-codes its base URL, so the child points the
instance's `uri` attribute at the emulator. Every run must return 100,000 attendances with
100,000 distinct ids, or the script fails.

    python benchmarks/mobilize_pull.py              # 3 rounds of all runs, writes RESULTS.md
    python benchmarks/mobilize_pull.py --quick      # 10k attendances, RESULTS.md untouched

Rounds alternate the clients, so a busy machine slows each alike; the table gives the median
of the rounds and their range.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import parsons_env

from turnout.emulators.base import EmulatorServer
from turnout.emulators.mobilize import create_app

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
SECTION_START = "<!-- section: mobilize -->"
SECTION_END = "<!-- /section: mobilize -->"
API_KEY = "benchmark-mobilize-key"
ORGANIZATION = 101

_PARSONS_SETUP = """
from parsons import MobilizeAmerica
client = MobilizeAmerica(api_key=$KEY)
client.uri = $URI  # Parsons has no base-URL setting; its methods read this attribute
"""
_TURNOUT_SETUP = """
from turnout import MobilizeAmerica
client = MobilizeAmerica(api_key=$KEY, uri=$URI, per_page=$PER_PAGE, rate_limit=$RATE)
"""
_WORK = """
import time as _clock
_cpu = _clock.process_time()
table = client.get_attendances($ORG)
ids = [row["id"] for row in table]
result["rows"] = table.num_rows
result["distinct_ids"] = len(set(ids))
result["cpu_seconds"] = _clock.process_time() - _cpu
"""


@dataclass(frozen=True)
class Run:
    name: str
    library: str  # "parsons" or "turnout"
    per_page: int | None  # None: the API's default (25), as Parsons sends no per_page
    client_rate: float | None
    server_rate: float | None
    note: str


RUNS = (
    Run("parsons", "parsons", None, None, None, "Parsons 6.1.0, 25 per page (the API default)"),
    Run("turnout-25", "turnout", 25, None, None, "turnout, 25 per page: the same 4,000 requests"),
    Run("turnout", "turnout", 100, None, None, "turnout defaults (100 per page), limiter off"),
    Run(
        "turnout-limited",
        "turnout",
        100,
        15.0,
        15.0,
        "turnout defaults with its 15 req/s limiter, emulator enforcing 15 GET/s",
    ),
)


def _code(template: str, run: Run, uri: str) -> str:
    return (
        template.replace("$KEY", repr(API_KEY))
        .replace("$URI", repr(uri))
        .replace("$PER_PAGE", repr(run.per_page))
        .replace("$RATE", repr(run.client_rate))
        .replace("$ORG", repr(ORGANIZATION))
    )


@dataclass
class Outcome:
    """One run's figures."""

    seconds: float
    cpu_seconds: float  # the client's own CPU time (user + system) during the pull
    peak_mb: float
    pages: int  # 200 responses
    throttled: int  # 429 responses


def measure(run: Run, attendances: int) -> Outcome:
    """One run against a fresh emulator."""
    app = create_app(
        seed=0,
        organizations=1,
        attendances=attendances,
        people=20_000,
        events=200,
        api_keys=(API_KEY,),
        rate_limit=run.server_rate,
    )
    with EmulatorServer(app) as server:
        uri = f"{server.url}/v1/"
        if run.library == "parsons":
            python, setup = parsons_env.parsons_python(), _code(_PARSONS_SETUP, run, uri)
        else:
            python, setup = sys.executable, _code(_TURNOUT_SETUP, run, uri)
        measurement = parsons_env.run_snippet(python, setup, _code(_WORK, run, uri))
        statuses = [r.status for r in app.requests_to("/attendances")]
    rows, distinct = measurement.output["rows"], measurement.output["distinct_ids"]
    if rows != attendances or distinct != attendances:
        raise SystemExit(f"{run.name}: {rows} rows, {distinct} distinct ids; want {attendances}")
    return Outcome(
        measurement.seconds,
        measurement.output["cpu_seconds"],
        measurement.peak_rss_mb,
        statuses.count(200),
        statuses.count(429),
    )


def import_peak(library: str) -> float:
    """The peak memory of a child that only imports the client and builds it (no pull).

    Measured from a small intermediate process: a child's ru_maxrss can include its parent's
    resident set at fork, which for this script (the emulator's caches) exceeds Parsons'
    import figure. The pull figures are far above the parent's and are not affected."""
    run = next(r for r in RUNS if r.library == library)
    uri = "http://127.0.0.1:9/v1/"  # never contacted
    if library == "parsons":
        python, setup = parsons_env.parsons_python(), _code(_PARSONS_SETUP, run, uri)
    else:
        python, setup = sys.executable, _code(_TURNOUT_SETUP, run, uri)
    probe = (
        "import sys; sys.path.insert(0, sys.argv[1]); import parsons_env; "
        "print(parsons_env.run_snippet(sys.argv[2], sys.argv[3], 'pass').peak_rss_mb)"
    )
    here = str(Path(__file__).resolve().parent)
    output = subprocess.run(
        [sys.executable, "-c", probe, here, python, setup],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return float(output.strip().splitlines()[-1])


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _spread(values: list[float], digits: int) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{_median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def render(
    results: dict[str, list[Outcome]], imports: dict[str, float], attendances: int, rounds: int
) -> str:
    runs = [run for run in RUNS if run.name in results]
    parsons_seconds = _median([o.seconds for o in results["parsons"]])
    parsons_mb = _median([o.peak_mb for o in results["parsons"]])
    parsons_cpu = _median([o.cpu_seconds for o in results["parsons"]])
    parsons_pages = results["parsons"][0].pages
    bound = parsons_pages / 15.0

    def paragraph(text: str) -> list[str]:
        return [*textwrap.wrap(text, 100), ""]

    lines = [
        SECTION_START,
        f"## Mobilize: pull {attendances:,} attendances (`get_attendances`)",
        "",
        f"Command (not part of `.ci/run`; about {4 * rounds} minutes):",
        "",
        "```bash",
        "python benchmarks/mobilize_pull.py",
        "```",
        "",
        *paragraph(
            "What it does: serves the Mobilize emulator on loopback (seed 0, one organization, "
            f"{attendances:,} attendances over 20,000 people and 200 events; each attendance "
            "embeds its person, event and sponsor, as the API does) and runs "
            "`get_attendances(101)` in a fresh process per client: the pull, the Table, and a "
            "pass over its rows reading every id. Imports are not timed. Client CPU is the "
            "child's own processor time during the pull (user and system): unlike the wall "
            "time, it leaves out the emulator's work and the waits. Peak memory is the "
            "child's maximum resident set, imports included: importing and building the client "
            f"alone peaks at {imports['turnout']:.0f} MB for turnout (polars and pyarrow come "
            f"with its Table) and {imports['parsons']:.0f} MB for Parsons. Parsons is pointed at "
            "the emulator by setting the instance's `uri`. Every run returned all the "
            "attendances with distinct ids, or the script would have failed. The emulator "
            "serves from the benchmark's own process on the same cores, so its time to build "
            "and encode each page is inside every figure."
        ),
        *paragraph(
            f"Run on {dt.date.today().isoformat()}, {platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} CPUs, Python {platform.python_version()}; {rounds} rounds, "
            "median (range); each round runs every client once, in turn. Other sessions' "
            "work shared the machine, so absolute times are noisy."
        ),
        "| run | pages (429s) | time (s) | speed-up | client CPU (s) | of Parsons' | "
        "peak memory (MB) | of Parsons' |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        outcomes = results[run.name]
        seconds = [o.seconds for o in outcomes]
        cpus = [o.cpu_seconds for o in outcomes]
        peaks = [o.peak_mb for o in outcomes]
        unlimited = run.library != "parsons" and run.server_rate is None
        speed = f"{parsons_seconds / _median(seconds):.2f}x" if unlimited else "–"
        memory = "–" if run.library == "parsons" else f"{_median(peaks) / parsons_mb:.2f}x"
        cpu = "–" if run.library == "parsons" else f"{_median(cpus) / parsons_cpu:.2f}x"
        lines.append(
            f"| {run.note} | {outcomes[0].pages:,} ({max(o.throttled for o in outcomes)}) | "
            f"{_spread(seconds, 1)} | {speed} | {_spread(cpus, 1)} | {cpu} | "
            f"{_spread(peaks, 0)} | {memory} |"
        )
    lines.append("")
    if "turnout-limited" in results:
        limited = _median([o.seconds for o in results["turnout-limited"]])
        throttled = max(o.throttled for o in results["turnout-limited"])
        paced = "no 429" if throttled == 0 else f"{throttled} 429s at most, each waited out"
        lines += paragraph(
            "Reading it: the first three rows run with the emulator's rate limit off, because "
            "Parsons has no retry and stops at the first 429. The API allows 15 GET requests a "
            "second, so the last row is what to expect from the real service: turnout paces "
            f"itself under the limit ({paced}) and, at 100 records a page, needs a quarter of "
            f"Parsons' requests. Parsons' {parsons_pages:,} requests would take at least "
            f"{bound:.0f} s at 15 a second, if it were paced and never got a 429; turnout's "
            f"{limited:.0f} s is {bound / limited:.1f}x under that bound. The limiter "
            "spaces the start of each request by 1/15 s and does not catch up after a slow "
            "page, hence the time above 1,000 / 15 = 67 s."
        )
    if "turnout" in results:
        turnout_mb = _median([o.peak_mb for o in results["turnout"]])
        lines += paragraph(
            "Memory: beyond what the imports take, turnout's pull peaks "
            f"{turnout_mb - imports['turnout']:.0f} MB above its import figure and Parsons' "
            f"{parsons_mb - imports['parsons']:.0f} MB: most of it is the decoded attendances "
            "themselves (each embeds its person, event and sponsor as the API sends them), "
            "which both keep as Python dicts in the Table's nested columns."
        )
    lines.append(SECTION_END)
    return "\n".join(lines)


def write_section(section: str) -> None:
    """Replace only the Mobilize section of RESULTS.md."""
    current = RESULTS.read_text() if RESULTS.exists() else "# Benchmark results\n"
    if SECTION_START in current and SECTION_END in current:
        before = current[: current.index(SECTION_START)]
        after = current[current.index(SECTION_END) + len(SECTION_END) :]
        text = before + section + after
    else:
        text = current.rstrip("\n") + "\n\n" + section + "\n"
    partial = RESULTS.with_suffix(".md.mobilize-partial")
    partial.write_text(text)
    partial.replace(RESULTS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k attendances, no RESULTS.md")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every run (default 3)")
    parser.add_argument(
        "--only", help="comma-separated run names: " + ", ".join(r.name for r in RUNS)
    )
    options = parser.parse_args()
    attendances = 10_000 if options.quick else 100_000
    chosen = [r for r in RUNS if not options.only or r.name in options.only.split(",")]

    imports = {library: import_peak(library) for library in ("turnout", "parsons")}
    results: dict[str, list[Outcome]] = {run.name: [] for run in chosen}
    for round_number in range(1, options.rounds + 1):
        for run in chosen:
            outcome = measure(run, attendances)
            results[run.name].append(outcome)
            print(
                f"round {round_number} {run.name:16} {outcome.pages:5d} pages "
                f"{outcome.throttled:3d} 429s {outcome.seconds:8.2f} s "
                f"{outcome.cpu_seconds:7.2f} s CPU {outcome.peak_mb:8.1f} MB",
                flush=True,
            )
    if not options.quick and not options.only:
        write_section(render(results, imports, attendances, options.rounds))
        print(f"wrote the Mobilize section of {RESULTS}")


if __name__ == "__main__":
    main()
