"""The alert rules evaluated on a schedule, in a thread of the server process.

Known limit: with several server processes each would evaluate; the lease that makes a
scheduled evaluation run once across processes comes with the multi-process work of the
operations capability (Redis or a database lease, as the syncs have).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from noivu_ioc.operations.evaluate import Evaluation

log = logging.getLogger(__name__)


class AlertLoop:
    def __init__(self, evaluate: Callable[[], Evaluation], every_s: float) -> None:
        self.evaluate = evaluate
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.runs = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="ioc-alerts", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)

    def _loop(self) -> None:
        while not self._stop.wait(self.every_s):
            try:
                result = self.evaluate()
                self.runs += 1
                if result.opened or result.resolved or result.failed:
                    log.info(
                        "alert rules: %d opened, %d resolved, %d failed",
                        result.opened,
                        result.resolved,
                        len(result.failed),
                    )
            except Exception:  # the loop outlives any one evaluation
                log.exception("evaluating the alert rules failed; trying again")
