"""``opsconsole autoscaling CLUSTER SERVICE``: show or change a service's auto scaling target.

With no change asked, it prints the target, its policies and the recent scaling activities (what
the service detail shows). ``--min N --max N`` and ``--suspend-scale-in``/``--resume-scale-in``
are one RegisterScalableTarget, through the same plan, confirmation, audit and read-only refusal
as every operation.
"""

from __future__ import annotations

import argparse

from console.api.autoscaling import read_autoscaling
from console.aws.context import open_gateways
from console.commands.arguments import add_command, op_options, service_args
from console.commands.flow import before_any_change, drive, early_refusal, out, service_of
from console.config import Settings
from console.ops.autoscaling import TargetChange, prepare_target_change


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        "autoscaling",
        common,
        run_autoscaling,
        op_options(),
        help="show or change a service's auto scaling target (min, max, scale-in)",
        description=(
            "Show the service's Application Auto Scaling target, policies and recent activities; "
            "with --min/--max/--suspend-scale-in/--resume-scale-in, change the target "
            "(RegisterScalableTarget) as an operation: plan, confirm, audit, verify."
        ),
    )
    service_args(p)
    p.add_argument("--min", dest="min_capacity", type=int, metavar="N", help="the target's lowest count")
    p.add_argument("--max", dest="max_capacity", type=int, metavar="N", help="the target's highest count")
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--suspend-scale-in",
        dest="scale_in_suspended",
        action="store_const",
        const=True,
        default=None,
        help="stop auto scaling from removing tasks (during an incident)",
    )
    group.add_argument(
        "--resume-scale-in",
        dest="scale_in_suspended",
        action="store_const",
        const=False,
        help="let auto scaling remove tasks again",
    )


async def run_autoscaling(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    change = TargetChange(args.min_capacity, args.max_capacity, args.scale_in_suspended)
    if not change.empty:
        early_refusal(args, settings, "autoscaling")
    async with open_gateways(settings) as gw:
        with before_any_change():
            service = await service_of(gw, settings, args)
            if change.empty:
                for line in (await read_autoscaling(gw, service)).lines():
                    out(line)
                return 0
            op = await prepare_target_change(gw.ecs, settings, service, change)
        return await drive(args, settings, gw, op, wait=True)  # verify reads the target back
