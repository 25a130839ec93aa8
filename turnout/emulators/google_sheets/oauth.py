"""The OAuth token endpoint google-auth calls for a service account (JWT-bearer grant).

A registered service account (`register`) has its RS256 signature checked against its public
key; an unknown one is accepted when its claims are well formed, so any throwaway key file whose
token_uri points here works. Access tokens are opaque and remembered until they expire.
"""

from __future__ import annotations

import base64
import secrets
import threading
import time
from typing import Any

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
GOOGLE_TOKEN_AUDIENCE = "https://oauth2.googleapis.com/token"
TOKEN_LIFETIME = 3599


class GrantError(Exception):
    """A rejected grant: `error` and `error_description` as the OAuth reply carries them."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


def _b64decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


class TokenIssuer:
    """Checks JWT assertions, issues access tokens, and answers whether a token is valid."""

    def __init__(self, token_lifetime: int = TOKEN_LIFETIME) -> None:
        self.token_lifetime = token_lifetime
        self._lock = threading.Lock()
        self._keys: dict[str, rsa.RSAPublicKey] = {}
        self._tokens: dict[str, tuple[str, float]] = {}
        self.issued = 0

    def register(self, client_email: str, public_key_pem: bytes | str) -> None:
        """Verify this account's JWT signatures against `public_key_pem`."""
        if isinstance(public_key_pem, str):
            public_key_pem = public_key_pem.encode()
        key = serialization.load_pem_public_key(public_key_pem)
        if not isinstance(key, rsa.RSAPublicKey):
            raise ValueError("service-account keys are RSA keys")
        with self._lock:
            self._keys[client_email] = key

    def exchange(self, form: dict[str, str]) -> dict[str, Any]:
        """The token reply for a grant, or `GrantError`."""
        if form.get("grant_type") != JWT_BEARER:
            raise GrantError(
                "unsupported_grant_type", "Invalid grant_type: " + str(form.get("grant_type"))
            )
        assertion = form.get("assertion", "")
        claims = self._verify(assertion)
        token = "ya29." + secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = (claims["iss"], time.time() + self.token_lifetime)
            self.issued += 1
        return {"access_token": token, "expires_in": self.token_lifetime, "token_type": "Bearer"}

    def account_for(self, token: str) -> str | None:
        """The client_email a live token was issued to, or None."""
        with self._lock:
            entry = self._tokens.get(token)
        if entry is None or entry[1] < time.time():
            return None
        return entry[0]

    def revoke_all(self) -> None:
        """Forget every token (tests: force a 401 and a refresh)."""
        with self._lock:
            self._tokens.clear()

    def _verify(self, assertion: str) -> dict[str, Any]:
        parts = assertion.split(".")
        if len(parts) != 3:
            raise GrantError("invalid_grant", "Invalid JWT: Token must be a short-lived token")
        try:
            header = orjson.loads(_b64decode(parts[0]))
            claims = orjson.loads(_b64decode(parts[1]))
            signature = _b64decode(parts[2])
        except (ValueError, orjson.JSONDecodeError):
            raise GrantError("invalid_grant", "Invalid JWT: malformed segments") from None
        if header.get("alg") != "RS256":
            raise GrantError("invalid_grant", "Invalid JWT: alg must be RS256")
        for claim in ("iss", "aud", "iat", "exp", "scope"):
            if claim not in claims:
                raise GrantError("invalid_grant", f"Invalid JWT: missing claim {claim}")
        if claims["aud"] != GOOGLE_TOKEN_AUDIENCE:
            raise GrantError("invalid_grant", "Invalid JWT: audience is not the token endpoint")
        now = time.time()
        if (
            not (claims["iat"] - 300 <= now <= claims["exp"] + 300)
            or claims["exp"] - claims["iat"] > 3600
        ):
            raise GrantError(
                "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                "reasonable timeframe. Check your iat and exp values in the JWT claim.",
            )
        with self._lock:
            key = self._keys.get(claims["iss"])
        if key is not None:
            signed = f"{parts[0]}.{parts[1]}".encode()
            try:
                key.verify(signature, signed, padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                raise GrantError("invalid_grant", "Invalid JWT Signature.") from None
        return claims
