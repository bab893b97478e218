"""``opsconsole queues|peek|redrive|dlq``: SQS queues and dead-letter redrive from a shell.

Mutations (redrive, delete, purge) print their plan, ask on a terminal
(``--yes`` skips it; no terminal and no ``--yes`` is a refusal), are refused
in read-only mode, and are written to the audit log.  A purge needs two
confirmations: ``--yes --i-mean-purge``, or the queue's name typed.
Exit codes: 0 done, 1 failed (or messages left behind), 2 bad input, refused
or cancelled.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from console.aws.context import Gateways, open_gateways
from console.aws.sqs import QueueMessage, SqsGateway, binary_preview
from console.commands.arguments import add_command
from console.commands.ops import drive as drive_operation
from console.commands.ops import early_refusal
from console.config import Settings
from console.errors import BadInput, OpsError
from console.model import MessageMoveTask, Queue
from console.ops import redrive as ops
from console.ops.plan import Progress
from console.ops.runner import (
    Operation,
    refuse_peek_if_read_only,
)

CANCELLED = 2


def _literal(text: str, max_len: int | None = None) -> str:
    try:
        from console.literal import literal_text
    except ImportError:  # pragma: no cover - the full module is part of the package
        from console.literal import literal_text as inert

        return inert(text)
    return literal_text(text, max_len=max_len) if max_len else literal_text(text)


def out(text: str = "") -> None:
    print(_literal(text, None), flush=True)


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    p = add_command(
        sub,
        "queues",
        common,
        run_queues,
        help="list SQS queues with counts and DLQ links, or one queue's detail",
        description="Every queue of the regions (counts, FIFO, DLQ and its sources); with QUEUE its detail.",
    )
    p.add_argument("queue", nargs="?", metavar="QUEUE", help="a queue name, URL or ARN: show its detail")
    p.add_argument("--json", action="store_true", help="JSON output")
    p.add_argument("--ages", action="store_true", help="add the oldest message's age (CloudWatch)")

    p = add_command(
        sub,
        "peek",
        common,
        run_peek,
        help="show messages of a queue without consuming them",
        description=(
            "Receive up to N messages with a short visibility timeout and make them visible again; "
            "nothing is deleted, but each peeked message's receive count rises."
        ),
    )
    p.add_argument("queue", metavar="QUEUE")
    p.add_argument("-n", type=int, default=10, metavar="N", help="how many messages (default 10)")
    p.add_argument("--json", action="store_true", help="JSON output (bodies as JSON strings)")

    p = add_command(
        sub,
        "redrive",
        common,
        run_redrive,
        help="send a DLQ's messages back (native move task, or --manual message by message)",
        description=(
            "Native: StartMessageMoveTask to the original source queues (or --to), progress with --wait, "
            "--cancel, --history. --manual: receive, send to the destination, delete after the send "
            "(at least once), with --match and --limit."
        ),
    )
    p.add_argument("queue", metavar="DLQ", help="the dead-letter queue (name, URL or ARN)")
    p.add_argument("--to", metavar="QUEUE", help="destination queue (default: the original source queue(s))")
    p.add_argument("--max-per-second", type=int, metavar="N", help="native: messages per second (1-500)")
    p.add_argument(
        "--manual", action="store_true", help="move message by message (needed for --match/--limit)"
    )
    p.add_argument("--limit", type=int, metavar="N", help="manual: move at most N messages")
    p.add_argument("--match", metavar="TEXT", help="manual: only messages whose body contains TEXT")
    p.add_argument("--concurrency", type=int, default=ops.DEFAULT_CONCURRENCY, help=argparse.SUPPRESS)
    p.add_argument(
        "--visibility-timeout",
        type=int,
        default=ops.DEFAULT_VISIBILITY_S,
        metavar="S",
        help=f"manual: seconds a received message stays hidden (default {ops.DEFAULT_VISIBILITY_S})",
    )
    p.add_argument("--cancel", action="store_true", help="cancel the running move task")
    p.add_argument("--history", action="store_true", help="show the last move tasks")
    p.add_argument("-y", "--yes", action="store_true", help="apply without asking")
    p.add_argument("--dry-run", action="store_true", help="print the plan and stop")
    p.add_argument("--wait", action="store_true", help="native: follow the move task until it ends")
    p.add_argument(
        "--timeout", type=float, default=None, metavar="S", help="native: stop following after S s"
    )
    p.add_argument("--json", action="store_true", help="--history: JSON output")

    p = sub.add_parser("dlq", parents=[common], help="delete chosen messages of a queue, or purge it")
    dlq_sub = p.add_subparsers(dest="dlq_command", metavar="ACTION", required=True)
    d = dlq_sub.add_parser("delete", parents=[common], help="delete messages chosen by --match/--limit")
    d.add_argument("queue", metavar="QUEUE")
    d.add_argument("--match", metavar="TEXT", help="only messages whose body contains TEXT")
    d.add_argument("--limit", type=int, metavar="N", help="at most N messages")
    d.add_argument("-y", "--yes", action="store_true")
    d.add_argument("--dry-run", action="store_true")
    d.set_defaults(func=run_dlq_delete)
    d = dlq_sub.add_parser("purge", parents=[common], help="delete every message (double confirmation)")
    d.add_argument("queue", metavar="QUEUE")
    d.add_argument("-y", "--yes", action="store_true")
    d.add_argument("--i-mean-purge", action="store_true", help="the second confirmation, with --yes")
    d.add_argument("--dry-run", action="store_true")
    d.set_defaults(func=run_dlq_purge)


# --- shared ---------------------------------------------------------------------------------


@asynccontextmanager
async def sqs_gateway(settings: Settings) -> AsyncIterator[tuple[Gateways, SqsGateway]]:
    async with open_gateways(settings) as gw:
        yield gw, gw.sqs


class ProgressLine:
    """A progress line at most every ``every`` seconds (and always the last one)."""

    def __init__(self, every: float = 0.5) -> None:
        self.every = every
        self.last_at = 0.0
        self.last = ""

    def __call__(self, progress: Progress) -> None:
        line = progress.line()
        now = time.monotonic()
        final = progress.state not in ("IN_PROGRESS", "RUNNING", "CANCELLING")
        if line != self.last and (final or now - self.last_at >= self.every):
            out(line)
            self.last, self.last_at = line, now


async def drive(
    args: argparse.Namespace, settings: Settings, gw: Gateways, op: Operation, *, wait: bool = True
) -> int:
    """The one CLI path (console.commands.ops.drive), with a queue's progress line."""
    return await drive_operation(
        args, settings, gw, op, wait=wait, progress=ProgressLine(), say=out, service=False
    )


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else None


def queue_json(q: Queue) -> dict[str, Any]:
    return {
        "name": q.name,
        "region": q.region,
        "url": q.url,
        "arn": q.arn,
        "visible": q.visible,
        "in_flight": q.in_flight,
        "delayed": q.delayed,
        "oldest_age_s": q.oldest_age_s,
        "fifo": q.fifo,
        "visibility_timeout_s": q.visibility_timeout,
        "retention_s": q.retention_s,
        "delay_s": q.delay_s,
        "encryption": q.encryption,
        "dlq_arn": q.dlq_arn or None,
        "max_receive_count": q.max_receive_count,
        "source_arns": list(q.source_arns),
    }


def task_json(t: MessageMoveTask) -> dict[str, Any]:
    return {
        "handle": t.handle or None,
        "status": t.status,
        "source_arn": t.source_arn,
        "destination_arn": t.destination_arn or None,
        "moved": t.moved,
        "to_move": t.to_move,
        "max_per_second": t.max_per_second,
        "started_at": _iso(t.started_at),
        "failure_reason": t.failure_reason or None,
    }


def message_json(m: QueueMessage) -> dict[str, Any]:
    return {
        "message_id": m.message_id,
        "body": m.body,
        "sent_at": _iso(m.sent_at),
        "receive_count": m.receive_count,
        "group_id": m.group_id or None,
        "dedup_id": m.dedup_id or None,
        "attributes": dict(m.attributes),
        "message_attributes": {k: binary_preview(v) for k, v in m.message_attributes.items()},
    }


def _age(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"


def _short(arn: str) -> str:
    return arn.rsplit(":", 1)[-1]


# --- queues ---------------------------------------------------------------------------------


async def run_queues(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    async with sqs_gateway(settings) as (_, sqs):
        if args.queue:
            q = await sqs.resolve(args.queue, settings.regions)
            q = await sqs.queue(q.url, q.region, detail=True)
            tasks = await sqs.move_tasks(q.arn, 10) if q.is_dlq else []
            if args.json:
                print(json.dumps({**queue_json(q), "move_tasks": [task_json(t) for t in tasks]}, indent=2))
                return 0
            print_detail(q, tasks)
            return 0
        queues = await sqs.queues(settings.regions, ages=args.ages)
    if args.json:
        print(json.dumps([queue_json(q) for q in queues], indent=2))
        return 0
    if not queues:
        out(f"no queues in {', '.join(settings.regions)}")
        return 0
    width = max(len(q.name) for q in queues)
    out(f"{'REGION':<15} {'QUEUE':<{width}} {'VISIBLE':>8} {'IN FLIGHT':>9} {'DELAYED':>7} {'AGE':>6}  LINKS")
    for q in queues:
        links = []
        if q.dlq_arn:
            links.append(f"dlq -> {_short(q.dlq_arn)} (after {q.max_receive_count} receives)")
        if q.source_arns:
            links.append("DLQ of " + ", ".join(_short(a) for a in q.source_arns))
        if q.fifo:
            links.append("FIFO")
        out(
            f"{q.region:<15} {q.name:<{width}} {q.visible:>8} {q.in_flight:>9} {q.delayed:>7} "
            f"{_age(q.oldest_age_s):>6}  {'; '.join(links)}"
        )
    return 0


def print_detail(q: Queue, tasks: list[MessageMoveTask]) -> None:
    out(f"{q.name} ({q.region})")
    out(f"  url:                {q.url}")
    out(f"  arn:                {q.arn}")
    out(f"  messages:           {q.visible} visible, {q.in_flight} in flight, {q.delayed} delayed")
    out(f"  oldest message:     {_age(q.oldest_age_s)}")
    out(f"  type:               {'FIFO' if q.fifo else 'standard'}")
    out(f"  visibility timeout: {q.visibility_timeout}s")
    out(f"  retention:          {q.retention_s // 86400}d {q.retention_s % 86400 // 3600}h")
    out(f"  delivery delay:     {q.delay_s}s")
    out(f"  encryption:         {q.encryption or 'none'}")
    if q.dlq_arn:
        out(f"  dead-letter queue:  {_short(q.dlq_arn)} after {q.max_receive_count} receives")
    if q.source_arns:
        out(f"  DLQ of:             {', '.join(_short(a) for a in q.source_arns)}")
    if tasks:
        out("  move tasks (newest first):")
        for t in tasks:
            out("    " + task_line(t))


def task_line(t: MessageMoveTask) -> str:
    total = "?" if t.to_move is None else t.to_move
    dest = _short(t.destination_arn) if t.destination_arn else "original sources"
    rate = f" at {t.max_per_second}/s" if t.max_per_second else ""
    line = f"{_iso(t.started_at) or '?'}  {t.status:<10} {t.moved}/{total} -> {dest}{rate}"
    if t.failure_reason:
        line += f"  ({t.failure_reason})"
    return line


# --- peek -----------------------------------------------------------------------------------


async def run_peek(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    if args.n < 1:
        raise BadInput("-n must be 1 or more")
    async with sqs_gateway(settings) as (_, sqs):
        q = await sqs.resolve(args.queue, settings.regions)
        refuse_peek_if_read_only(settings, q)
        messages = await sqs.peek(q, args.n)
    if args.json:
        # ensure_ascii: every control or non-ASCII character of a body is a \\u escape, inert in a terminal
        print(json.dumps([message_json(m) for m in messages], indent=2, ensure_ascii=True))
        return 0
    out(
        f"{len(messages)} message(s) of {q.name} ({q.region}); "
        "peeking raised their receive counts, deleted none"
    )
    for m in messages:
        out("")
        out(f"--- {m.message_id}")
        out(f"sent: {_iso(m.sent_at) or '?'}  receives: {m.receive_count}")
        if m.group_id:
            out(f"group: {m.group_id}  dedup: {m.dedup_id or '-'}")
        for name, value in sorted(m.message_attributes.items()):
            out(f"attribute {name} ({value.get('DataType', '')}): {binary_preview(value)}")
        parsed = m.body_json()
        body = json.dumps(parsed, indent=2, ensure_ascii=False) if parsed is not None else m.body
        for line in body.splitlines() or [""]:
            print(_literal(line), flush=True)
    return 0


# --- redrive --------------------------------------------------------------------------------


async def run_redrive(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    manual_only = args.limit is not None or args.match is not None
    if manual_only and not args.manual:
        raise BadInput("--match and --limit choose messages: they need --manual")
    if args.manual and (args.max_per_second or args.cancel):
        raise BadInput("--manual moves messages itself: --max-per-second and --cancel are for move tasks")
    if not args.history:
        early_refusal(args, settings, "redrive-cancel" if args.cancel else "redrive")
    async with sqs_gateway(settings) as (gw, sqs):
        dlq = await sqs.resolve(args.queue, settings.regions)
        if args.history:
            tasks = await ops.history(sqs, dlq)
            if args.json:
                print(json.dumps([task_json(t) for t in tasks], indent=2))
            elif not tasks:
                out(f"no move tasks for {dlq.name}")
            else:
                for t in tasks:
                    out(task_line(t))
            return 0
        if args.cancel:
            cancel = await ops.prepare_cancel(sqs, dlq)
            return await drive(args, settings, gw, cancel, wait=True)
        if args.manual:
            manual = await ops.prepare_manual(
                sqs,
                dlq,
                to=args.to,
                regions=settings.regions,
                limit=args.limit,
                match=args.match,
                concurrency=args.concurrency,
                visibility_timeout=args.visibility_timeout,
            )
            return await drive(args, settings, gw, manual, wait=True)
        native = await ops.prepare_native(
            sqs, dlq, to=args.to, regions=settings.regions, max_per_second=args.max_per_second
        )
        native.timeout_s = args.timeout
        code = await drive(args, settings, gw, native, wait=args.wait)
        if code == 0 and not args.wait and not args.dry_run and not native.plan.is_noop:
            out(f"follow it with: opsconsole redrive {dlq.name} --history (or --cancel to stop it)")
        if native.plan.is_noop and "already" in native.plan.noop_reason:
            if args.wait and not args.dry_run:
                # A rerun (e.g. after the first run was killed) follows the task that is moving the
                # messages to its end: the same outcome as if it had started it.
                out("following the running move task instead")
                verified = await ops.follow_move(sqs, native.dlq, ProgressLine(), timeout_s=args.timeout)
                if not verified.ok:
                    raise OpsError(f"{native.plan.title}: {verified.state}: {verified.message}")
                out(f"done: {verified.message}")
                return 0
            return 1
        return code


async def run_dlq_delete(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    early_refusal(args, settings, "dlq-delete")
    async with sqs_gateway(settings) as (gw, sqs):
        q = await sqs.resolve(args.queue, settings.regions)
        op = await ops.prepare_delete(sqs, q, limit=args.limit, match=args.match)
        return await drive(args, settings, gw, op, wait=True)


async def run_dlq_purge(args: argparse.Namespace, settings: Settings | None) -> int:
    assert settings is not None
    early_refusal(args, settings, "purge")
    async with sqs_gateway(settings) as (gw, sqs):
        q = await sqs.resolve(args.queue, settings.regions)
        op = await ops.prepare_purge(sqs, q)
        if not args.dry_run and not op.plan.is_noop:
            typed: str | None = None
            if not (args.yes and args.i_mean_purge):
                for line in op.plan.lines():
                    out(line)
                if sys.stdin and sys.stdin.isatty():
                    typed = await asyncio.to_thread(input, f"type the queue name ({q.name}) to purge it: ")
            ops.check_purge_confirmation(op.queue, yes=args.yes, i_mean_purge=args.i_mean_purge, typed=typed)
            args.yes = True  # confirmed twice above
        return await drive(args, settings, gw, op, wait=True)
