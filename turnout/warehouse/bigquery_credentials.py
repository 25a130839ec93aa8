"""Google credentials for GoogleBigQuery, from an argument or GOOGLE_APPLICATION_CREDENTIALS.

Accepted: a google-auth Credentials object, a dict, JSON text, or a path to a JSON file holding
a service account key or an authorized-user file. Every secret in it is registered with the
redactor before anything could log it, and no error message quotes the file's text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import google.auth.credentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account

from turnout.errors import ConfigurationError
from turnout.redaction import redact, register_secret

CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"

_SECRET_KEYS = ("private_key", "private_key_id", "client_secret", "refresh_token")


def load_credentials(
    app_creds: str | dict | google.auth.credentials.Credentials | None,
    scopes: Sequence[str] | None = None,
) -> tuple[google.auth.credentials.Credentials, str | None]:
    """Credentials (and the project they name, if any) from `app_creds` or the environment.

    `app_creds` may be a Credentials object, a dict, JSON text, or a path to a JSON file: a
    service account key or an authorized-user file. Every secret in it is registered with the
    redactor before anything could log it.
    """
    if isinstance(app_creds, google.auth.credentials.Credentials):
        return app_creds, getattr(app_creds, "project_id", None)
    raw = app_creds if app_creds is not None else os.environ.get(CREDENTIALS_ENV)
    if raw is None or raw == "":
        raise ConfigurationError(
            f"GoogleBigQuery needs credentials: pass app_creds or set {CREDENTIALS_ENV} "
            "(a path to a service account JSON file, or the JSON text)"
        )
    source = "app_creds" if app_creds is not None else CREDENTIALS_ENV
    info = _credentials_info(raw, source)
    for key in _SECRET_KEYS:
        register_secret(info.get(key))

    kind = info.get("type")
    scopes = list(scopes) if scopes else None
    try:
        if kind == "service_account":
            creds = service_account.Credentials.from_service_account_info(info, scopes=scopes)
        elif kind == "authorized_user":
            creds = user_credentials.Credentials.from_authorized_user_info(info, scopes=scopes)
        else:
            raise ConfigurationError(
                f"{source}: credentials of type {kind!r} are not supported; expected "
                "'service_account' or 'authorized_user'"
            )
    except ValueError as error:
        if isinstance(error, ConfigurationError):
            raise
        raise ConfigurationError(f"{source}: {redact(error)}") from None
    return creds, info.get("project_id") or info.get("quota_project_id")


def _credentials_info(raw: str | dict, source: str) -> dict[str, Any]:
    if isinstance(raw, Mapping):
        return dict(raw)
    text = raw
    if not raw.lstrip().startswith("{"):
        path = Path(raw).expanduser()
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigurationError(
                f"{source}: cannot read credentials file {str(path)!r}: {error.strerror}"
            ) from None
    try:
        info = json.loads(text)
    except json.JSONDecodeError as error:
        # The message carries no part of the text, which may hold a private key.
        raise ConfigurationError(
            f"{source}: credentials are not valid JSON (line {error.lineno}, column {error.colno})"
        ) from None
    if not isinstance(info, dict):
        raise ConfigurationError(f"{source}: credentials JSON must be an object")
    return info
