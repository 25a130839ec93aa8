"""A loopback stub of the Civis Platform API, for testing `Civis` with the real civis client.

It serves only what `civis.APIClient` and `civis.io` call for turnout's `query` and
`table_import`: the API spec (`/endpoints`, cut down from the spec the civis package ships),
databases and default credentials, queries, files (with a loopback stand-in for the S3 upload
form), CSV preprocess jobs, CSV imports, and job runs. Imports land in an in-memory table store;
queries understand only ``SELECT * FROM schema.table`` and ``DROP TABLE [IF EXISTS]
schema.table``, and every value comes back as text, as in Civis' query preview. It is a REST
stub, not a database. A statement without a result set answers ``resultRows: null`` (what
Parsons tests for; not confirmed against the live API).

Authentication is HTTP Basic with the API key as user name, as the civis client sends it.
"""

from __future__ import annotations

import base64
import csv
import io
import itertools
import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from turnout.emulators.base import EmulatorApp, json_response

DATABASE_ID = 31
DATABASE_NAME = "Turnout Redshift"
CREDENTIAL_ID = 412

_SPEC_PATHS = ("/databases", "/credentials", "/queries", "/files", "/jobs", "/imports", "/users")

_SELECT_ALL = re.compile(r'^\s*SELECT\s+\*\s+FROM\s+"?(\w+)"?\."?(\w+)"?\s*;?\s*$', re.I)
_DROP = re.compile(r'^\s*DROP\s+TABLE\s+(IF\s+EXISTS\s+)?"?(\w+)"?\."?(\w+)"?\s*;?\s*$', re.I)


@lru_cache(maxsize=1)
def api_spec() -> bytes:
    """The civis package's bundled API spec, cut to the endpoints this stub serves."""
    from civis.resources import API_SPEC_PATH

    with open(API_SPEC_PATH, encoding="utf-8") as handle:
        spec = json.load(handle, object_pairs_hook=OrderedDict)
    spec["paths"] = OrderedDict(
        (path, item) for path, item in spec["paths"].items() if path.startswith(_SPEC_PATHS)
    )
    return json.dumps(spec).encode()


@dataclass
class StoredTable:
    columns: list[dict[str, str]]  # {"name", "sqlType"}
    rows: list[list[str | None]]


@dataclass
class Run:
    job_id: int
    run_id: int
    state: str = "succeeded"
    error: str | None = None
    outputs: list[dict[str, Any]] = field(default_factory=list)
    polls_left: int = 0


class CivisStub(EmulatorApp):
    """The stub app. `tables` maps (schema, table) to rows; `imports` keeps each import's body
    as the client sent it, so tests can assert the columns and options."""

    name = "civis"

    def __init__(
        self, *, api_key: str = "civis-test-key", pending_polls: int = 0, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.api_key = api_key
        self.pending_polls = pending_polls  # queries and imports answer "running" this often
        self._lock = threading.Lock()
        self._ids = itertools.count(1000)
        self.tables: dict[tuple[str, str], StoredTable] = {}
        self.files: dict[int, dict[str, Any]] = {}
        self.queries: dict[int, dict[str, Any]] = {}
        self.imports: dict[int, dict[str, Any]] = {}
        self.jobs: dict[int, dict[str, Any]] = {}
        self.runs: dict[tuple[int, int], Run] = {}

    def reset(self, *, pending_polls: int = 0) -> None:
        """Forget every table, file, job and recorded request."""
        self.faults.clear()
        with self._lock:
            self.pending_polls = pending_polls
            for store in (self.tables, self.files, self.queries, self.imports, self.jobs):
                store.clear()
            self.runs.clear()
        with self._log_lock:
            self.requests.clear()

    def rules(self) -> list[Rule]:
        return [
            Rule("/endpoints", methods=["GET"], endpoint="endpoints"),
            Rule("/databases", methods=["GET"], endpoint="list_databases"),
            Rule(
                "/databases/<int:db>/schemas/<schema>/tables/<table>",
                methods=["GET"],
                endpoint="get_table",
            ),
            Rule("/credentials", methods=["GET"], endpoint="list_credentials"),
            Rule("/queries", methods=["POST"], endpoint="post_query"),
            Rule("/queries/<int:query_id>", methods=["GET"], endpoint="get_query"),
            Rule("/files", methods=["POST"], endpoint="post_file"),
            Rule("/files/<int:file_id>", methods=["GET"], endpoint="get_file"),
            Rule("/s3-upload/<int:file_id>", methods=["POST"], endpoint="upload_file"),
            Rule("/files/preprocess/csv", methods=["POST"], endpoint="post_preprocess"),
            Rule("/imports/files/csv", methods=["POST"], endpoint="post_import"),
            Rule("/jobs/<int:job_id>/runs", methods=["POST"], endpoint="post_run"),
            Rule("/jobs/<int:job_id>/runs/<int:run_id>", methods=["GET"], endpoint="get_run"),
            Rule(
                "/jobs/<int:job_id>/runs/<int:run_id>/outputs",
                methods=["GET"],
                endpoint="run_outputs",
            ),
        ]

    # --- plumbing ------------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        if not request.path.startswith("/s3-upload/") and not self._authorized(request):
            return json_response(
                {"error": "invalid_token", "errorDescription": "Invalid API key", "code": 401},
                401,
                headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'},
            )
        return super().dispatch(request)

    def _authorized(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            user = base64.b64decode(header[6:]).decode().split(":", 1)[0]
        except (ValueError, UnicodeDecodeError):
            return False
        return user == self.api_key

    def not_found(self, request: Request) -> Response:
        return self._error(
            404, "not_found", f"The requested resource could not be found: {request.path}"
        )

    def _error(self, status: int, error: str, description: str) -> Response:
        return json_response(
            {"error": error, "errorDescription": description, "code": status}, status
        )

    def _body(self, request: Request) -> dict[str, Any]:
        """The JSON body with every key in camelCase (the civis client sends snake_case)."""
        return _camel(request.get_json())

    def _next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    # --- spec, databases, credentials ----------------------------------------------------------

    def endpoints(self, request: Request) -> Response:
        return Response(api_spec(), content_type="application/json")

    def list_databases(self, request: Request) -> Response:
        return json_response([{"id": DATABASE_ID, "name": DATABASE_NAME}])

    def list_credentials(self, request: Request) -> Response:
        if (
            request.args.get("type") != "Database"
            or request.args.get("default", "").lower() != "true"
        ):
            return json_response([])
        return json_response([{"id": CREDENTIAL_ID, "name": "default", "type": "Database"}])

    def get_table(self, request: Request, db: int, schema: str, table: str) -> Response:
        with self._lock:
            stored = self.tables.get((schema, table))
        if db != DATABASE_ID or stored is None:
            return self._error(404, "not_found", f"table {schema}.{table} not found")
        return json_response({"id": 1, "name": table, "schema": schema, "columns": stored.columns})

    # --- queries -------------------------------------------------------------------------------

    def post_query(self, request: Request) -> Response:
        body = self._body(request)
        query_id = self._next_id()
        query = {"id": query_id, "sql": body["sql"], "database": body["database"], **body}
        query.update(self._run_query(body))
        with self._lock:
            query["pollsLeft"] = self.pending_polls
            self.queries[query_id] = query
        return json_response({"id": query_id, "state": "queued", "sql": body["sql"]})

    def get_query(self, request: Request, query_id: int) -> Response:
        with self._lock:
            query = self.queries.get(query_id)
        if query is None:
            return self._error(404, "not_found", f"query {query_id} not found")
        with self._lock:
            if query["pollsLeft"] > 0:
                query["pollsLeft"] -= 1
                return json_response({"id": query_id, "state": "running", "sql": query["sql"]})
        return json_response({k: v for k, v in query.items() if k != "pollsLeft"})

    def _run_query(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("database") != DATABASE_ID or body.get("credential") != CREDENTIAL_ID:
            return {"state": "failed", "error": "database or credential not found"}
        sql = body["sql"]
        match = _SELECT_ALL.match(sql)
        if match:
            with self._lock:
                stored = self.tables.get((match.group(1), match.group(2)))
            if stored is None:
                return {
                    "state": "failed",
                    "error": f'relation "{match.group(1)}.{match.group(2)}" does not exist',
                }
            preview = int(body.get("previewRows", 10))
            return {
                "state": "succeeded",
                "resultColumns": [c["name"] for c in stored.columns],
                "resultRows": stored.rows[:preview],
                "error": None,
            }
        match = _DROP.match(sql)
        if match:
            with self._lock:
                dropped = self.tables.pop((match.group(2), match.group(3)), None)
            if dropped is None and not match.group(1):
                return {"state": "failed", "error": "table does not exist"}
            return {"state": "succeeded", "resultColumns": None, "resultRows": None}
        return {"state": "failed", "error": f"syntax error: the stub does not understand {sql!r}"}

    # --- files ---------------------------------------------------------------------------------

    def post_file(self, request: Request) -> Response:
        body = self._body(request)
        file_id = self._next_id()
        with self._lock:
            self.files[file_id] = {"id": file_id, "name": body["name"], "content": None}
        return json_response(
            {
                "id": file_id,
                "name": body["name"],
                "uploadUrl": f"{self.base_url}/s3-upload/{file_id}",
                "uploadFields": {"key": f"files/{file_id}", "policy": "stub-policy"},
            }
        )

    def upload_file(self, request: Request, file_id: int) -> Response:
        # The civis client posts every form field as a file part, as S3's POST form accepts.
        key_part = request.files.get("key")
        key = key_part.read().decode() if key_part is not None else request.form.get("key")
        upload = request.files.get("file")
        if key != f"files/{file_id}" or upload is None:
            return Response("<Error><Message>bad form</Message></Error>", status=400)
        with self._lock:
            self.files[file_id]["content"] = upload.read()
        return Response(status=204)

    def get_file(self, request: Request, file_id: int) -> Response:
        with self._lock:
            stored = self.files.get(file_id)
        if stored is None:
            return self._error(404, "not_found", f"file {file_id} not found")
        return json_response(
            {
                "id": file_id,
                "name": stored["name"],
                "fileUrl": None,
                "detectedInfo": stored.get("detectedInfo"),
            }
        )

    # --- jobs: preprocess and import -----------------------------------------------------------

    def post_preprocess(self, request: Request) -> Response:
        body = self._body(request)
        job_id = self._next_id()
        with self._lock:
            self.jobs[job_id] = {"kind": "preprocess", "body": body}
        return json_response({"id": job_id, "fileId": body["fileId"]})

    def post_import(self, request: Request) -> Response:
        body = self._body(request)
        job_id = self._next_id()
        with self._lock:
            self.jobs[job_id] = {"kind": "import", "body": body}
            self.imports[job_id] = body
        return json_response({"id": job_id, "name": body.get("name")})

    def post_run(self, request: Request, job_id: int) -> Response:
        with self._lock:
            job = self.jobs.get(job_id)
        if job is None:
            return self._error(404, "not_found", f"job {job_id} not found")
        # Preprocess runs are always done at once: civis.io polls them at its default 1 s pace.
        pending = self.pending_polls if job["kind"] == "import" else 0
        run = Run(job_id, self._next_id(), polls_left=pending)
        if job["kind"] == "preprocess":
            self._preprocess(run, job["body"])
        else:
            self._import(run, job["body"])
        with self._lock:
            self.runs[(job_id, run.run_id)] = run
        return json_response({"id": run.run_id, "state": "queued"})

    def get_run(self, request: Request, job_id: int, run_id: int) -> Response:
        with self._lock:
            run = self.runs.get((job_id, run_id))
        if run is None:
            return self._error(404, "not_found", f"run {run_id} of job {job_id} not found")
        with self._lock:
            if run.polls_left > 0:
                run.polls_left -= 1
                return json_response({"id": run_id, "state": "running", "error": None})
        return json_response({"id": run_id, "state": run.state, "error": run.error})

    def run_outputs(self, request: Request, job_id: int, run_id: int) -> Response:
        with self._lock:
            run = self.runs.get((job_id, run_id))
        if run is None:
            return self._error(404, "not_found", f"run {run_id} of job {job_id} not found")
        return json_response(run.outputs)

    def _preprocess(self, run: Run, body: dict[str, Any]) -> None:
        """A cleaned copy of the file (byte for byte here) with what the cleaner detects."""
        with self._lock:
            source = self.files.get(body["fileId"])
            if source is None or source["content"] is None:
                run.state, run.error = "failed", f"file {body['fileId']} has no content"
                return
            cleaned_id = next(self._ids)
            self.files[cleaned_id] = {
                "id": cleaned_id,
                "name": source["name"],
                "content": source["content"],
                "detectedInfo": {
                    "includeHeader": True,
                    "columnDelimiter": "comma",
                    "compression": "none",
                    "tableColumns": [],
                },
            }
        run.outputs = [{"objectType": "File", "objectId": cleaned_id, "name": source["name"]}]

    def _import(self, run: Run, body: dict[str, Any]) -> None:
        """Apply the CSV to the table store: all of it or (on any error) none of it."""
        destination = body["destination"]
        key = (destination["schema"], destination["table"])
        mode = body.get("existingTableRows", "fail")
        with self._lock:
            content = b"".join(self.files[i]["content"] for i in body["source"]["fileIds"])
            existing = self.tables.get(key)
            if existing is not None and mode == "fail":
                run.state, run.error = "failed", f"Table {key[0]}.{key[1]} already exists"
                return
            reader = csv.reader(io.StringIO(content.decode("utf-8"), newline=""))
            header = next(reader) if body.get("firstRowIsHeader") else None
            rows = [[value if value != "" else None for value in row] for row in reader]
            columns = body.get("tableColumns") or [
                {"name": n, "sqlType": "VARCHAR"} for n in header or []
            ]
            if existing is None or mode == "drop":
                self.tables[key] = StoredTable(columns, rows)
            elif mode == "truncate":
                self.tables[key] = StoredTable(
                    existing.columns, self._by_name(existing, columns, rows)
                )
            else:
                existing.rows.extend(self._by_name(existing, columns, rows))

    def _by_name(
        self, existing: StoredTable, columns: list[dict[str, str]], rows: list[list[str | None]]
    ) -> list[list[str | None]]:
        names = [c["name"] for c in columns]
        return [[dict(zip(names, row)).get(c["name"]) for c in existing.columns] for row in rows]


def _camel(value: Any) -> Any:
    if isinstance(value, dict):
        return {_camel_key(k): _camel(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_camel(v) for v in value]
    return value


def _camel_key(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def create_app(*, seed: int = 0, faults: Any = None, **options: Any) -> CivisStub:
    """The stub app, as every emulator package exposes it."""
    return CivisStub(seed=seed, faults=faults, **options)
