"""Service-account credentials from `GOOGLE_DRIVE_CREDENTIALS` or an argument.

The key may be given as a dict, as JSON text, or as the path of a JSON file. The private key
and its id are registered with the redactor before anything can log them, and no error ever
quotes the key material.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from google.oauth2 import service_account

from turnout.errors import ConfigurationError
from turnout.redaction import redact, register_secret

ENV_VAR = "GOOGLE_DRIVE_CREDENTIALS"

# Parsons asks for these two scopes; the feeds scope is the legacy name of the Sheets scope.
SCOPES = (
    "https://spreadsheets.google.com/feeds",
    "https://www.googleapis.com/auth/drive",
)

REQUIRED_KEYS = ("client_email", "private_key", "token_uri")


def load_keyfile(google_keyfile_dict: dict[str, Any] | str | os.PathLike[str] | None) -> dict:
    """The service-account dict from the argument, else from `GOOGLE_DRIVE_CREDENTIALS`."""
    source: Any = google_keyfile_dict
    origin = "google_keyfile_dict"
    if source is None:
        source = os.environ.get(ENV_VAR)
        origin = ENV_VAR
        if not source:
            raise ConfigurationError(
                f"GoogleSheets needs service-account credentials: set {ENV_VAR} to the path of "
                "the key file (or to its JSON), or pass google_keyfile_dict"
            )
    info = _parse(source, origin)
    _register(info)
    missing = [key for key in REQUIRED_KEYS if not info.get(key)]
    if missing:
        raise ConfigurationError(
            f"the service-account credentials from {origin} lack {', '.join(missing)} "
            f"(a key file from the Google console has them; see {ENV_VAR})"
        )
    return info


def _parse(source: Any, origin: str) -> dict[str, Any]:
    if isinstance(source, dict):
        return dict(source)
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if not isinstance(source, str):
        raise ConfigurationError(
            f"{origin} must be a dict, JSON text or a file path, not {type(source).__name__} "
            f"(see {ENV_VAR})"
        )
    text = source.strip()
    if not text.startswith("{"):
        path = Path(text).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigurationError(
                f"cannot read the service-account key file {str(path)!r} named by {origin} "
                f"({error.strerror}); {ENV_VAR} must be a path to the JSON key file or the "
                "JSON itself"
            ) from None
    try:
        info = json.loads(text)
    except json.JSONDecodeError as error:
        # The message says where the JSON broke, never what it holds.
        raise ConfigurationError(
            f"the service-account credentials from {origin} are not valid JSON (line "
            f"{error.lineno}, column {error.colno}); {ENV_VAR} must be a path to the JSON key "
            "file or the JSON itself"
        ) from None
    if not isinstance(info, dict):
        raise ConfigurationError(
            f"the service-account credentials from {origin} are not a JSON object (see {ENV_VAR})"
        )
    return info


def _register(info: dict[str, Any]) -> None:
    """Register the key, its JSON-escaped form and each of its lines as secrets."""
    key = info.get("private_key")
    if isinstance(key, str):
        register_secret(key)
        register_secret(json.dumps(key)[1:-1])
        for line in key.splitlines():
            if line and not line.startswith("-----"):
                register_secret(line.strip())
    key_id = info.get("private_key_id")
    if isinstance(key_id, str):
        register_secret(key_id)


def build_credentials(
    info: dict[str, Any], subject: str | None = None
) -> service_account.Credentials:
    """google-auth credentials with Parsons' scopes (and `subject` for delegation)."""
    try:
        return service_account.Credentials.from_service_account_info(
            info, scopes=list(SCOPES), subject=subject
        )
    except (ValueError, TypeError, KeyError) as error:
        # Messages from cryptography may describe the key; pass only a redacted summary.
        raise ConfigurationError(
            f"the service-account private key for {info.get('client_email')!r} could not be "
            f"loaded ({redact(type(error).__name__)}); check {ENV_VAR}"
        ) from None
