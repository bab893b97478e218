"""The five seed systems, as their teams describe them, in their own regions.

Seeded with boto3 against the demo endpoint (so the world is made of what the API accepts), then
brought to its steady state in-process by the scheduler, so a fresh demo looks like a live account
rather than a new one. ``scale=N`` adds a synthetic cluster made directly in moto's backends
(boto3 would take minutes for thousands of services).

Facts the tests and the UI rely on are in ``WorldInfo``.
"""

from __future__ import annotations

import json
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config

from console.demo import ecr, moto_access
from console.demo.scheduler import ACCOUNT, LOCK, Scheduler, backend, service_state

LABEL = "demo world (moto + opsconsole scheduler)"
REGIONS: tuple[str, ...] = ("us-east-1", "ap-south-1", "us-east-2")
SCALE_CLUSTER = "scale-cluster"
SCALE_REGION = "us-east-1"


@dataclass(frozen=True)
class ServiceFacts:
    region: str
    cluster: str
    service: str
    family: str
    desired: int
    log_group: str
    containers: tuple[str, ...]
    deployed_revision: int
    revisions: int
    broken_revision: int | None = None
    target_group: str | None = None
    account: str = ACCOUNT  # every system lives in the one demo account for now (the fleet brings more)


@dataclass
class WorldInfo:
    label: str = LABEL
    regions: tuple[str, ...] = REGIONS
    services: dict[str, ServiceFacts] = field(default_factory=dict)
    clusters: dict[str, str] = field(default_factory=dict)  # cluster → region
    queues: dict[str, str] = field(default_factory=dict)  # queue name → URL
    secrets: dict[str, str] = field(default_factory=dict)  # secret name → ARN
    log_groups: dict[str, str] = field(default_factory=dict)  # log group → region
    scale: int = 0
    scale_cluster: str | None = None
    dlq_seeded: int = 0
    alarms: dict[str, str] = field(default_factory=dict)  # alarm name → state as seeded

    def firing(self) -> list[str]:
        return sorted(name for name, state in self.alarms.items() if state == "ALARM")

    def service(self, name: str) -> ServiceFacts:
        return self.services[name]


# cluster → (region, Container Insights, tags), as the teams made them
CLUSTERS: dict[str, tuple[str, bool, dict[str, str]]] = {
    "docu-cr-backend-cluster": ("us-east-1", False, {"Project": "docu-cr", "Environment": "production"}),
    "document-verification-cluster": (
        "ap-south-1",
        False,
        {"Project": "document-verification", "Environment": "dev"},
    ),
    "asharvi-backend-cluster": ("ap-south-1", True, {"Project": "asharvi", "Owner": "backend"}),
    "frameratr-dev-cluster": ("us-east-2", False, {"Project": "frameratr", "Environment": "dev"}),
    "wwhd-cluster": ("us-east-1", False, {"Project": "wwhd", "Environment": "production"}),
}


def image_uri(region: str, repo: str, tag: str, account: str = ACCOUNT) -> str:
    return f"{account}.dkr.ecr.{region}.amazonaws.com/{repo}:{tag}"


# The docu-cr image deployed 20 h ago leaks slowly (a cache that never evicts): its memory has
# climbed past the team's 55 % alarm since, and would reach the 512 MiB limit in about two days.
DOCU_CR_LEAK = {"opsconsole.demo/memory-leak-mb-per-min": "0.135"}
# asharvi v1.8.0 was built without dist/config: the Node process exits at start-up.
ASHARVI_MISSING_MODULE = {"opsconsole.demo/exit": "1:Cannot find module '/app/dist/config/env.js'"}


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def role(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:role/{name}"


def awslogs(group: str, region: str, prefix: str) -> dict[str, Any]:
    return {
        "logDriver": "awslogs",
        "options": {"awslogs-group": group, "awslogs-region": region, "awslogs-stream-prefix": prefix},
    }


def env(**values: str) -> list[dict[str, str]]:
    return [{"name": k, "value": v} for k, v in values.items()]


def secret_refs(arn: str, *keys: str) -> list[dict[str, str]]:
    return [{"name": k, "valueFrom": f"{arn}:{k}::"} for k in keys]


def tags(**values: str) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in values.items()]


def curl_check(port: int, path: str) -> dict[str, Any]:
    return {
        "command": ["CMD-SHELL", f"curl -f http://localhost:{port}{path} || exit 1"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
        "startPeriod": 60,
    }


class _Clients:
    """boto3 clients against the endpoint, made once (a client costs tens of ms)."""

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self._session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
        )
        self._cache: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()
        self._config = Config(
            retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30
        )

    def __call__(self, service: str, region: str) -> Any:
        key = (service, region)
        with self._lock:
            if key not in self._cache:
                self._cache[key] = self._session.client(
                    service, region_name=region, endpoint_url=self.endpoint, config=self._config
                )
            return self._cache[key]


@dataclass
class _Net:
    vpc: str
    private: list[str]
    public: list[str]
    alb_sg: str
    ecs_sg: str


def _vpc_exists(region: str, vpc_id: str) -> bool:
    from moto.ec2.models import ec2_backends

    return vpc_id in ec2_backends[ACCOUNT][region].vpcs


class World:
    """Seeds (and re-seeds after a reset) the demo account."""

    def __init__(self, endpoint: str, scheduler: Scheduler) -> None:
        self.clients = _Clients(endpoint)
        self.scheduler = scheduler
        self.info = WorldInfo()
        self.rng = random.Random(7)
        self._nets: dict[tuple[str, str], _Net] = {}

    # ---- building blocks ---------------------------------------------------------------
    def network(self, region: str, name: str, cidr: str, port: int) -> _Net:
        """The system's VPC; kept across resets (see runtime), so made once per process."""
        known = self._nets.get((region, name))
        if known is not None and _vpc_exists(region, known.vpc):
            return known
        net = self._make_network(region, name, cidr, port)
        self._nets[(region, name)] = net
        return net

    def _make_network(self, region: str, name: str, cidr: str, port: int) -> _Net:
        ec2 = self.clients("ec2", region)
        vpc = ec2.create_vpc(
            CidrBlock=cidr,
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}],
        )["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        base = cidr.split(".")
        private, public = [], []
        for i, (kind, third) in enumerate((("private", 10), ("private", 11), ("public", 1), ("public", 2))):
            subnet = ec2.create_subnet(
                VpcId=vpc,
                CidrBlock=f"{base[0]}.{base[1]}.{third}.0/24",
                AvailabilityZone=f"{region}{'ab'[i % 2]}",
                TagSpecifications=[
                    {
                        "ResourceType": "subnet",
                        "Tags": [{"Key": "Name", "Value": f"{name}-{kind}-{'ab'[i % 2]}"}],
                    }
                ],
            )["Subnet"]["SubnetId"]
            (private if kind == "private" else public).append(subnet)
        alb_sg = ec2.create_security_group(
            GroupName=f"{name}-alb-sg", Description="ALB: 80/443 from anywhere", VpcId=vpc
        )["GroupId"]
        ecs_sg = ec2.create_security_group(
            GroupName=f"{name}-ecs-sg", Description=f"ECS tasks: {port} from the ALB", VpcId=vpc
        )["GroupId"]
        ec2.authorize_security_group_ingress(
            GroupId=ecs_sg,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": port,
                    "ToPort": port,
                    "UserIdGroupPairs": [{"GroupId": alb_sg}],
                }
            ],
        )
        return _Net(vpc, private, public, alb_sg, ecs_sg)

    def target_group(self, region: str, net: _Net, alb: str, name: str, port: int, path: str) -> str:
        elb = self.clients("elbv2", region)
        lb = elb.create_load_balancer(
            Name=alb,
            Subnets=net.public,
            SecurityGroups=[net.alb_sg],
            Scheme="internet-facing",
            Type="application",
        )["LoadBalancers"][0]
        tg = elb.create_target_group(
            Name=name,
            Protocol="HTTP",
            Port=port,
            VpcId=net.vpc,
            TargetType="ip",
            HealthCheckPath=path,
            HealthCheckIntervalSeconds=30,
            HealthCheckTimeoutSeconds=5,
            HealthyThresholdCount=2,
            UnhealthyThresholdCount=3,
            Matcher={"HttpCode": "200"},
        )["TargetGroups"][0]["TargetGroupArn"]
        elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="HTTP",
            Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
        )
        return str(tg)

    def secret(self, region: str, name: str, value: dict[str, str] | str, description: str = "") -> str:
        sm = self.clients("secretsmanager", region)
        arn = sm.create_secret(
            Name=name,
            Description=description,
            SecretString=value if isinstance(value, str) else json.dumps(value),
        )["ARN"]
        self.info.secrets[name] = arn
        return str(arn)

    def log_group(self, region: str, name: str, days: int = 30) -> None:
        logs = self.clients("logs", region)
        logs.create_log_group(logGroupName=name)
        logs.put_retention_policy(logGroupName=name, retentionInDays=days)
        self.info.log_groups[name] = region

    def system_cluster(self, name: str) -> None:
        """One of the systems' clusters, made once (the fast start makes them all first)."""
        region, insights, tag_values = CLUSTERS[name]
        with LOCK:
            if name in backend(region).clusters:
                self.info.clusters[name] = region
                return
        self.cluster(region, name, insights, **tag_values)

    def clusters_first(self) -> None:
        """What the console's first screen lists: every system's cluster (the rest comes behind)."""
        for name in CLUSTERS:
            self.system_cluster(name)

    def cluster(self, region: str, name: str, insights: bool = False, **tag_values: str) -> None:
        self.clients("ecs", region).create_cluster(
            clusterName=name,
            settings=[{"name": "containerInsights", "value": "enabled" if insights else "disabled"}],
            capacityProviders=["FARGATE", "FARGATE_SPOT"],
            defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
            tags=tags(**tag_values),
        )
        self.info.clusters[name] = region

    def register(
        self,
        region: str,
        family: str,
        containers: list[dict[str, Any]],
        *,
        cpu: str,
        memory: str,
        execution_role: str,
        task_role: str,
        td_tags: list[dict[str, str]],
        volumes: list[dict[str, Any]] | None = None,
        at: datetime | None = None,
    ) -> str:
        """Register a revision; ``at``: when it was registered (the world's history is spread out)."""
        td = self.clients("ecs", region).register_task_definition(
            family=family,
            containerDefinitions=containers,
            cpu=cpu,
            memory=memory,
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            executionRoleArn=execution_role,
            taskRoleArn=task_role,
            tags=td_tags,
            runtimePlatform={"cpuArchitecture": "X86_64", "operatingSystemFamily": "LINUX"},
            **({"volumes": volumes} if volumes else {}),
        )["taskDefinition"]
        arn = str(td["taskDefinitionArn"])
        if at is not None:
            with LOCK:
                registered = backend(region).describe_task_definition(arn)
                registered.registered_at = at
        return arn

    def image(
        self, region: str, repo: str, tag: str, at: datetime, annotations: dict[str, str] | None = None
    ) -> str:
        """Push ``repo:tag`` to the system's ECR at ``at`` (a few minutes before its revision)."""
        with LOCK:
            ecr.push(region, repo, tag, at - timedelta(minutes=6), annotations)
        return image_uri(region, repo, tag)

    def service(
        self,
        region: str,
        cluster: str,
        name: str,
        td: str,
        desired: int,
        net: _Net,
        *,
        container: str,
        port: int,
        target_group: str | None,
        config: dict[str, Any],
        grace: int = 60,
        age_hours: float = 6,
        svc_tags: dict[str, str] | None = None,
    ) -> None:
        ecs = self.clients("ecs", region)
        ecs.create_service(
            cluster=cluster,
            serviceName=name,
            taskDefinition=td,
            desiredCount=desired,
            launchType="FARGATE",
            platformVersion="LATEST",
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": net.private,
                    "securityGroups": [net.ecs_sg],
                    "assignPublicIp": "DISABLED",
                }
            },
            loadBalancers=(
                [{"targetGroupArn": target_group, "containerName": container, "containerPort": port}]
                if target_group
                else []
            ),
            deploymentConfiguration=config,
            healthCheckGracePeriodSeconds=grace,
            enableExecuteCommand=False,
            propagateTags="SERVICE",
            enableECSManagedTags=True,
            tags=tags(**(svc_tags or {})),
        )
        with LOCK:
            be = backend(region)
            svc = be.services[f"{cluster}:{name}"]
            svc.platform_version = "1.4.0"
            self.scheduler.settle_now(be, svc, age=timedelta(hours=age_hours))

    # ---- the five systems ----------------------------------------------------------------
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
                "SQS_QUEUE_URL": f"https://sqs.{region}.amazonaws.com/{ACCOUNT}/document-verification-queue",
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

    # ---- alarms -------------------------------------------------------------------------
    def alarm(
        self,
        region: str,
        name: str,
        namespace: str,
        metric: str,
        dimensions: dict[str, str],
        threshold: float,
        *,
        actions: list[str],
        description: str = "",
        operator: str = "GreaterThanThreshold",
        periods: int = 3,
    ) -> None:
        """A metric alarm as a team would make it; the demo's evaluator decides its state."""
        cw = self.clients("cloudwatch", region)
        cw.put_metric_alarm(
            AlarmName=name,
            AlarmDescription=description,
            Namespace=namespace,
            MetricName=metric,
            Dimensions=[{"Name": k, "Value": v} for k, v in dimensions.items()],
            Statistic="Average" if namespace == "AWS/ECS" else "Maximum",
            Period=60 if namespace == "AWS/ECS" else 300,
            EvaluationPeriods=periods,
            Threshold=threshold,
            ComparisonOperator=operator,
            TreatMissingData="missing",
            ActionsEnabled=True,
            AlarmActions=actions,
        )
        self.info.alarms[name] = "INSUFFICIENT_DATA"

    def alarms(self) -> None:
        """What the teams watch: CPU/memory of the services, the DLQ's depth.

        Their states come from the demo's metric points (console.demo.alarms_eval): on the seeded
        world docu-cr's memory fires (its image leaks since the deploy 20 h ago) and so does the
        document-verification DLQ's (it holds failed documents); frameratr's target-tracking
        AlarmLow is in ALARM whenever load is low: it only scales, it is no news.
        """
        ecs_alarms = [  # region, cluster, service, alarm name prefix, alerts topic, (cpu, memory) limits
            ("us-east-1", "docu-cr-backend-cluster", "docu-cr-backend-service", "docu-cr-backend", (80, 55)),
            ("us-east-1", "wwhd-cluster", "wwhd-backend", "wwhd-backend", (85, 90)),
            (
                "ap-south-1",
                "document-verification-cluster",
                "document-verification-service",
                "document-verification",
                (85, 85),
            ),
            (
                "ap-south-1",
                "asharvi-backend-cluster",
                "asharvi-backend-staging",
                "asharvi-backend-staging",
                (80, 85),
            ),
            (
                "ap-south-1",
                "asharvi-backend-cluster",
                "asharvi-backend-prod",
                "asharvi-backend-prod",
                (80, 85),
            ),
        ]
        for region, cluster, service, prefix, (cpu, memory) in ecs_alarms:
            dims = {"ClusterName": cluster, "ServiceName": service}
            topic = [f"arn:aws:sns:{region}:{ACCOUNT}:{prefix.split('-backend')[0]}-alerts"]
            self.alarm(region, f"{prefix}-cpu-high", "AWS/ECS", "CPUUtilization", dims, cpu, actions=topic)
            self.alarm(
                region,
                f"{prefix}-memory-high",
                "AWS/ECS",
                "MemoryUtilization",
                dims,
                memory,
                actions=topic,
            )
        self.alarm(
            "ap-south-1",
            "document-verification-dlq-not-empty",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": "document-verification-dlq"},
            0,
            periods=1,
            actions=[f"arn:aws:sns:ap-south-1:{ACCOUNT}:document-verification-alerts"],
            description="documents that failed 3 times wait in the DLQ: peek, fix, redrive",
        )
        self.frameratr_scaling()

    def frameratr_scaling(self, target: float = 60.0) -> None:
        """frameratr's Application Auto Scaling: 1-4 tasks, target tracking on average CPU.

        Application Auto Scaling makes the policy's two CloudWatch alarms itself (moto does too,
        with thresholds of its own); they are set as AWS sets them: AlarmHigh at the target over
        3 minutes, AlarmLow at 90 % of it over 15.
        """
        region, cluster, service = "us-east-2", "frameratr-dev-cluster", "frameratr-dev-backend-service"
        aas = self.clients("application-autoscaling", region)
        resource = f"service/{cluster}/{service}"
        aas.register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=resource,
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=1,
            MaxCapacity=4,
        )
        aas.put_scaling_policy(
            PolicyName="frameratr-cpu-target",
            ServiceNamespace="ecs",
            ResourceId=resource,
            ScalableDimension="ecs:service:DesiredCount",
            PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": target,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                "ScaleOutCooldown": 60,
                "ScaleInCooldown": 300,
            },
        )
        # The same alarm names at every start (AWS's are random once, then fixed).
        names = {
            "AlarmHigh": f"TargetTracking-{resource}-AlarmHigh-3b8e1f0c-6d2a-4c9e-b7f5-0a1d2e3c4b5f",
            "AlarmLow": f"TargetTracking-{resource}-AlarmLow-8c4d2e1f-0a9b-4e7c-9d3f-1b2a3c4d5e6f",
        }
        with LOCK:
            alarms = moto_access.cloudwatch(region).alarms
            for old in [n for n in alarms if n.startswith(f"TargetTracking-{resource}-")]:
                alarm = alarms.pop(old)
                high = "-AlarmHigh-" in old
                alarm.name = names["AlarmHigh" if high else "AlarmLow"]
                alarm.alarm_arn = alarm.alarm_arn.rsplit(":alarm:", 1)[0] + f":alarm:{alarm.name}"
                alarm.threshold = target if high else round(target * 0.9, 1)
                alarm.evaluation_periods = 3 if high else 15
                alarm.unit = None
                alarms[alarm.name] = alarm
                self.info.alarms[alarm.name] = "INSUFFICIENT_DATA"

    # ---- scale --------------------------------------------------------------------------
    def scale(self, count: int) -> None:
        """N synthetic services of about 2 tasks each, made in moto's backend directly (fast)."""
        if count <= 0:
            return
        region = SCALE_REGION
        net = self.network(region, "scale-vpc", "10.90.0.0/16", 8080)
        self.cluster(region, SCALE_CLUSTER, Purpose="scale-test")
        network = {
            "awsvpcConfiguration": {
                "subnets": net.private,
                "securityGroups": [net.ecs_sg],
                "assignPublicIp": "DISABLED",
            }
        }
        with LOCK:
            for v in range(1, 8):
                ecr.push(region, "scale-app", f"v{v}", hours_ago(2 + 48 - v * 6))
            be = backend(region)
            for i in range(count):
                family = f"scale-svc-{i:04d}"
                td = be.register_task_definition(
                    family,
                    [
                        {
                            "name": "app",
                            "image": image_uri(region, "scale-app", f"v{1 + i % 7}"),
                            "essential": True,
                            "cpu": 256,
                            "memory": 512,
                            "portMappings": [{"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}],
                            "logConfiguration": awslogs("/ecs/scale", region, "ecs"),
                        }
                    ],
                    network_mode="awsvpc",
                    requires_compatibilities=["FARGATE"],
                    cpu="256",
                    memory="512",
                    execution_role_arn=role("scale-ecs-execution-role"),
                    tags=tags(Purpose="scale-test"),
                )
                svc = be.create_service(
                    SCALE_CLUSTER,
                    family,
                    2 if i % 10 else 1,
                    task_definition_str=td.arn,
                    launch_type="FARGATE",
                    platform_version="1.4.0",
                    network_configuration=network,
                )
                svc._demo_ready = False
                service_state(svc)
                self.scheduler.settle_now(be, svc, age=timedelta(hours=2 + i % 48))
            self.scheduler.recount(be)
        self.info.scale = count
        self.info.scale_cluster = SCALE_CLUSTER
        self.info.clusters[SCALE_CLUSTER] = region

    # ---- everything -----------------------------------------------------------------------
    def seed(self, scale: int = 0) -> WorldInfo:
        self.info = WorldInfo()
        # The systems are independent: seeding them side by side halves the wait on the server.
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="demo-seed") as pool:
            jobs = [
                pool.submit(fn)
                for fn in (
                    self.document_verification,
                    self.asharvi,
                    self.docu_cr,
                    self.frameratr,
                    self.wwhd,
                    self.alarms,  # by name: needs none of the others to exist
                )
            ]
            for job in jobs:
                job.result()
        self.scale(scale)
        with LOCK:
            for region in REGIONS:
                self.scheduler.recount(backend(region))
        return self.info
