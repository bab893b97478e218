"""The five seed systems, as their teams describe them (/work/shared/seeds), in their own regions."""

from __future__ import annotations

import json
from typing import Any

from console.demo import lambdas, moto_access
from console.demo.builder import Builder
from console.demo.facts import (
    ASHARVI_MISSING_MODULE,
    DOCU_CR_LEAK,
    ServiceFacts,
    awslogs,
    curl_check,
    env,
    hours_ago,
    image_uri,
    role,
    secret_refs,
    tags,
)
from console.demo.organisation import acting


class Systems(Builder):
    """docu-cr, document-verification, asharvi (staging and prod), frameratr, wwhd."""

    def frameratr_scaling(self, target: float = 60.0) -> None:
        """frameratr's auto scaling (made by World, beside the alarms it brings)."""
        raise NotImplementedError

    def docu_cr(self) -> None:
        region, cluster, name, family = (
            "us-east-1",
            "docu-cr-backend-cluster",
            "docu-cr-backend-service",
            "docu-cr-backend",
        )
        net = self.network(region, "docu-cr-backend-vpc", "10.10.0.0/16", 8000)
        tg = self.target_group(region, net, "docu-cr-backend-alb", "docu-cr-backend-tg", 8000, "/health")
        rds = self.secret(
            region,
            "docu-cr-backend/rds",
            {
                "username": "docucr_admin",
                "password": "Q7v!rT2p#Lx9mWz4",
                "engine": "postgres",
                "host": "docu-cr-backend-db.c9x2kq1ab3cd.us-east-1.rds.amazonaws.com",
                "port": "5432",
                "dbname": "docucr",
            },
            "RDS master credentials",
        )
        url = self.secret(
            region,
            "docu-cr-backend/database-url",
            "postgresql://docucr_admin:Q7v!rT2p#Lx9mWz4@docu-cr-backend-db.c9x2kq1ab3cd.us-east-1"
            ".rds.amazonaws.com:5432/docucr",
            "SQLAlchemy URL",
        )
        app = self.secret(
            region,
            "docu-cr-backend/app",
            {
                "JWT_SECRET_KEY": "6f1c9e0b4a7d2f8e3c5b1a9d7e2f4c6a",
                "ADMIN_EMAIL": "admin@docucr.com",
                "ADMIN_PASSWORD": "DocuCR-Admin-2025!",
            },
            "JWT secret and admin bootstrap",
        )
        self.log_group(region, "/ecs/docu-cr-backend")
        self.system_cluster(cluster)
        shas = ["3f9a1c2", "7b2e4d1", "a81c09f", "e4d5b67"]
        arns = []
        for i, sha in enumerate(shas, start=1):
            container = {
                "name": "docu-cr-backend",
                "image": self.image(
                    region,
                    "docu-cr-backend",
                    sha,
                    hours_ago(20.2 + (4 - i) * 50),
                    DOCU_CR_LEAK if i == 4 else None,
                ),
                "essential": True,
                "cpu": 256,
                "memory": 512,
                "portMappings": [
                    {"containerPort": 8000, "hostPort": 8000, "protocol": "tcp", "name": "http"}
                ],
                "environment": env(
                    APP_ENV="production",
                    DB_SCHEMA="docucr",
                    LOG_LEVEL="INFO" if i != 2 else "DEBUG",
                    WORKERS="2" if i < 3 else "4",
                    AWS_REGION=region,
                    **({"S3_BUCKET": "docu-cr-documents-prod"} if i >= 3 else {}),
                ),
                "secrets": [
                    {"name": "DATABASE_URL", "valueFrom": url},
                    *secret_refs(app, "JWT_SECRET_KEY", "ADMIN_PASSWORD"),
                    {"name": "DB_PASSWORD", "valueFrom": f"{rds}:password::"},
                ],
                "healthCheck": curl_check(8000, "/health"),
                "logConfiguration": awslogs("/ecs/docu-cr-backend", region, "ecs"),
            }
            arns.append(
                self.register(
                    region,
                    family,
                    [container],
                    cpu="256",
                    memory="512",
                    execution_role=role("docu-cr-backend-ecs-execution-role"),
                    task_role=role("docu-cr-backend-ecs-task-role"),
                    td_tags=tags(
                        Project="docu-cr", Environment="production", GitSha=sha, ManagedBy="terraform"
                    ),
                    at=hours_ago(20.2 + (4 - i) * 50),
                )
            )
        self.service(
            region,
            cluster,
            name,
            arns[-1],
            2,
            net,
            container="docu-cr-backend",
            port=8000,
            target_group=tg,
            config={"maximumPercent": 200, "minimumHealthyPercent": 100},
            age_hours=20,
            svc_tags={"Project": "docu-cr"},
        )
        self.info.services[name] = ServiceFacts(
            region,
            cluster,
            name,
            family,
            2,
            "/ecs/docu-cr-backend",
            ("docu-cr-backend",),
            len(shas),
            len(shas),
            target_group="docu-cr-backend-tg",
        )

    def document_verification(self) -> None:
        region, cluster = "ap-south-1", "document-verification-cluster"
        name, family = "document-verification-service", "document-verification-task"
        net = self.network(region, "pi-infra-dev-vpc-ap-south-1", "10.30.0.0/16", 8000)
        tg = self.target_group(
            region, net, "document-verification-alb", "document-verification-tg", 8000, "/health"
        )
        sqs = self.clients("sqs", region)
        dlq_url = sqs.create_queue(
            QueueName="document-verification-dlq", Attributes={"MessageRetentionPeriod": "1209600"}
        )["QueueUrl"]
        dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        queue_url = sqs.create_queue(
            QueueName="document-verification-queue",
            Attributes={
                "VisibilityTimeout": "900",
                "MessageRetentionPeriod": "1209600",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "3"}),
            },
        )["QueueUrl"]
        self.info.queues["document-verification-queue"] = queue_url
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        lambdas.seed(self.clients, region, queue_arn)  # the Lambda that consumes it, by its mapping
        lambdas.detach(moto_access.sqs(region).queues["document-verification-queue"])
        self.info.queues["document-verification-dlq"] = dlq_url
        self.log_group(region, "/ecs/document-verification")
        self.log_group(region, "/aws/lambda/document-processor", 14)
        self.system_cluster(cluster)
        revisions = [
            ("latest", {}),
            ("latest", {"USE_SQS": "true"}),
            (
                "20251203-1",
                {"USE_SQS": "true", "CORS_ORIGINS": "https://verify.pi-infra.dev,http://localhost:3000"},
            ),
            ("20251203-2", {"USE_SQS": "true", "OPENAI_MODEL": "gpt-4o-mini"}),
            ("20251204-1", {"USE_SQS": "true", "OPENAI_MODEL": "gpt-4o-mini", "MAX_UPLOAD_MB": "25"}),
        ]
        arns = []
        for i, (tag, extra) in enumerate(revisions, start=1):
            values = {
                "DATABASE_URL": "postgresql://docverify:Dv-2025-pgS3cret@document-verification-db.cz8k1x0ab9ef"
                ".ap-south-1.rds.amazonaws.com:5432/document_verification",
                "SQS_QUEUE_URL": f"https://sqs.{region}.amazonaws.com/{acting()}/document-verification-queue",
                "USE_SQS": "false",
                "AWS_REGION": region,
                "OPENAI_API_KEY": "sk-proj-demo7Hq2Xv9LmN4pR8sT1uW6yZ3aB5cD0eF",
                "HMRC_CLIENT_ID": "hmrc-client-7c1e4f",
                "HMRC_CLIENT_SECRET": "hmrc-secret-9b2d6a1e5f8c3b7d",
                "SECRET_KEY": "dv-7f3a9c1e5b2d8f4a6c0e9b1d3f5a7c9e",
                "CORS_ORIGINS": "https://verify.pi-infra.dev",
                "COMPANIES_HOUSE_API_KEY": "ch-live-3e8f1a6c9d2b5e7f",
                "S3_BUCKET_NAME": "document-verification-uploads-ap-south-1",
                "QT_QPA_PLATFORM": "offscreen",
                "OPENCV_IO_ENABLE_OPENEXR": "0",
                **extra,
            }
            container = {
                "name": "document-verification-backend",
                "image": self.image(
                    region, "document-verification-backend", tag, hours_ago(30.2 + (5 - i) * 26)
                ),
                "essential": True,
                "cpu": 1024,
                "memory": 2048,
                "portMappings": [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}],
                "environment": env(**values),
                "healthCheck": curl_check(8000, "/health"),
                "logConfiguration": awslogs("/ecs/document-verification", region, "ecs"),
            }
            arns.append(
                self.register(
                    region,
                    family,
                    [container],
                    cpu="1024",
                    memory="2048",
                    execution_role=role("document-verification-ecs-execution-role"),
                    task_role=role("document-verification-ecs-task-role"),
                    td_tags=tags(Project="document-verification", Environment="dev", Revision=str(i)),
                    at=hours_ago(30.2 + (5 - i) * 26),
                )
            )
        self.service(
            region,
            cluster,
            name,
            arns[-1],
            1,
            net,
            container="document-verification-backend",
            port=8000,
            target_group=tg,
            config={"maximumPercent": 200, "minimumHealthyPercent": 100},
            age_hours=30,
            svc_tags={"Project": "document-verification"},
        )
        self.info.services[name] = ServiceFacts(
            region,
            cluster,
            name,
            family,
            1,
            "/ecs/document-verification",
            ("document-verification-backend",),
            len(revisions),
            len(revisions),
            target_group="document-verification-tg",
        )

    def asharvi(self) -> None:
        region, cluster = "ap-south-1", "asharvi-backend-cluster"
        net = self.network(region, "asharvi-backend-vpc", "10.20.0.0/16", 3000)
        self.system_cluster(cluster)
        for stage, short, desired, cpu, memory, tags_versions in (
            ("staging", "stg", 2, "512", "1024", ["v1.6.0", "v1.7.0-rc.1", "v1.7.0"]),
            ("prod", "prod", 3, "1024", "2048", ["v1.5.2", "v1.6.0", "v1.6.1", "v1.7.0", "v1.8.0"]),
        ):
            name = family = f"asharvi-backend-{stage}"
            group = f"/aws/ecs/asharvi-backend-{stage}"
            tg = self.target_group(
                region, net, f"asharvi-backend-alb-{short}", f"asharvi-backend-tg-{short}", 3000, "/ready"
            )
            secret = self.secret(
                region,
                f"asharvi/backend/{stage}",
                {
                    "MONGO_URI": f"mongodb+srv://asharvi_{stage}:Mg{stage[:3]}-8x2Lq@asharvi-{stage}.x1y2z.mongodb.net/"
                    f"asharvi?retryWrites=true&w=majority",
                    "JWT_SECRET": f"asharvi-{stage}-jwt-4f7c2a9e1b6d3f8a",
                    "SMTP_USER": "AKIAASHARVISMTP7Q2X",
                    "SMTP_PASS": f"BPx{stage}SmtpPass93kd",
                    "CORS_ORIGIN": "https://api.example.com"
                    if stage == "prod"
                    else "https://staging-api.example.com",
                },
                f"asharvi backend {stage} configuration",
            )
            self.log_group(region, group, 30)
            arns = []
            age = 50 if stage == "prod" else 9
            for i, version in enumerate(tags_versions, start=1):
                # prod's v1.8.0 (:5) was registered 90 minutes ago and never deployed
                at = hours_ago(1.5 if version == "v1.8.0" else age + 0.2 + (len(tags_versions) - i) * 40)
                container = {
                    "name": "asharvi-backend",
                    "image": self.image(
                        region,
                        f"asharvi-backend-{stage}",
                        version,
                        at,
                        ASHARVI_MISSING_MODULE if version == "v1.8.0" else None,
                    ),
                    "essential": True,
                    "cpu": int(cpu),
                    "memory": int(memory),
                    "portMappings": [{"containerPort": 3000, "hostPort": 3000, "protocol": "tcp"}],
                    "environment": env(
                        NODE_ENV="production" if stage == "prod" else "staging",
                        PORT="3000",
                        LOG_LEVEL="info" if i % 2 else "debug",
                        APP_VERSION=version,
                    ),
                    "secrets": secret_refs(
                        secret, "MONGO_URI", "JWT_SECRET", "SMTP_USER", "SMTP_PASS", "CORS_ORIGIN"
                    ),
                    "healthCheck": curl_check(3000, "/ready"),
                    "logConfiguration": awslogs(group, region, "ecs"),
                }
                td_tags = tags(Project="asharvi", Environment=stage, Version=version)
                arns.append(
                    self.register(
                        region,
                        family,
                        [container],
                        cpu=cpu,
                        memory=memory,
                        execution_role=role("AsharviBackendEcsExecutionRole"),
                        task_role=role("AsharviBackendEcsTaskRole"),
                        td_tags=td_tags,
                        at=at,
                    )
                )
            broken = len(tags_versions) if tags_versions[-1] == "v1.8.0" else None
            deployed = len(tags_versions) - (1 if broken else 0)
            self.service(
                region,
                cluster,
                name,
                arns[deployed - 1],
                desired,
                net,
                container="asharvi-backend",
                port=3000,
                target_group=tg,
                age_hours=age,
                grace=120,
                config={
                    "maximumPercent": 200,
                    "minimumHealthyPercent": 100,
                    "deploymentCircuitBreaker": {"enable": True, "rollback": True},
                },
                svc_tags={"Project": "asharvi", "Environment": stage},
            )
            self.info.services[name] = ServiceFacts(
                region,
                cluster,
                name,
                family,
                desired,
                group,
                ("asharvi-backend",),
                deployed,
                len(tags_versions),
                broken,
                target_group=f"asharvi-backend-tg-{short}",
            )

    def frameratr(self) -> None:
        region, cluster, name, family = (
            "us-east-2",
            "frameratr-dev-cluster",
            "frameratr-dev-backend-service",
            "frameratr-dev-backend",
        )
        net = self.network(region, "frameratr-dev-vpc", "10.0.0.0/16", 3000)
        tg = self.target_group(region, net, "frameratr-dev-alb", "frameratr-dev-tg", 3000, "/health")
        values = {
            "DB_HOST": "frameratr-dev-db.cpkugwuc4hp0.us-east-2.rds.amazonaws.com",
            "DB_PORT": "5432",
            "DB_NAME": "frameratr",
            "DB_USER": "fr_user",
            "DB_PASS": "fr_password",
            "TMDB_TOKEN": "eyJhbGciOiJIUzI1NiJ9.eyJhdWQiOiJkZW1vLXRtZGIifQ.c2lnbmF0dXJlLWRlbW8",
            "TMDB_SLEEP_SEC": "0.25",
            "FLASK_PORT": "3000",
        }
        secret = self.secret(region, "frameratr-dev/backend", values, "frameratr dev backend settings")
        self.log_group(region, "/ecs/frameratr-dev-backend", 14)
        self.system_cluster(cluster)
        arns = []
        for i, tag in enumerate(["latest", "2f61b0a", "9c04d3e"], start=1):
            container: dict[str, Any] = {
                "name": "frameratr-backend",
                "image": self.image(region, "frameratr-dev-backend", tag, hours_ago(3.2 + (3 - i) * 30)),
                "essential": True,
                "cpu": 256,
                "memory": 512,
                "portMappings": [{"containerPort": 3000, "hostPort": 3000, "protocol": "tcp"}],
                "healthCheck": curl_check(3000, "/health"),
                "logConfiguration": awslogs("/ecs/frameratr-dev-backend", region, "ecs"),
            }
            if i == 1:  # the first revision had them in plain text; later ones read Secrets Manager
                container["environment"] = env(FLASK_ENV="development", **values)
            else:
                container["environment"] = env(FLASK_ENV="production", GUNICORN_WORKERS=str(i))
                container["secrets"] = secret_refs(secret, *values)
            arns.append(
                self.register(
                    region,
                    family,
                    [container],
                    cpu="256",
                    memory="512",
                    execution_role=role("frameratr-dev-ecs-execution-role"),
                    task_role=role("frameratr-dev-ecs-task-role"),
                    td_tags=tags(Project="frameratr", Environment="dev", ManagedBy="terraform"),
                    at=hours_ago(3.2 + (3 - i) * 30),
                )
            )
        self.service(
            region,
            cluster,
            name,
            arns[-1],
            1,
            net,
            container="frameratr-backend",
            port=3000,
            target_group=tg,
            config={"maximumPercent": 200, "minimumHealthyPercent": 100},
            age_hours=3,
            svc_tags={"Project": "frameratr", "opsconsole:min-count": "1", "opsconsole:max-count": "4"},
        )
        self.info.services[name] = ServiceFacts(
            region,
            cluster,
            name,
            family,
            1,
            "/ecs/frameratr-dev-backend",
            ("frameratr-backend",),
            3,
            3,
            target_group="frameratr-dev-tg",
        )
        self.frameratr_scaling()  # needs the service (Application Auto Scaling checks it exists)

    def wwhd(self) -> None:
        region, cluster, name, family = "us-east-1", "wwhd-cluster", "wwhd-backend", "wwhd-backend"
        group = "/ecs/wwhd-backend"
        net = self.network(region, "wwhd-vpc", "10.40.0.0/16", 8000)
        tg = self.target_group(region, net, "wwhd-alb", "wwhd-backend-tg", 8000, "/health")
        secret = self.secret(
            region,
            "wwhd/backend",
            {"OPENAI_API_KEY": "sk-proj-wwhdDemo4Kf8Qm2Zx7Lp1Rt9", "JWT_SECRET": "wwhd-jwt-2b7e9f1c4a8d6e3f"},
            "wwhd runtime secrets",
        )
        self.log_group(region, group, 30)
        self.system_cluster(cluster)
        volumes = [
            {
                "name": "wwhd-database",
                "efsVolumeConfiguration": {
                    "fileSystemId": "fs-0421d6926b3c7056d",
                    "rootDirectory": "/",
                    "transitEncryption": "ENABLED",
                },
            },
            {
                "name": "wwhd-data",
                "efsVolumeConfiguration": {
                    "fileSystemId": "fs-00b8168893587fd61",
                    "rootDirectory": "/",
                    "transitEncryption": "ENABLED",
                },
            },
        ]
        shas = ["b1e5c07", "4d9a2f3", "c77e019", "0fa3b62"]
        arns = []
        for i, sha in enumerate(shas, start=1):
            fastapi = {
                "name": "fastapi",
                "image": self.image(region, "wwhd-dev-backend", sha, hours_ago(12.2 + (4 - i) * 48)),
                "essential": True,
                "cpu": 1024,
                "memory": 2048,
                "portMappings": [{"containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}],
                "environment": env(
                    MODEL_CHAT="gpt-4o-mini",
                    MODEL_EMBED="text-embedding-3-small",
                    ENABLE_OPENAI="true",
                    QDRANT_URL="http://localhost:6333",
                    DATABASE_URL="sqlite:////data/app.db",
                    SQLITE_PATH="/data/wwhd_v3.db",
                    APP_ENV="production",
                    LOG_LEVEL="INFO" if i != 3 else "DEBUG",
                    CORS_ORIGINS='["https://wwhd.weshuber.com", "https://api.weshuber.com"]',
                ),
                "secrets": secret_refs(secret, "OPENAI_API_KEY", "JWT_SECRET"),
                "mountPoints": [{"sourceVolume": "wwhd-data", "containerPath": "/data", "readOnly": False}],
                "dependsOn": [{"containerName": "qdrant", "condition": "HEALTHY"}],
                "healthCheck": curl_check(8000, "/health"),
                "logConfiguration": awslogs(group, region, "fastapi"),
            }
            qdrant = {
                "name": "qdrant",
                "image": "qdrant/qdrant:latest" if i < 4 else "qdrant/qdrant:v1.12.4",
                "essential": True,
                "cpu": 1024,
                "memory": 2048,
                "portMappings": [{"containerPort": 6333, "hostPort": 6333, "protocol": "tcp"}],
                "environment": env(
                    QDRANT__STORAGE__STORAGE_PATH="/database", QDRANT__SERVICE__HTTP_PORT="6333"
                ),
                "mountPoints": [
                    {"sourceVolume": "wwhd-database", "containerPath": "/database", "readOnly": False}
                ],
                "healthCheck": {
                    "command": ["CMD-SHELL", "bash -c ':> /dev/tcp/127.0.0.1/6333' || exit 1"],
                    "interval": 15,
                    "timeout": 5,
                    "retries": 5,
                    "startPeriod": 20,
                },
                "logConfiguration": awslogs(group, region, "qdrant"),
            }
            arns.append(
                self.register(
                    region,
                    family,
                    [fastapi, qdrant],
                    cpu="2048",
                    memory="4096",
                    execution_role=role("wwhd-ecs-execution-role"),
                    task_role=role("wwhd-ecs-task-role"),
                    volumes=volumes,
                    td_tags=tags(Project="wwhd", GitSha=sha, DeployedBy="github-actions"),
                    at=hours_ago(12.2 + (4 - i) * 48),
                )
            )
        cleanup = {
            "name": "cleanup",
            "image": image_uri(region, "wwhd-dev-backend", shas[-1]),
            "essential": True,
            "cpu": 256,
            "memory": 512,
            "command": ["python", "-m", "app.scripts.clear_databases"],
            "mountPoints": [
                {"sourceVolume": "wwhd-data", "containerPath": "/data", "readOnly": False},
                {"sourceVolume": "wwhd-database", "containerPath": "/database", "readOnly": False},
            ],
            "logConfiguration": awslogs(group, region, "cleanup"),
        }
        self.register(
            region,
            "wwhd-cleanup",
            [cleanup],
            cpu="256",
            memory="512",
            execution_role=role("wwhd-ecs-execution-role"),
            task_role=role("wwhd-ecs-task-role"),
            volumes=volumes,
            td_tags=tags(Project="wwhd"),
            at=hours_ago(12.1),
        )
        # Exactly one task ever (Qdrant's file lock): stop the old task before starting the new one.
        self.service(
            region,
            cluster,
            name,
            arns[-1],
            1,
            net,
            container="fastapi",
            port=8000,
            target_group=tg,
            config={"maximumPercent": 100, "minimumHealthyPercent": 0},
            age_hours=12,
            svc_tags={"Project": "wwhd", "opsconsole:single-writer": "true"},
        )
        self.info.services[name] = ServiceFacts(
            region,
            cluster,
            name,
            family,
            1,
            group,
            ("fastapi", "qdrant"),
            len(shas),
            len(shas),
            target_group="wwhd-backend-tg",
        )
