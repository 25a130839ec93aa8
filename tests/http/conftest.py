"""A small loopback server for the http layer's tests: echo, statuses, and four paging shapes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from turnout.emulators.base import EmulatorApp, EmulatorServer, json_response
from turnout.http import APIConnector, RetryPolicy

ITEMS = [{"id": n, "name": f"item-{n}"} for n in range(1, 24)]  # 23 records
PAGE_SIZE = 5


class HTTPTestApp(EmulatorApp):
    name = "http-test"

    def rules(self) -> list[Rule]:
        return [
            Rule("/echo", endpoint="echo", methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            Rule("/status/<int:code>", endpoint="status", methods=["GET", "POST"]),
            Rule("/no-body", endpoint="no_body", methods=["POST", "DELETE"]),
            Rule("/next-url", endpoint="next_url"),
            Rule("/numbered", endpoint="numbered"),
            Rule("/hal", endpoint="hal"),
            Rule("/cursor", endpoint="cursor"),
            Rule("/loop", endpoint="loop"),
            Rule("/no-data", endpoint="no_data"),
            Rule("/html", endpoint="html"),
        ]

    def echo(self, request: Request) -> Response:
        return json_response(
            {
                "method": request.method,
                "args": {k: request.args.getlist(k) for k in request.args},
                "json": request.get_json(silent=True),
                "authorization": request.headers.get("Authorization"),
                "token": request.headers.get("OSDI-API-Token"),
            }
        )

    def status(self, request: Request, code: int) -> Response:
        return json_response({"error": f"status {code}", "echo": request.args.get("say")}, code)

    def no_body(self, request: Request) -> Response:
        return Response(status=204)

    def next_url(self, request: Request) -> Response:
        start = int(request.args.get("start", 0))
        tag = request.args.get("tag", "")
        end = start + PAGE_SIZE
        following = f"{self.base_url}/next-url?start={end}&tag={tag}" if end < len(ITEMS) else None
        return json_response({"data": ITEMS[start:end], "next": following, "tag": tag})

    def numbered(self, request: Request) -> Response:
        page = int(request.args["page"])
        per_page = int(request.args.get("per_page", PAGE_SIZE))
        chunk = ITEMS[(page - 1) * per_page : page * per_page]
        pages = -(-len(ITEMS) // per_page)
        return json_response({"results": chunk, "total_pages": pages})

    def hal(self, request: Request) -> Response:
        page = int(request.args.get("page", 1))
        chunk = ITEMS[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        links = {"self": {"href": f"{self.base_url}/hal?page={page}"}}
        if page * PAGE_SIZE < len(ITEMS):
            links["next"] = {"href": f"/hal?page={page + 1}"}  # relative on purpose
        return json_response({"_embedded": {"osdi:people": chunk}, "_links": links})

    def cursor(self, request: Request) -> Response:
        start = int(request.args.get("cursor") or 0)
        end = start + PAGE_SIZE
        return json_response(
            {
                "items": ITEMS[start:end],
                "meta": {"next_cursor": str(end) if end < len(ITEMS) else None},
                "kind": request.args.get("kind"),
            }
        )

    def loop(self, request: Request) -> Response:
        return json_response({"data": [ITEMS[0]], "next": f"{self.base_url}/loop"})

    def no_data(self, request: Request) -> Response:
        return json_response({"results": [], "next": None})

    def html(self, request: Request) -> Response:
        return Response("<html>bad gateway</html>", status=200, content_type="text/html")


@pytest.fixture(scope="module")
def _module_server() -> Iterator[EmulatorServer]:
    # One server per module: stopping one waits out werkzeug's 0.5 s poll interval.
    with EmulatorServer(HTTPTestApp()) as server:
        yield server


@pytest.fixture
def http_server(_module_server: EmulatorServer) -> EmulatorServer:
    """The module's server with no faults scheduled and an empty request log."""
    app = _module_server.app
    app.faults.clear()
    app.faults.injected.clear()
    with app._log_lock:
        app.requests.clear()
    return _module_server


class SleepRecorder:
    """Records the waits between retries, and waits for real (they are tiny in tests)."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        import time

        self.waits.append(seconds)
        time.sleep(seconds)


FAST_RETRY = RetryPolicy(attempts=4, backoff=0.01, backoff_max=0.05, jitter=0.01)


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def connector(http_server: EmulatorServer, sleeps: SleepRecorder) -> Iterator[APIConnector]:
    with APIConnector(
        http_server.url, retry=FAST_RETRY, timeout=(1.0, 0.4), sleep=sleeps
    ) as client:
        yield client
