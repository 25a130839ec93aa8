"""Shared pytest set-up. Fixtures live in tests/fixtures/, one module per real thing they start."""

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.mobilize",
    "tests.fixtures.google_sheets",
    "tests.fixtures.action_network",
]


def pytest_addoption(parser):
    """`--soak`: run the long fault soak of tests/faults (tests marked `soak`)."""
    parser.addoption(
        "--soak",
        action="store_true",
        default=False,
        help="run the long fault soak (tests/faults, marked soak); see tests/faults/RESULTS.md",
    )
