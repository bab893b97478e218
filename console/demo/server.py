"""moto's server on 127.0.0.1 behind a WSGI middleware of our own.

The middleware is what makes the embedded AWS useful for an operations tool:
it counts the requests served per API (so tests and benchmarks can check how
many calls were made), adds latency, enforces ECS's token buckets, injects
faults (throttling, 5xx, dropped connections, stalls), and lets the demo world
answer the operations moto gets wrong or lacks (``register_override``).

Nothing outside ``console/demo/`` knows any of this exists.
"""

from __future__ import annotations

import contextlib
import io
import json
import queue
import random
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import BaseWSGIServer

from console.demo import organisation

_SCOPE = re.compile(r"Credential=[^/]+/\d{8}/([^/]+)/([^/]+)/aws4_request")
_ACCESS_KEY = re.compile(r"Credential=([^/]+)/")
_ROLE_ACCOUNT = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/")
_CBOR_PATH = re.compile(r"/service/[^/]+/operation/([^/?]+)")

JSON_SERVICES = {"ecs", "sqs", "logs", "secretsmanager", "events"}


class DemoApiError(Exception):
    """Raised by an override to answer with an AWS-style error."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


Override = Callable[[str, dict[str, Any]], "dict[str, Any] | None"]
Observer = Callable[[str, dict[str, Any], int], None]


@dataclass
class FaultSpec:
    """``--faults throttle=0.1,5xx=0.1,drop=0.05,stall=0.05,only=sqs+ecs``.

    Rates are probabilities per request. ``only`` limits faults to some
    services (``+``-separated signing names); ``ops`` to some operations.
    """

    throttle: float = 0.0
    server_error: float = 0.0
    drop: float = 0.0
    stall: float = 0.0
    stall_seconds: float = 2.0
    stall_after: bool = False  # the stalled call takes effect first; only its answer is held
    only: frozenset[str] = frozenset()
    ops: frozenset[str] = frozenset()
    seed: int | None = None

    @classmethod
    def parse(cls, spec: str | None) -> FaultSpec | None:
        if not spec:
            return None
        out = cls()
        for part in spec.split(","):
            part = part.strip()
            if not part:
                continue
            if "=" not in part:
                raise ValueError(f"--faults: '{part}' is not NAME=VALUE")
            name, value = (s.strip() for s in part.split("=", 1))
            if name == "only":
                out.only = frozenset(v for v in value.split("+") if v)
            elif name == "ops":
                out.ops = frozenset(v for v in value.split("+") if v)
            elif name in {"throttle", "5xx", "drop", "stall", "stall_s", "seed"}:
                try:
                    number = float(value)
                except ValueError:
                    raise ValueError(f"--faults: {name}={value!r} is not a number") from None
                if name == "seed":
                    out.seed = int(number)
                elif name == "stall_s":
                    out.stall_seconds = number
                elif not 0 <= number <= 1:
                    raise ValueError(f"--faults: {name}={value} is not a rate between 0 and 1")
                elif name == "throttle":
                    out.throttle = number
                elif name == "5xx":
                    out.server_error = number
                elif name == "drop":
                    out.drop = number
                else:
                    out.stall = number
            else:
                raise ValueError(f"--faults: unknown fault '{name}' (throttle, 5xx, drop, stall, only, ops)")
        return out

    def applies(self, service: str, op: str) -> bool:
        if self.only and service not in self.only:
            return False
        return not (self.ops and op not in self.ops)


# ECS's documented token buckets (burst, refill per second), per account and region.
ECS_THROTTLE: dict[str, tuple[int, float]] = {
    "ListServices": (100, 20),
    "DescribeServices": (100, 20),
    "ListClusters": (100, 20),
    "DescribeClusters": (100, 20),
    "ListTasks": (100, 20),
    "DescribeTasks": (100, 20),
    "ListTaskDefinitions": (100, 20),
    "DescribeTaskDefinition": (100, 20),
    "UpdateService": (50, 5),
    "RegisterTaskDefinition": (20, 1),
    "StopTask": (100, 40),
}
ECS_BUCKET_OF = {
    "ListServices": "service_read",
    "DescribeServices": "service_read",
    "ListClusters": "cluster_read",
    "DescribeClusters": "cluster_read",
    "ListTasks": "cluster_read",
    "DescribeTasks": "cluster_read",
    "ListTaskDefinitions": "task_def_read",
    "DescribeTaskDefinition": "task_def_read",
}


class _Bucket:
    def __init__(self, burst: int, rate: float) -> None:
        self.burst, self.rate = burst, rate
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


@dataclass
class RequestInfo:
    service: str
    op: str
    region: str
    body: bytes
    account: str = organisation.BASE_ACCOUNT  # whose keys signed it (moto's mapping of access keys)

    def json(self) -> dict[str, Any]:
        try:
            return json.loads(self.body or b"{}")
        except ValueError:
            return {}


@dataclass
class Middleware:
    app: Any
    latency_ms: float = 0.0
    faults: FaultSpec | None = None
    throttle: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    overrides: dict[tuple[str, str], Override] = field(default_factory=dict)
    observers: list[Observer] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _buckets: dict[tuple[str, str, str], _Bucket] = field(default_factory=dict)
    _rng: random.Random = field(default_factory=random.Random)
    call_log: list[tuple[float, str]] = field(default_factory=list)
    keep_call_log: bool = False
    info: dict[str, Any] = field(default_factory=lambda: {"demo": True})
    # Demo-only routes under /_opsconsole/ served by the world (e.g. incidents): path → handler(body).
    admin_routes: dict[str, Callable[[str, bytes], Any]] = field(default_factory=dict)
    # Called with the signing name before a request is answered (the world may make it wait).
    gate: Callable[[str], None] | None = None
    # Accounts whose ops role refuses AssumeRole (``--deny-account``): the org's trust policy says no.
    denied_accounts: set[str] = field(default_factory=set)
    _key_accounts: dict[str, str] = field(default_factory=dict)

    def set_faults(self, faults: FaultSpec | None) -> None:
        self.faults = faults
        if faults and faults.seed is not None:
            self._rng.seed(faults.seed)

    # --- request identification -------------------------------------------------
    @staticmethod
    def identify(environ: dict[str, Any], body: bytes) -> RequestInfo:
        auth = environ.get("HTTP_AUTHORIZATION", "")
        match = _SCOPE.search(auth)
        region, service = (match.group(1), match.group(2)) if match else ("us-east-1", "")
        op = ""
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if target:
            op = target.rsplit(".", 1)[-1]
        else:
            cbor = _CBOR_PATH.search(environ.get("PATH_INFO", ""))
            if cbor:
                op = cbor.group(1)
            else:
                query = parse_qs(environ.get("QUERY_STRING", ""))
                if "Action" in query:
                    op = query["Action"][0]
                elif body and environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
                    form = parse_qs(body.decode("utf-8", "replace"))
                    op = form.get("Action", [""])[0]
        if not op:
            op = f"{environ.get('REQUEST_METHOD', '')} {environ.get('PATH_INFO', '')}"
        return RequestInfo(service or "unknown", op, region, body)

    def account_of(self, environ: dict[str, Any]) -> str:
        """The account a request acts in: the one moto maps its access key to (cached per key)."""
        match = _ACCESS_KEY.search(environ.get("HTTP_AUTHORIZATION", ""))
        if not match:
            return organisation.BASE_ACCOUNT
        key = match.group(1)
        with self._lock:
            known = self._key_accounts.get(key)
        if known is None:
            from moto.iam.models import get_account_id_from

            known = get_account_id_from(key)
            with self._lock:
                self._key_accounts[key] = known
        return known

    def forget_keys(self) -> None:
        with self._lock:
            self._key_accounts.clear()

    def _denied(self, info: RequestInfo) -> str | None:
        """AccessDenied's message when ``info`` assumes a role in a denied account, else None."""
        if not self.denied_accounts or info.service != "sts" or info.op != "AssumeRole":
            return None
        form = parse_qs(info.body.decode("utf-8", "replace"))
        role = form.get("RoleArn", [""])[0]
        match = _ROLE_ACCOUNT.match(role)
        if match is None or match.group(1) not in self.denied_accounts:
            return None
        return (
            f"User: arn:aws:iam::{info.account}:user/opsconsole-demo is not authorized to perform: "
            f"sts:AssumeRole on resource: {role}"
        )

    # --- responses ----------------------------------------------------------------
    @staticmethod
    def _error(
        info: RequestInfo, status: int, code: str, message: str, start_response: Any
    ) -> Iterable[bytes]:
        if info.service in JSON_SERVICES:
            body = json.dumps({"__type": code, "message": message}).encode()
            headers = [
                ("Content-Type", "application/x-amz-json-1.1"),
                ("x-amzn-query-error", f"{code};Sender"),
            ]
        else:
            body = (
                f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message>"
                "</Error><RequestId>demo</RequestId></ErrorResponse>"
            ).encode()
            headers = [("Content-Type", "text/xml")]
        reason = {
            400: "Bad Request",
            403: "Forbidden",
            500: "Internal Server Error",
            503: "Service Unavailable",
        }.get(status, "Error")
        start_response(f"{status} {reason}", [*headers, ("Content-Length", str(len(body)))])
        return [body]

    def _throttled(self, info: RequestInfo) -> bool:
        if not self.throttle or info.service != "ecs" or info.op not in ECS_THROTTLE:
            return False
        bucket_name = ECS_BUCKET_OF.get(info.op, info.op)
        key = (info.account, info.region, bucket_name)  # AWS throttles per account and region
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(*ECS_THROTTLE[info.op])
            return not bucket.take()

    @staticmethod
    def _drop(environ: dict[str, Any]) -> None:
        sock = environ.get("werkzeug.socket")
        if isinstance(sock, socket.socket):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        result = self._answer(environ, start_response)
        if environ.get(_BODY_READ):
            return _then_stop_reading(result, environ.get("werkzeug.socket"))
        return result

    def _answer(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/_opsconsole/"):
            return self._admin(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        environ[_BODY_READ] = True
        if path.startswith("/moto-api"):
            return self.app(environ, start_response)
        info = self.identify(environ, body)
        info.account = self.account_of(environ)
        name = f"{info.service}.{info.op}"
        with self._lock:
            self.counts[name] += 1
            if self.keep_call_log:
                self.call_log.append((time.monotonic(), name))
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        if self._throttled(info):
            return self._error(info, 400, "ThrottlingException", "Rate exceeded", start_response)
        denied = self._denied(info)
        if denied is not None:
            return self._error(info, 403, "AccessDenied", denied, start_response)
        drop_after = hold_after = False
        faults = self.faults
        if faults and faults.applies(info.service, info.op):
            roll = self._rng.random()
            if roll < faults.throttle:
                code = "ThrottlingException" if info.service in JSON_SERVICES else "Throttling"
                return self._error(info, 400, code, "Rate exceeded (demo fault)", start_response)
            roll -= faults.throttle
            if roll < faults.server_error:
                status = self._rng.choice((500, 503))
                code = "InternalFailure" if status == 500 else "ServiceUnavailable"
                return self._error(info, status, code, "demo fault", start_response)
            roll -= faults.server_error
            if roll < faults.drop:
                if self._rng.random() < 0.5:
                    self._drop(environ)
                    start_response("500 Dropped", [("Content-Length", "0")])
                    return []
                drop_after = True  # the call takes effect, the caller never hears of it
            roll -= faults.drop
            if roll < faults.stall and not faults.stall_after:
                time.sleep(faults.stall_seconds)
            elif roll < faults.stall:
                hold_after = True
        if self.gate is not None:
            self.gate(info.service)
        result = self._dispatch(info, environ, start_response)
        if drop_after:
            result = list(result)
            self._drop(environ)
        if hold_after and faults is not None:
            result = list(result)
            time.sleep(faults.stall_seconds)
        return result

    def _dispatch(self, info: RequestInfo, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        override = self.overrides.get((info.service, info.op))
        if override is not None:
            try:
                with organisation.acting_as(info.account):  # the override reads the caller's account
                    answer = override(info.region, info.json())
            except DemoApiError as exc:
                return self._error(info, exc.status, exc.code, exc.message, start_response)
            if answer is not None:
                body = json.dumps(answer, default=_json_default).encode()
                start_response(
                    "200 OK",
                    [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body)))],
                )
                self._observe(info, 200)
                return [body]
        status_box: list[int] = [0]

        def capture(status: str, headers: Any, exc_info: Any = None) -> Any:
            status_box[0] = int(status.split()[0])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        with organisation.acting_as(info.account):  # the world's patches of moto act in it too
            result = self.app(environ, capture)
        if self.observers:
            result = list(result)
            self._observe(info, status_box[0])
        return result

    def _observe(self, info: RequestInfo, status: int) -> None:
        for observer in self.observers:
            try:
                observer(
                    f"{info.service}.{info.op}",
                    {"region": info.region, "account": info.account, **info.json()},
                    status,
                )
            except Exception:  # an observer must never break a request
                pass

    def _admin(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        payload: Any = {"ok": True}
        if path == "/_opsconsole/info":
            payload = self.info
        elif path == "/_opsconsole/counts":
            if method == "DELETE":
                with self._lock:
                    self.counts.clear()
            else:
                with self._lock:
                    payload = dict(self.counts)
        elif path in self.admin_routes:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length) if length else b""
            try:
                payload = self.admin_routes[path](method, body)
            except Exception as exc:  # the route's own error, shown to the caller
                payload = {"ok": False, "error": str(exc)}
        elif path == "/_opsconsole/faults" and method == "POST":
            length = int(environ.get("CONTENT_LENGTH") or 0)
            spec = environ["wsgi.input"].read(length).decode() if length else ""
            try:
                self.set_faults(FaultSpec.parse(spec))
            except ValueError as exc:
                payload = {"ok": False, "error": str(exc)}
        else:
            payload = {"ok": False, "error": f"unknown admin path {path}"}
        body = json.dumps(payload).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


_BODY_READ = "opsconsole.body_read"


def _then_stop_reading(result: Iterable[bytes], sock: Any) -> Iterator[bytes]:
    """The answer, then the socket's read side shut.

    After every response werkzeug waits up to 10 ms for request bytes nobody
    read (it drains them before it closes).  The middleware reads every body
    whole, so that wait only kept a thread, and a GIL handover, per request:
    under concurrent clients it cost a quarter of the server's throughput.
    With the read side shut the drain ends at once.
    """
    try:
        yield from result
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RD)


def _json_default(value: Any) -> Any:
    from datetime import datetime

    if isinstance(value, datetime):
        return value.timestamp()
    return str(value)


class _Handler(MotoRequestHandler):
    def make_environ(self) -> dict[str, Any]:
        environ = super().make_environ()
        environ["werkzeug.socket"] = self.connection
        return environ

    def log_request(self, *args: Any, **kwargs: Any) -> None:  # quiet
        pass

    def log_error(self, *args: Any, **kwargs: Any) -> None:  # dropped connections are on purpose
        pass


class _PooledServer(BaseWSGIServer):
    """werkzeug's server with its requests handled on reused daemon threads.

    werkzeug's threaded server starts a thread per request, and ``Thread.start``
    waits until the new thread has run, which needs the GIL: while request threads
    are busy the accept loop stalls behind them, so concurrent clients got less
    done than one client alone (py-spy: the accept loop spent a third of a
    16-worker redrive in ``Thread.start``).  Here the accept loop only queues the
    connection; a thread is started only when none is idle.  Threads are daemons,
    as werkzeug's are, so a long poll in progress never holds up the exit.
    """

    multithread = True

    def __init__(self, *args: Any, max_threads: int = 256, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._jobs: queue.SimpleQueue[tuple[Any, Any] | None] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)
        self._threads: list[threading.Thread] = []
        self._max_threads = max_threads

    def process_request(self, request: Any, client_address: Any) -> None:  # type: ignore[override]
        self._jobs.put((request, client_address))
        if not self._idle.acquire(blocking=False) and len(self._threads) < self._max_threads:
            thread = threading.Thread(target=self._work, name="demo-aws-request", daemon=True)
            self._threads.append(thread)
            thread.start()

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            request, client_address = job
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)
            self._idle.release()

    def server_close(self) -> None:
        super().server_close()
        for _ in self._threads:
            self._jobs.put(None)


class DemoServer:
    """moto's server in a thread of this process, on 127.0.0.1.

    moto's state is process-wide: one DemoServer per process.
    """

    def __init__(
        self,
        port: int = 0,
        *,
        latency_ms: float = 0.0,
        faults: FaultSpec | None = None,
        throttle: bool = False,
        host: str = "127.0.0.1",
    ) -> None:
        self.host = host
        self.port = port
        self.middleware = Middleware(
            DomainDispatcherApplication(create_backend_app), latency_ms=latency_ms, throttle=throttle
        )
        self.middleware.set_faults(faults)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> str:
        self._server = _PooledServer(self.host, self.port, self.middleware, handler=_Handler)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-aws", daemon=True)
        self._thread.start()
        return self.endpoint

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    # --- hooks for the demo world ---------------------------------------------------
    def register_override(self, service: str, op: str, handler: Override) -> None:
        """Answer ``service.op`` (JSON protocols) with ``handler(region, request)``; None passes to moto."""
        self.middleware.overrides[(service, op)] = handler

    def add_observer(self, observer: Observer) -> None:
        """Called after every request with ("ecs.UpdateService", request body + region, HTTP status)."""
        self.middleware.observers.append(observer)

    def counts(self) -> dict[str, int]:
        with self.middleware._lock:
            return dict(self.middleware.counts)

    def reset_counts(self) -> None:
        with self.middleware._lock:
            self.middleware.counts.clear()
