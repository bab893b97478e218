"""Log lines in each stack's own format (uvicorn/FastAPI, gunicorn/Flask, Node JSON, Qdrant), at the time they name."""

from __future__ import annotations

import json
import random
import uuid
from datetime import UTC, datetime
from typing import Any

from console.demo.moto_access import DemoTask

STREAM_EVENTS_KEPT = 5000
METRICS_KEPT = 200_000

# container name → the stack whose log format it writes
STACKS = {
    "docu-cr-backend": "fastapi",
    "document-verification-backend": "fastapi",
    "fastapi": "fastapi",
    "asharvi-backend": "node",
    "frameratr-backend": "flask",
    "qdrant": "qdrant",
    "cleanup": "fastapi",
}

PATHS = {
    "docu-cr-backend": [
        "/health",
        "/api/v1/documents",
        "/api/v1/documents/{id}",
        "/api/v1/auth/login",
        "/api/v1/templates",
    ],
    "document-verification-backend": [
        "/health",
        "/api/v1/documents/upload",
        "/api/v1/documents/{id}",
        "/api/v1/verification/{id}",
        "/api/v1/progress/{id}",
    ],
    "fastapi": ["/health", "/api/v1/chat", "/api/v1/documents/search", "/api/v1/auth/token", "/docs"],
    "asharvi-backend": ["/ready", "/api/users/me", "/api/orders", "/api/products", "/api/auth/refresh"],
    "frameratr-backend": [
        "/health",
        "/api/tmdb/search/movies",
        "/api/tmdb/trending/movies",
        "/api/movies",
        "/api/ratings",
    ],
}

PY_TRACES = [
    [
        "Traceback (most recent call last):",
        '  File "/usr/local/lib/python3.12/site-packages/sqlalchemy/engine/base.py", line 1967, in _exec_single_context',
        "    self.dialect.do_execute(",
        '  File "/usr/local/lib/python3.12/site-packages/sqlalchemy/engine/default.py", line 941, in do_execute',
        "    cursor.execute(statement, parameters)",
        "psycopg2.OperationalError: SSL connection has been closed unexpectedly",
    ],
    [
        "Traceback (most recent call last):",
        '  File "/app/app/services/ocr.py", line 88, in extract_text',
        "    pages = convert_from_bytes(payload, dpi=200)",
        '  File "/usr/local/lib/python3.12/site-packages/pdf2image/pdf2image.py", line 127, in convert_from_bytes',
        "    raise PDFPageCountError(",
        "pdf2image.exceptions.PDFPageCountError: Unable to get page count.",
        "Syntax Error: Couldn't find trailer dictionary",
    ],
    [
        "Traceback (most recent call last):",
        '  File "/app/app/rag/retriever.py", line 54, in search',
        "    hits = self.client.search(collection_name=self.collection, query_vector=vector, limit=k)",
        '  File "/usr/local/lib/python3.12/site-packages/httpx/_transports/default.py", line 118, in __exit__',
        "    raise mapped_exc(message) from exc",
        "httpx.ReadTimeout: timed out",
    ],
]

FLASK_TRACE = [
    "Traceback (most recent call last):",
    '  File "/app/app/tmdb.py", line 73, in search_movies',
    "    response = self.session.get(url, params=params, timeout=5)",
    '  File "/usr/local/lib/python3.11/site-packages/requests/adapters.py", line 713, in send',
    "    raise ReadTimeout(e, request=request)",
    "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api.themoviedb.org', port=443): Read timed out. (read timeout=5)",
]
# Each service's own code: a traceback names files of the service that wrote it.
TRACES = {
    "docu-cr-backend": [PY_TRACES[0]],
    "document-verification-backend": [PY_TRACES[0], PY_TRACES[1]],
    "fastapi": [PY_TRACES[2]],
    "frameratr-backend": [FLASK_TRACE],
}
REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    304: "Not Modified",
    401: "Unauthorized",
    404: "Not Found",
    422: "Unprocessable Entity",
    500: "Internal Server Error",
    503: "Service Unavailable",
}

NODE_ERRORS = [
    ("MongoNetworkError", "connection 4 to asharvi-prod-shard-00-01.x1y2z.mongodb.net:27017 closed"),
    ("JsonWebTokenError", "jwt malformed"),
    ("Error", "SMTP connection timeout after 10000ms"),
]


def ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def _now() -> datetime:
    return datetime.now(UTC)


def _fmt_uvicorn(level: str, text: str) -> str:
    return f"{level}:     {text}"


class Lines:
    """Believable log lines per stack; ``rng`` keeps tests reproducible."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.at: datetime | None = None  # the moment the lines are written for (their event time)

    def now(self) -> datetime:
        """The lines' own time: the event timestamp they are written with, so the two agree."""
        return self.at or _now()

    def pin(self, when: datetime) -> datetime:
        self.at = when.replace(microsecond=(when.microsecond // 1000) * 1000)
        return self.at

    def path(self, container: str) -> str:
        path = self.rng.choice(PATHS.get(container, ["/health"]))
        return path.replace("{id}", uuid.UUID(int=self.rng.getrandbits(128)).hex[:12])

    def startup(self, stack: str, container: str, task: DemoTask) -> list[str]:
        if stack == "fastapi":
            return [
                "INFO:     Started server process [1]",
                "INFO:     Waiting for application startup.",
                f"{self.now():%Y-%m-%d %H:%M:%S},112 - app.main - INFO - Connecting to database",
                "INFO:     Application startup complete.",
                "INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)",
            ]
        if stack == "flask":
            return [
                f"[{self.now():%Y-%m-%d %H:%M:%S} +0000] [1] [INFO] Starting gunicorn 22.0.0",
                f"[{self.now():%Y-%m-%d %H:%M:%S} +0000] [1] [INFO] Listening at: http://0.0.0.0:3000 (1)",
                f"[{self.now():%Y-%m-%d %H:%M:%S} +0000] [1] [INFO] Using worker: sync",
                f"[{self.now():%Y-%m-%d %H:%M:%S} +0000] [7] [INFO] Booting worker with pid: 7",
            ]
        if stack == "node":
            return [
                self.node("info", "Connecting to MongoDB"),
                self.node("info", "MongoDB connected", db="asharvi"),
                self.node("info", "Server listening", port=3000, env="production"),
            ]
        if stack == "qdrant":
            return [
                "           _                 _    ",
                "  __ _  __| |_ __ __ _ _ __ | |_  ",
                " / _` |/ _` | '__/ _` | '_ \\| __| ",
                "| (_| | (_| | | | (_| | | | | |_  ",
                " \\__, |\\__,_|_|  \\__,_|_| |_|\\__| ",
                "    |_|                           ",
                "",
                "Version: 1.12.4, build: 2f7f3c0a",
                "Access web UI at http://localhost:6333/dashboard",
                f"{self.now():%Y-%m-%dT%H:%M:%S.%fZ}  INFO storage::content_manager::consensus::persistent: "
                "Loading raft state from /database/raft_state.json",
                f"{self.now():%Y-%m-%dT%H:%M:%S.%fZ}  INFO qdrant::actix: Qdrant HTTP listening on 6333",
            ]
        return [f"starting {container}"]

    def node(self, level: str, msg: str, **extra: Any) -> str:
        record = {
            "level": level,
            "time": ms(self.now()),
            "pid": 1,
            "hostname": "ip-10-20-10-23",
            "msg": msg,
            **extra,
        }
        return json.dumps(record)

    def verb_code(self, path: str, health: dict[str, int] | None = None) -> tuple[str, int]:
        """A plausible (method, status) for ``path``: health checks answer what the app answers."""
        if path in ("/health", "/ready"):
            return "GET", (health or {}).get(path, 200)
        if any(word in path for word in ("login", "token", "refresh")):
            return "POST", self.rng.choice([200, 200, 200, 401])
        if any(word in path for word in ("upload", "ratings", "orders", "chat", "search")):
            return "POST", self.rng.choice([200, 201, 201, 422])
        if path.rstrip("/").split("/")[-1].isalnum() and any(c.isdigit() for c in path.split("/")[-1]):
            return "GET", self.rng.choice([200, 200, 200, 404])
        return "GET", self.rng.choice([200, 200, 200, 304])

    def request(self, stack: str, container: str, health: dict[str, int] | None = None) -> list[str]:
        r = self.rng.random()
        path = self.path(container)
        if stack == "fastapi":
            if r < 0.04:
                return [
                    f"{self.now():%Y-%m-%d %H:%M:%S},{self.now().microsecond // 1000:03d} - app.api - ERROR - "
                    f"Unhandled error on {path}",
                    *self.rng.choice(TRACES.get(container, PY_TRACES[:1])),
                ]
            if r < 0.12:
                return [
                    f"{self.now():%Y-%m-%d %H:%M:%S},{self.now().microsecond // 1000:03d} - app.api - WARNING - "
                    f"slow request {path} took {self.rng.randint(1200, 4800)}ms"
                ]
            verb, code = self.verb_code(path, health)
            reason = REASONS.get(code, "OK")
            return [
                f"INFO:     10.{self.rng.randint(0, 255)}.{self.rng.randint(0, 255)}.{self.rng.randint(2, 254)}:"
                f'{self.rng.randint(30000, 60000)} - "{verb} {path} HTTP/1.1" {code} {reason}'
            ]
        if stack == "flask":
            stamp = f"{self.now():%Y-%m-%d %H:%M:%S},{self.now().microsecond // 1000:03d}"
            if r < 0.04:
                return [
                    f"[{stamp}] ERROR in app: Exception on {path} [GET]",
                    *self.rng.choice(TRACES.get(container, PY_TRACES[:1])),
                ]
            if r < 0.1:
                return [f"[{stamp}] WARNING in tmdb: TMDb rate limited, sleeping 0.25s"]
            verb, code = self.verb_code(path, health)
            agent = "ELB-HealthChecker/2.0" if path == "/health" else "Mozilla/5.0"
            return [
                f"10.0.{self.rng.randint(1, 2)}.{self.rng.randint(2, 254)} - - [{self.now():%d/%b/%Y:%H:%M:%S} +0000] "
                f'"{verb} {path} HTTP/1.1" {code} {self.rng.randint(120, 48000)} "-" "{agent}"'
            ]
        if stack == "node":
            if r < 0.04:
                name, message = self.rng.choice(NODE_ERRORS)
                return [
                    self.node(
                        "error",
                        message,
                        err={
                            "type": name,
                            "message": message,
                            "stack": f"{name}: {message}\n    at /app/dist/db.js:41:13",
                        },
                    )
                ]
            if r < 0.12:
                return [self.node("warn", "slow request", path=path, durationMs=self.rng.randint(900, 4000))]
            verb, code = self.verb_code(path, health)
            return [
                self.node(
                    "info",
                    "request completed",
                    method=verb,
                    path=path,
                    statusCode=code,
                    responseTime=self.rng.randint(3, 240),
                )
            ]
        if stack == "qdrant":
            if r < 0.05:
                return [
                    f"{self.now():%Y-%m-%dT%H:%M:%S.%fZ}  WARN collection::collection_manager::optimizers: "
                    "Optimizer is busy, indexing postponed"
                ]
            return [
                f"{self.now():%Y-%m-%dT%H:%M:%S.%fZ}  INFO actix_web::middleware::logger: 127.0.0.1 "
                f'"POST /collections/general/points/search HTTP/1.1" 200 {self.rng.randint(300, 9000)} '
                f'"-" "python-httpx/0.27.0" 0.00{self.rng.randint(1, 9)}{self.rng.randint(100, 999)}'
            ]
        return [f"{container}: tick"]

    def crash(self, stack: str, message: str = "") -> list[str]:
        """The last lines of a process that exits by itself, naming what its own code lacked."""
        if stack == "node":
            message = message or "Cannot find module '/app/dist/config/env.js'"
            module = message.split("'")[1] if message.count("'") >= 2 else "/app/dist/config/env.js"
            return [
                self.node(
                    "fatal",
                    "Uncaught exception, exiting",
                    err={
                        "type": "Error",
                        "message": message,
                        "stack": f"Error: {message}\n"
                        "    at Module._resolveFilename (node:internal/modules/cjs/loader:1145:15)\n"
                        f"    at Object.<anonymous> (/app/dist/server.js:3:1) requiring {module}",
                    },
                ),
                "npm ERR! code ELIFECYCLE",
                "npm ERR! errno 1",
            ]
        if stack == "qdrant":
            return [
                f"{self.now():%Y-%m-%dT%H:%M:%S.%fZ} ERROR qdrant::startup: {message or 'Panic occurred'}"
            ]
        return [
            "Traceback (most recent call last):",
            '  File "/app/main.py", line 12, in <module>',
            "    from app.config import settings",
            message or "ModuleNotFoundError: No module named 'app.config'",
        ]

    def shutdown(self, stack: str) -> list[str]:
        if stack == "fastapi":
            return [
                "INFO:     Shutting down",
                "INFO:     Waiting for application shutdown.",
                "INFO:     Application shutdown complete.",
                "INFO:     Finished server process [1]",
            ]
        if stack == "flask":
            return [
                f"[{self.now():%Y-%m-%d %H:%M:%S} +0000] [1] [INFO] Handling signal: term",
                f"[{self.now():%Y-%m-%d %H:%M:%S} +0000] [7] [INFO] Worker exiting (pid: 7)",
                f"[{self.now():%Y-%m-%d %H:%M:%S} +0000] [1] [INFO] Shutting down: Master",
            ]
        if stack == "node":
            return [
                self.node("info", "SIGTERM received, closing server"),
                self.node("info", "MongoDB connection closed"),
            ]
        if stack == "qdrant":
            return [f"{self.now():%Y-%m-%dT%H:%M:%S.%fZ}  INFO qdrant: Stopping Qdrant"]
        return []
