""".env sync of 200 variables: API calls made and time, against the seeds' ways in the same run.

Against `opsconsole demo serve --no-activity --latency-ms 30` (document-verification-service,
one container, ap-south-1):

* **opsconsole**: read the .env file, plan, register one revision, check it field by field,
  deploy it once (what `opsconsole env sync CLUSTER SERVICE FILE --yes` does, in-process so the
  figure is the operation and not the interpreter's start).  ECS calls counted at the server.
* **per-variable loop**: `update-ecs-config.sh KEY=value` once per variable, as the seeds do
  for single variables: describe the service, describe its task definition, register a
  revision, update the service, per variable.  Measured over a sample and extrapolated
  linearly (its cost per variable is constant); both are printed.
* **whole-file script**: `sync-env-to-ecs.sh` in boto3: the same 4 calls once, no checks.
  It is the floor: no plan, no field-by-field check, no audit.

    python bench/envsync.py [--variables 200] [--latency-ms 30] [--repeats 3] [--loop-sample 20]

Prints figures; never fails on a number.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench._demo import counts, demo_serve, median, reset_counts

REGION = "ap-south-1"
CLUSTER = "document-verification-cluster"
SERVICE = "document-verification-service"
READ_ONLY = (
    "taskDefinitionArn",
    "revision",
    "status",
    "requiresAttributes",
    "compatibilities",
    "registeredAt",
    "registeredBy",
    "deregisteredAt",
)


@dataclass
class Result:
    variables: int
    ours_s: float
    ours_calls: int
    ours_registers: int
    ours_updates: int
    loop_s: float  # extrapolated to ``variables``
    loop_sample: int
    loop_sample_s: float
    loop_calls: int  # for ``variables``
    script_s: float
    script_calls: int


def ecs_client(endpoint: str) -> Any:
    return boto3.client(
        "ecs",
        region_name=REGION,
        endpoint_url=endpoint,
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
    )


def ecs_counts(endpoint: str) -> dict[str, int]:
    return {k[4:]: v for k, v in counts(endpoint).items() if k.startswith("ecs.")}


def write_env(path: Path, run: str, n: int) -> Path:
    lines = [f"# bench run {run}"] + [f"BENCH_VAR_{i:03d}={run}-value-{i}" for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def sync_once(endpoint: str, path: Path) -> tuple[float, dict[str, int]]:
    """opsconsole's env sync (plan, register, check, deploy), timed from reading the file."""
    from console.aws.context import open_gateways
    from console.config import resolve_settings
    from console.env.dotenv import read_dotenv
    from console.ops.envsync import prepare_env_sync
    from console.ops.resolve import resolve_service
    from console.ops.runner import caller_arn, run_operation

    settings = resolve_settings(profile_name="demo", endpoint_url=endpoint, regions=(REGION,))

    async def yes(_plan: Any) -> bool:
        return True

    reset_counts(endpoint)
    start = time.perf_counter()
    file_vars = read_dotenv(path)
    async with open_gateways(settings) as gw:
        service = await resolve_service(gw.ecs, settings.regions, CLUSTER, SERVICE)
        op = await prepare_env_sync(gw.ecs, settings, service, file_vars, source=str(path))
        outcome = await run_operation(
            settings, op, confirm=yes, caller=caller_arn(gw.aws, REGION), wait=False
        )
    elapsed = time.perf_counter() - start
    if not outcome.ok:
        print(f"  warning: opsconsole sync did not apply: {outcome}", file=sys.stderr)
    return elapsed, ecs_counts(endpoint)


def register_with(ecs: Any, td: dict[str, Any], tags: list[dict[str, str]], env: dict[str, str]) -> str:
    request = {k: v for k, v in td.items() if k not in READ_ONLY and v not in (None, [], {})}
    containers = [dict(c) for c in request["containerDefinitions"]]
    merged = {e["name"]: e["value"] for e in containers[0].get("environment", [])}
    merged.update(env)
    containers[0]["environment"] = [{"name": k, "value": v} for k, v in merged.items()]
    request["containerDefinitions"] = containers
    if tags:
        request["tags"] = tags
    return str(ecs.register_task_definition(**request)["taskDefinition"]["taskDefinitionArn"])


def script_round(ecs: Any, env: dict[str, str]) -> None:
    """sync-env-to-ecs.sh / update-ecs-config.sh: describe, describe, register, update."""
    svc = ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0]
    resp = ecs.describe_task_definition(taskDefinition=svc["taskDefinition"], include=["TAGS"])
    arn = register_with(ecs, resp["taskDefinition"], resp.get("tags", []), env)
    ecs.update_service(cluster=CLUSTER, service=SERVICE, taskDefinition=arn)


def per_variable_loop(endpoint: str, run: str, sample: int) -> tuple[float, int]:
    ecs = ecs_client(endpoint)
    reset_counts(endpoint)
    start = time.perf_counter()
    for i in range(sample):
        script_round(ecs, {f"BENCH_LOOP_{i:03d}": f"{run}-{i}"})
    elapsed = time.perf_counter() - start
    return elapsed, sum(ecs_counts(endpoint).values())


def whole_file_script(endpoint: str, run: str, n: int) -> tuple[float, int]:
    ecs = ecs_client(endpoint)
    env = {f"BENCH_SCRIPT_{i:03d}": f"{run}-{i}" for i in range(n)}
    reset_counts(endpoint)
    start = time.perf_counter()
    script_round(ecs, env)
    elapsed = time.perf_counter() - start
    return elapsed, sum(ecs_counts(endpoint).values())


def run(variables: int = 200, latency_ms: int = 30, repeats: int = 3, loop_sample: int = 20) -> Result:
    os.environ.setdefault("OPSCONSOLE_DATA_DIR", tempfile.mkdtemp(prefix="bench-envsync-"))
    with (
        demo_serve("--no-activity", "--latency-ms", str(latency_ms)) as endpoint,
        tempfile.TemporaryDirectory() as tmp,
    ):
        ecs_client(endpoint).list_clusters()  # first connection out of the figures
        ours: list[float] = []
        last: dict[str, int] = {}
        asyncio.run(
            sync_once(endpoint, write_env(Path(tmp, "warm.env"), "warm", variables))
        )  # imports, caches
        for r in range(repeats):
            elapsed, last = asyncio.run(
                sync_once(endpoint, write_env(Path(tmp, f"r{r}.env"), f"r{r}", variables))
            )
            ours.append(elapsed)
        scripts = [whole_file_script(endpoint, f"s{r}", variables) for r in range(repeats)]
        loop_s, loop_calls = per_variable_loop(endpoint, "loop", loop_sample)
    return Result(
        variables=variables,
        ours_s=median(ours),
        ours_calls=sum(last.values()),
        ours_registers=last.get("RegisterTaskDefinition", 0),
        ours_updates=last.get("UpdateService", 0),
        loop_s=loop_s / loop_sample * variables,
        loop_sample=loop_sample,
        loop_sample_s=loop_s,
        loop_calls=loop_calls // loop_sample * variables,
        script_s=median([s for s, _ in scripts]),
        script_calls=scripts[-1][1],
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--variables", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--loop-sample", type=int, default=20)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}  variables: {args.variables}  latency: {args.latency_ms} ms")
    r = run(args.variables, args.latency_ms, args.repeats, args.loop_sample)
    print(
        f"opsconsole env sync  : {r.ours_s:6.2f} s, {r.ours_calls} ECS calls "
        f"({r.ours_registers} RegisterTaskDefinition, {r.ours_updates} UpdateService)"
    )
    print(
        f"per-variable loop    : {r.loop_s:6.2f} s, {r.loop_calls} ECS calls, {r.variables} revisions "
        f"(measured {r.loop_sample_s:.2f} s over {r.loop_sample} variables)"
        f"  -> {r.loop_s / r.ours_s:.1f}x slower"
    )
    print(
        f"whole-file script    : {r.script_s:6.2f} s, {r.script_calls} ECS calls (no plan, no check)"
        f"  -> opsconsole/script {r.ours_s / r.script_s:.2f}x"
    )


if __name__ == "__main__":
    main()
