"""The severity of a log line from the formats ECS services actually print, and JSON on demand.

No format is declared anywhere: a FastAPI task prints uvicorn's ``INFO:``,
Python logging's ``- ERROR -`` and bare traceback lines (the awslogs driver
makes each traceback line its own event); a Node task prints pino or winston
JSON with ``level`` as a word or a number.  Detection looks only at the start
of a line (and at a JSON line's level field), so a message that merely
mentions "error" somewhere in its text is not an error.
"""

from __future__ import annotations

import enum
import json
import re
from typing import Any


class Level(enum.IntEnum):
    """Ordered so that "errors only" is ``level >= Level.ERROR``."""

    UNKNOWN = 0
    DEBUG = 10
    INFO = 20
    WARN = 30
    ERROR = 40

    @property
    def label(self) -> str:
        return "" if self is Level.UNKNOWN else self.name


_WORDS: dict[str, Level] = {
    "trace": Level.DEBUG,
    "debug": Level.DEBUG,
    "dbg": Level.DEBUG,
    "verbose": Level.DEBUG,
    "info": Level.INFO,
    "information": Level.INFO,
    "notice": Level.INFO,
    "warn": Level.WARN,
    "warning": Level.WARN,
    "wrn": Level.WARN,
    "error": Level.ERROR,
    "err": Level.ERROR,
    "fatal": Level.ERROR,
    "critical": Level.ERROR,
    "crit": Level.ERROR,
    "alert": Level.ERROR,
    "emerg": Level.ERROR,
    "emergency": Level.ERROR,
    "panic": Level.ERROR,
    "severe": Level.ERROR,
}
_NAMES = "|".join(sorted(_WORDS, key=len, reverse=True))
_JSON_KEYS = ("level", "levelname", "severity", "lvl", "loglevel", "log.level", "@l", "status_level")
_SCAN = 240  # only the head of a line decides
_JSON_SCAN = 65_536  # longer JSON lines are judged by their head's "level": text

_PATTERNS: tuple[re.Pattern[str], ...] = (
    # uvicorn / Python basicConfig "INFO:     ..." / "ERROR:root:..."
    re.compile(rf"^\s*(?P<l>{_NAMES})\s*:", re.IGNORECASE),
    # Python logging default "... - name - ERROR - msg" and "| ERROR |" (loguru)
    re.compile(rf"[-|]\s+(?P<l>{_NAMES})\s+[-|]", re.IGNORECASE),
    # "[error]", "[ERROR]", "[2024-..] [1] [ERROR]" (gunicorn), "<error>"
    re.compile(rf"[\[<(](?P<l>{_NAMES})[\]>)]", re.IGNORECASE),
    # logfmt "level=error", "severity=WARN", '"level":"info"' inside a larger line
    re.compile(rf"\b(?:level|lvl|severity|levelname)\"?\s*[=:]\s*\"?(?P<l>{_NAMES})\b", re.IGNORECASE),
    # "2024-01-02 03:04:05,678 ERROR msg", "12:00:00 WARN msg" (log4j, Spring, Flask dev server)
    re.compile(rf"^\S+(?:\s+\S+)?\s+(?P<l>{'|'.join(n.upper() for n in _WORDS)})\b"),
    # "ERROR msg" at the very start, upper case only (a word like "Error" may start prose)
    re.compile(rf"^\s*(?P<l>{'|'.join(n.upper() for n in _WORDS)})\b"),
)
_TRACEBACK = re.compile(
    r"^(?:Traceback \(most recent call last\):"
    r"|\s+File \".*\", line \d+"  # a frame line of a Python traceback
    r"|\s+at (?:\S+ \(|\S+:\d+:\d+)"  # a Node/Java stack frame
    r"|(?:[A-Za-z_][\w.]*\.)?[A-Z]\w*(?:Error|Exception|Exit|Interrupt)(?::|$)"  # "ValueError: boom"
    r"|npm ERR!|panic: |Uncaught |Unhandled )"
)


def pino_level(value: float) -> Level:
    """pino/bunyan numbers: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal."""
    if value >= 50:
        return Level.ERROR
    if value >= 40:
        return Level.WARN
    if value >= 30:
        return Level.INFO
    return Level.DEBUG


def _level_of_value(value: Any) -> Level:
    if isinstance(value, bool):
        return Level.UNKNOWN
    if isinstance(value, int | float):
        return pino_level(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word.isdigit():
            return pino_level(int(word))
        return _WORDS.get(word, Level.UNKNOWN)
    if isinstance(value, dict):  # {"level": {"name": "error"}} / {"log": {"level": "warn"}}
        for key in ("name", "label", "level"):
            if key in value:
                return _level_of_value(value[key])
    return Level.UNKNOWN


def parse_json(message: str, *, max_len: int = 1_000_000) -> Any | None:
    """The JSON value a log line holds (whole line, or after a text prefix), else None."""
    text = message.strip()
    if not text or len(text) > max_len:
        return None
    start = 0 if text[0] in "{[" else text.find("{")
    if start < 0 or text[-1] not in "}]":
        return None
    try:
        value = json.loads(text[start:])
    except ValueError:
        return None
    return value if isinstance(value, dict | list) else None


def json_level(value: Any) -> Level:
    if not isinstance(value, dict):
        return Level.UNKNOWN
    for key in _JSON_KEYS:
        if key in value:
            level = _level_of_value(value[key])
            if level is not Level.UNKNOWN:
                return level
    log = value.get("log")
    if isinstance(log, dict) and "level" in log:
        return _level_of_value(log["level"])
    return Level.UNKNOWN


def detect_level(message: str) -> Level:
    """The severity of one log line, or ``Level.UNKNOWN`` when it names none."""
    head = message[:_SCAN]
    stripped = head.lstrip()
    if stripped.startswith("{"):
        level = json_level(parse_json(message, max_len=_JSON_SCAN))
        if level is not Level.UNKNOWN:
            return level
    if _TRACEBACK.match(head):
        return Level.ERROR
    for pattern in _PATTERNS:
        match = pattern.search(head)
        if match:
            return _WORDS.get(match.group("l").lower(), Level.UNKNOWN)
    return Level.UNKNOWN


def pretty_json(message: str, *, indent: int = 2) -> str | None:
    """The line's JSON indented for reading (any text before it kept on its own line), else None."""
    value = parse_json(message)
    if value is None:
        return None
    text = message.strip()
    prefix = "" if text[0] in "{[" else text[: text.find("{")].rstrip()
    body = json.dumps(value, indent=indent, ensure_ascii=False, sort_keys=False)
    return f"{prefix}\n{body}" if prefix else body


# --- multi-line errors ----------------------------------------------------------------------

CONTINUATION_MS = 2_000  # a traceback's lines are flushed together; a later line starts anew
_CHAINED = re.compile(
    r"^(?:During handling of the above exception|The above exception was the direct cause"
    r"|Caused by: |\s*\.\.\. \d+ more)"
)


def continues(message: str, previous: str, gap_ms: int) -> bool:
    """Does ``message`` continue the event before it in the same stream (a traceback's next line)?

    The awslogs driver makes each line of a traceback its own event, so "errors only"
    would keep ``Traceback…`` and ``ValueError: …`` and drop the frames' source lines
    between them.  A line continues the one before when it came at most
    :data:`CONTINUATION_MS` later and is indented, blank, part of a traceback, or
    follows a traceback line (``Syntax Error: …`` after ``PDFPageCountError: …``).
    """
    if abs(gap_ms) > CONTINUATION_MS:
        return False
    head = message[:_SCAN]
    if not head.strip() or head[:1] in (" ", "\t") or _CHAINED.match(head) or _TRACEBACK.match(head):
        return True
    return bool(_TRACEBACK.match(previous[:_SCAN]))


class ErrorBlocks:
    """The level of each event of a follow, a traceback's lines taking the level of its start.

    Events must be given in order per stream; what is remembered is one event per
    stream (at most ``max_streams`` streams, then it starts over).
    """

    def __init__(self, max_streams: int = 4_096) -> None:
        self._last: dict[tuple[str, str], tuple[Level, str, int]] = {}
        self.max_streams = max_streams

    def level(self, event: Any) -> Level:
        """``event`` has ``group``, ``stream``, ``timestamp``, ``message`` (a LogEvent)."""
        key = (event.group, event.stream)
        level = detect_level(event.message)
        before = self._last.get(key)
        if level is Level.UNKNOWN and before is not None:
            prev_level, prev_message, prev_ts = before
            if prev_level >= Level.ERROR and continues(
                event.message, prev_message, event.timestamp - prev_ts
            ):
                level = prev_level
        if len(self._last) >= self.max_streams and key not in self._last:
            self._last.clear()
        self._last[key] = (level, event.message[:_SCAN], event.timestamp)
        return level
