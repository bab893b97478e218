"""The building blocks of the world: networks, target groups, secrets, log groups, clusters, revisions, services.

Each is made with boto3 against the demo endpoint, as a team's scripts would make it (so the world
is made of what the API accepts); a service is then settled in-process by the scheduler.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import boto3
from botocore.config import Config

from console.demo import ecr, moto_access, organisation
from console.demo.facts import (
    CLUSTERS,
    WorldInfo,
    image_uri,
    tags,
)
from console.demo.scheduler import LOCK, Scheduler, backend


class _Clients:
    """boto3 clients against the endpoint in the acting account, made once (a client costs tens of ms).

    A member account is reached as an org's automation reaches it: with the ops role assumed
    from the base credentials (organisation.Credentials).
    """

    def __init__(self, endpoint: str) -> None:
        self.endpoint = endpoint
        self.credentials = organisation.Credentials(endpoint)
        # One session for every account (its loader caches the service models; a session per
        # account would parse EC2's model once per account), the keys given per client.
        self._session = boto3.session.Session(region_name="us-east-1")
        self._cache: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()
        self._config = Config(
            retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30
        )

    def __call__(self, service: str, region: str) -> Any:
        account = organisation.acting()
        key = (account, service, region)
        with self._lock:
            client = self._cache.get(key)
        if client is None:
            client = self._session.client(
                service,
                region_name=region,
                endpoint_url=self.endpoint,
                config=self._config,
                **self.credentials.keys(account),
            )
            with self._lock:
                client = self._cache.setdefault(key, client)
        return client


@dataclass
class _Net:
    vpc: str
    private: list[str]
    public: list[str]
    alb_sg: str
    ecs_sg: str


def _vpc_exists(region: str, vpc_id: str) -> bool:
    return vpc_id in moto_access.ec2(region).vpcs


def _cluster_args(insights: bool, tag_values: dict[str, str]) -> dict[str, Any]:
    """CreateCluster's arguments for a team's Fargate cluster."""
    return {
        "settings": [{"name": "containerInsights", "value": "enabled" if insights else "disabled"}],
        "capacityProviders": ["FARGATE", "FARGATE_SPOT"],
        "defaultCapacityProviderStrategy": [{"capacityProvider": "FARGATE", "weight": 1}],
        "tags": tags(**tag_values),
    }


class Builder:
    """The world's makers of things; World (world.py) seeds the systems with them."""

    def __init__(self, endpoint: str, scheduler: Scheduler) -> None:
        self.clients = _Clients(endpoint)
        self.scheduler = scheduler
        self.info = WorldInfo()
        self.rng = random.Random(7)
        self._nets: dict[tuple[str, str, str], _Net] = {}  # (account, region, name)

    # ---- building blocks ---------------------------------------------------------------
    def network(self, region: str, name: str, cidr: str, port: int) -> _Net:
        """The system's VPC; kept across resets (see runtime), so made once per process."""
        key = (organisation.acting(), region, name)
        known = self._nets.get(key)
        if known is not None and _vpc_exists(region, known.vpc):
            return known
        net = self._make_network(region, name, cidr, port)
        self._nets[key] = net
        return net

    def _make_network(self, region: str, name: str, cidr: str, port: int) -> _Net:
        ec2 = self.clients("ec2", region)
        vpc = ec2.create_vpc(
            CidrBlock=cidr,
            TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": name}]}],
        )["Vpc"]["VpcId"]
        ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
        base = cidr.split(".")
        private: list[str] = []
        public: list[str] = []
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

    def system_cluster(self, name: str, *, in_process: bool = False) -> None:
        """One of the systems' clusters, made once (the fast start makes them all first).

        ``in_process``: made in moto's backend with the arguments CreateCluster would pass (no
        boto3 client to build: the first screen waits on this).
        """
        region, insights, tag_values = CLUSTERS[name]
        with organisation.acting_as(organisation.current().account_of(name)):
            with LOCK:
                be = backend(region)
                if name not in be.clusters and in_process:
                    args = _cluster_args(insights, tag_values)
                    be.create_cluster(
                        name,
                        args["tags"],
                        args["settings"],
                        None,
                        args["capacityProviders"],
                        args["defaultCapacityProviderStrategy"],
                    )
                if name in be.clusters:
                    self.info.clusters[name] = region
                    return
            self.cluster(region, name, insights, **tag_values)

    def clusters_first(self) -> None:
        """What the console's first screen lists: every system's cluster (the rest comes behind)."""
        for name in CLUSTERS:
            self.system_cluster(name, in_process=True)

    def cluster(self, region: str, name: str, insights: bool = False, **tag_values: str) -> None:
        self.clients("ecs", region).create_cluster(clusterName=name, **_cluster_args(insights, tag_values))
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
                registered = moto_access.demo_task_definition(backend(region).describe_task_definition(arn))
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
