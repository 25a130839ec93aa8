"""S3 staging for Redshift: put a load file in the temp bucket, read it back, delete it.

Credentials come from the arguments or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY /
AWS_SESSION_TOKEN, and are registered with the redactor. `endpoint_url` (or
AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL) points boto3 at another S3, such as a local test server.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from typing import Any

import boto3
import botocore.exceptions

from turnout.errors import ConfigurationError, WarehouseError
from turnout.redaction import redact, register_secret

logger = logging.getLogger(__name__)

_S3_ERRORS = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)


class S3Staging:
    """The temp bucket a Redshift copy stages its file in (`bucket` may hold a `/prefix`)."""

    def __init__(
        self,
        bucket: str,
        aws_access_key_id: str | None = None,
        aws_secret_access_key: str | None = None,
        aws_session_token: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        use_env_token: bool = True,
    ) -> None:
        bucket, _, prefix = bucket.partition("/")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.aws_access_key_id = aws_access_key_id or os.environ.get("AWS_ACCESS_KEY_ID")
        self.aws_secret_access_key = aws_secret_access_key or os.environ.get(
            "AWS_SECRET_ACCESS_KEY"
        )
        token = aws_session_token or (
            os.environ.get("AWS_SESSION_TOKEN") if use_env_token else None
        )
        self.aws_session_token = token
        self.region = region or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1"
        self.endpoint_url = (
            endpoint_url
            or os.environ.get("AWS_ENDPOINT_URL_S3")
            or os.environ.get("AWS_ENDPOINT_URL")
        )
        if not (self.aws_access_key_id and self.aws_secret_access_key):
            raise ConfigurationError(
                "S3 staging needs credentials: pass aws_access_key_id and aws_secret_access_key "
                "or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            )
        for secret in (self.aws_secret_access_key, self.aws_session_token):
            register_secret(secret)
        self._client: Any = None

    def __repr__(self) -> str:
        return f"S3Staging(bucket={self.bucket!r}, prefix={self.prefix!r})"

    @property
    def client(self) -> Any:
        """The boto3 S3 client, with explicit credentials (never the instance metadata)."""
        if self._client is None:
            self._client = boto3.client(
                "s3",
                aws_access_key_id=self.aws_access_key_id,
                aws_secret_access_key=self.aws_secret_access_key,
                aws_session_token=self.aws_session_token,
                region_name=self.region,
                endpoint_url=self.endpoint_url,
            )
        return self._client

    def new_key(self, suffix: str = ".csv.gz") -> str:
        name = f"turnout_{time.strftime('%Y%m%d_%H%M%S')}_{secrets.token_hex(6)}{suffix}"
        return f"{self.prefix}/{name}" if self.prefix else name

    def put(self, key: str, body: bytes) -> None:
        logger.debug("S3 put s3://%s/%s (%s bytes)", self.bucket, key, len(body))
        try:
            self.client.put_object(Bucket=self.bucket, Key=key, Body=body)
        except _S3_ERRORS as error:
            raise WarehouseError(
                f"S3 upload to s3://{self.bucket}/{key} failed: {redact(error)}"
            ) from error

    def get(self, key: str, bucket: str | None = None) -> bytes:
        bucket = bucket or self.bucket
        try:
            return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()
        except _S3_ERRORS as error:
            raise WarehouseError(
                f"S3 read of s3://{bucket}/{key} failed: {redact(error)}"
            ) from error

    def delete(self, key: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=key)
        except _S3_ERRORS as error:  # cleanup only: the load itself already finished
            logger.warning("could not delete s3://%s/%s: %s", self.bucket, key, redact(error))

    def list_keys(self, prefix: str, bucket: str | None = None) -> list[str]:
        bucket = bucket or self.bucket
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=prefix
            )
            return [item["Key"] for page in pages for item in page.get("Contents", [])]
        except _S3_ERRORS as error:
            raise WarehouseError(
                f"S3 listing of s3://{bucket}/{prefix} failed: {redact(error)}"
            ) from error
