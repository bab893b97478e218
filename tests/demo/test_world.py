"""The five seed systems, as boto3 (and so any AWS client) sees them."""

from __future__ import annotations

import json

from tests.demo.helpers import client, poll

EXPECTED = {
    "us-east-1": {"docu-cr-backend-cluster", "wwhd-cluster"},
    "ap-south-1": {"document-verification-cluster", "asharvi-backend-cluster"},
    "us-east-2": {"frameratr-dev-cluster"},
}
SERVICES = {
    ("us-east-1", "docu-cr-backend-cluster"): {"docu-cr-backend-service"},
    ("us-east-1", "wwhd-cluster"): {"wwhd-backend"},
    ("ap-south-1", "document-verification-cluster"): {"document-verification-service"},
    ("ap-south-1", "asharvi-backend-cluster"): {"asharvi-backend-staging", "asharvi-backend-prod"},
    ("us-east-2", "frameratr-dev-cluster"): {"frameratr-dev-backend-service"},
}


def test_clusters_and_services_in_their_regions(world):
    for region, clusters in EXPECTED.items():
        ecs = client(world, "ecs", region)
        names = {arn.rsplit("/", 1)[-1] for arn in ecs.list_clusters()["clusterArns"]}
        assert names == clusters
        described = ecs.describe_clusters(clusters=sorted(clusters))["clusters"]
        for cluster in described:
            services = SERVICES[(region, cluster["clusterName"])]
            assert cluster["activeServicesCount"] == len(services)
            arns = ecs.list_services(cluster=cluster["clusterName"])["serviceArns"]
            assert {a.rsplit("/", 1)[-1] for a in arns} == services
            got = ecs.describe_services(cluster=cluster["clusterName"], services=arns)["services"]
            for svc in got:
                assert svc["runningCount"] == svc["desiredCount"] > 0
                assert svc["pendingCount"] == 0
                assert [d["rolloutState"] for d in svc["deployments"]] == ["COMPLETED"]
                assert (
                    svc["events"][0]["message"]
                    == f"(service {svc['serviceName']}) has reached a steady state."
                )
            running = sum(s["runningCount"] for s in got)
            assert cluster["runningTasksCount"] == running
            assert cluster["pendingTasksCount"] == 0


def test_task_definitions_have_revisions_logs_roles_and_tags(world):
    ecs = client(world, "ecs", "ap-south-1")
    arns = ecs.list_task_definitions(familyPrefix="asharvi-backend-prod")["taskDefinitionArns"]
    assert [a.rsplit(":", 1)[-1] for a in arns] == ["1", "2", "3", "4", "5"]
    svc = ecs.describe_services(cluster="asharvi-backend-cluster", services=["asharvi-backend-prod"])[
        "services"
    ][0]
    assert svc["taskDefinition"].endswith("asharvi-backend-prod:4")  # 5 is the broken one, not deployed
    assert svc["desiredCount"] >= 2
    cfg = svc["deploymentConfiguration"]
    assert cfg["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
    assert (cfg["minimumHealthyPercent"], cfg["maximumPercent"]) == (100, 200)
    broken = ecs.describe_task_definition(taskDefinition="asharvi-backend-prod:5", include=["TAGS"])
    # Nothing marks it broken: its image (pushed to ECR) lacks a module, and only running it shows that.
    assert broken["taskDefinition"]["containerDefinitions"][0]["image"].endswith(
        "asharvi-backend-prod:v1.8.0"
    )
    assert not [t for t in broken["tags"] if "broken" in t["key"] or "broken" in t["value"]]
    td = ecs.describe_task_definition(taskDefinition="asharvi-backend-prod:4")["taskDefinition"]
    c = td["containerDefinitions"][0]
    assert c["logConfiguration"]["options"]["awslogs-group"] == "/aws/ecs/asharvi-backend-prod"
    assert {s["name"] for s in c["secrets"]} >= {"MONGO_URI", "JWT_SECRET", "SMTP_USER", "SMTP_PASS"}
    assert all(s["valueFrom"].startswith("arn:aws:secretsmanager:ap-south-1:") for s in c["secrets"])
    assert "/ready" in " ".join(c["healthCheck"]["command"])
    assert td["requiresCompatibilities"] == ["FARGATE"] and td["networkMode"] == "awsvpc"
    assert td["executionRoleArn"].endswith("AsharviBackendEcsExecutionRole")

    dv = client(world, "ecs", "ap-south-1").describe_task_definition(
        taskDefinition="document-verification-task"
    )
    env = {e["name"]: e["value"] for e in dv["taskDefinition"]["containerDefinitions"][0]["environment"]}
    assert {
        "DATABASE_URL",
        "SQS_QUEUE_URL",
        "USE_SQS",
        "OPENAI_API_KEY",
        "HMRC_CLIENT_SECRET",
        "SECRET_KEY",
        "CORS_ORIGINS",
        "COMPANIES_HOUSE_API_KEY",
        "S3_BUCKET_NAME",
        "AWS_REGION",
    } <= set(env)
    assert (dv["taskDefinition"]["cpu"], dv["taskDefinition"]["memory"]) == ("1024", "2048")


def test_wwhd_runs_fastapi_and_qdrant_with_efs_and_prefixed_streams(world):
    ecs = client(world, "ecs", "us-east-1")
    td = ecs.describe_task_definition(taskDefinition="wwhd-backend")["taskDefinition"]
    assert [c["name"] for c in td["containerDefinitions"]] == ["fastapi", "qdrant"]
    assert {v["efsVolumeConfiguration"]["fileSystemId"] for v in td["volumes"]} == {
        "fs-0421d6926b3c7056d",
        "fs-00b8168893587fd61",
    }
    tasks = ecs.list_tasks(cluster="wwhd-cluster", serviceName="wwhd-backend")["taskArns"]
    assert len(tasks) == 1
    task = ecs.describe_tasks(cluster="wwhd-cluster", tasks=tasks)["tasks"][0]
    assert [c["name"] for c in task["containers"]] == ["fastapi", "qdrant"]
    assert task["healthStatus"] == "HEALTHY" and task["lastStatus"] == "RUNNING"
    assert task["startedAt"] > task["createdAt"]
    task_id = tasks[0].rsplit("/", 1)[-1]
    logs = client(world, "logs", "us-east-1")
    streams = {
        s["logStreamName"] for s in logs.describe_log_streams(logGroupName="/ecs/wwhd-backend")["logStreams"]
    }
    assert {f"fastapi/fastapi/{task_id}", f"qdrant/qdrant/{task_id}"} <= streams
    lines = logs.get_log_events(logGroupName="/ecs/wwhd-backend", logStreamName=f"fastapi/fastapi/{task_id}")
    assert any("Uvicorn running" in e["message"] for e in lines["events"])


def test_dlq_holds_failed_documents_and_the_lambda_has_logs(world):
    sqs = client(world, "sqs", "ap-south-1")
    main = sqs.get_queue_url(QueueName="document-verification-queue")["QueueUrl"]
    attrs = sqs.get_queue_attributes(QueueUrl=main, AttributeNames=["All"])["Attributes"]
    assert attrs["VisibilityTimeout"] == "900" and attrs["MessageRetentionPeriod"] == "1209600"
    assert json.loads(attrs["RedrivePolicy"])["maxReceiveCount"] in (3, "3")
    dlq = sqs.get_queue_url(QueueName="document-verification-dlq")["QueueUrl"]
    count = int(
        sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"][
            "ApproximateNumberOfMessages"
        ]
    )
    assert count == 25
    got = sqs.receive_message(
        QueueUrl=dlq, MaxNumberOfMessages=1, MessageAttributeNames=["All"], VisibilityTimeout=0
    )["Messages"][0]
    body = json.loads(got["Body"])
    assert {"document_id", "error"} <= set(body)
    assert got["MessageAttributes"]["source"]["StringValue"] == "document-processor"
    logs = client(world, "logs", "ap-south-1")
    streams = logs.describe_log_streams(logGroupName="/aws/lambda/document-processor")["logStreams"]
    assert streams


def test_secrets_and_target_groups_exist(world):
    sm = client(world, "secretsmanager", "us-east-1")
    names = {s["Name"] for s in sm.list_secrets()["SecretList"]}
    assert {"docu-cr-backend/rds", "docu-cr-backend/database-url", "docu-cr-backend/app"} <= names
    elb = client(world, "elbv2", "ap-south-1")
    tg = elb.describe_target_groups(Names=["asharvi-backend-tg-prod"])["TargetGroups"][0]
    assert tg["HealthCheckPath"] == "/ready"
    health = elb.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])["TargetHealthDescriptions"]
    assert len(health) == 3  # one target per running task
    ecs = client(world, "ecs", "ap-south-1")
    svc = ecs.describe_services(cluster="asharvi-backend-cluster", services=["asharvi-backend-prod"])[
        "services"
    ][0]
    assert svc["loadBalancers"][0]["targetGroupArn"] == tg["TargetGroupArn"]


def test_reset_is_fast_and_restores_the_world(world):
    ecs = client(world, "ecs", "us-east-2")
    ecs.update_service(
        cluster="frameratr-dev-cluster", service="frameratr-dev-backend-service", desiredCount=3
    )
    world.reset()
    svc = ecs.describe_services(cluster="frameratr-dev-cluster", services=["frameratr-dev-backend-service"])
    assert svc["services"][0]["desiredCount"] == 1
    assert world.counts() == {"ecs.DescribeServices": 1}
    assert world.last_reset_s < 3  # typically ~0.4 s; generous for slow CI


def test_world_label(demo):
    assert demo.world.label == "demo world (moto + opsconsole scheduler)"
    assert demo.regions == ("us-east-1", "ap-south-1", "us-east-2")
    poll(lambda: demo.wait_steady(0.1), bool, timeout=5)
