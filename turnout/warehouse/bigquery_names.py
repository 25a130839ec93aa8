"""BigQuery table names and quoted identifiers.

A table is `dataset.table` or `project.dataset.table`; any part may be written in backticks.
Identifiers are quoted with backticks for the few statements built as SQL text (COUNT, MERGE,
TRUNCATE); values never enter SQL text, they go as query parameters. `api_message` words the
service's errors for WarehouseError messages.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import google.auth.exceptions
from google.api_core import exceptions as google_exceptions

from turnout.errors import AuthenticationError, TransportError, WarehouseError
from turnout.redaction import redact


@dataclass(frozen=True)
class BigQueryTableName:
    """`[project.]dataset.table`; each part may be written in backticks."""

    dataset: str
    table: str
    project: str | None = None

    @property
    def display(self) -> str:
        parts = [self.project, self.dataset, self.table]
        return ".".join(p for p in parts if p)

    def quoted(self) -> str:
        """The name as a quoted identifier path, for the few statements built as SQL text."""
        parts = [self.project, self.dataset, self.table]
        return ".".join(quote_identifier(p) for p in parts if p)


def quote_identifier(name: str) -> str:
    """A BigQuery quoted identifier: backticks, with backslash and backtick escaped."""
    if not name or "\x00" in name:
        raise WarehouseError(f"identifier {name!r} is empty or holds a NUL byte")
    return "`" + name.replace("\\", "\\\\").replace("`", "\\`") + "`"


def parse_table_name(table_name: str) -> BigQueryTableName:
    """`dataset.table` or `project.dataset.table` (backticks around any part are dropped)."""
    if not isinstance(table_name, str) or not table_name.strip():
        raise WarehouseError(f"table name {table_name!r} is empty or not a string")
    text = table_name.strip()
    if text.startswith("`") and text.endswith("`") and text.count("`") == 2:
        text = text[1:-1]
    parts = [part.strip().strip("`") for part in text.split(".")]
    if len(parts) not in (2, 3) or not all(parts):
        raise WarehouseError(
            f"table name {table_name!r} must be 'dataset.table' or 'project.dataset.table'"
        )
    if len(parts) == 3:
        return BigQueryTableName(parts[1], parts[2], parts[0])
    return BigQueryTableName(parts[0], parts[1])


def api_message(error: google_exceptions.GoogleAPICallError) -> str:
    """The service's message (and each job error) with secrets masked."""
    details = [error.message or str(error)]
    for item in getattr(error, "errors", None) or []:
        text = item.get("message") if isinstance(item, dict) else str(item)
        if text and text not in details[0]:
            details.append(text)
    return redact("; ".join(details))


@contextmanager
def api_errors(what: str) -> Iterator[None]:
    """Turn the client's exceptions into turnout's, each message starting with `what`.

    Retries that ran out (a refused or dropped connection, 5xx or 429 for the whole retry
    deadline) become TransportError; credentials the token endpoint refuses become
    AuthenticationError; any other API error a WarehouseError.
    """
    try:
        yield
    except google_exceptions.RetryError as error:
        cause = error.cause if error.cause is not None else error
        raise TransportError(f"{what}: no answer after retrying: {redact(cause)}") from error
    except google.auth.exceptions.RefreshError as error:
        raise AuthenticationError(
            f"{what}: the credentials were refused: {redact(error)}"
        ) from error
    except google.auth.exceptions.TransportError as error:
        raise TransportError(f"{what}: cannot reach the token endpoint: {redact(error)}") from error
    except google_exceptions.GoogleAPICallError as error:
        raise WarehouseError(f"{what}: {api_message(error)}") from error
