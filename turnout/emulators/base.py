"""What every emulator shares: a loopback WSGI server, a seeded fault injector, token buckets.

An emulator is an `EmulatorApp` subclass that declares werkzeug routes. `EmulatorServer` serves
it on 127.0.0.1 on a free port in a background thread. Before a request reaches its route, the
app asks its `FaultInjector` whether to fail it (429, 5xx, slow reply, dropped connection,
truncated body), so every emulator fails the same way on demand.
"""

from __future__ import annotations

import logging
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import orjson
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"

FAULT_KINDS = ("rate_limit", "server_error", "slow", "drop", "truncate")


@dataclass
class Fault:
    """One fault to apply to one request."""

    kind: str
    status: int = 503
    retry_after: float | None = 1.0
    delay: float = 2.0


@dataclass
class _Rule:
    fault: Fault
    remaining: int | None  # None: until cleared
    skip: int = 0
    path_contains: str | None = None
    methods: frozenset[str] | None = None


@dataclass
class _RandomMode:
    probability: float
    kinds: tuple[str, ...]
    retry_after: float | None
    delay: float
    statuses: tuple[int, ...] = (500, 502, 503)


class FaultInjector:
    """Decides, request by request, whether an emulator fails and how.

    Faults are either scheduled (`inject`: the next N matching requests fail in a given way) or
    random (`randomize`: each request fails with a probability, the kind drawn from a seeded
    RNG, so a soak run is reproducible). `injected` counts what was applied, by kind.
    """

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rng = random.Random(seed)
        self._rules: list[_Rule] = []
        self._random: _RandomMode | None = None
        self.injected: Counter[str] = Counter()

    def inject(
        self,
        kind: str,
        count: int | None = 1,
        *,
        after: int = 0,
        status: int = 503,
        retry_after: float | None = 1.0,
        delay: float = 2.0,
        path_contains: str | None = None,
        methods: Iterable[str] | None = None,
    ) -> None:
        """Fail the next `count` matching requests (after letting `after` of them through).

        kind: one of rate_limit (429 with Retry-After unless retry_after is None),
        server_error (`status`), slow (sleep `delay` seconds, then answer normally),
        drop (send half the body, then close the connection), truncate (a body cut short,
        with a Content-Length that matches the cut, so it reads as malformed JSON).
        """
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {FAULT_KINDS}")
        fault = Fault(kind=kind, status=status, retry_after=retry_after, delay=delay)
        with self._lock:
            self._rules.append(
                _Rule(
                    fault,
                    count,
                    after,
                    path_contains,
                    frozenset(m.upper() for m in methods) if methods else None,
                )
            )

    def randomize(
        self,
        probability: float,
        kinds: Iterable[str] = FAULT_KINDS,
        *,
        retry_after: float | None = 0.05,
        delay: float = 2.0,
    ) -> None:
        """Fail each request with `probability`, the kind drawn from `kinds` (seeded)."""
        kinds = tuple(kinds)
        for kind in kinds:
            if kind not in FAULT_KINDS:
                raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._random = _RandomMode(probability, kinds, retry_after, delay)

    def clear(self) -> None:
        """Stop injecting faults (counts are kept)."""
        with self._lock:
            self._rules.clear()
            self._random = None

    @property
    def total_injected(self) -> int:
        return sum(self.injected.values())

    def next_fault(self, method: str, path: str) -> Fault | None:
        """The fault to apply to this request, if any, and count it."""
        with self._lock:
            fault = self._scheduled(method, path) or self._drawn()
            if fault is not None:
                self.injected[fault.kind] += 1
            return fault

    def _scheduled(self, method: str, path: str) -> Fault | None:
        for rule in self._rules:
            if rule.path_contains and rule.path_contains not in path:
                continue
            if rule.methods and method.upper() not in rule.methods:
                continue
            if rule.skip > 0:
                rule.skip -= 1
                return None
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    self._rules.remove(rule)
            return rule.fault
        return None

    def _drawn(self) -> Fault | None:
        mode = self._random
        if mode is None or self._rng.random() >= mode.probability:
            return None
        kind = self._rng.choice(mode.kinds)
        retry_after = mode.retry_after if self._rng.random() < 0.5 else None
        return Fault(
            kind=kind,
            status=self._rng.choice(mode.statuses),
            retry_after=retry_after,
            delay=mode.delay,
        )


class TokenBucket:
    """A token bucket per key: `rate` tokens a second, up to `burst`. `take` answers how long
    the caller must wait (0.0 when a token was taken), so a 429 can carry a true Retry-After."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = rate
        self.burst = burst if burst is not None else max(rate, 1.0)
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}

    def take(self, key: str) -> float:
        now = time.monotonic()
        with self._lock:
            tokens, stamp = self._buckets.get(key, (self.burst, now))
            tokens = min(self.burst, tokens + (now - stamp) * self.rate)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return 0.0
            self._buckets[key] = (tokens, now)
            return (1.0 - tokens) / self.rate


def json_response(
    payload: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
) -> Response:
    """A JSON response (orjson: dates become ISO strings)."""
    body = orjson.dumps(payload, option=orjson.OPT_NON_STR_KEYS)
    return Response(body, status=status, headers=headers, content_type=content_type)


@dataclass
class RequestRecord:
    """What the emulator saw of one request (tests read these)."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    status: int = 0
    fault: str | None = None
    at: float = field(default_factory=time.time)


class EmulatorApp:
    """Base WSGI app: routing, a request log, and faults applied before each route runs.

    Subclasses set `rules()` (werkzeug Rules whose endpoint is a method name) and implement
    those methods as `(request, **url_args) -> Response`.
    """

    name = "emulator"

    def __init__(self, *, faults: FaultInjector | None = None, seed: int = 0) -> None:
        self.faults = faults or FaultInjector(seed)
        self.url_map = Map(list(self.rules()), strict_slashes=False)
        self.requests: list[RequestRecord] = []
        self._log_lock = threading.Lock()
        self.base_url = ""  # set by EmulatorServer once the port is known

    def rules(self) -> Iterable[Rule]:
        return []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        record = RequestRecord(
            method=request.method,
            path=request.path,
            query=request.query_string.decode("latin-1"),
            headers=dict(request.headers),
            body=request.get_data(cache=True),
        )
        with self._log_lock:
            self.requests.append(record)

        fault = self.faults.next_fault(request.method, request.path)
        if fault is not None:
            record.fault = fault.kind
            logger.debug(
                "%s: injecting %s on %s %s", self.name, fault.kind, request.method, request.path
            )
            if fault.kind == "rate_limit":
                response = self.rate_limited(fault.retry_after)
            elif fault.kind == "server_error":
                response = self.server_error(fault.status)
            else:
                if fault.kind == "slow":
                    time.sleep(fault.delay)
                response = self.dispatch(request)
                if fault.kind == "drop":
                    record.status = response.status_code
                    return _dropped(response, environ, start_response)
                if fault.kind == "truncate":
                    response = _truncated(response)
        else:
            response = self.dispatch(request)
        record.status = response.status_code
        return response(environ, start_response)

    def dispatch(self, request: Request) -> Response:
        adapter = self.url_map.bind_to_environ(request.environ)
        try:
            endpoint, args = adapter.match()
            return getattr(self, endpoint)(request, **args)
        except NotFound:
            return self.not_found(request)
        except MethodNotAllowed:
            return json_response({"error": "method not allowed"}, 405)
        except HTTPException as error:
            return json_response({"error": error.description}, error.code or 500)

    # Error bodies; emulators override these to match their API's shapes.
    def not_found(self, request: Request) -> Response:
        return json_response({"error": f"not found: {request.path}"}, 404)

    def rate_limited(self, retry_after: float | None) -> Response:
        headers = {"Retry-After": _retry_after_header(retry_after)} if retry_after else None
        return json_response({"error": "rate limit exceeded"}, 429, headers)

    def server_error(self, status: int) -> Response:
        return json_response({"error": status_phrase(status)}, status)

    def requests_to(self, path_contains: str, method: str | None = None) -> list[RequestRecord]:
        """The recorded requests whose path contains `path_contains` (and method, if given)."""
        with self._log_lock:
            return [
                r
                for r in self.requests
                if path_contains in r.path and (method is None or r.method == method.upper())
            ]


def status_phrase(status: int) -> str:
    """The reason phrase of an HTTP status ("Unprocessable Entity"), so an injected fault's
    body agrees with its code; "HTTP <status>" for a code without one."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return f"HTTP {status}"


def _retry_after_header(seconds: float) -> str:
    # Retry-After is whole seconds by RFC 9110; a fractional value lets tests run fast, and
    # clients that parse a float honour it while others round up.
    return str(int(seconds)) if float(seconds).is_integer() else f"{seconds:.3f}"


def _truncated(response: Response) -> Response:
    body = response.get_data()
    cut = body[: max(1, len(body) // 2)]
    return Response(cut, status=response.status_code, content_type=response.content_type)


def _dropped(
    response: Response, environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterator[bytes]:
    """Announce the full body, send half, then close the socket: the client reads a short body."""
    body = response.get_data()
    headers = [(k, v) for k, v in response.headers.items() if k.lower() != "content-length"]
    headers.append(("Content-Length", str(len(body))))
    start_response(response.status, headers)
    yield body[: len(body) // 2]
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


class _QuietHandler(WSGIRequestHandler):
    """Sends werkzeug's per-request lines to DEBUG instead of stderr."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        logger.debug("%s %s", self.requestline, code)

    def log_error(self, format: str, *args: Any) -> None:
        logger.debug("emulator connection: %s", format % args)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("emulator: %s", format % args)


class EmulatorServer:
    """Serve an `EmulatorApp` on 127.0.0.1 on a free port, in a background thread.

    Use as a context manager, or `start()` / `stop()`. `url` is `http://127.0.0.1:<port>`.
    """

    # How often the serving thread checks for shutdown: `stop()` waits up to this long, so a
    # short interval keeps fixture teardown fast (the default of socketserver is 0.5 s).
    poll_interval = 0.02

    def __init__(self, app: EmulatorApp, port: int = 0, host: str = LOOPBACK) -> None:
        self.app = app
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, request_handler=_QuietHandler
        )
        self.host = host
        self.port = self._server.server_port
        self.url = f"http://{host}:{self.port}"
        app.base_url = self.url
        self._thread: threading.Thread | None = None

    def start(self) -> EmulatorServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": self.poll_interval},
            name=f"{self.app.name}-emulator",
            daemon=True,
        )
        self._thread.start()
        logger.info("%s emulator listening on %s", self.app.name, self.url)
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted (for `turnout emulate`)."""
        logger.info("%s emulator listening on %s", self.app.name, self.url)
        try:
            self._server.serve_forever()
        finally:
            self._server.server_close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
