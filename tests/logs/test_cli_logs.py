"""``opsconsole logs``: hostile log lines stay inert on stdout; filters, JSON, --service, follow."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
from botocore.config import Config

from console.cli import main

from .conftest import REGION, LogWriter

pytestmark = pytest.mark.timeout(120)

HOSTILE = {
    "markup": "[bold red]x[/] and [link=https://evil.example]click[/link]",
    "csi": "before \x1b[31mred\x1b[0m \x1b[2J\x1b[H cleared",
    "cursor": "up\x1b[10A left\x1b[5D save\x1b7 restore\x1b8 \x1b[?25l hidden",
    "osc52": "\x1b]52;c;cm0gLXJmIH4=\x07 clipboard",
    "osc8": "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\ text",
    "bel": "ding\x07\x07 back\x08\x08space cr\roverwrite",
    "c1": "one-byte csi \u009b2J and osc \u009d0;title\u009c",
    "bidi": "abc \u202egnp.exe",
    "invalid_utf8": "decoded bytes \udcff\udcfe here",
    "tab": "a\tb",
}
BIG = "Z" * 1_000_000


def run_cli(capsysbinary: pytest.CaptureFixture[bytes], *argv: str) -> tuple[int, bytes, str]:
    code = main(list(argv))
    captured = capsysbinary.readouterr()
    return code, captured.out, captured.err.decode("utf-8", "replace")


@pytest.fixture
def hostile_group(writer: LogWriter, logs_endpoint: str) -> str:
    group = writer.group("hostile", ("ecs/web/0123456789abcdef0123456789abcdef",))
    stream = "ecs/web/0123456789abcdef0123456789abcdef"
    base = int(time.time() * 1000) - 60_000
    writer.put(group, stream, [*HOSTILE.values(), BIG, " "], ts=base)
    # An empty message (AWS's API refuses one; a server might still hold it): skip client validation.
    lax = boto3.client(
        "logs",
        region_name=REGION,
        endpoint_url=logs_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(parameter_validation=False),
    )
    lax.put_log_events(
        logGroupName=group, logStreamName=stream, logEvents=[{"timestamp": base + 100, "message": ""}]
    )
    return group


def common(endpoint: str) -> list[str]:
    return ["--endpoint-url", endpoint, "--region", REGION]


def test_no_escape_byte_reaches_stdout(
    hostile_group: str, logs_endpoint: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, out, err = run_cli(capsysbinary, "logs", hostile_group, *common(logs_endpoint))
    assert code == 0, err
    for byte in (b"\x1b", b"\x07", b"\x08", b"\r", b"\xc2\x9b", b"\xc2\x9d", b"\xe2\x80\xae"):
        assert byte not in out, byte
    text = out.decode("utf-8")  # valid UTF-8 even for the invalid input
    lines = text.splitlines()
    assert len(lines) == len(HOSTILE) + 3  # one line per event: nothing spilled onto extra lines
    assert "[bold red]x[/] and [link=https://evil.example]click[/link]" in text  # markup stays characters
    assert "before ␛[31mred␛[0m ␛[2J␛[H cleared" in text
    assert "␛]52;c;cm0gLXJmIH4=␇ clipboard" in text
    assert "ding␇␇ back␈␈space cr␍overwrite" in text
    assert "\\x9b2J" in text and "\\u202e" in text
    assert "decoded bytes \ufffd\ufffd here" in text
    big = next(line for line in lines if "ZZZZ" in line)
    assert len(big) < 20_000 and "[+" in big and "chars]" in big  # truncated for display, with a marker
    assert "web/01234567" in lines[0]  # the stream, shortened


def test_raw_passes_bytes_through(
    hostile_group: str, logs_endpoint: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, out, _ = run_cli(capsysbinary, "logs", hostile_group, "--raw", *common(logs_endpoint))
    assert code == 0
    assert b"\x1b]52;c;cm0gLXJmIH4=\x07" in out and b"\x1b[31m" in out
    assert BIG.encode() in out  # --raw is the whole message


def test_json_lines_round_trip_and_stay_escaped(
    hostile_group: str, logs_endpoint: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    code, out, _ = run_cli(capsysbinary, "logs", hostile_group, "--json", *common(logs_endpoint))
    assert code == 0
    assert b"\x1b" not in out and b"\x07" not in out and b"\xc2\x9b" not in out
    docs = [json.loads(line) for line in out.decode("ascii").splitlines()]
    messages = [d["message"] for d in docs]
    for value in HOSTILE.values():
        assert value in messages
    assert BIG in messages and "" in messages
    assert {d["group"] for d in docs} == {hostile_group} and all(d["region"] == REGION for d in docs)
    assert all(isinstance(d["timestamp"], int) and d["time"].endswith("Z") for d in docs)


def test_filters_and_time_range(
    writer: LogWriter, logs_endpoint: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    group = writer.group("cli-filters", ("api/web/1", "api/worker/1"))
    base = int(time.time() * 1000) - 3_600_000
    writer.put(
        group,
        "api/web/1",
        ["INFO: GET /health 200", "ERROR: db down", "INFO: GET /items 200"],
        ts=base,
        step=60_000,
    )
    writer.put(
        group,
        "api/worker/1",
        ["Traceback (most recent call last):", "job 7 done"],
        ts=base + 30_000,
        step=60_000,
    )
    args = [*common(logs_endpoint), "--since", "2h"]

    def messages(*extra: str) -> list[str]:
        code, out, err = run_cli(capsysbinary, "logs", group, *args, *extra, "--json")
        assert code == 0, err
        return [json.loads(line)["message"] for line in out.decode().splitlines()]

    assert messages() == [
        "INFO: GET /health 200",
        "Traceback (most recent call last):",
        "ERROR: db down",
        "job 7 done",
        "INFO: GET /items 200",
    ]
    assert messages("--include", r"/GET \/\w+ 200/", "--exclude", "health") == ["INFO: GET /items 200"]
    assert messages("--include", "error", "-i") == ["ERROR: db down"]
    assert messages("--include", "Traceback", "--include", "items") == [  # alternatives
        "Traceback (most recent call last):",
        "INFO: GET /items 200",
    ]
    assert messages("--errors") == ["Traceback (most recent call last):", "ERROR: db down"]
    assert messages("--filter", "ERROR") == ["ERROR: db down"]  # passed to the server
    assert messages("--until", str(base + 60_000)) == [  # epoch ms, inclusive
        "INFO: GET /health 200",
        "Traceback (most recent call last):",
        "ERROR: db down",
    ]
    assert messages("--since", str(base + 90_000), "--until", str(base + 150_000)) == [
        "job 7 done",
        "INFO: GET /items 200",
    ]
    # a stream prefix after the group name (moto ignores the prefix: enforced client-side)
    _code, out, _ = run_cli(capsysbinary, "logs", f"{group}:api/worker/*", *args, "--json")
    assert [json.loads(x)["stream"] for x in out.decode().splitlines()] == ["api/worker/1", "api/worker/1"]


def test_errors_are_one_line(
    writer: LogWriter, logs_endpoint: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    group = writer.group("cli-errors")
    code, out, err = run_cli(capsysbinary, "logs", group[:-1], *common(logs_endpoint))
    assert code == 2 and out == b""
    assert err.count("\n") == 1 and "not found in us-east-1" in err and group in err  # names the close match
    code, _, err = run_cli(capsysbinary, "logs", group, "--since", "yesterday-ish", *common(logs_endpoint))
    assert code == 2 and "--since" in err and err.count("\n") == 1
    code, _, err = run_cli(capsysbinary, "logs", group, "--include", "/([/", *common(logs_endpoint))
    assert code == 2 and "regular expression" in err
    code, _, err = run_cli(capsysbinary, "logs", *common(logs_endpoint))
    assert code == 2 and "GROUP" in err


def test_service_resolves_its_containers_streams(
    writer: LogWriter, logs_endpoint: str, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    group = writer.group("svc", ())
    suffix = group.rsplit("-", 1)[-1]
    ecs = boto3.client(
        "ecs",
        region_name=REGION,
        endpoint_url=logs_endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    cluster, service = f"logs-cluster-{suffix}", f"logs-svc-{suffix}"
    ecs.create_cluster(clusterName=cluster)
    # desiredCount 0: the demo's scheduler would start a task and write its startup lines here

    def awslogs(prefix: str) -> dict[str, object]:
        return {
            "logDriver": "awslogs",
            "options": {"awslogs-group": group, "awslogs-region": REGION, "awslogs-stream-prefix": prefix},
        }

    ecs.register_task_definition(
        family=f"logs-fam-{suffix}",
        containerDefinitions=[
            {"name": "fastapi", "image": "app:1", "memory": 512, "logConfiguration": awslogs("fastapi")},
            {"name": "qdrant", "image": "qdrant:1", "memory": 512, "logConfiguration": awslogs("qdrant")},
        ],
    )
    ecs.create_service(
        cluster=cluster, serviceName=service, taskDefinition=f"logs-fam-{suffix}", desiredCount=0
    )
    task = "0123456789abcdef0123456789abcdef"
    base = int(time.time() * 1000) - 30_000
    for container in ("fastapi", "qdrant"):
        writer.stream(group, f"{container}/{container}/{task}")
        writer.put(group, f"{container}/{container}/{task}", [f"{container} line"], ts=base)
    writer.stream(group, "other/thing/1")
    writer.put(group, "other/thing/1", ["not this service's"], ts=base)
    code, out, err = run_cli(
        capsysbinary, "logs", "--service", f"{cluster}/{service}", "--json", *common(logs_endpoint)
    )
    assert code == 0, err
    assert sorted(json.loads(x)["message"] for x in out.decode().splitlines()) == [
        "fastapi line",
        "qdrant line",
    ]
    code, out, err = run_cli(
        capsysbinary,
        "logs",
        "--service",
        f"{cluster}/{service}",
        "--container",
        "qdrant",
        "--json",
        *common(logs_endpoint),
    )
    assert code == 0, err
    assert [json.loads(x)["stream"] for x in out.decode().splitlines()] == [f"qdrant/qdrant/{task}"]
    # a container that does not exist: the containers that do, and the close match
    code, out, err = run_cli(
        capsysbinary,
        "logs",
        "--service",
        f"{cluster}/{service}",
        "--container",
        "qdrnt",
        *common(logs_endpoint),
    )
    assert code == 2 and out == b"" and err.count("\n") == 1, err
    assert "has no container 'qdrnt': its containers are fastapi, qdrant; did you mean qdrant?" in err
    # the service's group named too, and twice: each source once, each line once
    code, out, err = run_cli(
        capsysbinary,
        "logs",
        group,
        f"{REGION}:{group}",
        "--json",
        *common(logs_endpoint),
    )
    assert code == 0, err
    assert sorted(json.loads(x)["message"] for x in out.decode().splitlines()) == [
        "fastapi line",
        "not this service's",
        "qdrant line",
    ]


def test_follow_in_a_subprocess_prints_new_lines_and_stops_on_ctrl_c(
    writer: LogWriter, logs_endpoint: str
) -> None:
    group = writer.group("cli-follow", ("ecs/app/1",))
    writer.put(group, "ecs/app/1", ["old \x1b[31mline"], ts=int(time.time() * 1000) - 5_000)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["OPSCONSOLE_CONFIG_DIR"] = str(Path(os.environ.get("TMPDIR", "/tmp")) / "opsconsole-logs-test-none")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "console.cli",
            "logs",
            group,
            "--follow",
            "--interval",
            "0.1",
            *common(logs_endpoint),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert b"old \xe2\x90\x9b[31mline" in first  # ␛, not ESC
        for n in range(3):
            writer.put(group, "ecs/app/1", [f"new {n} \x07"])
        got = [proc.stdout.readline() for _ in range(3)]
        assert [line.split(b" ", 2)[2] for line in got] == [f"new {n} \u2407\n".encode() for n in range(3)]
        assert not any(b"\x1b" in line or b"\x07" in line for line in got)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert proc.returncode in (0, 130)
    assert b"Traceback" not in (proc.stderr.read() if proc.stderr else b"")
