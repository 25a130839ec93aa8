"""One redactor for every secret turnout handles.

Connectors register each credential they are given (`register_secret`). Everything that could
reach a person (log records, exception messages, reprs, URLs) passes through `redact`, which
replaces every registered secret and every credential-looking query parameter with `***`.
"""

from __future__ import annotations

import logging
import re
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
_MIN_SECRET_LENGTH = 4

_lock = threading.Lock()
_secrets: set[str] = set()

# Query parameters whose value is a credential whatever service sends them.
SECRET_PARAMS = frozenset(
    {
        "api_key",
        "apikey",
        "key",
        "token",
        "access_token",
        "refresh_token",
        "client_secret",
        "password",
        "secret",
        "signature",
        "assertion",
        "osdi-api-token",
    }
)


def register_secret(value: str | None) -> None:
    """Remember `value` as a secret so `redact` masks it wherever it appears."""
    if value and len(value) >= _MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)


def redact(text: object) -> str:
    """Return `str(text)` with every registered secret replaced by `***`."""
    result = str(text)
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in result:
            result = result.replace(secret, MASK)
    return result


def redact_url(url: str) -> str:
    """Mask credential query parameters and userinfo in a URL, then any registered secret."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = MASK + "@" + netloc.rsplit("@", 1)[1]
    query = parts.query
    if query:
        pairs = [
            (k, MASK if k.lower() in SECRET_PARAMS else v)
            for k, v in parse_qsl(query, keep_blank_values=True)
        ]
        query = urlencode(pairs, safe="*")
    return redact(urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment)))


_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")


class RedactingFilter(logging.Filter):
    """A logging filter that redacts each record's final message. The CLI installs it on its
    handlers; library code never adds handlers."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = _BEARER.sub(r"\1" + MASK, redact(record.getMessage()))
        record.msg = message
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True
