"""Literal text, time specs, level detection, the bounded buffer, sources and terms (no AWS needed)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from console.errors import BadInput
from console.literal import MAX_DISPLAY, is_literal_safe, literal_text, rich_literal
from console.logs.buffer import LogBuffer
from console.logs.loglevel import Level, detect_level, pretty_json
from console.logs.sources import LogSource, parse_source, stream_label, stream_slot
from console.logs.timespec import format_ms, parse_duration_ms, parse_range_ms, parse_time_ms
from console.model import LogEvent

# --- literal text --------------------------------------------------------------------------

CONTROLS = "".join(chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)])


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_literal_text_never_holds_a_control_character(text: str) -> None:
    shown = literal_text(text)
    assert not any(ch in CONTROLS for ch in shown)
    assert not any(0xD800 <= ord(ch) <= 0xDFFF for ch in shown)
    shown.encode("utf-8")  # always encodable
    assert is_literal_safe(shown)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31mred\x1b[0m", "␛[31mred␛[0m"),
        ("\x1b]52;c;aGk=\x07", "␛]52;c;aGk=␇"),
        ("\x1b]8;;http://x\x1b\\l\x1b]8;;\x1b\\", "␛]8;;http://x␛\\l␛]8;;␛\\"),
        ("a\rb\x08c", "a␍b␈c"),
        ("one\ntwo\n", "one␊two"),
        ("crlf\r\n", "crlf"),
        ("\u009b2J", "\\x9b2J"),
        ("\u202eevil", "\\u202eevil"),
        ("a\tb", "a   b"),
        ("", ""),
        ("[bold]x[/]", "[bold]x[/]"),
        (b"ok \xff bad", "ok \ufffd bad"),
        ("lone \udcff", "lone \ufffd"),
    ],
)
def test_literal_text_cases(raw: str | bytes, shown: str) -> None:
    assert literal_text(raw) == shown


def test_long_lines_are_cut_with_a_marker_and_fast() -> None:
    line = "\x1b" * 1_000_000
    started = time.perf_counter()
    shown = literal_text(line)
    assert time.perf_counter() - started < 1.0
    assert shown.startswith("␛" * 100)
    assert shown.endswith(f"… [+{1_000_000 - MAX_DISPLAY:,} chars]")
    assert literal_text("x" * 50, max_len=None) == "x" * 50
    assert len(literal_text("\u0080" * 100, max_len=20).split("…")[0]) == 20  # pictures count too


def test_rich_literal_shows_markup_and_escapes_as_text() -> None:
    console = Console(record=True, width=200, color_system="truecolor", force_terminal=True)
    text = rich_literal("[bold red]x[/] [link=https://evil.example]y[/link] \x1b[2J :smile:")
    assert text.plain == "[bold red]x[/] [link=https://evil.example]y[/link] ␛[2J :smile:"
    assert not text.spans  # nothing was interpreted as style
    console.print(text)
    exported = console.export_text()
    assert "[bold red]x[/] [link=https://evil.example]y[/link] ␛[2J :smile:" in exported
    assert "\x1b]8" not in console.export_text(styles=True)


# --- time specs ----------------------------------------------------------------------------

NOW = 1_767_225_600_000  # 2026-01-01T00:00:00Z


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("15m", NOW - 900_000),
        ("1h", NOW - 3_600_000),
        ("2d", NOW - 2 * 86_400_000),
        ("30s", NOW - 30_000),
        ("1h30m", NOW - 5_400_000),
        ("-5m", NOW - 300_000),
        ("now", NOW),
        ("1767225600000", NOW),
        ("1767225600", NOW),
        ("2026-01-01T00:00:00Z", NOW),
        ("2026-01-01T05:30:00+05:30", NOW),
        ("2026-01-01T00:00:00.250Z", NOW + 250),
    ],
)
def test_time_specs(spec: str, expected: int) -> None:
    assert parse_time_ms(spec, now=NOW) == expected


@pytest.mark.parametrize("spec", ["", "soon", "15q", "2026-13-01", "1h-", "m"])
def test_bad_time_specs_are_one_line_bad_input(spec: str) -> None:
    with pytest.raises(BadInput) as err:
        parse_time_ms(spec, option="--until", now=NOW)
    assert "--until" in str(err.value) and "\n" not in str(err.value)


def test_ranges_and_durations() -> None:
    assert parse_range_ms("1h", "now", now=NOW) == (NOW - 3_600_000, NOW)
    assert parse_range_ms(None, None, now=NOW) == (None, None)
    with pytest.raises(BadInput, match="after"):
        parse_range_ms("5m", "1h", now=NOW)
    assert parse_duration_ms("90s") == 90_000
    assert format_ms(NOW + 7) == "2026-01-01T00:00:00.007Z"
    assert parse_time_ms(format_ms(NOW + 7), now=0) == NOW + 7


# --- levels and JSON -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ('INFO:     10.0.1.5:43210 - "GET /health HTTP/1.1" 200 OK', Level.INFO),
        ("ERROR:    Exception in ASGI application", Level.ERROR),
        ("WARNING:  Invalid HTTP request received.", Level.WARN),
        ("2026-01-01 10:00:00,123 - app.db - ERROR - connection refused", Level.ERROR),
        ("2026-01-01 10:00:00,123 - app.db - WARNING - retrying", Level.WARN),
        ("2026-01-01 10:00:00,123 - app.db - DEBUG - pool size 5", Level.DEBUG),
        ("[2026-01-01 10:00:00 +0000] [7] [ERROR] Worker (pid:9) was sent SIGKILL!", Level.ERROR),
        ("[error] upstream timed out", Level.ERROR),
        ('{"level":50,"time":1,"msg":"unhandled rejection"}', Level.ERROR),
        ('{"level":40,"msg":"slow"}', Level.WARN),
        ('{"level":30,"msg":"listening on 3000"}', Level.INFO),
        ('{"level":"error","message":"boom"}', Level.ERROR),
        ('{"severity":"WARNING","message":"x"}', Level.WARN),
        ("Traceback (most recent call last):", Level.ERROR),
        ('  File "/app/main.py", line 12, in handler', Level.ERROR),
        ("ValueError: invalid literal for int()", Level.ERROR),
        ("sqlalchemy.exc.OperationalError: could not connect", Level.ERROR),
        ("    at processTicksAndRejections (node:internal/process/task_queues:95:5)", Level.ERROR),
        ("npm ERR! code ELIFECYCLE", Level.ERROR),
        ("level=warn msg=retry", Level.WARN),
        ("2026-01-01T10:00:00.000Z  INFO qdrant::actix: Qdrant HTTP listening on 6333", Level.INFO),
        ("Application startup complete.", Level.UNKNOWN),
        ("the error budget is fine", Level.UNKNOWN),
        ("", Level.UNKNOWN),
    ],
)
def test_level_detection(line: str, level: Level) -> None:
    assert detect_level(line) is level


def test_errors_only_is_an_ordering() -> None:
    assert Level.ERROR > Level.WARN > Level.INFO > Level.DEBUG > Level.UNKNOWN
    assert Level.WARN.label == "WARN" and Level.UNKNOWN.label == ""


def test_pretty_json_on_demand() -> None:
    assert (
        pretty_json('{"a":1,"b":{"c":[1,2]}}')
        == '{\n  "a": 1,\n  "b": {\n    "c": [\n      1,\n      2\n    ]\n  }\n}'
    )
    assert pretty_json('request done {"ms": 12}') == 'request done\n{\n  "ms": 12\n}'
    assert pretty_json("not json") is None
    assert pretty_json("{broken") is None
    assert (
        detect_level('{"level":"error"' + " " * 70_000 + "}") is Level.ERROR
    )  # big JSON: judged by its head


# --- the bounded buffer --------------------------------------------------------------------


def test_log_buffer_keeps_the_newest_and_counts_what_it_dropped() -> None:
    buffer: LogBuffer[int] = LogBuffer(max_lines=1000)
    for i in range(25_000):
        buffer.append(i)
    assert len(buffer) == 1000 and buffer.dropped == 24_000 and buffer.appended == 25_000
    assert buffer[0] == 24_000 and buffer[-1] == 24_999
    assert buffer.extend(range(25_000, 25_010)) == 10
    assert buffer.window(0, 3) == [24_010, 24_011, 24_012]
    assert buffer.window(-2, 5) == [25_008, 25_009]
    assert buffer.window(998, 5) == [25_008, 25_009]


def test_log_buffer_pages_older_history_in_without_losing_the_newest() -> None:
    buffer: LogBuffer[str] = LogBuffer(max_lines=5)
    buffer.extend(["c", "d", "e"])
    assert buffer.prepend(["x", "a", "b"]) == 2  # only what fits: the oldest is not added
    assert list(buffer) == ["a", "b", "c", "d", "e"]
    assert buffer.prepend(["z"]) == 0
    buffer.resize(3)
    assert list(buffer) == ["c", "d", "e"] and buffer.dropped == 2
    buffer.clear()
    assert len(buffer) == 0 and buffer.dropped == 0
    with pytest.raises(BadInput):
        LogBuffer(0)


def test_log_buffer_memory_is_bounded_by_lines_kept() -> None:
    import tracemalloc

    buffer: LogBuffer[LogEvent] = LogBuffer(max_lines=10_000)
    tracemalloc.start()
    try:
        for i in range(10_000):
            buffer.append(LogEvent(str(i), "g", "s", i, f"line {i} " + "x" * 100))
        first, _ = tracemalloc.get_traced_memory()
        for i in range(10_000, 60_000):
            buffer.append(LogEvent(str(i), "g", "s", i, f"line {i} " + "x" * 100))
        second, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(buffer) == 10_000
    assert second < first * 1.2  # flat once the bound is reached


# --- sources, terms, labels ----------------------------------------------------------------


def test_parse_source_forms() -> None:
    assert parse_source("/ecs/docu-cr-backend", "us-east-1") == LogSource("/ecs/docu-cr-backend", "us-east-1")
    assert parse_source("ap-south-1:/aws/lambda/document-processor", "us-east-1") == LogSource(
        "/aws/lambda/document-processor", "ap-south-1"
    )
    assert parse_source("/ecs/wwhd-backend:qdrant/*", "us-east-1") == LogSource(
        "/ecs/wwhd-backend", "us-east-1", stream_prefix="qdrant/"
    )
    assert parse_source(
        "arn:aws:logs:us-east-2:123456789012:log-group:/ecs/frameratr-dev-backend:*", "x"
    ) == (LogSource("/ecs/frameratr-dev-backend", "us-east-2"))
    with pytest.raises(BadInput):
        parse_source("bad group name!", "us-east-1")
    with pytest.raises(BadInput):
        parse_source("arn:aws:ecs:us-east-1:1:cluster/x", "us-east-1")


def test_stream_labels_and_colours() -> None:
    assert stream_label("fastapi/fastapi/0123456789abcdef0123456789abcdef") == "fastapi/01234567"
    assert stream_label("2026/01/01/[$LATEST]0123456789abcdef0123") == "[$LATEST]0123456789a"
    assert stream_label("short") == "short"
    assert stream_slot("a/b/c", 8) == stream_slot("a/b/c", 8) and 0 <= stream_slot("x", 8) < 8


def test_buffer_bounded_in_bytes_as_well_as_lines() -> None:
    from console.logs.buffer import ITEM_OVERHEAD

    buffer: LogBuffer[str] = LogBuffer(1_000, max_bytes=10_000, size=len)
    buffer.extend(["x" * 3_000] * 5)
    assert len(buffer) == 3 and buffer.bytes == 9_000 and buffer.dropped == 2
    buffer.append("y" * 50_000)  # one item bigger than the bound is kept alone, never none
    assert list(buffer) == ["y" * 50_000] and buffer.full
    buffer.clear()
    buffer.extend(["a" * 4_000])
    assert buffer.prepend(["b" * 4_000, "c" * 4_000, "d" * 1_000]) == 2, "the newest of the older that fit"
    assert list(buffer) == ["c" * 4_000, "d" * 1_000, "a" * 4_000] and buffer.bytes == 9_000
    assert ITEM_OVERHEAD > 0


def test_profile_log_max_bytes(tmp_path: object) -> None:
    from pathlib import Path

    from console.config import DEFAULT_LOG_MAX_BYTES, parse_profile

    assert isinstance(tmp_path, Path)
    text = 'name = "p"\nlog_max_bytes = 8388608\n'
    profile = parse_profile(text, name="p", path=tmp_path / "p.toml")
    assert profile.log_max_bytes == 8 * 2**20 and "log_max_bytes = 8388608" in profile.to_toml()
    assert (
        parse_profile('name = "p"\n', name="p", path=tmp_path / "q.toml").log_max_bytes
        == DEFAULT_LOG_MAX_BYTES
    )
    with pytest.raises(BadInput, match="log_max_bytes"):
        parse_profile('name = "p"\nlog_max_bytes = 10\n', name="p", path=tmp_path / "r.toml")
