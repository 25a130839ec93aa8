"""The Mobilize (Mobilize America) connector."""

from turnout.connectors.mobilize.connector import (
    API_KEY_ENV,
    MA_URI,
    ORGANIZATION_ENV,
    URI_ENV,
    MissingAPIKeyError,
    MobilizeAmerica,
)

__all__ = [
    "API_KEY_ENV",
    "MA_URI",
    "ORGANIZATION_ENV",
    "URI_ENV",
    "MissingAPIKeyError",
    "MobilizeAmerica",
]
