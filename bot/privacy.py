"""Forget a conversation: delete its tracker from whichever tracker store Rasa runs with.

Rasa 3.6's tracker stores can save and retrieve but not delete, so quick exit
("forget me") needs this. It knows the stores this project uses: in memory (the
default for `make run`), SQL (PostgreSQL in production) and Redis, and unwraps
the wrappers Rasa puts around them.
"""
from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)


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
