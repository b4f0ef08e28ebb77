"""Forget a conversation, and make sure it stays forgotten.

`forget` deletes a tracker from whichever tracker store Rasa runs with. Rasa 3.6's
tracker stores can save and retrieve but not delete, so quick exit ("forget me") and
SMS/WhatsApp STOP need this. It knows the stores this project uses: in memory (the
default for `make run`), SQL (PostgreSQL in production) and Redis, and unwraps the
wrappers Rasa puts around them.

`forgotten_guard` remembers, for FORGOTTEN_FOR seconds, that a conversation was just
forgotten, so that a message still being answered at that moment cannot save it again:
the channel checks the guard after answering and forgets once more. With several Rasa
replicas that message may be on another replica than the quick exit, so the guard lives
in the shared lock store (Redis) when Rasa has one, and in this process's memory
otherwise (one process: `make run`, the tests). It holds a random mark per conversation
id (the id only: no text, no number), which expires by itself.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from typing import Any, Dict, Optional, Tuple

logger = logging.getLogger(__name__)

FORGOTTEN_FOR = 300  # seconds: longer than any message takes to be answered


def _unwrap(store: Any) -> Any:
    """FailSafeTrackerStore and AwaitableTrackerStore keep the real store in `_tracker_store`."""
    seen = 0
    while hasattr(store, "_tracker_store") and seen < 5:
        store = store._tracker_store
        seen += 1
    return store


async def forget(tracker_store: Any, sender_id: str) -> bool:
    """Delete everything stored for `sender_id`. True if the store supports deletion."""
    store = _unwrap(tracker_store)
    kind = type(store).__name__
    if kind == "InMemoryTrackerStore":
        store.store.pop(sender_id, None)
        return True
    if kind == "SQLTrackerStore":
        with store.session_scope() as session:
            session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id).delete()
            session.commit()
        return True
    if kind == "RedisTrackerStore":
        store.red.delete(store.key_prefix + sender_id)
        return True
    logger.warning("tracker store %s cannot delete conversations", kind)
    return False


# -- the forgotten-conversation guard --------------------------------------------------------


class MemoryGuard:
    """Marks in this process only."""

    def __init__(self, ttl: float = FORGOTTEN_FOR) -> None:
        self.ttl = ttl
        self._marks: Dict[str, Tuple[float, str]] = {}
        self._lock = threading.Lock()

    def mark(self, sender_id: str) -> str:
        """Record that `sender_id` was just forgotten; returns the new mark."""
        token = secrets.token_hex(8)
        with self._lock:
            self._marks[sender_id] = (time.monotonic(), token)
        return token

    def current(self, sender_id: str) -> Optional[str]:
        """The mark of the latest forget of `sender_id` within the last `ttl` seconds, else None."""
        now = time.monotonic()
        with self._lock:
            for old in [s for s, (when, _) in self._marks.items() if now - when > self.ttl]:
                del self._marks[old]
            mark = self._marks.get(sender_id)
        return mark[1] if mark else None


class RedisGuard:
    """Marks in the Redis that Rasa's lock store uses, seen by every replica.

    The local guard is written and read too, so that this replica still holds when Redis
    fails for a moment (Rasa's own lock store, on the same Redis, then fails as well)."""

    def __init__(self, red: Any, key_prefix: str, local: MemoryGuard, ttl: int = FORGOTTEN_FOR) -> None:
        self.red = red
        self.key_prefix = key_prefix
        self.local = local
        self.ttl = int(ttl)

    def _key(self, sender_id: str) -> str:
        return self.key_prefix + sender_id

    def mark(self, sender_id: str) -> str:
        token = self.local.mark(sender_id)
        try:
            self.red.set(self._key(sender_id), token, ex=self.ttl)
        except Exception as e:  # noqa: BLE001 - the forget itself still happens
            logger.error(
                "forgotten guard: could not write to Redis (%s); other replicas may not see it", type(e).__name__
            )
        return token

    def current(self, sender_id: str) -> Optional[str]:
        try:
            value = self.red.get(self._key(sender_id))
        except Exception as e:  # noqa: BLE001 - fall back to what this replica knows
            logger.error("forgotten guard: could not read from Redis (%s)", type(e).__name__)
            return self.local.current(sender_id)
        if value is None:
            return self.local.current(sender_id)
        return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


_MEMORY = MemoryGuard()
_REDIS: Dict[int, RedisGuard] = {}


def guard_key_prefix(lock_store_prefix: str) -> str:
    """ "abusesupport:lock:" -> "abusesupport:forgotten:" (beside Rasa's own lock keys)."""
    if lock_store_prefix.endswith("lock:"):
        return lock_store_prefix[: -len("lock:")] + "forgotten:"
    return lock_store_prefix + "forgotten:"


def forgotten_guard(agent: Any = None):
    """The guard for this Rasa server: in Redis when its lock store is Redis, else in memory."""
    lock_store = getattr(agent, "lock_store", None)
    red = getattr(lock_store, "red", None) if type(lock_store).__name__ == "RedisLockStore" else None
    if red is None:
        return _MEMORY
    guard = _REDIS.get(id(lock_store))
    if guard is None or guard.red is not red:
        guard = RedisGuard(red, guard_key_prefix(getattr(lock_store, "key_prefix", "lock:")), _MEMORY)
        _REDIS[id(lock_store)] = guard
    return guard
