"""The five seed systems, as their teams describe them, in their own regions.

Seeded with boto3 against the demo endpoint (so the world is made of what the API accepts), then
brought to its steady state in-process by the scheduler, so a fresh demo looks like a live account
rather than a new one. ``scale=N`` adds a synthetic cluster made directly in moto's backends
(boto3 would take minutes for thousands of services).

Facts the tests and the UI rely on are in ``WorldInfo``.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

from console.demo import ecr, moto_access, organisation
from console.demo.facts import (  # noqa: F401  (re-exported: the tests and the runtime import them from here)
    LABEL,
    REGIONS,
    SCALE_CLUSTER,
    SCALE_REGION,
    ServiceFacts,
    WorldInfo,
    awslogs,
    hours_ago,
    image_uri,
    role,
    tags,
)
from console.demo.organisation import acting, acting_as
from console.demo.scheduler import LOCK, backend, service_state
from console.demo.systems import Systems


class World(Systems):
    """Seeds (and re-seeds after a reset) the demo account."""

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
        org = organisation.current()
        for region, cluster, service, prefix, (cpu, memory) in ecs_alarms:
            with acting_as(org.account_of(cluster)):  # each team's alarms in its own account
                dims = {"ClusterName": cluster, "ServiceName": service}
                topic = [f"arn:aws:sns:{region}:{acting()}:{prefix.split('-backend')[0]}-alerts"]
                self.alarm(
                    region, f"{prefix}-cpu-high", "AWS/ECS", "CPUUtilization", dims, cpu, actions=topic
                )
                self.alarm(
                    region,
                    f"{prefix}-memory-high",
                    "AWS/ECS",
                    "MemoryUtilization",
                    dims,
                    memory,
                    actions=topic,
                )
        with acting_as(org.account_of("document-verification-cluster")):
            self.dlq_alarm()

    def dlq_alarm(self) -> None:
        self.alarm(
            "ap-south-1",
            "document-verification-dlq-not-empty",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            {"QueueName": "document-verification-dlq"},
            0,
            periods=1,
            actions=[f"arn:aws:sns:ap-south-1:{acting()}:document-verification-alerts"],
            description="documents that failed 3 times wait in the DLQ: peek, fix, redrive",
        )

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
        """N synthetic services of about 2 tasks each, made in moto's backend directly (fast).

        In a synthetic fleet (``demo serve --accounts K``) every fleet account gets N in each of
        its regions; otherwise one scale-cluster in ``SCALE_REGION`` of the scale account.
        """
        if count <= 0:
            return
        org = organisation.current()
        if org.fleet:
            jobs = [(a.id, region) for a in org.fleet for region in a.regions]
            with ThreadPoolExecutor(max_workers=3, thread_name_prefix="demo-fleet") as pool:
                for job in [pool.submit(self._scale_in, account, region, count) for account, region in jobs]:
                    job.result()
        else:
            self._scale_in(org.scale_account, SCALE_REGION, count)
        self.info.scale = count
        self.info.scale_cluster = SCALE_CLUSTER
        self.info.clusters[SCALE_CLUSTER] = SCALE_REGION

    def _scale_in(self, account: str, region: str, count: int) -> None:
        with acting_as(account):
            self._scale_cluster(region, count)

    def _scale_cluster(self, region: str, count: int) -> None:
        net = self.network(region, "scale-vpc", "10.90.0.0/16", 8080)
        self.cluster(region, SCALE_CLUSTER, Purpose="scale-test")
        network: dict[str, Any] = {
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
                svc = moto_access.demo_service(
                    be.create_service(
                        SCALE_CLUSTER,
                        family,
                        2 if i % 10 else 1,
                        task_definition_str=td.arn,
                        launch_type="FARGATE",
                        platform_version="1.4.0",
                        network_configuration=network,
                    )
                )
                svc._demo_ready = False
                service_state(svc)
                self.scheduler.settle_now(be, svc, age=timedelta(hours=2 + i % 48))
            self.scheduler.recount(be)

    # ---- everything -----------------------------------------------------------------------
    def seed(self, scale: int = 0) -> WorldInfo:
        self.info = WorldInfo()
        org = organisation.current()
        # The systems are independent: seeding them side by side halves the wait on the server.
        # Each is made in its own account (the alarms job names each team's account itself).
        with ThreadPoolExecutor(max_workers=3, thread_name_prefix="demo-seed") as pool:
            jobs = [
                pool.submit(self._in_account, org.account_of(cluster), fn)
                for cluster, fn in (
                    ("document-verification-cluster", self.document_verification),
                    ("asharvi-backend-cluster", self.asharvi),
                    ("docu-cr-backend-cluster", self.docu_cr),
                    ("frameratr-dev-cluster", self.frameratr),
                    ("wwhd-cluster", self.wwhd),
                    ("docu-cr-backend-cluster", self.alarms),  # by name: needs none of the others to exist
                )
            ]
            for job in jobs:
                job.result()
        self.scale(scale)
        with LOCK:
            for account, region in org.places():
                self.scheduler.recount(backend(region, account))
        return self.info

    @staticmethod
    def _in_account(account: str, fn: Callable[[], None]) -> None:
        with acting_as(account):
            fn()
