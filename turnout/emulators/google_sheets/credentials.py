"""Throwaway service-account key files for the emulator (tests and `turnout demo`).

The key is a freshly generated RSA key; its token_uri points at the emulator, so google-auth
exchanges its JWT there and never reaches Google.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def generate_private_key() -> rsa.RSAPrivateKey:
    """A new 2048-bit RSA key (takes a few tens of milliseconds)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def service_account_info(
    base_url: str,
    *,
    client_email: str = "turnout-emulator@turnout-demo.iam.gserviceaccount.com",
    private_key: rsa.RSAPrivateKey | None = None,
    project_id: str = "turnout-demo",
) -> dict[str, Any]:
    """A service-account dict whose token_uri is `<base_url>/token`."""
    key = private_key or generate_private_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return {
        "type": "service_account",
        "project_id": project_id,
        "private_key_id": secrets.token_hex(20),
        "private_key": pem,
        "client_email": client_email,
        "client_id": str(secrets.randbelow(10**20)),
        "token_uri": base_url.rstrip("/") + "/token",
    }


def public_key_pem(info: dict[str, Any]) -> bytes:
    """The public half of a service-account dict's private key, as PEM."""
    key = serialization.load_pem_private_key(info["private_key"].encode(), password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def write_keyfile(path: str | os.PathLike[str], base_url: str, **options: Any) -> dict[str, Any]:
    """Write a throwaway service-account file for the emulator at `base_url` (owner-only
    permissions, as for a real key) and return its dict; point GOOGLE_DRIVE_CREDENTIALS at it."""
    info = service_account_info(base_url, **options)
    target = Path(path)
    target.touch(mode=0o600, exist_ok=True)
    target.write_text(json.dumps(info, indent=2), encoding="utf-8")
    return info
