"""A loopback stub of the BigQuery REST API, for testing `GoogleBigQuery` with the real client.

This is a REST stub, not a SQL engine. It implements only the calls google-cloud-bigquery makes
for turnout's methods: the OAuth token exchange of a service account, datasets get/insert,
tables get/list/insert/delete, jobs insert/get, getQueryResults, and the multipart and
resumable upload endpoints of load jobs. Load jobs take Parquet files (read with pyarrow) and
apply BigQuery's write dispositions atomically: a failed load leaves the stored table as it was.

Queries are matched against a small fixed set of shapes, and anything else fails as an invalid
query:

- ``SELECT * FROM <table>``
- ``SELECT COUNT(*) [AS alias] FROM <table>``
- ``SELECT @name [AS alias], ?, ...``: echoes query parameters back with their types
- ``DROP TABLE [IF EXISTS] <table>`` and ``TRUNCATE TABLE <table>``: statements without a
  result set
- the MERGE that ``GoogleBigQuery.upsert`` sends (update matched keys, insert the rest), and its
  duplicate-key check ``SELECT COUNT(*) AS n FROM (SELECT keys FROM <table> GROUP BY keys
  HAVING COUNT(*) > 1)``

`<table>` is ``dataset.table`` or ``project.dataset.table``, each part optionally in backticks.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import io
import json
import re
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from turnout.emulators.base import EmulatorApp, json_response

API = "/bigquery/v2/projects/<project>"
UPLOAD = "/upload/bigquery/v2/projects/<project>/jobs"

# Standard SQL names and their legacy spellings, as the REST API reports them.
_LEGACY_TYPE = {
    "INT64": "INTEGER",
    "INTEGER": "INTEGER",
    "FLOAT64": "FLOAT",
    "FLOAT": "FLOAT",
    "BOOL": "BOOLEAN",
    "BOOLEAN": "BOOLEAN",
    "STRING": "STRING",
    "BYTES": "BYTES",
    "DATE": "DATE",
    "DATETIME": "DATETIME",
    "TIMESTAMP": "TIMESTAMP",
    "TIME": "TIME",
    "NUMERIC": "NUMERIC",
    "BIGNUMERIC": "BIGNUMERIC",
    "JSON": "JSON",
}

# The Arrow storage type of each BigQuery type, and which Parquet column types load into it.
_ARROW_TYPE = {
    "INTEGER": pa.int64(),
    "FLOAT": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "STRING": pa.string(),
    "JSON": pa.string(),
    "BYTES": pa.binary(),
    "DATE": pa.date32(),
    "DATETIME": pa.timestamp("us"),
    "TIMESTAMP": pa.timestamp("us", tz="UTC"),
    "NUMERIC": pa.decimal128(38, 9),
    "BIGNUMERIC": pa.decimal256(76, 38),
    "TIME": pa.time64("us"),
}


def _loads_into(arrow_type: pa.DataType, bq_type: str) -> bool:
    """Whether a Parquet column of `arrow_type` may load into a column of `bq_type`."""
    if pa.types.is_null(arrow_type):
        return True
    if bq_type == "INTEGER":
        return pa.types.is_integer(arrow_type)
    if bq_type == "FLOAT":
        return pa.types.is_floating(arrow_type) or pa.types.is_integer(arrow_type)
    if bq_type == "BOOLEAN":
        return pa.types.is_boolean(arrow_type)
    if bq_type in ("STRING", "JSON"):
        return pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type)
    if bq_type == "BYTES":
        return pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type)
    if bq_type == "DATE":
        return pa.types.is_date(arrow_type)
    if bq_type == "DATETIME":
        return pa.types.is_timestamp(arrow_type) and arrow_type.tz is None
    if bq_type == "TIMESTAMP":
        return pa.types.is_timestamp(arrow_type)
    if bq_type in ("NUMERIC", "BIGNUMERIC"):
        return pa.types.is_decimal(arrow_type) or pa.types.is_integer(arrow_type)
    if bq_type == "TIME":
        return pa.types.is_time(arrow_type)
    return False


def _bq_type_of(arrow_type: pa.DataType) -> str:
    """The BigQuery type a Parquet column gets when the load names no schema."""
    for bq_type in ("BOOLEAN", "INTEGER", "FLOAT", "STRING", "BYTES", "DATE", "DATETIME"):
        if _loads_into(arrow_type, bq_type) and not pa.types.is_null(arrow_type):
            return bq_type
    if pa.types.is_timestamp(arrow_type):
        return "TIMESTAMP"
    if pa.types.is_decimal(arrow_type):
        return "NUMERIC" if arrow_type.precision <= 38 else "BIGNUMERIC"
    return "STRING"


class JobFailed(Exception):
    """A job that ends in an error result (reason as BigQuery names it)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


@dataclass
class StoredTable:
    fields: list[dict[str, Any]]
    data: pa.Table
    created: float = field(default_factory=lambda: dt.datetime.now().timestamp())


@dataclass
class Job:
    job_id: str
    project: str
    location: str | None
    configuration: dict[str, Any]
    error: JobFailed | None = None
    schema: list[dict[str, Any]] | None = None
    rows: list[list[Any]] | None = None
    statement_type: str | None = None
    polls_left: int = 0  # answers RUNNING to this many polls before DONE

    def resource(self) -> dict[str, Any]:
        if self.polls_left > 0:
            return {
                **self._reference(),
                "configuration": self.configuration,
                "status": {"state": "RUNNING"},
            }
        status: dict[str, Any] = {"state": "DONE"}
        if self.error is not None:
            detail = {"reason": self.error.reason, "message": self.error.message}
            status["errorResult"] = detail
            status["errors"] = [detail]
        statistics: dict[str, Any] = {"creationTime": "1700000000000"}
        if self.statement_type is not None:
            statistics["query"] = {"statementType": self.statement_type}
        return {
            **self._reference(),
            "configuration": self.configuration,
            "status": status,
            "statistics": statistics,
        }

    def _reference(self) -> dict[str, Any]:
        return {
            "kind": "bigquery#job",
            "id": f"{self.project}:{self.location or 'US'}.{self.job_id}",
            "jobReference": {
                "projectId": self.project,
                "jobId": self.job_id,
                "location": self.location or "US",
            },
        }


_NAME = r"`?([A-Za-z0-9_\-]+)`?"
_TABLE = rf"(?:{_NAME}\.)?{_NAME}\.{_NAME}|`([A-Za-z0-9_\-.]+)`"
_SELECT_ALL = re.compile(rf"^\s*SELECT\s+\*\s+FROM\s+({_TABLE})\s*;?\s*$", re.I)
_COUNT = re.compile(
    rf"^\s*SELECT\s+COUNT\(\*\)(?:\s+AS\s+`?(\w+)`?)?\s+FROM\s+({_TABLE})\s*;?\s*$", re.I
)
_TRUNCATE = re.compile(rf"^\s*TRUNCATE\s+TABLE\s+({_TABLE})\s*;?\s*$", re.I)
_DROP = re.compile(rf"^\s*DROP\s+TABLE\s+(IF\s+EXISTS\s+)?({_TABLE})\s*;?\s*$", re.I)
_MERGE = re.compile(
    r"^\s*MERGE\s+(?P<target>\S+)\s+AS\s+target\s+USING\s+(?P<source>\S+)\s+AS\s+source\s+"
    r"ON\s+(?P<on>.+?)\s+(?:WHEN\s+MATCHED\s+THEN\s+UPDATE\s+SET\s+(?P<set>.+?)\s+)?"
    r"WHEN\s+NOT\s+MATCHED\s+THEN\s+INSERT\s*\((?P<columns>[^)]*)\)\s*VALUES\s*\([^)]*\)\s*;?\s*$",
    re.I | re.S,
)
_DUPLICATE_KEYS = re.compile(
    r"^\s*SELECT\s+COUNT\(\*\)\s+AS\s+`?(\w+)`?\s+FROM\s+\(\s*SELECT\s+(?P<keys>.+?)\s+FROM\s+"
    r"(?P<table>\S+)\s+GROUP\s+BY\s+(?P=keys)\s+HAVING\s+COUNT\(\*\)\s*>\s*1\s*\)\s*;?\s*$",
    re.I | re.S,
)
_BACKTICKED = re.compile(r"`((?:\\.|[^`\\])*)`")
_PARAMETER_SELECT = re.compile(r"^\s*SELECT\s+(.+?)\s*;?\s*$", re.I | re.S)
_PARAMETER_ITEM = re.compile(r"^(@`?\w+`?|\?)(?:\s+AS\s+`?(\w+)`?)?$", re.I)


class BigQueryStub(EmulatorApp):
    """The stub app. `tables` maps (project, dataset, table) to a `StoredTable`; `jobs` holds
    every job inserted, so tests can assert the configuration the client sent."""

    name = "bigquery"

    def __init__(
        self,
        *,
        datasets: tuple[tuple[str, str], ...] = (),
        page_size: int = 1000,
        pending_polls: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.page_size = page_size
        self.pending_polls = pending_polls  # each new job answers RUNNING this many times
        self._lock = threading.Lock()
        self.datasets: set[tuple[str, str]] = set(datasets)
        self.tables: dict[tuple[str, str, str], StoredTable] = {}
        self.jobs: dict[str, Job] = {}
        self._uploads: dict[str, dict[str, Any]] = {}
        self.tokens_issued = 0
        self.refuse_tokens = False  # answer every token request with invalid_grant

    def reset(
        self,
        datasets: tuple[tuple[str, str], ...] = (),
        *,
        page_size: int = 1000,
        pending_polls: int = 0,
    ) -> None:
        """Forget every table, job, upload and recorded request (one server serves many tests)."""
        self.faults.clear()
        with self._lock:
            self.page_size = page_size
            self.pending_polls = pending_polls
            self.datasets = set(datasets)
            self.tables.clear()
            self.jobs.clear()
            self._uploads.clear()
            self.tokens_issued = 0
            self.refuse_tokens = False
        with self._log_lock:
            self.requests.clear()

    def rules(self) -> list[Rule]:
        return [
            Rule("/token", methods=["POST"], endpoint="token"),
            Rule(UPLOAD, methods=["POST"], endpoint="upload_start"),
            Rule(UPLOAD, methods=["PUT"], endpoint="upload_chunk"),
            Rule(f"{API}/jobs", methods=["POST"], endpoint="insert_job"),
            Rule(f"{API}/jobs/<job_id>", methods=["GET"], endpoint="get_job"),
            Rule(f"{API}/queries/<job_id>", methods=["GET"], endpoint="query_results"),
            Rule(f"{API}/queries", methods=["POST"], endpoint="jobs_query"),
            Rule(f"{API}/datasets", methods=["POST"], endpoint="insert_dataset"),
            Rule(f"{API}/datasets/<dataset>", methods=["GET"], endpoint="get_dataset"),
            Rule(f"{API}/datasets/<dataset>/tables", methods=["GET"], endpoint="list_tables"),
            Rule(f"{API}/datasets/<dataset>/tables", methods=["POST"], endpoint="insert_table"),
            Rule(f"{API}/datasets/<dataset>/tables/<table>", methods=["GET"], endpoint="get_table"),
            Rule(
                f"{API}/datasets/<dataset>/tables/<table>",
                methods=["DELETE"],
                endpoint="delete_table",
            ),
            Rule(
                f"{API}/datasets/<dataset>/tables/<table>/data",
                methods=["GET"],
                endpoint="list_rows",
            ),
        ]

    # --- errors in BigQuery's shape ------------------------------------------------------------

    def _error(self, status: int, reason: str, message: str) -> Response:
        names = {
            400: "INVALID_ARGUMENT",
            404: "NOT_FOUND",
            409: "ALREADY_EXISTS",
            429: "RESOURCE_EXHAUSTED",
            503: "UNAVAILABLE",
        }
        body = {
            "error": {
                "code": status,
                "message": message,
                "errors": [{"message": message, "domain": "global", "reason": reason}],
                "status": names.get(status, "UNKNOWN"),
            }
        }
        return json_response(body, status)

    def not_found(self, request: Request) -> Response:
        return self._error(404, "notFound", f"Not found: URL {request.path}")

    def server_error(self, status: int) -> Response:
        return self._error(status, "backendError", "Backend error. Job aborted.")

    def rate_limited(self, retry_after: float | None) -> Response:
        response = self._error(429, "rateLimitExceeded", "Exceeded rate limits: too many requests")
        if retry_after:
            response.headers["Retry-After"] = str(retry_after)
        return response

    # --- auth ----------------------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        if request.form.get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer":
            return json_response({"error": "unsupported_grant_type"}, 400)
        if self.refuse_tokens:
            return json_response(
                {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}, 400
            )
        with self._lock:
            self.tokens_issued += 1
        return json_response(
            {
                "access_token": f"stub-token-{uuid.uuid4().hex}",
                "expires_in": 3600,
                "token_type": "Bearer",
            }
        )

    # --- datasets and tables -------------------------------------------------------------------

    def insert_dataset(self, request: Request, project: str) -> Response:
        body = request.get_json()
        dataset = body["datasetReference"]["datasetId"]
        with self._lock:
            if (project, dataset) in self.datasets:
                return self._error(409, "duplicate", f"Already Exists: Dataset {project}:{dataset}")
            self.datasets.add((project, dataset))
        return json_response(self._dataset_resource(project, dataset))

    def get_dataset(self, request: Request, project: str, dataset: str) -> Response:
        if (project, dataset) not in self.datasets:
            return self._error(404, "notFound", f"Not found: Dataset {project}:{dataset}")
        return json_response(self._dataset_resource(project, dataset))

    def _dataset_resource(self, project: str, dataset: str) -> dict[str, Any]:
        return {
            "kind": "bigquery#dataset",
            "id": f"{project}:{dataset}",
            "datasetReference": {"projectId": project, "datasetId": dataset},
            "location": "US",
        }

    def list_tables(self, request: Request, project: str, dataset: str) -> Response:
        if (project, dataset) not in self.datasets:
            return self._error(404, "notFound", f"Not found: Dataset {project}:{dataset}")
        with self._lock:
            names = sorted(t for (p, d, t) in self.tables if (p, d) == (project, dataset))
        tables = [
            {
                "kind": "bigquery#table",
                "id": f"{project}:{dataset}.{name}",
                "tableReference": {"projectId": project, "datasetId": dataset, "tableId": name},
                "type": "TABLE",
            }
            for name in names
        ]
        return json_response(
            {"kind": "bigquery#tableList", "tables": tables, "totalItems": len(tables)}
        )

    def insert_table(self, request: Request, project: str, dataset: str) -> Response:
        body = request.get_json()
        name = body["tableReference"]["tableId"]
        fields = [_normalized_field(f) for f in body.get("schema", {}).get("fields", [])]
        with self._lock:
            if (project, dataset) not in self.datasets:
                return self._error(404, "notFound", f"Not found: Dataset {project}:{dataset}")
            if (project, dataset, name) in self.tables:
                return self._error(
                    409, "duplicate", f"Already Exists: Table {project}:{dataset}.{name}"
                )
            self.tables[(project, dataset, name)] = StoredTable(fields, _empty(fields))
            stored = self.tables[(project, dataset, name)]
        return json_response(self._table_resource(project, dataset, name, stored))

    def get_table(self, request: Request, project: str, dataset: str, table: str) -> Response:
        with self._lock:
            stored = self.tables.get((project, dataset, table))
        if stored is None:
            return self._error(404, "notFound", f"Not found: Table {project}:{dataset}.{table}")
        return json_response(self._table_resource(project, dataset, table, stored))

    def delete_table(self, request: Request, project: str, dataset: str, table: str) -> Response:
        with self._lock:
            stored = self.tables.pop((project, dataset, table), None)
        if stored is None:
            return self._error(404, "notFound", f"Not found: Table {project}:{dataset}.{table}")
        return Response(status=204)

    def list_rows(self, request: Request, project: str, dataset: str, table: str) -> Response:
        """tabledata.list: rows in storage order, from startIndex or a pageToken."""
        with self._lock:
            stored = self.tables.get((project, dataset, table))
        if stored is None:
            return self._error(404, "notFound", f"Not found: Table {project}:{dataset}.{table}")
        int64_timestamps = request.args.get("formatOptions.useInt64Timestamp", "").lower() == "true"
        start = int(request.args.get("pageToken") or request.args.get("startIndex") or 0)
        size = int(request.args.get("maxResults", self.page_size))
        rows = [list(row.values()) for row in stored.data.to_pylist()]
        body: dict[str, Any] = {
            "kind": "bigquery#tableDataList",
            "totalRows": str(len(rows)),
            "rows": [
                {
                    "f": [
                        {"v": _rest_value(v, f, int64_timestamps)}
                        for v, f in zip(row, stored.fields)
                    ]
                }
                for row in rows[start : start + size]
            ],
        }
        if start + size < len(rows):
            body["pageToken"] = str(start + size)
        return json_response(body)

    def _table_resource(
        self, project: str, dataset: str, name: str, stored: StoredTable
    ) -> dict[str, Any]:
        return {
            "kind": "bigquery#table",
            "id": f"{project}:{dataset}.{name}",
            "tableReference": {"projectId": project, "datasetId": dataset, "tableId": name},
            "schema": {"fields": stored.fields},
            "numRows": str(stored.data.num_rows),
            "type": "TABLE",
            "location": "US",
            "creationTime": str(int(stored.created * 1000)),
        }

    # --- load jobs through the upload endpoints ------------------------------------------------

    def upload_start(self, request: Request, project: str) -> Response:
        upload_type = request.args.get("uploadType")
        if upload_type == "multipart":
            metadata, data = _split_multipart(request)
            return self._finish_load(project, metadata, data)
        if upload_type == "resumable":
            upload_id = uuid.uuid4().hex
            with self._lock:
                self._uploads[upload_id] = {"metadata": request.get_json(), "data": bytearray()}
            location = f"{self.base_url}{request.path}?uploadType=resumable&upload_id={upload_id}"
            return Response(status=200, headers={"Location": location})
        return self._error(400, "invalid", f"unsupported uploadType {upload_type!r}")

    def upload_chunk(self, request: Request, project: str) -> Response:
        upload_id = request.args.get("upload_id", "")
        with self._lock:
            upload = self._uploads.get(upload_id)
        if upload is None:
            return self._error(404, "notFound", f"no resumable upload {upload_id!r}")
        chunk = request.get_data()
        upload["data"].extend(chunk)
        # Content-Range: "bytes 0-99/*" for a middle chunk, "bytes 100-149/150" for the last.
        content_range = request.headers.get("Content-Range", "")
        total = content_range.rsplit("/", 1)[-1]
        if total == "*" or (total.isdigit() and len(upload["data"]) < int(total)):
            headers = {"Range": f"bytes=0-{len(upload['data']) - 1}"} if upload["data"] else {}
            return Response(status=308, headers=headers)
        with self._lock:
            del self._uploads[upload_id]
        return self._finish_load(project, upload["metadata"], bytes(upload["data"]))

    def _finish_load(self, project: str, metadata: dict[str, Any], data: bytes) -> Response:
        reference = metadata.get("jobReference", {})
        job = Job(
            job_id=reference.get("jobId") or uuid.uuid4().hex,
            project=project,
            location=reference.get("location"),
            configuration=metadata["configuration"],
            polls_left=self.pending_polls,
        )
        try:
            self._run_load(project, metadata["configuration"]["load"], data)
        except JobFailed as failure:
            job.error = failure
        with self._lock:
            self.jobs[job.job_id] = job
        return json_response(job.resource())

    def _run_load(self, project: str, load: dict[str, Any], data: bytes) -> None:
        if load.get("sourceFormat") != "PARQUET":
            raise JobFailed("invalid", f"stub loads PARQUET only, not {load.get('sourceFormat')}")
        destination = load["destinationTable"]
        key = (
            destination.get("projectId", project),
            destination["datasetId"],
            destination["tableId"],
        )
        label = f"{key[0]}:{key[1]}.{key[2]}"
        try:
            incoming = pq.read_table(io.BytesIO(data))
        except pa.ArrowInvalid as error:
            raise JobFailed("invalid", f"Error while reading data: {error}") from error

        declared = [_normalized_field(f) for f in load.get("schema", {}).get("fields", [])]
        disposition = load.get("writeDisposition", "WRITE_APPEND")
        creation = load.get("createDisposition", "CREATE_IF_NEEDED")
        with self._lock:
            if key[:2] not in self.datasets:
                raise JobFailed("notFound", f"Not found: Dataset {key[0]}:{key[1]}")
            existing = self.tables.get(key)
            if existing is None and creation == "CREATE_NEVER":
                raise JobFailed("notFound", f"Not found: Table {label}")
            if existing is not None and disposition == "WRITE_EMPTY" and existing.data.num_rows:
                raise JobFailed("duplicate", f"Already Exists: Table {label}")

            if existing is None or disposition == "WRITE_TRUNCATE":
                fields = declared or [
                    {"name": f.name, "type": _bq_type_of(f.type), "mode": "NULLABLE"}
                    for f in incoming.schema
                ]
                self.tables[key] = StoredTable(fields, _conform(incoming, fields, label))
                return

            fields, current = existing.fields, existing.data
            if declared:
                known = {f["name"].lower() for f in fields}
                added = [f for f in declared if f["name"].lower() not in known]
                if added and "ALLOW_FIELD_ADDITION" in load.get("schemaUpdateOptions", []):
                    fields = fields + [{**f, "mode": "NULLABLE"} for f in added]
                    for f in added:
                        current = current.append_column(
                            f["name"], pa.nulls(current.num_rows, _ARROW_TYPE[f["type"]])
                        )
                _check_compatible(fields, declared, label)
            loaded = _conform(incoming, fields, label)
            self.tables[key] = StoredTable(
                fields, pa.concat_tables([current, loaded]), existing.created
            )

    # --- query jobs ----------------------------------------------------------------------------

    def insert_job(self, request: Request, project: str) -> Response:
        body = request.get_json()
        reference = body.get("jobReference", {})
        job = Job(
            job_id=reference.get("jobId") or uuid.uuid4().hex,
            project=project,
            location=reference.get("location"),
            configuration=body["configuration"],
            polls_left=self.pending_polls,
        )
        query = body["configuration"].get("query")
        if query is None:
            return self._error(400, "invalid", "stub runs query jobs only through jobs.insert")
        try:
            self._run_query(job, project, query)
        except JobFailed as failure:
            job.error = failure
        with self._lock:
            self.jobs[job.job_id] = job
        return json_response(job.resource())

    def jobs_query(self, request: Request, project: str) -> Response:
        """jobs.query: run a query and answer its first page at once (query_and_wait, DB-API)."""
        body = request.get_json()
        settings = {
            k: v
            for k, v in body.items()
            if k not in ("formatOptions", "timeoutMs", "location", "requestId", "jobCreationMode")
        }
        job = Job(
            job_id=uuid.uuid4().hex,
            project=project,
            location=body.get("location"),
            configuration={"query": settings},
        )
        try:
            self._run_query(job, project, settings)
        except JobFailed as failure:
            return self._error(400, failure.reason, failure.message)
        with self._lock:
            self.jobs[job.job_id] = job
        int64_timestamps = bool(body.get("formatOptions", {}).get("useInt64Timestamp"))
        return json_response(
            self._results_page(
                job, 0, int(body.get("maxResults") or self.page_size), int64_timestamps
            )
        )

    def get_job(self, request: Request, project: str, job_id: str) -> Response:
        with self._lock:
            job = self.jobs.get(job_id)
        if job is None:
            return self._error(404, "notFound", f"Not found: Job {project}:{job_id}")
        with self._lock:
            resource = job.resource()
            job.polls_left = max(job.polls_left - 1, 0)
        return json_response(resource)

    def query_results(self, request: Request, project: str, job_id: str) -> Response:
        with self._lock:
            job = self.jobs.get(job_id)
        if job is None:
            return self._error(404, "notFound", f"Not found: Job {project}:{job_id}")
        with self._lock:
            running = job.polls_left > 0
            job.polls_left = max(job.polls_left - 1, 0)
        body: dict[str, Any] = {
            "kind": "bigquery#getQueryResultsResponse",
            "jobReference": job._reference()["jobReference"],
            "jobComplete": not running,
        }
        if running:
            return json_response(body)
        if job.error is not None:
            return self._error(400, job.error.reason, job.error.message)
        int64_timestamps = request.args.get("formatOptions.useInt64Timestamp", "").lower() == "true"
        start = int(request.args.get("pageToken") or request.args.get("startIndex") or 0)
        size = int(request.args.get("maxResults", self.page_size))
        return json_response(self._results_page(job, start, size, int64_timestamps))

    def _results_page(
        self, job: Job, start: int, size: int, int64_timestamps: bool
    ) -> dict[str, Any]:
        """A getQueryResults / jobs.query body: schema, total and one page of rows."""
        body: dict[str, Any] = {
            "kind": "bigquery#getQueryResultsResponse",
            "jobReference": job._reference()["jobReference"],
            "jobComplete": True,
        }
        if job.schema is None:  # a statement without a result set
            return body
        rows = job.rows or []
        body["schema"] = {"fields": job.schema}
        body["totalRows"] = str(len(rows))
        if size:
            body["rows"] = [
                {"f": [{"v": _rest_value(v, f, int64_timestamps)} for v, f in zip(row, job.schema)]}
                for row in rows[start : start + size]
            ]
        if start + size < len(rows):
            body["pageToken"] = str(start + size)
        return body

    def _run_query(self, job: Job, project: str, query: dict[str, Any]) -> None:
        sql = query["query"]
        job.statement_type = "SELECT"
        match = _DUPLICATE_KEYS.match(sql)
        if match:
            stored = self._stored(project, match.group("table"))
            keys = _BACKTICKED.findall(match.group("keys"))
            counts = Counter(tuple(row[k] for k in keys) for row in stored.data.to_pylist())
            job.schema = [{"name": match.group(1), "type": "INTEGER", "mode": "NULLABLE"}]
            job.rows = [[sum(1 for n in counts.values() if n > 1)]]
            return
        match = _MERGE.match(sql)
        if match:
            job.statement_type = "MERGE"
            self._merge(project, match)
            return
        match = _SELECT_ALL.match(sql)
        if match:
            stored = self._stored(project, match.group(1))
            job.schema = stored.fields
            job.rows = [list(row.values()) for row in stored.data.to_pylist()]
            return
        match = _COUNT.match(sql)
        if match:
            stored = self._stored(project, match.group(2))
            job.schema = [{"name": match.group(1) or "f0_", "type": "INTEGER", "mode": "NULLABLE"}]
            job.rows = [[stored.data.num_rows]]
            return
        match = _TRUNCATE.match(sql)
        if match:
            job.statement_type = "TRUNCATE_TABLE"
            key = self._key(project, match.group(1))
            stored = self._stored(project, match.group(1))
            with self._lock:
                self.tables[key] = StoredTable(stored.fields, _empty(stored.fields), stored.created)
            return
        match = _DROP.match(sql)
        if match:
            job.statement_type = "DROP_TABLE"
            key = self._key(project, match.group(2))
            with self._lock:
                if self.tables.pop(key, None) is None and not match.group(1):
                    raise JobFailed("notFound", f"Not found: Table {key[0]}:{key[1]}.{key[2]}")
            return
        match = _PARAMETER_SELECT.match(sql)
        if match and "FROM" not in sql.upper():
            self._echo_parameters(job, query, match.group(1))
            return
        raise JobFailed("invalidQuery", f"Syntax error: the stub does not understand {sql!r}")

    def _merge(self, project: str, match: re.Match[str]) -> None:
        """Update matched rows, insert the rest: the one MERGE shape GoogleBigQuery sends."""
        target_key = self._key(project, match.group("target"))
        source = self._stored(project, match.group("source"))
        target = self._stored(project, match.group("target"))
        keys = [_BACKTICKED.findall(part)[0] for part in re.split(r"\s+AND\s+", match.group("on"))]
        updates = [
            _BACKTICKED.findall(part)[0] for part in (match.group("set") or "").split(", ") if part
        ]
        inserts = _BACKTICKED.findall(match.group("columns"))

        rows = target.data.to_pylist()
        index: dict[tuple, list[int]] = {}
        for position, row in enumerate(rows):
            index.setdefault(tuple(row[k] for k in keys), []).append(position)
        for incoming in source.data.to_pylist():
            matched = index.get(tuple(incoming[k] for k in keys))
            if matched:
                for position in matched:
                    rows[position].update({c: incoming[c] for c in updates})
            else:
                new_row = {f["name"]: None for f in target.fields}
                new_row.update({c: incoming[c] for c in inserts})
                rows.append(new_row)
        arrow_schema = pa.schema([(f["name"], _ARROW_TYPE[f["type"]]) for f in target.fields])
        with self._lock:
            self.tables[target_key] = StoredTable(
                target.fields, pa.Table.from_pylist(rows, schema=arrow_schema), target.created
            )

    def _echo_parameters(self, job: Job, query: dict[str, Any], select_list: str) -> None:
        parameters = query.get("queryParameters", [])
        named = {p.get("name"): p for p in parameters if p.get("name")}
        positional = iter(p for p in parameters if not p.get("name"))
        schema, row = [], []
        for index, item in enumerate(s.strip() for s in select_list.split(",")):
            match = _PARAMETER_ITEM.match(item)
            if not match:
                raise JobFailed("invalidQuery", f"Syntax error: unexpected {item!r}")
            marker, alias = match.groups()
            parameter = (
                next(positional, None) if marker == "?" else named.get(marker[1:].strip("`"))
            )
            if parameter is None:
                raise JobFailed("invalidQuery", f"Query parameter {marker!r} not found")
            kind = parameter["parameterType"]["type"]
            value = parameter.get("parameterValue", {}).get("value")
            if kind == "ARRAY":
                raise JobFailed("invalidQuery", "the stub echoes scalar parameters only")
            schema.append(
                {"name": alias or f"f{index}_", "type": _LEGACY_TYPE[kind], "mode": "NULLABLE"}
            )
            row.append(_from_parameter(value, _LEGACY_TYPE[kind]))
        job.schema = schema
        job.rows = [row]

    def _key(self, project: str, reference: str) -> tuple[str, str, str]:
        parts = [p.strip("`") for p in reference.replace("`.`", ".").strip("`").split(".")]
        if len(parts) == 2:
            parts.insert(0, project)
        return parts[0], parts[1], parts[2]

    def _stored(self, project: str, reference: str) -> StoredTable:
        key = self._key(project, reference)
        with self._lock:
            stored = self.tables.get(key)
        if stored is None:
            raise JobFailed("notFound", f"Not found: Table {key[0]}:{key[1]}.{key[2]}")
        return stored


# --- helpers -----------------------------------------------------------------------------------


def _normalized_field(raw: dict[str, Any]) -> dict[str, Any]:
    kind = raw.get("type", "STRING").upper()
    if kind not in _LEGACY_TYPE:
        raise JobFailed("invalid", f"Invalid field type {kind} for field {raw.get('name')}")
    return {"name": raw["name"], "type": _LEGACY_TYPE[kind], "mode": raw.get("mode", "NULLABLE")}


def _empty(fields: list[dict[str, Any]]) -> pa.Table:
    return pa.table({f["name"]: pa.array([], _ARROW_TYPE[f["type"]]) for f in fields})


def _check_compatible(
    existing: list[dict[str, Any]], declared: list[dict[str, Any]], label: str
) -> None:
    known = {f["name"].lower(): f for f in existing}
    for field_ in declared:
        current = known.get(field_["name"].lower())
        if current is None:
            raise JobFailed(
                "invalid",
                f"Provided Schema does not match Table {label}. Cannot add fields "
                f"(field: {field_['name']})",
            )
        if current["type"] != field_["type"]:
            raise JobFailed(
                "invalid",
                f"Provided Schema does not match Table {label}. Field {field_['name']} has "
                f"changed type from {current['type']} to {field_['type']}",
            )


def _conform(incoming: pa.Table, fields: list[dict[str, Any]], label: str) -> pa.Table:
    """Match Parquet columns to `fields` by name (as BigQuery does for Parquet) and cast."""
    by_name = {name.lower(): name for name in incoming.column_names}
    wanted = {f["name"].lower() for f in fields}
    for name in incoming.column_names:
        if name.lower() not in wanted:
            raise JobFailed(
                "invalid",
                f"Provided Schema does not match Table {label}. Cannot add fields (field: {name})",
            )
    columns = {}
    for field_ in fields:
        target = _ARROW_TYPE[field_["type"]]
        source = by_name.get(field_["name"].lower())
        if source is None:
            if field_["mode"] == "REQUIRED":
                raise JobFailed("invalid", f"Required field {field_['name']} cannot be null")
            columns[field_["name"]] = pa.nulls(incoming.num_rows, target)
            continue
        column = incoming.column(source)
        if not _loads_into(column.type, field_["type"]):
            raise JobFailed(
                "invalid",
                f"Error while reading data, error message: Parquet column '{source}' has type "
                f"{column.type} which does not match the target type {field_['type']} "
                f"of table {label}",
            )
        if field_["mode"] == "REQUIRED" and column.null_count:
            raise JobFailed(
                "invalid", f"Required field {field_['name']} cannot be null (table {label})"
            )
        try:
            columns[field_["name"]] = column.cast(target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise JobFailed(
                "invalid", f"Error while reading data, column '{source}': {error}"
            ) from error
    return pa.table(columns) if columns else pa.table({})


def _split_multipart(request: Request) -> tuple[dict[str, Any], bytes]:
    """The JSON metadata and the file bytes of a multipart/related upload."""
    head = f"Content-Type: {request.headers['Content-Type']}\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + request.get_data())
    parts = list(message.iter_parts())
    metadata = json.loads(parts[0].get_payload(decode=True))
    return metadata, parts[1].get_payload(decode=True)


def _rest_value(value: Any, field_: dict[str, Any], int64_timestamps: bool) -> Any:
    """A value as BigQuery's REST API writes it in a row: a string, or null."""
    if value is None:
        return None
    kind = field_["type"]
    if kind == "BOOLEAN":
        return "true" if value else "false"
    if kind == "FLOAT":
        return repr(float(value))
    if kind == "TIMESTAMP":
        micros = (value - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(microseconds=1)
        return str(micros) if int64_timestamps else repr(micros / 1e6)
    if kind in ("DATETIME", "TIME"):
        return value.isoformat()
    if kind == "DATE":
        return value.isoformat()
    if kind == "BYTES":
        return base64.b64encode(value).decode()
    return str(value)


def _from_parameter(value: str | None, kind: str) -> Any:
    """A query parameter's wire value as the Python value the stub stores."""
    if value is None:
        return None
    if kind == "INTEGER":
        return int(value)
    if kind == "FLOAT":
        return float(value)
    if kind == "BOOLEAN":
        return value.lower() == "true"
    if kind == "DATE":
        return dt.date.fromisoformat(value)
    if kind == "DATETIME":
        return dt.datetime.fromisoformat(value.replace(" ", "T"))
    if kind == "TIMESTAMP":
        parsed = dt.datetime.fromisoformat(value.replace(" ", "T"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    if kind in ("NUMERIC", "BIGNUMERIC"):
        return decimal.Decimal(value)
    if kind == "BYTES":
        return base64.b64decode(value)
    return value


def create_app(*, seed: int = 0, faults: Any = None, **options: Any) -> BigQueryStub:
    """The stub app, as every emulator package exposes it."""
    return BigQueryStub(seed=seed, faults=faults, **options)
