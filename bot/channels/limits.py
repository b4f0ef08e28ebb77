"""At most a few messages per sender in flight at once; the rest are refused at once (429).

Rasa handles one conversation's messages one at a time (a lock per conversation),
and waiting requests poll that lock about once a second. A burst from one sender
(a stuck client, a script, someone hammering Send) would otherwise pile up for
minutes and hold connections open. Counting is per process: with several replicas
each one enforces it for the requests it receives.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from typing import Iterator

from bot.limits import MAX_IN_FLIGHT


class PerSenderLimit:
    def __init__(self, limit: int = MAX_IN_FLIGHT) -> None:
        self.limit = limit
        self._in_flight: Counter = Counter()

    @contextlib.contextmanager
    def slot(self, sender: str) -> Iterator[bool]:
        """`with limit.slot(sender) as ok:` ok is False when the sender already has `limit` waiting."""
        if self._in_flight[sender] >= self.limit:
            yield False
            return
        self._in_flight[sender] += 1
        try:
            yield True
        finally:
            self._in_flight[sender] -= 1
            if self._in_flight[sender] <= 0:
                del self._in_flight[sender]
