"""Credentials for a request: a bearer token, a custom header, or HTTP basic.

Each registers its secret with the redactor when built, and its repr never shows it.
"""

from __future__ import annotations

import requests
from requests.auth import AuthBase, HTTPBasicAuth

from turnout.redaction import MASK, register_secret


class BearerAuth(AuthBase):
    """`Authorization: Bearer <token>`."""

    def __init__(self, token: str) -> None:
        register_secret(token)
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self.token}"
        return request

    def __repr__(self) -> str:
        return f"BearerAuth({MASK})"


class HeaderAuth(AuthBase):
    """A token in a header of the vendor's choosing, e.g. `OSDI-API-Token: <token>`."""

    def __init__(self, header: str, token: str) -> None:
        register_secret(token)
        self.header = header
        self.token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers[self.header] = self.token
        return request

    def __repr__(self) -> str:
        return f"HeaderAuth({self.header!r}, {MASK})"


class BasicAuth(HTTPBasicAuth):
    """HTTP basic auth whose password is registered as a secret and hidden from its repr."""

    def __init__(self, username: str, password: str) -> None:
        register_secret(password)
        super().__init__(username, password)

    def __repr__(self) -> str:
        return f"BasicAuth({self.username!r}, {MASK})"


# Header names whose value is a credential, whatever the vendor.
_SECRET_HEADER_WORDS = ("authorization", "token", "key", "secret", "password", "cookie")


def register_header_secrets(headers: dict[str, str] | None) -> None:
    """Register the values of credential-looking headers (and a bearer token on its own)."""
    for name, value in (headers or {}).items():
        if not isinstance(value, str) or not any(w in name.lower() for w in _SECRET_HEADER_WORDS):
            continue
        register_secret(value)
        scheme, _, credential = value.partition(" ")
        if credential and scheme.lower() in {"bearer", "token", "basic"}:
            register_secret(credential)


def coerce_auth(auth: object) -> AuthBase | None:
    """Accept what requests accepts (an AuthBase, or a (user, password) tuple)."""
    if auth is None or isinstance(auth, AuthBase):
        if isinstance(auth, HTTPBasicAuth) and isinstance(auth.password, str):
            register_secret(auth.password)
        return auth
    if isinstance(auth, tuple) and len(auth) == 2:
        return BasicAuth(str(auth[0]), str(auth[1]))
    raise TypeError(f"auth must be a requests AuthBase or a (user, password) tuple, not {auth!r}")


def credential_hint(what: str, argument: str, env_var: str, *, from_argument: bool) -> str:
    """The end of a 401/403 message: which credential was refused and where it was set, so
    the user knows what to fix. Names the argument or env var, never the value."""
    if from_argument:
        source = f"passed as {argument}= (its env var is {env_var})"
        fix = f"check the {argument} argument"
    else:
        source = f"read from {env_var}"
        fix = f"check {env_var}"
    return f"the {what} {source} was refused or lacks access: {fix}"
