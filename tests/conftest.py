"""Shared pytest set-up. Fixtures live in tests/fixtures/, one module per real thing they start."""

pytest_plugins = [
    "tests.fixtures.postgres",
    "tests.fixtures.mobilize",
    "tests.fixtures.google_sheets",
    "tests.fixtures.action_network",
]
