"""An endpoint without an API gets one line naming it and the alternative, never its HTML.

A plain ``moto_server`` (not the demo, which supplies message move tasks) answers
ListMessageMoveTasks with HTTP 500 and an HTML page.  It runs in a process of its own:
moto's state is process-wide, and one in this process would share it with the demo's.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError

from console.cli import main
from console.errors import describe_aws_error, is_missing_api

REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def plain_moto() -> Iterator[str]:
    port = _free_port()
    server = Path(sys.executable).with_name("moto_server")
    proc = subprocess.Popen(
        [str(server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        proc.terminate()
        proc.wait(10)


def test_redrive_against_plain_moto_names_the_missing_api(
    plain_moto: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    sqs = boto3.client("sqs", region_name=REGION, endpoint_url=plain_moto)
    dlq = sqs.create_queue(QueueName="plain-dlq")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": "3"})
    sqs.create_queue(QueueName="plain-src", Attributes={"RedrivePolicy": policy})
    sqs.send_message(QueueUrl=dlq, MessageBody="failed")

    with pytest.raises(ClientError) as raw:  # what the endpoint really answers
        sqs.list_message_move_tasks(SourceArn=arn)
    assert "<" in str(raw.value) and is_missing_api(raw.value, page_means_missing=True)
    assert "<" not in describe_aws_error(raw.value)

    common = ["--endpoint-url", plain_moto, "--region", REGION]
    for argv in (["redrive", "plain-dlq", "--yes"], ["redrive", "plain-dlq", "--history"]):
        rc = main([*argv, *common])
        captured = capsys.readouterr()
        assert rc == 1
        errors = [line for line in captured.err.splitlines() if line.strip()]
        assert errors == ["opsconsole: error: this endpoint has no SQS message move tasks: use --manual"]
        assert "<" not in captured.out + captured.err and "html" not in (captured.out + captured.err).lower()
    assert (
        sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
            "ApproximateNumberOfMessages"
        ]
        == "1"
    )  # nothing moved, nothing lost

    # the alternative named works on that endpoint
    assert main(["redrive", "plain-dlq", "--manual", "--yes", *common]) == 0
    capsys.readouterr()


def test_no_server_html_in_any_error_line() -> None:
    page = "<!doctype html>\n<html lang=en><title>502 Bad Gateway</title></html>"

    def error(status: int, code: str, message: str) -> ClientError:
        return ClientError(
            {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
            "ListQueues",
        )

    assert describe_aws_error(error(502, "502", page)) == (
        "ListQueues failed (502): the endpoint answered with a web page, not an AWS error"
    )
    assert describe_aws_error(error(500, "500", page)) == (  # a crash or a missing API: not said which
        "ListQueues failed (500): the endpoint answered with a web page, not an AWS error"
    )
    assert describe_aws_error(error(501, "501", page)) == "this endpoint does not offer ListQueues"
    assert describe_aws_error(error(400, "InvalidAction", "no such action")) == (
        "this endpoint does not offer ListQueues"
    )
    assert not is_missing_api(error(500, "InternalError", "We encountered an internal error"))
