"""The world's past (a day of metrics and log lines, the alarms' history), written behind the seed.

Seeding the services is quick; writing a day of one-minute points, the log lines of every task
and replaying the alarms over them is most of a seed. It runs on a thread of its own, so a
console (or a test) that reads ECS does not wait for it; a CloudWatch or CloudWatch Logs request
to the demo server waits until it is written (``gate``), so nobody ever sees half a past. A
reset cancels it between services.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from typing import Any

from console.demo import activity, alarms_eval, metrics, moto_access, organisation
from console.demo.facts import WorldInfo

log = logging.getLogger("opsconsole.demo.history")

WAITS_ON = frozenset({"monitoring", "logs"})  # the signing names of CloudWatch and CloudWatch Logs
WAIT_S = 60.0


class History:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.done.set()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, regions: Iterable[str], skip: tuple[str, ...], info: WorldInfo) -> None:
        self.cancel()
        self.done.clear()
        self._cancel.clear()
        info.ready = self.done
        self._thread = threading.Thread(
            target=self._run, args=(tuple(regions), skip, info), name="demo-history", daemon=True
        )
        self._thread.start()

    def write_now(self, regions: Iterable[str], skip: tuple[str, ...], info: WorldInfo) -> None:
        """The same, on this thread (a world that must be whole when the call returns)."""
        self.cancel()
        self.done.clear()
        self._cancel.clear()
        info.ready = self.done
        self._run(tuple(regions), skip, info)

    def _run(self, regions: tuple[str, ...], skip: tuple[str, ...], info: WorldInfo) -> None:
        try:
            places = organisation.current().regions_by_account(regions)
            for account, account_regions in places:  # each account's past, in that account
                with organisation.acting_as(account):
                    metrics.backfill(account_regions, skip_clusters=skip, cancelled=self._cancel.is_set)
                    activity.backfill_logs(account_regions, skip_clusters=skip, cancelled=self._cancel.is_set)
            if self._cancel.is_set():
                return
            for account, account_regions in places:
                alarms_eval.replay(account_regions, account=account)
                for region in account_regions:
                    for alarm in list(moto_access.cloudwatch(region, account).alarms.values()):
                        info.alarms[alarm.name] = alarm.state_value
        except Exception:  # the past is decoration: the present must go on without it
            log.exception("the demo world's history could not be written")
        finally:
            self.done.set()

    def cancel(self) -> None:
        self._cancel.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None

    def gate(self, service: str, _request: Any = None) -> None:
        """Before a CloudWatch or Logs request is answered: the past must be written."""
        if service in WAITS_ON and not self.done.is_set():
            self.done.wait(WAIT_S)
