"""Console URLs and identities of each kind of resource (console/links.py)."""

from __future__ import annotations

from console.links import ConsoleLink, console_link, identity, log_group
from console.model import Alarm, Cluster, Queue, Service, Task

ACCOUNT = "177215708218"
SERVICE = Service(
    arn=f"arn:aws:ecs:us-east-2:{ACCOUNT}:service/frameratr-dev-cluster/frameratr-dev-backend-service",
    name="frameratr-dev-backend-service",
    cluster_arn=f"arn:aws:ecs:us-east-2:{ACCOUNT}:cluster/frameratr-dev-cluster",
    region="us-east-2",
    status="ACTIVE",
    desired=1,
    running=1,
    pending=0,
    task_definition=f"arn:aws:ecs:us-east-2:{ACCOUNT}:task-definition/frameratr-dev-backend:3",
)


def test_a_service_url_names_its_region_and_the_link_its_account() -> None:
    link = console_link(SERVICE)
    assert link == ConsoleLink(
        "service frameratr-dev-cluster/frameratr-dev-backend-service",
        "https://us-east-2.console.aws.amazon.com/ecs/v2/clusters/frameratr-dev-cluster/services/"
        "frameratr-dev-backend-service/health?region=us-east-2",
        "us-east-2",
        ACCOUNT,
    )
    assert link.line() == f"{link.what} (account {ACCOUNT}, us-east-2): {link.url}"
    assert link.line("http://127.0.0.1:4566").endswith(
        "(the resource is at http://127.0.0.1:4566, not in AWS's console)"
    )


def test_a_task_url() -> None:
    task = Task(
        arn=f"arn:aws:ecs:us-east-1:{ACCOUNT}:task/wwhd-cluster/0f3c9a2b7d5e4c1a8b6f9e0d1c2b3a4f",
        cluster_arn=f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/wwhd-cluster",
        region="us-east-1",
        task_definition=f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/wwhd-backend:4",
        last_status="RUNNING",
        desired_status="RUNNING",
    )
    link = console_link(task)
    assert link is not None and link.account == ACCOUNT
    assert link.url == (
        "https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/wwhd-cluster/tasks/"
        "0f3c9a2b7d5e4c1a8b6f9e0d1c2b3a4f/configuration?region=us-east-1"
    )


def test_a_queue_url_carries_the_queue_url_encoded() -> None:
    queue = Queue(
        url=f"https://sqs.ap-south-1.amazonaws.com/{ACCOUNT}/document-verification-dlq",
        name="document-verification-dlq",
        region="ap-south-1",
        arn=f"arn:aws:sqs:ap-south-1:{ACCOUNT}:document-verification-dlq",
    )
    link = console_link(queue)
    assert link is not None and link.account == ACCOUNT
    assert link.url == (
        "https://ap-south-1.console.aws.amazon.com/sqs/v3/home?region=ap-south-1#/queues/"
        f"https%3A%2F%2Fsqs.ap-south-1.amazonaws.com%2F{ACCOUNT}%2Fdocument-verification-dlq"
    )
    assert identity(queue) == ("ARN", queue.arn)


def test_a_log_group_url_uses_cloudwatchs_double_encoding() -> None:
    link = console_link(log_group("/ecs/docu-cr-backend", "us-east-1", ACCOUNT))
    assert link is not None
    assert link.url == (
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        "#logsV2:log-groups/log-group/$252Fecs$252Fdocu-cr-backend"
    )


def test_cluster_and_alarm_urls_and_identities() -> None:
    cluster = Cluster(
        arn=f"arn:aws:ecs:us-east-2:{ACCOUNT}:cluster/frameratr-dev-cluster",
        name="frameratr-dev-cluster",
        region="us-east-2",
    )
    link = console_link(cluster)
    assert link is not None
    assert link.url.endswith("/ecs/v2/clusters/frameratr-dev-cluster/services?region=us-east-2")
    alarm = Alarm(name="docu-cr-backend-memory-high", region="us-east-1")
    link = console_link(alarm)
    assert link is not None and link.account == ""
    assert link.url.endswith("#alarmsV2:alarm/docu-cr-backend-memory-high")
    assert identity(alarm) == ("name", "docu-cr-backend-memory-high")
    assert identity("ecs-svc/123") == ("id", "ecs-svc/123")
    assert identity(None) is None and console_link("a row key") is None
