"""The one error tree of turnout.

Every error turnout raises is a `TurnoutError`. Errors worth retrying derive from
`TransientError`; the rest from `PermanentError`. Concrete errors also subclass the builtin (or
`requests`) exception a Parsons user already catches, so existing `except` clauses keep working::

    TurnoutError
    ├── TransientError                      worth retrying: the same call may succeed later
    │   ├── RateLimitError (HTTPError)      429, carries retry_after
    │   ├── ServerError (HTTPError)         5xx
    │   └── TransportError (ConnectionError) timeout, refused, dropped mid-body
    └── PermanentError                      retrying the same call gives the same answer
        ├── ConfigurationError (ValueError) a missing argument or environment variable
        ├── TableError (ValueError)         bad use of a Table
        │   ├── ColumnNotFoundError (KeyError)
        │   ├── ColumnExistsError
        │   ├── ExpressionError             a select_rows expression that does not parse or run
        │   ├── ConversionError             a callable raised on a value; names column and row
        │   └── TableFormatError            a file that cannot be read (encoding, shape)
        │       ├── TableFileNotFoundError (FileNotFoundError) a file to read is missing
        │       └── TableDecodeError (UnicodeDecodeError)      bytes not in the encoding
        ├── ClientError (HTTPError)         4xx other than 429
        │   ├── AuthenticationError         401 / 403
        │   └── NotFoundError               404
        ├── ResponseFormatError             a body that is not what the API promises
        ├── UnknownOutcomeError             a write whose result is unknown; never retried blindly
        ├── InvalidRecordError (ValueError) a record a connector cannot send; names the field
        ├── WarehouseError                  a failed copy, upsert or query; names table and column
        │   └── TableExistsError (ValueError) copy(if_exists='fail') onto an existing table
        └── SyncError                       the sync helper cannot go on

`HTTPError` is the common base of the HTTP status errors; it is also
`requests.exceptions.HTTPError`.
"""

from __future__ import annotations

import errno
import os
from typing import Any

import requests


class TurnoutError(Exception):
    """Base of every error turnout raises."""


class TransientError(TurnoutError):
    """An error worth retrying: the same call may succeed later."""


class PermanentError(TurnoutError):
    """An error that retrying the same call will not fix."""


class ConfigurationError(PermanentError, ValueError):
    """A required argument or environment variable is missing or malformed."""


# --- Table -------------------------------------------------------------------------------------


class TableError(PermanentError, ValueError):
    """A Table was used in a way it cannot support."""


class ColumnNotFoundError(TableError, KeyError):
    """A column named in a call does not exist."""

    def __init__(self, column: str, columns: list[str] | None = None) -> None:
        self.column = column
        self.columns = columns
        known = f"; columns are {columns!r}" if columns is not None else ""
        super().__init__(f"column {column!r} does not exist{known}")

    def __str__(self) -> str:  # KeyError would otherwise quote the whole message
        return str(self.args[0])


class ColumnExistsError(TableError):
    """A column that a call would add exists already."""


class ExpressionError(TableError):
    """A select_rows expression that does not parse, or fails on a row."""


class ConversionError(TableError):
    """A conversion raised on a value; the message names the column, the row and the value."""

    def __init__(
        self, message: str, *, column: str | None = None, row: int | None = None, value: Any = None
    ) -> None:
        super().__init__(message)
        self.column = column
        self.row = row
        self.value = value


class TableFormatError(TableError):
    """A file or payload that cannot be read as a table (encoding, ragged rows, bad JSON)."""


class TableFileNotFoundError(TableFormatError, FileNotFoundError):
    """A file to read as a table does not exist. Also a FileNotFoundError, as Parsons raised,
    with `errno`, `strerror` and `filename` set."""

    def __init__(self, path: str) -> None:
        super().__init__(f"file {path!r} does not exist")
        self.errno = errno.ENOENT
        self.strerror = os.strerror(errno.ENOENT)
        self.filename = path

    def __str__(self) -> str:  # OSError would otherwise print "[Errno 2] ..."
        return str(self.args[0])


class TableDecodeError(TableFormatError, UnicodeDecodeError):
    """Bytes that are not text in the file's encoding. Also the UnicodeDecodeError Parsons
    raised, with its `encoding`, `object`, `start`, `end` and `reason`."""

    def __init__(self, message: str, error: UnicodeDecodeError) -> None:
        UnicodeDecodeError.__init__(
            self, error.encoding, error.object, error.start, error.end, error.reason
        )
        self.message = message

    def __str__(self) -> str:  # UnicodeDecodeError would print its own shorter message
        return self.message


# --- HTTP --------------------------------------------------------------------------------------


class HTTPError(TurnoutError, requests.exceptions.HTTPError):
    """An HTTP status error. Names the method, the redacted URL and the status."""

    def __init__(
        self,
        message: str,
        *,
        method: str | None = None,
        url: str | None = None,
        status: int | None = None,
        body: Any = None,
        response: requests.Response | None = None,
    ) -> None:
        super().__init__(message, response=response)
        self.method = method
        self.url = url
        self.status = status
        self.body = body


class RateLimitError(HTTPError, TransientError):
    """HTTP 429. `retry_after` holds the server's Retry-After in seconds, when it sent one."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


class ServerError(HTTPError, TransientError):
    """HTTP 5xx."""


class ClientError(HTTPError, PermanentError):
    """HTTP 4xx other than 429."""


class AuthenticationError(ClientError):
    """HTTP 401 or 403: the credential is missing, wrong, or lacks the right."""


class NotFoundError(ClientError):
    """HTTP 404."""


class TransportError(TransientError, requests.exceptions.ConnectionError):
    """A timeout, a refused connection, or a connection dropped mid-body."""


class ResponseFormatError(PermanentError, ValueError):
    """A response body that is not what the API promises (not JSON, a missing key)."""


class UnknownOutcomeError(PermanentError):
    """A non-idempotent write whose outcome is unknown (sent, then timed out); not retried."""


class InvalidRecordError(PermanentError, ValueError):
    """A record a connector refuses to send as given (for example a person with neither an
    email address nor a phone number); raised before any request, naming the field."""


# --- Warehouse and sync ------------------------------------------------------------------------


class WarehouseError(PermanentError):
    """A copy, upsert or query that failed; the message names the table and, where known, the
    column. A failed copy leaves the previous table intact."""


class TableExistsError(WarehouseError, ValueError):
    """copy(..., if_exists="fail") found the table already there (Parsons raised ValueError)."""


class SyncError(PermanentError):
    """The sync helper cannot go on (for example the target rejected the credential)."""
